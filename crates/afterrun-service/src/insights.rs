//! Population figures (`insights`) and "what works for you" (`status`, the web status page):
//! what runners reported after each recovery step, worded as association, not proof.
//!
//! The figures come from `afterrun-protocol`'s outcome model over every stored athlete's
//! outcomes ([`crate::history::all_outcomes`]); this module shapes them as the documented JSON
//! (docs/insights.md) and as text.

use std::fmt::Write as _;

use afterrun_protocol::codes::Modality;
use afterrun_protocol::learn::IMPROVEMENT_THRESHOLD;
use afterrun_protocol::outcome::{self, MIN_RUNNERS, ModalityFigure, SessionOutcome};
use afterrun_store::Id;
use serde::{Deserialize, Serialize};

fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

/// The `insights --json` document (docs/insights.md). Fields are in alphabetical order, the
/// order the document has always been written in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightsDoc {
    /// Share of sessions that count as improved: soreness this many points below the forecast.
    pub improvement_threshold: f64,
    /// Runners a figure needs to be shown (1 on a personal store).
    pub min_runners: usize,
    /// The figures shown.
    pub modalities: Vec<FigureDoc>,
    /// Whether the store holds several athletes.
    pub multi_user: bool,
    /// Runners with an outcome.
    pub runners: usize,
    /// Outcomes.
    pub sessions: usize,
    /// Modalities with too few runners to show.
    pub withheld: Vec<Modality>,
}

/// The figure of one modality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureDoc {
    /// Sessions weighted by the runner's number of sessions.
    pub effective_sessions: f64,
    /// Sessions followed by less soreness than forecast.
    pub improved: u64,
    /// The 95 % interval of `share`.
    pub interval: IntervalDoc,
    /// The mean of reported minus forecast soreness.
    pub mean_residual: f64,
    /// The modality.
    pub modality: Modality,
    /// Runners.
    pub runners: usize,
    /// Sessions.
    pub sessions: u64,
    /// The share of improved sessions.
    pub share: f64,
}

/// A confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalDoc {
    /// Upper bound.
    pub high: f64,
    /// Confidence level.
    pub level: f64,
    /// Lower bound.
    pub low: f64,
}

impl From<&ModalityFigure> for FigureDoc {
    fn from(f: &ModalityFigure) -> FigureDoc {
        FigureDoc {
            effective_sessions: round(f.effective_sessions, 1),
            improved: f.improved,
            interval: IntervalDoc {
                high: round(f.interval.1, 4),
                level: 0.95,
                low: round(f.interval.0, 4),
            },
            mean_residual: round(f.mean_residual, 3),
            modality: f.modality,
            runners: f.runners,
            sessions: f.sessions,
            share: round(f.share, 4),
        }
    }
}

impl FigureDoc {
    /// "72 % (60-81 %)": the share and its interval, in per cent.
    fn percentages(&self) -> (f64, f64, f64) {
        (self.share * 100.0, self.interval.low * 100.0, self.interval.high * 100.0)
    }

    /// The guide's sentence for this figure.
    pub fn sentence(&self) -> String {
        let (share, low, high) = self.percentages();
        format!(
            "After {}, {share:.0} % of sessions (95 % interval {low:.0}-{high:.0} %, {} sessions, {} \
             runner{}) were followed by less soreness than forecast.",
            outcome::modality_words(self.modality),
            self.sessions,
            self.runners,
            if self.runners == 1 { "" } else { "s" },
        )
    }
}

/// The `insights --json` document (docs/insights.md).
pub fn insights_json(runners: &[Vec<SessionOutcome>], multi_user: bool) -> InsightsDoc {
    let figures = outcome::figures(runners);
    let (shown, withheld): (Vec<&ModalityFigure>, Vec<&ModalityFigure>) =
        figures.iter().partition(|f| !multi_user || f.runners >= MIN_RUNNERS);
    InsightsDoc {
        multi_user,
        min_runners: if multi_user { MIN_RUNNERS } else { 1 },
        improvement_threshold: IMPROVEMENT_THRESHOLD,
        runners: runners.iter().filter(|r| !r.is_empty()).count(),
        sessions: runners.iter().map(Vec::len).sum::<usize>(),
        modalities: shown.into_iter().map(FigureDoc::from).collect(),
        withheld: withheld.iter().map(|f| f.modality).collect(),
    }
}

/// The `insights` text for people.
pub fn insights_text(doc: &InsightsDoc) -> String {
    let mut s = String::new();
    let (sessions, runners) = (doc.sessions, doc.runners);
    let _ = writeln!(
        s,
        "What runners reported after each recovery step ({sessions} sessions, {runners} runner{})",
        if runners == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        s,
        "Share of sessions followed by soreness at least 1 point below the forecast at the next \
         check-in, with a 95 % interval. An association, not proof that the step caused it."
    );
    if doc.modalities.is_empty() {
        let _ = writeln!(s, "  no figures yet: they come from check-ins 12-48 h after a plan");
    }
    for m in &doc.modalities {
        let (share, low, high) = m.percentages();
        let _ = writeln!(
            s,
            "  {:<24} {share:>4.0} %  ({low:.0}-{high:.0} %)  {} sessions, {} runners, mean {:+.1} points",
            outcome::modality_words(m.modality),
            m.sessions,
            m.runners,
            m.mean_residual,
        );
    }
    if !doc.withheld.is_empty() {
        let withheld: Vec<&str> =
            doc.withheld.iter().map(|m| outcome::modality_words(*m)).collect();
        let _ = writeln!(
            s,
            "  not shown (fewer than {} runners): {}",
            doc.min_runners,
            withheld.join(", ")
        );
    }
    s
}

/// "What works for you" (`status --json` field `what_works`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WhatWorks {
    /// The learned effects with enough evidence.
    pub effects: Vec<EffectDoc>,
    /// The athlete's outcomes so far.
    pub outcomes: usize,
}

/// One learned effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectDoc {
    /// Soreness points against the forecast (negative: less sore).
    pub effect: f64,
    /// The modality.
    pub modality: Modality,
    /// Sessions behind it.
    pub sessions: u32,
    /// The effect in a sentence.
    pub text: String,
}

/// "What works for you" for `status` and the status page: the athlete's learned effects
/// (enough evidence only) and how many outcomes are known, as JSON (`status --json` field
/// `what_works`), from every athlete's outcomes already read (pure).
pub fn what_works_from(all: &[(Id, Vec<SessionOutcome>)], athlete: Id, now: i64) -> WhatWorks {
    let own = all
        .iter()
        .find(|(id, _)| *id == athlete)
        .map_or(0, |(_, v)| v.iter().filter(|o| o.at <= now).count());
    let (_, learned) = crate::history::learning_from(all, athlete, now);
    let effects = learned
        .iter()
        .map(|e| EffectDoc {
            modality: e.modality,
            effect: round(e.mean, 2),
            sessions: e.sessions,
            text: outcome::effect_sentence(e),
        })
        .collect();
    WhatWorks { outcomes: own, effects }
}

/// The "what works for you" lines of `status`.
pub fn what_works_text(doc: &WhatWorks) -> String {
    let mut s = String::from("\nWhat works for you\n");
    if doc.effects.is_empty() {
        let n = doc.outcomes;
        let _ = writeln!(
            s,
            "  not enough outcomes yet ({n} so far): mark the steps you do with `afterrun done` \
             and check in again 12-48 h later"
        );
    }
    for e in &doc.effects {
        let _ = writeln!(s, "  {}", e.text);
    }
    s
}
