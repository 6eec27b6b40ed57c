//! Planned maintenance (issue 21 item 7): dated and periodic windows take
//! a site's racks dark, drained ahead of time (a training job checkpoints
//! and loses nothing), logged in `maintenance.csv` apart from failures,
//! and counted as the job's own interruption class.

use dcsim::record::Interruption;

use crate::internals::common::{Edit, assert_rel, load_text, run};

/// One site of 2 racks of 8 unit chips (100 TFLOP/s BF16 each, 4 nodes of
/// 2, domains of 4 chips), failures off, 4 days.
const HEAD: &str = concat!(
    r#"
name = "maintenance"
start = "2026-01-01"
duration = "4d"
seed = 1

"#,
    no_failures!(),
    r#"software = { rate_per_million_hours = 0 }

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

/// A window every day from 10 h, 4 h long.
const WEEKLY: &str = "\n[[maintenance]]\nsite = \"lab\"\nrack = \"quad\"\nstart = \"10h\"\nduration = \"4h\"\nevery = \"1d\"\n";

/// 16 chips × 100 TFLOP/s × MFU 0.5 = 8e14 FLOP/s; 5.76e19 FLOP is 20 h
/// of compute; no checkpoint within the run, 30 minutes to restart.
const JOB: &str = "\n[[jobs]]\nname = \"one\"\nrack = \"quad\"\nchips = 16\nflops = 5.76e19\nmfu = 0.5\ncheckpoint_every = \"100h\"\nrestart_overhead = \"30min\"\n";

#[test]
fn a_maintenance_window_drains_its_chip_hours_and_logs_its_own_rows() {
    let (rec, summary) = run(&load_text(&(HEAD.to_string() + WEEKLY + JOB)));
    // Windows open at 10 h, 34 h, 58 h and 82 h (the next, 106 h, is past
    // the 96 h run): 2 racks × 8 chips each time, 16 × 4 h = 64 chip-hours.
    let opened: Vec<f64> = rec.maintenance.iter().map(|r| r.time_h).collect();
    assert_eq!(opened, vec![10.0, 34.0, 58.0, 82.0]);
    for r in &rec.maintenance {
        assert_eq!((r.site.as_str(), r.rack.as_str()), ("lab", "quad"));
        assert_eq!((r.racks, r.chips), (2, 16));
        assert_rel(r.duration_h, 4.0, 0.0, "duration");
        assert_rel(r.chip_hours, 16.0 * 4.0, 1e-12, "drained chip-hours");
    }
    let total: f64 = rec.maintenance.iter().map(|r| r.chip_hours).sum();
    assert_rel(total, 4.0 * 64.0, 1e-12, "over the run");
    // The job held all 16 chips when the first window opened; none later.
    assert_eq!(rec.maintenance[0].held_chips, 16);
    assert!(rec.maintenance[1..].iter().all(|r| r.held_chips == 0));
    // Not failures: none counted, none logged.
    assert!(
        summary.failures.iter().all(|&n| n == 0),
        "{:?}",
        summary.failures
    );
    assert!(rec.failures.is_empty());
    // The job: 10 h of compute, drained at 10 h (checkpointed, nothing
    // lost), back at 14 h, 30 minutes of restart, the other 10 h of
    // compute: done at 24.5 h.
    let job = &rec.jobs[0];
    assert_eq!(job.interruptions[Interruption::Maintenance.index()], 1);
    assert_eq!(job.interruptions_total(), 1);
    assert_eq!(job.lost_chip_hours, 0.0);
    assert_rel(job.end_h.unwrap(), 24.5, 1e-9, "end");
    assert_rel(job.restart_hours, 0.5, 1e-9, "restart");
    // While dark the racks draw nothing: the 10 h to 14 h samples show no
    // healthy chip, the 16 chips in their own column (`chips_maintenance`),
    // none in repair; outside the windows none is dark for maintenance.
    for s in &rec.samples {
        let inside = [10.0, 34.0, 58.0, 82.0]
            .iter()
            .any(|&o| s.time_h >= o && s.time_h < o + 4.0);
        if inside {
            assert_eq!(s.chips_healthy, 0, "{}", s.timestamp);
            assert_eq!(s.it_power_mw, 0.0, "{}", s.timestamp);
            assert_eq!(s.chips_maintenance, 16, "{}", s.timestamp);
        } else {
            assert_eq!(s.chips_maintenance, 0, "{}", s.timestamp);
        }
        assert_eq!(s.chips_in_repair, 0, "{}", s.timestamp);
    }
}

#[test]
fn a_dated_window_over_every_rack_model_writes_a_row_per_model() {
    let text = HEAD.to_string()
        + "\n[[maintenance]]\nsite = \"lab\"\nstart = \"2026-01-02\"\nduration = \"90min\"\n";
    let (rec, _) = run(&load_text(&text));
    assert_eq!(rec.maintenance.len(), 1);
    let r = &rec.maintenance[0];
    assert_eq!((r.time_h, r.rack.as_str(), r.chips), (24.0, "quad", 16));
    assert_rel(r.chip_hours, 16.0 * 1.5, 1e-12, "chip-hours");
}

#[test]
fn bad_maintenance_windows_are_located() {
    for (extra, field, said) in [
        (
            "site = \"lba\"\nstart = \"1h\"\nduration = \"1h\"\n",
            "maintenance[0].site",
            "did you mean \"lab\"",
        ),
        (
            "site = \"lab\"\nrack = \"hgx-h100\"\nstart = \"1h\"\nduration = \"1h\"\n",
            "maintenance[0].rack",
            "builds no rack model \"hgx-h100\"",
        ),
        (
            "site = \"lab\"\nstart = \"1h\"\nduration = \"4h\"\nevery = \"4h\"\n",
            "maintenance[0].every",
            "not longer than the window's duration",
        ),
        (
            "site = \"lab\"\nstart = \"1h\"\nduration = \"0h\"\n",
            "maintenance[0].duration",
            "",
        ),
        (
            "site = \"lab\"\nstart = \"2030-01-01\"\nduration = \"1h\"\n",
            "maintenance[0].start",
            "",
        ),
    ] {
        let text = HEAD.to_string() + "\n[[maintenance]]\n" + extra;
        let e = dcsim::scenario::load_str("m.toml", &text, None, &Default::default())
            .expect_err("refused");
        assert_eq!(e.issues.len(), 1, "{e}");
        assert_eq!(e.issues[0].field, field, "{e}");
        assert!(e.issues[0].message.contains(said), "{e}");
    }
}

/// Weibull clocks of a dark rack's nodes pause: with `gpu_other` failures
/// of Weibull lifetimes (shape 1.5, 20,000 per million chip-hours, 1 h
/// repairs), no node fails inside a window, while the same runs without
/// maintenance see about 16 chips × 16 h × 0.02 = 5 failures a run there;
/// the clocks run again after (failures go on).
#[test]
fn weibull_clocks_pause_while_a_rack_is_in_maintenance() {
    let failing = HEAD.edit(
        "gpu_other = { rate_per_million_hours = 0 }",
        "gpu_other = { rate_per_million_hours = 20000, lifetime = \"weibull\", weibull_shape = 1.5, repair = { kind = \"fixed\", value = \"1h\" } }",
    ) + "\n[output]\nfailures_log = true\n";
    let inside = |t: f64| {
        [10.0, 34.0, 58.0, 82.0]
            .iter()
            .any(|&s| t > s && t < s + 4.0)
    };
    let (mut base_inside, mut after) = (0, 0);
    for seed in 1..=20 {
        let seeded = failing.edit("seed = 1", &format!("seed = {seed}"));
        let (base, _) = run(&load_text(&seeded));
        base_inside += base.failures.iter().filter(|f| inside(f.time_h)).count();
        let (with, _) = run(&load_text(&(seeded + WEEKLY)));
        let dark: Vec<f64> = with
            .failures
            .iter()
            .map(|f| f.time_h)
            .filter(|&t| inside(t))
            .collect();
        assert!(dark.is_empty(), "seed {seed}: failures at {dark:?} h");
        after += with.failures.iter().filter(|f| f.time_h >= 14.0).count();
    }
    assert!(base_inside > 20, "{base_inside}");
    assert!(after > 20, "{after}");
}

/// A contract for the 16 chips over the 96 h, its SLA promising 0.99 with
/// a 10 % credit below: the four windows take 4 × 16 × 4 = 256 of the
/// 1,536 committed chip-hours dark, so 1,280 are delivered, an
/// availability of 1,280 / 1,536 = 0.833 (credited) — unless the SLA
/// excludes announced maintenance: (1,280 + 256) / 1,536 = 1 (no credit).
#[test]
fn an_sla_may_exclude_announced_maintenance() {
    let books = |excludes: &str| {
        HEAD.edit(
            "scaleout_gbit_per_s = 100",
            "scaleout_gbit_per_s = 100\nprice_usd = 100000",
        ) + WEEKLY
            + &format!(
                "\n[economics]\ndiscount_rate = 0.1\n\n[economics.capex]\nnetwork_share = 0\nfacility_usd_per_mw = 0\nserver_life = \"1y\"\n\n[[contracts]]\nname = \"c\"\nchip_types = [\"unit\"]\nchips = 16\nstart = \"2026-01-01\"\nterm = \"4d\"\nprice_usd_per_chip_hour = 10\nsla = {{ availability = 0.99, credits = [{{ below = 0.99, credit = 0.1 }}]{excludes} }}\n"
            )
    };
    for (excludes, availability, credit) in [
        ("", 1280.0 / 1536.0, 0.1),
        (", excludes_maintenance = true", 1.0, 0.0),
    ] {
        let (rec, _) = run(&load_text(&books(excludes)));
        assert_eq!(rec.contract_months.len(), 1, "{excludes}");
        let m = &rec.contract_months[0];
        assert_rel(m.committed_hours, 1536.0, 1e-9, "committed");
        assert_rel(m.delivered_hours, 1280.0, 1e-9, "delivered");
        assert_rel(m.availability.unwrap(), availability, 1e-9, "availability");
        assert_rel(m.credit_share, credit, 0.0, "credit share");
        assert_rel(m.credit_usd, credit * 1536.0 * 10.0, 1e-9, "credit");
    }
}

/// Rolling windows: `fraction = 0.5` of the 2 racks takes one rack a
/// window, the next one each time (rack 0, 1, 0, 1): 8 chips × 4 h = 32
/// chip-hours a window, and the site keeps the other rack's 8 chips
/// healthy throughout.
#[test]
fn a_rolling_window_takes_its_share_of_the_racks_in_turn() {
    let text = HEAD.to_string() + WEEKLY + "fraction = 0.5\n";
    let (rec, _) = run(&load_text(&text));
    assert_eq!(rec.maintenance.len(), 4);
    for r in &rec.maintenance {
        assert_eq!((r.racks, r.chips), (1, 8));
        assert_rel(r.chip_hours, 8.0 * 4.0, 1e-12, "chip-hours");
    }
    for s in rec
        .samples
        .iter()
        .filter(|s| s.time_h > 10.0 && s.time_h < 14.0)
    {
        assert_eq!(s.chips_healthy, 8, "{}", s.timestamp);
    }
    // The turn, seen by an 8-chip job of 60 h of compute (8 × 100 TFLOP/s
    // × 0.5 = 4e14 FLOP/s; 8.64e19 FLOP), which placement puts on rack 1:
    // the window at 10 h takes rack 0 (none of its chips); the one at
    // 34 h rack 1, where it is: it moves to rack 0 at once (free) and
    // restarts in 30 min; the one at 58 h rack 0 again, and it moves back:
    // 34 + 23.5 = 57.5 h done, 2.5 h left from 58.5 h: it ends at 61 h,
    // before the fourth window (rack 1, empty). Without the turn every
    // window would take rack 0 and never the job.
    let job = "\n[[jobs]]\nname = \"half\"\nrack = \"quad\"\nchips = 8\nflops = 8.64e19\nmfu = 0.5\ncheckpoint_every = \"100h\"\nrestart_overhead = \"30min\"\n";
    let (rec, _) = run(&load_text(&(text + job)));
    let held: Vec<u64> = rec.maintenance.iter().map(|r| r.held_chips).collect();
    assert_eq!(held, vec![0, 8, 8, 0]);
    let j = &rec.jobs[0];
    assert_eq!(j.interruptions[Interruption::Maintenance.index()], 2);
    assert_eq!(j.lost_chip_hours, 0.0);
    assert_rel(j.end_h.unwrap(), 61.0, 1e-9, "end");
    // One share of 0: refused.
    let e = dcsim::scenario::load_str(
        "m.toml",
        &(HEAD.to_string() + WEEKLY + "fraction = 0\n"),
        None,
        &Default::default(),
    )
    .expect_err("refused");
    assert_eq!(e.issues[0].field, "maintenance[0].fraction", "{e}");
}

/// A service's replica on a rack going into a window moves, and is
/// counted moved, not lost: one Llama 3.1 8B replica (one 8-GPU HGX H100
/// server, one replica at most) on 2 racks, rolling windows at 10 h, 34 h
/// and 58 h taking half the racks each (rack 0, 1, 0). The replica,
/// which placement puts on rack 1, stays at 10 h, moves to rack 0 at 34 h
/// and back to rack 1 at 58 h: 2 moves over the 3 days, none lost; each
/// move starts ahead of its window, by the replica's loading time.
#[test]
fn a_replica_moved_off_a_rack_in_maintenance_is_counted_moved() {
    let text = r#"
name = "moved"
start = "2026-01-01"
duration = "3d"
seed = 1
sample_every = "1h"

"#
    .to_string()
        + no_failures!()
        + r#"software = { rate_per_million_hours = 0 }

[[sites]]
name = "east"
grid_mw = 10
pue = 1.0
[[sites.buildout]]
rack = "hgx-h100"
count = 2
date = "2026-01-01"

[[services]]
name = "chat"
model = "llama-3.1-8b"
rack = "hgx-h100"
input_tokens = 1000
output_tokens = 250
rate_per_s = 0.1
min_replicas = 1
max_replicas = 1
scale_up_delay = "30min"

[[maintenance]]
site = "east"
rack = "hgx-h100"
start = "10h"
duration = "4h"
every = "1d"
fraction = 0.5
"#;
    let (rec, _) = run(&load_text(&text));
    let held: Vec<u64> = rec.maintenance.iter().map(|r| r.held_chips).collect();
    assert_eq!(held, vec![0, 8, 8]);
    let s = &rec.service_summaries[0];
    assert_eq!((s.replicas_moved, s.replicas_lost), (2, 0));
    let moved: Vec<f64> = rec
        .services
        .iter()
        .filter(|r| r.replicas_moved > 0)
        .map(|r| r.time_h)
        .collect();
    // Each in the interval ending at its window's opening (the opening
    // comes before the sample of the same instant).
    assert_eq!(moved, vec![34.0, 58.0]);
    let sum: u32 = rec.services.iter().map(|r| r.replicas_moved).sum();
    assert_eq!(sum, 2);
    // Moved ahead: each replacement is placed 30 min (its loading time)
    // before its window opens and serves as it opens, so the service
    // serves throughout but for its first load, 72 − 0.5 = 71.5
    // replica-hours, and holds the two replicas' 8 + 8 chips over the
    // two leads: 8 × 72 + 2 × 8 × 0.5 = 584 chip-hours. Each window
    // takes its rack's 32 GPUs dark for 4 h: 128 chip-hours drained.
    assert_rel(s.replica_hours, 71.5, 1e-9, "replica-hours");
    assert_rel(s.chip_hours, 584.0, 1e-9, "chip-hours");
    for r in &rec.maintenance {
        assert_rel(r.chip_hours, 128.0, 1e-12, "drained chip-hours");
    }
    let serving: Vec<u32> = rec.services.iter().skip(1).map(|r| r.replicas).collect();
    assert!(serving.iter().all(|&n| n == 1), "{serving:?}");
}
