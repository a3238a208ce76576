//! The common check-in read in one pass, with no tree in between: plain JSON ([`Plain`]), every
//! field valid, no `null`, times written `YYYY-MM-DDTHH:MM:SSZ`, no clearance or threshold pace.
//! Anything else answers `None`, and [`crate::checkin::parse_checkin`] then reads the document
//! the strict way, which gives the same check-in or the error that names the field.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::checkin::{Athlete, Bounds, CheckIn, Run, Symptom, bounds, check_order, plain_utc};
use crate::codes::{After, Budget, Condition, Equipment, Goal, Sex, SymptomCode, Trend};
use crate::region::Region;
use crate::strict::Plain;

/// The check-in, when the document is plain and valid.
pub fn read(text: &str) -> Option<CheckIn> {
    let mut p = Plain::new(text);
    let (mut now, mut given) = (None, None);
    let mut c = CheckIn {
        now: Timestamp::UNIX_EPOCH,
        athlete: Athlete::default(),
        run: None,
        soreness: None,
        symptoms: None,
        cramp_now: None,
        next_run_at: None,
    };
    p.members(|p, key| match key {
        "now" => set(&mut now, time(p)),
        "athlete" => set(&mut given, athlete(p)),
        "run" => set(&mut c.run, run(p)),
        "soreness" => set(&mut c.soreness, soreness(p)),
        "symptoms" => set(&mut c.symptoms, symptoms(p)),
        "cramp_now" => set(&mut c.cramp_now, region(p)),
        "next_run_at" => set(&mut c.next_run_at, time(p)),
        _ => None,
    })?;
    p.end()?;
    c.now = now?;
    c.athlete = given.unwrap_or_default();
    check_order(c.now, c.run.as_ref(), c.next_run_at).ok()?;
    Some(c)
}

/// Sets a field the first time it is given: `None` (left to the strict reader) for a field
/// given twice, or a value not read.
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}

fn time(p: &mut Plain<'_>) -> Option<Timestamp> {
    plain_utc(p.string()?)
}

fn code<T>(p: &mut Plain<'_>, parse: fn(&str) -> Option<T>) -> Option<T> {
    parse(p.string()?)
}

fn region(p: &mut Plain<'_>) -> Option<Region> {
    Region::from_code(p.string()?, false)
}

fn number(p: &mut Plain<'_>, (low, high): Bounds) -> Option<f64> {
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
    p.members(|p, key| match key {
        "age" => set(&mut a.age, number(p, bounds::AGE)),
        "sex" => set(&mut a.sex, code(p, Sex::from_code)),
        "body_mass_kg" => set(&mut a.body_mass_kg, number(p, bounds::BODY_MASS_KG)),
        "goal" => set(&mut a.goal, code(p, Goal::from_code)),
        "weekly_km" => set(&mut a.weekly_km, number(p, bounds::WEEKLY_KM)),
        "equipment" => set(&mut a.equipment, code_set(p, Equipment::from_code)),
        "max_hr" => set(&mut a.max_hr, number(p, bounds::HEART_RATE)),
        "conditions" => set(&mut a.conditions, code_set(p, Condition::from_code)),
        "rest_hr" => set(&mut a.rest_hr, number(p, bounds::HEART_RATE)),
        "budget" => set(&mut a.budget, code(p, Budget::from_code)),
        "prefers_cycling" => set(&mut a.prefers_cycling, p.boolean()),
        "name" => set(&mut a.name, p.string().map(str::to_owned)),
        _ => None,
    })?;
    Some(a)
}

fn run(p: &mut Plain<'_>) -> Option<Run> {
    let mut r = Run::default();
    p.members(|p, key| {
        // Every field but two is a number: its slot and range.
        let (slot, range) = match key {
            "ended_at" => return set(&mut r.ended_at, time(p)),
            "file" => return set(&mut r.file, p.string().map(str::to_owned)),
            "duration_min" => (&mut r.duration_min, bounds::DURATION_MIN),
            "distance_km" => (&mut r.distance_km, bounds::DISTANCE_KM),
            "ascent_m" => (&mut r.ascent_m, bounds::CLIMB_M),
            "descent_m" => (&mut r.descent_m, bounds::CLIMB_M),
            "avg_hr" => (&mut r.avg_hr, bounds::HEART_RATE),
            "rpe" => (&mut r.rpe, bounds::RPE),
            _ => return None,
        };
        set(slot, number(p, range))
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
        out.push((region, number(p, bounds::SORENESS)?));
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
    let (mut code_given, mut region_given, mut since_hours) = (None, None, None);
    let (mut trend, mut after) = (None, None);
    p.members(|p, key| match key {
        "code" => set(&mut code_given, code(p, SymptomCode::from_code)),
        "region" => set(&mut region_given, region(p)),
        "since_hours" => set(&mut since_hours, number(p, bounds::SINCE_HOURS)),
        "trend" => set(&mut trend, code(p, Trend::from_code)),
        "after" => set(&mut after, code(p, After::from_code)),
        _ => None,
    })?;
    Some(Symptom { code: code_given?, region: region_given, since_hours, trend, after })
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
