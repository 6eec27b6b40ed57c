//! The command line's argument types, one file per subcommand, and what
//! they share: the top-level `Cli` and its `Command`s, how a command
//! fails (`Failure`, mapped to an exit code by `main`), and the helpers
//! several subcommands use. Each subcommand's file holds its arguments
//! (`Args`) and an `execute` that calls the library and prints what the
//! terminal shows.

pub(crate) mod bench;
mod catalog;
mod compare;
mod merge;
mod replay;
mod run;
mod sensitivity;
mod sweep;
mod validate;
mod validate_figures;

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::report::ReportInputs;
use crate::output::set::OutputError;
use crate::scenario::{self, Overrides, Scenario, ScenarioError, ScenarioText};
use crate::sweep::SweepError;

const EXAMPLES: &str = "\
Examples:
  dcsim run                                   run the built-in default scenario
  dcsim run scenarios/two-sites.toml          run a scenario file
  dcsim run scenarios/two-sites.toml --seed 7 --set sites.ohio.grid_mw=450
  dcsim validate scenarios/*.toml             check files without running them
  dcsim catalog                               list built-in chips, racks, failure classes
  dcsim catalog --format csv --only chips     the chips as CSV
  dcsim bench phold                           engine benchmark against a bare binary heap
  dcsim bench scale                           416,000 chips over seven years: time and memory
  dcsim bench training                        the same with ~20,000 training jobs, against without
  dcsim bench backlog                         the same with a backed-up queue, against as shipped
  dcsim replay data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv \
      --model llama-2-7b --chip h100 --replicas 2 --ttft-slo 2s --tpot-slo 100ms
                                              replay an LLM request trace on serving replicas
  dcsim bench serve                           the Azure conversation trace, request by request
  dcsim bench economics                       the default run with its books, against without
  dcsim bench charts                          the default run with its charts and report, against without
  dcsim sweep scenarios/minimal.toml --vary sites[0].grid_mw=10,20 --replications 5
                                              10 runs in parallel, their table and charts
  dcsim sweep scenarios/minimal.toml --vary load.utilization=0.5,0.7 --shard 0/3 --out /abs/s0
                                              shard 0 of 3 of a sweep (a Slurm array task)
  dcsim merge /abs/s0 /abs/s1 /abs/s2 --out /abs/sweep
                                              the shards merged: the same files as one sweep
  dcsim compare output/default output/minimal runs side by side: table, charts, HTML page
  dcsim bench sweep                           2 plans x 10 replications with 1 thread, then 2

Exit codes: 0 success, 1 output not written or internal error, 2 bad input (scenario,
arguments or input files), 130 / 143 interrupted by SIGINT / SIGTERM, 129 by SIGHUP.";

/// A discrete-event simulator of AI datacenters over the life of a capacity
/// contract: training and inference workloads, the economics (capex,
/// revenue, SLA credits, NPV), build-out, power, network and failures.
#[derive(Parser, Debug)]
#[command(name = "dcsim", version, after_help = EXAMPLES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; each is handled by the file of its name.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Run a scenario and write its CSV files, charts and report.
    #[command(after_help = run::AFTER_HELP)]
    Run(run::Args),
    /// Run a scenario under every combination of the --vary values, each
    /// replicated, in parallel; gather their summaries, means and 95 %
    /// intervals, and charts.
    #[command(after_help = sweep::AFTER_HELP)]
    Sweep(sweep::Args),
    /// Which input moves a figure most: each --vary input run alone at its
    /// low and its high value (in parallel, seeded alike), ranked by swing.
    #[command(after_help = sensitivity::AFTER_HELP)]
    Sensitivity(sensitivity::Args),
    /// Merge the folders of a sharded sweep (dcsim sweep --shard I/N) into
    /// one: the same files as the sweep run in one place.
    Merge(merge::Args),
    /// Compare finished runs: their summaries side by side, a chart per
    /// headline figure, time series, and an HTML page with all of them.
    #[command(after_help = compare::AFTER_HELP)]
    Compare(compare::Args),
    /// Check scenario files without running them: prints `ok` or every problem.
    Validate(validate::Args),
    /// Compare dcsim with published measurements (docs/validation.md): prints
    /// one table and writes validation.csv, validation.html and the chart.
    ValidateFigures(validate_figures::Args),
    /// List the built-in chips, racks and failure classes with their sources.
    Catalog(catalog::Args),
    /// Replay an LLM request trace (Azure or Mooncake) request by request on
    /// serving replicas that batch continuously; print latency statistics.
    #[command(after_help = replay::AFTER_HELP)]
    Replay(replay::Args),
    /// Performance benchmarks.
    Bench {
        #[command(subcommand)]
        which: bench::Bench,
    },
}

impl Command {
    /// Whether the command writes files, which an interrupt must not leave
    /// half written ([`clean_up_on_interrupt`]).
    pub fn writes_files(&self) -> bool {
        match self {
            Command::Run(_)
            | Command::Sweep(_)
            | Command::Merge(_)
            | Command::Compare(_)
            | Command::Sensitivity(_)
            | Command::Replay(_)
            | Command::ValidateFigures(_) => true,
            Command::Validate(_) | Command::Catalog(_) => false,
            Command::Bench { which } => which.writes_files(),
        }
    }
}

/// How a command failed.
pub(crate) enum Failure {
    /// The user's input is wrong (exit 2).
    BadInput(String),
    /// The output files could not be written (exit 1).
    Output(OutputError),
    /// Something went wrong that is not the user's fault (exit 1).
    Internal(anyhow::Error),
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure::BadInput(e.to_string())
    }
}

impl From<SweepError> for Failure {
    fn from(e: SweepError) -> Self {
        match e {
            SweepError::Scenario(e) => Failure::BadInput(e.to_string()),
            SweepError::BadInput(m) => Failure::BadInput(m),
            SweepError::Output(e) => Failure::Output(e),
            SweepError::Internal(m) => Failure::Internal(anyhow::anyhow!(m)),
        }
    }
}

/// On SIGINT, SIGTERM or SIGHUP (a closed terminal, a dropped ssh
/// session): remove the output being staged (the target folders keep their
/// previous sets) and exit 128 + the signal (130, 143, 129).
pub(crate) fn clean_up_on_interrupt() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            crate::output::set::abandon_all();
            let name = match signal {
                SIGINT => "SIGINT",
                SIGHUP => "SIGHUP",
                _ => "SIGTERM",
            };
            eprintln!(
                "\ndcsim: interrupted ({name}); the files being written were removed, the output folder keeps its previous files"
            );
            std::process::exit(128 + signal);
        }
    });
}

pub(crate) fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Scenario, ScenarioError> {
    match path {
        Some(p) => scenario::load_file(p, overrides),
        None => scenario::load_str(
            scenario::DEFAULT_SCENARIO_LABEL,
            scenario::DEFAULT_SCENARIO,
            None,
            overrides,
        ),
    }
}

/// The text of `path`, or of the built-in default scenario without one.
pub(crate) fn scenario_text(path: Option<&Path>) -> Result<ScenarioText, ScenarioError> {
    match path {
        Some(p) => ScenarioText::read(p),
        None => Ok(ScenarioText::builtin_default()),
    }
}

/// Runs at once: `--jobs`, at least 1, or the number of cores.
pub(crate) fn jobs(jobs: Option<usize>) -> Result<usize, Failure> {
    match jobs {
        Some(0) => Err(Failure::BadInput("--jobs must be at least 1".into())),
        Some(j) => Ok(j),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// What report.html shows as the scenario: its label and text, and the
/// command line's changes to it.
pub(crate) fn report_inputs(
    scenario: &Scenario,
    path: Option<&Path>,
    overrides: &Overrides,
) -> ReportInputs {
    let (label, text) = match path {
        Some(p) => {
            let text = crate::input::read_regular_file(p, crate::input::MAX_SCENARIO_BYTES, "")
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_else(|e| format!("(the file could not be read again: {e})"));
            (p.display().to_string(), text)
        }
        None => (
            scenario::DEFAULT_SCENARIO_LABEL.to_string(),
            scenario::DEFAULT_SCENARIO.to_string(),
        ),
    };
    let mut changes: Vec<String> = overrides
        .sets
        .iter()
        .map(|s| format!("--set {s}"))
        .collect();
    if let Some(seed) = overrides.seed {
        changes.push(format!("--seed {seed}"));
    }
    ReportInputs::new(scenario, label, text).with_changes(changes)
}

/// Runs the `dcsim` command with the process's arguments: parses them,
/// runs the subcommand and maps its outcome to the exit code (0 ok, 1
/// output not written or internal error, 2 bad input; 130 / 143 / 129 when
/// interrupted by SIGINT / SIGTERM / SIGHUP). What the `dcsim` binary runs.
pub fn main() -> ExitCode {
    // Like any command-line tool, stop quietly when the reader of stdout
    // goes away (`dcsim catalog | head`): restore the default SIGPIPE action,
    // which Rust's runtime replaces with "ignore" (and a panic on the next
    // print). SAFETY: called first thing, before any thread exists.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::panic::set_hook(Box::new(|info| {
        eprintln!("dcsim: internal error: {info}");
        eprintln!(
            "dcsim: this is a bug in dcsim; please report it with the scenario that caused it"
        );
    }));
    let cli = Cli::parse();
    if cli.command.writes_files() {
        clean_up_on_interrupt();
    }
    let outcome = std::panic::catch_unwind(|| match cli.command {
        Command::Run(a) => run::execute(a),
        Command::Sweep(a) => sweep::execute(&a),
        Command::Sensitivity(a) => sensitivity::execute(a),
        Command::Merge(a) => merge::execute(&a),
        Command::Compare(a) => compare::execute(&a),
        Command::Validate(a) => validate::execute(&a),
        Command::ValidateFigures(a) => validate_figures::execute(a),
        Command::Catalog(a) => catalog::execute(&a),
        Command::Replay(a) => replay::execute(a),
        Command::Bench { which } => bench::execute(which),
    });
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(Failure::BadInput(message))) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Ok(Err(Failure::Output(e))) => {
            eprintln!("dcsim: {e}");
            ExitCode::from(1)
        }
        Ok(Err(Failure::Internal(e))) => {
            eprintln!("dcsim: error: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}
