//! Per-peer statistics: messages per command and direction, request latencies per
//! command, and Result-Code classes of the answers.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

/// Latencies of one command: how many, their sum and the largest, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Latency {
    /// Measurements.
    pub count: u64,
    /// Sum, in microseconds.
    pub total_us: u64,
    /// Largest, in microseconds.
    pub max_us: u64,
}

impl Latency {
    /// The average, in microseconds.
    pub fn average_us(&self) -> u64 {
        self.total_us.checked_div(self.count).unwrap_or(0)
    }

    fn add(&mut self, d: Duration) {
        let us = d.as_micros() as u64;
        self.count += 1;
        self.total_us += us;
        self.max_us = self.max_us.max(us);
    }
}

/// Counters of one direction, per command code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Requests, per command code.
    pub requests: BTreeMap<u32, u64>,
    /// Answers, per command code.
    pub answers: BTreeMap<u32, u64>,
    /// Answers by Result-Code class: `"2xxx"`, `"3xxx"`, ... (`"none"` without one).
    pub result_classes: BTreeMap<&'static str, u64>,
}

/// A snapshot of one peer's statistics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PeerStats {
    /// The peer's DiameterIdentity.
    pub host: String,
    /// Whether the peer takes requests now.
    pub ready: bool,
    /// Messages sent.
    pub sent: Counters,
    /// Messages received.
    pub received: Counters,
    /// Time from sending a request to its answer, per command code.
    pub request_latency: BTreeMap<u32, Latency>,
    /// Time a local handler took to answer, per command code.
    pub processing_time: BTreeMap<u32, Latency>,
    /// Requests that got no answer in time.
    pub timeouts: u64,
    /// Received frames that could not be decoded.
    pub decode_errors: u64,
    /// Connections established (CER/CEA completed).
    pub connections: u64,
    /// Why the last attempt to connect to the peer failed (refused, TLS handshake
    /// refused, ...); cleared when a connection opens.
    pub last_connect_error: Option<String>,
}

/// The live statistics of one peer.
#[derive(Debug, Default)]
pub(crate) struct StatsCell(Mutex<PeerStats>);

fn class(result_code: Option<u32>) -> &'static str {
    match result_code {
        Some(1000..=1999) => "1xxx",
        Some(2000..=2999) => "2xxx",
        Some(3000..=3999) => "3xxx",
        Some(4000..=4999) => "4xxx",
        Some(5000..=5999) => "5xxx",
        Some(_) => "other",
        None => "none",
    }
}

impl StatsCell {
    pub(crate) fn new(host: &str) -> Self {
        StatsCell(Mutex::new(PeerStats {
            host: host.to_string(),
            ..PeerStats::default()
        }))
    }

    fn with(&self, f: impl FnOnce(&mut PeerStats)) {
        if let Ok(mut s) = self.0.lock() {
            f(&mut s);
        }
    }

    pub(crate) fn sent(&self, command: u32, request: bool, result_code: Option<u32>) {
        self.with(|s| count(&mut s.sent, command, request, result_code));
    }

    pub(crate) fn received(&self, command: u32, request: bool, result_code: Option<u32>) {
        self.with(|s| count(&mut s.received, command, request, result_code));
    }

    pub(crate) fn answered(&self, command: u32, result_code: Option<u32>, latency: Duration) {
        self.with(|s| {
            count(&mut s.received, command, false, result_code);
            s.request_latency.entry(command).or_default().add(latency);
        });
    }

    pub(crate) fn processed(&self, command: u32, result_code: Option<u32>, time: Duration) {
        self.with(|s| {
            count(&mut s.sent, command, false, result_code);
            s.processing_time.entry(command).or_default().add(time);
        });
    }

    pub(crate) fn timeout(&self) {
        self.with(|s| s.timeouts += 1);
    }

    pub(crate) fn decode_error(&self) {
        self.with(|s| s.decode_errors += 1);
    }

    pub(crate) fn connected(&self) {
        self.with(|s| {
            s.connections += 1;
            s.last_connect_error = None;
        });
    }

    pub(crate) fn connect_failed(&self, error: String) {
        self.with(|s| s.last_connect_error = Some(error));
    }

    pub(crate) fn snapshot(&self, ready: bool) -> PeerStats {
        let mut s = self.0.lock().map(|s| s.clone()).unwrap_or_default();
        s.ready = ready;
        s
    }
}

fn count(c: &mut Counters, command: u32, request: bool, result_code: Option<u32>) {
    if request {
        *c.requests.entry(command).or_default() += 1;
    } else {
        *c.answers.entry(command).or_default() += 1;
        *c.result_classes.entry(class(result_code)).or_default() += 1;
    }
}
