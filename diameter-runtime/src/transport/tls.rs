//! TLS over TCP with rustls, as RFC 6733 §13 prefers: the handshake runs as soon as the
//! TCP connection is up, before CER/CEA, and CER/CEA carry no Inband-Security-Id (or 0,
//! NO_INBAND_SECURITY).
//!
//! A [`TlsConfig`] holds what both sides need: the certificate a TLS listener presents,
//! the trust anchors that verify the servers dialled over `aaas://` (and the clients,
//! for mutual TLS), and the certificate presented to servers that ask for one.
//!
//! ```no_run
//! # fn run() -> Result<(), diameter_runtime::transport::tls::TlsError> {
//! use diameter_runtime::transport::tls::{self, TlsConfig};
//!
//! let tls = TlsConfig::builder()
//!     .certificate(tls::read_certificates("server.pem")?, tls::read_private_key("server.key")?)
//!     .trust(tls::read_certificates("ca.pem")?)
//!     .require_client_certificate(true)
//!     .build()?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio::net::TcpStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

pub use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

/// A client-side TLS stream over TCP.
pub type ClientStream = tokio_rustls::client::TlsStream<TcpStream>;
/// A server-side TLS stream over TCP.
pub type ServerStream = tokio_rustls::server::TlsStream<TcpStream>;

/// Why a TLS configuration could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A file holds no PEM item of the kind wanted.
    #[error("{}: no {what} found (PEM expected)", path.display())]
    Missing { path: PathBuf, what: &'static str },
    /// rustls refused the material (bad key, key not matching the certificate, bad CA).
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// A combination that cannot work.
    #[error("TLS configuration: {0}")]
    Invalid(&'static str),
}

/// TLS settings of a node: the server side for TLS listeners, the client side for
/// `aaas://` peers. Cloning shares the rustls configurations.
#[derive(Clone)]
pub struct TlsConfig {
    server: Option<Arc<ServerConfig>>,
    client: Option<Arc<ClientConfig>>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("server", &self.server.is_some())
            .field("client", &self.client.is_some())
            .finish()
    }
}

/// Two configurations are equal when they share the same rustls configurations.
impl PartialEq for TlsConfig {
    fn eq(&self, other: &Self) -> bool {
        fn same<T>(a: &Option<Arc<T>>, b: &Option<Arc<T>>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
        }
        same(&self.server, &other.server) && same(&self.client, &other.client)
    }
}

impl TlsConfig {
    /// Start a configuration from certificates and keys.
    pub fn builder() -> TlsConfigBuilder {
        TlsConfigBuilder::default()
    }

    /// A configuration from rustls configurations made elsewhere (custom verifiers,
    /// other crypto providers).
    pub fn from_rustls(
        server: Option<Arc<ServerConfig>>,
        client: Option<Arc<ClientConfig>>,
    ) -> Self {
        TlsConfig { server, client }
    }

    /// The configuration of TLS listeners, when a certificate was given.
    pub fn server(&self) -> Option<&Arc<ServerConfig>> {
        self.server.as_ref()
    }

    /// The configuration of connections to `aaas://` peers, when trust anchors were given.
    pub fn client(&self) -> Option<&Arc<ClientConfig>> {
        self.client.as_ref()
    }
}

/// Builds a [`TlsConfig`]; see [`TlsConfig::builder`].
#[derive(Default)]
pub struct TlsConfigBuilder {
    certificate: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    client_certificate: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    trust: Vec<CertificateDer<'static>>,
    require_client_certificate: bool,
}

impl TlsConfigBuilder {
    /// The certificate chain (leaf first) and key that TLS listeners present.
    pub fn certificate(
        mut self,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Self {
        self.certificate = Some((chain, key));
        self
    }

    /// The certificate chain and key presented to servers that ask for one (mutual
    /// TLS); without it, connections to `aaas://` peers present none.
    pub fn client_certificate(
        mut self,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Self {
        self.client_certificate = Some((chain, key));
        self
    }

    /// Trust anchors (CA certificates): they verify the servers of `aaas://` peers and,
    /// with [`require_client_certificate`](Self::require_client_certificate), the
    /// clients of TLS listeners.
    pub fn trust(mut self, anchors: impl IntoIterator<Item = CertificateDer<'static>>) -> Self {
        self.trust.extend(anchors);
        self
    }

    /// TLS listeners refuse clients without a certificate issued by a trust anchor.
    pub fn require_client_certificate(mut self, require: bool) -> Self {
        self.require_client_certificate = require;
        self
    }

    /// Check the material and make the rustls configurations.
    pub fn build(self) -> Result<TlsConfig, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        for anchor in self.trust {
            roots.add(anchor)?;
        }
        let roots = Arc::new(roots);
        let server = match self.certificate {
            Some((chain, key)) => {
                let builder = ServerConfig::builder_with_provider(provider.clone())
                    .with_safe_default_protocol_versions()?;
                let builder = if self.require_client_certificate {
                    if roots.is_empty() {
                        return Err(TlsError::Invalid(
                            "client certificates are required but no trust anchor is given",
                        ));
                    }
                    let verifier = WebPkiClientVerifier::builder_with_provider(
                        roots.clone(),
                        provider.clone(),
                    )
                    .build()
                    .map_err(|e| rustls::Error::General(e.to_string()))?;
                    builder.with_client_cert_verifier(verifier)
                } else {
                    builder.with_no_client_auth()
                };
                Some(Arc::new(builder.with_single_cert(chain, key)?))
            }
            None if self.require_client_certificate => {
                return Err(TlsError::Invalid(
                    "client certificates are required but the listener has no certificate",
                ));
            }
            None => None,
        };
        let client = if roots.is_empty() {
            if self.client_certificate.is_some() {
                return Err(TlsError::Invalid(
                    "a client certificate is given but no trust anchor to verify servers",
                ));
            }
            None
        } else {
            let builder = ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_root_certificates(roots);
            Some(Arc::new(match self.client_certificate {
                Some((chain, key)) => builder.with_client_auth_cert(chain, key)?,
                None => builder.with_no_client_auth(),
            }))
        };
        Ok(TlsConfig { server, client })
    }
}

/// Every certificate of a PEM file.
pub fn read_certificates(path: impl AsRef<Path>) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let path = path.as_ref();
    let text = read(path)?;
    let certs = rustls_pemfile::certs(&mut text.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| TlsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsError::Missing {
            path: path.to_path_buf(),
            what: "certificate",
        });
    }
    Ok(certs)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) of a PEM file.
pub fn read_private_key(path: impl AsRef<Path>) -> Result<PrivateKeyDer<'static>, TlsError> {
    let path = path.as_ref();
    let text = read(path)?;
    rustls_pemfile::private_key(&mut text.as_slice())
        .map_err(|source| TlsError::Read {
            path: path.to_path_buf(),
            source,
        })?
        .ok_or_else(|| TlsError::Missing {
            path: path.to_path_buf(),
            what: "private key",
        })
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Run the client handshake on `tcp`, verifying that the server is `server_name` (a DNS
/// name or an IP address). A refused handshake gives an error naming the server and the
/// reason (unknown issuer, name mismatch, ...).
pub async fn connect(
    config: &Arc<ClientConfig>,
    server_name: &str,
    tcp: TcpStream,
) -> io::Result<ClientStream> {
    let name = ServerName::try_from(server_name.to_string()).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("TLS server name `{server_name}`: {e}"),
        )
    })?;
    TlsConnector::from(config.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| handshake_error(&format!("with {server_name}"), e))
}

/// Run the server handshake on an accepted `tcp` connection.
pub async fn accept(config: &Arc<ServerConfig>, tcp: TcpStream) -> io::Result<ServerStream> {
    let remote = tcp
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    TlsAcceptor::from(config.clone())
        .accept(tcp)
        .await
        .map_err(|e| handshake_error(&format!("from {remote}"), e))
}

fn handshake_error(whom: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("TLS handshake {whom} failed: {e}"))
}
