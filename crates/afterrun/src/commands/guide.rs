//! `afterrun guide`: not built yet.

use std::process::ExitCode;

/// Arguments of `afterrun guide`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `afterrun guide`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    Err(crate::exit::bad_input("`afterrun guide` is not available in this build yet"))
}
