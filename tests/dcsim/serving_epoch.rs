//! The epoch mode of inference services (issue 9): Erlang C and the M/M/c
//! queue against textbook values, the demand curve evaluated by hand, and
//! the epoch model's fixed point, saturation and backlog by hand.

use dcsim::workload::serving::erlang::{self, MMc};

/// Relative (or, near 0, absolute) closeness.
fn close(x: f64, y: f64, tol: f64) -> bool {
    (x - y).abs() <= tol * y.abs().max(1.0)
}

macro_rules! assert_close {
    ($x:expr, $y:expr, $tol:expr) => {{
        let (x, y) = ($x, $y);
        assert!(close(x, y, $tol), "{} = {x}, expected {y}", stringify!($x));
    }};
}

// ---------------------------------------------------------------- Erlang C

/// Erlang C by its textbook sum, `a^c/c!·c/(c−a) ÷ (Σ_{k<c} a^k/k! +
/// a^c/c!·c/(c−a))`, terms built by multiplication (fine for small c).
fn erlang_c_by_sum(c: u64, a: f64) -> f64 {
    let mut term = 1.0; // a^k/k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    let last = term * c as f64 / (c as f64 - a);
    last / (sum + last)
}

/// Erlang C in log space: `ln(a^k/k!) = k·ln a − lnΓ(k+1)`, summed by
/// log-sum-exp — independent of the recurrence, good for thousands.
fn erlang_c_in_logs(c: u64, a: f64) -> f64 {
    let ln_term = |k: u64| k as f64 * a.ln() - libm::lgamma(k as f64 + 1.0);
    let ln_last = ln_term(c) + (c as f64 / (c as f64 - a)).ln();
    let mut max = ln_last;
    for k in 0..c {
        max = max.max(ln_term(k));
    }
    let mut sum = 0.0;
    for k in 0..c {
        sum += (ln_term(k) - max).exp();
    }
    let last = (ln_last - max).exp();
    last / (sum + last)
}

#[test]
fn mm1_matches_its_closed_forms() {
    let (lambda, mu) = (3.0, 5.0);
    let q = MMc::new(lambda, mu, 1);
    let rho = lambda / mu;
    assert_close!(q.utilization(), rho, 1e-15);
    assert_close!(q.p_wait(), rho, 1e-14);
    assert_close!(q.mean_wait(), rho / (mu - lambda), 1e-14);
    assert_close!(q.mean_response(), 1.0 / (mu - lambda), 1e-14);
    // M/M/1 response time is exponential of rate μ − λ.
    for t in [0.1, 0.5, 2.0] {
        assert_close!(q.response_tail(t), (-(mu - lambda) * t).exp(), 1e-12);
    }
    assert_close!(
        q.response_quantile(0.99),
        100f64.ln() / (mu - lambda),
        1e-10
    );
    // Wait: P(W > t) = ρ e^{−(μ−λ)t}; p99 = ln(ρ/0.01)/(μ−λ).
    assert_close!(q.wait_tail(0.3), rho * (-(mu - lambda) * 0.3).exp(), 1e-14);
    assert_close!(
        q.wait_quantile(0.99),
        (rho / 0.01).ln() / (mu - lambda),
        1e-12
    );
    assert_eq!(q.wait_quantile(0.3), 0.0); // 1 − 0.3 ≥ ρ: most never wait
}

#[test]
fn mm2_matches_its_closed_form() {
    for rho in [0.1, 0.6, 0.95] {
        let mu = 2.0;
        let q = MMc::new(2.0 * rho * mu, mu, 2);
        assert_close!(q.p_wait(), 2.0 * rho * rho / (1.0 + rho), 1e-13);
        // Mean wait ρ²/(μ(1 − ρ²)).
        assert_close!(q.mean_wait(), rho * rho / (mu * (1.0 - rho * rho)), 1e-12);
    }
}

#[test]
fn published_table_value_ten_erlangs_on_twelve_servers() {
    let c = erlang::erlang_c(12, 10.0);
    assert_close!(c, erlang_c_by_sum(12, 10.0), 1e-13);
    assert_close!(c, erlang_c_in_logs(12, 10.0), 1e-12);
    assert!((c - 0.4494).abs() < 5e-5, "{c}"); // tables: 0.4494
}

#[test]
fn thousands_of_servers_are_finite_and_exact() {
    let c = erlang::erlang_c(5_000, 4_900.0);
    assert!(c.is_finite() && c > 0.0 && c < 1.0);
    assert_close!(c, erlang_c_in_logs(5_000, 4_900.0), 1e-9);
    // And a million servers at 99.9% load still answers.
    let big = erlang::erlang_c(1_000_000, 999_000.0);
    assert!(big.is_finite() && big > 0.0 && big < 1.0, "{big}");
    // Lightly loaded: nobody waits (below 1e−290 is 0).
    assert_eq!(erlang::erlang_c(5_000, 1_000.0), 0.0);
}

#[test]
fn saturation_and_empty_queues_are_reported_cleanly() {
    let q = MMc::new(10.0, 1.0, 10); // ρ = 1
    assert!(!q.is_stable());
    assert_eq!(q.p_wait(), 1.0);
    assert_eq!(q.mean_wait(), f64::INFINITY);
    assert_eq!(q.wait_quantile(0.5), f64::INFINITY);
    assert_eq!(q.response_tail(1e6), 1.0);
    assert_eq!(erlang::erlang_c(0, 1.0), 1.0);
    let idle = MMc::new(0.0, 1.0, 3);
    assert_eq!(idle.p_wait(), 0.0);
    assert_eq!(idle.mean_wait(), 0.0);
    assert_close!(idle.mean_response(), 1.0, 1e-15);
    assert_eq!(erlang::utilization(0.0, 0.0, 0), 0.0);
}
