//! What the fuzz targets found, each kept as a plain test of the input
//! that showed it (the shrunk cases are also in
//! `tests/proptest-regressions/fuzz/`, tried first by every run).

use dcsim::scenario::{Overrides, load_str};
use dcsim::sweep::Vary;

use super::{MAX_LINE, check_message};

/// A `--vary` whose path holds a NUL printed it raw: a message of two
/// lines on a terminal (`fuzz::arguments`).
#[test]
fn a_vary_argument_with_a_control_character_is_refused_on_one_line() {
    let e = Vary::parse("name\0=").unwrap_err();
    assert!(e.contains("name\\0"), "{e}");
    check_message(&e, &["--vary"], 0).unwrap();
    let e = Vary::parse("load.utilization=0.5,\n0.5,0.5").unwrap_err();
    assert!(e.contains("\\n") && !e.contains('\n'), "{e}");
}

/// The generic job trace took a column named twice (its later value
/// silently won), and quoted a `flops` or duration field whole: 700
/// digits made a 700-character message (`fuzz::job_traces`).
#[test]
fn job_trace_fields_are_quoted_short_and_columns_given_once() {
    let scenario = r#"name = "t"
start = "2026-01-01"
duration = "3d"
[[sites]]
name = "a"
grid_mw = 10
pue = 1.2
[[sites.buildout]]
rack = "hgx-h100"
count = 2
date = "2026-01-01"
[[traces]]
name = "t"
file = "jobs.csv"
rack = "hgx-h100"
"#;
    let load = |csv: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("jobs.csv"), csv).unwrap();
        load_str("t.toml", scenario, Some(dir.path()), &Overrides::default())
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    assert_eq!(load("submit,chips,ideal_duration\n0s,8,10h\n"), Ok(()));
    let twice = load("submit,chips,chips,ideal_duration\n0s,8,16,10h\n").unwrap_err();
    assert!(
        twice.contains("jobs.csv:1:14") && twice.contains("the column `chips` twice"),
        "{twice}"
    );
    let long = "9".repeat(700);
    for (csv, at) in [
        (
            format!("submit,chips,flops\n0s,8,{long}\n"),
            "jobs.csv:2:6:",
        ),
        (
            format!("submit,chips,ideal_duration\n0s,8,{long}\n"),
            "jobs.csv:2:6:",
        ),
        (
            format!("submit,chips,ideal_duration\n{long}x,8,10h\n"),
            "jobs.csv:2:1:",
        ),
    ] {
        let e = load(&csv).unwrap_err();
        assert!(e.contains(at) && e.contains('…'), "{e}");
        assert!(e.chars().count() < 300, "{e}");
    }
}

/// A shard manifest's `format` was printed whole: 729 letters made a
/// message of 1,500 characters (`fuzz::read_back`).
#[test]
fn a_manifest_of_another_format_is_quoted_short() {
    let dir = tempfile::tempdir().unwrap();
    let format = "é".repeat(729);
    std::fs::write(
        dir.path().join("shard.json"),
        format!(
            r#"{{"format": "{format}", "shard": 0, "shards": 1, "runs": [], "sweep": {{"format": "x", "identity": "", "scenario": "", "sets": [], "base_seed": 0, "varies": [], "replications": 1, "runs": []}}}}"#
        ),
    )
    .unwrap();
    let e = dcsim::sweep::shard::read_manifest(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("a manifest of format éé") && e.contains('…'),
        "{e}"
    );
    assert!(e.chars().count() < MAX_LINE, "{e}");
}

/// `monthly.csv` read back quoted a month or number that was not one
/// whole (`compare`'s cumulative cash).
#[test]
fn a_bad_month_read_back_is_quoted_short() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(5000);
    // Every column monthly.csv always has (the header is checked), the
    // month too long, every figure 0.
    let columns = dcsim::output::csv::schema("monthly.csv").unwrap().always;
    let row: Vec<&str> = columns
        .iter()
        .map(|c| if *c == "month" { long.as_str() } else { "0" })
        .collect();
    std::fs::write(
        dir.path().join("monthly.csv"),
        format!("{}\n{}\n", columns.join(","), row.join(",")),
    )
    .unwrap();
    let e = dcsim::results::cumulative_cash(dir.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not a month") && e.contains('…'), "{e}");
    assert!(e.chars().count() < 300, "{e}");
}
