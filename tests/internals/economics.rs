//! The provider's books against figures computed by hand: a constant load
//! with no failures, so every month's money is a product of rates and
//! hours; a late delivery whose SLA credit is known; a loan whose annuity
//! is known; and the flagship's $38B.

use crate::internals::common::{Edit, assert_abs, assert_rel, load_text, run};
use dcsim::economics::finance;
use dcsim::record::{MonthlyRow, SummaryRow};

#[path = "../both/closed_books.rs"]
mod fixtures;
pub(crate) use fixtures::CLOSED;

/// Hours of each month of 2026.
pub(crate) const HOURS: [f64; 12] = [
    744.0, 672.0, 744.0, 720.0, 744.0, 720.0, 744.0, 744.0, 720.0, 744.0, 720.0, 744.0,
];

fn closed(delivery: &str, extra: &str) -> (dcsim::Results, SummaryRow) {
    let text = CLOSED.edit("DELIVERY", delivery) + extra;
    run(&load_text(&text))
}

#[test]
fn constant_load_no_failures_matches_the_arithmetic() {
    let (rec, summary) = closed("2026-01-01", "");
    let months = &rec.monthly;
    assert_eq!(months.len(), 12);
    // Per hour: revenue 10 chips × $10 = $100; energy 0.012 MW × $100 =
    // $1.20; staff 0.012 MW × $1,000 = $12; fixed $10. EBITDA $76.80/h.
    for (m, row) in months.iter().enumerate() {
        let h = HOURS[m];
        assert_rel(row.revenue_usd, 100.0 * h, 1e-9, "revenue");
        assert_rel(row.energy_usd, 1.2 * h, 1e-6, "energy");
        assert_rel(row.staff_usd, 12.0 * h, 1e-6, "staff");
        assert_rel(row.fixed_costs_usd, 10.0 * h, 1e-9, "fixed");
        assert_rel(row.ebitda_usd, 76.8 * h, 1e-6, "EBITDA");
        // Straight line over 12 months: $25,000 a month.
        assert_rel(row.depreciation_usd, 25_000.0, 1e-12, "depreciation");
        assert_rel(row.ebit_usd, 76.8 * h - 25_000.0, 1e-6, "EBIT");
        let capex = if m == 0 { 300_000.0 } else { 0.0 };
        assert_eq!(row.capex_usd, capex);
        assert_rel(row.cash_flow_usd, 76.8 * h - capex, 1e-6, "cash flow");
        assert_eq!(row.sla_credits_usd, 0.0);
    }
    let e = summary.economics.as_ref().expect("books");
    // Depreciation sums to the capex.
    assert_rel(e.depreciation_usd, 300_000.0, 1e-12, "Σ depreciation");
    assert_rel(e.capex_usd, 300_000.0, 1e-12, "capex");
    assert_abs(e.book_value_usd, 0.0, 1e-6, "book value");
    // Cumulative cash after May: 3,624 h × 76.8 − 300,000 = −21,676.8;
    // after June: 4,344 h × 76.8 − 300,000 = 33,619.2: payback in June.
    assert_rel(
        months[4].cumulative_cash_usd,
        3624.0 * 76.8 - 300_000.0,
        1e-6,
        "May",
    );
    assert_rel(
        months[5].cumulative_cash_usd,
        4344.0 * 76.8 - 300_000.0,
        1e-6,
        "June",
    );
    assert_eq!(
        e.payback_month.map(|m| m.to_string()).as_deref(),
        Some("2026-06")
    );
    assert_eq!(e.payback_months, Some(6));
    // NPV at 10 % a year, each month's flow at its end:
    // Σ_m CF_m · 1.1^(−(m+1)/12).
    let flows: Vec<f64> = (0..12)
        .map(|m| 76.8 * HOURS[m] - if m == 0 { 300_000.0 } else { 0.0 })
        .collect();
    let by_hand: f64 = flows
        .iter()
        .enumerate()
        .map(|(m, cf)| cf * 1.1f64.powf(-((m + 1) as f64) / 12.0))
        .sum();
    assert_rel(e.npv_usd, by_hand, 1e-6, "NPV");
    // The IRR zeroes the NPV, and rates either side give either sign.
    let irr = e.irr.expect("a sign change, so an IRR");
    assert!(irr.is_finite() && irr > 0.0, "{irr}");
    let npv_at = |r: f64| -> f64 {
        flows
            .iter()
            .enumerate()
            .map(|(m, cf)| cf * (1.0 + r).powf(-((m + 1) as f64) / 12.0))
            .sum()
    };
    assert!(npv_at(irr).abs() < 1e-3, "NPV at the IRR: {}", npv_at(irr));
    assert!(npv_at(irr * 0.99) > 0.0 && npv_at(irr * 1.01) < 0.0);
    // Margins: gross = (revenue − energy − staff − depreciation) ÷ revenue.
    let revenue = 100.0 * 8760.0;
    assert_rel(e.revenue_usd, revenue, 1e-9, "revenue");
    assert_rel(
        e.gross_margin.unwrap(),
        (revenue - 13.2 * 8760.0 - 300_000.0) / revenue,
        1e-6,
        "gross margin",
    );
    // Cost per chip-hour: (opex + depreciation) ÷ 87,600 healthy chip-hours.
    assert_rel(
        e.cost_per_chip_hour_usd.unwrap(),
        (23.2 * 8760.0 + 300_000.0) / 87_600.0,
        1e-6,
        "cost per chip-hour",
    );
    // Revenue per MW-year: $876,000 over 0.012 MW for one year.
    assert_rel(
        e.revenue_per_mw_year_usd.unwrap(),
        revenue / 0.012,
        1e-6,
        "revenue per MW-year",
    );
    assert_eq!(e.contract_value_usd, 10.0 * 10.0 * 8760.0);
}

#[test]
fn money_is_conserved_and_cumulative_cash_is_the_running_sum() {
    let loan = "\n[economics.financing]\nloan_share = 0.5\nrate = 0.12\nterm = \"1y\"\n";
    for extra in ["", loan] {
        let (rec, summary) = closed("2026-01-01", extra);
        let e = summary.economics.unwrap();
        let sum = |f: fn(&MonthlyRow) -> f64| rec.monthly.iter().map(f).sum::<f64>();
        let mut running = 0.0;
        for row in &rec.monthly {
            running += row.cash_flow_usd;
            assert_rel(row.cumulative_cash_usd, running, 1e-12, "cumulative cash");
            assert_rel(
                row.cash_flow_usd,
                row.revenue_usd - row.opex_usd - row.capex_usd + row.loan_drawn_usd
                    - row.loan_repaid_usd
                    - row.interest_usd,
                1e-9,
                "a month's cash flow",
            );
        }
        let flows = sum(|r| r.revenue_usd) - sum(|r| r.opex_usd) - sum(|r| r.capex_usd)
            + sum(|r| r.loan_drawn_usd)
            - sum(|r| r.loan_repaid_usd)
            - sum(|r| r.interest_usd);
        assert_rel(sum(|r| r.cash_flow_usd), flows, 1e-9, "Σ cash flow");
        assert_rel(e.net_cash_usd, flows, 1e-9, "net cash");
        if !extra.is_empty() {
            // $150,000 borrowed in January at 1 % a month over 12 months:
            // A = 150,000 × 0.01 ÷ (1 − 1.01^−12) = $13,327.32; February to
            // December pay 11 of the 12 instalments, the rest is owed.
            let a = 150_000.0 * 0.01 / (1.0 - 1.01f64.powi(-12));
            assert_rel(a, 13_327.32, 1e-6, "annuity");
            assert_rel(sum(|r| r.loan_drawn_usd), 150_000.0, 1e-12, "drawn");
            assert_rel(
                sum(|r| r.loan_repaid_usd) + sum(|r| r.interest_usd),
                11.0 * a,
                1e-9,
                "instalments",
            );
            assert_rel(rec.monthly[1].interest_usd, 1_500.0, 1e-9, "first interest");
            assert_rel(
                sum(|r| r.loan_repaid_usd) + e.debt_outstanding_usd,
                150_000.0,
                1e-9,
                "principal",
            );
        }
    }
}

#[test]
fn a_late_delivery_misses_the_sla_and_earns_the_tier_credit() {
    // The rack arrives on 11 January: the contract's 10 chips are
    // committed for 744 h in January and delivered for 504 h, an
    // availability of 504/744 = 0.677: the 0.90 tier, a 50 % credit of
    // January's bill of 10 × $10 × 744 h = $74,400.
    let sla = r#"
[contracts.sla]
availability = 0.99
credits = [
  { below = 0.99, credit = 0.10 },
  { below = 0.95, credit = 0.25 },
  { below = 0.90, credit = 0.50 },
]
"#;
    let (rec, summary) = closed("2026-01-11", sla);
    let jan = &rec.contract_months[0];
    assert_eq!(jan.month.to_string(), "2026-01");
    assert_rel(jan.committed_hours, 7440.0, 1e-12, "committed");
    assert_rel(jan.delivered_hours, 5040.0, 1e-9, "delivered");
    assert_rel(
        jan.availability.unwrap(),
        5040.0 / 7440.0,
        1e-9,
        "availability",
    );
    assert_eq!(jan.credit_share, 0.50);
    assert_rel(jan.credit_usd, 37_200.0, 1e-9, "credit");
    assert_rel(
        rec.monthly[0].sla_credits_usd,
        37_200.0,
        1e-9,
        "January's credits",
    );
    assert_rel(
        rec.monthly[0].revenue_usd,
        37_200.0,
        1e-9,
        "January's revenue",
    );
    // Every later month is whole: no credit.
    assert!(rec.contract_months[1..].iter().all(|m| m.credit_usd == 0.0));
    let e = summary.economics.unwrap();
    assert_rel(e.sla_credits_usd, 37_200.0, 1e-9, "credits over the year");
    assert_eq!(rec.contracts[0].months_credited, 1);
}

#[test]
fn a_month_between_tiers_takes_the_lowest_tier_reached() {
    // 2 of 31 days missing: 0.935 → the 0.95 tier (25 %), not the 0.99.
    let sla = r#"
[contracts.sla]
availability = 0.99
credits = [{ below = 0.99, credit = 0.10 }, { below = 0.95, credit = 0.25 }, { below = 0.90, credit = 0.50 }]
"#;
    let (rec, _) = closed("2026-01-03", sla);
    let jan = &rec.contract_months[0];
    assert_rel(jan.availability.unwrap(), 29.0 / 31.0, 1e-9, "availability");
    assert_eq!(jan.credit_share, 0.25);
}

#[test]
fn a_derived_price_is_the_value_over_the_committed_hours() {
    let text = CLOSED
        .edit("DELIVERY", "2026-01-01")
        .edit("price_usd_per_chip_hour = 10", "total_value_usd = 1752000");
    let (rec, summary) = run(&load_text(&text));
    // 1,752,000 ÷ (10 chips × 8,760 h) = $20 per chip-hour.
    let c = &rec.contracts[0];
    assert!(c.price_derived);
    assert_rel(c.price, 20.0, 1e-12, "derived price");
    assert_rel(c.billed_usd, 1_752_000.0, 1e-9, "billed over the term");
    assert_rel(
        summary.economics.unwrap().contract_value_usd,
        1_752_000.0,
        1e-12,
        "value",
    );
}

#[test]
fn no_sign_change_means_no_irr_and_no_nan() {
    // Free racks: nothing but inflows.
    let text = CLOSED
        .edit("DELIVERY", "2026-01-01")
        .edit("price_usd = 300000", "price_usd = 0");
    let (_, summary) = run(&load_text(&text));
    let e = summary.economics.unwrap();
    assert_eq!(e.irr, None);
    assert_eq!(e.irr_note, Some(finance::NoIrr::NoSignChange));
    assert!(e.irr_note.unwrap().reason().contains("never changes sign"));
    assert_eq!(e.payback_months, Some(1));
    assert_eq!(finance::irr(&[1.0, 1.0]), Err(finance::NoIrr::NoSignChange));
}

#[test]
fn renting_and_owning_the_facility_at_once_is_refused() {
    let text = CLOSED
        .edit("DELIVERY", "2026-01-01")
        .edit("facility_usd_per_mw = 0", "facility_usd_per_mw = 1e6")
        .edit(
            "staff_usd_per_mw_year = 8760000",
            "staff_usd_per_mw_year = 8760000\ncolocation_usd_per_kw_month = 150",
        );
    let e = dcsim::scenario::load_str("colo.toml", &text, None, &Default::default())
        .expect_err("refused");
    let shown = e.to_string();
    assert!(
        shown.contains("economics.opex.colocation_usd_per_kw_month")
            && shown.contains("facility_usd_per_mw = 0"),
        "{shown}"
    );
}

#[test]
fn contracts_together_may_not_commit_more_than_is_built() {
    let text = CLOSED.edit("DELIVERY", "2026-01-01")
        + r#"
[[contracts]]
name = "second"
chip_types = ["unit"]
chips = 5
start = "2026-06-01"
term = "30d"
price_usd_per_chip_hour = 10
"#;
    let e = dcsim::scenario::load_str("two.toml", &text, None, &Default::default())
        .expect_err("refused");
    let shown = e.to_string();
    assert!(
        shown.contains("contracts[1].ramp") && shown.contains("commit 15 chips together"),
        "{shown}"
    );
}

#[test]
fn progress_payments_colocation_and_a_mw_contract_by_hand() {
    // The rack delivered on 1 April, paid in three progress payments
    // (February, March, April); the hall rented at $150/kW-month; the
    // customer commits 0.012 MW (the rack's IT nameplate) at $1,000 per
    // kW-month: 12 kW × $1,000 × h/730 a month.
    let text = CLOSED
        .edit("DELIVERY", "2026-04-01")
        .edit(
            "network_share = 0",
            "network_share = 0\nprogress_months = 3",
        )
        .edit(
            "staff_usd_per_mw_year = 8760000",
            "staff_usd_per_mw_year = 0\ncolocation_usd_per_kw_month = 150",
        )
        .edit(
            "chips = 10\nstart = \"2026-01-01\"",
            "mw = 0.012\nstart = \"2026-04-01\"",
        )
        .edit("term = \"1y\"", "end = \"2027-01-01\"")
        .edit(
            "price_usd_per_chip_hour = 10",
            "price_usd_per_kw_month = 1000",
        );
    let (rec, summary) = run(&load_text(&text));
    let m = &rec.monthly;
    assert_eq!(m[0].capex_usd, 0.0);
    for month in &m[1..=3] {
        assert_rel(month.capex_usd, 100_000.0, 1e-12, "a progress payment");
    }
    assert_eq!(m[4].capex_usd, 0.0);
    // Depreciation from April, the month it enters service.
    assert_eq!(m[2].depreciation_usd, 0.0);
    assert_rel(
        m[3].depreciation_usd,
        25_000.0,
        1e-12,
        "April's depreciation",
    );
    for k in 3..12 {
        let h = HOURS[k];
        assert_rel(m[k].colocation_usd, 12.0 * 150.0 * h / 730.0, 1e-6, "rent");
        assert_rel(
            m[k].revenue_usd,
            12.0 * 1000.0 * h / 730.0,
            1e-9,
            "MW contract revenue",
        );
    }
    assert_eq!(m[0].colocation_usd, 0.0, "nothing online in January");
    let c = &rec.contracts[0];
    assert_eq!(c.unit.key(), "mw");
    assert_rel(c.price, 1000.0, 1e-12, "price as stated per kW-month");
    assert_rel(c.availability.unwrap(), 1.0, 1e-9, "all delivered");
    assert_rel(
        summary.economics.unwrap().capex_usd,
        300_000.0,
        1e-12,
        "capex",
    );
}

#[test]
fn pay_per_use_bills_the_chip_hours_jobs_hold_and_on_demand_sells_the_rest() {
    // The customer commits 6 of the 10 chips, pay-per-use at $10; a job
    // holds all 10 chips for about 100 hours in February. The contract
    // bills what it used, up to its 6 chips; the 4 other chips sell on
    // demand at $4 half of the time: 4 × h × 0.5 × $4 a month.
    let text = CLOSED
        .edit("DELIVERY", "2026-01-01")
        .edit(
            "chips = 10\nstart = \"2026-01-01\"",
            "chips = 6\nstart = \"2026-01-01\"",
        )
        .edit(
            "price_usd_per_chip_hour = 10",
            "price_usd_per_chip_hour = 10\nbilling = \"pay_per_use\"",
        )
        + r#"
[on_demand]
price_usd_per_chip_hour = 4
utilization = 0.5

[[jobs]]
name = "run"
submit = "2026-02-01"
rack = "unit-rack"
chips = 10
ideal_duration = "100h"
"#;
    let (rec, _) = run(&load_text(&text));
    let job = &rec.jobs[0];
    let held_h = job.end_h.unwrap() - job.first_start_h.unwrap();
    assert!((100.0..110.0).contains(&held_h), "{held_h}");
    // Use is compared with the commitment per sample interval (a day):
    // four whole days of 10 chips held give 6 × 24 each; on the fifth, 10
    // chips for the rest of the job, up to 6 × 24.
    let by_day = 4.0 * 144.0 + (10.0 * (held_h - 96.0)).min(144.0);
    let feb = &rec.contract_months[1];
    assert_rel(feb.used_hours, by_day, 1e-6, "used");
    assert_rel(feb.billed_usd, 10.0 * by_day, 1e-6, "billed");
    assert_eq!(rec.contract_months[0].billed_usd, 0.0, "no use in January");
    for (k, row) in rec.monthly.iter().enumerate() {
        assert_rel(
            row.on_demand_revenue_usd,
            4.0 * HOURS[k] * 0.5 * 4.0,
            1e-6,
            "on demand",
        );
    }
}

#[test]
fn contracts_take_healthy_capacity_in_file_order() {
    // Two racks of 10 chips, the second delivered on 11 January; two
    // contracts of 10 chips each from 1 January. While only the first rack
    // is up, the first contract gets all of it: it is whole in January,
    // the second gets 21 of 31 days (504 of 744 h).
    let text = CLOSED.edit("DELIVERY", "2026-01-01")
        + r#"
[[sites.buildout]]
rack = "unit-rack"
count = 1
date = "2026-01-11"

[[contracts]]
name = "second"
chip_types = ["unit"]
chips = 10
start = "2026-01-01"
term = "1y"
price_usd_per_chip_hour = 10
"#;
    let (rec, _) = run(&load_text(&text));
    let jan: Vec<_> = rec
        .contract_months
        .iter()
        .filter(|m| m.month.to_string() == "2026-01")
        .collect();
    assert_eq!(jan.len(), 2);
    assert_eq!(jan[0].contract, "lab");
    assert_rel(jan[0].availability.unwrap(), 1.0, 1e-12, "first contract");
    assert_eq!(jan[1].contract, "second");
    assert_rel(jan[1].availability.unwrap(), 504.0 / 744.0, 1e-9, "second");
}

#[test]
fn on_demand_sells_the_chip_hours_the_named_services_hold() {
    // No contract; a service whose one replica holds the whole rack from
    // the start: every healthy chip-hour sells on demand at $3.
    let text = CLOSED
        .edit("DELIVERY", "2026-01-01")
        .edit("hbm_gb = 10", "hbm_gb = 40");
    let cut = text.find("[[contracts]]").unwrap();
    let text = text[..cut].to_string()
        + r#"
[[services]]
name = "svc"
model = "llama-2-7b"
rack = "unit-rack"
replica_chips = 10
input_tokens = 100
output_tokens = 10
rate_per_s = 0.1
min_replicas = 1
max_replicas = 1

[on_demand]
price_usd_per_chip_hour = 3
services = ["svc"]
"#;
    let (rec, summary) = run(&load_text(&text));
    let held: f64 = rec.service_summaries[0].chip_hours;
    assert!(held > 0.9 * 87_600.0, "{held}");
    let sold: f64 = rec.monthly.iter().map(|m| m.on_demand_chip_hours).sum();
    // Sold: the replica's chips at each (daily) sample × the day, never
    // more than the healthy chip-hours (here: all 87,600).
    assert!(sold <= 87_600.0 + 1e-6 && sold > 0.9 * 87_600.0, "{sold}");
    let e = summary.economics.unwrap();
    assert_rel(
        e.on_demand_revenue_usd,
        3.0 * sold,
        1e-9,
        "on-demand revenue",
    );
    assert!(e.cost_per_million_tokens_served_usd.unwrap() > 0.0);
}

#[test]
fn cost_per_million_tokens_counts_only_the_chip_hours_of_the_jobs_that_state_tokens() {
    // Issue 18 item 1. Two jobs, one after the other on the rack's 10
    // chips: "tokens" states params and tokens (6 × 1e9 × 2.4e9 = 1.44e19
    // FLOP on 10 chips at MFU 0.5: 5e14 FLOP/s, 8 h of compute), "flops"
    // states only FLOPs (the same work). The cost per million tokens is the cost per chip-hour × the
    // chip-hours of "tokens" alone ÷ its 2,400 million tokens; the cost
    // per exaFLOP covers both jobs' chip-hours and both jobs' FLOPs.
    let text = CLOSED.edit("DELIVERY", "2026-01-01")
        + r#"
[[jobs]]
name = "tokens"
rack = "unit-rack"
chips = 10
params = 1e9
tokens = 2.4e9
mfu = 0.5

[[jobs]]
name = "flops"
rack = "unit-rack"
chips = 10
flops = 1.44e19
mfu = 0.5
"#;
    let (rec, summary) = run(&load_text(&text));
    let held = |name: &str| {
        let j = rec.jobs.iter().find(|j| j.name == name).expect("job row");
        assert_eq!(j.status, "completed", "{j:?}");
        10.0 * (j.end_h.unwrap() - j.first_start_h.unwrap())
    };
    let (tokens_ch, flops_ch) = (held("tokens"), held("flops"));
    assert!(
        tokens_ch >= 80.0 && flops_ch >= 80.0,
        "{tokens_ch} {flops_ch}"
    );
    let e = summary.economics.as_ref().expect("books");
    let per_chip_hour = e.cost_per_chip_hour_usd.unwrap();
    assert_rel(
        e.cost_per_million_tokens_trained_usd.unwrap(),
        per_chip_hour * tokens_ch / 2400.0,
        1e-9,
        "cost per million tokens: the tokens job's own chip-hours",
    );
    assert_rel(
        e.cost_per_exaflop_trained_usd.unwrap(),
        per_chip_hour * (tokens_ch + flops_ch) / (2.0 * 1.44e19 / 1e18),
        1e-9,
        "cost per exaFLOP: every job",
    );

    // Without a job that states tokens the figure is empty, not zero.
    let cut = text.find("[[jobs]]\nname = \"tokens\"").unwrap();
    let after = text[cut..].find("[[jobs]]\nname = \"flops\"").unwrap() + cut;
    let only_flops = format!("{}{}", &text[..cut], &text[after..]);
    let (_, summary) = run(&load_text(&only_flops));
    let e = summary.economics.unwrap();
    assert_eq!(e.cost_per_million_tokens_trained_usd, None);
    assert!(e.cost_per_exaflop_trained_usd.is_some());
}

/// The closed-form scenario renting its hall at $150/kW-month with
/// maintenance at 3 % a year of the rack's $300,000 and staff at $8.76M per
/// MW-year, the rack delivered on `delivery` after a fixed `delay`, sampled
/// every `every`.
fn rented(delivery: &str, delay: &str, every: &str) -> (dcsim::Results, SummaryRow) {
    let text = CLOSED
        .edit(
            "date = \"DELIVERY\"",
            &format!("date = \"{delivery}\"\ndelay = {{ kind = \"fixed\", value = \"{delay}\" }}"),
        )
        .edit(
            "sample_every = \"1d\"",
            &format!("sample_every = \"{every}\""),
        )
        .edit(
            "maintenance_share_per_year = 0",
            "maintenance_share_per_year = 0.03\ncolocation_usd_per_kw_month = 150",
        );
    let cut = text.find("[[contracts]]").unwrap();
    run(&load_text(&text[..cut]))
}

#[test]
fn nameplate_costs_run_from_the_commissioning_instant_whatever_the_samples() {
    // Issue 18 item 4. The rack (12 kW of IT nameplate) is commissioned on
    // 11 January at midnight (on a sample instant) or at 06:00 (inside a
    // daily sample's interval). January's rent is 12 kW × $150 × the hours
    // online ÷ 730: 504 h or 498 h; staff 0.012 MW × $1,000 per MW-hour ×
    // the same hours; the month's IT nameplate 0.012 MW × hours ÷ 744.
    // Hourly and daily samples give the same figures.
    for (delay, online) in [("0h", 504.0), ("6h", 498.0)] {
        for every in ["1h", "1d"] {
            let (rec, _) = rented("2026-01-11", delay, every);
            let jan = &rec.monthly[0];
            let what = format!("delay {delay}, samples every {every}");
            assert_rel(
                jan.colocation_usd,
                12.0 * 150.0 * online / 730.0,
                1e-9,
                &what,
            );
            assert_rel(jan.staff_usd, 0.012 * 1000.0 * online, 1e-9, &what);
            assert_rel(jan.it_nameplate_mw, 0.012 * online / 744.0, 1e-9, &what);
            let feb = &rec.monthly[1];
            assert_rel(
                feb.colocation_usd,
                12.0 * 150.0 * 672.0 / 730.0,
                1e-9,
                &what,
            );
        }
    }
}

#[test]
fn every_per_year_rate_accrues_by_the_hour_in_force_over_a_365_day_year() {
    // Issue 18 item 3: maintenance, staff and fixed costs all accrue by the
    // hour at 1/8,760 of the yearly rate. Maintenance is 3 % a year of the
    // $300,000 rack in service: 9,000 × h ÷ 8,760 a month, from the
    // commissioning instant (11 January: 504 h in January).
    let (rec, summary) = rented("2026-01-11", "0h", "1d");
    let m = &rec.monthly;
    assert_rel(
        m[0].maintenance_usd,
        9_000.0 * 504.0 / 8760.0,
        1e-9,
        "January",
    );
    for k in 1..12 {
        let h = HOURS[k];
        assert_rel(m[k].maintenance_usd, 9_000.0 * h / 8760.0, 1e-9, "a month");
        assert_rel(m[k].fixed_costs_usd, 87_600.0 * h / 8760.0, 1e-9, "fixed");
        assert_rel(
            m[k].staff_usd,
            8_760_000.0 * 0.012 * h / 8760.0,
            1e-9,
            "staff",
        );
    }
    // A whole common year in service bills exactly the yearly share; a
    // leap year bills 8,784 ÷ 8,760 of it.
    let (rec, _) = rented("2026-01-01", "0h", "1d");
    let year: f64 = rec.monthly.iter().map(|r| r.maintenance_usd).sum();
    assert_rel(year, 9_000.0, 1e-9, "2026");
    let text = CLOSED
        .edit("DELIVERY", "2028-01-01")
        .edit("2026-01-01", "2028-01-01")
        .edit(
            "maintenance_share_per_year = 0",
            "maintenance_share_per_year = 0.03",
        );
    let (rec, _) = run(&load_text(&text));
    let year: f64 = rec.monthly.iter().map(|r| r.maintenance_usd).sum();
    assert_rel(year, 9_000.0 * 8784.0 / 8760.0, 1e-9, "2028, a leap year");
    assert!(summary.economics.is_some());
}
