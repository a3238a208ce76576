//! The store-backed commands as a person uses them, through the real binary on a temporary
//! SQLite file: profile, checkin, done, export, delete-athlete, and their exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use common::{afterrun, afterrun_on, corpus, sqlite, temp_dir};

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

/// A store in a fresh folder, removed when the test ends.
struct Db {
    dir: PathBuf,
    path: PathBuf,
}

impl Db {
    fn new(tag: &str) -> Db {
        let dir = temp_dir(&format!("cli-{tag}"));
        let path = dir.join("store.db");
        Db { dir, path }
    }

    /// `afterrun ARGS --db` this store.
    fn run(&self, args: &[&str]) -> Output {
        afterrun_on(&self.path, args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn profile_is_stored_and_updated_field_by_field() {
    let db = Db::new("profile");
    let p = db.json(
        &[
            common::BOOTS_AFTER_DVT,
            &[
                "--cleared-by",
                "doctor",
                "--weekly-km",
                "70",
                "--goal",
                "marathon",
                "--sex",
                "female",
                "--age",
                "34",
                "--max-hr",
                "188",
                "--threshold-pace",
                "4:15",
                "--prefers-cycling",
                "--json",
            ],
        ]
        .concat(),
    );
    assert_eq!(p["equipment"], serde_json::json!(["foam_roller", "compression_boots"]));
    assert_eq!(p["clearances"][0]["modality"], "compression_boots");
    assert_eq!(p["clearances"][0]["max_mmhg"], 40);
    assert_eq!(p["threshold_pace_s_per_km"], 255.0);
    assert_eq!(p["prefers_cycling"], true);

    // One field changed, the others kept.
    let p2 = db.json(&["profile", "--weekly-km", "50", "--json"]);
    assert_eq!(p2["weekly_km"], 50.0);
    assert_eq!(p2["goal"], "marathon");
    assert_eq!(p2["conditions"], serde_json::json!(["dvt_history"]));

    // Invalid values are refused with exit 2 naming the field, and nothing is changed.
    for bad in [
        vec!["profile", "--goal", "couch"],
        vec!["profile", "--equipment", "jacuzzi"],
        vec!["profile", "--threshold-pace", "4:75"],
        vec!["profile", "--max-hr", "400"],
    ] {
        let out = db.run(&bad);
        assert_eq!(code(&out), 2, "{bad:?}: {}", stderr(&out));
    }
    assert_eq!(db.json(&["profile", "--json"]), p2);
}

#[test]
fn checkin_plan_done_export_delete() {
    let db = Db::new("story");
    db.json(&["profile", "--equipment", "foam_roller,bike", "--json"]);

    // No flags and no terminal: refused with a hint (exit 2).
    let out = db.run(&["checkin"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--sore"), "{}", stderr(&out));

    // A check-in by flags: saved, and its plan printed.
    let plan = db.json(&[
        "checkin",
        "--now",
        "2026-11-23T08:30:00Z",
        "--sore",
        "quads=6,calves=4",
        "--run-km",
        "21.1",
        "--run-min",
        "95",
        "--json",
    ]);
    assert_eq!(plan["generated_at"], "2026-11-23T08:30:00Z");
    let steps = plan["steps"].as_array().unwrap().len();
    assert!(steps > 0);

    // An invalid check-in is refused (exit 2) and not saved.
    let out = db.run(&["checkin", "--now", "2026-11-24T08:30:00Z", "--sore", "quads=11"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));

    // Steps done: in range, again (idempotent), out of range (exit 2).
    assert_eq!(code(&db.run(&["done", "0"])), 0);
    assert_eq!(code(&db.run(&["done", "0"])), 0);
    let out = db.run(&["done", &steps.to_string()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("out of range"), "{}", stderr(&out));
    assert_eq!(code(&db.run(&["done", "0", "--plan", "999"])), 2);

    // Export: profile, the check-in, the plan with its completed step.
    let export = db.json(&["export"]);
    assert_eq!(export["athlete"], "me");
    assert_eq!(export["profile"]["equipment"], serde_json::json!(["foam_roller", "bike"]));
    assert_eq!(export["checkins"].as_array().unwrap().len(), 1);
    assert_eq!(export["checkins"][0]["checkin"]["soreness"]["quads"], 6);
    // The stored profile filled the check-in's athlete fields.
    assert_eq!(export["checkins"][0]["checkin"]["athlete"]["equipment"][1], "bike");
    assert_eq!(export["plans"].as_array().unwrap().len(), 1);
    assert_eq!(export["plans"][0]["plan"], plan);
    assert_eq!(export["plans"][0]["completed"][0]["step"], 0);

    // Delete: refused without --yes; then everything is gone.
    let out = db.run(&["delete-athlete", "me"]);
    assert_eq!(code(&out), 2);
    assert_eq!(db.json(&["export"])["athlete"], "me", "nothing was deleted without --yes");
    assert_eq!(code(&db.run(&["delete-athlete", "me", "--yes"])), 0);
    assert_eq!(code(&db.run(&["export"])), 2);
    assert_eq!(code(&db.run(&["delete-athlete", "me", "--yes"])), 2);
    let bytes = std::fs::read(&db.path).unwrap();
    assert!(
        !bytes.windows(b"foam_roller".len()).any(|w| w == b"foam_roller"),
        "deleted data is still readable in the database file"
    );
}

#[test]
fn db_location_follows_flag_env_and_default() {
    let dir = temp_dir("cli-loc");
    let run = |envs: &[(&str, &Path)], args: &[&str]| {
        let mut cmd = afterrun(args);
        cmd.env_remove("XDG_DATA_HOME");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // Default: $XDG_DATA_HOME/afterrun/afterrun.db.
    let xdg = dir.join("xdg");
    assert!(run(&[("XDG_DATA_HOME", &xdg)], &["profile", "--age", "40"]).status.success());
    assert!(xdg.join("afterrun/afterrun.db").exists());
    // AFTERRUN_DB overrides the default; --db overrides both.
    let env_db = dir.join("env.db");
    let flag_db = dir.join("flag.db");
    let both = [("XDG_DATA_HOME", xdg.as_path()), ("AFTERRUN_DB", env_db.as_path())];
    assert!(run(&both, &["profile", "--age", "41"]).status.success());
    assert!(env_db.exists());
    let flag = flag_db.display().to_string();
    assert!(run(&both, &["profile", "--age", "42", "--db", &flag]).status.success());
    let age = |args: &[&str]| -> Value {
        let out = run(&both, args);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["age"].clone()
    };
    assert_eq!(age(&["profile", "--json"]), 41);
    assert_eq!(age(&["profile", "--json", "--db", &flag]), 42);
    let default = sqlite(&xdg.join("afterrun/afterrun.db"));
    assert_eq!(age(&["profile", "--json", "--db", &default]), 40);

    // A PostgreSQL URL that cannot be reached: exit 2, and the password is never printed.
    let out = run(&[], &["activities", "--db", "postgres://me:pa55word@127.0.0.1:9/afterrun"]);
    assert_eq!(code(&out), 2);
    assert!(!stderr(&out).contains("pa55word"), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn export_can_carry_the_original_files() {
    let db = Db::new("originals");
    let gpx = corpus().join("gpx/togeojson__blue_hills.gpx");
    let bytes = std::fs::read(&gpx).unwrap();
    let out = db.run(&["import", &gpx.display().to_string()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let plain = db.json(&["export"]);
    assert_eq!(plain["activities"].as_array().unwrap().len(), 1);
    assert!(plain["activities"][0].get("original_base64").is_none());

    let full = db.json(&["export", "--originals"]);
    let encoded = full["activities"][0]["original_base64"].as_str().unwrap();
    assert_eq!(encoded.len(), bytes.len().div_ceil(3) * 4);
    // "<?xml" → "PD94bWw" in base64: the file itself, not its compressed form.
    assert!(bytes.starts_with(b"<?xml") && encoded.starts_with("PD94bWw"), "{}", &encoded[..16]);
}

#[test]
fn profile_zone_units_seed_and_time_constants() {
    let db = Db::new("locale");
    let p = db.json(&[
        "profile",
        "--tz",
        "America/New_York",
        "--units",
        "mi",
        "--threshold-pace",
        "7:00",
        "--seed-fitness",
        "45",
        "--seed-fatigue",
        "30",
        "--seed-date",
        "2026-10-01",
        "--fitness-tau",
        "28",
        "--json",
    ]);
    assert_eq!((p["tz"].as_str(), p["units"].as_str()), (Some("America/New_York"), Some("mi")));
    // 7:00 per mile is 420 s / 1.609344 km = 260.98 s per km.
    let pace = p["threshold_pace_s_per_km"].as_f64().unwrap();
    assert!((pace - 420.0 / 1.609_344).abs() < 1e-9, "{pace}");
    assert_eq!(
        (p["seed_fitness"].as_f64(), p["fitness_tau_days"].as_f64()),
        (Some(45.0), Some(28.0))
    );
    // The text shows the pace back per mile, and no zone assumption (the zone is set).
    let out = db.run(&["profile"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("threshold_pace: 7:00 per mile"), "{text}");
    assert!(!text.contains("this computer's time zone"), "{text}");
    // Refused, naming the flag, and nothing changed.
    for (bad, flag) in [
        (vec!["profile", "--tz", "Mars/Olympus"], "--tz"),
        (vec!["profile", "--units", "furlongs"], "--units"),
        (vec!["profile", "--fatigue-tau", "0"], "--fatigue-tau"),
        (vec!["profile", "--seed-date", "1901-01-01"], "--seed-date"),
    ] {
        let out = db.run(&bad);
        assert_eq!(code(&out), 2, "{bad:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(flag), "{bad:?}: {}", stderr(&out));
    }
    assert_eq!(db.json(&["profile", "--json"]), p);
}
