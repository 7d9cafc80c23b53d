//! Request processors compiled once: filters, flags, field lists and the backend call they
//! make (§2 `processRequest` and §3 of the spec).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::backend::{
    Attributes, AuthorizeArgs, Backend, BackendError, CgrEvent, EventArgs, EventReply,
    InitiateArgs, MessageArgs, Paginator, Routes, SessionReply, Subsystems, TerminateArgs,
    UpdateArgs,
};
use crate::config::{Config, ProcessorConfig};
use crate::datum::Datum;
use crate::dpath::CompileCtx;
use crate::error::{ConfigError, ProcessError};
use crate::field::{apply_fields, compile_fields, Field, FieldDefaults};
use crate::filter::{all_pass, Filter};
use crate::flags::{Action, Flags};
use crate::request::Request;
use crate::rsr::Rules;
use crate::time::{Timestamp, Zone};
use crate::tree::Tree;

/// The backend call of a processor, with its options set from the flags.
#[derive(Debug, Clone)]
enum Call {
    None,
    Authorize(AuthorizeArgs),
    Initiate(InitiateArgs),
    Update(UpdateArgs),
    Terminate(TerminateArgs),
    Message(MessageArgs),
    Event(EventArgs),
}

/// One compiled request processor.
#[derive(Debug)]
pub struct Processor {
    /// `id`.
    pub id: String,
    filters: Vec<Filter>,
    tenant: Option<Rules>,
    zone: Zone,
    action: Action,
    call: Call,
    /// `*continue`: go on with the next processor after this one.
    pub continue_next: bool,
    log: bool,
    cdrs: bool,
    request_fields: Vec<Field>,
    reply_fields: Vec<Field>,
}

fn ids(flags: &Flags, name: &str) -> Option<Vec<String>> {
    flags.values(name, "*ids")
}

fn call_for(action: Action, f: &Flags) -> Call {
    let attributes = || Attributes {
        get_attributes: f.get_bool("*attributes"),
        attribute_ids: ids(f, "*attributes"),
    };
    let subsystems = || Subsystems {
        force_duration: f.get_bool("*fd"),
        process_thresholds: f.get_bool("*thresholds"),
        process_stats: f.get_bool("*stats"),
        threshold_ids: ids(f, "*thresholds"),
        stat_ids: ids(f, "*stats"),
    };
    let routes = || Routes {
        get_routes: f.get_bool("*routes"),
        routes_max_cost: if f.has("*routes_event_cost") {
            "*event_cost".to_string()
        } else {
            f.param("*routes_maxcost").unwrap_or_default().to_string()
        },
        routes_ignore_errors: f.get_bool("*routes_ignore_errors"),
    };
    match action {
        Action::Authorize => Call::Authorize(AuthorizeArgs {
            authorize_ip: f.get_bool("*ips"),
            authorize_resources: f.get_bool("*resources"),
            get_max_usage: f.get_bool("*accounts"),
            attributes: attributes(),
            subsystems: subsystems(),
            routes: routes(),
            ..AuthorizeArgs::default()
        }),
        Action::Initiate => Call::Initiate(InitiateArgs {
            allocate_ip: f.get_bool("*ips"),
            allocate_resources: f.get_bool("*resources"),
            init_session: f.get_bool("*accounts"),
            attributes: attributes(),
            subsystems: subsystems(),
            ..InitiateArgs::default()
        }),
        Action::Update => Call::Update(UpdateArgs {
            update_session: f.get_bool("*accounts"),
            attributes: attributes(),
            subsystems: subsystems(),
            ..UpdateArgs::default()
        }),
        Action::Terminate => Call::Terminate(TerminateArgs {
            terminate_session: f.get_bool("*accounts"),
            release_ip: f.get_bool("*ips"),
            release_resources: f.get_bool("*resources"),
            subsystems: subsystems(),
            ..TerminateArgs::default()
        }),
        Action::Message => Call::Message(MessageArgs {
            allocate_ip: f.get_bool("*ips"),
            allocate_resources: f.get_bool("*resources"),
            debit: f.get_bool("*accounts"),
            attributes: attributes(),
            subsystems: subsystems(),
            routes: routes(),
            ..MessageArgs::default()
        }),
        Action::Event => Call::Event(EventArgs {
            flags: f.to_strings(),
            ..EventArgs::default()
        }),
        Action::DryRun | Action::Cdrs | Action::None => Call::None,
    }
}

impl Processor {
    /// Compile one processor.
    pub fn compile(
        p: &ProcessorConfig,
        config: &Config,
        ctx: &CompileCtx,
    ) -> Result<Processor, ConfigError> {
        let flags = Flags::parse(&p.flags);
        let action = flags.action().ok_or_else(|| {
            p.origin.error(
                "flags",
                "unknown request type: <>: one of *dryrun, *authorize (*auth), *initiate, *update, \
                 *terminate, *message, *cdrs, *event or *none is needed",
            )
        })?;
        for unsupported in ["*daStats", "*daThresholds"] {
            if flags.has(unsupported) {
                return Err(p
                    .origin
                    .error("flags", format!("flag {unsupported} is not supported")));
            }
        }
        let filters = p
            .filters
            .iter()
            .enumerate()
            .map(|(i, f)| {
                Filter::compile(f, ctx).map_err(|e| p.origin.error(&format!("filters[{i}]"), e))
            })
            .collect::<Result<_, _>>()?;
        let tenant = if p.tenant.is_empty() {
            None
        } else {
            Some(Rules::compile(&p.tenant, ctx).map_err(|e| p.origin.error("tenant", e))?)
        };
        let zone_name = if p.timezone.is_empty() {
            &config.general.default_timezone
        } else {
            &p.timezone
        };
        let zone = Zone::parse(zone_name).map_err(|e| p.origin.error("timezone", e))?;
        let defaults = FieldDefaults {
            rounding_decimals: config.general.rounding_decimals,
        };
        Ok(Processor {
            id: p.id.clone(),
            filters,
            tenant,
            zone,
            action,
            call: call_for(action, &flags),
            continue_next: flags.has("*continue"),
            log: flags.has("*log"),
            cdrs: flags.get_bool("*cdrs"),
            request_fields: compile_fields(&p.request_fields, &config.templates, ctx, &defaults)?,
            reply_fields: compile_fields(&p.reply_fields, &config.templates, ctx, &defaults)?,
        })
    }

    /// Run on `req`: `Ok(false)` when the filters do not pass, `Ok(true)` once processed.
    pub async fn run<B: Backend>(
        &self,
        req: &mut Request<'_>,
        backend: &B,
        default_tenant: &str,
    ) -> Result<bool, ProcessError> {
        req.cgreq.clear();
        req.diamreq.clear();
        req.tenant = match &self.tenant {
            Some(rules) => {
                let t = req.eval_text(rules).unwrap_or_default();
                if t.is_empty() {
                    default_tenant.into()
                } else {
                    t.into()
                }
            }
            None => default_tenant.into(),
        };
        if !all_pass(&self.filters, req).map_err(ProcessError::Other)? {
            return Ok(false);
        }
        apply_fields(&self.request_fields, req, self.zone)?;
        let mut event = CgrEvent {
            tenant: req.tenant.to_string(),
            id: event_id(),
            time: Some(Timestamp::now().rfc3339_nano()),
            event: req.cgreq.to_json(),
            api_opts: req.opts.to_json(),
        };
        if self.log || self.action == Action::DryRun {
            let label = if self.action == Action::DryRun {
                "DRY_RUN"
            } else {
                "LOG"
            };
            tracing::info!(
                processor = %self.id,
                "<DiameterAgent> {label}, processorID: {}, diameter message:\n{}\nCGREvent: {}",
                self.id,
                diameter_runtime::message::dump(&req.env.dict, req.msg),
                serde_json::to_string(&event).unwrap_or_default()
            );
        }
        let paginator = || paginator(&req.opts);
        match &self.call {
            Call::None => {}
            Call::Authorize(template) => {
                let mut args = template.clone();
                args.event = self.event_for_call(&mut event);
                args.paginator = paginator();
                let asked = args.get_max_usage;
                req.cgrep = session_tree(backend.authorize(args).await, asked);
            }
            Call::Initiate(template) => {
                let mut args = template.clone();
                args.event = self.event_for_call(&mut event);
                let asked = args.init_session;
                req.cgrep = session_tree(backend.initiate(args).await, asked);
            }
            Call::Update(template) => {
                let mut args = template.clone();
                args.event = self.event_for_call(&mut event);
                let asked = args.update_session;
                req.cgrep = session_tree(backend.update(args).await, asked);
            }
            Call::Terminate(template) => {
                let mut args = template.clone();
                args.event = self.event_for_call(&mut event);
                req.cgrep = error_tree(backend.terminate(args).await.err());
            }
            Call::Message(template) => {
                let mut args = template.clone();
                args.event = self.event_for_call(&mut event);
                args.paginator = paginator();
                let debit = args.debit;
                let reply = backend.message(args).await;
                match &reply {
                    Err(e) if e.0.starts_with("RALS_ERROR") => {
                        event.event.insert("Usage".to_string(), Value::from(0));
                    }
                    Ok(r) if debit => {
                        event
                            .event
                            .insert("Usage".to_string(), Value::from(r.max_usage.unwrap_or(0)));
                    }
                    _ => {}
                }
                req.cgrep = session_tree(reply, debit);
            }
            Call::Event(template) => {
                let mut args = template.clone();
                args.event = self.event_for_call(&mut event);
                args.paginator = paginator();
                let asked = template.flags.iter().any(|f| f == "*accounts");
                let rals_usage = template.flags.iter().any(|f| {
                    f.starts_with("*rals:")
                        && ["*authorize", "*initiate", "*update"]
                            .iter()
                            .any(|a| f.contains(a))
                });
                let reply = backend.event(args).await;
                match &reply {
                    Err(e) if e.0.starts_with("RALS_ERROR") => {
                        event.event.insert("Usage".to_string(), Value::from(0));
                    }
                    Ok(r) if rals_usage => {
                        if let Some(usage) = r.max_usage.as_ref().and_then(main_run) {
                            event.event.insert("Usage".to_string(), Value::from(usage));
                        }
                    }
                    _ => {}
                }
                req.cgrep = event_tree(reply, asked);
            }
        }
        if self.cdrs && self.action != Action::DryRun {
            if let Err(e) = backend.cdr(event).await {
                req.cgrep.set("Error".into(), Datum::from(e.0), false);
            }
        }
        apply_fields(&self.reply_fields, req, self.zone)?;
        if self.log || self.action == Action::DryRun {
            tracing::info!(
                processor = %self.id,
                "<DiameterAgent> {}, processorID: {}, reply: {}",
                if self.action == Action::DryRun { "DRY_RUN" } else { "LOG" },
                self.id,
                serde_json::Value::Object(req.rep.to_json())
            );
        }
        Ok(true)
    }
}

impl Processor {
    /// The event for the main call: a copy when the CDR call needs it afterwards.
    fn event_for_call(&self, event: &mut CgrEvent) -> CgrEvent {
        if self.cdrs && self.action != Action::DryRun {
            event.clone()
        } else {
            std::mem::take(event)
        }
    }
}

/// A random 7-hex-digit event id, as CGRateS makes them.
fn event_id() -> String {
    format!("{:07x}", crate::converter::random_u64() & 0x0fff_ffff)
}

fn paginator(opts: &Tree) -> Paginator {
    let int = |key: &str| opts.values(key).last().and_then(|v| v.as_i64().ok());
    Paginator {
        limit: int("*routesLimit"),
        offset: int("*routesOffset"),
        max_items: int("*routesMaxItems"),
    }
}

/// The value of the `*raw` run, else of the first run.
fn main_run<T: Copy>(by_run: &BTreeMap<String, T>) -> Option<T> {
    by_run
        .get("*raw")
        .or_else(|| by_run.values().next())
        .copied()
}

fn error_tree(error: Option<BackendError>) -> Tree {
    let mut tree = Tree::new();
    tree.set(
        "Error".into(),
        Datum::from(error.map(|e| e.0).unwrap_or_default()),
        false,
    );
    tree
}

fn push_attributes(tree: &mut Tree, prefix: &str, attrs: &crate::backend::AttributesReply) {
    for field in &attrs.altered_fields {
        let name = field.strip_prefix("*req.").unwrap_or(field);
        if let Some(v) = attrs.event.event.get(name) {
            tree.set(
                format!("{prefix}.{name}").into(),
                Datum::from_json(v),
                false,
            );
        }
    }
}

/// The `*cgrep` tree of a session reply; `asked`: MaxUsage was requested (missing -> 0).
fn session_tree(reply: Result<SessionReply, BackendError>, asked: bool) -> Tree {
    let reply = match reply {
        Ok(r) => r,
        Err(e) => return error_tree(Some(e)),
    };
    let mut tree = Tree::new();
    match reply.max_usage {
        Some(ns) => tree.set("MaxUsage".into(), Datum::Duration(ns), false),
        None if asked => tree.set("MaxUsage".into(), Datum::Int(0), false),
        None => {}
    }
    if let Some(attrs) = &reply.attributes {
        push_attributes(&mut tree, "Attributes", attrs);
    }
    if let Some(ra) = reply.resource_allocation {
        tree.set("ResourceAllocation".into(), Datum::from(ra), false);
    }
    if let Some(ip) = reply.allocated_ip {
        if let Ok(Value::Object(map)) = serde_json::to_value(ip) {
            tree.extend_json("AllocatedIP", &map);
        }
    }
    if let Some(routes) = reply.route_profiles {
        push_json(&mut tree, "RouteProfiles", &routes);
    }
    for id in reply.threshold_ids.unwrap_or_default() {
        tree.append("Thresholds".into(), Datum::from(id), false);
    }
    for id in reply.stat_queue_ids.unwrap_or_default() {
        tree.append("StatQueues".into(), Datum::from(id), false);
    }
    tree.set("Error".into(), Datum::from(""), false);
    tree
}

fn push_json(tree: &mut Tree, key: &str, value: &Value) {
    let mut wrapper = serde_json::Map::new();
    wrapper.insert(key.to_string(), value.clone());
    tree.extend_json("", &wrapper);
}

/// The `*cgrep` tree of a ProcessEvent reply: maps by run id; `MaxUsage` itself also holds
/// the `*raw` (or first) run's value, as v0.10 replies had a single MaxUsage.
fn event_tree(reply: Result<EventReply, BackendError>, asked: bool) -> Tree {
    let reply = match reply {
        Ok(r) => r,
        Err(e) => return error_tree(Some(e)),
    };
    let mut tree = Tree::new();
    match &reply.max_usage {
        Some(by_run) if !by_run.is_empty() => {
            for (run, ns) in by_run {
                tree.set(
                    format!("MaxUsage.{run}").into(),
                    Datum::Duration(*ns),
                    false,
                );
            }
            if let Some(ns) = main_run(by_run) {
                tree.set("MaxUsage".into(), Datum::Duration(ns), false);
            }
        }
        _ if asked => tree.set("MaxUsage".into(), Datum::Int(0), false),
        _ => {}
    }
    for (run, cost) in reply.cost.iter().flatten() {
        tree.set(format!("Cost.{run}").into(), Datum::Float(*cost), false);
    }
    for (run, ra) in reply.resource_allocation.iter().flatten() {
        tree.set(
            format!("ResourceAllocation.{run}").into(),
            Datum::from(ra.as_str()),
            false,
        );
    }
    for (run, attrs) in reply.attributes.iter().flatten() {
        push_attributes(&mut tree, &format!("Attributes.{run}"), attrs);
    }
    for (run, ip) in reply.allocated_ip.iter().flatten() {
        if let Ok(Value::Object(map)) = serde_json::to_value(ip) {
            tree.extend_json(&format!("AllocatedIP.{run}"), &map);
        }
    }
    if let Some(routes) = &reply.route_profiles {
        push_json(&mut tree, "RouteProfiles", routes);
    }
    for (run, ids) in reply.threshold_ids.iter().flatten() {
        for id in ids {
            tree.append(
                format!("Thresholds.{run}").into(),
                Datum::from(id.as_str()),
                false,
            );
        }
    }
    for (run, ids) in reply.stat_queue_ids.iter().flatten() {
        for id in ids {
            tree.append(
                format!("StatQueues.{run}").into(),
                Datum::from(id.as_str()),
                false,
            );
        }
    }
    for (run, id) in reply.stir_identity.iter().flatten() {
        tree.set(
            format!("STIRIdentity.{run}").into(),
            Datum::from(id.as_str()),
            false,
        );
    }
    tree.set("Error".into(), Datum::from(""), false);
    tree
}
