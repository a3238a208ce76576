//! Needs: which muscle groups need work and how much (protocol.md §4).

use crate::checkin::CheckIn;
use crate::history::History;
use crate::region::{Group, Mask, Part, Region, Side};

/// Soreness at or above this is a target.
pub const TARGET_SORENESS: f64 = 3.0;
/// Soreness at or above this is *very sore*.
pub const VERY_SORE: f64 = 7.0;

/// The major groups, the default targets when nothing else is known (`seed-guide`).
pub const MAJOR: [Group; 3] = [Group::Quads, Group::Hamstrings, Group::Calves];

/// What the legs need.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Needs {
    /// Target regions, most specific evidence first (soreness, then the run, then the forecast).
    pub targets: Vec<Region>,
    /// True when the targets are the default major groups (nothing else was known).
    pub defaulted: bool,
    /// Regions rated ≥ 3.
    pub sore: Vec<Region>,
    /// The highest soreness rating (0 when none).
    pub max_soreness: f64,
    /// Any rating ≥ 7.
    pub very_sore: bool,
}

/// Adds `region` unless a target already covers it; drops targets it covers.
pub fn merge(list: &mut Vec<Region>, region: Region) {
    let mask = region.mask();
    if list.iter().any(|t| t.mask().covers(mask)) {
        return;
    }
    list.retain(|t| !mask.covers(t.mask()));
    list.push(region);
}

/// Adds the parts of `region` no target covers yet, keeping the targets already named: a bare
/// group whose one side is already a target adds only the other side, so a sore `calves_right`
/// stays named as such when the major groups are added.
pub fn add_uncovered(list: &mut Vec<Region>, region: Region) {
    let covered = |list: &[Region], part: Mask| list.iter().any(|t| t.mask().covers(part));
    if covered(list, region.mask()) {
        return;
    }
    // Each part and whether a target covers it, worked out before the list changes.
    let parts = region.split().map(|p| (p, covered(list, p.mask())));
    let parts: [Option<(Region, bool)>; 2] = {
        let mut it = parts;
        [it.next(), it.next()]
    };
    let parts = parts.into_iter().flatten();
    if parts.clone().all(|(_, c)| !c) {
        list.push(region);
        return;
    }
    list.extend(parts.filter(|(_, c)| !c).map(|(p, _)| p));
}

/// Average speed faster than this (km/h) counts as fast running when no threshold pace is known.
const FAST_KMH: f64 = 13.5;

fn fast_run(checkin: &CheckIn) -> bool {
    let Some(run) = checkin.run.as_ref() else {
        return false;
    };
    let speed = match (run.distance_km, run.duration_min) {
        (Some(d), Some(m)) if m > 0.0 => Some(d / (m / 60.0)),
        _ => None,
    };
    let fast_pace = match (speed, checkin.athlete.threshold_pace_s_per_km) {
        // Within 5 % of threshold pace (or faster).
        (Some(kmh), Some(pace)) if kmh > 0.0 => 3600.0 / kmh <= f64::from(pace) * 1.05,
        (Some(kmh), _) => kmh >= FAST_KMH,
        _ => false,
    };
    // A short, very hard session is speed work.
    let short_hard =
        run.rpe.is_some_and(|r| r >= 8.0) && run.duration_min.is_some_and(|m| m < 60.0);
    fast_pace || short_hard
}

/// Works out the needs from soreness, the run and the history's forecast.
pub fn needs(checkin: &CheckIn, history: &History) -> Needs {
    let mut out = Needs::default();
    let mut whole_body_sore = false;
    for &(region, rating) in checkin.soreness.as_deref().unwrap_or(&[]) {
        out.max_soreness = out.max_soreness.max(rating);
        if rating >= VERY_SORE {
            out.very_sore = true;
        }
        if rating >= TARGET_SORENESS {
            out.sore.push(region);
            if region.is_leg() {
                merge(&mut out.targets, region);
            } else if region == Region::WholeBody {
                whole_body_sore = true;
            }
        }
    }
    let mut add = |g: Group| add_uncovered(&mut out.targets, Region::group(g));
    // A whole-body rating counts for every muscle group (protocol.md, more rules v2).
    if whole_body_sore {
        Group::ALL.into_iter().for_each(&mut add);
    }
    if let Some(run) = checkin.run.as_ref() {
        if run.descent_m.is_some_and(|d| d >= 300.0) {
            add(Group::Quads);
        }
        let fast = fast_run(checkin);
        if run.ascent_m.is_some_and(|a| a >= 300.0) || fast {
            add(Group::Calves);
            add(Group::Glutes);
        }
        if run.duration_min.is_some_and(|d| d >= 90.0) {
            add(Group::Quads);
            add(Group::Calves);
            add(Group::Hamstrings);
        }
        if fast {
            add(Group::Hamstrings);
            add(Group::Calves);
        }
    }
    for f in &history.forecast {
        if f.peak >= TARGET_SORENESS {
            add(f.group);
        }
    }
    if out.targets.is_empty() {
        for g in MAJOR {
            add_uncovered(&mut out.targets, Region::group(g));
        }
        out.defaulted = true;
    }
    out
}

/// The groups a composite region is made of (for splitting around a block).
pub fn decompose(region: Region) -> Vec<Region> {
    match region {
        Region::Group(_, None) => region.split().collect(),
        Region::Part(Part::Thigh, side) => [Group::Quads, Group::Hamstrings, Group::Adductors]
            .into_iter()
            .map(|g| Region::Group(g, Some(side)))
            .collect(),
        Region::Part(Part::Hip, side) => [Group::HipFlexors, Group::Glutes]
            .into_iter()
            .map(|g| Region::Group(g, Some(side)))
            .collect(),
        Region::Part(Part::Leg, side) => {
            Group::ALL.into_iter().map(|g| Region::Group(g, Some(side))).collect()
        }
        Region::WholeBody => Side::BOTH
            .into_iter()
            .flat_map(|s| MAJOR.into_iter().map(move |g| Region::Group(g, Some(s))))
            .collect(),
        other => vec![other],
    }
}
