//! The client requests kept for agent-initiated requests (spec §2 step 6, §8): when
//! `asr_template` or `rar_template` is set, every request is kept under its Session-Id
//! (CGRateS' cache keys `*asr<Session-Id>` / `*rar<Session-Id>` in the `*diameter_messages`
//! partition) with the peer it came from, so that an ASR or RAR for the session (looked up
//! by the `OriginID` of the event) can be built from it and sent back on that peer's
//! connection.
//!
//! A later request of the session replaces the entry. The cache is bounded: an entry
//! goes when its session ends (see [`ends_session`]), when it has not been refreshed for
//! the TTL (CGRateS' default for the partition: 3 hours), and the oldest entries go first
//! when the cache is full.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diameter_runtime::message::Message;
use diameter_runtime::peer::base;
use diameter_runtime::peer::base::avp::SESSION_ID;

/// Default bound on the number of sessions kept.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// Default time an entry is kept without a new request of its session.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3 * 3600);

const CC_REQUEST_TYPE: u32 = 416;
const ACCOUNTING_RECORD_TYPE: u32 = 480;
const SESSION_TERMINATION: u32 = 275;
const CC_TERMINATION_REQUEST: u32 = 3;
const CC_EVENT_REQUEST: u32 = 4;
const ACCOUNTING_EVENT_RECORD: u32 = 1;
const ACCOUNTING_STOP_RECORD: u32 = 4;

/// A kept request.
#[derive(Debug, Clone)]
pub struct CachedRequest {
    /// The request as received.
    pub message: Message,
    /// The DiameterIdentity of the peer it came from.
    pub peer: String,
    /// The address of the other end of the connection it came on.
    pub remote: Option<SocketAddr>,
    /// When it was kept.
    pub at: Instant,
}

/// One kept session as [`RequestCache::list`] shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedSession {
    /// The Session-Id (CGRateS' OriginID).
    pub session_id: String,
    /// The peer the last request came from.
    pub peer: String,
    /// Its address.
    pub remote: Option<SocketAddr>,
    /// Command code of the last request.
    pub command_code: u32,
    /// Time since the last request.
    pub age: Duration,
}

/// The Session-Id of a request, if it has one.
pub fn session_id(msg: &Message) -> Option<String> {
    base::str_of(msg, SESSION_ID)
}

/// Whether no session follows `msg`: a CCR-Terminate or CCR-Event (CC-Request-Type 3 or
/// 4), an STR, an ACR stop or event record. Its entry is dropped once it is answered.
pub fn ends_session(msg: &Message) -> bool {
    if msg.header.command_code == SESSION_TERMINATION {
        return true;
    }
    if let Some(t) = base::u32_of(msg, CC_REQUEST_TYPE) {
        return t == CC_TERMINATION_REQUEST || t == CC_EVENT_REQUEST;
    }
    matches!(
        base::u32_of(msg, ACCOUNTING_RECORD_TYPE),
        Some(ACCOUNTING_STOP_RECORD | ACCOUNTING_EVENT_RECORD)
    )
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, (u64, CachedRequest)>,
    /// Insertions in order: (sequence, Session-Id); stale ones are skipped when evicting.
    order: VecDeque<(u64, String)>,
    next: u64,
}

/// The kept requests, by Session-Id. Thread-safe.
#[derive(Debug)]
pub struct RequestCache {
    inner: Mutex<Inner>,
    capacity: usize,
    ttl: Duration,
}

impl Default for RequestCache {
    fn default() -> Self {
        RequestCache::new(DEFAULT_CAPACITY, DEFAULT_TTL)
    }
}

impl RequestCache {
    /// A cache of at most `capacity` sessions (at least 1), each kept `ttl` after its last
    /// request.
    pub fn new(capacity: usize, ttl: Duration) -> RequestCache {
        RequestCache {
            inner: Mutex::new(Inner::default()),
            capacity: capacity.max(1),
            ttl,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keep `message` (which has Session-Id `session_id`) received from `peer` at `remote`.
    pub fn insert(
        &self,
        session_id: &str,
        message: Message,
        peer: &str,
        remote: Option<SocketAddr>,
    ) {
        self.insert_at(session_id, message, peer, remote, Instant::now());
    }

    fn insert_at(
        &self,
        session_id: &str,
        message: Message,
        peer: &str,
        remote: Option<SocketAddr>,
        now: Instant,
    ) {
        let mut inner = self.lock();
        let seq = inner.next;
        inner.next += 1;
        let entry = CachedRequest {
            message,
            peer: peer.to_string(),
            remote,
            at: now,
        };
        inner.entries.insert(session_id.to_string(), (seq, entry));
        inner.order.push_back((seq, session_id.to_string()));
        self.evict(&mut inner, now);
    }

    /// Drop expired entries, then the oldest while over capacity; compact the order log
    /// when replaced entries make it long.
    fn evict(&self, inner: &mut Inner, now: Instant) {
        while let Some((seq, key)) = inner.order.front().cloned() {
            let live = match inner.entries.get(&key) {
                Some((s, e)) if *s == seq => Some(now.saturating_duration_since(e.at) >= self.ttl),
                _ => None,
            };
            match live {
                // Replaced or removed since: a stale log entry.
                None => {}
                Some(expired) if expired || inner.entries.len() > self.capacity => {
                    inner.entries.remove(&key);
                }
                Some(_) => break,
            }
            inner.order.pop_front();
        }
        if inner.order.len() > 2 * self.capacity {
            let Inner { entries, order, .. } = inner;
            order.retain(|(seq, key)| entries.get(key).is_some_and(|(s, _)| s == seq));
        }
    }

    /// The request kept for `session_id`, unless expired.
    pub fn get(&self, session_id: &str) -> Option<CachedRequest> {
        self.get_at(session_id, Instant::now())
    }

    fn get_at(&self, session_id: &str, now: Instant) -> Option<CachedRequest> {
        let inner = self.lock();
        let (_, entry) = inner.entries.get(session_id)?;
        (now.saturating_duration_since(entry.at) < self.ttl).then(|| entry.clone())
    }

    /// Forget `session_id`; whether it was kept.
    pub fn remove(&self, session_id: &str) -> bool {
        self.lock().entries.remove(session_id).is_some()
    }

    /// How many sessions are kept (expired ones included until evicted).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kept sessions, most recent first.
    pub fn list(&self) -> Vec<CachedSession> {
        self.list_at(Instant::now())
    }

    fn list_at(&self, now: Instant) -> Vec<CachedSession> {
        let inner = self.lock();
        let mut out: Vec<CachedSession> = inner
            .entries
            .iter()
            .map(|(id, (_, e))| CachedSession {
                session_id: id.clone(),
                peer: e.peer.clone(),
                remote: e.remote,
                command_code: e.message.header.command_code,
                age: now.saturating_duration_since(e.at),
            })
            .filter(|s| s.age < self.ttl)
            .collect();
        out.sort_by(|a, b| a.age.cmp(&b.age).then(a.session_id.cmp(&b.session_id)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diameter_runtime::message::Avp;
    use diameter_runtime::wire::{CommandFlags, Value};

    fn request(code: u32, session: &str, extra: &[(u32, u32)]) -> Message {
        let mut m = Message::new(code, 4, CommandFlags::REQUEST);
        m.avps
            .push(Avp::new(263, 0, true, &Value::Utf8String(session.into())));
        for (c, v) in extra {
            m.avps.push(Avp::new(*c, 0, true, &Value::Unsigned32(*v)));
        }
        Message::decode(m.encode()).unwrap()
    }

    fn ccr(session: &str, kind: u32) -> Message {
        request(272, session, &[(416, kind)])
    }

    #[test]
    fn keeps_the_last_request_of_a_session_and_its_peer() {
        let cache = RequestCache::default();
        let remote = Some("127.0.0.1:4000".parse().unwrap());
        cache.insert("s1", ccr("s1", 1), "client.a", remote);
        cache.insert("s1", ccr("s1", 2), "client.b", None);
        let got = cache.get("s1").unwrap();
        assert_eq!(got.peer, "client.b");
        assert_eq!(got.remote, None);
        assert_eq!(base::u32_of(&got.message, 416), Some(2));
        assert_eq!(cache.len(), 1);
        assert!(cache.get("s2").is_none());
        assert!(cache.remove("s1"));
        assert!(!cache.remove("s1"));
        assert!(cache.is_empty());
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = RequestCache::new(10, Duration::from_secs(60));
        let t0 = Instant::now();
        cache.insert_at("old", ccr("old", 1), "p", None, t0);
        cache.insert_at(
            "new",
            ccr("new", 1),
            "p",
            None,
            t0 + Duration::from_secs(50),
        );
        let later = t0 + Duration::from_secs(70);
        assert!(cache.get_at("old", later).is_none());
        assert!(cache.get_at("new", later).is_some());
        let listed: Vec<String> = cache
            .list_at(later)
            .into_iter()
            .map(|s| s.session_id)
            .collect();
        assert_eq!(listed, ["new"]);
        // The next insertion evicts the expired entry.
        cache.insert_at("third", ccr("third", 1), "p", None, later);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn the_oldest_sessions_go_when_full() {
        let cache = RequestCache::new(3, DEFAULT_TTL);
        let t0 = Instant::now();
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            cache.insert_at(
                id,
                ccr(id, 1),
                "p",
                None,
                t0 + Duration::from_secs(i as u64),
            );
        }
        // Refreshing `a` makes `b` the oldest.
        cache.insert_at("a", ccr("a", 2), "p", None, t0 + Duration::from_secs(3));
        cache.insert_at("d", ccr("d", 1), "p", None, t0 + Duration::from_secs(4));
        assert_eq!(cache.len(), 3);
        let now = t0 + Duration::from_secs(5);
        assert!(cache.get_at("b", now).is_none());
        for id in ["a", "c", "d"] {
            assert!(cache.get_at(id, now).is_some(), "{id}");
        }
        let order: Vec<String> = cache
            .list_at(now)
            .into_iter()
            .map(|s| s.session_id)
            .collect();
        assert_eq!(order, ["d", "a", "c"]);
    }

    #[test]
    fn order_log_stays_bounded_under_refreshes() {
        let cache = RequestCache::new(2, DEFAULT_TTL);
        for n in 0..100 {
            cache.insert("same", ccr("same", 2), "p", None);
            assert!(cache.lock().order.len() <= 5, "after {n} refreshes");
        }
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn which_requests_end_a_session() {
        assert!(!ends_session(&ccr("s", 1)));
        assert!(!ends_session(&ccr("s", 2)));
        assert!(ends_session(&ccr("s", 3)));
        assert!(ends_session(&ccr("s", 4)));
        assert!(ends_session(&request(275, "s", &[])));
        assert!(ends_session(&request(271, "s", &[(480, 4)])));
        assert!(!ends_session(&request(271, "s", &[(480, 2)])));
        assert!(!ends_session(&request(258, "s", &[])));
        assert_eq!(session_id(&ccr("abc;1", 1)).as_deref(), Some("abc;1"));
        assert_eq!(session_id(&Message::new(272, 4, 0x80)), None);
    }
}
