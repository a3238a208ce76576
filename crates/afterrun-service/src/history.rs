//! What the store knows about an athlete, turned into the load model's inputs and into the
//! planner's [`History`].
//!
//! The store keeps, per activity, the stress and per-muscle load computed at import; this
//! module reads them back into [`ActivityLoad`]s (filling in, from the stored summary, what an
//! older row lacks), collects the soreness the athlete reported in check-ins, and hands both
//! to `afterrun-load`. `status` prints the result; `plan` and `checkin` pass the
//! [`History`] to the planner so that "high volume", the ACWR and monotony cautions and the
//! soreness forecast come from the athlete's own runs.
//!
//! Reading the store is [`read_inputs`]; everything after it ([`inputs_from_rows`],
//! [`build_history`]) is pure, with time as an argument, so it is tested without a database.

use afterrun_load::{
    ActivityLoad, Forecast, LoadError, MuscleGroup, MuscleLoad, SorenessReport, Status, Thresholds,
};
use afterrun_protocol::codes::Modality;
use afterrun_protocol::history::{SorenessForecast, SorenessRating};
use afterrun_protocol::region::{Group, Region};
use afterrun_protocol::{CheckIn, History, PlanDoc};
use afterrun_store::{ActivityRow, CheckinRow, Id, PlanRow, Profile};
use jiff::civil::Date;

use afterrun_store::Store;

use crate::ServiceError;
use crate::locale::Locale;
use crate::refresh::fresh_rows;
use crate::stored_load::plausible_start;

/// A run of at least this many seconds counts as hard for the planner (protocol.md: ≥ 90 min).
const HARD_RUN_S: f64 = 90.0 * 60.0;

/// Everything the load model needs about one athlete, read once from the store.
#[derive(Debug, Clone, Default)]
pub struct LoadInputs {
    /// The activities with an absolute start time, oldest first.
    pub activities: Vec<ActivityLoad>,
    /// Soreness the athlete reported, per group (sides merged: the larger), with its time.
    pub reports: Vec<SorenessReport>,
    /// The same reports as regions, for the planner's prolonged-soreness rule.
    pub ratings: Vec<(i64, Region, f64)>,
    /// Compression-boot steps marked done, with when they were marked.
    pub compression_done: Vec<i64>,
    /// What was estimated or left out, in words for the athlete.
    pub assumptions: Vec<String>,
    /// The starts of the activities that are runs (the others are load, not "runs").
    pub run_starts: Vec<i64>,
    /// The athlete's time constants and seed of the fitness and fatigue model.
    pub series: afterrun_load::SeriesOptions,
    /// The athlete's time zone and units, for every text.
    pub locale: Locale,
}

/// Reads the athlete's activities, profile, check-ins and plans from the store.
pub async fn read_inputs(store: &Store, athlete: Id) -> Result<LoadInputs, ServiceError> {
    let profile = store.profile(athlete).await?;
    let (rows, _) = fresh_rows(store, athlete, &profile, &Locale::of(&profile)).await?;
    let checkins = store.checkins(athlete).await?;
    let plans = store.plans(athlete).await?;
    Ok(inputs_from_rows(&rows, &StoredDocs::read(&checkins, &plans), &profile))
}

/// The athlete's [`History`] at `now` (Unix seconds), straight from the store: what `plan` and
/// `checkin` pass to the planner.
pub async fn history_for(store: &Store, athlete: Id, now: i64) -> Result<History, ServiceError> {
    let (inputs, all) = inputs_and_all_outcomes(store, athlete).await?;
    let mut history = build_history(&inputs, now)?;
    // What has helped this athlete (issue 8); nothing without outcomes of their own.
    let (ranking, learned) = learning_from(&all, athlete, now);
    history.ranking = ranking;
    history.learned = learned;
    Ok(history)
}

/// The fitness and fatigue model's settings from the stored profile: its time constants
/// (42 and 7 days unless set) and its seed, when complete and dated.
pub fn series_options(profile: &Profile) -> afterrun_load::SeriesOptions {
    let mut o = afterrun_load::SeriesOptions::default();
    let tau = |t: Option<f64>| t.filter(|t| afterrun_load::SeriesOptions::TAU_RANGE.contains(t));
    o.fitness_tau = tau(profile.fitness_tau_days).unwrap_or(o.fitness_tau);
    o.fatigue_tau = tau(profile.fatigue_tau_days).unwrap_or(o.fatigue_tau);
    o.seed = match (profile.seed_fitness, profile.seed_fatigue, profile.seed_date.as_deref()) {
        (Some(fitness), Some(fatigue), Some(date)) => {
            date.parse::<Date>().ok().map(|date| afterrun_load::Seed { date, fitness, fatigue })
        }
        _ => None,
    };
    o
}

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// An athlete's stored check-ins and plans, typed once for the load inputs and the outcomes: a
/// check-in through the one validator, a plan as a [`PlanDoc`]. One that no longer reads (saved
/// by an older version, or by hand) is left out and named in `refused`.
#[derive(Debug, Clone, Default)]
pub struct StoredDocs<'a> {
    /// The check-ins with their `now`.
    pub checkins: Vec<(i64, CheckIn)>,
    /// The plans with their rows (id, time, steps done).
    pub plans: Vec<(&'a PlanRow, PlanDoc)>,
    /// What was left out, and why.
    pub refused: Vec<String>,
}

impl<'a> StoredDocs<'a> {
    /// Types the rows.
    pub fn read(checkins: &[CheckinRow], plans: &'a [PlanRow]) -> StoredDocs<'a> {
        let mut docs = StoredDocs::default();
        for c in checkins {
            match afterrun_protocol::checkin::checkin_from_value(&c.checkin) {
                Ok(checkin) => docs.checkins.push((c.now, checkin)),
                Err(e) => docs.refused.push(format!("check-in {}: {e}", c.id)),
            }
        }
        for p in plans {
            match PlanDoc::from_value(&p.plan) {
                Ok(plan) => docs.plans.push((p, plan)),
                Err(e) => docs.refused.push(format!("plan {}: {e}", p.id)),
            }
        }
        docs
    }
}

/// The load model's inputs from stored rows (pure).
pub fn inputs_from_rows(
    rows: &[ActivityRow],
    docs: &StoredDocs<'_>,
    profile: &Profile,
) -> LoadInputs {
    let locale = Locale::of(profile);
    let t = crate::refresh::thresholds(rows, profile, &locale);
    let mut out = LoadInputs {
        assumptions: t.assumptions.clone(),
        series: series_options(profile),
        ..LoadInputs::default()
    };
    out.assumptions.extend(locale.assumption());
    let mut no_start = Vec::new();
    let mut implausible = Vec::new();
    let mut estimated = Vec::new();
    for row in rows {
        let Some(start) = row.start_time else {
            no_start.push(format!("#{} ({})", row.id, row.source));
            continue;
        };
        if !plausible_start(start, row.imported_at) {
            implausible.push(format!("#{} ({}, {})", row.id, row.source, locale.date(start)));
            continue;
        }
        if afterrun_load::stress::is_run(&row.sport) {
            out.run_starts.push(start);
        }
        let duration_s = finite(row.timer_s)
            .or(finite(row.elapsed_s))
            .filter(|d| *d > 0.0)
            .or_else(|| {
                let end = row.end_time?;
                (end > start).then(|| (end - start) as f64)
            })
            .unwrap_or(0.0);
        let distance_m = finite(row.distance_m).unwrap_or(0.0).max(0.0);
        let stress = match finite(row.stress) {
            Some(s) => s,
            None => {
                estimated.push(format!("#{}", row.id));
                afterrun_load::checkin_stress(duration_s / 60.0, finite(row.avg_hr), None, &t).value
            }
        };
        let from_totals = if afterrun_load::stress::on_foot(&row.sport) {
            afterrun_load::muscle_load_from_totals(
                distance_m,
                duration_s,
                finite(row.ascent_m).unwrap_or(0.0),
                finite(row.descent_m).unwrap_or(0.0),
                &t,
            )
        } else {
            MuscleLoad::default()
        };
        let muscle = match &row.muscle_load {
            Some(v) => parse_muscle_load(v, &from_totals),
            None => from_totals,
        };
        out.activities.push(ActivityLoad { start, duration_s, distance_m, stress, muscle });
    }
    out.activities.sort_by_key(|a| a.start);
    let why = "with an implausible date (before 1990 or in the future)";
    out.assumptions.extend(left_out(&implausible, why));
    out.assumptions.extend(left_out(&no_start, "without an absolute start time"));
    if !estimated.is_empty() {
        out.assumptions.push(format!(
            "stress estimated from the stored summary (none stored) for {}",
            estimated.join(", ")
        ));
    }

    let imported: Vec<(i64, i64)> = out.activities.iter().map(|a| (a.start, a.end())).collect();
    if !docs.refused.is_empty() {
        out.assumptions.push(format!(
            "left out of the stored check-ins and plans what no longer reads: {}",
            docs.refused.join("; ")
        ));
    }
    let mut from_checkins: Vec<ActivityLoad> = Vec::new();
    for (_, c) in &docs.checkins {
        if let Some(a) = checkin_run(c, &t)
            && !imported
                .iter()
                .any(|&(s, e)| s <= a.end() + SAME_RUN_S && a.start <= e + SAME_RUN_S)
            && !from_checkins.iter().any(|b| b.end() == a.end())
        {
            from_checkins.push(a);
        }
    }
    if !from_checkins.is_empty() {
        out.assumptions.push(format!(
            "{} run{} known only from a check-in counted from its duration, heart rate or RPE",
            from_checkins.len(),
            if from_checkins.len() == 1 { "" } else { "s" }
        ));
        out.activities.extend(from_checkins);
        out.activities.sort_by_key(|a| a.start);
    }

    for (now, c) in &docs.checkins {
        let mut per_group: [Option<f64>; afterrun_load::GROUPS] = [None; afterrun_load::GROUPS];
        for &(region, rating) in c.soreness.iter().flatten() {
            let rating = rating.clamp(0.0, 10.0);
            out.ratings.push((*now, region, rating));
            if let Region::Group(g, _) = region {
                let slot = &mut per_group[g as usize];
                *slot = Some(slot.map_or(rating, |r: f64| r.max(rating)));
            }
        }
        for (g, rating) in MuscleGroup::ALL.iter().zip(per_group) {
            if let Some(rating) = rating {
                out.reports.push(SorenessReport { at: *now, group: *g, rating });
            }
        }
    }

    // A stored plan that cannot be read counts no compression session (the safe side: a first
    // session's level cap).
    for (p, plan) in &docs.plans {
        for done in &p.completed {
            let step = plan.steps.get(done.step as usize);
            if step.is_some_and(|s| s.modality == Modality::CompressionBoots) {
                out.compression_done.push(done.done_at);
            }
        }
    }
    out.locale = locale;
    out
}

/// A check-in's run this close (seconds) to an imported activity is that activity.
const SAME_RUN_S: i64 = 30 * 60;

/// The run of a check-in (`run.ended_at` and `run.duration_min` needed), as the load model
/// counts it.
/// The assumption naming the activities left out of the history and why, when any were.
fn left_out(ids: &[String], why: &str) -> Option<String> {
    let plural = if ids.len() == 1 { "y" } else { "ies" };
    (!ids.is_empty())
        .then(|| format!("left out {} activit{plural} {why}: {}", ids.len(), ids.join(", ")))
}

fn checkin_run(checkin: &CheckIn, t: &Thresholds) -> Option<ActivityLoad> {
    let run = checkin.run.as_ref()?;
    let ended_at = run.ended_at?.as_second();
    let minutes = run.duration_min.filter(|m| *m > 0.0)?;
    let (load, _) = afterrun_load::checkin_activity_load(
        ended_at,
        minutes,
        run.distance_km,
        run.ascent_m,
        run.descent_m,
        run.avg_hr,
        run.rpe,
        t,
    );
    Some(load)
}

/// A stored per-muscle load: `{"quads": total, …}`, optionally with
/// `"eccentric": {"quads": …, …}`. Missing groups are 0; a missing eccentric part is taken
/// from the summary-based estimate, never above the stored total.
pub fn parse_muscle_load(value: &serde_json::Value, from_totals: &MuscleLoad) -> MuscleLoad {
    let mut out = MuscleLoad::default();
    let read = |obj: Option<&serde_json::Map<String, serde_json::Value>>, g: MuscleGroup| {
        obj.and_then(|o| o.get(g.as_str()))
            .and_then(serde_json::Value::as_f64)
            .filter(|x| x.is_finite())
            .map(|x| x.max(0.0))
    };
    let total = value.get("total").and_then(|v| v.as_object()).or_else(|| value.as_object());
    let eccentric = value.get("eccentric").and_then(|v| v.as_object());
    for g in MuscleGroup::ALL {
        let i = g as usize;
        let t = read(total, g).unwrap_or(0.0);
        let e = read(eccentric, g).unwrap_or(from_totals.eccentric[i]);
        out.total[i] = t;
        out.eccentric[i] = e.min(t);
    }
    out
}

/// The UTC date of a Unix time.
pub fn utc_date(seconds: i64) -> Option<Date> {
    afterrun_load::date_of_day(afterrun_load::day_of_unix(seconds))
}

/// The series at `now`'s UTC date and the soreness forecast at `now`.
pub fn status_and_forecast(
    inputs: &LoadInputs,
    as_of: Date,
    now: i64,
) -> Result<(Status, Forecast), LoadError> {
    let activities = within_series(&inputs.activities, as_of);
    let status = afterrun_load::status_with(&activities, as_of, &inputs.series)?;
    let forecast = afterrun_load::forecast(&activities, &inputs.reports, now);
    Ok((status, forecast))
}

/// The activities a daily series up to `as_of` can hold: a start date more than
/// [`afterrun_load::MAX_DAYS`] days before it (a file dated in year 1 by a broken device, a
/// check-in whose run "ended" centuries ago) would make the series refuse the whole history;
/// such activities are left out (see [`out_of_series`]).
fn within_series(activities: &[ActivityLoad], as_of: Date) -> std::borrow::Cow<'_, [ActivityLoad]> {
    if out_of_series(activities, as_of) == 0 {
        return std::borrow::Cow::Borrowed(activities);
    }
    let last = afterrun_load::day_of_date(as_of);
    std::borrow::Cow::Owned(
        activities
            .iter()
            .filter(|a| last - afterrun_load::day_of_unix(a.start) < afterrun_load::MAX_DAYS)
            .copied()
            .collect(),
    )
}

/// How many activities start too long before `as_of` for a daily series.
pub fn out_of_series(activities: &[ActivityLoad], as_of: Date) -> usize {
    let last = afterrun_load::day_of_date(as_of);
    activities
        .iter()
        .filter(|a| last - afterrun_load::day_of_unix(a.start) >= afterrun_load::MAX_DAYS)
        .count()
}

fn timestamp(seconds: i64) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_second(seconds).ok()
}

/// The planner's [`History`] at `now` (Unix seconds), from the athlete's own load (pure).
pub fn build_history(inputs: &LoadInputs, now: i64) -> Result<History, LoadError> {
    let Some(as_of) = utc_date(now) else {
        return Ok(History::default());
    };
    let (status, forecast) = status_and_forecast(inputs, as_of, now)?;
    let today = status.today();
    let forecast = forecast
        .muscles
        .iter()
        .filter(|m| m.peak >= afterrun_load::CLEAR_LEVEL)
        .filter_map(|m| {
            Some(SorenessForecast { group: m.group, peak: m.peak, peak_at: timestamp(m.peak_at?)? })
        })
        .collect();
    let last_hard_run = inputs
        .activities
        .iter()
        .filter(|a| a.duration_s >= HARD_RUN_S && a.end() <= now)
        .map(|a| a.end())
        .max()
        .and_then(timestamp);
    let soreness_ratings = inputs
        .ratings
        .iter()
        .filter(|(at, _, _)| *at < now)
        .filter_map(|&(at, region, rating)| {
            Some(SorenessRating { at: timestamp(at)?, region, rating })
        })
        .collect();
    let known = !inputs.activities.is_empty() || !inputs.compression_done.is_empty();
    let compression = inputs.compression_done.iter().filter(|t| **t <= now).count();
    Ok(History {
        high_volume: status.flags.high_volume.unwrap_or(false),
        compression_sessions: known.then(|| u32::try_from(compression).unwrap_or(u32::MAX)),
        soreness_ratings,
        last_hard_run,
        forecast,
        acwr: today.and_then(|p| p.acwr),
        monotony: today.and_then(|p| p.week.monotony),
        ..History::default()
    })
}

// ----- learning what works (issue 8) -----

/// Every plan's outcome for one athlete (pure): the next check-in 12–48 h after each plan,
/// against the load model's forecast for that moment, calibrated by the reports before it.
///
/// Outcomes are recomputed from the stored rows whenever they are read, so a new forecast model
/// changes them all at once; `checkin` also writes them to the store's `outcomes` table (for
/// `export`), rewriting every one each time.
pub fn outcomes_from_rows(
    inputs: &LoadInputs,
    docs: &StoredDocs<'_>,
) -> Vec<afterrun_protocol::outcome::SessionOutcome> {
    use afterrun_protocol::outcome;
    let plan_records: Vec<outcome::PlanRecord> = docs
        .plans
        .iter()
        .map(|(p, plan)| {
            let done: Vec<u32> = p.completed.iter().map(|c| c.step).collect();
            outcome::plan_record(p.id, p.generated_at, plan, &done)
        })
        .collect();
    let checkin_records: Vec<outcome::CheckinRecord> =
        docs.checkins.iter().map(|(now, c)| outcome::checkin_record(*now, c)).collect();
    outcome::outcomes(&plan_records, &checkin_records, |at| {
        let before: Vec<SorenessReport> =
            inputs.reports.iter().filter(|r| r.at < at).copied().collect();
        let f = afterrun_load::forecast(&inputs.activities, &before, at);
        Group::ALL.map(|g| f.group(g).soreness_now)
    })
}

/// One athlete's load inputs and plan outcomes, from one read of their rows.
async fn read_athlete(
    store: &Store,
    athlete: Id,
) -> Result<(LoadInputs, Vec<afterrun_protocol::outcome::SessionOutcome>), ServiceError> {
    let profile = store.profile(athlete).await?;
    let (rows, _) = fresh_rows(store, athlete, &profile, &Locale::of(&profile)).await?;
    let checkins = store.checkins(athlete).await?;
    let plans = store.plans(athlete).await?;
    let docs = StoredDocs::read(&checkins, &plans);
    let inputs = inputs_from_rows(&rows, &docs, &profile);
    let outcomes = outcomes_from_rows(&inputs, &docs);
    Ok((inputs, outcomes))
}

/// Every plan's outcome for one athlete, from the store.
pub async fn athlete_outcomes(
    store: &Store,
    athlete: Id,
) -> Result<Vec<afterrun_protocol::outcome::SessionOutcome>, ServiceError> {
    Ok(read_athlete(store, athlete).await?.1)
}

/// Every stored athlete's outcomes (their ids with them), for the population figures.
pub async fn all_outcomes(
    store: &Store,
) -> Result<Vec<(Id, Vec<afterrun_protocol::outcome::SessionOutcome>)>, ServiceError> {
    let mut out = Vec::new();
    for a in store.athlete_refs().await? {
        out.push((a.id, athlete_outcomes(store, a.id).await?));
    }
    Ok(out)
}

/// `athlete`'s load inputs and every stored athlete's outcomes (the population the learner
/// shrinks toward), reading each athlete's rows once: what the planner's history and the
/// status report both need.
pub async fn inputs_and_all_outcomes(
    store: &Store,
    athlete: Id,
) -> Result<(LoadInputs, Vec<(Id, Vec<afterrun_protocol::outcome::SessionOutcome>)>), ServiceError>
{
    let mut own = LoadInputs::default();
    let mut all = Vec::new();
    for a in store.athlete_refs().await? {
        let (inputs, outcomes) = read_athlete(store, a.id).await?;
        if a.id == athlete {
            own = inputs;
        }
        all.push((a.id, outcomes));
    }
    Ok((own, all))
}

/// What learning adds to the athlete's [`History`] at `now`: the ranking of the hands-on and
/// device modalities and the effects with enough evidence, from the outcomes known before
/// `now` (the athlete's own, shrunk toward every stored athlete's). Empty without outcomes of
/// the athlete's own, so the plan is then the one it was before learning. Pure; the seed of the
/// exploration is `now`.
pub fn learning_from(
    all: &[(Id, Vec<afterrun_protocol::outcome::SessionOutcome>)],
    athlete: Id,
    now: i64,
) -> (Vec<afterrun_protocol::codes::Modality>, Vec<afterrun_protocol::history::LearnedEffect>) {
    use afterrun_protocol::outcome;
    let before = |v: &Vec<outcome::SessionOutcome>| -> Vec<outcome::SessionOutcome> {
        v.iter().filter(|o| o.at <= now).cloned().collect()
    };
    let runners: Vec<Vec<outcome::SessionOutcome>> = all.iter().map(|(_, v)| before(v)).collect();
    let own = all.iter().find(|(id, _)| *id == athlete).map(|(_, v)| before(v)).unwrap_or_default();
    let population = outcome::population(&runners);
    outcome::personalize(&population, &own, u64::try_from(now).unwrap_or(0))
}

/// Writes every outcome of the athlete to the store (replacing what was there for each plan
/// and group).
pub async fn store_outcomes(store: &Store, athlete: Id) -> Result<usize, ServiceError> {
    let outcomes = athlete_outcomes(store, athlete).await?;
    let mut n = 0;
    for o in &outcomes {
        for g in &o.groups {
            let row = afterrun_store::Outcome {
                plan_id: o.plan_id,
                group: g.group.as_str().to_owned(),
                reported: g.reported,
                forecast: g.forecast,
                residual: g.residual,
            };
            store.save_outcome(&row).await?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    /// 2026-01-01T06:00:00Z.
    const T0: i64 = 1_767_247_200;

    fn run(start: i64, stress: f64, quads: f64) -> ActivityLoad {
        let mut muscle = MuscleLoad::default();
        muscle.total[0] = quads;
        ActivityLoad { start, duration_s: 3600.0, distance_m: 10_000.0, stress, muscle }
    }

    #[test]
    fn a_big_ramp_gives_the_acwr_caution_signal() {
        // Fourteen easy weeks, then a week at five times the load (ending 2026-04-15).
        let mut acts: Vec<ActivityLoad> = (0..98).map(|d| run(T0 + d * DAY, 40.0, 5.0)).collect();
        acts.extend((98..105).map(|d| run(T0 + d * DAY, 200.0, 5.0)));
        let inputs = LoadInputs { activities: acts, ..LoadInputs::default() };
        let h = build_history(&inputs, T0 + 104 * DAY + 4 * 3600).unwrap();
        assert!(h.acwr.is_some_and(|a| a >= 1.5), "acwr {:?}", h.acwr);
        assert!(h.high_volume, "the ramp puts fitness at the top of the history");

        let checkin = afterrun_protocol::parse_checkin(
            r#"{"now":"2026-04-15T10:00:00Z","soreness":{"quads":3}}"#,
        )
        .unwrap();
        let with = afterrun_protocol::make_plan(&checkin, &h).to_json();
        assert!(with.contains("Caution: your recent load is"), "{with}");
        let without = afterrun_protocol::make_plan(&checkin, &History::default()).to_json();
        assert!(!without.contains("Caution"), "no history, no caution");
    }

    #[test]
    fn steady_history_gives_no_caution_and_no_forecast_without_muscle_load() {
        let acts: Vec<ActivityLoad> = (0..70).map(|d| run(T0 + d * DAY, 50.0, 0.0)).collect();
        let inputs = LoadInputs { activities: acts, ..LoadInputs::default() };
        let h = build_history(&inputs, T0 + 69 * DAY + 4 * 3600).unwrap();
        let acwr = h.acwr.unwrap();
        assert!((acwr - 1.0).abs() < 0.05, "constant load: ratio near 1, got {acwr}");
        assert_eq!(h.monotony, None, "identical daily loads do not vary");
        assert!(h.forecast.is_empty());
        assert_eq!(h.compression_sessions, Some(0));
    }

    #[test]
    fn a_downhill_run_yesterday_forecasts_the_quads() {
        let mut muscle = MuscleLoad::default();
        muscle.total[0] = 120.0;
        muscle.eccentric[0] = 90.0;
        let a = ActivityLoad {
            start: T0,
            duration_s: 2.0 * 3600.0,
            distance_m: 20_000.0,
            stress: 150.0,
            muscle,
        };
        let inputs = LoadInputs { activities: vec![a], ..LoadInputs::default() };
        let h = build_history(&inputs, T0 + 4 * 3600).unwrap();
        assert!(h.forecast.iter().any(|f| f.group == Group::Quads && f.peak >= 0.5));
        assert!(h.last_hard_run.is_some(), "a two-hour run is a hard run");
    }

    fn row(id: i64, start: Option<i64>, stress: Option<f64>) -> ActivityRow {
        ActivityRow {
            id,
            sha256: String::new(),
            format: "gpx".into(),
            sport: "running".into(),
            sub_sport: None,
            start_time: start,
            end_time: start.map(|s| s + 3600),
            elapsed_s: Some(3600.0),
            timer_s: Some(3600.0),
            distance_m: Some(10_000.0),
            records: 3600,
            avg_hr: None,
            max_hr: None,
            ascent_m: Some(0.0),
            descent_m: Some(400.0),
            laps: None,
            summary: serde_json::Value::Null,
            stress,
            stress_kind: stress.map(|_| "rtss".into()),
            muscle_load: None,
            facts: None,
            load_basis: None,
            source: format!("run{id}.gpx"),
            imported_at: T0 + 30 * DAY,
        }
    }

    #[test]
    fn implausible_dates_and_other_sports_are_named_not_counted_as_runs() {
        let mut walk = row(4, Some(T0 + 2 * DAY), Some(30.0));
        walk.sport = "walking".into();
        let rows = [
            row(1, Some(T0), Some(80.0)),
            // 1901-03-01: a reset device clock.
            row(2, Some(-2_172_355_200), Some(50.0)),
            // Two days after its import: in the future.
            row(3, Some(T0 + 32 * DAY), Some(50.0)),
            walk,
        ];
        let inputs = inputs_from_rows(&rows, &StoredDocs::default(), &Profile::default());
        assert_eq!(inputs.activities.len(), 2, "the run and the walk");
        assert_eq!(inputs.run_starts, [T0]);
        let all = inputs.assumptions.join("\n");
        assert!(all.contains("left out 2 activities with an implausible date"), "{all}");
        assert!(all.contains("#2 (run2.gpx, Fri 1 Mar 1901)"), "{all}");
        let as_of = utc_date(T0 + 3 * DAY).unwrap();
        let (status, _) = status_and_forecast(&inputs, as_of, T0 + 3 * DAY).unwrap();
        assert_eq!(status.daily.first().unwrap().date, utc_date(T0).unwrap());
        let words = crate::status::activities_words(
            crate::status::counted(&status, &inputs),
            crate::status::runs_counted(&status, &inputs),
        );
        assert_eq!(words, "2 activities (1 run)");
    }

    #[test]
    fn the_profile_sets_the_time_constants_and_the_seed() {
        let profile = Profile {
            seed_fitness: Some(40.0),
            seed_fatigue: Some(10.0),
            seed_date: Some("2026-01-01".into()),
            fitness_tau_days: Some(28.0),
            fatigue_tau_days: Some(500.0),
            ..Profile::default()
        };
        let o = series_options(&profile);
        assert_eq!((o.fitness_tau, o.fatigue_tau), (28.0, 7.0), "500 days is out of range");
        let seed = o.seed.unwrap();
        assert_eq!(
            (seed.date.to_string(), seed.fitness, seed.fatigue),
            ("2026-01-01".into(), 40.0, 10.0)
        );
        // Without a date the seed is not applied.
        let partial = Profile { seed_date: None, ..profile };
        assert!(series_options(&partial).seed.is_none());
    }

    fn checkin(now: i64, doc: serde_json::Value) -> CheckinRow {
        CheckinRow { id: now, now, checkin: doc, saved_at: now }
    }

    #[test]
    fn rows_become_loads_with_what_was_estimated_and_left_out_named() {
        let rows =
            [row(1, Some(T0), Some(80.0)), row(2, None, Some(50.0)), row(3, Some(T0 + DAY), None)];
        let run = serde_json::json!({"now": "2026-01-05T12:00:00Z",
            "run": {"ended_at": "2026-01-05T09:00:00Z", "duration_min": 60, "rpe": 6},
            "soreness": {"quads_left": 4, "quads_right": 6, "calf_left": 2}});
        // A check-in about the imported run of day 0 does not count it twice.
        let same = serde_json::json!({"now": "2026-01-01T12:00:00Z",
            "run": {"ended_at": "2026-01-01T07:00:00Z", "duration_min": 60}});
        let checkins = [checkin(T0 + 4 * DAY, run), checkin(T0 + 6 * 3600, same)];
        let inputs =
            inputs_from_rows(&rows, &StoredDocs::read(&checkins, &[]), &Profile::default());
        assert_eq!(inputs.activities.len(), 3, "two dated rows and one check-in-only run");
        assert_eq!(inputs.activities[0].stress, 80.0);
        assert!(inputs.activities[1].stress > 0.0, "estimated from the summary");
        assert!(inputs.activities[0].muscle.eccentric[0] > 0.0, "400 m of descent");
        let all = inputs.assumptions.join("\n");
        assert!(all.contains("without an absolute start time: #2 (run2.gpx)"), "{all}");
        assert!(all.contains("stress estimated from the stored summary (none stored) for #3"));
        assert!(all.contains("1 run known only from a check-in"), "{all}");
        // Sides merge to the larger rating for calibration; regions stay as given.
        let quads: Vec<f64> = inputs
            .reports
            .iter()
            .filter(|r| r.group == MuscleGroup::Quads)
            .map(|r| r.rating)
            .collect();
        assert_eq!(quads, [6.0]);
        assert_eq!(inputs.ratings.len(), 3);
    }

    #[test]
    fn muscle_load_json_reads_both_shapes() {
        let est = MuscleLoad { total: [9.0; 8], eccentric: [2.0; 8] };
        let flat = serde_json::json!({"quads": 10.0, "calves": 4.0});
        let m = parse_muscle_load(&flat, &est);
        assert_eq!(m.total[0], 10.0);
        assert_eq!(m.total[2], 4.0);
        assert_eq!(m.total[1], 0.0);
        assert_eq!(m.eccentric[0], 2.0);
        assert_eq!(m.eccentric[1], 0.0, "never above the stored total");
        let nested = serde_json::json!({"total": {"quads": 10.0}, "eccentric": {"quads": 7.0}});
        let m = parse_muscle_load(&nested, &est);
        assert_eq!((m.total[0], m.eccentric[0]), (10.0, 7.0));
    }
}
