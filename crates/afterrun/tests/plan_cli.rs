//! `afterrun plan`, run as a user runs it: the built binary, its stdout, stderr and exit code.
//!
//! The JSON output is checked against the engine itself (`afterrun_protocol::plan_json`), so
//! these tests hold the CLI to "the same check-in gives the engine's plan, byte for byte",
//! whichever way the check-in arrives: a file, stdin, or flags.

// Helpers outside #[test] fns panic on purpose too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use afterrun_protocol::History;
use serde_json::{Value, json};

const NOW: &str = "2026-11-23T08:30:00Z";

/// A fresh, empty store for this test process, so a flags-only plan (which reads the store for
/// the profile and history) never touches the user's data directory.
fn empty_store() -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("afterrun-plan-cli-{}.db", std::process::id()));
    format!("sqlite:{}", path.display())
}

fn afterrun(args: &[&str], stdin: Option<&str>) -> Output {
    afterrun_in(args, stdin, "UTC")
}

/// `afterrun` on a computer whose time zone is `tz`.
fn afterrun_in(args: &[&str], stdin: Option<&str>, tz: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_afterrun"));
    cmd.args(args)
        .env("AFTERRUN_DB", empty_store())
        .env("TZ", tz)
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the afterrun binary runs");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    pipe.write_all(stdin.unwrap_or("").as_bytes()).expect("stdin takes the check-in");
    drop(pipe);
    child.wait_with_output().expect("afterrun finishes")
}

/// The text of a step from its numbered line to the next numbered line (or the end).
fn line_after(stdout: &str, line: &str) -> String {
    let from = stdout.find(line).unwrap_or(0);
    let rest = &stdout[from..];
    let end = rest[line.len()..].find("\n\n  ").map_or(rest.len(), |e| e + line.len());
    rest[..end].to_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8 output")
}

/// A fresh scratch folder for this test, in the target directory (`CARGO_TARGET_TMPDIR`), not
/// the system temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("afterrun-plan-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

/// The engine's plan for a check-in, as `--json` must print it.
fn engine(checkin: &str) -> String {
    format!("{}\n", afterrun_protocol::plan_json(checkin, &History::default()).expect("valid"))
}

/// The vignette folder: `AFTERRUN_VIGNETTES`, else `../shared/vignettes` beside the workspace.
fn vignettes_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AFTERRUN_VIGNETTES") {
        return PathBuf::from(dir);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [root.join("tests/vignettes"), root.join("../shared/vignettes")]
        .into_iter()
        .find(|d| d.is_dir())
        .expect("the vignette folder (set AFTERRUN_VIGNETTES)")
}

/// Every vignette's check-in, as `(id, JSON text)`.
fn vignettes() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(vignettes_dir())
        .expect("read vignettes")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((id, serde_json::to_string_pretty(&case["checkin"]).unwrap()));
    }
    assert!(out.len() >= 5, "too few vignettes in {}", vignettes_dir().display());
    out
}

#[test]
fn every_vignette_through_a_file_and_stdin_is_the_engines_plan() {
    let dir = scratch("vignettes");
    for (id, checkin) in vignettes() {
        let want = engine(&checkin);
        let file = write(&dir, &format!("{id}.json"), &checkin);
        let out = afterrun(&["plan", "--checkin", file.to_str().unwrap(), "--json"], None);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), want, "{id} through a file");
        let out = afterrun(&["plan", "--checkin", "-", "--json"], Some(&checkin));
        assert_eq!(out.status.code(), Some(0), "{id}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), want, "{id} through stdin");
        assert_eq!(want.lines().count(), 1, "{id}: one line");
    }
}

/// The issue's example check-in, as flags and as the equivalent JSON.
const EXAMPLE_FLAGS: &[&str] = &[
    "--now",
    NOW,
    "--sore",
    "quads=6,calves_left=4",
    "--symptom",
    "dull_ache@quads:20:improving:none",
    "--equipment",
    "foam_roller,massage_gun,compression_boots",
    "--condition",
    "pregnancy",
    "--run-km",
    "21",
    "--run-min",
    "105",
    "--descent",
    "400",
    "--rpe",
    "8",
    "--run-ended",
    NOW,
    "--next-run",
    "2026-11-24T07:00:00Z",
    "--weekly-km",
    "70",
    "--goal",
    "marathon",
];

fn example_json() -> Value {
    json!({
        "now": NOW,
        "athlete": {"equipment": ["foam_roller", "massage_gun", "compression_boots"],
                    "conditions": ["pregnancy"], "weekly_km": 70, "goal": "marathon"},
        "run": {"distance_km": 21, "duration_min": 105, "descent_m": 400, "rpe": 8, "ended_at": NOW},
        "soreness": {"quads": 6, "calves_left": 4},
        "symptoms": [{"code": "dull_ache", "region": "quads", "since_hours": 20,
                      "trend": "improving", "after": "none"}],
        "next_run_at": "2026-11-24T07:00:00Z"
    })
}

#[test]
fn a_flags_only_checkin_equals_the_equivalent_json_file() {
    let mut args = vec!["plan", "--json"];
    args.extend_from_slice(EXAMPLE_FLAGS);
    let out = afterrun(&args, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let want = engine(&example_json().to_string());
    assert_eq!(text(&out.stdout), want);

    // And the text rendering is the same plan too.
    let mut args = vec!["plan"];
    args.extend_from_slice(EXAMPLE_FLAGS);
    let from_flags = afterrun(&args, None);
    let dir = scratch("flags-only");
    let file = write(&dir, "example.json", &example_json().to_string());
    let from_file = afterrun(&["plan", "--checkin", file.to_str().unwrap()], None);
    assert_eq!(from_flags.stdout, from_file.stdout);
}

#[test]
fn a_flag_overrides_the_files_field() {
    let dir = scratch("override");
    let file = write(&dir, "base.json", &example_json().to_string());
    let path = file.to_str().unwrap();
    let cases: &[(&[&str], &[&str], Value)] = &[
        (&["--sore", "hamstrings=7"], &["soreness"], json!({"hamstrings": 7})),
        (&["--equipment", ""], &["athlete", "equipment"], json!([])),
        (&["--condition", "dvt_history"], &["athlete", "conditions"], json!(["dvt_history"])),
        (&["--now", "2026-11-23T10:00:00+01:00"], &["now"], json!("2026-11-23T10:00:00+01:00")),
        (
            &["--symptom", "swelling@calf_left:30:worsening"],
            &["symptoms"],
            json!([{"code": "swelling", "region": "calf_left", "since_hours": 30, "trend": "worsening"}]),
        ),
    ];
    for (flags, field, value) in cases {
        let mut args = vec!["plan", "--checkin", path, "--json"];
        args.extend_from_slice(flags);
        let out = afterrun(&args, None);
        assert_eq!(out.status.code(), Some(0), "{flags:?}: {}", text(&out.stderr));
        let mut want = example_json();
        let mut slot = &mut want;
        for key in *field {
            slot = &mut slot[*key];
        }
        *slot = value.clone();
        assert_eq!(text(&out.stdout), engine(&want.to_string()), "{flags:?}");
        assert_ne!(
            text(&out.stdout),
            engine(&example_json().to_string()),
            "{flags:?} changed nothing"
        );
    }
}

#[test]
fn without_now_the_plan_is_for_the_clocks_time() {
    #[allow(clippy::disallowed_methods)] // the test compares with the clock the binary reads
    let before = jiff::Timestamp::now().as_second();
    let out = afterrun(&["plan", "--json", "--sore", "quads=4"], None);
    #[allow(clippy::disallowed_methods)]
    let after = jiff::Timestamp::now().as_second();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let generated = plan["generated_at"].as_str().unwrap();
    assert!(generated.ends_with('Z') && !generated.contains('.'), "{generated}");
    let at = generated.parse::<jiff::Timestamp>().unwrap().as_second();
    assert!(before <= at && at <= after, "{generated} not between the clock readings");

    // A file's `now` wins over the clock.
    let out = afterrun(&["plan", "--checkin", "-", "--json"], Some(&example_json().to_string()));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["generated_at"], NOW);
}

/// Runs a bad check-in and returns stderr, after checking exit 2, no stdout and no panic.
fn bad(args: &[&str], stdin: Option<&str>) -> String {
    let out = afterrun(args, stdin);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} printed a plan");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn bad_input_is_exit_2_naming_the_field() {
    let base = ["plan", "--now", NOW];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };
    // Unknown codes, through flags and through a file.
    assert!(bad(&with(&["--condition", "flu"]), None).contains("athlete.conditions[0]"));
    assert!(bad(&with(&["--equipment", "sauna"]), None).contains("athlete.equipment[0]"));
    assert!(bad(&with(&["--symptom", "itch@quads"]), None).contains("symptoms[0].code"));
    assert!(bad(&with(&["--sore", "ears=3"]), None).contains("soreness"));
    let file = json!({"now": NOW, "symptoms": [{"code": "dull_ache", "region": "quads", "trend": "sideways"}]});
    let stderr = bad(&["plan", "--checkin", "-"], Some(&file.to_string()));
    assert!(stderr.contains("symptoms[0].trend"), "{stderr}");
    // Out of range.
    assert!(bad(&with(&["--rpe", "11"]), None).contains("run.rpe"));
    assert!(bad(&with(&["--sore", "quads=12"]), None).contains("soreness.quads"));
    assert!(bad(&with(&["--age", "7"]), None).contains("athlete.age"));
    // Malformed times.
    assert!(bad(&["plan", "--now", "yesterday"], None).contains("now"));
    assert!(bad(&with(&["--next-run", "2026-13-40T99:00:00Z"]), None).contains("next_run_at"));
    // Unreadable JSON and unreadable files.
    assert!(bad(&["plan", "--checkin", "-"], Some("{\"now\": ")).contains("JSON"));
    assert!(
        bad(&["plan", "--checkin", "/no/such/checkin.json"], None)
            .contains("/no/such/checkin.json")
    );
    // Malformed flag values name the flag.
    assert!(bad(&with(&["--sore", "quads=abc"]), None).contains("--sore"));
    assert!(bad(&with(&["--symptom", "swelling"]), None).contains("--symptom"));
    assert!(bad(&with(&["--symptom", "swelling@calf_left:soon"]), None).contains("--symptom"));
    assert!(bad(&with(&["--run-km", "far"]), None).contains("--run-km"));
    // A field in the way of a flag.
    let stderr = bad(
        &["plan", "--checkin", "-", "--rpe", "5"],
        Some(&json!({"now": NOW, "run": 3}).to_string()),
    );
    assert!(stderr.contains("run"), "{stderr}");
}

#[test]
fn human_output_has_the_verdict_on_top_and_every_step() {
    let dir = scratch("human");
    for (id, checkin) in vignettes() {
        let file = write(&dir, &format!("{id}.json"), &checkin);
        // No zone in the profile: the computer's (TZ), as the assumptions say.
        let tz = "America/New_York";
        let out = afterrun_in(&["plan", "--checkin", file.to_str().unwrap()], None, tz);
        assert_eq!(out.status.code(), Some(0), "{id}");
        let stdout = text(&out.stdout);
        assert!(!stdout.contains('\x1b'), "{id}: colour on a pipe");
        let plan: Value = serde_json::from_str(&engine(&checkin)).unwrap();
        let level = plan["triage"]["level"].as_str().unwrap();
        let verdict = match level {
            "emergency" => "EMERGENCY: call emergency services now",
            "urgent_care" => "URGENT: get a medical assessment today",
            "see_physio" => "See a sports physiotherapist",
            _ => "Self-care",
        };
        let top: String = stdout.lines().take(3).collect::<Vec<_>>().join("\n");
        assert!(top.contains(verdict), "{id}: verdict not on top:\n{stdout}");
        let steps = plan["steps"].as_array().unwrap();
        let numbered = stdout
            .lines()
            .filter(|l| {
                l.trim_start().split('.').next().is_some_and(|n| n.parse::<usize>().is_ok())
            })
            .count();
        assert_eq!(numbered, steps.len(), "{id}: one numbered line per step:\n{stdout}");
        for (i, step) in steps.iter().enumerate() {
            let start: jiff::Timestamp = step["start"].as_str().unwrap().parse().unwrap();
            let local = start.to_zoned_datetime(jiff::tz::TimeZone::get(tz).unwrap());
            let clock = format!("{}. {}", i + 1, local.strftime("%H:%M"));
            let line = stdout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{}. ", i + 1)))
                .unwrap_or_else(|| panic!("{id}: step {} missing:\n{stdout}", i + 1));
            assert!(line.contains(&clock), "{id}: {line} lacks {clock}");
            let offset = step["offset_min"].as_u64().unwrap();
            let words = if offset == 0 { "(now)" } else { "(in " };
            assert!(line.contains(words), "{line}");
            // Evidence by number, resolved in the references by citation; never the ids.
            let references = plan["references"].as_array().unwrap();
            for e in step["evidence"].as_array().unwrap() {
                let n = references.iter().position(|r| r["id"] == *e).unwrap() + 1;
                let citation = references[n - 1]["citation"].as_str().unwrap();
                let first_words: String = citation.chars().take(30).collect();
                assert!(line_after(&stdout, line).contains(&format!("[{n}]")), "{id}: {e}");
                assert!(stdout.contains(first_words.trim()), "{id}: citation of {e} not shown");
                assert!(!stdout.contains(e.as_str().unwrap()), "{id}: the id {e} is shown");
            }
        }
    }
}

#[test]
fn colour_only_when_forced_on_a_pipe() {
    let mut args = vec!["plan"];
    args.extend_from_slice(EXAMPLE_FLAGS);
    // The plan's text with one of the two colour variables set and the other unset.
    let plan_with = |set: &str, unset: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_afterrun"))
            .args(&args)
            .env("AFTERRUN_DB", empty_store())
            .env(set, "1")
            .env_remove(unset)
            .output()
            .unwrap();
        text(&out.stdout)
    };
    assert!(plan_with("CLICOLOR_FORCE", "NO_COLOR").contains('\x1b'), "forced colour shows styles");
    assert!(!plan_with("NO_COLOR", "CLICOLOR_FORCE").contains('\x1b'));
}

#[test]
fn plan_without_checkin_uses_the_stored_profile_and_latest_checkin() {
    let dir = std::env::temp_dir().join(format!("afterrun-plan-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite:{}", dir.join("store.db").display());
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_afterrun"))
            .args(args)
            .args(["--db", &db])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // No check-in stored and no flags: a clear error, exit 2.
    let (code, _, err) = run(&["plan", "--json"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no check-in stored"), "{err}");

    // The stored profile fills the athlete: boots owned, a cleared DVT history caps the pressure.
    let by = ["--cleared-by", "physiotherapist", "--goal", "marathon"];
    let (code, _, err) = run(&[common::BOOTS_AFTER_DVT, &by].concat());
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&["plan", "--json", "--now", NOW, "--sore", "quads=6"]);
    assert_eq!(code, Some(0), "{err}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    let boots = plan["device_programs"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["device"] == "compression_boots"))
        .expect("the stored boots and goal give a compression step");
    assert!(boots["program"]["level"].as_u64().unwrap() <= 2, "40 mmHg cap: {boots}");

    // With no flags, the latest stored check-in is planned again.
    let (code, _, err) = run(&["checkin", "--now", NOW, "--sore", "calves=5"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&["plan", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["generated_at"], NOW);
    let targets: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["modality"] == "foam_rolling")
        .flat_map(|s| s["targets"].as_array().unwrap().iter().filter_map(Value::as_str))
        .collect();
    assert!(targets.contains(&"calves"), "{targets:?}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Unfolds iCalendar content lines (a CRLF followed by a space continues the line).
fn unfold(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "").split("\r\n").filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// RFC 5545 at the level a calendar app checks it: every content line is `NAME[;PARAMS]:VALUE`
/// with an IANA-token name, components nest, and each component has its required properties.
fn check_ics_grammar(lines: &[String], id: &str) {
    let mut stack: Vec<(String, Vec<String>)> = Vec::new();
    let required = |component: &str| -> &'static [&'static str] {
        match component {
            "VCALENDAR" => &["VERSION", "PRODID"],
            "VEVENT" => &["UID", "DTSTAMP", "DTSTART", "SUMMARY", "DESCRIPTION"],
            "VALARM" => &["ACTION", "TRIGGER", "DESCRIPTION"],
            _ => &[],
        }
    };
    for line in lines {
        let (head, value) =
            line.split_once(':').unwrap_or_else(|| panic!("{id}: no colon: {line}"));
        let name = head.split(';').next().unwrap_or_default();
        assert!(
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
            "{id}: bad property name in {line}"
        );
        assert!(!value.chars().any(|c| c.is_control()), "{id}: control character in {line}");
        match name {
            "BEGIN" => stack.push((value.to_owned(), Vec::new())),
            "END" => {
                let (open, props) =
                    stack.pop().unwrap_or_else(|| panic!("{id}: END without BEGIN"));
                assert_eq!(open, value, "{id}: END:{value} closes {open}");
                for p in required(&open) {
                    assert!(props.iter().any(|x| x == p), "{id}: {open} lacks {p}");
                }
            }
            _ => {
                let (_, props) = stack.last_mut().unwrap_or_else(|| panic!("{id}: {line} outside"));
                props.push(name.to_owned());
            }
        }
        if name == "DTSTART" || name == "DTEND" || name == "DTSTAMP" {
            let ok = value.len() == 16
                && value.ends_with('Z')
                && value.as_bytes()[8] == b'T'
                && value.chars().filter(char::is_ascii_digit).count() == 14;
            assert!(ok, "{id}: {line} is not a UTC date-time");
        }
    }
    assert!(stack.is_empty(), "{id}: unclosed {stack:?}");
}

#[test]
fn ics_has_one_event_per_step_with_a_reminder_crlf_and_folding() {
    let dir = scratch("ics");
    for (id, checkin) in vignettes() {
        let ics_path = dir.join(format!("{id}.ics"));
        let args = ["plan", "--checkin", "-", "--ics", ics_path.to_str().unwrap(), "--json"];
        let out = afterrun(&args, Some(&checkin));
        assert_eq!(out.status.code(), Some(0), "{id}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), engine(&checkin), "{id}: --ics leaves --json as it is");
        let bytes = std::fs::read(&ics_path).unwrap();
        let ics = String::from_utf8(bytes.clone()).unwrap();
        // CRLF everywhere, no physical line over 75 octets.
        assert!(ics.ends_with("\r\n"));
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count(), "{id}: bare LF");
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{id}: {} octets: {line}", line.len());
        }
        let lines = unfold(&ics);
        check_ics_grammar(&lines, &id);
        assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
        assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
        let plan: Value = serde_json::from_str(&engine(&checkin)).unwrap();
        let steps = plan["steps"].as_array().unwrap();
        let count = |l: &str| lines.iter().filter(|x| *x == l).count();
        assert_eq!(count("BEGIN:VEVENT"), steps.len(), "{id}");
        assert_eq!(count("END:VEVENT"), steps.len(), "{id}");
        assert_eq!(count("BEGIN:VALARM"), steps.len(), "{id}");
        let starts: Vec<&String> = lines.iter().filter(|l| l.starts_with("DTSTART:")).collect();
        for (step, line) in steps.iter().zip(&starts) {
            let t: jiff::Timestamp = step["start"].as_str().unwrap().parse().unwrap();
            assert_eq!(**line, format!("DTSTART:{}", t.strftime("%Y%m%dT%H%M%SZ")), "{id}");
        }
        let mut uids: Vec<&String> = lines.iter().filter(|l| l.starts_with("UID:")).collect();
        uids.sort();
        uids.dedup();
        assert_eq!(uids.len(), steps.len(), "{id}: UIDs unique");
        // Deterministic: the same plan writes the same bytes.
        let again = dir.join(format!("{id}-again.ics"));
        afterrun(&["plan", "--checkin", "-", "--ics", again.to_str().unwrap()], Some(&checkin));
        assert_eq!(std::fs::read(&again).unwrap(), bytes, "{id}: not deterministic");
    }
}

#[test]
fn ics_to_an_unwritable_path_is_bad_input() {
    let stderr = bad(&["plan", "--now", NOW, "--ics", "/no/such/dir/plan.ics"], None);
    assert!(stderr.contains("--ics"), "{stderr}");
}

/// A GPX run of 100 minutes from `NOW` minus two hours: three points, 2 km apart, downhill.
const GPX_RUN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><type>running</type><trkseg>
  <trkpt lat="46.00000" lon="7.00000"><ele>900</ele><time>2026-11-23T06:30:00Z</time></trkpt>
  <trkpt lat="46.01000" lon="7.00000"><ele>700</ele><time>2026-11-23T07:20:00Z</time></trkpt>
  <trkpt lat="46.02000" lon="7.00000"><ele>500</ele><time>2026-11-23T08:10:00Z</time></trkpt>
 </trkseg></trk>
</gpx>"#;

#[test]
fn run_file_fills_the_run_and_flags_still_override_it() {
    let dir = scratch("run-file");
    let gpx = write(&dir, "run.gpx", GPX_RUN);
    let gpx = gpx.to_str().unwrap();
    let plan = |extra: &[&str]| {
        let mut args =
            vec!["plan", "--json", "--now", NOW, "--equipment", "foam_roller,compression_boots"];
        args.extend_from_slice(extra);
        let out = afterrun(&args, None);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let with_file = plan(&["--run-file", gpx]);
    // A 100-minute run is a hard one: the boots come in (protocol.md §5).
    assert!(with_file.contains(r#""modality":"compression_boots""#), "{with_file}");
    assert_ne!(with_file, plan(&[]), "the file's run changes nothing");
    // The same run typed as flags gives the same plan.
    let typed = [
        "--run-km",
        "2.224",
        "--run-min",
        "100",
        "--ascent",
        "0",
        "--descent",
        "400",
        "--run-ended",
        "2026-11-23T08:10:00Z",
    ];
    assert_eq!(with_file, plan(&typed));
    // A flag wins over the file: 30 min instead of 100 is the typed run with 30 min.
    let short = plan(&["--run-file", gpx, "--run-min", "30"]);
    let mut typed_short = typed.to_vec();
    typed_short[3] = "30";
    assert_eq!(short, plan(&typed_short));
    assert!(!short.contains(r#""modality":"compression_boots""#), "{short}");
}

#[test]
fn an_unreadable_run_file_is_bad_input_naming_the_flag() {
    let dir = scratch("run-file-bad");
    let junk = write(&dir, "junk.gpx", "this is not an activity");
    let stderr = bad(&["plan", "--now", NOW, "--run-file", junk.to_str().unwrap()], None);
    assert!(stderr.contains("--run-file"), "{stderr}");
    let stderr = bad(&["plan", "--now", NOW, "--run-file", "/no/such/run.fit"], None);
    assert!(stderr.contains("--run-file /no/such/run.fit"), "{stderr}");
}

#[test]
fn run_flags_without_run_ended_end_the_run_now_and_say_so() {
    let out =
        afterrun(&["plan", "--json", "--now", NOW, "--run-km", "30", "--run-min", "150"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert!(plan["assumptions"][0].as_str().unwrap().contains("--run-ended"), "{plan}");
    // Without `now` in the file, the clock is used and named.
    let out = afterrun(&["plan", "--checkin", "-", "--json"], Some(r#"{"soreness":{"quads":3}}"#));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert!(plan["assumptions"][0].as_str().unwrap().contains("clock"), "{plan}");
}
