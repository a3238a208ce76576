//! A coach's read-only views of a linked runner (multi-user mode): their status page and their
//! stored plans, as the runner sees them but with nothing to change (no done marks, no
//! timers, no calendar). Who may read is decided by [`auth::require`] with
//! [`Access::Read`]: the runner's linked coaches only; anyone else gets the same 404 as for a
//! runner who does not exist.

use afterrun_service::locale::Locale;
use afterrun_store::Id;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::auth::{self, Access, Principal};
use crate::problem::Problem;
use crate::respond::page;
use crate::security::CsrfToken;
use crate::views::PlanPage;
use crate::{AppState, views};

/// The runner `id` when `principal` is one of their coaches, with their name.
async fn linked_runner(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<(Id, String), Problem> {
    let not_found =
        || Problem::not_found(Some("id"), format!("there is no runner `{id}` of yours"));
    if !matches!(principal, Principal::Coach { .. }) {
        return Err(not_found());
    }
    let athlete = id.parse::<Id>().map_err(|_| not_found())?;
    auth::require(state, principal, athlete, Access::Read).await.map_err(|_| not_found())?;
    let store = state.store().ok_or_else(not_found)?;
    let name = store.athlete_ref(athlete).await.map_err(|e| Problem::internal(&e))?;
    Ok((athlete, name.map_or_else(|| id.to_owned(), |a| a.name)))
}

/// `GET /coach/athletes/{id}/status`: the runner's status page, read only.
pub(crate) async fn runner_status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Response {
    match linked_runner(&state, &principal, &id).await {
        Ok((athlete, _)) => crate::pages::status::athlete_status_page(&state, Some(athlete)).await,
        Err(p) => p.into_response(),
    }
}

/// `GET /coach/athletes/{id}/plans/{plan}`: one of the runner's plans, read only.
pub(crate) async fn runner_plan(
    State(state): State<AppState>,
    principal: Principal,
    csrf: CsrfToken,
    Path((id, plan)): Path<(String, String)>,
) -> Response {
    let (athlete, name) = match linked_runner(&state, &principal, &id).await {
        Ok(found) => found,
        Err(p) => return p.into_response(),
    };
    let Some(store) = state.store() else { return Problem::internal(&"no store").into_response() };
    let row = match plan.parse::<Id>() {
        Ok(plan_id) => store.plan(athlete, plan_id).await,
        Err(_) => Ok(None),
    };
    let row = match row {
        Ok(Some(row)) => row,
        Ok(None) => {
            return Problem::not_found(Some("plan"), format!("{name} has no plan `{plan}`"))
                .into_response();
        }
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let profile = store.profile(athlete).await.unwrap_or_default();
    let plan = match views::stored_plan_view(&row, &Locale::of(&profile)) {
        Ok(plan) => plan,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let view = PlanPage {
        title: "Runner's plan",
        nav: "coach",
        plan: plan.into(),
        ics_href: String::new(),
        plan_id: Some(row.id),
        csrf: csrf.as_str().to_owned(),
        read_only: Some(name),
    };
    page(StatusCode::OK, &view)
}
