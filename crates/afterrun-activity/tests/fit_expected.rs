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

use std::path::{Path, PathBuf};

use afterrun_activity::Sample;
use afterrun_activity::fit;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Unix seconds of a device-local time printed as `Sun Sep 25 06:00:22 PDT 2011`.
fn local_to_unix(s: &str) -> i64 {
    let parts: Vec<&str> = s.split_whitespace().collect();
    assert_eq!(parts.len(), 6, "unexpected time {s:?}");
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == parts[1])
        .unwrap() as i64
        + 1;
    let day: i64 = parts[2].parse().unwrap();
    let hms: Vec<i64> = parts[3].split(':').map(|x| x.parse().unwrap()).collect();
    let offset_h = match parts[4] {
        "PDT" => -7,
        "PST" => -8,
        "UTC" | "GMT" => 0,
        z => panic!("unknown zone {z}"),
    };
    let year: i64 = parts[5].parse().unwrap();
    let local = days_from_civil(year, month, day) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
    local - offset_h * 3600
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

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
fn compressed_speed_distance_matches_record_by_record() {
    assert_eq!(check("pyfitparse__compressed-speed-distance"), 754);
}

#[test]
fn garmin_edge_500_matches_record_by_record() {
    assert_eq!(check("pyfitparse__garmin-edge-500-activity"), 10686);
}

#[test]
fn garmin_edge_820_matches_record_by_record() {
    assert_eq!(check("pyfitparse__garmin-edge-820-bike"), 15);
}

#[test]
fn garmin_fenix_5_bike_matches_record_by_record() {
    assert_eq!(check("pyfitparse__garmin-fenix-5-bike"), 19);
}

#[test]
fn garmin_fenix_5_run_matches_record_by_record() {
    assert_eq!(check("pyfitparse__garmin-fenix-5-run"), 21);
}

#[test]
fn garmin_fenix_5_walk_matches_record_by_record() {
    assert_eq!(check("pyfitparse__garmin-fenix-5-walk"), 17);
}

#[test]
fn device_local_times_convert() {
    assert_eq!(local_to_unix("Sun Sep 25 06:00:22 PDT 2011"), 1_316_955_622);
    assert_eq!(local_to_unix("Thu Jan  1 00:00:00 UTC 1970"), 0);
}
