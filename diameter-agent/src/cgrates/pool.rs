//! A connection pool (one `rpc_conns` entry): its addresses and the strategy choosing
//! among them, as CGRateS' rpcclient pools do.
//!
//! * `*first`: the addresses in order, every call: the first one that is up answers, so
//!   calls return to the first address as soon as it is reachable again.
//! * `*next`: round robin: each call starts one address further, then goes on in order.
//! * `*random`: the addresses in a random order.
//! * `*first_positive`: in order, until one answers without error (engine errors too).
//! * `*broadcast`: every address at once; the first answer wins, the others still run.
//!
//! Only connection errors and timeouts move a call to the next address (and
//! `*first_positive` moves on after any error); an engine's error text is the answer.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc;

use super::client::Client;
use super::error::CallError;
use crate::config::Strategy;

/// The addresses of one connection id and how calls choose among them.
#[derive(Debug)]
pub struct Pool {
    id: String,
    strategy: Strategy,
    clients: Vec<Arc<Client>>,
    counter: AtomicUsize,
    seed: AtomicU64,
}

impl Pool {
    /// A pool named `id` (for logs).
    pub fn new(id: impl Into<String>, strategy: Strategy, clients: Vec<Client>) -> Pool {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
            | 1;
        Pool {
            id: id.into(),
            strategy,
            clients: clients.into_iter().map(Arc::new).collect(),
            counter: AtomicUsize::new(0),
            seed: AtomicU64::new(seed),
        }
    }

    /// The connection id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The addresses.
    pub fn clients(&self) -> &[Arc<Client>] {
        &self.clients
    }

    /// Dial every address (all at once) and wait for the first attempts; the number
    /// connected.
    pub async fn connect(&self) -> usize {
        let attempts: Vec<_> = self
            .clients
            .iter()
            .map(|client| {
                let client = client.clone();
                tokio::spawn(async move { client.connect().await })
            })
            .collect();
        let mut connected = 0;
        for attempt in attempts {
            if attempt.await.unwrap_or(false) {
                connected += 1;
            }
        }
        connected
    }

    /// Call `method` by the pool's strategy.
    pub async fn call(&self, method: &str, params: &Value) -> Result<Value, CallError> {
        if self.strategy == Strategy::Broadcast {
            return self.broadcast(method, params).await;
        }
        let mut last = CallError::Disconnected(format!("<{}> has no connection", self.id));
        for index in self.order() {
            match self.clients[index].call(method, params).await {
                Err(e) if e.fails_over() || self.strategy == Strategy::FirstPositive => {
                    tracing::debug!(
                        "<CGRateS> {method} on {}: {e:?}, trying the next connection",
                        self.clients[index].address()
                    );
                    last = e;
                }
                outcome => return outcome,
            }
        }
        Err(last)
    }

    /// The indexes of the addresses in the order this call tries them.
    fn order(&self) -> Vec<usize> {
        let n = self.clients.len();
        let mut order: Vec<usize> = (0..n).collect();
        match self.strategy {
            Strategy::Next if n > 0 => {
                let start = self.counter.fetch_add(1, Ordering::Relaxed) % n;
                order.rotate_left(start);
            }
            Strategy::Random => {
                for i in (1..n).rev() {
                    let j = (self.random() % (i as u64 + 1)) as usize;
                    order.swap(i, j);
                }
            }
            _ => {}
        }
        order
    }

    /// xorshift64: enough to spread calls, no cryptographic use.
    fn random(&self) -> u64 {
        let mut x = self.seed.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.store(x, Ordering::Relaxed);
        x
    }

    async fn broadcast(&self, method: &str, params: &Value) -> Result<Value, CallError> {
        let (tx, mut rx) = mpsc::channel(self.clients.len().max(1));
        for client in &self.clients {
            let (client, tx) = (client.clone(), tx.clone());
            let (method, params) = (method.to_string(), params.clone());
            tokio::spawn(async move {
                let _ = tx.send(client.call(&method, &params).await).await;
            });
        }
        drop(tx);
        let mut last = CallError::Disconnected(format!("<{}> has no connection", self.id));
        while let Some(outcome) = rx.recv().await {
            match outcome {
                Err(e) if e.fails_over() => last = e,
                outcome => return outcome,
            }
        }
        Err(last)
    }
}
