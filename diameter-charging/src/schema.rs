//! The database: connection settings and the schema, created and migrated by version
//! (`PRAGMA user_version`).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::Error;

/// Schema migrations; entry `i` takes the database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE accounts (
    tenant      TEXT NOT NULL,
    account     TEXT NOT NULL,
    PRIMARY KEY (tenant, account)
) WITHOUT ROWID;

-- value and reserved are in the ToR's unit (ns, bytes, messages) or micro-units of money.
CREATE TABLE balances (
    tenant      TEXT NOT NULL,
    account     TEXT NOT NULL,
    tor         TEXT NOT NULL,
    value       INTEGER NOT NULL,
    reserved    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, account, tor),
    FOREIGN KEY (tenant, account) REFERENCES accounts ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE tariffs (
    tenant          TEXT NOT NULL,
    id              TEXT NOT NULL,
    tor             TEXT NOT NULL,
    category        TEXT NOT NULL,
    destination     TEXT NOT NULL,
    connect_fee     INTEGER NOT NULL,
    rate            INTEGER NOT NULL,
    rate_unit       INTEGER NOT NULL,
    rate_increment  INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

-- One row per session; closed sessions stay for their costs until pruned.
CREATE TABLE sessions (
    origin_host     TEXT NOT NULL,
    origin_id       TEXT NOT NULL,
    tenant          TEXT NOT NULL,
    account         TEXT NOT NULL,
    tor             TEXT NOT NULL,
    category        TEXT NOT NULL,
    destination     TEXT NOT NULL,
    request_type    TEXT NOT NULL,
    state           TEXT NOT NULL,
    granted         INTEGER NOT NULL,
    reserved_usage  INTEGER NOT NULL,
    reserved_units  INTEGER NOT NULL,
    reserved_money  INTEGER NOT NULL,
    used            INTEGER NOT NULL,
    cost            INTEGER NOT NULL,
    fee_due         INTEGER NOT NULL,
    updates         INTEGER NOT NULL,
    ttl_ns          INTEGER NOT NULL,
    ttl_usage       INTEGER NOT NULL,
    expires_at_ns   INTEGER NOT NULL,
    started_at_ns   INTEGER NOT NULL,
    event           TEXT NOT NULL,
    PRIMARY KEY (origin_host, origin_id)
) WITHOUT ROWID;
CREATE INDEX sessions_expiry ON sessions (state, expires_at_ns);

-- Every debit, once: the step names the request within its origin
-- (message, init, update:N, terminate, cdr, ttl); a repeated step is not applied again.
CREATE TABLE ledger (
    origin_host     TEXT NOT NULL,
    origin_id       TEXT NOT NULL,
    step            TEXT NOT NULL,
    tenant          TEXT NOT NULL,
    account         TEXT NOT NULL,
    tor             TEXT NOT NULL,
    usage           INTEGER NOT NULL,
    units           INTEGER NOT NULL,
    money           INTEGER NOT NULL,
    granted         INTEGER NOT NULL,
    at_ns           INTEGER NOT NULL,
    PRIMARY KEY (origin_host, origin_id, step)
) WITHOUT ROWID;

CREATE TABLE cdrs (
    id              INTEGER PRIMARY KEY,
    origin_host     TEXT NOT NULL,
    origin_id       TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    tenant          TEXT NOT NULL,
    account         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    tor             TEXT NOT NULL,
    request_type    TEXT NOT NULL,
    category        TEXT NOT NULL,
    destination     TEXT NOT NULL,
    setup_time      TEXT NOT NULL,
    answer_time     TEXT NOT NULL,
    usage           INTEGER NOT NULL,
    cost            INTEGER NOT NULL,
    event           TEXT NOT NULL,
    stored_at_ns    INTEGER NOT NULL,
    UNIQUE (origin_host, origin_id, run_id)
);
CREATE INDEX cdrs_account ON cdrs (tenant, account, id);
"#];

/// The schema version this engine creates and understands.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// How commits reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync {
    /// Every commit is flushed to the disk before it is acknowledged: acknowledged
    /// requests survive a power cut. The write-ahead log is flushed by a second thread
    /// while the next batch is being applied, so one flush serves every batch committed
    /// since the previous one.
    Full,
    /// Commits reach the OS before they are acknowledged (`synchronous=NORMAL`): they
    /// survive the process being killed, not a power cut.
    Normal,
}

/// Open (creating if needed) the database for writing, in WAL mode, migrated to [`VERSION`].
pub fn open_writer(path: &Path, sync: Sync) -> Result<Connection, Error> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // With Sync::Full the engine flushes the log itself after each commit (see writer.rs);
    // SQLite still flushes it before every checkpoint.
    let _ = sync;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(&conn)?;
    Ok(conn)
}

/// Open an existing database for reading only (WAL lets it read while a writer commits).
pub fn open_reader(path: &Path) -> Result<Connection, Error> {
    if !path.exists() {
        return Err(Error::Storage(format!(
            "no charging database at {}",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), Error> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Apply the migrations the database lacks, each in its own transaction.
fn migrate(conn: &Connection) -> Result<(), Error> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer() {
        let dir = std::env::temp_dir().join(format!("charging-schema-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.sqlite");
        let _ = std::fs::remove_file(&path);
        let conn = open_writer(&path, Sync::Normal).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
        drop(conn);
        // Reopening applies nothing and keeps the data.
        let conn = open_writer(&path, Sync::Normal).unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        drop(conn);
        assert!(matches!(
            open_writer(&path, Sync::Normal),
            Err(Error::SchemaTooNew { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
