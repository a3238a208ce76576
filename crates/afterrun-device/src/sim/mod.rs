//! Physical simulators of the two devices, with fault injection, deterministic from a seed.
//!
//! Why: the controllers' safety claims are only worth what they are tested against. The
//! simulators model the physics the controllers must survive (air in compliant bladders, a pump
//! that can stall at 300 mmHg, orifices, leaks, sensor noise and lag; a motor with inertia, an
//! eccentric mass and a platform carrying a person) and inject every fault of devices.md at a
//! chosen time. Physics steps 1 ms, the controller ticks every 10 ms, and every random draw comes
//! from a seeded PRNG of our own, so a run is reproducible from its seed and fault list.

pub mod compression;
pub mod faults;
pub mod rng;
pub mod session;
pub mod vibration;

pub use compression::{CompressionSim, CompressionSimParams, CompressionSummary};
pub use faults::{Device, FaultKind, FaultSpecError, InjectedFault, parse_faults};
pub use rng::Rng;
pub use session::{Frame, InvalidProgram, Program, Simulation, StateDetail, Summary};
pub use vibration::{VibrationSim, VibrationSimParams, VibrationSummary};

/// A fault the controller detected: its kind's name and when.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DetectedFault {
    /// The kind, as in devices.md (`over_pressure`, `sensor`, `stall`, …).
    pub kind: &'static str,
    /// Simulated time of detection, ms.
    pub t_ms: u64,
}

/// How a run ended, told the same way for both devices: what the controller detected, what the
/// simulator injected, and the two safety outcomes every run must have.
#[derive(Clone, Debug, PartialEq)]
pub struct RunEnd {
    /// Faults the controller detected, in order.
    pub faults: std::vec::Vec<DetectedFault>,
    /// Faults injected (those whose time came).
    pub injected: std::vec::Vec<InjectedFault>,
    /// Ended safe: the boots fully vented (every chamber physically below 5 mmHg) or the plate's
    /// motor physically stopped, with the controller done or faulted.
    pub ended_safe: bool,
    /// A tick commanded energy (the pump, the motor) after a detected fault (must never happen).
    pub energized_after_fault: bool,
}

/// The controller's faults as a run's summary tells them: each one it detected, and whether a
/// tick still commanded energy (the pump, the motor) once it was in fault.
#[derive(Clone, Debug, Default)]
pub(crate) struct Detections {
    /// Each fault detected, in order.
    pub(crate) faults: std::vec::Vec<DetectedFault>,
    /// A tick commanded energy after a detected fault (must never happen).
    pub(crate) energized_after_fault: bool,
}

impl Detections {
    /// How the run ended: these detections, the faults `schedule` injected, and `ended_safe`.
    pub(crate) fn run_end(&self, schedule: &faults::FaultSchedule, ended_safe: bool) -> RunEnd {
        RunEnd {
            faults: self.faults.clone(),
            injected: schedule.injected().to_vec(),
            ended_safe,
            energized_after_fault: self.energized_after_fault,
        }
    }

    /// After one tick: `was_faulted` whether the controller was in fault before it, `fault` the
    /// fault it is in now (when there is one), `energized` whether the tick commanded energy.
    pub(crate) fn after_tick(
        &mut self,
        was_faulted: bool,
        fault: Option<DetectedFault>,
        energized: bool,
    ) {
        if was_faulted {
            self.energized_after_fault |= energized;
        } else if let Some(fault) = fault {
            self.energized_after_fault |= energized;
            self.faults.push(fault);
        }
    }
}
