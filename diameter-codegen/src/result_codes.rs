//! Result-Code values (RFC 6733 §7.1, RFC 4006 §9.1). The dictionaries declare Result-Code
//! as Unsigned32 without named values, so the names come from here.

/// (value, name, meaning).
pub(crate) const RESULT_CODES: &[(u32, &str, &str)] = &[
    (
        1001,
        "DIAMETER_MULTI_ROUND_AUTH",
        "Subsequent messages are needed to complete the authentication.",
    ),
    (
        2001,
        "DIAMETER_SUCCESS",
        "The request was successfully completed.",
    ),
    (
        2002,
        "DIAMETER_LIMITED_SUCCESS",
        "The request succeeded but more action is needed to grant service.",
    ),
    (
        3001,
        "DIAMETER_COMMAND_UNSUPPORTED",
        "The Command-Code is not recognized or supported.",
    ),
    (
        3002,
        "DIAMETER_UNABLE_TO_DELIVER",
        "The message could not be delivered.",
    ),
    (
        3003,
        "DIAMETER_REALM_NOT_SERVED",
        "The intended realm is not recognized.",
    ),
    (
        3004,
        "DIAMETER_TOO_BUSY",
        "The server cannot provide the service now.",
    ),
    (3005, "DIAMETER_LOOP_DETECTED", "An agent found a loop."),
    (
        3006,
        "DIAMETER_REDIRECT_INDICATION",
        "A redirect agent says where to send the request.",
    ),
    (
        3007,
        "DIAMETER_APPLICATION_UNSUPPORTED",
        "The application is not supported.",
    ),
    (
        3008,
        "DIAMETER_INVALID_HDR_BITS",
        "The header bits are an invalid combination.",
    ),
    (
        3009,
        "DIAMETER_INVALID_AVP_BITS",
        "An AVP's flag bits are invalid.",
    ),
    (
        3010,
        "DIAMETER_UNKNOWN_PEER",
        "A CER came from an unknown peer.",
    ),
    (
        4001,
        "DIAMETER_AUTHENTICATION_REJECTED",
        "Invalid credentials.",
    ),
    (
        4002,
        "DIAMETER_OUT_OF_SPACE",
        "No space to store the accounting record.",
    ),
    (
        4003,
        "DIAMETER_ELECTION_LOST",
        "The peer lost the election.",
    ),
    (
        4010,
        "DIAMETER_END_USER_SERVICE_DENIED",
        "The credit-control server denies the service (RFC 4006).",
    ),
    (
        4011,
        "DIAMETER_CREDIT_CONTROL_NOT_APPLICABLE",
        "The service can be granted without credit control (RFC 4006).",
    ),
    (
        4012,
        "DIAMETER_CREDIT_LIMIT_REACHED",
        "The end user's account has not enough credit (RFC 4006).",
    ),
    (
        5001,
        "DIAMETER_AVP_UNSUPPORTED",
        "An AVP with the M bit is not supported.",
    ),
    (
        5002,
        "DIAMETER_UNKNOWN_SESSION_ID",
        "The Session-Id is unknown.",
    ),
    (
        5003,
        "DIAMETER_AUTHORIZATION_REJECTED",
        "The user is not authorized.",
    ),
    (
        5004,
        "DIAMETER_INVALID_AVP_VALUE",
        "An AVP has an invalid value.",
    ),
    (5005, "DIAMETER_MISSING_AVP", "A required AVP is missing."),
    (5006, "DIAMETER_RESOURCES_EXCEEDED", "Resources exceeded."),
    (
        5007,
        "DIAMETER_CONTRADICTING_AVPS",
        "AVPs contradict each other.",
    ),
    (
        5008,
        "DIAMETER_AVP_NOT_ALLOWED",
        "An AVP that must not be present is present.",
    ),
    (
        5009,
        "DIAMETER_AVP_OCCURS_TOO_MANY_TIMES",
        "An AVP occurs more often than allowed.",
    ),
    (
        5010,
        "DIAMETER_NO_COMMON_APPLICATION",
        "No common application with the peer.",
    ),
    (
        5011,
        "DIAMETER_UNSUPPORTED_VERSION",
        "The protocol version is not supported.",
    ),
    (
        5012,
        "DIAMETER_UNABLE_TO_COMPLY",
        "The request could not be processed.",
    ),
    (
        5013,
        "DIAMETER_INVALID_BIT_IN_HEADER",
        "A reserved header bit is set.",
    ),
    (
        5014,
        "DIAMETER_INVALID_AVP_LENGTH",
        "An AVP has an invalid length.",
    ),
    (
        5015,
        "DIAMETER_INVALID_MESSAGE_LENGTH",
        "The message length is invalid.",
    ),
    (
        5016,
        "DIAMETER_INVALID_AVP_BIT_COMBO",
        "An AVP's flag bits contradict its definition.",
    ),
    (
        5017,
        "DIAMETER_NO_COMMON_SECURITY",
        "No common security mechanism.",
    ),
    (
        5030,
        "DIAMETER_USER_UNKNOWN",
        "The end user is unknown (RFC 4006).",
    ),
    (
        5031,
        "DIAMETER_RATING_FAILED",
        "The request cannot be rated (RFC 4006).",
    ),
];
