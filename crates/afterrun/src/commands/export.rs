//! `afterrun export`: everything stored about an athlete as one JSON document (their data is
//! theirs): profile, activities with their summaries and load, check-ins, plans with completed
//! steps, outcomes. With `--originals`, each activity also carries its original file (base64),
//! so the export alone is enough to rebuild the store.

use std::process::ExitCode;

use serde_json::Value;

use crate::db::{DbArgs, store_error};

/// Arguments of `afterrun export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,

    /// Include each activity's original file, base64-encoded (`original_base64`)
    #[arg(long)]
    originals: bool,
}

/// Runs `afterrun export`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (session, _) = args.db.open_existing()?;
    let export =
        session.block_on(session.store.export(args.db.athlete.trim())).map_err(store_error)?;
    let mut doc = serde_json::to_value(&export)?;
    if args.originals {
        // Each activity as the export writes it, read from the typed rows, plus its file.
        let mut activities = Vec::with_capacity(export.activities.len());
        for row in &export.activities {
            let mut activity = serde_json::to_value(row)?;
            let original = session.block_on(session.store.original(row.id)).map_err(store_error)?;
            if let (Some(original), Value::Object(map)) = (original, &mut activity) {
                let bytes = original.decompress().map_err(store_error)?;
                map.insert("original_base64".into(), Value::String(base64(&bytes)));
            }
            activities.push(activity);
        }
        doc["activities"] = Value::Array(activities);
    }
    session.close();
    let text = serde_json::to_string(&doc)?;
    super::print(&format!("{text}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
