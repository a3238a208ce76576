//! The one error and header policy, applied to every answer on its way out.
//!
//! - Every refusal is a problem document (RFC 9457, `application/problem+json`). The handlers
//!   make their own with [`Problem`]; what the framework answers by itself (413 from the body
//!   limit, 405, 400/415/422 from an extractor's rejection, 503 from a time limit) arrives here as
//!   plain text or empty and leaves as a problem with the same status and headers (`Allow`,
//!   `Retry-After`). Pages (`text/html`) keep their own error pages.
//! - Every answer carries `X-Content-Type-Options: nosniff`, and `Cache-Control: no-store` unless
//!   it set its own (the assets do): JSON, problems, calendars and pages hold health data.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::{PROBLEM_JSON, Problem};

/// The most of a framework refusal's text that becomes the problem's detail.
const DETAIL_LIMIT: usize = 4096;

/// The middleware.
pub(crate) async fn answers(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let mut response = if is_bare_error(&response) { as_problem(response).await } else { response };
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// An error status whose body is neither a problem nor a page.
fn is_bare_error(response: &Response) -> bool {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    let media = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    !media.is_some_and(|m| m.starts_with(PROBLEM_JSON) || m.starts_with("text/html"))
}

/// The same refusal as a problem document, keeping its status and its other headers.
async fn as_problem(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, DETAIL_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let problem = problem_for(parts.status, text);
    let (new_parts, new_body) = problem.into_response().into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(new_parts.headers);
    Response::from_parts(parts, new_body)
}

/// The problem for a framework refusal with this status and text.
fn problem_for(status: StatusCode, text: String) -> Problem {
    let reason = status.canonical_reason().unwrap_or("Error");
    let (kind, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("too-large", "the body is larger than this address accepts".to_owned())
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method-not-allowed", "this method is not served at this address".to_owned())
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            ("unavailable", "the request took too long or the server is busy".to_owned())
        }
        // Never pass on a server error's own words: they may tell more than they should.
        s if s.is_server_error() => ("internal", "something went wrong on the server".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", text),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid-input", text),
        StatusCode::NOT_FOUND => ("not-found", text),
        _ => ("bad-request", text),
    };
    let detail = if detail.is_empty() { reason.to_lowercase() } else { detail };
    Problem::new(status, kind, reason, detail, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    /// A plain-text answer with this status, as the framework gives.
    fn bare(status: StatusCode, text: &'static str) -> Response {
        let mut response = Response::new(Body::from(text));
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        response
    }

    #[tokio::test]
    async fn framework_refusals_become_problems_keeping_their_headers() {
        let mut response = bare(StatusCode::METHOD_NOT_ALLOWED, "");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET"));
        assert!(is_bare_error(&response));
        let problem = as_problem(response).await;
        assert_eq!(problem.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(problem.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(problem.headers()[header::ALLOW], "GET");
        let body = axum::body::to_bytes(problem.into_body(), usize::MAX).await.unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(doc["type"], "/problems/method-not-allowed");
        assert_eq!(doc["status"], 405);
        let form = as_problem(bare(StatusCode::UNPROCESSABLE_ENTITY, "missing field `x`")).await;
        let body = axum::body::to_bytes(form.into_body(), usize::MAX).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("missing field `x`"));
        assert!(!is_bare_error(&bare(StatusCode::OK, "fine")));
    }
}
