//! One AVP of a dynamic message: wire header fields and a payload kept raw or as children.

use bytes::{Bytes, BytesMut};
use diameter_dict::{AvpDef, DataType};

use crate::wire::avp::put_padding;
use crate::wire::value::ValueError;
use crate::wire::{decode_avps, AvpFlags, AvpIter, DecodeError, RawAvp, Value};

/// The payload of an AVP.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// The data as received or encoded: decoded on demand.
    Raw(Bytes),
    /// Grouped children built in code (or edited after decoding).
    Group(Vec<Avp>),
}

/// An AVP: code, flags, vendor and payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Avp {
    pub code: u32,
    pub flags: AvpFlags,
    /// Vendor-Id; 0 without the V bit.
    pub vendor_id: u32,
    pub payload: Payload,
}

impl From<RawAvp> for Avp {
    fn from(raw: RawAvp) -> Self {
        Avp {
            code: raw.code,
            flags: raw.flags,
            vendor_id: raw.vendor_id,
            payload: Payload::Raw(raw.data),
        }
    }
}

impl Avp {
    /// An AVP holding `value`, with flags V (if vendor-specific) and M as given.
    pub fn new(code: u32, vendor_id: u32, mandatory: bool, value: &Value) -> Self {
        let mut data = BytesMut::with_capacity(value.encoded_len());
        value.encode(&mut data);
        Avp::from(RawAvp::new(code, vendor_id, mandatory, data.freeze()))
    }

    /// An AVP defined by `def`, with its default flags.
    pub fn with_def(def: &AvpDef, value: &Value) -> Self {
        Avp::new(def.code, def.vendor_id, def.flags.must.m, value)
    }

    /// A grouped AVP defined by `def`, holding `children`.
    pub fn group(def: &AvpDef, children: Vec<Avp>) -> Self {
        let raw = RawAvp::new(def.code, def.vendor_id, def.flags.must.m, Bytes::new());
        Avp {
            code: raw.code,
            flags: raw.flags,
            vendor_id: raw.vendor_id,
            payload: Payload::Group(children),
        }
    }

    /// Whether the AVP is `(code, vendor_id)`.
    pub fn is(&self, code: u32, vendor_id: u32) -> bool {
        self.code == code && self.vendor_id == vendor_id
    }

    fn header_len(&self) -> usize {
        if self.flags.is_vendor() {
            12
        } else {
            8
        }
    }

    /// Payload length, without padding.
    pub fn data_len(&self) -> usize {
        match &self.payload {
            Payload::Raw(data) => data.len(),
            Payload::Group(children) => children.iter().map(Avp::encoded_len).sum(),
        }
    }

    /// The AVP Length field: header plus unpadded payload.
    pub fn length(&self) -> usize {
        self.header_len() + self.data_len()
    }

    /// Bytes taken on the wire, padding included.
    pub fn encoded_len(&self) -> usize {
        crate::wire::padded(self.length())
    }

    /// Write the AVP, padding included.
    pub fn encode(&self, out: &mut BytesMut) {
        let data_len = self.data_len();
        RawAvp::encode_header(self.code, self.flags, self.vendor_id, data_len, out);
        match &self.payload {
            Payload::Raw(data) => out.extend_from_slice(data),
            Payload::Group(children) => children.iter().for_each(|c| c.encode(out)),
        }
        put_padding(data_len, out);
    }

    /// The payload bytes (children encoded, for a built group).
    pub fn data(&self) -> Bytes {
        match &self.payload {
            Payload::Raw(data) => data.clone(),
            Payload::Group(children) => {
                let mut out = BytesMut::with_capacity(self.data_len());
                children.iter().for_each(|c| c.encode(&mut out));
                out.freeze()
            }
        }
    }

    /// Decode the payload as `data_type`.
    pub fn value(&self, data_type: DataType) -> Result<Value, ValueError> {
        Value::decode(data_type, &self.data())
    }

    /// The children of a grouped AVP, decoded one by one from the payload.
    pub fn children(&self) -> Children<'_> {
        match &self.payload {
            Payload::Raw(data) => Children::Raw(decode_avps(data)),
            Payload::Group(children) => Children::Built(children.iter()),
        }
    }
}

/// Iterator over the children of a grouped AVP.
#[derive(Debug, Clone)]
pub enum Children<'a> {
    /// Decoding from received bytes.
    Raw(AvpIter),
    /// Walking children built in code.
    Built(std::slice::Iter<'a, Avp>),
}

impl Iterator for Children<'_> {
    type Item = Result<Avp, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Children::Raw(iter) => iter.next().map(|r| r.map(Avp::from)),
            Children::Built(iter) => iter.next().map(|a| Ok(a.clone())),
        }
    }
}
