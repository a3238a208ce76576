//! Codes of the plan contract in plain words, for the CLI's text, the calendar file and the
//! web pages: one wording of `foam_rolling`, `calves_left` or a dose object everywhere.

use serde_json::Value;

/// A code in words: `half_marathon` → `half marathon`.
pub fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// A region code in words: `calves_left` → `left calves`, `leg_right` → `right leg`,
/// `all` → `everywhere`.
pub fn region_words(region: &str) -> String {
    match afterrun_protocol::region::Region::from_code(region, true) {
        Some(r) => r.words(),
        None => words(region),
    }
}

/// A list of regions in words, comma-separated.
pub fn regions_words<'a>(regions: impl IntoIterator<Item = &'a str>) -> String {
    regions.into_iter().map(region_words).collect::<Vec<_>>().join(", ")
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

/// A step's `dose` object in words, e.g. `45 s per muscle group, slow pace, light pressure`.
///
/// Known fields are worded in a fixed order; a field this version does not know is still shown,
/// as `name: value`, so nothing the engine says is hidden.
pub fn dose_words(dose: &Value) -> String {
    let Some(map) = dose.as_object() else {
        return String::new();
    };
    let get = |k: &str| map.get(k).map(value_words);
    let bouts = match (get("bouts"), get("bout_s")) {
        (Some(n), Some(t)) => Some(format!("{n} bouts of {t} s")),
        (Some(n), None) => Some(format!("{n} bouts")),
        (None, Some(t)) => Some(format!("bouts of {t} s")),
        (None, None) => None,
    };
    let holds = match (get("seconds"), get("reps")) {
        (Some(t), Some(r)) => Some(format!("{t} s holds, {r} times")),
        (Some(t), None) => Some(format!("{t} s holds")),
        (None, Some(r)) => Some(format!("{r} times")),
        (None, None) => None,
    };
    let swings = get("leg_swings_each_way").map(|v| format!("{v} leg swings each way"));
    let reps_per_side = match swings {
        Some(_) => None,
        None => get("reps_per_side").map(|v| format!("{v} each side")),
    };
    let sets = match map.get("sets").and_then(Value::as_u64) {
        Some(1) => Some("1 set".to_owned()),
        _ => get("sets").map(|n| format!("{n} sets")),
    };
    let electrolytes = map
        .get("electrolytes")
        .and_then(Value::as_bool)
        .map(|e| if e { "with electrolytes" } else { "no electrolytes needed" }.to_owned());
    let worded: [(&[&str], Option<String>); 21] = [
        (&["intensity"], get("intensity").map(|v| format!("{v} effort"))),
        (&["level"], get("level").map(|v| format!("level {v}"))),
        (&["minutes"], get("minutes").map(|v| format!("{v} min"))),
        (&["pattern"], get("pattern").map(|v| format!("{v} pattern"))),
        (&["hold_s"], get("hold_s").map(|v| format!("hold {v} s"))),
        (&["rest_s"], get("rest_s").map(|v| format!("vent {v} s between waves"))),
        (&["max_mmhg"], get("max_mmhg").map(|v| format!("at most {v} mmHg"))),
        (&["frequency_hz"], get("frequency_hz").map(|v| format!("{v} Hz"))),
        (&["amplitude_mm"], get("amplitude_mm").map(|v| format!("{v} mm amplitude"))),
        (&["bouts", "bout_s"], bouts),
        (&["stance"], get("stance").map(|v| format!("stance: {v}"))),
        (&["seconds", "reps"], holds),
        (&["leg_swings_each_way", "reps_per_side"], swings.or(reps_per_side)),
        (&["torso_twists"], get("torso_twists").map(|v| format!("{v} torso twists"))),
        (
            &["seconds_per_group"],
            get("seconds_per_group").map(|v| format!("{v} s per muscle group")),
        ),
        (&["seconds_per_spot"], get("seconds_per_spot").map(|v| format!("{v} s per spot"))),
        (&["sets"], sets),
        (&["pace"], get("pace").map(|v| format!("{v} pace"))),
        (&["pressure"], get("pressure").map(|v| format!("{v} pressure"))),
        (&["water_ml"], get("water_ml").map(|v| format!("about {v} ml of water"))),
        (&["electrolytes"], electrolytes),
    ];
    let known: Vec<&str> = worded.iter().flat_map(|(keys, _)| keys.iter().copied()).collect();
    let mut parts: Vec<String> = worded.into_iter().filter_map(|(_, part)| part).collect();
    for (key, value) in map {
        if !known.contains(&key.as_str()) {
            parts.push(format!("{}: {}", words(key), value_words(value)));
        }
    }
    parts.join(", ")
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
pub fn activity_words(line: &Value, locale: &crate::locale::Locale) -> String {
    let mut parts = Vec::new();
    if let Some(sport) = line.get("sport").and_then(Value::as_str).filter(|s| *s != "unknown") {
        parts.push(sport_words(sport));
    }
    if let Some(start) = line.get("start_time").and_then(Value::as_str) {
        parts.push(
            crate::parse_time(start).map_or_else(|| start.to_owned(), |t| locale.date_time(t)),
        );
    }
    if let Some(m) = line.get("distance_m").and_then(Value::as_f64).filter(|m| *m > 0.0) {
        parts.push(locale.distance(m));
    }
    if let Some(s) = line.get("elapsed_s").and_then(Value::as_f64).filter(|s| *s > 0.0) {
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
        assert_eq!(region_words("calves_left"), "left calf");
        assert_eq!(region_words("achilles_right"), "right Achilles");
        assert_eq!(region_words("whole_body"), "whole body");
        assert_eq!(region_words("adductors_left"), "left inner thigh");
        assert_eq!(region_words("all"), "everywhere");
        assert_eq!(regions_words(["quads", "feet_right"]), "quads, right foot");
    }
}
