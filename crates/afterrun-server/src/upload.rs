//! Importing runs over HTTP: the upload API and the import page.
//!
//! A runner's history is what makes a plan theirs (fitness, fatigue, the soreness forecast), and
//! most runners will never type `afterrun import`: they drop a watch file or a whole Strava or
//! Garmin export on a page. This module is that page and the API under it; the work itself is
//! `afterrun_service::import`, the very code of the CLI, so an upload answers with exactly the
//! `import --json` lines and stores what the CLI would store (idempotent: the same bytes again
//! are a duplicate).
//!
//! - `POST /api/athletes/{id}/activities?name=FILE` takes the raw file or archive as the body and
//!   answers `{"files":[…lines…],"summary":{…}}`. One request per file keeps progress per file
//!   simple for the page's script and lets a client send a few files at a time.
//! - `GET /import` is the page (drop zone, file input, per-file progress and results);
//!   `POST /import` is its form without JavaScript (`multipart/form-data`, any number of files),
//!   answered with the same page showing the results.
//!
//! Uploads are the only requests allowed to be large: these routes carry their own body limit
//! ([`BODY_LIMIT`]) and time limit ([`TIMEOUT`]) instead of the server's small defaults
//! (`router` applies those to every other route). A body is never held whole in memory: it is
//! written to a private temporary file as it arrives (`spool.rs`) and decoded from there.
//! Uploads in progress are bounded per athlete and per server (`limits::UploadGate`):
//! beyond, 429 with `Retry-After` before the body is read. Decoding is CPU work and runs on the
//! blocking pool, never on the async workers.

use std::time::Duration;

use afterrun_service::import::LineView;
use afterrun_service::import::{self, Counts};
use afterrun_service::locale::Locale;
use afterrun_service::words::activity_words;
use afterrun_store::{Id, Store};
use axum::body::Body;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{self, Access, Principal};
use crate::problem::Problem;
use crate::spool::Spool;

/// The largest upload accepted, in bytes: a whole Strava export of several years fits.
pub const BODY_LIMIT: usize = 256 * 1024 * 1024;

/// How long one upload may take, reading and importing included.
pub const TIMEOUT: Duration = Duration::from_secs(300);

/// The file extensions the page's file chooser offers (anything else is still sniffed).
pub(crate) const ACCEPT: &str = ".fit,.gpx,.tcx,.zip,.gz,.tar.gz,.tgz";

pub(crate) fn bad_request(field: &str, detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-upload",
        "The upload is not valid",
        detail,
        Some(field),
    )
}

pub(crate) fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "Request body too large",
        format!("an upload may hold at most {} MiB", BODY_LIMIT / (1024 * 1024)),
        None,
    )
}

pub(crate) fn no_store() -> Problem {
    Problem::not_found(None, "this server runs without a store: there is nowhere to import to")
}

/// The athlete a path's `{id}` names, once the caller may write to it ([`auth::path_athlete`]:
/// `me` is the caller's own athlete, as on every athlete path).
pub(crate) async fn athlete_for(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<Id, Problem> {
    auth::path_athlete(state, principal, id, Access::Write).await
}

/// A client's file name as a member name: the last path component, without control characters,
/// at most 255 characters. `None` when nothing is left.
pub(crate) fn clean_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim();
    (!cleaned.is_empty() && cleaned != "." && cleaned != "..").then(|| cleaned.to_owned())
}

/// A new spool for an upload, in the configured folder.
pub(crate) async fn new_spool(state: &AppState) -> Result<Spool, Problem> {
    let dir = state.config().upload_dir.clone().unwrap_or_else(std::env::temp_dir);
    Spool::new(&dir, BODY_LIMIT).await
}

/// Writes a request body to a spool as it arrives; 413 past [`BODY_LIMIT`].
pub(crate) async fn spool_body(state: &AppState, body: Body) -> Result<Spool, Problem> {
    let mut spool = new_spool(state).await?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
        let chunk =
            chunk.map_err(|e| bad_request("body", format!("the body could not be read: {e}")))?;
        spool.push(&chunk, too_large).await?;
    }
    Ok(spool)
}

/// Imports one uploaded file or archive for `athlete`, read from its spool: its
/// `import --json` lines and counts.
pub(crate) async fn import_one(
    state: &AppState,
    store: &Store,
    athlete: Id,
    name: String,
    mut spool: Spool,
) -> Result<(Vec<Value>, Counts), Problem> {
    let internal = |e: &dyn std::fmt::Display| Problem::internal(e);
    let thresholds = import::thresholds(store, athlete).await.map_err(|e| internal(&e))?;
    let known = store.stored_hashes(athlete).await.map_err(|e| internal(&e))?;
    let decode_turn = state.uploads().decode_turn().await?;
    let reader = spool.reader().await?;
    let prepared = tokio::task::spawn_blocking(move || {
        let _turn = decode_turn;
        import::prepare_upload_from(&name, reader, &thresholds, &known)
    })
    .await
    .map_err(|e| internal(&e))?;
    drop(spool);
    let now = state.now().as_second();
    import::store_upload(store, athlete, prepared, now).await.map_err(|e| internal(&e))
}

/// The answer of the API: the lines and the summary object.
pub(crate) fn answer_json(lines: Vec<Value>, counts: &Counts) -> Value {
    let summary = counts.summary_json().get("summary").cloned().unwrap_or(Value::Null);
    json!({"files": lines, "summary": summary})
}

/// One file's result, in words.
#[derive(Debug, Clone)]
pub(crate) struct ResultRow {
    /// The file, or the member of an archive (`a.zip!/b.fit`).
    pub(crate) name: String,
    /// `new`, `duplicate`, `skipped` or `failed`.
    pub(crate) state: &'static str,
    /// "New", "Already imported", "Skipped", "Failed".
    pub(crate) label: &'static str,
    /// What was found or went wrong, for a person.
    pub(crate) detail: String,
}

/// One uploaded file (or archive) and its results.
#[derive(Debug, Clone)]
pub(crate) struct UploadView {
    pub(crate) name: String,
    pub(crate) rows: Vec<ResultRow>,
    /// A single file whose only row is itself: the row's name is not repeated.
    pub(crate) single: bool,
}

/// Totals over every upload, in words.
#[derive(Debug, Clone, Default)]
pub(crate) struct SummaryView {
    pub(crate) files: u64,
    pub(crate) new: u64,
    pub(crate) duplicates: u64,
    pub(crate) skipped: u64,
    pub(crate) failed: u64,
}

impl SummaryView {
    pub(crate) fn add(&mut self, c: &Counts) {
        self.files += c.files;
        self.new += c.new;
        self.duplicates += c.duplicates;
        self.skipped += c.skipped;
        self.failed += c.failed;
    }
}

/// The decoder's failure kinds in plain words (interfaces.md's KIND list).
fn failure_words(kind: &str) -> &'static str {
    match kind {
        "not_activity_file" => "not an activity: a settings, workout or course file, or empty",
        "truncated" => "the file is cut short before any usable data",
        "bad_header" => "the file's header is damaged",
        "bad_crc" => "the file's checksum does not match its content",
        "bad_structure" => "the file's content is damaged",
        "bad_xml" => "the file is not readable XML",
        "unsupported" => "this kind of file is not supported",
        "io" => "the file could not be read",
        _ => "the file could not be read",
    }
}

/// One `import --json` line as a row of the results.
fn result_row(line: &Value, locale: &Locale) -> ResultRow {
    let line = LineView::of(line);
    let name = line.file.clone();
    if !line.ok {
        let (kind, message) =
            line.error.as_ref().map_or(("", ""), |e| (e.kind.as_str(), e.message.as_str()));
        let skipped = kind == "not_activity_file";
        let mut detail = failure_words(kind).to_owned();
        if !skipped && !message.is_empty() {
            detail = format!("{detail} ({message})");
        }
        return ResultRow {
            name,
            state: if skipped { "skipped" } else { "failed" },
            label: if skipped { "Skipped" } else { "Failed" },
            detail,
        };
    }
    let what = activity_words(&line, locale);
    let duplicate = line.is_duplicate();
    let detail = if duplicate {
        let why = match line.duplicate_reason.as_deref() {
            Some("same_activity") => "the same run from another file is already stored",
            _ => "this file is already stored",
        };
        if what.is_empty() { why.to_owned() } else { format!("{what} · {why}") }
    } else {
        let warnings: Vec<&str> = line
            .warnings
            .iter()
            .map(|w| if w.message.is_empty() { "a damaged record" } else { w.message.as_str() })
            .collect();
        match warnings.len() {
            0 => what,
            1 => format!("{what} · read with 1 warning: {}", warnings[0]),
            n => format!("{what} · read with {n} warnings: {}", warnings.join("; ")),
        }
    };
    ResultRow {
        name,
        state: if duplicate { "duplicate" } else { "new" },
        label: if duplicate { "Already imported" } else { "New" },
        detail,
    }
}

pub(crate) fn upload_view(name: String, lines: &[Value], locale: &Locale) -> UploadView {
    let rows: Vec<ResultRow> = lines.iter().map(|l| result_row(l, locale)).collect();
    let single = rows.len() == 1 && rows.first().is_some_and(|r| r.name == name);
    UploadView { name, rows, single }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_only_the_last_component() {
        assert_eq!(clean_name("run.fit").as_deref(), Some("run.fit"));
        assert_eq!(clean_name("C:\\exports\\run.fit").as_deref(), Some("run.fit"));
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name("a/\u{7}b.gpx").as_deref(), Some("b.gpx"));
        assert_eq!(clean_name("dir/"), None);
        assert_eq!(clean_name(".."), None);
        assert_eq!(clean_name("   "), None);
    }

    #[test]
    fn lines_in_words() {
        let new = json!({"file": "a.fit", "ok": true, "sport": "trail_running",
            "start_time": "2026-11-22T07:01:12Z", "distance_m": 21204.3, "elapsed_s": 5728.0,
            "warnings": [], "stored": "new", "id": 1});
        let row = result_row(&new, &Locale::utc());
        assert_eq!((row.state, row.label), ("new", "New"));
        assert_eq!(row.detail, "Trail running · Sun 22 Nov 2026 07:01 · 21.2 km · 1:35:28");
        let miles = Locale::of(&afterrun_store::Profile {
            tz: Some("America/New_York".into()),
            units: Some("mi".into()),
            ..afterrun_store::Profile::default()
        });
        assert_eq!(
            result_row(&new, &miles).detail,
            "Trail running · Sun 22 Nov 2026 02:01 · 13.2 mi · 1:35:28"
        );
        let dup = json!({"file": "a.fit", "ok": true, "sport": "running", "stored": "duplicate",
            "duplicate_of": 1, "duplicate_reason": "same_content"});
        let row = result_row(&dup, &Locale::utc());
        assert_eq!(row.state, "duplicate");
        assert_eq!(row.detail, "Running · this file is already stored");
        let bad = json!({"file": "x.fit", "format": "fit", "ok": false,
            "error": {"kind": "bad_header", "message": "header size 3"}});
        let row = result_row(&bad, &Locale::utc());
        assert_eq!((row.state, row.label), ("failed", "Failed"));
        assert_eq!(row.detail, "the file's header is damaged (header size 3)");
        let skip = json!({"file": "s.fit", "format": "fit", "ok": false,
            "error": {"kind": "not_activity_file", "message": "settings"}});
        assert_eq!(result_row(&skip, &Locale::utc()).state, "skipped");
        assert_eq!(afterrun_service::words::clock_words(59.6), "1:00");
        assert_eq!(afterrun_service::words::clock_words(3600.0), "1:00:00");
    }
}
