//! Accounts, sessions, coach links and login failures: what the multi-user server needs to know
//! who is asking, kept in the database so that several server instances behind a load balancer
//! share them (the server itself holds no state).
//!
//! - An athlete account owns exactly one athlete row, created with it in one transaction and
//!   named by the username; a name already used by an athlete is refused, so an account can never
//!   be attached to someone else's history. A coach account owns no athlete.
//! - The password arrives here already hashed (argon2, by the server); the store never sees it.
//! - A session is stored as the SHA-256 of its token ([`hash_token`]), never the token: a leaked
//!   table or backup logs nobody in. An expired session reads as none.
//! - Coach links are the only way a coach reaches an athlete; deleting the athlete or the coach
//!   deletes the links (foreign keys cascade).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::query::{Arg, bound};
use crate::{Id, Pool, Result, Store, StoreError, UnixSeconds, parse_json};

/// The triage level (`afterrun_protocol::codes::Level::SelfCare`) that means "go ahead with
/// self-care"; every other level (see a physiotherapist, urgent care, emergency, or a level this
/// version does not know) is a red flag a coach is shown in [`Store::referrals`].
pub const GO_AHEAD_LEVEL: &str = "self_care";

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads and changes their own athlete.
    Athlete,
    /// Reads the athletes who linked them.
    Coach,
}

impl Role {
    /// The code stored and sent: `athlete` or `coach`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Athlete => "athlete",
            Role::Coach => "coach",
        }
    }

    /// The role with this code.
    pub fn parse(code: &str) -> Option<Role> {
        match code {
            "athlete" => Some(Role::Athlete),
            "coach" => Some(Role::Coach),
            _ => None,
        }
    }
}

/// A stored account. `Debug` leaves out the password hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// Row id.
    pub id: Id,
    /// The login name.
    pub username: String,
    /// The argon2 PHC string.
    pub password_hash: String,
    /// Athlete or coach.
    pub role: Role,
    /// The athlete an athlete account owns; `None` for a coach.
    pub athlete_id: Option<Id>,
    /// When it was created.
    pub created_at: UnixSeconds,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("athlete_id", &self.athlete_id)
            .finish_non_exhaustive()
    }
}

/// An athlete's id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AthleteRef {
    /// Row id.
    pub id: Id,
    /// The name (the username, for an athlete account).
    pub name: String,
}

/// A coach linked to an athlete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CoachLink {
    /// The coach's username.
    pub username: String,
    /// When the athlete linked them.
    #[serde(serialize_with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub linked_at: UnixSeconds,
    /// Whether the coach has accepted: until then the coach sees nothing of the athlete.
    pub accepted: bool,
}

/// A red-flag check-in of an athlete linked to a coach: its plan's triage is not "go ahead".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Referral {
    /// The athlete.
    pub athlete_id: Id,
    /// The athlete's name.
    pub athlete: String,
    /// The check-in.
    pub checkin_id: Id,
    /// The check-in's time.
    #[serde(serialize_with = "crate::time::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub checked_in_at: UnixSeconds,
    /// The plan made for it.
    pub plan_id: Id,
    /// The plan's triage level (`see_physio`, `urgent_care`, `emergency`).
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["see_physio", "urgent_care", "emergency"])))]
    pub level: String,
    /// The triage reasons, as the plan gives them (`[{code, text}]`).
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::reasons"))]
    pub reasons: serde_json::Value,
}

/// The SHA-256 of a session token, lower-case hex: what the `sessions` table keys on.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

/// The tables of one-time tokens kept by their SHA-256, with `used_at` and `expires_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OneTime {
    /// Sign-up invitations (`invites`).
    Invite,
    /// Pairing links of `serve --lan` (`pairing_links`).
    PairingLink,
}

impl OneTime {
    /// The query whether a token (`$1`, its hash) is usable at `$2`.
    fn usable_sql(self) -> &'static str {
        match self {
            OneTime::Invite => {
                "SELECT 1 FROM invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
            }
            OneTime::PairingLink => {
                "SELECT 1 FROM pairing_links \
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
            }
        }
    }

    /// The statement that uses a token (`$2`, its hash) up at `$1`, when it is usable then.
    pub(crate) fn use_sql(self) -> &'static str {
        match self {
            OneTime::Invite => {
                "UPDATE invites SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1"
            }
            OneTime::PairingLink => {
                "UPDATE pairing_links SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1"
            }
        }
    }

    /// The error for a token that is unknown, used or expired.
    pub(crate) fn unusable(self) -> StoreError {
        match self {
            OneTime::Invite => StoreError::NoInvite,
            OneTime::PairingLink => StoreError::NoPairing,
        }
    }

    /// What a failed look-up was doing, for the error.
    fn looking_up(self) -> &'static str {
        match self {
            OneTime::Invite => "looking up an invitation",
            OneTime::PairingLink => "looking up a pairing link",
        }
    }
}

/// Uses up the one-time token `$token` of kind `$kind` at `$now` in the transaction `$tx`, or
/// returns the kind's error from the calling function when it is unknown, used or expired.
macro_rules! use_up {
    ($tx:ident, $kind:expr, $token:expr, $now:expr, $err:ident) => {{
        let kind: OneTime = $kind;
        let used = sqlx::query(kind.use_sql())
            .bind($now)
            .bind(hash_token($token))
            .execute(&mut *$tx)
            .await
            .map_err(&$err)?;
        if used.rows_affected() != 1 {
            return Err(kind.unusable());
        }
    }};
}
pub(crate) use use_up;

/// An `accounts` row (`id, username, password_hash, role, athlete_id, created_at`).
type AccountColumns = (Id, String, String, String, Option<Id>, UnixSeconds);

/// An `accounts` row as an [`Account`].
fn account_row(row: AccountColumns) -> Result<Account> {
    let (id, username, password_hash, role, athlete_id, created_at) = row;
    let role =
        Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?;
    Ok(Account { id, username, password_hash, role, athlete_id, created_at })
}

/// An `athletes` row (`id, name`) as an [`AthleteRef`].
fn athlete_ref((id, name): (Id, String)) -> AthleteRef {
    AthleteRef { id, name }
}

const ACCOUNT_COLUMNS: &str = "id, username, password_hash, role, athlete_id, created_at";

impl Store {
    /// Creates an account; an athlete account gets its athlete row (named by the username) in
    /// the same transaction. [`StoreError::UsernameTaken`] when an account or an athlete already
    /// has that name.
    pub async fn create_account(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        now: UnixSeconds,
    ) -> Result<Account> {
        self.create_account_with(username, password_hash, role, now, None).await
    }

    /// Creates an account as [`Store::create_account`] does, using up the invitation whose
    /// token is `invite` in the same transaction: [`StoreError::NoInvite`] (and no account) when
    /// it is unknown, used or expired, so one invitation makes at most one account.
    pub async fn create_invited_account(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        now: UnixSeconds,
        invite: &str,
    ) -> Result<Account> {
        self.create_account_with(username, password_hash, role, now, Some(invite)).await
    }

    async fn create_account_with(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        now: UnixSeconds,
        invite: Option<&str>,
    ) -> Result<Account> {
        let err = self.db_err("creating an account");
        let taken = |e: sqlx::Error| {
            if is_unique_violation(&e) {
                StoreError::UsernameTaken(username.to_owned())
            } else {
                err(e)
            }
        };
        let (athlete_id, id) = in_transaction!(self, err, taken, tx => {
            if let Some(token) = invite {
                use_up!(tx, OneTime::Invite, token, now, err);
            }
            let athlete_id: Option<Id> = match role {
                Role::Athlete => {
                    let sql = "INSERT INTO athletes (name, profile, created_at) \
                               VALUES ($1, '{}', $2) RETURNING id";
                    let (athlete,): (Id,) =
                        bound!(sqlx::query_as(sql), &[username.into(), now.into()])
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(&taken)?;
                    Some(athlete)
                }
                Role::Coach => None,
            };
            let sql = "INSERT INTO accounts (username, password_hash, role, athlete_id, \
                       created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
            let args = [
                username.into(),
                password_hash.into(),
                role.as_str().into(),
                athlete_id.into(),
                now.into(),
            ];
            let (id,): (Id,) =
                bound!(sqlx::query_as(sql), &args).fetch_one(&mut *tx).await.map_err(&taken)?;
            (athlete_id, id)
        });
        Ok(Account {
            id,
            username: username.to_owned(),
            password_hash: password_hash.to_owned(),
            role,
            athlete_id,
            created_at: now,
        })
    }

    /// The account with this username.
    pub async fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1"
        ));
        let row =
            self.sql("looking up an account", sql, &[username.into()]).fetch_optional().await?;
        row.map(account_row).transpose()
    }

    /// Whether an athlete with this id exists.
    pub async fn athlete_exists(&self, athlete: Id) -> Result<bool> {
        let sql = "SELECT 1 FROM athletes WHERE id = $1";
        let row: Option<(i32,)> =
            self.sql("looking up an athlete", sql, &[athlete.into()]).fetch_optional().await?;
        Ok(row.is_some())
    }

    /// Every athlete, by id.
    pub async fn athlete_refs(&self) -> Result<Vec<AthleteRef>> {
        let sql = "SELECT id, name FROM athletes ORDER BY id";
        self.sql("listing athletes", sql, &[]).fetch_map(athlete_ref).await
    }

    /// The athlete with this id, if it exists.
    pub async fn athlete_ref(&self, athlete: Id) -> Result<Option<AthleteRef>> {
        let sql = "SELECT id, name FROM athletes WHERE id = $1";
        let row =
            self.sql("looking up an athlete", sql, &[athlete.into()]).fetch_optional().await?;
        Ok(row.map(athlete_ref))
    }

    // ----- sessions -----

    /// Stores a session for the account under the SHA-256 of `token`, valid until `expires_at`;
    /// removes every expired session on the way.
    pub async fn create_session(
        &self,
        token: &str,
        account: Id,
        now: UnixSeconds,
        expires_at: UnixSeconds,
    ) -> Result<()> {
        let context = "creating a session";
        let hash = hash_token(token);
        let sql = "DELETE FROM sessions WHERE expires_at <= $1";
        self.sql(context, sql, &[now.into()]).execute().await?;
        self.sql(
            context,
            "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
            &[(&hash).into(), account.into(), now.into(), expires_at.into()],
        )
        .execute()
        .await?;
        Ok(())
    }

    /// The account of the session with this token, unless there is none or it expired.
    pub async fn session_account(&self, token: &str, now: UnixSeconds) -> Result<Option<Account>> {
        let hash = hash_token(token);
        let row = self
            .sql(
                "reading a session",
                "SELECT a.id, a.username, a.password_hash, a.role, a.athlete_id, a.created_at \
                 FROM sessions s JOIN accounts a ON a.id = s.account_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
                &[(&hash).into(), now.into()],
            )
            .fetch_optional()
            .await?;
        row.map(account_row).transpose()
    }

    /// Deletes the session with this token; `false` when there was none.
    pub async fn delete_session(&self, token: &str) -> Result<bool> {
        let hash = hash_token(token);
        let sql = "DELETE FROM sessions WHERE token_hash = $1";
        Ok(self.sql("deleting a session", sql, &[(&hash).into()]).execute().await? > 0)
    }

    /// Replaces an account's password hash and ends every session of the account, in one
    /// transaction: after a change of password no old session works.
    pub async fn change_password(&self, account: Id, password_hash: &str) -> Result<()> {
        let err = self.db_err("changing a password");
        in_transaction!(self, err, err, tx => {
            let sql = "UPDATE accounts SET password_hash = $1 WHERE id = $2";
            let args = [password_hash.into(), account.into()];
            bound!(sqlx::query(sql), &args).execute(&mut *tx).await.map_err(&err)?;
            let sql = "DELETE FROM sessions WHERE account_id = $1";
            bound!(sqlx::query(sql), &[account.into()]).execute(&mut *tx).await.map_err(&err)?;
        });
        Ok(())
    }

    /// Deletes an account and, for an athlete's, the athlete with all their data (the foreign
    /// keys cascade: sessions, coach links, activities, check-ins, plans). `false` when there
    /// was no such account.
    pub async fn delete_account(&self, account: &Account) -> Result<bool> {
        if account.athlete_id.is_some() {
            let name = match account.athlete_id {
                Some(id) => self.athlete_ref(id).await?.map(|a| a.name),
                None => None,
            };
            if let Some(name) = name {
                return self.delete_athlete(&name).await;
            }
        }
        let sql = "DELETE FROM accounts WHERE id = $1";
        Ok(self.sql("deleting an account", sql, &[account.id.into()]).execute().await? > 0)
    }

    // ----- coach links -----

    /// Asks the coach with this username to coach the athlete (again: no change); the link takes
    /// effect when the coach accepts it ([`Store::accept_link`]).
    /// [`StoreError::NoCoach`] when no coach account has that username.
    pub async fn link_coach(&self, athlete: Id, coach: &str, now: UnixSeconds) -> Result<()> {
        let inserted = self
            .sql(
                "linking a coach",
                "INSERT INTO coach_links (athlete_id, coach_account_id, created_at) \
                 SELECT $1, id, $2 FROM accounts WHERE username = $3 AND role = 'coach' \
                 ON CONFLICT (athlete_id, coach_account_id) DO NOTHING",
                &[athlete.into(), now.into(), coach.into()],
            )
            .execute()
            .await?;
        if inserted == 0 && !self.coaches_of(athlete).await?.iter().any(|c| c.username == coach) {
            return Err(StoreError::NoCoach(coach.to_owned()));
        }
        Ok(())
    }

    /// Unlinks the coach with this username from the athlete; `false` when they were not linked.
    pub async fn unlink_coach(&self, athlete: Id, coach: &str) -> Result<bool> {
        let sql = "DELETE FROM coach_links WHERE athlete_id = $1 AND coach_account_id IN \
                   (SELECT id FROM accounts WHERE username = $2)";
        Ok(self.sql("unlinking a coach", sql, &[athlete.into(), coach.into()]).execute().await? > 0)
    }

    /// The coaches linked to the athlete, in the order they were linked.
    pub async fn coaches_of(&self, athlete: Id) -> Result<Vec<CoachLink>> {
        self.sql(
            "listing coaches",
            "SELECT a.username, l.created_at, l.accepted_at IS NOT NULL FROM coach_links l \
             JOIN accounts a ON a.id = l.coach_account_id WHERE l.athlete_id = $1 \
             ORDER BY l.created_at, a.username",
            &[athlete.into()],
        )
        .fetch_map(|(username, linked_at, accepted)| CoachLink { username, linked_at, accepted })
        .await
    }

    /// The athletes the coach account coaches (links accepted), by id.
    pub async fn athletes_of(&self, coach: Id) -> Result<Vec<AthleteRef>> {
        self.linked_athletes(coach, true).await
    }

    /// The athletes who asked the coach account to coach them and wait for an answer, by id.
    pub async fn requests_of(&self, coach: Id) -> Result<Vec<AthleteRef>> {
        self.linked_athletes(coach, false).await
    }

    async fn linked_athletes(&self, coach: Id, accepted: bool) -> Result<Vec<AthleteRef>> {
        self.sql(
            "listing a coach's athletes",
            "SELECT t.id, t.name FROM coach_links l JOIN athletes t ON t.id = l.athlete_id \
             WHERE l.coach_account_id = $1 AND (l.accepted_at IS NOT NULL) = $2 ORDER BY t.id",
            &[coach.into(), accepted.into(), coach.into()],
        )
        .fetch_map(athlete_ref)
        .await
    }

    /// The coach accepts the athlete's request: from now on the link is in effect. `false` when
    /// the athlete asked for no such thing.
    pub async fn accept_link(&self, coach: Id, athlete: Id, now: UnixSeconds) -> Result<bool> {
        let sql = "UPDATE coach_links SET accepted_at = COALESCE(accepted_at, $3) \
                   WHERE coach_account_id = $1 AND athlete_id = $2";
        let args = [coach.into(), athlete.into(), now.into()];
        Ok(self.sql("accepting a coach link", sql, &args).execute().await? > 0)
    }

    /// The coach ends a link, or declines a request; `false` when there was none.
    pub async fn end_link(&self, coach: Id, athlete: Id) -> Result<bool> {
        let sql = "DELETE FROM coach_links WHERE coach_account_id = $1 AND athlete_id = $2";
        Ok(self.sql("ending a coach link", sql, &[coach.into(), athlete.into()]).execute().await?
            > 0)
    }

    /// Whether the coach account coaches the athlete (the link accepted).
    pub async fn is_coach_of(&self, coach: Id, athlete: Id) -> Result<bool> {
        let sql = "SELECT 1 FROM coach_links WHERE coach_account_id = $1 AND athlete_id = $2 \
                   AND accepted_at IS NOT NULL";
        let args = [coach.into(), athlete.into()];
        let row: Option<(i32,)> =
            self.sql("checking a coach link", sql, &args).fetch_optional().await?;
        Ok(row.is_some())
    }

    /// The red-flag check-ins of every athlete linked to the coach account, newest first: those
    /// whose plan's triage level is not [`GO_AHEAD_LEVEL`].
    pub async fn referrals(&self, coach: Id) -> Result<Vec<Referral>> {
        let rows: Vec<(Id, String, Id, UnixSeconds, Id, String)> = self
            .sql(
                "listing referrals",
                "SELECT t.id, t.name, c.id, c.now, p.id, p.plan FROM coach_links l \
                 JOIN athletes t ON t.id = l.athlete_id \
                 JOIN checkins c ON c.athlete_id = t.id \
                 JOIN plans p ON p.checkin_id = c.id \
                 WHERE l.coach_account_id = $1 AND l.accepted_at IS NOT NULL \
                 ORDER BY c.now DESC, p.id DESC",
                &[coach.into()],
            )
            .fetch_all()
            .await?;
        let mut out = Vec::new();
        for (athlete_id, athlete, checkin_id, checked_in_at, plan_id, plan) in rows {
            let plan: serde_json::Value = parse_json(&plan)?;
            let triage = &plan["triage"];
            let level = triage["level"].as_str().unwrap_or("unknown");
            if level == GO_AHEAD_LEVEL {
                continue;
            }
            out.push(Referral {
                athlete_id,
                athlete,
                checkin_id,
                checked_in_at,
                plan_id,
                level: level.to_owned(),
                reasons: triage.get("reasons").cloned().unwrap_or(serde_json::Value::Array(vec![])),
            });
        }
        Ok(out)
    }

    // ----- invitations -----

    /// Keeps a one-time sign-up invitation (its token's SHA-256 only), made by the coach
    /// `created_by` or, with `None`, by the operator; usable until `expires_at`.
    pub async fn create_invite(
        &self,
        token: &str,
        created_by: Option<Id>,
        now: UnixSeconds,
        expires_at: UnixSeconds,
    ) -> Result<()> {
        let hash = hash_token(token);
        self.sql(
            "creating an invitation",
            "INSERT INTO invites (token_hash, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
            &[(&hash).into(), created_by.into(), now.into(), expires_at.into()],
        )
        .execute()
        .await?;
        Ok(())
    }

    /// Whether the invitation can still be used at `now` (known, unused, not expired).
    pub async fn invite_usable(&self, token: &str, now: UnixSeconds) -> Result<bool> {
        self.one_time_usable(OneTime::Invite, token, now).await
    }

    /// Whether a one-time token of `kind` can still be used at `now` (known by its SHA-256,
    /// unused, not expired).
    pub(crate) async fn one_time_usable(
        &self,
        kind: OneTime,
        token: &str,
        now: UnixSeconds,
    ) -> Result<bool> {
        let hash = hash_token(token);
        let args = [(&hash).into(), now.into()];
        let row: Option<(i32,)> =
            self.sql(kind.looking_up(), kind.usable_sql(), &args).fetch_optional().await?;
        Ok(row.is_some())
    }

    // ----- login failures -----

    /// Records a failed login under `key`: a username, or any other text naming what is counted
    /// (the server counts per client under a key no username can take). Returns the record's id
    /// for [`Store::forget_login_failure`].
    pub async fn record_login_failure(&self, key: &str, at: UnixSeconds) -> Result<Id> {
        let sql = "INSERT INTO login_failures (username, at) VALUES ($1, $2) RETURNING id";
        let args = [key.into(), at.into()];
        self.sql("recording a login failure", sql, &args).insert().await
    }

    /// Forgets one recorded failure (one counted before the outcome was known, that succeeded).
    pub async fn forget_login_failure(&self, id: Id) -> Result<()> {
        let sql = "DELETE FROM login_failures WHERE id = $1";
        self.sql("forgetting a login failure", sql, &[id.into()]).execute().await?;
        Ok(())
    }

    /// The failed logins for the username at or after `since`: how many, and the oldest's time.
    pub async fn login_failures_since(
        &self,
        username: &str,
        since: UnixSeconds,
    ) -> Result<(i64, Option<UnixSeconds>)> {
        let sql = "SELECT COUNT(*), MIN(at) FROM login_failures WHERE username = $1 AND at >= $2";
        let args = [username.into(), since.into()];
        self.sql("counting login failures", sql, &args).fetch_one().await
    }

    /// Forgets the username's failed logins (after a successful one), and everybody's older than
    /// `before`.
    pub async fn clear_login_failures(&self, username: &str, before: UnixSeconds) -> Result<()> {
        let sql = "DELETE FROM login_failures WHERE username = $1 OR at < $2";
        let args = [username.into(), before.into()];
        self.sql("clearing login failures", sql, &args).execute().await?;
        Ok(())
    }
}
