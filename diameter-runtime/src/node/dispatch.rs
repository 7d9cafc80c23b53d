//! Received requests: the checks a node makes before a handler sees a request, and the
//! protocol-error answers when one fails (RFC 6733 §6.1 and §7).
//!
//! In order: T-flag duplicates are answered from the window; an application this node
//! does not serve, or that the peer did not negotiate, gets 3007; a command the
//! dictionary does not know gets 3001; a Destination-Host other than ours gets 3002; a
//! Destination-Realm other than ours gets 3003 (unless
//! [`NodeConfig::check_destination_realm`](super::NodeConfig) is off); a request failing
//! the dictionary check gets its Result-Code (5005, 5004, 5009, ...) with Failed-AVP; a
//! full application gets 3004; a failing handler gets 5012.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Wake, Waker};
use std::time::Instant;

use bytes::Bytes;

use crate::app::{self, Request};
use crate::message::Message;
use crate::peer::base::{self, avp};
use crate::wire::result_code::*;
use crate::wire::{DecodeError, Header};

use super::conn::Conn;
use super::Shared;

/// A request arrived on an open connection.
pub(crate) async fn request(shared: &Arc<Shared>, conn: &Arc<Conn>, msg: Message) {
    let peer = &conn.peer;
    let code = msg.header.command_code;
    peer.stats.received(code, true, None);
    let origin_host = base::find(&msg, avp::ORIGIN_HOST).map(|a| a.data());
    if msg.header.flags.is_retransmit() {
        if let Some(host) = &origin_host {
            if let Some(mut answer) = shared.duplicates.lookup(host, msg.header.end_to_end) {
                // The same answer, on this hop.
                let mut bytes = answer.to_vec();
                bytes[12..16].copy_from_slice(&msg.header.hop_by_hop.to_be_bytes());
                answer = Bytes::from(bytes);
                let _ = conn.send_bytes(answer).await;
                return;
            }
        }
    }
    let app_id = msg.header.application_id;
    let Some(local) = shared.running().and_then(|r| r.server_app(app_id)) else {
        return reject(shared, conn, &msg, DIAMETER_APPLICATION_UNSUPPORTED, None).await;
    };
    if !peer.supports(app_id) {
        return reject(shared, conn, &msg, DIAMETER_APPLICATION_UNSUPPORTED, None).await;
    }
    if shared.dict.command(app_id, code).is_none() {
        return reject(shared, conn, &msg, DIAMETER_COMMAND_UNSUPPORTED, None).await;
    }
    if let Some(host) = base::bytes_of(&msg, avp::DESTINATION_HOST) {
        if !host.eq_ignore_ascii_case(shared.config.origin_host.as_bytes()) {
            return reject(shared, conn, &msg, DIAMETER_UNABLE_TO_DELIVER, None).await;
        }
    }
    if let Some(realm) = base::bytes_of(&msg, avp::DESTINATION_REALM)
        .filter(|_| shared.config.check_destination_realm)
    {
        if !realm.eq_ignore_ascii_case(shared.config.realm.as_bytes()) {
            return reject(shared, conn, &msg, DIAMETER_REALM_NOT_SERVED, None).await;
        }
    }
    if shared.config.validate_requests {
        if let Err(e) = shared.validator.validate(&msg, &shared.config.limits) {
            let code = e.result_code;
            return reject(shared, conn, &msg, code, Some(e)).await;
        }
    }
    let Ok(permit) = local.limit.clone().try_acquire_owned() else {
        return reject(shared, conn, &msg, DIAMETER_TOO_BUSY, None).await;
    };
    let Some(handler) = local.handler.clone() else {
        return reject(shared, conn, &msg, DIAMETER_APPLICATION_UNSUPPORTED, None).await;
    };
    let shared = shared.clone();
    let conn = conn.clone();
    run_inline_or_spawn(async move {
        let started = Instant::now();
        let request = Request::new(
            msg.clone(),
            conn.peer.host(),
            conn.remote_addr,
            shared.identity.clone(),
        );
        let answer = match handler.handle(request).await {
            Ok(mut answer) => {
                answer
                    .header
                    .flags
                    .set(crate::wire::CommandFlags::REQUEST, false);
                answer.header.hop_by_hop = msg.header.hop_by_hop;
                answer.header.end_to_end = msg.header.end_to_end;
                answer
            }
            Err(e) => {
                tracing::warn!(target: "diameter::application", peer = conn.peer.host(), "handler failed: {e}");
                app::answer::error_answer(
                    &msg,
                    &shared.identity,
                    DIAMETER_UNABLE_TO_COMPLY,
                    Some(&e.to_string()),
                    None,
                )
            }
        };
        drop(permit);
        let result_code = base::result_code(&answer);
        conn.peer
            .stats
            .processed(code, result_code, started.elapsed());
        send_answer(&shared, &conn, &msg, origin_host.as_deref(), answer).await;
    });
}

/// Poll `fut` once here: a handler that answers at once costs no task switch. If it
/// waits for something, it goes on as its own task (polled again there, with a real
/// waker).
fn run_inline_or_spawn(fut: impl Future<Output = ()> + Send + 'static) {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    static WAKER: OnceLock<Waker> = OnceLock::new();
    let waker = WAKER.get_or_init(|| Waker::from(Arc::new(Noop)));
    let mut fut = Box::pin(fut);
    if fut
        .as_mut()
        .poll(&mut Context::from_waker(waker))
        .is_pending()
    {
        tokio::spawn(fut);
    }
}

/// Answer with a protocol or permanent error.
async fn reject(
    shared: &Arc<Shared>,
    conn: &Arc<Conn>,
    request: &Message,
    result_code: u32,
    error: Option<DecodeError>,
) {
    let message = error.as_ref().map(|e| e.kind.to_string());
    let failed = error.and_then(|e| e.failed_avp);
    let answer = app::answer::error_answer(
        request,
        &shared.identity,
        result_code,
        message.as_deref(),
        failed,
    );
    conn.peer
        .stats
        .sent(request.header.command_code, false, Some(result_code));
    let origin_host = base::find(request, avp::ORIGIN_HOST).map(|a| a.data());
    send_answer(shared, conn, request, origin_host.as_deref(), answer).await;
}

async fn send_answer(
    shared: &Arc<Shared>,
    conn: &Arc<Conn>,
    request: &Message,
    origin_host: Option<&[u8]>,
    answer: Message,
) {
    shared.dump("SENT", conn.peer.host(), &answer);
    let bytes = answer.encode();
    if let Some(host) = origin_host {
        shared
            .duplicates
            .remember(host, request.header.end_to_end, bytes.clone());
    }
    if conn.send_bytes(bytes).await.is_err() {
        tracing::debug!(target: "diameter::connection", peer = conn.peer.host(), "answer not sent: connection closed");
    }
}

/// A frame whose header is sound but whose AVPs do not decode. A request gets an answer
/// with the error's Result-Code (E bit for 3xxx) and Failed-AVP; an answer is dropped
/// (its request will time out).
pub(crate) async fn undecodable(
    shared: &Arc<Shared>,
    conn: &Arc<Conn>,
    frame: &Bytes,
    error: DecodeError,
) {
    tracing::warn!(target: "diameter::connection", peer = conn.peer.host(), "undecodable message: {error}");
    let Ok(header) = Header::decode(frame) else {
        return;
    };
    if !header.flags.is_request() {
        return;
    }
    let request = Message {
        header,
        avps: Vec::new(),
    };
    let result_code = error.result_code;
    let answer = app::answer::error_answer(
        &request,
        &shared.identity,
        result_code,
        Some(&error.kind.to_string()),
        error.failed_avp,
    );
    conn.peer
        .stats
        .sent(header.command_code, false, Some(result_code));
    send_answer(shared, conn, &request, None, answer).await;
}
