use super::*;

fn cfg(text: &str) -> Config {
    Config::from_str("a.json", text).unwrap()
}

fn err(text: &str) -> ConfigError {
    Config::from_str("a.json", text).unwrap_err()
}

#[test]
fn defaults() {
    let c = cfg("{}");
    assert_eq!(c.general.default_tenant, "cgrates.org");
    assert_eq!(c.general.rounding_decimals, 5);
    assert_eq!(
        c.agent.listeners,
        [Listener {
            address: "127.0.0.1:3868".into(),
            network: "tcp".into()
        }]
    );
    assert_eq!(c.agent.sessions_conns, ["*birpc_internal"]);
    assert_eq!(c.agent.origin_host, "CGR-DA");
    assert_eq!(c.agent.product_name, "CGRateS");
    assert_eq!(c.agent.concurrent_requests, -1);
    assert_eq!(c.agent.forced_disconnect, "*none");
    assert_eq!(c.concurrency_limit(), None);
    for id in ["*err", "*cca", "*asr", "*rar"] {
        assert!(c.templates.contains_key(id), "{id}");
    }
    assert_eq!(c.templates["*cca"].len(), 7);
    assert_eq!(c.templates["*rar"].len(), 7);
}

#[test]
fn v010_and_current_spellings() {
    let c = cfg(
        r#"{"diameter_agent": {"listen": "0.0.0.0:3869", "listen_net": "sctp", "concurrent_requests": 10}}"#,
    );
    assert_eq!(
        c.agent.listeners,
        [Listener {
            address: "0.0.0.0:3869".into(),
            network: "sctp".into()
        }]
    );
    assert_eq!(c.concurrency_limit(), Some(10));
    let c = cfg(
        r#"{"general": {"caps": 3}, "diameter_agent": {"listeners": [{"address": "", "network": ""}, {"address": "10.0.0.1:3868"}]}}"#,
    );
    assert_eq!(
        c.agent.listeners[0],
        Listener {
            address: ":3868".into(),
            network: "tcp".into()
        }
    );
    assert_eq!(c.agent.listeners[1].address, "10.0.0.1:3868");
    assert_eq!(c.concurrency_limit(), Some(3));
    // Templates in the section (v0.10) and at the top (current).
    let c = cfg(
        r#"{"diameter_agent": {"templates": {"a": [{"path": "*cgreq.A", "type": "*constant", "value": "1"}]}},
                    "templates": {"b": [{"path": "*cgreq.B", "type": "*constant", "value": "2"}]}}"#,
    );
    assert!(c.templates.contains_key("a") && c.templates.contains_key("b"));
    assert_eq!(c.templates["a"][0].tag, "*cgreq.A", "tag defaults to path");
}

#[test]
fn comments_trailing_commas_and_env() {
    std::env::set_var("DIAMETER_AGENT_CFG_TEST_REALM", "env.example");
    let c = cfg("{\n// c\n\"diameter_agent\": {\"origin_realm\": \"*env:DIAMETER_AGENT_CFG_TEST_REALM\", /* x */},\n}");
    assert_eq!(c.agent.origin_realm, "env.example");
}

#[test]
fn errors_name_file_path_and_reason() {
    let e = err(
        r#"{"diameter_agent": {"request_processors": [{"id": "p", "request_fields": [{"path": "*cgreq.A", "mandatory": "yes"}]}]}}"#,
    );
    assert_eq!(e.file, "a.json");
    assert_eq!(
        e.path,
        "diameter_agent.request_processors[0].request_fields[0].mandatory"
    );
    assert!(e.reason.contains("true or false"), "{e}");
    let e = err("{\n\"general\": {\"caps\": }\n}");
    assert!(e.path.starts_with("line 2 column "), "{e}");
    let e = err(r#"{"diameter_agent": {"listeners": [{"network": "udp"}]}}"#);
    assert_eq!(e.path, "diameter_agent.listeners[0].network");
    let e = err(r#"{"diameter_agent": {"forced_disconnect": "*kill"}}"#);
    assert!(e.reason.contains("Unsupported request type"), "{e}");
    let e = err(r#"{"diameter_agent": {"asr_template": "*nope"}}"#);
    assert!(e.reason.contains("no template with id: <*nope>"), "{e}");
    let e = err(r#"{"general": {"default_timezone": "Mars/Olympus"}}"#);
    assert_eq!(e.path, "general.default_timezone");
    let e = err(
        r#"{"diameter_agent": {"request_processors": [{"request_fields": [{"strip": "*middle"}]}]}}"#,
    );
    assert_eq!(
        e.path,
        "diameter_agent.request_processors[0].request_fields[0].strip"
    );
    assert_eq!(e.to_string(), format!("a.json: {}: {}", e.path, e.reason));
}

#[test]
fn unknown_keys_are_warnings() {
    let c = cfg(
        r#"{"diameter_agent": {"origin_hots": "x", "request_processors": [{"id": "p", "flagz": []}]}}"#,
    );
    assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
    assert!(c.warnings[0].contains("diameter_agent.origin_hots"));
}

#[test]
fn folder_files_merge_in_order() {
    let first = r#"{"diameter_agent": {"origin_host": "one", "product_name": "P",
        "request_processors": [
          {"id": "A", "flags": ["*none"], "filters": ["*string:~*vars.*cmd:CCR"]},
          {"id": "B", "flags": ["*none"]}]},
        "templates": {"t": [{"path": "*cgreq.X", "type": "*constant", "value": "1"}]}}"#;
    let second = r#"{"diameter_agent": {"origin_host": "two",
        "request_processors": [{"id": "A", "flags": ["*event"]}, {"id": "C", "flags": ["*none"]}]},
        "templates": {"t": [{"path": "*cgreq.Y", "type": "*constant", "value": "2"}]}}"#;
    let c = Config::from_sources([("1.json", first), ("2.json", second)]).unwrap();
    assert_eq!(c.agent.origin_host, "two");
    assert_eq!(c.agent.product_name, "P");
    let ids: Vec<&str> = c
        .agent
        .request_processors
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(ids, ["A", "B", "C"], "same id merged, not duplicated");
    let a = &c.agent.request_processors[0];
    assert_eq!(a.flags, ["*event"], "later file overrides the keys it sets");
    assert_eq!(
        a.filters,
        ["*string:~*vars.*cmd:CCR"],
        "and keeps the others"
    );
    assert_eq!(c.templates["t"][0].path, "*cgreq.Y");

    // Errors name the file that set the item.
    let bad = r#"{"diameter_agent": {"request_processors": [{"id": "B", "flags": "*none"}]}}"#;
    let e = Config::from_sources([("1.json", first), ("2.json", bad)]).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.path.as_str()),
        ("2.json", "diameter_agent.request_processors[1].flags")
    );
}

#[test]
fn load_reads_files_and_folders() {
    let dir = std::env::temp_dir().join(format!("agent-config-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        dir.join("a.json"),
        r#"{"diameter_agent": {"origin_host": "a"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("sub/b.json"),
        r#"{"diameter_agent": {"origin_realm": "b"}}"#,
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let c = Config::load(&dir).unwrap();
    assert_eq!(
        (c.agent.origin_host.as_str(), c.agent.origin_realm.as_str()),
        ("a", "b")
    );
    let c = Config::load(dir.join("a.json")).unwrap();
    assert_eq!(c.agent.origin_realm, "cgrates.org");
    let e = Config::load(dir.join("missing.json")).unwrap_err();
    assert!(e.reason.contains("cannot read"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rpc_conns_defaults_are_cgrates_ones() {
    let c = cfg("{}");
    let local = &c.rpc_conns["*localhost"];
    assert_eq!(local.strategy, Strategy::First);
    assert_eq!(
        (local.conns[0].address.as_str(), local.conns[0].transport),
        ("127.0.0.1:2012", Transport::Json)
    );
    let bijson = &c.rpc_conns["*bijson_localhost"];
    assert_eq!(
        (bijson.conns[0].address.as_str(), bijson.conns[0].transport),
        ("127.0.0.1:2014", Transport::BirpcJson)
    );
    assert_eq!(c.general.reply_timeout, "2s");
    assert_eq!(c.general.connect_timeout, "1s");
    assert_eq!((c.general.connect_attempts, c.general.reconnects), (5, -1));
    // The built-in ones may be named without being declared.
    let c = cfg(r#"{"diameter_agent": {"sessions_conns": ["*bijson_localhost", "*localhost"]}}"#);
    assert_eq!(c.agent.sessions_conns.len(), 2);
}

#[test]
fn rpc_conns_entries_are_read() {
    let c = cfg(
        r#"{"general": {"reply_timeout": "500ms", "reconnects": 3, "max_reconnect_interval": "5s"},
            "rpc_conns": {"engines": {"strategy": "*next", "poolSize": 0, "conns": [
                {"address": "10.0.0.1:2014", "transport": "*birpc_json", "id": "a"},
                {"address": "engine.example:2012", "reply_timeout": 1000000,
                 "connect_attempts": 2, "reconnects": -1, "connect_timeout": "3s"}]}},
            "diameter_agent": {"sessions_conns": ["engines"]}}"#,
    );
    assert_eq!(c.general.reply_timeout, "500ms");
    assert_eq!(c.general.reconnects, 3);
    let e = &c.rpc_conns["engines"];
    assert_eq!(e.strategy, Strategy::Next);
    assert_eq!(e.origin.path, "rpc_conns.engines");
    assert_eq!(
        e.conns[0],
        RemoteHost {
            id: "a".into(),
            address: "10.0.0.1:2014".into(),
            transport: Transport::BirpcJson,
            connect_attempts: None,
            reconnects: None,
            connect_timeout: None,
            reply_timeout: None,
            max_reconnect_interval: None,
        }
    );
    let second = &e.conns[1];
    assert_eq!(
        second.transport,
        Transport::Json,
        "empty transport is *json"
    );
    assert_eq!(second.reply_timeout.as_deref(), Some("1000000"));
    assert_eq!(
        (second.connect_attempts, second.reconnects),
        (Some(2), Some(-1))
    );
    assert_eq!(second.connect_timeout.as_deref(), Some("3s"));
    for name in [
        "*first",
        "*next",
        "*random",
        "*first_positive",
        "*broadcast",
    ] {
        assert_eq!(Strategy::parse(name).unwrap().as_str(), name);
    }
}

#[test]
fn bad_rpc_conns_are_refused_with_their_path() {
    let conn = |entry: &str| {
        err(&format!(
            r#"{{"rpc_conns": {{"c": {entry}}}, "diameter_agent": {{"sessions_conns": ["c"]}}}}"#
        ))
    };
    let e = conn(r#"{"conns": [{"address": "127.0.0.1"}]}"#);
    assert_eq!(
        (e.file.as_str(), e.path.as_str()),
        ("a.json", "rpc_conns.c.conns[0].address")
    );
    assert!(e.reason.contains("expected host:port"), "{e}");
    let e = conn(r#"{"conns": [{"address": "127.0.0.1:99999"}]}"#);
    assert_eq!(e.path, "rpc_conns.c.conns[0].address");
    let e = conn(r#"{"conns": [{"address": "127.0.0.1:2013", "transport": "*gob"}]}"#);
    assert_eq!(e.path, "rpc_conns.c.conns[0].transport");
    assert!(e.reason.contains("unsupported transport <*gob>"), "{e}");
    let e = conn(r#"{"strategy": "*roundrobin", "conns": [{"address": "h:1"}]}"#);
    assert_eq!(e.path, "rpc_conns.c.strategy");
    assert!(e.reason.contains("unknown strategy <*roundrobin>"), "{e}");
    let e = conn(r#"{"conns": []}"#);
    assert_eq!(e.path, "rpc_conns.c");
    let e = conn(r#"{"conns": [{"address": "h:1", "tls": true}]}"#);
    assert_eq!(e.path, "rpc_conns.c.conns[0].tls");
    let e = conn(r#"{"conns": [{"address": "h:1", "reply_timeout": "soon"}]}"#);
    assert_eq!(e.path, "rpc_conns.c.conns[0].reply_timeout");
    let e = conn(r#"{"conns": [{"address": "h:1", "reconnects": -2}]}"#);
    assert_eq!(e.path, "rpc_conns.c.conns[0].reconnects");
    let e = conn(r#"{"conns": [{"address": "*internal"}]}"#);
    assert!(e.reason.contains("sessions_conns"), "{e}");

    let e = err(r#"{"rpc_conns": {"*internal": {"conns": [{"address": "h:1"}]}}}"#);
    assert_eq!(e.path, "rpc_conns.*internal");
    let e = err(r#"{"general": {"reply_timeout": "0s"}}"#);
    assert_eq!(e.path, "general.reply_timeout");
    let e = err(r#"{"general": {"connect_timeout": "1x"}}"#);
    assert_eq!(e.path, "general.connect_timeout");
    let e = err(r#"{"general": {"connect_attempts": 0}}"#);
    assert_eq!(e.path, "general.connect_attempts");
}

#[test]
fn sessions_conns_must_name_known_connections_of_one_kind() {
    let e = err(r#"{"diameter_agent": {"sessions_conns": ["*internal", "nope"]}}"#);
    assert_eq!(
        (e.file.as_str(), e.path.as_str()),
        ("a.json", "diameter_agent.sessions_conns[1]")
    );
    assert!(
        e.reason.contains("no connection <nope> in rpc_conns"),
        "{e}"
    );
    let e = err(r#"{"diameter_agent": {"sessions_conns": ["*localhost", "*internal"]}}"#);
    assert_eq!(e.path, "diameter_agent.sessions_conns[1]");
    assert!(e.reason.contains("cannot be mixed"), "{e}");

    // A connection defined in one file and named in another; errors name the file at fault.
    let conns = r#"{"rpc_conns": {"e": {"conns": [{"address": "h:2012"}]}}}"#;
    let agent = r#"{"diameter_agent": {"sessions_conns": ["e"]}}"#;
    let c = Config::from_sources([("1.json", conns), ("2.json", agent)]).unwrap();
    assert_eq!(c.rpc_conns["e"].conns[0].address, "h:2012");
    let bad = r#"{"rpc_conns": {"e": {"conns": [{"address": "h"}]}}}"#;
    let e =
        Config::from_sources([("1.json", conns), ("2.json", agent), ("3.json", bad)]).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.path.as_str()),
        ("3.json", "rpc_conns.e.conns[0].address")
    );
}
