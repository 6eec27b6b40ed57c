//! The books' optional terms against figures computed by hand (issue 22):
//! a tax schedule with a loss carried forward, a MACRS year, a resale at
//! age three, an escalated price in year four, the named opex lines; and
//! a scenario that sets none of them writes the same columns as before.

use crate::internals::common::{Edit, assert_abs, assert_rel, load_text, run};
use crate::internals::economics::{CLOSED, HOURS};
use dcsim::economics::finance;
use dcsim::record::SummaryRow;

/// The closed-form scenario of `economics.rs` (one rack of ten chips, a
/// customer renting them at $10/chip-hour, no failures) over `years`
/// years with its contract over `term`, delivered on `delivery`, with
/// `extra` appended (tables that follow `[[contracts]]` belong to it).
fn closed(
    years: u32,
    term: u32,
    delivery: &str,
    price: f64,
    extra: &str,
) -> (dcsim::Results, SummaryRow) {
    let text = CLOSED
        .edit("duration = \"1y\"", &format!("duration = \"{years}y\""))
        .edit("term = \"1y\"", &format!("term = \"{term}y\""))
        .edit("DELIVERY", delivery)
        .edit(
            "price_usd_per_chip_hour = 10",
            &format!("price_usd_per_chip_hour = {price}"),
        )
        .edit("[[contracts]]", &format!("{extra}\n[[contracts]]"));
    run(&load_text(&text))
}

/// Hours of each month of a non-leap year, repeated.
fn hours(m: usize) -> f64 {
    HOURS[m % 12]
}

#[test]
fn a_loss_carried_forward_by_hand() {
    // $5/chip-hour: EBITDA 10 × 5 − 1.20 − 12 − 10 = $26.80/h. All the
    // rack's $300,000 is expensed for tax in January 2026 (bonus 100 %):
    // 2026's taxable income is 26.8 × 8,760 − 300,000 = −65,232, no tax,
    // carried forward; 2027's is 234,768, less the 65,232: tax 25 % ×
    // 169,536 = 42,384, accrued month by month as the year-to-date true-up.
    let tax = "[economics.tax]\nrate = 0.25\nbonus_share = 1.0\n";
    let (rec, summary) = closed(2, 2, "2026-01-01", 5.0, tax);
    let months = &rec.monthly;
    assert_eq!(months.len(), 24);
    let carried = 300_000.0 - 26.8 * 8760.0;
    assert_rel(carried, 65_232.0, 1e-12, "the loss by hand");
    let mut ytd = 0.0;
    let mut before = 0.0;
    let mut flows = Vec::new();
    for (m, row) in months.iter().enumerate() {
        let t = row.tax.as_ref().expect("tax lines");
        let h = hours(m);
        let dep = if m == 0 { 300_000.0 } else { 0.0 };
        assert_eq!(t.tax_depreciation_usd, dep);
        assert_rel(t.taxable_income_usd, 26.8 * h - dep, 1e-6, "taxable");
        let due = if m < 12 {
            0.0
        } else {
            if m == 12 {
                ytd = 0.0;
                before = 0.0;
            }
            ytd += 26.8 * h;
            0.25 * (ytd - carried).max(0.0)
        };
        assert_abs(t.income_tax_usd, due - before, 1e-6, "tax of the month");
        before = due;
        if m == 11 {
            assert_rel(
                t.loss_carried_forward_usd,
                carried,
                1e-9,
                "carried at year end",
            );
        }
        let cash = 26.8 * h - if m == 0 { 300_000.0 } else { 0.0 };
        assert_abs(
            t.cash_flow_after_tax_usd,
            cash - t.income_tax_usd,
            1e-6,
            "after-tax cash",
        );
        flows.push(cash - t.income_tax_usd);
    }
    let e = summary.economics.as_ref().unwrap();
    let t = e.tax.as_ref().expect("after-tax figures");
    assert_rel(t.income_tax_usd, 42_384.0, 1e-6, "Σ tax");
    assert_abs(
        t.loss_carried_forward_usd,
        0.0,
        1e-6,
        "nothing left to carry",
    );
    // Net income: EBIT over two years (book depreciation $300,000) less tax.
    assert_rel(
        t.net_income_usd,
        26.8 * 8760.0 * 2.0 - 300_000.0 - 42_384.0,
        1e-6,
        "net income",
    );
    let by_hand: f64 = flows
        .iter()
        .enumerate()
        .map(|(m, cf)| cf * 1.1f64.powf(-((m + 1) as f64) / 12.0))
        .sum();
    assert_rel(t.npv_usd, by_hand, 1e-6, "after-tax NPV");
    assert!(t.npv_usd < e.npv_usd, "tax lowers the NPV");
    assert_eq!(t.irr, finance::irr(&flows).ok());
}

#[test]
fn a_macrs_year_by_hand() {
    // $300,000 of servers in service from January 2026 on the MACRS
    // five-year table: 20 % in 2026 ($5,000 a month), 32 % in 2027
    // ($8,000 a month). Tax at 25 %: 2026 (234,768 − 60,000) × 0.25 =
    // 43,692; 2027 (234,768 − 96,000) × 0.25 = 34,692.
    let tax = "[economics.tax]\nrate = 0.25\ndepreciation = \"macrs5\"\n";
    let (rec, summary) = closed(2, 2, "2026-01-01", 5.0, tax);
    for (m, row) in rec.monthly.iter().enumerate() {
        let t = row.tax.as_ref().unwrap();
        let want = if m < 12 { 5_000.0 } else { 8_000.0 };
        assert_rel(t.tax_depreciation_usd, want, 1e-12, "MACRS month");
    }
    let year = |y: usize| -> f64 {
        rec.monthly[12 * y..12 * (y + 1)]
            .iter()
            .map(|r| r.tax.as_ref().unwrap().income_tax_usd)
            .sum()
    };
    assert_rel(year(0), 43_692.0, 1e-6, "2026 tax");
    assert_rel(year(1), 34_692.0, 1e-6, "2027 tax");
    let t = summary.economics.unwrap().tax.unwrap();
    assert_rel(t.income_tax_usd, 43_692.0 + 34_692.0, 1e-6, "Σ tax");
}

#[test]
fn a_resale_at_age_three_by_hand() {
    // The rack arrives on 2027-01-01 and the run ends on 2030-01-01: it is
    // three years old, and resells at the curve's third point, 25 % of
    // $300,000 = $75,000, booked at the end of the last (48th) month.
    let terminal = "[economics.terminal]\ntreatment = \"resale\"\nhardware_resale = [0.6, 0.4, 0.25, 0.15]\n[economics.tax]\nrate = 0.2\n";
    let (_, summary) = closed(4, 1, "2027-01-01", 10.0, terminal);
    let e = summary.economics.unwrap();
    let v = e.terminal.as_ref().expect("a terminal value");
    assert_eq!(v.treatment.key(), "resale");
    assert_rel(v.value_usd, 75_000.0, 1e-12, "resale value");
    assert_rel(
        v.npv_usd - e.npv_usd,
        75_000.0 * 1.1f64.powf(-4.0),
        1e-9,
        "NPV with it − without",
    );
    // After tax: the rack is written off for tax (a one-year life), so the
    // whole sale is a gain taxed at 20 %: 60,000 left.
    assert_rel(v.after_tax_value_usd.unwrap(), 60_000.0, 1e-9, "after tax");
    let t = e.tax.as_ref().unwrap();
    assert_rel(
        v.after_tax_npv_usd.unwrap() - t.npv_usd,
        60_000.0 * 1.1f64.powf(-4.0),
        1e-9,
        "after-tax NPV with it − without",
    );
    // Book value: nothing left of a rack written off over 2027.
    let (_, s) = closed(
        4,
        1,
        "2027-01-01",
        10.0,
        "[economics.terminal]\ntreatment = \"book_value\"\n",
    );
    let e = s.economics.unwrap();
    assert_eq!(e.terminal.unwrap().value_usd, e.book_value_usd);
}

#[test]
fn an_escalated_price_in_year_four_by_hand() {
    // $10/chip-hour from 2026-01-01, +3 % on each anniversary: March 2029
    // is in the fourth contract year, at 10 × 1.03³ = $10.92727.
    let (rec, summary) = closed(4, 4, "2026-01-01", 10.0, "");
    let flat = rec.monthly[38].revenue_usd;
    let text = CLOSED
        .edit("duration = \"1y\"", "duration = \"4y\"")
        .edit("term = \"1y\"", "term = \"4y\"")
        .edit("DELIVERY", "2026-01-01")
        .edit(
            "price_usd_per_chip_hour = 10",
            "price_usd_per_chip_hour = 10\nprice_escalator_per_year = 0.03",
        );
    let (rec, s) = run(&load_text(&text));
    assert_eq!(rec.monthly[38].month.to_string(), "2029-03");
    assert_rel(flat, 100.0 * 744.0, 1e-9, "flat March 2029");
    assert_rel(
        rec.monthly[38].revenue_usd,
        100.0 * 1.03f64.powi(3) * 744.0,
        1e-9,
        "escalated March 2029",
    );
    assert_rel(rec.monthly[11].revenue_usd, 100.0 * 744.0, 1e-9, "year one");
    // The contract's value weighs each year by its factor (2028 is a leap
    // year of 8,784 h).
    let year_hours = [8760.0, 8760.0, 8784.0, 8760.0];
    let value: f64 = year_hours
        .iter()
        .enumerate()
        .map(|(k, h)| 100.0 * 1.03f64.powi(k as i32) * h)
        .sum();
    let e = s.economics.unwrap();
    assert_rel(e.contract_value_usd, value, 1e-9, "escalated value");
    assert_rel(e.contract_revenue_usd, value, 1e-9, "billed = value");
    assert!(summary.economics.unwrap().contract_value_usd < value);
    // The same value as total_value_usd derives the same $10 price.
    let derived = text.edit(
        "price_usd_per_chip_hour = 10\n",
        &format!("total_value_usd = {value}\n"),
    );
    let (_, s) = run(&load_text(&derived));
    let c = &s.economics.unwrap().contracts[0];
    assert_rel(c.price, 10.0, 1e-9, "derived price");
}

#[test]
fn escalated_costs_and_on_demand_price_by_hand() {
    // Energy +2 %/yr, staff +3 %/yr, maintenance (12 % of $300,000 a year,
    // $4.109589/h) +5 %/yr: in 2028 (two whole years on) each is its 2026
    // rate times the factor squared.
    let extra = "[economics.escalators]\nenergy_per_year = 0.02\nstaff_per_year = 0.03\nmaintenance_per_year = 0.05\n";
    let text = CLOSED
        .edit("duration = \"1y\"", "duration = \"3y\"")
        .edit("DELIVERY", "2026-01-01")
        .edit(
            "maintenance_share_per_year = 0",
            "maintenance_share_per_year = 0.12",
        )
        .edit("[[contracts]]", &format!("{extra}\n[[contracts]]"));
    let (rec, _) = run(&load_text(&text));
    let row = &rec.monthly[26];
    assert_eq!(row.month.to_string(), "2028-03");
    let h = 744.0;
    assert_rel(row.energy_usd, 1.2 * h * 1.02f64.powi(2), 1e-6, "energy");
    assert_rel(row.staff_usd, 12.0 * h * 1.03f64.powi(2), 1e-6, "staff");
    assert_rel(
        row.maintenance_usd,
        0.12 * 300_000.0 * h / 8760.0 * 1.05f64.powi(2),
        1e-9,
        "maintenance",
    );
    // On demand without a contract: half of the ten chips at $4, −20 % a
    // year: 5 chip-hours an hour, $20/h in 2026, $16/h in 2027.
    let od = CLOSED
        .edit("duration = \"1y\"", "duration = \"2y\"")
        .edit("DELIVERY", "2026-01-01");
    let od = od.split("[[contracts]]").next().unwrap().to_string()
        + "\n[on_demand]\nprice_usd_per_chip_hour = 4\nutilization = 0.5\nprice_change_per_year = -0.2\n";
    let (rec, _) = run(&load_text(&od));
    assert_rel(
        rec.monthly[2].on_demand_revenue_usd,
        20.0 * 744.0,
        1e-6,
        "2026",
    );
    assert_rel(
        rec.monthly[14].on_demand_revenue_usd,
        16.0 * 744.0,
        1e-6,
        "2027",
    );
}

#[test]
fn the_opex_lines_by_hand() {
    // Insurance 1 % of the $300,000 in service a year ($0.342466/h);
    // transit $876,000 per MW-year on 0.012 MW ($1.20/h); software $8,760
    // a year ($1/h); SG&A 10 % of the $100/h of revenue ($10/h).
    let extra = "[economics.opex.insurance]\nshare_of_capex_per_year = 0.01\n[economics.opex.network_transit]\nusd_per_mw_year = 876000\n[economics.opex.software]\nusd_per_year = 8760\n[economics.opex.sga]\nshare_of_revenue = 0.1\n";
    let (rec, summary) = closed(1, 1, "2026-01-01", 10.0, extra);
    let insurance = 0.01 * 300_000.0 / 8760.0;
    for (m, row) in rec.monthly.iter().enumerate() {
        let h = HOURS[m];
        let l = row.opex_lines_usd.expect("the lines");
        assert_rel(l[0], insurance * h, 1e-9, "insurance");
        assert_rel(l[1], 1.2 * h, 1e-6, "transit");
        assert_rel(l[2], h, 1e-9, "software");
        assert_rel(l[3], 10.0 * h, 1e-9, "SG&A");
        assert_rel(
            row.ebitda_usd,
            (76.8 - 1.2 - 1.0 - 10.0 - insurance) * h,
            1e-6,
            "EBITDA",
        );
    }
    let e = summary.economics.unwrap();
    let l = e.opex_lines_usd.unwrap();
    assert_rel(l[3], 0.1 * e.revenue_usd, 1e-9, "Σ SG&A");
    assert!(e.tax.is_none() && e.terminal.is_none());
}

/// The one issue of a closed-form scenario with `extra` before its
/// contract: its field and message.
fn refused(extra: &str) -> (String, String) {
    let text = CLOSED
        .edit("DELIVERY", "2026-01-01")
        .edit("[[contracts]]", &format!("{extra}\n[[contracts]]"));
    let e = dcsim::scenario::load_str(
        "case.toml",
        &text,
        None,
        &dcsim::scenario::Overrides::default(),
    )
    .expect_err("refused");
    assert_eq!(e.issues.len(), 1, "{e}");
    (e.issues[0].field.clone(), e.issues[0].message.clone())
}

#[test]
fn bad_terms_are_refused_naming_the_field_and_the_fix() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "[economics.tax]\nrate = 1.5\n",
            "economics.tax.rate",
            "between 0 and 1",
        ),
        (
            "[economics.tax]\nrate = 0.2\ndepreciation = \"macrs\"\n",
            "economics.tax.depreciation",
            "\"macrs5\"",
        ),
        (
            "[economics.terminal]\ntreatment = \"resell\"\n",
            "economics.terminal.treatment",
            "\"resale\"",
        ),
        (
            "[economics.terminal]\ntreatment = \"resale\"\n",
            "economics.terminal.hardware_resale",
            "hardware_resale = [",
        ),
        (
            "[economics.terminal]\ntreatment = \"perpetuity\"\ngrowth = 0.1\n",
            "economics.terminal.growth",
            "below the discount rate",
        ),
        (
            "[economics.opex.sga]\n",
            "economics.opex.sga",
            "share_of_revenue",
        ),
        (
            "[economics.escalators]\nenergy_per_year = -1\n",
            "economics.escalators.energy_per_year",
            "above -1",
        ),
    ];
    for (extra, field, fix) in cases {
        let (f, message) = refused(extra);
        assert_eq!(f, field, "{message}");
        assert!(message.contains(fix), "`{fix}` not in: {message}");
    }
}

#[test]
fn a_stepped_price_in_year_four_by_hand() {
    // $10/chip-hour from 2026-01-01 on ten chips ($100/h), stepped to 1.05×
    // from 2027-01-01, 1.2× from 2029-01-01 (the fourth contract year) and
    // 1.3× from 2029-03-16, mid-March: March 2029 bills 15 days at $120/h
    // and 16 days at $130/h.
    let steps = "price_steps = [{ date = \"2027-01-01\", factor = 1.05 }, { date = \"2029-01-01\", factor = 1.2 }, { date = \"2029-03-16\", factor = 1.3 }]\n";
    let text = CLOSED
        .edit("duration = \"1y\"", "duration = \"4y\"")
        .edit("term = \"1y\"", "term = \"4y\"")
        .edit("DELIVERY", "2026-01-01")
        .edit(
            "price_usd_per_chip_hour = 10\n",
            &format!("price_usd_per_chip_hour = 10\n{steps}"),
        );
    let (rec, s) = run(&load_text(&text));
    assert_eq!(rec.monthly[38].month.to_string(), "2029-03");
    assert_rel(
        rec.monthly[38].revenue_usd,
        100.0 * (15.0 * 24.0 * 1.2 + 16.0 * 24.0 * 1.3),
        1e-9,
        "March 2029",
    );
    assert_rel(
        rec.monthly[37].revenue_usd,
        100.0 * 672.0 * 1.2,
        1e-9,
        "February 2029",
    );
    assert_rel(rec.monthly[11].revenue_usd, 100.0 * 744.0, 1e-9, "year one");
    assert_rel(
        rec.monthly[12].revenue_usd,
        100.0 * 744.0 * 1.05,
        1e-9,
        "January 2027",
    );
    // The value: 2026 at 1, 2027 and 2028 (a leap year) at 1.05, 2029 at
    // 1.2 to 16 March (74 days) and 1.3 after.
    let value = 100.0
        * (8760.0 + 1.05 * (8760.0 + 8784.0) + 1.2 * 74.0 * 24.0 + 1.3 * (8760.0 - 74.0 * 24.0));
    let e = s.economics.unwrap();
    assert_rel(e.contract_value_usd, value, 1e-9, "stepped value");
    assert_rel(e.contract_revenue_usd, value, 1e-9, "billed = value");
    // The same value as total_value_usd derives the same $10 base price.
    let derived = text.edit(
        "price_usd_per_chip_hour = 10\n",
        &format!("total_value_usd = {value}\n"),
    );
    let (_, s) = run(&load_text(&derived));
    assert_rel(
        s.economics.unwrap().contracts[0].price,
        10.0,
        1e-9,
        "derived price",
    );
}

#[test]
fn an_on_demand_price_curve_by_hand() {
    // No contract; half of the ten chips sell on demand (5 chip-hours an
    // hour). The unit chip's price falls linearly from $4 on 2026-01-01 to
    // $2 on 2027-01-01 and stays there: priced at each day's noon, a
    // month's revenue is 5 × hours × the price at the month's middle
    // (the price is linear inside it). January 2026: 5 × 744 × (4 − 2 ×
    // 15.5 ÷ 365); June 2026 (days 151–180): its middle is day 166;
    // March 2027: 5 × 744 × $2.
    let base = CLOSED
        .edit("duration = \"1y\"", "duration = \"2y\"")
        .edit("DELIVERY", "2026-01-01");
    let base = base.split("[[contracts]]").next().unwrap().to_string();
    let points = base.clone()
        + "\n[on_demand]\nprice_usd_per_chip_hour = 9\nutilization = 0.5\n[[on_demand.curves]]\nchip = \"unit\"\npoints = [{ date = \"2026-01-01\", usd_per_chip_hour = 4 }, { date = \"2027-01-01\", usd_per_chip_hour = 2 }]\n";
    let (rec, _) = run(&load_text(&points));
    let at = |day: f64| 4.0 - 2.0 * day / 365.0;
    let od = |m: usize| rec.monthly[m].on_demand_revenue_usd;
    assert_rel(od(0), 5.0 * 744.0 * at(15.5), 1e-9, "January 2026");
    assert_rel(od(5), 5.0 * 720.0 * at(166.0), 1e-9, "June 2026");
    assert_rel(od(14), 5.0 * 744.0 * 2.0, 1e-9, "March 2027");
    // A yearly decline from a date (a newer generation ships on
    // 2026-07-01): $4 before it, then 4 × 0.8^(hours since ÷ 8,760) at
    // each day's noon; July 2027 (from day 365 after it) by the days.
    let yearly = base
        + "\n[on_demand]\nprice_usd_per_chip_hour = 4\nutilization = 0.5\n[[on_demand.curves]]\nchip = \"unit\"\nfrom = \"2026-07-01\"\nchange_per_year = -0.2\n";
    let (rec, _) = run(&load_text(&yearly));
    assert_rel(
        rec.monthly[5].on_demand_revenue_usd,
        5.0 * 720.0 * 4.0,
        1e-12,
        "June 2026",
    );
    let july_2027: f64 = (0..31)
        .map(|d| 5.0 * 24.0 * 4.0 * 0.8f64.powf((365.0 + d as f64 + 0.5) * 24.0 / 8760.0))
        .sum();
    assert_eq!(rec.monthly[18].month.to_string(), "2027-07");
    assert_rel(
        rec.monthly[18].on_demand_revenue_usd,
        july_2027,
        1e-9,
        "July 2027",
    );
    // 2027-07-01 is 365 days on: $3.20 an hour there, below $4.
    assert!(rec.monthly[18].on_demand_revenue_usd < 5.0 * 744.0 * 3.2);
}

#[test]
fn bad_price_steps_and_curves_are_refused_naming_the_field() {
    let with_contract = |extra: &str| {
        CLOSED.edit("DELIVERY", "2026-01-01").edit(
            "price_usd_per_chip_hour = 10\n",
            &format!("price_usd_per_chip_hour = 10\n{extra}"),
        )
    };
    let cases = [
        (
            with_contract(
                "price_escalator_per_year = 0.03\nprice_steps = [{ date = \"2026-06-01\", factor = 1.1 }]\n",
            ),
            "contracts[0].price_steps",
            "not both",
        ),
        (
            with_contract(
                "price_steps = [{ date = \"2026-06-01\", factor = 1.1 }, { date = \"2026-03-01\", factor = 1.2 }]\n",
            ),
            "contracts[0].price_steps[1].date",
            "date order",
        ),
        (
            with_contract("price_steps = [{ date = \"2026-06-01\", factor = 0 }]\n"),
            "contracts[0].price_steps[0].factor",
            "greater than 0",
        ),
        (
            with_contract(
                "[on_demand]\nprice_usd_per_chip_hour = 4\nutilization = 0.5\n[[on_demand.curves]]\nchip = \"gb200\"\nchange_per_year = -0.2\n",
            ),
            "on_demand.curves[0].chip",
            "\"unit\"",
        ),
        (
            with_contract(
                "[on_demand]\nprice_usd_per_chip_hour = 4\nutilization = 0.5\n[[on_demand.curves]]\nchip = \"unit\"\n",
            ),
            "on_demand.curves[0].points",
            "change_per_year",
        ),
    ];
    for (text, field, fix) in cases {
        let e = dcsim::scenario::load_str(
            "case.toml",
            &text,
            None,
            &dcsim::scenario::Overrides::default(),
        )
        .expect_err("refused");
        assert_eq!(e.issues.len(), 1, "{e}");
        assert_eq!(e.issues[0].field, field, "{}", e.issues[0].message);
        assert!(
            e.issues[0].message.contains(fix),
            "`{fix}` not in: {}",
            e.issues[0].message
        );
    }
}
