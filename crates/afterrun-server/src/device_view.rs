//! The device simulator view: a plan's compression (or vibrating-plate) program, run in the
//! simulator on the server, watched live in the browser.
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

use std::convert::Infallible;
use std::time::Duration;

use afterrun_device::compression::{
    ChamberId, CompressionProgram, CompressionState, LEVEL_MMHG, Leg, Legs, MAX_CHAMBERS, Pattern,
};
use afterrun_device::sim::session::{PlanPrograms, ProgramEntry};
use afterrun_device::sim::{
    CompressionSim, CompressionSimParams, Device, Frame, InjectedFault, Program, Simulation,
    Summary,
};
use afterrun_device::vibration::{
    Amplitude, Segment, Stance, VibrationConfig, VibrationProgram, VibrationState,
};
use afterrun_service::chart::trace::svg_plot;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::AppState;
use crate::account_pages::own_athlete;
use crate::auth::Principal;
use crate::problem::Problem;
use crate::respond::{not_found_page, page};

/// The simulator's noise seed: the same program and fault give the same run.
const SEED: u64 = 1;
/// Simulated time between two frames, at the least, ms.
const FRAME_MS: u64 = 100;
/// Real time between two frames, at the least (20 frames per second), ms.
const FRAME_REAL_MS: u64 = 50;
/// Simulated time between two frames at the fastest speed, ms: the frames go out unpaced, so
/// even a machine that steps a whole session within one frame's time shows the bars move
/// (240 frames for a 20-minute session, about 3 ms of CPU each).
const FASTEST_FRAME_MS: u64 = 5_000;
/// The highest speed one may ask for, simulated seconds per real second.
const MAX_SPEED: f64 = 1000.0;
/// The top of a pressure bar: the controller's absolute ceiling, mmHg.
const PRESSURE_SCALE: f32 = 120.0;

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
    plan: Option<String>,
    /// An index into the plan's `device_programs` (from 0); without it, the first program (of
    /// the stream's device).
    program: Option<String>,
    /// Instead of `program`: the plan step (from 0) whose device program to run.
    step: Option<String>,
    /// Simulated seconds per real second (`1`, `10`, `60`, …) or `max` (the default).
    speed: Option<String>,
    /// Faults to inject, as `afterrun device --faults` takes them; empty for none.
    fault: Option<String>,
}

/// The device's name on the page.
fn label(device: Device) -> &'static str {
    match device {
        Device::Compression => "Compression boots",
        Device::Vibration => "Vibrating plate",
    }
}

/// The faults the page offers for this program's device.
fn offered_faults(program: &Program) -> &'static [(&'static str, &'static str)] {
    match program {
        Program::Compression(_) => COMPRESSION_FAULTS,
        Program::Vibration(_) => VIBRATION_FAULTS,
    }
}

/// Parses the `fault` of the query for this program's device.
fn program_faults(program: &Program, text: Option<&str>) -> Result<Vec<InjectedFault>, Problem> {
    program.faults(text.unwrap_or("")).map_err(|e| bad_request("fault", e.to_string()))
}

/// A run of `program` with the page's seed.
fn simulation(program: &Program, faults: &[InjectedFault]) -> Result<Simulation, Problem> {
    Simulation::new(program, SEED, faults)
        .map_err(|e| bad_request("program", format!("invalid program: {e}")))
}

/// Where the program came from.
#[derive(Debug, Clone)]
struct Source {
    /// The stored plan's id, or `None` for the demo program.
    plan_id: Option<i64>,
    /// The index in the plan's `device_programs`.
    index: usize,
    /// The plan's date (`generated_at`), for the page.
    generated_at: String,
}

/// The chosen program and what the page shows around it.
#[derive(Debug, Clone)]
struct Chosen {
    source: Source,
    program: Program,
    /// Why the demo program is shown, when it is.
    demo_reason: Option<&'static str>,
    /// The plan's other device programs: `(index, device)`.
    others: Vec<(usize, Device)>,
}

/// The demo compression program: level 3 (50 mmHg), sequential, 4 chambers on each leg, 10 min.
fn demo_program() -> CompressionProgram {
    let mut program = CompressionProgram::with_level(3, 10);
    program.chambers = 4;
    program.legs = Legs::Both;
    program.pattern = Pattern::Sequential;
    program
}

/// The demo plate program: standing, then a squat, 25 Hz, low amplitude, 45 s each.
fn demo_vibration_program() -> VibrationProgram {
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

fn bad_request(field: &str, detail: impl Into<String>) -> Problem {
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
async fn stored_plan(
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
async fn choose(
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
fn parse_speed(text: Option<&str>) -> Result<Option<f64>, Problem> {
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

/// The chamber's place on the leg, from the foot up.
fn place(number: u8, chambers: u8) -> &'static str {
    const PLACES: [&str; 5] = ["foot", "ankle", "calf", "knee", "thigh"];
    if chambers <= 1 {
        return "leg";
    }
    let share = f64::from(number.saturating_sub(1)) / f64::from(chambers - 1);
    PLACES[((share * 4.0).round() as usize).min(4)]
}

/// One bar as drawn: a chamber's pressure, or the plate's frequency or acceleration.
#[derive(Debug, Clone)]
struct BarView {
    /// Its position in the frames' `values`.
    slot: usize,
    /// `L1`, `Frequency`.
    name: String,
    /// `foot`, `motor`.
    place: &'static str,
    /// The target drawn as a marker (0: none).
    target: f32,
    /// The top of the bar, in `unit`.
    max: f32,
    unit: &'static str,
}

/// One group of bars: a leg (foot first), or the plate.
#[derive(Debug, Clone)]
struct GroupView {
    label: &'static str,
    bars: Vec<BarView>,
}

/// The legs the program treats and their chambers, from the simulator; `shown` gets the global
/// chamber indices in frame order.
fn compression_groups(
    sim: &CompressionSim,
    program: &CompressionProgram,
) -> (Vec<GroupView>, Vec<usize>) {
    let targets = sim.controller().targets();
    let active = sim.controller().active();
    let mut shown = Vec::new();
    let mut groups = Vec::new();
    for (leg, label) in [(Leg::Left, "Left leg"), (Leg::Right, "Right leg")] {
        let mut bars = Vec::new();
        for i in (0..MAX_CHAMBERS).filter(|&i| active[i] && ChamberId::from_index(i).leg == leg) {
            let id = ChamberId::from_index(i);
            bars.push(BarView {
                slot: shown.len(),
                name: id.to_string(),
                place: place(id.number, program.chambers),
                target: targets[i],
                max: PRESSURE_SCALE,
                unit: "mmHg",
            });
            shown.push(i);
        }
        if !bars.is_empty() {
            groups.push(GroupView { label, bars });
        }
    }
    (groups, shown)
}

/// The plate's two bars: motor frequency (target marker) and peak acceleration.
fn vibration_groups(program: &VibrationProgram) -> Vec<GroupView> {
    let config = VibrationConfig::default();
    vec![GroupView {
        label: "Plate",
        bars: vec![
            BarView {
                slot: 0,
                name: "Frequency".to_owned(),
                place: "motor",
                target: program.segments.first().map_or(0.0, |s| s.frequency_hz),
                max: afterrun_device::vibration::MAX_FREQUENCY_HZ,
                unit: "Hz",
            },
            BarView {
                slot: 1,
                name: "Acceleration".to_owned(),
                place: "peak",
                target: 0.0,
                max: config.accel_ceiling_g,
                unit: "g",
            },
        ],
    }]
}

fn groups_of(program: &Program) -> Result<Vec<GroupView>, Problem> {
    Ok(match program {
        Program::Compression(p) => compression_groups(&new_compression_sim(p, &[])?, p).0,
        Program::Vibration(p) => vibration_groups(p),
    })
}

fn stance_words(stance: Stance) -> &'static str {
    match stance {
        Stance::Standing => "Standing, knees soft",
        Stance::Squat => "Squat (quads)",
        Stance::CalfRaise => "Calf raise (calves)",
        Stance::SeatedHamstring => "Seated, heels on the plate (hamstrings)",
        Stance::LungeLeft => "Lunge, left foot on the plate",
        Stance::LungeRight => "Lunge, right foot on the plate",
        Stance::SeatedCalves => "Seated, forefeet on the plate (calves)",
    }
}

fn mmss(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The program in words: `(term, description)` rows.
fn describe(program: &Program) -> Vec<(String, String)> {
    match program {
        Program::Compression(p) => describe_compression(p),
        Program::Vibration(p) => describe_vibration(p, program.duration_ms()),
    }
}

fn describe_vibration(program: &VibrationProgram, total_ms: u64) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = program
        .segments
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let amplitude = match s.amplitude {
                Amplitude::Low => "low",
                Amplitude::High => "high",
            };
            let rest =
                if s.rest_s > 0 { format!(", then {} s rest", s.rest_s) } else { String::new() };
            (
                format!("Segment {}", k + 1),
                format!(
                    "{}: {} Hz, {amplitude} amplitude, {} s{rest}.",
                    stance_words(s.stance),
                    s.frequency_hz,
                    s.duration_s
                ),
            )
        })
        .collect();
    rows.push((
        "Ramps".to_owned(),
        format!(
            "{} s to spin up and {} s to spin down, each segment.",
            program.ramp_s, program.ramp_s
        ),
    ));
    rows.push((
        "In all".to_owned(),
        format!(
            "{} s of vibration; about {} with ramps and rests.",
            program.vibration_s(),
            mmss(total_ms)
        ),
    ));
    rows.push((
        "Safety".to_owned(),
        "Whatever the program says, the motor spins only with a person on the plate, stops within a \
         second if they step off, never passes 50 Hz or 8 g, and brakes on any fault."
            .to_owned(),
    ));
    rows
}

fn describe_compression(program: &CompressionProgram) -> Vec<(String, String)> {
    let mut rows: Vec<(&'static str, String)> = Vec::new();
    rows.push((
        "Pattern",
        match program.pattern {
            Pattern::Sequential => "Sequential: the chambers fill one after another from the foot up, \
                each held while the next fills; then the whole leg is held and every chamber vents together."
                .to_owned(),
            Pattern::Wave => "Wave: one band of pressure travels up the leg; each chamber vents as \
                soon as the one above it is full."
                .to_owned(),
        },
    ));
    let pressure = match (&program.targets_mmhg, program.targets()) {
        (None, Ok(_)) if program.boost.is_empty() => format!(
            "Level {} of 7: {} mmHg in every chamber.",
            program.level,
            LEVEL_MMHG[usize::from(program.level.clamp(1, 7) - 1)]
        ),
        (_, Ok(t)) => {
            let list: Vec<String> = (0..usize::from(program.chambers))
                .map(|i| {
                    let n = i as u8 + 1;
                    format!("{n} ({}) {} mmHg", place(n, program.chambers), t[i])
                })
                .collect();
            format!("{}.", list.join(", "))
        }
        (_, Err(e)) => format!("not valid: {e}"),
    };
    rows.push(("Pressure", pressure));
    rows.push((
        "Sleeves",
        format!(
            "{} chambers on {}, numbered from the foot up.",
            program.chambers,
            match program.legs {
                Legs::Both => "each leg",
                Legs::Left => "the left leg",
                Legs::Right => "the right leg",
            }
        ),
    ));
    rows.push((
        "Each cycle",
        format!(
            "Fill, hold the whole leg {} s, then rest {} s, vented.",
            program.hold_s, program.rest_s
        ),
    ));
    if !program.boost.is_empty() {
        let list: Vec<String> = program.boost.iter().map(u8::to_string).collect();
        rows.push((
            "Boost",
            format!("Chamber {}: 10 mmHg more and a longer hold.", list.join(", ")),
        ));
    }
    rows.push(("Duration", format!("{} minutes.", program.duration_min)));
    rows.push((
        "Safety",
        "Whatever the program says, the controller vents every chamber at once if one reads 15 mmHg \
         over its target or above 120 mmHg, if a sensor, valve or the pump misbehaves, or if it misses \
         its ticks."
            .to_owned(),
    ));
    rows.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// An option of a select.
#[derive(Debug, Clone)]
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn options(list: &[(&str, &str)], selected: &str) -> Vec<Opt> {
    list.iter()
        .map(|(value, label)| Opt {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            selected: *value == selected,
        })
        .collect()
}

/// What the no-JS run shows.
#[derive(Debug, Clone)]
struct RunResult {
    svg: String,
    plot_label: String,
    plot_caption: &'static str,
    ended_safe: bool,
    safe_words: &'static str,
    faults: Vec<String>,
    /// `(term, value)` rows.
    facts: Vec<(&'static str, String)>,
    injected: Vec<String>,
}

#[derive(Template)]
#[template(path = "device.html")]
struct DevicePage {
    title: &'static str,
    nav: &'static str,
    /// `compression` or `vibration`.
    device: &'static str,
    heading: String,
    lead: &'static str,
    /// The plan's id as the form and the stream take it (`demo` for the demo).
    plan_param: String,
    program_param: String,
    plan_href: Option<String>,
    generated_at: String,
    /// `generated_at` in words, in the server's zone (the page's script shows the browser's).
    generated_label: String,
    demo_reason: Option<&'static str>,
    demo_words: &'static str,
    rows: Vec<(String, String)>,
    /// The plan's other device programs: a label and a link.
    others: Vec<(String, String)>,
    groups: Vec<GroupView>,
    speeds: Vec<Opt>,
    faults: Vec<Opt>,
    fault_hint: &'static str,
    duration_ms: u64,
    result: Option<RunResult>,
}

fn page_for(
    chosen: &Chosen,
    groups: Vec<GroupView>,
    query: &RunQuery,
    result: Option<RunResult>,
) -> DevicePage {
    let kind = chosen.program.device();
    let plan_param = chosen.source.plan_id.map_or_else(|| "demo".to_owned(), |id| id.to_string());
    let fault = query.fault.as_deref().unwrap_or("");
    let offered = offered_faults(&chosen.program);
    let mut faults = options(offered, fault);
    if !fault.is_empty() && !offered.iter().any(|(v, _)| *v == fault) {
        faults.push(Opt { value: fault.to_owned(), label: fault.to_owned(), selected: true });
    }
    let (lead, demo_words, fault_hint) = match kind {
        Device::Compression => (
            "Watch what compression boots would do with this program. The controller runs against \
             a physical model of the pump, valves and air chambers, here on this computer; no real \
             device is connected.",
            "level 3, sequential, four chambers on each leg. Check in with compression boots in \
             your equipment to get one made for your legs.",
            "A fault shows how the controller reacts: it vents every chamber, stops the pump and \
             ends safe.",
        ),
        Device::Vibration => (
            "Watch what a vibrating plate would do with this program. The controller runs against a \
             physical model of the motor, the platform and the person on it, here on this \
             computer; no real device is connected.",
            "standing, then a squat, 25 Hz. Check in with a vibrating plate in your equipment to \
             get one made for your legs.",
            "A fault shows how the controller reacts: it brakes the motor and ends safe.",
        ),
    };
    DevicePage {
        title: "Device simulator",
        nav: "device",
        device: kind.slug(),
        heading: if chosen.demo_reason.is_some() {
            "Demo program".to_owned()
        } else {
            format!("{} from your plan", label(kind))
        },
        lead,
        program_param: if chosen.source.plan_id.is_some() {
            chosen.source.index.to_string()
        } else {
            String::new()
        },
        plan_href: chosen.source.plan_id.map(|id| format!("/plans/{id}")),
        generated_at: chosen.source.generated_at.clone(),
        generated_label: crate::views::server_time_words(&chosen.source.generated_at),
        demo_reason: chosen.demo_reason,
        demo_words,
        rows: describe(&chosen.program),
        others: chosen
            .others
            .iter()
            .map(|(i, k)| {
                (
                    format!("{} (program {i})", label(*k)),
                    format!("/device?plan={plan_param}&program={i}"),
                )
            })
            .collect(),
        plan_param,
        groups,
        speeds: options(SPEEDS, query.speed.as_deref().unwrap_or("10")),
        faults,
        fault_hint,
        duration_ms: chosen.program.duration_ms(),
        result,
    }
}

/// A problem as the page shows it: a 404 is the not-found page, the rest the problem document.
fn page_problem(problem: Problem) -> Response {
    if problem.status_code() == StatusCode::NOT_FOUND {
        not_found_page(format!("{}.", capitalize(&problem.detail)))
    } else {
        problem.into_response()
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn new_compression_sim(
    program: &CompressionProgram,
    faults: &[InjectedFault],
) -> Result<CompressionSim, Problem> {
    CompressionSim::new(CompressionSimParams::default(), program, SEED, faults)
        .map_err(|e| bad_request("program", format!("invalid program: {e}")))
}

/// One `frame` event: the state and the drawn values (`values` and `targets` in bar order: the
/// chambers the program uses, or the plate's frequency and acceleration).
fn frame_json(frame: &Frame) -> Value {
    match frame {
        Frame::Compression(f) => {
            let shown = f.chambers.iter().filter(|c| c.active);
            let pressures: Vec<f64> = shown.clone().map(|c| round1(c.pressure_mmhg)).collect();
            let targets: Vec<f64> = shown.map(|c| f64::from(c.target_mmhg)).collect();
            let mut json = json!({
                "t_ms": f.t_ms,
                "state": f.state.name(),
                "left_ms": f.left_ms,
                "pressures_mmhg": pressures,
                "targets_mmhg": targets,
                "pump": f.pump_running,
                "dump": f.dump_open,
            });
            match f.state {
                CompressionState::Running { cycle, chamber, phase } => {
                    json["cycle"] = json!(cycle);
                    json["chamber"] = json!(chamber.to_string());
                    json["phase"] = json!(phase.name());
                }
                CompressionState::Fault { kind } => json["fault"] = json!(kind.name()),
                _ => {}
            }
            json
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
            match f.state {
                VibrationState::Running { segment, phase } => {
                    json["segment"] = json!(segment);
                    json["segments"] = json!(f.segments);
                    json["phase"] = json!(phase.name());
                    if let Some(stance) = f.stance {
                        json["stance"] = json!(stance.name());
                    }
                }
                VibrationState::Fault { kind } => json["fault"] = json!(kind.name()),
                _ => {}
            }
            json
        }
    }
}

/// The `summary` event: the device layer's one summary shape.
fn summary_json(summary: &Summary) -> String {
    serde_json::to_value(summary).map(|v| v.to_string()).unwrap_or_default()
}

/// The values a plot draws: one per chamber the program uses; frequency and target for the
/// plate.
fn sample(frame: &Frame) -> Vec<f64> {
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

/// `GET /device`: the program and the form to run it.
pub(crate) async fn device_page(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    let chosen = match choose(&state, &principal, &query, None).await {
        Ok(c) => c,
        Err(p) => return page_problem(p),
    };
    match groups_of(&chosen.program) {
        Ok(groups) => page(StatusCode::OK, &page_for(&chosen, groups, &query, None)),
        Err(p) => page_problem(p),
    }
}

/// `GET /device/run`: the whole run, simulated at once (1 ms steps), drawn as an SVG.
pub(crate) async fn device_run(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    let chosen = match choose(&state, &principal, &query, None).await {
        Ok(c) => c,
        Err(p) => return page_problem(p),
    };
    let prepared = parse_speed(query.speed.as_deref())
        .and_then(|_| program_faults(&chosen.program, query.fault.as_deref()))
        .and_then(|faults| {
            Ok((simulation(&chosen.program, &faults)?, groups_of(&chosen.program)?))
        });
    let (mut sim, groups) = match prepared {
        Ok(s) => s,
        Err(p) => return page_problem(p),
    };
    let names: Vec<String> = match &chosen.program {
        Program::Compression(_) => {
            groups.iter().flat_map(|g| g.bars.iter().map(|b| b.name.clone())).collect()
        }
        Program::Vibration(_) => vec!["frequency".to_owned(), "target".to_owned()],
    };
    // A point every 100 ms, or fewer on long programs: about 1,500 points a line at most.
    let every = (chosen.program.duration_ms() / 1500).div_ceil(FRAME_MS).max(1) * FRAME_MS;
    let kind = chosen.program.device();
    let run = tokio::task::spawn_blocking(move || {
        let mut points: Vec<(f64, Vec<f64>)> = vec![(0.0, sample(&sim.frame()))];
        while !sim.finished() {
            sim.step();
            if sim.t_ms().is_multiple_of(every) || sim.finished() {
                points.push((sim.t_ms() as f64 / 1000.0, sample(&sim.frame())));
            }
        }
        let series: Vec<(String, Vec<(f64, f64)>)> = names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let line = points.iter().map(|(t, p)| (*t, p.get(k).copied().unwrap_or(0.0)));
                (name.clone(), line.collect())
            })
            .collect();
        let (title, unit) = match kind {
            Device::Compression => ("Chamber pressures over the session", "mmHg"),
            Device::Vibration => ("Motor frequency over the session", "Hz"),
        };
        (svg_plot(title, unit, &series), sim.summary())
    })
    .await;
    let (svg, summary) = match run {
        Ok(r) => r,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let result = run_result(svg, &summary);
    page(StatusCode::OK, &page_for(&chosen, groups, &query, Some(result)))
}

/// The no-JS result from the run's summary (the one shape of both devices).
fn run_result(svg: String, s: &Summary) -> RunResult {
    let faults: Vec<String> = s
        .faults
        .iter()
        .map(|f| format!("{} at {}", f.kind.replace('_', " "), mmss(f.t_ms)))
        .collect();
    let duration = mmss((s.duration_s * 1000.0) as u64);
    let fault_words = if faults.is_empty() {
        "no fault".to_owned()
    } else {
        format!("fault: {}", faults.join(", "))
    };
    let cycles = s.cycles.to_string();
    let (facts, plot_label, plot_caption, safe_words) = match s.max_pressure_mmhg {
        Some(max_pressure) => (
            vec![
                ("Simulated", duration.clone()),
                ("Cycles done", cycles),
                ("Highest pressure", format!("{max_pressure:.1} mmHg")),
                ("Time at target", format!("{:.0} s", s.time_at_target_s.unwrap_or(0.0))),
            ],
            format!(
                "Line chart of each chamber's pressure over {duration} of simulated time; highest \
                 {max_pressure:.0} mmHg; {fault_words}."
            ),
            "Physical pressure in each chamber (simulated, not the sensors' readings).",
            "Ended safe: every chamber vented.",
        ),
        None => {
            let max_frequency = s.max_frequency_hz.unwrap_or(0.0);
            (
                vec![
                    ("Simulated", duration.clone()),
                    ("Segments done", cycles),
                    ("Highest frequency", format!("{max_frequency:.1} Hz")),
                    ("Highest acceleration", format!("{:.1} g", s.max_accel_g.unwrap_or(0.0))),
                ],
                format!(
                    "Line chart of the motor's frequency and its target over {duration} of \
                     simulated time; highest {max_frequency:.0} Hz; {fault_words}."
                ),
                "The motor's physical frequency (simulated) and the frequency the controller asked \
                 for.",
                "Ended safe: the motor stopped.",
            )
        }
    };
    RunResult {
        svg,
        plot_label,
        plot_caption,
        ended_safe: s.ended_safe,
        safe_words,
        faults,
        facts,
        injected: s.injected.clone(),
    }
}

/// Simulated time between frames at `speed`: 100 ms, or more so that frames come at most every
/// 50 ms of real time.
fn frame_interval_ms(speed: f64) -> u64 {
    let ms = (speed * FRAME_REAL_MS as f64).ceil() as u64;
    ms.div_ceil(FRAME_MS).max(1) * FRAME_MS
}

/// The stream's state between two events.
#[derive(Debug)]
struct Runner {
    sim: Option<Simulation>,
    speed: Option<f64>,
    started: Instant,
    ended: bool,
    /// Turns `true` when the server shuts down ([`AppState::end_device_streams`]).
    shutdown: watch::Receiver<bool>,
}

async fn next_event(mut runner: Runner) -> Option<(Result<Event, Infallible>, Runner)> {
    if runner.ended || *runner.shutdown.borrow() {
        return None;
    }
    let mut sim = runner.sim.take()?;
    if sim.finished() {
        runner.ended = true;
        let event = Event::default().event("summary").data(summary_json(&sim.summary()));
        return Some((Ok(event), runner));
    }
    let every = runner.speed.map_or(FASTEST_FRAME_MS, frame_interval_ms);
    let until = (sim.t_ms() / every + 1) * every;
    let stepped = tokio::task::spawn_blocking(move || {
        sim.run_until(until);
        let data = frame_json(&sim.frame()).to_string();
        (sim, data)
    })
    .await;
    let (sim, data) = match stepped {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(cause = %e, "the simulation task failed");
            return None;
        }
    };
    if let Some(speed) = runner.speed {
        let due = Duration::from_secs_f64(sim.t_ms() as f64 / 1000.0 / speed);
        let mut shutdown = runner.shutdown.clone();
        let stop = tokio::time::timeout_at(runner.started + due, shutdown.wait_for(|end| *end));
        if stop.await.is_ok() {
            return None;
        }
    }
    runner.sim = Some(sim);
    Some((Ok(Event::default().event("frame").data(data)), runner))
}

/// The stream of one device's run.
async fn stream(state: AppState, principal: Principal, query: RunQuery, kind: Device) -> Response {
    let prepared = async {
        let chosen = choose(&state, &principal, &query, Some(kind)).await?;
        let speed = parse_speed(query.speed.as_deref())?;
        let faults = program_faults(&chosen.program, query.fault.as_deref())?;
        Ok::<_, Problem>((simulation(&chosen.program, &faults)?, speed))
    }
    .await;
    let (sim, speed) = match prepared {
        Ok(p) => p,
        Err(p) => return p.into_response(),
    };
    let runner = Runner {
        sim: Some(sim),
        speed,
        started: Instant::now(),
        ended: false,
        shutdown: state.device_streams(),
    };
    Sse::new(futures_util::stream::unfold(runner, next_event)).into_response()
}

/// `GET /api/device/compression/stream`: a compression run as Server-Sent Events.
pub(crate) async fn compression_stream(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    stream(state, principal, query, Device::Compression).await
}

/// `GET /api/device/vibration/stream`: a plate run as Server-Sent Events.
pub(crate) async fn vibration_stream(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    stream(state, principal, query, Device::Vibration).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_shutdown_ends_the_streams_at_once() {
        let state = AppState::new(crate::Config::default(), || jiff::Timestamp::UNIX_EPOCH);
        let runner = |speed| Runner {
            sim: Some(simulation(&Program::Compression(demo_program()), &[]).unwrap()),
            speed,
            started: Instant::now(),
            ended: false,
            shutdown: state.device_streams(),
        };
        // A real-time run gives its first frame, then the server shuts down: the next poll ends
        // the stream instead of simulating the other ten minutes.
        let (_, running) = next_event(runner(Some(1000.0))).await.unwrap();
        state.end_device_streams();
        assert!(next_event(running).await.is_none());
        // A stream opened while the server shuts down ends at once too.
        assert!(next_event(runner(None)).await.is_none());
    }

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
    fn chambers_are_named_from_the_foot_up() {
        let five: Vec<&str> = (1..=5).map(|n| place(n, 5)).collect();
        assert_eq!(five, ["foot", "ankle", "calf", "knee", "thigh"]);
        let four: Vec<&str> = (1..=4).map(|n| place(n, 4)).collect();
        assert_eq!(four.first(), Some(&"foot"));
        assert_eq!(four.last(), Some(&"thigh"));
        assert_eq!(place(1, 1), "leg");
    }

    #[test]
    fn the_demo_program_is_valid_and_described() {
        let demo = demo_program();
        assert!(demo.validate().is_ok());
        let rows = describe(&Program::Compression(demo));
        let has = |rows: &[(String, String)], key: &str, text: &str| {
            rows.iter().any(|(k, v)| k == key && v.contains(text))
        };
        assert!(has(&rows, "Pressure", "Level 3 of 7: 50 mmHg"));
        assert!(has(&rows, "Sleeves", "4 chambers on each leg"));
        let plate = demo_vibration_program();
        assert!(plate.validate(&VibrationConfig::default()).is_ok());
        let rows = describe(&Program::Vibration(plate));
        assert!(has(&rows, "Segment 2", "Squat (quads): 25 Hz, low amplitude, 45 s"));
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
}
