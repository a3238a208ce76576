//! Triage: red flags first (protocol.md §2).
//!
//! Each row of the table is one function over the check-in's symptoms. Missing `after` and
//! `since_hours` are resolved toward safety by *existential* evaluation: a literal on a missing
//! field holds when *some* value of that field would make it hold. Because the level is the
//! maximum over rules, and the maximum over all fillings of the maximum over rules equals the
//! maximum over rules of the maximum over fillings, this gives exactly "evaluate every filling
//! and keep the highest level" without enumerating fillings. A missing `trend` is `worsening`
//! (the worst value for every rule). A symptom without a region counts as the whole body and
//! as a leg, calf and thigh region (it could be any of them).
//!
//! Triage only ever removes options: it returns the level, the reasons and the blocks.

use jiff::Timestamp;

use crate::checkin::{CheckIn, Symptom};
use crate::codes::{After, Level, Modality, SymptomCode, Trend};
use crate::history::History;
use crate::plan::{Block, Reason};
use crate::region::{Part, Region, Side};

use SymptomCode as S;

/// One reason row of the triage table: code, level and references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The reason code.
    pub code: &'static str,
    /// The level it gives.
    pub level: Level,
    /// Reference ids.
    pub evidence: &'static [&'static str],
    /// What it means, in plain words (advises, never diagnoses).
    pub text: &'static str,
}

/// Breathlessness at rest, chest pain or coughing blood.
pub const POSSIBLE_PE: Rule = Rule {
    code: "possible_pe",
    level: Level::Emergency,
    evidence: &["nice-ng158", "domain-pe"],
    text: "Chest pain, breathlessness at rest or coughing blood after a run can be a sign of a \
           blood clot in the lungs: call emergency services now.",
};
/// A pale or cold foot with pain or nerve signs on that leg.
pub const ACUTE_LIMB_ISCHAEMIA: Rule = Rule {
    code: "acute_limb_ischaemia",
    level: Level::Emergency,
    evidence: &["domain-vascular"],
    text: "A pale or cold foot with pain, numbness, tingling or weakness in that leg can mean the \
           blood supply to the leg is cut off: call emergency services now.",
};
/// Compartment signs together.
pub const ACUTE_COMPARTMENT_SYNDROME: Rule = Rule {
    code: "acute_compartment_syndrome",
    level: Level::Emergency,
    evidence: &["domain-acs"],
    text: "Pain out of proportion, a tense muscle compartment or pain on stretching, together or \
           with nerve signs or after a fall or collision, can mean dangerous pressure building \
           inside the muscle: call emergency services now.",
};
/// A pale or cold foot alone.
pub const POSSIBLE_LIMB_ISCHAEMIA: Rule = Rule {
    code: "possible_limb_ischaemia",
    level: Level::UrgentCare,
    evidence: &["domain-vascular"],
    text: "A pale or cold foot needs a same-day check of the leg's circulation: seek urgent care \
           today.",
};
/// One compartment sign alone.
pub const POSSIBLE_COMPARTMENT_SYNDROME: Rule = Rule {
    code: "possible_compartment_syndrome",
    level: Level::UrgentCare,
    evidence: &["domain-acs"],
    text: "Pain out of proportion or a tense, hard muscle compartment needs a same-day \
           assessment, even without an injury: seek urgent care today.",
};
/// Swelling, warmth or redness of a calf or thigh.
pub const SUSPECTED_DVT: Rule = Rule {
    code: "suspected_dvt",
    level: Level::UrgentCare,
    evidence: &["nice-ng158", "wells-1997"],
    text: "Swelling of a calf or thigh without an injury, or a warm or red, painful calf or \
           thigh, can be a sign of a blood clot in a vein: seek urgent care today, and do not \
           massage, roll or compress the leg.",
};
/// Dark urine.
pub const POSSIBLE_RHABDOMYOLYSIS: Rule = Rule {
    code: "possible_rhabdomyolysis",
    level: Level::UrgentCare,
    evidence: &["domain-rhabdo"],
    text: "Dark, cola-coloured urine after hard exercise can mean muscle breakdown that strains \
           the kidneys: seek urgent care today.",
};
/// Cannot bear weight, a deformity, or a pop with weakness.
pub const POSSIBLE_FRACTURE_OR_RUPTURE: Rule = Rule {
    code: "possible_fracture_or_rupture",
    level: Level::UrgentCare,
    evidence: &["ottawa-1992", "seed-guide"],
    text: "Being unable to take weight, a visible deformity, or a pop followed by weakness needs \
           a same-day assessment for a broken bone or a torn tendon: seek urgent care today.",
};
/// Fever with a red, warm or swollen leg.
pub const POSSIBLE_INFECTION: Rule = Rule {
    code: "possible_infection",
    level: Level::UrgentCare,
    evidence: &["domain-contra"],
    text: "A fever with a red, warm or swollen leg can be a skin or tissue infection: seek urgent \
           care today.",
};
/// Dizziness that persists, worsens or comes with other signs.
pub const PERSISTENT_DIZZINESS: Rule = Rule {
    code: "persistent_dizziness",
    level: Level::UrgentCare,
    evidence: &["domain-pe"],
    text: "Dizziness that lasts beyond 30 minutes after a run, gets worse, or comes with fever, \
           weakness or dark urine needs a same-day assessment: seek urgent care today.",
};
/// Sharp pain, a long-worsening ache, pain at rest or at night.
pub const PERSISTENT_OR_WORSENING_PAIN: Rule = Rule {
    code: "persistent_or_worsening_pain",
    level: Level::SeePhysio,
    evidence: &["seed-guide", "domain-doms"],
    text: "Sharp pain, an ache still getting worse more than three days on, or pain at rest or at \
           night is not ordinary soreness: see a sports physiotherapist.",
};
/// Swelling not caught above.
pub const SWELLING: Rule = Rule {
    code: "swelling",
    level: Level::SeePhysio,
    evidence: &["seed-guide"],
    text: "Swelling at a joint or foot, or after a fall, twist or collision, should be looked at: \
           see a sports physiotherapist.",
};
/// Numbness or tingling.
pub const NERVE_SYMPTOMS: Rule = Rule {
    code: "nerve_symptoms",
    level: Level::SeePhysio,
    evidence: &["seed-guide"],
    text: "Numbness or tingling should be assessed: see a sports physiotherapist.",
};
/// Focal bone tenderness.
pub const POSSIBLE_BONE_STRESS_INJURY: Rule = Rule {
    code: "possible_bone_stress_injury",
    level: Level::SeePhysio,
    evidence: &["domain-bsi"],
    text: "Tenderness on one spot of a bone can be a bone stress injury: stop running until a \
           sports physiotherapist has assessed it.",
};
/// An injury event with pain or injury signs.
pub const ACUTE_INJURY: Rule = Rule {
    code: "acute_injury",
    level: Level::SeePhysio,
    evidence: &["seed-guide"],
    text: "Pain, bruising, a pop or a joint giving way after a fall, twist, collision or a sudden \
           onset during the run is an injury: see a sports physiotherapist.",
};
/// Recurrent cramps.
pub const RECURRENT_CRAMPS: Rule = Rule {
    code: "recurrent_cramps",
    level: Level::SeePhysio,
    evidence: &["miller-2022"],
    text: "Cramps that keep coming back are worth assessing: see a sports physiotherapist.",
};
/// Soreness that outlasts DOMS.
pub const PROLONGED_SORENESS: Rule = Rule {
    code: "prolonged_soreness",
    level: Level::SeePhysio,
    evidence: &["domain-doms"],
    text: "Soreness that lasts beyond a week after a hard run, or rises again after three days, \
           is longer than ordinary post-run soreness: see a sports physiotherapist.",
};
/// Any other symptom.
pub const UNEXPLAINED_SYMPTOM: Rule = Rule {
    code: "unexplained_symptom",
    level: Level::SeePhysio,
    evidence: &["seed-guide"],
    text: "This symptom is not part of ordinary post-run soreness: see a sports physiotherapist.",
};
/// Ordinary soreness.
pub const DOMS_EXPECTED: Rule = Rule {
    code: "doms_expected",
    level: Level::SelfCare,
    evidence: &["seed-guide", "domain-doms"],
    text: "Soreness and fatigue after a run are expected: they peak one to two days later and \
           ease over the following days.",
};

/// The reason code of the block that local symptoms put on hands-on work.
pub const LOCAL_SYMPTOM: &str = "local_symptom";
/// The reason code of the massage gun's bone and joint block.
pub const OVER_BONE: &str = "over_bone";
/// The reason code of the vibration plate's dizziness block.
pub const DIZZINESS: &str = "dizziness";
/// The reason code of the blocks a fever puts on recovery work.
pub const FEVER: &str = "fever";

/// A finding: a rule fired by some symptoms, on some regions.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// The regions of the symptoms (or sore groups) involved.
    pub regions: Vec<Region>,
}

/// The triage result.
#[derive(Debug, Clone, PartialEq)]
pub struct TriageResult {
    /// The highest level reached.
    pub level: Level,
    /// Every finding, in the table's order.
    pub findings: Vec<Finding>,
    /// Blocks triage puts on modalities.
    pub blocked: Vec<Block>,
    /// Movement hurts (protocol.md §2): walking is replaced by rest.
    pub movement_hurts: bool,
    /// A fever with no leg signs: rest and hydration only.
    pub fever_only: bool,
    /// A see_physio (or higher) finding sits on a calf, shin, ankle, achilles or foot.
    pub lower_leg_finding: bool,
}

impl TriageResult {
    /// The reasons to print, most severe first.
    pub fn reasons(&self) -> Vec<Reason> {
        let mut rules: Vec<Rule> = Vec::new();
        for f in &self.findings {
            if !rules.iter().any(|r| r.code == f.rule.code) {
                rules.push(f.rule);
            }
        }
        rules.sort_by_key(|r| std::cmp::Reverse(r.level));
        rules
            .into_iter()
            .map(|r| Reason {
                code: r.code,
                level: r.level,
                text: r.text.into(),
                evidence: r.evidence,
            })
            .collect()
    }
}

/// A symptom as triage sees it, with its region resolved.
struct Sym<'a> {
    s: &'a Symptom,
    region: Region,
}

impl Sym<'_> {
    fn is(&self, code: SymptomCode) -> bool {
        self.s.code == code
    }
    fn is_any(&self, codes: &[SymptomCode]) -> bool {
        codes.contains(&self.s.code)
    }
    /// Could `after` be one of these? (A missing `after` could be anything.)
    fn after_may_be(&self, values: &[After]) -> bool {
        self.s.after.is_none_or(|a| values.contains(&a))
    }
    /// Could `after` be something other than these?
    fn after_may_not_be(&self, values: &[After]) -> bool {
        self.s.after.is_none_or(|a| !values.contains(&a))
    }
    /// On a leg region; a symptom with no region could be anywhere, so it counts.
    fn leg(&self) -> bool {
        self.s.region.is_none() || self.region.is_leg()
    }
    /// On a calf or thigh; a symptom with no region could be there, so it counts.
    fn calf_or_thigh(&self) -> bool {
        self.s.region.is_none() || self.region.touches_calf_or_thigh()
    }
    fn trend(&self) -> Trend {
        self.s.trend.unwrap_or(Trend::Worsening)
    }
    /// Could `since_hours` exceed this many hours?
    fn since_may_exceed(&self, hours: f64) -> bool {
        self.s.since_hours.is_none_or(|h| h > hours)
    }
}

const PAIN_SYMPTOMS: &[SymptomCode] = &[
    S::SharpPain,
    S::DullAche,
    S::SevereMusclePain,
    S::PainAtRest,
    S::NightPain,
    S::PainOutOfProportion,
    S::PainWithStretch,
];
const NERVE: &[SymptomCode] = &[S::Numbness, S::Tingling, S::Weakness];
const TRAUMA: &[After] = &[After::Fall, After::Twist, After::Collision];
const INJURY_EVENT: &[After] =
    &[After::Fall, After::Twist, After::Collision, After::SuddenOnsetDuringRun];

const SYMPTOM_CODES: usize = SymptomCode::ALL.len();

/// The sides a region is reported on as a bit mask (1 = left, 2 = right).
fn side_mask(region: Region) -> u8 {
    let [l, r] = region.sides();
    u8::from(l) | (u8::from(r) << 1)
}

/// The symptoms taking part in one rule: the ones that fired it, and the companions found
/// "on the same side" (as code sets with the sides they were looked for on).
#[derive(Default)]
struct Batch {
    primaries: Vec<usize>,
    with: Vec<(&'static [SymptomCode], u8, bool)>,
    regions: Vec<Region>,
}

impl Batch {
    fn primary(&mut self, i: usize) {
        self.primaries.push(i);
    }
    fn with(&mut self, codes: &'static [SymptomCode], mask: u8) {
        self.add(codes, mask, false);
    }
    /// Companions that must also be on a leg region.
    fn with_leg(&mut self, codes: &'static [SymptomCode], mask: u8) {
        self.add(codes, mask, true);
    }
    fn add(&mut self, codes: &'static [SymptomCode], mask: u8, leg_only: bool) {
        match self.with.iter_mut().find(|(c, _, l)| std::ptr::eq(*c, codes) && *l == leg_only) {
            Some(entry) => entry.1 |= mask,
            None => self.with.push((codes, mask, leg_only)),
        }
    }
}

struct Ctx<'a> {
    syms: Vec<Sym<'a>>,
    /// Per symptom code, the sides it was reported on.
    code_sides: [u8; SYMPTOM_CODES],
    /// The sides with a region rated ≥ 7 (a pain code).
    very_sore_sides: u8,
    used: Vec<bool>,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    fn mask(&self, i: usize) -> u8 {
        self.syms.get(i).map_or(0, |y| side_mask(y.region))
    }

    fn code_on(&self, code: SymptomCode, mask: u8) -> bool {
        self.code_sides.get(code as usize).is_some_and(|m| m & mask != 0)
    }

    fn has_on(&self, codes: &[SymptomCode], mask: u8) -> bool {
        codes.iter().any(|c| self.code_on(*c, mask))
    }

    /// Is there a pain code on these sides (a pain symptom, or soreness ≥ 7)?
    fn pain_on(&self, mask: u8) -> bool {
        self.has_on(PAIN_SYMPTOMS, mask) || self.very_sore_sides & mask != 0
    }

    /// Records a rule that fired (when the batch holds anything), marking its symptoms used.
    fn fire(&mut self, rule: Rule, batch: Batch) {
        if batch.primaries.is_empty() && batch.regions.is_empty() {
            return;
        }
        let mut regions = batch.regions;
        let mut add_region = |r: Region| {
            if !regions.contains(&r) {
                regions.push(r);
            }
        };
        for &i in &batch.primaries {
            if let Some(u) = self.used.get_mut(i) {
                *u = true;
            }
            if let Some(y) = self.syms.get(i) {
                add_region(y.region);
            }
        }
        if !batch.with.is_empty() {
            for (y, used) in self.syms.iter().zip(self.used.iter_mut()) {
                let m = side_mask(y.region);
                let joins = batch.with.iter().any(|(codes, mask, leg_only)| {
                    y.is_any(codes) && m & mask != 0 && (!leg_only || y.leg())
                });
                if joins {
                    *used = true;
                    add_region(y.region);
                }
            }
        }
        match self.findings.iter_mut().find(|f| f.rule == rule) {
            Some(f) => {
                for r in regions {
                    if !f.regions.contains(&r) {
                        f.regions.push(r);
                    }
                }
            }
            None => self.findings.push(Finding { rule, regions }),
        }
    }

    fn indices(&self, pred: impl Fn(&Sym<'_>) -> bool) -> Vec<usize> {
        self.syms.iter().enumerate().filter(|(_, y)| pred(y)).map(|(i, _)| i).collect()
    }
}

/// The end of the most recent hard run known from the check-in and the history.
pub fn last_hard_run(checkin: &CheckIn, history: &History) -> Option<Timestamp> {
    let from_run = checkin.run.as_ref().filter(|r| r.is_hard()).and_then(|r| r.ended_at);
    match (from_run, history.last_hard_run) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn hours_between(earlier: Timestamp, later: Timestamp) -> f64 {
    (later.as_second() - earlier.as_second()) as f64 / 3600.0
}

/// Runs triage on a validated check-in.
///
/// Linear in the number of symptoms: "Y on the same side as X" is answered from a per-code
/// mask of the sides each code was reported on, and the symptoms taking part in a rule are
/// marked in one pass per rule.
pub fn triage(checkin: &CheckIn, history: &History) -> TriageResult {
    let symptoms = checkin.symptoms.as_deref().unwrap_or(&[]);
    let soreness = checkin.soreness.as_deref().unwrap_or(&[]);
    let syms: Vec<Sym<'_>> =
        symptoms.iter().map(|s| Sym { s, region: s.region_or_whole() }).collect();
    let mut code_sides = [0u8; SYMPTOM_CODES];
    for y in &syms {
        if let Some(m) = code_sides.get_mut(y.s.code as usize) {
            *m |= side_mask(y.region);
        }
    }
    let very_sore: Vec<Region> =
        soreness.iter().filter(|(_, v)| *v >= 7.0).map(|(r, _)| *r).collect();
    let very_sore_sides = very_sore.iter().fold(0, |m, r| m | side_mask(*r));
    let mut cx = Ctx {
        used: vec![false; syms.len()],
        syms,
        code_sides,
        very_sore_sides,
        findings: Vec::new(),
    };

    // Emergency: possible_pe.
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is_any(&[S::ChestPain, S::CoughingBlood, S::ShortnessOfBreath])) {
        b.primary(i);
    }
    cx.fire(POSSIBLE_PE, b);

    // Emergency: acute limb ischaemia.
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::PaleOrColdFoot)) {
        let m = cx.mask(i);
        let pain = cx.pain_on(m);
        let nerve = cx.has_on(NERVE, m);
        if pain || nerve {
            b.primary(i);
            b.with(PAIN_SYMPTOMS, m);
            b.with(NERVE, m);
        }
    }
    cx.fire(ACUTE_LIMB_ISCHAEMIA, b);

    // Emergency: acute compartment syndrome.
    const COMPARTMENT: &[SymptomCode] =
        &[S::PainOutOfProportion, S::TenseCompartment, S::PainWithStretch];
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is_any(COMPARTMENT)) {
        let m = cx.mask(i);
        let code = cx.syms[i].s.code;
        // Two different compartment signs on the same leg.
        if COMPARTMENT.iter().any(|c| *c != code && cx.code_on(*c, m)) {
            b.primary(i);
            b.with(COMPARTMENT, m);
        }
        if cx.syms[i].is_any(&[S::PainOutOfProportion, S::TenseCompartment]) {
            if cx.has_on(NERVE, m) {
                b.primary(i);
                b.with(NERVE, m);
            }
            if cx.syms[i].after_may_be(&[After::Collision, After::Fall]) {
                b.primary(i);
            }
        }
    }
    cx.fire(ACUTE_COMPARTMENT_SYNDROME, b);

    // Urgent rows. Each fires on symptoms not already explained by an emergency row (the
    // level is the maximum anyway; this keeps the reasons list to the point).
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::PaleOrColdFoot)) {
        if !cx.used[i] {
            b.primary(i);
        }
    }
    cx.fire(POSSIBLE_LIMB_ISCHAEMIA, b);
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is_any(&[S::PainOutOfProportion, S::TenseCompartment])) {
        if !cx.used[i] {
            b.primary(i);
        }
    }
    cx.fire(POSSIBLE_COMPARTMENT_SYNDROME, b);
    // suspected_dvt: swelling of a calf or thigh not after a fall, twist or collision; or
    // warmth or redness of a calf or thigh with a pain code on that side.
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::Swelling) && y.calf_or_thigh() && y.after_may_not_be(TRAUMA)) {
        b.primary(i);
    }
    for i in cx.indices(|y| y.is_any(&[S::Warmth, S::Redness]) && y.calf_or_thigh()) {
        let m = cx.mask(i);
        if cx.pain_on(m) {
            b.primary(i);
            b.with(PAIN_SYMPTOMS, m);
        }
    }
    cx.fire(SUSPECTED_DVT, b);
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::DarkUrine)) {
        b.primary(i);
    }
    cx.fire(POSSIBLE_RHABDOMYOLYSIS, b);
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is_any(&[S::UnableToBearWeight, S::Deformity])) {
        b.primary(i);
    }
    for i in cx.indices(|y| y.is(S::PopOrSnap)) {
        let m = cx.mask(i);
        if cx.has_on(&[S::Weakness], m) {
            b.primary(i);
            b.with(&[S::Weakness], m);
        }
    }
    cx.fire(POSSIBLE_FRACTURE_OR_RUPTURE, b);
    // possible_infection: fever with redness, warmth or swelling in the leg.
    let leg_signs = {
        let mut m = 0;
        for y in
            cx.syms.iter().filter(|y| y.is_any(&[S::Redness, S::Warmth, S::Swelling]) && y.leg())
        {
            m |= side_mask(y.region);
        }
        m
    };
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::Fever)) {
        let m = cx.mask(i);
        if leg_signs & m != 0 {
            b.primary(i);
            b.with_leg(&[S::Redness, S::Warmth, S::Swelling], m);
        }
    }
    cx.fire(POSSIBLE_INFECTION, b);
    let minutes_since_run = checkin
        .run
        .as_ref()
        .and_then(|r| r.ended_at)
        .map(|end| hours_between(end, checkin.now) * 60.0);
    let mut b = Batch::default();
    const DIZZY_WITH: &[SymptomCode] = &[S::Fever, S::Weakness, S::DarkUrine];
    for i in cx.indices(|y| y.is(S::Dizziness)) {
        let y = &cx.syms[i];
        let lasting = match minutes_since_run {
            Some(m) => m >= 30.0,
            // Run end unknown: judge by how long it has lasted (unknown: assume it has lasted).
            None => y.s.since_hours.is_none_or(|h| h >= 0.5),
        };
        let m = cx.mask(i);
        let with = cx.has_on(DIZZY_WITH, m);
        if lasting || y.trend() == Trend::Worsening || with {
            b.primary(i);
            b.with(DIZZY_WITH, m);
        }
    }
    cx.fire(PERSISTENT_DIZZINESS, b);

    // See a physiotherapist.
    let mut b = Batch::default();
    for i in cx.indices(|y| {
        y.is_any(&[S::SharpPain, S::PainAtRest, S::NightPain])
            || (y.is(S::DullAche) && y.trend() == Trend::Worsening && y.since_may_exceed(72.0))
    }) {
        b.primary(i);
    }
    cx.fire(PERSISTENT_OR_WORSENING_PAIN, b);
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::Swelling)) {
        if !cx.used[i] {
            b.primary(i);
        }
    }
    cx.fire(SWELLING, b);
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is_any(&[S::Numbness, S::Tingling])) {
        if !cx.used[i] {
            b.primary(i);
        }
    }
    cx.fire(NERVE_SYMPTOMS, b);
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::FocalBoneTenderness)) {
        b.primary(i);
    }
    cx.fire(POSSIBLE_BONE_STRESS_INJURY, b);
    const INJURY_SIGNS: &[SymptomCode] = &[S::Bruising, S::PopOrSnap, S::LockingOrGivingWay];
    let mut b = Batch::default();
    for i in cx.indices(|y| y.after_may_be(INJURY_EVENT)) {
        let m = cx.mask(i);
        if cx.pain_on(m) || cx.has_on(INJURY_SIGNS, m) {
            b.primary(i);
            b.with(PAIN_SYMPTOMS, m);
            b.with(INJURY_SIGNS, m);
        }
    }
    cx.fire(ACUTE_INJURY, b);
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::CrampRecurrent)) {
        b.primary(i);
    }
    cx.fire(RECURRENT_CRAMPS, b);
    let b = Batch { regions: prolonged_soreness(checkin, history, soreness), ..Batch::default() };
    cx.fire(PROLONGED_SORENESS, b);
    const OTHER: &[SymptomCode] = &[
        S::Weakness,
        S::SevereMusclePain,
        S::PopOrSnap,
        S::LockingOrGivingWay,
        S::Bruising,
        S::Warmth,
        S::Redness,
        S::PainWithStretch,
        S::Dizziness,
    ];
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is_any(OTHER)) {
        if !cx.used[i] {
            b.primary(i);
        }
    }
    cx.fire(UNEXPLAINED_SYMPTOM, b);

    let level = cx.findings.iter().map(|f| f.rule.level).max().unwrap_or(Level::SelfCare);
    if level == Level::SelfCare {
        cx.findings.push(Finding { rule: DOMS_EXPECTED, regions: Vec::new() });
    }
    let fever_only = cx.syms.iter().any(|y| y.is(S::Fever))
        && !cx.findings.iter().any(|f| f.rule == POSSIBLE_INFECTION);

    let movement_hurts = cx.syms.iter().any(|y| {
        y.is_any(&[
            S::SharpPain,
            S::UnableToBearWeight,
            S::PainWithStretch,
            S::LockingOrGivingWay,
            S::FocalBoneTenderness,
        ]) && y.leg()
    });
    let serious: Vec<&Finding> =
        cx.findings.iter().filter(|f| f.rule.level >= Level::SeePhysio).collect();
    let lower_leg_finding = serious.iter().any(|f| f.regions.iter().any(|r| r.touches_lower_leg()));

    let blocked = triage_blocks(level, &cx.findings, &cx.syms, fever_only);
    TriageResult {
        level,
        findings: cx.findings,
        blocked,
        movement_hurts,
        fever_only,
        lower_leg_finding,
    }
}

/// The sore regions that trigger `prolonged_soreness` (empty when the row does not fire).
fn prolonged_soreness(
    checkin: &CheckIn,
    history: &History,
    soreness: &[(Region, f64)],
) -> Vec<Region> {
    let Some(last) = last_hard_run(checkin, history) else {
        return Vec::new();
    };
    let hours = hours_between(last, checkin.now);
    let mut out = Vec::new();
    for &(region, rating) in soreness {
        if !region.is_leg() && region != Region::WholeBody {
            continue;
        }
        let lasting = hours > 7.0 * 24.0 && rating >= 3.0;
        // Rising after 72 h: above the most recent earlier rating of an overlapping region
        // taken after that hard run.
        let earlier = history
            .soreness_ratings
            .iter()
            .filter(|e| e.at >= last && e.at < checkin.now && e.region.overlaps(region))
            .max_by_key(|e| e.at);
        let rising = hours > 72.0 && earlier.is_some_and(|e| rating > e.rating);
        if lasting || rising {
            out.push(region);
        }
    }
    out
}

fn triage_blocks(
    level: Level,
    findings: &[Finding],
    syms: &[Sym<'_>],
    fever_only: bool,
) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    // Dedup through a set so many symptoms on the same region stay cheap; the Vec keeps the
    // order of first appearance.
    let mut seen: std::collections::BTreeSet<(Modality, Region, &str)> = Default::default();
    let mut push = |modality: Modality, region: Region, reason: &'static str| {
        if seen.insert((modality, region, reason)) {
            blocks.push(Block { modality, region, reason: reason.to_string() });
        }
    };
    let top = findings.iter().filter(|f| f.rule.level == level).map(|f| f.rule.code).next();
    if level >= Level::UrgentCare {
        let reason = top.unwrap_or("urgent");
        for m in Modality::HANDS_ON_AND_DEVICES {
            push(m, Region::All, reason);
        }
    }
    // Every see_physio (or higher) finding blocks hands-on work and compression on its region,
    // and a leg finding blocks the plate everywhere.
    for f in findings.iter().filter(|f| f.rule.level >= Level::SeePhysio) {
        for &region in &f.regions {
            for m in [Modality::FoamRolling, Modality::MassageGun, Modality::CompressionBoots] {
                push(m, region, f.rule.code);
            }
        }
        if f.regions.iter().any(|r| r.is_leg() || *r == Region::WholeBody) {
            push(Modality::VibrationPlate, Region::All, f.rule.code);
        }
    }
    for y in syms {
        if y.is_any(&[S::SharpPain, S::Bruising, S::Swelling, S::Warmth, S::Redness]) {
            push(Modality::FoamRolling, y.region, LOCAL_SYMPTOM);
            push(Modality::MassageGun, y.region, LOCAL_SYMPTOM);
        }
        if y.is(S::Dizziness) {
            push(Modality::VibrationPlate, Region::All, DIZZINESS);
        }
    }
    // A fever: no recovery work or training, only rest and hydration (protocol.md §2).
    if fever_only {
        for m in [
            Modality::Walk,
            Modality::EasyCycle,
            Modality::DynamicStretching,
            Modality::FoamRolling,
            Modality::MassageGun,
            Modality::CompressionBoots,
            Modality::VibrationPlate,
        ] {
            push(m, Region::All, FEVER);
        }
    }
    for part in [Part::Knee, Part::Ankle, Part::Shin] {
        for side in Side::BOTH {
            push(Modality::MassageGun, Region::Part(part, side), OVER_BONE);
        }
    }
    blocks
}
