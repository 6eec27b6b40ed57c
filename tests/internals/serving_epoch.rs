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

// ------------------------------------------------------------ epoch model

use dcsim::workload::serving::epoch::{
    Backlog, EpochInput, EpochOutcome, Overflow, ServiceModel, Slo, SloMetric, run_epoch,
};

/// One request at a time at rate `mu` [requests/s]: the M/M/c server.
struct OneAtATime {
    mu: f64,
}

impl ServiceModel for OneAtATime {
    fn service_rate(&self, batch: f64) -> f64 {
        self.mu * batch
    }
    fn max_batch(&self) -> u32 {
        1
    }
}

/// Continuous batching: a decode step of `t0 + t1·b` seconds for a batch
/// of `b`, `out` output tokens a request, so `μ(b) = b/(out·(t0 + t1·b))`
/// and `S(b) = out·(t0 + t1·b)`; prefill 50 ms; TPOT the step time.
struct Batching {
    out: f64,
    t0: f64,
    t1: f64,
    max: u32,
}

const DECODE: Batching = Batching {
    out: 100.0,
    t0: 0.02,
    t1: 0.0005,
    max: 64,
};

impl ServiceModel for Batching {
    fn service_rate(&self, batch: f64) -> f64 {
        batch / (self.out * (self.t0 + self.t1 * batch))
    }
    fn max_batch(&self) -> u32 {
        self.max
    }
    fn prefill_time(&self, _batch: f64) -> Option<f64> {
        Some(0.05)
    }
    fn tpot(&self, batch: f64) -> Option<f64> {
        Some(self.t0 + self.t1 * batch)
    }
}

fn epoch(lambda: f64, replicas: u32, length_s: f64) -> EpochInput {
    EpochInput {
        length_s,
        arrival_rate: lambda,
        replicas,
        backlog: Backlog::default(),
        overflow: Overflow::Drop,
        slo: Slo {
            metric: SloMetric::Latency,
            target_s: 1.0,
            percentile: 0.99,
        },
    }
}

/// No NaN, no infinity anywhere in an outcome.
fn assert_finite(o: &EpochOutcome) {
    let opt = |x: Option<f64>| x.unwrap_or(0.0);
    for x in [
        o.capacity_rps,
        o.utilization,
        o.load,
        o.batch,
        o.time_in_service_s,
        o.erlang_c,
        o.p_wait,
        o.mean_wait_s,
        o.p99_wait_s,
        o.mean_latency_s,
        o.p99_latency_s,
        opt(o.mean_ttft_s),
        opt(o.p99_ttft_s),
        opt(o.mean_tpot_s),
        opt(o.p99_tpot_s),
        o.arrived,
        o.served,
        o.beyond_capacity,
        o.dropped,
        o.backlog_out.requests,
        o.backlog_out.head_age_s,
        o.slo_attainment,
        o.slo_population,
    ] {
        assert!(x.is_finite() && x >= 0.0, "{o:?}");
    }
    assert!((0.0..=1.0).contains(&o.load) && (0.0..=1.0).contains(&o.slo_attainment));
}

#[test]
fn mm1_epoch_against_closed_forms() {
    // λ = 3, μ = 5: ρ = 0.6, mean latency 1/(μ − λ) = 0.5 s, latency
    // exponential of rate 2: p99 = ln 100 / 2 = 2.3026 s; SLO 1 s met by
    // 1 − e^{−2} = 86.47%.
    let o = run_epoch(&OneAtATime { mu: 5.0 }, &epoch(3.0, 1, 900.0));
    assert_finite(&o);
    assert_close!(o.utilization, 0.6, 1e-12);
    assert_close!(o.load, 0.6, 1e-12);
    assert_close!(o.batch, 0.6, 1e-8); // the server is busy 60% of the time
    assert_close!(o.erlang_c, 0.6, 1e-8);
    assert_close!(o.p_wait, 0.6, 1e-8);
    assert_close!(o.mean_wait_s, 0.6 / 2.0, 1e-8);
    assert_close!(o.mean_latency_s, 0.5, 1e-8);
    assert_close!(o.p99_latency_s, 100f64.ln() / 2.0, 1e-8);
    assert_close!(o.p99_wait_s, (0.6f64 / 0.01).ln() / 2.0, 1e-8);
    assert_close!(o.arrived, 2_700.0, 1e-12);
    assert_close!(o.served, 2_700.0, 1e-12);
    assert_eq!(o.beyond_capacity, 0.0);
    assert_close!(o.slo_attainment, 1.0 - (-2.0f64).exp(), 1e-8);
    assert!(!o.slo_met);
    assert_eq!(o.mean_ttft_s, None);
}

#[test]
fn mmc_epoch_against_closed_forms() {
    // c = 2, μ = 2, λ = 2.4: ρ = 0.6, P(wait) = 2ρ²/(1+ρ) = 0.45, mean
    // wait 0.45/(4 − 2.4) = 0.28125 s, mean latency 0.78125 s.
    let o = run_epoch(&OneAtATime { mu: 2.0 }, &epoch(2.4, 2, 900.0));
    assert_finite(&o);
    assert_close!(o.utilization, 0.6, 1e-12);
    assert_close!(o.p_wait, 0.45, 1e-8);
    assert_close!(o.mean_wait_s, 0.28125, 1e-8);
    assert_close!(o.mean_latency_s, 0.78125, 1e-8);
    // p99 wait: ln(0.45/0.01)/1.6.
    assert_close!(o.p99_wait_s, 45f64.ln() / 1.6, 1e-8);
}

#[test]
fn batching_fixed_point_by_hand() {
    // 4 replicas, λ = 32: 8 req/s each. μ(b) = 8 ⇔ b/(100·(0.02 +
    // 0.0005·b)) = 8 ⇔ b = 16/(1 − 0.4) = 26.667; S = 100·(0.02 +
    // 0.013333) = 3.3333 s; capacity μ(64) = 64/5.2 = 12.3077 req/s a
    // replica, so utilization 32/49.231 = 0.65. Slots: 4 × 64 = 256 at
    // offered load 32 × 3.3333 = 106.7: nobody waits (C < 1e−20).
    let o = run_epoch(&DECODE, &epoch(32.0, 4, 900.0));
    assert_finite(&o);
    assert_close!(o.batch, 80.0 / 3.0, 1e-8);
    assert_close!(o.time_in_service_s, 10.0 / 3.0, 1e-8);
    assert_close!(o.capacity_rps, 4.0 * 64.0 / 5.2, 1e-12);
    assert_close!(o.utilization, 0.65, 1e-12);
    assert!(o.erlang_c < 1e-20, "{}", o.erlang_c);
    assert_close!(o.mean_latency_s, 10.0 / 3.0, 1e-8);
    assert_close!(o.p99_latency_s, 10.0 / 3.0 * 100f64.ln(), 1e-6);
    assert_close!(o.mean_ttft_s.unwrap(), 0.05, 1e-8);
    assert_close!(o.p99_ttft_s.unwrap(), 0.05, 1e-8);
    assert_close!(o.mean_tpot_s.unwrap(), 0.02 + 0.0005 * 80.0 / 3.0, 1e-8);
    // p99 TPOT at the batch b + 2.326·√b = 26.667 + 12.013 = 38.68.
    let b99 = 80.0 / 3.0 + 2.326_347_874 * (80.0f64 / 3.0).sqrt();
    assert_close!(o.p99_tpot_s.unwrap(), 0.02 + 0.0005 * b99, 1e-8);
    assert_close!(o.served, 32.0 * 900.0, 1e-12);
}

#[test]
fn saturation_serves_capacity_and_drops_the_rest() {
    // 10 one-at-a-time replicas of μ = 1: K = 10 req/s; λ = 15 over 100 s:
    // 1,500 arrive, 1,000 served, 500 beyond capacity (dropped). FIFO:
    // the arrival at s is served at 15s/10, waits 0.5·s; the last served
    // arrived at 1000/15 = 66.67 s and waited 33.33 s.
    let o = run_epoch(&OneAtATime { mu: 1.0 }, &epoch(15.0, 10, 100.0));
    assert_finite(&o);
    assert!(o.saturated);
    assert_eq!(o.utilization, 1.0);
    assert_eq!(o.load, 1.0);
    assert_close!(o.served, 1_000.0, 1e-12);
    assert_close!(o.beyond_capacity, 500.0, 1e-12);
    assert_close!(o.dropped, 500.0, 1e-12);
    assert_eq!(o.backlog_out.requests, 0.0);
    assert_close!(o.mean_wait_s, 100.0 / 6.0, 1e-12);
    assert_close!(o.p99_wait_s, 0.99 * 100.0 / 3.0, 1e-9);
    assert_close!(o.mean_latency_s, 100.0 / 6.0 + 1.0, 1e-12);
    // Nobody served meets a 1 s latency target except the first arrivals:
    // at most 1000/1500 of the leaving requests could.
    assert!(o.slo_attainment < 0.05, "{}", o.slo_attainment);
    assert_close!(o.slo_population, 1_500.0, 1e-12);
    // A batching service saturates at c·μ(B) exactly.
    let o = run_epoch(&DECODE, &epoch(100.0, 4, 900.0));
    assert_finite(&o);
    let cap = 4.0 * 64.0 / 5.2;
    assert_close!(o.served, cap * 900.0, 1e-12);
    assert_close!(o.beyond_capacity, (100.0 - cap) * 900.0, 1e-12);
    assert_eq!(o.batch, 64.0);
    assert_close!(o.mean_tpot_s.unwrap(), 0.02 + 0.0005 * 64.0, 1e-12);
    // No replicas: nothing served, everything beyond capacity, no NaN.
    let o = run_epoch(&DECODE, &epoch(100.0, 0, 900.0));
    assert_finite(&o);
    assert_eq!(o.served, 0.0);
    assert_close!(o.dropped, 90_000.0, 1e-12);
    assert_eq!(o.slo_attainment, 0.0);
}

#[test]
fn backlog_is_carried_and_drained() {
    let server = OneAtATime { mu: 1.0 };
    // Epoch 1 as above, but the 500 beyond capacity are carried: the head
    // of the line arrived at 66.67 s, so it is 33.33 s old at the end.
    let mut first = epoch(15.0, 10, 100.0);
    first.overflow = Overflow::Backlog;
    let o1 = run_epoch(&server, &first);
    assert_finite(&o1);
    assert_eq!(o1.dropped, 0.0);
    assert_close!(o1.backlog_out.requests, 500.0, 1e-12);
    assert_close!(o1.backlog_out.head_age_s, 100.0 / 3.0, 1e-12);
    // Epoch 2, λ = 4: the 500 drain at 10 − 4 = 6 req/s in 83.33 s. Served:
    // the 500 (waits from 33.33 s at the head to 500/10 = 50 s at the
    // tail, mean 41.67), then 4 × 83.33 = 333.33 arrivals waiting from 50 s
    // down to 0 (mean 25), then 66.67 in the steady M/M/10 (mean wait
    // C(10, 4)/6). Everything served: 900, nothing beyond.
    let mut second = epoch(4.0, 10, 100.0);
    second.overflow = Overflow::Backlog;
    second.backlog = o1.backlog_out;
    let o2 = run_epoch(&server, &second);
    assert_finite(&o2);
    assert_close!(o2.served, 900.0, 1e-12);
    assert_eq!(o2.beyond_capacity, 0.0);
    assert_eq!(o2.backlog_out.requests, 0.0);
    assert_close!(o2.utilization, 0.9, 1e-12);
    let steady = erlang::erlang_c(10, 4.0) / 6.0;
    let by_hand =
        (500.0 * (100.0 / 3.0 + 50.0) / 2.0 + (1000.0 / 3.0) * 25.0 + (200.0 / 3.0) * steady)
            / 900.0;
    assert_close!(o2.mean_wait_s, by_hand, 1e-9);
    // Epoch 2 at λ = 8 instead: the line drains at only 10 − 8 = 2 req/s,
    // 250 s > 100 s, so the replicas serve their capacity, 1,000: the 500
    // of the backlog, then the 500 arrivals of the first 62.5 s; 500 + 800
    // − 1,000 = 300 are carried, the head (arrived at 62.5 s) 37.5 s old.
    let mut busy = second;
    busy.arrival_rate = 8.0;
    let o3 = run_epoch(&server, &busy);
    assert_finite(&o3);
    assert_close!(o3.served, 1_000.0, 1e-12);
    assert_close!(o3.backlog_out.requests, 300.0, 1e-12);
    assert_close!(o3.backlog_out.head_age_s, 37.5, 1e-12);
    assert_eq!(o3.utilization, 1.0);
    // Same with Drop: the 300 are dropped instead.
    busy.overflow = Overflow::Drop;
    let o4 = run_epoch(&server, &busy);
    assert_close!(o4.dropped, 300.0, 1e-12);
    assert_eq!(o4.backlog_out.requests, 0.0);
}

#[test]
fn epoch_outputs_stay_finite_near_and_at_saturation() {
    for lambda in [0.0, 1e-9, 49.0, 49.2307, 49.230_769_230_769, 49.3, 1e6] {
        for backlog in [0.0, 1e4] {
            let mut input = epoch(lambda, 4, 900.0);
            input.backlog.requests = backlog;
            input.backlog.head_age_s = 60.0;
            input.overflow = Overflow::Backlog;
            let o = run_epoch(&DECODE, &input);
            assert_finite(&o);
            assert!(o.mean_wait_s <= 900.0 + 60.0 + 1e-9, "{lambda}: {o:?}");
            // Conservation: what came in is served or beyond capacity.
            assert_close!(o.served + o.beyond_capacity, backlog + lambda * 900.0, 1e-9);
        }
    }
}
