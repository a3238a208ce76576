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

use afterrun_activity::{DecodeError, ProblemKind, archive};
use afterrun_service::import::{Counts, Prepared, counts_as_failure, describe_failure, prepare};
use serde_json::Value;

use crate::db::{DbArgs, Session, service_error, store_error};

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

/// Strava catalogs: the display-path prefix their file names are relative to, and the list.
type Catalogs = Arc<Mutex<Vec<(String, archive::Catalog)>>>;

/// Runs `afterrun import`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let threads = match args.threads {
        Some(0) => return Err(crate::exit::bad_input("--threads: must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(2, usize::from),
    };
    let session = Session::open(args.db.db.as_deref())?;
    let athlete = session.athlete(&args.db.athlete)?;
    let thresholds = session
        .block_on(afterrun_service::import::thresholds(&session.store, athlete))
        .map_err(service_error)?;
    let known = session.block_on(session.store.stored_hashes(athlete)).map_err(store_error)?;
    let profile = session.block_on(session.store.profile(athlete)).map_err(store_error)?;
    let locale = afterrun_service::locale::Locale::of(&profile);
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
                    let listed = catalog_entry(catalogs, &job.name);
                    let result = prepare(&job.name, job.read, thresholds, known, listed);
                    let decoded = Decoded { name: job.name, result };
                    if done_tx.send((index, decoded)).is_err() {
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
                let line = session
                    .block_on(afterrun_service::import::store_prepared(
                        &session.store,
                        athlete,
                        &decoded.name,
                        decoded.result,
                        imported_at,
                        &mut counts,
                    ))
                    .map_err(service_error)?;
                progress.inc(1);
                progress.set_message(format!(
                    "{} new, {} duplicate, {} skipped, {} failed",
                    counts.new, counts.duplicates, counts.skipped, counts.failed
                ));
                if args.json {
                    write_line(&mut out, &line)?;
                } else if counts_as_failure(&line) {
                    progress.suspend(|| eprintln!("afterrun: {}", describe_failure(&line)));
                } else if let Some(warned) = describe_warnings(&line, &locale) {
                    progress.suspend(|| eprintln!("afterrun: {warned}"));
                }
            }
        }
        Ok(())
    });
    progress.finish_and_clear();
    session.close();
    result?;

    let summary = counts.summary_json();
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

/// A stored file's warnings in words, with what the activity was (in the runner's zone and
/// units): `run.fit: Running · Sun 11 Jun 2017 10:34 · 0.1 mi · 0:57: shorter than a minute…`.
fn describe_warnings(line: &Value, locale: &afterrun_service::locale::Locale) -> Option<String> {
    let warnings: Vec<&str> = line
        .get("warnings")?
        .as_array()?
        .iter()
        .filter_map(|w| w.get("message").and_then(Value::as_str))
        .collect();
    if warnings.is_empty() {
        return None;
    }
    let file = line.get("file").and_then(Value::as_str).unwrap_or("?");
    let what = afterrun_service::words::activity_words(line, locale);
    Some(format!("{file}: {what}: {}", warnings.join("; ")))
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

/// The Strava catalog entry that lists this file, if any.
fn catalog_entry(catalogs: &Catalogs, name: &str) -> Option<archive::CatalogEntry> {
    let all = catalogs.lock().ok()?;
    all.iter().find_map(|(base, catalog)| {
        let relative = name.strip_prefix(base.as_str())?;
        catalog.lookup(relative).cloned()
    })
}
