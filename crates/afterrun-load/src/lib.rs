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
//! [`stress`](crate::stress) for why and how.
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
pub mod stress;

pub use day::{date_of_day, day_of_date, day_of_unix};
pub use grade::minetti_cost_ratio;
pub use muscle::{
    GROUPS, MuscleGroup, MuscleLoad, QUADS_PER_DESCENT_M, UnknownGroup, muscle_load,
    muscle_load_from_totals,
};
pub use profile::{
    ActivityFacts, AthleteProfile, Sex, Thresholds, activity_facts, resolve_thresholds,
};
pub use references::{REFERENCES, Reference, reference};
pub use series::{
    ACWR_WARMUP_DAYS, ACWR_WARN, ActivityLoad, AcwrBand, DailyPoint, FATIGUE_TAU, FITNESS_TAU,
    Flags, LoadError, MONOTONY_WARN, Status, daily_series, foster_monotony, high_volume, status,
};
pub use soreness::{
    CLEAR_LEVEL, Forecast, MuscleForecast, ONSET_H, PEAK_H, SorenessReport, TARGET_LEVEL,
    doms_shape, forecast,
};
pub use stress::{
    Stress, StressKind, activity_duration_s, activity_stress, banister_trimp, checkin_stress,
    hrtss, rtss, srpe, trimp_per_minute, trimp_per_threshold_hour,
};

/// Everything about one activity that the series and forecast need, from the decoded file:
/// stress and muscle load against `thresholds`, `rpe` from a check-in about this run if any.
/// Muscle load is counted for on-foot sports only (running, walking, hiking, unknown).
/// `None` when the activity has no absolute start time (the caller names it in `assumptions`).
pub fn activity_load(
    activity: &afterrun_activity::Activity,
    thresholds: &Thresholds,
    rpe: Option<f64>,
) -> Option<(ActivityLoad, Stress)> {
    let start = activity.summary.start_time?;
    let stress = activity_stress(activity, thresholds, rpe);
    let duration_s = activity_duration_s(activity);
    let distance_m = activity.summary.distance_m.filter(|d| d.is_finite()).unwrap_or(0.0);
    // Muscle load models running and walking; other sports leave the legs' DOMS model alone.
    let s = &activity.summary;
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
