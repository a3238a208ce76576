//! `serve --signup open|invite|closed`, over a real SQLite store file: a closed server makes no
//! account; an invitation server makes one per invitation, from a coach or the operator.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;
use common::Server;
use common::clock;

use std::sync::Arc;

use afterrun_server::{AppState, Config, Mode, Signup, router};
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const HOST: &str = "club.example";
const ORIGIN: &str = "https://club.example";
const PASSWORD: &str = "correct horse battery";

async fn server(signup: Signup) -> Server {
    common::server_with("signup", |store| {
        AppState::new(Config { mode: Mode::MultiUser, signup, ..Config::default() }, clock)
            .with_store(Arc::clone(store))
    })
    .await
}

async fn send(state: &AppState, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn post(path: &str, cookie: Option<&str>, content_type: &str, body: String) -> Request<Body> {
    let mut builder = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, content_type);
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::from(body)).unwrap()
}

async fn sign_up(
    state: &AppState,
    username: &str,
    role: &str,
    invite: Option<&str>,
) -> (u16, Value) {
    let body = json!({"username": username, "password": PASSWORD, "role": role, "invite": invite});
    let request = post("/api/accounts", None, "application/json", body.to_string());
    let (status, _, body) = send(state, request).await;
    (status.as_u16(), serde_json::from_str(&body).unwrap())
}

async fn session(state: &AppState, username: &str) -> String {
    let body = json!({"username": username, "password": PASSWORD}).to_string();
    let (status, headers, _) =
        send(state, post("/api/session", None, "application/json", body)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).header(header::HOST, HOST).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn a_closed_server_makes_no_account() {
    let server = server(Signup::Closed).await;
    let (status, problem) = sign_up(&server.state, "ann", "athlete", None).await;
    assert_eq!((status, problem["type"].as_str()), (403, Some("/problems/signup-closed")));
    assert!(server.store.account_by_username("ann").await.unwrap().is_none());
    let (status, _, html) = send(&server.state, get("/signup")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Sign-up is closed") && !html.contains("name=\"password\""));
}

#[tokio::test]
async fn an_invitation_makes_one_account() {
    let server = server(Signup::Invite).await;
    let state = &server.state;
    let (status, problem) = sign_up(state, "ann", "athlete", None).await;
    assert_eq!((status, problem["type"].as_str()), (403, Some("/problems/invite-required")));
    let (status, problem) = sign_up(state, "ann", "athlete", Some("made-up")).await;
    assert_eq!((status, problem["type"].as_str()), (403, Some("/problems/invalid-invite")));
    // The operator's invitation (what `afterrun invite` keeps) makes the first coach.
    let now = clock().as_second();
    server.store.create_invite("from-the-operator", None, now, now + 60).await.unwrap();
    assert_eq!(sign_up(state, "coach", "coach", Some("from-the-operator")).await.0, 201);
    let (status, problem) = sign_up(state, "coach2", "coach", Some("from-the-operator")).await;
    assert_eq!((status, problem["type"].as_str()), (403, Some("/problems/invalid-invite")), "once");
    // The coach invites a runner, who signs up with the page's form.
    let cookie = session(state, "coach").await;
    let request = post("/api/invites", Some(&cookie), "application/json", String::new());
    let (status, _, body) = send(state, request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let invite: Value = serde_json::from_str(&body).unwrap();
    let path = invite["path"].as_str().unwrap();
    let token = invite["invite"].as_str().unwrap();
    assert_eq!(path, format!("/signup?invite={token}"));
    let (status, _, html) = send(state, get("/signup")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no invitation, no form");
    assert!(html.contains("Sign-up is by invitation"));
    let (status, _, html) = send(state, get(path)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!(r#"name="invite" value="{token}""#)), "{html}");
    let form = format!("username=ann&password=correct+horse+battery&role=athlete&invite={token}");
    let request = post("/signup", None, "application/x-www-form-urlencoded", form.clone());
    let (status, headers, body) = send(state, request).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(headers.contains_key(header::SET_COOKIE), "logged in");
    assert!(server.store.account_by_username("ann").await.unwrap().is_some());
    let again = form.replace("username=ann", "username=bob");
    let request = post("/signup", None, "application/x-www-form-urlencoded", again);
    let (status, _, html) = send(state, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("already used"), "the form says why: {html}");
    assert!(server.store.account_by_username("bob").await.unwrap().is_none());
    // A runner cannot invite.
    let cookie = session(state, "ann").await;
    let request = post("/api/invites", Some(&cookie), "application/json", String::new());
    assert_eq!(send(state, request).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_coach_makes_an_invitation_link_on_their_page() {
    let server = server(Signup::Invite).await;
    let state = &server.state;
    let now = clock().as_second();
    server.store.create_invite("first", None, now, now + 60).await.unwrap();
    assert_eq!(sign_up(state, "coach", "coach", Some("first")).await.0, 201);
    let cookie = session(state, "coach").await;
    let mut request = get("/coach");
    request.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
    let (status, _, html) = send(state, request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"action="/coach/invites""#), "{html}");
    let form = "csrf_token=x".to_owned();
    let mut request =
        post("/coach/invites", Some(&cookie), "application/x-www-form-urlencoded", form);
    request.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    let (status, _, html) = send(state, request).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let link = html.split("https://club.example/signup?invite=").nth(1).expect("the link");
    let token: String = link.chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(token.len(), 64);
    assert_eq!(sign_up(state, "ann", "athlete", Some(&token)).await.0, 201);
}
