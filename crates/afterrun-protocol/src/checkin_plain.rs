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

/// The check-in, when the document is plain and valid.
pub fn read(text: &str) -> Option<CheckIn> {
    let mut p = Plain::new(text);
    let mut c = CheckIn {
        now: Timestamp::UNIX_EPOCH,
        athlete: Athlete::default(),
        run: None,
        soreness: None,
        symptoms: None,
        cramp_now: None,
        next_run_at: None,
    };
    let mut keys = Keys::default();
    p.members(|p, key| {
        match keys.first(key, TOP_KEYS)? {
            0 => c.now = time(p)?,
            1 => c.athlete = athlete(p)?,
            2 => c.run = Some(run(p)?),
            3 => c.soreness = Some(soreness(p)?),
            4 => c.symptoms = Some(symptoms(p)?),
            5 => c.cramp_now = Some(region(p)?),
            6 => c.next_run_at = Some(time(p)?),
            _ => return None,
        }
        Some(())
    })?;
    p.end()?;
    if !keys.has(0) {
        return None;
    }
    check_order(c.now, c.run.as_ref(), c.next_run_at).ok()?;
    Some(c)
}

const TOP_KEYS: &[&str] =
    &["now", "athlete", "run", "soreness", "symptoms", "cramp_now", "next_run_at"];

/// The keys an object has given so far, as bits of their places in its list.
#[derive(Default)]
struct Keys(u32);

impl Keys {
    /// The place of `key` in `allowed`, the first time it is given; `None` for a key not
    /// allowed or given twice.
    fn first(&mut self, key: &str, allowed: &[&str]) -> Option<usize> {
        let first = key.as_bytes().first();
        let at = allowed
            .iter()
            .position(|k| k.len() == key.len() && k.as_bytes().first() == first && *k == key)?;
        let bit = 1u32.checked_shl(u32::try_from(at).ok()?)?;
        (self.0 & bit == 0).then(|| self.0 |= bit)?;
        Some(at)
    }

    fn has(&self, at: u32) -> bool {
        self.0 >> at & 1 == 1
    }
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

/// The athlete's fields this reader takes (no clearances, no threshold pace).
const ATHLETE_KEYS: &[&str] = &[
    "age",
    "sex",
    "body_mass_kg",
    "weekly_km",
    "goal",
    "equipment",
    "conditions",
    "budget",
    "prefers_cycling",
    "max_hr",
    "rest_hr",
    "name",
];

fn athlete(p: &mut Plain<'_>) -> Option<Athlete> {
    let mut a = Athlete::default();
    let mut keys = Keys::default();
    p.members(|p, key| {
        match keys.first(key, ATHLETE_KEYS)? {
            0 => a.age = Some(number(p, 10.0, 110.0)?),
            1 => a.sex = Some(Sex::from_code(p.string()?)?),
            2 => a.body_mass_kg = Some(number(p, 25.0, 250.0)?),
            3 => a.weekly_km = Some(number(p, 0.0, 400.0)?),
            4 => a.goal = Some(Goal::from_code(p.string()?)?),
            5 => a.equipment = Some(code_set(p, Equipment::from_code)?),
            6 => a.conditions = Some(code_set(p, Condition::from_code)?),
            7 => a.budget = Some(Budget::from_code(p.string()?)?),
            8 => a.prefers_cycling = Some(p.boolean()?),
            9 => a.max_hr = Some(number(p, 30.0, 230.0)?),
            10 => a.rest_hr = Some(number(p, 30.0, 230.0)?),
            11 => a.name = Some(p.string()?.to_owned()),
            _ => return None,
        }
        Some(())
    })?;
    Some(a)
}

const RUN_KEYS: &[&str] =
    &["ended_at", "duration_min", "distance_km", "ascent_m", "descent_m", "avg_hr", "rpe", "file"];

fn run(p: &mut Plain<'_>) -> Option<Run> {
    let mut r = Run::default();
    let mut keys = Keys::default();
    p.members(|p, key| {
        match keys.first(key, RUN_KEYS)? {
            0 => r.ended_at = Some(time(p)?),
            1 => r.duration_min = Some(number(p, 1.0, 2880.0)?),
            2 => r.distance_km = Some(number(p, 0.0, 400.0)?),
            3 => r.ascent_m = Some(number(p, 0.0, 20000.0)?),
            4 => r.descent_m = Some(number(p, 0.0, 20000.0)?),
            5 => r.avg_hr = Some(number(p, 30.0, 230.0)?),
            6 => r.rpe = Some(number(p, 1.0, 10.0)?),
            7 => r.file = Some(p.string()?.to_owned()),
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
    let mut keys = Keys::default();
    p.members(|p, key| {
        match keys.first(key, &["code", "region", "since_hours", "trend", "after"])? {
            0 => code = Some(SymptomCode::from_code(p.string()?)?),
            1 => s.region = Some(region(p)?),
            2 => s.since_hours = Some(number(p, 0.0, 8760.0)?),
            3 => s.trend = Some(Trend::from_code(p.string()?)?),
            4 => s.after = Some(After::from_code(p.string()?)?),
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
