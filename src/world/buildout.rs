//! Build-out: phases delivered, admitted under the grid connection,
//! commissioned in order, and retired at end of life.
//!
//! A phase is delivered at its planned date plus its random delay
//! (`buildout/<site>` stream, drawn in phase order at the start). Phases are
//! commissioned in build-out order: the first waiting phase fits if the
//! site's committed power — Σ nameplate IT power × design (worst-month) PUE
//! of its online racks — plus the phase's stays within
//! `grid × power_oversubscription`, and its *floor* — overhead plus idle
//! draw, × design PUE, which no power cap can remove — plus the site's stays
//! within the grid itself (this binds only with `power_oversubscription`
//! above 1). One that does not fit waits (`defer`,
//! blocking the phases after it) until a grid upgrade or a retirement makes
//! room, or is dropped (`refuse`). Commissioning creates the phase's racks,
//! domains and nodes, puts them at risk of failure, adds the phase's spares to
//! its pool and tells the workloads ([`Notice::RacksCommissioned`]).

use super::config::GridFullPolicy;
use crate::engine::SimTime;
use crate::units::Watts;

use super::cohort::{RackCohorts, Scope};
use super::failures::Target;
use super::topology::{DomainId, NodeState, Rack, RackId, RackTypeId, SiteId};
use super::workload_api::{DownCause, Notice};
use super::{Event, World};

/// What became of a phase so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum PhaseStatus {
    /// Not yet commissioned (not delivered, or waiting for grid room).
    #[default]
    Pending,
    /// Its racks are (or were, until retired) online.
    Commissioned,
    /// Dropped for lack of grid room.
    Refused,
}

/// A phase's dates and fate.
#[derive(Clone, Debug, Default)]
pub(crate) struct PhaseState {
    pub delivered: Option<SimTime>,
    pub commissioned: Option<SimTime>,
    pub first_rack: u32,
    pub status: PhaseStatus,
}

impl World<'_> {
    /// Nameplate facility power of one rack of a model at a site, at the
    /// site's design PUE [W].
    pub(crate) fn nameplate_facility(&self, site: usize, rack_type: usize) -> Watts {
        self.topo.types[rack_type].nameplate * self.config.sites[site].pue.design()
    }

    /// Overhead + idle draw of one rack of a model at a site, at the site's
    /// design PUE [W].
    fn floor_facility(&self, site: usize, rack_type: usize) -> Watts {
        self.config.rack_types[rack_type].idle_floor() * self.config.sites[site].pue.design()
    }

    pub(crate) fn delivered(&mut self, site: usize, phase: usize) {
        let s = &mut self.sites[site];
        s.phases[phase].delivered = Some(self.now);
        s.racks_deferred += self.config.sites[site].phases[phase].count;
        self.try_commission(site);
    }

    pub(crate) fn grid_change(&mut self, site: usize, step: usize) {
        self.touch(site);
        self.sites[site].power.grid = self.config.sites[site].grid[step].1;
        self.try_commission(site);
    }

    /// Commissions the waiting phases of a site, in order, while they fit.
    fn try_commission(&mut self, site: usize) {
        let spec = &self.config.sites[site];
        while let Some(&pi) = self.sites[site].queue.front() {
            if self.sites[site].phases[pi].delivered.is_none() {
                break;
            }
            let phase = &spec.phases[pi];
            let need = self.nameplate_facility(site, phase.rack_type) * f64::from(phase.count);
            let floor = self.floor_facility(site, phase.rack_type) * f64::from(phase.count);
            let s = &self.sites[site];
            let limit = s.power.grid * spec.power_oversubscription;
            let fits = (s.committed + need).0 <= limit.0 * (1.0 + 1e-12)
                && (s.floor + floor).0 <= s.power.grid.0 * (1.0 + 1e-12);
            if fits {
                self.commission(site, pi);
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

    fn commission(&mut self, site: usize, pi: usize) {
        self.touch(site);
        let phase = &self.config.sites[site].phases[pi];
        let ti = phase.rack_type;
        let t = self.topo.types[ti];
        let uplink_capacity = self.uplink_capacity(SiteId(site as u32), RackTypeId(ti as u32));
        let first_rack = self.topo.racks.len() as u32;
        let pool = self.spares.pool(site, ti);
        let cohorts =
            self.sites[site].cohorts[ti].expect("cohorts exist for the site's rack models");
        debug_assert_eq!(cohorts, RackCohorts::from_nodes(cohorts.nodes));
        for _ in 0..phase.count {
            let rack_id = self.topo.racks.len() as u32;
            let first_node = self.topo.node_state.len() as u32;
            let first_domain = self.topo.domains.len() as u32;
            self.rack_free.push(0);
            self.topo.push_rack(Rack {
                site: site as u32,
                rack_type: ti as u32,
                first_node,
                first_domain,
                node_cohort: cohorts.nodes as u32,
                power_down: false,
                maintenance: 0,
                uplink_failed: false,
                retired: false,
                healthy_nodes: t.nodes,
            });
            self.network.add_rack(uplink_capacity);
            for scope in [Scope::RackPower, Scope::Uplinks] {
                self.parts[scope as usize].extend(1, self.now);
            }
            self.parts[Scope::Nodes as usize].extend(t.nodes as usize, self.now);
            self.topo
                .node_state
                .extend(std::iter::repeat_n(NodeState::Healthy, t.nodes as usize));
            self.topo
                .node_rack
                .extend(std::iter::repeat_n(rack_id, t.nodes as usize));
            for d in first_domain..first_domain + t.domains {
                self.topo.push_domain(rack_id);
                self.free_insert(pool, d);
            }
            self.join_cohort_at_commissioning(Target::RackPower(rack_id));
            self.join_cohort_at_commissioning(Target::Uplink(rack_id));
            for node in first_node..first_node + t.nodes {
                self.join_cohort_at_commissioning(Target::Node(node));
                self.schedule_clocks(Target::Node(node), 0);
            }
            self.schedule_clocks(Target::RackPower(rack_id), 0);
            self.schedule_clocks(Target::Uplink(rack_id), 0);
        }
        let count = phase.count;
        let chips = u64::from(t.chips) * u64::from(count);
        let need = self.nameplate_facility(site, ti) * f64::from(count);
        let floor = self.floor_facility(site, ti) * f64::from(count);
        let s = &mut self.sites[site];
        s.floor += floor;
        s.power.add_online(ti, count, chips);
        s.power
            .add_available(ti, chips, t.idle_milliwatts, t.dynamic_milliwatts);
        s.power.overhead_milliwatts += t.overhead_milliwatts * i64::from(count);
        s.committed += need;
        s.racks_online += count;
        s.racks_deferred -= count;
        s.racks_commissioned += u64::from(count);
        self.spares.add(pool, u64::from(phase.spare_nodes));
        let ps = &mut s.phases[pi];
        ps.status = PhaseStatus::Commissioned;
        ps.commissioned = Some(self.now);
        ps.first_rack = first_rack;
        self.notify(Notice::RacksCommissioned {
            site: SiteId(site as u32),
            rack_type: RackTypeId(ti as u32),
            first: RackId(first_rack),
            count,
        });
        if let Some(eol) = phase.end_of_life {
            self.schedule(
                self.now + eol,
                Event::Retire {
                    site: site as u32,
                    phase: pi as u32,
                },
            );
        }
    }

    /// Adds a new part to its cohort (its cohort is redrawn once, after the
    /// event).
    fn join_cohort_at_commissioning(&mut self, target: Target) {
        let cohort = self.cohort_of_part(target);
        let pos = &mut self.parts[target.scope() as usize].pos;
        self.cohorts[cohort].members.insert(target.id(), pos);
        self.mark_cohort(cohort);
    }

    pub(crate) fn retire(&mut self, site: usize, pi: usize) {
        self.touch(site);
        let phase = &self.config.sites[site].phases[pi];
        let ti = phase.rack_type;
        let t = self.topo.types[ti];
        let cohorts = self.sites[site].cohorts[ti].expect("cohorts exist");
        let first = self.sites[site].phases[pi].first_rack;
        let cpn = u64::from(t.chips_per_node);
        self.notify(Notice::RacksRetiring {
            site: SiteId(site as u32),
            rack_type: RackTypeId(ti as u32),
            first: RackId(first),
            count: phase.count,
        });
        for r in first..first + phase.count {
            let rack = self.topo.racks[r as usize];
            for d in rack.first_domain..rack.first_domain + t.domains {
                if self.topo.domain_healthy(d) {
                    self.domain_lost(d, DownCause::Retired);
                } else if let Some(allocation) = self.allocation_of(d) {
                    // Down already, but held: its holder must learn that it
                    // never returns.
                    self.notify(Notice::DomainDown {
                        domain: DomainId(d),
                        allocation: Some(allocation),
                        cause: DownCause::Retired,
                    });
                }
                if !rack.power_down {
                    self.hold_domain_chips(d, false);
                }
            }
            for node in rack.first_node..rack.first_node + t.nodes {
                let s = &mut self.sites[site];
                match self.topo.node_state[node as usize] {
                    NodeState::Healthy if rack.power_down => s.chips_unpowered -= cpn,
                    NodeState::Healthy => {
                        s.power
                            .remove_available(ti, cpn, t.idle_milliwatts, t.dynamic_milliwatts);
                        self.cohorts[cohorts.nodes]
                            .members
                            .remove(node, &mut self.parts[Scope::Nodes as usize].pos);
                    }
                    NodeState::AwaitingSwap => s.chips_failed -= cpn,
                    NodeState::InRepair => s.chips_repair -= cpn,
                    NodeState::Retired => {}
                }
                self.topo.node_state[node as usize] = NodeState::Retired;
                self.bump_generation(Target::Node(node));
            }
            let s = &mut self.sites[site];
            if !rack.power_down {
                s.power.overhead_milliwatts -= t.overhead_milliwatts;
            }
            if rack.uplink_failed {
                s.uplinks_down -= 1;
            }
            self.cohorts[cohorts.power]
                .members
                .remove(r, &mut self.parts[Scope::RackPower as usize].pos);
            self.cohorts[cohorts.uplinks]
                .members
                .remove(r, &mut self.parts[Scope::Uplinks as usize].pos);
            let changes = self.network.set_rack_up(r as usize, false);
            self.flow_notices(changes);
            self.topo.racks[r as usize].retired = true;
            self.bump_generation(Target::RackPower(r));
            self.bump_generation(Target::Uplink(r));
        }
        for f in cohorts.all() {
            self.mark_cohort(f);
        }
        let need = self.nameplate_facility(site, ti) * f64::from(phase.count);
        let floor = self.floor_facility(site, ti) * f64::from(phase.count);
        let pool = self.spares.pool(site, ti);
        self.spares.retire(pool, u64::from(phase.spare_nodes));
        let s = &mut self.sites[site];
        s.floor -= floor;
        s.power
            .remove_online(ti, phase.count, u64::from(t.chips) * u64::from(phase.count));
        s.racks_online -= phase.count;
        s.committed -= need;
        self.try_commission(site);
    }
}
