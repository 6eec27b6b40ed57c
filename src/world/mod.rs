//! The physical datacenter over time: sites, racks arriving on their
//! build-out schedule, power drawn against the grid, the network fabric, and
//! failures and repairs.
//!
//! [`World`] is the engine [`Handler`] of the physical model. It is built from
//! a validated [`Scenario`], schedules its own events and reports rows to a
//! [`Recorder`]. Everything it reports is kept incrementally: an event updates
//! the counters it touches (O(1), or O(nodes of one rack) for rack-wide
//! events, or O(racks of one phase) when a phase is commissioned or retired),
//! and a sample reads counters, so nothing loops over every chip or rack per
//! event or per sample.
//!
//! # Components and states
//!
//! A rack holds nodes (servers or compute trays), each holding chips. A node
//! is *healthy*, *awaiting a spare swap*, or *in repair*; a rack can lose
//! power (its healthy nodes are then unpowered, counted "in repair", and its
//! uplink is down); a site can go dark (outage). At every instant
//! `chips_online = chips_healthy + chips_failed + chips_in_repair`.
//!
//! # Build-out
//!
//! Each phase is delivered at its planned date plus a random delay, then
//! commissioned in build-out order once there is room under the grid: a
//! phase fits if the site's *committed* power — Σ nameplate IT power × design
//! (worst-month) PUE of its online racks — plus the phase's stays within
//! `grid × power_oversubscription`. A phase that does not fit waits
//! (`defer`, blocking the phases after it) until a grid upgrade or a
//! retirement makes room, or is dropped (`refuse`).
//!
//! # Failures
//!
//! See [`fleet`]: exponential classes use one superposed process per fleet;
//! Weibull classes one event per component. A failed node is swapped for a
//! spare of its rack model at its site if one is ready (after the swap time;
//! the broken node goes to repair and rejoins the spare pool), otherwise it
//! is repaired in place. Failures strike only components at risk: healthy,
//! powered nodes; powered racks; sites that are up. (Weibull clocks keep
//! running through power losses: a simplification.)

pub mod fabric;
pub mod fleet;
pub mod network;
pub mod power;

use std::collections::VecDeque;

use crate::catalog::failures::{Basis, FailureKind};
use crate::engine::{Engine, Handler, RngStreams, SimDuration, SimTime, StreamRng};
use crate::record::{BuildoutRow, CLASSES, FailureRow, Recorder, SampleRow, SummaryRow};
use crate::scenario::model::{GridFullPolicy, Lifetime, Scenario};
use crate::units::{BitsPerSecond, Watts};

use fleet::{Fleet, NOT_MEMBER, Scope, weibull_time_to_failure};
use network::Network;
use power::{EnergyTotals, SitePower};

/// Something that fails with its own Weibull clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A node, by id.
    Node(u32),
    /// A rack's power, by rack id.
    RackPower(u32),
    /// A rack's uplink, by rack id.
    Uplink(u32),
    /// A site, by index.
    Site(u32),
    /// An inter-site link, by index.
    Dci(u32),
}

/// The events of the physical model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// A phase's racks arrive at their site.
    Delivered {
        /// Site index.
        site: u32,
        /// Phase index within the site.
        phase: u32,
    },
    /// A site's grid connection changes.
    GridChange {
        /// Site index.
        site: u32,
        /// Index into the site's grid steps.
        step: u32,
    },
    /// A phase's racks reach their end of life.
    Retire {
        /// Site index.
        site: u32,
        /// Phase index within the site.
        phase: u32,
    },
    /// The next failure of a fleet (superposed exponential process).
    FleetFailure {
        /// Fleet index.
        fleet: u32,
        /// Fleet generation it was drawn for.
        generation: u32,
    },
    /// A Weibull failure of one component.
    WeibullFailure {
        /// The component.
        target: Target,
        /// Its class.
        kind: FailureKind,
        /// Component generation it was drawn for.
        generation: u32,
    },
    /// A spare has been swapped into a failed node's slot.
    SwapDone {
        /// Node id.
        node: u32,
        /// Node generation.
        generation: u32,
    },
    /// A node repaired in place.
    NodeRepaired {
        /// Node id.
        node: u32,
        /// Node generation.
        generation: u32,
    },
    /// A broken node sent to repair rejoins its spare pool.
    SpareRepaired {
        /// Pool index.
        pool: u32,
    },
    /// A rack's power is back.
    RackPowerRestored {
        /// Rack id.
        rack: u32,
        /// Rack power generation.
        generation: u32,
    },
    /// A rack's uplink is repaired.
    UplinkRepaired {
        /// Rack id.
        rack: u32,
        /// Rack uplink generation.
        generation: u32,
    },
    /// A site's outage ends.
    SiteRestored {
        /// Site index.
        site: u32,
        /// Site generation.
        generation: u32,
    },
    /// An inter-site link is restored.
    DciRepaired {
        /// Link index.
        link: u32,
        /// Link generation.
        generation: u32,
    },
    /// Top of the hour: prices, carbon intensity and PUE may change.
    HourTick,
    /// Record a timeseries sample.
    Sample,
}

/// A component's Weibull failure clock, to be drawn.
struct Clock {
    target: Target,
    kind: FailureKind,
    /// Failures per component-hour (mean time to failure = 1 / rate).
    rate: f64,
    law: Lifetime,
    /// Identical components whose first failure fails the target.
    count: u32,
}

/// A failure as the log reports it.
struct Outage {
    class: FailureKind,
    component: Component,
    chips_down: u64,
    remedy: &'static str,
    downtime: SimDuration,
    since: SimTime,
}

/// What failed; turned into text only when the failure log is on.
#[derive(Clone, Copy, Debug)]
enum Component {
    /// Node `index` of a rack.
    Node { rack: u32, index: u32 },
    /// A rack's power.
    Rack(u32),
    /// A rack's uplink.
    Uplink(u32),
    /// The site.
    Site,
    /// An inter-site link.
    Link(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NodeState {
    Healthy,
    AwaitingSwap,
    InRepair,
    Retired,
}

/// One rack, from commissioning on.
#[derive(Clone, Copy, Debug)]
struct Rack {
    site: u32,
    rack_type: u32,
    first_node: u32,
    power_down: bool,
    uplink_failed: bool,
    retired: bool,
    healthy_nodes: u32,
    power_generation: u32,
    uplink_generation: u32,
    power_since: SimTime,
    uplink_since: SimTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PhaseStatus {
    Pending,
    Commissioned,
    Refused,
}

#[derive(Clone, Debug)]
struct PhaseState {
    delivered: Option<SimTime>,
    commissioned: Option<SimTime>,
    first_rack: u32,
    status: PhaseStatus,
}

/// Per rack model: figures the handlers need, precomputed.
#[derive(Clone, Copy, Debug)]
struct TypeInfo {
    chips: u32,
    nodes: u32,
    chips_per_node: u32,
    idle: Watts,
    dynamic: Watts,
    overhead: Watts,
    nameplate: Watts,
    nic_per_chip: BitsPerSecond,
    /// Switch/cable rate per rack [1/h] and law.
    uplink: (f64, Lifetime),
    /// Rack power rate per rack [1/h] and law.
    rack_power: (f64, Lifetime),
}

/// Per rack model: the node failure classes.
#[derive(Clone, Debug, Default)]
struct NodeClasses {
    /// Exponential classes with their rate per node [1/h].
    exponential: Vec<(FailureKind, f64)>,
    /// Weibull classes: (class, rate per component [1/h], shape, components
    /// per node).
    weibull: Vec<(FailureKind, f64, f64, u32)>,
}

/// Per site: state and counters.
struct SiteState {
    power: SitePower,
    phases: Vec<PhaseState>,
    /// Phases not yet commissioned or refused, in build-out order.
    queue: VecDeque<usize>,
    /// Σ nameplate IT × design PUE of online racks [W].
    committed: Watts,
    racks_online: u32,
    racks_deferred: u32,
    racks_refused: u64,
    racks_commissioned: u64,
    chips_failed: u64,
    chips_repair: u64,
    chips_unpowered: u64,
    uplinks_down: u32,
    generation: u32,
    since: SimTime,
    failures: [u64; CLASSES],
    /// Totals and failure counts at the previous sample.
    last_totals: EnergyTotals,
    last_failures: [u64; CLASSES],
    /// Fleets by rack model: nodes, rack power, uplinks.
    fleets: Vec<Option<[usize; 3]>>,
    outage_fleet: usize,
    /// Spare pools by rack model: (ready, in repair).
    pools: Vec<(u64, u64)>,
    dirty: bool,
}

/// The physical model of a scenario, running on an [`Engine`].
pub struct World<'s, R: Recorder> {
    scenario: &'s Scenario,
    recorder: R,
    now: SimTime,
    types: Vec<TypeInfo>,
    node_classes: Vec<NodeClasses>,
    sites: Vec<SiteState>,
    racks: Vec<Rack>,
    node_state: Vec<NodeState>,
    node_generation: Vec<u32>,
    node_rack: Vec<u32>,
    node_since: Vec<SimTime>,
    /// Positions in fleets, by component id.
    node_pos: Vec<u32>,
    rack_power_pos: Vec<u32>,
    rack_uplink_pos: Vec<u32>,
    site_pos: Vec<u32>,
    dci_pos: Vec<u32>,
    fleets: Vec<Fleet>,
    dirty_fleets: Vec<usize>,
    dirty_sites: Vec<usize>,
    /// The fleet of each inter-site link.
    dci_fleets: Vec<usize>,
    dci_since: Vec<SimTime>,
    network: Network,
    streams: Vec<StreamRng>,
    buildout_rng: Vec<StreamRng>,
    /// Rates and laws of classes counted per site / per link.
    site_outage: (f64, Lifetime),
    dci_class: (f64, Lifetime),
    varying: bool,
    next_sample: SimTime,
    peak_chips_online: u64,
    peak_facility: Watts,
}

impl<'s, R: Recorder> World<'s, R> {
    /// Builds the world of `scenario` and schedules its first events.
    pub fn new(scenario: &'s Scenario, recorder: R, engine: &mut Engine<Event>) -> Self {
        let streams_root = RngStreams::new(scenario.seed);
        let class = |k: FailureKind| &scenario.failures[k.index()];
        let mut node_classes: Vec<NodeClasses> = Vec::new();
        let types: Vec<TypeInfo> = scenario
            .rack_types
            .iter()
            .map(|t| {
                let cpn = t.rack.chips_per_node();
                let chip_rate = |k: FailureKind| {
                    class(k).rate_per_hour.unwrap_or(match k {
                        FailureKind::Gpu => t.chip.gpu_failures_per_mhr / 1e6,
                        _ => t.chip.hbm_failures_per_mhr / 1e6,
                    })
                };
                let mut classes = NodeClasses::default();
                for k in [
                    FailureKind::Gpu,
                    FailureKind::Hbm,
                    FailureKind::Host,
                    FailureKind::Nic,
                ] {
                    let (rate, per) = match k.basis() {
                        Basis::Chip => (chip_rate(k), cpn),
                        _ => (class(k).rate_per_hour.unwrap_or(0.0), 1),
                    };
                    match class(k).lifetime {
                        Lifetime::Exponential => {
                            classes.exponential.push((k, rate * f64::from(per)))
                        }
                        Lifetime::Weibull { shape } => classes.weibull.push((k, rate, shape, per)),
                    }
                }
                node_classes.push(classes);
                let sc = class(FailureKind::SwitchCable);
                let rp = class(FailureKind::RackPower);
                TypeInfo {
                    chips: t.rack.chips,
                    nodes: t.rack.nodes,
                    chips_per_node: cpn,
                    idle: t.chip.idle,
                    dynamic: t.chip.tdp - t.chip.idle,
                    overhead: t.rack.overhead,
                    nameplate: t.nameplate(),
                    nic_per_chip: t.rack.scaleout_per_chip,
                    uplink: (
                        sc.rate_per_hour.unwrap_or(0.0) * f64::from(t.rack.chips),
                        sc.lifetime,
                    ),
                    rack_power: (rp.rate_per_hour.unwrap_or(0.0), rp.lifetime),
                }
            })
            .collect();
        let so = class(FailureKind::SiteOutage);
        let dl = class(FailureKind::DciLink);
        let site_outage = (so.rate_per_hour.unwrap_or(0.0), so.lifetime);
        let dci_class = (dl.rate_per_hour.unwrap_or(0.0), dl.lifetime);

        let mut streams = Vec::new();
        let mut fleets = Vec::new();
        let mut sites = Vec::new();
        let mut buildout_rng = Vec::new();
        for (si, site) in scenario.sites.iter().enumerate() {
            // Every fleet draws its failures and repairs from streams of its
            // own, named after it, so adding a rack model, a site or a link
            // never moves another fleet's luck (common random numbers).
            let mut pair = |name: &str| {
                streams.push(streams_root.stream(&format!("failures/{}/{name}", site.name)));
                streams.push(streams_root.stream(&format!("repairs/{}/{name}", site.name)));
                (streams.len() - 2, streams.len() - 1)
            };
            buildout_rng.push(streams_root.stream(&format!("buildout/{}", site.name)));
            let mut site_fleets = vec![None; types.len()];
            for (ti, fleet_slot) in site_fleets.iter_mut().enumerate() {
                if !site.phases.iter().any(|p| p.rack_type == ti) {
                    continue;
                }
                let t = &types[ti];
                let exp_only = |(rate, law): (f64, Lifetime), k: FailureKind| match law {
                    Lifetime::Exponential => vec![(k, rate)],
                    Lifetime::Weibull { .. } => Vec::new(),
                };
                let rack_name = &scenario.rack_types[ti].rack.name;
                fleets.push(Fleet::new(
                    Scope::Nodes,
                    Some(si),
                    pair(&format!("{rack_name}/nodes")),
                    node_classes[ti].exponential.clone(),
                ));
                fleets.push(Fleet::new(
                    Scope::RackPower,
                    Some(si),
                    pair(&format!("{rack_name}/rack_power")),
                    exp_only(t.rack_power, FailureKind::RackPower),
                ));
                fleets.push(Fleet::new(
                    Scope::Uplinks,
                    Some(si),
                    pair(&format!("{rack_name}/uplinks")),
                    exp_only(t.uplink, FailureKind::SwitchCable),
                ));
                let n = fleets.len();
                *fleet_slot = Some([n - 3, n - 2, n - 1]);
            }
            fleets.push(Fleet::new(
                Scope::Site,
                None,
                pair("outage"),
                match site_outage.1 {
                    Lifetime::Exponential => vec![(FailureKind::SiteOutage, site_outage.0)],
                    Lifetime::Weibull { .. } => Vec::new(),
                },
            ));
            let outage_fleet = fleets.len() - 1;
            let mut power = SitePower {
                grid: site.grid[0].1,
                cap: 1.0,
                ..Default::default()
            };
            power.pue = site.pue.in_month(scenario.calendar.month(SimTime::ZERO));
            power.price_usd_per_mwh = site.price.at(&scenario.calendar, SimTime::ZERO);
            power.carbon_kg_per_mwh = site.carbon.at(&scenario.calendar, SimTime::ZERO);
            sites.push(SiteState {
                power,
                phases: site
                    .phases
                    .iter()
                    .map(|_| PhaseState {
                        delivered: None,
                        commissioned: None,
                        first_rack: 0,
                        status: PhaseStatus::Pending,
                    })
                    .collect(),
                queue: (0..site.phases.len()).collect(),
                committed: Watts::ZERO,
                racks_online: 0,
                racks_deferred: 0,
                racks_refused: 0,
                racks_commissioned: 0,
                chips_failed: 0,
                chips_repair: 0,
                chips_unpowered: 0,
                uplinks_down: 0,
                generation: 0,
                since: SimTime::ZERO,
                failures: [0; CLASSES],
                last_totals: EnergyTotals::default(),
                last_failures: [0; CLASSES],
                fleets: site_fleets,
                outage_fleet,
                pools: vec![(0, 0); types.len()],
                dirty: false,
            });
        }
        // One fleet per inter-site link, each with its own streams.
        let mut dci_fleets = Vec::with_capacity(scenario.links.len());
        for (i, link) in scenario.links.iter().enumerate() {
            let name = format!(
                "link/{}-{}/{i}",
                scenario.sites[link.from].name, scenario.sites[link.to].name
            );
            streams.push(streams_root.stream(&format!("failures/{name}")));
            streams.push(streams_root.stream(&format!("repairs/{name}")));
            fleets.push(Fleet::new(
                Scope::Dci,
                None,
                (streams.len() - 2, streams.len() - 1),
                match dci_class.1 {
                    Lifetime::Exponential => vec![(FailureKind::DciLink, dci_class.0)],
                    Lifetime::Weibull { .. } => Vec::new(),
                },
            ));
            dci_fleets.push(fleets.len() - 1);
        }
        let network = Network::new(scenario.sites.len(), &scenario.links);
        let varying = scenario
            .sites
            .iter()
            .any(|s| s.pue.varies() || s.price.varies() || s.carbon.varies());

        let mut world = World {
            scenario,
            recorder,
            now: SimTime::ZERO,
            types,
            node_classes,
            sites,
            racks: Vec::new(),
            node_state: Vec::new(),
            node_generation: Vec::new(),
            node_rack: Vec::new(),
            node_since: Vec::new(),
            node_pos: Vec::new(),
            rack_power_pos: Vec::new(),
            rack_uplink_pos: Vec::new(),
            site_pos: vec![NOT_MEMBER; scenario.sites.len()],
            dci_pos: vec![NOT_MEMBER; scenario.links.len()],
            fleets,
            dirty_fleets: Vec::new(),
            dirty_sites: Vec::new(),
            dci_fleets,
            dci_since: vec![SimTime::ZERO; scenario.links.len()],
            network,
            streams,
            buildout_rng,
            site_outage,
            dci_class,
            varying,
            next_sample: SimTime::ZERO,
            peak_chips_online: 0,
            peak_facility: Watts::ZERO,
        };
        world.start(engine);
        world
    }

    /// Schedules deliveries, grid changes, the first sample and tick, and
    /// puts sites and links at risk of failure.
    fn start(&mut self, engine: &mut Engine<Event>) {
        let sc = self.scenario;
        for (si, site) in sc.sites.iter().enumerate() {
            for (pi, phase) in site.phases.iter().enumerate() {
                let delay = phase
                    .delay
                    .as_ref()
                    .map_or(SimDuration::ZERO, |d| d.sample(&mut self.buildout_rng[si]));
                self.schedule(
                    engine,
                    phase.planned + delay,
                    Event::Delivered {
                        site: si as u32,
                        phase: pi as u32,
                    },
                );
            }
            for (step, (at, _)) in site.grid.iter().enumerate().skip(1) {
                self.schedule(
                    engine,
                    *at,
                    Event::GridChange {
                        site: si as u32,
                        step: step as u32,
                    },
                );
            }
            self.site_up(engine, si);
        }
        for link in 0..sc.links.len() {
            self.dci_up(engine, link);
        }
        self.next_sample = (SimTime::ZERO + sc.sample_every).min(sc.end);
        engine
            .schedule_at(self.next_sample, Event::Sample)
            .expect("samples are in the future");
        if self.varying {
            self.schedule(
                engine,
                SimTime::ZERO + SimDuration::from_hours(1),
                Event::HourTick,
            );
        }
        self.settle(engine);
    }

    /// Schedules `event` at `at` if that is before the end of the run.
    fn schedule(&self, engine: &mut Engine<Event>, at: SimTime, event: Event) {
        if at < self.scenario.end {
            engine
                .schedule_at(at, event)
                .expect("the world never schedules in the past");
        }
    }

    /// Integrates a site's energy up to now and marks it for a power refresh.
    fn touch(&mut self, site: usize) {
        let s = &mut self.sites[site];
        s.power.advance(self.now, self.scenario.utilization);
        if !s.dirty {
            s.dirty = true;
            self.dirty_sites.push(site);
        }
    }

    fn mark_fleet(&mut self, fleet: usize) {
        if !self.fleets[fleet].dirty {
            self.fleets[fleet].dirty = true;
            self.dirty_fleets.push(fleet);
        }
    }

    /// Redraws the fleets and refreshes the sites the event changed.
    fn settle(&mut self, engine: &mut Engine<Event>) {
        for i in std::mem::take(&mut self.dirty_fleets) {
            let fleet = &mut self.fleets[i];
            fleet.dirty = false;
            fleet.generation = fleet.generation.wrapping_add(1);
            let suspended = fleet.site.is_some_and(|s| self.sites[s].power.dark);
            let next = fleet.draw_next(&mut self.streams[fleet.stream], suspended);
            let generation = fleet.generation;
            if let Some(dt) = next {
                self.schedule(
                    engine,
                    self.now + dt,
                    Event::FleetFailure {
                        fleet: i as u32,
                        generation,
                    },
                );
            }
        }
        for s in std::mem::take(&mut self.dirty_sites) {
            let site = &mut self.sites[s];
            site.dirty = false;
            site.power.refresh(self.scenario.utilization);
        }
    }

    /// Draws a repair time of class `kind` from `fleet`'s repair stream.
    fn draw_repair(&mut self, fleet: usize, kind: FailureKind) -> SimDuration {
        let stream = self.fleets[fleet].repair_stream;
        self.scenario.failures[kind.index()]
            .repair
            .sample(&mut self.streams[stream])
    }

    /// Schedules a Weibull failure of a component if its class has that law.
    fn schedule_weibull(
        &mut self,
        engine: &mut Engine<Event>,
        clock: Clock,
        generation: u32,
        stream: usize,
    ) {
        if let Lifetime::Weibull { shape } = clock.law
            && let Some(dt) =
                weibull_time_to_failure(clock.rate, shape, clock.count, &mut self.streams[stream])
        {
            self.schedule(
                engine,
                self.now + dt,
                Event::WeibullFailure {
                    target: clock.target,
                    kind: clock.kind,
                    generation,
                },
            );
        }
    }

    fn schedule_node_weibull(&mut self, engine: &mut Engine<Event>, node: u32) {
        let rack = &self.racks[self.node_rack[node as usize] as usize];
        let stream = self.fleets[self.fleets_of(rack)[0]].stream;
        let rack_type = rack.rack_type as usize;
        let generation = self.node_generation[node as usize];
        for i in 0..self.node_classes[rack_type].weibull.len() {
            let (kind, rate, shape, count) = self.node_classes[rack_type].weibull[i];
            self.schedule_weibull(
                engine,
                Clock {
                    target: Target::Node(node),
                    kind,
                    rate,
                    law: Lifetime::Weibull { shape },
                    count,
                },
                generation,
                stream,
            );
        }
    }

    fn fleets_of(&self, rack: &Rack) -> [usize; 3] {
        self.sites[rack.site as usize].fleets[rack.rack_type as usize]
            .expect("a fleet exists for every rack model of a site")
    }

    // ----- build-out -------------------------------------------------------

    fn nameplate_facility(&self, site: usize, rack_type: usize) -> Watts {
        self.types[rack_type].nameplate * self.scenario.sites[site].pue.design()
    }

    fn try_commission(&mut self, engine: &mut Engine<Event>, site: usize) {
        let spec = &self.scenario.sites[site];
        while let Some(&pi) = self.sites[site].queue.front() {
            if self.sites[site].phases[pi].delivered.is_none() {
                break;
            }
            let phase = &spec.phases[pi];
            let need = self.nameplate_facility(site, phase.rack_type) * f64::from(phase.count);
            let s = &self.sites[site];
            let limit = s.power.grid * spec.power_oversubscription;
            if (s.committed + need).0 <= limit.0 * (1.0 + 1e-12) {
                self.commission(engine, site, pi);
            } else if spec.when_grid_full == GridFullPolicy::Refuse {
                let s = &mut self.sites[site];
                s.phases[pi].status = PhaseStatus::Refused;
                s.racks_deferred -= phase.count;
                s.racks_refused += u64::from(phase.count);
            } else {
                break;
            }
            self.sites[site].queue.pop_front();
        }
    }

    fn commission(&mut self, engine: &mut Engine<Event>, site: usize, pi: usize) {
        self.touch(site);
        let phase = &self.scenario.sites[site].phases[pi];
        let ti = phase.rack_type;
        let t = self.types[ti];
        let [node_fleet, power_fleet, uplink_fleet] =
            self.sites[site].fleets[ti].expect("fleets exist for the site's rack models");
        let uplink_capacity =
            t.nic_per_chip * f64::from(t.chips) / self.scenario.sites[site].uplink_oversubscription;
        let first_rack = self.racks.len() as u32;
        let (power_stream, uplink_stream) = (
            self.fleets[power_fleet].stream,
            self.fleets[uplink_fleet].stream,
        );
        for _ in 0..phase.count {
            let rack_id = self.racks.len() as u32;
            let first_node = self.node_state.len() as u32;
            self.racks.push(Rack {
                site: site as u32,
                rack_type: ti as u32,
                first_node,
                power_down: false,
                uplink_failed: false,
                retired: false,
                healthy_nodes: t.nodes,
                power_generation: 0,
                uplink_generation: 0,
                power_since: self.now,
                uplink_since: self.now,
            });
            self.network.add_rack(uplink_capacity);
            self.rack_power_pos.push(NOT_MEMBER);
            self.rack_uplink_pos.push(NOT_MEMBER);
            self.fleets[power_fleet]
                .members
                .insert(rack_id, &mut self.rack_power_pos);
            self.fleets[uplink_fleet]
                .members
                .insert(rack_id, &mut self.rack_uplink_pos);
            for n in 0..t.nodes {
                let node = first_node + n;
                self.node_state.push(NodeState::Healthy);
                self.node_generation.push(0);
                self.node_rack.push(rack_id);
                self.node_since.push(self.now);
                self.node_pos.push(NOT_MEMBER);
                self.fleets[node_fleet]
                    .members
                    .insert(node, &mut self.node_pos);
                self.schedule_node_weibull(engine, node);
            }
            self.schedule_weibull(
                engine,
                Clock {
                    target: Target::RackPower(rack_id),
                    kind: FailureKind::RackPower,
                    rate: t.rack_power.0,
                    law: t.rack_power.1,
                    count: 1,
                },
                0,
                power_stream,
            );
            self.schedule_weibull(
                engine,
                Clock {
                    target: Target::Uplink(rack_id),
                    kind: FailureKind::SwitchCable,
                    rate: t.uplink.0,
                    law: t.uplink.1,
                    count: 1,
                },
                0,
                uplink_stream,
            );
        }
        for f in [node_fleet, power_fleet, uplink_fleet] {
            self.mark_fleet(f);
        }
        let count = phase.count;
        let chips = u64::from(t.chips) * u64::from(count);
        let need = self.nameplate_facility(site, ti) * f64::from(count);
        let s = &mut self.sites[site];
        s.power.chips_online += chips;
        s.power.add_available(chips, t.idle, t.dynamic);
        s.power.overhead += t.overhead * f64::from(count);
        s.committed += need;
        s.racks_online += count;
        s.racks_deferred -= count;
        s.racks_commissioned += u64::from(count);
        s.pools[ti].0 += u64::from(phase.spare_nodes);
        let ps = &mut s.phases[pi];
        ps.status = PhaseStatus::Commissioned;
        ps.commissioned = Some(self.now);
        ps.first_rack = first_rack;
        if let Some(eol) = phase.end_of_life {
            self.schedule(
                engine,
                self.now + eol,
                Event::Retire {
                    site: site as u32,
                    phase: pi as u32,
                },
            );
        }
    }

    fn retire(&mut self, engine: &mut Engine<Event>, site: usize, pi: usize) {
        self.touch(site);
        let phase = &self.scenario.sites[site].phases[pi];
        let ti = phase.rack_type;
        let t = self.types[ti];
        let [node_fleet, power_fleet, uplink_fleet] =
            self.sites[site].fleets[ti].expect("fleets exist");
        let first = self.sites[site].phases[pi].first_rack;
        let cpn = u64::from(t.chips_per_node);
        for r in first..first + phase.count {
            let rack = self.racks[r as usize];
            for node in rack.first_node..rack.first_node + t.nodes {
                let s = &mut self.sites[site];
                match self.node_state[node as usize] {
                    NodeState::Healthy if rack.power_down => s.chips_unpowered -= cpn,
                    NodeState::Healthy => {
                        s.power.remove_available(cpn, t.idle, t.dynamic);
                        self.fleets[node_fleet]
                            .members
                            .remove(node, &mut self.node_pos);
                    }
                    NodeState::AwaitingSwap => s.chips_failed -= cpn,
                    NodeState::InRepair => s.chips_repair -= cpn,
                    NodeState::Retired => {}
                }
                self.node_state[node as usize] = NodeState::Retired;
                self.node_generation[node as usize] += 1;
            }
            let s = &mut self.sites[site];
            if !rack.power_down {
                s.power.overhead -= t.overhead;
            }
            if rack.uplink_failed {
                s.uplinks_down -= 1;
            }
            self.fleets[power_fleet]
                .members
                .remove(r, &mut self.rack_power_pos);
            self.fleets[uplink_fleet]
                .members
                .remove(r, &mut self.rack_uplink_pos);
            self.network.set_rack_up(r as usize, false);
            let rack = &mut self.racks[r as usize];
            rack.retired = true;
            rack.power_generation += 1;
            rack.uplink_generation += 1;
        }
        for f in [node_fleet, power_fleet, uplink_fleet] {
            self.mark_fleet(f);
        }
        let need = self.nameplate_facility(site, ti) * f64::from(phase.count);
        let s = &mut self.sites[site];
        s.power.chips_online -= u64::from(t.chips) * u64::from(phase.count);
        s.racks_online -= phase.count;
        s.committed -= need;
        self.try_commission(engine, site);
    }

    // ----- failures ------------------------------------------------------

    fn log_failure(&mut self, site: usize, o: Outage) {
        self.sites[site].failures[o.class.index()] += 1;
        if !self.scenario.failures_log {
            return;
        }
        let rack_model = |r: u32| {
            self.scenario.rack_types[self.racks[r as usize].rack_type as usize]
                .rack
                .name
                .clone()
        };
        let (component, rack) = match o.component {
            Component::Node { rack, index } => {
                (format!("rack {rack} node {index}"), rack_model(rack))
            }
            Component::Rack(r) => (format!("rack {r}"), rack_model(r)),
            Component::Uplink(r) => (format!("rack {r} uplink"), rack_model(r)),
            Component::Site => ("site".to_string(), String::new()),
            Component::Link(l) => {
                let (from, to) = (self.network.dci[l].from, self.network.dci[l].to);
                let names = &self.scenario.sites;
                (
                    format!("link {}-{}", names[from].name, names[to].name),
                    String::new(),
                )
            }
        };
        let row = FailureRow {
            time_h: self.now.hours(),
            timestamp: self.scenario.calendar.format(self.now),
            site: self.scenario.sites[site].name.clone(),
            class: o.class,
            component,
            rack,
            chips_down: o.chips_down,
            remedy: o.remedy,
            downtime_h: o.downtime.hours(),
            age_h: self.now.since(o.since).hours(),
        };
        self.recorder.failure(&row);
    }

    fn fail_node(&mut self, engine: &mut Engine<Event>, node: u32, kind: FailureKind) {
        if self.node_state[node as usize] != NodeState::Healthy {
            return;
        }
        let r = self.node_rack[node as usize] as usize;
        let rack = self.racks[r];
        let site = rack.site as usize;
        let ti = rack.rack_type as usize;
        let t = self.types[ti];
        let cpn = u64::from(t.chips_per_node);
        self.touch(site);
        let [node_fleet, _, _] = self.fleets_of(&rack);
        let s = &mut self.sites[site];
        if rack.power_down {
            s.chips_unpowered -= cpn;
        } else {
            s.power.remove_available(cpn, t.idle, t.dynamic);
            self.fleets[node_fleet]
                .members
                .remove(node, &mut self.node_pos);
            self.mark_fleet(node_fleet);
        }
        self.racks[r].healthy_nodes -= 1;
        self.node_generation[node as usize] += 1;
        let generation = self.node_generation[node as usize];
        let repair = self.draw_repair(node_fleet, kind);
        let s = &mut self.sites[site];
        let (remedy, downtime) = if s.pools[ti].0 > 0 {
            s.pools[ti].0 -= 1;
            s.pools[ti].1 += 1;
            s.chips_failed += cpn;
            self.node_state[node as usize] = NodeState::AwaitingSwap;
            let swap = self.scenario.swap_time;
            self.schedule(
                engine,
                self.now + swap,
                Event::SwapDone { node, generation },
            );
            self.schedule(
                engine,
                self.now + repair,
                Event::SpareRepaired {
                    pool: (site * self.types.len() + ti) as u32,
                },
            );
            ("spare_swap", swap)
        } else {
            s.chips_repair += cpn;
            self.node_state[node as usize] = NodeState::InRepair;
            self.schedule(
                engine,
                self.now + repair,
                Event::NodeRepaired { node, generation },
            );
            ("repair_in_place", repair)
        };
        let index = node - rack.first_node;
        let since = self.node_since[node as usize];
        self.log_failure(
            site,
            Outage {
                class: kind,
                component: Component::Node {
                    rack: r as u32,
                    index,
                },
                chips_down: cpn,
                remedy,
                downtime,
                since,
            },
        );
    }

    fn node_back(&mut self, engine: &mut Engine<Event>, node: u32, generation: u32) {
        let state = self.node_state[node as usize];
        if self.node_generation[node as usize] != generation
            || !matches!(state, NodeState::AwaitingSwap | NodeState::InRepair)
        {
            return;
        }
        let r = self.node_rack[node as usize] as usize;
        let rack = self.racks[r];
        let site = rack.site as usize;
        let t = self.types[rack.rack_type as usize];
        let cpn = u64::from(t.chips_per_node);
        self.touch(site);
        let [node_fleet, _, _] = self.fleets_of(&rack);
        let s = &mut self.sites[site];
        match state {
            NodeState::AwaitingSwap => s.chips_failed -= cpn,
            _ => s.chips_repair -= cpn,
        }
        if rack.power_down {
            s.chips_unpowered += cpn;
        } else {
            s.power.add_available(cpn, t.idle, t.dynamic);
            self.fleets[node_fleet]
                .members
                .insert(node, &mut self.node_pos);
            self.mark_fleet(node_fleet);
        }
        self.racks[r].healthy_nodes += 1;
        self.node_state[node as usize] = NodeState::Healthy;
        self.node_generation[node as usize] += 1;
        self.node_since[node as usize] = self.now;
        self.schedule_node_weibull(engine, node);
    }

    fn fail_rack_power(&mut self, engine: &mut Engine<Event>, r: u32) {
        let rack = self.racks[r as usize];
        if rack.power_down || rack.retired {
            return;
        }
        let site = rack.site as usize;
        let t = self.types[rack.rack_type as usize];
        self.touch(site);
        let [node_fleet, power_fleet, _] = self.fleets_of(&rack);
        for node in rack.first_node..rack.first_node + t.nodes {
            if self.node_state[node as usize] == NodeState::Healthy {
                self.fleets[node_fleet]
                    .members
                    .remove(node, &mut self.node_pos);
            }
        }
        self.fleets[power_fleet]
            .members
            .remove(r, &mut self.rack_power_pos);
        self.mark_fleet(node_fleet);
        self.mark_fleet(power_fleet);
        let chips = u64::from(rack.healthy_nodes) * u64::from(t.chips_per_node);
        let s = &mut self.sites[site];
        s.power.remove_available(chips, t.idle, t.dynamic);
        s.power.overhead -= t.overhead;
        s.chips_unpowered += chips;
        let rack_mut = &mut self.racks[r as usize];
        rack_mut.power_down = true;
        rack_mut.power_generation += 1;
        let generation = rack_mut.power_generation;
        if !rack.uplink_failed {
            self.network.set_rack_up(r as usize, false);
        }
        let repair = self.draw_repair(power_fleet, FailureKind::RackPower);
        self.schedule(
            engine,
            self.now + repair,
            Event::RackPowerRestored {
                rack: r,
                generation,
            },
        );
        self.log_failure(
            site,
            Outage {
                class: FailureKind::RackPower,
                component: Component::Rack(r),
                chips_down: chips,
                remedy: "rack_repair",
                downtime: repair,
                since: rack.power_since,
            },
        );
    }

    fn restore_rack_power(&mut self, engine: &mut Engine<Event>, r: u32, generation: u32) {
        let rack = self.racks[r as usize];
        if rack.power_generation != generation || !rack.power_down || rack.retired {
            return;
        }
        let site = rack.site as usize;
        let t = self.types[rack.rack_type as usize];
        self.touch(site);
        let [node_fleet, power_fleet, _] = self.fleets_of(&rack);
        for node in rack.first_node..rack.first_node + t.nodes {
            if self.node_state[node as usize] == NodeState::Healthy {
                self.fleets[node_fleet]
                    .members
                    .insert(node, &mut self.node_pos);
            }
        }
        self.fleets[power_fleet]
            .members
            .insert(r, &mut self.rack_power_pos);
        self.mark_fleet(node_fleet);
        self.mark_fleet(power_fleet);
        let chips = u64::from(rack.healthy_nodes) * u64::from(t.chips_per_node);
        let s = &mut self.sites[site];
        s.power.add_available(chips, t.idle, t.dynamic);
        s.power.overhead += t.overhead;
        s.chips_unpowered -= chips;
        let stream = self.fleets[power_fleet].stream;
        let rack_mut = &mut self.racks[r as usize];
        rack_mut.power_down = false;
        rack_mut.power_generation += 1;
        rack_mut.power_since = self.now;
        let generation = rack_mut.power_generation;
        if !rack.uplink_failed {
            self.network.set_rack_up(r as usize, true);
        }
        self.schedule_weibull(
            engine,
            Clock {
                target: Target::RackPower(r),
                kind: FailureKind::RackPower,
                rate: t.rack_power.0,
                law: t.rack_power.1,
                count: 1,
            },
            generation,
            stream,
        );
    }

    fn fail_uplink(&mut self, engine: &mut Engine<Event>, r: u32) {
        let rack = self.racks[r as usize];
        if rack.uplink_failed || rack.retired {
            return;
        }
        let site = rack.site as usize;
        let [_, _, uplink_fleet] = self.fleets_of(&rack);
        self.fleets[uplink_fleet]
            .members
            .remove(r, &mut self.rack_uplink_pos);
        self.mark_fleet(uplink_fleet);
        self.sites[site].uplinks_down += 1;
        let rack_mut = &mut self.racks[r as usize];
        rack_mut.uplink_failed = true;
        rack_mut.uplink_generation += 1;
        let generation = rack_mut.uplink_generation;
        if !rack.power_down {
            self.network.set_rack_up(r as usize, false);
        }
        let repair = self.draw_repair(uplink_fleet, FailureKind::SwitchCable);
        self.schedule(
            engine,
            self.now + repair,
            Event::UplinkRepaired {
                rack: r,
                generation,
            },
        );
        self.log_failure(
            site,
            Outage {
                class: FailureKind::SwitchCable,
                component: Component::Uplink(r),
                chips_down: 0,
                remedy: "link_repair",
                downtime: repair,
                since: rack.uplink_since,
            },
        );
    }

    fn repair_uplink(&mut self, engine: &mut Engine<Event>, r: u32, generation: u32) {
        let rack = self.racks[r as usize];
        if rack.uplink_generation != generation || !rack.uplink_failed || rack.retired {
            return;
        }
        let site = rack.site as usize;
        let [_, _, uplink_fleet] = self.fleets_of(&rack);
        self.fleets[uplink_fleet]
            .members
            .insert(r, &mut self.rack_uplink_pos);
        self.mark_fleet(uplink_fleet);
        self.sites[site].uplinks_down -= 1;
        let stream = self.fleets[uplink_fleet].stream;
        let rack_mut = &mut self.racks[r as usize];
        rack_mut.uplink_failed = false;
        rack_mut.uplink_generation += 1;
        rack_mut.uplink_since = self.now;
        let generation = rack_mut.uplink_generation;
        if !rack.power_down {
            self.network.set_rack_up(r as usize, true);
        }
        let t = &self.types[rack.rack_type as usize];
        let (rate, law) = t.uplink;
        self.schedule_weibull(
            engine,
            Clock {
                target: Target::Uplink(r),
                kind: FailureKind::SwitchCable,
                rate,
                law,
                count: 1,
            },
            generation,
            stream,
        );
    }

    fn site_fleets(&self, site: usize) -> Vec<usize> {
        self.sites[site]
            .fleets
            .iter()
            .flatten()
            .flat_map(|f| f.iter().copied())
            .collect()
    }

    fn site_down(&mut self, engine: &mut Engine<Event>, site: usize) {
        if self.sites[site].power.dark {
            return;
        }
        self.touch(site);
        let outage_fleet = self.sites[site].outage_fleet;
        self.fleets[outage_fleet]
            .members
            .remove(site as u32, &mut self.site_pos);
        self.mark_fleet(outage_fleet);
        for f in self.site_fleets(site) {
            self.mark_fleet(f);
        }
        let s = &mut self.sites[site];
        s.power.dark = true;
        s.generation += 1;
        let generation = s.generation;
        let chips = s.power.chips_available;
        let since = s.since;
        let repair = self.draw_repair(outage_fleet, FailureKind::SiteOutage);
        self.schedule(
            engine,
            self.now + repair,
            Event::SiteRestored {
                site: site as u32,
                generation,
            },
        );
        self.log_failure(
            site,
            Outage {
                class: FailureKind::SiteOutage,
                component: Component::Site,
                chips_down: chips,
                remedy: "site_restore",
                downtime: repair,
                since,
            },
        );
    }

    /// Puts a site in service (at the start, or after an outage).
    fn site_up(&mut self, engine: &mut Engine<Event>, site: usize) {
        self.touch(site);
        let outage_fleet = self.sites[site].outage_fleet;
        self.fleets[outage_fleet]
            .members
            .insert(site as u32, &mut self.site_pos);
        self.mark_fleet(outage_fleet);
        for f in self.site_fleets(site) {
            self.mark_fleet(f);
        }
        let s = &mut self.sites[site];
        s.power.dark = false;
        s.generation += 1;
        s.since = self.now;
        let generation = s.generation;
        let stream = self.fleets[outage_fleet].stream;
        let (rate, law) = self.site_outage;
        self.schedule_weibull(
            engine,
            Clock {
                target: Target::Site(site as u32),
                kind: FailureKind::SiteOutage,
                rate,
                law,
                count: 1,
            },
            generation,
            stream,
        );
    }

    fn dci_down(&mut self, engine: &mut Engine<Event>, link: usize) {
        if self.network.dci[link].failed {
            return;
        }
        let fleet = self.dci_fleets[link];
        self.fleets[fleet]
            .members
            .remove(link as u32, &mut self.dci_pos);
        self.mark_fleet(fleet);
        self.network.set_dci_up(link, false);
        let l = &mut self.network.dci[link];
        l.failed = true;
        l.generation += 1;
        let (generation, from) = (l.generation, l.from);
        let repair = self.draw_repair(fleet, FailureKind::DciLink);
        self.schedule(
            engine,
            self.now + repair,
            Event::DciRepaired {
                link: link as u32,
                generation,
            },
        );
        let since = self.dci_since[link];
        self.log_failure(
            from,
            Outage {
                class: FailureKind::DciLink,
                component: Component::Link(link),
                chips_down: 0,
                remedy: "link_repair",
                downtime: repair,
                since,
            },
        );
    }

    /// Puts an inter-site link in service (at the start, or after a cut).
    fn dci_up(&mut self, engine: &mut Engine<Event>, link: usize) {
        let fleet = self.dci_fleets[link];
        self.fleets[fleet]
            .members
            .insert(link as u32, &mut self.dci_pos);
        self.mark_fleet(fleet);
        self.network.set_dci_up(link, true);
        let l = &mut self.network.dci[link];
        l.failed = false;
        l.generation += 1;
        let generation = l.generation;
        self.dci_since[link] = self.now;
        let stream = self.fleets[fleet].stream;
        let (rate, law) = self.dci_class;
        self.schedule_weibull(
            engine,
            Clock {
                target: Target::Dci(link as u32),
                kind: FailureKind::DciLink,
                rate,
                law,
                count: 1,
            },
            generation,
            stream,
        );
    }

    fn fleet_failure(&mut self, engine: &mut Engine<Event>, i: usize, generation: u32) {
        let fleet = &self.fleets[i];
        if fleet.generation != generation {
            return;
        }
        let rng = &mut self.streams[fleet.stream];
        let kind = fleet.draw_class(rng);
        let Some(member) = fleet.members.pick(rng) else {
            return;
        };
        let scope = fleet.scope;
        // The pending draw is used up: draw the next one after this event.
        self.mark_fleet(i);
        match scope {
            Scope::Nodes => self.fail_node(engine, member, kind),
            Scope::RackPower => self.fail_rack_power(engine, member),
            Scope::Uplinks => self.fail_uplink(engine, member),
            Scope::Site => self.site_down(engine, member as usize),
            Scope::Dci => self.dci_down(engine, member as usize),
        }
    }

    fn weibull_failure(
        &mut self,
        engine: &mut Engine<Event>,
        target: Target,
        kind: FailureKind,
        generation: u32,
    ) {
        match target {
            Target::Node(n) => {
                if self.node_generation[n as usize] == generation {
                    self.fail_node(engine, n, kind);
                }
            }
            Target::RackPower(r) => {
                if self.racks[r as usize].power_generation == generation {
                    self.fail_rack_power(engine, r);
                }
            }
            Target::Uplink(r) => {
                if self.racks[r as usize].uplink_generation == generation {
                    self.fail_uplink(engine, r);
                }
            }
            Target::Site(s) => {
                if self.sites[s as usize].generation == generation {
                    self.site_down(engine, s as usize);
                }
            }
            Target::Dci(l) => {
                if self.network.dci[l as usize].generation == generation {
                    self.dci_down(engine, l as usize);
                }
            }
        }
    }

    // ----- calendar and samples --------------------------------------------

    fn hour_tick(&mut self, engine: &mut Engine<Event>) {
        let sc = self.scenario;
        let month = sc.calendar.month(self.now);
        for (i, spec) in sc.sites.iter().enumerate() {
            if !(spec.pue.varies() || spec.price.varies() || spec.carbon.varies()) {
                continue;
            }
            self.touch(i);
            let p = &mut self.sites[i].power;
            p.pue = spec.pue.in_month(month);
            p.price_usd_per_mwh = spec.price.at(&sc.calendar, self.now);
            p.carbon_kg_per_mwh = spec.carbon.at(&sc.calendar, self.now);
        }
        self.schedule(
            engine,
            self.now + SimDuration::from_hours(1),
            Event::HourTick,
        );
    }

    fn sample(&mut self, engine: &mut Engine<Event>) {
        let sc = self.scenario;
        let timestamp = sc.calendar.format(self.now);
        let mut chips_online = 0;
        let mut facility = Watts::ZERO;
        let mut dci_down = vec![0u32; self.sites.len()];
        for l in &self.network.dci {
            if l.failed {
                dci_down[l.from] += 1;
            }
        }
        for (i, dci_down) in dci_down.into_iter().enumerate() {
            self.touch(i);
            let s = &mut self.sites[i];
            let interval = s.power.totals.since(&s.last_totals);
            let mut failures = [0; CLASSES];
            for (k, f) in failures.iter_mut().enumerate() {
                *f = s.failures[k] - s.last_failures[k];
            }
            s.last_totals = s.power.totals;
            s.last_failures = s.failures;
            let dark = s.power.dark;
            let available = s.power.chips_available;
            // The refresh of dirty sites happens after the event, so this
            // reads the power in force since the last change.
            let row = SampleRow {
                time_h: self.now.hours(),
                timestamp: timestamp.clone(),
                site: sc.sites[i].name.clone(),
                racks_online: s.racks_online,
                racks_deferred: s.racks_deferred,
                chips_online: s.power.chips_online,
                chips_healthy: if dark { 0 } else { available },
                chips_failed: s.chips_failed,
                chips_in_repair: s.chips_repair
                    + s.chips_unpowered
                    + if dark { available } else { 0 },
                spare_nodes: s.pools.iter().map(|p| p.0).sum(),
                links_down: s.uplinks_down + dci_down,
                grid_mw: s.power.grid.mw(),
                it_power_mw: s.power.it.mw(),
                facility_power_mw: s.power.facility().mw(),
                pue: s.power.pue,
                power_cap_factor: s.power.cap,
                it_energy_mwh: interval.it.mwh(),
                energy_mwh: interval.facility.mwh(),
                energy_cost_usd: interval.cost.0,
                carbon_tco2e: interval.carbon.tonnes(),
                throttled_chip_hours: interval.throttled_chip_hours,
                throttle_lost_chip_hours: interval.lost_chip_hours,
                failures,
            };
            chips_online += row.chips_online;
            facility += s.power.facility();
            self.recorder.sample(&row);
        }
        self.peak_chips_online = self.peak_chips_online.max(chips_online);
        self.peak_facility = self.peak_facility.max(facility);
        if self.now < sc.end {
            self.next_sample = (self.now + sc.sample_every).min(sc.end);
            engine
                .schedule_at(self.next_sample, Event::Sample)
                .expect("samples move forward");
        }
    }

    /// Reports the build-out and the summary, and hands back the recorder
    /// with the summary. Call once the engine has run to the end.
    pub fn finish(mut self, engine: &Engine<Event>) -> (R, SummaryRow) {
        let sc = self.scenario;
        let cal = &sc.calendar;
        for (si, spec) in sc.sites.iter().enumerate() {
            for (pi, phase) in spec.phases.iter().enumerate() {
                let st = &self.sites[si].phases[pi];
                let t = &self.types[phase.rack_type];
                let date =
                    |t: Option<SimTime>| t.map(|t| cal.date(t).to_string()).unwrap_or_default();
                let status = match (st.status, st.delivered) {
                    (PhaseStatus::Commissioned, _) => "commissioned",
                    (PhaseStatus::Refused, _) => "refused",
                    (PhaseStatus::Pending, Some(_)) => "deferred",
                    (PhaseStatus::Pending, None) => "not_delivered",
                };
                let waited = match (st.delivered, st.commissioned) {
                    (Some(d), Some(c)) => c.since(d),
                    (Some(d), None) if st.status == PhaseStatus::Pending => sc.end.since(d),
                    _ => SimDuration::ZERO,
                };
                let row = BuildoutRow {
                    site: spec.name.clone(),
                    phase: pi,
                    rack: sc.rack_types[phase.rack_type].rack.name.clone(),
                    racks: phase.count,
                    chips: u64::from(t.chips) * u64::from(phase.count),
                    planned: cal.date(phase.planned).to_string(),
                    delivered: date(st.delivered),
                    commissioned: date(st.commissioned),
                    status,
                    deferred_days: waited.hours() / 24.0,
                    nameplate_mw: (self.nameplate_facility(si, phase.rack_type)
                        * f64::from(phase.count))
                    .mw(),
                };
                self.recorder.buildout(&row);
            }
        }
        let mut totals = EnergyTotals::default();
        let mut failures = [0u64; CLASSES];
        for s in &self.sites {
            let t = &s.power.totals;
            totals.it += t.it;
            totals.facility += t.facility;
            totals.cost += t.cost;
            totals.carbon += t.carbon;
            totals.throttled_chip_hours += t.throttled_chip_hours;
            totals.lost_chip_hours += t.lost_chip_hours;
            totals.online_chip_hours += t.online_chip_hours;
            totals.healthy_chip_hours += t.healthy_chip_hours;
            for (k, f) in failures.iter_mut().enumerate() {
                *f += s.failures[k];
            }
        }
        let summary = SummaryRow {
            scenario: sc.name.clone(),
            seed: sc.seed,
            sites: sc.sites.len(),
            start: cal.start().to_string(),
            end: cal.date(sc.end).to_string(),
            hours: sc.end.hours(),
            racks_commissioned: self.sites.iter().map(|s| s.racks_commissioned).sum(),
            racks_refused: self.sites.iter().map(|s| s.racks_refused).sum(),
            racks_deferred_at_end: self.sites.iter().map(|s| u64::from(s.racks_deferred)).sum(),
            peak_chips_online: self.peak_chips_online,
            chips_online_at_end: self.sites.iter().map(|s| s.power.chips_online).sum(),
            availability: if totals.online_chip_hours > 0.0 {
                totals.healthy_chip_hours / totals.online_chip_hours
            } else {
                0.0
            },
            it_energy_mwh: totals.it.mwh(),
            energy_mwh: totals.facility.mwh(),
            peak_facility_mw: self.peak_facility.mw(),
            energy_cost_usd: totals.cost.0,
            carbon_tco2e: totals.carbon.tonnes(),
            throttled_chip_hours: totals.throttled_chip_hours,
            throttle_lost_chip_hours: totals.lost_chip_hours,
            failures,
            events: engine.events_processed(),
        };
        self.recorder.summary(&summary);
        (self.recorder, summary)
    }

    /// The network, for workloads that place flows on it.
    pub fn network(&mut self) -> &mut Network {
        &mut self.network
    }
}

impl<R: Recorder> Handler<Event> for World<'_, R> {
    fn handle(&mut self, engine: &mut Engine<Event>, event: Event) {
        self.now = engine.now();
        match event {
            Event::Delivered { site, phase } => {
                let s = &mut self.sites[site as usize];
                s.phases[phase as usize].delivered = Some(self.now);
                s.racks_deferred += self.scenario.sites[site as usize].phases[phase as usize].count;
                self.try_commission(engine, site as usize);
            }
            Event::GridChange { site, step } => {
                let site = site as usize;
                self.touch(site);
                self.sites[site].power.grid = self.scenario.sites[site].grid[step as usize].1;
                self.try_commission(engine, site);
            }
            Event::Retire { site, phase } => self.retire(engine, site as usize, phase as usize),
            Event::FleetFailure { fleet, generation } => {
                self.fleet_failure(engine, fleet as usize, generation)
            }
            Event::WeibullFailure {
                target,
                kind,
                generation,
            } => self.weibull_failure(engine, target, kind, generation),
            Event::SwapDone { node, generation } | Event::NodeRepaired { node, generation } => {
                self.node_back(engine, node, generation)
            }
            Event::SpareRepaired { pool } => {
                let (site, ti) = (
                    pool as usize / self.types.len(),
                    pool as usize % self.types.len(),
                );
                let p = &mut self.sites[site].pools[ti];
                p.1 -= 1;
                p.0 += 1;
            }
            Event::RackPowerRestored { rack, generation } => {
                self.restore_rack_power(engine, rack, generation)
            }
            Event::UplinkRepaired { rack, generation } => {
                self.repair_uplink(engine, rack, generation)
            }
            Event::SiteRestored { site, generation } => {
                if self.sites[site as usize].generation == generation
                    && self.sites[site as usize].power.dark
                {
                    self.site_up(engine, site as usize);
                }
            }
            Event::DciRepaired { link, generation } => {
                let l = &self.network.dci[link as usize];
                if l.generation == generation && l.failed {
                    self.dci_up(engine, link as usize);
                }
            }
            Event::HourTick => self.hour_tick(engine),
            Event::Sample => self.sample(engine),
        }
        self.settle(engine);
    }
}
