//! `afterrun checkin`: saves a check-in in the store and prints the plan made for it.
//!
//! The check-in comes from the CHECK-IN FLAGS (the same flags and parsers as `afterrun plan`),
//! or, on a terminal with no flags, from four short questions. The stored profile fills the
//! check-in's `athlete` fields it leaves out; the engine validates the whole; the check-in and
//! its plan are saved together so `afterrun done` and later plans can refer to them.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use serde_json::Value;

use crate::checkin_flags::{CheckinFlags, apply_patch};
use crate::db::{DbArgs, now};
use crate::exit::bad_input;

/// Arguments of `afterrun checkin`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,

    #[command(flatten)]
    flags: CheckinFlags,

    /// Print the plan as JSON (the contract of interfaces.md) instead of text
    #[arg(long)]
    json: bool,
}

/// Runs `afterrun checkin`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut patches = args.flags.read_patches()?;
    let mut flags = args.flags.clone();
    if patches.is_empty() {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(bad_input(
                "checkin: no check-in flags and no terminal to ask on; give the check-in as \
                 flags, e.g. `afterrun checkin --sore quads=6,calves=4 --symptom \
                 dull_ache@quads:20:improving --next-run 2026-11-24T07:00:00Z` (see \
                 `afterrun checkin --help`)",
            ));
        }
        flags = ask()?;
        patches = flags.read_patches()?;
    }

    let (session, athlete) = args.db.open()?;
    let profile = session.profile(athlete)?;

    let mut doc = Value::Object(serde_json::Map::new());
    for (path, value) in patches {
        apply_patch(&mut doc, &path, value).map_err(|e| bad_input(e.to_string()))?;
    }
    let saved_at = now();
    if afterrun_protocol::checkin::stated_now(&doc).is_none() {
        apply_patch(&mut doc, &["now"], crate::db::time_json(Some(saved_at)))
            .map_err(|e| bad_input(e.to_string()))?;
    }
    let filled_in: Vec<String> =
        crate::checkin_flags::fill_run_end(&mut doc, &flags).into_iter().collect();
    crate::db::merge_profile(&mut doc, &profile);
    let planned = session.block_on(afterrun_service::checkin::checkin_and_plan_noting(
        &session.store,
        athlete,
        &doc,
        saved_at,
        &filled_in,
    ));
    session.close();
    let planned = planned.map_err(|e| match e {
        afterrun_service::checkin::CheckinError::Invalid(e) => {
            bad_input(format!("invalid check-in: {e}"))
        }
        afterrun_service::checkin::CheckinError::Service(e) => crate::db::service_error(e),
    })?;
    let (plan_text, plan, plan_id) = (planned.plan_text, planned.plan, planned.plan_id);

    let output = if args.json {
        format!("{plan_text}\n")
    } else {
        let locale = afterrun_service::locale::Locale::of(&profile);
        let mut text = crate::render::plan_text::render(&plan, &locale);
        text.push_str(&format!(
            "\nSaved as plan {plan_id}. Mark a step done with `afterrun done STEP` \
             (steps count from 0).\n"
        ));
        text
    };
    super::print_styled(&output)?;
    Ok(ExitCode::SUCCESS)
}

/// The short interactive check-in: soreness, symptoms, cramp, next run.
fn ask() -> anyhow::Result<CheckinFlags> {
    eprintln!("Quick check-in (press Enter to skip a question).");
    let sore = prompt(
        "Sore muscles 0-10, e.g. quads=6,calves=4 \
         (quads hamstrings calves glutes shins feet adductors hip_flexors)",
    )?;
    let symptoms =
        prompt("Symptoms, e.g. swelling@calf_left or sharp_pain@knee_right:2:worsening:twist")?;
    let cramp = prompt("Cramping right now? Where (e.g. calf_left)")?;
    let next = prompt("Next run in how many hours (e.g. 24)")?;
    let mut flags = CheckinFlags::default();
    if !sore.is_empty() {
        flags.sore = Some(sore);
    }
    if !symptoms.is_empty() {
        flags.symptom = vec![symptoms];
    }
    if !cramp.is_empty() {
        flags.cramp = Some(cramp);
    }
    if !next.is_empty() {
        let hours: f64 = next
            .parse()
            .ok()
            .filter(|h: &f64| h.is_finite() && (0.0..=24.0 * 60.0).contains(h))
            .ok_or_else(|| bad_input(format!("next run: {next:?} is not a number of hours")))?;
        let at = now() + (hours * 3600.0).round() as i64;
        flags.next_run = crate::db::time_json(Some(at)).as_str().map(str::to_owned);
    }
    Ok(flags)
}

fn prompt(question: &str) -> anyhow::Result<String> {
    let mut err = std::io::stderr();
    write!(err, "{question}: ")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}
