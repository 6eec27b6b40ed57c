//! The same scenario and seed give the same results, to the byte.

use crate::common::{column, dcsim, fixture, load, run, temp_dir, text};

#[test]
fn two_cli_runs_write_identical_files() {
    let fixture = fixture("conservation.toml");
    let temps = [temp_dir("det-a"), temp_dir("det-b")];
    let mut dirs = Vec::new();
    for out_dir in &temps {
        let out = dcsim([
            "run",
            fixture.to_str().unwrap(),
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
        dirs.push(out_dir.join("conservation"));
    }
    let names = [
        "timeseries.csv",
        "buildout.csv",
        "failures.csv",
        "summary.csv",
    ];
    for name in names {
        let a = std::fs::read(dirs[0].join(name)).unwrap();
        let b = std::fs::read(dirs[1].join(name)).unwrap();
        assert!(a.len() > 100, "{name} has content");
        assert!(a == b, "{name} differs between two runs of the same seed");
    }
    // The run is not trivially quiet: the seed drew thousands of failures.
    let total: u64 = column(&dirs[0].join("summary.csv"), "failures_total")[0]
        .parse()
        .unwrap();
    assert!(total > 1_000, "{total} failures");
}

#[test]
fn two_in_process_runs_record_equal_rows() {
    let scenario = load("conservation.toml", &[]);
    let (a, sa) = run(&scenario);
    let (b, sb) = run(&scenario);
    assert_eq!(sa, sb);
    assert_eq!(a.samples.len(), b.samples.len());
    // 3 sites × 120 d × 12 samples a day.
    assert_eq!(a.samples.len(), 3 * 120 * 12);
    assert_eq!(a.samples, b.samples);
    assert!(!a.failures.is_empty());
    assert_eq!(a.failures, b.failures);
    assert_eq!(a.buildout, b.buildout);
}

#[test]
fn the_cli_writes_what_the_library_computes() {
    let scenario = load("conservation.toml", &[]);
    let (rec, summary) = run(&scenario);
    let out_dir = temp_dir("det-cli-lib");
    let out = dcsim([
        "run",
        fixture("conservation.toml").to_str().unwrap(),
        "--quiet",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let dir = out_dir.join("conservation");
    let summary_csv = dir.join("summary.csv");
    assert_eq!(
        column(&summary_csv, "energy_mwh"),
        [format!("{:.6}", summary.energy_mwh)]
    );
    assert_eq!(
        column(&summary_csv, "failures_total"),
        [summary.failures_total().to_string()]
    );
    assert_eq!(column(&summary_csv, "events"), [summary.events.to_string()]);
    let classes = column(&dir.join("failures.csv"), "class");
    assert_eq!(classes.len(), rec.failures.len());
    for (csv_class, row) in classes.iter().zip(&rec.failures) {
        assert_eq!(csv_class, row.class.key());
    }
    let chips = column(&dir.join("timeseries.csv"), "chips_healthy");
    let in_memory: Vec<String> = rec
        .samples
        .iter()
        .map(|s| s.chips_healthy.to_string())
        .collect();
    assert_eq!(chips, in_memory);
}
