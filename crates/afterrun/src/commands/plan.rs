//! `afterrun plan`: a check-in in (a JSON file, stdin, or flags), a recovery plan out.
//!
//! The command only assembles the check-in document and renders the engine's answer. The
//! document is the `--checkin` file (or `{}`), with each CHECK-IN FLAG replacing its field and
//! the clock's time filled in for a missing `now`; the engine then validates the whole of it,
//! so an error names the contract field. Output is the contract JSON (`--json`), or the same
//! plan worded for a person, and optionally an iCalendar file of its steps.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
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
    let patches = args.flags.read_patches()?;
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
