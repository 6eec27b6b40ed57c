//! The world's workload API: what a workload (training jobs, inference
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
pub enum CommandError {
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

/// Domains held by one workload: 64 bytes, one cache line (a year of 40
/// Frontiers makes about 620,000, and every phase change of a job reads
/// its own).
#[derive(Clone, Debug)]
#[repr(align(64))]
pub(crate) struct Allocation {
    pub site: u32,
    /// Its rack model (the scenario's rack type index).
    pub rack_type: u32,
    pub domains: Vec<u32>,
    /// TDP − idle per chip of its rack model [mW].
    pub dynamic_milliwatts: i64,
    /// Dynamic draw per chip at its utilization [mW].
    pub load_milliwatts: i64,
    /// Utilization in millionths.
    pub u_micros: i64,
    /// Its chips that are healthy and powered now (drawing at its load).
    pub held_chips: u64,
}

const _: () = assert!(std::mem::size_of::<Option<Allocation>>() == 64);

/// A change of one rack's free domain count not yet applied to the
/// free-count index: a command that frees or takes many domains moves each
/// rack once per run of its domains, not once per domain.
#[derive(Default)]
pub(super) struct RackRun {
    rack: u32,
    delta: i32,
}

/// Per-chip dynamic draw [mW] and utilization [millionths] at `u`, for
/// chips of `dynamic` (TDP − idle) and `dynamic_milliwatts` (the same in
/// mW, rounded). Idle and full load — what training jobs set at every
/// phase — are read without rounding again: the same values.
pub(super) fn loads(dynamic: crate::units::Watts, dynamic_milliwatts: i64, u: f64) -> (i64, i64) {
    if u == 0.0 {
        (0, 0)
    } else if u == 1.0 {
        (dynamic_milliwatts, 1_000_000)
    } else {
        (milliwatts(dynamic * u), (u * 1e6).round() as i64)
    }
}

mod capacity;
mod commands;
mod domains;
mod free;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Handler};
    use crate::scenario::{Overrides, load_str};
    use crate::world::Event;
    use rand::{RngExt, SeedableRng};

    /// Two sites, two rack models, every failure class frequent.
    const SCENARIO: &str = r#"
    name = "workload-api-props"
    start = "2026-01-01"
    duration = "300d"
    seed = 21
    [load]
    utilization = 0.4
    [spares]
    swap_time = "2h"
    [failures]
    gpu = { rate_per_million_hours = 3000 }
    gpu_other = { rate_per_million_hours = 1000 }
    host = { rate_per_million_hours = 3000 }
    switch_cable = { rate_per_million_hours = 300 }
    rack_power = { rate_per_million_hours = 2000 }
    site_outage = { rate_per_million_hours = 1000 }
    [[chips]]
    name = "unit"
    bf16_tflops = 100
    hbm_gb = 10
    hbm_tb_per_s = 1
    tdp_w = 1100
    idle_w = 100
    scaleup_gb_per_s = 100
    [[racks]]
    name = "quad"
    chip = "unit"
    chips = 8
    nodes = 4
    scaleup_domain = 4
    overhead_kw = 1
    scaleout_gbit_per_s = 100
    [[sites]]
    name = "a"
    grid_mw = 1
    pue = 1.2
    [[sites.buildout]]
    rack = "quad"
    count = 6
    date = "2026-01-01"
    spare_nodes = 1
    [[sites.buildout]]
    rack = "hgx-h100"
    count = 2
    date = "2026-01-01"
    end_of_life = "30d"
    [[sites]]
    name = "b"
    grid_mw = 1
    pue = 1.2
    [[sites.buildout]]
    rack = "quad"
    count = 4
    date = "2026-01-10"
    "#;

    /// Runs a world's own events (failures, repairs, deliveries) with no
    /// workload listening: its notices are dropped. Also used by the
    /// commands' tests.
    pub(super) struct Driver<'s>(pub(super) World<'s>);

    impl Handler<Event> for Driver<'_> {
        fn handle(&mut self, engine: &mut Engine<Event>, event: Event) {
            self.0.handle(engine.now(), event);
            for (at, e) in self.0.drain_scheduled() {
                engine.schedule_at(at, e).unwrap();
            }
            self.0.drain_notices().for_each(drop);
        }
    }

    /// Each site's integer power sums and its counts per rack model,
    /// recomputed from scratch over every rack and domain, equal the ones
    /// kept incrementally; and the free sets hold exactly the healthy
    /// domains no allocation holds.
    fn check(w: &World) {
        let mut want = vec![(0i64, 0i64, 0i64, 0i64, 0u64); w.sites.len()];
        // By (site, rack model): racks online, chips online, available, held.
        let types = w.topo.types.len();
        let mut models = vec![(0u32, 0u64, 0u64, 0u64); w.sites.len() * types];
        for rack in w.topo.racks.iter().filter(|r| !r.retired) {
            let m = &mut models[rack.site as usize * types + rack.rack_type as usize];
            m.0 += 1;
            m.1 += u64::from(w.topo.types[rack.rack_type as usize].chips);
        }
        for (i, d) in w.topo.domains.iter().enumerate() {
            let rack = &w.topo.racks[d.rack as usize];
            let t = &w.topo.types[rack.rack_type as usize];
            let healthy = w.topo.domain_healthy(i as u32);
            let free = w.topo.is_free(i as u32);
            assert_eq!(w.topo.rack_of(i as u32), d.rack, "domain {i}");
            let whole = w.topo.whole_bits[i / 64] >> (i % 64) & 1 != 0;
            assert_eq!(whole, d.down_nodes == 0, "domain {i}");
            let held = w.allocation_of(i as u32);
            assert_eq!(free, healthy && held.is_none(), "domain {i}");
            if rack.power_down || rack.retired {
                continue;
            }
            let chips = w.topo.domain_healthy_chips(i as u32);
            let m = &mut models[rack.site as usize * types + rack.rack_type as usize];
            m.2 += chips;
            if held.is_some() {
                m.3 += chips;
            }
            let s = &mut want[rack.site as usize];
            s.0 += chips as i64 * t.idle_milliwatts;
            s.1 += chips as i64 * t.dynamic_milliwatts;
            if let Some(id) = held {
                let a = w.allocations[id.0 as usize].as_ref().unwrap();
                s.2 += chips as i64 * a.load_milliwatts;
                s.3 += chips as i64 * t.dynamic_milliwatts;
                s.4 += chips;
            }
        }
        for (site, s) in w.sites.iter().enumerate() {
            let p = &s.power;
            assert_eq!(
                (
                    p.idle_milliwatts,
                    p.dynamic_milliwatts,
                    p.held_load_milliwatts,
                    p.held_dynamic_milliwatts,
                    p.held_chips
                ),
                want[site],
                "site {site}"
            );
            for m in p.models() {
                assert_eq!(
                    (
                        m.racks_online,
                        m.chips_online,
                        m.chips_available,
                        m.chips_held
                    ),
                    models[site * types + m.rack_type],
                    "site {site} rack model {}",
                    m.rack_type
                );
            }
            let tracked: u64 = p.models().iter().map(|m| m.chips_online).sum();
            assert_eq!(tracked, p.chips_online, "site {site}: every model tracked");
        }
    }

    #[test]
    fn power_and_capacity_stay_exact_under_random_commands_and_failures() {
        let scenario = load_str("props.toml", SCENARIO, None, &Overrides::default()).unwrap();
        let mut engine = Engine::new();
        let mut d = Driver(World::new(&scenario.run, &scenario.world));
        for (at, e) in d.0.drain_scheduled() {
            engine.schedule_at(at, e).unwrap();
        }
        let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
        let mut live: Vec<AllocationId> = Vec::new();
        let mut steps = 0;
        // Events after which some allocation was live (checked with one).
        let mut steps_holding = 0;
        while engine.step(&mut d) {
            steps += 1;
            let now = engine.now();
            let w = &mut d.0;
            match rng.random_range(0..6) {
                4 if !live.is_empty() => {
                    let a = live[rng.random_range(0..live.len())];
                    let held = w.allocation_domains(a).unwrap();
                    let rack = w.domain_rack(held[0]);
                    let (site, model) = (w.rack_site(rack), w.topo.racks[rack.index()].rack_type);
                    let free: Vec<DomainId> = w.free_domains(site, RackTypeId(model)).collect();
                    if !free.is_empty() {
                        let n = rng.random_range(1..=free.len().min(3));
                        w.extend(now, a, &free[..n]).unwrap();
                        let held_after = w.allocation_domains(a).unwrap();
                        assert_eq!(held_after.len(), held.len() + n);
                    }
                }
                5 if !live.is_empty() => {
                    let a = live[rng.random_range(0..live.len())];
                    let held = w.allocation_domains(a).unwrap();
                    if held.len() > 1 {
                        let n = rng.random_range(1..held.len());
                        w.shrink(now, a, &held[..n]).unwrap();
                        let mut left = w.allocation_domains(a).unwrap();
                        left.sort_unstable();
                        let mut want = held[n..].to_vec();
                        want.sort_unstable();
                        assert_eq!(left, want);
                        for (k, d) in w.allocation_domains(a).unwrap().iter().enumerate() {
                            assert_eq!(w.topo.holder_pos[d.index()] as usize, k);
                        }
                        assert_eq!(w.shrink(now, a, &want), Err(CommandError::NoDomains));
                    }
                }
                0 => {
                    let site = SiteId(rng.random_range(0..2));
                    let model = RackTypeId(rng.random_range(0..2));
                    let free: Vec<DomainId> = w.free_domains(site, model).collect();
                    if !free.is_empty() {
                        let n = rng.random_range(1..=free.len().min(5));
                        let u = rng.random_range(0.0..=1.0);
                        live.push(w.allocate(now, &free[..n], u).unwrap());
                    }
                }
                1 if !live.is_empty() => {
                    let i = rng.random_range(0..live.len());
                    w.set_utilization(now, live[i], rng.random_range(0.0..=1.0))
                        .unwrap();
                }
                2 if !live.is_empty() => {
                    let i = rng.random_range(0..live.len());
                    w.release(now, live.swap_remove(i)).unwrap();
                }
                _ => {}
            }
            check(w);
            if !live.is_empty() {
                steps_holding += 1;
            }
            if steps % 500 == 0 {
                // Off and on again: the per-rack counts are rebuilt.
                w.set_listening(false);
                w.set_listening(true);
            }
            // Packing from the per-rack index chooses what a sort of the
            // whole pool chooses.
            for site in [SiteId(0), SiteId(1)] {
                for model in [RackTypeId(0), RackTypeId(1)] {
                    let free: Vec<(DomainId, RackId)> = w
                        .free_domains(site, model)
                        .map(|d| (d, w.domain_rack(d)))
                        .collect();
                    for needed in [1, 2, 3, 5, 8] {
                        let indexed = crate::policy::placement::pack_at(w, site, model, needed);
                        let sorted = crate::policy::placement::pack(&free, needed);
                        assert_eq!(
                            indexed, sorted,
                            "site {site:?} model {model:?} needed {needed}"
                        );
                    }
                    // The single domain a job replaces a down one with.
                    let one = crate::policy::placement::pack_one(w, site, model);
                    let sorted = crate::policy::placement::pack(&free, 1);
                    assert_eq!(
                        one,
                        sorted.map(|d| d[0]),
                        "site {site:?} model {model:?} one"
                    );
                }
            }
        }
        assert!(steps > 3_000, "{steps} events");
        // The checks ran with allocations in place for a good share of the
        // run (about 45% of events; whether one is live at the very end is
        // a coin toss of the command stream).
        assert!(
            steps_holding * 4 > steps,
            "{steps_holding} of {steps} events with a live allocation"
        );
    }
}
