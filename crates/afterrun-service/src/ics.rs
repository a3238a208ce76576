//! A plan as an iCalendar file (RFC 5545): one event per step, each with a reminder.
//!
//! Written by hand: the subset needed is small (VCALENDAR, VEVENT, VALARM), and doing it here
//! keeps the three rules that calendar apps are strict about in plain sight: CRLF line ends,
//! lines folded at 75 octets without splitting a UTF-8 character, and TEXT values escaped.
//! Summaries and descriptions are written for the runner: the step's time in their zone
//! ([`Locale`]), the evidence as citations, never codes or reference ids; the events themselves
//! are in UTC, which every calendar shows in its own zone.
//! The file is a pure function of the plan and the locale: UIDs come from a hash of the plan's JSON and the
//! step index, DTSTAMP is the plan's `generated_at`, so the same plan gives the same bytes and
//! importing it again updates the events instead of duplicating them.

use afterrun_protocol::PlanDoc;
use afterrun_protocol::doc::StepDoc;
use afterrun_protocol::references::readable;
use jiff::{SignedDuration, Timestamp};

use crate::locale::Locale;
use crate::words::{dose_words, modality_words, regions_words};

/// Minutes before a step that its reminder fires.
pub const REMINDER_MIN: u32 = 5;

/// 64-bit FNV-1a: a small, stable hash for deterministic UIDs (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// The TEXT escapes: backslash, semicolon, comma and newline (RFC 5545 §3.3.11).
const TEXT: [(char, &str); 4] = [('\\', "\\\\"), (';', "\\;"), (',', "\\,"), ('\n', "\\n")];

/// Escapes a TEXT value (a carriage return is left out: the line break is the newline's).
fn escape(text: &str) -> String {
    crate::escape::escape_with(text, &TEXT, |c| c == '\r')
}

/// Appends one content line, folded so that no line exceeds 75 octets (continuations start
/// with a space, which counts), never splitting a UTF-8 character, each line ending in CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut budget = 75;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > budget {
            out.push_str("\r\n ");
            budget = 74;
            used = 0;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn ics_time(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A plan as an iCalendar document.
///
/// A step with a positive `duration_s` gets a DTEND; a step without one (a referral) is an
/// instant event (RFC 5545: it ends when it starts).
pub fn plan_to_ics(plan: &PlanDoc, locale: &Locale) -> String {
    // The UIDs hash the plan's JSON value (keys sorted), as they always have.
    let uid_base = fnv1a(serde_json::to_value(plan).unwrap_or_default().to_string().as_bytes());
    let stamp = plan.generated_at;
    let mut out = String::new();
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, "PRODID:-//afterrun//recovery plan//EN");
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    for (index, step) in plan.steps.iter().enumerate() {
        let summary = summary(step);
        let when = locale.when(step.start.as_second());
        let description = description(plan, step, &when);
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{uid_base:016x}-{index}@afterrun"));
        push_line(&mut out, &format!("DTSTAMP:{}", ics_time(stamp)));
        push_line(&mut out, &format!("DTSTART:{}", ics_time(step.start)));
        let duration = Some(i64::from(step.duration_s)).filter(|d| *d > 0);
        if let Some(end) =
            duration.and_then(|d| step.start.checked_add(SignedDuration::from_secs(d)).ok())
        {
            push_line(&mut out, &format!("DTEND:{}", ics_time(end)));
        }
        push_line(&mut out, &format!("SUMMARY:{}", escape(&summary)));
        push_line(&mut out, &format!("DESCRIPTION:{}", escape(&description)));
        let category = modality_words(step.modality.code());
        push_line(&mut out, &format!("CATEGORIES:{}", escape(&category)));
        push_line(&mut out, "BEGIN:VALARM");
        push_line(&mut out, "ACTION:DISPLAY");
        push_line(&mut out, &format!("TRIGGER:-PT{REMINDER_MIN}M"));
        push_line(&mut out, &format!("DESCRIPTION:{}", escape(&summary)));
        push_line(&mut out, "END:VALARM");
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

fn summary(step: &StepDoc) -> String {
    let what = modality_words(step.modality.code());
    if step.targets.is_empty() { what } else { format!("{what}: {}", regions_words(&step.targets)) }
}

fn description(plan: &PlanDoc, step: &StepDoc, when: &str) -> String {
    let mut lines: Vec<String> = vec![format!("When: {when}")];
    let dose = dose_words(&step.dose);
    if !dose.is_empty() {
        lines.push(format!("Dose: {dose}"));
    }
    lines.extend(step.instructions.iter().map(|i| format!("- {}", readable(i))));
    if !step.why.is_empty() {
        lines.push(format!("Why: {}", readable(&step.why)));
    }
    let citations: Vec<&str> = step.evidence.iter().filter_map(|id| plan.citation(id)).collect();
    if !citations.is_empty() {
        lines.push(format!("Evidence: {}", citations.join("; ")));
    }
    lines.push(format!("Triage: {}", plan.triage.level.code().replace('_', " ")));
    lines.push("Don't push through significant pain: stop and check in again.".to_owned());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_respects_75_octets_and_utf8() {
        let mut out = String::new();
        let long = format!("DESCRIPTION:{}", "é".repeat(100));
        push_line(&mut out, &long);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn the_runner_reads_local_times_and_citations_never_codes() {
        let plan = PlanDoc::from_value(&serde_json::json!({
            "generated_at": "2026-11-23T08:30:00Z",
            "triage": {"level": "see_physio"},
            "steps": [{"start": "2026-11-23T08:30:00Z", "offset_min": 0, "modality": "consult_physio",
                       "duration_s": 0, "targets": ["knee_left"], "dose": {}, "instructions": [],
                       "why": "Pain that changes how you run.", "evidence": ["nice-ng158"]}],
            "references": [{"id": "nice-ng158", "citation": "NICE NG158 (2020)"}]
        }))
        .unwrap();
        let ny = Locale::of(&afterrun_store::Profile {
            tz: Some("America/New_York".into()),
            ..afterrun_store::Profile::default()
        });
        let ics = plan_to_ics(&plan, &ny).replace("\r\n ", "");
        assert!(ics.contains("DTSTART:20261123T083000Z"), "the event stays in UTC");
        assert!(ics.contains("When: Mon 23 Nov 03:30"), "{ics}");
        assert!(ics.contains("Evidence: NICE NG158 (2020)"), "{ics}");
        assert!(!ics.contains("nice-ng158") && !ics.contains("consult_physio"), "{ics}");
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
