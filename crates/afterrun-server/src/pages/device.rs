//! The device simulator page (`GET /device`: the program in words and a form to run it) and
//! its run without JavaScript (`GET /device/run`: the whole run simulated at once, drawn as an
//! SVG plot, with the summary); the common part is [`crate::device_sim`].

use afterrun_device::compression::{
    ChamberId, CompressionProgram, LEVEL_MMHG, Leg, Legs, MAX_CHAMBERS, Pattern,
};
use afterrun_device::sim::{CompressionSim, Device, Program, Summary};
use afterrun_device::vibration::{Amplitude, Stance, VibrationConfig, VibrationProgram};
use afterrun_service::chart::trace::svg_plot;
use askama::Template;
use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::Principal;
use crate::device_sim::{
    Chosen, FRAME_MS, PRESSURE_SCALE, RunQuery, SPEEDS, choose, label, new_compression_sim,
    offered_faults, parse_speed, program_faults, sample, simulation,
};
use crate::problem::Problem;
use crate::respond::{extract_part, not_found_page, page};

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

/// The program the query of a page chooses (either device, compression first), with the query;
/// a refusal is the page's answer ([`page_problem`]).
pub(crate) struct ChosenPage {
    chosen: Chosen,
    query: RunQuery,
}

impl FromRequestParts<AppState> for ChosenPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let principal: Principal = extract_part(parts, state).await?;
        let Query(query) = extract_part::<Query<RunQuery>>(parts, state).await?;
        let chosen = choose(state, &principal, &query, None).await.map_err(page_problem)?;
        Ok(ChosenPage { chosen, query })
    }
}

/// `GET /device`: the program and the form to run it.
pub(crate) async fn device_page(ChosenPage { chosen, query }: ChosenPage) -> Response {
    match groups_of(&chosen.program) {
        Ok(groups) => page(StatusCode::OK, &page_for(&chosen, groups, &query, None)),
        Err(p) => page_problem(p),
    }
}

/// `GET /device/run`: the whole run, simulated at once (1 ms steps), drawn as an SVG.
pub(crate) async fn device_run(ChosenPage { chosen, query }: ChosenPage) -> Response {
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
    let (device_facts, plot_label, plot_caption, safe_words) = match s.max_pressure_mmhg {
        Some(max_pressure) => (
            [
                ("Cycles done", s.cycles.to_string()),
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
                [
                    ("Segments done", s.cycles.to_string()),
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
    let mut facts = vec![("Simulated", duration)];
    facts.extend(device_facts);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device_sim::{demo_program, demo_vibration_program};

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
}
