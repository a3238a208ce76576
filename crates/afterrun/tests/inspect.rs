//! `afterrun inspect` as a user runs it: the real binary on files, folders and archives built
//! in a temporary folder from corpus files. Checks the JSON Lines shape of interfaces.md, the
//! order of the lines, and the exit codes 0 / 2 / 3.

// A panic in a test helper is a test failure with its message: that is what they are for.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{corpus, temp_dir};

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Runs `afterrun inspect ARGS`; returns the exit code, the parsed stdout lines and stderr.
fn inspect(args: &[&Path], extra: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_afterrun"))
        .arg("inspect")
        .args(extra)
        .args(args)
        .output()
        .expect("run afterrun");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let lines = if extra.contains(&"--json") {
        stdout.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect()
    } else {
        Vec::new()
    };
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), lines, stderr)
}

/// The keys every `ok:true` line has (interfaces.md).
const OK_KEYS: &[&str] = &[
    "file",
    "format",
    "ok",
    "sport",
    "sub_sport",
    "start_time",
    "end_time",
    "elapsed_s",
    "timer_s",
    "distance_m",
    "records",
    "records_with_hr",
    "records_with_position",
    "avg_hr",
    "max_hr",
    "ascent_m",
    "descent_m",
    "laps",
    "device",
    "warnings",
];

fn is_contract_time(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return v.is_null() };
    let b = s.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && s.parse::<jiff::Timestamp>().is_ok()
}

struct Fixture {
    dir: PathBuf,
    gpx: PathBuf,
    course: PathBuf,
    garbage: PathBuf,
    fit: PathBuf,
}

fn fixture(name: &str) -> Fixture {
    let dir = temp_dir(&format!("inspect-{name}"));
    let c = corpus();
    let gpx = dir.join("run.gpx");
    std::fs::copy(c.join("gpx/sportslib-runs__2067489619.gpx"), &gpx).expect("copy");
    let course = dir.join("course.tcx");
    std::fs::copy(c.join("tcx/togeojson__tcx-courses.tcx"), &course).expect("copy");
    let garbage = dir.join("garbage.fit");
    std::fs::write(&garbage, b"no fit here").expect("write");
    let fit = dir.join("run.fit");
    std::fs::copy(c.join("fit/sportslib-runs__2067489619.fit"), &fit).expect("copy");
    Fixture { dir, gpx, course, garbage, fit }
}

#[test]
fn json_lines_shape_and_exit_0_with_a_non_activity() {
    let f = fixture("shape");
    let (code, lines, stderr) = inspect(&[&f.gpx, &f.course], &["--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 2);
    let ok = &lines[0];
    for key in OK_KEYS {
        assert!(ok.get(key).is_some(), "missing {key} in {ok}");
    }
    assert_eq!(ok["file"], f.gpx.display().to_string());
    assert_eq!(ok["format"], "gpx");
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["records"], 502);
    assert_eq!(ok["records_with_hr"], 502);
    assert!(ok["warnings"].as_array().is_some_and(Vec::is_empty));
    assert!(is_contract_time(&ok["start_time"]) && is_contract_time(&ok["end_time"]), "{ok}");
    assert_eq!(ok["start_time"], "2017-10-08T14:54:11Z");

    let not = &lines[1];
    assert_eq!(not["ok"], false);
    assert_eq!(not["format"], "tcx");
    assert_eq!(not["error"]["kind"], "not_activity_file");
    assert!(not["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[test]
fn partial_failure_is_3_and_total_failure_is_2() {
    let f = fixture("codes");
    let (code, lines, _) = inspect(&[&f.gpx, &f.garbage], &["--json", "--threads", "1"]);
    assert_eq!(code, 3);
    assert_eq!(lines[1]["ok"], false);
    assert_eq!(lines[1]["format"], "fit", "the extension names the format of unreadable bytes");

    let missing = f.dir.join("missing.gpx");
    let (code, lines, _) = inspect(&[&f.garbage, &missing], &["--json"]);
    assert_eq!(code, 2);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["error"]["kind"], "io");
    let message = lines[1]["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains(&missing.display().to_string()), "{message}");
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[test]
fn folders_and_archives_in_order_and_every_argument_decoded() {
    let f = fixture("walk");
    // A zip in the folder, holding the FIT file and a nested zip with the GPX.
    let inner = {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        w.start_file("track.gpx", o).unwrap();
        w.write_all(&std::fs::read(&f.gpx).unwrap()).unwrap();
        w.finish().unwrap().into_inner()
    };
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    w.start_file("z/run.fit", o).unwrap();
    w.write_all(&std::fs::read(&f.fit).unwrap()).unwrap();
    w.start_file("a/inner.zip", o).unwrap();
    w.write_all(&inner).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    std::fs::write(f.dir.join("export.zip"), bytes).unwrap();
    std::fs::write(f.dir.join("notes.txt"), b"not an activity, left out").unwrap();

    let (code, lines, stderr) = inspect(&[&f.dir, &f.gpx, &f.gpx], &["--json"]);
    assert_eq!(code, 3, "garbage.fit fails, the rest reads: {stderr}");
    let files: Vec<&str> = lines.iter().map(|l| l["file"].as_str().unwrap()).collect();
    let d = f.dir.display().to_string();
    let expected = [
        format!("{d}/course.tcx"),
        format!("{d}/export.zip!/a/inner.zip!/track.gpx"),
        format!("{d}/export.zip!/z/run.fit"),
        format!("{d}/garbage.fit"),
        format!("{d}/run.fit"),
        format!("{d}/run.gpx"),
        f.gpx.display().to_string(),
        f.gpx.display().to_string(),
    ];
    assert_eq!(files, expected.iter().map(String::as_str).collect::<Vec<_>>());
    // The GPX read through two zips is the same as the GPX read directly, repeated or not.
    let strip = |v: &Value| {
        let mut v = v.clone();
        v["file"] = Value::Null;
        v
    };
    assert_eq!(strip(&lines[1]), strip(&lines[6]));
    assert_eq!(lines[6], lines[7]);
    assert_eq!(lines[2]["format"], "fit");
    assert_eq!(lines[2]["ok"], true);

    // The table for people: a header and one row per file, nothing on stderr but progress.
    let out = Command::new(env!("CARGO_BIN_EXE_afterrun"))
        .args(["inspect", "--threads", "2"])
        .arg(&f.dir)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("FILE"), "{text}");
    assert_eq!(text.lines().count(), 1 + 6, "{text}");
    let _ = std::fs::remove_dir_all(&f.dir);
}
