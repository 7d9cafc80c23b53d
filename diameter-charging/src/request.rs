//! What the engine is asked and what it answers, and the notices it sends by itself.

use serde::Serialize;
use serde_json::{json, Value};

use crate::event::{CgrEvent, Origin};
use crate::load::{Dataset, LoadSummary};
use crate::units::money_to_f64;

/// Charger run id the engine's replies and CDRs are keyed by.
pub const RUN_ID: &str = "*default";

/// One call to the engine (SessionSv1 methods, plus administration).
#[derive(Debug, Clone)]
pub enum Request {
    /// `AuthorizeEvent` with `GetMaxUsage`: the usage the account can pay for, nothing held.
    Authorize(CgrEvent),
    /// `InitiateSession` with `InitSession`: open a session and reserve its first grant.
    Initiate(CgrEvent),
    /// `UpdateSession` with `UpdateSession`: debit `LastUsed`, reserve the next grant.
    Update(CgrEvent),
    /// `TerminateSession` with `TerminateSession`: debit the final usage, release, close.
    Terminate(CgrEvent),
    /// `ProcessMessage` with `Debit`: charge one event; the answer is the usage debited.
    Message(CgrEvent),
    /// `ProcessEvent` with its `Flags` (`*accounts`, `*rals:*authorize|*initiate|*update|
    /// *terminate`, `*cdrs`).
    Event {
        /// The event.
        event: CgrEvent,
        /// The flags, as the agent sends them (`*accounts`, `*rals:*initiate`, ...).
        flags: Vec<String>,
    },
    /// `ProcessCDR`: store a CDR (charging it first if nothing charged its origin yet).
    Cdr(CgrEvent),
    /// Store accounts and tariffs.
    Load(Dataset),
    /// End a session from the operator's side: no more grants, a [`Notice`] is sent.
    Disconnect {
        /// The session.
        origin: Origin,
        /// Why (sent along in the notice).
        reason: String,
    },
    /// Terminate the sessions whose TTL has passed (the engine also does this by itself).
    Reap,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `MaxUsage` in nanoseconds (ToR units): authorize, initiate, update, message.
    MaxUsage(i64),
    /// `"OK"`: terminate, CDR, disconnect.
    Ok,
    /// ProcessEvent's reply.
    Event(EventReply),
    /// What a load stored.
    Loaded(LoadSummary),
    /// How many sessions the reaper terminated.
    Reaped(usize),
}

/// `SessionSv1.ProcessEvent` reply (the engine has one charger run, [`RUN_ID`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventReply {
    /// Usage granted or debited, when the flags asked for charging.
    pub max_usage: Option<i64>,
    /// Money charged to the event's origin so far, micro-units, when charged or stored.
    pub cost: Option<i64>,
}

impl EventReply {
    /// The reply as CGRateS sends it: `{"MaxUsage": {"*default": ns}, "Cost": {"*default": 1.5}}`.
    pub fn to_json(&self) -> Value {
        let mut reply = serde_json::Map::new();
        if let Some(ns) = self.max_usage {
            reply.insert("MaxUsage".into(), json!({ RUN_ID: ns }));
        }
        if let Some(cost) = self.cost {
            reply.insert("Cost".into(), json!({ RUN_ID: money_to_f64(cost) }));
        }
        Value::Object(reply)
    }
}

/// Why the engine wants a session ended on the client's side (an agent sends an ASR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisconnectReason {
    /// A prepaid update found no more credit.
    OutOfCredit,
    /// The session's TTL passed without news; the engine terminated it.
    Expired,
    /// An operator asked for it, with this reason.
    Operator(String),
}

impl DisconnectReason {
    /// The `DisconnectCause` text CGRateS would send.
    pub fn cause(&self) -> &str {
        match self {
            DisconnectReason::OutOfCredit => "INSUFFICIENT_CREDIT",
            DisconnectReason::Expired => "SESSION_TTL_EXPIRED",
            DisconnectReason::Operator(reason) => reason,
        }
    }
}

/// A session the engine wants disconnected, sent to subscribers after the change committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The session.
    pub origin: Origin,
    /// Tenant of its account.
    pub tenant: String,
    /// Its account.
    pub account: String,
    /// Why.
    pub reason: DisconnectReason,
    /// The event that initiated the session (what `AgentV1.DisconnectSession` carries).
    pub event: CgrEvent,
}
