//! The AVPs of a list being checked (a message's, a grouped AVP's), whether built in code
//! or read in place from a received payload, without copying them out.

use std::ops::Range;

use bytes::Bytes;
use diameter_dict::DataType;

use super::value_check::check_value;
use crate::message::avp::{Avp, Payload};
use crate::wire::value::ValueError;
use crate::wire::{AvpFlags, AvpRef, DecodeError, Walk};

/// One AVP of a list.
#[derive(Debug, Clone, Copy)]
pub(super) enum Item<'a> {
    /// An AVP of a message or of a group built in code.
    Built(&'a Avp),
    /// An AVP read in place from a received payload.
    Read(AvpRef<'a>),
}

impl<'a> Item<'a> {
    pub(super) fn code(&self) -> u32 {
        match self {
            Item::Built(avp) => avp.code,
            Item::Read(avp) => avp.code,
        }
    }

    pub(super) fn vendor_id(&self) -> u32 {
        match self {
            Item::Built(avp) => avp.vendor_id,
            Item::Read(avp) => avp.vendor_id,
        }
    }

    pub(super) fn flags(&self) -> AvpFlags {
        match self {
            Item::Built(avp) => avp.flags,
            Item::Read(avp) => avp.flags,
        }
    }

    /// Check the payload as a value of `data_type`, with the decoder's error.
    pub(super) fn check_value(&self, data_type: DataType) -> Result<(), ValueError> {
        match self {
            Item::Read(avp) => check_value(data_type, avp.data(), || avp.bytes()),
            Item::Built(avp) => match &avp.payload {
                Payload::Raw(data) => check_value(data_type, data, || data.clone()),
                Payload::Group(_) => {
                    let data = avp.data();
                    check_value(data_type, &data, || data.clone())
                }
            },
        }
    }

    /// The members of a grouped AVP.
    pub(super) fn members(&self) -> Members<'a> {
        match *self {
            Item::Built(avp) => match &avp.payload {
                Payload::Raw(data) => Members::Read {
                    buf: data,
                    range: 0..data.len(),
                },
                Payload::Group(children) => Members::Built(children),
            },
            Item::Read(avp) => {
                let (buf, range) = avp.data_range();
                Members::Read { buf, range }
            }
        }
    }

    /// The AVP as it goes on the wire (header, data, zero padding), for Failed-AVP.
    pub(super) fn whole(&self) -> Bytes {
        match self {
            Item::Built(avp) => super::whole(avp),
            Item::Read(avp) => super::whole(&Avp::from(avp.to_raw())),
        }
    }
}

/// A list of AVPs, to walk as many times as needed.
#[derive(Debug, Clone)]
pub(super) enum Members<'a> {
    Built(&'a [Avp]),
    /// The AVPs in `buf[range]`.
    Read {
        buf: &'a Bytes,
        range: Range<usize>,
    },
}

impl<'a> Members<'a> {
    /// The AVPs of a message.
    pub(super) fn built(avps: &'a [Avp]) -> Members<'a> {
        Members::Built(avps)
    }

    /// The AVPs in order; the walk of a received payload stops at its first malformed
    /// AVP, and [`MembersIter::malformed`] gives the error.
    pub(super) fn iter(&self) -> MembersIter<'a> {
        let inner = match self {
            Members::Built(avps) => Inner::Built(avps.iter()),
            Members::Read { buf, range } => Inner::Read {
                walk: Walk::new(buf, range.clone()),
                base: range.start,
            },
        };
        MembersIter {
            inner,
            malformed: None,
        }
    }
}

/// Iterator over [`Members`].
pub(super) struct MembersIter<'a> {
    inner: Inner<'a>,
    /// Where the walk stopped: the first malformed AVP, with its offset from the start of
    /// the payload.
    malformed: Option<DecodeError>,
}

enum Inner<'a> {
    Built(std::slice::Iter<'a, Avp>),
    Read { walk: Walk<'a>, base: usize },
}

impl MembersIter<'_> {
    /// The malformed AVP the walk stopped at, if it did.
    pub(super) fn malformed(&mut self) -> Option<DecodeError> {
        self.malformed.take()
    }

    /// Walk to the end: the malformed AVP further on, if there is one.
    pub(super) fn find_malformed(&mut self) -> Option<DecodeError> {
        self.by_ref().for_each(drop);
        self.malformed()
    }
}

impl<'a> Iterator for MembersIter<'a> {
    type Item = Item<'a>;

    #[inline]
    fn next(&mut self) -> Option<Item<'a>> {
        match &mut self.inner {
            Inner::Built(avps) => avps.next().map(Item::Built),
            Inner::Read { walk, base } => match walk.next()? {
                Ok(avp) => Some(Item::Read(avp)),
                Err(mut e) => {
                    e.offset -= *base;
                    self.malformed = Some(e);
                    None
                }
            },
        }
    }
}
