//! A test CGRateS engine: JSON-RPC (Go `net/rpc/jsonrpc` framing, one JSON object per line)
//! on a loopback port. It records the calls it receives, answers them with canned replies
//! and, on bidirectional links, calls the agent back (`AgentV1.*`).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

/// How long the helpers wait for something to happen.
pub const WAIT: Duration = Duration::from_secs(10);

/// One call received: method and its only parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineCall {
    pub method: String,
    pub params: Value,
}

#[derive(Default)]
struct State {
    calls: Mutex<Vec<EngineCall>>,
    replies: Mutex<HashMap<String, Result<Value, String>>>,
    /// Receive calls without ever answering them.
    silent: AtomicBool,
    arrived: Notify,
    /// Writers of the open links (for calls to the agent).
    links: Mutex<Vec<mpsc::Sender<String>>>,
    /// Our calls to the agent waiting for their reply.
    waiting: Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>,
    next_id: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    connected: Notify,
}

/// A running test engine; [`TestEngine::stop`] (or drop) closes it and its links.
pub struct TestEngine {
    addr: SocketAddr,
    state: Arc<State>,
}

/// The reply CGRateS gives to `method` when nothing special is asked.
fn default_reply(method: &str) -> Result<Value, String> {
    match method {
        "SessionSv1.TerminateSession" | "SessionSv1.ProcessCDR" => Ok(json!("OK")),
        "SessionSv1.ProcessEvent" => Ok(json!({"MaxUsage": {"*default": 300_000_000_000i64}})),
        m if m.starts_with("SessionSv1.") => Ok(json!({"MaxUsage": 300_000_000_000i64})),
        m => Err(format!("rpc: can't find service {m}")),
    }
}

impl TestEngine {
    /// An engine on a free loopback port.
    pub async fn start() -> TestEngine {
        TestEngine::start_on("127.0.0.1:0".parse().unwrap()).await
    }

    /// An engine on `addr` (to restart one where it was), waiting for the port if needed.
    pub async fn start_on(addr: SocketAddr) -> TestEngine {
        let listener = tokio::time::timeout(WAIT, async {
            loop {
                let socket = TcpSocket::new_v4().unwrap();
                socket.set_reuseaddr(true).unwrap();
                match socket.bind(addr).and_then(|()| socket.listen(64)) {
                    Ok(listener) => return listener,
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        })
        .await
        .expect("the port frees");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            next_id: AtomicU64::new(100),
            ..State::default()
        });
        let task = tokio::spawn(accept(listener, state.clone()));
        state.tasks.lock().unwrap().push(task);
        TestEngine { addr, state }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answer `method` with `reply` from now on.
    pub fn reply(&self, method: &str, reply: Result<Value, String>) {
        self.state
            .replies
            .lock()
            .unwrap()
            .insert(method.to_string(), reply);
    }

    /// Receive calls but never answer them.
    pub fn go_silent(&self) {
        self.state.silent.store(true, Ordering::SeqCst);
    }

    /// The calls received so far.
    pub fn calls(&self) -> Vec<EngineCall> {
        self.state.calls.lock().unwrap().clone()
    }

    /// The methods called so far.
    pub fn methods(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.method).collect()
    }

    /// Wait (bounded) until `n` calls arrived; returns them.
    pub async fn wait_calls(&self, n: usize) -> Vec<EngineCall> {
        tokio::time::timeout(WAIT, async {
            loop {
                let arrived = self.state.arrived.notified();
                let calls = self.calls();
                if calls.len() >= n {
                    return calls;
                }
                arrived.await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{n} calls expected, got {:?}", self.calls()))
    }

    /// Wait (bounded) until an agent is connected.
    pub async fn wait_link(&self) {
        tokio::time::timeout(WAIT, async {
            loop {
                let connected = self.state.connected.notified();
                if !self.state.links.lock().unwrap().is_empty() {
                    return;
                }
                connected.await;
            }
        })
        .await
        .expect("the agent connects")
    }

    /// Call the agent on the latest link (bidirectional mode), as SessionS does.
    pub async fn call_agent(&self, method: &str, params: Value) -> Result<Value, String> {
        self.wait_link().await;
        let link = self.state.links.lock().unwrap().last().cloned().unwrap();
        let id = self.state.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = oneshot::channel();
        self.state.waiting.lock().unwrap().insert(id, tx);
        let frame = json!({"method": method, "params": [params], "id": id});
        link.send(format!("{frame}\n")).await.unwrap();
        tokio::time::timeout(WAIT, rx)
            .await
            .expect("the agent answers")
            .unwrap()
    }

    /// Close the listener and every link.
    pub fn stop(self) {}
}

impl Drop for TestEngine {
    fn drop(&mut self) {
        for task in self.state.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
        self.state.links.lock().unwrap().clear();
    }
}

async fn accept(listener: TcpListener, state: Arc<State>) {
    while let Ok((stream, _)) = listener.accept().await {
        let (read, mut write) = stream.into_split();
        let (tx, mut rx) = mpsc::channel::<String>(64);
        let writer = tokio::spawn(async move {
            while let Some(frame) = rx.recv().await {
                if write.write_all(frame.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        let reader = tokio::spawn(serve_link(read, tx.clone(), state.clone()));
        let mut tasks = state.tasks.lock().unwrap();
        tasks.push(writer);
        tasks.push(reader);
        drop(tasks);
        state.links.lock().unwrap().push(tx);
        state.connected.notify_waiters();
    }
}

async fn serve_link(
    read: tokio::net::tcp::OwnedReadHalf,
    link: mpsc::Sender<String>,
    state: Arc<State>,
) {
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        let frame: Value = serde_json::from_str(&line).expect("one JSON object per line");
        if let Some(method) = frame["method"].as_str() {
            let params = frame["params"].as_array().expect("params is a list");
            assert_eq!(params.len(), 1, "Go's codec sends one parameter: {frame}");
            state.calls.lock().unwrap().push(EngineCall {
                method: method.to_string(),
                params: params[0].clone(),
            });
            state.arrived.notify_waiters();
            if state.silent.load(Ordering::SeqCst) {
                continue;
            }
            let reply = state
                .replies
                .lock()
                .unwrap()
                .get(method)
                .cloned()
                .unwrap_or_else(|| default_reply(method));
            let answer = match reply {
                Ok(result) => json!({"id": frame["id"], "result": result, "error": null}),
                Err(error) => json!({"id": frame["id"], "result": null, "error": error}),
            };
            if link.send(format!("{answer}\n")).await.is_err() {
                break;
            }
        } else {
            let id = frame["id"].as_u64().expect("the agent echoes our id");
            let outcome = match &frame["error"] {
                Value::Null => Ok(frame["result"].clone()),
                Value::String(e) => Err(e.clone()),
                other => panic!("error must be a string or null: {other}"),
            };
            if let Some(tx) = state.waiting.lock().unwrap().remove(&id) {
                let _ = tx.send(outcome);
            }
        }
    }
}
