//! The `AgentV1` service the agent offers on bidirectional links: the engine's
//! DisconnectSession, AlterSession and DisconnectPeer calls go to the [`SessionControl`] of
//! the running server (spec §8); the answer is `"OK"` or the error text.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::connection::{Service, ServiceFuture};
use crate::backend::BackendError;
use crate::control::{ControlSlot, DisconnectPeerArgs, SessionControl};

/// The service name the engine calls.
pub const SERVICE: &str = "AgentV1";

/// The reply to calls that succeed.
const OK: &str = "OK";

/// The answer while no server has filled the slot.
pub const NOT_SERVING: &str = "SERVER_ERROR: the Diameter agent is not serving yet";

/// `AgentV1` over a [`ControlSlot`].
#[derive(Debug, Clone)]
pub struct AgentV1 {
    control: ControlSlot,
}

impl AgentV1 {
    /// Dispatch to the control the slot holds (or will hold).
    pub fn new(control: ControlSlot) -> AgentV1 {
        AgentV1 { control }
    }
}

impl Service for AgentV1 {
    fn call(&self, method: String, params: Value) -> ServiceFuture {
        let control = self.control.clone();
        Box::pin(async move { dispatch(&control, &method, params).await })
    }
}

async fn dispatch(slot: &ControlSlot, method: &str, params: Value) -> Result<Value, String> {
    let Some((service, name)) = method.split_once('.') else {
        return Err(format!("rpc: service/method request ill-formed: {method}"));
    };
    if service != SERVICE {
        return Err(format!("rpc: can't find service {method}"));
    }
    let outcome = match name {
        "DisconnectSession" => {
            let event = decode(method, params)?;
            control(slot)?.disconnect_session(event).await
        }
        "AlterSession" => {
            let event = decode(method, params)?;
            control(slot)?.alter_session(event).await
        }
        "DisconnectPeer" => {
            let args: DisconnectPeerArgs = decode(method, params)?;
            control(slot)?.disconnect_peer(args).await
        }
        "GetActiveSessionIDs" | "WarnDisconnect" | "SpendingStatusNotification" => {
            return Err("NOT_IMPLEMENTED".into())
        }
        _ => return Err(format!("rpc: can't find method {method}")),
    };
    outcome
        .map(|()| Value::from(OK))
        .map_err(|BackendError(text)| text)
}

fn control(slot: &ControlSlot) -> Result<&dyn SessionControl, String> {
    slot.get().map(|c| &**c).ok_or_else(|| NOT_SERVING.into())
}

fn decode<T: DeserializeOwned>(method: &str, params: Value) -> Result<T, String> {
    serde_json::from_value(params)
        .map_err(|e| format!("SERVER_ERROR: cannot decode the arguments of {method}: {e}"))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::json;

    use super::*;
    use crate::backend::CgrEvent;
    use crate::control::ControlFuture;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl SessionControl for Recorder {
        fn disconnect_session(&self, event: CgrEvent) -> ControlFuture<'_> {
            self.0
                .lock()
                .unwrap()
                .push(format!("disconnect {}", event.id));
            Box::pin(async { Ok(()) })
        }
        fn alter_session(&self, _: CgrEvent) -> ControlFuture<'_> {
            Box::pin(async { Err(BackendError("TIMED_OUT".into())) })
        }
        fn disconnect_peer(&self, args: DisconnectPeerArgs) -> ControlFuture<'_> {
            self.0
                .lock()
                .unwrap()
                .push(format!("dpr {}", args.origin_host));
            Box::pin(async { Ok(()) })
        }
    }

    fn call(slot: &ControlSlot, method: &str, params: Value) -> Result<Value, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(AgentV1::new(slot.clone()).call(method.into(), params))
    }

    fn event() -> Value {
        json!({"Tenant": "cgrates.org", "ID": "e1", "Event": {"OriginID": "s1"}})
    }

    #[test]
    fn calls_reach_the_control_in_the_slot() {
        let slot = ControlSlot::new();
        assert_eq!(
            call(&slot, "AgentV1.DisconnectSession", event()),
            Err(NOT_SERVING.into())
        );
        let recorder = Arc::new(Recorder::default());
        slot.set(recorder.clone());
        assert_eq!(
            call(&slot, "AgentV1.DisconnectSession", event()),
            Ok(json!("OK"))
        );
        assert_eq!(
            call(&slot, "AgentV1.AlterSession", event()),
            Err("TIMED_OUT".into())
        );
        assert_eq!(
            call(
                &slot,
                "AgentV1.DisconnectPeer",
                json!({"OriginHost": "h", "OriginRealm": "r", "DisconnectCause": 0})
            ),
            Ok(json!("OK"))
        );
        assert_eq!(*recorder.0.lock().unwrap(), ["disconnect e1", "dpr h"]);
    }

    #[test]
    fn other_methods_answer_like_cgrates() {
        let slot = ControlSlot::new();
        for method in ["AgentV1.GetActiveSessionIDs", "AgentV1.WarnDisconnect"] {
            assert_eq!(
                call(&slot, method, Value::Null),
                Err("NOT_IMPLEMENTED".into())
            );
        }
        assert_eq!(
            call(&slot, "AgentV1.Nope", Value::Null),
            Err("rpc: can't find method AgentV1.Nope".into())
        );
        assert_eq!(
            call(&slot, "SMGClientV1.DisconnectSession", Value::Null),
            Err("rpc: can't find service SMGClientV1.DisconnectSession".into())
        );
        let bad = call(&slot, "AgentV1.DisconnectSession", json!("x")).unwrap_err();
        assert!(bad.starts_with("SERVER_ERROR: cannot decode"), "{bad}");
    }
}
