//! Baselines for the `inspect` throughput comparison in BENCHMARKS.md, over the same files:
//!
//! - `fit_baseline fitparser FILE...`: reads each file and decodes it with the `fitparser`
//!   crate 0.10 (the reference decoder of issue 3);
//! - `fit_baseline raw FILE...`: reads each file and sums its bytes (the limit: a pass that only
//!   touches every byte once).
//!
//! Both read every argument, repeated or not, as `afterrun inspect` does, and print the bytes
//! processed and the time taken on stderr.

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let files: Vec<String> = args.collect();
    let start = Instant::now();
    let mut bytes_total = 0usize;
    let mut failed = 0usize;
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            failed += 1;
            continue;
        };
        bytes_total += bytes.len();
        match mode.as_str() {
            "fitparser" => {
                if fitparser::from_bytes(black_box(&bytes)).is_err() {
                    failed += 1;
                }
            }
            "raw" => {
                let sum = bytes.iter().fold(0u64, |acc, &b| acc.wrapping_add(u64::from(b)));
                black_box(sum);
            }
            _ => {
                eprintln!("usage: fit_baseline fitparser|raw FILE...");
                std::process::exit(2);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{mode}: {} files, {bytes_total} bytes, {failed} failed, {secs:.3} s, {:.1} MB/s",
        files.len(),
        bytes_total as f64 / secs / 1e6
    );
}
