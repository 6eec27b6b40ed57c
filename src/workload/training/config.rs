//! Configuration the training workload takes as its own types: the jobs
//! and Poisson streams of jobs as resolved at the scenario boundary, and
//! what each trace file gave.

use crate::engine::{SimDuration, SimTime};
use crate::world::config::{Distribution, RackType};

/// The training workload of a scenario, as resolved at the boundary.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Training jobs: the `[[jobs]]` in the order the file lists them,
    /// then those of each `[[arrivals]]` stream and `[[traces]]` file.
    pub jobs: Vec<Job>,
    /// Software interruptions of a running training job, per node-hour of
    /// it (bugs, NCCL watchdog timeouts, dependencies) [1/h].
    pub software_rate_per_node_hour: f64,
    /// What each `[[traces]]` file gave, in the order listed.
    pub traces: Vec<TraceReport>,
    /// The rack models jobs run on, by the world's rack-type index (a
    /// copy of the world's, taken at the boundary): a job's chip and
    /// nodes, for its full rate and its software faults.
    pub rack_types: Vec<RackType>,
    /// The sites' names, by the world's site index (for the job rows).
    pub sites: Vec<String>,
}

/// A validated training job.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// Unique name.
    pub name: String,
    /// Submission time.
    pub submit: SimTime,
    /// Index into the rack models ([`Config::rack_types`], the world's).
    pub rack_type: usize,
    /// Chips held (a whole number of scale-up domains).
    pub chips: u32,
    /// Scale-up domains held.
    pub domains: u32,
    /// Total work \[FLOP\].
    pub work: f64,
    /// Model FLOPs utilization, 0–1.
    pub mfu: f64,
    /// Productive compute time between checkpoints.
    pub checkpoint_every: SimDuration,
    /// Time a checkpoint blocks the job.
    pub checkpoint_time: SimDuration,
    /// Time to resume from a checkpoint once the chips are whole.
    pub restart_overhead: SimDuration,
    /// Higher runs first.
    pub priority: i32,
    /// Its data-parallel gradient exchange, if modelled.
    pub comm: Option<Comm>,
    /// Training tokens D, for a job given as params and tokens (its work
    /// is 6·N·D).
    pub tokens: Option<f64>,
    /// Whether it may hold domains at several sites (its all-reduce then
    /// crosses the inter-site links).
    pub multi_site: bool,
}

/// A job's data-parallel gradient all-reduce, run once per training step
/// as a ring over the racks it holds (see `workload::training`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comm {
    /// Work of one step \[FLOP\] (the job's work ÷ its steps).
    pub flops_per_step: f64,
    /// Gradient bytes each data-parallel replica all-reduces per step \[B\].
    pub gradient_bytes: f64,
    /// Data-parallel degree k (replicas exchanging gradients).
    pub data_parallel: u32,
    /// Share of the compute time the all-reduce hides behind, 0–1.
    pub overlap: f64,
}

/// A validated Poisson stream of training jobs (`[[arrivals]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arrivals {
    /// Name of the stream: its jobs are `<name>-<k>`, its random stream
    /// `jobs/<name>`.
    pub name: String,
    /// Index into the world's rack models ([`crate::world::config::Config::rack_types`]).
    pub rack_type: usize,
    /// Mean arrivals per hour.
    pub rate_per_hour: f64,
    /// Window start.
    pub from: SimTime,
    /// Window end (exclusive).
    pub until: SimTime,
    /// Sizes to draw from, uniformly: (chips, domains, checkpoint interval).
    pub sizes: Vec<(u32, u32, SimDuration)>,
    /// Failure-free compute time at full speed of each job.
    pub ideal_duration: Distribution,
    /// Model FLOPs utilization.
    pub mfu: f64,
    /// Time a checkpoint blocks a job.
    pub checkpoint_time: SimDuration,
    /// Time to restart from a checkpoint.
    pub restart_overhead: SimDuration,
    /// Priority of every job.
    pub priority: i32,
    /// The jobs' all-reduce, with `flops_per_step` holding the ideal step
    /// time \[s\] (scaled by each job's full rate when drawn).
    pub comm: Option<Comm>,
    /// Whether the jobs may span sites.
    pub multi_site: bool,
}

/// What one `[[traces]]` file gave: the jobs made and, for the Alibaba
/// format, the rows skipped by the first admission rule they fail (the
/// generic CSV skips no row).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceReport {
    /// The trace's name.
    pub name: String,
    /// The file as read.
    pub file: String,
    /// Jobs made.
    pub jobs: u64,
    /// Rows skipped: no GPU (`num_gpu` = 0).
    pub skipped_cpu_only: u64,
    /// Rows skipped: a fraction of one GPU (`gpu_milli` < 1000).
    pub skipped_gpu_sharing: u64,
    /// Rows skipped: never scheduled (Pending).
    pub skipped_pending: u64,
    /// Rows skipped: `deletion_time` ≤ `scheduled_time`.
    pub skipped_zero_length: u64,
    /// Rows skipped: created at or after the end of the run.
    pub skipped_after_end: u64,
}

impl TraceReport {
    /// Rows skipped in all.
    pub fn skipped(&self) -> u64 {
        self.skipped_cpu_only
            + self.skipped_gpu_sharing
            + self.skipped_pending
            + self.skipped_zero_length
            + self.skipped_after_end
    }
}
