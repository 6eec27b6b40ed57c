//! Books that must balance at every sample of a busy run: chip states,
//! facility vs IT power, interval totals vs the summary, failure counts.
//!
//! The fixture has three sites, spares, links, failure rates far above real
//! ones in every class (one of them Weibull), a monthly PUE, price bands, a
//! power-capped site and a retirement.

use dcsim::catalog::failures::FailureKind;
use dcsim::record::{CLASSES, SummaryRow};

use crate::internals::common::{assert_rel, load_with, run};

const REL: f64 = 1e-9;

fn runs() -> Vec<(dcsim::Results, SummaryRow)> {
    // The file's seed (11) and two more.
    [None, Some(12), Some(13)]
        .into_iter()
        .map(|seed| run(&load_with("conservation.toml", &[], seed)))
        .collect()
}

#[test]
fn chip_states_add_up_at_every_sample() {
    for (rec, s) in runs() {
        for r in &rec.samples {
            assert_eq!(
                r.chips_online,
                r.chips_healthy + r.chips_failed + r.chips_in_repair + r.chips_maintenance,
                "seed {}: {} at {}: {} online ≠ {} healthy + {} failed + {} in repair",
                s.seed,
                r.site,
                r.timestamp,
                r.chips_online,
                r.chips_healthy,
                r.chips_failed,
                r.chips_in_repair
            );
        }
        // The run exercises every state: swaps pending, repairs, a dark site.
        let any = |f: &dyn Fn(&dcsim::record::SampleRow) -> bool| rec.samples.iter().any(f);
        assert!(
            any(&|r| r.chips_failed > 0),
            "seed {}: no swap pending",
            s.seed
        );
        assert!(
            any(&|r| r.chips_in_repair > 0),
            "seed {}: no repair",
            s.seed
        );
        assert!(any(&|r| r.links_down > 0), "seed {}: no link down", s.seed);
        assert!(
            any(&|r| r.chips_online > 0 && r.chips_healthy == 0),
            "seed {}: no site outage seen at a sample",
            s.seed
        );
        assert!(
            s.failures.iter().all(|&n| n > 0),
            "seed {}: a class never failed: {:?}",
            s.seed,
            s.failures
        );
    }
}

#[test]
fn facility_power_is_it_power_times_pue() {
    for (rec, s) in runs() {
        for r in &rec.samples {
            assert_rel(
                r.facility_power_mw,
                r.it_power_mw * r.pue,
                REL,
                &format!("seed {} {} at {}", s.seed, r.site, r.timestamp),
            );
            assert!(
                r.facility_power_mw <= r.grid_mw * (1.0 + REL),
                "seed {} {} at {}: {} MW drawn on a {} MW grid",
                s.seed,
                r.site,
                r.timestamp,
                r.facility_power_mw,
                r.grid_mw
            );
        }
        assert!(
            rec.samples.iter().any(|r| r.power_cap_factor < 1.0),
            "the capped site is capped at some sample"
        );
    }
}

#[test]
fn interval_totals_add_up_to_the_summary() {
    for (rec, s) in runs() {
        let total =
            |f: fn(&dcsim::record::SampleRow) -> f64| -> f64 { rec.samples.iter().map(f).sum() };
        let what = |w: &str| format!("seed {}: Σ {w}", s.seed);
        assert_rel(total(|r| r.energy_mwh), s.energy_mwh, REL, &what("energy"));
        assert_rel(
            total(|r| r.it_energy_mwh),
            s.it_energy_mwh,
            REL,
            &what("IT energy"),
        );
        assert_rel(
            total(|r| r.energy_cost_usd),
            s.energy_cost_usd,
            REL,
            &what("cost"),
        );
        assert_rel(
            total(|r| r.carbon_tco2e),
            s.carbon_tco2e,
            REL,
            &what("carbon"),
        );
        assert_rel(
            total(|r| r.throttled_chip_hours),
            s.throttled_chip_hours,
            REL,
            &what("throttled chip-hours"),
        );
        assert_rel(
            total(|r| r.throttle_lost_chip_hours),
            s.throttle_lost_chip_hours,
            REL,
            &what("lost chip-hours"),
        );
        assert!(s.energy_mwh > 0.0 && s.energy_cost_usd > 0.0 && s.carbon_tco2e > 0.0);
        assert!(s.throttled_chip_hours > 0.0);
    }
}

#[test]
fn failure_counts_add_up_to_the_summary() {
    for (rec, s) in runs() {
        let mut by_class = [0u64; CLASSES];
        for r in &rec.samples {
            for (k, n) in r.failures.iter().enumerate() {
                by_class[k] += n;
            }
        }
        assert_eq!(by_class, s.failures, "seed {}: Σ sample failures", s.seed);
        // The failures log (on in the fixture) has one row per failure.
        let mut logged = [0u64; CLASSES];
        for f in &rec.failures {
            let k = FailureKind::ALL.iter().position(|c| *c == f.class).unwrap();
            logged[k] += 1;
        }
        assert_eq!(logged, s.failures, "seed {}: failures log", s.seed);
        assert!(s.failures_total() > 1_000);
    }
}

#[test]
fn chips_online_follow_the_build_out() {
    let (rec, _) = run(&load_with("conservation.toml", &[], None));
    // ohio: 20 × gb200-nvl72 (1,440 chips) from the start; 40 × hgx-h100
    // (1,280 chips) commissioned 2026-02-10 (day 40, 960 h) and retired
    // 45 d later (day 85, 2,040 h). A sample at the instant of a change
    // sees it.
    for r in rec.samples.iter().filter(|r| r.site == "ohio") {
        let (racks, chips) = if (960.0..2040.0).contains(&r.time_h) {
            (20 + 40, 1_440 + 1_280)
        } else {
            (20, 1_440)
        };
        assert_eq!(
            (r.racks_online, r.chips_online),
            (racks, chips),
            "ohio at {}",
            r.timestamp
        );
    }
}

#[test]
fn each_sample_counts_the_failures_logged_in_its_interval() {
    for (rec, s) in runs() {
        // Failures logged in (previous sample, this sample], per site and class.
        let mut previous: std::collections::HashMap<&str, f64> = Default::default();
        for r in &rec.samples {
            let from = previous.insert(r.site.as_str(), r.time_h).unwrap_or(0.0);
            let mut logged = [0u64; CLASSES];
            for f in rec
                .failures
                .iter()
                .filter(|f| f.site == r.site && f.time_h > from && f.time_h <= r.time_h)
            {
                logged[FailureKind::ALL.iter().position(|c| *c == f.class).unwrap()] += 1;
            }
            assert_eq!(
                logged, r.failures,
                "seed {} {} at {}",
                s.seed, r.site, r.timestamp
            );
        }
    }
}

#[test]
fn the_summary_agrees_with_the_rows() {
    for (rec, s) in runs() {
        let sites = 3;
        let mut peak = 0;
        for at_once in rec.samples.chunks(sites) {
            assert!(at_once.iter().all(|r| r.time_h == at_once[0].time_h));
            peak = peak.max(at_once.iter().map(|r| r.chips_online).sum::<u64>());
        }
        assert_eq!(s.peak_chips_online, peak, "seed {}", s.seed);
        let last = &rec.samples[rec.samples.len() - sites..];
        assert_eq!(
            s.chips_online_at_end,
            last.iter().map(|r| r.chips_online).sum::<u64>()
        );
        let racks = |status: &str| -> u64 {
            rec.buildout
                .iter()
                .filter(|b| b.status == status)
                .map(|b| u64::from(b.racks))
                .sum()
        };
        assert_eq!(s.racks_commissioned, racks("commissioned"));
        assert_eq!(s.racks_deferred_at_end, racks("deferred"));
        assert_eq!(
            s.racks_deferred_at_end,
            last.iter()
                .map(|r| u64::from(r.racks_deferred))
                .sum::<u64>()
        );
        assert_eq!(s.racks_refused, racks("refused"));
        assert!(s.availability > 0.5 && s.availability < 1.0);
    }
}
