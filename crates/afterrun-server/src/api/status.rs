//! `GET /api/athletes/{id}/status`: the status report as JSON, the same figures as
//! `afterrun status --json` (the page is [`crate::pages::status`]).

use afterrun_store::{Id, Store};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};

use crate::AppState;
use crate::Mode;
use crate::auth::{self, Access, Principal};
use crate::problem::Problem;
use crate::report_cache::report;
use crate::respond::PERSONAL_ATHLETE;

/// The athlete a path's `{id}` names in personal mode: `me` or the personal athlete's id.
async fn personal_athlete(store: &Store, id: &str) -> Result<Option<Id>, Problem> {
    let me = store.athlete_id(PERSONAL_ATHLETE).await.map_err(|e| Problem::internal(&e))?;
    Ok(match (id, me) {
        ("me", me) => me,
        (id, Some(me)) if id.parse::<Id>().ok() == Some(me) => Some(me),
        _ => None,
    })
}

pub(crate) async fn status_json(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Response {
    let Some(store) = state.store() else {
        return Problem::not_found(None, "this server keeps no athletes").into_response();
    };
    // Multi-user: the athlete themself and their linked coaches read it (auth::require).
    let athlete = if state.config().mode == Mode::MultiUser {
        match id.parse::<Id>() {
            Ok(athlete) => match auth::require(&state, &principal, athlete, Access::Read).await {
                Ok(()) => Ok(Some(athlete)),
                Err(p) => Err(p),
            },
            Err(_) => Ok(None),
        }
    } else {
        personal_athlete(store, &id).await
    };
    let athlete = match athlete {
        Ok(Some(a)) => a,
        Ok(None) => {
            return Problem::not_found(Some("id"), format!("there is no athlete `{id}`"))
                .into_response();
        }
        Err(p) => return p.into_response(),
    };
    match report(&state, store, athlete).await {
        Ok(r) => {
            let text = r.json.get_or_init(|| r.report.to_json().to_string());
            crate::respond::json_text(StatusCode::OK, text.clone())
        }
        Err(p) => p.into_response(),
    }
}
