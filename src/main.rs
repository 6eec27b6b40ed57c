//! The `dcsim` command: parse arguments, call the library, map the outcome to
//! an exit code (0 ok, 1 output not written or internal error, 2 bad input,
//! 130 / 143 interrupted by SIGINT / SIGTERM, 129 by SIGHUP).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use dcsim::bench::phold::{self, Size};
use dcsim::catalog::Catalog;
use dcsim::output::report::ReportInputs;
use dcsim::output::set::OutputError;
use dcsim::report::{self, CatalogPart};
use dcsim::runner::{self, ExtraFile, PreviousRun, RunOutput, RunRecord};
use dcsim::scenario::{self, Overrides, Scenario, ScenarioError, ScenarioText};
use dcsim::sweep::execute::{self, Options};
use dcsim::sweep::shard::{self, Shard};
use dcsim::sweep::{Definition, SweepError, Vary};
use dcsim::workload::serving::prefix_cache::MOONCAKE_BLOCK_TOKENS;
use dcsim::workload::serving::requests::{
    self as serve_requests, Prefill, PrefixCaching, Routing, ServeConfig, Slo,
};
use dcsim::workload::serving::roofline::{self, Replica};
use dcsim::workload::serving::trace::{self as serve_trace, TraceFormat};

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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write its CSV files, charts and report.
    #[command(
        after_help = "Writes <out>/<scenario name>/timeseries.csv, capacity.csv, buildout.csv,\n\
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
        said on stderr."
    )]
    Run {
        /// Scenario file (TOML). Without it, the built-in default scenario runs.
        scenario: Option<PathBuf>,
        /// Folder that receives `<scenario name>/` (or, with --set or
        /// --seed, the variant's `<scenario name>--<overrides>/`).
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Seed of every random stream (replaces the file's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Change one field, e.g. `--set sites[0].grid_mw=450` or
        /// `--set sites.ohio.pue=1.3`. Repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// No progress bar and no summary on the terminal.
        #[arg(long, short)]
        quiet: bool,
        /// Write the CSV files and summary.json only: no charts, no
        /// report.html.
        #[arg(long)]
        no_charts: bool,
    },
    /// Run a scenario under every combination of the --vary values, each
    /// replicated, in parallel; gather their summaries, means and 95 %
    /// intervals, and charts.
    #[command(
        after_help = "Writes <out>/runs/<id>/ (each run's files, as dcsim run writes them, and run.json),\n\
        then <out>/sweep.html (the table and every chart on one page), sweep.json, sweep.csv,\n\
        sweep_summary.csv and sweep_<figure>.png/.svg.\n\
        Run ids count in the order of the --vary arguments, the last varying fastest, then by\n\
        replication. Replication 0 runs with the scenario's seed (or --seed); replication r > 0\n\
        with splitmix64(seed + r * 0x9E3779B97F4A7C15). Runs already complete in <out> (same\n\
        run.json) are kept: the same command run again after an interruption finishes the sweep.\n\
        With --shard I/N, only runs k with k mod N = I, and <out>/shard.json instead of the\n\
        sweep's files; dcsim merge combines the shards."
    )]
    Sweep {
        /// Scenario file (TOML). Without it, the built-in default scenario.
        scenario: Option<PathBuf>,
        /// A field and its values, e.g. `--vary sites[0].grid_mw=300,450`
        /// (PATH as for --set; values split at commas outside brackets and
        /// quotes). Repeatable: the runs are every combination.
        #[arg(long = "vary", value_name = "PATH=V1,V2,...")]
        varies: Vec<String>,
        /// Runs of each combination, with different seeds.
        #[arg(long, default_value_t = 1)]
        replications: u32,
        /// Runs at once (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Run only shard I of N (runs k with k mod N = I), e.g. `--shard
        /// $SLURM_ARRAY_TASK_ID/8`.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// The sweep's folder (default: output/<scenario name>-sweep, or
        /// output/<scenario name>-sweep-shard-I-of-N).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Seed of replication 0 (replaces the file's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Change one field of every run, as for `dcsim run`. Repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// No progress bar and no report on the terminal.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Which input moves a figure most: each --vary input run alone at its
    /// low and its high value (in parallel, seeded alike), ranked by swing.
    #[command(
        after_help = "Writes <out>/sensitivity.csv (every --output figure's inputs ranked by swing,\n\
        with 95 % intervals when --replications > 1), tornado.png/.svg (the first figure's\n\
        tornado chart) and sensitivity.html. Replication r of every setting runs with the\n\
        seed of a sweep's replication r, so only the input changes between a pair of runs."
    )]
    Sensitivity {
        /// Scenario file (TOML). Without it, the built-in default scenario.
        scenario: Option<PathBuf>,
        /// An input and its low and high values, e.g. `--vary
        /// economics.discount_rate=0.06,0.10` (PATH as for --set). Repeatable.
        #[arg(long = "vary", value_name = "PATH=LOW,HIGH", required = true)]
        varies: Vec<String>,
        /// A figure of summary.csv to rank by (default npv_usd). Repeatable.
        #[arg(long = "output", value_name = "FIGURE")]
        outputs: Vec<String>,
        /// Runs of each setting, with different seeds.
        #[arg(long, default_value_t = 1)]
        replications: u32,
        /// Runs at once (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// The folder (default: output/<scenario name>-sensitivity).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Seed of replication 0 (replaces the file's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Change one field of every run, as for `dcsim run`. Repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// No report on the terminal.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Merge the folders of a sharded sweep (dcsim sweep --shard I/N) into
    /// one: the same files as the sweep run in one place.
    Merge {
        /// The shards' folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The merged sweep's folder.
        #[arg(long, required = true)]
        out: PathBuf,
        /// No report on the terminal.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Compare finished runs: their summaries side by side, a chart per
    /// headline figure, time series, and an HTML page with all of them.
    #[command(
        after_help = "Writes <out>/comparison.csv, comparison.html, compare_<figure>.png/.svg and\n\
        compare_chips_online, compare_facility_power_mw, compare_cumulative_cash (.png/.svg).\n\
        When the runs' lengths differ, totals are charted per year of run."
    )]
    Compare {
        /// Run folders (written by dcsim run, or a sweep's runs/<id>).
        #[arg(required = true)]
        runs: Vec<PathBuf>,
        /// The comparison's folder.
        #[arg(long, default_value = "output/comparison")]
        out: PathBuf,
        /// No report on the terminal.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check scenario files without running them: prints `ok` or every problem.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the built-in chips, racks and failure classes with their sources.
    Catalog {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Print only one part (required with `--format csv`: one table per
        /// CSV stream).
        #[arg(long, value_enum, default_value = "all")]
        only: CatalogPart,
    },
    /// Replay an LLM request trace (Azure or Mooncake) request by request on
    /// serving replicas that batch continuously; print latency statistics.
    #[command(
        after_help = "With --requests-csv, writes <out>/replay-<trace file stem>/requests.csv.\n\
        Models: llama-2-7b, mistral-7b, llama-3.1-8b, llama-2-70b, llama-3.1-70b, llama-3.1-405b.\n\
        Durations: 2s, 150ms, 0.5 (seconds)."
    )]
    Replay {
        /// Trace file: Azure LLM inference CSV or Mooncake JSON Lines.
        trace: PathBuf,
        /// Trace format (default: from the extension, .csv Azure, .jsonl Mooncake).
        #[arg(long, value_enum)]
        format: Option<TraceFormat>,
        /// Model preset served.
        #[arg(long, default_value = "llama-2-7b")]
        model: String,
        /// Catalog chip of the replicas.
        #[arg(long, default_value = "h100")]
        chip: String,
        /// Chips per replica (tensor parallel).
        #[arg(long, default_value_t = 1)]
        chips_per_replica: u32,
        /// Replicas.
        #[arg(long, default_value_t = 2)]
        replicas: u32,
        /// Most requests running at once on a replica.
        #[arg(long, default_value_t = 256)]
        max_batch: u32,
        /// How arrivals are assigned to replicas.
        #[arg(long, value_enum, default_value = "least-loaded")]
        routing: Routing,
        /// Tokens an iteration processes with chunked prefill (vLLM's
        /// max_num_batched_tokens; at least --max-batch).
        #[arg(long, default_value_t = serve_requests::DEFAULT_TOKEN_BUDGET)]
        token_budget: u32,
        /// Run each prompt's prefill whole in the iteration that admits it
        /// (no chunked prefill; --token-budget ignored).
        #[arg(long)]
        whole_prefill: bool,
        /// Folder that receives `replay-<trace stem>/` (with --requests-csv).
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Write one row per request to requests.csv.
        #[arg(long)]
        requests_csv: bool,
        /// Time-to-first-token target (with --tpot-slo).
        #[arg(long, value_parser = parse_seconds, requires = "tpot_slo")]
        ttft_slo: Option<f64>,
        /// Time-per-output-token target (with --ttft-slo).
        #[arg(long, value_parser = parse_seconds, requires = "ttft_slo")]
        tpot_slo: Option<f64>,
        /// Percentile the targets apply at (0-100).
        #[arg(long, default_value_t = 99.0, value_parser = parse_percentile)]
        percentile: f64,
        /// Divide every arrival time by X: 2 makes arrivals twice as dense
        /// (the same requests in half the span), 0.5 half as dense
        /// (0.001 to 1000).
        #[arg(long, default_value_t = 1.0, value_name = "X")]
        rate_scale: f64,
        /// Turn prefix caching off (on by default for a trace with block
        /// hashes: Mooncake's hash_ids, 512-token blocks).
        #[arg(long)]
        no_prefix_cache: bool,
    },
    /// Performance benchmarks.
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
}

#[derive(Subcommand, Debug)]
enum Bench {
    /// PHOLD on dcsim's engine next to a bare BinaryHeap loop (integer time).
    Phold {
        /// Sizes to run (default: all three).
        #[arg(long, value_enum)]
        size: Vec<Size>,
        /// Events to process per run.
        #[arg(long, default_value_t = 10_000_000)]
        events: u64,
        /// Runs of each implementation per size (interleaved; medians reported).
        #[arg(long, default_value_t = 3)]
        repeat: usize,
    },
    /// Time a whole scenario (default: the built-in 416,000-chip, seven-year
    /// scale-400k): wall time, events/s, peak memory.
    Scale {
        /// Scenario file; without it, the built-in scale-400k.
        scenario: Option<PathBuf>,
        /// Folder that receives `<scenario name>/` CSV files.
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Time a scenario with training jobs against the same scenario without
    /// them (default: the built-in scale-400k-training, 416,000 chips and
    /// about 20,000 jobs over seven years), in one process: the ratio of
    /// simulation times, the whole run's time and peak memory.
    Training {
        /// Scenario file; without it, the built-in scale-400k-training.
        scenario: Option<PathBuf>,
        /// Folder that receives `<scenario name>/` and
        /// `<scenario name>-physical/` CSV files.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Simulations of each kind with rows discarded (alternating;
        /// medians reported).
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Change one field of the scenario, as for `dcsim run`
        /// (`--set arrivals[0].rate_per_day=8`). Repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Time a backed-up queue against the normal one, in one process: the
    /// built-in scale-400k-training as shipped and with
    /// `arrivals[0].ideal_duration.sigma=3` (about 12,000 jobs wait), each
    /// simulated with rows discarded, alternating; the ratio of medians
    /// (issue 24: a queue whose cost does not grow with its length).
    Backlog {
        /// Simulations of each kind (alternating; medians reported).
        #[arg(long, default_value_t = 3)]
        repeat: usize,
    },
    /// Time a scenario with its books (capex, opex, contracts, the monthly
    /// statement) against the same scenario without them (default: the
    /// built-in default scenario), in one process: the ratio of whole-run
    /// times, CSV files included.
    Economics {
        /// Scenario file; without it, the built-in default.
        scenario: Option<PathBuf>,
        /// Folder that receives `<scenario name>/` and
        /// `<scenario name>-no-books/` CSV files.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Runs of each kind (alternating; medians reported).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
    /// Time a scenario writing its charts and report.html against the same
    /// run writing CSV files only (default: the built-in default scenario),
    /// in one process: the ratio of whole-run times.
    Charts {
        /// Scenario file; without it, the built-in default.
        scenario: Option<PathBuf>,
        /// Folder that receives `<scenario name>/` and
        /// `<scenario name>-no-charts/`.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Runs of each kind (alternating; medians reported).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
    /// Time a sweep (default: the built-in default scenario, 2 plans x 10
    /// replications) with one thread and again with --jobs threads, in one
    /// process: the speed-up, and whether both wrote the same bytes.
    Sweep {
        /// Scenario file; without it, the built-in default.
        scenario: Option<PathBuf>,
        /// As for dcsim sweep (default: spares.swap_time=30min,4h).
        #[arg(long = "vary", value_name = "PATH=V1,V2,...")]
        varies: Vec<String>,
        /// Runs of each combination.
        #[arg(long, default_value_t = 10)]
        replications: u32,
        /// Threads of the second sweep.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Rounds (alternating; medians reported).
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// Folder that receives bench-sweep/j1/ and bench-sweep/j<jobs>/.
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Replay the Azure LLM conversation trace (19,366 requests) request by
    /// request on two Llama-2-7B replicas on H100: wall time, requests/s and
    /// batch steps/s against a bare binary-heap PHOLD loop.
    Serve {
        /// Azure-format trace; without it, the conversation trace in
        /// data/azure-llm-inference-2023/ of the checkout dcsim was built from.
        trace: Option<PathBuf>,
        /// Simulations (medians reported).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
    /// Request-level serving at scale (issue 24): Poisson requests with the
    /// Azure conversation trace's token counts, 10,000 per replica-hour, on
    /// 10 and then 1,000 Llama-2-7B replicas on H100: wall time per batch
    /// step of each and their ratio (1 when a step's cost does not depend
    /// on the number of replicas), and peak memory.
    ServeScale {
        /// Azure-format trace giving the token counts; without it, the
        /// conversation trace in data/azure-llm-inference-2023/.
        trace: Option<PathBuf>,
        /// Hours of arrivals (1 h: 10 M requests on 1,000 replicas).
        #[arg(long, default_value_t = 1.0)]
        hours: f64,
        /// Simulations of each fleet (medians reported).
        #[arg(long, default_value_t = 1)]
        repeat: usize,
    },
}

/// Seconds from `2s`, `150ms`, `0.5` (seconds), `1m`.
fn parse_seconds(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    match number.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x * scale),
        _ => Err(format!(
            "{s:?} is not a positive duration; write e.g. 2s, 150ms or 0.5 (seconds)"
        )),
    }
}

/// A percentile between 0 and 100.
fn parse_percentile(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a percentile between 0 and 100")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Aligned columns with sources.
    Table,
    /// Comma-separated values.
    Csv,
}

/// How a command failed.
enum Failure {
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

// Over the 150-line guard (clippy.toml); to be split (issue 19 item 7).
#[allow(clippy::too_many_lines)]
fn main() -> ExitCode {
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
    if matches!(
        cli.command,
        Command::Run { .. }
            | Command::Sweep { .. }
            | Command::Merge { .. }
            | Command::Compare { .. }
            | Command::Sensitivity { .. }
            | Command::Replay { .. }
            | Command::Bench {
                which: Bench::Scale { .. }
                    | Bench::Training { .. }
                    | Bench::Economics { .. }
                    | Bench::Charts { .. }
                    | Bench::Sweep { .. }
            }
    ) {
        clean_up_on_interrupt();
    }
    let outcome = std::panic::catch_unwind(|| match cli.command {
        Command::Run {
            scenario,
            out,
            seed,
            sets,
            quiet,
            no_charts,
        } => run(
            scenario.as_deref(),
            &out,
            Overrides { sets, seed },
            quiet,
            if no_charts {
                Charts::Skip
            } else {
                Charts::Draw
            },
        ),
        Command::Sweep {
            scenario,
            varies,
            replications,
            jobs,
            shard,
            out,
            seed,
            sets,
            quiet,
        } => sweep(&SweepArgs {
            scenario,
            varies,
            replications,
            jobs,
            shard,
            out,
            seed,
            sets,
            quiet,
        }),
        Command::Merge { dirs, out, quiet } => merge(&dirs, &out, quiet),
        Command::Compare { runs, out, quiet } => compare(&runs, &out, quiet),
        Command::Sensitivity {
            scenario,
            varies,
            outputs,
            replications,
            jobs,
            out,
            seed,
            sets,
            quiet,
        } => sensitivity(
            scenario.as_deref(),
            (&varies, &outputs),
            (replications, jobs, seed),
            out,
            sets,
            quiet,
        ),
        Command::Validate { files } => validate(&files),
        Command::Catalog { format, only } => catalog(format, only),
        Command::Bench {
            which:
                Bench::Phold {
                    size,
                    events,
                    repeat,
                },
        } => bench_phold(&size, events, repeat),
        Command::Bench {
            which: Bench::Scale { scenario, out },
        } => bench_scale(scenario.as_deref(), &out),
        Command::Bench {
            which:
                Bench::Training {
                    scenario,
                    out,
                    repeat,
                    sets,
                },
        } => bench_training(scenario.as_deref(), &out, repeat, sets),
        Command::Bench {
            which: Bench::Backlog { repeat },
        } => bench_backlog(repeat),
        Command::Bench {
            which: Bench::Serve { trace, repeat },
        } => bench_serve(trace, repeat),
        Command::Bench {
            which:
                Bench::ServeScale {
                    trace,
                    hours,
                    repeat,
                },
        } => bench_serve_scale(trace, hours, repeat),
        Command::Bench {
            which:
                Bench::Sweep {
                    scenario,
                    varies,
                    replications,
                    jobs,
                    repeat,
                    out,
                },
        } => bench_sweep(
            scenario.as_deref(),
            varies,
            replications,
            (jobs, repeat),
            &out,
        ),
        Command::Bench {
            which:
                Bench::Economics {
                    scenario,
                    out,
                    repeat,
                },
        } => bench_economics(scenario.as_deref(), &out, repeat),
        Command::Bench {
            which:
                Bench::Charts {
                    scenario,
                    out,
                    repeat,
                },
        } => bench_charts(scenario.as_deref(), &out, repeat),
        Command::Replay {
            trace,
            format,
            model,
            chip,
            chips_per_replica,
            replicas,
            max_batch,
            routing,
            token_budget,
            whole_prefill,
            out,
            requests_csv,
            ttft_slo,
            tpot_slo,
            percentile,
            rate_scale,
            no_prefix_cache,
        } => replay(&ReplayArgs {
            trace,
            format,
            model,
            chip,
            chips_per_replica,
            replicas,
            max_batch,
            routing,
            prefill: if whole_prefill {
                Prefill::Whole
            } else {
                Prefill::Chunked {
                    budget: token_budget,
                }
            },
            out,
            requests_csv,
            slo: ttft_slo.zip(tpot_slo).map(|(ttft_s, tpot_s)| Slo {
                ttft_s,
                tpot_s,
                percentile,
            }),
            rate_scale,
            prefix_cache: !no_prefix_cache,
        }),
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

/// On SIGINT, SIGTERM or SIGHUP (a closed terminal, a dropped ssh
/// session): remove the output being staged (the target folders keep their
/// previous sets) and exit 128 + the signal (130, 143, 129).
fn clean_up_on_interrupt() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            dcsim::output::set::abandon_all();
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

fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Scenario, ScenarioError> {
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

/// Whether `dcsim run` draws the charts and writes report.html.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charts {
    /// Charts and report (the default).
    Draw,
    /// CSV files and summary.json only (`--no-charts`).
    Skip,
}

/// What report.html shows as the scenario: its label and text, and the
/// command line's changes to it.
fn report_inputs(scenario: &Scenario, path: Option<&Path>, overrides: &Overrides) -> ReportInputs {
    let (label, text) = match path {
        Some(p) => {
            let text = dcsim::input::read_regular_file(p, dcsim::input::MAX_SCENARIO_BYTES, "")
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

fn run(
    path: Option<&Path>,
    out: &Path,
    overrides: Overrides,
    quiet: bool,
    charts: Charts,
) -> Result<(), Failure> {
    let text = match path {
        Some(p) => ScenarioText::read(p)?,
        None => ScenarioText::builtin_default(),
    };
    let scenario = text.load(&overrides)?;
    let record = RunRecord::new(
        &text.shown,
        &text.chain_texts()?,
        &overrides.sets,
        scenario.seed,
    );
    let dir = out.join(runner::folder_name(&scenario.name, &overrides));
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
        b.set_message(scenario.name.clone());
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
        print!("{}", report::run_summary(&summary, wall));
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

/// The arguments of `dcsim sweep`.
struct SweepArgs {
    scenario: Option<PathBuf>,
    varies: Vec<String>,
    replications: u32,
    jobs: Option<usize>,
    shard: Option<String>,
    out: Option<PathBuf>,
    seed: Option<u64>,
    sets: Vec<String>,
    quiet: bool,
}

/// The sweep of `scenario` (the built-in default without one) under the
/// `--vary` arguments.
fn sweep_definition(
    scenario: Option<&Path>,
    varies: &[String],
    replications: u32,
    seed: Option<u64>,
    sets: Vec<String>,
) -> Result<Definition, Failure> {
    let text = match scenario {
        Some(p) => ScenarioText::read(p)?,
        None => ScenarioText::builtin_default(),
    };
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

fn sweep(a: &SweepArgs) -> Result<(), Failure> {
    let jobs = match a.jobs {
        Some(0) => return Err(Failure::BadInput("--jobs must be at least 1".into())),
        Some(j) => j,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
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
        jobs,
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

fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> Result<(), Failure> {
    let report = shard::merge(dirs, out)?;
    if !quiet {
        println!(
            "merged {} shard folder(s): {} runs ({} copied, {} already in place); wrote {}/ runs/<id>/, sweep.html, sweep.json, sweep.csv, sweep_summary.csv and charts",
            dirs.len(),
            report.runs,
            report.copied,
            report.kept,
            out.display()
        );
    }
    Ok(())
}

fn compare(runs: &[PathBuf], out: &Path, quiet: bool) -> Result<(), Failure> {
    let written = dcsim::output::compare::write(runs, out)?;
    if !quiet {
        if written.per_year {
            println!("the runs differ in length: totals are charted per year of run");
        }
        println!(
            "compared {} runs; wrote {}/ comparison.csv, comparison.html and {} charts",
            runs.len(),
            out.display(),
            written
                .files
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "png"))
                .count()
        );
    }
    Ok(())
}

/// `dcsim sensitivity`: plan, run, write, report the ranking.
fn sensitivity(
    scenario: Option<&Path>,
    (varies, outputs): (&[String], &[String]),
    (replications, jobs, seed): (u32, Option<usize>, Option<u64>),
    out: Option<PathBuf>,
    sets: Vec<String>,
    quiet: bool,
) -> Result<(), Failure> {
    use dcsim::sensitivity::{Input, Plan, SensitivityError};
    let jobs = match jobs {
        Some(0) => return Err(Failure::BadInput("--jobs must be at least 1".into())),
        Some(j) => j,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let text = match scenario {
        Some(p) => ScenarioText::read(p)?,
        None => ScenarioText::builtin_default(),
    };
    let inputs = varies
        .iter()
        .map(|v| Input::parse(v).map_err(Failure::BadInput))
        .collect::<Result<Vec<_>, _>>()?;
    let figures = if outputs.is_empty() {
        vec!["npv_usd".to_string()]
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
        .name;
    let pool = dcsim::sweep::execute::pool(jobs)
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
    dcsim::output::sensitivity::write(&out, &name, &results).map_err(Failure::Output)?;
    if !quiet {
        for t in &results {
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
    Ok(())
}

fn bench_sweep(
    scenario: Option<&Path>,
    varies: Vec<String>,
    replications: u32,
    (jobs, repeat): (usize, usize),
    out: &Path,
) -> Result<(), Failure> {
    if jobs == 0 || repeat == 0 {
        return Err(Failure::BadInput(
            "--jobs and --repeat must be at least 1".into(),
        ));
    }
    let varies = if varies.is_empty() {
        vec!["spares.swap_time=30min,4h".to_string()]
    } else {
        varies
    };
    let definition = sweep_definition(scenario, &varies, replications, None, Vec::new())?;
    let dir = out.join("bench-sweep");
    eprintln!(
        "sweeping {} ({}, {replications} replications) with 1 thread, then {jobs}, {repeat} time(s), into {} ...",
        definition.scenario.shown,
        varies
            .iter()
            .map(|v| format!("--vary {v}"))
            .collect::<Vec<_>>()
            .join(" "),
        dir.display()
    );
    let r = dcsim::bench::sweep::run(&definition, &[1, jobs], repeat, &dir)?;
    let median = dcsim::bench::training::median;
    println!("sweep of {} runs, median of {repeat}:", r.runs);
    for (j, t) in &r.times {
        let range = t.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
        println!(
            "  --jobs {j}: {:.2} s ({:.2} s per run; range {:.2}-{:.2} s)",
            median(t),
            median(t) / r.runs as f64,
            range.0,
            range.1
        );
    }
    println!(
        "  speed-up --jobs {jobs} over --jobs 1: {:.2}x (cores: {}); identical bytes: {}",
        r.speedup(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        if r.identical { "yes" } else { "NO" }
    );
    if !r.identical {
        return Err(Failure::Internal(anyhow::anyhow!(
            "the sweeps with 1 and {jobs} threads wrote different files"
        )));
    }
    Ok(())
}

fn catalog(format: Format, only: CatalogPart) -> Result<(), Failure> {
    let c = Catalog::builtin();
    match (format, only.table()) {
        (Format::Table, _) => print!("{}", report::catalog_table(&c, only)),
        (Format::Csv, Some(table)) => print!("{}", report::catalog_csv(&c, table)),
        (Format::Csv, None) => {
            return Err(Failure::BadInput(
                "--format csv prints one table with one header: add --only chips, --only racks or --only failures".into(),
            ));
        }
    }
    Ok(())
}

fn validate(files: &[PathBuf]) -> Result<(), Failure> {
    let mut failed = Vec::new();
    for f in files {
        match scenario::load_file(f, &Overrides::default()) {
            Ok(s) => {
                println!("{}: ok", f.display());
                for t in &s.traces {
                    println!(
                        "  trace {}: {} jobs from {}; rows skipped: {} ({} CPU-only, {} GPU-sharing, {} pending, {} of zero length, {} after the end)",
                        t.name,
                        t.jobs,
                        t.file,
                        t.skipped(),
                        t.skipped_cpu_only,
                        t.skipped_gpu_sharing,
                        t.skipped_pending,
                        t.skipped_zero_length,
                        t.skipped_after_end
                    );
                }
            }
            Err(e) => failed.push(e.to_string()),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(failed.join("\n")))
    }
}

fn bench_phold(sizes: &[Size], events: u64, repeat: usize) -> Result<(), Failure> {
    let sizes = if sizes.is_empty() {
        Size::ALL.to_vec()
    } else {
        sizes.to_vec()
    };
    if repeat == 0 {
        return Err(Failure::BadInput("--repeat must be at least 1".into()));
    }
    let mut lines = Vec::new();
    for size in sizes {
        if events < size.lps() * size.init() {
            return Err(Failure::BadInput(format!(
                "--events {events} is below the {} size's {} initial events; PHOLD processes at least that many",
                size.name(),
                size.lps() * size.init()
            )));
        }
        let c = phold::compare(size, events, repeat, &mut |r| println!("{}", r.json()))
            .map_err(|e| Failure::Internal(anyhow::anyhow!(e)))?;
        lines.push(format!(
            "{:<6}  engine {:>6.2} M events/s   bare heap {:>6.2} M events/s   ratio {:.2}",
            size.name(),
            c.engine_events_per_s() / 1e6,
            c.heap_events_per_s() / 1e6,
            c.ratio()
        ));
    }
    eprintln!("PHOLD integer time, {events} events, median of {repeat}:");
    for line in lines {
        eprintln!("  {line}");
    }
    Ok(())
}

fn bench_scale(path: Option<&Path>, out: &Path) -> Result<(), Failure> {
    let scenario = match path {
        Some(p) => scenario::load_file(p, &Overrides::default())?,
        None => scenario::load_str(
            "scenarios/scale-400k.toml (built in)",
            dcsim::bench::scale::SCALE_SCENARIO,
            None,
            &Overrides::default(),
        )?,
    };
    let dir = out.join(&scenario.name);
    eprintln!(
        "running {} twice (rows discarded, then CSV into {}) ...",
        scenario.name,
        dir.display()
    );
    let r = dcsim::bench::scale::run(&scenario, &dir).map_err(Failure::Output)?;
    let s = &r.summary;
    println!(
        "scale {}: {} chips at peak, {} sites, {:.0} simulated hours, {} events",
        s.scenario, s.peak_chips_online, s.sites, s.hours, s.events
    );
    println!(
        "  simulate only: {:.3} s ({:.2} M events/s); with CSV output: {:.3} s",
        r.simulate_s,
        r.events_per_s() / 1e6,
        r.with_csv_s
    );
    match r.peak_rss_kib {
        Some(kib) => println!("  peak resident memory: {:.1} MiB", kib as f64 / 1024.0),
        None => println!("  peak resident memory: not reported by this system"),
    }
    println!(
        "  baseline (bare binary-heap PHOLD, medium): {:.2} M events/s; simulation / baseline = {:.3}",
        r.baseline_events_per_s / 1e6,
        r.events_per_s() / r.baseline_events_per_s
    );
    Ok(())
}

/// Mebibytes of `kib` KiB, or "not reported".
fn mib(kib: Option<u64>) -> String {
    kib.map_or("not reported".to_string(), |k| {
        format!("{:.1} MiB", k as f64 / 1024.0)
    })
}

fn bench_training(
    path: Option<&Path>,
    out: &Path,
    repeat: usize,
    sets: Vec<String>,
) -> Result<(), Failure> {
    if repeat == 0 {
        return Err(Failure::BadInput("--repeat must be at least 1".into()));
    }
    let overrides = Overrides { sets, seed: None };
    let started = Instant::now();
    let scenario = match path {
        Some(p) => scenario::load_file(p, &overrides)?,
        None => scenario::load_str(
            "scenarios/scale-400k-training.toml (built in)",
            dcsim::bench::training::TRAINING_SCENARIO,
            None,
            &overrides,
        )?,
    };
    let load_s = started.elapsed().as_secs_f64();
    if scenario.jobs.is_empty() && scenario.services.is_empty() {
        return Err(Failure::BadInput(format!(
            "{} has no training jobs and no services: the benchmark compares a run with its workloads to the same run without; give a scenario with [[jobs]], [[arrivals]], [[traces]] or [[services]]",
            scenario.name
        )));
    }
    eprintln!(
        "running {} with and without its {} jobs and {} services, {repeat} time(s) each, then with CSV into {} ...",
        scenario.name,
        scenario.jobs.len(),
        scenario.services.len(),
        out.display()
    );
    let r = dcsim::bench::training::run(&scenario, repeat, out).map_err(Failure::Output)?;
    let (p, t) = (&r.physical, &r.training);
    let s = &t.summary;
    let jobs = s.training.as_ref();
    println!(
        "training {}: {} chips at peak, {} sites, {:.0} simulated hours; {} jobs ({} completed)",
        s.scenario,
        s.peak_chips_online,
        s.sites,
        s.hours,
        scenario.jobs.len(),
        jobs.map_or(0, |j| j.jobs_completed)
    );
    println!("  load and validate (jobs drawn): {load_s:.3} s");
    println!(
        "  simulate only, median of {repeat}: without jobs {:.3} s ({} events), with jobs {:.3} s ({} events); ratio {:.2} (target ≤ 3)",
        p.simulate_median_s(),
        p.summary.events,
        t.simulate_median_s(),
        t.summary.events,
        r.simulate_ratio()
    );
    println!(
        "  with CSV output: without jobs {:.3} s, with jobs {:.3} s; ratio {:.2}",
        p.with_csv_s,
        t.with_csv_s,
        r.with_csv_ratio()
    );
    println!(
        "  whole run with jobs (load + simulate + CSV): {:.3} s (target < 2 s)",
        load_s + t.with_csv_s
    );
    println!(
        "  peak resident memory: without jobs {}, with jobs {} (target < 500 MB){}",
        mib(p.peak_rss_kib),
        mib(t.peak_rss_kib),
        if r.rss_reset {
            ""
        } else {
            "; not reset between runs: each is the process's peak so far"
        }
    );
    Ok(())
}

fn bench_backlog(repeat: usize) -> Result<(), Failure> {
    if repeat == 0 {
        return Err(Failure::BadInput("--repeat must be at least 1".into()));
    }
    let load = |sets: Vec<String>| {
        scenario::load_str(
            "scenarios/scale-400k-training.toml (built in)",
            dcsim::bench::training::TRAINING_SCENARIO,
            None,
            &Overrides { sets, seed: None },
        )
    };
    let normal = load(Vec::new())?;
    let backed_up = load(vec!["arrivals[0].ideal_duration.sigma=3".into()])?;
    eprintln!(
        "running {} as shipped and with arrivals[0].ideal_duration.sigma=3, {repeat} time(s) each ...",
        normal.name
    );
    let kinds = [&normal, &backed_up];
    let mut times = [Vec::new(), Vec::new()];
    let mut summaries = [None, None];
    for _ in 0..repeat {
        for (k, s) in kinds.iter().enumerate() {
            let started = Instant::now();
            let (_, summary) = dcsim::sim::run(s, dcsim::output::null::NullRecorder, &mut |_| {});
            times[k].push(started.elapsed().as_secs_f64());
            summaries[k] = Some(summary);
        }
    }
    let median = dcsim::bench::training::median;
    let [Some(n), Some(b)] = &summaries else {
        unreachable!("repeat is at least 1");
    };
    let wait =
        |s: &dcsim::record::SummaryRow| s.training.as_ref().map_or(0.0, |t| t.queue_wait_mean_h);
    let (tn, tb) = (median(&times[0]), median(&times[1]));
    println!(
        "backlog {}: simulate only, median of {repeat}: as shipped {tn:.3} s ({} events, mean queue wait {:.1} h), backed up {tb:.3} s ({} events, mean queue wait {:.1} h); ratio {:.2} (target: backed up < 5 s)",
        n.scenario,
        n.events,
        wait(n),
        b.events,
        wait(b),
        tb / tn
    );
    Ok(())
}

fn bench_economics(path: Option<&Path>, out: &Path, repeat: usize) -> Result<(), Failure> {
    if repeat == 0 {
        return Err(Failure::BadInput("--repeat must be at least 1".into()));
    }
    let scenario = load(path, &Overrides::default())?;
    if scenario.economics.is_none() {
        return Err(Failure::BadInput(format!(
            "{} keeps no books: the benchmark compares a run with its [economics] to the same run without; give a scenario with an [economics] table",
            scenario.name
        )));
    }
    eprintln!(
        "running {} without and with its books, {repeat} time(s) each, CSV into {} ...",
        scenario.name,
        out.display()
    );
    let r = dcsim::bench::economics::run(&scenario, repeat, out).map_err(Failure::Output)?;
    let median = dcsim::bench::training::median;
    println!(
        "economics {}: {} months, {} contracts",
        scenario.name,
        r.summary.hours as u64 / 730,
        scenario.economics.as_ref().map_or(0, |e| e.contracts.len())
    );
    println!(
        "  whole run (simulate + CSV), median of {repeat}: without books {:.3} s, with books {:.3} s; ratio {:.3} (target < 1.10)",
        median(&r.without_s),
        median(&r.with_s),
        r.ratio()
    );
    Ok(())
}

fn bench_charts(path: Option<&Path>, out: &Path, repeat: usize) -> Result<(), Failure> {
    if repeat == 0 {
        return Err(Failure::BadInput("--repeat must be at least 1".into()));
    }
    let overrides = Overrides::default();
    let scenario = load(path, &overrides)?;
    let inputs = report_inputs(&scenario, path, &overrides);
    eprintln!(
        "running {} with CSV files only and with charts and report.html, {repeat} time(s) each, into {} ...",
        scenario.name,
        out.display()
    );
    let r = dcsim::bench::charts::run(&scenario, &inputs, repeat, out).map_err(Failure::Output)?;
    let median = dcsim::bench::training::median;
    println!(
        "charts {}: {:.0} simulated hours, {} files with charts, report.html {:.2} MB",
        scenario.name,
        r.summary.hours,
        r.files,
        r.report_bytes as f64 / 1e6
    );
    println!(
        "  whole run, median of {repeat}: CSV only {:.3} s, with charts and report {:.3} s; ratio {:.3} (target < 1.20)",
        median(&r.without_s),
        median(&r.with_s),
        r.ratio()
    );
    println!(
        "  writing the files (finish), median: CSV only {:.3} s, with charts and report {:.3} s",
        median(&r.finish_without_s),
        median(&r.finish_with_s)
    );
    Ok(())
}

/// The arguments of `dcsim replay`.
struct ReplayArgs {
    trace: PathBuf,
    format: Option<TraceFormat>,
    model: String,
    chip: String,
    chips_per_replica: u32,
    replicas: u32,
    max_batch: u32,
    routing: Routing,
    prefill: Prefill,
    out: PathBuf,
    requests_csv: bool,
    slo: Option<Slo>,
    /// Factor the arrival rate is multiplied by (arrival times divided).
    rate_scale: f64,
    /// Whether replicas cache prompt blocks (when the trace names them).
    prefix_cache: bool,
}

/// Most replicas of `dcsim replay` (each about 100 bytes of state plus
/// what it runs).
const MAX_REPLAY_REPLICAS: u32 = 1_000_000;
/// Largest batch cap of `dcsim replay` [requests].
const MAX_REPLAY_BATCH: u32 = 1_000_000;
/// Most batch slots (replicas × batch cap) of `dcsim replay`.
const MAX_REPLAY_SLOTS: u64 = 1_000_000_000;

/// Seconds as milliseconds with 1 decimal.
fn ms(s: f64) -> String {
    format!("{:.1} ms", s * 1e3)
}

// Over the 150-line guard (clippy.toml); to be split (issue 19 item 7).
#[allow(clippy::too_many_lines)]
fn replay(a: &ReplayArgs) -> Result<(), Failure> {
    let format = match a.format.or_else(|| TraceFormat::guess(&a.trace)) {
        Some(f) => f,
        None => {
            return Err(Failure::BadInput(format!(
                "{}: cannot tell the trace format from the file name; add --format azure or --format mooncake",
                a.trace.display()
            )));
        }
    };
    let Some(model) = roofline::model(&a.model) else {
        let names: Vec<&str> = roofline::MODELS.iter().map(|m| m.name).collect();
        return Err(Failure::BadInput(format!(
            "--model {:?} is not a model preset; choose one of {}",
            a.model,
            names.join(", ")
        )));
    };
    let catalog = Catalog::builtin();
    let Some(chip) = catalog.chip(&a.chip) else {
        let names: Vec<&str> = catalog.chips.iter().map(|c| c.name.as_str()).collect();
        return Err(Failure::BadInput(format!(
            "--chip {:?} is not a catalog chip; choose one of {}",
            a.chip,
            names.join(", ")
        )));
    };
    if a.replicas == 0 || a.replicas > MAX_REPLAY_REPLICAS {
        return Err(Failure::BadInput(format!(
            "--replicas {}: give 1 to {MAX_REPLAY_REPLICAS} replicas (each holds its own queue and batch)",
            a.replicas
        )));
    }
    if a.max_batch == 0 || a.max_batch > MAX_REPLAY_BATCH {
        return Err(Failure::BadInput(format!(
            "--max-batch {}: give a batch cap of 1 to {MAX_REPLAY_BATCH} requests",
            a.max_batch
        )));
    }
    let slots = u64::from(a.replicas) * u64::from(a.max_batch);
    if slots > MAX_REPLAY_SLOTS {
        return Err(Failure::BadInput(format!(
            "--replicas {} x --max-batch {} is {slots} batch slots, more than the {MAX_REPLAY_SLOTS} allowed: fewer replicas or a smaller batch cap",
            a.replicas, a.max_batch
        )));
    }
    if let Some(problem) = serve_trace::rate_scale_problem(a.rate_scale) {
        return Err(Failure::BadInput(format!("--rate-scale {problem}")));
    }
    let replica = Replica::new(model.spec, chip, a.chips_per_replica)
        .map_err(|e| Failure::BadInput(format!("--model {}: {e}", model.name)))?;
    if let Prefill::Chunked { budget } = a.prefill
        && budget < a.max_batch
    {
        return Err(Failure::BadInput(format!(
            "--token-budget {budget}: give at least --max-batch ({}) tokens per iteration (each decoding request takes one), or --whole-prefill",
            a.max_batch
        )));
    }
    let config = ServeConfig {
        replica,
        replicas: a.replicas,
        max_batch: a.max_batch,
        routing: a.routing,
        prefill: a.prefill,
    };
    let started = Instant::now();
    let (mut requests, blocks) = if a.prefix_cache {
        serve_trace::read_with_blocks(&a.trace, format)
    } else {
        serve_trace::read(&a.trace, format).map(|r| (r, None))
    }
    .map_err(|e| Failure::BadInput(e.to_string()))?;
    serve_trace::scale_arrivals(&mut requests, a.rate_scale);
    let read_s = started.elapsed().as_secs_f64();
    let caching = blocks.as_ref().map(|blocks| PrefixCaching {
        blocks,
        block_tokens: MOONCAKE_BLOCK_TOKENS,
    });
    let run = serve_requests::simulate_cached(&config, &requests, caching)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", a.trace.display())))?;
    let s = serve_requests::summarize(&run, &requests, config.replicas, a.slo);
    println!(
        "replay {} ({} requests, read in {:.3} s): {} x {} on {} x {} each, batch cap {}, {:?} routing, {}",
        a.trace.display(),
        s.requests,
        read_s,
        config.replicas,
        model.name,
        config.replica.chips,
        chip.name,
        config.max_batch,
        config.routing,
        match config.prefill {
            Prefill::Whole => "whole prefills".to_string(),
            Prefill::Chunked { budget } =>
                format!("chunked prefill, {budget} tokens per iteration"),
        }
    );
    if a.rate_scale != 1.0 {
        println!(
            "  --rate-scale {}: arrival times divided by {0}, the arrival rate multiplied by it",
            a.rate_scale
        );
    }
    if let Some(p) = &s.prefix {
        println!(
            "  prefix cache: blocks of {MOONCAKE_BLOCK_TOKENS} tokens ({:.1} MiB of KV each) in each replica's free KV cache, LRU; found {} of {} blocks ({:.1}%), {} of {} prompt tokens ({:.1}%)",
            f64::from(MOONCAKE_BLOCK_TOKENS) * config.replica.model.kv_bytes_per_token
                / (1024.0 * 1024.0),
            p.blocks_hit,
            p.blocks,
            p.block_hit_rate() * 100.0,
            p.tokens_hit,
            p.tokens,
            p.token_hit_rate() * 100.0
        );
    }
    println!(
        "  served {} (rejected {}: context beyond the KV cache); tokens in {} / out {}; {:.0} s simulated",
        s.finished, s.rejected, s.input_tokens, s.output_tokens, s.simulated_s
    );
    for (name, l) in [("TTFT", &s.ttft), ("TPOT", &s.tpot), ("e2e ", &s.e2e)] {
        println!(
            "  {name} mean {}  p50 {}  p90 {}  p99 {}",
            ms(l.mean),
            ms(l.p50),
            ms(l.p90),
            ms(l.p99)
        );
    }
    println!(
        "  {} batch steps, mean decode batch {:.1}, replica utilization {:.1}%",
        s.iterations,
        s.mean_decode_batch,
        s.utilization * 100.0
    );
    if let Some(r) = &s.slo {
        println!(
            "  SLO p{}: TTFT {} (target {}), TPOT {} (target {}): {}; {:.2}% of requests within both",
            r.slo.percentile,
            ms(r.ttft_at_percentile),
            ms(r.slo.ttft_s),
            ms(r.tpot_at_percentile),
            ms(r.slo.tpot_s),
            if r.met { "met" } else { "missed" },
            r.attainment * 100.0
        );
    }
    println!(
        "  simulated in {:.3} s: {:.0} requests/s, {:.2} M batch steps/s",
        s.wall_s,
        s.requests_per_wall_s(),
        s.steps_per_wall_s() / 1e6
    );
    let stem = a
        .trace
        .file_stem()
        .map_or("trace".into(), |s| s.to_string_lossy().into_owned());
    let dir = a.out.join(format!("replay-{stem}"));
    let mut rows = run.rows(&requests);
    let written = dcsim::output::csv::write_replay(
        &dir,
        &s,
        if a.requests_csv {
            Some(&mut rows as &mut dyn Iterator<Item = _>)
        } else {
            None
        },
    )
    .map_err(Failure::Output)?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}

fn bench_serve_scale(trace: Option<PathBuf>, hours: f64, repeat: usize) -> Result<(), Failure> {
    if repeat == 0 {
        return Err(Failure::BadInput("--repeat must be at least 1".into()));
    }
    if !(hours > 0.0 && hours <= 10.0) {
        return Err(Failure::BadInput(format!(
            "--hours {hours}: give more than 0 and at most 10 hours (10,000 requests per replica-hour)"
        )));
    }
    let path = trace.unwrap_or_else(dcsim::bench::serve::default_trace);
    let r = dcsim::bench::serve::run_scale(&path, hours, repeat)
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    for p in &r.points {
        let s = &p.summary;
        println!(
            "serve-scale {} x llama-2-7b on h100, {} requests over {hours} h: {} batch steps; simulate, median of {repeat}: {:.3} {} s, {:.3} wall s ({:.1} ns per batch step, {:.2} M requests/s); summarize {:.3} wall s",
            p.replicas,
            s.requests,
            s.iterations,
            p.median_s(),
            if p.simulate_cpu_s.is_empty() {
                "wall"
            } else {
                "CPU"
            },
            p.median_wall_s(),
            p.ns_per_step(),
            s.requests as f64 / p.median_s() / 1e6,
            p.summarize_s
        );
    }
    let peak = r.peak_rss_kib.map_or("not reported".to_string(), |k| {
        format!("{:.0} MB", k as f64 / 1024.0)
    });
    println!(
        "  time per batch step, {} replicas over {}: {:.2} (1: independent of the number of replicas); peak memory {peak} (target: 1,000 replicas x 1 h under 10 s and 500 MB)",
        r.points[1].replicas,
        r.points[0].replicas,
        r.ratio()
    );
    Ok(())
}

fn bench_serve(trace: Option<PathBuf>, repeat: usize) -> Result<(), Failure> {
    if repeat == 0 {
        return Err(Failure::BadInput("--repeat must be at least 1".into()));
    }
    let path = trace.unwrap_or_else(dcsim::bench::serve::default_trace);
    let r =
        dcsim::bench::serve::run(&path, repeat).map_err(|e| Failure::BadInput(e.to_string()))?;
    let s = &r.summary;
    println!(
        "serve {}: {} requests, {} batch steps, {:.0} s simulated on 2 x llama-2-7b on 1 x h100",
        path.display(),
        s.requests,
        s.iterations,
        s.simulated_s
    );
    println!("  read and parse the trace: {:.3} s", r.read_s);
    println!(
        "  simulate, median of {repeat}: {:.4} s ({:.0} requests/s, {:.2} M batch steps/s)",
        r.median_s(),
        r.requests_per_s(),
        r.steps_per_s() / 1e6
    );
    println!(
        "  baseline (bare binary-heap PHOLD, medium): {:.2} M events/s; batch steps/s over baseline events/s = {:.2}",
        r.baseline_events_per_s / 1e6,
        r.ratio()
    );
    Ok(())
}
