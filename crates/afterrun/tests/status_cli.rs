//! `afterrun status` run as the real binary over a real SQLite file: the JSON satisfies the
//! contract's recurrences on every day of the FIT corpus, the text and the SVG chart carry
//! what they promise, and a big training ramp raises the acute:chronic ratio into the danger
//! band.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use common::{afterrun_ok, corpus, temp_dir};

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn status_json_on_the_fit_corpus_satisfies_the_recurrences_every_day() {
    let dir = temp_dir("status-corpus");
    let db = dir.join("a.db");
    let fit = corpus().join("fit");
    afterrun_ok(&db, &["import", fit.to_str().unwrap()]);
    let as_of = "2026-11-23";
    let doc: Value =
        serde_json::from_str(&afterrun_ok(&db, &["status", "--json", "--as-of", as_of])).unwrap();
    assert_eq!(doc["as_of"], as_of);

    // load(d) = the stored stress of the activities that start on d, from `activities --json`.
    let mut expected_load: BTreeMap<String, f64> = BTreeMap::new();
    let mut no_start = 0;
    for line in afterrun_ok(&db, &["activities", "--json"]).lines() {
        let a: Value = serde_json::from_str(line).unwrap();
        match a["start_time"].as_str() {
            Some(t) => {
                *expected_load.entry(t[..10].to_owned()).or_default() +=
                    a["stress"].as_f64().unwrap_or(0.0);
            }
            None => no_start += 1,
        }
    }
    assert!(expected_load.len() > 20, "the corpus holds dated activities");

    let daily = doc["daily"].as_array().unwrap();
    let first = expected_load.keys().next().unwrap();
    assert_eq!(daily[0]["date"].as_str().unwrap(), first);
    assert_eq!(daily.last().unwrap()["date"], as_of);

    let k_fit = 1.0 - (-1.0_f64 / 42.0).exp();
    let k_fat = 1.0 - (-1.0_f64 / 7.0).exp();
    let (l7, l28) = (2.0 / 8.0, 2.0 / 29.0);
    let (mut fit, mut fat, mut acute, mut chronic) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    let mut date = jiff::civil::Date::constant(2000, 1, 1);
    for (i, day) in daily.iter().enumerate() {
        let d: jiff::civil::Date = day["date"].as_str().unwrap().parse().unwrap();
        if i > 0 {
            assert_eq!(d, date.tomorrow().unwrap(), "every date, in order");
        }
        date = d;
        let load = num(&day["load"]);
        let want = expected_load.get(&d.to_string()).copied().unwrap_or(0.0);
        assert!((load - want).abs() <= 1e-9 * want.max(1.0), "{d}: load {load} vs {want}");
        let form = fit - fat;
        fit += (load - fit) * k_fit;
        fat += (load - fat) * k_fat;
        acute += (load - acute) * l7;
        chronic += (load - chronic) * l28;
        for (name, want) in [("fitness", fit), ("fatigue", fat), ("form", form)] {
            let got = num(&day[name]);
            assert!((got - want).abs() <= 1e-6, "{d}: {name} {got} vs {want}");
        }
        if i < 28 || chronic == 0.0 {
            assert!(day["acwr"].is_null(), "{d}: acwr must be null");
        } else {
            let got = num(&day["acwr"]);
            assert!((got - acute / chronic).abs() <= 1e-6, "{d}: acwr {got}");
        }
    }
    let today = daily.last().unwrap();
    for name in ["fitness", "fatigue", "form"] {
        assert_eq!(doc[name], today[name], "top-level {name} is today's");
    }

    let groups: Vec<&str> =
        doc["muscles"].as_array().unwrap().iter().map(|m| m["group"].as_str().unwrap()).collect();
    assert_eq!(
        groups,
        ["quads", "hamstrings", "calves", "glutes", "shins", "feet", "adductors", "hip_flexors"]
    );
    for m in doc["muscles"].as_array().unwrap() {
        let now = num(&m["soreness_now"]);
        assert!((0.0..=10.0).contains(&now));
    }
    let assumptions: Vec<&str> =
        doc["assumptions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    if no_start > 0 {
        assert!(
            assumptions.iter().any(|a| a.contains("without an absolute start time")),
            "{assumptions:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A GPX run of `minutes` at 3 m/s heading north, starting at `start` (RFC 3339 seconds).
fn gpx_run(start: jiff::Timestamp, minutes: i64, descent_per_min: f64) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>run</name><trkseg>
"#,
    );
    for k in 0..=minutes * 2 {
        let t = start + jiff::SignedDuration::from_secs(k * 30);
        let lat = 45.0 + (k as f64 * 90.0) / 111_195.0;
        let ele = 1500.0 - descent_per_min * k as f64 / 2.0;
        let _ = writeln!(
            s,
            r#"<trkpt lat="{lat:.7}" lon="7.0000000"><ele>{ele:.1}</ele><time>{}</time></trkpt>"#,
            t.strftime("%Y-%m-%dT%H:%M:%SZ")
        );
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s
}

/// Eight weeks of short daily runs, then a week of long ones, the last one (on 2026-03-04)
/// downhill.
fn ramp_history(dir: &Path) -> PathBuf {
    let runs = dir.join("runs");
    std::fs::create_dir_all(&runs).unwrap();
    let day0: jiff::Timestamp = "2026-01-01T07:00:00Z".parse().unwrap();
    for d in 0..63_i64 {
        let start = day0 + jiff::SignedDuration::from_hours(24 * d);
        let (minutes, descent) = match d {
            0..56 => (20, 0.0),
            62 => (150, 8.0),
            _ => (150, 0.0),
        };
        std::fs::write(runs.join(format!("run{d:02}.gpx")), gpx_run(start, minutes, descent))
            .unwrap();
    }
    runs
}

#[test]
fn a_big_ramp_reads_as_very_high_acwr_with_a_quads_forecast_text_and_plot() {
    let dir = temp_dir("status-ramp");
    let db = dir.join("a.db");
    let runs = ramp_history(&dir);
    afterrun_ok(&db, &["import", runs.to_str().unwrap()]);

    let doc: Value =
        serde_json::from_str(&afterrun_ok(&db, &["status", "--json", "--as-of", "2026-03-04"]))
            .unwrap();
    assert_eq!(doc["daily"].as_array().unwrap().len(), 63);
    let acwr = num(&doc["acwr"]);
    assert!(acwr >= 1.5, "a week at 7x the load: acwr {acwr}");
    assert_eq!(doc["acwr_band"], "very_high");
    let quads = &doc["muscles"][0];
    assert_eq!(quads["group"], "quads");
    assert!(num(&quads["peak"]) > 0.5, "a long downhill run: quads forecast {quads}");
    assert!(quads["peak_at"].is_string() && quads["clear_by"].is_string());

    // The planner reads the same history: `checkin` gives a plan with the ACWR caution.
    let plan: Value = serde_json::from_str(&afterrun_ok(
        &db,
        &["checkin", "--now", "2026-03-04T23:00:00Z", "--sore", "calves=2", "--json"],
    ))
    .unwrap();
    let notes = plan["notes"].to_string();
    assert!(notes.contains("Caution: your recent load is"), "{notes}");

    let plot = dir.join("status.svg");
    let text =
        afterrun_ok(&db, &["status", "--as-of", "2026-03-04", "--plot", plot.to_str().unwrap()]);
    for needle in
        ["fitness", "fatigue", "form", "ACWR", "1.5 or more", "monotony", "quads", "hip flexors"]
    {
        assert!(text.contains(needle), "{needle:?} missing from\n{text}");
    }
    let svg = std::fs::read_to_string(&plot).unwrap();
    check_svg(&svg);

    // The same input draws the same bytes.
    afterrun_ok(&db, &["status", "--as-of", "2026-03-04", "--plot", plot.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&plot).unwrap(), svg);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The chart is well-formed XML with an `svg` root, axes, a legend naming the three series,
/// dates on the time axis and the eight muscle groups.
fn check_svg(svg: &str) {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut stack: Vec<String> = Vec::new();
    let mut root = None;
    let mut texts = String::new();
    let mut classes = Vec::new();
    let mut polylines = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                root.get_or_insert_with(|| name.clone());
                for a in e.attributes() {
                    let a = a.unwrap();
                    if a.key.as_ref() == "class" {
                        classes.push(a.value.to_string());
                    }
                }
                stack.push(name);
            }
            quick_xml::events::Event::End(e) => {
                let name = e.name().as_ref().to_owned();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "balanced tags");
            }
            quick_xml::events::Event::Empty(e) if e.name().as_ref() == "polyline" => {
                polylines += 1;
            }
            quick_xml::events::Event::Text(t) => {
                texts.push_str(&t);
                texts.push('\n');
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty());
    assert_eq!(root.as_deref(), Some("svg"));
    assert!(classes.iter().filter(|c| *c == "axes").count() == 2, "{classes:?}");
    assert!(classes.iter().filter(|c| *c == "legend").count() == 2, "{classes:?}");
    assert_eq!(polylines, 3, "fitness, fatigue and form");
    for needle in
        ["fitness (CTL)", "fatigue (ATL)", "form (TSB)", "2026-01-", "quads", "hip flexors"]
    {
        assert!(texts.contains(needle), "{needle:?} missing from the chart's text");
    }
}
