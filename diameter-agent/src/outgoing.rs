//! Agent-initiated requests (spec §8): an Abort-Session-Request from `asr_template` or a
//! Re-Auth-Request from `rar_template`, built against the cached client request the session
//! began with. The template fields read that request as `~*req` (so the default `*asr`
//! swaps its origin and destination) and `~*vars` as the request had them, and write
//! `*diamreq`, which becomes the AVPs of the new request.
//!
//! CGRateS sends its ASR with the command code of the cached request (a CCR goes out as a
//! request with code 272 holding the ASR's AVPs). This agent sends a proper ASR, command
//! 274, so that clients recognise it; the Application-Id is the cached request's, as in
//! CGRateS. The RAR is command 258 with the cached request's Application-Id, as in CGRateS.

use std::net::SocketAddr;
use std::sync::Arc;

use diameter_runtime::message::Message;
use diameter_runtime::wire::CommandFlags;

use crate::agent::{start_request, Plan};
use crate::field::apply_fields;
use crate::reply::append_avps;

/// Abort-Session command code.
pub const ABORT_SESSION: u32 = 274;
/// Re-Auth command code.
pub const RE_AUTH: u32 = 258;

/// Which agent-initiated request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outgoing {
    /// Abort-Session-Request from `asr_template`.
    Asr,
    /// Re-Auth-Request from `rar_template`.
    Rar,
}

impl Outgoing {
    /// The command code sent.
    pub fn command_code(self) -> u32 {
        match self {
            Outgoing::Asr => ABORT_SESSION,
            Outgoing::Rar => RE_AUTH,
        }
    }

    /// The configuration key naming its template.
    pub fn template_key(self) -> &'static str {
        match self {
            Outgoing::Asr => "asr_template",
            Outgoing::Rar => "rar_template",
        }
    }

    /// CGRateS' cache key prefix (`*asr`, `*rar`).
    pub fn cache_prefix(self) -> &'static str {
        match self {
            Outgoing::Asr => "*asr",
            Outgoing::Rar => "*rar",
        }
    }
}

/// Builds the agent-initiated requests of a configuration (it holds the compiled templates,
/// not the backend). Obtained from [`Agent::requests`](crate::Agent::requests).
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    plan: Arc<Plan>,
}

impl RequestBuilder {
    pub(crate) fn new(plan: Arc<Plan>) -> RequestBuilder {
        RequestBuilder { plan }
    }

    /// Whether the template of `kind` is configured.
    pub fn enabled(&self, kind: Outgoing) -> bool {
        self.fields(kind).is_some()
    }

    fn fields(&self, kind: Outgoing) -> Option<&[crate::field::Field]> {
        match kind {
            Outgoing::Asr => self.plan.asr_fields.as_deref(),
            Outgoing::Rar => self.plan.rar_fields.as_deref(),
        }
    }

    /// The `kind` request for the session `cached` (the client request kept for it, received
    /// from `remote`). Hop-by-Hop and End-to-End identifiers are left 0 for the node to set.
    /// Errors: template not configured, a field failing (a mandatory value missing), an AVP
    /// the dictionary does not know or a value it cannot hold.
    pub fn build(
        &self,
        kind: Outgoing,
        cached: &Message,
        remote: Option<SocketAddr>,
    ) -> Result<Message, String> {
        let fields = self
            .fields(kind)
            .ok_or_else(|| format!("{} is not configured", kind.template_key()))?;
        let plan = &*self.plan;
        let mut req = start_request(plan, cached, remote).map_err(|(_, text)| text)?;
        req.tenant = plan.default_tenant.as_str().into();
        apply_fields(fields, &mut req, plan.zone).map_err(|e| e.to_string())?;
        let app_id = cached.header.application_id;
        let mut msg = Message::new(
            kind.command_code(),
            app_id,
            CommandFlags::REQUEST | CommandFlags::PROXIABLE,
        );
        append_avps(
            &plan.env.dict,
            &plan.reply_paths,
            app_id,
            &req.diamreq,
            plan.zone,
            &mut msg.avps,
        )?;
        msg.header.length = msg.encoded_len() as u32;
        Ok(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Agent, Config, MemoryBackend};
    use diameter_runtime::message::Avp;
    use diameter_runtime::wire::Value;

    fn agent(agent_section: &str) -> Agent<MemoryBackend> {
        let config = Config::from_str(
            "t.json",
            &format!(r#"{{"diameter_agent": {{{agent_section}}}}}"#),
        )
        .unwrap();
        let dict = Arc::new(diameter_dict::Dictionary::shipped().unwrap());
        Agent::new(&config, dict, MemoryBackend::new()).unwrap()
    }

    fn identity(code: u32, text: &str) -> Avp {
        Avp::new(code, 0, true, &Value::DiameterIdentity(text.into()))
    }

    /// A CCR from `client.example` (realm `example`) to `CGR-DA` in `cgrates.org`.
    fn ccr() -> Message {
        let mut m = Message::new(272, 4, CommandFlags::REQUEST | CommandFlags::PROXIABLE);
        m.avps = vec![
            Avp::new(263, 0, true, &Value::Utf8String("s1;1".into())),
            identity(264, "client.example"),
            identity(296, "example"),
            identity(293, "CGR-DA"),
            identity(283, "cgrates.org"),
            Avp::new(258, 0, true, &Value::Unsigned32(4)),
        ];
        Message::decode(m.encode()).unwrap()
    }

    fn text(msg: &Message, code: u32) -> String {
        let avp = msg.avps.iter().find(|a| a.code == code).unwrap();
        String::from_utf8(avp.data().to_vec()).unwrap()
    }

    #[test]
    fn default_asr_swaps_origin_and_destination() {
        let agent = agent(r#""asr_template": "*asr""#);
        let builder = agent.requests();
        assert!(builder.enabled(Outgoing::Asr));
        assert!(!builder.enabled(Outgoing::Rar));
        let asr = builder.build(Outgoing::Asr, &ccr(), None).unwrap();
        assert_eq!(asr.header.command_code, 274);
        assert_eq!(asr.header.application_id, 4);
        assert!(asr.is_request());
        assert_eq!(text(&asr, 263), "s1;1");
        assert_eq!(text(&asr, 264), "CGR-DA");
        assert_eq!(text(&asr, 296), "cgrates.org");
        assert_eq!(text(&asr, 293), "client.example");
        assert_eq!(text(&asr, 283), "example");
        let app = asr.avps.iter().find(|a| a.code == 258).unwrap();
        assert_eq!(app.data().as_ref(), 4u32.to_be_bytes());
        // Through the wire unchanged.
        assert_eq!(Message::decode(asr.encode()).unwrap().avps, asr.avps);
    }

    #[test]
    fn default_rar_adds_re_auth_request_type() {
        let agent = agent(r#""rar_template": "*rar""#);
        let rar = agent.requests().build(Outgoing::Rar, &ccr(), None).unwrap();
        assert_eq!(rar.header.command_code, 258);
        assert_eq!(rar.avps.len(), 7);
        let kind = rar.avps.iter().find(|a| a.code == 285).unwrap();
        assert_eq!(kind.data().as_ref(), 0u32.to_be_bytes());
    }

    #[test]
    fn missing_mandatory_value_and_missing_template_are_errors() {
        let agent = agent(r#""asr_template": "*asr""#);
        let mut ccr = ccr();
        ccr.avps.retain(|a| a.code != 293);
        let e = agent
            .requests()
            .build(Outgoing::Asr, &ccr, None)
            .unwrap_err();
        assert!(e.contains("Origin-Host"), "{e}");
        let e = agent
            .requests()
            .build(Outgoing::Rar, &ccr, None)
            .unwrap_err();
        assert_eq!(e, "rar_template is not configured");
    }
}
