//! `dcsim sensitivity`: each `--vary` input alone at its low and its high
//! value, run in a local pool, ranked by how far it moves each figure.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::scenario::Overrides;
use crate::sensitivity::{DEFAULT_FIGURE, Input, Plan, SensitivityError, Tornado};

use super::{Failure, scenario_text};

/// The text after `dcsim sensitivity --help`'s options.
pub const AFTER_HELP: &str = "Writes <out>/sensitivity.csv (every --output figure's inputs ranked by swing,\n\
    with 95 % intervals when --replications > 1), tornado.png/.svg (the first figure's\n\
    tornado chart) and sensitivity.html. Replication r of every setting runs with the\n\
    seed of a sweep's replication r, so only the input changes between a pair of runs.";

/// The arguments of `dcsim sensitivity`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    pub scenario: Option<PathBuf>,
    /// An input and its low and high values, e.g. `--vary
    /// economics.discount_rate=0.06,0.10` (PATH as for --set). Repeatable.
    #[arg(long = "vary", value_name = "PATH=LOW,HIGH", required = true)]
    pub varies: Vec<String>,
    /// A figure of summary.csv to rank by (default npv_usd). Repeatable.
    #[arg(long = "output", value_name = "FIGURE")]
    pub outputs: Vec<String>,
    /// Runs of each setting, with different seeds.
    #[arg(long, default_value_t = 1)]
    pub replications: u32,
    /// Runs at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The folder (default: output/<scenario name>-sensitivity).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed of replication 0 (replaces the file's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Change one field of every run, as for `dcsim run`. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// No report on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Plans the runs, runs them, writes the ranking and prints it.
pub fn execute(a: Args) -> Result<(), Failure> {
    let Args {
        scenario,
        varies,
        outputs,
        replications,
        jobs,
        out,
        seed,
        sets,
        quiet,
    } = a;
    let jobs = super::jobs(jobs)?;
    let text = scenario_text(scenario.as_deref())?;
    let inputs = varies
        .iter()
        .map(|v| Input::parse(v).map_err(Failure::BadInput))
        .collect::<Result<Vec<_>, _>>()?;
    let figures = if outputs.is_empty() {
        vec![DEFAULT_FIGURE.to_string()]
    } else {
        outputs.to_vec()
    };
    let plan = Plan {
        scenario: text,
        sets,
        seed,
        inputs,
        replications,
        figures,
    };
    let name = plan
        .scenario
        .load(&Overrides {
            sets: plan.sets.clone(),
            seed: None,
        })?
        .run
        .name;
    let pool = crate::sweep::execute::pool(jobs)
        .map_err(|e| Failure::Internal(anyhow::anyhow!(e.to_string())))?;
    let total = (1 + 2 * plan.inputs.len()) * replications as usize;
    let results = plan
        .run(&pool, &|done| {
            if !quiet && std::io::stderr().is_terminal() {
                eprint!("\rsensitivity {name}: {done}/{total} runs");
            }
        })
        .map_err(|e| match e {
            SensitivityError::Scenario { setting, error } => {
                Failure::BadInput(format!("with {setting}:\n{error}"))
            }
            SensitivityError::BadInput(m) => Failure::BadInput(m),
        })?;
    if !quiet && std::io::stderr().is_terminal() {
        eprintln!();
    }
    let out = out.unwrap_or_else(|| Path::new("output").join(format!("{name}-sensitivity")));
    crate::output::sensitivity::write(&out, &name, &results).map_err(Failure::Output)?;
    if !quiet {
        print_ranking(&results, &out);
    }
    Ok(())
}

/// Each figure's inputs ranked by swing, and the files written.
fn print_ranking(results: &[Tornado], out: &Path) {
    for t in results {
        println!(
            "{}: base {}",
            t.figure,
            t.base
                .mean()
                .map_or("n/a".to_string(), |v| format!("{v:.6}"))
        );
        for (k, r) in t.rows.iter().enumerate() {
            let show = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.6}"));
            println!(
                "  {}. {} {} .. {}: {} .. {} (swing {})",
                k + 1,
                r.input.path,
                r.input.low,
                r.input.high,
                show(r.low.mean()),
                show(r.high.mean()),
                show(r.swing())
            );
        }
    }
    println!(
        "wrote {}/ sensitivity.csv, sensitivity.html, tornado.png, tornado.svg",
        out.display()
    );
}
