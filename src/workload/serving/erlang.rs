//! Erlang B, Erlang C and the M/M/c queue, numerically stable for millions
//! of servers.
//!
//! # The queue
//!
//! Requests arrive as a Poisson stream of rate λ [requests/s] at `c`
//! identical servers, each serving one request at a time for an
//! exponential time of rate μ [requests/s]; requests that find every server
//! busy wait in one FIFO queue. With offered load `a = λ/μ` \[Erlangs\] and
//! utilization `ρ = a/c`, the queue is stable when `ρ < 1`, and then:
//!
//! - `P(wait) = C(c, a)`, Erlang's C formula;
//! - the wait `W` is 0 with probability `1 − C` and otherwise exponential
//!   of rate `θ = cμ − λ`: `P(W > t) = C·e^{−θt}`, mean `C/θ`;
//! - the response time `R = W + S`, `S` the exponential service time, has
//!   `P(R > t) = (1 − C)·e^{−μt} + C·P(X + S > t)`, `X ~ Exp(θ)`, computed
//!   exactly (no approximation): `P(X + S > t) = e^{−μt} + μ·e^{−θt}·
//!   (e^{(θ−μ)t} − 1)/(θ − μ)` (the limit `(1 + μt)·e^{−μt}` at `θ = μ`).
//!   Its quantiles are found by bisection.
//!
//! # Computing Erlang C without overflow
//!
//! No factorial or power is formed. Erlang B follows the recurrence
//! `B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))` in `f64` (every term in
//! `(0, 1]`), and `C = c·B / (c − a·(1 − B))` for `a < c`.
//!
//! The recurrence is a contraction: an error in `B(k−1)` shrinks by the
//! factor `a·k/(k + a·B)² < 1`, about `k/a` while `k < a`. So it need not
//! start at 0: [`erlang_b`] starts at `k₀ = ⌊a − 8√a⌋` (when positive) from
//! `B(k₀) ≈ 1 − k₀/a` (the true value is at least this: the carried load
//! `a·(1 − B)` cannot exceed the `k₀` servers), and by `k ≈ a` the start's
//! error has shrunk by about `e^{−8²/2} ≈ 1e−14`, below `f64` rounding of a
//! probability. Above `a` it stops once `B` has fallen below `1e−300`
//! (then `C < 1e−290`, returned as 0). And with `c ≥ a + 12√a + 30` it
//! does not walk at all: a Chernoff bound puts `B` below `1e−19` there,
//! returned as 0 (the epoch model asks this of services whose thousands of
//! batch slots are far from full, every epoch). The cost is therefore
//! `O(min(c, 8√a + 12√a + 30))` steps, not `O(c)`: about 660 steps for
//! `a = 1,000`, 20,000 for a million Erlangs, and none far from
//! saturation. [`MMc`] computes `C` once at
//! construction and answers every other question in O(1) (quantiles in
//! O(1) bisection steps), so a caller asking several questions of one
//! queue pays the recurrence once.
//!
//! # At or above saturation
//!
//! With `a ≥ c` (`ρ ≥ 1`, or no servers, or μ = 0 with λ > 0) the queue
//! has no steady state: [`erlang_c`] and [`MMc::p_wait`] return 1, the mean
//! wait, the mean response and every wait or response quantile return
//! `f64::INFINITY`, and the tails return 1. With λ = 0 nothing waits: the
//! wait is 0 and `P(wait) = 0` even with no servers. Inputs are rates, so
//! negative or NaN rates are treated as 0.

/// `x` if it is a finite, positive number, else 0 (rates are never
/// negative; a NaN rate is no rate).
#[inline]
fn rate(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else if x == f64::INFINITY {
        f64::MAX
    } else {
        0.0
    }
}

/// Offered load `a = λ/μ` \[Erlangs\]: the mean number of busy servers an
/// unlimited pool would need. `λ` [requests/s], `μ` [requests/s per
/// server]. Infinite when μ = 0 and λ > 0; 0 when λ = 0.
#[inline]
pub fn offered_load(lambda: f64, mu: f64) -> f64 {
    let (lambda, mu) = (rate(lambda), rate(mu));
    if lambda == 0.0 {
        0.0
    } else if mu == 0.0 {
        f64::INFINITY
    } else {
        lambda / mu
    }
}

#[cfg(test)]
#[cfg(test)]
/// Utilization `ρ = λ/(c·μ)` [fraction of the servers' capacity] — may
/// exceed 1 (an unstable queue); infinite when there is no capacity and
/// λ > 0; 0 when λ = 0.
pub fn utilization(lambda: f64, mu: f64, servers: u64) -> f64 {
    let a = offered_load(lambda, mu);
    if a == 0.0 {
        0.0
    } else if servers == 0 {
        f64::INFINITY
    } else {
        a / servers as f64
    }
}

/// Erlang's B formula: the probability that a request arriving at `servers`
/// servers with offered load `a` \[Erlangs\] and no waiting room finds them
/// all busy (the loss system M/M/c/c). In `[0, 1]`; 1 with no servers; 0
/// with no load; 0 when below 1e-19 and `c ≥ a + 12√a + 30`. Cost
/// `O(min(c, 20√a + 30))` (see the module notes).
#[inline]
pub fn erlang_b(servers: u64, a: f64) -> f64 {
    if a.is_nan() || a <= 0.0 {
        return if servers == 0 { 1.0 } else { 0.0 };
    }
    if servers == 0 {
        return 1.0;
    }
    if a == f64::INFINITY {
        return 1.0;
    }
    // Far above the load, B is negligible without walking there: with
    // X ~ Poisson(a), B ≤ P(X = c) ÷ P(X ≤ c) ≤ 2·P(X ≥ c) ≤
    // 2·e^{−d²/(2(a + d/3))} for d = c − a (Chernoff). With
    // d ≥ 12√a + 30 the exponent is at least 45 for every a > 0, so
    // B < 1e-19, reported as 0: far below any figure dcsim reports, and it keeps the cost at O(√a) or less for the
    // thousands of batch slots of a large service.
    if servers as f64 >= a + 12.0 * a.sqrt() + 30.0 {
        return 0.0;
    }
    // Start of the (contracting) recurrence: far below `a` the blocking
    // probability is `1 − k/a` to within `e^{−(a−k)²/(2a)}` after the walk.
    let start = a - 8.0 * a.sqrt();
    let (mut k, mut b) = if start >= 1.0 && (start as u64) < servers {
        let k0 = start.floor() as u64;
        (k0, 1.0 - k0 as f64 / a)
    } else {
        (0u64, 1.0)
    };
    while k < servers {
        k += 1;
        let ab = a * b;
        b = ab / (k as f64 + ab);
        if b < 1e-300 && k as f64 > a {
            return 0.0;
        }
    }
    b
}

/// Erlang's C formula: the probability that a request arriving at
/// `servers` servers with offered load `a` \[Erlangs\] has to wait (M/M/c).
/// In `[0, 1]`; 1 when `a ≥ c` (unstable); 0 with no load. Cost as
/// [`erlang_b`].
#[inline]
pub fn erlang_c(servers: u64, a: f64) -> f64 {
    if a.is_nan() || a <= 0.0 {
        return 0.0;
    }
    let c = servers as f64;
    if a >= c {
        return 1.0;
    }
    let b = erlang_b(servers, a);
    (c * b / (c - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// `P(X + Y > t)` for independent `X ~ Exp(theta)` and `Y ~ Exp(mu)`
/// (both rates positive), stable when the rates are close.
pub(crate) fn hypoexp_tail(theta: f64, mu: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 1.0;
    }
    let x = (theta - mu) * t;
    let conv = if x.abs() < 1e-3 {
        // μ·t·e^{−θt}·(e^x − 1)/x, with (e^x − 1)/x by its series.
        mu * t * (-theta * t).exp() * (1.0 + x / 2.0 + x * x / 6.0 + x * x * x / 24.0)
    } else {
        mu * ((-mu * t).exp() - (-theta * t).exp()) / (theta - mu)
    };
    ((-mu * t).exp() + conv).clamp(0.0, 1.0)
}

/// The smallest `t ≥ 0` with `tail(t) ≤ 1 − p`, for a non-increasing tail
/// function with `tail(t) → 0`: doubling to bracket, then bisection to a
/// relative width of 1e−12 (at most 64 doublings and 200 halvings, so it
/// always ends). `scale` [s] is a first guess of the size of `t`.
pub(crate) fn quantile_of_tail(p: f64, scale: f64, tail: impl Fn(f64) -> f64) -> f64 {
    let target = 1.0 - p;
    if tail(0.0) <= target {
        return 0.0;
    }
    let mut hi = if scale.is_finite() && scale > 0.0 {
        scale
    } else {
        1.0
    };
    let mut lo = 0.0;
    let mut steps = 0;
    while tail(hi) > target {
        lo = hi;
        hi *= 2.0;
        steps += 1;
        if steps > 64 || !hi.is_finite() {
            return f64::MAX;
        }
    }
    for _ in 0..200 {
        if hi - lo <= 1e-12 * hi {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if tail(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// An M/M/c queue with its Erlang C value computed once: every question
/// after construction costs O(1) (quantiles a bounded bisection).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MMc {
    /// Arrival rate λ [requests/s].
    lambda: f64,
    /// Service rate μ of one server [requests/s].
    mu: f64,
    /// Number of servers c.
    servers: u64,
    /// Erlang C: P(wait).
    c_wait: f64,
}

impl MMc {
    /// The queue with arrival rate `lambda` [requests/s], `servers`
    /// servers of service rate `mu` [requests/s each]. Costs one Erlang C
    /// evaluation.
    #[inline]
    pub fn new(lambda: f64, mu: f64, servers: u64) -> Self {
        let (lambda, mu) = (rate(lambda), rate(mu));
        let c_wait = erlang_c(servers, offered_load(lambda, mu));
        MMc {
            lambda,
            mu,
            servers,
            c_wait,
        }
    }

    /// Offered load `λ/μ` \[Erlangs\].
    pub fn offered_load(&self) -> f64 {
        offered_load(self.lambda, self.mu)
    }

    #[cfg(test)]
    #[cfg(test)]
    /// Utilization `ρ = λ/(cμ)` (≥ 1 when unstable).
    pub fn utilization(&self) -> f64 {
        utilization(self.lambda, self.mu, self.servers)
    }

    /// Whether the queue has a steady state (`ρ < 1`, or no arrivals).
    pub fn is_stable(&self) -> bool {
        self.lambda == 0.0 || self.offered_load() < self.servers as f64
    }

    /// Rate `θ = cμ − λ` [1/s] of the exponential part of the wait
    /// (0 when unstable).
    pub fn wait_decay_rate(&self) -> f64 {
        if self.is_stable() {
            (self.servers as f64 * self.mu - self.lambda).max(0.0)
        } else {
            0.0
        }
    }

    /// Probability that a request waits (Erlang C); 1 when unstable.
    pub fn p_wait(&self) -> f64 {
        self.c_wait
    }

    #[cfg(test)]
    /// Mean wait in the queue `C/(cμ − λ)` \[s\]; infinite when unstable.
    pub fn mean_wait(&self) -> f64 {
        if !self.is_stable() {
            f64::INFINITY
        } else if self.c_wait == 0.0 {
            0.0
        } else {
            self.c_wait / self.wait_decay_rate()
        }
    }

    #[cfg(test)]
    /// Mean response time, wait plus service `1/μ` \[s\]; infinite when
    /// unstable (or μ = 0).
    pub fn mean_response(&self) -> f64 {
        if !self.is_stable() || self.mu == 0.0 {
            f64::INFINITY
        } else {
            self.mean_wait() + 1.0 / self.mu
        }
    }

    #[cfg(test)]
    /// `P(W > t)` for a wait of `t` \[s\]: `C·e^{−(cμ−λ)t}` (1 for `t < 0`;
    /// 1 at every `t` when unstable).
    pub fn wait_tail(&self, t: f64) -> f64 {
        if t < 0.0 || !self.is_stable() {
            return 1.0;
        }
        self.c_wait * (-self.wait_decay_rate() * t).exp()
    }

    #[cfg(test)]
    /// The `p`-quantile of the wait \[s\] (`p` in `[0, 1)`): 0 when
    /// `C ≤ 1 − p`, else `ln(C/(1 − p))/(cμ − λ)`; infinite when unstable
    /// or `p ≥ 1`.
    pub fn wait_quantile(&self, p: f64) -> f64 {
        if !self.is_stable() || p >= 1.0 {
            return f64::INFINITY;
        }
        let q = 1.0 - p.max(0.0);
        if self.c_wait <= q {
            0.0
        } else {
            (self.c_wait / q).ln() / self.wait_decay_rate()
        }
    }

    #[cfg(test)]
    /// `P(R > t)` for a response time (wait + service) of `t` \[s\], exact
    /// (see the module notes); 1 when unstable.
    pub fn response_tail(&self, t: f64) -> f64 {
        if t <= 0.0 || !self.is_stable() || self.mu == 0.0 {
            return 1.0;
        }
        let served_at_once = (1.0 - self.c_wait) * (-self.mu * t).exp();
        if self.c_wait == 0.0 {
            return served_at_once;
        }
        served_at_once + self.c_wait * hypoexp_tail(self.wait_decay_rate(), self.mu, t)
    }

    #[cfg(test)]
    /// The `p`-quantile of the response time \[s\] (`p` in `[0, 1)`), by
    /// bisection of [`MMc::response_tail`] to a relative 1e−12; infinite
    /// when unstable or `p ≥ 1`.
    pub fn response_quantile(&self, p: f64) -> f64 {
        if !self.is_stable() || self.mu == 0.0 || p >= 1.0 {
            return f64::INFINITY;
        }
        quantile_of_tail(p.max(0.0), self.mean_response(), |t| self.response_tail(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full recurrence from k = 0, for comparison with the shortcut.
    fn erlang_b_full(c: u64, a: f64) -> f64 {
        let mut b = 1.0;
        for k in 1..=c {
            b = a * b / (k as f64 + a * b);
        }
        b
    }

    #[test]
    fn shortcut_start_matches_the_full_recurrence() {
        for &(c, a) in &[
            (100u64, 90.0),
            (1_000, 950.0),
            (1_000, 700.0),
            (5_000, 4_900.0),
            (20_000, 19_500.5),
            (20_000, 25_000.0),
            (3_000, 2_000.0),
        ] {
            let full = erlang_b_full(c, a);
            let fast = erlang_b(c, a);
            // Exact to 1e-13, or 0 for a value below 1e-19 far above the
            // load (the documented shortcut).
            let shortcut = fast == 0.0 && full < 1e-19 && c as f64 >= a + 12.0 * a.sqrt() + 30.0;
            assert!(
                (full - fast).abs() <= 1e-13 * full.max(1e-280) || shortcut,
                "c={c} a={a}: {full} vs {fast}"
            );
        }
    }

    #[test]
    fn hypoexp_tail_is_continuous_across_equal_rates() {
        let t = 1.7;
        let near = hypoexp_tail(2.0 * (1.0 + 1e-9), 2.0, t);
        let eq = (1.0 + 2.0 * t) * (-2.0 * t).exp();
        assert!((near - eq).abs() < 1e-9);
        let apart = hypoexp_tail(2.5, 2.0, t);
        let formula = (2.5 * (-2.0 * t).exp() - 2.0 * (-2.5 * t).exp()) / 0.5;
        assert!((apart - formula).abs() < 1e-12);
    }
}
