//! The plan as the engine builds it (domain types; the wire shape lives in `doc.rs`).

use std::borrow::Cow;

use jiff::Timestamp;

use crate::codes::{Level, Modality};
use crate::references::Reference;
use crate::region::Region;

/// A sentence of the plan: a `&'static str` of the planner's tables, owned only when composed
/// (a dose's figures, a body region's words).
pub type Text = Cow<'static, str>;

/// A recovery plan: the triage verdict, what is off limits, and timed, dosed steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The check-in's `now`, in whole seconds.
    pub generated_at: Timestamp,
    /// The triage verdict.
    pub triage: Triage,
    /// Every default used for a missing input.
    pub assumptions: Vec<Text>,
    /// Standing instructions and the "consider" note.
    pub notes: Vec<Text>,
    /// Steps in time order.
    pub steps: Vec<Step>,
    /// Device programs, each tied to a step index.
    pub device_programs: Vec<DeviceProgram>,
    /// Every reference the plan cites, in the table's order.
    pub references: Vec<&'static Reference>,
}

/// The triage verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// The level reached.
    pub level: Level,
    /// Why, most severe first.
    pub reasons: Vec<Reason>,
    /// Every modality the plan may not use, with where and why.
    pub blocked: Vec<Block>,
    /// What to do, in words a runner understands.
    pub advice: Text,
}

/// One triage reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// The reason code (protocol.md §2).
    pub code: &'static str,
    /// The level this reason alone gives.
    pub level: Level,
    /// Plain-language explanation.
    pub text: Text,
    /// Reference ids.
    pub evidence: Vec<Text>,
}

/// A modality the plan may not use on a region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Block {
    /// The modality.
    pub modality: Modality,
    /// Where (`all` for everywhere).
    pub region: Region,
    /// A triage reason code or `contra_absolute:CONDITION` / `contra_relative:CONDITION`.
    pub reason: Text,
}

/// Pressure for hands-on work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pressure {
    /// Light.
    Light,
    /// Moderate.
    Moderate,
}

impl Pressure {
    /// The wire code.
    pub fn code(self) -> &'static str {
        match self {
            Pressure::Light => "light",
            Pressure::Moderate => "moderate",
        }
    }
}

/// The dose of a step (protocol.md §7).
#[derive(Debug, Clone, PartialEq)]
pub enum Dose {
    /// Walk or easy cycle.
    Easy,
    /// Leg swings and torso twists.
    Dynamic {
        /// Repetitions per side (and per direction).
        reps_per_side: u32,
    },
    /// Held stretches for a cramp.
    Static {
        /// Seconds per hold.
        seconds: u32,
        /// Holds.
        reps: u32,
    },
    /// Foam rolling.
    FoamRolling {
        /// Seconds per group and side.
        seconds_per_group: u32,
        /// Sets.
        sets: u32,
        /// Pressure.
        pressure: Pressure,
    },
    /// Massage gun.
    MassageGun {
        /// Seconds per spot.
        seconds_per_spot: u32,
        /// Pressure.
        pressure: Pressure,
    },
    /// Compression boots.
    Compression {
        /// Level 1–7.
        level: u8,
        /// Session minutes.
        minutes: u32,
        /// Hold at the top of each cycle, s.
        hold_s: u32,
        /// Vented rest between cycles, s.
        rest_s: u32,
        /// The pressure cap in force, when one applies.
        max_mmhg: Option<u32>,
    },
    /// Vibration plate.
    Vibration {
        /// Frequency.
        frequency_hz: f64,
        /// Half peak-to-peak displacement, mm.
        amplitude_mm: f64,
        /// Seconds per bout.
        bout_s: u32,
        /// Bouts.
        bouts: u32,
        /// The stances, in order.
        stances: Vec<&'static str>,
    },
    /// Water and electrolytes.
    Hydration {
        /// Millilitres of water.
        water_ml: u32,
        /// With electrolytes.
        electrolytes: bool,
    },
    /// No dose (referral, rest).
    None,
}

/// One timed step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Minutes after the check-in's `now`.
    pub offset_min: u32,
    /// What to do.
    pub modality: Modality,
    /// How long, in seconds.
    pub duration_s: u32,
    /// Where.
    pub targets: Vec<Region>,
    /// How much.
    pub dose: Dose,
    /// How, step by step.
    pub instructions: Vec<Text>,
    /// Why this step.
    pub why: Text,
    /// Reference ids.
    pub evidence: Vec<Text>,
}

/// A device program tied to a step.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceProgram {
    /// Compression boots.
    Compression {
        /// Index of the step in `steps`.
        step: usize,
        /// The program.
        program: CompressionProgram,
    },
    /// Vibration plate.
    Vibration {
        /// Index of the step in `steps`.
        step: usize,
        /// The program.
        program: VibrationProgram,
    },
}

/// Which legs a compression session uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legs {
    /// Both legs.
    Both,
    /// Left only.
    Left,
    /// Right only.
    Right,
}

impl Legs {
    /// The wire code.
    pub fn code(self) -> &'static str {
        match self {
            Legs::Both => "both",
            Legs::Left => "left",
            Legs::Right => "right",
        }
    }
}

/// A compression program (devices.md §1), shape agreed with the device crate.
#[derive(Debug, Clone, PartialEq)]
pub struct CompressionProgram {
    /// Level 1–7.
    pub level: u8,
    /// Explicit targets per chamber (foot first), when a cap falls below level 1.
    pub targets_mmhg: Option<Vec<u32>>,
    /// Chambers per leg.
    pub chambers: u8,
    /// Legs used.
    pub legs: Legs,
    /// Hold with the whole leg at target, s.
    pub hold_s: u32,
    /// Vented rest between cycles, s.
    pub rest_s: u32,
    /// Session length, minutes.
    pub duration_min: u32,
    /// Chambers given a boost (none by default).
    pub boost: Vec<u8>,
    /// Distal target ≥ proximal target.
    pub gradient: bool,
}

/// One vibration segment.
#[derive(Debug, Clone, PartialEq)]
pub struct VibrationSegment {
    /// Stance code.
    pub stance: &'static str,
    /// Frequency, Hz (≤ 50).
    pub frequency_hz: f64,
    /// `low` (≤ 1 mm) or `high`.
    pub amplitude_high: bool,
    /// Seconds (≤ 120).
    pub duration_s: u32,
    /// Rest after, s.
    pub rest_s: u32,
}

/// A vibration program (devices.md §2).
#[derive(Debug, Clone, PartialEq)]
pub struct VibrationProgram {
    /// Spin-up and spin-down, s.
    pub ramp_s: u32,
    /// Segments in order.
    pub segments: Vec<VibrationSegment>,
}
