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
use crate::workload::serving::requests::{self, Routing, ServeConfig, ServeSummary};
use crate::workload::serving::roofline::{self, Replica};
use crate::workload::serving::trace::{self, TraceError, TraceFormat};

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
