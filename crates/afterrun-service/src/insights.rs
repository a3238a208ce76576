//! Population figures (`insights`) and "what works for you" (`status`, the web status page):
//! what runners reported after each recovery step, worded as association, not proof.
//!
//! The figures come from `afterrun-protocol`'s outcome model over every stored athlete's
//! outcomes ([`crate::history::all_outcomes`]); this module shapes them as the documented JSON
//! (docs/insights.md) and as text.

use std::fmt::Write as _;

use afterrun_protocol::learn::IMPROVEMENT_THRESHOLD;
use afterrun_protocol::outcome::{self, MIN_RUNNERS, ModalityFigure, SessionOutcome};
use afterrun_store::Id;
use serde_json::{Value, json};

fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

fn figure_json(f: &ModalityFigure) -> Value {
    json!({
        "modality": f.modality.code(),
        "sessions": f.sessions,
        "effective_sessions": round(f.effective_sessions, 1),
        "improved": f.improved,
        "runners": f.runners,
        "share": round(f.share, 4),
        "interval": {"low": round(f.interval.0, 4), "high": round(f.interval.1, 4), "level": 0.95},
        "mean_residual": round(f.mean_residual, 3),
    })
}

/// The `insights --json` document (docs/insights.md).
pub fn insights_json(runners: &[Vec<SessionOutcome>], multi_user: bool) -> Value {
    let figures = outcome::figures(runners);
    let (shown, withheld): (Vec<&ModalityFigure>, Vec<&ModalityFigure>) =
        figures.iter().partition(|f| !multi_user || f.runners >= MIN_RUNNERS);
    json!({
        "multi_user": multi_user,
        "min_runners": if multi_user { MIN_RUNNERS } else { 1 },
        "improvement_threshold": IMPROVEMENT_THRESHOLD,
        "runners": runners.iter().filter(|r| !r.is_empty()).count(),
        "sessions": runners.iter().map(Vec::len).sum::<usize>(),
        "modalities": shown.iter().map(|f| figure_json(f)).collect::<Vec<_>>(),
        "withheld": withheld.iter().map(|f| f.modality.code()).collect::<Vec<_>>(),
    })
}

pub fn words(code: &str) -> &'static str {
    afterrun_protocol::codes::Modality::from_code(code).map_or("?", outcome::modality_words)
}

/// The `insights` text for people, from the JSON document.
pub fn insights_text(doc: &Value) -> String {
    let mut s = String::new();
    let sessions = doc["sessions"].as_u64().unwrap_or(0);
    let runners = doc["runners"].as_u64().unwrap_or(0);
    let _ = writeln!(
        s,
        "What runners reported after each recovery step ({sessions} sessions, {runners} runner{})",
        if runners == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        s,
        "Share of sessions followed by soreness at least 1 point below the forecast at the next \
         check-in, with a 95 % interval. An association, not proof that the step caused it."
    );
    let mods = doc["modalities"].as_array().cloned().unwrap_or_default();
    if mods.is_empty() {
        let _ = writeln!(s, "  no figures yet: they come from check-ins 12-48 h after a plan");
    }
    for m in &mods {
        let code = m["modality"].as_str().unwrap_or("");
        let _ = writeln!(
            s,
            "  {:<24} {:>4.0} %  ({:.0}-{:.0} %)  {} sessions, {} runners, mean {:+.1} points",
            words(code),
            m["share"].as_f64().unwrap_or(0.0) * 100.0,
            m["interval"]["low"].as_f64().unwrap_or(0.0) * 100.0,
            m["interval"]["high"].as_f64().unwrap_or(0.0) * 100.0,
            m["sessions"].as_u64().unwrap_or(0),
            m["runners"].as_u64().unwrap_or(0),
            m["mean_residual"].as_f64().unwrap_or(0.0),
        );
    }
    let withheld: Vec<&str> = doc["withheld"]
        .as_array()
        .map(|w| w.iter().filter_map(Value::as_str).map(words).collect())
        .unwrap_or_default();
    if !withheld.is_empty() {
        let _ = writeln!(
            s,
            "  not shown (fewer than {} runners): {}",
            doc["min_runners"].as_u64().unwrap_or(0),
            withheld.join(", ")
        );
    }
    s
}

/// "What works for you" for `status` and the status page: the athlete's learned effects
/// (enough evidence only) and how many outcomes are known, as JSON (`status --json` field
/// `what_works`), from every athlete's outcomes already read (pure).
pub fn what_works_from(all: &[(Id, Vec<SessionOutcome>)], athlete: Id, now: i64) -> Value {
    let own = all
        .iter()
        .find(|(id, _)| *id == athlete)
        .map_or(0, |(_, v)| v.iter().filter(|o| o.at <= now).count());
    let (_, learned) = crate::history::learning_from(all, athlete, now);
    let effects: Vec<Value> = learned
        .iter()
        .map(|e| {
            json!({
                "modality": e.modality.code(),
                "effect": round(e.mean, 2),
                "sessions": e.sessions,
                "text": outcome::effect_sentence(e),
            })
        })
        .collect();
    json!({"outcomes": own, "effects": effects})
}

/// The "what works for you" lines of `status`.
pub fn what_works_text(doc: &Value) -> String {
    let mut s = String::from("\nWhat works for you\n");
    let effects = doc["effects"].as_array().cloned().unwrap_or_default();
    if effects.is_empty() {
        let n = doc["outcomes"].as_u64().unwrap_or(0);
        let _ = writeln!(
            s,
            "  not enough outcomes yet ({n} so far): mark the steps you do with `afterrun done` \
             and check in again 12-48 h later"
        );
    }
    for e in &effects {
        let _ = writeln!(s, "  {}", e["text"].as_str().unwrap_or(""));
    }
    s
}
