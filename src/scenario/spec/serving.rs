//! Inference: `[serving]`, `[[services]]` with their demand growth, and
//! `[[request_windows]]`.

use serde::Deserialize;

/// A window of a service simulated request by request: at `start`, its
/// serving replicas batch a trace's requests (or Poisson requests at its
/// demand) one event each.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestWindowSpec {
    /// The service (by name).
    pub service: String,
    /// When: a date (`"2027-03-03"`) or an offset from the start
    /// (`"10238h"`).
    pub start: String,
    /// Length of Poisson arrivals when no trace is given (default `"1h"`).
    #[serde(default)]
    pub duration: Option<String>,
    /// An LLM request trace (Azure CSV or Mooncake JSON Lines), relative to
    /// the scenario file; its arrivals are shifted to `start`.
    #[serde(default)]
    pub trace: Option<String>,
    /// `"azure"` or `"mooncake"` (default: from the file's extension).
    #[serde(default)]
    pub format: Option<String>,
    /// Write the window's requests into `requests.csv` (default false).
    #[serde(default)]
    pub requests_csv: Option<bool>,
    /// Divide the window's arrival times (from its start) by this factor:
    /// 2 makes them twice as dense, the same requests in half the span
    /// (default 1; 0.001 to 1000).
    #[serde(default)]
    pub rate_scale: Option<f64>,
}

/// Settings of the epoch mode of inference (`[serving]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServingSpec {
    /// Length of an epoch, over which each service's arrival rate is taken
    /// as constant (default `"15min"`).
    #[serde(default)]
    pub epoch: Option<String>,
}

/// One inference service: a model served by replicas of whole scale-up
/// domains, its demand over calendar time, its latency targets and its
/// autoscaling.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Unique name; names its random stream (`services/<name>/noise`).
    pub name: String,
    /// Rack model (a built one) whose chips serve it.
    pub rack: String,
    /// Chips of one replica, whole scale-up domains (default one domain).
    #[serde(default)]
    pub replica_chips: Option<u32>,
    /// Chips of one model copy, its tensor-parallel degree (default the
    /// whole replica); must divide `replica_chips`, whose domains then host
    /// `replica_chips ÷ tensor_parallel` copies (e.g. 8 on a 72-GPU NVL72
    /// rack: nine copies).
    #[serde(default)]
    pub tensor_parallel: Option<u32>,
    /// Prefill/decode disaggregation: chips of each replica that run
    /// prefills (its first chips, whole prefill copies of
    /// `prefill_tensor_parallel`); the other chips run decodes in copies
    /// of `tensor_parallel`, and each request's KV cache moves from one
    /// pool to the other (default none: every copy does both).
    #[serde(default)]
    pub prefill_chips: Option<u32>,
    /// Chips of one prefill copy, its tensor-parallel degree (default
    /// `tensor_parallel`); must divide `prefill_chips`.
    #[serde(default)]
    pub prefill_tensor_parallel: Option<u32>,
    /// Prefill/decode disaggregation in two separate pools
    /// (`[services.prefill_pool]`): the service's own replicas
    /// (`replica_chips`, `tensor_parallel`, `min_replicas`, `max_replicas`)
    /// then run only decodes, and this table sizes a second set of replicas
    /// that run only prefills, each pool autoscaled on its own load (default
    /// none; not with `prefill_chips`).
    #[serde(default)]
    pub prefill_pool: Option<PrefillPoolSpec>,
    /// A model preset (`dcsim catalog` lists them), or give `params`,
    /// `bytes_per_param` and `kv_bytes_per_token`.
    #[serde(default)]
    pub model: Option<String>,
    /// Model parameters N.
    #[serde(default)]
    pub params: Option<f64>,
    /// Bytes per parameter of the served weights (default 2, BF16), for a
    /// model given by `params`; or give `precision`.
    #[serde(default)]
    pub bytes_per_param: Option<f64>,
    /// Precision of the weights: `"bf16"`, `"fp8"` or `"fp4"` (default the
    /// preset's own; BF16 for a model given by `params`). It sets the bytes
    /// per parameter and the chip FLOP/s the prefill runs at.
    #[serde(default)]
    pub precision: Option<String>,
    /// Precision of the KV cache: `"bf16"`, `"fp8"` or `"fp4"` (default the
    /// preset's own, BF16 for all of them).
    #[serde(default)]
    pub kv_precision: Option<String>,
    /// KV-cache bytes per token of context.
    #[serde(default)]
    pub kv_bytes_per_token: Option<f64>,
    /// Mean input (prompt) tokens per request (or give `sizes_trace`).
    #[serde(default)]
    pub input_tokens: Option<f64>,
    /// Mean output (generated) tokens per request (or give `sizes_trace`).
    #[serde(default)]
    pub output_tokens: Option<f64>,
    /// Coefficient of variation of the output tokens (standard deviation
    /// ÷ mean): sets how variable a request's time in service is (default:
    /// the M/M/c model's exponential time in service).
    #[serde(default)]
    pub output_tokens_cv: Option<f64>,
    /// An LLM request trace (Azure CSV or Mooncake JSON Lines) whose token
    /// counts give the request sizes (means and output CV) instead.
    #[serde(default)]
    pub sizes_trace: Option<String>,
    /// Its format, `"azure"` or `"mooncake"` (default from the extension).
    #[serde(default)]
    pub sizes_format: Option<String>,
    /// Base demand [requests/s] at the start of the run (before growth and
    /// profiles).
    pub rate_per_s: f64,
    /// Growth of the demand over the years (default none).
    #[serde(default)]
    pub growth: Option<GrowthSpec>,
    /// 24 hourly factors, midnight first (default all 1).
    #[serde(default)]
    pub diurnal: Option<Vec<f64>>,
    /// 7 daily factors, Monday first (default all 1).
    #[serde(default)]
    pub weekly: Option<Vec<f64>>,
    /// Lognormal noise on each epoch's rate, sigma of its log (default 0).
    #[serde(default)]
    pub noise_sigma: Option<f64>,
    /// Time-to-first-token target (default `"2s"`).
    #[serde(default)]
    pub ttft_slo: Option<String>,
    /// Time-per-output-token target (default `"100ms"`).
    #[serde(default)]
    pub tpot_slo: Option<String>,
    /// Percentile the targets hold at, in percent (default 99).
    #[serde(default)]
    pub slo_percentile: Option<f64>,
    /// Autoscaling keeps the replicas' utilization at this (default 0.7).
    #[serde(default)]
    pub target_utilization: Option<f64>,
    /// Fewest replicas (default 1).
    #[serde(default)]
    pub min_replicas: Option<u32>,
    /// Most replicas (default 1,000,000).
    #[serde(default)]
    pub max_replicas: Option<u32>,
    /// Time a new replica takes to load its weights before it serves
    /// (default `"10min"`).
    #[serde(default)]
    pub scale_up_delay: Option<String>,
    /// Requests beyond capacity: `"drop"` (default) or `"backlog"`
    /// (carried to the next epoch).
    #[serde(default)]
    pub beyond_capacity: Option<String>,
    /// Whether the service may preempt training jobs of lower priority when
    /// no free chips are left (default false).
    #[serde(default)]
    pub preempt_training: Option<bool>,
    /// Compared with training jobs' priorities for preemption (default 0).
    #[serde(default)]
    pub priority: Option<i32>,
    /// How a replica runs prefills in request-level windows and the epoch
    /// model: `"chunked"` (default) or `"whole"`.
    #[serde(default)]
    pub prefill: Option<String>,
    /// Tokens per iteration with chunked prefill, vLLM's
    /// `max_num_batched_tokens` (default 8192).
    #[serde(default)]
    pub max_batched_tokens: Option<u32>,
    /// Share of prompt tokens found in a prefix cache, whose prefill is
    /// skipped (0 ≤ h < 1, default 0).
    #[serde(default)]
    pub prefix_hit_rate: Option<f64>,
}

/// The prefill pool of a service disaggregated into two separate pools
/// (`[services.prefill_pool]`): its replicas, of the service's rack model,
/// run only prefills, and each request's KV cache then moves to a replica
/// of the decode pool.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefillPoolSpec {
    /// Chips of one prefill replica, whole scale-up domains (default one
    /// domain).
    #[serde(default)]
    pub replica_chips: Option<u32>,
    /// Chips of one prefill copy, its tensor-parallel degree (default the
    /// whole prefill replica); must divide `replica_chips`.
    #[serde(default)]
    pub tensor_parallel: Option<u32>,
    /// Fewest prefill replicas (default 1).
    #[serde(default)]
    pub min_replicas: Option<u32>,
    /// Most prefill replicas (default 1,000,000).
    #[serde(default)]
    pub max_replicas: Option<u32>,
}

/// Growth of a service's demand over calendar time.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrowthSpec {
    /// `"exponential"`, `"logistic"` or `"points"`.
    pub kind: String,
    /// Exponential: growth per year (0.4 = +40% a year).
    #[serde(default)]
    pub per_year: Option<f64>,
    /// Logistic: the factor it tends to.
    #[serde(default)]
    pub ceiling: Option<f64>,
    /// Logistic: the date it is halfway there.
    #[serde(default)]
    pub midpoint: Option<String>,
    /// Logistic: its rate [per year].
    #[serde(default)]
    pub steepness_per_year: Option<f64>,
    /// Points: dated factors, linear between them, flat outside.
    #[serde(default)]
    pub points: Vec<GrowthPointSpec>,
}

/// A dated factor of a piecewise-linear growth.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrowthPointSpec {
    /// A date (`"2027-01-01"`).
    pub date: String,
    /// Factor on the base rate at that date.
    pub factor: f64,
}
