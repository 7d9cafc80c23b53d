//! Errors of typed message decoding.

use crate::wire::result_code::DIAMETER_COMMAND_UNSUPPORTED;
use crate::wire::DecodeError;

/// Why bytes or a dynamic message could not be read as a given typed command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The bytes are not a valid message of this command (grammar included).
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The message is another command, or the answer where the request was expected
    /// (or the other way round).
    #[error("expected {expected}, got command {command_code} ({})", if *.request { "request" } else { "answer" })]
    WrongCommand {
        /// The typed command asked for.
        expected: &'static str,
        /// The command code found.
        command_code: u32,
        /// Whether the R bit was set.
        request: bool,
    },
}

impl MessageError {
    /// The Result-Code an answer to the message must carry.
    pub fn result_code(&self) -> u32 {
        match self {
            MessageError::Decode(e) => e.result_code,
            MessageError::WrongCommand { .. } => DIAMETER_COMMAND_UNSUPPORTED,
        }
    }

    /// The decode error, when the message was of the right command.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match self {
            MessageError::Decode(e) => Some(e),
            MessageError::WrongCommand { .. } => None,
        }
    }
}
