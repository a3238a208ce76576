//! Learning (issue 8): with no outcomes a plan is byte-identical to a plan without learning, on
//! every vignette; whatever the learner ranks, no blocked modality appears and triage, the
//! blocks and the level are unchanged. 256 cases by default; `PROPTEST_CASES` for longer runs.

// Test helpers panic on purpose: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use afterrun_protocol::codes::{Equipment, Modality};
use afterrun_protocol::history::LearnedEffect;
use afterrun_protocol::outcome::{self, PREFERENCE_DEFAULT};
use afterrun_protocol::{History, PlanDoc, make_plan, parse_checkin};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

mod common;
use common::vignettes;

#[test]
fn no_outcomes_same_plan_on_every_vignette() {
    let all = vignettes();
    assert!(all.len() >= 10, "the vignettes are found: {}", all.len());
    let population = outcome::population(&[]);
    for (name, doc) in &all {
        let checkin = parse_checkin(&doc["checkin"].to_string()).unwrap();
        for seed in 0..50 {
            let (ranking, learned) = outcome::personalize(&population, &[], seed);
            let history = History { ranking, learned, ..History::default() };
            assert_eq!(
                make_plan(&checkin, &history).to_json(),
                make_plan(&checkin, &History::default()).to_json(),
                "{name}"
            );
        }
    }
}

fn blocked_step(plan: &PlanDoc) -> Option<String> {
    for s in &plan.steps {
        for b in plan.triage.blocked.iter().filter(|b| b.modality == s.modality) {
            if s.targets.iter().any(|t| t.overlaps(b.region)) {
                return Some(format!(
                    "{:?} on {:?} blocked by {}",
                    s.modality, s.targets, b.reason
                ));
            }
        }
    }
    None
}

fn effect() -> impl Strategy<Value = LearnedEffect> {
    (select(outcome::LEARNED.to_vec()), -4.0f64..4.0, 5u32..60)
        .prop_map(|(modality, mean, sessions)| LearnedEffect { modality, mean, sessions })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn learning_never_brings_back_a_blocked_modality(
        pick in 0usize..64,
        equipment in subsequence(Equipment::ALL.to_vec(), 0..=Equipment::ALL.len()),
        ranking in Just(PREFERENCE_DEFAULT.to_vec()).prop_shuffle(),
        keep in 0usize..=4,
        learned in prop::collection::vec(effect(), 0..6),
    ) {
        let all = vignettes();
        let (name, doc) = &all[pick % all.len()];
        let mut doc = doc["checkin"].clone();
        let codes: Vec<&str> = equipment.iter().map(|e| e.code()).collect();
        doc["athlete"]["equipment"] = serde_json::json!(codes);
        let checkin = parse_checkin(&doc.to_string()).unwrap();
        let mut ranking = ranking;
        ranking.truncate(keep);
        let with = make_plan(&checkin, &History { ranking, learned, ..History::default() });
        let without = make_plan(&checkin, &History::default());
        prop_assert_eq!(blocked_step(&with), None, "{}", name);
        prop_assert_eq!(&with.triage, &without.triage, "{}", name);
        // Only choices the plan without learning could make: every modality used is one it
        // used or the plate standing in for the boots.
        for s in &with.steps {
            let allowed = without.steps.iter().any(|w| w.modality == s.modality)
                || (s.modality == Modality::VibrationPlate
                    && without.steps.iter().any(|w| w.modality == Modality::CompressionBoots));
            prop_assert!(allowed, "{}: {:?} appeared", name, s.modality);
        }
    }
}

fn sore_checkin(equipment: &[&str]) -> afterrun_protocol::CheckIn {
    let doc = serde_json::json!({
        "now": "2026-11-23T08:30:00Z",
        "athlete": {"equipment": equipment, "weekly_km": 70, "conditions": []},
        "symptoms": [],
        "soreness": {"quads": 4},
    });
    parse_checkin(&doc.to_string()).unwrap()
}

fn modalities(plan: &PlanDoc) -> Vec<Modality> {
    plan.steps.iter().map(|s| s.modality).collect()
}

#[test]
fn a_gun_that_helped_comes_before_foam_rolling_and_the_plan_says_why() {
    let checkin = sore_checkin(&["foam_roller", "massage_gun"]);
    let before = make_plan(&checkin, &History::default());
    let at = |p: &PlanDoc, m: Modality| p.steps.iter().position(|s| s.modality == m).unwrap();
    assert!(at(&before, Modality::FoamRolling) < at(&before, Modality::MassageGun));
    let gun = LearnedEffect { modality: Modality::MassageGun, mean: -1.2, sessions: 8 };
    let history = History {
        ranking: vec![Modality::MassageGun, Modality::FoamRolling],
        learned: vec![gun],
        ..History::default()
    };
    let after = make_plan(&checkin, &history);
    assert!(at(&after, Modality::MassageGun) < at(&after, Modality::FoamRolling));
    let foam = &after.steps[at(&after, Modality::FoamRolling)];
    assert!(foam.offset_min <= 30, "foam rolling still starts by its latest time");
    let mut a = modalities(&after);
    let mut b = modalities(&before);
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same steps, in another order");
    assert!(after.notes.iter().any(|n| n
        == "The massage gun comes before foam rolling today: for you it has been followed by \
            less soreness than expected."));
    assert!(after.notes.iter().any(|n| n
        == "For you, the massage gun has been followed by 1.2 points less soreness than \
            expected, over 8 sessions."));
}

#[test]
fn a_plate_ranked_above_the_boots_replaces_them_and_an_untried_one_says_so() {
    let checkin = sore_checkin(&["compression_boots", "vibration_plate"]);
    let before = make_plan(&checkin, &History::default());
    assert!(modalities(&before).contains(&Modality::CompressionBoots));
    assert!(!modalities(&before).contains(&Modality::VibrationPlate));
    let history = History {
        ranking: vec![Modality::VibrationPlate, Modality::CompressionBoots],
        ..History::default()
    };
    let after = make_plan(&checkin, &history);
    assert!(modalities(&after).contains(&Modality::VibrationPlate));
    assert!(!modalities(&after).contains(&Modality::CompressionBoots));
    assert!(after.notes.iter().any(|n| n
        == "The vibration plate is used instead of the compression boots today, so that its \
            effect for you can be learned."));
}
