//! The six per-record tables python-fitparse publishes (`shared/corpus/expected/*-records.csv`)
//! against our samples, record by record, for every field they list.
//!
//! How timestamps are compared. The Garmin tables print each record's time in the recording
//! device's local time with a zone abbreviation (`Sun Sep 25 06:00:22 PDT 2011`): the abbreviation
//! gives the UTC offset (PDT = UTC−7, PST = UTC−8), so the printed time is turned into a UTC
//! instant and must equal the sample's `time_s` exactly. The compressed-speed-distance table
//! prints raw FIT seconds since the device powered on (17217869, below 0x10000000): that file has
//! no absolute time, so each sample's `time_s` must be `None`, and the raw timestamps the decoder
//! read (`decode_with_raw_times`) must equal the printed ones; the sequence is then also checked
//! as offsets from the first record (0, 5, 10, …), which is what the instants mean.
//!
//! The Garmin tables were written by the FIT SDK's dump tool, which prints an invalid cadence as
//! 0 and an invalid position as the last valid one (python-fitparse's own test makes the same two
//! allowances): where our sample has no cadence the table may say 0, and where it has no position
//! the table must repeat the last position we did read. Everything else must match exactly (floats
//! within 1e-6).
//!
//! The compressed-speed-distance file holds 755 records and its table 754 rows: the file's first
//! record carries a timestamp and nothing else, and the table starts at the second. That first
//! record must be empty of every listed value, and every row must match the record after it.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use afterrun_activity::Sample;
use afterrun_activity::fit;
use common::{corpus, local_to_unix};

/// Degrees back to the semicircles the file stores.
fn semicircles(deg: f64) -> i64 {
    (deg * 2_147_483_648.0 / 180.0).round() as i64
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-6,
        (None, None) => true,
        _ => false,
    }
}

/// Compares one table with the file of the same stem; returns the number of rows checked.
fn check(stem: &str) -> usize {
    let table =
        std::fs::read_to_string(corpus().join("expected").join(format!("{stem}-records.csv")))
            .unwrap();
    let bytes = std::fs::read(corpus().join("fit").join(format!("{stem}.fit"))).unwrap();
    let (activity, raw_times) = fit::decode_with_raw_times(&bytes).unwrap();
    let samples = &activity.samples;
    assert_eq!(samples.len(), raw_times.len());

    let mut lines = table.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim().split(' ').next().unwrap().to_lowercase())
        .collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let skip = samples.len() - rows.len();
    assert!(skip <= 1, "{stem}: {} samples for {} rows", samples.len(), rows.len());
    if skip == 1 {
        let s = samples[0];
        let empty = Sample { time_s: s.time_s, ..Sample::default() };
        assert_eq!(s, empty, "{stem}: the record the table leaves out is not empty");
    }

    let mut first_time: Option<(i64, u32)> = None;
    let (mut last_lat, mut last_lon) = (None, None);
    let pairs = samples.iter().zip(&raw_times).skip(skip);
    for (i, (row, (sample, raw))) in rows.iter().zip(pairs).enumerate() {
        last_lat = sample.lat_deg.map(semicircles).or(last_lat);
        last_lon = sample.lon_deg.map(semicircles).or(last_lon);
        assert_eq!(row.len(), header.len(), "{stem} row {i}");
        for (name, cell) in header.iter().zip(row) {
            let cell = cell.trim();
            let num: Option<f64> = if cell.is_empty() || cell == "null" {
                None
            } else if name == "timestamp" {
                cell.parse().ok()
            } else {
                Some(cell.parse().unwrap())
            };
            let ctx = format!("{stem} row {i} {name}: table {cell:?}, sample {sample:?}");
            match name.as_str() {
                "timestamp" => {
                    if let Some(t) = num {
                        // Raw seconds since power-on.
                        let t = t as u32;
                        assert!(t < fit::RELATIVE_LIMIT, "{ctx}");
                        assert_eq!(*raw, Some(t), "{ctx}");
                        assert_eq!(sample.time_s, None, "{ctx}");
                        // The sequence: offsets from the first row's instant.
                        let (_, raw0) = *first_time.get_or_insert((i as i64, t));
                        let first_raw = raw_times[skip].unwrap();
                        assert_eq!(
                            i64::from(t - raw0),
                            i64::from(raw.unwrap() - first_raw),
                            "{ctx}"
                        );
                    } else {
                        let want = local_to_unix(cell);
                        assert_eq!(sample.time_s, Some(want as f64), "{ctx}");
                    }
                }
                "heart_rate" | "heart" => assert!(close(sample.heart_rate_bpm, num), "{ctx}"),
                "cadence" => {
                    let dump_tool_invalid = sample.cadence_rpm.is_none() && num == Some(0.0);
                    assert!(dump_tool_invalid || close(sample.cadence_rpm, num), "{ctx}")
                }
                "speed" => assert!(close(sample.speed_mps, num), "{ctx}"),
                "distance" => assert!(close(sample.distance_m, num), "{ctx}"),
                "altitude" => assert!(close(sample.altitude_m, num), "{ctx}"),
                "temperature" => assert!(close(sample.temperature_c, num), "{ctx}"),
                "position_lat" => assert_eq!(last_lat, num.map(|n| n as i64), "{ctx}"),
                "position_long" => assert_eq!(last_lon, num.map(|n| n as i64), "{ctx}"),
                other => panic!("{stem}: column {other} not compared"),
            }
        }
    }
    // Every sample's time is in order.
    let times: Vec<u32> = raw_times.iter().map(|t| t.unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{stem}: record times go back");
    rows.len()
}

#[test]
fn expected_files_match_record_by_record() {
    // Each file of `corpus/expected` with its number of records.
    for (stem, records) in [
        ("pyfitparse__compressed-speed-distance", 754),
        ("pyfitparse__garmin-edge-500-activity", 10686),
        ("pyfitparse__garmin-edge-820-bike", 15),
        ("pyfitparse__garmin-fenix-5-bike", 19),
        ("pyfitparse__garmin-fenix-5-run", 21),
        ("pyfitparse__garmin-fenix-5-walk", 17),
    ] {
        assert_eq!(check(stem), records, "{stem}");
    }
}

#[test]
fn device_local_times_convert() {
    assert_eq!(local_to_unix("Sun Sep 25 06:00:22 PDT 2011"), 1_316_955_622);
    assert_eq!(local_to_unix("Thu Jan  1 00:00:00 UTC 1970"), 0);
}
