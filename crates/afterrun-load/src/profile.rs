//! The athlete's thresholds: what the profile says, else what the history shows, else a stated
//! default.
//!
//! Every stress score is relative to the athlete (heart-rate reserve, threshold pace), so wrong
//! thresholds make every number wrong in the same direction. That is why each value that did not
//! come from the profile is written into `assumptions`, in words a runner can check and correct
//! with `afterrun profile`.

use afterrun_activity::Activity;

/// The athlete's sex, which selects Banister's TRIMP weighting constants (`banister-1991`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sex {
    /// Female constants: 0.86 · e^(1.67 x).
    Female,
    /// Male constants: 0.64 · e^(1.92 x).
    Male,
    /// Not given: the female constants are used (they weigh moderate efforts higher, toward
    /// caution), and this is stated in `assumptions`.
    #[default]
    Unspecified,
}

/// A sex code that is not `female`, `male` or `unspecified`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sex `{0}` (expected female, male or unspecified)")]
pub struct UnknownSex(pub String);

impl Sex {
    /// The code used in check-ins and the profile (`female`, `male`, `unspecified`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unspecified => "unspecified",
        }
    }
}

impl std::str::FromStr for Sex {
    type Err = UnknownSex;

    /// Parses the check-in and profile code.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "female" => Ok(Sex::Female),
            "male" => Ok(Sex::Male),
            "unspecified" => Ok(Sex::Unspecified),
            _ => Err(UnknownSex(s.to_owned())),
        }
    }
}

/// What the athlete told us (`afterrun profile`); every field is optional.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AthleteProfile {
    /// Sex, for the TRIMP constants.
    pub sex: Sex,
    /// Age in years, for an age-predicted maximum heart rate when the history has none.
    pub age: Option<f64>,
    /// Maximum heart rate, beats per minute.
    pub max_hr: Option<f64>,
    /// Resting heart rate, beats per minute.
    pub rest_hr: Option<f64>,
    /// Lactate-threshold heart rate, beats per minute.
    pub threshold_hr: Option<f64>,
    /// Threshold pace as a speed, metres per second (the pace the athlete can hold for about an
    /// hour).
    pub threshold_speed_mps: Option<f64>,
    /// Paces in `assumptions` per mile rather than per km.
    pub pace_in_miles: bool,
}

/// What one past activity says about the athlete's thresholds, computed once per activity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActivityFacts {
    /// The highest plausible heart rate held for a few readings (or the summary's maximum),
    /// beats per minute.
    pub max_hr: Option<f64>,
    /// The best average speed held over 30 minutes of running, metres per second.
    pub best_30min_speed_mps: Option<f64>,
    /// The resting heart rate the recording device held for its wearer, beats per minute.
    pub rest_hr: Option<f64>,
    /// Where these facts come from, in words for the athlete (the file and its date), named
    /// in `assumptions` when an estimate is taken from this activity.
    pub origin: Option<String>,
}

/// Resolved thresholds: every field has a value, and `assumptions` says where each came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Sex used for the TRIMP constants.
    pub sex: Sex,
    /// Maximum heart rate, beats per minute.
    pub max_hr: f64,
    /// Resting heart rate, beats per minute.
    pub rest_hr: f64,
    /// Lactate-threshold heart rate, beats per minute.
    pub threshold_hr: f64,
    /// Threshold speed, metres per second.
    pub threshold_speed_mps: f64,
    /// One sentence per value that was estimated or defaulted.
    pub assumptions: Vec<String>,
}

/// Plausible resting heart rates (a watch's setting outside is not the wearer's).
const REST_HR_PLAUSIBLE: std::ops::RangeInclusive<f64> = 25.0..=120.0;
/// Plausible heart rates for an adult during exercise; outside is a sensor glitch.
const HR_PLAUSIBLE: (f64, f64) = (30.0, 230.0);
/// Resting heart rate used when the profile has none: a typical adult value (`karvonen-1957`
/// used resting rates in this range); stated in `assumptions`.
const DEFAULT_REST_HR: f64 = 60.0;
/// Maximum heart rate when neither profile, history nor age gives one (Tanaka's formula at age
/// 40: 208 - 0.7 x 40, `tanaka-2001`).
const DEFAULT_MAX_HR: f64 = 180.0;
/// Threshold heart rate as a fraction of heart-rate reserve when not given. Lactate threshold in
/// trained runners sits near 85 % of reserve; a modelling default (`karvonen-1957` for the
/// reserve method), stated in `assumptions`.
const THRESHOLD_HRR_FRACTION: f64 = 0.85;
/// Threshold speed when nothing gives one: 10 km/h (6:00 per km), a recreational runner's
/// hour-long pace; stated in `assumptions`.
const DEFAULT_THRESHOLD_SPEED: f64 = 10.0 / 3.6;
/// A best 30-minute effort in training is held for half the time of the hour that defines
/// threshold; threshold speed is taken as 97 % of it (the usual 30-min-to-1-h speed ratio of
/// race performances, `allen-coggan-2010`).
const THIRTY_MIN_TO_THRESHOLD: f64 = 0.97;
/// Length of the sustained effort used to estimate threshold pace, seconds.
const SUSTAINED_S: f64 = 1_800.0;

/// Consecutive heart-rate readings a maximum must be held for: a single high reading is more
/// often a sensor glitch (cadence lock of an optical sensor, a chest strap on dry skin) than
/// the heart.
const MAX_HR_HELD_SAMPLES: usize = 5;

/// The highest plausible heart rate and the best 30-minute running speed of one activity. With
/// heart-rate samples, the maximum is the highest rate held for 5 readings in a row; without,
/// the summary's maximum.
pub fn activity_facts(activity: &Activity) -> ActivityFacts {
    let in_range = |hr: f64| hr.is_finite() && (HR_PLAUSIBLE.0..=HR_PLAUSIBLE.1).contains(&hr);
    let mut held: Option<f64> = None;
    let mut window = [0.0_f64; MAX_HR_HELD_SAMPLES];
    let mut run = 0_usize;
    for s in &activity.samples {
        match s.heart_rate_bpm.filter(|&hr| in_range(hr)) {
            Some(hr) => {
                window[run % MAX_HR_HELD_SAMPLES] = hr;
                run += 1;
                if run >= MAX_HR_HELD_SAMPLES {
                    let low = window.iter().copied().fold(f64::INFINITY, f64::min);
                    held = Some(held.map_or(low, |m: f64| m.max(low)));
                }
            }
            None => run = 0,
        }
    }
    let max_hr = held.or_else(|| activity.summary.totals.max_hr.filter(|&hr| in_range(hr)));
    let running = crate::sport::is_run(&activity.summary.totals.sport);
    ActivityFacts {
        max_hr,
        best_30min_speed_mps: if running {
            best_sustained_speed(activity, SUSTAINED_S)
        } else {
            None
        },
        rest_hr: activity
            .summary
            .rest_hr
            .filter(|hr| hr.is_finite() && REST_HR_PLAUSIBLE.contains(hr)),
        origin: None,
    }
}

/// Time and cumulative distance of each timed sample: the file's own cumulative distance when
/// it has one, else speed × time, else the ground distance between positions (a GPX file).
fn distance_over_time(activity: &Activity) -> Vec<(f64, f64)> {
    let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
    let mut out = Vec::with_capacity(activity.samples.len());
    let mut prev: Option<&afterrun_activity::Sample> = None;
    let mut built = 0.0_f64;
    for s in &activity.samples {
        let Some(t) = finite(s.time_s) else { continue };
        if let Some(d) = finite(s.distance_m) {
            built = d;
        } else if let Some(p) = prev {
            let dt = finite(p.time_s).map_or(0.0, |pt| t - pt);
            built += match (finite(s.speed_mps), finite(p.lat_deg), finite(p.lon_deg)) {
                (Some(v), _, _) if v >= 0.0 && dt > 0.0 => v * dt,
                (_, Some(a), Some(b)) => match (finite(s.lat_deg), finite(s.lon_deg)) {
                    (Some(c), Some(d)) => crate::grade::step_distance(a, b, c, d),
                    _ => 0.0,
                },
                _ => 0.0,
            };
        }
        out.push((t, built));
        prev = Some(s);
    }
    out
}

/// The best average speed over `window_s` seconds, from time and cumulative distance, with a
/// two-pointer walk (linear in the number of samples).
fn best_sustained_speed(activity: &Activity, window_s: f64) -> Option<f64> {
    let points = distance_over_time(activity);
    let mut best: Option<f64> = None;
    let mut j = 0;
    for i in 0..points.len() {
        let (t_end, d_end) = points[i];
        // Move the start forward while the window stays at least `window_s` long.
        while j + 1 < i && t_end - points[j + 1].0 >= window_s {
            j += 1;
        }
        let (t_start, d_start) = points[j];
        let dt = t_end - t_start;
        if dt >= window_s && dt <= window_s * 1.1 {
            let v = (d_end - d_start) / dt;
            // Faster than 7 m/s for half an hour is beyond any human: a distance glitch.
            if v.is_finite() && v > 0.0 && v < 7.0 {
                best = Some(best.map_or(v, |b: f64| b.max(v)));
            }
        }
    }
    best
}

/// Thresholds from the profile, else estimated from the history's facts, else defaults; each
/// estimate or default is stated in `assumptions`.
pub fn resolve_thresholds(profile: &AthleteProfile, history: &[ActivityFacts]) -> Thresholds {
    let mut assumptions = Vec::new();
    let sex = profile.sex;
    if sex == Sex::Unspecified {
        assumptions
            .push("sex not given: the female TRIMP constants are used (banister-1991)".to_owned());
    }
    let valid = |x: Option<f64>| x.filter(|v| v.is_finite() && *v > 0.0);

    let observed_max = best_of(history, |f| {
        f.max_hr.filter(|hr| hr.is_finite() && (100.0..=HR_PLAUSIBLE.1).contains(hr))
    });
    let max_hr = match (valid(profile.max_hr), observed_max, valid(profile.age)) {
        (Some(hr), _, _) => hr,
        (None, Some((hr, origin)), _) => {
            assumptions.push(format!(
                "max heart rate {} estimated from history (the highest held for {MAX_HR_HELD_SAMPLES} readings{})",
                hr.round(),
                origin_words(origin)
            ));
            hr
        }
        (None, None, Some(age)) => {
            let hr = 208.0 - 0.7 * age;
            assumptions.push(format!(
                "max heart rate {} estimated from age (208 - 0.7 x age, tanaka-2001)",
                hr.round()
            ));
            hr
        }
        (None, None, None) => {
            assumptions.push(format!(
                "max heart rate {DEFAULT_MAX_HR} assumed: no profile value, history or age"
            ));
            DEFAULT_MAX_HR
        }
    };

    // The latest file that carries the watch's resting heart rate (history is oldest first).
    let from_files = history.iter().rev().find_map(|f| {
        let hr = f.rest_hr.filter(|hr| REST_HR_PLAUSIBLE.contains(hr) && *hr < max_hr)?;
        Some((hr, f.origin.as_deref()))
    });
    let rest_hr = match (valid(profile.rest_hr).filter(|&r| r < max_hr), from_files) {
        (Some(r), _) => r,
        (None, Some((hr, origin))) => {
            assumptions.push(format!(
                "resting heart rate {} from your watch's settings in the latest file that has it{}",
                hr.round(),
                origin_words(origin)
            ));
            hr
        }
        (None, None) => {
            assumptions.push(format!("resting heart rate {DEFAULT_REST_HR} assumed"));
            DEFAULT_REST_HR.min(max_hr - 1.0)
        }
    };

    let threshold_hr = match valid(profile.threshold_hr).filter(|&t| t > rest_hr && t <= max_hr) {
        Some(t) => t,
        None => {
            let t = rest_hr + THRESHOLD_HRR_FRACTION * (max_hr - rest_hr);
            assumptions.push(format!(
                "threshold heart rate {} assumed at 85 % of heart-rate reserve",
                t.round()
            ));
            t
        }
    };

    let observed_speed =
        best_of(history, |f| f.best_30min_speed_mps.filter(|v| v.is_finite() && *v > 0.0));
    let threshold_speed_mps = match (valid(profile.threshold_speed_mps), observed_speed) {
        (Some(v), _) => v,
        (None, Some((best, origin))) => {
            let v = best * THIRTY_MIN_TO_THRESHOLD;
            assumptions.push(format!(
                "threshold pace {} estimated from the best 30-minute effort in history{}",
                pace_text(v, profile.pace_in_miles),
                origin_words(origin)
            ));
            v
        }
        (None, None) => {
            assumptions.push(format!(
                "threshold pace {} assumed: no profile value or sustained effort in history",
                pace_text(DEFAULT_THRESHOLD_SPEED, profile.pace_in_miles)
            ));
            DEFAULT_THRESHOLD_SPEED
        }
    };

    Thresholds { sex, max_hr, rest_hr, threshold_hr, threshold_speed_mps, assumptions }
}

/// The largest value `pick` finds in the history, with the origin of the activity it came from.
fn best_of(
    history: &[ActivityFacts],
    pick: impl Fn(&ActivityFacts) -> Option<f64>,
) -> Option<(f64, Option<&str>)> {
    history.iter().filter_map(|f| Some((pick(f)?, f.origin.as_deref()))).fold(
        None,
        |best, (v, o)| match best {
            Some((b, _)) if b >= v => best,
            _ => Some((v, o)),
        },
    )
}

/// `" (in FILE, DATE)"` or nothing.
fn origin_words(origin: Option<&str>) -> String {
    origin.map_or_else(String::new, |o| format!(" in {o}"))
}

/// `m:ss per km` (or `per mile`) for a speed in metres per second: the one wording of a pace,
/// used by the assumptions here and every text of the service.
pub fn pace_text(speed_mps: f64, miles: bool) -> String {
    let (metres, unit) = if miles { (1_609.344, "per mile") } else { (1000.0, "per km") };
    let s = (metres / speed_mps).round() as i64;
    format!("{}:{:02} {unit}", s / 60, s % 60)
}

impl Thresholds {
    /// The heart-rate reserve fraction of a heart rate, clamped to 0..=1 (`karvonen-1957`).
    pub fn hrr(&self, hr: f64) -> f64 {
        let span = self.max_hr - self.rest_hr;
        if span <= 0.0 || !hr.is_finite() {
            return 0.0;
        }
        ((hr - self.rest_hr) / span).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the file named in `origin` says.
    fn in_file(origin: &str, facts: ActivityFacts) -> ActivityFacts {
        ActivityFacts { origin: Some(origin.into()), ..facts }
    }

    #[test]
    fn profile_wins_and_states_nothing_for_given_values() {
        let p = AthleteProfile {
            sex: Sex::Male,
            age: Some(30.0),
            max_hr: Some(190.0),
            rest_hr: Some(50.0),
            threshold_hr: Some(170.0),
            threshold_speed_mps: Some(4.0),
            pace_in_miles: false,
        };
        let t =
            resolve_thresholds(&p, &[ActivityFacts { max_hr: Some(200.0), ..Default::default() }]);
        assert_eq!(
            (t.max_hr, t.rest_hr, t.threshold_hr, t.threshold_speed_mps),
            (190.0, 50.0, 170.0, 4.0)
        );
        assert!(t.assumptions.is_empty(), "{:?}", t.assumptions);
    }

    #[test]
    fn history_estimates_are_stated() {
        let facts = [
            in_file(
                "tempo.fit, Tue 3 Mar 2026",
                ActivityFacts {
                    max_hr: Some(181.0),
                    best_30min_speed_mps: Some(3.5),
                    ..Default::default()
                },
            ),
            in_file(
                "hills.gpx, Sat 7 Mar 2026",
                ActivityFacts { max_hr: Some(188.0), ..Default::default() },
            ),
            ActivityFacts { max_hr: Some(250.0), ..Default::default() },
        ];
        let t = resolve_thresholds(&AthleteProfile::default(), &facts);
        assert_eq!(t.max_hr, 188.0);
        assert!((t.threshold_speed_mps - 3.5 * 0.97).abs() < 1e-12);
        assert!(t.assumptions.iter().any(|a| a
            == "max heart rate 188 estimated from history (the highest held for 5 \
                               readings in hills.gpx, Sat 7 Mar 2026)"));
        assert!(t.assumptions.iter().any(|a| a.contains("threshold pace 4:55 per km")
            && a.ends_with("in tempo.fit, Tue 3 Mar 2026")));
    }

    #[test]
    fn age_then_default() {
        let p = AthleteProfile { age: Some(40.0), ..Default::default() };
        assert_eq!(resolve_thresholds(&p, &[]).max_hr, 180.0);
        let p = AthleteProfile { age: Some(20.0), ..Default::default() };
        assert_eq!(resolve_thresholds(&p, &[]).max_hr, 194.0);
        let t = resolve_thresholds(&AthleteProfile::default(), &[]);
        assert_eq!(t.max_hr, DEFAULT_MAX_HR);
        assert_eq!(t.threshold_speed_mps, DEFAULT_THRESHOLD_SPEED);
    }

    #[test]
    fn the_latest_watch_setting_gives_the_resting_heart_rate_unless_the_profile_does() {
        let facts = [
            in_file("old.fit", ActivityFacts { rest_hr: Some(55.0), ..Default::default() }),
            in_file("new.fit", ActivityFacts { rest_hr: Some(48.0), ..Default::default() }),
            ActivityFacts { max_hr: Some(190.0), ..Default::default() },
        ];
        let t = resolve_thresholds(&AthleteProfile::default(), &facts);
        assert_eq!(t.rest_hr, 48.0);
        assert!(
            t.assumptions.iter().any(|a| a.starts_with("resting heart rate 48 from your watch")
                && a.ends_with("in new.fit")),
            "{:?}",
            t.assumptions
        );
        let p = AthleteProfile { rest_hr: Some(44.0), ..Default::default() };
        let t = resolve_thresholds(&p, &facts);
        assert_eq!(t.rest_hr, 44.0);
        assert!(!t.assumptions.iter().any(|a| a.contains("resting")), "{:?}", t.assumptions);
        // Without any, the default, said.
        let t = resolve_thresholds(&AthleteProfile::default(), &facts[2..]);
        assert_eq!(t.rest_hr, DEFAULT_REST_HR);
    }
}
