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
//!   shrinks), so setting its load is one command per site.
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
//!   moves (given back and placed again at once where there is room,
//!   loading there), and is not counted lost but moved
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

use crate::engine::{RngStreams, SimDuration, SimTime};
use crate::policy::placement;
use crate::record::{Recorder, ServiceRow, ServiceSummaryRow, SharedText};
use crate::run::RunConfig;
use crate::workload::serving::config::Config;
use crate::workload::serving::demand::DemandSampler;
use crate::workload::serving::disagg::{DisaggModel, KvLink};
use crate::workload::serving::epoch::{
    Backlog, EpochInput, Overflow, ServiceModel, Slo, SloMetric, run_epoch,
};
use crate::workload::serving::roofline::Replica;
use crate::workload::training::Training;
use crate::world::config::Config as WorldConfig;
use crate::world::contract::{AllocationId, DownCause, Notice};
use crate::world::fabric::FlowId;
use crate::world::{DomainId, RackTypeId, SiteId, World};

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
    /// A replica has loaded its weights and serves from now on, if it is
    /// still the same replica.
    Ready {
        /// Service index.
        service: u32,
        /// Replica slot.
        replica: u32,
        /// The slot's generation it was scheduled for.
        generation: u32,
    },
}

/// A replica's roofline as the epoch model reads it, for requests of the
/// service's mean input and output tokens.
pub struct RooflineModel<'a> {
    /// The replica.
    pub replica: &'a Replica,
    /// Mean input tokens per request.
    pub input: f64,
    /// Mean output tokens per request.
    pub output: f64,
    /// The most requests a replica batches.
    pub max_batch: u32,
    /// Squared coefficient of variation of the time in service (1:
    /// exponential, the M/M/c model).
    pub scv: f64,
    /// Iterations a mean prompt takes to prefill
    /// ([`super::roofline::prefill_chunks`]; 1 for whole prefills): each
    /// one more holds the request's batch slot for a decode step of the
    /// batch and adds that step to its time to first token.
    pub prefill_chunks: f64,
}

impl ServiceModel for RooflineModel<'_> {
    fn service_rate(&self, batch: f64) -> f64 {
        if batch <= 0.0 {
            0.0
        } else {
            self.replica
                .service_rate_chunked(batch, self.input, self.output, self.prefill_chunks)
        }
    }

    fn max_batch(&self) -> u32 {
        self.max_batch
    }

    fn service_scv(&self) -> f64 {
        self.scv
    }

    fn prefill_time(&self, batch: f64) -> Option<f64> {
        let p = self.replica.prefill_time(self.input);
        Some(if self.prefill_chunks > 1.0 {
            p + (self.prefill_chunks - 1.0)
                * self
                    .replica
                    .decode_step(batch, batch * (self.input + self.output / 2.0))
        } else {
            p
        })
    }

    fn tpot(&self, batch: f64) -> Option<f64> {
        Some(
            self.replica
                .decode_step(batch, batch * (self.input + self.output / 2.0)),
        )
    }

    fn batch_for_rate(&self, per_replica: f64) -> Option<Option<f64>> {
        Some(self.replica.batch_for_rate_chunked(
            per_replica,
            self.input,
            self.output,
            u64::from(self.max_batch),
            self.prefill_chunks,
        ))
    }
}

/// The epoch model of a disaggregated service whose decode copy is
/// `decode`, with `copies` decode copies per replica.
fn disagg_model<'a>(
    decode: &'a Replica,
    pools: &'a Pools,
    service: &super::config::Service,
    copies: u32,
    max_batch: u32,
    scv: f64,
) -> DisaggModel<'a> {
    DisaggModel {
        prefill: &pools.prefill,
        decode,
        prefill_per_decode: f64::from(pools.prefill_copies) / f64::from(copies.max(1)),
        input: service.input_tokens,
        output: service.output_tokens,
        max_batch,
        scv,
        link: pools.epoch_link(),
    }
}

/// One replica slot of a service.
#[derive(Clone, Debug, Default)]
struct Slot {
    domains: Vec<DomainId>,
    site: u32,
    alive: bool,
    ready: bool,
    generation: u32,
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
    /// copies' chips, each at its one-way scale-up bandwidth [B/s].
    scaleup: f64,
    /// Rate of a transfer over the NICs: the fewer of the two copies'
    /// chips, each at its scale-out bandwidth [B/s].
    nic: f64,
    /// Whether a replica's first decode chip is in the domain of its first
    /// prefill chip (`prefill_chips` < the domain's chips): its transfers
    /// then stay on the scale-up link.
    one_domain: bool,
    /// Index in a replica's domains of its first decode chip's domain.
    decode_domain: usize,
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
    /// A model copy's service rate at its largest batch [requests/s].
    mu_max: f64,
    demand: DemandSampler,
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
    chips: u64,
    backlog: Backlog,
    /// The most requests a replica batches (its KV cache's limit).
    max_batch: u32,
    /// Squared coefficient of variation of a request's time in service
    /// (1 without an output CV: exponential).
    scv: f64,
    /// Utilization set on its allocations now.
    load: f64,
    /// Arrival rate of the current epoch [requests/s].
    lambda: f64,
    /// The epoch being served (not yet wholly booked into rows).
    epoch: Epoch,
    interval: Interval,
    totals: Totals,
    /// When `ready` and `chips` last changed (for replica- and chip-hours).
    since: SimTime,
    name: SharedText,
    /// Serving replicas per site.
    ready_at: Vec<u32>,
}

/// Every inference service of a scenario.
pub struct Serving<'s> {
    /// The run's settings: seed, calendar, end.
    run: &'s RunConfig,
    /// The services and request-level windows.
    config: &'s Config,
    /// The world they run in: its sites and rack models.
    world_config: &'s WorldConfig,
    states: Vec<State>,
    /// (service, slot) of each domain a replica holds.
    by_domain: HashMap<u32, (u32, u32)>,
    /// Service of each allocation.
    by_allocation: HashMap<u32, u32>,
    scheduled: Vec<(SimTime, Event)>,
    /// Sites where this layer freed domains (for the training queue).
    freed: Vec<SiteId>,
    /// Chip speed of each site under its power cap (1 uncapped).
    speed: Vec<f64>,
    /// Sites whose speed is below 1 now.
    capped: usize,
}

impl<'s> Serving<'s> {
    /// The services of `config` on the sites and rack models of
    /// `world_config`, for the run `run`; the first epoch is scheduled at
    /// the start. A service whose model does not fit its replica was
    /// refused by validation.
    pub fn new(run: &'s RunConfig, config: &'s Config, world_config: &'s WorldConfig) -> Self {
        let streams = RngStreams::new(run.seed);
        let states = config
            .services
            .iter()
            .map(|s| {
                let rt = &world_config.rack_types[s.rack_type];
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
                    }
                });
                let copies = match s.disaggregation {
                    Some(d) => d.decode_copies(s.replica_chips, s.tensor_parallel),
                    None => s.replica_chips / s.tensor_parallel.max(1),
                };
                let mu_max = match &pools {
                    Some(p) => disagg_model(&replica, p, s, copies, max_batch, 1.0)
                        .service_rate(f64::from(max_batch)),
                    None => mu_max,
                };
                State {
                    replica,
                    copies,
                    pools,
                    mu_max,
                    demand: DemandSampler::new(s.demand.clone(), &streams, &s.name),
                    parts: vec![None; world_config.sites.len()],
                    slots: Vec::new(),
                    free_slots: Vec::new(),
                    loading_stack: Vec::new(),
                    ready_stack: Vec::new(),
                    ready: 0,
                    loading: 0,
                    chips: 0,
                    backlog: Backlog::default(),
                    max_batch,
                    scv,
                    load: 0.0,
                    lambda: 0.0,
                    epoch: Epoch::default(),
                    interval: Interval::default(),
                    totals: Totals::default(),
                    since: SimTime::ZERO,
                    name: SharedText::from(s.name.as_str()),
                    ready_at: vec![0; world_config.sites.len()],
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
        Serving {
            run,
            config,
            world_config,
            states,
            by_domain: HashMap::new(),
            by_allocation: HashMap::new(),
            scheduled,
            freed: Vec::new(),
            speed: vec![1.0; world_config.sites.len()],
            capped: 0,
        }
    }

    /// The speed of service `i`'s replicas under their sites' power caps:
    /// the mean over its serving replicas of their site's speed (1 when
    /// no site is capped or none serves). O(sites).
    fn speed_of(&self, i: usize) -> f64 {
        let s = &self.states[i];
        if self.capped == 0 || s.ready == 0 {
            return 1.0;
        }
        let sum: f64 = s
            .ready_at
            .iter()
            .zip(&self.speed)
            .map(|(&n, &v)| f64::from(n) * v)
            .sum();
        (sum / f64::from(s.ready)).min(1.0)
    }

    /// Whether the scenario has any service.
    pub fn has_services(&self) -> bool {
        !self.states.is_empty()
    }

    /// The events asked for since the last call, in order.
    pub fn drain_scheduled(&mut self) -> std::vec::Drain<'_, (SimTime, Event)> {
        self.scheduled.drain(..)
    }

    /// Sites where this layer gave domains back since the last call.
    pub fn drain_freed(&mut self) -> std::vec::Drain<'_, SiteId> {
        self.freed.drain(..)
    }

    /// A service's serving replicas, loading replicas and chips now.
    pub fn replicas(&self, service: usize) -> (u32, u32, u64) {
        let s = &self.states[service];
        (s.ready, s.loading, s.chips)
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
            Event::KvFlowEnd { flow } => {
                world
                    .end_flow(now, flow)
                    .expect("a window's KV flow is ended once, at its end");
            }
            Event::Ready {
                service,
                replica,
                generation,
            } => {
                let (i, k) = (service as usize, replica as usize);
                let slot = &self.states[i].slots[k];
                if slot.alive && !slot.ready && slot.generation == generation {
                    self.account(i, now);
                    let s = &mut self.states[i];
                    s.slots[k].ready = true;
                    s.ready_at[s.slots[k].site as usize] += 1;
                    s.ready += 1;
                    s.loading -= 1;
                    s.ready_stack.push((replica, generation));
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
            && let Some(&(service, slot)) = self.by_domain.get(&domain.0)
        {
            let (i, k) = (service as usize, slot as usize);
            if cause == DownCause::Maintenance {
                // Announced: the replica moves, placed again at once where
                // there is room (without preempting), and loads there.
                self.states[i].interval.moved += 1;
                self.states[i].totals.moved += 1;
                self.remove_replica(i, k, now, world);
                self.add_replica(i, now, world, None);
            } else {
                self.states[i].interval.lost += 1;
                self.states[i].totals.lost += 1;
                self.remove_replica(i, k, now, world);
            }
        }
    }

    /// Runs request-level window `index` at `now` on its service's serving
    /// replicas and records its summary (and its requests, if asked).
    fn window(
        &mut self,
        index: usize,
        now: SimTime,
        world: &mut World,
        recorder: &mut impl Recorder,
    ) {
        use super::requests::{self, Prefill, Routing, ServeConfig, Synthetic, Tokens};
        let w = &self.config.request_windows[index];
        let service = &self.config.services[w.service];
        let s = &self.states[w.service];
        let (mut requests, mut source) = match &w.trace {
            Some(trace) => {
                // Arrivals shifted to the window's start.
                let t0 = trace.first().map_or(0.0, |r| r.arrival);
                let shifted: Vec<_> = trace
                    .iter()
                    .map(|r| super::trace::TraceRequest {
                        arrival: r.arrival - t0,
                        ..*r
                    })
                    .collect();
                (shifted, w.trace_file.clone().unwrap_or_default())
            }
            None => {
                // Poisson at the demand of the window's start, the
                // service's mean tokens (geometric counts), from the
                // window's own streams.
                let rate = s.demand.demand().rate_at(&self.run.calendar, now);
                let count = (rate * w.duration.seconds()).round() as usize;
                let synthetic = Synthetic {
                    rate: rate.max(f64::MIN_POSITIVE),
                    count,
                    input: Tokens::Exponential {
                        mean: (service.input_tokens - 0.5).max(0.5),
                    },
                    output: Tokens::Exponential {
                        mean: (service.output_tokens - 0.5).max(0.5),
                    },
                };
                let streams = RngStreams::new(self.run.seed);
                (
                    synthetic.generate_in(&streams, &format!("windows/{index}")),
                    "poisson".to_string(),
                )
            }
        };
        if w.rate_scale != 1.0 {
            // The same requests, their arrivals from the window's start
            // compressed (documented in docs/models/inference.md).
            super::trace::scale_arrivals(&mut requests, w.rate_scale);
            source = format!("{source} at rate x{}", w.rate_scale);
        }
        let slo = requests::Slo {
            ttft_s: service.ttft_slo.seconds(),
            tpot_s: service.tpot_slo.seconds(),
            percentile: service.slo_percentile,
        };
        let replicas = s.ready * s.copies;
        let speed = self.speed_of(w.service);
        let config = ServeConfig {
            replica: if speed < 1.0 {
                s.replica.slowed(speed)
            } else {
                s.replica.clone()
            },
            replicas: replicas.max(1),
            max_batch: s.max_batch.max(1),
            routing: Routing::LeastLoaded,
            // A budget below the batch cap (the KV cache's limit) is raised
            // to it: each decoding request takes one token of it.
            prefill: match service.prefill {
                Prefill::Chunked { budget } => Prefill::Chunked {
                    budget: budget.max(s.max_batch.max(1)),
                },
                Prefill::Whole => Prefill::Whole,
            },
        };
        let (run, kv, replicas) = if s.pools.is_some() {
            let (run, kv, copies) =
                self.window_disaggregated(w.service, now, speed, &config, &requests, world);
            (run, Some(kv), copies)
        } else {
            let run = if replicas > 0 && !requests.is_empty() {
                requests::simulate(&config, &requests).ok()
            } else {
                None
            };
            (run, None, replicas)
        };
        let mut summary = match &run {
            Some(run) => requests::summarize(run, &requests, replicas, Some(slo)),
            None => requests::ServeSummary::unserved(&requests),
        };
        // Rows are a function of the scenario alone: no wall time in them.
        summary.wall_s = 0.0;
        if w.requests_csv
            && let Some(run) = &run
        {
            for row in run.rows(&requests) {
                recorder.window_request(&crate::record::WindowRequestRow {
                    window: index as u32,
                    row,
                });
            }
        }
        recorder.window(&crate::record::WindowRow {
            window: index as u32,
            service: service.name.clone(),
            start: self.run.calendar.format(now),
            start_h: now.hours(),
            source,
            replicas,
            summary,
            kv,
        });
    }

    /// A request-level window of disaggregated service `i` at `now`: each
    /// serving replica is a group of its prefill and decode copies, whose
    /// KV caches cross the scale-up link (both pools in one domain), the
    /// racks' NICs (one rack) or the scale-out fabric. There a flow from
    /// the rack of the replica's first prefill domain to the rack of its
    /// first decode domain, capped at the copies' NICs, is started to read
    /// its max-min share beside the flows already there (training rings,
    /// the window's other KV flows); the transfers run at that share.
    /// After the run, the flow is restarted capped at the mean rate its
    /// transfers used (bytes ÷ the window's span), and ends with the span,
    /// so that it slows the training flows beside it as much as the
    /// transfers did on average. Returns the run, the KV figures and the
    /// copies that served (prefill and decode).
    fn window_disaggregated(
        &mut self,
        i: usize,
        now: SimTime,
        speed: f64,
        decode: &super::requests::ServeConfig,
        requests: &[super::trace::TraceRequest],
        world: &mut World,
    ) -> (
        Option<super::requests::ServeRun>,
        crate::record::KvWindow,
        u32,
    ) {
        use super::disagg::{self, DisaggConfig};
        use super::requests::{Prefill, ServeConfig};
        let service = &self.config.services[i];
        let s = &self.states[i];
        let p = s.pools.as_ref().expect("a disaggregated service");
        let mut links = Vec::new();
        let mut flows: Vec<Option<(FlowId, f64)>> = Vec::new();
        let mut kv = crate::record::KvWindow::default();
        let mut share_sum = 0.0;
        for slot in s.slots.iter().filter(|slot| slot.alive && slot.ready) {
            let first = slot.domains[0];
            let other = slot.domains[p.decode_domain.min(slot.domains.len() - 1)];
            let (from, to) = (world.domain_rack(first), world.domain_rack(other));
            let mut link = KvLink {
                rate: p.nic,
                latency_s: 0.0,
            };
            let mut flow = None;
            if p.one_domain || first == other {
                link.rate = p.scaleup;
            } else if from != to
                && let Ok(f) = world.start_flow(
                    now,
                    from,
                    to,
                    Some(crate::units::BitsPerSecond(p.nic * 8.0)),
                )
            {
                let share = world.flow_rate(f).map_or(0.0, |r| r.0 / 8.0);
                kv.fabric_flows += 1;
                if world.flows_beside(f) > 0 {
                    kv.shared_flows += 1;
                }
                // A stalled path (a link down) carries nothing: its
                // transfers take the NICs' rate rather than never ending.
                if share > 0.0 {
                    link.rate = share;
                }
                share_sum += link.rate;
                flow = Some((f, link.rate));
            }
            links.push(link);
            flows.push(flow);
        }
        let groups = links.len() as u32;
        let copies = groups * (p.prefill_copies + s.copies);
        if groups == 0 || requests.is_empty() {
            for (f, _) in flows.into_iter().flatten() {
                world.end_flow(now, f).expect("started above");
            }
            return (None, kv, copies);
        }
        let prefill = if speed < 1.0 {
            p.prefill.slowed(speed)
        } else {
            p.prefill.clone()
        };
        let config = DisaggConfig {
            prefill: ServeConfig {
                replica: prefill,
                replicas: groups * p.prefill_copies,
                max_batch: p.prefill_max_batch,
                routing: decode.routing,
                prefill: match service.prefill {
                    Prefill::Chunked { budget } => Prefill::Chunked {
                        budget: budget.max(p.prefill_max_batch),
                    },
                    Prefill::Whole => Prefill::Whole,
                },
            },
            decode: ServeConfig {
                replicas: s.copies.max(1),
                ..decode.clone()
            },
            links,
        };
        let out = disagg::simulate(&config, requests).ok();
        let span = out.as_ref().map_or(0.0, |o| {
            o.run.end_s - requests.first().map_or(0.0, |r| r.arrival)
        });
        for (g, f) in flows.iter().enumerate() {
            let Some((f, share)) = *f else { continue };
            world.end_flow(now, f).expect("started above");
            let bytes = out.as_ref().map_or(0.0, |o| o.link_bytes[g]);
            let until = now + SimDuration::from_secs_f64(span);
            if bytes > 0.0 && until > now && until < self.run.end {
                let slot_racks = {
                    let slot = s
                        .slots
                        .iter()
                        .filter(|slot| slot.alive && slot.ready)
                        .nth(g)
                        .expect("one group per serving replica");
                    let first = slot.domains[0];
                    let other = slot.domains[p.decode_domain.min(slot.domains.len() - 1)];
                    (world.domain_rack(first), world.domain_rack(other))
                };
                let mean = (bytes / span).min(share) * 8.0;
                let standing = world
                    .start_flow(
                        now,
                        slot_racks.0,
                        slot_racks.1,
                        Some(crate::units::BitsPerSecond(mean)),
                    )
                    .expect("the route was found above");
                self.scheduled
                    .push((until, Event::KvFlowEnd { flow: standing }));
            }
        }
        if let Some(o) = &out {
            kv.gb = o.link_bytes.iter().sum::<f64>() / 1e9;
            let mut times: Vec<f64> = o
                .transfer_s
                .iter()
                .copied()
                .filter(|t| t.is_finite())
                .collect();
            times.sort_unstable_by(f64::total_cmp);
            if !times.is_empty() {
                kv.transfer_mean_s = times.iter().sum::<f64>() / times.len() as f64;
                kv.transfer_p99_s = super::requests::percentile(&times, 99.0);
            }
        }
        if kv.fabric_flows > 0 {
            kv.fabric_share_gbit_per_s = share_sum * 8.0 / 1e9 / f64::from(kv.fabric_flows);
        }
        (out.map(|o| o.run), kv, copies)
    }

    /// Integrates a service's replica- and chip-seconds up to `now`.
    fn account(&mut self, i: usize, now: SimTime) {
        let s = &mut self.states[i];
        let dt = (now - s.since).seconds();
        s.totals.replica_seconds += f64::from(s.ready) * dt;
        s.totals.chip_seconds += s.chips as f64 * dt;
        s.since = now;
    }

    /// Serves service `i`'s epoch starting at `now` and sets its load.
    fn serve_epoch(&mut self, i: usize, now: SimTime, world: &mut World) {
        let service = &self.config.services[i];
        let epoch = self.config.epoch;
        let length = (self.run.end - now).min(epoch);
        let lambda = self.states[i]
            .demand
            .next_epoch(&self.run.calendar, now, length);
        let speed = self.speed_of(i);
        let s = &mut self.states[i];
        s.lambda = lambda;
        // Under a power cap, the replica's roofline at its speed.
        let slowed = (speed < 1.0).then(|| s.replica.slowed(speed));
        let slowed_prefill = s
            .pools
            .as_ref()
            .filter(|_| speed < 1.0)
            .map(|p| p.prefill.slowed(speed));
        let split = s.pools.as_ref().map(|p| {
            let mut m = disagg_model(
                slowed.as_ref().unwrap_or(&s.replica),
                p,
                service,
                s.copies,
                s.max_batch,
                s.scv,
            );
            if let Some(pre) = &slowed_prefill {
                m.prefill = pre;
            }
            m
        });
        let colocated = RooflineModel {
            replica: slowed.as_ref().unwrap_or(&s.replica),
            input: service.input_tokens,
            output: service.output_tokens,
            max_batch: s.max_batch,
            scv: s.scv,
            // The chunks of the prompt's tokens not found in the cache.
            prefill_chunks: super::roofline::prefill_chunks(
                service.input_tokens * (1.0 - service.prefix_hit_rate),
                match service.prefill {
                    super::requests::Prefill::Chunked { budget } => Some(budget),
                    super::requests::Prefill::Whole => None,
                },
            ),
        };
        let model: &dyn ServiceModel = match &split {
            Some(m) => m,
            None => &colocated,
        };
        let out = run_epoch(
            model,
            &EpochInput {
                length_s: length.seconds(),
                arrival_rate: lambda,
                replicas: s.ready * s.copies,
                backlog: s.backlog,
                overflow: if service.backlog {
                    Overflow::Backlog
                } else {
                    Overflow::Drop
                },
                slo: Slo {
                    metric: SloMetric::Ttft,
                    target_s: service.ttft_slo.seconds(),
                    percentile: service.slo_percentile / 100.0,
                },
            },
        );
        let backlog_in = s.backlog.requests;
        s.backlog = out.backlog_out;
        // The TTFT attainment counts only while the decode steps meet the
        // TPOT target at the percentile; an epoch whose p-th TPOT misses it
        // meets no request's targets.
        let tpot_p = out.p99_tpot_s.unwrap_or(0.0);
        let attained = if tpot_p <= service.tpot_slo.seconds() {
            out.slo_attainment
        } else {
            0.0
        };
        // The previous epoch ends here: what is left of it belongs to the
        // interval still open (its sample at this instant comes later).
        s.epoch.book(now, &mut s.interval);
        s.epoch = Epoch {
            from: now,
            to: now + length,
            booked: now,
            figures: Interval {
                seconds: length.seconds(),
                arrived: out.arrived,
                served: out.served,
                // Dropped, or the net added to the backlog: by
                // conservation (backlog in + arrived = served + backlog
                // out) both are arrived − served.
                beyond: if service.backlog {
                    out.backlog_out.requests - backlog_in
                } else {
                    out.dropped
                },
                busy: out.utilization * length.seconds(),
                capacity: out.capacity_rps * length.seconds(),
                ttft_sum: out.mean_ttft_s.unwrap_or(0.0) * out.served,
                tpot_sum: out.mean_tpot_s.unwrap_or(0.0) * out.served,
                ttft_p: out.p99_ttft_s.unwrap_or(0.0),
                tpot_p,
                met: attained * out.slo_population,
                population: out.slo_population,
                tokens_in: out.served * service.input_tokens,
                tokens_out: out.served * service.output_tokens,
                preemptions: 0,
                lost: 0,
                moved: 0,
            },
            backlog_in,
            backlog_out: out.backlog_out.requests,
        };
        let tot = &mut s.totals;
        tot.arrived += out.arrived;
        tot.served += out.served;
        tot.dropped += out.dropped;
        tot.tokens_in += out.served * service.input_tokens;
        tot.tokens_out += out.served * service.output_tokens;
        tot.met += attained * out.slo_population;
        tot.population += out.slo_population;
        let u = out.utilization.clamp(0.0, 1.0);
        if u != s.load {
            s.load = u;
            for a in s.parts.iter().flatten() {
                world
                    .set_utilization(now, *a, u)
                    .expect("a service's allocation is live");
            }
        }
    }

    /// Brings service `i` to the replicas its demand wants.
    fn autoscale(&mut self, i: usize, now: SimTime, world: &mut World, training: &mut Training) {
        let service = &self.config.services[i];
        let speed = self.speed_of(i);
        let s = &self.states[i];
        let lambda = s.lambda + s.backlog.requests / self.config.epoch.seconds();
        // A copy's top rate at its replicas' speed under power caps.
        let mu_max = if speed < 1.0 {
            match &s.pools {
                Some(p) => {
                    let (decode, prefill) = (s.replica.slowed(speed), p.prefill.slowed(speed));
                    let mut m = disagg_model(&decode, p, service, s.copies, s.max_batch, 1.0);
                    m.prefill = &prefill;
                    m.service_rate(f64::from(s.max_batch))
                }
                None => s.replica.slowed(speed).max_service_rate(
                    service.input_tokens,
                    service.output_tokens,
                    u64::MAX,
                ),
            }
        } else {
            s.mu_max
        };
        let per_replica = mu_max * service.target_utilization;
        // A replica that can serve nothing (validation refuses requests
        // that do not fit its KV cache) is never worth adding.
        // Copies wanted, hosted `copies` to a replica.
        let wanted = if per_replica > 0.0 {
            ((lambda / per_replica).ceil() / f64::from(s.copies.max(1)))
                .ceil()
                .min(f64::from(u32::MAX)) as u32
        } else {
            service.min_replicas
        };
        let wanted = wanted.clamp(service.min_replicas, service.max_replicas);
        let have = s.ready + s.loading;
        if wanted > have {
            for _ in have..wanted {
                if !self.add_replica(i, now, world, Some(&mut *training)) {
                    break;
                }
            }
        } else {
            for _ in wanted..have {
                // Loading replicas go first, then the newest serving one.
                let Some(k) = self.newest(i) else { break };
                self.remove_replica(i, k, now, world);
            }
        }
    }

    /// The replica to give back first: the newest loading one, else the
    /// newest serving one (amortized O(1): stale stack entries are popped).
    fn newest(&mut self, i: usize) -> Option<usize> {
        let s = &mut self.states[i];
        while let Some(&(k, g)) = s.loading_stack.last() {
            let slot = &s.slots[k as usize];
            if slot.alive && !slot.ready && slot.generation == g {
                return Some(k as usize);
            }
            s.loading_stack.pop();
        }
        while let Some(&(k, g)) = s.ready_stack.last() {
            let slot = &s.slots[k as usize];
            if slot.alive && slot.ready && slot.generation == g {
                return Some(k as usize);
            }
            s.ready_stack.pop();
        }
        None
    }

    /// Places one more replica of service `i`, preempting training when it
    /// may and must; whether it found room.
    fn add_replica(
        &mut self,
        i: usize,
        now: SimTime,
        world: &mut World,
        training: Option<&mut Training>,
    ) -> bool {
        let service = &self.config.services[i];
        let model = RackTypeId(service.rack_type as u32);
        let needed = service.replica_domains as usize;
        let sites = self.world_config.sites.len();
        let mut placed = placement::place(world, sites, model, needed);
        if let (None, true, Some(training)) = (&placed, service.preempt_training, training) {
            'sites: for site in (0..sites as u32).map(SiteId) {
                if world.site_dark(site) {
                    // No chip there serves now: preempting would free none.
                    continue;
                }
                while world.capacity(site, model) < needed {
                    let Some(job) = training.preemptible(site, service.rack_type, service.priority)
                    else {
                        continue 'sites;
                    };
                    training.preempt(job, now, world);
                    self.states[i].interval.preemptions += 1;
                    self.states[i].totals.preemptions += 1;
                }
                placed = placement::pack_at(world, site, model, needed).map(|d| (site, d));
                break;
            }
        }
        let Some((site, domains)) = placed else {
            return false;
        };
        self.account(i, now);
        let load = self.states[i].load;
        let s = &mut self.states[i];
        match s.parts[site.index()] {
            Some(a) => world
                .extend(now, a, &domains)
                .expect("placement offers free domains of the service's site and model"),
            None => {
                let a = world
                    .allocate(now, &domains, load)
                    .expect("placement offers free domains of one site and model");
                s.parts[site.index()] = Some(a);
                self.by_allocation.insert(a.0, i as u32);
            }
        }
        let k = match s.free_slots.pop() {
            Some(k) => k as usize,
            None => {
                s.slots.push(Slot::default());
                s.slots.len() - 1
            }
        };
        let slot = &mut s.slots[k];
        slot.generation = slot.generation.wrapping_add(1);
        slot.alive = true;
        slot.ready = false;
        slot.site = site.0;
        slot.domains = domains;
        let generation = slot.generation;
        for d in &slot.domains {
            self.by_domain.insert(d.0, (i as u32, k as u32));
        }
        s.loading += 1;
        s.loading_stack.push((k as u32, generation));
        s.chips += u64::from(service.replica_chips);
        self.scheduled.push((
            now + service.scale_up_delay,
            Event::Ready {
                service: i as u32,
                replica: k as u32,
                generation,
            },
        ));
        true
    }

    /// Gives back replica `k` of service `i` at `now`.
    fn remove_replica(&mut self, i: usize, k: usize, now: SimTime, world: &mut World) {
        self.account(i, now);
        let replica_chips = u64::from(self.config.services[i].replica_chips);
        let s = &mut self.states[i];
        let slot = &mut s.slots[k];
        if !slot.alive {
            return;
        }
        slot.alive = false;
        slot.generation = slot.generation.wrapping_add(1);
        if slot.ready {
            s.ready -= 1;
            s.ready_at[slot.site as usize] -= 1;
        } else {
            s.loading -= 1;
        }
        slot.ready = false;
        s.chips -= replica_chips;
        let domains = std::mem::take(&mut slot.domains);
        let site = slot.site as usize;
        for d in &domains {
            self.by_domain.remove(&d.0);
        }
        let a = s.parts[site].expect("a live replica's site has an allocation");
        let held = world
            .allocation_len(a)
            .expect("a service's allocation is live");
        if held == domains.len() {
            world.release(now, a).expect("live allocation");
            s.parts[site] = None;
            self.by_allocation.remove(&a.0);
        } else {
            world
                .shrink(now, a, &domains)
                .expect("the replica's domains are held");
        }
        s.free_slots.push(k as u32);
        self.freed.push(SiteId(site as u32));
    }

    /// Records each service's row for the interval ending at `now` and
    /// starts the next interval.
    pub fn sample(&mut self, now: SimTime, recorder: &mut impl Recorder) {
        let timestamp = SharedText::from(self.run.calendar.format(now).as_str());
        for i in 0..self.states.len() {
            let s = &mut self.states[i];
            s.epoch.book(now, &mut s.interval);
            let t = std::mem::take(&mut s.interval);
            let per_s = |x: f64| if t.seconds > 0.0 { x / t.seconds } else { 0.0 };
            let per_served = |x: f64| if t.served > 0.0 { x / t.served } else { 0.0 };
            recorder.service(&ServiceRow {
                time_h: now.hours(),
                timestamp: timestamp.clone(),
                service: s.name.clone(),
                demand_rps: per_s(t.arrived),
                capacity_rps: per_s(t.capacity),
                served_rps: per_s(t.served),
                beyond_rps: per_s(t.beyond),
                backlog: s.epoch.backlog_at(now),
                replicas: s.ready,
                replicas_loading: s.loading,
                chips: s.chips,
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
