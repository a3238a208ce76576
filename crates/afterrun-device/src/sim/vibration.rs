//! The vibrating plate simulator: a DC motor with a flywheel and an eccentric cam, driven by a
//! speed-controlled drive, under a platform that is a spring–mass–damper carrying the person.
//!
//! Model. The cam lifts the platform's base by `y = (A/2)·sin θ`; the platform (its own mass
//! plus the person's) hangs on a stiff spring and damper over the cam, and the person's body
//! absorbs energy as a damper to ground. The force in the spring is the cam's load: its torque
//! on the shaft is `F·dy/dθ`. The drive closes a PI speed loop on the encoder, limited in
//! current; the brake is a strong friction torque. Sensors: the encoder's mean frequency over
//! the last tick, the current, a load cell, and the accelerometer's peak over the last 100 ms,
//! each with a little noise. The platform integrates in 0.1 ms substeps (its resonance is near
//! 300 Hz).

use crate::sim::compression::TICK_MS;
use crate::sim::faults::{FaultKind, FaultSchedule, InjectedFault};
use crate::sim::rng::Rng;
use crate::sim::{DetectedFault, Detections, RunEnd};
use crate::vibration::{
    G, STOPPED_HZ, VibrationCommands, VibrationConfig, VibrationController, VibrationProgram,
    VibrationProgramError, VibrationReadings, VibrationState,
};

use core::f64::consts::PI;

/// Torque of a jammed mechanism (fault `motor_stall`), N·m: it stops the shaft in tens of ms.
const JAM_NM: f64 = 50.0;

/// The plate simulator's physical parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VibrationSimParams {
    /// Mass of the person, kg.
    pub person_kg: f64,
    /// Mass of the moving platform, kg.
    pub platform_kg: f64,
    /// Inertia of the rotor, flywheel and cam, kg·m².
    pub inertia_kg_m2: f64,
    /// Torque constant, N·m/A.
    pub torque_per_amp: f64,
    /// Current limit of the drive, A.
    pub current_limit_a: f64,
    /// Viscous friction, N·m·s/rad.
    pub friction: f64,
    /// Brake torque, N·m.
    pub brake_nm: f64,
    /// Platform suspension resonance with the person on it, Hz.
    pub resonance_hz: f64,
    /// Damping ratio of the suspension.
    pub damping_ratio: f64,
    /// The body's damping, N·s/m.
    pub body_damping: f64,
    /// Drive speed loop: proportional gain, A/Hz.
    pub kp: f64,
    /// Drive speed loop: integral gain, A/(Hz·s).
    pub ki: f64,
    /// Accelerometer noise, σ in g.
    pub accel_noise_g: f64,
    /// Load cell noise, σ in kg.
    pub load_noise_kg: f64,
    /// Current sensor noise, σ in A.
    pub current_noise_a: f64,
}

impl Default for VibrationSimParams {
    fn default() -> Self {
        Self {
            person_kg: 70.0,
            platform_kg: 15.0,
            inertia_kg_m2: 0.02,
            torque_per_amp: 0.2,
            current_limit_a: 25.0,
            friction: 2.0e-4,
            brake_nm: 10.0,
            resonance_hz: 300.0,
            damping_ratio: 0.2,
            body_damping: 1000.0,
            kp: 3.0,
            ki: 20.0,
            accel_noise_g: 0.05,
            load_noise_kg: 0.3,
            current_noise_a: 0.05,
        }
    }
}

/// The end of a plate run.
#[derive(Clone, Debug, PartialEq)]
pub struct VibrationSummary {
    /// Simulated time, s.
    pub duration_s: f64,
    /// Segments completed.
    pub segments: usize,
    /// Highest physical frequency, Hz.
    pub max_frequency_hz: f64,
    /// Highest physical peak acceleration, g.
    pub max_accel_g: f64,
    /// Largest |frequency − segment frequency| in steady phases (after 1 s of settling), Hz.
    pub max_steady_error_hz: f64,
    /// Faults and safety: ended safe when the motor physically stopped at the end, the
    /// controller done or faulted; energized after a fault when a tick commanded motion.
    pub end: RunEnd,
}

/// A plate run: the controller against the physics, with injected faults.
#[derive(Debug)]
pub struct VibrationSim {
    params: VibrationSimParams,
    config: VibrationConfig,
    controller: VibrationController,
    rng: Rng,
    omega: f64,
    theta: f64,
    theta_at_tick: f64,
    x: f64,
    v: f64,
    accel_peak: [f64; 10],
    integral: f64,
    amplitude: crate::vibration::Amplitude,
    target_slope: f64,
    current: f64,
    person: f64,
    faults: FaultSchedule,
    stall: bool,
    encoder_stuck: Option<f64>,
    runaway: bool,
    accel_saturated: bool,
    gap_until: u64,
    last_tick: u64,
    watchdog: bool,
    commands: VibrationCommands,
    readings: VibrationReadings,
    measured_hz: f64,
    t: u64,
    detected: Detections,
    max_frequency: f64,
    max_accel: f64,
    max_steady_error: f64,
    segments_done: usize,
    limit_ms: u64,
    finished: bool,
}

impl VibrationSim {
    /// A run of `program` with these physics, seed and faults.
    pub fn new(
        params: VibrationSimParams,
        program: &VibrationProgram,
        seed: u64,
        faults: &[InjectedFault],
    ) -> Result<Self, VibrationProgramError> {
        let config = VibrationConfig::default();
        let mut controller = VibrationController::new(config, program)?;
        let _ = controller.start(0);
        let total: u64 = program
            .segments
            .iter()
            .map(|s| u64::from(s.duration_s + s.rest_s + 2 * program.ramp_s) + 3)
            .sum();
        Ok(Self {
            params,
            config,
            controller,
            rng: Rng::new(seed),
            omega: 0.0,
            theta: 0.0,
            theta_at_tick: 0.0,
            x: 0.0,
            v: 0.0,
            accel_peak: [0.0; 10],
            integral: 0.0,
            amplitude: crate::vibration::Amplitude::Low,
            target_slope: 0.0,
            current: 0.0,
            person: params.person_kg,
            faults: FaultSchedule::new(faults),
            stall: false,
            encoder_stuck: None,
            runaway: false,
            accel_saturated: false,
            gap_until: 0,
            last_tick: 0,
            watchdog: false,
            commands: VibrationCommands::SAFE,
            readings: VibrationReadings::default(),
            measured_hz: 0.0,
            t: 0,
            detected: Detections::default(),
            max_frequency: 0.0,
            max_accel: 0.0,
            max_steady_error: 0.0,
            segments_done: 0,
            limit_ms: total * 1000 + 120_000,
            finished: false,
        })
    }

    /// The physical parameters.
    pub fn params(&self) -> &VibrationSimParams {
        &self.params
    }

    /// The controller under test.
    pub fn controller(&self) -> &VibrationController {
        &self.controller
    }

    /// Simulated time, ms.
    pub fn t_ms(&self) -> u64 {
        self.t
    }

    /// Physical motor frequency, Hz.
    pub fn frequency_hz(&self) -> f64 {
        self.omega / (2.0 * PI)
    }

    /// Physical peak acceleration of the platform over the last 100 ms, g.
    pub fn accel_g(&self) -> f64 {
        self.accel_peak.iter().fold(0.0f64, |a, &b| a.max(b)) / f64::from(G)
    }

    /// The load on the platform, kg (physical).
    pub fn load_kg(&self) -> f64 {
        self.person
    }

    /// The last readings and commands.
    pub fn readings(&self) -> &VibrationReadings {
        &self.readings
    }

    /// The commands of the last tick.
    pub fn commands(&self) -> &VibrationCommands {
        &self.commands
    }

    /// Whether the run has ended.
    pub fn finished(&self) -> bool {
        self.finished
    }

    fn activate(&mut self, f: InjectedFault) {
        match f.kind {
            FaultKind::UserStepsOff => self.person = 0.0,
            FaultKind::MotorStall => self.stall = true,
            FaultKind::EncoderStuck => self.encoder_stuck = Some(self.measured_hz),
            FaultKind::Overspeed => self.runaway = true,
            FaultKind::AccelSaturated => self.accel_saturated = true,
            FaultKind::TickGap => {
                let gap = f.value.unwrap_or(0.0).max(0.0) as u64;
                self.gap_until = self.gap_until.max(self.t + gap);
            }
            _ => {}
        }
    }

    fn sample(&mut self) -> VibrationReadings {
        let hz = self.encoder_stuck.unwrap_or(self.measured_hz);
        let accel = if self.accel_saturated {
            f64::from(self.config.accel_full_scale_g)
        } else {
            (self.accel_g() + self.params.accel_noise_g * self.rng.normal()).max(0.0)
        };
        let load = (self.person + self.params.load_noise_kg * self.rng.normal()).max(0.0);
        let current =
            (self.current.abs() + self.params.current_noise_a * self.rng.normal()).max(0.0);
        VibrationReadings {
            frequency_hz: Some(hz as f32),
            current_a: Some(current as f32),
            load_kg: Some(load as f32),
            accel_g: Some(accel as f32),
            watchdog_tripped: self.watchdog,
        }
    }

    fn physics(&mut self) {
        let dt = 0.001;
        let p = self.params;
        let braking = self.commands.brake || self.watchdog;
        let target = if self.watchdog { 0.0 } else { f64::from(self.commands.target_hz) };
        let f = self.omega / (2.0 * PI);
        // Drive: four-quadrant PI speed loop with acceleration feed-forward, current-limited;
        // off (and reset) with the brake or a 0 target.
        self.current = if self.watchdog {
            self.integral = 0.0;
            0.0
        } else if self.runaway {
            p.current_limit_a
        } else if braking || target <= 0.0 {
            self.integral = 0.0;
            0.0
        } else {
            let e = target - f;
            let ff = p.inertia_kg_m2 * 2.0 * PI * self.target_slope / p.torque_per_amp;
            let unclamped = p.kp * e + self.integral + ff;
            if unclamped.abs() < p.current_limit_a {
                self.integral += p.ki * e * dt;
            }
            unclamped.clamp(-p.current_limit_a, p.current_limit_a)
        };
        // Platform under the cam, in substeps; the spring's force loads the shaft.
        // The amplitude selector is mechanical: it engages only while the shaft is stopped.
        // The platform is then at rest and settles statically on the new cam position.
        if self.omega / (2.0 * PI) < f64::from(STOPPED_HZ)
            && self.amplitude != self.commands.amplitude
        {
            self.amplitude = self.commands.amplitude;
            let half = f64::from(self.config.peak_to_peak_m(self.amplitude)) / 2.0;
            self.x = half * self.theta.sin();
            self.v = 0.0;
        }
        let half = f64::from(self.config.peak_to_peak_m(self.amplitude)) / 2.0;
        let mass = p.platform_kg + self.person;
        let k = mass * (2.0 * PI * p.resonance_hz).powi(2);
        let c = 2.0 * p.damping_ratio * (k * mass).sqrt();
        let sub = 10;
        let h = dt / f64::from(sub);
        let mut load_torque = 0.0;
        let mut peak: f64 = 0.0;
        for _ in 0..sub {
            let (s, co) = self.theta.sin_cos();
            let y = half * s;
            let yd = half * self.omega * co;
            let force = k * (y - self.x) + c * (yd - self.v);
            let a = (force - p.body_damping * self.v) / mass;
            self.v += a * h;
            self.x += self.v * h;
            peak = peak.max(a.abs());
            load_torque += force * half * co / f64::from(sub);
            self.theta = (self.theta + self.omega * h) % (2.0 * PI * 1.0e6);
        }
        let slot = (self.t / 10) as usize % self.accel_peak.len();
        if self.t.is_multiple_of(10) {
            self.accel_peak[slot] = 0.0;
        }
        self.accel_peak[slot] = self.accel_peak[slot].max(peak);
        let mut torque = p.torque_per_amp * self.current - p.friction * self.omega - load_torque;
        if braking && self.omega > 0.0 {
            torque -= p.brake_nm;
        }
        if self.stall && self.omega > 0.0 {
            torque -= JAM_NM;
        }
        let next = self.omega + torque / p.inertia_kg_m2 * dt;
        // Friction, the brake and a jam stop the shaft; they do not reverse it, and a jammed
        // shaft stays locked (the drive's torque is far below the jam's).
        self.omega = if self.stall && self.omega <= 0.0 { 0.0 } else { next.max(0.0) };
    }

    /// Advances by 1 ms: injections, the tick every 10 ms (unless a gap), the physics.
    pub fn step(&mut self) {
        if self.finished {
            return;
        }
        while let Some(f) = self.faults.due(self.t) {
            self.activate(f);
        }
        if self.t.is_multiple_of(TICK_MS) {
            self.measured_hz =
                (self.theta - self.theta_at_tick).abs() / (2.0 * PI) / (TICK_MS as f64 / 1000.0);
            self.theta_at_tick = self.theta;
            self.target_slope = 0.0;
            if self.t >= self.gap_until {
                let readings = self.sample();
                let had_fault = self.controller.fault_at().is_some();
                let before = f64::from(self.commands.target_hz);
                self.commands = self.controller.tick(self.t, &readings);
                self.last_tick = self.t;
                self.target_slope =
                    (f64::from(self.commands.target_hz) - before) / (TICK_MS as f64 / 1000.0);
                self.readings = readings;
                let fault = match (self.controller.fault_at(), self.controller.state()) {
                    (Some(at), VibrationState::Fault { kind }) => {
                        Some(DetectedFault { kind: kind.name(), t_ms: at })
                    }
                    _ => None,
                };
                self.detected.after_tick(had_fault, fault, !self.commands.is_safe());
            }
        }
        // The independent hardware watchdog: no tick for 200 ms cuts the drive and brakes.
        if self.t.saturating_sub(self.last_tick) >= 200 {
            self.watchdog = true;
        }
        self.physics();
        self.t += 1;
        self.account();
    }

    fn account(&mut self) {
        let f = self.frequency_hz();
        self.max_frequency = self.max_frequency.max(f);
        self.max_accel = self.max_accel.max(self.accel_g());
        if let VibrationState::Running { segment, phase } = self.controller.state() {
            if segment > self.segments_done + 1 {
                self.segments_done = segment - 1;
            }
            if phase == crate::vibration::VibrationPhase::Steady && self.t.is_multiple_of(TICK_MS) {
                // Settled: compare the encoder's tick mean with the segment's frequency.
                let err = (self.measured_hz - f64::from(self.controller.segment_hz())).abs();
                if self.controller_steady_for() >= 1000 {
                    self.max_steady_error = self.max_steady_error.max(err);
                }
            }
        }
        let state = self.controller.state();
        if state == VibrationState::Done {
            self.segments_done = self.segments_done.max(self.segments_total());
        }
        let stopped = f < f64::from(STOPPED_HZ);
        let settled = match state {
            VibrationState::Done => true,
            VibrationState::Fault { .. } => {
                stopped && self.t >= self.controller.fault_at().unwrap_or(0) + 1000
            }
            _ => false,
        };
        if settled || self.t >= self.limit_ms {
            self.finished = true;
        }
    }

    fn segments_total(&self) -> usize {
        self.controller.segments()
    }

    fn controller_steady_for(&self) -> u64 {
        self.controller.phase_elapsed(self.t)
    }

    /// Runs to the end, calling `observer` every 10 ms (and at the end).
    pub fn run(&mut self, mut observer: impl FnMut(&VibrationSim)) -> VibrationSummary {
        while !self.finished {
            self.step();
            if self.t.is_multiple_of(TICK_MS) || self.finished {
                observer(self);
            }
        }
        self.summary()
    }

    /// The summary so far.
    pub fn summary(&self) -> VibrationSummary {
        let state = self.controller.state();
        let ended = matches!(state, VibrationState::Done | VibrationState::Fault { .. });
        VibrationSummary {
            duration_s: self.t as f64 / 1000.0,
            segments: self.segments_done,
            max_frequency_hz: self.max_frequency,
            max_accel_g: self.max_accel,
            max_steady_error_hz: self.max_steady_error,
            end: self
                .detected
                .run_end(&self.faults, ended && self.frequency_hz() < f64::from(STOPPED_HZ)),
        }
    }
}
