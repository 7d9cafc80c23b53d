//! The engine through `Agent::handle`: value rules, selectors, filters, field types, reply
//! building and processor chaining, including the traps of §13 of the agent spec.

mod support;

use diameter_agent::result_code;
use diameter_runtime::message::Message;
use serde_json::{json, Map, Value};

use support::*;

fn ev(fields: &str) -> Map<String, Value> {
    cgreq(fields, seed_ccr())
}

/// A two-MSCC CCR: rating groups 10 and 1, Used-Service-Unit input octets 100 and 200.
fn mscc_ccr() -> Message {
    let dict = dict();
    let mscc = |rg: &str, octets: &str, service: &str| {
        group(
            &dict,
            "Multiple-Services-Credit-Control",
            vec![
                group(
                    &dict,
                    "Used-Service-Unit",
                    vec![leaf(&dict, "CC-Input-Octets", octets)],
                ),
                leaf(&dict, "Rating-Group", rg),
                leaf(&dict, "Service-Identifier", service),
            ],
        )
    };
    let mut avps = ccr_base(&dict, "s;1", "32251@3gpp.org", 2, 1);
    avps.push(mscc("10", "100", "7"));
    avps.push(mscc("1", "200", "8"));
    ccr(avps)
}

// ---- value rules ---------------------------------------------------------------------------

#[test]
fn constants_paths_and_concatenation() {
    let e = ev(r#"[
        {"path": "*cgreq.C", "type": "*constant", "value": "abc"},
        {"path": "*cgreq.V", "type": "*variable", "value": "~*req.Session-Id"},
        {"path": "*cgreq.J", "type": "*variable", "value": "~*req.User-Name;-;~*req.CC-Request-Number"},
        {"path": "*cgreq.T", "type": "*variable", "value": "`a;b`;c"},
        {"path": "*cgreq.Tilde", "type": "*variable", "value": "~"},
        {"path": "*cgreq.NoTilde", "type": "*variable", "value": "*vars.OriginHost"}
    ]"#);
    assert_eq!(e["C"], json!("abc"));
    assert_eq!(e["V"], json!("smsgw.gy;65000000;00000000;00000001"));
    assert_eq!(e["J"], json!("diameter-1"));
    assert_eq!(e["T"], json!("a;bc"));
    assert_eq!(e["Tilde"], json!("~"));
    // Without `~` a path is constant text.
    assert_eq!(e["NoTilde"], json!("*vars.OriginHost"));
}

#[test]
fn value_types_as_read() {
    let e = ev(r#"[
        {"path": "*cgreq.Enum", "type": "*variable", "value": "~*req.CC-Request-Type"},
        {"path": "*cgreq.Time", "type": "*variable", "value": "~*req.Event-Timestamp"},
        {"path": "*cgreq.U64", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Requested-Service-Unit.CC-Service-Specific-Units"},
        {"path": "*cgreq.Octets", "type": "*variable", "value": "~*req.Origin-Host"}
    ]"#);
    // Enumerated values read as numbers, never names.
    assert_eq!(e["Enum"], json!("4"));
    assert_eq!(e["Time"], json!("2024-01-02T03:04:05Z"));
    assert_eq!(e["U64"], json!("1"));
    assert_eq!(e["Octets"], json!("smsgw.gy"));
}

#[test]
fn search_and_replace_keeps_only_the_template() {
    let e = ev(r#"[
        {"path": "*cgreq.A", "type": "*variable", "value": "~*req.Session-Id:s/^smsgw\\.(\\w+)\\W.*/${1}/"},
        {"path": "*cgreq.B", "type": "*variable", "value": "~*req.Session-Id:s/^nomatch(.*)/x${1}/"},
        {"path": "*cgreq.C", "type": "*variable", "value": "~*req.CC-Request-Number:s/(.*)/${1}s/"},
        {"path": "*cgreq.D", "type": "*variable", "value": "~*req.User-Name:s/(a)/_${1}_/"}
    ]"#);
    assert_eq!(e["A"], json!("gy"));
    assert_eq!(
        e["B"],
        json!("smsgw.gy;65000000;00000000;00000001"),
        "no match: unchanged"
    );
    assert_eq!(e["C"], json!("1s"));
    assert_eq!(e["D"], json!("_a_"), "not substituted in place");
}

#[test]
fn converters_in_rules() {
    let e = ev(r#"[
        {"path": "*cgreq.Secs", "type": "*variable", "value": "~*req.CC-Request-Number:s/(.*)/${1}m/{*duration_seconds}"},
        {"path": "*cgreq.Nanos", "type": "*variable", "value": "~*req.CC-Request-Number{*duration_seconds}"},
        {"path": "*cgreq.Hex", "type": "*variable", "value": "~*req.User-Name{*string2hex}"},
        {"path": "*cgreq.Len", "type": "*variable", "value": "~*req.User-Name{*len&*multiply:2}"},
        {"path": "*cgreq.Const", "type": "*constant", "value": "90s{*duration_minutes}"}
    ]"#);
    assert_eq!(e["Secs"], json!("60"));
    // A bare number is nanoseconds.
    assert_eq!(e["Nanos"], json!("0.000000001"));
    assert_eq!(e["Hex"], json!("0x6469616d65746572"));
    assert_eq!(e["Len"], json!("16"));
    assert_eq!(e["Const"], json!("1.5"));
}

#[test]
fn dynamic_splices_in_values_and_paths() {
    let e = ev(r#"[
        {"path": "*vars.Which", "type": "*constant", "value": "User-Name"},
        {"path": "*cgreq.Spliced", "type": "*variable", "value": "~*req.<~*vars.Which>"},
        {"path": "*cgreq.Route.<CGR_;~*req.CC-Request-Number>", "type": "*constant", "value": "x"}
    ]"#);
    assert_eq!(e["Spliced"], json!("diameter"));
    assert_eq!(e["Route"], json!({"CGR_1": "x"}));
}

#[test]
fn vars_cfg_tenant_and_tmp() {
    let e = ev(r#"[
        {"path": "*cgreq.AppId", "type": "*variable", "value": "~*vars.*appid"},
        {"path": "*cgreq.Cmd", "type": "*variable", "value": "~*vars.*cmd"},
        {"path": "*cgreq.App", "type": "*variable", "value": "~*vars.*app"},
        {"path": "*cgreq.Host", "type": "*variable", "value": "~*vars.OriginHost;@;~*vars.OriginRealm;@;~*vars.ProductName"},
        {"path": "*cgreq.Tenant", "type": "*variable", "value": "~*cfg.general.default_tenant;/;~*tenant"},
        {"path": "*tmp.X", "type": "*constant", "value": "scratch"},
        {"path": "*cgreq.Tmp", "type": "*variable", "value": "~*tmp.X"},
        {"path": "*opts.*sessionsTTL", "type": "*constant", "value": "5m"}
    ]"#);
    assert_eq!(e["AppId"], json!("4"));
    assert_eq!(e["Cmd"], json!("CCR"));
    assert_eq!(e["App"], json!("Diameter Credit Control"));
    assert_eq!(e["Host"], json!("CGR-DA@cgrates.org@CGRateS"));
    assert_eq!(e["Tenant"], json!("cgrates.org/cgrates.org"));
    assert_eq!(e["Tmp"], json!("scratch"));
}

#[test]
fn index_selector_flattens_groups() {
    let msg = mscc_ccr();
    let e = cgreq(
        r#"[
        {"path": "*cgreq.First", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Rating-Group"},
        {"path": "*cgreq.Second", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Rating-Group[1]"},
        {"path": "*cgreq.Last", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Used-Service-Unit.CC-Input-Octets[-1]"}
    ]"#,
        msg,
    );
    assert_eq!(e["First"], json!("10"));
    assert_eq!(e["Second"], json!("1"));
    assert_eq!(e["Last"], json!("200"));
}

#[test]
fn index_past_the_end_is_an_error_not_not_found() {
    let agent = agent_with(
        r#"{"id": "t", "flags": ["*none"], "request_fields": [
        {"path": "*cgreq.X", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Rating-Group[5]"}],
        "reply_fields": [{"type": "*template", "value": "*cca"}]}"#,
    );
    assert_eq!(result_code(&handle(&agent, mscc_ccr())), Some(5012));
}

#[test]
fn sibling_selectors_match_substrings_and_all_must_pass() {
    let e = cgreq(
        r#"[
        {"path": "*cgreq.Substring", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Used-Service-Unit.CC-Input-Octets[~Rating-Group(1)]"},
        {"path": "*cgreq.Exact", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Used-Service-Unit.CC-Input-Octets[~Rating-Group(^1$)]"},
        {"path": "*cgreq.And", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Rating-Group[~Rating-Group(1)|~Service-Identifier(^8$)]"},
        {"path": "*cgreq.Rewritten", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Rating-Group[~Service-Identifier:s/(.*)/S${1}/(^S8$)]"},
        {"path": "*cgreq.None", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Rating-Group[~Rating-Group(^3$)]"}
    ]"#,
        mscc_ccr(),
    );
    // `(1)` is "contains": Rating-Group 10 (the first) matches.
    assert_eq!(e["Substring"], json!("100"));
    assert_eq!(e["Exact"], json!("200"));
    assert_eq!(e["And"], json!("1"));
    assert_eq!(e["Rewritten"], json!("1"));
    assert!(
        !e.contains_key("None"),
        "no sibling passes: NOT_FOUND, the field is skipped"
    );
}

#[test]
fn sibling_count_must_equal_target_count() {
    let dict = dict();
    let mut avps = ccr_base(&dict, "s;2", "x", 2, 1);
    // Two Rating-Groups but only one Used-Service-Unit.
    avps.push(group(
        &dict,
        "Multiple-Services-Credit-Control",
        vec![
            group(
                &dict,
                "Used-Service-Unit",
                vec![leaf(&dict, "CC-Time", "5")],
            ),
            leaf(&dict, "Rating-Group", "1"),
        ],
    ));
    avps.push(group(
        &dict,
        "Multiple-Services-Credit-Control",
        vec![leaf(&dict, "Rating-Group", "2")],
    ));
    let e = cgreq(
        r#"[{"path": "*cgreq.X", "type": "*variable", "value": "~*req.Multiple-Services-Credit-Control.Used-Service-Unit.CC-Time[~Rating-Group(^1$)]"}]"#,
        ccr(avps),
    );
    assert!(!e.contains_key("X"));
}

#[test]
fn subscription_id_by_type() {
    let dict = dict();
    let sub = |t: &str, d: &str| {
        group(
            &dict,
            "Subscription-Id",
            vec![
                leaf(&dict, "Subscription-Id-Type", t),
                leaf(&dict, "Subscription-Id-Data", d),
            ],
        )
    };
    let mut avps = ccr_base(&dict, "s;3", "x", 4, 0);
    avps.push(sub("1", "262010000000001"));
    avps.push(sub("0", "491700000001"));
    let e = cgreq(
        r#"[{"path": "*cgreq.Account", "type": "*variable", "value": "~*req.Subscription-Id.Subscription-Id-Data[~Subscription-Id-Type(0)]"}]"#,
        ccr(avps),
    );
    assert_eq!(e["Account"], json!("491700000001"));
}

#[test]
fn absent_avps_skip_fields_and_unknown_names_are_refused() {
    // Charging-Rule-Name is a Gx AVP, absent from this request.
    let e = ev(
        r#"[{"path": "*cgreq.Rule", "type": "*variable", "value": "~*req.Charging-Rule-Install.Charging-Rule-Name"}]"#,
    );
    assert!(!e.contains_key("Rule"));
    assert!(!passes(
        "*string:~*req.Charging-Rule-Install.Charging-Rule-Name:x",
        seed_ccr()
    ));
    assert!(passes(
        "*notstring:~*req.Charging-Rule-Install.Charging-Rule-Name:x",
        seed_ccr()
    ));
    let json = r#"{"diameter_agent": {"request_processors": [{"id": "t", "flags": ["*none"],
        "request_fields": [{"path": "*cgreq.X", "type": "*variable", "value": "~*req.No-Such-Avp"}]}]}}"#;
    let config = diameter_agent::Config::from_str("u.json", json).unwrap();
    let err = diameter_agent::check(&config, dict()).unwrap_err();
    assert_eq!(
        err.path,
        "diameter_agent.request_processors[0].request_fields[0].value"
    );
    assert!(err.reason.contains("Could not find AVP"), "{err}");
}

// ---- filters -------------------------------------------------------------------------------

/// Whether a processor with `filter` processes the request (answer 2001, not the *err 5012).
fn passes(filter: &str, msg: Message) -> bool {
    let agent = agent_with(&format!(
        r#"{{"id": "t", "filters": [{}], "flags": ["*none"], "reply_fields": [{{"type": "*template", "value": "*cca"}}]}}"#,
        serde_json::to_string(filter).unwrap()
    ));
    match result_code(&handle(&agent, msg)) {
        Some(2001) => true,
        Some(5012) => false,
        other => panic!("{filter}: {other:?}"),
    }
}

#[test]
fn string_contains_prefix_suffix() {
    let p = |f: &str| passes(f, seed_ccr());
    assert!(p("*string:~*req.User-Name:diameter"));
    assert!(p("*string:~*req.User-Name:nope|diameter"));
    assert!(!p("*string:~*req.User-Name:diam"));
    assert!(p("*notstring:~*req.User-Name:diam"));
    assert!(p("*contains:~*req.User-Name:amet"));
    assert!(!p("*notcontains:~*req.User-Name:amet"));
    assert!(p("*prefix:~*req.Session-Id:smsgw"));
    assert!(p("*notprefix:~*req.Session-Id:x"));
    assert!(p("*suffix:~*req.Session-Id:0001"));
    assert!(!p("*notsuffix:~*req.Session-Id:0001"));
    assert!(p("*string:~*vars.*cmd:CCR"));
    assert!(p("*nistring:~*vars.*cmd:CCR"));
    // Values can be dynamic.
    assert!(p("*string:~*req.Origin-Realm:~*req.Destination-Realm"));
    // A missing element: false for positive types, true for negated ones.
    assert!(!p("*string:~*req.Destination-Host:x"));
    assert!(p("*notstring:~*req.Destination-Host:x"));
}

#[test]
fn exists_and_empty() {
    let p = |f: &str| passes(f, seed_ccr());
    assert!(p("*exists:~*req.User-Name:"));
    assert!(!p("*exists:~*req.Destination-Host:"));
    assert!(p("*notexists:~*req.Destination-Host:"));
    assert!(p("*empty:~*req.Destination-Host:"));
    assert!(!p("*empty:~*req.User-Name:"));
    assert!(p("*notempty:~*req.User-Name:"));
    assert!(p("*empty:~*cgrep.Error:"));
}

#[test]
fn typed_comparisons() {
    let p = |f: &str| passes(f, seed_ccr());
    assert!(p("*eq:~*req.CC-Request-Type:4"));
    assert!(p("*eq:~*req.CC-Request-Type:4.0"));
    assert!(p("*noteq:~*req.CC-Request-Type:3"));
    assert!(p("*gt:~*req.CC-Request-Type:3"));
    assert!(p("*gte:~*req.CC-Request-Type:4"));
    assert!(p("*lt:~*req.CC-Request-Number:2"));
    assert!(p("*lte:~*req.CC-Request-Number:1"));
    assert!(!p("*gt:~*req.CC-Request-Number:1"));
    assert!(p("*gt:~*req.Event-Timestamp:2024-01-01T00:00:00Z"));
    assert!(p("*lt:~*req.Event-Timestamp:2025-01-01T00:00:00Z"));
    // Incomparable (text vs number): an error, so the request fails.
    assert!(!p("*gt:~*req.User-Name:3"));
    assert!(!p("*notgt:~*req.User-Name:3"));
}

#[test]
fn regex_rsr_ipnet_ai() {
    let p = |f: &str| passes(f, seed_ccr());
    assert!(p("*regex:~*req.Session-Id:^smsgw\\.gy;\\d+"));
    assert!(!p("*regex:~*req.Session-Id:^\\d+$"));
    assert!(p("*notregex:~*req.Session-Id:^\\d+$"));
    assert!(p("*rsr:~*req.User-Name:^diam"));
    assert!(p("*rsr:~*req.User-Name:x|meter$"));
    assert!(!p("*rsr:~*req.User-Name:!diam"));
    assert!(
        p("*rsr:~*req.Destination-Host:^$"),
        "^$ also passes a missing value"
    );
    assert!(p("*notrsr:~*req.User-Name:^x"));
    assert!(p("*ai:~*req.Event-Timestamp:2024-01-01T00:00:00Z"));
    assert!(p(
        "*ai:~*req.Event-Timestamp:2024-01-01T00:00:00Z|2024-01-03T00:00:00Z"
    ));
    assert!(!p(
        "*ai:~*req.Event-Timestamp:2024-01-01T00:00:00Z|2024-01-02T00:00:00Z"
    ));
    assert!(p("*notai:~*req.Event-Timestamp:2025-01-01T00:00:00Z"));

    // `;` and `:` split rules and filters: the address is cut out of RemoteHost (ip:port) by
    // a first processor, the second filters on it.
    let agent = agent_from(
        r#"{"diameter_agent": {"request_processors": [
        {"id": "ip", "flags": ["*none", "*continue"],
         "request_fields": [{"path": "*vars.IP", "type": "*variable", "value": "~*vars.RemoteHost:s/^(.*):\\d+$/${1}/"}]},
        {"id": "net", "filters": ["*ipnet:~*vars.IP:10.0.0.0/8|172.16.0.0/12"], "flags": ["*none"],
         "reply_fields": [{"type": "*template", "value": "*cca"}]}]}}"#,
    );
    let from = |ip: &str| {
        let addr = format!("{ip}:3868").parse().unwrap();
        result_code(&block_on(agent.handle_from(seed_ccr(), Some(addr))))
    };
    assert_eq!(from("10.1.2.3"), Some(2001));
    assert_eq!(from("172.16.9.9"), Some(2001));
    assert_eq!(from("192.168.1.1"), None, "only the first processor ran");
}

#[test]
fn unsupported_filters_are_refused_at_start() {
    for f in [
        "FLTR_PROFILE_1",
        "*destinations:~*req.X:DST",
        "*timings:~*req.X:T",
        "*nope:~*req.User-Name:x",
    ] {
        let json = format!(
            r#"{{"diameter_agent": {{"request_processors": [{{"id": "t", "filters": [{}], "flags": ["*none"]}}]}}}}"#,
            serde_json::to_string(f).unwrap()
        );
        let config = diameter_agent::Config::from_str("f.json", &json).unwrap();
        let err = diameter_agent::check(&config, dict()).unwrap_err();
        assert_eq!(
            err.path, "diameter_agent.request_processors[0].filters[0]",
            "{f}: {err}"
        );
    }
}

// ---- field types ---------------------------------------------------------------------------

#[test]
fn composed_group_and_overwrite() {
    let e = ev(r#"[
        {"path": "*cgreq.V", "type": "*variable", "value": "a"},
        {"path": "*cgreq.V", "type": "*variable", "value": "b"},
        {"path": "*cgreq.C", "type": "*composed", "value": "a"},
        {"path": "*cgreq.C", "type": "*composed", "value": "b;c"},
        {"path": "*cgreq.G", "type": "*group", "value": "1"},
        {"path": "*cgreq.G", "type": "*group", "value": "2"},
        {"path": "*cgreq.N.A", "type": "*constant", "value": "x"},
        {"path": "*cgreq.N.B", "type": "*constant", "value": "y"}
    ]"#);
    assert_eq!(e["V"], json!("b"));
    assert_eq!(e["C"], json!("abc"));
    assert_eq!(e["G"], json!(["1", "2"]));
    assert_eq!(e["N"], json!({"A": "x", "B": "y"}));
}

#[test]
fn arithmetic_and_time_types() {
    let e = ev(r#"[
        {"path": "*cgreq.UsageDiff", "type": "*usage_difference", "value": "2024-01-02T03:04:15Z;~*req.Event-Timestamp"},
        {"path": "*cgreq.CcUsage", "type": "*cc_usage", "value": "3;10s;5m"},
        {"path": "*cgreq.CcUsageFirst", "type": "*cc_usage", "value": "0;10s;5m"},
        {"path": "*cgreq.SumInt", "type": "*sum", "value": "10;~*req.CC-Request-Number;5"},
        {"path": "*cgreq.SumDur", "type": "*sum", "value": "10s;1m"},
        {"path": "*cgreq.SumTime", "type": "*sum", "value": "~*req.Event-Timestamp;1h"},
        {"path": "*cgreq.DiffFloat", "type": "*difference", "value": "1.5;0.5"},
        {"path": "*cgreq.DiffTimes", "type": "*difference", "value": "2024-01-02T03:05:05Z;~*req.Event-Timestamp"},
        {"path": "*cgreq.Mul", "type": "*multiply", "value": "6;7"},
        {"path": "*cgreq.Div", "type": "*divide", "value": "7.0;2"},
        {"path": "*cgreq.Exp", "type": "*value_exponent", "value": "2;2"},
        {"path": "*cgreq.Money", "type": "*value_exponent", "value": "10000;-5"},
        {"path": "*cgreq.Unix", "type": "*unix_timestamp", "value": "~*req.Event-Timestamp"},
        {"path": "*cgreq.Date", "type": "*datetime", "value": "~*req.Event-Timestamp", "layout": "2006-01-02 15:04"},
        {"path": "*cgreq.DateTz", "type": "*datetime", "value": "~*req.Event-Timestamp", "timezone": "+02:00"},
        {"path": "*cgreq.Cid", "type": "*sipcid", "value": "call;~*req.User-Name;;abc"}
    ]"#);
    assert_eq!(e["UsageDiff"], json!("10s"), "*usage_difference gives text");
    assert_eq!(
        e["CcUsage"],
        json!(610_000_000_000i64),
        "*cc_usage gives a duration: 10s + 5m * 2"
    );
    assert_eq!(e["CcUsageFirst"], json!(10_000_000_000i64));
    assert_eq!(e["SumInt"], json!(16));
    assert_eq!(e["SumDur"], json!(70_000_000_000i64));
    assert_eq!(e["SumTime"], json!("2024-01-02T04:04:05Z"));
    assert_eq!(e["DiffFloat"], json!(1.0));
    assert_eq!(e["DiffTimes"], json!(60_000_000_000i64));
    assert_eq!(e["Mul"], json!(42));
    assert_eq!(e["Div"], json!(3.5));
    assert_eq!(e["Exp"], json!("200"));
    assert_eq!(e["Money"], json!("0.1"));
    assert_eq!(e["Unix"], json!("1704164645"));
    assert_eq!(e["Date"], json!("2024-01-02 03:04"));
    assert_eq!(e["DateTz"], json!("2024-01-02T05:04:05+02:00"));
    assert_eq!(e["Cid"], json!("call;abc;diameter"));
}

#[test]
fn prefix_suffix_remove_removeall_none() {
    let e = ev(r#"[
        {"path": "*cgreq.P", "type": "*constant", "value": "body"},
        {"path": "*cgreq.P", "type": "*prefix", "value": "pre-"},
        {"path": "*cgreq.P", "type": "*suffix", "value": "-post"},
        {"path": "*cgreq.Gone", "type": "*constant", "value": "x"},
        {"path": "*cgreq.Gone", "type": "*remove"},
        {"path": "*cgreq.Skipped", "type": "*none", "value": "x"},
        {"path": "*vars.A", "type": "*constant", "value": "x"},
        {"path": "*vars", "type": "*removeall"},
        {"path": "*cgreq.Vars", "type": "*variable", "value": "~*vars.OriginHost"}
    ]"#);
    assert_eq!(e["P"], json!("pre-body-post"));
    assert!(!e.contains_key("Gone"));
    assert!(!e.contains_key("Skipped"));
    assert!(!e.contains_key("Vars"), "*removeall cleared *vars");
}

#[test]
fn remote_host_and_width_strip_padding() {
    let agent = agent_with(
        r#"{"id": "t", "flags": ["*cdrs"], "request_fields": [
        {"path": "*cgreq.Peer", "type": "*remote_host"},
        {"path": "*cgreq.PeerVar", "type": "*variable", "value": "~*vars.RemoteHost"},
        {"path": "*cgreq.Filler", "type": "*filler", "value": "ab", "width": 4},
        {"path": "*cgreq.Right", "type": "*constant", "value": "abcdef", "width": 3, "strip": "*right"},
        {"path": "*cgreq.XRight", "type": "*constant", "value": "abcdef", "width": 3, "strip": "*xright"},
        {"path": "*cgreq.Left", "type": "*constant", "value": "abcdef", "width": 3, "strip": "*left"},
        {"path": "*cgreq.XLeft", "type": "*constant", "value": "abcdef", "width": 3, "strip": "*xleft"},
        {"path": "*cgreq.PadLeft", "type": "*constant", "value": "ab", "width": 4, "padding": "*left"},
        {"path": "*cgreq.Zero", "type": "*constant", "value": "7", "width": 3, "padding": "*zeroleft"}
    ]}"#,
    );
    let addr = "192.0.2.1:40000".parse().unwrap();
    block_on(agent.handle_from(seed_ccr(), Some(addr)));
    let e = cdr_event(&agent);
    assert_eq!(e["Peer"], json!("192.0.2.1:40000"));
    assert_eq!(e["PeerVar"], json!("192.0.2.1:40000"));
    assert_eq!(e["Filler"], json!("ab  "));
    assert_eq!(e["Right"], json!("abc"));
    assert_eq!(e["XRight"], json!("abx"));
    assert_eq!(e["Left"], json!("def"));
    assert_eq!(e["XLeft"], json!("xef"));
    assert_eq!(e["PadLeft"], json!("  ab"));
    assert_eq!(e["Zero"], json!("007"));

    // Too long without a strip rule: the request fails.
    let agent = agent_with(
        r#"{"id": "t", "flags": ["*none"], "request_fields": [
        {"path": "*cgreq.X", "type": "*constant", "value": "abcdef", "width": 3}],
        "reply_fields": [{"type": "*template", "value": "*cca"}]}"#,
    );
    assert_eq!(result_code(&handle(&agent, seed_ccr())), Some(5012));
}

#[test]
fn mandatory_blocker_and_field_filters() {
    let e = ev(r#"[
        {"path": "*cgreq.Missing", "type": "*variable", "value": "~*req.Destination-Host"},
        {"path": "*cgreq.Filtered", "type": "*constant", "value": "x", "filters": ["*string:~*req.User-Name:other"]},
        {"path": "*cgreq.Applied", "type": "*constant", "value": "y", "filters": ["*string:~*req.User-Name:diameter"]},
        {"path": "*cgreq.SkippedBlocker", "type": "*variable", "value": "~*req.Destination-Host", "blocker": true},
        {"path": "*cgreq.Stop", "type": "*constant", "value": "z", "blocker": true},
        {"path": "*cgreq.After", "type": "*constant", "value": "never"}
    ]"#);
    assert!(
        !e.contains_key("Missing"),
        "NOT_FOUND skips a non-mandatory field"
    );
    assert!(!e.contains_key("Filtered"));
    assert_eq!(e["Applied"], json!("y"));
    assert!(!e.contains_key("SkippedBlocker"));
    assert_eq!(e["Stop"], json!("z"));
    assert!(!e.contains_key("After"), "blocker stops the list");

    let agent = agent_with(
        r#"{"id": "t", "flags": ["*none"], "request_fields": [
        {"tag": "Host", "path": "*cgreq.X", "type": "*variable", "mandatory": true, "value": "~*req.Destination-Host"}],
        "reply_fields": [{"type": "*template", "value": "*cca"}]}"#,
    );
    assert_eq!(
        result_code(&handle(&agent, seed_ccr())),
        Some(5012),
        "mandatory NOT_FOUND fails the request"
    );
}

// ---- answers and processors ----------------------------------------------------------------

#[test]
fn answers_carry_only_what_rep_holds() {
    let agent = agent_with(r#"{"id": "t", "flags": ["*none"]}"#);
    let answer = handle(&agent, seed_ccr());
    assert!(
        answer.avps.is_empty(),
        "no implicit Result-Code or Session-Id"
    );
    assert!(!answer.header.flags.is_error());
    assert_eq!(answer.header.length, 20);
}

#[test]
fn reply_values_are_typed_by_the_dictionary() {
    let run = |value: &str, path: &str| {
        let agent = agent_with(&format!(
            r#"{{"id": "t", "flags": ["*none"], "reply_fields": [{{"path": "{path}", "type": "*constant", "value": "{value}"}}]}}"#
        ));
        let answer = handle(&agent, seed_ccr());
        (result_code(&answer), answer_codes(&agent, &answer))
    };
    assert_eq!(run("2", "*rep.CC-Request-Type").1, ["CC-Request-Type=2"]);
    assert_eq!(
        run("UPDATE_REQUEST", "*rep.CC-Request-Type").0,
        Some(5012),
        "enum names are refused"
    );
    assert_eq!(
        run("-10", "*rep.CC-Request-Number").0,
        Some(5012),
        "negative unsigned"
    );
    assert_eq!(
        run("300.5", "*rep.CC-Request-Number").0,
        Some(5012),
        "decimal unsigned"
    );
    assert_eq!(
        run("1704164645", "*rep.Event-Timestamp").1,
        ["Event-Timestamp=2024-01-02T03:04:05Z"]
    );
}

#[test]
fn granted_time_from_max_usage_seconds() {
    let agent = agent_with(
        r#"{"id": "t", "flags": ["*authorize", "*accounts"], "reply_fields": [
        {"path": "*rep.Granted-Service-Unit.CC-Time", "type": "*variable", "value": "~*cgrep.MaxUsage{*duration_seconds}"},
        {"path": "*rep.Result-Code", "type": "*constant", "value": "2001"}]}"#,
    );
    let answer = handle(&agent, seed_ccr());
    assert_eq!(
        answer_codes(&agent, &answer),
        [
            "Granted-Service-Unit{",
            "  CC-Time=300",
            "}",
            "Result-Code=2001"
        ]
    );
    let calls = agent.backend().calls();
    let [diameter_agent::Call::Authorize(args)] = &calls[..] else {
        panic!("{calls:?}")
    };
    assert!(args.get_max_usage);
}

#[test]
fn processors_share_rep_cgrep_and_vars_but_not_cgreq() {
    let agent = agent_from(
        r#"{"diameter_agent": {"request_processors": [
        {"id": "first", "flags": ["*message", "*accounts", "*continue"],
         "request_fields": [{"path": "*cgreq.A", "type": "*constant", "value": "1"},
                            {"path": "*vars.Seen", "type": "*constant", "value": "yes"}],
         "reply_fields": [{"path": "*rep.Result-Code", "type": "*constant", "value": "2001"}]},
        {"id": "skipped", "filters": ["*string:~*req.User-Name:nobody"], "flags": ["*cdrs"]},
        {"id": "second", "filters": ["*string:~*rep.Result-Code:2001", "*string:~*vars.Seen:yes"], "flags": ["*cdrs"],
         "request_fields": [{"path": "*cgreq.B", "type": "*constant", "value": "2"},
                            {"path": "*cgreq.Max", "type": "*variable", "value": "~*cgrep.MaxUsage"}],
         "reply_fields": [{"path": "*rep.Origin-Host", "type": "*variable", "value": "~*vars.OriginHost"}]},
        {"id": "not-reached", "flags": ["*cdrs"]}
    ]}}"#,
    );
    let answer = handle(&agent, seed_ccr());
    assert_eq!(
        answer_codes(&agent, &answer),
        ["Result-Code=2001", "Origin-Host=CGR-DA"]
    );
    let calls = agent.backend().calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        serde_json::Value::Object(calls[0].event().event.clone()),
        json!({"A": "1"})
    );
    // Fresh *cgreq, but the first processor's *cgrep is still there (a CDR call does not replace it).
    assert_eq!(
        serde_json::Value::Object(calls[1].event().event.clone()),
        json!({"B": "2", "Max": "5m0s"})
    );
}

#[test]
fn dryrun_calls_nothing_and_event_sends_its_flags() {
    let agent = agent_with(
        r#"{"id": "t", "flags": ["*dryrun", "*cdrs", "*log"], "reply_fields": [{"type": "*template", "value": "*cca"}]}"#,
    );
    assert_eq!(result_code(&handle(&agent, seed_ccr())), Some(2001));
    assert!(agent.backend().calls().is_empty());

    let agent = agent_with(
        r#"{"id": "t", "flags": ["*event", "*accounts", "*attributes:*ids:A1&A2"],
        "reply_fields": [{"path": "*rep.Result-Code", "type": "*constant", "value": "4012", "filters": ["*eq:~*cgrep.MaxUsage:0"]},
                         {"path": "*rep.Granted-Service-Unit.CC-Time", "type": "*variable", "value": "~*cgrep.MaxUsage.*default{*duration_seconds}"}]}"#,
    );
    agent.backend().set_max_usage(Some(0));
    let answer = handle(&agent, seed_ccr());
    assert_eq!(result_code(&answer), Some(4012));
    let calls = agent.backend().calls();
    let [diameter_agent::Call::Event(args)] = &calls[..] else {
        panic!("{calls:?}")
    };
    assert_eq!(
        args.flags,
        ["*accounts", "*attributes:*ids:A1&A2", "*event"]
    );
}

#[test]
fn tenant_from_rules() {
    let agent = agent_with(
        r#"{"id": "t", "tenant": "~*req.Origin-Realm", "flags": ["*cdrs"],
        "request_fields": [{"path": "*cgreq.T", "type": "*variable", "value": "~*tenant"}]}"#,
    );
    handle(&agent, seed_ccr());
    let calls = agent.backend().calls();
    assert_eq!(calls[0].event().tenant, "testrealm.local");
    assert_eq!(calls[0].event().event["T"], json!("testrealm.local"));
}
