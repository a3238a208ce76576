//! The one error shape of the API: RFC 9457 problem details, `application/problem+json`.
//!
//! Every refusal, from a bad check-in field to a wrong `Host`, answers with this shape, so a
//! client has one thing to parse. `field` names the input at fault (a JSON path such as
//! `symptoms[0].code`, a header name, or a path parameter). An internal failure gets a generic
//! text here; its cause goes to the log ([`Problem::internal`]), never into the body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document (RFC 9457) with afterrun's `field` member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem (relative: `/problems/KIND`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind, the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
    /// The input at fault, when there is one: a JSON path, a header or a parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// When to try again, in seconds: sent as the `Retry-After` header (429), not in the body.
    #[serde(skip)]
    pub retry_after: Option<i64>,
}

impl Problem {
    /// A problem of kind `kind` (a slug) with its title, status, detail and field.
    pub fn new(
        status: StatusCode,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
        field: Option<&str>,
    ) -> Problem {
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            field: field.map(str::to_owned),
            retry_after: None,
        }
    }

    /// 429 with `Retry-After` (seconds): `detail` says what was used up, the answer when to come
    /// back.
    pub fn too_many_requests(
        kind: &str,
        detail: &str,
        retry_after_s: i64,
        field: Option<&str>,
    ) -> Problem {
        let retry_after_s = retry_after_s.max(1);
        let detail = format!("{detail}: try again in {retry_after_s} s");
        let mut problem =
            Problem::new(StatusCode::TOO_MANY_REQUESTS, kind, "Too many requests", detail, field);
        problem.retry_after = Some(retry_after_s);
        problem
    }

    /// The check-in failed validation at `field`.
    pub fn invalid_checkin(field: &str, detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-checkin",
            "The check-in is not valid",
            detail,
            Some(field),
        )
    }

    /// Nothing lives at this address.
    pub fn not_found(field: Option<&str>, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail, field)
    }

    /// Something failed inside the server. `cause` is logged, never sent.
    pub fn internal(cause: &dyn std::fmt::Display) -> Problem {
        tracing::error!(%cause, "internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "something went wrong on the server; it has been logged",
            None,
        )
    }

    /// The status as a [`StatusCode`].
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Problem> for Response {
    fn from(problem: Problem) -> Response {
        problem.into_response()
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        // Serializing this struct of strings cannot fail; fall back to a fixed body if it ever did.
        let body = serde_json::to_string(&self).unwrap_or_else(|_| {
            String::from(r#"{"type":"/problems/internal","title":"Internal error","status":500}"#)
        });
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
