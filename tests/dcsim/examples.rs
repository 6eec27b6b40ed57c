//! Every example scenario in `scenarios/` validates and runs, and its
//! headline figures are what its comments promise.

use std::path::{Path, PathBuf};

use dcsim::output::memory::MemoryRecorder;
use dcsim::record::{BuildoutRow, FailureRow, Recorder, SampleRow, SummaryRow};
use dcsim::scenario::{Overrides, Scenario, load_file};

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
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "examples: {files:?}");
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
    assert_eq!(gb300.delivered, "2026-06-01");
    assert_eq!(gb300.commissioned, "2026-10-01");
    assert_eq!(gb300.status, "commissioned");
    // 1 June to 1 October: 30 + 31 + 31 + 30 = 122 days.
    assert!((gb300.deferred_days - 122.0).abs() < 1e-9);
    // The H100 phase, delivered 1 Aug, waits behind it (commissioned in order).
    let h100 = phase(&rec.buildout, "ohio", 2);
    assert_eq!(h100.commissioned, "2026-10-01");
    assert!((h100.deferred_days - 61.0).abs() < 1e-9);
    for r in rec.samples.iter().filter(|r| r.site == "ohio") {
        let in_window = r.timestamp.as_str() > "2026-06-01" && r.timestamp.as_str() <= "2026-10-01";
        let after_aug = r.timestamp.as_str() > "2026-08-01";
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
            capped_months.insert(r.timestamp[5..7].to_string());
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
            row.chips_healthy + row.chips_failed + row.chips_in_repair
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
    assert!(sum.failures_total() > 100_000);
    assert!(sum.availability > 0.99 && sum.availability < 1.0);
}

/// The commented example in README.md's "Scenario files" section is a valid
/// scenario (its `[[chips]]` and `[[racks]]` included).
#[test]
fn the_readme_example_validates() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .find("## Scenario files")
        .expect("README has the section");
    let start =
        readme[section..].find("```toml\n").expect("a toml block") + section + "```toml\n".len();
    let end = readme[start..].find("```").unwrap() + start;
    let s = dcsim::scenario::load_str(
        "README.md example",
        &readme[start..end],
        None,
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.sites.len(), 2);
    assert!(s.catalog.rack("my-h100-rack").is_some());
    assert_eq!(s.catalog.chip("h100").unwrap().tdp.0, 650.0);
}
