//! A plan as a runner reads it: the verdict first, then a timed checklist.
//!
//! The verdict is worded by level so that the red-flag levels say plainly what to do now; the
//! engine's own reason texts and advice follow it. Every step shows its clock time in the
//! runner's zone and its offset, what to do, how long, on which muscles, the dose in words, why,
//! and its evidence as numbers `[1]` that the references at the end resolve (codes and reference
//! ids are for `--json`).

use std::fmt::Write as _;

use afterrun_protocol::references::readable;
use afterrun_service::locale::Locale;
use serde_json::Value;

use afterrun_service::parse_time;
use afterrun_service::words::{dose_words, modality_words, reason_words};

use super::{ALARM, CALM, CAUTION, DIM, HEADING, duration_words, regions_words, styled, wrap};

/// The verdict of a triage level: a headline and what to do now.
fn verdict(level: &str) -> (anstyle::Style, &'static str, &'static str) {
    match level {
        "emergency" => (
            ALARM,
            "EMERGENCY: call emergency services now",
            "Stop what you are doing and call your local emergency number now (112 in Europe, \
             911 in North America, 999 in the UK). Sit or lie down and wait for help; do not \
             drive yourself. No massage, rolling, compression or vibration.",
        ),
        "urgent_care" => (
            ALARM,
            "URGENT: get a medical assessment today",
            "Go to an urgent care clinic, an emergency department or your doctor today. Until \
             you have been seen: no running, no massage, rolling, compression or vibration. If \
             it gets worse, or chest pain or breathlessness start, call emergency services.",
        ),
        "see_physio" => (
            CAUTION,
            "See a sports physiotherapist",
            "Book an appointment with a sports physiotherapist in the next few days, and do not \
             run through the pain until you have been seen. Gentle self-care away from the \
             affected area can go on, as below.",
        ),
        "self_care" => (
            CALM,
            "Self-care: this sounds like ordinary post-run soreness",
            "Follow the plan below. If something changes (sharp pain, swelling, pain at rest or \
             at night), stop and check in again.",
        ),
        _ => (CAUTION, "Triage", "Read the reasons below."),
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn str_list<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// How long after the check-in a step starts, in words: "now", "in 45 min", "in 1 h 30 min",
/// "in 1 day 8 h 15 min".
fn offset_words(minutes: i64) -> String {
    if minutes <= 0 {
        return "now".to_owned();
    }
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} day{}", if days == 1 { "" } else { "s" }));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if mins > 0 {
        parts.push(format!("{mins} min"));
    }
    format!("in {}", parts.join(" "))
}

/// The plan of `plan_to_json`, parsed, as text for a person.
/// The plan as text, its times in `locale`'s zone.
pub fn render(plan: &Value, locale: &Locale) -> String {
    let mut out = String::new();
    let triage = plan.get("triage").unwrap_or(&Value::Null);
    let level = str_field(triage, "level").unwrap_or("unknown");
    let (style, headline, now_text) = verdict(level);

    // The verdict, unmissable at the red-flag levels.
    if matches!(level, "emergency" | "urgent_care") {
        let bar = "=".repeat(headline.chars().count() + 4);
        let _ = writeln!(out, "{}", styled(style, &bar));
        let _ = writeln!(out, "{}", styled(style, &format!("  {headline}")));
        let _ = writeln!(out, "{}", styled(style, &bar));
    } else {
        let _ = writeln!(out, "{}", styled(style, headline));
    }
    out.push_str(&wrap(now_text, "", ""));

    let reasons = triage.get("reasons").and_then(Value::as_array).map(Vec::as_slice);
    if let Some(reasons) = reasons.filter(|r| !r.is_empty()) {
        let _ = writeln!(out, "\n{}", styled(HEADING, "Why"));
        for r in reasons {
            let code = str_field(r, "code").unwrap_or("");
            let text = str_field(r, "text").filter(|t| !t.trim().is_empty());
            let text = text.map_or_else(|| reason_words(code), str::to_owned);
            out.push_str(&wrap(&readable(&text), "  - ", "    "));
        }
    }
    if let Some(advice) = str_field(triage, "advice").filter(|a| !a.trim().is_empty()) {
        out.push('\n');
        out.push_str(&wrap(&readable(advice), "", ""));
    }

    let references =
        plan.get("references").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    render_steps(plan, references, locale, &mut out);
    render_blocked(triage, &mut out);

    let lists = [("notes", "Notes"), ("assumptions", "Assumed (you did not say)")];
    for (key, heading) in lists {
        let items = str_list(plan, key);
        if !items.is_empty() {
            let _ = writeln!(out, "\n{}", styled(HEADING, heading));
            for item in items {
                out.push_str(&wrap(&readable(item), "  - ", "    "));
            }
        }
    }
    if !references.is_empty() {
        let _ = writeln!(out, "\n{}", styled(HEADING, "References"));
        let width = references.len().to_string().len() + 2;
        for (n, r) in references.iter().enumerate() {
            let citation = str_field(r, "citation").unwrap_or("");
            let first = format!("  {:<width$}  ", format!("[{}]", n + 1));
            out.push_str(&wrap(citation, &first, &" ".repeat(width + 4)));
        }
    }
    out
}

/// Evidence ids as the numbers of the references list (`[1], [3]`); an id not in the list is
/// left out.
fn citation_numbers(ids: &[&str], references: &[Value]) -> String {
    ids.iter()
        .filter_map(|id| references.iter().position(|r| str_field(r, "id") == Some(*id)))
        .map(|n| format!("[{}]", n + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The blocked modalities, grouped so that one reason reads once: first the regions of each
/// (modality, reason), then the modalities that share a reason and the same regions.
fn render_blocked(triage: &Value, out: &mut String) {
    let blocked = triage.get("blocked").and_then(Value::as_array).map(Vec::as_slice);
    let Some(blocked) = blocked.filter(|b| !b.is_empty()) else {
        return;
    };
    // (modality, reason) → regions, in first-seen order.
    let mut by_modality: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for b in blocked {
        let modality = str_field(b, "modality").unwrap_or("?");
        let reason = str_field(b, "reason").unwrap_or("");
        let region = str_field(b, "region").unwrap_or("all");
        match by_modality.iter_mut().find(|(m, r, _)| *m == modality && *r == reason) {
            Some((_, _, regions)) if !regions.contains(&region) => regions.push(region),
            Some(_) => {}
            None => by_modality.push((modality, reason, vec![region])),
        }
    }
    // (reason, regions) → modalities.
    let mut groups: Vec<(&str, Vec<&str>, Vec<&str>)> = Vec::new();
    for (modality, reason, mut regions) in by_modality {
        if regions.contains(&"all") {
            regions = vec!["all"];
        }
        match groups.iter_mut().find(|(r, g, _)| *r == reason && *g == regions) {
            Some((_, _, modalities)) => modalities.push(modality),
            None => groups.push((reason, regions, vec![modality])),
        }
    }
    let _ = writeln!(out, "\n{}", styled(HEADING, "Not to use for now"));
    for (reason, regions, modalities) in groups {
        let names: Vec<String> = modalities
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let w = modality_words(m);
                if i == 0 { w } else { w.to_lowercase() }
            })
            .collect();
        let where_ = if regions == ["all"] {
            "anywhere".to_owned()
        } else {
            format!("on the {}", regions_words(regions.iter().copied()))
        };
        let line = format!("{} {where_}: {}", names.join(", "), reason_words(reason));
        out.push_str(&wrap(&line, "  - ", "    "));
    }
}

fn render_steps(plan: &Value, references: &[Value], locale: &Locale, out: &mut String) {
    let steps = plan.get("steps").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let programs: Vec<u64> = plan
        .get("device_programs")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|p| p.get("step").and_then(Value::as_u64)).collect())
        .unwrap_or_default();
    if steps.is_empty() {
        let _ = writeln!(out, "\n{}", styled(HEADING, "No steps."));
        return;
    }
    let start = str_field(plan, "generated_at").and_then(parse_time);
    let heading = match start {
        Some(t) => format!("Your plan, from {}", locale.when(t)),
        None => "Your plan".to_owned(),
    };
    let _ = writeln!(out, "\n{}", styled(HEADING, &heading));
    let mut last_day = start.map(|t| locale.day(t));
    for (index, step) in steps.iter().enumerate() {
        let at = str_field(step, "start").and_then(parse_time);
        let day = at.map(|t| locale.day(t));
        if day.is_some() && day != last_day {
            let _ = writeln!(out, "\n  {}", styled(HEADING, day.as_deref().unwrap_or("")));
            last_day = day;
        }
        let clock = at.map_or_else(|| "--:--".to_owned(), |t| locale.clock(t));
        let offset = step.get("offset_min").and_then(Value::as_i64).map(offset_words);
        let modality = str_field(step, "modality").unwrap_or("?");
        let mut what = modality_words(modality);
        if let Some(d) = step.get("duration_s").and_then(Value::as_u64).filter(|d| *d > 0) {
            let _ = write!(what, ", {}", duration_words(d));
        }
        let _ = writeln!(
            out,
            "\n  {:>2}. {clock} {}  {}",
            index + 1,
            styled(DIM, &format!("({})", offset.unwrap_or_default())),
            styled(HEADING, &what)
        );
        let pad = "      ";
        let targets = str_list(step, "targets");
        if !targets.is_empty() {
            let label = if is_referral(modality) { "About" } else { "For" };
            out.push_str(&wrap(&format!("{label}: {}", regions_words(targets)), pad, pad));
        }
        let dose = step.get("dose").map(dose_words).unwrap_or_default();
        if !dose.is_empty() {
            out.push_str(&wrap(&format!("Dose: {dose}"), pad, pad));
        }
        for line in str_list(step, "instructions") {
            out.push_str(&wrap(&readable(line), "      - ", "        "));
        }
        if let Some(why) = str_field(step, "why").filter(|w| !w.trim().is_empty()) {
            out.push_str(&wrap(&format!("Why: {}", readable(why)), pad, pad));
        }
        let evidence = citation_numbers(&str_list(step, "evidence"), references);
        if !evidence.is_empty() {
            let line = wrap(&format!("Evidence: {evidence}"), pad, pad);
            out.push_str(&styled(DIM, &line));
        }
        if programs.contains(&(index as u64)) {
            let note = "A device program comes with this step (in --json, for `afterrun device`).";
            out.push_str(&wrap(note, pad, pad));
        }
    }
}

/// Steps that send the runner to someone rather than work on a muscle.
fn is_referral(modality: &str) -> bool {
    matches!(modality, "consult_physio" | "seek_urgent_care" | "call_emergency" | "rest")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dose_words_cover_known_and_unknown_fields() {
        let d = json!({"seconds_per_group": 45, "sets": 1, "pace": "slow", "pressure": "light"});
        assert_eq!(dose_words(&d), "45 s per muscle group, 1 set, slow pace, light pressure");
        let v = json!({"frequency_hz": 27, "amplitude_mm": 1.0, "bout_s": 45, "bouts": 4, "stance": "knees_soft"});
        assert_eq!(dose_words(&v), "27 Hz, 1.0 mm amplitude, 4 bouts of 45 s, stance: knees soft");
        assert_eq!(dose_words(&json!({"tempo_bpm": 60})), "tempo bpm: 60");
    }

    #[test]
    fn blocks_sharing_a_reason_read_once() {
        let triage = json!({"blocked": [
            {"modality": "foam_rolling", "region": "all", "reason": "possible_pe"},
            {"modality": "massage_gun", "region": "all", "reason": "possible_pe"},
            {"modality": "massage_gun", "region": "chest", "reason": "possible_pe"},
            {"modality": "massage_gun", "region": "knee_left", "reason": "over_bone"},
            {"modality": "massage_gun", "region": "knee_right", "reason": "over_bone"},
        ]});
        let mut out = String::new();
        render_blocked(&triage, &mut out);
        let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("  - ")).collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].contains("Foam roller, massage gun anywhere"), "{out}");
        assert!(lines[1].contains("Massage gun on the left knee, right knee"), "{out}");
    }

    #[test]
    fn emergency_verdict_comes_first_and_says_what_to_do() {
        let plan = json!({
            "generated_at": "2026-11-23T08:30:00Z",
            "triage": {"level": "emergency", "reasons": [{"code": "possible_pe", "text": ""}],
                       "blocked": [{"modality": "massage_gun", "region": "all", "reason": "possible_pe"}]},
            "steps": [{"start": "2026-11-23T08:30:00Z", "offset_min": 0, "modality": "call_emergency",
                       "duration_s": 0, "targets": [], "dose": {}, "instructions": ["Call now."],
                       "why": "Chest pain after a run.", "evidence": ["nice-ng158"]}],
            "references": [{"id": "nice-ng158", "citation": "NICE NG158"}]
        });
        let text = render(&plan, &Locale::utc());
        let first = text.lines().nth(1).unwrap_or("");
        assert!(first.contains("EMERGENCY: call emergency services now"), "{text}");
        assert!(text.contains("possible blood clot in the lungs"));
        assert!(text.contains("08:30"));
        assert!(text.contains("Call emergency services"));
        assert!(text.contains("Evidence: [1]") && text.contains("[1]  NICE NG158"), "{text}");
        assert!(!text.contains("nice-ng158") && !text.contains("[possible_pe]"), "{text}");
        assert!(text.contains("Massage gun anywhere"));
        assert!(text.find("1. 08:30") < text.find("Not to use for now"), "steps before blocks");
        // In New York the same plan reads at 03:30 local time.
        let ny = Locale::of(&afterrun_store::Profile {
            tz: Some("America/New_York".into()),
            ..afterrun_store::Profile::default()
        });
        let text = render(&plan, &ny);
        assert!(text.contains("Your plan, from Mon 23 Nov 03:30"), "{text}");
        assert!(text.contains("1. 03:30"), "{text}");
    }
}
