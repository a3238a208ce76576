//! `afterrun device compression|vibration`: runs a device program in the simulator.
//!
//! The program comes from a file (the `program` object of a plan's `device_programs` entry) or
//! from a plan. It is validated, with the fault list, before anything starts (exit 2 with the
//! reason). Output: a JSON Lines trace (`--json`, interfaces.md), or a live terminal view when
//! stdout is a terminal, then a summary; `--plot` draws the run as an SVG.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use afterrun_device::compression::{CompressionState, Valve};
use afterrun_device::sim::session::{
    CompressionFrame, PlanPrograms, StateDetail, VibrationFrame, round2,
};
use afterrun_device::sim::{
    CompressionSimParams, Device, Frame, InjectedFault, Program, Simulation, Summary,
    VibrationSimParams,
};
use afterrun_device::vibration::{VibrationProgram, VibrationState};
use afterrun_server::device_sim::with_detail;
use serde_json::{Value, json};

use crate::exit::bad_input;

/// Which device to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceArg {
    /// Sequential pneumatic compression boots.
    Compression,
    /// The vibrating plate.
    Vibration,
}

/// Arguments of `afterrun device`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The device.
    #[arg(value_enum)]
    device: DeviceArg,
    /// A program file: the `program` object of a plan's `device_programs` entry.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "from_plan",
        conflicts_with = "from_plan"
    )]
    program: Option<PathBuf>,
    /// A plan (JSON): its first `device_programs` entry for this device is run.
    #[arg(long, value_name = "PLAN.json")]
    from_plan: Option<PathBuf>,
    /// Run in the simulator (the only target this binary has).
    #[arg(long)]
    sim: bool,
    /// Faults to inject: `KIND[@CHAMBER][:VALUE]:TIME`, comma-separated.
    #[arg(long, value_name = "SPEC")]
    faults: Option<String>,
    /// Simulated seconds per real second (default: as fast as possible).
    #[arg(long, value_name = "N")]
    speed: Option<f64>,
    /// Seed of the simulator's noise.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Emit the JSON Lines trace on stdout.
    #[arg(long)]
    json: bool,
    /// Draw the run as an SVG.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// The validated run: everything checked before the simulation starts.
struct Run {
    args: Args,
    program: Program,
    /// Where the program came from, for messages.
    source: String,
    faults: Vec<InjectedFault>,
}

impl DeviceArg {
    fn device(self) -> Device {
        match self {
            DeviceArg::Compression => Device::Compression,
            DeviceArg::Vibration => Device::Vibration,
        }
    }
}

/// Runs `afterrun device`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.sim {
        return Err(bad_input(
            "no device hardware adapter is built into this binary: run the program in the simulator with --sim",
        ));
    }
    if let Some(speed) = args.speed
        && !(speed.is_finite() && speed > 0.0)
    {
        return Err(bad_input(format!("--speed {speed}: expected a positive number")));
    }
    let (value, source) = load_program(&args)?;
    let program = Program::read(args.device.device(), value)
        .map_err(|e| bad_input(format!("{source}: invalid program: {e}")))?;
    let faults = program
        .faults(args.faults.as_deref().unwrap_or(""))
        .map_err(|e| bad_input(format!("--faults: {e}")))?;
    let run = Run { args, program, source, faults };
    match &run.program {
        Program::Compression(_) => run_compression(&run),
        Program::Vibration(p) => run_vibration(&run, p),
    }
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let bytes = std::fs::read(path)
        .map_err(|e| bad_input(format!("{}: cannot read: {e}", path.display())))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| bad_input(format!("{}: not valid JSON: {e}", path.display())))
}

fn load_program(args: &Args) -> anyhow::Result<(Value, String)> {
    if let Some(path) = &args.program {
        return Ok((read_json(path)?, path.display().to_string()));
    }
    let Some(path) = &args.from_plan else {
        return Err(bad_input("give --program FILE or --from-plan PLAN.json"));
    };
    let plan = read_json(path)?;
    let device = args.device.device().code();
    let entries = serde_json::from_value::<PlanPrograms<Value>>(plan)
        .ok()
        .and_then(|p| p.device_programs)
        .ok_or_else(|| {
            bad_input(format!(
                "{}: no readable `device_programs` array in the plan",
                path.display()
            ))
        })?;
    let entry = entries.into_iter().find(|e| e.device == device).ok_or_else(|| {
        bad_input(format!(
            "{}: the plan has no `{device}` entry in `device_programs`",
            path.display()
        ))
    })?;
    let program = entry.program.ok_or_else(|| {
        bad_input(format!("{}: the `{device}` entry has no `program`", path.display()))
    })?;
    Ok((program, format!("{} (device_programs, {device})", path.display())))
}

fn injected_json(faults: &[InjectedFault]) -> Value {
    faults
        .iter()
        .map(|f| {
            json!({
                "kind": f.kind.name(),
                "chamber": f.chamber.map(|c| c.to_string()),
                "value": f.value,
                "t_ms": f.at_ms,
            })
        })
        .collect()
}

/// Writes lines to stdout, remembering the first error (a closed pipe ends the output).
struct Out {
    out: std::io::BufWriter<std::io::Stdout>,
    failed: Option<std::io::Error>,
}

impl Out {
    fn new() -> Self {
        Self { out: std::io::BufWriter::new(std::io::stdout()), failed: None }
    }
    fn line(&mut self, value: &Value) {
        if self.failed.is_none()
            && let Err(e) = writeln!(self.out, "{value}")
        {
            self.failed = Some(e);
        }
    }
    fn text(&mut self, text: &str) {
        if self.failed.is_none()
            && let Err(e) = self.out.write_all(text.as_bytes()).and_then(|()| self.out.flush())
        {
            self.failed = Some(e);
        }
    }
    fn finish(mut self) -> anyhow::Result<()> {
        if self.failed.is_none()
            && let Err(e) = self.out.flush()
        {
            self.failed = Some(e);
        }
        match self.failed {
            Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// Paces the run at `--speed` and throttles the live view.
struct Pace {
    start: Instant,
    speed: Option<f64>,
    last_draw: Option<Instant>,
}

impl Pace {
    fn new(speed: Option<f64>) -> Self {
        Self { start: Instant::now(), speed, last_draw: None }
    }
    fn wait(&self, t_ms: u64) {
        if let Some(speed) = self.speed {
            let due = Duration::from_secs_f64(t_ms as f64 / 1000.0 / speed);
            let elapsed = self.start.elapsed();
            if due > elapsed {
                std::thread::sleep(due - elapsed);
            }
        }
    }
    fn draw_now(&mut self) -> bool {
        let now = Instant::now();
        match self.last_draw {
            Some(last) if now.duration_since(last) < Duration::from_millis(100) => false,
            _ => {
                self.last_draw = Some(now);
                true
            }
        }
    }
}

fn fmt_mmss(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}", s / 60, s % 60)
}

fn bar(value: f64, full: f64, width: usize) -> String {
    let filled = ((value / full).clamp(0.0, 1.0) * width as f64).round() as usize;
    let mut s = "█".repeat(filled);
    s.push_str(&"░".repeat(width - filled.min(width)));
    s
}

/// The simulation of a validated run (the program was checked against the sleeves when read).
fn simulation(run: &Run) -> anyhow::Result<Simulation> {
    Simulation::new(&run.program, run.args.seed, &run.faults)
        .map_err(|e| bad_input(format!("{}: invalid program: {e}", run.source)))
}

/// Runs the simulation to its end, paced at `--speed`: `on_sample` sees its frame every
/// 100 ms of simulated time (the trace's and the plot's rate); with a terminal and no `--json`,
/// `view` draws it live.
fn run_paced(
    run: &Run,
    sim: &mut Simulation,
    out: &mut Out,
    mut on_sample: impl FnMut(&Frame, &mut Out),
    view: impl Fn(&Frame) -> String,
) -> Summary {
    let live = !run.args.json && std::io::stdout().is_terminal();
    let mut pace = Pace::new(run.args.speed);
    sim.run(|s| {
        if s.t_ms() % 100 == 0 {
            on_sample(&s.frame(), out);
        }
        pace.wait(s.t_ms());
        if live && (pace.draw_now() || s.finished()) {
            out.text(&view(&s.frame()));
        }
    })
}

/// Writes the plot, the summary (the last `--json` line, or text) and the exit code.
fn finish(
    run: &Run,
    mut out: Out,
    summary: &Summary,
    plot: Option<String>,
) -> anyhow::Result<ExitCode> {
    if let (Some(path), Some(svg)) = (&run.args.plot, plot) {
        std::fs::write(path, svg)
            .map_err(|e| anyhow::anyhow!("{}: cannot write the plot: {e}", path.display()))?;
    }
    if run.args.json {
        out.line(&json!({ "summary": summary }));
    } else {
        out.text(&summary_text(summary));
    }
    out.finish()?;
    Ok(if summary.ended_safe { ExitCode::SUCCESS } else { ExitCode::from(crate::exit::INTERNAL) })
}

fn run_compression(run: &Run) -> anyhow::Result<ExitCode> {
    let params = CompressionSimParams::default();
    let mut sim = simulation(run)?;
    let chambers = match sim.frame() {
        Frame::Compression(first) => first.chambers,
        Frame::Vibration(_) => Vec::new(),
    };
    let names: Vec<String> = chambers.iter().map(|c| c.id.to_string()).collect();
    let targets: Vec<f64> = chambers.iter().map(|c| f64::from(c.target_mmhg)).collect();
    let active: Vec<bool> = chambers.iter().map(|c| c.active).collect();
    let mut out = Out::new();
    if run.args.json {
        out.line(&json!({"sim": {
            "device": "compression", "seed": run.args.seed, "physics_ms": 1, "tick_ms": 10,
            "chambers": names, "targets_mmhg": targets,
            "atmosphere_mmhg": params.atmosphere_mmhg,
            "pump_free_flow_l_min": params.pump_free_flow_l_min,
            "pump_stall_mmhg": params.pump_stall_mmhg,
            "volume_foot_l": params.volume_foot_l, "volume_top_l": params.volume_top_l,
            "compliance_ml_per_mmhg": params.compliance_ml_per_mmhg,
            "manifold_volume_l": params.manifold_volume_l,
            "valve_k_l_s_sqrt_mmhg": params.valve_k, "dump_k_l_s_sqrt_mmhg": params.dump_k,
            "leak_mmhg_s_at_60": params.leak_mmhg_s_at_60, "kink_share": params.kink_share,
            "noise_sigma_mmhg": params.noise_mmhg, "lag_ms": params.lag_ms,
            "watchdog_ms": params.watchdog_ms,
            "faults": injected_json(&run.faults),
        }}));
    }
    let mut plot: Vec<(f64, Vec<f64>)> = Vec::new();
    let duration_ms = run.program.duration_ms();
    let summary = run_paced(
        run,
        &mut sim,
        &mut out,
        |frame, out| {
            let Frame::Compression(f) = frame else { return };
            let pressures: Vec<f64> = f.chambers.iter().map(|c| round2(c.pressure_mmhg)).collect();
            if run.args.plot.is_some() {
                plot.push((f.t_ms as f64 / 1000.0, pressures.clone()));
            }
            if run.args.json {
                out.line(&compression_line(f, pressures));
            }
        },
        |f| match f {
            Frame::Compression(f) => compression_view(f, duration_ms),
            Frame::Vibration(_) => String::new(),
        },
    );
    let svg = run.args.plot.as_ref().map(|_| {
        let series: Vec<(String, Vec<(f64, f64)>)> = names
            .iter()
            .enumerate()
            .filter(|(k, _)| active[*k])
            .map(|(k, name)| (name.clone(), plot.iter().map(|(t, p)| (*t, p[k])).collect()))
            .collect();
        afterrun_service::chart::trace::svg_plot("Compression: chamber pressures", "mmHg", &series)
    });
    finish(run, out, &summary, svg)
}

fn compression_line(f: &CompressionFrame, pressures: Vec<f64>) -> Value {
    let readings: Vec<Option<f64>> =
        f.chambers.iter().map(|c| c.reading_mmhg.map(|v| round2(f64::from(v)))).collect();
    let valves: Vec<&str> = f.chambers.iter().map(|c| c.valve.name()).collect();
    let line = json!({
        "t_ms": f.t_ms,
        "state": f.state.name(),
        "pressures_mmhg": pressures,
        "readings_mmhg": readings,
        "manifold_mmhg": round2(f.manifold_mmhg),
        "manifold_reading_mmhg": f.manifold_reading_mmhg.map(|v| round2(f64::from(v))),
        "pump": f.pump_command,
        "dump": f.dump_command,
        "pump_running": f.pump_running,
        "valves": valves,
    });
    with_detail(line, StateDetail::of_compression(f.state))
}

/// The summary in words: the same facts as the `--json` summary line.
fn summary_text(s: &Summary) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "\nsession: {} simulated", fmt_mmss((s.duration_s * 1000.0) as u64));
    if let (Some(max_pressure), Some(at_target)) = (s.max_pressure_mmhg, s.time_at_target_s) {
        let _ = writeln!(t, "cycles done: {}", s.cycles);
        let _ = writeln!(t, "time at target: {at_target:.0} s");
        let _ = writeln!(t, "highest chamber pressure: {max_pressure:.1} mmHg");
    } else {
        let _ = writeln!(t, "segments done: {}", s.cycles);
        let _ = writeln!(
            t,
            "highest frequency: {:.1} Hz, highest acceleration: {:.1} g",
            s.max_frequency_hz.unwrap_or(0.0),
            s.max_accel_g.unwrap_or(0.0)
        );
    }
    if s.faults.is_empty() {
        let _ = writeln!(t, "faults: none");
    }
    for f in &s.faults {
        let _ = writeln!(t, "fault: {} at {}", f.kind, fmt_mmss(f.t_ms));
    }
    for f in &s.injected {
        let _ = writeln!(t, "injected: {f}");
    }
    let safe = if s.max_pressure_mmhg.is_some() { "yes (vented)" } else { "yes (stopped)" };
    let _ = writeln!(t, "ended safe: {}", if s.ended_safe { safe } else { "NO" });
    t
}

fn compression_view(f: &CompressionFrame, duration_ms: u64) -> String {
    let mut v = String::from("\x1b[H\x1b[2J");
    let _ = writeln!(
        v,
        "afterrun device compression (simulated)   {} / {}   left {}",
        fmt_mmss(f.t_ms),
        fmt_mmss(duration_ms),
        fmt_mmss(f.left_ms)
    );
    let detail = match f.state {
        CompressionState::Running { cycle, chamber, phase } => {
            format!("running   cycle {cycle}   phase {}   chamber {chamber}", phase.name())
        }
        CompressionState::Fault { kind } => format!("FAULT {}: venting", kind.name()),
        other => other.name().to_string(),
    };
    let _ = writeln!(v, "state: {detail}\n");
    for c in &f.chambers {
        let p = c.pressure_mmhg;
        let target = if c.active {
            format!("{:>5.0}", f64::from(c.target_mmhg))
        } else {
            "    -".to_string()
        };
        let _ = writeln!(
            v,
            "{:<3} {} {:>6.1} /{} mmHg  {}",
            c.id.to_string(),
            bar(p, 120.0, 40),
            p,
            target,
            if c.valve == Valve::Vent { "vent" } else { c.valve.name() }
        );
    }
    let _ = writeln!(
        v,
        "\nmanifold {:>6.1} mmHg   pump {}   dump {}",
        f.manifold_mmhg,
        if f.pump_running { "on " } else { "off" },
        if f.dump_open { "open" } else { "closed" }
    );
    v
}

fn run_vibration(run: &Run, program: &VibrationProgram) -> anyhow::Result<ExitCode> {
    let params = VibrationSimParams::default();
    let mut sim = simulation(run)?;
    let mut out = Out::new();
    if run.args.json {
        out.line(&json!({"sim": {
            "device": "vibration", "seed": run.args.seed, "physics_ms": 1, "tick_ms": 10,
            "person_kg": params.person_kg, "platform_kg": params.platform_kg,
            "inertia_kg_m2": params.inertia_kg_m2, "torque_per_amp": params.torque_per_amp,
            "current_limit_a": params.current_limit_a, "friction": params.friction,
            "brake_nm": params.brake_nm, "resonance_hz": params.resonance_hz,
            "damping_ratio": params.damping_ratio, "body_damping": params.body_damping,
            "kp": params.kp, "ki": params.ki, "accel_noise_g": params.accel_noise_g,
            "load_noise_kg": params.load_noise_kg, "current_noise_a": params.current_noise_a,
            "faults": injected_json(&run.faults),
        }}));
    }
    let total_ms = run.program.duration_ms();
    let mut plot_f: Vec<(f64, f64)> = Vec::new();
    let mut plot_t: Vec<(f64, f64)> = Vec::new();
    let summary = run_paced(
        run,
        &mut sim,
        &mut out,
        |frame, out| {
            let Frame::Vibration(f) = frame else { return };
            plot_f.push((f.t_ms as f64 / 1000.0, round2(f.frequency_hz)));
            plot_t.push((f.t_ms as f64 / 1000.0, f64::from(f.target_hz)));
            if run.args.json {
                out.line(&vibration_line(f));
            }
        },
        |f| match f {
            Frame::Vibration(f) => vibration_view(f, program, total_ms),
            Frame::Compression(_) => String::new(),
        },
    );
    let svg = run.args.plot.as_ref().map(|_| {
        let series = vec![("frequency".to_string(), plot_f), ("target".to_string(), plot_t)];
        afterrun_service::chart::trace::svg_plot("Vibrating plate: motor frequency", "Hz", &series)
    });
    finish(run, out, &summary, svg)
}

fn vibration_line(f: &VibrationFrame) -> Value {
    let line = json!({
        "t_ms": f.t_ms,
        "state": f.state.name(),
        "frequency_hz": round2(f.frequency_hz),
        "target_hz": round2(f64::from(f.target_hz)),
        "accel_g": round2(f.accel_g),
        "load_kg": round2(f.load_kg),
    });
    with_detail(line, StateDetail::of_vibration(f.state))
}

fn vibration_view(f: &VibrationFrame, program: &VibrationProgram, total_ms: u64) -> String {
    let mut v = String::from("\x1b[H\x1b[2J");
    let _ = writeln!(
        v,
        "afterrun device vibration (simulated)   {} / ~{}",
        fmt_mmss(f.t_ms),
        fmt_mmss(total_ms)
    );
    let detail = match f.state {
        VibrationState::Running { segment, phase } => {
            let stance = program.segments.get(segment - 1).map_or("", |g| g.stance.name());
            format!(
                "running   segment {segment}/{}   {stance}   {}",
                program.segments.len(),
                phase.name()
            )
        }
        VibrationState::Fault { kind } => format!("FAULT {}: braking", kind.name()),
        other => other.name().to_string(),
    };
    let _ = writeln!(v, "state: {detail}\n");
    let _ = writeln!(
        v,
        "frequency {} {:>5.1} Hz (target {:.1})",
        bar(f.frequency_hz, 50.0, 40),
        f.frequency_hz,
        f.target_hz
    );
    let _ = writeln!(v, "accel     {} {:>5.1} g", bar(f.accel_g, 8.0, 40), f.accel_g);
    let _ = writeln!(v, "load      {:>5.1} kg", f.load_kg);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterrun_device::compression::CompressionProgram;

    // The program readers as the command used them before the device layer read programs.
    /// Parses and validates a compression program.
    fn compression_program(value: &Value) -> Result<CompressionProgram, String> {
        match Program::read(Device::Compression, value.clone()) {
            Ok(Program::Compression(p)) => Ok(p),
            Ok(Program::Vibration(_)) => {
                Err("invalid program: not a compression program".to_owned())
            }
            Err(e) => Err(format!("invalid program: {e}")),
        }
    }

    /// Parses and validates a vibration program.
    fn vibration_program(value: &Value) -> Result<VibrationProgram, String> {
        match Program::read(Device::Vibration, value.clone()) {
            Ok(Program::Vibration(p)) => Ok(p),
            Ok(Program::Compression(_)) => Err("invalid program: not a plate program".to_owned()),
            Err(e) => Err(format!("invalid program: {e}")),
        }
    }

    #[test]
    fn the_agreed_compression_shape_round_trips() {
        let text = r#"{"pattern":"sequential","level":3,"targets_mmhg":null,"chambers":5,"legs":"both","hold_s":5,"rest_s":25,"duration_min":20,"boost":[],"gradient":true}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let p = compression_program(&value).unwrap();
        assert_eq!(p, CompressionProgram::with_level(3, 20));
        assert_eq!(serde_json::to_value(&p).unwrap(), value);
        // Only level and duration_min are required.
        let p = compression_program(&json!({"level": 5, "duration_min": 30})).unwrap();
        assert_eq!((p.chambers, p.hold_s, p.rest_s, p.gradient), (5, 5, 25, true));
        let p = compression_program(
            &json!({"level": 4, "duration_min": 20, "pattern": "wave", "legs": "left",
                    "targets_mmhg": [70, 60, 55, 50, 45], "boost": [1]}),
        )
        .unwrap();
        assert_eq!(p.targets().unwrap()[..5], [80.0, 60.0, 55.0, 50.0, 45.0]);
    }

    #[test]
    fn the_agreed_vibration_shape_round_trips() {
        let text = r#"{"ramp_s":2,"segments":[{"stance":"standing","frequency_hz":25.0,"amplitude":"low","duration_s":45,"rest_s":30}]}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let p = vibration_program(&value).unwrap();
        assert_eq!(p.segments[0].duration_s, 45);
        assert_eq!(serde_json::to_value(&p).unwrap(), value);
    }

    #[test]
    fn invalid_programs_name_the_reason() {
        let err = |v: Value| compression_program(&v).unwrap_err();
        assert!(err(json!({"level": 9, "duration_min": 20})).contains("level 9"));
        assert!(err(json!({"level": 3})).contains("duration_min"));
        assert!(
            err(json!({"level": 3, "duration_min": 20, "pattern": "spiral"})).contains("spiral")
        );
        assert!(err(json!({"level": 3, "duration_min": 20, "extra": 1})).contains("extra"));
        assert!(
            err(json!({"level": 3, "duration_min": 20, "targets_mmhg": [50, 60, 40, 40, 40]}))
                .contains("gradient")
        );
        let verr = |v: Value| vibration_program(&v).unwrap_err();
        assert!(verr(json!({"segments": []})).contains("no segment"));
        assert!(
            verr(json!({"segments": [{"stance": "handstand", "frequency_hz": 25, "amplitude": "low", "duration_s": 30}]}))
                .contains("handstand")
        );
        assert!(
            verr(json!({"segments": [{"stance": "squat", "frequency_hz": 60, "amplitude": "low", "duration_s": 30}]}))
                .contains("60 Hz")
        );
    }
}
