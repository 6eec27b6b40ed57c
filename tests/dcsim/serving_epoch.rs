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

// ------------------------------------------------------------------ demand

use chrono::NaiveDate;
use dcsim::engine::{Calendar, RngStreams, SimDuration, SimTime};
use dcsim::workload::serving::demand::{Demand, DemandSampler, Growth};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 0.5 at night (00–07 and 20–23), 1.5 by day (08–19): mean 1.
fn day_profile() -> [f64; 24] {
    std::array::from_fn(|h| if (8..20).contains(&h) { 1.5 } else { 0.5 })
}

/// Monday–Friday 1.1, weekend 0.75: mean 1.
const WEEK: [f64; 7] = [1.1, 1.1, 1.1, 1.1, 1.1, 0.75, 0.75];

/// The README's worked value: base 100 req/s, +40%/yr from 2026-01-01, at
/// Saturday 2028-07-01 14:00. Years: 2026 and 2027 (730 days) + Jan–Jun
/// 2028 (182 days, a leap year) + 14 h = 912.5833 days = 2.498517 years of
/// 365.25 days; growth 1.4^2.498517 = 2.317946; hour 14 → 1.5, Saturday →
/// 0.75: 100 × 2.317946 × 1.5 × 0.75 = 260.769 req/s.
#[test]
fn demand_worked_example_by_hand() {
    let cal = Calendar::new(date(2026, 1, 1));
    let t = cal.time_of_date(date(2028, 7, 1)).unwrap() + SimDuration::from_hours(14);
    assert_eq!(cal.weekday(t), chrono::Weekday::Sat);
    let growth = Growth::Exponential {
        annual_rate: 0.4,
        reference: date(2026, 1, 1),
    };
    let demand = Demand::new(100.0, growth)
        .unwrap()
        .with_diurnal(day_profile())
        .unwrap()
        .with_weekly(WEEK)
        .unwrap();
    let years = (730.0 + 182.0 + 14.0 / 24.0) / 365.25;
    assert_close!(years, 2.498517, 1e-6);
    let by_hand = 100.0 * 1.4f64.powf(years) * 1.5 * 0.75;
    assert_close!(demand.rate_at(&cal, t), by_hand, 1e-12);
    assert_close!(by_hand, 260.769, 1e-5);
    // The epoch 14:00–14:15 is read at 14:07:30: the same hour and day.
    let epoch = demand.epoch_rate(&cal, t, SimDuration::from_secs(900));
    assert_close!(epoch, by_hand, 1e-5);
    // Profiles are normalized: the same shapes scaled by 3 and 0.5 give the
    // same rate (the base stays the mean).
    let scaled = Demand::new(100.0, Growth::Flat)
        .unwrap()
        .with_diurnal(day_profile().map(|f| 3.0 * f))
        .unwrap()
        .with_weekly(WEEK.map(|f| 0.5 * f))
        .unwrap();
    assert_close!(scaled.rate_at(&cal, t), 100.0 * 1.5 * 0.75, 1e-12);
    // The mean over one whole week of hourly values is the base rate.
    let week_start = cal.time_of_date(date(2026, 1, 5)).unwrap(); // a Monday
    let mean = (0..168)
        .map(|h| scaled.rate_at(&cal, week_start + SimDuration::from_hours(h)))
        .sum::<f64>()
        / 168.0;
    assert_close!(mean, 100.0, 1e-12);
}

#[test]
fn logistic_and_piecewise_growth() {
    let cal = Calendar::new(date(2026, 1, 1));
    let at = |d: NaiveDate| cal.time_of_date(d).unwrap();
    let logistic = Demand::new(
        10.0,
        Growth::Logistic {
            capacity: 8.0,
            midpoint: date(2028, 1, 1),
            steepness_per_year: 2.0,
        },
    )
    .unwrap();
    assert_close!(logistic.rate_at(&cal, at(date(2028, 1, 1))), 40.0, 1e-12);
    // Two years earlier (730 days = 1.998631 years): 8/(1 + e^{3.997262}).
    let y: f64 = -730.0 / 365.25;
    assert_close!(
        logistic.rate_at(&cal, at(date(2026, 1, 1))),
        10.0 * 8.0 / (1.0 + (-2.0 * y).exp()),
        1e-12
    );
    let piecewise = Demand::new(
        10.0,
        Growth::Piecewise(vec![(date(2027, 1, 1), 1.0), (date(2027, 1, 11), 3.0)]),
    )
    .unwrap();
    assert_close!(piecewise.rate_at(&cal, at(date(2026, 6, 1))), 10.0, 1e-12);
    assert_close!(piecewise.rate_at(&cal, at(date(2027, 1, 6))), 20.0, 1e-12);
    assert_close!(
        piecewise.rate_at(&cal, at(date(2027, 1, 6)) + SimDuration::from_hours(12)),
        21.0,
        1e-12
    );
    assert_close!(piecewise.rate_at(&cal, at(date(2030, 1, 1))), 30.0, 1e-12);
    assert!(Demand::new(-1.0, Growth::Flat).is_err());
    assert!(
        Demand::new(1.0, Growth::Flat)
            .unwrap()
            .with_weekly([0.0; 7])
            .is_err()
    );
    assert!(
        Demand::new(1.0, Growth::Flat)
            .unwrap()
            .with_noise(-0.1)
            .is_err()
    );
}

#[test]
fn noise_has_mean_one_and_its_own_reproducible_stream() {
    let cal = Calendar::new(date(2026, 1, 1));
    let demand = Demand::new(50.0, Growth::Flat)
        .unwrap()
        .with_noise(0.3)
        .unwrap();
    let epoch = SimDuration::from_secs(900);
    let draws = |seed: u64, name: &str| -> Vec<f64> {
        let mut s = DemandSampler::new(demand.clone(), &RngStreams::new(seed), name);
        (0..20_000)
            .map(|i| s.next_epoch(&cal, SimTime(i * epoch.micros()), epoch))
            .collect()
    };
    let a = draws(7, "chat");
    assert_eq!(a, draws(7, "chat"));
    assert_ne!(a, draws(7, "code"));
    assert_ne!(a, draws(8, "chat"));
    let mean = a.iter().sum::<f64>() / a.len() as f64;
    // Lognormal σ = 0.3: standard deviation 50·0.307, so the mean of
    // 20,000 is within 50·0.307/√20000·4 ≈ 0.43 of 50.
    assert!((mean - 50.0).abs() < 0.43, "{mean}");
    // No noise: exactly the curve.
    let plain = Demand::new(50.0, Growth::Flat).unwrap();
    let mut s = DemandSampler::new(plain, &RngStreams::new(7), "chat");
    assert_eq!(s.next_epoch(&cal, SimTime::ZERO, epoch), 50.0);
}
