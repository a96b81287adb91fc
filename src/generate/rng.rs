//! A small seeded PRNG (xoshiro256** seeded through SplitMix64) and the draws the generator needs.
//!
//! Written here rather than taken from a crate so that the output bytes depend only on this
//! file: a dependency upgrade can never silently change the committed demo data.

/// One step of SplitMix64; used to expand a 64-bit seed into xoshiro's 256-bit state
/// and to scramble labels into independent streams.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over a label, so each concern ("posts", "markets", …) gets its own stream and
/// changing how many draws one concern makes never shifts another's values.
fn label_hash(label: &str) -> u64 {
    label.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3))
}

/// xoshiro256**: fast, small state, good statistical quality for simulation.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    /// An independent stream for one concern of the generator.
    pub fn stream(seed: u64, label: &str) -> Self {
        let mut mix = seed ^ label_hash(label);
        Rng::new(splitmix64(&mut mix))
    }

    pub fn next_u64(&mut self) -> u64 {
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

    /// Uniform in [0, 1) with 53 bits of precision.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n); n must be > 0. Lemire's multiply-shift, with the rare
    /// rejection step so small ranges stay exactly uniform.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Uniform integer in [lo, hi] (inclusive).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform float in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal by the Box–Muller transform (one value per call keeps the stream
    /// position independent of any cached second value).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1], so ln never sees 0
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// exp(mu + sigma·Z): the multiplicative noise used for reach and virality.
    pub fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        (mu + sigma * self.normal()).exp()
    }

    /// Poisson count: exact (Knuth) for small means, normal approximation above 30 where
    /// the exact method gets slow and the approximation is indistinguishable for counts.
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            let x = lambda + lambda.sqrt() * self.normal();
            return x.round().max(0.0) as u64;
        }
        let limit = (-lambda).exp();
        let mut k = 0u64;
        let mut p = self.f64();
        while p > limit {
            k += 1;
            p *= self.f64();
        }
        k
    }

    /// Index drawn with probability proportional to `weights` (all ≥ 0, not all 0).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        // Rounding can leave x a hair above the last bucket: fall back to the last non-zero one.
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }

    /// `weighted` with the weights read from a table column, without collecting them: the
    /// same sum, the same draw and the same index.
    pub fn weighted_by<T>(&mut self, list: &[T], weight: impl Fn(&T) -> f64) -> usize {
        let total: f64 = list.iter().map(&weight).sum();
        let mut x = self.f64() * total;
        for (i, item) in list.iter().enumerate() {
            let w = weight(item);
            if x < w {
                return i;
            }
            x -= w;
        }
        list.iter().rposition(|item| weight(item) > 0.0).unwrap_or(0)
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// `k` distinct indices from 0..n in random order (k ≤ n; partial Fisher–Yates).
    ///
    /// The shuffled array is kept sparse (only the positions a swap touched), so picking a
    /// few of millions of items on the rail costs O(k²), not O(n); the draws and the result
    /// are those of the dense shuffle.
    pub fn sample_indices(&mut self, n: usize, k: usize) -> Vec<usize> {
        let k = k.min(n);
        // (position, value) of every position whose value is no longer its own index.
        let mut moved: Vec<(usize, usize)> = Vec::with_capacity(2 * k);
        let at = |moved: &[(usize, usize)], p: usize| moved.iter().rev().find(|m| m.0 == p).map_or(p, |m| m.1);
        let mut out = Vec::with_capacity(k);
        for i in 0..k {
            let j = i + self.below((n - i) as u64) as usize;
            let (vi, vj) = (at(&moved, i), at(&moved, j));
            moved.push((j, vi));
            out.push(vj);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::stream(7, "posts");
        let mut b = Rng::stream(7, "posts");
        let mut c = Rng::stream(7, "markets");
        let xa: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn draws_stay_in_range_and_have_sane_means() {
        let mut r = Rng::new(1);
        let n = 20_000;
        let mut sum_u = 0.0;
        let mut sum_n = 0.0;
        let mut sum_p = 0u64;
        for _ in 0..n {
            let u = r.f64();
            assert!((0.0..1.0).contains(&u));
            sum_u += u;
            sum_n += r.normal();
            sum_p += r.poisson(4.0);
            let k = r.range(-3, 3);
            assert!((-3..=3).contains(&k));
        }
        assert!((sum_u / n as f64 - 0.5).abs() < 0.01);
        assert!((sum_n / n as f64).abs() < 0.03);
        assert!((sum_p as f64 / n as f64 - 4.0).abs() < 0.06);
        assert!((r.poisson(1000.0) as f64 - 1000.0).abs() < 200.0);
    }

    #[test]
    fn sparse_sample_matches_the_dense_shuffle() {
        fn dense(r: &mut Rng, n: usize, k: usize) -> Vec<usize> {
            let mut idx: Vec<usize> = (0..n).collect();
            let k = k.min(n);
            for i in 0..k {
                let j = i + r.below((n - i) as u64) as usize;
                idx.swap(i, j);
            }
            idx.truncate(k);
            idx
        }
        for (n, k) in [(0, 3), (1, 1), (3, 3), (5, 4), (10, 3), (7, 9), (1000, 5), (4, 2)] {
            for seed in 0..200 {
                let (mut a, mut b) = (Rng::new(seed), Rng::new(seed));
                assert_eq!(a.sample_indices(n, k), dense(&mut b, n, k), "n {n} k {k} seed {seed}");
                assert_eq!(a.next_u64(), b.next_u64(), "same number of draws");
            }
        }
    }

    #[test]
    fn weighted_by_matches_weighted() {
        let list = [("a", 0.25), ("b", 0.0), ("c", 0.1), ("d", 0.65)];
        let w: Vec<f64> = list.iter().map(|x| x.1).collect();
        let (mut a, mut b) = (Rng::new(8), Rng::new(8));
        for _ in 0..1000 {
            assert_eq!(a.weighted_by(&list, |x| x.1), b.weighted(&w));
        }
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            assert_ne!(r.weighted(&[1.0, 0.0, 2.0]), 1);
        }
        let s = r.sample_indices(10, 4);
        let mut d = s.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 4);
    }
}
