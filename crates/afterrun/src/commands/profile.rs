//! `afterrun profile`: shows or changes the athlete's standing data (equipment, conditions,
//! clearances, volume, goal, thresholds).
//!
//! Each flag replaces one field; fields not named keep their stored value. The check-in fields
//! are validated by the engine's own check-in parser (the profile is what every later check-in's
//! `athlete` object starts from), so an error names the contract field.

use std::io::Write as _;
use std::process::ExitCode;

use afterrun_store::{Clearance, Profile};
use serde_json::{Value, json};

use crate::db::{DbArgs, Session, store_error};
use crate::exit::bad_input;

/// Arguments of `afterrun profile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,

    /// Equipment owned, comma-separated (foam_roller, massage_gun, compression_boots,
    /// vibration_plate, bike, pool, compression_socks); an empty value clears it
    #[arg(long, value_name = "LIST")]
    equipment: Option<String>,

    /// Medical conditions, comma-separated (e.g. dvt_history,pregnancy); empty clears them
    #[arg(long, value_name = "LIST")]
    condition: Option<String>,

    /// A clinician's clearance for a modality, optionally with a pressure cap in mmHg
    /// (e.g. compression_boots:40); repeatable; replaces the stored clearances
    #[arg(long = "clear", value_name = "MODALITY[:MAX_MMHG]")]
    clear: Vec<String>,

    /// Who gave the --clear clearances: physiotherapist or doctor (required with --clear; a
    /// clearance by anyone else lifts nothing)
    #[arg(long, value_name = "WHO")]
    cleared_by: Option<String>,

    /// Usual weekly running volume, km
    #[arg(long, value_name = "N")]
    weekly_km: Option<f64>,

    /// general, 5k, 10k, half_marathon, marathon, ultra or trail
    #[arg(long, value_name = "G")]
    goal: Option<String>,

    /// low, medium or high
    #[arg(long, value_name = "B")]
    budget: Option<String>,

    /// female, male or unspecified
    #[arg(long, value_name = "S")]
    sex: Option<String>,

    /// Age in years
    #[arg(long, value_name = "N")]
    age: Option<u32>,

    /// Body mass, kg
    #[arg(long, value_name = "KG")]
    body_mass: Option<f64>,

    /// Maximum heart rate, beats per minute
    #[arg(long, value_name = "N")]
    max_hr: Option<u32>,

    /// Resting heart rate, beats per minute
    #[arg(long, value_name = "N")]
    rest_hr: Option<u32>,

    /// Threshold running pace per km, MM:SS
    #[arg(long, value_name = "MM:SS")]
    threshold_pace: Option<String>,

    /// Prefer an easy spin on a bike to a walk for flushing the legs (--prefers-cycling=false
    /// to undo)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    prefers_cycling: Option<bool>,

    /// Print the profile as JSON
    #[arg(long)]
    json: bool,
}

/// Runs `afterrun profile`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let session = Session::open(args.db.db.as_deref())?;
    let athlete = session.athlete(&args.db.athlete)?;
    let stored = session.block_on(session.store.profile(athlete)).map_err(store_error)?;
    let updated = apply(&args, stored.clone(), crate::db::now())?;
    if updated != stored {
        validate(&updated)?;
        session.block_on(session.store.set_profile(athlete, &updated)).map_err(store_error)?;
    }
    session.close();
    let value = serde_json::to_value(&updated)?;
    let text =
        if args.json { format!("{value}\n") } else { describe(args.db.athlete.trim(), &value) };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(ExitCode::SUCCESS)
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The stored profile with the flags' fields replaced.
fn apply(args: &Args, mut p: Profile, now: i64) -> anyhow::Result<Profile> {
    if let Some(v) = &args.equipment {
        p.equipment = Some(list(v));
    }
    if let Some(v) = &args.condition {
        p.conditions = Some(list(v));
    }
    if !args.clear.is_empty() {
        let by = args.cleared_by.as_deref().map(str::trim).ok_or_else(|| {
            bad_input(
                "--clear needs --cleared-by physiotherapist|doctor: only a clinician's \
                 clearance lifts a contraindication",
            )
        })?;
        let date = afterrun_store::format_rfc3339(now)
            .and_then(|t| t.get(..10).map(str::to_owned))
            .unwrap_or_default();
        let mut clearances = Vec::new();
        for item in args.clear.iter().flat_map(|c| list(c)) {
            let (modality, cap) = match item.split_once(':') {
                Some((m, cap)) => {
                    let cap = cap.trim().parse::<u32>().map_err(|_| {
                        bad_input(format!("--clear {item}: MAX_MMHG must be a whole number"))
                    })?;
                    (m.trim().to_owned(), Some(cap))
                }
                None => (item.clone(), None),
            };
            clearances.push(Clearance {
                modality,
                by: by.to_owned(),
                date: date.clone(),
                max_mmhg: cap,
            });
        }
        p.clearances = Some(clearances);
    }
    if let Some(v) = args.weekly_km {
        p.weekly_km = Some(v);
    }
    if let Some(v) = &args.goal {
        p.goal = Some(v.trim().to_owned());
    }
    if let Some(v) = &args.budget {
        p.budget = Some(v.trim().to_owned());
    }
    if let Some(v) = &args.sex {
        p.sex = Some(v.trim().to_owned());
    }
    if let Some(v) = args.age {
        p.age = Some(v);
    }
    if let Some(v) = args.body_mass {
        p.body_mass_kg = Some(v);
    }
    if let Some(v) = args.max_hr {
        if !(100..=240).contains(&v) {
            return Err(bad_input(format!("--max-hr {v}: must be 100 to 240 beats per minute")));
        }
        p.max_hr = Some(v);
    }
    if let Some(v) = args.rest_hr {
        if !(25..=120).contains(&v) {
            return Err(bad_input(format!("--rest-hr {v}: must be 25 to 120 beats per minute")));
        }
        p.rest_hr = Some(v);
    }
    if let (Some(rest), Some(max)) = (p.rest_hr, p.max_hr)
        && rest >= max
    {
        return Err(bad_input(format!(
            "--rest-hr {rest}: must be below the maximum heart rate {max}"
        )));
    }
    if let Some(v) = &args.threshold_pace {
        p.threshold_pace_s_per_km = Some(parse_pace(v)?);
    }
    if let Some(v) = args.prefers_cycling {
        p.prefers_cycling = Some(v);
    }
    Ok(p)
}

/// `MM:SS` per km as seconds per km, between 2:00 and 15:00.
fn parse_pace(text: &str) -> anyhow::Result<f64> {
    let bad = || bad_input(format!("--threshold-pace {text}: expected MM:SS per km, e.g. 4:15"));
    let (m, s) = text.trim().split_once(':').ok_or_else(bad)?;
    let m: u32 = m.trim().parse().map_err(|_| bad())?;
    let s: u32 = s.trim().parse().map_err(|_| bad())?;
    if s >= 60 {
        return Err(bad());
    }
    let total = f64::from(m * 60 + s);
    if !(120.0..=900.0).contains(&total) {
        return Err(bad_input(format!(
            "--threshold-pace {text}: must be between 2:00 and 15:00 per km"
        )));
    }
    Ok(total)
}

/// Runs the check-in parser over `{"now": …, "athlete": profile}` so the codes and ranges are
/// checked exactly as a check-in's would be.
fn validate(p: &Profile) -> anyhow::Result<()> {
    let mut doc = json!({"now": "2026-01-01T00:00:00Z"});
    crate::db::merge_profile(&mut doc, p);
    afterrun_protocol::parse_checkin(&doc.to_string())
        .map(|_| ())
        .map_err(|e| bad_input(format!("invalid profile: {e}")))
}

fn describe(name: &str, v: &Value) -> String {
    let mut out = format!("profile of {name}\n");
    let Some(map) = v.as_object() else { return out };
    if map.is_empty() {
        out.push_str("  (empty: set it with flags, see `afterrun profile --help`)\n");
    }
    for (key, value) in map {
        let shown = match value {
            Value::Array(items) if items.iter().all(Value::is_string) => {
                items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
            }
            Value::String(s) => s.clone(),
            Value::Number(n) if key == "threshold_pace_s_per_km" => {
                let s = n.as_f64().unwrap_or(0.0).round() as u64;
                format!("{}:{:02} per km", s / 60, s % 60)
            }
            other => other.to_string(),
        };
        let key = if key == "threshold_pace_s_per_km" { "threshold_pace" } else { key };
        out.push_str(&format!("  {key}: {shown}\n"));
    }
    out
}
