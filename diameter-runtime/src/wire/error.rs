//! Decode errors that know which Result-Code the answer must carry.

use bytes::Bytes;

use super::result_code::*;

/// What went wrong while decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeErrorKind {
    #[error("message shorter than the 20-byte header ({0} bytes)")]
    ShortHeader(usize),
    #[error("unsupported protocol version {0}")]
    Version(u8),
    #[error("message length {0} is not a multiple of 4 or is below 20")]
    MessageLength(u32),
    #[error("message length {length} exceeds the limit of {limit} bytes")]
    TooLarge { length: u32, limit: usize },
    #[error("message length {declared} does not match the {actual} bytes available")]
    LengthMismatch { declared: u32, actual: usize },
    #[error("invalid header flags 0x{0:02x}")]
    HeaderBits(u8),
    #[error("invalid AVP flags 0x{flags:02x} on AVP {code}")]
    AvpBits { code: u32, flags: u8 },
    #[error("AVP {code} has invalid length {length}")]
    AvpLength { code: u32, length: u32 },
    #[error("AVP {code}: invalid value: {reason}")]
    AvpValue { code: u32, reason: String },
    #[error("grouped AVPs nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("AVP {code} (vendor {vendor_id}) has the M bit but is not understood")]
    UnsupportedAvp { code: u32, vendor_id: u32 },
    #[error("required AVP `{name}` is missing")]
    MissingAvp { name: String },
    #[error("AVP `{name}` is not allowed here")]
    AvpNotAllowed { name: String },
    #[error("AVP `{name}` occurs {count} times, at most {max} allowed")]
    TooManyAvps {
        name: String,
        count: usize,
        max: u32,
    },
}

/// A decode failure: the reason, the RFC 6733 Result-Code for the answer, where it happened,
/// and the offending AVP as found on the wire (for Failed-AVP).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (Result-Code {result_code}, at byte {offset})")]
pub struct DecodeError {
    pub kind: DecodeErrorKind,
    /// The Result-Code an answer to this message must carry.
    pub result_code: u32,
    /// Byte offset of the problem, from the start of the buffer given to the decoder.
    pub offset: usize,
    /// The offending AVP's bytes (header and whatever data was there), when an AVP is at fault.
    pub failed_avp: Option<Bytes>,
}

impl DecodeError {
    /// Build an error with the Result-Code that RFC 6733 assigns to `kind`.
    pub fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        let result_code = match &kind {
            DecodeErrorKind::ShortHeader(_)
            | DecodeErrorKind::MessageLength(_)
            | DecodeErrorKind::TooLarge { .. }
            | DecodeErrorKind::LengthMismatch { .. } => DIAMETER_INVALID_MESSAGE_LENGTH,
            DecodeErrorKind::Version(_) => DIAMETER_UNSUPPORTED_VERSION,
            DecodeErrorKind::HeaderBits(_) => DIAMETER_INVALID_HDR_BITS,
            DecodeErrorKind::AvpBits { .. } => DIAMETER_INVALID_AVP_BITS,
            DecodeErrorKind::AvpLength { .. } => DIAMETER_INVALID_AVP_LENGTH,
            DecodeErrorKind::AvpValue { .. } | DecodeErrorKind::TooDeep(_) => {
                DIAMETER_INVALID_AVP_VALUE
            }
            DecodeErrorKind::UnsupportedAvp { .. } => DIAMETER_AVP_UNSUPPORTED,
            DecodeErrorKind::MissingAvp { .. } => DIAMETER_MISSING_AVP,
            DecodeErrorKind::AvpNotAllowed { .. } => DIAMETER_AVP_NOT_ALLOWED,
            DecodeErrorKind::TooManyAvps { .. } => DIAMETER_AVP_OCCURS_TOO_MANY_TIMES,
        };
        DecodeError {
            kind,
            result_code,
            offset,
            failed_avp: None,
        }
    }

    /// Attach the offending AVP's bytes.
    pub fn with_avp(mut self, avp: Bytes) -> Self {
        self.failed_avp = Some(avp);
        self
    }

    /// Shift the offset by `base` (when the error came from a nested buffer).
    pub fn offset_by(mut self, base: usize) -> Self {
        self.offset += base;
        self
    }
}
