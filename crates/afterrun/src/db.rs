//! The binary's side of the store: which database (`--db`, `AFTERRUN_DB`, the default file),
//! which athlete, the async runtime, and the clock.
//!
//! Commands stay synchronous; each opens the store through [`Session::open`] and runs its async
//! calls with [`Session::block_on`]. Reading the environment and the clock happens here, so the
//! store crate stays free of both.

use std::future::Future;
use std::path::PathBuf;

use afterrun_store::{Id, Location, Store};
use anyhow::Context as _;

/// The athlete used when `--athlete` is not given.
pub const DEFAULT_ATHLETE: &str = "me";

/// The `--db` and `--athlete` options shared by the store-backed commands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DbArgs {
    /// The store: a file path or sqlite:PATH for SQLite, or a postgres://… URL
    /// [default: $AFTERRUN_DB, else $XDG_DATA_HOME/afterrun/afterrun.db]
    #[arg(long, value_name = "URL", help_heading = "Store")]
    pub db: Option<String>,

    /// Whose data (created on first use)
    #[arg(long, value_name = "NAME", default_value = DEFAULT_ATHLETE, help_heading = "Store")]
    pub athlete: String,
}

impl DbArgs {
    /// Opens the store and finds the athlete, creating them if needed.
    pub fn open(&self) -> anyhow::Result<(Session, Id)> {
        let session = Session::open(self.db.as_deref())?;
        let athlete = session.athlete(&self.athlete)?;
        Ok((session, athlete))
    }

    /// Opens the store and finds the athlete; an error naming `--athlete` when there is none.
    pub fn open_existing(&self) -> anyhow::Result<(Session, Id)> {
        let session = Session::open(self.db.as_deref())?;
        let athlete = session.existing_athlete(&self.athlete)?;
        Ok((session, athlete))
    }
}

/// Where the store is: `--db`, else `AFTERRUN_DB`, else the platform data directory.
pub fn location(db: Option<&str>) -> anyhow::Result<Location> {
    if let Some(text) = db.filter(|t| !t.trim().is_empty()) {
        return Ok(Location::parse(text.trim()));
    }
    if let Ok(text) = std::env::var("AFTERRUN_DB")
        && !text.trim().is_empty()
    {
        return Ok(Location::parse(text.trim()));
    }
    let xdg = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    Location::default_sqlite(xdg.as_deref(), home.as_deref()).ok_or_else(|| {
        crate::exit::bad_input(
            "--db: no default location for the store (neither XDG_DATA_HOME nor HOME is set); \
             give --db PATH or set AFTERRUN_DB",
        )
    })
}

/// An open store, the runtime that drives it, and the athlete the command works for.
pub struct Session {
    /// The store.
    pub store: Store,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("store", &self.store).finish_non_exhaustive()
    }
}

/// Runs a store call to completion from synchronous code: a command's [`Session`], or a
/// thread beside `serve`'s runtime (through its handle).
pub trait BlockOn {
    /// Runs the future to completion on the runtime.
    fn block_on<F: Future>(&self, future: F) -> F::Output;
}

impl BlockOn for Session {
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

impl BlockOn for tokio::runtime::Handle {
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        tokio::runtime::Handle::block_on(self, future)
    }
}

impl Session {
    /// Opens the store named by `--db` (or the environment, or the default), running its
    /// migrations.
    pub fn open(db: Option<&str>) -> anyhow::Result<Session> {
        let location = location(db)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let store = runtime.block_on(Store::connect(&location)).map_err(store_error)?;
        Ok(Session { store, runtime })
    }

    /// Runs a store call to completion.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The athlete's id, creating the athlete if needed.
    pub fn athlete(&self, name: &str) -> anyhow::Result<Id> {
        let name = athlete_name(name)?;
        self.block_on(self.store.ensure_athlete(name, now())).map_err(store_error)
    }

    /// The athlete's id; an error naming `--athlete` when there is no such athlete.
    pub fn existing_athlete(&self, name: &str) -> anyhow::Result<Id> {
        let name = athlete_name(name)?;
        self.block_on(self.store.athlete_id(name)).map_err(store_error)?.ok_or_else(|| {
            crate::exit::bad_input(format!("--athlete: no athlete named {name:?} in the store"))
        })
    }

    /// The athlete's stored profile.
    pub fn profile(&self, athlete: Id) -> anyhow::Result<afterrun_store::Profile> {
        self.block_on(self.store.profile(athlete)).map_err(store_error)
    }

    /// Closes the store cleanly (SQLite checkpoints its write-ahead log).
    pub fn close(self) {
        self.runtime.block_on(self.store.close());
    }
}

fn athlete_name(name: &str) -> anyhow::Result<&str> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.len() > 200 || trimmed.chars().any(char::is_control) {
        return Err(crate::exit::bad_input(
            "--athlete: a name must be 1 to 200 printable characters",
        ));
    }
    Ok(trimmed)
}

/// A store error as the binary reports it: a missing athlete or plan, or a step out of range, is
/// the user's input (exit 2); a database that cannot be opened is an internal error (exit 1)
/// with the (redacted) reason.
pub fn store_error(err: afterrun_store::StoreError) -> anyhow::Error {
    use afterrun_store::StoreError as E;
    match err {
        E::NoAthlete(_) | E::NoPlan(_) | E::NoPlanYet | E::StepOutOfRange { .. } => {
            crate::exit::bad_input(err.to_string())
        }
        E::Connect { .. } => crate::exit::bad_input(format!("--db: {err}")),
        other => anyhow::Error::new(other),
    }
}

/// The clock's time, Unix seconds (the binary is where the clock is read).
pub fn now() -> i64 {
    #[allow(clippy::disallowed_methods)]
    let now = jiff::Timestamp::now();
    now.as_second()
}

pub use afterrun_service::summary_json::time_json;

/// A use case's error as the binary reports it (see [`store_error`]).
pub fn service_error(err: afterrun_service::ServiceError) -> anyhow::Error {
    match err {
        afterrun_service::ServiceError::Store(e) => store_error(e),
        afterrun_service::ServiceError::Load(e) => crate::exit::bad_input(format!("status: {e}")),
    }
}

/// For `afterrun plan` when it uses the store: the athlete's [`afterrun_protocol::History`] at
/// the check-in's `now` (`History::default()` when the athlete is not stored yet or `now` is
/// unreadable, so the engine reports the check-in's own error).
pub fn plan_history(
    db: Option<&str>,
    athlete: &str,
    checkin_json: &str,
) -> anyhow::Result<afterrun_protocol::History> {
    let Ok(checkin) = afterrun_protocol::parse_checkin(checkin_json) else {
        // An invalid check-in gets no history: planning it reports the error.
        return Ok(afterrun_protocol::History::default());
    };
    let session = Session::open(db)?;
    let found = session.block_on(session.store.athlete_id(athlete.trim())).map_err(store_error)?;
    let history = match found {
        Some(id) => session
            .block_on(afterrun_service::history::history_for(
                &session.store,
                id,
                checkin.now.as_second(),
            ))
            .map_err(service_error),
        None => Ok(afterrun_protocol::History::default()),
    };
    session.close();
    history
}

/// For `afterrun plan` without `--checkin`: the athlete's latest stored check-in (as JSON text)
/// with their stored profile filled into its `athlete` object where the check-in is silent.
/// `Ok(None)` when the athlete has no check-in yet.
pub fn latest_checkin_with_profile(
    db: Option<&str>,
    athlete: &str,
) -> anyhow::Result<Option<String>> {
    let session = Session::open(db)?;
    let name = athlete_name(athlete)?;
    let Some(id) = session.block_on(session.store.athlete_id(name)).map_err(store_error)? else {
        session.close();
        return Ok(None);
    };
    let latest = session.block_on(session.store.latest_checkin(id)).map_err(store_error)?;
    let profile = session.profile(id)?;
    session.close();
    Ok(latest.map(|row| {
        let mut doc = row.checkin;
        merge_profile(&mut doc, &profile);
        doc.to_string()
    }))
}

/// For `afterrun plan` with check-in flags and no `--checkin`: a check-in document holding only
/// the athlete's stored profile (`{}` when the athlete is not stored), for the flags to fill.
pub fn stored_profile_document(db: Option<&str>, athlete: &str) -> anyhow::Result<String> {
    let session = Session::open(db)?;
    let name = athlete_name(athlete)?;
    let mut doc = serde_json::Value::Object(serde_json::Map::new());
    if let Some(id) = session.block_on(session.store.athlete_id(name)).map_err(store_error)? {
        let profile = session.profile(id)?;
        merge_profile(&mut doc, &profile);
    }
    session.close();
    Ok(doc.to_string())
}

/// The athlete's zone and units from their stored profile (the computer's zone and km when
/// there is none).
pub fn stored_locale(db: Option<&str>, athlete: &str) -> anyhow::Result<Locale> {
    let session = Session::open(db)?;
    let name = athlete_name(athlete)?;
    let mut profile = afterrun_store::Profile::default();
    if let Some(id) = session.block_on(session.store.athlete_id(name)).map_err(store_error)? {
        profile = session.profile(id)?;
    }
    session.close();
    Ok(Locale::of(&profile))
}

pub use afterrun_service::checkin::merge_profile;
use afterrun_service::locale::Locale;
