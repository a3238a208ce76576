//! Sequential pneumatic compression: the program, the hardware configuration and the controller.
//!
//! A sleeve has 1–8 chambers per leg, numbered from the foot (1) to the hip. A cycle fills them
//! one at a time from the foot up, each held while the next fills, holds the whole leg, then
//! vents everything and rests while the veins refill. The controller is a sans-IO state machine:
//! [`CompressionController::tick`] takes the time and the readings and returns the commands.
//!
//! # Safety design
//!
//! Every fault, stop and end means, in the same tick: every chamber `vent`, pump off, dump open.
//! Faults latch until [`CompressionController::reset`], which is refused while any chamber reads
//! above 5 mmHg. The limits below are constants: no program or configuration can loosen them.
//!
//! **The two pressure channels.** Each chamber has its own sensor, and the manifold (the pump
//! outlet, upstream of every chamber valve) has an independent one. While a chamber's valve is
//! `fill`, air flows from the manifold into the chamber, so the chamber's true pressure is at
//! most the manifold's, and the manifold exceeds it only by the valve's pressure drop, which for
//! this hardware is at most [`CompressionConfig::max_valve_drop_mmhg`] (about 7 mmHg at the
//! pump's free flow in the simulator). After the first [`XCHECK_SETTLE_MS`] of a fill (the
//! manifold equalises with the chamber it just opened to), the controller requires
//! `chamber − 8 ≤ manifold ≤ chamber + max_valve_drop`, else fault `sensor`. The fill itself
//! stops when the chamber reads its target − [`FILL_STOP_MARGIN_MMHG`].
//!
//! Why no single sensor fault can over-inflate a limb past target + 20 mmHg:
//! - if the chamber sensor is right, the fill stops at the target (and rule 1 faults at
//!   target + 15 whatever happens);
//! - if the chamber sensor reads low (offset, stuck, lagging), the manifold sensor is right, and
//!   the fill is stopped by a fault as soon as `manifold − chamber reading > max_valve_drop`;
//!   before that the true chamber pressure is below the manifold's, which is below
//!   `chamber reading + max_valve_drop < target + max_valve_drop` (12 mmHg by default), and a
//!   sudden error is caught even sooner by the rate rule;
//! - if the manifold sensor is wrong, the chamber sensor is right and ends the fill at target.
//!
//! **Rate.** Between two ticks a reading may change by at most
//! `max_change_mmhg_s · dt + noise_allowance_mmhg` (defaults 100 mmHg/s, which is the fastest
//! vent and above the fastest fill + 50 mmHg/s of this hardware, plus 3 mmHg): a single tick's
//! sensor noise (σ 0.5 mmHg) is larger than the physical change in 10 ms, so the allowance is
//! what keeps the rule free of false faults while any step of a few mmHg (a sensor offset, a
//! dropout that returns, a glitch) is still caught at once.
//!
//! **Chambers fitted but not in the program** (the other leg of a one-leg program) are vented
//! and watched like the others, with a target of 0: one that rises (an inlet stuck open) is a
//! fault, and the session is `done` only once they read below 5 mmHg too. A vented chamber whose
//! reading rises more than 5 mmHg above its lowest value since it was vented is fault `sensor`.
//!
//! Why a nominal fill raises no false fault: the drop across an open valve stays below the
//! allowance, the check is skipped while the manifold equalises after a valve opens, and noise
//! (σ 0.5 mmHg) is far below the margins.

use core::fmt;

use heapless::Vec;

use crate::Millis;

/// Chambers per leg the controller can drive.
pub const MAX_CHAMBERS_PER_LEG: usize = 8;
/// Chambers in total: two legs of [`MAX_CHAMBERS_PER_LEG`]. Index `i < 8` is the left leg's
/// chamber `i + 1`, index `8 + i` the right leg's.
pub const MAX_CHAMBERS: usize = 2 * MAX_CHAMBERS_PER_LEG;
/// Target pressure of each level 1–7 in whole mmHg (protocol.md, devices.md §1): the one table,
/// read by the controller here and by the planner (`afterrun-protocol`) when it doses a session.
pub const LEVEL_MMHG: [u16; 7] = [30, 40, 50, 60, 70, 80, 100];
/// No chamber may ever read above this, whatever its target.
pub const ABSOLUTE_CEILING_MMHG: f32 = 120.0;
/// Highest target a program may ask for, boost included.
pub const MAX_TARGET_MMHG: f32 = 110.0;
/// Lowest explicit target a program may ask for.
pub const MIN_TARGET_MMHG: f32 = 20.0;
/// A reading above target by more than this is fault `over_pressure`.
pub const OVER_TARGET_MMHG: f32 = 15.0;
/// Boost adds this much to a chamber's target (capped at [`MAX_TARGET_MMHG`]).
pub const BOOST_MMHG: f32 = 10.0;
/// Longest session.
pub const MAX_DURATION_MIN: u32 = 60;
/// A chamber reading below this is vented.
pub const VENTED_MMHG: f32 = 5.0;
/// A fill stops when the chamber reads its target minus this (the sensor lags the air).
pub const FILL_STOP_MARGIN_MMHG: f32 = 1.0;
/// A vented chamber still reading 5 mmHg or more after this long is fault `sensor`.
pub const VENT_TIMEOUT_MS: Millis = 15_000;
/// `done` needs every chamber below [`VENTED_MMHG`] for this long (noise cannot fake it).
pub const DONE_SETTLE_MS: Millis = 1000;
/// A gap between ticks longer than this is fault `watchdog`.
pub const WATCHDOG_GAP_MS: Millis = 500;
/// The manifold/chamber cross-check starts this long after a valve opens to fill.
pub const XCHECK_SETTLE_MS: Millis = 300;
/// How far a filling chamber may read above the manifold (noise and lag of two sensors).
pub const XCHECK_REVERSE_MMHG: f32 = 8.0;
/// The manifold may read at most this above the highest active target.
pub const PUMP_OVER_TARGET_MMHG: f32 = 30.0;
/// The manifold may rise at most this while no valve fills.
pub const PUMP_RISE_MMHG: f32 = 10.0;
/// A held chamber may rise at most this above its value at the start of the hold.
pub const HOLD_RISE_MMHG: f32 = 5.0;
/// A held chamber falling more than this is fault `leak`.
pub const HOLD_FALL_MMHG: f32 = 10.0;
/// A filling (or venting, above [`VENT_MOTION_FLOOR_MMHG`]) chamber must move at least
/// [`MOTION_MIN_MMHG`] in this window.
pub const MOTION_WINDOW_MS: Millis = 2000;
/// See [`MOTION_WINDOW_MS`].
pub const MOTION_MIN_MMHG: f32 = 1.0;
/// A venting chamber above this must still be moving.
pub const VENT_MOTION_FLOOR_MMHG: f32 = 10.0;

/// Which leg a chamber is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leg {
    /// The left leg.
    Left,
    /// The right leg.
    Right,
}

/// A chamber, named `L1`…`L8`, `R1`…`R8` from the foot up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChamberId {
    /// The leg.
    pub leg: Leg,
    /// 1-based chamber number from the foot.
    pub number: u8,
}

impl ChamberId {
    /// The chamber at a global index (`0..16`).
    pub fn from_index(index: usize) -> Self {
        let leg = if index < MAX_CHAMBERS_PER_LEG { Leg::Left } else { Leg::Right };
        let number = (index % MAX_CHAMBERS_PER_LEG) as u8 + 1;
        Self { leg, number }
    }

    /// The global index (`0..16`) of this chamber.
    pub fn index(self) -> usize {
        let base = match self.leg {
            Leg::Left => 0,
            Leg::Right => MAX_CHAMBERS_PER_LEG,
        };
        base + usize::from(self.number.saturating_sub(1)) % MAX_CHAMBERS_PER_LEG
    }
}

impl fmt::Display for ChamberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leg = match self.leg {
            Leg::Left => 'L',
            Leg::Right => 'R',
        };
        write!(f, "{leg}{}", self.number)
    }
}

/// How the chambers are inflated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Pattern {
    /// Each chamber is held while the ones above it fill; the whole leg is then held.
    #[default]
    Sequential,
    /// A chamber vents as soon as the one above it reaches target: one band travels up.
    Wave,
}

/// Which legs a program treats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Legs {
    /// Both legs.
    #[default]
    Both,
    /// The left leg only.
    Left,
    /// The right leg only.
    Right,
}

impl Legs {
    /// Whether this set includes `leg`.
    pub fn has(self, leg: Leg) -> bool {
        matches!((self, leg), (Legs::Both, _) | (Legs::Left, Leg::Left) | (Legs::Right, Leg::Right))
    }
}

fn default_chambers() -> u8 {
    5
}
fn default_hold_s() -> u32 {
    5
}
fn default_rest_s() -> u32 {
    25
}
fn default_true() -> bool {
    true
}

/// A compression program, the `program` object of a plan's `device_programs` entry.
///
/// JSON: `{"pattern":"sequential","level":3,"targets_mmhg":null,"chambers":5,"legs":"both",
/// "hold_s":5,"rest_s":25,"duration_min":20,"boost":[],"gradient":true}`; every field but
/// `level` and `duration_min` may be omitted.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct CompressionProgram {
    /// `sequential` (default) or `wave`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub pattern: Pattern,
    /// Level 1–7, mapped by [`LEVEL_MMHG`]; ignored when `targets_mmhg` is given.
    pub level: u8,
    /// Explicit per-chamber targets, distal first, overriding `level`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub targets_mmhg: Option<Vec<f32, MAX_CHAMBERS_PER_LEG>>,
    /// Chambers per leg (default 5).
    #[cfg_attr(feature = "serde", serde(default = "default_chambers"))]
    pub chambers: u8,
    /// Legs treated (default both).
    #[cfg_attr(feature = "serde", serde(default))]
    pub legs: Legs,
    /// Seconds the whole leg is held once the last chamber is at target (default 5).
    #[cfg_attr(feature = "serde", serde(default = "default_hold_s"))]
    pub hold_s: u32,
    /// Seconds of rest, vented, between cycles (default 25).
    #[cfg_attr(feature = "serde", serde(default = "default_rest_s"))]
    pub rest_s: u32,
    /// Session length in minutes (1–60).
    pub duration_min: u32,
    /// 1-based chambers given +10 mmHg and an extra hold.
    #[cfg_attr(feature = "serde", serde(default))]
    pub boost: Vec<u8, MAX_CHAMBERS_PER_LEG>,
    /// Require distal target ≥ proximal target (default on).
    #[cfg_attr(feature = "serde", serde(default = "default_true"))]
    pub gradient: bool,
}

impl CompressionProgram {
    /// A program at `level` for `duration_min` with every other field at its default.
    pub fn with_level(level: u8, duration_min: u32) -> Self {
        Self {
            pattern: Pattern::Sequential,
            level,
            targets_mmhg: None,
            chambers: default_chambers(),
            legs: Legs::Both,
            hold_s: default_hold_s(),
            rest_s: default_rest_s(),
            duration_min,
            boost: Vec::new(),
            gradient: default_true(),
        }
    }

    /// The per-chamber targets (index 0 = foot), boost applied, once the program is valid.
    pub fn targets(&self) -> Result<[f32; MAX_CHAMBERS_PER_LEG], ProgramError> {
        let n = usize::from(self.chambers);
        if !(1..=MAX_CHAMBERS_PER_LEG).contains(&n) {
            return Err(ProgramError::Chambers(self.chambers));
        }
        if !(1..=7).contains(&self.level) {
            return Err(ProgramError::Level(self.level));
        }
        let mut targets = [0.0f32; MAX_CHAMBERS_PER_LEG];
        match &self.targets_mmhg {
            None => {
                let t = f32::from(LEVEL_MMHG[usize::from(self.level - 1)]);
                targets.iter_mut().take(n).for_each(|x| *x = t);
            }
            Some(explicit) => {
                if explicit.len() != n {
                    return Err(ProgramError::TargetCount { got: explicit.len(), chambers: n });
                }
                for (i, &t) in explicit.iter().enumerate() {
                    if !t.is_finite() || !(MIN_TARGET_MMHG..=MAX_TARGET_MMHG).contains(&t) {
                        return Err(ProgramError::TargetRange { chamber: i as u8 + 1, value: t });
                    }
                    targets[i] = t;
                }
            }
        }
        if self.gradient {
            for i in 1..n {
                if targets[i] > targets[i - 1] {
                    return Err(ProgramError::Gradient {
                        chamber: i as u8 + 1,
                        target: targets[i],
                        below: targets[i - 1],
                    });
                }
            }
        }
        let mut seen = [false; MAX_CHAMBERS_PER_LEG];
        for &b in &self.boost {
            if b == 0 || usize::from(b) > n {
                return Err(ProgramError::BoostChamber(b));
            }
            let i = usize::from(b - 1);
            if seen[i] {
                return Err(ProgramError::BoostDuplicate(b));
            }
            seen[i] = true;
        }
        // Boost after the gradient check, distal first, so a boost never lifts a chamber above
        // the (possibly boosted) one below it when the gradient is on.
        for i in 0..n {
            if seen[i] {
                let mut t = (targets[i] + BOOST_MMHG).min(MAX_TARGET_MMHG);
                if self.gradient && i > 0 {
                    t = t.min(targets[i - 1]).max(targets[i]);
                }
                targets[i] = t;
            }
        }
        Ok(targets)
    }

    /// Checks every field; the error names the first problem.
    pub fn validate(&self) -> Result<(), ProgramError> {
        self.targets()?;
        if !(1..=MAX_DURATION_MIN).contains(&self.duration_min) {
            return Err(ProgramError::Duration(self.duration_min));
        }
        if self.hold_s > 120 {
            return Err(ProgramError::Hold(self.hold_s));
        }
        if self.rest_s > 600 {
            return Err(ProgramError::Rest(self.rest_s));
        }
        Ok(())
    }
}

/// Why a program is refused (before anything starts).
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum ProgramError {
    /// `level` is not 1–7.
    #[error("level {0} is outside 1-7")]
    Level(u8),
    /// `chambers` is not 1–8.
    #[error("chambers {0} is outside 1-8 per leg")]
    Chambers(u8),
    /// The program's chamber count differs from the sleeve's.
    #[error("the program has {program} chambers per leg but the sleeve has {hardware}")]
    ChamberMismatch {
        /// Chambers in the program.
        program: u8,
        /// Chambers of the hardware.
        hardware: u8,
    },
    /// `targets_mmhg` does not have one value per chamber.
    #[error("targets_mmhg has {got} values for {chambers} chambers")]
    TargetCount {
        /// Values given.
        got: usize,
        /// Chambers per leg.
        chambers: usize,
    },
    /// A target is outside 20–110 mmHg or not a number.
    #[error("target {value} mmHg of chamber {chamber} is outside 20-110 mmHg")]
    TargetRange {
        /// 1-based chamber.
        chamber: u8,
        /// The target.
        value: f32,
    },
    /// With `gradient` on, a chamber's target is above the one below it.
    #[error(
        "gradient is on but chamber {chamber} ({target} mmHg) is above the chamber below it ({below} mmHg)"
    )]
    Gradient {
        /// 1-based chamber.
        chamber: u8,
        /// Its target.
        target: f32,
        /// The target of the chamber below it.
        below: f32,
    },
    /// `duration_min` is not 1–60.
    #[error("duration_min {0} is outside 1-60")]
    Duration(u32),
    /// `hold_s` is above 120.
    #[error("hold_s {0} is above 120")]
    Hold(u32),
    /// `rest_s` is above 600.
    #[error("rest_s {0} is above 600")]
    Rest(u32),
    /// A boost chamber is not a chamber of the sleeve.
    #[error("boost chamber {0} is not a chamber of the sleeve")]
    BoostChamber(u8),
    /// A boost chamber is listed twice.
    #[error("boost chamber {0} is listed twice")]
    BoostDuplicate(u8),
    /// The program treats a leg that has no sleeve fitted.
    #[error("the program treats a leg with no sleeve fitted")]
    LegNotFitted,
}

/// The hardware: chamber count, sensor range and timing. The safety limits are constants.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompressionConfig {
    /// Chambers per leg on the sleeves (1–8).
    pub chambers_per_leg: u8,
    /// Legs with a sleeve fitted.
    pub legs_fitted: Legs,
    /// Lowest plausible sensor reading, mmHg.
    pub sensor_min_mmhg: f32,
    /// Highest plausible sensor reading, mmHg (the sensor's range).
    pub sensor_max_mmhg: f32,
    /// A chamber that does not reach target in this time is fault `leak` (at most 10 s).
    pub fill_timeout_ms: u32,
    /// Fastest change, mmHg/s, the hardware can make in a chamber (fill or vent).
    pub max_change_mmhg_s: f32,
    /// Allowance per tick for sensor noise in the rate check, mmHg.
    pub noise_allowance_mmhg: f32,
    /// Largest manifold − chamber pressure drop across an open valve in a nominal fill.
    pub max_valve_drop_mmhg: f32,
    /// Extra hold after a boosted chamber reaches target.
    pub boost_hold_ms: u32,
}

impl Default for CompressionConfig {
    fn default() -> Self {
        Self {
            chambers_per_leg: 5,
            legs_fitted: Legs::Both,
            sensor_min_mmhg: -10.0,
            sensor_max_mmhg: 300.0,
            fill_timeout_ms: 10_000,
            max_change_mmhg_s: 100.0,
            noise_allowance_mmhg: 3.0,
            max_valve_drop_mmhg: 12.0,
            boost_hold_ms: 5_000,
        }
    }
}

/// One tick's sensor readings. `None` is a sensor error; non-finite values are errors too.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompressionReadings {
    /// Pressure of each chamber, mmHg, by global index ([`ChamberId::index`]).
    pub chambers: [Option<f32>; MAX_CHAMBERS],
    /// Pressure at the pump outlet from the independent manifold sensor, mmHg.
    pub manifold: Option<f32>,
    /// The hardware watchdog has cut the pump since the last tick.
    pub watchdog_tripped: bool,
}

impl Default for CompressionReadings {
    fn default() -> Self {
        Self { chambers: [Some(0.0); MAX_CHAMBERS], manifold: Some(0.0), watchdog_tripped: false }
    }
}

/// A chamber valve's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Valve {
    /// Closed: the chamber keeps its air.
    Hold,
    /// Open to the manifold: the pump fills the chamber.
    Fill,
    /// Open to the air.
    #[default]
    Vent,
}

impl Valve {
    /// Lower-case name as in the trace.
    pub fn name(self) -> &'static str {
        match self {
            Valve::Hold => "hold",
            Valve::Fill => "fill",
            Valve::Vent => "vent",
        }
    }
}

/// What the controller asks of the hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompressionCommands {
    /// Pump on.
    pub pump: bool,
    /// Manifold dump valve open to the air.
    pub dump_open: bool,
    /// One state per chamber by global index; chambers not in use are `Vent`.
    pub valves: [Valve; MAX_CHAMBERS],
}

impl CompressionCommands {
    /// Everything vented: pump off, dump open, every chamber `vent`.
    pub const SAFE: Self =
        Self { pump: false, dump_open: true, valves: [Valve::Vent; MAX_CHAMBERS] };

    /// Whether these are the safe commands.
    pub fn is_safe(&self) -> bool {
        *self == Self::SAFE
    }
}

/// Why the controller stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompressionFault {
    /// A chamber above target + 15 mmHg or above 120 mmHg.
    OverPressure,
    /// An implausible, missing or disagreeing reading.
    Sensor,
    /// A chamber that loses pressure in hold or does not reach target in time.
    Leak,
    /// The manifold too high, or rising while no valve fills.
    Pump,
    /// Ticks too far apart (or time going backwards), or the hardware watchdog tripped.
    Watchdog,
}

impl CompressionFault {
    /// The kind's name in devices.md and the trace.
    pub fn name(self) -> &'static str {
        match self {
            CompressionFault::OverPressure => "over_pressure",
            CompressionFault::Sensor => "sensor",
            CompressionFault::Leak => "leak",
            CompressionFault::Pump => "pump",
            CompressionFault::Watchdog => "watchdog",
        }
    }
}

/// The phase of a running cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// A chamber is filling.
    Fill,
    /// A boosted chamber's extra hold.
    BoostHold,
    /// The whole leg held.
    Hold,
    /// Everything vented, the limb rests.
    Rest,
}

impl Phase {
    /// Lower-case name as in the trace.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Fill => "fill",
            Phase::BoostHold => "boost_hold",
            Phase::Hold => "hold",
            Phase::Rest => "rest",
        }
    }
}

/// The controller's observable state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompressionState {
    /// Not started (or reset).
    Idle,
    /// A session is running.
    Running {
        /// 1-based cycle.
        cycle: u32,
        /// The chamber filling (or the last one filled).
        chamber: ChamberId,
        /// The phase.
        phase: Phase,
    },
    /// Stopped or ended: venting until every chamber reads below 5 mmHg (for 1 s).
    Venting,
    /// Ended and vented.
    Done,
    /// A latched fault: venting; only [`CompressionController::reset`] leaves it.
    Fault {
        /// The first fault detected.
        kind: CompressionFault,
    },
}

impl CompressionState {
    /// Lower-case name: `idle`, `running`, `venting`, `done`, `fault`.
    pub fn name(&self) -> &'static str {
        match self {
            CompressionState::Idle => "idle",
            CompressionState::Running { .. } => "running",
            CompressionState::Venting => "venting",
            CompressionState::Done => "done",
            CompressionState::Fault { .. } => "fault",
        }
    }
}

/// Why `start` or `reset` was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// `start` needs the idle state.
    #[error("the controller is not idle")]
    NotIdle,
    /// `reset` applies to a fault or a finished session.
    #[error("there is no fault to reset")]
    NothingToReset,
    /// `reset` is refused while a chamber reads above 5 mmHg (or has a sensor error).
    #[error("a chamber still reads above 5 mmHg")]
    StillPressurized,
}

/// The compression controller. See the module docs for the safety design.
#[derive(Clone, Debug)]
pub struct CompressionController {
    config: CompressionConfig,
    targets: [f32; MAX_CHAMBERS],
    boosted: [bool; MAX_CHAMBERS],
    active: [bool; MAX_CHAMBERS],
    fitted: [bool; MAX_CHAMBERS],
    order: [u8; MAX_CHAMBERS],
    order_len: usize,
    pattern: Pattern,
    hold_ms: Millis,
    rest_ms: Millis,
    duration_ms: Millis,
    max_target: f32,
    state: CompressionState,
    started_at: Millis,
    last_tick: Option<Millis>,
    cycle: u32,
    cycles_completed: u32,
    step: usize,
    phase: Phase,
    phase_since: Millis,
    valves: [Valve; MAX_CHAMBERS],
    valve_since: [Millis; MAX_CHAMBERS],
    hold_ref: [f32; MAX_CHAMBERS],
    vent_min: [f32; MAX_CHAMBERS],
    motion_at: [Millis; MAX_CHAMBERS],
    motion_ref: [f32; MAX_CHAMBERS],
    prev: [f32; MAX_CHAMBERS],
    have_prev: bool,
    manifold_base: f32,
    vented: bool,
    vented_since: Option<Millis>,
    fault_at: Option<Millis>,
}

impl CompressionController {
    /// A controller for `program` on `config`'s hardware; refuses an invalid program.
    pub fn new(
        config: CompressionConfig,
        program: &CompressionProgram,
    ) -> Result<Self, ProgramError> {
        program.validate()?;
        if program.chambers != config.chambers_per_leg {
            return Err(ProgramError::ChamberMismatch {
                program: program.chambers,
                hardware: config.chambers_per_leg,
            });
        }
        let fitted_ok = match program.legs {
            Legs::Both => config.legs_fitted == Legs::Both,
            Legs::Left => config.legs_fitted.has(Leg::Left),
            Legs::Right => config.legs_fitted.has(Leg::Right),
        };
        if !fitted_ok {
            return Err(ProgramError::LegNotFitted);
        }
        let leg_targets = program.targets()?;
        let n = usize::from(program.chambers);
        let mut targets = [0.0; MAX_CHAMBERS];
        let mut boosted = [false; MAX_CHAMBERS];
        let mut active = [false; MAX_CHAMBERS];
        let mut fitted = [false; MAX_CHAMBERS];
        let mut order = [0u8; MAX_CHAMBERS];
        let mut order_len = 0;
        for number in 1..=n {
            for leg in [Leg::Left, Leg::Right] {
                let id = ChamberId { leg, number: number as u8 };
                let i = id.index();
                fitted[i] = config.legs_fitted.has(leg);
                if program.legs.has(leg) {
                    targets[i] = leg_targets[number - 1];
                    active[i] = true;
                    boosted[i] = program.boost.contains(&(number as u8));
                    order[order_len] = i as u8;
                    order_len += 1;
                }
            }
        }
        let max_target = leg_targets.iter().take(n).fold(0.0f32, |a, &b| a.max(b));
        let mut config = config;
        config.fill_timeout_ms = config.fill_timeout_ms.min(10_000);
        Ok(Self {
            config,
            targets,
            boosted,
            active,
            fitted,
            order,
            order_len,
            pattern: program.pattern,
            hold_ms: Millis::from(program.hold_s) * 1000,
            rest_ms: Millis::from(program.rest_s) * 1000,
            duration_ms: Millis::from(program.duration_min.min(MAX_DURATION_MIN)) * 60_000,
            max_target,
            state: CompressionState::Idle,
            started_at: 0,
            last_tick: None,
            cycle: 0,
            cycles_completed: 0,
            step: 0,
            phase: Phase::Fill,
            phase_since: 0,
            valves: [Valve::Vent; MAX_CHAMBERS],
            valve_since: [0; MAX_CHAMBERS],
            hold_ref: [0.0; MAX_CHAMBERS],
            vent_min: [0.0; MAX_CHAMBERS],
            motion_at: [0; MAX_CHAMBERS],
            motion_ref: [0.0; MAX_CHAMBERS],
            prev: [0.0; MAX_CHAMBERS],
            have_prev: false,
            manifold_base: 0.0,
            vented: false,
            vented_since: None,
            fault_at: None,
        })
    }

    /// The observable state.
    pub fn state(&self) -> CompressionState {
        self.state
    }

    /// Target of each chamber by global index (boost applied; 0 for absent chambers).
    pub fn targets(&self) -> &[f32; MAX_CHAMBERS] {
        &self.targets
    }

    /// Which chambers the program uses, by global index.
    pub fn active(&self) -> &[bool; MAX_CHAMBERS] {
        &self.active
    }

    /// Cycles whose whole-leg hold completed.
    pub fn cycles_completed(&self) -> u32 {
        self.cycles_completed
    }

    /// When the latched fault was detected, if any.
    pub fn fault_at(&self) -> Option<Millis> {
        self.fault_at
    }

    /// Milliseconds of session left (0 when not running).
    pub fn remaining_ms(&self, now: Millis) -> Millis {
        match self.state {
            CompressionState::Running { .. } => {
                (self.started_at + self.duration_ms).saturating_sub(now)
            }
            _ => 0,
        }
    }

    /// Starts the session at `now` (from idle only). The first tick fills chamber 1.
    pub fn start(&mut self, now: Millis) -> Result<(), ControlError> {
        if self.state != CompressionState::Idle {
            return Err(ControlError::NotIdle);
        }
        self.started_at = now;
        self.last_tick = Some(now);
        self.cycle = 1;
        self.cycles_completed = 0;
        self.step = 0;
        self.phase = Phase::Fill;
        self.phase_since = now;
        self.have_prev = false;
        self.vent_all(now);
        let first = usize::from(self.order[0]);
        self.set_valve(first, Valve::Fill, now, 0.0);
        self.state = self.running_state();
        Ok(())
    }

    /// Ends the session: vent everything, then `done` once every chamber reads below 5 mmHg.
    pub fn stop(&mut self) {
        if matches!(self.state, CompressionState::Running { .. }) {
            self.state = CompressionState::Venting;
            self.vent_all(self.last_tick.unwrap_or(0));
        }
    }

    /// Every valve to `vent`, with the vent checks restarted.
    fn vent_all(&mut self, now: Millis) {
        self.valves = [Valve::Vent; MAX_CHAMBERS];
        self.valve_since = [now; MAX_CHAMBERS];
        self.vent_min = [f32::MAX; MAX_CHAMBERS];
    }

    /// Stops now and returns the safe commands to apply at once, without waiting for a tick.
    pub fn emergency_stop(&mut self) -> CompressionCommands {
        self.stop();
        if self.state == CompressionState::Idle {
            self.state = CompressionState::Venting;
        }
        CompressionCommands::SAFE
    }

    /// Leaves a latched fault (or a finished session) for `idle`; refused while a chamber reads
    /// above 5 mmHg at the last tick (or its sensor failed).
    pub fn reset(&mut self) -> Result<(), ControlError> {
        match self.state {
            CompressionState::Fault { .. } | CompressionState::Done => {}
            _ => return Err(ControlError::NothingToReset),
        }
        if !self.vented {
            return Err(ControlError::StillPressurized);
        }
        self.state = CompressionState::Idle;
        self.fault_at = None;
        self.valves = [Valve::Vent; MAX_CHAMBERS];
        Ok(())
    }

    fn running_state(&self) -> CompressionState {
        let i = usize::from(self.order[self.step.min(self.order_len.saturating_sub(1))]);
        CompressionState::Running {
            cycle: self.cycle,
            chamber: ChamberId::from_index(i),
            phase: self.phase,
        }
    }

    fn set_valve(&mut self, i: usize, valve: Valve, now: Millis, reading: f32) {
        if self.valves[i] != valve {
            self.valves[i] = valve;
            self.valve_since[i] = now;
            self.motion_at[i] = now;
            self.motion_ref[i] = reading;
            if valve == Valve::Hold {
                self.hold_ref[i] = reading;
            }
            if valve == Valve::Vent {
                self.vent_min[i] = reading;
            }
        }
    }

    fn fault(&mut self, now: Millis, kind: CompressionFault) -> CompressionCommands {
        if !matches!(self.state, CompressionState::Fault { .. }) {
            self.state = CompressionState::Fault { kind };
            self.fault_at = Some(now);
        }
        self.valves = [Valve::Vent; MAX_CHAMBERS];
        CompressionCommands::SAFE
    }

    fn commands(&self) -> CompressionCommands {
        let pump = self.valves.contains(&Valve::Fill);
        CompressionCommands { pump, dump_open: false, valves: self.valves }
    }

    /// Reads a sensor value: `None` for a missing, non-finite or out-of-range reading.
    fn plausible(&self, value: Option<f32>) -> Option<f32> {
        value.filter(|v| {
            v.is_finite() && *v >= self.config.sensor_min_mmhg && *v <= self.config.sensor_max_mmhg
        })
    }

    /// One control step at `now` with these readings; returns the commands to apply until the
    /// next tick. Never panics, whatever the readings.
    ///
    /// The steps, in order: the time since the last tick, whether every chamber is vented (for
    /// `reset` and `done`), nothing more unless a session is running or venting, then the checks
    /// that latch a fault (watchdog, sensors, pump, each chamber against its valve), and last the
    /// schedule (venting to `done`, the session's end, the next fill or hold).
    pub fn tick(&mut self, now: Millis, readings: &CompressionReadings) -> CompressionCommands {
        let dt_ms = crate::tick_gap(&mut self.last_tick, now);
        self.note_vented(now, readings);
        match self.state {
            CompressionState::Idle | CompressionState::Done | CompressionState::Fault { .. } => {
                return CompressionCommands::SAFE;
            }
            CompressionState::Running { .. } | CompressionState::Venting => {}
        }
        match self.checked_step(now, dt_ms, readings) {
            Ok(commands) => commands,
            Err(kind) => self.fault(now, kind),
        }
    }

    /// Records whether every fitted chamber reads below 5 mmHg, and since when.
    fn note_vented(&mut self, now: Millis, readings: &CompressionReadings) {
        let vented = (0..MAX_CHAMBERS)
            .filter(|&i| self.fitted[i])
            .all(|i| matches!(self.plausible(readings.chambers[i]), Some(v) if v < VENTED_MMHG));
        self.vented = vented;
        self.vented_since = if vented { Some(self.vented_since.unwrap_or(now)) } else { None };
    }

    /// The fault checks, then the schedule; the first failed check is the fault to latch.
    fn checked_step(
        &mut self,
        now: Millis,
        dt_ms: Millis,
        readings: &CompressionReadings,
    ) -> Result<CompressionCommands, CompressionFault> {
        if dt_ms > WATCHDOG_GAP_MS || readings.watchdog_tripped {
            return Err(CompressionFault::Watchdog);
        }
        let values = self.chamber_readings(dt_ms, readings)?;
        let manifold = self.plausible(readings.manifold).ok_or(CompressionFault::Sensor)?;
        self.prev = values;
        self.have_prev = true;
        self.check_pump(manifold)?;
        let fitted = self.fitted;
        for i in (0..MAX_CHAMBERS).filter(|&i| fitted[i]) {
            self.check_chamber(i, values[i], now, manifold)?;
        }
        Ok(self.schedule(now, &values, manifold))
    }

    /// Plausibility, over-pressure and rate of change of every fitted chamber's reading.
    fn chamber_readings(
        &self,
        dt_ms: Millis,
        readings: &CompressionReadings,
    ) -> Result<[f32; MAX_CHAMBERS], CompressionFault> {
        let max_step = self.config.max_change_mmhg_s * (dt_ms as f32) / 1000.0
            + self.config.noise_allowance_mmhg;
        let mut values = [0.0f32; MAX_CHAMBERS];
        for i in (0..MAX_CHAMBERS).filter(|&i| self.fitted[i]) {
            let v = self.plausible(readings.chambers[i]).ok_or(CompressionFault::Sensor)?;
            if v > ABSOLUTE_CEILING_MMHG || v > self.targets[i] + OVER_TARGET_MMHG {
                return Err(CompressionFault::OverPressure);
            }
            if self.have_prev && (v - self.prev[i]).abs() > max_step {
                return Err(CompressionFault::Sensor);
            }
            values[i] = v;
        }
        Ok(values)
    }

    /// The manifold: never far above the highest target, and not rising while no valve fills
    /// (checked against the valve states of the last tick, which the readings reflect).
    fn check_pump(&mut self, manifold: f32) -> Result<(), CompressionFault> {
        if manifold > self.max_target + PUMP_OVER_TARGET_MMHG {
            return Err(CompressionFault::Pump);
        }
        if self.valves.contains(&Valve::Fill) {
            self.manifold_base = manifold;
        } else {
            if manifold > self.manifold_base + PUMP_RISE_MMHG {
                return Err(CompressionFault::Pump);
            }
            self.manifold_base = self.manifold_base.min(manifold);
        }
        Ok(())
    }

    /// One chamber against the state of its valve, then against its expected motion.
    fn check_chamber(
        &mut self,
        i: usize,
        v: f32,
        now: Millis,
        manifold: f32,
    ) -> Result<(), CompressionFault> {
        match self.valves[i] {
            Valve::Hold => self.check_hold(i, v),
            Valve::Fill => self.check_fill(i, v, now, manifold),
            Valve::Vent => self.check_vent(i, v, now),
        }?;
        self.check_motion(i, v, now)
    }

    /// A held chamber keeps its pressure: a rise is a sensor fault, a fall a leak.
    fn check_hold(&self, i: usize, v: f32) -> Result<(), CompressionFault> {
        if v > self.hold_ref[i] + HOLD_RISE_MMHG {
            return Err(CompressionFault::Sensor);
        }
        if v < self.hold_ref[i] - HOLD_FALL_MMHG {
            return Err(CompressionFault::Leak);
        }
        Ok(())
    }

    /// A filling chamber follows the manifold across its open valve and reaches its target in
    /// time.
    fn check_fill(
        &self,
        i: usize,
        v: f32,
        now: Millis,
        manifold: f32,
    ) -> Result<(), CompressionFault> {
        let filling_for = now.saturating_sub(self.valve_since[i]);
        if filling_for >= XCHECK_SETTLE_MS
            && (manifold - v > self.config.max_valve_drop_mmhg
                || v - manifold > XCHECK_REVERSE_MMHG)
        {
            return Err(CompressionFault::Sensor);
        }
        if filling_for > Millis::from(self.config.fill_timeout_ms) {
            return Err(CompressionFault::Leak);
        }
        Ok(())
    }

    /// A vented chamber only falls: a rise means air is getting in (a valve stuck open to the
    /// manifold) or the sensor is wrong. Vents take about 2 s: a chamber still above 5 mmHg long
    /// after has a blocked exhaust or a stuck sensor.
    fn check_vent(&mut self, i: usize, v: f32, now: Millis) -> Result<(), CompressionFault> {
        if v > self.vent_min[i] + HOLD_RISE_MMHG {
            return Err(CompressionFault::Sensor);
        }
        if v >= VENTED_MMHG && now.saturating_sub(self.valve_since[i]) > VENT_TIMEOUT_MS {
            return Err(CompressionFault::Sensor);
        }
        self.vent_min[i] = self.vent_min[i].min(v);
        Ok(())
    }

    /// A filling chamber, or a venting one above the motion floor, must move by at least
    /// `MOTION_MIN_MMHG` in every motion window: a reading that stands still is a stuck sensor.
    fn check_motion(&mut self, i: usize, v: f32, now: Millis) -> Result<(), CompressionFault> {
        let valve = self.valves[i];
        let watched = valve == Valve::Fill || (valve == Valve::Vent && v > VENT_MOTION_FLOOR_MMHG);
        if watched && now.saturating_sub(self.motion_at[i]) < MOTION_WINDOW_MS {
            return Ok(());
        }
        if watched && (v - self.motion_ref[i]).abs() < MOTION_MIN_MMHG {
            return Err(CompressionFault::Sensor);
        }
        self.motion_at[i] = now;
        self.motion_ref[i] = v;
        Ok(())
    }

    /// After the checks passed: finish venting, end the session when its time is up, else
    /// advance the fill and hold sequence.
    fn schedule(
        &mut self,
        now: Millis,
        values: &[f32; MAX_CHAMBERS],
        manifold: f32,
    ) -> CompressionCommands {
        if self.state == CompressionState::Venting {
            let settled =
                self.vented_since.is_some_and(|t| now.saturating_sub(t) >= DONE_SETTLE_MS);
            if settled {
                self.state = CompressionState::Done;
            }
            return CompressionCommands::SAFE;
        }
        if now.saturating_sub(self.started_at) >= self.duration_ms {
            self.state = CompressionState::Venting;
            self.vent_all(now);
            return CompressionCommands::SAFE;
        }
        self.advance(now, values, manifold);
        self.state = self.running_state();
        self.commands()
    }

    fn start_fill(&mut self, now: Millis, values: &[f32; MAX_CHAMBERS]) {
        let i = usize::from(self.order[self.step]);
        self.set_valve(i, Valve::Fill, now, values[i]);
        self.phase = Phase::Fill;
        self.phase_since = now;
    }

    fn next_step(&mut self, now: Millis, values: &[f32; MAX_CHAMBERS], manifold: f32) {
        self.step += 1;
        if self.step < self.order_len {
            self.start_fill(now, values);
        } else {
            self.step = self.order_len.saturating_sub(1);
            self.phase = Phase::Hold;
            self.phase_since = now;
            self.manifold_base = manifold;
        }
    }

    fn advance(&mut self, now: Millis, values: &[f32; MAX_CHAMBERS], manifold: f32) {
        let since = now.saturating_sub(self.phase_since);
        match self.phase {
            Phase::Fill => {
                let i = usize::from(self.order[self.step]);
                if values[i] >= self.targets[i] - FILL_STOP_MARGIN_MMHG {
                    self.set_valve(i, Valve::Hold, now, values[i]);
                    if self.pattern == Pattern::Wave && i % MAX_CHAMBERS_PER_LEG > 0 {
                        self.set_valve(i - 1, Valve::Vent, now, values[i - 1]);
                    }
                    if self.boosted[i] {
                        self.phase = Phase::BoostHold;
                        self.phase_since = now;
                        self.manifold_base = manifold;
                    } else {
                        self.next_step(now, values, manifold);
                    }
                }
            }
            Phase::BoostHold => {
                if since >= Millis::from(self.config.boost_hold_ms) {
                    self.next_step(now, values, manifold);
                }
            }
            Phase::Hold => {
                if since >= self.hold_ms {
                    for i in 0..MAX_CHAMBERS {
                        self.set_valve(i, Valve::Vent, now, values[i]);
                    }
                    self.cycles_completed += 1;
                    self.phase = Phase::Rest;
                    self.phase_since = now;
                }
            }
            Phase::Rest => {
                let all_vented =
                    (0..MAX_CHAMBERS).all(|i| !self.active[i] || values[i] < VENTED_MMHG);
                if since >= self.rest_ms && all_vented {
                    self.cycle += 1;
                    self.step = 0;
                    self.start_fill(now, values);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings(v: f32, manifold: f32) -> CompressionReadings {
        CompressionReadings {
            chambers: [Some(v); MAX_CHAMBERS],
            manifold: Some(manifold),
            watchdog_tripped: false,
        }
    }

    #[test]
    fn level_maps_to_mmhg_and_boost_adds_ten() {
        let mut p = CompressionProgram::with_level(4, 20);
        assert_eq!(p.targets().unwrap()[0], 60.0);
        p.boost.push(1).unwrap();
        let t = p.targets().unwrap();
        assert_eq!((t[0], t[1]), (70.0, 60.0));
    }

    #[test]
    fn invalid_programs_are_refused_with_the_reason() {
        let check = |p: CompressionProgram, e: ProgramError| {
            assert_eq!(CompressionController::new(CompressionConfig::default(), &p).err(), Some(e));
        };
        check(CompressionProgram::with_level(8, 20), ProgramError::Level(8));
        check(CompressionProgram::with_level(3, 61), ProgramError::Duration(61));
        let mut p = CompressionProgram::with_level(3, 20);
        p.targets_mmhg = Some(Vec::from_slice(&[50.0, 60.0, 40.0, 40.0, 40.0]).unwrap());
        check(p, ProgramError::Gradient { chamber: 2, target: 60.0, below: 50.0 });
        let mut p = CompressionProgram::with_level(3, 20);
        p.boost.push(6).unwrap();
        check(p, ProgramError::BoostChamber(6));
        let mut p = CompressionProgram::with_level(3, 20);
        p.chambers = 4;
        check(p, ProgramError::ChamberMismatch { program: 4, hardware: 5 });
    }

    #[test]
    fn first_tick_fills_the_left_foot_with_the_pump_on_and_dump_closed() {
        let mut c = CompressionController::new(
            CompressionConfig::default(),
            &CompressionProgram::with_level(3, 20),
        )
        .unwrap();
        c.start(0).unwrap();
        let cmd = c.tick(10, &readings(0.0, 5.0));
        assert!(cmd.pump && !cmd.dump_open);
        assert_eq!(cmd.valves[0], Valve::Fill);
        assert!(cmd.valves[1..].iter().all(|v| *v == Valve::Vent));
    }

    #[test]
    fn over_pressure_vents_in_the_same_tick_and_latches() {
        let mut c = CompressionController::new(
            CompressionConfig::default(),
            &CompressionProgram::with_level(3, 20),
        )
        .unwrap();
        c.start(0).unwrap();
        c.tick(10, &readings(0.0, 5.0));
        let mut r = readings(0.0, 5.0);
        r.chambers[3] = Some(66.0);
        // A 66 mmHg jump is also a rate fault; over-pressure is checked first.
        assert!(c.tick(20, &r).is_safe());
        assert_eq!(c.state(), CompressionState::Fault { kind: CompressionFault::OverPressure });
        assert!(c.tick(30, &readings(0.0, 0.0)).is_safe());
        assert_eq!(c.reset(), Ok(()));
        assert_eq!(c.state(), CompressionState::Idle);
    }

    #[test]
    fn reset_is_refused_while_a_chamber_is_above_five() {
        let mut c = CompressionController::new(
            CompressionConfig::default(),
            &CompressionProgram::with_level(3, 20),
        )
        .unwrap();
        c.start(0).unwrap();
        c.tick(1000, &readings(0.0, 0.0));
        assert!(matches!(c.state(), CompressionState::Fault { kind: CompressionFault::Watchdog }));
        c.tick(1010, &readings(6.0, 0.0));
        assert_eq!(c.reset(), Err(ControlError::StillPressurized));
        c.tick(1020, &readings(4.0, 0.0));
        assert_eq!(c.reset(), Ok(()));
    }

    #[test]
    fn chamber_ids_round_trip() {
        for i in 0..MAX_CHAMBERS {
            assert_eq!(ChamberId::from_index(i).index(), i);
        }
        assert_eq!(ChamberId::from_index(10), ChamberId { leg: Leg::Right, number: 3 });
    }
}
