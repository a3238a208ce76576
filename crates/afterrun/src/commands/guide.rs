//! `afterrun guide [TOPIC]`: the recovery guide, topic by topic.
//!
//! The texts are data in `afterrun_protocol::guide`; this module only lays them out: the seed
//! guide's advice first, then what the evidence adds, the marked place for population figures,
//! then the references with their citations.

use afterrun_protocol::references::readable;
use std::fmt::Write as _;
use std::process::ExitCode;

use afterrun_protocol::guide::{OUTCOME_FIGURES_NOTE, Topic, topic, topics};

use crate::exit::bad_input;
use crate::render::{HEADING, styled, wrap};

/// Arguments of `afterrun guide`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topic to read (leave it out for the list of topics)
    #[arg(value_name = "TOPIC")]
    topic: Option<String>,

    /// A store whose outcome figures fill the guide's "what other runners reported"
    /// [default: $AFTERRUN_DB, else the default store, when it exists]
    #[arg(long, value_name = "URL")]
    db: Option<String>,
}

/// Runs `afterrun guide`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = match args.topic.as_deref() {
        None => topic_list(),
        Some(id) => match topic(id) {
            Some(t) => {
                let figures = crate::commands::insights::guide_lines(
                    args.db.as_deref(),
                    t.outcome_modalities,
                );
                render_topic_with(t, &figures)
            }
            None => {
                let valid: Vec<&str> = topics().iter().map(|t| t.id).collect();
                return Err(bad_input(format!(
                    "unknown guide topic `{id}`; topics: {}",
                    valid.join(", ")
                )));
            }
        },
    };
    super::print_styled(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn topic_list() -> String {
    let mut out =
        format!("{}\n", styled(HEADING, "Guide topics (read one with `afterrun guide TOPIC`)"));
    let width = topics().iter().map(|t| t.id.len()).max().unwrap_or(0);
    for t in topics() {
        let _ = writeln!(out, "  {:<width$}  {}", t.id, t.summary);
    }
    out
}

/// The topic, with the store's outcome figures (issue 8) under "What other runners reported".
fn render_topic_with(t: &Topic, figures: &[String]) -> String {
    let mut out = format!("{}\n", styled(HEADING, t.title));
    let _ = writeln!(out, "\n{}", styled(HEADING, "What to do (the seed guide)"));
    for p in t.seed_advice {
        out.push_str(&wrap(&readable(p), "  - ", "    "));
    }
    let _ = writeln!(out, "\n{}", styled(HEADING, "What the evidence adds"));
    for p in t.evidence {
        out.push_str(&wrap(&readable(p), "  - ", "    "));
    }
    if !t.outcome_modalities.is_empty() {
        // The marked place for population figures (issue 8): shown here once they exist.
        let _ = writeln!(out, "\n{}", styled(HEADING, "What other runners reported"));
        out.push_str(&wrap(OUTCOME_FIGURES_NOTE, "  ", "  "));
        for f in figures {
            out.push_str(&wrap(f, "  - ", "    "));
        }
    }
    let _ = writeln!(out, "\n{}", styled(HEADING, "References"));
    // Citations in full, by the short form the text uses; the ids are for `--json`.
    for r in t.references.iter().filter_map(|id| afterrun_protocol::references::find(id)) {
        out.push_str(&wrap(&format!("{}: {}", r.short(), r.citation), "  - ", "    "));
    }
    out
}
