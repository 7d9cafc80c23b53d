//! Building answers from requests.

use bytes::Bytes;

use crate::message::Message;
use crate::peer::base::{self, avp, failed_avp};
use crate::peer::capabilities::error_message_avp;
use crate::wire::CommandFlags;

use super::Identity;

/// The answer to `request` from `identity` with `result_code`: command, application,
/// hop-by-hop and end-to-end ids copied, R and T cleared, P kept; then Session-Id (when
/// the request has one), Result-Code, Origin-Host, Origin-Realm, the request's
/// Auth-/Acct-Application-Id, and its Proxy-Info AVPs last, in order (RFC 6733 §6.2).
///
/// The caller appends the command's own AVPs (before the Proxy-Info ones, if order
/// matters to the peer, by inserting).
pub fn answer(request: &Message, identity: &Identity, result_code: u32) -> Message {
    let mut answer = base::answer_to(request);
    if let Some(session) = base::find(request, avp::SESSION_ID) {
        answer.push(session.clone());
    }
    answer.push(base::m_avp(avp::RESULT_CODE, result_code));
    answer.push(base::identity(avp::ORIGIN_HOST, &identity.origin_host));
    answer.push(base::identity(avp::ORIGIN_REALM, &identity.origin_realm));
    for code in [avp::AUTH_APPLICATION_ID, avp::ACCT_APPLICATION_ID] {
        if let Some(a) = base::find(request, code) {
            answer.push(a.clone());
        }
    }
    push_proxy_info(request, &mut answer);
    answer
}

/// An error answer (RFC 6733 §7.2): the E bit for protocol errors (3xxx), Session-Id,
/// Origin-Host, Origin-Realm, Result-Code, Error-Message, Failed-AVP (the offending AVP
/// as received, or an empty example of a missing one), then Proxy-Info.
pub fn error_answer(
    request: &Message,
    identity: &Identity,
    result_code: u32,
    error_message: Option<&str>,
    failed: Option<Bytes>,
) -> Message {
    let mut answer = base::answer_to(request);
    if base::is_protocol_error(result_code) {
        answer.header.flags.set(CommandFlags::ERROR, true);
    }
    if let Some(session) = base::find(request, avp::SESSION_ID) {
        answer.push(session.clone());
    }
    answer.push(base::identity(avp::ORIGIN_HOST, &identity.origin_host));
    answer.push(base::identity(avp::ORIGIN_REALM, &identity.origin_realm));
    answer.push(base::m_avp(avp::RESULT_CODE, result_code));
    if let Some(text) = error_message {
        answer.push(error_message_avp(text));
    }
    if let Some(bytes) = failed {
        answer.push(failed_avp(bytes));
    }
    push_proxy_info(request, &mut answer);
    answer
}

fn push_proxy_info(request: &Message, answer: &mut Message) {
    for p in request.avps.iter().filter(|a| a.is(avp::PROXY_INFO, 0)) {
        answer.push(p.clone());
    }
}
