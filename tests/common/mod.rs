//! Shared helpers for the integration tests: tools that may be missing, child processes,
//! python-diameter.
//!
//! Each test binary uses part of it.
#![allow(dead_code)]

pub mod process;
pub mod python;
pub mod temp;

use std::process::Command;

/// Whether `program` can be run. When it cannot: skip (with a clear message), or fail if
/// `DIAMETER_REQUIRE_INTEROP` is set, as CI sets it.
pub fn have_tool(program: &str, probe_arg: &str, test: &str) -> bool {
    let ok = Command::new(program)
        .arg(probe_arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var_os("DIAMETER_REQUIRE_INTEROP").is_some() {
            panic!("{test}: `{program}` is required (DIAMETER_REQUIRE_INTEROP is set) but cannot be run");
        }
        eprintln!("skipped {test}: `{program}` not found (install it to run this interop test)");
    }
    ok
}
