//! The afterrun use cases that the CLI and the web server share, over an [`afterrun_store::Store`].
//!
//! The parsers, the load model and the planner are pure crates; the store is IO. What joins
//! them for one athlete lives here, once, so `afterrun status` and the web status page, or
//! `afterrun import` and the web upload, cannot drift apart:
//! - [`import`]: a file's bytes → decoded activity → load → stored row and its `import --json`
//!   line (the CLI adds the walking of folders, threads and progress bars; the server adds
//!   the upload);
//! - [`history`]: the store's rows → the load model's inputs → the planner's `History`
//!   (the athlete's own load, soreness forecast and what has helped them), and outcomes;
//! - [`status`]: the `status --json` document and its text; [`chart`]: its SVG chart;
//! - [`insights`]: the population figures and "what works for you".
//!
//! Functions that read the store are `async` and take `&Store`; everything they compute is a
//! pure function beside them, tested without a database. The clock is always an argument.

pub mod chart;
pub mod checkin;
mod escape;
pub mod history;
pub mod ics;
pub mod import;
pub mod insights;
pub mod locale;
pub mod profile;
pub mod refresh;
pub mod status;
pub mod stored_load;
pub mod summary_json;
pub mod synthetic;
pub mod words;

/// Why a use case failed: the store, or the load model (an input out of its range).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The store failed or refused (missing athlete, plan, step…).
    #[error(transparent)]
    Store(#[from] afterrun_store::StoreError),
    /// The load model refused its input.
    #[error("load model: {0}")]
    Load(#[from] afterrun_load::LoadError),
}

/// An RFC 3339 time (any offset, fractions allowed) as Unix seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    text.trim().parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}
