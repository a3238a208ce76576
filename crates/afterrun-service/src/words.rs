//! Codes of the plan contract in plain words, for the CLI's text, the calendar file and the
//! web pages: one wording of `foam_rolling`, `calves_left` or a dose object everywhere.

use afterrun_protocol::doc::DoseDoc;
use afterrun_protocol::region::Region;
use serde_json::Value;

/// A code in words: `half_marathon` → `half marathon`.
pub fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// Regions in words, comma-separated: `[quads, feet_right]` → "quads, right foot".
pub fn regions_words(regions: &[Region]) -> String {
    regions.iter().map(|r| r.words()).collect::<Vec<_>>().join(", ")
}

/// A step modality in words, as a title (`foam_rolling` → `Foam roller`).
pub fn modality_words(modality: &str) -> String {
    match modality {
        "walk" => "Easy walk".to_owned(),
        "easy_cycle" => "Easy spin on the bike".to_owned(),
        "dynamic_stretching" => "Leg swings and torso twists".to_owned(),
        "static_stretching" => "Gentle stretch, held".to_owned(),
        "foam_rolling" => "Foam roller".to_owned(),
        "massage_gun" => "Massage gun".to_owned(),
        "compression_boots" => "Compression boots".to_owned(),
        "vibration_plate" => "Vibration plate".to_owned(),
        "hydration" => "Drink water with electrolytes".to_owned(),
        "rest" => "Rest".to_owned(),
        "consult_physio" => "Book a sports physiotherapist".to_owned(),
        "seek_urgent_care" => "Get a medical assessment today".to_owned(),
        "call_emergency" => "Call emergency services".to_owned(),
        other => {
            let mut w = words(other);
            if let Some(first) = w.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            w
        }
    }
}

/// A reason code in words, for blocks that carry only a code.
pub fn reason_words(code: &str) -> String {
    if let Some(condition) = code.strip_prefix("contra_absolute:") {
        return format!("not safe with {}", words(condition));
    }
    if let Some(condition) = code.strip_prefix("contra_relative:") {
        return format!("with {} only after a clinician's clearance", words(condition));
    }
    let text = match code {
        "possible_pe" => "possible blood clot in the lungs",
        "acute_limb_ischaemia" | "possible_limb_ischaemia" => "blood flow to the leg may be cut",
        "acute_compartment_syndrome" | "possible_compartment_syndrome" => {
            "possible compartment syndrome"
        }
        "suspected_dvt" => "possible blood clot in the leg (DVT)",
        "possible_rhabdomyolysis" => "possible muscle breakdown (rhabdomyolysis)",
        "possible_fracture_or_rupture" => "possible fracture or tendon rupture",
        "possible_infection" => "possible infection",
        "persistent_dizziness" => "dizziness that needs checking",
        "persistent_or_worsening_pain" => "pain that needs a physiotherapist's look",
        "swelling" => "swelling",
        "nerve_symptoms" => "numbness or tingling",
        "possible_bone_stress_injury" => "possible bone stress injury",
        "acute_injury" => "an injury",
        "recurrent_cramps" => "cramps that keep coming back",
        "prolonged_soreness" => "soreness lasting longer than usual",
        "unexplained_symptom" => "a symptom that needs checking",
        "doms_expected" => "ordinary soreness after exercise (DOMS)",
        "local_symptom" => "a symptom in that area",
        "over_bone" => "never over bone or joints",
        "dizziness" => "dizziness",
        other => return words(other),
    };
    text.to_owned()
}

/// A JSON value as a short word: numbers as written, strings with `_` as spaces.
pub fn value_words(v: &Value) -> String {
    match v {
        Value::String(s) => words(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Null => "-".to_owned(),
        Value::Array(items) => items.iter().map(value_words).collect::<Vec<_>>().join(" / "),
        other => other.to_string(),
    }
}

/// A step's dose in words, e.g. `45 s per muscle group, 1 set, slow pace, light pressure`.
pub fn dose_words(dose: &DoseDoc) -> String {
    dose_parts(dose).join(", ")
}

/// A step's dose in words, one part each (`45 s per muscle group`, `1 set`, …): the lines of
/// the plan page's dose list, and [`dose_words`] joined.
pub fn dose_parts(dose: &DoseDoc) -> Vec<String> {
    match dose {
        DoseDoc::Easy { intensity } => vec![format!("{} effort", words(intensity))],
        DoseDoc::Dynamic { leg_swings_each_way, torso_twists, .. } => vec![
            format!("{leg_swings_each_way} leg swings each way"),
            format!("{torso_twists} torso twists"),
        ],
        DoseDoc::Static { seconds, reps } => vec![format!("{seconds} s holds, {reps} times")],
        DoseDoc::FoamRolling { seconds_per_group, sets, pace, pressure } => vec![
            format!("{seconds_per_group} s per muscle group"),
            if *sets == 1 { "1 set".to_owned() } else { format!("{sets} sets") },
            format!("{} pace", words(pace)),
            format!("{} pressure", pressure.code()),
        ],
        DoseDoc::MassageGun { seconds_per_spot, pressure } => {
            vec![format!("{seconds_per_spot} s per spot"), format!("{} pressure", pressure.code())]
        }
        DoseDoc::Compression { level, minutes, pattern, hold_s, rest_s, max_mmhg } => {
            let mut parts = vec![
                format!("level {level}"),
                format!("{minutes} min"),
                format!("{} pattern", words(pattern)),
                format!("hold {hold_s} s"),
                format!("vent {rest_s} s between waves"),
            ];
            parts.extend(max_mmhg.map(|m| format!("at most {m} mmHg")));
            parts
        }
        DoseDoc::Vibration { frequency_hz, amplitude_mm, bout_s, bouts, stance } => vec![
            format!("{} Hz", number_words(*frequency_hz)),
            format!("{} mm amplitude", number_words(*amplitude_mm)),
            format!("{bouts} bouts of {bout_s} s"),
            format!("stance: {}", stance.iter().map(|s| words(s)).collect::<Vec<_>>().join(" / ")),
        ],
        DoseDoc::Hydration { water_ml, electrolytes } => vec![
            format!("about {water_ml} ml of water"),
            if *electrolytes { "with electrolytes" } else { "no electrolytes needed" }.to_owned(),
        ],
        DoseDoc::None {} => Vec::new(),
    }
}

/// A number as the plan's JSON writes it (`1.0`, `27.5`), so the words and the document agree.
fn number_words(x: f64) -> String {
    serde_json::Number::from_f64(x).map_or_else(|| x.to_string(), |n| n.to_string())
}

/// A sport code in words: `trail_running` → "Trail running".
pub fn sport_words(sport: &str) -> String {
    let text = sport.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A duration in words, exact to the second: `45 s`, `4 min 30 s`, `12 min`, `1 h 30 min`.
/// The one wording of a step's time for the CLI, the web pages and the calendar: a 270 s dose
/// is "4 min 30 s" everywhere, as long as its timer.
pub fn duration_words(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// Seconds as `h:mm:ss` or `m:ss`.
pub fn clock_words(seconds: f64) -> String {
    // Whole seconds of a finite, non-negative duration: the cast cannot overflow in practice.
    let s = seconds.max(0.0).round() as u64;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// What an `import --json` line's activity was, in the runner's zone and units:
/// "Running · Sun 22 Nov 08:01 · 13.2 mi · 1:35:28".
pub fn activity_words(line: &crate::import::LineView, locale: &crate::locale::Locale) -> String {
    let mut parts = Vec::new();
    if let Some(sport) = line.activity.sport.as_deref().filter(|s| *s != "unknown") {
        parts.push(sport_words(sport));
    }
    if let Some(start) = line.activity.start_time.as_deref() {
        parts.push(
            crate::parse_time(start).map_or_else(|| start.to_owned(), |t| locale.date_time(t)),
        );
    }
    if let Some(m) = line.activity.distance_m.filter(|m| *m > 0.0) {
        parts.push(locale.distance(m));
    }
    if let Some(s) = line.activity.elapsed_s.filter(|s| *s > 0.0) {
        parts.push(clock_words(s));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {

    #[test]
    fn durations_read_exactly() {
        assert_eq!(duration_words(45), "45 s");
        assert_eq!(duration_words(270), "4 min 30 s");
        assert_eq!(duration_words(720), "12 min");
        assert_eq!(duration_words(5400), "1 h 30 min");
        assert_eq!(duration_words(0), "0 s");
    }

    use super::*;

    #[test]
    fn regions_read_as_words() {
        let r = |codes: &[&str]| -> Vec<Region> {
            codes.iter().map(|c| Region::from_code(c, true).unwrap()).collect()
        };
        assert_eq!(
            regions_words(&r(&["calves_left", "achilles_right"])),
            "left calf, right Achilles"
        );
        assert_eq!(
            regions_words(&r(&["whole_body", "adductors_left"])),
            "whole body, left inner thigh"
        );
        assert_eq!(regions_words(&r(&["all"])), "everywhere");
        assert_eq!(regions_words(&r(&["quads", "feet_right"])), "quads, right foot");
    }
}
