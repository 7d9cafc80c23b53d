//! An embedded online charging engine on SQLite, shaped after CGRateS SessionS.
//!
//! [`Engine`] answers the calls a Diameter agent makes (`AuthorizeEvent`,
//! `InitiateSession`, `UpdateSession`, `TerminateSession`, `ProcessMessage`,
//! `ProcessEvent`, `ProcessCDR`) on [`CgrEvent`]s carrying CGRateS field names:
//!
//! * accounts hold balances per ToR (*voice in ns, *data in bytes, *sms in messages,
//!   *monetary in micro-units); usage is paid from the ToR's balance first, then in money
//!   through the [`Tariff`] chosen by category and longest destination prefix;
//! * sessions reserve their grant, debit what was used at each update and at terminate,
//!   and are terminated by a TTL reaper when they go silent;
//! * MaxUsage is what CGRateS answers: the grant in nanoseconds (ToR units), 0 when a
//!   *prepaid account is out of credit;
//! * every request is one savepoint of a batch transaction committed before the answer
//!   (WAL, group commit), and every debit is recorded once per origin and step in a ledger,
//!   so a crash loses no acknowledged request and a repeated request is not charged twice.
//!
//! ```no_run
//! use diameter_charging::{CgrEvent, Engine, EngineConfig};
//! let engine = Engine::open("charging.db", EngineConfig::default())?;
//! engine.load_file("accounts.json")?;
//! let sms = CgrEvent::new([
//!     ("ToR", "*sms"), ("OriginID", "sess-1"), ("OriginHost", "client"),
//!     ("RequestType", "*prepaid"), ("Account", "1001"), ("Destination", "+4917"),
//!     ("Category", "sms"), ("Usage", "1"),
//! ]);
//! let granted = engine.process_message(&sms)?; // 1, or 0 when out of credit
//! # Ok::<(), diameter_charging::Error>(())
//! ```

mod account;
mod engine;
mod error;
mod event;
mod load;
mod query;
mod request;
mod schema;
mod store;
mod tariff;
pub mod units;
mod writer;

pub use account::{Balance, Balances, Charge};
pub use engine::{Engine, EngineConfig, Handle};
pub use error::{Error, LoadError};
pub use event::{field, CgrEvent, Origin, RequestType};
pub use load::{parse_csv, parse_json, read_file, AccountLoad, Dataset, LoadSummary};
pub use query::{AccountView, BalanceView, Cdr, CdrFilter, SessionView, Store};
pub use request::{DisconnectReason, EventReply, Notice, Reply, Request, RUN_ID};
pub use schema::{Sync, VERSION as SCHEMA_VERSION};
pub use tariff::{Tariff, TariffIndex};
