//! A runtime client node connected to the agent under test (tests/agent_*.rs).

use std::net::SocketAddr;
use std::time::Duration;

use diameter_runtime::app::Application;
use diameter_runtime::node::{Node, NodeConfig, PeerConfig, PeerRef};
use diameter_runtime::peer::AppId;

/// A node `origin_host` in `realm` with the agent `CGR-DA` at `addr` as its persistent
/// peer (not started).
pub fn node_with_agent_peer(addr: SocketAddr, origin_host: &str, realm: &str) -> (Node, PeerRef) {
    let node = Node::new(NodeConfig::new(origin_host, realm)).unwrap();
    let peer = node
        .add_peer(
            PeerConfig::new(&format!("aaa://CGR-DA:{}", addr.port()), realm)
                .unwrap()
                .ip_addresses(["127.0.0.1"])
                .unwrap()
                .persistent(true),
        )
        .unwrap();
    (node, peer)
}

/// A Credit-Control client `origin_host` in `realm`, connected and ready (within `wait`)
/// to the agent `CGR-DA` at `addr`.
pub async fn client(
    addr: SocketAddr,
    origin_host: &str,
    realm: &str,
    wait: Duration,
) -> (Node, Application) {
    let (node, peer) = node_with_agent_peer(addr, origin_host, realm);
    let app = node.add_application(AppId::auth(4), &[peer]).unwrap();
    node.start().await.unwrap();
    app.wait_for_ready(wait).await.unwrap();
    (node, app)
}

/// The agent's SMS example (examples/agent/sms.json) with each `from` replaced by `to`
/// (the text must be there).
pub fn sms_with(edits: &[(&str, &str)]) -> diameter_agent::Config {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/agent/sms.json");
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "sms.json has no {from}");
        text = text.replace(from, to);
    }
    diameter_agent::Config::from_str("sms.json", &text).unwrap()
}
