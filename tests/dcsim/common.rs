//! Helpers shared by the test modules: fixtures, in-process runs into a
//! `MemoryRecorder`, the real binary, and unique temporary folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dcsim::output::memory::MemoryRecorder;
use dcsim::record::SummaryRow;
use dcsim::scenario::{self, Overrides, Scenario};

/// Every file a run of the default scenario writes, sorted: the CSV files
/// of its workloads (jobs, the chat service) and books (monthly,
/// contracts), every chart, `report.html`, `summary.json` and `run.json`.
pub const DEFAULT_RUN_FILES: [&str; 29] = [
    "buildout.csv",
    "capacity.csv",
    "cash.png",
    "cash.svg",
    "chips.png",
    "chips.svg",
    "contracts.csv",
    "contracts.png",
    "contracts.svg",
    "contracts_monthly.csv",
    "energy.png",
    "energy.svg",
    "failures.png",
    "failures.svg",
    "inference.png",
    "inference.svg",
    "jobs.csv",
    "monthly.csv",
    "power.png",
    "power.svg",
    "report.html",
    "run.json",
    "service_summary.csv",
    "services.csv",
    "summary.csv",
    "summary.json",
    "timeseries.csv",
    "training.png",
    "training.svg",
];

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// Loads a fixture with `--set` overrides, panicking with every issue.
pub fn load(name: &str, sets: &[&str]) -> Scenario {
    load_with(name, sets, None)
}

/// Loads a fixture with overrides and an optional seed.
pub fn load_with(name: &str, sets: &[&str], seed: Option<u64>) -> Scenario {
    let overrides = Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        seed,
    };
    scenario::load_file(&fixture(name), &overrides)
        .unwrap_or_else(|e| panic!("fixture {name} does not load:\n{e}"))
}

/// Validates scenario text (no overrides).
pub fn load_text(text: &str) -> Scenario {
    scenario::load_str("inline.toml", text, None, &Overrides::default())
        .unwrap_or_else(|e| panic!("inline scenario does not load:\n{e}"))
}

/// Runs a scenario to its end into memory.
pub fn run(scenario: &Scenario) -> (MemoryRecorder, SummaryRow) {
    let (rec, summary) = dcsim::sim::run(scenario, MemoryRecorder::default(), &mut |_| {});
    assert_eq!(
        rec.summary.as_ref(),
        Some(&summary),
        "the recorder receives the summary that run returns"
    );
    (rec, summary)
}

/// Loads and runs a fixture with overrides.
pub fn run_fixture(name: &str, sets: &[&str]) -> (MemoryRecorder, SummaryRow) {
    run(&load(name, sets))
}

/// A fresh, empty folder under the system temp dir, unique per call, made by
/// the `tempfile` crate and removed when dropped, also when a test panics
/// (the value is dropped while the stack unwinds).
pub struct TempDir(tempfile::TempDir);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

/// A [`TempDir`] whose name starts with `dcsim-<tag>-`.
pub fn temp_dir(tag: &str) -> TempDir {
    TempDir(
        tempfile::Builder::new()
            .prefix(&format!("dcsim-{tag}-"))
            .tempdir()
            .expect("create temp dir"),
    )
}

/// Runs the real `dcsim` binary.
pub fn dcsim<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_dcsim"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the dcsim binary runs")
}

/// stdout and stderr as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts `|a − b| ≤ rel · max(|a|, |b|)` (or both are 0).
#[track_caller]
pub fn assert_rel(a: f64, b: f64, rel: f64, what: &str) {
    let scale = a.abs().max(b.abs());
    assert!(
        (a - b).abs() <= rel * scale,
        "{what}: {a} vs {b} (relative difference {:e} > {rel:e})",
        if scale > 0.0 {
            (a - b).abs() / scale
        } else {
            0.0
        }
    );
}

/// Asserts `|a − b| ≤ tol`.
#[track_caller]
pub fn assert_abs(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tolerance {tol})");
}

/// Parses a CSV file into its header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The column of `name` in a CSV file.
pub fn column(path: &Path, name: &str) -> Vec<String> {
    let (header, rows) = read_csv(path);
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{} has no column {name}: {header:?}", path.display()));
    rows.into_iter().map(|r| r[i].clone()).collect()
}
