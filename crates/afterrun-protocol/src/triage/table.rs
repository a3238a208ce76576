//! The triage table (protocol.md §2): one row per condition, each one function, in the order
//! the table lists them (emergency first). `docs/triage.md` is generated from [`ROWS`].

use super::rules::*;
use super::{Batch, Ctx, Sym, hours_between, side_mask};
use crate::codes::{After, Condition, SymptomCode, Trend};
use crate::region::{Group, Part, Region, RegionClass, Side};

use RegionClass as C;
use SymptomCode as S;

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The reason the row gives, with its level and references.
    pub rule: Rule,
    /// The region classes of the symptoms the row reads (its explicit input).
    pub classes: &'static [RegionClass],
    /// The condition, in words (for `docs/triage.md`).
    pub when: &'static str,
    /// Evaluates the row and records a finding when it fires.
    pub(crate) eval: fn(&mut Ctx<'_>, Rule),
}

const ANY: &[RegionClass] = &RegionClass::ALL;
const NOT_CHEST: &[RegionClass] = &[C::Leg, C::LowerBack, C::WholeBody, C::Unknown];
const LEG: &[RegionClass] = &[C::Leg, C::WholeBody, C::Unknown];

const NERVE: &[SymptomCode] = &[S::Numbness, S::Tingling, S::Weakness];
const NUMB: &[SymptomCode] = &[S::Numbness, S::Tingling];
const TRAUMA: &[After] = &[After::Fall, After::Twist, After::Collision];
const INJURY_EVENT: &[After] =
    &[After::Fall, After::Twist, After::Collision, After::SuddenOnsetDuringRun];
const COMPARTMENT: &[SymptomCode] =
    &[S::PainOutOfProportion, S::TenseCompartment, S::PainWithStretch];
const DIZZY_WITH: &[SymptomCode] = &[S::Fever, S::Weakness, S::DarkUrine];
const INJURY_SIGNS: &[SymptomCode] = &[S::Bruising, S::PopOrSnap, S::LockingOrGivingWay];
const LEG_SIGNS: &[SymptomCode] = &[S::Redness, S::Warmth, S::Swelling];
const BLEED_SIGNS: &[SymptomCode] = &[S::Swelling, S::Bruising];
/// Symptoms that are ordinary after a run when no row catches them (protocol.md §2, self_care).
const SELF_CARE_CODES: &[SymptomCode] = &[S::DullAche, S::Fever];

/// Every row, in order. The last three are the fallback and the self-care rows.
pub const ROWS: &[Row] = &[
    Row {
        rule: POSSIBLE_PE,
        classes: ANY,
        when: "`chest_pain`, `coughing_blood` or `shortness_of_breath` (breathless at rest), \
               anywhere",
        eval: possible_pe,
    },
    Row {
        rule: POSSIBLE_CARDIAC,
        classes: ANY,
        when: "any symptom on the chest (any code: a sharp pain, an ache, a cramp, anything) \
               or with no region given (it could be the chest; systemic codes such as `fever` \
               excepted), `chest_pain` anywhere, a soreness rating above 0 on the chest, a cramp now in the \
               chest; or `dizziness` with `shortness_of_breath` or a chest finding",
        eval: possible_cardiac,
    },
    Row {
        rule: ACUTE_LIMB_ISCHAEMIA,
        classes: ANY,
        when: "`pale_or_cold_foot` with a pain code, `numbness`, `tingling` or `weakness` on that \
               side",
        eval: acute_limb_ischaemia,
    },
    Row {
        rule: ACUTE_COMPARTMENT_SYNDROME,
        classes: ANY,
        when: "two of `pain_out_of_proportion`, `tense_compartment`, `pain_with_stretch` on the \
               same side; or `pain_out_of_proportion` or `tense_compartment` with `numbness`, \
               `tingling`, `weakness`, or after a fall or collision",
        eval: acute_compartment_syndrome,
    },
    Row {
        rule: POSSIBLE_LIMB_ISCHAEMIA,
        classes: ANY,
        when: "`pale_or_cold_foot` not explained above",
        eval: possible_limb_ischaemia,
    },
    Row {
        rule: POSSIBLE_COMPARTMENT_SYNDROME,
        classes: ANY,
        when: "`pain_out_of_proportion` or `tense_compartment` not explained above (exertional \
               compartment syndrome needs no trauma)",
        eval: possible_compartment_syndrome,
    },
    Row {
        rule: SUSPECTED_DVT,
        classes: LEG,
        when: "`swelling` of a calf or thigh region (one side or both, the whole body included) \
               not after a fall, twist or collision, whatever its trend or companions",
        eval: suspected_dvt,
    },
    Row {
        rule: SUSPECTED_THROMBOPHLEBITIS,
        classes: LEG,
        when: "`warmth` or `redness` of a calf or thigh region with a pain code on that side",
        eval: suspected_thrombophlebitis,
    },
    Row {
        rule: POSSIBLE_RHABDOMYOLYSIS,
        classes: ANY,
        when: "`dark_urine`, whatever else is reported and whatever the run",
        eval: possible_rhabdomyolysis,
    },
    Row {
        rule: SEVERE_MUSCLE_PAIN_RHABDO,
        classes: ANY,
        when: "`severe_muscle_pain` with `weakness` (any side); or `severe_muscle_pain` in two or \
               more muscle groups (each side of a group counts one, a bare group or the whole \
               body two) after a run that is or may be hard (duration or effort unknown), or a \
               stored hard run in the last 72 h",
        eval: severe_muscle_pain_rhabdo,
    },
    Row {
        rule: POSSIBLE_FRACTURE_OR_RUPTURE,
        classes: ANY,
        when: "`unable_to_bear_weight` or `deformity`, whatever the cause; `pop_or_snap` with \
               `weakness` on that side",
        eval: possible_fracture_or_rupture,
    },
    Row {
        rule: OTTAWA_BONE_TENDERNESS,
        classes: ANY,
        when: "`focal_bone_tenderness` (ankle, foot, shin, knee, hip, or anywhere else) after a \
               twist, fall or collision, its own or that of a symptom on the same side (Ottawa \
               rules: X-ray)",
        eval: ottawa_bone_tenderness,
    },
    Row {
        rule: ACHILLES_POP,
        classes: LEG,
        when: "`pop_or_snap` on a calf, ankle or Achilles region, with or without weakness",
        eval: achilles_pop,
    },
    Row {
        rule: POSSIBLE_INFECTION,
        classes: ANY,
        when: "`fever` with `redness`, `warmth` or `swelling` on a leg, or anywhere else on the \
               body",
        eval: possible_infection,
    },
    Row {
        rule: PERSISTENT_DIZZINESS,
        classes: ANY,
        when: "`dizziness` 30 min or more after the run (or the run's end unknown), `worsening`, \
               or with `fever`, `weakness` or `dark_urine`",
        eval: persistent_dizziness,
    },
    Row {
        rule: EXERTIONAL_DIZZINESS,
        classes: ANY,
        when: "`dizziness` that began during the run (`after` = `sudden_onset_during_run`)",
        eval: exertional_dizziness,
    },
    Row {
        rule: NEUROLOGICAL_DEFICIT,
        classes: ANY,
        when: "`weakness` with `numbness` or `tingling` on the same side; `numbness`, `tingling` \
               or `weakness` on both legs (a left and a right region, mixed codes, a bare group, \
               the whole body); `numbness`, `tingling` or `weakness` on a leg with a pain code on \
               the lower back, or with `numbness`, `tingling` or `weakness` there too (the cauda \
               equina)",
        eval: neurological_deficit,
    },
    Row {
        rule: BLEEDING_RISK_INJURY,
        classes: ANY,
        when: "the athlete takes `anticoagulants` and reports `swelling`, `bruising` or a pain \
               code after a fall, twist, collision or sudden onset during the run",
        eval: bleeding_risk_injury,
    },
    Row {
        rule: POSSIBLE_HEAT_ILLNESS,
        classes: ANY,
        when: "`fever` that began during the run or within 6 h after it (onset = now − \
               since_hours; unknown times count as within)",
        eval: possible_heat_illness,
    },
    Row {
        rule: PERSISTENT_OR_WORSENING_PAIN,
        classes: NOT_CHEST,
        when: "`sharp_pain`, `pain_at_rest` or `night_pain`; a `dull_ache` still worsening more \
               than 72 h after it began",
        eval: persistent_or_worsening_pain,
    },
    Row {
        rule: SWELLING,
        classes: NOT_CHEST,
        when: "`swelling` not explained above (a joint, a foot, or after an injury)",
        eval: swelling,
    },
    Row {
        rule: NERVE_SYMPTOMS,
        classes: NOT_CHEST,
        when: "`numbness` or `tingling` not explained above",
        eval: nerve_symptoms,
    },
    Row {
        rule: POSSIBLE_BONE_STRESS_INJURY,
        classes: NOT_CHEST,
        when: "`focal_bone_tenderness` (also: stop running until assessed)",
        eval: possible_bone_stress_injury,
    },
    Row {
        rule: ACUTE_INJURY,
        classes: NOT_CHEST,
        when: "after a fall, twist, collision or sudden onset during the run, with a pain code, \
               `bruising`, `pop_or_snap` or `locking_or_giving_way` on that side",
        eval: acute_injury,
    },
    Row {
        rule: RECURRENT_CRAMPS,
        classes: NOT_CHEST,
        when: "`cramp_recurrent`",
        eval: recurrent_cramps,
    },
    Row {
        rule: PROLONGED_SORENESS,
        classes: NOT_CHEST,
        when: "soreness ≥ 3 more than 7 days after the last hard run, or rising more than 72 h \
               after it (the check-in's run without an end counts as just ended)",
        eval: prolonged_soreness,
    },
    Row {
        rule: UNEXPLAINED_SYMPTOM,
        classes: NOT_CHEST,
        when: "the fallback: any symptom, on any region, that no row above explains, except a \
               `dull_ache` or a `fever` (a symptom on the chest never gets here: it is an \
               emergency above)",
        eval: unexplained_symptom,
    },
    Row {
        rule: FEVER_ALONE,
        classes: ANY,
        when: "`fever` and nothing above `self_care`: rest and hydration only",
        eval: fever_alone,
    },
    Row {
        rule: DOMS_EXPECTED,
        classes: ANY,
        when: "nothing above: no symptom, or only `dull_ache`s no row catches",
        eval: doms_expected,
    },
];

fn possible_pe(cx: &mut Ctx<'_>, rule: Rule) {
    let b = cx.primaries(|y| y.is_any(&[S::ChestPain, S::CoughingBlood, S::ShortnessOfBreath]));
    cx.fire(rule, b);
}

fn possible_cardiac(cx: &mut Ctx<'_>, rule: Rule) {
    let mut b = cx.primaries(|y| y.class.may_be_chest() || y.is(S::ChestPain));
    let chest_soreness = cx
        .checkin
        .soreness
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .any(|(r, v)| *r == Region::Chest && *v > 0.0);
    let chest_cramp = cx.checkin.cramp_now == Some(Region::Chest);
    if chest_soreness || chest_cramp {
        b.regions.push(Region::Chest);
    }
    let chest_finding = !b.primaries_empty() || chest_soreness || chest_cramp;
    let breathless = cx.code_on(S::ShortnessOfBreath, 3);
    if chest_finding || breathless {
        for i in cx.indices(|y| y.is(S::Dizziness)) {
            b.primary(i);
            b.with(&[S::ShortnessOfBreath], 3);
        }
    }
    cx.fire(rule, b);
}

fn acute_limb_ischaemia(cx: &mut Ctx<'_>, rule: Rule) {
    let b = with_pain_or_signs(cx, |y| y.is(S::PaleOrColdFoot), NERVE);
    cx.fire(rule, b);
}

/// The symptoms `pred` picks that have a pain code or one of `signs` on their side, with the
/// pain codes and the signs found there.
fn with_pain_or_signs(
    cx: &Ctx<'_>,
    pred: impl Fn(&Sym<'_>) -> bool,
    signs: &'static [SymptomCode],
) -> Batch {
    let mut b = Batch::default();
    for i in cx.indices(pred) {
        let m = cx.mask(i);
        if cx.pain_on(m) || cx.has_on(signs, m) {
            b.primary(i);
            b.with(SymptomCode::PAIN, m);
            b.with(signs, m);
        }
    }
    b
}

fn acute_compartment_syndrome(cx: &mut Ctx<'_>, rule: Rule) {
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is_any(COMPARTMENT)) {
        let m = cx.mask(i);
        let y = &cx.syms[i];
        if COMPARTMENT.iter().any(|c| *c != y.s.code && cx.code_on(*c, m)) {
            b.primary(i);
            b.with(COMPARTMENT, m);
        }
        if y.is_any(&[S::PainOutOfProportion, S::TenseCompartment]) {
            if cx.has_on(NERVE, m) {
                b.primary(i);
                b.with(NERVE, m);
            }
            if y.after_may_be(&[After::Collision, After::Fall]) {
                b.primary(i);
            }
        }
    }
    cx.fire(rule, b);
}

fn possible_limb_ischaemia(cx: &mut Ctx<'_>, rule: Rule) {
    fire_unexplained(cx, rule, |y| y.is(S::PaleOrColdFoot));
}

fn possible_compartment_syndrome(cx: &mut Ctx<'_>, rule: Rule) {
    fire_unexplained(cx, rule, |y| y.is_any(&[S::PainOutOfProportion, S::TenseCompartment]));
}

/// Fires `rule` with the symptoms `pred` picks that no earlier row explained.
fn fire_unexplained(cx: &mut Ctx<'_>, rule: Rule, pred: impl Fn(&Sym<'_>) -> bool) {
    let mut b = cx.primaries(pred);
    b.retain_primaries(|i| !cx.is_used(i));
    cx.fire(rule, b);
}

/// The atoms of the calves and thighs, both sides: a *calf or thigh region* overlaps them.
fn calf_or_thigh(y: &Sym<'_>) -> bool {
    [Group::Calves, Group::Quads, Group::Hamstrings, Group::Adductors]
        .into_iter()
        .any(|g| y.region.overlaps(Region::group(g)))
}

fn suspected_dvt(cx: &mut Ctx<'_>, rule: Rule) {
    let b = cx.primaries(|y| y.is(S::Swelling) && calf_or_thigh(y) && y.after_may_not_be(TRAUMA));
    cx.fire(rule, b);
}

fn suspected_thrombophlebitis(cx: &mut Ctx<'_>, rule: Rule) {
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is_any(&[S::Warmth, S::Redness]) && calf_or_thigh(y)) {
        let m = cx.mask(i);
        if cx.pain_on(m) {
            b.primary(i);
            b.with(SymptomCode::PAIN, m);
        }
    }
    cx.fire(rule, b);
}

fn possible_rhabdomyolysis(cx: &mut Ctx<'_>, rule: Rule) {
    let b = cx.primaries(|y| y.is(S::DarkUrine));
    cx.fire(rule, b);
}

/// How many muscle groups a region of severe pain counts for (protocol.md §2, v2): one per
/// side of a group, two for a bare group, a whole leg or the whole body.
fn group_count(region: Region) -> u32 {
    match region {
        Region::Group(_, None) | Region::Part(Part::Leg, _) | Region::WholeBody | Region::All => 2,
        _ => 1,
    }
}

/// Could the check-in's run have been hard, or was there a stored hard run in the last 72 h?
fn after_hard_run(cx: &Ctx<'_>) -> bool {
    let run_may_be_hard = cx.checkin.run.as_ref().is_none_or(|r| r.may_be_hard());
    let recent = cx.history.last_hard_run.is_some_and(|t| hours_between(t, cx.checkin.now) <= 72.0);
    run_may_be_hard || recent
}

fn severe_muscle_pain_rhabdo(cx: &mut Ctx<'_>, rule: Rule) {
    let severe = cx.indices(|y| y.is(S::SevereMusclePain));
    let mut b = Batch::default();
    if severe.is_empty() {
        return;
    }
    if cx.code_on(S::Weakness, 3) {
        severe.iter().for_each(|&i| b.primary(i));
        b.with(&[S::Weakness], 3);
    }
    let mut regions: Vec<Region> = Vec::new();
    for &i in &severe {
        let r = cx.syms[i].region;
        if !regions.iter().any(|o| o.mask() == r.mask()) {
            regions.push(r);
        }
    }
    let groups: u32 = regions.iter().map(|r| group_count(*r)).sum();
    if groups >= 2 && after_hard_run(cx) {
        severe.iter().for_each(|&i| b.primary(i));
    }
    cx.fire(rule, b);
}

fn possible_fracture_or_rupture(cx: &mut Ctx<'_>, rule: Rule) {
    let mut b = cx.primaries(|y| y.is_any(&[S::UnableToBearWeight, S::Deformity]));
    for i in cx.indices(|y| y.is(S::PopOrSnap)) {
        let m = cx.mask(i);
        if cx.code_on(S::Weakness, m) {
            b.primary(i);
            b.with(&[S::Weakness], m);
        }
    }
    cx.fire(rule, b);
}

/// Does a symptom on these sides say it followed one of these events (or leave it open)?
fn event_on(cx: &Ctx<'_>, mask: u8, events: &[After]) -> bool {
    cx.syms.iter().any(|y| side_mask(y.region) & mask != 0 && y.after_may_be(events))
}

fn ottawa_bone_tenderness(cx: &mut Ctx<'_>, rule: Rule) {
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::FocalBoneTenderness)) {
        let m = cx.mask(i);
        if cx.syms[i].after_may_be(TRAUMA) || event_on(cx, m, TRAUMA) {
            b.primary(i);
        }
    }
    cx.fire(rule, b);
}

fn achilles_pop(cx: &mut Ctx<'_>, rule: Rule) {
    let achilles_area = Side::BOTH.map(|s| {
        [Region::Part(Part::Calf, s), Region::Part(Part::Achilles, s), Region::Part(Part::Ankle, s)]
    });
    let b = cx.primaries(|y| {
        y.is(S::PopOrSnap) && achilles_area.as_flattened().iter().any(|r| y.region.overlaps(*r))
    });
    cx.fire(rule, b);
}

fn possible_infection(cx: &mut Ctx<'_>, rule: Rule) {
    // Anywhere on the body, not only the legs: a fever with a red, warm or swollen patch of
    // skin (the back, a hip) is the same infection risk.
    let leg_signs =
        cx.syms.iter().filter(|y| y.is_any(LEG_SIGNS)).fold(0, |m, y| m | side_mask(y.region));
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::Fever)) {
        let m = cx.mask(i);
        if leg_signs & m != 0 {
            b.primary(i);
            b.with(LEG_SIGNS, m & leg_signs);
        }
    }
    cx.fire(rule, b);
}

fn persistent_dizziness(cx: &mut Ctx<'_>, rule: Rule) {
    let minutes_since_run = cx
        .checkin
        .run
        .as_ref()
        .and_then(|r| r.ended_at)
        .map(|end| hours_between(end, cx.checkin.now) * 60.0);
    // The run's end unknown: whichever value gives the higher level (protocol.md §1).
    let lasting = minutes_since_run.is_none_or(|m| m >= 30.0);
    let mut b = Batch::default();
    for i in cx.indices(|y| y.is(S::Dizziness)) {
        let m = cx.mask(i);
        let with = cx.has_on(DIZZY_WITH, m);
        if lasting || cx.syms[i].trend() == Trend::Worsening || with {
            b.primary(i);
            b.with(DIZZY_WITH, m);
        }
    }
    cx.fire(rule, b);
}

fn exertional_dizziness(cx: &mut Ctx<'_>, rule: Rule) {
    let b = cx.primaries(|y| y.is(S::Dizziness) && y.after_may_be(&[After::SuddenOnsetDuringRun]));
    cx.fire(rule, b);
}

fn neurological_deficit(cx: &mut Ctx<'_>, rule: Rule) {
    let leg_nerve: Vec<usize> = cx.indices(|y| y.is_any(NERVE) && y.class.may_be_leg());
    let mut b = Batch::default();
    // Weakness with numbness or tingling on the same side.
    for &i in &leg_nerve {
        let m = cx.mask(i);
        if cx.syms[i].is(S::Weakness) && cx.has_on(NUMB, m) {
            b.primary(i);
            b.with(NUMB, m);
        }
    }
    // Nerve signs on both legs.
    let sides = leg_nerve.iter().fold(0, |m, &i| m | cx.mask(i));
    if sides == 3 {
        leg_nerve.iter().for_each(|&i| b.primary(i));
    }
    // Nerve signs on a leg with a pain code on the lower back, or with nerve signs there too
    // (numbness around the back and a leg: the cauda equina).
    let back_nerve = cx.indices(|y| y.is_any(NERVE) && y.class == C::LowerBack);
    if !leg_nerve.is_empty() && (lower_back_pain(cx) || !back_nerve.is_empty()) {
        leg_nerve.iter().chain(&back_nerve).for_each(|&i| b.primary(i));
        b.with(SymptomCode::PAIN, 3);
    }
    cx.fire(rule, b);
}

/// A pain code on the lower back (or a region that could be it), or lower-back soreness ≥ 7.
fn lower_back_pain(cx: &Ctx<'_>) -> bool {
    let symptom = cx.syms.iter().any(|y| y.s.code.is_pain() && y.class.may_be_lower_back());
    let sore = cx
        .checkin
        .soreness
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .any(|(r, v)| matches!(r, Region::LowerBack | Region::WholeBody) && *v >= 7.0);
    symptom || sore
}

fn bleeding_risk_injury(cx: &mut Ctx<'_>, rule: Rule) {
    if !cx.checkin.athlete.has(Condition::Anticoagulants) {
        return;
    }
    let mut b = Batch::default();
    for i in cx.indices(|y| y.after_may_be(INJURY_EVENT)) {
        let m = cx.mask(i);
        let y = &cx.syms[i];
        let own = y.is_any(BLEED_SIGNS) || y.s.code.is_pain();
        if own || cx.has_on(BLEED_SIGNS, m) || cx.pain_on(m) {
            b.primary(i);
            b.with(BLEED_SIGNS, m);
            b.with(SymptomCode::PAIN, m);
        }
    }
    cx.fire(rule, b);
}

fn possible_heat_illness(cx: &mut Ctx<'_>, rule: Rule) {
    let run = cx.checkin.run.as_ref();
    let end = run.and_then(|r| r.ended_at);
    let start =
        end.zip(run.and_then(|r| r.duration_min)).map(|(e, d)| e.as_second() as f64 - d * 60.0);
    let now = cx.checkin.now.as_second() as f64;
    let b = cx.primaries(|y| {
        if !y.is(S::Fever) {
            return false;
        }
        // Unknown times count as within (protocol.md §1).
        let (Some(end), Some(h)) = (end, y.s.since_hours) else {
            return true;
        };
        let onset = now - h * 3600.0;
        onset <= end.as_second() as f64 + 6.0 * 3600.0 && start.is_none_or(|s| onset >= s)
    });
    cx.fire(rule, b);
}

fn persistent_or_worsening_pain(cx: &mut Ctx<'_>, rule: Rule) {
    let b = cx.primaries(|y| {
        y.is_any(&[S::SharpPain, S::PainAtRest, S::NightPain])
            || (y.is(S::DullAche) && y.trend() == Trend::Worsening && y.since_may_exceed(72.0))
    });
    cx.fire(rule, b);
}

fn swelling(cx: &mut Ctx<'_>, rule: Rule) {
    fire_unexplained(cx, rule, |y| y.is(S::Swelling));
}

fn nerve_symptoms(cx: &mut Ctx<'_>, rule: Rule) {
    fire_unexplained(cx, rule, |y| y.is_any(NUMB));
}

fn possible_bone_stress_injury(cx: &mut Ctx<'_>, rule: Rule) {
    let b = cx.primaries(|y| y.is(S::FocalBoneTenderness));
    cx.fire(rule, b);
}

fn acute_injury(cx: &mut Ctx<'_>, rule: Rule) {
    let b = with_pain_or_signs(cx, |y| y.after_may_be(INJURY_EVENT), INJURY_SIGNS);
    cx.fire(rule, b);
}

fn recurrent_cramps(cx: &mut Ctx<'_>, rule: Rule) {
    let b = cx.primaries(|y| y.is(S::CrampRecurrent));
    cx.fire(rule, b);
}

fn prolonged_soreness(cx: &mut Ctx<'_>, rule: Rule) {
    let b = Batch { regions: prolonged_regions(cx), ..Batch::default() };
    cx.fire(rule, b);
}

/// The sore regions that trigger `prolonged_soreness` (empty when the row does not fire).
fn prolonged_regions(cx: &Ctx<'_>) -> Vec<Region> {
    let Some(last) = super::last_hard_run(cx.checkin, cx.history) else {
        return Vec::new();
    };
    let now = cx.checkin.now;
    let hours = hours_between(last, now);
    let mut out = Vec::new();
    for &(region, rating) in cx.checkin.soreness.as_deref().unwrap_or(&[]) {
        if region == Region::Chest {
            continue;
        }
        let lasting = hours > 7.0 * 24.0 && rating >= 3.0;
        // Rising after 72 h: above the most recent earlier rating of an overlapping region
        // taken after that hard run.
        let earlier = cx
            .history
            .soreness_ratings
            .iter()
            .filter(|e| e.at >= last && e.at < now && e.region.overlaps(region))
            .max_by_key(|e| e.at);
        let rising = hours > 72.0 && earlier.is_some_and(|e| rating > e.rating);
        if lasting || rising {
            out.push(region);
        }
    }
    out
}

fn unexplained_symptom(cx: &mut Ctx<'_>, rule: Rule) {
    fire_unexplained(cx, rule, |y| !y.is_any(SELF_CARE_CODES));
}

fn fever_alone(cx: &mut Ctx<'_>, rule: Rule) {
    if cx.level() > crate::codes::Level::SelfCare {
        return;
    }
    let b = cx.primaries(|y| y.is(S::Fever));
    cx.fire(rule, b);
}

fn doms_expected(cx: &mut Ctx<'_>, rule: Rule) {
    if cx.findings.is_empty() {
        cx.findings.push(super::Finding { rule, regions: Vec::new(), codes: Vec::new() });
    }
}

/// The blocks that come from rules rather than rows: (reason code, what it blocks, when).
pub const BLOCK_RULES: &[(&str, &str, &str)] = &[
    (
        "local_symptom",
        "foam rolling and the massage gun on that region",
        "`sharp_pain`, `bruising`, `swelling`, `warmth` or `redness` at any level",
    ),
    ("over_bone", "the massage gun on `knee_X`, `ankle_X`, `shin_X`", "always"),
    ("over_tendon", "the massage gun on `achilles_X`", "always (v2)"),
    (
        "dizziness",
        "the vibration plate, the walk, easy cycling and dynamic stretching everywhere (rest with \
         the legs raised instead)",
        "`dizziness` at any level",
    ),
    (
        "fever",
        "every recovery exercise and device everywhere (rest and hydration only)",
        "`fever` without leg signs",
    ),
    (
        "possible_strain",
        "static stretching of the cramp (rest and gentle massage instead)",
        "a cramp now where `sharp_pain` or `pain_with_stretch` is, or a symptom that began \
         suddenly during the run (v2)",
    ),
    (
        "(the finding's reason)",
        "foam rolling, the massage gun, the boots and dynamic stretching on the finding's \
         regions; the vibration plate everywhere",
        "any finding at `see_physio`, on a leg, the lower back, the chest or the whole body",
    ),
    (
        "(the finding's reason)",
        "foam rolling, the massage gun, the boots and the plate everywhere; no other block is \
         listed",
        "any finding at `urgent_care` or `emergency`",
    ),
];

/// The rules table as Markdown, for a clinician to review (`docs/triage.md` is this text; a
/// test fails when the file is stale).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Triage rules\n\n\
         Generated from the code's own table (`crates/afterrun-protocol/src/triage/table.rs`) \
         by `cargo test -p afterrun-protocol --test triage_doc`; do not edit by hand. The \
         clinical source is `protocol.md` §2. Rows are evaluated in this order; the highest \
         level wins. A missing `after` or `since_hours` counts as whichever value gives the \
         higher level, a missing `trend` as `worsening`, a symptom without a region as \
         anywhere (the chest included) unless it is systemic (`fever`, `dark_urine`, \
         `dizziness`, `shortness_of_breath`, `coughing_blood`: then the whole body). \
         \"On that side\": a bare group, the whole body, the chest and the lower back count for \
         either side.\n\n\
         | # | level | when (any of) | region classes read | reason code | references |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for (i, row) in ROWS.iter().enumerate() {
        let classes: Vec<&str> = if row.classes.len() == RegionClass::ALL.len() {
            vec!["any"]
        } else {
            row.classes.iter().map(|c| c.words()).collect()
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | `{}` | {} |\n",
            i + 1,
            row.rule.level.code(),
            row.when,
            classes.join(", "),
            row.rule.code,
            row.rule.evidence.join(", "),
        ));
    }
    out.push_str(
        "\n## Blocks that are not rows\n\n| reason | blocks | when |\n| --- | --- | --- |\n",
    );
    for (reason, blocks, when) in BLOCK_RULES {
        out.push_str(&format!("| `{reason}` | {blocks} | {when} |\n"));
    }
    out.push_str("\n## References\n\n");
    let mut ids: Vec<&str> = ROWS.iter().flat_map(|r| r.rule.evidence.iter().copied()).collect();
    ids.sort_by_key(|id| crate::references::position(id));
    ids.dedup();
    for id in ids {
        if let Some(r) = crate::references::find(id) {
            out.push_str(&format!("- `{}`: {}\n", r.id, r.citation));
        }
    }
    out
}
