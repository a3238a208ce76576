//! The recovery engine: a check-in in, a safe, timed, dosed plan out.
//!
//! Pure and deterministic: no clock, no files; `now` comes from the check-in.
//!
//! # Use
//! ```
//! use afterrun_protocol::{History, make_plan, parse_checkin};
//! let checkin = parse_checkin(r#"{"now":"2026-11-23T08:30:00Z","soreness":{"quads":5}}"#)?;
//! let plan = make_plan(&checkin, &History::default());
//! assert!(plan.to_json().starts_with(r#"{"generated_at":"2026-11-23T08:30:00Z""#));
//! # Ok::<(), afterrun_protocol::CheckInError>(())
//! ```
//!
//! # Order of evaluation (protocol.md §1)
//! 1. [`checkin`]: validation. Every error names its field as a JSON path and what is allowed;
//!    unknown fields are errors too, so a typo cannot silently drop a red flag.
//! 2. [`triage`]: red flags decide the level and block modalities. Missing `after` and
//!    `since_hours` are evaluated existentially (a rule holds if any value of the missing field
//!    would make it hold), which equals "try every value, keep the highest level"; a missing
//!    `trend` is `worsening`.
//! 3. [`contra`]: the contraindication table adds blocks (a clearance lifts relative rows only).
//! 4. [`needs`]: target muscle groups from soreness, the run and the history's forecast.
//! 5. [`steps`]: modality choice, timing and doses; every step's targets are trimmed against the
//!    blocks of its modality, so no step can touch a blocked region.
//! 6. [`doc`]: the plan's types. The planner builds the contract's document, [`PlanDoc`],
//!    directly; every reader reads the same type back.
//!
//! # Serialization
//! The check-in's domain type ([`CheckIn`]) is not `Serialize`. The check-in is read strictly into a
//! borrowed JSON tree (`strict`: a plain document by a small reader of its own, anything else
//! through serde_json; no key twice, strings borrowed from the text, a field's path written only
//! for an error) and validated by hand (for field paths in errors); the plan is a
//! [`PlanDoc`] (`Serialize` and `Deserialize`, field order the contract's, its sentences
//! `Cow<'static, str>` borrowed from the planner's tables), which is what every reader of a
//! stored or served plan reads back. [`PlanDoc::to_json`] writes it by hand (`doc_json`), the
//! bytes serde_json would write, into one pre-sized buffer. No hash map is iterated
//! anywhere on the way out, so the same check-in and history give the same bytes.
//!
//! # History
//! [`History`] carries what the store and the load model know (earlier compression sessions,
//! soreness ratings, the last hard run, the soreness forecast, ACWR and monotony). With
//! `History::default()` every rule falls back to its safe default and the plan says so in
//! `assumptions`.

pub mod checkin;
mod civil;
pub mod codes;
mod compact;
pub mod contra;
pub mod doc;
mod doc_json;
pub mod effect;
pub mod guide;
pub mod history;
pub mod learn;
pub mod needs;
pub mod outcome;
pub mod references;
pub mod region;
pub mod rng;
pub mod steps;
mod strict;
pub mod triage;

pub use checkin::{CheckIn, CheckInError, parse_checkin};
pub use doc::PlanDoc;
pub use history::History;
pub use steps::make_plan;

/// Parses a check-in, plans it and writes the plan's JSON, in one call.
pub fn plan_json(checkin_json: &str, history: &History) -> Result<String, CheckInError> {
    plan_doc_noting(checkin_json, history, &[]).map(|doc| doc.to_json())
}

/// Parses a check-in and plans it, with what the caller filled in for missing input (the
/// clock's time for `now`, a run's end taken as `now`) listed first in the plan's
/// `assumptions`.
pub fn plan_doc_noting(
    checkin_json: &str,
    history: &History,
    filled_in: &[String],
) -> Result<PlanDoc, CheckInError> {
    Ok(plan_checkin_noting(&parse_checkin(checkin_json)?, history, filled_in))
}

/// Plans a parsed check-in, with what the caller filled in listed first in `assumptions`.
pub fn plan_checkin_noting(checkin: &CheckIn, history: &History, filled_in: &[String]) -> PlanDoc {
    let mut plan = make_plan(checkin, history);
    if !filled_in.is_empty() {
        plan.assumptions.splice(0..0, filled_in.iter().map(|s| doc::Text::from(s.clone())));
    }
    plan
}
