//! The status page and `GET /api/athletes/{id}/status` over the demo athlete's 90 days, through
//! the real router and a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{Server, clock};

use afterrun_server::AppState;
use afterrun_service::synthetic::{RunKind, SyntheticRun};
use afterrun_store::{Id, Store};
use axum::http::StatusCode;
use serde_json::Value;

async fn demo_server(name: &str) -> Server {
    common::personal_server(&format!("status-{name}")).await
}

/// The status, media type and body of a `GET`.
async fn get(state: &AppState, uri: &str) -> (StatusCode, String, String) {
    let answer = common::send(state, common::get(uri)).await;
    (answer.status, answer.media(), answer.body)
}

/// Imports `run` (its GPX drawn with `seed`) as the file `name`, the way an upload is stored.
async fn import_run(store: &Store, athlete: Id, run: &SyntheticRun, seed: u64, name: &str) {
    let gpx = afterrun_service::synthetic::run_gpx(run, seed);
    let t = afterrun_service::import::thresholds(store, athlete).await.unwrap();
    let known = store.stored_hashes(athlete).await.unwrap();
    let prepared = afterrun_service::import::prepare_upload(name, gpx.as_bytes(), &t, &known);
    afterrun_service::import::store_upload(store, athlete, prepared, run.end()).await.unwrap();
}

#[tokio::test]
async fn before_any_run_the_page_invites_an_import_and_the_api_has_no_athlete() {
    let server = demo_server("empty").await;
    let state = server.state.clone();
    let (status, _, html) = get(&state, "/status").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No runs stored yet"));
    assert!(html.contains("href=\"/import\""));
    let (status, media, _) = get(&state, "/api/athletes/me/status").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(media, "application/problem+json");
}

#[tokio::test]
async fn the_demo_athlete_has_a_living_status_page_and_json() {
    let server = demo_server("demo").await;
    let state = server.state.clone();
    let store = state.store().unwrap();
    afterrun_server::demo::seed_demo(store, clock()).await.unwrap();

    let (status, media, body) = get(&state, "/api/athletes/me/status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(media, "application/json");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["as_of"], "2026-11-23");
    let daily = doc["daily"].as_array().unwrap();
    assert!((88..=91).contains(&daily.len()), "90 days of history: {}", daily.len());
    assert!(body.len() < 100_000, "the demo's status JSON is {} bytes", body.len());
    assert!(daily.iter().all(|d| d["date"].as_str().unwrap() >= "1990-01-01"));
    assert!(doc["fitness"].as_f64().unwrap() > 20.0, "a marathon block builds fitness");
    assert!(doc["acwr"].as_f64().is_some(), "more than 28 days: the ratio is known");
    assert_eq!(doc["muscles"].as_array().unwrap().len(), 8);
    // The learner finds the demo's invented truth: foam rolling helps this runner most.
    let effects = doc["what_works"]["effects"].as_array().unwrap();
    assert!(!effects.is_empty(), "{}", doc["what_works"]);
    assert_eq!(effects[0]["modality"], "foam_rolling", "{}", doc["what_works"]);
    assert!(effects[0]["effect"].as_f64().unwrap() < -0.3);

    // The same athlete by id; anything else is not found.
    let id = store.athlete_id("me").await.unwrap().unwrap();
    let (status, _, by_id) = get(&state, &format!("/api/athletes/{id}/status")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id, body);
    let (status, _, _) = get(&state, &format!("/api/athletes/{}/status", id + 1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A new run is on the page at once: the cached report is keyed by the store's revision.
    let runs = doc["activities"].as_u64().unwrap();
    let (again_status, _, again) = get(&state, "/api/athletes/me/status").await;
    assert_eq!((again_status, &again), (StatusCode::OK, &body), "unchanged store, same report");
    let run = SyntheticRun {
        start: clock().as_second() - 3 * 3600,
        duration_s: 3000.0,
        distance_m: 10_000.0,
        climb_m: 50.0,
        avg_hr: 150.0,
        kind: RunKind::Tempo,
    };
    import_run(store, id, &run, 9, "extra.gpx").await;
    let (_, _, after) = get(&state, "/api/athletes/me/status").await;
    let after: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["activities"].as_u64().unwrap(), runs + 1, "the new run is counted");
    let doc = after;

    let (status, _, html) = get(&state, "/status").await;
    assert_eq!(status, StatusCode::OK);
    // Fitness, fatigue and form as numbers and as a chart.
    let fitness = format!("{:.1}", doc["fitness"].as_f64().unwrap());
    assert!(html.contains(&format!("<dd class=\"fitness\">{fitness}</dd>")), "{fitness}");
    assert!(html.contains("<svg class=\"chart\""));
    assert_eq!(html.matches("<polyline class=").count(), 3, "fitness, fatigue and form lines");
    // The ACWR gauge with its marker, labelled for screen readers.
    let acwr = format!("{:.2}", doc["acwr"].as_f64().unwrap());
    assert!(html.contains(&format!("Acute to chronic workload ratio {acwr} on a scale")));
    assert!(html.contains("class=\"marker\""));
    // The forecast on the body map (both legs, front and back) and as a table.
    assert_eq!(html.matches("class=\"region lv").count(), 16, "8 shapes × 2 legs");
    assert_eq!(html.matches("<th scope=\"row\">").count(), 8);
    // What works for you, in the words of the plan.
    assert!(html.contains("What works for you"));
    assert!(html.contains("For you, foam rolling has been followed by"));
    assert!(html.contains("An association, not proof"));
}

#[tokio::test]
async fn a_week_without_training_is_said_plainly_not_as_a_ratio_below_range() {
    let server = demo_server("rest-week").await;
    let state = server.state.clone();
    let store = state.store().unwrap();
    let id = store.ensure_athlete("me", 0).await.unwrap();
    // Runs every other day from five weeks to ten days ago, none in the last week.
    let now = clock().as_second();
    for days_ago in (10..36).step_by(2) {
        let run = SyntheticRun {
            start: now - days_ago * 86_400,
            duration_s: 2700.0,
            distance_m: 8_000.0,
            climb_m: 40.0,
            avg_hr: 145.0,
            kind: RunKind::Easy,
        };
        import_run(store, id, &run, 3, &format!("run-{days_ago}.gpx")).await;
    }
    let (_, _, json) = get(&state, "/api/athletes/me/status").await;
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert!(
        doc["acwr"].as_f64().is_some_and(|a| a < 0.8),
        "a ratio below the usual range: {}",
        doc["acwr"]
    );
    let (status, _, html) = get(&state, "/status").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("no training in the last 7 days"), "{html}");
    assert!(!html.contains("below 0.8"), "not worded as a ratio below the range");
}
