//! Damaged FIT files never make the decoder panic: corpus files with bytes flipped, cut short,
//! or with bytes inserted, from a seeded generator so that any failure replays.
//!
//! The default run is short (a few hundred mutations per file). For a long run by hand:
//! `FIT_MUTATIONS=20000 cargo test -p afterrun-activity --release --test fit_mutations`.
//! The cargo-fuzz target covers the same ground with coverage guidance.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use afterrun_activity::fit::{self, DecodeOptions};
use common::corpus;

/// xorshift64*: small, seeded, good enough to pick bytes and positions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut b = original.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(5) {
            0 | 1 => {
                // Flip bits of one byte, more often near the start where definitions live.
                if !b.is_empty() {
                    let i = if rng.below(2) == 0 {
                        rng.below(b.len().min(256))
                    } else {
                        rng.below(b.len())
                    };
                    b[i] ^= 1 << rng.below(8);
                }
            }
            2 => {
                // Set one byte to a value that matters to the protocol.
                if !b.is_empty() {
                    let i = rng.below(b.len());
                    b[i] = [0x00, 0xFF, 0x40, 0x60, 0x80, 0x7F, 0x0E, 0x0C][rng.below(8)];
                }
            }
            3 => {
                let n = rng.below(b.len() + 1);
                b.truncate(n);
            }
            _ => {
                let at = rng.below(b.len() + 1);
                let n = 1 + rng.below(16);
                let noise: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                b.splice(at..at, noise);
            }
        }
    }
    b
}

#[test]
fn mutated_corpus_files_decode_without_panic() {
    let per_file: usize =
        std::env::var("FIT_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(150);
    let dir = corpus().join("fit");
    // Small files of many shapes: developer fields, compressed timestamps, chained, multisport.
    let names = [
        "pyfitparse__Activity.fit",
        "pyfitparse__DeveloperData.fit",
        "pyfitparse__antfs-dump.63.fit",
        "pyfitparse__compressed-speed-distance.fit",
        "pyfitparse__activity-activity-filecrc.fit",
        "pyfitparse__garmin-fenix-5-run.fit",
        "pyfitparse__elemnt-bolt-no-application-id-inside-developer-data-id.fit",
        "pyfitparse__Settings2.fit",
        "sportslib-swim__6021532030.fit",
    ];
    let mut rng = Rng(0x5EED_F17E_0000_0001);
    let mut decoded = 0usize;
    for name in names {
        let original = std::fs::read(dir.join(name)).unwrap();
        for _ in 0..per_file {
            let bytes = mutate(&mut rng, &original);
            for samples in [false, true] {
                if let Ok(a) = fit::decode(&bytes, &DecodeOptions { samples }) {
                    let s = &a.summary;
                    assert!(s.records_with_hr <= s.records && s.records_with_position <= s.records);
                    assert!(!samples || a.samples.len() as u64 == s.records);
                    decoded += 1;
                }
            }
        }
    }
    // Most mutations leave something readable: the decoder keeps what it can.
    assert!(decoded > per_file * names.len() / 2, "only {decoded} decodes succeeded");
}
