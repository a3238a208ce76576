//! The runner's stored plans: the list (`GET /plans`), one plan with its done steps, its
//! calendar, the done and undo forms, and the calendar of an unstored plan (`GET /plan.ics`).

use std::sync::Arc;

use afterrun_protocol::PlanDoc;
use afterrun_protocol::codes::Level;
use afterrun_service::locale::Locale;
use afterrun_store::{PlanRow, Store};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{PageOwner, owner_facts, owner_locale};
use crate::problem::Problem;
use crate::respond::{NotFoundPage, page, redirect};
use crate::security::CsrfToken;
use crate::views::{self, PlanPage};

/// The page owner's stored plan `id`, if it exists and is theirs.
async fn find_plan(
    store: &Store,
    owner: PageOwner,
    id: &str,
) -> Result<Option<PlanRow>, afterrun_store::StoreError> {
    let Ok(id) = id.parse::<i64>() else { return Ok(None) };
    let Some(athlete) = owner.lookup(store).await? else { return Ok(None) };
    store.plan(athlete, id).await
}

fn no_plan(id: &str) -> Response {
    let view = NotFoundPage {
        title: "Not found",
        nav: "checkin",
        message: format!("There is no stored plan number “{id}”."),
    };
    page(StatusCode::NOT_FOUND, &view)
}

/// One stored plan in the list.
#[derive(Debug, Clone)]
struct PlanItem {
    id: i64,
    generated_at: String,
    /// `generated_at` in the runner's zone, in words.
    generated_label: String,
    /// The runner's zone when the profile names one (the script keeps to it).
    tz: Option<String>,
    level: views::LevelView,
    steps: u32,
    done: usize,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    title: &'static str,
    nav: &'static str,
    plans: Vec<PlanItem>,
}

/// `GET /plans`: the personal athlete's plans, newest first.
pub(crate) async fn plan_list(State(state): State<AppState>, owner: PageOwner) -> Response {
    let Some(store) = state.store() else {
        return page(
            StatusCode::OK,
            &PlansPage { title: "Your plans", nav: "checkin", plans: Vec::new() },
        );
    };
    let rows = async {
        match owner.lookup(store).await? {
            Some(athlete) => store.plans(athlete).await,
            None => Ok(Vec::new()),
        }
    }
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let locale = owner_locale(&state, owner).await;
    let plans = rows
        .iter()
        .rev()
        .map(|row| {
            let level = PlanDoc::level_of(&row.plan);
            // A stored plan that no longer reads is shown at the careful level.
            let level = views::LevelView::of(level.unwrap_or(Level::SeePhysio));
            let generated_at =
                views::utc(jiff::Timestamp::from_second(row.generated_at).unwrap_or_default());
            PlanItem {
                id: row.id,
                generated_label: locale.when(row.generated_at),
                tz: (!locale.tz_defaulted).then(|| locale.tz_name.clone()),
                generated_at,
                level,
                steps: row.steps,
                done: row.completed.len(),
            }
        })
        .collect();
    page(StatusCode::OK, &PlansPage { title: "Your plans", nav: "checkin", plans })
}

/// `GET /plans/{id}`: a stored plan with its done steps.
pub(crate) async fn stored_plan(
    State(state): State<AppState>,
    csrf: CsrfToken,
    owner: PageOwner,
    Path(id): Path<String>,
) -> Response {
    let view = match cached_plan_view(&state, owner, &id).await {
        Ok(Some(view)) => view,
        Ok(None) => return no_plan(&id),
        Err(problem) => return problem.into_response(),
    };
    let plan_id: i64 = id.parse().unwrap_or_default();
    let view = PlanPage {
        title: "Your plan",
        nav: "checkin",
        plan: view,
        ics_href: format!("/plans/{plan_id}/calendar.ics"),
        plan_id: Some(plan_id),
        csrf: csrf.as_str().to_owned(),
        read_only: None,
    };
    let mut response = page(StatusCode::OK, &view);
    // htmx followed the redirect from the form: show this address in the location bar.
    if let Ok(url) = HeaderValue::from_str(&format!("/plans/{plan_id}")) {
        response.headers_mut().insert("hx-push-url", url);
    }
    response
}

/// The page view of the owner's stored plan `id` (`None` if it is not theirs or not there),
/// made once per store revision: the plan, its done steps and the owner's locale are all data
/// whose change bumps the revision.
async fn cached_plan_view(
    state: &AppState,
    owner: PageOwner,
    id: &str,
) -> Result<Option<Arc<views::PlanView>>, Problem> {
    let (Some(store), Ok(plan_id)) = (state.store(), id.parse::<i64>()) else { return Ok(None) };
    let owner = owner_facts(state, owner).await.map_err(|e| Problem::internal(&e))?;
    let Some(athlete) = owner.facts.athlete else { return Ok(None) };
    let facts = Arc::clone(&owner.facts);
    let view = state
        .plan_views()
        .get_or_compute((athlete, plan_id, owner.revision), async move {
            let Some(row) =
                store.plan(athlete, plan_id).await.map_err(|e| Problem::internal(&e))?
            else {
                return Ok(None);
            };
            let locale = Locale::of(&facts.profile);
            let view = views::stored_plan_view(&row, &locale).map_err(|e| Problem::internal(&e))?;
            Ok(Some(Arc::new(view)))
        })
        .await?;
    Ok(view.as_ref().clone())
}

/// `GET /plans/{id}/calendar.ics`: a stored plan as a calendar.
pub(crate) async fn stored_plan_ics(
    State(state): State<AppState>,
    owner: PageOwner,
    Path(id): Path<String>,
) -> Response {
    let Some(store) = state.store() else { return no_plan_problem(&id) };
    match find_plan(store, owner, &id).await {
        Ok(Some(row)) => {
            ics_response(PlanDoc::from_value(&row.plan), &owner_locale(&state, owner).await)
        }
        Ok(None) => no_plan_problem(&id),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

fn no_plan_problem(id: &str) -> Response {
    Problem::not_found(Some("id"), format!("there is no stored plan `{id}`")).into_response()
}

/// `POST /plans/{id}/steps/{step}/done`: marks a step done, then back to the plan (the page's
/// script swaps in only that step, so a running timer keeps going).
pub(crate) async fn mark_done(
    State(state): State<AppState>,
    owner: PageOwner,
    Path((id, step)): Path<(String, String)>,
) -> Response {
    change_step(&state, owner, &id, &step, true).await
}

/// `POST /plans/{id}/steps/{step}/undo`: takes back a step marked done, then back to the plan.
pub(crate) async fn undo_done(
    State(state): State<AppState>,
    owner: PageOwner,
    Path((id, step)): Path<(String, String)>,
) -> Response {
    change_step(&state, owner, &id, &step, false).await
}

/// Marks a step of the owner's stored plan done (`done`) or takes the mark back.
async fn change_step(
    state: &AppState,
    owner: PageOwner,
    id: &str,
    step: &str,
    done: bool,
) -> Response {
    let Some(store) = state.store() else { return no_plan_problem(id) };
    let row = match find_plan(store, owner, id).await {
        Ok(Some(row)) => row,
        Ok(None) => return no_plan_problem(id),
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let step_index = match step.parse::<u32>() {
        Ok(n) if n < row.steps => n,
        _ => {
            return Problem::new(
                StatusCode::NOT_FOUND,
                "no-such-step",
                "No such step",
                format!("plan {} has steps 0 to {}", row.id, row.steps.saturating_sub(1)),
                Some("step"),
            )
            .into_response();
        }
    };
    let Some(athlete) = owner.lookup(store).await.ok().flatten() else {
        return no_plan_problem(id);
    };
    let changed = if done {
        store.mark_done(athlete, Some(row.id), step_index, state.now().as_second()).await
    } else {
        store.unmark_done(athlete, row.id, step_index).await
    };
    match changed {
        Ok(_) => redirect(&format!("/plans/{}#step-{step_index}", row.id)),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

fn ics_response(plan: Result<PlanDoc, serde_json::Error>, locale: &Locale) -> Response {
    match plan.map(|plan| afterrun_service::ics::plan_to_ics(&plan, locale)) {
        Ok(ics) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"afterrun-plan.ics\""),
            ],
            ics,
        )
            .into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct IcsQuery {
    checkin: Option<String>,
}

pub(crate) async fn plan_ics(
    State(state): State<AppState>,
    owner: PageOwner,
    Query(query): Query<IcsQuery>,
) -> Response {
    let Some(checkin) = query.checkin else {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "missing-parameter",
            "A parameter is missing",
            "give the check-in as the `checkin` query parameter",
            Some("checkin"),
        )
        .into_response();
    };
    let plan = match crate::views::plan_for(&checkin) {
        Ok(p) => p,
        Err(problem) => return problem.into_response(),
    };
    ics_response(Ok(plan), &owner_locale(&state, owner).await)
}
