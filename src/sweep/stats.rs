//! Means and confidence intervals of a sweep's replications.
//!
//! The interval of a mean of `n` replications is the Student t interval
//! `mean ± t(0.975, n − 1) · s / √n`, with `s` the sample standard deviation
//! (divisor `n − 1`). With one replication there is no spread to estimate:
//! the mean is the value and the interval is not given (empty in CSV
//! files, no band in charts).
//!
//! The t quantile is found by bisection on the t distribution's CDF, written
//! with the regularized incomplete beta function
//! `F(t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½)` for `t ≥ 0`, which is evaluated by its
//! continued fraction (modified Lentz iteration).

/// Mean, spread and 95 % confidence interval of some replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// How many values.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); `None` for one value.
    pub std_dev: Option<f64>,
    /// Half-width of the 95 % Student t interval; `None` for one value.
    pub ci95_half_width: Option<f64>,
}

impl Estimate {
    /// The estimate of `values`; `None` if there are none.
    pub fn of(values: &[f64]) -> Option<Estimate> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Some(Estimate {
                n,
                mean,
                std_dev: None,
                ci95_half_width: None,
            });
        }
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        let sd = (ss / (n - 1) as f64).sqrt();
        let half = t_quantile_975((n - 1) as f64) * sd / (n as f64).sqrt();
        Some(Estimate {
            n,
            mean,
            std_dev: Some(sd),
            ci95_half_width: Some(half),
        })
    }

    /// Lower end of the 95 % interval.
    pub fn low(&self) -> Option<f64> {
        self.ci95_half_width.map(|h| self.mean - h)
    }

    /// Upper end of the 95 % interval.
    pub fn high(&self) -> Option<f64> {
        self.ci95_half_width.map(|h| self.mean + h)
    }
}

/// The 0.975 quantile of Student's t distribution with `df` degrees of
/// freedom (`df > 0`): 12.706 for 1, 2.262 for 9, → 1.960 as df grows.
pub fn t_quantile_975(df: f64) -> f64 {
    assert!(df > 0.0, "degrees of freedom must be positive");
    // Upper tail 0.025 = ½ I_{df/(df+t²)}(df/2, ½); the tail falls as t rises.
    let tail = |t: f64| 0.5 * regularized_beta(df / (df + t * t), df / 2.0, 0.5);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while tail(hi) > 0.025 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > 0.025 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The regularized incomplete beta function `I_x(a, b)` for `0 ≤ x ≤ 1`.
pub fn regularized_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    let front = (a * x.ln() + b * (1.0 - x).ln() - ln_beta).exp();
    // The continued fraction converges fast for x below (a+1)/(a+b+2); use
    // I_x(a, b) = 1 − I_{1−x}(b, a) above it.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

/// The continued fraction of the incomplete beta function, evaluated by the
/// modified Lentz method: terms d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
/// and d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut f = d;
    for m in 1..=1000 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        f *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = d * c;
        f *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95 % critical values of Student's t (any statistics table).
        for (df, t) in [
            (1.0, 12.706_204_7),
            (2.0, 4.302_652_7),
            (4.0, 2.776_445_1),
            (9.0, 2.262_157_2),
            (29.0, 2.045_229_6),
            (1000.0, 1.962_339_1),
        ] {
            let got = t_quantile_975(df);
            assert!((got - t).abs() < 1e-6, "df {df}: {got} against {t}");
        }
    }

    #[test]
    fn incomplete_beta_closed_forms() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b.
        for x in [0.1, 0.5, 0.9] {
            assert!((regularized_beta(x, 1.0, 1.0) - x).abs() < 1e-12);
            assert!((regularized_beta(x, 3.0, 1.0) - x.powi(3)).abs() < 1e-12);
            assert!((regularized_beta(x, 1.0, 4.0) - (1.0 - (1.0 - x).powi(4))).abs() < 1e-12);
        }
    }

    #[test]
    fn estimates_by_hand() {
        // 1, 2, 3: mean 2, s = 1, half-width t(0.975, 2) / √3.
        let e = Estimate::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.n, 3);
        assert_eq!(e.mean, 2.0);
        assert_eq!(e.std_dev, Some(1.0));
        let half = 4.302_652_7 / 3f64.sqrt();
        assert!((e.ci95_half_width.unwrap() - half).abs() < 1e-6);
        assert!((e.low().unwrap() - (2.0 - half)).abs() < 1e-6);
        let one = Estimate::of(&[5.0]).unwrap();
        assert_eq!((one.mean, one.std_dev, one.low()), (5.0, None, None));
        assert_eq!(Estimate::of(&[]), None);
    }
}
