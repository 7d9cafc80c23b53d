//! A connected byte stream, plain TCP or TLS over TCP, cut into the halves that the
//! frame reader and the writer task own: both kinds then share one reading and one
//! writing path.

use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::tls::{ClientStream, ServerStream};

/// The read half of any stream.
pub type BoxRead = Box<dyn AsyncRead + Send + Unpin>;
/// The write half of any stream.
pub type BoxWrite = Box<dyn AsyncWrite + Send + Unpin>;

/// An established connection, ready for [`FrameReader`](super::FrameReader) and
/// [`Writer`](super::Writer).
pub struct Stream {
    /// The read half.
    pub read: BoxRead,
    /// The write half.
    pub write: BoxWrite,
    /// Our end.
    pub local_addr: Option<SocketAddr>,
    /// The other end.
    pub remote_addr: Option<SocketAddr>,
    /// TLS runs on the connection.
    pub secure: bool,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("local_addr", &self.local_addr)
            .field("remote_addr", &self.remote_addr)
            .field("secure", &self.secure)
            .finish()
    }
}

impl Stream {
    /// Split a stream running over a TCP socket whose ends are `addrs`.
    fn split<S>(stream: S, addrs: (Option<SocketAddr>, Option<SocketAddr>), secure: bool) -> Stream
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (read, write) = tokio::io::split(stream);
        Stream {
            read: Box::new(read),
            write: Box::new(write),
            local_addr: addrs.0,
            remote_addr: addrs.1,
            secure,
        }
    }
}

fn addrs(tcp: &TcpStream) -> (Option<SocketAddr>, Option<SocketAddr>) {
    (tcp.local_addr().ok(), tcp.peer_addr().ok())
}

impl From<TcpStream> for Stream {
    /// A plain TCP connection; its halves need no lock between them.
    fn from(tcp: TcpStream) -> Stream {
        let (local_addr, remote_addr) = addrs(&tcp);
        let (read, write) = tcp.into_split();
        Stream {
            read: Box::new(read),
            write: Box::new(write),
            local_addr,
            remote_addr,
            secure: false,
        }
    }
}

impl From<ClientStream> for Stream {
    fn from(tls: ClientStream) -> Stream {
        let ends = addrs(tls.get_ref().0);
        Stream::split(tls, ends, true)
    }
}

impl From<ServerStream> for Stream {
    fn from(tls: ServerStream) -> Stream {
        let ends = addrs(tls.get_ref().0);
        Stream::split(tls, ends, true)
    }
}
