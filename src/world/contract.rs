//! The world's outward contract: what a workload (training jobs, inference
//! services) sees of the physical datacenter, and what it may ask of it.
//!
//! - **Capacity.** Scale-up domains are the unit of allocation. Per (site,
//!   rack model) the world keeps the set of *free healthy* domains,
//!   updated in O(1) by each failure, repair, commissioning or retirement;
//!   [`World::capacity`] and [`World::free_domains`] read it. A dark site
//!   (outage) offers no capacity.
//! - **Notices.** After each event (and each command), the facts a workload
//!   needs wait in [`World::drain_notices`]: a domain down or back (naming
//!   the allocation that holds it, if any), a site dark or back, racks
//!   commissioned or retiring, flow rates changed, a site's chip speed under
//!   a power cap. There are no callbacks: the world never knows what a job
//!   is.
//! - **Commands.** [`World::allocate`] a set of free domains of one site and
//!   rack model at a utilization; [`World::set_utilization`];
//!   [`World::release`]; [`World::start_flow`] and [`World::end_flow`] between
//!   racks. Links stay private to the world.
//!
//! # Power by allocation
//!
//! An allocated chip draws `idle + (tdp − idle) · u` at its allocation's
//! utilization `u`; a healthy chip no allocation holds draws at the
//! background utilization (`[load] utilization` in a scenario without
//! workloads). See [`super::power`]. An allocation keeps its domains while
//! they are down (a failed node, a rack without power, a dark site): the
//! chips that are down draw nothing, and the allocation's holder decides
//! what to do on the notice.

use thiserror::Error;

use crate::engine::SimTime;
use crate::units::BitsPerSecond;

use super::World;
use super::fabric::{FabricError, FlowId, RateChange};
use super::topology::{DomainId, RackId, RackTypeId, SiteId, milliwatts};

/// Marks a domain that no allocation holds.
pub(crate) const NO_ALLOCATION: u32 = u32::MAX;

/// An allocation of scale-up domains, numbered in order of allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AllocationId(pub u32);

/// Why a domain went down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownCause {
    /// One of its nodes failed.
    NodeFailure,
    /// Its rack lost power.
    RackPower,
    /// Its site went dark.
    SiteOutage,
    /// Its rack reached end of life (the domain never comes back).
    Retired,
}

/// A fact a workload may need, produced by a world event or command.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Notice {
    /// A domain can no longer compute.
    DomainDown {
        /// The domain.
        domain: DomainId,
        /// The allocation holding it, if any.
        allocation: Option<AllocationId>,
        /// Why.
        cause: DownCause,
    },
    /// A domain that was down can compute again.
    DomainUp {
        /// The domain.
        domain: DomainId,
        /// The allocation holding it, if any (it kept the domain).
        allocation: Option<AllocationId>,
    },
    /// A site went dark: it offers no capacity until [`Notice::SiteUp`].
    SiteDown {
        /// The site.
        site: SiteId,
    },
    /// A dark site is back.
    SiteUp {
        /// The site.
        site: SiteId,
    },
    /// A phase's racks were commissioned; their domains are free.
    RacksCommissioned {
        /// The site.
        site: SiteId,
        /// Their model.
        rack_type: RackTypeId,
        /// The first rack (the others follow it).
        first: RackId,
        /// Number of racks.
        count: u32,
    },
    /// A phase's racks reach end of life now; the domains of them that
    /// allocations hold are reported down with [`DownCause::Retired`].
    RacksRetiring {
        /// The site.
        site: SiteId,
        /// Their model.
        rack_type: RackTypeId,
        /// The first rack.
        first: RackId,
        /// Number of racks.
        count: u32,
    },
    /// A flow's max-min fair rate changed (0 when stalled by a failed link).
    FlowRate {
        /// The flow.
        flow: FlowId,
        /// Its rate now [bit/s].
        rate: BitsPerSecond,
    },
    /// A site's chips run at a new speed under its power cap: `s^(1/3)` of
    /// full speed for a cap factor `s` (1 when uncapped).
    SiteSpeed {
        /// The site.
        site: SiteId,
        /// Speed factor, 0–1.
        speed: f64,
    },
}

/// A refused command.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ContractError {
    /// An allocation needs at least one domain.
    #[error("an allocation needs at least one domain")]
    NoDomains,
    /// Utilization is a share of the dynamic power range.
    #[error("utilization {0} is outside 0–1")]
    Utilization(f64),
    /// No such domain.
    #[error("domain {0:?} does not exist")]
    UnknownDomain(DomainId),
    /// The domain is held, down, retired, or listed twice.
    #[error("domain {0:?} is not free and healthy")]
    NotFree(DomainId),
    /// An allocation's domains share one site and rack model.
    #[error("domain {0:?} is of another site or rack model than the first")]
    Mixed(DomainId),
    /// The site is dark.
    #[error("site {0:?} is dark")]
    SiteDark(SiteId),
    /// No such allocation (or it was released).
    #[error("allocation {0:?} does not exist")]
    UnknownAllocation(AllocationId),
    /// No such rack.
    #[error("rack {0:?} does not exist")]
    UnknownRack(RackId),
    /// The racks' sites are not connected by inter-site links.
    #[error("no route from rack {0:?} to rack {1:?}")]
    NoRoute(RackId, RackId),
    /// The fabric refused the flow.
    #[error(transparent)]
    Fabric(#[from] FabricError),
}

/// Domains held by one workload.
#[derive(Clone, Debug)]
pub(crate) struct Allocation {
    pub site: u32,
    pub domains: Vec<u32>,
    /// Utilization, 0–1.
    pub utilization: f64,
    /// Dynamic draw per chip at this utilization [mW].
    pub load_mw: i64,
    /// Utilization in millionths.
    pub u_micros: i64,
}

impl World<'_> {
    // ----- capacity ------------------------------------------------------

    /// Free healthy domains of a rack model at a site (0 while it is dark).
    pub fn capacity(&self, site: SiteId, rack_type: RackTypeId) -> usize {
        if self.sites[site.index()].power.dark {
            return 0;
        }
        self.free[self.spares.pool(site.index(), rack_type.index())].len()
    }

    /// The free healthy domains of a rack model at a site, in no particular
    /// order (none while the site is dark).
    pub fn free_domains(
        &self,
        site: SiteId,
        rack_type: RackTypeId,
    ) -> impl Iterator<Item = DomainId> + '_ {
        let dark = self.sites[site.index()].power.dark;
        let ids: &[u32] = if dark {
            &[]
        } else {
            self.free[self.spares.pool(site.index(), rack_type.index())].ids()
        };
        ids.iter().map(|&d| DomainId(d))
    }

    /// Chips per domain of a rack model.
    pub fn domain_chips(&self, rack_type: RackTypeId) -> u32 {
        let t = &self.topo.types[rack_type.index()];
        t.nodes_per_domain * t.chips_per_node
    }

    /// The rack of a domain.
    pub fn domain_rack(&self, domain: DomainId) -> RackId {
        RackId(self.topo.domains[domain.index()].rack)
    }

    /// The site of a rack.
    pub fn rack_site(&self, rack: RackId) -> SiteId {
        SiteId(self.topo.racks[rack.index()].site)
    }

    /// The domains an allocation holds.
    pub fn allocation_domains(&self, id: AllocationId) -> Option<Vec<DomainId>> {
        let a = self.allocations.get(id.0 as usize)?.as_ref()?;
        Some(a.domains.iter().map(|&d| DomainId(d)).collect())
    }

    /// A site's IT power now [W] (after its power cap).
    pub fn site_it_power(&self, site: SiteId) -> crate::units::Watts {
        self.sites[site.index()].power.it
    }

    /// The notices since the last call, in the order they arose.
    pub fn drain_notices(&mut self) -> std::vec::Drain<'_, Notice> {
        self.notices.drain(..)
    }

    // ----- commands ------------------------------------------------------

    /// Allocates `domains` (free, healthy, of one site and rack model) at
    /// `utilization` (0–1) from `now` on.
    pub fn allocate(
        &mut self,
        now: SimTime,
        domains: &[DomainId],
        utilization: f64,
    ) -> Result<AllocationId, ContractError> {
        let first = *domains.first().ok_or(ContractError::NoDomains)?;
        if !(0.0..=1.0).contains(&utilization) {
            return Err(ContractError::Utilization(utilization));
        }
        let rack_of = |d: DomainId| -> Result<&super::topology::Rack, ContractError> {
            let r = self
                .topo
                .domains
                .get(d.index())
                .ok_or(ContractError::UnknownDomain(d))?;
            Ok(&self.topo.racks[r.rack as usize])
        };
        let head = rack_of(first)?;
        let (site, rack_type) = (head.site, head.rack_type);
        if self.sites[site as usize].power.dark {
            return Err(ContractError::SiteDark(SiteId(site)));
        }
        let pool = self.spares.pool(site as usize, rack_type as usize);
        let mut sorted: Vec<u32> = Vec::with_capacity(domains.len());
        for &d in domains {
            let r = rack_of(d)?;
            if (r.site, r.rack_type) != (site, rack_type) {
                return Err(ContractError::Mixed(d));
            }
            if self.topo.domains[d.index()].free_pos == super::fleet::NOT_MEMBER {
                return Err(ContractError::NotFree(d));
            }
            sorted.push(d.0);
        }
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(ContractError::NotFree(DomainId(w[0])));
        }
        self.now = now;
        self.touch(site as usize);
        let id = self.allocations.len() as u32;
        let t = self.topo.types[rack_type as usize];
        let (load_mw, u_micros) = loads(t.dynamic, utilization);
        self.allocations.push(Some(Allocation {
            site,
            domains: domains.iter().map(|d| d.0).collect(),
            utilization,
            load_mw,
            u_micros,
        }));
        for &d in domains {
            self.free[pool].remove(d.0, &mut self.topo.domains);
            self.topo.domains[d.index()].allocation = id;
            self.hold_domain_chips(d.0, true);
        }
        self.settle();
        Ok(AllocationId(id))
    }

    /// Sets an allocation's utilization (0–1) from `now` on.
    pub fn set_utilization(
        &mut self,
        now: SimTime,
        id: AllocationId,
        utilization: f64,
    ) -> Result<(), ContractError> {
        if !(0.0..=1.0).contains(&utilization) {
            return Err(ContractError::Utilization(utilization));
        }
        let a = self
            .allocations
            .get(id.0 as usize)
            .and_then(Option::as_ref)
            .ok_or(ContractError::UnknownAllocation(id))?;
        let site = a.site as usize;
        let domains = a.domains.clone();
        self.now = now;
        self.touch(site);
        for &d in &domains {
            self.hold_domain_chips(d, false);
        }
        let rack_type = self.topo.racks[self.topo.domains[domains[0] as usize].rack as usize]
            .rack_type as usize;
        let (load_mw, u_micros) = loads(self.topo.types[rack_type].dynamic, utilization);
        let a = self.allocations[id.0 as usize]
            .as_mut()
            .expect("checked above");
        a.utilization = utilization;
        a.load_mw = load_mw;
        a.u_micros = u_micros;
        for &d in &domains {
            self.hold_domain_chips(d, true);
        }
        self.settle();
        Ok(())
    }

    /// Releases an allocation from `now` on: its healthy domains become
    /// free; retired ones are gone.
    pub fn release(&mut self, now: SimTime, id: AllocationId) -> Result<(), ContractError> {
        let a = self
            .allocations
            .get(id.0 as usize)
            .and_then(Option::as_ref)
            .ok_or(ContractError::UnknownAllocation(id))?;
        let site = a.site as usize;
        let domains = a.domains.clone();
        self.now = now;
        self.touch(site);
        for &d in &domains {
            self.hold_domain_chips(d, false);
            self.topo.domains[d as usize].allocation = NO_ALLOCATION;
            if self.topo.domain_healthy(d) {
                let pool = self.pool_of_domain(d);
                self.free[pool].insert(d, &mut self.topo.domains);
            }
        }
        self.allocations[id.0 as usize] = None;
        self.settle();
        Ok(())
    }

    /// Starts a flow from rack `from` to rack `to`, capped at `cap` (the
    /// NICs' rate, say; required between domains of one rack), from `now`
    /// on. Its rate, and the rates of the flows it slows, arrive as
    /// [`Notice::FlowRate`].
    pub fn start_flow(
        &mut self,
        now: SimTime,
        from: RackId,
        to: RackId,
        cap: Option<BitsPerSecond>,
    ) -> Result<FlowId, ContractError> {
        let site_of = |r: RackId| {
            self.topo
                .racks
                .get(r.index())
                .map(|rack| rack.site as usize)
                .ok_or(ContractError::UnknownRack(r))
        };
        let (a, b) = (site_of(from)?, site_of(to)?);
        let path = self
            .network
            .route((from.index(), a), (to.index(), b))
            .ok_or(ContractError::NoRoute(from, to))?;
        self.now = now;
        let (flow, changes) = self.network.fabric.start_flow(&path, cap)?;
        self.flow_notices(changes);
        Ok(flow)
    }

    /// Ends a flow from `now` on; the flows it leaves room to speed up
    /// arrive as [`Notice::FlowRate`].
    pub fn end_flow(&mut self, now: SimTime, flow: FlowId) -> Result<(), ContractError> {
        self.now = now;
        let changes = self.network.fabric.end_flow(flow)?;
        self.flow_notices(changes);
        Ok(())
    }

    /// A flow's rate now [bit/s], if it exists.
    pub fn flow_rate(&self, flow: FlowId) -> Option<BitsPerSecond> {
        self.network.fabric.rate(flow)
    }

    // ----- bookkeeping used by the other world files ---------------------

    /// The (site, rack model) pool index of a domain.
    fn pool_of_domain(&self, d: u32) -> usize {
        let rack = &self.topo.racks[self.topo.domains[d as usize].rack as usize];
        self.spares
            .pool(rack.site as usize, rack.rack_type as usize)
    }

    /// `chips` chips of a domain become available (`up`) or not: the site's
    /// power sums follow, and the allocation holding the domain, if any.
    pub(crate) fn chips_power(&mut self, domain: u32, chips: u64, up: bool) {
        let rack = &self.topo.racks[self.topo.domains[domain as usize].rack as usize];
        let t = &self.topo.types[rack.rack_type as usize];
        let (idle, dynamic) = (t.idle_mw, t.dynamic_mw);
        let p = &mut self.sites[rack.site as usize].power;
        if up {
            p.add_available(chips, idle, dynamic);
        } else {
            p.remove_available(chips, idle, dynamic);
        }
        let a = self.topo.domains[domain as usize].allocation;
        if a != NO_ALLOCATION {
            let a = self.allocations[a as usize].as_ref().expect("live");
            if up {
                p.hold(chips, dynamic, a.load_mw, a.u_micros);
            } else {
                p.release(chips, dynamic, a.load_mw, a.u_micros);
            }
        }
    }

    /// Moves a domain's healthy chips under its allocation's load (`up`)
    /// or out of it; no-op for a domain no allocation holds. The chips'
    /// availability is the caller's.
    pub(crate) fn hold_domain_chips(&mut self, domain: u32, up: bool) {
        let a = self.topo.domains[domain as usize].allocation;
        if a == NO_ALLOCATION {
            return;
        }
        let rack = &self.topo.racks[self.topo.domains[domain as usize].rack as usize];
        if rack.power_down || rack.retired {
            return;
        }
        let chips = self.topo.domain_healthy_chips(domain);
        let dynamic = self.topo.types[rack.rack_type as usize].dynamic_mw;
        let a = self.allocations[a as usize].as_ref().expect("live");
        let p = &mut self.sites[rack.site as usize].power;
        if up {
            p.hold(chips, dynamic, a.load_mw, a.u_micros);
        } else {
            p.release(chips, dynamic, a.load_mw, a.u_micros);
        }
    }

    fn allocation_of(&self, domain: u32) -> Option<AllocationId> {
        let a = self.topo.domains[domain as usize].allocation;
        (a != NO_ALLOCATION).then_some(AllocationId(a))
    }

    /// A healthy domain goes down: out of the free set, or noticed to its
    /// allocation.
    pub(crate) fn domain_lost(&mut self, domain: u32, cause: DownCause) {
        let allocation = self.allocation_of(domain);
        if allocation.is_none() {
            let pool = self.pool_of_domain(domain);
            self.free[pool].remove(domain, &mut self.topo.domains);
        }
        self.notices.push(Notice::DomainDown {
            domain: DomainId(domain),
            allocation,
            cause,
        });
    }

    /// A domain is healthy again: back in the free set, or noticed to its
    /// allocation.
    pub(crate) fn domain_regained(&mut self, domain: u32) {
        let allocation = self.allocation_of(domain);
        if allocation.is_none() {
            let pool = self.pool_of_domain(domain);
            self.free[pool].insert(domain, &mut self.topo.domains);
        }
        self.notices.push(Notice::DomainUp {
            domain: DomainId(domain),
            allocation,
        });
    }

    /// A site goes dark or comes back: notices for the site and for each
    /// healthy domain an allocation holds there (O(allocations); outages are
    /// rare).
    pub(crate) fn site_dark_notices(&mut self, site: usize, dark: bool) {
        let s = SiteId(site as u32);
        self.notices.push(if dark {
            Notice::SiteDown { site: s }
        } else {
            Notice::SiteUp { site: s }
        });
        for (i, a) in self.allocations.iter().enumerate() {
            let Some(a) = a.as_ref().filter(|a| a.site as usize == site) else {
                continue;
            };
            for &d in &a.domains {
                if !self.topo.domain_healthy(d) {
                    continue;
                }
                let (domain, allocation) = (DomainId(d), Some(AllocationId(i as u32)));
                self.notices.push(if dark {
                    Notice::DomainDown {
                        domain,
                        allocation,
                        cause: DownCause::SiteOutage,
                    }
                } else {
                    Notice::DomainUp { domain, allocation }
                });
            }
        }
    }

    /// Turns the fabric's rate changes into notices.
    pub(crate) fn flow_notices(&mut self, changes: Vec<RateChange>) {
        self.notices
            .extend(changes.into_iter().map(|c| Notice::FlowRate {
                flow: c.flow,
                rate: c.new,
            }));
    }

    /// Sets a rack's uplink and downlink up or down in the fabric.
    pub(crate) fn set_rack_network(&mut self, rack: u32, up: bool) {
        let changes = self.network.set_rack_up(rack as usize, up);
        self.flow_notices(changes);
    }
}

/// Per-chip dynamic draw [mW] and utilization [millionths] at `u`.
fn loads(dynamic: crate::units::Watts, u: f64) -> (i64, i64) {
    (milliwatts(dynamic * u), (u * 1e6).round() as i64)
}
