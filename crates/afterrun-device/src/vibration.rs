//! The vibrating plate: the program, the configuration and the controller.
//!
//! A motor spins an eccentric mass under the platform: frequency follows motor speed, the
//! displacement is set by the amplitude mode, and peak acceleration is `A·(2πf)²/2` for a
//! peak-to-peak displacement `A`. A program is a list of segments (a stance held at a frequency
//! for a time, then a rest); each segment ramps up over `ramp_s`, holds, ramps down and rests.
//!
//! # Safety
//!
//! Every stop and fault commands frequency 0 with the brake on, in the same tick, and faults latch.
//! 1. No spin-up unless a person is on the platform (load ≥ 20 kg for 1 s); a load below 20 kg
//!    while the motor is commanded or turning is fault `no_load` (the motor stops at once, well
//!    within the 1 s of devices.md).
//! 2. The commanded frequency never exceeds 50 Hz (programs above are refused), programs whose
//!    nominal peak acceleration exceeds 85 % of the ceiling are refused (the margin covers the
//!    platform's resonance and the accelerometer's noise), a measured acceleration above the
//!    ceiling is fault `over_acceleration`, and a measured frequency more than 10 % (+0.5 Hz) over
//!    the segment's frequency is fault `overspeed`.
//! 3. Current above the stall current while the motor turns at less than half its command, for
//!    1 s: fault `stall`.
//! 4. At most 15 minutes of vibration (ramps included) per session and 120 s per segment: longer
//!    programs are refused, and a running session is stopped when its vibration time is spent.
//! 5. `done` only once the measured frequency is 0. A measured frequency that stays more than
//!    3 Hz from the command for 2 s (an encoder that stopped counting) is fault `sensor`.

use heapless::Vec;

use crate::Millis;

/// Segments a program may hold.
pub const MAX_SEGMENTS: usize = 16;
/// Highest frequency, Hz.
pub const MAX_FREQUENCY_HZ: f32 = 50.0;
/// Lowest frequency of a segment, Hz.
pub const MIN_FREQUENCY_HZ: f32 = 5.0;
/// Longest segment, s.
pub const MAX_SEGMENT_S: u32 = 120;
/// Most vibration in a session, ramps included, s.
pub const MAX_SESSION_VIBRATION_S: u32 = 15 * 60;
/// Least load, kg, for the motor to turn.
pub const MIN_LOAD_KG: f32 = 20.0;
/// Standard gravity, m/s².
pub const G: f32 = 9.806_65;
/// A frequency below this, Hz, counts as stopped.
pub const STOPPED_HZ: f32 = 0.2;
/// Programs are refused above this share of the acceleration ceiling.
pub const ACCEL_PROGRAM_SHARE: f32 = 0.85;

/// The person's position on the plate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Stance {
    /// Standing, knees soft.
    Standing,
    /// Squat (quads).
    Squat,
    /// Calf raise (calves).
    CalfRaise,
    /// Seated, heels on the plate (hamstrings).
    SeatedHamstring,
    /// Lunge, left foot on the plate.
    LungeLeft,
    /// Lunge, right foot on the plate.
    LungeRight,
    /// Seated, forefeet on the plate (calves).
    SeatedCalves,
}

impl Stance {
    /// The name as in programs.
    pub fn name(self) -> &'static str {
        match self {
            Stance::Standing => "standing",
            Stance::Squat => "squat",
            Stance::CalfRaise => "calf_raise",
            Stance::SeatedHamstring => "seated_hamstring",
            Stance::LungeLeft => "lunge_left",
            Stance::LungeRight => "lunge_right",
            Stance::SeatedCalves => "seated_calves",
        }
    }
}

/// The amplitude mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Amplitude {
    /// At most 1 mm half peak-to-peak.
    #[default]
    Low,
    /// More than 1 mm (2 mm half peak-to-peak on the default hardware).
    High,
}

/// One segment of a program.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Segment {
    /// Where the person stands.
    pub stance: Stance,
    /// Frequency at steady state, Hz (5–50).
    pub frequency_hz: f32,
    /// Amplitude mode.
    pub amplitude: Amplitude,
    /// Time at the frequency, s (1–120), ramps excluded.
    pub duration_s: u32,
    /// Rest after the segment (motor stopped), s.
    #[cfg_attr(feature = "serde", serde(default))]
    pub rest_s: u32,
}

fn default_ramp_s() -> u32 {
    2
}

/// A vibration program: `{"ramp_s":2,"segments":[{"stance":"standing","frequency_hz":25.0,
/// "amplitude":"low","duration_s":45,"rest_s":30}]}`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct VibrationProgram {
    /// Spin-up and spin-down time, s (default 2, at most 10).
    #[cfg_attr(feature = "serde", serde(default = "default_ramp_s"))]
    pub ramp_s: u32,
    /// The segments, in order (1–16).
    pub segments: Vec<Segment, MAX_SEGMENTS>,
}

/// Why a vibration program is refused.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum VibrationProgramError {
    /// No segment.
    #[error("the program has no segment")]
    Empty,
    /// `ramp_s` above 10.
    #[error("ramp_s {0} is above 10")]
    Ramp(u32),
    /// A frequency outside 5–50 Hz (or not a number).
    #[error("segment {segment}: frequency {hz} Hz is outside 5-50 Hz")]
    Frequency {
        /// 1-based segment.
        segment: usize,
        /// The frequency.
        hz: f32,
    },
    /// A segment longer than 120 s or of 0 s.
    #[error("segment {segment}: duration {seconds} s is outside 1-120 s")]
    Duration {
        /// 1-based segment.
        segment: usize,
        /// The duration.
        seconds: u32,
    },
    /// A rest above 600 s.
    #[error("segment {segment}: rest {seconds} s is above 600 s")]
    Rest {
        /// 1-based segment.
        segment: usize,
        /// The rest.
        seconds: u32,
    },
    /// A segment whose nominal peak acceleration is too high for the ceiling.
    #[error("segment {segment}: peak acceleration {g:.1} g is above {limit:.1} g")]
    Acceleration {
        /// 1-based segment.
        segment: usize,
        /// Nominal peak acceleration, g.
        g: f32,
        /// The limit, g.
        limit: f32,
    },
    /// More than 15 minutes of vibration, ramps included.
    #[error("the program vibrates {seconds} s in total, above 900 s")]
    Total {
        /// Total vibration time, s.
        seconds: u32,
    },
}

/// The plate's hardware and limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VibrationConfig {
    /// Half peak-to-peak displacement of the low mode, mm (≤ 1).
    pub low_half_pp_mm: f32,
    /// Half peak-to-peak displacement of the high mode, mm.
    pub high_half_pp_mm: f32,
    /// Peak acceleration ceiling, g (at most 8 g is enforced by default).
    pub accel_ceiling_g: f32,
    /// Motor current above which a slow motor is stalled, A.
    pub stall_current_a: f32,
    /// Highest plausible motor current, A.
    pub current_max_a: f32,
    /// Highest plausible load, kg.
    pub load_max_kg: f32,
    /// The accelerometer's full scale, g; a reading at or above it is saturated.
    pub accel_full_scale_g: f32,
}

impl Default for VibrationConfig {
    fn default() -> Self {
        Self {
            low_half_pp_mm: 1.0,
            high_half_pp_mm: 2.0,
            accel_ceiling_g: 8.0,
            stall_current_a: 6.0,
            current_max_a: 50.0,
            load_max_kg: 300.0,
            accel_full_scale_g: 16.0,
        }
    }
}

impl VibrationConfig {
    /// Peak-to-peak displacement of a mode, m.
    pub fn peak_to_peak_m(&self, amplitude: Amplitude) -> f32 {
        let half = match amplitude {
            Amplitude::Low => self.low_half_pp_mm,
            Amplitude::High => self.high_half_pp_mm,
        };
        2.0 * half / 1000.0
    }

    /// Nominal peak acceleration, g, of a frequency and mode: `A·(2πf)²/2`.
    pub fn peak_accel_g(&self, frequency_hz: f32, amplitude: Amplitude) -> f32 {
        let w = 2.0 * core::f32::consts::PI * frequency_hz;
        self.peak_to_peak_m(amplitude) * w * w / 2.0 / G
    }
}

impl VibrationProgram {
    /// A program of these segments with the default 2 s ramps.
    pub fn new(segments: Vec<Segment, MAX_SEGMENTS>) -> Self {
        Self { ramp_s: default_ramp_s(), segments }
    }

    /// Checks the program against `config`; the error names the first problem.
    pub fn validate(&self, config: &VibrationConfig) -> Result<(), VibrationProgramError> {
        if self.segments.is_empty() {
            return Err(VibrationProgramError::Empty);
        }
        if self.ramp_s > 10 {
            return Err(VibrationProgramError::Ramp(self.ramp_s));
        }
        let limit = config.accel_ceiling_g * ACCEL_PROGRAM_SHARE;
        let mut total: u32 = 0;
        for (n, s) in self.segments.iter().enumerate() {
            let segment = n + 1;
            let hz = s.frequency_hz;
            if !hz.is_finite() || !(MIN_FREQUENCY_HZ..=MAX_FREQUENCY_HZ).contains(&hz) {
                return Err(VibrationProgramError::Frequency { segment, hz });
            }
            if !(1..=MAX_SEGMENT_S).contains(&s.duration_s) {
                return Err(VibrationProgramError::Duration { segment, seconds: s.duration_s });
            }
            if s.rest_s > 600 {
                return Err(VibrationProgramError::Rest { segment, seconds: s.rest_s });
            }
            let g = config.peak_accel_g(hz, s.amplitude);
            if g > limit {
                return Err(VibrationProgramError::Acceleration { segment, g, limit });
            }
            total = total.saturating_add(s.duration_s + 2 * self.ramp_s);
        }
        if total > MAX_SESSION_VIBRATION_S {
            return Err(VibrationProgramError::Total { seconds: total });
        }
        Ok(())
    }

    /// Total vibration time, ramps included, s.
    pub fn vibration_s(&self) -> u32 {
        self.segments.iter().map(|s| s.duration_s + 2 * self.ramp_s).sum()
    }
}

/// One tick's readings; `None` is a sensor error.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VibrationReadings {
    /// Measured motor (shaft) frequency, Hz.
    pub frequency_hz: Option<f32>,
    /// Motor current, A.
    pub current_a: Option<f32>,
    /// Load on the platform, kg.
    pub load_kg: Option<f32>,
    /// Peak acceleration of the platform, g.
    pub accel_g: Option<f32>,
    /// The hardware watchdog has cut the drive and braked since the last tick.
    pub watchdog_tripped: bool,
}

/// What the controller asks of the motor drive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VibrationCommands {
    /// Target motor frequency, Hz (0 = stop); always finite, 0–50.
    pub target_hz: f32,
    /// Amplitude mode.
    pub amplitude: Amplitude,
    /// Brake on.
    pub brake: bool,
}

impl VibrationCommands {
    /// Motor stopped, brake on.
    pub const SAFE: Self = Self { target_hz: 0.0, amplitude: Amplitude::Low, brake: true };

    /// Whether the motor is told to stop with the brake on.
    pub fn is_safe(&self) -> bool {
        self.target_hz == 0.0 && self.brake
    }
}

/// Why the plate stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VibrationFault {
    /// The person stepped off while the motor was running.
    NoLoad,
    /// Measured frequency above the limit.
    Overspeed,
    /// Measured acceleration above the ceiling.
    OverAcceleration,
    /// High current at low speed for 1 s.
    Stall,
    /// A missing, implausible or disagreeing reading.
    Sensor,
    /// Ticks too far apart.
    Watchdog,
}

impl VibrationFault {
    /// The kind's name in the trace.
    pub fn name(self) -> &'static str {
        match self {
            VibrationFault::NoLoad => "no_load",
            VibrationFault::Overspeed => "overspeed",
            VibrationFault::OverAcceleration => "over_acceleration",
            VibrationFault::Stall => "stall",
            VibrationFault::Sensor => "sensor",
            VibrationFault::Watchdog => "watchdog",
        }
    }
}

/// The phase of a running segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VibrationPhase {
    /// Waiting for a person on the platform.
    WaitLoad,
    /// Ramping up.
    SpinUp,
    /// At the segment's frequency.
    Steady,
    /// Ramping down.
    SpinDown,
    /// Stopped between segments.
    Rest,
}

impl VibrationPhase {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            VibrationPhase::WaitLoad => "wait_load",
            VibrationPhase::SpinUp => "spin_up",
            VibrationPhase::Steady => "steady",
            VibrationPhase::SpinDown => "spin_down",
            VibrationPhase::Rest => "rest",
        }
    }
}

/// The plate controller's observable state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VibrationState {
    /// Not started.
    Idle,
    /// Running a segment.
    Running {
        /// 1-based segment.
        segment: usize,
        /// Its phase.
        phase: VibrationPhase,
    },
    /// Stopped or ended: braking until the measured frequency is 0.
    Stopping,
    /// Ended and stopped.
    Done,
    /// A latched fault.
    Fault {
        /// The first fault detected.
        kind: VibrationFault,
    },
}

impl VibrationState {
    /// Lower-case name: `idle`, `running`, `stopping`, `done`, `fault`.
    pub fn name(&self) -> &'static str {
        match self {
            VibrationState::Idle => "idle",
            VibrationState::Running { .. } => "running",
            VibrationState::Stopping => "stopping",
            VibrationState::Done => "done",
            VibrationState::Fault { .. } => "fault",
        }
    }
}

const LOAD_SETTLE_MS: Millis = 1000;
/// Waiting for a person longer than this ends the session.
pub const WAIT_LOAD_MAX_MS: Millis = 60_000;
const STALL_MS: Millis = 1000;
const TRACKING_HZ: f32 = 3.0;
const TRACKING_MS: Millis = 2000;
const STOP_TIMEOUT_MS: Millis = 3000;
const OVERSPEED_SHARE: f32 = 1.10;
const OVERSPEED_MARGIN_HZ: f32 = 0.5;

/// The vibrating plate controller. See the module docs for the safety rules.
#[derive(Clone, Debug)]
pub struct VibrationController {
    config: VibrationConfig,
    program: VibrationProgram,
    state: VibrationState,
    last_tick: Option<Millis>,
    segment: usize,
    phase: VibrationPhase,
    phase_since: Millis,
    load_since: Option<Millis>,
    stall_since: Option<Millis>,
    tracking_since: Option<Millis>,
    spinning_since: Option<Millis>,
    still_since: Option<Millis>,
    vibrated_ms: Millis,
    overspeed_ref: f32,
    command: f32,
    fault_at: Option<Millis>,
}

impl VibrationController {
    /// A controller for `program`; refuses an invalid one.
    pub fn new(
        config: VibrationConfig,
        program: &VibrationProgram,
    ) -> Result<Self, VibrationProgramError> {
        program.validate(&config)?;
        Ok(Self {
            config,
            program: program.clone(),
            state: VibrationState::Idle,
            last_tick: None,
            segment: 0,
            phase: VibrationPhase::WaitLoad,
            phase_since: 0,
            load_since: None,
            stall_since: None,
            tracking_since: None,
            spinning_since: None,
            still_since: None,
            vibrated_ms: 0,
            overspeed_ref: 0.0,
            command: 0.0,
            fault_at: None,
        })
    }

    /// The observable state.
    pub fn state(&self) -> VibrationState {
        self.state
    }

    /// When the latched fault was detected.
    pub fn fault_at(&self) -> Option<Millis> {
        self.fault_at
    }

    /// The frequency of the current segment's steady phase (0 when none).
    pub fn segment_hz(&self) -> f32 {
        match self.state {
            VibrationState::Running { .. } => {
                self.program.segments.get(self.segment).map_or(0.0, |s| s.frequency_hz)
            }
            _ => 0.0,
        }
    }

    /// Number of segments in the program.
    pub fn segments(&self) -> usize {
        self.program.segments.len()
    }

    /// Milliseconds since the current phase began (0 when not running).
    pub fn phase_elapsed(&self, now: Millis) -> Millis {
        match self.state {
            VibrationState::Running { .. } => now.saturating_sub(self.phase_since),
            _ => 0,
        }
    }

    /// Starts at `now`: the first segment spins up once a person stands on the plate.
    pub fn start(&mut self, now: Millis) -> Result<(), crate::compression::ControlError> {
        if self.state != VibrationState::Idle {
            return Err(crate::compression::ControlError::NotIdle);
        }
        self.last_tick = Some(now);
        self.segment = 0;
        self.phase = VibrationPhase::WaitLoad;
        self.phase_since = now;
        self.state = VibrationState::Running { segment: 1, phase: self.phase };
        Ok(())
    }

    /// Stops: brake until the measured frequency is 0, then `done`.
    pub fn stop(&mut self) {
        if matches!(self.state, VibrationState::Running { .. } | VibrationState::Idle) {
            self.state = VibrationState::Stopping;
        }
    }

    /// Stops now and returns the commands to apply at once.
    pub fn emergency_stop(&mut self) -> VibrationCommands {
        self.stop();
        VibrationCommands::SAFE
    }

    fn fault(&mut self, now: Millis, kind: VibrationFault) -> VibrationCommands {
        if !matches!(self.state, VibrationState::Fault { .. }) {
            self.state = VibrationState::Fault { kind };
            self.fault_at = Some(now);
        }
        self.command = 0.0;
        VibrationCommands::SAFE
    }

    fn enter(&mut self, phase: VibrationPhase, now: Millis) {
        self.phase = phase;
        self.phase_since = now;
    }

    /// One control step; never panics, whatever the readings.
    ///
    /// The steps, in order: the time since the last tick, nothing more unless a session is
    /// running or stopping, the checks that latch a fault (watchdog, sensor ranges, limits,
    /// motion against the command), braking while stopping, the person and the session cap,
    /// then the phase of the current segment and the command it gives the motor. The steps are
    /// `#[inline(always)]`: left as calls, they cost a fifth more instructions per tick
    /// (callgrind, BENCHMARKS.md).
    pub fn tick(&mut self, now: Millis, r: &VibrationReadings) -> VibrationCommands {
        let dt = crate::tick_gap(&mut self.last_tick, now);
        match self.state {
            VibrationState::Idle | VibrationState::Done | VibrationState::Fault { .. } => {
                return VibrationCommands::SAFE;
            }
            VibrationState::Running { .. } | VibrationState::Stopping => {}
        }
        match self.checked_step(now, dt, r) {
            Ok(commands) => commands,
            Err(kind) => self.fault(now, kind),
        }
    }

    /// The fault checks, then the schedule; the first failed check is the fault to latch.
    #[inline(always)]
    fn checked_step(
        &mut self,
        now: Millis,
        dt: Millis,
        r: &VibrationReadings,
    ) -> Result<VibrationCommands, VibrationFault> {
        if dt > crate::compression::WATCHDOG_GAP_MS || r.watchdog_tripped {
            return Err(VibrationFault::Watchdog);
        }
        let m = self.measure(r)?;
        self.check_limits(&m)?;
        self.check_motion(now, &m)?;
        let loaded = m.load >= MIN_LOAD_KG;
        if self.state == VibrationState::Stopping {
            return Ok(self.brake(m.freq));
        }
        let moving = self.command > 0.0 || m.freq >= STOPPED_HZ;
        if !loaded && moving && self.phase != VibrationPhase::WaitLoad {
            return Err(VibrationFault::NoLoad);
        }
        Ok(self.schedule(now, dt, loaded, m.freq))
    }

    /// The four readings, each finite and within its sensor's range.
    #[inline(always)]
    fn measure(&self, r: &VibrationReadings) -> Result<Measured, VibrationFault> {
        let finite =
            |v: Option<f32>, max: f32| v.filter(|x| x.is_finite() && *x >= -0.5 && *x <= max);
        let (Some(freq), Some(current), Some(load), Some(accel)) = (
            finite(r.frequency_hz, 2.0 * MAX_FREQUENCY_HZ),
            finite(r.current_a, self.config.current_max_a),
            finite(r.load_kg, self.config.load_max_kg),
            finite(r.accel_g, self.config.accel_full_scale_g),
        ) else {
            return Err(VibrationFault::Sensor);
        };
        Ok(Measured { freq, current, load, accel })
    }

    /// Acceleration below the sensor's full scale and the ceiling; frequency below the maximum
    /// and the overspeed margin over the segment's.
    #[inline(always)]
    fn check_limits(&self, m: &Measured) -> Result<(), VibrationFault> {
        if m.accel >= self.config.accel_full_scale_g {
            return Err(VibrationFault::Sensor);
        }
        if m.accel > self.config.accel_ceiling_g {
            return Err(VibrationFault::OverAcceleration);
        }
        if m.freq > MAX_FREQUENCY_HZ
            || m.freq > self.overspeed_ref * OVERSPEED_SHARE + OVERSPEED_MARGIN_HZ
        {
            return Err(VibrationFault::Overspeed);
        }
        Ok(())
    }

    /// The motor against its command, each condition allowed to last a while: a stall (current
    /// with no speed), speed off the command, turning after a stop (the brake stops it within
    /// 1 s, so after 3 s the encoder is wrong), and a plate said to turn that does not move (the
    /// encoder and the accelerometer must agree).
    #[inline(always)]
    fn check_motion(&mut self, now: Millis, m: &Measured) -> Result<(), VibrationFault> {
        let stalled = self.command > 2.0
            && m.current > self.config.stall_current_a
            && m.freq < 0.5 * self.command;
        if lasted(&mut self.stall_since, stalled, now, STALL_MS) {
            return Err(VibrationFault::Stall);
        }
        let off_command = (m.freq - self.command).abs() > TRACKING_HZ;
        if lasted(&mut self.tracking_since, off_command, now, TRACKING_MS) {
            return Err(VibrationFault::Sensor);
        }
        let spinning = self.command == 0.0 && m.freq >= STOPPED_HZ;
        if lasted(&mut self.spinning_since, spinning, now, STOP_TIMEOUT_MS) {
            return Err(VibrationFault::Sensor);
        }
        let expected = self.config.peak_accel_g(m.freq, Amplitude::Low);
        let still = m.freq > 8.0 && m.accel < 0.25 * expected;
        if lasted(&mut self.still_since, still, now, STALL_MS) {
            return Err(VibrationFault::Sensor);
        }
        Ok(())
    }

    /// Stopping: brake until the measured frequency is below the stopped threshold, then done.
    #[inline(always)]
    fn brake(&mut self, freq: f32) -> VibrationCommands {
        self.command = 0.0;
        if freq < STOPPED_HZ {
            self.state = VibrationState::Done;
            self.overspeed_ref = 0.0;
        }
        VibrationCommands::SAFE
    }

    /// Ends the session from a running state: stop, motor command 0.
    #[inline(always)]
    fn end(&mut self) -> VibrationCommands {
        self.stop();
        self.command = 0.0;
        VibrationCommands::SAFE
    }

    /// Counts vibration time against the session cap, then advances the current segment's
    /// phase and drives the motor; the session ends at the cap or after the last segment.
    #[inline(always)]
    fn schedule(&mut self, now: Millis, dt: Millis, loaded: bool, freq: f32) -> VibrationCommands {
        if self.command > 0.0 {
            self.vibrated_ms = self.vibrated_ms.saturating_add(dt);
        }
        if self.vibrated_ms > Millis::from(MAX_SESSION_VIBRATION_S) * 1000 {
            return self.end();
        }
        let Some(seg) = self.program.segments.get(self.segment).copied() else {
            return self.end();
        };
        match self.advance(now, &seg, loaded, freq) {
            Advance::Continue => self.drive(now, &seg),
            Advance::Ended => VibrationCommands::SAFE,
        }
    }

    /// Moves the phase on when its time is up (or, waiting, when a person has stood still on
    /// the plate for a second with the motor stopped).
    #[inline(always)]
    fn advance(&mut self, now: Millis, seg: &Segment, loaded: bool, freq: f32) -> Advance {
        let ramp_ms = Millis::from(self.program.ramp_s) * 1000;
        let since = now - self.phase_since.min(now);
        match self.phase {
            VibrationPhase::WaitLoad => return self.wait_for_load(now, since, seg, loaded, freq),
            VibrationPhase::SpinUp if since >= ramp_ms => self.enter(VibrationPhase::Steady, now),
            VibrationPhase::Steady if since >= Millis::from(seg.duration_s) * 1000 => {
                self.enter(VibrationPhase::SpinDown, now);
            }
            VibrationPhase::SpinDown if since >= ramp_ms => self.enter(VibrationPhase::Rest, now),
            VibrationPhase::Rest
                if since >= Millis::from(seg.rest_s) * 1000 && freq < STOPPED_HZ =>
            {
                return self.next_segment(now);
            }
            _ => {}
        }
        Advance::Continue
    }

    /// Waiting for a person: spin up once loaded for a second with the motor stopped; nobody
    /// back on the plate within a minute ends the session.
    #[inline(always)]
    fn wait_for_load(
        &mut self,
        now: Millis,
        since: Millis,
        seg: &Segment,
        loaded: bool,
        freq: f32,
    ) -> Advance {
        self.command = 0.0;
        if since >= WAIT_LOAD_MAX_MS {
            self.stop();
            return Advance::Ended;
        }
        if loaded {
            let t = *self.load_since.get_or_insert(now);
            if now - t >= LOAD_SETTLE_MS && freq < STOPPED_HZ {
                self.overspeed_ref = seg.frequency_hz;
                self.enter(VibrationPhase::SpinUp, now);
            }
        } else {
            self.load_since = None;
        }
        Advance::Continue
    }

    /// After a rest: the next segment waits for its person, or the session ends after the last.
    #[inline(always)]
    fn next_segment(&mut self, now: Millis) -> Advance {
        self.segment += 1;
        if self.segment >= self.program.segments.len() {
            self.end();
            return Advance::Ended;
        }
        self.load_since = None;
        self.enter(VibrationPhase::WaitLoad, now);
        Advance::Continue
    }

    /// The motor command of the current phase (ramped in spin-up and spin-down) and the state
    /// that reports it.
    #[inline(always)]
    fn drive(&mut self, now: Millis, seg: &Segment) -> VibrationCommands {
        let ramp_ms = Millis::from(self.program.ramp_s) * 1000;
        let since = now - self.phase_since.min(now);
        let ramp_share =
            |t: Millis| if ramp_ms == 0 { 1.0 } else { (t as f32 / ramp_ms as f32).min(1.0) };
        self.command = match self.phase {
            VibrationPhase::WaitLoad | VibrationPhase::Rest => 0.0,
            VibrationPhase::SpinUp => seg.frequency_hz * ramp_share(since),
            VibrationPhase::Steady => seg.frequency_hz,
            VibrationPhase::SpinDown => seg.frequency_hz * (1.0 - ramp_share(since)),
        }
        .clamp(0.0, MAX_FREQUENCY_HZ);
        if self.phase == VibrationPhase::WaitLoad {
            // The previous segment's motor has stopped: the overspeed reference follows the next.
            self.overspeed_ref = seg.frequency_hz;
        }
        self.state = VibrationState::Running { segment: self.segment + 1, phase: self.phase };
        VibrationCommands {
            target_hz: self.command,
            amplitude: seg.amplitude,
            brake: self.command == 0.0,
        }
    }
}

/// One tick's readings, checked.
#[derive(Clone, Copy, Debug)]
struct Measured {
    freq: f32,
    current: f32,
    load: f32,
    accel: f32,
}

/// Whether the schedule goes on this tick or the session just ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Advance {
    Continue,
    Ended,
}

/// Whether a condition has held for `limit` ms: `timer` keeps when it began and is cleared
/// as soon as the condition stops holding.
#[inline(always)]
fn lasted(timer: &mut Option<Millis>, holds: bool, now: Millis, limit: Millis) -> bool {
    if holds {
        let since = *timer.get_or_insert(now);
        now - since >= limit
    } else {
        *timer = None;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(hz: f32, amplitude: Amplitude, duration_s: u32) -> VibrationProgram {
        let mut segments = Vec::new();
        let seg = Segment {
            stance: Stance::Standing,
            frequency_hz: hz,
            amplitude,
            duration_s,
            rest_s: 0,
        };
        segments.push(seg).unwrap();
        VibrationProgram { ramp_s: 2, segments }
    }

    #[test]
    fn peak_acceleration_follows_the_formula() {
        let c = VibrationConfig::default();
        // 2 mm peak to peak at 25 Hz: 0.002 * (2π·25)² / 2 = 24.67 m/s² = 2.52 g.
        assert!((c.peak_accel_g(25.0, Amplitude::Low) - 2.516).abs() < 0.01);
    }

    #[test]
    fn invalid_programs_are_refused() {
        let c = VibrationConfig::default();
        assert!(matches!(
            program(55.0, Amplitude::Low, 30).validate(&c),
            Err(VibrationProgramError::Frequency { segment: 1, .. })
        ));
        assert!(matches!(
            program(25.0, Amplitude::Low, 121).validate(&c),
            Err(VibrationProgramError::Duration { segment: 1, seconds: 121 })
        ));
        assert!(matches!(
            program(40.0, Amplitude::High, 30).validate(&c),
            Err(VibrationProgramError::Acceleration { .. })
        ));
        assert_eq!(program(25.0, Amplitude::Low, 120).validate(&c), Ok(()));
    }

    #[test]
    fn no_spin_up_without_a_person_and_no_load_stops_at_once() {
        let mut v = VibrationController::new(
            VibrationConfig::default(),
            &program(25.0, Amplitude::Low, 30),
        )
        .unwrap();
        v.start(0).unwrap();
        let empty = VibrationReadings {
            frequency_hz: Some(0.0),
            current_a: Some(0.0),
            load_kg: Some(0.0),
            accel_g: Some(0.0),
            watchdog_tripped: false,
        };
        for t in 1..300 {
            assert_eq!(v.tick(t * 10, &empty).target_hz, 0.0);
        }
        let person = VibrationReadings { load_kg: Some(70.0), ..empty };
        let mut spun = false;
        for t in 300..500 {
            spun |= v.tick(t * 10, &person).target_hz > 0.0;
        }
        assert!(spun);
        let cmd = v.tick(5000, &empty);
        assert!(cmd.is_safe());
        assert_eq!(v.state(), VibrationState::Fault { kind: VibrationFault::NoLoad });
    }
}
