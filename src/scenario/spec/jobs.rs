//! The three training-job sources: `[[jobs]]`, `[[arrivals]]` and `[[traces]]`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::DistributionSpec;

/// One training job. Work is given exactly one way: `params` and `tokens`
/// (6·N·D FLOPs), `flops`, or `ideal_duration` (the time it would take on
/// its chips at full speed without checkpoints or failures).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Unique name.
    pub name: String,
    /// When it is submitted: a date (`"2026-02-01"`) or an offset from the
    /// start (`"12h"`); default the start.
    #[serde(default)]
    pub submit: Option<String>,
    /// Rack model (a built one) whose chips and scale-up domains it uses.
    pub rack: String,
    /// Chips it holds, a whole number of the rack model's scale-up domains.
    pub chips: u32,
    /// Model parameters N.
    #[serde(default)]
    pub params: Option<f64>,
    /// Training tokens D.
    #[serde(default)]
    pub tokens: Option<f64>,
    /// Total work \[FLOP\].
    #[serde(default)]
    pub flops: Option<f64>,
    /// Failure-free compute time at full speed (`"30d"`).
    #[serde(default)]
    pub ideal_duration: Option<String>,
    /// Model FLOPs utilization, 0–1 (default 0.4).
    #[serde(default)]
    pub mfu: Option<f64>,
    /// Productive compute time between checkpoints (default `"2h"`), or
    /// `"young-daly"`: `sqrt(2 · checkpoint_time · MTBF)` from the rates of
    /// the failures that interrupt the job.
    #[serde(default)]
    pub checkpoint_every: Option<String>,
    /// Time a checkpoint blocks the job (default `"1min"`).
    #[serde(default)]
    pub checkpoint_time: Option<String>,
    /// Time to restart from a checkpoint once the job's chips are whole
    /// (default `"10min"`).
    #[serde(default)]
    pub restart_overhead: Option<String>,
    /// Higher runs first (default 0).
    #[serde(default)]
    pub priority: Option<i32>,
    /// Global batch in tokens: the job's steps are `tokens ÷ batch_tokens`
    /// (needs `tokens`; or give `steps` or `step_time`).
    #[serde(default)]
    pub batch_tokens: Option<f64>,
    /// Training steps (the work is spread evenly over them).
    #[serde(default)]
    pub steps: Option<f64>,
    /// Ideal compute time of one step at full speed (`"4s"`), instead of
    /// `batch_tokens` or `steps`.
    #[serde(default)]
    pub step_time: Option<String>,
    /// Gradient bytes each data-parallel replica all-reduces per step
    /// (default `2 · params`, BF16 gradients, when `params` is given).
    #[serde(default)]
    pub gradient_bytes: Option<f64>,
    /// Data-parallel degree k (default the job's scale-up domains: one
    /// replica per domain).
    #[serde(default)]
    pub data_parallel: Option<u32>,
    /// Share of the compute time the all-reduce overlaps, 0–1 (default 0.5).
    #[serde(default)]
    pub overlap: Option<f64>,
    /// Whether the job may hold domains at several sites when no one site
    /// has room (default false).
    #[serde(default)]
    pub multi_site: Option<bool>,
}

/// A Poisson stream of training jobs over a window: each job's chips drawn
/// uniformly from `chips`, its work as an `ideal_duration` drawn from a
/// distribution. Jobs are named `<name>-<k>` (k from 0).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrivalSpec {
    /// Unique name; names the random stream (`jobs/<name>`) and the jobs.
    pub name: String,
    /// Rack model (a built one) the jobs run on.
    pub rack: String,
    /// Mean arrivals per day.
    pub rate_per_day: f64,
    /// Start of the window: a date or an offset from the start (default
    /// the start).
    #[serde(default)]
    pub from: Option<String>,
    /// End of the window (exclusive): a date or an offset from the start
    /// (default the end of the run).
    #[serde(default)]
    pub until: Option<String>,
    /// Chip counts to draw from, uniformly; each a whole number of the rack
    /// model's scale-up domains.
    pub chips: Vec<u32>,
    /// Failure-free compute time at full speed of each job.
    pub ideal_duration: DistributionSpec,
    /// Model FLOPs utilization, 0–1 (default 0.4).
    #[serde(default)]
    pub mfu: Option<f64>,
    /// As [`JobSpec::checkpoint_every`] (default `"2h"`; `"young-daly"`
    /// per job, from its chips).
    #[serde(default)]
    pub checkpoint_every: Option<String>,
    /// Time a checkpoint blocks a job (default `"1min"`).
    #[serde(default)]
    pub checkpoint_time: Option<String>,
    /// Time to restart from a checkpoint (default `"10min"`).
    #[serde(default)]
    pub restart_overhead: Option<String>,
    /// Higher runs first (default 0).
    #[serde(default)]
    pub priority: Option<i32>,
    /// Ideal compute time of one step at full speed (`"4s"`): with
    /// `gradient_bytes`, the jobs all-reduce over the fabric.
    #[serde(default)]
    pub step_time: Option<String>,
    /// Gradient bytes each data-parallel replica all-reduces per step.
    #[serde(default)]
    pub gradient_bytes: Option<f64>,
    /// Data-parallel degree (default each job's scale-up domains).
    #[serde(default)]
    pub data_parallel: Option<u32>,
    /// Share of the compute time the all-reduce overlaps, 0–1 (default 0.5).
    #[serde(default)]
    pub overlap: Option<f64>,
    /// Whether the jobs may span sites (default false).
    #[serde(default)]
    pub multi_site: Option<bool>,
}

/// Training jobs from a trace file: the generic CSV (`format = "csv"`,
/// columns `submit`, `chips`, `ideal_duration` or `flops`, optional `name`
/// and `rack`) or the Alibaba GPU v2023 task list (`format = "alibaba"`).
/// Jobs are named `<name>-<line>` (the row's line in the file) unless the
/// row names them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceSpec {
    /// Unique name; names the jobs.
    pub name: String,
    /// The trace file, relative to the scenario file.
    pub file: String,
    /// `"csv"` (default) or `"alibaba"`.
    #[serde(default)]
    pub format: Option<String>,
    /// Rack model (a built one) of the jobs whose row names none; required
    /// for `"alibaba"`, where it takes the rows with an empty `gpu_spec`
    /// (any GPU).
    #[serde(default)]
    pub rack: Option<String>,
    /// `"alibaba"` only: GPU model as the trace names it in `gpu_spec`
    /// (`"V100M32"`, `"T4"`, …) → rack model (a built one). A row whose
    /// `gpu_spec` lists models (`"V100M16|V100M32"`) runs on the rack model
    /// of the first one listed that this table maps.
    #[serde(default)]
    pub racks: Option<BTreeMap<String, String>>,
    /// Model FLOPs utilization, 0–1 (default 0.4).
    #[serde(default)]
    pub mfu: Option<f64>,
    /// As [`JobSpec::checkpoint_every`] (default `"2h"`; `"young-daly"`
    /// per job, from its chips).
    #[serde(default)]
    pub checkpoint_every: Option<String>,
    /// Time a checkpoint blocks a job (default `"1min"`).
    #[serde(default)]
    pub checkpoint_time: Option<String>,
    /// Time to restart from a checkpoint (default `"10min"`).
    #[serde(default)]
    pub restart_overhead: Option<String>,
    /// Higher runs first (default 0).
    #[serde(default)]
    pub priority: Option<i32>,
}

/// The settings every job source shares, as given: one view over a
/// [`JobSpec`], an [`ArrivalSpec`] or a [`TraceSpec`], resolved by one
/// function. In the file these keys stand at the entry's own level.
/// (serde's `flatten` would declare them once in the structs, but it hides
/// a struct's keys from the deserializer, which lists them to name an
/// unknown key, and buffers the values without their positions.)
#[derive(Clone, Copy, Debug, Default)]
pub struct JobSettingsSpec<'a> {
    /// Model FLOPs utilization, 0–1 (default 0.4).
    pub mfu: Option<f64>,
    /// Productive compute time between checkpoints (default `"2h"`), or
    /// `"young-daly"` (per job, from its chips).
    pub checkpoint_every: Option<&'a str>,
    /// Time a checkpoint blocks a job (default `"1min"`).
    pub checkpoint_time: Option<&'a str>,
    /// Time to restart from a checkpoint (default `"10min"`).
    pub restart_overhead: Option<&'a str>,
    /// Higher runs first (default 0).
    pub priority: Option<i32>,
}

/// `settings()` for each job source.
macro_rules! job_settings {
    ($($source:ty),*) => {$(
        impl $source {
            /// The settings every job source shares, as given.
            pub fn settings(&self) -> JobSettingsSpec<'_> {
                JobSettingsSpec {
                    mfu: self.mfu,
                    checkpoint_every: self.checkpoint_every.as_deref(),
                    checkpoint_time: self.checkpoint_time.as_deref(),
                    restart_overhead: self.restart_overhead.as_deref(),
                    priority: self.priority,
                }
            }
        }
    )*};
}
job_settings!(JobSpec, ArrivalSpec, TraceSpec);
