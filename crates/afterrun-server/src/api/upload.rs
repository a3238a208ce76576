//! `POST /api/athletes/{id}/activities?name=FILE`: imports the body, a file or an archive, and
//! answers `{"files":[…lines…],"summary":{…}}` (see [`crate::upload`]).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::auth::Principal;
use crate::problem::Problem;
use crate::upload::{
    answer_json, athlete_for, bad_request, clean_name, import_one, no_store, spool_body,
};

#[derive(Debug, serde::Deserialize)]
struct UploadQuery {
    name: Option<String>,
}

/// `POST /api/athletes/{id}/activities?name=FILE`: imports the body (a file or an archive).
pub(crate) async fn upload_api(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    uri: Uri,
    body: Body,
) -> Response {
    match upload_api_inner(&state, &principal, &id, &uri, body).await {
        Ok(value) => crate::respond::json_text(StatusCode::OK, value.to_string()),
        Err(p) => p.into_response(),
    }
}

async fn upload_api_inner(
    state: &AppState,
    principal: &Principal,
    id: &str,
    uri: &Uri,
    body: Body,
) -> Result<Value, Problem> {
    let store = state.store().ok_or_else(no_store)?;
    let query = axum::extract::Query::<UploadQuery>::try_from_uri(uri)
        .map_err(|e| bad_request("name", format!("the query is not valid: {e}")))?;
    let name = query.0.name.as_deref().and_then(clean_name).ok_or_else(|| {
        bad_request(
            "name",
            "give the file's name as the `name` query parameter, such as ?name=run.fit",
        )
    })?;
    let athlete = athlete_for(state, principal, id).await?;
    let _turn = state.uploads().turn(athlete)?;
    let spool = spool_body(state, body).await?;
    if spool.len() == 0 {
        return Err(bad_request("body", "the body is empty: send the file's bytes"));
    }
    let (lines, counts) = import_one(state, store, athlete, name, spool).await?;
    Ok(answer_json(lines, &counts))
}
