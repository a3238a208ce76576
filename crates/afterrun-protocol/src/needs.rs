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

/// Room for the masks [`Merger`] keeps beside its regions; those of a longer list are worked
/// out when read.
const MERGE_ROOM: usize = 32;

/// A list of target regions built by [`Merger::add`] (no region covered by another) and
/// [`Merger::add_uncovered`], with each kept region's mask worked out once (a plan merges a
/// few lists of a few regions, many times each).
#[derive(Debug)]
pub struct Merger {
    regions: Vec<Region>,
    /// The mask of each of `regions` while they fit; past `MERGE_ROOM` they are read off the
    /// regions.
    masks: [Mask; MERGE_ROOM],
}

impl Merger {
    /// An empty list with room for `capacity` regions.
    pub fn with_capacity(capacity: usize) -> Merger {
        Merger { regions: Vec::with_capacity(capacity), masks: [Mask::NONE; MERGE_ROOM] }
    }

    /// A list of `regions` as they are, with room for `more`.
    pub fn from_regions(regions: &[Region], more: usize) -> Merger {
        let mut out = Merger::with_capacity(regions.len() + more);
        for &r in regions {
            out.push(r, r.mask());
        }
        out
    }

    /// True when no region is kept.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// The masks of the kept regions, when they all fit beside them.
    fn masks(&self) -> Option<&[Mask]> {
        self.masks.get(..self.regions.len())
    }

    /// True when a kept region covers every atom of `mask`.
    fn covered(&self, mask: Mask) -> bool {
        match self.masks() {
            Some(kept) => kept.iter().any(|k| k.covers(mask)),
            None => self.regions.iter().any(|r| r.mask().covers(mask)),
        }
    }

    fn push(&mut self, region: Region, mask: Mask) {
        if let Some(slot) = self.masks.get_mut(self.regions.len()) {
            *slot = mask;
        }
        self.regions.push(region);
    }

    /// Adds `region` unless a kept region covers it; drops the kept regions it covers.
    pub fn add(&mut self, region: Region) {
        let mask = region.mask();
        if self.covered(mask) {
            return;
        }
        match self.masks() {
            Some(kept) if !kept.iter().any(|k| mask.covers(*k)) => {}
            _ => self.drop_covered_by(mask),
        }
        self.push(region, mask);
    }

    /// Drops the kept regions `mask` covers, keeping the order of the others.
    fn drop_covered_by(&mut self, mask: Mask) {
        self.regions.retain(|r| !mask.covers(r.mask()));
        for (slot, r) in self.masks.iter_mut().zip(&self.regions) {
            *slot = r.mask();
        }
    }

    /// Adds the parts of `region` no kept region covers yet, keeping the regions already
    /// named: a bare group whose one side is already kept adds only the other side, so a sore
    /// `calves_right` stays named as such when the major groups are added.
    pub fn add_uncovered(&mut self, region: Region) {
        let mask = region.mask();
        if self.covered(mask) {
            return;
        }
        // Each part and whether a kept region covers it, worked out before the list changes.
        let mut parts = [None; 2];
        for (slot, p) in parts.iter_mut().zip(region.split()) {
            *slot = Some((p, p.mask(), self.covered(p.mask())));
        }
        let parts = parts.into_iter().flatten();
        if parts.clone().all(|(_, _, covered)| !covered) {
            return self.push(region, mask);
        }
        for (p, m, _) in parts.filter(|(_, _, covered)| !covered) {
            self.push(p, m);
        }
    }

    /// The regions, in the order they were kept.
    pub fn into_vec(self) -> Vec<Region> {
        self.regions
    }
}

/// Room for the targets of most check-ins, so that the list does not grow.
const TARGETS_RESERVED: usize = 8;

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
    let mut targets = Merger::with_capacity(TARGETS_RESERVED);
    for &(region, rating) in checkin.soreness.as_deref().unwrap_or(&[]) {
        out.max_soreness = out.max_soreness.max(rating);
        if rating >= VERY_SORE {
            out.very_sore = true;
        }
        if rating >= TARGET_SORENESS {
            out.sore.push(region);
            if region.is_leg() {
                targets.add(region);
            } else if region == Region::WholeBody {
                whole_body_sore = true;
            }
        }
    }
    let mut add = |g: Group| targets.add_uncovered(Region::group(g));
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
    if targets.is_empty() {
        for g in MAJOR {
            targets.add_uncovered(Region::group(g));
        }
        out.defaulted = true;
    }
    out.targets = targets.into_vec();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// The rules `Merger` implements, on a plain list: the masks worked out at every step.
    fn merge_reference(list: &mut Vec<Region>, region: Region) {
        let mask = region.mask();
        if list.iter().any(|t| t.mask().covers(mask)) {
            return;
        }
        list.retain(|t| !mask.covers(t.mask()));
        list.push(region);
    }

    fn add_uncovered_reference(list: &mut Vec<Region>, region: Region) {
        let covered = |list: &[Region], part: Mask| list.iter().any(|t| t.mask().covers(part));
        if covered(list, region.mask()) {
            return;
        }
        let parts: Vec<(Region, bool)> =
            region.split().map(|p| (p, covered(list, p.mask()))).collect();
        if parts.iter().all(|(_, c)| !c) {
            list.push(region);
            return;
        }
        list.extend(parts.iter().filter(|(_, c)| !c).map(|(p, _)| *p));
    }

    #[test]
    fn the_merger_keeps_what_merging_one_at_a_time_keeps() {
        let regions: Vec<Region> = crate::region::all_regions()
            .into_iter()
            .chain([Region::LowerBack, Region::Chest, Region::WholeBody, Region::All])
            .collect();
        let mut rng = SplitMix64::new(7);
        let mut pick = || regions[rng.next_u64() as usize % regions.len()];
        // Lists that start with up to 44 regions as given, past the masks kept beside them.
        for case in 0..3_000 {
            let start: Vec<Region> = (0..case % 45).map(|_| pick()).collect();
            let mut merger = Merger::from_regions(&start, 0);
            let mut reference = start;
            let steps = case % 40;
            for step in 0..steps {
                let region = pick();
                if (case + step) % 3 == 0 {
                    merger.add_uncovered(region);
                    add_uncovered_reference(&mut reference, region);
                } else {
                    merger.add(region);
                    merge_reference(&mut reference, region);
                }
            }
            assert_eq!(merger.into_vec(), reference, "case {case}");
        }
    }
}
