//! The Diameter runtime: wire codec, dynamic messages and (later) peers, node and agent.

pub mod hex;
pub mod message;
pub mod wire;

pub use diameter_dict as dict;
