//! A Diameter (RFC 6733) stack.
//!
//! - [`dict`]: dictionaries in the go-diameter / CGRateS XML format, with the shipped
//!   IETF and 3GPP set ([`dict::Dictionary::shipped`]).
//! - [`wire`]: the codec for headers, AVPs and every RFC 6733 data type.
//! - [`message`]: dynamic messages read and built through a dictionary, the
//!   python-diameter style dump and a JSON form.
//!
//! ```
//! use diameter::dict::Dictionary;
//! use diameter::message::{Message, Path};
//!
//! let dict = Dictionary::shipped().unwrap();
//! let bytes = diameter::hex::decode(include_str!("../tests/data/seed_ccr.hex")).unwrap();
//! let ccr = Message::decode(bytes.into()).unwrap();
//! let path = Path::compile(&dict, 4, "Subscription-Id.Subscription-Id-Data").unwrap();
//! let msisdn = ccr.get(&path).unwrap().value(path.data_type()).unwrap();
//! assert_eq!(msisdn.as_str(), Some("41780000001"));
//! ```

pub use diameter_dict as dict;
pub use diameter_runtime::{hex, message, wire};
