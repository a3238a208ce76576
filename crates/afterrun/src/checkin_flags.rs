//! The CHECK-IN FLAGS of interfaces.md: a check-in typed at a terminal.
//!
//! The flags are not a second check-in parser. Each one becomes a JSON patch on one field of the
//! check-in document (the `--checkin` file, or `{}`), replacing that field; the patched document
//! then goes through the engine's own parser like any file would. So there is one validation,
//! and every error about a value names its contract field (`soreness.quads: …`). What is checked
//! here is only the flag's own syntax (`GROUP=N`, `CODE@REGION:HOURS`, numbers), and an error
//! there names the flag. `--run-file` is the one flag that reads a file: its run fields come
//! first, so the other run flags override them.

use std::path::Path;

use serde_json::{Map, Number, Value};

use crate::exit::bad_input;

/// The check-in flags shared by `plan` (and later `checkin`).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct CheckinFlags {
    /// The moment of the check-in (RFC 3339, e.g. 2026-11-23T08:30:00Z) [default: the clock's
    /// time, unless the check-in file gives one]
    #[arg(long, value_name = "TIME", help_heading = "Check-in")]
    pub now: Option<String>,

    /// Soreness 0-10 per muscle group or region, e.g. quads=6,calves_left=4 (replaces the
    /// file's `soreness`)
    #[arg(long, value_name = "GROUP=N,…", help_heading = "Check-in")]
    pub sore: Option<String>,

    /// Symptoms, e.g. swelling@calf_left:30:worsening:none; HOURS is hours since it began,
    /// TREND improving|stable|worsening, AFTER none|fall|twist|collision|sudden_onset_during_run;
    /// repeatable (replaces the file's `symptoms`)
    #[arg(
        long,
        value_name = "CODE@REGION[:HOURS[:TREND[:AFTER]]],…",
        action = clap::ArgAction::Append,
        help_heading = "Check-in"
    )]
    pub symptom: Vec<String>,

    /// A cramp happening right now, in this region (e.g. calves_right)
    #[arg(long, value_name = "REGION", help_heading = "Check-in")]
    pub cramp: Option<String>,

    /// Equipment you own, comma-separated: foam_roller, massage_gun, compression_boots,
    /// vibration_plate, bike, pool, compression_socks ("" for none)
    #[arg(long, value_name = "LIST", help_heading = "Check-in")]
    pub equipment: Option<String>,

    /// Health conditions, comma-separated (e.g. pregnancy,dvt_history; "" for none)
    #[arg(long, value_name = "LIST", help_heading = "Check-in")]
    pub condition: Option<String>,

    /// The run's distance in km
    #[arg(long, value_name = "N", help_heading = "Check-in", conflicts_with = "run_mi")]
    pub run_km: Option<String>,

    /// The run's distance in miles (stored in km: 1 mi = 1.609344 km)
    #[arg(long, value_name = "N", help_heading = "Check-in")]
    pub run_mi: Option<String>,

    /// The run's duration in minutes
    #[arg(long, value_name = "N", help_heading = "Check-in")]
    pub run_min: Option<String>,

    /// When the run ended (RFC 3339)
    #[arg(long, value_name = "TIME", help_heading = "Check-in")]
    pub run_ended: Option<String>,

    /// The run's ascent in metres
    #[arg(long, value_name = "M", help_heading = "Check-in")]
    pub ascent: Option<String>,

    /// The run's descent in metres
    #[arg(long, value_name = "M", help_heading = "Check-in")]
    pub descent: Option<String>,

    /// The run's average heart rate (bpm)
    #[arg(long, value_name = "N", help_heading = "Check-in")]
    pub avg_hr: Option<String>,

    /// How hard the run felt, 1-10
    #[arg(long, value_name = "N", help_heading = "Check-in")]
    pub rpe: Option<String>,

    /// The run's activity file (FIT, GPX or TCX)
    #[arg(long, value_name = "FILE", help_heading = "Check-in")]
    pub run_file: Option<std::path::PathBuf>,

    /// When you plan to run next (RFC 3339)
    #[arg(long, value_name = "TIME", help_heading = "Check-in")]
    pub next_run: Option<String>,

    /// Your age in years
    #[arg(long, value_name = "N", help_heading = "Athlete")]
    pub age: Option<String>,

    /// female, male or unspecified
    #[arg(long, value_name = "SEX", help_heading = "Athlete")]
    pub sex: Option<String>,

    /// Body mass in kg
    #[arg(long, value_name = "KG", help_heading = "Athlete")]
    pub body_mass: Option<String>,

    /// Your usual weekly distance in km
    #[arg(long, value_name = "N", help_heading = "Athlete")]
    pub weekly_km: Option<String>,

    /// general, 5k, 10k, half_marathon, marathon, ultra or trail
    #[arg(long, value_name = "GOAL", help_heading = "Athlete")]
    pub goal: Option<String>,

    /// low, medium or high (for suggestions of equipment to consider)
    #[arg(long, value_name = "BUDGET", help_heading = "Athlete")]
    pub budget: Option<String>,

    /// Prefer an easy spin on the bike to a walk (when you own a bike)
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::value_parser!(bool),
        help_heading = "Athlete"
    )]
    pub prefers_cycling: Option<bool>,
}

/// A flag whose value does not have the flag's syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--{flag}: {message}")]
pub struct FlagError {
    /// The flag's name, without the dashes.
    pub flag: &'static str,
    /// What is wrong and what is allowed.
    pub message: String,
}

fn flag_error(flag: &'static str, message: impl Into<String>) -> FlagError {
    FlagError { flag, message: message.into() }
}

/// One change to the check-in document: the path of a field from the root, and its new value.
pub type Patch = (Vec<&'static str>, Value);

impl CheckinFlags {
    /// Every patch the flags make, `--run-file` included: the file is read and decoded here
    /// (the one flag that does IO), and its `run` fields come first so that a flag such as
    /// `--run-min` overrides the file's own value.
    pub fn read_patches(&self) -> anyhow::Result<Vec<Patch>> {
        let mut patches = match &self.run_file {
            Some(path) => run_file_patches(path)?,
            None => Vec::new(),
        };
        patches.extend(self.patches().map_err(|e| bad_input(e.to_string()))?);
        Ok(patches)
    }

    /// The patches the flags make: `(path, value)` pairs, path components from the root.
    ///
    /// Pure: `--run-file` is not here, [`CheckinFlags::read_patches`] reads it.
    pub fn patches(&self) -> Result<Vec<Patch>, FlagError> {
        let mut out: Vec<Patch> = Vec::new();
        let text = |s: &String| Value::String(s.trim().to_owned());
        if let Some(v) = &self.now {
            out.push((vec!["now"], text(v)));
        }
        if let Some(v) = &self.sore {
            out.push((vec!["soreness"], parse_soreness(v)?));
        }
        if !self.symptom.is_empty() {
            let mut all = Vec::new();
            for v in &self.symptom {
                all.extend(parse_symptoms(v)?);
            }
            out.push((vec!["symptoms"], Value::Array(all)));
        }
        if let Some(v) = &self.cramp {
            out.push((vec!["cramp_now"], text(v)));
        }
        if let Some(v) = &self.equipment {
            out.push((vec!["athlete", "equipment"], parse_list(v)));
        }
        if let Some(v) = &self.condition {
            out.push((vec!["athlete", "conditions"], parse_list(v)));
        }
        let numbers: [(&Option<String>, &'static str, [&'static str; 2]); 9] = [
            (&self.run_km, "run-km", ["run", "distance_km"]),
            (&self.run_min, "run-min", ["run", "duration_min"]),
            (&self.ascent, "ascent", ["run", "ascent_m"]),
            (&self.descent, "descent", ["run", "descent_m"]),
            (&self.avg_hr, "avg-hr", ["run", "avg_hr"]),
            (&self.rpe, "rpe", ["run", "rpe"]),
            (&self.age, "age", ["athlete", "age"]),
            (&self.body_mass, "body-mass", ["athlete", "body_mass_kg"]),
            (&self.weekly_km, "weekly-km", ["athlete", "weekly_km"]),
        ];
        for (value, flag, path) in numbers {
            if let Some(v) = value {
                out.push((path.to_vec(), parse_number(flag, v)?));
            }
        }
        if let Some(v) = &self.run_mi {
            out.push((vec!["run", "distance_km"], miles_as_km(v)?));
        }
        let texts: [(&Option<String>, &[&'static str]); 5] = [
            (&self.run_ended, &["run", "ended_at"]),
            (&self.next_run, &["next_run_at"]),
            (&self.sex, &["athlete", "sex"]),
            (&self.goal, &["athlete", "goal"]),
            (&self.budget, &["athlete", "budget"]),
        ];
        for (value, path) in texts {
            if let Some(v) = value {
                out.push((path.to_vec(), text(v)));
            }
        }
        if let Some(v) = self.prefers_cycling {
            out.push((vec!["athlete", "prefers_cycling"], Value::Bool(v)));
        }
        Ok(out)
    }
}

impl CheckinFlags {
    /// True when a flag describes the run (distance, duration, climb, heart rate, effort).
    fn describes_run(&self) -> bool {
        [
            &self.run_km,
            &self.run_mi,
            &self.run_min,
            &self.ascent,
            &self.descent,
            &self.avg_hr,
            &self.rpe,
        ]
        .iter()
        .any(|f| f.is_some())
            || self.run_file.is_some()
    }
}

/// The run flags without `--run-ended` set the run's end to the check-in's `now` (protocol.md
/// §1). Returns the assumption to name in the plan when it did so.
pub fn fill_run_end(doc: &mut Value, flags: &CheckinFlags) -> Option<String> {
    if !flags.describes_run() || flags.run_ended.is_some() {
        return None;
    }
    if afterrun_protocol::checkin::states_run_end(doc) {
        return None;
    }
    let now = afterrun_protocol::checkin::stated_now(doc)?.to_owned();
    apply_patch(doc, &["run", "ended_at"], Value::String(now.clone())).ok()?;
    let shown = now;
    Some(format!("the run's end not given (--run-ended): taken as the check-in's time, {shown}"))
}

/// The `run` fields an activity file gives: distance, moving time, climb, heart rate, end.
fn run_file_patches(path: &Path) -> anyhow::Result<Vec<Patch>> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| bad_input(format!("--run-file {shown}: cannot read: {e}")))?;
    let name = path.file_name().and_then(|n| n.to_str());
    let options = afterrun_activity::DecodeOptions { samples: false };
    let activity = afterrun_activity::decode(&bytes, name, &options)
        .map_err(|e| bad_input(format!("--run-file {shown}: {e}")))?;
    let summary = &activity.summary;
    for w in &summary.warnings {
        eprintln!("afterrun: note: --run-file {shown}: {}: {}", w.kind, w.message);
    }
    if !matches!(summary.totals.sport.as_str(), "running" | "trail_running" | "unknown" | "generic")
    {
        eprintln!(
            "afterrun: note: --run-file {shown}: the activity's sport is {}",
            summary.totals.sport
        );
    }
    Ok(run_fields(summary, &path.display().to_string()))
}

/// The check-in's `run` fields from an activity summary; a value the file lacks is left out.
fn run_fields(summary: &afterrun_activity::Summary, file: &str) -> Vec<Patch> {
    let round = |x: f64, places: i32| {
        let scale = 10f64.powi(places);
        serde_json::Number::from_f64((x * scale).round() / scale).map(Value::Number)
    };
    let mut out: Vec<Patch> = Vec::new();
    let mut put = |key: &'static str, value: Option<Value>| {
        if let Some(v) = value {
            out.push((vec!["run", key], v));
        }
    };
    put("distance_km", summary.totals.distance_m.and_then(|m| round(m / 1000.0, 3)));
    let moving = summary.totals.timer_s.filter(|t| *t > 0.0).or(summary.totals.elapsed_s);
    put("duration_min", moving.and_then(|s| round(s / 60.0, 1)));
    put("ascent_m", summary.totals.ascent_m.and_then(|m| round(m, 0)));
    put("descent_m", summary.totals.descent_m.and_then(|m| round(m, 0)));
    put("avg_hr", summary.totals.avg_hr.and_then(|h| round(h, 0)));
    let end = summary.end_time.or_else(|| {
        let start = summary.totals.start_time?;
        #[allow(clippy::cast_possible_truncation)] // seconds of one activity
        let elapsed = summary.totals.elapsed_s? as i64;
        start.checked_add(elapsed)
    });
    let end = end.and_then(|t| jiff::Timestamp::from_second(t).ok());
    put("ended_at", end.map(|t| Value::String(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())));
    put("file", Some(Value::String(file.to_owned())));
    out
}

/// A document patch that could not be applied: a field on the way is not an object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: must be a JSON object (to set {target} from a flag), found {found}")]
pub struct PatchError {
    /// The contract field (dotted path) that is in the way, or `$` for the document itself.
    pub field: String,
    /// The kind of JSON value found there.
    pub found: &'static str,
    /// The dotted path the flag sets.
    pub target: String,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Sets `path` in `doc` to `value`, creating objects on the way (a `null` on the way counts as
/// missing). The root must be an object.
pub fn apply_patch(doc: &mut Value, path: &[&str], value: Value) -> Result<(), PatchError> {
    let Some((last, parents)) = path.split_last() else {
        *doc = value;
        return Ok(());
    };
    let in_the_way = |walked: &[&str], found: &Value| PatchError {
        field: if walked.is_empty() { "$".to_owned() } else { walked.join(".") },
        found: kind(found),
        target: path.join("."),
    };
    let mut here = doc;
    for (depth, key) in parents.iter().enumerate() {
        let Value::Object(map) = here else {
            return Err(in_the_way(&parents[..depth], here));
        };
        let slot = map.entry((*key).to_owned()).or_insert(Value::Null);
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        here = slot;
    }
    let Value::Object(map) = here else {
        return Err(in_the_way(parents, here));
    };
    map.insert((*last).to_owned(), value);
    Ok(())
}

/// `a,b,c` as a JSON array of strings; empty items (and `""`) are dropped.
fn parse_list(text: &str) -> Value {
    Value::Array(
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect(),
    )
}

/// A decimal number as JSON: an integer when it is one (so `--rpe 8` is `8`, not `8.0`).
fn number_value(x: f64) -> Option<Value> {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)] // integral and well inside i64
        return Some(Value::Number(Number::from(x as i64)));
    }
    Number::from_f64(x).map(Value::Number)
}

fn parse_number(flag: &'static str, text: &str) -> Result<Value, FlagError> {
    let t = text.trim();
    t.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .and_then(number_value)
        .ok_or_else(|| flag_error(flag, format!("`{t}` is not a number")))
}

/// `--run-mi N` as the contract's kilometres, rounded to the metre.
fn miles_as_km(text: &str) -> Result<Value, FlagError> {
    let miles = parse_number("run-mi", text)?.as_f64().unwrap_or(f64::NAN);
    let km = (miles * afterrun_service::locale::METRES_PER_MILE).round() / 1000.0;
    number_value(km)
        .ok_or_else(|| flag_error("run-mi", format!("`{}` is not a number", text.trim())))
}

/// `quads=6,calves_left=4` as a `soreness` object.
fn parse_soreness(text: &str) -> Result<Value, FlagError> {
    let mut map = Map::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((group, rating)) = item.split_once('=') else {
            return Err(flag_error(
                "sore",
                format!("`{item}` is not GROUP=N (e.g. quads=6, a rating 0-10)"),
            ));
        };
        let group = group.trim();
        if group.is_empty() {
            return Err(flag_error("sore", format!("`{item}` has no muscle group before `=`")));
        }
        let rating = rating.trim();
        let value = rating.parse::<f64>().ok().filter(|x| x.is_finite()).and_then(number_value);
        let Some(value) = value else {
            return Err(flag_error(
                "sore",
                format!("`{rating}` in `{item}` is not a number (a rating 0-10)"),
            ));
        };
        if map.insert(group.to_owned(), value).is_some() {
            return Err(flag_error("sore", format!("`{group}` is given twice")));
        }
    }
    Ok(Value::Object(map))
}

/// `CODE@REGION[:HOURS[:TREND[:AFTER]]],…` as symptom objects; an empty part is left out
/// (unknown), so `swelling@calf_left::worsening` gives a trend without hours.
fn parse_symptoms(text: &str) -> Result<Vec<Value>, FlagError> {
    let mut out = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((code, rest)) = item.split_once('@') else {
            return Err(flag_error(
                "symptom",
                format!(
                    "`{item}` is not CODE@REGION[:HOURS[:TREND[:AFTER]]] (e.g. swelling@calf_left:30:worsening)"
                ),
            ));
        };
        let mut parts = rest.split(':').map(str::trim);
        let region = parts.next().unwrap_or_default();
        let (code, hours, trend, after) = (code.trim(), parts.next(), parts.next(), parts.next());
        if parts.next().is_some() {
            return Err(flag_error(
                "symptom",
                format!("`{item}` has too many `:` parts (CODE@REGION:HOURS:TREND:AFTER at most)"),
            ));
        }
        if code.is_empty() || region.is_empty() {
            return Err(flag_error("symptom", format!("`{item}` needs both a CODE and a REGION")));
        }
        let mut symptom = Map::new();
        symptom.insert("code".into(), Value::String(code.to_owned()));
        symptom.insert("region".into(), Value::String(region.to_owned()));
        if let Some(h) = hours.filter(|h| !h.is_empty()) {
            let value = h.parse::<f64>().ok().filter(|x| x.is_finite()).and_then(number_value);
            let Some(value) = value else {
                return Err(flag_error(
                    "symptom",
                    format!("`{h}` in `{item}` is not a number of hours"),
                ));
            };
            symptom.insert("since_hours".into(), value);
        }
        if let Some(t) = trend.filter(|t| !t.is_empty()) {
            symptom.insert("trend".into(), Value::String(t.to_owned()));
        }
        if let Some(a) = after.filter(|a| !a.is_empty()) {
            symptom.insert("after".into(), Value::String(a.to_owned()));
        }
        out.push(Value::Object(symptom));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn soreness_parses_groups_and_rejects_bad_ratings() {
        assert_eq!(
            parse_soreness("quads=6, calves_left=4.5").unwrap(),
            json!({"quads":6,"calves_left":4.5})
        );
        assert_eq!(parse_soreness("quads=abc").unwrap_err().flag, "sore");
        assert!(parse_soreness("quads").unwrap_err().message.contains("GROUP=N"));
        assert!(parse_soreness("quads=1,quads=2").unwrap_err().message.contains("twice"));
    }

    #[test]
    fn symptoms_take_optional_parts() {
        let got =
            parse_symptoms("swelling@calf_left:30:worsening,dull_ache@quads::stable:fall").unwrap();
        assert_eq!(
            got,
            vec![
                json!({"code":"swelling","region":"calf_left","since_hours":30,"trend":"worsening"}),
                json!({"code":"dull_ache","region":"quads","trend":"stable","after":"fall"}),
            ]
        );
        assert!(parse_symptoms("swelling").is_err());
        assert!(parse_symptoms("swelling@calf_left:x").is_err());
        assert!(parse_symptoms("a@b:1:c:d:e").is_err());
    }

    #[test]
    fn patches_create_objects_and_replace_fields() {
        let mut doc = json!({"run": null, "athlete": {"age": 30}});
        apply_patch(&mut doc, &["run", "rpe"], json!(8)).unwrap();
        apply_patch(&mut doc, &["athlete", "goal"], json!("ultra")).unwrap();
        apply_patch(&mut doc, &["soreness"], json!({"quads": 2})).unwrap();
        assert_eq!(
            doc,
            json!({"run":{"rpe":8},"athlete":{"age":30,"goal":"ultra"},"soreness":{"quads":2}})
        );
        let mut bad = json!({"run": 5});
        let err = apply_patch(&mut bad, &["run", "rpe"], json!(8)).unwrap_err();
        assert_eq!(err.field, "run");
        let mut not_object = json!([1]);
        assert_eq!(apply_patch(&mut not_object, &["now"], json!("x")).unwrap_err().field, "$");
    }

    #[test]
    fn numbers_are_integers_when_whole() {
        assert_eq!(parse_number("rpe", "8").unwrap(), json!(8));
        assert_eq!(parse_number("run-km", "21.1").unwrap(), json!(21.1));
        assert_eq!(parse_number("rpe", "eight").unwrap_err().flag, "rpe");
        assert!(parse_number("rpe", "NaN").is_err());
    }

    #[test]
    fn miles_become_kilometres() {
        // A half marathon: 13.1 mi = 21.0824064 km, to the metre 21.082.
        assert_eq!(miles_as_km("13.1").unwrap(), json!(21.082));
        assert_eq!(miles_as_km("26.2188").unwrap(), json!(42.195));
        assert_eq!(miles_as_km("far").unwrap_err().flag, "run-mi");
    }
}
