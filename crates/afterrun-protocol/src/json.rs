//! The plan's wire shape (interfaces.md, "Plan"), written through DTO structs.
//!
//! Domain types are not `Serialize` (style.md): this module converts a [`Plan`] into borrowed
//! DTOs whose field order is the contract's, and serde_json writes them compactly. Nothing here
//! iterates a hash map, so the same plan always gives the same bytes.

use serde::Serialize;

use crate::plan::{Block, DeviceProgram, Dose, Plan, Reason, Step};

#[derive(Serialize)]
struct PlanDto<'a> {
    generated_at: String,
    triage: TriageDto<'a>,
    assumptions: &'a [String],
    notes: &'a [String],
    steps: Vec<StepDto<'a>>,
    device_programs: Vec<ProgramDto<'a>>,
    references: Vec<ReferenceDto>,
}

#[derive(Serialize)]
struct TriageDto<'a> {
    level: &'static str,
    reasons: Vec<ReasonDto<'a>>,
    blocked: Vec<BlockDto<'a>>,
    advice: &'a str,
}

#[derive(Serialize)]
struct ReasonDto<'a> {
    code: &'static str,
    level: &'static str,
    text: &'a str,
    evidence: &'a [&'static str],
}

#[derive(Serialize)]
struct BlockDto<'a> {
    modality: &'static str,
    region: String,
    reason: &'a str,
}

#[derive(Serialize)]
struct StepDto<'a> {
    start: String,
    offset_min: u32,
    modality: &'static str,
    duration_s: u32,
    targets: Vec<String>,
    dose: DoseDto,
    instructions: &'a [String],
    why: &'a str,
    evidence: &'a [&'static str],
}

#[derive(Serialize)]
#[serde(untagged)]
enum DoseDto {
    Easy {
        intensity: &'static str,
    },
    Dynamic {
        reps_per_side: u32,
        leg_swings_each_way: u32,
        torso_twists: u32,
    },
    Static {
        seconds: u32,
        reps: u32,
    },
    FoamRolling {
        seconds_per_group: u32,
        sets: u32,
        pace: &'static str,
        pressure: &'static str,
    },
    MassageGun {
        seconds_per_spot: u32,
        pressure: &'static str,
    },
    Compression {
        level: u8,
        minutes: u32,
        pattern: &'static str,
        hold_s: u32,
        rest_s: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        max_mmhg: Option<u32>,
    },
    Vibration {
        frequency_hz: f64,
        amplitude_mm: f64,
        bout_s: u32,
        bouts: u32,
        stance: Vec<&'static str>,
    },
    Hydration {
        water_ml: u32,
        electrolytes: bool,
    },
    None {},
}

#[derive(Serialize)]
struct ProgramDto<'a> {
    device: &'static str,
    step: usize,
    program: ProgramBodyDto<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ProgramBodyDto<'a> {
    Compression {
        pattern: &'static str,
        level: u8,
        targets_mmhg: Option<&'a [u32]>,
        chambers: u8,
        legs: &'static str,
        hold_s: u32,
        rest_s: u32,
        duration_min: u32,
        boost: &'a [u8],
        gradient: bool,
    },
    Vibration {
        ramp_s: u32,
        segments: Vec<SegmentDto>,
    },
}

#[derive(Serialize)]
struct SegmentDto {
    stance: &'static str,
    frequency_hz: f64,
    amplitude: &'static str,
    duration_s: u32,
    rest_s: u32,
}

#[derive(Serialize)]
struct ReferenceDto {
    id: &'static str,
    citation: &'static str,
}

/// Formats a timestamp as the contract wants: UTC, `Z`, whole seconds.
pub fn utc_seconds(t: jiff::Timestamp) -> String {
    match jiff::Timestamp::from_second(t.as_second()) {
        Ok(whole) => whole.to_string(),
        Err(_) => t.to_string(),
    }
}

fn dose(d: &Dose) -> DoseDto {
    match d {
        Dose::Easy => DoseDto::Easy { intensity: "easy" },
        Dose::Dynamic { reps_per_side } => DoseDto::Dynamic {
            reps_per_side: *reps_per_side,
            leg_swings_each_way: *reps_per_side,
            torso_twists: *reps_per_side,
        },
        Dose::Static { seconds, reps } => DoseDto::Static { seconds: *seconds, reps: *reps },
        Dose::FoamRolling { seconds_per_group, sets, pressure } => DoseDto::FoamRolling {
            seconds_per_group: *seconds_per_group,
            sets: *sets,
            pace: "slow",
            pressure: pressure.code(),
        },
        Dose::MassageGun { seconds_per_spot, pressure } => {
            DoseDto::MassageGun { seconds_per_spot: *seconds_per_spot, pressure: pressure.code() }
        }
        Dose::Compression { level, minutes, hold_s, rest_s, max_mmhg } => DoseDto::Compression {
            level: *level,
            minutes: *minutes,
            pattern: "sequential",
            hold_s: *hold_s,
            rest_s: *rest_s,
            max_mmhg: *max_mmhg,
        },
        Dose::Vibration { frequency_hz, amplitude_mm, bout_s, bouts, stances } => {
            DoseDto::Vibration {
                frequency_hz: *frequency_hz,
                amplitude_mm: *amplitude_mm,
                bout_s: *bout_s,
                bouts: *bouts,
                stance: stances.clone(),
            }
        }
        Dose::Hydration { water_ml, electrolytes } => {
            DoseDto::Hydration { water_ml: *water_ml, electrolytes: *electrolytes }
        }
        Dose::None => DoseDto::None {},
    }
}

fn step<'a>(plan: &Plan, s: &'a Step) -> StepDto<'a> {
    let start = plan
        .generated_at
        .checked_add(jiff::SignedDuration::from_mins(i64::from(s.offset_min)))
        .unwrap_or(plan.generated_at);
    StepDto {
        start: utc_seconds(start),
        offset_min: s.offset_min,
        modality: s.modality.code(),
        duration_s: s.duration_s,
        targets: s.targets.iter().map(ToString::to_string).collect(),
        dose: dose(&s.dose),
        instructions: &s.instructions,
        why: &s.why,
        evidence: &s.evidence,
    }
}

fn reason(r: &Reason) -> ReasonDto<'_> {
    ReasonDto { code: r.code, level: r.level.code(), text: &r.text, evidence: &r.evidence }
}

fn block(b: &Block) -> BlockDto<'_> {
    BlockDto { modality: b.modality.code(), region: b.region.to_string(), reason: &b.reason }
}

fn program(p: &DeviceProgram) -> ProgramDto<'_> {
    match p {
        DeviceProgram::Compression { step, program } => ProgramDto {
            device: "compression_boots",
            step: *step,
            program: ProgramBodyDto::Compression {
                pattern: "sequential",
                level: program.level,
                targets_mmhg: program.targets_mmhg.as_deref(),
                chambers: program.chambers,
                legs: program.legs.code(),
                hold_s: program.hold_s,
                rest_s: program.rest_s,
                duration_min: program.duration_min,
                boost: &program.boost,
                gradient: program.gradient,
            },
        },
        DeviceProgram::Vibration { step, program } => ProgramDto {
            device: "vibration_plate",
            step: *step,
            program: ProgramBodyDto::Vibration {
                ramp_s: program.ramp_s,
                segments: program
                    .segments
                    .iter()
                    .map(|s| SegmentDto {
                        stance: s.stance,
                        frequency_hz: s.frequency_hz,
                        amplitude: if s.amplitude_high { "high" } else { "low" },
                        duration_s: s.duration_s,
                        rest_s: s.rest_s,
                    })
                    .collect(),
            },
        },
    }
}

/// The plan as the contract's JSON: compact and deterministic.
pub fn plan_to_json(plan: &Plan) -> String {
    let dto = PlanDto {
        generated_at: utc_seconds(plan.generated_at),
        triage: TriageDto {
            level: plan.triage.level.code(),
            reasons: plan.triage.reasons.iter().map(reason).collect(),
            blocked: plan.triage.blocked.iter().map(block).collect(),
            advice: &plan.triage.advice,
        },
        assumptions: &plan.assumptions,
        notes: &plan.notes,
        steps: plan.steps.iter().map(|s| step(plan, s)).collect(),
        device_programs: plan.device_programs.iter().map(program).collect(),
        references: plan
            .references
            .iter()
            .map(|r| ReferenceDto { id: r.id, citation: r.citation })
            .collect(),
    };
    // Serializing these DTOs cannot fail: every map key is a string and every float is finite
    // by construction. Fall back to an empty object rather than panic.
    let mut out = Vec::with_capacity(16 * 1024);
    match serde_json::to_writer(&mut out, &dto) {
        Ok(()) => String::from_utf8(out).unwrap_or_else(|_| String::from("{}")),
        Err(_) => String::from("{}"),
    }
}
