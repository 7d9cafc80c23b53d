//! Moving Diameter frames over byte streams with tokio: framing with a maximum message
//! size ([`FrameReader`]), a writer task that gathers queued frames into one write
//! ([`Writer`]), and TCP connect/listen over IPv4 and IPv6 ([`tcp`]).
//!
//! This layer knows bytes and frames only; what a frame means is the node's business.

mod framing;
pub mod tcp;
mod writer;

pub use framing::{FrameError, FrameReader};
pub use writer::{Writer, WriterClosed};
