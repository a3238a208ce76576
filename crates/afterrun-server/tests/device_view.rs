//! The device simulator view, end to end without sockets: the page (a stored plan's program or
//! the demo), the no-JS run and the Server-Sent Events stream, through `oneshot`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;
use common::{Answer, clock, get, personal, post_form, send};

use afterrun_server::AppState;
use axum::http::{StatusCode, header};
use serde_json::Value;

/// The plan id of a check-in's redirect to its plan.
fn plan_id(answer: &Answer) -> i64 {
    answer.header(header::LOCATION).unwrap().trim_start_matches("/plans/").parse().unwrap()
}

/// Checks in with sore legs and compression boots: the plan's last step is the boots. Returns
/// the plan's id.
async fn plan_with_boots(state: &AppState) -> i64 {
    let answer = send(
        state,
        post_form(
            "/checkin",
            &[
                ("sore_quads_left", "6"),
                ("sore_quads_right", "6"),
                ("sore_calves_left", "5"),
                ("sore_calves_right", "5"),
                ("eq", "compression_boots"),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    plan_id(&answer)
}

/// A server over a new store with one plan of compression boots, and the plan's id.
async fn server_with_boots() -> (common::Server, i64) {
    let server = common::personal_server("device-view").await;
    let id = plan_with_boots(&server.state).await;
    (server, id)
}

fn problem(answer: &Answer) -> Value {
    assert_eq!(answer.media(), "application/problem+json", "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

/// The events of a Server-Sent Events body: `(event name, data as JSON)`.
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut name = String::from("message");
            let mut data = String::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event:") {
                    name = n.trim().to_owned();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            (name, serde_json::from_str(&data).unwrap_or(Value::Null))
        })
        .collect()
}

fn numbers(value: &Value) -> Vec<f64> {
    value.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect()
}

#[tokio::test]
async fn without_a_plan_the_demo_program_is_offered() {
    let answer = send(&personal(), get("/device")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.media(), "text/html; charset=utf-8");
    let html = answer.body;
    assert!(html.contains("Demo program") && html.contains("there is no plan yet"), "{html}");
    assert!(html.contains("Level 3 of 7: 50 mmHg in every chamber."));
    assert!(html.contains("4 chambers on each leg"));
    // Four chambers on each leg, foot first, each with its target.
    assert_eq!(html.matches("class=\"dev-bar\"").count(), 8);
    for name in ["L1", "L4", "R1", "R4"] {
        assert!(html.contains(&format!("{name}<span class=\"dev-place\">")), "{name}");
    }
    assert_eq!(html.matches("data-target=\"50\"").count(), 8);
    assert!(
        html.contains("action=\"/device/run\"") && html.contains("name=\"plan\" value=\"demo\"")
    );
    assert!(html.contains("<label class=\"field\" for=\"sim-speed\">"));
    assert!(html.contains("aria-live=\"polite\""));
    assert!(html.contains("src=\"/assets/device.js\""));
    assert!(html.contains("aria-current=\"page\">Device</a>"));

    let script = send(&personal(), get("/assets/device.js")).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("EventSource"));
}

#[tokio::test]
async fn a_stored_plans_compression_program_is_shown_and_linked_from_the_plan() {
    let (server, id) = server_with_boots().await;
    let state = server.state.clone();

    let plan_page = send(&state, get(&format!("/plans/{id}"))).await;
    let link = format!("href=\"/device?plan={id}&amp;step=3\">Run in the simulator</a>");
    assert!(plan_page.body.contains(&link), "{}", plan_page.body);

    for path in [format!("/device?plan={id}&step=3"), "/device".to_owned()] {
        let answer = send(&state, get(&path)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        let html = answer.body;
        assert!(html.contains("Compression boots from your plan"), "{path}");
        assert!(!html.contains("Demo program"));
        assert!(html.contains(&format!("href=\"/plans/{id}\"")));
        assert!(html.contains("5 chambers on each leg") && html.contains("Level 3 of 7"));
        assert!(html.contains("20 minutes."));
        assert_eq!(html.matches("class=\"dev-bar\"").count(), 10, "{path}");
        assert!(html.contains(&format!("name=\"plan\" value=\"{id}\"")));
        assert!(html.contains("name=\"program\" value=\"0\""));
    }
}

#[tokio::test]
async fn the_stream_runs_the_plans_program_to_a_vented_end() {
    let (server, id) = server_with_boots().await;
    let state = server.state.clone();
    // At 1000x a frame falls every 50 s of simulated time: the same frames on any machine (at
    // `max` they are taken every 50 ms of real time, so their number depends on the machine).
    let answer = send(
        &state,
        get(&format!("/api/device/compression/stream?plan={id}&program=0&speed=1000")),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.media(), "text/event-stream");
    let events = events(&answer.body);
    let (last_name, summary) = events.last().unwrap();
    assert_eq!(last_name, "summary");
    let frames: Vec<&Value> =
        events.iter().filter(|(n, _)| n == "frame").map(|(_, data)| data).collect();
    assert_eq!(frames.len() + 1, events.len(), "frames, then one summary");
    assert!(frames.len() >= 2, "{} frames", frames.len());

    let mut previous = 0;
    let mut highest: f64 = 0.0;
    for (k, frame) in frames.iter().enumerate() {
        let t = frame["t_ms"].as_u64().unwrap();
        assert!(t > previous, "time goes on");
        // Frames fall on 100 ms steps of simulated time; the last one is the end, whenever it is.
        assert!(t % 100 == 0 || k + 1 == frames.len(), "a frame at {t} ms");
        previous = t;
        let pressures = numbers(&frame["pressures_mmhg"]);
        assert_eq!(pressures.len(), 10, "five chambers on each leg");
        assert_eq!(numbers(&frame["targets_mmhg"]), vec![50.0; 10]);
        for p in pressures {
            assert!(p <= 120.0, "{p} mmHg at {t} ms");
            highest = highest.max(p);
        }
    }
    assert!(highest > 40.0, "the chambers filled: {highest} mmHg");
    let last = frames.last().unwrap();
    assert_eq!(last["state"], "done");
    assert!(numbers(&last["pressures_mmhg"]).iter().all(|&p| p < 5.0), "vented: {last}");
    assert_eq!(last["pump"], false);
    assert_eq!(last["left_ms"], 0);
    assert_eq!(summary["ended_safe"], true);
    assert!(summary["cycles"].as_u64().unwrap() >= 20, "{summary}");
    assert!(summary["faults"].as_array().unwrap().is_empty());
    assert!(summary["max_pressure_mmhg"].as_f64().unwrap() <= 120.0);
}

#[tokio::test]
async fn an_injected_fault_vents_safely() {
    let answer =
        send(&personal(), get("/api/device/compression/stream?plan=demo&fault=pump_stuck_on:45s"))
            .await;
    assert_eq!(answer.status, StatusCode::OK);
    let events = events(&answer.body);
    let (_, summary) = events.last().unwrap();
    assert_eq!(summary["ended_safe"], true, "{summary}");
    assert_eq!(summary["injected"], serde_json::json!(["pump_stuck_on:45000ms"]));
    assert!(!summary["faults"].as_array().unwrap().is_empty(), "detected: {summary}");
    let frames: Vec<&Value> =
        events.iter().filter(|(n, _)| n == "frame").map(|(_, data)| data).collect();
    let last = frames.last().unwrap();
    assert_eq!(last["state"], "fault");
    assert!(last["fault"].is_string());
    assert_eq!(last["dump"], true);
    for frame in frames {
        assert!(numbers(&frame["pressures_mmhg"]).iter().all(|&p| p <= 120.0));
    }
}

#[tokio::test]
async fn without_javascript_the_whole_run_is_plotted() {
    let answer =
        send(&personal(), get("/device/run?plan=demo&speed=10&fault=leak%402%3A45s")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let html = answer.body;
    assert!(html.contains("The whole session, simulated"));
    assert!(html.contains("Ended safe: every chamber vented."), "{html}");
    assert!(html.contains("The controller detected: leak at"), "{html}");
    assert!(html.contains("role=\"img\" aria-label=\"Line chart"));
    assert!(html.contains("<svg") && html.contains("mmHg"));
    assert_eq!(html.matches("<polyline").count(), 8, "one line per chamber");
    // The form keeps the choices.
    assert!(html.contains("<option value=\"leak@2:45s\" selected>"));
    assert!(html.contains("<option value=\"10\" selected>"));
}

#[tokio::test]
async fn bad_queries_are_problems_naming_the_field() {
    let (server, id) = server_with_boots().await;
    let state = server.state.clone();
    // A plan with a vibration program beside the boots.
    let store = state.store().unwrap();
    let athlete = store.athlete_id("me").await.unwrap().unwrap();
    let mut plan = store.latest_plan(athlete).await.unwrap().unwrap().plan;
    plan["device_programs"].as_array_mut().unwrap().push(serde_json::json!({
        "device": "vibration_plate", "step": 2, "program": {"ramp_s": 2, "segments": [
            {"stance": "squat", "frequency_hz": 30.0, "amplitude": "low", "duration_s": 45, "rest_s": 30}]}
    }));
    let checkin = store.latest_checkin(athlete).await.unwrap().unwrap();
    let with_plate = store.save_plan(checkin.id, clock().as_second(), &plan, 4).await.unwrap();

    let stream = "/api/device/compression/stream";
    let cases: Vec<(String, StatusCode, &str)> = vec![
        (format!("{stream}?plan={id}&program=7"), StatusCode::NOT_FOUND, "program"),
        (format!("{stream}?plan={id}&program=first"), StatusCode::BAD_REQUEST, "program"),
        (format!("{stream}?plan={id}&program=-1"), StatusCode::BAD_REQUEST, "program"),
        (format!("{stream}?plan={with_plate}&program=1"), StatusCode::BAD_REQUEST, "program"),
        (format!("{stream}?plan={id}&step=0"), StatusCode::NOT_FOUND, "step"),
        (format!("{stream}?plan={id}&step=3&program=0"), StatusCode::BAD_REQUEST, "step"),
        (format!("{stream}?plan=999999"), StatusCode::NOT_FOUND, "plan"),
        (format!("{stream}?plan=mine"), StatusCode::BAD_REQUEST, "plan"),
        (format!("{stream}?plan=demo&speed=fast"), StatusCode::BAD_REQUEST, "speed"),
        (format!("{stream}?plan=demo&speed=0"), StatusCode::BAD_REQUEST, "speed"),
        (format!("{stream}?plan=demo&fault=boom%3A3s"), StatusCode::BAD_REQUEST, "fault"),
        (format!("{stream}?plan=demo&fault=leak%409%3A3s"), StatusCode::BAD_REQUEST, "fault"),
        (format!("/device/run?plan={id}&program=7"), StatusCode::NOT_FOUND, ""),
        ("/device/run?plan=demo&speed=-2".to_owned(), StatusCode::BAD_REQUEST, "speed"),
    ];
    for (path, status, field) in cases {
        let answer = send(&state, get(&path)).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        if field.is_empty() {
            // A page: the not-found page, for a person.
            assert!(answer.body.contains("device program"), "{path}: {}", answer.body);
        } else {
            assert_eq!(problem(&answer)["field"], field, "{path}");
        }
    }
    // The plate's program is named on the page of the boots'.
    let answer = send(&state, get(&format!("/device?plan={with_plate}"))).await;
    let link =
        format!("href=\"/device?plan={with_plate}&#38;program=1\">Vibrating plate (program 1)</a>");
    assert!(answer.body.contains(&link), "{}", answer.body);
}

#[tokio::test]
async fn a_plate_program_runs_too() {
    let server = common::personal_server("device-view").await;
    let state = server.state.clone();
    let answer = send(
        &state,
        post_form(
            "/checkin",
            &[("sore_quads_left", "6"), ("sore_quads_right", "6"), ("eq", "vibration_plate")],
        ),
    )
    .await;
    let id = plan_id(&answer);
    let plan_page = send(&state, get(&format!("/plans/{id}"))).await;
    let step = plan_page
        .body
        .split("class=\"step step-vibration_plate")
        .nth(1)
        .and_then(|rest| rest.split("id=\"step-").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert!(plan_page.body.contains(&format!("href=\"/device?plan={id}&amp;step={step}\"")));

    let page = send(&state, get(&format!("/device?plan={id}&step={step}"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Vibrating plate from your plan"), "{}", page.body);
    assert!(page.body.contains("data-stream=\"/api/device/vibration/stream\""));
    assert!(page.body.contains("Segment 1</dt>"));
    assert_eq!(page.body.matches("class=\"dev-bar\"").count(), 2, "frequency and acceleration");

    let path = format!("/api/device/vibration/stream?plan={id}&step={step}&speed=1000");
    let answer = send(&state, get(&path)).await;
    assert_eq!((answer.status, answer.media().as_str()), (StatusCode::OK, "text/event-stream"));
    let events = events(&answer.body);
    let (name, summary) = events.last().unwrap();
    assert_eq!(name, "summary");
    assert_eq!(summary["device"], "vibration");
    assert_eq!(summary["ended_safe"], true, "{summary}");
    assert!(summary["max_frequency_hz"].as_f64().unwrap() <= 50.0);
    let frames: Vec<&Value> =
        events.iter().filter(|(n, _)| n == "frame").map(|(_, data)| data).collect();
    assert!(
        frames.iter().any(|f| f["phase"] == "steady" && f["frequency_hz"].as_f64().unwrap() > 20.0)
    );
    assert_eq!(frames.last().unwrap()["state"], "done");

    // The compression stream refuses the plate's program, naming the field.
    let answer =
        send(&state, get(&format!("/api/device/compression/stream?plan={id}&step={step}"))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(problem(&answer)["field"], "step");

    // The no-JS run plots the frequency and its target.
    let answer = send(&state, get(&format!("/device/run?plan={id}&step={step}"))).await;
    assert!(answer.body.contains("Ended safe: the motor stopped."), "{}", answer.body);
    assert_eq!(answer.body.matches("<polyline").count(), 2);
}

#[tokio::test]
async fn the_plate_demo_stops_when_the_person_steps_off() {
    let path = "/api/device/vibration/stream?plan=demo&fault=user_steps_off%3A20s";
    let answer = send(&personal(), get(path)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let events = events(&answer.body);
    let (_, summary) = events.last().unwrap();
    assert_eq!(summary["ended_safe"], true, "{summary}");
    assert_eq!(summary["faults"][0]["kind"], "no_load", "{summary}");
    let frames: Vec<&Value> =
        events.iter().filter(|(n, _)| n == "frame").map(|(_, data)| data).collect();
    let last = frames.last().unwrap();
    assert_eq!((last["state"].as_str(), last["frequency_hz"].as_f64()), (Some("fault"), Some(0.0)));
    assert_eq!(last["brake"], true);
}
