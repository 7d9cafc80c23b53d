//! Typed messages: the traits that `#[derive(Grouped)]`, `#[derive(Command)]` and
//! `#[derive(Enumerated)]` (crate `diameter-derive`) implement, and the helpers their code calls.
//!
//! A typed message is a plain struct with one field per AVP of the command's grammar:
//! a required single AVP is `T`, an optional one `Option<T>`, a repeated one `Vec<T>`.
//! Grouped AVPs are structs of the same kind, enumerated AVPs Rust enums that keep unknown
//! values. AVPs that no field is for are kept, in order, in a `Vec<Avp>` field and encoded
//! again after the known ones; the flags of received AVPs that differ from the dictionary's
//! are kept in a [`FlagOverrides`] field, so that decoding and encoding again gives the same
//! bytes.
//!
//! The codec is the `wire` layer's: AVP headers are written by [`RawAvp::encode_header`],
//! payloads are read through [`Value::decode`](crate::wire::Value::decode), and every error is
//! a [`DecodeError`] with the Result-Code an answer must carry and the AVP for Failed-AVP.
//!
//! Encoding is one pass: the length of each AVP is computed from its fields, then every byte
//! is written once into one buffer.

mod context;
mod data;
mod error;
mod flags;
mod identity;
mod text;
mod utf8_string;

#[doc(hidden)]
pub mod codec;

use bytes::{Bytes, BytesMut};

pub use crate::wire::AvpRef;
pub use context::DecodeContext;
pub use error::MessageError;
pub use flags::FlagOverrides;
pub use identity::Identity;
pub use utf8_string::Utf8String;

#[doc(hidden)]
pub use bytes as __bytes;

use crate::message::Avp;
use crate::message::{Message, Path};
use crate::wire::{decode_frame, CommandFlags, DecodeError, Header, Limits, RawAvp, HEADER_LEN};

/// A Rust type that is the payload of an AVP: integers, [`Utf8String`] (or `String`),
/// [`Identity`], `Bytes`,
/// the `wire` types ([`Address`](crate::wire::Address), [`Time`](crate::wire::Time), ...),
/// enumerations and grouped structs.
pub trait AvpData: Sized {
    /// Length of the payload, without the AVP header and without padding.
    fn data_len(&self) -> usize;

    /// Write the payload (no header, no padding).
    fn encode_data(&self, out: &mut BytesMut);

    /// Read the payload of `avp`. Errors name `avp` (Result-Code 5004 for a bad value, or
    /// the error of a grouped member).
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError>;
}

/// The definition of an AVP as a typed field or grouped struct uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvpInfo {
    /// The AVP name, for error messages.
    pub name: &'static str,
    /// The AVP code.
    pub code: u32,
    /// The Vendor-Id; 0 for IETF AVPs.
    pub vendor_id: u32,
    /// The flags an encoder sets: V when `vendor_id` is not 0, M when the dictionary says so.
    pub flags: u8,
    /// Fewest occurrences allowed (1 for a required AVP).
    pub min: u32,
    /// Most occurrences allowed; `None` for unbounded.
    pub max: Option<u32>,
}

impl AvpInfo {
    /// A definition with the flags an encoder sets by default and no occurrence bounds.
    pub const fn new(name: &'static str, code: u32, vendor_id: u32, mandatory: bool) -> AvpInfo {
        let mut flags = 0;
        if vendor_id != 0 {
            flags |= crate::wire::AvpFlags::VENDOR;
        }
        if mandatory {
            flags |= crate::wire::AvpFlags::MANDATORY;
        }
        AvpInfo {
            name,
            code,
            vendor_id,
            flags,
            min: 0,
            max: None,
        }
    }

    /// The same definition with occurrence bounds.
    pub const fn occurs(mut self, min: u32, max: Option<u32>) -> AvpInfo {
        self.min = min;
        self.max = max;
        self
    }
}

/// A sequence of AVPs with a grammar: the body of a grouped AVP or of a command.
pub trait AvpSet: Sized {
    /// Encoded length of all AVPs, padding included.
    fn avps_len(&self) -> usize;

    /// Write every AVP: the fields in declaration order, then the kept unknown AVPs.
    fn encode_avps(&self, out: &mut BytesMut);

    /// Read the AVPs of `body` and check the grammar: a missing required AVP is 5005
    /// (Failed-AVP: an empty AVP with its code), too many of one is 5009 (Failed-AVP: the
    /// first extra one), an unknown AVP with the M bit is 5001 unless the grammar has
    /// `*[ AVP ]`.
    fn decode_avps(body: &Bytes, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        Self::decode_avps_in(body, 0..body.len(), ctx)
    }

    /// [`AvpSet::decode_avps`] for the AVPs in `buf[range]` (a grouped AVP's payload).
    fn decode_avps_in(
        buf: &Bytes,
        range: std::ops::Range<usize>,
        ctx: &mut DecodeContext,
    ) -> Result<Self, DecodeError>;
}

/// A grouped AVP as a struct (`#[derive(Grouped)]`).
pub trait Grouped: AvpSet + AvpData {
    /// The grouped AVP's own definition.
    const AVP: AvpInfo;

    /// The grouped AVP with its default flags, as a dynamic [`Avp`].
    fn to_avp(&self) -> Avp {
        let mut out = BytesMut::with_capacity(self.avps_len());
        self.encode_avps(&mut out);
        Avp::from(RawAvp {
            code: Self::AVP.code,
            flags: crate::wire::AvpFlags(Self::AVP.flags),
            vendor_id: Self::AVP.vendor_id,
            data: out.freeze(),
        })
    }

    /// Read a dynamic grouped AVP's members (whatever its code) with this grammar.
    fn from_avp(avp: &Avp) -> Result<Self, DecodeError> {
        let data = avp.data();
        Self::decode_avps(&data, &mut DecodeContext::new(&Limits::default()))
    }
}

/// An enumerated AVP as a Rust enum (`#[derive(Enumerated)]`): named values plus a variant
/// that keeps any other value.
pub trait Enumerated: AvpData + Copy {
    /// The enumeration for a wire value (unknown values are kept).
    fn from_value(value: i32) -> Self;
    /// The wire value.
    fn value(self) -> i32;
}

/// A command request or answer as a struct (`#[derive(Command)]`).
pub trait Command: AvpSet {
    /// The command code.
    const CODE: u32;
    /// The Application-Id of the command.
    const APPLICATION_ID: u32;
    /// Whether this is the request (R bit set) or the answer.
    const REQUEST: bool;
    /// Whether the P bit is set by default.
    const PROXIABLE: bool;
    /// The command name (`Credit-Control-Request`).
    const NAME: &'static str;

    /// The header kept with the message (identifiers, flags).
    fn header(&self) -> &Header;

    /// The header kept with the message, to change identifiers or flags.
    fn header_mut(&mut self) -> &mut Header;

    /// The header of a new message: code, application, R and P flags, zero identifiers.
    fn default_header() -> Header {
        let mut flags = CommandFlags(0);
        flags.set(CommandFlags::REQUEST, Self::REQUEST);
        flags.set(CommandFlags::PROXIABLE, Self::PROXIABLE);
        Header {
            version: 1,
            length: HEADER_LEN as u32,
            flags,
            command_code: Self::CODE,
            application_id: Self::APPLICATION_ID,
            hop_by_hop: 0,
            end_to_end: 0,
        }
    }

    /// Encoded length of the whole message.
    fn encoded_len(&self) -> usize {
        HEADER_LEN + self.avps_len()
    }

    /// Encode the message: the kept header (with the length computed) and the AVPs, into a
    /// buffer of exactly the encoded length.
    fn encode(&self) -> Bytes {
        let len = self.encoded_len();
        let mut out = BytesMut::with_capacity(len);
        write_message(self, len, &mut out);
        out.freeze()
    }

    /// Encode the message, appending to `out`.
    fn encode_to(&self, out: &mut BytesMut) {
        let len = self.encoded_len();
        out.reserve(len);
        write_message(self, len, out);
    }

    /// Decode one complete message with the default [`Limits`].
    fn decode(buf: Bytes) -> Result<Self, MessageError> {
        Self::decode_with(buf, &Limits::default())
    }

    /// Decode one complete message: the header is checked as the dynamic decoder checks it,
    /// then the command code and R bit must be this command's, then the AVPs are read
    /// and checked against the grammar.
    fn decode_with(buf: Bytes, limits: &Limits) -> Result<Self, MessageError> {
        let (header, body) = decode_frame(buf, limits)?;
        if header.command_code != Self::CODE || header.flags.is_request() != Self::REQUEST {
            return Err(MessageError::WrongCommand {
                expected: Self::NAME,
                command_code: header.command_code,
                request: header.flags.is_request(),
            });
        }
        let ctx = DecodeContext::new(limits);
        let mut msg = Self::decode_avps(&body, &mut ctx.at(HEADER_LEN))?;
        *msg.header_mut() = header;
        Ok(msg)
    }

    /// The dynamic view of the message (same bytes; AVP payloads are shared, not copied).
    fn to_message(&self) -> Message {
        Message::decode(self.encode()).expect("an encoded typed message decodes")
    }

    /// Read a typed message from a dynamic one.
    fn from_message(msg: &Message) -> Result<Self, MessageError> {
        Self::decode(msg.encode())
    }

    /// The first AVP at `path` (compiled with [`Path::compile`]), through the dynamic view.
    fn get(&self, path: &Path) -> Option<Avp> {
        self.to_message().get(path)
    }
}

/// Write `msg`, whose encoded length is `len`: the header, then the AVPs.
fn write_message<C: Command>(msg: &C, len: usize, out: &mut BytesMut) {
    let header = Header {
        length: len as u32,
        ..*msg.header()
    };
    header.encode(out);
    msg.encode_avps(out);
}
