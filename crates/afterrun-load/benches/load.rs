//! Benchmarks of issue 4: ten years of history to the daily series and forecast (target
//! ≤ 1 ms), and the per-sample muscle load of a three-hour run at 1 Hz (target ≤ 100 µs).

use std::hint::black_box;

use afterrun_activity::Sample;
use afterrun_load::{
    ActivityLoad, MuscleGroup, Sex, SorenessReport, Thresholds, day_of_date, forecast, muscle_load,
    muscle_load_from_totals, status,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn thresholds() -> Thresholds {
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
fn history() -> (Vec<ActivityLoad>, jiff::civil::Date, i64) {
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
    (acts, as_of, now)
}

/// Three hours at 1 Hz on rolling hills with altitude noise, as a watch records it.
fn three_hour_run() -> Vec<Sample> {
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

fn benches(c: &mut Criterion) {
    let (acts, as_of, now) = history();
    let reports = [
        SorenessReport { at: now - 3 * 86_400, group: MuscleGroup::Quads, rating: 4.0 },
        SorenessReport { at: now - 10 * 86_400, group: MuscleGroup::Calves, rating: 3.0 },
    ];
    c.bench_function("status_and_forecast_10y_3650_activities", |b| {
        b.iter(|| {
            let s = status(black_box(&acts), black_box(as_of));
            let f = forecast(black_box(&acts), black_box(&reports), black_box(now));
            black_box((s, f))
        })
    });

    let run = three_hour_run();
    let t = thresholds();
    c.bench_function("muscle_load_3h_1hz_10800_samples", |b| {
        b.iter(|| black_box(muscle_load(black_box(&run), black_box(&t))))
    });
    c.bench_function("activity_stress_3h_1hz_trimp", |b| {
        let mut summary = afterrun_activity::Summary::empty(afterrun_activity::Format::Fit);
        summary.sport = "running".to_owned();
        let a = afterrun_activity::Activity { summary, samples: run.clone() };
        b.iter(|| black_box(afterrun_load::activity_stress(black_box(&a), &t, None)))
    });
}

criterion_group!(load, benches);
criterion_main!(load);
