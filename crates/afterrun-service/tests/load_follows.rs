//! Issue 13: thresholds from the history as documented, and stored load that follows the
//! profile, over a real SQLite file and real (generated) GPX files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use afterrun_service::import::thresholds;
use afterrun_service::synthetic::{RunKind, SyntheticRun};
use afterrun_store::{Profile, Store};

/// 2026-11-23T08:00:00Z.
const NOW: i64 = 1_795_420_800;

/// Uploads a generated run (its track drawn with seed 7); the file's import line.
async fn import(store: &Store, athlete: i64, name: &str, run: &SyntheticRun) -> serde_json::Value {
    common::import(store, athlete, name, run, 7, NOW).await
}

fn run(start: i64, minutes: f64, km: f64) -> SyntheticRun {
    SyntheticRun {
        start,
        duration_s: minutes * 60.0,
        distance_m: km * 1000.0,
        climb_m: 0.0,
        avg_hr: 150.0,
        kind: RunKind::Tempo,
    }
}

#[tokio::test]
async fn threshold_pace_comes_from_the_best_30_minutes_and_names_its_file() {
    let (store, athlete, dir) = common::store("pace", NOW).await;
    // 47 minutes at 12 km/h (5:00 per km) on Sun 22 Nov 2026.
    import(&store, athlete, "tempo.gpx", &run(NOW - 86_400, 47.0, 9.4)).await;
    let t = thresholds(&store, athlete).await.unwrap();
    // 97 % of the best 30 minutes (≈ 3.33 m/s, within the generator's pace wobble).
    assert!((t.threshold_speed_mps - 0.97 * 12.0 / 3.6).abs() < 0.15, "{}", t.threshold_speed_mps);
    let said = t.assumptions.join("\n");
    assert!(
        said.contains("best 30-minute effort in history in tempo.gpx, Sun 22 Nov 2026"),
        "{said}"
    );
    assert!(said.contains("highest held for 5 readings in tempo.gpx"), "{said}");
    // A profile value always wins, and nothing is then said about it.
    let profile = Profile { threshold_pace_s_per_km: Some(270.0), ..Profile::default() };
    store.set_profile(athlete, &profile).await.unwrap();
    let t = thresholds(&store, athlete).await.unwrap();
    assert!((t.threshold_speed_mps - 1000.0 / 270.0).abs() < 1e-12);
    assert!(!t.assumptions.join("\n").contains("threshold pace"));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn stored_stress_follows_the_profile() {
    let (store, athlete, dir) = common::store("profile", NOW).await;
    import(&store, athlete, "a.gpx", &run(NOW - 2 * 86_400, 60.0, 11.0)).await;
    // The first read brings the load in step with the thresholds the history now shows (its
    // own held maximum heart rate and best 30 minutes).
    afterrun_service::history::read_inputs(&store, athlete).await.unwrap();
    let before = store.activities(athlete).await.unwrap()[0].clone();
    let stress_before = before.stress.unwrap();
    assert_eq!(before.stress_kind.as_deref(), Some("trimp"));
    // Raising the maximum and lowering the resting heart rate lowers the share of reserve the
    // run's 150 bpm was, so every stored stress must fall.
    let profile = Profile { max_hr: Some(200), rest_hr: Some(45), ..Profile::default() };
    store.set_profile(athlete, &profile).await.unwrap();
    let inputs = afterrun_service::history::read_inputs(&store, athlete).await.unwrap();
    let after = store.activities(athlete).await.unwrap()[0].clone();
    let stress_after = after.stress.unwrap();
    assert!((stress_after - stress_before).abs() > 1.0, "{stress_before} → {stress_after}");
    assert_eq!(inputs.activities[0].stress, stress_after, "the series reads the new stress");
    assert_ne!(before.load_basis, after.load_basis);
    // Back to the first profile: back to the first figure (nothing drifts).
    store.set_profile(athlete, &Profile::default()).await.unwrap();
    afterrun_service::history::read_inputs(&store, athlete).await.unwrap();
    let again = store.activities(athlete).await.unwrap()[0].stress.unwrap();
    assert!((again - stress_before).abs() < 1e-9, "{again} vs {stress_before}");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn an_activity_dated_1901_is_kept_with_a_warning_and_left_out() {
    let (store, athlete, dir) = common::store("1901", NOW).await;
    import(&store, athlete, "now.gpx", &run(NOW - 86_400, 40.0, 8.0)).await;
    let line = import(&store, athlete, "old.gpx", &run(-2_172_355_200, 40.0, 8.0)).await;
    let kinds: Vec<&str> =
        line["warnings"].as_array().unwrap().iter().filter_map(|w| w["kind"].as_str()).collect();
    assert_eq!(kinds, ["implausible_date"], "{line}");
    assert_eq!(store.activities(athlete).await.unwrap().len(), 2, "kept");
    let as_of = afterrun_service::history::utc_date(NOW).unwrap();
    let report =
        afterrun_service::status::status_report(&store, athlete, as_of, NOW).await.unwrap();
    assert_eq!(report.status.daily.len(), 2, "the series starts at the plausible run");
    let doc = report.to_json();
    assert!(doc.to_string().len() < 100_000);
    assert!(doc["assumptions"].to_string().contains("implausible date"), "{doc}");
    // A 14-second file is kept and flagged.
    let line = import(&store, athlete, "cut.gpx", &run(NOW - 3600, 14.0 / 60.0, 0.05)).await;
    assert!(line["warnings"].to_string().contains("short_activity"), "{line}");
    std::fs::remove_dir_all(dir).ok();
}
