//! `[failures]`: one class per part that fails, its time-to-failure law and
//! repair-time distribution, and software interruptions of running jobs.

use serde::Deserialize;

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
