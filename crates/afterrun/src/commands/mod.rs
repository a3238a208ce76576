//! One module per subcommand; each has `Args` (clap) and `run(Args) -> anyhow::Result<ExitCode>`.

pub mod device;
pub mod guide;
pub mod inspect;
pub mod plan;
pub mod serve;
