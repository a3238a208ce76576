//! Baselines for the `inspect` throughput comparison in BENCHMARKS.md, over the same files:
//!
//! - `fit_baseline fitparser FILE...`: reads each file and decodes it with the `fitparser`
//!   crate 0.10 (the reference decoder of issue 3);
//! - `fit_baseline raw FILE...`: reads each file and sums its bytes (the limit: a pass that only
//!   touches every byte once);
//! - `fit_baseline decode FILE...`: reads each file and decodes it with our FIT decoder, summary
//!   only (what `inspect` does per file, without its process start, walk and output);
//! - `fit_baseline read FILE...`: only reads each file.
//!
//! Every mode reads every argument, repeated or not, as `afterrun inspect` does, into one buffer
//! reused from file to file (as `inspect` does), and prints the bytes processed and the time
//! taken on stderr.

use std::hint::black_box;
use std::io::Read as _;
use std::time::Instant;

use afterrun_activity::ProblemKind;
use afterrun_activity::fit::{self, DecodeOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    if !matches!(mode.as_str(), "fitparser" | "raw" | "decode" | "read") {
        eprintln!("usage: fit_baseline fitparser|raw|decode|read FILE...");
        std::process::exit(2);
    }
    let files: Vec<String> = args.collect();
    let start = Instant::now();
    let mut bytes_total = 0usize;
    let mut failed = 0usize;
    let mut bytes = Vec::new();
    for file in &files {
        bytes.clear();
        if std::fs::File::open(file).and_then(|mut f| f.read_to_end(&mut bytes)).is_err() {
            failed += 1;
            continue;
        }
        bytes_total += bytes.len();
        let ok = match mode.as_str() {
            "fitparser" => fitparser::from_bytes(black_box(&bytes)).is_ok(),
            "raw" => {
                let sum = bytes.iter().fold(0u64, |acc, &b| acc.wrapping_add(u64::from(b)));
                black_box(sum);
                true
            }
            "decode" => {
                let options = DecodeOptions { samples: false };
                // A settings or workout file is not an activity: not a failure, as in `inspect`.
                black_box(fit::decode(black_box(&bytes), &options))
                    .map_or_else(|e| e.kind == ProblemKind::NotActivityFile, |_| true)
            }
            _ => true,
        };
        failed += usize::from(!ok);
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{mode}: {} files, {bytes_total} bytes, {failed} failed, {secs:.3} s, {:.1} MB/s",
        files.len(),
        bytes_total as f64 / secs / 1e6
    );
}
