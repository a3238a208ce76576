//! CPU time per call of the benchmarked functions, read from /proc/thread-self/schedstat so a
//! loaded machine does not inflate it (wall-clock criterion figures count waiting for a core).
#![allow(clippy::unwrap_used, missing_docs)]
use std::hint::black_box;

#[path = "../benches/data/mod.rs"]
mod data;

fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn time(name: &str, iters: u32, mut f: impl FnMut()) {
    for _ in 0..iters / 10 {
        f();
    }
    let (c0, w0) = (cpu_ns(), std::time::Instant::now());
    for _ in 0..iters {
        f();
    }
    let (c1, w1) = (cpu_ns(), w0.elapsed());
    println!(
        "{name}: {:.1} µs CPU per call, {:.1} µs wall ({iters} calls)",
        (c1 - c0) as f64 / 1e3 / f64::from(iters),
        w1.as_secs_f64() * 1e6 / f64::from(iters)
    );
}

fn main() {
    let (acts, as_of, now, reports) = data::history();
    let run = data::three_hour_run();
    let t = data::thresholds();
    time("status + forecast, 3650 activities", 2000, || {
        black_box(afterrun_load::status(black_box(&acts), as_of).unwrap());
        black_box(afterrun_load::forecast(black_box(&acts), &reports, now));
    });
    time("status only", 2000, || {
        black_box(afterrun_load::status(black_box(&acts), as_of).unwrap());
    });
    time("forecast only", 2000, || {
        black_box(afterrun_load::forecast(black_box(&acts), &reports, now));
    });
    let small = &run[..1000];
    time("muscle_load, first 1000 samples (cache-resident)", 50000, || {
        black_box(afterrun_load::muscle_load(black_box(small), &t));
    });
    time("baseline: sum of distance steps, 3 h at 1 Hz", 5000, || {
        let mut last = 0.0;
        let mut sum = 0.0;
        for s in black_box(&run) {
            if let Some(d) = s.distance_m.filter(|d| d.is_finite()) {
                sum += (d - last).max(0.0);
                last = d;
            }
        }
        black_box(sum);
    });
    time("muscle_load, 3 h at 1 Hz", 5000, || {
        black_box(afterrun_load::muscle_load(black_box(&run), &t));
    });
}
