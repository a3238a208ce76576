//! Benchmarks of issue 4: ten years of history to the daily series and forecast (target
//! ≤ 1 ms), and the per-sample muscle load of a three-hour run at 1 Hz (target ≤ 100 µs).

use std::hint::black_box;

use afterrun_load::{forecast, muscle_load, status};
use criterion::{Criterion, criterion_group, criterion_main};

mod data;
use data::{history, three_hour_run, thresholds};

fn benches(c: &mut Criterion) {
    let (acts, as_of, now, reports) = history();
    c.bench_function("status_and_forecast_10y_3650_activities", |b| {
        b.iter(|| {
            let s = status(black_box(&acts), black_box(as_of));
            let f = forecast(black_box(&acts), black_box(&reports), black_box(now));
            black_box((s, f))
        })
    });

    c.bench_function("status_only_10y", |b| {
        b.iter(|| black_box(status(black_box(&acts), black_box(as_of))))
    });
    c.bench_function("forecast_only_10y", |b| {
        b.iter(|| black_box(forecast(black_box(&acts), black_box(&reports), black_box(now))))
    });

    let run = three_hour_run();
    let t = thresholds();
    c.bench_function("muscle_load_3h_1hz_10800_samples", |b| {
        b.iter(|| black_box(muscle_load(black_box(&run), black_box(&t))))
    });
    c.bench_function("activity_stress_3h_1hz_trimp", |b| {
        let mut summary = afterrun_activity::Summary::empty(afterrun_activity::Format::Fit);
        summary.totals.sport = "running".to_owned();
        let a = afterrun_activity::Activity { summary, samples: run.clone() };
        b.iter(|| black_box(afterrun_load::activity_stress(black_box(&a), &t, None)))
    });
}

criterion_group!(load, benches);
criterion_main!(load);
