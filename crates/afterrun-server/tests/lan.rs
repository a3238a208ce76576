//! The acceptance test of `serve --lan`, over real sockets and a real SQLite file: the server
//! listens on a second loopback address, 127.0.0.2 (standing in for the home network: its `Host`
//! is not a loopback name), and on 127.0.0.1 at the same port for the owner, as the binary does;
//! the "phone" connects from 127.0.0.2 with `Host: 127.0.0.2:PORT`. Unpaired → 401 on pages and
//! the API; a pairing link → a cookie → 200; the same link again → refused; an expired link →
//! refused (the clock is the state's, moved on); a revoked device → 401; the owner at loopback as
//! without `--lan`; the `Host` and same-origin rules as strict as in loopback mode.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use afterrun_server::lan::{DEVICE_COOKIE, PAIRING_LIFETIME_S};
use afterrun_server::{AppState, Config, router};
use afterrun_service::locale::Locale;
use afterrun_store::Profile;
use jiff::Timestamp;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpSocket};

const PHONE: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const OWNER: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// The state's clock, Unix seconds: moved on by the test to expire a link.
static NOW: AtomicI64 = AtomicI64::new(1_795_000_000);

fn clock() -> Timestamp {
    Timestamp::from_second(NOW.load(Ordering::SeqCst)).unwrap()
}

/// The clock of the test that does not move it.
fn fixed_clock() -> Timestamp {
    Timestamp::from_second(1_795_000_000).unwrap()
}

/// One HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn media(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
}

/// The server under test: its state, its LAN address and its owner's (loopback) address.
struct Lan {
    server: common::Server,
    lan: SocketAddr,
    owner: SocketAddr,
}

/// Starts the router on 127.0.0.2:PORT and 127.0.0.1:PORT, with `--lan` set to the first.
async fn start(clock: fn() -> Timestamp) -> Lan {
    let lan_listener = TcpListener::bind((PHONE, 0)).await.unwrap();
    let lan = lan_listener.local_addr().unwrap();
    let owner_listener = TcpListener::bind((OWNER, lan.port())).await.unwrap();
    let owner = owner_listener.local_addr().unwrap();
    let config = Config { lan: Some(lan), ..Config::default() };
    let server = common::server_with("lan", |store| {
        AppState::new(config, clock).with_store(Arc::clone(store))
    })
    .await;
    for listener in [lan_listener, owner_listener] {
        let app = router(server.state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    }
    Lan { server, lan, owner }
}

/// Sends one HTTP/1.1 request from `from` to `to`, with `Host: to` unless a header names another.
async fn send(
    from: IpAddr,
    to: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    let mut stream = socket.connect(to).await.unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {to}\r\n"));
    }
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    parse(&String::from_utf8_lossy(&raw))
}

fn parse(raw: &str) -> Answer {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    Answer { status, headers, body }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

impl Lan {
    /// A GET from the phone (127.0.0.2, `Host` the LAN address), with its cookie if any.
    async fn phone_get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let cookie = cookie.map(|c| format!("{DEVICE_COOKIE}={c}"));
        let mut headers = vec![("User-Agent", IPHONE)];
        if let Some(c) = &cookie {
            headers.push(("Cookie", c));
        }
        send(PHONE, self.lan, "GET", path, &headers, "").await
    }

    /// A form POST from the phone, with its cookie and `Origin: http://LAN`.
    async fn phone_post(&self, path: &str, cookie: &str, origin: Option<&str>) -> Answer {
        let cookie = format!("{DEVICE_COOKIE}={cookie}");
        let mut headers = vec![
            ("Cookie", cookie.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        send(PHONE, self.lan, "POST", path, &headers, "units=km").await
    }

    /// A GET from the owner at loopback (127.0.0.1, `Host: 127.0.0.1:PORT`).
    async fn owner_get(&self, path: &str) -> Answer {
        send(OWNER, self.owner, "GET", path, &[], "").await
    }

    /// A form POST from the owner's own page (`Origin: http://127.0.0.1:PORT`).
    async fn owner_post(&self, path: &str) -> Answer {
        let origin = format!("http://{}", self.owner);
        let headers =
            [("Origin", origin.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
        send(OWNER, self.owner, "POST", path, &headers, "").await
    }

    /// The pairing link's path shown on the owner's profile page.
    async fn shown_link(&self) -> String {
        let page = self.owner_get("/profile").await.body;
        let at = page.find("/pair/").expect("a pairing link on the profile page");
        page[at..at + "/pair/".len() + 64].to_owned()
    }

    /// Opens the pairing link on a phone: the device cookie's value.
    async fn pair(&self, link: &str) -> String {
        let answer = self.phone_get(link, None).await;
        assert_eq!((answer.status, answer.header("location")), (303, Some("/")), "{answer:?}");
        let cookie = answer.header("set-cookie").unwrap();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=34560000"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        let value = cookie.strip_prefix(&format!("{DEVICE_COOKIE}=")).unwrap();
        value.split(';').next().unwrap().to_owned()
    }
}

fn assert_unpaired_page(answer: &Answer) {
    assert_eq!((answer.status, answer.media()), (401, "text/html; charset=utf-8"), "{answer:?}");
    assert!(answer.body.contains("Pair this device first"), "{}", answer.body);
    assert!(answer.body.contains("How to pair your phone"));
}

fn assert_unpaired_problem(answer: &Answer) {
    assert_eq!((answer.status, answer.media()), (401, "application/problem+json"), "{answer:?}");
    let problem: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(problem["type"], "/problems/not-paired");
}

#[tokio::test]
async fn a_phone_pairs_once_and_can_be_revoked() {
    let t = start(clock).await;
    let store = &t.server.store;
    let athlete = store.ensure_athlete("me", NOW.load(Ordering::SeqCst)).await.unwrap();
    let profile = Profile { tz: Some("Europe/Berlin".into()), ..Profile::default() };
    store.set_profile(athlete, &profile).await.unwrap();

    // Unpaired: 401 on pages (a page that explains pairing) and on the API (a problem).
    assert_unpaired_page(&t.phone_get("/", None).await);
    assert_unpaired_page(&t.phone_get("/plans", None).await);
    assert_unpaired_problem(&t.phone_get("/api/athletes/me/profile", None).await);
    assert_unpaired_problem(&t.phone_get("/api/athletes/me/profile", Some(&"a".repeat(64))).await);
    assert_eq!(t.phone_get("/assets/app.css", None).await.status, 200, "the assets are open");

    // The owner's pages show the link and its QR code.
    let link = afterrun_server::lan::new_link(&t.server.state).await.unwrap();
    assert!(link.url.starts_with(&format!("http://{}/pair/", t.lan)), "{}", link.url);
    let home = t.owner_get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Open on your phone") && home.body.contains(&link.url));
    assert!(home.body.contains("<svg") && home.body.contains("QR code of the pairing link"));
    let path = link.url.strip_prefix(&format!("http://{}", t.lan)).unwrap().to_owned();
    assert_eq!(t.shown_link().await, path);

    // The owner opening the link is not paired by it, and does not use it up.
    assert_eq!(t.owner_get(&path).await.header("location"), Some("/"));
    let cookie = t.pair(&path).await;
    let home = t.phone_get("/", Some(&cookie)).await;
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("Open on your phone"), "the phone is not shown the link");
    let profile = t.phone_get("/api/athletes/me/profile", Some(&cookie)).await;
    assert_eq!((profile.status, profile.media()), (200, "application/json"));
    assert_eq!(t.phone_get("/profile", Some(&cookie)).await.status, 200);

    // The same link again: refused, no cookie. The owner's home page no longer shows it.
    let again = t.phone_get(&path, None).await;
    assert_unpaired_page(&again);
    assert!(again.body.contains("cannot be used"));
    assert!(again.header("set-cookie").is_none_or(|c| !c.contains(DEVICE_COOKIE)));
    assert!(!t.owner_get("/").await.body.contains("Open on your phone"));

    // The owner's profile lists the phone, paired in the runner's local time.
    let devices = store.paired_devices().await.unwrap();
    assert_eq!(devices.len(), 1);
    let paired = Locale::of(&store.profile(athlete).await.unwrap()).when(devices[0].paired_at);
    let page = t.owner_get("/profile").await.body;
    assert!(page.contains("Safari on iPhone") && page.contains(&format!("paired {paired}")));

    // A paired phone cannot pair another device or revoke one.
    let origin = format!("http://{}", t.lan);
    let refused = t.phone_post("/profile/devices/link", &cookie, Some(&origin)).await;
    assert_eq!((refused.status, refused.media()), (403, "application/problem+json"));
    let revoke = format!("/profile/devices/{}/revoke", devices[0].id);
    assert_eq!(t.phone_post(&revoke, &cookie, Some(&origin)).await.status, 403);

    // Revoked: the phone's cookie opens nothing.
    assert_eq!(t.owner_post(&revoke).await.status, 303);
    assert_unpaired_page(&t.phone_get("/", Some(&cookie)).await);
    assert_unpaired_problem(&t.phone_get("/api/athletes/me/profile", Some(&cookie)).await);
    assert!(store.paired_devices().await.unwrap().is_empty());

    // A new link from the profile page works until its 10 minutes are up, and not after.
    assert_eq!(t.owner_post("/profile/devices/link").await.status, 303);
    let late = t.shown_link().await;
    NOW.fetch_add(PAIRING_LIFETIME_S, Ordering::SeqCst);
    let expired = t.phone_get(&late, None).await;
    assert_unpaired_page(&expired);
    assert!(expired.body.contains("cannot be used"));
    assert!(t.owner_get("/profile").await.body.contains("no pairing link to use now"));
    assert_eq!(t.owner_post("/profile/devices/link").await.status, 303);
    let in_time = t.shown_link().await;
    NOW.fetch_add(PAIRING_LIFETIME_S - 1, Ordering::SeqCst);
    let cookie = t.pair(&in_time).await;
    assert_eq!(t.phone_get("/", Some(&cookie)).await.status, 200);
}

#[tokio::test]
async fn host_and_origin_rules_stay_strict_and_the_owner_is_unchanged() {
    let t = start(fixed_clock).await;
    // Only loopback names and the LAN address and port are served (DNS rebinding).
    for host in ["evil.example", "127.0.0.2", "127.0.0.2:1", "192.168.1.20:8080"] {
        let answer = send(PHONE, t.lan, "GET", "/", &[("Host", host)], "").await;
        assert_eq!(answer.status, 421, "{host}");
    }
    // The owner at loopback needs no pairing, on pages, the API and changes, as without --lan.
    assert_eq!(t.owner_get("/").await.status, 200);
    assert_eq!(t.owner_get("/profile").await.status, 200);
    let me = t.owner_get("/api/athletes/me/profile").await;
    assert_eq!((me.status, me.media()), (200, "application/json"));
    assert_eq!(t.owner_post("/profile").await.status, 303);
    // The LAN address as Host is never the owner's, even from a loopback peer.
    let lan_host = send(OWNER, t.lan, "GET", "/", &[], "").await;
    assert_unpaired_page(&lan_host);

    // A paired phone's changes need the same-origin proof, exactly as the owner's.
    let link = afterrun_server::lan::new_link(&t.server.state).await.unwrap();
    let cookie = t.pair(link.url.strip_prefix(&format!("http://{}", t.lan)).unwrap()).await;
    let origin = format!("http://{}", t.lan);
    assert_eq!(t.phone_post("/profile", &cookie, Some(&origin)).await.status, 303);
    for (origin, why) in
        [(None, "no Origin and no token"), (Some("http://evil.example"), "cross-site")]
    {
        let answer = t.phone_post("/profile", &cookie, origin).await;
        assert_eq!((answer.status, answer.media()), (403, "application/problem+json"), "{why}");
    }
    let owner_origin = format!("http://{}", t.owner);
    let answer = t.phone_post("/profile", &cookie, Some(&owner_origin)).await;
    assert_eq!(answer.status, 403, "another origin than the request's Host");
}
