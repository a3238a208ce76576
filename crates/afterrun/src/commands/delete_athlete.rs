//! `afterrun delete-athlete NAME --yes`: deletes the athlete and every row about them.
//!
//! Without `--yes` it refuses (exit 2): there is no undo.

use std::process::ExitCode;

use crate::db::{Session, store_error};
use crate::exit::bad_input;

/// Arguments of `afterrun delete-athlete`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The athlete to delete
    #[arg(value_name = "NAME")]
    name: String,

    /// The store: a file path or sqlite:PATH for SQLite, or a postgres://… URL
    /// [default: $AFTERRUN_DB, else $XDG_DATA_HOME/afterrun/afterrun.db]
    #[arg(long, value_name = "URL")]
    db: Option<String>,

    /// Confirm: every activity, check-in, plan and outcome of NAME is deleted, with no undo
    #[arg(long)]
    yes: bool,
}

/// Runs `afterrun delete-athlete`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let name = args.name.trim();
    if !args.yes {
        return Err(bad_input(format!(
            "delete-athlete: refusing to delete {name:?} without --yes (this deletes every \
             activity, check-in, plan and outcome of that athlete, with no undo)"
        )));
    }
    let session = Session::open(args.db.as_deref())?;
    let deleted = session.block_on(session.store.delete_athlete(name)).map_err(store_error)?;
    session.close();
    if !deleted {
        return Err(bad_input(format!("delete-athlete: no athlete named {name:?} in the store")));
    }
    eprintln!("deleted athlete {name:?} and all their data");
    Ok(ExitCode::SUCCESS)
}
