//! The serving benchmark (issue 9): the whole Azure LLM inference
//! conversation trace (19,366 requests over about an hour) replayed
//! request by request on two replicas of Llama-2-7B, one H100 each, timed
//! next to a bare binary-heap PHOLD loop in the same process as the
//! machine's baseline (shared machines are noisy; ratios travel better than
//! seconds).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::phold::{self, Size};
use crate::catalog::Catalog;
use crate::workload::serving::requests::{self, Prefill, Routing, ServeConfig, ServeSummary};
use crate::workload::serving::roofline::{self, Replica};
use crate::workload::serving::trace::{self, TraceError, TraceFormat, TraceRequest};

/// The Azure conversation trace shipped in this repository
/// (`data/azure-llm-inference-2023/`), at the path of the checkout the
/// binary was built from.
pub fn default_trace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv")
}

/// Events of the baseline PHOLD run (medium size).
const BASELINE_EVENTS: u64 = 2_000_000;

/// Figures of the serving benchmark.
#[derive(Clone, Debug)]
pub struct ServeBench {
    /// Summary of the (last) run.
    pub summary: ServeSummary,
    /// Wall time of reading and parsing the trace [s].
    pub read_s: f64,
    /// Wall time of each simulation [s], in run order.
    pub simulate_s: Vec<f64>,
    /// Events/s of a bare binary-heap PHOLD loop (medium size) in the same
    /// process, run before the simulations.
    pub baseline_events_per_s: f64,
}

/// The median of `v` (the lower middle one for an even count).
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[(s.len() - 1) / 2]
}

impl ServeBench {
    /// Median simulation wall time [s].
    pub fn median_s(&self) -> f64 {
        median(&self.simulate_s)
    }

    /// Batch steps (iterations) per wall second, median run.
    pub fn steps_per_s(&self) -> f64 {
        self.summary.iterations as f64 / self.median_s()
    }

    /// Requests per wall second, median run.
    pub fn requests_per_s(&self) -> f64 {
        self.summary.requests as f64 / self.median_s()
    }

    /// Batch steps per second over the baseline's events per second.
    pub fn ratio(&self) -> f64 {
        self.steps_per_s() / self.baseline_events_per_s
    }
}

/// The benchmark's setup: `replicas` replicas of Llama-2-7B on one H100
/// each, batch cap 256, join-the-shortest-queue routing.
pub fn config(replicas: u32) -> ServeConfig {
    let catalog = Catalog::builtin();
    let chip = catalog.chip("h100").expect("the catalog has the H100");
    let model = roofline::model("llama-2-7b").expect("a preset").spec;
    ServeConfig {
        replica: Replica::new(model, chip, 1).expect("7B fits in one H100"),
        replicas,
        max_batch: 256,
        routing: Routing::LeastLoaded,
        prefill: Prefill::default(),
    }
}

/// Reads the trace at `path` (Azure format), runs a baseline PHOLD loop,
/// then replays the trace `repeat` times (≥ 1) on two replicas.
pub fn run(path: &Path, repeat: usize) -> Result<ServeBench, TraceError> {
    let started = Instant::now();
    let requests = trace::read(path, TraceFormat::Azure)?;
    let read_s = started.elapsed().as_secs_f64();
    let baseline = phold::run_bare_heap(Size::Medium, BASELINE_EVENTS);
    let cfg = config(2);
    let mut simulate_s = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let run = requests::simulate(&cfg, &requests).expect("a sorted trace and a valid setup");
        simulate_s.push(run.wall_s);
        last = Some(run);
    }
    let run = last.expect("at least one run");
    let summary = requests::summarize(&run, &requests, cfg.replicas, None);
    Ok(ServeBench {
        summary,
        read_s,
        simulate_s,
        baseline_events_per_s: baseline.events_per_s(),
    })
}

/// Requests per replica-hour of the scale benchmark: the Azure conversation
/// trace's load per replica in [`run`] (19,366 requests in about an hour on
/// two replicas), rounded so that 1,000 replicas take 10 M in an hour.
pub const SCALE_REQUESTS_PER_REPLICA_HOUR: usize = 10_000;

/// Replica counts of the scale benchmark: a small fleet, then the large one
/// at the same load per replica.
pub const SCALE_REPLICAS: [u32; 2] = [10, 1_000];

/// A request stream for `replicas` replicas over `hours` hours at
/// [`SCALE_REQUESTS_PER_REPLICA_HOUR`] each: Poisson arrivals (stream
/// `bench/serve-scale/arrivals` of seed 0) whose prompt and output tokens
/// cycle through `sizes` (the Azure conversation trace, in its order).
pub fn scale_requests(sizes: &[TraceRequest], replicas: u32, hours: f64) -> Vec<TraceRequest> {
    use rand::RngExt;
    let count =
        (SCALE_REQUESTS_PER_REPLICA_HOUR as f64 * f64::from(replicas) * hours).round() as usize;
    let rate = count as f64 / (hours * 3600.0);
    let mut gaps = crate::engine::RngStreams::new(0).stream("bench/serve-scale/arrivals");
    let mut t = 0.0;
    (0..count)
        .map(|i| {
            let u: f64 = gaps.random::<f64>();
            t += -(1.0 - u).ln() / rate;
            let size = sizes[i % sizes.len()];
            TraceRequest { arrival: t, ..size }
        })
        .collect()
}

/// Figures of one fleet size of the scale benchmark.
#[derive(Clone, Debug)]
pub struct ScalePoint {
    /// Replicas.
    pub replicas: u32,
    /// Summary of the (last) run.
    pub summary: ServeSummary,
    /// Wall time of each simulation [s], in run order.
    pub simulate_s: Vec<f64>,
    /// CPU time of each simulation [s], in run order, where the system
    /// reports a thread's CPU time (else empty).
    pub simulate_cpu_s: Vec<f64>,
    /// Wall time of summarizing the last run (latency percentiles) [s].
    pub summarize_s: f64,
}

impl ScalePoint {
    /// Median simulation time [s]: CPU time where reported (a shared
    /// machine's wall time counts the other processes' turns), else wall.
    pub fn median_s(&self) -> f64 {
        if self.simulate_cpu_s.is_empty() {
            median(&self.simulate_s)
        } else {
            median(&self.simulate_cpu_s)
        }
    }

    /// Median simulation wall time [s].
    pub fn median_wall_s(&self) -> f64 {
        median(&self.simulate_s)
    }

    /// Time per batch step, median run [ns] (of [`ScalePoint::median_s`]).
    pub fn ns_per_step(&self) -> f64 {
        self.median_s() * 1e9 / self.summary.iterations as f64
    }
}

/// CPU time the calling thread has used [s] (`CLOCK_THREAD_CPUTIME_ID`),
/// where the system reports it.
pub fn thread_cpu_s() -> Option<f64> {
    #[cfg(unix)]
    {
        clock_s(libc::CLOCK_THREAD_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// CPU time the whole process has used [s] (`CLOCK_PROCESS_CPUTIME_ID`),
/// where the system reports it.
pub fn process_cpu_s() -> Option<f64> {
    #[cfg(unix)]
    {
        clock_s(libc::CLOCK_PROCESS_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The reading of `clock` [s], if the system gives one.
#[cfg(unix)]
fn clock_s(clock: libc::clockid_t) -> Option<f64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is handed.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    (rc == 0).then_some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
}

/// Figures of the scale benchmark.
#[derive(Clone, Debug)]
pub struct ScaleBench {
    /// One point per fleet size of [`SCALE_REPLICAS`], in that order.
    pub points: Vec<ScalePoint>,
    /// Peak resident memory of the process after all runs [KiB], where the
    /// system reports it: the large fleet's requests, results and summary.
    pub peak_rss_kib: Option<u64>,
}

impl ScaleBench {
    /// Wall time per batch step of the large fleet over the small one's
    /// [dimensionless]: 1 when a step's cost does not depend on the number
    /// of replicas.
    pub fn ratio(&self) -> f64 {
        self.points[1].ns_per_step() / self.points[0].ns_per_step()
    }
}

/// Reads the Azure trace at `path` for its token counts, then for each fleet
/// of [`SCALE_REPLICAS`] generates [`scale_requests`] over `hours` and
/// replays them `repeat` times (≥ 1) on the setup of [`config`], the small
/// fleet first; the large fleet's last run is summarized.
pub fn run_scale(path: &Path, hours: f64, repeat: usize) -> Result<ScaleBench, TraceError> {
    let sizes = trace::read(path, TraceFormat::Azure)?;
    let mut points = Vec::new();
    for replicas in SCALE_REPLICAS {
        let requests = scale_requests(&sizes, replicas, hours);
        let cfg = config(replicas);
        let mut simulate_s = Vec::with_capacity(repeat);
        let mut simulate_cpu_s = Vec::with_capacity(repeat);
        let mut summary = None;
        let mut summarize_s = 0.0;
        for k in 0..repeat.max(1) {
            let cpu = thread_cpu_s();
            let run =
                requests::simulate(&cfg, &requests).expect("a sorted stream and a valid setup");
            if let (Some(before), Some(after)) = (cpu, thread_cpu_s()) {
                simulate_cpu_s.push(after - before);
            }
            simulate_s.push(run.wall_s);
            if k + 1 == repeat.max(1) {
                let started = Instant::now();
                summary = Some(requests::summarize(&run, &requests, replicas, None));
                summarize_s = started.elapsed().as_secs_f64();
            }
        }
        points.push(ScalePoint {
            replicas,
            summary: summary.expect("at least one run"),
            simulate_s,
            simulate_cpu_s,
            summarize_s,
        });
    }
    Ok(ScaleBench {
        points,
        peak_rss_kib: super::scale::peak_rss_kib(),
    })
}
