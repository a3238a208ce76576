//! `afterrun done STEP`: marks a step of a stored plan done (the latest plan by default).

use std::process::ExitCode;

use crate::db::{DbArgs, now, store_error};

/// Arguments of `afterrun done`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The step's index in the plan, from 0 (as in `plan --json`)
    #[arg(value_name = "STEP")]
    step: u32,

    /// The plan's id [default: the latest plan]
    #[arg(long, value_name = "ID")]
    plan: Option<i64>,

    #[command(flatten)]
    db: DbArgs,
}

/// Runs `afterrun done`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (session, athlete) = args.db.open_existing()?;
    let plan = session
        .block_on(session.store.mark_done(athlete, args.plan, args.step, now()))
        .map_err(store_error)?;
    session.close();
    eprintln!("step {} of plan {plan} marked done", args.step);
    Ok(ExitCode::SUCCESS)
}
