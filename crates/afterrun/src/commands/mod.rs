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

use std::io::Write;

/// Prints a command's output as it is (JSON, or text without styles).
pub fn print(text: &str) -> anyhow::Result<()> {
    write_out(&mut std::io::stdout().lock(), text)
}

/// Prints text with styles; `anstream` drops them when stdout is not a terminal, unless forced.
pub fn print_styled(text: &str) -> anyhow::Result<()> {
    write_out(&mut anstream::stdout(), text)
}

/// Writes and flushes. A reader that closed the pipe (`afterrun status | head`) is not an error.
fn write_out(out: &mut impl Write, text: &str) -> anyhow::Result<()> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
