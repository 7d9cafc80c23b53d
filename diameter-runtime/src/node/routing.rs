//! Choosing the peer for an outgoing request.

/// What a selector knows about a candidate peer.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The peer's DiameterIdentity.
    pub host: &'a str,
    /// The peer's realm.
    pub realm: &'a str,
    /// Requests sent to it and not answered yet.
    pub outstanding: usize,
}

/// Picks one of the ready peers that may take a request (realm and application match).
/// Routing by Destination-Host comes first and does not consult the selector.
pub trait PeerSelector: Send + Sync + 'static {
    /// The index in `candidates` of the peer to use; `candidates` is never empty.
    fn select(&self, candidates: &[Candidate<'_>]) -> usize;
}

/// The default selector: the peer with the fewest outstanding requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct FewestOutstanding;

impl PeerSelector for FewestOutstanding {
    fn select(&self, candidates: &[Candidate<'_>]) -> usize {
        candidates
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| c.outstanding)
            .map_or(0, |(i, _)| i)
    }
}
