//! Helpers for the agent tests: building requests, running an agent, reading answers.
#![allow(dead_code)]

use std::sync::Arc;

use diameter_agent::reply::text_to_value;
use diameter_agent::time::Zone;
use diameter_agent::{Agent, Call, Config, MemoryBackend};
use diameter_dict::{DataType, Dictionary};
use diameter_runtime::message::{Avp, Message};
use diameter_runtime::wire::CommandFlags;
use serde_json::{Map, Value};

pub fn dict() -> Arc<Dictionary> {
    static DICT: std::sync::OnceLock<Arc<Dictionary>> = std::sync::OnceLock::new();
    DICT.get_or_init(|| Arc::new(Dictionary::shipped().unwrap()))
        .clone()
}

/// The python-diameter SMS CCR of the tutorial.
pub fn seed_ccr() -> Message {
    let hex = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/seed_ccr.hex"
    ));
    Message::decode(diameter_runtime::hex::decode(hex).unwrap().into()).unwrap()
}

pub fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../examples/agent/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A leaf AVP from text, typed by the dictionary (application 4).
pub fn leaf(dict: &Dictionary, name: &str, text: &str) -> Avp {
    let def = dict
        .avp_by_name(4, name)
        .unwrap_or_else(|| panic!("no AVP {name}"));
    Avp::new(
        def.code,
        def.vendor_id,
        true,
        &text_to_value(def.data_type, text, Zone::UTC).unwrap(),
    )
}

/// A grouped AVP.
pub fn group(dict: &Dictionary, name: &str, children: Vec<Avp>) -> Avp {
    let def = dict.avp_by_name(4, name).unwrap();
    assert_eq!(def.data_type, DataType::Grouped);
    Avp::group(def, children)
}

/// A CCR (application 4) with the usual header and `avps`.
pub fn ccr(avps: Vec<Avp>) -> Message {
    let mut m = Message::new(272, 4, CommandFlags::REQUEST | CommandFlags::PROXIABLE);
    m.header.hop_by_hop = 7;
    m.header.end_to_end = 9;
    m.avps = avps;
    // Through the wire, as the server hands requests over.
    Message::decode(m.encode()).unwrap()
}

/// Session-Id, Origin-Host/Realm, Auth-Application-Id, Service-Context-Id, CC-Request-Type/Number.
pub fn ccr_base(
    dict: &Dictionary,
    session: &str,
    context: &str,
    req_type: u32,
    req_nr: u32,
) -> Vec<Avp> {
    vec![
        leaf(dict, "Session-Id", session),
        leaf(dict, "Origin-Host", "client.example"),
        leaf(dict, "Origin-Realm", "example"),
        leaf(dict, "Destination-Realm", "cgrates.org"),
        leaf(dict, "Auth-Application-Id", "4"),
        leaf(dict, "Service-Context-Id", context),
        leaf(dict, "CC-Request-Type", &req_type.to_string()),
        leaf(dict, "CC-Request-Number", &req_nr.to_string()),
        leaf(dict, "Event-Timestamp", "2024-01-02T03:04:05Z"),
    ]
}

pub fn agent_from(json: &str) -> Agent<MemoryBackend> {
    let config = Config::from_str("test.json", json).unwrap();
    Agent::new(&config, dict(), MemoryBackend::new()).unwrap()
}

/// An agent with one processor (given as JSON object text).
pub fn agent_with(processor: &str) -> Agent<MemoryBackend> {
    agent_from(&format!(
        r#"{{"diameter_agent": {{"request_processors": [{processor}]}}}}"#
    ))
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

pub fn handle(agent: &Agent<MemoryBackend>, msg: Message) -> Message {
    block_on(agent.handle(msg))
}

/// The Event of the only ProcessCDR call.
pub fn cdr_event(agent: &Agent<MemoryBackend>) -> Map<String, Value> {
    let calls = agent.backend().take_calls();
    let cdrs: Vec<_> = calls.iter().filter(|c| matches!(c, Call::Cdr(_))).collect();
    assert_eq!(cdrs.len(), 1, "calls: {calls:?}");
    cdrs[0].event().event.clone()
}

/// Run request fields (JSON list text) on `msg` and return the event they build (through a
/// `*cdrs` processor).
pub fn cgreq(fields: &str, msg: Message) -> Map<String, Value> {
    let agent = agent_with(&format!(
        r#"{{"id": "t", "flags": ["*cdrs"], "request_fields": {fields}}}"#
    ));
    let answer = handle(&agent, msg);
    assert!(
        !answer.header.flags.is_error(),
        "error answer: {:?}",
        answer_codes(&agent, &answer)
    );
    cdr_event(&agent)
}

/// `(name, text)` of the top-level AVPs of an answer (grouped ones as `name{...}`).
pub fn answer_codes(agent: &Agent<MemoryBackend>, answer: &Message) -> Vec<String> {
    fn render(dict: &Dictionary, avps: &[Avp], out: &mut Vec<String>, prefix: &str) {
        for a in avps {
            let def = dict.avp(4, a.code, a.vendor_id).unwrap();
            let name = format!("{prefix}{}", def.name);
            if def.data_type == DataType::Grouped {
                let kids: Vec<Avp> = a.children().map(Result::unwrap).collect();
                out.push(format!("{name}{{"));
                render(dict, &kids, out, "  ");
                out.push("}".to_string());
            } else {
                let v = diameter_agent::request::avp_datum(a, def.data_type);
                out.push(format!("{name}={}", v.text()));
            }
        }
    }
    let mut out = Vec::new();
    render(agent.dictionary(), &answer.avps, &mut out, "");
    out
}
