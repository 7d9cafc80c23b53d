//! The Diameter runtime: wire codec, dynamic messages and (later) peers, node and agent.

pub mod app;
pub mod hex;
pub mod message;
pub mod node;
pub mod peer;
pub mod transport;
pub mod typed;
pub mod wire;

pub use diameter_dict as dict;
