//! A validated scenario: every name resolved, every quantity in its unit,
//! every date turned into simulated time. Models read these types and never
//! re-check them.

use chrono::Datelike;

use crate::catalog::Catalog;
use crate::engine::{Calendar, SimDuration, SimTime};
pub use crate::workload::serving::config::{RequestWindow, Service};
pub use crate::workload::training::config::{Arrivals, Comm, Job, TraceReport};
pub use crate::workload::training::physics::{job_failure_rate, young_daly};
pub use crate::world::config::{
    Band, Days, Distribution, FailureClass, GridFullPolicy, Lifetime, Link, MAX_DRAW, Maintenance,
    Phase, Pue, RackType, Site, Tariff,
};

/// A scenario ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Short name; the output folder is `output/<name>/`.
    pub name: String,
    /// Description for the reader.
    pub description: String,
    /// Seed of every random stream.
    pub seed: u64,
    /// Calendar anchored at the start date.
    pub calendar: Calendar,
    /// End of the run (exclusive) as simulated time.
    pub end: SimTime,
    /// Interval between samples.
    pub sample_every: SimDuration,
    /// Fraction of each healthy chip's dynamic power range in use, 0–1.
    pub utilization: f64,
    /// The catalog after the scenario's additions and overrides.
    pub catalog: Catalog,
    /// The rack models the build-outs use, resolved with their chip.
    pub rack_types: Vec<RackType>,
    /// The sites.
    pub sites: Vec<Site>,
    /// Inter-site links.
    pub links: Vec<Link>,
    /// Failure classes, in [`FailureKind::ALL`] order.
    pub failures: Vec<FailureClass>,
    /// Time to swap a failed node for a spare.
    pub swap_time: SimDuration,
    /// Whether to write `failures.csv`.
    pub failures_log: bool,
    /// Software interruptions of a running training job, per node-hour of
    /// it (bugs, NCCL watchdog timeouts, dependencies) [1/h].
    pub software_rate_per_node_hour: f64,
    /// Training jobs, in the order the file lists them.
    pub jobs: Vec<Job>,
    /// Length of an inference epoch.
    pub epoch: SimDuration,
    /// Inference services, in the order the file lists them.
    pub services: Vec<Service>,
    /// Request-level windows, in the order the file lists them.
    pub request_windows: Vec<RequestWindow>,
    /// Planned maintenance windows, in the order the file lists them.
    pub maintenance: Vec<Maintenance>,
    /// What each `[[traces]]` file gave, in the order listed.
    pub traces: Vec<TraceReport>,
    /// The provider's books (`[economics]`, `[[contracts]]`,
    /// `[on_demand]`), if the file keeps them.
    pub economics: Option<crate::economics::Economics>,
}

impl Scenario {
    /// Simulated time of the start of the calendar month after `t`.
    pub fn next_month_start(&self, t: SimTime) -> SimTime {
        let d = self.calendar.date(t);
        let (y, m) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        let first = chrono::NaiveDate::from_ymd_opt(y, m, 1).expect("valid month start");
        self.calendar.time_of_date(first).unwrap_or(SimTime::MAX)
    }
}
