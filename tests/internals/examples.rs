//! Every example scenario in `scenarios/` validates and runs, and its
//! headline figures are what its comments promise; the failure counts of
//! each class are checked against rate × exposure (Poisson, 4σ).

use chrono::Datelike as _;
use std::path::{Path, PathBuf};

use dcsim::catalog::failures::{Basis, FailureKind};
use dcsim::output::memory::MemoryRecorder;
use dcsim::record::{BuildoutRow, CLASSES, FailureRow, Recorder, SampleRow, SummaryRow};
use dcsim::scenario::{Overrides, Scenario, load_file};
use dcsim::world::config::Lifetime;

fn example(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    load_file(&path, &Overrides::default()).unwrap_or_else(|e| panic!("{name}:\n{e}"))
}

fn run(s: &Scenario) -> MemoryRecorder {
    dcsim::sim::run(s, MemoryRecorder::default(), &mut |_| {}).0
}

fn phase<'a>(rows: &'a [BuildoutRow], site: &str, phase: usize) -> &'a BuildoutRow {
    rows.iter()
        .find(|r| r.site == site && r.phase == phase)
        .unwrap_or_else(|| panic!("no build-out row for {site} phase {phase}"))
}

#[test]
fn every_example_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = Vec::new();
    for folder in [dir.clone(), dir.join("plans")] {
        files.extend(
            std::fs::read_dir(&folder)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml")),
        );
    }
    files.sort();
    assert!(files.len() >= 14, "examples: {files:?}");
    for f in files {
        if let Err(e) = load_file(&f, &Overrides::default()) {
            panic!("{}:\n{e}", f.display());
        }
    }
}

#[test]
fn the_built_in_default_is_the_file() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml"),
    )
    .unwrap();
    assert_eq!(text, dcsim::scenario::DEFAULT_SCENARIO);
}

/// minimal.toml: 10 GB200 NVL72 racks at utilization 0.7 for 30 days.
#[test]
fn minimal_draws_the_hand_computed_power() {
    let s = example("minimal.toml");
    let rec = run(&s);
    let sum = rec.summary.as_ref().unwrap();
    assert_eq!(sum.racks_commissioned, 10);
    assert_eq!(sum.chips_online_at_end, 720);
    assert_eq!(rec.samples.len(), 720, "hourly samples for 30 days");
    // Whole rack: 33.6 kW overhead + 72 × (180 W + 0.7 × (1200 − 180) W)
    // = 33,600 + 72 × 894 = 97,968 W; ten racks = 0.97968 MW IT.
    let full: Vec<&SampleRow> = rec
        .samples
        .iter()
        .filter(|r| r.chips_healthy == 720)
        .collect();
    assert!(!full.is_empty());
    for r in &full {
        assert!((r.it_power_mw - 0.97968).abs() < 1e-9, "{}", r.it_power_mw);
        assert!((r.facility_power_mw - 0.97968 * 1.2).abs() < 1e-9);
    }
    // Failures only lower the draw: energy ≤ 0.97968 × 1.2 × 720 h = 846.44 MWh,
    // and at most a few racks' worth below it.
    assert!(sum.energy_mwh <= 0.97968 * 1.2 * 720.0 + 1e-6);
    assert!(
        sum.energy_mwh > 0.97968 * 1.2 * 720.0 * 0.98,
        "{}",
        sum.energy_mwh
    );
    // Flat $60/MWh and 400 kg/MWh.
    assert!((sum.energy_cost_usd - 60.0 * sum.energy_mwh).abs() < 1e-6 * sum.energy_cost_usd);
    assert!((sum.carbon_tco2e - 0.4 * sum.energy_mwh).abs() < 1e-9 * sum.carbon_tco2e);
}

/// two-sites.toml: ohio's GB300 phase waits for the 1 Oct 2026 grid upgrade;
/// texas is capped in summer only.
#[test]
fn two_sites_defers_until_the_upgrade_and_caps_in_summer() {
    let s = example("two-sites.toml");
    let rec = run(&s);
    let gb300 = phase(&rec.buildout, "ohio", 1);
    assert_eq!(gb300.delivered, chrono::NaiveDate::from_ymd_opt(2026, 6, 1));
    assert_eq!(
        gb300.commissioned,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
    );
    assert_eq!(gb300.status, "commissioned");
    // 1 June to 1 October: 30 + 31 + 31 + 30 = 122 days.
    assert!((gb300.deferred_days - 122.0).abs() < 1e-9);
    // The H100 phase, delivered 1 Aug, waits behind it (commissioned in order).
    let h100 = phase(&rec.buildout, "ohio", 2);
    assert_eq!(
        h100.commissioned,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
    );
    assert!((h100.deferred_days - 61.0).abs() < 1e-9);
    for r in rec.samples.iter().filter(|r| r.site == "ohio") {
        let day = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, d, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        };
        let in_window = r.timestamp >= day(6) && r.timestamp < day(10);
        let after_aug = r.timestamp >= day(8);
        let expected = match (in_window, after_aug) {
            (true, false) => 200,
            (true, true) => 300,
            _ => 0,
        };
        assert_eq!(r.racks_deferred, expected, "{}", r.timestamp);
    }
    let mut capped_months = std::collections::BTreeSet::new();
    for r in rec.samples.iter().filter(|r| r.site == "texas") {
        assert!(
            r.facility_power_mw <= r.grid_mw * (1.0 + 1e-9),
            "{}",
            r.timestamp
        );
        if r.power_cap_factor < 1.0 {
            capped_months.insert(format!("{:02}", r.timestamp.month()));
        }
    }
    // PUE ≥ 1.27 (May to September at texas) is what pushes it over 34 MW.
    assert!(!capped_months.is_empty());
    for m in &capped_months {
        assert!(
            ["05", "06", "07", "08", "09"].contains(&m.as_str()),
            "capped in month {m}"
        );
    }
    let sum = rec.summary.as_ref().unwrap();
    assert!(sum.throttled_chip_hours > 0.0);
    assert_eq!(sum.racks_commissioned, 1000);
    assert!(rec.failures.iter().any(|f| f.remedy == "spare_swap"));
    assert_eq!(rec.failures.len() as u64, sum.failures_total());
}

/// Counts rows instead of keeping them: the scale scenario writes 245k.
#[derive(Default)]
struct Counting {
    samples: u64,
    max_chips: u64,
    summary: Option<SummaryRow>,
    buildout: Vec<BuildoutRow>,
}

impl Recorder for Counting {
    fn sample(&mut self, row: &SampleRow) {
        self.samples += 1;
        assert_eq!(
            row.chips_online,
            row.chips_healthy + row.chips_failed + row.chips_in_repair + row.chips_maintenance
        );
        self.max_chips = self.max_chips.max(row.chips_online);
    }
    fn failure(&mut self, _: &FailureRow) {}
    fn buildout(&mut self, row: &BuildoutRow) {
        self.buildout.push(row.clone());
    }
    fn summary(&mut self, row: &SummaryRow) {
        self.summary = Some(row.clone());
    }
}

/// scale-400k.toml: 416,000 chips at peak, the H100s retired after 5 years.
#[test]
fn scale_scenario_reaches_416k_chips_and_retires_the_h100s() {
    let s = example("scale-400k.toml");
    let (rec, sum) = dcsim::sim::run(&s, Counting::default(), &mut |_| {});
    // 2,000 × 72 + 2,000 × 72 + 2,000 × 32 + 1,000 × 64 = 416,000.
    assert_eq!(sum.peak_chips_online, 416_000);
    // Seven calendar years from 2026-01-01 (two leap days): 2,557 days of
    // hourly samples at four sites.
    assert_eq!(rec.samples, 2_557 * 24 * 4);
    // East's 64,000 H100 chips retire five years after commissioning.
    assert_eq!(sum.chips_online_at_end, 416_000 - 64_000);
    assert_eq!(sum.racks_commissioned, 7_000);
    assert!(rec.buildout.iter().all(|b| b.status == "commissioned"));
    // Failure counts: scale_failure_counts_match_rate_times_exposure.
    assert!(sum.availability > 0.99 && sum.availability < 1.0);
}

/// The commented example that opens docs/scenarios.md is a valid scenario
/// (its `[[chips]]` and `[[racks]]` included).
#[test]
fn the_scenario_files_page_example_validates() {
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenarios.md"))
            .unwrap();
    let start = page.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = page[start..].find("```").unwrap() + start;
    let s = dcsim::scenario::load_str(
        "docs/scenarios.md example",
        &page[start..end],
        None,
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.world.sites.len(), 2);
    assert!(s.catalog.rack("my-h100-rack").is_some());
    assert_eq!(s.catalog.chip("h100").unwrap().tdp.0, 650.0);
}

// ----- failure counts against rate × exposure ------------------------------

/// A sample reduced to what the exposures need.
#[derive(Clone, Copy, Debug)]
struct Point {
    t: f64,
    online: u64,
    healthy: u64,
    racks: u32,
}

/// Per site: what the failure rows add to the exposures.
#[derive(Clone, Debug, Default)]
struct Struck {
    count: [u64; CLASSES],
    /// Σ chips_down over every failure.
    chips_down: u64,
    /// Σ downtime within the run [h], by class.
    down_h: [f64; CLASSES],
    /// Σ downtime within the run × chips of the rack [chip-h], by class
    /// (rack power and uplinks).
    down_chip_h: [f64; CLASSES],
}

/// Keeps the samples by site (compactly), tallies the failure rows, and
/// keeps the build-out: enough for the exposures of a seven-year run.
struct Tally<'s> {
    scenario: &'s Scenario,
    points: Vec<Vec<Point>>,
    struck: Vec<Struck>,
    buildout: Vec<BuildoutRow>,
    summary: Option<SummaryRow>,
}

impl<'s> Tally<'s> {
    fn new(scenario: &'s Scenario) -> Self {
        let n = scenario.world.sites.len();
        Tally {
            scenario,
            points: vec![Vec::new(); n],
            struck: vec![Struck::default(); n],
            buildout: Vec::new(),
            summary: None,
        }
    }

    fn site(&self, name: &str) -> usize {
        self.scenario
            .world
            .sites
            .iter()
            .position(|s| s.name == name)
            .unwrap()
    }
}

impl Recorder for Tally<'_> {
    fn sample(&mut self, row: &SampleRow) {
        let i = self.site(&row.site);
        self.points[i].push(Point {
            t: row.time_h,
            online: row.chips_online,
            healthy: row.chips_healthy,
            racks: row.racks_online,
        });
    }
    fn failure(&mut self, row: &FailureRow) {
        let sc = self.scenario;
        let i = self.site(&row.site);
        let down = row.downtime_h.min(sc.run.end.hours() - row.time_h);
        let rack_chips = sc
            .world
            .rack_types
            .iter()
            .find(|rt| rt.rack.name == row.rack)
            .map_or(0, |rt| rt.rack.chips);
        let k = row.class.index();
        let s = &mut self.struck[i];
        s.count[k] += 1;
        s.chips_down += row.chips_down;
        s.down_h[k] += down;
        s.down_chip_h[k] += down * f64::from(rack_chips);
    }
    fn buildout(&mut self, row: &BuildoutRow) {
        self.buildout.push(row.clone());
    }
    fn summary(&mut self, row: &SummaryRow) {
        self.summary = Some(row.clone());
    }
}

/// Hours from the start to a `YYYY-MM-DD` date's midnight.
fn hours_to(scenario: &Scenario, d: chrono::NaiveDate) -> f64 {
    (d - scenario.run.calendar.start()).num_days() as f64 * 24.0
}

/// A range `[lo, hi]` that holds the expected count for sure.
#[derive(Clone, Copy, Debug, Default)]
struct Expected {
    lo: f64,
    hi: f64,
}

/// The expected number of failures of each exponential class, as a range:
/// rate × exposure, where the exposure counts only components at risk
/// (README "Failures and repairs": healthy powered nodes, powered racks, the
/// uplinks of online racks, sites that are up, links that are up; every
/// risk stops while the site is dark, but a link's). Exposures come from the
/// hourly samples, whose right-endpoint sums `Σ x(tᵢ) Δᵢ` differ from the
/// integrals `∫ x dt` by at most `max Δ × (total variation of x)`; the total
/// variation is bounded from the failure rows (each failure moves a count
/// down by at most its `chips_down`, and back up once) and the build-out.
/// Where a site has rack models of different weights (two-sites' ohio: 4-
/// and 8-chip nodes), its healthy chips are split over the models in
/// proportion to their online chips, off by at most its unhealthy chips.
/// So each range surely holds the expected count; it is narrow (under 1 %
/// of it, asserted; under 0.14 % in the two large runs) next to the Poisson
/// 4σ.
///
/// Weibull classes are `None`: their count over a run is a renewal count
/// with no closed form (their shape is tested in `failures.rs`).
fn expected_failures(tally: &Tally) -> [Option<Expected>; CLASSES] {
    let sc = tally.scenario;
    let end = sc.run.end.hours();
    let mut out = [None; CLASSES];
    for k in FailureKind::ALL {
        let class = &sc.world.failures[k.index()];
        if class.lifetime != Lifetime::Exponential {
            continue;
        }
        // Rate per component-hour; for the chip classes, per chip of each
        // rack model (the catalog figure unless the scenario sets one).
        let rate = |rt: &dcsim::world::config::RackType| rt.failure_rates[k.index()];
        let mut e = Expected::default();
        for (si, site) in sc.world.sites.iter().enumerate() {
            let points = &tally.points[si];
            let struck = &tally.struck[si];
            let outages = struck.count[FailureKind::SiteOutage.index()] as f64;
            let max_dt = points
                .iter()
                .scan(0.0, |prev, p| {
                    let dt = p.t - *prev;
                    *prev = p.t;
                    Some(dt)
                })
                .fold(0.0, f64::max);
            let peak_chips = points.iter().map(|p| p.online).max().unwrap_or(0) as f64;
            let peak_racks = points.iter().map(|p| p.racks).max().unwrap_or(0) as f64;
            // Each phase online from its commissioning (a midnight: checked
            // below against the samples) until its end of life.
            let phases: Vec<(usize, f64, f64)> = site
                .phases
                .iter()
                .enumerate()
                .filter_map(|(pi, p)| {
                    let b = tally
                        .buildout
                        .iter()
                        .find(|b| b.site == site.name && b.phase == pi)
                        .unwrap();
                    (b.status == "commissioned").then(|| {
                        let from = hours_to(sc, b.commissioned.unwrap());
                        let to = p.end_of_life.map_or(f64::INFINITY, |l| from + l.hours());
                        (pi, from, to)
                    })
                })
                .collect();
            let retired_chips: f64 = phases
                .iter()
                .filter(|(_, _, to)| *to < end)
                .map(|(pi, _, _)| {
                    let p = &site.phases[*pi];
                    f64::from(p.count) * f64::from(sc.world.rack_types[p.rack_type].rack.chips)
                })
                .sum();
            let commissioned_racks: f64 = phases
                .iter()
                .map(|(pi, _, _)| f64::from(site.phases[*pi].count))
                .sum();
            let commissioned_chips: f64 = phases
                .iter()
                .map(|(pi, _, _)| {
                    let p = &site.phases[*pi];
                    f64::from(p.count) * f64::from(sc.world.rack_types[p.rack_type].rack.chips)
                })
                .sum();
            // Total variation of the healthy chips: every fall is a failure
            // (≤ its chips_down) or a retirement, every rise undoes a fall
            // or is a commissioning.
            let tv_healthy = 2.0 * (struck.chips_down as f64 + retired_chips) + peak_chips;
            // ... of the chips (racks) of online racks at a site that is up:
            // commissioning, retirement, and each outage's start and end.
            let tv_up_chips = commissioned_chips + retired_chips + 2.0 * outages * peak_chips;
            let tv_up_racks = 2.0 * commissioned_racks + 2.0 * outages * peak_racks;
            let dark = |p: &Point| p.online > 0 && p.healthy == 0;
            // Chip and node classes: Σ over rack models of weight × healthy
            // chips, the weight being the rate per chip (chip classes) or
            // per node ÷ chips per node (node classes).
            let weight = |rt: &dcsim::world::config::RackType| match k.basis() {
                Basis::Chip => rate(rt),
                _ => rate(rt) / f64::from(rt.rack.chips_per_node()),
            };
            let mut weights: Vec<f64> = site
                .phases
                .iter()
                .map(|p| weight(&sc.world.rack_types[p.rack_type]))
                .collect();
            weights.sort_by(f64::total_cmp);
            weights.dedup();
            let same_weight = (weights.len() == 1).then(|| weights[0]);
            let w_max = weights.iter().copied().fold(0.0, f64::max);
            let mut prev = 0.0;
            let mut sum = 0.0; // right-endpoint sum of the at-risk measure
            let mut split = 0.0; // bound of the error of splitting by model
            for p in points {
                let dt = p.t - prev;
                prev = p.t;
                sum += dt
                    * match k.basis() {
                        Basis::Chip | Basis::Node => {
                            if p.online == 0 {
                                0.0
                            } else if let Some(w) = same_weight {
                                w * p.healthy as f64
                            } else {
                                // Several weights: split the healthy chips over
                                // the rack models in proportion to their online
                                // chips; off by at most the unhealthy chips ×
                                // the spread of the weights.
                                let online: Vec<(f64, f64)> = phases
                                    .iter()
                                    .filter(|(_, from, to)| *from <= p.t && p.t < *to)
                                    .map(|(pi, _, _)| {
                                        let ph = &site.phases[*pi];
                                        let rt = &sc.world.rack_types[ph.rack_type];
                                        (weight(rt), f64::from(ph.count) * f64::from(rt.rack.chips))
                                    })
                                    .collect();
                                let total: f64 = online.iter().map(|o| o.1).sum();
                                assert_eq!(
                                    total, p.online as f64,
                                    "{} at {} h: the phases online do not add up",
                                    site.name, p.t
                                );
                                let (w_min, w_max) =
                                    online.iter().fold((f64::INFINITY, 0.0_f64), |(a, b), o| {
                                        (a.min(o.0), b.max(o.0))
                                    });
                                split += dt * (p.online - p.healthy) as f64 * (w_max - w_min);
                                let share = p.healthy as f64 / p.online as f64;
                                online.iter().map(|(w, c)| w * c * share).sum::<f64>()
                            }
                        }
                        Basis::RackUplink | Basis::Rack => {
                            let per = match k.basis() {
                                Basis::RackUplink => p.online as f64, // chips of online racks
                                _ => f64::from(p.racks),
                            };
                            if dark(p) {
                                0.0
                            } else {
                                per * class.rate_per_hour
                            }
                        }
                        Basis::Site | Basis::Link => 0.0,
                    };
            }
            let (lo, hi) = match k.basis() {
                Basis::Chip | Basis::Node => {
                    let slack = max_dt * tv_healthy * w_max + split;
                    (sum - slack, sum + slack)
                }
                Basis::RackUplink => {
                    // Uplinks of racks without power may or may not be at
                    // risk (issue 6 item 8): either is inside the range.
                    let lam = class.rate_per_hour;
                    let slack = max_dt * tv_up_chips * lam;
                    let down = struck.down_chip_h[k.index()]
                        + struck.down_chip_h[FailureKind::RackPower.index()];
                    (sum - slack - lam * down, sum + slack)
                }
                Basis::Rack => {
                    let lam = class.rate_per_hour;
                    let slack = max_dt * tv_up_racks * lam;
                    (sum - slack - lam * struck.down_h[k.index()], sum + slack)
                }
                // Sites are at risk from the start, racks or not.
                Basis::Site => {
                    let lam = class.rate_per_hour;
                    (lam * (end - struck.down_h[k.index()]), lam * end)
                }
                Basis::Link => (0.0, 0.0),
            };
            e.lo += lo.max(0.0);
            e.hi += hi;
        }
        if k.basis() == Basis::Link {
            // Each link is at risk while up; logged at its `from` site.
            let lam = class.rate_per_hour;
            let down: f64 = tally.struck.iter().map(|s| s.down_h[k.index()]).sum();
            let links = sc.world.links.len() as f64;
            e.lo = lam * (links * end - down);
            e.hi = lam * links * end;
        }
        out[k.index()] = Some(e);
    }
    out
}

/// Runs an example with the failure rows on (they only add rows: the draws
/// are the same) and checks each exponential class's count within 4σ of
/// its expected range, σ = √(expected) (Poisson). For the expectations
/// below 1 of the 30-day minimal example the band is in effect one-sided
/// (0 or 1 failure passes), a weak but honest check.
fn check_failure_counts(name: &str) -> [Option<Expected>; CLASSES] {
    let mut scenario = example(name);
    scenario.world.failures_log = true;
    let (tally, summary) = dcsim::sim::run(&scenario, Tally::new(&scenario), &mut |_| {});
    let expected = expected_failures(&tally);
    for k in FailureKind::ALL {
        let n = summary.failures[k.index()];
        let logged: u64 = tally.struck.iter().map(|s| s.count[k.index()]).sum();
        assert_eq!(n, logged, "{name}: {} rows vs the summary", k.key());
        let Some(e) = expected[k.index()] else {
            continue;
        };
        let sigma = e.hi.sqrt();
        assert!(
            e.lo - 4.0 * sigma <= n as f64 && n as f64 <= e.hi + 4.0 * sigma,
            "{name}: {n} {} failures, expected {:.1} to {:.1} ± 4σ = {:.1}",
            k.key(),
            e.lo,
            e.hi,
            4.0 * sigma
        );
        // The ranges are tight: the check is the Poisson law, not slack.
        assert!(
            e.hi - e.lo <= 0.01 * e.hi + 1e-9,
            "{name}: {} exposure range {:.1} to {:.1} is loose",
            k.key(),
            e.lo,
            e.hi
        );
    }
    expected
}

#[test]
fn minimal_failure_counts_match_rate_times_exposure() {
    check_failure_counts("minimal.toml");
}

#[test]
fn two_sites_failure_counts_match_rate_times_exposure() {
    check_failure_counts("two-sites.toml");
}

#[test]
fn scale_failure_counts_match_rate_times_exposure() {
    check_failure_counts("scale-400k.toml");
}

#[test]
fn training_example_completes_its_runs_with_the_promised_figures() {
    let s = example("training.toml");
    let rec = run(&s);
    assert!(rec.jobs.len() > 30, "a Poisson stream of about 49 jobs");
    assert!(
        rec.jobs.iter().all(|j| j.status == "completed"),
        "{:?}",
        rec.jobs
    );
    let pretrain = &rec.jobs[0];
    // 3.79e25 FLOP at 16,128 × 2.5e15 × 0.4 × 0.804 (the all-reduce's share
    // of a step, in the scenario's header) = 33.8 days of compute, plus
    // checkpoints, lost work, swaps and restarts.
    let ettr = pretrain.ettr.unwrap();
    assert!((0.65..0.8).contains(&ettr), "ETTR {ettr}");
    // About 0.37 interruptions an hour over about 1,100 h.
    let n = pretrain.interruptions_total();
    assert!((330..500).contains(&n), "{n} interruptions");
    let software = pretrain.interruptions[dcsim::record::Interruption::Software.index()];
    assert!(
        (70..150).contains(&software),
        "{software} software interruptions"
    );
    let end_days = pretrain.end_h.unwrap() / 24.0;
    assert!((40.0..55.0).contains(&end_days), "ends on day {end_days}");
    assert_eq!(pretrain.tokens_trained, Some(15.6e12));
    assert!(
        rec.jobs.iter().any(|j| j.queue_wait_h > 12.0),
        "fine-tuning jobs queue for the racks the pre-training run leaves"
    );
}

/// default.toml: two frontier runs and four Poisson streams keep the fleet
/// busy (65–77% of the online GPUs held by jobs each full year, seed 1)
/// without a runaway queue, as its header comment says, and the books show
/// the $38B contract.
#[test]
fn the_default_workload_keeps_the_fleet_busy_without_a_runaway_queue() {
    let s = dcsim::scenario::load_str(
        "default.toml",
        dcsim::scenario::DEFAULT_SCENARIO,
        None,
        &Overrides::default(),
    )
    .unwrap();
    // Two named runs, then each stream's draws: Poisson of mean rate ×
    // window, here summed over the four streams (days from each `from` to
    // 2032-11-01), within 4σ.
    assert_eq!(s.training.jobs[0].name, "frontier-a");
    assert_eq!(s.training.jobs[1].name, "frontier-b");
    let days = |from: &str| {
        let d = chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap();
        (chrono::NaiveDate::from_ymd_opt(2032, 11, 1).unwrap() - d).num_days() as f64
    };
    let expected = 0.05 * days("2026-06-01")
        + 5.5 * days("2026-01-01")
        + 0.1 * days("2026-07-01")
        + 5.5 * days("2026-07-01");
    let drawn = (s.training.jobs.len() - 2) as f64;
    assert!(
        (drawn - expected).abs() <= 4.0 * expected.sqrt(),
        "{drawn} jobs drawn, {expected:.0} expected"
    );

    let rec = run(&s);
    // Held share of the online GPUs per calendar year (2027 to 2031, full
    // years after the build-out), from the daily samples: training jobs
    // alone, and with the chat service's replicas.
    let mut years: std::collections::BTreeMap<i32, (f64, f64, f64)> = Default::default();
    for r in &rec.samples {
        let held = r.training.as_ref().unwrap().chips as f64;
        let y = years.entry(r.timestamp.year()).or_default();
        y.0 += held;
        y.2 += r.chips_online as f64;
    }
    for r in &rec.services {
        years.get_mut(&r.timestamp.year()).unwrap().1 += r.chips as f64;
    }
    for year in 2027..=2031 {
        let (training, serving, online) = years[&year];
        let share = training / online;
        assert!((0.6..0.85).contains(&share), "{year}: {share:.3} held");
        let busy = (training + serving) / online;
        assert!(
            (0.63..0.9).contains(&busy),
            "{year}: {busy:.3} held with chat"
        );
    }
    // The money: the $38B contract, billed in full over its term, and the
    // provider's books (seed 1: payback in the last months of the run,
    // every IRR below the 8 % cost of capital).
    let sum = rec.summary.as_ref().unwrap();
    let e = sum.economics.as_ref().expect("the default keeps books");
    assert!(
        (e.contract_value_usd - 38e9).abs() < 1.0,
        "{}",
        e.contract_value_usd
    );
    assert!(
        (e.contract_revenue_usd - 38e9).abs() < 1.0,
        "{}",
        e.contract_revenue_usd
    );
    let c = &rec.contracts[0];
    assert!(c.price_derived);
    assert!((2.0..2.4).contains(&c.price), "${}/GPU-hour", c.price);
    assert!((c.committed_hours * c.price - 38e9).abs() < 1.0);
    assert!((20e9..35e9).contains(&e.capex_usd), "capex {}", e.capex_usd);
    assert!(e.sla_credits_usd >= 0.0 && e.sla_credits_usd < 0.02 * 38e9);
    assert!((0.0..0.08).contains(&e.irr.unwrap()), "IRR {:?}", e.irr);
    assert!(e.npv_usd < 0.0);
    let payback = e.payback_month.unwrap().to_string();
    assert!(
        ("2030-01".."2032-11").contains(&payback.as_str()),
        "{payback}"
    );
    assert_eq!(rec.monthly.len(), 84, "seven years of months");
    // Unit economics: a cost per chip-hour between the energy alone and
    // the price, and the workloads' shares per token and FLOP.
    let per_chip_hour = e.cost_per_chip_hour_usd.unwrap();
    assert!((0.5..c.price).contains(&per_chip_hour), "{per_chip_hour}");
    for x in [
        e.cost_per_million_tokens_trained_usd,
        e.cost_per_exaflop_trained_usd,
        e.cost_per_million_tokens_served_usd,
        e.revenue_per_mw_year_usd,
        e.gross_margin,
    ] {
        assert!(x.is_some_and(|x| x.is_finite() && x > 0.0), "{e:?}");
    }
    assert!(rec.monthly[0].capex_usd == 0.0 && rec.monthly[1].capex_usd > 0.0);
    // The assumptions the file states (issue 22 item 7): the four opex
    // lines, each booked, with an EBITDA margin between the 62–64 % public
    // GPU clouds report and the 84 % without the lines; US federal tax at
    // 21 %; the book value left as the terminal value, named, with the NPV
    // shown with and without it (seed 1: after tax with it about −$3.1B,
    // IRR about 3.8 %).
    let lines = e.opex_lines_usd.expect("the default states its opex lines");
    assert!(lines.iter().all(|&x| x > 0.0), "{lines:?}");
    let margin = e.ebitda_margin.unwrap();
    assert!((0.6..0.8).contains(&margin), "EBITDA margin {margin}");
    let tax = e.tax.as_ref().expect("the default is taxed");
    assert_eq!(tax.rate, 0.21);
    assert!(tax.income_tax_usd > 0.0 && tax.npv_usd < e.npv_usd);
    let t = e
        .terminal
        .as_ref()
        .expect("the default states its terminal value");
    assert_eq!(t.treatment.key(), "book_value");
    assert_eq!(t.value_usd, e.book_value_usd);
    assert!(t.npv_usd > e.npv_usd);
    let after = t.after_tax_npv_usd.unwrap();
    assert!(
        (-5e9..0.0).contains(&after),
        "after-tax NPV with terminal {after}"
    );
    let irr = t.after_tax_irr.unwrap();
    assert!(
        (0.0..0.08).contains(&irr),
        "after-tax IRR with terminal {irr}"
    );
    // No runaway queue: waits of hours on average, almost every job done.
    let t = sum.training.as_ref().unwrap();
    assert!(t.queue_wait_mean_h < 24.0, "{}", t.queue_wait_mean_h);
    assert!(
        t.jobs_completed as f64 > 0.99 * t.jobs as f64,
        "{} of {}",
        t.jobs_completed,
        t.jobs
    );
    assert!(!rec.jobs.iter().any(|j| j.status == "queued_at_end"));
    // The frontier runs complete, slowed by interruptions about every hour:
    // 43,200 GB300 chips × 12.6 per 10⁶ chip-hours (gpu, hbm, gpu_other)
    // + 10,800 nodes × 43.7 per 10⁶ node-hours (host, nic, software) + 600
    // racks × (11.4 + 72 × 1.65) per 10⁶ rack-hours = 0.54 + 0.47 + 0.08
    // ≈ 1.1 an hour while it runs (frontier-a, 28,800 chips: 0.73).
    for (j, per_hour) in rec.jobs[..2].iter().zip([0.73, 1.1]) {
        assert_eq!(j.status, "completed", "{j:?}");
        // The scenario's comment on the run names the site it runs at
        // (issue 18 item 8: frontier-a's said us-east's, it ran at
        // us-central).
        let line = dcsim::scenario::DEFAULT_SCENARIO
            .lines()
            .find(|l| l.starts_with(&format!("name = \"{}\"", j.name)))
            .expect("the run's line");
        let said = ["us-east", "us-central", "us-south"]
            .into_iter()
            .find(|site| line.contains(&format!("on {site}'s")))
            .unwrap_or_else(|| panic!("no site in the comment: {line}"));
        assert_eq!(said, j.site, "{line}");
        let ettr = j.ettr.unwrap();
        assert!((0.45..0.8).contains(&ettr), "{}: ETTR {ettr}", j.name);
        let span_h = j.end_h.unwrap() - j.first_start_h.unwrap();
        let every_h = span_h / j.interruptions_total() as f64;
        // Waiting for repairs stretches the span a little beyond 1 / rate.
        assert!(
            (0.9 / per_hour..1.6 / per_hour).contains(&every_h),
            "{}: every {every_h} h",
            j.name
        );
    }
}

/// scale-400k-training.toml is scale-400k.toml plus jobs: without its jobs
/// (the physical run `dcsim bench training` compares against) the two
/// scenarios are the same.
#[test]
fn the_training_benchmark_is_scale_400k_plus_jobs() {
    let plain = example("scale-400k.toml");
    let with_jobs = example("scale-400k-training.toml");
    let physical = crate::cli::bench::training::physical_of(&with_jobs);
    assert!(physical.training.jobs.is_empty());
    for (a, b) in [
        (
            format!("{:?}", plain.world.sites),
            format!("{:?}", physical.world.sites),
        ),
        (
            format!("{:?}", plain.world.rack_types),
            format!("{:?}", physical.world.rack_types),
        ),
        (
            format!("{:?}", plain.world.links),
            format!("{:?}", physical.world.links),
        ),
        (
            format!("{:?}", plain.world.failures),
            format!("{:?}", physical.world.failures),
        ),
    ] {
        assert_eq!(a, b);
    }
    assert_eq!(
        (
            plain.run.seed,
            plain.run.end,
            plain.run.sample_every,
            plain.world.utilization
        ),
        (
            physical.run.seed,
            physical.run.end,
            physical.run.sample_every,
            physical.world.utilization
        )
    );
    assert_eq!(plain.world.swap_time, physical.world.swap_time);
    // The issue-8 workload: thousands of jobs, some of 10,000+ chips.
    let n = with_jobs.training.jobs.len();
    assert!((15_000..25_000).contains(&n), "{n} jobs");
    assert!(
        with_jobs
            .training
            .jobs
            .iter()
            .filter(|j| j.chips >= 10_000)
            .count()
            >= 50
    );
}

#[test]
fn inference_example_shows_growth_autoscaling_and_preemption() {
    let s = example("inference.toml");
    assert_eq!(s.serving.services.len(), 3);
    let rec = run(&s);
    let chat: Vec<_> = rec
        .services
        .iter()
        .filter(|r| r.service.as_str() == "chat")
        .collect();
    // Daily rows for seven years; demand grows 35% a year: the last year's
    // mean demand is about 1.35^6.5 ≈ 7 times the first year's.
    assert_eq!(chat.len(), 2557);
    let mean = |rows: &[&dcsim::record::ServiceRow]| {
        rows.iter().map(|r| r.demand_rps).sum::<f64>() / rows.len() as f64
    };
    let growth = mean(&chat[chat.len() - 365..]) / mean(&chat[..365]);
    assert!((5.5..9.0).contains(&growth), "{growth}");
    // The autoscaler follows: more replicas at the end than at the start.
    assert!(chat.last().unwrap().replicas > 5 * chat[0].replicas);
    // Preemptions happen and the preempted jobs count them.
    let preemptions: u32 = chat.iter().map(|r| r.preemptions).sum();
    assert!(preemptions > 0);
    let preempted: u64 = rec
        .jobs
        .iter()
        .map(|j| j.interruptions[dcsim::record::Interruption::Preempted.index()])
        .sum();
    assert_eq!(preempted, u64::from(preemptions));
    // Nothing is lost silently: arrivals = served + beyond capacity.
    for sum in &rec.service_summaries {
        assert!(
            (sum.requests - sum.served - sum.beyond_capacity).abs() < 1e-6 * sum.requests,
            "{sum:?}"
        );
        assert!(sum.slo_attainment > 0.9, "{sum:?}");
    }
}

/// student-intro.toml: the lesson's figures by hand.
#[test]
fn the_student_lesson_adds_up() {
    let s = example("student-intro.toml");
    let rec = run(&s);
    let e = rec.summary.as_ref().unwrap().economics.clone().unwrap();
    // 8 racks × $3.4M × 1.15 (network) + 8 × 120 kW × $11.7M/MW (hall).
    let capex = 8.0 * 3.4e6 * 1.15 + 8.0 * 0.120 * 11.7e6;
    assert!(
        (e.capex_usd - capex).abs() < 1.0,
        "{} vs {capex}",
        e.capex_usd
    );
    // 540 GPUs × $2.50 × 8,760 h, take or pay.
    assert!((e.contract_revenue_usd - 540.0 * 2.5 * 8760.0).abs() < 1e-3);
    assert_eq!(rec.monthly.len(), 12);
    // One year cannot pay back a hall: EBIT is positive, cash is not.
    assert!(e.ebit_usd > 0.0 && e.net_cash_usd < 0.0);
    assert_eq!(e.payback_month, None);
    // Depreciation: servers and network over 6 years, the hall over 20.
    let dep = 8.0 * 3.4e6 * 1.15 / 6.0 + 8.0 * 0.120 * 11.7e6 / 20.0;
    assert!(
        (e.depreciation_usd - dep).abs() < 1.0,
        "{}",
        e.depreciation_usd
    );
}

/// The build-out plans extend one base and differ where their comments
/// say: a late grid costs SLA credits and NPV; a 5-year life moves EBIT,
/// not cash; a second site with cheaper power lowers the energy bill.
#[test]
fn the_build_out_plans_differ_where_they_say() {
    let plan = |name: &str| {
        let s = example(&format!("plans/{name}"));
        run(&s).summary.unwrap()
    };
    let base = plan("base.toml");
    let late = plan("grid-late.toml");
    let life = plan("life-5y.toml");
    let two = plan("two-sites.toml");
    let (b, l, f, t) = (
        base.economics.as_ref().unwrap(),
        late.economics.as_ref().unwrap(),
        life.economics.as_ref().unwrap(),
        two.economics.as_ref().unwrap(),
    );
    assert_eq!(b.sla_credits_usd, 0.0);
    assert!(
        l.sla_credits_usd > 0.1 * b.revenue_usd,
        "{}",
        l.sla_credits_usd
    );
    assert!(l.npv_usd < b.npv_usd - 0.5e9);
    assert!(b.payback_month.is_some() && b.irr.unwrap() > b.discount_rate);
    // Same cash, more depreciation.
    assert_eq!(f.net_cash_usd, b.net_cash_usd);
    assert_eq!(f.npv_usd, b.npv_usd);
    assert!(f.depreciation_usd > b.depreciation_usd && f.ebit_usd < b.ebit_usd);
    // Same chips and contract; cheaper energy.
    assert_eq!(two.sites, 2);
    assert_eq!(two.peak_chips_online, base.peak_chips_online);
    assert!(two.energy_cost_usd < base.energy_cost_usd);
    assert_eq!(t.contract_revenue_usd, b.contract_revenue_usd);
}

/// plans/refresh.toml: the first delivery's 400 GB300 racks retire three
/// years after commissioning (2026-03 to 2029-03: 36 of their 72 months
/// depreciated) and are replaced by 400 newer racks in the same hall. By
/// hand: their hardware, 400 × the catalog's price × 1.15, writes off half its
/// cost and sells at the curve's 0.25 at age 3; the new racks buy no
/// second hall; the contract is still served.
#[test]
fn the_refresh_plan_writes_off_sells_and_keeps_serving() {
    let s = example("plans/refresh.toml");
    let rec = run(&s);
    let old = phase(&rec.buildout, "ohio", 0);
    let new = phase(&rec.buildout, "ohio", 2);
    assert!(
        old.commissioned
            .is_some_and(|d| (d.year(), d.month()) == (2026, 3)),
        "{:?}",
        old.commissioned
    );
    assert!(
        new.commissioned
            .is_some_and(|d| (d.year(), d.month()) == (2029, 3)),
        "{:?}",
        new.commissioned
    );
    let summary = rec.summary.unwrap();
    let e = summary.economics.as_ref().unwrap();
    // The catalog's GB300 NVL72 price (about $4,371,429).
    let gb300 = s
        .world
        .rack_types
        .iter()
        .find(|t| t.rack.name == "gb300-nvl72")
        .and_then(|t| t.rack.price)
        .unwrap()
        .0;
    assert!((gb300 - 4_371_429.0).abs() < 1.0, "{gb300}");
    let hardware = 400.0 * gb300 * 1.15;
    let left = hardware * (1.0 - 36.0 / 72.0);
    let proceeds = 0.25 * hardware;
    let r = e.retirement.as_ref().expect("write-offs on");
    assert!(
        (r.written_off_usd - left).abs() < 1.0,
        "{}",
        r.written_off_usd
    );
    assert!(
        (r.proceeds_usd - proceeds).abs() < 1.0,
        "{}",
        r.proceeds_usd
    );
    // Capex: 700 GB300 racks with their hall (135 kW each), 400 new racks
    // without one, less the proceeds.
    let capex = 700.0 * gb300 * 1.15 + 700.0 * 0.135 * 11.7e6 + 400.0 * 6.0e6 * 1.15 - proceeds;
    assert!(
        (e.capex_usd - capex).abs() < 10.0,
        "{} vs {capex}",
        e.capex_usd
    );
    // The contract rides through the refresh.
    let lab = &e.contracts[0];
    assert!(lab.availability.unwrap() > 0.999, "{:?}", lab.availability);
    assert_eq!(e.sla_credits_usd, 0.0);
    // Without write-offs the same plan books none and buys a second hall.
    let off = Overrides {
        sets: vec!["economics.capex.write_off_at_retirement=false".into()],
        seed: None,
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/plans/refresh.toml");
    let s = load_file(&path, &off).unwrap();
    let summary = run(&s).summary.unwrap();
    let e = summary.economics.as_ref().unwrap();
    assert!(e.retirement.is_none());
    assert!((e.capex_usd - (capex + proceeds + 400.0 * 0.135 * 11.7e6)).abs() < 10.0);
}

/// plans/gpu-cloud.toml: the base plan with the four opex lines a public
/// GPU cloud reports. Its EBITDA margin, Σ EBITDA ÷ Σ revenue over the
/// months of `monthly.csv`, sits in the 60–65 % adjusted EBITDA margin
/// public GPU clouds report (CoreWeave 64 % in 2024, 62 % in Q1 and Q2
/// 2025), with some room either side; each line is charged, the
/// revenue-based ones at their share of the month's revenue.
#[test]
fn the_gpu_cloud_plan_earns_a_public_gpu_clouds_margin() {
    let s = example("plans/gpu-cloud.toml");
    let rec = run(&s);
    let revenue: f64 = rec.monthly.iter().map(|m| m.revenue_usd).sum();
    let ebitda: f64 = rec.monthly.iter().map(|m| m.ebitda_usd).sum();
    let margin = ebitda / revenue;
    assert!((0.58..=0.67).contains(&margin), "EBITDA margin {margin}");
    let summary = rec.summary.unwrap();
    let e = summary.economics.as_ref().unwrap();
    assert!((e.ebitda_margin.unwrap() - margin).abs() < 1e-9);
    // Insurance and property tax, network transit, software, SG&A.
    let lines = e.opex_lines_usd.expect("the plan names opex lines");
    for (name, v) in dcsim::economics::lines::LINE_NAMES.iter().zip(lines) {
        assert!(v > 0.0, "{name}: {v}");
    }
    // Transit is 3 % and SG&A 15 % of each month's revenue.
    assert!((lines[1] - 0.03 * revenue).abs() < 1e-6 * revenue);
    assert!((lines[3] - 0.15 * revenue).abs() < 1e-6 * revenue);
    // The lines add to the base plan's opex; revenue is the base's.
    let base = run(&example("plans/base.toml")).summary.unwrap();
    let b = base.economics.as_ref().unwrap();
    assert_eq!(e.revenue_usd, b.revenue_usd);
    let added: f64 = lines.iter().sum();
    assert!((e.opex_usd - (b.opex_usd + added)).abs() < 1.0);
}

/// benches/frontier-40x.toml, the allocation benchmark: 40 × Frontier's 74
/// cabinets of 128 four-GPU nodes, and a Poisson year of jobs at 1,707 a
/// day, each a whole number of nodes; two days of it run, jobs placed and
/// completed.
#[test]
fn frontier_40x_bench_scenario_is_forty_frontiers_and_a_year_of_jobs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/frontier-40x.toml");
    let s = load_file(&path, &Overrides::default()).unwrap();
    let gpus = 40 * 74 * 128 * 4;
    assert_eq!(gpus, 1_515_520);
    assert_eq!(
        s.world.rack_types.iter().map(|t| t.rack.chips).sum::<u32>(),
        512
    );
    assert_eq!(s.world.sites[0].phases[0].count, 40 * 74);
    // Poisson count over 365 days at 1,707 a day: mean 623,055, σ = √mean.
    let mean = 1707.0 * 365.0;
    let n = s.training.jobs.len() as f64;
    assert!((n - mean).abs() < 5.0 * f64::sqrt(mean), "{n} jobs");
    assert!(
        s.training
            .jobs
            .iter()
            .all(|j| j.chips % 4 == 0 && j.chips / 4 == j.domains)
    );

    let short = Overrides {
        sets: vec!["duration=2d".into()],
        seed: None,
    };
    let s = load_file(&path, &short).unwrap();
    let (_, summary) = dcsim::sim::run(&s, dcsim::output::null::NullRecorder, &mut |_| {});
    assert_eq!(summary.peak_chips_online, gpus);
    let t = summary.training.expect("jobs ran");
    // About 3,400 submitted in two days (the draws stop at the end).
    assert!(t.jobs > 3_000 && t.jobs < 3_800, "{} jobs", t.jobs);
    assert!(t.jobs_completed > 1_000, "{} completed", t.jobs_completed);
}
