//! `dcsim sweep`: a scenario under every combination of the `--vary` values,
//! replicated, in a local pool (or one shard of it), with a progress bar and
//! a line on what was written.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::sweep::execute::{self, Options};
use crate::sweep::shard::Shard;
use crate::sweep::{Definition, Vary};

use super::{Failure, scenario_text};

/// The text after `dcsim sweep --help`'s options.
pub const AFTER_HELP: &str = "Writes <out>/runs/<id>/ (each run's files, as dcsim run writes them, and run.json),\n\
    then <out>/sweep.html (the table and every chart on one page), sweep.json, sweep.csv,\n\
    sweep_summary.csv and sweep_<figure>.png/.svg.\n\
    Run ids count in the order of the --vary arguments, the last varying fastest, then by\n\
    replication. Replication 0 runs with the scenario's seed (or --seed); replication r > 0\n\
    with splitmix64(seed + r * 0x9E3779B97F4A7C15). Runs already complete in <out> (same\n\
    run.json) are kept: the same command run again after an interruption finishes the sweep.\n\
    With --shard I/N, only runs k with k mod N = I, and <out>/shard.json instead of the\n\
    sweep's files; dcsim merge combines the shards.";

/// The arguments of `dcsim sweep`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    pub scenario: Option<PathBuf>,
    /// A field and its values, e.g. `--vary sites[0].grid_mw=300,450`
    /// (PATH as for --set; values split at commas outside brackets and
    /// quotes). Repeatable: the runs are every combination.
    #[arg(long = "vary", value_name = "PATH=V1,V2,...")]
    pub varies: Vec<String>,
    /// Runs of each combination, with different seeds.
    #[arg(long, default_value_t = 1)]
    pub replications: u32,
    /// Runs at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Run only shard I of N (runs k with k mod N = I), e.g. `--shard
    /// $SLURM_ARRAY_TASK_ID/8`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// The sweep's folder (default: output/<scenario name>-sweep, or
    /// output/<scenario name>-sweep-shard-I-of-N).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed of replication 0 (replaces the file's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Change one field of every run, as for `dcsim run`. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// No progress bar and no report on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The sweep of `scenario` (the built-in default without one) under the
/// `--vary` arguments.
pub fn sweep_definition(
    scenario: Option<&Path>,
    varies: &[String],
    replications: u32,
    seed: Option<u64>,
    sets: Vec<String>,
) -> Result<Definition, Failure> {
    let text = scenario_text(scenario)?;
    let varies = varies
        .iter()
        .map(|v| Vary::parse(v).map_err(Failure::BadInput))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Definition {
        scenario: text,
        sets,
        seed,
        varies,
        replications,
    })
}

/// Plans the sweep of `a`, runs its runs (those of its shard) and writes
/// its files.
pub fn execute(a: &Args) -> Result<(), Failure> {
    let jobs = super::jobs(a.jobs)?;
    let shard = a
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(Failure::BadInput)?;
    let definition = sweep_definition(
        a.scenario.as_deref(),
        &a.varies,
        a.replications,
        a.seed,
        a.sets.clone(),
    )?;
    let pool = execute::pool(jobs)?;
    let plan = execute::plan(&definition, &pool)?;
    let out = a.out.clone().unwrap_or_else(|| {
        Path::new("output").join(match shard {
            Some(s) => format!("{}-sweep-shard-{}-of-{}", plan.scenario, s.index, s.count),
            None => format!("{}-sweep", plan.scenario),
        })
    });
    // A run's or a comparison's folder: the sweep's set would remove its files.
    for (file, what) in [("summary.csv", "a run"), ("comparison.csv", "a comparison")] {
        if std::fs::symlink_metadata(out.join(file)).is_ok() {
            return Err(Failure::BadInput(format!(
                "--out {}: the folder holds {what}'s output ({file}), which a sweep's files would replace: choose another folder",
                out.display()
            )));
        }
    }
    let selected = plan
        .runs
        .iter()
        .enumerate()
        .filter(|(k, _)| shard.is_none_or(|s| s.holds(*k)))
        .count();
    let bar = if a.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(1000 * selected as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} [{bar:40}] {percent}% ({elapsed}, about {eta} left)",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        b.set_message(format!("sweep {}: 0/{selected} runs", plan.scenario));
        b
    };
    let options = Options {
        shard,
        out: out.clone(),
    };
    let name = plan.scenario.clone();
    let report = execute::run(&definition, &plan, &options, &pool, &|done, finished| {
        bar.set_position(done);
        bar.set_message(format!("sweep {name}: {finished}/{selected} runs"));
    });
    bar.finish_and_clear();
    let report = report?;
    if !a.quiet {
        let combos = plan.combinations();
        let what = match shard {
            Some(s) => format!(
                "shard {s} of sweep {name}: {selected} of {} runs",
                plan.runs.len()
            ),
            None => format!(
                "sweep {name}: {} runs ({combos} combination(s) x {} replication(s))",
                plan.runs.len(),
                plan.replications
            ),
        };
        println!(
            "{what}, {jobs} at a time: ran {}, kept {} already complete",
            report.ran.len(),
            report.kept.len()
        );
        match shard {
            Some(_) => println!(
                "wrote {}/ shard.json and runs/<id>/; merge the shards with dcsim merge DIR... --out OUT",
                out.display()
            ),
            None => println!(
                "wrote {}/ runs/<id>/, sweep.html, sweep.json, sweep.csv, sweep_summary.csv and charts",
                out.display()
            ),
        }
    }
    Ok(())
}
