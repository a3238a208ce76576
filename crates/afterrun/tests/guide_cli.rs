//! `afterrun guide`, run as a user runs it: the built binary, its stdout, stderr and exit code.

// Helpers outside #[test] fns panic on purpose too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use afterrun_protocol::guide::topics;

fn afterrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afterrun"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the afterrun binary runs")
}

/// Text with every run of whitespace made one space, so wrapped lines compare to paragraphs.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn no_topic_lists_every_topic_with_its_summary() {
    let out = afterrun(&["guide"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for t in topics() {
        let line = stdout.lines().find(|l| l.trim_start().starts_with(t.id));
        let line = line.unwrap_or_else(|| panic!("{} not listed:\n{stdout}", t.id));
        assert!(line.contains(t.summary), "{line}");
    }
    for id in ["doms", "massage", "cramps", "leg-pain", "compression", "vibration", "red-flags"] {
        assert!(stdout.contains(id), "protocol.md §8 topic {id} missing");
    }
    assert!(stdout.contains("active-recovery"));
}

#[test]
fn every_topic_prints_seed_advice_then_evidence_then_references() {
    for t in topics() {
        let out = afterrun(&["guide", t.id]);
        assert_eq!(out.status.code(), Some(0), "{}", t.id);
        let stdout = flat(&String::from_utf8(out.stdout).unwrap());
        assert!(!stdout.contains('\x1b'), "colour on a pipe");
        assert!(stdout.starts_with(&flat(t.title)), "{}: title first", t.id);
        let seed = stdout.find("What to do").expect("seed section");
        let evidence = stdout.find("What the evidence adds").expect("evidence section");
        let references = stdout.find("References").expect("references section");
        assert!(seed < evidence && evidence < references, "{}: sections out of order", t.id);
        // The text with its reference ids as short citations; no id is shown anywhere.
        let readable = afterrun_protocol::references::readable;
        for p in t.seed_advice {
            let p = readable(p);
            let at = stdout.find(&flat(&p)).unwrap_or_else(|| panic!("{}: missing {p}", t.id));
            assert!(seed < at && at < evidence, "{}: seed advice outside its section", t.id);
        }
        for p in t.evidence {
            let p = readable(p);
            let at = stdout.find(&flat(&p)).unwrap_or_else(|| panic!("{}: missing {p}", t.id));
            assert!(evidence < at && at < references, "{}: evidence outside its section", t.id);
        }
        for r in t.references {
            let reference = afterrun_protocol::references::find(r).unwrap();
            let short = flat(&reference.short());
            assert!(stdout[references..].contains(&short), "{}: reference {r} not listed", t.id);
            assert!(!stdout.contains(&format!("({r}")), "{}: the id {r} is shown", t.id);
        }
    }
}

#[test]
fn topics_with_modalities_keep_a_place_for_population_figures_worded_as_association() {
    for t in topics().iter().filter(|t| !t.outcome_modalities.is_empty()) {
        let stdout = flat(&String::from_utf8(afterrun(&["guide", t.id]).stdout).unwrap());
        assert!(stdout.contains("What other runners reported"), "{}", t.id);
        assert!(stdout.contains("association"), "{}", t.id);
    }
}

#[test]
fn unknown_topic_is_bad_input_listing_the_valid_ones() {
    let out = afterrun(&["guide", "stretching-for-cats"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("stretching-for-cats"), "{stderr}");
    for t in topics() {
        assert!(stderr.contains(t.id), "{} not offered: {stderr}", t.id);
    }
}
