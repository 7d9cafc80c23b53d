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
use crate::wire::{check_frame, CommandFlags, DecodeError, Header, Limits, RawAvp, HEADER_LEN};

/// A Rust type that is the payload of an AVP: integers, [`Utf8String`] (or `String`),
/// [`Identity`], `Bytes`,
/// the `wire` types ([`Address`](crate::wire::Address), [`Time`](crate::wire::Time), ...),
/// enumerations and grouped structs.
pub trait AvpData: Sized {
    /// Whether the payload is a sequence of AVPs (a grouped struct), whose length costs a
    /// walk over its members: the encoder then writes the payload first and fills in the
    /// AVP Length after. For any other type it asks [`AvpData::data_len`] first and writes
    /// the header whole.
    const GROUPED: bool = false;

    /// The payload length when every value has the same one (4 for `Unsigned32`, `Time`
    /// and enumerations, 8 for `Unsigned64`, ...): the encoder then takes the payload from
    /// [`AvpData::fixed_data`] and writes the whole AVP in one copy.
    const FIXED_LEN: Option<usize> = None;

    /// Length of the payload, without the AVP header and without padding.
    fn data_len(&self) -> usize;

    /// For a type with a [`AvpData::FIXED_LEN`] (at most 8): the payload, in the first
    /// `FIXED_LEN` bytes.
    #[inline]
    fn fixed_data(&self) -> [u8; 8] {
        [0; 8]
    }

    /// Write the payload (no header, no padding).
    fn encode_data(&self, out: &mut BytesMut);

    /// Read the payload of `avp`. Errors name `avp` (Result-Code 5004 for a bad value, or
    /// the error of a grouped member).
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError>;

    /// [`AvpData::decode_data`] into a `Box` (grouped structs build the value in the box).
    #[inline]
    fn decode_boxed(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Box<Self>, DecodeError> {
        Self::decode_data(avp, ctx).map(Box::new)
    }

    /// [`AvpData::decode_data`], appending the value to `values` (grouped structs build it
    /// in the `Vec`).
    #[inline]
    fn decode_push(
        avp: &AvpRef<'_>,
        ctx: &mut DecodeContext,
        values: &mut Vec<Self>,
    ) -> Result<(), DecodeError> {
        values.push(Self::decode_data(avp, ctx)?);
        Ok(())
    }
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
    ) -> Result<Self, DecodeError> {
        Self::decode_avps_then(buf, range, ctx, |value| value)
    }

    /// [`AvpSet::decode_avps_in`], handing the value to `finish` (which boxes it, appends
    /// it to a `Vec`, sets a header, ...) and giving its result, with errors as `E`. The
    /// struct is then built where `finish` puts it, not built and moved there.
    fn decode_avps_then<R, E: From<DecodeError>>(
        buf: &Bytes,
        range: std::ops::Range<usize>,
        ctx: &mut DecodeContext,
        finish: impl FnOnce(Self) -> R,
    ) -> Result<R, E>;
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

    /// Encode the message: the kept header (with the length computed) and the AVPs.
    ///
    /// One pass: each AVP's length, and the message's, is filled in once its contents are
    /// written. The buffer starts at the length the message was received with (a decoded
    /// message: then, unchanged, it is exactly filled and becomes the `Bytes` without
    /// another allocation) or at [`ENCODE_CAPACITY`] bytes (a built one), and grows if
    /// needed.
    fn encode(&self) -> Bytes {
        let received = self.header().length as usize;
        let capacity = if received > HEADER_LEN {
            received
        } else {
            ENCODE_CAPACITY
        };
        let mut out = BytesMut::with_capacity(capacity);
        write_message(self, &mut out);
        out.freeze()
    }

    /// Encode the message, appending to `out`.
    fn encode_to(&self, out: &mut BytesMut) {
        write_message(self, out);
    }

    /// Decode one complete message with the default [`Limits`].
    fn decode(buf: Bytes) -> Result<Self, MessageError> {
        Self::decode_with(buf, &Limits::default())
    }

    /// Decode one complete message: the header is checked as the dynamic decoder checks it,
    /// then the command code and R bit must be this command's, then the AVPs are read
    /// and checked against the grammar.
    fn decode_with(buf: Bytes, limits: &Limits) -> Result<Self, MessageError> {
        let header = check_frame(&buf, limits)?;
        if header.command_code != Self::CODE || header.flags.is_request() != Self::REQUEST {
            return Err(MessageError::WrongCommand {
                expected: Self::NAME,
                command_code: header.command_code,
                request: header.flags.is_request(),
            });
        }
        let mut ctx = DecodeContext::new(limits);
        Self::decode_avps_then(&buf, HEADER_LEN..buf.len(), &mut ctx, |mut msg| {
            *msg.header_mut() = header;
            msg
        })
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

/// The buffer [`Command::encode`] starts with for a message built in code: most commands
/// fit, a larger one grows the buffer.
pub const ENCODE_CAPACITY: usize = 512;

/// Append `msg` to `out`: the header, the AVPs, then the Message Length field.
fn write_message<C: Command>(msg: &C, out: &mut BytesMut) {
    let start = out.len();
    msg.header().encode(out);
    msg.encode_avps(out);
    let len = (out.len() - start) as u32;
    out[start + 1..start + 4].copy_from_slice(&len.to_be_bytes()[1..]);
}
