//! One module per subcommand; each has `Args` (clap) and `run(Args) -> anyhow::Result<ExitCode>`.

pub mod device;
pub mod guide;
pub mod inspect;
pub mod plan;
pub mod activities;
pub mod checkin;
pub mod delete_athlete;
pub mod done;
pub mod export;
pub mod import;
pub mod profile;
pub mod serve;
pub mod status;
