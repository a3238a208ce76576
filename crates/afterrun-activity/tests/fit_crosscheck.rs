//! Cross-check with an independent decoder, the `fitparser` crate 0.10: on every small corpus
//! file both read without complaint, the record count and the records with a heart rate and with
//! a position must agree. (`fitparser` is slow in a debug build, so the default run keeps to files
//! under 64 KiB; the reference test covers every file against Garmin's SDK and fitdecode.)

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use afterrun_activity::fit::{self, DecodeOptions};
use common::{corpus, fit_names};
use fitparser::profile::MesgNum;

#[test]
fn small_corpus_files_agree_with_fitparser() {
    let dir = corpus().join("fit");
    let mut compared = 0;
    let mut failures = Vec::new();
    for name in fit_names() {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        if bytes.is_empty() || bytes.len() > 64 * 1024 {
            continue;
        }
        let Ok(theirs) = fitparser::from_bytes(&bytes) else { continue };
        let Ok(ours) = fit::decode(&bytes, &DecodeOptions { samples: false }) else { continue };
        let records: Vec<_> = theirs.iter().filter(|r| r.kind() == MesgNum::Record).collect();
        let has = |r: &&fitparser::FitDataRecord, field: &str| {
            r.fields().iter().any(|f| f.name() == field)
        };
        let with_hr = records.iter().filter(|r| has(r, "heart_rate")).count() as u64;
        let with_position =
            records.iter().filter(|r| has(r, "position_lat") && has(r, "position_long")).count()
                as u64;
        let s = &ours.summary;
        let got = (s.records, s.records_with_hr, s.records_with_position);
        let want = (records.len() as u64, with_hr, with_position);
        if got != want {
            failures.push(format!("{name}: ours {got:?}, fitparser {want:?}"));
        }
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} files compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
