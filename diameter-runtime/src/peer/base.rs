//! Base-protocol codes and small helpers over dynamic messages: reading top-level AVPs,
//! and the answer skeleton every answer starts from.

use bytes::{Bytes, BytesMut};

use crate::message::{Avp, Message};
use crate::wire::{CommandFlags, Value};

/// Command codes of the base protocol (RFC 6733 §3.1).
pub mod command {
    /// Capabilities-Exchange.
    pub const CAPABILITIES_EXCHANGE: u32 = 257;
    /// Device-Watchdog.
    pub const DEVICE_WATCHDOG: u32 = 280;
    /// Disconnect-Peer.
    pub const DISCONNECT_PEER: u32 = 282;

    /// Whether `code` belongs to the peer connection itself (CER, DWR, DPR).
    pub fn is_peer_control(code: u32) -> bool {
        matches!(
            code,
            CAPABILITIES_EXCHANGE | DEVICE_WATCHDOG | DISCONNECT_PEER
        )
    }
}

/// AVP codes of the base protocol (RFC 6733 §4.5) that the runtime reads or writes.
#[allow(missing_docs)]
pub mod avp {
    pub const HOST_IP_ADDRESS: u32 = 257;
    pub const AUTH_APPLICATION_ID: u32 = 258;
    pub const ACCT_APPLICATION_ID: u32 = 259;
    pub const VENDOR_SPECIFIC_APPLICATION_ID: u32 = 260;
    pub const SESSION_ID: u32 = 263;
    pub const ORIGIN_HOST: u32 = 264;
    pub const SUPPORTED_VENDOR_ID: u32 = 265;
    pub const VENDOR_ID: u32 = 266;
    pub const FIRMWARE_REVISION: u32 = 267;
    pub const RESULT_CODE: u32 = 268;
    pub const PRODUCT_NAME: u32 = 269;
    pub const DISCONNECT_CAUSE: u32 = 273;
    pub const ORIGIN_STATE_ID: u32 = 278;
    pub const FAILED_AVP: u32 = 279;
    pub const ERROR_MESSAGE: u32 = 281;
    pub const ROUTE_RECORD: u32 = 282;
    pub const DESTINATION_REALM: u32 = 283;
    pub const PROXY_INFO: u32 = 284;
    pub const DESTINATION_HOST: u32 = 293;
    pub const ORIGIN_REALM: u32 = 296;
    pub const EXPERIMENTAL_RESULT: u32 = 297;
    pub const EXPERIMENTAL_RESULT_CODE: u32 = 298;
    pub const INBAND_SECURITY_ID: u32 = 299;
}

/// Disconnect-Cause values (RFC 6733 §5.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisconnectCause {
    /// REBOOTING (0): the peer will be back; redial.
    Rebooting,
    /// BUSY (1): redial later.
    Busy,
    /// DO_NOT_WANT_TO_TALK_TO_YOU (2): do not redial.
    DoNotWantToTalkToYou,
}

impl DisconnectCause {
    /// The Enumerated value.
    pub fn code(self) -> i32 {
        match self {
            DisconnectCause::Rebooting => 0,
            DisconnectCause::Busy => 1,
            DisconnectCause::DoNotWantToTalkToYou => 2,
        }
    }

    /// The cause for an Enumerated value; unknown values read as `Rebooting`.
    pub fn from_code(code: i32) -> Self {
        match code {
            1 => DisconnectCause::Busy,
            2 => DisconnectCause::DoNotWantToTalkToYou,
            _ => DisconnectCause::Rebooting,
        }
    }
}

/// The first top-level AVP `code` (vendor 0).
pub fn find(msg: &Message, code: u32) -> Option<&Avp> {
    msg.avps.iter().find(|a| a.is(code, 0))
}

/// The Unsigned32 (or Enumerated) value of the first top-level AVP `code`.
pub fn u32_of(msg: &Message, code: u32) -> Option<u32> {
    find(msg, code).and_then(avp_u32)
}

/// The value of an Unsigned32/Integer32/Enumerated AVP.
pub fn avp_u32(avp: &Avp) -> Option<u32> {
    let data = avp.data();
    <[u8; 4]>::try_from(&data[..]).ok().map(u32::from_be_bytes)
}

/// The text of the first top-level AVP `code` (UTF-8 or identity).
pub fn str_of(msg: &Message, code: u32) -> Option<String> {
    find(msg, code).and_then(|a| String::from_utf8(a.data().to_vec()).ok())
}

/// The payload of the first top-level AVP `code` (vendor 0), without copying.
pub fn bytes_of(msg: &Message, code: u32) -> Option<Bytes> {
    find(msg, code).map(Avp::data)
}

/// The Result-Code of an answer: the Result-Code AVP, else Experimental-Result-Code.
pub fn result_code(msg: &Message) -> Option<u32> {
    if let Some(code) = u32_of(msg, avp::RESULT_CODE) {
        return Some(code);
    }
    find(msg, avp::EXPERIMENTAL_RESULT)?
        .children()
        .filter_map(Result::ok)
        .find(|a| a.is(avp::EXPERIMENTAL_RESULT_CODE, 0))
        .and_then(|a| avp_u32(&a))
}

/// A base AVP with the M bit.
pub fn m_avp(code: u32, value: impl Into<Value>) -> Avp {
    Avp::new(code, 0, true, &value.into())
}

/// A DiameterIdentity AVP with the M bit.
pub fn identity(code: u32, name: &str) -> Avp {
    Avp::new(code, 0, true, &Value::DiameterIdentity(name.to_string()))
}

/// The skeleton of the answer to `request`: same command, application and identifiers,
/// R and T cleared, P kept; no AVPs.
pub fn answer_to(request: &Message) -> Message {
    let mut answer = Message::new(
        request.header.command_code,
        request.header.application_id,
        request.header.flags.0 & CommandFlags::PROXIABLE,
    );
    answer.header.hop_by_hop = request.header.hop_by_hop;
    answer.header.end_to_end = request.header.end_to_end;
    answer
}

/// Whether `result_code` is a protocol error (3xxx), whose answer carries the E bit.
pub fn is_protocol_error(result_code: u32) -> bool {
    (3000..4000).contains(&result_code)
}

/// The Failed-AVP grouped AVP holding `avp` as found on the wire (header included).
pub fn failed_avp(avp: Bytes) -> Avp {
    let mut data = BytesMut::from(&avp[..]);
    // The offending AVP may lack its padding when it was cut short.
    data.resize(crate::wire::padded(data.len()), 0);
    Avp::from(crate::wire::RawAvp::new(
        avp::FAILED_AVP,
        0,
        true,
        data.freeze(),
    ))
}
