//! `dcsim run`: one scenario into its output folder, with a progress bar
//! and the run's summary on the terminal.

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

use crate::console;
use crate::runner::{self, ExtraFile, PreviousRun, RunOutput, RunRecord};
use crate::scenario::Overrides;

use super::{Failure, report_inputs, scenario_text};

/// The text after `dcsim run --help`'s options.
pub const AFTER_HELP: &str = "Writes <out>/<scenario name>/timeseries.csv, capacity.csv, buildout.csv,\n\
    summary.csv, summary.json and run.json (what made the run: the scenario file's name,\n\
    a hash of its text, the --set arguments and the seed); failures.csv when [output]\n\
    failures_log = true;\n\
    jobs.csv with training jobs; services.csv and service_summary.csv with inference\n\
    services; monthly.csv, contracts.csv and contracts_monthly.csv with [economics];\n\
    the charts power, chips, failures, energy, inference, training, cash and contracts (.png and\n\
    .svg, each when the run has its data) and report.html, unless --no-charts.\n\n\
    With --set or --seed, the folder is a variant's, named from them, so the baseline\n\
    survives: --set sites.ohio.grid_mw=90 --seed 7 writes\n\
    <out>/<scenario name>--sites.ohio.grid_mw=90--seed=7/ ([i] becomes .i, quotes go,\n\
    other unsafe characters become _; past 64 characters cut, with a hash). Rerunning the\n\
    same command replaces its own folder; replacing a run of another scenario text is\n\
    said on stderr.";

/// The arguments of `dcsim run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML). Without it, the built-in default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Folder that receives `<scenario name>/` (or, with --set or
    /// --seed, the variant's `<scenario name>--<overrides>/`).
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Seed of every random stream (replaces the file's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Change one field, e.g. `--set sites[0].grid_mw=450` or
    /// `--set sites.ohio.pue=1.3`. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// No progress bar and no summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the CSV files and summary.json only: no charts, no
    /// report.html.
    #[arg(long)]
    pub no_charts: bool,
}

/// Whether `dcsim run` draws the charts and writes report.html.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charts {
    /// Charts and report (the default).
    Draw,
    /// CSV files and summary.json only (`--no-charts`).
    Skip,
}

/// Runs the scenario of `a` into its folder and reports on the terminal.
pub fn execute(a: Args) -> Result<(), Failure> {
    let charts = if a.no_charts {
        Charts::Skip
    } else {
        Charts::Draw
    };
    let overrides = Overrides {
        sets: a.sets,
        seed: a.seed,
    };
    let (path, out, quiet) = (a.scenario.as_deref(), a.out.as_path(), a.quiet);
    let text = scenario_text(path)?;
    let scenario = text.load(&overrides)?;
    let record = RunRecord::new(
        &text.shown,
        &text.chain_texts()?,
        &overrides.sets,
        scenario.run.seed,
    );
    let dir = out.join(runner::folder_name(&scenario.run.name, &overrides));
    let previous = runner::previous_run(&dir, &record);
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(1000);
        b.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {percent}% ({elapsed})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        b.set_message(scenario.run.name.clone());
        b
    };
    let report = (charts == Charts::Draw).then(|| report_inputs(&scenario, path, &overrides));
    let extra = [ExtraFile {
        name: "run.json",
        bytes: record.to_json(),
    }];
    let outcome = runner::run_to_dir(&scenario, &dir, &extra, report, &mut |done| {
        bar.set_position((done * 1000.0) as u64);
    });
    bar.finish_and_clear();
    let RunOutput {
        summary,
        written,
        simulate_s: wall,
    } = outcome.map_err(Failure::Output)?;
    if let PreviousRun::Other(what) = previous {
        eprintln!(
            "dcsim: note: replaced {}/, which held {what}; to keep runs of different files apart, give them different names or --out folders",
            dir.display()
        );
    }
    if !quiet {
        print!("{}", console::run_summary(&summary, wall));
        let names: Vec<String> = written
            .iter()
            .map(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        let files: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| !n.ends_with(".png") && !n.ends_with(".svg"))
            .collect();
        let charts: Vec<&str> = names
            .iter()
            .filter_map(|n| n.strip_suffix(".png"))
            .collect();
        println!("wrote {}/ {}", dir.display(), files.join(", "));
        if !charts.is_empty() {
            println!("  charts (.png and .svg): {}", charts.join(", "));
        }
    }
    Ok(())
}
