//! Reading the tool's input: a file or standard input, as hex text or raw binary.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};
use bytes::Bytes;
use diameter::wire::{frame_length, Limits};

/// The whole input: `None` or `-` is standard input.
pub fn read(file: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    match file {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).with_context(|| format!("reading {}", p.display()))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("reading standard input")?;
            Ok(buf)
        }
    }
}

/// Raw message bytes: the input itself when binary, decoded when it is hex text.
///
/// Binary input starts with the version byte 1, which is not a printable character.
pub fn message_bytes(input: &[u8]) -> anyhow::Result<Vec<u8>> {
    if input.first() == Some(&1) {
        return Ok(input.to_vec());
    }
    let text =
        std::str::from_utf8(input).context("input is neither binary Diameter nor hex text")?;
    diameter::hex::decode(text).map_err(|e| anyhow::anyhow!("bad hex input: {e}"))
}

/// Split a stream of messages at the lengths their headers give.
pub fn split_messages(bytes: &[u8]) -> anyhow::Result<Vec<Bytes>> {
    let limits = Limits {
        max_message_size: 1 << 24,
        ..Limits::default()
    };
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        let len = match frame_length(rest, &limits) {
            Ok(Some(len)) => len,
            Ok(None) => bail!(
                "message at byte {offset}: only {} bytes, a header needs 20",
                rest.len()
            ),
            Err(e) => bail!("message at byte {offset}: {e}"),
        };
        if len > rest.len() {
            bail!(
                "message at byte {offset}: header says {len} bytes, only {} present",
                rest.len()
            );
        }
        out.push(Bytes::copy_from_slice(&rest[..len]));
        rest = &rest[len..];
    }
    if out.is_empty() {
        bail!("no message in the input");
    }
    Ok(out)
}
