//! Secrets and cookies at their most basic: a fresh token from the operating system's random
//! source, hex, the session cookie's name, whether the request came over TLS. A leaf, shared by
//! `auth`, `security`, `lan` and the upload spool.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::http::HeaderMap;

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "afterrun_session";

/// A fresh secret token (a session's, an invitation's): 256 bits from the operating system's
/// random source, as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Bytes as lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the request reached the TLS-terminating proxy over HTTPS (`X-Forwarded-Proto`).
pub(crate) fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}
