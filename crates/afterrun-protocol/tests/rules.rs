//! One canonical test per triage row and per contraindication row, each named after its reason
//! code, plus the validation errors. Every case goes through the public API and reads the
//! contract JSON, as the CLI and the server would.

// Test helpers panic on purpose: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use afterrun_protocol::contra::{Effect, Kind, TABLE};
use afterrun_protocol::region::Region;
use afterrun_protocol::{History, parse_checkin, plan_json};
use serde_json::{Value, json};

/// A check-in of a healthy runner owning everything, after an ordinary run, with `extra` merged
/// into the top level (and `athlete_extra` into the athlete).
fn checkin(extra: Value, athlete_extra: Value) -> Value {
    let mut c = json!({
        "now": "2026-11-23T08:30:00Z",
        "athlete": {
            "age": 35, "sex": "female", "weekly_km": 40, "goal": "10k",
            "equipment": ["foam_roller","massage_gun","compression_boots","vibration_plate","bike"],
            "conditions": [], "budget": "medium"
        },
        "run": {"ended_at": "2026-11-23T08:10:00Z", "duration_min": 50, "distance_km": 10.0,
                "ascent_m": 60, "descent_m": 60, "avg_hr": 148, "rpe": 5},
        "soreness": {"quads": 4},
        "symptoms": [],
        "next_run_at": "2026-11-24T17:00:00Z"
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        c[k] = v;
    }
    for (k, v) in athlete_extra.as_object().cloned().unwrap_or_default() {
        c["athlete"][k] = v;
    }
    c
}

fn plan(c: &Value) -> Value {
    let out = plan_json(&c.to_string(), &History::default()).expect("valid check-in");
    serde_json::from_str(&out).unwrap()
}

fn sym(code: &str, region: &str) -> Value {
    json!({"code": code, "region": region, "since_hours": 2, "trend": "stable", "after": "none"})
}

fn with_symptoms(symptoms: Value) -> Value {
    plan(&checkin(json!({ "symptoms": symptoms }), json!({})))
}

fn level(p: &Value) -> &str {
    p["triage"]["level"].as_str().unwrap()
}

fn reasons(p: &Value) -> Vec<String> {
    p["triage"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

fn step_modalities(p: &Value) -> Vec<String> {
    p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["modality"].as_str().unwrap().to_string())
        .collect()
}

fn has_block(p: &Value, modality: &str, region: &str, reason: &str) -> bool {
    let want = Region::from_code(region, true).unwrap();
    p["triage"]["blocked"].as_array().unwrap().iter().any(|b| {
        b["modality"] == modality
            && b["reason"] == reason
            && Region::from_code(b["region"].as_str().unwrap(), true).unwrap().covers(want)
    })
}

fn assert_rule(p: &Value, level_code: &str, reason: &str) {
    assert_eq!(level(p), level_code, "{p}");
    assert!(reasons(p).contains(&reason.to_string()), "{reason} missing: {:?}", reasons(p));
}

/// The plan for these symptoms, checked to be at `level_code` with `reason` among its reasons.
fn assert_fires(symptoms: Value, level_code: &str, reason: &str) -> Value {
    let p = with_symptoms(symptoms);
    assert_rule(&p, level_code, reason);
    p
}

/// [`assert_fires`], and the plan is the referral and rest only, every hands-on modality and
/// device blocked everywhere for that reason.
fn assert_referral_only(symptoms: Value, level_code: &str, reason: &str) -> Value {
    let p = assert_fires(symptoms, level_code, reason);
    assert_only_referral_and_rest(&p);
    p
}

fn assert_only_referral_and_rest(p: &Value) {
    for m in step_modalities(p) {
        assert!(
            ["call_emergency", "seek_urgent_care", "rest"].contains(&m.as_str()),
            "unexpected step {m}"
        );
    }
    for m in ["foam_rolling", "massage_gun", "compression_boots", "vibration_plate"] {
        assert!(has_block(p, m, "all", p["triage"]["reasons"][0]["code"].as_str().unwrap()));
    }
}

// ---- Triage rows (protocol.md §2) ----

#[test]
fn possible_pe() {
    for code in ["chest_pain", "coughing_blood", "shortness_of_breath"] {
        let p = assert_fires(json!([sym(code, "chest")]), "emergency", "possible_pe");
        assert_eq!(step_modalities(&p)[0], "call_emergency");
        assert_only_referral_and_rest(&p);
    }
}

#[test]
fn acute_limb_ischaemia() {
    assert_fires(
        json!([sym("pale_or_cold_foot", "foot_left"), sym("numbness", "calf_left")]),
        "emergency",
        "acute_limb_ischaemia",
    );
    // Pain on the other leg does not make it an emergency.
    let p = with_symptoms(json!([
        sym("pale_or_cold_foot", "foot_left"),
        sym("sharp_pain", "calf_right")
    ]));
    assert_eq!(level(&p), "urgent_care");
    // Soreness ≥ 7 on that side is a pain code.
    let c = checkin(
        json!({"symptoms": [sym("pale_or_cold_foot", "foot_right")], "soreness": {"calves_right": 8}}),
        json!({}),
    );
    assert_rule(&plan(&c), "emergency", "acute_limb_ischaemia");
}

#[test]
fn acute_compartment_syndrome() {
    for symptoms in [
        json!([sym("pain_out_of_proportion", "calf_left"), sym("pain_with_stretch", "calf_left")]),
        json!([sym("tense_compartment", "shin_right"), sym("tingling", "foot_right")]),
        json!([sym_after("tense_compartment", "shin_right", "collision")]),
    ] {
        assert_fires(symptoms, "emergency", "acute_compartment_syndrome");
    }
    // Signs on different legs are not "two on the same leg".
    let p = with_symptoms(json!([
        sym("pain_out_of_proportion", "calf_left"),
        sym("pain_with_stretch", "calf_right")
    ]));
    assert_eq!(level(&p), "urgent_care");
}

#[test]
fn possible_limb_ischaemia() {
    assert_referral_only(
        json!([sym("pale_or_cold_foot", "foot_left")]),
        "urgent_care",
        "possible_limb_ischaemia",
    );
}

#[test]
fn possible_compartment_syndrome() {
    for code in ["pain_out_of_proportion", "tense_compartment"] {
        assert_referral_only(
            json!([sym(code, "shin_left")]),
            "urgent_care",
            "possible_compartment_syndrome",
        );
    }
}

#[test]
fn suspected_dvt() {
    // Swelling of a calf or thigh with no injury, whatever its trend.
    for region in ["calf_left", "thigh_right", "calves", "quads_left", "leg_right"] {
        let mut s = sym("swelling", region);
        s["trend"] = json!("improving");
        let p = assert_referral_only(json!([s]), "urgent_care", "suspected_dvt");
        assert!(has_block(&p, "compression_boots", region, "suspected_dvt"));
    }
    // Swelling after a twist is an injury, not a clot.
    let mut s = sym("swelling", "calf_left");
    s["after"] = json!("twist");
    assert_eq!(level(&with_symptoms(json!([s]))), "see_physio");
}

#[test]
fn suspected_dvt_warm_or_red_and_painful() {
    // Warmth or redness of a calf with a pain code on that side (possible thrombophlebitis).
    assert_fires(
        json!([sym("warmth", "calf_left"), sym("dull_ache", "calves_left")]),
        "urgent_care",
        "suspected_dvt",
    );
    let p = with_symptoms(json!([sym("redness", "thigh_left"), sym("dull_ache", "calves_right")]));
    assert_eq!(level(&p), "see_physio");
}

#[test]
fn possible_rhabdomyolysis() {
    assert_referral_only(
        json!([sym("dark_urine", "whole_body")]),
        "urgent_care",
        "possible_rhabdomyolysis",
    );
}

#[test]
fn possible_fracture_or_rupture() {
    for symptoms in [
        json!([sym("unable_to_bear_weight", "ankle_left")]),
        json!([sym("deformity", "ankle_left")]),
        json!([sym("pop_or_snap", "achilles_right"), sym("weakness", "calf_right")]),
    ] {
        assert_fires(symptoms, "urgent_care", "possible_fracture_or_rupture");
    }
    // A pop elsewhere without weakness is an injury for a physiotherapist.
    let p = with_symptoms(json!([sym("pop_or_snap", "knee_right")]));
    assert_eq!(level(&p), "see_physio");
}

#[test]
fn possible_infection() {
    assert_fires(
        json!([sym("fever", "whole_body"), sym("redness", "shin_left")]),
        "urgent_care",
        "possible_infection",
    );
}

#[test]
fn persistent_dizziness() {
    // The run ended 20 min ago: dizziness now, stable, alone, is not yet persistent.
    let p = with_symptoms(json!([sym("dizziness", "whole_body")]));
    assert_eq!(level(&p), "see_physio");
    assert!(has_block(&p, "vibration_plate", "all", "dizziness"));
    // 30 min or more after the run.
    let c = checkin(
        json!({"symptoms": [sym("dizziness", "whole_body")], "now": "2026-11-23T08:45:00Z"}),
        json!({}),
    );
    assert_rule(&plan(&c), "urgent_care", "persistent_dizziness");
    let mut worsening = sym("dizziness", "whole_body");
    worsening["trend"] = json!("worsening");
    for symptoms in
        [json!([worsening]), json!([sym("dizziness", "whole_body"), sym("fever", "whole_body")])]
    {
        assert_fires(symptoms, "urgent_care", "persistent_dizziness");
    }
}

#[test]
fn persistent_or_worsening_pain() {
    for code in ["sharp_pain", "pain_at_rest", "night_pain"] {
        let p = assert_fires(
            json!([sym(code, "shin_left")]),
            "see_physio",
            "persistent_or_worsening_pain",
        );
        assert_eq!(step_modalities(&p)[0], "consult_physio");
        assert!(has_block(&p, "foam_rolling", "shin_left", "persistent_or_worsening_pain"));
        assert!(has_block(&p, "vibration_plate", "all", "persistent_or_worsening_pain"));
    }
    let mut ache = sym("dull_ache", "quads");
    ache["trend"] = json!("worsening");
    ache["since_hours"] = json!(80);
    assert_fires(json!([ache.clone()]), "see_physio", "persistent_or_worsening_pain");
    // Worsening within 72 h is ordinary DOMS.
    ache["since_hours"] = json!(40);
    assert_fires(json!([ache]), "self_care", "doms_expected");
}

#[test]
fn swelling() {
    let p = assert_fires(json!([sym("swelling", "knee_left")]), "see_physio", "swelling");
    assert!(has_block(&p, "foam_rolling", "knee_left", "local_symptom"));
    assert!(has_block(&p, "compression_boots", "knee_left", "swelling"));
    // A boots step, if any, keeps away from the swollen leg.
    for s in p["steps"].as_array().unwrap() {
        if s["modality"] == "compression_boots" {
            assert_eq!(s["targets"], json!(["leg_right"]));
        }
    }
}

#[test]
fn nerve_symptoms() {
    for code in ["numbness", "tingling"] {
        assert_fires(json!([sym(code, "foot_left")]), "see_physio", "nerve_symptoms");
    }
}

#[test]
fn possible_bone_stress_injury() {
    let p = assert_fires(
        json!([sym("focal_bone_tenderness", "shin_right")]),
        "see_physio",
        "possible_bone_stress_injury",
    );
    assert!(step_modalities(&p).contains(&"rest".to_string()), "movement hurts: rest");
    assert!(!step_modalities(&p).contains(&"walk".to_string()));
    assert!(p["notes"].to_string().contains("Stop running"));
}

#[test]
fn acute_injury() {
    for (code, after) in
        [("dull_ache", "fall"), ("bruising", "collision"), ("locking_or_giving_way", "twist")]
    {
        let mut s = sym(code, "knee_left");
        s["after"] = json!(after);
        assert_fires(json!([s]), "see_physio", "acute_injury");
    }
    let mut s = sym("dull_ache", "hamstrings_left");
    s["after"] = json!("sudden_onset_during_run");
    assert_fires(json!([s]), "see_physio", "acute_injury");
}

#[test]
fn recurrent_cramps() {
    assert_fires(json!([sym("cramp_recurrent", "calves")]), "see_physio", "recurrent_cramps");
}

#[test]
fn prolonged_soreness() {
    // A hard run ended 8 days ago and the quads are still at 4.
    let run = json!({"ended_at": "2026-11-15T08:00:00Z", "duration_min": 120, "rpe": 6});
    let p = plan(&checkin(json!({"run": run, "soreness": {"quads": 4}}), json!({})));
    assert_rule(&p, "see_physio", "prolonged_soreness");
    // With no stored history, an easy run says nothing about the last hard one.
    let run = json!({"ended_at": "2026-11-15T08:00:00Z", "duration_min": 40, "rpe": 4});
    let p = plan(&checkin(json!({"run": run, "soreness": {"quads": 4}}), json!({})));
    assert_eq!(level(&p), "self_care");
}

#[test]
fn unexplained_symptom() {
    for code in [
        "weakness",
        "severe_muscle_pain",
        "pop_or_snap",
        "locking_or_giving_way",
        "bruising",
        "warmth",
        "redness",
        "pain_with_stretch",
        "dizziness",
    ] {
        assert_fires(json!([sym(code, "hamstrings_left")]), "see_physio", "unexplained_symptom");
    }
}

#[test]
fn doms_expected() {
    let mut ache = sym("dull_ache", "quads");
    ache["trend"] = json!("improving");
    let p = assert_fires(json!([ache]), "self_care", "doms_expected");
    assert_eq!(step_modalities(&p)[0], "walk");
    let p = assert_fires(json!([]), "self_care", "doms_expected");
    assert!(p["notes"][0] == "Don't push through significant pain: stop and check in again.");
}

#[test]
fn fever_alone_gives_rest_and_hydration_only() {
    let p = with_symptoms(json!([sym("fever", "whole_body")]));
    assert_eq!(level(&p), "self_care");
    let mut m = step_modalities(&p);
    m.sort();
    assert_eq!(m, ["hydration", "rest"]);
    assert!(p["notes"].to_string().contains("48 hours"));
    for m in ["walk", "foam_rolling", "massage_gun", "compression_boots", "vibration_plate"] {
        assert!(has_block(&p, m, "all", "fever"), "{m}");
    }
}

#[test]
fn local_symptom() {
    let p = with_symptoms(json!([sym("bruising", "quads_left")]));
    assert!(has_block(&p, "foam_rolling", "quads_left", "local_symptom"));
    assert!(has_block(&p, "massage_gun", "quads_left", "local_symptom"));
    for s in p["steps"].as_array().unwrap() {
        if s["modality"] == "foam_rolling" {
            assert!(s["targets"].as_array().unwrap().contains(&json!("quads_right")));
            assert!(!s["targets"].as_array().unwrap().contains(&json!("quads")));
        }
    }
}

#[test]
fn over_bone() {
    let c = checkin(json!({"soreness": {"shins": 6, "calves": 5}}), json!({}));
    let p = plan(&c);
    for side in ["left", "right"] {
        for part in ["knee", "ankle", "shin"] {
            assert!(has_block(&p, "massage_gun", &format!("{part}_{side}"), "over_bone"));
        }
    }
    let gun =
        p["steps"].as_array().unwrap().iter().find(|s| s["modality"] == "massage_gun").unwrap();
    assert_eq!(gun["targets"], json!(["calves"]));
}

#[test]
fn cramp_now_stretch_first() {
    let c = checkin(json!({"cramp_now": "calves_left"}), json!({}));
    let p = plan(&c);
    let first = &p["steps"][0];
    assert_eq!(first["modality"], "static_stretching");
    assert_eq!(first["offset_min"], 0);
    assert_eq!(first["targets"], json!(["calves_left"]));
}

// ---- Contraindication rows (protocol.md §3) ----

fn owner_of_everything_after_hard_run(conditions: &[&str], clearances: Value) -> Value {
    checkin(
        json!({
            "run": {"ended_at": "2026-11-23T08:10:00Z", "duration_min": 120, "rpe": 8},
            "soreness": {"quads": 6, "calves": 8, "adductors": 5},
            "cramp_now": "hamstrings_left",
        }),
        json!({"conditions": conditions, "clearances": clearances, "weekly_km": 80}),
    )
}

fn check_contra_row(modality: &str, condition: &str) {
    let row = TABLE
        .iter()
        .find(|r| r.modality.code() == modality && r.condition.code() == condition)
        .expect("row exists");
    let kind = match row.kind {
        Kind::Absolute => "contra_absolute",
        Kind::Relative => "contra_relative",
    };
    let reason = format!("{kind}:{condition}");
    let p = plan(&owner_of_everything_after_hard_run(&[condition], json!([])));
    let steps = p["steps"].as_array().unwrap();
    match row.effect {
        Effect::Block => {
            assert!(has_block(&p, modality, "all", &reason), "{reason} block missing: {p}");
            assert!(
                !steps.iter().any(|s| s["modality"] == modality),
                "{modality} step despite {reason}"
            );
        }
        Effect::BlockOn(groups) => {
            for g in groups {
                assert!(has_block(&p, modality, g.as_str(), &reason));
            }
            for s in steps.iter().filter(|s| s["modality"] == modality) {
                for t in s["targets"].as_array().unwrap() {
                    let t = Region::from_code(t.as_str().unwrap(), false).unwrap();
                    assert!(groups.iter().all(|g| !Region::group(*g).overlaps(t)));
                }
            }
        }
        Effect::LightOnly => {
            assert!(has_block(&p, modality, "calves", &reason), "very sore group blocked");
            for s in steps.iter().filter(|s| s["modality"] == modality) {
                assert_eq!(s["dose"]["pressure"], "light");
            }
        }
    }
    // A clearance lifts a relative row and never an absolute one.
    let cleared = plan(&owner_of_everything_after_hard_run(
        &[condition],
        json!([{"modality": modality, "by": "doctor", "date": "2026-10-01"}]),
    ));
    let still = cleared["triage"]["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["reason"] == reason.as_str() && b["modality"] == modality);
    assert_eq!(still, row.kind == Kind::Absolute, "clearance of {reason}");
}

macro_rules! contra_tests {
    ($($name:ident: $modality:literal, $condition:literal;)*) => {
        $(
            #[test]
            fn $name() {
                check_contra_row($modality, $condition);
            }
        )*

        #[test]
        fn every_table_row_has_a_test() {
            let tested: &[(&str, &str)] = &[$(($modality, $condition)),*];
            for row in TABLE {
                assert!(
                    tested.contains(&(row.modality.code(), row.condition.code())),
                    "no test for {} / {}", row.modality.code(), row.condition.code()
                );
            }
            assert_eq!(tested.len(), TABLE.len());
        }
    };
}

contra_tests! {
    contra_absolute_heart_failure_compression_boots: "compression_boots", "heart_failure";
    contra_absolute_peripheral_arterial_disease_compression_boots: "compression_boots", "peripheral_arterial_disease";
    contra_absolute_skin_infection_leg_compression_boots: "compression_boots", "skin_infection_leg";
    contra_absolute_open_wound_leg_compression_boots: "compression_boots", "open_wound_leg";
    contra_absolute_fracture_recent_compression_boots: "compression_boots", "fracture_recent";
    contra_relative_dvt_history_compression_boots: "compression_boots", "dvt_history";
    contra_relative_diabetic_neuropathy_compression_boots: "compression_boots", "diabetic_neuropathy";
    contra_relative_peripheral_neuropathy_compression_boots: "compression_boots", "peripheral_neuropathy";
    contra_relative_anticoagulants_compression_boots: "compression_boots", "anticoagulants";
    contra_relative_varicose_veins_compression_boots: "compression_boots", "varicose_veins";
    contra_relative_hypertension_uncontrolled_compression_boots: "compression_boots", "hypertension_uncontrolled";
    contra_relative_pregnancy_compression_boots: "compression_boots", "pregnancy";
    contra_relative_recent_surgery_compression_boots: "compression_boots", "recent_surgery";
    contra_relative_lymphedema_compression_boots: "compression_boots", "lymphedema";
    contra_relative_cancer_active_compression_boots: "compression_boots", "cancer_active";
    contra_relative_pacemaker_compression_boots: "compression_boots", "pacemaker";
    contra_absolute_pregnancy_vibration_plate: "vibration_plate", "pregnancy";
    contra_absolute_epilepsy_vibration_plate: "vibration_plate", "epilepsy";
    contra_absolute_recent_surgery_vibration_plate: "vibration_plate", "recent_surgery";
    contra_absolute_fracture_recent_vibration_plate: "vibration_plate", "fracture_recent";
    contra_absolute_joint_replacement_vibration_plate: "vibration_plate", "joint_replacement";
    contra_absolute_pacemaker_vibration_plate: "vibration_plate", "pacemaker";
    contra_absolute_hernia_vibration_plate: "vibration_plate", "hernia";
    contra_absolute_kidney_stones_vibration_plate: "vibration_plate", "kidney_stones";
    contra_relative_osteoporosis_vibration_plate: "vibration_plate", "osteoporosis";
    contra_relative_diabetic_neuropathy_vibration_plate: "vibration_plate", "diabetic_neuropathy";
    contra_relative_cancer_active_vibration_plate: "vibration_plate", "cancer_active";
    contra_relative_hypertension_uncontrolled_vibration_plate: "vibration_plate", "hypertension_uncontrolled";
    contra_absolute_anticoagulants_massage_gun: "massage_gun", "anticoagulants";
    contra_absolute_open_wound_leg_massage_gun: "massage_gun", "open_wound_leg";
    contra_absolute_skin_infection_leg_massage_gun: "massage_gun", "skin_infection_leg";
    contra_relative_varicose_veins_massage_gun: "massage_gun", "varicose_veins";
    contra_relative_diabetic_neuropathy_massage_gun: "massage_gun", "diabetic_neuropathy";
    contra_relative_peripheral_neuropathy_massage_gun: "massage_gun", "peripheral_neuropathy";
    contra_relative_osteoporosis_massage_gun: "massage_gun", "osteoporosis";
    contra_relative_pregnancy_massage_gun: "massage_gun", "pregnancy";
    contra_absolute_open_wound_leg_foam_rolling: "foam_rolling", "open_wound_leg";
    contra_absolute_skin_infection_leg_foam_rolling: "foam_rolling", "skin_infection_leg";
    contra_relative_varicose_veins_foam_rolling: "foam_rolling", "varicose_veins";
    contra_relative_osteoporosis_foam_rolling: "foam_rolling", "osteoporosis";
    contra_relative_anticoagulants_foam_rolling: "foam_rolling", "anticoagulants";
    contra_relative_fracture_recent_walk: "walk", "fracture_recent";
    contra_relative_fracture_recent_easy_cycle: "easy_cycle", "fracture_recent";
    contra_relative_fracture_recent_dynamic_stretching: "dynamic_stretching", "fracture_recent";
    contra_relative_fracture_recent_static_stretching: "static_stretching", "fracture_recent";
}

#[test]
fn pressure_caps_from_clearances() {
    let level_of = |conditions: &[&str], clearance: Value| -> (Value, Value) {
        let p = plan(&owner_of_everything_after_hard_run(conditions, json!([clearance])));
        let prog = p["device_programs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["device"] == "compression_boots")
            .cloned()
            .unwrap_or(Value::Null);
        (prog["program"]["level"].clone(), prog["program"]["targets_mmhg"].clone())
    };
    let boots = |max: Option<u32>| {
        let mut c =
            json!({"modality": "compression_boots", "by": "physiotherapist", "date": "2026-10-01"});
        if let Some(m) = max {
            c["max_mmhg"] = json!(m);
        }
        c
    };
    // dvt_history cleared: cap 40 mmHg → level 2.
    assert_eq!(level_of(&["dvt_history"], boots(None)).0, json!(2));
    // lymphedema cleared: cap 50 → level 3 (first session anyway).
    assert_eq!(level_of(&["lymphedema"], boots(None)).0, json!(3));
    // The clearance's own cap is lower still.
    assert_eq!(level_of(&["dvt_history"], boots(Some(30))).0, json!(1));
    // Below level 1: explicit targets at the cap.
    assert_eq!(level_of(&[], boots(Some(25))), (json!(1), json!([25, 25, 25, 25, 25])));
}

#[test]
fn boots_first_session_without_history_and_normal_with_it() {
    let c = owner_of_everything_after_hard_run(&[], json!([]));
    let p = plan(&c);
    assert_eq!(p["device_programs"][0]["program"]["level"], json!(3));
    assert!(p["assumptions"].to_string().contains("first session"));
    let history = History { compression_sessions: Some(5), ..History::default() };
    let out: Value = serde_json::from_str(&plan_json(&c.to_string(), &history).unwrap()).unwrap();
    let level = out["device_programs"][0]["program"]["level"].as_u64().unwrap();
    assert!((4..=5).contains(&level), "level {level}");
}

// ---- Validation (protocol.md §1) ----

fn error_field(c: &Value) -> String {
    parse_checkin(&c.to_string()).map(|_| String::new()).unwrap_or_else(|e| e.field)
}

#[test]
fn validation_errors_name_the_field() {
    let base = checkin(json!({}), json!({}));
    assert_eq!(error_field(&base), "");
    let cases: Vec<(Value, &str)> = vec![
        (checkin(json!({}), json!({"age": 5})), "athlete.age"),
        (checkin(json!({}), json!({"goal": "sprint"})), "athlete.goal"),
        (
            checkin(json!({}), json!({"equipment": ["foam_roller", "sauna"]})),
            "athlete.equipment[1]",
        ),
        (checkin(json!({}), json!({"conditions": ["flu"]})), "athlete.conditions[0]"),
        (checkin(json!({}), json!({"agee": 30})), "athlete.agee"),
        (
            checkin(
                json!({"symptoms": [sym("sharp_pain", "calf_left"), sym("itch", "calf_left")]}),
                json!({}),
            ),
            "symptoms[1].code",
        ),
        (
            checkin(json!({"symptoms": [sym("sharp_pain", "calf_middle")]}), json!({})),
            "symptoms[0].region",
        ),
        (
            checkin(json!({"symptoms": [{"code": "swelling", "regoin": "calf_left"}]}), json!({})),
            "symptoms[0].regoin",
        ),
        (
            checkin(json!({"symptoms": [{"code": "swelling", "since_hours": -1}]}), json!({})),
            "symptoms[0].since_hours",
        ),
        (
            checkin(json!({"symptoms": [{"code": "swelling", "trend": "up"}]}), json!({})),
            "symptoms[0].trend",
        ),
        (checkin(json!({"run": {"duration_min": 0}}), json!({})), "run.duration_min"),
        (checkin(json!({"run": {"ended_at": "yesterday"}}), json!({})), "run.ended_at"),
        (checkin(json!({"soreness": {"quads": 11}}), json!({})), "soreness.quads"),
        (checkin(json!({"soreness": {"biceps": 3}}), json!({})), "soreness.biceps"),
        (checkin(json!({"symptom": []}), json!({})), "symptom"),
        (checkin(json!({"now": "2026-11-23 08:30"}), json!({})), "now"),
        (checkin(json!({"cramp_now": "all"}), json!({})), "cramp_now"),
        (
            checkin(
                json!({}),
                json!({"clearances": [{"modality": "compression_boots", "max_mmhg": 200}]}),
            ),
            "athlete.clearances[0].max_mmhg",
        ),
        (
            checkin(
                json!({}),
                json!({"clearances": [{"modality": "compression_boots", "date": "01/10/2026"}]}),
            ),
            "athlete.clearances[0].date",
        ),
    ];
    for (c, field) in cases {
        assert_eq!(error_field(&c), field, "{c}");
    }
    let e = parse_checkin(
        r#"{"now":"2026-11-23T08:30:00Z","symptoms":[{"code":"chest_pain","code":"dull_ache"}]}"#,
    )
    .unwrap_err();
    assert_eq!(e.field, "symptoms[0].code", "{e}");
    let e =
        parse_checkin(r#"{"now":"2026-11-23T08:30:00Z","symptoms":[],"symptoms":[]}"#).unwrap_err();
    assert_eq!(e.field, "symptoms", "{e}");
    let e = parse_checkin(r#"{"now":"2026-11-23T08:30:00Z"} trailing"#).unwrap_err();
    assert_eq!(e.field, "$");
    let e = parse_checkin("{not json").unwrap_err();
    assert_eq!(e.field, "$");
    let e = parse_checkin(r#"{"athlete": {}}"#).unwrap_err();
    assert_eq!(e.to_string(), "now: required: an RFC 3339 time");
    let e = parse_checkin(&checkin(json!({}), json!({"goal": "sprint"})).to_string()).unwrap_err();
    assert!(
        e.to_string().starts_with("athlete.goal: unknown code \"sprint\"; allowed: general"),
        "{e}"
    );
}

#[test]
fn times_accept_offsets_and_print_utc_whole_seconds() {
    let c = checkin(json!({"now": "2026-11-23T09:30:00.75+01:00"}), json!({}));
    let p = plan(&c);
    assert_eq!(p["generated_at"], "2026-11-23T08:30:00Z");
    assert_eq!(p["steps"][0]["start"], "2026-11-23T08:30:00Z");
}

#[test]
fn same_input_same_bytes() {
    let c = owner_of_everything_after_hard_run(&["pregnancy"], json!([])).to_string();
    let a = plan_json(&c, &History::default()).unwrap();
    let b = plan_json(&c, &History::default()).unwrap();
    assert_eq!(a, b);
}

// ---- History (what the store and the load model pass in) ----

fn plan_with(c: &Value, history: &History) -> Value {
    serde_json::from_str(&plan_json(&c.to_string(), history).unwrap()).unwrap()
}

fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

#[test]
fn prolonged_soreness_from_history() {
    use afterrun_protocol::history::SorenessRating;
    let quads = Region::from_code("quads", false).unwrap();
    // Easy run today; the last hard run was 4 days ago and the quads were at 3 yesterday, 5 now.
    let c = checkin(json!({"soreness": {"quads": 5}}), json!({}));
    let history = History {
        last_hard_run: Some(at("2026-11-19T08:00:00Z")),
        soreness_ratings: vec![SorenessRating {
            at: at("2026-11-22T08:00:00Z"),
            region: quads,
            rating: 3.0,
        }],
        ..History::default()
    };
    assert_rule(&plan_with(&c, &history), "see_physio", "prolonged_soreness");
    // Falling soreness at the same point is ordinary.
    let falling = History {
        soreness_ratings: vec![SorenessRating {
            at: at("2026-11-22T08:00:00Z"),
            region: quads,
            rating: 6.0,
        }],
        ..history.clone()
    };
    assert_eq!(level(&plan_with(&c, &falling)), "self_care");
    // Still ≥ 3 more than 7 days after the last hard run.
    let old = History { last_hard_run: Some(at("2026-11-14T08:00:00Z")), ..History::default() };
    assert_rule(&plan_with(&c, &old), "see_physio", "prolonged_soreness");
}

#[test]
fn history_volume_forecast_and_load_notes() {
    use afterrun_protocol::history::SorenessForecast;
    use afterrun_protocol::region::Group;
    // Not high-volume by profile, easy run, mild soreness: no boots...
    let c = checkin(json!({"soreness": {"quads": 3}}), json!({}));
    let p = plan(&c);
    assert!(!step_modalities(&p).contains(&"compression_boots".to_string()));
    // ...unless the athlete's own load is in the top band.
    let history = History {
        high_volume: true,
        compression_sessions: Some(3),
        forecast: vec![SorenessForecast {
            group: Group::Glutes,
            peak: 5.0,
            peak_at: at("2026-11-24T10:00:00Z"),
        }],
        acwr: Some(1.62),
        monotony: Some(2.4),
        ..History::default()
    };
    let p = plan_with(&c, &history);
    assert!(step_modalities(&p).contains(&"compression_boots".to_string()));
    assert!(!p["assumptions"].to_string().contains("first session"));
    let foam =
        p["steps"].as_array().unwrap().iter().find(|s| s["modality"] == "foam_rolling").unwrap();
    assert!(
        foam["targets"].as_array().unwrap().contains(&json!("glutes")),
        "forecast group targeted"
    );
    let notes = p["notes"].to_string();
    assert!(notes.contains("1.62") && notes.contains("2.40"), "{notes}");
}

#[test]
fn learned_ranking_chooses_between_open_options_only() {
    use afterrun_protocol::codes::Modality;
    let c = owner_of_everything_after_hard_run(&[], json!([]));
    let prefers_plate = History {
        ranking: vec![Modality::VibrationPlate, Modality::CompressionBoots],
        ..History::default()
    };
    let p = plan_with(&c, &prefers_plate);
    let at_90: Vec<String> = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["offset_min"] == 90)
        .map(|s| s["modality"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(at_90, ["vibration_plate"]);
    // Never past a contraindication: pregnancy blocks the plate absolutely (and the boots
    // relatively, uncleared), so neither appears whatever the ranking.
    let pregnant = owner_of_everything_after_hard_run(&["pregnancy"], json!([]));
    let p = plan_with(&pregnant, &prefers_plate);
    assert!(!step_modalities(&p).contains(&"vibration_plate".to_string()));
}

#[test]
fn dizziness() {
    // At any level, dizziness keeps the athlete off the vibration plate.
    let p = with_symptoms(json!([sym("dizziness", "whole_body")]));
    assert!(has_block(&p, "vibration_plate", "all", "dizziness"));
    assert!(!step_modalities(&p).contains(&"vibration_plate".to_string()));
}

#[test]
fn fever() {
    // Fever with a leg sign is an infection risk, not "fever alone".
    let p = assert_fires(
        json!([sym("fever", "whole_body"), sym("swelling", "ankle_left")]),
        "urgent_care",
        "possible_infection",
    );
    assert!(!p["triage"]["blocked"].to_string().contains("\"fever\""));
}

// ---- Triage v2 (protocol.md §2 rows and "More rules (v2)") ----

fn sym_after(code: &str, region: &str, after: &str) -> Value {
    json!({"code": code, "region": region, "since_hours": 2, "trend": "stable", "after": after})
}

fn text_of(p: &Value) -> String {
    let mut out = vec![p["triage"]["advice"].to_string(), p["notes"].to_string()];
    for r in p["triage"]["reasons"].as_array().unwrap() {
        out.push(r["text"].to_string());
    }
    for s in p["steps"].as_array().unwrap() {
        out.push(s["instructions"].to_string());
        out.push(s["why"].to_string());
    }
    out.join(" ")
}

#[test]
fn possible_cardiac() {
    // Any code on the chest, never muscle soreness.
    for code in ["sharp_pain", "dull_ache", "severe_muscle_pain", "weakness", "bruising", "fever"] {
        assert_referral_only(json!([sym(code, "chest")]), "emergency", "possible_cardiac");
    }
    // A soreness rating or a cramp in the chest.
    assert_rule(
        &plan(&checkin(json!({"soreness": {"chest": 3}}), json!({}))),
        "emergency",
        "possible_cardiac",
    );
    assert_rule(
        &plan(&checkin(json!({"cramp_now": "chest"}), json!({}))),
        "emergency",
        "possible_cardiac",
    );
    // Dizziness with breathlessness.
    assert_fires(
        json!([sym("dizziness", "whole_body"), sym("shortness_of_breath", "whole_body")]),
        "emergency",
        "possible_cardiac",
    );
    // A chest rating of 0 is nothing.
    assert_eq!(level(&plan(&checkin(json!({"soreness": {"chest": 0}}), json!({})))), "self_care");
}

#[test]
fn exertional_dizziness() {
    let p = assert_fires(
        json!([sym_after("dizziness", "whole_body", "sudden_onset_during_run")]),
        "urgent_care",
        "exertional_dizziness",
    );
    assert!(!step_modalities(&p).contains(&"walk".to_string()));
    // Dizziness that did not start during the run, 20 min after it: a physiotherapist, and
    // rest with the legs raised instead of the walk.
    let p = with_symptoms(json!([sym("dizziness", "whole_body")]));
    assert_eq!(level(&p), "see_physio");
    let m = step_modalities(&p);
    assert!(!m.contains(&"walk".to_string()) && m.contains(&"rest".to_string()), "{m:?}");
    assert!(text_of(&p).contains("legs raised"));
}

#[test]
fn neurological_deficit() {
    for symptoms in [
        // Weakness with numbness on the same leg (foot drop).
        json!([sym("weakness", "foot_left"), sym("numbness", "shin_left")]),
        // Nerve signs on both legs, mixed codes.
        json!([sym("tingling", "foot_left"), sym("numbness", "calf_right")]),
        // A bare group is both legs.
        json!([sym("numbness", "feet")]),
        // A leg sign with back pain.
        json!([sym("tingling", "hamstrings_left"), sym("dull_ache", "lower_back")]),
    ] {
        assert_fires(symptoms, "urgent_care", "neurological_deficit");
    }
    // One numb foot alone stays with the physiotherapist.
    assert_fires(json!([sym("numbness", "foot_left")]), "see_physio", "nerve_symptoms");
    // Weakness and numbness on opposite legs: both legs, still urgent.
    let p = with_symptoms(json!([sym("weakness", "quads_left"), sym("numbness", "foot_right")]));
    assert_eq!(level(&p), "urgent_care");
}

#[test]
fn bleeding_risk_injury() {
    let anticoagulated = |symptoms: Value| {
        plan(&checkin(json!({"symptoms": symptoms}), json!({"conditions": ["anticoagulants"]})))
    };
    for code in ["swelling", "bruising", "sharp_pain", "dull_ache"] {
        let p = anticoagulated(json!([sym_after(code, "thigh_left", "fall")]));
        assert_rule(&p, "urgent_care", "bleeding_risk_injury");
        assert!(p["triage"]["advice"].as_str().unwrap().contains("hit your head"));
    }
    // The event can be on another symptom of the same side.
    let p = anticoagulated(json!([
        sym("bruising", "calf_right"),
        sym_after("dull_ache", "knee_right", "twist")
    ]));
    assert_rule(&p, "urgent_care", "bleeding_risk_injury");
    // Without blood thinners the same bruise after a fall is a physiotherapist's.
    let p = with_symptoms(json!([sym_after("bruising", "quads_left", "fall")]));
    assert_eq!(level(&p), "see_physio");
}

#[test]
fn possible_rhabdomyolysis_before_the_urine_darkens() {
    // Severe pain with weakness.
    assert_fires(
        json!([sym("severe_muscle_pain", "quads_left"), sym("weakness", "calves_right")]),
        "urgent_care",
        "possible_rhabdomyolysis",
    );
    // Severe pain in two groups after a hard run (an ultra).
    let ultra = json!({"ended_at": "2026-11-23T08:10:00Z", "duration_min": 600, "rpe": 9});
    let c = checkin(
        json!({"run": ultra, "symptoms": [sym("severe_muscle_pain", "quads_left"), sym("severe_muscle_pain", "calves_left")]}),
        json!({}),
    );
    assert_rule(&plan(&c), "urgent_care", "possible_rhabdomyolysis");
    // A bare group counts as two.
    let c =
        checkin(json!({"run": ultra, "symptoms": [sym("severe_muscle_pain", "quads")]}), json!({}));
    assert_rule(&plan(&c), "urgent_care", "possible_rhabdomyolysis");
    // After an easy, known run one severe group is a physiotherapist's.
    let p = with_symptoms(json!([
        sym("severe_muscle_pain", "quads_left"),
        sym("severe_muscle_pain", "calves_left")
    ]));
    assert_eq!(level(&p), "see_physio");
    // The run's duration and effort unknown: as if hard.
    let c = checkin(
        json!({"run": {"ended_at": "2026-11-23T08:10:00Z"}, "symptoms": [sym("severe_muscle_pain", "whole_body")]}),
        json!({}),
    );
    assert_rule(&plan(&c), "urgent_care", "possible_rhabdomyolysis");
}

#[test]
fn possible_fracture_or_rupture_ottawa() {
    for region in ["ankle_right", "foot_left", "shin_left", "knee_right", "hip_left"] {
        assert_fires(
            json!([sym_after("focal_bone_tenderness", region, "twist")]),
            "urgent_care",
            "possible_fracture_or_rupture",
        );
    }
    // The twist named on the swelling beside it.
    assert_fires(
        json!([
            sym("focal_bone_tenderness", "ankle_left"),
            sym_after("swelling", "ankle_left", "twist")
        ]),
        "urgent_care",
        "possible_fracture_or_rupture",
    );
    // Bone tenderness with no injury: bone stress, a physiotherapist, stop running.
    assert_fires(
        json!([sym("focal_bone_tenderness", "shin_left")]),
        "see_physio",
        "possible_bone_stress_injury",
    );
}

#[test]
fn possible_fracture_or_rupture_achilles_pop() {
    for region in ["achilles_left", "calf_right", "calves", "ankle_left"] {
        assert_fires(
            json!([sym("pop_or_snap", region)]),
            "urgent_care",
            "possible_fracture_or_rupture",
        );
    }
}

#[test]
fn possible_heat_illness() {
    // A fever that began 1 h after the run.
    let mut f = sym("fever", "whole_body");
    f["since_hours"] = json!(0.1);
    let p = plan(&checkin(json!({"symptoms": [f], "now": "2026-11-23T09:20:00Z"}), json!({})));
    assert_rule(&p, "urgent_care", "possible_heat_illness");
    // A fever that began during the run.
    let mut f = sym("fever", "whole_body");
    f["since_hours"] = json!(0.5);
    assert_fires(json!([f]), "urgent_care", "possible_heat_illness");
    // Onset unknown: toward safety.
    let f = json!({"code": "fever", "region": "whole_body", "trend": "stable", "after": "none"});
    assert_fires(json!([f]), "urgent_care", "possible_heat_illness");
    // A fever from before the run is a fever, not heat illness.
    assert_fires(json!([sym("fever", "whole_body")]), "self_care", "fever");
}

#[test]
fn over_tendon() {
    let c = checkin(json!({"soreness": {"calves": 6}}), json!({}));
    let p = plan(&c);
    for side in ["left", "right"] {
        assert!(has_block(&p, "massage_gun", &format!("achilles_{side}"), "over_tendon"));
    }
    for s in p["steps"].as_array().unwrap().iter().filter(|s| s["modality"] == "massage_gun") {
        assert!(!s["targets"].to_string().contains("achilles"));
    }
}

#[test]
fn unexplained_symptom_is_the_fallback_anywhere() {
    // Every code on every region other than the chest is at least see_physio, except a dull
    // ache and a fever (self-care rows of their own).
    for code in afterrun_protocol::codes::SymptomCode::ALL {
        for region in ["quads_left", "lower_back", "whole_body", "knee_right", "hip_left"] {
            let p = with_symptoms(json!([sym(code.code(), region)]));
            let selfcare = matches!(code.code(), "dull_ache" | "fever");
            assert!(selfcare || level(&p) != "self_care", "{} on {region}", code.code());
        }
    }
    let p =
        assert_fires(json!([sym("weakness", "quads_left")]), "see_physio", "unexplained_symptom");
    assert!(p["triage"]["reasons"][0]["text"].as_str().unwrap().starts_with("Weakness"));
}

#[test]
fn fever_only_plan_leads_with_the_fever() {
    let p = with_symptoms(json!([sym("fever", "whole_body")]));
    assert_eq!(reasons(&p), ["fever"]);
    assert_eq!(p["triage"]["advice"], p["triage"]["reasons"][0]["text"]);
    assert!(!text_of(&p).contains("ordinary post-run soreness"));
    let hydration = p["steps"].as_array().unwrap().iter().find(|s| s["modality"] == "hydration");
    assert_eq!(hydration.unwrap()["offset_min"], 0);
}

#[test]
fn words_fit_the_finding() {
    // No pain reported: no "pain" in the verdict.
    let p = plan(&checkin(
        json!({"symptoms": [sym("numbness", "foot_left")], "soreness": {}}),
        json!({}),
    ));
    let advice = p["triage"]["advice"].as_str().unwrap();
    assert!(advice.contains("numbness") && !advice.contains("pain"), "{advice}");
    assert!(!p["notes"].to_string().contains("pain"), "{}", p["notes"]);
    let p = with_symptoms(json!([sym("sharp_pain", "quads_left")]));
    assert!(p["triage"]["advice"].as_str().unwrap().contains("Do not run through the pain"));
    // No raw codes in any text a runner reads.
    let c = checkin(
        json!({"symptoms": [sym("dizziness", "whole_body"), sym("tingling", "calves_right")]}),
        json!({"conditions": ["dvt_history"], "clearances": [{"modality": "compression_boots", "by": "doctor", "date": "2026-10-01"}], "weekly_km": 80}),
    );
    let text = text_of(&plan(&c));
    for code in ["compression_boots", "dvt_history", "calves_right", "right calves", "_"] {
        assert!(!text.contains(code), "{code} in {text}");
    }
}

#[test]
fn urgent_plans_say_only_what_to_do_now() {
    let c = checkin(
        json!({"symptoms": [sym("swelling", "calf_left")], "soreness": {}}),
        json!({"conditions": ["pregnancy"]}),
    );
    let p = plan(&c);
    assert_eq!(level(&p), "urgent_care");
    assert_eq!(p["notes"], json!([]), "no standing note");
    for b in p["triage"]["blocked"].as_array().unwrap() {
        assert_eq!(b["region"], "all", "no per-region block: {b}");
    }
    assert!(!p["assumptions"].to_string().contains("major groups"));
    assert_only_referral_and_rest(&p);
}

#[test]
fn lower_back_finding_blocks_the_plate() {
    let p = with_symptoms(json!([sym("focal_bone_tenderness", "lower_back")]));
    assert_eq!(level(&p), "see_physio");
    assert!(has_block(&p, "vibration_plate", "all", "possible_bone_stress_injury"));
    assert!(!step_modalities(&p).contains(&"vibration_plate".to_string()));
}

#[test]
fn cramp_with_pain_is_not_stretched() {
    for extra in [
        sym("sharp_pain", "calves_left"),
        sym("pain_with_stretch", "calf_left"),
        sym_after("dull_ache", "calves_left", "sudden_onset_during_run"),
    ] {
        let p = plan(&checkin(json!({"cramp_now": "calves_left", "symptoms": [extra]}), json!({})));
        assert!(!step_modalities(&p).contains(&"static_stretching".to_string()), "{p}");
        let cramp = p["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["targets"] == json!(["calves_left"]) && s["modality"] == "rest");
        let text = cramp.expect("a step for the cramp")["instructions"].to_string();
        assert!(text.contains("not stretching") && text.contains("left calf"), "{text}");
    }
}

#[test]
fn stretch_names_the_cramped_group() {
    for (region, words) in [
        ("calves_right", "toes toward you"),
        ("hamstrings_left", "hinge"),
        ("quads", "heel toward the buttock"),
        ("feet_left", "toes up"),
    ] {
        let p = plan(&checkin(json!({"cramp_now": region}), json!({})));
        let first = &p["steps"][0];
        assert_eq!(first["modality"], "static_stretching");
        assert!(first["instructions"].to_string().contains(words), "{region}: {first}");
    }
    // Stretching blocked (a recent fracture): the cramp still gets a step.
    let p = plan(&checkin(
        json!({"cramp_now": "calves_left"}),
        json!({"conditions": ["fracture_recent"]}),
    ));
    assert_eq!(p["steps"][0]["modality"], "rest");
    assert!(p["steps"][0]["instructions"].to_string().contains("gentle massage"));
}

#[test]
fn whole_body_soreness_counts_for_every_group() {
    let p = plan(&checkin(json!({"soreness": {"whole_body": 8}}), json!({})));
    let foam =
        p["steps"].as_array().unwrap().iter().find(|s| s["modality"] == "foam_rolling").unwrap();
    for g in ["quads", "hamstrings", "calves", "glutes", "adductors"] {
        assert!(foam["targets"].to_string().contains(g), "{g}: {foam}");
    }
    assert_eq!(foam["dose"]["pressure"], "light", "very sore everywhere");
}

#[test]
fn no_step_overlaps_the_next_run() {
    // Boots that cannot end 30 min before a run in 75 min are left out; the plate warm-up stays.
    let c = checkin(
        json!({"next_run_at": "2026-11-23T09:45:00Z", "soreness": {"calves": 4}}),
        json!({"weekly_km": 80}),
    );
    let p = plan(&c);
    let m = step_modalities(&p);
    assert!(!m.contains(&"compression_boots".to_string()), "{m:?}");
    assert!(p["notes"].to_string().contains("left out: not enough time before your next run"));
    // A run in 130 min: the boots move earlier to end 30 min before it.
    let c = checkin(json!({"next_run_at": "2026-11-23T10:40:00Z"}), json!({"weekly_km": 80}));
    let p = plan(&c);
    let boots = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["modality"] == "compression_boots")
        .unwrap();
    let end = boots["offset_min"].as_u64().unwrap() * 60 + boots["duration_s"].as_u64().unwrap();
    assert!(end <= 100 * 60 && boots["offset_min"].as_u64().unwrap() >= 60, "{boots}");
    assert!(p["notes"].to_string().contains("moved to end before your next run"));
}

#[test]
fn consider_note_never_names_a_blocked_modality() {
    // A pregnant runner without a massage gun: the gun is blocked on her calves, so it is not
    // suggested.
    let c = checkin(json!({}), json!({"equipment": ["foam_roller"], "conditions": ["pregnancy"]}));
    assert!(!plan(&c)["notes"].to_string().contains("massage gun"));
    let c = checkin(json!({}), json!({"equipment": ["foam_roller"]}));
    assert!(plan(&c)["notes"].to_string().contains("Consider a massage gun"));
}

#[test]
fn bone_stress_replaces_the_next_run_note() {
    let c = checkin(
        json!({"symptoms": [sym("focal_bone_tenderness", "shin_left")], "soreness": {"calves": 8}}),
        json!({}),
    );
    let notes = plan(&c)["notes"].to_string();
    assert!(notes.contains("Stop running"));
    assert!(!notes.contains("make it easy"), "{notes}");
}

#[test]
fn run_without_an_end_counts_as_just_ended() {
    use afterrun_protocol::history::SorenessRating;
    // A hard run in the check-in without `ended_at`, older history: no prolonged soreness.
    let c = checkin(
        json!({"run": {"duration_min": 150, "distance_km": 30}, "soreness": {"quads": 5}}),
        json!({}),
    );
    let history = History {
        last_hard_run: Some(at("2026-11-01T08:00:00Z")),
        soreness_ratings: vec![SorenessRating {
            at: at("2026-11-02T08:00:00Z"),
            region: Region::from_code("quads", false).unwrap(),
            rating: 2.0,
        }],
        ..History::default()
    };
    let p = plan_with(&c, &history);
    assert_eq!(level(&p), "self_care", "{p}");
    assert!(p["assumptions"].to_string().contains("the run's end not given"));
    // Dizziness after a run whose end is unknown: as if it ended long ago.
    let c = checkin(
        json!({"run": {"duration_min": 40}, "symptoms": [sym("dizziness", "whole_body")]}),
        json!({}),
    );
    assert_rule(&plan(&c), "urgent_care", "persistent_dizziness");
}

#[test]
fn times_must_be_in_order_and_plausible() {
    let field = |extra: Value| error_field(&checkin(extra, json!({})));
    assert_eq!(field(json!({"run": {"ended_at": "2026-11-23T09:00:00Z"}})), "run.ended_at");
    assert_eq!(field(json!({"next_run_at": "2026-11-23T08:00:00Z"})), "next_run_at");
    assert_eq!(field(json!({"now": "0000-01-01T00:00:00Z"})), "now");
    assert_eq!(field(json!({"now": "1989-12-31T23:59:59Z"})), "now");
    assert_eq!(field(json!({"now": "9999-12-31T00:00:00Z", "next_run_at": null})), "now");
    assert_eq!(field(json!({"now": "-0001-01-01T00:00:00Z"})), "now");
    let e = parse_checkin(&checkin(json!({"now": "9999-12-31T00:00:00Z"}), json!({})).to_string())
        .unwrap_err();
    assert!(e.message.contains("1990") && !e.message.contains("malformed"), "{e}");
    let c = checkin(
        json!({}),
        json!({"clearances": [{"modality": "compression_boots", "by": "doctor", "date": "1901-01-01"}]}),
    );
    assert_eq!(error_field(&c), "athlete.clearances[0].date");
    // A byte-order mark is ignored.
    let text = format!("\u{feff}{}", checkin(json!({}), json!({})));
    assert!(parse_checkin(&text).is_ok());
}

#[test]
fn clearance_without_date_or_by_a_clinician_lifts_nothing() {
    for clearance in [
        json!({"modality": "compression_boots", "by": "physiotherapist"}),
        json!({"modality": "compression_boots", "by": "other", "date": "2026-10-01"}),
        json!({"modality": "compression_boots", "date": "2026-10-01"}),
    ] {
        let p = plan(&owner_of_everything_after_hard_run(&["dvt_history"], json!([clearance])));
        assert!(has_block(&p, "compression_boots", "all", "contra_relative:dvt_history"));
        assert!(p["assumptions"].to_string().contains("lifts nothing"));
    }
}

/// Every row of the triage table has its canonical test above (named after its reason code).
#[test]
fn every_triage_row_has_a_test() {
    let tested: &[(&str, fn())] = &[
        ("possible_pe", possible_pe),
        ("possible_cardiac", possible_cardiac),
        ("acute_limb_ischaemia", acute_limb_ischaemia),
        ("acute_compartment_syndrome", acute_compartment_syndrome),
        ("possible_limb_ischaemia", possible_limb_ischaemia),
        ("possible_compartment_syndrome", possible_compartment_syndrome),
        ("suspected_dvt", suspected_dvt),
        ("suspected_dvt", suspected_dvt_warm_or_red_and_painful),
        ("possible_rhabdomyolysis", possible_rhabdomyolysis),
        ("possible_rhabdomyolysis", possible_rhabdomyolysis_before_the_urine_darkens),
        ("possible_fracture_or_rupture", possible_fracture_or_rupture),
        ("possible_fracture_or_rupture", possible_fracture_or_rupture_ottawa),
        ("possible_fracture_or_rupture", possible_fracture_or_rupture_achilles_pop),
        ("possible_infection", possible_infection),
        ("persistent_dizziness", persistent_dizziness),
        ("exertional_dizziness", exertional_dizziness),
        ("neurological_deficit", neurological_deficit),
        ("bleeding_risk_injury", bleeding_risk_injury),
        ("possible_heat_illness", possible_heat_illness),
        ("persistent_or_worsening_pain", persistent_or_worsening_pain),
        ("swelling", swelling),
        ("nerve_symptoms", nerve_symptoms),
        ("possible_bone_stress_injury", possible_bone_stress_injury),
        ("acute_injury", acute_injury),
        ("recurrent_cramps", recurrent_cramps),
        ("prolonged_soreness", prolonged_soreness),
        ("unexplained_symptom", unexplained_symptom),
        ("unexplained_symptom", unexplained_symptom_is_the_fallback_anywhere),
        ("fever", fever_only_plan_leads_with_the_fever),
        ("doms_expected", doms_expected),
    ];
    for row in afterrun_protocol::triage::table::ROWS {
        let n = tested.iter().filter(|(code, _)| *code == row.rule.code).count();
        let rows = afterrun_protocol::triage::table::ROWS
            .iter()
            .filter(|r| r.rule.code == row.rule.code)
            .count();
        assert!(n >= rows, "{} has {rows} rows and {n} tests", row.rule.code);
    }
}
