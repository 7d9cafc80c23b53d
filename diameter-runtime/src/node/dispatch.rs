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

use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::OwnedSemaphorePermit;

use crate::app::{self, HandlerError, Request};
use crate::message::{Avp, Message};
use crate::peer::base::{self, avp};
use crate::wire::result_code::*;
use crate::wire::{decode_avps, CommandFlags, DecodeError, DecodeErrorKind, Header, HEADER_LEN};

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
    let started = Instant::now();
    let header = msg.header;
    // What an error answer needs, kept aside: the request goes to the handler.
    let skeleton = ErrorSkeleton::of(&msg);
    let request = Request::new(
        msg,
        conn.peer.host(),
        conn.remote_addr,
        shared.identity.clone(),
    );
    let handled = Handled {
        header,
        skeleton,
        origin_host,
        started,
        _permit: permit,
    };
    // A handler that answers at once is finished here, in the reader's task; one that
    // waits for something goes on as a task of its own.
    let mut answer = handler.handle(request);
    let first = answer.as_mut().poll(&mut Context::from_waker(noop_waker()));
    match first {
        Poll::Ready(result) => handled.finish(shared, conn, result).await,
        Poll::Pending => {
            let (shared, conn) = (shared.clone(), conn.clone());
            tokio::spawn(async move {
                let result = answer.await;
                handled.finish(&shared, &conn, result).await;
            });
        }
    }
}

/// A request in the hands of its handler: what its answer needs.
struct Handled {
    header: Header,
    skeleton: ErrorSkeleton,
    origin_host: Option<Bytes>,
    started: Instant,
    /// The application's concurrency slot, held until the answer is made.
    _permit: OwnedSemaphorePermit,
}

impl Handled {
    /// Send the handler's answer (with the request's identifiers), or 5012
    /// DIAMETER_UNABLE_TO_COMPLY when it failed.
    async fn finish(
        self,
        shared: &Arc<Shared>,
        conn: &Arc<Conn>,
        result: Result<Message, HandlerError>,
    ) {
        let Handled {
            header,
            skeleton,
            origin_host,
            started,
            _permit,
        } = self;
        let answer = match result {
            Ok(mut answer) => {
                answer.header.flags.set(CommandFlags::REQUEST, false);
                answer.header.hop_by_hop = header.hop_by_hop;
                answer.header.end_to_end = header.end_to_end;
                answer
            }
            Err(e) => {
                tracing::warn!(target: "diameter::application", peer = conn.peer.host(), "handler failed: {e}");
                app::answer::error_answer(
                    &skeleton.into_message(header),
                    &shared.identity,
                    DIAMETER_UNABLE_TO_COMPLY,
                    Some(&e.to_string()),
                    None,
                )
            }
        };
        drop(_permit);
        let result_code = base::result_code(&answer);
        conn.peer
            .stats
            .processed(header.command_code, result_code, started.elapsed());
        let end_to_end = header.end_to_end;
        send_answer(shared, conn, end_to_end, origin_host.as_deref(), answer).await;
    }
}

/// The AVPs of a request that its error answer copies (Session-Id, Proxy-Info): a few
/// handles into the request's buffer instead of a copy of the whole request.
struct ErrorSkeleton {
    session_id: Option<Avp>,
    proxy_info: Vec<Avp>,
}

impl ErrorSkeleton {
    fn of(msg: &Message) -> Self {
        ErrorSkeleton {
            session_id: base::find(msg, avp::SESSION_ID).cloned(),
            proxy_info: msg
                .avps
                .iter()
                .filter(|a| a.is(avp::PROXY_INFO, 0))
                .cloned()
                .collect(),
        }
    }

    fn into_message(self, header: Header) -> Message {
        let mut avps: Vec<Avp> = self.session_id.into_iter().collect();
        avps.extend(self.proxy_info);
        Message { header, avps }
    }
}

/// A waker that does nothing, for the first poll of a handler's future: a future still
/// pending after it is spawned, and polled again there with a real waker.
fn noop_waker() -> &'static Waker {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    static WAKER: OnceLock<Waker> = OnceLock::new();
    WAKER.get_or_init(|| Waker::from(Arc::new(Noop)))
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
    let end_to_end = request.header.end_to_end;
    send_answer(shared, conn, end_to_end, origin_host.as_deref(), answer).await;
}

async fn send_answer(
    shared: &Arc<Shared>,
    conn: &Arc<Conn>,
    end_to_end: u32,
    origin_host: Option<&[u8]>,
    answer: Message,
) {
    shared.dump("SENT", conn.peer.host(), &answer);
    let bytes = answer.encode();
    if let Some(host) = origin_host {
        shared.duplicates.remember(host, end_to_end, &bytes);
    }
    if conn.send_bytes(bytes).await.is_err() {
        tracing::debug!(target: "diameter::connection", peer = conn.peer.host(), "answer not sent: connection closed");
    }
}

/// A frame whose length is sound but that does not decode: invalid command flags
/// (reserved bits, or E on a request) or bad AVPs. A request gets an answer with the
/// error's Result-Code (3008 DIAMETER_INVALID_HDR_BITS for the flags, RFC 6733 §7.1.3;
/// E bit for 3xxx) and Failed-AVP; an answer is dropped (its request will time out).
pub(crate) async fn undecodable(
    shared: &Arc<Shared>,
    conn: &Arc<Conn>,
    frame: &Bytes,
    error: DecodeError,
) {
    tracing::warn!(target: "diameter::connection", peer = conn.peer.host(), "undecodable message: {error}");
    let header = match &error.kind {
        DecodeErrorKind::HeaderBits(_) => header_as_is(frame),
        _ => Header::decode(frame).ok(),
    };
    let Some(header) = header.filter(|h| h.flags.is_request()) else {
        return;
    };
    // The AVPs that do decode, for the Session-Id and Proxy-Info of the answer.
    let body = frame.slice(HEADER_LEN.min(frame.len())..);
    let request = Message {
        header,
        avps: decode_avps(&body)
            .map_while(Result::ok)
            .map(Into::into)
            .collect(),
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
    send_answer(shared, conn, header.end_to_end, None, answer).await;
}

/// The header fields as they stand, whatever the command flags say.
fn header_as_is(frame: &[u8]) -> Option<Header> {
    let h = frame.get(..HEADER_LEN)?;
    let word = |i: usize| u32::from_be_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
    Some(Header {
        version: h[0],
        length: word(0) & 0x00ff_ffff,
        flags: crate::wire::CommandFlags(h[4]),
        command_code: word(4) & 0x00ff_ffff,
        application_id: word(8),
        hop_by_hop: word(12),
        end_to_end: word(16),
    })
}
