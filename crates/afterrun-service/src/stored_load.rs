//! The load model over stored data: the profile as the load model reads it, an activity's load
//! as a row stores it, and which start dates count. A leaf shared by `import` (a new file),
//! `refresh` (recomputing stored load) and `history` (the load series), so none of those three
//! imports another to reach it.

use afterrun_activity::Activity;
use afterrun_store::Profile;
use serde_json::{Map, Value, json};

use crate::locale::Locale;

/// The load model's view of the stored profile.
pub fn load_profile(profile: &Profile) -> afterrun_load::AthleteProfile {
    afterrun_load::AthleteProfile {
        sex: match profile.sex.as_deref() {
            Some("female") => afterrun_load::Sex::Female,
            Some("male") => afterrun_load::Sex::Male,
            _ => afterrun_load::Sex::Unspecified,
        },
        age: profile.age.map(f64::from),
        max_hr: profile.max_hr.map(f64::from),
        rest_hr: profile.rest_hr.map(f64::from),
        threshold_hr: None,
        threshold_speed_mps: profile
            .threshold_pace_s_per_km
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| 1000.0 / s),
        pace_in_miles: Locale::of(profile).units == crate::locale::Units::Mi,
    }
}

/// The earliest plausible start of an activity: 1990-01-01T00:00:00Z (interfaces.md).
pub const PLAUSIBLE_FROM: i64 = 631_152_000;

/// Whether a start time is plausible for an activity imported at `imported_at`: not before
/// 1990 and not more than a day after the import.
pub fn plausible_start(start: i64, imported_at: i64) -> bool {
    start >= PLAUSIBLE_FROM && start <= imported_at.saturating_add(86_400)
}

/// An activity's stress and per-muscle load against `thresholds`, as stored.
pub fn load_of(
    activity: &Activity,
    thresholds: &afterrun_load::Thresholds,
) -> (Option<afterrun_store::Stress>, Option<Value>) {
    let (stress, muscle_load) = match afterrun_load::activity_load(activity, thresholds, None) {
        Some((load, stress)) => {
            let groups: Map<String, Value> = afterrun_load::MuscleGroup::ALL
                .iter()
                .map(|g| (g.as_str().to_owned(), json!(load.muscle.of(*g))))
                .collect();
            (stress, Some(Value::Object(groups)))
        }
        None => (afterrun_load::activity_stress(activity, thresholds, None), None),
    };
    let stress = stress.value.is_finite().then(|| afterrun_store::Stress {
        value: stress.value,
        kind: stress.kind.as_str().to_owned(),
    });
    (stress, muscle_load)
}
