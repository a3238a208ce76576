//! Issue 8 through the real binary over a real SQLite file: `checkin` stores each plan's
//! outcome when the next check-in arrives, the plan names what has helped once the evidence is
//! enough, `status` shows "what works for you", `insights --json` gives the documented shape,
//! and `guide` fills its blank with the store's figures.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use common::{afterrun_ok, temp_dir};

use serde_json::Value;

fn step_index(plan: &Value, modality: &str) -> Option<usize> {
    plan["steps"].as_array().unwrap().iter().position(|s| s["modality"] == modality)
}

#[test]
fn outcomes_learning_status_insights_and_guide() {
    let dir = temp_dir("learning-cli");
    let db = dir.join("a.db");

    // Nothing learned yet: status says so, and the plan carries no learned note.
    let status: Value = serde_json::from_str(&afterrun_ok(&db, &["status", "--json"])).unwrap();
    assert_eq!(status["what_works"]["outcomes"], 0);
    assert_eq!(status["what_works"]["effects"], serde_json::json!([]));

    // Fourteen daily check-ins: foam rolling done on even days, and the next day's soreness is
    // low after it (1) and high without it (6).
    let mut last = Value::Null;
    for day in 0..14 {
        let now = format!("2026-10-{:02}T08:00:00Z", day + 1);
        let sore = if day > 0 && day % 2 == 1 {
            "quads=1,hamstrings=1,calves=1"
        } else {
            "quads=6,hamstrings=6,calves=6"
        };
        let plan: Value = serde_json::from_str(&afterrun_ok(
            &db,
            &["checkin", "--json", "--now", &now, "--sore", sore, "--equipment", "foam_roller"],
        ))
        .unwrap();
        if day % 2 == 0 {
            let k = step_index(&plan, "foam_rolling").expect("a foam rolling step");
            afterrun_ok(&db, &["done", &k.to_string()]);
        }
        last = plan;
    }
    let export: Value = serde_json::from_str(&afterrun_ok(&db, &["export"])).unwrap();
    let outcomes = export["outcomes"].as_array().unwrap();
    // 13 plans have a next check-in 24 h later; each targets the three rated groups.
    assert_eq!(outcomes.len(), 13 * 3, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| o["residual"].as_f64().is_some()));

    // The last plan was made before its own check-in was saved: it knows 12 outcomes, 6 of
    // them after foam rolling.
    let notes: Vec<&str> =
        last["notes"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(
        notes.iter().any(|n| n.starts_with("For you, foam rolling has been followed by")
            && n.contains("less soreness than expected, over 6 sessions")),
        "{notes:?}"
    );

    let status: Value = serde_json::from_str(&afterrun_ok(&db, &["status", "--json"])).unwrap();
    let ww = &status["what_works"];
    assert_eq!(ww["outcomes"], 13);
    let foam = ww["effects"].as_array().unwrap().iter().find(|e| e["modality"] == "foam_rolling");
    let foam = foam.unwrap_or_else(|| panic!("{ww}"));
    assert!(foam["effect"].as_f64().unwrap() < -1.0, "{foam}");
    assert_eq!(foam["sessions"], 7);
    let text = afterrun_ok(&db, &["status"]);
    assert!(text.contains("What works for you\n  For you, foam rolling"), "{text}");

    // One athlete: every figure is shown.
    let doc: Value = serde_json::from_str(&afterrun_ok(&db, &["insights", "--json"])).unwrap();
    assert_eq!(doc["multi_user"], false);
    assert_eq!((doc["runners"].as_u64(), doc["sessions"].as_u64()), (Some(1), Some(13)));
    let foam =
        doc["modalities"].as_array().unwrap().iter().find(|m| m["modality"] == "foam_rolling");
    let foam = foam.unwrap();
    // After foam: the forecast starts from the 6/10 reported the day before (anchored, 48 h
    // decay: about 3.6 a day later), so a residual of 1 − 3.6 ≤ −1 counts as improved every time.
    assert_eq!((foam["sessions"].as_u64(), foam["improved"].as_u64()), (Some(7), Some(7)));
    assert_eq!(foam["share"], 1.0);
    assert!(foam["interval"]["low"].as_f64().unwrap() < 0.7);
    // --multi-user hides figures over fewer than 10 runners.
    let doc: Value =
        serde_json::from_str(&afterrun_ok(&db, &["insights", "--json", "--multi-user"])).unwrap();
    assert_eq!(doc["modalities"], serde_json::json!([]));
    assert!(doc["withheld"].as_array().unwrap().iter().any(|w| w == "foam_rolling"));

    let guide = afterrun_ok(&db, &["guide", "massage"]);
    assert!(guide.contains("After foam rolling, 100 % of sessions"), "{guide}");
    let _ = std::fs::remove_dir_all(&dir);
}
