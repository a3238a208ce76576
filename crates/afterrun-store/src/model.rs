//! The store's data transfer types: what goes in and what comes out of [`crate::Store`].
//!
//! These are storage DTOs, not the domain model: times are Unix seconds (UTC), documents that other
//! crates own (a check-in, a plan, an activity summary) are kept as JSON values, so the store never
//! needs to change when those shapes grow. A new activity comes with its decoded summary
//! (`afterrun_activity::Summary`), whose format, sport, times and totals are its columns.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A database row id.
pub type Id = i64;

/// Seconds since the Unix epoch, UTC.
pub type UnixSeconds = i64;

/// An athlete's standing data: what a check-in's `athlete` object holds, plus thresholds.
///
/// Field names match the check-in (interfaces.md), so a profile can be merged into a check-in
/// as is. Every field may be unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Profile {
    /// Age in years.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    /// `female`, `male` or `unspecified`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Body mass in kilograms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_mass_kg: Option<f64>,
    /// Usual weekly running volume in kilometres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekly_km: Option<f64>,
    /// Training goal (`general`, `5k`, …, `trail`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    /// Equipment codes the athlete owns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equipment: Option<Vec<String>>,
    /// Medical condition codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<String>>,
    /// Clinician clearances that lift relative contraindications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clearances: Option<Vec<Clearance>>,
    /// `low`, `medium` or `high`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    /// Whether the athlete would rather cycle than walk to flush the legs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefers_cycling: Option<bool>,
    /// Maximum heart rate, beats per minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_hr: Option<u32>,
    /// Resting heart rate, beats per minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest_hr: Option<u32>,
    /// Threshold running pace, seconds per kilometre.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_pace_s_per_km: Option<f64>,
    /// IANA time zone for everything the athlete reads (`Europe/Berlin`); unset: the `TZ`
    /// variable, else the system's zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// `km` or `mi` for everything the athlete reads; unset: `km`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Starting fitness (CTL) on `seed_date`, training-stress points per day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_fitness: Option<f64>,
    /// Starting fatigue (ATL) on `seed_date`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_fatigue: Option<f64>,
    /// The date the seed applies from, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_date: Option<String>,
    /// Fitness time constant, days (42 when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fitness_tau_days: Option<f64>,
    /// Fatigue time constant, days (7 when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatigue_tau_days: Option<f64>,
}

impl Profile {
    /// The profile document's fields, as serialized: a body naming any other is refused rather
    /// than silently dropped (`PUT /api/athletes/{id}/profile`), and the API document lists
    /// exactly these.
    pub const FIELDS: &'static [&'static str] = &[
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
        "threshold_pace_s_per_km",
        "tz",
        "units",
        "seed_fitness",
        "seed_fatigue",
        "seed_date",
        "fitness_tau_days",
        "fatigue_tau_days",
    ];
}

/// A clinician's clearance for one modality (interfaces.md `clearances[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Clearance {
    /// The step modality code it clears.
    pub modality: String,
    /// `physiotherapist`, `doctor` or `other`.
    pub by: String,
    /// The date of the clearance, `YYYY-MM-DD`.
    pub date: String,
    /// The pressure cap in mmHg, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_mmhg: Option<u32>,
}

/// The original file, compressed, so it can be decoded again when the decoder improves.
#[derive(Clone, PartialEq, Eq)]
pub struct Original {
    /// The compressed bytes.
    pub bytes: Vec<u8>,
    /// The codec (`deflate`).
    pub encoding: String,
    /// The size of the file before compression.
    pub size: u64,
}

impl std::fmt::Debug for Original {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Original")
            .field("bytes", &format_args!("[{} bytes]", self.bytes.len()))
            .field("encoding", &self.encoding)
            .field("size", &self.size)
            .finish()
    }
}

impl Original {
    /// Compresses a file's bytes (raw deflate at a fast level: activity files shrink 3–6×, and
    /// import speed matters more than the last few percent).
    pub fn compress(raw: &[u8]) -> Original {
        let mut encoder = flate2::write::DeflateEncoder::new(
            Vec::with_capacity(raw.len() / 3 + 64),
            flate2::Compression::fast(),
        );
        // Writing into a Vec cannot fail; were it to, the size check in `decompress` would
        // report the stored copy as corrupt rather than return wrong bytes.
        let bytes: Vec<u8> =
            encoder.write_all(raw).and_then(|()| encoder.finish()).unwrap_or_default();
        Original { bytes, encoding: "deflate".to_owned(), size: raw.len() as u64 }
    }

    /// The original file's bytes.
    pub fn decompress(&self) -> Result<Vec<u8>, StoreError> {
        if self.encoding != "deflate" {
            return Err(StoreError::Corrupt(format!("unknown encoding {:?}", self.encoding)));
        }
        let mut out = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0).min(1 << 30));
        flate2::read::DeflateDecoder::new(self.bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| StoreError::Corrupt(format!("stored file does not inflate: {e}")))?;
        if out.len() as u64 != self.size {
            return Err(StoreError::Corrupt(format!(
                "stored file inflates to {} bytes, expected {}",
                out.len(),
                self.size
            )));
        }
        Ok(out)
    }
}

/// A training-stress score and how it was computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stress {
    /// The score.
    pub value: f64,
    /// `trimp`, `rtss`, `hrtss`, `srpe` or `duration`.
    pub kind: String,
}

/// An activity to store: the decoded summary (its columns), the summary document, the load and
/// the original.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// What the decoder read: the format, sport, times, counts and totals stored as columns.
    pub decoded: afterrun_activity::Summary,
    /// The summary as `inspect --json` prints it.
    pub summary: serde_json::Value,
    /// Training stress, when it could be computed.
    pub stress: Option<Stress>,
    /// Per-muscle load, when it could be computed.
    pub muscle_load: Option<serde_json::Value>,
    /// What the activity says about the athlete's thresholds (`afterrun-load`'s facts).
    pub facts: Option<serde_json::Value>,
    /// Fingerprint of the thresholds `stress` and `muscle_load` were computed with.
    pub load_basis: Option<String>,
    /// The original file, compressed.
    pub original: Original,
    /// Where it came from (the path or archive member name).
    pub source: String,
}

/// A stored activity, without its original file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ActivityRow {
    /// Row id.
    pub id: Id,
    /// SHA-256 of the original file.
    pub sha256: String,
    /// `fit`, `gpx` or `tcx`.
    pub format: String,
    /// Lower-case sport name.
    pub sport: String,
    /// Lower-case sub-sport name.
    pub sub_sport: Option<String>,
    /// Start, UTC.
    #[serde(serialize_with = "crate::time::opt_rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub start_time: Option<UnixSeconds>,
    /// End, UTC.
    #[serde(serialize_with = "crate::time::opt_rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub end_time: Option<UnixSeconds>,
    /// Elapsed seconds.
    pub elapsed_s: Option<f64>,
    /// Timer seconds.
    pub timer_s: Option<f64>,
    /// Distance in metres.
    pub distance_m: Option<f64>,
    /// Number of records.
    pub records: i64,
    /// Average heart rate.
    pub avg_hr: Option<f64>,
    /// Maximum heart rate.
    pub max_hr: Option<f64>,
    /// Ascent in metres.
    pub ascent_m: Option<f64>,
    /// Descent in metres.
    pub descent_m: Option<f64>,
    /// Number of laps.
    pub laps: Option<i64>,
    /// The summary as `inspect --json` printed it at import.
    pub summary: serde_json::Value,
    /// Training stress.
    pub stress: Option<f64>,
    /// How the stress was computed.
    pub stress_kind: Option<String>,
    /// Per-muscle load.
    pub muscle_load: Option<serde_json::Value>,
    /// What the activity says about the athlete's thresholds; `None` until computed.
    #[serde(skip)]
    pub facts: Option<serde_json::Value>,
    /// Fingerprint of the thresholds the stored load was computed with; `None` when unknown.
    #[serde(skip)]
    pub load_basis: Option<String>,
    /// Where it came from.
    pub source: String,
    /// When it was imported.
    #[serde(serialize_with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub imported_at: UnixSeconds,
}

/// What happened to an activity handed to [`crate::Store::import_activity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored as a new activity with this id.
    New(Id),
    /// The same bytes are already stored under this id.
    SameContent(Id),
    /// The same run (same sport, start within 60 s, duration within 5 %) is stored under this id.
    SameActivity(Id),
}

impl Stored {
    /// The id of the stored activity (new or the one it duplicates).
    pub fn id(self) -> Id {
        match self {
            Stored::New(id) | Stored::SameContent(id) | Stored::SameActivity(id) => id,
        }
    }
}

/// A stored check-in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckinRow {
    /// Row id.
    pub id: Id,
    /// The check-in's `now`.
    #[serde(serialize_with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub now: UnixSeconds,
    /// The check-in document.
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::checkin_ref"))]
    pub checkin: serde_json::Value,
    /// When it was saved.
    #[serde(serialize_with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub saved_at: UnixSeconds,
}

/// A completed step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Completion {
    /// The step index (from 0).
    pub step: u32,
    /// When it was marked done.
    #[serde(serialize_with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub done_at: UnixSeconds,
}

/// A stored plan with its completed steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlanRow {
    /// Row id.
    pub id: Id,
    /// The check-in it answered.
    pub checkin_id: Id,
    /// The plan document.
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::plan_ref"))]
    pub plan: serde_json::Value,
    /// How many steps it has.
    pub steps: u32,
    /// The plan's `generated_at`.
    #[serde(serialize_with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub generated_at: UnixSeconds,
    /// Steps marked done, by step index.
    pub completed: Vec<Completion>,
}

/// How a plan's forecast compared with the soreness the next check-in reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Outcome {
    /// The plan whose forecast is checked.
    pub plan_id: Id,
    /// The muscle group.
    pub group: String,
    /// Soreness the athlete reported, 0–10.
    pub reported: f64,
    /// Soreness the plan forecast, 0–10.
    pub forecast: f64,
    /// `reported - forecast`.
    pub residual: f64,
}

/// Everything stored about one athlete (`afterrun export`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Export {
    /// The athlete's name.
    pub athlete: String,
    /// When the athlete was created.
    #[serde(serialize_with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: UnixSeconds,
    /// The profile.
    pub profile: Profile,
    /// Activities, oldest first, without the original files.
    pub activities: Vec<ActivityRow>,
    /// Check-ins, oldest first.
    pub checkins: Vec<CheckinRow>,
    /// Plans with their completed steps, oldest first.
    pub plans: Vec<PlanRow>,
    /// Forecast outcomes.
    pub outcomes: Vec<Outcome>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_fields_are_the_serialized_ones() {
        let full = Profile {
            age: Some(36),
            sex: Some("female".into()),
            body_mass_kg: Some(60.0),
            weekly_km: Some(50.0),
            goal: Some("marathon".into()),
            equipment: Some(vec![]),
            conditions: Some(vec![]),
            clearances: Some(vec![]),
            budget: Some("low".into()),
            prefers_cycling: Some(false),
            max_hr: Some(186),
            rest_hr: Some(50),
            threshold_pace_s_per_km: Some(255.0),
            tz: Some("UTC".into()),
            units: Some("km".into()),
            seed_fitness: Some(1.0),
            seed_fatigue: Some(1.0),
            seed_date: Some("2026-01-01".into()),
            fitness_tau_days: Some(42.0),
            fatigue_tau_days: Some(7.0),
        };
        let value = serde_json::to_value(&full).unwrap();
        let mut serialized: Vec<&str> =
            value.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields = Profile::FIELDS.to_vec();
        serialized.sort_unstable();
        fields.sort_unstable();
        assert_eq!(serialized, fields);
    }
}
