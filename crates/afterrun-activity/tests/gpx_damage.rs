//! Damaged GPX and TCX, made by the test from corpus files: cut at many places and with bytes
//! flipped. A cut file keeps every point before the cut and says it was cut; no damage panics.
//! (The fuzz targets in `fuzz/` search much further; this is the cheap, always-run part.)

// A panic in a test helper is a test failure with its message: that is what they are for.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use afterrun_activity::{DecodeOptions, ProblemKind, decode};
use common::corpus_file;

/// Counts the closed elements `</tag>` in the first `len` bytes.
fn closed_before(bytes: &[u8], len: usize, close: &str) -> u64 {
    String::from_utf8_lossy(&bytes[..len]).matches(close).count() as u64
}

fn check_cuts(rel: &str, close: &str) {
    let bytes = corpus_file(rel);
    let whole = decode(&bytes, None, &DecodeOptions::default()).expect("whole file").summary;
    assert!(whole.warnings.is_empty(), "{rel}: {:?}", whole.warnings);
    for i in 1..40 {
        let len = bytes.len() * i / 40;
        let cut = &bytes[..len];
        let closed = closed_before(&bytes, len, close);
        match decode(cut, None, &DecodeOptions::default()) {
            Ok(a) => {
                let s = a.summary;
                // Every point closed before the cut is there; the one open at the cut may be too.
                assert!(
                    s.records == closed || s.records == closed + 1,
                    "{rel} cut at {len}: {} records, {closed} closed",
                    s.records
                );
                assert!(
                    s.warnings.iter().any(|w| w.kind == ProblemKind::Truncated),
                    "{rel} cut at {len}: no truncated warning in {:?}",
                    s.warnings
                );
                assert!(s.records <= whole.records);
            }
            Err(e) => {
                assert_eq!(closed, 0, "{rel} cut at {len}: {e} although {closed} points closed");
                assert!(
                    matches!(e.kind, ProblemKind::BadXml | ProblemKind::NotActivityFile),
                    "{rel} cut at {len}: {e}"
                );
            }
        }
    }
}

#[test]
fn cut_gpx_keeps_its_points_and_says_so() {
    check_cuts("gpx/sportslib-runs__2067489619.gpx", "</trkpt>");
    check_cuts("gpx/togeojson__run.gpx", "</trkpt>");
}

#[test]
fn cut_tcx_keeps_its_points_and_says_so() {
    check_cuts("tcx/tcxparser__test.tcx", "</Trackpoint>");
}

#[test]
fn flipped_bytes_never_panic() {
    for rel in [
        "gpx/togeojson__run_gpxtpx.gpx",
        "tcx/togeojson__sample.tcx",
        "gpx/gpxpy__track-with-empty-segment.gpx",
    ] {
        let bytes = corpus_file(rel);
        // A fixed linear-congruential sequence: the same damage on every run.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..300 {
            let mut damaged = bytes.clone();
            for _ in 0..4 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let at = (state >> 33) as usize % damaged.len();
                damaged[at] = (state >> 17) as u8;
            }
            if let Ok(a) = decode(&damaged, None, &DecodeOptions::default()) {
                assert!(a.summary.records_with_hr <= a.summary.records);
                assert!(a.summary.records_with_position <= a.summary.records);
                assert_eq!(a.samples.len() as u64, a.summary.records);
            }
        }
    }
}
