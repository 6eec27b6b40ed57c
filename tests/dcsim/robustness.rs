//! Bad input never panics: random edits of a valid scenario (numbers
//! replaced by extreme values, lines dropped or duplicated, bytes inserted)
//! either validate, and then run to the end, or are refused with located
//! issues.

use dcsim::output::null::NullRecorder;
use dcsim::scenario::{Location, Overrides, load_str};
use proptest::prelude::*;

/// A small valid scenario exercising most sections (one week).
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
[[links]]
from = "a"
to = "b"
bandwidth_gbit_per_s = 400
latency = "5ms"
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
    let (_, summary) = dcsim::sim::run(&s, NullRecorder, &mut |_| {});
    assert!(summary.racks_commissioned > 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn edited_scenarios_validate_or_are_refused_with_locations(edits in prop::collection::vec(edit(), 1..8)) {
        let text = edits.iter().fold(BASE.to_string(), |t, e| apply(&t, e));
        match load_str("fuzz.toml", &text, None, &Overrides::default()) {
            Ok(scenario) => {
                let (_, summary) = dcsim::sim::run(&scenario, NullRecorder, &mut |_| {});
                prop_assert!(summary.energy_mwh.is_finite() && summary.energy_mwh >= 0.0);
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
