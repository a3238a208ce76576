//! `afterrun import` against a real SQLite file, run as the real binary: importing the corpus
//! twice stores each activity once, and an importer killed with SIGKILL at random points never
//! leaves a half-written or doubled activity; a re-run completes the rest.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use common::{afterrun, afterrun_on, corpus, sha256, sqlite, temp_dir};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use afterrun_store::{Location, Store};
use serde_json::Value;

/// `afterrun import --json PATHS --db sqlite:DB`.
fn import_command(db: &Path, paths: &[&Path]) -> Command {
    let mut cmd = afterrun(&["import", "--json"]);
    cmd.args(paths).arg("--db").arg(sqlite(db));
    cmd
}

/// Runs `import --json` to completion: exit code and output lines.
fn import(db: &Path, paths: &[&Path]) -> (i32, Vec<Value>) {
    let out = import_command(db, paths).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (out.status.code().unwrap(), lines)
}

fn summary(lines: &[Value]) -> &Value {
    let last = lines.last().expect("a summary line");
    last.get("summary").expect("the last line is the summary")
}

/// Every stored activity: sha256 → how many rows hold it; plus the database's integrity check,
/// and a check that every stored original inflates to bytes with the stored hash.
fn stored(db: &Path) -> (BTreeMap<String, usize>, Vec<String>) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = Store::connect(&Location::Sqlite(db.to_path_buf())).await.unwrap();
        let integrity = store.integrity_check().await.unwrap();
        let mut hashes = BTreeMap::new();
        if let Some(athlete) = store.athlete_id("me").await.unwrap() {
            for row in store.activities(athlete).await.unwrap() {
                let original = store.original(row.id).await.unwrap().unwrap();
                let bytes = original.decompress().unwrap();
                assert_eq!(
                    sha256(&bytes),
                    row.sha256,
                    "activity {} holds other bytes than its hash",
                    row.id
                );
                *hashes.entry(row.sha256).or_insert(0) += 1;
            }
        }
        store.close().await;
        (hashes, integrity)
    })
}

#[test]
fn importing_the_corpus_twice_stores_each_activity_once() {
    let dir = temp_dir("import-twice");
    let db = dir.join("afterrun.db");
    let corpus = corpus();

    let (code, first) = import(&db, &[&corpus]);
    let s1 = summary(&first).clone();
    assert!(s1["new"].as_u64().unwrap() > 10, "{s1}");
    assert_eq!(code, if s1["failed"] == 0 { 0 } else { 3 }, "{s1}");
    let files = s1["files"].as_u64().unwrap();
    assert_eq!(first.len() as u64, files + 1, "one line per file, then the summary");
    let sum = ["new", "duplicates", "skipped", "failed"].iter().map(|k| s1[k].as_u64().unwrap());
    assert_eq!(sum.sum::<u64>(), files);
    for line in &first[..first.len() - 1] {
        assert!(line["file"].is_string(), "{line}");
        match line["stored"].as_str() {
            Some("new") => assert_eq!(line["ok"], true),
            Some("duplicate") => assert!(line["duplicate_of"].is_i64(), "{line}"),
            Some(other) => panic!("unknown stored value {other}"),
            None => assert_eq!(line["ok"], false, "{line}"),
        }
    }

    // Second run: nothing new, every stored or duplicate file a duplicate.
    let (code2, second) = import(&db, &[&corpus]);
    let s2 = summary(&second);
    assert_eq!(code2, code);
    assert_eq!(s2["new"], 0, "{s2}");
    assert_eq!(
        s2["duplicates"].as_u64(),
        Some(s1["new"].as_u64().unwrap() + s1["duplicates"].as_u64().unwrap())
    );
    assert_eq!(s2["failed"], s1["failed"]);
    assert_eq!(s2["skipped"], s1["skipped"]);
    // Every duplicate points at a stored activity, and lines keep their file names.
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a["file"], b["file"]);
        if a["stored"] == "new" {
            assert_eq!(b["duplicate_of"], a["id"], "{b}");
        }
    }

    // `activities --json`: one line per stored activity, oldest first, in the contract's shape.
    let out = afterrun_on(&db, &["activities", "--json"]).output().unwrap();
    assert!(out.status.success());
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len() as u64, s1["new"].as_u64().unwrap());
    for key in
        ["id", "sha256", "start_time", "sport", "distance_m", "elapsed_s", "stress", "stress_kind"]
    {
        assert!(rows.iter().all(|r| r.get(key).is_some()), "{key} missing");
    }
    let starts: Vec<&str> = rows.iter().filter_map(|r| r["start_time"].as_str()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let (hashes, integrity) = stored(&db);
    assert_eq!(integrity, ["ok"]);
    assert!(hashes.values().all(|&n| n == 1));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A small seeded generator: the kill points are random but reproducible.
struct Rng(afterrun_service::synthetic::Rng);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
}

/// The corpus's activity files up to 256 KB: enough files to kill between and inside many
/// transactions, small enough that twenty trials stay quick in a debug build.
fn small_activity_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["fit", "gpx", "tcx"] {
        for entry in std::fs::read_dir(corpus().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let len = std::fs::metadata(&path).unwrap().len();
            if (1..=256 * 1024).contains(&len) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn sigkill_at_random_points_never_halves_or_doubles_an_activity() {
    use std::io::BufRead as _;

    let dir = temp_dir("import-kill");
    let files = small_activity_files();
    let inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();

    // The reference: an import that was never interrupted.
    let reference_db = dir.join("reference.db");
    let (_, reference_lines) = import(&reference_db, &inputs);
    let (expected, _) = stored(&reference_db);
    assert!(expected.len() > 10, "{}", summary(&reference_lines));

    let trials: u64 =
        std::env::var("AFTERRUN_KILL_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let mut rng = Rng(afterrun_service::synthetic::Rng::new(0x5EED_AF7E));
    let mut interrupted = 0;
    for trial in 0..trials {
        let db = dir.join(format!("trial-{trial}.db"));
        // Kill after a random number of output lines (files stored), plus a random few
        // milliseconds, so the kill lands between transactions, inside one, or while the store
        // is being opened; counting lines rather than time keeps it independent of the load.
        let after_lines = rng.next() % (inputs.len() as u64 + 1);
        let extra = Duration::from_micros(rng.next() % 4_000);
        let mut child = import_command(&db, &inputs)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        for _ in 0..after_lines {
            line.clear();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
        }
        std::thread::sleep(extra);
        if child.try_wait().unwrap().is_none() {
            interrupted += 1;
        }
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
        drop(reader);
        let at = format!("after {after_lines} lines + {extra:?}");

        // Right after the kill: the file is sound and nothing is doubled or half-written
        // (every stored original inflates to bytes with its hash, checked inside `stored`).
        let mut stored_before = 0;
        if db.exists() {
            let (partial, integrity) = stored(&db);
            stored_before = partial.len();
            assert_eq!(integrity, ["ok"], "trial {trial} killed {at}");
            assert!(partial.values().all(|&n| n == 1), "trial {trial}: a doubled activity");
            assert!(
                partial.keys().all(|k| expected.contains_key(k)),
                "trial {trial}: an activity the full run does not store"
            );
        }

        // A re-run completes the rest: every activity exactly once.
        let (_, lines) = import(&db, &inputs);
        let new = summary(&lines)["new"].as_u64().unwrap() as usize;
        assert_eq!(new + stored_before, expected.len(), "trial {trial} killed {at}");
        let (after, integrity) = stored(&db);
        assert_eq!(integrity, ["ok"], "trial {trial}");
        assert_eq!(after, expected, "trial {trial} killed {at}");
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", db.display())).ok();
        }
    }
    assert!(interrupted * 2 >= trials, "only {interrupted} of {trials} runs were cut short");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_strava_catalog_gives_the_sport_a_gpx_file_leaves_out() {
    let dir = temp_dir("import-strava");
    let export = dir.join("export");
    std::fs::create_dir_all(export.join("activities")).unwrap();
    // A GPX with no <type>: decoded alone its sport is unknown.
    let gpx = corpus().join("gpx/togeojson__blue_hills.gpx");
    std::fs::copy(&gpx, export.join("activities/111.gpx")).unwrap();
    std::fs::write(
        export.join("activities.csv"),
        "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
         111,\"Jun 24, 2001\",Blue Hills Hike,Hike,activities/111.gpx\n",
    )
    .unwrap();
    let db = dir.join("afterrun.db");
    let (code, alone) = import(&dir.join("alone.db"), &[&gpx]);
    assert_eq!(code, 0);
    assert_eq!(alone[0]["sport"], "unknown");
    let (code, lines) = import(&db, &[&export]);
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines.len(), 2, "the CSV itself is not reported as a file: {lines:?}");
    assert_eq!(lines[0]["sport"], "hiking");
    assert_eq!(lines[0]["name"], "Blue Hills Hike");
    assert_eq!(lines[0]["stored"], "new");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_imports_at_once_never_double_an_activity() {
    let dir = temp_dir("import-concurrent");
    let files = small_activity_files();
    let inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (_, reference) = import(&dir.join("reference.db"), &inputs);
    let expected = summary(&reference)["new"].as_u64().unwrap() as usize;

    // Two importers of the same files into one database, started together, one of them going
    // through the files in reverse order so they meet in the middle.
    let db = dir.join("shared.db");
    let url = sqlite(&db);
    let forward: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let backward: Vec<String> = forward.iter().rev().cloned().collect();
    let spawn = |paths: &[String]| {
        let mut args = vec!["import", "--json", "--db", &url];
        args.extend(paths.iter().map(String::as_str));
        afterrun(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    };
    let a = spawn(&forward);
    let b = spawn(&backward);
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for out in [&a, &b] {
        assert!(out.status.code() == Some(0) || out.status.code() == Some(3), "{out:?}");
    }
    let new_of = |out: &std::process::Output| {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        last["summary"]["new"].as_u64().unwrap() as usize
    };
    let (hashes, integrity) = stored(&db);
    assert_eq!(integrity, ["ok"]);
    assert!(hashes.values().all(|&n| n == 1), "an activity stored twice");
    assert_eq!(hashes.len(), expected);
    assert_eq!(new_of(&a) + new_of(&b), expected, "each activity reported new exactly once");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn text_is_in_the_runners_zone_and_units() {
    let dir = temp_dir("locale");
    let db = dir.join("afterrun.db");
    let out = afterrun_on(&db, &["profile", "--tz", "America/New_York", "--units", "mi"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A 57-second file: stored, with its warning in words; 14:34 UTC is 10:34 in New York.
    let fit = corpus().join("fit/pyfitparse__garmin-fenix-5-run.fit");
    let out = afterrun_on(&db, &["import", fit.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "Running · Sun 11 Jun 2017 10:34 · 0.1 mi · 0:57: shorter than a minute or 100 m"
        ),
        "{stderr}"
    );
    let out = afterrun_on(&db, &["activities"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(stdout.contains("Sun 11 Jun 2017 10:34") && stdout.contains("0.1 mi"), "{stdout}");
    assert!(!stdout.contains("UTC") && !stdout.contains(" km"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
