//! Inference services on the fleet: replicas hold whole scale-up domains of
//! the world like training jobs do, fail with them, and set their chips'
//! power by their load; an epoch event serves each service's demand through
//! the epoch model and autoscales its replicas.
//!
//! # The model
//!
//! - **Replicas**: a replica is `replica_domains` scale-up domains of the
//!   service's rack model at one site. A service holds one allocation per
//!   site ([`World::extend`] and [`World::shrink`] as it grows and
//!   shrinks), so setting its load is one command per site. A service
//!   with a separate prefill pool (`[services.prefill_pool]`) has two
//!   replica sets, each with its own replicas, shape, allocations and
//!   load: its own replicas (the decode pool, [`MAIN`]) and the prefill
//!   pool's ([`PREFILL`]); each is placed, lost, moved and given back as
//!   below, and autoscaled by [`PoolSizing`](crate::workload::serving::disagg::PoolSizing),
//!   each on its own load.
//! - **Epochs** (`[serving] epoch`, 15 minutes by default): at the start of
//!   each, a service's arrival rate λ comes from its demand curve (and its
//!   noise stream); its serving replicas `c` serve it by the epoch model
//!   ([`super::epoch`]), which gives the requests served and beyond
//!   capacity (dropped, or carried as backlog), latencies, SLO attainment
//!   and the replicas' utilization `u`, which sets their chips' power
//!   (`idle + (TDP − idle)·u`) for the epoch.
//! - **Autoscaling**, after serving the epoch: the replicas wanted are
//!   `⌈(λ + backlog ÷ epoch) ÷ (μ_max × target utilization)⌉`, within
//!   `[min_replicas, max_replicas]`, `μ_max` a replica's service rate at the
//!   largest batch its KV cache holds. More wanted: new replicas are placed
//!   (the first site with room, packed as training jobs are) and serve after
//!   `scale_up_delay` (loading their weights; their chips draw at the
//!   service's load meanwhile). Fewer: loading replicas go first, then the
//!   newest serving ones, at once.
//! - **Preemption**: a service with `preempt_training` that finds no room
//!   preempts, site by site, the training jobs of its rack model and of
//!   lower priority there ([`Training::preemptible`]) until a replica fits;
//!   each preemption is an interruption of class `preempted` of that job.
//!   When neither free chips nor preemption give a replica, the service runs
//!   with what it has, and its demand beyond capacity is reported.
//! - **Failures**: a domain of a replica going down (any cause) loses the
//!   replica at once: its domains are given back (the down one returns to
//!   the free pool when repaired) and the autoscaler replaces it at the next
//!   epoch. A planned maintenance window is announced instead: the replica
//!   moves ahead of it (a replacement off the window's racks loads while
//!   it serves on; see `maintenance`), and is not counted lost but moved
//!   (`replicas_moved`).
//! - **Power cap**: a site's chips under its grid cap run at its speed
//!   `s^(1/3)` ([`Notice::SiteSpeed`], the law of `world::power` that slows
//!   training), and so do the replicas there: an epoch is served, and the
//!   autoscaler sizes, on the replica's roofline with its prefill FLOP/s
//!   and decode HBM bandwidth × the service's speed, the mean over its
//!   serving replicas of their sites' speeds at the epoch's start
//!   ([`Replica::slowed`]). A request-level window runs at the speed of its
//!   start. A cap that moves inside an epoch acts from the next one.
//!
//! Per epoch the work is O(services × sites) plus the replicas added or
//! removed; nothing loops over replicas or chips per epoch.

use std::collections::HashMap;

use crate::engine::{RngStreams, SimTime};
use crate::record::{Recorder, ServiceRow, ServiceSummaryRow, SharedText};
use crate::run::RunConfig;
use crate::workload::serving::config::Config;
use crate::workload::serving::demand::DemandSampler;
use crate::workload::serving::disagg::{DisaggModel, KvLink};
use crate::workload::serving::epoch::{Backlog, ServiceModel};
use crate::workload::serving::roofline::Replica;
use crate::workload::training::Training;
use crate::world::fabric::FlowId;
use crate::world::workload_api::{AllocationId, DownCause, Notice};
use crate::world::{DomainId, SiteId, World};

mod epochs;
mod kv;
mod maintenance;
mod replicas;
mod rooflines;
mod windows;

#[cfg(test)]
pub use rooflines::RooflineModel;
use rooflines::{FastRoofline, RooflineTerms, colocated};

/// An event of the serving layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Every service serves the coming epoch and autoscales.
    Epoch,
    /// A request-level window starts: its requests are simulated one by
    /// one on the service's serving replicas of now.
    Window {
        /// Index into the scenario's request windows.
        index: u32,
    },
    /// The fabric flow that stood for a request-level window's KV
    /// transfers between two racks ends (the window's span is over).
    KvFlowEnd {
        /// The flow.
        flow: FlowId,
    },
    /// A planned maintenance window opens in the service's replica
    /// loading time (`scale_up_delay`): its replicas on the racks the
    /// window takes start moving, so that their replacements serve as it
    /// opens.
    MoveAhead {
        /// Service index.
        service: u32,
        /// Position in the scenario's `[[maintenance]]`.
        window: u32,
    },
    /// A replica has loaded its weights and serves from now on, if it is
    /// still the same replica.
    Ready {
        /// Service index.
        service: u32,
        /// Its replica set ([`MAIN`] or [`PREFILL`]).
        set: u32,
        /// Replica slot.
        replica: u32,
        /// The slot's generation it was scheduled for.
        generation: u32,
    },
}

/// The epoch model of a disaggregated service whose decode copy is
/// `decode`, with `copies` decode copies per replica, its KV caches
/// crossing `link` (one per replica).
fn disagg_model<'a>(
    decode: &'a Replica,
    pools: &'a Pools,
    service: &super::config::Service,
    copies: u32,
    max_batch: u32,
    scv: f64,
    link: KvLink,
) -> DisaggModel<'a> {
    DisaggModel {
        prefill: &pools.prefill,
        decode,
        prefill_per_decode: f64::from(pools.prefill_copies) / f64::from(copies.max(1)),
        input: service.input_tokens,
        output: service.output_tokens,
        max_batch,
        scv,
        link,
        decode_per_link: f64::from(copies.max(1)),
    }
}

/// The index of a service's own replicas among its replica sets (a
/// disaggregated service's decode pool when it has a separate prefill
/// pool).
pub(super) const MAIN: usize = 0;
/// The index of a separate prefill pool among a service's replica sets.
pub(super) const PREFILL: usize = 1;

/// The entry of `Serving::by_domain` for a domain no replica holds.
const NO_REPLICA: (u32, u32, u32) = (u32::MAX, u32::MAX, u32::MAX);

/// One replica slot of a service.
#[derive(Clone, Debug, Default)]
struct Slot {
    domains: Vec<DomainId>,
    site: u32,
    alive: bool,
    ready: bool,
    generation: u32,
    /// It serves until its replacement does (a maintenance window takes
    /// its rack): not counted among the replicas the autoscaler has.
    leaving: bool,
    /// The leaving replica it replaces, as (slot, its generation then).
    replaces: Option<(u32, u32)>,
}

/// What one service's sample interval adds up: the parts of its epochs
/// inside the interval, and the preemptions and replica losses at its
/// instants.
#[derive(Clone, Copy, Debug, Default)]
struct Interval {
    seconds: f64,
    arrived: f64,
    served: f64,
    /// Requests beyond capacity: dropped, or the net number added to the
    /// backlog (negative while it drains): arrivals − served.
    beyond: f64,
    /// Σ utilization × seconds.
    busy: f64,
    /// Σ capacity × seconds [requests].
    capacity: f64,
    /// Σ TTFT × served, TPOT × served.
    ttft_sum: f64,
    tpot_sum: f64,
    ttft_p: f64,
    tpot_p: f64,
    /// Requests leaving (served or dropped) meeting both targets, and all
    /// requests leaving.
    met: f64,
    population: f64,
    tokens_in: f64,
    tokens_out: f64,
    /// Σ prefill-pool utilization × seconds (a separate prefill pool).
    prefill_busy: f64,
    preemptions: u32,
    lost: u32,
    /// Replicas moved off racks going into maintenance.
    moved: u32,
}

impl Interval {
    /// Adds `share` (0–1) of an epoch's figures `e`: the extensive figures
    /// in proportion (the epoch model's rates are constant over its
    /// epoch), the largest percentiles whole.
    fn add_share(&mut self, e: &Interval, share: f64) {
        self.seconds += e.seconds * share;
        self.arrived += e.arrived * share;
        self.served += e.served * share;
        self.beyond += e.beyond * share;
        self.busy += e.busy * share;
        self.capacity += e.capacity * share;
        self.ttft_sum += e.ttft_sum * share;
        self.tpot_sum += e.tpot_sum * share;
        self.ttft_p = self.ttft_p.max(e.ttft_p);
        self.tpot_p = self.tpot_p.max(e.tpot_p);
        self.met += e.met * share;
        self.population += e.population * share;
        self.tokens_in += e.tokens_in * share;
        self.tokens_out += e.tokens_out * share;
        self.prefill_busy += e.prefill_busy * share;
    }
}

/// The epoch being served, booked into sample intervals as time passes: a
/// row holds exactly the part of each epoch inside its interval (an epoch
/// starting at a sample instant belongs to the interval after it).
#[derive(Clone, Copy, Debug, Default)]
struct Epoch {
    from: SimTime,
    to: SimTime,
    /// Booked into rows up to here.
    booked: SimTime,
    /// Its figures over the whole epoch.
    figures: Interval,
    /// Backlog at its start and end [requests].
    backlog_in: f64,
    backlog_out: f64,
}

impl Epoch {
    /// Share of the epoch between `a` and `b` (clipped to it).
    fn share(&self, a: SimTime, b: SimTime) -> f64 {
        let (a, b) = (a.max(self.from), b.min(self.to));
        if b <= a || self.to <= self.from {
            0.0
        } else if a == self.from && b == self.to {
            1.0
        } else {
            b.since(a).seconds() / self.to.since(self.from).seconds()
        }
    }

    /// Books its part up to `until` into `interval`.
    fn book(&mut self, until: SimTime, interval: &mut Interval) {
        let until = until.min(self.to);
        if until > self.booked {
            let share = self.share(self.booked, until);
            interval.add_share(&self.figures, share);
            self.booked = until;
        }
    }

    /// Backlog at `at` inside the epoch, moving linearly from its start to
    /// its end as the booked flows do [requests].
    fn backlog_at(&self, at: SimTime) -> f64 {
        if at >= self.to {
            self.backlog_out
        } else {
            self.backlog_in + self.share(self.from, at) * (self.backlog_out - self.backlog_in)
        }
    }
}

/// Whole-run totals of one service.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    arrived: f64,
    served: f64,
    dropped: f64,
    tokens_in: f64,
    tokens_out: f64,
    met: f64,
    population: f64,
    replica_seconds: f64,
    chip_seconds: f64,
    preemptions: u64,
    lost: u64,
    /// Replicas moved off racks going into maintenance.
    moved: u64,
}

/// A disaggregated service's prefill pool and KV links.
struct Pools {
    /// One prefill copy's roofline (on `prefill_tensor_parallel` chips).
    prefill: Replica,
    /// Prefill copies per replica.
    prefill_copies: u32,
    /// The most requests a prefill copy batches (one output token each).
    prefill_max_batch: u32,
    /// Rate of a transfer over the scale-up link: the fewer of the two
    /// copies' chips (of the two replicas' with a separate prefill pool),
    /// each at its one-way scale-up bandwidth [B/s].
    scaleup: f64,
    /// Rate of a transfer over the NICs: the fewer of the two copies'
    /// chips (of the two replicas' with a separate prefill pool), each at
    /// its scale-out bandwidth [B/s].
    nic: f64,
    /// Whether a replica's first decode chip is in the domain of its first
    /// prefill chip (`prefill_chips` < the domain's chips): its transfers
    /// then stay on the scale-up link.
    one_domain: bool,
    /// Index in a replica's domains of its first decode chip's domain.
    decode_domain: usize,
    /// Whether the prefill copies are a separate pool of replicas
    /// ([`PREFILL`]) rather than a fixed share of each replica.
    separate: bool,
}

impl Pools {
    /// The link the epoch model uses: the scale-up link within a domain,
    /// else the NICs (the fabric's share is read only by windows).
    fn epoch_link(&self) -> KvLink {
        KvLink {
            rate: if self.one_domain {
                self.scaleup
            } else {
                self.nic
            },
            latency_s: 0.0,
        }
    }
}

/// A set of replicas of one shape: a service's replicas (its decode pool
/// when disaggregated into separate pools), or its separate prefill pool.
#[derive(Default)]
struct Set {
    /// Chips of one replica.
    replica_chips: u32,
    /// Scale-up domains of one replica.
    replica_domains: u32,
    /// Allocation per site, if it holds domains there.
    parts: Vec<Option<AllocationId>>,
    slots: Vec<Slot>,
    free_slots: Vec<u32>,
    /// Replicas by when they were added, newest last, as (slot, its
    /// generation then): loading ones, and serving ones by when they became
    /// ready. Stale entries (removed or moved on) are skipped lazily.
    loading_stack: Vec<(u32, u32)>,
    ready_stack: Vec<(u32, u32)>,
    ready: u32,
    loading: u32,
    /// Replicas serving until their replacement does (see `Slot::leaving`).
    leaving: u32,
    chips: u64,
    /// Utilization set on its allocations now.
    load: f64,
    /// Serving replicas per site.
    ready_at: Vec<u32>,
}

impl Set {
    /// An empty set of replicas of `replica_chips` chips on
    /// `replica_domains` domains, over `sites` sites.
    fn new(replica_chips: u32, replica_domains: u32, sites: usize) -> Self {
        Set {
            replica_chips,
            replica_domains,
            parts: vec![None; sites],
            ready_at: vec![0; sites],
            ..Set::default()
        }
    }

    /// A slot for a new replica loading at `site` on `domains` (a freed
    /// one reused, else a new one), its generation moved on: its index and
    /// generation. The slot keeps its domain list's buffer from replica to
    /// replica.
    fn take_slot(&mut self, site: u32, domains: &[DomainId]) -> (usize, u32) {
        let k = match self.free_slots.pop() {
            Some(k) => k as usize,
            None => {
                self.slots.push(Slot::default());
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[k];
        slot.generation = slot.generation.wrapping_add(1);
        slot.alive = true;
        slot.ready = false;
        slot.leaving = false;
        slot.replaces = None;
        slot.site = site;
        slot.domains.clear();
        slot.domains.extend_from_slice(domains);
        (k, slot.generation)
    }

    /// Its serving replicas' slots, in slot order.
    fn serving(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().filter(|slot| slot.alive && slot.ready)
    }
}

/// One service's state.
struct State {
    /// One model copy's roofline (on `tensor_parallel` chips; a decode
    /// copy of a disaggregated service).
    replica: Replica,
    /// Model copies a replica hosts: `replica_chips ÷ tensor_parallel`
    /// (its decode copies when disaggregated).
    copies: u32,
    /// A disaggregated service's prefill pool and links.
    pools: Option<Pools>,
    /// A disaggregated service's KV flows standing for its epoch's
    /// transfers (see `kv`).
    kv_flows: Vec<FlowId>,
    /// A model copy's service rate at its largest batch [requests/s].
    mu_max: f64,
    /// The roofline terms of a colocated service's uncapped replica.
    terms: RooflineTerms,
    demand: DemandSampler,
    /// Its replica sets: [`MAIN`], and [`PREFILL`] when it has a separate
    /// prefill pool.
    sets: Vec<Set>,
    backlog: Backlog,
    /// The most requests a replica batches (its KV cache's limit).
    max_batch: u32,
    /// Squared coefficient of variation of a request's time in service
    /// (1 without an output CV: exponential).
    scv: f64,
    /// Arrival rate of the current epoch [requests/s].
    lambda: f64,
    /// The epoch being served (not yet wholly booked into rows).
    epoch: Epoch,
    interval: Interval,
    totals: Totals,
    /// When `ready` and `chips` last changed (for replica- and chip-hours).
    since: SimTime,
    name: SharedText,
}

#[cfg(test)]
/// A service's replicas and their chips at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicaCounts {
    /// Replicas serving.
    pub ready: u32,
    /// Replicas loading their weights.
    pub loading: u32,
    /// Chips the service holds.
    pub chips: u64,
}

/// Every inference service of a scenario.
pub struct Serving<'s> {
    /// The run's settings: seed, calendar, end.
    run: &'s RunConfig,
    /// The services and request-level windows, and the sites, rack
    /// models and maintenance windows they run with.
    config: &'s Config,
    states: Vec<State>,
    /// (service, replica set, slot) of each domain a replica holds, by
    /// domain id (`NO_REPLICA` for a domain no replica holds): a replica
    /// added or given back writes its domains' entries, O(1) each, with no
    /// hashing.
    by_domain: Vec<(u32, u32, u32)>,
    /// Service of each allocation.
    by_allocation: HashMap<u32, u32>,
    scheduled: Vec<(SimTime, Event)>,
    /// A list of one replica's domains, kept between placements so that
    /// placing a replica of one domain allocates nothing.
    pick: Vec<DomainId>,
    /// Sites where this layer freed domains (for the training queue).
    freed: Vec<SiteId>,
    /// Chip speed of each site under its power cap (1 uncapped).
    speed: Vec<f64>,
    /// Sites whose speed is below 1 now.
    capped: usize,
}

impl<'s> Serving<'s> {
    /// The services of `config` on its sites and rack models, for the run
    /// `run`; the first epoch is scheduled at the start. A service whose
    /// model does not fit its replica was refused by validation.
    pub fn new(run: &'s RunConfig, config: &'s Config) -> Self {
        let streams = RngStreams::new(run.seed);
        let states = config
            .services
            .iter()
            .map(|s| {
                let rt = &config.rack_types[s.rack_type];
                let replica = Replica::new(s.model, &rt.chip, s.tensor_parallel)
                    .expect("validation checked that the model fits its replica")
                    .with_prefix_hit_rate(s.prefix_hit_rate);
                let max_batch = replica
                    .max_batch_for(s.input_tokens, s.output_tokens)
                    .min(u64::from(u32::MAX)) as u32;
                let mu_max = replica.max_service_rate(s.input_tokens, s.output_tokens, u64::MAX);
                // A request's time in service is its prefill plus (o − 1)
                // decode steps; with the step at the full batch, τ, only
                // the output count o varies: C_s² = (τ·σ_o)² ÷ (p + (o̅ − 1)·τ)²,
                // σ_o = cv · o̅.
                let scv = s.output_tokens_cv.map_or(1.0, |cv| {
                    let tau = replica.decode_step(
                        max_batch as f64,
                        max_batch as f64 * (s.input_tokens + s.output_tokens / 2.0),
                    );
                    let p = replica.prefill_time(s.input_tokens);
                    let mean = p + (s.output_tokens - 1.0).max(0.0) * tau;
                    if mean > 0.0 {
                        (tau * cv * s.output_tokens / mean).powi(2)
                    } else {
                        1.0
                    }
                });
                let separate = s.prefill_pool.map(|pool| {
                    let prefill = Replica::new(s.model, &rt.chip, pool.tensor_parallel)
                        .expect("validation checked that the model fits a prefill copy")
                        .with_prefix_hit_rate(s.prefix_hit_rate);
                    // A pair of replicas' link: the fewer of the two
                    // replicas' chips, each at its NIC's (or scale-up)
                    // bandwidth, a transfer striped over them.
                    let fewer = f64::from(pool.replica_chips.min(s.replica_chips));
                    Pools {
                        prefill_max_batch: prefill
                            .max_batch_for(s.input_tokens, 1.0)
                            .clamp(1, u64::from(u32::MAX))
                            as u32,
                        prefill,
                        prefill_copies: pool.copies(),
                        scaleup: fewer * replica.link_bandwidth,
                        nic: fewer * rt.rack.scaleout_per_chip.0 / 8.0,
                        one_domain: false,
                        decode_domain: 0,
                        separate: true,
                    }
                });
                let pools = s.disaggregation.map(|d| {
                    let prefill = Replica::new(s.model, &rt.chip, d.prefill_tensor_parallel)
                        .expect("validation checked that the model fits a prefill copy")
                        .with_prefix_hit_rate(s.prefix_hit_rate);
                    let fewer = f64::from(d.prefill_tensor_parallel.min(s.tensor_parallel));
                    let domain = rt.rack.scaleup_domain.max(1);
                    Pools {
                        prefill_max_batch: prefill
                            .max_batch_for(s.input_tokens, 1.0)
                            .clamp(1, u64::from(u32::MAX))
                            as u32,
                        prefill,
                        prefill_copies: d.prefill_copies(),
                        scaleup: fewer * replica.link_bandwidth,
                        nic: fewer * rt.rack.scaleout_per_chip.0 / 8.0,
                        one_domain: d.prefill_chips < domain,
                        decode_domain: (d.prefill_chips / domain) as usize,
                        separate: false,
                    }
                });
                let pools = pools.or(separate);
                let copies = match s.disaggregation {
                    Some(d) => d.decode_copies(s.replica_chips, s.tensor_parallel),
                    None => s.replica_chips / s.tensor_parallel.max(1),
                };
                let mu_max = match &pools {
                    Some(p) => disagg_model(&replica, p, s, copies, max_batch, 1.0, p.epoch_link())
                        .service_rate(f64::from(max_batch)),
                    None => mu_max,
                };
                let terms = RooflineTerms::new(&colocated(&replica, s, max_batch, scv));
                State {
                    terms,
                    replica,
                    copies,
                    pools,
                    kv_flows: Vec::new(),
                    mu_max,
                    demand: DemandSampler::new(s.demand.clone(), &streams, &s.name),
                    sets: std::iter::once((s.replica_chips, s.replica_domains))
                        .chain(s.prefill_pool.map(|p| (p.replica_chips, p.replica_domains)))
                        .map(|(chips, domains)| Set::new(chips, domains, config.site_count))
                        .collect(),
                    backlog: Backlog::default(),
                    max_batch,
                    scv,
                    lambda: 0.0,
                    epoch: Epoch::default(),
                    interval: Interval::default(),
                    totals: Totals::default(),
                    since: SimTime::ZERO,
                    name: SharedText::from(s.name.as_str()),
                }
            })
            .collect::<Vec<_>>();
        let mut scheduled = if states.is_empty() {
            Vec::new()
        } else {
            vec![(SimTime::ZERO, Event::Epoch)]
        };
        // A window uses the replicas serving at its start (one falling on
        // an epoch boundary runs before that epoch's autoscaling).
        scheduled.extend(
            config
                .request_windows
                .iter()
                .enumerate()
                .filter(|(_, w)| w.start < run.end)
                .map(|(i, w)| (w.start, Event::Window { index: i as u32 })),
        );
        scheduled.extend(maintenance::first_moves(config, run.end));
        Serving {
            run,
            config,
            states,
            by_domain: Vec::new(),
            by_allocation: HashMap::new(),
            scheduled,
            pick: Vec::new(),
            freed: Vec::new(),
            speed: vec![1.0; config.site_count],
            capped: 0,
        }
    }

    /// The speed of service `i`'s replicas under their sites' power caps:
    /// the mean over its serving replicas (of both pools when it has a
    /// separate prefill pool) of their site's speed (1 when no site is
    /// capped or none serves). O(sites).
    fn speed_of(&self, i: usize) -> f64 {
        let s = &self.states[i];
        let ready: u32 = s.sets.iter().map(|set| set.ready).sum();
        if self.capped == 0 || ready == 0 {
            return 1.0;
        }
        let mut sum = 0.0;
        for set in &s.sets {
            sum += set
                .ready_at
                .iter()
                .zip(&self.speed)
                .map(|(&n, &v)| f64::from(n) * v)
                .sum::<f64>();
        }
        (sum / f64::from(ready)).min(1.0)
    }

    /// Whether the scenario has any service.
    pub fn has_services(&self) -> bool {
        !self.states.is_empty()
    }

    /// The events asked for since the last call, in order.
    pub fn drain_scheduled(&mut self) -> std::vec::Drain<'_, (SimTime, Event)> {
        self.scheduled.drain(..)
    }

    /// Whether events were asked for since the last
    /// [`drain_scheduled`](Self::drain_scheduled).
    pub fn has_scheduled(&self) -> bool {
        !self.scheduled.is_empty()
    }

    /// Sites where this layer gave domains back since the last call.
    pub fn drain_freed(&mut self) -> std::vec::Drain<'_, SiteId> {
        self.freed.drain(..)
    }

    /// Whether this layer gave domains back since the last
    /// [`drain_freed`](Self::drain_freed).
    pub fn has_freed(&self) -> bool {
        !self.freed.is_empty()
    }

    #[cfg(test)]
    /// A service's serving replicas, loading replicas and chips now.
    pub fn replicas(&self, service: usize) -> ReplicaCounts {
        self.set_counts(service, MAIN)
    }

    #[cfg(test)]
    /// A service's replica set `set` ([`MAIN`], or [`PREFILL`] for a
    /// separate prefill pool): its serving and loading replicas and chips.
    pub fn set_counts(&self, service: usize, set: usize) -> ReplicaCounts {
        let s = &self.states[service].sets[set];
        ReplicaCounts {
            ready: s.ready,
            loading: s.loading,
            chips: s.chips,
        }
    }

    /// Handles one of its own events at `now`.
    pub fn handle(
        &mut self,
        now: SimTime,
        event: Event,
        world: &mut World,
        training: &mut Training,
        recorder: &mut impl Recorder,
    ) {
        match event {
            Event::Epoch => {
                for i in 0..self.states.len() {
                    self.serve_epoch(i, now, world);
                    self.autoscale(i, now, world, training);
                }
                let next = now + self.config.epoch;
                if next < self.run.end {
                    self.scheduled.push((next, Event::Epoch));
                }
            }
            Event::Window { index } => self.window(index as usize, now, world, recorder),
            Event::MoveAhead { service, window } => {
                self.move_ahead(service as usize, window as usize, now, world)
            }
            Event::KvFlowEnd { flow } => {
                world
                    .end_flow(now, flow)
                    .expect("a window's KV flow is ended once, at its end");
            }
            Event::Ready {
                service,
                set,
                replica,
                generation,
            } => {
                let (i, r, k) = (service as usize, set as usize, replica as usize);
                let slot = &self.states[i].sets[r].slots[k];
                if slot.alive && !slot.ready && slot.generation == generation {
                    self.account(i, now);
                    let s = &mut self.states[i].sets[r];
                    s.slots[k].ready = true;
                    s.ready_at[s.slots[k].site as usize] += 1;
                    s.ready += 1;
                    s.loading -= 1;
                    s.ready_stack.push((replica, generation));
                    // Most replicas replace none (only a move ahead of a
                    // maintenance window does): no call for them.
                    if s.slots[k].replaces.is_some() {
                        self.replaced(i, r, k, now, world);
                    }
                }
            }
        }
    }

    /// Handles one notice of the world: a replica whose domain went down
    /// is lost; a site's new speed under its power cap is kept for the
    /// epochs to come.
    pub fn notice(&mut self, now: SimTime, notice: Notice, world: &mut World) {
        if let Notice::SiteSpeed { site, speed } = notice {
            let old = std::mem::replace(&mut self.speed[site.index()], speed);
            self.capped = self.capped + usize::from(speed < 1.0) - usize::from(old < 1.0);
            return;
        }
        if let Notice::DomainDown {
            domain,
            allocation: Some(a),
            cause,
        } = notice
            && self.by_allocation.contains_key(&a.0)
            && let Some(&(service, set, slot)) = self
                .by_domain
                .get(domain.index())
                .filter(|e| **e != NO_REPLICA)
        {
            let (i, r, k) = (service as usize, set as usize, slot as usize);
            if cause == DownCause::Maintenance {
                self.moved_off(i, r, k, now, world);
            } else {
                self.states[i].interval.lost += 1;
                self.states[i].totals.lost += 1;
                self.remove_replica(i, r, k, now, world);
            }
        }
    }

    /// Integrates a service's replica- and chip-seconds (of all its
    /// replica sets) up to `now`.
    fn account(&mut self, i: usize, now: SimTime) {
        let s = &mut self.states[i];
        if now == s.since {
            // Nothing to add (and adding zeros would change no bit of the
            // non-negative totals): several replicas added or given back
            // at one instant integrate once.
            return;
        }
        let dt = (now - s.since).seconds();
        for set in &s.sets {
            s.totals.replica_seconds += f64::from(set.ready) * dt;
            s.totals.chip_seconds += set.chips as f64 * dt;
        }
        s.since = now;
    }

    /// Records each service's row for the interval ending at `now` and
    /// starts the next interval.
    pub fn sample(&mut self, now: SimTime, recorder: &mut impl Recorder) {
        let timestamp = self.run.calendar.instant(now);
        for i in 0..self.states.len() {
            let s = &mut self.states[i];
            s.epoch.book(now, &mut s.interval);
            let t = std::mem::take(&mut s.interval);
            let per_s = |x: f64| if t.seconds > 0.0 { x / t.seconds } else { 0.0 };
            let per_served = |x: f64| if t.served > 0.0 { x / t.served } else { 0.0 };
            recorder.service(&ServiceRow {
                time_h: now.hours(),
                timestamp,
                service: s.name.clone(),
                demand_rps: per_s(t.arrived),
                capacity_rps: per_s(t.capacity),
                served_rps: per_s(t.served),
                beyond_rps: per_s(t.beyond),
                backlog: s.epoch.backlog_at(now),
                replicas: s.sets[MAIN].ready,
                replicas_loading: s.sets[MAIN].loading,
                chips: s.sets.iter().map(|set| set.chips).sum(),
                utilization: per_s(t.busy),
                ttft_mean_s: per_served(t.ttft_sum),
                ttft_p99_s: t.ttft_p,
                tpot_mean_s: per_served(t.tpot_sum),
                tpot_p99_s: t.tpot_p,
                slo_attainment: if t.population > 0.0 {
                    t.met / t.population
                } else {
                    1.0
                },
                tokens_in: t.tokens_in,
                tokens_out: t.tokens_out,
                preemptions: t.preemptions,
                replicas_lost: t.lost,
                replicas_moved: t.moved,
                prefill: s.sets.get(PREFILL).map(|p| crate::record::PrefillPoolRow {
                    replicas: p.ready,
                    replicas_loading: p.loading,
                    chips: p.chips,
                    utilization: per_s(t.prefill_busy),
                }),
            });
        }
    }

    /// Records each service's summary row at the end of the run.
    pub fn finish(&mut self, end: SimTime, recorder: &mut impl Recorder) {
        for i in 0..self.states.len() {
            self.account(i, end);
            let s = &self.states[i];
            let t = &s.totals;
            recorder.service_summary(&ServiceSummaryRow {
                service: s.name.as_str().to_string(),
                requests: t.arrived,
                served: t.served,
                beyond_capacity: t.dropped + s.backlog.requests,
                tokens_in: t.tokens_in,
                tokens_out: t.tokens_out,
                slo_attainment: if t.population > 0.0 {
                    t.met / t.population
                } else {
                    1.0
                },
                replica_hours: t.replica_seconds / 3600.0,
                chip_hours: t.chip_seconds / 3600.0,
                preemptions: t.preemptions,
                replicas_lost: t.lost,
                replicas_moved: t.moved,
            });
        }
    }
}
