//! What the pages show, in plain words: the check-in form's fields and their conversion into a
//! contract check-in, and the plan JSON turned into a view for a person.
//!
//! The pages render the plan's JSON (the contract), not the engine's internal types, so the web
//! app shows exactly what the API returns. The words for codes live here; the clinical texts
//! (reasons, advice, instructions, why) come from the engine and are shown as they are.

use afterrun_protocol::PlanDoc;
use afterrun_protocol::codes::Level;
use afterrun_protocol::doc::{StepDoc, TriageDoc};
use afterrun_protocol::references::readable;
use afterrun_service::locale::Locale;
use afterrun_store::PlanRow;
use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;
use serde_json::{Map, Value, json};

use afterrun_store::Profile;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;
use crate::respond::html_page;

/// Plans a check-in document (the API's `POST /api/plan` and the pages' forms alike, with no
/// history); a validation error becomes a problem naming the field.
pub(crate) fn plan_for(checkin_json: &str) -> Result<PlanDoc, Problem> {
    afterrun_protocol::plan_doc_noting(checkin_json, &afterrun_protocol::History::default(), &[])
        .map_err(|e| Problem::invalid_checkin(&e.field, e.message))
}

/// The eight muscle groups, with their words, in body-map order.
pub const GROUPS: &[(&str, &str)] = &[
    ("quads", "Quads"),
    ("adductors", "Inner thighs"),
    ("hip_flexors", "Hip flexors"),
    ("shins", "Shins"),
    ("feet", "Feet"),
    ("glutes", "Glutes"),
    ("hamstrings", "Hamstrings"),
    ("calves", "Calves"),
];

/// Symptom groups: a heading and the symptom codes with their plain words.
pub const SYMPTOMS: &[(&str, &[(&str, &str)])] = &[
    (
        "Pain and how it feels",
        &[
            ("dull_ache", "A dull ache"),
            ("sharp_pain", "Sharp or stabbing pain"),
            ("pain_at_rest", "Pain even when resting"),
            ("night_pain", "Pain that wakes you at night"),
            ("pain_with_stretch", "Pain when the muscle is stretched"),
            ("severe_muscle_pain", "Severe muscle pain, far beyond normal soreness"),
            ("pain_out_of_proportion", "Pain far worse than the run explains"),
            ("numbness", "Numbness"),
            ("tingling", "Tingling or pins and needles"),
            ("weakness", "Weakness in the leg"),
            ("cramp_recurrent", "Cramps that keep coming back"),
        ],
    ),
    (
        "What you see or feel on the leg",
        &[
            ("swelling", "Swelling"),
            ("warmth", "The skin feels warm"),
            ("redness", "Redness"),
            ("bruising", "Bruising"),
            ("tense_compartment", "The muscle feels rock-hard and tight"),
            ("pale_or_cold_foot", "The foot is pale or cold"),
            ("focal_bone_tenderness", "One spot on a bone hurts to press"),
            ("deformity", "Something looks out of shape"),
        ],
    ),
    (
        "Signs of an injury",
        &[
            ("pop_or_snap", "You felt a pop or a snap"),
            ("unable_to_bear_weight", "You can't put weight on the leg"),
            ("locking_or_giving_way", "A knee or ankle locks or gives way"),
        ],
    ),
    (
        "Whole body",
        &[
            ("chest_pain", "Chest pain"),
            ("shortness_of_breath", "Breathless at rest"),
            ("coughing_blood", "Coughing up blood"),
            ("dizziness", "Dizzy or faint"),
            ("fever", "Fever, or feeling feverish"),
            ("dark_urine", "Dark, cola-coloured urine"),
        ],
    ),
];

/// Where a symptom can be, in plain words (codes of the contract's regions).
pub const PLACES: &[(&str, &str)] = &[
    ("calf_left", "Left calf"),
    ("calf_right", "Right calf"),
    ("thigh_left", "Left thigh"),
    ("thigh_right", "Right thigh"),
    ("shin_left", "Left shin"),
    ("shin_right", "Right shin"),
    ("knee_left", "Left knee"),
    ("knee_right", "Right knee"),
    ("ankle_left", "Left ankle"),
    ("ankle_right", "Right ankle"),
    ("achilles_left", "Left Achilles"),
    ("achilles_right", "Right Achilles"),
    ("foot_left", "Left foot"),
    ("foot_right", "Right foot"),
    ("hip_left", "Left hip"),
    ("hip_right", "Right hip"),
    ("leg_left", "Whole left leg"),
    ("leg_right", "Whole right leg"),
    ("lower_back", "Lower back"),
    ("chest", "Chest"),
    ("whole_body", "Whole body"),
];

/// Where a cramp can be happening.
pub const CRAMP_PLACES: &[(&str, &str)] = &[
    ("calves_left", "Left calf"),
    ("calves_right", "Right calf"),
    ("hamstrings_left", "Left hamstrings"),
    ("hamstrings_right", "Right hamstrings"),
    ("quads_left", "Left quads"),
    ("quads_right", "Right quads"),
    ("feet_left", "Left foot"),
    ("feet_right", "Right foot"),
];

/// How long a symptom has been there.
pub const SINCE: &[(&str, &str)] = &[
    ("1", "Just started"),
    ("6", "A few hours"),
    ("24", "Since yesterday"),
    ("60", "2–3 days"),
    ("168", "A week or more"),
];

/// Which way a symptom is going.
pub const TRENDS: &[(&str, &str)] = &[
    ("improving", "Getting better"),
    ("stable", "About the same"),
    ("worsening", "Getting worse"),
];

/// What happened when it started.
pub const AFTERS: &[(&str, &str)] = &[
    ("none", "Nothing in particular"),
    ("sudden_onset_during_run", "It came on suddenly during the run"),
    ("twist", "I twisted something"),
    ("fall", "I fell"),
    ("collision", "I collided with something"),
];

/// Equipment, in plain words.
pub const EQUIPMENT: &[(&str, &str)] = &[
    ("foam_roller", "Foam roller"),
    ("massage_gun", "Massage gun"),
    ("compression_boots", "Compression boots"),
    ("vibration_plate", "Vibration plate"),
    ("bike", "Bike (stationary or road)"),
    ("pool", "Pool"),
    ("compression_socks", "Compression socks"),
];

/// Health conditions in plain words, and why they matter to a plan (protocol.md §3: "needs a
/// clinician's OK" is a relative contraindication, lifted by a clearance; "rules out" an
/// absolute one).
pub const CONDITIONS: &[(&str, &str, &str)] = &[
    (
        "pregnancy",
        "Pregnancy",
        "rules out the vibration plate; boots, and the massage gun on calves and inner thighs, need a clinician's OK",
    ),
    (
        "dvt_history",
        "Had a blood clot (DVT) before",
        "compression boots need a clinician's OK, at a capped pressure",
    ),
    (
        "anticoagulants",
        "Taking blood thinners",
        "rules out the massage gun; foam rolling only lightly; boots need a clinician's OK",
    ),
    ("heart_failure", "Heart failure", "rules out compression boots"),
    (
        "peripheral_arterial_disease",
        "Poor circulation in the legs (PAD)",
        "rules out compression boots",
    ),
    (
        "diabetic_neuropathy",
        "Nerve damage from diabetes",
        "you may not feel too much pressure: boots, plate and massage gun need a clinician's OK",
    ),
    (
        "peripheral_neuropathy",
        "Other nerve damage in the legs",
        "you may not feel too much pressure: boots and massage gun need a clinician's OK",
    ),
    (
        "varicose_veins",
        "Varicose veins",
        "boots, massage gun and foam rolling need a clinician's OK",
    ),
    (
        "recent_surgery",
        "Surgery in the last weeks",
        "rules out the vibration plate; boots need a clinician's OK",
    ),
    ("joint_replacement", "Joint replacement", "rules out the vibration plate"),
    (
        "pacemaker",
        "Pacemaker or implanted device",
        "rules out the vibration plate; boots need a clinician's OK",
    ),
    ("epilepsy", "Epilepsy", "rules out the vibration plate"),
    ("open_wound_leg", "Open wound on a leg", "rules out boots, massage gun and foam rolling"),
    (
        "skin_infection_leg",
        "Skin infection on a leg",
        "rules out boots, massage gun and foam rolling",
    ),
    ("lymphedema", "Lymphoedema", "compression boots need a clinician's OK, at a capped pressure"),
    ("hernia", "Hernia", "rules out the vibration plate"),
    (
        "cancer_active",
        "Cancer under treatment",
        "boots and the vibration plate need a clinician's OK",
    ),
    (
        "fracture_recent",
        "A recent broken bone",
        "rules out boots and the plate; even walking and stretching need a clinician's OK",
    ),
    ("kidney_stones", "Kidney stones", "rules out the vibration plate"),
    (
        "osteoporosis",
        "Osteoporosis",
        "the plate, massage gun and foam rolling need a clinician's OK",
    ),
    (
        "hypertension_uncontrolled",
        "High blood pressure not under control",
        "boots and the vibration plate need a clinician's OK",
    ),
];

/// A check-in form that could not become a check-in: the form field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// The form field (or the check-in's JSON path, when the engine refused it).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// The submitted form fields: every value of each name, in order.
#[derive(Debug, Clone, Default)]
pub struct FormValues(HashMap<String, Vec<String>>);

impl FormValues {
    /// Collects form pairs.
    pub fn new(pairs: Vec<(String, String)>) -> FormValues {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().push(v);
        }
        FormValues(map)
    }

    /// The first non-empty value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|vs| vs.iter().map(|v| v.trim()).find(|v| !v.is_empty()))
    }

    /// Whether a checkbox group holds `value`.
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.get(name).is_some_and(|vs| vs.iter().any(|v| v == value))
    }

    /// Every value of a field (a checkbox group's ticked values), in order.
    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0.get(name).into_iter().flatten().map(String::as_str)
    }

    /// Whether the form sent the field at all, even empty.
    pub fn sent(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

fn bad(field: &str, message: impl Into<String>) -> FormError {
    FormError { field: field.to_owned(), message: message.into() }
}

fn number(form: &FormValues, field: &str, low: f64, high: f64) -> Result<Option<f64>, FormError> {
    let Some(text) = form.get(field) else { return Ok(None) };
    let n: f64 = text
        .replace(',', ".")
        .parse()
        .map_err(|_| bad(field, format!("`{text}` is not a number")))?;
    if !(low..=high).contains(&n) {
        return Err(bad(field, format!("{n} is out of range: {low} to {high}")));
    }
    Ok(Some(n))
}

/// The weekly running volume of a form, in km: the `weekly_km` field, or `weekly_mi` when the
/// runner reads miles (the form shows the one of [`weekly_field`]).
pub fn weekly_volume_km(form: &FormValues) -> Result<Option<f64>, FormError> {
    if let Some(mi) = number(form, "weekly_mi", 0.0, 250.0)? {
        return Ok(Some((mi * afterrun_service::locale::METRES_PER_MILE).round() / 1000.0));
    }
    number(form, "weekly_km", 0.0, 400.0)
}

/// The weekly-volume field in the runner's units: `(name, label)`.
pub fn weekly_field(units: afterrun_service::locale::Units) -> (&'static str, &'static str) {
    match units {
        afterrun_service::locale::Units::Km => ("weekly_km", "Kilometres per week"),
        afterrun_service::locale::Units::Mi => ("weekly_mi", "Miles per week"),
    }
}

/// Where the form's `datetime-local` values (no zone) are read: the profile's zone when it
/// names one, else the browser's (`tz`, its `getTimezoneOffset()`: UTC minus local), else the
/// server's own.
#[derive(Debug, Clone)]
enum FormZone {
    Zone(jiff::tz::TimeZone),
    Offset(Offset),
}

fn form_zone(form: &FormValues, locale: &Locale) -> Result<FormZone, FormError> {
    let browser = match form.get("tz") {
        Some(t) => {
            Some(t.parse::<i32>().map_err(|_| bad("tz", "the time zone offset is not a number"))?)
        }
        None => None,
    };
    match browser {
        Some(m) if m.abs() > 18 * 60 => Err(bad("tz", "the time zone offset is out of range")),
        Some(m) if locale.tz_defaulted => Offset::from_seconds(-m * 60)
            .map(FormZone::Offset)
            .map_err(|_| bad("tz", "the time zone offset is out of range")),
        _ => Ok(FormZone::Zone(locale.tz.clone())),
    }
}

/// A `datetime-local` value (no zone) read in the form's zone.
fn local_time(
    form: &FormValues,
    field: &str,
    zone: &FormZone,
) -> Result<Option<Timestamp>, FormError> {
    let Some(text) = form.get(field) else { return Ok(None) };
    let civil: DateTime =
        text.parse().map_err(|_| bad(field, format!("`{text}` is not a date and time")))?;
    let out_of_range = || bad(field, format!("`{text}` is out of range"));
    let ts = match zone {
        FormZone::Offset(offset) => offset.to_timestamp(civil).map_err(|_| out_of_range())?,
        FormZone::Zone(tz) => tz.to_timestamp(civil).map_err(|_| out_of_range())?,
    };
    Ok(Some(ts))
}

/// A contract time (RFC 3339) in words in the server's own zone, for pages with no runner's
/// profile to follow (a coach's, the simulator's); the page's script then shows the browser's.
pub fn server_time_words(rfc3339: &str) -> String {
    let locale = afterrun_service::locale::Locale::of(&afterrun_store::Profile::default());
    afterrun_service::parse_time(rfc3339).map_or_else(|| rfc3339.to_owned(), |t| locale.when(t))
}

/// A timestamp in the contract's form: UTC, whole seconds, `Z`.
pub fn utc(ts: Timestamp) -> String {
    Timestamp::from_second(ts.as_second()).unwrap_or(ts).to_string()
}

fn allowed(value: &str, list: &[(&str, &str)]) -> bool {
    list.iter().any(|(code, _)| *code == value)
}

/// Turns the check-in form into a contract check-in, `now` being the server's clock.
/// Times are read in the runner's zone and the distance in their units ([`Locale`]).
pub fn checkin_from_form(
    form: &FormValues,
    now: Timestamp,
    locale: &Locale,
) -> Result<Value, FormError> {
    let zone = form_zone(form, locale)?;
    let mut doc = Map::new();
    doc.insert("now".into(), json!(utc(now)));

    // About the athlete.
    let mut athlete = Map::new();
    if let Some(age) = number(form, "age", 10.0, 110.0)? {
        athlete.insert("age".into(), json!(age));
    }
    if let Some(sex) = form.get("sex") {
        if !["female", "male", "unspecified"].contains(&sex) {
            return Err(bad("sex", "choose female, male or rather not say"));
        }
        athlete.insert("sex".into(), json!(sex));
    }
    if let Some(km) = weekly_volume_km(form)? {
        athlete.insert("weekly_km".into(), json!(km));
    }
    athlete.insert("equipment".into(), json!(ticked_equipment(form)));
    athlete.insert("conditions".into(), json!(ticked_conditions(form)));
    doc.insert("athlete".into(), Value::Object(athlete));

    // The run.
    let mut run = Map::new();
    if let Some(t) = local_time(form, "run_ended", &zone)? {
        if t > now {
            return Err(bad("run_ended", "the run cannot end in the future"));
        }
        run.insert("ended_at".into(), json!(utc(t)));
    }
    let per_km = locale.units.metres() / 1000.0;
    if let Some(d) = number(form, "run_distance", 0.0, 400.0 / per_km)? {
        run.insert("distance_km".into(), json!((d * per_km * 1000.0).round() / 1000.0));
    }
    for (field, key, low, high) in [
        ("run_min", "duration_min", 1.0, 2880.0),
        ("run_descent", "descent_m", 0.0, 20000.0),
        ("run_rpe", "rpe", 1.0, 10.0),
    ] {
        if let Some(n) = number(form, field, low, high)? {
            run.insert(key.into(), json!(n));
        }
    }
    if !run.is_empty() {
        doc.insert("run".into(), Value::Object(run));
    }

    // Soreness: equal sides become the bare group.
    let mut soreness = Map::new();
    for (group, _) in GROUPS {
        let left = number(form, &format!("sore_{group}_left"), 0.0, 10.0)?.unwrap_or(0.0);
        let right = number(form, &format!("sore_{group}_right"), 0.0, 10.0)?.unwrap_or(0.0);
        if left > 0.0 && left == right {
            soreness.insert((*group).to_owned(), json!(left));
        } else {
            if left > 0.0 {
                soreness.insert(format!("{group}_left"), json!(left));
            }
            if right > 0.0 {
                soreness.insert(format!("{group}_right"), json!(right));
            }
        }
    }
    if !soreness.is_empty() {
        doc.insert("soreness".into(), Value::Object(soreness));
    }

    // Symptoms.
    let after = form.get("after").unwrap_or("none");
    if !allowed(after, AFTERS) {
        return Err(bad("after", "choose one of the listed answers"));
    }
    let mut symptoms = Vec::new();
    for (_, list) in SYMPTOMS {
        for (code, _) in *list {
            if !form.has("sym", code) {
                continue;
            }
            let mut s = Map::new();
            s.insert("code".into(), json!(code));
            if let Some(place) = form.get(&format!("where_{code}")) {
                if !allowed(place, PLACES) {
                    return Err(bad(&format!("where_{code}"), "choose one of the listed places"));
                }
                s.insert("region".into(), json!(place));
            }
            if let Some(since) = form.get(&format!("since_{code}")) {
                if !allowed(since, SINCE) {
                    return Err(bad(&format!("since_{code}"), "choose one of the listed answers"));
                }
                let hours: f64 = since.parse().unwrap_or(0.0);
                s.insert("since_hours".into(), json!(hours));
            }
            if let Some(trend) = form.get(&format!("trend_{code}")) {
                if !allowed(trend, TRENDS) {
                    return Err(bad(&format!("trend_{code}"), "choose one of the listed answers"));
                }
                s.insert("trend".into(), json!(trend));
            }
            s.insert("after".into(), json!(after));
            symptoms.push(Value::Object(s));
        }
    }
    if let Some(unknown) = form
        .0
        .get("sym")
        .into_iter()
        .flatten()
        .find(|v| !SYMPTOMS.iter().any(|(_, list)| allowed(v, list)))
    {
        return Err(bad("sym", format!("unknown symptom `{unknown}`")));
    }
    doc.insert("symptoms".into(), Value::Array(symptoms));

    if let Some(cramp) = form.get("cramp") {
        if !allowed(cramp, CRAMP_PLACES) {
            return Err(bad("cramp", "choose one of the listed places"));
        }
        doc.insert("cramp_now".into(), json!(cramp));
    }
    if let Some(t) = local_time(form, "next_run", &zone)? {
        if t.as_second() < now.as_second() - 60 {
            return Err(bad(
                "next_run",
                "the next run is in the past: give when you will run next",
            ));
        }
        doc.insert("next_run_at".into(), json!(utc(t)));
    }
    Ok(Value::Object(doc))
}

pub use afterrun_service::words::{duration_words, modality_words};

/// A triage level as every page shows it: the plan's verdict, a stored plan's badge, a coach's
/// red flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelView {
    /// The level's code (`self_care` …), a data attribute for scripts and tests.
    pub code: &'static str,
    /// The CSS class of its colour.
    pub class: &'static str,
    /// The verdict in words.
    pub heading: &'static str,
    /// Urgent care or emergency: the page stops at the referral.
    pub red_flag: bool,
}

impl LevelView {
    /// The view of `level`.
    pub fn of(level: Level) -> LevelView {
        let (class, heading) = match level {
            Level::SelfCare => ("ok", "You can look after this yourself"),
            Level::SeePhysio => ("caution", "Book a sports physiotherapist"),
            Level::UrgentCare => ("urgent", "Get a medical assessment today"),
            Level::Emergency => ("emergency", "Call emergency services now"),
        };
        let red_flag = matches!(level, Level::UrgentCare | Level::Emergency);
        LevelView { code: level.code(), class, heading, red_flag }
    }
}

/// A plan step as shown.
#[derive(Debug, Clone)]
pub struct StepView {
    /// Index in the plan (for the done button).
    pub index: usize,
    /// The modality code (a CSS hook).
    pub modality: String,
    /// The heading.
    pub title: String,
    /// When it starts and how long it lasts.
    pub when: StepWhen,
    /// The targets in words.
    pub targets: String,
    /// The dose, one entry per line.
    pub dose: Vec<String>,
    /// What to do.
    pub instructions: Vec<String>,
    /// Why this step.
    pub why: String,
    /// Evidence: the citation of each reference the step names.
    pub evidence: Vec<String>,
    /// A referral step (the first thing to do at a red flag).
    pub referral: bool,
    /// Marked done (stored plans).
    pub done: bool,
}

/// When a step starts and how long it lasts, as shown.
#[derive(Debug, Clone)]
pub struct StepWhen {
    /// Start time, contract form (UTC); the page's script shows it in local time.
    pub start_utc: String,
    /// Start time on the runner's clock, for pages without script.
    pub start_label: String,
    /// "in 15 min" or "now".
    pub offset_label: String,
    /// The duration in seconds (for the timer).
    pub duration_s: u64,
    /// The duration in words (empty for a step without one).
    pub duration_label: String,
}

/// A blocked modality as shown.
#[derive(Debug, Clone)]
pub struct BlockView {
    /// The modality in words.
    pub modality: String,
    /// Where.
    pub region: String,
    /// The reason code.
    pub reason: String,
}

/// The triage as the plan page shows it, above the steps.
#[derive(Debug, Clone)]
pub struct VerdictView {
    /// The level: the heading, its colour, whether it is a red flag.
    pub level: LevelView,
    /// The engine's reasons.
    pub reasons: Vec<String>,
    /// The engine's advice.
    pub advice: String,
    /// What is blocked.
    pub blocked: Vec<BlockView>,
}

/// The plan page's content.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// The triage.
    pub verdict: VerdictView,
    /// The steps.
    pub steps: Vec<StepView>,
    /// Notes.
    pub notes: Vec<String>,
    /// Assumptions.
    pub assumptions: Vec<String>,
    /// The plan's time (key for the done marks kept in the browser).
    pub generated_at: String,
    /// The total time of the steps in words.
    pub total: String,
    /// The runner's IANA zone when their profile names one: the page's script then shows
    /// times in it too (without one, in the browser's own zone).
    pub tz: Option<String>,
}

/// Builds the plan page's view of a stored plan, with its steps marked done.
pub fn stored_plan_view(row: &PlanRow, locale: &Locale) -> Result<PlanView, serde_json::Error> {
    let done: Vec<u32> = row.completed.iter().map(|c| c.step).collect();
    Ok(plan_view(&PlanDoc::from_value(&row.plan)?, &done, locale))
}

/// Builds the plan page's view from the plan and the indexes of the steps done.
pub fn plan_view(plan: &PlanDoc, done: &[u32], locale: &Locale) -> PlanView {
    let steps: Vec<StepView> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(index, s)| step_view(plan, index, s, done, locale))
        .collect();
    let total_s: u64 = steps.iter().map(|s| s.when.duration_s).sum();
    PlanView {
        verdict: verdict_view(&plan.triage),
        steps,
        notes: plan.notes.iter().map(|t| readable(t)).collect(),
        assumptions: plan.assumptions.iter().map(|t| readable(t)).collect(),
        generated_at: utc(plan.generated_at),
        total: duration_words(total_s),
        tz: (!locale.tz_defaulted).then(|| locale.tz_name.clone()),
    }
}

/// The triage part of the plan page.
fn verdict_view(triage: &TriageDoc) -> VerdictView {
    VerdictView {
        level: LevelView::of(triage.level),
        reasons: triage.reasons.iter().map(|r| readable(&r.text)).collect(),
        advice: readable(&triage.advice),
        blocked: triage
            .blocked
            .iter()
            .map(|b| BlockView {
                modality: modality_words(b.modality.code()),
                region: b.region.words(),
                reason: afterrun_service::words::reason_words(&b.reason),
            })
            .collect(),
    }
}

/// One step of the plan page.
fn step_view(plan: &PlanDoc, index: usize, s: &StepDoc, done: &[u32], locale: &Locale) -> StepView {
    let offset = u64::from(s.offset_min);
    let duration_s = u64::from(s.duration_s);
    StepView {
        done: u32::try_from(index).is_ok_and(|i| done.contains(&i)),
        index,
        title: modality_words(s.modality.code()),
        referral: s.modality.is_referral(),
        modality: s.modality.code().to_owned(),
        when: StepWhen {
            start_utc: utc(s.start),
            start_label: locale.clock(s.start.as_second()),
            offset_label: if offset == 0 {
                "now".to_owned()
            } else {
                format!("in {}", duration_words(offset * 60))
            },
            duration_s,
            duration_label: if duration_s == 0 {
                String::new()
            } else {
                duration_words(duration_s)
            },
        },
        targets: afterrun_service::words::regions_words(&s.targets),
        dose: afterrun_service::words::dose_parts(&s.dose),
        instructions: s.instructions.iter().map(|t| readable(t)).collect(),
        why: readable(&s.why),
        evidence: s.evidence.iter().filter_map(|id| plan.citation(id)).map(str::to_owned).collect(),
    }
}

/// The form field a check-in error names: the form's own names pass through, the contract's
/// paths (`run.distance_km`, `soreness.quads`, `athlete.weekly_km`…) map to the form's fields.
pub fn form_field(field: &str) -> String {
    let plain = field.trim_start_matches("$.");
    let mapped = match plain {
        "run.ended_at" => "run_ended",
        "run.distance_km" => "run_distance",
        "run.duration_min" => "run_min",
        "run.descent_m" => "run_descent",
        "run.rpe" => "run_rpe",
        "next_run_at" => "next_run",
        "cramp_now" => "cramp",
        "athlete.age" => "age",
        "athlete.sex" => "sex",
        "athlete.weekly_km" => "weekly_km",
        other => {
            if let Some(group) = other.strip_prefix("soreness.") {
                let group = group.trim_end_matches("_left").trim_end_matches("_right");
                let side = if other.ends_with("_right") { "right" } else { "left" };
                return format!("sore_{group}_{side}");
            }
            other
        }
    };
    mapped.to_owned()
}

/// Puts a form error where the runner looks: on the field itself (`aria-invalid`, described by
/// the message, `autofocus` so the browser moves there on load, and the page's script after an
/// in-place swap), the message right after the field's label, and the collapsed section that
/// holds it opened. Works on the page as rendered, so every form gets it the same way, with or
/// without JavaScript; an error naming no field of the page leaves the page as it is (the
/// message stays at the top).
pub fn place_error(html: &str, field: &str, message: &str) -> String {
    let name = form_field(field);
    let needle = format!(" name=\"{name}\"");
    let Some(at) = html.find(&needle) else { return html.to_owned() };
    let Some(tag) = html[..at].rfind('<') else { return html.to_owned() };
    let tag_name_end = html[tag..].find([' ', '>']).map_or(at, |e| tag + e);
    let label_end = html[at..].find("</label>").map(|e| at + e + "</label>".len());
    let mut out = String::with_capacity(html.len() + 256);
    // The section: the last <details> opened before the field and not closed before it.
    let details = html[..tag].rfind("<details").filter(|d| !html[*d..tag].contains("</details>"));
    let mut cursor = 0;
    if let Some(d) = details {
        let end = d + "<details".len();
        out.push_str(&html[..end]);
        out.push_str(" open");
        cursor = end;
    }
    out.push_str(&html[cursor..tag_name_end]);
    out.push_str(" aria-invalid=\"true\" aria-describedby=\"field-error\" autofocus");
    let message = escape_html(message);
    let note = format!("<p class=\"field-error\" id=\"field-error\">{message}</p>");
    match label_end {
        Some(end) => {
            out.push_str(&html[tag_name_end..end]);
            out.push_str(&note);
            out.push_str(&html[end..]);
        }
        None => out.push_str(&html[tag_name_end..]),
    }
    out
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

// ----- what several pages draw -----

/// An option of a select.
#[derive(Debug, Clone)]
pub(crate) struct Opt {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

pub(crate) fn opts(
    list: &[(&str, &str)],
    selected: Option<&str>,
    placeholder: Option<&str>,
) -> Vec<Opt> {
    let mut out = Vec::with_capacity(list.len() + 1);
    if let Some(p) = placeholder {
        out.push(Opt { value: String::new(), label: p.to_owned(), selected: selected.is_none() });
    }
    out.extend(list.iter().map(|(value, label)| Opt {
        value: (*value).to_owned(),
        label: (*label).to_owned(),
        selected: selected == Some(*value),
    }));
    out
}

/// A checkbox.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub(crate) value: &'static str,
    pub(crate) label: &'static str,
    pub(crate) hint: &'static str,
    pub(crate) checked: bool,
}

/// The equipment the form ticks (`eq`), in [`EQUIPMENT`]'s order.
pub(crate) fn ticked_equipment(form: &FormValues) -> Vec<&'static str> {
    EQUIPMENT.iter().map(|(c, _)| *c).filter(|c| form.has("eq", c)).collect()
}

/// The conditions the form ticks (`cond`), in [`CONDITIONS`]' order.
pub(crate) fn ticked_conditions(form: &FormValues) -> Vec<&'static str> {
    CONDITIONS.iter().map(|(c, _, _)| *c).filter(|c| form.has("cond", c)).collect()
}

/// The equipment checkboxes, ticked as the form says (and `also`, when given).
pub(crate) fn equipment_checks(form: &FormValues, also: Option<&str>) -> Vec<Check> {
    EQUIPMENT
        .iter()
        .map(|(value, label)| Check {
            value,
            label,
            hint: "",
            checked: form.has("eq", value) || also == Some(*value),
        })
        .collect()
}

/// The health-condition checkboxes, ticked as the form says.
pub(crate) fn condition_checks(form: &FormValues) -> Vec<Check> {
    CONDITIONS
        .iter()
        .map(|(value, label, hint)| Check { value, label, hint, checked: form.has("cond", value) })
        .collect()
}

// Shapes of the viewer's left leg (viewBox 0 0 200 360); the right leg is the mirror image.
pub(crate) const SILHOUETTE: &str = "M56 26 Q40 90 46 168 Q48 186 54 198 Q50 250 58 300 L50 318 Q42 334 50 342 \
     L90 342 Q94 330 86 314 L84 300 Q94 250 90 198 Q98 184 98 168 L99 60 Q100 40 100 26 Z";

pub(crate) const FRONT: &[(&str, &str)] = &[
    ("hip_flexors", "M58 30 L98 30 L98 56 Q80 64 60 56 Z"),
    ("quads", "M50 66 Q66 72 85 64 L87 166 Q70 178 52 166 Q44 120 50 66 Z"),
    ("adductors", "M89 64 L98 62 L97 140 Q93 150 89 150 Z"),
    ("shins", "M57 202 Q71 195 86 202 Q88 250 81 296 L63 296 Q55 250 57 202 Z"),
    ("feet", "M58 306 L83 306 Q87 322 90 336 Q80 342 50 338 Q47 326 58 306 Z"),
];

pub(crate) const BACK: &[(&str, &str)] = &[
    ("glutes", "M50 30 L98 30 L98 80 Q74 92 50 80 Q45 54 50 30 Z"),
    ("hamstrings", "M50 90 Q74 100 96 90 L95 166 Q72 178 52 166 Q46 130 50 90 Z"),
    ("calves", "M54 198 Q70 190 88 198 Q94 232 84 272 L62 272 Q50 232 54 198 Z"),
];

pub(crate) const SEX: &[(&str, &str)] =
    &[("female", "Female"), ("male", "Male"), ("unspecified", "Rather not say")];

#[derive(Template)]
#[template(path = "plan.html")]
pub(crate) struct PlanPage {
    pub(crate) title: &'static str,
    pub(crate) nav: &'static str,
    pub(crate) plan: std::sync::Arc<PlanView>,
    pub(crate) ics_href: String,
    /// The stored plan's id: "done" is then a form kept in the store, else a mark in the browser.
    pub(crate) plan_id: Option<i64>,
    pub(crate) csrf: String,
    /// A coach's view of a runner's plan: what was done shows, nothing can be changed.
    pub(crate) read_only: Option<String>,
}

/// A form page refused with `error` (422): the error placed at its field, its section opened
/// ([`place_error`]).
pub(crate) fn form_page(template: &dyn askama::DynTemplate, error: &FormError) -> Response {
    match template.dyn_render() {
        Ok(html) => html_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            place_error(&html, &error.field, &error.message),
        ),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// A profile as form values (the check-in and profile forms share field names).
pub(crate) fn profile_form(profile: &Profile) -> FormValues {
    let mut pairs = vec![("from_profile".to_owned(), "1".to_owned())];
    for eq in profile.equipment.iter().flatten() {
        pairs.push(("eq".to_owned(), eq.clone()));
    }
    for cond in profile.conditions.iter().flatten() {
        pairs.push(("cond".to_owned(), cond.clone()));
    }
    if let Some(age) = profile.age {
        pairs.push(("age".to_owned(), age.to_string()));
    }
    if let Some(km) = profile.weekly_km {
        let units = Locale::of(profile).units;
        let shown = (km * 1000.0 / units.metres() * 10.0).round() / 10.0;
        pairs.push((weekly_field(units).0.to_owned(), shown.to_string()));
    }
    for (key, value) in [
        ("sex", &profile.sex),
        ("goal", &profile.goal),
        ("units", &profile.units),
        ("tz", &profile.tz),
    ] {
        if let Some(v) = value {
            pairs.push((key.to_owned(), v.clone()));
        }
    }
    for (key, value) in [("max_hr", profile.max_hr), ("rest_hr", profile.rest_hr)] {
        if let Some(v) = value {
            pairs.push((key.to_owned(), v.to_string()));
        }
    }
    if let Some(pace) = profile.threshold_pace_s_per_km.filter(|p| p.is_finite() && *p > 0.0) {
        let locale = Locale::of(profile);
        let s = (pace * locale.units.metres() / 1000.0).round() as i64;
        pairs.push(("threshold_pace".to_owned(), format!("{}:{:02}", s / 60, s % 60)));
    }
    FormValues::new(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormValues {
        FormValues::new(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    fn now() -> Timestamp {
        "2026-11-23T08:30:00Z".parse().unwrap()
    }

    #[test]
    fn equal_sides_become_the_bare_group_and_zeros_are_left_out() {
        let doc = checkin_from_form(
            &form(&[
                ("sore_quads_left", "6"),
                ("sore_quads_right", "6"),
                ("sore_calves_left", "4"),
                ("sore_calves_right", "0"),
            ]),
            now(),
            &Locale::utc(),
        )
        .unwrap();
        assert_eq!(doc["soreness"], json!({"quads": 6.0, "calves_left": 4.0}));
        assert_eq!(doc["now"], "2026-11-23T08:30:00Z");
    }

    fn locale(tz: Option<&str>, units: Option<&str>) -> Locale {
        let mut l = Locale::of(&afterrun_store::Profile {
            tz: tz.map(Into::into),
            units: units.map(Into::into),
            ..afterrun_store::Profile::default()
        });
        if tz.is_none() {
            // The server's own zone, whatever this machine's is: UTC for the test.
            l.tz = jiff::tz::TimeZone::UTC;
        }
        l
    }

    #[test]
    fn local_times_use_the_profile_zone_else_the_browser_offset() {
        // No zone in the profile: getTimezoneOffset() is -60 in Central European winter time.
        let no_zone = locale(None, None);
        let next = ("next_run", "2026-11-24T08:00");
        let doc = checkin_from_form(&form(&[next, ("tz", "-60")]), now(), &no_zone).unwrap();
        assert_eq!(doc["next_run_at"], "2026-11-24T07:00:00Z");
        let doc = checkin_from_form(&form(&[next]), now(), &no_zone).unwrap();
        assert_eq!(doc["next_run_at"], "2026-11-24T08:00:00Z");
        // The profile's zone wins over the browser's: 08:00 in New York (EST) is 13:00 UTC.
        let ny = locale(Some("America/New_York"), Some("mi"));
        let doc = checkin_from_form(&form(&[next, ("tz", "-60")]), now(), &ny).unwrap();
        assert_eq!(doc["next_run_at"], "2026-11-24T13:00:00Z");
    }

    #[test]
    fn an_error_is_placed_at_its_field_and_its_section_opened() {
        let html = "<details class=\"card more\"><summary>Run</summary><label class=\"field\"><span>Distance</span><input type=\"number\" name=\"run_distance\" id=\"run_distance\"></label></details><label><select name=\"age\"></select></label>";
        let out = place_error(html, "run.distance_km", "400 is <too> far");
        assert!(out.starts_with("<details open class=\"card more\">"), "{out}");
        assert!(out.contains("<input aria-invalid=\"true\" aria-describedby=\"field-error\" autofocus type=\"number\" name=\"run_distance\""), "{out}");
        assert!(out.contains("</label><p class=\"field-error\" id=\"field-error\">400 is &lt;too&gt; far</p></details>"), "{out}");
        // A field outside any section opens none; an unknown field changes nothing.
        let out = place_error(html, "age", "x");
        assert!(out.starts_with("<details class") && out.contains("<select aria-invalid"), "{out}");
        assert_eq!(place_error(html, "nowhere", "x"), html);
        assert_eq!(form_field("soreness.calves_right"), "sore_calves_right");
        assert_eq!(form_field("soreness.quads"), "sore_quads_left");
    }

    #[test]
    fn the_weekly_volume_is_in_the_runners_units() {
        assert_eq!(weekly_volume_km(&form(&[("weekly_mi", "30")])).unwrap(), Some(48.28));
        assert_eq!(weekly_volume_km(&form(&[("weekly_km", "50")])).unwrap(), Some(50.0));
        assert_eq!(
            weekly_volume_km(&form(&[("weekly_mi", "900")])).unwrap_err().field,
            "weekly_mi"
        );
        assert_eq!(
            weekly_field(afterrun_service::locale::Units::Mi),
            ("weekly_mi", "Miles per week")
        );
    }

    #[test]
    fn the_distance_is_in_the_runners_units() {
        let miles =
            checkin_from_form(&form(&[("run_distance", "13.1")]), now(), &locale(None, Some("mi")))
                .unwrap();
        assert_eq!(miles["run"]["distance_km"], 21.082);
        let km =
            checkin_from_form(&form(&[("run_distance", "21.1")]), now(), &Locale::utc()).unwrap();
        assert_eq!(km["run"]["distance_km"], 21.1);
    }

    #[test]
    fn symptoms_carry_place_trend_and_what_happened() {
        let doc = checkin_from_form(
            &form(&[
                ("sym", "swelling"),
                ("where_swelling", "calf_left"),
                ("trend_swelling", "worsening"),
                ("since_swelling", "24"),
                ("after", "twist"),
            ]),
            now(),
            &Locale::utc(),
        )
        .unwrap();
        assert_eq!(
            doc["symptoms"],
            json!([{"code":"swelling","region":"calf_left","since_hours":24.0,"trend":"worsening","after":"twist"}])
        );
    }

    #[test]
    fn bad_values_name_the_form_field() {
        for (pairs, field) in [
            (vec![("sore_quads_left", "11")], "sore_quads_left"),
            (vec![("sore_quads_left", "x")], "sore_quads_left"),
            (vec![("sym", "swelling"), ("where_swelling", "moon")], "where_swelling"),
            (vec![("sym", "made_up")], "sym"),
            (vec![("cramp", "nose")], "cramp"),
            (vec![("next_run", "tomorrow")], "next_run"),
            (vec![("run_ended", "2030-01-01T00:00")], "run_ended"),
            (vec![("next_run", "2026-11-22T08:00")], "next_run"),
            (vec![("tz", "100000")], "tz"),
        ] {
            let err = checkin_from_form(&form(&pairs), now(), &Locale::utc()).unwrap_err();
            assert_eq!(err.field, field, "{pairs:?}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(duration_words(270), "4 min 30 s", "the one wording: as long as the timer");
        assert_eq!(LevelView::of(Level::UrgentCare).class, "urgent");
        let checkin = r#"{"now":"2026-11-23T08:30:00Z","soreness":{"calves_left":5},
            "athlete":{"equipment":["massage_gun"]}}"#;
        let plan = afterrun_protocol::plan_doc_noting(checkin, &Default::default(), &[]).unwrap();
        let view = plan_view(&plan, &[], &Locale::utc());
        let gun = view.steps.iter().find(|s| s.modality == "massage_gun").unwrap();
        assert!(gun.dose.iter().any(|d| d.ends_with("s per spot")), "{:?}", gun.dose);
        assert!(gun.targets.contains("left calf"), "{}", gun.targets);
        assert!(!view.steps.iter().any(|s| s.targets.contains('_')), "regions in words");
    }
}
