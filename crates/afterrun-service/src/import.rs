//! One file's way into the store: bytes → decoded activity → load → stored row, with its
//! `import --json` line (interfaces.md).
//!
//! Split in two so the caller chooses the parallelism: [`prepare`] is pure CPU work (decode,
//! hash, load, compress) and runs on any thread; [`store_prepared`] writes one file in one
//! transaction. `afterrun import` walks folders and archives with worker threads and a progress
//! bar; the web upload calls [`import_upload`]. The store's `UNIQUE (athlete, sha256)`
//! constraint, not this module, guarantees that a crash or a concurrent import never doubles
//! an activity.

use std::collections::HashMap;

use afterrun_activity::{Activity, DecodeError, DecodeOptions, ProblemKind, archive};
use afterrun_store::{Id, NewActivity, Original, Store, Stored};
use serde_json::{Map, Value, json};
use sha2::Digest as _;

use crate::ServiceError;
use crate::stored_load::load_of;
use crate::summary_json::summary_map;

/// A file ready to be stored, already stored, or failed.
#[derive(Debug)]
pub enum Prepared {
    /// Decoded: the activity to store and its output line.
    Activity(Box<NewActivity>, Map<String, Value>),
    /// The same bytes were already stored (as this id) when the import started: not decoded
    /// again.
    Known(Id),
    /// Not decoded: the format if known, and why.
    Failed(Option<&'static str>, DecodeError),
}

/// Counts for the summary line of an import.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Files seen.
    pub files: u64,
    /// Activities stored for the first time.
    pub new: u64,
    /// Files whose activity was already stored.
    pub duplicates: u64,
    /// Files that are not activity files (passed over, not failures).
    pub skipped: u64,
    /// Files that could not be read or decoded.
    pub failed: u64,
}

impl Counts {
    /// The summary line: `{"summary":{"files":…,"new":…,"duplicates":…,"skipped":…,"failed":…}}`.
    pub fn summary_json(&self) -> Value {
        json!({"summary": {
            "files": self.files, "new": self.new, "duplicates": self.duplicates,
            "skipped": self.skipped, "failed": self.failed,
        }})
    }
}

/// The athlete's thresholds for the load model: the stored profile and what every stored
/// activity says (held maximum heart rate, best 30 minutes), after bringing the stored loads up
/// to date with them ([`crate::refresh`]).
pub async fn thresholds(
    store: &Store,
    athlete: Id,
) -> Result<afterrun_load::Thresholds, ServiceError> {
    let profile = store.profile(athlete).await?;
    let locale = crate::locale::Locale::of(&profile);
    Ok(crate::refresh::fresh_rows(store, athlete, &profile, &locale).await?.1)
}

/// Decodes, hashes, computes the load and compresses one file (pure CPU work).
///
/// `read` is the file's bytes or why they could not be read; `known` maps the hashes already
/// stored for the athlete to their ids (those are not decoded again); `listed` is the Strava
/// catalog entry naming this file, if any (its sport and title fill what the file lacks).
pub fn prepare(
    name: &str,
    read: Result<Vec<u8>, DecodeError>,
    thresholds: &afterrun_load::Thresholds,
    known: &HashMap<String, Id>,
    listed: Option<archive::CatalogEntry>,
) -> Prepared {
    match read {
        Ok(bytes) => prepare_bytes(name, &bytes, thresholds, known, listed),
        Err(e) => unreadable(name, e),
    }
}

/// A file that could not be read, with the format its name suggests.
fn unreadable(name: &str, e: DecodeError) -> Prepared {
    let format = afterrun_activity::sniff::format_from_name(name).map(|f| f.as_str());
    Prepared::Failed(format, e)
}

/// [`prepare`] over bytes the caller keeps (no copy of a large file).
fn prepare_bytes(
    name: &str,
    bytes: &[u8],
    thresholds: &afterrun_load::Thresholds,
    known: &HashMap<String, Id>,
    listed: Option<archive::CatalogEntry>,
) -> Prepared {
    let sha256 = sha256_hex(bytes);
    if let Some(&id) = known.get(&sha256) {
        return Prepared::Known(id);
    }
    let options = DecodeOptions { samples: true };
    let mut activity = match afterrun_activity::decode(bytes, Some(name), &options) {
        Ok(activity) => activity,
        Err(e) => {
            let format = afterrun_activity::detect_format(bytes, Some(name)).map(|f| f.as_str());
            return Prepared::Failed(format, e);
        }
    };
    if let Some(entry) = &listed {
        activity.summary.totals.take_listed_sport(&entry.kind);
    }
    let mut line = summary_map(name, &activity.summary);
    if let Some(entry) = listed.filter(|e| !e.name.is_empty()) {
        line.insert("name".into(), json!(entry.name));
    }
    let new = new_activity(name, bytes, sha256, activity, &line, thresholds);
    Prepared::Activity(Box::new(new), line)
}

fn new_activity(
    name: &str,
    bytes: &[u8],
    sha256: String,
    activity: Activity,
    line: &Map<String, Value>,
    thresholds: &afterrun_load::Thresholds,
) -> NewActivity {
    let (stress, muscle_load) = load_of(&activity, thresholds);
    let facts = crate::refresh::facts_json(&afterrun_load::activity_facts(&activity));
    NewActivity {
        sha256,
        decoded: activity.summary,
        summary: Value::Object(line.clone()),
        stress,
        muscle_load,
        facts: Some(facts),
        load_basis: Some(crate::refresh::basis(thresholds)),
        original: Original::compress(bytes),
        source: name.to_owned(),
    }
}

/// Activities shorter than this are kept but flagged, seconds…
pub const SHORT_S: f64 = 60.0;
/// …or than this, metres.
pub const SHORT_M: f64 = 100.0;

/// The warnings the import adds to a decoded file's own (interfaces.md): `implausible_date`
/// for a start before 1990 or more than a day after `imported_at` (left out of the load
/// series), `short_activity` for less than a minute or 100 m (a truncated or accidental file).
pub fn import_warnings(activity: &NewActivity, imported_at: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let totals = &activity.decoded.totals;
    if let Some(start) = totals.start_time
        && !crate::stored_load::plausible_start(start, imported_at)
    {
        let when = crate::summary_json::time_json(Some(start));
        let when = when.as_str().map_or_else(|| start.to_string(), str::to_owned);
        out.push(json!({
            "kind": "implausible_date",
            "message": format!("the file says the activity started at {when}, before 1990 or in the future: kept, but left out of the load series"),
            "offset": null,
        }));
    }
    let seconds = totals.timer_s.or(totals.elapsed_s).filter(|d| d.is_finite());
    let metres = totals.distance_m.filter(|d| d.is_finite());
    if seconds.is_some_and(|d| d < SHORT_S) || metres.is_some_and(|d| d < SHORT_M) {
        out.push(json!({
            "kind": "short_activity",
            "message": "shorter than a minute or 100 m: kept, check that the file is complete",
            "offset": null,
        }));
    }
    out
}

/// Adds the import's own warnings to an output line (and the stored summary).
fn add_warnings(line: &mut Map<String, Value>, extra: &[Value]) {
    if extra.is_empty() {
        return;
    }
    match line.get_mut("warnings") {
        Some(Value::Array(w)) => w.extend(extra.iter().cloned()),
        _ => {
            line.insert("warnings".into(), Value::Array(extra.to_vec()));
        }
    }
}

/// SHA-256 of the bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(64);
    for b in sha2::Sha256::digest(bytes) {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Stores one prepared file (one transaction), counts it, and returns its `import --json` line.
pub async fn store_prepared(
    store: &Store,
    athlete: Id,
    name: &str,
    prepared: Prepared,
    imported_at: i64,
    counts: &mut Counts,
) -> Result<Value, ServiceError> {
    counts.files += 1;
    match prepared {
        Prepared::Known(id) => {
            counts.duplicates += 1;
            let mut line = match store.summary(id).await? {
                Some(Value::Object(map)) => map,
                _ => Map::new(),
            };
            line.insert("file".into(), json!(name));
            line.insert("stored".into(), json!("duplicate"));
            line.insert("duplicate_of".into(), json!(id));
            line.insert("duplicate_reason".into(), json!("same_content"));
            Ok(Value::Object(line))
        }
        Prepared::Failed(format, error) => {
            if error.kind == ProblemKind::NotActivityFile {
                counts.skipped += 1;
            } else {
                counts.failed += 1;
            }
            Ok(json!({
                "file": name, "format": format, "ok": false,
                "error": {"kind": error.kind.as_str(), "message": error.message},
            }))
        }
        Prepared::Activity(mut activity, mut line) => {
            let extra = import_warnings(&activity, imported_at);
            add_warnings(&mut line, &extra);
            if let Value::Object(summary) = &mut activity.summary {
                add_warnings(summary, &extra);
            }
            let stored = store.import_activity(athlete, &activity, imported_at).await?;
            match stored {
                Stored::New(id) => {
                    counts.new += 1;
                    line.insert("stored".into(), json!("new"));
                    line.insert("id".into(), json!(id));
                }
                Stored::SameContent(id) | Stored::SameActivity(id) => {
                    counts.duplicates += 1;
                    line.insert("stored".into(), json!("duplicate"));
                    line.insert("duplicate_of".into(), json!(id));
                    let why = if matches!(stored, Stored::SameContent(_)) {
                        "same_content"
                    } else {
                        "same_activity"
                    };
                    line.insert("duplicate_reason".into(), json!(why));
                }
            }
            Ok(Value::Object(line))
        }
    }
}

/// An `inspect`/`import --json` line read back typed: the fields its readers (the CLI's
/// progress, the web import results) need. The line itself stays the JSON the contract
/// documents; this is its reader's view. A field the line lacks is empty.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct LineView {
    /// The file (`archive.zip!/member.fit` inside archives).
    pub file: String,
    /// Whether anything usable was read.
    pub ok: bool,
    /// Why not.
    pub error: Option<LineProblem>,
    /// `new` or `duplicate` (imports).
    pub stored: Option<String>,
    /// `same_file` or `same_activity`.
    pub duplicate_reason: Option<String>,
    /// Damage that still left usable data.
    pub warnings: Vec<LineProblem>,
    /// What the activity was.
    #[serde(flatten)]
    pub activity: LineActivity,
}

/// What a line says the activity was (each field empty when the line lacks it).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct LineActivity {
    /// The sport code.
    pub sport: Option<String>,
    /// The start, RFC 3339.
    pub start_time: Option<String>,
    /// Distance.
    pub distance_m: Option<f64>,
    /// Elapsed time.
    pub elapsed_s: Option<f64>,
}

/// An error or warning of a line.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct LineProblem {
    /// Its kind (interfaces.md).
    pub kind: String,
    /// In words.
    pub message: String,
}

impl LineView {
    /// Reads a line (a line that does not read is an empty view, never a panic).
    pub fn of(line: &Value) -> LineView {
        <LineView as serde::Deserialize>::deserialize(line).unwrap_or_default()
    }

    /// The error's kind, if the file failed.
    pub fn error_kind(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.kind.as_str())
    }

    /// Whether this is a failure that counts (a file that is not an activity is not).
    pub fn counts_as_failure(&self) -> bool {
        !self.ok && self.error_kind() != Some("not_activity_file")
    }

    /// A duplicate of what is stored.
    pub fn is_duplicate(&self) -> bool {
        self.stored.as_deref() == Some("duplicate")
    }

    /// A failure in words: `file: kind: message`.
    pub fn describe_failure(&self) -> String {
        let (kind, message) =
            self.error.as_ref().map_or(("?", ""), |e| (e.kind.as_str(), e.message.as_str()));
        format!("{}: {kind}: {message}", self.file)
    }
}

/// Every file of one upload (a single activity file, or an archive walked member by member),
/// decoded, in the order of the archive. Pure CPU work: run it off the async runtime.
pub fn prepare_upload(
    name: &str,
    bytes: &[u8],
    thresholds: &afterrun_load::Thresholds,
    known: &HashMap<String, Id>,
) -> Vec<(String, Prepared)> {
    prepare_upload_from(name, std::io::Cursor::new(bytes), thresholds, known)
}

/// [`prepare_upload`] reading the upload from `reader` (a file the server spooled the body to),
/// so the whole upload need not be in memory at once.
///
/// Each member is decoded as the walk reaches it, so only one member's bytes are held at a
/// time. An archive may list its files (Strava's `activities.csv`) after them, so an archive is
/// walked twice: first for its catalogs only, then to decode.
pub fn prepare_upload_from<R: std::io::Read + std::io::Seek>(
    name: &str,
    mut reader: R,
    thresholds: &afterrun_load::Thresholds,
    known: &HashMap<String, Id>,
) -> Vec<(String, Prepared)> {
    let limits = archive::Limits::default();
    let mut catalogs: Vec<(String, archive::Catalog)> = Vec::new();
    if is_archive(&mut reader) {
        // An unwalkable archive fails again below, where the failure is reported.
        let _ = archive::walk(name, &mut reader, &limits, &mut |entry| {
            if let archive::Entry::Catalog { base, catalog } = entry {
                catalogs.push((base.to_owned(), catalog));
            }
        });
        if let Err(e) = reader.seek(std::io::SeekFrom::Start(0)) {
            return vec![(name.to_owned(), unreadable(name, io_failure(e)))];
        }
    }
    let listed = |path: &str| {
        catalogs
            .iter()
            .find_map(|(base, catalog)| catalog.lookup(path.strip_prefix(base.as_str())?).cloned())
    };
    let mut out = Vec::new();
    let walked = archive::walk(name, reader, &limits, &mut |entry| match entry {
        archive::Entry::File { path, bytes } => {
            let prepared = prepare_bytes(path, bytes, thresholds, known, listed(path));
            out.push((path.to_owned(), prepared));
        }
        archive::Entry::Failed { path, error } => {
            out.push((path.to_owned(), unreadable(path, error)));
        }
        archive::Entry::Catalog { .. } => {}
    });
    if let Err(error) = walked {
        out.push((name.to_owned(), unreadable(name, error)));
    }
    out
}

/// Whether the input starts like an archive (zip, gzip, tar); the reader is rewound.
fn is_archive<R: std::io::Read + std::io::Seek>(reader: &mut R) -> bool {
    let mut head = Vec::with_capacity(512);
    let read = std::io::Read::read_to_end(&mut std::io::Read::take(&mut *reader, 512), &mut head);
    let rewound = reader.seek(std::io::SeekFrom::Start(0));
    read.is_ok() && rewound.is_ok() && archive::container(&head).is_some()
}

/// An I/O failure while reading an upload, as a decode error.
fn io_failure(e: std::io::Error) -> DecodeError {
    DecodeError::new(ProblemKind::Io, format!("the upload could not be read: {e}"))
}

/// Stores what [`prepare_upload`] made, in order; returns the output lines and the counts.
pub async fn store_upload(
    store: &Store,
    athlete: Id,
    prepared: Vec<(String, Prepared)>,
    imported_at: i64,
) -> Result<(Vec<Value>, Counts), ServiceError> {
    let mut counts = Counts::default();
    let mut lines = Vec::with_capacity(prepared.len());
    for (name, p) in prepared {
        lines.push(store_prepared(store, athlete, &name, p, imported_at, &mut counts).await?);
    }
    Ok((lines, counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_into_its_view_and_a_broken_one_into_an_empty_view() {
        let line = json!({
            "file": "a.fit", "format": "fit", "ok": true, "sport": "running",
            "start_time": "2026-11-22T07:01:12Z", "distance_m": 10000.5, "elapsed_s": 3600.0,
            "warnings": [{"kind": "short_activity", "message": "short", "offset": null}],
            "stored": "duplicate", "duplicate_reason": "same_activity",
        });
        let view = LineView::of(&line);
        assert_eq!(view.file, "a.fit");
        assert!(view.ok && view.error.is_none());
        assert_eq!(view.stored.as_deref(), Some("duplicate"));
        assert_eq!(view.duplicate_reason.as_deref(), Some("same_activity"));
        assert_eq!(view.warnings[0].kind, "short_activity");
        assert_eq!(
            view.activity,
            LineActivity {
                sport: Some("running".into()),
                start_time: Some("2026-11-22T07:01:12Z".into()),
                distance_m: Some(10000.5),
                elapsed_s: Some(3600.0),
            }
        );
        let failed = json!({"file": "b.gpx", "ok": false,
                            "error": {"kind": "bad_xml", "message": "broken"}});
        let view = LineView::of(&failed);
        assert_eq!(view.error_kind(), Some("bad_xml"));
        assert_eq!(view.activity, LineActivity::default());
        assert!(view.counts_as_failure());
        assert_eq!(LineView::of(&json!({"distance_m": "far"})), LineView::default());
    }
}
