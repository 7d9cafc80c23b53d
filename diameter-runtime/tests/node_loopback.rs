//! Nodes talking over loopback TCP: a client and a server node, the watchdog on an idle
//! connection, DPR on stop, redial after a lost server, and bad peers that get the RFC
//! behaviour while the server keeps serving the others.
//!
//! Every wait is bounded; no test asserts on timing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use diameter_runtime::app::{Application, HandlerError, Request};
use diameter_runtime::message::{Avp, Message};
use diameter_runtime::node::{Error, Node, NodeConfig, PeerConfig, Timers};
use diameter_runtime::peer::base::{self, avp};
use diameter_runtime::peer::{capabilities, AppId, Capabilities, State};
use diameter_runtime::wire::{CommandFlags, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod support;

use support::{ccr, config, dict, ocs, server_node, timers, CC_APP, REALM, WAIT};

/// A server node answering CCRs on a TCP port, knowing `clients` as peers.
async fn server(clients: &[&str]) -> Node {
    let mut c = config("ocs.test");
    c.listen = vec!["127.0.0.1:0".parse().unwrap()];
    server_node(c, clients).await
}

async fn client_with(host: &str, addr: SocketAddr, t: Timers) -> (Node, Application) {
    let node = Node::with_dictionary(
        NodeConfig {
            timers: t,
            ..config(host)
        },
        dict(),
    );
    let ocs = node
        .add_peer(
            PeerConfig::new(&format!("aaa://ocs.test:{}", addr.port()), REALM)
                .unwrap()
                .ip_addresses([addr.ip().to_string()])
                .unwrap()
                .persistent(true),
        )
        .unwrap();
    let app = node.add_application(AppId::auth(CC_APP), &[ocs]).unwrap();
    node.start().await.unwrap();
    (node, app)
}

async fn client(host: &str, addr: SocketAddr) -> (Node, Application) {
    client_with(host, addr, timers()).await
}

/// Poll `check` until it holds, at most `WAIT`.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn count(node: &Node, f: impl Fn(&diameter_runtime::node::PeerStats) -> u64) -> u64 {
    node.statistics().iter().map(f).sum()
}

#[tokio::test]
async fn client_and_server_exchange_ccr_cca() {
    let server = server(&["client.test"]).await;
    let (node, app) = client("client.test", server.local_addrs()[0]).await;
    app.wait_for_ready(WAIT).await.unwrap();
    let cca = app.send_request(ccr(&node), WAIT).await.unwrap();
    assert_eq!(base::result_code(&cca), Some(2001));
    assert!(!cca.is_request());
    assert_eq!(base::u32_of(&cca, 415), Some(1));
    let stats = node.statistics();
    assert_eq!(stats[0].sent.requests.get(&272), Some(&1));
    assert_eq!(stats[0].received.result_classes.get("2xxx"), Some(&2)); // CEA + CCA
    assert_eq!(stats[0].request_latency[&272].count, 1);
    assert_eq!(server.statistics()[0].processing_time[&272].count, 1);
    assert_eq!(node.peer_state("ocs.test"), Some(State::IOpen));
    assert_eq!(server.peer_state("client.test"), Some(State::ROpen));
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn many_concurrent_requests_all_get_their_own_answer() {
    let server = server(&["client.test"]).await;
    let (node, app) = client("client.test", server.local_addrs()[0]).await;
    app.wait_for_ready(WAIT).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let app = app.clone();
        let req = ccr(&node);
        let session = base::str_of(&req, avp::SESSION_ID).unwrap();
        tasks.push(tokio::spawn(async move {
            let cca = app.send_request(req, WAIT).await.unwrap();
            assert_eq!(base::str_of(&cca, avp::SESSION_ID).unwrap(), session);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn idle_connection_exchanges_dwr_and_dwa() {
    let server = server(&["client.test"]).await;
    let t = Timers {
        watchdog: Duration::from_millis(300),
        ..timers()
    };
    let (node, app) = client_with("client.test", server.local_addrs()[0], t).await;
    app.wait_for_ready(WAIT).await.unwrap();
    eventually("a DWA for our DWR", || {
        count(&node, |s| {
            s.received.answers.get(&280).copied().unwrap_or(0)
        }) >= 2
    })
    .await;
    assert!(count(&node, |s| s.sent.requests.get(&280).copied().unwrap_or(0)) >= 2);
    assert!(count(&server, |s| s.sent.answers.get(&280).copied().unwrap_or(0)) >= 2);
    assert!(app.is_ready(), "the watchdog keeps the peer ready");
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn stop_sends_dpr_and_the_server_answers_dpa() {
    let server = server(&["client.test"]).await;
    let (node, app) = client("client.test", server.local_addrs()[0]).await;
    app.wait_for_ready(WAIT).await.unwrap();
    node.stop(WAIT).await;
    assert_eq!(
        count(&node, |s| s.sent.requests.get(&282).copied().unwrap_or(0)),
        1
    );
    assert_eq!(
        count(&node, |s| s
            .received
            .answers
            .get(&282)
            .copied()
            .unwrap_or(0)),
        1
    );
    assert_eq!(node.peer_state("ocs.test"), Some(State::Closed));
    eventually("server sees the peer closed", || {
        server.peer_state("client.test") == Some(State::Closed)
    })
    .await;
    assert!(!app.is_ready());
    server.stop(WAIT).await;
}

/// A server on its own runtime and thread; dropping the runtime kills it like a
/// crashed process: sockets close, no DPR.
fn server_in_own_runtime() -> (
    SocketAddr,
    std::sync::mpsc::Sender<()>,
    std::thread::JoinHandle<()>,
) {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (kill_tx, kill_rx) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let node = rt.block_on(server(&["client.test"]));
        addr_tx.send((node.local_addrs()[0], node.clone())).unwrap();
        let _ = kill_rx.recv();
        drop(rt);
    });
    let (addr, node) = addr_rx.recv().unwrap();
    drop(node);
    (addr, kill_tx, thread)
}

#[tokio::test]
async fn killed_server_is_redialled_and_the_pending_request_times_out() {
    let (addr, kill, thread) = server_in_own_runtime();
    let t = Timers {
        watchdog: Duration::from_millis(300),
        ..timers()
    };
    let (node, app) = client_with("client.test", addr, t).await;
    app.wait_for_ready(WAIT).await.unwrap();
    // The server's handler never answers this one: the request stays pending.
    let pending = {
        let app = app.clone();
        let mut req = ccr(&node);
        req.push(Avp::new(1, 0, true, &Value::Utf8String("slow".into())));
        tokio::spawn(async move { app.send_request(req, Duration::from_millis(1500)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    kill.send(()).unwrap();
    thread.join().unwrap();
    let result = tokio::time::timeout(WAIT, pending).await.unwrap().unwrap();
    assert!(matches!(result, Err(Error::Timeout(_))), "{result:?}");
    eventually("the client notices the loss", || !app.is_ready()).await;
    // A new server on the same port: the client redials on its own, and after the
    // watchdog's three DWAs (RFC 3539 REOPEN) requests flow again.
    let mut c = config("ocs.test");
    c.listen = vec![addr];
    let second = Node::with_dictionary(c, dict());
    let p = second
        .add_peer(PeerConfig::new("aaa://client.test", REALM).unwrap())
        .unwrap();
    second
        .add_server(AppId::auth(CC_APP), &[p], ocs, 8)
        .unwrap();
    second.start().await.unwrap();
    app.wait_for_ready(WAIT).await.unwrap();
    assert!(count(&node, |s| s.connections) >= 2);
    let cca = app.send_request(ccr(&node), WAIT).await.unwrap();
    assert_eq!(base::result_code(&cca), Some(2001));
    node.stop(WAIT).await;
    second.stop(WAIT).await;
}

#[tokio::test]
async fn request_to_a_silent_peer_times_out_and_leaves_nothing_behind() {
    // A raw peer that completes CER/CEA and then never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let raw = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let cer = read_message(&mut s).await.unwrap();
        let caps = Capabilities {
            origin_host: "ocs.test".into(),
            origin_realm: REALM.into(),
            host_ip_addresses: vec!["127.0.0.1".parse().unwrap()],
            product_name: "silent".into(),
            applications: vec![AppId::auth(CC_APP)],
            ..Capabilities::default()
        };
        s.write_all(&capabilities::cea(&caps, &cer, 2001, None).encode())
            .await
            .unwrap();
        let mut sink = vec![0u8; 65536];
        while s.read(&mut sink).await.unwrap_or(0) > 0 {}
    });
    let (node, app) = client("client.test", addr).await;
    app.wait_for_ready(WAIT).await.unwrap();
    for _ in 0..3 {
        let err = app
            .send_request(ccr(&node), Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Timeout(_)), "{err}");
    }
    assert_eq!(node.statistics()[0].timeouts, 3);
    // The bound on pending requests is back to its full size: 100 000 more fit.
    node.stop(Duration::from_millis(200)).await;
    raw.abort();
}

// ---- bad peers ----

async fn read_message(s: &mut TcpStream) -> Option<Message> {
    let mut head = [0u8; 20];
    s.read_exact(&mut head).await.ok()?;
    let len = u32::from_be_bytes([0, head[1], head[2], head[3]]) as usize;
    let mut buf = head.to_vec();
    buf.resize(len, 0);
    s.read_exact(&mut buf[20..]).await.ok()?;
    Message::decode(Bytes::from(buf)).ok()
}

/// Whether the server closed the connection (EOF or reset), within `WAIT`.
async fn closed(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(WAIT, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

fn raw_cer(host: &str, apps: Vec<AppId>) -> Message {
    let mut cer = capabilities::cer(&Capabilities {
        origin_host: host.into(),
        origin_realm: REALM.into(),
        host_ip_addresses: vec!["127.0.0.1".parse().unwrap()],
        vendor_id: 0,
        product_name: "raw".into(),
        applications: apps,
        ..Capabilities::default()
    });
    cer.header.hop_by_hop = 7;
    cer.header.end_to_end = 7;
    cer
}

/// A raw connection that has done CER/CEA as `host`.
async fn raw_peer(addr: SocketAddr, host: &str, apps: Vec<AppId>) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(&raw_cer(host, apps).encode()).await.unwrap();
    let cea = read_message(&mut s).await.expect("CEA");
    assert_eq!(base::result_code(&cea), Some(2001));
    s
}

/// The server still answers a well-behaved client.
async fn still_serving(node: &Node, app: &Application) {
    let cca = app.send_request(ccr(node), WAIT).await.unwrap();
    assert_eq!(base::result_code(&cca), Some(2001));
}

async fn bad_peer_setup() -> (Node, Node, Application) {
    let server = server(&["client.test", "bad.test", "bad2.test", "bad3.test"]).await;
    let (node, app) = client("client.test", server.local_addrs()[0]).await;
    app.wait_for_ready(WAIT).await.unwrap();
    (server, node, app)
}

#[tokio::test]
async fn cer_from_unknown_host_gets_3010_and_is_closed() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = TcpStream::connect(server.local_addrs()[0]).await.unwrap();
    s.write_all(&raw_cer("stranger.test", vec![AppId::auth(4)]).encode())
        .await
        .unwrap();
    let cea = read_message(&mut s).await.expect("CEA");
    assert_eq!(base::result_code(&cea), Some(3010));
    assert!(
        cea.header.flags.is_error(),
        "3010 is a protocol error: E bit"
    );
    assert!(closed(&mut s).await);
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn cer_without_common_application_gets_5010() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = TcpStream::connect(server.local_addrs()[0]).await.unwrap();
    s.write_all(&raw_cer("bad.test", vec![AppId::auth(16777238)]).encode())
        .await
        .unwrap();
    let cea = read_message(&mut s).await.expect("CEA");
    assert_eq!(base::result_code(&cea), Some(5010));
    assert!(!cea.header.flags.is_error());
    assert!(closed(&mut s).await);
    // A relay is accepted.
    let s = raw_peer(
        server.local_addrs()[0],
        "bad.test",
        vec![AppId::auth(capabilities::RELAY_APPLICATION_ID)],
    )
    .await;
    drop(s);
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn garbage_bytes_close_the_connection() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = raw_peer(server.local_addrs()[0], "bad.test", vec![AppId::auth(4)]).await;
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(closed(&mut s).await);
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn garbage_before_cer_closes_the_connection() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = TcpStream::connect(server.local_addrs()[0]).await.unwrap();
    s.write_all(&[0xffu8; 64]).await.unwrap();
    assert!(closed(&mut s).await);
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn huge_length_closes_the_connection() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = raw_peer(server.local_addrs()[0], "bad.test", vec![AppId::auth(4)]).await;
    let mut frame = ccr(&node).encode().to_vec();
    frame[1..4].copy_from_slice(&[0xff, 0xff, 0xfc]); // 16 MiB, above the 1 MiB limit
    s.write_all(&frame).await.unwrap();
    assert!(closed(&mut s).await);
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn truncated_frame_then_close_leaves_the_node_serving() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = raw_peer(server.local_addrs()[0], "bad.test", vec![AppId::auth(4)]).await;
    let frame = ccr(&node).encode();
    s.write_all(&frame[..frame.len() / 2]).await.unwrap();
    s.shutdown().await.unwrap();
    assert!(closed(&mut s).await);
    eventually("server notices the peer went", || {
        server.peer_state("bad.test") == Some(State::Closed)
    })
    .await;
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn request_for_an_application_not_advertised_gets_3007() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = raw_peer(server.local_addrs()[0], "bad.test", vec![AppId::auth(4)]).await;
    let mut req = ccr(&node);
    req.header.application_id = 16777238; // Gx
    req.header.hop_by_hop = 99;
    s.write_all(&req.encode()).await.unwrap();
    let answer = read_message(&mut s).await.expect("answer");
    assert_eq!(base::result_code(&answer), Some(3007));
    assert!(answer.header.flags.is_error());
    assert_eq!(answer.header.hop_by_hop, 99);
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn request_with_invalid_header_bits_gets_3008_and_the_connection_stays() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = raw_peer(server.local_addrs()[0], "bad.test", vec![AppId::auth(4)]).await;
    // E on a request, then a reserved bit: each gets 3008 with the E bit.
    for (flags, hop) in [(CommandFlags::ERROR, 41), (0x01, 42)] {
        let mut req = ccr(&node);
        req.header.flags.0 |= flags;
        req.header.hop_by_hop = hop;
        s.write_all(&req.encode()).await.unwrap();
        let answer = read_message(&mut s).await.expect("answer");
        assert_eq!(base::result_code(&answer), Some(3008));
        assert!(answer.header.flags.is_error());
        assert!(!answer.is_request());
        assert_eq!(answer.header.hop_by_hop, hop);
        assert_eq!(
            base::str_of(&answer, avp::SESSION_ID),
            base::str_of(&req, avp::SESSION_ID)
        );
    }
    // The connection still carries good requests.
    let mut req = ccr(&node);
    req.header.hop_by_hop = 43;
    s.write_all(&req.encode()).await.unwrap();
    let answer = read_message(&mut s).await.expect("answer");
    assert_eq!(base::result_code(&answer), Some(2001));
    assert_eq!(answer.header.hop_by_hop, 43);
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn request_missing_a_required_avp_gets_5005_with_failed_avp() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = raw_peer(server.local_addrs()[0], "bad2.test", vec![AppId::auth(4)]).await;
    let mut req = ccr(&node);
    req.avps.retain(|a| a.code != 461); // Service-Context-Id
    s.write_all(&req.encode()).await.unwrap();
    let answer = read_message(&mut s).await.expect("answer");
    assert_eq!(base::result_code(&answer), Some(5005));
    assert!(!answer.header.flags.is_error());
    let failed = base::find(&answer, avp::FAILED_AVP).expect("Failed-AVP");
    let inner: Vec<Avp> = failed.children().map(Result::unwrap).collect();
    assert_eq!(inner[0].code, 461);
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn wrong_realm_and_host_get_3003_and_3002() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = raw_peer(server.local_addrs()[0], "bad3.test", vec![AppId::auth(4)]).await;
    let mut req = ccr(&node);
    for a in req
        .avps
        .iter_mut()
        .filter(|a| a.code == avp::DESTINATION_REALM)
    {
        *a = Avp::new(
            avp::DESTINATION_REALM,
            0,
            true,
            &Value::DiameterIdentity("elsewhere.net".into()),
        );
    }
    s.write_all(&req.encode()).await.unwrap();
    let answer = read_message(&mut s).await.expect("answer");
    assert_eq!(base::result_code(&answer), Some(3003));
    let mut req = ccr(&node);
    req.push(Avp::new(
        avp::DESTINATION_HOST,
        0,
        true,
        &Value::DiameterIdentity("other.test".into()),
    ));
    s.write_all(&req.encode()).await.unwrap();
    let answer = read_message(&mut s).await.expect("answer");
    assert_eq!(base::result_code(&answer), Some(3002));
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn retransmitted_request_gets_the_same_answer_again() {
    let (server, node, app) = bad_peer_setup().await;
    let mut s = raw_peer(server.local_addrs()[0], "bad.test", vec![AppId::auth(4)]).await;
    let mut req = ccr(&node);
    req.header.end_to_end = 4242;
    req.header.hop_by_hop = 1;
    s.write_all(&req.encode()).await.unwrap();
    let first = read_message(&mut s).await.expect("answer");
    req.header.flags.set(CommandFlags::RETRANSMIT, true);
    req.header.hop_by_hop = 2;
    s.write_all(&req.encode()).await.unwrap();
    let second = read_message(&mut s).await.expect("answer");
    assert_eq!(second.header.hop_by_hop, 2);
    assert_eq!(first.avps, second.avps);
    let handled = server
        .statistics()
        .iter()
        .map(|s| s.processing_time.get(&272).map_or(0, |l| l.count))
        .sum::<u64>();
    assert_eq!(handled, 1, "the handler saw the request once");
    still_serving(&node, &app).await;
}

#[tokio::test]
async fn failing_handler_gets_5012_and_full_application_3004() {
    let mut c = config("ocs.test");
    c.listen = vec!["127.0.0.1:0".parse().unwrap()];
    let server = Node::with_dictionary(c, dict());
    let p = server
        .add_peer(PeerConfig::new("aaa://client.test", REALM).unwrap())
        .unwrap();
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let g = gate.clone();
    server
        .add_server(
            AppId::auth(CC_APP),
            &[p],
            move |req: Request| {
                let g = g.clone();
                async move {
                    if base::u32_of(&req.message, 415) == Some(9) {
                        return Err::<Message, HandlerError>("no credit backend".into());
                    }
                    let _ = g.acquire().await;
                    Ok(req.answer(2001))
                }
            },
            1,
        )
        .unwrap();
    server.start().await.unwrap();
    let (node, app) = client("client.test", server.local_addrs()[0]).await;
    app.wait_for_ready(WAIT).await.unwrap();
    // One request holds the only slot; the next one is turned away.
    let held = {
        let app = app.clone();
        let req = ccr(&node);
        tokio::spawn(async move { app.send_request(req, WAIT).await })
    };
    eventually("the first request reaches the handler", || {
        server.statistics()[0].received.requests.get(&272) == Some(&1)
    })
    .await;
    let busy = app.send_request(ccr(&node), WAIT).await.unwrap();
    assert_eq!(base::result_code(&busy), Some(3004));
    assert!(busy.header.flags.is_error());
    gate.add_permits(10);
    assert_eq!(base::result_code(&held.await.unwrap().unwrap()), Some(2001));
    let mut req = ccr(&node);
    for a in req.avps.iter_mut().filter(|a| a.code == 415) {
        *a = Avp::new(415, 0, true, &Value::Unsigned32(9));
    }
    let failed = app.send_request(req, WAIT).await.unwrap();
    assert_eq!(base::result_code(&failed), Some(5012));
    assert_eq!(
        base::str_of(&failed, avp::ERROR_MESSAGE).as_deref(),
        Some("no credit backend")
    );
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn ipv6_loopback() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    let mut c = config("ocs.test");
    c.listen = vec!["[::1]:0".parse().unwrap()];
    let server = Node::with_dictionary(c, dict());
    let p = server
        .add_peer(PeerConfig::new("aaa://client.test", REALM).unwrap())
        .unwrap();
    server
        .add_server(AppId::auth(CC_APP), &[p], ocs, 8)
        .unwrap();
    server.start().await.unwrap();
    let (node, app) = client("client.test", server.local_addrs()[0]).await;
    app.wait_for_ready(WAIT).await.unwrap();
    still_serving(&node, &app).await;
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn send_before_ready_is_not_routable() {
    let node = Node::with_dictionary(config("client.test"), dict());
    let p = node
        .add_peer(
            PeerConfig::new("aaa://nobody.test:1", REALM)
                .unwrap()
                .ip_addresses(["127.0.0.1"])
                .unwrap(),
        )
        .unwrap();
    let app = node.add_application(AppId::auth(CC_APP), &[p]).unwrap();
    node.start().await.unwrap();
    let err = app.send_request(ccr(&node), WAIT).await.unwrap_err();
    assert!(matches!(err, Error::NotRoutable { .. }), "{err}");
    let err = app
        .wait_for_ready(Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotReady(_)), "{err}");
    node.stop(WAIT).await;
}

// ---- a server open to any host ----

/// [`ocs`], with the address the request came from in Error-Message.
async fn ocs_telling_remote(request: Request) -> Result<Message, HandlerError> {
    let remote = request.remote_addr().map(|a| a.to_string());
    let mut answer = ocs(request).await?;
    answer.push(Avp::new(
        281,
        0,
        false,
        &Value::Utf8String(remote.unwrap_or_default()),
    ));
    Ok(answer)
}

/// A server node with no peer in its table that accepts any host; it checks
/// Destination-Realm when `check_realm`.
async fn open_server(check_realm: bool) -> Node {
    let mut c = config("ocs.test");
    c.listen = vec!["127.0.0.1:0".parse().unwrap()];
    c.accept_unknown_peers = true;
    c.check_destination_realm = check_realm;
    let node = Node::with_dictionary(c, dict());
    node.add_server(AppId::auth(CC_APP), &[], ocs_telling_remote, 64)
        .unwrap();
    node.start().await.unwrap();
    node
}

/// A CCR as `host` sends it on a raw connection, for `realm`.
fn raw_ccr(host: &str, realm: &str) -> Message {
    let mut req = ccr(&Node::with_dictionary(config(host), dict()));
    req.avps.retain(|a| a.code != avp::DESTINATION_REALM);
    req.push(Avp::new(
        avp::DESTINATION_REALM,
        0,
        true,
        &Value::DiameterIdentity(realm.into()),
    ));
    req.header.hop_by_hop = 9;
    req.header.end_to_end = 9;
    req
}

#[tokio::test]
async fn unknown_hosts_are_served_at_once_and_forgotten_when_gone() {
    let server = open_server(true).await;
    let addr = server.local_addrs()[0];
    let (one, app1) = client("one.test", addr).await;
    let (two, app2) = client("two.test", addr).await;
    app1.wait_for_ready(WAIT).await.unwrap();
    app2.wait_for_ready(WAIT).await.unwrap();
    let (a1, a2) = tokio::join!(
        app1.send_request(ccr(&one), WAIT),
        app2.send_request(ccr(&two), WAIT)
    );
    assert_eq!(base::result_code(&a1.unwrap()), Some(2001));
    assert_eq!(base::result_code(&a2.unwrap()), Some(2001));
    assert_eq!(server.peer_state("ONE.test"), Some(State::ROpen));
    assert_eq!(server.peer_state("two.test"), Some(State::ROpen));
    let hosts: Vec<String> = server.statistics().into_iter().map(|s| s.host).collect();
    assert!(hosts.contains(&"one.test".to_string()), "{hosts:?}");
    one.stop(WAIT).await;
    eventually("one.test leaves the table", || {
        server.peer_state("one.test").is_none()
    })
    .await;
    still_serving(&two, &app2).await;
    // The host comes back: a new entry.
    let (one, app1) = client("one.test", addr).await;
    app1.wait_for_ready(WAIT).await.unwrap();
    still_serving(&one, &app1).await;
    one.stop(WAIT).await;
    two.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn second_connection_from_a_connected_unknown_host_is_refused() {
    let server = open_server(true).await;
    let addr = server.local_addrs()[0];
    let mut first = raw_peer(addr, "dup.test", vec![AppId::auth(4)]).await;
    let mut second = TcpStream::connect(addr).await.unwrap();
    second
        .write_all(&raw_cer("dup.test", vec![AppId::auth(4)]).encode())
        .await
        .unwrap();
    assert!(
        closed(&mut second).await,
        "R-Open: a second CER from the host is rejected"
    );
    first
        .write_all(&raw_ccr("dup.test", REALM).encode())
        .await
        .unwrap();
    let answer = read_message(&mut first).await.expect("answer");
    assert_eq!(base::result_code(&answer), Some(2001));
    drop(first);
    eventually("dup.test leaves the table", || {
        server.peer_state("dup.test").is_none()
    })
    .await;
    raw_peer(addr, "dup.test", vec![AppId::auth(4)]).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn without_the_realm_check_any_realm_is_served_and_the_handler_sees_the_remote() {
    for (check_realm, expected) in [(true, 3003), (false, 2001)] {
        let server = open_server(check_realm).await;
        let mut s = raw_peer(server.local_addrs()[0], "raw.test", vec![AppId::auth(4)]).await;
        s.write_all(&raw_ccr("raw.test", "elsewhere.net").encode())
            .await
            .unwrap();
        let answer = read_message(&mut s).await.expect("answer");
        assert_eq!(
            base::result_code(&answer),
            Some(expected),
            "check_destination_realm {check_realm}"
        );
        if !check_realm {
            let local = s.local_addr().unwrap().to_string();
            assert_eq!(base::str_of(&answer, 281).as_deref(), Some(local.as_str()));
        }
        server.stop(WAIT).await;
    }
}
