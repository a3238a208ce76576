//! `afterrun inspect`: not built yet.

use std::process::ExitCode;

/// Arguments of `afterrun inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `afterrun inspect`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    Err(crate::exit::bad_input("`afterrun inspect` is not available in this build yet"))
}
