//! The workspace's one seeded generator, [`afterrun_device::rng::SplitMix64`] (the device core
//! holds it: it is plain integer arithmetic, and the device crate cannot depend on this one),
//! with what the std crates add to it: normal draws ([`NormalDraw`]) for Thompson sampling in
//! [`crate::learn`], the synthetic training of the demo and benches, and the tests' random
//! inputs. The same numbers on every platform and version.

pub use afterrun_device::rng::{GOLDEN, SplitMix64};

/// Standard normal draws over the generator (Box–Muller, one pair of uniforms a draw), for the
/// learner's Thompson sampling and the synthetic data; `core` has no `ln` or `cos`, so they are
/// not in the device crate with the generator itself.
pub trait NormalDraw {
    /// A standard normal draw.
    fn normal(&mut self) -> f64;
}

impl NormalDraw for SplitMix64 {
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_draws_centre_on_zero() {
        let mut r = SplitMix64::new(0);
        let mean = (0..10_000).map(|_| r.normal()).sum::<f64>() / 10_000.0;
        assert!(mean.abs() < 0.05, "{mean}");
    }
}
