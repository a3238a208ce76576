//! The API document tells the truth: every operation of the served `/api/openapi.json` gets
//! real requests through the real router over a real SQLite store (personal mode, multi-user
//! mode with accounts and sessions, sign-up by invitation, `--lan`), valid ones and the cheap
//! documented refusals; every answer's status must be documented for its operation, its media
//! type must be the documented one, and a JSON answer must validate (draft 2020-12, `$ref`s into
//! `components`) against the documented schema. A JSON body sent in a case that expects success
//! must validate against the documented request schema. An operation without a successful case
//! fails the test, so a new endpoint cannot be forgotten.
//!
//! A case is one row of [`personal`], [`without_store`], [`multi_user`], [`by_invitation`] or
//! [`lan`]: who asks, method, URI, body, expected status; [`check`] validates every answer.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;
use common::{CHECKIN, GPX, clock};

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;

use afterrun_server::{AppState, Config, Mode, Signup, router};
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// A check-in with a red flag: a coach's referral.
const RED_FLAG: &str =
    r#"{"now":"2026-11-23T08:30:00Z","symptoms":[{"code":"chest_pain"}],"soreness":{"quads":3}}"#;

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    /// Personal mode: the person at the machine (loopback `Host` and peer).
    Owner,
    /// `--lan`: an unpaired phone on the home network.
    Phone,
    /// Personal mode: another site's page in the owner's browser (a foreign `Origin`).
    Foreign,
    /// Personal mode: a DNS-rebinding page (`Host` not a loopback name).
    Rebound,
    /// Multi-user: no session.
    Anon,
    /// Multi-user: athlete Ann.
    Ann,
    /// Multi-user: coach Carla (Ann links her).
    Carla,
    /// Multi-user: athlete Dan, who changes his password and deletes his account.
    Dan,
}

/// A request body.
#[derive(Debug, Clone, Copy)]
enum Payload {
    None,
    Json(&'static str),
    Form(&'static str),
    /// A file's bytes (`application/octet-stream`).
    Bytes(&'static str),
    /// `multipart/form-data` with one file under `files`.
    Multipart(&'static str),
}

/// One request and the status it must get. `{name}` in the URI or body is a value kept from an
/// earlier answer ([`Case::keep`]); `keep` names values of this answer to keep: a JSON pointer,
/// or `cookie` for the session cookie it sets (kept under the name given).
#[derive(Debug, Clone)]
struct Case {
    who: Who,
    method: &'static str,
    uri: &'static str,
    body: Payload,
    expect: u16,
    keep: Vec<(&'static str, &'static str)>,
}

fn case(who: Who, method: &'static str, uri: &'static str, body: Payload, expect: u16) -> Case {
    Case { who, method, uri, body, expect, keep: Vec::new() }
}

impl Case {
    fn keep(mut self, name: &'static str, pointer: &'static str) -> Case {
        self.keep.push((name, pointer));
        self
    }
}

use Payload::{Bytes, Form, Json, Multipart, None as Empty};
use Who::{Ann, Anon, Carla, Dan, Foreign, Owner, Phone, Rebound};

/// Personal mode (the owner), over a store.
#[rustfmt::skip]
fn personal(example: &'static str, large: &'static str) -> Vec<Case> {
    vec![
        case(Owner, "GET", "/healthz", Empty, 200),
        case(Owner, "GET", "/api/openapi.json", Empty, 200),
        case(Owner, "POST", "/api/plan", Json(example), 200),
        case(Owner, "POST", "/api/plan", Json(CHECKIN), 200),
        case(Owner, "POST", "/api/plan", Json(r#"{"now":"yesterday"}"#), 422),
        case(Owner, "POST", "/api/plan", Json(r#"{"now":"2026-11-23T08:30:00Z""#), 422),
        case(Owner, "POST", "/api/plan", Json(r#"{"now":"2026-11-23T08:30:00Z","now":"2026-11-23T08:30:00Z"}"#), 422),
        case(Owner, "POST", "/api/plan", Json(large), 413),
        case(Foreign, "POST", "/api/plan", Json(CHECKIN), 403),
        case(Rebound, "POST", "/api/plan", Json(CHECKIN), 421),
        case(Foreign, "POST", "/api/athletes/me/activities?name=run.gpx", Bytes(GPX), 403),
        case(Foreign, "POST", "/profile", Form("age=41"), 403),
        case(Foreign, "POST", "/checkin", Form("sore_quads_left=6"), 403),
        case(Foreign, "POST", "/plans/1/steps/0/done", Form(""), 403),
        case(Owner, "GET", "/api/guide", Empty, 200),
        case(Owner, "GET", "/api/guide/doms", Empty, 200),
        case(Owner, "GET", "/api/guide/no-such-topic", Empty, 404),
        case(Owner, "GET", "/api/me", Empty, 200).keep("me", "/athlete_id"),
        case(Owner, "POST", "/api/athletes/me/checkins", Json(CHECKIN), 201).keep("plan", "/plan_id"),
        case(Owner, "GET", "/api/me", Empty, 200).keep("a", "/athlete_id"),
        case(Owner, "POST", "/api/athletes/{a}/checkins", Json(r#"{"now":"yesterday"}"#), 422),
        case(Owner, "GET", "/api/athletes", Empty, 200),
        case(Owner, "GET", "/api/athletes/{a}/profile", Empty, 200),
        case(Owner, "GET", "/api/athletes/987654/profile", Empty, 404),
        case(Owner, "PUT", "/api/athletes/{a}/profile", Json(r#"{"weekly_km":42,"age":36}"#), 200),
        case(Owner, "PUT", "/api/athletes/{a}/profile", Json(r#"{"goal":"sprint"}"#), 422),
        case(Owner, "GET", "/api/athletes/{a}/checkins", Empty, 200),
        case(Owner, "GET", "/api/athletes/{a}/plans", Empty, 200),
        case(Owner, "GET", "/api/athletes/{a}/plans/{plan}", Empty, 200),
        case(Owner, "GET", "/api/athletes/{a}/plans/987654", Empty, 404),
        case(Owner, "POST", "/api/athletes/{a}/plans/{plan}/steps/0/done", Empty, 200),
        case(Owner, "POST", "/api/athletes/{a}/plans/{plan}/steps/99/done", Empty, 404),
        case(Owner, "POST", "/api/athletes/me/activities?name=run.gpx", Bytes(GPX), 200),
        case(Owner, "POST", "/api/athletes/me/activities", Bytes(GPX), 400),
        case(Owner, "POST", "/api/athletes/987654/activities?name=run.gpx", Bytes(GPX), 404),
        case(Owner, "GET", "/api/athletes/{a}/activities", Empty, 200),
        case(Owner, "GET", "/api/athletes/{a}/status", Empty, 200),
        case(Owner, "GET", "/api/athletes/me/status", Empty, 200),
        case(Owner, "GET", "/api/athletes/987654/status", Empty, 404),
        case(Owner, "GET", "/api/athletes/{a}/export", Empty, 200),
        case(Owner, "GET", "/api/athletes/987654/export", Empty, 404),
        case(Owner, "GET", "/api/athletes/{a}/coaches", Empty, 200),
        case(Owner, "POST", "/api/athletes/{a}/coaches", Json(r#"{"coach":"nobody"}"#), 422),
        case(Owner, "DELETE", "/api/athletes/{a}/coaches/nobody", Empty, 404),
        // Accounts, sessions, coaches and invitations are multi-user things: 404 here.
        case(Owner, "POST", "/api/accounts", Json(r#"{"username":"ann","password":"correct horse battery","role":"athlete"}"#), 404),
        case(Owner, "POST", "/api/session", Json(r#"{"username":"ann","password":"correct horse battery"}"#), 404),
        case(Owner, "DELETE", "/api/session", Empty, 404),
        case(Owner, "PUT", "/api/me/password", Json(r#"{"current":"correct horse battery","new":"another long one"}"#), 404),
        case(Owner, "DELETE", "/api/me", Json(r#"{"password":"correct horse battery"}"#), 404),
        case(Owner, "POST", "/api/invites", Empty, 404),
        case(Owner, "GET", "/api/referrals", Empty, 404),
        case(Owner, "POST", "/api/coach/athletes/{a}/accept", Empty, 404),
        case(Owner, "DELETE", "/api/coach/athletes/{a}", Empty, 404),
        // The web app.
        case(Owner, "GET", "/", Empty, 200),
        case(Owner, "GET", "/checkin", Empty, 303),
        case(Owner, "POST", "/checkin", Form("sore_quads_left=6&sore_quads_right=5"), 303),
        case(Owner, "POST", "/checkin", Form("sore_quads_left=eleven"), 422),
        case(Owner, "GET", "/plan.ics?checkin=%7B%22now%22%3A%222026-11-23T08%3A30%3A00Z%22%7D", Empty, 200),
        case(Owner, "GET", "/plan.ics", Empty, 400),
        case(Owner, "GET", "/plan.ics?checkin=%7B%22now%22%3A%22yesterday%22%7D", Empty, 422),
        case(Owner, "GET", "/plans", Empty, 200),
        case(Owner, "GET", "/plans/{plan}", Empty, 200),
        case(Owner, "GET", "/plans/987654", Empty, 404),
        case(Owner, "GET", "/plans/{plan}/calendar.ics", Empty, 200),
        case(Owner, "GET", "/plans/987654/calendar.ics", Empty, 404),
        case(Owner, "POST", "/plans/{plan}/steps/1/done", Form(""), 303),
        case(Owner, "POST", "/plans/{plan}/steps/1/undo", Form(""), 303),
        case(Owner, "POST", "/plans/{plan}/steps/99/done", Form(""), 404),
        case(Owner, "POST", "/plans/987654/steps/0/undo", Form(""), 404),
        case(Owner, "GET", "/profile", Empty, 200),
        case(Owner, "POST", "/profile", Form("age=41"), 303),
        case(Owner, "POST", "/profile", Form("age=abc"), 422),
        case(Owner, "GET", "/import", Empty, 200),
        case(Owner, "POST", "/import", Multipart(GPX), 200),
        case(Owner, "GET", "/guide", Empty, 200),
        case(Owner, "GET", "/guide/doms", Empty, 200),
        case(Owner, "GET", "/guide/no-such-topic", Empty, 404),
        case(Owner, "GET", "/status", Empty, 200),
        case(Owner, "GET", "/device", Empty, 200),
        case(Owner, "GET", "/device?plan=987654", Empty, 404),
        case(Owner, "GET", "/device/run?plan=demo", Empty, 200),
        case(Owner, "GET", "/device/run?plan=987654", Empty, 404),
        case(Owner, "GET", "/api/device/compression/stream?plan=demo", Empty, 200),
        case(Owner, "GET", "/api/device/compression/stream?speed=0", Empty, 400),
        case(Owner, "GET", "/api/device/compression/stream?plan=987654", Empty, 404),
        case(Owner, "GET", "/api/device/vibration/stream?plan=demo", Empty, 200),
        case(Owner, "GET", "/assets/app.css", Empty, 200),
        case(Owner, "GET", "/assets/no-such-file.css", Empty, 404),
        case(Owner, "GET", "/manifest.webmanifest", Empty, 200),
        case(Owner, "GET", "/sw.js", Empty, 200),
        // The multi-user pages and `--lan` forms are not served here.
        case(Owner, "GET", "/login", Empty, 404),
        case(Owner, "GET", "/signup", Empty, 404),
        case(Owner, "GET", "/pair/0123", Empty, 404),
        case(Owner, "POST", "/profile/devices/link", Form(""), 404),
    ]
}

/// Personal mode without a store (`serve --no-store`… or a store that failed to open): the
/// check-in form answers the plan page itself, and nothing stored can be shown.
#[rustfmt::skip]
fn without_store() -> Vec<Case> {
    vec![
        case(Owner, "POST", "/checkin", Form("sore_quads_left=6"), 200),
        case(Owner, "GET", "/profile", Empty, 404),
        case(Owner, "GET", "/api/athletes/1/profile", Empty, 404),
        case(Owner, "POST", "/api/athletes/me/activities?name=run.gpx", Bytes(GPX), 404),
    ]
}

/// Multi-user mode, sign-up open: Ann (athlete) links coach Carla; Dan changes his password
/// and deletes his account.
#[rustfmt::skip]
fn multi_user() -> Vec<Case> {
    let ann = r#"{"username":"ann","password":"correct horse battery","role":"athlete"}"#;
    vec![
        case(Anon, "POST", "/api/accounts", Json(ann), 201).keep("a", "/athlete_id"),
        case(Anon, "POST", "/api/accounts", Json(ann), 409),
        case(Anon, "POST", "/api/accounts", Json(r#"{"username":"carla","password":"correct horse battery","role":"coach"}"#), 201),
        case(Anon, "POST", "/api/accounts", Json(r#"{"username":"dan","password":"correct horse battery","role":"athlete","invite":null}"#), 201),
        case(Anon, "POST", "/api/accounts", Json(r#"{"username":"Ann!","password":"correct horse battery","role":"athlete"}"#), 422),
        case(Anon, "POST", "/api/session", Json(r#"{"username":"ann","password":"correct horse battery"}"#), 204).keep("ann", "cookie"),
        case(Anon, "POST", "/api/session", Json(r#"{"username":"carla","password":"correct horse battery"}"#), 204).keep("carla", "cookie"),
        case(Anon, "POST", "/api/session", Json(r#"{"username":"dan","password":"correct horse battery"}"#), 204).keep("dan", "cookie"),
        case(Anon, "POST", "/api/session", Json(r#"{"username":"ann","password":"not the password"}"#), 401),
        case(Anon, "POST", "/api/session", Json("[1]"), 422),
        case(Anon, "GET", "/api/me", Empty, 401),
        case(Ann, "GET", "/api/me", Empty, 200),
        case(Carla, "GET", "/api/me", Empty, 200),
        case(Anon, "GET", "/api/athletes", Empty, 401),
        case(Ann, "GET", "/api/athletes", Empty, 200),
        case(Ann, "POST", "/api/athletes/{a}/coaches", Json(r#"{"coach":"carla"}"#), 201),
        case(Ann, "POST", "/api/athletes/{a}/coaches", Json(r#"{"coach":"dan"}"#), 422),
        case(Carla, "POST", "/api/coach/athletes/{a}/accept", Empty, 204),
        case(Ann, "POST", "/api/coach/athletes/{a}/accept", Empty, 404),
        case(Anon, "POST", "/api/coach/athletes/{a}/accept", Empty, 401),
        case(Ann, "GET", "/api/athletes/{a}/coaches", Empty, 200),
        case(Carla, "GET", "/api/athletes/{a}/coaches", Empty, 200),
        case(Anon, "GET", "/api/athletes/{a}/coaches", Empty, 401),
        case(Ann, "PUT", "/api/athletes/{a}/profile", Json(r#"{"weekly_km":42}"#), 200),
        case(Carla, "PUT", "/api/athletes/{a}/profile", Json(r#"{"weekly_km":43}"#), 403),
        case(Anon, "PUT", "/api/athletes/{a}/profile", Json(r#"{"weekly_km":43}"#), 401),
        case(Carla, "GET", "/api/athletes/{a}/profile", Empty, 200),
        case(Ann, "POST", "/api/athletes/{a}/checkins", Json(RED_FLAG), 201).keep("plan", "/plan_id"),
        case(Carla, "POST", "/api/athletes/{a}/checkins", Json(CHECKIN), 403),
        case(Ann, "POST", "/api/athletes/{a}/checkins", Json("{\"now\":1}"), 422),
        case(Carla, "GET", "/api/athletes/{a}/checkins", Empty, 200),
        case(Carla, "GET", "/api/athletes/{a}/plans", Empty, 200),
        case(Carla, "GET", "/api/athletes/{a}/plans/{plan}", Empty, 200),
        case(Ann, "POST", "/api/athletes/{a}/plans/{plan}/steps/0/done", Empty, 200),
        case(Carla, "POST", "/api/athletes/{a}/plans/{plan}/steps/0/done", Empty, 403),
        case(Ann, "POST", "/api/athletes/me/activities?name=run.gpx", Bytes(GPX), 200),
        case(Carla, "GET", "/api/athletes/{a}/activities", Empty, 200),
        case(Carla, "GET", "/api/athletes/{a}/status", Empty, 200),
        case(Dan, "GET", "/api/athletes/{a}/status", Empty, 404),
        case(Ann, "GET", "/api/athletes/{a}/export", Empty, 200),
        case(Carla, "GET", "/api/athletes/{a}/export", Empty, 403),
        case(Anon, "GET", "/api/athletes/{a}/export", Empty, 401),
        case(Carla, "GET", "/api/referrals", Empty, 200),
        case(Ann, "GET", "/api/referrals", Empty, 403),
        case(Anon, "GET", "/api/referrals", Empty, 401),
        case(Carla, "POST", "/api/invites", Empty, 201),
        case(Ann, "POST", "/api/invites", Empty, 403),
        case(Anon, "POST", "/api/invites", Empty, 401),
        // Without a session: pages go to the login page, the rest is 401.
        case(Anon, "GET", "/api/athletes/{a}/status", Empty, 401),
        case(Anon, "POST", "/api/athletes/{a}/activities?name=run.gpx", Bytes(GPX), 401),
        case(Anon, "GET", "/api/athletes/{a}/plans/{plan}", Empty, 401),
        case(Anon, "POST", "/api/athletes/{a}/plans/{plan}/steps/0/done", Empty, 401),
        case(Anon, "POST", "/profile", Form("age=41"), 401),
        case(Anon, "POST", "/checkin", Form("sore_quads_left=6"), 401),
        case(Anon, "POST", "/plans/{plan}/steps/0/done", Form(""), 401),
        case(Anon, "GET", "/plans", Empty, 303),
        case(Anon, "GET", "/plans/{plan}", Empty, 303),
        case(Anon, "GET", "/status", Empty, 303),
        case(Anon, "GET", "/profile", Empty, 303),
        case(Anon, "GET", "/import", Empty, 303),
        case(Anon, "GET", "/device", Empty, 303),
        case(Anon, "GET", "/coach", Empty, 303),
        case(Anon, "GET", "/coach/athletes/{a}/status", Empty, 303),
        case(Anon, "PUT", "/api/me/password", Json(r#"{"current":"correct horse battery","new":"another long one"}"#), 401),
        case(Anon, "DELETE", "/api/me", Json(r#"{"password":"correct horse battery"}"#), 401),
        case(Ann, "GET", "/login", Empty, 303),
        // The pages.
        case(Anon, "GET", "/", Empty, 303),
        case(Ann, "GET", "/", Empty, 200),
        case(Carla, "GET", "/coach", Empty, 200),
        case(Ann, "GET", "/coach", Empty, 303),
        case(Carla, "GET", "/coach/athletes/{a}/status", Empty, 200),
        case(Carla, "GET", "/coach/athletes/987654/status", Empty, 404),
        case(Carla, "GET", "/coach/athletes/{a}/plans/{plan}", Empty, 200),
        case(Carla, "GET", "/coach/athletes/{a}/plans/987654", Empty, 404),
        case(Carla, "POST", "/coach/athletes/{a}/end", Form(""), 303),
        case(Carla, "POST", "/coach/athletes/{a}/end", Form(""), 404),
        case(Ann, "POST", "/profile/coaches", Form("coach=carla"), 303),
        case(Carla, "POST", "/coach/athletes/{a}/accept", Form(""), 303),
        case(Carla, "POST", "/coach/athletes/987654/accept", Form(""), 404),
        case(Carla, "DELETE", "/api/coach/athletes/{a}", Empty, 204),
        case(Carla, "DELETE", "/api/coach/athletes/{a}", Empty, 404),
        case(Ann, "POST", "/api/athletes/{a}/coaches", Json(r#"{"coach":"carla"}"#), 201),
        case(Ann, "DELETE", "/api/athletes/{a}/coaches/carla", Empty, 204),
        case(Ann, "DELETE", "/api/athletes/{a}/coaches/carla", Empty, 404),
        case(Ann, "POST", "/profile/coaches", Form("coach=carla"), 303),
        case(Ann, "POST", "/profile/coaches/carla/remove", Form(""), 303),
        case(Carla, "POST", "/coach/invites", Form(""), 404),
        case(Anon, "GET", "/login", Empty, 200),
        case(Anon, "POST", "/login", Form("username=ann&password=correct+horse+battery"), 303),
        case(Anon, "POST", "/login", Form("username=ann&password=wrong+password"), 401),
        case(Anon, "GET", "/signup", Empty, 200),
        case(Anon, "POST", "/signup", Form("username=fay&password=correct+horse+battery&role=athlete"), 303),
        case(Anon, "POST", "/signup", Form("username=fay&password=correct+horse+battery&role=athlete"), 409),
        case(Anon, "POST", "/signup", Form("username=F!&password=correct+horse+battery&role=athlete"), 422),
        case(Anon, "POST", "/logout", Form(""), 303),
        // Dan's account: a new password, then gone.
        case(Dan, "PUT", "/api/me/password", Json(r#"{"current":"not the password","new":"another long one"}"#), 401),
        case(Dan, "PUT", "/api/me/password", Json(r#"{"current":"correct horse battery","new":"another long one"}"#), 204).keep("dan", "cookie"),
        case(Dan, "DELETE", "/api/me", Json(r#"{"password":"correct horse battery"}"#), 401),
        case(Dan, "DELETE", "/api/me", Json(r#"{"password":"another long one"}"#), 204),
        case(Dan, "GET", "/api/me", Empty, 401),
        case(Ann, "DELETE", "/api/session", Empty, 204),
        case(Ann, "GET", "/api/me", Empty, 401),
    ]
}

/// Multi-user mode, sign-up by invitation: a coach (invited by the operator) makes a sign-up
/// link on her page.
#[rustfmt::skip]
fn by_invitation() -> Vec<Case> {
    vec![
        case(Anon, "POST", "/api/accounts", Json(r#"{"username":"carla","password":"correct horse battery","role":"coach"}"#), 403),
        case(Anon, "POST", "/api/accounts", Json(r#"{"username":"carla","password":"correct horse battery","role":"coach","invite":"from-the-operator"}"#), 201),
        case(Anon, "POST", "/api/session", Json(r#"{"username":"carla","password":"correct horse battery"}"#), 204).keep("carla", "cookie"),
        case(Carla, "POST", "/coach/invites", Form(""), 200),
        case(Anon, "GET", "/signup", Empty, 403),
    ]
}

/// `serve --lan`: the owner at loopback makes a pairing link and revokes a device; an unpaired
/// phone's link is refused.
#[rustfmt::skip]
fn lan() -> Vec<Case> {
    vec![
        case(Owner, "POST", "/profile/devices/link", Form(""), 303),
        case(Owner, "GET", "/pair/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Empty, 303),
        case(Phone, "GET", "/pair/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Empty, 401),
        case(Owner, "POST", "/profile/devices/1/revoke", Form(""), 303),
        case(Owner, "GET", "/", Empty, 200),
        // An unpaired phone gets only the open addresses; the rest is 401.
        case(Phone, "GET", "/healthz", Empty, 200),
        case(Phone, "GET", "/assets/app.css", Empty, 200),
        case(Phone, "GET", "/", Empty, 401),
        case(Phone, "GET", "/api/guide", Empty, 401),
        case(Phone, "POST", "/api/plan", Json(CHECKIN), 401),
        case(Phone, "POST", "/profile", Form("age=41"), 401),
        case(Phone, "POST", "/profile/devices/link", Form(""), 401),
        case(Phone, "GET", "/api/athletes/me/status", Empty, 401),
    ]
}

// ----- the harness -----

/// The server a list of cases runs against (its store, if it has one), and what the cases kept.
struct Run {
    state: AppState,
    server: Option<common::Server>,
    host: &'static str,
    origin: &'static str,
    kept: BTreeMap<String, String>,
}

const LOOPBACK: &str = "127.0.0.1:8080";
const PHONE_ADDR: &str = "127.0.0.2:8080";

async fn start(config: Config) -> Run {
    let server = common::server_with("oas", |store| {
        AppState::new(config, clock).with_store(Arc::clone(store))
    })
    .await;
    let mut run = start_without_store(server.state.clone());
    run.server = Some(server);
    run
}

fn start_without_store(state: AppState) -> Run {
    let multi = state.config().mode == Mode::MultiUser;
    let (host, origin) = if multi {
        ("club.example", "https://club.example")
    } else {
        (LOOPBACK, "http://127.0.0.1:8080")
    };
    Run { state, server: None, host, origin, kept: BTreeMap::new() }
}

/// An answer.
struct Answer {
    status: u16,
    media: String,
    set_cookie: Option<String>,
    allow: Option<String>,
    body: String,
}

impl Run {
    fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (name, value) in &self.kept {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    async fn send(&mut self, case: &Case) -> (String, Answer) {
        let uri = self.fill(case.uri);
        let (host, origin, peer) = match case.who {
            Phone => (PHONE_ADDR, "http://127.0.0.2:8080", "127.0.0.2:50000"),
            Foreign => (self.host, "https://evil.example", "127.0.0.1:50000"),
            Rebound => ("evil.example:8080", "http://evil.example:8080", "127.0.0.1:50000"),
            _ => (self.host, self.origin, "127.0.0.1:50000"),
        };
        let mut builder =
            Request::builder().method(case.method).uri(&uri).header(header::HOST, host);
        if case.method != "GET" {
            builder = builder.header(header::ORIGIN, origin);
        }
        let cookie = match case.who {
            Ann => self.kept.get("ann"),
            Carla => self.kept.get("carla"),
            Dan => self.kept.get("dan"),
            _ => None,
        };
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        let boundary = "afterrun-test-boundary";
        let (media, bytes) = match case.body {
            Empty => (None, String::new()),
            Json(text) => (Some("application/json".to_owned()), self.fill(text)),
            Form(text) => (Some("application/x-www-form-urlencoded".to_owned()), text.to_owned()),
            Bytes(text) => (Some("application/octet-stream".to_owned()), text.to_owned()),
            Multipart(text) => (
                Some(format!("multipart/form-data; boundary={boundary}")),
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; \
                     filename=\"run.gpx\"\r\nContent-Type: application/gpx+xml\r\n\r\n{text}\r\n\
                     --{boundary}--\r\n"
                ),
            ),
        };
        if let Some(media) = media {
            builder = builder.header(header::CONTENT_TYPE, media);
        }
        let mut request = builder.body(Body::from(bytes)).unwrap();
        let peer: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = router(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let media = header_text(header::CONTENT_TYPE).unwrap_or_default();
        let set_cookie = header_text(header::SET_COOKIE);
        let allow = header_text(header::ALLOW);
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (
            uri,
            Answer {
                status,
                media,
                set_cookie,
                allow,
                body: String::from_utf8_lossy(&body).into_owned(),
            },
        )
    }
}

/// The document's operation (its path template) that serves `uri`: the one whose literal
/// segments all match, with the most literal segments.
fn operation_of<'a>(doc: &'a Value, method: &str, uri: &str) -> Option<&'a str> {
    let path = uri.split('?').next().unwrap_or(uri);
    let segments: Vec<&str> = path.split('/').collect();
    let method = method.to_ascii_lowercase();
    doc["paths"]
        .as_object()?
        .iter()
        .filter(|(_, methods)| methods.get(&method).is_some())
        .filter_map(|(template, _)| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (part, segment) in parts.iter().zip(&segments) {
                if part.starts_with('{') {
                    continue;
                }
                if part != segment {
                    return None;
                }
                literal += 1;
            }
            Some((literal, template.as_str()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, template)| template)
}

/// A schema that validates against `schema` with the document's `components` beside it, so
/// that `#/components/schemas/…` references resolve.
fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let root = json!({"components": doc["components"], "allOf": [schema]});
    jsonschema::draft202012::options()
        .build(&root)
        .unwrap_or_else(|e| panic!("not a schema ({e}): {schema}"))
}

/// The errors of `instance` against `schema`, one line each.
fn errors(doc: &Value, schema: &Value, instance: &Value) -> Vec<String> {
    validator(doc, schema)
        .iter_errors(instance)
        .map(|e| format!("at `{}`: {e}", e.instance_path()))
        .collect()
}

/// `schema` with its `$ref`s followed.
fn resolved<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        schema = doc.pointer(target.trim_start_matches('#')).unwrap_or(&Value::Null);
    }
    schema
}

/// A schema that says no more than "an object" (or "an array"): no properties, no items.
fn bare(doc: &Value, schema: &Value) -> bool {
    let schema = resolved(doc, schema);
    let combined = ["allOf", "anyOf", "oneOf"].iter().any(|k| schema.get(*k).is_some());
    match schema["type"].as_str() {
        Some("object") => {
            !combined
                && schema.get("properties").is_none()
                && schema.get("additionalProperties").is_none()
        }
        Some("array") => schema.get("items").is_none_or(|items| bare(doc, items)),
        _ => false,
    }
}

/// Checks an answer against the document: its status is documented for the operation, its
/// media type is the documented one, a JSON body validates against the documented schema (a
/// 2xx one being more than a bare object), and an answer documented without content has none.
fn check(doc: &Value, method: &str, op: &str, answer: &Answer) -> Result<(), String> {
    let operation = &doc["paths"][op][method.to_ascii_lowercase()];
    let Some(documented) = operation["responses"].get(answer.status.to_string()) else {
        let known: Vec<&String> = operation["responses"].as_object().unwrap().keys().collect();
        return Err(format!("status {} undocumented (documented: {known:?})", answer.status));
    };
    let Some(content) = documented.get("content").and_then(Value::as_object) else {
        if answer.body.is_empty() {
            return Ok(());
        }
        return Err(format!("documented without content, answered {:?}", answer.media));
    };
    let media = answer.media.split(';').next().unwrap_or("").trim();
    let Some(entry) = content.get(media) else {
        let known: Vec<&String> = content.keys().collect();
        return Err(format!("media {media:?} undocumented (documented: {known:?})"));
    };
    let json_media = media == "application/json" || media.ends_with("+json");
    let Some(schema) = entry.get("schema").filter(|_| json_media) else { return Ok(()) };
    if (200..300).contains(&answer.status) && bare(doc, schema) {
        return Err(format!("a 2xx JSON answer documented as a bare schema: {schema}"));
    }
    let body: Value = serde_json::from_str(&answer.body).map_err(|e| format!("not JSON: {e}"))?;
    let errors = errors(doc, schema, &body);
    if errors.is_empty() { Ok(()) } else { Err(errors.join("\n    ")) }
}

/// Checks a JSON body sent in a case that expects success against the documented request schema.
fn check_request(doc: &Value, method: &str, op: &str, body: &str) -> Result<(), String> {
    let operation = &doc["paths"][op][method.to_ascii_lowercase()];
    let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else {
        return Err("a JSON body, but no JSON request body documented".into());
    };
    let body: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let errors = errors(doc, schema, &body);
    if errors.is_empty() { Ok(()) } else { Err(format!("request: {}", errors.join("; "))) }
}

/// Runs `cases` in order; pushes every failure; records the operations that answered success.
async fn run_cases(
    doc: &Value,
    run: &mut Run,
    label: &str,
    cases: &[Case],
    covered: &mut BTreeSet<(String, String)>,
    failures: &mut Vec<String>,
) -> usize {
    for case in cases {
        let (uri, answer) = run.send(case).await;
        let what = format!("[{label}] {:?} {} {uri}", case.who, case.method);
        let Some(op) = operation_of(doc, case.method, &uri) else {
            failures.push(format!("{what}: no operation of the document serves this"));
            continue;
        };
        if answer.status != case.expect {
            failures.push(format!(
                "{what}: {} (expected {}) {}",
                answer.status,
                case.expect,
                answer.body.chars().take(300).collect::<String>()
            ));
        }
        if let Err(e) = check(doc, case.method, op, &answer) {
            failures.push(format!("{what} → {} ({op}): {e}", answer.status));
        }
        if let (Json(text), true) = (case.body, case.expect < 300)
            && let Err(e) = check_request(doc, case.method, op, &run.fill(text))
        {
            failures.push(format!("{what} ({op}): {e}"));
        }
        if answer.status < 400 {
            covered.insert((case.method.to_ascii_lowercase(), op.to_owned()));
        }
        for (name, pointer) in &case.keep {
            let value = if *pointer == "cookie" {
                answer.set_cookie.as_deref().and_then(|c| c.split(';').next()).map(str::to_owned)
            } else {
                let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
                body.pointer(pointer)
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            };
            match value {
                Some(value) => {
                    run.kept.insert((*name).to_owned(), value);
                }
                None => failures.push(format!("{what}: nothing to keep at {pointer}")),
            }
        }
    }
    cases.len()
}

/// The check-in example of interfaces.md (section "Check-in (input of `plan`)").
fn interfaces_example() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/interfaces.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let section = text.split("## Check-in (input of `plan`)").nth(1).expect("the check-in section");
    let block = section.split("```json").nth(1).expect("its example");
    block.split("```").next().unwrap().trim().to_owned()
}

async fn served_document() -> Value {
    let run = start(Config::default()).await;
    let request = Request::get("/api/openapi.json")
        .header(header::HOST, LOOPBACK)
        .body(Body::empty())
        .unwrap();
    let response = router(run.state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    serde_json::from_slice(&to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap()
}

#[tokio::test]
async fn every_operation_answers_as_the_document_says() {
    let doc = served_document().await;
    let example: &'static str = Box::leak(interfaces_example().into_boxed_str());
    // A check-in larger than the 1 MiB the JSON routes accept.
    let padding = "x".repeat(1024 * 1024);
    let large = format!(r#"{{"now":"2026-11-23T08:30:00Z","athlete":{{"name":"{padding}"}}}}"#);
    let large: &'static str = Box::leak(large.into_boxed_str());
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    let mut count = 0;

    // interfaces.md's check-in is a valid request of `POST /api/plan`.
    if let Err(e) = check_request(&doc, "POST", "/api/plan", example) {
        failures.push(format!("the check-in example of interfaces.md: {e}"));
    }

    let mut run = start(Config::default()).await;
    count += run_cases(
        &doc,
        &mut run,
        "personal",
        &personal(example, large),
        &mut covered,
        &mut failures,
    )
    .await;

    let mut run = start_without_store(AppState::new(Config::default(), clock));
    count +=
        run_cases(&doc, &mut run, "no store", &without_store(), &mut covered, &mut failures).await;

    let config = Config { mode: Mode::MultiUser, ..Config::default() };
    let mut run = start(config).await;
    count +=
        run_cases(&doc, &mut run, "multi-user", &multi_user(), &mut covered, &mut failures).await;

    let config = Config { mode: Mode::MultiUser, signup: Signup::Invite, ..Config::default() };
    let mut run = start(config).await;
    let now = clock().as_second();
    run.server
        .as_ref()
        .unwrap()
        .store
        .create_invite("from-the-operator", None, now, now + 60)
        .await
        .unwrap();
    count +=
        run_cases(&doc, &mut run, "invite", &by_invitation(), &mut covered, &mut failures).await;

    let config = Config { lan: Some(PHONE_ADDR.parse().unwrap()), ..Config::default() };
    let mut run = start(config).await;
    count += run_cases(&doc, &mut run, "lan", &lan(), &mut covered, &mut failures).await;

    let mut operations = 0;
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            operations += 1;
            if !covered.contains(&(method.clone(), path.clone())) {
                failures.push(format!("{method} {path}: no case answered it with success"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures ({count} cases, {operations} operations):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_check_in_example_of_interfaces_md_is_valid_and_planned() {
    let doc = served_document().await;
    let example: &'static str = Box::leak(interfaces_example().into_boxed_str());
    assert!(example.contains(r#""cramp_now": null"#), "the example as the contract has it");
    check_request(&doc, "POST", "/api/plan", example).unwrap();
    let mut run = start(Config::default()).await;
    let (_, answer) = run.send(&case(Owner, "POST", "/api/plan", Json(example), 200)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    check(&doc, "POST", "/api/plan", &answer).unwrap();
    let plan: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(plan["generated_at"], "2026-11-23T08:30:00Z");
}

/// The answers of no operation (a method an address does not serve, an address that does not
/// exist) are problems too, as the document's description says: 405 with `Allow`, 404.
#[tokio::test]
async fn the_framework_refusals_are_documented_problems() {
    let doc = served_document().await;
    let problem = json!({"$ref": "#/components/schemas/Problem"});
    let mut run = start(Config::default()).await;
    for (method, uri, status) in [
        ("PATCH", "/api/plan", 405),
        ("DELETE", "/healthz", 405),
        ("PUT", "/api/athletes/me/checkins", 405),
        ("GET", "/api/no-such-thing", 404),
        ("GET", "/no-such-page", 404),
    ] {
        assert!(operation_of(&doc, method, uri).is_none(), "{method} {uri} is an operation");
        let (_, answer) = run.send(&case(Owner, method, uri, Empty, status)).await;
        assert_eq!(answer.status, status, "{method} {uri}: {}", answer.body);
        assert_eq!(answer.media, "application/problem+json", "{method} {uri}");
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(errors(&doc, &problem, &body), Vec::<String>::new(), "{method} {uri}");
        assert_eq!(answer.allow.is_some(), status == 405, "{method} {uri}: Allow");
    }
}
