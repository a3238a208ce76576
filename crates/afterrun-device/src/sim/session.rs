//! One device-program layer for every front end: a program read from a plan's
//! `device_programs[].program` JSON, its duration and fault list, and a [`Simulation`] of either
//! device that yields typed [`Frame`]s and one [`Summary`] shape.
//!
//! Why here: the command line (`afterrun device`) and the web app's device view run the same
//! programs in the same simulators; each used to parse, run and summarise them its own way, and
//! the two summaries had drifted apart. They are now renderers: they pick, round and word what
//! the frames and the summary hold.

use std::boxed::Box;
use std::string::{String, ToString};
use std::vec::Vec;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::compression::{
    ChamberId, CompressionProgram, CompressionState, MAX_CHAMBERS, ProgramError, Valve,
};
use crate::sim::compression::TICK_MS;
use crate::sim::faults::{Device, FaultSpecError, InjectedFault, parse_faults};
use crate::sim::{
    CompressionSim, CompressionSimParams, DetectedFault, RunEnd, VibrationSim, VibrationSimParams,
};
use crate::vibration::{
    Stance, VibrationConfig, VibrationProgram, VibrationProgramError, VibrationState,
};

/// The `device_programs` of a plan (interfaces.md, "Plan"), read leniently: each program stays
/// `P` (JSON, for the front ends) so that [`Program::read`] can say what is wrong with it, and
/// the entry's device code stays text so that an unknown one is skipped, not an error.
#[derive(Debug, Clone, Deserialize)]
pub struct PlanPrograms<P> {
    /// The entries; `None` when the plan has no such list.
    #[serde(default = "Option::default")]
    pub device_programs: Option<Vec<ProgramEntry<P>>>,
}

/// One entry of a plan's `device_programs`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProgramEntry<P> {
    /// `compression_boots` or `vibration_plate`.
    pub device: String,
    /// The index of its step in the plan.
    #[serde(default)]
    pub step: Option<u64>,
    /// The program.
    #[serde(default = "Option::default")]
    pub program: Option<P>,
}

impl<P> ProgramEntry<P> {
    /// The device, when its code is known.
    pub fn kind(&self) -> Option<Device> {
        Device::from_code(&self.device)
    }
}

impl Device {
    /// Both devices, compression first.
    pub const ALL: [Device; 2] = [Device::Compression, Device::Vibration];

    /// The `device` of a plan's `device_programs` entry.
    pub fn code(self) -> &'static str {
        match self {
            Device::Compression => "compression_boots",
            Device::Vibration => "vibration_plate",
        }
    }

    /// The device a `device_programs` entry names.
    pub fn from_code(code: &str) -> Option<Device> {
        Device::ALL.into_iter().find(|d| d.code() == code)
    }

    /// The short name: `compression`, `vibration` (the summary's `device`, the CLI argument).
    pub fn slug(self) -> &'static str {
        match self {
            Device::Compression => "compression",
            Device::Vibration => "vibration",
        }
    }
}

/// Why a program cannot run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum InvalidProgram {
    /// The JSON does not have the program's shape (the reader's message).
    #[error("{0}")]
    Shape(String),
    /// A compression program's values are refused.
    #[error(transparent)]
    Compression(#[from] ProgramError),
    /// A plate program's values are refused.
    #[error(transparent)]
    Vibration(#[from] VibrationProgramError),
}

/// A valid program of either device.
#[derive(Clone, Debug, PartialEq)]
pub enum Program {
    /// Compression boots.
    Compression(CompressionProgram),
    /// The vibrating plate.
    Vibration(VibrationProgram),
}

impl Program {
    /// Reads and validates the `program` object of a `device_programs` entry for `device`
    /// (any serde data format: `serde_json::Value` is one).
    pub fn read<'de, D: Deserializer<'de>>(
        device: Device,
        data: D,
    ) -> Result<Program, InvalidProgram> {
        let shape = |e: D::Error| InvalidProgram::Shape(e.to_string());
        match device {
            Device::Compression => {
                let program = CompressionProgram::deserialize(data).map_err(shape)?;
                program.validate()?;
                Ok(Program::Compression(program))
            }
            Device::Vibration => {
                let program = VibrationProgram::deserialize(data).map_err(shape)?;
                program.validate(&VibrationConfig::default())?;
                Ok(Program::Vibration(program))
            }
        }
    }

    /// The device it runs on.
    pub fn device(&self) -> Device {
        match self {
            Program::Compression(_) => Device::Compression,
            Program::Vibration(_) => Device::Vibration,
        }
    }

    /// About how long a run takes, ms: the session, or the plate's segments with their ramps
    /// and rests end to end.
    pub fn duration_ms(&self) -> u64 {
        match self {
            Program::Compression(p) => u64::from(p.duration_min) * 60_000,
            Program::Vibration(p) => plate_total_ms(p),
        }
    }

    /// Parses a fault specification (`KIND[@CHAMBER][:VALUE]:TIME`, comma-separated) for this
    /// program's device and sleeves.
    pub fn faults(&self, spec: &str) -> Result<Vec<InjectedFault>, FaultSpecError> {
        let chambers = match self {
            Program::Compression(p) => p.chambers,
            Program::Vibration(_) => 1,
        };
        parse_faults(spec, self.device(), chambers)
    }
}

/// A plate program's segments with their ramps and rests, end to end, ms.
fn plate_total_ms(p: &VibrationProgram) -> u64 {
    p.segments.iter().map(|s| u64::from(s.duration_s + s.rest_s + 2 * p.ramp_s) * 1000).sum()
}

/// A run of either simulator.
#[derive(Debug)]
pub enum Simulation {
    /// The boots.
    Compression(Box<CompressionSim>),
    /// The plate, with its program (for the frames' segment and stance).
    Vibration(Box<VibrationSim>, Box<VibrationProgram>),
}

impl Simulation {
    /// A run of `program` with the default physics, noise from `seed`, and `faults` injected.
    pub fn new(
        program: &Program,
        seed: u64,
        faults: &[InjectedFault],
    ) -> Result<Simulation, InvalidProgram> {
        Ok(match program {
            Program::Compression(p) => {
                let params = CompressionSimParams::default();
                Simulation::Compression(Box::new(CompressionSim::new(params, p, seed, faults)?))
            }
            Program::Vibration(p) => {
                let params = VibrationSimParams::default();
                let sim = VibrationSim::new(params, p, seed, faults)?;
                Simulation::Vibration(Box::new(sim), Box::new(p.clone()))
            }
        })
    }

    /// One physics step (1 ms; the controller ticks every 10 ms).
    pub fn step(&mut self) {
        match self {
            Simulation::Compression(sim) => sim.step(),
            Simulation::Vibration(sim, _) => sim.step(),
        }
    }

    /// Simulated time, ms.
    pub fn t_ms(&self) -> u64 {
        match self {
            Simulation::Compression(sim) => sim.t_ms(),
            Simulation::Vibration(sim, _) => sim.t_ms(),
        }
    }

    /// Whether the run has ended (the controller done or faulted, and the device safe).
    pub fn finished(&self) -> bool {
        match self {
            Simulation::Compression(sim) => sim.finished(),
            Simulation::Vibration(sim, _) => sim.finished(),
        }
    }

    /// Steps to simulated time `until` (or the end).
    pub fn run_until(&mut self, until: u64) {
        while !self.finished() && self.t_ms() < until {
            self.step();
        }
    }

    /// Runs to the end, showing `observer` the run after every controller tick and at the end;
    /// returns the summary.
    pub fn run(&mut self, mut observer: impl FnMut(&Simulation)) -> Summary {
        while !self.finished() {
            self.step();
            if self.t_ms().is_multiple_of(TICK_MS) || self.finished() {
                observer(self);
            }
        }
        self.summary()
    }

    /// What the run shows now.
    pub fn frame(&self) -> Frame {
        match self {
            Simulation::Compression(sim) => Frame::Compression(compression_frame(sim)),
            Simulation::Vibration(sim, program) => Frame::Vibration(vibration_frame(sim, program)),
        }
    }

    /// The summary of the run so far.
    pub fn summary(&self) -> Summary {
        match self {
            Simulation::Compression(sim) => {
                let s = sim.summary();
                Summary {
                    max_pressure_mmhg: Some(s.max_pressure_mmhg),
                    time_at_target_s: Some(s.time_at_target_s),
                    ..Summary::of(Device::Compression, s.duration_s, u64::from(s.cycles), s.end)
                }
            }
            Simulation::Vibration(sim, _) => {
                let s = sim.summary();
                Summary {
                    max_frequency_hz: Some(s.max_frequency_hz),
                    max_accel_g: Some(s.max_accel_g),
                    ..Summary::of(Device::Vibration, s.duration_s, s.segments as u64, s.end)
                }
            }
        }
    }
}

/// One moment of a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// The boots.
    Compression(CompressionFrame),
    /// The plate.
    Vibration(VibrationFrame),
}

/// What a frame line tells of the controller's state beside its name: the cycle, chamber and
/// phase of a running compression session, the segment and phase of a running plate, or the
/// latched fault. Serialized as the fields alone (no tag), to be added to the line.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum StateDetail {
    /// A running compression session.
    Cycle {
        /// The 1-based cycle.
        cycle: u32,
        /// The chamber filling (or last filled).
        chamber: String,
        /// The phase's name.
        phase: &'static str,
    },
    /// A running plate.
    Segment {
        /// The 1-based segment.
        segment: usize,
        /// The phase's name.
        phase: &'static str,
    },
    /// A latched fault.
    Fault {
        /// The fault's name.
        fault: &'static str,
    },
}

impl StateDetail {
    /// The detail of a compression controller's state (`None`: idle, venting or done).
    pub fn of_compression(state: CompressionState) -> Option<StateDetail> {
        match state {
            CompressionState::Running { cycle, chamber, phase } => Some(StateDetail::Cycle {
                cycle,
                chamber: chamber.to_string(),
                phase: phase.name(),
            }),
            CompressionState::Fault { kind } => Some(StateDetail::Fault { fault: kind.name() }),
            _ => None,
        }
    }

    /// The detail of a plate controller's state (`None`: idle, stopping or done).
    pub fn of_vibration(state: VibrationState) -> Option<StateDetail> {
        match state {
            VibrationState::Running { segment, phase } => {
                Some(StateDetail::Segment { segment, phase: phase.name() })
            }
            VibrationState::Fault { kind } => Some(StateDetail::Fault { fault: kind.name() }),
            _ => None,
        }
    }
}

/// One moment of a compression run.
#[derive(Clone, Debug, PartialEq)]
pub struct CompressionFrame {
    /// Simulated time, ms.
    pub t_ms: u64,
    /// The controller's state.
    pub state: CompressionState,
    /// Session time left, ms (0 when not running).
    pub left_ms: u64,
    /// Every chamber with a sleeve fitted, by global index (left leg first, foot first).
    pub chambers: Vec<ChamberFrame>,
    /// Simulated physical manifold pressure, mmHg.
    pub manifold_mmhg: f64,
    /// What the manifold sensor told the controller (`None`: no reading).
    pub manifold_reading_mmhg: Option<f32>,
    /// The controller commands the pump on.
    pub pump_command: bool,
    /// The controller commands the dump valve open.
    pub dump_command: bool,
    /// The pump physically runs.
    pub pump_running: bool,
    /// The dump valve is physically open.
    pub dump_open: bool,
}

/// One chamber in a compression frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChamberFrame {
    /// Which chamber.
    pub id: ChamberId,
    /// Whether the program uses it.
    pub active: bool,
    /// Simulated physical pressure, mmHg.
    pub pressure_mmhg: f64,
    /// What its sensor told the controller (`None`: no reading).
    pub reading_mmhg: Option<f32>,
    /// Its target (0 for chambers the program does not use), mmHg.
    pub target_mmhg: f32,
    /// Its valve as commanded.
    pub valve: Valve,
}

/// One moment of a plate run.
#[derive(Clone, Debug, PartialEq)]
pub struct VibrationFrame {
    /// Simulated time, ms.
    pub t_ms: u64,
    /// The controller's state.
    pub state: VibrationState,
    /// About how long is left, ms (0 once done or faulted).
    pub left_ms: u64,
    /// The motor's physical frequency, Hz.
    pub frequency_hz: f64,
    /// The frequency the controller asks for, Hz.
    pub target_hz: f32,
    /// Physical peak acceleration, g.
    pub accel_g: f64,
    /// The load on the plate, kg.
    pub load_kg: f64,
    /// The brake is commanded on.
    pub brake: bool,
    /// Segments in the program.
    pub segments: usize,
    /// The stance of the running segment.
    pub stance: Option<Stance>,
}

fn compression_frame(sim: &CompressionSim) -> CompressionFrame {
    let controller = sim.controller();
    let t = sim.t_ms();
    let chambers = (0..MAX_CHAMBERS)
        .filter(|&i| sim.fitted()[i])
        .map(|i| ChamberFrame {
            id: ChamberId::from_index(i),
            active: controller.active()[i],
            pressure_mmhg: sim.pressures()[i],
            reading_mmhg: sim.readings().chambers[i],
            target_mmhg: controller.targets()[i],
            valve: sim.commands().valves[i],
        })
        .collect();
    CompressionFrame {
        t_ms: t,
        state: controller.state(),
        left_ms: controller.remaining_ms(t),
        chambers,
        manifold_mmhg: sim.manifold_mmhg(),
        manifold_reading_mmhg: sim.readings().manifold,
        pump_command: sim.commands().pump,
        dump_command: sim.commands().dump_open,
        pump_running: sim.pump_running(),
        dump_open: sim.dump_open(),
    }
}

fn vibration_frame(sim: &VibrationSim, program: &VibrationProgram) -> VibrationFrame {
    let state = sim.controller().state();
    let t = sim.t_ms();
    let ended = matches!(state, VibrationState::Done | VibrationState::Fault { .. });
    let total_ms = plate_total_ms(program);
    let stance = match state {
        VibrationState::Running { segment, .. } => {
            program.segments.get(segment.saturating_sub(1)).map(|s| s.stance)
        }
        _ => None,
    };
    VibrationFrame {
        t_ms: t,
        state,
        left_ms: if ended { 0 } else { total_ms.saturating_sub(t) },
        frequency_hz: sim.frequency_hz(),
        target_hz: sim.commands().target_hz,
        accel_g: sim.accel_g(),
        load_kg: sim.load_kg(),
        brake: sim.commands().brake,
        segments: program.segments.len(),
        stance,
    }
}

/// How a run ended: one shape for both devices, for the command line's last `--json` line
/// and the web stream's `summary` event. Written with its numbers to 0.01 and the fields of
/// the other device left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// `compression` or `vibration`.
    pub device: &'static str,
    /// Simulated time, s.
    #[serde(serialize_with = "hundredths")]
    pub duration_s: f64,
    /// Compression cycles whose whole-leg hold completed, or plate segments completed.
    pub cycles: u64,
    /// Compression: the highest simulated physical chamber pressure, mmHg.
    #[serde(serialize_with = "hundredths_opt", skip_serializing_if = "Option::is_none")]
    pub max_pressure_mmhg: Option<f64>,
    /// Compression: time with the whole leg held at target, s.
    #[serde(serialize_with = "hundredths_opt", skip_serializing_if = "Option::is_none")]
    pub time_at_target_s: Option<f64>,
    /// Plate: the highest physical frequency, Hz.
    #[serde(serialize_with = "hundredths_opt", skip_serializing_if = "Option::is_none")]
    pub max_frequency_hz: Option<f64>,
    /// Plate: the highest physical peak acceleration, g.
    #[serde(serialize_with = "hundredths_opt", skip_serializing_if = "Option::is_none")]
    pub max_accel_g: Option<f64>,
    /// Faults the controller detected.
    pub faults: Vec<DetectedFault>,
    /// Faults the simulator injected (those whose time came), as fault specifications.
    pub injected: Vec<String>,
    /// Compression fully vented, or the plate stopped, with the controller done or faulted.
    pub ended_safe: bool,
}

impl Summary {
    /// The fields both devices have; the device's own are left out (`None`).
    fn of(device: Device, duration_s: f64, cycles: u64, end: RunEnd) -> Summary {
        Summary {
            device: device.slug(),
            duration_s,
            cycles,
            max_pressure_mmhg: None,
            time_at_target_s: None,
            max_frequency_hz: None,
            max_accel_g: None,
            faults: end.faults,
            injected: end.injected.iter().map(ToString::to_string).collect(),
            ended_safe: end.ended_safe,
        }
    }
}

/// A number to 0.01 (non-finite numbers as 0).
pub fn round2(x: f64) -> f64 {
    if x.is_finite() { (x * 100.0).round() / 100.0 } else { 0.0 }
}

fn hundredths<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round2(*x))
}

// serde's `serialize_with` hands the field by reference.
#[allow(clippy::ref_option)]
fn hundredths_opt<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.serialize_some(&round2(*x)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_by_code_and_durations() {
        assert_eq!(Device::from_code("vibration_plate"), Some(Device::Vibration));
        assert_eq!(Device::from_code("boots"), None);
        let boots = Program::Compression(CompressionProgram::with_level(3, 20));
        assert_eq!(boots.duration_ms(), 20 * 60_000);
        assert!(boots.faults("leak@2:40s").is_ok());
        assert!(boots.faults("motor_stall:3s").is_err());
    }

    #[test]
    fn a_run_ends_in_one_summary_shape() {
        let program = Program::Compression(CompressionProgram::with_level(3, 1));
        let mut sim = Simulation::new(&program, 1, &[]).unwrap();
        let mut frames = 0;
        let summary = sim.run(|s| {
            if let Frame::Compression(f) = s.frame() {
                assert_eq!(f.chambers.len(), 10);
                frames += 1;
            }
        });
        assert!(frames > 6000);
        assert_eq!(summary.device, "compression");
        assert!(summary.ended_safe && summary.max_frequency_hz.is_none());
        assert!(summary.max_pressure_mmhg.is_some_and(|p| p > 40.0));
    }
}
