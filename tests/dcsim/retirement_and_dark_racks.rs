//! Decisions of issue 6, item 8, pinned: a rack whose power is down cannot
//! have its uplink fail (its switch is dark with it), and a retiring phase
//! takes its spare nodes out of the pool.

use crate::common::{Edit, load_text, run};
use dcsim::rows::Component;

const BASE: &str = r#"
name = "dark-racks"
start = "2026-01-01"
duration = "200d"
seed = 13

[output]
failures_log = true

[failures]
gpu = { rate_per_million_hours = 0 }
hbm = { rate_per_million_hours = 0 }
gpu_other = { rate_per_million_hours = 0 }
host = { rate_per_million_hours = 0 }
nic = { rate_per_million_hours = 0 }
switch_cable = { rate_per_million_hours = 400, repair = { kind = "fixed", value = "5h" } }
rack_power = { rate_per_million_hours = 4000, repair = { kind = "fixed", value = "50h" } }
site_outage = { rate_per_million_hours = 0 }
dci_link = { rate_per_million_hours = 0 }

[[chips]]
name = "unit"
bf16_tflops = 100
hbm_gb = 10
hbm_tb_per_s = 1
tdp_w = 1000
idle_w = 200
scaleup_gb_per_s = 100

[[racks]]
name = "quad"
chip = "unit"
chips = 8
nodes = 4
overhead_kw = 1
scaleout_gbit_per_s = 100

[[sites]]
name = "shop"
grid_mw = 1
pue = 1.2

[[sites.buildout]]
rack = "quad"
count = 20
date = "2026-01-01"
"#;

#[test]
fn no_uplink_fails_while_its_rack_is_dark() {
    // A rack loses power every 250 h for 50 h (17% of the time); an uplink
    // fails every 8 × 400 / 1e6 → 312 h. Both laws are exponential.
    let (rec, s) = run(&load_text(BASE));
    let mut dark: Vec<Vec<(f64, f64)>> = vec![Vec::new(); 20];
    for f in rec
        .failures
        .iter()
        .filter(|f| f.class.key() == "rack_power")
    {
        let Component::RackPower { rack } = f.component else {
            panic!("a rack_power failure of {}", f.component)
        };
        let r = rack as usize;
        dark[r].push((f.time_h, f.time_h + f.downtime_h));
    }
    let uplinks: Vec<_> = rec
        .failures
        .iter()
        .filter(|f| f.class.key() == "switch_cable")
        .collect();
    assert!(
        uplinks.len() > 100 && s.failures_total() > 400,
        "enough failures"
    );
    for f in uplinks {
        let Component::Uplink { rack } = f.component else {
            panic!("a switch_cable failure of {}", f.component)
        };
        let r = rack as usize;
        assert!(
            !dark[r].iter().any(|&(a, b)| a <= f.time_h && f.time_h < b),
            "uplink of rack {r} failed at {} h while the rack was dark",
            f.time_h
        );
    }
}

#[test]
fn a_retiring_phase_takes_its_spares_out_of_the_pool() {
    // Two phases of one model at one site share a pool: 5 + 2 spares. The
    // first retires after 30 days; no node fails, so all spares are ready.
    let text = BASE
        .edit("rate_per_million_hours = 4000", "rate_per_million_hours = 0")
        .edit("rate_per_million_hours = 400,", "rate_per_million_hours = 0,")
        .edit(
            "count = 20\ndate = \"2026-01-01\"\n",
            "count = 20\ndate = \"2026-01-01\"\nspare_nodes = 5\nend_of_life = \"30d\"\n\n[[sites.buildout]]\nrack = \"quad\"\ncount = 3\ndate = \"2026-01-01\"\nspare_nodes = 2\n",
        );
    let (rec, _) = run(&load_text(&text));
    for r in &rec.samples {
        let want = if r.time_h <= 30.0 * 24.0 { 7 } else { 2 };
        if r.time_h == 30.0 * 24.0 {
            continue; // the retirement instant itself
        }
        assert_eq!(r.spare_nodes, want, "spares at {} h", r.time_h);
    }
}
