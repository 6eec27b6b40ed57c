//! Failures and repairs of every kind of part, through one table.
//!
//! Five kinds of part fail: nodes (GPU, HBM, host, NIC classes), a rack's
//! power, a rack's uplink (switch/cable), a whole site (outage) and an
//! inter-site link. Each kind has a `PartTable` — generation, time back
//! in service, position in its cohort — indexed by the part's id, and goes
//! through the same two steps:
//!
//! - `World::fail`: if the part is at risk, take it out of its cohort, bump
//!   its generation (so its pending events go stale), draw the repair time
//!   from its cohort's repair stream, apply the kind's effect (power, network,
//!   capacity), schedule [`Event::Restored`], and log the failure;
//! - `World::restore`: if the part is still down and the event is of its
//!   current generation, undo the effect, put the part back at risk (a new
//!   Weibull clock if its class has one) and record when it came back.
//!
//! A part is at risk when it can fail: a healthy node of a lit rack; a
//! powered rack; the uplink of a powered rack (its switch is dark with the
//! rack; its Weibull clock restarts when the power is back); a site that is
//! up; a link that is up. While a rack is dark its Weibull clocks stand
//! still (see `clocks`).

use crate::catalog::failures::FailureKind;
use crate::engine::{SimDuration, SimTime};
use crate::record::{Component, FailureRow, Remedy};
use crate::world::config::Lifetime;

use super::cohort::{NOT_MEMBER, RackCohorts, Scope, weibull_time_to_failure};
use super::topology::NodeState;
use super::workload_api::DownCause;
use super::{Event, World};

/// A part that fails and is repaired, by kind and id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

impl Target {
    /// The kind of part, which is also its cohort's scope.
    pub fn scope(self) -> Scope {
        match self {
            Target::Node(_) => Scope::Nodes,
            Target::RackPower(_) => Scope::RackPower,
            Target::Uplink(_) => Scope::Uplinks,
            Target::Site(_) => Scope::Site,
            Target::Dci(_) => Scope::Dci,
        }
    }

    /// The part's id within its kind.
    pub fn id(self) -> u32 {
        match self {
            Target::Node(i)
            | Target::RackPower(i)
            | Target::Uplink(i)
            | Target::Site(i)
            | Target::Dci(i) => i,
        }
    }
}

/// Per kind of part, by id: the generation of its pending events, when it
/// was last put in service, and its position in its cohort.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartTable {
    pub generation: Vec<u32>,
    pub since: Vec<SimTime>,
    pub pos: Vec<u32>,
}

impl PartTable {
    /// Adds `n` parts, in service since `now`.
    pub fn extend(&mut self, n: usize, now: SimTime) {
        self.generation.extend(std::iter::repeat_n(0, n));
        self.since.extend(std::iter::repeat_n(now, n));
        self.pos.extend(std::iter::repeat_n(NOT_MEMBER, n));
    }
}

/// A failure as the log reports it.
struct Outage {
    site: usize,
    class: FailureKind,
    chips_down: u64,
    remedy: Remedy,
    downtime: SimDuration,
    since: SimTime,
}

impl World<'_> {
    /// The generation of a part's pending events.
    pub(crate) fn generation(&self, target: Target) -> u32 {
        self.parts[target.scope() as usize].generation[target.id() as usize]
    }

    pub(crate) fn bump_generation(&mut self, target: Target) -> u32 {
        let g = &mut self.parts[target.scope() as usize].generation[target.id() as usize];
        *g = g.wrapping_add(1);
        *g
    }

    /// The cohort a part belongs to.
    pub(crate) fn cohort_of_part(&self, target: Target) -> usize {
        match target {
            Target::Node(n) => self.rack_cohorts(self.topo.node_rack[n as usize]).nodes,
            Target::RackPower(r) => self.rack_cohorts(r).power,
            Target::Uplink(r) => self.rack_cohorts(r).uplinks,
            Target::Site(s) => self.sites[s as usize].outage_cohort,
            Target::Dci(l) => self.dci_cohorts[l as usize],
        }
    }

    /// The cohorts (nodes, rack power, uplinks) of a rack's model at its site.
    pub(crate) fn rack_cohorts(&self, rack: u32) -> RackCohorts {
        RackCohorts::from_nodes(self.topo.racks[rack as usize].node_cohort as usize)
    }

    /// Takes a part out of its cohort (it is no longer at risk).
    fn leave_cohort(&mut self, target: Target) {
        let cohort = self.cohort_of_part(target);
        let pos = &mut self.parts[target.scope() as usize].pos;
        if self.cohorts[cohort].members.remove(target.id(), pos) {
            self.mark_cohort(cohort);
        }
    }

    /// Puts a part in its cohort (at risk again).
    fn join_cohort(&mut self, target: Target) {
        let cohort = self.cohort_of_part(target);
        let pos = &mut self.parts[target.scope() as usize].pos;
        if self.cohorts[cohort].members.insert(target.id(), pos) {
            self.mark_cohort(cohort);
        }
    }

    /// Draws a repair time of class `kind` from `cohort`'s repair stream.
    fn draw_repair(&mut self, cohort: usize, kind: FailureKind) -> SimDuration {
        let stream = self.cohorts[cohort].repair_stream;
        self.config.failures[kind.index()]
            .repair
            .sample(&mut self.streams[stream])
    }

    /// Whether a part is up (and so can fail).
    pub(super) fn is_up(&self, target: Target) -> bool {
        let id = target.id() as usize;
        match target {
            Target::Node(_) => self.topo.node_state[id] == NodeState::Healthy,
            Target::RackPower(_) => {
                let r = &self.topo.racks[id];
                !r.power_down && !r.retired
            }
            Target::Uplink(_) => {
                let r = &self.topo.racks[id];
                !r.uplink_failed && !r.retired && !r.power_down
            }
            Target::Site(_) => !self.sites[id].power.dark,
            Target::Dci(_) => !self.network.dci[id].failed,
        }
    }

    /// Whether a part is down and waiting to come back.
    fn is_down(&self, target: Target) -> bool {
        let id = target.id() as usize;
        match target {
            Target::Node(_) => matches!(
                self.topo.node_state[id],
                NodeState::AwaitingSwap | NodeState::InRepair
            ),
            Target::RackPower(_) => {
                let r = &self.topo.racks[id];
                r.power_down && !r.retired
            }
            Target::Uplink(_) => {
                let r = &self.topo.racks[id];
                r.uplink_failed && !r.retired
            }
            Target::Site(_) => self.sites[id].power.dark,
            Target::Dci(_) => self.network.dci[id].failed,
        }
    }

    /// Fails a part with a failure of class `kind`, if it is up.
    pub(crate) fn fail(&mut self, target: Target, kind: FailureKind) {
        if !self.is_up(target) {
            return;
        }
        let cohort = self.cohort_of_part(target);
        let id = target.id();
        let since = self.parts[target.scope() as usize].since[id as usize];
        let outage = match target {
            Target::Node(node) => self.node_down(node, kind, cohort, since),
            Target::RackPower(r) => {
                let site = self.topo.racks[r as usize].site as usize;
                let chips = self.power_off_rack(r, DownCause::RackPower);
                let repair = self.draw_repair(cohort, kind);
                Outage {
                    site,
                    class: kind,
                    chips_down: chips,
                    remedy: Remedy::RackRepair,
                    downtime: repair,
                    since,
                }
            }
            Target::Uplink(r) => {
                let rack = self.topo.racks[r as usize];
                let site = rack.site as usize;
                self.leave_cohort(target);
                self.sites[site].uplinks_down += 1;
                let t = self.topo.types[rack.rack_type as usize];
                let healthy: Vec<u32> = (rack.first_domain..rack.first_domain + t.domains)
                    .filter(|&d| self.topo.domain_healthy(d))
                    .collect();
                self.topo.racks[r as usize].uplink_failed = true;
                // Cut off from the fabric, its domains can serve no workload.
                for d in healthy {
                    self.domain_lost(d, DownCause::Uplink);
                }
                if !rack.power_down {
                    self.set_rack_network(r, false);
                }
                let repair = self.draw_repair(cohort, kind);
                Outage {
                    site,
                    class: kind,
                    chips_down: 0,
                    remedy: Remedy::LinkRepair,
                    downtime: repair,
                    since,
                }
            }
            Target::Site(s) => {
                let site = s as usize;
                self.touch(site);
                self.leave_cohort(target);
                self.mark_site_cohorts(site);
                self.sites[site].power.dark = true;
                self.site_clocks(site, true);
                self.site_dark_notices(site, true);
                let chips = self.sites[site].power.chips_available;
                let repair = self.draw_repair(cohort, kind);
                Outage {
                    site,
                    class: kind,
                    chips_down: chips,
                    remedy: Remedy::SiteRestore,
                    downtime: repair,
                    since,
                }
            }
            Target::Dci(l) => {
                let link = l as usize;
                self.leave_cohort(target);
                let changes = self.network.set_dci_up(link, false);
                self.flow_notices(changes);
                self.network.dci[link].failed = true;
                let from = self.network.dci[link].from;
                self.sites[from].dci_down += 1;
                let repair = self.draw_repair(cohort, kind);
                Outage {
                    site: from,
                    class: kind,
                    chips_down: 0,
                    remedy: Remedy::LinkRepair,
                    downtime: repair,
                    since,
                }
            }
        };
        let generation = if matches!(target, Target::Node(_)) {
            // The node's generation was bumped when it went down.
            self.generation(target)
        } else {
            self.bump_generation(target)
        };
        if !matches!(target, Target::Node(_)) {
            self.schedule(
                self.now + outage.downtime,
                Event::Restored { target, generation },
            );
        }
        self.log_failure(target, outage);
    }

    /// Powers rack `r` off (its power failed, or planned maintenance): its
    /// nodes, power and uplink leave their cohorts, its healthy domains go
    /// down with `cause`, its chips stop drawing and count as unpowered,
    /// and it leaves the fabric. Returns the chips powered off. O(nodes
    /// and domains of the rack).
    pub(crate) fn power_off_rack(&mut self, r: u32, cause: DownCause) -> u64 {
        let rack = self.topo.racks[r as usize];
        let site = rack.site as usize;
        let t = self.topo.types[rack.rack_type as usize];
        self.touch(site);
        for node in rack.first_node..rack.first_node + t.nodes {
            if self.topo.node_state[node as usize] == NodeState::Healthy {
                self.leave_cohort(Target::Node(node));
            }
        }
        // Redrawn whether or not a node left it (a memoryless redraw
        // is exact either way; kept so that draws stay as they were).
        self.mark_cohort(self.rack_cohorts(r).nodes);
        self.leave_cohort(Target::RackPower(r));
        // The rack's switch is dark too: its uplink cannot fail
        // until the power is back.
        self.leave_cohort(Target::Uplink(r));
        self.pause_node_clocks(r);
        let chips = u64::from(rack.healthy_nodes) * u64::from(t.chips_per_node);
        for d in rack.first_domain..rack.first_domain + t.domains {
            if self.topo.domain_healthy(d) {
                self.domain_lost(d, cause);
            }
            self.hold_domain_chips(d, false);
        }
        let s = &mut self.sites[site];
        s.power.remove_available(
            rack.rack_type as usize,
            chips,
            t.idle_milliwatts,
            t.dynamic_milliwatts,
        );
        s.power.overhead_milliwatts -= t.overhead_milliwatts;
        s.chips_unpowered += chips;
        self.topo.racks[r as usize].power_down = true;
        if !rack.uplink_failed {
            self.set_rack_network(r, false);
        }
        chips
    }

    /// A node goes down: to a spare swap if its pool has a spare ready,
    /// else to repair in place.
    fn node_down(&mut self, node: u32, kind: FailureKind, cohort: usize, since: SimTime) -> Outage {
        let r = self.topo.node_rack[node as usize];
        let rack = self.topo.racks[r as usize];
        let site = rack.site as usize;
        let ti = rack.rack_type as usize;
        let t = self.topo.types[ti];
        let cpn = u64::from(t.chips_per_node);
        let domain = self.topo.domain_of(node);
        self.touch(site);
        if rack.power_down {
            self.sites[site].chips_unpowered -= cpn;
        } else {
            self.chips_power(domain, cpn, false);
            self.leave_cohort(Target::Node(node));
        }
        let was_healthy = self.topo.domain_healthy(domain);
        self.topo.racks[r as usize].healthy_nodes -= 1;
        self.topo.node_down_in(domain);
        if was_healthy {
            self.domain_lost(domain, DownCause::Node(kind));
        }
        let generation = self.bump_generation(Target::Node(node));
        let repair = self.draw_repair(cohort, kind);
        let pool = self.spares.pool(site, ti);
        let target = Target::Node(node);
        let (remedy, downtime) = if self.spares.take(pool) {
            self.sites[site].chips_failed += cpn;
            self.topo.node_state[node as usize] = NodeState::AwaitingSwap;
            let swap = self.config.swap_time;
            self.schedule(self.now + swap, Event::Restored { target, generation });
            self.schedule(
                self.now + repair,
                Event::SpareRepaired { pool: pool as u32 },
            );
            (Remedy::SpareSwap, swap)
        } else {
            self.sites[site].chips_repair += cpn;
            self.topo.node_state[node as usize] = NodeState::InRepair;
            self.schedule(self.now + repair, Event::Restored { target, generation });
            (Remedy::RepairInPlace, repair)
        };
        Outage {
            site,
            class: kind,
            chips_down: cpn,
            remedy,
            downtime,
            since,
        }
    }

    /// Brings a part back into service if it is down.
    pub(crate) fn restore(&mut self, target: Target) {
        if self.is_down(target) {
            self.bring_up(target);
        }
    }

    /// Puts a part in service: after a repair, or at the start (sites and
    /// links) or at commissioning.
    pub(crate) fn bring_up(&mut self, target: Target) {
        let id = target.id();
        match target {
            Target::Node(node) => {
                let r = self.topo.node_rack[node as usize];
                let rack = self.topo.racks[r as usize];
                let site = rack.site as usize;
                let t = self.topo.types[rack.rack_type as usize];
                let cpn = u64::from(t.chips_per_node);
                let domain = self.topo.domain_of(node);
                self.touch(site);
                let s = &mut self.sites[site];
                match self.topo.node_state[node as usize] {
                    NodeState::AwaitingSwap => s.chips_failed -= cpn,
                    _ => s.chips_repair -= cpn,
                }
                if rack.power_down {
                    s.chips_unpowered += cpn;
                } else {
                    self.chips_power(domain, cpn, true);
                    self.join_cohort(target);
                }
                self.topo.racks[r as usize].healthy_nodes += 1;
                self.topo.node_state[node as usize] = NodeState::Healthy;
                self.topo.node_up_in(domain);
                if self.topo.domain_healthy(domain) {
                    self.domain_regained(domain);
                }
            }
            Target::RackPower(r) => {
                let rack = self.topo.racks[r as usize];
                let site = rack.site as usize;
                let t = self.topo.types[rack.rack_type as usize];
                self.touch(site);
                for node in rack.first_node..rack.first_node + t.nodes {
                    if self.topo.node_state[node as usize] == NodeState::Healthy {
                        self.join_cohort(Target::Node(node));
                    }
                }
                self.mark_cohort(self.rack_cohorts(r).nodes);
                self.join_cohort(target);
                let chips = u64::from(rack.healthy_nodes) * u64::from(t.chips_per_node);
                let s = &mut self.sites[site];
                s.power.add_available(
                    rack.rack_type as usize,
                    chips,
                    t.idle_milliwatts,
                    t.dynamic_milliwatts,
                );
                s.power.overhead_milliwatts += t.overhead_milliwatts;
                s.chips_unpowered -= chips;
                self.topo.racks[r as usize].power_down = false;
                for d in rack.first_domain..rack.first_domain + t.domains {
                    self.hold_domain_chips(d, true);
                    if self.topo.domain_healthy(d) {
                        self.domain_regained(d);
                    }
                }
                if !rack.uplink_failed {
                    self.set_rack_network(r, true);
                    // Back at risk, with a fresh Weibull clock if its class
                    // has one (a clock that struck while dark was void).
                    self.join_cohort(Target::Uplink(r));
                    let g = self.bump_generation(Target::Uplink(r));
                    self.schedule_clocks(Target::Uplink(r), g);
                }
                if !self.sites[site].power.dark {
                    self.resume_node_clocks(r);
                }
            }
            Target::Uplink(r) => {
                let rack = self.topo.racks[r as usize];
                if !rack.power_down {
                    self.join_cohort(target);
                }
                self.sites[rack.site as usize].uplinks_down -= 1;
                self.topo.racks[r as usize].uplink_failed = false;
                let t = self.topo.types[rack.rack_type as usize];
                for d in rack.first_domain..rack.first_domain + t.domains {
                    if self.topo.domain_healthy(d) {
                        self.domain_regained(d);
                    }
                }
                if !rack.power_down {
                    self.set_rack_network(r, true);
                }
            }
            Target::Site(s) => {
                let site = s as usize;
                self.touch(site);
                self.join_cohort(target);
                self.mark_site_cohorts(site);
                let was_dark = self.sites[site].power.dark;
                self.sites[site].power.dark = false;
                if was_dark {
                    self.site_clocks(site, false);
                    self.site_dark_notices(site, false);
                }
            }
            Target::Dci(l) => {
                let link = l as usize;
                self.join_cohort(target);
                let changes = self.network.set_dci_up(link, true);
                self.flow_notices(changes);
                let was_failed = self.network.dci[link].failed;
                self.network.dci[link].failed = false;
                if was_failed {
                    self.sites[self.network.dci[link].from].dci_down -= 1;
                }
            }
        }
        let generation = self.bump_generation(target);
        self.parts[target.scope() as usize].since[id as usize] = self.now;
        self.schedule_clocks(target, generation);
    }

    /// Marks every cohort of a site for a redraw (its outage suspends them).
    fn mark_site_cohorts(&mut self, site: usize) {
        for ti in 0..self.sites[site].cohorts.len() {
            if let Some(cohorts) = self.sites[site].cohorts[ti] {
                for f in cohorts.all() {
                    self.mark_cohort(f);
                }
            }
        }
    }

    /// Schedules the Weibull failures of a part put in service, for the
    /// classes of its kind that have that law.
    pub(crate) fn schedule_clocks(&mut self, target: Target, generation: u32) {
        let stream = self.cohorts[self.cohort_of_part(target)].stream;
        let single = |(rate, law): (f64, Lifetime), kind| match law {
            Lifetime::Weibull { shape } => Some((kind, rate, shape, 1)),
            Lifetime::Exponential => None,
        };
        self.clear_clocks(target);
        let clock = match target {
            Target::Node(node) => {
                let rack = &self.topo.racks[self.topo.node_rack[node as usize] as usize];
                let ti = rack.rack_type as usize;
                // One clock per Weibull class, by index (no allocation).
                for i in 0..self.node_classes[ti].weibull.len() {
                    let clock = self.node_classes[ti].weibull[i];
                    self.schedule_clock(target, generation, stream, clock);
                }
                None
            }
            Target::RackPower(r) => {
                let t = &self.topo.types[self.topo.racks[r as usize].rack_type as usize];
                single(t.rack_power, FailureKind::RackPower)
            }
            Target::Uplink(r) => {
                let t = &self.topo.types[self.topo.racks[r as usize].rack_type as usize];
                single(t.uplink, FailureKind::SwitchCable)
            }
            Target::Site(_) => single(self.site_outage, FailureKind::SiteOutage),
            Target::Dci(_) => single(self.dci_class, FailureKind::DciLink),
        };
        if let Some(clock) = clock {
            self.schedule_clock(target, generation, stream, clock);
        }
    }

    /// Draws one Weibull clock of a part — `(class, rate per component
    /// [1/h], shape, components)` — and schedules its failure.
    fn schedule_clock(
        &mut self,
        target: Target,
        generation: u32,
        stream: usize,
        (kind, rate, shape, count): (FailureKind, f64, f64, u32),
    ) {
        if let Some(dt) = weibull_time_to_failure(rate, shape, count, &mut self.streams[stream]) {
            if self.keep_clock(target, dt, kind) {
                return;
            }
            self.schedule(
                self.now + dt,
                Event::WeibullFailure {
                    target,
                    kind,
                    generation,
                },
            );
        }
    }

    /// The next failure of a superposed cohort.
    pub(crate) fn cohort_failure(&mut self, i: usize, generation: u32) {
        let cohort = &self.cohorts[i];
        if cohort.generation != generation {
            return;
        }
        let rng = &mut self.streams[cohort.stream];
        let kind = cohort.draw_class(rng);
        let Some(member) = cohort.members.pick(rng) else {
            return;
        };
        let target = match cohort.scope {
            Scope::Nodes => Target::Node(member),
            Scope::RackPower => Target::RackPower(member),
            Scope::Uplinks => Target::Uplink(member),
            Scope::Site => Target::Site(member),
            Scope::Dci => Target::Dci(member),
        };
        // The pending draw is used up: draw the next one after this event.
        self.mark_cohort(i);
        self.fail(target, kind);
    }

    fn log_failure(&mut self, target: Target, o: Outage) {
        self.sites[o.site].failures[o.class.index()] += 1;
        if !self.config.failures_log {
            return;
        }
        let rack_model = |r: u32| {
            self.config.rack_types[self.topo.racks[r as usize].rack_type as usize]
                .rack
                .name
                .clone()
        };
        let (component, rack) = match target {
            Target::Node(node) => {
                let r = self.topo.node_rack[node as usize];
                let index = node - self.topo.racks[r as usize].first_node;
                (
                    Component::Node {
                        rack: r,
                        node: index,
                    },
                    rack_model(r),
                )
            }
            Target::RackPower(r) => (Component::RackPower { rack: r }, rack_model(r)),
            Target::Uplink(r) => (Component::Uplink { rack: r }, rack_model(r)),
            Target::Site(_) => (Component::Site, String::new()),
            Target::Dci(l) => {
                let l = &self.network.dci[l as usize];
                let names = &self.config.sites;
                let link = Component::Link {
                    from: names[l.from].name.clone(),
                    to: names[l.to].name.clone(),
                };
                (link, String::new())
            }
        };
        self.log.push(FailureRow {
            time_h: self.now.hours(),
            timestamp: self.run.calendar.instant(self.now),
            site: self.config.sites[o.site].name.clone(),
            class: o.class,
            component,
            rack,
            chips_down: o.chips_down,
            remedy: o.remedy,
            downtime_h: o.downtime.hours(),
            age_h: self.now.since(o.since).hours(),
        });
    }
}
