//! The writer thread: owns the read-write connection, applies requests in batches (one
//! transaction per batch, one savepoint per request) and answers only after the commit.
//!
//! With [`Sync::Full`] a committed batch goes to a flush thread, which `fdatasync`s the
//! write-ahead log and only then answers; meanwhile the writer applies the next batch, and
//! one flush covers every batch committed since the previous flush. Answers and notices
//! therefore come from the flush thread (or from the writer thread with [`Sync::Normal`]).
//!
//! Balances, open sessions and tariffs are cached in memory; the writer is the only one
//! changing them through this connection, and `PRAGMA data_version` (read at the start of
//! each batch) tells it when another connection (an `accounts load` from another process)
//! committed, in which case the caches are dropped and read again.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use crate::account::{Balances, Charge};
use crate::engine::EngineConfig;
use crate::error::Error;
use crate::event::{field, request_number, CgrEvent, Origin, RequestType, Subject};
use crate::load::{Dataset, LoadSummary};
use crate::request::{DisconnectReason, EventReply, Notice, Reply, Request, RUN_ID};
use crate::schema::Sync;
use crate::store::{self, CdrRow, Entry, Session};
use crate::tariff::{Tariff, TariffIndex};
use crate::units::parse_money;

/// Called once with the outcome, on the writer thread, after the commit.
pub(crate) type Done = Box<dyn FnOnce(Result<Reply, Error>) + Send>;

/// A request and where its answer goes.
pub(crate) struct Job {
    pub request: Request,
    pub done: Done,
}

/// What the writer thread receives.
pub(crate) enum Msg {
    Job(Job),
    Stop,
}

/// Subscribers to [`Notice`]s.
pub(crate) type Subscribers = Arc<Mutex<Vec<Sender<Notice>>>>;

type AccountKey = (String, String);

/// A cache change to take back when a request's savepoint is rolled back.
enum Undo {
    Account(AccountKey, Option<Balances>),
    Session(Origin, Option<Session>),
    Tariffs(TariffIndex),
}

/// Outcomes committed but not yet flushed to the disk, and their notices.
struct Committed {
    outcomes: Vec<(Done, Result<Reply, Error>)>,
    notices: Vec<Notice>,
}

/// The thread that flushes the write-ahead log and then answers (with [`Sync::Full`]).
struct Flusher {
    tx: Option<Sender<Committed>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Flusher {
    /// Start flushing `wal` (the database's `-wal` file, opened when first needed).
    fn start(wal: PathBuf, subscribers: Subscribers) -> Result<Flusher, Error> {
        let (tx, rx) = mpsc::channel::<Committed>();
        let thread = std::thread::Builder::new()
            .name("charging-flush".into())
            .spawn(move || {
                let mut file: Option<File> = None;
                while let Ok(first) = rx.recv() {
                    let mut batches = vec![first];
                    batches.extend(rx.try_iter());
                    let flushed = flush(&mut file, &wal);
                    for batch in batches {
                        let outcomes = batch.outcomes.into_iter().map(|(done, result)| {
                            let result = match &flushed {
                                Ok(()) => result,
                                Err(e) => Err(e.clone()),
                            };
                            (done, result)
                        });
                        deliver(outcomes, batch.notices, &subscribers);
                    }
                }
            })
            .map_err(|e| Error::Storage(format!("cannot start the flush thread: {e}")))?;
        Ok(Flusher {
            tx: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Flusher {
    /// Flush and answer what is pending, then stop.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `fdatasync` the write-ahead log: every transaction committed into it is then durable
/// (this is what `synchronous=FULL` does at each commit, here once for many commits).
fn flush(file: &mut Option<File>, wal: &Path) -> Result<(), Error> {
    let failed =
        |e: std::io::Error| Error::Storage(format!("flush of {} failed: {e}", wal.display()));
    if file.is_none() {
        *file = Some(File::open(wal).map_err(failed)?);
    }
    file.as_ref()
        .expect("opened above")
        .sync_data()
        .map_err(failed)
}

/// Answer requests and publish notices (after their changes are committed and flushed).
fn deliver(
    outcomes: impl IntoIterator<Item = (Done, Result<Reply, Error>)>,
    notices: Vec<Notice>,
    subscribers: &Subscribers,
) {
    for (done, result) in outcomes {
        done(result);
    }
    if notices.is_empty() {
        return;
    }
    let mut subscribers = subscribers.lock().unwrap_or_else(|p| p.into_inner());
    subscribers.retain(|tx| notices.iter().all(|n| tx.send(n.clone()).is_ok()));
}

pub(crate) struct Writer {
    /// Declared first: dropped (flushing what is pending) before the connection closes.
    flusher: Option<Flusher>,
    conn: Connection,
    config: Arc<EngineConfig>,
    accounts: HashMap<AccountKey, Balances>,
    sessions: HashMap<Origin, Session>,
    tariffs: TariffIndex,
    data_version: i64,
    undo: Vec<Undo>,
    notices: Vec<Notice>,
    subscribers: Subscribers,
}

/// Nanoseconds since the Unix epoch.
pub(crate) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

impl Writer {
    pub fn new(
        conn: Connection,
        path: &Path,
        config: Arc<EngineConfig>,
        subscribers: Subscribers,
    ) -> Result<Writer, Error> {
        let flusher = match config.sync {
            Sync::Full => {
                let mut wal = path.as_os_str().to_owned();
                wal.push("-wal");
                Some(Flusher::start(PathBuf::from(wal), subscribers.clone())?)
            }
            Sync::Normal => None,
        };
        let mut writer = Writer {
            flusher,
            conn,
            config,
            accounts: HashMap::new(),
            sessions: HashMap::new(),
            tariffs: TariffIndex::default(),
            data_version: 0,
            undo: Vec::new(),
            notices: Vec::new(),
            subscribers,
        };
        writer.reload()?;
        Ok(writer)
    }

    /// Drop the caches and read sessions and tariffs again.
    fn reload(&mut self) -> Result<(), Error> {
        self.accounts.clear();
        self.sessions = store::sessions(&self.conn)?.into_iter().collect();
        self.tariffs = TariffIndex::new(store::tariffs(&self.conn)?);
        self.data_version = self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))?;
        Ok(())
    }

    /// Serve requests until told to stop; reap expired sessions every `reap_interval`.
    pub fn run(mut self, rx: Receiver<Msg>) {
        let interval = self.config.reap_interval.max(Duration::from_millis(10));
        let mut next_reap = Instant::now() + interval;
        loop {
            let wait = next_reap.saturating_duration_since(Instant::now());
            let mut batch = Vec::new();
            let mut stop = false;
            match rx.recv_timeout(wait) {
                Ok(Msg::Job(job)) => batch.push(job),
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => stop = true,
                Err(RecvTimeoutError::Timeout) => {}
            }
            while !stop && !batch.is_empty() && batch.len() < self.config.max_batch {
                match rx.try_recv() {
                    Ok(Msg::Job(job)) => batch.push(job),
                    Ok(Msg::Stop) | Err(TryRecvError::Disconnected) => stop = true,
                    Err(TryRecvError::Empty) => break,
                }
            }
            if Instant::now() >= next_reap {
                next_reap = Instant::now() + interval;
                let now = now_ns();
                if self.sessions.values().any(|s| s.expires_at <= now) {
                    batch.push(Job {
                        request: Request::Reap,
                        done: Box::new(|result| {
                            if let Err(e) = result {
                                tracing::warn!("session reaper failed: {e}");
                            }
                        }),
                    });
                }
            }
            if !batch.is_empty() {
                self.run_batch(batch);
            }
            if stop {
                break;
            }
        }
    }

    /// Apply a batch in one transaction; answer every request after the commit.
    fn run_batch(&mut self, batch: Vec<Job>) {
        if let Err(e) = self.begin() {
            for job in batch {
                (job.done)(Err(e.clone()));
            }
            return;
        }
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut lost = None;
        for job in batch {
            if lost.is_some() {
                outcomes.push((job.done, Err(Error::Storage("transaction aborted".into()))));
                continue;
            }
            let result = self.apply_in_savepoint(job.request);
            if self.conn.is_autocommit() {
                // SQLite rolled the whole transaction back (I/O error, disk full, ...).
                lost = Some(Error::Storage(
                    "transaction rolled back by the database".into(),
                ));
            }
            outcomes.push((job.done, result));
        }
        let committed = match lost {
            Some(e) => Err(e),
            None => self.exec("COMMIT").map_err(Error::from),
        };
        match committed {
            Ok(()) => {
                self.undo.clear();
                let notices = std::mem::take(&mut self.notices);
                match self.flusher.as_ref().and_then(|f| f.tx.as_ref()) {
                    Some(tx) => {
                        let _ = tx.send(Committed { outcomes, notices });
                    }
                    None => deliver(outcomes, notices, &self.subscribers),
                }
            }
            Err(e) => {
                tracing::error!("charging batch of {} lost: {e}", outcomes.len());
                let _ = self.conn.execute_batch("ROLLBACK");
                self.undo.clear();
                self.notices.clear();
                if let Err(reload) = self.reload() {
                    tracing::error!("charging caches not reloaded: {reload}");
                }
                for (done, _) in outcomes {
                    done(Err(e.clone()));
                }
            }
        }
    }

    fn begin(&mut self) -> Result<(), Error> {
        self.exec("BEGIN IMMEDIATE")?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))?;
        if version != self.data_version {
            if let Err(e) = self.reload() {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        Ok(())
    }

    fn apply_in_savepoint(&mut self, request: Request) -> Result<Reply, Error> {
        self.exec("SAVEPOINT request")?;
        let undo_mark = self.undo.len();
        let notice_mark = self.notices.len();
        let result = self.apply(request);
        let closed = match &result {
            Ok(_) => self.exec("RELEASE request"),
            Err(_) => self
                .exec("ROLLBACK TO request")
                .and_then(|()| self.exec("RELEASE request")),
        };
        let result = match closed {
            Ok(()) => result,
            Err(e) => Err(Error::from(e)),
        };
        if result.is_err() {
            self.notices.truncate(notice_mark);
            while self.undo.len() > undo_mark {
                match self.undo.pop().expect("len checked") {
                    Undo::Account(key, Some(old)) => {
                        self.accounts.insert(key, old);
                    }
                    Undo::Account(key, None) => {
                        self.accounts.remove(&key);
                    }
                    Undo::Session(origin, Some(old)) => {
                        self.sessions.insert(origin, old);
                    }
                    Undo::Session(origin, None) => {
                        self.sessions.remove(&origin);
                    }
                    Undo::Tariffs(old) => self.tariffs = old,
                }
            }
        }
        result
    }

    /// Run a statement without parameters, prepared once.
    fn exec(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }

    fn apply(&mut self, request: Request) -> Result<Reply, Error> {
        match request {
            Request::Authorize(ev) => self.authorize(&ev).map(Reply::MaxUsage),
            Request::Initiate(ev) => self.initiate(&ev).map(Reply::MaxUsage),
            Request::Update(ev) => self.update(&ev).map(Reply::MaxUsage),
            Request::Terminate(ev) => self.terminate(&ev).map(|_| Reply::Ok),
            Request::Message(ev) => self
                .message(&ev)
                .map(|(granted, _)| Reply::MaxUsage(granted)),
            Request::Event { event, flags } => self.event(&event, &flags).map(Reply::Event),
            Request::Cdr(ev) => self.cdr(&ev, None).map(|_| Reply::Ok),
            Request::Load(data) => self.load(data).map(Reply::Loaded),
            Request::Disconnect { origin, reason } => {
                self.disconnect(&origin, reason).map(|_| Reply::Ok)
            }
            Request::Reap => self.reap().map(Reply::Reaped),
        }
    }

    // ---- cached state -------------------------------------------------------------------

    fn subject(&self, ev: &CgrEvent) -> Result<Subject, Error> {
        Subject::read(ev, &self.config)
    }

    fn balances(&mut self, tenant: &str, account: &str) -> Result<Balances, Error> {
        let key = (tenant.to_owned(), account.to_owned());
        if let Some(b) = self.accounts.get(&key) {
            return Ok(b.clone());
        }
        match store::balances(&self.conn, tenant, account)? {
            Some(b) => {
                self.accounts.insert(key, b.clone());
                Ok(b)
            }
            None => Err(Error::AccountNotFound {
                tenant: tenant.to_owned(),
                account: account.to_owned(),
            }),
        }
    }

    fn save_balances(&mut self, tenant: &str, account: &str, new: Balances) -> Result<(), Error> {
        let key = (tenant.to_owned(), account.to_owned());
        let old = self.accounts.get(&key).cloned().unwrap_or_default();
        store::save_balances(&self.conn, tenant, account, &old, &new)?;
        let previous = self.accounts.insert(key.clone(), new);
        self.undo.push(Undo::Account(key, previous));
        Ok(())
    }

    fn save_session(&mut self, origin: &Origin, session: Session) -> Result<(), Error> {
        store::save_session(&self.conn, origin, &session)?;
        let previous = self.sessions.insert(origin.clone(), session);
        self.undo.push(Undo::Session(origin.clone(), previous));
        Ok(())
    }

    fn close_session(&mut self, origin: &Origin) -> Result<(), Error> {
        store::delete_session(&self.conn, origin)?;
        let previous = self.sessions.remove(origin);
        self.undo.push(Undo::Session(origin.clone(), previous));
        Ok(())
    }

    fn tariff(&self, s: &Subject) -> Option<Arc<Tariff>> {
        self.tariffs
            .find(&s.tenant, &s.tor, &s.category, &s.destination)
            .cloned()
    }

    fn ledger(
        &self,
        origin: &Origin,
        step: &str,
        subject: &Subject,
        charge: &Charge,
        granted: i64,
    ) -> Result<(), Error> {
        store::ledger_put(
            &self.conn,
            &Entry {
                origin,
                step,
                subject,
                charge,
                granted,
                at: now_ns(),
            },
        )?;
        Ok(())
    }

    /// Usage asked for: `Usage`, else the debit interval (option, then configuration).
    fn wanted(&self, ev: &CgrEvent, tor: &str) -> Result<i64, Error> {
        if let Some(usage) = ev.duration(field::USAGE)? {
            return Ok(usage.max(0));
        }
        if let Some(interval) = ev.opt_duration(field::OPT_DEBIT_INTERVAL)? {
            return Ok(interval.max(0));
        }
        Ok(self.config.debit_interval(tor))
    }

    /// Usage the request type lets the account have, and what to hold for it.
    fn grant(
        &self,
        s: &Subject,
        b: &Balances,
        tariff: Option<&Tariff>,
        wanted: i64,
        fee_due: bool,
    ) -> (i64, Charge) {
        let affordable = b.max_usage(&s.tor, tariff, wanted, fee_due);
        let granted = if s.request_type.checks_credit() {
            affordable
        } else {
            wanted
        };
        let hold = if s.request_type.reserves() {
            b.charge(&s.tor, tariff, affordable, fee_due)
        } else {
            Charge::default()
        };
        (granted, hold)
    }

    // ---- SessionS calls ------------------------------------------------------------------

    fn authorize(&mut self, ev: &CgrEvent) -> Result<i64, Error> {
        let s = self.subject(ev)?;
        let wanted = match ev.duration(field::USAGE)? {
            Some(usage) => usage.max(0),
            None => self.config.max_call_duration,
        };
        if !s.request_type.checks_credit() {
            return Ok(wanted);
        }
        let b = self.balances(&s.tenant, &s.account)?;
        Ok(b.max_usage(&s.tor, self.tariff(&s).as_deref(), wanted, true))
    }

    fn initiate(&mut self, ev: &CgrEvent) -> Result<i64, Error> {
        let origin = Origin::read(ev)?;
        if let Some(session) = self.sessions.get(&origin) {
            return Ok(session.granted);
        }
        let s = self.subject(ev)?;
        let wanted = self.wanted(ev, &s.tor)?;
        if !s.request_type.debits() {
            return Ok(wanted);
        }
        let mut b = self.balances(&s.tenant, &s.account)?;
        let tariff = self.tariff(&s);
        let (granted, hold) = self.grant(&s, &b, tariff.as_deref(), wanted, true);
        if granted == 0 && s.request_type.checks_credit() {
            return Ok(0);
        }
        b.hold(&s.tor, &hold, 1);
        self.save_balances(&s.tenant, &s.account, b)?;
        let now = now_ns();
        let ttl = ev
            .opt_duration(field::OPT_TTL)?
            .unwrap_or(self.config.session_ttl.as_nanos() as i64);
        let session = Session {
            granted,
            reserved: hold,
            used: 0,
            cost: 0,
            fee_due: true,
            updates: 0,
            ttl,
            ttl_usage: ev.opt_duration(field::OPT_TTL_USAGE)?.unwrap_or(0).max(0),
            expires_at: expiry(now, ttl),
            started_at: now,
            event: serde_json::to_string(ev).unwrap_or_default(),
            disconnecting: false,
            subject: s,
        };
        self.save_session(&origin, session)?;
        Ok(granted)
    }

    /// Release the session's hold, debit `used`, record it as `step`; the session is
    /// returned updated (not saved) with the account's new balances.
    fn debit_session(
        &mut self,
        origin: &Origin,
        mut session: Session,
        used: i64,
        step: &str,
    ) -> Result<(Session, Balances, Option<Arc<Tariff>>), Error> {
        let s = session.subject.clone();
        let mut b = self.balances(&s.tenant, &s.account)?;
        let tariff = self.tariff(&s);
        b.hold(&s.tor, &session.reserved, -1);
        session.reserved = Charge::default();
        let charge = b.charge(&s.tor, tariff.as_deref(), used, session.fee_due);
        b.debit(&s.tor, &charge);
        if charge.money > 0 {
            session.fee_due = false;
        }
        session.used += used.max(0);
        session.cost += charge.money;
        self.ledger(origin, step, &s, &charge, 0)?;
        Ok((session, b, tariff))
    }

    fn update(&mut self, ev: &CgrEvent) -> Result<i64, Error> {
        let origin = Origin::read(ev)?;
        let Some(session) = self.sessions.get(&origin).cloned() else {
            return Err(Error::SessionNotFound);
        };
        let step = match request_number(ev)? {
            Some(n) => format!("update:r{n}"),
            None => format!("update:{}", session.updates + 1),
        };
        if store::ledger_granted(&self.conn, &origin, &step)?.is_some() {
            return Ok(session.granted);
        }
        let used = ev.duration(field::LAST_USED)?.unwrap_or(session.granted);
        let (mut session, mut b, tariff) = self.debit_session(&origin, session, used, &step)?;
        let s = session.subject.clone();
        let wanted = self.wanted(ev, &s.tor)?;
        let (granted, hold) = if session.disconnecting {
            (0, Charge::default())
        } else {
            self.grant(&s, &b, tariff.as_deref(), wanted, session.fee_due)
        };
        b.hold(&s.tor, &hold, 1);
        self.save_balances(&s.tenant, &s.account, b)?;
        session.granted = granted;
        session.reserved = hold;
        session.updates += 1;
        session.expires_at = if session.disconnecting {
            session.expires_at
        } else {
            expiry(now_ns(), session.ttl)
        };
        if granted == 0 && wanted > 0 && !session.disconnecting {
            self.notify(&origin, &session, DisconnectReason::OutOfCredit);
        }
        self.save_session(&origin, session)?;
        Ok(granted)
    }

    fn terminate(&mut self, ev: &CgrEvent) -> Result<(), Error> {
        let origin = Origin::read(ev)?;
        let Some(session) = self.sessions.get(&origin).cloned() else {
            if store::ledger_granted(&self.conn, &origin, "terminate")?.is_some() {
                return Ok(());
            }
            return Err(Error::SessionNotFound);
        };
        let used = match ev.duration(field::LAST_USED)? {
            Some(last) => last,
            None => match ev.duration(field::USAGE)? {
                Some(total) => (total - session.used).max(0),
                None => 0,
            },
        };
        self.end_session(&origin, session, used, "terminate", Some(ev))
    }

    /// Debit the last usage, release, close; write the CDR when configured.
    fn end_session(
        &mut self,
        origin: &Origin,
        session: Session,
        used: i64,
        step: &str,
        ev: Option<&CgrEvent>,
    ) -> Result<(), Error> {
        let (session, b, _) = self.debit_session(origin, session, used, step)?;
        let s = &session.subject;
        self.save_balances(&s.tenant.clone(), &s.account.clone(), b)?;
        self.close_session(origin)?;
        if self.config.cdr_on_terminate {
            let start: CgrEvent = serde_json::from_str(&session.event).unwrap_or_default();
            let mut cdr_event = ev.cloned().unwrap_or_else(|| start.clone());
            for (k, v) in start.event {
                cdr_event.event.entry(k).or_insert(v);
            }
            self.store_cdr(origin, &cdr_event, session.used, session.cost)?;
        }
        Ok(())
    }

    /// Charge one event (ProcessMessage with Debit); returns the usage granted and debited
    /// and the money charged.
    fn message(&mut self, ev: &CgrEvent) -> Result<(i64, i64), Error> {
        let origin = Origin::read(ev)?;
        let step = match request_number(ev)? {
            Some(n) => format!("message:r{n}"),
            None => "message".to_owned(),
        };
        if let Some(granted) = store::ledger_granted(&self.conn, &origin, &step)? {
            let cost = store::ledger_cost(&self.conn, &origin)?.unwrap_or(0);
            return Ok((granted, cost));
        }
        let s = self.subject(ev)?;
        let wanted = self.wanted(ev, &s.tor)?;
        if !s.request_type.debits() {
            return Ok((wanted, 0));
        }
        let mut b = self.balances(&s.tenant, &s.account)?;
        let tariff = self.tariff(&s);
        let granted = if s.request_type.checks_credit() {
            b.max_usage(&s.tor, tariff.as_deref(), wanted, true)
        } else {
            wanted
        };
        let charge = b.charge(&s.tor, tariff.as_deref(), granted, true);
        b.debit(&s.tor, &charge);
        self.save_balances(&s.tenant, &s.account, b)?;
        self.ledger(&origin, &step, &s, &charge, granted)?;
        Ok((granted, charge.money))
    }

    /// ProcessEvent: `*accounts`/`*rals` with `*authorize`, `*initiate`, `*update` or
    /// `*terminate` run that step; `*accounts` alone debits like ProcessMessage; `*cdrs`
    /// stores the CDR (with `Usage` set to what was debited).
    fn event(&mut self, ev: &CgrEvent, flags: &[String]) -> Result<EventReply, Error> {
        let flags = Flags::parse(flags);
        let mut reply = EventReply::default();
        let mut debited = None;
        if flags.accounts {
            if flags.has_step("*authorize") {
                reply.max_usage = Some(self.authorize(ev)?);
            } else if flags.has_step("*initiate") {
                reply.max_usage = Some(self.initiate(ev)?);
            } else if flags.has_step("*update") {
                reply.max_usage = Some(self.update(ev)?);
            } else if flags.has_step("*terminate") {
                self.terminate(ev)?;
            } else {
                let (granted, cost) = self.message(ev)?;
                reply.max_usage = Some(granted);
                reply.cost = Some(cost);
                debited = Some(granted);
            }
        }
        if flags.cdrs {
            reply.cost = Some(self.cdr(ev, debited)?);
        }
        Ok(reply)
    }

    /// ProcessCDR: store the CDR with the cost charged to its origin; an origin nothing
    /// charged yet is charged now (no credit check: the usage happened). Returns the cost.
    fn cdr(&mut self, ev: &CgrEvent, usage: Option<i64>) -> Result<i64, Error> {
        let origin = Origin::read(ev)?;
        let usage = match usage {
            Some(usage) => usage,
            None => ev.duration(field::USAGE)?.unwrap_or(0).max(0),
        };
        let cost = match store::ledger_cost(&self.conn, &origin)? {
            Some(cost) => cost,
            None => self.charge_cdr(ev, &origin, usage)?,
        };
        self.store_cdr(&origin, ev, usage, cost)?;
        Ok(cost)
    }

    fn charge_cdr(&mut self, ev: &CgrEvent, origin: &Origin, usage: i64) -> Result<i64, Error> {
        let s = self.subject(ev)?;
        match s.request_type {
            RequestType::None => Ok(0),
            RequestType::Rated => {
                if let Some(cost) = ev.text(field::COST) {
                    return parse_money(&cost).map_err(|reason| Error::InvalidField {
                        field: field::COST.into(),
                        reason,
                    });
                }
                if usage == 0 {
                    return Ok(0);
                }
                let tariff = self.tariff(&s).ok_or(Error::TariffNotFound)?;
                Ok(tariff.price(tariff.round(usage)) + tariff.connect_fee)
            }
            _ => {
                let mut b = self.balances(&s.tenant, &s.account)?;
                let charge = b.charge(&s.tor, self.tariff(&s).as_deref(), usage, true);
                b.debit(&s.tor, &charge);
                self.save_balances(&s.tenant, &s.account, b)?;
                self.ledger(origin, "cdr", &s, &charge, usage)?;
                Ok(charge.money)
            }
        }
    }

    fn store_cdr(
        &mut self,
        origin: &Origin,
        ev: &CgrEvent,
        usage: i64,
        cost: i64,
    ) -> Result<(), Error> {
        let text = |name: &str| ev.text(name).unwrap_or_default();
        let account = text(field::ACCOUNT);
        let subject = ev.text(field::SUBJECT).unwrap_or_else(|| account.clone());
        let request_type = ev
            .text(field::REQUEST_TYPE)
            .unwrap_or_else(|| self.config.default_request_type.as_str().to_owned());
        let event = serde_json::to_string(&ev.event).unwrap_or_default();
        store::put_cdr(
            &self.conn,
            &CdrRow {
                origin,
                tenant: &ev.tenant_or(&self.config.default_tenant),
                account: &account,
                subject: &subject,
                tor: &ev
                    .text(field::TOR)
                    .unwrap_or_else(|| crate::units::VOICE.to_owned()),
                request_type: &request_type,
                category: &ev
                    .text(field::CATEGORY)
                    .unwrap_or_else(|| self.config.default_category.clone()),
                destination: &text(field::DESTINATION),
                setup_time: &text(field::SETUP_TIME),
                answer_time: &text(field::ANSWER_TIME),
                usage,
                cost,
                event: &event,
                at: now_ns(),
            },
            RUN_ID,
        )?;
        Ok(())
    }

    // ---- administration ------------------------------------------------------------------

    fn load(&mut self, data: Dataset) -> Result<LoadSummary, Error> {
        let mut summary = LoadSummary::default();
        for account in data.accounts {
            store::ensure_account(&self.conn, &account.tenant, &account.account)?;
            let mut b = self.balances(&account.tenant, &account.account)?;
            for (tor, value) in &account.balances {
                b.set(tor, *value);
                summary.balances += 1;
            }
            self.save_balances(&account.tenant, &account.account, b)?;
            summary.accounts += 1;
        }
        if !data.tariffs.is_empty() {
            for tariff in &data.tariffs {
                store::put_tariff(&self.conn, tariff)?;
            }
            summary.tariffs = data.tariffs.len();
            let index = TariffIndex::new(store::tariffs(&self.conn)?);
            self.undo
                .push(Undo::Tariffs(std::mem::replace(&mut self.tariffs, index)));
        }
        Ok(summary)
    }

    fn disconnect(&mut self, origin: &Origin, reason: String) -> Result<(), Error> {
        let Some(mut session) = self.sessions.get(origin).cloned() else {
            return Err(Error::SessionNotFound);
        };
        session.disconnecting = true;
        session.expires_at =
            now_ns().saturating_add(self.config.disconnect_grace.as_nanos() as i64);
        self.notify(origin, &session, DisconnectReason::Operator(reason));
        self.save_session(origin, session)
    }

    fn reap(&mut self) -> Result<usize, Error> {
        let now = now_ns();
        let expired: Vec<Origin> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.expires_at <= now)
            .map(|(origin, _)| origin.clone())
            .collect();
        for origin in &expired {
            let session = self.sessions[origin].clone();
            tracing::info!(origin = ?origin, "session TTL expired");
            let used = session.ttl_usage;
            self.notify(origin, &session, DisconnectReason::Expired);
            self.end_session(origin, session, used, "ttl", None)?;
        }
        Ok(expired.len())
    }

    fn notify(&mut self, origin: &Origin, session: &Session, reason: DisconnectReason) {
        self.notices.push(Notice {
            origin: origin.clone(),
            tenant: session.subject.tenant.clone(),
            account: session.subject.account.clone(),
            reason,
            event: serde_json::from_str(&session.event).unwrap_or_default(),
        });
    }
}

/// When a session last touched `now` with `ttl` expires (0 = never).
fn expiry(now: i64, ttl: i64) -> i64 {
    if ttl <= 0 {
        i64::MAX
    } else {
        now.saturating_add(ttl)
    }
}

/// The ProcessEvent flags the engine acts on.
struct Flags {
    accounts: bool,
    cdrs: bool,
    steps: Vec<String>,
}

impl Flags {
    /// `*accounts` or `*rals` (with options `*authorize`, ...), and `*cdrs`.
    fn parse(flags: &[String]) -> Flags {
        let mut parsed = Flags {
            accounts: false,
            cdrs: false,
            steps: Vec::new(),
        };
        for flag in flags {
            let mut parts = flag.split(':');
            match parts.next().unwrap_or_default() {
                "*accounts" | "*rals" => {
                    parsed.accounts = true;
                    parsed
                        .steps
                        .extend(parts.flat_map(|p| p.split('&')).map(str::to_owned));
                }
                "*cdrs" => parsed.cdrs = true,
                _ => {}
            }
        }
        parsed
    }

    fn has_step(&self, step: &str) -> bool {
        self.steps.iter().any(|s| s == step)
    }
}
