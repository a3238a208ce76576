//! The athlete's profile, checked once for every door it comes in by (`afterrun profile`,
//! `PUT /api/athletes/{id}/profile`, the web profile form): thresholds by their ranges, the
//! zone against the time-zone database, units, the load model's seed and time constants, and
//! the check-in fields through the check-in parser (so codes and ranges are the contract's).

use afterrun_store::Profile;
use serde_json::json;

use crate::checkin::merge_profile;
use crate::locale::{Units, zone};

/// A profile field that is out of its range, named as the profile document names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ProfileError {
    /// The field, as in the profile document (`max_hr`, `tz`, `equipment[1]`…).
    pub field: String,
    /// Why, in words.
    pub message: String,
}

fn bad(field: &str, message: impl Into<String>) -> ProfileError {
    ProfileError { field: field.to_owned(), message: message.into() }
}

/// Heart rates a profile may hold, beats per minute.
pub const MAX_HR_RANGE: std::ops::RangeInclusive<u32> = 100..=240;
/// Resting heart rates a profile may hold, beats per minute.
pub const REST_HR_RANGE: std::ops::RangeInclusive<u32> = 25..=120;
/// Threshold paces a profile may hold, seconds per km (2:00 to 15:00).
pub const PACE_RANGE: std::ops::RangeInclusive<f64> = 120.0..=900.0;
/// Seeded fitness or fatigue a profile may hold, stress points per day.
pub const SEED_RANGE: std::ops::RangeInclusive<f64> = 0.0..=300.0;

/// Checks every field of a profile; the first problem found, by field.
pub fn validate(p: &Profile) -> Result<(), ProfileError> {
    thresholds(p)?;
    locale(p)?;
    load_model(p)?;
    let mut doc = json!({"now": "2026-01-01T00:00:00Z"});
    merge_profile(&mut doc, p);
    afterrun_protocol::parse_checkin(&doc.to_string()).map(|_| ()).map_err(|e| {
        let field = e.field.strip_prefix("athlete.").unwrap_or(&e.field);
        bad(field, e.message)
    })
}

fn thresholds(p: &Profile) -> Result<(), ProfileError> {
    if let Some(v) = p.max_hr.filter(|v| !MAX_HR_RANGE.contains(v)) {
        return Err(bad("max_hr", format!("{v}: must be 100 to 240 beats per minute")));
    }
    if let Some(v) = p.rest_hr.filter(|v| !REST_HR_RANGE.contains(v)) {
        return Err(bad("rest_hr", format!("{v}: must be 25 to 120 beats per minute")));
    }
    if let (Some(rest), Some(max)) = (p.rest_hr, p.max_hr)
        && rest >= max
    {
        return Err(bad("rest_hr", format!("{rest}: must be below the maximum heart rate {max}")));
    }
    if let Some(v) = p.threshold_pace_s_per_km.filter(|v| !PACE_RANGE.contains(v)) {
        return Err(bad(
            "threshold_pace_s_per_km",
            format!("{v}: must be 120 to 900 seconds per km (2:00 to 15:00 per km)"),
        ));
    }
    Ok(())
}

fn locale(p: &Profile) -> Result<(), ProfileError> {
    if let Some(tz) = &p.tz {
        zone(tz).map_err(|e| bad("tz", e.to_string()))?;
    }
    if let Some(units) = &p.units {
        units.parse::<Units>().map_err(|e| bad("units", e.to_string()))?;
    }
    Ok(())
}

fn load_model(p: &Profile) -> Result<(), ProfileError> {
    let range = afterrun_load::SeriesOptions::TAU_RANGE;
    for (field, tau) in
        [("fitness_tau_days", p.fitness_tau_days), ("fatigue_tau_days", p.fatigue_tau_days)]
    {
        if let Some(t) = tau.filter(|t| !range.contains(t)) {
            return Err(bad(field, format!("{t}: must be 1 to 365 days")));
        }
    }
    for (field, seed) in [("seed_fitness", p.seed_fitness), ("seed_fatigue", p.seed_fatigue)] {
        if let Some(v) = seed.filter(|v| !SEED_RANGE.contains(v)) {
            return Err(bad(field, format!("{v}: must be 0 to 300")));
        }
    }
    let given = [p.seed_fitness.is_some(), p.seed_fatigue.is_some(), p.seed_date.is_some()];
    if given.iter().any(|g| *g) && !given.iter().all(|g| *g) {
        return Err(bad(
            "seed_date",
            "a seed needs all three of seed_fitness, seed_fatigue and seed_date",
        ));
    }
    if let Some(date) = &p.seed_date {
        let parsed = date
            .parse::<jiff::civil::Date>()
            .map_err(|_| bad("seed_date", format!("`{date}`: expected a date, YYYY-MM-DD")))?;
        if !(1990..=2200).contains(&parsed.year()) {
            return Err(bad("seed_date", format!("`{date}`: must be between 1990 and 2200")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(p: Profile) -> String {
        validate(&p).unwrap_err().field
    }

    #[test]
    fn each_field_is_checked_by_name() {
        assert!(validate(&Profile::default()).is_ok());
        assert_eq!(field(Profile { max_hr: Some(300), ..Profile::default() }), "max_hr");
        assert_eq!(
            field(Profile { rest_hr: Some(110), max_hr: Some(105), ..Profile::default() }),
            "rest_hr"
        );
        assert_eq!(field(Profile { tz: Some("Mars/Olympus".into()), ..Profile::default() }), "tz");
        assert_eq!(
            field(Profile { units: Some("furlongs".into()), ..Profile::default() }),
            "units"
        );
        assert_eq!(
            field(Profile { fitness_tau_days: Some(0.5), ..Profile::default() }),
            "fitness_tau_days"
        );
        assert_eq!(field(Profile { seed_fitness: Some(40.0), ..Profile::default() }), "seed_date");
        let seeded = Profile {
            seed_fitness: Some(40.0),
            seed_fatigue: Some(30.0),
            seed_date: Some("1901-01-01".into()),
            ..Profile::default()
        };
        assert_eq!(field(seeded.clone()), "seed_date");
        let fine = Profile {
            seed_date: Some("2026-01-01".into()),
            tz: Some("America/New_York".into()),
            units: Some("mi".into()),
            ..seeded
        };
        assert!(validate(&fine).is_ok());
        let eq = Profile { equipment: Some(vec!["jetpack".into()]), ..Profile::default() };
        assert!(field(eq).starts_with("equipment"));
    }
}
