//! The load model against hand-computed vectors (issue 4 acceptance) and its invariants.

// Helpers outside `#[test]` functions unwrap fixed, valid test data.
#![allow(clippy::unwrap_used)]

use afterrun_activity::{Activity, Format, Sample, Summary};
use afterrun_load::*;
use jiff::civil::Date;
use proptest::prelude::*;

const DAY: i64 = 86_400;

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// Unix seconds of 08:00 UTC on `date` + `days`.
fn morning(date_s: &str, days: i64) -> i64 {
    (day_of_date(date(date_s)) + days) * DAY + 8 * 3600
}

fn act(start: i64, stress: f64) -> ActivityLoad {
    ActivityLoad { start, duration_s: 3600.0, distance_m: 10_000.0, stress, ..Default::default() }
}

fn thresholds(sex: Sex) -> Thresholds {
    Thresholds {
        sex,
        max_hr: 190.0,
        rest_hr: 60.0,
        threshold_hr: 170.0,
        threshold_speed_mps: 4.0,
        assumptions: Vec::new(),
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// ---------------------------------------------------------------------------------------------
// Daily series: a 10-day series computed by hand.
// ---------------------------------------------------------------------------------------------

/// Loads 100, 0, 50, 0, 0, 80, 0, 0, 0, 30 on ten consecutive days.
///
/// kf = 1 − e^(−1/42) = 0.0235283133…, ka = 1 − e^(−1/7) = 0.1331221002…
/// day 0: fitness = 0 + (100 − 0)·kf = 2.35283133; fatigue = 100·ka = 13.31221002; form = 0
/// day 1: fitness = 2.35283133 − 2.35283133·kf = 2.29747318; fatigue = 13.31221002·(1 − ka)
///        = 11.54006067; form = 2.35283133 − 13.31221002 = −10.95937869
/// day 2: fitness = 2.29747318 + (50 − 2.29747318)·kf = 3.41983318;
///        fatigue = 11.54006067 + (50 − 11.54006067)·ka = 16.65992857;
///        form = 2.29747318 − 11.54006067 = −9.24258749
/// … and so on, each day from the day before (values below to 8 decimals).
#[test]
fn ten_day_series_matches_hand_computation() {
    let loads = [100.0, 0.0, 50.0, 0.0, 0.0, 80.0, 0.0, 0.0, 0.0, 30.0];
    let acts: Vec<ActivityLoad> = loads
        .iter()
        .enumerate()
        .filter(|(_, l)| **l > 0.0)
        .map(|(i, &l)| act(morning("2026-03-01", i as i64), l))
        .collect();
    let days = daily_series(&acts, date("2026-03-10")).unwrap();
    #[rustfmt::skip]
    let expected = [
        // (fitness, fatigue, form)
        (2.35283133, 13.31221002, 0.0),
        (2.29747318, 11.54006067, -10.95937869),
        (3.41983318, 16.65992857, -9.24258749),
        (3.33937027, 14.44212389, -13.24009539),
        (3.26080052, 12.51955802, -11.10275361),
        (5.06634445, 21.50269618, -9.25875750),
        (4.94714191, 18.64021211, -16.43635173),
        (4.83074401, 16.15878792, -13.69307019),
        (4.71708475, 14.00769614, -11.32804391),
        (5.31194910, 16.13662521, -9.29061139),
    ];
    assert_eq!(days.len(), 10);
    assert_eq!(days[0].date, date("2026-03-01"));
    assert_eq!(days[9].date, date("2026-03-10"));
    for (i, (p, (fit, fat, form))) in days.iter().zip(expected).enumerate() {
        assert_eq!(p.load, loads[i], "day {i}");
        assert!(close(p.fitness, fit, 1e-8), "day {i} fitness {}", p.fitness);
        assert!(close(p.fatigue, fat, 1e-8), "day {i} fatigue {}", p.fatigue);
        assert!(close(p.form, form, 1e-8), "day {i} form {}", p.form);
        assert_eq!(p.acwr, None, "day {i}");
    }
    // Weekly volume on day 9: days 3..=9 hold two activities (days 5 and 9).
    assert_eq!(days[9].week.distance_m, 20_000.0);
    assert_eq!(days[9].week.time_s, 7_200.0);
    assert_eq!(days[9].week.load, 110.0);
    // Ramp rate: fitness(9) − fitness(2).
    assert!(close(days[9].ramp_rate, 5.31194910 - 3.41983318, 1e-8));
}

#[test]
fn loads_fall_on_their_utc_date_and_sum() {
    let d0 = day_of_date(date("2026-05-01")) * DAY;
    let acts = [
        act(d0 + 23 * 3600 + 3599, 10.0), // 2026-05-01T23:59:59Z
        act(d0 + DAY, 20.0),              // 2026-05-02T00:00:00Z
        act(d0 + DAY + 3600, 5.0),
        act(d0 + 10 * DAY, 99.0), // after as_of: ignored
    ];
    let days = daily_series(&acts, date("2026-05-03")).unwrap();
    let loads: Vec<f64> = days.iter().map(|p| p.load).collect();
    assert_eq!(loads, [10.0, 25.0, 0.0]);
    assert!(daily_series(&[], date("2026-05-03")).unwrap().is_empty());
    assert!(daily_series(&acts[3..], date("2026-05-03")).unwrap().is_empty());
    let err = daily_series(&[act(i64::MIN, 1.0)], date("2026-05-03")).unwrap_err();
    assert!(matches!(err, LoadError::HistoryTooLong { .. }));
}

// ---------------------------------------------------------------------------------------------
// ACWR on a known series.
// ---------------------------------------------------------------------------------------------

/// 28 days at 50, then 7 days at 100. λa = 2/8 = 0.25, λc = 2/29.
/// After 28 days of 50 from 0: acute = 50·(1 − 0.75^28) = 49.98412604,
/// chronic = 50·(1 − (27/29)^28) = 43.23899185.
/// Day 28 (the 29th day, the first with a ratio): acute = 49.98412604 + 0.25·(100 − 49.98412604)
/// = 62.48809453; chronic = 43.23899185 + (2/29)·(100 − 43.23899185) = 47.15354413;
/// ratio = 1.32520462 (band high). Day 34: 93.32368675 / 65.58003183 = 1.42305034.
/// Rolling on day 34: 7 × 100 over (21 × 50 + 7 × 100) / 4 = 700 / 437.5 = 1.6.
#[test]
fn acwr_on_a_known_series() {
    let acts: Vec<ActivityLoad> =
        (0..35).map(|i| act(morning("2026-01-01", i), if i < 28 { 50.0 } else { 100.0 })).collect();
    let days = daily_series(&acts, date("2026-02-04")).unwrap();
    assert_eq!(days.len(), 35);
    assert!(days[..28].iter().all(|p| p.acwr.is_none() && p.acwr_rolling.is_none()));
    let r28 = days[28].acwr.unwrap();
    assert!(close(r28, 62.48809453 / 47.15354413, 1e-8), "{r28}");
    assert!(close(r28, 1.32520462, 1e-8));
    assert_eq!(AcwrBand::of(r28), AcwrBand::High);
    assert!(close(days[31].acwr.unwrap(), 1.46772134, 1e-8));
    assert!(close(days[34].acwr.unwrap(), 1.42305034, 1e-8));
    assert!(close(days[34].acwr_rolling.unwrap(), 1.6, 1e-12));
    // Equal loads all week: no monotony.
    assert_eq!(days[34].week.monotony, None);
    let st = status(&acts, date("2026-02-04")).unwrap();
    assert_eq!(st.acwr_band(), Some(AcwrBand::High));
    assert!(!st.flags.acwr_very_high);
}

#[test]
fn acwr_bands() {
    assert_eq!(AcwrBand::of(0.79), AcwrBand::Low);
    assert_eq!(AcwrBand::of(0.8), AcwrBand::Normal);
    assert_eq!(AcwrBand::of(1.3), AcwrBand::Normal);
    assert_eq!(AcwrBand::of(1.31), AcwrBand::High);
    assert_eq!(AcwrBand::of(1.5), AcwrBand::VeryHigh);
    assert_eq!(AcwrBand::VeryHigh.as_str(), "very_high");
}

/// Week 10, 20, …, 70: mean 40, population sd √((30² + 20² + 10² + 0 + 10² + 20² + 30²)/7)
/// = √400 = 20, monotony 2.0, strain 280 × 2 = 560 (foster-1998).
#[test]
fn monotony_and_strain_by_hand() {
    let acts: Vec<ActivityLoad> =
        (0..7).map(|i| act(morning("2026-01-01", i), 10.0 * (i + 1) as f64)).collect();
    let days = daily_series(&acts, date("2026-01-07")).unwrap();
    let p = days[6];
    assert!(close(p.week.monotony.unwrap(), 2.0, 1e-12));
    assert!(close(p.week.strain.unwrap(), 560.0, 1e-9));
    // Day 1 of history: loads 10, 20 and five days of nothing before: mean 30/7,
    // sd = √((10² + 20²)/7 − (30/7)²) = √(500/7 − 900/49) = √(2600/49).
    let m = (30.0 / 7.0) / (2600.0_f64 / 49.0).sqrt();
    assert!(close(days[1].week.monotony.unwrap(), m, 1e-12));
    assert_eq!(foster_monotony(&[5.0; 7]), None);
    assert_eq!(foster_monotony(&[0.0; 7]), None);
}

#[test]
fn monotony_flag_and_high_volume() {
    // 100 days at 30 with a rest day each week, then 4 weeks of 60 every day but Sunday.
    let mut acts = Vec::new();
    for i in 0..128 {
        if i % 7 == 6 {
            continue;
        }
        acts.push(act(morning("2026-01-01", i), if i < 100 { 30.0 } else { 60.0 }));
    }
    let as_of = date_of_day(day_of_date(date("2026-01-01")) + 127).unwrap();
    let st = status(&acts, as_of).unwrap();
    assert_eq!(st.flags.high_volume, Some(true));
    // Loads 60 six days, 0 one day: mean 51.43, sd 21.0, monotony 2.45 > 2.
    assert!(st.flags.monotony_high, "{:?}", st.today().unwrap().week.monotony);
    // Too little history: unknown.
    let st = status(&acts[..30], date("2026-02-05")).unwrap();
    assert_eq!(st.flags.high_volume, None);
    // Years of nothing before a light block do not make it high volume: the last two years'
    // active days are the reference, and the light block is all of them.
    let mut light = vec![act(morning("2020-01-01", 0), 30.0)];
    light
        .extend((0..120).map(|i| act(morning("2026-01-01", i), if i < 100 { 40.0 } else { 10.0 })));
    let as_of = date_of_day(day_of_date(date("2026-01-01")) + 119).unwrap();
    assert_eq!(status(&light, as_of).unwrap().flags.high_volume, Some(false));
}

// ---------------------------------------------------------------------------------------------
// Stress scores.
// ---------------------------------------------------------------------------------------------

fn hr_trace() -> Vec<Sample> {
    // 1 Hz for 600 s: 300 s at 125 bpm, then 300 s at 164 bpm (rest 60, max 190:
    // heart-rate reserve 0.5, then 0.8). The first sample weighs no interval.
    (0..=600)
        .map(|i| Sample {
            time_s: Some(1_700_000_000.0 + f64::from(i)),
            heart_rate_bpm: Some(if i <= 300 { 125.0 } else { 164.0 }),
            ..Default::default()
        })
        .collect()
}

/// Male: 5 min × 0.5 × 0.64·e^(0.96) + 5 min × 0.8 × 0.64·e^(1.536)
///     = 5 × 0.83573… + 5 × 2.37874… = 4.17865… + 11.89374… = 16.07239545.
/// Female: 5 × 0.5 × 0.86·e^(0.835) + 5 × 0.8 × 0.86·e^(1.336)
///     = 5 × 0.99079… + 5 × 2.61729… = 18.04041478.
#[test]
fn trimp_of_a_known_heart_rate_trace() {
    let (trimp, coverage) = banister_trimp(&hr_trace(), &thresholds(Sex::Male)).unwrap();
    assert!(close(trimp, 16.07239545, 1e-7), "{trimp}");
    assert_eq!(coverage, 1.0);
    let (trimp, _) = banister_trimp(&hr_trace(), &thresholds(Sex::Female)).unwrap();
    assert!(close(trimp, 18.04041478, 1e-7), "{trimp}");
    // A pause (a 10-minute gap) counts for nothing.
    let mut paused = hr_trace();
    paused.iter_mut().skip(301).for_each(|s| s.time_s = s.time_s.map(|t| t + 600.0));
    let (trimp, _) = banister_trimp(&paused, &thresholds(Sex::Male)).unwrap();
    assert!(close(trimp, 16.07239545 - 0.8 * 0.64 * (1.92_f64 * 0.8).exp() / 60.0, 1e-7));
    assert!(banister_trimp(&[], &thresholds(Sex::Male)).is_none());
}

fn activity(samples: Vec<Sample>) -> Activity {
    let mut summary = Summary::empty(Format::Fit);
    summary.totals.sport = "running".to_owned();
    summary.totals.start_time = samples.first().and_then(|s| s.time_s).map(|t| t as i64);
    Activity { summary, samples }
}

/// One hour at exactly threshold speed on the flat: IF = 1, rTSS = 1 h × 1² × 100 = 100.
/// One hour at threshold heart rate: hrTSS = 100 by definition. 60 min at RPE 7: 420, 100 points.
#[test]
fn tss_scales_by_hand() {
    let t = thresholds(Sex::Male);
    let flat: Vec<Sample> = (0..=3600)
        .map(|i| Sample {
            time_s: Some(f64::from(i)),
            distance_m: Some(4.0 * f64::from(i)),
            altitude_m: Some(100.0),
            ..Default::default()
        })
        .collect();
    assert!(close(rtss(&flat, &t).unwrap(), 100.0, 1e-9));
    let s = activity_stress(&activity(flat.clone()), &t, None);
    assert_eq!(s.kind, StressKind::Rtss);
    assert!(close(s.value, 100.0, 1e-9));
    // Half the speed: IF 0.5, 25 points.
    let slow: Vec<Sample> =
        flat.iter().map(|s| Sample { distance_m: s.distance_m.map(|d| d / 2.0), ..*s }).collect();
    assert!(close(rtss(&slow, &t).unwrap(), 25.0, 1e-9));
    // Uphill at the same speed costs more (minetti-2002).
    let hill: Vec<Sample> = flat
        .iter()
        .map(|s| Sample { altitude_m: s.distance_m.map(|d| 100.0 + 0.05 * d), ..*s })
        .collect();
    assert!(rtss(&hill, &t).unwrap() > 120.0);

    assert!(close(hrtss(3600.0, 170.0, &t), 100.0, 1e-9));
    assert!(hrtss(3600.0, 150.0, &t) < 100.0);
    assert_eq!(srpe(7.0, 60.0), 420.0);
    let c = checkin_stress(60.0, None, Some(7.0), &t);
    assert_eq!((c.kind, c.raw), (StressKind::Srpe, 420.0));
    assert!(close(c.value, 100.0, 1e-12));
    let c = checkin_stress(60.0, Some(170.0), Some(7.0), &t);
    assert_eq!(c.kind, StressKind::Hrtss);
    let c = checkin_stress(90.0, None, None, &t);
    assert_eq!((c.kind, c.raw, c.value), (StressKind::Duration, 90.0, 75.0));
}

#[test]
fn stress_kind_follows_the_order_of_preference() {
    let t = thresholds(Sex::Female);
    let mut a = activity(
        hr_trace()
            .into_iter()
            .enumerate()
            .map(|(i, s)| Sample { distance_m: Some(3.0 * i as f64), ..s })
            .collect(),
    );
    let s = activity_stress(&a, &t, Some(5.0));
    assert_eq!(s.kind, StressKind::Trimp);
    assert!(close(s.raw, 18.04041478, 1e-7));
    assert!(close(s.value, s.raw / trimp_per_threshold_hour(&t) * 100.0, 1e-12));
    a.samples.iter_mut().for_each(|s| s.heart_rate_bpm = None);
    assert_eq!(activity_stress(&a, &t, Some(5.0)).kind, StressKind::Rtss);
    a.summary.totals.sport = "cycling".to_owned();
    a.summary.totals.timer_s = Some(600.0);
    assert_eq!(activity_stress(&a, &t, Some(5.0)).kind, StressKind::Srpe);
    a.summary.totals.avg_hr = Some(140.0);
    assert_eq!(activity_stress(&a, &t, Some(5.0)).kind, StressKind::Hrtss);
    a.summary.totals.avg_hr = None;
    let s = activity_stress(&a, &t, None);
    assert_eq!((s.kind, s.raw), (StressKind::Duration, 10.0));
    for kind in [
        StressKind::Trimp,
        StressKind::Rtss,
        StressKind::Hrtss,
        StressKind::Srpe,
        StressKind::Duration,
    ] {
        assert_eq!(kind.as_str().parse::<StressKind>(), Ok(kind));
    }
    assert!("tss".parse::<StressKind>().is_err());
    assert_eq!("female".parse::<Sex>(), Ok(Sex::Female));
    assert_eq!(Sex::Male.as_str(), "male");
    assert!("f".parse::<Sex>().is_err());
}

#[test]
fn thresholds_are_estimated_from_activities() {
    let a = activity(
        hr_trace()
            .into_iter()
            .chain((601..=2500).map(|i| Sample {
                time_s: Some(1_700_000_000.0 + f64::from(i)),
                heart_rate_bpm: Some(181.0),
                ..Default::default()
            }))
            .enumerate()
            .map(|(i, s)| Sample { distance_m: Some(3.5 * i as f64), ..s })
            .collect(),
    );
    let facts = activity_facts(&a);
    assert_eq!(facts.max_hr, Some(181.0));
    // A single spike is a glitch, not a maximum.
    let mut spiky = a.clone();
    spiky.samples[700].heart_rate_bpm = Some(226.0);
    spiky.summary.totals.max_hr = Some(226.0);
    assert_eq!(activity_facts(&spiky).max_hr, Some(181.0));
    // Without samples the summary's maximum is all there is.
    spiky.samples.clear();
    assert_eq!(activity_facts(&spiky).max_hr, Some(226.0));
    assert!(close(facts.best_30min_speed_mps.unwrap(), 3.5, 1e-9));
    let t = resolve_thresholds(&AthleteProfile::default(), &[facts]);
    assert_eq!(t.max_hr, 181.0);
    assert!(t.assumptions.iter().any(|s| s.contains("max heart rate 181 estimated from history")));
    assert!(t.assumptions.iter().any(|s| s.contains("sex not given")));
}

// ---------------------------------------------------------------------------------------------
// Muscle load and soreness.
// ---------------------------------------------------------------------------------------------

/// One hour at 3 m/s and 150 bpm; `grade` of the road (−0.08 is a steady descent).
fn run_samples(start: i64, grade: f64) -> Vec<Sample> {
    (0..=3600)
        .map(|i| {
            let d = 3.0 * f64::from(i);
            Sample {
                time_s: Some(start as f64 + f64::from(i)),
                distance_m: Some(d),
                speed_mps: Some(3.0),
                altitude_m: Some(1500.0 + grade * d),
                heart_rate_bpm: Some(150.0),
                ..Default::default()
            }
        })
        .collect()
}

fn load_of(start: i64, grade: f64, t: &Thresholds) -> ActivityLoad {
    let (load, stress) = activity_load(&activity(run_samples(start, grade)), t, None).unwrap();
    assert_eq!(stress.kind, StressKind::Trimp);
    load
}

fn quads(f: &Forecast) -> MuscleForecast {
    f.muscles[MuscleGroup::Quads as usize]
}

#[test]
fn downhill_run_forecasts_more_quads_soreness_and_a_repeat_less() {
    let t = thresholds(Sex::Male);
    let start = morning("2026-06-01", 0);
    let flat = load_of(start, 0.0, &t);
    let down = load_of(start, -0.08, &t);
    // Same duration and heart rate: same stress.
    assert_eq!(flat.stress, down.stress);
    assert!(down.muscle.eccentric[MuscleGroup::Quads as usize] > 20.0);
    assert_eq!(flat.muscle.eccentric[MuscleGroup::Quads as usize], 0.0);

    let now = start + 3600 + 2 * 3600;
    let f_flat = forecast(&[flat], &[], now);
    let f_down = forecast(&[down], &[], now);
    assert!(quads(&f_down).peak > quads(&f_flat).peak + 1.0, "{:?} {:?}", f_down, f_flat);
    assert!(quads(&f_down).next_days[1] > quads(&f_flat).next_days[1]);
    // The plan can target the quads before they hurt; the flat run targets nothing.
    let targets = f_down.targets();
    assert_eq!(targets.first().map(|m| m.group), Some(MuscleGroup::Quads));
    assert!(targets.iter().all(|m| m.peak >= TARGET_LEVEL));
    assert!(f_flat.targets().is_empty());
    assert_eq!(f_down.group(MuscleGroup::Quads), &quads(&f_down));

    // The same descent three weeks later, with the first in history.
    let later = start + 21 * DAY;
    let repeat = load_of(later, -0.08, &t);
    let f_repeat = forecast(&[down, repeat], &[], later + 3 * 3600);
    assert!(
        quads(&f_repeat).peak < quads(&f_down).peak - 0.5,
        "{} vs {}",
        quads(&f_repeat).peak,
        quads(&f_down).peak
    );
}

#[test]
fn doms_time_course() {
    let t = thresholds(Sex::Male);
    let start = morning("2026-06-01", 0);
    let down = load_of(start, -0.10, &t);
    let end = down.end();
    // Nothing in the first hours after the run.
    let f = forecast(&[down], &[], end + 5 * 3600);
    assert_eq!(quads(&f).soreness_now, 0.0);
    let q = quads(&f);
    let peak_h = (q.peak_at.unwrap() - end) as f64 / 3600.0;
    assert!((24.0..=48.0).contains(&peak_h), "{peak_h}");
    let clear_d = (q.clear_by.unwrap() - end) as f64 / 86_400.0;
    assert!((4.0..=7.0).contains(&clear_d), "{clear_d} {q:?}");
    assert_eq!(doms_shape(PEAK_H), 1.0);
    assert_eq!(doms_shape(ONSET_H), 0.0);
    assert!(doms_shape(12.0) > 0.0);
    // A week later all is clear.
    let f = forecast(&[down], &[], end + 8 * DAY);
    assert!(f.muscles.iter().all(|m| m.soreness_now < CLEAR_LEVEL && m.peak_at.is_none()));
    // Every group is listed, in the contract's order.
    let names: Vec<&str> = f.muscles.iter().map(|m| m.group.as_str()).collect();
    assert_eq!(
        names,
        ["quads", "hamstrings", "calves", "glutes", "shins", "feet", "adductors", "hip_flexors"]
    );
}

#[test]
fn check_ins_calibrate_the_curve() {
    let t = thresholds(Sex::Male);
    let start = morning("2026-06-01", 0);
    let a = load_of(start, -0.08, &t);
    let b = load_of(start + 14 * DAY, -0.08, &t);
    let now = b.end() + 3600;
    let base = quads(&forecast(&[a, b], &[], now));
    // The athlete was far sorer than predicted after the first run.
    let report = SorenessReport { at: a.end() + 36 * 3600, group: MuscleGroup::Quads, rating: 9.0 };
    let sorer = quads(&forecast(&[a, b], &[report], now));
    assert!(sorer.calibration > 1.2 && sorer.peak > base.peak, "{sorer:?} {base:?}");
    let report = SorenessReport { rating: 0.0, ..report };
    let milder = quads(&forecast(&[a, b], &[report], now));
    assert!(milder.calibration < 0.8 && milder.peak < base.peak);
    // Reports about other groups do not move the quads.
    let report = SorenessReport { group: MuscleGroup::Calves, ..report };
    assert_eq!(quads(&forecast(&[a, b], &[report], now)).calibration, 1.0);
}

/// The check-in of interfaces.md: 95 min, 21.1 km, 120 m up, 350 m down, HR 152, RPE 7.
#[test]
fn a_checkin_run_names_targets_before_soreness() {
    let t = thresholds(Sex::Female);
    let ended = morning("2026-11-23", 0);
    let (a, stress) = checkin_activity_load(
        ended,
        95.0,
        Some(21.1),
        Some(120.0),
        Some(350.0),
        Some(152.0),
        Some(7.0),
        &t,
    );
    assert_eq!(stress.kind, StressKind::Hrtss);
    assert_eq!(a.end(), ended);
    assert_eq!(a.distance_m, 21_100.0);
    // 350 m of descent: 350 × 30 / 1000 = 10.5 level-km of eccentric quads load, raised by the
    // mean long-duration factor of a 95-minute run, 1 + 0.5 × 300² / (2 × 3600 × 5700).
    let long = 1.0 + 0.5 * 300.0 * 300.0 / (2.0 * 3600.0 * 5700.0);
    assert!(close(a.muscle.eccentric[MuscleGroup::Quads as usize], 10.5 * long, 1e-9));
    let f = forecast(&[a], &[], ended + 20 * 60);
    assert_eq!(quads(&f).soreness_now, 0.0);
    let targets: Vec<MuscleGroup> = f.targets().iter().map(|m| m.group).collect();
    assert!(targets.contains(&MuscleGroup::Quads), "{targets:?}");
    let (_, s) = checkin_activity_load(ended, 60.0, None, None, None, None, Some(7.0), &t);
    assert_eq!((s.kind, s.raw), (StressKind::Srpe, 420.0));
}

#[test]
fn terrain_and_speed_load_the_right_groups() {
    let t = thresholds(Sex::Male);
    let flat = muscle_load(&run_samples(0, 0.0), &t);
    let up = muscle_load(&run_samples(0, 0.08), &t);
    let down = muscle_load(&run_samples(0, -0.08), &t);
    for g in [MuscleGroup::Calves, MuscleGroup::Glutes] {
        assert!(up.of(g) > 1.5 * flat.of(g), "{g}");
    }
    assert!(down.of(MuscleGroup::Quads) > 2.0 * flat.of(MuscleGroup::Quads));
    assert!(down.of(MuscleGroup::Shins) > flat.of(MuscleGroup::Shins));
    // Speed work: the same distance at 5.5 m/s loads the hamstrings far more.
    let fast: Vec<Sample> = run_samples(0, 0.0)
        .into_iter()
        .map(|s| Sample { time_s: s.time_s.map(|x| x * 3.0 / 5.5), speed_mps: Some(5.5), ..s })
        .collect();
    let fast = muscle_load(&fast, &t);
    assert!(fast.of(MuscleGroup::Hamstrings) > 2.0 * flat.of(MuscleGroup::Hamstrings));
    // Long duration: three hours load quads more than three times one hour.
    let long: Vec<Sample> = (0..=10_800)
        .map(|i| Sample {
            time_s: Some(f64::from(i)),
            distance_m: Some(3.0 * f64::from(i)),
            ..Default::default()
        })
        .collect();
    let long = muscle_load(&long, &t);
    assert!(long.of(MuscleGroup::Quads) > 3.2 * flat.of(MuscleGroup::Quads));
    assert!(close(long.of(MuscleGroup::Feet), 3.0 * flat.of(MuscleGroup::Feet), 1e-6));
    // From totals, the same order of magnitude as from samples.
    let totals = muscle_load_from_totals(10_800.0, 3600.0, 0.0, 864.0, &t);
    let q = MuscleGroup::Quads as usize;
    assert!(close(totals.eccentric[q], 864.0 * QUADS_PER_DESCENT_M / 1000.0, 1e-9));
    assert!(close(totals.total[q], down.total[q], 0.1 * down.total[q]));
    assert_eq!("calves_left".parse::<MuscleGroup>(), Ok(MuscleGroup::Calves));
    assert!("elbows".parse::<MuscleGroup>().is_err());
}

/// Hand-computed muscle load, soreness amplitude, DOMS shape and repeated-bout reduction.
///
/// One hour flat at 3 m/s = 10.8 km, threshold speed 4 m/s, (v/v_thr)² = 0.5625:
/// quads 10.8 × 1.0 = 10.8; hamstrings 10.8 × (0.5 + 1.0 × 0.5625²) = 8.8171875;
/// calves 10.8 × (0.8 + 0.6 × 0.5625) = 12.285; glutes 10.8 × (0.4 + 0.6 × 0.5625) = 7.965.
/// Peak quads soreness, no history: 10 × (1 − e^(−10.8/60)) = 1.64729789, 36 h after the end.
/// DOMS shape at 22 h: x = (22 − 8)/(36 − 8) = 0.5, 0.5^1.5 × e^(1.5 × 0.5) = 0.74847253.
/// Minetti cost at ±10 %: C(0.1) = 5.96821400 J/kg/m, C(−0.1) = 2.15170600, over C(0) = 3.6:
/// 1.65783722 and 0.59769611.
#[test]
fn muscle_and_soreness_by_hand() {
    let t = thresholds(Sex::Male);
    let flat = muscle_load(&run_samples(0, 0.0), &t);
    assert!(close(flat.of(MuscleGroup::Quads), 10.8, 1e-9));
    assert!(close(flat.of(MuscleGroup::Hamstrings), 8.8171875, 1e-9));
    assert!(close(flat.of(MuscleGroup::Calves), 12.285, 1e-9));
    assert!(close(flat.of(MuscleGroup::Glutes), 7.965, 1e-9));
    assert_eq!(flat.eccentric, [0.0; GROUPS]);

    let start = morning("2026-06-01", 0);
    let a = load_of(start, 0.0, &t);
    let f = forecast(&[a], &[], a.end());
    let q = quads(&f);
    assert!(close(q.peak, 1.64729789, 1e-8), "{q:?}");
    assert_eq!(q.peak_at, Some(a.end() + 36 * 3600));
    assert!(close(doms_shape(22.0), 0.74847253, 1e-8));
    assert!(close(minetti_cost_ratio(0.1), 1.65783722, 1e-8));
    assert!(close(minetti_cost_ratio(-0.1), 0.59769611, 1e-8));

    // The descent: 864 m over 10.8 km at −8 %, 30 level-metres per metre: 25.92 eccentric
    // (the altitude filter's lag leaves the last few metres of descent uncounted).
    let down = load_of(start, -0.08, &t);
    let ecc = down.muscle.eccentric[MuscleGroup::Quads as usize];
    assert!(close(ecc, 25.92, 0.1), "{ecc}");
    // Three weeks later (21 days less the hour of the first run), protection
    // 0.5 × e^(−(21 − 1/24)/60) = 0.35258881; the non-eccentric load is what the quads are used
    // to (the first run's), so the peak is 10 × (1 − e^(−ecc × (1 − 0.35258881)/60)).
    let repeat = load_of(start + 21 * DAY, -0.08, &t);
    let f = forecast(&[down, repeat], &[], repeat.end());
    let expected = 10.0 * (1.0 - (-ecc * (1.0 - 0.35258881) / 60.0).exp());
    assert!(close(quads(&f).peak, expected, 1e-6), "{} vs {expected}", quads(&f).peak);
}

#[test]
fn every_reference_id_used_is_listed() {
    for id in [
        "banister-1991",
        "foster-1998",
        "foster-2001",
        "williams-2017",
        "gabbett-2016",
        "cheung-2003",
        "nosaka-2001",
        "minetti-2002",
        "allen-coggan-2010",
    ] {
        assert!(reference(id).is_some(), "{id}");
    }
    // Every `author-year` id cited in the sources is in the list.
    let sources = [
        include_str!("../src/lib.rs"),
        include_str!("../src/grade.rs"),
        include_str!("../src/muscle.rs"),
        include_str!("../src/profile.rs"),
        include_str!("../src/series.rs"),
        include_str!("../src/soreness.rs"),
        include_str!("../src/stress.rs"),
    ];
    let mut cited = 0;
    for text in sources {
        for quoted in text.split('`').skip(1).step_by(2) {
            let is_id = quoted.rsplit_once('-').is_some_and(|(name, year)| {
                year.len() == 4
                    && year.bytes().all(|b| b.is_ascii_digit())
                    && !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            });
            if is_id {
                cited += 1;
                assert!(reference(quoted).is_some(), "`{quoted}` is cited but not in REFERENCES");
            }
        }
    }
    assert!(cited > 30, "{cited}");
    let mut ids: Vec<&str> = REFERENCES.iter().map(|r| r.id).collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

// ---------------------------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------------------------

fn constant_series(load: f64, days: i64) -> Vec<DailyPoint> {
    let acts: Vec<ActivityLoad> = (0..days).map(|i| act(morning("2020-01-01", i), load)).collect();
    let as_of = date_of_day(day_of_date(date("2020-01-01")) + days - 1).unwrap();
    daily_series(&acts, as_of).unwrap()
}

fn arb_sample() -> impl Strategy<Value = Sample> {
    let v = || {
        prop_oneof![
            Just(None),
            (-1e4..1e4f64).prop_map(Some),
            Just(Some(f64::NAN)),
            Just(Some(f64::INFINITY))
        ]
    };
    (v(), v(), v(), v(), v(), v()).prop_map(|(t, d, s, a, h, lat)| Sample {
        time_s: t,
        distance_m: d,
        speed_mps: s,
        altitude_m: a,
        heart_rate_bpm: h,
        lat_deg: lat,
        lon_deg: lat,
        ..Default::default()
    })
}

/// 64 cases in the normal run; `PROPTEST_CASES=N` for a long run by hand.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn fitness_and_fatigue_converge_to_a_constant_load(load in 1.0..500.0f64) {
        let days = constant_series(load, 365);
        for (i, p) in days.iter().enumerate() {
            // Closed form from 0: x(n) = L·(1 − e^(−(n+1)/τ)).
            let n = (i + 1) as f64;
            prop_assert!(close(p.fitness, load * (1.0 - (-n / 42.0).exp()), 1e-9 * load));
            prop_assert!(close(p.fatigue, load * (1.0 - (-n / 7.0).exp()), 1e-9 * load));
        }
        let last = days.last().unwrap();
        prop_assert!((last.fitness - load).abs() < 2e-4 * load);
        prop_assert!((last.fatigue - load).abs() < 1e-9 * load);
        prop_assert!(last.form.abs() < 0.001 * load, "form {}", last.form);
    }

    #[test]
    fn form_is_exactly_zero_when_every_load_is_zero(
        offsets in proptest::collection::vec(0..400i64, 1..40),
    ) {
        let acts: Vec<ActivityLoad> = offsets.iter().map(|&d| act(morning("2024-01-01", d), 0.0)).collect();
        let days = daily_series(&acts, date("2025-03-01")).unwrap();
        prop_assert!(!days.is_empty());
        for p in &days {
            prop_assert_eq!(p.form, 0.0);
            prop_assert_eq!(p.fitness, 0.0);
            prop_assert_eq!(p.fatigue, 0.0);
            prop_assert_eq!(p.acwr, None);
        }
    }

    #[test]
    fn acwr_is_null_for_the_first_28_days(
        loads in proptest::collection::vec(0.0..300.0f64, 1..80),
    ) {
        let acts: Vec<ActivityLoad> =
            loads.iter().enumerate().map(|(i, &l)| act(morning("2024-01-01", i as i64), l)).collect();
        let as_of = date_of_day(day_of_date(date("2024-01-01")) + loads.len() as i64 - 1).unwrap();
        let days = daily_series(&acts, as_of).unwrap();
        prop_assert_eq!(days.len(), loads.len());
        for (i, p) in days.iter().enumerate() {
            if i < 28 {
                prop_assert_eq!(p.acwr, None);
                prop_assert_eq!(p.acwr_rolling, None);
            }
            // The printed load reproduces each day from the day before (the outside check).
            if i > 0 {
                let q = &days[i - 1];
                let kf = 1.0 - (-1.0f64 / 42.0).exp();
                prop_assert!(close(p.fitness, q.fitness + (p.load - q.fitness) * kf, 1e-9));
                prop_assert!(close(p.form, q.fitness - q.fatigue, 1e-9));
            }
        }
    }

    #[test]
    fn no_panic_on_any_history(
        starts in proptest::collection::vec(any::<i64>(), 0..12),
        values in proptest::collection::vec(prop_oneof![Just(f64::NAN), Just(-1.0), 0.0..1e6f64, Just(f64::INFINITY)], 12),
        now in prop_oneof![any::<i64>(), 1_700_000_000..1_800_000_000i64],
    ) {
        let acts: Vec<ActivityLoad> = starts
            .iter()
            .zip(values.iter().cycle())
            .map(|(&start, &v)| ActivityLoad {
                start,
                duration_s: v,
                distance_m: v,
                stress: v,
                muscle: MuscleLoad { total: [v; GROUPS], eccentric: [v / 2.0; GROUPS] },
            })
            .collect();
        let reports = [SorenessReport { at: now.saturating_sub(DAY), group: MuscleGroup::Feet, rating: values[0] }];
        let f = forecast(&acts, &reports, now);
        prop_assert!(f.muscles.iter().all(|m| (0.0..=10.0).contains(&m.soreness_now) && (0.0..=10.0).contains(&m.peak)));
        let _ = status(&acts, date("2026-01-01"));
    }

    #[test]
    fn no_panic_on_any_samples(samples in proptest::collection::vec(arb_sample(), 0..60)) {
        let t = thresholds(Sex::Unspecified);
        let mut a = activity(samples);
        a.summary.totals.start_time = Some(1_700_000_000);
        let (load, stress) = activity_load(&a, &t, Some(5.0)).unwrap();
        prop_assert!(stress.value.is_finite() && stress.value >= 0.0);
        prop_assert!(load.muscle.total.iter().all(|x| x.is_finite() && *x >= 0.0));
        let f = forecast(&[load], &[], 1_700_000_000 + 2 * DAY);
        prop_assert!(f.muscles.iter().all(|m| (0.0..=10.0).contains(&m.peak)));
        let _ = activity_facts(&a);
    }
}

// ---------------------------------------------------------------------------------------------
// Seed and time constants (issue 13 item 6), the forecast anchored on a report (item 4).
// ---------------------------------------------------------------------------------------------

/// Seeded at fitness 50, fatigue 20 on 2026-03-01 with no activity: on that day each decays
/// once, fitness = 50·e^(−1/42) = 48.82358433, fatigue = 20·e^(−1/7) = 17.33755800, and
/// form (the day before's fitness − fatigue) = 30.
#[test]
fn a_seed_starts_the_series_on_its_date() {
    let seed = Seed { date: date("2026-03-01"), fitness: 50.0, fatigue: 20.0 };
    let options = SeriesOptions { seed: Some(seed), ..SeriesOptions::default() };
    let s = daily_series_with(&[], date("2026-03-02"), &options).unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].date, date("2026-03-01"));
    assert!(close(s[0].fitness, 48.82358433, 1e-8), "{}", s[0].fitness);
    assert!(close(s[0].fatigue, 17.33755800, 1e-8), "{}", s[0].fatigue);
    assert!(close(s[0].form, 30.0, 1e-12));
    // Activities before the seed still show, but the seed resets the recurrences on its date.
    let before = act(morning("2026-02-20", 0), 300.0);
    let s = daily_series_with(&[before], date("2026-03-02"), &options).unwrap();
    let on_seed = s.iter().find(|p| p.date == date("2026-03-01")).unwrap();
    assert!(close(on_seed.fitness, 48.82358433, 1e-8));
    // Without the seed the same history gives another value on that day.
    let plain = daily_series(&[before], date("2026-03-02")).unwrap();
    assert!(!close(plain[plain.len() - 2].fitness, 48.82358433, 1.0));
}

/// Fitness with a 21-day constant: 100 on day 0 gives 100·(1 − e^(−1/21)) = 4.65030452; fatigue
/// with 3 days: 100·(1 − e^(−1/3)) = 28.34686894. A constant outside 1–365 falls back to 42/7.
#[test]
fn time_constants_are_per_athlete() {
    let a = [act(morning("2026-03-01", 0), 100.0)];
    let options = SeriesOptions { fitness_tau: 21.0, fatigue_tau: 3.0, seed: None };
    let s = daily_series_with(&a, date("2026-03-01"), &options).unwrap();
    assert!(close(s[0].fitness, 4.65030452, 1e-8), "{}", s[0].fitness);
    assert!(close(s[0].fatigue, 28.34686894, 1e-8), "{}", s[0].fatigue);
    let silly = SeriesOptions { fitness_tau: 0.0, fatigue_tau: f64::NAN, seed: None };
    assert_eq!(
        daily_series_with(&a, date("2026-03-01"), &silly).unwrap(),
        daily_series(&a, date("2026-03-01")).unwrap()
    );
}

/// A report of quads 6/10 one hour after a flat run (model ≈ 0 then): the forecast at that
/// moment is 6, and the difference fades as e^(−t/48 h): 48 h later it adds 6·e^(−1) = 2.207 to
/// the model.
#[test]
fn the_forecast_starts_at_what_the_runner_reported() {
    let t = thresholds(Sex::Male);
    let a = load_of(morning("2026-06-01", 0), 0.0, &t);
    let at = a.end() + 3600;
    let model_then = quads(&forecast(&[a], &[], at)).soreness_now;
    let report = SorenessReport { at, group: MuscleGroup::Quads, rating: 6.0 };
    let now = quads(&forecast(&[a], &[report], at));
    assert!(close(now.soreness_now, 6.0, 1e-9), "{now:?}");
    // Two days on: the calibrated model plus the faded difference.
    let later = at + 48 * 3600;
    let with = quads(&forecast(&[a], &[report], later));
    let cal = with.calibration;
    let model_later = (quads(&forecast(&[a], &[], later)).soreness_now * cal).min(10.0);
    let residual = 6.0 - (model_then * cal).min(10.0);
    assert!(close(with.soreness_now, model_later + residual * (-1.0f64).exp(), 1e-6), "{with:?}");
    // A report older than a week no longer anchors.
    let old = SorenessReport { at: at - 8 * DAY, ..report };
    let f = quads(&forecast(&[a], &[old], at));
    assert!(f.soreness_now < 1.0, "{f:?}");
}
