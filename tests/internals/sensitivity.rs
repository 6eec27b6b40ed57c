//! `dcsim sensitivity` against a tornado computed by hand (issue 22): the
//! closed-form books of `economics.rs`, whose NPV is a sum of known monthly
//! flows, moved one input at a time.

use crate::internals::common::{Edit, assert_rel};
use crate::internals::economics::{CLOSED, HOURS};
use dcsim::scenario::ScenarioText;
use dcsim::sensitivity::{Input, Plan};

/// NPV of the closed form at discount rate `r` and price `p` per
/// chip-hour: EBITDA (10p − 23.20) a hour, the $300,000 rack in month 0,
/// each month's flow at its end: Σ_m CF_m (1 + r)^−(m+1)/12.
fn npv(r: f64, p: f64) -> f64 {
    (0..12)
        .map(|m| {
            let cf = (10.0 * p - 23.2) * HOURS[m] - if m == 0 { 300_000.0 } else { 0.0 };
            cf * (1.0 + r).powf(-((m + 1) as f64) / 12.0)
        })
        .sum()
}

#[test]
fn a_two_input_tornado_by_hand() {
    let plan = Plan {
        scenario: ScenarioText {
            shown: "closed.toml".into(),
            text: CLOSED.edit("DELIVERY", "2026-01-01"),
            path: None,
        },
        sets: Vec::new(),
        seed: None,
        inputs: vec![
            Input::parse("economics.discount_rate=0.06,0.14").unwrap(),
            Input::parse("contracts[0].price_usd_per_chip_hour=8,12").unwrap(),
        ],
        replications: 1,
        figures: vec!["npv_usd".into()],
    };
    let pool = dcsim::sweep::execute::pool(2).unwrap();
    let results = plan.run(&pool, &|_| {}).unwrap();
    let t = &results[0];
    assert_rel(t.base.mean().unwrap(), npv(0.10, 10.0), 1e-6, "base");
    // The price swings the NPV by 10 chips × $4 × 8,760 h discounted; the
    // rate by far less: the price ranks first.
    let price = &t.rows[0];
    assert_eq!(price.input.path, "contracts[0].price_usd_per_chip_hour");
    assert_rel(price.low.mean().unwrap(), npv(0.10, 8.0), 1e-6, "price low");
    assert_rel(
        price.high.mean().unwrap(),
        npv(0.10, 12.0),
        1e-6,
        "price high",
    );
    assert_rel(
        price.swing().unwrap(),
        npv(0.10, 12.0) - npv(0.10, 8.0),
        1e-6,
        "price swing",
    );
    let rate = &t.rows[1];
    assert_eq!(rate.input.path, "economics.discount_rate");
    assert_rel(rate.low.mean().unwrap(), npv(0.06, 10.0), 1e-6, "rate low");
    assert_rel(
        rate.high.mean().unwrap(),
        npv(0.14, 10.0),
        1e-6,
        "rate high",
    );
    assert_rel(
        rate.swing().unwrap(),
        npv(0.06, 10.0) - npv(0.14, 10.0),
        1e-6,
        "rate swing",
    );
}
