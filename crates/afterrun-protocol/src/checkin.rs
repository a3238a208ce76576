//! The check-in (interfaces.md, "Check-in") and its validation (protocol.md §1).
//!
//! The JSON is read strictly into a borrowed tree ([`crate::strict`]: no key twice, strings
//! borrowed from the text) and walked by hand rather than derived, so that every error names
//! its field as a JSON path (`symptoms[1].code`) and says what is allowed, and so that an
//! unknown field anywhere is an error: a typo such as `"symptom"` must never silently drop a
//! red flag. `null` counts as missing, like an absent field. Paths are kept on the stack and
//! written out only for an error. A stored check-in (`serde_json::Value`) is validated by the
//! same walk over a borrowed view of it.

mod plain;

use std::borrow::Cow;
use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::Value;

use crate::codes::{After, Budget, Clinician, Condition, Equipment, Goal, Modality, Sex};
use crate::codes::{SymptomCode, Trend};
use crate::region::Region;
use crate::strict::{self, DUPLICATE, Json, Path};

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
    // A plain, valid document is read in one pass; anything else (and every error) the
    // strict way.
    match plain::read(json.strip_prefix('\u{feff}').unwrap_or(json)) {
        Some(checkin) => Ok(checkin),
        None => validate(&read_tree(json)?),
    }
}

/// Reads a JSON document, refusing a key given twice in one object (serde_json would keep the
/// last and silently drop the first, which could drop a red flag): the error names its path.
/// A UTF-8 byte-order mark before the JSON is ignored (protocol.md §1).
pub fn read_json(json: &str) -> Result<Value, CheckInError> {
    read_tree(json).map(Json::into_value)
}

/// [`read_json`] without building a `Value`: strings borrowed from `json` where they can be.
fn read_tree(json: &str) -> Result<Json<'_>, CheckInError> {
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    let mut de = serde_json::Deserializer::from_str(json);
    strict::read(&mut de).and_then(|v| de.end().map(|()| v)).map_err(json_error)
}

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

/// Validates a check-in already read as JSON (a stored check-in).
pub fn checkin_from_value(value: &Value) -> Result<CheckIn, CheckInError> {
    validate(&Json::borrowed(value))
}

/// The members of an object as [`strict::read`] gives them.
type Members<'a> = [(Cow<'a, str>, Json<'a>)];

const ATHLETE: Path<'static> = Path::Key(&Path::Root, "athlete");
const RUN: Path<'static> = Path::Key(&Path::Root, "run");
const SORENESS: Path<'static> = Path::Key(&Path::Root, "soreness");
const SYMPTOMS: Path<'static> = Path::Key(&Path::Root, "symptoms");

/// Validates a check-in read as a JSON tree.
fn validate(value: &Json<'_>) -> Result<CheckIn, CheckInError> {
    let map = object(value, &Path::Root)?;
    check_keys(
        map,
        &Path::Root,
        &["now", "athlete", "run", "soreness", "symptoms", "cramp_now", "next_run_at"],
    )?;
    let top = |key: &'static str| present(map, key).map(|v| (v, Path::Key(&Path::Root, key)));
    let now = match top("now") {
        Some((v, path)) => time(v, &path)?,
        None => return Err(CheckInError::new("now", "required: an RFC 3339 time")),
    };
    let athlete = match present(map, "athlete") {
        Some(v) => athlete(v)?,
        None => Athlete::default(),
    };
    let run = present(map, "run").map(run).transpose()?;
    let soreness = present(map, "soreness").map(soreness).transpose()?;
    let symptoms = present(map, "symptoms").map(symptoms).transpose()?;
    let cramp_now = top("cramp_now").map(|(v, path)| region(v, &path)).transpose()?;
    let next_run_at = top("next_run_at").map(|(v, path)| time(v, &path)).transpose()?;
    check_order(now, run.as_ref(), next_run_at)?;
    Ok(CheckIn { now, athlete, run, soreness, symptoms, cramp_now, next_run_at })
}

/// The member `key`, unless absent or `null`.
fn present<'m, 'a>(map: &'m Members<'a>, key: &str) -> Option<&'m Json<'a>> {
    map.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| **v != Json::Null)
}

/// An error at `path`; the document itself is named `$`.
fn error_at(path: &Path<'_>, message: String) -> CheckInError {
    let field = if matches!(path, Path::Root) { "$".to_owned() } else { path.to_string() };
    CheckInError { field, message }
}

fn type_name(value: &Json<'_>) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn object<'m, 'a>(value: &'m Json<'a>, path: &Path<'_>) -> Result<&'m Members<'a>, CheckInError> {
    match value {
        Json::Object(members) => Ok(members),
        _ => Err(error_at(path, format!("expected an object, found {}", type_name(value)))),
    }
}

fn array<'m, 'a>(value: &'m Json<'a>, path: &Path<'_>) -> Result<&'m [Json<'a>], CheckInError> {
    match value {
        Json::Array(items) => Ok(items),
        _ => Err(error_at(path, format!("expected an array, found {}", type_name(value)))),
    }
}

/// Refuses a member not in `allowed`: the first such key in sorted order is named.
fn check_keys(map: &Members<'_>, path: &Path<'_>, allowed: &[&str]) -> Result<(), CheckInError> {
    match map.iter().map(|(k, _)| k.as_ref()).filter(|k| !allowed.contains(k)).min() {
        Some(key) => Err(error_at(
            &Path::Key(path, key),
            format!("unknown field; allowed: {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

fn string<'m>(value: &'m Json<'_>, path: &Path<'_>) -> Result<&'m str, CheckInError> {
    match value {
        Json::String(s) => Ok(s),
        _ => Err(error_at(path, format!("expected a string, found {}", type_name(value)))),
    }
}

fn number(value: &Json<'_>, path: &Path<'_>, (low, high): Bounds) -> Result<f64, CheckInError> {
    let n = value.as_f64().filter(|n| n.is_finite()).ok_or_else(|| {
        error_at(
            path,
            format!("expected a number from {low} to {high}, found {}", type_name(value)),
        )
    })?;
    if n < low || n > high {
        return Err(error_at(path, format!("{n} is out of range: allowed {low} to {high}")));
    }
    Ok(n)
}

fn boolean(value: &Json<'_>, path: &Path<'_>) -> Result<bool, CheckInError> {
    match value {
        Json::Bool(b) => Ok(*b),
        _ => Err(error_at(path, format!("expected true or false, found {}", type_name(value)))),
    }
}

fn code<T>(
    value: &Json<'_>,
    path: &Path<'_>,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
) -> Result<T, CheckInError> {
    let s = string(value, path)?;
    parse(s).ok_or_else(|| error_at(path, format!("unknown code {s:?}; allowed: {}", allowed())))
}

/// A region code at `path` (a value, or a key of `soreness`).
fn region_code(s: &str, path: &Path<'_>) -> Result<Region, CheckInError> {
    Region::from_code(s, false).ok_or_else(|| {
        error_at(
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

fn region(value: &Json<'_>, path: &Path<'_>) -> Result<Region, CheckInError> {
    region_code(string(value, path)?, path)
}

/// The years a check-in's times and dates may lie in, read in UTC (protocol.md §1).
pub const YEARS: std::ops::RangeInclusive<i16> = 1990..=2200;

/// The time the run ended must not be after `now`, nor the next run before it.
pub(crate) fn check_order(
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

fn out_of_years(path: &Path<'_>, shown: &str) -> CheckInError {
    error_at(
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

fn time(value: &Json<'_>, path: &Path<'_>) -> Result<Timestamp, CheckInError> {
    let s = string(value, path)?;
    if let Some(t) = plain_utc(s) {
        return Ok(t);
    }
    let Ok(t) = s.parse::<Timestamp>() else {
        if leading_year(s).is_some_and(|y| !YEARS.contains(&i16::try_from(y).unwrap_or(i16::MAX))) {
            return Err(out_of_years(path, s));
        }
        return Err(error_at(
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

/// A time written exactly `YYYY-MM-DDTHH:MM:SSZ` within [`YEARS`], read without a parser
/// (the same instant jiff reads); `None` for any other form, left to jiff.
pub(crate) fn plain_utc(s: &str) -> Option<Timestamp> {
    let b: &[u8; 20] = s.as_bytes().try_into().ok()?;
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'Z')];
    if separators.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let field = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .try_fold(0i64, |n, &d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
    let (hour, minute, second) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
    let in_years = i16::try_from(year).is_ok_and(|y| YEARS.contains(&y));
    if !in_years
        || !(1..=12).contains(&month)
        || day < 1
        || day > crate::civil::days_in_month(year, month)
    {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = crate::civil::days_from_civil(year, month, day);
    Timestamp::from_second(days * 86_400 + hour * 3600 + minute * 60 + second).ok()
}

fn date(value: &Json<'_>, path: &Path<'_>) -> Result<jiff::civil::Date, CheckInError> {
    let s = string(value, path)?;
    let well_formed = s.len() == 10
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let parsed = if well_formed { s.parse::<jiff::civil::Date>().ok() } else { None };
    let date = parsed
        .ok_or_else(|| error_at(path, format!("malformed date {s:?}: expected YYYY-MM-DD")))?;
    if !YEARS.contains(&date.year()) {
        return Err(out_of_years(path, s));
    }
    Ok(date)
}

fn code_set<T: Ord>(
    value: &Json<'_>,
    path: &Path<'_>,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
) -> Result<BTreeSet<T>, CheckInError> {
    let items = array(value, path)?;
    let mut out = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        out.insert(code(item, &Path::Index(path, i), parse, allowed)?);
    }
    Ok(out)
}

/// A number's accepted range, both ends included.
pub(crate) type Bounds = (f64, f64);

/// The accepted range of each number of a check-in (protocol.md §1): one table for the strict
/// reader and the plain one ([`plain`]), so both accept the same values.
pub(crate) mod bounds {
    use super::Bounds;

    /// `athlete.age`, years.
    pub const AGE: Bounds = (10.0, 110.0);
    /// `athlete.body_mass_kg`.
    pub const BODY_MASS_KG: Bounds = (25.0, 250.0);
    /// `athlete.weekly_km`.
    pub const WEEKLY_KM: Bounds = (0.0, 400.0);
    /// `athlete.max_hr`, `athlete.rest_hr`, `run.avg_hr`, beats per minute.
    pub const HEART_RATE: Bounds = (30.0, 230.0);
    /// A clearance's `max_mmhg`.
    pub const MAX_MMHG: Bounds = (20.0, 110.0);
    /// `run.duration_min`.
    pub const DURATION_MIN: Bounds = (1.0, 2880.0);
    /// `run.distance_km`.
    pub const DISTANCE_KM: Bounds = (0.0, 400.0);
    /// `run.ascent_m`, `run.descent_m`.
    pub const CLIMB_M: Bounds = (0.0, 20000.0);
    /// `run.rpe`.
    pub const RPE: Bounds = (1.0, 10.0);
    /// A soreness rating.
    pub const SORENESS: Bounds = (0.0, 10.0);
    /// A symptom's `since_hours`.
    pub const SINCE_HOURS: Bounds = (0.0, 8760.0);
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

fn athlete(value: &Json<'_>) -> Result<Athlete, CheckInError> {
    let map = object(value, &ATHLETE)?;
    check_keys(map, &ATHLETE, ATHLETE_KEYS)?;
    let field = |key: &'static str| present(map, key).map(|v| (v, Path::Key(&ATHLETE, key)));
    let num = |key: &'static str, range: Bounds| -> Result<Option<f64>, CheckInError> {
        field(key).map(|(v, path)| number(v, &path, range)).transpose()
    };
    let mut athlete = Athlete {
        age: num("age", bounds::AGE)?,
        body_mass_kg: num("body_mass_kg", bounds::BODY_MASS_KG)?,
        weekly_km: num("weekly_km", bounds::WEEKLY_KM)?,
        max_hr: num("max_hr", bounds::HEART_RATE)?,
        rest_hr: num("rest_hr", bounds::HEART_RATE)?,
        ..Athlete::default()
    };
    if let Some((v, path)) = field("sex") {
        athlete.sex = Some(code(v, &path, Sex::from_code, Sex::allowed)?);
    }
    if let Some((v, path)) = field("goal") {
        athlete.goal = Some(code(v, &path, Goal::from_code, Goal::allowed)?);
    }
    if let Some((v, path)) = field("budget") {
        athlete.budget = Some(code(v, &path, Budget::from_code, Budget::allowed)?);
    }
    if let Some((v, path)) = field("equipment") {
        athlete.equipment = Some(code_set(v, &path, Equipment::from_code, Equipment::allowed)?);
    }
    if let Some((v, path)) = field("conditions") {
        athlete.conditions = Some(code_set(v, &path, Condition::from_code, Condition::allowed)?);
    }
    if let Some((v, path)) = field("prefers_cycling") {
        athlete.prefers_cycling = Some(boolean(v, &path)?);
    }
    if let Some((v, path)) = field("threshold_pace") {
        athlete.threshold_pace_s_per_km = Some(pace(v, &path)?);
    }
    if let Some((v, path)) = field("name") {
        athlete.name = Some(string(v, &path)?.to_string());
    }
    if let Some((v, path)) = field("clearances") {
        for (i, item) in array(v, &path)?.iter().enumerate() {
            athlete.clearances.push(clearance(item, &Path::Index(&path, i))?);
        }
    }
    Ok(athlete)
}

fn pace(value: &Json<'_>, path: &Path<'_>) -> Result<u32, CheckInError> {
    let s = string(value, path)?;
    let bad = || error_at(path, format!("malformed pace {s:?}: expected MM:SS per km"));
    let (m, sec) = s.split_once(':').ok_or_else(bad)?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    let sec: u32 = sec.parse().map_err(|_| bad())?;
    if sec >= 60 || m > 59 || (m == 0 && sec == 0) {
        return Err(bad());
    }
    Ok(m * 60 + sec)
}

fn clearance(value: &Json<'_>, path: &Path<'_>) -> Result<Clearance, CheckInError> {
    let map = object(value, path)?;
    check_keys(map, path, &["modality", "by", "date", "max_mmhg"])?;
    let field = |key: &'static str| present(map, key).map(|v| (v, Path::Key(path, key)));
    let modality = match field("modality") {
        Some((v, at)) => code(v, &at, Modality::from_code, Modality::allowed)?,
        None => {
            return Err(error_at(
                &Path::Key(path, "modality"),
                format!("required; allowed: {}", Modality::allowed()),
            ));
        }
    };
    let by = field("by")
        .map(|(v, at)| code(v, &at, Clinician::from_code, Clinician::allowed))
        .transpose()?;
    let date = field("date").map(|(v, at)| date(v, &at)).transpose()?;
    let max_mmhg = field("max_mmhg").map(|(v, at)| number(v, &at, bounds::MAX_MMHG)).transpose()?;
    Ok(Clearance { modality, by, date, max_mmhg })
}

fn run(value: &Json<'_>) -> Result<Run, CheckInError> {
    let map = object(value, &RUN)?;
    check_keys(
        map,
        &RUN,
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
    let field = |key: &'static str| present(map, key).map(|v| (v, Path::Key(&RUN, key)));
    let num = |key: &'static str, range: Bounds| -> Result<Option<f64>, CheckInError> {
        field(key).map(|(v, path)| number(v, &path, range)).transpose()
    };
    Ok(Run {
        ended_at: field("ended_at").map(|(v, path)| time(v, &path)).transpose()?,
        duration_min: num("duration_min", bounds::DURATION_MIN)?,
        distance_km: num("distance_km", bounds::DISTANCE_KM)?,
        ascent_m: num("ascent_m", bounds::CLIMB_M)?,
        descent_m: num("descent_m", bounds::CLIMB_M)?,
        avg_hr: num("avg_hr", bounds::HEART_RATE)?,
        rpe: num("rpe", bounds::RPE)?,
        file: field("file").map(|(v, path)| string(v, &path).map(str::to_string)).transpose()?,
    })
}

fn soreness(value: &Json<'_>) -> Result<Vec<(Region, f64)>, CheckInError> {
    let map = object(value, &SORENESS)?;
    // Keys in sorted order, so the first error named is the same whatever the input order.
    let mut members: Vec<&(Cow<'_, str>, Json<'_>)> = map.iter().collect();
    members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::with_capacity(map.len());
    for (key, v) in members {
        let path = Path::Key(&SORENESS, key);
        let region = region_code(key, &path)?;
        if *v == Json::Null {
            continue;
        }
        out.push((region, number(v, &path, bounds::SORENESS)?));
    }
    // Region order (groups in the contract's order, then parts): deterministic and cheap.
    out.sort_by_key(|(region, _)| *region);
    Ok(out)
}

fn symptoms(value: &Json<'_>) -> Result<Vec<Symptom>, CheckInError> {
    let items = array(value, &SYMPTOMS)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(symptom(item, &Path::Index(&SYMPTOMS, i))?);
    }
    Ok(out)
}

fn symptom(value: &Json<'_>, path: &Path<'_>) -> Result<Symptom, CheckInError> {
    let map = object(value, path)?;
    check_keys(map, path, &["code", "region", "since_hours", "trend", "after"])?;
    let field = |key: &'static str| present(map, key).map(|v| (v, Path::Key(path, key)));
    let sym_code = match field("code") {
        Some((v, at)) => code(v, &at, SymptomCode::from_code, SymptomCode::allowed)?,
        None => {
            return Err(error_at(
                &Path::Key(path, "code"),
                format!("required; allowed: {}", SymptomCode::allowed()),
            ));
        }
    };
    Ok(Symptom {
        code: sym_code,
        region: field("region").map(|(v, at)| region(v, &at)).transpose()?,
        since_hours: field("since_hours")
            .map(|(v, at)| number(v, &at, bounds::SINCE_HOURS))
            .transpose()?,
        trend: field("trend")
            .map(|(v, at)| code(v, &at, Trend::from_code, Trend::allowed))
            .transpose()?,
        after: field("after")
            .map(|(v, at)| code(v, &at, After::from_code, After::allowed))
            .transpose()?,
    })
}
