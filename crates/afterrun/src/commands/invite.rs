//! `afterrun invite`: the operator makes a one-time sign-up invitation for a server started with
//! `serve --multi-user --signup invite`, and gets the sign-up page's address carrying it.
//!
//! The store keeps only the token's SHA-256; the printed address is the only copy of the token.

use std::process::ExitCode;

use afterrun_server::auth::{INVITE_LIFETIME_S, new_token};

use crate::db::{Session, now, store_error};

/// Arguments of `afterrun invite`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store: a file path or sqlite:PATH for SQLite, or a postgres://… URL
    /// [default: $AFTERRUN_DB, else $XDG_DATA_HOME/afterrun/afterrun.db]
    #[arg(long, value_name = "URL")]
    db: Option<String>,
}

/// Runs `afterrun invite`: prints `/signup?invite=TOKEN` (append it to the server's address).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let session = Session::open(args.db.as_deref())?;
    let (token, now) = (new_token(), now());
    let expires_at = now + INVITE_LIFETIME_S;
    session
        .block_on(session.store.create_invite(&token, None, now, expires_at))
        .map_err(store_error)?;
    session.close();
    println!("/signup?invite={token}");
    let until = afterrun_store::format_rfc3339(expires_at).unwrap_or_default();
    eprintln!("one sign-up, until {until}: append the line above to the server's address");
    Ok(ExitCode::SUCCESS)
}
