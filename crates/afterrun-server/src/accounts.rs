//! The account use cases the JSON API and the web pages share: a sign-up under the server's
//! sign-up rule, a coach's one-time invitation, an athlete linking a coach. They live here, a
//! leaf beside `auth`, so that `api/` and `pages/` both call them and neither calls the other.
//! They stay in the server (not in `afterrun-service`) because each is bound to the server's
//! policy: its sign-up rule, the per-client attempt limits, password hashing in the client's
//! turn, and answers as problem documents.

use afterrun_store::{Id, Role, Store, StoreError};
use axum::http::StatusCode;

use crate::AppState;
use crate::Signup;
use crate::auth;
use crate::client::Client;
use crate::limits::{Attempt, count_attempt};
use crate::problem::Problem;

pub(crate) fn internal(e: StoreError) -> Problem {
    Problem::internal(&e)
}

/// The store, or 404 when the server runs without one.
pub(crate) fn store_of(state: &AppState) -> Result<&Store, Problem> {
    state.store().ok_or_else(|| Problem::not_found(None, "this server runs without a store"))
}

/// Checks that the server's sign-up rule lets this one in, counts it against the client, hashes
/// the password in the client's turn and creates the account (using up the invitation when
/// sign-up is by invitation); 403 when sign-up is closed or the invitation is missing, unknown,
/// used or expired, 409 when the username is taken, 429 beyond the limits.
pub(crate) async fn new_account(
    state: &AppState,
    store: &Store,
    client: Client,
    username: &str,
    password: &str,
    role: Role,
    invite: Option<&str>,
) -> Result<afterrun_store::Account, Problem> {
    let now = state.now().as_second();
    let invite = signup_allowed(state, store, invite, now).await?;
    count_attempt(store, client, Attempt::Signup, now).await?;
    let hash = auth::hash_password(state, client, password.to_owned()).await?;
    let created = match invite {
        Some(token) => store.create_invited_account(username, &hash, role, now, token).await,
        None => store.create_account(username, &hash, role, now).await,
    };
    match created {
        Ok(account) => {
            tracing::info!(username, %client, ?role, "account created");
            Ok(account)
        }
        Err(StoreError::UsernameTaken(_)) => Err(Problem::new(
            StatusCode::CONFLICT,
            "username-taken",
            "Username taken",
            "choose another username",
            Some("username"),
        )),
        Err(StoreError::NoInvite) => Err(invalid_invite()),
        Err(e) => Err(internal(e)),
    }
}

/// Whether the server's sign-up rule lets a sign-up with this invitation in: the invitation to
/// use up (by invitation only), or a 403 problem. Checked before any hash is computed.
async fn signup_allowed<'a>(
    state: &AppState,
    store: &Store,
    invite: Option<&'a str>,
    now: i64,
) -> Result<Option<&'a str>, Problem> {
    let refuse = |kind, title, detail: &str| {
        Problem::new(StatusCode::FORBIDDEN, kind, title, detail, Some("invite"))
    };
    match (state.config().signup, invite) {
        (Signup::Open, _) => Ok(None),
        (Signup::Closed, _) => Err(refuse(
            "signup-closed",
            "Sign-up is closed",
            "this server makes no new accounts: ask its operator",
        )),
        (Signup::Invite, None) => Err(refuse(
            "invite-required",
            "Invitation required",
            "sign-up needs a one-time invitation link from a coach or the operator",
        )),
        (Signup::Invite, Some(token)) => match store.invite_usable(token, now).await {
            Ok(true) => Ok(Some(token)),
            Ok(false) => Err(invalid_invite()),
            Err(e) => Err(internal(e)),
        },
    }
}

/// 403: the invitation is unknown, used or expired.
fn invalid_invite() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "invalid-invite",
        "Invitation not valid",
        "this invitation is unknown, already used or expired: ask for a new one",
        Some("invite"),
    )
}

/// Makes a one-time sign-up invitation from `coach`: its token and when it expires.
pub(crate) async fn make_invite(
    state: &AppState,
    store: &Store,
    coach: &afterrun_store::Account,
) -> Result<(String, i64), Problem> {
    let (token, now) = (auth::new_token(), state.now().as_second());
    let expires_at = now + auth::INVITE_LIFETIME_S;
    store.create_invite(&token, Some(coach.id), now, expires_at).await.map_err(internal)?;
    tracing::info!(coach = coach.username, "invitation made");
    Ok((token, expires_at))
}

/// Links a coach by username; 422 naming `coach` when there is no such coach.
pub(crate) async fn add_coach(state: &AppState, athlete: Id, coach: &str) -> Result<(), Problem> {
    let store = store_of(state)?;
    match store.link_coach(athlete, coach, state.now().as_second()).await {
        Ok(()) => Ok(()),
        Err(StoreError::NoCoach(_)) => {
            Err(auth::invalid("coach", format!("there is no coach called `{coach}`")))
        }
        Err(e) => Err(internal(e)),
    }
}
