//! The store's revision grows with every change to athlete data and with nothing else, on every
//! backend: SQLite always, PostgreSQL when `AFTERRUN_TEST_POSTGRES_URL` is set (required under
//! `CI=true`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use afterrun_store::{Location, Profile, Store};
use serde_json::json;

const NOW: i64 = 1_795_000_000;

async fn story(location: Location) {
    let store = Store::connect(&location).await.unwrap();
    let name = format!("rev-{}-{}", std::process::id(), NOW);
    let mut last = store.revision().await.unwrap();
    fn changed(last: &mut i64, now: i64, what: &str) {
        assert!(now > *last, "{what} must bump the revision ({last} → {now})");
        *last = now;
    }

    let athlete = store.ensure_athlete(&name, NOW).await.unwrap();
    changed(&mut last, store.revision().await.unwrap(), "a new athlete");
    // Reading changes nothing.
    let _ = store.plans(athlete).await.unwrap();
    let _ = store.activities(athlete).await.unwrap();
    assert_eq!(store.revision().await.unwrap(), last, "reads leave the revision alone");

    let profile = Profile { weekly_km: Some(50.0), ..Profile::default() };
    store.set_profile(athlete, &profile).await.unwrap();
    changed(&mut last, store.revision().await.unwrap(), "a profile change");

    let checkin = store.save_checkin(athlete, NOW, &json!({"now": "x"}), NOW).await.unwrap();
    changed(&mut last, store.revision().await.unwrap(), "a check-in");
    let plan = json!({"steps": [{"modality": "walk"}], "triage": {"level": "self_care"}});
    let plan_id = store.save_plan(checkin, NOW, &plan, 1).await.unwrap();
    changed(&mut last, store.revision().await.unwrap(), "a plan");
    store.mark_done(athlete, Some(plan_id), 0, NOW + 60).await.unwrap();
    changed(&mut last, store.revision().await.unwrap(), "a step done");

    assert!(store.delete_athlete(&name).await.unwrap());
    changed(&mut last, store.revision().await.unwrap(), "a deleted athlete");
}

common::story_on_both_backends!("revision", revision_on_sqlite, revision_on_postgres);
