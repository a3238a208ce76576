//! Stress of one activity: the best score the data allows, and which one it was.
//!
//! Order of preference (the first whose data is present wins):
//! 1. `trimp`: Banister's TRIMP integrated per sample, when heart rate covers at least half of
//!    the moving time. Heart rate is the body's own answer to the run (heat, hills, fatigue
//!    included) and works for every sport (`banister-1991`).
//! 2. `rtss`: running stress from grade-adjusted speed against threshold pace, for running,
//!    walking and hiking with distance over time but no heart rate (`allen-coggan-2010`,
//!    grade cost from `minetti-2002`).
//! 3. `hrtss`: the summary's average heart rate over the duration, when the samples carry no
//!    heart rate.
//! 4. `srpe`: session RPE (CR-10 rating × minutes) when only a check-in describes the run
//!    (`foster-2001`).
//! 5. `duration`: minutes at an assumed easy effort, the last resort.
//!
//! All five are put on one scale, training-stress points where 100 is one hour at threshold
//! (`allen-coggan-2010`), so that the daily series does not jump when the kind changes from one
//! activity to the next. [`Stress::raw`] keeps each score in its own unit (TRIMP units, rTSS,
//! hrTSS, RPE × minutes, minutes).

use std::fmt;

use afterrun_activity::{Activity, Sample};

use crate::grade::{self, Sink, Step};
use crate::profile::{Sex, Thresholds};
pub use crate::sport::{is_run, on_foot};

/// Which score an activity's stress came from (the `stress_kind` of `activities --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StressKind {
    /// Banister TRIMP from per-sample heart rate.
    Trimp,
    /// Running stress from grade-adjusted pace.
    Rtss,
    /// Heart-rate stress from the average heart rate.
    Hrtss,
    /// Session RPE from a check-in.
    Srpe,
    /// Duration only.
    Duration,
}

impl StressKind {
    /// The lower-case code used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            StressKind::Trimp => "trimp",
            StressKind::Rtss => "rtss",
            StressKind::Hrtss => "hrtss",
            StressKind::Srpe => "srpe",
            StressKind::Duration => "duration",
        }
    }
}

/// A `stress_kind` code that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stress kind `{0}`")]
pub struct UnknownStressKind(pub String);

impl std::str::FromStr for StressKind {
    type Err = UnknownStressKind;

    /// Parses the JSON code (`trimp`, `rtss`, `hrtss`, `srpe`, `duration`), as the store reads
    /// it back.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            StressKind::Trimp,
            StressKind::Rtss,
            StressKind::Hrtss,
            StressKind::Srpe,
            StressKind::Duration,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| UnknownStressKind(s.to_owned()))
    }
}

impl fmt::Display for StressKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stress of one activity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stress {
    /// Training-stress points (100 = one hour at threshold): the daily series sums these.
    pub value: f64,
    /// Which score it came from.
    pub kind: StressKind,
    /// The score in its own unit, before scaling to points.
    pub raw: f64,
}

/// TRIMP weighting constants (a, b) in a · e^(b·x) per sex (`banister-1991`).
fn trimp_constants(sex: Sex) -> (f64, f64) {
    match sex {
        Sex::Male => (0.64, 1.92),
        Sex::Female | Sex::Unspecified => (0.86, 1.67),
    }
}

/// TRIMP per minute at heart-rate-reserve fraction `hrr`: hrr · a · e^(b·hrr) (`banister-1991`).
pub fn trimp_per_minute(sex: Sex, hrr: f64) -> f64 {
    let (a, b) = trimp_constants(sex);
    hrr * a * (b * hrr).exp()
}

/// TRIMP of one hour at threshold heart rate: the scale that makes 100 points of it.
pub fn trimp_per_threshold_hour(t: &Thresholds) -> f64 {
    60.0 * trimp_per_minute(t.sex, t.hrr(t.threshold_hr))
}

/// A sample gap longer than this is a pause and counts for nothing, seconds.
const MAX_GAP_S: f64 = 30.0;
/// Heart rate must cover this share of the timed moving time for TRIMP to be used.
const MIN_HR_COVERAGE: f64 = 0.5;
/// Session RPE of one hour at threshold: RPE 7 ("very hard" on Foster's CR-10, the effort that
/// can be held about an hour) × 60 min (`foster-2001`), so 420 RPE·min = 100 points.
const SRPE_PER_THRESHOLD_HOUR: f64 = 420.0;
/// Points per hour when only the duration is known: an easy run at intensity factor 0.7,
/// 0.7² × 100 ≈ 50 (`allen-coggan-2010`).
const DURATION_POINTS_PER_HOUR: f64 = 50.0;

/// Banister TRIMP of the samples: Σ minutes × HRr × a·e^(b·HRr), each sample's heart rate
/// weighing the interval since the previous timed sample (gaps over 30 s left out).
/// Returns the TRIMP and the share of timed moving time that had heart rate; `None` when no
/// interval had heart rate.
pub fn banister_trimp(samples: &[Sample], t: &Thresholds) -> Option<(f64, f64)> {
    let mut prev_t: Option<f64> = None;
    let mut total = 0.0;
    let mut covered = 0.0;
    let mut trimp = 0.0;
    for s in samples {
        let Some(time) = s.time_s.filter(|x| x.is_finite()) else { continue };
        if let Some(p) = prev_t {
            let dt = time - p;
            if dt > 0.0 && dt <= MAX_GAP_S {
                total += dt;
                if let Some(hr) = s.heart_rate_bpm.filter(|h| h.is_finite() && *h > 0.0) {
                    covered += dt;
                    trimp += dt / 60.0 * trimp_per_minute(t.sex, t.hrr(hr));
                }
            }
        }
        prev_t = Some(time);
    }
    (covered > 0.0).then(|| (trimp, covered / total))
}

/// Accumulates Σ dt · (v · C(g)/C(0))² per segment for [`rtss`].
struct GapSink {
    seg_dt_v2: f64,
    dt_v2_cost2: f64,
    moving_s: f64,
}

impl Sink for GapSink {
    fn step(&mut self, s: &Step) {
        self.seg_dt_v2 += s.dt * s.v * s.v;
        self.moving_s += s.dt;
    }
    fn close(&mut self, grade: f64) {
        let c = grade::minetti_cost_ratio(grade);
        self.dt_v2_cost2 += self.seg_dt_v2 * c * c;
        self.seg_dt_v2 = 0.0;
    }
}

/// Running stress: Σ hours × (grade-adjusted speed / threshold speed)² × 100 over the moving
/// samples, that is hours × IF² × 100 with the intensity taken per sample (`allen-coggan-2010`,
/// grade adjustment by the cost of running, `minetti-2002`). `None` with no moving time.
pub fn rtss(samples: &[Sample], t: &Thresholds) -> Option<f64> {
    let mut sink = GapSink { seg_dt_v2: 0.0, dt_v2_cost2: 0.0, moving_s: 0.0 };
    grade::walk(samples, &mut sink);
    let v_thr = t.threshold_speed_mps;
    (sink.moving_s > 0.0 && v_thr > 0.0)
        .then(|| sink.dt_v2_cost2 / (v_thr * v_thr) / 3600.0 * 100.0)
}

/// Heart-rate stress from an average heart rate held for `duration_s`: the TRIMP of that
/// effort over the TRIMP of an hour at threshold, × 100.
pub fn hrtss(duration_s: f64, avg_hr: f64, t: &Thresholds) -> f64 {
    let per_hour = trimp_per_threshold_hour(t);
    if per_hour <= 0.0 || !duration_s.is_finite() || duration_s <= 0.0 {
        return 0.0;
    }
    duration_s / 60.0 * trimp_per_minute(t.sex, t.hrr(avg_hr)) / per_hour * 100.0
}

/// Session RPE: CR-10 rating × minutes (`foster-2001`).
pub fn srpe(rpe: f64, minutes: f64) -> f64 {
    if rpe.is_finite() && minutes.is_finite() { rpe.max(0.0) * minutes.max(0.0) } else { 0.0 }
}

fn duration_stress(seconds: f64) -> Stress {
    let minutes = if seconds.is_finite() { seconds.max(0.0) / 60.0 } else { 0.0 };
    Stress {
        value: minutes / 60.0 * DURATION_POINTS_PER_HOUR,
        kind: StressKind::Duration,
        raw: minutes,
    }
}

fn srpe_stress(rpe: f64, minutes: f64) -> Stress {
    let raw = srpe(rpe, minutes);
    Stress { value: raw / SRPE_PER_THRESHOLD_HOUR * 100.0, kind: StressKind::Srpe, raw }
}

/// The activity's duration in seconds: timer, else elapsed, else the span of sample times.
pub fn activity_duration_s(activity: &Activity) -> f64 {
    let s = &activity.summary.totals;
    if let Some(d) = s.timer_s.or(s.elapsed_s).filter(|d| d.is_finite() && *d > 0.0) {
        return d;
    }
    let mut times = activity.samples.iter().filter_map(|s| s.time_s).filter(|t| t.is_finite());
    match (times.next(), times.next_back()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => 0.0,
    }
}

/// The stress of a decoded activity, by the order of preference in the module docs. `rpe` is
/// the session rating from a check-in about this run, when there is one.
pub fn activity_stress(activity: &Activity, t: &Thresholds, rpe: Option<f64>) -> Stress {
    if let Some((trimp, coverage)) = banister_trimp(&activity.samples, t) {
        let per_hour = trimp_per_threshold_hour(t);
        if coverage >= MIN_HR_COVERAGE && per_hour > 0.0 {
            return Stress { value: trimp / per_hour * 100.0, kind: StressKind::Trimp, raw: trimp };
        }
    }
    if on_foot(&activity.summary.totals.sport)
        && let Some(r) = rtss(&activity.samples, t).filter(|r| *r > 0.0)
    {
        return Stress { value: r, kind: StressKind::Rtss, raw: r };
    }
    hr_rpe_or_duration(activity_duration_s(activity), activity.summary.totals.avg_hr, rpe, t)
}

/// The stress of a run known only from a check-in: hrTSS from its average heart rate, else
/// session RPE, else duration.
pub fn checkin_stress(
    duration_min: f64,
    avg_hr: Option<f64>,
    rpe: Option<f64>,
    t: &Thresholds,
) -> Stress {
    let seconds = if duration_min.is_finite() { duration_min.max(0.0) * 60.0 } else { 0.0 };
    hr_rpe_or_duration(seconds, avg_hr, rpe, t)
}

/// The end of both fallback chains, for `seconds` of exercise: hrTSS from the average heart
/// rate, else session RPE, else duration.
fn hr_rpe_or_duration(
    seconds: f64,
    avg_hr: Option<f64>,
    rpe: Option<f64>,
    t: &Thresholds,
) -> Stress {
    if let Some(avg) = avg_hr.filter(|h| h.is_finite() && *h > 0.0)
        && seconds > 0.0
    {
        let h = hrtss(seconds, avg, t);
        return Stress { value: h, kind: StressKind::Hrtss, raw: h };
    }
    if let Some(rpe) = rpe.filter(|r| r.is_finite()) {
        return srpe_stress(rpe, seconds / 60.0);
    }
    duration_stress(seconds)
}
