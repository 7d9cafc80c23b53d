//! The RFC 6733 Result-Code values the stack produces itself.

/// Request delivered and processed successfully.
pub const DIAMETER_SUCCESS: u32 = 2001;
/// The request contained a Command-Code that the receiver did not recognize or support.
pub const DIAMETER_COMMAND_UNSUPPORTED: u32 = 3001;
/// The request could not be delivered.
pub const DIAMETER_UNABLE_TO_DELIVER: u32 = 3002;
/// The intended realm of the request is not recognized.
pub const DIAMETER_REALM_NOT_SERVED: u32 = 3003;
/// The server is too busy.
pub const DIAMETER_TOO_BUSY: u32 = 3004;
/// The application is not supported.
pub const DIAMETER_APPLICATION_UNSUPPORTED: u32 = 3007;
/// A request was received whose bits in the Diameter header were set to an invalid combination.
pub const DIAMETER_INVALID_HDR_BITS: u32 = 3008;
/// A request was received that included an AVP whose flag bits are set to an unrecognized value.
pub const DIAMETER_INVALID_AVP_BITS: u32 = 3009;
/// A CER was received from an unknown peer.
pub const DIAMETER_UNKNOWN_PEER: u32 = 3010;
/// An AVP marked with the M bit was not recognized.
pub const DIAMETER_AVP_UNSUPPORTED: u32 = 5001;
/// The request contained an AVP with an invalid value in its data portion.
pub const DIAMETER_INVALID_AVP_VALUE: u32 = 5004;
/// A required AVP is missing.
pub const DIAMETER_MISSING_AVP: u32 = 5005;
/// An AVP the message must not carry is there (RFC 6733 §7.1.5).
pub const DIAMETER_AVP_NOT_ALLOWED: u32 = 5008;
/// An AVP that is allowed only once appeared more often.
pub const DIAMETER_AVP_OCCURS_TOO_MANY_TIMES: u32 = 5009;
/// No common application with the peer.
pub const DIAMETER_NO_COMMON_APPLICATION: u32 = 5010;
/// The protocol version is not supported.
pub const DIAMETER_UNSUPPORTED_VERSION: u32 = 5011;
/// The request could not be processed.
pub const DIAMETER_UNABLE_TO_COMPLY: u32 = 5012;
/// An AVP had an invalid length.
pub const DIAMETER_INVALID_AVP_LENGTH: u32 = 5014;
/// The message length is not a multiple of 4 or does not match the bytes received.
pub const DIAMETER_INVALID_MESSAGE_LENGTH: u32 = 5015;
