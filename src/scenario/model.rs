//! A validated scenario: every name resolved, every quantity in its unit,
//! every date turned into simulated time. Models read these types and never
//! re-check them.

use chrono::{Datelike, Weekday};
use rand::RngExt;
use rand_distr::{Distribution as _, Exp, LogNormal};

use crate::catalog::failures::FailureKind;
use crate::catalog::{Catalog, ChipSpec, RackSpec};
use crate::engine::{Calendar, RngStreams, SimDuration, SimTime, StreamRng};
use crate::units::Watts;
pub use crate::world::config::{Lifetime, Link};

pub use crate::world::config::{Days, GridFullPolicy};

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

/// A rack model with its chip.
#[derive(Clone, Debug, PartialEq)]
pub struct RackType {
    /// The rack.
    pub rack: RackSpec,
    /// Its chip.
    pub chip: ChipSpec,
}

impl RackType {
    /// Nameplate IT power of one rack: every chip at TDP plus overhead [W].
    pub fn nameplate(&self) -> Watts {
        self.rack.nameplate_power(&self.chip)
    }
}

/// One site.
#[derive(Clone, Debug)]
pub struct Site {
    /// Unique name.
    pub name: String,
    /// Grid connection over time: `(from, capacity)`, first at time zero,
    /// ascending.
    pub grid: Vec<(SimTime, Watts)>,
    /// Power usage effectiveness.
    pub pue: Pue,
    /// What happens to a phase that does not fit.
    pub when_grid_full: GridFullPolicy,
    /// Admission limit as a multiple of the grid connection.
    pub power_oversubscription: f64,
    /// Leaf-to-spine oversubscription of each rack uplink (≥ 1 typically).
    pub uplink_oversubscription: f64,
    /// Electricity price [USD/MWh].
    pub price: Tariff,
    /// Carbon intensity [kgCO2e/MWh].
    pub carbon: Tariff,
    /// Delivery phases, in commissioning order.
    pub phases: Vec<Phase>,
}

/// Power usage effectiveness: facility power / IT power.
#[derive(Clone, Debug, PartialEq)]
pub enum Pue {
    /// The same all year.
    Constant(f64),
    /// January … December.
    Monthly([f64; 12]),
}

impl Pue {
    /// PUE in month `month` (1–12).
    pub fn in_month(&self, month: u32) -> f64 {
        match self {
            Pue::Constant(p) => *p,
            Pue::Monthly(m) => m[(month.clamp(1, 12) - 1) as usize],
        }
    }

    /// The highest PUE of the year: the design value used to admit racks.
    pub fn design(&self) -> f64 {
        match self {
            Pue::Constant(p) => *p,
            Pue::Monthly(m) => m.iter().copied().fold(f64::MIN, f64::max),
        }
    }

    /// Whether it changes over the year.
    pub fn varies(&self) -> bool {
        matches!(self, Pue::Monthly(_))
    }
}

/// One delivery of racks.
#[derive(Clone, Debug)]
pub struct Phase {
    /// Index into [`Scenario::rack_types`].
    pub rack_type: usize,
    /// Racks delivered.
    pub count: u32,
    /// Planned delivery.
    pub planned: SimTime,
    /// Random delay added to the planned date.
    pub delay: Option<Distribution>,
    /// Spare nodes delivered with the phase.
    pub spare_nodes: u32,
    /// Racks retire this long after commissioning.
    pub end_of_life: Option<SimDuration>,
}

/// Longest duration one draw of a [`Distribution`] gives: 100 years of 365
/// days. A longer draw (a heavy log-normal tail) is cut to it, so a repair
/// or delay never pushes an event past the clock's range.
pub const MAX_DRAW: SimDuration = SimDuration(100 * 365 * 86_400_000_000);

/// A distribution of durations.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Always this.
    Fixed(SimDuration),
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: SimDuration,
        /// Upper bound.
        max: SimDuration,
    },
    /// Exponential with this mean.
    Exponential {
        /// Mean.
        mean: SimDuration,
    },
    /// Log-normal: `median · exp(sigma · Z)`, Z standard normal.
    LogNormal {
        /// Median.
        median: SimDuration,
        /// Standard deviation of the natural log.
        sigma: f64,
    },
}

impl Distribution {
    /// One draw, at most [`MAX_DRAW`] (a longer draw is cut to it).
    pub fn sample(&self, rng: &mut StreamRng) -> SimDuration {
        let d = self.draw(rng);
        if d > MAX_DRAW { MAX_DRAW } else { d }
    }

    fn draw(&self, rng: &mut StreamRng) -> SimDuration {
        match self {
            Distribution::Fixed(d) => *d,
            Distribution::Uniform { min, max } => {
                if max.0 > min.0 {
                    SimDuration(rng.random_range(min.0..=max.0))
                } else {
                    *min
                }
            }
            Distribution::Exponential { mean } => {
                let x: f64 = Exp::new(1.0).expect("rate 1 is valid").sample(rng);
                SimDuration::from_secs_f64(x * mean.seconds())
            }
            Distribution::LogNormal { median, sigma } => {
                let z: f64 = LogNormal::new(0.0, *sigma)
                    .expect("validated sigma")
                    .sample(rng);
                SimDuration::from_secs_f64(z * median.seconds())
            }
        }
    }

    /// The mean [h].
    pub fn mean_hours(&self) -> f64 {
        match self {
            Distribution::Fixed(d) => d.hours(),
            Distribution::Uniform { min, max } => (min.hours() + max.hours()) / 2.0,
            Distribution::Exponential { mean } => mean.hours(),
            Distribution::LogNormal { median, sigma } => {
                median.hours() * (sigma * sigma / 2.0).exp()
            }
        }
    }
}

/// A value that follows the calendar: electricity price or carbon intensity.
#[derive(Clone, Debug, PartialEq)]
pub enum Tariff {
    /// The same at all times.
    Flat(f64),
    /// A base value, overridden during bands (the last matching band wins).
    Bands {
        /// Value outside the bands.
        base: f64,
        /// The bands.
        bands: Vec<Band>,
    },
    /// Values from a file: each applies from its time until the next.
    Series(Vec<(SimTime, f64)>),
}

/// A band of hours on some days.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// Which days.
    pub days: Days,
    /// First hour, 0–23.
    pub from_hour: u32,
    /// End hour (exclusive), 1–24.
    pub to_hour: u32,
    /// The value during the band.
    pub value: f64,
}

impl Tariff {
    /// The value in force at `t`. Changes happen only on hour boundaries.
    pub fn at(&self, calendar: &Calendar, t: SimTime) -> f64 {
        match self {
            Tariff::Flat(v) => *v,
            Tariff::Bands { base, bands } => {
                let hour = calendar.hour_of_day(t);
                let weekend = matches!(calendar.date(t).weekday(), Weekday::Sat | Weekday::Sun);
                bands
                    .iter()
                    .rev()
                    .find(|b| {
                        let day_ok = match b.days {
                            Days::All => true,
                            Days::Weekdays => !weekend,
                            Days::Weekends => weekend,
                        };
                        day_ok && hour >= b.from_hour && hour < b.to_hour
                    })
                    .map_or(*base, |b| b.value)
            }
            Tariff::Series(points) => {
                let i = points.partition_point(|(from, _)| *from <= t);
                points[i.saturating_sub(1)].1
            }
        }
    }

    /// Whether it can change over time.
    pub fn varies(&self) -> bool {
        !matches!(self, Tariff::Flat(_))
    }
}

/// A validated training job.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// Unique name.
    pub name: String,
    /// Submission time.
    pub submit: SimTime,
    /// Index into [`Scenario::rack_types`].
    pub rack_type: usize,
    /// Chips held (a whole number of scale-up domains).
    pub chips: u32,
    /// Scale-up domains held.
    pub domains: u32,
    /// Total work [FLOP].
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
    /// Work of one step [FLOP] (the job's work ÷ its steps).
    pub flops_per_step: f64,
    /// Gradient bytes each data-parallel replica all-reduces per step [B].
    pub gradient_bytes: f64,
    /// Data-parallel degree k (replicas exchanging gradients).
    pub data_parallel: u32,
    /// Share of the compute time the all-reduce hides behind, 0–1.
    pub overlap: f64,
}

impl Comm {
    /// Bytes each replica sends per step in a ring all-reduce:
    /// `2·(k−1)/k · gradient bytes` [B].
    pub fn ring_bytes(&self) -> f64 {
        let k = f64::from(self.data_parallel);
        2.0 * (k - 1.0) / k * self.gradient_bytes
    }

    /// The slowdown of a job whose step computes for `compute_s` seconds
    /// and whose ring runs at `rate_bps` bits per second: `t_c ÷ (t_c +
    /// max(0, t_n − overlap·t_c))`, with `t_n = ring bytes × 8 ÷ rate`
    /// (0 for a stalled ring; 1 for `rate_bps` = ∞).
    pub fn speed(&self, compute_s: f64, rate_bps: f64) -> f64 {
        if rate_bps <= 0.0 {
            return 0.0;
        }
        let comm_s = self.ring_bytes() * 8.0 / rate_bps;
        let exposed = (comm_s - self.overlap * compute_s).max(0.0);
        if exposed == 0.0 {
            1.0
        } else {
            compute_s / (compute_s + exposed)
        }
    }
}

impl Job {
    /// Its rate at full speed: chips × peak BF16 × MFU [FLOP/s].
    pub fn full_rate(&self, rack: &RackType) -> f64 {
        f64::from(self.chips) * rack.chip.bf16.value() * self.mfu
    }
}

/// A validated inference service (`[[services]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// Unique name.
    pub name: String,
    /// Index into [`Scenario::rack_types`].
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
}

/// A validated planned maintenance window (`[[maintenance]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Maintenance {
    /// Index into [`Scenario::sites`].
    pub site: usize,
    /// Index into [`Scenario::rack_types`] of the only rack model it
    /// takes down, or `None` for every rack of the site.
    pub rack_type: Option<usize>,
    /// When the first window opens.
    pub start: SimTime,
    /// How long each window lasts.
    pub duration: SimDuration,
    /// Period of the windows after the first (longer than `duration`), or
    /// `None` for one window.
    pub every: Option<SimDuration>,
    /// Share of the racks each window takes, rolling (0–1; 1 all).
    pub fraction: f64,
}

/// A validated request-level window (`[[request_windows]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestWindow {
    /// Index into [`Scenario::services`].
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

/// A validated Poisson stream of training jobs (`[[arrivals]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arrivals {
    /// Name of the stream: its jobs are `<name>-<k>`, its random stream
    /// `jobs/<name>`.
    pub name: String,
    /// Index into [`Scenario::rack_types`].
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
    /// time [s] (scaled by each job's full rate when drawn).
    pub comm: Option<Comm>,
    /// Whether the jobs may span sites.
    pub multi_site: bool,
}

impl Arrivals {
    /// The stream's jobs, drawn from the random stream `jobs/<name>` of
    /// `streams`: gaps between submissions exponential of mean `1 / rate`
    /// from `from`, until `until`; per job, in this order, the gap, the
    /// size (uniform over `sizes`) and the ideal duration `T` (work `T ×
    /// chips × peak × MFU`).
    pub fn generate(&self, streams: &RngStreams, rack: &RackType) -> Vec<Job> {
        let mut rng = streams.stream(&format!("jobs/{}", self.name));
        let gap = Exp::new(self.rate_per_hour).expect("validated positive rate");
        let mut jobs = Vec::new();
        let mut t = self.from;
        loop {
            let hours: f64 = gap.sample(&mut rng);
            let Some(next) = t.checked_add(SimDuration::from_secs_f64(hours * 3600.0)) else {
                break;
            };
            if next >= self.until {
                break;
            }
            t = next;
            let (chips, domains, checkpoint_every) =
                self.sizes[rng.random_range(0..self.sizes.len())];
            let ideal = self.ideal_duration.sample(&mut rng);
            let mut job = Job {
                name: format!("{}-{}", self.name, jobs.len()),
                submit: t,
                rack_type: self.rack_type,
                chips,
                domains,
                work: 0.0,
                mfu: self.mfu,
                checkpoint_every,
                checkpoint_time: self.checkpoint_time,
                restart_overhead: self.restart_overhead,
                priority: self.priority,
                comm: None,
                tokens: None,
                multi_site: self.multi_site,
            };
            job.work = ideal.seconds() * job.full_rate(rack);
            job.comm = self.comm.map(|c| Comm {
                flops_per_step: c.flops_per_step * job.full_rate(rack),
                data_parallel: if c.data_parallel == 0 {
                    domains
                } else {
                    c.data_parallel
                },
                ..c
            });
            jobs.push(job);
        }
        jobs
    }

    /// Jobs expected over the window: rate × window.
    pub fn expected(&self) -> f64 {
        self.rate_per_hour * (self.until - self.from).hours()
    }
}

/// Rate [per hour] of the interruptions of a running job of `chips` chips
/// of `rack`, from the classes' rates (`gpu` and `hbm` falling back on the
/// chip's catalog figure, as the world does): per chip GPU, HBM and other
/// GPU faults, per node host and NIC, per rack rack power and switch or
/// cable (the uplink rate counts per chip of the racks), its one site's
/// outages, and `software` per node (software interruptions, per
/// node-hour). The job is taken packed into the fewest racks, `⌈chips ÷
/// chips per rack⌉`.
///
/// `λ = chips·(λ_gpu + λ_hbm + λ_gpu_other) + nodes·(λ_host + λ_nic +
/// λ_software) + racks·(λ_rack_power + chips per rack·λ_switch_cable) +
/// λ_site_outage`.
pub fn job_failure_rate(
    failures: &[FailureClass],
    rack: &RackType,
    chips: u32,
    software: f64,
) -> f64 {
    let rate = |k: FailureKind| {
        failures
            .iter()
            .find(|c| c.kind == k)
            .and_then(|c| c.rate_per_hour)
            .or_else(|| rack.chip.failures_per_mhr(k).map(|r| r / 1e6))
            .unwrap_or(0.0)
    };
    let per_chip = rate(FailureKind::Gpu) + rate(FailureKind::Hbm) + rate(FailureKind::GpuOther);
    let per_node = rate(FailureKind::Host) + rate(FailureKind::Nic) + software;
    let nodes = chips / rack.rack.chips_per_node().max(1);
    let racks = chips.div_ceil(rack.rack.chips.max(1));
    let per_rack =
        rate(FailureKind::RackPower) + f64::from(rack.rack.chips) * rate(FailureKind::SwitchCable);
    f64::from(chips) * per_chip
        + f64::from(nodes) * per_node
        + f64::from(racks) * per_rack
        + rate(FailureKind::SiteOutage)
}

/// Young/Daly's checkpoint interval `sqrt(2 · C · MTBF)` for checkpoint
/// write time `checkpoint_time` and failure rate `rate_per_hour` (MTBF =
/// 1 / rate), to the microsecond.
pub fn young_daly(checkpoint_time: SimDuration, rate_per_hour: f64) -> SimDuration {
    let mtbf_s = 3600.0 / rate_per_hour;
    SimDuration::from_secs_f64((2.0 * checkpoint_time.seconds() * mtbf_s).sqrt())
}

/// One failure class as the scenario sets it.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureClass {
    /// Which class.
    pub kind: FailureKind,
    /// Failures per component-hour; `None` for `gpu` and `hbm` means "each
    /// chip's catalog figure" (every other class always has a rate).
    pub rate_per_hour: Option<f64>,
    /// Time-to-failure law.
    pub lifetime: Lifetime,
    /// Repair time.
    pub repair: Distribution,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;
    use chrono::NaiveDate;

    #[test]
    fn job_failure_rate_falls_back_on_the_chip_catalog_and_young_daly_follows() {
        let catalog = Catalog::builtin();
        let rack = RackType {
            rack: catalog.rack("hgx-h100").unwrap().clone(),
            chip: catalog.chip("h100").unwrap().clone(),
        };
        let class = |kind, rate| FailureClass {
            kind,
            rate_per_hour: rate,
            lifetime: Lifetime::Exponential,
            repair: Distribution::Fixed(SimDuration::from_hours(1)),
        };
        // GPU and HBM from the catalog (148 and 72 per 21,233,664 chip-hours
        // of Llama 3 405B), everything else off (gpu_other included).
        let mut classes: Vec<FailureClass> = FailureKind::ALL
            .iter()
            .map(|&k| class(k, Some(0.0)))
            .collect();
        classes[FailureKind::Gpu.index()].rate_per_hour = None;
        classes[FailureKind::Hbm.index()].rate_per_hour = None;
        // 16,384 chips over 54 days are the 21,233,664 chip-hours the rates
        // come from: 148 + 72 = 220 interruptions expected.
        let rate = job_failure_rate(&classes, &rack, 16_384, 0.0);
        assert!((rate * 54.0 * 24.0 - 220.0).abs() < 1e-9, "{rate}");
        // MTBF = 21,233,664 / (220 · 16,384) h; C = 60 s.
        let mtbf_s: f64 = 21_233_664.0 / (220.0 * 16_384.0) * 3600.0;
        let every = young_daly(SimDuration::from_secs(60), rate);
        assert_eq!(
            every,
            SimDuration::from_secs_f64((2.0 * 60.0 * mtbf_s).sqrt())
        );
        // gpu_other has no catalog figure per chip; at its class default,
        // 48 per 21,233,664 GPU-hours, the job sees 148 + 72 + 48 = 268.
        classes[FailureKind::GpuOther.index()].rate_per_hour = Some(
            crate::catalog::failures::defaults()[FailureKind::GpuOther.index()]
                .rate_per_million_hours
                / 1e6,
        );
        let rate = job_failure_rate(&classes, &rack, 16_384, 0.0);
        assert!((rate * 54.0 * 24.0 - 268.0).abs() < 1e-9, "{rate}");
        // Every class the Llama 3 table counts at its default, and software
        // faults at 63 per 2,654,208 node-hours: the published 419 =
        // 148 + 72 + 48 (per GPU) + 46 + 7 + 63 (per node: 2,048 nodes) + 35
        // (switch/cable per GPU of the 512 racks).
        let defaults = crate::catalog::failures::defaults();
        for k in [
            FailureKind::Host,
            FailureKind::Nic,
            FailureKind::SwitchCable,
        ] {
            classes[k.index()].rate_per_hour =
                Some(defaults[k.index()].rate_per_million_hours / 1e6);
        }
        let software = crate::catalog::failures::SOFTWARE_PER_MILLION_NODE_HOURS / 1e6;
        let rate = job_failure_rate(&classes, &rack, 16_384, software);
        assert!(
            (rate * 54.0 * 24.0 - 419.0).abs() < 1e-9,
            "{}",
            rate * 54.0 * 24.0
        );
        classes[FailureKind::Nic.index()].rate_per_hour = Some(0.0);
        classes[FailureKind::SwitchCable.index()].rate_per_hour = Some(0.0);
        // Host and NIC per node (8 chips), rack power per rack (4 nodes):
        // 16 chips = 2 nodes = 1 rack; 40 chips = 5 nodes = 2 racks.
        classes[FailureKind::Gpu.index()].rate_per_hour = Some(0.0);
        classes[FailureKind::Hbm.index()].rate_per_hour = Some(0.0);
        classes[FailureKind::GpuOther.index()].rate_per_hour = Some(0.0);
        classes[FailureKind::Host.index()].rate_per_hour = Some(1.0);
        classes[FailureKind::RackPower.index()].rate_per_hour = Some(10.0);
        classes[FailureKind::SiteOutage.index()].rate_per_hour = Some(100.0);
        assert_eq!(
            job_failure_rate(&classes, &rack, 16, 0.0),
            2.0 + 10.0 + 100.0
        );
        assert_eq!(
            job_failure_rate(&classes, &rack, 40, 0.0),
            5.0 + 20.0 + 100.0
        );
        // Software per node (0.5/h × 5 nodes); switch/cable per chip of a
        // rack (0.01/h × 32 chips × 2 racks).
        classes[FailureKind::SwitchCable.index()].rate_per_hour = Some(0.01);
        assert!(
            (job_failure_rate(&classes, &rack, 40, 0.5) - (5.0 + 20.0 + 100.0 + 2.5 + 0.64)).abs()
                < 1e-12
        );
    }

    #[test]
    fn bands_override_the_base_on_their_days() {
        // 2026-01-05 is a Monday.
        let cal = Calendar::new(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        let t = Tariff::Bands {
            base: 40.0,
            bands: vec![Band {
                days: Days::Weekdays,
                from_hour: 7,
                to_hour: 22,
                value: 90.0,
            }],
        };
        let h =
            |d: u64, h: u64| SimTime::ZERO + SimDuration::from_days(d) + SimDuration::from_hours(h);
        assert_eq!(t.at(&cal, h(0, 6)), 40.0);
        assert_eq!(t.at(&cal, h(0, 7)), 90.0);
        assert_eq!(t.at(&cal, h(0, 21)), 90.0);
        assert_eq!(t.at(&cal, h(0, 22)), 40.0);
        assert_eq!(t.at(&cal, h(5, 12)), 40.0, "Saturday");
    }

    #[test]
    fn series_steps_at_each_point() {
        let cal = Calendar::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let t = Tariff::Series(vec![(SimTime(0), 1.0), (SimTime(100), 2.0)]);
        assert_eq!(t.at(&cal, SimTime(0)), 1.0);
        assert_eq!(t.at(&cal, SimTime(99)), 1.0);
        assert_eq!(t.at(&cal, SimTime(100)), 2.0);
        assert_eq!(t.at(&cal, SimTime(10_000)), 2.0);
    }

    #[test]
    fn distributions_have_their_means() {
        let mut rng = RngStreams::new(3).stream("test");
        let n = 200_000;
        for d in [
            Distribution::Exponential {
                mean: SimDuration::from_hours(10),
            },
            Distribution::Uniform {
                min: SimDuration::from_hours(2),
                max: SimDuration::from_hours(6),
            },
            Distribution::LogNormal {
                median: SimDuration::from_hours(4),
                sigma: 0.5,
            },
        ] {
            let mean: f64 = (0..n).map(|_| d.sample(&mut rng).hours()).sum::<f64>() / n as f64;
            assert!(
                (mean / d.mean_hours() - 1.0).abs() < 0.01,
                "{d:?}: {mean} vs {}",
                d.mean_hours()
            );
        }
        assert_eq!(
            Distribution::Fixed(SimDuration::from_hours(3)).sample(&mut rng),
            SimDuration::from_hours(3)
        );
    }

    #[test]
    fn pue_design_is_the_worst_month() {
        let mut m = [1.1; 12];
        m[6] = 1.35;
        let p = Pue::Monthly(m);
        assert_eq!(p.design(), 1.35);
        assert_eq!(p.in_month(7), 1.35);
        assert_eq!(p.in_month(1), 1.1);
    }
}
