//! Modality choice, timing and doses (protocol.md §5–§7), and the plan's explanations.
//!
//! The order of protocol.md §1 is kept: triage and contraindications first decide what is
//! blocked; only then are steps chosen, and every step's targets are trimmed against the blocks
//! of its modality (a bare group is split into sides to keep the side that is allowed). A step
//! left with no target is dropped. Nothing here can add a block or lift one.

use afterrun_device::compression::LEVEL_MMHG;
use jiff::Timestamp;

use crate::checkin::CheckIn;
use crate::codes::{Budget, Equipment, Goal, Level, Modality};
use crate::compact;
use crate::contra::{ContraResult, contraindications};
use crate::doc::{
    BlockDoc, CompressionDoc, DoseDoc, Legs, PlanDoc, Pressure, ProgramBodyDoc, ProgramDoc,
    ReferenceDoc, SEQUENTIAL, SegmentDoc, StepDoc, Text, Texts, TriageDoc, VibrationDoc, utc,
};
use crate::history::History;
use crate::needs::{MAJOR, Merger, Needs, decompose, needs};
use crate::outcome;
use crate::references::{self, REFERENCES};
use crate::region::{Group, Mask, Part, Region, Side};
use crate::triage::{
    BLEEDING_RISK_INJURY, FEVER_ALONE, POSSIBLE_BONE_STRESS_INJURY, TriageResult, join_words,
    triage,
};

/// The standing instruction on every plan.
pub const STANDING_NOTE: &str = "Don't push through significant pain: stop and check in again.";

/// A compression level's target pressure, mmHg, from the controller's own table
/// ([`afterrun_device::compression::LEVEL_MMHG`], devices.md §1); `level` is 1–7.
fn level_mmhg(level: u8) -> u32 {
    u32::from(LEVEL_MMHG[usize::from(level - 1)])
}

/// The standing instruction when nothing hurts (protocol.md v2: no "pain" where none was
/// reported).
pub const STANDING_NOTE_NO_PAIN: &str =
    "If anything gets worse or something new starts, stop and check in again.";

/// Offset of the boots or the plate loosen-up (allowed 60–120, `seed-guide`).
const DEVICE_OFFSET_MIN: u32 = 90;
/// Foam rolling never starts later than this.
const FOAM_LATEST_MIN: u32 = 30;
/// Chambers per sleeve.
const CHAMBERS: u8 = 5;
/// Hold with the whole leg at target, s.
const HOLD_S: u32 = 5;
/// Vented rest between cycles, s.
const REST_S: u32 = 25;

const WALK_REFS: Texts = fixed!["seed-guide", "dupuy-2018"];
const DYNAMIC_REFS: Texts = fixed!["seed-guide"];
const STATIC_REFS: Texts = fixed!["miller-2022"];
const FOAM_REFS: Texts = fixed!["seed-guide", "wiewelhove-2019"];
const FOAM_LATER_REFS: Texts = fixed!["seed-guide", "wiewelhove-2019", "domain-doms"];
const GUN_REFS: Texts = fixed!["seed-guide", "ferreira-2023"];
/// The massage gun's first two instructions.
const GUN_WORK: &str =
    "Work the tight spots of each target muscle, keeping the head moving, toward the heart.";
const GUN_OFF_BONES: &str = "Stay off bones and joints (shin, knee, ankle).";
const BOOTS_REFS: Texts = fixed![
    "seed-guide",
    "hoffman-2016",
    "heapy-2018",
    "overmayer-2018",
    "martin-2015",
    "kamm-1986",
    "kakkos-2005",
    "normatec-k220217",
];
const PLATE_REFS: Texts = fixed!["seed-guide", "rittweger-2010", "domain-wbv"];
const HYDRATION_REFS: Texts = fixed!["seed-guide", "miller-2022"];
const REST_REFS: Texts = fixed!["seed-guide"];

/// No step but the plate warm-up may end later than this many minutes before the next run.
const RUN_BUFFER_MIN: i64 = 30;
/// How long the next run is assumed to last when deciding whether a step is in its way.
pub const NEXT_RUN_ASSUMED_MIN: i64 = 120;
/// The earliest offset of the boots or the plate loosen-up.
const DEVICE_EARLIEST_MIN: u32 = 60;
/// The shortest boots session (protocol.md §7 bounds: 10–60 min).
const BOOTS_MIN_S: u32 = 600;

/// What the next run did to a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    Moved,
    Shortened,
    LeftOut,
}

struct Builder<'a> {
    checkin: &'a CheckIn,
    /// The check-in's `now` in whole seconds: the plan's `generated_at`.
    generated_at: Timestamp,
    history: &'a History,
    tri: TriageResult,
    contra: ContraResult,
    blocked: Vec<BlockDoc>,
    /// Per modality (by its place in [`Modality::ALL`]), the union of the regions it is blocked
    /// on: a block applies to every region it overlaps, so one mask answers [`Self::blocked_on`].
    blocked_masks: [Mask; MODALITIES],
    needs: Needs,
    /// The steps in the order they were built; sorted by their offsets when the plan is done.
    steps: Vec<StepDoc>,
    /// The device programs, each with the index of its step in `steps` as built.
    programs: Vec<ProgramDoc>,
    notes: Vec<Text>,
    assumptions: Vec<Text>,
}

/// Fixed sentences or codes as a borrowed list: no allocation, nothing to drop.
macro_rules! fixed {
    ($($text:expr),+ $(,)?) => {{
        const TEXTS: &[Text] = &[$(Text::Borrowed($text)),+];
        Texts::Borrowed(TEXTS)
    }};
}
use fixed;

/// Sentences chosen at run time, as the plan's text (the sentences themselves borrowed).
fn texts(items: &[&'static str]) -> Texts {
    Texts::Owned(items.iter().map(|s| Text::Borrowed(s)).collect())
}

/// Sentences joined by a space; one alone stays borrowed.
fn joined(items: &[&'static str]) -> Text {
    match items {
        [one] => Text::Borrowed(one),
        _ => items.join(" ").into(),
    }
}

fn minutes_ceil(seconds: u32) -> u32 {
    seconds.div_ceil(60)
}

impl Builder<'_> {
    /// When a step `offset_min` minutes after the check-in starts (`generated_at` is whole
    /// seconds, so minutes are added as seconds; the check-in's time itself if that overflows).
    fn at(&self, offset_min: u32) -> Timestamp {
        let seconds = self.generated_at.as_second() + i64::from(offset_min) * 60;
        Timestamp::from_second(seconds).unwrap_or(self.generated_at)
    }

    fn owns(&self, e: Equipment) -> bool {
        self.checkin.athlete.owns(e)
    }

    /// Whether a block of this modality overlaps `region`.
    fn blocked_on(&self, modality: Modality, region: Region) -> bool {
        self.blocked_masks.get(modality as usize).is_some_and(|m| m.overlaps(region.mask()))
    }

    /// Blocked everywhere (on a region covering the whole body).
    fn blocked_everywhere(&self, modality: Modality) -> bool {
        self.blocked.iter().any(|b| b.modality == modality && b.region.covers(Region::WholeBody))
    }

    /// Trims targets against the modality's blocks, splitting composites to keep what is allowed.
    fn allowed(&self, modality: Modality, targets: &[Region]) -> Vec<Region> {
        let mut out = Merger::with_capacity(targets.len());
        for &t in targets {
            if !self.blocked_on(modality, t) {
                out.add(t);
                continue;
            }
            for part in decompose(t) {
                if part != t && !self.blocked_on(modality, part) {
                    out.add(part);
                }
            }
        }
        out.into_vec()
    }

    fn push(&mut self, step: StepDoc) {
        self.steps.push(step);
    }

    /// A device's step and the program it runs.
    fn push_with_program(&mut self, step: StepDoc, program: ProgramBodyDoc) {
        let device = match program {
            ProgramBodyDoc::Compression(_) => Modality::CompressionBoots,
            ProgramBodyDoc::Vibration(_) => Modality::VibrationPlate,
        };
        self.programs.push(ProgramDoc { device, step: self.steps.len(), program });
        self.steps.push(step);
    }

    /// Minutes from the check-in to the next run, when known.
    fn next_run_min(&self) -> Option<i64> {
        self.checkin.next_run_at.map(|t| (t.as_second() - self.checkin.now.as_second()) / 60)
    }

    /// Would a step at `offset` lasting `duration_s` overlap the next run? It does when it ends
    /// later than 30 min before the run and starts before the run's assumed end
    /// ([`NEXT_RUN_ASSUMED_MIN`] after its start): a step the day after the next run is not
    /// in its way.
    fn overlaps_next_run(&self, offset: u32, duration_s: u32) -> bool {
        let Some(next) = self.next_run_min() else {
            return false;
        };
        let start = i64::from(offset);
        let end = start * 60 + i64::from(duration_s);
        end > (next - RUN_BUFFER_MIN) * 60 && start < next + NEXT_RUN_ASSUMED_MIN
    }

    /// A slot for a device session in its window (offset 90, allowed 60–120) that ends 30 min
    /// before the next run: as planned, moved earlier, or shortened to `short_s`; `None` (and
    /// a note) when none fits. Returns the offset and the seconds.
    fn fitted_slot(&mut self, modality: Modality, full_s: u32, short_s: u32) -> Option<(u32, u32)> {
        if !self.overlaps_next_run(DEVICE_OFFSET_MIN, full_s) {
            return Some((DEVICE_OFFSET_MIN, full_s));
        }
        let latest_end = self.next_run_min().unwrap_or(0) - RUN_BUFFER_MIN;
        for (seconds, fit) in [(full_s, Fit::Moved), (short_s, Fit::Shortened)] {
            let start = latest_end - i64::from(minutes_ceil(seconds));
            let start = start.min(i64::from(DEVICE_OFFSET_MIN));
            if let Ok(start) = u32::try_from(start)
                && start >= DEVICE_EARLIEST_MIN
                && !self.overlaps_next_run(start, seconds)
            {
                self.time_note(modality, fit);
                return Some((start, seconds));
            }
        }
        self.time_note(modality, Fit::LeftOut);
        None
    }

    /// Says in `notes` what the next run did to a step.
    fn time_note(&mut self, modality: Modality, fit: Fit) {
        let what = match fit {
            Fit::Moved => "moved to end before your next run",
            Fit::Shortened => "shortened to end before your next run",
            Fit::LeftOut => "left out: not enough time before your next run",
        };
        let mut note = String::with_capacity(80);
        outcome::modality_subject_into(&mut note, modality);
        for part in [": ", what, "."] {
            note.push_str(part);
        }
        let note = Text::Owned(note);
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    fn high_volume(&self) -> bool {
        let a = &self.checkin.athlete;
        a.weekly_km.is_some_and(|k| k >= 60.0)
            || matches!(a.goal, Some(Goal::Marathon | Goal::Ultra | Goal::Trail))
            || self.history.high_volume
    }

    fn run_hard(&self) -> bool {
        self.checkin.run.as_ref().is_some_and(|r| r.is_hard())
    }

    fn referral(&mut self) {
        let level = self.tri.level;
        let (modality, instructions) = match level {
            Level::Emergency => (
                Modality::CallEmergency,
                fixed![
                    "Call emergency services now and say what you feel and where.",
                    "Do not drive yourself. Stay with someone if you can.",
                ],
            ),
            Level::UrgentCare => (
                Modality::SeekUrgentCare,
                fixed![
                    "Get a same-day medical assessment: an urgent care centre, an emergency \
                     department or your doctor today.",
                    "Tell them about your run and the symptoms you reported.",
                    "If it gets worse quickly, or chest pain or breathlessness start, call \
                     emergency services.",
                ],
            ),
            Level::SeePhysio => (
                Modality::ConsultPhysio,
                fixed![
                    "Book an appointment with a sports physiotherapist.",
                    "Until then, keep self-care away from the affected area, and stop if \
                     anything hurts.",
                ],
            ),
            Level::SelfCare => return,
        };
        let mut evidence: Vec<Text> = Vec::new();
        let mut why = Vec::new();
        for f in self.tri.findings.iter().filter(|f| f.rule.level == level) {
            for e in f.rule.evidence {
                if !evidence.iter().any(|have| have == e) {
                    evidence.push(Text::Borrowed(e));
                }
            }
            if !why.contains(&f.rule.text) {
                why.push(f.rule.text);
            }
        }
        let targets = {
            let mut t = Merger::with_capacity(0);
            for f in self.tri.findings.iter().filter(|f| f.rule.level >= Level::SeePhysio) {
                for r in &f.regions {
                    t.add(*r);
                }
            }
            t.into_vec()
        };
        self.push(StepDoc {
            start: self.at(0),
            offset_min: 0,
            modality,
            duration_s: 0,
            targets,
            dose: DoseDoc::None {},
            instructions,
            why: joined(&why),
            evidence: evidence.into(),
        });
    }

    fn rest(
        &mut self,
        offset: u32,
        duration_s: u32,
        why: &'static str,
        instructions: [&'static str; 2],
    ) {
        self.push(StepDoc {
            start: self.at(offset),
            offset_min: offset,
            modality: Modality::Rest,
            duration_s,
            targets: vec![Region::WholeBody],
            dose: DoseDoc::None {},
            instructions: texts(&instructions),
            why: why.into(),
            evidence: REST_REFS,
        });
    }

    fn hydration(&mut self, offset: u32) {
        self.push(StepDoc {
            start: self.at(offset),
            offset_min: offset,
            modality: Modality::Hydration,
            duration_s: 300,
            targets: vec![Region::WholeBody],
            dose: DoseDoc::Hydration { water_ml: 500, electrolytes: true },
            instructions: fixed![
                "Sip water with electrolytes, to thirst: up to about 500 ml over the next hour.",
                "Do not force a set volume: after long races too much plain water can be \
                 dangerous. Pale yellow urine is the aim.",
            ],
            why: "Replacing the water and salt lost in sweat supports recovery and helps prevent \
                  cramps."
                .into(),
            evidence: HYDRATION_REFS,
        });
    }

    /// The step for a cramp happening now, at offset 0: a gentle stretch named for the cramped
    /// group, or, when stretching is blocked or the cramp may be a strain, rest with gentle
    /// massage of the area. Returns the minute it ends (0 without a cramp).
    fn cramp_step(&mut self) -> u32 {
        let Some(cramp) = self.checkin.cramp_now else {
            return 0;
        };
        let targets = self.allowed(Modality::StaticStretching, &[cramp]);
        if !targets.is_empty() && !self.tri.flags.cramp_is_strain {
            self.push(StepDoc {
                start: self.at(0),
                offset_min: 0,
                modality: Modality::StaticStretching,
                duration_s: 90,
                targets,
                dose: DoseDoc::Static { seconds: 30, reps: 3 },
                instructions: Texts::Owned(vec![
                    stretch_instruction(cramp).into(),
                    "Repeat until the cramp releases; ease off if it hurts.".into(),
                ]),
                why: "A gentle static stretch is the quickest way to release a cramp.".into(),
                evidence: STATIC_REFS,
            });
            return 2;
        }
        let (why, first) = if self.tri.flags.cramp_is_strain {
            (
                "A cramp with sharp pain, pain on stretching or a sudden onset may be a strain: \
                 stretching it could make it worse.",
                format!(
                    "Do not stretch your {}: ease it with gentle massage of the area, not \
                         stretching.",
                    cramp.words()
                ),
            )
        } else {
            (
                "Stretching is off for you today, so the cramp is eased without it.",
                format!(
                    "Ease the cramp in your {} with gentle massage of the area, not \
                         stretching.",
                    cramp.words()
                ),
            )
        };
        self.push(StepDoc {
            start: self.at(0),
            offset_min: 0,
            modality: Modality::Rest,
            duration_s: 120,
            targets: vec![cramp],
            dose: DoseDoc::None {},
            instructions: Texts::Owned(vec![
                first.into(),
                "See a sports physiotherapist if pain stays once the cramp eases.".into(),
            ]),
            why: why.into(),
            evidence: STATIC_REFS,
        });
        2
    }

    /// Block 1: the cramp's step, walk (or cycle, or rest), dynamic stretching and hydration.
    /// Returns the minute block 1 ends.
    fn block_one(&mut self) -> u32 {
        let t = self.cramp_step();
        if self.tri.flags.fever_only {
            return self.fever_rest(t);
        }
        if self.tri.flags.dizzy {
            return self.dizzy_rest(t);
        }
        if self.tri.flags.movement_hurts || self.blocked_everywhere(Modality::Walk) {
            return self.leg_rest(t);
        }
        let end = self.easy_movement(t);
        let mut block_end = end + 5;
        if self.dynamic_stretching(end) {
            block_end = block_end.max(end + 3);
        }
        self.hydration(end);
        block_end
    }

    /// With a fever only: drink and rest for the hour. Returns the minute block 1 ends.
    fn fever_rest(&mut self, t: u32) -> u32 {
        self.hydration(0);
        self.rest(
            t,
            3600,
            "Training or recovery work with a fever is unsafe: rest and drink.",
            [
                "Rest today: no training and no recovery exercises while you have a fever.",
                "See a doctor if the fever lasts 48 hours or other symptoms join it.",
            ],
        );
        t + 60
    }

    /// Dizzy: lie down with the legs raised, then drink. Returns the minute block 1 ends.
    fn dizzy_rest(&mut self, t: u32) -> u32 {
        self.rest(
            t,
            900,
            "Lying down with the legs raised brings blood back to the head; walking while \
             dizzy risks a fall.",
            [
                "Lie down with your legs raised on a chair or cushions, and sip fluids.",
                "Get up slowly. If you are still dizzy 30 minutes after the run, seek urgent \
                 care.",
            ],
        );
        self.hydration(t);
        t + 20
    }

    /// Moving hurts, or walking is blocked everywhere (a recent fracture): rest the leg, then
    /// drink. Returns the minute block 1 ends.
    fn leg_rest(&mut self, t: u32) -> u32 {
        let why = if self.tri.flags.movement_hurts {
            "Moving on a leg that hurts can make an injury worse: rest it until it has been \
             assessed."
        } else {
            "Walking for recovery is on hold until a clinician clears it after the recent \
             fracture."
        };
        let hands_off = if self.tri.flags.pain_reported {
            "No stretching, rolling or massage on the painful area."
        } else {
            "No stretching, rolling or massage on the affected area."
        };
        self.rest(
            t,
            900,
            why,
            [
                "Rest the leg: sit or lie down with it raised; walk only as daily life needs.",
                hands_off,
            ],
        );
        self.hydration(t + 15);
        t + 20
    }

    /// The easy walk, or easy cycling instead when the runner has a bike and prefers it (or a
    /// lower-leg finding makes impact unwise). Returns the minute it ends.
    fn easy_movement(&mut self, t: u32) -> u32 {
        let cycle = self.owns(Equipment::Bike)
            && (self.checkin.athlete.prefers_cycling == Some(true)
                || self.tri.flags.lower_leg_finding)
            && !self.blocked_everywhere(Modality::EasyCycle);
        let duration_s = if self.needs.very_sore { 900 } else { 720 };
        let walk_targets = self.majors_plus_targets();
        let modality = if cycle { Modality::EasyCycle } else { Modality::Walk };
        let targets = self.allowed(modality, &walk_targets);
        let instructions = if cycle {
            fixed![
                "Pedal easily with light resistance: you should be able to talk in full \
                 sentences.",
                "Keep it smooth and relaxed; stop if anything hurts.",
            ]
        } else {
            fixed![
                "Walk at an easy, conversational pace.",
                "Keep your stride relaxed and let your arms swing.",
            ]
        };
        let why = if cycle {
            "Easy cycling keeps blood flowing through tired legs without impact; it replaces the \
             walk here."
        } else {
            "Easy movement right after a run keeps blood flowing through tired muscles and eases \
             stiffness."
        };
        self.push(StepDoc {
            start: self.at(t),
            offset_min: t,
            modality,
            duration_s,
            targets,
            dose: DoseDoc::easy(),
            instructions,
            why: why.into(),
            evidence: WALK_REFS,
        });
        t + minutes_ceil(duration_s)
    }

    /// Three minutes of dynamic stretches where the walk ends, when allowed somewhere and
    /// before the next run (else a note says it was left out). Returns whether it was planned.
    fn dynamic_stretching(&mut self, end: u32) -> bool {
        let targets = self.allowed(
            Modality::DynamicStretching,
            &[
                Region::group(Group::Hamstrings),
                Region::group(Group::HipFlexors),
                Region::group(Group::Glutes),
                Region::LowerBack,
            ],
        );
        if targets.is_empty() {
            return false;
        }
        if self.overlaps_next_run(end, 180) {
            self.time_note(Modality::DynamicStretching, Fit::LeftOut);
            return false;
        }
        self.push(StepDoc {
            start: self.at(end),
            offset_min: end,
            modality: Modality::DynamicStretching,
            duration_s: 180,
            targets,
            dose: DoseDoc::dynamic(10),
            instructions: fixed![
                "Leg swings: hold a wall, swing each leg forward and back 10 times, then side \
                 to side 10 times.",
                "Torso twists: feet apart, turn gently left and right 10 times each.",
            ],
            why: "Gentle dynamic stretches where the walk ends loosen the hips and hamstrings."
                .into(),
            evidence: DYNAMIC_REFS,
        });
        true
    }

    /// The need's targets as named, plus whatever of the major groups they leave uncovered.
    fn majors_plus_targets(&self) -> Vec<Region> {
        // Room for the targets and both sides of each major group, so that adding never grows.
        let mut t = Merger::from_regions(&self.needs.targets, 2 * MAJOR.len());
        for g in MAJOR {
            t.add_uncovered(Region::group(g));
        }
        t.into_vec()
    }

    fn foam_targets(&self) -> Vec<Region> {
        // Rolling works muscles: a sore knee, ankle or achilles is not rolled (the muscles
        // around it are, through the major groups).
        let muscles: Vec<Region> = self
            .majors_plus_targets()
            .into_iter()
            .filter(|r| !matches!(r, Region::Part(Part::Knee | Part::Ankle | Part::Achilles, _)))
            .collect();
        self.allowed(Modality::FoamRolling, &muscles)
    }

    /// The foam-rolling step at `offset`, shortened to 30 s per group or left out when it
    /// would overlap the next run.
    fn fitted_foam(&mut self, offset: u32, targets: Vec<Region>, later: bool) -> Option<StepDoc> {
        let step = self.foam_step(offset, targets, later, false);
        if !self.overlaps_next_run(offset, step.duration_s) {
            return Some(step);
        }
        let short = self.foam_step(offset, step.targets, later, true);
        let fits = !self.overlaps_next_run(offset, short.duration_s);
        self.time_note(Modality::FoamRolling, if fits { Fit::Shortened } else { Fit::LeftOut });
        fits.then_some(short)
    }

    fn foam_dose(&self, short: bool) -> (u32, Pressure) {
        let seconds = if self.needs.very_sore || short { 30 } else { 45 };
        let pressure = if self.needs.very_sore || self.contra.foam_light_only {
            Pressure::Light
        } else {
            Pressure::Moderate
        };
        (seconds, pressure)
    }

    fn foam_step(&self, offset: u32, targets: Vec<Region>, later: bool, short: bool) -> StepDoc {
        let (seconds, pressure) = self.foam_dose(short);
        let sides: u32 = targets.iter().map(|r| r.leg_count()).sum();
        StepDoc {
            start: self.at(offset),
            offset_min: offset,
            modality: Modality::FoamRolling,
            duration_s: seconds * sides,
            targets,
            dose: DoseDoc::foam_rolling(seconds, 1, pressure),
            instructions: foam_instructions(later, seconds, pressure),
            why: if later {
                "Soreness usually peaks one to two days after a run; rolling again while it lasts \
                 eases it."
                    .into()
            } else {
                "Foam rolling after running reduces perceived soreness and helps the legs feel \
                 ready sooner."
                    .into()
            },
            evidence: if later { FOAM_LATER_REFS } else { FOAM_REFS },
        }
    }

    fn massage_gun(&mut self, offset: u32) -> u32 {
        let mut targets = self.allowed(Modality::MassageGun, &self.needs.targets);
        if targets.is_empty() {
            return offset;
        }
        let mut seconds = if self.needs.very_sore { 60 } else { 75 };
        let pressure = if self.needs.very_sore { Pressure::Light } else { Pressure::Moderate };
        let spots_before: u32 = targets.iter().map(|r| r.leg_count()).sum();
        if self.overlaps_next_run(offset, spots_before.min(900 / seconds) * seconds) {
            seconds = 60;
            let fits = !self.overlaps_next_run(offset, spots_before.min(15) * seconds);
            self.time_note(Modality::MassageGun, if fits { Fit::Shortened } else { Fit::LeftOut });
            if !fits {
                return offset;
            }
        }
        // At most 15 minutes in total: drop the last targets rather than shorten below the range.
        let max_spots = 900 / seconds;
        let mut spots = 0;
        targets.retain(|r| {
            spots += r.leg_count();
            spots <= max_spots
        });
        let spots: u32 = targets.iter().map(|r| r.leg_count()).sum();
        if targets.is_empty() {
            return offset;
        }
        let duration_s = spots * seconds;
        self.push(StepDoc {
            start: self.at(offset),
            offset_min: offset,
            modality: Modality::MassageGun,
            duration_s,
            targets,
            dose: DoseDoc::MassageGun { seconds_per_spot: seconds, pressure },
            instructions: if self.needs.very_sore {
                fixed![
                    GUN_WORK,
                    GUN_OFF_BONES,
                    "Use the lightest setting: the muscles are very sore."
                ]
            } else {
                fixed![GUN_WORK, GUN_OFF_BONES, "Use a moderate setting."]
            },
            why: "Percussive massage on tight spots eases perceived soreness and stiffness for a \
                  while."
                .into(),
            evidence: GUN_REFS,
        });
        offset + minutes_ceil(duration_s)
    }

    fn compression_level(&self) -> (u8, Option<Vec<u32>>, Option<u32>) {
        let first = self.history.compression_sessions.is_none_or(|n| n == 0);
        let mut level: u8 = if first {
            3
        } else if self.needs.very_sore {
            4
        } else {
            5
        };
        let cap = self.contra.compression_cap_mmhg.map(|c| c.min(110));
        let mut targets = None;
        if let Some(cap) = cap {
            while level > 1 && level_mmhg(level) > cap {
                level -= 1;
            }
            if level_mmhg(level) > cap {
                targets = Some(vec![cap; usize::from(CHAMBERS)]);
            }
        }
        (level, targets, cap)
    }

    fn compression(&mut self) -> bool {
        if !self.owns(Equipment::CompressionBoots) {
            return false;
        }
        if !(self.high_volume() || self.run_hard() || self.needs.max_soreness >= 5.0) {
            return false;
        }
        let legs: Vec<Side> = Side::BOTH
            .into_iter()
            .filter(|&s| !self.blocked_on(Modality::CompressionBoots, Region::Part(Part::Leg, s)))
            .collect();
        let legs_code = match legs.as_slice() {
            [Side::Left, Side::Right] => Legs::Both,
            [Side::Left] => Legs::Left,
            [Side::Right] => Legs::Right,
            _ => return false,
        };
        let first = self.history.compression_sessions.is_none_or(|n| n == 0);
        let minutes = if first || self.needs.very_sore { 20 } else { 30 };
        let Some((offset, seconds)) =
            self.fitted_slot(Modality::CompressionBoots, minutes * 60, BOOTS_MIN_S)
        else {
            return false;
        };
        let minutes = seconds / 60;
        if self.history.compression_sessions.is_none() {
            self.assumptions.push(if self.history.is_empty() {
                "no stored history: this compression session counts as a first session (level ≤ 3)"
                    .into()
            } else {
                "earlier compression sessions unknown: this session counts as a first session \
                 (level ≤ 3)"
                    .into()
            });
        }
        let (level, targets_mmhg, cap) = self.compression_level();
        let mmhg = targets_mmhg
            .as_ref()
            .and_then(|t| t.first().copied())
            .unwrap_or(level_mmhg(level.clamp(1, 7)));
        let program = CompressionDoc {
            pattern: Text::Borrowed(SEQUENTIAL),
            level,
            targets_mmhg,
            chambers: CHAMBERS,
            legs: Text::Borrowed(legs_code.code()),
            hold_s: HOLD_S,
            rest_s: REST_S,
            duration_min: minutes,
            boost: Vec::new(),
            gradient: true,
        };
        let mut instructions: Vec<Text> = Vec::with_capacity(4);
        instructions.extend([
            sentence(&[
                Piece::Text("Lie back with your legs raised slightly and run the boots at level "),
                Piece::Number(level.into()),
                Piece::Text(" (about "),
                Piece::Number(mmhg.into()),
                Piece::Text(" mmHg) for "),
                Piece::Number(minutes.into()),
                Piece::Text(" minutes, sequential pattern."),
            ])
            .into(),
            "Stop at once if you feel pain, numbness, tingling or throbbing.".into(),
        ]);
        match legs_code {
            Legs::Left => {
                instructions
                    .push("Use the left leg only: the other leg must not be compressed.".into());
            }
            Legs::Right => {
                instructions
                    .push("Use the right leg only: the other leg must not be compressed.".into());
            }
            Legs::Both => {}
        }
        if let Some(c) = cap {
            instructions.push(
                sentence(&[
                    Piece::Text("Never above "),
                    Piece::Number(c.into()),
                    Piece::Text(" mmHg (your clinician's or the protocol's cap)."),
                ])
                .into(),
            );
        }
        let step = StepDoc {
            start: self.at(offset),
            offset_min: offset,
            modality: Modality::CompressionBoots,
            duration_s: minutes * 60,
            targets: legs.iter().map(|&s| Region::Part(Part::Leg, s)).collect(),
            dose: DoseDoc::compression(level, minutes, HOLD_S, REST_S, cap),
            instructions: instructions.into(),
            why: "An hour or two after the run, sequential compression gives short-term relief of \
                  perceived leg fatigue and soreness; it is comfort, not treatment."
                .into(),
            evidence: BOOTS_REFS,
        };
        self.push_with_program(step, ProgramBodyDoc::Compression(program));
        true
    }

    /// Both legs, unless the plate is blocked on either.
    fn plate_targets(&self) -> Vec<Region> {
        if self.plate_blocked() {
            return Vec::new();
        }
        Side::BOTH.into_iter().map(|s| Region::Part(Part::Leg, s)).collect()
    }

    /// The plate is blocked on a leg: it is not planned at all.
    fn plate_blocked(&self) -> bool {
        Side::BOTH
            .into_iter()
            .any(|s| self.blocked_on(Modality::VibrationPlate, Region::Part(Part::Leg, s)))
    }

    /// The plate loosen-up at offset 90 (allowed 60–120), fitted before the next run.
    fn plate_loosen_up(&mut self) {
        if self.plate_blocked() {
            return;
        }
        let bout_s = if self.needs.very_sore { 30 } else { 45 };
        let (full, short) = (4 * (bout_s + 30), 4 * (30 + 30));
        if let Some((offset, seconds)) = self.fitted_slot(Modality::VibrationPlate, full, short) {
            self.plate(offset, false, seconds / 4 - 30);
        }
    }

    fn plate(&mut self, offset: u32, warm_up: bool, bout_s: u32) {
        let targets = self.plate_targets();
        if targets.is_empty() {
            return;
        }
        let (frequency_hz, stances) = if warm_up {
            (30.0, fixed!["standing", "squat", "calf_raise"])
        } else {
            (25.0, fixed!["standing", "squat", "calf_raise", "standing"])
        };
        let rest_s = 30;
        let segments: Vec<SegmentDoc> = stances
            .iter()
            .map(|stance| SegmentDoc {
                stance: stance.clone(),
                frequency_hz,
                amplitude: Text::Borrowed("low"),
                duration_s: bout_s,
                rest_s,
            })
            .collect();
        let bouts = u32::try_from(segments.len()).unwrap_or(u32::MAX);
        let duration_s = bouts * (bout_s + rest_s);
        let step = StepDoc {
            start: self.at(offset),
            offset_min: offset,
            modality: Modality::VibrationPlate,
            duration_s,
            targets,
            dose: DoseDoc::Vibration {
                frequency_hz,
                amplitude_mm: 1.0,
                bout_s,
                bouts,
                stance: stances,
            },
            instructions: fixed![
                "Stand on the plate with knees soft (slightly bent), low amplitude.",
                "Follow the stances in order, resting between bouts; step off if you feel dizzy \
                 or anything hurts.",
            ],
            why: if warm_up {
                "A short vibration session before the next run activates the legs as part of the \
                 warm-up."
                    .into()
            } else {
                "With no compression session, a gentle vibration loosen-up an hour or two after the \
                 run is the economical alternative."
                    .into()
            },
            evidence: PLATE_REFS,
        };
        let program = VibrationDoc { ramp_s: 2, segments };
        self.push_with_program(step, ProgramBodyDoc::Vibration(program));
    }

    /// One "consider" note for equipment that would have helped (protocol.md §5), never for a
    /// modality a contraindication blocks for this athlete or triage blocks on the groups it
    /// would serve.
    fn consider_note(&mut self) {
        let budget = self.checkin.athlete.budget;
        let note = if self.high_volume()
            && budget == Some(Budget::High)
            && !self.owns(Equipment::CompressionBoots)
            && self.could_suggest(Modality::CompressionBoots)
        {
            "Consider compression boots: for a high-volume runner they can give short-term relief \
             of leg fatigue after long runs."
        } else if !self.owns(Equipment::FoamRoller) && self.could_suggest(Modality::FoamRolling) {
            "Consider a foam roller: an inexpensive way to work the quads, hamstrings and calves \
             after runs."
        } else if matches!(budget, Some(Budget::Medium | Budget::High))
            && !self.owns(Equipment::MassageGun)
            && self.could_suggest(Modality::MassageGun)
        {
            "Consider a massage gun for tight spots on the calves, quads and hamstrings."
        } else {
            return;
        };
        self.notes.push(note.into());
    }

    /// No contraindication blocks the modality anywhere, and no other block touches the major
    /// groups it would serve (the massage gun's bone and tendon blocks are always there).
    fn could_suggest(&self, modality: Modality) -> bool {
        let serves: Vec<Region> = MAJOR.into_iter().map(Region::group).collect();
        !self.blocked.iter().any(|b| {
            b.modality == modality
                && (b.reason.starts_with("contra_") || serves.iter().any(|r| b.region.overlaps(*r)))
        })
    }

    fn assumptions_from_input(&mut self) {
        let c = self.checkin;
        for (i, s) in c.symptoms.as_deref().unwrap_or(&[]).iter().enumerate() {
            let mut assume = |what: &str| {
                self.assumptions.push(format!("symptoms[{i}] ({}): {what}", s.code.code()).into());
            };
            if s.region.is_none() {
                assume(if s.code.is_systemic() {
                    "no region given, taken as the whole body"
                } else {
                    "no region given, every region considered (the chest included, so it is \
                     treated as a possible chest symptom)"
                });
            }
            if s.trend.is_none() {
                assume("no trend given, taken as worsening");
            }
            if s.since_hours.is_none() {
                assume(
                    "no since_hours given, every duration considered and the highest level kept",
                );
            }
            if s.after.is_none() {
                assume("no after given, every cause considered and the highest level kept");
            }
        }
        if c.athlete.equipment.is_none() {
            self.assumptions.push("no equipment listed: none assumed".into());
        }
        if c.athlete.conditions.is_none() {
            self.assumptions.push(
                "no conditions listed: none assumed (some conditions rule out devices: list them)"
                    .into(),
            );
        }
        if c.symptoms.is_none() {
            self.assumptions.push("no symptoms listed: none assumed".into());
        }
        if c.run.is_none() {
            self.assumptions.push("no run given: load judged from soreness alone".into());
        }
        if c.run.as_ref().is_some_and(|r| r.ended_at.is_none()) {
            self.assumptions.push(
                "the run's end not given: taken as just ended for soreness that lasts, and as \
                 long ago as gives the safer answer for dizziness and fever"
                    .into(),
            );
        }
        for note in &self.contra.ignored_clearances {
            self.assumptions.push(note.clone().into());
        }
        if self.needs.defaulted && self.tri.level < Level::UrgentCare {
            self.assumptions.push(
                "nothing names the muscles that worked hardest: the major groups (quads, \
                 hamstrings, calves) are the targets"
                    .into(),
            );
        }
        if self.history.is_empty() {
            self.assumptions.push(
                "no stored history: prolonged soreness judged from this check-in's run only".into(),
            );
        }
    }

    fn build(mut self) -> PlanDoc {
        self.assumptions_from_input();
        self.referral();
        if self.tri.level >= Level::UrgentCare {
            self.urgent_rest();
        } else {
            let pain = self.tri.flags.pain_reported || self.needs.max_soreness > 0.0;
            self.notes.push(if pain { STANDING_NOTE } else { STANDING_NOTE_NO_PAIN }.into());
            self.recovery_steps();
            self.standing_notes();
        }
        self.finish()
    }

    /// `urgent_care` and `emergency`: the referral and rest, nothing else (protocol.md §2).
    fn urgent_rest(&mut self) {
        let emergency = self.tri.level == Level::Emergency;
        let why = if emergency {
            "Keep still while help comes: exertion can make this worse."
        } else {
            "Rest until you have been assessed: no recovery exercises or devices."
        };
        let first = if self.tri.flags.dizzy {
            "Lie down with your legs raised, and sip fluids if you are not sick."
        } else {
            "Sit or lie down and rest."
        };
        let hands_off = if self.tri.flags.pain_reported {
            "Do not massage, roll, compress or stretch the painful area."
        } else {
            "Do not massage, roll, compress or stretch the affected area."
        };
        self.rest(0, if emergency { 1800 } else { 3600 }, why, [first, hands_off]);
    }

    /// The notes below `urgent_care`: bone stress, fever, clearances used, load cautions.
    fn standing_notes(&mut self) {
        if self.stop_running() {
            self.notes.push(
                "Stop running until a sports physiotherapist has assessed the bone tenderness."
                    .into(),
            );
        }
        if self.tri.flags.fever_only {
            self.notes.push(
                "You have a fever: no training and no recovery work today. See a doctor if it \
                 lasts 48 hours or other symptoms join it."
                    .into(),
            );
        }
        for c in &self.contra.cleared {
            self.notes.push(c.clone().into());
        }
        if let Some(note) = self.load_caution() {
            self.notes.push(note.into());
        }
    }

    /// A bone stress finding: no running until assessed.
    fn stop_running(&self) -> bool {
        self.tri.has(POSSIBLE_BONE_STRESS_INJURY.code)
    }

    fn load_caution(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(a) = self.history.acwr.filter(|a| *a >= 1.5) {
            parts.push(format!("your recent load is {a:.2} times your usual (ACWR)"));
        }
        if let Some(m) = self.history.monotony.filter(|m| *m > 2.0) {
            parts.push(format!("your training has been monotonous (monotony {m:.2})"));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "Caution: {}; an easier day or a rest day lowers the risk of injury.",
                parts.join(" and ")
            )
        })
    }

    fn recovery_steps(&mut self) {
        let block_end = self.block_one();
        if self.tri.flags.fever_only {
            return;
        }
        let mut t = block_end.min(FOAM_LATEST_MIN);
        let foam_targets =
            if self.owns(Equipment::FoamRoller) { self.foam_targets() } else { Vec::new() };
        // What has helped this athlete before may put the massage gun ahead of foam rolling
        // (when rolling can still start by its latest time) and the plate ahead of the boots.
        let gun_first = self.owns(Equipment::MassageGun)
            && !foam_targets.is_empty()
            && self.ranked_above(Modality::MassageGun, Modality::FoamRolling);
        let mut gun_moved = false;
        if gun_first {
            let before = self.steps.len();
            let end = self.massage_gun(t);
            if self.steps.len() > before {
                if end <= FOAM_LATEST_MIN {
                    t = end;
                    gun_moved = true;
                } else {
                    self.steps.truncate(before);
                    self.programs.retain(|p| p.step < before);
                }
            }
        }
        if !foam_targets.is_empty()
            && let Some(step) = self.fitted_foam(t, foam_targets.clone(), false)
        {
            t += minutes_ceil(step.duration_s);
            self.push(step);
        }
        if self.owns(Equipment::MassageGun) && !gun_moved {
            self.massage_gun(t);
        }
        if gun_moved {
            self.notes
                .push(self.preference_note(Modality::MassageGun, Modality::FoamRolling).into());
        }
        let plate_preferred = self.owns(Equipment::VibrationPlate)
            && !self.plate_blocked()
            && self.ranked_above(Modality::VibrationPlate, Modality::CompressionBoots);
        let boots = !plate_preferred && self.compression();
        if plate_preferred
            && self.owns(Equipment::CompressionBoots)
            && !self.blocked_everywhere(Modality::CompressionBoots)
        {
            self.notes.push(
                self.preference_note(Modality::VibrationPlate, Modality::CompressionBoots).into(),
            );
        }
        if !boots && self.owns(Equipment::VibrationPlate) {
            self.plate_loosen_up();
        }
        let stop_running = self.stop_running();
        if let Some(next) = self.checkin.next_run_at {
            let minutes = (next.as_second() - self.checkin.now.as_second()) / 60;
            if self.owns(Equipment::VibrationPlate)
                && !stop_running
                && let Ok(offset) = u32::try_from(minutes - 15)
                && offset >= 5
            {
                self.plate(offset, true, if self.needs.very_sore { 30 } else { 45 });
            }
            if self.needs.very_sore && !stop_running && (0..=24 * 60).contains(&minutes) {
                self.notes.push(
                    "You are very sore and the next run is within 24 hours: make it easy, or take \
                     a rest day."
                        .into(),
                );
            }
        }
        if !foam_targets.is_empty() && self.needs.max_soreness >= 3.0 {
            // The day after, and the day after that: the last step takes the list itself.
            let next_day = self.fitted_foam(1440, foam_targets.clone(), true);
            let day_after = self.fitted_foam(2880, foam_targets, true);
            for step in [next_day, day_after].into_iter().flatten() {
                self.push(step);
            }
        }
        self.consider_note();
        self.learned_notes();
    }

    /// Whether the outcome learner ranks `a` above `b` for this athlete (an unranked modality
    /// counts as below every ranked one; with no ranking nothing changes).
    fn ranked_above(&self, a: Modality, b: Modality) -> bool {
        let rank = |m: Modality| self.history.ranking.iter().position(|r| *r == m);
        match (rank(a), rank(b)) {
            (Some(x), Some(y)) => x < y,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Why `chosen` was put before (or used instead of) `other`: learned evidence when there is
    /// enough, otherwise a chance for an untried choice to show its effect.
    fn preference_note(&self, chosen: Modality, other: Modality) -> String {
        let effect = |m: Modality| self.history.learned.iter().find(|e| e.modality == m);
        let what =
            if other == Modality::CompressionBoots { "is used instead of" } else { "comes before" };
        let chosen_words = outcome::modality_words(chosen);
        let other_words = outcome::modality_words(other);
        let mut first = chosen_words.chars();
        let subject = first
            .next()
            .map(|c| c.to_uppercase().chain(first).collect::<String>())
            .unwrap_or_default();
        match (effect(chosen), effect(other)) {
            (Some(c), o) if o.is_none_or(|o| c.mean < o.mean) && c.mean < 0.0 => format!(
                "{subject} {what} {other_words} today: for you it has been followed by less \
                 soreness than expected."
            ),
            _ => format!(
                "{subject} {what} {other_words} today, so that its effect for you can be \
                 learned."
            ),
        }
    }

    /// One sentence per learned effect of a modality this plan uses, most helpful first.
    fn learned_notes(&mut self) {
        let used: Vec<Modality> = self.steps.iter().map(|s| s.modality).collect();
        for e in &self.history.learned {
            if used.contains(&e.modality) {
                self.notes.push(outcome::effect_sentence(e).into());
            }
        }
    }

    fn finish(self) -> PlanDoc {
        // Steps are built in the order of protocol.md §6, which is their time order unless a
        // session before the next run falls between later ones (the largest plans): sorted then.
        let (mut steps, mut device_programs) = (self.steps, self.programs);
        if !steps.is_sorted_by_key(|s| s.offset_min) {
            sort_steps(&mut steps, &mut device_programs);
        }
        let reasons = self.tri.reasons();
        let level = self.tri.level;
        let advice = advice(&self.tri, self.needs.max_soreness);
        let cited = reasons
            .iter()
            .flat_map(|r| &r.evidence)
            .chain(steps.iter().flat_map(|s| s.evidence.iter()));
        // One bit per reference of the table: cited ones in the table's order, each once.
        let mut cited_mask = 0u128;
        let contra_cited = self.contra.evidence.iter().map(|id| &**id);
        for id in cited.map(|id| &**id).chain(contra_cited) {
            let bit =
                u32::try_from(references::position(id)).ok().and_then(|i| 1u128.checked_shl(i));
            cited_mask |= bit.unwrap_or(0);
        }
        let references = cited_references(cited_mask);
        PlanDoc {
            generated_at: self.generated_at,
            triage: TriageDoc { level, reasons, blocked: self.blocked, advice },
            assumptions: self.assumptions,
            notes: self.notes,
            steps,
            device_programs,
            references,
        }
    }
}

/// How to roll, for the planner's two doses (30 and 45 s).
macro_rules! roll {
    ($seconds:literal) => {
        concat!(
            "Roll each muscle group slowly for about ",
            $seconds,
            " seconds per leg, from the knee or ankle toward the hip (toward the heart)."
        )
    };
}

/// Foam rolling's instructions: a fixed list for each of the planner's doses, composed for any
/// other number of seconds.
fn foam_instructions(later: bool, seconds: u32, pressure: Pressure) -> Texts {
    const ONLY_IF_SORE: &str = "Only if soreness is still 3 or more out of 10.";
    const ROLL_30: &str = roll!("30");
    const ROLL_45: &str = roll!("45");
    const PAUSE: &str = "Pause on tender spots and breathe; never roll over a joint or bone.";
    const LIGHT: &str = "Use light pressure.";
    const MODERATE: &str = "Use moderate pressure.";
    use Pressure::{Light, Moderate};
    match (later, seconds, pressure) {
        (false, 30, Light) => fixed![ROLL_30, PAUSE, LIGHT],
        (false, 30, Moderate) => fixed![ROLL_30, PAUSE, MODERATE],
        (false, 45, Light) => fixed![ROLL_45, PAUSE, LIGHT],
        (false, 45, Moderate) => fixed![ROLL_45, PAUSE, MODERATE],
        (true, 30, Light) => fixed![ONLY_IF_SORE, ROLL_30, PAUSE, LIGHT],
        (true, 30, Moderate) => fixed![ONLY_IF_SORE, ROLL_30, PAUSE, MODERATE],
        (true, 45, Light) => fixed![ONLY_IF_SORE, ROLL_45, PAUSE, LIGHT],
        (true, 45, Moderate) => fixed![ONLY_IF_SORE, ROLL_45, PAUSE, MODERATE],
        _ => {
            let roll = Text::Owned(format!(roll!("{}"), seconds));
            let press = Text::Borrowed(if pressure == Light { LIGHT } else { MODERATE });
            let first = later.then_some(Text::Borrowed(ONLY_IF_SORE));
            Texts::Owned(first.into_iter().chain([roll, PAUSE.into(), press]).collect())
        }
    }
}

/// Room for a cramp's stretch instruction: the longest is under 100 bytes.
const STRETCH_BYTES: usize = 112;

/// How to stretch a cramp, named for the cramped group (protocol.md, more rules v2).
fn stretch_instruction(cramp: Region) -> String {
    let group = match cramp {
        Region::Group(g, _) => Some(g),
        Region::Part(Part::Calf, _) => Some(Group::Calves),
        Region::Part(Part::Foot, _) => Some(Group::Feet),
        _ => None,
    };
    let how = match group {
        Some(Group::Calves) => "pull the toes toward you with the knee straight",
        Some(Group::Hamstrings) => "keep the leg straight and hinge forward at the hip",
        Some(Group::Quads) => "bring the heel toward the buttock, knees together",
        Some(Group::Feet) => "pull the toes up toward the shin",
        _ => "gently lengthen the cramping muscle",
    };
    let mut out = String::with_capacity(STRETCH_BYTES);
    out.push_str("Your ");
    cramp.words_into(&mut out);
    for part in [": ", how, ", and hold for 30 seconds."] {
        out.push_str(part);
    }
    out
}

/// The verdict in words that fit what was found (protocol.md, more rules v2): "do not run
/// through the pain" only when pain was reported; dizziness, numbness, a fever get their own.
fn advice(tri: &TriageResult, max_soreness: f64) -> Text {
    let mut out: Text = match tri.level {
        Level::Emergency => "Call emergency services now. Do not drive yourself; rest while you \
                             wait for help."
            .into(),
        Level::UrgentCare => "Seek urgent care today for a same-day medical assessment. No \
                              massage, rolling, compression or vibration until a clinician has \
                              seen you."
            .into(),
        Level::SeePhysio => see_physio_advice(tri).into(),
        Level::SelfCare if tri.has(FEVER_ALONE.code) => FEVER_ALONE.text.into(),
        Level::SelfCare if max_soreness < 3.0 && tri.found_words(Level::SelfCare).is_empty() => {
            "Nothing worrying reported: follow the plan and check in again tomorrow.".into()
        }
        Level::SelfCare => {
            "Ordinary post-run soreness: follow the plan and check in again tomorrow.".into()
        }
    };
    if tri.has(BLEEDING_RISK_INJURY.code) {
        out.to_mut().push_str(" If you hit your head, call emergency services now.");
    }
    out
}

fn see_physio_advice(tri: &TriageResult) -> String {
    let found = join_words(&tri.found_words(Level::SeePhysio));
    let mut out = if found.is_empty() {
        "See a sports physiotherapist about the soreness that is lasting longer than ordinary \
         post-run soreness."
            .to_owned()
    } else {
        format!("See a sports physiotherapist about the {}.", found.trim_start_matches("a "))
    };
    out.push_str(" Gentle self-care away from the affected area can go on meanwhile.");
    if tri.flags.pain_reported {
        out.push_str(" Do not run through the pain.");
    }
    if tri.flags.dizzy {
        out.push_str(
            " You feel dizzy: lie down with your legs raised and sip fluids; if you are still \
             dizzy 30 minutes after the run, seek urgent care.",
        );
    }
    if tri.has(POSSIBLE_BONE_STRESS_INJURY.code) {
        out.push_str(" Stop running until you have been assessed.");
    }
    out
}

/// A part of a [`sentence`].
enum Piece {
    Text(&'static str),
    Number(u64),
}

/// A sentence of fixed words and whole numbers, written into one string sized for it (what
/// `format!` would give, without its formatting machinery: a plan writes several).
fn sentence(pieces: &[Piece]) -> String {
    let words: usize =
        pieces.iter().map(|p| if let Piece::Text(t) = p { t.len() } else { 20 }).sum();
    let mut out = String::with_capacity(words);
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Number(n) => compact::integer_into(&mut out, *n),
        }
    }
    out
}

/// Sorts the steps by their offsets, a stable sort (equal offsets keep the order of
/// protocol.md §6), and points each program at its step's new place, in the steps' order: a
/// step's place is the number of steps before it by (offset, place as built).
fn sort_steps(steps: &mut [StepDoc], programs: &mut [ProgramDoc]) {
    let key = |i: usize| steps.get(i).map(|s| (s.offset_min, i));
    for p in programs.iter_mut() {
        let own = key(p.step);
        p.step = (0..steps.len()).filter(|&j| key(j) < own).count();
    }
    steps.sort_by_key(|s| s.offset_min);
    programs.sort_by_key(|p| p.step);
}

/// The references whose positions are set in `mask`, in the table's order.
fn cited_references(mut mask: u128) -> Vec<ReferenceDoc> {
    let mut out = Vec::with_capacity(mask.count_ones() as usize);
    while mask != 0 {
        let i = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        if let Some(r) = REFERENCES.get(i) {
            out.push(ReferenceDoc {
                id: Text::Borrowed(r.id),
                citation: Text::Borrowed(r.citation),
            });
        }
    }
    out
}

/// The mask of [`cited_references`] has a bit for every reference.
const _: () = assert!(REFERENCES.len() <= 128);

/// Room for a plan's steps: the largest have ten, so the list is allocated once.
const STEPS_RESERVED: usize = 12;

/// How many modalities there are.
const MODALITIES: usize = Modality::ALL.len();

/// The union of each modality's blocked regions (see `Builder::blocked_masks`).
fn blocked_masks(blocked: &[BlockDoc]) -> [Mask; MODALITIES] {
    let mut masks = [Mask::NONE; MODALITIES];
    for b in blocked {
        if let Some(m) = masks.get_mut(b.modality as usize) {
            *m = m.with(b.region.mask());
        }
    }
    masks
}

/// Builds the plan for a validated check-in (protocol.md §1, in order).
pub fn make_plan(checkin: &CheckIn, history: &History) -> PlanDoc {
    let mut tri = triage(checkin, history);
    let contra = contraindications(checkin);
    // The builder reads the blocks in force from `blocked` only.
    let mut blocked = std::mem::take(&mut tri.blocked);
    // Urgent plans list only the blocks everywhere (protocol.md, more rules v2).
    let urgent = tri.level >= Level::UrgentCare;
    for b in contra.blocked.iter().filter(|b| !urgent || b.region == Region::All) {
        if !blocked.contains(b) {
            blocked.push(b.clone());
        }
    }
    let needs = needs(checkin, history);
    let blocked_masks = blocked_masks(&blocked);
    let builder = Builder {
        checkin,
        generated_at: utc::whole_seconds(checkin.now),
        history,
        tri,
        contra,
        blocked,
        blocked_masks,
        needs,
        steps: Vec::with_capacity(STEPS_RESERVED),
        programs: Vec::new(),
        notes: Vec::new(),
        assumptions: Vec::new(),
    };
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foam_instructions_name_the_dose_and_the_pressure_fixed_for_the_planners_doses() {
        for later in [false, true] {
            for seconds in [30, 45, 60] {
                for (pressure, words) in
                    [(Pressure::Light, "light"), (Pressure::Moderate, "moderate")]
                {
                    let texts = foam_instructions(later, seconds, pressure);
                    let roll = usize::from(later);
                    assert_eq!(texts.len(), 3 + roll);
                    assert_eq!(texts.first().is_some_and(|t| t.starts_with("Only if")), later);
                    let about = format!("for about {seconds} seconds per leg");
                    assert!(texts.get(roll).is_some_and(|t| t.contains(&about)), "{texts:?}");
                    let press = format!("Use {words} pressure.");
                    assert_eq!(texts.last().map(|t| t.as_ref()), Some(press.as_str()));
                    assert_eq!(matches!(texts, Texts::Borrowed(_)), seconds != 60);
                }
            }
        }
    }
}
