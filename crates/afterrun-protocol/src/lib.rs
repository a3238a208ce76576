//! The recovery engine: a check-in in, a safe, timed, dosed plan out.
//!
//! Pure and deterministic: no clock, no files; `now` comes from the check-in.

pub mod checkin;
pub mod codes;
pub mod contra;
pub mod guide;
pub mod history;
pub mod json;
pub mod learn;
pub mod needs;
pub mod plan;
pub mod references;
pub mod region;
pub mod steps;
pub mod triage;

pub use checkin::{CheckIn, CheckInError, parse_checkin};
pub use history::History;
pub use json::plan_to_json;
pub use plan::Plan;
pub use steps::make_plan;

/// Parses a check-in, plans it and writes the plan's JSON, in one call.
pub fn plan_json(checkin_json: &str, history: &History) -> Result<String, CheckInError> {
    let checkin = parse_checkin(checkin_json)?;
    Ok(plan_to_json(&make_plan(&checkin, history)))
}
