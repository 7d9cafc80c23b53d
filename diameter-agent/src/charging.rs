//! The embedded charging backend (`sessions_conns: ["*internal"]`): the SessionS calls
//! answered in process by [`diameter_charging::Engine`], an online charging engine on SQLite.
//!
//! Each call is handed to the engine with [`Engine::submit`] and awaited on a oneshot
//! channel, so no runtime thread waits for the database: the answer comes once the request
//! is committed. Replies keep CGRateS' shapes (`MaxUsage` in nanoseconds of the ToR's unit,
//! 0 when a prepaid account is out of credit; ProcessEvent maps keyed by the `*default`
//! run) and failures are CGRateS' error strings (`ACCOUNT_NOT_FOUND`,
//! `MANDATORY_IE_MISSING: [Account]`), so reply fields filtering on `*cgrep.MaxUsage` and
//! `*cgrep.Error` give the same Result-Codes as with any other backend.
//!
//! Calls whose flags ask for nothing the engine does (AuthorizeEvent without
//! `GetMaxUsage`, InitiateSession without `InitSession`, ...) succeed without touching it.
//! A request's `*requestNumber` option (a processor field such as
//! `{"path": "*opts.*requestNumber", "value": "~*req.CC-Request-Number"}`) makes the engine
//! answer a retransmitted request again without a second debit.
//!
//! Sessions the engine wants ended reach the client: the engine's notices (a prepaid
//! update granted nothing because the credit ran out, an operator disconnect, a TTL
//! expiry) become `AgentV1.DisconnectSession` calls on the serving agent's
//! [`SessionControl`](crate::control::SessionControl) with the session's start event plus `DisconnectCause`
//! (`INSUFFICIENT_CREDIT`, the operator's reason, `SESSION_TTL_EXPIRED`), so the agent
//! sends an ASR when `forced_disconnect` is `*asr`. An initiate granting nothing opens no
//! session: its answer (4012 in the examples) is all the client gets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::Arc;

use diameter_charging::{
    Engine, EngineConfig, Notice, Origin, Reply, Request, RequestType, SessionView, RUN_ID,
};
use serde_json::Value;

use crate::backend::{
    AuthorizeArgs, Backend, BackendError, CgrEvent, EventArgs, EventReply, InitiateArgs,
    MessageArgs, SessionReply, TerminateArgs, UpdateArgs,
};
use crate::config::Config;
use crate::control::ControlSlot;
use crate::error::ConfigError;

/// Database file used when neither the command line nor the configuration names one.
pub const DEFAULT_DB: &str = "diameter-agent.db";

/// Configuration section of the embedded engine's settings (`{"charging": {"db_path": ...}}`).
pub const SECTION: &str = "charging";

/// The embedded engine's settings read from an agent configuration.
#[derive(Debug, Clone)]
pub struct ChargingSettings {
    /// `charging.db_path` (default [`DEFAULT_DB`], relative to the working directory).
    pub db_path: PathBuf,
    /// `general.default_tenant`, `general.default_request_type` (CGRateS default `*rated`)
    /// and `general.default_category` (default `call`).
    pub engine: EngineConfig,
}

impl ChargingSettings {
    /// Read the settings from `config` (`source` names it in errors); a value of the wrong
    /// type is an error naming its path.
    pub fn from_config(config: &Config, source: &str) -> Result<ChargingSettings, ConfigError> {
        let mut engine = EngineConfig {
            default_tenant: config.general.default_tenant.clone(),
            ..EngineConfig::default()
        };
        let general = config.raw.get("general");
        let text = |section, name, key| text_at(section, name, key, source);
        if let Some(text) = text(general, "general", "default_request_type")? {
            engine.default_request_type = RequestType::parse(&text).map_err(|e| {
                ConfigError::new(source, "general.default_request_type", e.to_string())
            })?;
        }
        if let Some(text) = text(general, "general", "default_category")? {
            engine.default_category = text;
        }
        let db_path = text(config.raw.get(SECTION), SECTION, "db_path")?
            .map_or_else(|| PathBuf::from(DEFAULT_DB), PathBuf::from);
        Ok(ChargingSettings { db_path, engine })
    }
}

/// A non-empty string at `section.key`; `None` when absent, null or empty.
fn text_at(
    section: Option<&Value>,
    name: &str,
    key: &str,
    source: &str,
) -> Result<Option<String>, ConfigError> {
    match section.and_then(|s| s.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ConfigError::new(
            source,
            format!("{name}.{key}"),
            format!("expected a string, found {other}"),
        )),
    }
}

/// The [`Backend`] over an embedded [`Engine`].
#[derive(Clone)]
pub struct ChargingBackend {
    engine: Arc<Engine>,
    control: ControlSlot,
}

impl std::fmt::Debug for ChargingBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChargingBackend").finish_non_exhaustive()
    }
}

impl ChargingBackend {
    /// Serve the SessionS calls with `engine`, and pass its notices on to the control of
    /// the server that serves this backend.
    pub fn new(engine: Engine) -> ChargingBackend {
        let control = ControlSlot::new();
        forward_notices(engine.subscribe(), control.clone());
        ChargingBackend {
            engine: Arc::new(engine),
            control,
        }
    }

    /// Open (creating if needed) the database at `path` and serve the calls with it.
    pub fn open(
        path: impl AsRef<Path>,
        config: EngineConfig,
    ) -> Result<ChargingBackend, diameter_charging::Error> {
        Engine::open(path, config).map(ChargingBackend::new)
    }

    /// The engine (to load accounts, read the [`diameter_charging::Store`], disconnect
    /// sessions).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The open sessions (blocking: reads the database).
    pub fn sessions(&self) -> Result<Vec<SessionView>, diameter_charging::Error> {
        self.engine.store()?.sessions()
    }

    /// Ask the engine to end the open session whose `OriginID` is `origin_id` (blocking):
    /// it grants nothing more and its notice makes the agent abort the session. `false`
    /// when no session has that id.
    pub fn disconnect(
        &self,
        origin_id: &str,
        reason: &str,
    ) -> Result<bool, diameter_charging::Error> {
        let Some(session) = self
            .sessions()?
            .into_iter()
            .find(|s| s.origin_id == origin_id)
        else {
            return Ok(false);
        };
        let origin = Origin {
            host: session.origin_host,
            id: session.origin_id,
        };
        self.engine.disconnect_session(&origin, reason)?;
        Ok(true)
    }

    /// Submit `request` and wait, without blocking the thread, for its committed outcome.
    async fn call(&self, request: Request) -> Result<Reply, BackendError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.engine.submit(request, move |outcome| {
            // The caller may have given up (its request timed out): nothing to tell then.
            let _ = tx.send(outcome);
        });
        let outcome = rx.await.unwrap_or(Err(diameter_charging::Error::Stopped));
        outcome.map_err(|e| BackendError(e.to_string()))
    }

    /// A call answered with MaxUsage.
    async fn max_usage(&self, request: Request) -> Result<SessionReply, BackendError> {
        match self.call(request).await? {
            Reply::MaxUsage(ns) => Ok(SessionReply {
                max_usage: Some(ns),
                ..SessionReply::default()
            }),
            other => Err(unexpected(&other)),
        }
    }
}

/// The `AgentV1.DisconnectSession` event of a notice: the session's start event plus
/// `DisconnectCause`.
fn disconnect_event(notice: Notice) -> CgrEvent {
    let start = notice.event;
    let mut event = start.event;
    event.insert(
        "DisconnectCause".into(),
        Value::String(notice.reason.cause().to_string()),
    );
    CgrEvent {
        tenant: if start.tenant.is_empty() {
            notice.tenant
        } else {
            start.tenant
        },
        id: start.id,
        time: start.time,
        event,
        api_opts: start.opts,
    }
}

/// Hand each notice to the control in `slot`, one after the other, on a thread of its own
/// (the server's control runs the call on the server's runtime). The thread ends with the
/// engine.
fn forward_notices(notices: Receiver<Notice>, slot: ControlSlot) {
    let forward = move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().build() else {
            tracing::error!("<ChargingBackend> cannot start the notice forwarder");
            return;
        };
        for notice in notices {
            let origin = notice.origin.clone();
            let cause = notice.reason.cause().to_string();
            let Some(control) = slot.get().cloned() else {
                tracing::warn!(?origin, "<ChargingBackend> session to disconnect ({cause}), but no agent serves the engine");
                continue;
            };
            match rt.block_on(control.disconnect_session(disconnect_event(notice))) {
                Ok(()) => {
                    tracing::info!(?origin, "<ChargingBackend> session disconnected: {cause}")
                }
                Err(e) => tracing::warn!(
                    ?origin,
                    "<ChargingBackend> disconnecting the session ({cause}): {e}"
                ),
            }
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("charging-notices".into())
        .spawn(forward)
    {
        tracing::error!("<ChargingBackend> cannot start the notice forwarder: {e}");
    }
}

/// An engine reply that does not fit the call (a bug in the engine, reported, not panicked).
fn unexpected(reply: &Reply) -> BackendError {
    BackendError(format!("SERVER_ERROR: unexpected charging reply {reply:?}"))
}

/// The engine's event: the same CGREvent, field for field.
fn engine_event(event: CgrEvent) -> diameter_charging::CgrEvent {
    diameter_charging::CgrEvent {
        tenant: event.tenant,
        id: event.id,
        time: event.time,
        event: event.event,
        opts: event.api_opts,
    }
}

/// A map holding `value` for the engine's one charger run.
fn by_run<T>(value: T) -> BTreeMap<String, T> {
    BTreeMap::from([(RUN_ID.to_owned(), value)])
}

/// ProcessEvent's reply as CGRateS shapes it: maps keyed by the charger run.
fn event_reply(reply: diameter_charging::EventReply) -> EventReply {
    EventReply {
        max_usage: reply.max_usage.map(by_run),
        cost: reply
            .cost
            .map(|micros| by_run(diameter_charging::units::money_to_f64(micros))),
        ..EventReply::default()
    }
}

impl Backend for ChargingBackend {
    async fn authorize(&self, args: AuthorizeArgs) -> Result<SessionReply, BackendError> {
        if !args.get_max_usage {
            return Ok(SessionReply::default());
        }
        self.max_usage(Request::Authorize(engine_event(args.event)))
            .await
    }

    async fn initiate(&self, args: InitiateArgs) -> Result<SessionReply, BackendError> {
        if !args.init_session {
            return Ok(SessionReply::default());
        }
        self.max_usage(Request::Initiate(engine_event(args.event)))
            .await
    }

    async fn update(&self, args: UpdateArgs) -> Result<SessionReply, BackendError> {
        if !args.update_session {
            return Ok(SessionReply::default());
        }
        self.max_usage(Request::Update(engine_event(args.event)))
            .await
    }

    async fn terminate(&self, args: TerminateArgs) -> Result<(), BackendError> {
        if !args.terminate_session {
            return Ok(());
        }
        self.call(Request::Terminate(engine_event(args.event)))
            .await
            .map(|_| ())
    }

    async fn message(&self, args: MessageArgs) -> Result<SessionReply, BackendError> {
        if !args.debit {
            return Ok(SessionReply::default());
        }
        self.max_usage(Request::Message(engine_event(args.event)))
            .await
    }

    async fn event(&self, args: EventArgs) -> Result<EventReply, BackendError> {
        let request = Request::Event {
            event: engine_event(args.event),
            flags: args.flags,
        };
        match self.call(request).await? {
            Reply::Event(reply) => Ok(event_reply(reply)),
            other => Err(unexpected(&other)),
        }
    }

    async fn cdr(&self, event: CgrEvent) -> Result<(), BackendError> {
        self.call(Request::Cdr(engine_event(event)))
            .await
            .map(|_| ())
    }

    fn control_slot(&self) -> Option<ControlSlot> {
        Some(self.control.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::SessionControl;
    use diameter_charging::{Dataset, Sync};
    use serde_json::{json, Map};

    struct TempDb(PathBuf);

    impl TempDb {
        fn new(name: &str) -> TempDb {
            let dir = std::env::temp_dir().join(format!(
                "diameter-agent-charging-{name}-{}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDb(dir)
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn backend(dir: &TempDb, sms: i64) -> ChargingBackend {
        let config = EngineConfig {
            sync: Sync::Normal,
            ..EngineConfig::default()
        };
        let backend = ChargingBackend::open(dir.0.join("charging.db"), config).unwrap();
        backend
            .engine()
            .load(Dataset::account("cgrates.org", "1001", &[("*sms", sms)]))
            .unwrap();
        backend
    }

    fn sms(origin: &str, account: &str) -> CgrEvent {
        let fields = json!({
            "ToR": "*sms", "OriginID": origin, "OriginHost": "client", "RequestType": "*prepaid",
            "Account": account, "Destination": "+4917", "Category": "sms", "Usage": "1",
        });
        let Value::Object(event) = fields else {
            unreachable!()
        };
        CgrEvent {
            tenant: "cgrates.org".into(),
            id: "e1".into(),
            time: None,
            event,
            api_opts: Map::new(),
        }
    }

    fn sms_balance(backend: &ChargingBackend) -> i64 {
        let store = backend.engine().store().unwrap();
        store.accounts(None, Some("1001")).unwrap()[0].balance("*sms")
    }

    #[tokio::test]
    async fn message_debits_and_answers_max_usage_then_zero() {
        let dir = TempDb::new("message");
        let backend = backend(&dir, 1);
        let args = |origin: &str| MessageArgs {
            debit: true,
            event: sms(origin, "1001"),
            ..MessageArgs::default()
        };
        let reply = backend.message(args("m1")).await.unwrap();
        assert_eq!(reply.max_usage, Some(1));
        assert_eq!(sms_balance(&backend), 0);
        // Out of credit: MaxUsage 0, as CGRateS answers.
        let reply = backend.message(args("m2")).await.unwrap();
        assert_eq!(reply.max_usage, Some(0));
        // Without Debit nothing is asked of the engine.
        let reply = backend
            .message(MessageArgs {
                event: sms("m3", "1001"),
                ..MessageArgs::default()
            })
            .await
            .unwrap();
        assert_eq!(reply.max_usage, None);
    }

    #[tokio::test]
    async fn errors_are_cgrates_strings() {
        let dir = TempDb::new("errors");
        let backend = backend(&dir, 1);
        let err = backend.cdr(sms("c1", "nobody")).await.unwrap_err();
        assert_eq!(err.0, "ACCOUNT_NOT_FOUND");
        let mut event = sms("c2", "1001");
        event.event.remove("Account");
        let err = backend.cdr(event).await.unwrap_err();
        assert_eq!(err.0, "MANDATORY_IE_MISSING: [Account]");
    }

    #[tokio::test]
    async fn event_replies_are_keyed_by_run() {
        let dir = TempDb::new("event");
        let backend = backend(&dir, 5);
        let reply = backend
            .event(EventArgs {
                flags: vec!["*accounts".into(), "*cdrs".into()],
                event: sms("e1", "1001"),
                ..EventArgs::default()
            })
            .await
            .unwrap();
        assert_eq!(
            reply.max_usage,
            Some(BTreeMap::from([("*default".into(), 1)]))
        );
        assert_eq!(reply.cost, Some(BTreeMap::from([("*default".into(), 0.0)])));
        assert_eq!(sms_balance(&backend), 4);
        let cdrs = backend
            .engine()
            .store()
            .unwrap()
            .cdrs(&diameter_charging::CdrFilter::default())
            .unwrap();
        assert_eq!(cdrs.len(), 1);
        assert_eq!(cdrs[0].origin_id, "e1");
    }

    /// A control recording the DisconnectSession events it gets.
    #[derive(Default)]
    struct Recorder(std::sync::Mutex<Vec<CgrEvent>>, tokio::sync::Notify);

    impl SessionControl for Recorder {
        fn disconnect_session(&self, event: CgrEvent) -> crate::control::ControlFuture<'_> {
            self.0.lock().unwrap().push(event);
            self.1.notify_one();
            Box::pin(std::future::ready(Ok(())))
        }
        fn alter_session(&self, _: CgrEvent) -> crate::control::ControlFuture<'_> {
            Box::pin(std::future::ready(Ok(())))
        }
        fn disconnect_peer(
            &self,
            _: crate::control::DisconnectPeerArgs,
        ) -> crate::control::ControlFuture<'_> {
            Box::pin(std::future::ready(Ok(())))
        }
    }

    impl Recorder {
        /// The next recorded event, waiting at most 10 s for it.
        async fn next(&self) -> CgrEvent {
            tokio::time::timeout(std::time::Duration::from_secs(10), async {
                loop {
                    let notified = self.1.notified();
                    if let Some(e) = {
                        let mut events = self.0.lock().unwrap();
                        (!events.is_empty()).then(|| events.remove(0))
                    } {
                        return e;
                    }
                    notified.await;
                }
            })
            .await
            .expect("no DisconnectSession within 10 s")
        }
    }

    fn voice(origin: &str, fields: Value) -> CgrEvent {
        let mut event = sms(origin, "1001");
        event.event.insert("ToR".into(), "*voice".into());
        event.event.remove("Usage");
        if let Value::Object(extra) = fields {
            event.event.extend(extra);
        }
        event
    }

    fn attach(backend: &ChargingBackend) -> Arc<Recorder> {
        let recorder = Arc::new(Recorder::default());
        let slot = backend
            .control_slot()
            .expect("the engine asks for a control");
        assert!(slot.set(recorder.clone()));
        recorder
    }

    #[tokio::test]
    async fn running_out_of_credit_asks_to_disconnect_the_session() {
        let dir = TempDb::new("out-of-credit");
        let backend = backend(&dir, 0);
        backend
            .engine()
            .load(Dataset::account(
                "cgrates.org",
                "1001",
                &[("*voice", 60_000_000_000)],
            ))
            .unwrap();
        let recorder = attach(&backend);
        let initiate = InitiateArgs {
            init_session: true,
            event: voice("v1", json!({"Usage": "60s"})),
            ..InitiateArgs::default()
        };
        let granted = backend.initiate(initiate).await.unwrap().max_usage;
        assert_eq!(granted, Some(60_000_000_000));
        let update = UpdateArgs {
            update_session: true,
            event: voice("v1", json!({"Usage": "60s", "LastUsed": "60s"})),
            ..UpdateArgs::default()
        };
        assert_eq!(backend.update(update).await.unwrap().max_usage, Some(0));
        let event = recorder.next().await;
        assert_eq!(event.event["OriginID"], "v1");
        assert_eq!(event.event["DisconnectCause"], "INSUFFICIENT_CREDIT");
        assert_eq!(event.event["ToR"], "*voice");
        assert_eq!(event.tenant, "cgrates.org");
    }

    #[tokio::test]
    async fn operator_disconnect_by_origin_id() {
        let dir = TempDb::new("operator");
        let backend = backend(&dir, 0);
        let recorder = attach(&backend);
        assert!(!backend.disconnect("nothing", "ADMIN").unwrap());
        let initiate = InitiateArgs {
            init_session: true,
            event: voice("v2", json!({"RequestType": "*postpaid", "Usage": "30s"})),
            ..InitiateArgs::default()
        };
        backend.initiate(initiate).await.unwrap();
        assert_eq!(backend.sessions().unwrap()[0].origin_id, "v2");
        let b = backend.clone();
        let found = tokio::task::spawn_blocking(move || b.disconnect("v2", "ADMIN"))
            .await
            .unwrap()
            .unwrap();
        assert!(found);
        let event = recorder.next().await;
        assert_eq!(event.event["OriginID"], "v2");
        assert_eq!(event.event["DisconnectCause"], "ADMIN");
        assert_eq!(backend.sessions().unwrap()[0].state, "disconnecting");
    }

    #[test]
    fn settings_come_from_the_configuration() {
        let config = Config::from_str(
            "c.json",
            r#"{"general": {"default_tenant": "t1", "default_request_type": "*prepaid"},
                "charging": {"db_path": "/tmp/x.db"}}"#,
        )
        .unwrap();
        let settings = ChargingSettings::from_config(&config, "c.json").unwrap();
        assert_eq!(settings.db_path, PathBuf::from("/tmp/x.db"));
        assert_eq!(settings.engine.default_tenant, "t1");
        assert_eq!(settings.engine.default_request_type, RequestType::Prepaid);
        assert_eq!(settings.engine.default_category, "call");

        let defaults = ChargingSettings::from_config(&Config::default(), "c.json").unwrap();
        assert_eq!(defaults.db_path, PathBuf::from(DEFAULT_DB));
        assert_eq!(defaults.engine.default_request_type, RequestType::Rated);

        let bad = Config::from_str("c.json", r#"{"charging": {"db_path": 5}}"#).unwrap();
        let err = ChargingSettings::from_config(&bad, "c.json")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "c.json: charging.db_path: expected a string, found 5");
    }
}
