//! The rows a run reports and the [`Recorder`] that receives them.
//!
//! Every model layer (world, and later workloads and economics) reports
//! through these types, and every output format consumes them, so they live
//! here, below both: a model depends on `record`, never on `output`. Rows are
//! plain data with units in their field names and typed values: calendar
//! instants are [`chrono::NaiveDateTime`] (to the second), dates
//! [`chrono::NaiveDate`], months [`YearMonth`], categories enums; each
//! table's columns say how a value is written
//! (`crate::output::csv`).

use crate::catalog::failures::FailureKind;

mod economics;
mod month;
pub use economics::*;
pub use month::YearMonth;

/// Number of failure classes, the length of per-class counters.
pub const CLASSES: usize = FailureKind::ALL.len();

/// Text shared by many rows (a site's name, a rack model's): cloning
/// it costs a reference count, not an allocation. Compares and prints as
/// the text it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedText(std::sync::Arc<str>);

impl SharedText {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedText {
    fn from(s: &str) -> Self {
        SharedText(s.into())
    }
}

impl From<String> for SharedText {
    fn from(s: String) -> Self {
        SharedText(s.into())
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedText {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedText> for String {
    fn eq(&self, other: &SharedText) -> bool {
        **self == *other.0
    }
}

/// One site at one sample time. Energy, cost, carbon, chip-hours and failure
/// counts cover the interval since the previous sample; power and counts of
/// chips are the state at the sample instant.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleRow {
    /// Hours since the start.
    pub time_h: f64,
    /// Calendar time of the sample, to the second (`YYYY-MM-DDTHH:MM:SS`
    /// in the CSV files).
    pub timestamp: chrono::NaiveDateTime,
    /// Site name.
    pub site: SharedText,
    /// Racks commissioned and not retired.
    pub racks_online: u32,
    /// Racks delivered but waiting for room under the grid connection.
    pub racks_deferred: u32,
    /// Chips in online racks.
    pub chips_online: u64,
    /// Online chips that are up and powered.
    pub chips_healthy: u64,
    /// Online chips down and waiting for a spare swap.
    pub chips_failed: u64,
    /// Online chips down for repair: their node is repaired in place, or
    /// their rack or site has lost power.
    pub chips_in_repair: u64,
    /// Online chips of healthy nodes in racks dark for planned
    /// maintenance (0 without `[[maintenance]]`; not in `chips_in_repair`).
    pub chips_maintenance: u64,
    /// Spare nodes ready to swap in.
    pub spare_nodes: u64,
    /// Rack uplinks and inter-site links (from this site) that are down.
    pub links_down: u32,
    /// Grid connection \[MW\].
    pub grid_mw: f64,
    /// IT power at the sample instant \[MW\].
    pub it_power_mw: f64,
    /// Facility power = IT power × PUE \[MW\].
    pub facility_power_mw: f64,
    /// PUE in force.
    pub pue: f64,
    /// Share of the chips' dynamic power allowed by the power cap (1 = no cap).
    pub power_cap_factor: f64,
    /// IT energy over the interval \[MWh\].
    pub it_energy_mwh: f64,
    /// Facility energy over the interval \[MWh\].
    pub energy_mwh: f64,
    /// Energy cost over the interval \[USD\].
    pub energy_cost_usd: f64,
    /// Emissions over the interval \[tCO2e\].
    pub carbon_tco2e: f64,
    /// Chip-hours run under a power cap over the interval.
    pub throttled_chip_hours: f64,
    /// Chip-hours of work lost to the cap's slowdown over the interval.
    pub throttle_lost_chip_hours: f64,
    /// Failures over the interval, by class ([`FailureKind::ALL`] order).
    pub failures: [u64; CLASSES],
    /// The training figures of the site, in scenarios with jobs only.
    pub training: Option<TrainingSample>,
    /// The capacity of each rack model the site's build-out contains
    /// (whether or not any of its racks is online yet), in the order of the
    /// scenario's rack models. Σ over models of `healthy_chip_hours` is the
    /// site's healthy chip-hours; of `chips_online`, the row's
    /// `chips_online`.
    pub racks: Vec<RackSample>,
}

/// One rack model at one site at one sample, for `capacity.csv`: counts and
/// power are the state at the sample instant; chip-hours cover the interval
/// since the previous sample.
#[derive(Clone, Debug, PartialEq)]
pub struct RackSample {
    /// Position of the rack model in the scenario's rack models (from 0):
    /// the books' index; the public name is `rack`.
    pub(crate) rack_type: usize,
    /// Rack model name.
    pub rack: SharedText,
    /// Name of the rack model's chip.
    pub chip: SharedText,
    /// Racks of the model commissioned and not retired.
    pub racks_online: u32,
    /// Chips in those racks.
    pub chips_online: u64,
    /// Nameplate IT power of those racks: racks × (chips × chip TDP + rack
    /// overhead) \[MW\].
    pub it_nameplate_mw: f64,
    /// Chips online × time over the interval [chip·h].
    pub online_chip_hours: f64,
    /// Chips up and powered × time over the interval: not failed, not in
    /// repair, their rack powered and the site not dark [chip·h].
    pub healthy_chip_hours: f64,
    /// Chips up and powered that allocations (training jobs, inference
    /// replicas) hold × time over the interval (0 while the site is dark)
    /// [chip·h].
    pub held_chip_hours: f64,
}

/// The training figures of one site at one sample: counts are the state at
/// the sample instant, FLOPs cover the interval since the previous sample.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrainingSample {
    /// Chips of the up scale-up domains that jobs hold at the site (a held
    /// domain that is down is not counted: its chips are failed or in
    /// repair, or healthy but unusable while a node of it is down).
    pub chips: u64,
    /// Jobs at the site computing, checkpointing or restarting.
    pub jobs_running: u32,
    /// Jobs at the site holding chips but interrupted, waiting for their
    /// domains to come back.
    pub jobs_waiting: u32,
    /// Jobs in the queue, fleet-wide (a queued job has no site): the same
    /// figure on every site's row of a sample.
    pub jobs_queued_fleet: u32,
    /// Work computed at the site over the interval \[FLOP\].
    pub flops: f64,
    /// Work thrown away by interruptions at the site over the interval
    /// (computed since the job's last checkpoint) \[FLOP\].
    pub flops_lost: f64,
    /// Scale-out traffic the site's racks sent for training all-reduces
    /// over the interval \[B\].
    pub scaleout_bytes: f64,
}

/// How a failure is fixed, as the failure log reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// A spare node swapped into the failed node's slot.
    SpareSwap,
    /// The node repaired where it stands.
    RepairInPlace,
    /// The rack's power repaired.
    RackRepair,
    /// A switch, cable or inter-site link repaired.
    LinkRepair,
    /// The site's supply restored.
    SiteRestore,
}

impl Remedy {
    /// The name written in `failures.csv`.
    pub fn key(self) -> &'static str {
        match self {
            Remedy::SpareSwap => "spare_swap",
            Remedy::RepairInPlace => "repair_in_place",
            Remedy::RackRepair => "rack_repair",
            Remedy::LinkRepair => "link_repair",
            Remedy::SiteRestore => "site_restore",
        }
    }
}

impl std::fmt::Display for Remedy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl PartialEq<&str> for Remedy {
    fn eq(&self, other: &&str) -> bool {
        self.key() == *other
    }
}

/// What failed, as the failure log reports it. Racks are numbered from 0
/// across the run's sites, in the order they were commissioned; a node by
/// its position in its rack (from 0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// A node (written `rack <rack> node <node>`).
    Node {
        /// The rack's number.
        rack: u32,
        /// The node's position in the rack.
        node: u32,
    },
    /// A rack's power (written `rack <rack>`).
    RackPower {
        /// The rack's number.
        rack: u32,
    },
    /// A rack's uplink: its switch or cables (written `rack <rack> uplink`).
    Uplink {
        /// The rack's number.
        rack: u32,
    },
    /// The site's supply (written `site`).
    Site,
    /// An inter-site link (written `link <from>-<to>`).
    Link {
        /// Name of the site it leaves.
        from: String,
        /// Name of the site it reaches.
        to: String,
    },
}

impl std::fmt::Display for Component {
    /// The text `failures.csv` writes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Component::Node { rack, node } => write!(f, "rack {rack} node {node}"),
            Component::RackPower { rack } => write!(f, "rack {rack}"),
            Component::Uplink { rack } => write!(f, "rack {rack} uplink"),
            Component::Site => f.write_str("site"),
            Component::Link { from, to } => write!(f, "link {from}-{to}"),
        }
    }
}

/// What became of a build-out phase by the end of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseOutcome {
    /// Its racks were commissioned.
    Commissioned,
    /// Dropped for lack of grid room.
    Refused,
    /// Delivered, still waiting for grid room at the end.
    Deferred,
    /// Its delivery falls after the end of the run.
    NotDelivered,
}

impl PhaseOutcome {
    /// The name written in `buildout.csv`.
    pub fn key(self) -> &'static str {
        match self {
            PhaseOutcome::Commissioned => "commissioned",
            PhaseOutcome::Refused => "refused",
            PhaseOutcome::Deferred => "deferred",
            PhaseOutcome::NotDelivered => "not_delivered",
        }
    }
}

impl std::fmt::Display for PhaseOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl PartialEq<&str> for PhaseOutcome {
    fn eq(&self, other: &&str) -> bool {
        self.key() == *other
    }
}

/// One failure, for the optional `failures.csv` log.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureRow {
    /// Hours since the start.
    pub time_h: f64,
    /// Calendar time, to the second (`YYYY-MM-DDTHH:MM:SS` in the file).
    pub timestamp: chrono::NaiveDateTime,
    /// Site name.
    pub site: String,
    /// Failure class.
    pub class: FailureKind,
    /// What failed (written e.g. `rack 12 node 3`).
    pub component: Component,
    /// Rack model of the component (empty for sites and inter-site links).
    pub rack: String,
    /// Chips taken out of service.
    pub chips_down: u64,
    /// How it is fixed.
    pub remedy: Remedy,
    /// Time until the component is back in service \[h\].
    pub downtime_h: f64,
    /// Age of the component since commissioning or its last repair \[h\].
    pub age_h: f64,
}

/// What became of one build-out phase.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildoutRow {
    /// Site name.
    pub site: String,
    /// Position of the phase in the site's build-out (from 0).
    pub phase: usize,
    /// Rack model.
    pub rack: String,
    /// Racks in the phase.
    pub racks: u32,
    /// Chips in the phase.
    pub chips: u64,
    /// Planned delivery date (`YYYY-MM-DD` in `buildout.csv`).
    pub planned: chrono::NaiveDate,
    /// Actual delivery date (planned + random delay); none if after the
    /// end of the run (an empty cell).
    pub delivered: Option<chrono::NaiveDate>,
    /// Commissioning date; none if never (an empty cell).
    pub commissioned: Option<chrono::NaiveDate>,
    /// What became of it.
    pub status: PhaseOutcome,
    /// Days waiting for grid room (or behind a waiting phase).
    pub deferred_days: f64,
    /// Nameplate facility power of the phase at design PUE \[MW\].
    pub nameplate_mw: f64,
}

/// Headline figures of a whole run.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// Number of sites.
    pub sites: usize,
    /// First day (`YYYY-MM-DD` in `summary.csv`).
    pub start: chrono::NaiveDate,
    /// End (exclusive): the date of the run's end instant.
    pub end: chrono::NaiveDate,
    /// Simulated hours.
    pub hours: f64,
    /// Racks commissioned over the run.
    pub racks_commissioned: u64,
    /// Racks refused for lack of grid room.
    pub racks_refused: u64,
    /// Racks still waiting for grid room at the end.
    pub racks_deferred_at_end: u64,
    /// Most chips online at once (sampled).
    pub peak_chips_online: u64,
    /// Chips online at the end.
    pub chips_online_at_end: u64,
    /// Healthy chip-hours / online chip-hours.
    pub availability: f64,
    /// IT energy \[MWh\].
    pub it_energy_mwh: f64,
    /// Facility energy \[MWh\].
    pub energy_mwh: f64,
    /// Highest facility power at a sample instant, summed over sites \[MW\].
    pub peak_facility_mw: f64,
    /// Energy cost \[USD\].
    pub energy_cost_usd: f64,
    /// Emissions \[tCO2e\].
    pub carbon_tco2e: f64,
    /// Chip-hours run under a power cap.
    pub throttled_chip_hours: f64,
    /// Chip-hours of work lost to power caps.
    pub throttle_lost_chip_hours: f64,
    /// Failures by class.
    pub failures: [u64; CLASSES],
    /// Events the engine processed.
    pub events: u64,
    /// The training figures of the run, in scenarios with jobs only.
    pub training: Option<TrainingSummary>,
    /// The provider's economics, in scenarios with an `[economics]` table.
    pub economics: Option<EconomicsSummary>,
}

/// Headline training figures of a whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrainingSummary {
    /// Jobs in the scenario.
    pub jobs: u64,
    /// Jobs whose work is all done.
    pub jobs_completed: u64,
    /// Chip-hours held by jobs (from placement to release or the end).
    pub chip_hours: f64,
    /// Mean ETTR of the jobs that started (0 if none did).
    pub ettr_mean: f64,
    /// 10th percentile ETTR of the jobs that started, nearest rank (the
    /// ⌈0.1·n⌉-th smallest; 0 if none did).
    pub ettr_p10: f64,
    /// Interruptions of every job, every cause.
    pub interruptions: u64,
    /// Chip-hours of computation lost to interruptions.
    pub lost_chip_hours: f64,
    /// Mean queue wait of the jobs submitted before the end (a job that
    /// never started waits until the end) \[h\].
    pub queue_wait_mean_h: f64,
}

impl SummaryRow {
    /// Total failures of every class.
    pub fn failures_total(&self) -> u64 {
        self.failures.iter().sum()
    }
}

/// What interrupted a training job, as `jobs.csv` counts interruptions:
/// the failure class of the node, uplink, rack power or site it held, a
/// software fault of the job itself, or its racks' end of life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interruption {
    /// A node failure of class `gpu`.
    Gpu,
    /// A node failure of class `hbm`.
    Hbm,
    /// A node failure of class `gpu_other`.
    GpuOther,
    /// A node failure of class `host`.
    Host,
    /// A node failure of class `nic`.
    Nic,
    /// The uplink of a rack it held (class `switch_cable`).
    SwitchCable,
    /// The power of a rack it held (class `rack_power`).
    RackPower,
    /// Its site went dark (class `site_outage`).
    SiteOutage,
    /// A software fault of the job: a bug, an NCCL watchdog timeout, a
    /// dependency.
    Software,
    /// A rack it held reached end of life.
    Retired,
    /// An inference service took its chips (preemption).
    Preempted,
    /// A planned maintenance window drained a rack it held (announced: it
    /// checkpointed first and lost no work).
    Maintenance,
}

impl Interruption {
    /// Every cause, in column order.
    pub const ALL: [Interruption; 12] = [
        Interruption::Gpu,
        Interruption::Hbm,
        Interruption::GpuOther,
        Interruption::Host,
        Interruption::Nic,
        Interruption::SwitchCable,
        Interruption::RackPower,
        Interruption::SiteOutage,
        Interruption::Software,
        Interruption::Retired,
        Interruption::Preempted,
        Interruption::Maintenance,
    ];

    /// Number of causes.
    pub const COUNT: usize = Interruption::ALL.len();

    /// The name in `jobs.csv` (after `interruptions_`).
    pub fn key(self) -> &'static str {
        match self {
            Interruption::Gpu => "gpu",
            Interruption::Hbm => "hbm",
            Interruption::GpuOther => "gpu_other",
            Interruption::Host => "host",
            Interruption::Nic => "nic",
            Interruption::SwitchCable => "switch_cable",
            Interruption::RackPower => "rack_power",
            Interruption::SiteOutage => "site_outage",
            Interruption::Software => "software",
            Interruption::Retired => "retired",
            Interruption::Preempted => "preempted",
            Interruption::Maintenance => "maintenance",
        }
    }

    /// Position in [`Interruption::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The cause of a failure of class `kind` (a node class, or one that
    /// takes down what a job holds).
    pub fn of_class(kind: FailureKind) -> Interruption {
        match kind {
            FailureKind::Gpu => Interruption::Gpu,
            FailureKind::Hbm => Interruption::Hbm,
            FailureKind::GpuOther => Interruption::GpuOther,
            FailureKind::Host => Interruption::Host,
            FailureKind::Nic => Interruption::Nic,
            FailureKind::SwitchCable => Interruption::SwitchCable,
            FailureKind::RackPower => Interruption::RackPower,
            FailureKind::SiteOutage => Interruption::SiteOutage,
            // An inter-site link cut stalls flows; it takes no domain down.
            FailureKind::DciLink => Interruption::SiteOutage,
        }
    }
}

/// Where a training job stands at the end of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// All its work is done.
    Completed,
    /// It holds chips (computing, checkpointing, restarting or waiting for
    /// a repair).
    RunningAtEnd,
    /// It waits in the queue.
    QueuedAtEnd,
}

impl JobStatus {
    /// The name written in `jobs.csv`.
    pub fn key(self) -> &'static str {
        match self {
            JobStatus::Completed => "completed",
            JobStatus::RunningAtEnd => "running_at_end",
            JobStatus::QueuedAtEnd => "queued_at_end",
        }
    }
}

impl std::fmt::Display for JobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl PartialEq<&str> for JobStatus {
    fn eq(&self, other: &&str) -> bool {
        self.key() == *other
    }
}

/// One training job over the whole run, for `jobs.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    /// Position in the scenario's job list (from 0).
    pub id: u32,
    /// Job name.
    pub name: String,
    /// Hours since the start when it was submitted.
    pub submit_h: f64,
    /// Calendar time of the submission, to the second
    /// (`YYYY-MM-DDTHH:MM:SS` in `jobs.csv`).
    pub submit: chrono::NaiveDateTime,
    /// Hours since the start when it first held chips, if it did.
    pub first_start_h: Option<f64>,
    /// Hours since the start when it completed, if it did.
    pub end_h: Option<f64>,
    /// From submission to first start (to the end of the run if it never
    /// started) \[h\].
    pub queue_wait_h: f64,
    /// Chips it holds.
    pub chips: u32,
    /// Rack model.
    pub rack: String,
    /// Chip type (the rack model's chip).
    pub chip: String,
    /// Site(s) of its last placement, joined by `+` (empty if never
    /// placed).
    pub site: String,
    /// Where it stands at the end.
    pub status: JobStatus,
    /// Interruptions by cause ([`Interruption::ALL`] order).
    pub interruptions: [u64; Interruption::COUNT],
    /// Chip-hours of computation lost (work since the last checkpoint).
    pub lost_chip_hours: f64,
    /// Hours spent writing checkpoints.
    pub checkpoint_hours: f64,
    /// Hours spent restarting from checkpoints.
    pub restart_hours: f64,
    /// Productive compute time ÷ wall time from first start to its end (or
    /// the run's end); none if it never started.
    pub ettr: Option<f64>,
    /// Work done and kept \[FLOP\].
    pub flops_done: f64,
    /// Chip-hours it held: chips × time from each placement to its
    /// release or the end (its share of `training_chip_hours`).
    pub chip_hours: f64,
    /// Tokens trained and kept: `D × flops_done ÷ work` (= `flops_done ÷
    /// 6N`) for a job given as params and tokens; none otherwise.
    pub tokens_trained: Option<f64>,
}

impl JobRow {
    /// Interruptions of every cause.
    pub fn interruptions_total(&self) -> u64 {
        self.interruptions.iter().sum()
    }
}

/// One inference service over one sample interval, for `services.csv`:
/// rates are means over the parts of the epochs inside the interval (an
/// epoch starting at the sample instant belongs to the next row),
/// latency percentiles the largest such epoch's value, counts at the
/// sample instant.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRow {
    /// Hours since the start.
    pub time_h: f64,
    /// Calendar time, to the second (`YYYY-MM-DDTHH:MM:SS` in the file).
    pub timestamp: chrono::NaiveDateTime,
    /// Service name.
    pub service: SharedText,
    /// Mean demand over the interval [requests/s].
    pub demand_rps: f64,
    /// Mean capacity of the serving replicas over the interval, `c·μ(B)`
    /// [requests/s].
    pub capacity_rps: f64,
    /// Mean rate served [requests/s].
    pub served_rps: f64,
    /// Mean rate beyond capacity: dropped, or the net rate added to the
    /// backlog (negative while it drains), so that `demand_rps =
    /// served_rps + beyond_rps` [requests/s].
    pub beyond_rps: f64,
    /// Requests waiting in the backlog at the sample (the stock whose
    /// change over the interval `beyond_rps` is, under a backlog).
    pub backlog: f64,
    /// Replicas serving at the sample.
    pub replicas: u32,
    /// Replicas loading their weights at the sample.
    pub replicas_loading: u32,
    /// Chips the service holds at the sample.
    pub chips: u64,
    /// Mean utilization of the serving replicas, 0–1.
    pub utilization: f64,
    /// Mean time to first token \[s\] (request-weighted).
    pub ttft_mean_s: f64,
    /// Largest epoch 99th-percentile time to first token \[s\].
    pub ttft_p99_s: f64,
    /// Mean time per output token \[s\].
    pub tpot_mean_s: f64,
    /// Largest epoch 99th-percentile time per output token \[s\].
    pub tpot_p99_s: f64,
    /// Share of the served requests that met both latency targets.
    pub slo_attainment: f64,
    /// Input tokens of the requests served over the interval.
    pub tokens_in: f64,
    /// Output tokens of the requests served over the interval.
    pub tokens_out: f64,
    /// Training jobs it preempted over the interval.
    pub preemptions: u32,
    /// Replicas lost to failures over the interval.
    pub replicas_lost: u32,
    /// Replicas moved off racks going into a planned maintenance window
    /// over the interval (placed again at once where there is room; not
    /// lost).
    pub replicas_moved: u32,
    /// A separate prefill pool's replicas at the sample (a service with
    /// `[services.prefill_pool]`; its figures above are then its decode
    /// pool's, but `chips`, which counts both pools, and `replicas_lost`,
    /// lost in either).
    pub prefill: Option<PrefillPoolRow>,
}

/// A separate prefill pool of a service at a sample, for the prefill
/// columns of `services.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrefillPoolRow {
    /// Prefill replicas serving at the sample.
    pub replicas: u32,
    /// Prefill replicas loading their weights at the sample.
    pub replicas_loading: u32,
    /// Chips the prefill pool holds at the sample.
    pub chips: u64,
    /// Mean utilization of the serving prefill copies over the interval,
    /// 0–1: the prefills' busy time (requests served × a mean prompt's
    /// prefill time) over their copies' time.
    pub utilization: f64,
}

/// One inference service over the whole run, for `service_summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSummaryRow {
    /// Service name.
    pub service: String,
    /// Requests that arrived. This and the two counts after it are the
    /// epoch model's expected values, not whole numbers; the CSV writes
    /// them rounded to whole requests.
    pub requests: f64,
    /// Requests served.
    pub served: f64,
    /// Requests beyond capacity: dropped, or still in the backlog at the end.
    pub beyond_capacity: f64,
    /// Input tokens served.
    pub tokens_in: f64,
    /// Output tokens served.
    pub tokens_out: f64,
    /// Share of the served requests that met both latency targets.
    pub slo_attainment: f64,
    /// Replica-hours serving (loading excluded).
    pub replica_hours: f64,
    /// Chip-hours held (loading included).
    pub chip_hours: f64,
    /// Training jobs it preempted.
    pub preemptions: u64,
    /// Replicas lost to failures.
    pub replicas_lost: u64,
    /// Replicas moved off racks going into a planned maintenance window.
    pub replicas_moved: u64,
}

/// One request-level window of a scenario, for `request_windows.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowRow {
    /// Position in the scenario's `[[request_windows]]` (from 0).
    pub window: u32,
    /// Service name.
    pub service: String,
    /// Calendar time of its start, to the second (`YYYY-MM-DDTHH:MM:SS`
    /// in the file).
    pub start: chrono::NaiveDateTime,
    /// Hours since the start of the run.
    pub start_h: f64,
    /// Its requests: `"poisson"` or the trace file, followed by
    /// `" at rate x<X>"` when its `rate_scale` X is not 1.
    pub source: String,
    /// Replicas serving at its start (the ones that served it).
    pub replicas: u32,
    /// The request-level summary (counts, tokens, latency percentiles).
    pub summary: crate::workload::serving::requests::ServeSummary,
    /// A disaggregated service's KV-cache transfers (`None` colocated).
    pub kv: Option<KvWindow>,
}

/// The KV-cache transfers of a request-level window of a disaggregated
/// service, for `request_windows.csv`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KvWindow {
    /// KV cache moved from prefill to decode copies \[GB\].
    pub gb: f64,
    /// Mean transfer time, prefill end to landing, waiting for the link
    /// included \[s\].
    pub transfer_mean_s: f64,
    /// 99th percentile of the transfer time \[s\].
    pub transfer_p99_s: f64,
    /// Replicas whose transfers crossed the scale-out fabric as a flow.
    pub fabric_flows: u32,
    /// Of those, the flows that shared a link with another flow (a
    /// training ring, another replica's KV flow) at the window's start.
    pub shared_flows: u32,
    /// Mean max-min share of those flows at the window's start [Gbit/s].
    pub fabric_share_gbit_per_s: f64,
}

/// One planned maintenance window as it opened, for `maintenance.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct MaintenanceRow {
    /// Hours since the start of the run.
    pub time_h: f64,
    /// Calendar time of its opening, to the second
    /// (`YYYY-MM-DDTHH:MM:SS` in the file).
    pub timestamp: chrono::NaiveDateTime,
    /// Site name.
    pub site: String,
    /// The rack model it takes down (a window over every model of its
    /// site writes one row per model).
    pub rack: String,
    /// Index of that rack model in the scenario's rack types (the books'
    /// index; the public name is `rack`).
    pub(crate) rack_type: usize,
    /// Racks powered off (online, powered racks of the site and model).
    pub racks: u32,
    /// Healthy chips of those racks, powered off.
    pub chips: u64,
    /// Of those, the chips workloads held (drained ahead of the window).
    pub held_chips: u64,
    /// Length of the window \[h\].
    pub duration_h: f64,
    /// Chip-hours it takes dark: `chips × duration_h`.
    pub chip_hours: f64,
}

/// One request of a request-level window, for `requests.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowRequestRow {
    /// Its window.
    pub window: u32,
    /// The request (arrival from the window's start).
    pub row: crate::workload::serving::requests::RequestRow,
}

/// Every row of a run, in the order the simulation produced them, and its
/// summary `S`: [`crate::Results`] after a run, and
/// `crate::output::memory::MemoryRecorder` (which keeps each row as it
/// is recorded) during one. Tables a scenario does not produce (jobs
/// without `[[jobs]]`, the books without `[economics]`) are empty.
#[derive(Clone, Debug, Default)]
pub struct Rows<S> {
    /// The run's headline figures (`summary.csv`): a [`SummaryRow`] after
    /// the run; `Option<SummaryRow>` while it runs, none until it ends.
    pub summary: S,
    /// One row per site per sample time (`timeseries.csv`).
    pub samples: Vec<SampleRow>,
    /// Every failure, when the scenario's `[output] failures_log` is on
    /// (`failures.csv`).
    pub failures: Vec<FailureRow>,
    /// Each build-out phase: planned, delivered, commissioned (`buildout.csv`).
    pub buildout: Vec<BuildoutRow>,
    /// Each training job over the run (`jobs.csv`).
    pub jobs: Vec<JobRow>,
    /// Each inference service at each sample (`services.csv`).
    pub services: Vec<ServiceRow>,
    /// Each inference service over the run (`service_summary.csv`).
    pub service_summaries: Vec<ServiceSummaryRow>,
    /// Each request-level window of a service.
    pub windows: Vec<WindowRow>,
    /// Each planned maintenance window, as it opened.
    pub maintenance: Vec<MaintenanceRow>,
    /// The requests of the windows that ask for them.
    pub window_requests: Vec<WindowRequestRow>,
    /// The provider's monthly statement (`monthly.csv`).
    pub monthly: Vec<MonthlyRow>,
    /// Each contract in each month (`contracts_monthly.csv`).
    pub contract_months: Vec<ContractMonthRow>,
    /// Each contract over its term (`contracts.csv`).
    pub contracts: Vec<ContractRow>,
}

impl<S> Rows<S> {
    /// The same rows with the summary `summary`.
    pub fn with_summary<T>(self, summary: T) -> Rows<T> {
        Rows {
            summary,
            samples: self.samples,
            failures: self.failures,
            buildout: self.buildout,
            jobs: self.jobs,
            services: self.services,
            service_summaries: self.service_summaries,
            windows: self.windows,
            maintenance: self.maintenance,
            window_requests: self.window_requests,
            monthly: self.monthly,
            contract_months: self.contract_months,
            contracts: self.contracts,
        }
    }
}

/// Receives rows as the run produces them.
pub trait Recorder {
    /// A timeseries sample of one site.
    fn sample(&mut self, row: &SampleRow);
    /// A failure (only called when the failure log is on).
    fn failure(&mut self, row: &FailureRow);
    /// The fate of a build-out phase, once known (at the end of the run at
    /// the latest).
    fn buildout(&mut self, row: &BuildoutRow);
    /// A training job, at the end of the run (before the summary). Only
    /// scenarios with jobs call it; the default ignores the row.
    fn job(&mut self, row: &JobRow) {
        let _ = row;
    }
    /// An inference service at a sample (scenarios with services only);
    /// the default ignores the row.
    fn service(&mut self, row: &ServiceRow) {
        let _ = row;
    }
    /// A planned maintenance window, as it opens (scenarios with
    /// `[[maintenance]]` only); the default ignores it.
    fn maintenance(&mut self, row: &MaintenanceRow) {
        let _ = row;
    }
    /// A request-level window, when it has run; the default ignores it.
    fn window(&mut self, row: &WindowRow) {
        let _ = row;
    }
    /// A request of a window that asks for them; the default ignores it.
    fn window_request(&mut self, row: &WindowRequestRow) {
        let _ = row;
    }
    /// An inference service over the run, at the end (before the summary);
    /// the default ignores the row.
    fn service_summary(&mut self, row: &ServiceSummaryRow) {
        let _ = row;
    }
    /// A month of the provider's statement, at the end (scenarios with
    /// economics only); the default ignores the row.
    fn monthly(&mut self, row: &MonthlyRow) {
        let _ = row;
    }
    /// A contract in a month, at the end; the default ignores the row.
    fn contract_month(&mut self, row: &ContractMonthRow) {
        let _ = row;
    }
    /// A contract over its term, at the end; the default ignores the row.
    fn contract(&mut self, row: &ContractRow) {
        let _ = row;
    }
    /// The summary, last.
    fn summary(&mut self, row: &SummaryRow);
}
