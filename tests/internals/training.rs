//! Training jobs on the world's workload API (issue 8): exact completion times,
//! lost work on an interruption, gang placement, the power of busy and idle
//! chips, one state per job at every event, determinism, located bad input.

use dcsim::engine::{Engine, SimTime};
use dcsim::output::memory::MemoryRecorder;
use dcsim::record::{Interruption, JobRow};
use dcsim::scenario::{Overrides, load_str};
use dcsim::sim::{Event, Model};
use dcsim::workload::training::JobState;

use crate::internals::common::{Edit, load_text, run};

/// One site "lab" of `RACKS` racks of 8 unit chips (4 nodes of 2, scale-up
/// domains of 4 chips: 2 domains per rack). A chip: 100 TFLOP/s BF16,
/// 100 W idle, 1,100 W TDP; 1 kW overhead per rack; PUE 1. No failures
/// unless `FAILURES` sets some. Jobs follow.
const BASE: &str = concat!(
    r#"
name = "training"
start = "2026-01-01"
duration = "4d"
seed = SEED

[failures]
gpu = { rate_per_million_hours = GPU_RATE, repair = { kind = "fixed", value = "10h" } }
"#,
    other_failures_zero!(),
    r#"software = { rate_per_million_hours = SOFTWARE_RATE }

[output]
failures_log = true

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
count = RACKS
date = "2026-01-01"
"#
);

fn scenario_text(racks: u32, gpu_rate: f64, seed: u64, jobs: &str) -> String {
    BASE.edit("RACKS", &racks.to_string())
        .edit("GPU_RATE", &gpu_rate.to_string())
        .edit("SEED", &seed.to_string())
        .edit("SOFTWARE_RATE", "0")
        + jobs
}

/// 8 chips × 100 TFLOP/s × MFU 0.5 = 4e14 FLOP/s; 1.44e19 FLOP is 36,000 s
/// = 10 h of compute. Checkpoints every 3 h of compute, 6 min each; restart
/// 30 min.
const TEN_HOUR_JOB: &str = r#"
[[jobs]]
name = "ten-hours"
rack = "quad"
chips = 8
flops = 1.44e19
mfu = 0.5
checkpoint_every = "3h"
checkpoint_time = "6min"
restart_overhead = "30min"
"#;

fn job<'r>(rows: &'r [JobRow], name: &str) -> &'r JobRow {
    rows.iter().find(|r| r.name == name).expect("job row")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn a_failure_free_job_ends_at_work_over_rate_plus_its_checkpoints() {
    let s = load_text(&scenario_text(1, 0.0, 1, TEN_HOUR_JOB));
    let (rec, _) = run(&s);
    let r = job(&rec.jobs, "ten-hours");
    // 10 h of compute; checkpoints after 3, 6 and 9 h of compute (none at
    // 10 h: the completion comes first): 3 × 0.1 h.
    let end = 10.0 + 3.0 * 0.1;
    assert_eq!(r.status, "completed");
    assert_eq!(r.first_start_h, Some(0.0));
    assert!(close(r.end_h.unwrap(), end), "{r:?}");
    assert!(close(r.checkpoint_hours, 0.3), "{r:?}");
    assert_eq!(r.interruptions_total(), 0);
    assert_eq!(r.lost_chip_hours, 0.0);
    assert_eq!(r.flops_done, 1.44e19);
    // ETTR = 10 h productive / 10.3 h wall.
    assert!(close(r.ettr.unwrap(), 10.0 / 10.3), "{r:?}");
    assert_eq!(r.queue_wait_h, 0.0);
}

#[test]
fn an_interrupted_job_loses_the_work_since_its_last_checkpoint() {
    // GPU failures at 4,000 per 10⁶ chip-hours: 8 chips fail about once per
    // 31 h; node repairs take 10 h in place (no spares). Failures do not
    // depend on the jobs, so the failure log of a seed says when they
    // strike: take the first seed whose first failure falls inside a
    // compute phase of the job and is its only failure until it ends.
    for seed in 1..=50 {
        let s = load_text(&scenario_text(1, 4_000.0, seed, TEN_HOUR_JOB));
        let (rec, _) = run(&s);
        let Some(failure) = rec.failures.first() else {
            continue;
        };
        let (t_f, downtime) = (failure.time_h, failure.downtime_h);
        // Checkpoint k completes at k × 3.1 h (3 h compute + 0.1 h write).
        let k = (t_f / 3.1).floor();
        let since_checkpoint = t_f - k * 3.1;
        // The job resumes from checkpoint k after the repair and the 0.5 h
        // restart, then runs exactly as it would have from k × 3.1 h.
        let expected_end = t_f + downtime + 0.5 + (10.3 - k * 3.1);
        let only = rec.failures.get(1).is_none_or(|f| f.time_h > expected_end);
        if t_f > 10.3 || since_checkpoint >= 3.0 || !only {
            continue;
        }
        let r = job(&rec.jobs, "ten-hours");
        assert!(close(downtime, 10.0));
        assert_eq!(r.status, "completed");
        assert_eq!(r.interruptions[Interruption::Gpu.index()], 1, "{r:?}");
        assert_eq!(r.interruptions_total(), 1);
        assert!(
            close(r.end_h.unwrap(), expected_end),
            "{r:?} vs {expected_end}"
        );
        assert!(close(r.lost_chip_hours, 8.0 * since_checkpoint), "{r:?}");
        assert!(close(r.restart_hours, 0.5), "{r:?}");
        // 3 checkpoints, as without the failure.
        assert!(close(r.checkpoint_hours, 0.3), "{r:?}");
        // ETTR = 10 h productive over the wall time.
        assert!(close(r.ettr.unwrap(), 10.0 / expected_end), "{r:?}");
        assert_eq!(r.flops_done, 1.44e19);
        return;
    }
    panic!("no seed in 1..=50 gives a single failure during the job");
}

/// Four jobs on 3 racks (6 domains of 4 chips), each of 20 h of compute
/// but "four" (5 h, priority 1): "one" takes 1 domain at 0 h; "two" (1 h)
/// and "three" (2 h) take 2 domains each; "four" (3 h, 2 domains) finds
/// one free domain and waits.
const THREE_JOBS: &str = r#"
[[jobs]]
name = "one"
rack = "quad"
chips = 4
ideal_duration = "20h"
[[jobs]]
name = "two"
rack = "quad"
chips = 8
submit = "1h"
ideal_duration = "20h"
[[jobs]]
name = "three"
rack = "quad"
chips = 8
submit = "2h"
ideal_duration = "20h"
[[jobs]]
name = "four"
rack = "quad"
chips = 8
submit = "3h"
priority = 1
ideal_duration = "5h"
"#;

/// Steps a model event by event, calling `check` after each.
pub(crate) fn step_all<'s>(
    scenario: &'s dcsim::scenario::Scenario,
    mut check: impl FnMut(&Model<'s, MemoryRecorder>, SimTime),
) -> MemoryRecorder {
    let mut engine: Engine<Event> = Engine::new();
    let mut model = Model::new(scenario, MemoryRecorder::default(), &mut engine);
    while engine.peek_time().is_some_and(|t| t <= scenario.run.end) {
        engine.run_until(&mut model, engine.peek_time().unwrap());
        check(&model, engine.now());
    }
    model.finish(&engine).0
}

#[test]
fn gang_placement_packs_into_the_fewest_racks() {
    let s = load_text(&scenario_text(3, 0.0, 1, THREE_JOBS));
    let mut racks_of: Vec<Option<Vec<u32>>> = vec![None; 4];
    step_all(&s, |m, _| {
        for (j, slot) in racks_of.iter_mut().enumerate() {
            if slot.is_none()
                && let Some(a) = m.training().allocation(j)
            {
                let mut racks: Vec<u32> = m
                    .world()
                    .allocation_domains(a)
                    .unwrap()
                    .iter()
                    .map(|&d| m.world().domain_rack(d).0)
                    .collect();
                racks.sort_unstable();
                racks.dedup();
                *slot = Some(racks);
            }
        }
    });
    // Packed: "two" and "three" each take one whole rack, not the free
    // half of rack 0 plus half of another; "four" waits for "one" to end
    // (20 h + 9 checkpoints) and then takes its rack whole.
    let r: Vec<Vec<u32>> = racks_of.into_iter().map(Option::unwrap).collect();
    assert_eq!(r[0].len(), 1);
    assert_eq!(r[1].len(), 1, "{r:?}");
    assert_eq!(r[2].len(), 1, "{r:?}");
    assert_ne!(r[1], r[0]);
    assert_ne!(r[2], r[0]);
    assert_ne!(r[1], r[2]);
    assert_eq!(r[3], r[0], "four waits for one's rack");
}

#[test]
fn every_job_is_in_exactly_one_state_at_every_event() {
    let s = load_text(&scenario_text(3, 20_000.0, 7, THREE_JOBS));
    let rec = step_all(&s, |m, _| {
        let t = m.training();
        let counts = t.counts();
        assert_eq!(counts.total(), 4);
        for state in JobState::ALL {
            let n = (0..4).filter(|&j| t.state(j) == state).count();
            assert_eq!(n, counts.of(state), "{state:?}");
        }
        // A job holds an allocation exactly while it is placed.
        for j in 0..4 {
            let placed = matches!(
                t.state(j),
                JobState::Computing
                    | JobState::Checkpointing
                    | JobState::Restarting
                    | JobState::Waiting
            );
            assert_eq!(t.allocation(j).is_some(), placed, "job {j}");
        }
        assert_eq!(t.queued(), counts.queued);
    });
    let interrupted: u64 = rec.jobs.iter().map(JobRow::interruptions_total).sum();
    assert!(interrupted > 0, "the failures interrupt some job");
}

#[test]
fn busy_chips_draw_tdp_and_the_others_idle() {
    // One job of 4 chips on 2 racks (16 chips), computing from 0 to 20 h
    // (checkpoints every 2 h by default, 1 min each). At the 1 h sample:
    // 2 racks × 1 kW overhead + 16 chips × 100 W idle + 4 busy chips ×
    // 1,000 W dynamic = 2 + 1.6 + 4 = 7.6 kW. At 2 h 0 min 30 s it writes a
    // checkpoint: every chip idles, 3.6 kW.
    let jobs = r#"
[[jobs]]
name = "small"
rack = "quad"
chips = 4
ideal_duration = "20h"
"#;
    let text = scenario_text(2, 0.0, 1, jobs).edit(
        "duration = \"4d\"",
        "duration = \"4d\"\nsample_every = \"30s\"",
    );
    let s = load_text(&text);
    let (rec, _) = run(&s);
    let at = |h: f64| {
        rec.samples
            .iter()
            .find(|r| (r.time_h - h).abs() < 1e-9)
            .unwrap()
            .it_power_mw
    };
    assert!(close(at(1.0), 7.6e-3), "{}", at(1.0));
    assert!(close(at(2.0 + 30.0 / 3600.0), 3.6e-3), "{}", at(2.0));
    // After the job (20 h + 9 checkpoints of 1 min): every chip idles.
    assert!(close(at(21.0), 3.6e-3), "{}", at(21.0));
}

#[test]
fn runs_with_jobs_are_deterministic() {
    let s = load_text(&scenario_text(3, 20_000.0, 3, THREE_JOBS));
    let (a, sa) = run(&s);
    let (b, sb) = run(&s);
    assert_eq!(a.jobs, b.jobs);
    assert_eq!(a.samples, b.samples);
    assert_eq!(sa, sb);
}

#[test]
fn bad_jobs_are_located_with_a_fix() {
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "rack = \"quad\"\nchips = 8\nflops",
            "rack = \"quod\"\nchips = 8\nflops",
            "jobs[0].rack",
            &["did you mean \"quad\""],
        ),
        (
            "chips = 8\nflops",
            "chips = 6\nflops",
            "jobs[0].chips",
            &["scale-up domains of 4", "chips = 8"],
        ),
        (
            "chips = 8\nflops",
            "chips = 16\nflops",
            "jobs[0].chips",
            &["more than any site", "at most 8"],
        ),
        (
            "mfu = 0.5",
            "mfu = 0.5\nideal_duration = \"3h\"",
            "jobs[0].flops",
            &["one way"],
        ),
        (
            "name = \"ten-hours\"",
            "name = \"ten-hours\"\nsubmit = \"soon\"",
            "jobs[0].submit",
            &["neither a date nor a duration"],
        ),
        (
            "name = \"ten-hours\"",
            "name = \"ten-hours\"\nsubmit = \"2027-01-01\"",
            "jobs[0].submit",
            &["outside the simulated horizon"],
        ),
        (
            "rack = \"quad\"\nchips = 8\nflops",
            "rack = \"hgx-h100\"\nchips = 8\nflops",
            "jobs[0].rack",
            &["no site builds"],
        ),
    ];
    for (from, to, field, fragments) in cases {
        let good = scenario_text(1, 0.0, 1, TEN_HOUR_JOB);
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let e = load_str("jobs.toml", &text, None, &Overrides::default()).expect_err("refused");
        assert_eq!(e.issues.len(), 1, "{e}");
        let issue = &e.issues[0];
        assert_eq!(issue.field, *field, "{issue}");
        assert!(
            matches!(issue.location, dcsim::scenario::Location::File { ref file, line, .. } if file == "jobs.toml" && line > 46),
            "{issue}"
        );
        for f in *fragments {
            assert!(issue.message.contains(f), "`{f}` not in: {issue}");
        }
    }
}

/// The sample of `rows` at `h` hours.
fn sample_at(rows: &[dcsim::record::SampleRow], h: f64) -> dcsim::record::TrainingSample {
    rows.iter()
        .find(|r| (r.time_h - h).abs() < 1e-9)
        .and_then(|r| r.training)
        .expect("a sample with training figures")
}

#[test]
fn samples_and_summary_carry_the_training_figures() {
    // The ten-hour job, failure-free: compute 0–3 h, checkpoint 3–3.1 h,
    // compute 3.1–6.1, checkpoint 6.1–6.2, compute 6.2–9.2, checkpoint
    // 9.2–9.3, compute 9.3–10.3 h (done). 4e14 FLOP/s × 3,600 s = 1.44e18
    // FLOP per hour of compute.
    let s = load_text(&scenario_text(1, 0.0, 1, TEN_HOUR_JOB));
    let (rec, summary) = run(&s);
    let hour = 4e14 * 3600.0;
    let at1 = sample_at(&rec.samples, 1.0);
    assert_eq!(
        (at1.chips, at1.jobs_running, at1.jobs_waiting),
        (8, 1, 0),
        "{at1:?}"
    );
    assert_eq!(at1.jobs_queued_fleet, 0);
    assert!(close(at1.flops / hour, 1.0), "{at1:?}");
    // 3–4 h: 0.9 h of compute after the 6-minute checkpoint.
    assert!(close(sample_at(&rec.samples, 4.0).flops / hour, 0.9));
    // 10–11 h: 0.3 h of compute, then the job is done and its chips free.
    let at11 = sample_at(&rec.samples, 11.0);
    assert!(close(at11.flops / hour, 0.3), "{at11:?}");
    assert_eq!((at11.chips, at11.jobs_running), (0, 0));
    let total: f64 = rec.samples.iter().map(|r| r.training.unwrap().flops).sum();
    assert!(close(total / 1.44e19, 1.0), "{total}");
    let t = summary.training.expect("a summary with training figures");
    assert_eq!((t.jobs, t.jobs_completed, t.interruptions), (1, 1, 0));
    // 8 chips held for 10.3 h.
    assert!(close(t.chip_hours, 8.0 * 10.3), "{t:?}");
    assert!(close(t.ettr_mean, 10.0 / 10.3), "{t:?}");
    assert!(close(t.ettr_p10, 10.0 / 10.3), "{t:?}");
    assert_eq!((t.lost_chip_hours, t.queue_wait_mean_h), (0.0, 0.0));
}

#[test]
fn a_run_without_jobs_has_no_training_figures() {
    let s = load_text(&scenario_text(1, 0.0, 1, ""));
    let (rec, summary) = run(&s);
    assert!(rec.samples.iter().all(|r| r.training.is_none()));
    assert_eq!(summary.training, None);
}

/// Six jobs on two sites (3 racks at "lab", 2 at "annex"), GPU failures
/// at 20,000 per 10⁶ chip-hours (8 chips fail about every 6 h), repairs
/// of 10 h: jobs queue, get interrupted, wait, restart and complete.
const SIX_JOBS: &str = r#"
[[jobs]]
name = "a"
rack = "quad"
chips = 8
ideal_duration = "30h"
checkpoint_every = "2h"
[[jobs]]
name = "b"
rack = "quad"
chips = 16
submit = "1h"
ideal_duration = "20h"
[[jobs]]
name = "c"
rack = "quad"
chips = 4
submit = "2h"
ideal_duration = "12h"
[[jobs]]
name = "d"
rack = "quad"
chips = 8
submit = "3h"
ideal_duration = "40h"
checkpoint_every = "5h"
[[jobs]]
name = "e"
rack = "quad"
chips = 16
submit = "5h"
ideal_duration = "10h"
[[jobs]]
name = "f"
rack = "quad"
chips = 4
submit = "90h"
ideal_duration = "10h"

[[sites]]
name = "annex"
grid_mw = 1
pue = 1.0

[[sites.buildout]]
rack = "quad"
count = 2
date = "2026-01-01"
"#;

#[test]
fn training_figures_are_conserved_at_every_sample() {
    for seed in [1, 2, 3] {
        let s = load_text(&scenario_text(3, 20_000.0, seed, SIX_JOBS));
        let (rec, summary) = run(&s);
        let jobs = rec.jobs.len();
        let mut times: Vec<f64> = rec.samples.iter().map(|r| r.time_h).collect();
        times.dedup();
        for &t in &times {
            let rows: Vec<_> = rec.samples.iter().filter(|r| r.time_h == t).collect();
            assert_eq!(rows.len(), 2);
            let mut placed = 0;
            for r in &rows {
                let tr = r.training.unwrap();
                // Chips of up domains held by jobs are healthy chips.
                assert!(tr.chips <= r.chips_healthy, "{t} h: {r:?}");
                assert_eq!(
                    tr.jobs_queued_fleet,
                    rows[0].training.unwrap().jobs_queued_fleet
                );
                placed += (tr.jobs_running + tr.jobs_waiting) as usize;
            }
            // Every job in exactly one state: submitted after t (pending),
            // done by t, placed at a site, or queued.
            let pending = rec.jobs.iter().filter(|j| j.submit_h > t).count();
            let done = rec
                .jobs
                .iter()
                .filter(|j| j.end_h.is_some_and(|e| e <= t))
                .count();
            let queued = rows[0].training.unwrap().jobs_queued_fleet as usize;
            assert_eq!(pending + done + placed + queued, jobs, "{t} h");
        }
        // Work computed less work lost, over every sample and site, is the
        // work the jobs kept.
        let net: f64 = rec
            .samples
            .iter()
            .map(|r| r.training.unwrap().flops - r.training.unwrap().flops_lost)
            .sum();
        let kept: f64 = rec.jobs.iter().map(|j| j.flops_done).sum();
        assert!((net - kept).abs() <= 1e-9 * kept, "{net} vs {kept}");
        let lost: f64 = rec
            .samples
            .iter()
            .map(|r| r.training.unwrap().flops_lost)
            .sum();
        let t = summary.training.unwrap();
        assert!(t.interruptions > 0 && lost > 0.0, "seed {seed}: {t:?}");
        assert_eq!(t.jobs, 6);
        assert_eq!(
            t.jobs_completed,
            rec.jobs.iter().filter(|j| j.status == "completed").count() as u64
        );
        let lost_ch: f64 = rec.jobs.iter().map(|j| j.lost_chip_hours).sum();
        assert!((t.lost_chip_hours - lost_ch).abs() < 1e-6);
    }
}

#[test]
fn csv_carries_the_training_columns_only_when_asked() {
    use dcsim::output::csv::{Columns, CsvRecorder};
    let s = load_text(&scenario_text(1, 0.0, 1, TEN_HOUR_JOB));
    let tmp = crate::internals::common::temp_dir("training-columns");
    let dir = tmp.join("run");
    let rec =
        CsvRecorder::create_with(&dir, false, Columns::for_jobs(s.training.jobs.len())).unwrap();
    let (rec, _) = dcsim::sim::run(&s, rec, &mut |_| {});
    rec.finish().unwrap();
    let (header, rows) = crate::internals::common::read_csv(&dir.join("timeseries.csv"));
    let n = header.len();
    assert_eq!(
        header[n - 7..],
        [
            "training_chips",
            "training_jobs_running",
            "training_jobs_waiting",
            "training_jobs_queued_fleet",
            "training_flops",
            "training_flops_lost",
            "training_scaleout_tb"
        ]
    );
    // The 1 h sample: 8 chips, one job running, 1.44e18 FLOP; in one rack
    // it sends nothing over the fabric.
    assert_eq!(
        rows[0][n - 7..],
        ["8", "1", "0", "0", "1.44e18", "0e0", "0.000000"]
    );
    let (header, rows) = crate::internals::common::read_csv(&dir.join("summary.csv"));
    let at = |name: &str| &rows[0][header.iter().position(|h| h == name).unwrap()];
    assert_eq!(at("jobs_completed"), "1");
    assert_eq!(at("training_chip_hours"), "82.400");
    assert_eq!(Columns::for_jobs(0), Columns::PHYSICAL);
}

/// On 6 domains (3 racks): "long" (4 domains, 10 h) at 0 h; the head
/// "wide" (5 domains, 5 h) at 1 h cannot fit; then "short" (1, 5 h) at 2 h,
/// "x" (1, 20 h) at 3 h, "y" (1, 20 h) at 4 h, "z" (1, 2 h) at 5 h. No
/// checkpoints (every 100 h), no failures.
const BACKFILL: &str = r#"
[[jobs]]
name = "long"
rack = "quad"
chips = 16
ideal_duration = "10h"
checkpoint_every = "100h"
[[jobs]]
name = "wide"
rack = "quad"
chips = 20
submit = "1h"
ideal_duration = "5h"
checkpoint_every = "100h"
[[jobs]]
name = "short"
rack = "quad"
chips = 4
submit = "2h"
ideal_duration = "5h"
checkpoint_every = "100h"
[[jobs]]
name = "x"
rack = "quad"
chips = 4
submit = "3h"
ideal_duration = "20h"
checkpoint_every = "100h"
[[jobs]]
name = "y"
rack = "quad"
chips = 4
submit = "4h"
ideal_duration = "20h"
checkpoint_every = "100h"
[[jobs]]
name = "z"
rack = "quad"
chips = 4
submit = "5h"
ideal_duration = "2h"
checkpoint_every = "100h"
"#;

#[test]
fn easy_backfill_starts_the_jobs_that_delay_no_reservation() {
    let s = load_text(&scenario_text(3, 0.0, 1, BACKFILL));
    let (rec, summary) = run(&s);
    let start = |name: &str| job(&rec.jobs, name).first_start_h.unwrap();
    let end = |name: &str| job(&rec.jobs, name).end_h.unwrap();
    // "wide" needs 5 domains; 2 are free at 1 h; "long" gives back 4 at
    // 10 h: reserved at 10 h with 6 − 5 = 1 spare domain.
    // "short" fits at 2 h and ends at 7 h ≤ 10 h: backfilled.
    assert_eq!((start("short"), end("short")), (2.0, 7.0));
    // "x" fits at 3 h (1 free), runs to 23 h, past 10 h, on the spare.
    assert_eq!(start("x"), 3.0);
    // At 7 h "short" ends: 1 free, +4 at 10 h = 5, nothing spare. "y"
    // (to 27 h) would delay "wide": refused; "z" (7 h to 9 h) ends in
    // time: started, ahead of "y".
    assert_eq!((start("z"), end("z")), (7.0, 9.0));
    // "wide" starts exactly at its reservation, ends 5 h later.
    assert_eq!((start("wide"), end("wide")), (10.0, 15.0));
    // "y" gets a domain when "wide" gives back 5 at 15 h.
    assert_eq!(start("y"), 15.0);
    assert_eq!(summary.training.unwrap().jobs_completed, 6);
}

#[test]
fn young_daly_interval_from_the_failure_rates_of_what_the_job_holds() {
    // Per 10⁶ h: GPU 1,000, HBM 500 and other GPU faults 500 per chip;
    // host 2,000 and NIC 1,000 per node (2 chips); rack power 2,000 per
    // rack (8 chips); site outage 2,000. Checkpoints take C = 6 min = 0.1 h.
    let jobs = |chips: u32| {
        TEN_HOUR_JOB
            .edit("chips = 8", &format!("chips = {chips}"))
            .edit(
                "checkpoint_every = \"3h\"",
                "checkpoint_every = \"young-daly\"",
            )
    };
    let text = |chips: u32| {
        scenario_text(2, 1_000.0, 1, &jobs(chips))
            .edit(
                "hbm = { rate_per_million_hours = 0 }",
                "hbm = { rate_per_million_hours = 500 }",
            )
            .edit(
                "gpu_other = { rate_per_million_hours = 0 }",
                "gpu_other = { rate_per_million_hours = 500 }",
            )
            .edit(
                "host = { rate_per_million_hours = 0 }",
                "host = { rate_per_million_hours = 2000 }",
            )
            .edit(
                "nic = { rate_per_million_hours = 0 }",
                "nic = { rate_per_million_hours = 1000 }",
            )
            .edit(
                "rack_power = { rate_per_million_hours = 0 }",
                "rack_power = { rate_per_million_hours = 2000 }",
            )
            .edit(
                "site_outage = { rate_per_million_hours = 0 }",
                "site_outage = { rate_per_million_hours = 2000 }",
            )
    };
    // 8 chips, 4 nodes, 1 rack, 1 site: λ = (8·2,000 + 4·3,000 + 2,000 +
    // 2,000) / 10⁶ = 0.032 /h, MTBF 31.25 h; sqrt(2 · 0.1 · 31.25) = 2.5 h.
    let s = load_text(&text(8));
    assert_eq!(s.training.jobs[0].checkpoint_every.hours(), 2.5);
    // 16 chips, 8 nodes, 2 racks: λ = (16·2,000 + 8·3,000 + 2·2,000 +
    // 2,000) / 10⁶ = 0.062 /h.
    let s = load_text(&text(16));
    let expected = (2.0 * 0.1 / 0.062_f64).sqrt();
    assert!(
        (s.training.jobs[0].checkpoint_every.hours() - expected).abs() < 1e-9,
        "{:?} vs {expected} h",
        s.training.jobs[0].checkpoint_every
    );
    // A failure-free job with young-daly has no MTBF: refused, located.
    let text = scenario_text(1, 0.0, 1, &jobs(8));
    let e = load_str("jobs.toml", &text, None, &Overrides::default()).expect_err("refused");
    assert_eq!(e.issues.len(), 1, "{e}");
    assert_eq!(e.issues[0].field, "jobs[0].checkpoint_every");
    assert!(e.issues[0].message.contains("fixed interval"), "{e}");
}

/// A stream of 4-chip jobs (or 8) at `RATE` a day over the first 300 days of
/// a year, each of 1 to 3 h of compute.
const ARRIVALS: &str = r#"
[[arrivals]]
name = "finetune"
rack = "quad"
rate_per_day = RATE
until = "300d"
chips = [4, 8]
ideal_duration = { kind = "uniform", min = "1h", max = "3h" }
"#;

fn arrivals_text(rate: f64, seed: u64) -> String {
    scenario_text(4, 0.0, seed, &ARRIVALS.edit("RATE", &rate.to_string()))
        .edit("duration = \"4d\"", "duration = \"1y\"")
        .edit("grid_mw = 1", "grid_mw = 2")
}

#[test]
fn poisson_arrivals_count_within_four_sigma_and_repeat_by_seed() {
    // 10 a day over 300 days: N ~ Poisson(3,000), σ = √3,000 ≈ 54.8.
    let mut counts = Vec::new();
    for seed in 1..=5 {
        let s = load_text(&arrivals_text(10.0, seed));
        let n = s.training.jobs.len() as f64;
        assert!(
            (n - 3000.0).abs() <= 4.0 * 3000f64.sqrt(),
            "seed {seed}: {n}"
        );
        // Submissions in the window, in order, named in order; sizes and
        // work as drawn: ideal duration 1–3 h at 4e14 FLOP/s per 8 chips.
        assert!(
            s.training
                .jobs
                .windows(2)
                .all(|w| w[0].submit <= w[1].submit)
        );
        assert!(
            s.training
                .jobs
                .iter()
                .all(|j| j.submit.hours() < 300.0 * 24.0)
        );
        assert_eq!(s.training.jobs[7].name, "finetune-7");
        for j in &s.training.jobs {
            assert!(j.chips == 4 || j.chips == 8);
            let hours = j.work / (f64::from(j.chips) * 100e12 * 0.4) / 3600.0;
            assert!((1.0 - 1e-9..=3.0 + 1e-9).contains(&hours), "{hours}");
        }
        counts.push(s.training.jobs.len());
    }
    // Seeds give different draws; one seed, the same draws.
    counts.dedup();
    assert!(counts.len() > 1, "{counts:?}");
    let a = load_text(&arrivals_text(10.0, 3));
    let b = load_text(&arrivals_text(10.0, 3));
    assert_eq!(a.training.jobs, b.training.jobs);
    // Its own stream: a second stream leaves the first one's draws as
    // they were.
    let two = arrivals_text(10.0, 3) + &ARRIVALS.edit("finetune", "eval").edit("RATE", "3");
    let c = load_text(&two);
    let first: Vec<_> = c
        .training
        .jobs
        .iter()
        .filter(|j| j.name.starts_with("finetune-"))
        .cloned()
        .collect();
    assert_eq!(first, a.training.jobs);
    assert!(c.training.jobs.len() > a.training.jobs.len());
}

#[test]
fn arrivals_run_and_conserve_their_jobs() {
    // 2 a day over 300 days, 4 racks (8 domains of 4 chips): jobs of 1–3 h
    // never wait long; every job completes by the end of the year.
    let s = load_text(&arrivals_text(2.0, 1));
    let (rec, summary) = run(&s);
    let t = summary.training.unwrap();
    assert_eq!(t.jobs as usize, s.training.jobs.len());
    assert_eq!(t.jobs_completed, t.jobs);
    assert_eq!(rec.jobs.len(), s.training.jobs.len());
}

#[test]
fn bad_arrivals_are_located_with_a_fix() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "rate_per_day = 10",
            "rate_per_day = 0",
            "arrivals[0].rate_per_day",
            "greater than 0",
        ),
        (
            "chips = [4, 8]",
            "chips = [4, 6]",
            "arrivals[0].chips[1]",
            "whole number",
        ),
        (
            "chips = [4, 8]",
            "chips = []",
            "arrivals[0].chips",
            "at least one",
        ),
        (
            "rack = \"quad\"\nrate_per_day",
            "rack = \"qaud\"\nrate_per_day",
            "arrivals[0].rack",
            "did you mean \"quad\"",
        ),
        (
            "until = \"300d\"",
            "until = \"2y\"",
            "arrivals[0].until",
            "past the end",
        ),
        (
            "until = \"300d\"",
            "until = \"300d\"\nfrom = \"301d\"",
            "arrivals[0].until",
            "before it starts",
        ),
        (
            "rate_per_day = 10",
            "rate_per_day = 1e7",
            "arrivals[0].rate_per_day",
            "at most",
        ),
    ];
    for (from, to, field, fragment) in cases {
        let good = arrivals_text(10.0, 1);
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let e = load_str("arrivals.toml", &text, None, &Overrides::default()).expect_err("refused");
        assert_eq!(e.issues.len(), 1, "{e}");
        let issue = &e.issues[0];
        assert_eq!(issue.field, *field, "{issue}");
        assert!(
            issue.message.contains(fragment),
            "`{fragment}` not in: {issue}"
        );
    }
}

#[test]
fn site_counters_match_a_recount_at_every_event() {
    // The counters a sample reads are kept incrementally; after every
    // event they equal a recount over the jobs' states and sites.
    let s = load_text(&scenario_text(3, 20_000.0, 2, SIX_JOBS));
    let jobs = s.training.jobs.len();
    let mut checked = 0;
    step_all(&s, |m, _| {
        let t = m.training();
        for site in 0..2 {
            let dcsim::workload::training::SiteCounts {
                chips,
                running,
                waiting,
            } = t.site_counts(site);
            let here = |st: &[JobState]| {
                (0..jobs)
                    .filter(|&j| t.site_of(j) == Some(site) && st.contains(&t.state(j)))
                    .count() as u32
            };
            let run = [
                JobState::Computing,
                JobState::Checkpointing,
                JobState::Restarting,
            ];
            assert_eq!(running, here(&run));
            assert_eq!(waiting, here(&[JobState::Waiting]));
            // Running jobs hold all their chips up; waiting ones some.
            let held: u64 = (0..jobs)
                .filter(|&j| t.site_of(j) == Some(site))
                .map(|j| u64::from(s.training.jobs[j].chips))
                .sum();
            let up: u64 = (0..jobs)
                .filter(|&j| t.site_of(j) == Some(site) && run.contains(&t.state(j)))
                .map(|j| u64::from(s.training.jobs[j].chips))
                .sum();
            assert!(up <= chips && chips <= held, "{up} ≤ {chips} ≤ {held}");
        }
        checked += 1;
    });
    assert!(checked > 50, "{checked} events");
}
