//! The helpers the derive macros' code calls, one per field kind and step. Not a public API:
//! use the traits of [`crate::typed`].
//!
//! Field kinds: a required single AVP (`T`) and an optional one (`Option<T>`) are collected
//! into an `Option<T>` while decoding; a repeated AVP (`Vec<T>`) into a `Vec<T>`; AVPs no
//! field is for into the `Vec<Avp>` of kept AVPs.

use bytes::BufMut;

pub use super::{
    AvpData, AvpInfo, AvpRef, AvpSet, Command, DecodeContext, Enumerated, FlagOverrides, Grouped,
    MessageError,
};
pub use crate::message::{Avp, Message};
pub use crate::wire::{DecodeError, Header, RawAvp};
pub use bytes::{Bytes, BytesMut};

use crate::wire::{padded, AvpFlags, DecodeErrorKind};

#[inline]
fn header_len(flags: u8) -> usize {
    if flags & AvpFlags::VENDOR != 0 {
        12
    } else {
        8
    }
}

/// Encoded length of one AVP holding `value`, padding included.
#[inline]
pub fn avp_len<T: AvpData>(value: &T, flags: u8) -> usize {
    padded(header_len(flags) + value.data_len())
}

/// Write one AVP holding `value`, padding included. A grouped payload is written first and
/// the AVP Length filled in after, so nested groups are measured once (by the message's
/// length), not again at every level; any other payload is measured first and the header
/// written whole.
///
/// Everything is written in pieces of constant size (whole words, the fixed payload's
/// length), which compile to plain stores: no copy of a length known only at run time
/// but the payload's own bytes.
#[inline]
pub fn put_avp<T: AvpData>(value: &T, info: &AvpInfo, flags: u8, out: &mut BytesMut) {
    if T::GROUPED {
        let start = out.len();
        put_header(info, flags, 0, out);
        value.encode_data(out);
        let len = out.len() - start;
        out[start + 5..start + 8].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
        put_zeros(padded(len) - len, out);
    } else {
        let fixed = T::FIXED_LEN.filter(|n| *n <= 8);
        let len = header_len(flags) + fixed.unwrap_or_else(|| value.data_len());
        out.reserve(padded(len));
        put_header(info, flags, len, out);
        match fixed {
            Some(n) => out.extend_from_slice(&value.fixed_data()[..n]),
            None => value.encode_data(out),
        }
        put_zeros(padded(len) - len, out);
    }
}

/// Write an AVP header with AVP Length `len`: code, flags and length as one word, then the
/// Vendor-Id with the V bit.
#[inline]
fn put_header(info: &AvpInfo, flags: u8, len: usize, out: &mut BytesMut) {
    let word = (u64::from(info.code) << 32) | (u64::from(flags) << 24) | (len as u64 & 0xff_ffff);
    out.put_u64(word);
    if flags & AvpFlags::VENDOR != 0 {
        out.put_u32(info.vendor_id);
    }
}

/// Write `n` (at most 3) zero bytes of padding.
#[inline]
fn put_zeros(n: usize, out: &mut BytesMut) {
    match n {
        0 => {}
        1 => out.extend_from_slice(&[0]),
        2 => out.extend_from_slice(&[0; 2]),
        _ => out.extend_from_slice(&[0; 3]),
    }
}

/// Length of a required single field.
#[inline]
pub fn one_len<T: AvpData>(v: &T, info: &AvpInfo, fo: &FlagOverrides, field: u16) -> usize {
    avp_len(v, fo.get(field, 0, info.flags))
}

/// Length of an optional field.
#[inline]
pub fn opt_len<T: AvpData>(v: &Option<T>, info: &AvpInfo, fo: &FlagOverrides, field: u16) -> usize {
    v.as_ref().map_or(0, |v| one_len(v, info, fo, field))
}

/// Length of a repeated field.
#[inline]
pub fn vec_len<T: AvpData>(v: &[T], info: &AvpInfo, fo: &FlagOverrides, field: u16) -> usize {
    v.iter()
        .enumerate()
        .map(|(i, v)| avp_len(v, fo.get(field, i, info.flags)))
        .sum()
}

/// Length of the kept AVPs.
#[inline]
pub fn extra_len(v: &[Avp]) -> usize {
    v.iter().map(Avp::encoded_len).sum()
}

/// Write a required single field.
#[inline]
pub fn put_one<T: AvpData>(
    v: &T,
    info: &AvpInfo,
    fo: &FlagOverrides,
    field: u16,
    out: &mut BytesMut,
) {
    put_avp(v, info, fo.get(field, 0, info.flags), out);
}

/// Write an optional field.
#[inline]
pub fn put_opt<T: AvpData>(
    v: &Option<T>,
    info: &AvpInfo,
    fo: &FlagOverrides,
    field: u16,
    out: &mut BytesMut,
) {
    if let Some(v) = v {
        put_one(v, info, fo, field, out);
    }
}

/// Write a repeated field.
#[inline]
pub fn put_vec<T: AvpData>(
    v: &[T],
    info: &AvpInfo,
    fo: &FlagOverrides,
    field: u16,
    out: &mut BytesMut,
) {
    for (i, v) in v.iter().enumerate() {
        put_avp(v, info, fo.get(field, i, info.flags), out);
    }
}

/// Write the kept AVPs.
#[inline]
pub fn put_extra(v: &[Avp], out: &mut BytesMut) {
    for avp in v {
        avp.encode(out);
    }
}

/// Read a single AVP into its slot: a second occurrence is 5009 (Failed-AVP: that one).
#[inline]
pub fn take_one<T: AvpData>(
    slot: &mut Option<T>,
    avp: &AvpRef<'_>,
    info: &AvpInfo,
    fo: &mut FlagOverrides,
    field: u16,
    ctx: &mut DecodeContext,
) -> Result<(), DecodeError> {
    if slot.is_some() {
        return Err(too_many(avp, info, 2, 1, ctx));
    }
    fo.record(field, 0, avp.flags.0, info.flags);
    *slot = Some(T::decode_data(avp, ctx)?);
    Ok(())
}

/// Read one occurrence of a repeated AVP: one more than `info.max` is 5009.
#[inline]
pub fn take_vec<T: AvpData>(
    v: &mut Vec<T>,
    avp: &AvpRef<'_>,
    info: &AvpInfo,
    fo: &mut FlagOverrides,
    field: u16,
    ctx: &mut DecodeContext,
) -> Result<(), DecodeError> {
    if let Some(max) = info.max {
        if v.len() >= max as usize {
            return Err(too_many(avp, info, v.len() + 1, max, ctx));
        }
    }
    fo.record(field, v.len(), avp.flags.0, info.flags);
    if v.capacity() == 0 {
        // Most repeated AVPs occur once: room for one (a `Vec` would take four).
        *v = Vec::with_capacity(1);
    }
    T::decode_push(avp, ctx, v)
}

/// Append `value` to `values`, written straight into the `Vec`'s room (with `push`, which
/// grows the `Vec` only when full, the value would be built aside and copied in).
#[inline(always)]
pub fn push_in_place<T>(values: &mut Vec<T>, value: T) {
    values.reserve(1);
    let len = values.len();
    // `reserve(1)` leaves room for one more.
    values.spare_capacity_mut()[0].write(value);
    // SAFETY: the element at `len`, within the capacity, was just initialized.
    unsafe { values.set_len(len + 1) };
}

/// Read the members of grouped AVP `avp` (one level deeper) and hand the value to `finish`.
#[inline]
pub fn decode_group<T: AvpSet, R>(
    avp: &AvpRef<'_>,
    ctx: &mut DecodeContext,
    finish: impl FnOnce(T) -> R,
) -> Result<R, DecodeError> {
    let (buf, range) = avp.data_range();
    ctx.group(avp, |ctx| T::decode_avps_then(buf, range, ctx, finish))
}

/// Keep an AVP no field is for. Without `*[ AVP ]` in the grammar (`wildcard` false), one
/// with the M bit is 5001 (Failed-AVP: that AVP).
#[inline]
pub fn take_extra(
    v: &mut Vec<Avp>,
    avp: &AvpRef<'_>,
    wildcard: bool,
    ctx: &mut DecodeContext,
) -> Result<(), DecodeError> {
    if !wildcard && avp.flags.is_mandatory() {
        return Err(unsupported(avp, ctx));
    }
    v.push(Avp::from(avp.to_raw()));
    Ok(())
}

#[cold]
#[inline(never)]
fn unsupported(avp: &AvpRef<'_>, ctx: &DecodeContext) -> DecodeError {
    let kind = DecodeErrorKind::UnsupportedAvp {
        code: avp.code,
        vendor_id: avp.vendor_id,
    };
    ctx.error(kind, avp)
}

/// An AVP the grammar forbids (`0*0`): 5008 DIAMETER_AVP_NOT_ALLOWED, Failed-AVP that AVP.
#[cold]
pub fn not_allowed(avp: &AvpRef<'_>, name: &str, ctx: &DecodeContext) -> DecodeError {
    let kind = DecodeErrorKind::AvpNotAllowed {
        name: name.to_string(),
    };
    ctx.error(kind, avp)
}

/// The value of a required single AVP: absent is 5005 (Failed-AVP: the AVP, empty).
#[inline]
pub fn required<T>(slot: Option<T>, info: &AvpInfo, ctx: &DecodeContext) -> Result<T, DecodeError> {
    match slot {
        Some(v) => Ok(v),
        None => Err(missing(info, ctx)),
    }
}

/// The values of a repeated AVP: fewer than `info.min` is 5005.
#[inline]
pub fn counted<T>(v: Vec<T>, info: &AvpInfo, ctx: &DecodeContext) -> Result<Vec<T>, DecodeError> {
    if (v.len() as u32) < info.min {
        return Err(missing(info, ctx));
    }
    Ok(v)
}

#[cold]
#[inline(never)]
fn missing(info: &AvpInfo, ctx: &DecodeContext) -> DecodeError {
    let example = RawAvp {
        code: info.code,
        flags: AvpFlags(info.flags),
        vendor_id: info.vendor_id,
        data: Bytes::new(),
    };
    let kind = DecodeErrorKind::MissingAvp {
        name: info.name.to_string(),
    };
    ctx.missing(kind, &example)
}

#[cold]
#[inline(never)]
fn too_many(
    avp: &AvpRef<'_>,
    info: &AvpInfo,
    count: usize,
    max: u32,
    ctx: &DecodeContext,
) -> DecodeError {
    let kind = DecodeErrorKind::TooManyAvps {
        name: info.name.to_string(),
        count,
        max,
    };
    ctx.error(kind, avp)
}

/// Write an enumerated value.
#[inline]
pub fn put_enum(value: i32, out: &mut BytesMut) {
    out.put_i32(value);
}
