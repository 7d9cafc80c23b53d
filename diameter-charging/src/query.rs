//! Read-only views of the database for operators: accounts, CDRs, open sessions. A
//! [`Store`] can be opened while an engine (possibly in another process) writes.

use std::fmt;
use std::path::Path;

use rusqlite::{params, Connection};
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::units::{format_amount, format_duration, format_money, money_to_f64};

/// One balance as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceView {
    /// ToR of the balance.
    pub tor: String,
    /// Value in engine units (ns, bytes, messages, micro-units).
    pub value: i64,
    /// Held by open sessions, engine units.
    pub reserved: i64,
}

/// One account as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    /// Tenant.
    pub tenant: String,
    /// Account identifier.
    pub account: String,
    /// Balances, by ToR name.
    pub balances: Vec<BalanceView>,
}

impl AccountView {
    /// The value of the balance of `tor` (0 when absent).
    pub fn balance(&self, tor: &str) -> i64 {
        self.balances
            .iter()
            .find(|b| b.tor == tor)
            .map_or(0, |b| b.value)
    }
}

impl fmt::Display for AccountView {
    /// `cgrates.org:1001  *monetary=9.95  *sms=99 (1 reserved)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.tenant, self.account)?;
        for b in &self.balances {
            write!(f, "  {}={}", b.tor, format_amount(&b.tor, b.value))?;
            if b.reserved != 0 {
                write!(f, " ({} reserved)", format_amount(&b.tor, b.reserved))?;
            }
        }
        Ok(())
    }
}

/// A stored CDR.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Cdr {
    /// Storage order.
    #[serde(rename = "ID")]
    pub id: i64,
    /// `OriginHost`.
    pub origin_host: String,
    /// `OriginID`.
    #[serde(rename = "OriginID")]
    pub origin_id: String,
    /// Charger run (`*default`).
    #[serde(rename = "RunID")]
    pub run_id: String,
    /// `Tenant`.
    pub tenant: String,
    /// `Account`.
    pub account: String,
    /// `Subject`.
    pub subject: String,
    /// `ToR`.
    #[serde(rename = "ToR")]
    pub tor: String,
    /// `RequestType`.
    pub request_type: String,
    /// `Category`.
    pub category: String,
    /// `Destination`.
    pub destination: String,
    /// `SetupTime`, as received.
    pub setup_time: String,
    /// `AnswerTime`, as received.
    pub answer_time: String,
    /// `Usage`, nanoseconds (ToR units).
    pub usage: i64,
    /// Cost, micro-units.
    #[serde(skip)]
    pub cost_micros: i64,
    /// Cost as CGRateS prints it.
    pub cost: f64,
    /// Every field of the event.
    pub event: Value,
}

impl fmt::Display for Cdr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let usage = if self.tor == crate::units::VOICE {
            format_duration(self.usage)
        } else {
            self.usage.to_string()
        };
        write!(
            f,
            "{} {} {} {}:{} {} {} {} usage={} cost={}",
            self.id,
            self.origin_host,
            self.origin_id,
            self.tenant,
            self.account,
            self.tor,
            self.request_type,
            self.destination,
            usage,
            format_money(self.cost_micros)
        )
    }
}

/// Which CDRs to list.
#[derive(Debug, Clone, Default)]
pub struct CdrFilter {
    /// Only this tenant.
    pub tenant: Option<String>,
    /// Only this account.
    pub account: Option<String>,
    /// Only this origin id.
    pub origin_id: Option<String>,
    /// At most this many, newest first (0 = all).
    pub limit: usize,
}

/// An open session as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionView {
    /// `OriginHost`.
    pub origin_host: String,
    /// `OriginID`.
    pub origin_id: String,
    /// Tenant.
    pub tenant: String,
    /// Account.
    pub account: String,
    /// ToR.
    pub tor: String,
    /// Request type.
    pub request_type: String,
    /// `active` or `disconnecting`.
    pub state: String,
    /// Last grant, ToR units.
    pub granted: i64,
    /// Usage debited so far.
    pub used: i64,
    /// Money debited so far, micro-units.
    pub cost: i64,
    /// When the TTL ends, ns since the epoch (`i64::MAX` = never).
    pub expires_at_ns: i64,
}

/// Read-only access to an engine's database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Open an existing database for reading.
    pub fn open(path: &Path) -> Result<Store, Error> {
        Ok(Store {
            conn: crate::schema::open_reader(path)?,
        })
    }

    /// Accounts (all, one tenant, or one account), sorted.
    pub fn accounts(
        &self,
        tenant: Option<&str>,
        account: Option<&str>,
    ) -> Result<Vec<AccountView>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.tenant, a.account, b.tor, b.value, b.reserved
             FROM accounts a LEFT JOIN balances b ON a.tenant = b.tenant AND a.account = b.account
             WHERE (?1 IS NULL OR a.tenant = ?1) AND (?2 IS NULL OR a.account = ?2)
             ORDER BY a.tenant, a.account, b.tor",
        )?;
        let mut rows = stmt.query(params![tenant, account])?;
        let mut out: Vec<AccountView> = Vec::new();
        while let Some(row) = rows.next()? {
            let tenant: String = row.get(0)?;
            let account: String = row.get(1)?;
            let same = out
                .last()
                .is_some_and(|last| last.tenant == tenant && last.account == account);
            if !same {
                out.push(AccountView {
                    tenant,
                    account,
                    balances: Vec::new(),
                });
            }
            if let Some(tor) = row.get::<_, Option<String>>(2)? {
                out.last_mut()
                    .expect("pushed above")
                    .balances
                    .push(BalanceView {
                        tor,
                        value: row.get(3)?,
                        reserved: row.get(4)?,
                    });
            }
        }
        Ok(out)
    }

    /// CDRs, newest first.
    pub fn cdrs(&self, filter: &CdrFilter) -> Result<Vec<Cdr>, Error> {
        let limit = if filter.limit == 0 {
            -1
        } else {
            filter.limit as i64
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, origin_host, origin_id, run_id, tenant, account, subject, tor, request_type,
                    category, destination, setup_time, answer_time, usage, cost, event
             FROM cdrs
             WHERE (?1 IS NULL OR tenant = ?1) AND (?2 IS NULL OR account = ?2)
               AND (?3 IS NULL OR origin_id = ?3)
             ORDER BY id DESC LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![filter.tenant, filter.account, filter.origin_id, limit],
            |row| {
                let cost: i64 = row.get(14)?;
                let event: String = row.get(15)?;
                Ok(Cdr {
                    id: row.get(0)?,
                    origin_host: row.get(1)?,
                    origin_id: row.get(2)?,
                    run_id: row.get(3)?,
                    tenant: row.get(4)?,
                    account: row.get(5)?,
                    subject: row.get(6)?,
                    tor: row.get(7)?,
                    request_type: row.get(8)?,
                    category: row.get(9)?,
                    destination: row.get(10)?,
                    setup_time: row.get(11)?,
                    answer_time: row.get(12)?,
                    usage: row.get(13)?,
                    cost_micros: cost,
                    cost: money_to_f64(cost),
                    event: serde_json::from_str(&event).unwrap_or(Value::Null),
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Open sessions.
    pub fn sessions(&self) -> Result<Vec<SessionView>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT origin_host, origin_id, tenant, account, tor, request_type, state, granted, used,
                    cost, expires_at_ns
             FROM sessions ORDER BY started_at_ns",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(SessionView {
                origin_host: row.get(0)?,
                origin_id: row.get(1)?,
                tenant: row.get(2)?,
                account: row.get(3)?,
                tor: row.get(4)?,
                request_type: row.get(5)?,
                state: row.get(6)?,
                granted: row.get(7)?,
                used: row.get(8)?,
                cost: row.get(9)?,
                expires_at_ns: row.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What the ledger recorded for an account (one entry per applied request step):
    /// `(entries, units taken from ToR balances, money taken in micro-units)`.
    pub fn ledger_total(&self, tenant: &str, account: &str) -> Result<(i64, i64, i64), Error> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*), coalesce(sum(units), 0), coalesce(sum(money), 0) FROM ledger
             WHERE tenant = ?1 AND account = ?2",
            )?
            .query_row(params![tenant, account], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?)
    }
}
