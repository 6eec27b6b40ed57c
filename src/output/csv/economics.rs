//! Columns of the economics files: the money, tax, retirement and
//! terminal-value columns of `summary.csv`, the contracts' files and
//! `monthly.csv`.

use super::*;

/// An optional economics figure of the summary: empty without books.
pub(super) fn summary_money(l: &mut Line, r: &SummaryRow, put: fn(&EconomicsSummary, &mut Line)) {
    match &r.economics {
        Some(e) => put(e, l),
        None => l.text(""),
    }
}

/// Money with cents; a non-finite value (never expected) is written empty
/// rather than as `NaN`.
pub(super) fn usd(l: &mut Line, x: f64) {
    if x.is_finite() {
        l.fixed(x, 2)
    } else {
        l.text("")
    }
}

/// An optional finite number: empty when absent or not finite.
pub(super) fn maybe_finite(l: &mut Line, x: Option<f64>, decimals: usize) {
    match x {
        Some(x) if x.is_finite() => l.fixed(x, decimals),
        _ => l.text(""),
    }
}

/// Columns appended to `summary.csv` in scenarios with `[economics]`.
pub const ECONOMICS_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("discount_rate", |r, l| summary_money(l, r, |e, l| l
        .fixed(e.discount_rate, 6))),
    col!("contract_value_usd", |r, l| summary_money(
        l,
        r,
        |e, l| usd(l, e.contract_value_usd)
    )),
    col!("capex_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.capex_usd
    ))),
    col!("revenue_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.revenue_usd
    ))),
    col!("contract_revenue_usd", |r, l| summary_money(
        l,
        r,
        |e, l| usd(l, e.contract_revenue_usd)
    )),
    col!("on_demand_revenue_usd", |r, l| summary_money(
        l,
        r,
        |e, l| usd(l, e.on_demand_revenue_usd)
    )),
    col!("sla_credits_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.sla_credits_usd
    ))),
    col!("opex_usd", |r, l| summary_money(l, r, |e, l| usd(
        l, e.opex_usd
    ))),
    col!("ebitda_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.ebitda_usd
    ))),
    col!("depreciation_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.depreciation_usd
    ))),
    col!("ebit_usd", |r, l| summary_money(l, r, |e, l| usd(
        l, e.ebit_usd
    ))),
    col!("interest_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.interest_usd
    ))),
    col!("net_cash_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.net_cash_usd
    ))),
    col!("book_value_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.book_value_usd
    ))),
    col!("debt_outstanding_usd", |r, l| summary_money(
        l,
        r,
        |e, l| usd(l, e.debt_outstanding_usd)
    )),
    col!("npv_usd", |r, l| summary_money(l, r, |e, l| usd(
        l, e.npv_usd
    ))),
    col!("irr", |r, l| summary_money(l, r, |e, l| maybe_finite(
        l, e.irr, 6
    ))),
    col!("irr_note", Text, |r, l| summary_money(l, r, |e, l| l
        .text(e.irr_note.unwrap_or("")))),
    col!("payback_month", Text, |r, l| summary_money(l, r, |e, l| l
        .text(e.payback_month.as_deref().unwrap_or("")))),
    col!("payback_months", |r, l| summary_money(
        l,
        r,
        |e, l| match e.payback_months {
            Some(m) => l.int(u64::from(m)),
            None => l.text(""),
        }
    )),
    col!("gross_margin", |r, l| summary_money(l, r, |e, l| {
        maybe_finite(l, e.gross_margin, 6)
    })),
    col!("ebitda_margin", |r, l| summary_money(l, r, |e, l| {
        maybe_finite(l, e.ebitda_margin, 6)
    })),
    col!("cost_per_chip_hour_usd", |r, l| summary_money(
        l,
        r,
        |e, l| { maybe_finite(l, e.cost_per_chip_hour_usd, 6) }
    )),
    col!("revenue_per_chip_hour_usd", |r, l| summary_money(
        l,
        r,
        |e, l| { maybe_finite(l, e.revenue_per_chip_hour_usd, 6) }
    )),
    col!("cost_per_million_tokens_trained_usd", |r, l| summary_money(
        l,
        r,
        |e, l| maybe_finite(l, e.cost_per_million_tokens_trained_usd, 6)
    )),
    col!("cost_per_exaflop_trained_usd", |r, l| summary_money(
        l,
        r,
        |e, l| maybe_finite(l, e.cost_per_exaflop_trained_usd, 6)
    )),
    col!("cost_per_million_tokens_served_usd", |r, l| summary_money(
        l,
        r,
        |e, l| maybe_finite(l, e.cost_per_million_tokens_served_usd, 6)
    )),
    col!("revenue_per_mw_year_usd", |r, l| summary_money(
        l,
        r,
        |e, l| { maybe_finite(l, e.revenue_per_mw_year_usd, 2) }
    )),
];

/// Columns appended to `summary.csv` with named opex lines: each line's
/// total over the run.
pub const OPEX_LINES_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("insurance_property_tax_usd", |r, l| opex_line(l, r, 0)),
    col!("network_transit_usd", |r, l| opex_line(l, r, 1)),
    col!("software_licences_usd", |r, l| opex_line(l, r, 2)),
    col!("sga_usd", |r, l| opex_line(l, r, 3)),
];

/// Line `k` of the opex lines over the run: empty without them.
pub(super) fn opex_line(l: &mut Line, r: &SummaryRow, k: usize) {
    match r.economics.as_ref().and_then(|e| e.opex_lines_usd) {
        Some(v) => usd(l, v[k]),
        None => l.text(""),
    }
}

/// A figure of the after-tax summary: empty without tax.
pub(super) fn summary_tax(
    l: &mut Line,
    r: &SummaryRow,
    put: fn(&crate::record::TaxSummary, &mut Line),
) {
    match r.economics.as_ref().and_then(|e| e.tax.as_ref()) {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

/// Columns appended to `summary.csv` with `[economics.tax]`.
pub const TAX_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("tax_rate", |r, l| summary_tax(l, r, |t, l| l
        .fixed(t.rate, 6))),
    col!("income_tax_usd", |r, l| summary_tax(l, r, |t, l| usd(
        l,
        t.income_tax_usd
    ))),
    col!("net_income_usd", |r, l| summary_tax(l, r, |t, l| usd(
        l,
        t.net_income_usd
    ))),
    col!("loss_carried_forward_usd", |r, l| summary_tax(
        l,
        r,
        |t, l| usd(l, t.loss_carried_forward_usd)
    )),
    col!("npv_after_tax_usd", |r, l| summary_tax(l, r, |t, l| usd(
        l, t.npv_usd
    ))),
    col!("irr_after_tax", |r, l| summary_tax(l, r, |t, l| {
        maybe_finite(l, t.irr, 6)
    })),
    col!("irr_after_tax_note", Text, |r, l| summary_tax(
        l,
        r,
        |t, l| l.text(t.irr_note.unwrap_or(""))
    )),
    col!("payback_after_tax_month", Text, |r, l| summary_tax(
        l,
        r,
        |t, l| l.text(t.payback_month.as_deref().unwrap_or(""))
    )),
    col!("payback_after_tax_months", |r, l| summary_tax(
        l,
        r,
        |t, l| match t.payback_months {
            Some(m) => l.int(u64::from(m)),
            None => l.text(""),
        }
    )),
];

/// A figure of the early retirements: empty without write-offs.
pub(super) fn summary_retirement(
    l: &mut Line,
    r: &SummaryRow,
    put: fn(&crate::record::RetirementSummary, &mut Line),
) {
    match r.economics.as_ref().and_then(|e| e.retirement.as_ref()) {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

/// Columns appended to `summary.csv` with `write_off_at_retirement`.
pub const RETIREMENT_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("retired_written_off_usd", |r, l| summary_retirement(
        l,
        r,
        |t, l| usd(l, t.written_off_usd)
    )),
    col!("retired_proceeds_usd", |r, l| summary_retirement(
        l,
        r,
        |t, l| usd(l, t.proceeds_usd)
    )),
];

/// A figure with a terminal value: empty without one.
pub(super) fn summary_terminal(
    l: &mut Line,
    r: &SummaryRow,
    put: fn(&crate::record::TerminalSummary, &mut Line),
) {
    match r.economics.as_ref().and_then(|e| e.terminal.as_ref()) {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

/// Columns appended to `summary.csv` with a terminal treatment; the
/// after-tax ones are empty without `[economics.tax]`.
pub const TERMINAL_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("terminal_treatment", Text, |r, l| summary_terminal(
        l,
        r,
        |t, l| l.text(t.treatment)
    )),
    col!("terminal_value_usd", |r, l| summary_terminal(
        l,
        r,
        |t, l| usd(l, t.value_usd)
    )),
    col!("npv_with_terminal_usd", |r, l| summary_terminal(
        l,
        r,
        |t, l| usd(l, t.npv_usd)
    )),
    col!("irr_with_terminal", |r, l| summary_terminal(
        l,
        r,
        |t, l| maybe_finite(l, t.irr, 6)
    )),
    col!("terminal_value_after_tax_usd", |r, l| summary_terminal(
        l,
        r,
        |t, l| match t.after_tax_value_usd {
            Some(x) => usd(l, x),
            None => l.text(""),
        }
    )),
    col!("npv_after_tax_with_terminal_usd", |r, l| summary_terminal(
        l,
        r,
        |t, l| match t.after_tax_npv_usd {
            Some(x) => usd(l, x),
            None => l.text(""),
        }
    )),
    col!("irr_after_tax_with_terminal", |r, l| summary_terminal(
        l,
        r,
        |t, l| maybe_finite(l, t.after_tax_irr, 6)
    )),
];

/// Columns of `contracts_monthly.csv`.
pub const CONTRACT_MONTH_COLUMNS: &[Column<ContractMonthRow>] = &[
    col!("month", Text, |r, l| l.text(&r.month)),
    col!("contract", Text, |r, l| l.text(&r.contract)),
    col!("unit", Text, |r, l| l.text(r.unit)),
    col!("committed_capacity_hours", |r, l| l
        .fixed(r.committed_hours, 3)),
    col!("delivered_capacity_hours", |r, l| l
        .fixed(r.delivered_hours, 3)),
    col!("used_capacity_hours", |r, l| l.fixed(r.used_hours, 3)),
    col!("availability", |r, l| maybe_finite(l, r.availability, 6)),
    col!("billed_usd", |r, l| usd(l, r.billed_usd)),
    col!("credit_share", |r, l| l.fixed(r.credit_share, 4)),
    col!("credit_usd", |r, l| usd(l, r.credit_usd)),
    col!("revenue_usd", |r, l| usd(l, r.revenue_usd)),
];

/// Columns of `contracts.csv`.
pub const CONTRACT_COLUMNS: &[Column<ContractRow>] = &[
    col!("contract", Text, |r, l| l.text(&r.contract)),
    col!("unit", Text, |r, l| l.text(r.unit)),
    col!("chip_types", Text, |r, l| l.text(&r.chip_types)),
    col!("start", Text, |r, l| l.text(&r.start)),
    col!("end", Text, |r, l| l.text(&r.end)),
    col!("billing", Text, |r, l| l.text(r.billing)),
    col!("peak_capacity", |r, l| l.fixed(r.peak_capacity, 3)),
    col!("price_usd_per_unit", |r, l| l.fixed(r.price, 6)),
    col!("price_derived", Text, |r, l| l.text(if r.price_derived {
        "true"
    } else {
        "false"
    })),
    col!("committed_capacity_hours", |r, l| l
        .fixed(r.committed_hours, 3)),
    col!("value_usd", |r, l| usd(l, r.value_usd)),
    col!("billed_usd", |r, l| usd(l, r.billed_usd)),
    col!("credits_usd", |r, l| usd(l, r.credits_usd)),
    col!("revenue_usd", |r, l| usd(l, r.revenue_usd)),
    col!("availability", |r, l| maybe_finite(l, r.availability, 6)),
    col!("months_credited", |r, l| l
        .int(u64::from(r.months_credited))),
];

/// The first columns of `monthly.csv`: the month and the days of it inside
/// the run.
pub(super) const MONTHLY_LEAD_COLUMNS: &[Column<MonthlyRow>] = &[
    col!("month", Text, |r, l| l.text(&r.month)),
    col!("days", |r, l| l.fixed(r.days, 4)),
];

/// The column of `monthly.csv` holding the revenue of the contract `name`.
pub fn contract_revenue_column(name: &str) -> String {
    format!("revenue_{name}_usd")
}

/// Whether `column` is a [`contract_revenue_column`] (other than the
/// on-demand revenue, a fixed column).
pub fn is_contract_revenue_column(column: &str) -> bool {
    column != "revenue_on_demand_usd"
        && column
            .strip_prefix("revenue_")
            .and_then(|c| c.strip_suffix("_usd"))
            .is_some_and(|c| !c.is_empty())
}

/// The fixed columns of `monthly.csv` after the month, its days and one
/// `revenue_<contract>_usd` column per contract.
pub(super) const MONTHLY_COLUMNS: &[Column<MonthlyRow>] = &[
    col!("revenue_on_demand_usd", |r, l| usd(
        l,
        r.on_demand_revenue_usd
    )),
    col!("sla_credits_usd", |r, l| usd(l, r.sla_credits_usd)),
    col!("revenue_usd", |r, l| usd(l, r.revenue_usd)),
    col!("energy_usd", |r, l| usd(l, r.energy_usd)),
    col!("maintenance_usd", |r, l| usd(l, r.maintenance_usd)),
    col!("staff_usd", |r, l| usd(l, r.staff_usd)),
    col!("colocation_usd", |r, l| usd(l, r.colocation_usd)),
    col!("fixed_costs_usd", |r, l| usd(l, r.fixed_costs_usd)),
];

/// The columns of `monthly.csv` after the opex lines (when any).
pub(super) const MONTHLY_COLUMNS_AFTER_LINES: &[Column<MonthlyRow>] = &[
    col!("opex_usd", |r, l| usd(l, r.opex_usd)),
    col!("ebitda_usd", |r, l| usd(l, r.ebitda_usd)),
    col!("depreciation_usd", |r, l| usd(l, r.depreciation_usd)),
    col!("ebit_usd", |r, l| usd(l, r.ebit_usd)),
    col!("interest_usd", |r, l| usd(l, r.interest_usd)),
    col!("capex_usd", |r, l| usd(l, r.capex_usd)),
    col!("loan_drawn_usd", |r, l| usd(l, r.loan_drawn_usd)),
    col!("loan_repaid_usd", |r, l| usd(l, r.loan_repaid_usd)),
    col!("cash_flow_usd", |r, l| usd(l, r.cash_flow_usd)),
    col!("cumulative_cash_usd", |r, l| usd(l, r.cumulative_cash_usd)),
    col!("energy_mwh", |r, l| l.fixed(r.energy_mwh, 3)),
    col!("healthy_chip_hours", |r, l| l
        .fixed(r.healthy_chip_hours, 3)),
    col!("contracted_chip_hours", |r, l| l
        .fixed(r.contracted_chip_hours, 3)),
    col!("on_demand_chip_hours", |r, l| l
        .fixed(r.on_demand_chip_hours, 3)),
    col!("it_nameplate_mw", |r, l| l.fixed(r.it_nameplate_mw, 6)),
];

/// The tax columns appended to `monthly.csv` with `[economics.tax]`.
pub(super) const MONTHLY_TAX_COLUMNS: &[Column<MonthlyRow>] = &[
    col!("tax_depreciation_usd", |r, l| monthly_tax(l, r, |t| t
        .tax_depreciation_usd)),
    col!("taxable_income_usd", |r, l| monthly_tax(l, r, |t| t
        .taxable_income_usd)),
    col!("income_tax_usd", |r, l| monthly_tax(l, r, |t| t
        .income_tax_usd)),
    col!("loss_carried_forward_usd", |r, l| monthly_tax(l, r, |t| t
        .loss_carried_forward_usd)),
    col!("net_income_usd", |r, l| monthly_tax(l, r, |t| t
        .net_income_usd)),
    col!("cash_flow_after_tax_usd", |r, l| monthly_tax(l, r, |t| t
        .cash_flow_after_tax_usd)),
    col!("cumulative_cash_after_tax_usd", |r, l| monthly_tax(
        l,
        r,
        |t| t.cumulative_cash_after_tax_usd
    )),
];

/// A tax figure of a month: empty without tax.
pub(super) fn monthly_tax(
    l: &mut Line,
    r: &MonthlyRow,
    get: fn(&crate::record::MonthlyTaxRow) -> f64,
) {
    match &r.tax {
        Some(t) => usd(l, get(t)),
        None => l.text(""),
    }
}
