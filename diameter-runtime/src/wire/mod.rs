//! Bytes <-> Diameter header and AVPs, and the RFC 6733 data types.
//!
//! API CONTRACT: the items below are relied upon by `message` and the tools.
//! - `header`: `Header`, `CommandFlags`, `HEADER_LEN`, `Header::decode(&[u8]) -> Result<Header, DecodeError>`,
//!   `Header::encode(&self, &mut BytesMut)`.
//! - `avp`: `AvpFlags`, `RawAvp { code, flags, vendor_id, data: Bytes }`, `RawAvp::encode`,
//!   `RawAvp::encoded_len` (padded), `AvpIter` over a `Bytes` body (`decode_avps`), `padded(len)`.
//! - `frame`: `Limits`, `frame_length(&[u8], &Limits)`, `decode_frame(Bytes, &Limits) -> (Header, Bytes)`,
//!   `check_frame(&[u8], &Limits) -> Header`.
//! - `value`: `Value` (one variant per data type), `Value::decode(DataType, &Bytes)`, `Value::encode`,
//!   `Value::encoded_len`.
//! - `address`, `time`, `uri`, `filter_rule`: the structured data types.
//! - `error`: `DecodeError` carrying the Result-Code and the offending AVP bytes.

pub mod address;
pub mod avp;
pub mod error;
pub mod filter_rule;
pub mod frame;
pub mod header;
pub mod result_code;
pub mod text_check;
pub mod time;
pub mod uri;
pub mod value;
pub mod walk;

pub use address::Address;
pub use avp::{decode_avps, padded, AvpFlags, AvpHeader, AvpIter, RawAvp};
pub use error::{DecodeError, DecodeErrorKind};
pub use frame::{check_frame, decode_frame, frame_length, Limits};
pub use header::{CommandFlags, Header, HEADER_LEN};
pub use time::Time;
pub use uri::DiameterUri;
pub use value::{Value, ValueError};
pub use walk::{AvpRef, Walk};
