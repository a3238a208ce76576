//! The one seeded generator of the workspace's std crates (SplitMix64, Box–Muller normals):
//! Thompson sampling in [`crate::learn`], the synthetic training of the demo and benches, and the
//! tests' random inputs. No dependency, the same numbers on every platform and version.
//! (The `no_std` device core keeps its own in `afterrun_device::sim`: its no-dependency proof
//! rules out depending on this crate.)

/// SplitMix64's increment (the golden ratio in 64 bits).
pub const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: 64 well-mixed bits from a state.
pub fn mix(state: u64) -> u64 {
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64 random bits as a number in `[0, 1)`.
pub fn to_unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// A deterministic draw in `[0, 1)` from a seed.
pub fn unit_interval(seed: u64) -> f64 {
    to_unit(mix(seed.wrapping_add(GOLDEN)))
}

/// A seeded stream of draws.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed; every seed (0 included) is fine.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        to_unit(self.next_u64())
    }

    /// Uniform in `[low, high)`.
    pub fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// A standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_splitmix64_sequence() {
        // SplitMix64 from state 0 (Vigna's reference values).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        // A stream from `seed + GOLDEN` draws what `unit_interval` gives for `seed`, `seed + GOLDEN`…
        let mut s = SplitMix64::new(7u64.wrapping_add(GOLDEN));
        assert_eq!(s.unit(), unit_interval(7u64.wrapping_add(GOLDEN)));
        let mean = (0..10_000).map(|_| r.normal()).sum::<f64>() / 10_000.0;
        assert!(mean.abs() < 0.05, "{mean}");
    }
}
