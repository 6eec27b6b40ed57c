//! Power, energy, cost and carbon against hand arithmetic on tiny fixtures
//! with round numbers and no failures.
//!
//! The fixtures' rack: 10 chips of TDP 1,000 W and idle 200 W on one node,
//! 2 kW overhead. At utilization u its IT power is
//! `2,000 + 10 × (200 + u × 800)` W: 8,000 W at u = 0.5.

use dcsim::record::SampleRow;

use crate::internals::common::{assert_abs, assert_rel, run_fixture};

const REL: f64 = 1e-9;

fn sum(rows: &[SampleRow], f: impl Fn(&SampleRow) -> f64) -> f64 {
    rows.iter().map(f).sum()
}

#[test]
fn one_rack_for_one_day() {
    let (rec, s) = run_fixture("physics_day.toml", &[]);
    // IT 8 kW for 24 h = 0.192 MWh; × PUE 1.25 = 0.24 MWh;
    // × $50/MWh = $12; × 400 kg/MWh = 96 kg = 0.096 t.
    assert_rel(s.it_energy_mwh, 0.008 * 24.0, REL, "IT energy");
    assert_rel(s.energy_mwh, 0.008 * 24.0 * 1.25, REL, "facility energy");
    assert_rel(s.energy_cost_usd, 0.24 * 50.0, REL, "cost");
    assert_rel(s.carbon_tco2e, 0.24 * 400.0 / 1000.0, REL, "carbon");
    assert_rel(s.peak_facility_mw, 0.010, REL, "peak facility power");
    assert_eq!(s.hours, 24.0);
    assert_eq!(s.racks_commissioned, 1);
    assert_eq!(s.peak_chips_online, 10);
    assert_eq!(s.chips_online_at_end, 10);
    assert_eq!(s.availability, 1.0);
    assert_eq!(s.failures_total(), 0);
    assert_eq!(s.throttled_chip_hours, 0.0);

    // Hourly samples: 24 rows of 1 h each, all alike.
    let rows = &rec.samples;
    assert_eq!(rows.len(), 24);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.time_h, (i + 1) as f64);
        assert_eq!(r.site, "lab");
        assert_eq!(
            (r.racks_online, r.chips_online, r.chips_healthy),
            (1, 10, 10)
        );
        assert_rel(r.it_power_mw, 0.008, REL, "IT power");
        assert_rel(r.facility_power_mw, 0.010, REL, "facility power");
        assert_eq!(r.pue, 1.25);
        assert_eq!(r.power_cap_factor, 1.0);
        assert_rel(r.it_energy_mwh, 0.008, REL, "IT energy per hour");
        assert_rel(r.energy_mwh, 0.010, REL, "facility energy per hour");
        assert_rel(r.energy_cost_usd, 0.010 * 50.0, REL, "cost per hour");
        assert_rel(r.carbon_tco2e, 0.010 * 0.4, REL, "carbon per hour");
    }
    assert_eq!(rows[0].timestamp, at("2026-01-05T01:00:00"));
    assert_eq!(rows[23].timestamp, at("2026-01-06T00:00:00"));
    // The intervals add up to the day.
    assert_rel(sum(rows, |r| r.it_energy_mwh), 0.192, REL, "Σ IT energy");
    assert_rel(sum(rows, |r| r.energy_mwh), 0.24, REL, "Σ facility energy");
    assert_rel(sum(rows, |r| r.energy_cost_usd), 12.0, REL, "Σ cost");
    assert_rel(sum(rows, |r| r.carbon_tco2e), 0.096, REL, "Σ carbon");
}

#[test]
fn power_is_linear_in_utilization() {
    // u = 0: 2,000 + 10 × 200 = 4,000 W; u = 1: 2,000 + 10 × 1,000 = 12,000 W.
    for (u, it_w) in [("0", 4_000.0), ("0.25", 6_000.0), ("1.0", 12_000.0)] {
        let (rec, s) = run_fixture("physics_day.toml", &[&format!("load.utilization={u}")]);
        let it_mw = it_w / 1e6;
        assert_rel(rec.samples[5].it_power_mw, it_mw, REL, "IT power");
        assert_rel(s.it_energy_mwh, it_mw * 24.0, REL, "IT energy");
        assert_rel(s.energy_mwh, it_mw * 24.0 * 1.25, REL, "facility energy");
    }
}

#[test]
fn longer_samples_cover_longer_intervals() {
    let (rec, s) = run_fixture("physics_day.toml", &["sample_every=\"6h\""]);
    // 24 h / 6 h = 4 rows of 10 kW × 6 h = 0.06 MWh each.
    assert_eq!(rec.samples.len(), 4);
    for r in &rec.samples {
        assert_rel(r.energy_mwh, 0.06, REL, "facility energy per 6 h");
    }
    assert_rel(s.energy_mwh, 0.24, REL, "facility energy");
}

#[test]
fn time_of_use_prices_and_carbon_bands_over_a_week() {
    let (rec, s) = run_fixture("physics_tou_week.toml", &[]);
    // Facility power 10 kW all week, so each hour costs 0.01 MWh × price.
    // A weekday: 8-18 at 100 (10 h), 18-22 at 70 (4 h; the later band
    // wins over the weekday band at 18-20), 10 h at 40:
    //   0.01 × (10 × 100 + 4 × 70 + 10 × 40) = $16.80.
    // A weekend day: 18-22 at 70, 20 h at 40: 0.01 × (280 + 800) = $10.80.
    // The week: 5 × 16.80 + 2 × 10.80 = $105.60.
    assert_eq!(rec.samples.len(), 168);
    assert_rel(s.energy_mwh, 0.01 * 168.0, REL, "facility energy");
    assert_rel(
        s.energy_cost_usd,
        5.0 * 16.8 + 2.0 * 10.8,
        REL,
        "weekly cost",
    );
    assert_rel(
        sum(&rec.samples, |r| r.energy_cost_usd),
        105.6,
        REL,
        "Σ hourly cost",
    );
    // Carbon: weekends (48 h) at 100, the other 120 h at 300 kg/MWh:
    // 0.01 × (48 × 100 + 120 × 300) = 408 kg = 0.408 t.
    assert_rel(s.carbon_tco2e, 0.408, REL, "weekly carbon");

    // Single hours; the row at time_h = h covers the hour [h − 1, h).
    let cost_of_hour_ending = |h: usize| rec.samples[h - 1].energy_cost_usd;
    let monday = 0;
    let saturday = 5 * 24;
    for (h, price, what) in [
        (monday + 8, 40.0, "Monday 07-08"),
        (monday + 9, 100.0, "Monday 08-09"),
        (monday + 18, 100.0, "Monday 17-18"),
        (monday + 19, 70.0, "Monday 18-19"),
        (monday + 22, 70.0, "Monday 21-22"),
        (monday + 23, 40.0, "Monday 22-23"),
        (saturday + 12, 40.0, "Saturday 11-12"),
        (saturday + 20, 70.0, "Saturday 19-20"),
    ] {
        assert_rel(cost_of_hour_ending(h), 0.01 * price, REL, what);
    }
    assert_eq!(
        rec.samples[saturday + 11].timestamp,
        at("2026-01-10T12:00:00")
    );
    assert_rel(
        rec.samples[saturday + 11].carbon_tco2e,
        0.01 * 0.1,
        REL,
        "Saturday carbon",
    );
    assert_rel(
        rec.samples[monday + 11].carbon_tco2e,
        0.01 * 0.3,
        REL,
        "Monday carbon",
    );
}

#[test]
fn monthly_pue_across_a_year_boundary() {
    let (rec, s) = run_fixture("physics_pue_months.toml", &[]);
    // December 2026 (31 d = 744 h), January 2027 (744 h), February 2027
    // (28 d = 672 h), hourly rows; each row covers the hour before it.
    let rows = &rec.samples;
    assert_eq!(rows.len(), 744 + 744 + 672);
    let (dec, rest) = rows.split_at(744);
    let (jan, feb) = rest.split_at(744);
    assert_eq!(dec.last().unwrap().timestamp, at("2027-01-01T00:00:00"));
    assert_eq!(jan.last().unwrap().timestamp, at("2027-02-01T00:00:00"));
    assert_eq!(feb.last().unwrap().timestamp, at("2027-03-01T00:00:00"));
    // IT 8 kW throughout; facility = IT × PUE of the month.
    //   December: 0.008 × 744 × 1.15 = 6.8448 MWh
    //   January:  0.008 × 744 × 1.10 = 6.5472 MWh
    //   February: 0.008 × 672 × 1.20 = 6.4512 MWh
    let energy = |rows: &[SampleRow]| sum(rows, |r| r.energy_mwh);
    assert_rel(energy(dec), 6.8448, REL, "December facility energy");
    assert_rel(energy(jan), 6.5472, REL, "January facility energy");
    assert_rel(energy(feb), 6.4512, REL, "February facility energy");
    assert_rel(
        s.energy_mwh,
        6.8448 + 6.5472 + 6.4512,
        REL,
        "facility energy",
    );
    assert_rel(s.it_energy_mwh, 0.008 * 2160.0, REL, "IT energy");
    assert_rel(s.energy_cost_usd, 19.8432 * 50.0, REL, "cost");
    // Power and PUE are the state at the sample instant (issue 6, item 8):
    // the row at a month's first midnight already shows the new month's PUE
    // (its energy covers the hour before, of the old month). The run ends
    // (exclusive) at 2027-03-01T00:00, where nothing changes any more: the
    // last row keeps February's PUE.
    for (month, pue, next) in [(dec, 1.15, 1.10), (jan, 1.10, 1.20), (feb, 1.20, 1.20)] {
        let (last, rest) = month.split_last().unwrap();
        for r in rest {
            assert_eq!(r.pue, pue, "PUE at {}", r.timestamp);
            assert_rel(r.facility_power_mw, 0.008 * pue, REL, "facility power");
        }
        assert_eq!(last.pue, next, "PUE at {}", last.timestamp);
        assert_rel(last.facility_power_mw, 0.008 * next, REL, "facility power");
        assert_rel(
            last.energy_mwh,
            0.008 * pue,
            REL,
            "energy of the hour before",
        );
    }
    // The peak is February's 8 kW × 1.20 = 9.6 kW.
    assert_abs(s.peak_facility_mw, 0.0096, 1e-12, "peak facility power");
}

#[test]
fn samples_that_do_not_divide_the_run_end_on_a_short_interval() {
    let (rec, s) = run_fixture("physics_day.toml", &["sample_every=\"5h\""]);
    // Samples at 5, 10, 15, 20 h and at the end, 24 h: the last covers 4 h.
    let times: Vec<f64> = rec.samples.iter().map(|r| r.time_h).collect();
    assert_eq!(times, [5.0, 10.0, 15.0, 20.0, 24.0]);
    assert_rel(rec.samples[0].energy_mwh, 0.010 * 5.0, REL, "first 5 h");
    assert_rel(rec.samples[4].energy_mwh, 0.010 * 4.0, REL, "last 4 h");
    assert_rel(sum(&rec.samples, |r| r.energy_mwh), 0.24, REL, "Σ energy");
    assert_rel(s.energy_mwh, 0.24, REL, "facility energy");
}

#[test]
fn hourly_csv_prices_and_carbon() {
    // prices_hourly.csv: 20 from 00:00 (a row before the start is
    // superseded), 80 from 06:00, 30 from 18:00; carbon_hourly.csv: 500
    // from 00:00, 100 from 12:00. Facility power 10 kW all day:
    //   cost   0.01 × (6 × 20 + 12 × 80 + 6 × 30) = $12.60
    //   carbon 0.01 × (12 × 500 + 12 × 100) = 72 kg
    let (rec, s) = run_fixture(
        "physics_day.toml",
        &[
            "sites[0].price={ hourly_csv = \"prices_hourly.csv\" }",
            "sites[0].carbon={ hourly_csv = \"carbon_hourly.csv\" }",
        ],
    );
    assert_rel(s.energy_cost_usd, 12.6, REL, "cost");
    assert_rel(s.carbon_tco2e, 0.072, REL, "carbon");
    for (h, price) in [
        (1, 20.0),
        (6, 20.0),
        (7, 80.0),
        (18, 80.0),
        (19, 30.0),
        (24, 30.0),
    ] {
        assert_rel(
            rec.samples[h - 1].energy_cost_usd,
            0.01 * price,
            REL,
            &format!("cost of the hour ending {h}:00"),
        );
    }
}

#[test]
fn the_minimal_example_with_catalog_figures() {
    // scenarios/minimal.toml: 10 × gb200-nvl72 at PUE 1.2 for 30 d (720 h),
    // utilization 0.7. Catalog: 72 gb200 chips (TDP 1,200 W, idle 180 W) and
    // 33.6 kW overhead per rack. With failures off, IT power is
    // 10 × (33,600 + 72 × (180 + 0.7 × 1,020)) = 10 × 97,968 W = 0.97968 MW.
    let sets: Vec<String> = dcsim::catalog::failures::FailureKind::ALL
        .iter()
        .map(|c| format!("failures.{}.rate_per_million_hours=0", c.key()))
        .collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/minimal.toml");
    let scenario =
        dcsim::scenario::load_file(&path, &dcsim::scenario::Overrides { sets, seed: None })
            .expect("the minimal example loads");
    let (rec, s) = crate::internals::common::run(&scenario);
    assert_eq!(rec.samples.len(), 720);
    assert_rel(rec.samples[0].it_power_mw, 0.97968, REL, "IT power");
    assert_rel(s.it_energy_mwh, 0.97968 * 720.0, REL, "IT energy");
    assert_rel(s.energy_mwh, 0.97968 * 1.2 * 720.0, REL, "facility energy");
    // $60/MWh and 400 kg/MWh, flat.
    assert_rel(s.energy_cost_usd, 0.97968 * 1.2 * 720.0 * 60.0, REL, "cost");
    assert_rel(s.carbon_tco2e, 0.97968 * 1.2 * 720.0 * 0.4, REL, "carbon");
    assert_eq!(s.failures_total(), 0);
    assert_eq!(s.availability, 1.0);
    // Nameplate: 10 × (72 × 1,200 + 33,600) W × 1.2 = 1.44 MW.
    assert_rel(rec.buildout[0].nameplate_mw, 1.44, REL, "nameplate");
}

/// The calendar instant written `text` (`YYYY-MM-DDTHH:MM:SS`).
fn at(text: &str) -> chrono::NaiveDateTime {
    text.parse().unwrap()
}
