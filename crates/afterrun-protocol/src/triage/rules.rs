//! The reasons of the triage table (protocol.md §2): code, level, references and what each
//! means in plain words. Several rows may share a reason code (`possible_fracture_or_rupture`
//! has three); each row then has its own [`Rule`] with its own references and words, and the
//! plan lists the code once with the words and references of every row that fired.

use crate::codes::Level;

/// One reason of the triage table: code, level, references and words.
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
/// Anything on the chest, or dizziness with breathlessness or a chest finding (v2).
pub const POSSIBLE_CARDIAC: Rule = Rule {
    code: "possible_cardiac",
    level: Level::Emergency,
    evidence: &["domain-cardiac"],
    text: "Anything you feel in the chest after exertion (pain, an ache, tightness, a cramp), or \
           dizziness with breathlessness, can come from the heart and is never treated as muscle \
           soreness: call emergency services now.",
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
/// Swelling of a calf or thigh without an injury.
pub const SUSPECTED_DVT: Rule = Rule {
    code: "suspected_dvt",
    level: Level::UrgentCare,
    evidence: &["nice-ng158", "wells-1997"],
    text: "Swelling of a calf or thigh without an injury can be a sign of a blood clot in a vein: \
           seek urgent care today, and do not massage, roll or compress the leg.",
};
/// A warm or red, painful calf or thigh.
pub const SUSPECTED_THROMBOPHLEBITIS: Rule = Rule {
    code: "suspected_dvt",
    level: Level::UrgentCare,
    evidence: &["nice-ng158"],
    text: "A warm or red, painful calf or thigh can be an inflamed or clotted vein: seek urgent \
           care today, and do not massage, roll or compress the leg.",
};
/// Dark urine.
pub const POSSIBLE_RHABDOMYOLYSIS: Rule = Rule {
    code: "possible_rhabdomyolysis",
    level: Level::UrgentCare,
    evidence: &["domain-rhabdo"],
    text: "Dark, cola-coloured urine after hard exercise can mean muscle breakdown that strains \
           the kidneys: seek urgent care today.",
};
/// Severe muscle pain with weakness, or in several groups after a hard run (v2).
pub const SEVERE_MUSCLE_PAIN_RHABDO: Rule = Rule {
    code: "possible_rhabdomyolysis",
    level: Level::UrgentCare,
    evidence: &["domain-rhabdo"],
    text: "Severe muscle pain with weakness, or in several muscles after a hard or long run, can \
           be muscle breakdown even before the urine darkens: seek urgent care today and drink \
           to thirst meanwhile.",
};
/// Cannot bear weight, a deformity, or a pop with weakness.
pub const POSSIBLE_FRACTURE_OR_RUPTURE: Rule = Rule {
    code: "possible_fracture_or_rupture",
    level: Level::UrgentCare,
    evidence: &["ottawa-1992", "seed-guide"],
    text: "Being unable to take weight, a visible deformity, or a pop followed by weakness needs \
           a same-day assessment for a broken bone or a torn tendon: seek urgent care today.",
};
/// Bone tenderness after a twist, fall or collision (Ottawa rules, v2).
pub const OTTAWA_BONE_TENDERNESS: Rule = Rule {
    code: "possible_fracture_or_rupture",
    level: Level::UrgentCare,
    evidence: &["ottawa-1992"],
    text: "Tenderness on one spot of a bone after a twist, fall or collision needs an X-ray to \
           rule out a fracture (the Ottawa rules): seek urgent care today.",
};
/// A pop in the calf or at the Achilles (v2).
pub const ACHILLES_POP: Rule = Rule {
    code: "possible_fracture_or_rupture",
    level: Level::UrgentCare,
    evidence: &["domain-achilles"],
    text: "A pop or snap at the calf, ankle or Achilles can be a torn Achilles tendon, even when \
           you can still walk: seek urgent care today.",
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
/// Dizziness that began during the run (v2).
pub const EXERTIONAL_DIZZINESS: Rule = Rule {
    code: "exertional_dizziness",
    level: Level::UrgentCare,
    evidence: &["domain-cardiac"],
    text: "Dizziness that began during the run, while you were exerting yourself, can come from \
           the heart: seek urgent care today, and do not run until you have been assessed.",
};
/// Weakness with numbness, nerve signs on both legs, or with back pain (v2).
pub const NEUROLOGICAL_DEFICIT: Rule = Rule {
    code: "neurological_deficit",
    level: Level::UrgentCare,
    evidence: &["domain-neuro"],
    text: "Weakness with numbness or tingling in one leg (such as a foot that slaps or drags), \
           numbness, tingling or weakness in both legs, or in a leg together with back pain, can \
           mean a nerve is being pressed: seek urgent care today.",
};
/// An anticoagulated runner after an injury (v2).
pub const BLEEDING_RISK_INJURY: Rule = Rule {
    code: "bleeding_risk_injury",
    level: Level::UrgentCare,
    evidence: &["domain-contra"],
    text: "On blood thinners, swelling, bruising or pain after a fall, twist, collision or a \
           sudden onset can be bleeding into the tissue: seek urgent care today.",
};
/// A fever that began during the run or soon after it (v2).
pub const POSSIBLE_HEAT_ILLNESS: Rule = Rule {
    code: "possible_heat_illness",
    level: Level::UrgentCare,
    evidence: &["domain-heat"],
    text: "A fever that began during the run or within six hours after it can be exertional heat \
           illness: seek urgent care today, rest somewhere cool and sip fluids.",
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
/// Any other symptom: the fallback that no symptom can slip past.
pub const UNEXPLAINED_SYMPTOM: Rule = Rule {
    code: "unexplained_symptom",
    level: Level::SeePhysio,
    evidence: &["seed-guide"],
    text: "This is not part of ordinary post-run soreness: see a sports physiotherapist.",
};
/// A fever with nothing else that raises the level.
pub const FEVER_ALONE: Rule = Rule {
    code: "fever",
    level: Level::SelfCare,
    evidence: &["seed-guide", "domain-heat"],
    text: "You have a fever: training or recovery work with a fever is unsafe. Rest, drink to \
           thirst, and see a doctor if it lasts 48 hours or other symptoms join it.",
};
/// Ordinary soreness.
pub const DOMS_EXPECTED: Rule = Rule {
    code: "doms_expected",
    level: Level::SelfCare,
    evidence: &["seed-guide", "domain-doms"],
    text: "Soreness and fatigue after a run are expected: they peak one to two days later and \
           ease over the following days.",
};
