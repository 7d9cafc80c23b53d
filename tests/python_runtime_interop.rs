//! Our runtime against python-diameter 0.9.0 on loopback TCP: the seed tutorial client
//! (Python) against our `ocs_server` example gets 2001, and our
//! `credit_control_sms_client` example against a python-diameter server gets 2001.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The seed tutorial's script, with the peer's address and port from the arguments.
const PY_SEED_CLIENT: &str = r#"
import datetime, logging, os, sys
from diameter.message.commands.credit_control import CreditControlRequest
from diameter.message.commands.credit_control import RequestedServiceUnit
from diameter.message.commands.credit_control import ServiceInformation
from diameter.message.commands.credit_control import SmsInformation
from diameter.message.commands.credit_control import RecipientInfo
from diameter.message.commands.credit_control import RecipientAddress
from diameter.message.constants import *
from diameter.node import Node
from diameter.node.application import SimpleThreadingApplication

host, port = sys.argv[1], int(sys.argv[2])
logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
node = Node("smsgw.gy", "testrealm.local", vendor_ids=[VENDOR_ETSI, VENDOR_TGPP, VENDOR_TGPP2])
ocs_cfg = node.add_peer(f"aaa://ocs.gy:{port}", "testrealm.local", ip_addresses=[host], is_persistent=True)
# The tutorial starts the node before adding the application; python-diameter then races
# its CER against add_application and may advertise no application at all, which an
# RFC 6733 server answers with 5010. Adding the application first removes the race.
client = SimpleThreadingApplication(APP_DIAMETER_CREDIT_CONTROL_APPLICATION, is_auth_application=True)
node.add_application(client, [ocs_cfg])
node.start()

ccr = CreditControlRequest()
ccr.session_id = client.node.session_generator.next_id()
ccr.origin_host = client.node.origin_host.encode()
ccr.origin_realm = client.node.realm_name.encode()
ccr.destination_realm = client.node.realm_name.encode()
ccr.auth_application_id = client.application_id
ccr.service_context_id = "32274@3gpp.org"
ccr.cc_request_type = E_CC_REQUEST_TYPE_EVENT_REQUEST
ccr.cc_request_number = 1
ccr.user_name = "diameter"
ccr.event_timestamp = datetime.datetime.now()
ccr.requested_action = E_REQUESTED_ACTION_DIRECT_DEBITING
ccr.add_subscription_id(
    subscription_id_type=E_SUBSCRIPTION_ID_TYPE_END_USER_E164,
    subscription_id_data="41780000001")
ccr.add_multiple_services_credit_control(
    requested_service_unit=RequestedServiceUnit(cc_service_specific_units=1),
    service_identifier=1)
ccr.service_information = ServiceInformation(
    sms_information=SmsInformation(
        data_coding_scheme=8,
        sm_message_type=E_SM_MESSAGE_TYPE_SUBMISSION,
        recipient_info=[RecipientInfo(
            recipient_address=[RecipientAddress(
                address_type=E_ADDRESS_TYPE_MSISDN,
                address_data="41780000002"
            )]
        )]
    )
)

try:
    client.wait_for_ready(timeout=20)
    cca = client.send_request(ccr, timeout=5)
    print(cca.result_code, flush=True)
    node.stop(wait_timeout=5)
except Exception as e:
    print(f"ERROR {e!r}", flush=True)
finally:
    # python-diameter's worker threads are not daemons: a failure would hang here.
    os._exit(0)
"#;

/// A python-diameter OCS on 127.0.0.1:PORT answering CCRs with 2001, knowing the
/// client identities given after the port. Prints READY, runs until stdin closes.
const PY_SERVER: &str = r#"
import logging, sys
from diameter.message.constants import *
from diameter.node import Node
from diameter.node.application import SimpleThreadingApplication

logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
port = int(sys.argv[1])
node = Node("ocs.gy", "testrealm.local", ip_addresses=["127.0.0.1"], tcp_port=port)
peers = [node.add_peer(f"aaa://{h}", "testrealm.local") for h in sys.argv[2:]]

def handle_request(app, request):
    answer = app.generate_answer(request, result_code=E_RESULT_CODE_DIAMETER_SUCCESS)
    answer.cc_request_type = request.cc_request_type
    answer.cc_request_number = request.cc_request_number
    return answer

app = SimpleThreadingApplication(APP_DIAMETER_CREDIT_CONTROL_APPLICATION,
                                 is_auth_application=True, request_handler=handle_request)
node.add_application(app, peers)
node.start()
print("READY", flush=True)
sys.stdin.read()
node.stop(wait_timeout=2)
"#;

fn have_python_diameter(test: &str) -> bool {
    if !common::have_tool("python3", "--version", test) {
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import diameter.node"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("DIAMETER_REQUIRE_INTEROP").is_some() {
            panic!("{test}: python-diameter is required (DIAMETER_REQUIRE_INTEROP is set)");
        }
        eprintln!(
            "skipped {test}: python-diameter not installed (pip install python-diameter==0.9.0)"
        );
    }
    ok
}

/// An example binary built by `cargo test` next to the test executables.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test` builds the examples (run `cargo build --examples`)",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills the child when dropped, so a failing test leaves no process behind.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Run a child to completion with a bound; returns its stdout.
fn run_bounded(mut cmd: Command, limit: Duration) -> (String, String) {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Kill(child);
    let start = Instant::now();
    loop {
        if child.0.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            start.elapsed() < limit,
            "{cmd:?} did not finish in {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut out = String::new();
    let mut err = String::new();
    use std::io::Read;
    child
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (out, err)
}

/// Wait until a TCP connect to `port` succeeds.
fn wait_listening(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn python_seed_client_against_our_ocs_server_gets_2001() {
    if !have_python_diameter("python_seed_client_against_our_ocs_server_gets_2001") {
        return;
    }
    let port = free_port();
    let server = Command::new(example("ocs_server"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--origin-host",
            "ocs.gy",
        ])
        .args(["--realm", "testrealm.local", "--peer", "smsgw.gy"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Kill(server);
    wait_listening(port);
    let mut py = Command::new("python3");
    py.args(["-c", PY_SEED_CLIENT, "127.0.0.1", &port.to_string()]);
    let (out, err) = run_bounded(py, Duration::from_secs(60));
    assert_eq!(out.trim(), "2001", "python client stderr:\n{err}");
}

#[test]
fn our_sms_client_against_a_python_server_gets_2001() {
    if !have_python_diameter("our_sms_client_against_a_python_server_gets_2001") {
        return;
    }
    let port = free_port();
    let server = Command::new("python3")
        .args(["-c", PY_SERVER, &port.to_string(), "smsgw.gy"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Kill(server);
    let mut ready = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready.trim(), "READY");
    wait_listening(port);
    let mut client = Command::new(example("credit_control_sms_client"));
    client.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
    let (out, err) = run_bounded(client, Duration::from_secs(60));
    assert_eq!(out.trim(), "2001", "client log:\n{err}");
    // The client's log holds the dumps of what went over the wire.
    assert!(err.contains("SENT ocs.gy"), "client log:\n{err}");
    assert!(err.contains("RECV ocs.gy"), "client log:\n{err}");
    assert!(
        err.contains("Credit-Control <Version: 0x01"),
        "client log:\n{err}"
    );
    let _ = server.0.stdin.take().map(|mut s| s.write_all(b""));
}
