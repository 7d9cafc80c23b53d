//! The engine: configuration, the writer thread, and the SessionS-shaped calls.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::Error;
use crate::event::{CgrEvent, Origin, RequestType};
use crate::load::{self, Dataset, LoadSummary};
use crate::query::Store;
use crate::request::{EventReply, Notice, Reply, Request};
use crate::schema::{self, Sync};
use crate::units::{DATA, SECOND, SMS, VOICE};
use crate::writer::{Job, Msg, Subscribers, Writer};

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Tenant of events that name none (`general.default_tenant`).
    pub default_tenant: String,
    /// Request type of events that name none (`general.default_request_type`).
    pub default_request_type: RequestType,
    /// Category of events that name none (`general.default_category`).
    pub default_category: String,
    /// Usage reserved by initiate and update when the event has no `Usage` and no
    /// `*sessionsDebitInterval` option, by ToR (ToR units).
    pub debit_intervals: BTreeMap<String, i64>,
    /// Debit interval of ToRs not in `debit_intervals`.
    pub default_debit_interval: i64,
    /// What authorize asks for when the event has no `Usage` (`sessions.max_call_duration`).
    pub max_call_duration: i64,
    /// Sessions without news for this long are terminated (`*sessionsTTL` overrides; zero
    /// means never).
    pub session_ttl: Duration,
    /// How often expired sessions are looked for.
    pub reap_interval: Duration,
    /// How long a disconnected session may still send its final report.
    pub disconnect_grace: Duration,
    /// Whether terminate (and the TTL reaper) store a CDR of the session.
    pub cdr_on_terminate: bool,
    /// Disk flush of commits.
    pub sync: Sync,
    /// Most requests committed together.
    pub max_batch: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            default_tenant: "cgrates.org".into(),
            default_request_type: RequestType::Rated,
            default_category: "call".into(),
            debit_intervals: BTreeMap::from([
                (VOICE.to_owned(), 300 * SECOND),
                (DATA.to_owned(), 1 << 20),
                (SMS.to_owned(), 1),
            ]),
            default_debit_interval: 300 * SECOND,
            max_call_duration: 3 * 3600 * SECOND,
            session_ttl: Duration::from_secs(3600),
            reap_interval: Duration::from_secs(1),
            disconnect_grace: Duration::from_secs(30),
            cdr_on_terminate: false,
            sync: Sync::Full,
            max_batch: 1024,
        }
    }
}

impl EngineConfig {
    /// The debit interval of `tor`.
    pub fn debit_interval(&self, tor: &str) -> i64 {
        self.debit_intervals
            .get(tor)
            .copied()
            .unwrap_or(self.default_debit_interval)
    }
}

/// The embedded charging engine. Thread-safe: every method may be called from any thread;
/// the calls block until their transaction is committed (use [`Engine::submit`] to be told
/// instead). Requests arriving together are committed together.
pub struct Engine {
    tx: Sender<Msg>,
    writer: Option<JoinHandle<()>>,
    subscribers: Subscribers,
    path: PathBuf,
    config: Arc<EngineConfig>,
}

impl Engine {
    /// Open (creating and migrating if needed) the database at `path` and start the writer.
    pub fn open(path: impl AsRef<Path>, config: EngineConfig) -> Result<Engine, Error> {
        let path = path.as_ref().to_owned();
        let conn = schema::open_writer(&path, config.sync)?;
        let config = Arc::new(config);
        let subscribers: Subscribers = Arc::default();
        let writer = Writer::new(conn, &path, config.clone(), subscribers.clone())?;
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("charging-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| Error::Storage(format!("cannot start the writer thread: {e}")))?;
        Ok(Engine {
            tx,
            writer: Some(handle),
            subscribers,
            path,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Queue `request`; `done` is called with the outcome on an engine thread once it is
    /// committed and flushed (keep it short: send it somewhere, or submit a next request). This is the non-blocking entry point
    /// for async callers (e.g. with a oneshot channel).
    pub fn submit(
        &self,
        request: Request,
        done: impl FnOnce(Result<Reply, Error>) + Send + 'static,
    ) {
        self.handle().submit(request, done)
    }

    /// A cheap, clonable handle that submits requests to this engine (and does not keep it
    /// running: once the engine is dropped, submissions fail with [`Error::Stopped`]).
    pub fn handle(&self) -> Handle {
        Handle {
            tx: self.tx.clone(),
        }
    }

    /// Send `request` and wait for its committed outcome.
    pub fn call(&self, request: Request) -> Result<Reply, Error> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.submit(request, move |result| {
            let _ = tx.send(result);
        });
        rx.recv().unwrap_or(Err(Error::Stopped))
    }

    fn max_usage(&self, request: Request) -> Result<i64, Error> {
        match self.call(request)? {
            Reply::MaxUsage(ns) => Ok(ns),
            other => unreachable!("MaxUsage expected, got {other:?}"),
        }
    }

    /// `SessionSv1.AuthorizeEvent` with `GetMaxUsage`: the usage (ns) the account can pay
    /// for, up to `Usage` (else `max_call_duration`); 0 when out of credit. Non-prepaid
    /// request types get what they ask.
    pub fn authorize(&self, event: &CgrEvent) -> Result<i64, Error> {
        self.max_usage(Request::Authorize(event.clone()))
    }

    /// `SessionSv1.InitiateSession` with `InitSession`: open the session of `OriginHost` +
    /// `OriginID` and reserve `Usage` (else the debit interval), capped by credit for
    /// *prepaid; returns the grant (0 when out of credit: no session is opened). A repeated
    /// initiate returns the open session's grant.
    pub fn initiate(&self, event: &CgrEvent) -> Result<i64, Error> {
        self.max_usage(Request::Initiate(event.clone()))
    }

    /// `SessionSv1.UpdateSession` with `UpdateSession`: debit `LastUsed` (else the whole
    /// last grant), reserve the next `Usage` (else the debit interval); returns the grant.
    pub fn update(&self, event: &CgrEvent) -> Result<i64, Error> {
        self.max_usage(Request::Update(event.clone()))
    }

    /// `SessionSv1.TerminateSession` with `TerminateSession`: debit `LastUsed` (else
    /// `Usage` minus what was debited), release the reservation, close the session.
    pub fn terminate(&self, event: &CgrEvent) -> Result<(), Error> {
        self.call(Request::Terminate(event.clone())).map(|_| ())
    }

    /// `SessionSv1.ProcessMessage` with `Debit`: charge `Usage` now (capped by credit for
    /// *prepaid); returns the usage debited (0 when out of credit).
    pub fn process_message(&self, event: &CgrEvent) -> Result<i64, Error> {
        self.max_usage(Request::Message(event.clone()))
    }

    /// `SessionSv1.ProcessEvent` with `Flags`.
    pub fn process_event(&self, event: &CgrEvent, flags: &[String]) -> Result<EventReply, Error> {
        match self.call(Request::Event {
            event: event.clone(),
            flags: flags.to_vec(),
        })? {
            Reply::Event(reply) => Ok(reply),
            other => unreachable!("Event reply expected, got {other:?}"),
        }
    }

    /// `SessionSv1.ProcessCDR`: store the CDR of the event's origin.
    pub fn process_cdr(&self, event: &CgrEvent) -> Result<(), Error> {
        self.call(Request::Cdr(event.clone())).map(|_| ())
    }

    /// Store accounts and tariffs.
    pub fn load(&self, data: Dataset) -> Result<LoadSummary, Error> {
        match self.call(Request::Load(data))? {
            Reply::Loaded(summary) => Ok(summary),
            other => unreachable!("Loaded expected, got {other:?}"),
        }
    }

    /// Read a JSON or CSV file of accounts or tariffs and store it.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<LoadSummary, Error> {
        let data = load::read_file(path.as_ref(), &self.config.default_tenant)?;
        self.load(data)
    }

    /// Ask for a session to end: its next update gets no grant, subscribers get a
    /// [`Notice`], and it is terminated after `disconnect_grace` if no terminate arrives.
    pub fn disconnect_session(&self, origin: &Origin, reason: &str) -> Result<(), Error> {
        self.call(Request::Disconnect {
            origin: origin.clone(),
            reason: reason.to_owned(),
        })
        .map(|_| ())
    }

    /// Terminate the sessions whose TTL passed now (the engine also does it every
    /// `reap_interval`); returns how many.
    pub fn reap_expired(&self) -> Result<usize, Error> {
        match self.call(Request::Reap)? {
            Reply::Reaped(n) => Ok(n),
            other => unreachable!("Reaped expected, got {other:?}"),
        }
    }

    /// Receive the engine's [`Notice`]s (sessions it wants disconnected).
    pub fn subscribe(&self) -> Receiver<Notice> {
        let (tx, rx) = mpsc::channel();
        self.subscribers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(tx);
        rx
    }

    /// A read-only view of the database (accounts, CDRs, sessions).
    pub fn store(&self) -> Result<Store, Error> {
        Store::open(&self.path)
    }
}

/// Submits requests to an [`Engine`] from anywhere, e.g. from inside a `done` callback.
#[derive(Clone)]
pub struct Handle {
    tx: Sender<Msg>,
}

impl Handle {
    /// See [`Engine::submit`].
    pub fn submit(
        &self,
        request: Request,
        done: impl FnOnce(Result<Reply, Error>) + Send + 'static,
    ) {
        let job = Job {
            request,
            done: Box::new(done),
        };
        if let Err(mpsc::SendError(Msg::Job(job))) = self.tx.send(Msg::Job(job)) {
            (job.done)(Err(Error::Stopped));
        }
    }
}

impl Drop for Engine {
    /// Finish the queued requests, then stop the writer.
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(handle) = self.writer.take() {
            let _ = handle.join();
        }
    }
}
