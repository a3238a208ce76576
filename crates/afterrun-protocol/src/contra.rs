//! Contraindications from the athlete's conditions (protocol.md §3).
//!
//! One table row per (modality, condition): absolute rows always block; relative rows block
//! (or restrict) unless a clinician cleared this athlete for that modality. A clearance never
//! lifts an absolute row or a triage block, and a pressure cap is the lowest of the clearances'
//! `max_mmhg` and the protocol's cap for the cleared condition.

use crate::checkin::{CheckIn, Clearance};
use crate::codes::{Condition, Modality};
use crate::outcome;
use crate::plan::{Block, Text};
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

const BOOTS_REFS: &[&str] = &["hyperice-label", "therabody-label", "domain-contra"];
const PLATE_REFS: &[&str] = &["domain-wbv"];
const GUN_REFS: &[&str] = &["therabody-label", "domain-contra"];
const ROLL_REFS: &[&str] = &["domain-contra"];
const MOVE_REFS: &[&str] = &["seed-guide"];

const fn row(
    modality: Modality,
    condition: Condition,
    kind: Kind,
    evidence: &'static [&'static str],
) -> Row {
    Row { modality, condition, kind, effect: Effect::Block, cap_when_cleared: None, evidence }
}

/// The contraindication table of protocol.md §3.
pub const TABLE: &[Row] = &[
    // compression_boots
    row(Modality::CompressionBoots, C::HeartFailure, Kind::Absolute, BOOTS_REFS),
    row(Modality::CompressionBoots, C::PeripheralArterialDisease, Kind::Absolute, BOOTS_REFS),
    row(Modality::CompressionBoots, C::SkinInfectionLeg, Kind::Absolute, BOOTS_REFS),
    row(Modality::CompressionBoots, C::OpenWoundLeg, Kind::Absolute, BOOTS_REFS),
    row(Modality::CompressionBoots, C::FractureRecent, Kind::Absolute, BOOTS_REFS),
    Row {
        modality: Modality::CompressionBoots,
        condition: C::DvtHistory,
        kind: Kind::Relative,
        effect: Effect::Block,
        cap_when_cleared: Some(40),
        evidence: BOOTS_REFS,
    },
    row(Modality::CompressionBoots, C::DiabeticNeuropathy, Kind::Relative, BOOTS_REFS),
    row(Modality::CompressionBoots, C::PeripheralNeuropathy, Kind::Relative, BOOTS_REFS),
    row(Modality::CompressionBoots, C::Anticoagulants, Kind::Relative, BOOTS_REFS),
    row(Modality::CompressionBoots, C::VaricoseVeins, Kind::Relative, BOOTS_REFS),
    row(Modality::CompressionBoots, C::HypertensionUncontrolled, Kind::Relative, BOOTS_REFS),
    row(Modality::CompressionBoots, C::Pregnancy, Kind::Relative, BOOTS_REFS),
    row(Modality::CompressionBoots, C::RecentSurgery, Kind::Relative, BOOTS_REFS),
    Row {
        modality: Modality::CompressionBoots,
        condition: C::Lymphedema,
        kind: Kind::Relative,
        effect: Effect::Block,
        cap_when_cleared: Some(50),
        evidence: BOOTS_REFS,
    },
    row(Modality::CompressionBoots, C::CancerActive, Kind::Relative, BOOTS_REFS),
    row(Modality::CompressionBoots, C::Pacemaker, Kind::Relative, BOOTS_REFS),
    // vibration_plate
    row(Modality::VibrationPlate, C::Pregnancy, Kind::Absolute, PLATE_REFS),
    row(Modality::VibrationPlate, C::Epilepsy, Kind::Absolute, PLATE_REFS),
    row(Modality::VibrationPlate, C::RecentSurgery, Kind::Absolute, PLATE_REFS),
    row(Modality::VibrationPlate, C::FractureRecent, Kind::Absolute, PLATE_REFS),
    row(Modality::VibrationPlate, C::JointReplacement, Kind::Absolute, PLATE_REFS),
    row(Modality::VibrationPlate, C::Pacemaker, Kind::Absolute, PLATE_REFS),
    row(Modality::VibrationPlate, C::Hernia, Kind::Absolute, PLATE_REFS),
    row(Modality::VibrationPlate, C::KidneyStones, Kind::Absolute, PLATE_REFS),
    row(Modality::VibrationPlate, C::Osteoporosis, Kind::Relative, PLATE_REFS),
    row(Modality::VibrationPlate, C::DiabeticNeuropathy, Kind::Relative, PLATE_REFS),
    row(Modality::VibrationPlate, C::CancerActive, Kind::Relative, PLATE_REFS),
    row(Modality::VibrationPlate, C::HypertensionUncontrolled, Kind::Relative, PLATE_REFS),
    // massage_gun
    row(Modality::MassageGun, C::Anticoagulants, Kind::Absolute, GUN_REFS),
    row(Modality::MassageGun, C::OpenWoundLeg, Kind::Absolute, GUN_REFS),
    row(Modality::MassageGun, C::SkinInfectionLeg, Kind::Absolute, GUN_REFS),
    row(Modality::MassageGun, C::VaricoseVeins, Kind::Relative, GUN_REFS),
    row(Modality::MassageGun, C::DiabeticNeuropathy, Kind::Relative, GUN_REFS),
    row(Modality::MassageGun, C::PeripheralNeuropathy, Kind::Relative, GUN_REFS),
    row(Modality::MassageGun, C::Osteoporosis, Kind::Relative, GUN_REFS),
    Row {
        modality: Modality::MassageGun,
        condition: C::Pregnancy,
        kind: Kind::Relative,
        effect: Effect::BlockOn(&[Group::Calves, Group::Adductors]),
        cap_when_cleared: None,
        evidence: GUN_REFS,
    },
    // foam_rolling
    row(Modality::FoamRolling, C::OpenWoundLeg, Kind::Absolute, ROLL_REFS),
    row(Modality::FoamRolling, C::SkinInfectionLeg, Kind::Absolute, ROLL_REFS),
    row(Modality::FoamRolling, C::VaricoseVeins, Kind::Relative, ROLL_REFS),
    row(Modality::FoamRolling, C::Osteoporosis, Kind::Relative, ROLL_REFS),
    Row {
        modality: Modality::FoamRolling,
        condition: C::Anticoagulants,
        kind: Kind::Relative,
        effect: Effect::LightOnly,
        cap_when_cleared: None,
        evidence: ROLL_REFS,
    },
    // gentle movement
    row(Modality::Walk, C::FractureRecent, Kind::Relative, MOVE_REFS),
    row(Modality::EasyCycle, C::FractureRecent, Kind::Relative, MOVE_REFS),
    row(Modality::DynamicStretching, C::FractureRecent, Kind::Relative, MOVE_REFS),
    row(Modality::StaticStretching, C::FractureRecent, Kind::Relative, MOVE_REFS),
];

/// What the conditions do to the plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContraResult {
    /// Blocks, in table order.
    pub blocked: Vec<Block>,
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
    format!("{kind}:{}", row.condition.code())
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
            let mut subject = outcome::modality_words(row.modality).to_owned();
            if let Some(first) = subject.get_mut(..1) {
                first.make_ascii_uppercase();
            }
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
                out.blocked.push(Block { modality: row.modality, region: Region::All, reason })
            }
            Effect::BlockOn(groups) => {
                for &g in groups {
                    out.blocked.push(Block {
                        modality: row.modality,
                        region: Region::group(g),
                        reason: reason.clone(),
                    });
                }
            }
            Effect::LightOnly => {
                out.foam_light_only = true;
                for &r in &very_sore {
                    out.blocked.push(Block {
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
