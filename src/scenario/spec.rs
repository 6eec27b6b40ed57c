//! The scenario file, field by field, as plain serde data.
//!
//! These `*Spec` structs mirror the TOML one to one: every quantity keeps the
//! text or number the user wrote, with its unit in the key name (`grid_mw`,
//! `tdp_w`, `usd_per_mwh`) or, for durations, in the string (`"90s"`,
//! `"15min"`, `"54d"`, `"7y"`). Nothing here is checked beyond its TOML type;
//! [`super::validate`] turns them into model types and reports every problem.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole scenario file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Short name; names the output folder `output/<name>/`.
    pub name: String,
    /// One or two sentences for the reader.
    #[serde(default)]
    pub description: String,
    /// Seed of every random stream.
    #[serde(default)]
    pub seed: Option<u64>,
    /// First day simulated, `YYYY-MM-DD` (midnight).
    pub start: String,
    /// Length of the run (`"7y"`, `"90d"`); give this or `end`. Whole years
    /// are calendar years: `"7y"` ends on the same day seven years later.
    #[serde(default)]
    pub duration: Option<String>,
    /// Last instant simulated, `YYYY-MM-DD` (midnight, exclusive); give this
    /// or `duration`.
    #[serde(default)]
    pub end: Option<String>,
    /// Interval between timeseries samples (default `"1h"`).
    #[serde(default)]
    pub sample_every: Option<String>,
    /// How busy the chips are.
    #[serde(default)]
    pub load: Option<LoadSpec>,
    /// Failure classes overriding the defaults.
    #[serde(default)]
    pub failures: Option<FailuresSpec>,
    /// Spare-node handling.
    #[serde(default)]
    pub spares: Option<SparesSpec>,
    /// Chips added to the catalog, or built-in chips with fields overridden.
    #[serde(default)]
    pub chips: Vec<ChipOverrideSpec>,
    /// Racks added to the catalog, or built-in racks with fields overridden.
    #[serde(default)]
    pub racks: Vec<RackOverrideSpec>,
    /// The datacenter sites.
    #[serde(default)]
    pub sites: Vec<SiteSpec>,
    /// Inter-site links (data-center interconnect).
    #[serde(default)]
    pub links: Vec<LinkSpec>,
    /// What to write besides the timeseries and summary.
    #[serde(default)]
    pub output: Option<OutputSpec>,
    /// Training jobs, in the order given (optional; a scenario without
    /// jobs runs the synthetic `[load]` alone).
    #[serde(default)]
    pub jobs: Vec<JobSpec>,
    /// Random streams of training jobs (Poisson arrivals), each drawn from
    /// its own random stream.
    #[serde(default)]
    pub arrivals: Vec<ArrivalSpec>,
    /// Training jobs read from trace files (a generic CSV or the Alibaba
    /// GPU v2023 task list), one job per admitted row.
    #[serde(default)]
    pub traces: Vec<TraceSpec>,
    /// Inference settings shared by every service (`[serving]`).
    #[serde(default)]
    pub serving: Option<ServingSpec>,
    /// Inference services, in the order given.
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    /// Windows in which a service is simulated request by request.
    #[serde(default)]
    pub request_windows: Vec<RequestWindowSpec>,
    /// Planned maintenance windows (`[[maintenance]]`).
    #[serde(default)]
    pub maintenance: Vec<MaintenanceSpec>,
    /// The provider's costs (`[economics]`); without it a run keeps no
    /// books.
    #[serde(default)]
    pub economics: Option<EconomicsSpec>,
    /// Customers' capacity commitments, in the order capacity is assigned
    /// to them.
    #[serde(default)]
    pub contracts: Vec<ContractSpec>,
    /// Sales of the capacity no contract takes (`[on_demand]`).
    #[serde(default)]
    pub on_demand: Option<OnDemandSpec>,
}

/// The provider's costs and financing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EconomicsSpec {
    /// Discount rate for the NPV, per year (default 0.08).
    #[serde(default)]
    pub discount_rate: Option<f64>,
    /// Capital spending and depreciation lives.
    #[serde(default)]
    pub capex: Option<CapexSpec>,
    /// A loan for part of the capex.
    #[serde(default)]
    pub financing: Option<FinancingSpec>,
    /// Running costs besides energy.
    #[serde(default)]
    pub opex: Option<OpexSpec>,
    /// Other fixed costs.
    #[serde(default)]
    pub fixed_costs: Vec<FixedCostSpec>,
    /// Income tax (none: the books are pre-tax).
    #[serde(default)]
    pub tax: Option<TaxSpec>,
    /// The value left at the end (default: none).
    #[serde(default)]
    pub terminal: Option<TerminalSpec>,
    /// Yearly escalators of running costs (default: none).
    #[serde(default)]
    pub escalators: Option<EscalatorsSpec>,
}

/// Corporate income tax (`[economics.tax]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxSpec {
    /// Rate on taxable profit, 0–1 (required).
    pub rate: f64,
    /// `"straight_line"` (default) or `"macrs5"`.
    #[serde(default)]
    pub depreciation: Option<String>,
    /// Share of IT capex expensed when commissioned (default 0).
    #[serde(default)]
    pub bonus_share: Option<f64>,
    /// Tax life of servers (default: the book life).
    #[serde(default)]
    pub server_life: Option<String>,
    /// Tax life of network equipment (default: the book life).
    #[serde(default)]
    pub network_life: Option<String>,
    /// Tax life of the facility (default: the book life).
    #[serde(default)]
    pub facility_life: Option<String>,
    /// Share of a year's income losses carried forward may offset (default
    /// 1: no limit).
    #[serde(default)]
    pub loss_offset_limit: Option<f64>,
    /// Whether interest is deductible (default true).
    #[serde(default)]
    pub interest_deductible: Option<bool>,
}

/// The value left at the end (`[economics.terminal]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalSpec {
    /// `"none"`, `"book_value"`, `"resale"` or `"perpetuity"`.
    pub treatment: String,
    /// Resale: share of the hardware's price at ages 1, 2, … years.
    #[serde(default)]
    pub hardware_resale: Option<Vec<f64>>,
    /// Perpetuity: growth per year, below the discount rate.
    #[serde(default)]
    pub growth: Option<f64>,
}

/// Yearly escalators (`[economics.escalators]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalatorsSpec {
    /// Energy price change per year (default 0).
    #[serde(default)]
    pub energy_per_year: Option<f64>,
    /// Staff cost change per year (default 0).
    #[serde(default)]
    pub staff_per_year: Option<f64>,
    /// Maintenance cost change per year (default 0).
    #[serde(default)]
    pub maintenance_per_year: Option<f64>,
}

/// A named opex line (`[economics.opex.insurance]` and its siblings); the
/// bases given add.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpexLineSpec {
    /// Per year as a share of the capex in service.
    #[serde(default)]
    pub share_of_capex_per_year: Option<f64>,
    /// Per MW of IT nameplate online per year [USD].
    #[serde(default)]
    pub usd_per_mw_year: Option<f64>,
    /// As a share of net revenue.
    #[serde(default)]
    pub share_of_revenue: Option<f64>,
    /// Fixed per year [USD].
    #[serde(default)]
    pub usd_per_year: Option<f64>,
}

/// Capital spending: timing, network and facility, depreciation lives.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapexSpec {
    /// Months of equal progress payments ending with each delivery (default
    /// 0: paid at delivery).
    #[serde(default)]
    pub progress_months: Option<u32>,
    /// Network capex as a share of each rack's price (default 0.15).
    #[serde(default)]
    pub network_share: Option<f64>,
    /// Facility cost per MW of IT nameplate [USD/MW] (default 11.7e6).
    #[serde(default)]
    pub facility_usd_per_mw: Option<f64>,
    /// Depreciation life of racks, e.g. `"6y"` (default 6 years).
    #[serde(default)]
    pub server_life: Option<String>,
    /// Depreciation life of network equipment (default 6 years).
    #[serde(default)]
    pub network_life: Option<String>,
    /// Depreciation life of the facility (default 20 years).
    #[serde(default)]
    pub facility_life: Option<String>,
    /// Write off the book value of servers and network retired before
    /// the end of their life, selling them on the resale curve if one is
    /// given (default false: retirement books nothing).
    #[serde(default)]
    pub write_off_at_retirement: Option<bool>,
}

/// A loan for a share of the capex.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinancingSpec {
    /// Share of each capital payment borrowed, 0–1.
    pub loan_share: f64,
    /// Interest rate per year.
    pub rate: f64,
    /// Repayment term, e.g. `"5y"`.
    pub term: String,
}

/// Running costs besides energy.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpexSpec {
    /// Maintenance per year as a share of the IT capex in service (default
    /// 0.03).
    #[serde(default)]
    pub maintenance_share_per_year: Option<f64>,
    /// Staff per MW of IT nameplate online per year [USD] (default 0).
    #[serde(default)]
    pub staff_usd_per_mw_year: Option<f64>,
    /// Colocation rent per kW of IT nameplate online per month [USD]
    /// (default 0: the provider owns the facility).
    #[serde(default)]
    pub colocation_usd_per_kw_month: Option<f64>,
    /// Insurance and property tax.
    #[serde(default)]
    pub insurance: Option<OpexLineSpec>,
    /// Network transit and egress.
    #[serde(default)]
    pub network_transit: Option<OpexLineSpec>,
    /// Software and licences.
    #[serde(default)]
    pub software: Option<OpexLineSpec>,
    /// Selling, general and administrative.
    #[serde(default)]
    pub sga: Option<OpexLineSpec>,
}

/// A fixed cost.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedCostSpec {
    /// What it is.
    pub name: String,
    /// The site it belongs to (optional).
    #[serde(default)]
    pub site: Option<String>,
    /// Amount per year [USD].
    pub usd_per_year: f64,
}

/// A customer's commitment to capacity.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractSpec {
    /// Unique name.
    pub name: String,
    /// Chip types that may serve it, in order of preference.
    pub chip_types: Vec<String>,
    /// First day of the term (default: the first ramp date, or the
    /// scenario's start).
    #[serde(default)]
    pub start: Option<String>,
    /// Length of the term, e.g. `"7y"` (or give `end`).
    #[serde(default)]
    pub term: Option<String>,
    /// End of the term (exclusive), `YYYY-MM-DD` (or give `term`).
    #[serde(default)]
    pub end: Option<String>,
    /// Chips committed over the whole term (or give `ramp`).
    #[serde(default)]
    pub chips: Option<f64>,
    /// MW of IT nameplate committed over the whole term (or give `ramp`).
    #[serde(default)]
    pub mw: Option<f64>,
    /// Steps of committed capacity.
    #[serde(default)]
    pub ramp: Vec<RampStepSpec>,
    /// Price per chip-hour [USD].
    #[serde(default)]
    pub price_usd_per_chip_hour: Option<f64>,
    /// Price per kW-month of IT nameplate [USD] (MW contracts).
    #[serde(default)]
    pub price_usd_per_kw_month: Option<f64>,
    /// Total value over the term [USD], from which the price is derived.
    #[serde(default)]
    pub total_value_usd: Option<f64>,
    /// `"take_or_pay"` (default) or `"pay_per_use"`.
    #[serde(default)]
    pub billing: Option<String>,
    /// Availability SLA.
    #[serde(default)]
    pub sla: Option<SlaSpec>,
    /// Price change on each anniversary of the start (default 0).
    #[serde(default)]
    pub price_escalator_per_year: Option<f64>,
    /// Dated steps of the price (default none).
    #[serde(default)]
    pub price_steps: Vec<PriceStepSpec>,
}

/// A dated step of a contract's price.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceStepSpec {
    /// From when, `YYYY-MM-DD`.
    pub date: String,
    /// The price from then on as a multiple of the base price.
    pub factor: f64,
}

/// One step of a contract's ramp.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RampStepSpec {
    /// From when, `YYYY-MM-DD`.
    pub date: String,
    /// Chips committed from then on.
    #[serde(default)]
    pub chips: Option<f64>,
    /// MW committed from then on.
    #[serde(default)]
    pub mw: Option<f64>,
}

/// An availability SLA with tiered credits.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaSpec {
    /// Promised monthly availability, 0–1.
    pub availability: f64,
    /// Credit tiers.
    pub credits: Vec<CreditTierSpec>,
    /// Whether chip-hours dark for planned maintenance (`[[maintenance]]`)
    /// count as delivered for the availability (default false).
    #[serde(default)]
    pub excludes_maintenance: Option<bool>,
}

/// A credit tier.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditTierSpec {
    /// Availability below which it applies.
    pub below: f64,
    /// Share of the month's bill credited.
    pub credit: f64,
}

/// On-demand sales of uncommitted capacity.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnDemandSpec {
    /// Price per chip-hour [USD].
    pub price_usd_per_chip_hour: f64,
    /// Share of the uncommitted healthy chip-hours that sells.
    #[serde(default)]
    pub utilization: Option<f64>,
    /// Inference services whose chip-hours sell on demand.
    #[serde(default)]
    pub services: Option<Vec<String>>,
    /// Chip types offered (default: every chip type built).
    #[serde(default)]
    pub chip_types: Option<Vec<String>>,
    /// Price change on each anniversary of the run's start (default 0).
    #[serde(default)]
    pub price_change_per_year: Option<f64>,
    /// Price curves of chip types over calendar time (default none).
    #[serde(default)]
    pub curves: Vec<PriceCurveSpec>,
}

/// The on-demand price of one chip type over calendar time: dated points,
/// or a yearly change from a date.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceCurveSpec {
    /// The chip type (catalog chip name).
    pub chip: String,
    /// Dated prices, `{ date, usd_per_chip_hour }` (or give
    /// `change_per_year`).
    #[serde(default)]
    pub points: Vec<PricePointSpec>,
    /// Yearly change of the price from `from` (−0.2 = −20 % a year).
    #[serde(default)]
    pub change_per_year: Option<f64>,
    /// When the yearly change starts, `YYYY-MM-DD` (default the run's
    /// start).
    #[serde(default)]
    pub from: Option<String>,
    /// Price per chip-hour at `from` [USD] (default the on-demand price).
    #[serde(default)]
    pub usd_per_chip_hour: Option<f64>,
}

/// A dated point of an on-demand price curve.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricePointSpec {
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// Price per chip-hour then [USD].
    pub usd_per_chip_hour: f64,
}

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

/// A planned maintenance window (`[[maintenance]]`): the racks of a site
/// (of one rack model, if given) are drained and powered off for
/// `duration` from `start`, and again every `every` if given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceSpec {
    /// The site (by name).
    pub site: String,
    /// Only the racks of this rack model (default every rack of the site).
    #[serde(default)]
    pub rack: Option<String>,
    /// The first window: a date (`"2027-03-03"`) or an offset from the
    /// start (`"720h"`).
    pub start: String,
    /// How long the racks are down (`"4h"`).
    pub duration: String,
    /// Period of the windows after the first (`"7d"`); longer than
    /// `duration` (default: one window).
    #[serde(default)]
    pub every: Option<String>,
    /// Share of the racks each window takes, rolling over them in rack
    /// order from one window to the next (0 to 1, default 1: all).
    #[serde(default)]
    pub fraction: Option<f64>,
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

/// Constant utilization of the healthy chips.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    /// Fraction of each chip's dynamic power range in use, 0 to 1
    /// (default 0.7, as without the table).
    #[serde(default)]
    pub utilization: Option<f64>,
}

/// Optional outputs.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Write `failures.csv`, one row per failure (default false).
    #[serde(default)]
    pub failures_log: Option<bool>,
}

/// Spare handling.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SparesSpec {
    /// Time to swap a failed node for a spare (default `"4h"`).
    #[serde(default)]
    pub swap_time: Option<String>,
}

/// One failure class per key; absent classes keep their defaults.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailuresSpec {
    /// Chip failures (rate per chip-hour; takes its node down).
    #[serde(default)]
    pub gpu: Option<FailureClassSpec>,
    /// HBM failures (rate per chip-hour; takes its node down).
    #[serde(default)]
    pub hbm: Option<FailureClassSpec>,
    /// Other GPU hardware faults: on-chip SRAM, GPU system processor,
    /// silent data corruption, thermal interface or sensor (rate per
    /// chip-hour, one figure for every chip model; takes its node down).
    #[serde(default)]
    pub gpu_other: Option<FailureClassSpec>,
    /// Host failures: CPU, memory, disk, power supply (rate per node-hour).
    #[serde(default)]
    pub host: Option<FailureClassSpec>,
    /// NIC failures (rate per node-hour).
    #[serde(default)]
    pub nic: Option<FailureClassSpec>,
    /// Switch or cable failures cutting a rack's uplink (rate per chip-hour
    /// of the rack).
    #[serde(default)]
    pub switch_cable: Option<FailureClassSpec>,
    /// Rack power failures (rate per rack-hour).
    #[serde(default)]
    pub rack_power: Option<FailureClassSpec>,
    /// Whole-site outages (rate per site-hour).
    #[serde(default)]
    pub site_outage: Option<FailureClassSpec>,
    /// Inter-site link cuts (rate per link-hour).
    #[serde(default)]
    pub dci_link: Option<FailureClassSpec>,
    /// Software interruptions of running training jobs (rate per node-hour
    /// of a running job; no hardware goes down).
    #[serde(default)]
    pub software: Option<SoftwareFailureSpec>,
}

/// Software interruptions of training jobs: bugs, NCCL watchdog timeouts,
/// dependencies. They strike a running job, not a component of the fleet.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoftwareFailureSpec {
    /// Interruptions per million node-hours of running jobs (default the
    /// Llama 3 figure, 63 / 2,654,208 × 1e6 ≈ 23.74; 0 turns them off).
    #[serde(default)]
    pub rate_per_million_hours: Option<f64>,
}

/// One failure class.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureClassSpec {
    /// Failures per million component-hours; 0 disables the class.
    #[serde(default)]
    pub rate_per_million_hours: Option<f64>,
    /// Time to failure: `"exponential"` (default) or `"weibull"`.
    #[serde(default)]
    pub lifetime: Option<LifetimeKind>,
    /// Weibull shape k: < 1 infant mortality, 1 exponential, > 1 wear-out.
    #[serde(default)]
    pub weibull_shape: Option<f64>,
    /// Repair-time distribution.
    #[serde(default)]
    pub repair: Option<DistributionSpec>,
}

/// Time-to-failure law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifetimeKind {
    /// Constant hazard rate.
    Exponential,
    /// Weibull with the class's `weibull_shape`, scaled to the same mean.
    Weibull,
}

/// A distribution of durations, e.g. `{ kind = "exponential", mean = "96h" }`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionSpec {
    /// `"fixed"`, `"uniform"`, `"exponential"` or `"lognormal"`.
    pub kind: DistributionKind,
    /// `fixed`: the value.
    #[serde(default)]
    pub value: Option<String>,
    /// `uniform`: lower bound.
    #[serde(default)]
    pub min: Option<String>,
    /// `uniform`: upper bound.
    #[serde(default)]
    pub max: Option<String>,
    /// `exponential`: mean.
    #[serde(default)]
    pub mean: Option<String>,
    /// `lognormal`: median.
    #[serde(default)]
    pub median: Option<String>,
    /// `lognormal`: standard deviation of the log.
    #[serde(default)]
    pub sigma: Option<f64>,
}

/// Family of a [`DistributionSpec`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistributionKind {
    /// Always the same value.
    #[default]
    Fixed,
    /// Uniform between `min` and `max`.
    Uniform,
    /// Exponential with `mean`.
    Exponential,
    /// Log-normal with `median` and `sigma`.
    Lognormal,
}

/// A chip to add, or a built-in chip to change (give its `name` and only the
/// fields to change).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipOverrideSpec {
    /// Catalog key.
    pub name: String,
    /// Vendor's model name.
    #[serde(default)]
    pub model: Option<String>,
    /// Vendor.
    #[serde(default)]
    pub vendor: Option<String>,
    /// Year of first availability.
    #[serde(default)]
    pub year: Option<u16>,
    /// Dense BF16 rate [TFLOP/s].
    #[serde(default)]
    pub bf16_tflops: Option<f64>,
    /// Dense FP8 rate [TFLOP/s].
    #[serde(default)]
    pub fp8_tflops: Option<f64>,
    /// HBM capacity [GB].
    #[serde(default)]
    pub hbm_gb: Option<f64>,
    /// HBM bandwidth [TB/s].
    #[serde(default)]
    pub hbm_tb_per_s: Option<f64>,
    /// Thermal design power [W].
    #[serde(default)]
    pub tdp_w: Option<f64>,
    /// Idle draw [W].
    #[serde(default)]
    pub idle_w: Option<f64>,
    /// Scale-up bandwidth per chip, bidirectional [GB/s].
    #[serde(default)]
    pub scaleup_gb_per_s: Option<f64>,
    /// Price per chip [USD].
    #[serde(default)]
    pub price_usd: Option<f64>,
    /// Chip failures per million chip-hours.
    #[serde(default)]
    pub gpu_failures_per_million_hours: Option<f64>,
    /// HBM failures per million chip-hours.
    #[serde(default)]
    pub hbm_failures_per_million_hours: Option<f64>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A rack to add, or a built-in rack to change.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RackOverrideSpec {
    /// Catalog key.
    pub name: String,
    /// Descriptive name.
    #[serde(default)]
    pub model: Option<String>,
    /// Catalog key of its chip.
    #[serde(default)]
    pub chip: Option<String>,
    /// Chips per rack.
    #[serde(default)]
    pub chips: Option<u32>,
    /// Nodes per rack.
    #[serde(default)]
    pub nodes: Option<u32>,
    /// Chips per scale-up domain.
    #[serde(default)]
    pub scaleup_domain: Option<u32>,
    /// Non-chip power of the rack [kW].
    #[serde(default)]
    pub overhead_kw: Option<f64>,
    /// Scale-out bandwidth per chip [Gbit/s].
    #[serde(default)]
    pub scaleout_gbit_per_s: Option<f64>,
    /// Price of the rack [USD].
    #[serde(default)]
    pub price_usd: Option<f64>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
}

/// One datacenter site.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// Unique name.
    pub name: String,
    /// Grid connection [MW].
    pub grid_mw: f64,
    /// Later changes of the grid connection.
    #[serde(default)]
    pub grid_upgrades: Vec<GridUpgradeSpec>,
    /// Constant power usage effectiveness (facility / IT power).
    #[serde(default)]
    pub pue: Option<f64>,
    /// PUE for January … December, instead of `pue`.
    #[serde(default)]
    pub pue_monthly: Option<Vec<f64>>,
    /// Phases that do not fit under the grid connection: `"defer"` (wait
    /// for room, default) or `"refuse"`.
    #[serde(default)]
    pub when_grid_full: Option<GridFullPolicy>,
    /// Admit racks until nameplate facility power reaches this multiple of
    /// the grid connection (default 1.0; above 1, running load is capped).
    #[serde(default)]
    pub power_oversubscription: Option<f64>,
    /// Leaf-to-spine oversubscription of each rack's uplink (default 1.0).
    #[serde(default)]
    pub uplink_oversubscription: Option<f64>,
    /// Racks are decommissioned this long after commissioning (optional).
    #[serde(default)]
    pub end_of_life: Option<String>,
    /// Electricity price.
    #[serde(default)]
    pub price: Option<PriceSpec>,
    /// Grid carbon intensity.
    #[serde(default)]
    pub carbon: Option<CarbonSpec>,
    /// Delivery phases, commissioned in this order.
    #[serde(default)]
    pub buildout: Vec<PhaseSpec>,
}

/// What happens to a phase that does not fit under the grid connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridFullPolicy {
    /// Wait until there is room (a grid upgrade, or racks retired).
    #[default]
    Defer,
    /// Give up on the phase.
    Refuse,
}

/// A change of the grid connection on a date.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridUpgradeSpec {
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// New grid connection [MW].
    pub grid_mw: f64,
}

/// Electricity price: flat, time-of-use bands over a base, or an hourly CSV.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSpec {
    /// Flat price, or the base under the bands [USD/MWh].
    #[serde(default)]
    pub usd_per_mwh: Option<f64>,
    /// Time-of-use bands overriding the base.
    #[serde(default)]
    pub bands: Vec<PriceBandSpec>,
    /// CSV file with columns `timestamp,usd_per_mwh`, one row per change,
    /// each on a whole hour; relative to the scenario file.
    #[serde(default)]
    pub hourly_csv: Option<String>,
}

/// One time-of-use price band.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceBandSpec {
    /// `"all"` (default), `"weekdays"` or `"weekends"`.
    #[serde(default)]
    pub days: Option<DaysSpec>,
    /// First hour of the band, 0–23.
    pub from_hour: u32,
    /// Hour the band ends (exclusive), 1–24.
    pub to_hour: u32,
    /// Price during the band [USD/MWh].
    pub usd_per_mwh: f64,
}

/// Grid carbon intensity: flat, bands, or an hourly CSV.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarbonSpec {
    /// Flat intensity, or the base under the bands [kgCO2e/MWh].
    #[serde(default)]
    pub kg_per_mwh: Option<f64>,
    /// Time-of-day bands overriding the base.
    #[serde(default)]
    pub bands: Vec<CarbonBandSpec>,
    /// CSV file with columns `timestamp,kg_per_mwh`, one row per change,
    /// each on a whole hour; relative to the scenario file.
    #[serde(default)]
    pub hourly_csv: Option<String>,
}

/// One carbon-intensity band.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarbonBandSpec {
    /// `"all"` (default), `"weekdays"` or `"weekends"`.
    #[serde(default)]
    pub days: Option<DaysSpec>,
    /// First hour of the band, 0–23.
    pub from_hour: u32,
    /// Hour the band ends (exclusive), 1–24.
    pub to_hour: u32,
    /// Intensity during the band [kgCO2e/MWh].
    pub kg_per_mwh: f64,
}

/// Which days a band applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaysSpec {
    /// Every day.
    #[default]
    All,
    /// Monday to Friday.
    Weekdays,
    /// Saturday and Sunday.
    Weekends,
}

/// One delivery of racks.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    /// Catalog key of the rack.
    pub rack: String,
    /// Number of racks.
    pub count: u32,
    /// Planned delivery date, `YYYY-MM-DD`.
    pub date: String,
    /// Random delivery delay added to the date (optional).
    #[serde(default)]
    pub delay: Option<DistributionSpec>,
    /// Spare nodes delivered with the phase (default 0).
    #[serde(default)]
    pub spare_nodes: Option<u32>,
    /// Overrides the site's `end_of_life` for these racks.
    #[serde(default)]
    pub end_of_life: Option<String>,
}

/// A link between two sites, both directions.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// One end (site name).
    pub from: String,
    /// The other end (site name).
    pub to: String,
    /// Capacity in each direction [Gbit/s].
    pub bandwidth_gbit_per_s: f64,
    /// One-way latency (`"5ms"`).
    pub latency: String,
}

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
    /// Total work [FLOP].
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
