//! A small, self-contained deterministic PRNG (xoshiro256** seeded through
//! SplitMix64). Kept in-crate so that the generated data sets never change
//! because a dependency changed its algorithm.

/// One SplitMix64 step.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Derives a new seed from `seed` and a tag (order-sensitive).
pub(crate) fn mix(seed: u64, tag: u64) -> u64 {
    let mut a = seed;
    let h = splitmix64(&mut a);
    let mut b = h ^ tag.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    splitmix64(&mut b)
}

/// xoshiro256** generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let mut x = seed;
        Rng {
            s: [
                splitmix64(&mut x),
                splitmix64(&mut x),
                splitmix64(&mut x),
                splitmix64(&mut x),
            ],
        }
    }

    /// An independent stream for one purpose (geometry, camera, defect, ...).
    pub(crate) fn stream(seed: u64, tag: u64) -> Self {
        Rng::new(mix(seed, tag))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub(crate) fn f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u64 << 24) as f32)
    }

    /// Uniform in [lo, hi).
    pub(crate) fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.f32()
    }

    /// Uniform in [-a, a).
    pub(crate) fn sym(&mut self, a: f32) -> f32 {
        self.range(-a, a)
    }

    /// Uniform integer in 0..n (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    pub(crate) fn chance(&mut self, p: f32) -> bool {
        self.f32() < p
    }

    /// Approximately standard normal (Irwin-Hall of 4 uniforms, rescaled);
    /// cheap and free of transcendental functions.
    pub(crate) fn normal(&mut self) -> f32 {
        let x = self.next_u64();
        let a = (x & 0xFFFF) as f32
            + ((x >> 16) & 0xFFFF) as f32
            + ((x >> 32) & 0xFFFF) as f32
            + (x >> 48) as f32;
        // Sum of 4 U(0, 65536): mean 131070, variance 4 * 65536^2 / 12.
        (a - 131_070.0) * (1.0 / 37_837.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::stream(7, 1).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::stream(7, 1).next_u64(), Rng::stream(7, 2).next_u64());
        let mut r = Rng::new(1);
        let n = 20_000;
        let (mut m, mut v) = (0.0f64, 0.0f64);
        for _ in 0..n {
            let x = r.normal() as f64;
            m += x;
            v += x * x;
        }
        m /= n as f64;
        v = v / n as f64 - m * m;
        assert!(m.abs() < 0.03 && (v - 1.0).abs() < 0.05, "mean {m} var {v}");
    }
}
