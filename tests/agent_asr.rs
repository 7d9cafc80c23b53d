//! Abort-Session-Requests from the agent to its clients, through the facade:
//!
//! * the voice example on the embedded charging engine with `asr_template` `*asr`: a
//!   prepaid session whose update uses the last of the credit gets 4012, and the client
//!   then receives an ASR for the session (the engine's out-of-credit notice through the
//!   server's control);
//! * an operator disconnect through the admin socket: `list` shows the session with its
//!   account, `disconnect` makes the client receive the ASR;
//! * the binary: `diameter-agent sessions` without a running agent is a clear error, and
//!   with one it lists and disconnects a session whose client then gets the ASR;
//! * python-diameter 0.9.0 as the client: it sends a CCR, receives a well-formed ASR
//!   (command 274, its Session-Id, Destination-Host itself) and answers the ASA, which
//!   the agent counts as a 2xxx answer.

mod common;
#[path = "support/session_client.rs"]
mod session_client;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::process::{free_port, run_bounded, wait_listening, Kill};
use common::temp::TempDir;
use diameter_agent::admin::{self, AdminRequest, AdminSocket};
use diameter_agent::backend::CgrEvent;
use diameter_agent::diameter_charging::{Dataset, EngineConfig, Sync};
use diameter_agent::reply::text_to_value;
use diameter_agent::time::Zone;
use diameter_agent::{result_code, ChargingBackend, Config, MemoryBackend, Server, ServerOptions};
use diameter_dict::Dictionary;
use diameter_runtime::message::{Avp, Message};
use diameter_runtime::wire::CommandFlags;
use serde_json::{json, Value};
use session_client::{text, SessionClient};

const BIN: &str = env!("CARGO_BIN_EXE_diameter-agent");
const CLIENT: &str = "client.example";
const REALM: &str = "example.org";
const WAIT: Duration = Duration::from_secs(20);
const ASR: u32 = 274;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The voice example with ASR enabled.
fn voice_asr_text() -> String {
    let text = std::fs::read_to_string(root().join("examples/agent/voice.json")).unwrap();
    let from = r#""origin_realm": "cgrates.org","#;
    assert_eq!(text.matches(from).count(), 1, "voice.json changed");
    text.replace(
        from,
        r#""origin_realm": "cgrates.org", "asr_template": "*asr", "forced_disconnect": "*asr","#,
    )
}

fn voice_asr() -> Config {
    Config::from_str("voice.json", &voice_asr_text()).unwrap()
}

/// The engine on a fresh database; account 1001 holds `seconds` of *voice.
fn charging(dir: &TempDir, seconds: i64) -> ChargingBackend {
    let config = EngineConfig {
        sync: Sync::Normal,
        ..EngineConfig::default()
    };
    let backend = ChargingBackend::open(dir.join("charging.db"), config).unwrap();
    backend
        .engine()
        .load(Dataset::account(
            "cgrates.org",
            "1001",
            &[("*voice", seconds * 1_000_000_000)],
        ))
        .unwrap();
    backend
}

async fn start<B: diameter_agent::Backend>(config: &Config, backend: B) -> Server<B> {
    let dict = Arc::new(diameter_agent::load_dictionary(config).unwrap());
    let options = ServerOptions {
        listen: Some(vec!["127.0.0.1:0".parse().unwrap()]),
        ..ServerOptions::default()
    };
    Server::start(config, dict, backend, options).await.unwrap()
}

fn dict() -> Dictionary {
    Dictionary::shipped().unwrap()
}

fn leaf(dict: &Dictionary, name: &str, text: &str) -> Avp {
    let def = dict.avp_by_name(4, name).unwrap();
    let value = text_to_value(def.data_type, text, Zone::UTC).unwrap();
    Avp::new(def.code, def.vendor_id, true, &value)
}

fn group(dict: &Dictionary, name: &str, children: Vec<Avp>) -> Avp {
    Avp::group(dict.avp_by_name(4, name).unwrap(), children)
}

/// A voice CCR of `session` for subscriber 1001: CC-Request-Type `kind`, asking for
/// `requested` seconds and reporting `used` seconds.
fn voice_ccr(session: &str, kind: u32, number: u32, requested: u32, used: Option<u32>) -> Message {
    let d = dict();
    let mut mscc = vec![group(
        &d,
        "Requested-Service-Unit",
        vec![leaf(&d, "CC-Time", &requested.to_string())],
    )];
    if let Some(used) = used {
        mscc.push(group(
            &d,
            "Used-Service-Unit",
            vec![leaf(&d, "CC-Time", &used.to_string())],
        ));
    }
    let mut m = Message::new(272, 4, CommandFlags::REQUEST | CommandFlags::PROXIABLE);
    m.avps = vec![
        leaf(&d, "Session-Id", session),
        leaf(&d, "Origin-Host", CLIENT),
        leaf(&d, "Origin-Realm", REALM),
        leaf(&d, "Destination-Host", "CGR-DA"),
        leaf(&d, "Destination-Realm", "cgrates.org"),
        leaf(&d, "Auth-Application-Id", "4"),
        leaf(&d, "Service-Context-Id", "32260@3gpp.org"),
        leaf(&d, "CC-Request-Type", &kind.to_string()),
        leaf(&d, "CC-Request-Number", &number.to_string()),
        leaf(&d, "Event-Timestamp", "2024-01-02T03:04:05Z"),
        group(
            &d,
            "Subscription-Id",
            vec![
                leaf(&d, "Subscription-Id-Type", "0"),
                leaf(&d, "Subscription-Id-Data", "1001"),
            ],
        ),
        group(&d, "Multiple-Services-Credit-Control", mscc),
    ];
    m
}

async fn send(client: &SessionClient, ccr: Message) -> u32 {
    let cca = client.app.send_request(ccr, WAIT).await.unwrap();
    result_code(&cca).expect("CCA without Result-Code")
}

/// The next ASR the client receives (other requests fail the test).
async fn next_asr(client: &mut SessionClient) -> Message {
    let asr = client.next_request(WAIT).await;
    assert_eq!(asr.header.command_code, ASR);
    asr
}

#[tokio::test]
async fn running_out_of_credit_sends_an_asr() {
    let dir = TempDir::new("asr-credit");
    let server = start(&voice_asr(), charging(&dir, 60)).await;
    let mut client = session_client::connect(server.local_addrs()[0], CLIENT, REALM, WAIT).await;
    let session = "client.example;credit;1";
    assert_eq!(
        send(&client, voice_ccr(session, 1, 0, 60, None)).await,
        2001
    );
    // The update uses the 60 s granted: nothing is left for the next grant.
    assert_eq!(
        send(&client, voice_ccr(session, 2, 1, 60, Some(60))).await,
        4012
    );
    let asr = next_asr(&mut client).await;
    assert_eq!(text(&asr, 263).as_deref(), Some(session));
    assert_eq!(text(&asr, 264).as_deref(), Some("CGR-DA"));
    assert_eq!(text(&asr, 293).as_deref(), Some(CLIENT));
    assert_eq!(text(&asr, 283).as_deref(), Some(REALM));
    // The client ends the session; the agent forgets it.
    assert_eq!(
        send(&client, voice_ccr(session, 3, 2, 0, Some(0))).await,
        2001
    );
    assert!(server.session_controller().sessions().is_empty());
    client.node.stop(WAIT).await;
    server.stop(WAIT).await;
}

fn admin_call(path: PathBuf, request: AdminRequest) -> admin::AdminReply {
    admin::call(path, &request, WAIT).unwrap()
}

#[tokio::test]
async fn operator_disconnect_through_the_admin_socket_sends_an_asr() {
    let dir = TempDir::new("asr-admin");
    let backend = charging(&dir, 3600);
    let server = start(&voice_asr(), backend.clone()).await;
    let socket = dir.join("a.sock");
    let _admin = AdminSocket::bind(
        &socket,
        server.session_controller().clone(),
        Some(backend.clone()),
    )
    .unwrap();
    let mut client = session_client::connect(server.local_addrs()[0], CLIENT, REALM, WAIT).await;
    let session = "client.example;admin;1";
    assert_eq!(
        send(&client, voice_ccr(session, 1, 0, 60, None)).await,
        2001
    );

    let path = socket.clone();
    let listed = tokio::task::spawn_blocking(move || admin_call(path, AdminRequest::List))
        .await
        .unwrap();
    assert!(listed.ok, "{listed:?}");
    let sessions = listed.sessions.unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0].origin_id, session);
    assert_eq!(sessions[0].peer.as_deref(), Some(CLIENT));
    assert_eq!(sessions[0].account.as_deref(), Some("cgrates.org:1001"));
    assert_eq!(sessions[0].state.as_deref(), Some("active"));

    let path = socket.clone();
    let request = AdminRequest::Disconnect {
        origin_id: session.into(),
        cause: Some("FRAUD".into()),
    };
    let done = tokio::task::spawn_blocking(move || admin_call(path, request))
        .await
        .unwrap();
    assert!(done.ok, "{done:?}");
    let asr = next_asr(&mut client).await;
    assert_eq!(text(&asr, 263).as_deref(), Some(session));
    assert_eq!(backend.sessions().unwrap()[0].state, "disconnecting");

    // A session the agent does not know: the agent's own error.
    let path = socket.clone();
    let request = AdminRequest::Disconnect {
        origin_id: "nobody".into(),
        cause: None,
    };
    let failed = tokio::task::spawn_blocking(move || admin_call(path, request))
        .await
        .unwrap();
    assert_eq!(failed.error.as_deref(), Some("MANDATORY_IE_MISSING"));
    client.node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[test]
fn sessions_command_without_a_running_agent_is_a_clear_error() {
    let dir = TempDir::new("asr-cli-none");
    let out = Command::new(BIN)
        .args(["sessions", "list", "--admin"])
        .arg(dir.join("none.sock"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the agent is not running (no admin socket at"),
        "{err}"
    );
}

#[test]
fn sessions_command_lists_and_disconnects_through_the_running_binary() {
    let dir = TempDir::new("asr-cli");
    let config = dir.join("voice.json");
    std::fs::write(&config, voice_asr_text()).unwrap();
    let accounts = dir.join("accounts.csv");
    std::fs::write(&accounts, "Tenant,Account,ToR,Value\n,1001,*voice,3600\n").unwrap();
    let db = dir.join("agent.db");
    let agent_cmd = |args: &[&str]| {
        let mut cmd = Command::new(BIN);
        cmd.arg("--config").arg(&config).arg("--db").arg(&db);
        cmd.args(args);
        cmd
    };
    let (out, err) = run_bounded(
        agent_cmd(&["accounts", "load", accounts.to_str().unwrap()]),
        WAIT,
    );
    assert!(out.contains("1 accounts"), "{out}{err}");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let _agent = Kill(
        agent_cmd(&["--listen", &listen])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_listening(port);
    // The default admin socket is next to the database.
    let socket = dir.join("agent.sock");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut client = rt.block_on(session_client::connect(
        listen.parse().unwrap(),
        CLIENT,
        REALM,
        WAIT,
    ));
    let session = "client.example;cli;1";
    let code = rt.block_on(send(&client, voice_ccr(session, 1, 0, 60, None)));
    assert_eq!(code, 2001);
    let deadline = Instant::now() + WAIT;
    while !socket.exists() {
        assert!(Instant::now() < deadline, "no admin socket at {socket:?}");
        std::thread::sleep(Duration::from_millis(50));
    }

    let (out, err) = run_bounded(agent_cmd(&["sessions", "list"]), WAIT);
    assert!(
        out.starts_with(&format!("{session} peer={CLIENT}")),
        "{out}{err}"
    );
    assert!(out.contains("account=cgrates.org:1001"), "{out}");
    let (out, err) = run_bounded(
        agent_cmd(&["sessions", "disconnect", session, "--cause", "OPERATOR"]),
        WAIT,
    );
    assert!(out.contains(session), "{out}{err}");
    let asr = rt.block_on(next_asr(&mut client));
    assert_eq!(text(&asr, 263).as_deref(), Some(session));
    rt.block_on(client.node.stop(WAIT));
}

/// python-diameter client: CCR-Initial to the agent, then it waits for an ASR, answers it
/// and prints what it got; it stops when its stdin closes.
const PY_ASR_CLIENT: &str = r#"
import logging, os, sys, threading
from diameter.message.constants import *
from diameter.message.commands.credit_control import CreditControlRequest
from diameter.node import Node
from diameter.node.application import SimpleThreadingApplication

logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
host, port = sys.argv[1], int(sys.argv[2])
got_asr = threading.Event()

def handle_request(app, request):
    print(f"ASR {request.header.command_code} {request.session_id} "
          f"{request.destination_host.decode()} {request.origin_host.decode()}", flush=True)
    answer = app.generate_answer(request, result_code=E_RESULT_CODE_DIAMETER_SUCCESS)
    got_asr.set()
    return answer

# python-diameter hands a received request to an application only when its
# Destination-Realm is the realm of a peer the application serves: the ASR's is the CCR's
# Origin-Realm, so the client is in the agent's realm.
node = Node("py.client", "cgrates.org")
peer = node.add_peer(f"aaa://CGR-DA:{port}", "cgrates.org", ip_addresses=[host], is_persistent=True)
app = SimpleThreadingApplication(APP_DIAMETER_CREDIT_CONTROL_APPLICATION,
                                 is_auth_application=True, request_handler=handle_request)
node.add_application(app, [peer])
node.start()
try:
    app.wait_for_ready(timeout=20)
    ccr = CreditControlRequest()
    ccr.session_id = node.session_generator.next_id()
    ccr.origin_host = b"py.client"
    ccr.origin_realm = b"cgrates.org"
    ccr.destination_host = b"CGR-DA"
    ccr.destination_realm = b"cgrates.org"
    ccr.auth_application_id = APP_DIAMETER_CREDIT_CONTROL_APPLICATION
    ccr.service_context_id = "32260@3gpp.org"
    ccr.cc_request_type = E_CC_REQUEST_TYPE_INITIAL_REQUEST
    ccr.cc_request_number = 0
    cca = app.send_request(ccr, timeout=10)
    print(f"CCA {cca.result_code} {ccr.session_id}", flush=True)
    if not got_asr.wait(timeout=30):
        print("NO ASR", flush=True)
    sys.stdin.read()
    node.stop(wait_timeout=2)
except Exception as e:
    print(f"ERROR {e!r}", flush=True)
finally:
    os._exit(0)
"#;

/// The next stdout line of the python client, at most `WAIT` away.
fn next_line(lines: &mpsc::Receiver<String>) -> String {
    lines
        .recv_timeout(WAIT)
        .expect("no output from the python client")
}

#[test]
fn python_diameter_client_receives_and_answers_the_asr() {
    if !common::python::have_python_diameter("python_diameter_client_receives_and_answers_the_asr")
    {
        return;
    }
    let config = Config::from_str(
        "asr.json",
        r#"{"diameter_agent": {"asr_template": "*asr", "forced_disconnect": "*asr",
            "request_processors": [{"id": "ccr", "filters": ["*string:~*vars.*cmd:CCR"],
                "flags": ["*none"], "reply_fields": [{"type": "*template", "value": "*cca"}]}]}}"#,
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(start(&config, MemoryBackend::new()));
    let port = server.local_addrs()[0].port();
    let mut python = Kill(
        Command::new("python3")
            .args(["-c", PY_ASR_CLIENT, "127.0.0.1", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = python.0.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let cca = next_line(&lines);
    let session = match cca.split_whitespace().collect::<Vec<_>>()[..] {
        ["CCA", "2001", session] => session.to_string(),
        _ => panic!("python client: {cca}"),
    };
    let Value::Object(event) = json!({"OriginID": session, "DisconnectCause": "FORCED"}) else {
        unreachable!()
    };
    let event = CgrEvent {
        event,
        ..CgrEvent::default()
    };
    rt.block_on(server.control().disconnect_session(event))
        .unwrap();
    assert_eq!(
        next_line(&lines),
        format!("ASR 274 {session} py.client CGR-DA")
    );
    // The ASA reaches the agent with a 2xxx Result-Code.
    let deadline = Instant::now() + WAIT;
    loop {
        let answered: u64 = server
            .node()
            .statistics()
            .iter()
            .map(|s| s.received.answers.get(&ASR).copied().unwrap_or(0))
            .sum();
        if answered > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "no ASA within {WAIT:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let stats = server.node().statistics();
    assert!(
        stats.iter().any(|s| s
            .received
            .result_classes
            .get("2xxx")
            .is_some_and(|n| *n > 0)),
        "{stats:?}"
    );
    // Closing its stdin stops the python client.
    drop(python.0.stdin.take());
    rt.block_on(server.stop(WAIT));
}
