//! The base protocol between two peers, as pure code: the RFC 6733 §5.6 state machine
//! ([`fsm`]), the RFC 3539 watchdog ([`watchdog`]), and the CER/CEA, DWR/DWA, DPR/DPA
//! messages with the capability rules ([`capabilities`]).
//!
//! Nothing here touches a socket or a clock; the node's driver feeds events in and
//! carries the actions out.

pub mod base;
pub mod capabilities;
pub mod fsm;
pub mod watchdog;

pub use capabilities::{AppId, AppKind, Capabilities, RELAY_APPLICATION_ID};
pub use fsm::{Action, ConnId, Event, PeerFsm, Side, State};
pub use watchdog::{Watchdog, WatchdogAction, WatchdogEvent, WatchdogState};
