//! Snapshot tests of the CSV exporter: a hand-checkable fixture is run into
//! CSV files, which must equal the committed snapshots in `tests/snapshots/`
//! byte for byte. After an intended format change, regenerate them with
//! `DCSIM_UPDATE_SNAPSHOTS=1 cargo test --release --test dcsim exporters`
//! and review the diff.

use std::path::Path;

use dcsim::output::csv::CsvRecorder;
use dcsim::scenario::{Overrides, load_file};

use crate::common::temp_dir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn csv_files_match_their_snapshots() {
    let scenario = load_file(
        &root().join("tests/fixtures/snapshot.toml"),
        &Overrides::default(),
    )
    .unwrap();
    let dir = temp_dir("snapshot");
    let rec = CsvRecorder::create(&dir, scenario.failures_log).unwrap();
    let (rec, summary) = dcsim::sim::run(&scenario, rec, &mut |_| {});
    rec.finish().unwrap();

    // The figures in the snapshot, by hand: 8,000 W facility for 6 h.
    assert!((summary.energy_mwh - 0.048).abs() < 1e-12);
    // 2 h at $50, 2 h at $100 (02:00–04:00 band), 2 h at $50 on 0.016 MWh each.
    assert!((summary.energy_cost_usd - (0.8 + 1.6 + 0.8)).abs() < 1e-9);
    assert!((summary.carbon_tco2e - 0.048 * 0.5).abs() < 1e-12);

    let update = std::env::var_os("DCSIM_UPDATE_SNAPSHOTS").is_some();
    for file in [
        "timeseries.csv",
        "buildout.csv",
        "summary.csv",
        "failures.csv",
    ] {
        let got = std::fs::read_to_string(dir.join(file)).unwrap();
        let snap = root()
            .join("tests/snapshots")
            .join(format!("snapshot-{file}"));
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
}
