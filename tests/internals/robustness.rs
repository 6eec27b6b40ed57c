//! Bad input never panics: random edits of a valid scenario (numbers
//! replaced by extreme values, lines dropped or duplicated, bytes inserted)
//! either validate, and then run to the end, or are refused with located
//! issues. The hourly CSVs a scenario names are fuzzed the same way.
//! `DCSIM_FUZZ_CASES` sets the number of cases, as for every target in
//! `fuzz`.

use dcsim::output::memory::MemoryRecorder;
use dcsim::output::null::NullRecorder;
use dcsim::scenario::{Location, Overrides, load_str};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// A small valid scenario exercising most sections (one week), training
/// jobs included: all-reduces, a job spanning sites, a stream, software
/// faults, and racks retiring under running jobs; and a service that
/// autoscales, preempts training and has a request-level window.
const BASE: &str = r#"name = "fuzz"
start = "2026-01-01"
duration = "7d"
sample_every = "6h"
seed = 5
[load]
utilization = 0.6
[spares]
swap_time = "2h"
[failures.gpu]
rate_per_million_hours = 500
lifetime = "weibull"
weibull_shape = 0.8
repair = { kind = "lognormal", median = "3h", sigma = 0.5 }
[failures.rack_power]
rate_per_million_hours = 2000
[failures.switch_cable]
rate_per_million_hours = 300
[failures.software]
rate_per_million_hours = 5000
[[sites]]
name = "a"
grid_mw = 3
pue_monthly = [1.1, 1.1, 1.2, 1.2, 1.3, 1.3, 1.4, 1.4, 1.3, 1.2, 1.1, 1.1]
power_oversubscription = 1.3
end_of_life = "3d"
[sites.price]
usd_per_mwh = 40
[[sites.price.bands]]
days = "weekdays"
from_hour = 8
to_hour = 20
usd_per_mwh = 90
[sites.carbon]
kg_per_mwh = 300
[[sites.grid_upgrades]]
date = "2026-01-04"
grid_mw = 5
[[sites.buildout]]
rack = "gb200-nvl72"
count = 10
date = "2026-01-01"
spare_nodes = 3
delay = { kind = "uniform", min = "0h", max = "30h" }
[[sites.buildout]]
rack = "hgx-h100"
count = 20
date = "2026-01-02"
[[sites]]
name = "b"
grid_mw = 2
pue = 1.2
when_grid_full = "refuse"
[[sites.buildout]]
rack = "trn2-ultraserver"
count = 20
date = "2026-01-03"
[[sites.buildout]]
rack = "hgx-h100"
count = 4
date = "2026-01-01"
[[links]]
from = "a"
to = "b"
bandwidth_gbit_per_s = 400
latency = "5ms"
[[jobs]]
name = "wide"
rack = "hgx-h100"
chips = 640
params = 1e9
tokens = 1e12
batch_tokens = 1e6
multi_site = true
checkpoint_every = "young-daly"
[[jobs]]
name = "nvl"
submit = "6h"
rack = "gb200-nvl72"
chips = 144
ideal_duration = "2d"
step_time = "2s"
gradient_bytes = 1e10
priority = 2
[[arrivals]]
name = "stream"
rack = "hgx-h100"
rate_per_day = 10
chips = [8, 32, 96]
ideal_duration = { kind = "uniform", min = "1h", max = "10h" }
step_time = "1s"
gradient_bytes = 1e9
multi_site = true
[serving]
epoch = "30min"
[[services]]
name = "chat"
model = "llama-3.1-8b"
rack = "hgx-h100"
input_tokens = 800
output_tokens = 200
output_tokens_cv = 1.1
rate_per_s = 40
growth = { kind = "exponential", per_year = 2.0 }
diurnal = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]
noise_sigma = 0.2
min_replicas = 1
max_replicas = 40
scale_up_delay = "20min"
beyond_capacity = "backlog"
preempt_training = true
priority = 5
[[request_windows]]
service = "chat"
start = "30h"
duration = "5min"
requests_csv = true
[[racks]]
name = "trn2-ultraserver"
price_usd = 2000000
[economics]
discount_rate = 0.1
[economics.capex]
progress_months = 2
network_share = 0.2
facility_usd_per_mw = 1e7
server_life = "30d"
[economics.financing]
loan_share = 0.5
rate = 0.08
term = "40d"
[economics.opex]
maintenance_share_per_year = 0.05
staff_usd_per_mw_year = 100000
[[economics.fixed_costs]]
name = "rent"
site = "a"
usd_per_year = 1000000
[[contracts]]
name = "c"
chip_types = ["h100", "gb200"]
ramp = [{ date = "2026-01-02", chips = 64 }, { date = "2026-01-04", chips = 200 }]
term = "5d"
price_usd_per_chip_hour = 2
billing = "pay_per_use"
[contracts.sla]
availability = 0.99
credits = [{ below = 0.99, credit = 0.1 }, { below = 0.9, credit = 0.5 }]
[[contracts]]
name = "d"
chip_types = ["trainium2"]
mw = 0.01
term = "6d"
total_value_usd = 1e6
[on_demand]
price_usd_per_chip_hour = 3
utilization = 0.5
"#;

const EXTREMES: [&str; 14] = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "4294967296",
    "18446744073709551616",
    "0.5",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "true",
];

#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value of line `line` (after `=`) by an extreme.
    Value(usize, usize),
    /// Drop a line.
    Drop(usize),
    /// Duplicate a line.
    Duplicate(usize),
    /// Insert a character at a byte position.
    Insert(usize, char),
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len();
    match *edit {
        Edit::Value(l, v) => {
            let line = &mut lines[l % n];
            if let Some(eq) = line.find('=') {
                *line = format!("{}= {}", &line[..eq], EXTREMES[v % EXTREMES.len()]);
            }
        }
        Edit::Drop(l) => {
            lines.remove(l % n);
        }
        Edit::Duplicate(l) => {
            let copy = lines[l % n].clone();
            lines.insert(l % n, copy);
        }
        Edit::Insert(at, c) => {
            let mut s = lines.join("\n");
            let mut at = at % (s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            s.insert(at, c);
            return s;
        }
    }
    lines.join("\n")
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>()).prop_map(|(l, v)| Edit::Value(l, v)),
        1 => any::<usize>().prop_map(Edit::Drop),
        1 => any::<usize>().prop_map(Edit::Duplicate),
        1 => (any::<usize>(), prop::char::any()).prop_map(|(a, c)| Edit::Insert(a, c)),
    ]
}

#[test]
fn the_base_scenario_runs() {
    let s = load_str("fuzz.toml", BASE, None, &Overrides::default()).unwrap();
    let (rec, summary) = dcsim::sim::run(&s, MemoryRecorder::default(), &mut |_| {});
    assert!(summary.racks_commissioned > 0);
    let e = summary.economics.expect("books");
    // A one-month run: the loan is drawn, its first instalment falls after.
    assert!(e.capex_usd > 0.0 && e.revenue_usd > 0.0 && e.debt_outstanding_usd > 0.0);
    assert_eq!(rec.contracts.len(), 2);
}

/// 300 cases (or `DCSIM_FUZZ_CASES`), the failures found so far kept in
/// `tests/proptest-regressions/robustness.txt` and tried first by every run.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: crate::internals::fuzz::cases(300),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/robustness.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn edited_scenarios_validate_or_are_refused_with_locations(edits in prop::collection::vec(edit(), 1..8)) {
        let text = edits.iter().fold(BASE.to_string(), |t, e| apply(&t, e));
        match load_str("fuzz.toml", &text, None, &Overrides::default()) {
            Ok(scenario) => {
                let (rec, summary) = dcsim::sim::run(&scenario, MemoryRecorder::default(), &mut |_| {});
                prop_assert!(summary.energy_mwh.is_finite() && summary.energy_mwh >= 0.0);
                // Money is never NaN or infinite.
                if let Some(e) = &summary.economics {
                    let figures = [e.capex_usd, e.revenue_usd, e.opex_usd, e.ebitda_usd, e.ebit_usd, e.depreciation_usd, e.interest_usd, e.net_cash_usd, e.npv_usd, e.book_value_usd, e.debt_outstanding_usd, e.sla_credits_usd];
                    prop_assert!(figures.iter().all(|x| x.is_finite()), "{:?}", e);
                    prop_assert!(e.irr.is_none_or(f64::is_finite));
                    for m in &rec.monthly {
                        prop_assert!(m.cash_flow_usd.is_finite() && m.cumulative_cash_usd.is_finite(), "{:?}", m);
                    }
                }
            }
            Err(e) => {
                prop_assert!(!e.issues.is_empty());
                for issue in &e.issues {
                    let located = matches!(&issue.location, Location::File { line, column, .. } if *line >= 1 && *column >= 1);
                    prop_assert!(located, "unlocated: {}", issue);
                    prop_assert!(!issue.message.is_empty());
                }
            }
        }
    }
}

/// The scenario the CSV fuzz loads: one site priced by `prices.csv` and
/// with its carbon from `carbon.csv`.
const CSV_SCENARIO: &str = r#"name = "fuzz-csv"
start = "2026-01-01"
duration = "3d"
sample_every = "6h"
[[sites]]
name = "a"
grid_mw = 3
pue = 1.2
[sites.price]
hourly_csv = "prices.csv"
[sites.carbon]
hourly_csv = "carbon.csv"
[[sites.buildout]]
rack = "hgx-h100"
count = 10
date = "2026-01-01"
"#;

const PRICES: &str = "timestamp,usd_per_mwh
2025-12-31 23:00,40
2026-01-01 08:00,95.5
2026-01-01T20:00:00,-12
2026-01-02,38
2026-01-02 13:00,1e3
";

const CARBON: &str = "timestamp,kg_per_mwh
2026-01-01,300
2026-01-01 12:00,150
2026-01-02 00:00,410
";

/// Values a CSV field is replaced with.
const CSV_EXTREMES: [&str; 14] = [
    "1.7e308",
    "-1.7e308",
    "1e12",
    "1.0000001e12",
    "nan",
    "inf",
    "-0",
    "",
    "x",
    "\"4,2\"",
    "2026-13-01 00:00",
    "2026-01-01 00:30",
    "9999-01-01",
    "1e-320",
];

#[derive(Debug, Clone)]
enum CsvEdit {
    /// Replace field `field` of line `line` by an extreme.
    Field(usize, usize, usize),
    /// Drop a line.
    Drop(usize),
    /// Duplicate a line.
    Duplicate(usize),
    /// Insert a character at a byte position.
    Insert(usize, char),
}

fn apply_csv(text: &str, edit: &CsvEdit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len();
    match *edit {
        CsvEdit::Field(l, f, v) => {
            let line = &mut lines[l % n];
            let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
            let k = f % fields.len();
            fields[k] = CSV_EXTREMES[v % CSV_EXTREMES.len()].to_string();
            *line = fields.join(",");
        }
        CsvEdit::Drop(l) => {
            lines.remove(l % n);
        }
        CsvEdit::Duplicate(l) => {
            let copy = lines[l % n].clone();
            lines.insert(l % n, copy);
        }
        CsvEdit::Insert(at, c) => {
            let mut s = lines.join("\n");
            let mut at = at % (s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            s.insert(at, c);
            return s;
        }
    }
    lines.join("\n") + "\n"
}

fn csv_edit() -> impl Strategy<Value = CsvEdit> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(l, f, v)| CsvEdit::Field(l, f, v)),
        1 => any::<usize>().prop_map(CsvEdit::Drop),
        1 => any::<usize>().prop_map(CsvEdit::Duplicate),
        1 => (any::<usize>(), prop::char::any()).prop_map(|(a, c)| CsvEdit::Insert(a, c)),
    ]
}

#[test]
fn the_base_csv_scenario_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prices.csv"), PRICES).unwrap();
    std::fs::write(dir.path().join("carbon.csv"), CARBON).unwrap();
    let s = load_str(
        "fuzz.toml",
        CSV_SCENARIO,
        Some(dir.path()),
        &Overrides::default(),
    )
    .unwrap();
    let (_, summary) = dcsim::sim::run(&s, NullRecorder, &mut |_| {});
    assert!(summary.energy_cost_usd != 0.0 && summary.carbon_tco2e > 0.0);
}

proptest! {
    #![proptest_config(config())]

    /// Edited hourly CSVs (issue 7 item 4): the scenario validates, and runs
    /// to finite figures, or every problem is located in a file.
    #[test]
    fn edited_hourly_csvs_validate_or_are_refused_with_locations(
        price_edits in prop::collection::vec(csv_edit(), 0..6),
        carbon_edits in prop::collection::vec(csv_edit(), 0..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let prices = price_edits.iter().fold(PRICES.to_string(), |t, e| apply_csv(&t, e));
        let carbon = carbon_edits.iter().fold(CARBON.to_string(), |t, e| apply_csv(&t, e));
        std::fs::write(dir.path().join("prices.csv"), &prices).unwrap();
        std::fs::write(dir.path().join("carbon.csv"), &carbon).unwrap();
        match load_str("fuzz.toml", CSV_SCENARIO, Some(dir.path()), &Overrides::default()) {
            Ok(scenario) => {
                let (_, summary) = dcsim::sim::run(&scenario, NullRecorder, &mut |_| {});
                prop_assert!(summary.energy_cost_usd.is_finite());
                prop_assert!(summary.carbon_tco2e.is_finite() && summary.carbon_tco2e >= 0.0);
            }
            Err(e) => {
                prop_assert!(!e.issues.is_empty());
                for issue in &e.issues {
                    let located = matches!(&issue.location, Location::File { line, column, .. } if *line >= 1 && *column >= 1);
                    prop_assert!(located, "unlocated: {}", issue);
                    prop_assert!(!issue.message.is_empty());
                }
            }
        }
    }
}
