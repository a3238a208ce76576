//! FIT decoding throughput, side by side on one thread over the same bytes: our decoder
//! (summary only, as `inspect` uses it, and with samples, as the load model uses it), the
//! `fitparser` crate 0.10 (the baseline of the import issue), and a raw read-and-sum pass over
//! the bytes (the limit: no decoder can touch every byte faster).
//!
//! The files are the clean public FIT files of the shared corpus: every `.fit` that `fitparser`
//! reads without error and that our decoder reads without a damage warning (corrupt, truncated
//! and bad-CRC files are left out; activities, non-activity files and files with device-relative
//! timestamps alike are kept). Each iteration
//! decodes every file once; throughput is reported over their total size.
//!
//! Run: `cargo bench -p afterrun-activity --bench fit`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use afterrun_activity::ProblemKind;
use afterrun_activity::fit::{self, DecodeOptions};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The clean corpus files, as bytes, sorted by name.
fn clean_files() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/fit");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    names.retain(|n| n.ends_with(".fit"));
    names.sort();
    let mut files = Vec::new();
    for name in names {
        let Ok(bytes) = std::fs::read(dir.join(&name)) else { continue };
        if bytes.is_empty() {
            continue;
        }
        // A file without absolute time is not damaged: its one warning says so.
        let ours_clean = match fit::decode(&bytes, &DecodeOptions { samples: false }) {
            Ok(a) => a.summary.warnings.iter().all(|w| w.kind == ProblemKind::Unsupported),
            Err(e) => e.kind == ProblemKind::NotActivityFile,
        };
        let theirs_ok = fitparser::from_bytes(&bytes).is_ok();
        if ours_clean && theirs_ok {
            files.push((name, bytes));
        } else {
            eprintln!("left out (damaged): {name}");
        }
    }
    files
}

fn bench(c: &mut Criterion) {
    let files = clean_files();
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    eprintln!("{} clean files, {} bytes", files.len(), total);

    let mut group = c.benchmark_group("fit_corpus");
    group.throughput(Throughput::Bytes(total as u64));
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));

    group.bench_function("raw_read_and_sum", |b| {
        b.iter(|| {
            let mut sum = 0u64;
            for (_, bytes) in &files {
                sum = bytes.iter().fold(sum, |acc, &x| acc.wrapping_add(u64::from(x)));
            }
            black_box(sum)
        })
    });
    for (label, samples) in [("afterrun_summary", false), ("afterrun_samples", true)] {
        group.bench_function(label, |b| {
            b.iter(|| {
                for (_, bytes) in &files {
                    let _ = black_box(fit::decode(black_box(bytes), &DecodeOptions { samples }));
                }
            })
        });
    }
    // The baseline is ~100 times slower: fewer, longer samples.
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("fitparser_0_10", |b| {
        b.iter(|| {
            for (_, bytes) in &files {
                let _ = black_box(fitparser::from_bytes(black_box(bytes)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
