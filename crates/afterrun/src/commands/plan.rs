//! `afterrun plan`: a check-in in (a JSON file, stdin, or flags), a recovery plan out.
//!
//! The command only assembles the check-in document and renders the engine's answer. The
//! document is the `--checkin` file (or `{}`), with each CHECK-IN FLAG replacing its field and
//! the clock's time filled in for a missing `now`; the engine then validates the whole of it,
//! so an error names the contract field. Output is the contract JSON (`--json`), or the same
//! plan worded for a person, and optionally an iCalendar file of its steps.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afterrun_protocol::History;
use serde_json::Value;

use crate::checkin_flags::{CheckinFlags, apply_patch};
use crate::exit::bad_input;

/// Arguments of `afterrun plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The check-in as JSON (interfaces.md): a file, or `-` for stdin. Flags override its fields
    #[arg(long, value_name = "FILE|-")]
    checkin: Option<PathBuf>,

    #[command(flatten)]
    flags: CheckinFlags,

    /// Print the plan as JSON (the contract of interfaces.md) instead of text
    #[arg(long)]
    json: bool,

    /// Also write the steps to FILE as calendar events (iCalendar), each with a reminder
    #[arg(long, value_name = "FILE")]
    ics: Option<PathBuf>,
}

/// Runs `afterrun plan`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let checkin = checkin_document(&args)?;
    let plan = afterrun_protocol::plan_json(&checkin, &History::default())
        .map_err(|e| bad_input(format!("invalid check-in: {e}")))?;
    if let Some(path) = &args.ics {
        let value: Value = serde_json::from_str(&plan)?;
        let ics = crate::ics::plan_to_ics(&value)?;
        std::fs::write(path, ics)
            .map_err(|e| bad_input(format!("--ics {}: cannot write: {e}", path.display())))?;
    }
    if args.json {
        write_stdout(&format!("{plan}\n"))?;
    } else {
        let value: Value = serde_json::from_str(&plan)?;
        let text = crate::render::plan_text::render(&value);
        let mut out = anstream::stdout();
        ignore_broken_pipe(out.write_all(text.as_bytes()).and_then(|()| out.flush()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The check-in document the engine gets, as JSON text.
fn checkin_document(args: &Args) -> anyhow::Result<String> {
    let (source, text) = match &args.checkin {
        Some(path) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| bad_input(format!("--checkin -: cannot read stdin: {e}")))?;
            ("stdin".to_owned(), Some(text))
        }
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                bad_input(format!("--checkin {}: cannot read: {e}", path.display()))
            })?;
            (path.display().to_string(), Some(text))
        }
        None => (String::new(), None),
    };
    let mut patches = match &args.flags.run_file {
        Some(path) => run_file_patches(path)?,
        None => Vec::new(),
    };
    // The flags come after the file's fields, so `--run-min` overrides the file's duration.
    patches.extend(args.flags.patches().map_err(|e| bad_input(e.to_string()))?);
    let mut doc = match &text {
        Some(t) => serde_json::from_str::<Value>(t).map_err(|e| {
            bad_input(format!("$: the check-in ({source}) is not a readable JSON document: {e}"))
        })?,
        None => Value::Object(serde_json::Map::new()),
    };
    let needs_now = doc.as_object().is_some_and(|m| m.get("now").is_none_or(Value::is_null))
        && args.flags.now.is_none();
    if let (Some(original), true, false) = (&text, patches.is_empty(), needs_now) {
        // Nothing to change: the engine reads the very bytes given, so its errors point there.
        return Ok(original.clone());
    }
    for (path, value) in patches {
        apply_patch(&mut doc, &path, value).map_err(|e| bad_input(e.to_string()))?;
    }
    if needs_now {
        apply_patch(&mut doc, &["now"], Value::String(clock_now()))
            .map_err(|e| bad_input(e.to_string()))?;
    }
    Ok(doc.to_string())
}

/// The `run` fields an activity file gives: distance, moving time, climb, heart rate, end.
fn run_file_patches(path: &Path) -> anyhow::Result<Vec<(Vec<&'static str>, Value)>> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| bad_input(format!("--run-file {shown}: cannot read: {e}")))?;
    let name = path.file_name().and_then(|n| n.to_str());
    let options = afterrun_activity::DecodeOptions { samples: false };
    let activity = afterrun_activity::decode(&bytes, name, &options)
        .map_err(|e| bad_input(format!("--run-file {shown}: {e}")))?;
    let summary = &activity.summary;
    for w in &summary.warnings {
        eprintln!("afterrun: note: --run-file {shown}: {}: {}", w.kind, w.message);
    }
    if !matches!(summary.sport.as_str(), "running" | "trail_running" | "unknown" | "generic") {
        eprintln!("afterrun: note: --run-file {shown}: the activity's sport is {}", summary.sport);
    }
    Ok(run_fields(summary, &path.display().to_string()))
}

/// The check-in's `run` fields from an activity summary; a value the file lacks is left out.
fn run_fields(summary: &afterrun_activity::Summary, file: &str) -> Vec<(Vec<&'static str>, Value)> {
    let round = |x: f64, places: i32| {
        let scale = 10f64.powi(places);
        serde_json::Number::from_f64((x * scale).round() / scale).map(Value::Number)
    };
    let mut out: Vec<(Vec<&'static str>, Value)> = Vec::new();
    let mut put = |key: &'static str, value: Option<Value>| {
        if let Some(v) = value {
            out.push((vec!["run", key], v));
        }
    };
    put("distance_km", summary.distance_m.and_then(|m| round(m / 1000.0, 3)));
    let moving = summary.timer_s.filter(|t| *t > 0.0).or(summary.elapsed_s);
    put("duration_min", moving.and_then(|s| round(s / 60.0, 1)));
    put("ascent_m", summary.ascent_m.and_then(|m| round(m, 0)));
    put("descent_m", summary.descent_m.and_then(|m| round(m, 0)));
    put("avg_hr", summary.avg_hr.and_then(|h| round(h, 0)));
    let end = summary.end_time.or_else(|| {
        let start = summary.start_time?;
        #[allow(clippy::cast_possible_truncation)] // seconds of one activity
        let elapsed = summary.elapsed_s? as i64;
        start.checked_add(elapsed)
    });
    let end = end.and_then(|t| jiff::Timestamp::from_second(t).ok());
    put("ended_at", end.map(|t| Value::String(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())));
    put("file", Some(Value::String(file.to_owned())));
    out
}

/// The clock's time, UTC, whole seconds, as the contract writes times.
fn clock_now() -> String {
    #[allow(clippy::disallowed_methods)] // the binary is where the clock is read
    let now = jiff::Timestamp::now();
    now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    ignore_broken_pipe(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// A reader that closed the pipe (`afterrun plan | head`) is not an error.
fn ignore_broken_pipe(result: std::io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
