//! Our runtime against python-diameter 0.9.0 on loopback TCP: the seed tutorial client
//! (Python) against our `ocs_server` example gets 2001, and our
//! `credit_control_sms_client` example against a python-diameter server gets 2001.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::process::{example_binary as example, free_port, run_bounded, wait_listening, Kill};
use common::python::{have_python_diameter, seed_client, OCS_SERVER};

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
    let py = seed_client(port, "ocs.gy", "testrealm.local", None);
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
        .args(["-c", OCS_SERVER, &port.to_string(), "smsgw.gy"])
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
