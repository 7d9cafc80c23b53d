//! The agent: a configuration compiled against a dictionary, answering Diameter requests.

use std::net::SocketAddr;
use std::sync::Arc;

use diameter_dict::{DataType, Dictionary};
use diameter_runtime::message::{Avp, Message};
use diameter_runtime::wire::result_code::{
    DIAMETER_APPLICATION_UNSUPPORTED, DIAMETER_COMMAND_UNSUPPORTED, DIAMETER_UNABLE_TO_COMPLY,
};
use diameter_runtime::wire::{CommandFlags, Value};
use serde_json::{Map, Value as Json};

use crate::backend::Backend;
use crate::config::Config;
use crate::datum::Datum;
use crate::error::{ConfigError, ProcessError};
use crate::field::{apply_fields, compile_fields, Field, FieldDefaults};
use crate::outgoing::RequestBuilder;
use crate::processor::Processor;
use crate::reply::{append_avps, ReplyPaths};
use crate::request::{Env, Request};
use crate::time::Zone;
use crate::tree::Tree;

const RESULT_CODE: u32 = 268;
const SESSION_ID: u32 = 263;
const ORIGIN_HOST: u32 = 264;
const ORIGIN_REALM: u32 = 296;
const ERROR_MESSAGE: u32 = 281;

/// The compiled configuration.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) env: Env,
    processors: Vec<Processor>,
    err_fields: Vec<Field>,
    /// `asr_template`, when set.
    pub(crate) asr_fields: Option<Vec<Field>>,
    /// `rar_template`, when set.
    pub(crate) rar_fields: Option<Vec<Field>>,
    origin_host: Arc<str>,
    origin_realm: Arc<str>,
    product_name: Arc<str>,
    node_id: Arc<str>,
    pub(crate) default_tenant: String,
    pub(crate) zone: Zone,
    pub(crate) reply_paths: ReplyPaths,
}

/// A CGRateS-compatible Diameter agent: runs the request processors of its configuration on
/// each request and builds the answer, calling the backend `B` for charging.
///
/// ```
/// # use std::sync::Arc;
/// # use diameter_agent::{Agent, Config, MemoryBackend};
/// let config = Config::from_str("agent.json", r#"{"diameter_agent": {"request_processors": [{
///     "id": "all", "flags": ["*none"], "reply_fields": [{"type": "*template", "value": "*cca"}]}]}}"#).unwrap();
/// let dict = Arc::new(diameter_dict::Dictionary::shipped().unwrap());
/// let agent = Agent::new(&config, dict, MemoryBackend::new()).unwrap();
/// ```
#[derive(Debug)]
pub struct Agent<B> {
    plan: Arc<Plan>,
    backend: B,
}

/// Check a configuration against a dictionary: everything [`Agent::new`] would refuse.
pub fn check(config: &Config, dict: Arc<Dictionary>) -> Result<(), ConfigError> {
    compile(config, dict).map(|_| ())
}

/// Load the configuration at `path` (file or folder) with its dictionaries and check it, as
/// `diameter-agent check --config PATH` does. The configuration returned carries its warnings.
pub fn check_path(path: impl AsRef<std::path::Path>) -> Result<Config, ConfigError> {
    let config = Config::load(path)?;
    let dict = load_dictionary(&config)?;
    check(&config, Arc::new(dict))?;
    Ok(config)
}

/// The dictionary an agent configured by `config` uses: the built-in dictionaries plus
/// `dictionaries_path` (every `*.xml` under it) when set.
pub fn load_dictionary(config: &Config) -> Result<Dictionary, ConfigError> {
    let mut dict = Dictionary::shipped()
        .map_err(|e| ConfigError::new("<built-in dictionaries>", "", e.to_string()))?;
    if let Some(path) = &config.agent.dictionaries_path {
        if !path.is_dir() {
            return Err(ConfigError::new(
                path.display().to_string(),
                "diameter_agent.dictionaries_path",
                "Invalid dictionaries folder",
            ));
        }
        dict.load_path(path).map_err(|e| {
            ConfigError::new(
                path.display().to_string(),
                "diameter_agent.dictionaries_path",
                e.to_string(),
            )
        })?;
    }
    Ok(dict)
}

/// `*cfg`: the configuration with its defaults, as a tree.
fn cfg_tree(config: &Config) -> Tree {
    let g = &config.general;
    let a = &config.agent;
    let mut root: Map<String, Json> = match &config.raw {
        Json::Object(m) => m.clone(),
        _ => Map::new(),
    };
    let general = serde_json::json!({
        "node_id": g.node_id, "default_tenant": g.default_tenant, "default_timezone": g.default_timezone,
        "rounding_decimals": g.rounding_decimals, "rsr_separator": g.rsr_separator,
        "reply_timeout": g.reply_timeout, "caps": g.caps, "caps_strategy": g.caps_strategy,
    });
    let agent = serde_json::json!({
        "enabled": a.enabled, "origin_host": a.origin_host, "origin_realm": a.origin_realm,
        "vendor_id": a.vendor_id, "product_name": a.product_name,
        "concurrent_requests": a.concurrent_requests, "synced_conn_requests": a.synced_conn_requests,
        "asr_template": a.asr_template, "rar_template": a.rar_template,
        "forced_disconnect": a.forced_disconnect, "sessions_conns": a.sessions_conns,
    });
    for (section, defaults) in [("general", general), ("diameter_agent", agent)] {
        let entry = root
            .entry(section)
            .or_insert_with(|| Json::Object(Map::new()));
        if let (Json::Object(target), Json::Object(defaults)) = (entry, defaults) {
            for (k, v) in defaults {
                target.entry(k).or_insert(v);
            }
        }
    }
    root.remove("templates");
    if let Some(Json::Object(da)) = root.get_mut("diameter_agent") {
        da.remove("request_processors");
        da.remove("templates");
    }
    Tree::from_json(&root)
}

fn compile(config: &Config, dict: Arc<Dictionary>) -> Result<Plan, ConfigError> {
    let sep = config.general.rsr_separator.chars().next().unwrap_or(';');
    let env = Env::new(dict, cfg_tree(config), sep);
    let ctx = env.ctx();
    let processors = config
        .agent
        .request_processors
        .iter()
        .map(|p| Processor::compile(p, config, &ctx))
        .collect::<Result<Vec<_>, _>>()?;
    let defaults = FieldDefaults {
        rounding_decimals: config.general.rounding_decimals,
    };
    let err_fields = compile_fields(
        config.templates.get("*err").map_or(&[][..], Vec::as_slice),
        &config.templates,
        &ctx,
        &defaults,
    )?;
    let mut agent_templates = [None, None];
    for ((key, id), compiled) in [
        ("asr_template", &config.agent.asr_template),
        ("rar_template", &config.agent.rar_template),
    ]
    .into_iter()
    .zip(&mut agent_templates)
    {
        if !id.is_empty() {
            let tpl = config.templates.get(id).ok_or_else(|| {
                ConfigError::new(
                    "<configuration>",
                    format!("diameter_agent.{key}"),
                    format!("no template with id: <{id}>"),
                )
            })?;
            *compiled = Some(compile_fields(tpl, &config.templates, &ctx, &defaults)?);
        }
    }
    let [asr_fields, rar_fields] = agent_templates;
    let zone = Zone::parse(&config.general.default_timezone)
        .map_err(|e| ConfigError::new("<configuration>", "general.default_timezone", e))?;
    Ok(Plan {
        env,
        processors,
        err_fields,
        asr_fields,
        rar_fields,
        origin_host: config.agent.origin_host.as_str().into(),
        origin_realm: config.agent.origin_realm.as_str().into(),
        product_name: config.agent.product_name.as_str().into(),
        node_id: config.general.node_id.as_str().into(),
        default_tenant: config.general.default_tenant.clone(),
        zone,
        reply_paths: ReplyPaths::new(),
    })
}

/// The answer header for `request`: same command, application and identifiers, R cleared,
/// E as given, other flags (P, T) copied.
fn answer_to(request: &Message, error: bool) -> Message {
    let mut answer = Message::new(
        request.header.command_code,
        request.header.application_id,
        request.header.flags.0,
    );
    answer.header.flags.set(CommandFlags::REQUEST, false);
    answer.header.flags.set(CommandFlags::ERROR, error);
    answer.header.hop_by_hop = request.header.hop_by_hop;
    answer.header.end_to_end = request.header.end_to_end;
    answer
}

/// Set the header length once the AVPs are final.
fn finished(mut answer: Message) -> Message {
    answer.header.length = answer.encoded_len() as u32;
    answer
}

fn u32_avp(code: u32, value: u32) -> Avp {
    Avp::new(code, 0, true, &Value::Unsigned32(value))
}

fn text_avp(code: u32, text: &str, mandatory: bool) -> Avp {
    Avp::new(code, 0, mandatory, &Value::Utf8String(text.to_string()))
}

impl<B: Backend> Agent<B> {
    /// Compile `config` against `dict` (use [`load_dictionary`] for the configured one).
    pub fn new(
        config: &Config,
        dict: Arc<Dictionary>,
        backend: B,
    ) -> Result<Agent<B>, ConfigError> {
        Ok(Agent {
            plan: Arc::new(compile(config, dict)?),
            backend,
        })
    }

    /// Builds the agent-initiated requests (ASR, RAR) of this configuration.
    pub fn requests(&self) -> RequestBuilder {
        RequestBuilder::new(self.plan.clone())
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The dictionary.
    pub fn dictionary(&self) -> &Dictionary {
        &self.plan.env.dict
    }

    /// Answer a request.
    pub async fn handle(&self, request: Message) -> Message {
        self.handle_from(request, None).await
    }

    /// Answer a request received from `remote` (exposed as `~*vars.RemoteHost`).
    pub async fn handle_from(&self, request: Message, remote: Option<SocketAddr>) -> Message {
        let mut req = match self.start(&request, remote) {
            Ok(req) => req,
            Err(answer) => return answer,
        };
        let mut processed = false;
        let mut failure: Option<ProcessError> = None;
        for processor in &self.plan.processors {
            match processor
                .run(&mut req, &self.backend, &self.plan.default_tenant)
                .await
            {
                Ok(false) => {}
                Ok(true) => {
                    processed = true;
                    if !processor.continue_next {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(processor = %processor.id, "<DiameterAgent> error processing request: {e}");
                    failure = Some(e);
                    break;
                }
            }
        }
        if failure.is_some() {
            return self.err_answer(&req, DIAMETER_UNABLE_TO_COMPLY);
        }
        if !processed {
            tracing::warn!("<DiameterAgent> no request processor enabled, ignoring message");
            return self.err_answer(&req, DIAMETER_UNABLE_TO_COMPLY);
        }
        let mut answer = answer_to(&request, false);
        match append_avps(
            &self.plan.env.dict,
            &self.plan.reply_paths,
            request.header.application_id,
            &req.rep,
            self.plan.zone,
            &mut answer.avps,
        ) {
            Ok(()) => finished(answer),
            Err(e) => {
                tracing::warn!("<DiameterAgent> cannot build the answer: {e}");
                self.err_answer(&req, DIAMETER_UNABLE_TO_COMPLY)
            }
        }
    }

    /// The `*err` answer with `result_code` for `request` (e.g. 3004 when too busy).
    pub fn error_answer(
        &self,
        request: &Message,
        result_code: u32,
        remote: Option<SocketAddr>,
    ) -> Message {
        match self.start(request, remote) {
            Ok(req) => self.err_answer(&req, result_code),
            Err(answer) => answer,
        }
    }

    /// Application and command lookup, then the request state with its `*vars`; or the 3007 /
    /// 3001 answer.
    fn start<'a>(
        &'a self,
        request: &'a Message,
        remote: Option<SocketAddr>,
    ) -> Result<Request<'a>, Message> {
        start_request(&self.plan, request, remote)
            .map_err(|(code, text)| self.protocol_error(request, code, &text))
    }

    /// A bare protocol error answer: Session-Id (when the request has one), Result-Code,
    /// Origin-Host, Origin-Realm, Error-Message; E bit set.
    fn protocol_error(&self, request: &Message, code: u32, text: &str) -> Message {
        let mut answer = answer_to(request, true);
        if let Some(sid) = request.avps.iter().find(|a| a.code == SESSION_ID) {
            answer.push(sid.clone());
        }
        answer.push(u32_avp(RESULT_CODE, code));
        answer.push(Avp::new(
            ORIGIN_HOST,
            0,
            true,
            &Value::DiameterIdentity(self.plan.origin_host.to_string()),
        ));
        answer.push(Avp::new(
            ORIGIN_REALM,
            0,
            true,
            &Value::DiameterIdentity(self.plan.origin_realm.to_string()),
        ));
        answer.push(text_avp(ERROR_MESSAGE, text, false));
        finished(answer)
    }

    /// The `*err` answer: Result-Code first, then the `*err` template fields; if the template
    /// fails, a bare 5012 with the reason in Error-Message.
    fn err_answer(&self, req: &Request<'_>, code: u32) -> Message {
        let mut scratch = Request::new(req.env, req.msg, req.app_slot);
        scratch.vars = req.vars.clone();
        scratch.tenant = req.tenant.clone();
        let mut answer = answer_to(req.msg, true);
        answer.push(u32_avp(RESULT_CODE, code));
        let built = apply_fields(&self.plan.err_fields, &mut scratch, self.plan.zone)
            .map_err(|e| format!("failed to parse *err template: {e}"))
            .and_then(|()| {
                append_avps(
                    &self.plan.env.dict,
                    &self.plan.reply_paths,
                    req.msg.header.application_id,
                    &scratch.rep,
                    self.plan.zone,
                    &mut answer.avps,
                )
                .map_err(|e| format!("failed to build error answer: {e}"))
            });
        match built {
            Ok(()) => finished(answer),
            Err(reason) => {
                tracing::warn!("<DiameterAgent> {reason}");
                self.protocol_error(req.msg, DIAMETER_UNABLE_TO_COMPLY, &reason)
            }
        }
    }
}

/// Application and command lookup, then the request state with its `*vars`
/// (`OriginHost`, `OriginRealm`, `ProductName`, `*app`, `*appid`, `*cmd`, `node_id`,
/// `RemoteHost`); or the Result-Code and Error-Message of the 3007 / 3001 answer.
pub(crate) fn start_request<'a>(
    plan: &'a Plan,
    request: &'a Message,
    remote: Option<SocketAddr>,
) -> Result<Request<'a>, (u32, String)> {
    let dict = &plan.env.dict;
    let (app_id, code) = (request.header.application_id, request.header.command_code);
    let (Some(slot), Some(app)) = (plan.env.app_slot(app_id), dict.application(app_id)) else {
        return Err((
            DIAMETER_APPLICATION_UNSUPPORTED,
            "application unsupported".to_string(),
        ));
    };
    let Some(cmd) = dict.command(app_id, code) else {
        let text = format!("Could not find preloaded Command with code {code}");
        return Err((DIAMETER_COMMAND_UNSUPPORTED, text));
    };
    let mut req = Request::new(&plan.env, request, slot);
    let vars = &mut req.vars;
    vars.set(
        "OriginHost".into(),
        Datum::Str(plan.origin_host.clone()),
        false,
    );
    vars.set(
        "OriginRealm".into(),
        Datum::Str(plan.origin_realm.clone()),
        false,
    );
    vars.set(
        "ProductName".into(),
        Datum::Str(plan.product_name.clone()),
        false,
    );
    vars.set("*app".into(), Datum::from(app.name.as_str()), false);
    vars.set("*appid".into(), Datum::Uint(u64::from(app_id)), false);
    vars.set("*cmd".into(), Datum::from(format!("{}R", cmd.short)), false);
    vars.set("node_id".into(), Datum::Str(plan.node_id.clone()), false);
    if let Some(addr) = remote {
        vars.set("RemoteHost".into(), Datum::from(addr.to_string()), false);
    }
    Ok(req)
}

/// The Result-Code of an answer, if any.
pub fn result_code(answer: &Message) -> Option<u32> {
    answer
        .avps
        .iter()
        .find(|a| a.code == RESULT_CODE)
        .and_then(|a| a.value(DataType::Unsigned32).ok())
        .and_then(|v| v.as_u32())
}
