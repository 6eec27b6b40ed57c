//! Failure processes: counts against rate × exposure, spare swaps replayed
//! from the failures log, and Weibull lifetimes against their CDF and their
//! moments. Every statistical tolerance comes from the law being tested (4σ
//! of the estimator, or a Kolmogorov-Smirnov quantile), never a fixed
//! percentage; the seeds are fixed, so the tests are deterministic.

use std::collections::HashMap;

use dcsim::catalog::failures::FailureKind;
use dcsim::record::{Component, FailureRow, PhaseOutcome, Remedy, SampleRow};

use crate::internals::common::{assert_abs, assert_rel, run_fixture};

/// Times in the log are hours from microseconds; allow for the rounding.
const HOUR_EPS: f64 = 1e-6;

#[test]
fn exponential_failures_match_rate_times_exposure() {
    let (rec, s) = run_fixture("failures_poisson.toml", &[]);
    // 2,000 racks × 8 chips online for the whole year.
    let hours = 8_760.0;
    let online_chip_hours = 16_000.0 * hours;
    let healthy_chip_hours = s.availability * online_chip_hours;
    // Only the gpu class is on.
    let gpu = s.failures[0];
    assert_eq!(s.failures_total(), gpu);
    // Each chip fails at 50 per million chip-hours while healthy, taking its
    // 8-chip node down: failures = λ × healthy chip-hours, Poisson.
    let expected = 50e-6 * healthy_chip_hours;
    let sigma = expected.sqrt();
    assert!(
        (gpu as f64 - expected).abs() < 4.0 * sigma,
        "{gpu} gpu failures, expected {expected:.0} ± {sigma:.0}"
    );
    // Same for each quarter of the year [a, b) (91, 91, 91 and 92 daily
    // rows), counted from the samples. Exposure, exactly, from the log:
    // 16,000 chips × (b − a) minus, for each failure, its node's 8 chips
    // for the part of its 24 h repair inside the quarter (no spares, so
    // every failure is a 24 h repair in place).
    for q in 0..4 {
        let (first, end) = (q * 91, if q == 3 { 365 } else { (q + 1) * 91 });
        let rows = &rec.samples[first..end];
        let n: u64 = rows.iter().map(|r| r.failures[0]).sum();
        let (a, b) = (24.0 * first as f64, 24.0 * end as f64);
        let down: f64 = rec
            .failures
            .iter()
            .map(|f| 8.0 * ((f.time_h + 24.0).min(b) - f.time_h.max(a)).max(0.0))
            .sum();
        let e = 50e-6 * (16_000.0 * (b - a) - down);
        assert!(
            (n as f64 - e).abs() < 4.0 * e.sqrt(),
            "quarter {q}: {n} failures, expected {e:.0} ± {:.0} (4σ)",
            4.0 * e.sqrt()
        );
    }
    // Exposure bookkeeping, exactly: each failure takes 8 chips down for
    // 24 h, or until the end of the run.
    assert_eq!(rec.failures.len() as u64, gpu);
    let down: f64 = rec
        .failures
        .iter()
        .map(|f| {
            assert_eq!(
                (f.chips_down, f.remedy, f.downtime_h),
                (8, Remedy::RepairInPlace, 24.0)
            );
            8.0 * f.downtime_h.min(hours - f.time_h)
        })
        .sum();
    assert_rel(
        online_chip_hours - healthy_chip_hours,
        down,
        1e-9,
        "chip-hours down",
    );
}

/// Replays the spare pool and every node's history from the log.
#[test]
fn spares_are_swapped_in_and_the_node_comes_back_after_the_swap_time() {
    let (rec, s) = run_fixture("failures_spares.toml", &[]);
    let log = &rec.failures;
    assert_eq!(log.len() as u64, s.failures_total());
    let (swap, repair, spares) = (2.0, 100.0, 2);
    // The pool: 2 spares; a swap takes one, and the broken node rejoins
    // the pool once repaired, 100 h later.
    let mut away: Vec<f64> = Vec::new(); // when each lent spare comes back
    let mut back_in_service: HashMap<&Component, f64> = HashMap::new();
    let (mut swaps, mut in_place) = (0, 0);
    for f in log {
        assert_eq!(
            (f.class, f.chips_down, f.rack.as_str()),
            (FailureKind::Gpu, 2, "quad")
        );
        away.retain(|&t| t > f.time_h);
        if away.len() < spares {
            assert_eq!(
                f.remedy, "spare_swap",
                "a spare was ready at {}",
                f.timestamp
            );
            assert_abs(f.downtime_h, swap, HOUR_EPS, "swap time");
            away.push(f.time_h + repair);
            swaps += 1;
        } else {
            assert_eq!(f.remedy, "repair_in_place", "no spare at {}", f.timestamp);
            assert_abs(f.downtime_h, repair, HOUR_EPS, "repair time");
            in_place += 1;
        }
        // The node was back in service, and its age counts from then.
        let since = back_in_service.get(&f.component).copied().unwrap_or(0.0);
        assert!(f.time_h >= since, "{} failed while down", f.component);
        assert_abs(
            f.age_h,
            f.time_h - since,
            HOUR_EPS,
            "age since back in service",
        );
        back_in_service.insert(&f.component, f.time_h + f.downtime_h);
    }
    assert!(
        swaps >= 5 && in_place >= 5,
        "{swaps} swaps, {in_place} repairs in place"
    );

    // Hourly samples see the same story: 2 chips per node awaiting a swap
    // for 2 h, in repair for 100 h, and spares away for 100 h.
    let within = |f: &FailureRow, t: f64, d: f64| f.time_h <= t && t < f.time_h + d;
    for r in &rec.samples {
        let t = r.time_h;
        let awaiting = log
            .iter()
            .filter(|f| f.remedy == "spare_swap" && within(f, t, swap));
        let repairing = log
            .iter()
            .filter(|f| f.remedy == "repair_in_place" && within(f, t, repair));
        let lent = log
            .iter()
            .filter(|f| f.remedy == "spare_swap" && within(f, t, repair));
        assert_eq!(
            r.chips_failed,
            2 * awaiting.count() as u64,
            "failed at {}",
            r.timestamp
        );
        assert_eq!(
            r.chips_in_repair,
            2 * repairing.count() as u64,
            "in repair at {}",
            r.timestamp
        );
        assert_eq!(
            r.spare_nodes,
            spares as u64 - lent.count() as u64,
            "spares at {}",
            r.timestamp
        );
    }
    assert!(rec.samples.iter().any(|r| r.chips_failed > 0));
}

/// `Γ(1 + r/k)` for r = 0 … 4 and the shapes used here, from tables and
/// the recurrence Γ(x + 1) = x Γ(x) (not from the `libm::tgamma` the model
/// uses, so the oracle is independent): Γ(4/3) = 0.892979511569249,
/// Γ(5/3) = 0.902745292950934, Γ(7/3) = 4/3 Γ(4/3),
/// Γ(11/3) = 8/3 · 5/3 · Γ(5/3).
fn gamma_1_plus(k: f64) -> [f64; 5] {
    const G43: f64 = 0.892_979_511_569_249_5; // Γ(4/3)
    const G53: f64 = 0.902_745_292_950_933_6; // Γ(5/3)
    if k == 0.5 {
        [1.0, 2.0, 24.0, 720.0, 40_320.0] // Γ(1), Γ(3), Γ(5), Γ(7), Γ(9)
    } else if k == 1.0 {
        [1.0, 1.0, 2.0, 6.0, 24.0] // Γ(1) … Γ(5)
    } else if k == 1.5 {
        // Γ(1), Γ(5/3), Γ(7/3), Γ(3), Γ(11/3)
        [1.0, G53, 4.0 / 3.0 * G43, 2.0, 40.0 / 9.0 * G53]
    } else if k == 3.0 {
        // Γ(1), Γ(4/3), Γ(5/3), Γ(2), Γ(7/3)
        [1.0, G43, G53, 1.0, 4.0 / 3.0 * G43]
    } else {
        panic!("no Γ table for k = {k}")
    }
}

/// Γ(1 + 1/k): the mean of a Weibull(k, 1) lifetime.
fn gamma_1_plus_inverse(k: f64) -> f64 {
    gamma_1_plus(k)[1]
}

/// Runs the Weibull fixture with `nodes` racks of one node of `chips`
/// chips and compares the nodes' ages at failure with the first of `chips`
/// Weibull lifetimes: `F(t) = 1 − exp(−chips · (t/η)^k)`,
/// `η = 1 / (λ Γ(1 + 1/k))`.
fn check_weibull(shape: f64, rate_per_million_hours: f64, chips: u32, nodes: u32, points: &[f64]) {
    let (rec, s) = run_fixture(
        "failures_weibull.toml",
        &[
            &format!("failures.gpu.weibull_shape={shape}"),
            &format!("failures.gpu.rate_per_million_hours={rate_per_million_hours}"),
            &format!("racks[0].chips={chips}"),
            &format!("sites[0].buildout[0].count={nodes}"),
            // Room for up to 5,000 × 8 kW × PUE 1.2 = 48 MW.
            "sites[0].grid_mw=100",
        ],
    );
    assert_eq!(s.racks_commissioned, u64::from(nodes));
    let n = f64::from(nodes);
    let eta = 1e6 / (rate_per_million_hours * gamma_1_plus_inverse(shape));
    let cdf = |t: f64| 1.0 - (-f64::from(chips) * (t / eta).powf(shape)).exp();
    let mut ages: Vec<f64> = rec.failures.iter().map(|f| f.age_h).collect();
    assert_eq!(ages.len() as u64, s.failures_total());
    // Each node fails at most once: the ages are first lifetimes, counted
    // from commissioning at the start.
    let mut failed: Vec<String> = rec
        .failures
        .iter()
        .map(|f| f.component.to_string())
        .collect();
    failed.sort_unstable();
    failed.dedup();
    assert_eq!(failed.len(), ages.len(), "a node failed twice");
    for f in &rec.failures {
        assert_abs(f.age_h, f.time_h, HOUR_EPS, "age = time since the start");
    }
    ages.sort_by(f64::total_cmp);
    let empirical = |t: f64| ages.partition_point(|&a| a <= t) as f64 / n;
    // At a few points: binomial, σ = √(F (1 − F) / n); allow 4σ.
    for &t in points {
        let f = cdf(t);
        let sigma = (f * (1.0 - f) / n).sqrt();
        let e = empirical(t);
        assert!(
            (e - f).abs() < 4.0 * sigma,
            "shape {shape}: F({t} h) = {f:.4}, empirical {e:.4} (σ {sigma:.4})"
        );
    }
    // Over the whole horizon: the largest gap between the empirical and the
    // true (sub-)distribution stays under the 0.1 % Kolmogorov-Smirnov
    // bound 1.95 / √n (0.0138 for 20,000 nodes).
    let mut worst: f64 = 0.0;
    for (i, &a) in ages.iter().enumerate() {
        let f = cdf(a);
        worst = worst
            .max((f - i as f64 / n).abs())
            .max((f - (i + 1) as f64 / n).abs());
    }
    let horizon = 8_760.0;
    worst = worst.max((cdf(horizon) - ages.len() as f64 / n).abs());
    assert!(
        worst < 1.95 / n.sqrt(),
        "shape {shape}: KS distance {worst:.4}"
    );
}

#[test]
fn weibull_infant_mortality_shape() {
    // k = 0.5, λ = 50 per million hours: η = 10⁶ / (50 × Γ(3)) = 10,000 h;
    // F(100 h) = 1 − e^−0.1 = 0.095, F(8,000 h) = 1 − e^−0.894 = 0.591.
    check_weibull(0.5, 50.0, 1, 20_000, &[100.0, 1_000.0, 4_000.0, 8_000.0]);
}

#[test]
fn weibull_wear_out_shape() {
    // k = 3, λ = 120 per million hours: η = 10⁶ / (120 × Γ(4/3)) = 9,332 h;
    // F(3,000 h) = 0.033, F(6,000 h) = 0.233, F(8,500 h) = 0.530.
    check_weibull(3.0, 120.0, 1, 20_000, &[3_000.0, 6_000.0, 8_500.0]);
}

#[test]
fn weibull_node_of_eight_chips_fails_at_the_first_chip() {
    // 5,000 nodes of 8 chips, k = 0.5, λ = 2 per million chip-hours:
    // η = 10⁶ / (2 × 2) = 250,000 h per chip; the node's first failure has
    // F(t) = 1 − exp(−8 √(t / η)): F(100 h) = 0.148, F(8,000 h) = 0.761.
    check_weibull(0.5, 2.0, 8, 5_000, &[100.0, 1_000.0, 3_000.0, 8_000.0]);
}

/// Runs the Weibull fixture with `nodes` one-node racks of `chips` chips,
/// each chip with mean life `chip_mean_h`, over a year that is long enough
/// for every node to fail (`P(T > 8,760 h)` is below 1e-9 for each shape
/// below), and checks the moments of the nodes' lifetimes against the law.
///
/// A node of `g` chips fails at the first of `g` Weibull(k, η) lifetimes,
/// `η = mean / Γ(1 + 1/k)`: Weibull(k, η_g) with `η_g = η · g^(−1/k)`, so
///   mean μ = η_g Γ(1 + 1/k), variance σ² = η_g² (Γ(1 + 2/k) − Γ(1 + 1/k)²),
///   CV² = Γ(1 + 2/k) / Γ(1 + 1/k)² − 1 (independent of the scale),
/// and `(T / η_g)^k` is exponential with mean 1 and standard deviation 1.
///
/// Tolerances are 4σ of each estimator over the n lifetimes (normal limit):
///   sample mean:         σ = CV · μ / √n;
///   sample variance:     σ = √((μ₄ − σ⁴) / n), μ₄ the 4th central moment;
///   mean of (T / η_g)^k: σ = 1 / √n.
/// So a heavy-tailed shape (k = 0.5: CV = 2.24, kurtosis 87.7) gets a wide
/// band and a narrow one (k = 3: CV = 0.363, kurtosis 2.73) a tight band.
fn check_weibull_moments(shape: f64, chip_mean_h: f64, chips: u32, nodes: u32) {
    let (rec, s) = run_fixture(
        "failures_weibull.toml",
        &[
            &format!("failures.gpu.weibull_shape={shape}"),
            &format!("failures.gpu.rate_per_million_hours={}", 1e6 / chip_mean_h),
            &format!("racks[0].chips={chips}"),
            &format!("sites[0].buildout[0].count={nodes}"),
            "sites[0].grid_mw=100",
        ],
    );
    let g = gamma_1_plus(shape);
    let eta = chip_mean_h / g[1];
    let eta_g = eta * f64::from(chips).powf(-1.0 / shape);
    let horizon = 8_760.0;
    let survive = (-(horizon / eta_g).powf(shape)).exp();
    assert!(
        survive * f64::from(nodes) < 1e-5,
        "the fixture censors lifetimes: P(T > 1 y) = {survive:e}"
    );
    // Every node failed exactly once (repairs take 100 years): the ages are
    // n complete first lifetimes.
    assert_eq!(s.failures_total(), u64::from(nodes), "shape {shape}");
    let ages: Vec<f64> = rec.failures.iter().map(|f| f.age_h).collect();
    let n = ages.len() as f64;

    let mean = eta_g * g[1];
    let cv = (g[2] / (g[1] * g[1]) - 1.0).sqrt();
    let sample_mean = ages.iter().sum::<f64>() / n;
    let tol = 4.0 * cv * mean / n.sqrt();
    assert!(
        (sample_mean - mean).abs() < tol,
        "shape {shape}: mean life {sample_mean:.3} h, expected {mean:.3} ± {tol:.3} h (4σ, CV {cv:.3})"
    );

    // Central moments of Weibull(k, η_g) from the raw ones, m_r = η_g^r Γ(1 + r/k).
    let m = |r: usize| eta_g.powi(r as i32) * g[r];
    let var = m(2) - m(1) * m(1);
    let mu4 = m(4) - 4.0 * m(3) * m(1) + 6.0 * m(2) * m(1) * m(1) - 3.0 * m(1).powi(4);
    let sample_var = ages
        .iter()
        .map(|a| (a - sample_mean) * (a - sample_mean))
        .sum::<f64>()
        / (n - 1.0);
    let tol = 4.0 * ((mu4 - var * var) / n).sqrt();
    assert!(
        (sample_var - var).abs() < tol,
        "shape {shape}: variance {sample_var:.3} h², expected {var:.3} ± {tol:.3} h² (4σ, kurtosis {:.2})",
        mu4 / (var * var)
    );

    let unit = ages.iter().map(|a| (a / eta_g).powf(shape)).sum::<f64>() / n;
    let tol = 4.0 / n.sqrt();
    assert!(
        (unit - 1.0).abs() < tol,
        "shape {shape}: mean of (T/η)^k {unit:.4}, expected 1 ± {tol:.4} (4σ)"
    );
}

#[test]
fn weibull_lifetime_moments_scale_with_the_shape() {
    // k = 0.5, mean 20 h: η = 20 / Γ(3) = 10 h, P(T > 8,760 h) = e^−29.6;
    //   CV = √(Γ(5)/Γ(3)² − 1) = √5 = 2.236: mean within 4 × 2.236 × 20 / √20,000
    //   = ±1.26 h (6.3 %).
    check_weibull_moments(0.5, 20.0, 1, 20_000);
    // k = 1 (exponential), mean 300 h: P(T > 8,760 h) = e^−29.2; CV = 1,
    //   mean within 4 × 300 / √20,000 = ±8.5 h (2.8 %).
    check_weibull_moments(1.0, 300.0, 1, 20_000);
    // k = 1.5, mean 500 h: η = 500 / Γ(5/3) = 553.9 h, P(T > 8,760 h) = e^−62.9;
    //   CV = √(Γ(7/3)/Γ(5/3)² − 1) = 0.679: mean within ±9.6 h (1.9 %).
    check_weibull_moments(1.5, 500.0, 1, 20_000);
    // k = 3, mean 1,000 h: η = 1,000 / Γ(4/3) = 1,119.8 h, P(T > 8,760 h) = e^−479;
    //   CV = √(Γ(5/3)/Γ(4/3)² − 1) = 0.363: mean within ±10.3 h (1.0 %).
    check_weibull_moments(3.0, 1_000.0, 1, 20_000);
}

#[test]
fn weibull_moments_of_a_node_of_eight_chips() {
    // k = 0.5, chip mean 400 h: η = 200 h per chip; the node's first failure
    // is Weibull(0.5, 200 × 8^−2 = 3.125 h), mean 6.25 h (= 400 / 8²), the
    // same CV of 2.236 as one chip: mean within 4 × 2.236 × 6.25 / √5,000
    // = ±0.79 h.
    check_weibull_moments(0.5, 400.0, 8, 5_000);
    // k = 3, chip mean 2,000 h: η = 2,239.7 h, node η = 2,239.7 / 2 = 1,119.8 h,
    // mean 1,000 h (= 2,000 / 8^(1/3)), CV 0.363: within ±20.6 h.
    check_weibull_moments(3.0, 2_000.0, 8, 5_000);
}

// ----- replay of the failures log ------------------------------------------

/// One component's story so far in the log: down until `until`, and back in
/// service (or commissioned) at `back` [h].
#[derive(Clone, Copy, Debug)]
struct Spell {
    until: f64,
    back: f64,
}

impl Spell {
    /// Down at `t`: the failure before `t` has not been repaired yet.
    fn down_at(&self, t: f64) -> bool {
        t < self.until
    }
}

/// A node's spells, with what it needs for the chip counts.
#[derive(Clone, Debug)]
struct NodeSpell {
    site: String,
    rack: u32,
    chips: u64,
    spell: Spell,
    /// Down awaiting a spare swap (else repaired in place).
    swap: bool,
}

/// A rack seen in the log: its site, model, nodes and chips per node.
#[derive(Clone, Debug, PartialEq)]
struct RackSeen {
    site: String,
    model: String,
    nodes: u64,
    chips_per_node: u64,
}

/// The remedy as text (as `failures.csv` writes it).
fn remedy_of(f: &FailureRow) -> String {
    f.remedy.to_string()
}

/// What a `component` field names (a link by `from-to`).
#[derive(Debug, PartialEq)]
enum Named {
    Node(u32, u32),
    RackPower(u32),
    Uplink(u32),
    Site,
    Link(String),
}

fn parse_component(c: &Component) -> Named {
    match c {
        Component::Node { rack, node } => Named::Node(*rack, *node),
        Component::Uplink { rack } => Named::Uplink(*rack),
        Component::RackPower { rack } => Named::RackPower(*rack),
        Component::Site => Named::Site,
        Component::Link { from, to } => Named::Link(format!("{from}-{to}")),
    }
}

/// The log read back into per-component timelines, plus the spare pools.
struct Replay<'s> {
    scenario: &'s dcsim::scenario::Scenario,
    nodes: HashMap<(u32, u32), NodeSpell>,
    racks: HashMap<u32, RackSeen>,
    power: HashMap<u32, Spell>,
    uplinks: HashMap<u32, Spell>,
    sites: HashMap<String, Spell>,
    /// By link name: its `from` site and its spells.
    links: HashMap<String, (String, Spell)>,
    /// By (site, rack model): when each lent spare comes back from repair.
    lent: HashMap<(String, String), Vec<f64>>,
}

impl Replay<'_> {
    /// The phase of `model` at `site` (one per pair in the fixture).
    fn phase(&self, site: &str, model: &str) -> &dcsim::world::config::Phase {
        let sc = self.scenario;
        let s = sc.world.sites.iter().find(|s| s.name == site).unwrap();
        let mut of_model = s
            .phases
            .iter()
            .filter(|p| sc.world.rack_types[p.rack_type].rack.name == model);
        let p = of_model.next().expect("a phase of the model");
        assert!(of_model.next().is_none(), "one phase per model and site");
        p
    }

    /// Commissioning time [h] of the racks of `model` at `site`: the planned
    /// date (the fixture has no delays and room on the grid; the test checks
    /// the build-out rows say so).
    fn commissioned(&self, site: &str, model: &str) -> f64 {
        self.phase(site, model).planned.hours()
    }

    /// Chips online at `site` at `t`.
    fn chips_online(&self, site: &str, t: f64) -> u64 {
        let sc = self.scenario;
        let s = sc.world.sites.iter().find(|s| s.name == site).unwrap();
        s.phases
            .iter()
            .filter(|p| p.planned.hours() <= t)
            .map(|p| u64::from(p.count) * u64::from(sc.world.rack_types[p.rack_type].rack.chips))
            .sum()
    }

    /// Nodes of rack `r` down at `t`.
    fn nodes_down(&self, r: u32, t: f64) -> u64 {
        self.nodes
            .values()
            .filter(|n| n.rack == r && n.spell.down_at(t))
            .count() as u64
    }

    /// Chips of the healthy nodes of rack `r` (what its power feeds).
    fn healthy_chips(&self, r: u32, t: f64) -> u64 {
        let rack = &self.racks[&r];
        (rack.nodes - self.nodes_down(r, t)) * rack.chips_per_node
    }

    /// Chips at `site` at `t`: (awaiting a swap, repaired in place, healthy
    /// but in a rack without power, healthy and powered).
    fn chips(&self, site: &str, t: f64) -> (u64, u64, u64, u64) {
        let down = |swap: bool| -> u64 {
            self.nodes
                .values()
                .filter(|n| n.site == site && n.swap == swap && n.spell.down_at(t))
                .map(|n| n.chips)
                .sum()
        };
        let (failed, in_place) = (down(true), down(false));
        let unpowered: u64 = self
            .power
            .iter()
            .filter(|(r, p)| self.racks[*r].site == site && p.down_at(t))
            .map(|(r, _)| self.healthy_chips(*r, t))
            .sum();
        let online = self.chips_online(site, t);
        (
            failed,
            in_place,
            unpowered,
            online - failed - in_place - unpowered,
        )
    }

    fn site_dark(&self, site: &str, t: f64) -> bool {
        self.sites.get(site).is_some_and(|s| s.down_at(t))
    }

    /// Spare nodes ready at `site` at `t`, over its rack models.
    fn spares_ready(&mut self, site: &str, t: f64) -> u64 {
        let sc = self.scenario;
        let s = sc.world.sites.iter().find(|s| s.name == site).unwrap();
        s.phases
            .iter()
            .filter(|p| p.planned.hours() <= t)
            .map(|p| {
                let model = sc.world.rack_types[p.rack_type].rack.name.clone();
                let lent = self
                    .lent
                    .get(&(site.to_string(), model))
                    .map_or(0, |l| l.iter().filter(|&&back| back > t).count());
                u64::from(p.spare_nodes) - lent as u64
            })
            .sum()
    }

    /// Checks one failure row against the timelines so far, then adds it.
    fn failure(&mut self, f: &FailureRow) {
        let sc = self.scenario;
        let t = f.time_h;
        let what = format!(
            "{} {} {} at {}",
            f.site,
            f.component,
            f.class.key(),
            f.timestamp
        );
        let remedy = remedy_of(f);
        // Failures strike only components at risk: nothing at a dark site
        // fails, except the inter-site links it ends.
        if f.class != FailureKind::DciLink {
            assert!(!self.site_dark(&f.site, t), "{what}: the site is dark");
        }
        let check_age = |since: f64| {
            assert_abs(f.age_h, t - since, HOUR_EPS, &format!("{what}: age"));
        };
        match parse_component(&f.component) {
            Named::Node(r, i) => {
                let rt = sc
                    .world
                    .rack_types
                    .iter()
                    .find(|rt| rt.rack.name == f.rack)
                    .unwrap();
                let cpn = u64::from(rt.rack.chips_per_node());
                self.see_rack(r, f, rt);
                assert!(
                    matches!(
                        f.class,
                        FailureKind::Gpu
                            | FailureKind::Hbm
                            | FailureKind::GpuOther
                            | FailureKind::Host
                            | FailureKind::Nic
                    ),
                    "{what}: not a node class"
                );
                assert_eq!(f.chips_down, cpn, "{what}: a node's chips go down");
                assert!(
                    !self.power.get(&r).is_some_and(|p| p.down_at(t)),
                    "{what}: the rack has no power"
                );
                let since = match self.nodes.get(&(r, i)) {
                    Some(n) => {
                        assert!(
                            t >= n.spell.until - HOUR_EPS,
                            "{what}: failed again while down until {} h",
                            n.spell.until
                        );
                        n.spell.back
                    }
                    None => self.commissioned(&f.site, &f.rack),
                };
                check_age(since);
                // The pool: a ready spare of the model at the site is
                // swapped in; the broken node is back in the pool after its
                // (fixed) repair.
                let repair = sc.world.failures[f.class.index()].repair.mean_hours();
                let spares = u64::from(self.phase(&f.site, &f.rack).spare_nodes);
                let lent = self
                    .lent
                    .entry((f.site.clone(), f.rack.clone()))
                    .or_default();
                lent.retain(|&back| back > t);
                let swap = (lent.len() as u64) < spares;
                if swap {
                    assert_eq!(remedy, "spare_swap", "{what}: a spare was ready");
                    assert_abs(f.downtime_h, sc.world.swap_time.hours(), HOUR_EPS, &what);
                    lent.push(t + repair);
                } else {
                    assert_eq!(remedy, "repair_in_place", "{what}: no spare ready");
                    assert_abs(f.downtime_h, repair, HOUR_EPS, &what);
                }
                self.nodes.insert(
                    (r, i),
                    NodeSpell {
                        site: f.site.clone(),
                        rack: r,
                        chips: cpn,
                        spell: Spell {
                            until: t + f.downtime_h,
                            back: t + f.downtime_h,
                        },
                        swap,
                    },
                );
            }
            Named::RackPower(r) => {
                let rt = sc
                    .world
                    .rack_types
                    .iter()
                    .find(|rt| rt.rack.name == f.rack)
                    .unwrap();
                self.see_rack(r, f, rt);
                assert_eq!(
                    (f.class, remedy.as_str()),
                    (FailureKind::RackPower, "rack_repair"),
                    "{what}"
                );
                // The rack's healthy nodes lose power; nodes already down
                // stay counted as they were.
                assert_eq!(f.chips_down, self.healthy_chips(r, t), "{what}: chips down");
                let since = self.renew(Target::Power, r, f, &what);
                check_age(since);
            }
            Named::Uplink(r) => {
                let rt = sc
                    .world
                    .rack_types
                    .iter()
                    .find(|rt| rt.rack.name == f.rack)
                    .unwrap();
                self.see_rack(r, f, rt);
                assert_eq!(
                    (f.class, remedy.as_str(), f.chips_down),
                    (FailureKind::SwitchCable, "link_repair", 0),
                    "{what}"
                );
                let since = self.renew(Target::Uplink, r, f, &what);
                check_age(since);
            }
            Named::Site => {
                assert_eq!(
                    (f.class, remedy.as_str(), f.rack.as_str()),
                    (FailureKind::SiteOutage, "site_restore", ""),
                    "{what}"
                );
                // Every healthy, powered chip of the site goes dark.
                assert_eq!(f.chips_down, self.chips(&f.site, t).3, "{what}: chips down");
                let since = self.sites.get(&f.site).map_or(0.0, |s| s.back);
                check_age(since);
                assert!(f.downtime_h > 0.0, "{what}");
                self.sites.insert(
                    f.site.clone(),
                    Spell {
                        until: t + f.downtime_h,
                        back: t + f.downtime_h,
                    },
                );
            }
            Named::Link(name) => {
                assert_eq!(
                    (f.class, remedy.as_str(), f.chips_down, f.rack.as_str()),
                    (FailureKind::DciLink, "link_repair", 0, ""),
                    "{what}"
                );
                // Logged at the link's `from` site.
                let link = &sc.world.links[0];
                assert_eq!(
                    name,
                    format!(
                        "{}-{}",
                        sc.world.sites[link.from].name, sc.world.sites[link.to].name
                    )
                );
                assert_eq!(f.site, sc.world.sites[link.from].name);
                let since = match self.links.get(&name) {
                    Some((_, s)) => {
                        assert!(t >= s.until - HOUR_EPS, "{what}: cut again while down");
                        s.back
                    }
                    None => 0.0,
                };
                check_age(since);
                assert!(f.downtime_h > 0.0, "{what}");
                self.links.insert(
                    name,
                    (
                        f.site.clone(),
                        Spell {
                            until: t + f.downtime_h,
                            back: t + f.downtime_h,
                        },
                    ),
                );
            }
        }
    }

    /// Records what a row says about rack `r`, and checks it never changes.
    fn see_rack(&mut self, r: u32, f: &FailureRow, rt: &dcsim::world::config::RackType) {
        let seen = RackSeen {
            site: f.site.clone(),
            model: f.rack.clone(),
            nodes: u64::from(rt.rack.nodes),
            chips_per_node: u64::from(rt.rack.chips_per_node()),
        };
        let old = self.racks.entry(r).or_insert_with(|| seen.clone());
        assert_eq!(*old, seen, "rack {r} changed site or model");
    }

    /// A rack's power or uplink fails: checks it was up, returns when it was
    /// last back in service (first at commissioning), starts its new spell.
    fn renew(&mut self, target: Target, r: u32, f: &FailureRow, what: &str) -> f64 {
        let commissioned = self.commissioned(&f.site, &f.rack);
        let map = match target {
            Target::Power => &mut self.power,
            Target::Uplink => &mut self.uplinks,
        };
        let since = match map.get(&r) {
            Some(s) => {
                assert!(
                    f.time_h >= s.until - HOUR_EPS,
                    "{what}: failed again while down until {} h",
                    s.until
                );
                s.back
            }
            None => commissioned,
        };
        assert!(f.downtime_h > 0.0, "{what}");
        map.insert(
            r,
            Spell {
                until: f.time_h + f.downtime_h,
                back: f.time_h + f.downtime_h,
            },
        );
        since
    }

    /// Checks a sample row against the timelines at its instant.
    fn sample(&mut self, r: &SampleRow) {
        let t = r.time_h;
        let what = format!("{} at {}", r.site, r.timestamp);
        let (failed, in_place, unpowered, powered) = self.chips(&r.site, t);
        let dark = self.site_dark(&r.site, t);
        assert_eq!(r.chips_online, self.chips_online(&r.site, t), "{what}");
        assert_eq!(r.chips_failed, failed, "{what}: chips awaiting a swap");
        assert_eq!(
            r.chips_healthy,
            if dark { 0 } else { powered },
            "{what}: healthy chips"
        );
        assert_eq!(
            r.chips_in_repair,
            in_place + unpowered + if dark { powered } else { 0 },
            "{what}: chips in repair"
        );
        assert_eq!(
            r.spare_nodes,
            self.spares_ready(&r.site, t),
            "{what}: spares"
        );
        let uplinks = self
            .uplinks
            .iter()
            .filter(|(rack, s)| self.racks[*rack].site == r.site && s.down_at(t))
            .count();
        let links = self
            .links
            .values()
            .filter(|(from, s)| *from == r.site && s.down_at(t))
            .count();
        assert_eq!(r.links_down as usize, uplinks + links, "{what}: links down");
    }
}

#[derive(Clone, Copy)]
enum Target {
    Power,
    Uplink,
}

/// Replays `failures_replay.toml`'s log, in time order and interleaved with
/// the hourly samples, into one timeline per component (node, rack power,
/// rack uplink, site, link) and the spare pools, and checks the model's
/// rules (README "Failures and repairs", `src/world/mod.rs`):
/// - a component never fails while it is down: its next failure comes after
///   time + downtime_h (for a spare swap the node is back after the swap
///   time; for every other remedy after the repair);
/// - only components at risk fail (every class here is exponential): no node
///   of a rack without power, nothing at a dark site but its link;
/// - `age_h` is the time since the component was last back in service, first
///   at its commissioning (the day-10 phase counts from day 10);
/// - `chips_down` is the node's chips for node classes (by its rack model),
///   the rack's healthy nodes' chips for rack power, the site's healthy
///   powered chips for an outage, 0 for uplinks and links;
/// - a spare is swapped in exactly when the pool has one ready; a lent
///   spare returns after the broken node's (fixed) repair;
/// - every sample's chip states, spares and links down follow from the
///   timelines, and its failure counts are the log's rows in its interval;
/// - the log's counts per class equal the summary's and the timeseries'.
#[test]
fn the_failures_log_replays_into_consistent_timelines() {
    let scenario = crate::internals::common::load("failures_replay.toml", &[]);
    let (rec, s) = crate::internals::common::run(&scenario);
    for b in &rec.buildout {
        assert_eq!(
            (b.status, b.delivered, b.commissioned),
            (PhaseOutcome::Commissioned, Some(b.planned), Some(b.planned)),
            "{} phase {}: commissioned on its planned date",
            b.site,
            b.phase
        );
    }
    let mut replay = Replay {
        scenario: &scenario,
        nodes: HashMap::new(),
        racks: HashMap::new(),
        power: HashMap::new(),
        uplinks: HashMap::new(),
        sites: HashMap::new(),
        links: HashMap::new(),
        lent: HashMap::new(),
    };
    let log = &rec.failures;
    for pair in log.windows(2) {
        assert!(pair[0].time_h <= pair[1].time_h, "the log is in time order");
    }
    let mut next = 0;
    let mut previous_sample: HashMap<&str, f64> = HashMap::new();
    for r in &rec.samples {
        // Failures before the sample instant (none falls on one: their
        // times are random microseconds).
        while next < log.len() && log[next].time_h < r.time_h {
            replay.failure(&log[next]);
            next += 1;
        }
        replay.sample(r);
        let since = previous_sample.insert(&r.site, r.time_h).unwrap_or(0.0);
        for k in FailureKind::ALL {
            let logged = log
                .iter()
                .filter(|f| {
                    f.site == r.site && f.class == k && since < f.time_h && f.time_h <= r.time_h
                })
                .count() as u64;
            assert_eq!(
                r.failures[k.index()],
                logged,
                "{} {} failures in the hour ending {}",
                r.site,
                k.key(),
                r.timestamp
            );
        }
    }
    while next < log.len() {
        replay.failure(&log[next]);
        next += 1;
    }

    // Counts per class: log = summary = Σ timeseries.
    for k in FailureKind::ALL {
        let logged = log.iter().filter(|f| f.class == k).count() as u64;
        let sampled: u64 = rec.samples.iter().map(|r| r.failures[k.index()]).sum();
        assert_eq!(logged, s.failures[k.index()], "{} in the summary", k.key());
        assert_eq!(logged, sampled, "{} in the timeseries", k.key());
        // The fixture exercises every class (about 9 to 31 each expected).
        assert!(logged >= 3, "{}: only {logged} failures", k.key());
    }
    // ... and every remedy, and a first failure of the day-10 phase.
    for remedy in [
        "spare_swap",
        "repair_in_place",
        "rack_repair",
        "link_repair",
        "site_restore",
    ] {
        assert!(
            log.iter().any(|f| remedy_of(f) == remedy),
            "no {remedy} in the log"
        );
    }
    assert!(log.iter().any(|f| f.rack == "solo"), "no solo failure");
    assert!(rec.samples.iter().any(|r| r.chips_failed > 0));
    assert!(
        rec.samples
            .iter()
            .any(|r| r.chips_online > 0 && r.chips_healthy == 0),
        "no site outage at a sample"
    );
}
