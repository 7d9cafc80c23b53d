//! python-diameter 0.9.0, the reference peer: whether it is there, the seed tutorial's
//! client script and an OCS.

use std::process::Command;

/// The seed tutorial's client (tests/common/seed_client.py). Arguments: the peer's address,
/// port, Diameter identity and realm, then optionally the Event-Timestamp as
/// `YYYY-MM-DDTHH:MM:SS` (default: now). Prints the CCA's Result-Code, or `ERROR ...`.
pub const SEED_CLIENT: &str = include_str!("seed_client.py");

/// A python-diameter OCS answering 2001 (tests/common/ocs_server.py). Arguments: the port
/// on 127.0.0.1, then the client identities. Prints READY, runs until stdin closes.
pub const OCS_SERVER: &str = include_str!("ocs_server.py");

/// Whether python3 with python-diameter can run; skips with a message, or fails when
/// `DIAMETER_REQUIRE_INTEROP` is set.
pub fn have_python_diameter(test: &str) -> bool {
    if !super::have_tool("python3", "--version", test) {
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

/// The seed client as a command against `peer` in `realm` at 127.0.0.1:`port`.
pub fn seed_client(port: u16, peer: &str, realm: &str, timestamp: Option<&str>) -> Command {
    let mut cmd = Command::new("python3");
    cmd.args([
        "-c",
        SEED_CLIENT,
        "127.0.0.1",
        &port.to_string(),
        peer,
        realm,
    ]);
    cmd.args(timestamp);
    cmd
}
