//! The device simulator view's common part: a plan's compression (or vibrating-plate) program,
//! run in the simulator on the server, watched live in the browser. The page and the no-JS run
//! are [`crate::pages::device`], the streams [`crate::api::device`]; this leaf chooses the
//! program, parses the speed and faults, and writes frames and summaries as JSON.
//!
//! Why on the server: the controllers and their physical simulators are the Rust code of
//! `afterrun-device` (the same `tick` a device's firmware would run), so the browser only draws.
//! The server keeps no run: every request names its program (`plan` + `program` or `step`, or
//! the demo program) and runs it from the start. Programs, simulations, frames and the summary
//! come from the device layer (`afterrun_device::sim::session`); this module is HTTP, the choice
//! of program, words and rendering. A shutdown ends the streams through the state
//! ([`AppState::end_device_streams`]).
//!
//! - `GET /device`: the program in words and a form to run it (speed, an optional fault).
//! - `GET /device/run`: without JavaScript, the whole run simulated at once and drawn as an SVG
//!   plot (every chamber's pressure, or the plate's frequency), with the summary.
//! - `GET /api/device/{compression,vibration}/stream`: the run as Server-Sent Events, one `frame`
//!   per step of simulated time (100 ms at the least, at most 20 frames per real second), then
//!   one `summary` event; `assets/device.js` draws the frames as bars.
//!
//! The simulators step 1 ms at a time; they never run on the async runtime's threads: they are
//! stepped in `spawn_blocking` chunks, each as long as one frame (5 s of simulated time, unpaced, at
//! the fastest speed), and paced with `tokio::time` between frames. A closed connection drops the stream, and
//! with it the simulation. Measured (debug build, device crate at opt-level 3, a loaded 2-core
//! machine): a 20-minute compression session, 1.2 M steps, simulates in about 0.7 s of CPU, so
//! the no-JS page steps the whole run at 1 ms and only samples the plot (≤ 1,500 points a line).

use afterrun_device::compression::{CompressionProgram, Legs, Pattern};
use afterrun_device::sim::session::{PlanPrograms, ProgramEntry};
use afterrun_device::sim::{
    CompressionSim, CompressionSimParams, Device, Frame, InjectedFault, Program, Simulation,
    StateDetail, Summary,
};
use afterrun_device::vibration::{Amplitude, Segment, Stance, VibrationProgram, VibrationState};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Principal, own_athlete};
use crate::problem::Problem;

/// The simulator's noise seed: the same program and fault give the same run.
const SEED: u64 = 1;

/// Simulated time between two frames, at the least, ms.
pub(crate) const FRAME_MS: u64 = 100;

/// Real time between two frames, at the least (20 frames per second), ms.
const FRAME_REAL_MS: u64 = 50;

/// Simulated time between two frames at the fastest speed, ms: the frames go out unpaced, so
/// even a machine that steps a whole session within one frame's time shows the bars move
/// (240 frames for a 20-minute session, about 3 ms of CPU each).
pub(crate) const FASTEST_FRAME_MS: u64 = 5_000;

/// The highest speed one may ask for, simulated seconds per real second.
const MAX_SPEED: f64 = 1000.0;

/// The top of a pressure bar: the controller's absolute ceiling, mmHg.
pub(crate) const PRESSURE_SCALE: f32 = 120.0;

/// The speeds the page offers: `(value, label)`; `max` is as fast as the server can step.
pub(crate) const SPEEDS: &[(&str, &str)] = &[
    ("1", "Real time (1×)"),
    ("10", "10× faster"),
    ("60", "60× faster"),
    ("max", "As fast as possible"),
];

/// The compression faults the page offers (`fault` takes any specification of devices.md; these
/// are the common ones), each early in the second cycle, so the first cycle shows normal work.
pub(crate) const COMPRESSION_FAULTS: &[(&str, &str)] = &[
    ("", "None: a normal session"),
    ("leak@2:45s", "A leak in chamber 2 (45 s in)"),
    ("hose_kink@1:45s", "A kinked hose on chamber 1 (45 s in)"),
    ("sensor_offset@3:-30:45s", "Chamber 3's sensor reads 30 mmHg low (45 s in)"),
    ("sensor_stuck@2:45s", "Chamber 2's sensor freezes (45 s in)"),
    ("sensor_dropout@1:45s", "Chamber 1's sensor stops answering (45 s in)"),
    ("valve_stuck_fill@1:45s", "Chamber 1's valve sticks open (45 s in)"),
    ("valve_stuck_closed@2:45s", "Chamber 2's valve sticks shut (45 s in)"),
    ("pump_stuck_on:45s", "The pump sticks on (45 s in)"),
    ("tick_gap:900:45s", "The controller misses 0.9 s of ticks (45 s in)"),
];

/// The plate faults the page offers, in the first segment's steady vibration.
pub(crate) const VIBRATION_FAULTS: &[(&str, &str)] = &[
    ("", "None: a normal session"),
    ("user_steps_off:20s", "The person steps off (20 s in)"),
    ("motor_stall:20s", "The motor locks (20 s in)"),
    ("encoder_stuck:20s", "The speed sensor freezes (20 s in)"),
    ("overspeed:20s", "The motor driver runs away (20 s in)"),
    ("accel_saturated:20s", "The accelerometer reads full scale (20 s in)"),
    ("tick_gap:900:20s", "The controller misses 0.9 s of ticks (20 s in)"),
];

/// The query of the page, the no-JS run and the streams. Every field is text, checked here, so
/// that a bad value is a problem naming its field (not a bare 400 from the extractor).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RunQuery {
    /// A stored plan's id, or `demo`; without it, the latest plan (else the demo program).
    pub(crate) plan: Option<String>,
    /// An index into the plan's `device_programs` (from 0); without it, the first program (of
    /// the stream's device).
    pub(crate) program: Option<String>,
    /// Instead of `program`: the plan step (from 0) whose device program to run.
    pub(crate) step: Option<String>,
    /// Simulated seconds per real second (`1`, `10`, `60`, …) or `max` (the default).
    pub(crate) speed: Option<String>,
    /// Faults to inject, as `afterrun device --faults` takes them; empty for none.
    pub(crate) fault: Option<String>,
}

/// The device's name on the page.
pub(crate) fn label(device: Device) -> &'static str {
    match device {
        Device::Compression => "Compression boots",
        Device::Vibration => "Vibrating plate",
    }
}

/// The faults the page offers for this program's device.
pub(crate) fn offered_faults(program: &Program) -> &'static [(&'static str, &'static str)] {
    match program {
        Program::Compression(_) => COMPRESSION_FAULTS,
        Program::Vibration(_) => VIBRATION_FAULTS,
    }
}

/// Parses the `fault` of the query for this program's device.
pub(crate) fn program_faults(
    program: &Program,
    text: Option<&str>,
) -> Result<Vec<InjectedFault>, Problem> {
    program.faults(text.unwrap_or("")).map_err(|e| bad_request("fault", e.to_string()))
}

/// A run of `program` with the page's seed.
pub(crate) fn simulation(
    program: &Program,
    faults: &[InjectedFault],
) -> Result<Simulation, Problem> {
    Simulation::new(program, SEED, faults)
        .map_err(|e| bad_request("program", format!("invalid program: {e}")))
}

/// Where the program came from.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// The stored plan's id, or `None` for the demo program.
    pub(crate) plan_id: Option<i64>,
    /// The index in the plan's `device_programs`.
    pub(crate) index: usize,
    /// The plan's date (`generated_at`), for the page.
    pub(crate) generated_at: String,
}

/// The chosen program and what the page shows around it.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    pub(crate) source: Source,
    pub(crate) program: Program,
    /// Why the demo program is shown, when it is.
    pub(crate) demo_reason: Option<&'static str>,
    /// The plan's other device programs: `(index, device)`.
    pub(crate) others: Vec<(usize, Device)>,
}

/// The demo compression program: level 3 (50 mmHg), sequential, 4 chambers on each leg, 10 min.
pub(crate) fn demo_program() -> CompressionProgram {
    let mut program = CompressionProgram::with_level(3, 10);
    program.chambers = 4;
    program.legs = Legs::Both;
    program.pattern = Pattern::Sequential;
    program
}

/// The demo plate program: standing, then a squat, 25 Hz, low amplitude, 45 s each.
pub(crate) fn demo_vibration_program() -> VibrationProgram {
    let segment = |stance| Segment {
        stance,
        frequency_hz: 25.0,
        amplitude: Amplitude::Low,
        duration_s: 45,
        rest_s: 30,
    };
    let mut segments = heapless::Vec::new();
    // Two segments fit the sixteen the type holds.
    let _ = segments.push(segment(Stance::Standing));
    let _ = segments.push(segment(Stance::Squat));
    VibrationProgram { ramp_s: 2, segments }
}

pub(crate) fn bad_request(field: &str, detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-query",
        "The query is not valid",
        detail,
        Some(field),
    )
}

/// The asking athlete's plans (the personal athlete's, or the logged-in athlete's): the one with
/// this id, or the latest.
pub(crate) async fn stored_plan(
    state: &AppState,
    principal: &Principal,
    id: Option<i64>,
) -> Result<Option<afterrun_store::PlanRow>, Problem> {
    let Some(store) = state.store() else { return Ok(None) };
    let found = async {
        let Some(athlete) = own_athlete(principal, store).await? else { return Ok(None) };
        match id {
            Some(id) => store.plan(athlete, id).await,
            None => store.latest_plan(athlete).await,
        }
    }
    .await;
    found.map_err(|e: afterrun_store::StoreError| Problem::internal(&e))
}

/// Picks the program the query names (see [`RunQuery`]); `want` is the stream's device (the page
/// takes either, compression first).
pub(crate) async fn choose(
    state: &AppState,
    principal: &Principal,
    query: &RunQuery,
    want: Option<Device>,
) -> Result<Chosen, Problem> {
    let demo = |reason: &'static str| Chosen {
        source: Source { plan_id: None, index: 0, generated_at: String::new() },
        program: match want {
            Some(Device::Vibration) => Program::Vibration(demo_vibration_program()),
            _ => Program::Compression(demo_program()),
        },
        demo_reason: Some(reason),
        others: Vec::new(),
    };
    let asked = match query.plan.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("demo") => {
            for field in ["program", "step"] {
                let given = if field == "program" { &query.program } else { &query.step };
                if given.as_deref().is_some_and(|p| !p.trim().is_empty()) {
                    return Err(bad_request(
                        field,
                        format!("the demo has one program: leave `{field}` out"),
                    ));
                }
            }
            return Ok(demo("the one everyone can try"));
        }
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            bad_request("plan", format!("`{text}` is not a plan number (or `demo`)"))
        })?),
    };
    let index = match query.program.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse::<usize>().map_err(|_| {
            bad_request(
                "program",
                format!("`{text}` is not an index into the plan's device programs"),
            )
        })?),
    };
    let step = match query.step.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(_) if index.is_some() => {
            return Err(bad_request("step", "give `program` or `step`, not both"));
        }
        Some(text) => Some(
            text.parse::<u64>()
                .map_err(|_| bad_request("step", format!("`{text}` is not a step number")))?,
        ),
    };
    let row = match (stored_plan(state, principal, asked).await?, asked) {
        (Some(row), _) => row,
        (None, Some(id)) => {
            return Err(Problem::not_found(
                Some("plan"),
                format!("there is no stored plan `{id}`"),
            ));
        }
        (None, None) if index.is_some() || step.is_some() => {
            return Err(Problem::not_found(
                Some(if index.is_some() { "program" } else { "step" }),
                "there is no stored plan, so no device program to pick: leave it out for the demo",
            ));
        }
        (None, None) => return Ok(demo("there is no plan yet")),
    };
    let entries: Vec<ProgramEntry<Value>> = PlanPrograms::deserialize(&row.plan)
        .ok()
        .and_then(|p| p.device_programs)
        .unwrap_or_default();
    let kind_of = ProgramEntry::kind;
    let index = match (index, step) {
        (None, Some(step)) => {
            Some(entries.iter().position(|e| e.step == Some(step)).ok_or_else(|| {
                Problem::not_found(
                    Some("step"),
                    format!("step {step} of plan {} has no device program", row.id),
                )
            })?)
        }
        (index, _) => index,
    };
    let field = if step.is_some() { "step" } else { "program" };
    let (index, kind) = match index {
        Some(i) if i >= entries.len() => {
            return Err(Problem::not_found(
                Some("program"),
                format!(
                    "plan {} has {} device program(s): `program` must be below {}",
                    row.id,
                    entries.len(),
                    entries.len()
                ),
            ));
        }
        Some(i) => match (kind_of(&entries[i]), want) {
            (Some(kind), None) => (i, kind),
            (Some(kind), Some(w)) if kind == w => (i, kind),
            (Some(kind), Some(w)) => {
                return Err(bad_request(
                    field,
                    format!(
                        "device program {i} of plan {} is for the {}; this stream runs {} programs",
                        row.id,
                        label(kind).to_lowercase(),
                        w.slug()
                    ),
                ));
            }
            (None, _) => {
                return Err(bad_request(
                    field,
                    format!("device program {i} of plan {} is for no known device", row.id),
                ));
            }
        },
        None => {
            let order = match want {
                Some(w) => vec![w],
                None => Device::ALL.to_vec(),
            };
            let found = order
                .iter()
                .find_map(|&k| entries.iter().position(|e| kind_of(e) == Some(k)).map(|i| (i, k)));
            match found {
                Some(found) => found,
                None if asked.is_none() => {
                    return Ok(demo("your latest plan has no device step"));
                }
                None => {
                    return Err(Problem::not_found(
                        Some("program"),
                        format!(
                            "plan {} has no {} program",
                            row.id,
                            want.map_or("device", Device::slug)
                        ),
                    ));
                }
            }
        }
    };
    let value = entries[index].program.clone().unwrap_or(Value::Null);
    let program = Program::read(kind, value)
        .map_err(|e| bad_request(field, format!("invalid program: {e}")))?;
    let others = entries
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .filter_map(|(i, e)| kind_of(e).map(|k| (i, k)))
        .collect();
    Ok(Chosen {
        source: Source {
            plan_id: Some(row.id),
            index,
            generated_at: crate::views::utc(
                jiff::Timestamp::from_second(row.generated_at).unwrap_or_default(),
            ),
        },
        program,
        demo_reason: None,
        others,
    })
}

/// `speed`: `None` is as fast as possible.
pub(crate) fn parse_speed(text: Option<&str>) -> Result<Option<f64>, Problem> {
    match text.map(str::trim) {
        None | Some("") | Some("max") => Ok(None),
        Some(t) => match t.trim_end_matches(['x', '×']).parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 && s <= MAX_SPEED => Ok(Some(s)),
            _ => Err(bad_request(
                "speed",
                format!("`{t}`: expected a speed above 0 and at most {MAX_SPEED}, or `max`"),
            )),
        },
    }
}

pub(crate) fn new_compression_sim(
    program: &CompressionProgram,
    faults: &[InjectedFault],
) -> Result<CompressionSim, Problem> {
    CompressionSim::new(CompressionSimParams::default(), program, SEED, faults)
        .map_err(|e| bad_request("program", format!("invalid program: {e}")))
}

/// One `frame` event: the state and the drawn values (`values` and `targets` in bar order: the
/// chambers the program uses, or the plate's frequency and acceleration).
pub(crate) fn frame_json(frame: &Frame) -> Value {
    match frame {
        Frame::Compression(f) => {
            let shown = f.chambers.iter().filter(|c| c.active);
            let pressures: Vec<f64> = shown.clone().map(|c| round1(c.pressure_mmhg)).collect();
            let targets: Vec<f64> = shown.map(|c| f64::from(c.target_mmhg)).collect();
            let json = json!({
                "t_ms": f.t_ms,
                "state": f.state.name(),
                "left_ms": f.left_ms,
                "pressures_mmhg": pressures,
                "targets_mmhg": targets,
                "pump": f.pump_running,
                "dump": f.dump_open,
            });
            with_detail(json, StateDetail::of_compression(f.state))
        }
        Frame::Vibration(f) => {
            let frequency = round1(f.frequency_hz);
            let target = round1(f64::from(f.target_hz));
            let accel = round1(f.accel_g);
            let mut json = json!({
                "t_ms": f.t_ms,
                "state": f.state.name(),
                "left_ms": f.left_ms,
                "frequency_hz": frequency,
                "target_hz": target,
                "accel_g": accel,
                "load_kg": round1(f.load_kg),
                "brake": f.brake,
                "values": [frequency, accel],
                "targets": [target, 0.0],
            });
            if let VibrationState::Running { .. } = f.state {
                json["segments"] = json!(f.segments);
                if let Some(stance) = f.stance {
                    json["stance"] = json!(stance.name());
                }
            }
            with_detail(json, StateDetail::of_vibration(f.state))
        }
    }
}

/// A frame line (the web stream's or the command line's `--json`) with the state's detail (cycle, chamber, segment, phase or fault) added.
pub fn with_detail(mut line: Value, detail: Option<StateDetail>) -> Value {
    if let (Some(fields), Ok(Value::Object(more))) =
        (line.as_object_mut(), serde_json::to_value(detail))
    {
        fields.extend(more);
    }
    line
}

/// The `summary` event: the device layer's one summary shape.
pub(crate) fn summary_json(summary: &Summary) -> String {
    serde_json::to_value(summary).map(|v| v.to_string()).unwrap_or_default()
}

/// The values a plot draws: one per chamber the program uses; frequency and target for the
/// plate.
pub(crate) fn sample(frame: &Frame) -> Vec<f64> {
    match frame {
        Frame::Compression(f) => {
            f.chambers.iter().filter(|c| c.active).map(|c| c.pressure_mmhg).collect()
        }
        Frame::Vibration(f) => vec![f.frequency_hz, f64::from(f.target_hz)],
    }
}

fn round1(x: f64) -> f64 {
    if x.is_finite() { (x * 10.0).round() / 10.0 } else { 0.0 }
}

/// Simulated time between frames at `speed`: 100 ms, or more so that frames come at most every
/// 50 ms of real time.
pub(crate) fn frame_interval_ms(speed: f64) -> u64 {
    let ms = (speed * FRAME_REAL_MS as f64).ceil() as u64;
    ms.div_ceil(FRAME_MS).max(1) * FRAME_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_at_most_twenty_per_real_second() {
        assert_eq!(frame_interval_ms(1.0), 100);
        assert_eq!(frame_interval_ms(10.0), 500);
        assert_eq!(frame_interval_ms(60.0), 3000);
        assert_eq!(frame_interval_ms(0.5), 100);
        for speed in [0.1, 1.0, 3.0, 10.0, 60.0, 1000.0] {
            let every = frame_interval_ms(speed);
            assert_eq!(every % FRAME_MS, 0);
            // Real time between frames: every / speed ≥ 50 ms.
            assert!(every as f64 / speed >= FRAME_REAL_MS as f64 - 1e-9, "{speed}");
        }
    }

    #[test]
    fn every_offered_fault_parses() {
        let boots = Program::Compression(demo_program());
        for (spec, _) in COMPRESSION_FAULTS {
            assert!(program_faults(&boots, Some(spec)).is_ok(), "{spec}");
        }
        assert!(program_faults(&boots, Some("boom:3s")).is_err());
        assert!(program_faults(&boots, Some("motor_stall:3s")).is_err());
        let plate = Program::Vibration(demo_vibration_program());
        for (spec, _) in VIBRATION_FAULTS {
            assert!(program_faults(&plate, Some(spec)).is_ok(), "{spec}");
        }
    }

    /// The keys of a frame 5 s into a run: the state's detail joins the drawn values.
    fn keys_at_5s(program: Program) -> Vec<String> {
        let mut sim = Simulation::new(&program, SEED, &[]).unwrap();
        sim.run_until(5_000);
        let frame = frame_json(&sim.frame());
        assert_eq!(frame["state"], "running");
        frame.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn a_running_frame_names_its_cycle_chamber_or_segment_and_phase() {
        let boots = keys_at_5s(Program::Compression(demo_program()));
        let plate = keys_at_5s(Program::Vibration(demo_vibration_program()));
        assert_eq!(
            boots.join(" "),
            "chamber cycle dump left_ms phase pressures_mmhg pump state t_ms targets_mmhg"
        );
        assert_eq!(
            plate.join(" "),
            "accel_g brake frequency_hz left_ms load_kg phase segment segments stance state t_ms \
             target_hz targets values"
        );
    }
}
