//! Runs parse + plan + JSON over every vignette N times (default 20000 rounds), for CPU-time
//! measurement under `perf stat -e task-clock` on a shared machine, where criterion's wall-clock
//! figures include time spent waiting for a core:
//! `perf stat -e task-clock cargo run --release -p afterrun-protocol --example cpu_per_plan`.

use std::hint::black_box;
use std::path::PathBuf;

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vignettes");
    let mut checkins = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths.iter().filter(|p| p.extension().is_some_and(|x| x == "json")) {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                checkins.push(v["checkin"].to_string());
            }
        }
    }
    let history = afterrun_protocol::History::default();
    let start = std::time::Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        for c in &checkins {
            bytes +=
                afterrun_protocol::plan_json(black_box(c), &history).map(|s| s.len()).unwrap_or(0);
        }
    }
    let plans = rounds * checkins.len();
    let wall = start.elapsed();
    eprintln!(
        "{plans} plans, {} bytes of JSON, wall {:.2} µs per plan",
        bytes,
        wall.as_secs_f64() * 1e6 / plans as f64
    );
}
