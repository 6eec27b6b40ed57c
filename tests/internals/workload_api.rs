//! The world's workload API, driven as a workload would: allocate
//! scale-up domains, see a node failure under the allocation named in a
//! notice, set utilization and see the power, start flows and see their max-
//! min fair rates, release. And the world's rows agree with its fabric.

use dcsim::engine::{Engine, Handler, SimDuration, SimTime};
use dcsim::output::memory::MemoryRecorder;
use dcsim::sim::{self, Model};
use dcsim::units::BitsPerSecond;
use dcsim::world::workload_api::{CommandError, DownCause, Notice};
use dcsim::world::{self, DomainId, RackId, RackTypeId, SiteId, World};

use crate::internals::common::{Edit, load_text};

/// Two racks of 8 chips in 4 two-chip nodes, scale-up domains of 4 chips
/// (2 nodes): 4 domains. Chips: 100 W idle, 1,100 W TDP (1,000 W dynamic
/// range); 1 kW overhead per rack; PUE 1; background load 0.5. Only GPU
/// failures, a node about every 250 h, repaired in 10 h, no spares.
const SCENARIO: &str = concat!(
    r#"
name = "contract"
start = "2026-01-01"
duration = "2000h"
seed = 5

[load]
utilization = 0.5

[failures]
gpu = { rate_per_million_hours = 2000, repair = { kind = "fixed", value = "10h" } }
"#,
    other_failures_zero!(),
    r#"
"#,
    unit_chip!(),
    r#"
"#,
    quad_rack!(),
    r#"
[[sites]]
name = "lab"
grid_mw = 1
pue = 1.0

[[sites.buildout]]
rack = "quad"
count = 2
date = "2026-01-01"
"#
);

/// Drives a bare world on an engine, keeping its notices.
struct Driver<'s> {
    world: World<'s>,
    notices: Vec<Notice>,
}

impl Driver<'_> {
    fn flush(&mut self, engine: &mut Engine<world::Event>) {
        for (at, e) in self.world.drain_scheduled() {
            engine.schedule_at(at, e).unwrap();
        }
        self.notices.extend(self.world.drain_notices());
    }

    /// Runs events until a notice matches `want`, returning it.
    fn until(
        &mut self,
        engine: &mut Engine<world::Event>,
        want: impl Fn(&Notice) -> bool,
    ) -> Notice {
        loop {
            if let Some(i) = self.notices.iter().position(&want) {
                let n = self.notices[i];
                self.notices.drain(..=i);
                return n;
            }
            assert!(engine.step(self), "the run ended before the notice came");
        }
    }
}

impl Handler<world::Event> for Driver<'_> {
    fn handle(&mut self, engine: &mut Engine<world::Event>, event: world::Event) {
        self.world.handle(engine.now(), event);
        self.flush(engine);
    }
}

const SITE: SiteId = SiteId(0);
const QUAD: RackTypeId = RackTypeId(0);

#[test]
fn a_workload_allocates_sees_failures_sets_power_and_flows() {
    let scenario = load_text(SCENARIO);
    let mut engine = Engine::new();
    let mut d = Driver {
        world: World::new(&scenario.run, &scenario.world),
        notices: Vec::new(),
    };
    d.flush(&mut engine);
    let commissioned = d.until(&mut engine, |n| {
        matches!(n, Notice::RacksCommissioned { .. })
    });
    assert_eq!(
        commissioned,
        Notice::RacksCommissioned {
            site: SITE,
            rack_type: QUAD,
            first: RackId(0),
            count: 2
        }
    );
    // Let the first instant finish so the site's power is refreshed.
    engine.run_until(&mut d, SimTime::ZERO);
    assert_eq!(d.world.capacity(SITE, QUAD), 4);
    assert_eq!(d.world.domain_chips(QUAD), 4);
    // Every chip at the background 0.5: 2 × 1,000 + 16 × (100 + 500) = 11,600 W.
    assert_eq!(d.world.site_it_power(SITE).0, 11_600.0);

    // Refusals, each leaving the world unchanged.
    let now = engine.now();
    let free: Vec<DomainId> = d.world.free_domains(SITE, QUAD).collect();
    assert_eq!(
        d.world.allocate(now, &[], 1.0),
        Err(CommandError::NoDomains)
    );
    assert_eq!(
        d.world.allocate(now, &[free[0], free[0]], 1.0),
        Err(CommandError::NotFree(free[0]))
    );
    assert_eq!(
        d.world.allocate(now, &[free[0]], 1.5),
        Err(CommandError::Utilization(1.5))
    );
    assert_eq!(
        d.world.allocate(now, &[DomainId(99)], 1.0),
        Err(CommandError::UnknownDomain(DomainId(99)))
    );
    assert_eq!(d.world.capacity(SITE, QUAD), 4);

    // Two domains (8 chips) at full load.
    let a = d.world.allocate(now, &free[..2], 1.0).unwrap();
    assert_eq!(d.world.capacity(SITE, QUAD), 2);
    assert_eq!(
        d.world.allocate(now, &free[..1], 1.0),
        Err(CommandError::NotFree(free[0]))
    );
    // 2,000 + 16 × 100 + 8 × 1,000 + 8 × 500 = 15,600 W.
    assert_eq!(d.world.site_it_power(SITE).0, 15_600.0);
    d.world.set_utilization(now, a, 0.25).unwrap();
    // 2,000 + 1,600 + 8 × 250 + 8 × 500 = 9,600 W.
    assert_eq!(d.world.site_it_power(SITE).0, 9_600.0);
    d.world.release(now, a).unwrap();
    assert_eq!(d.world.capacity(SITE, QUAD), 4);
    assert_eq!(d.world.site_it_power(SITE).0, 11_600.0);
    assert_eq!(
        d.world.release(now, a),
        Err(CommandError::UnknownAllocation(a))
    );

    // Chips no allocation holds idle: 2,000 + 1,600 + 8 × 250 = 5,600 W.
    let c = d.world.allocate(now, &free[..2], 0.25).unwrap();
    d.world.set_background_utilization(now, 0.0).unwrap();
    assert_eq!(d.world.site_it_power(SITE).0, 5_600.0);
    d.world.set_background_utilization(now, 0.5).unwrap();
    d.world.release(now, c).unwrap();
    assert_eq!(d.world.site_it_power(SITE).0, 11_600.0);

    // All four domains at 0.25: 2,000 + 16 × (100 + 250) = 7,600 W.
    let all: Vec<DomainId> = d.world.free_domains(SITE, QUAD).collect();
    let b = d.world.allocate(now, &all, 0.25).unwrap();
    assert_eq!(d.world.site_it_power(SITE).0, 7_600.0);
    assert_eq!(d.world.capacity(SITE, QUAD), 0);

    // The first failure strikes a node of one of b's domains.
    let down = d.until(&mut engine, |n| matches!(n, Notice::DomainDown { .. }));
    let Notice::DomainDown {
        domain,
        allocation,
        cause,
    } = down
    else {
        unreachable!()
    };
    assert_eq!(allocation, Some(b), "the notice names the allocation");
    assert!(matches!(cause, DownCause::Node(_)), "{cause:?}");
    assert!(all.contains(&domain));
    let failed_at = engine.now();
    engine.run_until(&mut d, failed_at);
    // The failed node's 2 chips draw nothing: 2,000 + 14 × 350 = 6,900 W.
    assert_eq!(d.world.site_it_power(SITE).0, 6_900.0);
    assert_eq!(d.world.capacity(SITE, QUAD), 0, "b keeps its domains");
    // Utilization changes reach only b's 14 live chips:
    // 2,000 + 14 × 100 + 14 × 1,000 = 17,400 W, then back to 6,900 W.
    d.world.set_utilization(failed_at, b, 1.0).unwrap();
    assert_eq!(d.world.site_it_power(SITE).0, 17_400.0);
    d.world.set_utilization(failed_at, b, 0.25).unwrap();
    assert_eq!(d.world.site_it_power(SITE).0, 6_900.0);

    // Repaired 10 h later: the domain is back, still b's.
    let up = d.until(
        &mut engine,
        |n| matches!(n, Notice::DomainUp { domain: x, .. } if *x == domain),
    );
    assert_eq!(
        up,
        Notice::DomainUp {
            domain,
            allocation: Some(b)
        }
    );
    assert_eq!(engine.now(), failed_at + SimDuration::from_hours(10));

    // Flows between the racks: each rack's uplink carries 8 × 100 Gb/s.
    let now = engine.now();
    d.notices.clear();
    assert_eq!(d.world.drain_notices().count(), 0);
    let f1 = d.world.start_flow(now, RackId(0), RackId(1), None).unwrap();
    assert_eq!(d.world.flow_rate(f1), Some(BitsPerSecond::from_gbps(800.0)));
    assert_eq!(
        d.world.drain_notices().collect::<Vec<_>>(),
        vec![Notice::FlowRate {
            flow: f1,
            rate: BitsPerSecond::from_gbps(800.0)
        }],
        "the new flow's rate arrives as a notice"
    );
    let f2 = d.world.start_flow(now, RackId(0), RackId(1), None).unwrap();
    let rates: Vec<Notice> = d.world.drain_notices().collect();
    assert!(rates.contains(&Notice::FlowRate {
        flow: f1,
        rate: BitsPerSecond::from_gbps(400.0)
    }));
    assert!(rates.contains(&Notice::FlowRate {
        flow: f2,
        rate: BitsPerSecond::from_gbps(400.0)
    }));
    d.world.end_flow(now, f2).unwrap();
    assert_eq!(
        d.world.drain_notices().collect::<Vec<_>>(),
        vec![Notice::FlowRate {
            flow: f1,
            rate: BitsPerSecond::from_gbps(800.0)
        }]
    );
    assert!(matches!(
        d.world.start_flow(now, RackId(0), RackId(0), None),
        Err(CommandError::Fabric(_))
    ));

    // Released, b's healthy domains are free again.
    d.world.release(now, b).unwrap();
    let healthy = all
        .iter()
        .filter(|x| d.world.free_domains(SITE, QUAD).any(|f| f == **x))
        .count();
    assert_eq!(d.world.capacity(SITE, QUAD), healthy);
    assert!(healthy >= 3, "at most one node is down 10 h after a repair");
}

/// Rack uplinks and an inter-site link fail and are repaired often; at each
/// sample, the links down in the rows equal the links down in the fabric.
/// (Rack power failures are off: an unpowered rack's links are down in the
/// fabric but the rows count failed links only.)
#[test]
fn links_down_in_the_rows_equal_links_down_in_the_fabric() {
    let text = SCENARIO
        .edit(
            "switch_cable = { rate_per_million_hours = 0 }",
            "switch_cable = { rate_per_million_hours = 3000, repair = { kind = \"exponential\", mean = \"30h\" } }",
        )
        .edit(
            "dci_link = { rate_per_million_hours = 0 }",
            "dci_link = { rate_per_million_hours = 20000, repair = { kind = \"exponential\", mean = \"20h\" } }",
        )
        + "\n[[sites]]\nname = \"annex\"\ngrid_mw = 1\npue = 1.0\n\n[[sites.buildout]]\nrack = \"quad\"\ncount = 3\ndate = \"2026-01-01\"\n\n[[links]]\nfrom = \"lab\"\nto = \"annex\"\nbandwidth_gbit_per_s = 100\nlatency = \"5ms\"\n";
    let scenario = load_text(&text);
    let mut engine: Engine<sim::Event> = Engine::new();
    let mut model = Model::new(&scenario, MemoryRecorder::default(), &mut engine);
    let mut t = SimTime::ZERO;
    let mut seen_down = 0;
    while t < scenario.run.end {
        t = (t + scenario.run.sample_every).min(scenario.run.end);
        engine.run_until(&mut model, t);
        let fabric = &model.world().network().fabric;
        let down = (0..fabric.link_count())
            .filter(|&l| !fabric.is_up(dcsim::world::fabric::LinkId(l as u32)))
            .count();
        let rows = model.recorder().samples.iter().rev().take(2);
        let in_rows: u32 = rows.map(|r| r.links_down).sum();
        // Each failed rack uplink or inter-site link is two fabric links.
        assert_eq!(down, 2 * in_rows as usize, "at {t:?}");
        seen_down += in_rows;
    }
    assert!(seen_down > 50, "links failed often enough: {seen_down}");
}
