//! Training load (fitness, fatigue, form, acute:chronic ratio, monotony, strain) and a
//! per-muscle soreness forecast, from decoded activities.
//!
//! Pure: plain functions over activities and days, with time passed in as an argument; no IO,
//! no clock. The store, the `status` command and the planner call these functions with what
//! they have read.
//!
//! # The pipeline
//! 1. [`activity_facts`] per activity, then [`resolve_thresholds`] from the profile and those
//!    facts: maximum and resting heart rate, threshold heart rate and pace, each estimate named
//!    in [`Thresholds::assumptions`].
//! 2. Per activity, once, at import: [`activity_stress`] (or [`checkin_stress`] for a run known
//!    only from a check-in) and [`muscle_load`] (or [`muscle_load_from_totals`]), kept as an
//!    [`ActivityLoad`]: a small `Copy` struct with fixed arrays, so ten years of history are a
//!    flat slice.
//! 3. Per request: [`status`] (the daily series and the planner's [`Flags`]) and [`forecast`]
//!    (the eight groups' soreness now, peak, clear-by and next three days).
//!
//! # Stress: order of preference
//! `trimp` (per-sample heart rate on at least half the moving time) › `rtss` (grade-adjusted
//! pace against threshold pace, running-like sports) › `hrtss` (the summary's average heart
//! rate) › `srpe` (a check-in's RPE × minutes) › `duration`. Every kind is expressed in
//! training-stress points (100 = an hour at threshold) so the series stays on one scale; see
//! [`stress`] for why and how.
//!
//! # Wiring (for the store, `status`, `activities` and the planner)
//! - `activities --json`: `stress` = [`Stress::value`], `stress_kind` = [`StressKind::as_str`], from
//!   [`activity_load`] at import (keep the [`ActivityLoad`] next to the activity).
//! - `status --json`: `daily[]` = [`Status::daily`] (`date`, `load`, `fitness`, `fatigue`, `form`,
//!   `acwr`; the other fields of [`DailyPoint`] may be added); the top-level `fitness`, `fatigue`,
//!   `form`, `acwr`, `monotony`, `strain` are [`Status::today`]'s, `acwr_band` is
//!   [`Status::acwr_band`], `weekly_km` is `week.distance_m / 1000`; `muscles[]` is
//!   [`Forecast::muscles`] at `now` (times as RFC 3339 UTC); `assumptions` = the thresholds'
//!   assumptions plus one line per activity left out for lack of a start time.
//! - Check-ins: soreness ratings become [`SorenessReport`]s (`"quads_left".parse::<MuscleGroup>()`
//!   drops the side; take the larger side); a run known only from a check-in becomes an
//!   [`ActivityLoad`] with [`checkin_activity_load`].
//! - Planner: [`Flags`] (`acwr_very_high`, `monotony_high`, `high_volume`) and
//!   [`Forecast::targets`] (groups forecast to reach soreness 3, with `peak_at`).
//!
//! # Sources
//! Every constant names the id of its source in [`REFERENCES`] (`banister-1991`,
//! `williams-2017`, `cheung-2003`, …); modelling choices are marked as such.

mod day;
mod grade;
mod muscle;
mod profile;
mod references;
mod series;
mod soreness;
mod sport;
pub mod stress;

pub use day::{date_of_day, day_of_date, day_of_unix};
pub use grade::minetti_cost_ratio;
pub use muscle::{
    GROUPS, MuscleGroup, MuscleLoad, QUADS_PER_DESCENT_M, UnknownGroup, muscle_load,
    muscle_load_from_totals,
};
pub use profile::{
    ActivityFacts, AthleteProfile, Sex, Thresholds, UnknownSex, activity_facts, pace_text,
    resolve_thresholds,
};
pub use references::{REFERENCES, Reference, reference};
pub use series::{
    ACWR_WARMUP_DAYS, ACWR_WARN, ActivityLoad, AcwrBand, DailyPoint, FATIGUE_TAU, FITNESS_TAU,
    Flags, HIGH_VOLUME_MIN_DAYS, HIGH_VOLUME_QUANTILE, HIGH_VOLUME_WINDOW_DAYS, IDLE_FITNESS,
    LoadError, MAX_DAYS, MONOTONY_WARN, Status, daily_series, foster_monotony, high_volume, status,
};
pub use series::{Seed, SeriesOptions, daily_series_with, status_with};
pub use soreness::{
    CLEAR_LEVEL, Forecast, MuscleForecast, ONSET_H, PEAK_H, SorenessReport, TARGET_LEVEL,
    doms_shape, forecast,
};
pub use stress::{
    Stress, StressKind, UnknownStressKind, activity_duration_s, activity_stress, banister_trimp,
    checkin_stress, hrtss, rtss, srpe, trimp_per_minute, trimp_per_threshold_hour,
};

/// A run known only from a check-in (`run` of interfaces.md: ended at `ended_at` Unix seconds,
/// minutes, kilometres, metres of climb and descent, average heart rate, RPE), as the series and
/// forecast need it: stress by [`checkin_stress`], muscle load by [`muscle_load_from_totals`].
#[allow(clippy::too_many_arguments)]
pub fn checkin_activity_load(
    ended_at: i64,
    duration_min: f64,
    distance_km: Option<f64>,
    ascent_m: Option<f64>,
    descent_m: Option<f64>,
    avg_hr: Option<f64>,
    rpe: Option<f64>,
    thresholds: &Thresholds,
) -> (ActivityLoad, Stress) {
    let duration_s =
        if duration_min.is_finite() { duration_min.clamp(0.0, 1e6) * 60.0 } else { 0.0 };
    let distance_m = distance_km.filter(|d| d.is_finite()).map_or(0.0, |d| d.max(0.0) * 1000.0);
    let stress = checkin_stress(duration_min, avg_hr, rpe, thresholds);
    let muscle = muscle_load_from_totals(
        distance_m,
        duration_s,
        ascent_m.unwrap_or(0.0),
        descent_m.unwrap_or(0.0),
        thresholds,
    );
    let start = ended_at.saturating_sub(duration_s as i64);
    (ActivityLoad { start, duration_s, distance_m, stress: stress.value, muscle }, stress)
}

/// Everything about one activity that the series and forecast need, from the decoded file:
/// stress and muscle load against `thresholds`, `rpe` from a check-in about this run if any.
/// Muscle load is counted for on-foot sports only (running, walking, hiking, unknown).
/// `None` when the activity has no absolute start time (the caller names it in `assumptions`).
pub fn activity_load(
    activity: &afterrun_activity::Activity,
    thresholds: &Thresholds,
    rpe: Option<f64>,
) -> Option<(ActivityLoad, Stress)> {
    let s = &activity.summary.totals;
    let start = s.start_time?;
    let stress = activity_stress(activity, thresholds, rpe);
    let duration_s = activity_duration_s(activity);
    let distance_m = s.distance_m.filter(|d| d.is_finite()).unwrap_or(0.0);
    // Muscle load models running and walking; other sports leave the legs' DOMS model alone.
    let muscle = if !stress::on_foot(&s.sport) {
        MuscleLoad::default()
    } else if !activity.samples.is_empty() {
        muscle_load(&activity.samples, thresholds)
    } else {
        muscle_load_from_totals(
            distance_m,
            duration_s,
            s.ascent_m.unwrap_or(0.0),
            s.descent_m.unwrap_or(0.0),
            thresholds,
        )
    };
    Some((ActivityLoad { start, duration_s, distance_m, stress: stress.value, muscle }, stress))
}
