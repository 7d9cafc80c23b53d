//! `diameter dump` and `diameter encode`.

use anyhow::Context;
use diameter::dict::Dictionary;
use diameter::message::{dump as dump_text, from_json, to_json, Message};

use crate::input::{message_bytes, split_messages};

/// Print each message in the input as the text dump or as JSON.
pub fn dump(dict: &Dictionary, input: &[u8], json: bool) -> anyhow::Result<()> {
    let frames = split_messages(&message_bytes(input)?)?;
    let mut docs = Vec::new();
    for (i, frame) in frames.into_iter().enumerate() {
        let msg = Message::decode(frame).with_context(|| format!("message {}", i + 1))?;
        if json {
            docs.push(to_json(dict, &msg));
        } else {
            print!("{}", dump_text(dict, &msg));
        }
    }
    if json {
        let out = match docs.len() {
            1 => docs.remove(0),
            _ => serde_json::Value::Array(docs),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}

/// Turn the JSON form (one message or an array) into hex, one message per line.
pub fn encode(dict: &Dictionary, input: &[u8]) -> anyhow::Result<()> {
    let doc: serde_json::Value = serde_json::from_slice(input).context("input is not JSON")?;
    let docs = match doc {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    for (i, doc) in docs.iter().enumerate() {
        let msg = from_json(dict, doc).with_context(|| format!("message {}", i + 1))?;
        println!("{}", diameter::hex::encode(&msg.encode()));
    }
    Ok(())
}
