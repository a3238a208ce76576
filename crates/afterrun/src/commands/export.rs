//! `afterrun export`: everything stored about an athlete as one JSON document (their data is
//! theirs). Original files are named by their SHA-256; they stay in the store.

use std::io::Write as _;
use std::process::ExitCode;

use crate::db::{DbArgs, Session, store_error};

/// Arguments of `afterrun export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,
}

/// Runs `afterrun export`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let session = Session::open(args.db.db.as_deref())?;
    session.existing_athlete(&args.db.athlete)?;
    let export =
        session.block_on(session.store.export(args.db.athlete.trim())).map_err(store_error)?;
    session.close();
    let text = serde_json::to_string(&export)?;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(ExitCode::SUCCESS)
}
