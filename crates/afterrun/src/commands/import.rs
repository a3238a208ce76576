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
//!
//! With `--watch` (and in `serve --watch`) the same [`Importer`] runs one such batch for the
//! folders, then one for each set of files [`crate::watch`] finds complete, until the watch is
//! stopped; a file rewritten with the bytes this run already read is passed over.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, mpsc};

use afterrun_activity::{DecodeError, ProblemKind, archive};
use afterrun_service::import::{Counts, LineView, Prepared, prepare};
use afterrun_store::{Id, Store};
use serde_json::Value;

use crate::db::{BlockOn, DbArgs, service_error, store_error};
use crate::walk::Found;
use crate::watch::{Stopper, Watch};

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

    /// After importing the folders, keep watching them: import every activity file or archive
    /// written into them (or below) once it is complete, until Ctrl-C or SIGTERM
    #[arg(long)]
    watch: bool,

    /// With --watch: find new files by rescanning twice a second instead of by file events
    /// (for network file systems, which send none)
    #[arg(long, requires = "watch")]
    poll: bool,
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
    if args.watch {
        check_folders(&args.paths)?;
    }
    let (session, athlete) = args.db.open()?;
    let mut importer = Importer::new(&session.store, &session, athlete, threads, progress_bar())?;
    importer.json = args.json;
    let result = if args.watch {
        Watch::start(&args.paths, args.poll).and_then(|watch| {
            watch.stop_on_signals()?;
            watch_and_import(&mut importer, watch, &args.paths)
        })
    } else {
        importer.import_inputs(&args.paths)
    };
    importer.progress.finish_and_clear();
    let counts = importer.counts;
    session.close();
    result?;
    print_summary(&counts, args.json)?;
    // A watch ends by a signal, as asked: success, whatever the files were.
    Ok(if args.watch { ExitCode::SUCCESS } else { exit_code(&counts) })
}

/// `--watch`: every path must be a folder.
pub fn check_folders(paths: &[PathBuf]) -> anyhow::Result<()> {
    match paths.iter().find(|p| !p.is_dir()) {
        Some(p) => Err(crate::exit::bad_input(format!("--watch {}: not a folder", p.display()))),
        None => Ok(()),
    }
}

/// Imports what the folders hold, then every file written into them once it is complete,
/// until the watch is stopped. The caller starts the watch first, so a file written during
/// the first import is not missed.
fn watch_and_import<R: BlockOn>(
    importer: &mut Importer<'_, R>,
    mut watch: Watch,
    dirs: &[PathBuf],
) -> anyhow::Result<()> {
    let stopper = watch.stopper();
    importer.stop = Some(stopper.clone());
    importer.import_inputs(dirs)?;
    if stopper.is_stopped() {
        return Ok(());
    }
    let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    importer.progress.suspend(|| {
        eprintln!("afterrun: watching {} for new files (Ctrl-C to stop)", names.join(", "));
    });
    while let Some(files) = watch.next_ready() {
        importer.import_changed(files)?;
    }
    Ok(())
}

/// `serve --watch`: for the personal athlete, imports what the folders hold, then what the
/// watch finds complete, until it is stopped (at the server's shutdown); failures and the
/// summary go to stderr as text.
pub fn import_watched(
    store: &Store,
    runtime: &tokio::runtime::Handle,
    watch: Watch,
    dirs: &[PathBuf],
) -> anyhow::Result<()> {
    let now = crate::db::now();
    let athlete = runtime
        .block_on(store.ensure_athlete(crate::db::DEFAULT_ATHLETE, now))
        .map_err(store_error)?;
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let hidden = indicatif::ProgressBar::hidden();
    let mut importer = Importer::new(store, runtime, athlete, threads, hidden)?;
    let result = watch_and_import(&mut importer, watch, dirs);
    print_summary(&importer.counts, false)?;
    result
}

fn print_summary(counts: &Counts, json: bool) -> anyhow::Result<()> {
    if json {
        write_line(&counts.summary_json())?;
    } else {
        eprintln!(
            "imported {} files: {} new, {} duplicates, {} skipped (not activities), {} failed",
            counts.files, counts.new, counts.duplicates, counts.skipped, counts.failed
        );
    }
    Ok(())
}

/// One run of `afterrun import`: the store, the athlete, the output and the counts shared by
/// its batches (one batch for the arguments, then one per set of files a watch finds complete).
struct Importer<'a, R> {
    store: &'a Store,
    runtime: &'a R,
    athlete: Id,
    threads: usize,
    json: bool,
    locale: afterrun_service::locale::Locale,
    progress: indicatif::ProgressBar,
    counts: Counts,
    /// Every file read in this run, with the SHA-256 of its bytes when a watch handed it over.
    walked: HashMap<PathBuf, Option<String>>,
    /// A watch's: once it is stopped, no more files are read.
    stop: Option<Stopper>,
}

impl<'a, R: BlockOn> Importer<'a, R> {
    /// An importer for the athlete, in their zone and units, printing text.
    fn new(
        store: &'a Store,
        runtime: &'a R,
        athlete: Id,
        threads: usize,
        progress: indicatif::ProgressBar,
    ) -> anyhow::Result<Self> {
        let profile = runtime.block_on(store.profile(athlete)).map_err(store_error)?;
        Ok(Importer {
            store,
            runtime,
            athlete,
            threads,
            json: false,
            locale: afterrun_service::locale::Locale::of(&profile),
            progress,
            counts: Counts::default(),
            walked: HashMap::new(),
            stop: None,
        })
    }

    /// Imports files, folders and archives: decoded in parallel, stored and printed in input
    /// order. The thresholds and the stored hashes are read afresh for each batch, so a watch
    /// sees what its earlier batches stored.
    fn import_inputs(&mut self, paths: &[PathBuf]) -> anyhow::Result<()> {
        let thresholds = self
            .runtime
            .block_on(afterrun_service::import::thresholds(self.store, self.athlete))
            .map_err(service_error)?;
        let known = self.known_hashes()?;
        let imported_at = crate::db::now();
        let threads = self.threads;
        let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads * 2);
        let (done_tx, done_rx) = mpsc::channel::<(usize, Decoded)>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        // Strava's activities.csv files seen so far: the walker adds each before it sends the
        // files the CSV lists (inside a zip, `activities.csv` sorts before `activities/…`; in a
        // folder the walker reads it first), so a worker decoding one of them finds its entry.
        let catalogs: Catalogs = Arc::new(Mutex::new(Vec::new()));
        let stop = self.stop.clone();

        std::thread::scope(|scope| -> anyhow::Result<()> {
            let walker_catalogs = Arc::clone(&catalogs);
            let walker =
                scope.spawn(move || walk_inputs(paths, &job_tx, &walker_catalogs, stop.as_ref()));
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
                    self.store_and_print(decoded, imported_at)?;
                }
            }
            for file in walker.join().unwrap_or_default() {
                self.walked.entry(file).or_insert(None);
            }
            Ok(())
        })
    }

    /// The SHA-256 of every activity stored for the athlete, with its id.
    fn known_hashes(&self) -> anyhow::Result<HashMap<String, Id>> {
        self.runtime.block_on(self.store.stored_hashes(self.athlete)).map_err(store_error)
    }

    /// Stores one decoded file (one transaction), counts it and prints its line.
    fn store_and_print(&mut self, decoded: Decoded, imported_at: i64) -> anyhow::Result<()> {
        let line = self
            .runtime
            .block_on(afterrun_service::import::store_prepared(
                self.store,
                self.athlete,
                &decoded.name,
                decoded.result,
                imported_at,
                &mut self.counts,
            ))
            .map_err(service_error)?;
        let counts = &self.counts;
        self.progress.inc(1);
        self.progress.set_message(format!(
            "{} new, {} duplicate, {} skipped, {} failed",
            counts.new, counts.duplicates, counts.skipped, counts.failed
        ));
        if self.json {
            write_line(&line)?;
        } else {
            let line = LineView::of(&line);
            if line.counts_as_failure() {
                self.progress.suspend(|| eprintln!("afterrun: {}", line.describe_failure()));
            } else if let Some(warned) = describe_warnings(&line, &self.locale) {
                self.progress.suspend(|| eprintln!("afterrun: {warned}"));
            }
        }
        Ok(())
    }

    /// Imports files a watch found complete, leaving out what is not an activity (as in a
    /// folder) and a file rewritten with the bytes it had when this run read it.
    fn import_changed(&mut self, files: Vec<PathBuf>) -> anyhow::Result<()> {
        let known = self.known_hashes()?;
        let mut fresh = Vec::new();
        for file in files {
            if !looks_like_activity(&file) {
                continue;
            }
            let Ok(bytes) = crate::walk::read_regular(&file) else {
                fresh.push(file);
                continue;
            };
            let sha256 = afterrun_service::import::sha256_hex(&bytes);
            let unchanged = match self.walked.get(&file) {
                Some(Some(before)) => *before == sha256,
                // Read by the first batch: unchanged if these bytes are stored.
                Some(None) => known.contains_key(&sha256),
                None => false,
            };
            if !unchanged {
                self.walked.insert(file.clone(), Some(sha256));
                fresh.push(file);
            }
        }
        if fresh.is_empty() { Ok(()) } else { self.import_inputs(&fresh) }
    }
}

/// A stored file's warnings in words, with what the activity was (in the runner's zone and
/// units): `run.fit: Running · Sun 11 Jun 2017 10:34 · 0.1 mi · 0:57: shorter than a minute…`.
fn describe_warnings(line: &LineView, locale: &afterrun_service::locale::Locale) -> Option<String> {
    if line.warnings.is_empty() {
        return None;
    }
    let warnings: Vec<&str> = line.warnings.iter().map(|w| w.message.as_str()).collect();
    let what = afterrun_service::words::activity_words(line, locale);
    Some(format!("{}: {what}: {}", line.file, warnings.join("; ")))
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

fn write_line(value: &Value) -> anyhow::Result<()> {
    super::print(&format!("{value}\n"))
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
/// member by member. Stops early when `stop` is set. Returns the files it read.
fn walk_inputs(
    paths: &[PathBuf],
    jobs: &mpsc::SyncSender<Job>,
    catalogs: &Catalogs,
    stop: Option<&Stopper>,
) -> Vec<PathBuf> {
    let add_catalog = |base: String, catalog: archive::Catalog| {
        if let Ok(mut all) = catalogs.lock() {
            all.push((base, catalog));
        }
    };
    let mut index = 0usize;
    let mut send = |name: String, read: Result<Vec<u8>, DecodeError>| -> bool {
        if stop.is_some_and(Stopper::is_stopped) {
            return false;
        }
        let job = Job { index, name, read };
        index += 1;
        jobs.send(job).is_ok()
    };
    let mut read = Vec::new();
    for path in paths {
        let files = if path.is_dir() {
            match files_in_folder(path, &mut send, &add_catalog) {
                Some(files) => files,
                None => return read,
            }
        } else {
            vec![path.clone()]
        };
        for file in files {
            if !send_file(&file, &mut send, &add_catalog) {
                return read;
            }
            read.push(file);
        }
    }
    read
}

/// Sends one file: a plain activity file, or each member of an archive. False when the
/// receiver is gone or the import is stopping.
fn send_file(
    file: &Path,
    send: &mut impl FnMut(String, Result<Vec<u8>, DecodeError>) -> bool,
    add_catalog: &impl Fn(String, archive::Catalog),
) -> bool {
    let name = file.display().to_string();
    let handle = match crate::walk::open_regular(file) {
        Ok(f) => f,
        Err(e) => return send(name, Err(io_error(&e))),
    };
    let reader = std::io::BufReader::new(handle);
    let mut alive = true;
    let walked = archive::walk(&name, reader, &archive::Limits::default(), &mut |entry| {
        if !alive {
            return;
        }
        alive = match entry {
            archive::Entry::File { path, bytes } => send(path.to_owned(), Ok(bytes.to_vec())),
            archive::Entry::Failed { path, error } => send(path.to_owned(), Err(error)),
            archive::Entry::Catalog { base, catalog } => {
                add_catalog(base.to_owned(), catalog);
                true
            }
        };
    });
    if let Err(error) = walked {
        return alive && send(name, Err(error));
    }
    alive
}

/// The activity files under `dir`, sorted by path, after sending a failure for each folder
/// that cannot be read (`None` when the receiver is gone). A Strava `activities.csv` is read
/// into the catalogs as soon as its folder is listed; links to folders, FIFOs, sockets and
/// device files are skipped with a warning ([`crate::walk`]).
fn files_in_folder(
    dir: &Path,
    send: &mut impl FnMut(String, Result<Vec<u8>, DecodeError>) -> bool,
    add_catalog: &impl Fn(String, archive::Catalog),
) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut read_catalogs = |folder: &Path, entries: &[PathBuf]| {
        for path in entries {
            let is_csv = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case("activities.csv"));
            if is_csv && let Ok(bytes) = crate::walk::read_regular(path) {
                add_catalog(format!("{}/", folder.display()), archive::parse_strava_csv(&bytes));
            }
        }
    };
    crate::walk::walk_dir(dir, &mut read_catalogs, &mut found);
    let mut files = Vec::new();
    for item in found {
        match item {
            Found::File(path) => {
                if looks_like_activity(&path) {
                    files.push(path);
                }
            }
            Found::Skipped(path, what) => crate::walk::warn_skipped(&path, what),
            Found::Unreadable(path, e) => {
                if !send(path.display().to_string(), Err(io_error(&e))) {
                    return None;
                }
            }
        }
    }
    Some(files)
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
    let Ok(file) = crate::walk::open_regular(path) else {
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
