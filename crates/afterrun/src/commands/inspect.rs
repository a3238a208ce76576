//! `afterrun inspect PATH... [--json] [--threads N]`: decode activity files, folders and
//! archives and print what each holds, one line per file.
//!
//! Shape of the work: the arguments are expanded into units (a file, or each file of a folder,
//! sorted by path); rayon decodes the units in parallel, an archive member by member inside its
//! unit; the lines are printed in argument order, members of a folder or archive sorted by
//! path. Nothing is cached: an argument given twice is decoded twice. Inspect touches no
//! database and writes nothing: it is a pure function of its inputs.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afterrun_activity::archive::{self, Catalog};
use afterrun_activity::{DecodeError, DecodeOptions, Format, ProblemKind, Summary};
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::exit;
use afterrun_service::summary_json::{summary_fields, time_json, write_object};

/// Arguments of `afterrun inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Activity files (FIT, GPX, TCX), folders, and archives (.zip, .tar.gz, .gz; Garmin and
    /// Strava exports)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Print one JSON object per file (JSON Lines) instead of a table
    #[arg(long)]
    json: bool,

    /// Decoding threads [default: the number of CPUs]
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// What one file (or archive member) gave.
#[derive(Debug)]
struct Line {
    file: String,
    outcome: Result<Summary, (Option<Format>, DecodeError)>,
    /// The name Strava's `activities.csv` gives the activity.
    name: Option<String>,
}

/// Strava catalogs found while walking, each with the display-path prefix it applies to.
type Catalogs = Vec<(String, Catalog)>;

/// One piece of work: a path on disk, decoded by one task.
#[derive(Debug)]
struct Unit {
    /// Index of the argument it came from.
    arg: usize,
    path: PathBuf,
    /// When the unit comes from a folder, the catalogs found in that folder.
    in_folder: bool,
}

/// Runs `afterrun inspect`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let threads = match args.threads {
        Some(0) => return Err(exit::bad_input("--threads must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start {threads} threads: {e}"))?;

    // Expand the arguments into units; folder catalogs (Strava's activities.csv) are read here.
    let mut units = Vec::new();
    let mut per_arg: Vec<Vec<Line>> = Vec::with_capacity(args.paths.len());
    let mut catalogs: Vec<Catalogs> = Vec::with_capacity(args.paths.len());
    for (arg, path) in args.paths.iter().enumerate() {
        let mut lines = Vec::new();
        let mut cats = Vec::new();
        if path.is_dir() {
            let mut files = Vec::new();
            collect_dir(path, &mut files, &mut lines);
            for file in files {
                let name = file.display().to_string();
                if archive::is_strava_csv(&name) {
                    if let Ok(bytes) = crate::walk::read_regular(&file) {
                        let base = archive::parent_of(&name).to_owned();
                        cats.push((base, archive::parse_strava_csv(&bytes)));
                    }
                    continue;
                }
                units.push(Unit { arg, path: file, in_folder: true });
            }
        } else {
            units.push(Unit { arg, path: path.clone(), in_folder: false });
        }
        per_arg.push(lines);
        catalogs.push(cats);
    }

    let progress = progress_bar(units.len() as u64);
    let options = DecodeOptions { samples: false };
    // Each worker reads its plain files into one buffer, reused from file to file.
    let results: Vec<(usize, Vec<Line>, Catalogs)> = pool.install(|| {
        units
            .par_iter()
            .map_init(Vec::new, |buffer, unit| {
                let (lines, cats) = decode_unit(unit, &options, buffer);
                progress.inc(1);
                (unit.arg, lines, cats)
            })
            .collect()
    });
    progress.finish_and_clear();

    for (arg, lines, cats) in results {
        if let Some(slot) = per_arg.get_mut(arg) {
            slot.extend(lines);
        }
        if let Some(slot) = catalogs.get_mut(arg) {
            slot.extend(cats);
        }
    }

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut table = Table::default();
    let (mut failed, mut total) = (0usize, 0usize);
    for (mut lines, cats) in per_arg.into_iter().zip(catalogs) {
        lines.sort_by(|a, b| a.file.cmp(&b.file));
        for line in &mut lines {
            apply_catalogs(line, &cats);
            total += 1;
            match &line.outcome {
                Ok(_) => {}
                Err((_, e)) if e.kind == ProblemKind::NotActivityFile => {}
                Err(_) => failed += 1,
            }
            if args.json {
                write_object(&mut out, &line_json(line))?;
                out.write_all(b"\n")?;
            } else {
                table.push(line);
            }
        }
    }
    if !args.json {
        table.write(&mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::from(if failed == 0 {
        exit::OK
    } else if failed == total {
        exit::BAD_INPUT
    } else {
        exit::PARTIAL
    }))
}

/// Every regular file under `dir`, sorted by path, recursively ([`crate::walk`]: links to
/// folders, FIFOs, sockets and device files are skipped with a warning); folders and entries
/// that cannot be read become io lines.
fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>, lines: &mut Vec<Line>) {
    let mut found = Vec::new();
    crate::walk::walk_dir(dir, &mut |_, _| {}, &mut found);
    for item in found {
        match item {
            crate::walk::Found::File(path) => files.push(path),
            crate::walk::Found::Unreadable(path, e) => lines.push(io_line(&path, &e)),
            crate::walk::Found::Skipped(path, what) => crate::walk::warn_skipped(&path, what),
        }
    }
}

fn io_line(path: &Path, e: &std::io::Error) -> Line {
    let name = path.display().to_string();
    let format = afterrun_activity::sniff::format_from_name(&name);
    Line {
        outcome: Err((
            format,
            DecodeError::new(ProblemKind::Io, format!("cannot read {name}: {e}")),
        )),
        file: name,
        name: None,
    }
}

/// Decodes one unit: a plain file (read into `buffer`), or every member of an archive.
fn decode_unit(
    unit: &Unit,
    options: &DecodeOptions,
    buffer: &mut Vec<u8>,
) -> (Vec<Line>, Catalogs) {
    let name = unit.path.display().to_string();
    let mut file = match crate::walk::open_regular(&unit.path) {
        Ok(f) => f,
        Err(e) => return (vec![io_line(&unit.path, &e)], Vec::new()),
    };
    // In a folder, files that neither say nor sniff as activities or archives are left out
    // (photos, Strava's other CSVs).
    if unit.in_folder && !archive::interesting_name(&name) {
        let mut head = Vec::new();
        let limit = afterrun_activity::sniff::XML_SNIFF_LIMIT as u64;
        if (&mut file).take(limit).read_to_end(&mut head).is_err() {
            return (Vec::new(), Vec::new());
        }
        if afterrun_activity::sniff::sniff(&head).is_none() && archive::container(&head).is_none() {
            return (Vec::new(), Vec::new());
        }
    }
    let reader = std::io::BufReader::new(file);
    let mut lines = Vec::new();
    let mut cats = Vec::new();
    // Archive members are decoded in parallel, a bounded batch at a time: the walker reads them
    // one after another, and holding at most one batch keeps memory independent of the
    // archive's size. A plain file is decoded where it lies (in `buffer`), without a copy.
    let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
    let mut batch_bytes = 0usize;
    let limits = archive::Limits::default();
    let walked = archive::walk_reusing(&name, reader, &limits, buffer, &mut |entry| match entry {
        archive::Entry::File { path, bytes } if path == name => {
            lines.push(decode_line(path, bytes, options));
        }
        archive::Entry::File { path, bytes } => {
            batch_bytes += bytes.len();
            batch.push((path.to_owned(), bytes.to_vec()));
            if batch.len() >= BATCH_FILES || batch_bytes >= BATCH_BYTES {
                decode_batch(&mut batch, &mut lines, options);
                batch_bytes = 0;
            }
        }
        archive::Entry::Failed { path, error } => lines.push(Line {
            file: path.to_owned(),
            outcome: Err((afterrun_activity::sniff::format_from_name(path), error)),
            name: None,
        }),
        archive::Entry::Catalog { base, catalog } => cats.push((base.to_owned(), catalog)),
    });
    decode_batch(&mut batch, &mut lines, options);
    if let Err(error) = walked {
        lines.push(Line { file: name, outcome: Err((None, error)), name: None });
    }
    (lines, cats)
}

/// Archive members decoded together, at most.
const BATCH_FILES: usize = 64;
/// Bytes of archive members held at once, at most (one larger member is a batch of its own).
const BATCH_BYTES: usize = 64 << 20;

/// Decodes the members of a batch in parallel and empties it.
fn decode_batch(
    batch: &mut Vec<(String, Vec<u8>)>,
    lines: &mut Vec<Line>,
    options: &DecodeOptions,
) {
    let decoded: Vec<Line> =
        batch.par_iter().map(|(path, bytes)| decode_line(path, bytes, options)).collect();
    lines.extend(decoded);
    batch.clear();
}

fn decode_line(path: &str, bytes: &[u8], options: &DecodeOptions) -> Line {
    let outcome = afterrun_activity::decode(bytes, Some(path), options)
        .map(|a| a.summary)
        .map_err(|e| (afterrun_activity::detect_format(bytes, Some(path)), e));
    Line { file: path.to_owned(), outcome, name: None }
}

/// Gives a line the name (and, when the file has none, the sport) that a Strava catalog lists.
fn apply_catalogs(line: &mut Line, catalogs: &[(String, Catalog)]) {
    for (base, catalog) in catalogs {
        let Some(relative) = line.file.strip_prefix(base.as_str()) else { continue };
        let Some(entry) = catalog.lookup(relative) else { continue };
        if !entry.name.is_empty() {
            line.name = Some(entry.name.clone());
        }
        if let Ok(summary) = &mut line.outcome {
            summary.totals.take_listed_sport(&entry.kind);
        }
        return;
    }
}

/// The `inspect --json` object of one line (interfaces.md), in the contract's key order.
fn line_json(line: &Line) -> Vec<(&'static str, Value)> {
    let mut m = match &line.outcome {
        Ok(summary) => summary_fields(&line.file, summary),
        Err((format, error)) => {
            let mut e = Map::new();
            e.insert("kind".into(), json!(error.kind.as_str()));
            e.insert("message".into(), json!(error.message));
            if let Some(offset) = error.offset {
                e.insert("offset".into(), json!(offset));
            }
            vec![
                ("file", json!(line.file)),
                ("format", json!(format.map(Format::as_str))),
                ("ok", json!(false)),
                ("error", Value::Object(e)),
            ]
        }
    };
    if let Some(name) = &line.name {
        m.insert(1, ("name", json!(name)));
    }
    m
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {eta}") {
        bar.set_style(style);
    }
    bar
}

/// The table for people: one row per file, columns padded to their widest cell.
#[derive(Debug, Default)]
struct Table {
    rows: Vec<[String; 8]>,
}

impl Table {
    const HEADER: [&'static str; 8] =
        ["FILE", "FORMAT", "SPORT", "START (UTC)", "DISTANCE", "TIME", "RECORDS", "STATUS"];

    fn push(&mut self, line: &Line) {
        let file = match &line.name {
            Some(name) => format!("{} ({name})", line.file),
            None => line.file.clone(),
        };
        let row = match &line.outcome {
            Ok(s) => {
                let start = time_json(s.totals.start_time);
                let status = match s.warnings.len() {
                    0 => "ok".to_owned(),
                    n => format!(
                        "ok, {n} warning{}: {}",
                        if n == 1 { "" } else { "s" },
                        s.warnings[0].message
                    ),
                };
                [
                    file,
                    s.format.as_str().to_owned(),
                    s.totals.sport.clone(),
                    start
                        .as_str()
                        .map_or_else(|| "-".to_owned(), |t| t.replace('T', " ").replace('Z', "")),
                    s.totals
                        .distance_m
                        .map_or_else(|| "-".to_owned(), |d| format!("{:.2} km", d / 1000.0)),
                    s.totals.elapsed_s.map_or_else(|| "-".to_owned(), duration),
                    format!("{} ({} hr)", s.records, s.records_with_hr),
                    status,
                ]
            }
            Err((format, e)) => [
                file,
                format.map_or("-", Format::as_str).to_owned(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("{}: {}", e.kind, e.message),
            ],
        };
        self.rows.push(row);
    }

    fn write(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let mut widths = Self::HEADER.map(|h| h.chars().count());
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let header = Self::HEADER.map(str::to_owned);
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut text = String::new();
            for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
                if i + 1 == row.len() {
                    text.push_str(cell);
                } else {
                    let pad = w - cell.chars().count();
                    text.push_str(cell);
                    text.push_str(&" ".repeat(pad + 2));
                }
            }
            writeln!(out, "{}", text.trim_end())?;
        }
        Ok(())
    }
}

/// `h:mm:ss` of a number of seconds.
fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}
