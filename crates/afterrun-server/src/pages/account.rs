//! The web app's multi-user pages: log in, sign up, log out, the coach's page and the profile's
//! coach links (whose pages they are is [`crate::auth::PageOwner`]).
//!
//! Like the other pages they work without JavaScript: plain forms carrying the CSRF token, a
//! redirect after every change. A personal server has none of them (404).

use afterrun_protocol::codes::Level;
use afterrun_protocol::doc::ReasonDoc;
use afterrun_store::{Account, Id, Role, Store, StoreError};
use askama::Template;
use axum::extract::{Form, FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize as _;

use crate::auth::{self, PageOwner, Principal};
use crate::client::Client;
use crate::problem::Problem;
use crate::respond::{extract_whole, not_found_page, page, redirect};
use crate::security::CsrfToken;
use crate::views::{self, FormError, FormValues};
use crate::{AppState, Mode, Signup};

/// The store of a multi-user server.
fn multi_user_store(state: &AppState) -> Option<&Store> {
    state.store().filter(|_| state.config().mode == Mode::MultiUser)
}

/// The answer of a personal server to an accounts page.
fn no_accounts() -> Response {
    not_found_page("This personal server has no accounts.".to_owned())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    title: &'static str,
    nav: &'static str,
    csrf: String,
    username: String,
    error: Option<String>,
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> Response {
    if multi_user_store(&state).is_none() {
        return no_accounts();
    }
    // Already logged in (a link from elsewhere arrives without the SameSite=Strict cookie; the
    // next, same-site request has it): straight home.
    if let Some(account) = principal.account() {
        return redirect(home(account.role));
    }
    let view = LoginPage {
        title: "Log in",
        nav: "",
        csrf: csrf.as_str().to_owned(),
        username: String::new(),
        error: None,
    };
    page(StatusCode::OK, &view)
}

/// A log-in or sign-up form: the username (trimmed), the password, and for a sign-up the role
/// (an athlete unless `coach`) and the invitation (none when empty).
pub(crate) struct AccountForm {
    username: String,
    password: String,
    role: Role,
    invite: Option<String>,
}

impl FromRequest<AppState> for AccountForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let Form(pairs) = extract_whole::<Form<Vec<(String, String)>>>(request, state).await?;
        let form = FormValues::new(pairs);
        let username = form.get("username").unwrap_or("").trim().to_owned();
        let password = form.get("password").unwrap_or("").to_owned();
        let role = if form.get("role") == Some("coach") { Role::Coach } else { Role::Athlete };
        let invite = form.get("invite").filter(|i| !i.is_empty()).map(str::to_owned);
        Ok(AccountForm { username, password, role, invite })
    }
}

/// Where an account lands after logging in.
fn home(role: Role) -> &'static str {
    match role {
        Role::Athlete => "/",
        Role::Coach => "/coach",
    }
}

/// A redirect home carrying the new session's cookie.
fn logged_in(role: Role, token: &str, headers: &HeaderMap) -> Response {
    let mut response = redirect(home(role));
    response.headers_mut().insert(header::SET_COOKIE, auth::session_cookie(token, headers));
    response
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: Client,
    headers: HeaderMap,
    AccountForm { username, password, .. }: AccountForm,
) -> Response {
    let Some(store) = multi_user_store(&state) else { return no_accounts() };
    match auth::login(&state, store, client, &username, &password).await {
        Ok((account, token)) => logged_in(account.role, &token, &headers),
        Err(refusal) => {
            let status = refusal.status();
            let retry = refusal.headers().get(header::RETRY_AFTER).cloned();
            let error = if status == StatusCode::TOO_MANY_REQUESTS {
                let seconds = retry.as_ref().and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                let minutes = seconds.unwrap_or(60).div_ceil(60);
                format!("Too many attempts: wait {minutes} min and try again.")
            } else if status == StatusCode::UNAUTHORIZED {
                "The username and password do not match an account.".to_owned()
            } else {
                return refusal;
            };
            let view = LoginPage {
                title: "Log in",
                nav: "",
                csrf: csrf.as_str().to_owned(),
                username,
                error: Some(error),
            };
            let mut response = page(status, &view);
            if let Some(retry) = retry {
                response.headers_mut().insert(header::RETRY_AFTER, retry);
            }
            response
        }
    }
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    title: &'static str,
    nav: &'static str,
    csrf: String,
    username: String,
    coach: bool,
    error: Option<FormError>,
    /// The invitation the form carries (from the link's `?invite=`).
    invite: String,
    /// Sign-up is closed: no form.
    closed: bool,
    /// Sign-up is by invitation and the page has none: no form.
    needs_invite: bool,
}

impl SignupPage {
    fn new(state: &AppState, csrf: &CsrfToken, invite: Option<&str>) -> SignupPage {
        let signup = state.config().signup;
        SignupPage {
            title: "Create an account",
            nav: "",
            csrf: csrf.as_str().to_owned(),
            username: String::new(),
            coach: false,
            error: None,
            invite: invite.unwrap_or("").to_owned(),
            closed: signup == Signup::Closed,
            needs_invite: signup == Signup::Invite && invite.is_none_or(str::is_empty),
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct SignupQuery {
    invite: Option<String>,
}

pub(crate) async fn signup_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Query(query): Query<SignupQuery>,
) -> Response {
    if multi_user_store(&state).is_none() {
        return no_accounts();
    }
    let view = SignupPage::new(&state, &csrf, query.invite.as_deref());
    let status =
        if view.closed || view.needs_invite { StatusCode::FORBIDDEN } else { StatusCode::OK };
    page(status, &view)
}

pub(crate) async fn signup_submit(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: Client,
    headers: HeaderMap,
    AccountForm { username, password, role, invite }: AccountForm,
) -> Response {
    let Some(store) = multi_user_store(&state) else { return no_accounts() };
    let invite = invite.as_deref();
    let created = async {
        auth::check_username(&username)?;
        auth::check_password(&password)?;
        let new_account = crate::accounts::new_account;
        new_account(&state, store, client, &username, &password, role, invite).await
    }
    .await;
    if let Err(problem) = created {
        if problem.status_code().is_server_error() {
            return problem.into_response();
        }
        let view = SignupPage {
            username,
            coach: role == Role::Coach,
            error: Some(FormError {
                field: problem.field.clone().unwrap_or_default(),
                message: problem.detail.clone(),
            }),
            ..SignupPage::new(&state, &csrf, invite)
        };
        let mut response = page(problem.status_code(), &view);
        if let Some(seconds) = problem.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
        }
        return response;
    }
    match auth::login(&state, store, client, &username, &password).await {
        Ok((account, token)) => logged_in(account.role, &token, &headers),
        Err(response) => response,
    }
}

/// `POST /logout`: ends the session, back to the login page.
pub(crate) async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if multi_user_store(&state).is_none() {
        return no_accounts();
    }
    if let Err(problem) = auth::logout(&state, &headers).await {
        return problem.into_response();
    }
    let mut response = redirect("/login");
    response.headers_mut().insert(header::SET_COOKIE, auth::cleared_cookie(&headers));
    response
}

/// One red flag on the coach's page.
#[derive(Debug, Clone)]
struct ReferralItem {
    athlete: String,
    athlete_id: Id,
    at: String,
    /// `at` in words.
    at_label: String,
    level: views::LevelView,
    reasons: String,
    plan_id: Id,
}

#[derive(Template)]
#[template(path = "coach.html")]
struct CoachPage {
    title: &'static str,
    nav: &'static str,
    csrf: String,
    username: String,
    athletes: Vec<(Id, String)>,
    /// Runners who asked this coach and wait for an answer.
    requests: Vec<(Id, String)>,
    referrals: Vec<ReferralItem>,
    /// Sign-up is by invitation: the page offers to make a link.
    invites: bool,
    /// The link just made.
    invite_link: Option<String>,
}

/// The store and the coach of a coach page; anyone else is sent (`Err`) home or to the login
/// page, and a personal server has no coach pages.
fn coach_of(state: &AppState, principal: Principal) -> Result<(&Store, Account), Box<Response>> {
    let Some(store) = multi_user_store(state) else { return Err(Box::new(no_accounts())) };
    match principal {
        Principal::Coach { account } => Ok((store, account)),
        Principal::Anonymous => Err(Box::new(redirect("/login"))),
        Principal::Athlete { .. } | Principal::Owner => Err(Box::new(redirect("/"))),
    }
}

/// `GET /coach`: the coach's runners and their red-flag check-ins.
pub(crate) async fn coach_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> Response {
    let (store, account) = match coach_of(&state, principal) {
        Ok(coach) => coach,
        Err(elsewhere) => return *elsewhere,
    };
    match coach_view(&state, store, account, &csrf).await {
        Ok(view) => page(StatusCode::OK, &view),
        Err(problem) => problem.into_response(),
    }
}

/// `POST /coach/invites`: the coach page again, with a new one-time sign-up link (shown once:
/// the store keeps only its hash).
pub(crate) async fn coach_invite(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    headers: HeaderMap,
) -> Response {
    let (store, account) = match coach_of(&state, principal) {
        Ok(coach) => coach,
        Err(elsewhere) => return *elsewhere,
    };
    if state.config().signup != Signup::Invite {
        return not_found_page("Sign-up on this server is not by invitation.".to_owned());
    }
    let made = async {
        let (token, _) = crate::accounts::make_invite(&state, store, &account).await?;
        let mut view = coach_view(&state, store, account, &csrf).await?;
        view.invite_link = Some(invite_link(&headers, &token));
        Ok::<_, Problem>(view)
    }
    .await;
    match made {
        Ok(view) => page(StatusCode::OK, &view),
        Err(problem) => problem.into_response(),
    }
}

/// The sign-up address carrying an invitation, on the host the coach reached.
fn invite_link(headers: &HeaderMap, token: &str) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let scheme = if auth::over_tls(headers) { "https" } else { "http" };
    if host.is_empty() {
        format!("/signup?invite={token}")
    } else {
        format!("{scheme}://{host}/signup?invite={token}")
    }
}

/// The coach page's content.
async fn coach_view(
    state: &AppState,
    store: &Store,
    account: Account,
    csrf: &CsrfToken,
) -> Result<CoachPage, Problem> {
    let loaded = async {
        Ok::<_, StoreError>((
            store.athletes_of(account.id).await?,
            store.referrals(account.id).await?,
            store.requests_of(account.id).await?,
        ))
    }
    .await;
    let (athletes, referrals, requests) = loaded.map_err(|e| Problem::internal(&e))?;
    let referrals = referrals
        .into_iter()
        .map(|r| {
            let level =
                views::LevelView::of(Level::from_code(&r.level).unwrap_or(Level::SeePhysio));
            let reasons = Vec::<ReasonDoc>::deserialize(&r.reasons)
                .unwrap_or_default()
                .iter()
                .map(|x| if x.text.is_empty() { x.code.to_string() } else { x.text.to_string() })
                .collect::<Vec<_>>()
                .join(" ");
            ReferralItem {
                athlete_id: r.athlete_id,
                athlete: r.athlete,
                at: afterrun_store::format_rfc3339(r.checked_in_at).unwrap_or_default(),
                at_label: views::server_time_words(
                    &afterrun_store::format_rfc3339(r.checked_in_at).unwrap_or_default(),
                ),
                level,
                reasons,
                plan_id: r.plan_id,
            }
        })
        .collect();
    Ok(CoachPage {
        title: "Your runners",
        nav: "",
        csrf: csrf.as_str().to_owned(),
        username: account.username,
        athletes: athletes.into_iter().map(|a| (a.id, a.name)).collect(),
        requests: requests.into_iter().map(|a| (a.id, a.name)).collect(),
        referrals,
        invites: state.config().signup == Signup::Invite,
        invite_link: None,
    })
}

/// `POST /coach/athletes/{id}/accept`: the coach accepts a runner's request; back to the page.
pub(crate) async fn coach_accept(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Response {
    coach_answer(&state, principal, &id, true).await
}

/// `POST /coach/athletes/{id}/end`: the coach declines a request or ends a link.
pub(crate) async fn coach_end(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Response {
    coach_answer(&state, principal, &id, false).await
}

/// Accepts (`accept`) or ends the link between the logged-in coach and runner `id`.
async fn coach_answer(state: &AppState, principal: Principal, id: &str, accept: bool) -> Response {
    let (store, account) = match coach_of(state, principal) {
        Ok(coach) => coach,
        Err(elsewhere) => return *elsewhere,
    };
    let not_found =
        || Problem::not_found(Some("id"), format!("no runner `{id}` asked you")).into_response();
    let Ok(athlete) = id.parse::<Id>() else { return not_found() };
    let done = if accept {
        store.accept_link(account.id, athlete, state.now().as_second()).await
    } else {
        store.end_link(account.id, athlete).await
    };
    match done {
        Ok(true) => redirect("/coach"),
        Ok(false) => not_found(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// The logged-in athlete of a coach-link form (multi-user only).
fn linking_athlete(state: &AppState, owner: PageOwner) -> Option<Id> {
    match owner {
        PageOwner::Athlete(id) if multi_user_store(state).is_some() => Some(id),
        _ => None,
    }
}

/// `POST /profile/coaches`: the athlete adds a coach by username.
pub(crate) async fn add_coach(
    State(state): State<AppState>,
    owner: PageOwner,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let Some(athlete) = linking_athlete(&state, owner) else { return no_accounts() };
    let form = FormValues::new(pairs);
    let coach = form.get("coach").unwrap_or("").trim().to_owned();
    match crate::accounts::add_coach(&state, athlete, &coach).await {
        Ok(()) => redirect("/profile?saved=1"),
        Err(problem) if problem.status_code().is_client_error() => redirect("/profile?no_coach=1"),
        Err(problem) => problem.into_response(),
    }
}

/// `POST /profile/coaches/{username}/remove`: the athlete removes a coach.
pub(crate) async fn remove_coach(
    State(state): State<AppState>,
    owner: PageOwner,
    Path(username): Path<String>,
) -> Response {
    let Some(athlete) = linking_athlete(&state, owner) else { return no_accounts() };
    let Some(store) = state.store() else { return redirect("/profile") };
    match store.unlink_coach(athlete, &username).await {
        Ok(_) => redirect("/profile"),
        Err(e) => Problem::internal(&e).into_response(),
    }
}
