//! The event every call takes: a CGRateS `CGREvent` (tenant, id, time, field map, options).
//!
//! Field names are the ones CGRateS agents write (`ToR`, `OriginID`, `OriginHost`,
//! `RequestType`, `Tenant`, `Account`, `Subject`, `Destination`, `Category`, `SetupTime`,
//! `AnswerTime`, `Usage`, `LastUsed`); values are JSON (strings, numbers, ...). The type
//! serialises with CGRateS' JSON keys, so the same value travels over JSON-RPC unchanged.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::units::{self, parse_duration};

/// Field names and option keys the engine reads.
pub mod field {
    /// Type of record: `*voice`, `*data`, `*sms`, ...
    pub const TOR: &str = "ToR";
    /// Identifier of the session or event at its origin (Diameter Session-Id).
    pub const ORIGIN_ID: &str = "OriginID";
    /// Host the event came from; with `OriginID` it identifies the session.
    pub const ORIGIN_HOST: &str = "OriginHost";
    /// `*prepaid`, `*postpaid`, `*pseudoprepaid`, `*rated` or `*none`.
    pub const REQUEST_TYPE: &str = "RequestType";
    /// Tenant of the account (when the event's own `Tenant` is empty).
    pub const TENANT: &str = "Tenant";
    /// Account whose balances pay.
    pub const ACCOUNT: &str = "Account";
    /// Rating subject (stored in CDRs).
    pub const SUBJECT: &str = "Subject";
    /// Called number or service, rated by longest prefix.
    pub const DESTINATION: &str = "Destination";
    /// Tariff category (`call`, `sms`, `data`, ...).
    pub const CATEGORY: &str = "Category";
    /// When the session was set up (stored in CDRs).
    pub const SETUP_TIME: &str = "SetupTime";
    /// When the session was answered (stored in CDRs).
    pub const ANSWER_TIME: &str = "AnswerTime";
    /// Requested usage (authorize, initiate, update, message) or total usage (terminate, CDR).
    pub const USAGE: &str = "Usage";
    /// Usage consumed since the previous update (update, terminate).
    pub const LAST_USED: &str = "LastUsed";
    /// Cost already known (read by `*rated` CDRs).
    pub const COST: &str = "Cost";
    /// Option: reservation size when the event asks for no `Usage`.
    pub const OPT_DEBIT_INTERVAL: &str = "*sessionsDebitInterval";
    /// Option: how long a session lives without news before it is terminated.
    pub const OPT_TTL: &str = "*sessionsTTL";
    /// Option: usage debited when a session is terminated by its TTL.
    pub const OPT_TTL_USAGE: &str = "*sessionsTTLUsage";
    /// Option: the request's sequence number in its session (Diameter CC-Request-Number).
    /// With it a repeated request is answered again without a second debit.
    pub const OPT_REQUEST_NUMBER: &str = "*requestNumber";
}

/// A CGRateS `CGREvent`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CgrEvent {
    /// Tenant; empty means the `Tenant` field, then the engine's default tenant.
    #[serde(rename = "Tenant", default)]
    pub tenant: String,
    /// Event identifier (informational).
    #[serde(rename = "ID", default)]
    pub id: String,
    /// Event time, RFC 3339 (informational).
    #[serde(rename = "Time", default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The fields.
    #[serde(rename = "Event", default)]
    pub event: Map<String, Value>,
    /// Options (`*sessionsDebitInterval`, `*sessionsTTL`, `*requestNumber`, ...).
    #[serde(rename = "APIOpts", default)]
    pub opts: Map<String, Value>,
}

impl CgrEvent {
    /// An event with these fields and no options.
    pub fn new(fields: impl IntoIterator<Item = (impl Into<String>, impl Into<Value>)>) -> Self {
        CgrEvent {
            event: fields
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            ..CgrEvent::default()
        }
    }

    /// This event with one more option.
    pub fn with_opt(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.opts.insert(key.to_owned(), value.into());
        self
    }

    /// A field as text (numbers and booleans printed); `None` when absent, null or empty.
    pub fn text(&self, name: &str) -> Option<String> {
        value_text(self.event.get(name)?)
    }

    /// An option as text; `None` when absent, null or empty.
    pub fn opt_text(&self, name: &str) -> Option<String> {
        value_text(self.opts.get(name)?)
    }

    /// A required field as text, or `MANDATORY_IE_MISSING: [name]`.
    pub fn require(&self, name: &str) -> Result<String, Error> {
        self.text(name)
            .ok_or_else(|| Error::MandatoryMissing(name.to_owned()))
    }

    /// A duration field in nanoseconds (integers are ns, text is Go syntax); `None` if absent.
    pub fn duration(&self, name: &str) -> Result<Option<i64>, Error> {
        duration_of(self.event.get(name), name)
    }

    /// A duration option in nanoseconds; `None` if absent.
    pub fn opt_duration(&self, name: &str) -> Result<Option<i64>, Error> {
        duration_of(self.opts.get(name), name)
    }

    /// The tenant: the event's `Tenant`, else the `Tenant` field, else `default`.
    pub fn tenant_or(&self, default: &str) -> String {
        if !self.tenant.is_empty() {
            return self.tenant.clone();
        }
        self.text(field::TENANT)
            .unwrap_or_else(|| default.to_owned())
    }
}

fn value_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

fn duration_of(value: Option<&Value>, name: &str) -> Result<Option<i64>, Error> {
    let invalid = |reason: String| Error::InvalidField {
        field: name.to_owned(),
        reason,
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(ns) => Ok(Some(ns)),
            None => n
                .as_f64()
                .map(|f| Some(f as i64))
                .ok_or_else(|| invalid(format!("invalid duration {n}"))),
        },
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => parse_duration(s).map(Some).map_err(invalid),
        Some(other) => Err(invalid(format!("invalid duration {other}"))),
    }
}

/// How an event is charged (`RequestType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestType {
    /// Credit is checked and reserved before use; MaxUsage is 0 when out of credit.
    Prepaid,
    /// No credit check; the account is debited when usage is reported (terminate, event,
    /// CDR) and may go negative.
    Postpaid,
    /// Reserved and debited as it goes like prepaid, but never refused: MaxUsage is what was
    /// asked and the account may go negative.
    PseudoPrepaid,
    /// Cost is computed (or taken from `Cost`) and stored, nothing is debited.
    Rated,
    /// Nothing is charged.
    None,
}

impl RequestType {
    /// Parse a `RequestType` value.
    pub fn parse(text: &str) -> Result<RequestType, Error> {
        Ok(match text {
            "*prepaid" => RequestType::Prepaid,
            "*postpaid" => RequestType::Postpaid,
            "*pseudoprepaid" => RequestType::PseudoPrepaid,
            "*rated" => RequestType::Rated,
            "*none" => RequestType::None,
            other => {
                return Err(Error::InvalidField {
                    field: field::REQUEST_TYPE.into(),
                    reason: format!("unsupported request type \"{other}\""),
                })
            }
        })
    }

    /// The CGRateS spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestType::Prepaid => "*prepaid",
            RequestType::Postpaid => "*postpaid",
            RequestType::PseudoPrepaid => "*pseudoprepaid",
            RequestType::Rated => "*rated",
            RequestType::None => "*none",
        }
    }

    /// Whether usage is debited from balances as it is reported.
    pub fn debits(self) -> bool {
        matches!(
            self,
            RequestType::Prepaid | RequestType::Postpaid | RequestType::PseudoPrepaid
        )
    }

    /// Whether credit is checked (MaxUsage capped by the balances).
    pub fn checks_credit(self) -> bool {
        self == RequestType::Prepaid
    }

    /// Whether sessions hold a reservation between requests.
    pub fn reserves(self) -> bool {
        matches!(self, RequestType::Prepaid | RequestType::PseudoPrepaid)
    }
}

/// The charging-relevant fields of an event, read once.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub tenant: String,
    pub account: String,
    pub tor: String,
    pub category: String,
    pub destination: String,
    pub request_type: RequestType,
}

impl Subject {
    /// Read tenant, account, ToR, category, destination and request type.
    pub fn read(event: &CgrEvent, defaults: &crate::EngineConfig) -> Result<Subject, Error> {
        let request_type = match event.text(field::REQUEST_TYPE) {
            Some(text) => RequestType::parse(&text)?,
            None => defaults.default_request_type,
        };
        let account = match event.text(field::ACCOUNT) {
            Some(account) => account,
            None if request_type == RequestType::None => String::new(),
            None => return Err(Error::MandatoryMissing(field::ACCOUNT.into())),
        };
        Ok(Subject {
            tenant: event.tenant_or(&defaults.default_tenant),
            account,
            tor: event
                .text(field::TOR)
                .unwrap_or_else(|| units::VOICE.to_owned()),
            category: event
                .text(field::CATEGORY)
                .unwrap_or_else(|| defaults.default_category.clone()),
            destination: event.text(field::DESTINATION).unwrap_or_default(),
            request_type,
        })
    }
}

/// Where a session or event comes from: `OriginHost` and `OriginID` (CGRateS derives its
/// CGRID from the same pair).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Origin {
    /// `OriginHost` (may be empty).
    pub host: String,
    /// `OriginID`.
    pub id: String,
}

impl Origin {
    /// Read `OriginHost` and the mandatory `OriginID`.
    pub fn read(event: &CgrEvent) -> Result<Origin, Error> {
        Ok(Origin {
            host: event.text(field::ORIGIN_HOST).unwrap_or_default(),
            id: event.require(field::ORIGIN_ID)?,
        })
    }
}

/// The request number option, if any.
pub(crate) fn request_number(event: &CgrEvent) -> Result<Option<i64>, Error> {
    match event.opt_text(field::OPT_REQUEST_NUMBER) {
        None => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::InvalidField {
                field: field::OPT_REQUEST_NUMBER.into(),
                reason: format!("not an integer: \"{text}\""),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_cgrates_json() {
        let ev: CgrEvent = serde_json::from_value(json!({
            "Tenant": "cgrates.org", "ID": "e1",
            "Event": {"ToR": "*voice", "OriginID": "s1", "Usage": "300s", "LastUsed": 1000},
            "APIOpts": {"*sessionsDebitInterval": "1s", "*requestNumber": 2}
        }))
        .unwrap();
        assert_eq!(
            ev.duration(field::USAGE).unwrap(),
            Some(300 * units::SECOND)
        );
        assert_eq!(ev.duration(field::LAST_USED).unwrap(), Some(1000));
        assert_eq!(
            ev.opt_duration(field::OPT_DEBIT_INTERVAL).unwrap(),
            Some(units::SECOND)
        );
        assert_eq!(request_number(&ev).unwrap(), Some(2));
        assert_eq!(ev.tenant_or("x"), "cgrates.org");
        let bad = CgrEvent::new([("Usage", "5 minutes")]);
        assert!(matches!(
            bad.duration(field::USAGE),
            Err(Error::InvalidField { .. })
        ));
        assert!(matches!(
            Origin::read(&bad),
            Err(Error::MandatoryMissing(f)) if f == "OriginID"
        ));
    }
}
