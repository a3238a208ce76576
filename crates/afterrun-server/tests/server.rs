//! The router, end to end without sockets: every endpoint through `tower::ServiceExt::oneshot`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;
use common::{LOOPBACK_HOST as HOST, LOOPBACK_ORIGIN as ORIGIN, TOKEN, clock, get, post_form};

use afterrun_protocol::History;
use afterrun_server::openapi::PATHS;
use afterrun_server::{AppState, Mode};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

/// The status, media type and body of the answer in `mode`.
async fn send_in(mode: Mode, request: Request<Body>) -> (StatusCode, String, String) {
    let answer = common::send(&common::with_mode(mode), request).await;
    (answer.status, answer.media(), answer.body)
}

async fn send(request: Request<Body>) -> (StatusCode, String, String) {
    send_in(Mode::Personal, request).await
}

fn post_json(path: &str, body: impl Into<Body>) -> Request<Body> {
    common::post_as(path, "application/json", body)
}

fn problem(body: &str) -> Value {
    let v: Value = serde_json::from_str(body).unwrap();
    for key in ["type", "title", "status", "detail"] {
        assert!(v.get(key).is_some(), "problem without {key}: {body}");
    }
    v
}

fn vignettes() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vignettes");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            out.push((path.display().to_string(), v["checkin"].to_string()));
        }
    }
    out.sort();
    assert!(out.len() >= 10, "expected the shared vignettes in {}", dir.display());
    out
}

#[tokio::test]
async fn healthz_answers_whatever_the_host() {
    let (status, _, body) = send(get("/healthz")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let request =
        Request::get("/healthz").header(header::HOST, "lb.internal").body(Body::empty()).unwrap();
    assert_eq!(send(request).await.0, StatusCode::OK);
}

#[tokio::test]
async fn plan_is_byte_identical_to_plan_json_for_every_vignette() {
    for (name, checkin) in vignettes() {
        let expected = afterrun_protocol::plan_json(&checkin, &History::default()).unwrap();
        let (status, media, body) = send(post_json("/api/plan", checkin.clone())).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(media, "application/json", "{name}");
        assert_eq!(body, expected, "{name}");
    }
}

#[tokio::test]
async fn invalid_checkins_are_problems_naming_the_field() {
    for (body, field) in [
        (r#"{"now":"yesterday"}"#.as_bytes().to_vec(), "now"),
        (br#"{"now":"2026-11-23T08:30:00Z","soreness":{"quads":11}}"#.to_vec(), "soreness.quads"),
        (
            br#"{"now":"2026-11-23T08:30:00Z","symptoms":[{"code":"itchy"}]}"#.to_vec(),
            "symptoms[0].code",
        ),
        (br#"{"now":"2026-11-23T08:30:00Z","symptom":[]}"#.to_vec(), "symptom"),
        (b"not json".to_vec(), "$"),
        (vec![0xff, 0xfe], "$"),
    ] {
        let (status, media, text) = send(post_json("/api/plan", body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert_eq!(media, "application/problem+json");
        let p = problem(&text);
        assert_eq!(p["field"], field, "{text}");
        assert_eq!(p["status"], 422);
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let big = format!(r#"{{"now":"2026-11-23T08:30:00Z","x":"{}"}}"#, "a".repeat(2 * 1024 * 1024));
    let (status, _, _) = send(post_json("/api/plan", big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn guide_lists_topics_and_serves_each() {
    let (status, media, body) = send(get("/api/guide")).await;
    assert_eq!((status, media.as_str()), (StatusCode::OK, "application/json"));
    let list: Value = serde_json::from_str(&body).unwrap();
    let topics = list["topics"].as_array().unwrap();
    assert_eq!(topics.len(), afterrun_protocol::guide::topics().len());
    for t in topics {
        let id = t["id"].as_str().unwrap();
        let (status, _, body) = send(get(&format!("/api/guide/{id}"))).await;
        assert_eq!(status, StatusCode::OK);
        let topic: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(topic["id"], id);
        assert!(topic["references"].as_array().unwrap().iter().all(|r| r["citation"].is_string()));
        let (status, media, _) = send(get(&format!("/guide/{id}"))).await;
        assert_eq!((status, media.as_str()), (StatusCode::OK, "text/html; charset=utf-8"));
    }
    let (status, media, body) = send(get("/api/guide/no-such-topic")).await;
    assert_eq!((status, media.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
    assert_eq!(problem(&body)["field"], "topic");
}

#[tokio::test]
async fn openapi_documents_every_route_and_every_route_is_served() {
    let (status, _, body) = send(get("/api/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: usize =
        doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, PATHS.len());
    // Every operation has its own operationId; the session cookie is a security scheme.
    let ids: std::collections::BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().expect("an operationId"))
        .collect();
    assert_eq!(ids.len(), PATHS.len(), "operationIds are unique");
    assert_eq!(doc["components"]["securitySchemes"]["session"]["in"], "cookie");
    assert!(doc["paths"]["/api/athletes/{id}/profile"]["get"]["security"].is_array());
    assert!(doc["paths"]["/api/plan"]["post"].get("security").is_none(), "public");
    for (method, path) in PATHS {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} undocumented");
        let concrete = path
            .replace("{topic}", "doms")
            .replace("{file}", "app.css")
            .replace("{id}", "1")
            .replace("{step}", "0")
            .replace("{plan}", "1")
            .replace("{username}", "coach");
        let request = match *method {
            "get" => get(&concrete),
            "put" | "delete" => Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .header(header::HOST, HOST)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
            _ => post_json(&concrete, "{}"),
        };
        let (status, media, body) = send(request).await;
        // Served means: not the fallback's 404 and not a 405.
        let fallback = status == StatusCode::NOT_FOUND && body.contains("nothing is served");
        assert!(
            !fallback && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {status} {media}"
        );
    }
}

#[tokio::test]
async fn unknown_addresses_and_methods_are_problems() {
    let (status, media, body) = send(get("/nope")).await;
    assert_eq!((status, media.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
    problem(&body);
    let browser = Request::get("/nope")
        .header(header::HOST, HOST)
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .body(Body::empty())
        .unwrap();
    let (status, media, html) = send(browser).await;
    assert_eq!((status, media.as_str()), (StatusCode::NOT_FOUND, "text/html; charset=utf-8"));
    assert!(html.contains("Nothing is served at /nope."));
    let (status, media, _) = send(get("/api/plan")).await;
    assert_eq!(
        (status, media.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "application/problem+json")
    );
    let (status, _, _) = send(get("/assets/secret.txt")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn assets_are_served_from_the_binary() {
    let (status, media, body) = send(get("/assets/htmx.min.js")).await;
    assert_eq!((status, media.as_str()), (StatusCode::OK, "text/javascript; charset=utf-8"));
    assert!(body.starts_with("/*! htmx 2.0."), "licence header first");
    let (status, media, _) = send(get("/assets/app.css")).await;
    assert_eq!((status, media.as_str()), (StatusCode::OK, "text/css; charset=utf-8"));
}

// --- Personal-mode security ---

#[tokio::test]
async fn only_loopback_hosts_are_served_in_personal_mode() {
    for host in ["localhost", "localhost:8080", "127.0.0.1:9", "[::1]:8080", "[::1]"] {
        let request =
            Request::get("/api/guide").header(header::HOST, host).body(Body::empty()).unwrap();
        assert_eq!(send(request).await.0, StatusCode::OK, "{host}");
    }
    for host in ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "10.0.0.2:8080"] {
        let request = Request::get("/").header(header::HOST, host).body(Body::empty()).unwrap();
        let (status, media, body) = send(request).await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert_eq!(media, "application/problem+json");
        assert_eq!(problem(&body)["field"], "Host");
    }
    let no_host = Request::get("/api/guide").body(Body::empty()).unwrap();
    assert_eq!(send(no_host).await.0, StatusCode::MISDIRECTED_REQUEST);
    // A multi-user server sits behind a proxy under its own name.
    let request = Request::get("/api/guide")
        .header(header::HOST, "club.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send_in(Mode::MultiUser, request).await.0, StatusCode::OK);
}

const DOMS: &str = r#"{"now":"2026-11-23T08:30:00Z","soreness":{"quads":6}}"#;

fn api_post() -> axum::http::request::Builder {
    Request::post("/api/plan")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
}

#[tokio::test]
async fn state_changes_need_same_origin_proof() {
    let cases: Vec<(&str, axum::http::request::Builder, StatusCode, Option<&str>)> = vec![
        ("no proof at all", api_post(), StatusCode::FORBIDDEN, Some("Cookie")),
        ("own origin", api_post().header(header::ORIGIN, ORIGIN), StatusCode::OK, None),
        (
            "other origin",
            api_post().header(header::ORIGIN, "http://evil.example"),
            StatusCode::FORBIDDEN,
            Some("Origin"),
        ),
        (
            "other port",
            api_post().header(header::ORIGIN, "http://127.0.0.1:9999"),
            StatusCode::FORBIDDEN,
            Some("Origin"),
        ),
        (
            "opaque origin",
            api_post().header(header::ORIGIN, "null"),
            StatusCode::FORBIDDEN,
            Some("Origin"),
        ),
        (
            "fetch metadata same-origin",
            api_post().header("sec-fetch-site", "same-origin"),
            StatusCode::OK,
            None,
        ),
        (
            "fetch metadata cross-site",
            api_post().header("sec-fetch-site", "cross-site"),
            StatusCode::FORBIDDEN,
            Some("Sec-Fetch-Site"),
        ),
        (
            "fetch metadata same-site",
            api_post().header("sec-fetch-site", "same-site").header(header::ORIGIN, ORIGIN),
            StatusCode::FORBIDDEN,
            Some("Sec-Fetch-Site"),
        ),
        (
            "token as cookie and header",
            api_post()
                .header(header::COOKIE, format!("a=b; afterrun_csrf={TOKEN}"))
                .header("x-csrf-token", TOKEN),
            StatusCode::OK,
            None,
        ),
        (
            "token header without cookie",
            api_post().header("x-csrf-token", TOKEN),
            StatusCode::FORBIDDEN,
            Some("Cookie"),
        ),
        (
            "wrong token",
            api_post()
                .header(header::COOKIE, format!("afterrun_csrf={TOKEN}"))
                .header("x-csrf-token", "0".repeat(32)),
            StatusCode::FORBIDDEN,
            Some("X-CSRF-Token"),
        ),
        (
            "guessed cookie and header",
            api_post().header(header::COOKIE, "afterrun_csrf=x").header("x-csrf-token", "x"),
            StatusCode::FORBIDDEN,
            Some("Cookie"),
        ),
    ];
    for (name, builder, expected, field) in cases {
        let (status, _, body) = send(builder.body(Body::from(DOMS)).unwrap()).await;
        assert_eq!(status, expected, "{name}: {body}");
        if let Some(field) = field {
            assert_eq!(problem(&body)["field"], field, "{name}");
        }
    }
    // Every state-changing method is guarded, not only POST.
    for method in ["PUT", "PATCH", "DELETE"] {
        let request = Request::builder()
            .method(method)
            .uri("/api/plan")
            .header(header::HOST, HOST)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(request).await.0, StatusCode::FORBIDDEN, "{method}");
    }
}

#[tokio::test]
async fn a_form_can_carry_the_token_as_a_field() {
    let form = |token: &str| {
        let body = format!("csrf_token={token}&sore_quads_left=6&sore_quads_right=6");
        common::form_without_origin(HOST, "/checkin", format!("afterrun_csrf={TOKEN}"), body)
    };
    let (status, _, body) = send(form(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("data-modality=\"walk\""), "the form reached the handler intact");
    let (status, _, body) = send(form("nope")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem(&body)["field"], "csrf_token");
}

// --- Web pages ---

#[tokio::test]
async fn checkin_page_has_every_rating_and_the_token() {
    let answer = common::send(&common::personal(), get("/")).await;
    assert_eq!(answer.status, StatusCode::OK);
    // A new visitor gets a token of their own, as an HttpOnly, SameSite=Strict cookie.
    let cookie = answer.header(header::SET_COOKIE).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not over TLS");
    let token = cookie.strip_prefix("afterrun_csrf=").unwrap().split(';').next().unwrap();
    assert_eq!(token.len(), 64);
    assert!(answer.headers.get(header::CONTENT_SECURITY_POLICY).is_some());
    let html = answer.body;
    assert!(html.contains(&format!("name=\"csrf_token\" value=\"{token}\"")));
    for group in
        ["quads", "hamstrings", "calves", "glutes", "shins", "feet", "adductors", "hip_flexors"]
    {
        for side in ["left", "right"] {
            let id = format!("sore_{group}_{side}");
            assert!(html.contains(&format!("<select name=\"{id}\" id=\"{id}\">")), "{id} select");
            assert!(html.contains(&format!("data-input=\"{id}\"")), "{id} on the body map");
        }
    }
    assert!(html.contains("name=\"cramp\"") && html.contains("name=\"next_run\""));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing loaded from elsewhere"
    );
}

fn modalities(html: &str) -> Vec<&str> {
    html.split("data-modality=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect()
}

#[tokio::test]
async fn sore_quads_give_a_plan_that_starts_with_a_walk() {
    let (status, media, html) = send(post_form(
        "/checkin",
        &[
            ("sore_quads_left", "6"),
            ("sore_quads_right", "6"),
            ("eq", "foam_roller"),
            ("next_run", "2026-11-24T17:00"),
        ],
    ))
    .await;
    assert_eq!((status, media.as_str()), (StatusCode::OK, "text/html; charset=utf-8"), "{html}");
    let steps = modalities(&html);
    assert_eq!(steps.first(), Some(&"walk"), "{steps:?}");
    assert!(steps.contains(&"foam_rolling"), "{steps:?}");
    assert!(html.contains("verdict-ok"));
    assert!(html.contains("/plan.ics?checkin="));
}

#[tokio::test]
async fn a_swollen_warm_calf_gets_urgent_care_and_no_recovery_steps() {
    let (status, _, html) = send(post_form(
        "/checkin",
        &[
            ("sore_calves_left", "6"),
            ("sym", "swelling"),
            ("where_swelling", "calf_left"),
            ("trend_swelling", "worsening"),
            ("sym", "warmth"),
            ("where_warmth", "calf_left"),
            ("eq", "foam_roller"),
            ("eq", "massage_gun"),
            ("eq", "compression_boots"),
        ],
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("verdict-urgent") && html.contains("role=\"alert\""),
        "unmissable verdict"
    );
    let steps = modalities(&html);
    assert_eq!(steps.first(), Some(&"seek_urgent_care"), "{steps:?}");
    assert!(
        steps.iter().all(|m| ["seek_urgent_care", "call_emergency", "rest"].contains(m)),
        "{steps:?}"
    );
}

#[tokio::test]
async fn the_checkin_page_carries_the_symptom_questions_once() {
    let (status, _, html) = send(get("/")).await;
    assert_eq!(status, StatusCode::OK);
    // Issue 18: the page stays light; the questions of a symptom are one <template>.
    assert!(html.len() <= 40 * 1024, "check-in page of {} bytes", html.len());
    assert_eq!(html.matches("<template id=\"sym-details\">").count(), 1);
    assert_eq!(html.matches("<select name=\"where_").count(), 1, "only the template's");
    assert!(html.contains("data-code=\"swelling\""));
}

#[tokio::test]
async fn a_form_sent_without_the_script_asks_where_before_planning() {
    let (status, _, html) =
        send(post_form("/checkin", &[("sym", "swelling"), ("eq", "foam_roller")])).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"details-step\""), "{html}");
    assert!(modalities(&html).is_empty(), "no plan yet");
    assert!(html.contains("<select name=\"where_swelling\">"));
    assert!(html.contains("id=\"sym_swelling\" checked"), "the tick is kept");
    // Answered (even "not sure"), the same form plans.
    let (status, _, html) = send(post_form(
        "/checkin",
        &[("sym", "swelling"), ("where_swelling", ""), ("eq", "foam_roller")],
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!modalities(&html).is_empty(), "{html}");
}

#[tokio::test]
async fn an_emergency_is_answered_at_once_without_the_questions() {
    let (status, _, html) = send(post_form("/checkin", &[("sym", "chest_pain")])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"details-step\""));
    assert_eq!(modalities(&html).first(), Some(&"call_emergency"), "{html}");
}

#[tokio::test]
async fn a_bad_form_comes_back_with_the_error_and_the_answers_kept() {
    let (status, _, html) =
        send(post_form("/checkin", &[("sore_quads_left", "6"), ("next_run", "tomorrow")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("role=\"alert\"") && html.contains("next_run"));
    assert!(html.contains("<option value=\"6\" selected>"), "the rating is kept");
}

#[tokio::test]
async fn the_plan_downloads_as_a_calendar() {
    let checkin =
        vignettes().into_iter().find(|(n, _)| n.ends_with("doms-classic.json")).unwrap().1;
    let plan: Value =
        serde_json::from_str(&afterrun_protocol::plan_json(&checkin, &History::default()).unwrap())
            .unwrap();
    let encoded: String = checkin.bytes().map(|b| format!("%{b:02X}")).collect();
    let (status, media, ics) = send(get(&format!("/plan.ics?checkin={encoded}"))).await;
    assert_eq!((status, media.as_str()), (StatusCode::OK, "text/calendar; charset=utf-8"));
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), plan["steps"].as_array().unwrap().len());
    assert_eq!(ics.matches("BEGIN:VALARM").count(), plan["steps"].as_array().unwrap().len());
    assert!(ics.contains("DTSTART:20261123T083000Z"));
    let (status, _, body) = send(get("/plan.ics")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem(&body)["field"], "checkin");
}

#[tokio::test]
async fn guide_pages_render_and_unknown_topics_are_404() {
    let (status, _, html) = send(get("/guide")).await;
    assert_eq!(status, StatusCode::OK);
    for t in afterrun_protocol::guide::topics() {
        assert!(html.contains(&format!("href=\"/guide/{}\"", t.id)));
    }
    let (status, media, _) = send(get("/guide/nope")).await;
    assert_eq!((status, media.as_str()), (StatusCode::NOT_FOUND, "text/html; charset=utf-8"));
}

// --- With a store ---

/// The status, `Location` and body of the answer.
async fn send_to(state: &AppState, request: Request<Body>) -> (StatusCode, Option<String>, String) {
    let answer = common::send(state, request).await;
    (answer.status, answer.header(header::LOCATION), answer.body)
}

#[tokio::test]
async fn a_stored_plan_keeps_its_done_steps() {
    let server = common::personal_server("server").await;
    let state = server.state.clone();
    let (status, location, _) = send_to(
        &state,
        post_form("/checkin", &[("sore_quads_left", "6"), ("sore_quads_right", "6")]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let plan_url = location.unwrap();
    assert!(plan_url.starts_with("/plans/"), "{plan_url}");

    let (status, _, html) = send_to(&state, get(&plan_url)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(modalities(&html).first(), Some(&"walk"));
    let done_url = format!("{plan_url}/steps/0/done");
    assert!(html.contains(&format!("action=\"{done_url}\"")), "a no-JS done form");
    assert!(!html.contains("Done ✓"));

    // A cross-site page cannot mark it done.
    let forged = Request::post(&done_url)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "http://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send_to(&state, forged).await.0, StatusCode::FORBIDDEN);

    let (status, location, _) =
        send_to(&state, post_form(&done_url, &[("csrf_token", TOKEN)])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.unwrap(), format!("{plan_url}#step-0"));
    let (_, _, html) = send_to(&state, get(&plan_url)).await;
    assert!(html.contains("is-done\" id=\"step-0\""), "step 0 shows done after a reload");
    assert_eq!(html.matches("Done ✓").count(), 1);

    let (status, _, list) = send_to(&state, get("/plans")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("href=\"{plan_url}\"")) && list.contains("1 of "), "{list}");

    let (status, _, ics) = send_to(&state, get(&format!("{plan_url}/calendar.ics"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ics.contains("BEGIN:VEVENT"));

    for missing in ["/plans/999999", "/plans/abc", "/plans/-1/calendar.ics"] {
        assert_eq!(send_to(&state, get(missing)).await.0, StatusCode::NOT_FOUND, "{missing}");
    }
    let (status, _, body) =
        send_to(&state, post_form(&format!("{plan_url}/steps/999/done"), &[])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem(&body)["field"], "step");
}

#[tokio::test]
async fn the_profile_is_kept_and_starts_every_check_in() {
    assert_eq!(send(get("/profile")).await.0, StatusCode::NOT_FOUND, "no store, no profile");
    let server = common::personal_server("server").await;
    let state = server.state.clone();
    let (status, _, html) = send_to(&state, get("/profile")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"cond\" value=\"pregnancy\">"), "unchecked at first");

    let (status, location, _) = send_to(
        &state,
        post_form(
            "/profile",
            &[
                ("eq", "compression_boots"),
                ("cond", "pregnancy"),
                ("weekly_km", "50"),
                ("goal", "marathon"),
            ],
        ),
    )
    .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/profile?saved=1")));
    let (_, _, html) = send_to(&state, get("/profile?saved=1")).await;
    assert!(html.contains("value=\"pregnancy\" checked") && html.contains("role=\"status\""));
    assert!(html.contains("<option value=\"marathon\" selected>"));

    // The check-in form starts from the profile (and not from the default foam roller).
    let (_, _, html) = send_to(&state, get("/")).await;
    assert!(html.contains("value=\"compression_boots\" checked"));
    assert!(!html.contains("value=\"foam_roller\" checked"));
    assert!(html.contains("value=\"pregnancy\" checked"));

    // What the form does not ask (the goal) comes from the profile into the stored check-in.
    let (status, _, _) =
        send_to(&state, post_form("/checkin", &[("sore_quads_left", "5"), ("cond", "pregnancy")]))
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let store = state.store().unwrap();
    let athlete = store.athlete_id("me").await.unwrap().unwrap();
    let checkin = store.latest_checkin(athlete).await.unwrap().unwrap().checkin;
    assert_eq!(checkin["athlete"]["goal"], "marathon");
    assert_eq!(checkin["athlete"]["weekly_km"], 50.0);
    assert_eq!(checkin["athlete"]["conditions"], serde_json::json!(["pregnancy"]));

    let (status, _, html) = send_to(&state, post_form("/profile", &[("weekly_km", "1000")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("role=\"alert\""));
}

#[tokio::test]
async fn the_demo_athlete_has_a_history_of_plans() {
    let server = common::personal_server("server").await;
    let state = server.state.clone();
    let store = state.store().unwrap();
    let seeded = afterrun_server::demo::seed_demo(store, clock()).await.unwrap();
    assert!(seeded >= 55, "a check-in after every run of 90 days: {seeded} plans");
    assert_eq!(afterrun_server::demo::seed_demo(store, clock()).await.unwrap(), 0, "seeded once");
    let athlete = store.athlete_id("me").await.unwrap().unwrap();
    let runs = store.activities(athlete).await.unwrap();
    assert!(runs.len() >= seeded, "every run imported: {} runs", runs.len());
    assert!(runs.iter().all(|r| r.format == "gpx" && r.stress.is_some()), "through the decoder");
    let plans = store.plans(athlete).await.unwrap();
    assert_eq!(plans.len(), seeded);
    let ordinary = plans.iter().filter(|p| p.plan["triage"]["level"] == "self_care").count();
    assert!(ordinary * 10 >= seeded * 8, "an ordinary marathon block: {ordinary} of {seeded}");
    assert!(
        plans.iter().all(|p| p.plan["triage"]["level"] != "urgent_care"
            && p.plan["triage"]["level"] != "emergency"),
        "no red flag in a healthy block"
    );
    assert!(plans.iter().any(|p| !p.completed.is_empty()), "some steps done");
    assert!(plans.windows(2).all(|w| w[0].generated_at < w[1].generated_at), "days in order");
    let (status, _, list) = send_to(&state, get("/plans")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.matches("class=\"topic plan-item\"").count(), seeded);
}

#[tokio::test]
async fn in_personal_mode_me_is_the_owners_athlete_from_the_first_request() {
    let server = common::personal_server("server").await;
    let state = server.state.clone();
    let store = state.store().unwrap();
    assert_eq!(store.athlete_id("me").await.unwrap(), None, "nobody yet");
    // The first request by `me` finds the owner's athlete, made then.
    let (status, _, body) = send_to(&state, get("/api/athletes/me/profile")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, "{}");
    let id = store.athlete_id("me").await.unwrap().expect("the owner's athlete exists");
    // A check-in by `me` lands on the same athlete as by its id.
    let checkin = post_json("/api/athletes/me/checkins", DOMS);
    let (status, _, body) = send_to(&state, checkin).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, _, by_id) = send_to(&state, get(&format!("/api/athletes/{id}/checkins"))).await;
    let (_, _, by_me) = send_to(&state, get("/api/athletes/me/checkins")).await;
    assert_eq!(by_id, by_me);
    assert_eq!(serde_json::from_str::<Value>(&by_me).unwrap().as_array().unwrap().len(), 1);
}
