//! A Diameter (RFC 6733) stack.
//!
//! - [`dict`]: dictionaries in the go-diameter / CGRateS XML format, with the shipped
//!   IETF and 3GPP set ([`dict::Dictionary::shipped`]).
//! - [`wire`]: the codec for headers, AVPs and every RFC 6733 data type.
//! - [`message`]: dynamic messages read and built through a dictionary, the
//!   python-diameter style dump and a JSON form.
//! - [`typed`], [`avps`], [`commands`], [`constants`]: typed messages generated from the
//!   shipped dictionaries at build time ([`dictionary`] is the same set at run time).
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
//!
//! The same with typed messages:
//!
//! ```
//! # #[cfg(feature = "credit-control")] {
//! use diameter::commands::credit_control::CreditControlRequest;
//! use diameter::constants::*;
//! use diameter::typed::Command;
//!
//! let bytes = diameter::hex::decode(include_str!("../tests/data/seed_ccr.hex")).unwrap();
//! let ccr = CreditControlRequest::decode(bytes.into()).unwrap();
//! assert_eq!(ccr.subscription_id[0].subscription_id_data, "41780000001");
//! assert_eq!(ccr.cc_request_type, E_CC_REQUEST_TYPE_EVENT_REQUEST);
//! # }
//! ```
//!
//! Typed commands are generated per interface: the default feature `all-interfaces`
//! generates them all; `default-features = false, features = ["gx"]` generates the base
//! protocol's and Gx's only (and the types they use), which builds several times faster.
//! The run-time [`dictionary`], dumps and dynamic messages know every interface either way.

// Generated code and derives name this crate `::diameter`, here too.
extern crate self as diameter;

pub use bytes;
pub use diameter_dict as dict;
pub use diameter_runtime::{app, hex, message, node, peer, transport, wire};

/// Typed messages: the traits the derives implement, and the derives themselves
/// (`#[derive(Grouped)]`, `#[derive(Command)]`, `#[derive(Enumerated)]`).
pub mod typed {
    pub use diameter_derive::{Command, Enumerated, Grouped};
    pub use diameter_runtime::typed::*;
}

include!(concat!(env!("OUT_DIR"), "/diameter_generated.rs"));
