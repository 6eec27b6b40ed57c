//! One mistake at a time: each kind of bad input the scenario boundary must
//! catch gets its own small file, and the message must name the right line,
//! column and field, and say what to do.

use crate::internals::common::Edit;
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
    let dir = crate::internals::common::temp_dir("bad-input");
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
    let e = errors(&with("count = 2", "count = 2000000").edit("grid_mw = 20", "grid_mw = 1e9"));
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

/// Asserts exactly one issue, at `line:column`, on `field`, with exactly
/// `message`.
fn expect_exact(text: &str, line: usize, column: usize, field: &str, message: &str) {
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
    assert_eq!(issue.message, message, "{issue}");
}

#[test]
fn a_misspelled_key_in_load_is_only_the_misspelling() {
    // Issue 18 item 7: `utilization` defaults to 0.7, so a misspelled key
    // in [load] is one mistake, not also a missing key.
    let text = format!("{GOOD}\n[load]\nutilizaton = 0.7\n");
    expect_exact(
        &text,
        16,
        1,
        "load.utilizaton",
        "unknown key `utilizaton`; did you mean `utilization`?",
    );
    // [load] alone takes the default.
    let s = load_str(
        "case.toml",
        &format!("{GOOD}\n[load]\n"),
        None,
        &Overrides::default(),
    )
    .unwrap();
    let plain = load_str("case.toml", GOOD, None, &Overrides::default()).unwrap();
    assert_eq!(s.world.utilization, plain.world.utilization);
    assert_eq!(s.world.utilization, 0.7);
}

#[test]
fn a_flat_negative_price_is_refused_with_the_way_to_state_one() {
    // Issue 18 item 7.
    expect_exact(
        &with("pue = 1.2", "pue = 1.2\nprice = { usd_per_mwh = -60 }"),
        9,
        25,
        "sites[0].price.usd_per_mwh",
        "a flat price of -60 USD/MWh pays the site for every MWh it draws, all the time: almost always a sign typo; give the price as a positive number, and state negative hours on purpose in an hourly price file (hourly_csv) or in time-of-use bands (bands = [{ from_hour = 11, to_hour = 15, usd_per_mwh = -20 }])",
    );
    // Negative hours in a band are stated on purpose: accepted.
    let banded = with(
        "pue = 1.2",
        "pue = 1.2\nprice = { usd_per_mwh = 60, bands = [{ from_hour = 11, to_hour = 15, usd_per_mwh = -20 }] }",
    );
    load_str("case.toml", &banded, None, &Overrides::default()).unwrap();
}

#[test]
fn a_refused_custom_rack_is_reported_once_not_also_as_unknown() {
    // Issue 18 item 7: the rack is defined; its own problem is the only
    // message, not also "no rack is named" at the phase (nor at a job).
    let text = with(
        "[[sites]]",
        "[[racks]]\nname = \"my-rack\"\nchip = \"b200\"\nchips = 8\nnodes = 1\noverhead_kw = -3\nscaleout_gbit_per_s = 400\n\n[[sites]]",
    )
    .edit("rack = \"gb200-nvl72\"", "rack = \"my-rack\"")
        + "\n[[jobs]]\nname = \"j\"\nrack = \"my-rack\"\nchips = 8\nideal_duration = \"1d\"\n";
    expect_exact(
        &text,
        10,
        15,
        "racks[0].overhead_kw",
        "must be 0 or more, found -3 (non-chip power of the rack in kW)",
    );
    // A rack of a refused custom chip: the chip's problem only.
    let text = with(
        "[[sites]]",
        "[[chips]]\nname = \"my-chip\"\nbf16_tflops = -1\nhbm_gb = 10\nhbm_tb_per_s = 1\ntdp_w = 1000\nidle_w = 100\nscaleup_gb_per_s = 100\n\n[[racks]]\nname = \"my-rack\"\nchip = \"my-chip\"\nchips = 8\nnodes = 1\noverhead_kw = 3\nscaleout_gbit_per_s = 400\n\n[[sites]]",
    )
    .edit("rack = \"gb200-nvl72\"", "rack = \"my-rack\"");
    let e = errors(&text);
    assert_eq!(e.issues.len(), 1, "{e}");
    assert_eq!(e.issues[0].field, "chips[0].bf16_tflops", "{e}");
}

#[test]
fn durations_spelled_out_get_the_value_to_write() {
    // Issue 18 item 7, as "7yr" gets "7y".
    expect_exact(
        &with("duration = \"30d\"", "duration = \"30days\""),
        3,
        12,
        "duration",
        "unknown unit \"days\" in \"30days\"; did you mean \"30d\"? (units: us, ms, s, min, h, d, w, y)",
    );
    expect_exact(
        &with("duration = \"30d\"", "duration = \"1 month\""),
        3,
        12,
        "duration",
        "unknown unit \"month\" in \"1 month\": months differ in length, so give days (did you mean \"30d\"?) or years (units: us, ms, s, min, h, d, w, y)",
    );
    expect_exact(
        &with("duration = \"30d\"", "duration = \"2 hours\""),
        3,
        12,
        "duration",
        "unknown unit \"hours\" in \"2 hours\"; did you mean \"2h\"? (units: us, ms, s, min, h, d, w, y)",
    );
    expect_exact(
        &with("duration = \"30d\"", "duration = \"7yr\""),
        3,
        12,
        "duration",
        "unknown unit \"yr\" in \"7yr\"; did you mean \"7y\"? (units: us, ms, s, min, h, d, w, y)",
    );
}

#[test]
fn a_set_naming_an_unknown_entry_lists_the_names_that_exist() {
    // Issue 18 item 7.
    let overrides = Overrides {
        sets: vec!["sites.texsa.grid_mw=3".into()],
        seed: None,
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/two-sites.toml");
    let e = dcsim::scenario::load_file(&path, &overrides).expect_err("refused");
    assert_eq!(e.issues.len(), 1, "{e}");
    assert_eq!(
        e.issues[0].message,
        "`sites` has no entry named `texsa`; did you mean `texas`? (its entries are: ohio, texas)"
    );
}

#[test]
fn a_rack_model_swapped_under_a_contract_names_the_chip_type_to_add() {
    // Issue 18 item 7: plans/base.toml's second phase of 300 racks built
    // as GB200 NVL72 instead (300 × 72 = 21,600 GB200) leaves the
    // contract's gb300 at the first phase's 400 × 72 = 28,800 chips: the
    // fix is to name gb200 in chip_types.
    let overrides = Overrides {
        sets: vec!["sites.ohio.buildout[1].rack=gb200-nvl72".into()],
        seed: None,
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/plans/base.toml");
    let e = dcsim::scenario::load_file(&path, &overrides).expect_err("refused");
    assert_eq!(e.issues.len(), 1, "{e}");
    assert_eq!(e.issues[0].field, "contracts[0].ramp[1].chips");
    assert_eq!(
        e.issues[0].message,
        "commits 48000 chips, more than the build-outs ever deliver of chip types gb300: 28800; if those chips may serve it, add \"gb200\" (21600 chips built) to chip_types; else lower the commitment or build more"
    );
}
