//! The daily series: load, fitness, fatigue, form, acute:chronic ratios, monotony and strain,
//! weekly volume and ramp rate, for every UTC day from the first activity to `as_of`.
//!
//! The recurrences are the contract's (interfaces.md, `status --json`) and are applied in one
//! forward loop, exactly as written there, so an outside checker that recomputes them from the
//! printed `load` column agrees to rounding:
//! - fitness and fatigue: `x(d) = x(d−1) + (load(d) − x(d−1))·(1 − e^(−1/τ))`, τ = 42 and 7,
//!   starting at 0 (`morton-1990`, `allen-coggan-2010`);
//! - form: `fitness(d−1) − fatigue(d−1)`, 0 on the first day;
//! - EWMA acute:chronic ratio with λ = 2/(N+1), N = 7 and 28, both starting at 0, `None` for the
//!   first 28 days and while chronic is 0 (`williams-2017`); bands from `gabbett-2016`;
//! - rolling ratio: the last 7 days' load over the weekly average of the last 28 days (the
//!   coupled 7:28 ratio of `gabbett-2016`), same `None` rule;
//! - monotony: mean / population standard deviation of the last 7 daily loads (days before the
//!   first activity count as 0), `None` when they do not vary; strain: weekly load × monotony
//!   (`foster-1998`);
//! - ramp rate: fitness today minus fitness 7 days ago, points per week.

use std::fmt;

use jiff::civil::Date;

use crate::day;
use crate::muscle::MuscleLoad;

/// One activity as the series and the soreness forecast need it: computed once at import, so
/// years of history are a slice of these small structs and never their samples.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ActivityLoad {
    /// Start, Unix seconds (UTC). Activities without an absolute start are left out by the
    /// caller and named in its `assumptions`.
    pub start: i64,
    /// Moving (timer) duration, seconds.
    pub duration_s: f64,
    /// Distance, metres.
    pub distance_m: f64,
    /// Stress in training-stress points ([`crate::Stress::value`]).
    pub stress: f64,
    /// What the activity did to each muscle group.
    pub muscle: MuscleLoad,
}

impl ActivityLoad {
    /// End of the activity, Unix seconds.
    pub fn end(&self) -> i64 {
        let d = if self.duration_s.is_finite() { self.duration_s.clamp(0.0, 1e9) } else { 0.0 };
        self.start.saturating_add(d as i64)
    }
}

/// Time constant of fitness (chronic training load), days (`allen-coggan-2010`).
pub const FITNESS_TAU: f64 = 42.0;
/// Time constant of fatigue (acute training load), days (`allen-coggan-2010`).
pub const FATIGUE_TAU: f64 = 7.0;
/// Acute window of the acute:chronic ratio, days (`williams-2017`).
pub const ACUTE_N: f64 = 7.0;
/// Chronic window of the acute:chronic ratio, days (`williams-2017`).
pub const CHRONIC_N: f64 = 28.0;
/// The ratio is `None` for this many first days (the chronic window).
pub const ACWR_WARMUP_DAYS: usize = 28;
/// Longest series computed, days (about 270 years, 14 MB of points): real files carry odd but
/// representable dates (a GPX test file of the corpus starts on 1901-12-13, the smallest 32-bit
/// Unix time), and the contract wants every date from the first activity's, so only a start
/// beyond any calendar (a corrupt 64-bit time) is refused.
pub const MAX_DAYS: i64 = 100_000;

/// What cannot be turned into a series.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The first activity starts implausibly long before `as_of` (a corrupt start time).
    #[error("history spans {days} days, more than the {max} a series holds")]
    HistoryTooLong {
        /// Days from the first activity to `as_of`.
        days: i64,
        /// The limit.
        max: i64,
    },
}

/// The acute:chronic ratio's band (`gabbett-2016`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcwrBand {
    /// Below 0.8: less than the body is prepared for.
    Low,
    /// 0.8 to 1.3: the sweet spot.
    Normal,
    /// Above 1.3 and below 1.5.
    High,
    /// 1.5 or more: the danger zone.
    VeryHigh,
}

impl AcwrBand {
    /// The band of a ratio.
    pub fn of(acwr: f64) -> AcwrBand {
        if acwr >= 1.5 {
            AcwrBand::VeryHigh
        } else if acwr > 1.3 {
            AcwrBand::High
        } else if acwr < 0.8 {
            AcwrBand::Low
        } else {
            AcwrBand::Normal
        }
    }

    /// The snake_case code used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AcwrBand::Low => "low",
            AcwrBand::Normal => "normal",
            AcwrBand::High => "high",
            AcwrBand::VeryHigh => "very_high",
        }
    }
}

impl fmt::Display for AcwrBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The 7 days ending on a day of the series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Week {
    /// Sum of the days' load.
    pub load: f64,
    /// Distance, metres.
    pub distance_m: f64,
    /// Moving time, seconds.
    pub time_s: f64,
    /// Foster monotony of the daily loads.
    pub monotony: Option<f64>,
    /// Foster strain (load × monotony).
    pub strain: Option<f64>,
}

/// One UTC day of the series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyPoint {
    /// The UTC date.
    pub date: Date,
    /// Sum of the stress of the activities that started on this date.
    pub load: f64,
    /// Chronic training load (τ = 42 days).
    pub fitness: f64,
    /// Acute training load (τ = 7 days).
    pub fatigue: f64,
    /// Yesterday's fitness minus yesterday's fatigue.
    pub form: f64,
    /// EWMA acute:chronic ratio.
    pub acwr: Option<f64>,
    /// Rolling 7:28 acute:chronic ratio.
    pub acwr_rolling: Option<f64>,
    /// The last 7 days.
    pub week: Week,
    /// Fitness today minus fitness 7 days before (0 before the first day).
    pub ramp_rate: f64,
}

/// Starting fitness and fatigue set on a date, as GoldenCheetah's season seed and
/// intervals.icu's "set fitness" do: on `date` the recurrences start from these values (they
/// are the values of the day before), whatever came earlier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    /// The UTC date the values apply from.
    pub date: Date,
    /// Fitness (CTL) at the start of that day.
    pub fitness: f64,
    /// Fatigue (ATL) at the start of that day.
    pub fatigue: f64,
}

/// The athlete's settings of the fitness and fatigue model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesOptions {
    /// Time constant of fitness, days (42 by default).
    pub fitness_tau: f64,
    /// Time constant of fatigue, days (7 by default).
    pub fatigue_tau: f64,
    /// Starting values, when set.
    pub seed: Option<Seed>,
}

impl Default for SeriesOptions {
    fn default() -> SeriesOptions {
        SeriesOptions { fitness_tau: FITNESS_TAU, fatigue_tau: FATIGUE_TAU, seed: None }
    }
}

impl SeriesOptions {
    /// A time constant outside this range is refused by the profile (days).
    pub const TAU_RANGE: std::ops::RangeInclusive<f64> = 1.0..=365.0;
}

/// Builds the daily series from the first activity's UTC date to `as_of`. Activities after the
/// end of `as_of` are ignored; the order of `activities` does not matter. Empty when there is
/// no activity on or before `as_of`.
pub fn daily_series(
    activities: &[ActivityLoad],
    as_of: Date,
) -> Result<Vec<DailyPoint>, LoadError> {
    daily_series_with(activities, as_of, &SeriesOptions::default())
}

/// [`daily_series`] with the athlete's time constants and seed. With a seed on or before
/// `as_of` the series starts on the seed's date at the latest.
pub fn daily_series_with(
    activities: &[ActivityLoad],
    as_of: Date,
    options: &SeriesOptions,
) -> Result<Vec<DailyPoint>, LoadError> {
    let last = day::day_of_date(as_of);
    let seed_day = options.seed.map(|s| day::day_of_date(s.date)).filter(|&d| d <= last);
    let first_activity =
        activities.iter().map(|a| day::day_of_unix(a.start)).filter(|&d| d <= last).min();
    let Some(first) = [first_activity, seed_day].into_iter().flatten().min() else {
        return Ok(Vec::new());
    };
    let span = last - first + 1;
    if span > MAX_DAYS {
        return Err(LoadError::HistoryTooLong { days: span, max: MAX_DAYS });
    }
    let n = span as usize;
    // Per-day totals of stress, distance and time.
    let mut load = vec![0.0; n];
    let mut dist = vec![0.0; n];
    let mut time = vec![0.0; n];
    for a in activities {
        let d = day::day_of_unix(a.start);
        if d <= last {
            let i = (d - first) as usize;
            // Negative or non-finite figures are corrupt input: they count as nothing.
            load[i] += finite_or_zero(a.stress);
            dist[i] += finite_or_zero(a.distance_m);
            time[i] += finite_or_zero(a.duration_s);
        }
    }

    let tau = |t: f64, default: f64| {
        if SeriesOptions::TAU_RANGE.contains(&t) { t } else { default }
    };
    let k_fit = 1.0 - (-1.0 / tau(options.fitness_tau, FITNESS_TAU)).exp();
    let k_fat = 1.0 - (-1.0 / tau(options.fatigue_tau, FATIGUE_TAU)).exp();
    let seed_index = seed_day.map(|d| (d - first) as usize);
    let l_acute = 2.0 / (ACUTE_N + 1.0);
    let l_chronic = 2.0 / (CHRONIC_N + 1.0);
    let (mut fit, mut fat, mut acute, mut chronic) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    let mut out: Vec<DailyPoint> = Vec::with_capacity(n);
    let mut fitness_hist: Vec<f64> = Vec::with_capacity(n);
    // Sums of the 7 days ending on each day; four of them make the 28-day window, exactly 0
    // when every day in it is 0.
    let mut weeks: Vec<f64> = Vec::with_capacity(n);
    for i in 0..n {
        if let (Some(si), Some(seed)) = (seed_index, options.seed)
            && si == i
        {
            fit = finite_or_zero(seed.fitness);
            fat = finite_or_zero(seed.fatigue);
        }
        let form = fit - fat;
        fit += (load[i] - fit) * k_fit;
        fat += (load[i] - fat) * k_fat;
        acute += (load[i] - acute) * l_acute;
        chronic += (load[i] - chronic) * l_chronic;
        let acwr = (i >= ACWR_WARMUP_DAYS && chronic != 0.0).then(|| acute / chronic);

        let days = i.saturating_sub(6)..=i;
        let week_loads = &load[days.clone()];
        let weekly_load: f64 = week_loads.iter().sum();
        weeks.push(weekly_load);
        let week_before = |k: usize| i.checked_sub(7 * k).map_or(0.0, |j| weeks[j]);
        let month = weekly_load + week_before(1) + week_before(2) + week_before(3);
        let acwr_rolling =
            (i >= ACWR_WARMUP_DAYS && month != 0.0).then(|| weekly_load / (month / 4.0));
        let monotony = foster_monotony(week_loads);
        let week = Week {
            load: weekly_load,
            distance_m: dist[days.clone()].iter().sum(),
            time_s: time[days].iter().sum(),
            monotony,
            strain: monotony.map(|m| weekly_load * m),
        };
        let fit_week_ago = if i >= 7 { fitness_hist[i - 7] } else { 0.0 };
        fitness_hist.push(fit);

        // The range check above keeps every index inside jiff's years.
        let Some(date) = day::date_of_day(first + i as i64) else { continue };
        out.push(DailyPoint {
            date,
            load: load[i],
            fitness: fit,
            fatigue: fat,
            form,
            acwr,
            acwr_rolling,
            week,
            ramp_rate: fit - fit_week_ago,
        });
    }
    Ok(out)
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x.max(0.0) } else { 0.0 }
}

/// Foster monotony of a week's daily loads (days missing at the start of history count as 0):
/// mean / population standard deviation, `None` when the loads do not vary (`foster-1998`).
pub fn foster_monotony(week: &[f64]) -> Option<f64> {
    const DAYS: f64 = 7.0;
    let sum: f64 = week.iter().sum();
    let mean = sum / DAYS;
    let missing = DAYS - week.len() as f64;
    let var = (week.iter().map(|x| (x - mean).powi(2)).sum::<f64>() + missing * mean * mean) / DAYS;
    let sd = var.sqrt();
    // A relative tolerance: equal loads can leave a rounding residue in the variance.
    (sd > 1e-12 * mean.abs().max(1.0)).then(|| mean / sd)
}

/// Monotony above this is a warning (`foster-1998`).
pub const MONOTONY_WARN: f64 = 2.0;
/// An acute:chronic ratio at or above this is the danger zone (`gabbett-2016`).
pub const ACWR_WARN: f64 = 1.5;
/// "Top band" of the athlete's own chronic load: at or above this quantile of their history
/// (protocol.md §5, `seed-guide`; the quartile is a modelling choice).
pub const HIGH_VOLUME_QUANTILE: f64 = 0.75;
/// Days of settled, active history (after the first 42, the fitness time constant) needed
/// before the athlete's own load can say "high volume".
pub const HIGH_VOLUME_MIN_DAYS: usize = 56;
/// How far back "the athlete's history" reaches for high volume, days (two years: the runner
/// they are now, not the one of a decade ago).
pub const HIGH_VOLUME_WINDOW_DAYS: usize = 730;
/// Fitness below this is an idle day (about 7 easy minutes a day on average).
pub const IDLE_FITNESS: f64 = 1.0;

/// The signals the planner reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// EWMA acute:chronic ratio ≥ 1.5: add a caution to the plan.
    pub acwr_very_high: bool,
    /// Monotony > 2: add a caution to the plan.
    pub monotony_high: bool,
    /// Chronic load in the top band of the athlete's own history; `None` with too little
    /// history to say.
    pub high_volume: Option<bool>,
}

/// Today's figures with the series behind them: what `status` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The UTC date the figures are for.
    pub as_of: Date,
    /// The series from the first activity's date to `as_of` (empty with no activity).
    pub daily: Vec<DailyPoint>,
    /// The planner's signals.
    pub flags: Flags,
}

impl Status {
    /// The point of `as_of`, when there is a series.
    pub fn today(&self) -> Option<&DailyPoint> {
        self.daily.last()
    }

    /// The band of today's EWMA acute:chronic ratio.
    pub fn acwr_band(&self) -> Option<AcwrBand> {
        self.today().and_then(|p| p.acwr).map(AcwrBand::of)
    }

    /// A one-line meaning of today's form, for people.
    pub fn form_meaning(&self) -> &'static str {
        let Some(p) = self.today() else { return "no training recorded yet" };
        let rel = if p.fitness > 0.0 { p.form / p.fitness } else { 0.0 };
        if p.fitness <= 0.0 && p.fatigue <= 0.0 {
            "no recent training load"
        } else if rel > 0.25 {
            "fresh: rested well beyond your usual load (fitness may be slipping)"
        } else if rel > 0.05 {
            "fresh: ready for a hard session or a race"
        } else if rel >= -0.10 {
            "neutral: training and recovery in balance"
        } else if rel >= -0.30 {
            "tired: productive training load, recover well"
        } else {
            "very tired: fatigue well above fitness, an easy day would help"
        }
    }
}

/// The series and the planner's signals for `as_of`.
pub fn status(activities: &[ActivityLoad], as_of: Date) -> Result<Status, LoadError> {
    status_with(activities, as_of, &SeriesOptions::default())
}

/// [`status`] with the athlete's time constants and seed.
pub fn status_with(
    activities: &[ActivityLoad],
    as_of: Date,
    options: &SeriesOptions,
) -> Result<Status, LoadError> {
    let daily = daily_series_with(activities, as_of, options)?;
    let flags = match daily.last() {
        Some(p) => Flags {
            acwr_very_high: p.acwr.is_some_and(|a| a >= ACWR_WARN),
            monotony_high: p.week.monotony.is_some_and(|m| m > MONOTONY_WARN),
            high_volume: high_volume(&daily),
        },
        None => Flags::default(),
    };
    Ok(Status { as_of, daily, flags })
}

/// Whether the last day's fitness is in the top band of the athlete's recent training history:
/// at or above the [`HIGH_VOLUME_QUANTILE`] of fitness over the last [`HIGH_VOLUME_WINDOW_DAYS`]
/// settled days, idle days (fitness under [`IDLE_FITNESS`]) left out so that a long break does
/// not make any training look like high volume. `None` with fewer than
/// [`HIGH_VOLUME_MIN_DAYS`] such days.
pub fn high_volume(daily: &[DailyPoint]) -> Option<bool> {
    let settled = daily.get(FITNESS_TAU as usize..)?;
    let today = settled.last()?.fitness;
    let window = &settled[settled.len().saturating_sub(HIGH_VOLUME_WINDOW_DAYS)..];
    let mut values: Vec<f64> =
        window.iter().map(|p| p.fitness).filter(|f| *f >= IDLE_FITNESS).collect();
    if values.len() < HIGH_VOLUME_MIN_DAYS {
        return None;
    }
    let k = ((values.len() - 1) as f64 * HIGH_VOLUME_QUANTILE).floor() as usize;
    let (_, q, _) = values.select_nth_unstable_by(k, f64::total_cmp);
    Some(today >= IDLE_FITNESS && today >= *q)
}
