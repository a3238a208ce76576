//! Parse + plan + JSON on each clinical vignette (target: median ≤ 50 µs per plan).

use std::hint::black_box;
use std::path::PathBuf;

use afterrun_protocol::{History, plan_json};
use criterion::{Criterion, criterion_group, criterion_main};

fn vignettes() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vignettes");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(case) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let Ok(checkin) = serde_json::to_string(&case["checkin"]) else { continue };
        let name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        out.push((name, checkin));
    }
    out
}

fn bench(c: &mut Criterion) {
    let history = History::default();
    let mut group = c.benchmark_group("plan");
    for (name, checkin) in vignettes() {
        group.bench_function(&name, |b| b.iter(|| plan_json(black_box(&checkin), &history)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
