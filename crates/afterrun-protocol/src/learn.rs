//! Learning what works: per-runner effects of each recovery modality, shrunk toward the
//! population, and the population's share of sessions followed by improvement.
//!
//! Why a model at all: the seed guide says there is no one-size-fits-all recovery. A plan's
//! outcome is the next check-in's soreness against the athlete's own forecast (the *residual*:
//! negative is better than expected). Sessions usually mix several modalities, and a runner with
//! three sessions of data should not be steered by noise, so the estimate is a small Bayesian
//! linear regression per runner whose prior is the population estimate.
//!
//! The model (stated again in ARCHITECTURE.md):
//! - residual(s) = b + Σ_{m done in s} θ_m + ε, ε ~ N(0, σ²), σ = [`NOISE_SD`] points;
//! - the runner's intercept b ~ N(0, [`INTERCEPT_PRIOR_SD`]²) absorbs a forecast that is off for
//!   this runner;
//! - each effect θ_m ~ N(μ_m, τ²), μ_m the population estimate of that modality (itself fitted the
//!   same way over all runners' sessions with prior N(0, [`POPULATION_PRIOR_SD`]²)) and
//!   τ = [`BETWEEN_RUNNER_SD`] the spread of true effects between runners.
//!
//! The posterior is Gaussian and exact (normal equations, Cholesky); with no sessions it is the
//! prior, so a runner with no outcomes gets the population figures and the plan is unchanged.
//! Everything here is pure and deterministic: exploration (Thompson sampling, [`rank`]) draws
//! from a seeded generator.

use crate::rng::{GOLDEN, NormalDraw, SplitMix64};
use std::collections::BTreeMap;

/// Residual noise between sessions, in soreness points (0–10 scale).
pub const NOISE_SD: f64 = 1.5;
/// Prior spread of a runner's forecast bias, in points.
pub const INTERCEPT_PRIOR_SD: f64 = 1.0;
/// Prior spread of a modality's population effect, in points.
pub const POPULATION_PRIOR_SD: f64 = 2.0;
/// Spread of true effects between runners around the population effect, in points.
pub const BETWEEN_RUNNER_SD: f64 = 1.0;
/// A residual at or below this counts as "improvement" in the population figures.
pub const IMPROVEMENT_THRESHOLD: f64 = -1.0;
/// Posterior standard deviation under which a runner's estimate is "enough evidence".
pub const ENOUGH_EVIDENCE_SD: f64 = 0.8;
/// Sessions with a modality done before its estimate ranks it for this runner.
pub const MIN_SESSIONS: u32 = 5;

/// One plan's outcome: which modalities were done, and the residual that followed.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<K> {
    /// Modalities marked done in the plan (duplicates are ignored).
    pub done: Vec<K>,
    /// Reported soreness minus forecast, averaged over the plan's target groups.
    pub residual: f64,
}

/// A Gaussian belief about one modality's effect on the residual (negative helps).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Belief {
    /// Posterior mean effect, in soreness points.
    pub mean: f64,
    /// Posterior standard deviation, in points.
    pub sd: f64,
    /// Sessions in which the modality was done.
    pub sessions: u32,
}

impl Belief {
    /// Whether there is enough evidence to tell the runner about this effect (the plan's "for
    /// you, … over 8 sessions" sentence and the status panel).
    pub fn is_enough(&self) -> bool {
        self.sessions >= MIN_SESSIONS && self.sd <= ENOUGH_EVIDENCE_SD
    }
}

/// Fits the population effect of every modality from all runners' outcomes.
///
/// Each runner keeps their own intercept (forecast bias); the effects are shared. Outcomes are
/// given per runner.
pub fn population_beliefs<K: Ord + Clone>(
    modalities: &[K],
    runners: &[Vec<Outcome<K>>],
) -> BTreeMap<K, Belief> {
    let modalities = dedup(modalities);
    let k = modalities.len();
    let dim = k + runners.len();
    let mut normal = Normal::new(dim);
    for i in 0..k {
        normal.add_prior(i, 0.0, POPULATION_PRIOR_SD);
    }
    for (r, outcomes) in runners.iter().enumerate() {
        normal.add_prior(k + r, 0.0, INTERCEPT_PRIOR_SD);
        for outcome in outcomes {
            let mut cols = columns(&modalities, &outcome.done);
            cols.push(k + r);
            normal.add_observation(&cols, outcome.residual, NOISE_SD);
        }
    }
    let counts = session_counts(&modalities, runners.iter().flatten());
    normal.solve(&modalities, &counts)
}

/// Fits one runner's effects, shrunk toward the population beliefs (the prior of each modality is
/// N(population mean, [`BETWEEN_RUNNER_SD`]² + population variance)).
///
/// A modality missing from `population` gets the population prior N(0, POPULATION_PRIOR_SD²).
pub fn runner_beliefs<K: Ord + Clone>(
    modalities: &[K],
    population: &BTreeMap<K, Belief>,
    outcomes: &[Outcome<K>],
) -> BTreeMap<K, Belief> {
    let modalities = dedup(modalities);
    let k = modalities.len();
    let mut normal = Normal::new(k + 1);
    for (i, m) in modalities.iter().enumerate() {
        let (mean, sd) = match population.get(m) {
            Some(p) => (p.mean, (BETWEEN_RUNNER_SD.powi(2) + p.sd.powi(2)).sqrt()),
            None => (0.0, (BETWEEN_RUNNER_SD.powi(2) + POPULATION_PRIOR_SD.powi(2)).sqrt()),
        };
        normal.add_prior(i, mean, sd);
    }
    normal.add_prior(k, 0.0, INTERCEPT_PRIOR_SD);
    for outcome in outcomes {
        let mut cols = columns(&modalities, &outcome.done);
        cols.push(k);
        normal.add_observation(&cols, outcome.residual, NOISE_SD);
    }
    let counts = session_counts(&modalities, outcomes.iter());
    normal.solve(&modalities, &counts)
}

/// Orders the allowed modalities for today's plan by Thompson sampling: one effect is drawn from
/// each modality's posterior (a seeded generator: the same check-in gives the same plan) and
/// the modalities are ordered by their draws, most helpful first.
///
/// Why: a modality is preferred about as often as it is likely to be the runner's best, so a
/// clearly better one leads almost every plan, while one with little evidence (a wide
/// posterior) keeps getting its chance until its own sessions tell. A fixed exploration share
/// starved the boots: the plate is done before every run anyway, so it gained evidence and was
/// preferred, and the boots, offered only instead of the plate, stayed unlearned (issue 8).
/// Modalities without a belief come last, in the order given. Only the `allowed` modalities
/// are ever returned: learning never brings back a blocked one.
pub fn rank<K: Ord + Clone>(allowed: &[K], beliefs: &BTreeMap<K, Belief>, seed: u64) -> Vec<K> {
    let allowed = dedup_keep_order(allowed);
    // SplitMix64 from `seed + GOLDEN`: the draws the learner has always made for a seed.
    let mut draws = SplitMix64::new(seed.wrapping_add(GOLDEN));
    let mut drawn: Vec<(K, f64)> = Vec::new();
    let mut rest: Vec<K> = Vec::new();
    for m in allowed {
        // One draw per allowed modality, in the order given, so a modality's draw depends
        // only on the seed and its place.
        let z = draws.normal();
        match beliefs.get(&m) {
            Some(b) if b.mean.is_finite() && b.sd.is_finite() => {
                drawn.push((m, b.mean + b.sd.max(0.0) * z));
            }
            _ => rest.push(m),
        }
    }
    drawn.sort_by(|a, b| a.1.total_cmp(&b.1));
    drawn.into_iter().map(|(m, _)| m).chain(rest).collect()
}

/// The learner's ordering without exploration: modalities done in at least [`MIN_SESSIONS`] of
/// the runner's sessions first, by posterior mean (most negative first), then the rest in the
/// order given. Only `allowed` modalities are returned.
///
/// The posterior mean is already shrunk toward the population, so it needs no separate
/// precision threshold to rank. [`Belief::is_enough`] (which adds one) is for what the runner is
/// told: a modality done in nearly every session (foam rolling, three steps a plan) cannot be
/// told apart from the runner's forecast bias, its sd stays near 0.8 however many sessions
/// there are, and requiring it here mis-ranked a quarter of the runners whose best it was.
pub fn best_first<K: Ord + Clone>(allowed: &[K], beliefs: &BTreeMap<K, Belief>) -> Vec<K> {
    let allowed = dedup_keep_order(allowed);
    let mut tried: Vec<(K, f64)> = Vec::new();
    let mut rest: Vec<K> = Vec::new();
    for m in &allowed {
        match beliefs.get(m) {
            Some(b) if b.sessions >= MIN_SESSIONS && b.mean.is_finite() => {
                tried.push((m.clone(), b.mean));
            }
            _ => rest.push(m.clone()),
        }
    }
    tried.sort_by(|a, b| a.1.total_cmp(&b.1));
    tried.into_iter().map(|(m, _)| m).chain(rest).collect()
}

/// Wilson score interval for a binomial proportion at z (1.959964 for 95 %).
///
/// Returns `None` when `n` is 0.
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n_f = n as f64;
    let p = successes.min(n) as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Wilson score interval for a proportion `p` observed over an effective sample size `n_eff`
/// (which need not be whole: sessions divided by a design effect). `None` when `n_eff` is not
/// positive or `p` is not in [0, 1].
pub fn wilson_interval_effective(p: f64, n_eff: f64, z: f64) -> Option<(f64, f64)> {
    if !(n_eff.is_finite() && n_eff > 0.0 && (0.0..=1.0).contains(&p)) {
        return None;
    }
    let z2 = z * z;
    let denom = 1.0 + z2 / n_eff;
    let centre = (p + z2 / (2.0 * n_eff)) / denom;
    let half = z * (p * (1.0 - p) / n_eff + z2 / (4.0 * n_eff * n_eff)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Whether a residual counts as improvement ([`IMPROVEMENT_THRESHOLD`]).
pub fn is_improvement(residual: f64) -> bool {
    residual <= IMPROVEMENT_THRESHOLD
}

fn dedup<K: Ord + Clone>(items: &[K]) -> Vec<K> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v
}

fn dedup_keep_order<K: Ord + Clone>(items: &[K]) -> Vec<K> {
    let mut out: Vec<K> = Vec::with_capacity(items.len());
    for m in items {
        if !out.contains(m) {
            out.push(m.clone());
        }
    }
    out
}

fn columns<K: Ord>(modalities: &[K], done: &[K]) -> Vec<usize> {
    let mut cols: Vec<usize> =
        done.iter().filter_map(|m| modalities.binary_search(m).ok()).collect();
    cols.sort_unstable();
    cols.dedup();
    cols
}

fn session_counts<'a, K: Ord + 'a>(
    modalities: &[K],
    outcomes: impl Iterator<Item = &'a Outcome<K>>,
) -> Vec<u32> {
    let mut counts = vec![0u32; modalities.len()];
    for outcome in outcomes {
        for c in columns(modalities, &outcome.done) {
            counts[c] = counts[c].saturating_add(1);
        }
    }
    counts
}

/// The normal equations of a Gaussian linear model with independent Gaussian priors:
/// precision matrix `a` and vector `b`, so that the posterior mean solves `a·x = b`.
struct Normal {
    dim: usize,
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Normal {
    fn new(dim: usize) -> Self {
        Normal { dim, a: vec![0.0; dim * dim], b: vec![0.0; dim] }
    }

    fn add_prior(&mut self, i: usize, mean: f64, sd: f64) {
        let precision = 1.0 / (sd * sd);
        self.a[i * self.dim + i] += precision;
        self.b[i] += precision * mean;
    }

    fn add_observation(&mut self, cols: &[usize], y: f64, sd: f64) {
        if !y.is_finite() {
            return;
        }
        let w = 1.0 / (sd * sd);
        for &i in cols {
            for &j in cols {
                self.a[i * self.dim + j] += w;
            }
            self.b[i] += w * y;
        }
    }

    /// Solves for the posterior and returns the beliefs of the first `names.len()` unknowns.
    fn solve<K: Ord + Clone>(&self, names: &[K], counts: &[u32]) -> BTreeMap<K, Belief> {
        let n = self.dim;
        // Cholesky factor L of the (symmetric, positive definite: every unknown has a prior)
        // precision matrix.
        let mut l = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let mut sum = self.a[i * n + j];
                for k in 0..j {
                    sum -= l[i * n + k] * l[j * n + k];
                }
                if i == j {
                    l[i * n + i] = sum.max(f64::MIN_POSITIVE).sqrt();
                } else {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }
        let mean = cholesky_solve(&l, n, &self.b);
        let mut beliefs = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            // The posterior variance of unknown i is (A⁻¹)_ii = ‖L⁻¹ e_i‖².
            let mut e = vec![0.0; n];
            e[i] = 1.0;
            let y = forward(&l, n, &e);
            let variance: f64 = y.iter().map(|v| v * v).sum();
            beliefs.insert(
                name.clone(),
                Belief {
                    mean: mean[i],
                    sd: variance.sqrt(),
                    sessions: counts.get(i).copied().unwrap_or(0),
                },
            );
        }
        beliefs
    }
}

fn forward(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; n];
    for i in 0..n {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[i * n + k] * y[k];
        }
        y[i] = sum / l[i * n + i];
    }
    y
}

fn cholesky_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let y = forward(l, n, b);
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut sum = y[i];
        for k in i + 1..n {
            sum -= l[k * n + i] * x[k];
        }
        x[i] = sum / l[i * n + i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODALITIES: [&str; 3] = ["foam_rolling", "massage_gun", "compression_boots"];

    #[test]
    fn no_outcomes_gives_the_prior() {
        let pop = population_beliefs(&MODALITIES, &[]);
        for b in pop.values() {
            assert!(b.mean.abs() < 1e-12);
            assert!((b.sd - POPULATION_PRIOR_SD).abs() < 1e-9);
            assert_eq!(b.sessions, 0);
        }
        let runner = runner_beliefs(&MODALITIES, &pop, &[]);
        let expected_sd = (BETWEEN_RUNNER_SD.powi(2) + POPULATION_PRIOR_SD.powi(2)).sqrt();
        for b in runner.values() {
            assert!(b.mean.abs() < 1e-12);
            assert!((b.sd - expected_sd).abs() < 1e-9);
            assert!(!b.is_enough());
        }
    }

    #[test]
    fn single_modality_posterior_matches_the_closed_form() {
        // One modality, no intercept uncertainty worth speaking of: compare with the conjugate
        // normal-normal update computed by hand, including the intercept column.
        let outcomes: Vec<Outcome<&str>> =
            (0..4).map(|_| Outcome { done: vec!["foam_rolling"], residual: -2.0 }).collect();
        let pop = BTreeMap::new();
        let beliefs = runner_beliefs(&["foam_rolling"], &pop, &outcomes);
        let b = beliefs["foam_rolling"];
        // Unknowns (θ, b0) with priors N(0, 5) and N(0, 1); 4 observations y = θ + b0 − 2.
        // Precision: [[1/5 + 4/2.25, 4/2.25], [4/2.25, 1 + 4/2.25]]; rhs: [−8/2.25, −8/2.25].
        let w = 4.0 / (NOISE_SD * NOISE_SD);
        let a11 = 1.0 / 5.0 + w;
        let a12 = w;
        let a22 = 1.0 + w;
        let r = -2.0 * w;
        let det = a11 * a22 - a12 * a12;
        let theta = (a22 * r - a12 * r) / det;
        let var = a22 / det;
        assert!((b.mean - theta).abs() < 1e-9, "{} vs {theta}", b.mean);
        assert!((b.sd - var.sqrt()).abs() < 1e-9);
        assert_eq!(b.sessions, 4);
    }

    #[test]
    fn learns_a_runners_best_modality_from_mixed_sessions() {
        let truth = [("foam_rolling", -1.5), ("massage_gun", 0.0), ("compression_boots", -0.3)];
        let mut rng = SplitMix64::new(7);
        let mut outcomes = Vec::new();
        for s in 0..30u32 {
            let done: Vec<&str> =
                MODALITIES.iter().copied().filter(|_| rng.unit() < 0.6 || s % 7 == 0).collect();
            let effect: f64 =
                truth.iter().filter(|(m, _)| done.contains(m)).map(|(_, e)| e).sum::<f64>();
            outcomes.push(Outcome { done, residual: effect + 0.8 * rng.normal() });
        }
        let pop = population_beliefs(&MODALITIES, &[]);
        let beliefs = runner_beliefs(&MODALITIES, &pop, &outcomes);
        let ranked = best_first(&MODALITIES, &beliefs);
        assert_eq!(ranked[0], "foam_rolling", "{beliefs:?}");
    }

    /// Beliefs from `(modality, mean, sd, sessions)` rows.
    fn beliefs(rows: &[(&'static str, f64, f64, u32)]) -> BTreeMap<&'static str, Belief> {
        rows.iter().map(|&(m, mean, sd, sessions)| (m, Belief { mean, sd, sessions })).collect()
    }

    #[test]
    fn rank_never_returns_a_modality_that_is_not_allowed() {
        let beliefs = beliefs(&[("massage_gun", -3.0, 0.1, 50), ("foam_rolling", 0.5, 0.1, 50)]);
        for seed in 0..1000 {
            let ranked = rank(&["foam_rolling", "walk"], &beliefs, seed);
            assert!(!ranked.contains(&"massage_gun"));
            assert_eq!(ranked.len(), 2);
        }
    }

    #[test]
    fn rank_without_beliefs_keeps_the_default_order() {
        let beliefs: BTreeMap<&str, Belief> = BTreeMap::new();
        for seed in 0..1000 {
            assert_eq!(rank(&MODALITIES, &beliefs, seed), MODALITIES);
        }
    }

    #[test]
    fn rank_is_deterministic_from_the_seed() {
        let mut beliefs = BTreeMap::new();
        for m in MODALITIES {
            beliefs.insert(m, Belief { mean: -0.5, sd: 1.0, sessions: 0 });
        }
        let rankings: std::collections::BTreeSet<Vec<&str>> =
            (0..200u64).map(|seed| rank(&MODALITIES, &beliefs, seed)).collect();
        assert!(rankings.len() > 1, "equal beliefs: the draws decide");
        for seed in 0..200u64 {
            assert_eq!(rank(&MODALITIES, &beliefs, seed), rank(&MODALITIES, &beliefs, seed));
        }
    }

    #[test]
    fn a_clearly_better_modality_leads_almost_every_plan() {
        let beliefs = beliefs(&[
            ("foam_rolling", -0.2, 0.2, 20),
            ("massage_gun", -1.8, 0.2, 20),
            ("compression_boots", 0.0, 0.2, 20),
        ]);
        let first = (0..10_000u64)
            .filter(|&seed| rank(&MODALITIES, &beliefs, seed)[0] == "massage_gun")
            .count();
        // P(draw of the gun > a draw 1.6 points higher with sd 0.2 each) is about 1e-8.
        assert_eq!(first, 10_000);
    }

    #[test]
    fn an_untried_modality_leads_as_often_as_it_may_be_best() {
        // Two well-known modalities and one untried (the population prior): Thompson sampling
        // puts the untried one first with the posterior probability that it is the best.
        let beliefs = beliefs(&[
            ("foam_rolling", -1.0, 0.2, 20),
            ("massage_gun", -0.5, 0.2, 20),
            ("compression_boots", -0.5, 1.0, 0),
        ]);
        let n = 20_000u64;
        let explored = (0..n)
            .filter(|&seed| rank(&MODALITIES, &beliefs, seed)[0] == "compression_boots")
            .count() as f64
            / n as f64;
        // P(N(−0.5, 1) < N(−1, 0.2²) and < N(−0.5, 0.2²)), by quadrature over the boots draw.
        let phi = |x: f64| 0.5 * erfc(-x / std::f64::consts::SQRT_2);
        let density = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let steps = 4000;
        let expected: f64 = (0..steps)
            .map(|i| {
                let x = -8.0 + 16.0 * (i as f64 + 0.5) / steps as f64;
                let boots = -0.5 + x;
                density(x)
                    * (1.0 - phi((boots + 1.0) / 0.2))
                    * (1.0 - phi((boots + 0.5) / 0.2))
                    * (16.0 / steps as f64)
            })
            .sum();
        assert!((explored - expected).abs() < 0.015, "{explored} vs {expected}");
        assert!((0.2..0.4).contains(&expected), "{expected}");
    }

    /// The complementary error function (Numerical Recipes' erfcc, |error| < 1.2e-7).
    fn erfc(x: f64) -> f64 {
        let z = x.abs();
        let t = 1.0 / (1.0 + 0.5 * z);
        let r = t
            * (-z * z - 1.265_512_23
                + t * (1.000_023_68
                    + t * (0.374_091_96
                        + t * (0.096_784_18
                            + t * (-0.186_288_06
                                + t * (0.278_868_07
                                    + t * (-1.135_203_98
                                        + t * (1.488_515_87
                                            + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
                .exp();
        if x >= 0.0 { r } else { 2.0 - r }
    }

    #[test]
    fn best_first_ranks_modalities_with_enough_sessions_by_mean() {
        // Foam rolling, done in every session, keeps a wide posterior (it is confounded with
        // the runner's forecast bias): it still ranks by its mean. The boots, with too few
        // sessions, come after the others whatever their mean.
        let mut beliefs = beliefs(&[
            ("foam_rolling", -1.2, 0.85, 20),
            ("massage_gun", -0.6, 0.5, 12),
            ("compression_boots", -3.0, 0.9, 4),
        ]);
        assert_eq!(
            best_first(&MODALITIES, &beliefs),
            ["foam_rolling", "massage_gun", "compression_boots"]
        );
        beliefs.insert("compression_boots", Belief { mean: -3.0, sd: 0.7, sessions: 5 });
        assert_eq!(best_first(&MODALITIES, &beliefs)[0], "compression_boots");
        assert_eq!(best_first(&["massage_gun", "walk"], &beliefs), ["massage_gun", "walk"]);
    }

    #[test]
    fn wilson_interval_matches_published_values() {
        // 8 of 10: Wilson 95 % interval (0.4902, 0.9433) (Newcombe 1998, table I method 3).
        let (lo, hi) = wilson_interval(8, 10, 1.959964).unwrap();
        assert!((lo - 0.4902).abs() < 5e-4, "{lo}");
        assert!((hi - 0.9433).abs() < 5e-4, "{hi}");
        let (lo, hi) = wilson_interval(0, 10, 1.959964).unwrap();
        assert!(lo.abs() < 1e-12, "{lo}");
        assert!((hi - 0.2775).abs() < 5e-4, "{hi}");
        assert_eq!(wilson_interval(0, 0, 1.96), None);
    }

    #[test]
    fn effective_wilson_equals_wilson_for_whole_counts() {
        let (a, b) = wilson_interval(8, 10, 1.959964).unwrap();
        let (c, d) = wilson_interval_effective(0.8, 10.0, 1.959964).unwrap();
        assert!((a - c).abs() < 1e-12 && (b - d).abs() < 1e-12);
        let (e, f) = wilson_interval_effective(0.8, 5.0, 1.959964).unwrap();
        assert!(e < c && f > d, "fewer effective sessions, wider interval");
        assert_eq!(wilson_interval_effective(0.5, 0.0, 1.96), None);
    }

    #[test]
    fn improvement_threshold() {
        assert!(is_improvement(-1.0));
        assert!(is_improvement(-3.0));
        assert!(!is_improvement(-0.99));
    }
}
