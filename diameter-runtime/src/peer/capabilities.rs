//! Capabilities exchange (RFC 6733 §5.3) and the other peer-control messages: building
//! CER/CEA, DWR/DWA and DPR/DPA, reading a peer's capabilities, and the common
//! application rule (DIAMETER_NO_COMMON_APPLICATION unless the peer is a relay).

use std::net::IpAddr;

use crate::message::{Avp, Message, Payload};
use crate::wire::result_code::*;
use crate::wire::{Address, AvpFlags, CommandFlags, DecodeError, DecodeErrorKind, Value};

use super::base::{self, avp, command, DisconnectCause};

/// The Relay application id (RFC 6733 §2.4).
pub const RELAY_APPLICATION_ID: u32 = 0xffff_ffff;

/// Whether an application is advertised in Auth- or Acct-Application-Id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppKind {
    /// Authentication and authorization (Auth-Application-Id).
    Auth,
    /// Accounting (Acct-Application-Id).
    Acct,
}

/// An application as advertised in a CER/CEA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AppId {
    /// The Application-Id.
    pub id: u32,
    /// Auth or Acct.
    pub kind: AppKind,
    /// Set for a vendor-specific application (Vendor-Specific-Application-Id).
    pub vendor_id: Option<u32>,
}

impl AppId {
    /// An authentication application, such as Credit Control (4).
    pub fn auth(id: u32) -> Self {
        AppId {
            id,
            kind: AppKind::Auth,
            vendor_id: None,
        }
    }

    /// An accounting application, such as Base Accounting (3).
    pub fn acct(id: u32) -> Self {
        AppId {
            id,
            kind: AppKind::Acct,
            vendor_id: None,
        }
    }

    /// A vendor-specific application, advertised in Vendor-Specific-Application-Id.
    pub fn vendor(vendor_id: u32, kind: AppKind, id: u32) -> Self {
        AppId {
            id,
            kind,
            vendor_id: Some(vendor_id),
        }
    }

    fn to_avp(self) -> Avp {
        let code = match self.kind {
            AppKind::Auth => avp::AUTH_APPLICATION_ID,
            AppKind::Acct => avp::ACCT_APPLICATION_ID,
        };
        match self.vendor_id {
            None => base::m_avp(code, self.id),
            Some(vendor) => Avp {
                code: avp::VENDOR_SPECIFIC_APPLICATION_ID,
                flags: AvpFlags(AvpFlags::MANDATORY),
                vendor_id: 0,
                payload: Payload::Group(vec![
                    base::m_avp(avp::VENDOR_ID, vendor),
                    base::m_avp(code, self.id),
                ]),
            },
        }
    }
}

/// What a node says about itself in CER/CEA; also what is read from a peer's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Origin-Host.
    pub origin_host: String,
    /// Origin-Realm.
    pub origin_realm: String,
    /// Host-IP-Address (at least one is required on the wire).
    pub host_ip_addresses: Vec<IpAddr>,
    /// Vendor-Id.
    pub vendor_id: u32,
    /// Product-Name.
    pub product_name: String,
    /// Origin-State-Id.
    pub origin_state_id: Option<u32>,
    /// Supported-Vendor-Id.
    pub supported_vendor_ids: Vec<u32>,
    /// The applications advertised.
    pub applications: Vec<AppId>,
    /// Inband-Security-Id (0 NO_INBAND_SECURITY, 1 TLS).
    pub inband_security_ids: Vec<u32>,
    /// Firmware-Revision.
    pub firmware_revision: Option<u32>,
}

impl Capabilities {
    /// The AVPs of a CER or CEA after Result-Code, in the order of RFC 6733 §5.3.1.
    fn push_avps(&self, msg: &mut Message) {
        msg.push(base::identity(avp::ORIGIN_HOST, &self.origin_host));
        msg.push(base::identity(avp::ORIGIN_REALM, &self.origin_realm));
        for ip in &self.host_ip_addresses {
            msg.push(base::m_avp(
                avp::HOST_IP_ADDRESS,
                Value::Address(Address::from(*ip)),
            ));
        }
        msg.push(base::m_avp(avp::VENDOR_ID, self.vendor_id));
        msg.push(Avp::new(
            avp::PRODUCT_NAME,
            0,
            false,
            &Value::Utf8String(self.product_name.clone()),
        ));
        if let Some(state) = self.origin_state_id {
            msg.push(base::m_avp(avp::ORIGIN_STATE_ID, state));
        }
        for vendor in &self.supported_vendor_ids {
            msg.push(base::m_avp(avp::SUPPORTED_VENDOR_ID, *vendor));
        }
        for app in &self.applications {
            msg.push(app.to_avp());
        }
        for id in &self.inband_security_ids {
            msg.push(base::m_avp(avp::INBAND_SECURITY_ID, *id));
        }
        if let Some(rev) = self.firmware_revision {
            msg.push(Avp::new(
                avp::FIRMWARE_REVISION,
                0,
                false,
                &Value::Unsigned32(rev),
            ));
        }
    }

    /// Read the capabilities in a CER or CEA. Origin-Host and Origin-Realm are required
    /// (5005 otherwise); everything else is read when present and well formed.
    pub fn from_message(msg: &Message) -> Result<Capabilities, DecodeError> {
        let required = |code: u32, name: &str| {
            base::str_of(msg, code).ok_or_else(|| {
                DecodeError::new(
                    DecodeErrorKind::MissingAvp {
                        name: name.to_string(),
                    },
                    0,
                )
            })
        };
        let mut caps = Capabilities {
            origin_host: required(avp::ORIGIN_HOST, "Origin-Host")?,
            origin_realm: required(avp::ORIGIN_REALM, "Origin-Realm")?,
            vendor_id: base::u32_of(msg, avp::VENDOR_ID).unwrap_or(0),
            product_name: base::str_of(msg, avp::PRODUCT_NAME).unwrap_or_default(),
            origin_state_id: base::u32_of(msg, avp::ORIGIN_STATE_ID),
            firmware_revision: base::u32_of(msg, avp::FIRMWARE_REVISION),
            ..Capabilities::default()
        };
        for a in msg.avps.iter().filter(|a| a.vendor_id == 0) {
            match a.code {
                avp::HOST_IP_ADDRESS => {
                    if let Some(ip) = Address::decode(&a.data()).ok().and_then(|x| x.ip()) {
                        caps.host_ip_addresses.push(ip);
                    }
                }
                avp::SUPPORTED_VENDOR_ID => {
                    caps.supported_vendor_ids.extend(base::avp_u32(a));
                }
                avp::AUTH_APPLICATION_ID => {
                    caps.applications.extend(base::avp_u32(a).map(AppId::auth));
                }
                avp::ACCT_APPLICATION_ID => {
                    caps.applications.extend(base::avp_u32(a).map(AppId::acct));
                }
                avp::VENDOR_SPECIFIC_APPLICATION_ID => {
                    caps.applications.extend(vendor_specific(a));
                }
                avp::INBAND_SECURITY_ID => {
                    caps.inband_security_ids.extend(base::avp_u32(a));
                }
                _ => {}
            }
        }
        Ok(caps)
    }

    /// Whether the peer advertises the Relay application.
    pub fn is_relay(&self) -> bool {
        self.applications
            .iter()
            .any(|a| a.id == RELAY_APPLICATION_ID)
    }
}

fn vendor_specific(a: &Avp) -> Option<AppId> {
    let children: Vec<Avp> = a.children().filter_map(Result::ok).collect();
    let vendor = children
        .iter()
        .find(|c| c.is(avp::VENDOR_ID, 0))
        .and_then(base::avp_u32)?;
    children.iter().find_map(|c| {
        let kind = match c.code {
            avp::AUTH_APPLICATION_ID if c.vendor_id == 0 => AppKind::Auth,
            avp::ACCT_APPLICATION_ID if c.vendor_id == 0 => AppKind::Acct,
            _ => return None,
        };
        base::avp_u32(c).map(|id| AppId::vendor(vendor, kind, id))
    })
}

/// The applications of `local` that `peer` also advertises (by id and kind, whether
/// plain or vendor-specific). A peer advertising Relay shares all of them; a local Relay
/// shares all of the peer's.
pub fn common_applications(local: &[AppId], peer: &Capabilities) -> Vec<AppId> {
    if local.iter().any(|a| a.id == RELAY_APPLICATION_ID) {
        return peer.applications.clone();
    }
    local
        .iter()
        .filter(|mine| {
            peer.is_relay()
                || peer
                    .applications
                    .iter()
                    .any(|theirs| theirs.id == mine.id && theirs.kind == mine.kind)
        })
        .copied()
        .collect()
}

/// The Result-Code for a CER with capabilities `peer` received by a node with `local`:
/// 2001, or 5010 DIAMETER_NO_COMMON_APPLICATION.
pub fn check_cer(local: &[AppId], peer: &Capabilities) -> u32 {
    if common_applications(local, peer).is_empty() {
        DIAMETER_NO_COMMON_APPLICATION
    } else {
        DIAMETER_SUCCESS
    }
}

/// A CER advertising `local`.
pub fn cer(local: &Capabilities) -> Message {
    let mut msg = Message::new(command::CAPABILITIES_EXCHANGE, 0, CommandFlags::REQUEST);
    local.push_avps(&mut msg);
    msg
}

/// The CEA to `cer` with `result_code`; a protocol error (3xxx) carries the E bit, and
/// `error_message` goes into Error-Message.
pub fn cea(
    local: &Capabilities,
    cer: &Message,
    result_code: u32,
    error_message: Option<&str>,
) -> Message {
    let mut msg = base::answer_to(cer);
    if base::is_protocol_error(result_code) {
        msg.header.flags.set(CommandFlags::ERROR, true);
    }
    msg.push(base::m_avp(avp::RESULT_CODE, result_code));
    local.push_avps(&mut msg);
    if let Some(text) = error_message {
        msg.push(error_message_avp(text));
    }
    msg
}

/// The Error-Message AVP (M bit clear, as RFC 6733 §7.3 says).
pub fn error_message_avp(text: &str) -> Avp {
    Avp::new(
        avp::ERROR_MESSAGE,
        0,
        false,
        &Value::Utf8String(text.to_string()),
    )
}

/// A DWR from `local`.
pub fn dwr(local: &Capabilities) -> Message {
    let mut msg = Message::new(command::DEVICE_WATCHDOG, 0, CommandFlags::REQUEST);
    push_origin(local, &mut msg);
    msg
}

/// The DWA to `dwr`, with 2001.
pub fn dwa(local: &Capabilities, dwr: &Message) -> Message {
    let mut msg = base::answer_to(dwr);
    msg.push(base::m_avp(avp::RESULT_CODE, DIAMETER_SUCCESS));
    push_origin(local, &mut msg);
    msg
}

/// A DPR from `local` with `cause`.
pub fn dpr(local: &Capabilities, cause: DisconnectCause) -> Message {
    let mut msg = Message::new(command::DISCONNECT_PEER, 0, CommandFlags::REQUEST);
    msg.push(base::identity(avp::ORIGIN_HOST, &local.origin_host));
    msg.push(base::identity(avp::ORIGIN_REALM, &local.origin_realm));
    msg.push(base::m_avp(
        avp::DISCONNECT_CAUSE,
        Value::Enumerated(cause.code()),
    ));
    msg
}

/// The DPA to `dpr`, with 2001.
pub fn dpa(local: &Capabilities, dpr: &Message) -> Message {
    let mut msg = base::answer_to(dpr);
    msg.push(base::m_avp(avp::RESULT_CODE, DIAMETER_SUCCESS));
    msg.push(base::identity(avp::ORIGIN_HOST, &local.origin_host));
    msg.push(base::identity(avp::ORIGIN_REALM, &local.origin_realm));
    msg
}

/// The Disconnect-Cause of a DPR (REBOOTING when absent).
pub fn disconnect_cause(dpr: &Message) -> DisconnectCause {
    DisconnectCause::from_code(base::u32_of(dpr, avp::DISCONNECT_CAUSE).unwrap_or(0) as i32)
}

fn push_origin(local: &Capabilities, msg: &mut Message) {
    msg.push(base::identity(avp::ORIGIN_HOST, &local.origin_host));
    msg.push(base::identity(avp::ORIGIN_REALM, &local.origin_realm));
    if let Some(state) = local.origin_state_id {
        msg.push(base::m_avp(avp::ORIGIN_STATE_ID, state));
    }
}
