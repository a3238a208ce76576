//! Property tests over generated check-ins (issue 2 acceptance). 256 cases per property by
//! default; set `PROPTEST_CASES` for a longer run by hand.

// Test helpers panic on purpose: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use afterrun_protocol::checkin::{Athlete, CheckIn, Clearance, Run, Symptom};
use afterrun_protocol::codes::{
    After, Clinician, Condition, Equipment, Goal, Level, Modality, SymptomCode, Trend,
};
use afterrun_protocol::contra::{Kind, TABLE};
use afterrun_protocol::doc::{DoseDoc, PlanDoc, Pressure, ProgramBodyDoc};
use afterrun_protocol::region::{Region, all_regions};
use afterrun_protocol::{History, make_plan};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

mod common;

fn now() -> Timestamp {
    "2026-11-23T08:30:00Z".parse().unwrap()
}

fn region() -> impl Strategy<Value = Region> {
    select(all_regions())
}

fn opt<T: Clone + std::fmt::Debug + 'static>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::weighted(0.8, s)
}

fn symptom() -> impl Strategy<Value = Symptom> {
    (
        select(SymptomCode::ALL.to_vec()),
        opt(region()),
        opt(0.0f64..400.0),
        opt(select(Trend::ALL.to_vec())),
        opt(select(After::ALL.to_vec())),
    )
        .prop_map(|(code, region, since_hours, trend, after)| Symptom {
            code,
            region,
            since_hours,
            trend,
            after,
        })
}

fn full_symptom() -> impl Strategy<Value = Symptom> {
    (
        select(SymptomCode::ALL.to_vec()),
        region(),
        0.0f64..400.0,
        select(Trend::ALL.to_vec()),
        select(After::ALL.to_vec()),
    )
        .prop_map(|(code, region, h, trend, after)| Symptom {
            code,
            region: Some(region),
            since_hours: Some(h),
            trend: Some(trend),
            after: Some(after),
        })
}

fn run() -> impl Strategy<Value = Run> {
    (
        opt(0i64..20_000),
        opt(1.0f64..400.0),
        opt(0.0f64..60.0),
        opt(0.0f64..1500.0),
        opt(0.0f64..1500.0),
        opt(1.0f64..10.0),
    )
        .prop_map(|(ago, duration_min, distance_km, ascent_m, descent_m, rpe)| Run {
            ended_at: ago.map(|m| now() - SignedDuration::from_mins(m)),
            duration_min,
            distance_km,
            ascent_m,
            descent_m,
            avg_hr: None,
            rpe,
            file: None,
        })
}

fn clearance() -> impl Strategy<Value = Clearance> {
    (
        select(Modality::ALL.to_vec()),
        opt(select(Clinician::ALL.to_vec())),
        any::<bool>(),
        opt(20.0f64..110.0),
    )
        .prop_map(|(modality, by, dated, max_mmhg)| Clearance {
            modality,
            by,
            date: dated.then(|| jiff::civil::date(2026, 10, 1)),
            max_mmhg,
        })
}

fn athlete() -> impl Strategy<Value = Athlete> {
    (
        opt(subsequence(Equipment::ALL.to_vec(), 0..=Equipment::ALL.len())),
        subsequence(Condition::ALL.to_vec(), 0..=3),
        prop::collection::vec(clearance(), 0..3),
        opt(0.0f64..150.0),
        opt(select(Goal::ALL.to_vec())),
        opt(any::<bool>()),
    )
        .prop_map(|(equipment, conditions, clearances, weekly_km, goal, prefers_cycling)| {
            Athlete {
                equipment: equipment.map(|e| e.into_iter().collect()),
                conditions: Some(conditions.into_iter().collect()),
                clearances,
                weekly_km,
                goal,
                prefers_cycling,
                ..Athlete::default()
            }
        })
}

fn checkin() -> impl Strategy<Value = CheckIn> {
    (
        athlete(),
        opt(run()),
        prop::collection::vec((region(), 0.0f64..10.0), 0..4),
        prop::collection::vec(symptom(), 0..4),
        opt(region()),
        opt(0i64..5000),
    )
        .prop_map(|(athlete, run, soreness, symptoms, cramp_now, next)| {
            let mut soreness = soreness;
            soreness.sort_by_key(|(r, _)| r.to_string());
            soreness.dedup_by_key(|(r, _)| r.to_string());
            CheckIn {
                now: now(),
                athlete,
                run,
                soreness: Some(soreness),
                symptoms: Some(symptoms),
                cramp_now,
                next_run_at: next.map(|m| now() + SignedDuration::from_mins(m)),
            }
        })
}

fn level(c: &CheckIn) -> Level {
    make_plan(c, &History::default()).triage.level
}

fn check_invariants(plan: &PlanDoc) -> Result<(), TestCaseError> {
    // No step uses a blocked modality on a target that overlaps the blocked region.
    for (i, s) in plan.steps.iter().enumerate() {
        for b in plan.triage.blocked.iter().filter(|b| b.modality == s.modality) {
            for t in &s.targets {
                prop_assert!(
                    !b.region.overlaps(*t),
                    "step {i} {:?} on {t} blocked by {b:?}",
                    s.modality
                );
            }
        }
    }
    // Urgent and emergency plans hold only referral and rest steps.
    if plan.triage.level >= Level::UrgentCare {
        for s in &plan.steps {
            prop_assert!(
                s.modality.is_referral() || s.modality == Modality::Rest,
                "{:?}",
                s.modality
            );
        }
    }
    // A referral comes first at offset 0 when triage gives one.
    if plan.triage.level > Level::SelfCare {
        prop_assert!(
            plan.steps.first().is_some_and(|s| s.modality.is_referral() && s.offset_min == 0)
        );
    }
    // Steps are in time order.
    prop_assert!(plan.steps.windows(2).all(|w| w[0].offset_min <= w[1].offset_min));
    // Every step has evidence, all of it listed in the plan's references.
    for s in &plan.steps {
        prop_assert!(!s.evidence.is_empty());
        prop_assert!(!s.why.is_empty());
        for e in s.evidence.iter() {
            prop_assert!(plan.references.iter().any(|r| r.id == *e), "{e} not in references");
        }
    }
    // Dose bounds (protocol.md §7) and device program bounds (devices.md).
    for s in &plan.steps {
        match &s.dose {
            DoseDoc::FoamRolling { seconds_per_group, .. } => {
                prop_assert!((30..=60).contains(seconds_per_group))
            }
            DoseDoc::MassageGun { seconds_per_spot, .. } => {
                prop_assert!((60..=90).contains(seconds_per_spot));
                prop_assert!(s.duration_s <= 900);
            }
            DoseDoc::Compression { level, minutes, .. } => {
                prop_assert!((1..=7).contains(level));
                prop_assert!((10..=60).contains(minutes));
            }
            _ => {}
        }
        if matches!(s.modality, Modality::Walk | Modality::EasyCycle) {
            prop_assert!((300..=1200).contains(&s.duration_s));
        }
    }
    for p in &plan.device_programs {
        prop_assert_eq!(plan.steps[p.step].modality, p.device);
        match &p.program {
            ProgramBodyDoc::Vibration(program) => {
                prop_assert_eq!(p.device, Modality::VibrationPlate);
                let total: u32 = program.segments.iter().map(|s| s.duration_s).sum();
                prop_assert!(total <= 600);
                for seg in &program.segments {
                    prop_assert!(seg.duration_s <= 120 && seg.frequency_hz <= 50.0);
                }
            }
            ProgramBodyDoc::Compression(program) => {
                prop_assert_eq!(p.device, Modality::CompressionBoots);
                if let Some(t) = &program.targets_mmhg {
                    prop_assert!(t.iter().all(|v| *v <= 110));
                }
            }
        }
    }
    Ok(())
}

/// The numbers of a dose that must never rise, higher meaning more.
fn dose_numbers(d: &DoseDoc) -> Vec<f64> {
    let p = |p: &Pressure| if *p == Pressure::Light { 0.0 } else { 1.0 };
    match d {
        DoseDoc::FoamRolling { seconds_per_group, sets, pressure, .. } => {
            vec![f64::from(*seconds_per_group), f64::from(*sets), p(pressure)]
        }
        DoseDoc::MassageGun { seconds_per_spot, pressure } => {
            vec![f64::from(*seconds_per_spot), p(pressure)]
        }
        DoseDoc::Compression { level, minutes, .. } => vec![f64::from(*level), f64::from(*minutes)],
        DoseDoc::Vibration { frequency_hz, amplitude_mm, bout_s, .. } => {
            vec![*frequency_hz, *amplitude_mm, f64::from(*bout_s)]
        }
        DoseDoc::Static { seconds, reps } => vec![f64::from(*seconds), f64::from(*reps)],
        _ => Vec::new(),
    }
}

fn max_dose(plan: &PlanDoc, m: Modality) -> Option<Vec<f64>> {
    plan.steps
        .iter()
        .filter(|s| s.modality == m)
        .map(|s| dose_numbers(&s.dose))
        .reduce(|a, b| a.iter().zip(&b).map(|(x, y)| x.max(*y)).collect())
}

fn compression_mmhg(plan: &PlanDoc) -> Option<u32> {
    const LEVEL_MMHG: [u32; 7] = [30, 40, 50, 60, 70, 80, 100];
    plan.device_programs.iter().find_map(|p| match &p.program {
        ProgramBodyDoc::Compression(program) => Some(match &program.targets_mmhg {
            Some(t) => t.iter().copied().max().unwrap_or(0),
            None => LEVEL_MMHG[usize::from(program.level.clamp(1, 7) - 1)],
        }),
        _ => None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_and_json_is_deterministic(c in checkin()) {
        let plan = make_plan(&c, &History::default());
        check_invariants(&plan)?;
        let a = plan.to_json();
        let b = make_plan(&c, &History::default()).to_json();
        prop_assert_eq!(&a, &b);
        let v: serde_json::Value = serde_json::from_str(&a).unwrap();
        prop_assert!(v["steps"].is_array());
        // The typed document reads every plan back to the same value and the same bytes.
        let doc = afterrun_protocol::PlanDoc::from_json(&a).unwrap();
        prop_assert_eq!(&doc, &plan);
        prop_assert_eq!(&doc.to_json(), &a);
        // The compact writer gives serde_json's own bytes.
        prop_assert_eq!(serde_json::to_string(&doc).unwrap(), a);
    }

    #[test]
    fn adding_a_symptom_never_lowers_the_level(c in checkin(), s in symptom()) {
        let before = level(&c);
        let mut more = c.clone();
        more.symptoms.get_or_insert_with(Vec::new).push(s);
        prop_assert!(level(&more) >= before);
    }

    #[test]
    fn adding_a_condition_only_restricts(c in checkin(), condition in select(Condition::ALL.to_vec())) {
        let mut more = c.clone();
        more.athlete.conditions.get_or_insert_with(BTreeSet::new).insert(condition);
        let old = make_plan(&c, &History::default());
        let new = make_plan(&more, &History::default());
        check_invariants(&new)?;
        prop_assert!(new.triage.level >= old.triage.level);
        // Every old block still holds: the same, or one of the same modality over a region
        // that covers it (urgent plans keep only the blocks everywhere).
        for b in &old.triage.blocked {
            let kept = new
                .triage
                .blocked
                .iter()
                .any(|n| n.modality == b.modality && n.region.covers(b.region));
            // At urgent_care and above only the referral and rest remain: no step at all of a
            // modality whose block is not listed.
            let no_step = new.triage.level >= Level::UrgentCare
                && !new.steps.iter().any(|s| s.modality == b.modality);
            prop_assert!(kept || no_step, "block {b:?} removed");
        }
        // What the condition restricts for this athlete: a clearance lifts a relative row.
        let cleared =
            |m: Modality| more.athlete.clearances.iter().any(|c| c.modality == m && c.lifts());
        let restricted: BTreeSet<Modality> = TABLE
            .iter()
            .filter(|r| r.condition == condition)
            .filter(|r| r.kind == Kind::Absolute || !cleared(r.modality))
            .map(|r| r.modality)
            .collect();
        let count = |p: &PlanDoc, m: Modality| p.steps.iter().filter(|s| s.modality == m).count();
        for m in &restricted {
            prop_assert!(count(&new, *m) <= count(&old, *m), "{condition:?} added a {m:?} step");
        }
        let boots_dropped = count(&old, Modality::CompressionBoots) > count(&new, Modality::CompressionBoots);
        for m in Modality::ALL {
            // The plate loosen-up replacing blocked boots is a permitted substitute.
            if *m == Modality::VibrationPlate && boots_dropped {
                continue;
            }
            if let (Some(a), Some(b)) = (max_dose(&old, *m), max_dose(&new, *m)) {
                for (x, y) in a.iter().zip(&b) {
                    prop_assert!(y <= x, "{m:?} dose rose: {a:?} -> {b:?}");
                }
            }
        }
        if let (Some(a), Some(b)) = (compression_mmhg(&old), compression_mmhg(&new)) {
            prop_assert!(b <= a);
        }
    }

    #[test]
    fn missing_details_never_lower_the_level(
        c in checkin(),
        s in full_symptom(),
        drop_trend in any::<bool>(),
        drop_since in any::<bool>(),
        drop_after in any::<bool>(),
        drop_region in any::<bool>(),
    ) {
        let mut filled = c.clone();
        filled.symptoms.get_or_insert_with(Vec::new).push(s.clone());
        let mut missing = c;
        let mut m = s;
        if drop_trend { m.trend = None; }
        if drop_since { m.since_hours = None; }
        if drop_after { m.after = None; }
        if drop_region { m.region = None; }
        // A systemic symptom (a fever, dark urine…) has no place of its own: without a region
        // it is the whole body's, so it is compared with the same symptom there.
        if drop_region
            && m.code.is_systemic()
            && let Some(last) = filled.symptoms.as_mut().and_then(|s| s.last_mut())
        {
            last.region = Some(Region::WholeBody);
        }
        missing.symptoms.get_or_insert_with(Vec::new).push(m);
        prop_assert!(level(&missing) >= level(&filled));
    }
}

/// The vignettes' check-ins, as mutation seeds.
fn seeds() -> Vec<serde_json::Value> {
    common::vignettes().into_iter().map(|(_, v)| v["checkin"].clone()).collect()
}

/// Every leaf path of a JSON value.
fn leaf_paths(v: &serde_json::Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                prefix.push(k.clone());
                leaf_paths(x, prefix, out);
                prefix.pop();
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(i.to_string());
                leaf_paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => out.push(prefix.clone()),
    }
}

fn leaf() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1.0e6f64..1.0e6).prop_map(|n| json!(n)),
        select(vec![
            "",
            "quads",
            "calf_left",
            "all",
            "whole_body",
            "sharp_pain",
            "swelling",
            "worsening",
            "fall",
            "2026-11-23T08:30:00Z",
            "2026-02-30T08:30:00Z",
            "9999-12-31T23:59:59Z",
            "-009999-01-01T00:00:00Z",
            "2026-11-23T08:30:00.999999999-23:59",
            "compression_boots",
            "pregnancy",
            "\u{0}",
            "é",
            "1e400",
        ])
        .prop_map(|s| json!(s)),
        Just(json!([])),
        Just(json!({})),
        Just(json!([{"code": "chest_pain"}])),
    ]
}

fn set_path(v: &mut serde_json::Value, path: &[String], new: serde_json::Value) {
    match path.split_first() {
        None => *v = new,
        Some((head, rest)) => {
            let next = match v {
                serde_json::Value::Object(m) => m.get_mut(head),
                serde_json::Value::Array(a) => {
                    head.parse::<usize>().ok().and_then(|i| a.get_mut(i))
                }
                _ => None,
            };
            if let Some(next) = next {
                set_path(next, rest, new);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever a field is changed to, the engine answers (a plan or a named error), never a
    /// panic, and a plan still keeps the invariants.
    #[test]
    fn mutated_checkins_never_panic(seed in 0usize..12, pick in any::<prop::sample::Index>(), value in leaf()) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let mut c = seeds[seed % seeds.len()].clone();
        let mut paths = Vec::new();
        leaf_paths(&c, &mut Vec::new(), &mut paths);
        prop_assume!(!paths.is_empty());
        let path = pick.get(&paths).clone();
        set_path(&mut c, &path, value);
        match afterrun_protocol::parse_checkin(&c.to_string()) {
            Ok(checkin) => check_invariants(&make_plan(&checkin, &History::default()))?,
            Err(e) => prop_assert!(!e.field.is_empty() && !e.message.is_empty()),
        }
    }
}

/// The same check-in with left and right swapped everywhere.
fn mirrored(c: &CheckIn) -> CheckIn {
    let mut m = c.clone();
    for s in m.symptoms.iter_mut().flatten() {
        s.region = s.region.map(Region::mirrored);
    }
    if let Some(sore) = m.soreness.as_mut() {
        for (r, _) in sore.iter_mut() {
            *r = r.mirrored();
        }
        sore.sort_by_key(|(r, _)| r.to_string());
    }
    m.cramp_now = m.cramp_now.map(Region::mirrored);
    m
}

fn block_set(plan: &PlanDoc, mirror: bool) -> BTreeSet<(Modality, Region, String)> {
    plan.triage
        .blocked
        .iter()
        .map(|b| {
            let r = if mirror { b.region.mirrored() } else { b.region };
            (b.modality, r, b.reason.to_string())
        })
        .collect()
}

/// Steps the next run never moves or drops (protocol.md, more rules v2).
fn never_moved(m: Modality) -> bool {
    m.is_referral()
        || matches!(
            m,
            Modality::Rest
                | Modality::Walk
                | Modality::EasyCycle
                | Modality::Hydration
                | Modality::StaticStretching
        )
}

fn with_next_run(mut c: CheckIn, minutes: i64) -> CheckIn {
    c.next_run_at = Some(now() + SignedDuration::from_mins(minutes));
    c
}

/// Which modality a "Consider …" note suggests.
fn considered(note: &str) -> Option<Modality> {
    let rest = note.strip_prefix("Consider ")?;
    [
        ("compression boots", Modality::CompressionBoots),
        ("a foam roller", Modality::FoamRolling),
        ("a massage gun", Modality::MassageGun),
    ]
    .into_iter()
    .find(|(words, _)| rest.starts_with(words))
    .map(|(_, m)| m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any symptom moved to the chest makes the plan an emergency, whatever its code.
    #[test]
    fn any_symptom_on_the_chest_is_an_emergency(c in checkin(), s in symptom()) {
        let mut chest = c;
        let mut s = s;
        s.region = Some(Region::Chest);
        chest.symptoms.get_or_insert_with(Vec::new).push(s);
        let plan = make_plan(&chest, &History::default());
        prop_assert_eq!(plan.triage.level, Level::Emergency);
        check_invariants(&plan)?;
    }

    /// Swapping left and right gives the same level and the mirrored blocks.
    #[test]
    fn mirroring_gives_the_same_level_and_mirrored_blocks(c in checkin()) {
        let plan = make_plan(&c, &History::default());
        let mirror = make_plan(&mirrored(&c), &History::default());
        prop_assert_eq!(plan.triage.level, mirror.triage.level);
        prop_assert_eq!(block_set(&plan, true), block_set(&mirror, false));
    }

    /// No step but the plate warm-up (and the steps never moved for a run: the referral, rest,
    /// the walk, hydration, a cramp's stretch) ends later than 30 min before the next run when
    /// it starts before it, or starts while the run may still be going on.
    #[test]
    fn no_step_overlaps_the_next_run(c in checkin(), next in 45i64..3000) {
        let c = with_next_run(c, next);
        let plan = make_plan(&c, &History::default());
        for s in &plan.steps {
            let warm_up = s.modality == Modality::VibrationPlate && i64::from(s.offset_min) == next - 15;
            if warm_up || never_moved(s.modality) {
                continue;
            }
            let start = i64::from(s.offset_min);
            let end_s = start * 60 + i64::from(s.duration_s);
            if start < next + afterrun_protocol::steps::NEXT_RUN_ASSUMED_MIN {
                prop_assert!(end_s <= (next - 30) * 60, "{:?} at {start} min ({} s) overlaps a run at {next} min", s.modality, s.duration_s);
            }
        }
    }

    /// A "consider" note never suggests a modality a contraindication blocks, or one triage
    /// blocks on the groups it would serve.
    #[test]
    fn no_consider_note_names_a_blocked_modality(c in checkin()) {
        let plan = make_plan(&c, &History::default());
        let majors = [Region::from_code("quads", false).unwrap(), Region::from_code("hamstrings", false).unwrap(), Region::from_code("calves", false).unwrap()];
        for m in plan.notes.iter().filter_map(|n| considered(n)) {
            for b in plan.triage.blocked.iter().filter(|b| b.modality == m) {
                prop_assert!(!b.reason.starts_with("contra_"), "consider {m:?} despite {}", b.reason);
                prop_assert!(!majors.iter().any(|r| b.region.overlaps(*r)), "consider {m:?} despite {}", b.reason);
            }
        }
    }
}
