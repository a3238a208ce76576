//! Every file of the shared corpus against its reference decode (`../shared/corpus/reference/`),
//! through the one public entry point, `afterrun_activity::decode`.
//!
//! Acceptance rules of the import issue: record counts, records with heart rate and with
//! position exact; distance within 0.1 % or 1 m; elapsed within 1 s; max heart rate, sport and
//! start time equal; non-activity and empty files `not_activity_file`; damaged but usable files
//! read with warnings.
//!
//! References: for GPX, the raw XML element counts (`xml`) and gpxpy (`gpxpy`); for TCX, the
//! raw counts and tcxparser (`tcxparser`). Where those tools follow other conventions than
//! interfaces.md, interfaces.md wins, and the rule used is said at the place it applies. FIT
//! files go through the same entry point here for the format sniffing and the record counts;
//! the complete FIT acceptance is `tests/fit_reference.rs`.
//!
//! The corpus lives outside the repository; when it is absent (a checkout without `shared/`)
//! the test fails, because a reference test that silently checks nothing is worse than none.

// A panic in a test helper is a test failure with its message: that is what they are for.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

mod common;

use afterrun_activity::{
    Activity, DecodeOptions, Format, ProblemKind, Summary, decode, detect_format,
};
use common::corpus;
use serde_json::Value;

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus().join(dir))
        .expect("corpus folder")
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

fn reference(file: &Path) -> Value {
    let name = file.file_name().and_then(|n| n.to_str()).expect("file name");
    let path = corpus().join("reference").join(format!("{name}.json"));
    serde_json::from_slice(&std::fs::read(&path).expect("reference json")).expect("valid json")
}

fn summary_only() -> DecodeOptions {
    DecodeOptions { samples: false }
}

fn run(file: &Path) -> (Vec<u8>, Result<Activity, afterrun_activity::DecodeError>) {
    let bytes = std::fs::read(file).expect("corpus file");
    let name = file.to_string_lossy().into_owned();
    let result = decode(&bytes, Some(&name), &summary_only());
    (bytes, result)
}

/// Whole-second UTC text of a reference time (they may carry offsets and fractions).
fn ref_time(v: &Value) -> Option<i64> {
    let text = v.as_str()?;
    let ts: jiff::Timestamp = text.parse().ok()?;
    Some(ts.as_second() - i64::from(ts.subsec_nanosecond() < 0))
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn close_distance(ours: f64, theirs: f64) -> bool {
    (ours - theirs).abs() <= (theirs.abs() * 0.001).max(1.0)
}

/// Counts occurrences of an opening tag in raw text: the independent count for files that the
/// reference tools could not parse at all.
fn raw_count(bytes: &[u8], needle: &str) -> u64 {
    let text = String::from_utf8_lossy(bytes);
    text.matches(needle).count() as u64
}

struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, file: &Path, what: impl FnOnce() -> String) {
        if !ok {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            self.0.push(format!("{}: {}", name.unwrap_or_default(), what()));
        }
    }

    fn assert_none(self, checked: usize) {
        assert!(checked > 0, "no corpus file was checked");
        assert!(self.0.is_empty(), "{} mismatch(es):\n{}", self.0.len(), self.0.join("\n"));
    }
}

/// A kind of XML file in the corpus and what its reference says when it holds no activity.
struct XmlKind {
    /// Its folder in the corpus, which is also the name it is sniffed as.
    dir: &'static str,
    format: Format,
    /// The opening tag of a point, counted raw in a file that conforming parsers reject.
    point: &'static str,
    /// Whether such a file must hold at least one point.
    point_needed: bool,
    /// Whether the reference (`xml`) says the file holds no activity.
    no_activity: fn(&Value) -> bool,
    /// What comes before "expected not_activity_file" in a failure.
    no_activity_is: &'static str,
}

/// Checks every file of one XML kind against its reference: sniffed as its kind; a file that
/// conforming parsers reject read anyway with a warning and its raw count of points; a file
/// without an activity refused as such; any other file decoded and handed to `fields` with its
/// bytes and reference, to compare field by field.
fn check_xml_files(kind: &XmlKind, fields: impl Fn(&mut Failures, &Path, &[u8], &Value, &Summary)) {
    let mut f = Failures(Vec::new());
    let mut checked = 0;
    for file in files(kind.dir) {
        checked += 1;
        let r = reference(&file);
        let (bytes, result) = run(&file);
        let xml = &r["xml"];
        f.check(detect_format(&bytes, None) == Some(kind.format), &file, || {
            format!("not sniffed as {}", kind.dir)
        });

        if xml["parse_ok"] == Value::Bool(false) {
            match &result {
                Ok(a) => {
                    let expected = raw_count(&bytes, kind.point);
                    let enough = expected > 0 || !kind.point_needed;
                    f.check(a.summary.records == expected && enough, &file, || {
                        format!("records {} != raw count {expected}", a.summary.records)
                    });
                    f.check(!a.summary.warnings.is_empty(), &file, || "no warning".into());
                }
                Err(e) => f.check(false, &file, || format!("failed: {e}")),
            }
            continue;
        }
        if (kind.no_activity)(xml) {
            let got = result.as_ref().err().map(|e| e.kind);
            f.check(got == Some(ProblemKind::NotActivityFile), &file, || {
                format!("{}expected not_activity_file, got {got:?}", kind.no_activity_is)
            });
            continue;
        }
        match &result {
            Ok(a) => fields(&mut f, &file, &bytes, &r, &a.summary),
            Err(e) => f.check(false, &file, || format!("failed: {e}")),
        }
    }
    f.assert_none(checked);
}

#[test]
fn gpx_files_agree_with_their_references() {
    // A conforming parser rejects some files; interfaces.md: usable points → ok with a warning.
    // The expected count is the raw `<trkpt` count of the file itself. Routes, waypoints, empty
    // tracks: interfaces.md says not an activity.
    let gpx = XmlKind {
        dir: "gpx",
        format: Format::Gpx,
        point: "<trkpt ",
        point_needed: false,
        no_activity: |xml| xml["trkpt"].as_u64().unwrap_or(0) == 0,
        no_activity_is: "",
    };
    check_xml_files(&gpx, |f, file, bytes, r, a| {
        let xml = &r["xml"];
        let gpxpy = &r["gpxpy"];
        let trkpt = xml["trkpt"].as_u64().unwrap_or(0);
        f.check(a.format == Format::Gpx, file, || "format".into());
        f.check(a.records == trkpt, file, || format!("records {} != {trkpt}", a.records));
        let hr = xml["hr"].as_u64().unwrap_or(0);
        f.check(a.records_with_hr == hr, file, || {
            format!("records_with_hr {} != {hr}", a.records_with_hr)
        });
        if gpxpy["ok"] == Value::Bool(true) {
            // gpxpy rejects nothing it parsed, so every track point it read has a position.
            let expected = gpxpy["track_points"].as_u64().unwrap_or(0);
            f.check(a.records_with_position == expected, file, || {
                format!("records_with_position {} != {expected}", a.records_with_position)
            });
            let start = ref_time(&gpxpy["start_time"]);
            f.check(a.totals.start_time == start, file, || {
                format!("start {:?} != {start:?}", a.totals.start_time)
            });
            // gpxpy measures on a sphere of radius 6,378,137 m; interfaces.md fixes 6,371,000 m.
            // Haversine scales with the radius, so gpxpy's length is rescaled to the contract's.
            let length = num(&gpxpy["length_2d_m"]).unwrap_or(0.0) * 6_371_000.0 / 6_378_137.0;
            let ours = a.totals.distance_m.unwrap_or(0.0);
            f.check(close_distance(ours, length), file, || format!("distance {ours} != {length}"));
            // Elapsed is, as in gpxpy, the sum of the segments' durations; gpxpy leaves it out
            // when points lack times, so only present durations compare.
            if let Some(duration) = num(&gpxpy["duration_s"]) {
                let ours = a.totals.elapsed_s.unwrap_or(0.0);
                f.check((ours - duration).abs() <= 1.0, file, || {
                    format!("elapsed {ours} != {duration}")
                });
            }
        } else {
            // gpxpy refuses a file with coordinates such as `lat="undefined"`; interfaces.md
            // keeps the record (a track point) without a position, and nothing to measure.
            let expected =
                raw_count(bytes, "<trkpt ") - raw_count(bytes, "<trkpt lat=\"undefined\"");
            f.check(a.records_with_position == expected, file, || {
                format!("records_with_position {} != {expected}", a.records_with_position)
            });
        }
    });
}

/// tcxparser's activity type in FIT's sport names (`biking` is FIT's `cycling`; TCX `Other`
/// is FIT's `generic`, see `sport_from_name`).
fn tcx_sport(kind: &str) -> &str {
    match kind {
        "biking" => "cycling",
        "other" => "generic",
        other => other,
    }
}

#[test]
fn tcx_files_agree_with_their_references() {
    // Whitespace before the declaration: rejected by conforming parsers, read here with a
    // warning; the expected count is the raw `<Trackpoint>` count. A course is not an activity.
    let tcx = XmlKind {
        dir: "tcx",
        format: Format::Tcx,
        point: "<Trackpoint>",
        point_needed: true,
        no_activity: |xml| xml["Activity"].as_u64() == Some(0),
        no_activity_is: "a course: ",
    };
    check_xml_files(&tcx, |f, file, bytes, r, a| {
        let xml = &r["xml"];
        let tp = &r["tcxparser"];
        let trackpoints = xml["Trackpoint"].as_u64().unwrap_or(0);
        f.check(a.records == trackpoints, file, || {
            format!("records {} != {trackpoints}", a.records)
        });
        let hr = xml["HeartRateBpm"].as_u64().unwrap_or(0);
        f.check(a.records_with_hr == hr, file, || format!("with_hr {} != {hr}", a.records_with_hr));
        // Positions: tcxparser's count where it could read them; where it failed on values such
        // as `no` and `undefined`, the raw count less the positions holding such a value.
        let positions = match tp["positions"].as_u64() {
            Some(n) => n,
            None => {
                xml["Position"].as_u64().unwrap_or(0)
                    - raw_count(bytes, "<LatitudeDegrees>no<")
                    - raw_count(bytes, "<LatitudeDegrees>undefined<")
            }
        };
        f.check(a.records_with_position == positions, file, || {
            format!("with_position {} != {positions}", a.records_with_position)
        });
        let start = ref_time(&tp["start_time"]);
        f.check(a.totals.start_time == start, file, || {
            format!("start {:?} != {start:?}", a.totals.start_time)
        });
        let sport = tcx_sport(tp["activity_type"].as_str().unwrap_or(""));
        f.check(a.totals.sport == sport, file, || format!("sport {} != {sport}", a.totals.sport));
        if let Some(duration) = num(&tp["duration_s"]) {
            let ours = a.totals.elapsed_s.unwrap_or(0.0);
            f.check((ours - duration).abs() <= 1.0, file, || {
                format!("elapsed {ours} != {duration}")
            });
        }
        if let Some(max) = num(&tp["hr_max"]) {
            f.check(a.totals.max_hr == Some(max), file, || {
                format!("max_hr {:?} != {max}", a.totals.max_hr)
            });
        }
        let theirs = num(&tp["distance_m"]).unwrap_or(0.0);
        let ours = a.totals.distance_m.unwrap_or(0.0);
        if xml["DistanceMeters"].as_u64() <= xml["Lap"].as_u64() {
            // Only the laps carry a distance: interfaces.md sums the laps' (tcxparser reads the
            // trackpoints only and says 0).
            f.check(ours > 0.0, file, || format!("distance {ours}: laps not summed"));
        } else {
            f.check(close_distance(ours, theirs), file, || format!("distance {ours} != {theirs}"));
        }
    });
}

#[test]
fn fit_files_are_sniffed_and_counted() {
    let mut f = Failures(Vec::new());
    let mut checked = 0;
    for file in files("fit") {
        checked += 1;
        let r = reference(&file);
        let (bytes, result) = run(&file);
        if bytes.is_empty() {
            let kind = result.as_ref().err().map(|e| e.kind);
            f.check(kind == Some(ProblemKind::NotActivityFile), &file, || {
                format!("empty file: expected not_activity_file, got {kind:?}")
            });
            f.check(detect_format(&bytes, file.to_str()) == Some(Format::Fit), &file, || {
                "an empty file has the format of its extension".into()
            });
            continue;
        }
        let header_ok = bytes.len() >= 12 && &bytes[8..12] == b".FIT";
        if header_ok {
            f.check(detect_format(&bytes, None) == Some(Format::Fit), &file, || {
                "not sniffed as fit".into()
            });
        }
        // The authority: Garmin's SDK where it read the file, else fitdecode.
        let authority =
            if r["sdk"]["ok"] == Value::Bool(true) { &r["sdk"] } else { &r["fitdecode"] };
        let Ok(a) = &result else { continue };
        let s = &a.summary;
        if authority["ok"] != Value::Bool(true) || s.records == 0 {
            continue;
        }
        let records = authority["record_count"].as_u64().unwrap_or(0);
        // sportslib-others__empty-activities.fit has data_size 0: both Python decoders read
        // nothing, afterrun reads its records (README of the corpus); counts do not compare.
        if records > 0 {
            f.check(s.records == records, &file, || format!("records {} != {records}", s.records));
            let hr = authority["records_with_heart_rate"].as_u64().unwrap_or(0);
            f.check(s.records_with_hr == hr, &file, || {
                format!("with_hr {} != {hr}", s.records_with_hr)
            });
            let pos = authority["records_with_position"].as_u64().unwrap_or(0);
            f.check(s.records_with_position == pos, &file, || {
                format!("with_position {} != {pos}", s.records_with_position)
            });
        }
    }
    f.assert_none(checked);
}
