//! Unix seconds written as RFC 3339 UTC (`2026-11-23T08:30:00Z`), as interfaces.md wants every
//! time in JSON.

use serde::Serializer;

/// RFC 3339 text of a Unix time, or `None` when it is outside jiff's range.
pub fn format_rfc3339(seconds: i64) -> Option<String> {
    jiff::Timestamp::from_second(seconds).ok().map(|t| t.to_string())
}

pub(crate) fn rfc3339<S: Serializer>(seconds: &i64, s: S) -> Result<S::Ok, S::Error> {
    match format_rfc3339(*seconds) {
        Some(text) => s.serialize_str(&text),
        None => s.serialize_none(),
    }
}

pub(crate) fn opt_rfc3339<S: Serializer>(seconds: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match seconds.and_then(format_rfc3339) {
        Some(text) => s.serialize_str(&text),
        None => s.serialize_none(),
    }
}
