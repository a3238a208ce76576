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

use afterrun_device::compression::{
    ChamberId, CompressionProgram, CompressionState, MAX_CHAMBERS, Valve,
};
use afterrun_device::sim::{
    CompressionSim, CompressionSimParams, CompressionSummary, Device, InjectedFault, VibrationSim,
    VibrationSimParams, VibrationSummary, parse_faults,
};
use afterrun_device::vibration::{VibrationProgram, VibrationState};
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
    program: Value,
    source: String,
    faults: Vec<InjectedFault>,
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
    let (program, source) = load_program(&args)?;
    let run = Run { args, program, source, faults: Vec::new() };
    match run.args.device {
        DeviceArg::Compression => run_compression(run),
        DeviceArg::Vibration => run_vibration(run),
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
    let device = match args.device {
        DeviceArg::Compression => "compression_boots",
        DeviceArg::Vibration => "vibration_plate",
    };
    let entries = plan.get("device_programs").and_then(Value::as_array).ok_or_else(|| {
        bad_input(format!("{}: no `device_programs` array in the plan", path.display()))
    })?;
    let entry = entries
        .iter()
        .find(|e| e.get("device").and_then(Value::as_str) == Some(device))
        .ok_or_else(|| {
            bad_input(format!(
                "{}: the plan has no `{device}` entry in `device_programs`",
                path.display()
            ))
        })?;
    let program = entry.get("program").cloned().ok_or_else(|| {
        bad_input(format!("{}: the `{device}` entry has no `program`", path.display()))
    })?;
    Ok((program, format!("{} (device_programs, {device})", path.display())))
}

/// Parses and validates a compression program.
pub fn compression_program(value: &Value) -> Result<CompressionProgram, String> {
    let program: CompressionProgram =
        serde_json::from_value(value.clone()).map_err(|e| format!("invalid program: {e}"))?;
    program.validate().map_err(|e| format!("invalid program: {e}"))?;
    Ok(program)
}

/// Parses and validates a vibration program.
pub fn vibration_program(value: &Value) -> Result<VibrationProgram, String> {
    let program: VibrationProgram =
        serde_json::from_value(value.clone()).map_err(|e| format!("invalid program: {e}"))?;
    program
        .validate(&afterrun_device::vibration::VibrationConfig::default())
        .map_err(|e| format!("invalid program: {e}"))?;
    Ok(program)
}

fn round2(x: f64) -> f64 {
    if x.is_finite() { (x * 100.0).round() / 100.0 } else { 0.0 }
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

fn run_compression(mut run: Run) -> anyhow::Result<ExitCode> {
    let program =
        compression_program(&run.program).map_err(|e| bad_input(format!("{}: {e}", run.source)))?;
    run.faults = match &run.args.faults {
        Some(spec) => parse_faults(spec, Device::Compression, program.chambers)
            .map_err(|e| bad_input(format!("--faults: {e}")))?,
        None => Vec::new(),
    };
    let params = CompressionSimParams::default();
    let mut sim = CompressionSim::new(params, &program, run.args.seed, &run.faults)
        .map_err(|e| bad_input(format!("{}: invalid program: {e}", run.source)))?;
    let fitted: Vec<usize> = (0..MAX_CHAMBERS).filter(|&i| sim.fitted()[i]).collect();
    let names: Vec<String> = fitted.iter().map(|&i| ChamberId::from_index(i).to_string()).collect();
    let targets: Vec<f64> =
        fitted.iter().map(|&i| f64::from(sim.controller().targets()[i])).collect();
    let active: Vec<bool> = fitted.iter().map(|&i| sim.controller().active()[i]).collect();

    let json_mode = run.args.json;
    let live = !json_mode && std::io::stdout().is_terminal();
    let mut out = Out::new();
    if json_mode {
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
    let mut pace = Pace::new(run.args.speed);
    let duration_ms = u64::from(program.duration_min) * 60_000;
    let summary = sim.run(|s| {
        let t = s.t_ms();
        if t % 100 == 0 {
            let pressures: Vec<f64> = fitted.iter().map(|&i| round2(s.pressures()[i])).collect();
            if run.args.plot.is_some() {
                plot.push((t as f64 / 1000.0, pressures.clone()));
            }
            if json_mode {
                out.line(&compression_line(s, &fitted, pressures));
            }
        }
        pace.wait(t);
        if live && (pace.draw_now() || s.finished()) {
            out.text(&compression_view(s, &fitted, &targets, &active, duration_ms));
        }
    });
    if let Some(path) = &run.args.plot {
        let series: Vec<(String, Vec<(f64, f64)>)> = names
            .iter()
            .enumerate()
            .filter(|(k, _)| active[*k])
            .map(|(k, name)| (name.clone(), plot.iter().map(|(t, p)| (*t, p[k])).collect()))
            .collect();
        let svg = afterrun_service::chart::trace::svg_plot(
            "Compression: chamber pressures",
            "mmHg",
            &series,
        );
        std::fs::write(path, svg)
            .map_err(|e| anyhow::anyhow!("{}: cannot write the plot: {e}", path.display()))?;
    }
    if json_mode {
        out.line(&compression_summary_json(&summary));
    } else {
        out.text(&compression_summary_text(&summary));
    }
    out.finish()?;
    Ok(if summary.ended_safe { ExitCode::SUCCESS } else { ExitCode::from(crate::exit::INTERNAL) })
}

fn compression_line(s: &CompressionSim, fitted: &[usize], pressures: Vec<f64>) -> Value {
    let r = s.readings();
    let readings: Vec<Option<f64>> =
        fitted.iter().map(|&i| r.chambers[i].map(|v| round2(f64::from(v)))).collect();
    let valves: Vec<&str> = fitted.iter().map(|&i| s.commands().valves[i].name()).collect();
    let state = s.controller().state();
    let mut line = json!({
        "t_ms": s.t_ms(),
        "state": state.name(),
        "pressures_mmhg": pressures,
        "readings_mmhg": readings,
        "manifold_mmhg": round2(s.manifold_mmhg()),
        "manifold_reading_mmhg": r.manifold.map(|v| round2(f64::from(v))),
        "pump": s.commands().pump,
        "dump": s.commands().dump_open,
        "pump_running": s.pump_running(),
        "valves": valves,
    });
    match state {
        CompressionState::Running { cycle, chamber, phase } => {
            line["cycle"] = json!(cycle);
            line["chamber"] = json!(chamber.to_string());
            line["phase"] = json!(phase.name());
        }
        CompressionState::Fault { kind } => line["fault"] = json!(kind.name()),
        _ => {}
    }
    line
}

fn compression_summary_json(s: &CompressionSummary) -> Value {
    json!({"summary": {
        "duration_s": round2(s.duration_s),
        "cycles": s.cycles,
        "max_pressure_mmhg": round2(s.max_pressure_mmhg),
        "time_at_target_s": round2(s.time_at_target_s),
        "faults": s.faults.iter().map(|f| json!({"kind": f.kind, "t_ms": f.t_ms})).collect::<Vec<_>>(),
        "injected": injected_json(&s.injected),
        "ended_safe": s.ended_safe,
    }})
}

fn compression_summary_text(s: &CompressionSummary) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "\nsession: {} simulated", fmt_mmss((s.duration_s * 1000.0) as u64));
    let _ = writeln!(t, "cycles done: {}", s.cycles);
    let _ = writeln!(t, "time at target: {:.0} s", s.time_at_target_s);
    let _ = writeln!(t, "highest chamber pressure: {:.1} mmHg", s.max_pressure_mmhg);
    if s.faults.is_empty() {
        let _ = writeln!(t, "faults: none");
    }
    for f in &s.faults {
        let _ = writeln!(t, "fault: {} at {}", f.kind, fmt_mmss(f.t_ms));
    }
    for f in &s.injected {
        let _ = writeln!(t, "injected: {f}");
    }
    let _ = writeln!(t, "ended safe: {}", if s.ended_safe { "yes (vented)" } else { "NO" });
    t
}

fn compression_view(
    s: &CompressionSim,
    fitted: &[usize],
    targets: &[f64],
    active: &[bool],
    duration_ms: u64,
) -> String {
    let mut v = String::from("\x1b[H\x1b[2J");
    let state = s.controller().state();
    let t = s.t_ms();
    let _ = writeln!(
        v,
        "afterrun device compression (simulated)   {} / {}   left {}",
        fmt_mmss(t),
        fmt_mmss(duration_ms),
        fmt_mmss(s.controller().remaining_ms(t))
    );
    let detail = match state {
        CompressionState::Running { cycle, chamber, phase } => {
            format!("running   cycle {cycle}   phase {}   chamber {chamber}", phase.name())
        }
        CompressionState::Fault { kind } => format!("FAULT {}: venting", kind.name()),
        other => other.name().to_string(),
    };
    let _ = writeln!(v, "state: {detail}\n");
    for (k, &i) in fitted.iter().enumerate() {
        let p = s.pressures()[i];
        let valve = s.commands().valves[i];
        let target = if active[k] { format!("{:>5.0}", targets[k]) } else { "    -".to_string() };
        let _ = writeln!(
            v,
            "{:<3} {} {:>6.1} /{} mmHg  {}",
            ChamberId::from_index(i).to_string(),
            bar(p, 120.0, 40),
            p,
            target,
            if valve == Valve::Vent { "vent" } else { valve.name() }
        );
    }
    let _ = writeln!(
        v,
        "\nmanifold {:>6.1} mmHg   pump {}   dump {}",
        s.manifold_mmhg(),
        if s.pump_running() { "on " } else { "off" },
        if s.dump_open() { "open" } else { "closed" }
    );
    v
}

fn run_vibration(mut run: Run) -> anyhow::Result<ExitCode> {
    let program =
        vibration_program(&run.program).map_err(|e| bad_input(format!("{}: {e}", run.source)))?;
    run.faults = match &run.args.faults {
        Some(spec) => parse_faults(spec, Device::Vibration, 5)
            .map_err(|e| bad_input(format!("--faults: {e}")))?,
        None => Vec::new(),
    };
    let params = VibrationSimParams::default();
    let mut sim = VibrationSim::new(params, &program, run.args.seed, &run.faults)
        .map_err(|e| bad_input(format!("{}: invalid program: {e}", run.source)))?;
    let json_mode = run.args.json;
    let live = !json_mode && std::io::stdout().is_terminal();
    let mut out = Out::new();
    if json_mode {
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
    let total_ms: u64 = program
        .segments
        .iter()
        .map(|s| u64::from(s.duration_s + s.rest_s + 2 * program.ramp_s) * 1000)
        .sum();
    let mut plot_f: Vec<(f64, f64)> = Vec::new();
    let mut plot_t: Vec<(f64, f64)> = Vec::new();
    let mut pace = Pace::new(run.args.speed);
    let summary = sim.run(|s| {
        let t = s.t_ms();
        if t % 100 == 0 {
            plot_f.push((t as f64 / 1000.0, round2(s.frequency_hz())));
            plot_t.push((t as f64 / 1000.0, f64::from(s.commands().target_hz)));
            if json_mode {
                out.line(&vibration_line(s));
            }
        }
        pace.wait(t);
        if live && (pace.draw_now() || s.finished()) {
            out.text(&vibration_view(s, &program, total_ms));
        }
    });
    if let Some(path) = &run.args.plot {
        let series = vec![("frequency".to_string(), plot_f), ("target".to_string(), plot_t)];
        let svg = afterrun_service::chart::trace::svg_plot(
            "Vibrating plate: motor frequency",
            "Hz",
            &series,
        );
        std::fs::write(path, svg)
            .map_err(|e| anyhow::anyhow!("{}: cannot write the plot: {e}", path.display()))?;
    }
    if json_mode {
        out.line(&vibration_summary_json(&summary));
    } else {
        out.text(&vibration_summary_text(&summary));
    }
    out.finish()?;
    Ok(if summary.ended_safe { ExitCode::SUCCESS } else { ExitCode::from(crate::exit::INTERNAL) })
}

fn vibration_line(s: &VibrationSim) -> Value {
    let state = s.controller().state();
    let mut line = json!({
        "t_ms": s.t_ms(),
        "state": state.name(),
        "frequency_hz": round2(s.frequency_hz()),
        "target_hz": round2(f64::from(s.commands().target_hz)),
        "accel_g": round2(s.accel_g()),
        "load_kg": round2(s.load_kg()),
    });
    match state {
        VibrationState::Running { segment, phase } => {
            line["segment"] = json!(segment);
            line["phase"] = json!(phase.name());
        }
        VibrationState::Fault { kind } => line["fault"] = json!(kind.name()),
        _ => {}
    }
    line
}

fn vibration_summary_json(s: &VibrationSummary) -> Value {
    json!({"summary": {
        "duration_s": round2(s.duration_s),
        "cycles": s.segments,
        "max_frequency_hz": round2(s.max_frequency_hz),
        "max_accel_g": round2(s.max_accel_g),
        "faults": s.faults.iter().map(|f| json!({"kind": f.kind, "t_ms": f.t_ms})).collect::<Vec<_>>(),
        "injected": injected_json(&s.injected),
        "ended_safe": s.ended_safe,
    }})
}

fn vibration_summary_text(s: &VibrationSummary) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "\nsession: {} simulated", fmt_mmss((s.duration_s * 1000.0) as u64));
    let _ = writeln!(t, "segments done: {}", s.segments);
    let _ = writeln!(
        t,
        "highest frequency: {:.1} Hz, highest acceleration: {:.1} g",
        s.max_frequency_hz, s.max_accel_g
    );
    if s.faults.is_empty() {
        let _ = writeln!(t, "faults: none");
    }
    for f in &s.faults {
        let _ = writeln!(t, "fault: {} at {}", f.kind, fmt_mmss(f.t_ms));
    }
    for f in &s.injected {
        let _ = writeln!(t, "injected: {f}");
    }
    let _ = writeln!(t, "ended safe: {}", if s.ended_safe { "yes (stopped)" } else { "NO" });
    t
}

fn vibration_view(s: &VibrationSim, program: &VibrationProgram, total_ms: u64) -> String {
    let mut v = String::from("\x1b[H\x1b[2J");
    let t = s.t_ms();
    let _ = writeln!(
        v,
        "afterrun device vibration (simulated)   {} / ~{}",
        fmt_mmss(t),
        fmt_mmss(total_ms)
    );
    let detail = match s.controller().state() {
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
    let f = s.frequency_hz();
    let _ = writeln!(
        v,
        "frequency {} {:>5.1} Hz (target {:.1})",
        bar(f, 50.0, 40),
        f,
        s.commands().target_hz
    );
    let a = s.accel_g();
    let _ = writeln!(v, "accel     {} {:>5.1} g", bar(a, 8.0, 40), a);
    let _ = writeln!(v, "load      {:>5.1} kg", s.load_kg());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

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
