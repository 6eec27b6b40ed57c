//! Snapshot tests of the CSV exporter: hand-checkable fixtures are run into
//! CSV files, which must equal the committed snapshots in `tests/snapshots/`
//! byte for byte (`<fixture>-<file>`). After an intended format change, or a
//! change of the random draws, regenerate them with
//! `DCSIM_UPDATE_SNAPSHOTS=1 cargo test --release --test dcsim exporters`
//! and review the diff.
//!
//! Two fixtures: `snapshot.toml` has no failures (its failures log is the
//! header alone), `snapshot_failures.toml` a log with a row of every node,
//! rack and uplink remedy.

use std::path::Path;

use dcsim::catalog::failures::FailureKind;
use dcsim::output::csv::CsvRecorder;
use dcsim::record::SummaryRow;
use dcsim::scenario::{Overrides, load_file};

use crate::internals::common::{assert_rel, temp_dir};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `tests/fixtures/<stem>.toml` into CSV files and compares each with
/// `tests/snapshots/<stem>-<file>` (or rewrites them when
/// `DCSIM_UPDATE_SNAPSHOTS` is set). Returns the summary.
fn check_snapshots(stem: &str) -> SummaryRow {
    let scenario = load_file(
        &root().join("tests/fixtures").join(format!("{stem}.toml")),
        &Overrides::default(),
    )
    .unwrap();
    let dir = temp_dir("snapshot");
    let rec = CsvRecorder::create(&dir, scenario.world.failures_log).unwrap();
    let (rec, summary) = dcsim::sim::run(&scenario, rec, &mut |_| {});
    rec.finish().unwrap();

    let update = std::env::var_os("DCSIM_UPDATE_SNAPSHOTS").is_some();
    for file in [
        "timeseries.csv",
        "capacity.csv",
        "buildout.csv",
        "summary.csv",
        "failures.csv",
    ] {
        let got = std::fs::read_to_string(dir.join(file)).unwrap();
        let snap = root()
            .join("tests/snapshots")
            .join(format!("{stem}-{file}"));
        if update {
            std::fs::write(&snap, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&snap).unwrap_or_else(|_| {
            panic!(
                "missing snapshot {}; see this module's docs",
                snap.display()
            )
        });
        assert_eq!(got, want, "{file} differs from {}", snap.display());
    }
    summary
}

#[test]
fn csv_files_match_their_snapshots() {
    let summary = check_snapshots("snapshot");
    // The figures in the snapshot, by hand: 8,000 W facility for 6 h.
    assert!((summary.energy_mwh - 0.048).abs() < 1e-12);
    // 2 h at $50, 2 h at $100 (02:00–04:00 band), 2 h at $50 on 0.016 MWh each.
    assert!((summary.energy_cost_usd - (0.8 + 1.6 + 0.8)).abs() < 1e-9);
    assert!((summary.carbon_tco2e - 0.048 * 0.5).abs() < 1e-12);
    assert_eq!(summary.failures_total(), 0);
}

#[test]
fn csv_files_with_failures_match_their_snapshots() {
    let s = check_snapshots("snapshot_failures");
    // The pinned failures (snapshot_failures-failures.csv), by hand. A chip
    // draws 550 W, a node of 2 chips 1,100 W, a powered rack 1,000 W
    // overhead + 4 × 550 W = 3,200 W; undisturbed, the two racks draw
    // 6.4 kW × 24 h = 153.6 kWh of IT energy. Lost:
    //   06.694433 h  rack 1 uplink: no power lost                        =  0
    //   16.484986 h  rack 0 power, 3 h:                3.2 kW × 3 h       =  9.6 kWh
    //   17.515563 h  gpu, rack 1 node 0, spare swap:   1.1 kW × 1 h       =  1.1 kWh
    //   22.455672 h  gpu, rack 0 node 1, no spare ready (the one spare is
    //                in repair until 22.52 h): repaired in place, 5 h cut
    //                at the end:                       1.1 kW × 1.544328 h = 1.6987608 kWh
    // IT energy 153.6 − 12.3987608 = 141.2012392 kWh; facility × 1.25 =
    // 176.501549 kWh; cost × $50/MWh = $8.82507745; carbon × 0.5 t/MWh =
    // 0.0882507745 t. Chip-hours down: 4 × 3 + 2 × 1 + 2 × 1.544328 =
    // 17.088656 of 8 × 24 = 192: availability 0.910996583.
    // (The log's times have 6 decimals: ±5e-7 h, so 1e-7 relative.)
    // If the draws change, regenerate the snapshots and redo these lines
    // from the new failures file.
    let rel = 1e-7;
    assert_eq!(s.failures_total(), 4);
    assert_eq!(s.failures[FailureKind::Gpu.index()], 2, "gpu");
    assert_eq!(
        s.failures[FailureKind::SwitchCable.index()],
        1,
        "switch_cable"
    );
    assert_eq!(s.failures[FailureKind::RackPower.index()], 1, "rack_power");
    assert_rel(s.it_energy_mwh, 0.141_201_239_2, rel, "IT energy");
    assert_rel(s.energy_mwh, 0.176_501_549, rel, "facility energy");
    assert_rel(s.energy_cost_usd, 8.825_077_45, rel, "cost");
    assert_rel(s.carbon_tco2e, 0.088_250_774_5, rel, "carbon");
    assert_rel(
        s.availability,
        1.0 - 17.088_656 / 192.0,
        rel,
        "availability",
    );
}
