//! `afterrun plan`: not built yet.

use std::process::ExitCode;

/// Arguments of `afterrun plan`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `afterrun plan`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    Err(crate::exit::bad_input("`afterrun plan` is not available in this build yet"))
}
