//! The dynamic message: a header and an ordered tree of AVPs, decoded on demand.
//!
//! Decoding copies nothing: every AVP keeps a slice of the received buffer, and
//! re-encoding an untouched message gives back the same bytes, unknown AVPs, flags and
//! order included. Values are decoded only when asked for, through the dictionary.
//!
//! ```
//! use bytes::Bytes;
//! use diameter_runtime::message::Message;
//!
//! let cea = Message::new(257, 0, 0);
//! let bytes = cea.encode();
//! assert_eq!(Message::decode(bytes.clone()).unwrap().encode(), bytes);
//! ```

mod avp;
mod dump;
mod json;
mod path;
mod validate;

pub use avp::{Avp, Children, Payload};
pub use dump::{dump, python_vendor_name};
pub use json::{from_json, to_json, JsonError};
pub use path::{Path, PathError};
pub use validate::{validate, Validator};

use bytes::{Bytes, BytesMut};

use crate::wire::{
    decode_avps, decode_frame, CommandFlags, DecodeError, Header, Limits, HEADER_LEN,
};

/// A Diameter message: the header and the top-level AVPs in wire order.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub header: Header,
    pub avps: Vec<Avp>,
}

impl Message {
    /// An empty message; `flags` is the command flags byte (`CommandFlags::REQUEST`, ...).
    pub fn new(command_code: u32, application_id: u32, flags: u8) -> Self {
        Message {
            header: Header {
                version: 1,
                length: HEADER_LEN as u32,
                flags: CommandFlags(flags),
                command_code,
                application_id,
                hop_by_hop: 0,
                end_to_end: 0,
            },
            avps: Vec::new(),
        }
    }

    /// Decode one complete message with the default [`Limits`].
    pub fn decode(buf: Bytes) -> Result<Message, DecodeError> {
        Self::decode_with(buf, &Limits::default())
    }

    /// Decode one complete message: the header and the top-level AVP headers are checked;
    /// AVP values and grouped contents are decoded when read (see [`validate`] for a full check).
    pub fn decode_with(buf: Bytes, limits: &Limits) -> Result<Message, DecodeError> {
        let (header, body) = decode_frame(buf, limits)?;
        let mut avps = Vec::with_capacity(16);
        for raw in decode_avps(&body) {
            let raw = raw.map_err(|e| e.offset_by(HEADER_LEN))?;
            avps.push(Avp::from(raw));
        }
        Ok(Message { header, avps })
    }

    /// Whether the R bit is set.
    pub fn is_request(&self) -> bool {
        self.header.flags.is_request()
    }

    /// Append an AVP.
    pub fn push(&mut self, avp: Avp) -> &mut Self {
        self.avps.push(avp);
        self
    }

    /// The encoded size in bytes.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.avps.iter().map(Avp::encoded_len).sum::<usize>()
    }

    /// Encode into a new buffer; the header's length field is computed.
    pub fn encode(&self) -> Bytes {
        let len = self.encoded_len();
        let mut out = BytesMut::with_capacity(len);
        self.encode_into(len, &mut out);
        out.freeze()
    }

    /// Encode, appending to `out`.
    pub fn encode_to(&self, out: &mut BytesMut) {
        let len = self.encoded_len();
        out.reserve(len);
        self.encode_into(len, out);
    }

    fn encode_into(&self, len: usize, out: &mut BytesMut) {
        let header = Header {
            length: len as u32,
            ..self.header
        };
        header.encode(out);
        for avp in &self.avps {
            avp.encode(out);
        }
    }

    /// The first AVP at `path`.
    pub fn get(&self, path: &Path) -> Option<Avp> {
        path.first(&self.avps)
    }

    /// Every AVP at `path`, in message order (all instances of repeated AVPs on the way).
    pub fn get_all(&self, path: &Path) -> Vec<Avp> {
        path.all(&self.avps)
    }
}
