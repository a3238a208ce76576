//! What the server's tests share: a server state over a new SQLite file in a temporary folder
//! of its own, removed when the test ends; the clock and bodies they send; and a request sent
//! through the router with `oneshot`, its answer read whole.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // test helpers panic on purpose

use std::path::PathBuf;
use std::sync::Arc;

use afterrun_server::{AppState, Config, Mode, router};
use afterrun_store::{Location, Store};
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt as _;

/// A loopback `Host` that personal mode answers to, and its origin.
pub const LOOPBACK_HOST: &str = "127.0.0.1:8080";
pub const LOOPBACK_ORIGIN: &str = "http://127.0.0.1:8080";
/// A well-formed CSRF token.
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The tests' clock: the check-ins' `now`.
pub fn clock() -> jiff::Timestamp {
    "2026-11-23T08:30:00Z".parse().unwrap()
}

/// A check-in with some soreness.
pub const CHECKIN: &str = r#"{"now":"2026-11-23T08:30:00Z","soreness":{"quads":6}}"#;

/// A short run as GPX, for the uploads.
pub const GPX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>run</name><type>running</type><trkseg>
<trkpt lat="48.0" lon="11.0"><time>2026-11-22T08:00:00Z</time></trkpt>
<trkpt lat="48.001" lon="11.0"><time>2026-11-22T08:01:00Z</time></trkpt>
<trkpt lat="48.002" lon="11.0"><time>2026-11-22T08:02:00Z</time></trkpt>
</trkseg></trk></gpx>"#;

/// A state, its store and the folder that holds the store's file.
pub struct Server {
    pub state: AppState,
    pub store: Arc<Store>,
    pub dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// A new store in `afterrun-{tag}-test-…`, and the state `make` builds over it.
pub async fn server_with(tag: &str, make: impl FnOnce(&Arc<Store>) -> AppState) -> Server {
    let dir = std::env::temp_dir().join(format!(
        "afterrun-{tag}-test-{}-{}",
        std::process::id(),
        afterrun_server::auth::new_token()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Arc::new(Store::connect(&Location::Sqlite(dir.join("club.db"))).await.unwrap());
    let state = make(&store);
    Server { state, store, dir }
}

/// A personal-mode state at [`clock`], without a store.
pub fn personal() -> AppState {
    with_mode(Mode::Personal)
}

/// A state of this mode at [`clock`], without a store.
pub fn with_mode(mode: Mode) -> AppState {
    AppState::new(Config { mode, ..Config::default() }, clock)
}

/// A personal-mode server over a new store in `afterrun-{tag}-test-…`.
pub async fn personal_server(tag: &str) -> Server {
    server_with(tag, |store| personal().with_store(Arc::clone(store))).await
}

/// A router's answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// A header's value as text.
    pub fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
    }

    /// The answer is a problem document of this status; its body.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.headers[header::CONTENT_TYPE], "application/problem+json", "{}", self.body);
        let doc = self.json();
        assert_eq!(doc["status"], status);
        assert!(doc["type"].as_str().unwrap().starts_with("/problems/"));
        doc
    }

    /// The media type, or "" when there is none.
    pub fn media(&self) -> String {
        self.header(header::CONTENT_TYPE).unwrap_or_default()
    }
}

/// Sends `request` through the router over `state`.
pub async fn send(state: &AppState, request: Request<Body>) -> Answer {
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

/// A `GET` of `path` at the loopback host.
pub fn get(path: &str) -> Request<Body> {
    Request::get(path).header(header::HOST, LOOPBACK_HOST).body(Body::empty()).unwrap()
}

/// A form the site's own page posts at the loopback host (`Sec-Fetch-Site: same-origin`); the
/// `:` in the values written `%3A`.
pub fn post_form(path: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> =
        pairs.iter().map(|(k, v)| format!("{k}={}", v.replace(':', "%3A"))).collect();
    Request::post(path)
        .header(header::HOST, LOOPBACK_HOST)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap()
}

/// A form posted to `host` without `Origin` or `Sec-Fetch-Site` (as an old browser does), with
/// this cookie: only a CSRF token can let it through.
pub fn form_without_origin(host: &str, path: &str, cookie: String, body: String) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, host)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

/// A `POST` of a `media` body from the site's own page at the loopback host (with `Origin`).
pub fn post_as(path: &str, media: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, LOOPBACK_HOST)
        .header(header::ORIGIN, LOOPBACK_ORIGIN)
        .header(header::CONTENT_TYPE, media)
        .body(body.into())
        .unwrap()
}
