//! Job trace files a scenario's `[[traces]]` names: the generic CSV (from
//! `tests/fixtures/trace_jobs.csv` mutated, and rows built from their
//! columns) and the Alibaba GPU v2023 task list (the head of the shipped
//! sample, mutated). The scenario validates and runs to finite figures, or
//! every problem is located in a file, one line each, quoting little.

use crate::internals::common::Edit;
use std::path::Path;

use dcsim::output::null::NullRecorder;
use dcsim::scenario::{Location, Overrides, load_str};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Mutation, check_message, mutate, mutations};

/// One site of racks "quad" (8 chips, domains of 4) and "gpu8" (8 chips,
/// domains of 1); no failures. The trace section follows.
const SITE: &str = concat!(
    r#"name = "jobs"
start = "2026-01-01"
duration = "DURATION"
sample_every = "6h"
[failures]
gpu = { rate_per_million_hours = 0 }
host = { rate_per_million_hours = 0 }
"#,
    unit_chip!(),
    quad_rack!(),
    r#"[[racks]]
name = "gpu8"
chip = "unit"
chips = 8
nodes = 8
scaleup_domain = 1
overhead_kw = 1
scaleout_gbit_per_s = 100
[[sites]]
name = "lab"
grid_mw = 10
pue = 1.0
[[sites.buildout]]
rack = "quad"
count = 2
date = "2026-01-01"
[[sites.buildout]]
rack = "gpu8"
count = 4
date = "2026-01-01"
"#
);

const CSV_TRACE: &str = r#"
[[traces]]
name = "t"
file = "jobs.csv"
rack = "gpu8"
checkpoint_every = "young-daly"
"#;

const ALIBABA_TRACE: &str = r#"
[[traces]]
name = "ali"
file = "tasks.csv"
format = "alibaba"
rack = "gpu8"
[traces.racks]
T4 = "gpu8"
G2 = "gpu8"
V100M16 = "quad"
V100M32 = "gpu8"
"#;

fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Writes `bytes` as `file` beside the scenario, validates it and checks
/// the outcome.
fn check_trace(scenario: &str, file: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file), bytes).unwrap();
    let allowance = dir.path().display().to_string().len() + file.len();
    match load_str(
        "jobs.toml",
        scenario,
        Some(dir.path()),
        &Overrides::default(),
    ) {
        Ok(s) => {
            let (_, summary) = dcsim::sim::run(&s, NullRecorder, &mut |_| {});
            prop_assert!(summary.energy_mwh.is_finite() && summary.energy_mwh > 0.0);
            if let Some(t) = &summary.training {
                prop_assert!(t.jobs_completed <= t.jobs);
                prop_assert!((0.0..=1.0 + 1e-9).contains(&t.ettr_mean), "{:?}", t);
                prop_assert!(
                    t.chip_hours.is_finite() && t.lost_chip_hours.is_finite(),
                    "{:?}",
                    t
                );
            }
        }
        Err(e) => {
            prop_assert!(!e.issues.is_empty());
            for issue in &e.issues {
                let located = match &issue.location {
                    Location::File { line, column, .. } => *line >= 1 && *column >= 1,
                    Location::WholeFile { file: f } => f.contains(file),
                    _ => false,
                };
                prop_assert!(located, "unlocated: {issue}");
                check_message(&issue.to_string(), &["jobs.toml", file], allowance)?;
            }
        }
    }
    Ok(())
}

/// Values of each column of the generic CSV.
const SUBMITS: [&str; 9] = ["0s", "90min", "2d", "36h", "-1h", "1e9d", "", "x", "2.5h"];
const CHIPS: [&str; 9] = ["4", "8", "16", "0", "1", "4.5", "-8", "4294967296", ""];
const DURATIONS: [&str; 8] = ["10h", "30min", "", "0s", "1e-9s", "1000000d", "nan", "5"];
const FLOPS: [&str; 8] = ["", "1.44e19", "1e-320", "0", "-1", "1e308", "inf", "1e25"];
const NAMES: [&str; 6] = ["", "big", "a\u{1}b", "big", "\u{202e}x", "é"];
const RACKS: [&str; 5] = ["", "quad", "gpu8", "nope", "QUAD"];

/// A row of the generic CSV, each field from its column's values.
fn csv_row() -> impl Strategy<Value = String> {
    (
        0..SUBMITS.len(),
        0..CHIPS.len(),
        0..DURATIONS.len(),
        0..FLOPS.len(),
        0..NAMES.len(),
        0..RACKS.len(),
    )
        .prop_map(|(s, c, d, f, n, r)| {
            format!(
                "{},{},{},{},{},{}",
                SUBMITS[s], CHIPS[c], DURATIONS[d], FLOPS[f], NAMES[n], RACKS[r]
            )
        })
}

proptest! {
    #![proptest_config(super::config(96, file!()))]

    /// The generic CSV, mutated.
    #[test]
    fn mutated_job_csvs_run_or_are_located(m in mutations()) {
        let base = std::fs::read(repo("tests/fixtures/trace_jobs.csv")).unwrap();
        check_trace(&(SITE.edit("DURATION", "3d") + CSV_TRACE), "jobs.csv", &mutate(&base, &m))?;
    }

    /// The generic CSV built row by row from each column's values, then
    /// perhaps mutated.
    #[test]
    fn built_job_csvs_run_or_are_located(
        rows in prop::collection::vec(csv_row(), 0..8),
        m in prop::collection::vec(super::mutation(), 0..2),
    ) {
        let text = format!("submit,chips,ideal_duration,flops,name,rack\n{}\n", rows.join("\n"));
        check_trace(&(SITE.edit("DURATION", "3d") + CSV_TRACE), "jobs.csv", &mutate(text.as_bytes(), &m))?;
    }

    /// The head of the shipped Alibaba task list (24 tasks over ten days),
    /// mutated.
    #[test]
    fn mutated_alibaba_task_lists_run_or_are_located(m in mutations()) {
        let full = std::fs::read_to_string(repo("data/alibaba-gpu-v2023-sample/openb_pod_list_default.csv")).unwrap();
        let head: Vec<&str> = full.lines().take(25).collect();
        let base = head.join("\n") + "\n";
        check_trace(&(SITE.edit("DURATION", "10d") + ALIBABA_TRACE), "tasks.csv", &mutate(base.as_bytes(), &m))?;
    }
}

/// The bases the mutations start from are valid (else every case would
/// test a refusal), and a duplicated column is refused.
#[test]
fn the_base_traces_run() {
    let ok = |scenario: &str, file: &str, bytes: &[u8]| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file), bytes).unwrap();
        load_str(
            "jobs.toml",
            scenario,
            Some(dir.path()),
            &Overrides::default(),
        )
    };
    let csv = std::fs::read(repo("tests/fixtures/trace_jobs.csv")).unwrap();
    let scenario = SITE.edit("DURATION", "3d") + CSV_TRACE;
    let s = ok(&scenario, "jobs.csv", &csv).unwrap();
    let (_, summary) = dcsim::sim::run(&s, NullRecorder, &mut |_| {});
    assert_eq!(summary.training.expect("jobs").jobs, 4);
    let dup = ok(
        &scenario,
        "jobs.csv",
        &mutate(&csv, &[Mutation::DupColumn(1)]),
    )
    .unwrap_err();
    assert!(dup.to_string().contains("twice"), "{dup}");
}
