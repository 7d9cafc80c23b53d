//! Node and peer configuration.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use crate::transport::tls::TlsConfig;
use crate::wire::uri::Transport;
use crate::wire::{DiameterUri, Limits};

/// Timers of the peer connections; the node's values apply to every peer unless the
/// peer's configuration overrides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// Bound on a TCP connect.
    pub connect: Duration,
    /// Bound on waiting for a CEA after our CER, and for the CER on an accepted connection.
    pub cea: Duration,
    /// Tw, the watchdog interval of RFC 3539 (at least 6 s there; shorter values are
    /// accepted for tests).
    pub watchdog: Duration,
    /// Bound on waiting for the DPA after our DPR.
    pub dpa: Duration,
    /// Longest wait between redials of a persistent peer; redials back off up to it.
    pub reconnect_wait: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            connect: Duration::from_secs(4),
            cea: Duration::from_secs(4),
            watchdog: Duration::from_secs(30),
            dpa: Duration::from_secs(4),
            reconnect_wait: Duration::from_secs(30),
        }
    }
}

/// One configured peer.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerConfig {
    /// Where the peer is: its DiameterIdentity is `uri.fqdn`.
    pub uri: DiameterUri,
    /// The peer's realm.
    pub realm: String,
    /// Addresses to connect to; without them the peer's FQDN is resolved.
    pub ip_addresses: Vec<IpAddr>,
    /// Connect at start and redial when the connection is lost.
    pub persistent: bool,
    /// Route requests for any realm to this peer when nothing more specific matches.
    pub default_route: bool,
    /// Timer overrides for this peer.
    pub timers: Option<Timers>,
    /// The name the peer's TLS certificate must carry (`aaas://` peers); the FQDN of
    /// the URI when not set.
    pub tls_server_name: Option<String>,
}

/// A peer configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The DiameterURI does not parse.
    #[error("peer `{uri}`: {reason}")]
    Uri { uri: String, reason: String },
    /// The transport is not available.
    #[error(
        "peer `{uri}`: transport {transport} is not supported (tcp only, with TLS for aaas://)"
    )]
    Transport { uri: String, transport: String },
    /// TLS is asked for without the material it needs.
    #[error("TLS: {0}")]
    Tls(String),
    /// An IP address does not parse.
    #[error("peer `{uri}`: `{address}` is not an IP address")]
    Address { uri: String, address: String },
    /// The same identity twice.
    #[error("peer `{0}` is configured twice")]
    Duplicate(String),
    /// A peer reference that is not in this node's table.
    #[error("peer `{0}` is not in the peer table")]
    UnknownPeer(String),
    /// The node is already started.
    #[error("the node is already started: peers and applications are added before start")]
    Started,
}

impl PeerConfig {
    /// A peer from its DiameterURI (`aaa://host[:port][;transport=tcp]`) and realm;
    /// `aaas://` runs TLS over TCP (port 5658 by default), which needs the node's
    /// [`NodeConfig::tls`] with trust anchors.
    pub fn new(uri: &str, realm: &str) -> Result<PeerConfig, ConfigError> {
        let parsed = DiameterUri::from_str(uri).map_err(|e| ConfigError::Uri {
            uri: uri.to_string(),
            reason: e.to_string(),
        })?;
        if let Some(t) = parsed.transport {
            if t != Transport::Tcp {
                return Err(ConfigError::Transport {
                    uri: uri.to_string(),
                    transport: t.to_string(),
                });
            }
        }
        Ok(PeerConfig {
            uri: parsed,
            realm: realm.to_string(),
            ip_addresses: Vec::new(),
            persistent: false,
            default_route: false,
            timers: None,
            tls_server_name: None,
        })
    }

    /// Add addresses to connect to.
    pub fn ip_addresses<I, S>(mut self, addresses: I) -> Result<PeerConfig, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for a in addresses {
            let a = a.as_ref();
            let ip = a.parse::<IpAddr>().map_err(|_| ConfigError::Address {
                uri: self.uri.to_string(),
                address: a.to_string(),
            })?;
            self.ip_addresses.push(ip);
        }
        Ok(self)
    }

    /// Connect at start and redial after a loss.
    pub fn persistent(mut self, persistent: bool) -> PeerConfig {
        self.persistent = persistent;
        self
    }

    /// Use as a default route.
    pub fn default_route(mut self, default: bool) -> PeerConfig {
        self.default_route = default;
        self
    }

    /// Override the node's timers for this peer.
    pub fn timers(mut self, timers: Timers) -> PeerConfig {
        self.timers = Some(timers);
        self
    }

    /// The name the peer's TLS certificate is checked against, instead of its FQDN
    /// (for instance the IP address the certificate was issued for).
    pub fn tls_server_name(mut self, name: &str) -> PeerConfig {
        self.tls_server_name = Some(name.to_string());
        self
    }

    /// The name the peer's TLS certificate must carry.
    pub fn server_name(&self) -> &str {
        self.tls_server_name.as_deref().unwrap_or(&self.uri.fqdn)
    }

    /// Whether the connection runs TLS (`aaas://`).
    pub fn is_secure(&self) -> bool {
        self.uri.secure
    }

    /// The peer's DiameterIdentity.
    pub fn host(&self) -> &str {
        &self.uri.fqdn
    }

    /// The socket addresses to dial: the configured IPs, else the FQDN resolved.
    pub async fn dial_addresses(&self) -> std::io::Result<Vec<SocketAddr>> {
        let port = self.uri.effective_port();
        if !self.ip_addresses.is_empty() {
            return Ok(self
                .ip_addresses
                .iter()
                .map(|ip| SocketAddr::new(*ip, port))
                .collect());
        }
        Ok(tokio::net::lookup_host((self.uri.fqdn.as_str(), port))
            .await?
            .collect())
    }
}

/// The node's own identity and behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeConfig {
    /// Origin-Host.
    pub origin_host: String,
    /// Origin-Realm.
    pub realm: String,
    /// Vendor-Id in CER/CEA.
    pub vendor_id: u32,
    /// Product-Name in CER/CEA.
    pub product_name: String,
    /// Supported-Vendor-Id in CER/CEA.
    pub supported_vendor_ids: Vec<u32>,
    /// Firmware-Revision in CER/CEA.
    pub firmware_revision: Option<u32>,
    /// Host-IP-Address in CER/CEA; empty means the local address of each connection.
    pub host_ip_addresses: Vec<IpAddr>,
    /// Addresses to listen on (IPv4 and IPv6); empty for a pure client.
    pub listen: Vec<SocketAddr>,
    /// Addresses to listen on with TLS from the first byte (RFC 6733 §13); they need
    /// [`NodeConfig::tls`] with a certificate.
    pub tls_listen: Vec<SocketAddr>,
    /// TLS material: the listeners' certificate, the trust anchors verifying `aaas://`
    /// peers (and client certificates), the certificate presented to servers.
    pub tls: Option<TlsConfig>,
    /// Timers of every peer, unless overridden.
    pub timers: Timers,
    /// Decoder limits: largest message, deepest grouping.
    pub limits: Limits,
    /// Bound on requests sent and not yet answered, over the whole node.
    pub max_pending: usize,
    /// Check received requests against the dictionary (5005, 5004, 5009, ... with Failed-AVP).
    pub validate_requests: bool,
    /// How many answered requests are remembered for T-flag duplicate detection.
    pub duplicate_window: usize,
    /// Accept a CER from a host not in the peer table: the connection gets a peer entry
    /// of its own, named by the CER's Origin-Host and Origin-Realm, that lasts as long as
    /// the connection (never redialled). When off, such a CER gets 3010
    /// DIAMETER_UNKNOWN_PEER.
    pub accept_unknown_peers: bool,
    /// Answer 3003 DIAMETER_REALM_NOT_SERVED to a request whose Destination-Realm is not
    /// ours (RFC 6733 §6.1). When off, such a request goes to the local handler.
    pub check_destination_realm: bool,
}

impl NodeConfig {
    /// A configuration with defaults for everything but the identity.
    pub fn new(origin_host: &str, realm: &str) -> NodeConfig {
        NodeConfig {
            origin_host: origin_host.to_string(),
            realm: realm.to_string(),
            vendor_id: 0,
            product_name: "diameter-rs".to_string(),
            supported_vendor_ids: Vec::new(),
            firmware_revision: None,
            host_ip_addresses: Vec::new(),
            listen: Vec::new(),
            tls_listen: Vec::new(),
            tls: None,
            timers: Timers::default(),
            limits: Limits::default(),
            max_pending: 100_000,
            validate_requests: true,
            duplicate_window: 10_240,
            accept_unknown_peers: false,
            check_destination_realm: true,
        }
    }
}
