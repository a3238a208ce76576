//! `afterrun plan`: a check-in in (a JSON file, stdin, or flags), a recovery plan out.
//!
//! The command only assembles the check-in document and renders the engine's answer. The
//! document is the `--checkin` file (or `{}`), with each CHECK-IN FLAG replacing its field and
//! the clock's time filled in for a missing `now`; the engine then validates the whole of it,
//! so an error names the contract field. Output is the contract JSON (`--json`), or the same
//! plan worded for a person, and optionally an iCalendar file of its steps.
//!
//! With `--checkin` the command is a pure function of its input and touches no database
//! (interfaces.md). Without it, the store gives what a check-in file would: with no check-in
//! flags, the athlete's latest stored check-in; with flags, a new check-in made of them. Either
//! way the stored profile fills the athlete fields the check-in leaves out, and the athlete's
//! stored history (load, forecast, earlier ratings, outcomes) personalizes the plan.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use afterrun_protocol::History;
use serde_json::Value;

use crate::checkin_flags::{CheckinFlags, Patch, apply_patch};
use crate::db::DbArgs;
use crate::exit::bad_input;

/// Arguments of `afterrun plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The check-in as JSON (interfaces.md): a file, or `-` for stdin. Flags override its fields
    #[arg(long, value_name = "FILE|-")]
    checkin: Option<PathBuf>,

    #[command(flatten)]
    flags: CheckinFlags,

    #[command(flatten)]
    db: DbArgs,

    /// Print the plan as JSON (the contract of interfaces.md) instead of text
    #[arg(long)]
    json: bool,

    /// Also write the steps to FILE as calendar events (iCalendar), each with a reminder
    #[arg(long, value_name = "FILE")]
    ics: Option<PathBuf>,
}

/// Runs `afterrun plan`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let patches = args.flags.read_patches()?;
    let ((checkin, filled_in), history) = if args.checkin.is_some() {
        (checkin_document(&args, read_checkin_file(&args)?, patches)?, History::default())
    } else {
        let db = args.db.db.as_deref();
        let base = if patches.is_empty() {
            let latest =
                crate::db::latest_checkin_with_profile(db, &args.db.athlete)?.ok_or_else(|| {
                    bad_input(format!(
                        "no check-in stored for athlete {:?}: give --checkin FILE or check-in \
                         flags (--sore, --symptom, ...), or run `afterrun checkin`",
                        args.db.athlete
                    ))
                })?;
            ("the latest stored check-in".to_owned(), latest)
        } else {
            (
                "the stored profile".to_owned(),
                crate::db::stored_profile_document(db, &args.db.athlete)?,
            )
        };
        let checkin = checkin_document(&args, Some(base), patches)?;
        let history = crate::db::plan_history(db, &args.db.athlete, &checkin.0)?;
        (checkin, history)
    };
    let plan = afterrun_protocol::plan_doc_noting(&checkin, &history, &filled_in)
        .map_err(|e| bad_input(format!("invalid check-in: {e}")))?;
    if let Some(path) = &args.ics {
        let ics = afterrun_service::ics::plan_to_ics(&plan, &locale(&args));
        std::fs::write(path, ics)
            .map_err(|e| bad_input(format!("--ics {}: cannot write: {e}", path.display())))?;
    }
    if args.json {
        super::print(&format!("{}\n", plan.to_json()))?;
    } else {
        let text = crate::render::plan_text::render(&plan, &locale(&args));
        super::print_styled(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The stored athlete's zone and units; with `--checkin FILE`, which never touches a store, the
/// computer's zone (`TZ`) and km.
fn locale(args: &Args) -> afterrun_service::locale::Locale {
    let computer = || afterrun_service::locale::Locale::of(&afterrun_store::Profile::default());
    if args.checkin.is_some() {
        return computer();
    }
    crate::db::stored_locale(args.db.db.as_deref(), &args.db.athlete).unwrap_or_else(|_| computer())
}

/// The `--checkin` document as `(where it came from, its text)`, when one is given.
fn read_checkin_file(args: &Args) -> anyhow::Result<Option<(String, String)>> {
    Ok(match &args.checkin {
        Some(path) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| bad_input(format!("--checkin -: cannot read stdin: {e}")))?;
            Some(("stdin".to_owned(), text))
        }
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                bad_input(format!("--checkin {}: cannot read: {e}", path.display()))
            })?;
            Some((path.display().to_string(), text))
        }
        None => None,
    })
}

/// The check-in document the engine gets, as JSON text: the base document (or `{}`) with the
/// flags' patches applied, the clock's time filled in for a missing `now` and the run's end
/// for run flags without `--run-ended`; with the assumptions that says so.
fn checkin_document(
    args: &Args,
    base: Option<(String, String)>,
    patches: Vec<Patch>,
) -> anyhow::Result<(String, Vec<String>)> {
    let (source, text) = match base {
        Some((source, text)) => (source, Some(text)),
        None => (String::new(), None),
    };
    let mut doc = match &text {
        Some(t) => serde_json::from_str::<Value>(t).map_err(|e| {
            bad_input(format!("$: the check-in ({source}) is not a readable JSON document: {e}"))
        })?,
        None => Value::Object(serde_json::Map::new()),
    };
    let needs_now = doc.is_object()
        && afterrun_protocol::checkin::stated_now(&doc).is_none()
        && args.flags.now.is_none();
    if let (Some(original), true, false) = (&text, patches.is_empty(), needs_now) {
        // Nothing to change: the engine reads the very bytes given, so its errors point there.
        return Ok((original.clone(), Vec::new()));
    }
    for (path, value) in patches {
        apply_patch(&mut doc, &path, value).map_err(|e| bad_input(e.to_string()))?;
    }
    let mut filled_in = Vec::new();
    if needs_now {
        let now = clock_now();
        filled_in.push(format!("now not given: the clock's time, {now}, was used"));
        apply_patch(&mut doc, &["now"], Value::String(now))
            .map_err(|e| bad_input(e.to_string()))?;
    }
    filled_in.extend(crate::checkin_flags::fill_run_end(&mut doc, &args.flags));
    Ok((doc.to_string(), filled_in))
}

/// The clock's time, UTC, whole seconds, as the contract writes times.
fn clock_now() -> String {
    #[allow(clippy::disallowed_methods)] // the binary is where the clock is read
    let now = jiff::Timestamp::now();
    now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
