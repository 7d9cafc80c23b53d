//! The charging backend: the SessionS calls the agent makes (§3, §9 of the spec), with
//! arguments and replies in CGRateS' JSON shapes, and an in-memory backend for tests.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A SessionS error: the error text as CGRateS returns it (`NOT_FOUND`, `RALS_ERROR:...`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{0}")]
pub struct BackendError(pub String);

/// CGRateS' CGREvent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CgrEvent {
    /// Tenant.
    #[serde(rename = "Tenant")]
    pub tenant: String,
    /// Random event id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Creation time, RFC 3339 with nanoseconds.
    #[serde(rename = "Time", default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The `*cgreq` fields (nested paths as objects, `*group` paths as arrays).
    #[serde(rename = "Event")]
    pub event: Map<String, Value>,
    /// The `*opts` fields.
    #[serde(rename = "APIOpts", default)]
    pub api_opts: Map<String, Value>,
}

/// Route pagination read from `*opts` (`*routesLimit`, `*routesOffset`, `*routesMaxItems`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Paginator {
    /// `Limit`.
    #[serde(rename = "Limit", default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// `Offset`.
    #[serde(rename = "Offset", default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// `MaxItems`.
    #[serde(rename = "MaxItems", default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<i64>,
}

/// AttributeS switches of a SessionS call (`*attributes` flag).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attributes {
    pub get_attributes: bool,
    #[serde(rename = "AttributeIDs")]
    pub attribute_ids: Option<Vec<String>>,
}

/// ThresholdS, StatS and forced-duration switches, which every SessionS call carries
/// (`*thresholds`, `*stats`, `*fd` flags).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subsystems {
    pub force_duration: bool,
    pub process_thresholds: bool,
    pub process_stats: bool,
    #[serde(rename = "ThresholdIDs")]
    pub threshold_ids: Option<Vec<String>>,
    #[serde(rename = "StatIDs")]
    pub stat_ids: Option<Vec<String>>,
}

/// RouteS switches of AuthorizeEvent and ProcessMessage (`*routes` flags).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Routes {
    pub get_routes: bool,
    pub routes_max_cost: String,
    pub routes_ignore_errors: bool,
}

/// `SessionSv1.AuthorizeEvent` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizeArgs {
    #[serde(rename = "AuthorizeIP")]
    pub authorize_ip: bool,
    pub authorize_resources: bool,
    pub get_max_usage: bool,
    #[serde(flatten)]
    pub attributes: Attributes,
    #[serde(flatten)]
    pub subsystems: Subsystems,
    #[serde(flatten)]
    pub routes: Routes,
    #[serde(flatten)]
    pub event: CgrEvent,
    #[serde(flatten)]
    pub paginator: Paginator,
}

/// `SessionSv1.InitiateSession` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateArgs {
    #[serde(rename = "AllocateIP")]
    pub allocate_ip: bool,
    pub allocate_resources: bool,
    pub init_session: bool,
    #[serde(flatten)]
    pub attributes: Attributes,
    #[serde(flatten)]
    pub subsystems: Subsystems,
    #[serde(flatten)]
    pub event: CgrEvent,
}

/// `SessionSv1.UpdateSession` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateArgs {
    pub update_session: bool,
    #[serde(flatten)]
    pub attributes: Attributes,
    #[serde(flatten)]
    pub subsystems: Subsystems,
    #[serde(flatten)]
    pub event: CgrEvent,
}

/// `SessionSv1.TerminateSession` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TerminateArgs {
    pub terminate_session: bool,
    #[serde(rename = "ReleaseIP")]
    pub release_ip: bool,
    pub release_resources: bool,
    #[serde(flatten)]
    pub subsystems: Subsystems,
    #[serde(flatten)]
    pub event: CgrEvent,
}

/// `SessionSv1.ProcessMessage` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageArgs {
    #[serde(rename = "AllocateIP")]
    pub allocate_ip: bool,
    pub allocate_resources: bool,
    pub debit: bool,
    #[serde(flatten)]
    pub attributes: Attributes,
    #[serde(flatten)]
    pub subsystems: Subsystems,
    #[serde(flatten)]
    pub routes: Routes,
    #[serde(flatten)]
    pub event: CgrEvent,
    #[serde(flatten)]
    pub paginator: Paginator,
}

/// `SessionSv1.ProcessEvent` arguments: the processor's flags, sent as they are.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EventArgs {
    /// The flags (`*accounts`, `*rals:*initiate`, ...).
    #[serde(rename = "Flags")]
    pub flags: Vec<String>,
    /// The event.
    #[serde(flatten)]
    pub event: CgrEvent,
    /// Route pagination.
    #[serde(flatten)]
    pub paginator: Paginator,
}

/// An allocated IP (`AllocatedIP`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AllocatedIp {
    #[serde(rename = "ProfileID")]
    pub profile_id: String,
    #[serde(rename = "PoolID")]
    pub pool_id: String,
    pub message: String,
    pub address: String,
}

/// The AttributeS part of a reply: which fields changed, and the changed event.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributesReply {
    pub matched_profiles: Vec<String>,
    pub altered_fields: Vec<String>,
    #[serde(flatten)]
    pub event: CgrEvent,
}

/// The reply of AuthorizeEvent, InitiateSession, UpdateSession and ProcessMessage (each fills
/// the fields its call produces).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SessionReply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<AttributesReply>,
    #[serde(
        rename = "AllocatedIP",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allocated_ip: Option<AllocatedIp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_allocation: Option<String>,
    /// Granted usage in nanoseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_usage: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_profiles: Option<Value>,
    #[serde(
        rename = "ThresholdIDs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub threshold_ids: Option<Vec<String>>,
    #[serde(
        rename = "StatQueueIDs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stat_queue_ids: Option<Vec<String>>,
}

/// The reply of ProcessEvent: maps keyed by charger run id (`*raw`, `*default`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventReply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_usage: Option<BTreeMap<String, i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_allocation: Option<BTreeMap<String, String>>,
    #[serde(
        rename = "AllocatedIP",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allocated_ip: Option<BTreeMap<String, AllocatedIp>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, AttributesReply>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_profiles: Option<Value>,
    #[serde(
        rename = "ThresholdIDs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub threshold_ids: Option<BTreeMap<String, Vec<String>>>,
    #[serde(
        rename = "StatQueueIDs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stat_queue_ids: Option<BTreeMap<String, Vec<String>>>,
    #[serde(
        rename = "STIRIdentity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stir_identity: Option<BTreeMap<String, String>>,
}

/// The SessionS calls. Implementations: the in-memory [`MemoryBackend`]; an embedded charging
/// engine and a CGRateS JSON-RPC client plug in the same way.
pub trait Backend: Send + Sync + 'static {
    /// `SessionSv1.AuthorizeEvent`.
    fn authorize(
        &self,
        args: AuthorizeArgs,
    ) -> impl Future<Output = Result<SessionReply, BackendError>> + Send;
    /// `SessionSv1.InitiateSession`.
    fn initiate(
        &self,
        args: InitiateArgs,
    ) -> impl Future<Output = Result<SessionReply, BackendError>> + Send;
    /// `SessionSv1.UpdateSession`.
    fn update(
        &self,
        args: UpdateArgs,
    ) -> impl Future<Output = Result<SessionReply, BackendError>> + Send;
    /// `SessionSv1.TerminateSession` (reply `OK`).
    fn terminate(
        &self,
        args: TerminateArgs,
    ) -> impl Future<Output = Result<(), BackendError>> + Send;
    /// `SessionSv1.ProcessMessage`.
    fn message(
        &self,
        args: MessageArgs,
    ) -> impl Future<Output = Result<SessionReply, BackendError>> + Send;
    /// `SessionSv1.ProcessEvent`.
    fn event(
        &self,
        args: EventArgs,
    ) -> impl Future<Output = Result<EventReply, BackendError>> + Send;
    /// `SessionSv1.ProcessCDR` (reply `OK`).
    fn cdr(&self, event: CgrEvent) -> impl Future<Output = Result<(), BackendError>> + Send;
    /// Where the backend wants the [`SessionControl`](crate::control::SessionControl) of the
    /// server that serves it (to ask for ASR, RAR, DPR): [`Server::start`](crate::Server::start)
    /// fills this slot. `None` (the default): the backend never asks.
    fn control_slot(&self) -> Option<crate::control::ControlSlot> {
        None
    }
}

/// One call received by the [`MemoryBackend`].
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// AuthorizeEvent.
    Authorize(AuthorizeArgs),
    /// InitiateSession.
    Initiate(InitiateArgs),
    /// UpdateSession.
    Update(UpdateArgs),
    /// TerminateSession.
    Terminate(TerminateArgs),
    /// ProcessMessage.
    Message(MessageArgs),
    /// ProcessEvent.
    Event(EventArgs),
    /// ProcessCDR.
    Cdr(CgrEvent),
}

impl Call {
    /// The event the call carried.
    pub fn event(&self) -> &CgrEvent {
        match self {
            Call::Authorize(a) => &a.event,
            Call::Initiate(a) => &a.event,
            Call::Update(a) => &a.event,
            Call::Terminate(a) => &a.event,
            Call::Message(a) => &a.event,
            Call::Event(a) => &a.event,
            Call::Cdr(e) => e,
        }
    }

    /// The SessionS method name.
    pub fn method(&self) -> &'static str {
        match self {
            Call::Authorize(_) => "SessionSv1.AuthorizeEvent",
            Call::Initiate(_) => "SessionSv1.InitiateSession",
            Call::Update(_) => "SessionSv1.UpdateSession",
            Call::Terminate(_) => "SessionSv1.TerminateSession",
            Call::Message(_) => "SessionSv1.ProcessMessage",
            Call::Event(_) => "SessionSv1.ProcessEvent",
            Call::Cdr(_) => "SessionSv1.ProcessCDR",
        }
    }
}

#[derive(Debug)]
struct MemoryState {
    calls: Vec<Call>,
    recording: bool,
    max_usage: Option<i64>,
    error: Option<String>,
}

/// A backend answering from configuration and recording the calls it receives.
///
/// By default every call succeeds and grants 5 minutes (`MaxUsage` 300 s).
#[derive(Debug)]
pub struct MemoryBackend {
    state: Mutex<MemoryState>,
}

impl Default for MemoryBackend {
    fn default() -> Self {
        MemoryBackend {
            state: Mutex::new(MemoryState {
                calls: Vec::new(),
                recording: true,
                max_usage: Some(300_000_000_000),
                error: None,
            }),
        }
    }
}

impl MemoryBackend {
    /// A backend granting 5 minutes, recording calls.
    pub fn new() -> Self {
        Self::default()
    }

    /// Grant `max_usage` nanoseconds (`None`: replies carry no MaxUsage).
    pub fn set_max_usage(&self, max_usage: Option<i64>) {
        self.lock().max_usage = max_usage;
    }

    /// Fail every call with `error` (`None`: succeed).
    pub fn set_error(&self, error: Option<&str>) {
        self.lock().error = error.map(str::to_string);
    }

    /// Keep (true, the default) or drop the calls received.
    pub fn set_recording(&self, recording: bool) {
        self.lock().recording = recording;
    }

    /// The calls received so far.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Take the calls received so far.
    pub fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut self.lock().calls)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Record `call`, then the configured outcome.
    fn receive(&self, call: Call) -> Result<Option<i64>, BackendError> {
        let mut state = self.lock();
        if state.recording {
            state.calls.push(call);
        }
        match &state.error {
            Some(e) => Err(BackendError(e.clone())),
            None => Ok(state.max_usage),
        }
    }

    fn session_reply(&self, call: Call) -> Result<SessionReply, BackendError> {
        let max_usage = self.receive(call)?;
        Ok(SessionReply {
            max_usage,
            ..SessionReply::default()
        })
    }
}

impl Backend for MemoryBackend {
    async fn authorize(&self, args: AuthorizeArgs) -> Result<SessionReply, BackendError> {
        self.session_reply(Call::Authorize(args))
    }

    async fn initiate(&self, args: InitiateArgs) -> Result<SessionReply, BackendError> {
        self.session_reply(Call::Initiate(args))
    }

    async fn update(&self, args: UpdateArgs) -> Result<SessionReply, BackendError> {
        self.session_reply(Call::Update(args))
    }

    async fn terminate(&self, args: TerminateArgs) -> Result<(), BackendError> {
        self.receive(Call::Terminate(args)).map(|_| ())
    }

    async fn message(&self, args: MessageArgs) -> Result<SessionReply, BackendError> {
        self.session_reply(Call::Message(args))
    }

    async fn event(&self, args: EventArgs) -> Result<EventReply, BackendError> {
        let max_usage = self.receive(Call::Event(args))?;
        Ok(EventReply {
            max_usage: max_usage.map(|m| BTreeMap::from([("*default".to_string(), m)])),
            ..EventReply::default()
        })
    }

    async fn cdr(&self, event: CgrEvent) -> Result<(), BackendError> {
        self.receive(Call::Cdr(event)).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_serialise_with_cgrates_names() {
        let args = InitiateArgs {
            init_session: true,
            event: CgrEvent {
                tenant: "cgrates.org".into(),
                id: "abc1234".into(),
                time: None,
                event: Map::from_iter([("ToR".to_string(), Value::from("*voice"))]),
                api_opts: Map::new(),
            },
            ..InitiateArgs::default()
        };
        let json = serde_json::to_value(&args).unwrap();
        assert_eq!(json["InitSession"], Value::Bool(true));
        assert_eq!(json["AllocateIP"], Value::Bool(false));
        assert_eq!(json["Tenant"], "cgrates.org");
        assert_eq!(json["Event"]["ToR"], "*voice");
        assert_eq!(json["AttributeIDs"], Value::Null);
        let back: InitiateArgs = serde_json::from_value(json).unwrap();
        assert_eq!(back, args);
    }

    #[test]
    fn replies_parse_from_cgrates_json() {
        let r: SessionReply =
            serde_json::from_str(r#"{"MaxUsage":300000000000,"ThresholdIDs":["T1"]}"#).unwrap();
        assert_eq!(r.max_usage, Some(300_000_000_000));
        let r: EventReply =
            serde_json::from_str(r#"{"MaxUsage":{"*raw":5},"Cost":{"*raw":0.1}}"#).unwrap();
        assert_eq!(r.max_usage.unwrap()["*raw"], 5);
    }
}

#[cfg(test)]
mod wire_shape_tests {
    use super::*;

    #[test]
    fn shared_switches_serialise_flat_with_cgrates_names() {
        let args = InitiateArgs {
            init_session: true,
            attributes: Attributes {
                get_attributes: true,
                attribute_ids: Some(vec!["ATTR_1".into()]),
            },
            subsystems: Subsystems {
                force_duration: true,
                threshold_ids: Some(vec!["TH_1".into()]),
                ..Subsystems::default()
            },
            ..InitiateArgs::default()
        };
        let json = serde_json::to_value(&args).unwrap();
        for (key, value) in [
            ("InitSession", serde_json::json!(true)),
            ("GetAttributes", serde_json::json!(true)),
            ("AttributeIDs", serde_json::json!(["ATTR_1"])),
            ("ForceDuration", serde_json::json!(true)),
            ("ProcessThresholds", serde_json::json!(false)),
            ("ThresholdIDs", serde_json::json!(["TH_1"])),
            ("AllocateIP", serde_json::json!(false)),
        ] {
            assert_eq!(json[key], value, "{key} in {json}");
        }
        let back: InitiateArgs = serde_json::from_value(json).unwrap();
        assert_eq!(back, args);
    }
}
