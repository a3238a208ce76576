//! The blocks triage puts on modalities (protocol.md §2): what each finding takes off the plan.

use super::{Ctx, DIZZINESS, FEVER, Flags, LOCAL_SYMPTOM, OVER_BONE, OVER_TENDON, POSSIBLE_STRAIN};
use crate::codes::{Level, Modality, SymptomCode};
use crate::doc::BlockDoc;
use crate::region::{Part, Region, Side};

/// What dizziness takes off the plan everywhere: the plate, and the walk, easy cycling and
/// dynamic stretching (rest with the legs raised instead).
const OFF_WHEN_DIZZY: &[Modality] =
    &[Modality::VibrationPlate, Modality::Walk, Modality::EasyCycle, Modality::DynamicStretching];

/// What a fever without leg signs takes off the plan everywhere: every recovery exercise and
/// device (rest and hydration only).
const OFF_WITH_FEVER: &[Modality] = &[
    Modality::Walk,
    Modality::EasyCycle,
    Modality::DynamicStretching,
    Modality::FoamRolling,
    Modality::MassageGun,
    Modality::CompressionBoots,
    Modality::VibrationPlate,
];

/// Collects blocks in order of first appearance, without repeats (a plan has a few dozen at
/// most, so a scan of those already there is cheaper than a set).
struct Blocks {
    out: Vec<BlockDoc>,
}

impl Blocks {
    fn push(&mut self, modality: Modality, region: Region, reason: &'static str) {
        let seen = self
            .out
            .iter()
            .any(|b| b.modality == modality && b.region == region && b.reason == reason);
        if !seen {
            self.out.push(BlockDoc { modality, region, reason: reason.into() });
        }
    }

    /// Blocks each of `modalities` everywhere.
    fn everywhere(&mut self, modalities: &[Modality], reason: &'static str) {
        for &m in modalities {
            self.push(m, Region::All, reason);
        }
    }
}

/// Every block triage puts on the plan. At `urgent_care` and `emergency` the plan holds only
/// what to do now, so the blocks are the hands-on and device modalities everywhere (no
/// per-region or per-joint blocks).
pub(super) fn triage_blocks(level: Level, cx: &Ctx<'_>, flags: &Flags) -> Vec<BlockDoc> {
    let mut b = Blocks { out: Vec::with_capacity(16) };
    if level >= Level::UrgentCare {
        let mut reasons: Vec<&'static str> = Vec::new();
        for f in cx.findings.iter().filter(|f| f.rule.level >= Level::UrgentCare) {
            if !reasons.contains(&f.rule.code) {
                reasons.push(f.rule.code);
            }
        }
        // The most severe reason first.
        reasons.sort_by_key(|code| {
            std::cmp::Reverse(
                cx.findings.iter().find(|f| f.rule.code == *code).map(|f| f.rule.level),
            )
        });
        for reason in reasons {
            b.everywhere(&Modality::HANDS_ON_AND_DEVICES, reason);
        }
        return b.out;
    }
    finding_blocks(cx, &mut b);
    local_blocks(cx, &mut b);
    if flags.dizzy {
        b.everywhere(OFF_WHEN_DIZZY, DIZZINESS);
    }
    if flags.fever_only {
        b.everywhere(OFF_WITH_FEVER, FEVER);
    }
    if flags.cramp_is_strain
        && let Some(cramp) = cx.checkin.cramp_now
    {
        b.push(Modality::StaticStretching, cramp, POSSIBLE_STRAIN);
    }
    for side in Side::BOTH {
        for part in [Part::Knee, Part::Ankle, Part::Shin] {
            b.push(Modality::MassageGun, Region::Part(part, side), OVER_BONE);
        }
        b.push(Modality::MassageGun, Region::Part(Part::Achilles, side), OVER_TENDON);
    }
    b.out
}

/// A `see_physio` finding blocks hands-on work, compression and swings or twists on its
/// regions; any finding
/// at that level, wherever it is (a leg, the lower back, the whole body), blocks the plate
/// everywhere: the plate loads the whole body through the legs.
fn finding_blocks(cx: &Ctx<'_>, b: &mut Blocks) {
    for f in cx.findings.iter().filter(|f| f.rule.level >= Level::SeePhysio) {
        for &region in &f.regions {
            for m in [
                Modality::FoamRolling,
                Modality::MassageGun,
                Modality::CompressionBoots,
                Modality::DynamicStretching,
            ] {
                b.push(m, region, f.rule.code);
            }
        }
        if !f.regions.is_empty() {
            b.push(Modality::VibrationPlate, Region::All, f.rule.code);
        }
    }
}

/// Hands-on work never goes over sharp pain, bruising, swelling, warmth or redness.
fn local_blocks(cx: &Ctx<'_>, b: &mut Blocks) {
    use SymptomCode as S;
    for y in &cx.syms {
        if y.is_any(&[S::SharpPain, S::Bruising, S::Swelling, S::Warmth, S::Redness]) {
            b.push(Modality::FoamRolling, y.region, LOCAL_SYMPTOM);
            b.push(Modality::MassageGun, y.region, LOCAL_SYMPTOM);
        }
    }
}
