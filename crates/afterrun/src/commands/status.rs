//! `afterrun status`: what the stored runs did, today. Fitness, fatigue and form with what they
//! mean, the acute:chronic ratio with its band, monotony, the week's volume, and the soreness
//! forecast per muscle group; as text, as the contract's JSON (`--json`), and as an SVG chart
//! (`--plot`).
//!
//! The numbers come from `afterrun-load` over the loads stored at import ([`crate::history`]);
//! this module only chooses the date and the moment, and renders.

use std::path::PathBuf;
use std::process::ExitCode;

use afterrun_service::history::utc_date;
use afterrun_service::status::{moment, status_report, status_text};
use jiff::civil::Date;

use crate::db::{DbArgs, service_error};
use crate::exit::bad_input;

/// Arguments of `afterrun status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,

    /// Print the status as JSON (the contract of interfaces.md) instead of text
    #[arg(long)]
    json: bool,

    /// Also draw fitness, fatigue, form and the muscle forecast to FILE as an SVG chart
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,

    /// The UTC date to report for, YYYY-MM-DD [default: today]; a past date forecasts
    /// soreness at its last second
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

/// Runs `afterrun status`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let clock = crate::db::now();
    let today = utc_date(clock).ok_or_else(|| anyhow::anyhow!("the clock is out of range"))?;
    let as_of = match &args.as_of {
        Some(text) => text.trim().parse::<Date>().map_err(|e| {
            bad_input(format!("--as-of {text:?}: not a date in the form YYYY-MM-DD: {e}"))
        })?,
        None => today,
    };
    let now = moment(as_of, today, clock);

    let (session, athlete) = args.db.open()?;
    let report = session.block_on(status_report(&session.store, athlete, as_of, now));
    session.close();
    let report = report.map_err(service_error)?;
    if let Some(path) = &args.plot {
        let svg = afterrun_service::chart::status::status_chart(&report.status, &report.forecast);
        std::fs::write(path, svg)
            .map_err(|e| bad_input(format!("--plot {}: cannot write: {e}", path.display())))?;
    }
    let text = if args.json {
        let mut t = report.to_json().to_string();
        t.push('\n');
        t
    } else {
        let mut t = status_text(&report.status, &report.forecast, &report.inputs);
        t.push_str(&afterrun_service::insights::what_works_text(&report.what_works));
        t
    };
    super::print(&text)?;
    Ok(ExitCode::SUCCESS)
}
