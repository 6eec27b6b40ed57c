//! `dcsim bench`: the performance benchmarks of `src/bench/`, each run in
//! one process against its baseline, their figures printed.

pub(crate) mod charts;
pub(crate) mod economics;
pub(crate) mod phold;
pub(crate) mod scale;
pub(crate) mod serve;
pub(crate) mod sweep;
pub(crate) mod training;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::scenario::{self, Overrides};

use super::{Failure, load, report_inputs, sweep::sweep_definition};

/// The benchmarks, each timed in one process against a baseline.
#[derive(clap::Subcommand, Debug)]
pub enum Bench {
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

/// A PHOLD size (the benchmark's [`phold::Size`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    /// 1,000 LPs × 1 initial event.
    Small,
    /// 10,000 LPs × 10 initial events.
    Medium,
    /// 100,000 LPs × 10 initial events (a million pending events).
    Large,
}

impl From<Size> for phold::Size {
    fn from(s: Size) -> Self {
        match s {
            Size::Small => phold::Size::Small,
            Size::Medium => phold::Size::Medium,
            Size::Large => phold::Size::Large,
        }
    }
}

impl Bench {
    /// Whether the benchmark writes output folders (an interrupt removes
    /// what is being staged).
    pub fn writes_files(&self) -> bool {
        matches!(
            self,
            Bench::Scale { .. }
                | Bench::Training { .. }
                | Bench::Economics { .. }
                | Bench::Charts { .. }
                | Bench::Sweep { .. }
        )
    }
}

/// Runs one benchmark and prints its figures.
pub fn execute(which: Bench) -> Result<(), Failure> {
    match which {
        Bench::Phold {
            size,
            events,
            repeat,
        } => bench_phold(&size, events, repeat),
        Bench::Scale { scenario, out } => bench_scale(scenario.as_deref(), &out),
        Bench::Training {
            scenario,
            out,
            repeat,
            sets,
        } => bench_training(scenario.as_deref(), &out, repeat, sets),
        Bench::Backlog { repeat } => bench_backlog(repeat),
        Bench::Serve { trace, repeat } => bench_serve(trace, repeat),
        Bench::ServeScale {
            trace,
            hours,
            repeat,
        } => bench_serve_scale(trace, hours, repeat),
        Bench::Sweep {
            scenario,
            varies,
            replications,
            jobs,
            repeat,
            out,
        } => bench_sweep(
            scenario.as_deref(),
            varies,
            replications,
            (jobs, repeat),
            &out,
        ),
        Bench::Economics {
            scenario,
            out,
            repeat,
        } => bench_economics(scenario.as_deref(), &out, repeat),
        Bench::Charts {
            scenario,
            out,
            repeat,
        } => bench_charts(scenario.as_deref(), &out, repeat),
    }
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
    let r = self::sweep::run(&definition, &[1, jobs], repeat, &dir)?;
    let median = self::training::median;
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

fn bench_phold(sizes: &[Size], events: u64, repeat: usize) -> Result<(), Failure> {
    let sizes: Vec<phold::Size> = if sizes.is_empty() {
        phold::Size::ALL.to_vec()
    } else {
        sizes.iter().map(|&s| s.into()).collect()
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
            self::scale::SCALE_SCENARIO,
            None,
            &Overrides::default(),
        )?,
    };
    let dir = out.join(&scenario.run.name);
    eprintln!(
        "running {} twice (rows discarded, then CSV into {}) ...",
        scenario.run.name,
        dir.display()
    );
    let r = self::scale::run(&scenario, &dir).map_err(Failure::Output)?;
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
            self::training::TRAINING_SCENARIO,
            None,
            &overrides,
        )?,
    };
    let load_s = started.elapsed().as_secs_f64();
    if scenario.training.jobs.is_empty() && scenario.serving.services.is_empty() {
        return Err(Failure::BadInput(format!(
            "{} has no training jobs and no services: the benchmark compares a run with its workloads to the same run without; give a scenario with [[jobs]], [[arrivals]], [[traces]] or [[services]]",
            scenario.run.name
        )));
    }
    eprintln!(
        "running {} with and without its {} jobs and {} services, {repeat} time(s) each, then with CSV into {} ...",
        scenario.run.name,
        scenario.training.jobs.len(),
        scenario.serving.services.len(),
        out.display()
    );
    let r = self::training::run(&scenario, repeat, out).map_err(Failure::Output)?;
    let (p, t) = (&r.physical, &r.training);
    let s = &t.summary;
    let jobs = s.training.as_ref();
    println!(
        "training {}: {} chips at peak, {} sites, {:.0} simulated hours; {} jobs ({} completed)",
        s.scenario,
        s.peak_chips_online,
        s.sites,
        s.hours,
        scenario.training.jobs.len(),
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
            self::training::TRAINING_SCENARIO,
            None,
            &Overrides { sets, seed: None },
        )
    };
    let normal = load(Vec::new())?;
    let backed_up = load(vec!["arrivals[0].ideal_duration.sigma=3".into()])?;
    eprintln!(
        "running {} as shipped and with arrivals[0].ideal_duration.sigma=3, {repeat} time(s) each ...",
        normal.run.name
    );
    let kinds = [&normal, &backed_up];
    let mut times = [Vec::new(), Vec::new()];
    let mut summaries = [None, None];
    for _ in 0..repeat {
        for (k, s) in kinds.iter().enumerate() {
            let started = Instant::now();
            let (_, summary) = crate::sim::run(s, crate::output::null::NullRecorder, &mut |_| {});
            times[k].push(started.elapsed().as_secs_f64());
            summaries[k] = Some(summary);
        }
    }
    let median = self::training::median;
    let [Some(n), Some(b)] = &summaries else {
        unreachable!("repeat is at least 1");
    };
    let wait =
        |s: &crate::record::SummaryRow| s.training.as_ref().map_or(0.0, |t| t.queue_wait_mean_h);
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
            scenario.run.name
        )));
    }
    eprintln!(
        "running {} without and with its books, {repeat} time(s) each, CSV into {} ...",
        scenario.run.name,
        out.display()
    );
    let r = self::economics::run(&scenario, repeat, out).map_err(Failure::Output)?;
    let median = self::training::median;
    println!(
        "economics {}: {} months, {} contracts",
        scenario.run.name,
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
        scenario.run.name,
        out.display()
    );
    let r = self::charts::run(&scenario, &inputs, repeat, out)?;
    let median = self::training::median;
    println!(
        "charts {}: {:.0} simulated hours, {} files with charts, report.html {:.2} MB",
        scenario.run.name,
        r.summary.hours,
        r.files,
        r.report_bytes as f64 / 1e6
    );
    let clock = if r.cpu() { "CPU" } else { "wall" };
    for (k, arm) in self::charts::ChartsBench::arms().iter().enumerate() {
        println!(
            "  {arm:<19} whole run, median of {repeat}: {:.3} {clock} s ({:.3} wall s; writing the files {:.3} wall s)",
            r.median(k),
            median(&r.wall_s[k]),
            median(&r.finish_s[k])
        );
    }
    println!(
        "  with charts ÷ no charts {:.3} (target < 1.20); from memory ÷ read back {:.3} (below 1: drawing from memory costs less; CPU time on a shared machine varies by a few %); the two ways wrote the same bytes",
        r.ratio(),
        r.memory_ratio()
    );
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
    let path = trace.unwrap_or_else(self::serve::default_trace);
    let r = self::serve::run_scale(&path, hours, repeat)
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
    let path = trace.unwrap_or_else(self::serve::default_trace);
    let r = self::serve::run(&path, repeat).map_err(|e| Failure::BadInput(e.to_string()))?;
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
