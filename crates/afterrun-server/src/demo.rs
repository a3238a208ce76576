//! `afterrun serve --demo`: a demo athlete with a living history, so a newcomer sees the whole
//! app at once — status chart, ACWR, soreness forecast, plans, "what works for you".
//!
//! Everything is generated here, deterministically from `now` and a fixed seed, and goes in
//! through the same paths as a real athlete's data:
//! - 90 days of a marathon block ([`afterrun_service::synthetic::training_block`]), each run a
//!   GPX file imported by the real decoder and load model;
//! - a check-in 90 minutes after every run: the soreness is the load model's own forecast for
//!   that moment (from the reports so far, as the learner computes it), lowered by the recovery steps done after the previous check-in (the demo's
//!   invented "truth", [`DEMO_EFFECTS`]) plus noise — so the outcomes and the learner have
//!   something real to find;
//! - each check-in planned by the engine with the athlete's history
//!   ([`afterrun_service::checkin::checkin_and_plan`]), most steps then marked done.
//!
//! The numbers are invented: the demo is a tour of the app, not evidence.

use afterrun_protocol::PlanDoc;
use afterrun_protocol::codes::Modality;
use afterrun_protocol::region::Region;
use afterrun_service::checkin::{CheckinError, checkin_and_plan, merge_profile};
use afterrun_service::synthetic::{NormalDraw, Rng, RunKind, run_gpx, training_block};
use afterrun_store::{Profile, Store};
use jiff::Timestamp;
use serde_json::{Map, json};

use crate::respond::PERSONAL_ATHLETE;
use crate::views::utc;

/// Days of training in the demo.
pub const DEMO_DAYS: i64 = 90;

/// The seed of the demo's randomness.
const SEED: u64 = 2026;

/// How much each modality done lowers the next check-in's soreness on the groups it targeted,
/// in points of 0–10: the demo's invented truth, for the learner to find.
pub const DEMO_EFFECTS: &[(Modality, f64)] =
    &[(Modality::FoamRolling, 1.4), (Modality::CompressionBoots, 0.9), (Modality::MassageGun, 0.2)];

/// The demo profile.
fn profile() -> Profile {
    Profile {
        age: Some(36),
        sex: Some("female".to_owned()),
        weekly_km: Some(55.0),
        goal: Some("marathon".to_owned()),
        max_hr: Some(186),
        rest_hr: Some(50),
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

/// The soreness relief owed to the steps done after the previous check-in, per group.
fn relief(previous: Option<&PlanDoc>, done: &[u32]) -> [f64; 8] {
    let mut out = [0.0; 8];
    let Some(plan) = previous else { return out };
    for (i, step) in plan.steps.iter().enumerate() {
        if !done.iter().any(|d| usize::try_from(*d).ok() == Some(i)) {
            continue;
        }
        let Some((_, effect)) = DEMO_EFFECTS.iter().find(|(m, _)| *m == step.modality) else {
            continue;
        };
        for target in &step.targets {
            if let Region::Group(g, _) = target {
                out[*g as usize] = f64::max(out[*g as usize], *effect);
            }
        }
    }
    out
}

/// Seeds the demo athlete unless they already have activities or plans; how many plans were
/// stored.
pub async fn seed_demo(store: &Store, now: Timestamp) -> Result<usize, CheckinError> {
    seed_demo_with(store, now, &|_, _| {}).await
}

/// [`seed_demo`], telling `progress(done, total)` after each run (the CLI draws a bar).
pub async fn seed_demo_with(
    store: &Store,
    now: Timestamp,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<usize, CheckinError> {
    let now_s = now.as_second();
    let athlete = store.ensure_athlete(PERSONAL_ATHLETE, now_s).await?;
    if !store.plans(athlete).await?.is_empty() || !store.activities(athlete).await?.is_empty() {
        return Ok(0);
    }
    let profile = profile();
    store.set_profile(athlete, &profile).await?;
    let runs = training_block(DEMO_DAYS, now_s, SEED);
    let mut rng = Rng::new(SEED);
    let mut previous: Option<(i64, PlanDoc)> = None;
    let mut stored = 0;
    for (done, run) in runs.iter().enumerate() {
        progress(done, runs.len());
        let name = format!("demo-{}.gpx", utc_date(run.start));
        let gpx = run_gpx(run, SEED);
        let thresholds = afterrun_service::import::thresholds(store, athlete).await?;
        let known = store.stored_hashes(athlete).await?;
        let prepared =
            afterrun_service::import::prepare_upload(&name, gpx.as_bytes(), &thresholds, &known);
        afterrun_service::import::store_upload(store, athlete, prepared, run.end()).await?;

        // The check-in, 90 minutes after the run.
        let at = run.end() + 90 * 60;
        if at > now_s {
            break;
        }
        let inputs = afterrun_service::history::read_inputs(store, athlete).await?;
        // The demo runner's "true" soreness: what the learner will expect at that moment (the
        // load model anchored on the reports so far), less the relief below.
        let forecast = afterrun_load::forecast(&inputs.activities, &inputs.reports, at);
        let done = match &previous {
            Some((plan_id, _)) => store
                .plan(athlete, *plan_id)
                .await?
                .map(|p| p.completed.iter().map(|c| c.step).collect::<Vec<u32>>())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let relief = relief(previous.as_ref().map(|(_, p)| p), &done);
        let mut soreness = Map::new();
        for m in &forecast.muscles {
            let felt = m.soreness_now - relief[m.group as usize] + 0.6 * rng.normal();
            let felt = felt.round().clamp(0.0, 10.0);
            if felt >= 1.0 {
                soreness.insert(m.group.as_str().to_owned(), json!(felt as u8));
            }
        }
        let mut checkin = json!({
            "now": utc_s(at),
            "run": {
                "distance_km": (run.distance_m / 100.0).round() / 10.0,
                "duration_min": (run.duration_s / 60.0).round(),
                "ascent_m": run.climb_m,
                "descent_m": run.climb_m,
                "avg_hr": run.avg_hr,
                "rpe": run.rpe(),
                "ended_at": utc_s(run.end()),
            },
            "soreness": soreness,
            "symptoms": [],
            "next_run_at": utc_s(at + 22 * 3600),
        });
        merge_profile(&mut checkin, &profile);
        let planned = checkin_and_plan(store, athlete, &checkin, at).await?;
        stored += 1;
        // Most steps are done, the hands-on and device ones about half the time (so the learner
        // sees sessions with and without each), more often after a hard run.
        for (i, step) in planned.plan.steps.iter().enumerate() {
            let hands_on = DEMO_EFFECTS.iter().any(|(m, _)| *m == step.modality);
            let skip = match (hands_on, run.kind == RunKind::Easy) {
                (true, true) => 0.6,
                (true, false) => 0.4,
                (false, _) => 0.15,
            };
            let offset = i64::from(step.offset_min);
            let done_at = at + offset * 60 + 60;
            if done_at > now_s || rng.unit() < skip {
                continue;
            }
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            store.mark_done(athlete, Some(planned.plan_id), index, done_at).await?;
        }
        previous = Some((planned.plan_id, planned.plan));
    }
    Ok(stored)
}

fn utc_s(seconds: i64) -> String {
    Timestamp::from_second(seconds).map(utc).unwrap_or_default()
}

fn utc_date(seconds: i64) -> String {
    Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%d-%H%M").to_string())
        .unwrap_or_default()
}
