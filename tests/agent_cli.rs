//! The `diameter-agent` binary: `check` accepts the examples and refuses a bad configuration
//! with its file, JSON path and reason on one line; the agent started without `--config`
//! (the built-in SMS configuration) answers the seed's CCR with 2001 and, on SIGTERM, sends
//! DPR to its peer and exits 0.

mod common;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diameter::message::{Avp, Message};
use diameter::wire::Value;
use diameter_runtime::node::{Node, NodeConfig, PeerConfig};
use diameter_runtime::peer::AppId;

use common::process::{free_port, Kill};

const BIN: &str = env!("CARGO_BIN_EXE_diameter-agent");
const WAIT: Duration = Duration::from_secs(20);

fn example(name: &str) -> String {
    format!("{}/examples/agent/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_accepts_the_examples() {
    for name in ["sms.json", "voice.json", "data.json"] {
        let out = Command::new(BIN)
            .args(["check", "--config", &example(name)])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name}: {stdout}");
        assert!(stdout.contains(": OK ("), "{stdout}");
    }
    // The folder: every file merged.
    let out = Command::new(BIN)
        .args(["check", "--config", &example("")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn check_refuses_a_bad_configuration_with_file_path_and_reason() {
    let bad = std::env::temp_dir().join(format!("agent-cli-bad-{}.json", std::process::id()));
    std::fs::write(
        &bad,
        r#"{"diameter_agent": {"request_processors": [{"id": "x", "flags": ["*none"],
            "request_fields": [{"path": "*cgreq.A", "type": "*contant", "value": "1"}]}]}}"#,
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["check", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    std::fs::remove_file(&bad).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!(
            "{}: diameter_agent.request_processors[0].request_fields[0].type: unsupported type: <*contant>",
            bad.display()
        )
    );
}

#[test]
fn built_in_configuration_answers_2001_and_sigterm_sends_dpr() {
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut agent = Kill(
        Command::new(BIN)
            // In memory: nothing to charge, no database in the working directory.
            .args(["--listen", &addr.to_string(), "--peer", "cli.client"])
            .args(["--backend", "memory"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < WAIT,
            "the agent does not listen on {addr}"
        );
        assert!(agent.0.try_wait().unwrap().is_none(), "the agent exited");
        std::thread::sleep(Duration::from_millis(50));
    }

    let rt = tokio::runtime::Runtime::new().unwrap();
    let dpr_received = rt.block_on(async {
        let node = Node::new(NodeConfig::new("cli.client", "cgrates.org")).unwrap();
        let peer = node
            .add_peer(
                PeerConfig::new(&format!("aaa://CGR-DA:{port}"), "cgrates.org")
                    .unwrap()
                    .ip_addresses(["127.0.0.1"])
                    .unwrap()
                    .persistent(true),
            )
            .unwrap();
        let app = node.add_application(AppId::auth(4), &[peer]).unwrap();
        node.start().await.unwrap();
        app.wait_for_ready(WAIT).await.unwrap();

        let hex = include_str!("data/seed_ccr.hex");
        let mut ccr = Message::decode(diameter::hex::decode(hex).unwrap().into()).unwrap();
        for avp in &mut ccr.avps {
            let value = match avp.code {
                264 => Value::DiameterIdentity("cli.client".into()),
                283 | 296 => Value::DiameterIdentity("cgrates.org".into()),
                _ => continue,
            };
            *avp = Avp::new(avp.code, 0, avp.flags.is_mandatory(), &value);
        }
        ccr.header.end_to_end = 0;
        let cca = app.send_request(ccr, WAIT).await.unwrap();
        assert_eq!(diameter_agent::result_code(&cca), Some(2001));

        let status = Command::new("kill")
            .args(["-TERM", &agent.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let start = Instant::now();
        loop {
            let dprs: u64 = node
                .statistics()
                .iter()
                .filter_map(|s| s.received.requests.get(&282).copied())
                .sum();
            if dprs > 0 {
                break true;
            }
            if start.elapsed() > WAIT {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    assert!(dpr_received, "no DPR from the stopping agent");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = agent.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < WAIT,
            "the agent did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
}
