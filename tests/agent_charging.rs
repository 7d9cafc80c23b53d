//! The agent charging for real with the embedded engine on a temporary database: the seed's
//! SMS CCR through the SMS example gets 2001 and takes one *sms unit from the sample account
//! (each SMS its own, a retransmission none, and one CDR per SMS); with the `*message` variant an account out of
//! credit gets 4012 and an unknown one 5030. Through the binary: `accounts load` and
//! `accounts show` with the sample files, the agent on the same database answering the seed's
//! CCR with 2001, and `accounts show` and `cdrs` seeing the debit.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diameter::message::{Avp, Message, Payload};
use diameter::wire::Value;
use diameter_agent::diameter_charging::{
    AccountLoad, CdrFilter, Dataset, EngineConfig, Store, Sync,
};
use diameter_agent::{result_code, ChargingBackend, Config, Server, ServerOptions};
use diameter_runtime::app::Application;
use diameter_runtime::node::Node;

#[path = "support/agent_client.rs"]
mod agent_client;

use agent_client::sms_with;
use common::process::{free_port, Kill};
use common::temp::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_diameter-agent");
const CLIENT: &str = "client.test";
const REALM: &str = "cgrates.org";
/// The subscriber of the seed's CCR.
const SUBSCRIBER: &str = "41780000001";
const WAIT: Duration = Duration::from_secs(20);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> PathBuf {
    root().join("examples/agent").join(name)
}

/// The engine on a fresh database holding the sample tariffs and accounts.
fn backend(dir: &TempDir) -> ChargingBackend {
    let config = EngineConfig {
        // These tests do not cut power: commits flushed to the OS are enough.
        sync: Sync::Normal,
        ..EngineConfig::default()
    };
    let backend = ChargingBackend::open(dir.join("charging.db"), config).unwrap();
    for file in ["tariffs.csv", "accounts.csv"] {
        backend.engine().load_file(example(file)).unwrap();
    }
    backend
}

/// The agent on a free loopback port.
async fn start(config: &Config, backend: ChargingBackend) -> Server<ChargingBackend> {
    let dict = Arc::new(diameter_agent::load_dictionary(config).unwrap());
    let options = ServerOptions {
        listen: Some(vec!["127.0.0.1:0".parse().unwrap()]),
        peers: vec![CLIENT.into()],
        timers: None,
        skip_validation: false,
    };
    Server::start(config, dict, backend, options).await.unwrap()
}

async fn client(addr: SocketAddr) -> (Node, Application) {
    agent_client::client(addr, CLIENT, REALM, WAIT).await
}

/// The seed's CCR from our client, with Session-Id `session` and subscriber `account`.
fn seed_ccr(session: &str, account: &str) -> Message {
    let hex = include_str!("data/seed_ccr.hex");
    let mut msg = Message::decode(diameter::hex::decode(hex).unwrap().into()).unwrap();
    for avp in &mut msg.avps {
        let mandatory = avp.flags.is_mandatory();
        let value = match avp.code {
            263 => Value::Utf8String(session.into()),
            264 => Value::DiameterIdentity(CLIENT.into()),
            283 | 296 => Value::DiameterIdentity(REALM.into()),
            // Subscription-Id: type 0 (E.164) and the number.
            443 => {
                avp.payload = Payload::Group(vec![
                    Avp::new(450, 0, true, &Value::Enumerated(0)),
                    Avp::new(444, 0, true, &Value::Utf8String(account.into())),
                ]);
                continue;
            }
            _ => continue,
        };
        *avp = Avp::new(avp.code, 0, mandatory, &value);
    }
    msg.header.end_to_end = 0;
    msg
}

async fn send(app: &Application, msg: Message) -> Message {
    app.send_request(msg, WAIT).await.unwrap()
}

/// The balance of `tor` of `account`.
fn balance(db: &Path, account: &str, tor: &str) -> i64 {
    let accounts = Store::open(db)
        .unwrap()
        .accounts(None, Some(account))
        .unwrap();
    assert_eq!(accounts.len(), 1, "account {account}");
    accounts[0].balance(tor)
}

fn cdrs(db: &Path) -> Vec<diameter_agent::diameter_charging::Cdr> {
    Store::open(db)
        .unwrap()
        .cdrs(&CdrFilter::default())
        .unwrap()
}

#[tokio::test]
async fn sms_ccr_gets_2001_and_takes_one_sms_from_the_balance() {
    let dir = TempDir::new("charging-sms");
    let server = start(&sms_with(&[]), backend(&dir)).await;
    let (node, app) = client(server.local_addrs()[0]).await;
    assert_eq!(balance(&dir.join("charging.db"), SUBSCRIBER, "*sms"), 100);

    let first = seed_ccr("client.test;1;sms", SUBSCRIBER);
    let cca = send(&app, first.clone()).await;
    assert_eq!(result_code(&cca), Some(2001));
    assert_eq!(balance(&dir.join("charging.db"), SUBSCRIBER, "*sms"), 99);

    // Another SMS (another Session-Id, same Service-Identifier) is charged too.
    let cca = send(&app, seed_ccr("client.test;2;sms", SUBSCRIBER)).await;
    assert_eq!(result_code(&cca), Some(2001));
    assert_eq!(balance(&dir.join("charging.db"), SUBSCRIBER, "*sms"), 98);

    // The first one again (a retransmission): answered, not charged again.
    let cca = send(&app, first).await;
    assert_eq!(result_code(&cca), Some(2001));
    assert_eq!(balance(&dir.join("charging.db"), SUBSCRIBER, "*sms"), 98);
    assert_eq!(
        balance(&dir.join("charging.db"), SUBSCRIBER, "*monetary"),
        10_000_000
    );

    // One CDR per SMS: the retransmission's replaces the first.
    let cdrs = cdrs(&dir.join("charging.db"));
    assert_eq!(cdrs.len(), 2, "{cdrs:?}");
    assert!(cdrs
        .iter()
        .all(|c| c.account == SUBSCRIBER && c.tor == "*sms"));
    assert_eq!(cdrs[1].origin_id, "client.test;1;sms");
    assert_eq!(cdrs[0].origin_id, "client.test;2;sms");
    assert_eq!(cdrs[1].destination, "+0041780000002");
    assert_eq!(cdrs[1].usage, 1);

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn out_of_credit_gets_4012_and_an_unknown_account_5030() {
    let dir = TempDir::new("charging-credit");
    let backend = backend(&dir);
    // 1002: one SMS and no money, its second SMS finds no credit; 1003: money only.
    backend
        .engine()
        .load(Dataset {
            accounts: vec![
                AccountLoad {
                    tenant: REALM.into(),
                    account: "1002".into(),
                    balances: vec![("*sms".into(), 1), ("*monetary".into(), 0)],
                },
                AccountLoad {
                    tenant: REALM.into(),
                    account: "1003".into(),
                    balances: vec![("*monetary".into(), 1_000_000)],
                },
            ],
            tariffs: Vec::new(),
        })
        .unwrap();
    // The *message variant: SessionSv1.ProcessMessage debits and answers MaxUsage.
    let config = sms_with(&[(
        r#""flags": ["*event", "*accounts", "*cdrs"]"#,
        r#""flags": ["*message", "*accounts", "*cdrs"]"#,
    )]);
    let server = start(&config, backend).await;
    let (node, app) = client(server.local_addrs()[0]).await;

    let cca = send(&app, seed_ccr("client.test;1;credit", "1002")).await;
    assert_eq!(result_code(&cca), Some(2001));
    assert_eq!(balance(&dir.join("charging.db"), "1002", "*sms"), 0);

    let cca = send(&app, seed_ccr("client.test;2;credit", "1002")).await;
    assert_eq!(result_code(&cca), Some(4012), "MaxUsage 0");
    assert_eq!(balance(&dir.join("charging.db"), "1002", "*sms"), 0);
    assert_eq!(balance(&dir.join("charging.db"), "1002", "*monetary"), 0);

    // Without units the money pays: 0.05 per SMS in the sample tariff.
    let cca = send(&app, seed_ccr("client.test;3;credit", "1003")).await;
    assert_eq!(result_code(&cca), Some(2001));
    assert_eq!(
        balance(&dir.join("charging.db"), "1003", "*monetary"),
        950_000
    );

    let cca = send(&app, seed_ccr("client.test;4;credit", "nobody")).await;
    assert_eq!(result_code(&cca), Some(5030), "ACCOUNT_NOT_FOUND");

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

// ---- the binary ---------------------------------------------------------------------------

/// Run the binary on database `db` and wait for it.
fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn binary_loads_shows_and_charges() {
    let dir = TempDir::new("charging-binary");
    let db = dir.join("charging.db");
    let tariffs = example("tariffs.csv");
    let accounts = example("accounts.csv");

    let out = run(
        &db,
        &[
            "accounts",
            "load",
            tariffs.to_str().unwrap(),
            accounts.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&out),
        format!(
            "{}: 0 accounts (0 balances), 3 tariffs\n{}: 2 accounts (5 balances), 0 tariffs\n",
            tariffs.display(),
            accounts.display()
        )
    );
    let out = run(&db, &["accounts", "show", SUBSCRIBER]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&out),
        "cgrates.org:41780000001  *monetary=10  *sms=100\n"
    );

    // Refusals: an unknown account, a file with a bad line.
    let out = run(&db, &["accounts", "show", "nobody"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: no account nobody"
    );
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "Tenant,Account,ToR,Value\n,1001,*sms,1.5\n").unwrap();
    let out = run(&db, &["accounts", "load", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: line 2: Value:", bad.display())),
        "{stderr}"
    );

    // The agent (built-in SMS configuration, embedded backend by default) on that database.
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut agent = Kill(
        Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["--listen", &addr.to_string(), "--peer", CLIENT])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
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
    rt.block_on(async {
        let (node, app) = client(addr).await;
        let cca = send(&app, seed_ccr("client.test;1;binary", SUBSCRIBER)).await;
        assert_eq!(result_code(&cca), Some(2001));
        node.stop(WAIT).await;
    });

    let out = run(&db, &["accounts", "show"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout(&out).contains("cgrates.org:41780000001  *monetary=10  *sms=99\n"),
        "{}",
        stdout(&out)
    );
    let out = run(&db, &["cdrs", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["OriginID"], "client.test;1;binary");
    assert_eq!(lines[0]["Account"], SUBSCRIBER);
    assert_eq!(lines[0]["ToR"], "*sms");
    drop(agent);
}
