//! Personal-mode protection: the `Host` check and the same-origin check.
//!
//! A server on `127.0.0.1` is still reachable from any web page the person opens: a hostile page
//! can post a form to it (cross-site request forgery), and through DNS rebinding
//! (`evil.example` re-resolved to 127.0.0.1) can even read its answers. Hence two rules, in
//! this order, on every request but `/healthz`:
//! 1. in personal mode the `Host` must be a loopback name (`localhost`, `127.0.0.1`, `[::1]`,
//!    any port), or under `serve --lan` the one LAN address and port ([`crate::lan`]), else 421:
//!    a rebound name never matches;
//! 2. a state-changing request (POST, PUT, PATCH, DELETE) must show it comes from our own pages:
//!    `Sec-Fetch-Site: same-origin`, or an `Origin` whose authority is the request's `Host`;
//!    without either header (an old browser, a script), the visitor's own CSRF token
//!    ([`CsrfToken`]) must be sent as the `X-CSRF-Token` header or `csrf_token` form field;
//!    else 403.
//!
//! The CSRF token is the visitor's own, never shared: with a session it is derived from the
//! session's secret token (so it is bound to the session and ends with it); without one it is
//! 256 random bits from the operating system's generator, given to the browser in the
//! `afterrun_csrf` cookie with the first page and compared with the form's copy (double submit,
//! in constant time). Both cookies are `HttpOnly; SameSite=Strict`, and `Secure` behind TLS.
//!
//! Refusals are problem documents naming the header at fault.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::problem::Problem;
use crate::respond::media_starts_with;
use crate::tokens::{SESSION_COOKIE, hex, over_tls};
use crate::{AppState, Mode};

/// The cookie that carries the CSRF token.
pub const CSRF_COOKIE: &str = "afterrun_csrf";
/// The header that carries the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// A new visitor's token: 256 bits from the operating system's cryptographic generator, as
/// lower-case hex ([`crate::tokens::new_token`]).
pub fn new_csrf_token() -> String {
    crate::tokens::new_token()
}

/// Whether a cookie's value has the shape of our tokens (64 lower-case hex digits).
pub(crate) fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The CSRF token of one request's visitor: what its pages carry and its changes must show.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken {
    value: String,
    source: Source,
}

/// Where a [`CsrfToken`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Derived from the session cookie's token.
    Session,
    /// The `afterrun_csrf` cookie the browser sent back.
    Cookie,
    /// New for a visitor without either: given as a cookie with the page.
    Fresh,
}

impl CsrfToken {
    /// The token of a request with these headers.
    pub fn of(headers: &HeaderMap) -> CsrfToken {
        if let Some(session) = cookie_value(headers, SESSION_COOKIE).filter(|v| is_token(v)) {
            let digest = Sha256::new()
                .chain_update(b"afterrun csrf token of session ")
                .chain_update(session.as_bytes())
                .finalize();
            return CsrfToken { value: hex(&digest), source: Source::Session };
        }
        match cookie_value(headers, CSRF_COOKIE).filter(|v| is_token(v)) {
            Some(cookie) => CsrfToken { value: cookie.to_owned(), source: Source::Cookie },
            None => CsrfToken { value: new_csrf_token(), source: Source::Fresh },
        }
    }

    /// The token, for a page's forms.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The `Set-Cookie` value that gives a new visitor their token, `Secure` over TLS.
    fn cookie(&self, secure: bool) -> Option<HeaderValue> {
        let secure = if secure { "; Secure" } else { "" };
        let text =
            format!("{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{secure}", self.value);
        HeaderValue::from_str(&text).ok()
    }
}

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A secret: never in logs.
        f.debug_struct("CsrfToken").field("source", &self.source).finish_non_exhaustive()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = Infallible;

    /// The token [`guard`] found or made for this request.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .unwrap_or_else(|| CsrfToken::of(&parts.headers)))
    }
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

/// The request's `Host` (the header, else the URI's authority).
pub(crate) fn request_host(request: &Request) -> Option<String> {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()))
}

/// Whether the method changes state.
fn is_state_changing(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// The middleware applying both rules; it hands the request's [`CsrfToken`] on in the
/// extensions and gives a new visitor's token as a cookie with the page.
pub(crate) async fn guard(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let host = request_host(&request);
    if state.config().mode == Mode::Personal {
        let lan = state.config().lan;
        match host.as_deref() {
            Some(h) if is_loopback_host(h) => {}
            Some(h) if lan.is_some_and(|lan| is_lan_host(h, lan)) => {}
            _ => {
                tracing::warn!(host = ?host, "refused: Host is not a loopback name");
                let names = match lan {
                    Some(lan) => format!("localhost, 127.0.0.1, [::1] and {lan}"),
                    None => "localhost, 127.0.0.1 and [::1]".to_owned(),
                };
                return Problem::new(
                    StatusCode::MISDIRECTED_REQUEST,
                    "host-not-allowed",
                    "Host not allowed",
                    format!("this personal server answers only to {names}"),
                    Some("Host"),
                )
                .into_response();
            }
        }
    }
    let token = CsrfToken::of(request.headers());
    let secure = over_tls(request.headers());
    request.extensions_mut().insert(token.clone());
    let response = if !is_state_changing(request.method()) {
        next.run(request).await
    } else {
        match origin_verdict(request.headers(), host.as_deref()) {
            Verdict::Allow => next.run(request).await,
            Verdict::Deny(field) => forbidden(field),
            Verdict::NeedToken => match check_token(&state, &token, request).await {
                Ok(request) => next.run(request).await,
                Err(response) => response,
            },
        }
    };
    with_token_cookie(response, &token, secure)
}

/// A page for a visitor new to us carries their token's cookie.
fn with_token_cookie(mut response: Response, token: &CsrfToken, secure: bool) -> Response {
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if token.source == Source::Fresh
        && is_page
        && let Some(cookie) = token.cookie(secure)
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
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

/// Checks the visitor's CSRF token (header or form field); gives the request back intact.
async fn check_token(
    state: &AppState,
    token: &CsrfToken,
    request: Request,
) -> Result<Request, Response> {
    // Without a session or the token's cookie there is nothing to compare with.
    if token.source == Source::Fresh {
        return Err(forbidden("Cookie"));
    }
    let expected = token.as_str();
    if let Some(h) = request.headers().get(CSRF_HEADER) {
        return if constant_time_eq(h.as_bytes(), expected.as_bytes()) {
            Ok(request)
        } else {
            Err(forbidden("X-CSRF-Token"))
        };
    }
    if !media_starts_with(request.headers(), "application/x-www-form-urlencoded") {
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

/// Whether `host` (a `Host` header value) is the LAN address the server was started on.
pub fn is_lan_host(host: &str, lan: std::net::SocketAddr) -> bool {
    host.eq_ignore_ascii_case(&lan.to_string())
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
        assert!(is_token(&a));
    }

    #[test]
    fn each_visitor_has_their_own_token() {
        let with = |cookie: String| {
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, cookie.parse().unwrap());
            CsrfToken::of(&h)
        };
        let (s1, s2) = (new_csrf_token(), new_csrf_token());
        let one = with(format!("{SESSION_COOKIE}={s1}"));
        assert_eq!(one.source, Source::Session);
        assert_eq!(one, with(format!("{CSRF_COOKIE}={}; {SESSION_COOKIE}={s1}", "a".repeat(64))));
        assert_ne!(one.as_str(), with(format!("{SESSION_COOKIE}={s2}")).as_str());
        assert_ne!(one.as_str(), s1, "the session's token is never shown");
        let anonymous = with(format!("{CSRF_COOKIE}={s2}"));
        assert_eq!((anonymous.source, anonymous.as_str()), (Source::Cookie, s2.as_str()));
        let new = with(format!("{CSRF_COOKIE}=short"));
        assert_eq!(new.source, Source::Fresh);
        assert_ne!(new.as_str(), CsrfToken::of(&HeaderMap::new()).as_str());
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
