//! A power cap slows serving by the law that slows training (issue 21
//! item 6): a capped site's chips run at `s^(1/3)` of full speed (the DVFS
//! cube law, docs/models/power.md), so its replicas' prefill FLOP/s and
//! decode HBM bandwidth are multiplied by it, and the service's capacity
//! and latencies show it.
//!
//! Fixture (below): one HGX H100 rack (32 H100, 18.4 kW overhead), PUE 1,
//! a Llama 3.1 8B service of one-chip copies (8 to a replica of one
//! server, no all-reduce), 4 replicas held fixed, demand far beyond them
//! (dropped), so every chip runs at utilization 1. The grid G is chosen
//! for a cap factor s = 1/2:
//!   s = (G − overhead − 32 · idle) / (32 · (TDP − idle)).

use dcsim::catalog::Catalog;
use dcsim::workload::serving::roofline::{Replica, model};

use crate::internals::common::{Edit, assert_rel, load_text, run};

const SCENARIO: &str = concat!(
    r#"
name = "serving-capped"
start = "2026-01-01"
duration = "6h"
seed = 1
sample_every = "1h"

"#,
    no_failures!(),
    r#"software = { rate_per_million_hours = 0 }

[[sites]]
name = "east"
grid_mw = GRID
pue = 1.0
power_oversubscription = 2

[[sites.buildout]]
rack = "hgx-h100"
count = 1
date = "2026-01-01"

[[services]]
name = "chat"
model = "llama-3.1-8b"
rack = "hgx-h100"
tensor_parallel = 1
input_tokens = 1000
output_tokens = 250
rate_per_s = 100000
min_replicas = 4
max_replicas = 4
scale_up_delay = "5min"
"#
);

/// (overhead, Σ idle, Σ dynamic) of the rack's 32 chips [W].
fn rack_power() -> (f64, f64, f64) {
    let c = Catalog::builtin();
    let rack = c.rack("hgx-h100").unwrap();
    let chip = c.chip("h100").unwrap();
    let n = f64::from(rack.chips);
    assert_eq!(n, 32.0);
    (
        rack.overhead.0,
        n * chip.idle.0,
        n * (chip.tdp.0 - chip.idle.0),
    )
}

#[test]
fn a_power_cap_slows_serving_by_the_cube_law() {
    let (overhead, idle, dynamic) = rack_power();
    // G for s = 1/2, in MW as the scenario states it.
    let grid_mw = (overhead + idle + 0.5 * dynamic) / 1e6;
    let (capped, _) = run(&load_text(&SCENARIO.edit("GRID", &grid_mw.to_string())));
    let (free, _) = run(&load_text(&SCENARIO.edit("GRID", "100")));
    let s = (grid_mw * 1e6 - overhead - idle) / dynamic;
    assert_rel(s, 0.5, 1e-12, "cap factor by hand");
    let speed = s.cbrt();
    // The replicas serve from 5 min, at utilization 1 from the epoch at
    // 15 min, whose load sets the cap; the epochs from 30 min on run at
    // its speed. Rows from 2 h hold only those.
    let late = |rows: &[dcsim::record::ServiceRow]| -> Vec<dcsim::record::ServiceRow> {
        rows.iter().filter(|r| r.time_h >= 2.0).cloned().collect()
    };
    let (c, f) = (late(&capped.services), late(&free.services));
    assert_eq!(c.len(), 5);
    // One copy's top rate at full speed, from the roofline; 32 copies.
    let catalog = Catalog::builtin();
    let replica = Replica::new(
        model("llama-3.1-8b").unwrap().spec,
        catalog.chip("h100").unwrap(),
        1,
    )
    .unwrap();
    let mu = replica.max_service_rate(1000.0, 250.0, u64::MAX);
    for (rc, rf) in c.iter().zip(&f) {
        assert_eq!((rc.replicas, rf.replicas), (4, 4));
        assert_rel(rf.capacity_rps, 32.0 * mu, 1e-9, "full-speed capacity");
        assert_rel(rc.utilization, 1.0, 1e-12, "saturated");
        // With one chip a copy, no all-reduce: every time of the
        // roofline is divided by the speed, every rate multiplied by it.
        assert_rel(rc.capacity_rps, 32.0 * mu * speed, 1e-9, "capped capacity");
        assert_rel(rc.served_rps, rf.served_rps * speed, 1e-9, "served");
        assert_rel(rc.tpot_p99_s, rf.tpot_p99_s / speed, 1e-9, "TPOT p99");
        assert_rel(rc.tpot_mean_s, rf.tpot_mean_s / speed, 1e-9, "TPOT mean");
        assert!(rc.ttft_p99_s > rf.ttft_p99_s, "{rc:?}");
    }
    for r in capped.samples.iter().filter(|r| r.time_h >= 1.0) {
        assert_rel(r.power_cap_factor, 0.5, 1e-9, "cap factor");
    }
    for r in &free.samples {
        assert_eq!(r.power_cap_factor, 1.0);
    }
}
