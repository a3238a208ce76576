//! Stored load that follows the athlete's thresholds.
//!
//! Stress and muscle load depend on the thresholds (maximum, resting and threshold heart rate,
//! threshold pace), and those change: the runner sets them with `afterrun profile`, or a new
//! run shows a higher held maximum or a faster 30 minutes. Each stored activity therefore keeps
//! what it says about the thresholds (`facts`) and the fingerprint of the thresholds its load
//! was computed with (`load_basis`). Before the load series is read, [`refresh`] resolves the
//! thresholds from the profile and every activity's facts, and recomputes, from the stored
//! original file, the load of each activity whose fingerprint differs. The series never mixes
//! the thresholds of two profiles, and the cost is paid once per change, not per request (see
//! ARCHITECTURE.md, "Load follows the profile").

use afterrun_load::{ActivityFacts, Thresholds};
use afterrun_store::{ActivityRow, Id, Profile, Store};
use serde_json::{Value, json};

use crate::ServiceError;
use crate::locale::Locale;

/// Changes whenever the load model's formulas change, so that stored loads are recomputed.
pub const LOAD_MODEL: &str = "load-2";

/// The fingerprint of thresholds as stored in `load_basis`.
pub fn basis(t: &Thresholds) -> String {
    format!(
        "{LOAD_MODEL} {} max {:.1} rest {:.1} threshold {:.1} speed {:.4}",
        t.sex.as_str(),
        t.max_hr,
        t.rest_hr,
        t.threshold_hr,
        t.threshold_speed_mps
    )
}

/// An activity's facts as stored (`{"max_hr":…, "best_30min_speed_mps":…}`).
pub fn facts_json(f: &ActivityFacts) -> Value {
    json!({"max_hr": f.max_hr, "best_30min_speed_mps": f.best_30min_speed_mps, "rest_hr": f.rest_hr})
}

/// What a stored row says about the thresholds, with its origin in words (`tempo.fit,
/// Tue 3 Mar 2026`); a row stored before facts were kept gives its summary's maximum.
pub fn row_facts(row: &ActivityRow, locale: &Locale) -> ActivityFacts {
    let num = |k: &str| row.facts.as_ref()?.get(k)?.as_f64().filter(|x| x.is_finite());
    let file = row.source.rsplit(['/', '\\']).next().unwrap_or(&row.source);
    let origin = match row.start_time {
        Some(t) => format!("{file}, {}", locale.date(t)),
        None => file.to_owned(),
    };
    ActivityFacts {
        max_hr: if row.facts.is_some() { num("max_hr") } else { row.max_hr },
        best_30min_speed_mps: num("best_30min_speed_mps"),
        rest_hr: num("rest_hr"),
        origin: Some(origin),
    }
}

/// Decodes a stored activity's original file again (`None` when it is gone or no longer
/// decodes: the stored figures are kept then).
async fn decode_stored(
    store: &Store,
    row: &ActivityRow,
) -> Result<Option<afterrun_activity::Activity>, ServiceError> {
    let Some(original) = store.original(row.id).await? else { return Ok(None) };
    let Ok(bytes) = original.decompress() else { return Ok(None) };
    let options = afterrun_activity::DecodeOptions { samples: true };
    let mut activity = match afterrun_activity::decode(&bytes, Some(&row.source), &options) {
        Ok(a) => a,
        Err(_) => return Ok(None),
    };
    // The stored sport may have come from an export's catalogue; it is the one to keep.
    activity.summary.totals.sport.clone_from(&row.sport);
    Ok(Some(activity))
}

/// Brings every row's facts and load up to date with the athlete's current thresholds (see
/// the module), writing what changed back to the store; returns the thresholds.
pub async fn refresh(
    store: &Store,
    rows: &mut [ActivityRow],
    profile: &Profile,
    locale: &Locale,
) -> Result<Thresholds, ServiceError> {
    // Facts stored before the resting heart rate was read lack its key: read the file again.
    let stale = |r: &ActivityRow| r.facts.as_ref().is_none_or(|f| f.get("rest_hr").is_none());
    for row in rows.iter_mut().filter(|r| stale(r)) {
        let facts = match decode_stored(store, row).await? {
            Some(a) => afterrun_load::activity_facts(&a),
            None => ActivityFacts { max_hr: row.max_hr, ..ActivityFacts::default() },
        };
        let value = facts_json(&facts);
        store.set_facts(row.id, &value).await?;
        row.facts = Some(value);
    }
    let t = thresholds(rows, profile, locale);
    let fingerprint = basis(&t);
    for row in rows.iter_mut().filter(|r| r.load_basis.as_deref() != Some(fingerprint.as_str())) {
        if let Some(activity) = decode_stored(store, row).await? {
            let (stress, muscle) = crate::stored_load::load_of(&activity, &t);
            row.stress = stress.as_ref().map(|s| s.value);
            row.stress_kind = stress.as_ref().map(|s| s.kind.clone());
            row.muscle_load.clone_from(&muscle);
            store.set_load(row.id, stress.as_ref(), muscle.as_ref(), &fingerprint).await?;
        } else {
            let stress = row.stress.zip(row.stress_kind.clone());
            let stress = stress.map(|(value, kind)| afterrun_store::Stress { value, kind });
            store.set_load(row.id, stress.as_ref(), row.muscle_load.as_ref(), &fingerprint).await?;
        }
        row.load_basis = Some(fingerprint.clone());
    }
    Ok(t)
}

/// The athlete's thresholds from the stored profile and every stored activity's facts.
pub fn thresholds(rows: &[ActivityRow], profile: &Profile, locale: &Locale) -> Thresholds {
    let facts: Vec<ActivityFacts> = rows.iter().map(|r| row_facts(r, locale)).collect();
    afterrun_load::resolve_thresholds(&crate::stored_load::load_profile(profile), &facts)
}

/// Reads the athlete's rows and refreshes them (see [`refresh`]).
pub async fn fresh_rows(
    store: &Store,
    athlete: Id,
    profile: &Profile,
    locale: &Locale,
) -> Result<(Vec<ActivityRow>, Thresholds), ServiceError> {
    let mut rows = store.activities(athlete).await?;
    let t = refresh(store, &mut rows, profile, locale).await?;
    Ok((rows, t))
}
