//! One behavioural story, run against every backend: SQLite always, PostgreSQL when
//! `AFTERRUN_TEST_POSTGRES_URL` is set (and required under `CI=true`), so the two cannot drift.
//!
//! The story: an athlete is created and given a profile, activities are imported (files read from
//! the shared corpus, compressed and stored; the same bytes twice and the same run exported twice
//! are both stored once), concurrent imports of the same files double nothing, a check-in and its
//! plan are saved, a step is marked done, an outcome is recorded, the export holds all of it, and
//! deleting the athlete leaves no row behind.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use std::path::{Path, PathBuf};

use afterrun_activity::{Summary, Totals};
use afterrun_store::{
    Location, NewActivity, Original, Outcome, Profile, Store, StoreError, Stored, Stress,
};
use serde_json::json;

const NOW: i64 = 1_795_000_000;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Up to `n` non-empty corpus files with their bytes, sorted by name.
fn corpus_files(n: usize) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["fit", "gpx", "tcx"] {
        let mut names: Vec<PathBuf> = std::fs::read_dir(corpus().join(dir))
            .expect("the shared corpus is beside the project")
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for path in names {
            let bytes = std::fs::read(&path).unwrap();
            if !bytes.is_empty() {
                out.push((path.file_name().unwrap().to_string_lossy().into_owned(), bytes));
            }
        }
    }
    out.truncate(n);
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// An activity built from a file: the store does not decode, so the story gives each file a
/// distinct start time (a day apart) and an hour's duration.
fn activity(i: usize, name: &str, bytes: &[u8]) -> NewActivity {
    let start = NOW - 86_400 * (100 - i as i64);
    let format = afterrun_activity::sniff::format_from_name(name).unwrap();
    let decoded = Summary {
        totals: Totals {
            sport: "running".to_owned(),
            start_time: Some(start),
            elapsed_s: Some(3600.0),
            timer_s: Some(3500.0),
            distance_m: Some(10_000.0 + i as f64),
            avg_hr: Some(150.0),
            max_hr: Some(175.0),
            laps: Some(10),
            ..Totals::default()
        },
        end_time: Some(start + 3600),
        records: 3600,
        ..Summary::empty(format)
    };
    NewActivity {
        sha256: sha256_hex(bytes),
        decoded,
        summary: json!({"file": name, "ok": true}),
        stress: Some(Stress { value: 80.0 + i as f64, kind: "trimp".to_owned() }),
        muscle_load: Some(json!({"quads": 1.5})),
        facts: (i == 0).then(|| json!({"max_hr": 175.0})),
        load_basis: Some("basis-1".to_owned()),
        original: Original::compress(bytes),
        source: name.to_owned(),
    }
}

async fn story(location: Location) {
    let store = Store::connect(&location).await.unwrap();
    // Connecting again runs the migrations again: they must be idempotent.
    let store2 = Store::connect(&location).await.unwrap();

    let name = format!("story-{}", std::process::id());
    store.delete_athlete(&name).await.unwrap();
    let athlete = store.ensure_athlete(&name, NOW).await.unwrap();
    assert_eq!(store.ensure_athlete(&name, NOW + 5).await.unwrap(), athlete);

    // Profile.
    let profile = Profile {
        age: Some(34),
        sex: Some("female".into()),
        weekly_km: Some(70.0),
        goal: Some("marathon".into()),
        equipment: Some(vec!["foam_roller".into(), "compression_boots".into()]),
        conditions: Some(vec!["dvt_history".into()]),
        clearances: Some(vec![afterrun_store::Clearance {
            modality: "compression_boots".into(),
            by: "physiotherapist".into(),
            date: "2026-10-01".into(),
            max_mmhg: Some(40),
        }]),
        max_hr: Some(188),
        threshold_pace_s_per_km: Some(255.0),
        ..Profile::default()
    };
    store.set_profile(athlete, &profile).await.unwrap();
    assert_eq!(store2.profile(athlete).await.unwrap(), profile);

    // Import: every file new once, then every file a duplicate of itself.
    let files = corpus_files(12);
    assert!(files.len() >= 6, "corpus too small");
    let mut ids = Vec::new();
    for (i, (file, bytes)) in files.iter().enumerate() {
        match store.import_activity(athlete, &activity(i, file, bytes), NOW).await.unwrap() {
            Stored::New(id) => ids.push(id),
            other => panic!("{file}: expected new, got {other:?}"),
        }
    }
    for (i, (file, bytes)) in files.iter().enumerate() {
        let again = store.import_activity(athlete, &activity(i, file, bytes), NOW).await.unwrap();
        assert_eq!(again, Stored::SameContent(ids[i]), "{file}");
    }

    // The same run exported as another file: other bytes, same sport, start 30 s later,
    // duration 3 % longer: stored once, reported as a duplicate of the first.
    let mut export_twin = activity(0, "twin.gpx", b"<gpx>the same run as GPX</gpx>");
    export_twin.decoded.totals.start_time = export_twin.decoded.totals.start_time.map(|t| t + 30);
    export_twin.decoded.totals.elapsed_s = Some(3600.0 * 1.03);
    assert_eq!(
        store.import_activity(athlete, &export_twin, NOW).await.unwrap(),
        Stored::SameActivity(ids[0])
    );
    // A different sport at the same time, or a much longer run, is a different activity.
    let mut ride = export_twin.clone();
    ride.decoded.totals.sport = "cycling".into();
    assert!(matches!(store.import_activity(athlete, &ride, NOW).await.unwrap(), Stored::New(_)));
    let mut long = activity(1, "long.gpx", b"<gpx>a longer run</gpx>");
    long.decoded.totals.elapsed_s = Some(3600.0 * 1.2);
    assert!(matches!(store.import_activity(athlete, &long, NOW).await.unwrap(), Stored::New(_)));

    // Concurrent imports of the same new files through two pools never double them.
    let fresh: Vec<NewActivity> = (0..8)
        .map(|k| {
            let bytes = format!("concurrent file {k}").into_bytes();
            let mut a = activity(50 + k, "c.fit", &bytes);
            a.decoded.totals.start_time = a.decoded.totals.start_time.map(|t| t + 7 * 86_400 * 52);
            a
        })
        .collect();
    let (a, b) = tokio::join!(
        async {
            let mut out = Vec::new();
            for act in &fresh {
                out.push(store.import_activity(athlete, act, NOW).await.unwrap());
            }
            out
        },
        async {
            let mut out = Vec::new();
            for act in fresh.iter().rev() {
                out.push(store2.import_activity(athlete, act, NOW).await.unwrap());
            }
            out
        }
    );
    let new_count = a.iter().chain(b.iter()).filter(|s| matches!(s, Stored::New(_))).count();
    assert_eq!(new_count, fresh.len());

    let stored = store.activities(athlete).await.unwrap();
    assert_eq!(stored.len(), files.len() + 2 + fresh.len());
    let starts: Vec<_> = stored.iter().map(|a| a.start_time).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "activities come oldest first");
    let first = stored.iter().find(|a| a.id == ids[0]).unwrap();
    assert_eq!(first.stress, Some(80.0));
    assert_eq!(first.stress_kind.as_deref(), Some("trimp"));
    assert_eq!(first.muscle_load, Some(json!({"quads": 1.5})));

    // The original file comes back byte for byte.
    let original = store.original(ids[2]).await.unwrap().unwrap();
    assert_eq!(original.decompress().unwrap(), files[2].1);

    // Load can be recomputed later.
    let better = Stress { value: 91.5, kind: "hrtss".into() };
    let first = store.activities(athlete).await.unwrap().into_iter().find(|a| a.id == ids[0]);
    let first = first.unwrap();
    assert_eq!(first.facts, Some(json!({"max_hr": 175.0})));
    assert_eq!(first.load_basis.as_deref(), Some("basis-1"));
    assert!(store.set_load(ids[0], Some(&better), None, "basis-2").await.unwrap());
    assert!(store.set_facts(ids[0], &json!({"max_hr": 181.0})).await.unwrap());
    let first = store.activities(athlete).await.unwrap().into_iter().find(|a| a.id == ids[0]);
    let first = first.unwrap();
    assert_eq!(first.stress, Some(91.5));
    assert_eq!(
        (first.facts, first.load_basis),
        (Some(json!({"max_hr": 181.0})), Some("basis-2".to_owned()))
    );
    assert!(!store.set_facts(-1, &json!({})).await.unwrap());

    // Check-in and plan.
    assert!(matches!(store.mark_done(athlete, None, 0, NOW).await, Err(StoreError::NoPlanYet)));
    let checkin = json!({"now": "2026-11-23T08:30:00Z", "soreness": {"quads": 6}});
    let checkin_id = store.save_checkin(athlete, NOW, &checkin, NOW + 1).await.unwrap();
    assert_eq!(store.latest_checkin(athlete).await.unwrap().unwrap().checkin, checkin);
    let plan = json!({"generated_at": "2026-11-23T08:30:00Z", "steps": [{}, {}, {}]});
    let plan_id = store.save_plan(checkin_id, NOW, &plan, 3).await.unwrap();

    // Step done: the latest plan by default, a named plan, out of range, unknown plan.
    assert_eq!(store.mark_done(athlete, None, 1, NOW + 600).await.unwrap(), plan_id);
    assert_eq!(store.mark_done(athlete, Some(plan_id), 1, NOW + 900).await.unwrap(), plan_id);
    assert!(matches!(
        store.mark_done(athlete, None, 3, NOW).await,
        Err(StoreError::StepOutOfRange { steps: 3, step: 3, .. })
    ));
    assert!(matches!(
        store.mark_done(athlete, Some(plan_id + 1000), 0, NOW).await,
        Err(StoreError::NoPlan(_))
    ));
    let latest = store.latest_plan(athlete).await.unwrap().unwrap();
    assert_eq!(latest.completed.len(), 1);
    assert_eq!(latest.completed[0].done_at, NOW + 600, "marking twice keeps the first time");
    // One plan by id: the same row; another id, or another athlete's plan, is none.
    assert_eq!(store.plan(athlete, plan_id).await.unwrap().as_ref(), Some(&latest));
    assert_eq!(store.plan(athlete, plan_id + 1000).await.unwrap(), None);
    let other = store.ensure_athlete(&format!("{name}-other"), NOW).await.unwrap();
    assert_eq!(store.plan(other, plan_id).await.unwrap(), None, "not another athlete's");
    // Undo: taken back (twice is harmless), then marked again; never another athlete's.
    assert!(matches!(store.unmark_done(other, plan_id, 1).await, Err(StoreError::NoPlan(_))));
    assert_eq!(store.unmark_done(athlete, plan_id, 1).await.unwrap(), plan_id);
    assert_eq!(store.unmark_done(athlete, plan_id, 1).await.unwrap(), plan_id);
    assert!(store.plan(athlete, plan_id).await.unwrap().unwrap().completed.is_empty());
    store.mark_done(athlete, Some(plan_id), 1, NOW + 600).await.unwrap();
    assert_eq!(store.latest_plan(athlete).await.unwrap().unwrap(), latest);

    // Outcome.
    let outcome =
        Outcome { plan_id, group: "quads".into(), reported: 3.0, forecast: 4.0, residual: -1.0 };
    store.save_outcome(&outcome).await.unwrap();
    store
        .save_outcome(&Outcome { reported: 2.0, residual: -2.0, ..outcome.clone() })
        .await
        .unwrap();

    // Export holds everything, times as RFC 3339.
    let export = store.export(&name).await.unwrap();
    assert_eq!(export.profile, profile);
    assert_eq!(export.activities.len(), stored.len());
    assert_eq!(export.checkins.len(), 1);
    assert_eq!(export.plans.len(), 1);
    assert_eq!(export.plans[0].completed.len(), 1);
    assert_eq!(export.outcomes.len(), 1);
    assert_eq!(export.outcomes[0].reported, 2.0);
    let doc = serde_json::to_value(&export).unwrap();
    assert_eq!(doc["checkins"][0]["now"], json!("2026-11-18T11:06:40Z"));
    assert_eq!(doc["profile"]["equipment"][1], json!("compression_boots"));

    // Another athlete's data is untouched by the deletion below.
    let other = format!("{name}-other");
    let other_id = store.ensure_athlete(&other, NOW).await.unwrap();
    store.import_activity(other_id, &activity(0, "x.fit", &files[0].1), NOW).await.unwrap();

    // Delete leaves nothing of the athlete.
    assert!(store.delete_athlete(&name).await.unwrap());
    assert!(!store.delete_athlete(&name).await.unwrap());
    assert_eq!(store.athlete_id(&name).await.unwrap(), None);
    assert!(matches!(store.export(&name).await, Err(StoreError::NoAthlete(_))));
    assert!(store.activities(athlete).await.unwrap().is_empty());
    assert!(store.checkins(athlete).await.unwrap().is_empty());
    assert!(store.plans(athlete).await.unwrap().is_empty());
    assert!(store.outcomes(athlete).await.unwrap().is_empty());
    assert!(store.original(ids[0]).await.unwrap().is_none());
    assert_eq!(store.activities(other_id).await.unwrap().len(), 1);
    assert!(store.delete_athlete(&other).await.unwrap());

    store.close().await;
    store2.close().await;
}

#[tokio::test]
async fn story_on_sqlite() {
    let dir = common::fresh_dir("store-story");
    let path = dir.join("nested").join("afterrun.db");
    story(Location::Sqlite(path.clone())).await;

    // Nothing of the deleted athletes remains anywhere in the file (secure_delete + checkpoint).
    let bytes = std::fs::read(&path).unwrap();
    let needle = format!("story-{}", std::process::id());
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
        "the athlete's name is still in the database file"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn story_on_postgres() {
    if let Some(location) = common::postgres("store") {
        story(location).await;
    }
}

#[tokio::test]
async fn errors_never_show_the_password() {
    // Nothing listens on port 9; the connection fails, and the message must not carry the
    // password in any form.
    let location = Location::parse("postgres://someone:hunter2-secret@127.0.0.1:9/afterrun");
    let err = Store::connect(&location).await.unwrap_err();
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
}
