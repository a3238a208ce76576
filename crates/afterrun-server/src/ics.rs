//! A plan's steps as an iCalendar file (RFC 5545): one VEVENT per step with a VALARM reminder.
//!
//! Written from the plan JSON (the contract), so the web download and the CLI's `--ics` describe
//! the same steps. The file is a pure function of the plan: UIDs hash the plan and the step
//! index, DTSTAMP is the plan's `generated_at`. Calendar apps are strict about three things,
//! kept here: CRLF line ends, lines folded at 75 octets without splitting a character, and TEXT
//! values escaped.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::views::{modality_words, region_words};

/// Minutes before a step that its reminder fires.
const REMINDER_MIN: u32 = 5;

/// `20261123T083000Z`.
fn ics_time(ts: Timestamp) -> String {
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded at 75 octets on character boundaries, ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// FNV-1a, 64 bits: a stable hash for UIDs (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn parse_time(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

/// The calendar of a plan (its JSON text), or `None` when the plan's times are unreadable.
pub fn plan_to_ics(plan_json: &str) -> Option<String> {
    let plan: Value = serde_json::from_str(plan_json).ok()?;
    let stamp = parse_time(&plan["generated_at"])?;
    let hash = fnv1a(plan_json.as_bytes());
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//afterrun//recovery plan//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    for (i, step) in plan["steps"].as_array().into_iter().flatten().enumerate() {
        let start = parse_time(&step["start"])?;
        let seconds = step["duration_s"].as_i64().unwrap_or(0).max(60);
        let end = start.checked_add(SignedDuration::from_secs(seconds)).ok()?;
        let modality = step["modality"].as_str().unwrap_or("");
        let targets: Vec<String> = step["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(region_words)
            .collect();
        let mut summary = modality_words(modality).to_owned();
        if !targets.is_empty() {
            summary.push_str(&format!(" ({})", targets.join(", ")));
        }
        let mut description: Vec<String> = step["instructions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|s| format!("- {s}"))
            .collect();
        if let Some(why) = step["why"].as_str().filter(|w| !w.is_empty()) {
            description.push(format!("Why: {why}"));
        }
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{hash:016x}-{i}@afterrun"));
        line(&mut out, &format!("DTSTAMP:{}", ics_time(stamp)));
        line(&mut out, &format!("DTSTART:{}", ics_time(start)));
        line(&mut out, &format!("DTEND:{}", ics_time(end)));
        line(&mut out, &format!("SUMMARY:{}", escape(&summary)));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&description.join("\n"))));
        line(&mut out, "BEGIN:VALARM");
        line(&mut out, "ACTION:DISPLAY");
        line(&mut out, &format!("DESCRIPTION:{}", escape(&summary)));
        line(&mut out, &format!("TRIGGER:-PT{REMINDER_MIN}M"));
        line(&mut out, "END:VALARM");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        line(&mut out, &"é".repeat(60));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), "é".repeat(60));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
