//! The common check-in read in one pass, with no tree in between: plain JSON ([`Plain`]), every
//! field valid, no `null`, times written `YYYY-MM-DDTHH:MM:SSZ`, no clearance or threshold pace.
//! Anything else answers `None`, and [`crate::checkin::parse_checkin`] then reads the document
//! the strict way, which gives the same check-in or the error that names the field.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::checkin::{Athlete, CheckIn, Run, Symptom, check_order, plain_utc};
use crate::codes::{After, Budget, Condition, Equipment, Goal, Sex, SymptomCode, Trend};
use crate::region::Region;
use crate::strict::Plain;

/// The check-in, when the document is plain and valid. A field given twice finds its value
/// already set, and is left to the strict reader like any other irregularity.
pub fn read(text: &str) -> Option<CheckIn> {
    let mut p = Plain::new(text);
    let (mut now, mut athlete_given) = (None, None);
    let mut c = CheckIn {
        now: Timestamp::UNIX_EPOCH,
        athlete: Athlete::default(),
        run: None,
        soreness: None,
        symptoms: None,
        cramp_now: None,
        next_run_at: None,
    };
    p.members(|p, key| {
        match key {
            "now" if now.is_none() => now = Some(time(p)?),
            "athlete" if athlete_given.is_none() => athlete_given = Some(athlete(p)?),
            "run" if c.run.is_none() => c.run = Some(run(p)?),
            "soreness" if c.soreness.is_none() => c.soreness = Some(soreness(p)?),
            "symptoms" if c.symptoms.is_none() => c.symptoms = Some(symptoms(p)?),
            "cramp_now" if c.cramp_now.is_none() => c.cramp_now = Some(region(p)?),
            "next_run_at" if c.next_run_at.is_none() => c.next_run_at = Some(time(p)?),
            _ => return None,
        }
        Some(())
    })?;
    p.end()?;
    c.now = now?;
    c.athlete = athlete_given.unwrap_or_default();
    check_order(c.now, c.run.as_ref(), c.next_run_at).ok()?;
    Some(c)
}

fn time(p: &mut Plain<'_>) -> Option<Timestamp> {
    plain_utc(p.string()?)
}

fn region(p: &mut Plain<'_>) -> Option<Region> {
    Region::from_code(p.string()?, false)
}

fn number(p: &mut Plain<'_>, low: f64, high: f64) -> Option<f64> {
    p.number().filter(|n| (low..=high).contains(n))
}

fn code_set<T: Ord>(p: &mut Plain<'_>, parse: fn(&str) -> Option<T>) -> Option<BTreeSet<T>> {
    let mut out = BTreeSet::new();
    p.items(|p| {
        out.insert(parse(p.string()?)?);
        Some(())
    })?;
    Some(out)
}

/// The athlete (no clearances, no threshold pace: those are the strict reader's).
fn athlete(p: &mut Plain<'_>) -> Option<Athlete> {
    let mut a = Athlete::default();
    p.members(|p, key| {
        match key {
            "age" if a.age.is_none() => a.age = Some(number(p, 10.0, 110.0)?),
            "sex" if a.sex.is_none() => a.sex = Some(Sex::from_code(p.string()?)?),
            "body_mass_kg" if a.body_mass_kg.is_none() => {
                a.body_mass_kg = Some(number(p, 25.0, 250.0)?);
            }
            "weekly_km" if a.weekly_km.is_none() => a.weekly_km = Some(number(p, 0.0, 400.0)?),
            "goal" if a.goal.is_none() => a.goal = Some(Goal::from_code(p.string()?)?),
            "equipment" if a.equipment.is_none() => {
                a.equipment = Some(code_set(p, Equipment::from_code)?);
            }
            "conditions" if a.conditions.is_none() => {
                a.conditions = Some(code_set(p, Condition::from_code)?);
            }
            "budget" if a.budget.is_none() => a.budget = Some(Budget::from_code(p.string()?)?),
            "prefers_cycling" if a.prefers_cycling.is_none() => {
                a.prefers_cycling = Some(p.boolean()?);
            }
            "max_hr" if a.max_hr.is_none() => a.max_hr = Some(number(p, 30.0, 230.0)?),
            "rest_hr" if a.rest_hr.is_none() => a.rest_hr = Some(number(p, 30.0, 230.0)?),
            "name" if a.name.is_none() => a.name = Some(p.string()?.to_owned()),
            _ => return None,
        }
        Some(())
    })?;
    Some(a)
}

fn run(p: &mut Plain<'_>) -> Option<Run> {
    let mut r = Run::default();
    p.members(|p, key| {
        match key {
            "ended_at" if r.ended_at.is_none() => r.ended_at = Some(time(p)?),
            "duration_min" if r.duration_min.is_none() => {
                r.duration_min = Some(number(p, 1.0, 2880.0)?);
            }
            "distance_km" if r.distance_km.is_none() => {
                r.distance_km = Some(number(p, 0.0, 400.0)?);
            }
            "ascent_m" if r.ascent_m.is_none() => r.ascent_m = Some(number(p, 0.0, 20000.0)?),
            "descent_m" if r.descent_m.is_none() => r.descent_m = Some(number(p, 0.0, 20000.0)?),
            "avg_hr" if r.avg_hr.is_none() => r.avg_hr = Some(number(p, 30.0, 230.0)?),
            "rpe" if r.rpe.is_none() => r.rpe = Some(number(p, 1.0, 10.0)?),
            "file" if r.file.is_none() => r.file = Some(p.string()?.to_owned()),
            _ => return None,
        }
        Some(())
    })?;
    Some(r)
}

/// Ratings in region order; a region named twice is left to the strict reader.
fn soreness(p: &mut Plain<'_>) -> Option<Vec<(Region, f64)>> {
    let mut out: Vec<(Region, f64)> = Vec::new();
    p.members(|p, key| {
        let region = Region::from_code(key, false)?;
        if out.iter().any(|(r, _)| *r == region) {
            return None;
        }
        out.push((region, number(p, 0.0, 10.0)?));
        Some(())
    })?;
    out.sort_by_key(|(region, _)| *region);
    Some(out)
}

fn symptoms(p: &mut Plain<'_>) -> Option<Vec<Symptom>> {
    let mut out = Vec::new();
    p.items(|p| {
        out.push(symptom(p)?);
        Some(())
    })?;
    Some(out)
}

fn symptom(p: &mut Plain<'_>) -> Option<Symptom> {
    let mut code = None;
    let mut s = Symptom {
        code: SymptomCode::ALL.first().copied()?,
        region: None,
        since_hours: None,
        trend: None,
        after: None,
    };
    p.members(|p, key| {
        match key {
            "code" if code.is_none() => code = Some(SymptomCode::from_code(p.string()?)?),
            "region" if s.region.is_none() => s.region = Some(region(p)?),
            "since_hours" if s.since_hours.is_none() => {
                s.since_hours = Some(number(p, 0.0, 8760.0)?);
            }
            "trend" if s.trend.is_none() => s.trend = Some(Trend::from_code(p.string()?)?),
            "after" if s.after.is_none() => s.after = Some(After::from_code(p.string()?)?),
            _ => return None,
        }
        Some(())
    })?;
    s.code = code?;
    Some(s)
}

#[cfg(test)]
mod tests {
    use crate::checkin::{checkin_from_value, read_json};

    /// The check-in the strict reader gives, or `None` for an error.
    fn strict(text: &str) -> Option<crate::CheckIn> {
        read_json(text).ok().and_then(|v| checkin_from_value(&v).ok())
    }

    #[test]
    fn a_plain_check_in_reads_as_the_strict_reader_reads_it() {
        let full = r#"{"now":"2026-11-23T08:30:00Z","athlete":{"age":35,"sex":"female",
            "body_mass_kg":61.5,"weekly_km":95,"goal":"marathon","equipment":["bike",
            "foam_roller","bike"],"conditions":[],"budget":"medium","prefers_cycling":true,
            "max_hr":190,"rest_hr":48,"name":"Ana"},"run":{"ended_at":"2026-11-23T08:10:00Z",
            "duration_min":150,"distance_km":32.25,"ascent_m":60,"descent_m":0.5,"avg_hr":148,
            "rpe":7,"file":"a.fit"},"soreness":{"quads":5,"calves_right":4.5,"hamstrings":0},
            "symptoms":[{"code":"dull_ache","region":"quads","since_hours":24,
            "trend":"improving","after":"none"},{"code":"fever"}],"cramp_now":"calves_right",
            "next_run_at":"2026-11-24T17:00:00Z"}"#;
        assert!(super::read(full).is_some());
        assert_eq!(super::read(full), strict(full));
        for (from, to) in [
            (r#""age":35"#, r#""age":9"#),
            (r#""age":35"#, r#""age":35,"age":36"#),
            (r#""quads":5"#, r#""quads":5,"quads":6"#),
            (r#""quads":5"#, r#""quads":null"#),
            (r#""rpe":7"#, r#""rpe":7e0"#),
            (r#""rpe":7"#, r#""rpe":07"#),
            (r#""rpe":7"#, r#""rpe":-7"#),
            (r#""rpe":7"#, r#""rpe":7."#),
            (r#""name":"Ana""#, r#""name":"A\u006ea""#),
            (r#""code":"fever""#, r#""code":"fever","x":1"#),
            (r#""code":"fever""#, r#""region":"chest""#),
            (r#""2026-11-23T08:10:00Z""#, r#""2026-11-23T09:10:00+01:00""#),
            (r#""2026-11-23T08:10:00Z""#, r#""2026-11-23T08:40:00Z""#),
            (r#""2026-11-24T17:00:00Z""#, r#""2026-02-29T17:00:00Z""#),
            (r#""now":"2026-11-23T08:30:00Z","#, ""),
        ] {
            let text = full.replacen(from, to, 1);
            assert_eq!(super::read(&text), None, "{text}");
        }
        let spaced = full.replace(',', " ,\n\t").replace("\":", "\"\r: ");
        assert_eq!(super::read(&spaced), strict(full));
    }
}
