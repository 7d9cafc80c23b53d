//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use diameter_charging::{CgrEvent, Engine, EngineConfig, Store, Sync};

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "diameter-charging-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn db(&self) -> PathBuf {
        self.0.join("charging.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The test data folder.
pub fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file)
}

/// Settings for tests: commits flushed to the OS only (these tests do not cut power).
pub fn config() -> EngineConfig {
    EngineConfig {
        sync: Sync::Normal,
        ..EngineConfig::default()
    }
}

/// An engine on a fresh database with the test tariffs and accounts loaded.
pub fn engine(dir: &TempDir, config: EngineConfig) -> Engine {
    let engine = Engine::open(dir.db(), config).unwrap();
    engine.load_file(data("tariffs.json")).unwrap();
    engine.load_file(data("accounts.csv")).unwrap();
    engine
}

/// The value of `account`'s balance of `tor`, and what is reserved of it.
pub fn balance(store: &Store, account: &str, tor: &str) -> (i64, i64) {
    let accounts = store.accounts(Some("cgrates.org"), Some(account)).unwrap();
    let view = accounts.first().expect("account exists");
    view.balances
        .iter()
        .find(|b| b.tor == tor)
        .map_or((0, 0), |b| (b.value, b.reserved))
}

/// An event with the usual fields of `account` (OriginHost `client`).
pub fn event(
    origin_id: &str,
    account: &str,
    request_type: &str,
    tor: &str,
    category: &str,
    destination: &str,
) -> CgrEvent {
    CgrEvent::new([
        ("ToR", tor),
        ("OriginID", origin_id),
        ("OriginHost", "client"),
        ("RequestType", request_type),
        ("Account", account),
        ("Subject", account),
        ("Destination", destination),
        ("Category", category),
        ("SetupTime", "2026-01-01T10:00:00Z"),
        ("AnswerTime", "2026-01-01T10:00:00Z"),
    ])
}

/// `event` with one more field.
pub fn with(mut ev: CgrEvent, name: &str, value: impl Into<serde_json::Value>) -> CgrEvent {
    ev.event.insert(name.to_owned(), value.into());
    ev
}

/// An SMS of `account` to a German number, one message.
pub fn sms(origin_id: &str, account: &str) -> CgrEvent {
    with(
        event(origin_id, account, "*prepaid", "*sms", "sms", "+4915112345"),
        "Usage",
        "1",
    )
}

pub const SECOND: i64 = 1_000_000_000;
pub const MIB: i64 = 1 << 20;
