//! Durability and concurrency: a killed process loses no acknowledged request and charges
//! nothing twice; concurrent callers keep balances exact; state survives a restart and
//! changes made by another connection are seen.

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use diameter_charging::{CdrFilter, Engine, EngineConfig, Sync};
use support::*;

/// Environment variable naming the database the child process charges into.
const CHILD_DB: &str = "DIAMETER_CHARGING_CRASH_CHILD_DB";
const CHILD_THREADS: usize = 4;
/// Acknowledgements read before the child is killed.
const KILL_AFTER: usize = 400;
/// One SMS to Germany, paid in money (account 1002 has no *sms units).
const SMS_COST: i64 = 50_000;
const INITIAL: i64 = 1_000_000_000;

fn crash_event(n: usize) -> diameter_charging::CgrEvent {
    sms(&format!("crash-{n}"), "1002")
}

fn crash_flags() -> Vec<String> {
    vec!["*accounts".into(), "*cdrs".into()]
}

/// Not a test on its own: the body of the child process of
/// `killed_process_loses_no_acknowledged_charge` (does nothing without its variable).
#[test]
fn crash_child() {
    let Ok(db) = std::env::var(CHILD_DB) else {
        return;
    };
    let engine = Arc::new(
        Engine::open(
            &db,
            EngineConfig {
                sync: Sync::Full,
                ..EngineConfig::default()
            },
        )
        .unwrap(),
    );
    let stdout = Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let threads: Vec<_> = (0..CHILD_THREADS)
        .map(|t| {
            let engine = engine.clone();
            let stdout = stdout.clone();
            std::thread::spawn(move || {
                for n in (t..1_000_000).step_by(CHILD_THREADS) {
                    let reply = engine
                        .process_event(&crash_event(n), &crash_flags())
                        .unwrap();
                    assert_eq!(reply.max_usage, Some(1));
                    let mut out = stdout.lock().unwrap();
                    writeln!(out, "ack {n}").unwrap();
                    out.flush().unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

/// Kills the child if the test fails before doing it.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn killed_process_loses_no_acknowledged_charge() {
    let dir = TempDir::new("crash");
    {
        let engine = engine(&dir, config());
        let topup = dir.0.join("topup.csv");
        std::fs::write(
            &topup,
            format!(
                "Tenant,Account,ToR,Value\n,1002,*monetary,{}\n",
                INITIAL / 1_000_000
            ),
        )
        .unwrap();
        engine.load_file(&topup).unwrap();
    }
    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD_DB, dir.db())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let child = &mut child.0;
    let mut acked = BTreeSet::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        if let Some(n) = line.unwrap().strip_prefix("ack ") {
            acked.insert(n.parse::<usize>().unwrap());
            if acked.len() == KILL_AFTER {
                child.kill().unwrap(); // SIGKILL
                break;
            }
        }
    }
    // Acknowledgements written before the kill are acknowledged too.
    for line in lines {
        let Ok(line) = line else { break };
        if let Some(n) = line.strip_prefix("ack ") {
            acked.insert(n.parse::<usize>().unwrap());
        }
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed, it did not finish");
    assert!(
        acked.len() >= KILL_AFTER,
        "the child acknowledged {} charges",
        acked.len()
    );

    let engine = Engine::open(dir.db(), config()).unwrap();
    let store = engine.store().unwrap();
    let cdrs = store
        .cdrs(&CdrFilter {
            account: Some("1002".into()),
            ..CdrFilter::default()
        })
        .unwrap();
    let stored: BTreeSet<usize> = cdrs
        .iter()
        .map(|c| c.origin_id.strip_prefix("crash-").unwrap().parse().unwrap())
        .collect();
    let missing: Vec<_> = acked.difference(&stored).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert_eq!(stored.len(), cdrs.len(), "one CDR per event");
    let (entries, _, money) = store.ledger_total("cgrates.org", "1002").unwrap();
    assert_eq!(
        entries as usize,
        cdrs.len(),
        "every debit has its CDR and the reverse"
    );
    assert_eq!(money, SMS_COST * cdrs.len() as i64);
    assert_eq!(balance(&store, "1002", "*monetary").0, INITIAL - money);

    // The client retries everything it sent (acknowledged or not): nothing is charged twice.
    let sent = stored.iter().chain(acked.iter()).max().unwrap() + CHILD_THREADS;
    for n in 0..=sent {
        let reply = engine
            .process_event(&crash_event(n), &crash_flags())
            .unwrap();
        assert_eq!(reply.cost, Some(SMS_COST), "event {n}");
    }
    let cdrs = store
        .cdrs(&CdrFilter {
            account: Some("1002".into()),
            ..CdrFilter::default()
        })
        .unwrap();
    assert_eq!(cdrs.len(), sent + 1);
    assert_eq!(
        balance(&store, "1002", "*monetary").0,
        INITIAL - SMS_COST * (sent as i64 + 1)
    );
}

#[test]
fn concurrent_callers_keep_balances_exact() {
    let dir = TempDir::new("concurrent");
    let engine = Arc::new(engine(&dir, config()));
    let topup = dir.0.join("topup.csv");
    std::fs::write(
        &topup,
        "Tenant,Account,ToR,Value\n,1002,*monetary,1000\n,1003,*monetary,1000\n",
    )
    .unwrap();
    engine.load_file(&topup).unwrap();
    const THREADS: usize = 8;
    const PER_THREAD: usize = 250;
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    // Messages on one account, sessions on another, interleaved.
                    assert_eq!(
                        engine
                            .process_message(&sms(&format!("t{t}-m{i}"), "1002"))
                            .unwrap(),
                        1
                    );
                    if i % 10 == 0 {
                        let call = event(
                            &format!("t{t}-c{i}"),
                            "1003",
                            "*prepaid",
                            "*voice",
                            "call",
                            "+4930",
                        );
                        engine
                            .initiate(&with(call.clone(), "Usage", "60s"))
                            .unwrap();
                        engine
                            .update(&with(with(call.clone(), "LastUsed", "60s"), "Usage", "60s"))
                            .unwrap();
                        engine.terminate(&with(call, "LastUsed", "30s")).unwrap();
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let store = engine.store().unwrap();
    let messages = (THREADS * PER_THREAD) as i64;
    assert_eq!(
        balance(&store, "1002", "*monetary"),
        (1_000_000_000 - messages * SMS_COST, 0)
    );
    // Each call: 0.10 fee + 60 s + 30 s at 0.60 per minute = 1.00.
    let calls = (THREADS * PER_THREAD / 10) as i64;
    assert_eq!(
        balance(&store, "1003", "*monetary"),
        (1_000_000_000 - calls * 1_000_000, 0)
    );
    assert!(store.sessions().unwrap().is_empty());
}

#[test]
fn sessions_survive_a_restart() {
    let dir = TempDir::new("restart");
    let call = event("call-x", "1001", "*prepaid", "*voice", "call", "+4930");
    {
        let engine = engine(&dir, config());
        engine
            .initiate(&with(call.clone(), "Usage", "90s"))
            .unwrap();
    }
    let engine = Engine::open(dir.db(), config()).unwrap();
    let store = engine.store().unwrap();
    assert_eq!(store.sessions().unwrap().len(), 1);
    assert_eq!(
        balance(&store, "1001", "*voice"),
        (60 * SECOND, 60 * SECOND)
    );
    engine.terminate(&with(call, "LastUsed", "90s")).unwrap();
    assert_eq!(balance(&store, "1001", "*voice"), (0, 0));
    assert_eq!(
        balance(&store, "1001", "*monetary"),
        (10_000_000 - 400_000, 0)
    );
}

#[test]
fn loads_from_another_connection_are_seen() {
    let dir = TempDir::new("external");
    let running = engine(&dir, config());
    assert_eq!(running.process_message(&sms("before", "1002")).unwrap(), 0);
    {
        // Another process would do the same: open the database and load a file.
        let other = Engine::open(dir.db(), config()).unwrap();
        let topup = dir.0.join("topup.csv");
        std::fs::write(&topup, "Tenant,Account,ToR,Value\n,1002,*sms,5\n").unwrap();
        other.load_file(&topup).unwrap();
    }
    assert_eq!(running.process_message(&sms("after", "1002")).unwrap(), 1);
    assert_eq!(balance(&running.store().unwrap(), "1002", "*sms"), (4, 0));
}
