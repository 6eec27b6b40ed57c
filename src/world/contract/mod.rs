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
//!   [`World::set_background_utilization`] for the chips no allocation holds;
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

use crate::catalog::failures::FailureKind;
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
    /// One of its nodes failed, with a failure of this class.
    Node(FailureKind),
    /// Its rack's uplink to the spine failed (a switch or cable): its chips
    /// are powered but cut off from the fabric.
    Uplink,
    /// Its rack lost power.
    RackPower,
    /// Its site went dark.
    SiteOutage,
    /// Its rack went dark for planned maintenance: announced, so its
    /// holder drained it first (a training job checkpointed, a service
    /// moved the replica); back when the window closes.
    Maintenance,
    /// Its rack reached end of life (the domain never comes back). Sent
    /// for every domain an allocation holds in a retiring rack, even one
    /// already down for another cause.
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
    /// The allocation does not hold the domain.
    #[error("allocation {1:?} does not hold domain {0:?}")]
    NotHeld(DomainId, AllocationId),
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
    /// Its rack model (the scenario's rack type index).
    pub rack_type: usize,
    pub domains: Vec<u32>,
    /// TDP − idle per chip of its rack model [W].
    pub dynamic: crate::units::Watts,
    /// TDP − idle per chip of its rack model [mW].
    pub dynamic_mw: i64,
    /// Dynamic draw per chip at its utilization [mW].
    pub load_mw: i64,
    /// Utilization in millionths.
    pub u_micros: i64,
    /// Its chips that are healthy and powered now (drawing at its load).
    pub held_chips: u64,
}

/// A change of one rack's free domain count not yet applied to the
/// free-count index: a command that frees or takes many domains moves each
/// rack once per run of its domains, not once per domain.
#[derive(Default)]
pub(super) struct RackRun {
    rack: u32,
    delta: i32,
}

/// Per-chip dynamic draw [mW] and utilization [millionths] at `u`.
pub(super) fn loads(dynamic: crate::units::Watts, u: f64) -> (i64, i64) {
    (milliwatts(dynamic * u), (u * 1e6).round() as i64)
}

mod capacity;
mod commands;
mod domains;
mod free;
#[cfg(test)]
mod tests;
