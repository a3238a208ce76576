//! `afterrun serve --demo`: a demo athlete, so a newcomer sees a living app at once.
//!
//! The history is generated here, deterministically from `now`: a profile, then two weeks of
//! check-ins after runs of a marathon block (long runs, hills, an easy day), each planned by the
//! engine exactly as a real check-in would be, with most steps of the older plans marked done.
//! Activities (and so the status page) are not part of it yet: they need the synthetic run
//! generator of the activity and load crates.

use afterrun_protocol::History;
use afterrun_store::{Profile, Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::views::utc;
use crate::web::PERSONAL_ATHLETE;

/// One demo day: days before `now`, the run, soreness and symptoms.
struct Day {
    days_ago: i64,
    run: Value,
    soreness: Value,
    symptoms: Value,
}

fn days() -> Vec<Day> {
    let long = |km: f64, min: f64, descent: f64, rpe: f64| json!({"distance_km": km, "duration_min": min, "ascent_m": descent, "descent_m": descent, "rpe": rpe});
    vec![
        Day {
            days_ago: 13,
            run: long(28.0, 150.0, 180.0, 7.0),
            soreness: json!({"quads": 5, "calves": 4}),
            symptoms: json!([]),
        },
        Day {
            days_ago: 11,
            run: long(10.0, 55.0, 40.0, 4.0),
            soreness: json!({"calves": 2}),
            symptoms: json!([]),
        },
        Day {
            days_ago: 9,
            run: long(14.0, 75.0, 420.0, 8.0),
            soreness: json!({"quads": 6, "glutes": 3}),
            symptoms: json!([{"code": "dull_ache", "region": "quads", "since_hours": 20, "trend": "stable", "after": "none"}]),
        },
        Day {
            days_ago: 6,
            run: long(32.0, 170.0, 220.0, 8.0),
            soreness: json!({"quads": 6, "calves": 5, "hamstrings": 3}),
            symptoms: json!([{"code": "dull_ache", "region": "quads", "since_hours": 18, "trend": "improving", "after": "none"}]),
        },
        Day {
            days_ago: 4,
            run: long(12.0, 62.0, 60.0, 5.0),
            soreness: json!({"calves_left": 4, "calves_right": 2}),
            symptoms: json!([]),
        },
        Day {
            days_ago: 2,
            run: long(21.1, 105.0, 380.0, 8.0),
            soreness: json!({"quads": 7, "calves": 4}),
            symptoms: json!([{"code": "dull_ache", "region": "quads", "since_hours": 22, "trend": "improving", "after": "none"}]),
        },
        Day {
            days_ago: 0,
            run: long(8.0, 45.0, 30.0, 3.0),
            soreness: json!({"quads": 3}),
            symptoms: json!([]),
        },
    ]
}

/// The demo profile.
fn profile() -> Profile {
    Profile {
        age: Some(36),
        sex: Some("female".to_owned()),
        weekly_km: Some(62.0),
        goal: Some("marathon".to_owned()),
        equipment: Some(vec![
            "foam_roller".to_owned(),
            "massage_gun".to_owned(),
            "compression_boots".to_owned(),
        ]),
        conditions: Some(Vec::new()),
        budget: Some("medium".to_owned()),
        ..Profile::default()
    }
}

/// Seeds the demo athlete unless they already have plans; how many plans were stored.
pub async fn seed_demo(store: &Store, now: Timestamp) -> Result<usize, StoreError> {
    let now_s = now.as_second();
    let athlete = store.ensure_athlete(PERSONAL_ATHLETE, now_s).await?;
    if !store.plans(athlete).await?.is_empty() {
        return Ok(0);
    }
    let profile = profile();
    store.set_profile(athlete, &profile).await?;
    let athlete_json = serde_json::to_value(&profile).unwrap_or(Value::Null);
    let mut stored = 0;
    for day in days() {
        // Check-ins at 08:30 UTC on the day, the run having ended an hour before.
        let base = now.checked_sub(SignedDuration::from_hours(24 * day.days_ago)).unwrap_or(now);
        let at = base.min(now);
        let mut run = day.run;
        if let Some(ended) = at.checked_sub(SignedDuration::from_hours(1)).ok().map(utc) {
            run["ended_at"] = json!(ended);
        }
        let checkin = json!({
            "now": utc(at),
            "athlete": athlete_json,
            "run": run,
            "soreness": day.soreness,
            "symptoms": day.symptoms,
            "next_run_at": utc(at.checked_add(SignedDuration::from_hours(24)).unwrap_or(at)),
        });
        let Ok(plan_text) = afterrun_protocol::plan_json(&checkin.to_string(), &History::default())
        else {
            continue;
        };
        let Ok(plan) = serde_json::from_str::<Value>(&plan_text) else { continue };
        let steps = plan["steps"].as_array().map_or(0, Vec::len);
        let checkin_id =
            store.save_checkin(athlete, at.as_second(), &checkin, at.as_second()).await?;
        let plan_id = store
            .save_plan(checkin_id, at.as_second(), &plan, u32::try_from(steps).unwrap_or(0))
            .await?;
        stored += 1;
        // Older plans were followed, mostly: every step but the last done.
        if day.days_ago > 0 {
            for step in 0..steps.saturating_sub(1) {
                let done_at = at.as_second() + 900 * i64::try_from(step).unwrap_or(0);
                store
                    .mark_done(athlete, Some(plan_id), u32::try_from(step).unwrap_or(0), done_at)
                    .await?;
            }
        }
    }
    Ok(stored)
}
