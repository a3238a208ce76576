//! The import benchmark of BENCHMARKS.md ("Store import"), run by hand (never in the test run).
//!
//! ```text
//! cargo run --release -p afterrun-store --example import_bench -- generate DIR [N]
//! cargo run --release -p afterrun-store --example import_bench -- decode DIR [THREADS]
//! cargo run --release -p afterrun-store --example import_bench -- compress DIR [THREADS]
//! time target/release/afterrun import DIR --db sqlite:/tmp/bench.db --threads 2
//! ```
//!
//! `generate` makes N (default 2,000) distinct FIT activities by cycling the clean public FIT
//! activity files of the shared corpus: copy k of a file has every absolute timestamp moved k
//! days later (a multiple of 32 s, so compressed-timestamp headers stay valid) and its CRCs
//! recomputed, so every copy is new content and a new activity. `decode` and `compress` time the
//! two CPU-heavy parts of an import alone, on THREADS threads, over the generated files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a hand-run tool: failing loudly is right

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use afterrun_activity::fit;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let n = args.get(2).map_or(2000, |s| s.parse().unwrap());
            generate(Path::new(&args[1]), n);
        }
        Some("decode") => time_each(Path::new(&args[1]), threads(&args), "decode", |bytes| {
            let a = fit::decode(bytes, &fit::DecodeOptions { samples: true }).unwrap();
            a.samples.len()
        }),
        Some("compress") => time_each(Path::new(&args[1]), threads(&args), "compress", |bytes| {
            afterrun_store::Original::compress(bytes).bytes.len()
        }),
        _ => eprintln!(
            "usage: import_bench generate DIR [N] | decode DIR [THREADS] | compress DIR [THREADS]"
        ),
    }
}

fn threads(args: &[String]) -> usize {
    args.get(2).map_or(2, |s| s.parse().unwrap())
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Times `work` over every file of `dir` on `threads` threads (files read into memory first).
fn time_each(dir: &Path, threads: usize, what: &str, work: impl Fn(&[u8]) -> usize + Sync) {
    let files: Vec<Vec<u8>> = files_in(dir).iter().map(|p| std::fs::read(p).unwrap()).collect();
    let total: usize = files.iter().map(Vec::len).sum();
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut sink = 0usize;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(bytes) = files.get(i) else { break };
                    sink = sink.wrapping_add(work(bytes));
                }
                std::hint::black_box(sink);
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what}: {} files, {:.1} MB, {threads} threads: {secs:.2} s ({:.0} MB/s)",
        files.len(),
        total as f64 / 1e6,
        total as f64 / 1e6 / secs
    );
}

/// The clean FIT activity files of the corpus up to 1 MiB: decoded without a warning, with a
/// start time.
fn clean_activities() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/fit");
    let mut out = Vec::new();
    for path in files_in(&dir) {
        let bytes = std::fs::read(&path).unwrap();
        // Files up to 1 MiB: the set then averages about 165 KB, so 2,000 copies make the
        // issue's ≈ 330 MB (the one larger file, a 1.9 MB triathlon, would tip it to 414 MB).
        if bytes.len() > 1 << 20 {
            continue;
        }
        let Ok(a) = fit::decode(&bytes, &fit::DecodeOptions { samples: false }) else { continue };
        if a.summary.warnings.is_empty() && a.summary.totals.start_time.is_some() {
            out.push((path.file_stem().unwrap().to_string_lossy().into_owned(), bytes));
        }
    }
    out
}

fn generate(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let sources = clean_activities();
    assert!(!sources.is_empty());
    let mut total = 0usize;
    for i in 0..n {
        let (name, bytes) = &sources[i % sources.len()];
        let copy = (i / sources.len() + 1) as u32;
        let shifted = shift_fit(bytes, copy * 86_400).expect("a clean file rewrites");
        total += shifted.len();
        std::fs::write(dir.join(format!("{i:05}-{name}.fit")), shifted).unwrap();
    }
    println!(
        "{n} files from {} clean sources, {:.1} MB in {}",
        sources.len(),
        total as f64 / 1e6,
        dir.display()
    );
}

#[derive(Clone, Default)]
struct Def {
    big_endian: bool,
    global: u16,
    /// (field number, size)
    fields: Vec<(u8, u8)>,
    dev_size: usize,
}

/// Whether a field holds an absolute date-time: `timestamp` (253) anywhere, plus the few
/// messages' own start and creation times.
fn is_time_field(global: u16, field: u8) -> bool {
    field == 253
        || (global == 0 && field == 4) // file_id.time_created
        || (matches!(global, 18 | 19) && field == 2) // session/lap.start_time
        || (global == 34 && field == 5) // activity.local_timestamp
}

/// Moves every absolute timestamp of a (possibly chained) FIT file by `shift` seconds and
/// rewrites the CRCs. `None` when the structure is not as expected.
fn shift_fit(input: &[u8], shift: u32) -> Option<Vec<u8>> {
    let mut out = input.to_vec();
    let mut start = 0usize;
    while start + 12 <= out.len() {
        let header_len = usize::from(out[start]);
        if &out[start + 8..start + 12] != b".FIT" {
            break;
        }
        let data_len = u32::from_le_bytes(out[start + 4..start + 8].try_into().ok()?) as usize;
        let data_start = start + header_len;
        let data_end = data_start + data_len;
        if data_end + 2 > out.len() {
            return None;
        }
        let mut defs: Vec<Def> = vec![Def::default(); 16];
        let mut p = data_start;
        while p < data_end {
            let h = out[p];
            p += 1;
            if h & 0x80 != 0 {
                // Compressed timestamp header: a data message of local type (h >> 5) & 3.
                let def = &defs[usize::from((h >> 5) & 3)];
                p += def.fields.iter().map(|f| usize::from(f.1)).sum::<usize>() + def.dev_size;
            } else if h & 0x40 != 0 {
                let dev = h & 0x20 != 0;
                let big = out[p + 1] == 1;
                let global = if big {
                    u16::from_be_bytes([out[p + 2], out[p + 3]])
                } else {
                    u16::from_le_bytes([out[p + 2], out[p + 3]])
                };
                let n = usize::from(out[p + 4]);
                let mut q = p + 5;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    fields.push((out[q], out[q + 1]));
                    q += 3;
                }
                let mut dev_size = 0;
                if dev {
                    let m = usize::from(out[q]);
                    q += 1;
                    for _ in 0..m {
                        dev_size += usize::from(out[q + 1]);
                        q += 3;
                    }
                }
                defs[usize::from(h & 0x0F)] = Def { big_endian: big, global, fields, dev_size };
                p = q;
            } else {
                let def = defs[usize::from(h & 0x0F)].clone();
                for (num, size) in &def.fields {
                    let size = usize::from(*size);
                    if size == 4 && is_time_field(def.global, *num) {
                        let raw: [u8; 4] = out[p..p + 4].try_into().ok()?;
                        let v = if def.big_endian {
                            u32::from_be_bytes(raw)
                        } else {
                            u32::from_le_bytes(raw)
                        };
                        if v != u32::MAX && v >= 0x1000_0000 {
                            let w = v.wrapping_add(shift);
                            let bytes =
                                if def.big_endian { w.to_be_bytes() } else { w.to_le_bytes() };
                            out[p..p + 4].copy_from_slice(&bytes);
                        }
                    }
                    p += size;
                }
                p += def.dev_size;
            }
        }
        if p != data_end {
            return None;
        }
        if header_len >= 14 {
            let hc = fit::crc16(0, &out[start..start + 12]);
            out[start + 12..start + 14].copy_from_slice(&hc.to_le_bytes());
        }
        let crc = fit::crc16(0, &out[start..data_end]);
        out[data_end..data_end + 2].copy_from_slice(&crc.to_le_bytes());
        start = data_end + 2;
    }
    Some(out)
}
