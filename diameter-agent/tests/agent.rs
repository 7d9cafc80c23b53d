//! End to end at `Agent::handle`: the tutorial's SMS CCR through the example configurations,
//! error answers, and the example voice and data configurations.

mod support;

use diameter_agent::{result_code, Call, Config};
use serde_json::json;
use support::*;

fn sms_agent() -> diameter_agent::Agent<diameter_agent::MemoryBackend> {
    agent_from(&example("sms.json"))
}

#[test]
fn seed_sms_ccr_produces_the_tutorial_event_and_a_2001_cca() {
    let agent = sms_agent();
    let ccr = seed_ccr();
    let cca = handle(&agent, ccr.clone());

    assert!(!cca.header.flags.is_request());
    assert!(!cca.header.flags.is_error());
    assert!(cca.header.flags.is_proxiable());
    assert_eq!(
        (cca.header.command_code, cca.header.application_id),
        (272, 4)
    );
    assert_eq!((cca.header.hop_by_hop, cca.header.end_to_end), (1, 1));
    assert_eq!(
        answer_codes(&agent, &cca),
        [
            "Session-Id=smsgw.gy;65000000;00000000;00000001",
            "Result-Code=2001",
            "Origin-Host=CGR-DA",
            "Origin-Realm=cgrates.org",
            "Auth-Application-Id=4",
            "CC-Request-Type=4",
            "CC-Request-Number=1",
        ]
    );

    // *cdrs comes before *event in the main-action order: one ProcessCDR call.
    let calls = agent.backend().calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let Call::Cdr(event) = &calls[0] else {
        panic!("{calls:?}")
    };
    assert_eq!(event.tenant, "cgrates.org");
    assert_eq!(event.id.len(), 7);
    assert_eq!(
        serde_json::Value::Object(event.event.clone()),
        json!({
            "ToR": "*sms",
            // The Session-Id.
            "OriginID": "smsgw.gy;65000000;00000000;00000001",
            "OriginHost": "CGR-DA",
            "RequestType": "*prepaid",
            "Category": "sms",
            "Account": "41780000001",
            // 41780000002: not 49/3312-prefixed, so the second Destination rule applies.
            "Destination": "+0041780000002",
            "SetupTime": "2024-01-02T03:04:05Z",
            "AnswerTime": "2024-01-02T03:04:05Z",
            // A bare number: SessionS reads it as 1 ns (units are the client's business).
            "Usage": "1",
        })
    );
    // The answer encodes and decodes.
    let bytes = cca.encode();
    assert_eq!(
        diameter_runtime::message::Message::decode(bytes).unwrap(),
        cca
    );
}

#[test]
fn backend_error_gives_5030() {
    let agent = sms_agent();
    agent.backend().set_error(Some("ACCOUNT_NOT_FOUND"));
    let cca = handle(&agent, seed_ccr());
    assert_eq!(result_code(&cca), Some(5030));
    assert!(
        !cca.header.flags.is_error(),
        "a SessionS error is not a Diameter error"
    );
    // The overwritten Result-Code moved to the end of the answer.
    assert_eq!(
        answer_codes(&agent, &cca).last().unwrap(),
        "Result-Code=5030"
    );
}

#[test]
fn max_usage_zero_gives_4012() {
    let config = example("sms.json").replace(
        r#""flags": ["*event", "*accounts", "*cdrs"]"#,
        r#""flags": ["*message", "*accounts", "*cdrs"]"#,
    );
    let agent = agent_from(&config);
    agent.backend().set_max_usage(Some(0));
    let cca = handle(&agent, seed_ccr());
    assert_eq!(result_code(&cca), Some(4012));

    let calls = agent.backend().calls();
    assert_eq!(calls.len(), 2, "ProcessMessage then ProcessCDR: {calls:?}");
    let Call::Message(args) = &calls[0] else {
        panic!("{calls:?}")
    };
    assert!(args.debit, "*accounts asks ProcessMessage to debit");
    // With Debit, the CDR carries the granted usage.
    assert_eq!(calls[1].event().event["Usage"], json!(0));

    // A reply without MaxUsage when charging was asked counts as 0.
    agent.backend().set_max_usage(None);
    assert_eq!(result_code(&handle(&agent, seed_ccr())), Some(4012));
    // A grant keeps 2001.
    agent.backend().set_max_usage(Some(1_000_000_000));
    assert_eq!(result_code(&handle(&agent, seed_ccr())), Some(2001));
}

#[test]
fn the_tutorial_text_as_written_matches_nothing_and_gets_the_err_answer() {
    // The tutorial filters on Service-Context-Id LPP; its own client sends 32274@3gpp.org.
    let config = example("sms.json").replace("32274@3gpp.org\",", "LPP\",");
    let agent = agent_from(&config);
    let answer = handle(&agent, seed_ccr());
    assert!(answer.header.flags.is_error());
    assert!(!answer.header.flags.is_request());
    assert_eq!(
        answer_codes(&agent, &answer),
        [
            "Result-Code=5012",
            "Session-Id=smsgw.gy;65000000;00000000;00000001",
            "Origin-Host=CGR-DA",
            "Origin-Realm=cgrates.org",
        ]
    );
    assert!(agent.backend().calls().is_empty());
}

#[test]
fn err_template_failure_falls_back_to_a_bare_5012() {
    let agent = sms_agent();
    let dict = dict();
    // No Session-Id: nothing matches (CC-Request-Type 1), and the *err template's mandatory
    // Session-Id field fails.
    let mut avps = ccr_base(&dict, "x", "32274@3gpp.org", 1, 0);
    avps.remove(0);
    let answer = handle(&agent, ccr(avps));
    assert!(answer.header.flags.is_error());
    let codes = answer_codes(&agent, &answer);
    assert_eq!(codes[0], "Result-Code=5012");
    assert!(
        codes.iter().any(|c| c
            .starts_with("Error-Message=failed to parse *err template: NOT_FOUND:SessionId")
            || c.starts_with("Error-Message=failed to parse *err template: NOT_FOUND:Session-Id")),
        "{codes:?}"
    );
}

#[test]
fn unknown_application_gives_3007_and_unknown_command_3001() {
    let agent = sms_agent();
    let mut msg = seed_ccr();
    msg.header.application_id = 999;
    let answer = handle(&agent, msg);
    assert!(answer.header.flags.is_error());
    let codes = answer_codes(&agent, &answer);
    assert!(codes.contains(&"Result-Code=3007".to_string()), "{codes:?}");
    assert!(
        codes.contains(&"Error-Message=application unsupported".to_string()),
        "{codes:?}"
    );

    let mut msg = seed_ccr();
    msg.header.command_code = 999;
    let answer = handle(&agent, msg);
    let codes = answer_codes(&agent, &answer);
    assert!(codes.contains(&"Result-Code=3001".to_string()), "{codes:?}");
    assert!(
        codes.contains(&"Error-Message=Could not find preloaded Command with code 999".to_string()),
        "{codes:?}"
    );
    assert!(agent.backend().calls().is_empty());
}

#[test]
fn error_answer_for_a_busy_agent() {
    let agent = sms_agent();
    let answer = agent.error_answer(&seed_ccr(), 3004, None);
    assert!(answer.header.flags.is_error());
    assert_eq!(result_code(&answer), Some(3004));
    assert_eq!(answer.header.hop_by_hop, 1);
}

#[test]
fn voice_initial_update_terminate() {
    let agent = agent_from(&example("voice.json"));
    let dict = dict();
    let session = "voice;1";
    let msc = |name: &str, secs: &str| {
        group(
            &dict,
            "Multiple-Services-Credit-Control",
            vec![group(&dict, name, vec![leaf(&dict, "CC-Time", secs)])],
        )
    };
    let subscription = group(
        &dict,
        "Subscription-Id",
        vec![
            leaf(&dict, "Subscription-Id-Type", "0"),
            leaf(&dict, "Subscription-Id-Data", "1001"),
        ],
    );
    let called = group(
        &dict,
        "Service-Information",
        vec![group(
            &dict,
            "IMS-Information",
            vec![leaf(&dict, "Called-Party-Address", "tel:+1002")],
        )],
    );

    let mut init = ccr_base(&dict, session, "32260@3gpp.org", 1, 0);
    init.extend([
        subscription.clone(),
        called.clone(),
        msc("Requested-Service-Unit", "300"),
    ]);
    let cca = handle(&agent, ccr(init));
    let codes = answer_codes(&agent, &cca);
    assert_eq!(result_code(&cca), Some(2001), "{codes:?}");
    assert!(
        codes.contains(&"  CC-Time=300".to_string()),
        "granted 5m0s as seconds: {codes:?}"
    );
    let calls = agent.backend().take_calls();
    let [Call::Initiate(args)] = &calls[..] else {
        panic!("{calls:?}")
    };
    assert!(args.init_session && args.attributes.get_attributes);
    assert_eq!(args.event.event["Usage"], json!("300s"));
    assert_eq!(args.event.event["Account"], json!("1001"));
    assert_eq!(args.event.event["Destination"], json!("1002"));
    assert_eq!(args.event.api_opts["*sessionsDebitInterval"], json!("10s"));

    let mut update = ccr_base(&dict, session, "32260@3gpp.org", 2, 1);
    update.extend([subscription.clone(), msc("Used-Service-Unit", "120")]);
    agent.backend().set_max_usage(Some(0));
    let cca = handle(&agent, ccr(update));
    assert_eq!(result_code(&cca), Some(4012));
    let calls = agent.backend().take_calls();
    let [Call::Update(args)] = &calls[..] else {
        panic!("{calls:?}")
    };
    // *cc_usage: 120s used + 5m * (1 - 1), a duration (JSON nanoseconds).
    assert_eq!(args.event.event["Usage"], json!(120_000_000_000i64));
    assert_eq!(args.event.event["LastUsed"], json!("120s"));

    let mut terminate = ccr_base(&dict, session, "32260@3gpp.org", 3, 2);
    terminate.extend([subscription, msc("Used-Service-Unit", "30")]);
    let cca = handle(&agent, ccr(terminate));
    assert_eq!(result_code(&cca), Some(2001));
    let calls = agent.backend().take_calls();
    let [Call::Terminate(args), Call::Cdr(cdr)] = &calls[..] else {
        panic!("{calls:?}")
    };
    assert!(args.terminate_session);
    // 30s + 5m * (2 - 1)
    assert_eq!(args.event.event["Usage"], json!(330_000_000_000i64));
    assert_eq!(cdr.event["OriginID"], json!(session));
}

#[test]
fn data_with_two_rating_groups() {
    let agent = agent_from(&example("data.json"));
    let dict = dict();
    let mscc = |rg: &str, octets: &str| {
        group(
            &dict,
            "Multiple-Services-Credit-Control",
            vec![
                group(
                    &dict,
                    "Requested-Service-Unit",
                    vec![leaf(&dict, "CC-Total-Octets", octets)],
                ),
                leaf(&dict, "Rating-Group", rg),
            ],
        )
    };
    let subscription = group(
        &dict,
        "Subscription-Id",
        vec![
            leaf(&dict, "Subscription-Id-Type", "1"),
            leaf(&dict, "Subscription-Id-Data", "262010000000001"),
        ],
    );
    let mut init = ccr_base(&dict, "data;1", "32251@3gpp.org", 1, 0);
    init.extend([subscription, mscc("1", "1000"), mscc("2", "2000")]);
    agent.backend().set_max_usage(Some(5000));
    let cca = handle(&agent, ccr(init));
    let codes = answer_codes(&agent, &cca);
    assert_eq!(
        codes,
        [
            "Multiple-Services-Credit-Control{",
            "  Granted-Service-Unit{",
            "  CC-Total-Octets=5000",
            "}",
            "  Rating-Group=1",
            "  Result-Code=2001",
            "}",
            "Multiple-Services-Credit-Control{",
            "  Granted-Service-Unit{",
            "  CC-Total-Octets=5000",
            "}",
            "  Rating-Group=2",
            "  Result-Code=2001",
            "}",
            "Session-Id=data;1",
            "Result-Code=2001",
            "Origin-Host=CGR-DA",
            "Origin-Realm=cgrates.org",
            "Auth-Application-Id=4",
            "CC-Request-Type=1",
            "CC-Request-Number=0",
        ]
    );
    let calls = agent.backend().take_calls();
    let [Call::Initiate(rg1), Call::Initiate(rg2)] = &calls[..] else {
        panic!("{calls:?}")
    };
    assert_eq!(rg1.event.event["OriginID"], json!("data;1_RG1"));
    assert_eq!(rg1.event.event["Usage"], json!("1000"));
    assert_eq!(rg2.event.event["OriginID"], json!("data;1_RG2"));
    assert_eq!(rg2.event.event["Usage"], json!("2000"));
    assert_eq!(rg2.event.event["Account"], json!("262010000000001"));
}

#[test]
fn examples_load_and_compile() {
    for name in ["sms.json", "voice.json", "data.json"] {
        let config = Config::from_str(name, &example(name)).unwrap();
        assert!(config.warnings.is_empty(), "{name}: {:?}", config.warnings);
        diameter_agent::check(&config, dict()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn cgrates_dictionaries_load_as_dictionaries_path() {
    let root = std::env::var("DIAMETER_REFERENCE_DICTS")
        .unwrap_or_else(|_| "/work/shared/reference-dicts".to_string());
    let path = std::path::Path::new(&root).join("cgrates");
    if !path.is_dir() {
        eprintln!(
            "skipped cgrates_dictionaries_load_as_dictionaries_path: {} not found (set DIAMETER_REFERENCE_DICTS)",
            path.display()
        );
        return;
    }
    // The whole folder, sy/ included: its Sy commands replace the shipped ones.
    let mut config = Config::from_str("sms.json", &example("sms.json")).unwrap();
    config.agent.dictionaries_path = Some(path.clone());
    let dict = diameter_agent::load_dictionary(&config).unwrap();
    assert!(dict
        .command(16777302, 8388635)
        .unwrap()
        .location
        .source
        .contains("diameter_sy.xml"));
    let agent = diameter_agent::Agent::new(
        &config,
        std::sync::Arc::new(dict),
        diameter_agent::MemoryBackend::new(),
    )
    .unwrap();
    let cca = handle(&agent, seed_ccr());
    assert_eq!(result_code(&cca), Some(2001));
    assert_eq!(cdr_event(&agent)["Destination"], json!("+0041780000002"));
}

#[test]
fn check_path_validates_the_example_folder_and_reports_errors() {
    let dir = format!("{}/../examples/agent/sms.json", env!("CARGO_MANIFEST_DIR"));
    let config = diameter_agent::check_path(&dir).unwrap();
    assert_eq!(config.agent.request_processors.len(), 1);

    let bad = std::env::temp_dir().join(format!("agent-check-{}.json", std::process::id()));
    std::fs::write(
        &bad,
        r#"{"diameter_agent": {"request_processors": [{"id": "x", "flags": ["*none"],
            "request_fields": [{"path": "*cgreq.A", "type": "*contant", "value": "1"}]}]}}"#,
    )
    .unwrap();
    let err = diameter_agent::check_path(&bad).unwrap_err();
    assert_eq!(err.file, bad.display().to_string());
    assert_eq!(
        err.path,
        "diameter_agent.request_processors[0].request_fields[0].type"
    );
    assert_eq!(err.reason, "unsupported type: <*contant>");
    std::fs::remove_file(bad).unwrap();
}

#[test]
fn missing_dictionaries_path_is_refused() {
    let mut config = Config::default();
    config.agent.dictionaries_path = Some("/nonexistent/dict".into());
    let err = diameter_agent::load_dictionary(&config).unwrap_err();
    assert!(err.reason.contains("Invalid dictionaries folder"), "{err}");
}

#[test]
fn the_handle_future_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let agent = sms_agent();
    let fut = agent.handle(seed_ccr());
    assert_send(&fut);
    assert_eq!(result_code(&block_on(fut)), Some(2001));
}
