//! `capacity.csv`: per sample, site and rack model, the racks and chips
//! online, their nameplate IT power, and online, healthy and held
//! chip-hours — checked by hand on a site of two rack models, against the
//! run's summary under failures and outages, and against the chips jobs
//! hold.

use std::collections::BTreeMap;
use std::path::Path;

use dcsim::catalog::failures::FailureKind;
use dcsim::output::csv::{Columns, CsvRecorder};
use dcsim::record::SummaryRow;
use dcsim::scenario::Scenario;

use crate::internals::common::{Edit, assert_rel, load_text, read_csv, run, temp_dir};

/// One site "lab" (PUE 1, 2 MW) of two rack models, each one phase of 10
/// racks at the start:
/// - `a-rack`: 72 `alpha` chips (1,000 W TDP, 100 W idle) in 18 nodes of 4,
///   scale-up domains of 8, 10 kW overhead: nameplate 82 kW a rack;
/// - `b-rack`: 32 `beta` chips (500 W TDP, 50 W idle) in 8 nodes of 4,
///   scale-up domains of 4, 4 kW overhead: nameplate 20 kW a rack.
///
/// 1,040 chips. Hourly samples. `DURATION`, `SEED` and the failure rates
/// (`GPU`, `RACK_POWER`, `SITE_OUTAGE`, per 10⁶ component-hours) are
/// filled in; jobs follow.
const BASE: &str = r#"
name = "capacity"
start = "2026-01-01"
duration = "DURATION"
sample_every = "1h"
seed = SEED

[spares]
swap_time = "1h"

[failures]
gpu = { rate_per_million_hours = GPU, repair = { kind = "fixed", value = "5h" } }
hbm = { rate_per_million_hours = 0 }
gpu_other = { rate_per_million_hours = 0 }
host = { rate_per_million_hours = 0 }
nic = { rate_per_million_hours = 0 }
switch_cable = { rate_per_million_hours = 0 }
rack_power = { rate_per_million_hours = RACK_POWER, repair = { kind = "fixed", value = "3h" } }
site_outage = { rate_per_million_hours = SITE_OUTAGE, repair = { kind = "fixed", value = "2h" } }
dci_link = { rate_per_million_hours = 0 }
software = { rate_per_million_hours = 0 }

[[chips]]
name = "alpha"
bf16_tflops = 100
hbm_gb = 10
hbm_tb_per_s = 1
tdp_w = 1000
idle_w = 100
scaleup_gb_per_s = 100

[[chips]]
name = "beta"
bf16_tflops = 50
hbm_gb = 10
hbm_tb_per_s = 1
tdp_w = 500
idle_w = 50
scaleup_gb_per_s = 100

[[racks]]
name = "a-rack"
chip = "alpha"
chips = 72
nodes = 18
scaleup_domain = 8
overhead_kw = 10
scaleout_gbit_per_s = 100

[[racks]]
name = "b-rack"
chip = "beta"
chips = 32
nodes = 8
scaleup_domain = 4
overhead_kw = 4
scaleout_gbit_per_s = 100

[[sites]]
name = "lab"
grid_mw = 2
pue = 1.0

[[sites.buildout]]
rack = "a-rack"
count = 10
date = "2026-01-01"
spare_nodes = 2

[[sites.buildout]]
rack = "b-rack"
count = 10
date = "2026-01-01"
spare_nodes = 1
"#;

fn scenario(duration: &str, seed: u64, rates: [f64; 3], jobs: &str) -> Scenario {
    let text = BASE
        .edit("DURATION", duration)
        .edit("SEED", &seed.to_string())
        .edit("RACK_POWER", &rates[1].to_string())
        .edit("SITE_OUTAGE", &rates[2].to_string())
        .edit("GPU", &rates[0].to_string())
        + jobs;
    load_text(&text)
}

/// The rows of a CSV file, each a map from column name to field.
type Rows = Vec<BTreeMap<String, String>>;

fn rows(path: &Path) -> Rows {
    let (header, rows) = read_csv(path);
    rows.into_iter()
        .map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}

fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|e| panic!("{column} = {:?}: {e}", row[column]))
}

/// Runs `scenario` into CSV files; returns the summary and the rows of
/// `capacity.csv` and `timeseries.csv`.
fn run_csv(scenario: &Scenario) -> (SummaryRow, Rows, Rows) {
    let dir = temp_dir("capacity");
    let rec = CsvRecorder::create_with(
        &dir,
        scenario.world.failures_log,
        Columns::for_jobs(scenario.training.jobs.len()),
    )
    .unwrap();
    let (rec, summary) = dcsim::sim::run(scenario, rec, &mut |_| {});
    rec.finish().unwrap();
    let capacity = rows(&dir.join("capacity.csv"));
    let timeseries = rows(&dir.join("timeseries.csv"));
    (summary, capacity, timeseries)
}

/// Each sample has one row per rack model, in scenario order, whose racks
/// and chips add up to the site's row of `timeseries.csv`.
fn check_against_timeseries(capacity: &Rows, timeseries: &Rows) {
    assert_eq!(capacity.len(), 2 * timeseries.len());
    for (pair, site) in capacity.chunks(2).zip(timeseries) {
        let models: Vec<(&str, &str)> = pair
            .iter()
            .map(|r| (r["rack"].as_str(), r["chip"].as_str()))
            .collect();
        assert_eq!(models, [("a-rack", "alpha"), ("b-rack", "beta")]);
        for r in pair {
            assert_eq!(r["time_h"], site["time_h"]);
            assert_eq!(r["timestamp"], site["timestamp"]);
            assert_eq!(r["site"], site["site"]);
            assert!(num(r, "healthy_chip_hours") <= num(r, "online_chip_hours"));
            assert!(num(r, "held_chip_hours") <= num(r, "healthy_chip_hours"));
        }
        for column in ["racks_online", "chips_online"] {
            let sum: f64 = pair.iter().map(|r| num(r, column)).sum();
            assert_eq!(sum, num(site, column), "{column} at {}", site["time_h"]);
        }
    }
}

#[test]
fn a_failure_free_day_is_chips_times_hours() {
    let s = scenario("24h", 1, [0.0; 3], "");
    let (summary, capacity, timeseries) = run_csv(&s);
    assert_eq!(summary.failures_total(), 0);
    check_against_timeseries(&capacity, &timeseries);
    // Samples at 1 h … 24 h (racks commissioned at 0 h).
    assert_eq!(timeseries.len(), 24);
    for r in &capacity {
        // a-rack: 10 racks × 72 chips, 10 × (72 × 1,000 W + 10 kW) = 0.82 MW
        // for an hour; b-rack: 10 × 32 chips, 10 × (32 × 500 W + 4 kW) =
        // 0.2 MW.
        let (chips, mw) = if r["rack"] == "a-rack" {
            ("720", "0.820000")
        } else {
            ("320", "0.200000")
        };
        assert_eq!(r["racks_online"], "10");
        assert_eq!(r["chips_online"], chips);
        assert_eq!(r["it_nameplate_mw"], mw);
        let chip_hours = format!("{chips}.000000");
        assert_eq!(r["online_chip_hours"], chip_hours);
        assert_eq!(r["healthy_chip_hours"], chip_hours);
        assert_eq!(r["held_chip_hours"], "0.000000", "no jobs hold chips");
    }
    let total = |rack: &str| -> f64 {
        capacity
            .iter()
            .filter(|r| r["rack"] == rack)
            .map(|r| num(r, "online_chip_hours"))
            .sum()
    };
    // 720 × 24 h and 320 × 24 h.
    assert_eq!(total("a-rack"), 17_280.0);
    assert_eq!(total("b-rack"), 7_680.0);
    assert_eq!(summary.availability, 1.0);
}

#[test]
fn healthy_over_online_chip_hours_is_the_summary_availability() {
    // Node failures (GPU, 5 h repairs or a 1 h swap), rack power losses
    // (3 h) and site outages (2 h) over ten days, with a job holding chips
    // through them.
    let jobs = r#"
[[jobs]]
name = "long"
rack = "a-rack"
chips = 64
ideal_duration = "150h"
"#;
    let s = scenario("10d", 7, [2_000.0, 2_000.0, 20_000.0], jobs);
    let (summary, capacity, timeseries) = run_csv(&s);
    for k in [
        FailureKind::Gpu,
        FailureKind::RackPower,
        FailureKind::SiteOutage,
    ] {
        assert!(summary.failures[k.index()] > 0, "{k:?} never fired");
    }
    check_against_timeseries(&capacity, &timeseries);
    let sum = |column: &str| -> f64 { capacity.iter().map(|r| num(r, column)).sum() };
    let (healthy, online) = (sum("healthy_chip_hours"), sum("online_chip_hours"));
    assert_eq!(online, 1_040.0 * 240.0, "no failure takes a chip offline");
    assert!(healthy < online);
    assert!(sum("held_chip_hours") > 0.0);
    // Each chip-hour field is rounded to 6 decimals (±5e-7): over every
    // row the healthy sum is off by at most rows × 5e-7, which against
    // 249,600 online chip-hours is a relative error below 1e-9.
    let rounding = capacity.len() as f64 * 5e-7 / online;
    assert!(rounding < 1e-9, "{rounding:e}");
    assert_rel(
        healthy / online,
        summary.availability,
        1e-9,
        "Σ healthy ÷ Σ online chip-hours vs the summary's availability",
    );

    // In memory, without the CSV rounding: the same to the last bits.
    let (rec, _) = run(&s);
    let racks = rec.samples.iter().flat_map(|r| &r.racks);
    let (healthy, online) = racks.fold((0.0, 0.0), |(h, o), r| {
        (h + r.healthy_chip_hours, o + r.online_chip_hours)
    });
    assert_rel(healthy / online, summary.availability, 1e-12, "in memory");
}

#[test]
fn held_chip_hours_are_the_chips_jobs_hold_times_their_hours() {
    // "ten-hours": 8 alpha chips at 100 TFLOP/s × MFU 0.4 for 10 h of
    // compute, checkpoints after 3, 6 and 9 h of 6 min each: it holds its
    // chips from 0 h to 10.3 h, 8 × 10.3 = 82.4 chip-hours. "five-hours":
    // 4 beta chips from 2 h for 5 h (no checkpoint before it ends): 20.
    let jobs = r#"
[[jobs]]
name = "ten-hours"
rack = "a-rack"
chips = 8
ideal_duration = "10h"
checkpoint_every = "3h"
checkpoint_time = "6min"

[[jobs]]
name = "five-hours"
submit = "2h"
rack = "b-rack"
chips = 4
ideal_duration = "5h"
checkpoint_every = "10h"
"#;
    let s = scenario("24h", 1, [0.0; 3], jobs);
    let (summary, capacity, timeseries) = run_csv(&s);
    check_against_timeseries(&capacity, &timeseries);
    let held = |rack: &str| -> Vec<f64> {
        capacity
            .iter()
            .filter(|r| r["rack"] == rack)
            .map(|r| num(r, "held_chip_hours"))
            .collect()
    };
    let (a, b) = (held("a-rack"), held("b-rack"));
    // Sample k covers (k − 1 h, k h]: a-rack 8 in each of the first ten
    // hours, 8 × 0.3 in the eleventh; b-rack 4 in hours 3 to 7.
    let mut want_a = vec![0.0; 24];
    want_a[..10].fill(8.0);
    want_a[10] = 2.4;
    let mut want_b = vec![0.0; 24];
    want_b[2..7].fill(4.0);
    for (got, want) in [(&a, &want_a), (&b, &want_b)] {
        for (hour, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((g - w).abs() < 1e-6, "hour {}: {g} vs {w}", hour + 1);
        }
    }
    let total: f64 = a.iter().chain(&b).sum();
    assert!((total - (82.4 + 20.0)).abs() < 1e-6, "{total}");
    // Without failures, held chip-hours are the chip-hours jobs held.
    let training = summary.training.expect("a scenario with jobs");
    assert!((training.chip_hours - total).abs() < 1e-6);
    assert_eq!(training.jobs_completed, 2);
}
