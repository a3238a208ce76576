//! Every FIT file of the shared corpus against its reference decode
//! (`shared/corpus/reference/<name>.json`): Garmin's official FIT SDK where it decoded the file
//! (`sdk.ok`), else fitdecode (compressed timestamps, bad CRCs, truncated and chained files).
//!
//! Checked per file: record counts, records with heart rate and with position (exact); the
//! sessions' summed distance (within 0.1 % or 1 m) and elapsed time (within 1 s); the largest
//! session maximum heart rate, the sport and the start time (equal); the device; damaged files
//! read with the right warning; non-activity and empty files `not_activity_file`. Device-relative
//! timestamps (below 0x10000000, shown by the references as 1989/1990 dates) must give no start
//! time and a warning unless the file can resolve them. Decoding with and without samples must
//! give the same summary. All failures are collected and reported together.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use afterrun_activity::fit::{self, DecodeOptions, FIT_EPOCH_UNIX, RELATIVE_LIMIT};
use afterrun_activity::{ProblemKind, Summary};
use common::{corpus, fit_names, iso_to_unix};
use serde_json::Value;

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn has_warning(s: &Summary, kind: ProblemKind) -> bool {
    s.warnings.iter().any(|w| w.kind == kind)
}

#[test]
fn iso_dates_convert() {
    assert_eq!(iso_to_unix("1970-01-01T00:00:00Z"), 0);
    assert_eq!(iso_to_unix("1989-12-31T00:00:00Z"), FIT_EPOCH_UNIX);
    assert_eq!(iso_to_unix("2015-08-15T14:45:08Z"), 1_439_649_908);
}

#[test]
fn every_corpus_fit_file_agrees_with_its_reference() {
    let dir = corpus().join("fit");
    let names = fit_names();
    assert!(names.len() >= 60, "the corpus has {} fit files", names.len());

    let mut failures = Vec::new();
    let mut checked_counts = 0;
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let json: Value = serde_json::from_str(
            &std::fs::read_to_string(corpus().join("reference").join(format!("{name}.json")))
                .unwrap(),
        )
        .unwrap();
        let mut fail = |what: String| failures.push(format!("{name}: {what}"));

        let sdk = &json["sdk"];
        let fd = &json["fitdecode"];
        let sdk_ok = sdk["ok"].as_bool() == Some(true);
        let auth = if sdk_ok { sdk } else { fd };
        let sdk_errors = sdk["errors"].to_string();
        let fd_warnings = fd["warnings"].to_string();
        let file_type = sdk["file_id"]["type"].as_str();

        let summary_only = fit::decode(&bytes, &DecodeOptions { samples: false });
        let with_samples = fit::decode(&bytes, &DecodeOptions { samples: true });
        match (&summary_only, &with_samples) {
            (Ok(a), Ok(b)) => {
                if a.summary != b.summary {
                    fail("summary differs with and without samples".into());
                }
                if !a.samples.is_empty() {
                    fail("samples returned when not asked for".into());
                }
                if b.samples.len() as u64 != b.summary.records {
                    fail(format!("{} samples for {} records", b.samples.len(), b.summary.records));
                }
            }
            (Err(a), Err(b)) if a == b => {}
            _ => fail("decode result differs with and without samples".into()),
        }

        // Empty files and valid FIT files that are not activities.
        if bytes.is_empty() || file_type.is_some_and(|t| t != "activity") {
            match &summary_only {
                Err(e) if e.kind == ProblemKind::NotActivityFile => {}
                other => fail(format!("expected not_activity_file, got {other:?}")),
            }
            continue;
        }

        let activity = match with_samples {
            Ok(a) => a,
            Err(e) => {
                fail(format!("decode failed: {e}"));
                continue;
            }
        };
        let s = &activity.summary;

        // A header with data_size 0: both Python decoders give up; we read the records.
        let data_size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        if data_size == 0 {
            if s.records == 0 || !has_warning(s, ProblemKind::Truncated) {
                fail(format!(
                    "data_size 0: expected records and a truncated warning, got {} records, {:?}",
                    s.records, s.warnings
                ));
            }
            continue;
        }

        // Damage is reported, never silent.
        if sdk_errors.contains("CRC Error") || fd_warnings.contains("mismatching CRC") {
            if !has_warning(s, ProblemKind::BadCrc) {
                fail(format!("expected a bad_crc warning, got {:?}", s.warnings));
            }
        } else if sdk_errors.contains("longer than the number of bytes remaining") {
            if !has_warning(s, ProblemKind::Truncated) {
                fail(format!("expected a truncated warning, got {:?}", s.warnings));
            }
        } else if sdk_errors.contains("not a fit file") {
            if !has_warning(s, ProblemKind::BadHeader) {
                fail(format!("expected a bad_header warning, got {:?}", s.warnings));
            }
        } else if s.warnings.iter().any(|w| w.kind != ProblemKind::Unsupported) {
            fail(format!("unexpected warnings on a clean file: {:?}", s.warnings));
        }

        // Record counts.
        checked_counts += 1;
        let count = |k: &str| auth[k].as_u64().unwrap();
        if s.records != count("record_count") {
            fail(format!("records {} != {}", s.records, count("record_count")));
        }
        if s.records_with_hr != count("records_with_heart_rate") {
            fail(format!(
                "records_with_hr {} != {}",
                s.records_with_hr,
                count("records_with_heart_rate")
            ));
        }
        if s.records_with_position != count("records_with_position") {
            fail(format!(
                "records_with_position {} != {}",
                s.records_with_position,
                count("records_with_position")
            ));
        }

        // Session totals.
        let sessions = auth["sessions"].as_array().unwrap();
        if s.sessions.len() != sessions.len() {
            fail(format!("{} sessions, reference {}", s.sessions.len(), sessions.len()));
        }
        if !sessions.is_empty() {
            let total = |k: &str| -> Option<f64> {
                let vals: Vec<f64> = sessions.iter().filter_map(|x| f(&x[k])).collect();
                (!vals.is_empty()).then(|| vals.iter().sum())
            };
            match (total("total_distance"), s.totals.distance_m) {
                (Some(want), Some(got)) => {
                    if (got - want).abs() > (want * 0.001).max(1.0) {
                        fail(format!("distance {got} != {want}"));
                    }
                }
                (None, _) => {}
                (want, got) => fail(format!("distance {got:?} != {want:?}")),
            }
            match (total("total_elapsed_time"), s.totals.elapsed_s) {
                (Some(want), Some(got)) => {
                    if (got - want).abs() > 1.0 {
                        fail(format!("elapsed {got} != {want}"));
                    }
                }
                (None, _) => {}
                (want, got) => fail(format!("elapsed {got:?} != {want:?}")),
            }
            let max_hr = sessions.iter().filter_map(|x| f(&x["max_heart_rate"])).reduce(f64::max);
            if max_hr.is_some() && s.totals.max_hr != max_hr {
                fail(format!("max_hr {:?} != {max_hr:?}", s.totals.max_hr));
            }
            let first = sessions[0]["sport"].as_str().unwrap_or("unknown");
            let want_sport = if sessions.iter().all(|x| x["sport"].as_str() == Some(first)) {
                first
            } else {
                "multisport"
            };
            if s.totals.sport != want_sport {
                fail(format!("sport {} != {want_sport}", s.totals.sport));
            }
        }

        // Start time: the first session's start, else the first record's timestamp.
        let want_start = sessions
            .iter()
            .find_map(|x| x["start_time"].as_str())
            .or(auth["first_record_timestamp"].as_str())
            .map(iso_to_unix);
        if let Some(want) = want_start {
            let fit_seconds = want - FIT_EPOCH_UNIX;
            if fit_seconds < i64::from(RELATIVE_LIMIT) {
                // Seconds since power-on: no date unless the file can resolve it.
                if s.totals.start_time.is_none() && !has_warning(s, ProblemKind::Unsupported) {
                    fail("relative start time without a warning".into());
                }
                if let Some(got) = s.totals.start_time
                    && got - FIT_EPOCH_UNIX < i64::from(RELATIVE_LIMIT)
                {
                    fail(format!("relative start time {got} printed as a date"));
                }
            } else if s.totals.start_time != Some(want) {
                fail(format!("start_time {:?} != {want}", s.totals.start_time));
            }
        }
        // The first and last samples carry the first and last record timestamps.
        for (key, sample) in [
            ("first_record_timestamp", activity.samples.first()),
            ("last_record_timestamp", activity.samples.last()),
        ] {
            if let Some(want) = auth[key].as_str().map(iso_to_unix)
                && want - FIT_EPOCH_UNIX >= i64::from(RELATIVE_LIMIT)
                && sample.and_then(|x| x.time_s) != Some(want as f64)
            {
                fail(format!("{key}: sample time {:?} != {want}", sample.map(|x| x.time_s)));
            }
        }

        // Device names.
        let manufacturer = sdk["file_id"]["manufacturer"].as_str();
        if let Some(m) = manufacturer {
            let got = s.device.as_ref().and_then(|d| d.manufacturer.as_deref());
            if got != Some(m) {
                fail(format!("manufacturer {got:?} != {m}"));
            }
            let want_product = sdk["file_id"]["garmin_product"]
                .as_str()
                .map(str::to_owned)
                .or(sdk["file_id"]["product"].as_u64().map(|p| p.to_string()));
            let got = s.device.as_ref().and_then(|d| d.product.clone());
            if want_product.is_some() && got != want_product {
                fail(format!("product {got:?} != {want_product:?}"));
            }
        }
    }
    assert!(checked_counts >= 45, "only {checked_counts} activity files were compared");
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}
