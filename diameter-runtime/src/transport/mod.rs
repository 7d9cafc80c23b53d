//! Moving Diameter frames over byte streams with tokio: framing with a maximum message
//! size ([`FrameReader`]), a writer task that gathers queued frames into one write
//! ([`Writer`]), TCP connect/listen over IPv4 and IPv6 ([`tcp`]), TLS over TCP
//! ([`tls`]), and the [`Stream`] both give, split for the reader and the writer.
//!
//! This layer knows bytes and frames only; what a frame means is the node's business.

mod framing;
mod stream;
pub mod tcp;
pub mod tls;
mod writer;

pub use framing::{FrameError, FrameReader};
pub use stream::{BoxRead, BoxWrite, Stream};
pub use writer::{Cork, Writer, WriterClosed};
