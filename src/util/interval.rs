//! How sure a mean is: its 95 % interval (Student's t for a mean, Wilson's
//! score interval for a share of 0/1 values) and the small-sample rule, as
//! `docs/uncertainty.md` specifies them. The runtime's `interval` in
//! `theme/vcd.js` does the same arithmetic in the same order, and
//! `tests/uncertainty_vectors.json` holds both to it.

/// How a mean's interval is worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Student's t-interval: mean ± t(0.975, n − 1) · s / √n.
    T,
    /// Wilson's score interval, for the mean of values that are all 0 or 1 (a share).
    Wilson,
}

impl Method {
    /// The name the spec and the runtime use: `t` or `wilson`.
    pub fn name(self) -> &'static str {
        match self {
            Method::T => "t",
            Method::Wilson => "wilson",
        }
    }
}

/// The standard normal's 0.975 quantile.
pub const Z975: f64 = 1.959_963_984_540_054;

/// Student's t 0.975 quantile for 1 to 30 degrees of freedom, to 17
/// significant digits (computed from the regularised incomplete beta
/// function; any statistics package gives the same to its precision).
const T975: [f64; 30] = [
    12.706_204_736_174_705,
    4.302_652_729_749_464,
    3.182_446_305_283_710,
    2.776_445_105_197_794,
    2.570_581_835_636_316,
    2.446_911_851_144_970,
    2.364_624_251_592_785,
    2.306_004_135_204_167,
    2.262_157_162_798_206,
    2.228_138_851_986_275,
    2.200_985_160_091_640,
    2.178_812_829_667_229,
    2.160_368_656_462_793,
    2.144_786_687_917_804,
    2.131_449_545_559_776,
    2.119_905_299_221_255,
    2.109_815_577_833_317,
    2.100_922_040_241_039,
    2.093_024_054_408_310,
    2.085_963_447_265_865,
    2.079_613_844_727_680,
    2.073_873_067_904_026,
    2.068_657_610_419_049,
    2.063_898_561_628_026,
    2.059_538_552_753_298,
    2.055_529_438_642_873,
    2.051_830_516_480_286,
    2.048_407_141_795_245,
    2.045_229_642_132_704,
    2.042_272_456_301_238,
];

/// Student's t 0.975 quantile for `df` degrees of freedom (`df` ≥ 1): the
/// table above to 30, then the Cornish–Fisher expansion of Abramowitz and
/// Stegun 26.7.5 to the fourth term, within 3·10⁻⁸ of the true value from
/// 31 up and closer as `df` grows.
pub fn t975(df: f64) -> f64 {
    if df <= 30.0 {
        return T975[(df.max(1.0) as usize) - 1];
    }
    let z = Z975;
    let x2 = z * z;
    let g1 = z * (x2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * x2 + 16.0) * x2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}

/// The 95 % interval `(low, high)` of the mean of `n` values whose sum is
/// `sum` and sum of squares `sum_squares`. `None` where there is none: a
/// t-interval needs two values, Wilson's one. A variance that rounding makes
/// negative counts as zero, and Wilson's ends are kept within [0, 1].
pub fn interval(method: Method, n: f64, sum: f64, sum_squares: f64) -> Option<(f64, f64)> {
    match method {
        Method::T => {
            if n < 2.0 {
                return None;
            }
            let mean = sum / n;
            let variance = ((sum_squares - sum * mean) / (n - 1.0)).max(0.0);
            let half = t975(n - 1.0) * (variance / n).sqrt();
            Some((mean - half, mean + half))
        }
        Method::Wilson => {
            if n < 1.0 {
                return None;
            }
            let p = sum / n;
            let z2 = Z975 * Z975;
            let d = 1.0 + z2 / n;
            let centre = (p + z2 / (2.0 * n)) / d;
            let half = Z975 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / d;
            Some(((centre - half).max(0.0), (centre + half).min(1.0)))
        }
    }
}

/// What a mean's interval is worked out from: how many values, their sum
/// and the sum of their squares, each added up in doubles.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: f64,
    pub sum: f64,
    pub sum_squares: f64,
}

impl Moments {
    /// Over `values` (each the nearest double to a finite number), added in
    /// the order given, as the runtime's `rowMoments` adds a card's rows.
    pub fn of(values: impl Iterator<Item = f64>) -> Moments {
        let mut m = Moments::default();
        for x in values {
            m.n += 1.0;
            m.sum += x;
            m.sum_squares += x * x;
        }
        m
    }

    /// Their 95 % interval by `method` (see [`interval`]).
    pub fn interval(&self, method: Method) -> Option<(f64, f64)> {
        interval(method, self.n, self.sum, self.sum_squares)
    }
}

/// Whether an aggregate over `n` values is a small sample, to be marked as
/// such: fewer than `min_n` (0 marks none).
pub fn is_small(n: f64, min_n: u32) -> bool {
    n < f64::from(min_n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expansion_takes_over_from_the_table_smoothly() {
        // At 30 both exist: the expansion is 3.1e-8 under the table's exact value.
        let z = Z975;
        let x2 = z * z;
        let series = |df: f64| {
            let g1 = z * (x2 + 1.0) / 4.0;
            let g2 = z * ((5.0 * x2 + 16.0) * x2 + 3.0) / 96.0;
            let g3 = z * (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) / 384.0;
            let g4 = z * ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) / 92160.0;
            z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
        };
        assert!((series(30.0) - t975(30.0)).abs() < 4e-8);
        assert!(t975(31.0) < t975(30.0) && t975(31.0) > t975(1e9));
        assert!((t975(1e12) - Z975).abs() < 1e-11);
        assert!((t975(100.0) - 1.983_971_518_523_552).abs() < 1e-10);
    }

    #[test]
    fn intervals_need_enough_values() {
        assert_eq!(interval(Method::T, 1.0, 3.0, 9.0), None);
        assert_eq!(interval(Method::Wilson, 0.0, 0.0, 0.0), None);
        let (lo, hi) = interval(Method::T, 3.0, 3.0, 3.0).unwrap();
        assert_eq!((lo, hi), (1.0, 1.0), "three equal values leave no doubt");
        let (lo, hi) = interval(Method::Wilson, 4.0, 0.0, 0.0).unwrap();
        assert!(lo.abs() < 1e-15 && (hi - 0.489_890_836_454_597_4).abs() < 1e-12, "{lo} {hi}");
    }
}
