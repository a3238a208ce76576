//! Who is asking, and what they may touch: the [`Principal`] of a request and the one access
//! check, [`require`], that every athlete-scoped handler calls.
//!
//! Personal mode has no accounts: the person at the machine is the [`Principal::Owner`] and may
//! do everything. In multi-user mode the principal comes from the `afterrun_session` cookie, a
//! random token whose SHA-256 the store keeps (sessions live in the database, so several server
//! instances share them and any can log a person out). The rules:
//! - an athlete reads and changes only their own athlete; a coach reads the athletes who linked
//!   them and changes nothing of theirs;
//! - what a principal may not see answers 404, exactly like an id that does not exist (a foreign
//!   id is never confirmed); what they see but may not change answers 403; no session, 401;
//! - passwords are hashed with argon2 (default parameters, random salt) on a blocking thread,
//!   never on the async runtime, each in its turn ([`crate::limits`]); an unknown username costs
//!   the same hash, in the same turn, as a wrong password;
//! - at most [`MAX_LOGIN_FAILURES`] failed logins per username per [`LOGIN_WINDOW_S`], counted in
//!   the database, then 429 with `Retry-After`, on top of the per-client limits of
//!   [`crate::limits`]; failures and lock-outs are logged with the username and the client's
//!   address, never the password;
//! - the cookie is `HttpOnly; SameSite=Strict; Path=/`, `Secure` when the request came over TLS
//!   (behind a TLS-terminating proxy that sends `X-Forwarded-Proto: https`), and lives
//!   [`SESSION_LIFETIME_S`].

use afterrun_service::locale::Locale;
use afterrun_store::{Account, Id, Profile, Role, Store, StoreError};
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::client::Client;
use crate::limits::{Attempt, LOGIN_WINDOW_S, count_attempt};
use crate::problem::Problem;
use crate::respond::{PERSONAL_ATHLETE, redirect};
use crate::security::cookie_value;
pub(crate) use crate::tokens::over_tls;
pub use crate::tokens::{SESSION_COOKIE, new_token};
use crate::{AppState, Mode};

/// How long a session lasts, in seconds (14 days).
pub const SESSION_LIFETIME_S: i64 = 14 * 24 * 3600;
/// Failed logins allowed per username within [`LOGIN_WINDOW_S`].
pub const MAX_LOGIN_FAILURES: i64 = 5;
/// How long a sign-up invitation stays usable, in seconds (7 days).
pub const INVITE_LIFETIME_S: i64 = 7 * 24 * 3600;

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Principal {
    /// Personal mode: the person at the machine, with access to every athlete in the store.
    Owner,
    /// Multi-user mode without a valid session.
    Anonymous,
    /// An athlete account, owning one athlete.
    Athlete {
        /// The account.
        account: Account,
        /// The athlete it owns.
        athlete_id: Id,
    },
    /// A coach account.
    Coach {
        /// The account.
        account: Account,
    },
}

impl Principal {
    /// The account behind the principal, in multi-user mode.
    pub fn account(&self) -> Option<&Account> {
        match self {
            Principal::Athlete { account, .. } | Principal::Coach { account } => Some(account),
            Principal::Owner | Principal::Anonymous => None,
        }
    }
}

/// What a handler wants to do with an athlete's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read: the athlete themself, their linked coaches, the owner.
    Read,
    /// Change: the athlete themself, the owner.
    Write,
}

/// 401: no session.
pub fn unauthenticated() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Log in first",
        "this needs a session: log in with POST /api/session or at /login",
        Some("Cookie"),
    )
}

/// 404 for an athlete the principal may not see, worded like one that does not exist.
fn no_athlete() -> Problem {
    Problem::not_found(Some("id"), "there is no athlete with this id")
}

/// 403: the principal sees the athlete but may not change it.
pub fn read_only() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "read-only",
        "Read-only access",
        "a coach reads a linked athlete's data but cannot change it",
        None,
    )
}

/// The one access check: may `principal` read or change athlete `athlete`? `Err` is the answer
/// to send (401, 403 or 404, never telling a foreign id from a missing one).
pub async fn require(
    state: &AppState,
    principal: &Principal,
    athlete: Id,
    access: Access,
) -> Result<(), Problem> {
    let Some(store) = state.store() else { return Err(no_athlete()) };
    match principal {
        Principal::Anonymous => Err(unauthenticated()),
        Principal::Owner => match store.athlete_exists(athlete).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(no_athlete()),
            Err(e) => Err(Problem::internal(&e)),
        },
        Principal::Athlete { athlete_id, .. } => {
            if *athlete_id == athlete {
                Ok(())
            } else {
                Err(no_athlete())
            }
        }
        Principal::Coach { account } => match store.is_coach_of(account.id, athlete).await {
            Ok(true) if access == Access::Read => Ok(()),
            Ok(true) => Err(read_only()),
            Ok(false) => Err(no_athlete()),
            Err(e) => Err(Problem::internal(&e)),
        },
    }
}

/// The athlete an API path names, once `principal` may access it: `me` is the caller's own
/// athlete (personal mode: the personal athlete, created on first use, as the CLI's
/// `--athlete me`; multi-user: the logged-in athlete; a coach has none, a visitor must log
/// in), any other text the athlete of that id.
pub(crate) async fn path_athlete(
    state: &AppState,
    principal: &Principal,
    id: &str,
    access: Access,
) -> Result<Id, Problem> {
    let athlete = match (id, principal) {
        ("me", Principal::Owner) => {
            let store = state.store().ok_or_else(no_athlete)?;
            store
                .ensure_athlete(crate::respond::PERSONAL_ATHLETE, state.now().as_second())
                .await
                .map_err(|e| Problem::internal(&e))?
        }
        ("me", Principal::Athlete { athlete_id, .. }) => *athlete_id,
        ("me", Principal::Anonymous) => return Err(unauthenticated()),
        ("me", Principal::Coach { .. }) => return Err(no_athlete()),
        (text, _) => text.parse::<Id>().map_err(|_| no_athlete())?,
    };
    require(state, principal, athlete, access).await?;
    Ok(athlete)
}

/// The principal of a request: the owner in personal mode, else the session cookie's account.
pub async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Principal, Problem> {
    if state.config().mode == Mode::Personal {
        return Ok(Principal::Owner);
    }
    let (Some(store), Some(token)) = (state.store(), cookie_value(headers, SESSION_COOKIE)) else {
        return Ok(Principal::Anonymous);
    };
    let account = store
        .session_account(token, state.now().as_second())
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(match account {
        None => Principal::Anonymous,
        Some(account) => match (account.role, account.athlete_id) {
            (Role::Athlete, Some(athlete_id)) => Principal::Athlete { account, athlete_id },
            (Role::Coach, _) => Principal::Coach { account },
            // The schema forbids an athlete account without an athlete; treat one as no session.
            (Role::Athlete, None) => Principal::Anonymous,
        },
    })
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(principal.clone());
        }
        resolve(state, &parts.headers).await
    }
}

/// Whether anyone may ask for this without a session (multi-user mode): health, the API
/// document, the guide, the pure planner, signing up, logging in and out, and the assets.
pub(crate) fn is_public(method: &Method, path: &str) -> bool {
    matches!(path, "/healthz" | "/api/openapi.json" | "/api/guide" | "/guide")
        || path.starts_with("/api/guide/")
        || path.starts_with("/guide/")
        || path.starts_with("/assets/")
        || matches!(path, "/manifest.webmanifest" | "/sw.js")
        || matches!(path, "/api/session" | "/login" | "/signup" | "/logout")
        || (*method == Method::POST && matches!(path, "/api/plan" | "/api/accounts"))
}

/// The middleware: resolves the principal once and hands it on in the request's extensions; in
/// multi-user mode an anonymous request for anything not public gets 401 (API, and any change)
/// or a redirect to the login page (a page).
pub(crate) async fn gate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if state.config().mode == Mode::MultiUser && is_public(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let principal = match resolve(&state, request.headers()).await {
        Ok(p) => p,
        Err(problem) => return problem.into_response(),
    };
    if matches!(principal, Principal::Anonymous) {
        let page = matches!(*request.method(), Method::GET | Method::HEAD)
            && !request.uri().path().starts_with("/api/");
        return if page {
            crate::respond::redirect("/login")
        } else {
            unauthenticated().into_response()
        };
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

// ----- passwords -----

/// Checks a username: 3 to 64 characters from `a-z 0-9 . _ -`.
pub fn check_username(username: &str) -> Result<(), Problem> {
    let ok = (3..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "username",
            "a username has 3 to 64 characters: a-z, 0-9, dot, underscore, hyphen",
        ))
    }
}

/// Checks a new password: 10 to 200 characters.
pub fn check_password(password: &str) -> Result<(), Problem> {
    if (10..=200).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(invalid("password", "a password has 10 to 200 characters"))
    }
}

/// 422 naming the field.
pub fn invalid(field: &str, detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-input",
        "Invalid input",
        detail,
        Some(field),
    )
}

/// The argon2 PHC string of a password (default parameters, random salt), computed on a
/// blocking thread in the client's turn; `Err` is the response to send (429 without a turn).
pub(crate) async fn hash_password(
    state: &AppState,
    client: Client,
    password: String,
) -> Result<String, Problem> {
    let turn = state.hashes().turn(client).await?;
    let hashed = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await;
    match hashed {
        Ok(Ok(hash)) => Ok(hash),
        Ok(Err(e)) => Err(Problem::internal(&e)),
        Err(e) => Err(Problem::internal(&e)),
    }
}

/// Whether the password matches the PHC string, checked in the client's turn; with no stored
/// hash, a hash of the same cost is computed anyway so that an unknown username takes as long
/// as a wrong password. `Err` is the response to send (429 without a turn).
async fn verify_password(
    state: &AppState,
    client: Client,
    password: String,
    hash: Option<String>,
) -> Result<bool, Problem> {
    let turn = state.hashes().turn(client).await?;
    let verified = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        match hash {
            Some(hash) => PasswordHash::new(&hash).is_ok_and(|parsed| {
                Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
            }),
            None => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = Argon2::default().hash_password(password.as_bytes(), &salt);
                false
            }
        }
    })
    .await;
    Ok(verified.unwrap_or(false))
}

// ----- sessions -----

/// Why a login failed, as the response to send.
fn bad_credentials() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "invalid-credentials",
        "Wrong username or password",
        "the username and password do not match an account",
        Some("password"),
    )
}

/// Logs in: [`check_credentials`], then a new session's token. `Err` is the response to send
/// (401, or 429 with `Retry-After`).
pub(crate) async fn login(
    state: &AppState,
    store: &Store,
    client: Client,
    username: &str,
    password: &str,
) -> Result<(Account, String), Response> {
    let account = check_credentials(state, store, client, username, password).await?;
    let token = new_session(state, store, account.id).await.map_err(IntoResponse::into_response)?;
    Ok((account, token))
}

/// A new session of the account, [`SESSION_LIFETIME_S`] long: its token.
pub(crate) async fn new_session(
    state: &AppState,
    store: &Store,
    account: Id,
) -> Result<String, Problem> {
    let now = state.now().as_second();
    let token = new_token();
    store
        .create_session(&token, account, now, now + SESSION_LIFETIME_S)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(token)
}

/// The account of `username` when `password` is its password: checks the username's and the
/// client's limits, then the password in the client's turn to hash, counting a failure (and
/// logging it) or clearing the failures. Also what confirms a password change or a deletion.
pub(crate) async fn check_credentials(
    state: &AppState,
    store: &Store,
    client: Client,
    username: &str,
    password: &str,
) -> Result<Account, Response> {
    let now = state.now().as_second();
    let internal = |e: afterrun_store::StoreError| Problem::internal(&e).into_response();
    if check_username(username).is_err() || password.chars().count() > 200 {
        let shown: String = username.chars().take(64).collect();
        tracing::warn!(username = ?shown, %client, "log-in failed: not a username");
        return Err(bad_credentials().into_response());
    }
    let (failures, oldest) =
        store.login_failures_since(username, now - LOGIN_WINDOW_S).await.map_err(internal)?;
    if failures >= MAX_LOGIN_FAILURES {
        tracing::warn!(username, %client, "log-in refused: the username is locked out");
        let retry = oldest.map_or(LOGIN_WINDOW_S, |t| t + LOGIN_WINDOW_S - now);
        return Err(too_many_attempts(retry));
    }
    let counted = count_attempt(store, client, Attempt::Login, now).await?;
    let account = store.account_by_username(username).await.map_err(internal)?;
    let stored_hash = account.as_ref().map(|a| a.password_hash.clone());
    let ok = verify_password(state, client, password.to_owned(), stored_hash).await?;
    let Some(account) = account.filter(|_| ok) else {
        store.record_login_failure(username, now).await.map_err(internal)?;
        tracing::warn!(username, %client, "log-in failed: wrong username or password");
        if failures + 1 == MAX_LOGIN_FAILURES {
            tracing::warn!(username, %client, "the username is now locked out");
        }
        return Err(bad_credentials().into_response());
    };
    if let Some(id) = counted {
        store.forget_login_failure(id).await.map_err(internal)?;
    }
    store.clear_login_failures(username, now - LOGIN_WINDOW_S).await.map_err(internal)?;
    Ok(account)
}

/// 429 with `Retry-After` (seconds): the username is locked out.
fn too_many_attempts(retry_after: i64) -> Response {
    Problem::too_many_requests(
        "too-many-attempts",
        &format!("{MAX_LOGIN_FAILURES} failed logins within {} minutes", LOGIN_WINDOW_S / 60),
        retry_after,
        Some("username"),
    )
    .into_response()
}

/// The `Set-Cookie` value carrying a new session.
pub(crate) fn session_cookie(token: &str, request: &HeaderMap) -> HeaderValue {
    cookie(token, SESSION_LIFETIME_S, over_tls(request))
}

/// The `Set-Cookie` value removing the session cookie.
pub(crate) fn cleared_cookie(request: &HeaderMap) -> HeaderValue {
    cookie("", 0, over_tls(request))
}

fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    );
    // A token is hex: always a valid header value.
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("afterrun_session=; Max-Age=0"))
}

/// Logs out: deletes the session of the request's cookie, if any.
pub(crate) async fn logout(state: &AppState, headers: &HeaderMap) -> Result<(), Problem> {
    if let (Some(store), Some(token)) = (state.store(), cookie_value(headers, SESSION_COOKIE)) {
        store.delete_session(token).await.map_err(|e| Problem::internal(&e))?;
    }
    Ok(())
}

// ----- whose pages these are -----

/// Whose athlete pages these are: the personal athlete, or the logged-in athlete's. A coach is
/// sent to the coach page, an anonymous visitor to the login page.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PageOwner {
    /// Personal mode: the athlete named [`PERSONAL_ATHLETE`], created on first use.
    Personal,
    /// Multi-user mode: the logged-in athlete.
    Athlete(Id),
}

impl FromRequestParts<AppState> for PageOwner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match Principal::from_request_parts(parts, state).await {
            Ok(Principal::Owner) => Ok(PageOwner::Personal),
            Ok(Principal::Athlete { athlete_id, .. }) => Ok(PageOwner::Athlete(athlete_id)),
            Ok(Principal::Coach { .. }) => Err(redirect("/coach")),
            Ok(Principal::Anonymous) => Err(redirect("/login")),
            Err(problem) => Err(problem.into_response()),
        }
    }
}

impl PageOwner {
    /// The athlete's id, if they exist yet.
    pub(crate) async fn lookup(self, store: &Store) -> Result<Option<Id>, StoreError> {
        match self {
            PageOwner::Personal => store.athlete_id(PERSONAL_ATHLETE).await,
            PageOwner::Athlete(id) => Ok(Some(id)),
        }
    }

    /// The athlete's id, creating the personal athlete if needed.
    pub(crate) async fn ensure(self, store: &Store, now: i64) -> Result<Id, StoreError> {
        match self {
            PageOwner::Personal => store.ensure_athlete(PERSONAL_ATHLETE, now).await,
            PageOwner::Athlete(id) => Ok(id),
        }
    }
}

/// The athlete whose own data a page shows: the personal athlete (if they exist yet) for the
/// owner, the logged-in athlete's; `None` for a coach or an anonymous visitor (they have none).
pub(crate) async fn own_athlete(
    principal: &Principal,
    store: &Store,
) -> Result<Option<Id>, StoreError> {
    match principal {
        Principal::Owner => store.athlete_id(PERSONAL_ATHLETE).await,
        Principal::Athlete { athlete_id, .. } => Ok(Some(*athlete_id)),
        Principal::Coach { .. } | Principal::Anonymous => Ok(None),
    }
}

/// The page owner's zone and units, from their profile (the server's zone and km without one).
pub(crate) async fn owner_locale(state: &AppState, owner: PageOwner) -> Locale {
    let profile = stored_profile(state, owner).await.ok().flatten().unwrap_or_default();
    Locale::of(&profile)
}

/// The page owner's stored profile, when there is a store and a profile in it.
pub(crate) async fn stored_profile(
    state: &AppState,
    owner: PageOwner,
) -> Result<Option<Profile>, afterrun_store::StoreError> {
    let facts = owner_facts(state, owner).await?.facts;
    Ok((facts.profile != Profile::default()).then(|| facts.profile.clone()))
}

/// What the pages read of their owner: the athlete (if they exist yet) and their profile.
#[derive(Debug, Default)]
pub(crate) struct OwnerFacts {
    /// The athlete's id; `None` while the personal athlete does not exist yet.
    pub(crate) athlete: Option<Id>,
    /// Their profile (the default one without an athlete or a store).
    pub(crate) profile: Profile,
}

/// An owner's facts and the store revision they were read at.
#[derive(Debug)]
pub(crate) struct OwnerAt {
    /// The store's revision (0 without a store).
    pub(crate) revision: i64,
    /// The facts at that revision.
    pub(crate) facts: std::sync::Arc<OwnerFacts>,
}

/// The page owner's facts, read once per store revision ([`crate::report_cache`]): one small
/// read on every page instead of the athlete and profile queries.
pub(crate) async fn owner_facts(
    state: &AppState,
    owner: PageOwner,
) -> Result<OwnerAt, afterrun_store::StoreError> {
    let Some(store) = state.store() else {
        return Ok(OwnerAt { revision: 0, facts: std::sync::Arc::default() });
    };
    let revision = store.revision().await?;
    let key = match owner {
        PageOwner::Personal => (None, revision),
        PageOwner::Athlete(id) => (Some(id), revision),
    };
    let facts = state
        .owners()
        .get_or_compute(key, async {
            let Some(athlete) = owner.lookup(store).await? else {
                return Ok(OwnerFacts::default());
            };
            Ok(OwnerFacts { athlete: Some(athlete), profile: store.profile(athlete).await? })
        })
        .await?;
    Ok(OwnerAt { revision, facts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords() {
        for ok in ["ann", "a.b-c_9", &"x".repeat(64)] {
            assert!(check_username(ok).is_ok(), "{ok}");
        }
        for bad in ["an", "Ann", "ann smith", "ann@x", "änn", &"x".repeat(65), ""] {
            assert_eq!(check_username(bad).unwrap_err().field.as_deref(), Some("username"));
        }
        assert!(check_password("0123456789").is_ok());
        assert!(check_password("ééééééééé").is_err(), "9 characters");
        assert!(check_password(&"é".repeat(200)).is_ok(), "characters, not bytes");
        assert!(check_password(&"x".repeat(201)).is_err());
    }

    #[test]
    fn tokens_are_long_random_hex() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn public_addresses() {
        assert!(is_public(&Method::GET, "/healthz"));
        assert!(is_public(&Method::POST, "/api/plan"));
        assert!(is_public(&Method::GET, "/assets/app.css"));
        assert!(!is_public(&Method::GET, "/api/me"));
        assert!(!is_public(&Method::GET, "/plans"));
        assert!(!is_public(&Method::GET, "/api/accounts"));
        assert!(!is_public(&Method::GET, "/api/guideX"));
    }
}
