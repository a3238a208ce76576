//! Exit codes of interfaces.md: 0 success, 1 internal error, 2 bad input, 3 partial success.

use std::fmt;
use std::process::ExitCode;

/// Success.
#[allow(dead_code)] // used as commands grow
pub const OK: u8 = 0;
/// An internal error (a bug).
pub const INTERNAL: u8 = 1;
/// Bad input: the message names the file or field and the reason.
pub const BAD_INPUT: u8 = 2;
/// Some inputs failed, the rest were processed.
#[allow(dead_code)] // used as commands grow
pub const PARTIAL: u8 = 3;

/// An error caused by the user's input; exits with code 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Shorthand for returning a [`BadInput`] error.
pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(message.into()))
}

/// Prints an error (if any) to stderr and turns the result into the process exit code.
pub fn report(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            if let Some(bad) = err.downcast_ref::<BadInput>() {
                eprintln!("afterrun: error: {bad}");
                ExitCode::from(BAD_INPUT)
            } else {
                eprintln!("afterrun: internal error: {err:#}");
                ExitCode::from(INTERNAL)
            }
        }
    }
}
