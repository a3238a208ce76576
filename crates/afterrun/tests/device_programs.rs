//! The planner's device programs run in the simulator as planned: every compression or vibration
//! step of a plan carries a program the controller accepts, and running it ends vented/stopped,
//! with no fault, within the pressure the athlete may have (protocol.md §3 and §7: a first
//! session at level ≤ 3, a cleared `dvt_history` capped at 40 mmHg, `lymphedema` at 50).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_afterrun"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("afterrun-device-programs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn plan(name: &str, checkin: &Value) -> (PathBuf, Value) {
    let path = scratch(&format!("{name}.checkin.json"));
    std::fs::write(&path, checkin.to_string()).unwrap();
    let out = bin()
        .args(["plan", "--json", "--checkin"])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    let plan_path = scratch(&format!("{name}.plan.json"));
    std::fs::write(&plan_path, &out.stdout).unwrap();
    (plan_path, serde_json::from_slice(&out.stdout).unwrap())
}

/// Runs the plan's program for `device` in the simulator and returns the summary line.
fn simulate(name: &str, plan_path: &PathBuf, device: &str) -> Value {
    let out = bin()
        .args(["device", device, "--sim", "--json", "--from-plan"])
        .arg(plan_path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().expect("a trace");
    let summary: Value = serde_json::from_str(last).unwrap();
    summary["summary"].clone()
}

fn checkin(athlete: Value, soreness: Value) -> Value {
    json!({
        "now": "2026-11-23T08:30:00Z",
        "athlete": athlete,
        "run": {"ended_at": "2026-11-23T08:10:00Z", "duration_min": 150, "distance_km": 32,
                "ascent_m": 60, "descent_m": 60, "avg_hr": 148, "rpe": 7},
        "soreness": soreness,
        "symptoms": [],
        "next_run_at": "2026-11-24T17:00:00Z"
    })
}

#[test]
fn planned_programs_run_clean_within_the_athletes_cap() {
    let everything = json!(["foam_roller", "massage_gun", "compression_boots", "vibration_plate"]);
    let cases = [
        (
            "marathoner",
            checkin(
                json!({"weekly_km": 95, "goal": "marathon", "equipment": everything}),
                json!({"quads": 5, "calves": 5}),
            ),
            50.0, // no stored history: a first session, level ≤ 3
        ),
        (
            "dvt-cleared",
            checkin(
                json!({"weekly_km": 95, "goal": "marathon", "equipment": everything,
                       "conditions": ["dvt_history"],
                       "clearances": [{"modality": "compression_boots", "by": "physiotherapist",
                                       "date": "2026-10-01"}]}),
                json!({"quads": 6}),
            ),
            40.0,
        ),
        (
            "lymphedema-cleared",
            checkin(
                json!({"weekly_km": 95, "goal": "ultra", "equipment": everything,
                       "conditions": ["lymphedema"],
                       "clearances": [{"modality": "compression_boots", "by": "doctor",
                                       "date": "2026-10-01", "max_mmhg": 45}]}),
                json!({"calves": 6}),
            ),
            45.0,
        ),
    ];
    for (name, checkin, cap) in cases {
        let (plan_path, plan) = plan(name, &checkin);
        let programs = plan["device_programs"].as_array().unwrap();
        let boots = programs.iter().find(|p| p["device"] == "compression_boots");
        let boots = boots.unwrap_or_else(|| panic!("{name}: a compression step: {programs:?}"));
        let step = &plan["steps"][boots["step"].as_u64().unwrap() as usize];
        assert_eq!(step["modality"], "compression_boots", "{name}: the program's step index");
        let summary = simulate(name, &plan_path, "compression");
        assert_eq!(summary["ended_safe"], true, "{name}: {summary}");
        assert_eq!(summary["faults"], json!([]), "{name}: {summary}");
        let max = summary["max_pressure_mmhg"].as_f64().unwrap();
        // The simulator's physical pressure: the target plus the controller's small overshoot.
        assert!(max <= cap + 5.0, "{name}: {max} mmHg against a cap of {cap}");
        assert!(summary["cycles"].as_u64().unwrap() > 0, "{name}: {summary}");

        if let Some(plate) = programs.iter().find(|p| p["device"] == "vibration_plate") {
            let step = &plan["steps"][plate["step"].as_u64().unwrap() as usize];
            assert_eq!(step["modality"], "vibration_plate", "{name}");
            let summary = simulate(name, &plan_path, "vibration");
            assert_eq!(summary["ended_safe"], true, "{name}: {summary}");
            assert_eq!(summary["faults"], json!([]), "{name}: {summary}");
        }
    }
}
