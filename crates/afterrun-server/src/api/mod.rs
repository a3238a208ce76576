//! The JSON API's handlers: here health, plan, guide, the OpenAPI document and the answers to
//! an unknown address or method; the athlete-scoped API, the status, the device streams and the
//! upload in the modules below. Their routes are listed in [`crate::router`] only.
//!
//! `POST /api/plan` answers with exactly the bytes of `afterrun_protocol::plan_json`, the same
//! function `afterrun plan --checkin … --json` prints, so the CLI and the server can never give
//! two plans for one check-in.

use afterrun_protocol::guide::{self, OUTCOME_FIGURES_NOTE, Topic};
use afterrun_protocol::references;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::problem::Problem;
use crate::respond::json_text;

pub(crate) mod athletes;
pub(crate) mod device;
pub(crate) mod status;
pub(crate) mod upload;

/// `GET /healthz`: the process is up.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// `POST /api/plan`: a check-in in, the plan out (the CLI's `--json` bytes).
pub(crate) async fn plan(body: Bytes) -> Response {
    let planned = match std::str::from_utf8(&body) {
        Ok(text) => crate::views::plan_for(text),
        Err(_) => Err(crate::body::invalid_json("$", "the body is not UTF-8 text")),
    };
    match planned {
        Ok(plan) => json_text(StatusCode::OK, plan.to_json()),
        // Refused: the one JSON reader says first whether the body is JSON at all, so that it
        // is refused like every other body; only JSON that is no check-in is the planner's.
        Err(problem) => crate::body::json_value(&body).err().unwrap_or(problem).into_response(),
    }
}

/// `GET /api/guide`: the topics, in reading order.
pub(crate) async fn guide_list() -> Response {
    let topics: Vec<Value> = guide::topics()
        .iter()
        .map(|t| json!({"id": t.id, "title": t.title, "summary": t.summary}))
        .collect();
    json_text(StatusCode::OK, json!({ "topics": topics }).to_string())
}

/// `GET /api/guide/{topic}`: one topic with its references' citations.
pub(crate) async fn guide_topic(Path(id): Path<String>) -> Response {
    match guide::topic(&id) {
        Some(t) => json_text(StatusCode::OK, topic_json(t).to_string()),
        None => Problem::not_found(Some("topic"), format!("there is no guide topic `{id}`"))
            .into_response(),
    }
}

/// A guide topic as JSON.
fn topic_json(t: &Topic) -> Value {
    let refs: Vec<Value> = t
        .references
        .iter()
        .map(|id| {
            let citation = references::find(id).map(|r| r.citation);
            json!({"id": id, "citation": citation})
        })
        .collect();
    json!({
        "id": t.id,
        "title": t.title,
        "summary": t.summary,
        "seed_advice": t.seed_advice,
        "evidence": t.evidence,
        "references": refs,
        "outcome_modalities": t.outcome_modalities,
        "outcome_note": OUTCOME_FIGURES_NOTE,
    })
}

/// `GET /api/openapi.json`: the OpenAPI 3.1 document of every endpoint.
pub(crate) async fn openapi() -> Response {
    json_text(StatusCode::OK, crate::openapi::document().to_string())
}

/// Any other address: 404 as a problem.
/// A browser navigating (it asks for HTML first) outside `/api/` gets a page; every other
/// request the problem.
pub(crate) async fn not_found(headers: axum::http::HeaderMap, uri: axum::http::Uri) -> Response {
    let wants_html = !uri.path().starts_with("/api/")
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if wants_html {
        return crate::respond::not_found_page(format!("Nothing is served at {}.", uri.path()));
    }
    Problem::not_found(None, format!("nothing is served at {}", uri.path())).into_response()
}

/// A known address with the wrong method: 405 as a problem.
pub(crate) async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!("{method} is not served at {}", uri.path()),
        None,
    )
    .into_response()
}
