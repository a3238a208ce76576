//! The `afterrun` binary: parses arguments, calls the library crates, maps errors to exit codes.
//!
//! Thin on purpose: one module per subcommand under `commands/`, logic in the crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod checkin_flags;
mod commands;
mod db;
mod exit;
mod lan;
mod render;
mod signals;
mod walk;
mod watch;

/// What to do for your legs after a run.
#[derive(Debug, Parser)]
#[command(name = "afterrun", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The web app and JSON API on this machine (http://127.0.0.1:8080 by default).
    Serve(commands::serve::Args),
    /// Make a one-time sign-up invitation for `serve --multi-user --signup invite`.
    Invite(commands::invite::Args),
    /// Make a timed recovery plan from a check-in.
    Plan(Box<commands::plan::Args>),
    /// Read the guide: what soreness is, massage, cramps, red flags...
    Guide(commands::guide::Args),
    /// Decode activity files, folders and archives and print their summaries.
    Inspect(commands::inspect::Args),
    /// Run a compression or vibration program in the simulator.
    Device(commands::device::Args),
    /// Import activity files, folders and archives into the store.
    Import(commands::import::Args),
    /// Show or change your profile: equipment, conditions, clearances, volume, thresholds.
    Profile(Box<commands::profile::Args>),
    /// Save a check-in in the store and print its plan (asks on a terminal when no flags).
    Checkin(Box<commands::checkin::Args>),
    /// Mark a step of a stored plan done.
    Done(commands::done::Args),
    /// List the stored activities, oldest first.
    Activities(commands::activities::Args),
    /// Everything stored about an athlete, as one JSON document.
    Export(commands::export::Args),
    /// Delete an athlete and all their data (needs --yes).
    DeleteAthlete(commands::delete_athlete::Args),
    /// Training load today (fitness, fatigue, form, ACWR) and the muscle soreness forecast.
    Status(commands::status::Args),
    /// Across runners: how often each recovery step was followed by less soreness than forecast.
    Insights(commands::insights::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => commands::serve::run(args),
        Command::Invite(args) => commands::invite::run(args),
        Command::Plan(args) => commands::plan::run(*args),
        Command::Guide(args) => commands::guide::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Device(args) => commands::device::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Profile(args) => commands::profile::run(*args),
        Command::Checkin(args) => commands::checkin::run(*args),
        Command::Done(args) => commands::done::run(args),
        Command::Activities(args) => commands::activities::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::DeleteAthlete(args) => commands::delete_athlete::run(args),
        Command::Status(args) => commands::status::run(args),
        Command::Insights(args) => commands::insights::run(args),
    };
    exit::report(result)
}
