//! What a run did to each muscle group, from its samples.
//!
//! The load of a group is counted in *level-kilometre equivalents*: one kilometre of level
//! running at threshold pace loads each group by its base coefficient, and terrain and speed add
//! to it:
//! - **downhill** loads the quadriceps eccentrically (`eston-1995`): each metre of descent adds
//!   [`QUADS_PER_DESCENT_M`] level-metre equivalents, and the shins, calves and feet brake too;
//! - **uphill** loads calves and glutes (hip extensors and ankle provide the climbing work,
//!   `roberts-2005`), and the hip flexors that lift the leg;
//! - **fast running** loads calves and glutes with the square of speed over threshold speed
//!   (`dorn-2012`) and the hamstrings with its fourth power (they brake the swinging leg, and
//!   their load climbs steeply toward sprinting, `schache-2012`);
//! - **long duration** (past 90 minutes, `seed-guide`) raises quads, hamstrings and calves by
//!   half again per further hour.
//!
//! The eccentric (downhill) share is kept apart in [`MuscleLoad::eccentric`]: the repeated-bout
//! effect protects against it specifically (`nosaka-2001`). The result is a small fixed-size
//! struct computed once per activity at import, so the forecast over years of history never
//! touches a sample again.

use std::fmt;
use std::str::FromStr;

use afterrun_activity::Sample;

use crate::grade::{self, Sink, Step};
use crate::profile::Thresholds;

/// The eight muscle groups of the contract, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MuscleGroup {
    /// Quadriceps.
    Quads,
    /// Hamstrings.
    Hamstrings,
    /// Calves (gastrocnemius and soleus).
    Calves,
    /// Glutes.
    Glutes,
    /// Shins (tibialis anterior).
    Shins,
    /// Feet (intrinsic foot muscles, plantar fascia).
    Feet,
    /// Adductors.
    Adductors,
    /// Hip flexors.
    HipFlexors,
}

/// Number of muscle groups.
pub const GROUPS: usize = 8;

impl MuscleGroup {
    /// All groups, in the contract's order (the index of each is `group as usize`).
    pub const ALL: [MuscleGroup; GROUPS] = [
        MuscleGroup::Quads,
        MuscleGroup::Hamstrings,
        MuscleGroup::Calves,
        MuscleGroup::Glutes,
        MuscleGroup::Shins,
        MuscleGroup::Feet,
        MuscleGroup::Adductors,
        MuscleGroup::HipFlexors,
    ];

    /// The snake_case code used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MuscleGroup::Quads => "quads",
            MuscleGroup::Hamstrings => "hamstrings",
            MuscleGroup::Calves => "calves",
            MuscleGroup::Glutes => "glutes",
            MuscleGroup::Shins => "shins",
            MuscleGroup::Feet => "feet",
            MuscleGroup::Adductors => "adductors",
            MuscleGroup::HipFlexors => "hip_flexors",
        }
    }
}

impl MuscleGroup {
    /// Parses an exact group code (no side).
    pub fn from_code(code: &str) -> Option<MuscleGroup> {
        MuscleGroup::ALL.into_iter().find(|g| g.as_str() == code)
    }

    /// The group in plain words, as a runner names it: `calves` → "calves" (both legs) or
    /// "calf" (one leg).
    pub fn words(self, one_leg: bool) -> &'static str {
        match (self, one_leg) {
            (MuscleGroup::Quads, _) => "quads",
            (MuscleGroup::Hamstrings, false) => "hamstrings",
            (MuscleGroup::Hamstrings, true) => "hamstring",
            (MuscleGroup::Calves, false) => "calves",
            (MuscleGroup::Calves, true) => "calf",
            (MuscleGroup::Glutes, _) => "glutes",
            (MuscleGroup::Shins, false) => "shins",
            (MuscleGroup::Shins, true) => "shin",
            (MuscleGroup::Feet, false) => "feet",
            (MuscleGroup::Feet, true) => "foot",
            (MuscleGroup::Adductors, false) => "inner thighs",
            (MuscleGroup::Adductors, true) => "inner thigh",
            (MuscleGroup::HipFlexors, false) => "hip flexors",
            (MuscleGroup::HipFlexors, true) => "hip flexor",
        }
    }
}

impl fmt::Display for MuscleGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A muscle-group code that is not one of the eight.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown muscle group `{0}`")]
pub struct UnknownGroup(pub String);

impl FromStr for MuscleGroup {
    type Err = UnknownGroup;

    /// Parses a bare group code, or one with `_left`/`_right` (the side is dropped).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.strip_suffix("_left").or_else(|| s.strip_suffix("_right")).unwrap_or(s);
        MuscleGroup::from_code(bare).ok_or_else(|| UnknownGroup(s.to_owned()))
    }
}

/// Per-group load of one activity, in level-kilometre equivalents, indexed by
/// `MuscleGroup as usize`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MuscleLoad {
    /// Everything the activity did to each group.
    pub total: [f64; GROUPS],
    /// The eccentric (downhill) part of `total`.
    pub eccentric: [f64; GROUPS],
}

impl MuscleLoad {
    /// The total load of one group.
    pub fn of(&self, g: MuscleGroup) -> f64 {
        self.total[g as usize]
    }
}

/// Coefficients of one group, per kilometre of running or per metre of climb.
#[derive(Debug, Clone, Copy)]
struct Coef {
    /// Level-km equivalents per km at any speed.
    base: f64,
    /// Per km, times (speed / threshold speed)².
    speed2: f64,
    /// Per km, times (speed / threshold speed)⁴.
    speed4: f64,
    /// Level-metre equivalents per metre of descent (eccentric).
    down: f64,
    /// Level-metre equivalents per metre of ascent.
    up: f64,
    /// Whether long duration raises this group (`seed-guide`: quads, calves, hamstrings).
    long: bool,
}

/// A metre of descent asks 9.81 J/kg of extra negative work (m·g per metre of drop), against
/// about 1 J/kg of mechanical work per metre of level running (the 3.6 J/kg/m metabolic cost of
/// `minetti-2002` at the ≈ 25 % efficiency of muscle work): ten level metres. The quadriceps take
/// most of it as stretched-muscle (eccentric) work, the kind that causes damage
/// (`eston-1995`), counted three times: 30 level-metre equivalents per metre of descent.
pub const QUADS_PER_DESCENT_M: f64 = 30.0;

/// The coefficient table, in `MuscleGroup::ALL` order. Base shares follow which groups do the
/// work of level running (`dorn-2012`); the terrain and speed terms follow the module docs.
/// Magnitudes beyond those sources are modelling choices, scaled per athlete by check-ins.
const COEF: [Coef; GROUPS] = [
    // quads: level running, eccentric braking downhill, some uphill work.
    Coef { base: 1.0, speed2: 0.0, speed4: 0.0, down: QUADS_PER_DESCENT_M, up: 5.0, long: true },
    // hamstrings: swing-leg braking, steeply with speed (schache-2012).
    Coef { base: 0.5, speed2: 0.0, speed4: 1.0, down: 0.0, up: 3.0, long: true },
    // calves: push-off, rising with speed (dorn-2012) and climbing (roberts-2005).
    Coef { base: 0.8, speed2: 0.6, speed4: 0.0, down: 5.0, up: 20.0, long: true },
    // glutes: hip extension, rising with speed (dorn-2012) and climbing (roberts-2005).
    Coef { base: 0.4, speed2: 0.6, speed4: 0.0, down: 3.0, up: 20.0, long: false },
    // shins: tibialis anterior braking foot-slap on descents.
    Coef { base: 0.6, speed2: 0.0, speed4: 0.0, down: 10.0, up: 0.0, long: false },
    // feet: impact per kilometre, more at speed and downhill.
    Coef { base: 0.8, speed2: 0.3, speed4: 0.0, down: 3.0, up: 0.0, long: false },
    // adductors: stabilise the pelvis, a little more on rough terrain and at speed.
    Coef { base: 0.3, speed2: 0.3, speed4: 0.0, down: 3.0, up: 3.0, long: false },
    // hip flexors: lift the leg, more uphill and at speed.
    Coef { base: 0.3, speed2: 0.5, speed4: 0.0, down: 0.0, up: 10.0, long: false },
];

/// Moving time after which long duration starts to add load, seconds (`seed-guide`: runs of
/// 90 minutes or more).
const LONG_AFTER_S: f64 = 5_400.0;
/// Extra share of load per hour past [`LONG_AFTER_S`] (modelling choice).
const LONG_PER_HOUR: f64 = 0.5;
/// Below this speed the athlete walks: walking loads the legs less per metre (modelling choice,
/// about 60 %).
const WALK_SPEED: f64 = 2.0;
/// Share of running load that a metre of walking carries.
const WALK_FACTOR: f64 = 0.6;

fn long_factor(elapsed_s: f64) -> f64 {
    1.0 + LONG_PER_HOUR * (elapsed_s - LONG_AFTER_S).max(0.0) / 3600.0
}

/// Running sums over the steps; the eight groups are combined from them once at the end, so a
/// step costs a handful of multiply-adds whatever the number of groups. Few sums, so they stay
/// in registers: the segment's metres are the difference from a snapshot taken at its start.
#[derive(Default)]
struct MuscleSink {
    inv_vthr2: f64,
    /// Σ metres × gait, without and with the long-duration factor, and with speed terms.
    w: f64,
    wl: f64,
    w_r2: f64,
    wl_r2: f64,
    wl_r4: f64,
    /// Metres of climb and descent (gait-weighted), without and with the long factor.
    up: f64,
    down: f64,
    up_l: f64,
    down_l: f64,
    /// `w` and `wl` when the open segment started.
    seg_w0: f64,
    seg_wl0: f64,
}

/// Speed⁴ is counted with the long-duration factor only: checked here for the table.
const _: () = {
    let mut i = 0;
    while i < GROUPS {
        assert!(COEF[i].long || COEF[i].speed4 == 0.0);
        i += 1;
    }
};

impl Sink for MuscleSink {
    #[inline]
    fn step(&mut self, s: &Step) {
        let gait = if s.v < WALK_SPEED { WALK_FACTOR } else { 1.0 };
        let w = s.dd * gait;
        let wl = w * long_factor(s.elapsed);
        let r2 = s.v * s.v * self.inv_vthr2;
        self.w += w;
        self.wl += wl;
        self.w_r2 += w * r2;
        self.wl_r2 += wl * r2;
        self.wl_r4 += wl * r2 * r2;
    }

    #[inline]
    fn close(&mut self, grade: f64) {
        let (up, down) = (grade.max(0.0), (-grade).max(0.0));
        let (seg_w, seg_wl) = (self.w - self.seg_w0, self.wl - self.seg_wl0);
        self.up += seg_w * up;
        self.down += seg_w * down;
        self.up_l += seg_wl * up;
        self.down_l += seg_wl * down;
        self.seg_w0 = self.w;
        self.seg_wl0 = self.wl;
    }
}

impl MuscleSink {
    fn finish(&self) -> MuscleLoad {
        let mut load = MuscleLoad::default();
        for (i, c) in COEF.iter().enumerate() {
            let (w, w_r2, w_r4, up, down) = if c.long {
                (self.wl, self.wl_r2, self.wl_r4, self.up_l, self.down_l)
            } else {
                (self.w, self.w_r2, 0.0, self.up, self.down)
            };
            let ecc = down * c.down / 1000.0;
            load.eccentric[i] = ecc;
            load.total[i] =
                (w * c.base + w_r2 * c.speed2 + w_r4 * c.speed4 + up * c.up) / 1000.0 + ecc;
        }
        load
    }
}

/// The per-group load of an activity's samples, against the athlete's threshold speed.
pub fn muscle_load(samples: &[Sample], t: &Thresholds) -> MuscleLoad {
    let v = t.threshold_speed_mps;
    let inv_vthr2 = if v.is_finite() && v > 0.0 { 1.0 / (v * v) } else { 0.0 };
    let mut sink = MuscleSink { inv_vthr2, ..MuscleSink::default() };
    grade::walk(samples, &mut sink);
    sink.finish()
}

/// The per-group load of a run known only by its totals (a check-in, or a file without
/// samples): the same coefficients, with the average speed and the mean long-duration factor.
pub fn muscle_load_from_totals(
    distance_m: f64,
    duration_s: f64,
    ascent_m: f64,
    descent_m: f64,
    t: &Thresholds,
) -> MuscleLoad {
    let clean = |x: f64| if x.is_finite() { x.max(0.0) } else { 0.0 };
    let (d, secs, asc, desc) =
        (clean(distance_m), clean(duration_s), clean(ascent_m), clean(descent_m));
    let mut load = MuscleLoad::default();
    if d <= 0.0 {
        return load;
    }
    let v = if secs > 0.0 { d / secs } else { 0.0 };
    let vt = t.threshold_speed_mps;
    let r2 = if vt.is_finite() && vt > 0.0 { (v / vt).powi(2) } else { 0.0 };
    let gait = if secs > 0.0 && v < WALK_SPEED { WALK_FACTOR } else { 1.0 };
    // Mean of the long-duration factor over the run: 1 + k·(T − T0)²/(2·3600·T) past T0.
    let past = (secs - LONG_AFTER_S).max(0.0);
    let long =
        if secs > 0.0 { 1.0 + LONG_PER_HOUR * past * past / (2.0 * 3600.0 * secs) } else { 1.0 };
    for (i, c) in COEF.iter().enumerate() {
        let lf = if c.long { long } else { 1.0 };
        let per_km = c.base + c.speed2 * r2 + c.speed4 * r2 * r2;
        let ecc = desc * gait * c.down / 1000.0 * lf;
        load.eccentric[i] = ecc;
        load.total[i] = (d / 1000.0 * per_km + asc * c.up / 1000.0) * gait * lf + ecc;
    }
    load
}
