//! The physical datacenter over time: sites, racks arriving on their
//! build-out schedule, power drawn against the grid, the network fabric, and
//! failures and repairs — and the workload API it offers.
//!
//! # How the pieces fit
//!
//! | file | owns |
//! |---|---|
//! | [`topology`] | typed ids; racks, scale-up domains and nodes, and how they nest |
//! | [`buildout`] | phases delivered, admitted under the grid, commissioned, retired |
//! | [`failures`] | every failing part (node, rack power, uplink, site, link) in one table: failure, repair, the failure log |
//! | [`cohort`] | the failure laws: superposed exponential cohorts, Weibull clocks |
//! | [`spares`] | spare pools per site and rack model |
//! | [`power`] | a site's power, energy, cost, carbon and power cap |
//! | [`network`], [`fabric`] | links, routes and max-min fair flow rates |
//! | [`workload_api`] | what workloads see: capacity, notices, commands |
//! | [`rows`] | the rows the world reports: samples, build-out, summary |
//!
//! [`World`] is driven by the composition root ([`crate::sim`]): it hands
//! the world one [`Event`] at a time with [`World::handle`], then collects
//! what the world asked for — events to schedule
//! ([`World::drain_scheduled`]), failure rows to record
//! ([`World::drain_failure_rows`]) and notices for the workloads
//! ([`World::drain_notices`]). The world never sees the engine, the recorder
//! or a workload.
//!
//! Everything the world reports is kept incrementally: an event updates the
//! counters it touches (O(1), or O(nodes of one rack) for rack-wide events,
//! or O(racks of one phase) when a phase is commissioned or retired), and a
//! sample reads counters, so nothing loops over every chip or rack per event
//! or per sample.
//!
//! # Components and states
//!
//! A rack holds scale-up domains, each holding nodes (servers or compute
//! trays), each holding chips. A node is *healthy*, *awaiting a spare swap*,
//! or *in repair*; a rack can lose power (its healthy nodes are then
//! unpowered, counted "in repair", and its uplink is down); a site can go dark
//! (outage). At every instant
//! `chips_online = chips_healthy + chips_failed + chips_in_repair +
//! chips_maintenance` (the last, healthy chips of racks dark for planned
//! maintenance, is 0 without `[[maintenance]]`).
//!
//! # Build-out
//!
//! Each phase is delivered at its planned date plus a random delay, then
//! commissioned in build-out order once there is room under the grid: a
//! phase fits if the site's *committed* power — Σ nameplate IT power × design
//! (worst-month) PUE of its online racks — plus the phase's stays within
//! `grid × power_oversubscription`, and its idle floor (overhead + idle
//! draw, × design PUE) stays within the grid itself. A phase that does not
//! fit waits (`defer`, blocking the phases after it) until a grid upgrade or
//! a retirement makes room, or is dropped (`refuse`). See [`buildout`].
//!
//! # Failures
//!
//! See [`failures`] and [`cohort`]: exponential classes use one superposed
//! process per cohort; Weibull classes one event per component. A failed node
//! is swapped for a spare of its rack model at its site if one is ready
//! (after the swap time; the broken node goes to repair and rejoins the spare
//! pool), otherwise it is repaired in place. Failures strike only components
//! at risk: healthy, powered nodes; powered racks and their uplinks; sites
//! and links that are up. Weibull clocks stand still while their rack is
//! dark (its power down, a maintenance window, its site's outage; see
//! `clocks`).

pub mod buildout;
mod clocks;
pub mod cohort;
pub mod config;
pub mod fabric;
pub mod failures;
pub mod maintenance;
pub mod network;
pub mod power;
mod rackbits;
pub mod rows;
pub mod spares;
pub mod topology;
pub mod workload_api;

use std::collections::VecDeque;

use crate::catalog::failures::{Basis, FailureKind};
use crate::engine::{RngStreams, SimDuration, SimTime, StreamRng};
use crate::record::{CLASSES, FailureRow, RackSample, SharedText};
use crate::run::RunConfig;
use crate::units::Watts;
use crate::world::config::{Config, Lifetime};

use buildout::PhaseState;
use cohort::{Cohort, RackCohorts, Scope};
use failures::PartTable;
use network::Network;
use power::{EnergyTotals, ModelCapacity, SitePower};
use spares::SparePools;
use topology::{NodeClasses, Topology, TypeInfo, milliwatts};
use workload_api::{Allocation, Notice};

pub use failures::Target;
pub use topology::{DomainId, RackId, RackTypeId, SiteId};

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
    /// The next failure of a cohort (superposed exponential process).
    CohortFailure {
        /// Cohort index.
        cohort: u32,
        /// Cohort generation it was drawn for.
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
    /// A failed component is back in service: a node repaired in place or
    /// replaced by a spare, a rack's power or uplink, a site, a link.
    Restored {
        /// The component.
        target: Target,
        /// Component generation it was scheduled for.
        generation: u32,
    },
    /// A broken node sent to repair rejoins its spare pool.
    SpareRepaired {
        /// Pool index.
        pool: u32,
    },
    /// Top of the hour: prices, carbon intensity and PUE may change.
    HourTick,
    /// A planned maintenance window opens: its racks are drained and
    /// powered off.
    MaintenanceStart {
        /// Position in the scenario's `[[maintenance]]`.
        window: u32,
    },
    /// A planned maintenance window closes: its racks are powered on.
    MaintenanceEnd {
        /// Position in the scenario's `[[maintenance]]`.
        window: u32,
    },
}

/// Per site: state and counters.
struct SiteState {
    power: SitePower,
    phases: Vec<PhaseState>,
    /// Phases not yet commissioned or refused, in build-out order.
    queue: VecDeque<usize>,
    /// Σ nameplate IT × design PUE of online racks [W].
    committed: Watts,
    /// Σ (overhead + idle) × design PUE of online racks [W]: the draw no
    /// cap can remove.
    floor: Watts,
    racks_online: u32,
    racks_deferred: u32,
    racks_refused: u64,
    racks_commissioned: u64,
    chips_failed: u64,
    chips_repair: u64,
    chips_unpowered: u64,
    uplinks_down: u32,
    /// Inter-site links counted at this site (as their `from` end) that are
    /// down.
    dci_down: u32,
    failures: [u64; CLASSES],
    /// Totals, failure counts and rack-model figures at the previous
    /// sample.
    last_totals: EnergyTotals,
    last_models: Vec<ModelCapacity>,
    /// The site's rows of its rack models (one per model of `power`), lent
    /// to each sample row.
    racks: Vec<RackSample>,
    last_failures: [u64; CLASSES],
    /// Cohorts by rack model: nodes, rack power, uplinks.
    cohorts: Vec<Option<RackCohorts>>,
    outage_cohort: usize,
    dirty: bool,
}

/// The physical model of a scenario.
pub struct World<'s> {
    /// The run's settings: seed, calendar, end.
    run: &'s RunConfig,
    /// The world's configuration: rack models, sites, links, failures.
    config: &'s Config,
    now: SimTime,
    topo: Topology,
    node_classes: Vec<NodeClasses>,
    sites: Vec<SiteState>,
    /// Generation, since and cohort position of every failing part, by
    /// [`Scope`].
    parts: [PartTable; 5],
    cohorts: Vec<Cohort>,
    dirty_cohorts: Vec<usize>,
    dirty_sites: Vec<usize>,
    /// The cohort of each inter-site link.
    dci_cohorts: Vec<usize>,
    network: Network,
    streams: Vec<StreamRng>,
    buildout_rng: Vec<StreamRng>,
    /// Rates and laws of classes counted per site / per link.
    site_outage: (f64, Lifetime),
    dci_class: (f64, Lifetime),
    varying: bool,
    spares: SparePools,
    /// The number of free healthy domains by (site, rack model) pool index
    /// (which domains: [`topology::Domain::free`]).
    free: Vec<usize>,
    /// By pool, by count `c` of free domains: the racks with exactly `c`
    /// free healthy domains, in rack id order (index 0 unused).
    free_racks: Vec<Vec<rackbits::RackBits>>,
    /// By pool: bit `c % 64` of word `c / 64` is set when some rack has
    /// exactly `c` free healthy domains (its set in `free_racks` is not
    /// empty), so placement finds the next count with racks in O(1).
    free_counts: Vec<Vec<u64>>,
    /// By rack: its free healthy domains.
    rack_free: Vec<u32>,
    /// Scratch: (rack, change of its free count) runs of one command.
    rack_moves: Vec<(u32, i32)>,
    /// By allocation id (ids are never reused): the live ones, each in a
    /// block of its own so that a released one gives its memory back (a
    /// year of 40 Frontiers makes about 620,000; inline, their slots alone
    /// took 80 MB).
    allocations: Vec<Option<Allocation>>,
    /// Events the world asked for, to be scheduled by the caller in order.
    scheduled: Vec<(SimTime, Event)>,
    notices: Vec<Notice>,
    /// Whether anyone reads the notices (else they are not made).
    listening: bool,
    log: Vec<FailureRow>,
    /// Maintenance windows opened since the last drain, for
    /// `maintenance.csv`.
    maintenance_log: Vec<crate::record::MaintenanceRow>,
    /// By maintenance window: where its next opening starts in its racks
    /// (rolling), and the racks its current opening darkened.
    maintenance_cursor: Vec<usize>,
    maintenance_dark: Vec<Vec<u32>>,
    /// By node, rack power and uplink (each by id, grown on use): the
    /// first of its pending Weibull clocks (when it strikes, its class),
    /// to stop it while its rack is dark (see `clocks`).
    clock_due: [Vec<Option<clocks::ClockDue>>; 3],
    /// Parts whose Weibull clock stands still while their rack is dark:
    /// the time it had left and its class.
    paused_clocks: std::collections::BTreeMap<Target, (SimDuration, FailureKind)>,
    peak_chips_online: u64,
    peak_facility: Watts,
    /// Site names, shared by every sample row.
    site_names: Vec<SharedText>,
}

/// A site's power at time zero: its first grid connection, uncapped, the
/// background utilization, the PUE, price and carbon intensity in force,
/// and its rack models tracked (of `models` in all).
fn site_power(run: &RunConfig, utilization: f64, site: &config::Site, models: usize) -> SitePower {
    let mut power = SitePower::default();
    power.grid = site.grid[0].1;
    power.cap = 1.0;
    power.background = utilization;
    power.pue = site.pue.in_month(run.calendar.month(SimTime::ZERO));
    power.price_usd_per_mwh = site.price.at(&run.calendar, SimTime::ZERO);
    power.carbon_kg_per_mwh = site.carbon.at(&run.calendar, SimTime::ZERO);
    power.track_models(models, site.phases.iter().map(|p| p.rack_type));
    power
}

/// One failure cohort per inter-site link of `config`, each drawing from
/// streams of its own (pushed onto `streams`; the cohorts onto `cohorts`),
/// exponential only (`class`: the dci_link rate and law); their indices.
fn link_cohorts(
    config: &Config,
    streams_root: &RngStreams,
    streams: &mut Vec<StreamRng>,
    cohorts: &mut Vec<Cohort>,
    (rate, law): (f64, Lifetime),
) -> Vec<usize> {
    let mut dci_cohorts = Vec::with_capacity(config.links.len());
    for (i, link) in config.links.iter().enumerate() {
        let name = format!(
            "link/{}-{}/{i}",
            config.sites[link.from].name, config.sites[link.to].name
        );
        streams.push(streams_root.stream(&format!("failures/{name}")));
        streams.push(streams_root.stream(&format!("repairs/{name}")));
        let classes = match law {
            Lifetime::Exponential => vec![(FailureKind::DciLink, rate)],
            Lifetime::Weibull { .. } => Vec::new(),
        };
        cohorts.push(Cohort::new(
            Scope::Dci,
            None,
            (streams.len() - 2, streams.len() - 1),
            classes,
        ));
        dci_cohorts.push(cohorts.len() - 1);
    }
    dci_cohorts
}

impl SiteState {
    /// A site before its first event: nothing delivered, its power at
    /// time zero, its rack models' sample rows at zero.
    fn new(
        site: &config::Site,
        power: SitePower,
        cohorts: Vec<Option<RackCohorts>>,
        outage_cohort: usize,
        rack_names: &[SharedText],
        chip_names: &[SharedText],
    ) -> SiteState {
        SiteState {
            phases: site.phases.iter().map(|_| PhaseState::default()).collect(),
            queue: (0..site.phases.len()).collect(),
            committed: Watts::ZERO,
            floor: Watts::ZERO,
            racks_online: 0,
            racks_deferred: 0,
            racks_refused: 0,
            racks_commissioned: 0,
            chips_failed: 0,
            chips_repair: 0,
            chips_unpowered: 0,
            uplinks_down: 0,
            dci_down: 0,
            failures: [0; CLASSES],
            last_totals: EnergyTotals::default(),
            last_models: power.models().to_vec(),
            racks: power
                .models()
                .iter()
                .map(|m| RackSample {
                    rack_type: m.rack_type,
                    rack: rack_names[m.rack_type].clone(),
                    chip: chip_names[m.rack_type].clone(),
                    racks_online: 0,
                    chips_online: 0,
                    it_nameplate_mw: 0.0,
                    online_chip_hours: 0.0,
                    healthy_chip_hours: 0.0,
                    held_chip_hours: 0.0,
                })
                .collect(),
            last_failures: [0; CLASSES],
            cohorts,
            outage_cohort,
            power,
            dirty: false,
        }
    }
}

/// What the world keeps of each rack model of `config`, and the failure
/// classes that take one of its nodes down: gpu, hbm, gpu_other per chip;
/// host, nic per node, superposed in report order, at the model's resolved
/// rates ([`config::RackType::failure_rates`]).
fn rack_models(config: &Config) -> (Vec<TypeInfo>, Vec<NodeClasses>) {
    let class = |k: FailureKind| &config.failures[k.index()];
    let mut node_classes: Vec<NodeClasses> = Vec::new();
    let types: Vec<TypeInfo> = config
        .rack_types
        .iter()
        .map(|t| {
            let cpn = t.rack.chips_per_node();
            let rate = |k: FailureKind| t.failure_rates[k.index()];
            let mut classes = NodeClasses::default();
            for k in FailureKind::ALL
                .into_iter()
                .filter(|k| matches!(k.basis(), Basis::Chip | Basis::Node))
            {
                let per = if k.basis() == Basis::Chip { cpn } else { 1 };
                match class(k).lifetime {
                    Lifetime::Exponential => {
                        classes.exponential.push((k, rate(k) * f64::from(per)))
                    }
                    Lifetime::Weibull { shape } => classes.weibull.push((k, rate(k), shape, per)),
                }
            }
            node_classes.push(classes);
            let nodes_per_domain = (t.rack.scaleup_domain / cpn).max(1);
            TypeInfo {
                chips: t.rack.chips,
                nodes: t.rack.nodes,
                chips_per_node: cpn,
                nodes_per_domain,
                domains: t.rack.nodes / nodes_per_domain,
                idle_milliwatts: milliwatts(t.chip.idle),
                dynamic_milliwatts: milliwatts(t.chip.tdp - t.chip.idle),
                dynamic: t.chip.tdp - t.chip.idle,
                overhead_milliwatts: milliwatts(t.rack.overhead),
                nameplate: t.nameplate(),
                nic_per_chip: t.rack.scaleout_per_chip,
                uplink: (
                    rate(FailureKind::SwitchCable) * f64::from(t.rack.chips),
                    class(FailureKind::SwitchCable).lifetime,
                ),
                rack_power: (
                    rate(FailureKind::RackPower),
                    class(FailureKind::RackPower).lifetime,
                ),
            }
        })
        .collect();
    (types, node_classes)
}

impl<'s> World<'s> {
    /// Builds the world `config` describes, for the run `run`; its first
    /// events wait in [`drain_scheduled`](Self::drain_scheduled).
    pub fn new(run: &'s RunConfig, config: &'s Config) -> Self {
        let streams_root = RngStreams::new(run.seed);
        let (types, node_classes) = rack_models(config);
        let class = |k: FailureKind| {
            let c = &config.failures[k.index()];
            (c.rate_per_hour, c.lifetime)
        };
        let (site_outage, dci_class) =
            (class(FailureKind::SiteOutage), class(FailureKind::DciLink));
        let exp_only = |(rate, law): (f64, Lifetime), k: FailureKind| match law {
            Lifetime::Exponential => vec![(k, rate)],
            Lifetime::Weibull { .. } => Vec::new(),
        };

        // Rack model and chip names, shared by every site's sample rows.
        let names = |name: fn(&config::RackType) -> &str| -> Vec<SharedText> {
            config
                .rack_types
                .iter()
                .map(|t| SharedText::from(name(t)))
                .collect()
        };
        let rack_names = names(|t| &t.rack.name);
        let chip_names = names(|t| &t.chip.name);
        let mut streams = Vec::new();
        let mut cohorts = Vec::new();
        let mut sites = Vec::new();
        let mut buildout_rng = Vec::new();
        for (si, site) in config.sites.iter().enumerate() {
            // Every cohort draws its failures and repairs from streams of its
            // own, named after it, so adding a rack model, a site or a link
            // never moves another cohort's luck (common random numbers).
            let mut pair = |name: &str| {
                streams.push(streams_root.stream(&format!("failures/{}/{name}", site.name)));
                streams.push(streams_root.stream(&format!("repairs/{}/{name}", site.name)));
                (streams.len() - 2, streams.len() - 1)
            };
            buildout_rng.push(streams_root.stream(&format!("buildout/{}", site.name)));
            let mut site_cohorts = vec![None; types.len()];
            for (ti, cohort_slot) in site_cohorts.iter_mut().enumerate() {
                if !site.phases.iter().any(|p| p.rack_type == ti) {
                    continue;
                }
                let t = &types[ti];
                let rack_name = &config.rack_types[ti].rack.name;
                cohorts.push(Cohort::new(
                    Scope::Nodes,
                    Some(si),
                    pair(&format!("{rack_name}/nodes")),
                    node_classes[ti].exponential.clone(),
                ));
                cohorts.push(Cohort::new(
                    Scope::RackPower,
                    Some(si),
                    pair(&format!("{rack_name}/rack_power")),
                    exp_only(t.rack_power, FailureKind::RackPower),
                ));
                cohorts.push(Cohort::new(
                    Scope::Uplinks,
                    Some(si),
                    pair(&format!("{rack_name}/uplinks")),
                    exp_only(t.uplink, FailureKind::SwitchCable),
                ));
                let n = cohorts.len();
                *cohort_slot = Some(RackCohorts::from_nodes(n - 3));
            }
            cohorts.push(Cohort::new(
                Scope::Site,
                None,
                pair("outage"),
                exp_only(site_outage, FailureKind::SiteOutage),
            ));
            let outage_cohort = cohorts.len() - 1;
            let power = site_power(run, config.utilization, site, types.len());
            sites.push(SiteState::new(
                site,
                power,
                site_cohorts,
                outage_cohort,
                &rack_names,
                &chip_names,
            ));
        }
        let dci_cohorts =
            link_cohorts(config, &streams_root, &mut streams, &mut cohorts, dci_class);
        let network = Network::new(config.sites.len(), &config.links);
        let varying = config
            .sites
            .iter()
            .any(|s| s.pue.varies() || s.price.varies() || s.carbon.varies());
        let mut parts: [PartTable; 5] = Default::default();
        parts[Scope::Site as usize].extend(config.sites.len(), SimTime::ZERO);
        parts[Scope::Dci as usize].extend(config.links.len(), SimTime::ZERO);
        let pools = config.sites.len() * types.len();
        let types_len = types.len().max(1);
        let types_domains: Vec<usize> = types.iter().map(|t| t.domains as usize).collect();

        let mut world = World {
            run,
            config,
            now: SimTime::ZERO,
            spares: SparePools::new(config.sites.len(), types.len()),
            topo: Topology {
                types,
                ..Default::default()
            },
            node_classes,
            sites,
            parts,
            cohorts,
            dirty_cohorts: Vec::new(),
            dirty_sites: Vec::new(),
            dci_cohorts,
            network,
            streams,
            buildout_rng,
            site_outage,
            dci_class,
            varying,
            free: vec![0; pools],
            free_racks: (0..pools)
                .map(|p| vec![rackbits::RackBits::default(); types_domains[p % types_len] + 1])
                .collect(),
            free_counts: (0..pools)
                .map(|p| vec![0; types_domains[p % types_len] / 64 + 1])
                .collect(),
            rack_free: Vec::new(),
            rack_moves: Vec::new(),
            allocations: Vec::new(),
            scheduled: Vec::new(),
            notices: Vec::new(),
            listening: true,
            log: Vec::new(),
            maintenance_log: Vec::new(),
            maintenance_cursor: vec![0; config.maintenance.len()],
            maintenance_dark: vec![Vec::new(); config.maintenance.len()],
            clock_due: Default::default(),
            paused_clocks: std::collections::BTreeMap::new(),
            peak_chips_online: 0,
            peak_facility: Watts::ZERO,
            site_names: config
                .sites
                .iter()
                .map(|s| SharedText::from(s.name.as_str()))
                .collect(),
        };
        world.start();
        world
    }

    /// Schedules deliveries, grid changes and the first tick, and puts
    /// sites and links at risk of failure.
    fn start(&mut self) {
        let config = self.config;
        for (si, site) in config.sites.iter().enumerate() {
            for (pi, phase) in site.phases.iter().enumerate() {
                let delay = phase
                    .delay
                    .as_ref()
                    .map_or(SimDuration::ZERO, |d| d.sample(&mut self.buildout_rng[si]));
                self.schedule(
                    phase.planned + delay,
                    Event::Delivered {
                        site: si as u32,
                        phase: pi as u32,
                    },
                );
            }
            for (step, (at, _)) in site.grid.iter().enumerate().skip(1) {
                self.schedule(
                    *at,
                    Event::GridChange {
                        site: si as u32,
                        step: step as u32,
                    },
                );
            }
            self.bring_up(Target::Site(si as u32));
        }
        for link in 0..config.links.len() {
            self.bring_up(Target::Dci(link as u32));
        }
        for (w, m) in config.maintenance.iter().enumerate() {
            self.schedule(m.start, Event::MaintenanceStart { window: w as u32 });
        }
        self.refresh_changed();
    }

    /// Asks the tick to be scheduled (the caller schedules it after its own
    /// first events, so their order at equal times is kept).
    pub fn schedule_first_tick(&mut self) {
        if self.varying {
            self.schedule(SimTime::ZERO + SimDuration::from_hours(1), Event::HourTick);
        }
    }

    /// Asks for `event` at `at` if that is before the end of the run.
    fn schedule(&mut self, at: SimTime, event: Event) {
        if at < self.run.end {
            self.scheduled.push((at, event));
        }
    }

    /// The events the world asked for since the last call, in the order
    /// asked; the caller schedules them in that order.
    pub fn drain_scheduled(&mut self) -> std::vec::Drain<'_, (SimTime, Event)> {
        self.scheduled.drain(..)
    }

    /// Whether events were asked for since the last
    /// [`drain_scheduled`](Self::drain_scheduled).
    pub fn has_scheduled(&self) -> bool {
        !self.scheduled.is_empty()
    }

    /// The failure-log rows since the last call (only when the scenario
    /// asks for the log).
    pub fn drain_failure_rows(&mut self) -> std::vec::Drain<'_, FailureRow> {
        self.log.drain(..)
    }

    /// Whether failure-log rows or maintenance windows wait to be drained
    /// (most events leave none: a look costs less than two empty drains).
    pub fn has_rows(&self) -> bool {
        !self.log.is_empty() || !self.maintenance_log.is_empty()
    }

    /// The maintenance windows opened since the last call, in order.
    pub fn drain_maintenance_rows(&mut self) -> std::vec::Drain<'_, crate::record::MaintenanceRow> {
        self.maintenance_log.drain(..)
    }

    /// Integrates a site's energy up to now and marks it for a power refresh.
    fn touch(&mut self, site: usize) {
        let s = &mut self.sites[site];
        s.power.advance(self.now);
        if !s.dirty {
            s.dirty = true;
            self.dirty_sites.push(site);
        }
    }

    /// Changes the power sums of site `site` at `self.now` by `change`
    /// (after integrating up to then) and refreshes the site: what
    /// [`touch`](Self::touch), the change and
    /// [`refresh_changed`](Self::refresh_changed) do, without listing the
    /// site when nothing else is pending (a command's usual case). For a
    /// change that moves no chip between the rack models' counts and
    /// leaves the site's darkness as it is (see
    /// [`SitePower::advance_energy`]).
    #[inline]
    fn change_power(&mut self, site: usize, change: impl FnOnce(&mut SitePower)) {
        if !self.dirty_sites.is_empty() || !self.dirty_cohorts.is_empty() {
            self.touch(site);
            change(&mut self.sites[site].power);
            self.refresh_changed();
            return;
        }
        let p = &mut self.sites[site].power;
        p.advance_energy(self.now);
        change(p);
        let cap = p.cap;
        p.refresh();
        if p.cap != cap {
            let speed = p.speed();
            self.notify(Notice::SiteSpeed {
                site: SiteId(site as u32),
                speed,
            });
        }
    }

    fn mark_cohort(&mut self, cohort: usize) {
        if !self.cohorts[cohort].dirty {
            self.cohorts[cohort].dirty = true;
            self.dirty_cohorts.push(cohort);
        }
    }

    /// Redraws the cohorts and refreshes the sites the event changed.
    fn refresh_changed(&mut self) {
        if !self.dirty_cohorts.is_empty() {
            self.redraw_cohorts();
        }
        // Most commands change one site and no cohort: its refresh, without
        // moving the list out and back.
        for k in 0..self.dirty_sites.len() {
            let s = self.dirty_sites[k];
            let site = &mut self.sites[s];
            site.dirty = false;
            let cap = site.power.cap;
            site.power.refresh();
            if site.power.cap != cap {
                let speed = site.power.speed();
                self.notify(Notice::SiteSpeed {
                    site: SiteId(s as u32),
                    speed,
                });
            }
        }
        self.dirty_sites.clear();
    }

    /// Redraws the next failure of each cohort the event changed (out of
    /// line: most refreshes have none).
    #[inline(never)]
    fn redraw_cohorts(&mut self) {
        // The dirty list keeps its capacity from event to event.
        let mut dirty = std::mem::take(&mut self.dirty_cohorts);
        for &i in &dirty {
            let cohort = &mut self.cohorts[i];
            cohort.dirty = false;
            cohort.generation = cohort.generation.wrapping_add(1);
            let suspended = cohort.site.is_some_and(|s| self.sites[s].power.dark);
            let next = cohort.draw_next(&mut self.streams[cohort.stream], suspended);
            let generation = cohort.generation;
            if let Some(dt) = next {
                self.schedule(
                    self.now + dt,
                    Event::CohortFailure {
                        cohort: i as u32,
                        generation,
                    },
                );
            }
        }
        dirty.clear();
        self.dirty_cohorts = dirty;
    }

    /// Handles one event at time `now` (never earlier than the previous).
    pub fn handle(&mut self, now: SimTime, event: Event) {
        self.now = now;
        match event {
            Event::Delivered { site, phase } => self.delivered(site as usize, phase as usize),
            Event::GridChange { site, step } => self.grid_change(site as usize, step as usize),
            Event::Retire { site, phase } => self.retire(site as usize, phase as usize),
            Event::CohortFailure { cohort, generation } => {
                self.cohort_failure(cohort as usize, generation)
            }
            Event::WeibullFailure {
                target,
                kind,
                generation,
            } => {
                if self.generation(target) == generation {
                    self.fail(target, kind);
                }
            }
            Event::Restored { target, generation } => {
                if self.generation(target) == generation {
                    self.restore(target);
                }
            }
            Event::SpareRepaired { pool } => self.spares.repaired(pool as usize),
            Event::HourTick => self.hour_tick(),
            Event::MaintenanceStart { window } => self.maintenance_start(window as usize),
            Event::MaintenanceEnd { window } => self.maintenance_end(window as usize),
        }
        self.refresh_changed();
    }

    fn hour_tick(&mut self) {
        let (run, config) = (self.run, self.config);
        let month = run.calendar.month(self.now);
        for (i, spec) in config.sites.iter().enumerate() {
            if !(spec.pue.varies() || spec.price.varies() || spec.carbon.varies()) {
                continue;
            }
            self.touch(i);
            let p = &mut self.sites[i].power;
            p.pue = spec.pue.in_month(month);
            p.price_usd_per_mwh = spec.price.at(&run.calendar, self.now);
            p.carbon_kg_per_mwh = spec.carbon.at(&run.calendar, self.now);
        }
        self.schedule(self.now + SimDuration::from_hours(1), Event::HourTick);
    }

    #[cfg(test)]
    /// The network, for tests and reports that read links and flows.
    pub fn network(&self) -> &Network {
        &self.network
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::failures;
    use crate::scenario::{DEFAULT_SCENARIO, Overrides, load_str};

    /// A node's superposed classes: gpu, hbm and gpu_other per chip, host
    /// and nic per node, in report order; gpu and hbm at the chip's catalog
    /// figure, gpu_other at its class rate for every chip model.
    #[test]
    fn nodes_superpose_the_chip_and_node_classes() {
        let scenario = load_str(
            "default.toml",
            DEFAULT_SCENARIO,
            None,
            &Overrides::default(),
        )
        .unwrap();
        let world = World::new(&scenario.run, &scenario.world);
        let d = failures::defaults();
        let per_mhr = |k: FailureKind| d[k.index()].rate_per_million_hours / 1e6;
        for (t, classes) in scenario.world.rack_types.iter().zip(&world.node_classes) {
            let cpn = f64::from(t.rack.chips_per_node());
            let want = [
                (FailureKind::Gpu, cpn * t.chip.gpu_failures_per_mhr / 1e6),
                (FailureKind::Hbm, cpn * t.chip.hbm_failures_per_mhr / 1e6),
                (FailureKind::GpuOther, cpn * per_mhr(FailureKind::GpuOther)),
                (FailureKind::Host, per_mhr(FailureKind::Host)),
                (FailureKind::Nic, per_mhr(FailureKind::Nic)),
            ];
            assert_eq!(classes.exponential, want, "{}", t.rack.name);
            assert!(classes.weibull.is_empty());
        }
        // gpu_other: 48 / 21,233,664 GPU-hours = 2.2606e-6 per chip-hour.
        assert!((per_mhr(FailureKind::GpuOther) - 2.2606e-6).abs() < 1e-10);
    }
}
