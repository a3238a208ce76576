//! `afterrun device`: not built yet.

use std::process::ExitCode;

/// Arguments of `afterrun device`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `afterrun device`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    Err(crate::exit::bad_input("`afterrun device` is not available in this build yet"))
}
