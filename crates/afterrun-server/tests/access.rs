//! The acceptance test of multi-user mode: an access-control matrix (every endpoint × every kind
//! of principal × own, foreign and missing athletes → the expected status), run with `oneshot`
//! over a real SQLite store file, asserting also that no refused request changed or revealed
//! anything; then sessions, cookies, the login rate limit, password storage and referrals.
//!
//! A new endpoint is one row of [`rows`].

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;
use common::{Answer, Server, send};
use common::{CHECKIN, GPX, clock};

use std::sync::Arc;

use afterrun_server::{AppState, Config, Mode};
use afterrun_store::{Id, Store};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use jiff::Timestamp;
use serde_json::{Value, json};

const HOST: &str = "club.example";
const ORIGIN: &str = "https://club.example";
const PASSWORD: &str = "correct horse battery";

/// Fifteen days later: every session made at [`clock`] has expired.
fn later_clock() -> Timestamp {
    "2026-12-08T08:30:00Z".parse().unwrap()
}

/// Thirteen days later: sessions are still valid.
fn sooner_clock() -> Timestamp {
    "2026-12-06T08:30:00Z".parse().unwrap()
}

async fn server(mode: Mode) -> Server {
    common::server_with("access", |store| with_clock(mode, store, clock)).await
}

fn with_clock(mode: Mode, store: &Arc<Store>, clock: fn() -> Timestamp) -> AppState {
    AppState::new(Config { mode, ..Config::default() }, clock).with_store(Arc::clone(store))
}

/// A request as a browser on the club's site sends it (Origin on every change).
fn request(method: &str, path: &str, cookie: Option<&str>, body: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path).header(header::HOST, HOST);
    if method != "GET" {
        builder = builder.header(header::ORIGIN, ORIGIN);
    }
    if let Some(token) = cookie {
        builder = builder.header(header::COOKIE, format!("afterrun_session={token}"));
    }
    match body {
        Some(text) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(text.to_owned()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

/// The session token of a `Set-Cookie` header.
fn session_token(headers: &HeaderMap) -> String {
    let cookie = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let value = cookie.strip_prefix("afterrun_session=").unwrap();
    value.split(';').next().unwrap().to_owned()
}

async fn sign_up(state: &AppState, username: &str, role: &str) -> Value {
    let body = json!({"username": username, "password": PASSWORD, "role": role}).to_string();
    let answer = send(state, request("POST", "/api/accounts", None, Some(&body))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.json()
}

async fn log_in(state: &AppState, username: &str, password: &str) -> Answer {
    let body = json!({"username": username, "password": password}).to_string();
    send(state, request("POST", "/api/session", None, Some(&body))).await
}

async fn session(state: &AppState, username: &str) -> String {
    let answer = log_in(state, username, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
    session_token(&answer.headers)
}

/// Who asks, in the matrix's column order.
#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    AthleteA,
    AthleteB,
    CoachOfA,
    OtherCoach,
}

const WHO: [Who; 5] =
    [Who::Anonymous, Who::AthleteA, Who::AthleteB, Who::CoachOfA, Who::OtherCoach];

/// Whose data a row's `{id}` and `{plan}` name.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// No athlete in the path.
    None,
    A,
    B,
    /// An id no athlete has.
    Missing,
}

/// One endpoint: method, path (`{id}` the target athlete, `{plan}` their plan), body, and the
/// expected status per target for [anonymous, athlete A, athlete B, A's coach, another coach].
struct Row {
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    expect: Vec<(Target, [u16; 5])>,
}

/// Reading A's or B's data: the athlete themself and A's coach (for A).
fn read(ok: u16) -> Vec<(Target, [u16; 5])> {
    vec![
        (Target::A, [401, ok, 404, ok, 404]),
        (Target::B, [401, 404, ok, 404, 404]),
        (Target::Missing, [401, 404, 404, 404, 404]),
    ]
}

/// Changing A's or B's data: only the athlete themself; A's coach sees A but may not change it.
fn write(ok: u16) -> Vec<(Target, [u16; 5])> {
    vec![
        (Target::A, [401, ok, 404, 403, 404]),
        (Target::B, [401, 404, ok, 404, 404]),
        (Target::Missing, [401, 404, 404, 404, 404]),
    ]
}

fn everyone(status: u16) -> Vec<(Target, [u16; 5])> {
    vec![(Target::None, [status; 5])]
}

fn signed_in(status: u16) -> Vec<(Target, [u16; 5])> {
    vec![(Target::None, [401, status, status, status, status])]
}

/// The matrix. Rows run in order (a link is made before it is removed).
fn rows() -> Vec<Row> {
    let row = |method, path, body, expect| Row { method, path, body, expect };
    vec![
        row("GET", "/healthz", None, everyone(200)),
        row("GET", "/api/openapi.json", None, everyone(200)),
        row("GET", "/api/guide", None, everyone(200)),
        row("GET", "/api/guide/doms", None, everyone(200)),
        row("POST", "/api/plan", Some(CHECKIN), everyone(200)),
        row("GET", "/api/me", None, signed_in(200)),
        // A password change or a deletion needs the password: a wrong one is 401 for everyone.
        row(
            "PUT",
            "/api/me/password",
            Some(r#"{"current":"not the one!","new":"long enough pass"}"#),
            vec![(Target::None, [401, 401, 401, 401, 401])],
        ),
        row(
            "DELETE",
            "/api/me",
            Some(r#"{"password":"not the one!"}"#),
            vec![(Target::None, [401, 401, 401, 401, 401])],
        ),
        row("GET", "/api/athletes", None, signed_in(200)),
        row("GET", "/api/referrals", None, vec![(Target::None, [401, 403, 403, 200, 200])]),
        row("POST", "/api/invites", Some("{}"), vec![(Target::None, [401, 403, 403, 201, 201])]),
        row("GET", "/api/athletes/{id}/profile", None, read(200)),
        row("PUT", "/api/athletes/{id}/profile", Some(r#"{"weekly_km":42}"#), write(200)),
        row("GET", "/api/athletes/{id}/checkins", None, read(200)),
        row("POST", "/api/athletes/{id}/checkins", Some(CHECKIN), write(201)),
        row("GET", "/api/athletes/{id}/plans", None, read(200)),
        row("GET", "/api/athletes/{id}/plans/{plan}", None, read(200)),
        row("POST", "/api/athletes/{id}/plans/{plan}/steps/0/done", Some("{}"), write(200)),
        row("GET", "/api/athletes/{id}/activities", None, read(200)),
        row("GET", "/api/athletes/{id}/status", None, read(200)),
        row("GET", "/api/athletes/{id}/coaches", None, read(200)),
        row("POST", "/api/athletes/{id}/coaches", Some(r#"{"coach":"cleo"}"#), write(201)),
        row("DELETE", "/api/athletes/{id}/coaches/cleo", None, write(204)),
        row("POST", "/api/athletes/{id}/activities?name=run.gpx", Some(GPX), write(200)),
        // The export: the athlete's own (a coach reads, and does not export).
        row("GET", "/api/athletes/{id}/export", None, write(200)),
        row(
            "GET",
            "/coach/athletes/{id}/status",
            None,
            vec![(Target::A, [303, 404, 404, 200, 404]), (Target::B, [303, 404, 404, 404, 404])],
        ),
        // Pages: anonymous visitors go to the login page.
        row("GET", "/", None, vec![(Target::None, [303, 200, 200, 303, 303])]),
        row("GET", "/plans", None, vec![(Target::None, [303, 200, 200, 303, 303])]),
        row("GET", "/profile", None, vec![(Target::None, [303, 200, 200, 303, 303])]),
        row("GET", "/coach", None, vec![(Target::None, [303, 303, 303, 200, 200])]),
        row("GET", "/status", None, vec![(Target::None, [303, 200, 200, 303, 303])]),
        row("GET", "/import", None, vec![(Target::None, [303, 200, 200, 200, 200])]),
        row("GET", "/device", None, vec![(Target::None, [303, 200, 200, 200, 200])]),
        row("GET", "/login", None, vec![(Target::None, [200, 303, 303, 303, 303])]),
        row("GET", "/signup", None, everyone(200)),
        row("GET", "/guide", None, everyone(200)),
    ]
}

/// Everything stored about an athlete, to prove a refused request changed nothing.
async fn snapshot(store: &Store, athlete: Id) -> String {
    json!({
        "profile": store.profile(athlete).await.unwrap(),
        "checkins": store.checkins(athlete).await.unwrap(),
        "plans": store.plans(athlete).await.unwrap(),
        "coaches": store.coaches_of(athlete).await.unwrap(),
        "activities": store.activities(athlete).await.unwrap(),
    })
    .to_string()
}

struct Club {
    server: Server,
    a: Id,
    b: Id,
    a_plan: Id,
    b_plan: Id,
    /// Session tokens in [`WHO`] order (`None` for anonymous).
    tokens: [Option<String>; 5],
}

/// Two athletes (Ann links coach Carla; Bob links nobody), a second coach Otto and an unlinked
/// coach Cleo, each athlete with one check-in and plan.
async fn club() -> Club {
    let server = server(Mode::MultiUser).await;
    let state = &server.state;
    let a = sign_up(state, "ann", "athlete").await["athlete_id"].as_i64().unwrap();
    let b = sign_up(state, "bob", "athlete").await["athlete_id"].as_i64().unwrap();
    for coach in ["carla", "otto", "cleo"] {
        assert_eq!(sign_up(state, coach, "coach").await["athlete_id"], Value::Null);
    }
    let tokens = [
        None,
        Some(session(state, "ann").await),
        Some(session(state, "bob").await),
        Some(session(state, "carla").await),
        Some(session(state, "otto").await),
    ];
    let link = send(
        state,
        request(
            "POST",
            &format!("/api/athletes/{a}/coaches"),
            tokens[1].as_deref(),
            Some(r#"{"coach":"carla"}"#),
        ),
    )
    .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    // The link takes effect when Carla accepts it.
    let accept = send(
        state,
        request(
            "POST",
            &format!("/api/coach/athletes/{a}/accept"),
            tokens[3].as_deref(),
            Some("{}"),
        ),
    )
    .await;
    assert_eq!(accept.status, StatusCode::NO_CONTENT, "{}", accept.body);
    let mut plans = Vec::new();
    for (athlete, token) in [(a, &tokens[1]), (b, &tokens[2])] {
        let path = format!("/api/athletes/{athlete}/checkins");
        let answer = send(state, request("POST", &path, token.as_deref(), Some(CHECKIN))).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        plans.push(answer.json()["plan_id"].as_i64().unwrap());
    }
    Club { a, b, a_plan: plans[0], b_plan: plans[1], tokens, server }
}

#[tokio::test]
async fn the_access_matrix_holds_and_refusals_change_and_reveal_nothing() {
    let club = club().await;
    let state = &club.server.state;
    let store = &club.server.store;
    let mut failures = Vec::new();
    for row in rows() {
        for (target, expected) in &row.expect {
            let (id, plan) = match target {
                Target::None | Target::Missing => (987_654, 987_654),
                Target::A => (club.a, club.a_plan),
                Target::B => (club.b, club.b_plan),
            };
            let path =
                row.path.replace("{id}", &id.to_string()).replace("{plan}", &plan.to_string());
            for (who, want) in WHO.iter().zip(expected) {
                let before = (snapshot(store, club.a).await, snapshot(store, club.b).await);
                let token = club.tokens[*who as usize].as_deref();
                let answer = send(state, request(row.method, &path, token, row.body)).await;
                if answer.status.as_u16() != *want {
                    failures.push(format!(
                        "{} {path} as {who:?}: {} (expected {want}) {}",
                        row.method, answer.status, answer.body
                    ));
                    continue;
                }
                if answer.status.is_success() {
                    continue;
                }
                // A refusal changes nothing and shows nothing of either athlete.
                let after = (snapshot(store, club.a).await, snapshot(store, club.b).await);
                if before != after {
                    failures.push(format!("{} {path} as {who:?} changed data", row.method));
                }
                for secret in ["\"ann\"", "\"bob\"", "weekly_km", "soreness"] {
                    if answer.body.contains(secret) {
                        failures.push(format!(
                            "{} {path} as {who:?} revealed {secret:?}: {}",
                            row.method, answer.body
                        ));
                    }
                }
                if answer.status.is_client_error() {
                    let media = answer.headers.get(header::CONTENT_TYPE).unwrap();
                    assert_eq!(media, "application/problem+json", "{} {path}", row.method);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} cells wrong:\n{}", failures.len(), failures.join("\n"));

    // Bodies: each sees exactly their own.
    let ask = |who: usize, path: String| {
        let token = club.tokens[who].clone();
        async move { send(state, request("GET", &path, token.as_deref(), None)).await.json() }
    };
    assert_eq!(ask(1, "/api/athletes".into()).await, json!([{"id": club.a, "name": "ann"}]));
    assert_eq!(ask(2, "/api/athletes".into()).await, json!([{"id": club.b, "name": "bob"}]));
    assert_eq!(ask(3, "/api/athletes".into()).await, json!([{"id": club.a, "name": "ann"}]));
    assert_eq!(ask(4, "/api/athletes".into()).await, json!([]));
    assert_eq!(
        ask(1, "/api/me".into()).await,
        json!({"username": "ann", "role": "athlete", "athlete_id": club.a})
    );
    assert_eq!(
        ask(3, "/api/me".into()).await,
        json!({"username": "carla", "role": "coach", "athlete_id": null})
    );
    // A's coach reads what A wrote; the matrix's own writes landed, the refused ones did not.
    assert_eq!(
        ask(3, format!("/api/athletes/{}/profile", club.a)).await,
        json!({"weekly_km": 42.0})
    );
    let a_checkins = ask(1, format!("/api/athletes/{}/checkins", club.a)).await;
    assert_eq!(a_checkins.as_array().unwrap().len(), 2, "the seed and A's own; none by others");
    assert_eq!(a_checkins[1]["checkin"]["athlete"]["weekly_km"], 42.0, "the profile filled it");
    let plan = ask(1, format!("/api/athletes/{}/plans/{}", club.a, club.a_plan)).await;
    assert_eq!(plan["completed"].as_array().unwrap().len(), 1);
    assert_eq!(ask(1, format!("/api/athletes/{}/coaches", club.a)).await[0]["username"], "carla");
    let runs = ask(3, format!("/api/athletes/{}/activities", club.a)).await;
    assert_eq!(runs.as_array().unwrap().len(), 1, "A's own upload, readable by A's coach: {runs}");
    // A plan id of B's under A's id is not A's.
    let cross = format!("/api/athletes/{}/plans/{}", club.a, club.b_plan);
    let answer = send(state, request("GET", &cross, club.tokens[1].as_deref(), None)).await;
    assert_eq!(
        (answer.status, answer.json()["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("plan"))
    );

    // The device simulator runs only the asker's own plans: not A's for B, not the personal
    // athlete's (left over from personal use of the same store) for anyone.
    let me = store.ensure_athlete("me", 0).await.unwrap();
    let checkin = store.save_checkin(me, 0, &json!({}), 0).await.unwrap();
    let me_plan = store.save_plan(checkin, 0, &json!({"steps": []}), 0).await.unwrap();
    for (who, plan, found) in [(1, club.a_plan, true), (2, club.a_plan, false), (1, me_plan, false)]
    {
        let path = format!("/device?plan={plan}");
        let answer = send(state, request("GET", &path, club.tokens[who].as_deref(), None)).await;
        // A's plan has no device program (no equipment): found, but nothing to run.
        let missing = answer.body.contains(&format!("There is no stored plan `{plan}`"))
            || answer.body.contains(&format!("there is no stored plan `{plan}`"));
        assert_eq!(!missing, found, "{path} as {who}: {}", answer.body);
    }

    // A forbidden change with a different body leaves A's profile as it was.
    let put = format!("/api/athletes/{}/profile", club.a);
    for who in [2, 3, 4] {
        let answer = send(
            state,
            request("PUT", &put, club.tokens[who].as_deref(), Some(r#"{"weekly_km":99}"#)),
        )
        .await;
        assert!(answer.status.is_client_error(), "{}", answer.status);
    }
    assert_eq!(store.profile(club.a).await.unwrap().weekly_km, Some(42.0));
}

#[tokio::test]
async fn bad_input_is_a_problem_naming_the_field() {
    let club = club().await;
    let state = &club.server.state;
    let ann = club.tokens[1].as_deref();
    let cases: Vec<(&str, String, &str, u16, &str)> = vec![
        (
            "POST",
            "/api/accounts".into(),
            r#"{"username":"ann","password":"long enough pw","role":"athlete"}"#,
            409,
            "username",
        ),
        (
            "POST",
            "/api/accounts".into(),
            r#"{"username":"Ann!","password":"long enough pw","role":"athlete"}"#,
            422,
            "username",
        ),
        (
            "POST",
            "/api/accounts".into(),
            r#"{"username":"zed","password":"short","role":"athlete"}"#,
            422,
            "password",
        ),
        (
            "POST",
            "/api/accounts".into(),
            r#"{"username":"zed","password":"long enough pw","role":"admin"}"#,
            422,
            "role",
        ),
        ("POST", "/api/accounts".into(), r#"[1]"#, 422, "$"),
        ("PUT", format!("/api/athletes/{}/profile", club.a), r#"{"goal":"sprint"}"#, 422, "goal"),
        (
            "PUT",
            format!("/api/athletes/{}/profile", club.a),
            r#"{"shoe_size":44}"#,
            422,
            "shoe_size",
        ),
        (
            "POST",
            format!("/api/athletes/{}/checkins", club.a),
            r#"{"now":"yesterday"}"#,
            422,
            "now",
        ),
        ("POST", format!("/api/athletes/{}/coaches", club.a), r#"{"coach":"bob"}"#, 422, "coach"),
        (
            "POST",
            format!("/api/athletes/{}/plans/{}/steps/99/done", club.a, club.a_plan),
            "{}",
            404,
            "step",
        ),
        ("GET", format!("/api/athletes/{}/plans/x", club.a), "", 404, "plan"),
        ("GET", "/api/athletes/x/plans".into(), "", 404, "id"),
    ];
    for (method, path, body, status, field) in cases {
        let body = (!body.is_empty()).then_some(body);
        let answer = send(state, request(method, &path, ann, body)).await;
        assert_eq!(answer.status.as_u16(), status, "{method} {path}: {}", answer.body);
        assert_eq!(answer.json()["field"], field, "{method} {path}");
    }
}

#[tokio::test]
async fn passwords_are_stored_as_argon2_hashes() {
    let server = server(Mode::MultiUser).await;
    sign_up(&server.state, "ann", "athlete").await;
    let account = server.store.account_by_username("ann").await.unwrap().unwrap();
    assert!(account.password_hash.starts_with("$argon2id$"), "{}", account.password_hash);
    assert!(!account.password_hash.contains(PASSWORD));
    let bytes = std::fs::read(server.dir.join("club.db")).unwrap();
    let wal = std::fs::read(server.dir.join("club.db-wal")).unwrap_or_default();
    for file in [bytes, wal] {
        assert!(!file.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()));
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_secure_over_tls() {
    let server = server(Mode::MultiUser).await;
    sign_up(&server.state, "ann", "athlete").await;
    let answer = log_in(&server.state, "ann", PASSWORD).await;
    let cookie = answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=1209600"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let token = session_token(&answer.headers);
    assert_eq!(token.len(), 64);
    // Only the token's hash is stored.
    assert!(server.store.session_account(&token, clock().as_second()).await.unwrap().is_some());
    let db = std::fs::read(server.dir.join("club.db-wal")).unwrap_or_default();
    assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()));

    let body = json!({"username": "ann", "password": PASSWORD}).to_string();
    let mut tls = request("POST", "/api/session", None, Some(&body));
    tls.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    let answer = send(&server.state, tls).await;
    let cookie = answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn five_failed_logins_then_429_with_retry_after() {
    let server = server(Mode::MultiUser).await;
    let state = &server.state;
    sign_up(state, "ann", "athlete").await;
    sign_up(state, "bob", "athlete").await;
    for _ in 0..5 {
        let answer = log_in(state, "ann", "wrong password!").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.headers.get(header::SET_COOKIE).is_none());
    }
    // Even the right password waits now; the limit is per username.
    let answer = log_in(state, "ann", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{}", answer.body);
    assert_eq!(answer.headers.get(header::RETRY_AFTER).unwrap(), "900");
    assert_eq!(answer.json()["field"], "username");
    assert_eq!(log_in(state, "bob", PASSWORD).await.status, StatusCode::NO_CONTENT);
    // Unknown usernames fail the same way, and are limited too.
    for _ in 0..5 {
        assert_eq!(log_in(state, "nobody", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(log_in(state, "nobody", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    // The count lives in the database: another server instance (a later clock, 16 minutes on)
    // sees the window has passed.
    fn sixteen_minutes_on() -> Timestamp {
        "2026-11-23T08:46:00Z".parse().unwrap()
    }
    let other = with_clock(Mode::MultiUser, &server.store, sixteen_minutes_on);
    assert_eq!(log_in(&other, "ann", PASSWORD).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn logout_ends_the_session_and_old_sessions_expire() {
    let server = server(Mode::MultiUser).await;
    let state = &server.state;
    sign_up(state, "ann", "athlete").await;
    let token = session(state, "ann").await;
    let me = || request("GET", "/api/me", Some(&token), None);
    assert_eq!(send(state, me()).await.status, StatusCode::OK);
    // 13 days on the session still works, 15 days on it has expired.
    let sooner = with_clock(Mode::MultiUser, &server.store, sooner_clock);
    assert_eq!(send(&sooner, me()).await.status, StatusCode::OK);
    let later = with_clock(Mode::MultiUser, &server.store, later_clock);
    let answer = send(&later, me()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["field"], "Cookie");

    let answer = send(state, request("DELETE", "/api/session", Some(&token), None)).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let cleared = answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.starts_with("afterrun_session=;") && cleared.contains("Max-Age=0"));
    assert_eq!(send(state, me()).await.status, StatusCode::UNAUTHORIZED, "logged out");
    // Logging out needs the same origin like any change.
    let token = session(state, "ann").await;
    let mut forged = request("DELETE", "/api/session", Some(&token), None);
    forged.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(send(state, forged).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        send(state, request("GET", "/api/me", Some(&token), None)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_coach_sees_a_red_flag_only_while_linked() {
    let server = server(Mode::MultiUser).await;
    let state = &server.state;
    let a = sign_up(state, "ann", "athlete").await["athlete_id"].as_i64().unwrap();
    sign_up(state, "carla", "coach").await;
    let ann = session(state, "ann").await;
    let carla = session(state, "carla").await;
    let referrals = || request("GET", "/api/referrals", Some(&carla), None);

    let vignette: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/vignettes/dvt-suspected.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let checkin = vignette["checkin"].to_string();
    let path = format!("/api/athletes/{a}/checkins");
    for body in [CHECKIN, checkin.as_str()] {
        let answer = send(state, request("POST", &path, Some(&ann), Some(body))).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    assert_eq!(send(state, referrals()).await.json(), json!([]), "not linked yet");
    // Before the link, A's data is invisible to the coach (404, as if A did not exist).
    let profile = format!("/api/athletes/{a}/profile");
    assert_eq!(
        send(state, request("GET", &profile, Some(&carla), None)).await.status,
        StatusCode::NOT_FOUND
    );

    let link = format!("/api/athletes/{a}/coaches");
    let answer =
        send(state, request("POST", &link, Some(&ann), Some(r#"{"coach":"carla"}"#))).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(send(state, referrals()).await.json(), json!([]), "asked, not yet accepted");
    assert_eq!(
        send(state, request("GET", &profile, Some(&carla), None)).await.status,
        StatusCode::NOT_FOUND,
        "a request shows nothing"
    );
    // Only the coach accepts: not Ann, not another coach.
    let accept = format!("/api/coach/athletes/{a}/accept");
    let by_ann = send(state, request("POST", &accept, Some(&ann), Some("{}"))).await;
    assert_eq!(by_ann.status, StatusCode::NOT_FOUND);
    let answer = send(state, request("POST", &accept, Some(&carla), Some("{}"))).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
    let list = send(state, referrals()).await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "only the red flag, not the sore quads: {list:?}");
    assert_eq!(list[0]["athlete_id"], a);
    assert_eq!(list[0]["athlete"], "ann");
    assert_eq!(list[0]["level"], "urgent_care");
    assert_eq!(list[0]["checked_in_at"], "2026-11-23T08:30:00Z");
    assert!(!list[0]["reasons"].as_array().unwrap().is_empty());
    assert!(list[0]["plan_id"].is_i64());

    let unlink = format!("/api/athletes/{a}/coaches/carla");
    assert_eq!(
        send(state, request("DELETE", &unlink, Some(&ann), None)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(send(state, referrals()).await.json(), json!([]), "unlinked");
    assert_eq!(
        send(state, request("GET", &profile, Some(&carla), None)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn personal_mode_has_an_owner_and_no_accounts() {
    let server = server(Mode::Personal).await;
    let state = &server.state;
    let me = server.store.ensure_athlete("me", clock().as_second()).await.unwrap();
    let local = |method: &str, path: &str, body: Option<&str>| {
        let mut r = request(method, path, None, body);
        r.headers_mut().insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        if method != "GET" {
            r.headers_mut().insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        }
        r
    };
    let creds = r#"{"username":"ann","password":"long enough pw","role":"athlete"}"#;
    for (method, path) in [
        ("POST", "/api/accounts"),
        ("POST", "/api/session"),
        ("DELETE", "/api/session"),
        ("GET", "/api/referrals"),
    ] {
        let answer = send(state, local(method, path, Some(creds))).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    assert_eq!(
        send(state, local("GET", "/api/me", None)).await.json(),
        json!({"role": "owner", "athlete_id": me})
    );
    let answer =
        send(state, local("PUT", &format!("/api/athletes/{me}/profile"), Some(r#"{"goal":"5k"}"#)))
            .await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer =
        send(state, local("POST", &format!("/api/athletes/{me}/checkins"), Some(CHECKIN))).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.json()["plan"]["generated_at"], "2026-11-23T08:30:00Z");
    let checkins =
        send(state, local("GET", &format!("/api/athletes/{me}/checkins"), None)).await.json();
    assert_eq!(checkins[0]["checkin"]["athlete"]["goal"], "5k");
    assert_eq!(
        send(state, local("GET", "/api/athletes/424242/profile", None)).await.status,
        StatusCode::NOT_FOUND
    );
    // The pages are the owner's, as before.
    assert_eq!(send(state, local("GET", "/", None)).await.status, StatusCode::OK);
}

/// A form post from the club's own pages.
fn form(path: &str, cookie: Option<&str>, pairs: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> =
        pairs.iter().map(|(k, v)| format!("{k}={}", v.replace(' ', "+"))).collect();
    let mut builder = Request::post(path)
        .header(header::HOST, HOST)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(token) = cookie {
        builder = builder.header(header::COOKIE, format!("afterrun_session={token}"));
    }
    builder.body(Body::from(body.join("&"))).unwrap()
}

fn location(answer: &Answer) -> &str {
    answer.headers.get(header::LOCATION).map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn the_web_pages_follow_the_logged_in_athlete() {
    let server = server(Mode::MultiUser).await;
    let state = &server.state;
    let store = &server.store;

    let answer = send(
        state,
        form("/signup", None, &[("username", "ann"), ("password", PASSWORD), ("role", "athlete")]),
    )
    .await;
    assert_eq!((answer.status, location(&answer)), (StatusCode::SEE_OTHER, "/"), "{}", answer.body);
    let ann = session_token(&answer.headers);
    let answer = send(
        state,
        form("/signup", None, &[("username", "ann"), ("password", PASSWORD), ("role", "coach")]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(answer.body.contains("role=\"alert\""));
    let answer = send(
        state,
        form("/signup", None, &[("username", "carla"), ("password", PASSWORD), ("role", "coach")]),
    )
    .await;
    assert_eq!(location(&answer), "/coach");
    let carla = session_token(&answer.headers);
    sign_up(state, "bob", "athlete").await;
    let bob = session(state, "bob").await;

    // The profile and the check-in are Ann's, not the personal athlete's.
    let answer = send(state, form("/profile", Some(&ann), &[("weekly_km", "33")])).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let a = store.athlete_id("ann").await.unwrap().unwrap();
    assert_eq!(store.profile(a).await.unwrap().weekly_km, Some(33.0));
    assert_eq!(store.athlete_id("me").await.unwrap(), None, "no personal athlete");
    let answer = send(
        state,
        form("/checkin", Some(&ann), &[("sore_quads_left", "6"), ("sore_quads_right", "6")]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let plan_url = location(&answer).to_owned();
    assert!(plan_url.starts_with("/plans/"), "{plan_url}");
    assert_eq!(store.checkins(a).await.unwrap()[0].checkin["athlete"]["weekly_km"], 33.0);
    let get = |path: &str, token: &str| request("GET", path, Some(token), None);
    assert_eq!(send(state, get(&plan_url, &ann)).await.status, StatusCode::OK);
    assert_eq!(send(state, get(&plan_url, &bob)).await.status, StatusCode::NOT_FOUND);
    let done = format!("{plan_url}/steps/0/done");
    assert_eq!(send(state, form(&done, Some(&bob), &[])).await.status, StatusCode::NOT_FOUND);
    assert!(store.plans(a).await.unwrap()[0].completed.is_empty(), "Bob marked nothing");
    // Ann's own mark shows on her page at once, and so does a change of her time zone: the page
    // view is cached per store revision, and both writes bump it.
    let page = send(state, get(&plan_url, &ann)).await.body;
    assert!(!page.contains("is-done") && !page.contains("Asia/Tokyo"), "{page}");
    let answer = send(state, form(&done, Some(&ann), &[])).await;
    assert!(answer.status.is_redirection() || answer.status.is_success(), "{}", answer.status);
    assert!(send(state, get(&plan_url, &ann)).await.body.contains("is-done"));
    let mut profile = store.profile(a).await.unwrap();
    profile.tz = Some("Asia/Tokyo".to_owned());
    store.set_profile(a, &profile).await.unwrap();
    let page = send(state, get(&plan_url, &ann)).await.body;
    assert!(page.contains("is-done") && page.contains("data-tz=\"Asia/Tokyo\""), "{page}");
    let undo = format!("{plan_url}/steps/0/undo");
    send(state, form(&undo, Some(&ann), &[])).await;
    assert!(!send(state, get("/plans", &bob)).await.body.contains(&plan_url));
    // A coach has no athlete pages.
    let answer = send(state, get("/", &carla)).await;
    assert_eq!((answer.status, location(&answer)), (StatusCode::SEE_OTHER, "/coach"));

    // Ann adds her coach on the profile page; the coach page lists her.
    let answer = send(state, form("/profile/coaches", Some(&ann), &[("coach", "bob")])).await;
    assert_eq!(location(&answer), "/profile?no_coach=1", "Bob is no coach");
    let answer = send(state, form("/profile/coaches", Some(&ann), &[("coach", "carla")])).await;
    assert_eq!(location(&answer), "/profile?saved=1");
    let profile = send(state, get("/profile", &ann)).await.body;
    assert!(profile.contains("action=\"/profile/coaches/carla/remove\""), "{profile}");
    assert!(profile.contains("action=\"/logout\""));
    assert!(profile.contains("waiting for them to accept"), "{profile}");
    // The coach sees the request and accepts it on the coach page.
    let coach_page = send(state, get("/coach", &carla)).await;
    assert!(
        coach_page.body.contains(&format!("action=\"/coach/athletes/{a}/accept\"")),
        "{}",
        coach_page.body
    );
    let answer = send(state, form(&format!("/coach/athletes/{a}/accept"), Some(&carla), &[])).await;
    assert_eq!(location(&answer), "/coach");
    let coach_page = send(state, get("/coach", &carla)).await;
    assert_eq!(coach_page.status, StatusCode::OK);
    let listed = format!("<li>ann · <a href=\"/coach/athletes/{a}/status\">status</a> ");
    assert!(coach_page.body.contains(&listed), "{}", coach_page.body);
    assert!(coach_page.body.contains("No red flags"));
    // The coach's navigation: their runners, no check-in or profile, a log-out.
    assert!(coach_page.body.contains("<a href=\"/coach\">Your runners</a>"), "{}", coach_page.body);
    assert!(!coach_page.body.contains("<a href=\"/profile\""), "no dead links for a coach");
    assert!(coach_page.body.contains("Log out</button>"));
    // Read-only views of a linked runner: her status and her plan, nothing to change.
    let plan_id = plan_url.trim_start_matches("/plans/");
    let coach_plan = format!("/coach/athletes/{a}/plans/{plan_id}");
    let status = send(state, get(&format!("/coach/athletes/{a}/status"), &carla)).await;
    assert_eq!(status.status, StatusCode::OK);
    let seen = send(state, get(&coach_plan, &carla)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert!(seen.body.contains("ann's plan, read only"), "{}", seen.body);
    assert!(!seen.body.contains("/steps/0/done") && !seen.body.contains("button timer"));
    assert_eq!(send(state, form(&done, Some(&carla), &[])).await.status, StatusCode::SEE_OTHER);
    assert!(store.plans(a).await.unwrap()[0].completed.is_empty(), "the coach marked nothing");
    // Not Bob (an athlete), nor a coach of someone else.
    assert_eq!(send(state, get(&coach_plan, &bob)).await.status, StatusCode::NOT_FOUND);
    let answer = send(state, form("/profile/coaches/carla/remove", Some(&ann), &[])).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(!send(state, get("/coach", &carla)).await.body.contains(&listed));
    assert_eq!(
        send(state, get(&coach_plan, &carla)).await.status,
        StatusCode::NOT_FOUND,
        "unlinked"
    );

    // Logging out ends the session; a wrong password shows the page again.
    let answer = send(state, form("/logout", Some(&ann), &[])).await;
    assert_eq!(location(&answer), "/login");
    assert!(
        answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=0")
    );
    assert_eq!(location(&send(state, get("/", &ann)).await), "/login");
    let answer =
        send(state, form("/login", None, &[("username", "ann"), ("password", "not the one!")]))
            .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.body.contains("role=\"alert\"") && answer.body.contains("value=\"ann\""));
    let answer =
        send(state, form("/login", None, &[("username", "ann"), ("password", PASSWORD)])).await;
    assert_eq!((answer.status, location(&answer)), (StatusCode::SEE_OTHER, "/"));
    let ann = session_token(&answer.headers);
    assert_eq!(location(&send(state, get("/login", &ann)).await), "/", "already logged in");
    assert_eq!(location(&send(state, get("/login", &carla)).await), "/coach");
    // A page from another site cannot log anyone in or out.
    let mut forged = form("/logout", Some(&bob), &[]);
    forged.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(state, forged).await.status, StatusCode::FORBIDDEN);
}
