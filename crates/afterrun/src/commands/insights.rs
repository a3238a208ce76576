//! `afterrun insights`: across the stored athletes, how often each recovery step was followed by
//! less soreness than forecast (the guide's "X% of users reported improvement"), with a Wilson
//! 95 % interval; and, for `status`, "what works for you".
//!
//! The figures are an association between doing a step and feeling better at the next check-in,
//! never proof that the step caused it; the text says so. In multi-user mode (more than one
//! athlete stored, or `--multi-user`) a figure is shown only when at least
//! [`MIN_RUNNERS`] runners contribute to it, so no one can be singled out. The JSON shape is
//! documented in `docs/insights.md`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use afterrun_protocol::learn::IMPROVEMENT_THRESHOLD;
use afterrun_protocol::outcome::{self, MIN_RUNNERS, ModalityFigure, SessionOutcome};
use afterrun_store::Id;
use serde_json::{Value, json};

use crate::db::{Session, location, store_error};

/// Arguments of `afterrun insights`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store: a file path or sqlite:PATH for SQLite, or a postgres://… URL
    /// [default: $AFTERRUN_DB, else $XDG_DATA_HOME/afterrun/afterrun.db]
    #[arg(long, value_name = "URL")]
    db: Option<String>,

    /// Print the figures as JSON (shape in docs/insights.md) instead of text
    #[arg(long)]
    json: bool,

    /// Show only figures over at least 10 runners even when one athlete is stored
    #[arg(long)]
    multi_user: bool,
}

/// Runs `afterrun insights`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let session = Session::open(args.db.as_deref())?;
    let all = crate::history::all_outcomes(&session)?;
    let athletes = session.block_on(session.store.athletes()).map_err(store_error)?.len();
    session.close();
    let multi_user = args.multi_user || athletes > 1;
    let runners: Vec<Vec<SessionOutcome>> = all.into_iter().map(|(_, v)| v).collect();
    let doc = insights_json(&runners, multi_user);
    let text = if args.json { format!("{doc}\n") } else { insights_text(&doc) };
    let mut out = anstream::stdout();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(ExitCode::SUCCESS)
}

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

fn words(code: &str) -> &'static str {
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

/// The guide's figures for the given modality codes, as lines of text, when the store (`--db`,
/// `AFTERRUN_DB` or the default file, only if it already exists) has figures for them.
pub fn guide_lines(db: Option<&str>, modalities: &[&str]) -> Vec<String> {
    let Ok(loc) = location(db) else { return Vec::new() };
    if let afterrun_store::Location::Sqlite(path) = &loc
        && !path.exists()
    {
        return Vec::new();
    }
    let Ok(session) = Session::open(db) else { return Vec::new() };
    let all = crate::history::all_outcomes(&session).unwrap_or_default();
    let athletes = session.block_on(session.store.athletes()).map(|a| a.len()).unwrap_or(0);
    session.close();
    let runners: Vec<Vec<SessionOutcome>> = all.into_iter().map(|(_, v)| v).collect();
    let doc = insights_json(&runners, athletes > 1);
    doc["modalities"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["modality"].as_str().is_some_and(|c| modalities.contains(&c)))
        .map(|m| {
            let code = m["modality"].as_str().unwrap_or("");
            format!(
                "After {}, {:.0} % of sessions (95 % interval {:.0}-{:.0} %, {} sessions, {} \
                 runner{}) were followed by less soreness than forecast.",
                words(code),
                m["share"].as_f64().unwrap_or(0.0) * 100.0,
                m["interval"]["low"].as_f64().unwrap_or(0.0) * 100.0,
                m["interval"]["high"].as_f64().unwrap_or(0.0) * 100.0,
                m["sessions"].as_u64().unwrap_or(0),
                m["runners"].as_u64().unwrap_or(0),
                if m["runners"].as_u64() == Some(1) { "" } else { "s" },
            )
        })
        .collect()
}

/// "What works for you" for `status`: the athlete's learned effects (enough evidence only) and
/// how many outcomes are known, as JSON (`status --json` field `what_works`).
pub fn what_works(session: &Session, athlete: Id, now: i64) -> anyhow::Result<Value> {
    let all = crate::history::all_outcomes(session)?;
    let own = all
        .iter()
        .find(|(id, _)| *id == athlete)
        .map_or(0, |(_, v)| v.iter().filter(|o| o.at <= now).count());
    let (_, learned) = crate::history::learning_from(&all, athlete, now);
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
    Ok(json!({"outcomes": own, "effects": effects}))
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
