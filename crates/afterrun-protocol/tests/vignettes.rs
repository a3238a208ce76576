//! Issue 2 acceptance: every clinical vignette in `shared/vignettes/` passes, checked through
//! the public API and the contract JSON (what the CLI prints).

// Test helpers panic on purpose: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use afterrun_protocol::region::Region;
use afterrun_protocol::{History, plan_json};
use serde_json::Value;

mod common;

const LEVELS: [&str; 4] = ["self_care", "see_physio", "urgent_care", "emergency"];

fn level_rank(level: &str) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or_else(|| panic!("unknown level {level}"))
}

fn region(code: &str) -> Region {
    Region::from_code(code, true).unwrap_or_else(|| panic!("unknown region {code}"))
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// The contract invariant: no step uses a blocked modality on a target overlapping the block.
pub fn check_no_blocked_step(plan: &Value) -> Result<(), String> {
    let blocked = plan["triage"]["blocked"].as_array().cloned().unwrap_or_default();
    for (i, step) in plan["steps"].as_array().cloned().unwrap_or_default().iter().enumerate() {
        let modality = step["modality"].as_str().unwrap_or_default();
        for target in strs(&step["targets"]) {
            for b in &blocked {
                if b["modality"] == modality
                    && region(b["region"].as_str().unwrap_or_default()).overlaps(region(target))
                {
                    return Err(format!("step {i} ({modality}) on {target} is blocked: {b}"));
                }
            }
        }
    }
    Ok(())
}

fn check(name: &str, case: &Value) -> Result<(), String> {
    let checkin = serde_json::to_string(&case["checkin"]).map_err(|e| e.to_string())?;
    let out = plan_json(&checkin, &History::default()).map_err(|e| format!("rejected: {e}"))?;
    let plan: Value = serde_json::from_str(&out).map_err(|e| e.to_string())?;
    let expect = &case["expect"];
    let level = plan["triage"]["level"].as_str().unwrap_or_default();
    let (lo, hi) = (
        level_rank(expect["min_level"].as_str().unwrap_or("self_care")),
        level_rank(expect["max_level"].as_str().unwrap_or("emergency")),
    );
    if !(lo..=hi).contains(&level_rank(level)) {
        return Err(format!("{name}: level {level} outside {lo}..={hi}"));
    }
    let blocked = plan["triage"]["blocked"].as_array().cloned().unwrap_or_default();
    for mb in expect["must_block"].as_array().cloned().unwrap_or_default() {
        let want = region(mb["region"].as_str().unwrap_or_default());
        let found = blocked.iter().any(|b| {
            b["modality"] == mb["modality"]
                && region(b["region"].as_str().unwrap_or_default()).covers(want)
        });
        if !found {
            return Err(format!("{name}: missing block {mb}"));
        }
    }
    let steps = plan["steps"].as_array().cloned().unwrap_or_default();
    for m in strs(&expect["must_not_step"]) {
        if steps.iter().any(|s| s["modality"] == m) {
            return Err(format!("{name}: step {m} must not appear"));
        }
    }
    for ms in expect["must_step"].as_array().cloned().unwrap_or_default() {
        let ok = steps.iter().any(|s| {
            if s["modality"] != ms["modality"] {
                return false;
            }
            if let Some(range) = ms["offset_min_range"].as_array() {
                let off = s["offset_min"].as_f64().unwrap_or(-1.0);
                let lo = range[0].as_f64().unwrap_or(0.0);
                let hi = range[1].as_f64().unwrap_or(0.0);
                if off < lo || off > hi {
                    return false;
                }
            }
            let targets: Vec<Region> = strs(&s["targets"]).into_iter().map(region).collect();
            if !strs(&ms["targets_include"])
                .into_iter()
                .all(|t| targets.iter().any(|have| have.covers(region(t))))
            {
                return false;
            }
            if let Some(dose) = ms["dose"].as_object() {
                for (k, bound) in dose {
                    let have = &s["dose"][k];
                    let fits = match bound.as_array().map(Vec::as_slice) {
                        Some([lo, hi]) if lo.is_number() => {
                            let v = have.as_f64().unwrap_or(f64::NAN);
                            v >= lo.as_f64().unwrap_or(0.0) && v <= hi.as_f64().unwrap_or(0.0)
                        }
                        Some(words) => words.contains(have),
                        None => false,
                    };
                    if !fits {
                        return false;
                    }
                }
            }
            true
        });
        if !ok {
            return Err(format!("{name}: no step matches {ms}"));
        }
    }
    check_no_blocked_step(&plan).map_err(|e| format!("{name}: {e}"))
}

#[test]
fn every_vignette_passes() {
    let all = common::vignettes();
    assert!(all.len() >= 12, "expected the vignettes, found {}", all.len());
    let failures: Vec<String> =
        all.iter().filter_map(|(name, case)| check(name, case).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
