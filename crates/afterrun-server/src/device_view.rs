//! The device simulator view: a plan's compression program, run in the simulator on the server,
//! watched live in the browser.
//!
//! Why on the server: the controller and its physical simulator are the Rust code of
//! `afterrun-device` (the same `tick` a device's firmware would run), so the browser only draws.
//! The server stays stateless: every request names its program (`plan` + `program`, or the demo
//! program) and runs it from the start.
//!
//! - `GET /device`: the program in words and a form to run it (speed, an optional fault).
//! - `GET /device/run`: without JavaScript, the whole run simulated at once and drawn as an SVG
//!   plot of every chamber's pressure, with the summary.
//! - `GET /api/device/compression/stream`: the run as Server-Sent Events, one `frame` per step
//!   of simulated time (100 ms at the least, at most 20 frames per real second), then one
//!   `summary` event; `assets/device.js` draws the frames as per-chamber bars.
//!
//! The simulator steps 1 ms at a time; it never runs on the async runtime's threads: it is
//! stepped in `spawn_blocking` chunks, each as long as one frame (or 50 ms of CPU at the fastest
//! speed), and paced with `tokio::time` between frames. A closed connection drops the stream,
//! and with it the simulation.

use std::convert::Infallible;
use std::time::Duration;

use afterrun_device::compression::{
    ChamberId, CompressionProgram, CompressionState, LEVEL_MMHG, Leg, Legs, MAX_CHAMBERS, Pattern,
};
use afterrun_device::sim::{
    CompressionSim, CompressionSimParams, CompressionSummary, Device, InjectedFault, parse_faults,
    svg_plot,
};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::AppState;
use crate::account_pages::own_athlete;
use crate::auth::Principal;
use crate::problem::Problem;
use crate::web::{not_found_page, page};

/// The device routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/device", get(device_page))
        .route("/device/run", get(device_run))
        .route("/api/device/compression/stream", get(compression_stream))
}

/// The simulator's noise seed: the same program and fault give the same run.
const SEED: u64 = 1;
/// Simulated time between two frames, at the least, ms.
const FRAME_MS: u64 = 100;
/// Real time between two frames, at the least (20 frames per second), ms.
const FRAME_REAL_MS: u64 = 50;
/// The highest speed one may ask for, simulated seconds per real second.
const MAX_SPEED: f64 = 1000.0;

/// The speeds the page offers: `(value, label)`; `max` is as fast as the server can step.
pub(crate) const SPEEDS: &[(&str, &str)] = &[
    ("1", "Real time (1×)"),
    ("10", "10× faster"),
    ("60", "60× faster"),
    ("max", "As fast as possible"),
];

/// The faults the page offers (`fault` takes any specification of devices.md; these are the
/// common ones), each a few seconds into the second cycle, so the first cycle shows normal work.
pub(crate) const FAULTS: &[(&str, &str)] = &[
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

/// The query of the page, the no-JS run and the stream. Every field is text, checked here, so
/// that a bad value is a problem naming its field (not a bare 400 from the extractor).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RunQuery {
    /// A stored plan's id, or `demo`; without it, the latest plan (else the demo program).
    plan: Option<String>,
    /// An index into the plan's `device_programs` (from 0); without it, the first compression
    /// program.
    program: Option<String>,
    /// Instead of `program`: the plan step (from 0) whose device program to run.
    step: Option<String>,
    /// Simulated seconds per real second (`1`, `10`, `60`, …) or `max` (the default).
    speed: Option<String>,
    /// Faults to inject, as `afterrun device --faults` takes them; empty for none.
    fault: Option<String>,
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
    program: CompressionProgram,
    /// Why the demo program is shown, when it is.
    demo_reason: Option<&'static str>,
    /// The plan's other device programs: `(index, device label)`.
    others: Vec<(usize, &'static str)>,
}

/// The demo program: level 3 (50 mmHg), sequential, 4 chambers on each leg, 10 minutes.
fn demo_program() -> CompressionProgram {
    let mut program = CompressionProgram::with_level(3, 10);
    program.chambers = 4;
    program.legs = Legs::Both;
    program.pattern = Pattern::Sequential;
    program
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

fn device_label(device: &str) -> &'static str {
    match device {
        "compression_boots" => "Compression boots",
        "vibration_plate" => "Vibrating plate",
        _ => "Device",
    }
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
            Some(id) => Ok(store.plans(athlete).await?.into_iter().find(|p| p.id == id)),
            None => store.latest_plan(athlete).await,
        }
    }
    .await;
    found.map_err(|e: afterrun_store::StoreError| Problem::internal(&e))
}

/// Picks the program the query names (see [`RunQuery`]).
async fn choose(
    state: &AppState,
    principal: &Principal,
    query: &RunQuery,
) -> Result<Chosen, Problem> {
    let demo = |reason: &'static str| Chosen {
        source: Source { plan_id: None, index: 0, generated_at: String::new() },
        program: demo_program(),
        demo_reason: Some(reason),
        others: Vec::new(),
    };
    let asked = match query.plan.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("demo") => {
            if query.program.as_deref().is_some_and(|p| !p.is_empty()) {
                return Err(bad_request(
                    "program",
                    "the demo has one program: leave `program` out",
                ));
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
                Some("program"),
                "there is no stored plan, so no program to pick: leave `program` out for the demo",
            ));
        }
        (None, None) => return Ok(demo("there is no plan yet")),
    };
    let entries: Vec<Value> =
        row.plan.get("device_programs").and_then(Value::as_array).cloned().unwrap_or_default();
    let device_of = |e: &Value| e.get("device").and_then(Value::as_str).unwrap_or("").to_owned();
    let index = match (index, step) {
        (None, Some(step)) => Some(
            entries
                .iter()
                .position(|e| e.get("step").and_then(Value::as_u64) == Some(step))
                .ok_or_else(|| {
                    Problem::not_found(
                        Some("step"),
                        format!("step {step} of plan {} has no device program", row.id),
                    )
                })?,
        ),
        (index, _) => index,
    };
    let index = match index {
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
        Some(i) if device_of(&entries[i]) != "compression_boots" => {
            return Err(bad_request(
                "program",
                format!(
                    "device program {i} of plan {} is for the {}; this view runs compression programs",
                    row.id,
                    device_label(&device_of(&entries[i])).to_lowercase()
                ),
            ));
        }
        Some(i) => i,
        None => match entries.iter().position(|e| device_of(e) == "compression_boots") {
            Some(i) => i,
            None if asked.is_none() => {
                return Ok(demo("your latest plan has no compression step"));
            }
            None => {
                return Err(Problem::not_found(
                    Some("program"),
                    format!("plan {} has no compression program", row.id),
                ));
            }
        },
    };
    let value = entries[index].get("program").cloned().unwrap_or(Value::Null);
    let program: CompressionProgram = serde_json::from_value(value)
        .map_err(|e| bad_request("program", format!("invalid program: {e}")))?;
    program.validate().map_err(|e| bad_request("program", format!("invalid program: {e}")))?;
    let others = entries
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(i, e)| (i, device_label(&device_of(e))))
        .collect();
    Ok(Chosen {
        source: Source {
            plan_id: Some(row.id),
            index,
            generated_at: row.plan["generated_at"].as_str().unwrap_or("").to_owned(),
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

fn parse_fault(
    text: Option<&str>,
    program: &CompressionProgram,
) -> Result<Vec<InjectedFault>, Problem> {
    parse_faults(text.unwrap_or(""), Device::Compression, program.chambers)
        .map_err(|e| bad_request("fault", e.to_string()))
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

/// One chamber as drawn: its name, place and target.
#[derive(Debug, Clone)]
struct ChamberView {
    /// Global index in the simulator's arrays.
    index: usize,
    /// `L1`.
    name: String,
    /// `foot`.
    place: &'static str,
    /// Target pressure, mmHg.
    target: f32,
}

/// One leg's chambers, foot first.
#[derive(Debug, Clone)]
struct LegView {
    label: &'static str,
    chambers: Vec<ChamberView>,
}

/// The legs the program treats and their chambers, from the simulator.
fn legs_of(sim: &CompressionSim, program: &CompressionProgram) -> Vec<LegView> {
    let targets = sim.controller().targets();
    let active = sim.controller().active();
    [(Leg::Left, "Left leg"), (Leg::Right, "Right leg")]
        .into_iter()
        .map(|(leg, label)| LegView {
            label,
            chambers: (0..MAX_CHAMBERS)
                .filter(|&i| active[i] && ChamberId::from_index(i).leg == leg)
                .map(|i| {
                    let id = ChamberId::from_index(i);
                    ChamberView {
                        index: i,
                        name: id.to_string(),
                        place: place(id.number, program.chambers),
                        target: targets[i],
                    }
                })
                .collect(),
        })
        .filter(|l| !l.chambers.is_empty())
        .collect()
}

/// The program in words: `(term, description)` rows.
fn describe(program: &CompressionProgram) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
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
    rows
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
    duration: String,
    cycles: u32,
    max_pressure: String,
    time_at_target: String,
    faults: Vec<String>,
    injected: Vec<String>,
    ended_safe: bool,
    plot_label: String,
}

#[derive(Template)]
#[template(path = "device.html")]
struct DevicePage {
    title: &'static str,
    nav: &'static str,
    /// The plan's id as the form and the stream take it (`demo` for the demo).
    plan_param: String,
    program_param: String,
    plan_href: Option<String>,
    generated_at: String,
    demo_reason: Option<&'static str>,
    rows: Vec<(&'static str, String)>,
    /// The plan's other device programs: a label, and a link for the compression ones.
    others: Vec<(String, Option<String>)>,
    legs: Vec<LegView>,
    speeds: Vec<Opt>,
    faults: Vec<Opt>,
    duration_ms: u64,
    result: Option<RunResult>,
}

fn page_for(
    chosen: &Chosen,
    legs: Vec<LegView>,
    query: &RunQuery,
    result: Option<RunResult>,
) -> DevicePage {
    let plan_param = chosen.source.plan_id.map_or_else(|| "demo".to_owned(), |id| id.to_string());
    let fault = query.fault.as_deref().unwrap_or("");
    let mut faults = options(FAULTS, fault);
    if !fault.is_empty() && !FAULTS.iter().any(|(v, _)| *v == fault) {
        faults.push(Opt { value: fault.to_owned(), label: fault.to_owned(), selected: true });
    }
    DevicePage {
        title: "Device simulator",
        nav: "device",
        program_param: if chosen.source.plan_id.is_some() {
            chosen.source.index.to_string()
        } else {
            String::new()
        },
        plan_href: chosen.source.plan_id.map(|id| format!("/plans/{id}")),
        generated_at: chosen.source.generated_at.clone(),
        demo_reason: chosen.demo_reason,
        rows: describe(&chosen.program),
        others: chosen
            .others
            .iter()
            .map(|(i, label)| {
                let href = (*label == device_label("compression_boots"))
                    .then(|| format!("/device?plan={plan_param}&program={i}"));
                let how =
                    if href.is_some() { "" } else { ": run it with `afterrun device vibration`" };
                (format!("{label} (program {i}){how}"), href)
            })
            .collect(),
        plan_param,
        legs,
        speeds: options(SPEEDS, query.speed.as_deref().unwrap_or("10")),
        faults,
        duration_ms: u64::from(chosen.program.duration_min) * 60_000,
        result,
    }
}

/// A problem as the page shows it: a 404 is the not-found page, the rest the problem document.
fn page_problem(state: &AppState, problem: Problem) -> Response {
    if problem.status_code() == StatusCode::NOT_FOUND {
        not_found_page(state, format!("{}.", capitalize(&problem.detail)))
    } else {
        problem.into_response()
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn new_sim(
    program: &CompressionProgram,
    faults: &[InjectedFault],
) -> Result<CompressionSim, Problem> {
    CompressionSim::new(CompressionSimParams::default(), program, SEED, faults)
        .map_err(|e| bad_request("program", format!("invalid program: {e}")))
}

/// `GET /device`: the program and the form to run it.
async fn device_page(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    let chosen = match choose(&state, &principal, &query).await {
        Ok(c) => c,
        Err(p) => return page_problem(&state, p),
    };
    let sim = match new_sim(&chosen.program, &[]) {
        Ok(s) => s,
        Err(p) => return page_problem(&state, p),
    };
    let legs = legs_of(&sim, &chosen.program);
    page(&state, StatusCode::OK, &page_for(&chosen, legs, &query, None))
}

/// `GET /device/run`: the whole run, simulated at once (1 ms steps), drawn as an SVG.
async fn device_run(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    let chosen = match choose(&state, &principal, &query).await {
        Ok(c) => c,
        Err(p) => return page_problem(&state, p),
    };
    let prepared = parse_speed(query.speed.as_deref())
        .and_then(|_| parse_fault(query.fault.as_deref(), &chosen.program))
        .and_then(|faults| new_sim(&chosen.program, &faults));
    let mut sim = match prepared {
        Ok(s) => s,
        Err(p) => return page_problem(&state, p),
    };
    let legs = legs_of(&sim, &chosen.program);
    let shown: Vec<(String, usize)> =
        legs.iter().flat_map(|l| l.chambers.iter().map(|c| (c.name.clone(), c.index))).collect();
    // A point every 100 ms, or fewer on long programs: about 1,500 points per chamber at most.
    let duration_ms = u64::from(chosen.program.duration_min) * 60_000;
    let every = (duration_ms / 1500).div_ceil(FRAME_MS).max(1) * FRAME_MS;
    let run = tokio::task::spawn_blocking(move || {
        let mut points: Vec<(f64, Vec<f64>)> = Vec::new();
        let summary = sim.run(|s| {
            if s.t_ms().is_multiple_of(every) || s.finished() {
                let p = shown.iter().map(|(_, i)| s.pressures()[*i]).collect();
                points.push((s.t_ms() as f64 / 1000.0, p));
            }
        });
        let series: Vec<(String, Vec<(f64, f64)>)> = shown
            .iter()
            .enumerate()
            .map(|(k, (name, _))| (name.clone(), points.iter().map(|(t, p)| (*t, p[k])).collect()))
            .collect();
        (svg_plot("Chamber pressures over the session", "mmHg", &series), summary)
    })
    .await;
    let (svg, summary) = match run {
        Ok(r) => r,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let result = run_result(svg, &summary);
    page(&state, StatusCode::OK, &page_for(&chosen, legs, &query, Some(result)))
}

fn mmss(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

fn run_result(svg: String, s: &CompressionSummary) -> RunResult {
    let faults: Vec<String> = s
        .faults
        .iter()
        .map(|f| format!("{} at {}", f.kind.replace('_', " "), mmss(f.t_ms)))
        .collect();
    RunResult {
        plot_label: format!(
            "Line chart of each chamber's pressure over {} of simulated time; highest {:.0} mmHg; {}.",
            mmss((s.duration_s * 1000.0) as u64),
            s.max_pressure_mmhg,
            if faults.is_empty() {
                "no fault".to_owned()
            } else {
                format!("fault: {}", faults.join(", "))
            }
        ),
        svg,
        duration: mmss((s.duration_s * 1000.0) as u64),
        cycles: s.cycles,
        max_pressure: format!("{:.1}", s.max_pressure_mmhg),
        time_at_target: format!("{:.0}", s.time_at_target_s),
        faults,
        injected: s.injected.iter().map(ToString::to_string).collect(),
        ended_safe: s.ended_safe,
    }
}

fn round1(x: f64) -> f64 {
    if x.is_finite() { (x * 10.0).round() / 10.0 } else { 0.0 }
}

/// One frame of the stream: the state and every shown chamber's physical pressure and target.
fn frame(sim: &CompressionSim, shown: &[usize]) -> Value {
    let state = sim.controller().state();
    let t = sim.t_ms();
    let mut frame = json!({
        "t_ms": t,
        "state": state.name(),
        "left_ms": sim.controller().remaining_ms(t),
        "pressures_mmhg": shown.iter().map(|&i| round1(sim.pressures()[i])).collect::<Vec<_>>(),
        "targets_mmhg": shown.iter().map(|&i| f64::from(sim.controller().targets()[i])).collect::<Vec<_>>(),
        "pump": sim.pump_running(),
        "dump": sim.dump_open(),
    });
    match state {
        CompressionState::Running { cycle, chamber, phase } => {
            frame["cycle"] = json!(cycle);
            frame["chamber"] = json!(chamber.to_string());
            frame["phase"] = json!(phase.name());
        }
        CompressionState::Fault { kind } => frame["fault"] = json!(kind.name()),
        _ => {}
    }
    frame
}

fn summary_json(s: &CompressionSummary) -> Value {
    json!({
        "duration_s": (s.duration_s * 100.0).round() / 100.0,
        "cycles": s.cycles,
        "max_pressure_mmhg": round1(s.max_pressure_mmhg),
        "time_at_target_s": round1(s.time_at_target_s),
        "faults": s.faults.iter().map(|f| json!({"kind": f.kind, "t_ms": f.t_ms})).collect::<Vec<_>>(),
        "injected": s.injected.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "ended_safe": s.ended_safe,
    })
}

/// How far one chunk steps the simulator.
#[derive(Debug, Clone, Copy)]
enum Chunk {
    /// To this simulated time (or the end).
    Until(u64),
    /// For this much CPU time, then to the next 100 ms of simulated time (or the end).
    For(Duration),
}

/// Simulated time between frames at `speed`: 100 ms, or more so that frames come at most every
/// 50 ms of real time.
fn frame_interval_ms(speed: f64) -> u64 {
    let ms = (speed * FRAME_REAL_MS as f64).ceil() as u64;
    ms.div_ceil(FRAME_MS).max(1) * FRAME_MS
}

fn step(sim: &mut CompressionSim, chunk: Chunk) {
    match chunk {
        Chunk::Until(t) => {
            while !sim.finished() && sim.t_ms() < t {
                sim.step();
            }
        }
        Chunk::For(budget) => {
            let start = std::time::Instant::now();
            while !sim.finished() {
                sim.step();
                if sim.t_ms().is_multiple_of(FRAME_MS * 10) && start.elapsed() >= budget {
                    break;
                }
            }
        }
    }
}

/// The stream's state between two events.
struct Runner {
    sim: Option<Box<CompressionSim>>,
    shown: Vec<usize>,
    speed: Option<f64>,
    started: Instant,
    ended: bool,
}

async fn next_event(mut runner: Runner) -> Option<(Result<Event, Infallible>, Runner)> {
    if runner.ended {
        return None;
    }
    let mut sim = runner.sim.take()?;
    if sim.finished() {
        runner.ended = true;
        let event =
            Event::default().event("summary").data(summary_json(&sim.summary()).to_string());
        return Some((Ok(event), runner));
    }
    let chunk = match runner.speed {
        Some(speed) => {
            let every = frame_interval_ms(speed);
            Chunk::Until((sim.t_ms() / every + 1) * every)
        }
        None => Chunk::For(Duration::from_millis(FRAME_REAL_MS)),
    };
    let shown = std::mem::take(&mut runner.shown);
    let stepped = tokio::task::spawn_blocking(move || {
        step(&mut sim, chunk);
        let data = frame(&sim, &shown).to_string();
        (sim, shown, data)
    })
    .await;
    let (sim, shown, data) = match stepped {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(cause = %e, "the simulation task failed");
            return None;
        }
    };
    if let Some(speed) = runner.speed {
        let due = Duration::from_secs_f64(sim.t_ms() as f64 / 1000.0 / speed);
        tokio::time::sleep_until(runner.started + due).await;
    }
    runner.sim = Some(sim);
    runner.shown = shown;
    Some((Ok(Event::default().event("frame").data(data)), runner))
}

/// `GET /api/device/compression/stream`: the run as Server-Sent Events.
async fn compression_stream(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    let prepared = async {
        let chosen = choose(&state, &principal, &query).await?;
        let speed = parse_speed(query.speed.as_deref())?;
        let faults = parse_fault(query.fault.as_deref(), &chosen.program)?;
        let sim = new_sim(&chosen.program, &faults)?;
        let shown: Vec<usize> = legs_of(&sim, &chosen.program)
            .iter()
            .flat_map(|l| l.chambers.iter().map(|c| c.index))
            .collect();
        Ok::<_, Problem>((Box::new(sim), shown, speed))
    }
    .await;
    let (sim, shown, speed) = match prepared {
        Ok(p) => p,
        Err(p) => return p.into_response(),
    };
    let runner = Runner { sim: Some(sim), shown, speed, started: Instant::now(), ended: false };
    Sse::new(futures_util::stream::unfold(runner, next_event)).into_response()
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
        let rows = describe(&demo);
        assert!(
            rows.iter()
                .any(|(k, v)| *k == "Pressure" && v.contains("Level 3") && v.contains("50 mmHg"))
        );
        assert!(rows.iter().any(|(k, v)| *k == "Sleeves" && v.starts_with("4 chambers")));
    }

    #[test]
    fn every_offered_fault_parses() {
        for (spec, _) in FAULTS {
            assert!(parse_fault(Some(spec), &demo_program()).is_ok(), "{spec}");
        }
        assert!(parse_fault(Some("boom:3s"), &demo_program()).is_err());
    }
}
