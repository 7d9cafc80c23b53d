//! The writer's SQL: reading and writing balances, sessions, the ledger, CDRs and tariffs.
//! Every function runs inside the writer's open transaction.

use rusqlite::{params, Connection, OptionalExtension};

use crate::account::{Balance, Balances, Charge};
use crate::event::{Origin, RequestType, Subject};
use crate::tariff::Tariff;

/// An open session as the writer keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub subject: Subject,
    /// Disconnect asked: no more grants.
    pub disconnecting: bool,
    /// Usage granted by the last initiate or update.
    pub granted: i64,
    /// Held on the account for the grant.
    pub reserved: Charge,
    /// Usage debited so far.
    pub used: i64,
    /// Money debited so far, micro-units.
    pub cost: i64,
    /// Whether the tariff's connect fee is still to be paid.
    pub fee_due: bool,
    /// Updates seen.
    pub updates: i64,
    pub ttl: i64,
    pub ttl_usage: i64,
    pub expires_at: i64,
    pub started_at: i64,
    /// The initiating event, JSON.
    pub event: String,
}

/// One ledger entry: a debit applied once for `(origin, step)`.
pub(crate) struct Entry<'a> {
    pub origin: &'a Origin,
    pub step: &'a str,
    pub subject: &'a Subject,
    pub charge: &'a Charge,
    pub granted: i64,
    pub at: i64,
}

/// A CDR to store.
pub(crate) struct CdrRow<'a> {
    pub origin: &'a Origin,
    pub tenant: &'a str,
    pub account: &'a str,
    pub subject: &'a str,
    pub tor: &'a str,
    pub request_type: &'a str,
    pub category: &'a str,
    pub destination: &'a str,
    pub setup_time: &'a str,
    pub answer_time: &'a str,
    pub usage: i64,
    pub cost: i64,
    pub event: &'a str,
    pub at: i64,
}

/// The account's balances, or `None` when there is no such account.
pub(crate) fn balances(
    conn: &Connection,
    tenant: &str,
    account: &str,
) -> rusqlite::Result<Option<Balances>> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM accounts WHERE tenant = ?1 AND account = ?2")?
        .exists(params![tenant, account])?;
    if !exists {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT tor, value, reserved FROM balances WHERE tenant = ?1 AND account = ?2",
    )?;
    let rows = stmt.query_map(params![tenant, account], |row| {
        Ok((
            row.get::<_, String>(0)?,
            Balance {
                value: row.get(1)?,
                reserved: row.get(2)?,
            },
        ))
    })?;
    Ok(Some(Balances::new(rows.collect::<Result<Vec<_>, _>>()?)))
}

/// Write the balances of `new` that differ from `old`.
pub(crate) fn save_balances(
    conn: &Connection,
    tenant: &str,
    account: &str,
    old: &Balances,
    new: &Balances,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO balances (tenant, account, tor, value, reserved) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO UPDATE SET value = excluded.value, reserved = excluded.reserved",
    )?;
    for (tor, balance) in new.iter() {
        if old.get(tor) != *balance {
            stmt.execute(params![
                tenant,
                account,
                tor,
                balance.value,
                balance.reserved
            ])?;
        }
    }
    Ok(())
}

/// Create the account if missing.
pub(crate) fn ensure_account(
    conn: &Connection,
    tenant: &str,
    account: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO accounts (tenant, account) VALUES (?1, ?2)")?
        .execute(params![tenant, account])?;
    Ok(())
}

/// The usage granted by an applied step, if it was applied.
pub(crate) fn ledger_granted(
    conn: &Connection,
    origin: &Origin,
    step: &str,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT granted FROM ledger WHERE origin_host = ?1 AND origin_id = ?2 AND step = ?3",
    )?
    .query_row(params![origin.host, origin.id, step], |row| row.get(0))
    .optional()
}

/// Money debited for an origin, or `None` when nothing was ever charged to it.
pub(crate) fn ledger_cost(conn: &Connection, origin: &Origin) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT count(*), coalesce(sum(money), 0) FROM ledger WHERE origin_host = ?1 AND origin_id = ?2",
    )?
    .query_row(params![origin.host, origin.id], |row| {
        let count: i64 = row.get(0)?;
        Ok((count > 0).then_some(row.get(1)?))
    })
}

/// Record an applied step.
pub(crate) fn ledger_put(conn: &Connection, entry: &Entry) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO ledger (origin_host, origin_id, step, tenant, account, tor, usage, units, money, granted, at_ns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        entry.origin.host,
        entry.origin.id,
        entry.step,
        entry.subject.tenant,
        entry.subject.account,
        entry.subject.tor,
        entry.charge.usage,
        entry.charge.units,
        entry.charge.money,
        entry.granted,
        entry.at,
    ])?;
    Ok(())
}

/// Store a CDR, replacing the one of the same origin and run.
pub(crate) fn put_cdr(conn: &Connection, cdr: &CdrRow, run_id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO cdrs (origin_host, origin_id, run_id, tenant, account, subject, tor, request_type,
                           category, destination, setup_time, answer_time, usage, cost, event, stored_at_ns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (origin_host, origin_id, run_id) DO UPDATE SET
            tenant = excluded.tenant, account = excluded.account, subject = excluded.subject,
            tor = excluded.tor, request_type = excluded.request_type, category = excluded.category,
            destination = excluded.destination, setup_time = excluded.setup_time,
            answer_time = excluded.answer_time, usage = excluded.usage, cost = excluded.cost,
            event = excluded.event, stored_at_ns = excluded.stored_at_ns",
    )?
    .execute(params![
        cdr.origin.host,
        cdr.origin.id,
        run_id,
        cdr.tenant,
        cdr.account,
        cdr.subject,
        cdr.tor,
        cdr.request_type,
        cdr.category,
        cdr.destination,
        cdr.setup_time,
        cdr.answer_time,
        cdr.usage,
        cdr.cost,
        cdr.event,
        cdr.at,
    ])?;
    Ok(())
}

/// Every open session.
pub(crate) fn sessions(conn: &Connection) -> rusqlite::Result<Vec<(Origin, Session)>> {
    let mut stmt = conn.prepare(
        "SELECT origin_host, origin_id, tenant, account, tor, category, destination, request_type,
                state, granted, reserved_usage, reserved_units, reserved_money, used, cost, fee_due,
                updates, ttl_ns, ttl_usage, expires_at_ns, started_at_ns, event
         FROM sessions",
    )?;
    let rows = stmt.query_map([], |row| {
        let request_type: String = row.get(7)?;
        let request_type = RequestType::parse(&request_type).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, e.into())
        })?;
        Ok((
            Origin {
                host: row.get(0)?,
                id: row.get(1)?,
            },
            Session {
                subject: Subject {
                    tenant: row.get(2)?,
                    account: row.get(3)?,
                    tor: row.get(4)?,
                    category: row.get(5)?,
                    destination: row.get(6)?,
                    request_type,
                },
                disconnecting: row.get::<_, String>(8)? == "disconnecting",
                granted: row.get(9)?,
                reserved: Charge {
                    usage: row.get(10)?,
                    units: row.get(11)?,
                    money: row.get(12)?,
                },
                used: row.get(13)?,
                cost: row.get(14)?,
                fee_due: row.get(15)?,
                updates: row.get(16)?,
                ttl: row.get(17)?,
                ttl_usage: row.get(18)?,
                expires_at: row.get(19)?,
                started_at: row.get(20)?,
                event: row.get(21)?,
            },
        ))
    })?;
    rows.collect()
}

/// Write an open session.
pub(crate) fn save_session(
    conn: &Connection,
    origin: &Origin,
    s: &Session,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (origin_host, origin_id, tenant, account, tor, category, destination,
                request_type, state, granted, reserved_usage, reserved_units, reserved_money, used, cost,
                fee_due, updates, ttl_ns, ttl_usage, expires_at_ns, started_at_ns, event)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
         ON CONFLICT DO UPDATE SET state = excluded.state, granted = excluded.granted,
                reserved_usage = excluded.reserved_usage, reserved_units = excluded.reserved_units,
                reserved_money = excluded.reserved_money, used = excluded.used, cost = excluded.cost,
                fee_due = excluded.fee_due, updates = excluded.updates, expires_at_ns = excluded.expires_at_ns",
    )?
    .execute(params![
        origin.host,
        origin.id,
        s.subject.tenant,
        s.subject.account,
        s.subject.tor,
        s.subject.category,
        s.subject.destination,
        s.subject.request_type.as_str(),
        if s.disconnecting { "disconnecting" } else { "active" },
        s.granted,
        s.reserved.usage,
        s.reserved.units,
        s.reserved.money,
        s.used,
        s.cost,
        s.fee_due,
        s.updates,
        s.ttl,
        s.ttl_usage,
        s.expires_at,
        s.started_at,
        s.event,
    ])?;
    Ok(())
}

/// Remove a closed session.
pub(crate) fn delete_session(conn: &Connection, origin: &Origin) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE origin_host = ?1 AND origin_id = ?2")?
        .execute(params![origin.host, origin.id])?;
    Ok(())
}

/// Every tariff.
pub(crate) fn tariffs(conn: &Connection) -> rusqlite::Result<Vec<Tariff>> {
    let mut stmt = conn.prepare(
        "SELECT tenant, id, tor, category, destination, connect_fee, rate, rate_unit, rate_increment
         FROM tariffs ORDER BY tenant, id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(Tariff {
            tenant: row.get(0)?,
            id: row.get(1)?,
            tor: row.get(2)?,
            category: row.get(3)?,
            destination: row.get(4)?,
            connect_fee: row.get(5)?,
            rate: row.get(6)?,
            rate_unit: row.get(7)?,
            rate_increment: row.get(8)?,
        })
    })?;
    rows.collect()
}

/// Add or replace a tariff.
pub(crate) fn put_tariff(conn: &Connection, t: &Tariff) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO tariffs (tenant, id, tor, category, destination, connect_fee, rate,
                rate_unit, rate_increment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        t.tenant,
        t.id,
        t.tor,
        t.category,
        t.destination,
        t.connect_fee,
        t.rate,
        t.rate_unit,
        t.rate_increment
    ])?;
    Ok(())
}
