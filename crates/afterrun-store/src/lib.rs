//! The store: athletes, activities, check-ins, plans, step completion and outcomes, kept in SQLite
//! by default and in PostgreSQL at scale.
//!
//! A runner's history is what makes a plan personal, and it is health data: it must never be lost,
//! doubled or leaked. Hence:
//! - one domain-level API, [`Store`], whose callers never ask which backend they talk to; the
//!   backend is chosen by the URL's scheme ([`Location`]) and each backend owns its migrations,
//!   run on connect;
//! - every activity is written in one transaction, deduplicated by a `UNIQUE (athlete, sha256)`
//!   constraint with `INSERT … ON CONFLICT DO NOTHING` (never a read-then-write race), so a crash
//!   leaves no half-written activity and concurrent imports never double one;
//! - the original file is kept compressed so it can be decoded again when the decoders improve;
//! - a PostgreSQL password never appears in `Debug` output or in an error message;
//! - deleting an athlete deletes every row about them (and, on SQLite, overwrites the freed pages).
//!
//! This crate does IO by nature; it still takes time as an argument (no clock is read here).

mod location;
mod model;
#[cfg(feature = "schema")]
pub mod schema;
mod time;

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row, SqlSafeStr};

pub use location::Location;
pub use model::*;
pub use time::format_rfc3339;

/// Why a store operation failed. Messages never contain a database password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or reached.
    #[error("cannot open the store at {location}: {message}")]
    Connect {
        /// Where (password redacted).
        location: String,
        /// Why (password redacted).
        message: String,
    },
    /// The schema migrations failed.
    #[error("cannot migrate the store at {location}: {message}")]
    Migrate {
        /// Where (password redacted).
        location: String,
        /// Why (password redacted).
        message: String,
    },
    /// A query failed.
    #[error("database error while {context}: {message}")]
    Database {
        /// What the store was doing.
        context: &'static str,
        /// The database's message (password redacted).
        message: String,
    },
    /// No athlete has that name.
    #[error("no athlete named {0:?}")]
    NoAthlete(String),
    /// No plan has that id (for this athlete).
    #[error("no plan with id {0}")]
    NoPlan(Id),
    /// The athlete has no stored plan yet.
    #[error("no plan stored yet: make one with `afterrun checkin` or `afterrun plan`")]
    NoPlanYet,
    /// A step index past the plan's last step.
    #[error("step {step} is out of range: plan {plan} has {steps} steps, numbered from 0")]
    StepOutOfRange {
        /// The plan.
        plan: Id,
        /// The step asked for.
        step: u32,
        /// How many steps the plan has.
        steps: u32,
    },
    /// The username is taken (by an account, or by an athlete the account would own).
    #[error("the username {0:?} is taken")]
    UsernameTaken(String),
    /// No coach account has that username.
    #[error("no coach named {0:?}")]
    NoCoach(String),
    /// The sign-up invitation is unknown, used or expired.
    #[error("the invitation is unknown, already used or expired")]
    NoInvite,
    /// The pairing link (`serve --lan`) is unknown, used or expired.
    #[error("the pairing link is unknown, already used or expired")]
    NoPairing,
    /// A stored value could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How long a SQLite writer waits for another process's write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Two files are the same run when their starts differ by at most this many seconds…
const SAME_RUN_START_S: i64 = 60;
/// …and their durations by at most this fraction of the longer one.
const SAME_RUN_DURATION_FRACTION: f64 = 0.05;

/// The migrations of one backend, in order: `(description, SQL)`, numbered from 1.
/// Whether a SQLite error is "busy" / "locked" (another connection holds the lock).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("5" | "6" | "517"))
                || db.message().contains("database is locked")
        }
        _ => false,
    }
}

fn migrator(migrations: &[(&'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        migrations
            .iter()
            .zip(1..)
            .map(|(&(description, sql), version)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// The migrations of the backend whose folder under `migrations/` is `$dir`; the same files
/// in each backend's own SQL.
macro_rules! migrations {
    ($dir:literal) => {
        &[
            ("init", include_str!(concat!("../migrations/", $dir, "/0001_init.sql"))),
            ("accounts", include_str!(concat!("../migrations/", $dir, "/0002_accounts.sql"))),
            ("revision", include_str!(concat!("../migrations/", $dir, "/0003_revision.sql"))),
            ("load basis", include_str!(concat!("../migrations/", $dir, "/0004_load_basis.sql"))),
            ("invites", include_str!(concat!("../migrations/", $dir, "/0005_invites.sql"))),
            (
                "coach acceptance",
                include_str!(concat!("../migrations/", $dir, "/0006_coach_acceptance.sql")),
            ),
            (
                "paired devices",
                include_str!(concat!("../migrations/", $dir, "/0007_paired_devices.sql")),
            ),
        ]
    };
}

const SQLITE_MIGRATIONS: &[(&str, &str)] = migrations!("sqlite");

const POSTGRES_MIGRATIONS: &[(&str, &str)] = migrations!("postgres");

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same sqlx code against whichever pool the store holds. The SQL is written once for
/// both backends: `$N` placeholders, `ON CONFLICT`, `RETURNING` and the types used all mean the
/// same thing in SQLite and PostgreSQL.
macro_rules! with_pool {
    ($self:ident, $pool:ident => $body:expr) => {
        match &$self.pool {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` in one transaction of whichever pool the store holds: `$tx` names the open
/// transaction (`&mut *$tx` is the executor), committed once `$body` has its value; a `?` or
/// `return` inside leaves it uncommitted, and dropping it rolls it back. `$begin_err` and
/// `$commit_err` map the errors of beginning and committing.
macro_rules! in_transaction {
    ($self:ident, $begin_err:expr, $commit_err:expr, $tx:ident => $body:expr) => {
        match &$self.pool {
            Pool::Sqlite(pool) => {
                let mut $tx = pool.begin().await.map_err(&$begin_err)?;
                let value = $body;
                $tx.commit().await.map_err(&$commit_err)?;
                value
            }
            Pool::Postgres(pool) => {
                let mut $tx = pool.begin().await.map_err(&$begin_err)?;
                let value = $body;
                $tx.commit().await.map_err(&$commit_err)?;
                value
            }
        }
    };
}

mod accounts;
mod devices;
mod query;

pub use accounts::{Account, AthleteRef, CoachLink, GO_AHEAD_LEVEL, Referral, Role, hash_token};
pub use devices::PairedDevice;

/// The store, open on one backend.
pub struct Store {
    pool: Pool,
    location: Location,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("location", &self.location).finish_non_exhaustive()
    }
}

/// Creates a new SQLite file readable by its owner only (0600; SQLite gives its `-wal` and
/// `-shm` files the same mode), and any folder it needs likewise (0700): the store holds health
/// data. An existing file or folder keeps its mode.
fn create_private_file(path: &std::path::Path) -> std::io::Result<()> {
    let mut dirs = std::fs::DirBuilder::new();
    dirs.recursive(true);
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
        dirs.mode(0o700);
        file.mode(0o600);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        dirs.create(dir)?;
    }
    match file.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

const ACTIVITY_COLUMNS: &str = "id, sha256, format, sport, sub_sport, start_time, end_time, \
     elapsed_s, timer_s, distance_m, records, avg_hr, max_hr, ascent_m, descent_m, laps, summary, \
     stress, stress_kind, muscle_load, facts, load_basis, source, imported_at";

impl Store {
    /// Opens (creating if needed) the store and runs its migrations.
    pub async fn connect(location: &Location) -> Result<Store> {
        let connect_err = |message: String| StoreError::Connect {
            location: location.to_string(),
            message: location.redact(&message),
        };
        let migrate_err = |message: String| StoreError::Migrate {
            location: location.to_string(),
            message: location.redact(&message),
        };
        let pool = match location {
            Location::Sqlite(path) => {
                create_private_file(path).map_err(|e| connect_err(e.to_string()))?;
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    // Deleted rows are overwritten, not left in free pages: health data.
                    .pragma("secure_delete", "ON");
                // Switching a new file to WAL needs the whole file for a moment and does not
                // wait on the busy timeout: two processes opening a new store at once may see
                // "database is locked" here. The loser tries again for up to ~10 s.
                let mut attempt = 0u32;
                let pool = loop {
                    let opened = SqlitePoolOptions::new()
                        .max_connections(4)
                        .acquire_timeout(SQLITE_BUSY_TIMEOUT)
                        .connect_with(options.clone())
                        .await;
                    match opened {
                        Ok(pool) => break pool,
                        Err(e) if attempt < 100 && is_busy(&e) => {
                            attempt += 1;
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        Err(e) => return Err(connect_err(e.to_string())),
                    }
                };
                let migrations = migrator(SQLITE_MIGRATIONS);
                // Two processes opening a new file at once may race on the first migration;
                // the loser sees the winner's tables on a second try.
                let mut attempt = 0u32;
                loop {
                    match migrations.run(&pool).await {
                        Ok(()) => break,
                        Err(_) if attempt < 20 => {
                            attempt += 1;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(e) => return Err(migrate_err(e.to_string())),
                    }
                }
                Pool::Sqlite(pool)
            }
            Location::Postgres(url) => {
                let options =
                    PgConnectOptions::from_str(url).map_err(|e| connect_err(e.to_string()))?;
                // One direct connection first: a wrong host or password fails at once, where
                // the pool would retry until its acquire timeout.
                let probe = sqlx::PgConnection::connect_with(&options)
                    .await
                    .map_err(|e| connect_err(e.to_string()))?;
                probe.close().await.map_err(|e| connect_err(e.to_string()))?;
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await
                    .map_err(|e| connect_err(e.to_string()))?;
                migrator(POSTGRES_MIGRATIONS)
                    .run(&pool)
                    .await
                    .map_err(|e| migrate_err(e.to_string()))?;
                Pool::Postgres(pool)
            }
        };
        Ok(Store { pool, location: location.clone() })
    }

    /// Where this store lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Closes every connection (SQLite checkpoints its write-ahead log).
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }

    fn db_err(&self, context: &'static str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        move |e| StoreError::Database { context, message: self.location.redact(&e.to_string()) }
    }

    // ----- athletes -----

    /// The id of the athlete with this name, creating them (with an empty profile) if needed.
    pub async fn ensure_athlete(&self, name: &str, now: UnixSeconds) -> Result<Id> {
        self.sql(
            "creating an athlete",
            "INSERT INTO athletes (name, profile, created_at) VALUES ($1, '{}', $2) \
             ON CONFLICT (name) DO NOTHING",
            &[name.into(), now.into()],
        )
        .execute()
        .await?;
        self.athlete_id(name).await?.ok_or_else(|| StoreError::NoAthlete(name.to_owned()))
    }

    /// The id of the athlete with this name, if they exist.
    pub async fn athlete_id(&self, name: &str) -> Result<Option<Id>> {
        let sql = "SELECT id FROM athletes WHERE name = $1";
        let row: Option<(Id,)> =
            self.sql("looking up an athlete", sql, &[name.into()]).fetch_optional().await?;
        Ok(row.map(|(id,)| id))
    }

    /// Every athlete's name, in creation order.
    pub async fn athletes(&self) -> Result<Vec<String>> {
        let sql = "SELECT name FROM athletes ORDER BY id";
        self.sql("listing athletes", sql, &[]).fetch_map(|(name,): (String,)| name).await
    }

    /// The athlete's profile.
    pub async fn profile(&self, athlete: Id) -> Result<Profile> {
        let sql = "SELECT profile FROM athletes WHERE id = $1";
        let row: Option<(String,)> =
            self.sql("reading a profile", sql, &[athlete.into()]).fetch_optional().await?;
        let (text,) = row.ok_or_else(|| StoreError::NoAthlete(format!("#{athlete}")))?;
        parse_json(&text)
    }

    /// Replaces the athlete's profile.
    pub async fn set_profile(&self, athlete: Id, profile: &Profile) -> Result<()> {
        let text = to_json(profile)?;
        let sql = "UPDATE athletes SET profile = $1 WHERE id = $2";
        let changed =
            self.sql("saving a profile", sql, &[(&text).into(), athlete.into()]).execute().await?;
        if changed == 0 {
            return Err(StoreError::NoAthlete(format!("#{athlete}")));
        }
        Ok(())
    }

    /// Deletes the athlete and every row about them; `false` when there was no such athlete.
    pub async fn delete_athlete(&self, name: &str) -> Result<bool> {
        let context = "deleting an athlete";
        // The foreign keys cascade from athletes to activities, check-ins, plans, completions
        // and outcomes, so one statement removes everything in one transaction.
        let sql = "DELETE FROM athletes WHERE name = $1";
        let deleted = self.sql(context, sql, &[name.into()]).execute().await?;
        if deleted > 0 && matches!(self.pool, Pool::Sqlite(_)) {
            // secure_delete zeroed the pages in the database; the old page images in the
            // write-ahead log go with a truncating checkpoint.
            self.sql(context, "PRAGMA wal_checkpoint(TRUNCATE)", &[]).execute().await?;
        }
        Ok(deleted > 0)
    }

    // ----- activities -----

    /// Stores an activity for the athlete in one transaction, unless the same file (SHA-256)
    /// or the same run (same sport, start within 60 s, duration within 5 %) is already stored.
    ///
    /// Safe against concurrent imports, in this process or another: the `UNIQUE (athlete,
    /// sha256)` constraint decides, never a read followed by a write; and the same-run check
    /// runs under a per-athlete write lock (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory lock).
    pub async fn import_activity(
        &self,
        athlete: Id,
        activity: &NewActivity,
        now: UnixSeconds,
    ) -> Result<Stored> {
        let err = self.db_err("storing an activity");
        let summary = to_json(&activity.summary)?;
        let muscle_load = activity.muscle_load.as_ref().map(to_json).transpose()?;
        let facts = activity.facts.as_ref().map(to_json).transpose()?;
        let totals = &activity.decoded.totals;
        macro_rules! import_in {
            ($tx:ident) => {{
                let same_content =
                    sqlx::query("SELECT id FROM activities WHERE athlete_id = $1 AND sha256 = $2")
                        .bind(athlete)
                        .bind(&activity.sha256)
                        .fetch_optional(&mut *$tx)
                        .await
                        .map_err(&err)?;
                if let Some(row) = same_content {
                    Stored::SameContent(row.try_get::<i64, _>(0).map_err(&err)?)
                } else {
                    let mut same_run = None;
                    if let Some(start) = totals.start_time {
                        let rows = sqlx::query(
                            "SELECT id, elapsed_s, timer_s FROM activities \
                             WHERE athlete_id = $1 AND sport = $2 \
                             AND start_time BETWEEN $3 AND $4 ORDER BY id",
                        )
                        .bind(athlete)
                        .bind(&totals.sport)
                        .bind(start - SAME_RUN_START_S)
                        .bind(start + SAME_RUN_START_S)
                        .fetch_all(&mut *$tx)
                        .await
                        .map_err(&err)?;
                        for row in rows {
                            let id: i64 = row.try_get(0).map_err(&err)?;
                            let elapsed: Option<f64> = row.try_get(1).map_err(&err)?;
                            let timer: Option<f64> = row.try_get(2).map_err(&err)?;
                            if same_duration(totals.elapsed_s.or(totals.timer_s), elapsed.or(timer)) {
                                same_run = Some(id);
                                break;
                            }
                        }
                    }
                    match same_run {
                        Some(id) => Stored::SameActivity(id),
                        None => {
                            let inserted = sqlx::query(
                                "INSERT INTO activities (athlete_id, sha256, format, sport, \
                                 sub_sport, start_time, end_time, elapsed_s, timer_s, distance_m, \
                                 records, avg_hr, max_hr, ascent_m, descent_m, laps, summary, \
                                 stress, stress_kind, muscle_load, original, original_encoding, \
                                 original_size, source, imported_at, facts, load_basis) VALUES \
                                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                                 $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) \
                                 ON CONFLICT (athlete_id, sha256) DO NOTHING RETURNING id",
                            )
                            .bind(athlete)
                            .bind(&activity.sha256)
                            .bind(activity.decoded.format.as_str())
                            .bind(&totals.sport)
                            .bind(&totals.sub_sport)
                            .bind(totals.start_time)
                            .bind(activity.decoded.end_time)
                            .bind(totals.elapsed_s)
                            .bind(totals.timer_s)
                            .bind(totals.distance_m)
                            .bind(i64::try_from(activity.decoded.records).unwrap_or(i64::MAX))
                            .bind(totals.avg_hr)
                            .bind(totals.max_hr)
                            .bind(totals.ascent_m)
                            .bind(totals.descent_m)
                            .bind(totals.laps.map(i64::from))
                            .bind(&summary)
                            .bind(activity.stress.as_ref().map(|s| s.value))
                            .bind(activity.stress.as_ref().map(|s| s.kind.as_str()))
                            .bind(&muscle_load)
                            .bind(&activity.original.bytes)
                            .bind(&activity.original.encoding)
                            .bind(i64::try_from(activity.original.size).unwrap_or(i64::MAX))
                            .bind(&activity.source)
                            .bind(now)
                            .bind(&facts)
                            .bind(&activity.load_basis)
                            .fetch_optional(&mut *$tx)
                            .await
                            .map_err(&err)?;
                            match inserted {
                                Some(row) => Stored::New(row.try_get::<i64, _>(0).map_err(&err)?),
                                None => {
                                    // Another writer stored the same bytes between our read and
                                    // our insert: the constraint kept one copy; report it.
                                    let row = sqlx::query(
                                        "SELECT id FROM activities \
                                         WHERE athlete_id = $1 AND sha256 = $2",
                                    )
                                    .bind(athlete)
                                    .bind(&activity.sha256)
                                    .fetch_one(&mut *$tx)
                                    .await
                                    .map_err(&err)?;
                                    Stored::SameContent(row.try_get::<i64, _>(0).map_err(&err)?)
                                }
                            }
                        }
                    }
                }
            }};
        }
        match &self.pool {
            Pool::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(&err)?;
                let stored = import_in!(tx);
                tx.commit().await.map_err(&err)?;
                Ok(stored)
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(&err)?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(athlete)
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                let stored = import_in!(tx);
                tx.commit().await.map_err(&err)?;
                Ok(stored)
            }
        }
    }

    /// The athlete's activities, oldest first (those without a start time last).
    pub async fn activities(&self, athlete: Id) -> Result<Vec<ActivityRow>> {
        let err = self.db_err("listing activities");
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE athlete_id = $1 \
             ORDER BY start_time IS NULL, start_time, id"
        ));
        with_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(athlete).fetch_all(pool).await.map_err(&err)?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(ActivityRow {
                    id: row.try_get("id").map_err(&err)?,
                    sha256: row.try_get("sha256").map_err(&err)?,
                    format: row.try_get("format").map_err(&err)?,
                    sport: row.try_get("sport").map_err(&err)?,
                    sub_sport: row.try_get("sub_sport").map_err(&err)?,
                    start_time: row.try_get("start_time").map_err(&err)?,
                    end_time: row.try_get("end_time").map_err(&err)?,
                    elapsed_s: row.try_get("elapsed_s").map_err(&err)?,
                    timer_s: row.try_get("timer_s").map_err(&err)?,
                    distance_m: row.try_get("distance_m").map_err(&err)?,
                    records: row.try_get("records").map_err(&err)?,
                    avg_hr: row.try_get("avg_hr").map_err(&err)?,
                    max_hr: row.try_get("max_hr").map_err(&err)?,
                    ascent_m: row.try_get("ascent_m").map_err(&err)?,
                    descent_m: row.try_get("descent_m").map_err(&err)?,
                    laps: row.try_get("laps").map_err(&err)?,
                    summary: parse_json(&row.try_get::<String, _>("summary").map_err(&err)?)?,
                    stress: row.try_get("stress").map_err(&err)?,
                    stress_kind: row.try_get("stress_kind").map_err(&err)?,
                    muscle_load: row
                        .try_get::<Option<String>, _>("muscle_load")
                        .map_err(&err)?
                        .as_deref()
                        .map(parse_json)
                        .transpose()?,
                    facts: row
                        .try_get::<Option<String>, _>("facts")
                        .map_err(&err)?
                        .as_deref()
                        .map(parse_json)
                        .transpose()?,
                    load_basis: row.try_get("load_basis").map_err(&err)?,
                    source: row.try_get("source").map_err(&err)?,
                    imported_at: row.try_get("imported_at").map_err(&err)?,
                });
            }
            Ok(out)
        })
    }

    /// The SHA-256 of every activity stored for the athlete, with its id: lets an import skip
    /// decoding files it already holds.
    pub async fn stored_hashes(&self, athlete: Id) -> Result<HashMap<String, Id>> {
        let sql = "SELECT sha256, id FROM activities WHERE athlete_id = $1";
        let rows: Vec<(String, Id)> =
            self.sql("listing stored hashes", sql, &[athlete.into()]).fetch_all().await?;
        Ok(rows.into_iter().collect())
    }

    /// The summary document stored with an activity.
    pub async fn summary(&self, activity: Id) -> Result<Option<serde_json::Value>> {
        let sql = "SELECT summary FROM activities WHERE id = $1";
        let row: Option<(String,)> =
            self.sql("reading a summary", sql, &[activity.into()]).fetch_optional().await?;
        row.map(|(text,)| parse_json(&text)).transpose()
    }

    /// The store's revision: a number that grows with every change to athletes, activities,
    /// check-ins, plans, step completions and outcomes (triggers bump it in the writing
    /// transaction), so whatever was computed from the data at revision `r` is current while
    /// the revision is still `r`. One small read.
    pub async fn revision(&self) -> Result<i64> {
        let sql = "SELECT value FROM revision WHERE id = 1";
        let (value,): (i64,) = self.sql("reading the revision", sql, &[]).fetch_one().await?;
        Ok(value)
    }

    /// The database's own consistency check: `["ok"]` when sound (SQLite `PRAGMA
    /// integrity_check`; PostgreSQL checks itself and always answers `["ok"]`).
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        let err = self.db_err("checking integrity");
        match &self.pool {
            Pool::Sqlite(pool) => {
                let rows =
                    sqlx::query("PRAGMA integrity_check").fetch_all(pool).await.map_err(&err)?;
                rows.iter()
                    .map(|r| r.try_get::<String, _>(0))
                    .collect::<Result<_, _>>()
                    .map_err(&err)
            }
            Pool::Postgres(_) => Ok(vec!["ok".to_owned()]),
        }
    }

    /// The original file of a stored activity, still compressed.
    pub async fn original(&self, activity: Id) -> Result<Option<Original>> {
        let sql = "SELECT original, original_encoding, original_size FROM activities WHERE id = $1";
        let row: Option<(Vec<u8>, String, i64)> =
            self.sql("reading an original file", sql, &[activity.into()]).fetch_optional().await?;
        Ok(row.map(|(bytes, encoding, size)| Original {
            bytes,
            encoding,
            size: u64::try_from(size).unwrap_or(0),
        }))
    }

    /// Sets (or clears) an activity's stress and per-muscle load, with the fingerprint of the
    /// thresholds they were computed with (after the profile or the history changed them).
    /// `false` when there is no such activity.
    pub async fn set_load(
        &self,
        activity: Id,
        stress: Option<&Stress>,
        muscle_load: Option<&serde_json::Value>,
        basis: &str,
    ) -> Result<bool> {
        let muscle_load = muscle_load.map(to_json).transpose()?;
        let changed = self
            .sql(
                "saving an activity's load",
                "UPDATE activities SET stress = $1, stress_kind = $2, muscle_load = $3, \
                 load_basis = $4 WHERE id = $5",
                &[
                    stress.map(|s| s.value).into(),
                    stress.map(|s| s.kind.as_str()).into(),
                    muscle_load.as_deref().into(),
                    basis.into(),
                    activity.into(),
                ],
            )
            .execute()
            .await?;
        Ok(changed > 0)
    }

    /// Sets what an activity says about the athlete's thresholds (computed from its original
    /// file once, for rows stored before facts were kept). `false` when there is no such
    /// activity.
    pub async fn set_facts(&self, activity: Id, facts: &serde_json::Value) -> Result<bool> {
        let facts = to_json(facts)?;
        let sql = "UPDATE activities SET facts = $1 WHERE id = $2";
        let args = [(&facts).into(), activity.into()];
        Ok(self.sql("saving an activity's facts", sql, &args).execute().await? > 0)
    }

    // ----- check-ins and plans -----

    /// Saves a check-in document; `now` is the check-in's own `now`.
    pub async fn save_checkin(
        &self,
        athlete: Id,
        now: UnixSeconds,
        checkin: &serde_json::Value,
        saved_at: UnixSeconds,
    ) -> Result<Id> {
        let text = to_json(checkin)?;
        self.sql(
            "saving a check-in",
            "INSERT INTO checkins (athlete_id, now, checkin, saved_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[athlete.into(), now.into(), (&text).into(), saved_at.into()],
        )
        .insert()
        .await
    }

    /// The athlete's check-ins, oldest first.
    pub async fn checkins(&self, athlete: Id) -> Result<Vec<CheckinRow>> {
        let sql = "SELECT id, now, checkin, saved_at FROM checkins WHERE athlete_id = $1 \
                   ORDER BY now, id";
        let rows = self.sql("listing check-ins", sql, &[athlete.into()]).fetch_all().await?;
        rows.into_iter().map(checkin_row).collect()
    }

    /// The athlete's latest check-in (by its `now`, then by when it was saved): one row read,
    /// not the whole history.
    pub async fn latest_checkin(&self, athlete: Id) -> Result<Option<CheckinRow>> {
        let sql = "SELECT id, now, checkin, saved_at FROM checkins WHERE athlete_id = $1 \
                   ORDER BY now DESC, id DESC LIMIT 1";
        let row = self
            .sql("reading the latest check-in", sql, &[athlete.into()])
            .fetch_optional()
            .await?;
        row.map(checkin_row).transpose()
    }

    /// Saves the plan made for a check-in; `steps` is its number of steps.
    pub async fn save_plan(
        &self,
        checkin: Id,
        generated_at: UnixSeconds,
        plan: &(impl serde::Serialize + ?Sized),
        steps: u32,
    ) -> Result<Id> {
        let text = to_json(plan)?;
        self.sql(
            "saving a plan",
            "INSERT INTO plans (checkin_id, plan, steps, generated_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[checkin.into(), (&text).into(), i64::from(steps).into(), generated_at.into()],
        )
        .insert()
        .await
    }

    /// The athlete's plans with their completed steps, oldest first.
    pub async fn plans(&self, athlete: Id) -> Result<Vec<PlanRow>> {
        self.plans_where(athlete, None).await
    }

    /// The athlete's plan `id` with its completed steps; `None` when there is no such plan or
    /// it is another athlete's. One row, not the whole history.
    pub async fn plan(&self, athlete: Id, id: Id) -> Result<Option<PlanRow>> {
        Ok(self.plans_where(athlete, Some(id)).await?.pop())
    }

    async fn plans_where(&self, athlete: Id, only: Option<Id>) -> Result<Vec<PlanRow>> {
        let context = "listing plans";
        let args = [athlete.into(), only.into()];
        let plans: Vec<(Id, Id, String, i64, UnixSeconds)> = self
            .sql(
                context,
                "SELECT p.id, p.checkin_id, p.plan, p.steps, p.generated_at FROM plans p \
                 JOIN checkins c ON c.id = p.checkin_id \
                 WHERE c.athlete_id = $1 AND ($2 IS NULL OR p.id = $2) ORDER BY p.id",
                &args,
            )
            .fetch_all()
            .await?;
        let done: Vec<(Id, i64, UnixSeconds)> = self
            .sql(
                context,
                "SELECT s.plan_id, s.step, s.done_at FROM step_completions s \
                 JOIN plans p ON p.id = s.plan_id JOIN checkins c ON c.id = p.checkin_id \
                 WHERE c.athlete_id = $1 AND ($2 IS NULL OR p.id = $2) ORDER BY s.plan_id, s.step",
                &args,
            )
            .fetch_all()
            .await?;
        let mut plans = plans
            .into_iter()
            .map(|(id, checkin_id, plan, steps, generated_at)| {
                Ok(PlanRow {
                    id,
                    checkin_id,
                    plan: parse_json(&plan)?,
                    steps: u32::try_from(steps).unwrap_or(0),
                    generated_at,
                    completed: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for (plan, step, done_at) in done {
            if let Some(row) = plans.iter_mut().find(|p| p.id == plan) {
                let step = u32::try_from(step).unwrap_or(u32::MAX);
                row.completed.push(Completion { step, done_at });
            }
        }
        Ok(plans)
    }

    /// The athlete's latest plan.
    pub async fn latest_plan(&self, athlete: Id) -> Result<Option<PlanRow>> {
        Ok(self.plans(athlete).await?.pop())
    }

    /// Marks a step of one of the athlete's plans done (the latest plan when `plan` is `None`).
    /// Marking a step twice keeps the first time. Returns the plan id.
    pub async fn mark_done(
        &self,
        athlete: Id,
        plan: Option<Id>,
        step: u32,
        done_at: UnixSeconds,
    ) -> Result<Id> {
        let plans = self.plans(athlete).await?;
        let target = match plan {
            Some(id) => plans.iter().find(|p| p.id == id).ok_or(StoreError::NoPlan(id))?,
            None => plans.last().ok_or(StoreError::NoPlanYet)?,
        };
        if step >= target.steps {
            return Err(StoreError::StepOutOfRange { plan: target.id, step, steps: target.steps });
        }
        let plan_id = target.id;
        self.sql(
            "marking a step done",
            "INSERT INTO step_completions (plan_id, step, done_at) VALUES ($1, $2, $3) \
             ON CONFLICT (plan_id, step) DO NOTHING",
            &[plan_id.into(), i64::from(step).into(), done_at.into()],
        )
        .execute()
        .await?;
        Ok(plan_id)
    }

    /// Takes back a step marked done by mistake (nothing happens when it was not done). Returns
    /// the plan id. The outcomes and what works are computed on read, so they follow.
    pub async fn unmark_done(&self, athlete: Id, plan: Id, step: u32) -> Result<Id> {
        let plans = self.plans(athlete).await?;
        let target = plans.iter().find(|p| p.id == plan).ok_or(StoreError::NoPlan(plan))?;
        if step >= target.steps {
            return Err(StoreError::StepOutOfRange { plan: target.id, step, steps: target.steps });
        }
        let sql = "DELETE FROM step_completions WHERE plan_id = $1 AND step = $2";
        let args = [plan.into(), i64::from(step).into()];
        self.sql("taking back a step marked done", sql, &args).execute().await?;
        Ok(plan)
    }

    /// Records (or replaces) how a plan's forecast for one muscle group compared with what the
    /// athlete reported next.
    pub async fn save_outcome(&self, outcome: &Outcome) -> Result<()> {
        self.sql(
            "saving an outcome",
            "INSERT INTO outcomes (plan_id, muscle_group, reported, forecast, residual) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (plan_id, muscle_group) DO UPDATE SET \
             reported = excluded.reported, forecast = excluded.forecast, \
             residual = excluded.residual",
            &[
                outcome.plan_id.into(),
                (&outcome.group).into(),
                outcome.reported.into(),
                outcome.forecast.into(),
                outcome.residual.into(),
            ],
        )
        .execute()
        .await?;
        Ok(())
    }

    /// The outcomes recorded for the athlete's plans.
    pub async fn outcomes(&self, athlete: Id) -> Result<Vec<Outcome>> {
        self.sql(
            "listing outcomes",
            "SELECT o.plan_id, o.muscle_group, o.reported, o.forecast, o.residual \
             FROM outcomes o JOIN plans p ON p.id = o.plan_id \
             JOIN checkins c ON c.id = p.checkin_id WHERE c.athlete_id = $1 \
             ORDER BY o.plan_id, o.muscle_group",
            &[athlete.into()],
        )
        .fetch_map(|(plan_id, group, reported, forecast, residual)| Outcome {
            plan_id,
            group,
            reported,
            forecast,
            residual,
        })
        .await
    }

    /// Everything stored about the athlete with this name.
    pub async fn export(&self, name: &str) -> Result<Export> {
        let athlete =
            self.athlete_id(name).await?.ok_or_else(|| StoreError::NoAthlete(name.to_owned()))?;
        let sql = "SELECT created_at FROM athletes WHERE id = $1";
        let (created_at,): (UnixSeconds,) =
            self.sql("exporting an athlete", sql, &[athlete.into()]).fetch_one().await?;
        Ok(Export {
            athlete: name.to_owned(),
            created_at,
            profile: self.profile(athlete).await?,
            activities: self.activities(athlete).await?,
            checkins: self.checkins(athlete).await?,
            plans: self.plans(athlete).await?,
            outcomes: self.outcomes(athlete).await?,
        })
    }

    /// How many rows of each table there are, all athletes together (for checks and tests).
    pub async fn row_counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let mut out = Vec::new();
        for (table, sql) in [
            ("athletes", "SELECT COUNT(*) FROM athletes"),
            ("activities", "SELECT COUNT(*) FROM activities"),
            ("checkins", "SELECT COUNT(*) FROM checkins"),
            ("plans", "SELECT COUNT(*) FROM plans"),
            ("step_completions", "SELECT COUNT(*) FROM step_completions"),
            ("outcomes", "SELECT COUNT(*) FROM outcomes"),
        ] {
            let (n,): (i64,) = self.sql("counting rows", sql, &[]).fetch_one().await?;
            out.push((table, n));
        }
        Ok(out)
    }
}

/// Whether two durations are within 5 % of the longer. Unknown durations never match: better
/// to keep a possible duplicate than to lose a run.
fn same_duration(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if a.is_finite() && b.is_finite() => {
            (a - b).abs() <= SAME_RUN_DURATION_FRACTION * a.abs().max(b.abs())
        }
        _ => false,
    }
}

/// A `checkins` row (`id, now, checkin, saved_at`) as a [`CheckinRow`].
fn checkin_row(
    (id, now, checkin, saved_at): (Id, UnixSeconds, String, UnixSeconds),
) -> Result<CheckinRow> {
    Ok(CheckinRow { id, now, checkin: parse_json(&checkin)?, saved_at })
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("bad JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_match_within_five_percent() {
        assert!(same_duration(Some(3600.0), Some(3700.0)));
        assert!(!same_duration(Some(3600.0), Some(3900.0)));
        assert!(!same_duration(None, Some(3600.0)));
        assert!(!same_duration(Some(f64::NAN), Some(3600.0)));
    }

    #[test]
    fn originals_round_trip() {
        let raw: Vec<u8> = (0..10_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let original = Original::compress(&raw);
        assert!(original.bytes.len() < raw.len());
        assert_eq!(original.decompress().unwrap(), raw);
        let mut damaged = original.clone();
        damaged.size += 1;
        assert!(damaged.decompress().is_err());
    }
}
