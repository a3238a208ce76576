//! `afterrun profile`: shows or changes the athlete's standing data (equipment, conditions,
//! clearances, volume, goal, thresholds).
//!
//! Each flag replaces one field; fields not named keep their stored value. The check-in fields
//! are validated by the engine's own check-in parser (the profile is what every later check-in's
//! `athlete` object starts from), so an error names the contract field.

use std::process::ExitCode;

use afterrun_service::locale::{Locale, Units};
use afterrun_store::{Clearance, Profile};
use serde_json::Value;

use crate::db::{DbArgs, store_error};
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

    /// Threshold running pace, MM:SS per km (per mile with --units mi)
    #[arg(long, value_name = "MM:SS")]
    threshold_pace: Option<String>,

    /// Time zone for everything you read, an IANA name (Europe/Berlin, America/New_York);
    /// unset: the TZ variable, else this computer's zone
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,

    /// Units for distances and paces: km or mi
    #[arg(long, value_name = "km|mi")]
    units: Option<String>,

    /// Starting fitness (CTL) on --seed-date, as GoldenCheetah's season seed (needs all three
    /// --seed-* flags)
    #[arg(long, value_name = "N")]
    seed_fitness: Option<f64>,

    /// Starting fatigue (ATL) on --seed-date
    #[arg(long, value_name = "N")]
    seed_fatigue: Option<f64>,

    /// The date the seed applies from, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    seed_date: Option<String>,

    /// Fitness time constant, days (default 42)
    #[arg(long, value_name = "DAYS")]
    fitness_tau: Option<f64>,

    /// Fatigue time constant, days (default 7)
    #[arg(long, value_name = "DAYS")]
    fatigue_tau: Option<f64>,

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
    let (session, athlete) = args.db.open()?;
    let stored = session.profile(athlete)?;
    let updated = apply(&args, stored.clone(), crate::db::now())?;
    if updated != stored {
        validate(&updated)?;
        session.block_on(session.store.set_profile(athlete, &updated)).map_err(store_error)?;
    }
    session.close();
    let value = serde_json::to_value(&updated)?;
    let text = if args.json {
        format!("{value}\n")
    } else {
        describe(args.db.athlete.trim(), &value, &Locale::of(&updated))
    };
    super::print(&text)?;
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
    replace(&mut p.weekly_km, args.weekly_km);
    replace(&mut p.goal, trimmed(&args.goal));
    replace(&mut p.budget, trimmed(&args.budget));
    replace(&mut p.sex, trimmed(&args.sex));
    replace(&mut p.age, args.age);
    replace(&mut p.body_mass_kg, args.body_mass);
    replace(&mut p.max_hr, args.max_hr);
    replace(&mut p.rest_hr, args.rest_hr);
    replace(&mut p.tz, trimmed(&args.tz));
    replace(&mut p.units, trimmed(&args.units));
    if let Some(v) = &args.threshold_pace {
        let units = p.units.as_deref().and_then(|u| u.parse().ok()).unwrap_or_default();
        p.threshold_pace_s_per_km = Some(parse_pace(v, units)?);
    }
    replace(&mut p.seed_fitness, args.seed_fitness);
    replace(&mut p.seed_fatigue, args.seed_fatigue);
    replace(&mut p.seed_date, trimmed(&args.seed_date));
    replace(&mut p.fitness_tau_days, args.fitness_tau);
    replace(&mut p.fatigue_tau_days, args.fatigue_tau);
    replace(&mut p.prefers_cycling, args.prefers_cycling);
    Ok(p)
}

/// Replaces a profile field with the flag's value when the flag is given.
fn replace<T>(field: &mut Option<T>, flag: Option<T>) {
    if flag.is_some() {
        *field = flag;
    }
}

/// A text flag's value without its surrounding white space.
fn trimmed(flag: &Option<String>) -> Option<String> {
    flag.as_deref().map(|v| v.trim().to_owned())
}

/// `MM:SS` per km (or per mile) as seconds per km; the range is checked with the profile.
fn parse_pace(text: &str, units: Units) -> anyhow::Result<f64> {
    let per = units.per();
    let bad = || bad_input(format!("--threshold-pace {text}: expected MM:SS {per}, e.g. 4:15"));
    let (m, s) = text.trim().split_once(':').ok_or_else(bad)?;
    let m: u32 = m.trim().parse().map_err(|_| bad())?;
    let s: u32 = s.trim().parse().map_err(|_| bad())?;
    if s >= 60 {
        return Err(bad());
    }
    Ok(f64::from(m * 60 + s) * 1000.0 / units.metres())
}

/// Checks the profile as every other door does ([`afterrun_service::profile::validate`]), the
/// error naming the flag.
fn validate(p: &Profile) -> anyhow::Result<()> {
    afterrun_service::profile::validate(p).map_err(|e| {
        let flag = flag_of(&e.field);
        bad_input(format!("{flag}: {}", e.message))
    })
}

/// The flag that sets a profile field (`max_hr` → `--max-hr`).
fn flag_of(field: &str) -> String {
    let base = field.split(['[', '.']).next().unwrap_or(field);
    let name = match base {
        "threshold_pace_s_per_km" => "threshold-pace",
        "fitness_tau_days" => "fitness-tau",
        "fatigue_tau_days" => "fatigue-tau",
        "conditions" => "condition",
        "clearances" => "clear",
        "body_mass_kg" => "body-mass",
        other => return format!("--{}", other.replace('_', "-")),
    };
    format!("--{name}")
}

fn describe(name: &str, v: &Value, locale: &Locale) -> String {
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
                locale.pace(1000.0 / n.as_f64().unwrap_or(f64::INFINITY))
            }
            other => other.to_string(),
        };
        let key = if key == "threshold_pace_s_per_km" { "threshold_pace" } else { key };
        out.push_str(&format!("  {key}: {shown}\n"));
    }
    if let Some(note) = locale.assumption() {
        out.push_str(&format!("  ({note})\n"));
    }
    out
}
