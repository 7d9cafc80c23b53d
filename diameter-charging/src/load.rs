//! Reading accounts and tariffs from JSON or CSV files.
//!
//! JSON (one file may hold both lists; `tenant` at the top is the default tenant):
//! ```json
//! {"tenant": "cgrates.org",
//!  "accounts": [{"account": "1001", "balances": {"*monetary": 10, "*voice": "1h", "*sms": 100}}],
//!  "tariffs": [{"id": "SMS_DE", "tor": "*sms", "category": "sms", "destination": "+49",
//!               "rate": 0.05, "rate_unit": 1, "rate_increment": 1, "connect_fee": 0}]}
//! ```
//! CSV (the header line says which list the file holds; `#` lines and blank lines are
//! skipped; fields may be double-quoted):
//! ```text
//! Tenant,Account,ToR,Value
//! Tenant,ID,ToR,Category,Destination,ConnectFee,Rate,RateUnit,RateIncrement
//! ```
//! Amounts: money in decimal units; *voice in seconds or as a Go duration (`90s`, `1h`);
//! *data in bytes; *sms and other ToRs in whole units. A tariff's `rate_unit` and
//! `rate_increment` are usage amounts of its ToR (default 1, i.e. one second for *voice).

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::LoadError;
use crate::tariff::Tariff;
use crate::units::{parse_amount, parse_money, ANY, VOICE};

/// Balances to set on one account (created if missing; other balances are kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLoad {
    /// Tenant.
    pub tenant: String,
    /// Account identifier.
    pub account: String,
    /// `(ToR, value)` pairs, values in the engine's units.
    pub balances: Vec<(String, i64)>,
}

/// What one or more files hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    /// Accounts and balances to set.
    pub accounts: Vec<AccountLoad>,
    /// Tariffs to add or replace (by tenant and id).
    pub tariffs: Vec<Tariff>,
}

impl Dataset {
    /// One account with its `(ToR, value)` balances (values in the engine's units), no
    /// tariff.
    ///
    /// ```
    /// let data = diameter_charging::Dataset::account("cgrates.org", "1001", &[("*sms", 10)]);
    /// assert_eq!(data.accounts[0].balances, [("*sms".to_string(), 10)]);
    /// ```
    pub fn account(tenant: &str, account: &str, balances: &[(&str, i64)]) -> Dataset {
        Dataset {
            accounts: vec![AccountLoad {
                tenant: tenant.into(),
                account: account.into(),
                balances: balances.iter().map(|(t, v)| (t.to_string(), *v)).collect(),
            }],
            tariffs: Vec::new(),
        }
    }
}

/// How many items a load stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadSummary {
    /// Accounts touched.
    pub accounts: usize,
    /// Balances set.
    pub balances: usize,
    /// Tariffs stored.
    pub tariffs: usize,
}

/// Read a file: `.csv` as CSV, anything else as JSON.
pub fn read_file(path: &Path, default_tenant: &str) -> Result<Dataset, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        file: path.to_owned(),
        location: "file".into(),
        reason: e.to_string(),
    })?;
    let is_csv = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"));
    if is_csv {
        parse_csv(path, &text, default_tenant)
    } else {
        parse_json(path, &text, default_tenant)
    }
}

/// Parse the JSON format.
pub fn parse_json(path: &Path, text: &str, default_tenant: &str) -> Result<Dataset, LoadError> {
    let fail = |location: String, reason: String| LoadError {
        file: path.to_owned(),
        location,
        reason,
    };
    let root: Value = serde_json::from_str(text).map_err(|e| {
        fail(
            format!("line {} column {}", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    let root = root
        .as_object()
        .ok_or_else(|| fail("$".into(), "expected an object".into()))?;
    let tenant = match root.get("tenant") {
        None => default_tenant.to_owned(),
        Some(v) => string(v).ok_or_else(|| fail("tenant".into(), "expected a string".into()))?,
    };
    for key in root.keys() {
        if !["tenant", "accounts", "tariffs"].contains(&key.as_str()) {
            return Err(fail(
                key.clone(),
                "unknown key (expected tenant, accounts, tariffs)".into(),
            ));
        }
    }
    let mut data = Dataset::default();
    for (i, item) in list(root, "accounts")
        .map_err(|r| fail("accounts".into(), r))?
        .iter()
        .enumerate()
    {
        let at = format!("accounts[{i}]");
        data.accounts.push(
            json_account(item, &tenant)
                .map_err(|(field, reason)| fail(join(&at, &field), reason))?,
        );
    }
    for (i, item) in list(root, "tariffs")
        .map_err(|r| fail("tariffs".into(), r))?
        .iter()
        .enumerate()
    {
        let at = format!("tariffs[{i}]");
        data.tariffs.push(
            json_tariff(item, &tenant)
                .map_err(|(field, reason)| fail(join(&at, &field), reason))?,
        );
    }
    Ok(data)
}

fn join(at: &str, field: &str) -> String {
    if field.is_empty() {
        at.to_owned()
    } else {
        format!("{at}.{field}")
    }
}

fn list<'a>(root: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], String> {
    match root.get(key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err("expected a list".into()),
    }
}

/// A JSON scalar as text (numbers keep their written form).
fn string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

type FieldError = (String, String);

fn object<'a>(item: &'a Value, allowed: &[&str]) -> Result<&'a Map<String, Value>, FieldError> {
    let map = item
        .as_object()
        .ok_or_else(|| (String::new(), "expected an object".to_owned()))?;
    if let Some(key) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err((
            key.clone(),
            format!("unknown key (expected {})", allowed.join(", ")),
        ));
    }
    Ok(map)
}

fn text_field(
    map: &Map<String, Value>,
    key: &str,
    default: Option<&str>,
) -> Result<String, FieldError> {
    match map.get(key) {
        None | Some(Value::Null) => default
            .map(str::to_owned)
            .ok_or_else(|| (key.to_owned(), "missing".to_owned())),
        Some(v) => string(v)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| (key.to_owned(), "expected a non-empty string".to_owned())),
    }
}

fn json_account(item: &Value, tenant: &str) -> Result<AccountLoad, FieldError> {
    let map = object(item, &["tenant", "account", "balances"])?;
    let tenant = text_field(map, "tenant", Some(tenant))?;
    let account = text_field(map, "account", None)?;
    let balances = match map.get("balances") {
        None => Map::new(),
        Some(Value::Object(b)) => b.clone(),
        Some(_) => {
            return Err((
                "balances".into(),
                "expected an object of ToR: amount".into(),
            ))
        }
    };
    let mut out = Vec::new();
    for (tor, value) in &balances {
        let at = format!("balances.{tor}");
        let text = string(value)
            .ok_or_else(|| (at.clone(), "expected a number or a string".to_owned()))?;
        out.push((
            checked_tor(tor).map_err(|r| (at.clone(), r))?,
            parse_amount(tor, &text).map_err(|r| (at, r))?,
        ));
    }
    Ok(AccountLoad {
        tenant,
        account,
        balances: out,
    })
}

fn json_tariff(item: &Value, tenant: &str) -> Result<Tariff, FieldError> {
    let map = object(
        item,
        &[
            "tenant",
            "id",
            "tor",
            "category",
            "destination",
            "connect_fee",
            "rate",
            "rate_unit",
            "rate_increment",
        ],
    )?;
    let get = |key: &str, default: Option<&str>| text_field(map, key, default);
    let fields = TariffFields {
        tenant: get("tenant", Some(tenant))?,
        id: get("id", None)?,
        tor: get("tor", None)?,
        category: get("category", Some(ANY))?,
        destination: get("destination", Some(ANY))?,
        connect_fee: get("connect_fee", Some("0"))?,
        rate: get("rate", None)?,
        rate_unit: get("rate_unit", Some("1"))?,
        rate_increment: get("rate_increment", Some("1"))?,
    };
    fields.build()
}

/// A tariff's fields as written, before their amounts are read.
struct TariffFields {
    tenant: String,
    id: String,
    tor: String,
    category: String,
    destination: String,
    connect_fee: String,
    rate: String,
    rate_unit: String,
    rate_increment: String,
}

impl TariffFields {
    fn build(self) -> Result<Tariff, FieldError> {
        let tor = checked_tor(&self.tor).map_err(|r| ("tor".to_owned(), r))?;
        let usage = |key: &str, text: &str| -> Result<i64, FieldError> {
            // A bare number of a *voice tariff is seconds; other ToRs count whole units.
            let unit_tor = if tor == VOICE { VOICE } else { ANY };
            let value = parse_amount(unit_tor, text).map_err(|r| (key.to_owned(), r))?;
            if value < 1 {
                return Err((key.to_owned(), format!("must be positive, got \"{text}\"")));
            }
            Ok(value)
        };
        let money = |key: &str, text: &str| -> Result<i64, FieldError> {
            let value = parse_money(text).map_err(|r| (key.to_owned(), r))?;
            if value < 0 {
                return Err((
                    key.to_owned(),
                    format!("must not be negative, got \"{text}\""),
                ));
            }
            Ok(value)
        };
        Ok(Tariff {
            connect_fee: money("connect_fee", &self.connect_fee)?,
            rate: money("rate", &self.rate)?,
            rate_unit: usage("rate_unit", &self.rate_unit)?,
            rate_increment: usage("rate_increment", &self.rate_increment)?,
            tenant: self.tenant,
            id: self.id,
            tor,
            category: self.category,
            destination: self.destination,
        })
    }
}

fn checked_tor(tor: &str) -> Result<String, String> {
    if tor.len() > 1 && tor.starts_with('*') {
        Ok(tor.to_owned())
    } else {
        Err(format!(
            "\"{tor}\" is not a ToR (*voice, *data, *sms, *monetary, ...)"
        ))
    }
}

const ACCOUNT_COLUMNS: &[&str] = &["tenant", "account", "tor", "value"];
const TARIFF_COLUMNS: &[&str] = &[
    "tenant",
    "id",
    "tor",
    "category",
    "destination",
    "connectfee",
    "rate",
    "rateunit",
    "rateincrement",
];

/// Parse the CSV format.
pub fn parse_csv(path: &Path, text: &str, default_tenant: &str) -> Result<Dataset, LoadError> {
    let fail = |line: usize, reason: String| LoadError {
        file: path.to_owned(),
        location: format!("line {line}"),
        reason,
    };
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'));
    let Some((header_line, header)) = rows.next() else {
        return Err(fail(1, "empty file: expected a header line".into()));
    };
    let header: Vec<String> = split_csv(header)
        .map_err(|r| fail(header_line, r))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase().replace(['_', ' '], ""))
        .collect();
    let columns = |wanted: &[&str]| -> Option<Vec<usize>> {
        wanted
            .iter()
            .map(|w| header.iter().position(|h| h == w))
            .collect()
    };
    let mut data = Dataset::default();
    if let Some(cols) = columns(TARIFF_COLUMNS) {
        for (line, row) in rows {
            let cells = cells(row, header.len()).map_err(|r| fail(line, r))?;
            let get = |i: usize| cells[cols[i]].trim().to_owned();
            let or = |i: usize, default: &str| {
                let v = get(i);
                if v.is_empty() {
                    default.to_owned()
                } else {
                    v
                }
            };
            let fields = TariffFields {
                tenant: or(0, default_tenant),
                id: get(1),
                tor: get(2),
                category: or(3, ANY),
                destination: or(4, ANY),
                connect_fee: or(5, "0"),
                rate: get(6),
                rate_unit: or(7, "1"),
                rate_increment: or(8, "1"),
            };
            if fields.id.is_empty() {
                return Err(fail(line, "ID: missing".into()));
            }
            data.tariffs.push(
                fields
                    .build()
                    .map_err(|(field, reason)| fail(line, format!("{field}: {reason}")))?,
            );
        }
    } else if let Some(cols) = columns(ACCOUNT_COLUMNS) {
        for (line, row) in rows {
            let cells = cells(row, header.len()).map_err(|r| fail(line, r))?;
            let get = |i: usize| cells[cols[i]].trim().to_owned();
            let tenant = Some(get(0))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| default_tenant.to_owned());
            let account = get(1);
            if account.is_empty() {
                return Err(fail(line, "Account: missing".into()));
            }
            let tor = checked_tor(&get(2)).map_err(|r| fail(line, format!("ToR: {r}")))?;
            let value =
                parse_amount(&tor, &get(3)).map_err(|r| fail(line, format!("Value: {r}")))?;
            match data
                .accounts
                .iter_mut()
                .find(|a| a.tenant == tenant && a.account == account)
            {
                Some(existing) => existing.balances.push((tor, value)),
                None => data.accounts.push(AccountLoad {
                    tenant,
                    account,
                    balances: vec![(tor, value)],
                }),
            }
        }
    } else {
        return Err(fail(
            header_line,
            "header names neither accounts (Tenant,Account,ToR,Value) nor tariffs \
             (Tenant,ID,ToR,Category,Destination,ConnectFee,Rate,RateUnit,RateIncrement)"
                .into(),
        ));
    }
    Ok(data)
}

fn cells(row: &str, width: usize) -> Result<Vec<String>, String> {
    let cells = split_csv(row)?;
    if cells.len() != width {
        return Err(format!("expected {width} fields, found {}", cells.len()));
    }
    Ok(cells)
}

/// Split one CSV line; fields may be double-quoted with `""` for a quote.
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, ',') => cells.push(std::mem::take(&mut cell)),
            (false, '"') if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (_, c) => cell.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    cells.push(cell);
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{MONETARY, SECOND, SMS};

    #[test]
    fn json_accounts_and_tariffs() {
        let data = parse_json(
            Path::new("a.json"),
            r#"{"tenant": "t", "accounts": [{"account": "1001",
                "balances": {"*monetary": 10.5, "*voice": "1m", "*sms": 3}}],
               "tariffs": [{"id": "V", "tor": "*voice", "destination": "+49",
                "rate": "0.6", "rate_unit": 60, "rate_increment": "1s", "connect_fee": 0.1}]}"#,
            "cgrates.org",
        )
        .unwrap();
        let account = &data.accounts[0];
        assert_eq!(
            (account.tenant.as_str(), account.account.as_str()),
            ("t", "1001")
        );
        assert!(account.balances.contains(&(MONETARY.into(), 10_500_000)));
        assert!(account.balances.contains(&("*voice".into(), 60 * SECOND)));
        assert!(account.balances.contains(&(SMS.into(), 3)));
        let tariff = &data.tariffs[0];
        assert_eq!(tariff.rate, 600_000);
        assert_eq!(tariff.rate_unit, 60 * SECOND);
        assert_eq!(tariff.rate_increment, SECOND);
        assert_eq!(tariff.connect_fee, 100_000);
        assert_eq!(tariff.category, ANY);
    }

    #[test]
    fn json_errors_name_the_place() {
        let err = |text: &str| {
            parse_json(Path::new("x.json"), text, "t")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(r#"{"accounts": [{"account": "1", "balances": {"*sms": 1.5}}]}"#),
            "x.json: accounts[0].balances.*sms: invalid *sms amount \"1.5\" (a whole number)"
        );
        assert_eq!(
            err(r#"{"tariffs": [{"id": "a", "tor": "*data", "rate": 1, "rate_unit": 0}]}"#),
            "x.json: tariffs[0].rate_unit: must be positive, got \"0\""
        );
        assert_eq!(
            err(r#"{"tariffs": [{"tor": "*data", "rate": 1}]}"#),
            "x.json: tariffs[0].id: missing"
        );
        assert!(err("{\n\"accounts\": [,]}").starts_with("x.json: line 2 column"));
        assert_eq!(
            err(r#"{"acounts": []}"#),
            "x.json: acounts: unknown key (expected tenant, accounts, tariffs)"
        );
    }

    #[test]
    fn csv_accounts_and_tariffs() {
        let accounts = parse_csv(
            Path::new("a.csv"),
            "# balances\nTenant,Account,ToR,Value\n,1001,*monetary,5\n,1001,*sms,10\n\"t2\",\"10,02\",*data,1024\n",
            "cgrates.org",
        )
        .unwrap();
        assert_eq!(accounts.accounts.len(), 2);
        assert_eq!(accounts.accounts[0].balances.len(), 2);
        assert_eq!(accounts.accounts[1].account, "10,02");
        let tariffs = parse_csv(
            Path::new("t.csv"),
            "Tenant,ID,ToR,Category,Destination,ConnectFee,Rate,RateUnit,RateIncrement\n\
             ,SMS,*sms,sms,+49,0,0.05,1,1\n",
            "cgrates.org",
        )
        .unwrap();
        assert_eq!(tariffs.tariffs[0].rate, 50_000);
        assert_eq!(tariffs.tariffs[0].tenant, "cgrates.org");
    }

    #[test]
    fn csv_errors_name_the_line() {
        let err = |text: &str| {
            parse_csv(Path::new("x.csv"), text, "t")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("Tenant,Account,ToR,Value\n\n,1,voice,1\n"),
            "x.csv: line 3: ToR: \"voice\" is not a ToR (*voice, *data, *sms, *monetary, ...)"
        );
        assert_eq!(
            err("Tenant,Account,ToR,Value\n,1,*sms\n"),
            "x.csv: line 2: expected 4 fields, found 3"
        );
        assert!(err("a,b\n").starts_with("x.csv: line 1: header names neither"));
        assert_eq!(
            err("Tenant,ID,ToR,Category,Destination,ConnectFee,Rate,RateUnit,RateIncrement\n,A,*sms,,,x,1,1,1\n"),
            "x.csv: line 2: connect_fee: invalid amount \"x\" (a decimal number with at most 6 decimals)"
        );
    }
}
