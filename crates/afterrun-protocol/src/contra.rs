//! Contraindications from the athlete's conditions (protocol.md §3).
//!
//! One table row per (modality, condition): absolute rows always block; relative rows block
//! (or restrict) unless a clinician cleared this athlete for that modality. A clearance never
//! lifts an absolute row or a triage block, and a pressure cap is the lowest of the clearances'
//! `max_mmhg` and the protocol's cap for the cleared condition.

use crate::checkin::{CheckIn, Clearance};
use crate::codes::{Condition, Modality};
use crate::doc::{BlockDoc, Text};
use crate::outcome;
use crate::region::{Group, Region};

use Condition as C;

/// How strongly a condition restricts a modality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Always blocked.
    Absolute,
    /// Blocked unless cleared.
    Relative,
}

/// What a relative row does when not cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Blocked everywhere.
    Block,
    /// Blocked on these groups only.
    BlockOn(&'static [Group]),
    /// Allowed at light pressure only, and blocked on very sore groups.
    LightOnly,
}

/// One row of the contraindication table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The modality.
    pub modality: Modality,
    /// The condition.
    pub condition: Condition,
    /// Absolute or relative.
    pub kind: Kind,
    /// What happens when it applies.
    pub effect: Effect,
    /// The pressure cap (mmHg) once cleared, for compression.
    pub cap_when_cleared: Option<u32>,
    /// Reference ids.
    pub evidence: &'static [&'static str],
}

/// A relative condition of a [`Line`]: what it does when not cleared, and the pressure cap once
/// cleared.
#[derive(Clone, Copy)]
struct Relative {
    condition: Condition,
    effect: Effect,
    cap_when_cleared: Option<u32>,
}

/// A relative condition that blocks the modality everywhere and has no cap.
const fn relative(condition: Condition) -> Relative {
    Relative { condition, effect: Effect::Block, cap_when_cleared: None }
}

/// One line of protocol.md §3's table, read as it is written there: the modalities, their
/// absolute conditions, their relative ones, and the references.
struct Line {
    modalities: &'static [Modality],
    absolute: &'static [Condition],
    relative: &'static [Relative],
    evidence: &'static [&'static str],
}

/// protocol.md §3's table, line by line.
const LINES: &[Line] = &[
    Line {
        modalities: &[Modality::CompressionBoots],
        absolute: &[
            C::HeartFailure,
            C::PeripheralArterialDisease,
            C::SkinInfectionLeg,
            C::OpenWoundLeg,
            C::FractureRecent,
        ],
        relative: &[
            Relative { cap_when_cleared: Some(40), ..relative(C::DvtHistory) },
            relative(C::DiabeticNeuropathy),
            relative(C::PeripheralNeuropathy),
            relative(C::Anticoagulants),
            relative(C::VaricoseVeins),
            relative(C::HypertensionUncontrolled),
            relative(C::Pregnancy),
            relative(C::RecentSurgery),
            Relative { cap_when_cleared: Some(50), ..relative(C::Lymphedema) },
            relative(C::CancerActive),
            relative(C::Pacemaker),
        ],
        evidence: &["hyperice-label", "therabody-label", "domain-contra"],
    },
    Line {
        modalities: &[Modality::VibrationPlate],
        absolute: &[
            C::Pregnancy,
            C::Epilepsy,
            C::RecentSurgery,
            C::FractureRecent,
            C::JointReplacement,
            C::Pacemaker,
            C::Hernia,
            C::KidneyStones,
        ],
        relative: &[
            relative(C::Osteoporosis),
            relative(C::DiabeticNeuropathy),
            relative(C::CancerActive),
            relative(C::HypertensionUncontrolled),
        ],
        evidence: &["domain-wbv"],
    },
    Line {
        modalities: &[Modality::MassageGun],
        absolute: &[C::Anticoagulants, C::OpenWoundLeg, C::SkinInfectionLeg],
        relative: &[
            relative(C::VaricoseVeins),
            relative(C::DiabeticNeuropathy),
            relative(C::PeripheralNeuropathy),
            relative(C::Osteoporosis),
            Relative {
                effect: Effect::BlockOn(&[Group::Calves, Group::Adductors]),
                ..relative(C::Pregnancy)
            },
        ],
        evidence: &["therabody-label", "domain-contra"],
    },
    Line {
        modalities: &[Modality::FoamRolling],
        absolute: &[C::OpenWoundLeg, C::SkinInfectionLeg],
        relative: &[
            relative(C::VaricoseVeins),
            relative(C::Osteoporosis),
            Relative { effect: Effect::LightOnly, ..relative(C::Anticoagulants) },
        ],
        evidence: &["domain-contra"],
    },
    Line {
        modalities: &[
            Modality::Walk,
            Modality::EasyCycle,
            Modality::DynamicStretching,
            Modality::StaticStretching,
        ],
        absolute: &[],
        relative: &[relative(C::FractureRecent)],
        evidence: &["seed-guide"],
    },
];

impl Line {
    /// The rows of one modality of the line: its absolute conditions, then its relative ones.
    const fn rows(&self) -> usize {
        self.absolute.len() + self.relative.len()
    }

    /// The `i`th row of `modality`, counting the absolute conditions first.
    const fn row(&self, modality: Modality, i: usize) -> Row {
        let (kind, Relative { condition, effect, cap_when_cleared }) = if i < self.absolute.len() {
            // An absolute condition blocks everywhere, and nothing lifts it.
            (Kind::Absolute, relative(self.absolute[i]))
        } else {
            (Kind::Relative, self.relative[i - self.absolute.len()])
        };
        Row { modality, condition, kind, effect, cap_when_cleared, evidence: self.evidence }
    }
}

/// How many rows the lines make: one per (modality, condition).
const fn row_count(lines: &[Line]) -> usize {
    let (mut n, mut l) = (0, 0);
    while l < lines.len() {
        n += lines[l].modalities.len() * lines[l].rows();
        l += 1;
    }
    n
}

/// The lines' rows in order: line by line, modality by modality, condition by condition.
const fn flatten<const N: usize>(lines: &[Line]) -> [Row; N] {
    // Every element is overwritten below: the first row is only where the array starts from.
    let mut out = [lines[0].row(lines[0].modalities[0], 0); N];
    let (mut n, mut l) = (0, 0);
    while l < lines.len() {
        let line = &lines[l];
        let mut m = 0;
        while m < line.modalities.len() {
            let mut i = 0;
            while i < line.rows() {
                out[n] = line.row(line.modalities[m], i);
                n += 1;
                i += 1;
            }
            m += 1;
        }
        l += 1;
    }
    out
}

/// The contraindication table of protocol.md §3: one row per (modality, condition), in the
/// order of its lines.
pub const TABLE: &[Row] = &flatten::<{ row_count(LINES) }>(LINES);

/// What the conditions do to the plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContraResult {
    /// Blocks, in table order.
    pub blocked: Vec<BlockDoc>,
    /// Foam rolling at light pressure only (uncleared anticoagulants).
    pub foam_light_only: bool,
    /// The compression pressure cap in mmHg, when one applies.
    pub compression_cap_mmhg: Option<u32>,
    /// Reference ids of the rows that applied.
    pub evidence: Vec<&'static str>,
    /// Clearances used, as plain sentences for the plan's notes.
    pub cleared: Vec<String>,
    /// Clearances that lift nothing (no date, or not by a physiotherapist or doctor), as
    /// sentences for the plan's assumptions.
    pub ignored_clearances: Vec<String>,
}

/// The reason code of a row.
pub fn reason(row: &Row) -> String {
    let kind = match row.kind {
        Kind::Absolute => "contra_absolute",
        Kind::Relative => "contra_relative",
    };
    [kind, ":", row.condition.code()].concat()
}

/// Applies the table to the check-in's conditions and clearances.
pub fn contraindications(checkin: &CheckIn) -> ContraResult {
    let athlete = &checkin.athlete;
    let mut out = ContraResult::default();
    let valid: Vec<&Clearance> = athlete.clearances.iter().filter(|c| c.lifts()).collect();
    out.ignored_clearances = athlete
        .clearances
        .iter()
        .filter(|c| !c.lifts())
        .map(|c| {
            format!(
                "the clearance for {} lifts nothing: only a physiotherapist's or a doctor's \
                 clearance with a date does",
                outcome::modality_words(c.modality)
            )
        })
        .collect();
    let cleared = |m: Modality| valid.iter().any(|c| c.modality == m);
    let very_sore: Vec<Region> = checkin
        .soreness
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|(r, v)| *v >= 7.0 && (r.is_leg() || *r == Region::WholeBody))
        .map(|(r, _)| *r)
        .collect();
    let mut cap: Option<u32> = None;
    let mut lower_cap = |c: u32| cap = Some(cap.map_or(c, |old: u32| old.min(c)));

    for row in TABLE.iter().filter(|r| athlete.has(r.condition)) {
        if row.kind == Kind::Relative && cleared(row.modality) {
            if let Some(c) = row.cap_when_cleared {
                lower_cap(c);
            }
            let mut subject = String::new();
            outcome::modality_subject_into(&mut subject, row.modality);
            out.cleared.push(format!(
                "{subject}: cleared by your clinician despite {}{}.",
                row.condition.words(),
                row.cap_when_cleared
                    .map(|c| format!(" (pressure capped at {c} mmHg)"))
                    .unwrap_or_default()
            ));
            push_refs(&mut out.evidence, row.evidence);
            continue;
        }
        push_refs(&mut out.evidence, row.evidence);
        let reason: Text = reason(row).into();
        match row.effect {
            Effect::Block => {
                out.blocked.push(BlockDoc { modality: row.modality, region: Region::All, reason })
            }
            Effect::BlockOn(groups) => {
                for &g in groups {
                    out.blocked.push(BlockDoc {
                        modality: row.modality,
                        region: Region::group(g),
                        reason: reason.clone(),
                    });
                }
            }
            Effect::LightOnly => {
                out.foam_light_only = true;
                for &r in &very_sore {
                    out.blocked.push(BlockDoc {
                        modality: row.modality,
                        region: r,
                        reason: reason.clone(),
                    });
                }
            }
        }
    }
    for c in valid.iter().filter(|c| c.modality == Modality::CompressionBoots) {
        if let Some(m) = c.max_mmhg {
            // Round down so the cap is never exceeded.
            lower_cap(m.floor() as u32);
        }
    }
    out.compression_cap_mmhg = cap;
    out
}

fn push_refs(into: &mut Vec<&'static str>, refs: &'static [&'static str]) {
    for r in refs {
        if !into.contains(r) {
            into.push(r);
        }
    }
}
