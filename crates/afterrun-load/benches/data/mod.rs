//! Benchmark data shared by `benches/load.rs` and `examples/cputime.rs`: ten years of daily
//! runs with precomputed loads, and a three-hour run at 1 Hz.

use afterrun_activity::Sample;
use afterrun_load::{
    ActivityLoad, MuscleGroup, Sex, SorenessReport, Thresholds, day_of_date,
    muscle_load_from_totals,
};

pub fn thresholds() -> Thresholds {
    Thresholds {
        sex: Sex::Female,
        max_hr: 188.0,
        rest_hr: 52.0,
        threshold_hr: 170.0,
        threshold_speed_mps: 4.0,
        assumptions: Vec::new(),
    }
}

/// One run a day for ten years: varied distance, descent and stress, muscle load precomputed.
pub fn history() -> (Vec<ActivityLoad>, jiff::civil::Date, i64, Vec<SorenessReport>) {
    let t = thresholds();
    let first = day_of_date("2016-11-24".parse().unwrap_or_default());
    let acts: Vec<ActivityLoad> = (0..3650_i64)
        .map(|i| {
            let km = 6.0 + ((i * 37) % 19) as f64;
            let descent = ((i * 53) % 11) as f64 * 60.0;
            let duration = km * 330.0;
            ActivityLoad {
                start: (first + i) * 86_400 + 6 * 3600 + (i % 5) * 1800,
                duration_s: duration,
                distance_m: km * 1000.0,
                stress: km * 6.5 + descent / 20.0,
                muscle: muscle_load_from_totals(km * 1000.0, duration, descent, descent, &t),
            }
        })
        .collect();
    let as_of = afterrun_load::date_of_day(first + 3649).unwrap_or_default();
    let now = (first + 3649) * 86_400 + 20 * 3600;
    let reports = vec![
        SorenessReport { at: now - 3 * 86_400, group: MuscleGroup::Quads, rating: 4.0 },
        SorenessReport { at: now - 10 * 86_400, group: MuscleGroup::Calves, rating: 3.0 },
    ];
    (acts, as_of, now, reports)
}

/// Three hours at 1 Hz on rolling hills with altitude noise, as a watch records it.
pub fn three_hour_run() -> Vec<Sample> {
    (0..10_800)
        .map(|i| {
            let t = f64::from(i);
            let v = 3.2 + 0.6 * (t / 400.0).sin();
            let d = 3.2 * t - 240.0 * ((t / 400.0).cos() - 1.0);
            let noise = ((i * 7919 % 200) as f64 / 100.0 - 1.0) * 1.5;
            Sample {
                time_s: Some(1_700_000_000.0 + t),
                distance_m: Some(d),
                speed_mps: Some(v),
                altitude_m: Some(800.0 + 60.0 * (d / 1500.0).sin() + noise),
                heart_rate_bpm: Some(150.0 + 10.0 * (t / 300.0).sin()),
                cadence_rpm: Some(86.0),
                lat_deg: Some(45.0 + d * 1e-6),
                lon_deg: Some(7.0),
                ..Default::default()
            }
        })
        .collect()
}
