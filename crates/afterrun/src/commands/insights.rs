//! `afterrun insights`: across the stored athletes, how often each recovery step was followed by
//! less soreness than forecast (the guide's "X% of users reported improvement"), with a Wilson
//! 95 % interval; and, for `status`, "what works for you".
//!
//! The figures are an association between doing a step and feeling better at the next check-in,
//! never proof that the step caused it; the text says so. In multi-user mode (more than one
//! athlete stored, or `--multi-user`) a figure is shown only when at least
//! [`MIN_RUNNERS`] runners contribute to it, so no one can be singled out. The JSON shape is
//! documented in `docs/insights.md`.

use std::process::ExitCode;

use afterrun_protocol::outcome::SessionOutcome;
use afterrun_service::insights::{insights_json, insights_text};

use crate::db::{Session, location, store_error};

/// Arguments of `afterrun insights`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store: a file path or sqlite:PATH for SQLite, or a postgres://… URL
    /// [default: $AFTERRUN_DB, else $XDG_DATA_HOME/afterrun/afterrun.db]
    #[arg(long, value_name = "URL")]
    db: Option<String>,

    /// Print the figures as JSON (shape in docs/insights.md) instead of text
    #[arg(long)]
    json: bool,

    /// Show only figures over at least 10 runners even when one athlete is stored
    #[arg(long)]
    multi_user: bool,
}

/// Runs `afterrun insights`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let session = Session::open(args.db.as_deref())?;
    let all = session
        .block_on(afterrun_service::history::all_outcomes(&session.store))
        .map_err(crate::db::service_error)?;
    let athletes = session.block_on(session.store.athletes()).map_err(store_error)?.len();
    session.close();
    let multi_user = args.multi_user || athletes > 1;
    let runners: Vec<Vec<SessionOutcome>> = all.into_iter().map(|(_, v)| v).collect();
    let doc = insights_json(&runners, multi_user);
    let text =
        if args.json { format!("{}\n", serde_json::to_string(&doc)?) } else { insights_text(&doc) };
    super::print_styled(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The guide's figures for the given modality codes, as lines of text, when the store (`--db`,
/// `AFTERRUN_DB` or the default file, only if it already exists) has figures for them.
pub fn guide_lines(db: Option<&str>, modalities: &[&str]) -> Vec<String> {
    let Ok(loc) = location(db) else { return Vec::new() };
    if let afterrun_store::Location::Sqlite(path) = &loc
        && !path.exists()
    {
        return Vec::new();
    }
    let Ok(session) = Session::open(db) else { return Vec::new() };
    let all = session
        .block_on(afterrun_service::history::all_outcomes(&session.store))
        .unwrap_or_default();
    let athletes = session.block_on(session.store.athletes()).map(|a| a.len()).unwrap_or(0);
    session.close();
    let runners: Vec<Vec<SessionOutcome>> = all.into_iter().map(|(_, v)| v).collect();
    let doc = insights_json(&runners, athletes > 1);
    doc.modalities
        .iter()
        .filter(|m| modalities.contains(&m.modality.code()))
        .map(afterrun_service::insights::FigureDoc::sentence)
        .collect()
}
