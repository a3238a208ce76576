//! Personal-mode protection: the `Host` check and the same-origin check.
//!
//! A server on `127.0.0.1` is still reachable from any web page the person opens: a hostile page
//! can post a form to it (cross-site request forgery), and through DNS rebinding
//! (`evil.example` re-resolved to 127.0.0.1) can even read its answers. Hence two rules, in
//! this order, on every request but `/healthz`:
//! 1. in personal mode the `Host` must be a loopback name (`localhost`, `127.0.0.1`, `[::1]`,
//!    any port), else 421: a rebound name never matches;
//! 2. a state-changing request (POST, PUT, PATCH, DELETE) must show it comes from our own pages:
//!    `Sec-Fetch-Site: same-origin`, or an `Origin` whose authority is the request's `Host`;
//!    without either header (an old browser, a script), the CSRF token must be sent both as the
//!    `afterrun_csrf` cookie and as the `X-CSRF-Token` header or `csrf_token` form field. The
//!    token is a per-process secret that only our own pages carry; else 403.
//!
//! Refusals are problem documents naming the header at fault.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;
use crate::{AppState, Mode};

/// The cookie that carries the CSRF token.
pub const CSRF_COOKIE: &str = "afterrun_csrf";
/// The header that carries the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// A fresh CSRF token: 128 bits from the standard library's randomly keyed hasher (seeded from
/// the operating system's random source), as hex.
pub fn new_csrf_token() -> String {
    let mut out = String::with_capacity(32);
    for i in 0..2u64 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(i);
        out.push_str(&format!("{:016x}", hasher.finish()));
    }
    out
}

/// Whether `host` (a `Host` header value) names this machine's loopback interface.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        match rest.split_once(']') {
            Some((addr, tail)) if tail.is_empty() || valid_port(tail) => {
                return addr == "::1";
            }
            _ => return false,
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) if valid_port(&format!(":{port}")) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1"
}

/// `:N` with N a port number.
fn valid_port(tail: &str) -> bool {
    tail.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
        && tail[1..].parse::<u16>().is_ok()
}

/// Whether the method changes state.
fn is_state_changing(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// The middleware applying both rules.
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    if state.config().mode == Mode::Personal {
        match host.as_deref() {
            Some(h) if is_loopback_host(h) => {}
            _ => {
                tracing::warn!(host = ?host, "refused: Host is not a loopback name");
                return Problem::new(
                    StatusCode::MISDIRECTED_REQUEST,
                    "host-not-allowed",
                    "Host not allowed",
                    "this personal server answers only to localhost, 127.0.0.1 and [::1]",
                    Some("Host"),
                )
                .into_response();
            }
        }
    }
    if !is_state_changing(request.method()) {
        return next.run(request).await;
    }
    match origin_verdict(request.headers(), host.as_deref()) {
        Verdict::Allow => next.run(request).await,
        Verdict::Deny(field) => forbidden(field),
        Verdict::NeedToken => match check_token(&state, request).await {
            Ok(request) => next.run(request).await,
            Err(response) => response,
        },
    }
}

/// What the browser's own headers say about a state-changing request.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Same origin, proven by the browser.
    Allow,
    /// Another origin, proven by the browser: refuse, naming the header.
    Deny(&'static str),
    /// The browser said nothing: only the CSRF token can prove the origin.
    NeedToken,
}

fn origin_verdict(headers: &HeaderMap, host: Option<&str>) -> Verdict {
    if let Some(site) = headers.get("sec-fetch-site") {
        return if site.as_bytes() == b"same-origin" {
            Verdict::Allow
        } else {
            Verdict::Deny("Sec-Fetch-Site")
        };
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let authority = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
        return match (authority, host) {
            (Some(a), Some(h)) if a.eq_ignore_ascii_case(h) => Verdict::Allow,
            _ => Verdict::Deny("Origin"),
        };
    }
    Verdict::NeedToken
}

fn forbidden(field: &str) -> Response {
    tracing::warn!(field, "refused: cross-origin state change");
    Problem::new(
        StatusCode::FORBIDDEN,
        "cross-origin",
        "Cross-origin request refused",
        "a change must come from this app's own pages: send Origin or Sec-Fetch-Site from a \
         browser, or the CSRF token as cookie and header",
        Some(field),
    )
    .into_response()
}

/// Checks the CSRF token (cookie plus header or form field); gives the request back intact.
async fn check_token(state: &AppState, request: Request) -> Result<Request, Response> {
    let expected = state.csrf_token();
    let cookie_ok = cookie_value(request.headers(), CSRF_COOKIE)
        .is_some_and(|c| constant_time_eq(c.as_bytes(), expected.as_bytes()));
    if !cookie_ok {
        return Err(forbidden("Cookie"));
    }
    if let Some(h) = request.headers().get(CSRF_HEADER) {
        return if constant_time_eq(h.as_bytes(), expected.as_bytes()) {
            Ok(request)
        } else {
            Err(forbidden("X-CSRF-Token"))
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(forbidden("X-CSRF-Token"));
    }
    // Read the form to find the field, then hand the same bytes on.
    let (parts, body) = request.into_parts();
    let limit = state.config().body_limit;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Request body too large",
                format!("the body may hold at most {limit} bytes"),
                None,
            )
            .into_response());
        }
    };
    let field_ok = form_urlencoded_value(&bytes, CSRF_FIELD)
        .is_some_and(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()));
    if field_ok {
        Ok(Request::from_parts(parts, Body::from(bytes)))
    } else {
        Err(forbidden(CSRF_FIELD))
    }
}

/// The value of cookie `name` in the `Cookie` headers.
pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The first value of `name` in a urlencoded form (token characters need no decoding).
fn form_urlencoded_value(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Compares two byte strings in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `Set-Cookie` value that gives a page's browser the CSRF token.
pub(crate) fn csrf_cookie(state: &AppState) -> String {
    format!("{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict", state.csrf_token())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for ok in
            ["localhost", "LOCALHOST:8080", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:65535"]
        {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "127.0.0.2",
            "[::2]",
            "[::1]x",
            "localhost:",
            "localhost:99999",
            "localhost:80:80",
            "0.0.0.0",
            "192.168.1.2:8080",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn tokens_differ_and_are_hex() {
        let a = new_csrf_token();
        let b = new_csrf_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn origin_rules() {
        let mut h = HeaderMap::new();
        assert_eq!(origin_verdict(&h, Some("localhost:1")), Verdict::NeedToken);
        h.insert(header::ORIGIN, "http://localhost:1".parse().unwrap());
        assert_eq!(origin_verdict(&h, Some("localhost:1")), Verdict::Allow);
        assert_eq!(origin_verdict(&h, Some("localhost:2")), Verdict::Deny("Origin"));
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert_eq!(origin_verdict(&h, Some("localhost:1")), Verdict::Deny("Origin"));
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert_eq!(origin_verdict(&h, Some("localhost:1")), Verdict::Deny("Sec-Fetch-Site"));
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert_eq!(origin_verdict(&h, Some("localhost:1")), Verdict::Allow);
    }
}
