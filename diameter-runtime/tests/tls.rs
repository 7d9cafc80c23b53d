//! Diameter over TLS (RFC 6733 §13): TLS from the first byte on `aaas://` peers and TLS
//! listeners, CER/CEA then requests inside it, refused handshakes that leave the server
//! serving, and mutual TLS. The test PKI is in `tests/data/tls` (see its README).
//!
//! Every wait is bounded; no test asserts on timing.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use diameter_runtime::app::Application;
use diameter_runtime::message::Message;
use diameter_runtime::node::{ConfigError, Error, Node, PeerConfig};
use diameter_runtime::peer::base::{self, avp};
use diameter_runtime::peer::{capabilities, AppId, Capabilities, State};
use diameter_runtime::transport::tls::{self, TlsConfig, TlsError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod support;

use support::{ccr, config, dict, server_node, CC_APP, REALM, WAIT};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tls")
        .join(name)
}

fn certs(name: &str) -> Vec<tls::CertificateDer<'static>> {
    tls::read_certificates(data(name)).unwrap()
}

fn key(name: &str) -> tls::PrivateKeyDer<'static> {
    tls::read_private_key(data(name)).unwrap()
}

/// The server side: `server.pem` for `localhost`/127.0.0.1; with `mutual`, clients
/// must show a certificate of the test CA.
fn server_tls(mutual: bool) -> TlsConfig {
    let mut b = TlsConfig::builder().certificate(certs("server.pem"), key("server.key"));
    if mutual {
        b = b.trust(certs("ca.pem")).require_client_certificate(true);
    }
    b.build().unwrap()
}

/// The client side trusting `ca`, presenting `client.pem` when `with_certificate`.
fn client_tls(ca: &str, with_certificate: bool) -> TlsConfig {
    let mut b = TlsConfig::builder().trust(certs(ca));
    if with_certificate {
        b = b.client_certificate(certs("client.pem"), key("client.key"));
    }
    b.build().unwrap()
}

/// A server node with only a TLS listener, knowing `clients` as peers.
async fn tls_server(clients: &[&str], mutual: bool) -> Node {
    let mut c = config("ocs.test");
    c.tls_listen = vec!["127.0.0.1:0".parse().unwrap()];
    c.tls = Some(server_tls(mutual));
    let node = server_node(c, clients).await;
    assert!(node.local_addrs().is_empty(), "no plain listener");
    node
}

/// A client node dialling `aaas://ocs.test` at `addr`, checking the certificate
/// against `server_name`.
async fn tls_client(
    host: &str,
    addr: SocketAddr,
    tls: TlsConfig,
    server_name: &str,
) -> (Node, Application) {
    let mut c = config(host);
    c.tls = Some(tls);
    let node = Node::with_dictionary(c, dict());
    let peer = PeerConfig::new(&format!("aaas://ocs.test:{}", addr.port()), REALM)
        .unwrap()
        .ip_addresses([addr.ip().to_string()])
        .unwrap()
        .tls_server_name(server_name)
        .persistent(true);
    let ocs = node.add_peer(peer).unwrap();
    let app = node.add_application(AppId::auth(CC_APP), &[ocs]).unwrap();
    node.start().await.unwrap();
    (node, app)
}

/// Poll `check` until it gives something, at most `WAIT`.
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn last_connect_error(node: &Node) -> Option<String> {
    node.statistics()[0].last_connect_error.clone()
}

/// One whole message from `stream`.
async fn read_message<S: AsyncReadExt + Unpin>(stream: &mut S) -> std::io::Result<Message> {
    let mut head = [0u8; 4];
    stream.read_exact(&mut head).await?;
    let len = u32::from_be_bytes([0, head[1], head[2], head[3]]) as usize;
    let mut frame = head.to_vec();
    frame.resize(len, 0);
    stream.read_exact(&mut frame[4..]).await?;
    Message::decode(frame.into()).map_err(std::io::Error::other)
}

fn client_caps(host: &str) -> Capabilities {
    Capabilities {
        origin_host: host.into(),
        origin_realm: REALM.into(),
        host_ip_addresses: vec!["127.0.0.1".parse().unwrap()],
        product_name: "raw".into(),
        applications: vec![AppId::auth(CC_APP)],
        ..Capabilities::default()
    }
}

async fn ccr_gets_2001(node: &Node, app: &Application) {
    let cca = app.send_request(ccr(node), WAIT).await.unwrap();
    assert_eq!(base::result_code(&cca), Some(2001));
}

/// A TLS server for `client.test` and that client reaching it by `server_name`, ready, a
/// CCR answered 2001: (server, client).
async fn ccr_over_tls(server_name: &str) -> (Node, Node) {
    let server = tls_server(&["client.test"], false).await;
    let addr = server.tls_local_addrs()[0];
    let (node, app) = tls_client(
        "client.test",
        addr,
        client_tls("ca.pem", false),
        server_name,
    )
    .await;
    app.wait_for_ready(WAIT).await.unwrap();
    ccr_gets_2001(&node, &app).await;
    (server, node)
}

#[tokio::test]
async fn nodes_exchange_cer_cea_and_a_request_over_tls() {
    let (server, node) = ccr_over_tls("localhost").await;
    assert_eq!(node.peer_state("ocs.test"), Some(State::IOpen));
    assert_eq!(server.peer_state("client.test"), Some(State::ROpen));
    let stats = node.statistics();
    assert_eq!(stats[0].connections, 1);
    assert_eq!(stats[0].last_connect_error, None);
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn the_certificate_is_checked_against_an_ip_address_too() {
    let (server, node) = ccr_over_tls("127.0.0.1").await;
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

/// TLS comes first, then a CER without Inband-Security-Id; the CEA carries none either
/// (or 0, NO_INBAND_SECURITY).
#[tokio::test]
async fn tls_runs_before_cer_and_cea_claims_no_inband_security() {
    let server = tls_server(&["raw.test"], false).await;
    let addr = server.tls_local_addrs()[0];
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let config = client_tls("ca.pem", false);
    let mut stream = tls::connect(config.client().unwrap(), "localhost", tcp)
        .await
        .unwrap();
    let cer = capabilities::cer(&client_caps("raw.test"));
    stream.write_all(&cer.encode()).await.unwrap();
    let cea = tokio::time::timeout(WAIT, read_message(&mut stream))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cea.header.command_code, 257);
    assert_eq!(base::result_code(&cea), Some(2001));
    assert!(matches!(
        base::u32_of(&cea, avp::INBAND_SECURITY_ID),
        None | Some(0)
    ));
    server.stop(WAIT).await;
}

#[tokio::test]
async fn a_client_not_trusting_the_server_ca_fails_with_a_clear_error() {
    let server = tls_server(&["client.test", "other.test"], false).await;
    let addr = server.tls_local_addrs()[0];

    // The handshake on its own names the reason.
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let untrusting = client_tls("other-ca.pem", false);
    let err = tls::connect(untrusting.client().unwrap(), "localhost", tcp)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("TLS handshake with localhost failed"),
        "{text}"
    );
    assert!(text.contains("UnknownIssuer"), "{text}");

    // A node never opens the peer and keeps the reason in its statistics.
    let (bad, bad_app) = tls_client("other.test", addr, untrusting, "localhost").await;
    let error = eventually("the failed connect", || last_connect_error(&bad)).await;
    assert!(error.contains("UnknownIssuer"), "{error}");
    assert!(!bad_app.is_ready());

    // The server goes on serving a client that trusts it.
    let (node, app) = tls_client(
        "client.test",
        addr,
        client_tls("ca.pem", false),
        "localhost",
    )
    .await;
    app.wait_for_ready(WAIT).await.unwrap();
    ccr_gets_2001(&node, &app).await;
    assert_ne!(server.peer_state("other.test"), Some(State::ROpen));
    bad.stop(WAIT).await;
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn a_name_the_certificate_does_not_carry_is_refused() {
    let server = tls_server(&["client.test"], false).await;
    let addr = server.tls_local_addrs()[0];
    let (node, app) =
        tls_client("client.test", addr, client_tls("ca.pem", false), "ocs.test").await;
    let error = eventually("the failed connect", || last_connect_error(&node)).await;
    assert!(error.contains("not valid for name \"ocs.test\""), "{error}");
    assert!(!app.is_ready());
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn mutual_tls_refuses_a_client_without_certificate() {
    let server = tls_server(&["client.test", "anonymous.test"], true).await;
    let addr = server.tls_local_addrs()[0];

    // Without a certificate the server aborts the handshake: the CER gets no CEA.
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let anonymous = client_tls("ca.pem", false);
    let refused = async {
        let mut stream = tls::connect(anonymous.client().unwrap(), "localhost", tcp).await?;
        let cer = capabilities::cer(&client_caps("anonymous.test"));
        stream.write_all(&cer.encode()).await?;
        read_message(&mut stream).await
    };
    let result = tokio::time::timeout(WAIT, refused).await.unwrap();
    let err = result.expect_err("no CEA without a client certificate");
    assert!(err.to_string().contains("CertificateRequired"), "{err}");

    // A node without a certificate never opens the peer, and says why.
    let (bad, bad_app) = tls_client("anonymous.test", addr, anonymous, "localhost").await;
    let error = eventually("the refused connection", || last_connect_error(&bad)).await;
    assert!(error.contains("CertificateRequired"), "{error}");
    assert!(!bad_app.is_ready());

    // With its certificate the client gets through.
    let (node, app) =
        tls_client("client.test", addr, client_tls("ca.pem", true), "localhost").await;
    app.wait_for_ready(WAIT).await.unwrap();
    ccr_gets_2001(&node, &app).await;
    bad.stop(WAIT).await;
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn tls_needs_its_material() {
    // An aaas:// peer on a node without trust anchors.
    let node = Node::with_dictionary(config("client.test"), dict());
    let err = node
        .add_peer(PeerConfig::new("aaas://ocs.test", REALM).unwrap())
        .unwrap_err();
    assert!(matches!(err, ConfigError::Tls(_)), "{err}");
    assert!(err.to_string().contains("ocs.test"), "{err}");

    // A TLS listener without a certificate.
    let mut c = config("ocs.test");
    c.tls_listen = vec!["127.0.0.1:0".parse().unwrap()];
    c.tls = Some(client_tls("ca.pem", false));
    let err = Node::with_dictionary(c, dict()).start().await.unwrap_err();
    assert!(matches!(err, Error::Config(ConfigError::Tls(_))), "{err}");

    // Client certificates required without anything to check them against.
    let err = TlsConfig::builder()
        .certificate(certs("server.pem"), key("server.key"))
        .require_client_certificate(true)
        .build()
        .unwrap_err();
    assert!(matches!(err, TlsError::Invalid(_)), "{err}");

    // A key file is not a certificate file; a missing file names its path.
    let err = tls::read_certificates(data("server.key")).unwrap_err();
    assert!(
        err.to_string().contains("server.key: no certificate"),
        "{err}"
    );
    let err = tls::read_private_key(data("missing.key")).unwrap_err();
    assert!(err.to_string().contains("missing.key"), "{err}");

    // A key that is not the certificate's.
    let err = TlsConfig::builder()
        .certificate(certs("server.pem"), key("client.key"))
        .build()
        .unwrap_err();
    assert!(matches!(err, TlsError::Rustls(_)), "{err}");
    assert_eq!(
        PeerConfig::new("aaas://ocs.test", REALM)
            .unwrap()
            .uri
            .effective_port(),
        5658
    );
}
