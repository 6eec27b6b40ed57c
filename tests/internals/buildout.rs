//! Phases arriving, waiting for grid room, refused, retired, delayed.
//!
//! The fixtures' rack: 10 chips × 1,000 W + 2 kW overhead = 12 kW
//! nameplate IT, × PUE 1.25 = 15 kW nameplate facility; at u = 0.5 it
//! draws 2,000 + 10 × 600 = 8 kW IT.

use chrono::{Duration, NaiveDate};
use dcsim::record::{BuildoutRow, PhaseOutcome, SampleRow};

use crate::internals::common::{assert_rel, load_with, run, run_fixture};

/// Hour of the run at which a date of 2026 starts (the fixtures start on
/// 2026-01-01).
fn hour_of(date: &str) -> f64 {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    (d - start).num_hours() as f64
}

/// A date of the fixtures, `YYYY-MM-DD`, as a phase's row holds it.
fn day(date: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap())
}

fn phase<'a>(rows: &'a [BuildoutRow], site: &str, phase: usize) -> &'a BuildoutRow {
    rows.iter()
        .find(|r| r.site == site && r.phase == phase)
        .unwrap_or_else(|| panic!("no build-out row for {site} phase {phase}"))
}

/// Checks a per-sample quantity against a step function of time given as
/// `(from_hour, value)` steps, taking the state at a sample instant to
/// include every change scheduled for that instant.
#[track_caller]
fn assert_steps(rows: &[SampleRow], what: &str, get: fn(&SampleRow) -> u32, steps: &[(f64, u32)]) {
    for r in rows {
        let expected = steps
            .iter()
            .rev()
            .find(|(from, _)| r.time_h >= *from)
            .map_or(0, |s| s.1);
        assert_eq!(get(r), expected, "{what} at {}", r.timestamp);
    }
}

#[test]
fn a_phase_waits_for_a_grid_upgrade() {
    let (rec, s) = run_fixture("buildout_defer.toml", &[]);
    let b = &rec.buildout;
    assert_eq!(b.len(), 3);
    let p0 = phase(b, "grow", 0);
    assert_eq!(
        (p0.commissioned, p0.status),
        (day("2026-01-01"), PhaseOutcome::Commissioned)
    );
    assert_eq!(p0.deferred_days, 0.0);
    // 2 racks × 15 kW = 30 kW nameplate.
    assert_rel(p0.nameplate_mw, 0.03, 1e-12, "phase 0 nameplate");

    // Phase 1 (delivered 2026-02-01): 30 + 30 kW > 50 kW until the
    // upgrade to 100 kW on 2026-03-15: 28 + 14 = 42 days later.
    let p1 = phase(b, "grow", 1);
    assert_eq!(p1.delivered, day("2026-02-01"));
    assert_eq!(p1.commissioned, day("2026-03-15"));
    assert_eq!(p1.status, "commissioned");
    assert_eq!(p1.deferred_days, 42.0);
    // Phase 2 (delivered 2026-02-10) would fit alone (30 + 15 ≤ 50 kW) but
    // is commissioned in order, behind phase 1: 18 + 15 = 33 days.
    let p2 = phase(b, "grow", 2);
    assert_eq!(p2.delivered, day("2026-02-10"));
    assert_eq!(p2.commissioned, day("2026-03-15"));
    assert_eq!(p2.deferred_days, 33.0);

    let (feb1, feb10, mar15) = (
        hour_of("2026-02-01"),
        hour_of("2026-02-10"),
        hour_of("2026-03-15"),
    );
    assert_eq!((feb1, feb10, mar15), (744.0, 960.0, 1752.0));
    // Racks waiting: 2 from Feb 1, 3 from Feb 10, none from Mar 15.
    assert_steps(
        &rec.samples,
        "racks_deferred",
        |r| r.racks_deferred,
        &[(0.0, 0), (feb1, 2), (feb10, 3), (mar15, 0)],
    );
    assert_steps(
        &rec.samples,
        "racks_online",
        |r| r.racks_online,
        &[(0.0, 2), (mar15, 5)],
    );
    for r in &rec.samples {
        // 8 kW IT per online rack.
        assert_rel(
            r.it_power_mw,
            0.008 * f64::from(r.racks_online),
            1e-9,
            "IT power",
        );
        assert_eq!(r.chips_online, 10 * u64::from(r.racks_online));
        assert_eq!(r.grid_mw, if r.time_h >= mar15 { 0.1 } else { 0.05 });
    }
    assert_eq!(
        (
            s.racks_commissioned,
            s.racks_refused,
            s.racks_deferred_at_end
        ),
        (5, 0, 0)
    );
    assert_eq!(s.chips_online_at_end, 50);
}

#[test]
fn a_phase_still_waiting_at_the_end_is_deferred() {
    // Upgrade to 60 kW only: phase 1 fits (60 kW), phase 2 (75 kW) never;
    // it waits from 2026-02-10 to the end on 2026-05-01: 18 + 31 + 30 + 1 = 80 d.
    let (rec, s) = run_fixture(
        "buildout_defer.toml",
        &["sites[0].grid_upgrades[0].grid_mw=0.06"],
    );
    let p1 = phase(&rec.buildout, "grow", 1);
    assert_eq!(
        (p1.commissioned, p1.status),
        (day("2026-03-15"), PhaseOutcome::Commissioned)
    );
    let p2 = phase(&rec.buildout, "grow", 2);
    assert_eq!(p2.status, "deferred");
    assert_eq!(p2.commissioned, None);
    assert_eq!(p2.deferred_days, 80.0);
    assert_eq!((s.racks_commissioned, s.racks_deferred_at_end), (4, 1));
    assert_eq!(rec.samples.last().unwrap().racks_deferred, 1);
}

#[test]
fn refuse_gives_up_on_a_phase_that_does_not_fit() {
    let (rec, s) = run_fixture(
        "buildout_defer.toml",
        &["sites[0].when_grid_full=\"refuse\""],
    );
    let p1 = phase(&rec.buildout, "grow", 1);
    assert_eq!(p1.status, "refused");
    assert_eq!(p1.delivered, day("2026-02-01"));
    assert_eq!(p1.commissioned, None);
    assert_eq!(p1.deferred_days, 0.0);
    // The refused phase blocks nothing: phase 2 fits (30 + 15 ≤ 50 kW) on
    // its delivery date.
    let p2 = phase(&rec.buildout, "grow", 2);
    assert_eq!(
        (p2.commissioned, p2.status),
        (day("2026-02-10"), PhaseOutcome::Commissioned)
    );
    // The refused racks never come online, even after the upgrade.
    assert_steps(
        &rec.samples,
        "racks_online",
        |r| r.racks_online,
        &[(0.0, 2), (hour_of("2026-02-10"), 3)],
    );
    assert!(rec.samples.iter().all(|r| r.racks_deferred == 0));
    assert_eq!(
        (
            s.racks_commissioned,
            s.racks_refused,
            s.racks_deferred_at_end
        ),
        (3, 2, 0)
    );
    assert_eq!(s.peak_chips_online, 30);
}

#[test]
fn end_of_life_retires_racks_and_frees_room() {
    let (rec, s) = run_fixture("buildout_eol.toml", &[]);
    // Phase 0 (3 racks, 45 kW of 50) retires 40 d after 2026-01-01, on
    // 2026-02-10; phase 1 (2 racks, 30 kW) waits from 2026-01-20 until then.
    let p1 = phase(&rec.buildout, "swap", 1);
    assert_eq!(p1.delivered, day("2026-01-20"));
    assert_eq!(p1.commissioned, day("2026-02-10"));
    assert_eq!(p1.deferred_days, 21.0);
    let (jan20, feb10) = (hour_of("2026-01-20"), hour_of("2026-02-10"));
    assert_eq!((jan20, feb10), (456.0, 960.0));
    assert_steps(
        &rec.samples,
        "racks_online",
        |r| r.racks_online,
        &[(0.0, 3), (feb10, 2)],
    );
    assert_steps(
        &rec.samples,
        "racks_deferred",
        |r| r.racks_deferred,
        &[(0.0, 0), (jan20, 2), (feb10, 0)],
    );
    for r in &rec.samples {
        assert_eq!(r.chips_online, 10 * u64::from(r.racks_online));
        assert_rel(
            r.it_power_mw,
            0.008 * f64::from(r.racks_online),
            1e-9,
            "IT power",
        );
    }
    assert_eq!(s.racks_commissioned, 5);
    assert_eq!(s.chips_online_at_end, 20);
    assert_eq!(s.peak_chips_online, 30);
    // IT energy: 3 racks × 8 kW for 960 h, then 2 racks for 480 h.
    assert_rel(
        s.it_energy_mwh,
        0.024 * 960.0 + 0.016 * 480.0,
        1e-9,
        "IT energy",
    );
}

#[test]
fn fixed_delays_and_deliveries_after_the_end() {
    let (rec, s) = run_fixture("buildout_delay.toml", &[]);
    let fixed = phase(&rec.buildout, "fixed", 0);
    assert_eq!(Some(fixed.planned), day("2026-02-01"));
    assert_eq!(fixed.delivered, day("2026-02-11"));
    assert_eq!(fixed.commissioned, day("2026-02-11"));
    // Planned 2026-04-15 + 30 d = 2026-05-15, after the end (2026-05-01).
    let late = phase(&rec.buildout, "late", 0);
    assert_eq!(late.status, "not_delivered");
    assert_eq!((late.delivered, late.commissioned), (None, None));
    assert!(
        rec.samples
            .iter()
            .filter(|r| r.site == "late")
            .all(|r| r.racks_online == 0)
    );
    assert_eq!(s.racks_commissioned, 5);
}

#[test]
fn random_delays_deliver_within_their_window() {
    let planned = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    let latest = planned + Duration::days(30);
    let mut delays = Vec::new();
    for seed in 1..=50 {
        let (rec, _) = run(&load_with("buildout_delay.toml", &[], Some(seed)));
        for site in ["a", "b", "c", "d"] {
            let p = phase(&rec.buildout, site, 0);
            let delivered = p.delivered.unwrap();
            assert!(
                delivered >= planned && delivered <= latest,
                "seed {seed} site {site}: delivered {delivered}, window {planned}..={latest}"
            );
            assert_eq!(p.commissioned, p.delivered, "room to spare: no wait");
            assert_eq!(p.status, "commissioned");
            // The rack is online from the first sample after its delivery.
            let first = rec
                .samples
                .iter()
                .find(|r| r.site == site && r.racks_online == 1)
                .unwrap();
            let next_midnight = (delivered + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap();
            assert!(
                first.timestamp.date() == delivered || first.timestamp == next_midnight,
                "seed {seed} site {site}: delivered {delivered}, online first at {}",
                first.timestamp
            );
            delays.push((delivered - planned).num_days() as f64);
        }
    }
    // 200 draws of a whole number of days from U(0, 30 d): mean 14.5 days
    // (the date floors the delay), standard error 30 / √12 / √200 ≈ 0.61 d.
    let n = delays.len() as f64;
    let mean = delays.iter().sum::<f64>() / n;
    assert!((mean - 14.5).abs() < 4.0 * 0.61, "mean delay {mean} d");
    let (min, max) = delays
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &d| (a.min(d), b.max(d)));
    // P(no draw under 3 d) = 0.9^200 ≈ 7e-10, likewise above 27 d.
    assert!(min < 3.0 && max > 27.0, "delays from {min} to {max} d");
}
