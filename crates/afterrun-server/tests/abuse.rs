//! The server under abuse, over a real SQLite store file: one error and header policy for every
//! answer (the framework's own refusals included), a key given twice refused on every JSON body,
//! a CSRF token per visitor that no other session can use, and log-in and sign-up floods from
//! one client that neither take the server down nor lock other clients out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;
use common::{Answer, Server};
use common::{GPX, clock};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use afterrun_server::{AppState, Config, Mode, router};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use tower::ServiceExt as _;

/// A loopback name: personal mode answers to nothing else, multi-user mode to anything.
const HOST: &str = "localhost:8080";
const ORIGIN: &str = "http://localhost:8080";
const PASSWORD: &str = "correct horse battery";
/// The reverse proxy every request of the multi-user tests comes through.
const PROXY: &str = "10.1.1.1:40000";

async fn server(mode: Mode) -> Server {
    let proxy: SocketAddr = PROXY.parse().unwrap();
    common::server_with("abuse", |store| {
        AppState::new(Config { mode, trusted_proxy: Some(proxy.ip()), ..Config::default() }, clock)
            .with_store(Arc::clone(store))
    })
    .await
}

/// Sends the request as if through the trusted proxy (the peer of the connection).
async fn send(state: &AppState, mut request: Request<Body>) -> Answer {
    request.extensions_mut().insert(ConnectInfo::<SocketAddr>(PROXY.parse().unwrap()));
    common::send(state, request).await
}

/// A JSON request from `client` (forwarded by the proxy), from the site's own pages.
fn json_request(method: &str, path: &str, client: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header("x-forwarded-for", client)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path).header(header::HOST, HOST);
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::empty()).unwrap()
}

async fn sign_up(state: &AppState, client: &str, username: &str) -> Answer {
    let body = json!({"username": username, "password": PASSWORD, "role": "athlete"});
    send(state, json_request("POST", "/api/accounts", client, &body.to_string())).await
}

async fn log_in(state: &AppState, client: &str, username: &str, password: &str) -> Answer {
    let body = json!({"username": username, "password": password}).to_string();
    send(state, json_request("POST", "/api/session", client, &body)).await
}

/// The session token of a log-in's `Set-Cookie`.
fn session_of(answer: &Answer) -> String {
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
    let cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
    cookie.strip_prefix("afterrun_session=").unwrap().split(';').next().unwrap().to_owned()
}

/// The CSRF token a page carries in its forms.
fn page_token(html: &str) -> String {
    let rest = html.split(r#"name="csrf_token" value=""#).nth(1).expect("a form with the token");
    rest.split('"').next().unwrap().to_owned()
}

fn assert_api_headers(answer: &Answer, what: &str) {
    assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store", "{what}");
}

// ----- one error and header policy -----

#[tokio::test]
async fn every_refusal_is_a_problem_and_every_api_answer_is_nosniff_no_store() {
    let server = server(Mode::Personal).await;
    let state = &server.state;
    let big = vec![b' '; 2 * 1024 * 1024];
    // 413 from the body limit, with and without a Content-Length to refuse early.
    let mut request = json_request("POST", "/api/plan", "192.0.2.1", "");
    *request.body_mut() = Body::from(big.clone());
    request.headers_mut().insert(header::CONTENT_LENGTH, big.len().into());
    let answer = send(state, request).await;
    assert_eq!(answer.problem(413)["type"], "/problems/too-large");
    assert_api_headers(&answer, "413 early");
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(big)]);
    let mut request = json_request("POST", "/api/plan", "192.0.2.1", "");
    *request.body_mut() = Body::from_stream(stream);
    let answer = send(state, request).await;
    assert_eq!(answer.problem(413)["type"], "/problems/too-large");
    // 405 keeps its Allow header.
    let answer = send(state, get("/api/plan", None)).await;
    assert_eq!(answer.problem(405)["type"], "/problems/method-not-allowed");
    assert!(answer.headers.get(header::ALLOW).is_some());
    // 404 under /api is a problem even for a browser that asks for HTML.
    let mut request = get("/api/nothing-here", None);
    request.headers_mut().insert(header::ACCEPT, "text/html,*/*".parse().unwrap());
    let answer = send(state, request).await;
    answer.problem(404);
    assert_api_headers(&answer, "404");
    // An extractor's rejection (a form that is not a form).
    let mut request = json_request("POST", "/profile", "192.0.2.1", "{}");
    request.headers_mut().insert("sec-fetch-site", "same-origin".parse().unwrap());
    let answer = send(state, request).await;
    assert_eq!(answer.problem(415)["type"], "/problems/unsupported-media-type");
    // A bad path parameter of a page.
    let answer = send(state, get("/plans/1/steps/x/done", None)).await;
    assert!(answer.status.is_client_error());
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/problem+json");
    // JSON, problem and calendar answers carry the headers.
    let answer = send(state, get("/api/guide", None)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_api_headers(&answer, "JSON");
    let checkin = r#"{"now":"2026-11-23T08:30:00Z","soreness":{"quads":6}}"#;
    let path = format!("/plan.ics?checkin={}", checkin.replace('"', "%22").replace(':', "%3A"));
    let answer = send(state, get(&path, None)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
    assert_api_headers(&answer, ".ics");
    // The assets keep their own caching.
    let answer = send(state, get("/assets/app.css", None)).await;
    assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_ne!(answer.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn a_key_given_twice_is_refused_alike_on_every_json_body_and_nothing_is_stored() {
    let server = server(Mode::Personal).await;
    let state = &server.state;
    let athlete = server.store.ensure_athlete("me", 0).await.unwrap();
    let twice = r#"{"now":"2026-11-23T08:30:00Z","soreness":{"quads":2,"quads":9}}"#;
    let checkins = format!("/api/athletes/{athlete}/checkins");
    let profile = format!("/api/athletes/{athlete}/profile");
    for (method, path, body) in [
        ("POST", "/api/plan", twice),
        ("POST", checkins.as_str(), twice),
        ("PUT", profile.as_str(), r#"{"age": 30, "age": 31}"#),
    ] {
        let answer = send(state, json_request(method, path, "192.0.2.1", body)).await;
        let doc = answer.problem(422);
        assert_eq!(doc["type"], "/problems/invalid-json", "{path}");
        assert!(doc["field"] == "soreness.quads" || doc["field"] == "age", "{path}: {doc}");
    }
    assert!(server.store.checkins(athlete).await.unwrap().is_empty(), "nothing was stored");
    assert_eq!(server.store.profile(athlete).await.unwrap().age, None);
    // Not JSON at all: the same kind, at `$`.
    let answer = send(state, json_request("POST", &checkins, "192.0.2.1", "{\"now\":")).await;
    assert_eq!(answer.problem(422)["field"], "$");
}

// ----- a CSRF token per session -----

#[tokio::test]
async fn each_session_and_visitor_has_its_own_csrf_token_and_no_other_session_can_use_it() {
    let server = server(Mode::MultiUser).await;
    let state = &server.state;
    for name in ["ann", "bob"] {
        assert_eq!(sign_up(state, "192.0.2.1", name).await.status, StatusCode::CREATED);
    }
    let ann = session_of(&log_in(state, "192.0.2.1", "ann", PASSWORD).await);
    let ann_again = session_of(&log_in(state, "192.0.2.1", "ann", PASSWORD).await);
    let bob = session_of(&log_in(state, "192.0.2.1", "bob", PASSWORD).await);
    let mut tokens = Vec::new();
    for session in [&ann, &ann_again, &bob] {
        let answer =
            send(state, get("/profile", Some(&format!("afterrun_session={session}")))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let token = page_token(&answer.body);
        assert_ne!(&token, session, "the session's own token is never shown");
        tokens.push(token);
    }
    // Anonymous visitors get theirs, as a cookie with the page (Secure behind TLS).
    for _ in 0..2 {
        let mut request = get("/login", None);
        request.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
        let answer = send(state, request).await;
        let cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("Secure"), "{cookie}");
        let token = page_token(&answer.body);
        assert!(cookie.starts_with(&format!("afterrun_csrf={token};")), "{cookie}");
        tokens.push(token);
    }
    for (i, a) in tokens.iter().enumerate() {
        assert!(tokens[i + 1..].iter().all(|b| a != b), "token {i} is shared");
    }
    // A form without Origin or Sec-Fetch-Site (an old browser): only the session's own token.
    let form = |session: &str, token: &str| {
        let cookie = format!("afterrun_session={session}");
        common::form_without_origin(HOST, "/profile", cookie, format!("csrf_token={token}&age=41"))
    };
    let answer = send(state, form(&ann, &tokens[2])).await;
    assert_eq!(answer.problem(403)["field"], "csrf_token", "Bob's token in Ann's session");
    let answer = send(state, form(&ann, &tokens[1])).await;
    assert_eq!(answer.problem(403)["field"], "csrf_token", "another session of Ann's");
    let answer = send(state, form(&ann, &tokens[3])).await;
    assert_eq!(answer.problem(403)["field"], "csrf_token", "an anonymous visitor's");
    let ann_id = server.store.athlete_id("ann").await.unwrap().unwrap();
    assert_eq!(server.store.profile(ann_id).await.unwrap().age, None, "nothing changed");
    let answer = send(state, form(&ann, &tokens[0])).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(server.store.profile(ann_id).await.unwrap().age, Some(41));
}

// ----- log-in and sign-up floods -----

#[tokio::test]
async fn a_log_in_flood_from_one_client_is_refused_and_others_still_log_in() {
    let server = server(Mode::MultiUser).await;
    let state = &server.state;
    assert_eq!(sign_up(state, "198.51.100.7", "ann").await.status, StatusCode::CREATED);
    let flood: Vec<_> = (0..64)
        .map(|i| {
            let state = state.clone();
            let name = format!("x{}-{i}", afterrun_server::security::new_csrf_token());
            tokio::spawn(async move {
                log_in(&state, "203.0.113.9", &name[..40], "any password at all").await
            })
        })
        .collect();
    // Ann logs in from her own address while the flood is on.
    let started = Instant::now();
    let ann = log_in(state, "198.51.100.7", "ann", PASSWORD).await;
    let took = started.elapsed();
    session_of(&ann);
    assert!(took < Duration::from_secs(1), "Ann waited {took:?}");
    let mut refused = 0;
    for task in flood {
        let answer = task.await.unwrap();
        match answer.status.as_u16() {
            401 => {}
            429 => {
                answer.problem(429);
                assert!(answer.headers.contains_key(header::RETRY_AFTER));
                refused += 1;
            }
            other => panic!("{other}: {}", answer.body),
        }
    }
    assert!(refused > 32, "most of the flood is refused, {refused} of 64 were");
}

#[tokio::test]
async fn failed_log_ins_and_sign_ups_are_limited_per_client() {
    let server = server(Mode::MultiUser).await;
    let state = &server.state;
    let limit = afterrun_server::limits::MAX_CLIENT_FAILURES;
    for i in 0..limit {
        let answer = log_in(state, "203.0.113.9", &format!("nobody{i}"), "wrong password!").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{i}: {}", answer.body);
    }
    let answer = log_in(state, "203.0.113.9", "someone-else", "wrong password!").await;
    answer.problem(429);
    let retry: i64 = answer.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Another client is not affected, and its successes are not counted.
    assert_eq!(sign_up(state, "198.51.100.7", "ann").await.status, StatusCode::CREATED);
    for _ in 0..limit + 1 {
        session_of(&log_in(state, "198.51.100.7", "ann", PASSWORD).await);
    }
    // Sign-ups: the limit per client, then 429; other clients still sign up.
    for i in 1..afterrun_server::limits::MAX_CLIENT_SIGNUPS {
        let answer = sign_up(state, "198.51.100.7", &format!("user{i}")).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    sign_up(state, "198.51.100.7", "one-too-many").await.problem(429);
    assert!(server.store.account_by_username("one-too-many").await.unwrap().is_none());
    assert_eq!(sign_up(state, "192.0.2.44", "bob").await.status, StatusCode::CREATED);
    // The refused client connecting directly cannot pose as another in X-Forwarded-For: only
    // the trusted proxy's is believed.
    let body = json!({"username": "ann", "password": PASSWORD}).to_string();
    let mut request = json_request("POST", "/api/session", "198.51.100.99", &body);
    request.extensions_mut().insert(ConnectInfo::<SocketAddr>("203.0.113.9:1".parse().unwrap()));
    let response = router(state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_api_document_tells_of_413_and_429() {
    let server = server(Mode::MultiUser).await;
    let doc = send(&server.state, get("/api/openapi.json", None)).await.json();
    let problem = "#/components/schemas/Problem";
    for (path, method) in [("/api/plan", "post"), ("/api/athletes/{id}/checkins", "post")] {
        let answer = &doc["paths"][path][method]["responses"]["413"];
        assert_eq!(answer["content"]["application/problem+json"]["schema"]["$ref"], problem);
    }
    for path in ["/api/session", "/api/accounts"] {
        let answer = &doc["paths"][path]["post"]["responses"]["429"];
        assert_eq!(answer["content"]["application/problem+json"]["schema"]["$ref"], problem);
        assert!(answer["headers"]["Retry-After"].is_object(), "{path}");
    }
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(description.contains("405") && description.contains("nosniff"));
}

// ----- bounded uploads -----

fn upload_request(body: Body) -> Request<Body> {
    Request::post("/api/athletes/me/activities?name=run.gpx")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(body)
        .unwrap()
}

/// The files in a folder.
fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect()
}

#[cfg(unix)]
#[tokio::test]
async fn an_upload_goes_to_a_private_file_as_it_arrives_and_one_athlete_has_one_at_a_time() {
    use std::os::unix::fs::PermissionsExt as _;
    let mut server = server(Mode::Personal).await;
    let spool_dir = server.dir.join("uploads");
    std::fs::create_dir_all(&spool_dir).unwrap();
    let config = Config {
        mode: Mode::Personal,
        upload_dir: Some(spool_dir.clone()),
        max_uploads_per_account: 1,
        ..Config::default()
    };
    server.state = AppState::new(config, clock).with_store(Arc::clone(&server.store));
    let state = &server.state;
    // A body that arrives in two parts, the second only when the test says so.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let owned = state.clone();
    let pending =
        tokio::spawn(async move { send(&owned, upload_request(Body::from_stream(stream))).await });
    let (head, tail) = GPX.as_bytes().split_at(100);
    tx.send(Ok(head.to_vec())).await.unwrap();
    let mut spooled = Vec::new();
    for _ in 0..200 {
        spooled = files_in(&spool_dir);
        if spooled.len() == 1 && std::fs::metadata(&spooled[0]).unwrap().len() == 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(spooled.len(), 1, "the body is written to a file as it arrives");
    let meta = std::fs::metadata(&spooled[0]).unwrap();
    assert_eq!((meta.len(), meta.permissions().mode() & 0o777), (100, 0o600));
    // While it is in progress, the athlete's next upload waits its turn.
    let busy = send(state, upload_request(Body::from(GPX))).await;
    assert_eq!(busy.problem(429)["type"], "/problems/too-many-uploads");
    assert!(busy.headers.contains_key(header::RETRY_AFTER));
    tx.send(Ok(tail.to_vec())).await.unwrap();
    drop(tx);
    let done = pending.await.unwrap();
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["summary"]["new"], 1);
    assert!(files_in(&spool_dir).is_empty(), "the file is gone after the import");
    let again = send(state, upload_request(Body::from(GPX))).await;
    assert_eq!(again.status, StatusCode::OK, "the turn was given back: {}", again.body);
    assert_eq!(again.json()["summary"]["duplicates"], 1);
    assert!(files_in(&spool_dir).is_empty());
}

// ----- the account's life cycle -----

/// A JSON request of a logged-in client.
fn with_session(mut request: Request<Body>, token: &str) -> Request<Body> {
    let cookie = format!("afterrun_session={token}").parse().unwrap();
    request.headers_mut().insert(header::COOKIE, cookie);
    request
}

#[tokio::test]
async fn an_account_changes_its_password_exports_its_data_and_deletes_itself() {
    let s = server(Mode::MultiUser).await;
    let client = "203.0.113.50";
    sign_up(&s.state, client, "ann").await;
    let first = session_of(&log_in(&s.state, client, "ann", PASSWORD).await);
    let second = session_of(&log_in(&s.state, client, "ann", PASSWORD).await);
    // Her data: a check-in by `me`.
    let checkin = r#"{"now":"2026-11-23T08:30:00Z","soreness":{"quads":6}}"#;
    let answer = send(
        &s.state,
        with_session(json_request("POST", "/api/athletes/me/checkins", client, checkin), &first),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);

    // Her export: the `afterrun export` document, hers only.
    let export =
        send(&s.state, get("/api/athletes/me/export", Some(&format!("afterrun_session={first}"))))
            .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert_api_headers(&export, "export");
    assert_eq!(export.json()["checkins"].as_array().unwrap().len(), 1, "{}", export.body);

    // A wrong current password changes nothing; the right one ends every other session.
    let wrong = json!({"current": "not it at all", "new": "a new long passphrase"}).to_string();
    let answer = send(
        &s.state,
        with_session(json_request("PUT", "/api/me/password", client, &wrong), &first),
    )
    .await;
    answer.problem(401);
    let change = json!({"current": PASSWORD, "new": "a new long passphrase"}).to_string();
    let answer = send(
        &s.state,
        with_session(json_request("PUT", "/api/me/password", client, &change), &first),
    )
    .await;
    let third = session_of(&answer);
    let me = |token: &str| with_session(json_request("GET", "/api/me", client, ""), token);
    assert_eq!(
        send(&s.state, me(&second)).await.status,
        StatusCode::UNAUTHORIZED,
        "other sessions ended"
    );
    assert_eq!(
        send(&s.state, me(&first)).await.status,
        StatusCode::UNAUTHORIZED,
        "the old one too"
    );
    assert_eq!(send(&s.state, me(&third)).await.status, StatusCode::OK, "the new one works");
    log_in(&s.state, client, "ann", PASSWORD).await.problem(401);
    session_of(&log_in(&s.state, client, "ann", "a new long passphrase").await);

    // Deleting the account takes her data with it, after her password.
    let athlete = s.store.athlete_id("ann").await.unwrap().unwrap();
    let bad = json!({"password": PASSWORD}).to_string();
    send(&s.state, with_session(json_request("DELETE", "/api/me", client, &bad), &third))
        .await
        .problem(401);
    let good = json!({"password": "a new long passphrase"}).to_string();
    let answer =
        send(&s.state, with_session(json_request("DELETE", "/api/me", client, &good), &third))
            .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
    assert!(answer.headers[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(s.store.athlete_id("ann").await.unwrap(), None);
    assert!(s.store.checkins(athlete).await.unwrap().is_empty());
    assert!(s.store.account_by_username("ann").await.unwrap().is_none());
    assert_eq!(send(&s.state, me(&third)).await.status, StatusCode::UNAUTHORIZED);
}
