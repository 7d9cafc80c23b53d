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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use diameter_charging::{Engine, EngineConfig, Reply, Request, RequestType, RUN_ID};
use serde_json::Value;

use crate::backend::{
    AuthorizeArgs, Backend, BackendError, CgrEvent, EventArgs, EventReply, InitiateArgs,
    MessageArgs, SessionReply, TerminateArgs, UpdateArgs,
};
use crate::config::Config;
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
}

impl std::fmt::Debug for ChargingBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChargingBackend").finish_non_exhaustive()
    }
}

impl ChargingBackend {
    /// Serve the SessionS calls with `engine`.
    pub fn new(engine: Engine) -> ChargingBackend {
        ChargingBackend {
            engine: Arc::new(engine),
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use diameter_charging::{AccountLoad, Dataset, Sync};
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
            .load(Dataset {
                accounts: vec![AccountLoad {
                    tenant: "cgrates.org".into(),
                    account: "1001".into(),
                    balances: vec![("*sms".into(), sms)],
                }],
                tariffs: Vec::new(),
            })
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
