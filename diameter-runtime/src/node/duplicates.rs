//! Duplicate detection of T-flagged requests (RFC 6733 §5.5.4): a bounded window of
//! recently answered requests, keyed by Origin-Host and End-to-End Identifier, holding
//! the answer that went out.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use bytes::Bytes;

type Key = (u64, u32);

/// Recently answered requests.
#[derive(Debug)]
pub(crate) struct Duplicates {
    capacity: usize,
    inner: Mutex<Window>,
}

#[derive(Debug, Default)]
struct Window {
    answers: HashMap<Key, Bytes>,
    order: VecDeque<Key>,
}

fn key(origin_host: &[u8], end_to_end: u32) -> Key {
    let mut h = DefaultHasher::new();
    for b in origin_host {
        b.to_ascii_lowercase().hash(&mut h);
    }
    (h.finish(), end_to_end)
}

impl Duplicates {
    pub(crate) fn new(capacity: usize) -> Self {
        Duplicates {
            capacity,
            inner: Mutex::new(Window::default()),
        }
    }

    /// Remember the answer to the request `(origin_host, end_to_end)`.
    pub(crate) fn remember(&self, origin_host: &[u8], end_to_end: u32, answer: Bytes) {
        if self.capacity == 0 {
            return;
        }
        let k = key(origin_host, end_to_end);
        let Ok(mut w) = self.inner.lock() else {
            return;
        };
        if w.answers.insert(k, answer).is_none() {
            w.order.push_back(k);
        }
        while w.order.len() > self.capacity {
            if let Some(old) = w.order.pop_front() {
                w.answers.remove(&old);
            }
        }
    }

    /// The answer already sent to this request, if it is in the window.
    pub(crate) fn lookup(&self, origin_host: &[u8], end_to_end: u32) -> Option<Bytes> {
        let k = key(origin_host, end_to_end);
        self.inner.lock().ok()?.answers.get(&k).cloned()
    }
}
