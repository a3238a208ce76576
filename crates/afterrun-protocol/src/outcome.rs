//! Outcomes: how each plan was followed by the athlete's next check-in, against their forecast.
//!
//! Why: the learner ([`crate::learn`]) needs, per plan, which modalities were done and whether
//! the soreness that followed was lower or higher than the athlete's own forecast. Soreness
//! alone would reward whatever was done after easy runs; the residual against the load model's
//! DOMS curve (calibrated by the athlete's earlier check-ins) takes the run out of it.
//!
//! The rules:
//! - a plan's outcome is the first check-in from [`MIN_GAP_S`] to [`MAX_GAP_S`] after it
//!   (earlier ones are too soon for soreness to have changed, later ones answer another run);
//! - the targeted groups are the muscle groups named by the plan's step targets (sides merged);
//!   a group the outcome check-in does not rate gives no outcome (unknown is not 0);
//! - the reported soreness of a group is the larger of its sides; the forecast is the load
//!   model's for that moment, given by the caller (this crate knows no load model), and the
//!   residual is reported − forecast;
//! - the exposure is the set of learned modalities with a step marked done.
//!
//! Outcomes are recomputed from the stored plans, check-ins and completions whenever they are
//! read (no model version is stored): a better forecast model changes every outcome at once.
//!
//! Everything here is pure; time is Unix seconds passed in.

use std::collections::BTreeMap;

use crate::checkin::CheckIn;
use crate::doc::PlanDoc;

use crate::codes::Modality;
use crate::effect::LearnedEffect;
use crate::learn::{self, Belief};
use crate::region::{Group, Region};

/// A check-in sooner than this after a plan (seconds) is not its outcome.
pub const MIN_GAP_S: i64 = 12 * 3600;
/// A check-in later than this after a plan (seconds) is not its outcome.
pub const MAX_GAP_S: i64 = 48 * 3600;

/// The modalities whose effect is learned (every step modality but referrals and rest).
pub const LEARNED: [Modality; 9] = [
    Modality::Walk,
    Modality::EasyCycle,
    Modality::DynamicStretching,
    Modality::StaticStretching,
    Modality::FoamRolling,
    Modality::MassageGun,
    Modality::CompressionBoots,
    Modality::VibrationPlate,
    Modality::Hydration,
];

/// The planner's default order of the choices learning can change (protocol.md §5–§6).
pub const PREFERENCE_DEFAULT: [Modality; 4] = Modality::HANDS_ON_AND_DEVICES;

/// One step of a stored plan, as the outcome needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// The step's modality.
    pub modality: Modality,
    /// The muscle groups its targets name (sides merged).
    pub groups: Vec<Group>,
    /// Whether it was marked done.
    pub done: bool,
}

/// A stored plan, as the outcome needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRecord {
    /// The plan's id in the store.
    pub id: i64,
    /// Its `generated_at`, Unix seconds.
    pub at: i64,
    /// Its steps.
    pub steps: Vec<StepRecord>,
}

/// A stored check-in, as the outcome needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckinRecord {
    /// Its `now`, Unix seconds.
    pub at: i64,
    /// Soreness per group (the larger side), 0–10.
    pub soreness: BTreeMap<Group, f64>,
}

/// The outcome of a plan for one targeted group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupOutcome {
    /// The group.
    pub group: Group,
    /// Soreness reported at the outcome check-in, 0–10.
    pub reported: f64,
    /// The forecast for that moment, 0–10.
    pub forecast: f64,
    /// `reported - forecast` (negative: better than expected).
    pub residual: f64,
}

/// The outcome of one plan.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionOutcome {
    /// The plan's id.
    pub plan_id: i64,
    /// When the outcome check-in was, Unix seconds.
    pub at: i64,
    /// Learned modalities with a step marked done, in [`LEARNED`] order.
    pub done: Vec<Modality>,
    /// Per targeted group.
    pub groups: Vec<GroupOutcome>,
}

impl SessionOutcome {
    /// The mean residual over the targeted groups.
    pub fn residual(&self) -> f64 {
        if self.groups.is_empty() {
            return 0.0;
        }
        self.groups.iter().map(|g| g.residual).sum::<f64>() / self.groups.len() as f64
    }

    /// The learner's view of this outcome.
    pub fn to_learn(&self) -> learn::Outcome<Modality> {
        learn::Outcome { done: self.done.clone(), residual: self.residual() }
    }
}

/// A plan's steps as the outcome needs them, with the indexes of its steps marked done.
pub fn plan_record(id: i64, at: i64, plan: &PlanDoc, done_steps: &[u32]) -> PlanRecord {
    let steps = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut groups: Vec<Group> = s
                .targets
                .iter()
                .filter_map(|t| match t {
                    Region::Group(g, _) => Some(*g),
                    _ => None,
                })
                .collect();
            groups.sort();
            groups.dedup();
            let done = u32::try_from(i).is_ok_and(|i| done_steps.contains(&i));
            StepRecord { modality: s.modality, groups, done }
        })
        .collect();
    PlanRecord { id, at, steps }
}

/// A check-in's soreness per group (sides merged: the larger; clamped to 0–10).
pub fn checkin_record(at: i64, checkin: &CheckIn) -> CheckinRecord {
    let mut soreness: BTreeMap<Group, f64> = BTreeMap::new();
    for (region, rating) in checkin.soreness.iter().flatten() {
        let Region::Group(g, _) = region else { continue };
        if !rating.is_finite() {
            continue;
        }
        let rating = rating.clamp(0.0, 10.0);
        let slot = soreness.entry(*g).or_insert(rating);
        *slot = slot.max(rating);
    }
    CheckinRecord { at, soreness }
}

/// Computes every plan's outcome. `forecast(at)` gives the forecast soreness of each group (in
/// [`Group::ALL`] order) at `at`, calibrated by the check-ins before `at`; it is called once per
/// outcome check-in. Plans are matched in any order; the result is in plan order.
pub fn outcomes(
    plans: &[PlanRecord],
    checkins: &[CheckinRecord],
    mut forecast: impl FnMut(i64) -> [f64; 8],
) -> Vec<SessionOutcome> {
    let mut sorted: Vec<&CheckinRecord> = checkins.iter().collect();
    sorted.sort_by_key(|c| c.at);
    let mut cache: BTreeMap<i64, [f64; 8]> = BTreeMap::new();
    let mut out = Vec::new();
    for plan in plans {
        let Some(next) = sorted.iter().find(|c| {
            let gap = c.at.saturating_sub(plan.at);
            (MIN_GAP_S..=MAX_GAP_S).contains(&gap)
        }) else {
            continue;
        };
        let mut targeted: Vec<Group> = plan.steps.iter().flat_map(|s| s.groups.clone()).collect();
        targeted.sort();
        targeted.dedup();
        let f = *cache.entry(next.at).or_insert_with(|| forecast(next.at));
        let groups: Vec<GroupOutcome> = targeted
            .into_iter()
            .filter_map(|group| {
                let reported = *next.soreness.get(&group)?;
                let i = Group::ALL.iter().position(|g| *g == group)?;
                let fc = f.get(i).copied().filter(|x| x.is_finite()).unwrap_or(0.0);
                let fc = fc.clamp(0.0, 10.0);
                Some(GroupOutcome { group, reported, forecast: fc, residual: reported - fc })
            })
            .collect();
        if groups.is_empty() {
            continue;
        }
        let done: Vec<Modality> = LEARNED
            .into_iter()
            .filter(|m| plan.steps.iter().any(|s| s.modality == *m && s.done))
            .collect();
        out.push(SessionOutcome { plan_id: plan.id, at: next.at, done, groups });
    }
    out
}

/// What learning gives the planner for one athlete: the ranking of the hands-on and device
/// modalities and the effects with enough evidence, from the athlete's outcomes shrunk toward
/// the population's. With no outcomes of the athlete's own, both are empty (the plan is then
/// the same as without learning).
pub fn personalize(
    population: &BTreeMap<Modality, Belief>,
    own: &[SessionOutcome],
    seed: u64,
) -> (Vec<Modality>, Vec<LearnedEffect>) {
    if own.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let outcomes: Vec<learn::Outcome<Modality>> = own.iter().map(|o| o.to_learn()).collect();
    let beliefs = learn::runner_beliefs(&LEARNED, population, &outcomes);
    let ranking = learn::rank(&PREFERENCE_DEFAULT, &beliefs, seed);
    let effects = effects(&beliefs);
    (ranking, effects)
}

/// The effects with enough evidence, most helpful first.
pub fn effects(beliefs: &BTreeMap<Modality, Belief>) -> Vec<LearnedEffect> {
    let mut effects: Vec<LearnedEffect> = LEARNED
        .into_iter()
        .filter_map(|m| {
            let b = beliefs.get(&m)?;
            b.is_enough().then_some(LearnedEffect {
                modality: m,
                mean: b.mean,
                sessions: b.sessions,
            })
        })
        .collect();
    effects.sort_by(|a, b| a.mean.total_cmp(&b.mean));
    effects
}

/// The population beliefs from every athlete's outcomes.
pub fn population(runners: &[Vec<SessionOutcome>]) -> BTreeMap<Modality, Belief> {
    let runners: Vec<Vec<learn::Outcome<Modality>>> =
        runners.iter().map(|r| r.iter().map(SessionOutcome::to_learn).collect()).collect();
    learn::population_beliefs(&LEARNED, &runners)
}

/// In multi-user mode, a figure is shown only when at least this many runners contribute to it
/// (no one can be singled out).
pub const MIN_RUNNERS: usize = 10;

/// The z of a two-sided 95 % interval.
pub const Z95: f64 = 1.959_964;

/// The population figure of one modality: how often a session with it done was followed by
/// improvement (a session residual ≤ [`learn::IMPROVEMENT_THRESHOLD`]). The interval is Wilson's
/// over the effective number of sessions (sessions / the design effect of runner clustering).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModalityFigure {
    /// The modality.
    pub modality: Modality,
    /// Sessions with it done.
    pub sessions: u64,
    /// Of which followed by improvement.
    pub improved: u64,
    /// Runners with at least one such session.
    pub runners: usize,
    /// `improved / sessions`.
    pub share: f64,
    /// Wilson 95 % interval of the share over the effective number of sessions.
    pub interval: (f64, f64),
    /// Sessions divided by the design effect of runner clustering (≤ `sessions`).
    pub effective_sessions: f64,
    /// Mean session residual, soreness points.
    pub mean_residual: f64,
}

/// The population figures, one per learned modality done in at least one session, in
/// [`LEARNED`] order.
pub fn figures(runners: &[Vec<SessionOutcome>]) -> Vec<ModalityFigure> {
    LEARNED
        .into_iter()
        .filter_map(|m| {
            let (mut sessions, mut improved, mut sum) = (0u64, 0u64, 0.0);
            // Per runner: (sessions, improved), for the design effect.
            let mut per_runner: Vec<(f64, f64)> = Vec::new();
            for r in runners {
                let (mut n, mut y) = (0u64, 0u64);
                for o in r.iter().filter(|o| o.done.contains(&m)) {
                    let res = o.residual();
                    n += 1;
                    sum += res;
                    y += u64::from(learn::is_improvement(res));
                }
                if n > 0 {
                    per_runner.push((n as f64, y as f64));
                }
                sessions += n;
                improved += y;
            }
            if sessions == 0 {
                return None;
            }
            let total = sessions as f64;
            let share = improved as f64 / total;
            let effective_sessions = total / design_effect(&per_runner, share);
            let interval = learn::wilson_interval_effective(share, effective_sessions, Z95)?;
            Some(ModalityFigure {
                modality: m,
                sessions,
                improved,
                runners: per_runner.len(),
                share,
                interval,
                effective_sessions,
                mean_residual: sum / total,
            })
        })
        .collect()
}

/// The design effect of runner clustering for a share `p` over per-runner (sessions, improved)
/// counts: the cluster-robust (ratio estimator) variance over the binomial one, at least 1.
/// Sessions of one runner are alike (their true effects differ from other runners'), so
/// treating them as independent gives too narrow an interval; the simulation test measured
/// about 80 % coverage of the population share without this correction.
fn design_effect(per_runner: &[(f64, f64)], p: f64) -> f64 {
    let k = per_runner.len();
    let total: f64 = per_runner.iter().map(|(n, _)| n).sum();
    if k < 2 || total <= 0.0 || p <= 0.0 || p >= 1.0 {
        return 1.0;
    }
    let ss: f64 = per_runner.iter().map(|(n, y)| (y - p * n).powi(2)).sum();
    let robust = ss / (total * total) * k as f64 / (k as f64 - 1.0);
    let binomial = p * (1.0 - p) / total;
    let d = robust / binomial;
    if d.is_finite() { d.max(1.0) } else { 1.0 }
}

/// Appends a modality's words as the start of a sentence ("The easy walk", "Foam rolling").
pub fn modality_subject_into(out: &mut String, m: Modality) {
    let mut words = modality_words(m).chars();
    out.extend(words.next().map(|c| c.to_ascii_uppercase()));
    out.push_str(words.as_str());
}

/// A modality in plain words, as a sentence's subject ("foam rolling", "the massage gun").
pub fn modality_words(m: Modality) -> &'static str {
    match m {
        Modality::Walk => "the easy walk",
        Modality::EasyCycle => "easy cycling",
        Modality::DynamicStretching => "dynamic stretching",
        Modality::StaticStretching => "static stretching",
        Modality::FoamRolling => "foam rolling",
        Modality::MassageGun => "the massage gun",
        Modality::CompressionBoots => "the compression boots",
        Modality::VibrationPlate => "the vibration plate",
        Modality::Hydration => "water with electrolytes",
        Modality::Rest => "rest",
        Modality::ConsultPhysio => "seeing a physiotherapist",
        Modality::SeekUrgentCare => "urgent care",
        Modality::CallEmergency => "emergency care",
    }
}

/// The plain-words sentence for one learned effect, e.g. "For you, foam rolling has been
/// followed by 1.2 points less soreness than expected, over 8 sessions."
pub fn effect_sentence(e: &LearnedEffect) -> String {
    let points = e.mean.abs();
    let sessions = if e.sessions == 1 { "session" } else { "sessions" };
    // "the compression boots have", "foam rolling has".
    let has = if e.modality == Modality::CompressionBoots { "have" } else { "has" };
    if points < 0.05 {
        return format!(
            "For you, {} {has} been followed by about the soreness expected, over {} {sessions}.",
            modality_words(e.modality),
            e.sessions
        );
    }
    let more_less = if e.mean < 0.0 { "less" } else { "more" };
    let unit = if (points - 1.0).abs() < 0.05 { "point" } else { "points" };
    format!(
        "For you, {} {has} been followed by {points:.1} {unit} {more_less} soreness than expected, \
         over {} {sessions}.",
        modality_words(e.modality),
        e.sessions
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effect_sentences_read_as_plain_english() {
        let e = |modality, mean, sessions| LearnedEffect { modality, mean, sessions };
        assert_eq!(
            effect_sentence(&e(Modality::FoamRolling, -1.23, 8)),
            "For you, foam rolling has been followed by 1.2 points less soreness than expected, \
             over 8 sessions."
        );
        assert_eq!(
            effect_sentence(&e(Modality::CompressionBoots, 1.0, 1)),
            "For you, the compression boots have been followed by 1.0 point more soreness than \
             expected, over 1 session."
        );
        assert!(effect_sentence(&e(Modality::MassageGun, 0.01, 6)).contains("about the soreness"));
    }

    const H: i64 = 3600;

    fn plan(id: i64, at: i64, steps: &[(Modality, &[Group], bool)]) -> PlanRecord {
        PlanRecord {
            id,
            at,
            steps: steps
                .iter()
                .map(|(m, g, d)| StepRecord { modality: *m, groups: g.to_vec(), done: *d })
                .collect(),
        }
    }

    fn checkin(at: i64, sore: &[(Group, f64)]) -> CheckinRecord {
        CheckinRecord { at, soreness: sore.iter().copied().collect() }
    }

    #[test]
    fn next_checkin_in_the_window_is_the_outcome() {
        let plans = [plan(
            1,
            0,
            &[
                (Modality::FoamRolling, &[Group::Quads, Group::Calves], true),
                (Modality::MassageGun, &[Group::Quads], false),
            ],
        )];
        let checkins = [
            checkin(2 * H, &[(Group::Quads, 9.0)]),
            checkin(20 * H, &[(Group::Quads, 4.0), (Group::Calves, 1.0)]),
            checkin(40 * H, &[(Group::Quads, 0.0)]),
        ];
        let mut calls = Vec::new();
        let got = outcomes(&plans, &checkins, |at| {
            calls.push(at);
            let mut f = [0.0; 8];
            f[0] = 5.0; // quads
            f[2] = 0.5; // calves
            f
        });
        assert_eq!(calls, [20 * H]);
        assert_eq!(got.len(), 1);
        let o = &got[0];
        assert_eq!(o.at, 20 * H);
        assert_eq!(o.done, [Modality::FoamRolling]);
        assert_eq!(o.groups.len(), 2);
        assert_eq!(o.groups[0].group, Group::Quads);
        assert!((o.groups[0].residual + 1.0).abs() < 1e-12);
        assert!((o.groups[1].residual - 0.5).abs() < 1e-12);
        assert!((o.residual() + 0.25).abs() < 1e-12);
    }

    #[test]
    fn no_checkin_in_the_window_or_no_rating_gives_no_outcome() {
        let plans = [plan(1, 0, &[(Modality::Walk, &[Group::Quads], true)])];
        let early_and_late = [checkin(11 * H, &[(Group::Quads, 3.0)]), checkin(49 * H, &[])];
        assert!(outcomes(&plans, &early_and_late, |_| [0.0; 8]).is_empty());
        let unrated = [checkin(24 * H, &[(Group::Calves, 3.0)])];
        assert!(outcomes(&plans, &unrated, |_| [0.0; 8]).is_empty());
    }

    #[test]
    fn reads_the_typed_documents() {
        let checkin = crate::parse_checkin(
            r#"{"now":"2026-11-23T08:30:00Z","soreness":{"calves_left":3,"calves_right":6,
                "quads":10,"knee_left":4},"athlete":{"equipment":["foam_roller"]}}"#,
        )
        .unwrap();
        let plan = crate::make_plan(&checkin, &crate::History::default());
        let rolling = plan.steps.iter().position(|s| s.modality == Modality::FoamRolling).unwrap();
        let p = plan_record(7, 100, &plan, &[u32::try_from(rolling).unwrap(), 99]);
        assert_eq!(p.steps.len(), plan.steps.len());
        assert!(p.steps[rolling].done && !p.steps[0].done);
        assert!(p.steps[rolling].groups.contains(&Group::Calves));
        let c = checkin_record(5, &checkin);
        assert_eq!(c.soreness.get(&Group::Calves), Some(&6.0));
        assert_eq!(c.soreness.get(&Group::Quads), Some(&10.0));
        assert_eq!(c.soreness.len(), 2, "the knee is no muscle group");
    }

    fn session(done: &[Modality], residual: f64) -> SessionOutcome {
        SessionOutcome {
            plan_id: 0,
            at: 0,
            done: done.to_vec(),
            groups: vec![GroupOutcome {
                group: Group::Quads,
                reported: 0.0,
                forecast: 0.0,
                residual,
            }],
        }
    }

    #[test]
    fn figures_count_sessions_runners_and_improvement() {
        let fr = Modality::FoamRolling;
        let runners = vec![
            vec![session(&[fr], -1.0), session(&[fr], -2.0), session(&[fr], -3.0)],
            vec![
                session(&[fr, Modality::Walk], -0.5),
                session(&[fr], 0.0),
                session(&[fr], 0.5),
                session(&[], -3.0),
            ],
            vec![],
        ];
        let f = figures(&runners);
        assert_eq!(f.iter().map(|f| f.modality).collect::<Vec<_>>(), [Modality::Walk, fr]);
        let foam = f[1];
        assert_eq!((foam.sessions, foam.improved, foam.runners), (6, 3, 2));
        assert!((foam.share - 0.5).abs() < 1e-12);
        assert!((foam.mean_residual + 1.0).abs() < 1e-12);
        // One runner always improved, the other never: the sessions are clustered, so the
        // interval is wider than Wilson's over 6 independent sessions.
        let (lo, hi) = learn::wilson_interval(3, 6, Z95).unwrap();
        assert!(foam.effective_sessions < 6.0, "{foam:?}");
        assert!(foam.interval.0 < lo && foam.interval.1 > hi, "{foam:?}");
        // Unclustered (each runner half and half): the plain Wilson interval.
        let even = vec![
            vec![session(&[fr], -2.0), session(&[fr], 0.0)],
            vec![session(&[fr], -2.0), session(&[fr], 0.0)],
        ];
        let g = figures(&even)[0];
        assert!((g.effective_sessions - 4.0).abs() < 1e-12);
        let (lo, hi) = learn::wilson_interval(2, 4, Z95).unwrap();
        assert!((g.interval.0 - lo).abs() < 1e-12 && (g.interval.1 - hi).abs() < 1e-12);
    }

    #[test]
    fn personalize_is_empty_without_own_outcomes() {
        let pop = population(&[]);
        let (ranking, effects) = personalize(&pop, &[], 3);
        assert!(ranking.is_empty() && effects.is_empty());
    }

    #[test]
    fn personalize_finds_what_helped() {
        let own: Vec<SessionOutcome> = (0..30)
            .map(|i| {
                let foam = i % 2 == 0;
                SessionOutcome {
                    plan_id: i,
                    at: i * 24 * H,
                    done: if foam {
                        vec![Modality::FoamRolling]
                    } else {
                        vec![Modality::CompressionBoots]
                    },
                    groups: vec![GroupOutcome {
                        group: Group::Quads,
                        reported: 0.0,
                        forecast: 0.0,
                        residual: if foam { -2.0 } else { 0.3 },
                    }],
                }
            })
            .collect();
        let pop = population(std::slice::from_ref(&own));
        let beliefs = learn::runner_beliefs(
            &LEARNED,
            &pop,
            &own.iter().map(SessionOutcome::to_learn).collect::<Vec<_>>(),
        );
        assert_eq!(learn::best_first(&PREFERENCE_DEFAULT, &beliefs)[0], Modality::FoamRolling);
        let (_, effects) = personalize(&pop, &own, 0);
        let foam = effects.iter().find(|e| e.modality == Modality::FoamRolling).unwrap();
        assert!(foam.mean < -1.0, "{foam:?}");
        assert_eq!(foam.sessions, 15);
        let s = effect_sentence(foam);
        assert!(s.starts_with("For you, foam rolling has been followed by "), "{s}");
        assert!(s.ends_with("points less soreness than expected, over 15 sessions."), "{s}");
    }
}
