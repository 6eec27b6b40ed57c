//! The scenario file, field by field, as plain serde data.
//!
//! These `*Spec` structs mirror the TOML one to one: every quantity keeps the
//! text or number the user wrote, with its unit in the key name (`grid_mw`,
//! `tdp_w`, `usd_per_mwh`) or, for durations, in the string (`"90s"`,
//! `"15min"`, `"54d"`, `"7y"`). Nothing here is checked beyond its TOML type;
//! [`super::validate`] turns them into model types and reports every problem.

use serde::Deserialize;

mod catalog;
mod economics;
mod failures;
mod jobs;
mod maintenance;
mod serving;
mod sites;

pub use catalog::{ChipOverrideSpec, RackOverrideSpec};
pub use economics::{
    ContractSpec, EconomicsSpec, OnDemandSpec, OpexLineSpec, PriceCurveSpec, PriceStepSpec, SlaSpec,
};
pub use failures::{
    DistributionKind, DistributionSpec, FailureClassSpec, FailuresSpec, LifetimeKind,
};
pub use jobs::{ArrivalSpec, JobSettingsSpec, JobSpec, TraceSpec};
pub use maintenance::MaintenanceSpec;
pub use serving::{GrowthSpec, RequestWindowSpec, ServiceSpec, ServingSpec};
pub use sites::{CarbonSpec, LinkSpec, PriceSpec, SiteSpec};

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
