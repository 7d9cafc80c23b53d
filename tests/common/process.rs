//! Child processes and ports for tests that run binaries.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the child when dropped, so a failing test leaves no process behind.
pub struct Kill(pub Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port free at the time of the call.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Wait (at most 20 s) until a TCP connect to 127.0.0.1:`port` succeeds.
pub fn wait_listening(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Run a child to completion within `limit` (else kill it and fail); returns its stdout
/// and stderr.
pub fn run_bounded(mut cmd: Command, limit: Duration) -> (String, String) {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Kill(child);
    let start = Instant::now();
    while child.0.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < limit,
            "{cmd:?} did not finish in {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut out = String::new();
    let mut err = String::new();
    let stdout = child.0.stdout.take();
    stdout.unwrap().read_to_string(&mut out).unwrap();
    let stderr = child.0.stderr.take();
    stderr.unwrap().read_to_string(&mut err).unwrap();
    (out, err)
}

/// An example binary of the facade, built by `cargo test` next to the test executables.
pub fn example_binary(name: &str) -> PathBuf {
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
