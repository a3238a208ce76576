//! The athlete-scoped JSON API: accounts and sessions, `/api/me`, and every athlete's profile,
//! check-ins, plans, activities and coaches under `/api/athletes/{id}/…`, plus a coach's
//! referrals.
//!
//! Every handler that touches an athlete's data first calls [`crate::auth::require`] with the
//! access it needs, so the rule lives in one place: an athlete reads and changes only their own
//! athlete, a coach reads linked athletes, anything not visible is 404. Bodies are read by
//! [`crate::body::json_value`] (not axum's `Json` extractor), so that every refusal is a problem
//! document naming the field and a key given twice is refused everywhere alike.

use std::collections::HashMap;

use afterrun_service::checkin::{CheckinError, merge_profile};
use afterrun_store::{Id, Profile, Role, Store};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::accounts::{add_coach, internal, make_invite, new_account, store_of};
use crate::answers::{AccountAnswer, ActivityAnswer, CoachAnswer, InviteAnswer};
use crate::auth::{self, Access, Principal};
use crate::body::json_value;
use crate::client::Client;
use crate::problem::Problem;
use crate::respond::{extract_part, extract_whole, json_text};
use crate::{AppState, Mode};

type Answer = Result<Response, Problem>;

fn ok_json(value: &impl serde::Serialize) -> Answer {
    let text = serde_json::to_string(value).map_err(|e| Problem::internal(&e))?;
    Ok(json_text(StatusCode::OK, text))
}

/// A 201 answer with `value` as JSON.
fn created_json(value: &impl serde::Serialize) -> Answer {
    let text = serde_json::to_string(value).map_err(|e| Problem::internal(&e))?;
    Ok(json_text(StatusCode::CREATED, text))
}

/// 404 for the accounts endpoints of a personal server.
fn multi_user_only(state: &AppState) -> Result<&Store, Problem> {
    if state.config().mode == Mode::Personal {
        return Err(Problem::not_found(None, "a personal server has no accounts"));
    }
    store_of(state)
}

/// A path id, or 404 naming the parameter.
fn path_id(text: &str, field: &str) -> Result<Id, Problem> {
    text.parse::<Id>()
        .map_err(|_| Problem::not_found(Some(field), format!("there is no {field} `{text}`")))
}

/// The athlete `{id}` of the path, once the principal may read (`WRITE` false) or change
/// (`WRITE` true) their data, with the state: the extractor of the handlers without a body.
pub(crate) struct PathAthlete<const WRITE: bool> {
    state: AppState,
    athlete: Id,
}

/// The athlete of the path, readable by the principal.
type Readable = PathAthlete<false>;
/// The athlete of the path, changeable by the principal.
type Writable = PathAthlete<true>;

impl<const WRITE: bool> FromRequestParts<AppState> for PathAthlete<WRITE> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let (principal, id) = principal_and_id(parts, state).await?;
        let access = if WRITE { Access::Write } else { Access::Read };
        let athlete = athlete_for(state, &principal, &id, access).await;
        let state = state.clone();
        athlete.map(|athlete| PathAthlete { state, athlete }).map_err(IntoResponse::into_response)
    }
}

/// The athlete `{id}` of the path, once the principal may change their data, with the state and
/// the body: the extractor of the handlers with a body. The body is read before the athlete is
/// checked, in the order of axum's extractors (the principal, the path, the body, the handler).
pub(crate) struct AthleteBody {
    state: AppState,
    athlete: Id,
    body: Bytes,
}

impl FromRequest<AppState> for AthleteBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let (principal, id) = principal_and_id(&mut parts, state).await?;
        let body: Bytes = extract_whole(Request::from_parts(parts, body), state).await?;
        let athlete = athlete_for(state, &principal, &id, Access::Write).await;
        let state = state.clone();
        athlete
            .map(|athlete| AthleteBody { state, athlete, body })
            .map_err(IntoResponse::into_response)
    }
}

/// Who asks, and the path's `{id}`.
async fn principal_and_id(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(Principal, String), Response> {
    let principal: Principal = extract_part(parts, state).await?;
    let Path(mut params) = extract_part::<Path<HashMap<String, String>>>(parts, state).await?;
    Ok((principal, params.remove("id").unwrap_or_default()))
}

/// The athlete `id` of the path, once the principal may access it.
async fn athlete_for(
    state: &AppState,
    principal: &Principal,
    id: &str,
    access: Access,
) -> Result<Id, Problem> {
    auth::path_athlete(state, principal, id, access).await
}

/// The body as a JSON object, or 422.
fn object(body: &Bytes) -> Result<Map<String, Value>, Problem> {
    match json_value(body)? {
        Value::Object(map) => Ok(map),
        _ => Err(auth::invalid("$", "the body must be a JSON object")),
    }
}

/// A required string member of a body.
fn string_field<'a>(map: &'a Map<String, Value>, field: &str) -> Result<&'a str, Problem> {
    map.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| auth::invalid(field, format!("give `{field}` as a string")))
}

// ----- accounts and sessions -----

/// `POST /api/accounts` {username, password, role}: 201 with the account.
pub(crate) async fn create_account(
    State(state): State<AppState>,
    client: Client,
    body: Bytes,
) -> Answer {
    let store = multi_user_only(&state)?;
    let map = object(&body)?;
    let username = string_field(&map, "username")?;
    let password = string_field(&map, "password")?;
    let role = string_field(&map, "role")?;
    auth::check_username(username)?;
    auth::check_password(password)?;
    let role = Role::parse(role)
        .ok_or_else(|| auth::invalid("role", "the role is `athlete` or `coach`"))?;
    let invite = match map.get("invite") {
        None | Some(Value::Null) => None,
        Some(_) => Some(string_field(&map, "invite")?),
    };
    let account = new_account(&state, store, client, username, password, role, invite).await?;
    let answer = AccountAnswer {
        athlete_id: account.athlete_id,
        role: role.as_str().to_owned(),
        username: Some(account.username),
    };
    created_json(&answer)
}

/// `POST /api/invites`: a coach makes a one-time sign-up invitation; 201 with its token, the
/// sign-up page's address carrying it, and when it expires.
pub(crate) async fn create_invite(State(state): State<AppState>, principal: Principal) -> Answer {
    let store = multi_user_only(&state)?;
    let account = match &principal {
        Principal::Coach { account } => account,
        Principal::Anonymous => return Err(auth::unauthenticated()),
        Principal::Athlete { .. } | Principal::Owner => return Err(coaches_only()),
    };
    let (token, expires_at) = make_invite(&state, store, account).await?;
    created_json(&InviteAnswer {
        expires_at: afterrun_store::format_rfc3339(expires_at),
        path: format!("/signup?invite={token}"),
        invite: token,
    })
}

/// 403: for coaches only.
fn coaches_only() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "coaches-only",
        "For coaches",
        "only a coach's account can do this",
        None,
    )
}

/// `POST /api/session` {username, password}: 204 with the session cookie.
pub(crate) async fn create_session(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let store = multi_user_only(&state)?;
        let map = object(&body)?;
        Ok::<_, Problem>((
            store,
            string_field(&map, "username")?.to_owned(),
            string_field(&map, "password")?.to_owned(),
        ))
    }
    .await;
    let (store, username, password) = match result {
        Ok(v) => v,
        Err(problem) => return problem.into_response(),
    };
    match auth::login(&state, store, client, &username, &password).await {
        Ok((_, token)) => {
            (StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::session_cookie(&token, &headers))])
                .into_response()
        }
        Err(response) => response,
    }
}

/// `DELETE /api/session`: 204, the session gone and the cookie cleared.
pub(crate) async fn delete_session(State(state): State<AppState>, headers: HeaderMap) -> Answer {
    multi_user_only(&state)?;
    auth::logout(&state, &headers).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::cleared_cookie(&headers))])
        .into_response())
}

/// The caller's own account, once `password` proves it is them (the log-in's checks and limits:
/// failures counted, lock-outs kept); `Err` is the response to send.
async fn confirmed_account(
    state: &AppState,
    principal: &Principal,
    client: Client,
    password: &str,
) -> Result<afterrun_store::Account, Response> {
    let store = multi_user_only(state).map_err(IntoResponse::into_response)?;
    let Some(account) = principal.account() else {
        return Err(auth::unauthenticated().into_response());
    };
    auth::check_credentials(state, store, client, &account.username, password).await
}

/// `PUT /api/me/password` {current, new}: 204 with a new session cookie; every other session
/// of the account has ended.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    client: Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match object(&body) {
        Ok(map) => map,
        Err(p) => return p.into_response(),
    };
    let (current, new) = match (string_field(&map, "current"), string_field(&map, "new")) {
        (Ok(c), Ok(n)) => (c.to_owned(), n.to_owned()),
        (Err(p), _) | (_, Err(p)) => return p.into_response(),
    };
    if let Err(p) = auth::check_password(&new) {
        let message = p.detail.clone();
        return auth::invalid("new", message).into_response();
    }
    let account = match confirmed_account(&state, &principal, client, &current).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let result = async {
        let store = multi_user_only(&state)?;
        let hash = auth::hash_password(&state, client, new).await?;
        store.change_password(account.id, &hash).await.map_err(|e| Problem::internal(&e))?;
        auth::new_session(&state, store, account.id).await
    }
    .await;
    match result {
        Ok(token) => {
            tracing::info!(username = %account.username, %client, "password changed; other sessions ended");
            (StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::session_cookie(&token, &headers))])
                .into_response()
        }
        Err(p) => p.into_response(),
    }
}

/// `DELETE /api/me` {password}: deletes the caller's account and, for an athlete, all their
/// data; 204 with the session cookie cleared.
pub(crate) async fn delete_me(
    State(state): State<AppState>,
    principal: Principal,
    client: Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let password = match object(&body).and_then(|m| string_field(&m, "password").map(str::to_owned))
    {
        Ok(p) => p,
        Err(p) => return p.into_response(),
    };
    let account = match confirmed_account(&state, &principal, client, &password).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let Ok(store) = multi_user_only(&state) else { return no_store() };
    match store.delete_account(&account).await {
        Ok(_) => {
            tracing::info!(username = %account.username, %client, "account deleted with its data");
            (StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::cleared_cookie(&headers))])
                .into_response()
        }
        Err(e) => Problem::internal(&e).into_response(),
    }
}

fn no_store() -> Response {
    Problem::not_found(None, "this server keeps no accounts").into_response()
}

/// `GET /api/athletes/{id}/export`: everything stored about the athlete, as `afterrun export`
/// prints it (originals left out). Only the athlete themself (or the owner): not a coach.
pub(crate) async fn export(PathAthlete { state, athlete }: Writable) -> Answer {
    let store = state.store().ok_or_else(|| Problem::not_found(None, "no store"))?;
    let name = store
        .athlete_ref(athlete)
        .await
        .map_err(internal)?
        .map(|a| a.name)
        .ok_or_else(|| Problem::not_found(Some("id"), "there is no such athlete"))?;
    let export = store.export(&name).await.map_err(internal)?;
    ok_json(&export)
}

/// `POST /api/coach/athletes/{id}/accept`: the coach accepts runner `id`'s request; 204.
pub(crate) async fn accept_runner(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Answer {
    coach_link_change(&state, &principal, &id, true).await
}

/// `DELETE /api/coach/athletes/{id}`: the coach declines runner `id`'s request or ends the link.
pub(crate) async fn end_runner(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Answer {
    coach_link_change(&state, &principal, &id, false).await
}

async fn coach_link_change(
    state: &AppState,
    principal: &Principal,
    id: &str,
    accept: bool,
) -> Answer {
    let store = multi_user_only(state)?;
    let account = match principal {
        Principal::Coach { account } => account,
        Principal::Anonymous => return Err(auth::unauthenticated()),
        _ => return Err(Problem::not_found(Some("id"), "only a coach answers a runner's request")),
    };
    let athlete = path_id(id, "id")?;
    let changed = if accept {
        store.accept_link(account.id, athlete, state.now().as_second()).await
    } else {
        store.end_link(account.id, athlete).await
    };
    match changed.map_err(internal)? {
        true => Ok(StatusCode::NO_CONTENT.into_response()),
        false => Err(Problem::not_found(Some("id"), format!("runner `{id}` has not asked you"))),
    }
}

/// `GET /api/me`: who is asking.
pub(crate) async fn me(State(state): State<AppState>, principal: Principal) -> Answer {
    match &principal {
        Principal::Owner => {
            let athlete = match state.store() {
                Some(store) => {
                    store.athlete_id(crate::respond::PERSONAL_ATHLETE).await.map_err(internal)?
                }
                None => None,
            };
            ok_json(&AccountAnswer { athlete_id: athlete, role: "owner".into(), username: None })
        }
        Principal::Anonymous => Err(auth::unauthenticated()),
        Principal::Athlete { account, athlete_id } => ok_json(&AccountAnswer {
            athlete_id: Some(*athlete_id),
            role: "athlete".into(),
            username: Some(account.username.clone()),
        }),
        Principal::Coach { account } => ok_json(&AccountAnswer {
            athlete_id: None,
            role: "coach".into(),
            username: Some(account.username.clone()),
        }),
    }
}

/// `GET /api/athletes`: the athletes the principal may see.
pub(crate) async fn athletes(State(state): State<AppState>, principal: Principal) -> Answer {
    let store = store_of(&state)?;
    let list = match &principal {
        Principal::Anonymous => return Err(auth::unauthenticated()),
        Principal::Owner => store.athlete_refs().await.map_err(internal)?,
        Principal::Athlete { athlete_id, .. } => {
            store.athlete_ref(*athlete_id).await.map_err(internal)?.into_iter().collect()
        }
        Principal::Coach { account } => store.athletes_of(account.id).await.map_err(internal)?,
    };
    ok_json(&list)
}

// ----- profile -----

/// `GET /api/athletes/{id}/profile`: the profile, as `afterrun profile --json` prints it.
pub(crate) async fn profile(PathAthlete { state, athlete }: Readable) -> Answer {
    let profile = store_of(&state)?.profile(athlete).await.map_err(internal)?;
    ok_json(&profile)
}

/// `PUT /api/athletes/{id}/profile`: replaces the profile; 200 with it.
pub(crate) async fn put_profile(AthleteBody { state, athlete, body }: AthleteBody) -> Answer {
    let map = object(&body)?;
    if let Some(key) = map.keys().find(|k| !Profile::FIELDS.contains(&k.as_str())) {
        return Err(auth::invalid(key, format!("`{key}` is not a profile field")));
    }
    let profile: Profile = serde_json::from_value(Value::Object(map))
        .map_err(|e| auth::invalid("$", format!("not a profile: {e}")))?;
    validate_profile(&profile)?;
    store_of(&state)?.set_profile(athlete, &profile).await.map_err(internal)?;
    ok_json(&profile)
}

/// Checks a profile as `afterrun profile` and the web form do
/// ([`afterrun_service::profile::validate`]).
fn validate_profile(p: &Profile) -> Result<(), Problem> {
    afterrun_service::profile::validate(p).map_err(|e| auth::invalid(&e.field, e.message))
}

// ----- check-ins and plans -----

/// `GET /api/athletes/{id}/checkins`: the check-ins, oldest first.
pub(crate) async fn checkins(PathAthlete { state, athlete }: Readable) -> Answer {
    ok_json(&store_of(&state)?.checkins(athlete).await.map_err(internal)?)
}

/// `POST /api/athletes/{id}/checkins`: plans the check-in with the athlete's history (the
/// stored profile filling what it leaves out, as the web check-in does), keeps both; 201 with
/// their ids and the plan.
pub(crate) async fn post_checkin(AthleteBody { state, athlete, body }: AthleteBody) -> Answer {
    let store = store_of(&state)?;
    let mut checkin = json_value(&body)?;
    let profile = store.profile(athlete).await.map_err(internal)?;
    merge_profile(&mut checkin, &profile);
    // The same path as the web form and the CLI: planned with the athlete's history, stored.
    let planned = afterrun_service::checkin::checkin_and_plan(
        store,
        athlete,
        &checkin,
        state.now().as_second(),
    )
    .await
    .map_err(|e| match e {
        CheckinError::Invalid(e) => Problem::invalid_checkin(&e.field, e.message),
        CheckinError::Service(e) => Problem::internal(&e),
    })?;
    let (checkin_id, plan_id, plan) = (planned.checkin_id, planned.plan_id, planned.plan);
    let text = json!({"checkin_id": checkin_id, "plan_id": plan_id, "plan": plan});
    Ok(json_text(StatusCode::CREATED, text.to_string()))
}

/// `GET /api/athletes/{id}/plans`: the plans with their done steps, oldest first.
pub(crate) async fn plans(PathAthlete { state, athlete }: Readable) -> Answer {
    ok_json(&store_of(&state)?.plans(athlete).await.map_err(internal)?)
}

/// The athlete's plan `plan`, or 404 naming `plan`.
async fn find_plan(
    store: &Store,
    athlete: Id,
    plan: &str,
) -> Result<afterrun_store::PlanRow, Problem> {
    let plan_id = path_id(plan, "plan")?;
    store
        .plan(athlete, plan_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Problem::not_found(Some("plan"), format!("there is no plan `{plan}`")))
}

/// `GET /api/athletes/{id}/plans/{plan}`: one plan with its done steps.
pub(crate) async fn plan(
    PathAthlete { state, athlete }: Readable,
    Path((_, plan)): Path<(String, String)>,
) -> Answer {
    ok_json(&find_plan(store_of(&state)?, athlete, &plan).await?)
}

/// `POST /api/athletes/{id}/plans/{plan}/steps/{step}/done`: marks the step done (the first
/// time counts); 200 with the plan.
pub(crate) async fn step_done(
    PathAthlete { state, athlete }: Writable,
    Path((_, plan, step)): Path<(String, String, String)>,
) -> Answer {
    let store = store_of(&state)?;
    let row = find_plan(store, athlete, &plan).await?;
    let step_index = step.parse::<u32>().ok().filter(|n| *n < row.steps).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "no-such-step",
            "No such step",
            format!("plan {} has steps 0 to {}", row.id, row.steps.saturating_sub(1)),
            Some("step"),
        )
    })?;
    store
        .mark_done(athlete, Some(row.id), step_index, state.now().as_second())
        .await
        .map_err(internal)?;
    ok_json(&find_plan(store, athlete, &plan).await?)
}

// ----- activities -----

/// `GET /api/athletes/{id}/activities`: the activities, oldest first, with the fields of
/// `afterrun activities --json`.
pub(crate) async fn activities(PathAthlete { state, athlete }: Readable) -> Answer {
    let rows = store_of(&state)?.activities(athlete).await.map_err(internal)?;
    ok_json(&rows.iter().map(ActivityAnswer::from).collect::<Vec<_>>())
}

// ----- coaches -----

/// `GET /api/athletes/{id}/coaches`: the linked coaches.
pub(crate) async fn coaches(PathAthlete { state, athlete }: Readable) -> Answer {
    ok_json(&store_of(&state)?.coaches_of(athlete).await.map_err(internal)?)
}

/// `POST /api/athletes/{id}/coaches` {"coach": username}: the athlete links a coach; 201.
pub(crate) async fn link_coach(AthleteBody { state, athlete, body }: AthleteBody) -> Answer {
    let map = object(&body)?;
    let coach = string_field(&map, "coach")?;
    add_coach(&state, athlete, coach).await?;
    created_json(&CoachAnswer { coach: coach.to_owned() })
}

/// `DELETE /api/athletes/{id}/coaches/{username}`: the athlete unlinks a coach; 204, or 404 when
/// they were not linked.
pub(crate) async fn unlink_coach(
    PathAthlete { state, athlete }: Writable,
    Path((_, username)): Path<(String, String)>,
) -> Answer {
    if store_of(&state)?.unlink_coach(athlete, &username).await.map_err(internal)? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(Problem::not_found(Some("username"), format!("`{username}` is not a linked coach")))
    }
}

/// `GET /api/referrals`: a coach's linked athletes' red-flag check-ins, newest first.
pub(crate) async fn referrals(State(state): State<AppState>, principal: Principal) -> Answer {
    let store = multi_user_only(&state)?;
    match &principal {
        Principal::Coach { account } => {
            ok_json(&store.referrals(account.id).await.map_err(internal)?)
        }
        Principal::Anonymous => Err(auth::unauthenticated()),
        Principal::Athlete { .. } | Principal::Owner => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "coaches-only",
            "For coaches",
            "referrals list the red flags of a coach's athletes; this account is not a coach",
            None,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_checked_like_the_cli_does() {
        assert!(validate_profile(&Profile::default()).is_ok());
        let bad = Profile { goal: Some("sprint".to_owned()), ..Profile::default() };
        assert_eq!(validate_profile(&bad).unwrap_err().field.as_deref(), Some("goal"));
        let bad = Profile { max_hr: Some(300), ..Profile::default() };
        assert_eq!(validate_profile(&bad).unwrap_err().field.as_deref(), Some("max_hr"));
    }
}
