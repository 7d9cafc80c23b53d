//! `diameter bench`: time decode, path reads and re-encode of a message, in-process.

use std::time::Instant;

use anyhow::{bail, Context};
use diameter::dict::Dictionary;
use diameter::message::{Message, Path};

use crate::input::{message_bytes, split_messages};

/// Decode the first message of `input`, read `paths`, re-encode; `iterations` times.
pub fn run(
    dict: &Dictionary,
    input: &[u8],
    paths: &[String],
    iterations: u64,
) -> anyhow::Result<()> {
    let frame = split_messages(&message_bytes(input)?)?.remove(0);
    let first = Message::decode(frame.clone()).context("decoding the message")?;
    let app = first.header.application_id;
    let paths = paths
        .iter()
        .map(|p| Path::compile(dict, app, p))
        .collect::<Result<Vec<_>, _>>()?;
    for path in &paths {
        if first.get(path).is_none() {
            bail!("path `{}` is not in the message", path.as_str());
        }
    }
    let start = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..iterations {
        let msg = Message::decode(frame.clone())?;
        for path in &paths {
            if let Some(avp) = msg.get(path) {
                std::hint::black_box(avp.value(path.data_type()).ok());
            }
        }
        bytes += msg.encode().len();
    }
    let elapsed = start.elapsed();
    let ns = elapsed.as_nanos() as f64 / iterations.max(1) as f64;
    println!(
        "decode+read{}+encode: {ns:.0} ns/message, {:.0} messages/s ({iterations} iterations, {bytes} bytes re-encoded)",
        paths.len(),
        1e9 / ns
    );
    Ok(())
}
