//! `afterrun import PATH...`: decode activity files, folders and archives in parallel and store
//! each activity once.
//!
//! Shape of the work: one thread walks the inputs (folders sorted by path, archives member by
//! member) and hands owned bytes to a bounded queue; `--threads` workers decode, hash, compute
//! the load and compress; the main thread writes each result to the store in argument order,
//! one transaction per file, and prints its `import --json` line. Writing in input order makes
//! the "same run exported twice" choice deterministic (the first one seen is kept), and the
//! store's `UNIQUE (athlete, sha256)` constraint, not this command, guarantees that a crash or a
//! second import running at once never doubles an activity.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, mpsc};

use afterrun_activity::{Activity, DecodeError, DecodeOptions, ProblemKind, archive};
use afterrun_store::{NewActivity, Original, Stored};
use serde_json::{Map, Value, json};
use sha2::Digest as _;

use crate::db::{DbArgs, Session, store_error};
use crate::summary_json::summary_map;

/// Arguments of `afterrun import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Activity files (FIT, GPX, TCX), folders, and archives (.zip, .tar.gz, .gz; Garmin and
    /// Strava exports)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    #[command(flatten)]
    db: DbArgs,

    /// Print one JSON object per file (JSON Lines) and a summary line
    #[arg(long)]
    json: bool,

    /// Decoding threads [default: the number of CPUs]
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// One input file (or archive member), read.
struct Job {
    index: usize,
    name: String,
    read: Result<Vec<u8>, DecodeError>,
}

/// What a worker made of a job.
struct Decoded {
    name: String,
    result: Prepared,
}

/// A file ready to be stored, already stored, or failed.
enum Prepared {
    /// Decoded: the activity to store and its output line.
    Activity(Box<NewActivity>, Map<String, Value>),
    /// The same bytes were already stored (as this id) when the import started: not decoded
    /// again.
    Known(i64),
    /// Not decoded: the format if known, and why.
    Failed(Option<&'static str>, DecodeError),
}

/// Strava catalogs: the display-path prefix their file names are relative to, and the list.
type Catalogs = Arc<Mutex<Vec<(String, archive::Catalog)>>>;

/// Counts for the summary line.
#[derive(Debug, Default)]
struct Counts {
    files: u64,
    new: u64,
    duplicates: u64,
    skipped: u64,
    failed: u64,
}

/// Runs `afterrun import`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let threads = match args.threads {
        Some(0) => return Err(crate::exit::bad_input("--threads: must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(2, usize::from),
    };
    let session = Session::open(args.db.db.as_deref())?;
    let athlete = session.athlete(&args.db.athlete)?;
    let thresholds = thresholds(&session, athlete)?;
    let known = session.block_on(session.store.stored_hashes(athlete)).map_err(store_error)?;
    let imported_at = crate::db::now();

    let progress = progress_bar();
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads * 2);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Decoded)>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let paths = args.paths.clone();
    // Strava's activities.csv files seen so far: the walker adds each before it sends the
    // files the CSV lists (inside a zip, `activities.csv` sorts before `activities/…`; in a
    // folder the walker reads it first), so a worker decoding one of them finds its entry.
    let catalogs: Catalogs = Arc::new(Mutex::new(Vec::new()));

    let mut counts = Counts::default();
    let mut out = std::io::stdout().lock();
    let result = std::thread::scope(|scope| -> anyhow::Result<()> {
        let walker_catalogs = Arc::clone(&catalogs);
        scope.spawn(move || walk_inputs(&paths, &job_tx, &walker_catalogs));
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            let thresholds = &thresholds;
            let known = &known;
            let catalogs = &catalogs;
            scope.spawn(move || {
                loop {
                    // Hold the lock only to take a job, never while decoding.
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    let index = job.index;
                    if done_tx.send((index, prepare(job, thresholds, known, catalogs))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);

        // Store and print in input order.
        let mut pending: BTreeMap<usize, Decoded> = BTreeMap::new();
        let mut next = 0usize;
        for (index, decoded) in done_rx {
            pending.insert(index, decoded);
            while let Some(decoded) = pending.remove(&next) {
                next += 1;
                let line = store_one(&session, athlete, decoded, imported_at, &mut counts)?;
                progress.inc(1);
                progress.set_message(format!(
                    "{} new, {} duplicate, {} skipped, {} failed",
                    counts.new, counts.duplicates, counts.skipped, counts.failed
                ));
                if args.json {
                    write_line(&mut out, &line)?;
                } else if line.get("ok") == Some(&Value::Bool(false)) && counts_as_failure(&line) {
                    progress.suspend(|| eprintln!("afterrun: {}", describe_failure(&line)));
                }
            }
        }
        Ok(())
    });
    progress.finish_and_clear();
    session.close();
    result?;

    let summary = json!({"summary": {
        "files": counts.files, "new": counts.new, "duplicates": counts.duplicates,
        "skipped": counts.skipped, "failed": counts.failed,
    }});
    if args.json {
        write_line(&mut out, &summary)?;
    } else {
        eprintln!(
            "imported {} files: {} new, {} duplicates, {} skipped (not activities), {} failed",
            counts.files, counts.new, counts.duplicates, counts.skipped, counts.failed
        );
    }
    Ok(exit_code(&counts))
}

fn exit_code(counts: &Counts) -> ExitCode {
    let succeeded = counts.new + counts.duplicates + counts.skipped;
    if counts.failed == 0 {
        ExitCode::SUCCESS
    } else if succeeded == 0 {
        ExitCode::from(crate::exit::BAD_INPUT)
    } else {
        ExitCode::from(crate::exit::PARTIAL)
    }
}

fn write_line(out: &mut impl std::io::Write, value: &Value) -> anyhow::Result<()> {
    match writeln!(out, "{value}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {pos} files imported: {msg} [{elapsed}]")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// The athlete's thresholds for the load model: the stored profile, and the highest heart rate
/// among the stored activities.
fn thresholds(session: &Session, athlete: i64) -> anyhow::Result<afterrun_load::Thresholds> {
    let profile = session.block_on(session.store.profile(athlete)).map_err(store_error)?;
    let stored = session.block_on(session.store.activities(athlete)).map_err(store_error)?;
    let facts: Vec<afterrun_load::ActivityFacts> = stored
        .iter()
        .map(|a| afterrun_load::ActivityFacts { max_hr: a.max_hr, best_30min_speed_mps: None })
        .collect();
    Ok(afterrun_load::resolve_thresholds(&load_profile(&profile), &facts))
}

/// The load model's view of the stored profile.
pub(crate) fn load_profile(profile: &afterrun_store::Profile) -> afterrun_load::AthleteProfile {
    afterrun_load::AthleteProfile {
        sex: match profile.sex.as_deref() {
            Some("female") => afterrun_load::Sex::Female,
            Some("male") => afterrun_load::Sex::Male,
            _ => afterrun_load::Sex::Unspecified,
        },
        age: profile.age.map(f64::from),
        max_hr: profile.max_hr.map(f64::from),
        rest_hr: profile.rest_hr.map(f64::from),
        threshold_hr: None,
        threshold_speed_mps: profile
            .threshold_pace_s_per_km
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| 1000.0 / s),
    }
}

// ----- walking the inputs -----

/// Sends every file of every input, in order: folders recursively, sorted by path; archives
/// member by member.
fn walk_inputs(paths: &[PathBuf], jobs: &mpsc::SyncSender<Job>, catalogs: &Catalogs) {
    let add_catalog = |base: String, catalog: archive::Catalog| {
        if let Ok(mut all) = catalogs.lock() {
            all.push((base, catalog));
        }
    };
    let mut index = 0usize;
    let mut send = |name: String, read: Result<Vec<u8>, DecodeError>| -> bool {
        let job = Job { index, name, read };
        index += 1;
        jobs.send(job).is_ok()
    };
    for path in paths {
        let mut files = Vec::new();
        if path.is_dir() {
            collect_dir(path, &mut files, &mut send, &add_catalog);
        } else {
            files.push(path.clone());
        }
        for file in files {
            let name = file.display().to_string();
            let handle = match std::fs::File::open(&file) {
                Ok(f) => f,
                Err(e) => {
                    if !send(name, Err(io_error(&e))) {
                        return;
                    }
                    continue;
                }
            };
            let reader = std::io::BufReader::new(handle);
            let mut alive = true;
            let walked = archive::walk(&name, reader, &archive::Limits::default(), &mut |entry| {
                if !alive {
                    return;
                }
                alive = match entry {
                    archive::Entry::File { path, bytes } => {
                        send(path.to_owned(), Ok(bytes.to_vec()))
                    }
                    archive::Entry::Failed { path, error } => send(path.to_owned(), Err(error)),
                    archive::Entry::Catalog { base, catalog } => {
                        add_catalog(base.to_owned(), catalog);
                        true
                    }
                };
            });
            if let Err(error) = walked
                && !send(name, Err(error))
            {
                return;
            }
            if !alive {
                return;
            }
        }
    }
}

/// Every file under `dir`, sorted by path; unreadable folders are reported as failures. A
/// Strava `activities.csv` is read into the catalogs as soon as its folder is listed.
fn collect_dir(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    send: &mut impl FnMut(String, Result<Vec<u8>, DecodeError>) -> bool,
    add_catalog: &impl Fn(String, archive::Catalog),
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            send(dir.display().to_string(), Err(io_error(&e)));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in &paths {
        let is_csv = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case("activities.csv"));
        if is_csv && let Ok(bytes) = std::fs::read(path) {
            add_catalog(format!("{}/", dir.display()), archive::parse_strava_csv(&bytes));
        }
    }
    for path in paths {
        if path.is_dir() {
            collect_dir(&path, files, send, add_catalog);
        } else if looks_like_activity(&path) {
            files.push(path);
        }
    }
}

/// Whether a file found in a folder is worth decoding: its name says FIT, GPX, TCX or archive,
/// or its first bytes sniff as one. The same rule the archive walker applies to members, so a
/// README or a CSV beside the activities is passed over, not reported as a failure. (A file
/// named on the command line is always decoded.)
fn looks_like_activity(path: &Path) -> bool {
    use std::io::Read as _;
    let name = path.to_string_lossy().to_ascii_lowercase();
    if afterrun_activity::sniff::format_from_name(&name).is_some()
        || [".zip", ".gz", ".tgz", ".tar"].iter().any(|ext| name.ends_with(ext))
    {
        return true;
    }
    let Ok(file) = std::fs::File::open(path) else {
        // Unreadable: decode it, so the failure is reported.
        return true;
    };
    let mut head = Vec::with_capacity(4096);
    let limit = afterrun_activity::sniff::XML_SNIFF_LIMIT as u64;
    if file.take(limit).read_to_end(&mut head).is_err() {
        return true;
    }
    afterrun_activity::sniff::sniff(&head).is_some() || archive::container(&head).is_some()
}

fn io_error(e: &std::io::Error) -> DecodeError {
    DecodeError::new(ProblemKind::Io, format!("cannot read: {e}"))
}

// ----- the workers' part -----

/// Decodes, hashes, computes the load and compresses one file.
fn prepare(
    job: Job,
    thresholds: &afterrun_load::Thresholds,
    known: &std::collections::HashMap<String, i64>,
    catalogs: &Catalogs,
) -> Decoded {
    let name = job.name;
    let bytes = match job.read {
        Ok(bytes) => bytes,
        Err(e) => {
            let format = afterrun_activity::sniff::format_from_name(&name).map(|f| f.as_str());
            return Decoded { name, result: Prepared::Failed(format, e) };
        }
    };
    let sha256 = sha256_hex(&bytes);
    if let Some(&id) = known.get(&sha256) {
        return Decoded { name, result: Prepared::Known(id) };
    }
    let options = DecodeOptions { samples: true };
    let mut activity = match afterrun_activity::decode(&bytes, Some(&name), &options) {
        Ok(activity) => activity,
        Err(e) => {
            let format = afterrun_activity::detect_format(&bytes, Some(&name)).map(|f| f.as_str());
            return Decoded { name, result: Prepared::Failed(format, e) };
        }
    };
    let listed = catalog_entry(catalogs, &name);
    if let Some(entry) = &listed
        && activity.summary.sport == "unknown"
        && let Some(sport) = afterrun_activity::sport_from_name(&entry.kind)
    {
        sport.clone_into(&mut activity.summary.sport);
    }
    let mut line = summary_map(&name, &activity.summary);
    if let Some(entry) = listed.filter(|e| !e.name.is_empty()) {
        line.insert("name".into(), json!(entry.name));
    }
    let new = new_activity(&name, &bytes, sha256, &activity, &line, thresholds);
    Decoded { name, result: Prepared::Activity(Box::new(new), line) }
}

/// The Strava catalog entry that lists this file, if any.
fn catalog_entry(catalogs: &Catalogs, name: &str) -> Option<archive::CatalogEntry> {
    let all = catalogs.lock().ok()?;
    all.iter().find_map(|(base, catalog)| {
        let relative = name.strip_prefix(base.as_str())?;
        catalog.lookup(relative).cloned()
    })
}

fn new_activity(
    name: &str,
    bytes: &[u8],
    sha256: String,
    activity: &Activity,
    line: &Map<String, Value>,
    thresholds: &afterrun_load::Thresholds,
) -> NewActivity {
    let s = &activity.summary;
    let (stress, muscle_load) = match afterrun_load::activity_load(activity, thresholds, None) {
        Some((load, stress)) => {
            let groups: Map<String, Value> = afterrun_load::MuscleGroup::ALL
                .iter()
                .map(|g| (g.as_str().to_owned(), json!(load.muscle.of(*g))))
                .collect();
            (stress, Some(Value::Object(groups)))
        }
        None => (afterrun_load::activity_stress(activity, thresholds, None), None),
    };
    let stress = stress.value.is_finite().then(|| afterrun_store::Stress {
        value: stress.value,
        kind: stress.kind.as_str().to_owned(),
    });
    NewActivity {
        sha256,
        format: s.format.as_str().to_owned(),
        sport: s.sport.clone(),
        sub_sport: s.sub_sport.clone(),
        start_time: s.start_time,
        end_time: s.end_time,
        elapsed_s: s.elapsed_s,
        timer_s: s.timer_s,
        distance_m: s.distance_m,
        records: s.records,
        avg_hr: s.avg_hr,
        max_hr: s.max_hr,
        ascent_m: s.ascent_m,
        descent_m: s.descent_m,
        laps: s.laps,
        summary: Value::Object(line.clone()),
        stress,
        muscle_load,
        original: Original::compress(bytes),
        source: name.to_owned(),
    }
}

/// SHA-256 of the bytes, lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(64);
    for b in sha2::Sha256::digest(bytes) {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

// ----- the main thread's part -----

/// Stores one decoded file (one transaction) and returns its output line.
fn store_one(
    session: &Session,
    athlete: i64,
    decoded: Decoded,
    imported_at: i64,
    counts: &mut Counts,
) -> anyhow::Result<Value> {
    counts.files += 1;
    match decoded.result {
        Prepared::Known(id) => {
            counts.duplicates += 1;
            let stored = session.block_on(session.store.summary(id)).map_err(store_error)?;
            let mut line = match stored {
                Some(Value::Object(map)) => map,
                _ => Map::new(),
            };
            line.insert("file".into(), json!(decoded.name));
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
                "file": decoded.name, "format": format, "ok": false,
                "error": {"kind": error.kind.as_str(), "message": error.message},
            }))
        }
        Prepared::Activity(activity, mut line) => {
            let stored = session
                .block_on(session.store.import_activity(athlete, &activity, imported_at))
                .map_err(store_error)?;
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

fn counts_as_failure(line: &Value) -> bool {
    line.pointer("/error/kind").and_then(Value::as_str) != Some("not_activity_file")
}

fn describe_failure(line: &Value) -> String {
    let file = line.get("file").and_then(Value::as_str).unwrap_or("?");
    let kind = line.pointer("/error/kind").and_then(Value::as_str).unwrap_or("?");
    let message = line.pointer("/error/message").and_then(Value::as_str).unwrap_or("");
    format!("{file}: {kind}: {message}")
}
