//! A check-in becomes a stored plan: the one path the CLI's `checkin`, the web check-in form
//! and `POST /api/athletes/{id}/checkins` share.
//!
//! The stored profile fills what the check-in leaves out ([`merge_profile`]); the planner gets
//! the athlete's own [`History`](afterrun_protocol::History) at the check-in's `now` (their
//! load, soreness forecast and what has helped them); the check-in and its plan are saved, and
//! the athlete's outcomes are rewritten, since this check-in may be an earlier plan's outcome.

use afterrun_protocol::CheckInError;
use afterrun_store::{Id, Profile, Store};
use serde_json::{Map, Value};

use crate::ServiceError;

/// Fills the check-in's `athlete` fields that it leaves out from the stored profile (the
/// check-in's own values win: they are newer; a `null` counts as left out). Thresholds belong
/// to the load model, not to the check-in's athlete object.
pub fn merge_profile(checkin: &mut Value, profile: &Profile) {
    let Ok(Value::Object(stored)) = serde_json::to_value(profile) else {
        return;
    };
    let Some(doc) = checkin.as_object_mut() else {
        return;
    };
    let athlete = doc.entry("athlete").or_insert_with(|| Value::Object(Map::new()));
    if athlete.is_null() {
        *athlete = Value::Object(Map::new());
    }
    if let Some(athlete) = athlete.as_object_mut() {
        for (key, value) in stored {
            // Thresholds, time zone, units and the load model's settings are the profile's
            // own; a check-in's athlete takes only what the planner reads.
            let planner_reads = afterrun_protocol::checkin::ATHLETE_KEYS.contains(&key.as_str());
            if !planner_reads || matches!(key.as_str(), "max_hr" | "rest_hr") {
                continue;
            }
            if athlete.get(&key).is_none_or(Value::is_null) {
                athlete.insert(key, value);
            }
        }
    }
}

/// A saved check-in and its plan.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The stored check-in's id.
    pub checkin_id: Id,
    /// The stored plan's id.
    pub plan_id: Id,
    /// The plan as the contract's JSON text (byte-identical to `plan --json`).
    pub plan_text: String,
    /// The same plan, typed.
    pub plan: afterrun_protocol::PlanDoc,
}

/// Why a check-in was not planned.
#[derive(Debug, thiserror::Error)]
pub enum CheckinError {
    /// The check-in is invalid (the field and the reason).
    #[error("invalid check-in: {0}")]
    Invalid(CheckInError),
    /// The store or the load model failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<afterrun_store::StoreError> for CheckinError {
    fn from(e: afterrun_store::StoreError) -> CheckinError {
        CheckinError::Service(ServiceError::Store(e))
    }
}

/// Plans the check-in document `doc` for `athlete` with their history, and stores both.
///
/// `doc` is used as given (merge the profile first with [`merge_profile`] when wanted); its
/// `now` is the check-in's time. Nothing is stored when the check-in is
/// invalid.
pub async fn checkin_and_plan(
    store: &Store,
    athlete: Id,
    doc: &Value,
    saved_at: i64,
) -> Result<Planned, CheckinError> {
    checkin_and_plan_noting(store, athlete, doc, saved_at, &[]).await
}

/// [`checkin_and_plan`], with what the caller filled in for missing input listed first in the
/// plan's `assumptions` ([`afterrun_protocol::plan_checkin_noting`]).
pub async fn checkin_and_plan_noting(
    store: &Store,
    athlete: Id,
    doc: &Value,
    saved_at: i64,
    filled_in: &[String],
) -> Result<Planned, CheckinError> {
    let checkin =
        afterrun_protocol::parse_checkin(&doc.to_string()).map_err(CheckinError::Invalid)?;
    let when = checkin.now.as_second();
    // A `now` centuries away from the stored runs is no error: the series leaves out what it
    // cannot hold (`history::status_and_forecast`).
    let history = crate::history::history_for(store, athlete, when).await?;
    let plan = afterrun_protocol::plan_checkin_noting(&checkin, &history, filled_in);
    let plan_text = plan.to_json();
    let steps = plan.steps.len();
    let checkin_id = store.save_checkin(athlete, when, doc, saved_at).await?;
    let plan_id =
        store.save_plan(checkin_id, when, &plan, u32::try_from(steps).unwrap_or(u32::MAX)).await?;
    crate::history::store_outcomes(store, athlete).await?;
    Ok(Planned { checkin_id, plan_id, plan_text, plan })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn profile_fills_only_what_the_checkin_leaves_out() {
        let profile = Profile {
            age: Some(34),
            weekly_km: Some(70.0),
            equipment: Some(vec!["bike".into()]),
            max_hr: Some(188),
            ..Default::default()
        };
        let mut doc =
            json!({"now": "2026-11-23T08:30:00Z", "athlete": {"weekly_km": 40, "age": null}});
        merge_profile(&mut doc, &profile);
        assert_eq!(doc["athlete"]["weekly_km"], 40, "the check-in's own value wins");
        assert_eq!(doc["athlete"]["age"], 34, "a null counts as missing");
        assert_eq!(doc["athlete"]["equipment"], json!(["bike"]));
        assert!(doc["athlete"].get("max_hr").is_none(), "thresholds stay out of the check-in");

        let mut bare = json!({"now": "2026-11-23T08:30:00Z"});
        merge_profile(&mut bare, &Profile::default());
        assert_eq!(bare["athlete"], json!({}));
    }
}
