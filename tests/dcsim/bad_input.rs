//! One mistake at a time: each kind of bad input the scenario boundary must
//! catch gets its own small file, and the message must name the right line,
//! column and field, and say what to do.

use dcsim::scenario::{Location, Overrides, ScenarioError, load_str};

/// A valid scenario; each case below breaks one line of it.
const GOOD: &str = r#"name = "ok"
start = "2026-01-01"
duration = "30d"

[[sites]]
name = "east"
grid_mw = 20
pue = 1.2

[[sites.buildout]]
rack = "gb200-nvl72"
count = 2
date = "2026-01-05"
"#;

fn errors(text: &str) -> ScenarioError {
    load_str("case.toml", text, None, &Overrides::default()).expect_err("the case must be refused")
}

/// Replaces the first occurrence of `from` (which must exist) by `to`.
fn with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "case does not apply: {from}");
    GOOD.replacen(from, to, 1)
}

/// Asserts exactly one issue, at `line:column`, on `field`, containing every
/// fragment.
fn expect_one(text: &str, line: usize, column: usize, field: &str, fragments: &[&str]) {
    let e = errors(text);
    assert_eq!(e.issues.len(), 1, "expected one issue, got:\n{e}");
    let issue = &e.issues[0];
    assert_eq!(
        issue.location,
        Location::File {
            file: "case.toml".into(),
            line,
            column
        },
        "{issue}"
    );
    assert_eq!(issue.field, field, "{issue}");
    for f in fragments {
        assert!(issue.message.contains(f), "`{f}` not in: {issue}");
    }
}

#[test]
fn the_good_file_is_good() {
    load_str("case.toml", GOOD, None, &Overrides::default()).unwrap();
}

#[test]
fn unknown_key() {
    expect_one(
        &with("pue = 1.2", "pue = 1.2\nend_of_lfe = \"5y\""),
        9,
        1,
        "sites[0].end_of_lfe",
        &["unknown key `end_of_lfe`", "did you mean `end_of_life`?"],
    );
    // A misspelled required key is also reported missing: two true lines.
    let e = errors(&with("pue = 1.2", "peu = 1.2"));
    assert_eq!(e.issues.len(), 2, "{e}");
    assert!(
        e.issues
            .iter()
            .any(|i| i.field == "sites[0].peu" && i.message.contains("did you mean `pue`?")),
        "{e}"
    );
    assert!(
        e.issues
            .iter()
            .any(|i| i.field == "sites[0].pue" && i.message.contains("missing")),
        "{e}"
    );
}

#[test]
fn wrong_type() {
    expect_one(
        &with("count = 2", "count = \"two\""),
        12,
        9,
        "sites[0].buildout[0].count",
        &["expected a whole number", "\"two\""],
    );
}

#[test]
fn missing_required_field() {
    // The key is absent: the issue points at the table that should hold it.
    expect_one(
        &with("date = \"2026-01-05\"\n", ""),
        10,
        1,
        "sites[0].buildout[0].date",
        &["missing required key `date`"],
    );
}

#[test]
fn zero_where_a_positive_is_needed() {
    expect_one(
        &with("count = 2", "count = 0"),
        12,
        9,
        "sites[0].buildout[0].count",
        &["at least 1", "found 0"],
    );
}

#[test]
fn negative_where_a_positive_is_needed() {
    expect_one(
        &with("grid_mw = 20", "grid_mw = -20"),
        7,
        11,
        "sites[0].grid_mw",
        &["greater than 0", "-20"],
    );
}

#[test]
fn nan_and_infinity() {
    expect_one(
        &with("grid_mw = 20", "grid_mw = nan"),
        7,
        11,
        "sites[0].grid_mw",
        &["finite number", "NaN"],
    );
    expect_one(
        &with("pue = 1.2", "pue = inf"),
        8,
        7,
        "sites[0].pue",
        &["finite number", "inf"],
    );
}

#[test]
fn date_outside_the_horizon() {
    expect_one(
        &with("date = \"2026-01-05\"", "date = \"2026-03-05\""),
        13,
        8,
        "sites[0].buildout[0].date",
        &["outside the simulated horizon", "2026-01-01", "2026-01-31"],
    );
    expect_one(
        &with("date = \"2026-01-05\"", "date = \"2025-12-05\""),
        13,
        8,
        "sites[0].buildout[0].date",
        &["outside the simulated horizon"],
    );
}

#[test]
fn reference_to_an_undefined_name() {
    expect_one(
        &with("rack = \"gb200-nvl72\"", "rack = \"gb200-nvl2\""),
        11,
        8,
        "sites[0].buildout[0].rack",
        &["no rack is named", "did you mean \"gb200-nvl72\"?"],
    );
    let chip = format!(
        "{GOOD}\n[[racks]]\nname = \"mine\"\nchip = \"h10\"\nchips = 8\nnodes = 1\noverhead_kw = 4\nscaleout_gbit_per_s = 400\n"
    );
    expect_one(
        &chip,
        17,
        8,
        "racks[0].chip",
        &["no chip is named \"h10\"", "did you mean \"h100\"?"],
    );
    let link = format!(
        "{GOOD}\n[[links]]\nfrom = \"east\"\nto = \"wset\"\nbandwidth_gbit_per_s = 100\nlatency = \"5ms\"\n"
    );
    expect_one(&link, 17, 6, "links[0].to", &["no site is named \"wset\""]);
}

#[test]
fn empty_build_out() {
    let text = GOOD[..GOOD.find("[[sites.buildout]]").unwrap()].to_string();
    expect_one(
        &text,
        5,
        1,
        "sites[0].buildout",
        &["build-out is empty", "[[sites.buildout]]"],
    );
}

#[test]
fn toml_syntax_error() {
    expect_one(
        &with("pue = 1.2", "pue = = 1.2"),
        8,
        7,
        "",
        &["TOML syntax error"],
    );
}

#[test]
fn bad_duration_unit() {
    expect_one(
        &with("duration = \"30d\"", "duration = \"30 days\""),
        3,
        12,
        "duration",
        &["unknown unit", "days"],
    );
}

#[test]
fn a_phase_too_large_for_the_grid() {
    expect_one(
        &with("count = 2", "count = 200"),
        12,
        9,
        "sites[0].buildout[0].count",
        &["more than this site's grid connection ever allows"],
    );
}

#[test]
fn unreadable_file_names_the_file() {
    let e = dcsim::scenario::load_file(
        std::path::Path::new("no/such/dir/x.toml"),
        &Overrides::default(),
    )
    .unwrap_err();
    assert_eq!(e.issues.len(), 1);
    assert_eq!(
        e.issues[0].location,
        Location::WholeFile {
            file: "no/such/dir/x.toml".into()
        }
    );
    assert!(e.issues[0].message.contains("cannot read"), "{e}");
}

#[test]
fn non_utf8_file_is_located() {
    let dir = crate::common::temp_dir("bad-input");
    let path = dir.join("latin1.toml");
    std::fs::write(&path, b"name = \"ok\"\ndescription = \"caf\xe9\"\n").unwrap();
    let e = dcsim::scenario::load_file(&path, &Overrides::default()).unwrap_err();
    assert_eq!(e.issues.len(), 1);
    match &e.issues[0].location {
        Location::File { line, column, .. } => assert_eq!((*line, *column), (2, 19)),
        other => panic!("not located: {other:?}"),
    }
    assert!(e.issues[0].message.contains("UTF-8"), "{e}");
}

#[test]
fn too_many_samples_or_nodes_are_refused_before_running() {
    expect_one(
        &with(
            "duration = \"30d\"",
            "duration = \"30d\"\nsample_every = \"1ms\"",
        ),
        4,
        16,
        "sample_every",
        &["samples per site"],
    );
    let e = errors(&with("count = 2", "count = 2000000").replace("grid_mw = 20", "grid_mw = 1e9"));
    assert!(e.to_string().contains("nodes"), "{e}");
}

/// Regression: a Weibull shape of 0.001 used to reach the sampler and panic
/// (Γ(1 + 1/k) overflowed); shapes and rates are now bounded.
#[test]
fn extreme_failure_laws_are_refused() {
    let text = format!("{GOOD}\n[failures.gpu]\nlifetime = \"weibull\"\nweibull_shape = 0.001\n");
    expect_one(
        &text,
        17,
        17,
        "failures.gpu.weibull_shape",
        &["between 0.1 and 20"],
    );
    let text = format!("{GOOD}\n[failures.host]\nrate_per_million_hours = 1e9\n");
    expect_one(
        &text,
        16,
        26,
        "failures.host.rate_per_million_hours",
        &["at most 1000000"],
    );
}

/// `[failures.gpu_other]` is a class like the others: a misspelt class
/// name is pointed at it, and its rate is checked where it is written.
#[test]
fn the_gpu_other_class_is_named_and_checked() {
    let text = format!("{GOOD}\n[failures.gpu_othr]\nrate_per_million_hours = 3\n");
    expect_one(
        &text,
        15,
        11,
        "failures.gpu_othr",
        &["unknown key `gpu_othr`", "did you mean `gpu_other`?"],
    );
    let text = format!("{GOOD}\n[failures.gpu_other]\nrate_per_million_hours = -3\n");
    expect_one(
        &text,
        16,
        26,
        "failures.gpu_other.rate_per_million_hours",
        &["must be 0 or more", "0 turns the class off"],
    );
}
