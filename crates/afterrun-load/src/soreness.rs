//! Per-muscle soreness forecast: a DOMS curve per activity and group, summed, scaled by what
//! the athlete has reported.
//!
//! - **Amplitude.** An activity's peak soreness in a group (0–10) rises with the load the group
//!   is *not used to*: the eccentric (downhill) part, reduced by the repeated-bout effect when
//!   similar downhill work came in the previous months (`nosaka-2001`, `mchugh-2003`), plus the
//!   rest of the load beyond the group's average per activity of the previous 28 days.
//!   `10 · (1 − e^(−L/L₀))` saturates so that no run forecasts more than 10.
//! - **Time course** (`cheung-2003`): nothing for the first [`ONSET_H`] hours after the end of the
//!   run, a peak [`PEAK_H`] hours after it, and a gamma-shaped tail that falls below 0.5 by 5–7
//!   days for the peaks runners report.
//! - **Calibration.** Each group's curve is scaled by the ratio of the athlete's reported
//!   ratings to what the model predicted at the same moments, shrunk toward 1 by a prior worth
//!   two rating points so that one report moves it only part way.
//! - **Anchor.** The latest report of a group (at most [`ANCHOR_WINDOW_DAYS`] old) is where its
//!   forecast stands at that moment: the difference between the rating and the calibrated
//!   model there is added to the forecast and fades with [`ANCHOR_TAU_H`]. A runner who just
//!   reported quads 6/10 sees about 6 now, then its expected course.
//!
//! Everything is evaluated on an hourly grid over the next ten days; the shape of each recent
//! activity's curve is computed once and shared by the eight groups.

use crate::day::SECONDS_PER_DAY;
use crate::muscle::{GROUPS, MuscleGroup};
use crate::series::ActivityLoad;

/// Hours after the end of a run before soreness starts: felt from 6–12 h on, rising through
/// the first day (`cheung-2003`).
pub const ONSET_H: f64 = 8.0;
/// Hours after the end of a run when soreness peaks: the middle of the 24–48 h most runners
/// report, inside the 24–72 h of `cheung-2003`.
pub const PEAK_H: f64 = 36.0;
/// Shape of the gamma curve `x^a · e^(a(1−x))`; 1.5 brings a 5/10 peak below 0.5 in about five
/// days and an 8/10 peak in about six (`cheung-2003`: cleared by 5–7 days).
const SHAPE: f64 = 1.5;
/// Forecast horizon, hours.
pub const HORIZON_H: usize = 240;
/// Hours after the end of a run past which its curve counts as 0: x = 10, where the shape is
/// below 5·10⁻⁵ of its peak (under 0.0005 on the 0–10 scale).
const TAIL_END_H: f64 = ONSET_H + 10.0 * (PEAK_H - ONSET_H);
/// Longest activity the forecast looks back for, seconds (an ultra of two days).
const LONGEST_S: i64 = 2 * SECONDS_PER_DAY;
/// Load (level-km equivalents) that gives 1 − 1/e ≈ 63 % of the maximum rating: a flat 10 km
/// for an unaccustomed runner forecasts about 1.5/10 in the quads (modelling choice, corrected
/// per athlete by calibration).
const LOAD_REF: f64 = 60.0;
/// Days of history that set what a group is used to.
const HABIT_DAYS: i64 = 28;
/// Largest repeated-bout reduction of the eccentric load: a repeated bout typically brings
/// about half the soreness of the first (`mchugh-2003`, `nosaka-2001`).
const RBE_MAX: f64 = 0.5;
/// Decay constant of the repeated-bout protection, days: it fades over about six months
/// (`nosaka-2001`); e^(−180/60) ≈ 5 % left.
const RBE_TAU_DAYS: f64 = 60.0;
/// How far back a previous bout can protect, days (`nosaka-2001`).
const RBE_WINDOW_DAYS: i64 = 180;
/// Below this rating a group counts as clear.
pub const CLEAR_LEVEL: f64 = 0.5;
/// Prior weight of the calibration, rating points.
const CAL_PRIOR: f64 = 2.0;
/// The calibration factor stays in this range.
const CAL_RANGE: (f64, f64) = (0.25, 4.0);
/// Reports older than this no longer calibrate, days.
const CAL_WINDOW_DAYS: i64 = 180;
/// The latest report of a group anchors its forecast for this long, days: from that moment the
/// forecast starts at what the runner said.
const ANCHOR_WINDOW_DAYS: i64 = 7;
/// How fast the difference between the report and the model fades, hours: e^(−t/48 h) takes a
/// 10/10 difference below 0.5 in six days, the time soreness takes to clear (`cheung-2003`).
pub const ANCHOR_TAU_H: f64 = 48.0;

/// A soreness rating the athlete reported in a check-in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SorenessReport {
    /// When, Unix seconds.
    pub at: i64,
    /// Which group (sides merged by the caller, e.g. the larger of left and right).
    pub group: MuscleGroup,
    /// 0–10 rating.
    pub rating: f64,
}

/// The forecast for one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MuscleForecast {
    /// The group.
    pub group: MuscleGroup,
    /// Soreness at `now`, 0–10.
    pub soreness_now: f64,
    /// When the highest soreness from `now` on is expected (`None` when nothing reaches
    /// [`CLEAR_LEVEL`]), Unix seconds.
    pub peak_at: Option<i64>,
    /// The highest soreness from `now` on.
    pub peak: f64,
    /// First hour after the peak when soreness is below [`CLEAR_LEVEL`] (`None` when nothing is
    /// forecast), Unix seconds.
    pub clear_by: Option<i64>,
    /// Highest soreness in each of the next three 24-hour windows from `now`.
    pub next_days: [f64; 3],
    /// The athlete's personal scale for this group (1 without reports).
    pub calibration: f64,
}

/// The forecast for all eight groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The moment of the forecast, Unix seconds.
    pub now: i64,
    /// One entry per group, in `MuscleGroup::ALL` order.
    pub muscles: [MuscleForecast; GROUPS],
}

/// A forecast peak at or above this makes a group a recovery target (protocol.md §4: soreness
/// ≥ 3 makes a target, `seed-guide`).
pub const TARGET_LEVEL: f64 = 3.0;

impl Forecast {
    /// The groups the plan should target before soreness appears: those whose forecast peak
    /// from now on reaches [`TARGET_LEVEL`], most sore first (ties in the contract's order).
    pub fn targets(&self) -> Vec<MuscleForecast> {
        let mut t: Vec<MuscleForecast> =
            self.muscles.iter().copied().filter(|m| m.peak >= TARGET_LEVEL).collect();
        t.sort_by(|a, b| b.peak.total_cmp(&a.peak).then(a.group.cmp(&b.group)));
        t
    }

    /// The forecast of one group.
    pub fn group(&self, g: MuscleGroup) -> &MuscleForecast {
        &self.muscles[g as usize]
    }
}

/// The DOMS time course at `h` hours after the end of a run, peak 1 (`cheung-2003`).
pub fn doms_shape(h: f64) -> f64 {
    if h.is_nan() || h <= ONSET_H || h > TAIL_END_H {
        return 0.0;
    }
    let x = (h - ONSET_H) / (PEAK_H - ONSET_H);
    (SHAPE * (x.ln() + 1.0 - x)).exp()
}

/// Activities sorted by start (borrowed when already sorted).
fn sorted(acts: &[ActivityLoad]) -> std::borrow::Cow<'_, [ActivityLoad]> {
    if acts.is_sorted_by_key(|a| a.start) {
        std::borrow::Cow::Borrowed(acts)
    } else {
        let mut v = acts.to_vec();
        v.sort_by_key(|a| a.start);
        std::borrow::Cow::Owned(v)
    }
}

/// Index of the first activity starting at or after `t` in a sorted slice.
fn first_from(acts: &[ActivityLoad], t: i64) -> usize {
    acts.partition_point(|a| a.start < t)
}

/// The peak rating each group would reach from activity `i` alone, before calibration.
fn amplitude(acts: &[ActivityLoad], i: usize) -> [f64; GROUPS] {
    let a = &acts[i];
    let earlier = &acts[..i];
    // What each group is used to: its mean non-eccentric load per activity, last 28 days.
    let habit_from = first_from(earlier, a.start.saturating_sub(HABIT_DAYS * SECONDS_PER_DAY));
    let recent = &earlier[habit_from..];
    let mut habit = [0.0; GROUPS];
    if !recent.is_empty() {
        for p in recent {
            for ((h, total), ecc) in habit.iter_mut().zip(&p.muscle.total).zip(&p.muscle.eccentric)
            {
                *h += total - ecc;
            }
        }
        habit.iter_mut().for_each(|h| *h /= recent.len() as f64);
    }
    // Repeated-bout protection from the most protective similar downhill bout.
    let q = MuscleGroup::Quads as usize;
    let ecc_now = a.muscle.eccentric[q];
    let mut rbe: f64 = 0.0;
    if ecc_now > 1e-9 {
        let from = first_from(earlier, a.start.saturating_sub(RBE_WINDOW_DAYS * SECONDS_PER_DAY));
        // Newest first: protection only fades with age, so once even a fully similar bout
        // could not beat the best found, older ones cannot either.
        for p in earlier[from..].iter().rev() {
            let similarity = (p.muscle.eccentric[q] / ecc_now).clamp(0.0, 1.0);
            if similarity.is_nan() || similarity <= 0.0 {
                continue;
            }
            let age_days = a.start.saturating_sub(p.end()).max(0) as f64 / SECONDS_PER_DAY as f64;
            let fade = RBE_MAX * (-age_days / RBE_TAU_DAYS).exp();
            if fade <= rbe {
                break;
            }
            rbe = rbe.max(fade * similarity);
        }
    }
    let mut amp = [0.0; GROUPS];
    for g in 0..GROUPS {
        let ecc = a.muscle.eccentric[g].max(0.0);
        let rest = (a.muscle.total[g] - a.muscle.eccentric[g]).max(0.0);
        let effective = ecc * (1.0 - rbe) + (rest - habit[g]).max(0.0);
        let v = 10.0 * (1.0 - (-effective / LOAD_REF).exp());
        amp[g] = if v.is_finite() { v } else { 0.0 };
    }
    amp
}

/// Uncalibrated soreness of every group at time `t` from the activities that ended before it.
fn raw_at(acts: &[ActivityLoad], t: i64) -> [f64; GROUPS] {
    let to = first_from(acts, t);
    let from = first_from(acts, t.saturating_sub(TAIL_END_H as i64 * 3600 + LONGEST_S));
    let mut out = [0.0; GROUPS];
    for i in from..to {
        let h = t.saturating_sub(acts[i].end()) as f64 / 3600.0;
        let s = doms_shape(h);
        if s > 0.0 {
            let amp = amplitude(acts, i);
            for g in 0..GROUPS {
                out[g] += amp[g] * s;
            }
        }
    }
    out.map(|x| x.min(10.0))
}

/// The personal scale of each group from the reports up to `now`.
fn calibration(acts: &[ActivityLoad], reports: &[SorenessReport], now: i64) -> [f64; GROUPS] {
    let mut reported = [0.0; GROUPS];
    let mut predicted = [0.0; GROUPS];
    let oldest = now.saturating_sub(CAL_WINDOW_DAYS * SECONDS_PER_DAY);
    for r in reports.iter().filter(|r| r.at <= now && r.at >= oldest && r.rating.is_finite()) {
        let g = r.group as usize;
        reported[g] += r.rating.clamp(0.0, 10.0);
        predicted[g] += raw_at(acts, r.at)[g];
    }
    let mut k = [1.0; GROUPS];
    for g in 0..GROUPS {
        k[g] = ((reported[g] + CAL_PRIOR) / (predicted[g] + CAL_PRIOR))
            .clamp(CAL_RANGE.0, CAL_RANGE.1);
    }
    k
}

/// Per group, the latest report within [`ANCHOR_WINDOW_DAYS`] of `now`: its time and how far
/// the rating is from the calibrated model at that moment.
fn anchors(
    acts: &[ActivityLoad],
    reports: &[SorenessReport],
    now: i64,
    cal: &[f64; GROUPS],
) -> [Option<(i64, f64)>; GROUPS] {
    let oldest = now.saturating_sub(ANCHOR_WINDOW_DAYS * SECONDS_PER_DAY);
    let mut latest: [Option<&SorenessReport>; GROUPS] = [None; GROUPS];
    for r in reports.iter().filter(|r| r.at <= now && r.at >= oldest && r.rating.is_finite()) {
        let slot = &mut latest[r.group as usize];
        if slot.is_none_or(|l| r.at >= l.at) {
            *slot = Some(r);
        }
    }
    let mut out = [None; GROUPS];
    for (g, r) in latest.iter().enumerate() {
        if let Some(r) = r {
            let model = (raw_at(acts, r.at)[g] * cal[g]).min(10.0);
            out[g] = Some((r.at, r.rating.clamp(0.0, 10.0) - model));
        }
    }
    out
}

/// The per-group soreness forecast at `now` (Unix seconds) from the activities (any order) and
/// the athlete's soreness reports.
pub fn forecast(activities: &[ActivityLoad], reports: &[SorenessReport], now: i64) -> Forecast {
    let acts = sorted(activities);
    let acts = acts.as_ref();
    let cal = calibration(acts, reports, now);

    // The grid: `now`, then every whole hour after it up to the horizon.
    let first_hour = now.div_euclid(3600).saturating_add(1).saturating_mul(3600);
    let times: Vec<i64> = std::iter::once(now)
        .chain((0..HORIZON_H as i64).map(|k| first_hour.saturating_add(k * 3600)))
        .collect();

    // Recent activities that started by `now`; each adds amplitude × its shape on the grid.
    let to = first_from(acts, now.saturating_add(1));
    let from = first_from(acts, now.saturating_sub(TAIL_END_H as i64 * 3600 + LONGEST_S));
    let mut values = vec![[0.0_f64; GROUPS]; times.len()];
    for i in from..to {
        let end = acts[i].end();
        let mut amp: Option<[f64; GROUPS]> = None;
        for (slot, &t) in values.iter_mut().zip(&times) {
            let s = doms_shape(t.saturating_sub(end) as f64 / 3600.0);
            if s <= 1e-6 {
                continue;
            }
            let amp = amp.get_or_insert_with(|| amplitude(acts, i));
            for g in 0..GROUPS {
                slot[g] += amp[g] * s;
            }
        }
    }

    let anchors = anchors(acts, reports, now, &cal);
    let muscles = MuscleGroup::ALL.map(|group| {
        let g = group as usize;
        let at = |k: usize| {
            let model = (values[k][g].min(10.0) * cal[g]).min(10.0);
            let anchor = anchors[g].map_or(0.0, |(at, residual)| {
                residual * (-(times[k].saturating_sub(at)) as f64 / 3600.0 / ANCHOR_TAU_H).exp()
            });
            (model + anchor).clamp(0.0, 10.0)
        };
        let soreness_now = at(0);
        let (mut peak_k, mut peak) = (0, soreness_now);
        for k in 1..times.len() {
            if at(k) > peak {
                (peak_k, peak) = (k, at(k));
            }
        }
        let forecast_any = peak >= CLEAR_LEVEL;
        let clear_by = if forecast_any {
            (peak_k + 1..times.len()).find(|&k| at(k) < CLEAR_LEVEL).map(|k| times[k])
        } else {
            None
        };
        let mut next_days = [0.0; 3];
        for (k, &t) in times.iter().enumerate() {
            let day = t.saturating_sub(now) / SECONDS_PER_DAY;
            if let Some(slot) = usize::try_from(day).ok().and_then(|d| next_days.get_mut(d)) {
                *slot = f64::max(*slot, at(k));
            }
        }
        MuscleForecast {
            group,
            soreness_now,
            peak_at: forecast_any.then(|| times[peak_k]),
            peak,
            clear_by,
            next_days,
            calibration: cal[g],
        }
    });
    Forecast { now, muscles }
}
