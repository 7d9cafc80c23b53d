//! Go `net/rpc/jsonrpc` framing: JSON objects written one after another on a TCP stream.
//!
//! A request is `{"method":"Service.Method","params":[ARG],"id":N}`, a response
//! `{"id":N,"result":REPLY,"error":null}` or `{"id":N,"result":null,"error":"TEXT"}`. On a
//! bidirectional (`*birpc_json`) link both ends send requests: a frame with a `method` is a
//! request, any other frame a response. Go's encoder ends each object with a newline; the
//! reader accepts any whitespace (or none) between objects.

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Frames larger than this are refused (the connection is then closed).
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// One decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A call from the other end.
    Request {
        /// `Service.Method`.
        method: String,
        /// The argument: the only element of `params` (`null` when it is empty).
        params: Value,
        /// The request id, echoed in the response as it came.
        id: Value,
    },
    /// The answer to one of our calls.
    Response {
        /// The id of our request (`None` when it is not an unsigned integer).
        id: Option<u64>,
        /// The reply, or the error text.
        outcome: Result<Value, String>,
    },
}

/// The bytes of a request (newline-terminated, as Go writes it).
pub fn encode_request(method: &str, params: &Value, id: u64) -> Vec<u8> {
    line(&json!({"method": method, "params": [params], "id": id}))
}

/// The bytes of the response to request `id`.
pub fn encode_response(id: &Value, outcome: &Result<Value, String>) -> Vec<u8> {
    let frame = match outcome {
        Ok(result) => json!({"id": id, "result": result, "error": null}),
        Err(error) => json!({"id": id, "result": null, "error": error}),
    };
    line(&frame)
}

fn line(frame: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(frame).expect("a JSON value serialises");
    bytes.push(b'\n');
    bytes
}

/// Classify one JSON object as a request or a response.
pub fn parse_frame(value: Value) -> Result<Frame, String> {
    let Value::Object(mut map) = value else {
        return Err(format!("expected a JSON object, found {value}"));
    };
    let id = map.remove("id").unwrap_or(Value::Null);
    match map.remove("method") {
        Some(Value::String(method)) => {
            let params = match map.remove("params") {
                Some(Value::Array(mut items)) if !items.is_empty() => items.swap_remove(0),
                Some(Value::Array(_)) | None => Value::Null,
                Some(other) => other,
            };
            Ok(Frame::Request { method, params, id })
        }
        Some(other) => Err(format!("method must be a string, found {other}")),
        None => {
            let outcome = match map.remove("error") {
                None | Some(Value::Null) => Ok(map.remove("result").unwrap_or(Value::Null)),
                Some(Value::String(text)) if text.is_empty() => Err("unspecified error".into()),
                Some(Value::String(text)) => Err(text),
                Some(other) => Err(format!("invalid error {other}")),
            };
            Ok(Frame::Response {
                id: id.as_u64(),
                outcome,
            })
        }
    }
}

/// Reads frames from a byte stream.
#[derive(Debug)]
pub struct FrameReader<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// A reader over `inner`.
    pub fn new(inner: R) -> Self {
        FrameReader {
            inner,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// The next frame; `Ok(None)` when the stream ends between frames.
    pub async fn next(&mut self) -> std::io::Result<Option<Frame>> {
        loop {
            if let Some(frame) = self.take_frame()? {
                return Ok(Some(frame));
            }
            if self.buf.len() > MAX_FRAME {
                return Err(invalid(format!("frame larger than {MAX_FRAME} bytes")));
            }
            if self.inner.read_buf(&mut self.buf).await? == 0 {
                return if self.buf.iter().all(u8::is_ascii_whitespace) {
                    Ok(None)
                } else {
                    Err(std::io::ErrorKind::UnexpectedEof.into())
                };
            }
        }
    }

    /// A complete frame at the start of the buffer, removed from it.
    fn take_frame(&mut self) -> std::io::Result<Option<Frame>> {
        let start = self
            .buf
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(self.buf.len());
        self.buf.drain(..start);
        match self.buf.first() {
            None => return Ok(None),
            Some(b'{') => {}
            Some(_) => return Err(invalid("a frame must be a JSON object".into())),
        }
        let mut values = serde_json::Deserializer::from_slice(&self.buf).into_iter::<Value>();
        match values.next() {
            Some(Ok(value)) => {
                let end = values.byte_offset();
                self.buf.drain(..end);
                parse_frame(value).map(Some).map_err(invalid)
            }
            Some(Err(e)) if e.is_eof() => Ok(None),
            Some(Err(e)) => Err(invalid(format!("invalid JSON: {e}"))),
            None => Ok(None),
        }
    }
}

fn invalid(reason: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> Vec<std::io::Result<Option<Frame>>> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut reader = FrameReader::new(bytes);
            let mut out = Vec::new();
            loop {
                let next = reader.next().await;
                let stop = !matches!(next, Ok(Some(_)));
                out.push(next);
                if stop {
                    return out;
                }
            }
        })
    }

    #[test]
    fn request_has_go_shape() {
        let bytes = encode_request("SessionSv1.ProcessCDR", &json!({"Tenant": "t"}), 7);
        assert_eq!(bytes.last(), Some(&b'\n'));
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            v,
            json!({"method": "SessionSv1.ProcessCDR", "params": [{"Tenant": "t"}], "id": 7})
        );
    }

    #[test]
    fn responses_and_requests_are_told_apart() {
        let stream = br#"{"id":1,"result":"OK","error":null}
{"id":2,"result":null,"error":"NOT_FOUND"}{"method":"AgentV1.DisconnectSession","params":[{"ID":"x"}],"id":0}
  {"id":3,"result":{"MaxUsage":5},"error":null}"#;
        let frames: Vec<Frame> = read_all(stream)
            .into_iter()
            .filter_map(|f| f.unwrap())
            .collect();
        assert_eq!(
            frames,
            [
                Frame::Response {
                    id: Some(1),
                    outcome: Ok(json!("OK"))
                },
                Frame::Response {
                    id: Some(2),
                    outcome: Err("NOT_FOUND".into())
                },
                Frame::Request {
                    method: "AgentV1.DisconnectSession".into(),
                    params: json!({"ID": "x"}),
                    id: json!(0)
                },
                Frame::Response {
                    id: Some(3),
                    outcome: Ok(json!({"MaxUsage": 5}))
                },
            ]
        );
    }

    #[test]
    fn odd_errors_follow_go() {
        let frame = parse_frame(json!({"id": 1, "result": null, "error": ""})).unwrap();
        assert_eq!(
            frame,
            Frame::Response {
                id: Some(1),
                outcome: Err("unspecified error".into())
            }
        );
        let frame = parse_frame(json!({"id": 1, "error": {"code": 5}})).unwrap();
        assert_eq!(
            frame,
            Frame::Response {
                id: Some(1),
                outcome: Err(r#"invalid error {"code":5}"#.into())
            }
        );
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let out = read_all(b"[1,2]");
        assert_eq!(
            out[0].as_ref().unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
        let out = read_all(br#"{"id":1,"res"#);
        assert_eq!(
            out[0].as_ref().unwrap_err().kind(),
            std::io::ErrorKind::UnexpectedEof
        );
        let out = read_all(b"  \n");
        assert!(matches!(out[0], Ok(None)));
    }

    proptest::proptest! {
        #[test]
        fn responses_round_trip(id in proptest::prelude::any::<u64>(), text in ".*", ok in proptest::prelude::any::<bool>()) {
            let outcome = if ok { Ok(json!({"Text": text.clone()})) } else if text.is_empty() { Ok(Value::Null) } else { Err(text.clone()) };
            let mut bytes = encode_response(&json!(id), &outcome);
            bytes.extend(encode_response(&json!(id), &outcome));
            let frames = read_all(&bytes);
            let expected = Frame::Response { id: Some(id), outcome };
            proptest::prop_assert_eq!(frames[0].as_ref().unwrap().as_ref().unwrap(), &expected);
            proptest::prop_assert_eq!(frames[1].as_ref().unwrap().as_ref().unwrap(), &expected);
        }
    }
}
