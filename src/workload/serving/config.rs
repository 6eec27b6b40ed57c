//! Configuration the serving workload takes as its own types: the
//! inference services and request-level windows as resolved at the
//! scenario boundary.

use crate::engine::{SimDuration, SimTime};
use crate::world::config::{Maintenance, RackType};

/// The serving workload of a scenario, as resolved at the boundary.
#[derive(Clone, Debug)]
pub struct Config {
    /// Length of an inference epoch.
    pub epoch: SimDuration,
    /// Inference services, in the order the file lists them.
    pub services: Vec<Service>,
    /// Request-level windows, in the order the file lists them.
    pub request_windows: Vec<RequestWindow>,
    /// The rack models replicas run on, by the world's rack-type index (a
    /// copy of the world's, taken at the boundary): a replica's chip and
    /// its rack's scale-up domain and NIC bandwidth.
    pub rack_types: Vec<RackType>,
    /// Number of sites (the world's).
    pub site_count: usize,
    /// The world's planned maintenance windows, in its order (a window's
    /// index is the world's): services move their replicas ahead of them.
    pub maintenance: Vec<Maintenance>,
}

/// A validated inference service (`[[services]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// Unique name.
    pub name: String,
    /// Index into the rack models ([`Config::rack_types`], the world's).
    pub rack_type: usize,
    /// Scale-up domains of one replica.
    pub replica_domains: u32,
    /// Chips of one replica (whole scale-up domains: the unit allocated).
    pub replica_chips: u32,
    /// Chips of one model copy, its tensor-parallel degree (divides
    /// `replica_chips`): a replica hosts `replica_chips ÷ tensor_parallel`
    /// copies, each serving on its own.
    pub tensor_parallel: u32,
    /// Separate prefill and decode pools in each replica, if stated
    /// (`tensor_parallel` is then the decode copies' degree).
    pub disaggregation: Option<crate::workload::serving::disagg::Pools>,
    /// A separate prefill pool, if stated (`[services.prefill_pool]`): the
    /// service's own replicas then run only decodes.
    pub prefill_pool: Option<PrefillPool>,
    /// The model served, at its precision (weights, KV cache, shape).
    pub model: crate::workload::serving::roofline::ModelSpec,
    /// Mean input tokens per request.
    pub input_tokens: f64,
    /// Mean output tokens per request.
    pub output_tokens: f64,
    /// Coefficient of variation of the output tokens, if known (else the
    /// time in service is taken as exponential).
    pub output_tokens_cv: Option<f64>,
    /// Demand over calendar time.
    pub demand: crate::workload::serving::demand::Demand,
    /// Time-to-first-token target.
    pub ttft_slo: SimDuration,
    /// Time-per-output-token target.
    pub tpot_slo: SimDuration,
    /// Percentile the targets hold at, 0–100.
    pub slo_percentile: f64,
    /// Utilization the autoscaler aims at, 0–1.
    pub target_utilization: f64,
    /// Fewest replicas.
    pub min_replicas: u32,
    /// Most replicas.
    pub max_replicas: u32,
    /// Time a new replica loads its weights before it serves.
    pub scale_up_delay: SimDuration,
    /// Whether requests beyond capacity carry to the next epoch.
    pub backlog: bool,
    /// Whether it may preempt training jobs of lower priority.
    pub preempt_training: bool,
    /// Compared with training jobs' priorities.
    pub priority: i32,
    /// How a replica runs prefills (chunked within a token budget by
    /// default).
    pub prefill: crate::workload::serving::requests::Prefill,
    /// Share of prompt tokens a prefix cache holds, stated (0 ≤ h < 1):
    /// every prefill computes `1 − h` of its tokens
    /// ([`crate::workload::serving::roofline::Replica::with_prefix_hit_rate`]).
    pub prefix_hit_rate: f64,
}

/// The prefill pool of a service disaggregated into two separate pools: a
/// second set of replicas of the service's rack model, running only
/// prefills, sized and autoscaled on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefillPool {
    /// Chips of one prefill replica (whole scale-up domains).
    pub replica_chips: u32,
    /// Scale-up domains of one prefill replica.
    pub replica_domains: u32,
    /// Chips of one prefill copy (divides `replica_chips`).
    pub tensor_parallel: u32,
    /// Fewest prefill replicas.
    pub min_replicas: u32,
    /// Most prefill replicas.
    pub max_replicas: u32,
}

impl PrefillPool {
    /// Prefill copies a replica hosts.
    pub fn copies(&self) -> u32 {
        self.replica_chips / self.tensor_parallel
    }
}

/// A validated request-level window (`[[request_windows]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestWindow {
    /// Index into [`Config::services`].
    pub service: usize,
    /// When it starts.
    pub start: SimTime,
    /// Length of its Poisson arrivals (no trace).
    pub duration: SimDuration,
    /// The trace's requests (arrivals from its first), if one is given;
    /// shared so that cloning a scenario does not copy them.
    pub trace: Option<std::sync::Arc<Vec<crate::workload::serving::trace::TraceRequest>>>,
    /// The trace file as given (for reports).
    pub trace_file: Option<String>,
    /// Whether its requests go into `requests.csv`.
    pub requests_csv: bool,
    /// Factor its arrival times (from its start) are divided by (1: as
    /// given or drawn).
    pub rate_scale: f64,
}
