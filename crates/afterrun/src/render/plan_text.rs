//! A plan as a runner reads it: the verdict first, then a timed checklist.
//!
//! The verdict is worded by level so that the red-flag levels say plainly what to do now; the
//! engine's own reason texts and advice follow it. Every step shows its clock time in the
//! runner's zone and its offset, what to do, how long, on which muscles, the dose in words, why,
//! and its evidence as numbers `[1]` that the references at the end resolve (codes and reference
//! ids are for `--json`).

use std::fmt::Write as _;

use afterrun_protocol::PlanDoc;
use afterrun_protocol::codes::{Level, Modality};
use afterrun_protocol::doc::{BlockDoc, Code, ReferenceDoc, StepDoc};
use afterrun_protocol::references::readable;
use afterrun_protocol::region::Region;
use afterrun_service::locale::Locale;
use afterrun_service::words::{dose_words, modality_words, reason_words, regions_words};

use super::{ALARM, CALM, CAUTION, DIM, HEADING, duration_words, styled, wrap};

/// The verdict of a triage level: a headline and what to do now.
fn verdict(level: Level) -> (anstyle::Style, &'static str, &'static str) {
    match level {
        Level::Emergency => (
            ALARM,
            "EMERGENCY: call emergency services now",
            "Stop what you are doing and call your local emergency number now (112 in Europe, \
             911 in North America, 999 in the UK). Sit or lie down and wait for help; do not \
             drive yourself. No massage, rolling, compression or vibration.",
        ),
        Level::UrgentCare => (
            ALARM,
            "URGENT: get a medical assessment today",
            "Go to an urgent care clinic, an emergency department or your doctor today. Until \
             you have been seen: no running, no massage, rolling, compression or vibration. If \
             it gets worse, or chest pain or breathlessness start, call emergency services.",
        ),
        Level::SeePhysio => (
            CAUTION,
            "See a sports physiotherapist",
            "Book an appointment with a sports physiotherapist in the next few days, and do not \
             run through the pain until you have been seen. Gentle self-care away from the \
             affected area can go on, as below.",
        ),
        Level::SelfCare => (
            CALM,
            "Self-care: this sounds like ordinary post-run soreness",
            "Follow the plan below. If something changes (sharp pain, swelling, pain at rest or \
             at night), stop and check in again.",
        ),
    }
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

/// The plan as text, its times in `locale`'s zone.
pub fn render(plan: &PlanDoc, locale: &Locale) -> String {
    let mut out = String::new();
    let triage = &plan.triage;
    let (style, headline, now_text) = verdict(triage.level);

    // The verdict, unmissable at the red-flag levels.
    if matches!(triage.level, Level::Emergency | Level::UrgentCare) {
        let bar = "=".repeat(headline.chars().count() + 4);
        let _ = writeln!(out, "{}", styled(style, &bar));
        let _ = writeln!(out, "{}", styled(style, &format!("  {headline}")));
        let _ = writeln!(out, "{}", styled(style, &bar));
    } else {
        let _ = writeln!(out, "{}", styled(style, headline));
    }
    out.push_str(&wrap(now_text, "", ""));

    if !triage.reasons.is_empty() {
        let _ = writeln!(out, "\n{}", styled(HEADING, "Why"));
        for r in &triage.reasons {
            let text =
                if r.text.trim().is_empty() { reason_words(&r.code) } else { r.text.to_string() };
            out.push_str(&wrap(&readable(&text), "  - ", "    "));
        }
    }
    if !triage.advice.trim().is_empty() {
        out.push('\n');
        out.push_str(&wrap(&readable(&triage.advice), "", ""));
    }

    render_steps(plan, locale, &mut out);
    render_blocked(&triage.blocked, &mut out);

    let lists = [(&plan.notes, "Notes"), (&plan.assumptions, "Assumed (you did not say)")];
    for (items, heading) in lists {
        if !items.is_empty() {
            let _ = writeln!(out, "\n{}", styled(HEADING, heading));
            for item in items {
                out.push_str(&wrap(&readable(item), "  - ", "    "));
            }
        }
    }
    if !plan.references.is_empty() {
        let _ = writeln!(out, "\n{}", styled(HEADING, "References"));
        let width = plan.references.len().to_string().len() + 2;
        for (n, r) in plan.references.iter().enumerate() {
            let first = format!("  {:<width$}  ", format!("[{}]", n + 1));
            out.push_str(&wrap(&r.citation, &first, &" ".repeat(width + 4)));
        }
    }
    out
}

/// Evidence ids as the numbers of the references list (`[1], [3]`); an id not in the list is
/// left out.
fn citation_numbers(ids: &[Code], references: &[ReferenceDoc]) -> String {
    ids.iter()
        .filter_map(|id| references.iter().position(|r| r.id == *id))
        .map(|n| format!("[{}]", n + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The blocked modalities, grouped so that one reason reads once: first the regions of each
/// (modality, reason), then the modalities that share a reason and the same regions.
fn render_blocked(blocked: &[BlockDoc], out: &mut String) {
    if blocked.is_empty() {
        return;
    }
    // (modality, reason) → regions, in first-seen order.
    let mut by_modality: Vec<(Modality, &str, Vec<Region>)> = Vec::new();
    for b in blocked {
        let (modality, reason, region) = (b.modality, b.reason.as_ref(), b.region);
        match by_modality.iter_mut().find(|(m, r, _)| *m == modality && *r == reason) {
            Some((_, _, regions)) if !regions.contains(&region) => regions.push(region),
            Some(_) => {}
            None => by_modality.push((modality, reason, vec![region])),
        }
    }
    // (reason, regions) → modalities.
    let mut groups: Vec<(&str, Vec<Region>, Vec<Modality>)> = Vec::new();
    for (modality, reason, mut regions) in by_modality {
        if regions.contains(&Region::All) {
            regions = vec![Region::All];
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
                let w = modality_words(m.code());
                if i == 0 { w } else { w.to_lowercase() }
            })
            .collect();
        let where_ = if regions == [Region::All] {
            "anywhere".to_owned()
        } else {
            format!("on the {}", regions_words(&regions))
        };
        let line = format!("{} {where_}: {}", names.join(", "), reason_words(reason));
        out.push_str(&wrap(&line, "  - ", "    "));
    }
}

fn render_steps(plan: &PlanDoc, locale: &Locale, out: &mut String) {
    if plan.steps.is_empty() {
        let _ = writeln!(out, "\n{}", styled(HEADING, "No steps."));
        return;
    }
    let start = plan.generated_at.as_second();
    let _ =
        writeln!(out, "\n{}", styled(HEADING, &format!("Your plan, from {}", locale.when(start))));
    let mut last_day = locale.day(start);
    for (index, step) in plan.steps.iter().enumerate() {
        let at = step.start.as_second();
        let day = locale.day(at);
        if day != last_day {
            let _ = writeln!(out, "\n  {}", styled(HEADING, &day));
            last_day = day;
        }
        let mut what = modality_words(step.modality.code());
        if step.duration_s > 0 {
            let _ = write!(what, ", {}", duration_words(u64::from(step.duration_s)));
        }
        let _ = writeln!(
            out,
            "\n  {:>2}. {} {}  {}",
            index + 1,
            locale.clock(at),
            styled(DIM, &format!("({})", offset_words(i64::from(step.offset_min)))),
            styled(HEADING, &what)
        );
        render_step_body(plan, index, step, out);
    }
}

/// What a step works on, its dose, how, why and its evidence.
fn render_step_body(plan: &PlanDoc, index: usize, step: &StepDoc, out: &mut String) {
    let pad = "      ";
    if !step.targets.is_empty() {
        let label = if is_referral(step.modality) { "About" } else { "For" };
        out.push_str(&wrap(&format!("{label}: {}", regions_words(&step.targets)), pad, pad));
    }
    let dose = dose_words(&step.dose);
    if !dose.is_empty() {
        out.push_str(&wrap(&format!("Dose: {dose}"), pad, pad));
    }
    for line in step.instructions.iter() {
        out.push_str(&wrap(&readable(line), "      - ", "        "));
    }
    if !step.why.trim().is_empty() {
        out.push_str(&wrap(&format!("Why: {}", readable(&step.why)), pad, pad));
    }
    let evidence = citation_numbers(&step.evidence, &plan.references);
    if !evidence.is_empty() {
        let line = wrap(&format!("Evidence: {evidence}"), pad, pad);
        out.push_str(&styled(DIM, &line));
    }
    if plan.device_programs.iter().any(|p| p.step == index) {
        let note = "A device program comes with this step (in --json, for `afterrun device`).";
        out.push_str(&wrap(note, pad, pad));
    }
}

/// Steps that send the runner to someone rather than work on a muscle.
fn is_referral(modality: Modality) -> bool {
    modality.is_referral() || modality == Modality::Rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dose_words_read_the_typed_dose() {
        let d = serde_json::from_value(
            json!({"seconds_per_group": 45, "sets": 1, "pace": "slow", "pressure": "light"}),
        )
        .unwrap();
        assert_eq!(dose_words(&d), "45 s per muscle group, 1 set, slow pace, light pressure");
        let v = serde_json::from_value(json!({"frequency_hz": 27.0, "amplitude_mm": 1.0,
            "bout_s": 45, "bouts": 4, "stance": ["knees_soft"]}))
        .unwrap();
        assert_eq!(
            dose_words(&v),
            "27.0 Hz, 1.0 mm amplitude, 4 bouts of 45 s, stance: knees soft"
        );
    }

    #[test]
    fn blocks_sharing_a_reason_read_once() {
        let blocked: Vec<BlockDoc> = serde_json::from_value(json!([
            {"modality": "foam_rolling", "region": "all", "reason": "possible_pe"},
            {"modality": "massage_gun", "region": "all", "reason": "possible_pe"},
            {"modality": "massage_gun", "region": "chest", "reason": "possible_pe"},
            {"modality": "massage_gun", "region": "knee_left", "reason": "over_bone"},
            {"modality": "massage_gun", "region": "knee_right", "reason": "over_bone"},
        ]))
        .unwrap();
        let mut out = String::new();
        render_blocked(&blocked, &mut out);
        let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("  - ")).collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].contains("Foam roller, massage gun anywhere"), "{out}");
        assert!(lines[1].contains("Massage gun on the left knee, right knee"), "{out}");
    }

    #[test]
    fn emergency_verdict_comes_first_and_says_what_to_do() {
        let plan = PlanDoc::from_value(&json!({
            "generated_at": "2026-11-23T08:30:00Z",
            "triage": {"level": "emergency", "reasons": [{"code": "possible_pe", "level": "emergency", "text": ""}],
                       "blocked": [{"modality": "massage_gun", "region": "all", "reason": "possible_pe"}]},
            "steps": [{"start": "2026-11-23T08:30:00Z", "offset_min": 0, "modality": "call_emergency",
                       "duration_s": 0, "targets": [], "dose": {}, "instructions": ["Call now."],
                       "why": "Chest pain after a run.", "evidence": ["nice-ng158"]}],
            "references": [{"id": "nice-ng158", "citation": "NICE NG158"}]
        }))
        .unwrap();
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
