//! The workspace's one seeded generator: SplitMix64 (Vigna), its uniform draws, and nothing else.
//!
//! Why here: it is plain integer arithmetic, so it fits the `no_std`, allocation-free core, and
//! every crate that needs reproducible draws can reach it (the device simulators through
//! `sim::Rng`, feature `sim`; the protocol, which depends on this crate without features, for
//! Thompson sampling, the synthetic training and the tests' random inputs). Why our own rather
//! than a crate: the same numbers on every platform and version, and no dependency for the
//! `no_std` proof to follow. The normal draws (Box–Muller) need `ln` and `cos`, which `core`
//! does not have, so they live with the users that have `std`.

/// SplitMix64's increment (the golden ratio in 64 bits).
pub const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: 64 well-mixed bits from a state.
fn mix(state: u64) -> u64 {
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64 random bits as a number in `[0, 1)` (the top 53 bits).
fn to_unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// A seeded stream of SplitMix64 draws.
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
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
        assert!((0..1000).map(|_| a.unit()).all(|u| (0.0..1.0).contains(&u)));
    }
}
