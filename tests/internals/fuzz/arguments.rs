//! `--set PATH=VALUE` and `--vary PATH=V1,V2,…` arguments: paths and values
//! built from the scenario's own fields and from extremes, then mutated.
//! A `--set` either validates (and the scenario runs to finite figures) or
//! every problem is located at its argument or in the file; a `--vary`
//! either parses and plans (one run per combination and replication, ids
//! that name no path) or is refused naming `--vary`, every problem one line.

use dcsim::output::null::NullRecorder;
use dcsim::scenario::{Location, Overrides, ScenarioText, load_str};
use dcsim::sweep::{Definition, SweepError, Vary, is_run_id};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{EXTREMES, check_message};

/// Two sites with named entries, a job and a service, two days.
const SCENARIO: &str = r#"name = "args"
start = "2026-01-01"
duration = "2d"
sample_every = "6h"
seed = 3
[load]
utilization = 0.7
[failures.gpu]
rate_per_million_hours = 2000
[[sites]]
name = "a"
grid_mw = 5
pue = 1.2
[sites.price]
usd_per_mwh = 60
[[sites.buildout]]
rack = "hgx-h100"
count = 4
date = "2026-01-01"
[[sites]]
name = "b"
grid_mw = 3
pue_monthly = [1.1, 1.1, 1.2, 1.2, 1.3, 1.3, 1.4, 1.4, 1.3, 1.2, 1.1, 1.1]
[[sites.buildout]]
rack = "gb200-nvl72"
count = 2
date = "2026-01-01"
[[jobs]]
name = "j"
rack = "hgx-h100"
chips = 16
ideal_duration = "10h"
[[services]]
name = "chat"
model = "llama-3.1-8b"
rack = "gb200-nvl72"
input_tokens = 800
output_tokens = 200
rate_per_s = 20
min_replicas = 1
max_replicas = 8
"#;

/// Paths of the scenario's fields (and of whole tables and arrays).
const PATHS: [&str; 28] = [
    "name",
    "start",
    "duration",
    "seed",
    "sample_every",
    "load.utilization",
    "failures.gpu.rate_per_million_hours",
    "failures.gpu",
    "sites[0].grid_mw",
    "sites.a.pue",
    "sites.b.pue_monthly",
    "sites.b.pue_monthly[3]",
    "sites[1].buildout[0].count",
    "sites.a.buildout[0].rack",
    "sites.a.buildout[0].date",
    "sites[0].price.usd_per_mwh",
    "sites[0].price",
    "sites",
    "sites[0]",
    "jobs[0].chips",
    "jobs.j.ideal_duration",
    "jobs",
    "services.chat.rate_per_s",
    "services[0].max_replicas",
    "services.chat.model",
    "output.failures_log",
    "extends",
    "economics.discount_rate",
];

/// Changes to a path: a suffix or a broken spelling.
const PATH_EDITS: [&str; 16] = [
    "",
    "[0]",
    "[2]",
    "[99]",
    "[18446744073709551615]",
    "[18446744073709551616]",
    "[-1]",
    "[",
    "]",
    ".x",
    "..x",
    ".",
    "[0].name",
    ".a.b.c",
    " ",
    "\u{0}",
];

/// Values as TOML and not: everything `--set` may meet.
const VALUES: [&str; 22] = [
    "[1, 2, [3]]",
    "[1.2, \"x\"]",
    "{ a = 1 }",
    "{ name = \"c\", grid_mw = 1 }",
    "[{ rack = \"hgx-h100\", count = 1, date = \"2026-01-01\" }]",
    "\"\\u0000\"",
    "'''a\nb'''",
    "\"unterminated",
    "1979-05-27T07:32:00Z",
    "+nan",
    "\"2026-02-30\"",
    "\"1e9d\"",
    "\"-5h\"",
    "\"hgx-h100\"",
    "\"defer\"",
    "=",
    "a=b",
    "[[",
    "{",
    "\"\u{1b}[31m\"",
    "\"\u{2028}\"",
    "100000000",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => (0..EXTREMES.len()).prop_map(|i| EXTREMES[i].to_string()),
        2 => (0..VALUES.len()).prop_map(|i| VALUES[i].to_string()),
        1 => "[ -~]{0,12}",
        1 => (1usize..2000).prop_map(|n| "9".repeat(n)),
        1 => any::<f64>().prop_map(|x| x.to_string()),
        1 => any::<i64>().prop_map(|x| x.to_string()),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (0..PATHS.len(), 0..PATH_EDITS.len())
            .prop_map(|(p, e)| format!("{}{}", PATHS[p], PATH_EDITS[e])),
        1 => "[a-z\\[\\]0-9._ -]{0,16}",
    ]
}

/// An argument `PATH=VALUE`, sometimes without `=`, sometimes with a
/// character inserted anywhere.
fn set_argument() -> impl Strategy<Value = String> {
    (path(), value(), 0u8..10, any::<usize>(), any::<char>()).prop_map(
        |(path, value, shape, at, c)| {
            let mut arg = match shape {
                0 => path,
                1 => format!("{path} = {value}"),
                _ => format!("{path}={value}"),
            };
            if shape == 9 {
                let mut i = at % (arg.len() + 1);
                while !arg.is_char_boundary(i) {
                    i -= 1;
                }
                arg.insert(i, c);
            }
            arg
        },
    )
}

/// Checks a validation outcome of the scenario with `sets`.
fn check_outcome(
    outcome: Result<dcsim::scenario::Scenario, dcsim::scenario::ScenarioError>,
    sets: &[String],
    varies: &[String],
) -> Result<(), TestCaseError> {
    let allowance = sets
        .iter()
        .chain(varies)
        .map(|a| a.len() * 2)
        .sum::<usize>();
    match outcome {
        Ok(scenario) => {
            let (_, summary) = dcsim::sim::run(&scenario, NullRecorder, &mut |_| {});
            prop_assert!(summary.energy_mwh.is_finite() && summary.energy_mwh >= 0.0);
            prop_assert!(summary.energy_cost_usd.is_finite());
        }
        Err(e) => {
            prop_assert!(!e.issues.is_empty());
            for issue in &e.issues {
                let located = match &issue.location {
                    Location::File { file, line, column } => {
                        file == "args.toml" && *line >= 1 && *column >= 1
                    }
                    Location::SetArgument { argument } => sets.contains(argument),
                    Location::VaryArgument { argument, .. } => varies.contains(argument),
                    Location::WholeFile { .. } => false,
                };
                prop_assert!(located, "unlocated: {issue}");
                check_message(
                    &issue.to_string(),
                    &["args.toml", "--set", "--vary"],
                    allowance,
                )?;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(super::config(96, file!()))]

    /// `--set` arguments, one to three, on a valid scenario.
    #[test]
    fn set_arguments_validate_or_are_located(
        sets in prop::collection::vec(set_argument(), 1..4),
        seed in prop::option::of(any::<u64>()),
    ) {
        let overrides = Overrides { sets: sets.clone(), seed };
        check_outcome(load_str("args.toml", SCENARIO, None, &overrides), &sets, &[])?;
    }

    /// `--vary` arguments: parsed, then the sweep planned (every
    /// combination validated) with a `--set` and replications.
    #[test]
    fn vary_arguments_plan_or_are_refused(
        varies in prop::collection::vec(
            (path(), prop::collection::vec(value(), 1..4), 0u8..8, any::<usize>(), any::<char>()),
            1..3,
        ),
        set in prop::option::of(set_argument()),
        replications in 0u32..3,
    ) {
        let arguments: Vec<String> = varies
            .into_iter()
            .map(|(path, values, shape, at, c)| {
                let mut arg = match shape {
                    0 => format!("{path}={}", values.join(",,")),
                    1 => format!("{path}={},", values.join(",")),
                    2 => format!("{path}={},{}", values.join(","), values[0]),
                    _ => format!("{path}={}", values.join(",")),
                };
                if shape == 7 {
                    let mut i = at % (arg.len() + 1);
                    while !arg.is_char_boundary(i) {
                        i -= 1;
                    }
                    arg.insert(i, c);
                }
                arg
            })
            .collect();
        let mut parsed = Vec::new();
        for a in &arguments {
            match Vary::parse(a) {
                Ok(v) => {
                    prop_assert!(!v.values.is_empty());
                    // What a sweep records parses back to the same.
                    let again = Vary::parse(&v.argument());
                    prop_assert_eq!(again.as_ref(), Ok(&v));
                    parsed.push(v);
                }
                Err(m) => {
                    check_message(&m, &["--vary"], a.len() * 2)?;
                    return Ok(());
                }
            }
        }
        let sets: Vec<String> = set.into_iter().collect();
        let text = ScenarioText {
            shown: "args.toml".into(),
            text: SCENARIO.into(),
            path: None,
        };
        let definition = Definition {
            scenario: text.clone(),
            sets: sets.clone(),
            seed: None,
            varies: parsed.clone(),
            replications,
        };
        match definition.plan(&|all| all.iter().map(|o| text.load(o)).collect()) {
            Ok(plan) => {
                let combinations: usize = parsed.iter().map(|v| v.values.len()).product();
                prop_assert_eq!(plan.runs.len(), combinations * replications as usize);
                prop_assert!(plan.runs.iter().all(|r| is_run_id(&r.id)));
            }
            Err(SweepError::Scenario(e)) => {
                let mut named = arguments.clone();
                named.extend(parsed.iter().map(Vary::argument));
                check_outcome(Err(e), &sets, &named)?;
            }
            Err(SweepError::BadInput(m)) => {
                let allowance = arguments.iter().map(|a| a.len() * 2).sum::<usize>();
                check_message(&m, &["--vary", "--replications"], allowance)?;
            }
            Err(other) => prop_assert!(false, "not a bad-input error: {other}"),
        }
    }
}
