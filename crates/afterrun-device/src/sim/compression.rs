//! The compression simulator: pump, manifold, valves, bladders on a limb, sensors, watchdog.
//!
//! Model. Air is an ideal gas at constant temperature; amounts are litres at atmospheric
//! pressure. A chamber's volume grows with its gauge pressure along a linear compliance
//! (bladder plus soft tissue): `V = V0 + c·P`, so `(Patm + P)·V = n·Patm` gives its pressure.
//! The manifold is rigid and small. The pump's flow falls linearly with back-pressure to zero
//! at its stall pressure. Valves, the dump, a leak and a kinked hose are orifices whose flow is
//! `k·√ΔP` (laminar below 1 mmHg, so the integration stays stable near equilibrium). Each
//! chamber has an inlet (manifold → chamber) and an exhaust (chamber → air): `fill` opens the
//! inlet, `vent` the exhaust, `hold` neither. Sensors follow the pressure with a first-order lag
//! and add Gaussian noise. The independent hardware watchdog cuts the pump and opens the dump
//! when no tick came for 200 ms, and stays tripped.

use crate::compression::{
    CompressionCommands, CompressionConfig, CompressionController, CompressionProgram,
    CompressionReadings, CompressionState, MAX_CHAMBERS, MAX_CHAMBERS_PER_LEG, Phase, ProgramError,
    VENTED_MMHG, Valve,
};
use crate::sim::faults::{FaultKind, FaultSchedule, InjectedFault};
use crate::sim::rng::Rng;
use crate::sim::{DetectedFault, Detections, RunEnd};

/// Controller tick period, ms.
pub const TICK_MS: u64 = 10;
/// Physics substeps per 1 ms step.
const SUBSTEPS: u32 = 4;

/// The simulator's physical parameters; every one is written in the trace's first line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompressionSimParams {
    /// Atmospheric pressure, mmHg.
    pub atmosphere_mmhg: f64,
    /// Pump flow at zero back-pressure, L/min (of air at atmospheric pressure).
    pub pump_free_flow_l_min: f64,
    /// Back-pressure at which the pump's flow reaches zero, mmHg.
    pub pump_stall_mmhg: f64,
    /// Volume of the foot chamber at 0 mmHg, L.
    pub volume_foot_l: f64,
    /// Volume of the top chamber at 0 mmHg, L (chambers between are interpolated).
    pub volume_top_l: f64,
    /// Bladder-and-tissue compliance, mL per mmHg.
    pub compliance_ml_per_mmhg: f64,
    /// Manifold volume, L.
    pub manifold_volume_l: f64,
    /// Orifice coefficient of a chamber valve, L/s per √mmHg (vents a chamber 100 → 5 mmHg in
    /// about 2 s).
    pub valve_k: f64,
    /// Orifice coefficient of the manifold dump valve.
    pub dump_k: f64,
    /// An injected leak drains the foot chamber this fast at 60 mmHg, mmHg/s.
    pub leak_mmhg_s_at_60: f64,
    /// A kinked hose keeps this share of the valve's flow.
    pub kink_share: f64,
    /// Sensor noise, σ in mmHg.
    pub noise_mmhg: f64,
    /// Sensor lag, time constant in ms.
    pub lag_ms: f64,
    /// The hardware watchdog trips this long after the last tick, ms.
    pub watchdog_ms: u64,
}

impl Default for CompressionSimParams {
    fn default() -> Self {
        Self {
            atmosphere_mmhg: 760.0,
            pump_free_flow_l_min: 6.0,
            pump_stall_mmhg: 300.0,
            volume_foot_l: 0.3,
            volume_top_l: 1.0,
            compliance_ml_per_mmhg: 4.0,
            manifold_volume_l: 0.05,
            valve_k: 0.041,
            dump_k: 0.041,
            leak_mmhg_s_at_60: 4.0,
            kink_share: 0.02,
            noise_mmhg: 0.5,
            lag_ms: 50.0,
            watchdog_ms: 200,
        }
    }
}

/// The end of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct CompressionSummary {
    /// Simulated time, s.
    pub duration_s: f64,
    /// Cycles whose whole-leg hold completed.
    pub cycles: u32,
    /// Highest simulated physical chamber pressure, mmHg.
    pub max_pressure_mmhg: f64,
    /// Highest `pressure − target` over the chambers in use, mmHg.
    pub max_over_target_mmhg: f64,
    /// Time with the whole leg held and every chamber within ±5 mmHg of target, s.
    pub time_at_target_s: f64,
    /// Faults and safety: ended safe when every chamber is physically below 5 mmHg at the end,
    /// the controller done or faulted; energized after a fault when a tick commanded the pump.
    pub end: RunEnd,
}

/// A compression run: the controller against the physics, with injected faults.
#[derive(Debug)]
pub struct CompressionSim {
    params: CompressionSimParams,
    controller: CompressionController,
    fitted: [bool; MAX_CHAMBERS],
    v0: [f64; MAX_CHAMBERS],
    air: [f64; MAX_CHAMBERS],
    p: [f64; MAX_CHAMBERS],
    manifold_air: f64,
    pm: f64,
    lagged: [f64; MAX_CHAMBERS],
    lagged_m: f64,
    leak_k: f64,
    rng: Rng,
    faults: FaultSchedule,
    leak: [bool; MAX_CHAMBERS],
    kink: [bool; MAX_CHAMBERS],
    stuck: [Option<f64>; MAX_CHAMBERS],
    offset: [f64; MAX_CHAMBERS],
    gain: [f64; MAX_CHAMBERS],
    dropout: [bool; MAX_CHAMBERS],
    stuck_closed: [bool; MAX_CHAMBERS],
    stuck_fill: [bool; MAX_CHAMBERS],
    pump_stuck: bool,
    gap_until: u64,
    last_tick: u64,
    watchdog: bool,
    commands: CompressionCommands,
    readings: CompressionReadings,
    t: u64,
    detected: Detections,
    max_pressure: f64,
    max_over_target: f64,
    at_target_ms: u64,
    limit_ms: u64,
    finished: bool,
    done_at: Option<u64>,
}

impl CompressionSim {
    /// A run of `program` on sleeves of `program.chambers` chambers per leg (both legs fitted),
    /// with these physics, seed and faults. Refuses an invalid program.
    pub fn new(
        params: CompressionSimParams,
        program: &CompressionProgram,
        seed: u64,
        faults: &[InjectedFault],
    ) -> Result<Self, ProgramError> {
        let config = CompressionConfig {
            chambers_per_leg: program.chambers,
            ..CompressionConfig::default()
        };
        let mut controller = CompressionController::new(config, program)?;
        let n = usize::from(program.chambers).min(MAX_CHAMBERS_PER_LEG);
        let mut fitted = [false; MAX_CHAMBERS];
        let mut v0 = [params.volume_foot_l; MAX_CHAMBERS];
        for leg in 0..2 {
            for k in 0..n {
                let i = leg * MAX_CHAMBERS_PER_LEG + k;
                fitted[i] = true;
                let share = if n > 1 { k as f64 / (n - 1) as f64 } else { 0.0 };
                v0[i] = params.volume_foot_l + (params.volume_top_l - params.volume_foot_l) * share;
            }
        }
        let c = params.compliance_ml_per_mmhg / 1000.0;
        let pa = params.atmosphere_mmhg;
        // Leak orifice: dP/dt = Patm·Q / (dn/dP·Patm) with dn/dP = (V0 + c·Patm + 2cP)/Patm.
        let p60 = 60.0;
        let leak_k = params.leak_mmhg_s_at_60 * (params.volume_foot_l + c * pa + 2.0 * c * p60)
            / (pa * p60.sqrt());
        let duration_ms = u64::from(program.duration_min) * 60_000;
        // The controller starts at t = 0 from idle; `start` only fails when not idle.
        let _ = controller.start(0);
        Ok(Self {
            params,
            controller,
            fitted,
            v0,
            air: v0,
            p: [0.0; MAX_CHAMBERS],
            manifold_air: params.manifold_volume_l,
            pm: 0.0,
            lagged: [0.0; MAX_CHAMBERS],
            lagged_m: 0.0,
            leak_k,
            rng: Rng::new(seed),
            faults: FaultSchedule::new(faults),
            leak: [false; MAX_CHAMBERS],
            kink: [false; MAX_CHAMBERS],
            stuck: [None; MAX_CHAMBERS],
            offset: [0.0; MAX_CHAMBERS],
            gain: [1.0; MAX_CHAMBERS],
            dropout: [false; MAX_CHAMBERS],
            stuck_closed: [false; MAX_CHAMBERS],
            stuck_fill: [false; MAX_CHAMBERS],
            pump_stuck: false,
            gap_until: 0,
            last_tick: 0,
            watchdog: false,
            commands: CompressionCommands::SAFE,
            readings: CompressionReadings::default(),
            t: 0,
            detected: Detections::default(),
            max_pressure: 0.0,
            max_over_target: f64::NEG_INFINITY,
            at_target_ms: 0,
            limit_ms: duration_ms + 10 * 60_000,
            finished: false,
            done_at: None,
        })
    }

    /// The physical parameters.
    pub fn params(&self) -> &CompressionSimParams {
        &self.params
    }

    /// The controller under test.
    pub fn controller(&self) -> &CompressionController {
        &self.controller
    }

    /// Simulated time, ms.
    pub fn t_ms(&self) -> u64 {
        self.t
    }

    /// Simulated time of the controller's last tick, ms.
    pub fn last_tick_ms(&self) -> u64 {
        self.last_tick
    }

    /// Which chambers exist (both legs are fitted), by global index.
    pub fn fitted(&self) -> &[bool; MAX_CHAMBERS] {
        &self.fitted
    }

    /// Physical chamber pressures, mmHg, by global index.
    pub fn pressures(&self) -> &[f64; MAX_CHAMBERS] {
        &self.p
    }

    /// Physical manifold pressure, mmHg.
    pub fn manifold_mmhg(&self) -> f64 {
        self.pm
    }

    /// The readings given to the controller at its last tick.
    pub fn readings(&self) -> &CompressionReadings {
        &self.readings
    }

    /// The commands of the controller's last tick.
    pub fn commands(&self) -> &CompressionCommands {
        &self.commands
    }

    /// Whether the pump physically runs (commands, faults and watchdog considered).
    pub fn pump_running(&self) -> bool {
        !self.watchdog && (self.commands.pump || self.pump_stuck)
    }

    /// Whether the dump is physically open.
    pub fn dump_open(&self) -> bool {
        self.watchdog || self.commands.dump_open
    }

    /// Whether the run has ended.
    pub fn finished(&self) -> bool {
        self.finished
    }

    fn activate(&mut self, f: InjectedFault) {
        let idx = f.chamber.map(|c| c.indices()).unwrap_or_default();
        for &i in &idx {
            match f.kind {
                FaultKind::Leak => self.leak[i] = true,
                FaultKind::HoseKink => self.kink[i] = true,
                FaultKind::SensorStuck => {
                    let current = self.lagged[i] + self.offset[i];
                    self.stuck[i] = Some(self.stuck[i].unwrap_or(current));
                }
                FaultKind::SensorOffset => self.offset[i] += f.value.unwrap_or(0.0),
                FaultKind::SensorDropout => self.dropout[i] = true,
                FaultKind::SensorGain => self.gain[i] = f.value.unwrap_or(1.0),
                FaultKind::ValveStuckClosed => self.stuck_closed[i] = true,
                FaultKind::ValveStuckFill => self.stuck_fill[i] = true,
                _ => {}
            }
        }
        match f.kind {
            FaultKind::PumpStuckOn => self.pump_stuck = true,
            FaultKind::TickGap => {
                let gap = f.value.unwrap_or(0.0).max(0.0) as u64;
                self.gap_until = self.gap_until.max(self.t + gap);
            }
            _ => {}
        }
    }

    fn sample(&mut self) -> CompressionReadings {
        let mut r = CompressionReadings {
            chambers: [None; MAX_CHAMBERS],
            manifold: None,
            watchdog_tripped: self.watchdog,
        };
        for i in 0..MAX_CHAMBERS {
            if !self.fitted[i] || self.dropout[i] {
                continue;
            }
            let v = match self.stuck[i] {
                Some(v) => v,
                None => {
                    self.lagged[i] * self.gain[i]
                        + self.params.noise_mmhg * self.rng.normal()
                        + self.offset[i]
                }
            };
            r.chambers[i] = Some(v as f32);
        }
        let m = self.lagged_m + self.params.noise_mmhg * self.rng.normal();
        r.manifold = Some(m as f32);
        r
    }

    fn chamber_pressure(&self, i: usize, air: f64) -> f64 {
        let pa = self.params.atmosphere_mmhg;
        let c = self.params.compliance_ml_per_mmhg / 1000.0;
        let v0 = self.v0[i];
        if air <= v0 {
            return 0.0;
        }
        if c <= 0.0 {
            return air * pa / v0 - pa;
        }
        // c·P² + (V0 + c·Pa)·P + Pa·(V0 − n) = 0, positive root.
        let b = v0 + c * pa;
        let cc = pa * (v0 - air);
        (-b + (b * b - 4.0 * c * cc).sqrt()) / (2.0 * c)
    }

    fn chamber_dn_dp(&self, i: usize) -> f64 {
        let pa = self.params.atmosphere_mmhg;
        let c = self.params.compliance_ml_per_mmhg / 1000.0;
        (self.v0[i] + c * pa + 2.0 * c * self.p[i]) / pa
    }

    fn physics(&mut self, dt_s: f64) {
        let pa = self.params.atmosphere_mmhg;
        let vm = self.params.manifold_volume_l;
        let dn_dp_m = vm / pa;
        let orifice = |k: f64, from: f64, to: f64| -> f64 {
            let d = from - to;
            if d.abs() < 1.0 { k * d } else { k * d.signum() * d.abs().sqrt() }
        };
        let pump_on = self.pump_running();
        let dump_open = self.dump_open();
        let mut d_manifold = 0.0;
        if pump_on {
            let q = self.params.pump_free_flow_l_min / 60.0
                * (1.0 - self.pm / self.params.pump_stall_mmhg).max(0.0);
            d_manifold += q * dt_s;
        }
        if dump_open {
            let q = orifice(self.params.dump_k, self.pm, 0.0) * dt_s;
            d_manifold -= q.min(0.5 * self.pm * dn_dp_m);
        }
        for i in 0..MAX_CHAMBERS {
            if !self.fitted[i] {
                continue;
            }
            let valve = self.commands.valves[i];
            let kink = if self.kink[i] { self.params.kink_share } else { 1.0 };
            let k = self.params.valve_k * kink;
            let dn_dp = self.chamber_dn_dp(i);
            let mut d_chamber = 0.0;
            let inlet_open = (valve == Valve::Fill && !self.stuck_closed[i]) || self.stuck_fill[i];
            if inlet_open {
                let q = orifice(k, self.pm, self.p[i]) * dt_s;
                let equalise = (self.pm - self.p[i]) / (1.0 / dn_dp_m + 1.0 / dn_dp);
                let q = if q >= 0.0 {
                    q.min(0.5 * equalise.max(0.0))
                } else {
                    q.max(0.5 * equalise.min(0.0))
                };
                d_chamber += q;
                d_manifold -= q;
            }
            if valve == Valve::Vent {
                let q = orifice(k, self.p[i], 0.0) * dt_s;
                d_chamber -= q.min(0.5 * self.p[i].max(0.0) * dn_dp);
            }
            if self.leak[i] {
                let q = orifice(self.leak_k, self.p[i], 0.0) * dt_s;
                d_chamber -= q.min(0.5 * self.p[i].max(0.0) * dn_dp);
            }
            self.air[i] = (self.air[i] + d_chamber).max(self.v0[i]);
        }
        self.manifold_air = (self.manifold_air + d_manifold).max(vm);
        for i in 0..MAX_CHAMBERS {
            if self.fitted[i] {
                self.p[i] = self.chamber_pressure(i, self.air[i]);
            }
        }
        self.pm = self.manifold_air * pa / vm - pa;
    }

    /// Advances the simulation by 1 ms: injections due, the controller's tick (every 10 ms
    /// unless a tick gap is injected), the hardware watchdog, the physics, the sensors.
    pub fn step(&mut self) {
        if self.finished {
            return;
        }
        while let Some(f) = self.faults.due(self.t) {
            self.activate(f);
        }
        if self.t.is_multiple_of(TICK_MS) && self.t >= self.gap_until {
            let readings = self.sample();
            let had_fault = self.controller.fault_at().is_some();
            self.commands = self.controller.tick(self.t, &readings);
            self.readings = readings;
            self.last_tick = self.t;
            let fault = match (self.controller.fault_at(), self.controller.state()) {
                (Some(at), CompressionState::Fault { kind }) => {
                    Some(DetectedFault { kind: kind.name(), t_ms: at })
                }
                _ => None,
            };
            self.detected.after_tick(had_fault, fault, self.commands.pump);
        }
        if self.t.saturating_sub(self.last_tick) >= self.params.watchdog_ms {
            self.watchdog = true;
        }
        let dt = 0.001 / f64::from(SUBSTEPS);
        for _ in 0..SUBSTEPS {
            self.physics(dt);
        }
        let alpha = (1.0 / self.params.lag_ms.max(1.0)).min(1.0);
        for i in 0..MAX_CHAMBERS {
            self.lagged[i] += (self.p[i] - self.lagged[i]) * alpha;
        }
        self.lagged_m += (self.pm - self.lagged_m) * alpha;
        self.t += 1;
        self.account();
    }

    fn account(&mut self) {
        let active = self.controller.active();
        let targets = self.controller.targets();
        let mut all_at_target = true;
        let mut all_vented = true;
        for i in 0..MAX_CHAMBERS {
            if !self.fitted[i] {
                continue;
            }
            self.max_pressure = self.max_pressure.max(self.p[i]);
            if self.p[i] >= f64::from(VENTED_MMHG) {
                all_vented = false;
            }
            if active[i] {
                let over = self.p[i] - f64::from(targets[i]);
                self.max_over_target = self.max_over_target.max(over);
                all_at_target &= over.abs() <= 5.0;
            }
        }
        let state = self.controller.state();
        if let (CompressionState::Running { phase: Phase::Hold, .. }, true) = (state, all_at_target)
        {
            self.at_target_ms += 1;
        }
        // A second after the controller's end, so the physics has vented below the readings'
        // noise (the controller decides on readings, the summary on physics).
        let settled = match state {
            CompressionState::Done => {
                let at = *self.done_at.get_or_insert(self.t);
                self.t >= at + 1000
            }
            CompressionState::Fault { .. } => {
                all_vented && self.t >= self.controller.fault_at().unwrap_or(0) + 1000
            }
            _ => false,
        };
        if settled || self.t >= self.limit_ms {
            self.finished = true;
        }
    }

    /// Runs to the end, calling `observer` every 10 ms of simulated time (and at the end).
    pub fn run(&mut self, mut observer: impl FnMut(&CompressionSim)) -> CompressionSummary {
        while !self.finished {
            self.step();
            if self.t.is_multiple_of(TICK_MS) || self.finished {
                observer(self);
            }
        }
        self.summary()
    }

    /// The summary so far.
    pub fn summary(&self) -> CompressionSummary {
        let vented =
            (0..MAX_CHAMBERS).all(|i| !self.fitted[i] || self.p[i] < f64::from(VENTED_MMHG));
        let state = self.controller.state();
        let ended = matches!(state, CompressionState::Done | CompressionState::Fault { .. });
        CompressionSummary {
            duration_s: self.t as f64 / 1000.0,
            cycles: self.controller.cycles_completed(),
            max_pressure_mmhg: self.max_pressure,
            max_over_target_mmhg: self.max_over_target,
            time_at_target_s: self.at_target_ms as f64 / 1000.0,
            end: self.detected.run_end(&self.faults, vented && ended),
        }
    }
}
