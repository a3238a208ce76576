//! The baseline of the HTTP benchmark (`bench/run.sh`, issue 18): an axum server on the same
//! runtime as `afterrun serve` whose `POST /api/plan` parses the check-in JSON and answers a
//! plan-sized JSON document with no domain work (no triage, no planner, no middleware).
//! `POST /api/plan` of the real server is measured against this limit in the same run.
//!
//! ```sh
//! target/release/examples/nowork 127.0.0.1:18081 /tmp/plan.json
//! ```
//! The second argument is the JSON document to answer (run.sh saves the real server's answer
//! to the benchmark check-in there, so both send the same bytes).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: nowork ADDR ANSWER.json";
    let addr = args.next().ok_or(usage)?;
    let answer_path = args.next().ok_or(usage)?;
    let answer: Value = serde_json::from_slice(&std::fs::read(&answer_path)?)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        let app = Router::new().route("/api/plan", post(plan)).with_state(Arc::new(answer));
        axum::serve(listener, app).await?;
        Ok(())
    })
}

/// Parses the body as JSON and serializes the stored answer: the work every JSON API does.
async fn plan(State(answer): State<Arc<Value>>, body: Bytes) -> Response {
    if serde_json::from_slice::<Value>(&body).is_err() {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    }
    let text = serde_json::to_string(answer.as_ref()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], text).into_response()
}
