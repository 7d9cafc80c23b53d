//! CGRateS-compatible Diameter agent: configuration, request processors and backends.
//!
//! A [`Config`] (CGRateS JSON: `general`, `diameter_agent`, `templates`) is compiled against a
//! dictionary into an [`Agent`]: value rules, paths, filters and field templates are parsed and
//! AVP names resolved once. [`Agent::handle`] then runs the request processors on a decoded
//! Diameter request, calls the [`Backend`] (CGRateS SessionS calls) and returns the answer.
//! Backends: the [`ChargingBackend`] (the embedded charging engine, `*internal`) and the
//! [`MemoryBackend`] (fixed answers, for tests and load tests).
//!
//! ```
//! # use std::sync::Arc;
//! # use diameter_agent::{Agent, Config, MemoryBackend};
//! # use diameter_runtime::message::Message;
//! let config = Config::from_str("agent.json", r#"{"diameter_agent": {"request_processors": [{
//!     "id": "ccr", "filters": ["*string:~*vars.*cmd:CCR"], "flags": ["*none"],
//!     "reply_fields": [{"type": "*template", "value": "*cca"}]}]}}"#).unwrap();
//! let dict = Arc::new(diameter_dict::Dictionary::shipped().unwrap());
//! let agent = Agent::new(&config, dict, MemoryBackend::new()).unwrap();
//! let ccr = Message::decode(diameter_runtime::hex::decode(
//!     include_str!("../../tests/data/seed_ccr.hex")).unwrap().into()).unwrap();
//! let cca = tokio_test_block_on(agent.handle(ccr));
//! assert_eq!(diameter_agent::result_code(&cca), Some(2001));
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

pub mod admin;
mod agent;
pub mod backend;
pub mod cgrates;
pub mod charging;
pub mod config;
pub mod control;
pub mod converter;
pub mod datum;
pub mod dpath;
pub mod duration;
pub mod error;
pub mod field;
pub mod filter;
pub mod flags;
pub mod outgoing;
mod processor;
pub mod reply;
pub mod request;
pub mod request_cache;
pub mod rsr;
pub mod server;
pub mod session_control;
pub mod time;
pub mod tree;

pub use agent::{check, check_path, load_dictionary, result_code, Agent};
pub use backend::{Backend, BackendError, Call, CgrEvent, MemoryBackend};
pub use cgrates::CgratesBackend;
pub use charging::ChargingBackend;
pub use config::Config;
/// The embedded charging engine the [`ChargingBackend`] runs.
pub use diameter_charging;
pub use error::{ConfigError, ProcessError};
pub use server::{serve, ServeError, Server, ServerOptions};
