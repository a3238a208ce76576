//! The check-in (interfaces.md, "Check-in") and its validation (protocol.md §1).
//!
//! The JSON is read into a `serde_json::Value` and walked by hand rather than derived, so that
//! every error names its field as a JSON path (`symptoms[1].code`) and says what is allowed,
//! and so that an unknown field anywhere is an error: a typo such as `"symptom"` must never
//! silently drop a red flag. `null` counts as missing, like an absent field.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::codes::{After, Budget, Clinician, Condition, Equipment, Goal, Modality, Sex};
use crate::codes::{SymptomCode, Trend};
use crate::region::Region;

/// A check-in that failed validation: the field as a JSON path and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CheckInError {
    /// The JSON path of the field (`$` for the document itself).
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl CheckInError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> CheckInError {
        CheckInError { field: field.into(), message: message.into() }
    }
}

/// A validated check-in: how the legs feel now, who the athlete is, the run and the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    /// The moment of the check-in; every offset counts from it.
    pub now: Timestamp,
    /// The athlete's profile (all fields optional).
    pub athlete: Athlete,
    /// The run just done, when given.
    pub run: Option<Run>,
    /// Soreness ratings 0–10 per region, in region order; `None` when not given.
    pub soreness: Option<Vec<(Region, f64)>>,
    /// Reported symptoms, in input order; `None` when not given.
    pub symptoms: Option<Vec<Symptom>>,
    /// A cramp happening now, and where.
    pub cramp_now: Option<Region>,
    /// When the next run is planned.
    pub next_run_at: Option<Timestamp>,
}

/// The athlete's profile; missing fields are unknown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Athlete {
    /// Age in years (10–110).
    pub age: Option<f64>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Body mass in kg (25–250).
    pub body_mass_kg: Option<f64>,
    /// Usual weekly running volume in km (0–400).
    pub weekly_km: Option<f64>,
    /// Training goal.
    pub goal: Option<Goal>,
    /// Equipment owned; `None` when not given (then none is assumed).
    pub equipment: Option<BTreeSet<Equipment>>,
    /// Conditions; `None` when not given (then none is assumed, and said so).
    pub conditions: Option<BTreeSet<Condition>>,
    /// Clinicians' clearances.
    pub clearances: Vec<Clearance>,
    /// Equipment budget.
    pub budget: Option<Budget>,
    /// Prefers cycling to walking for active recovery.
    pub prefers_cycling: Option<bool>,
    /// Maximum heart rate (30–230), accepted for the profile.
    pub max_hr: Option<f64>,
    /// Resting heart rate (30–230), accepted for the profile.
    pub rest_hr: Option<f64>,
    /// Threshold pace in seconds per km, accepted for the profile (`MM:SS` on the wire).
    pub threshold_pace_s_per_km: Option<u32>,
    /// A display name, accepted for the profile.
    pub name: Option<String>,
}

impl Athlete {
    /// True when the athlete owns this equipment (unknown equipment counts as not owned).
    pub fn owns(&self, equipment: Equipment) -> bool {
        self.equipment.as_ref().is_some_and(|set| set.contains(&equipment))
    }

    /// True when the athlete has this condition.
    pub fn has(&self, condition: Condition) -> bool {
        self.conditions.as_ref().is_some_and(|set| set.contains(&condition))
    }
}

/// A clinician's clearance of one modality for this athlete.
#[derive(Debug, Clone, PartialEq)]
pub struct Clearance {
    /// The modality cleared.
    pub modality: Modality,
    /// Who cleared it.
    pub by: Option<Clinician>,
    /// When (`YYYY-MM-DD`).
    pub date: Option<jiff::civil::Date>,
    /// A pressure cap in mmHg (20–110).
    pub max_mmhg: Option<f64>,
}

impl Clearance {
    /// Only a dated clearance by a physiotherapist or a doctor lifts anything (protocol.md §1).
    pub fn lifts(&self) -> bool {
        self.date.is_some()
            && matches!(
                self.by,
                Some(crate::codes::Clinician::Physiotherapist | crate::codes::Clinician::Doctor)
            )
    }
}

/// The run just done.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Run {
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Duration in minutes (1–2880).
    pub duration_min: Option<f64>,
    /// Distance in km (0–400).
    pub distance_km: Option<f64>,
    /// Ascent in m (0–20000).
    pub ascent_m: Option<f64>,
    /// Descent in m (0–20000).
    pub descent_m: Option<f64>,
    /// Average heart rate (30–230).
    pub avg_hr: Option<f64>,
    /// Rate of perceived exertion (1–10).
    pub rpe: Option<f64>,
    /// The activity file, resolved by the caller.
    pub file: Option<String>,
}

impl Run {
    /// A *hard run*: ≥ 90 min or RPE ≥ 8 (protocol.md §2).
    pub fn is_hard(&self) -> bool {
        self.duration_min.is_some_and(|d| d >= 90.0) || self.rpe.is_some_and(|r| r >= 8.0)
    }

    /// Could it have been hard? Yes when it was, or when the duration or the effort that could
    /// make it so is unknown (resolved toward safety, protocol.md §1).
    pub fn may_be_hard(&self) -> bool {
        self.is_hard() || self.duration_min.is_none() || self.rpe.is_none()
    }
}

/// One reported symptom; missing details stay `None` and are resolved by triage.
#[derive(Debug, Clone, PartialEq)]
pub struct Symptom {
    /// What it is.
    pub code: SymptomCode,
    /// Where; `None` when not given (triage then treats it as the whole body).
    pub region: Option<Region>,
    /// Hours since it began (0–8760).
    pub since_hours: Option<f64>,
    /// How it is changing.
    pub trend: Option<Trend>,
    /// What it followed.
    pub after: Option<After>,
}

impl Symptom {
    /// The region triage uses: the whole body when none was given.
    pub fn region_or_whole(&self) -> Region {
        self.region.unwrap_or(Region::WholeBody)
    }
}

/// The `now` a check-in document states (a string), read before validation: the callers that
/// fill in a missing `now` or a run's end ask here, so the contract's field names are read in
/// this module only.
pub fn stated_now(doc: &Value) -> Option<&str> {
    doc.get("now")?.as_str()
}

/// Whether the document's `run` states its end (`run.ended_at`, not null).
pub fn states_run_end(doc: &Value) -> bool {
    doc.get("run").and_then(|r| r.get("ended_at")).is_some_and(|v| !v.is_null())
}

/// Parses and validates a check-in (protocol.md §1).
pub fn parse_checkin(json: &str) -> Result<CheckIn, CheckInError> {
    // A UTF-8 byte-order mark before the JSON is ignored (protocol.md §1).
    checkin_from_value(&read_json(json)?)
}

/// Reads a JSON document, refusing a key given twice in one object (serde_json would keep the
/// last and silently drop the first, which could drop a red flag): the error names its path.
/// A UTF-8 byte-order mark before the JSON is ignored (protocol.md §1).
pub fn read_json(json: &str) -> Result<Value, CheckInError> {
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    let mut de = serde_json::Deserializer::from_str(json);
    serde::de::DeserializeSeed::deserialize(Strict { path: String::new() }, &mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(json_error)
}

/// Marks a duplicate-key error so its path can be recovered from serde_json's message.
const DUPLICATE: &str = "duplicate field ";

fn json_error(e: serde_json::Error) -> CheckInError {
    let text = e.to_string();
    if let Some(rest) = text.strip_prefix(DUPLICATE) {
        let path = rest.split(' ').next().unwrap_or_default();
        return CheckInError::new(
            path,
            format!(
                "given twice: each field may appear once ({})",
                rest.trim_start_matches(path).trim()
            ),
        );
    }
    CheckInError::new("$", format!("not a readable JSON document: {text}"))
}

/// Reads JSON into a `Value`, refusing duplicate keys: serde_json would keep the last one and
/// silently drop the first, which could drop a red flag.
struct Strict {
    path: String,
}

impl<'de> serde::de::DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) =
            seq.next_element_seed(Strict { path: format!("{}[{}]", self.path, out.len()) })?
        {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join(&self.path, &key);
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE}{path}")));
            }
            let value = map.next_value_seed(Strict { path })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// Validates a check-in already read as JSON.
pub fn checkin_from_value(value: &Value) -> Result<CheckIn, CheckInError> {
    let map = object(value, "$")?;
    check_keys(
        map,
        "",
        &["now", "athlete", "run", "soreness", "symptoms", "cramp_now", "next_run_at"],
    )?;
    let now = match present(map, "now") {
        Some(v) => time(v, "now")?,
        None => return Err(CheckInError::new("now", "required: an RFC 3339 time")),
    };
    let athlete = match present(map, "athlete") {
        Some(v) => athlete(v)?,
        None => Athlete::default(),
    };
    let run = present(map, "run").map(run).transpose()?;
    let soreness = present(map, "soreness").map(soreness).transpose()?;
    let symptoms = present(map, "symptoms").map(symptoms).transpose()?;
    let cramp_now = present(map, "cramp_now").map(|v| region(v, "cramp_now")).transpose()?;
    let next_run_at = present(map, "next_run_at").map(|v| time(v, "next_run_at")).transpose()?;
    check_order(now, run.as_ref(), next_run_at)?;
    Ok(CheckIn { now, athlete, run, soreness, symptoms, cramp_now, next_run_at })
}

fn present<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, CheckInError> {
    value.as_object().ok_or_else(|| {
        CheckInError::new(path, format!("expected an object, found {}", type_name(value)))
    })
}

fn array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, CheckInError> {
    value.as_array().ok_or_else(|| {
        CheckInError::new(path, format!("expected an array, found {}", type_name(value)))
    })
}

fn check_keys(
    map: &Map<String, Value>,
    prefix: &str,
    allowed: &[&str],
) -> Result<(), CheckInError> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(CheckInError::new(
            join(prefix, key),
            format!("unknown field; allowed: {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

fn string<'a>(value: &'a Value, path: &str) -> Result<&'a str, CheckInError> {
    value.as_str().ok_or_else(|| {
        CheckInError::new(path, format!("expected a string, found {}", type_name(value)))
    })
}

fn number(value: &Value, path: &str, low: f64, high: f64) -> Result<f64, CheckInError> {
    let n = value.as_f64().filter(|n| n.is_finite()).ok_or_else(|| {
        CheckInError::new(
            path,
            format!("expected a number from {low} to {high}, found {}", type_name(value)),
        )
    })?;
    if n < low || n > high {
        return Err(CheckInError::new(
            path,
            format!("{n} is out of range: allowed {low} to {high}"),
        ));
    }
    Ok(n)
}

fn boolean(value: &Value, path: &str) -> Result<bool, CheckInError> {
    value.as_bool().ok_or_else(|| {
        CheckInError::new(path, format!("expected true or false, found {}", type_name(value)))
    })
}

fn code<T>(
    value: &Value,
    path: &str,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
) -> Result<T, CheckInError> {
    let s = string(value, path)?;
    parse(s).ok_or_else(|| {
        CheckInError::new(path, format!("unknown code {s:?}; allowed: {}", allowed()))
    })
}

fn region(value: &Value, path: &str) -> Result<Region, CheckInError> {
    let s = string(value, path)?;
    Region::from_code(s, false).ok_or_else(|| {
        CheckInError::new(
            path,
            format!(
                "unknown region {s:?}; allowed: a muscle group (quads, hamstrings, calves, glutes, \
                 shins, feet, adductors, hip_flexors), bare or with _left/_right; thigh_X, calf_X, \
                 shin_X, foot_X, knee_X, ankle_X, achilles_X, hip_X, leg_X (X = left or right); \
                 lower_back, chest, whole_body"
            ),
        )
    })
}

/// The years a check-in's times and dates may lie in, read in UTC (protocol.md §1).
pub const YEARS: std::ops::RangeInclusive<i16> = 1990..=2200;

/// The time the run ended must not be after `now`, nor the next run before it.
fn check_order(
    now: Timestamp,
    run: Option<&Run>,
    next_run_at: Option<Timestamp>,
) -> Result<(), CheckInError> {
    if let Some(end) = run.and_then(|r| r.ended_at).filter(|end| *end > now) {
        return Err(CheckInError::new(
            "run.ended_at",
            format!("{end} is after now ({now}): a check-in follows the run it reports"),
        ));
    }
    if let Some(next) = next_run_at.filter(|next| *next < now) {
        return Err(CheckInError::new(
            "next_run_at",
            format!("{next} is before now ({now}): the next run must lie ahead"),
        ));
    }
    Ok(())
}

fn out_of_years(path: &str, shown: &str) -> CheckInError {
    CheckInError::new(
        path,
        format!("{shown:?} lies outside the years {}–{} (UTC)", YEARS.start(), YEARS.end()),
    )
}

/// The year a well-formed `YYYY-…` (or `±YYYYYY-…`) text starts with, if it does.
fn leading_year(s: &str) -> Option<i64> {
    let sign = s.starts_with(['+', '-']);
    let digits: &str = s.get(usize::from(sign)..)?.split('-').next()?;
    if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i64 = digits.parse().ok()?;
    Some(if s.starts_with('-') { -year } else { year })
}

fn time(value: &Value, path: &str) -> Result<Timestamp, CheckInError> {
    let s = string(value, path)?;
    let Ok(t) = s.parse::<Timestamp>() else {
        if leading_year(s).is_some_and(|y| !YEARS.contains(&i16::try_from(y).unwrap_or(i16::MAX))) {
            return Err(out_of_years(path, s));
        }
        return Err(CheckInError::new(
            path,
            format!(
                "malformed time {s:?}: expected RFC 3339 with an offset, such as \
                 2026-11-23T08:30:00Z or 2026-11-23T09:30:00+01:00"
            ),
        ));
    };
    if !YEARS.contains(&jiff::tz::Offset::UTC.to_datetime(t).year()) {
        return Err(out_of_years(path, s));
    }
    Ok(t)
}

fn date(value: &Value, path: &str) -> Result<jiff::civil::Date, CheckInError> {
    let s = string(value, path)?;
    let well_formed = s.len() == 10
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let parsed = if well_formed { s.parse::<jiff::civil::Date>().ok() } else { None };
    let date = parsed.ok_or_else(|| {
        CheckInError::new(path, format!("malformed date {s:?}: expected YYYY-MM-DD"))
    })?;
    if !YEARS.contains(&date.year()) {
        return Err(out_of_years(path, s));
    }
    Ok(date)
}

fn code_set<T: Ord>(
    value: &Value,
    path: &str,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
) -> Result<BTreeSet<T>, CheckInError> {
    let items = array(value, path)?;
    let mut out = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        out.insert(code(item, &format!("{path}[{i}]"), parse, allowed)?);
    }
    Ok(out)
}

/// The fields a check-in's `athlete` object may carry (any other is an error).
pub const ATHLETE_KEYS: &[&str] = &[
    "age",
    "sex",
    "body_mass_kg",
    "weekly_km",
    "goal",
    "equipment",
    "conditions",
    "clearances",
    "budget",
    "prefers_cycling",
    "max_hr",
    "rest_hr",
    "threshold_pace",
    "name",
];

fn athlete(value: &Value) -> Result<Athlete, CheckInError> {
    let map = object(value, "athlete")?;
    check_keys(map, "athlete", ATHLETE_KEYS)?;
    let num = |key: &str, low: f64, high: f64| -> Result<Option<f64>, CheckInError> {
        present(map, key).map(|v| number(v, &join("athlete", key), low, high)).transpose()
    };
    let mut athlete = Athlete {
        age: num("age", 10.0, 110.0)?,
        body_mass_kg: num("body_mass_kg", 25.0, 250.0)?,
        weekly_km: num("weekly_km", 0.0, 400.0)?,
        max_hr: num("max_hr", 30.0, 230.0)?,
        rest_hr: num("rest_hr", 30.0, 230.0)?,
        ..Athlete::default()
    };
    if let Some(v) = present(map, "sex") {
        athlete.sex = Some(code(v, "athlete.sex", Sex::from_code, Sex::allowed)?);
    }
    if let Some(v) = present(map, "goal") {
        athlete.goal = Some(code(v, "athlete.goal", Goal::from_code, Goal::allowed)?);
    }
    if let Some(v) = present(map, "budget") {
        athlete.budget = Some(code(v, "athlete.budget", Budget::from_code, Budget::allowed)?);
    }
    if let Some(v) = present(map, "equipment") {
        athlete.equipment =
            Some(code_set(v, "athlete.equipment", Equipment::from_code, Equipment::allowed)?);
    }
    if let Some(v) = present(map, "conditions") {
        athlete.conditions =
            Some(code_set(v, "athlete.conditions", Condition::from_code, Condition::allowed)?);
    }
    if let Some(v) = present(map, "prefers_cycling") {
        athlete.prefers_cycling = Some(boolean(v, "athlete.prefers_cycling")?);
    }
    if let Some(v) = present(map, "threshold_pace") {
        athlete.threshold_pace_s_per_km = Some(pace(v, "athlete.threshold_pace")?);
    }
    if let Some(v) = present(map, "name") {
        athlete.name = Some(string(v, "athlete.name")?.to_string());
    }
    if let Some(v) = present(map, "clearances") {
        for (i, item) in array(v, "athlete.clearances")?.iter().enumerate() {
            athlete.clearances.push(clearance(item, &format!("athlete.clearances[{i}]"))?);
        }
    }
    Ok(athlete)
}

fn pace(value: &Value, path: &str) -> Result<u32, CheckInError> {
    let s = string(value, path)?;
    let bad = || CheckInError::new(path, format!("malformed pace {s:?}: expected MM:SS per km"));
    let (m, sec) = s.split_once(':').ok_or_else(bad)?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    let sec: u32 = sec.parse().map_err(|_| bad())?;
    if sec >= 60 || m > 59 || (m == 0 && sec == 0) {
        return Err(bad());
    }
    Ok(m * 60 + sec)
}

fn clearance(value: &Value, path: &str) -> Result<Clearance, CheckInError> {
    let map = object(value, path)?;
    check_keys(map, path, &["modality", "by", "date", "max_mmhg"])?;
    let modality = match present(map, "modality") {
        Some(v) => code(v, &join(path, "modality"), Modality::from_code, Modality::allowed)?,
        None => {
            return Err(CheckInError::new(
                join(path, "modality"),
                format!("required; allowed: {}", Modality::allowed()),
            ));
        }
    };
    let by = present(map, "by")
        .map(|v| code(v, &join(path, "by"), Clinician::from_code, Clinician::allowed))
        .transpose()?;
    let date = present(map, "date").map(|v| date(v, &join(path, "date"))).transpose()?;
    let max_mmhg = present(map, "max_mmhg")
        .map(|v| number(v, &join(path, "max_mmhg"), 20.0, 110.0))
        .transpose()?;
    Ok(Clearance { modality, by, date, max_mmhg })
}

fn run(value: &Value) -> Result<Run, CheckInError> {
    let map = object(value, "run")?;
    check_keys(
        map,
        "run",
        &[
            "ended_at",
            "duration_min",
            "distance_km",
            "ascent_m",
            "descent_m",
            "avg_hr",
            "rpe",
            "file",
        ],
    )?;
    let num = |key: &str, low: f64, high: f64| -> Result<Option<f64>, CheckInError> {
        present(map, key).map(|v| number(v, &join("run", key), low, high)).transpose()
    };
    Ok(Run {
        ended_at: present(map, "ended_at").map(|v| time(v, "run.ended_at")).transpose()?,
        duration_min: num("duration_min", 1.0, 2880.0)?,
        distance_km: num("distance_km", 0.0, 400.0)?,
        ascent_m: num("ascent_m", 0.0, 20000.0)?,
        descent_m: num("descent_m", 0.0, 20000.0)?,
        avg_hr: num("avg_hr", 30.0, 230.0)?,
        rpe: num("rpe", 1.0, 10.0)?,
        file: present(map, "file")
            .map(|v| string(v, "run.file").map(str::to_string))
            .transpose()?,
    })
}

fn soreness(value: &Value) -> Result<Vec<(Region, f64)>, CheckInError> {
    let map = object(value, "soreness")?;
    let mut out = Vec::with_capacity(map.len());
    for (key, v) in map {
        let path = format!("soreness.{key}");
        let region = region(&Value::String(key.clone()), &path)?;
        if v.is_null() {
            continue;
        }
        out.push((region, number(v, &path, 0.0, 10.0)?));
    }
    // Region order (groups in the contract's order, then parts): deterministic and cheap.
    out.sort_by_key(|(region, _)| *region);
    Ok(out)
}

fn symptoms(value: &Value) -> Result<Vec<Symptom>, CheckInError> {
    let items = array(value, "symptoms")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("symptoms[{i}]");
        let map = object(item, &path)?;
        check_keys(map, &path, &["code", "region", "since_hours", "trend", "after"])?;
        let code_path = join(&path, "code");
        let sym_code = match present(map, "code") {
            Some(v) => code(v, &code_path, SymptomCode::from_code, SymptomCode::allowed)?,
            None => {
                return Err(CheckInError::new(
                    code_path,
                    format!("required; allowed: {}", SymptomCode::allowed()),
                ));
            }
        };
        out.push(Symptom {
            code: sym_code,
            region: present(map, "region")
                .map(|v| region(v, &join(&path, "region")))
                .transpose()?,
            since_hours: present(map, "since_hours")
                .map(|v| number(v, &join(&path, "since_hours"), 0.0, 8760.0))
                .transpose()?,
            trend: present(map, "trend")
                .map(|v| code(v, &join(&path, "trend"), Trend::from_code, Trend::allowed))
                .transpose()?,
            after: present(map, "after")
                .map(|v| code(v, &join(&path, "after"), After::from_code, After::allowed))
                .transpose()?,
        });
    }
    Ok(out)
}
