//! One module per subcommand; each has `Args` (clap) and `run(Args) -> anyhow::Result<ExitCode>`.

pub mod activities;
pub mod checkin;
pub mod delete_athlete;
pub mod device;
pub mod done;
pub mod export;
pub mod guide;
pub mod import;
pub mod insights;
pub mod inspect;
pub mod invite;
pub mod plan;
pub mod profile;
pub mod serve;
pub mod status;
