//! The one reader of JSON request bodies.
//!
//! Every JSON body of the API goes through [`json_value`], so every endpoint refuses the same
//! things the same way: a body that is not UTF-8 or not JSON, and an object with a key given
//! twice (serde_json alone would keep the last and silently drop the first; on a check-in that
//! could drop a red flag). Each is a 422 problem of kind `invalid-json` naming the JSON path at
//! fault (`$` for the whole body).

use axum::http::StatusCode;
use serde_json::Value;

use crate::problem::Problem;

/// A 422 `invalid-json` problem at `field`.
pub fn invalid_json(field: &str, detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-json",
        "The body is not valid JSON",
        detail,
        Some(field),
    )
}

/// Reads a request body as JSON, refusing what [the module](self) says.
pub fn json_value(body: &[u8]) -> Result<Value, Problem> {
    let text =
        std::str::from_utf8(body).map_err(|_| invalid_json("$", "the body is not UTF-8 text"))?;
    afterrun_protocol::checkin::read_json(text).map_err(|e| invalid_json(&e.field, e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twice_given_keys_and_non_json_are_refused_by_path() {
        assert!(json_value(br#"{"a": {"b": 1}, "c": [1]}"#).is_ok());
        let twice = json_value(br#"{"a": {"b": 1, "b": 2}}"#).unwrap_err();
        assert_eq!((twice.status, twice.field.as_deref()), (422, Some("a.b")));
        assert_eq!(twice.kind, "/problems/invalid-json");
        assert_eq!(json_value(b"{").unwrap_err().field.as_deref(), Some("$"));
        assert_eq!(json_value(b"\xff").unwrap_err().field.as_deref(), Some("$"));
    }
}
