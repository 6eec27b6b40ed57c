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

columns! {
    /// Columns appended to `summary.csv` in scenarios with `[economics]`.
    pub const ECONOMICS_SUMMARY_COLUMNS: [Column<SummaryRow>] in summary_economics = [
        DISCOUNT_RATE = "discount_rate" => |r, l| summary_money(l, r, |e, l| l .fixed(e.discount_rate, 6)),
        CONTRACT_VALUE_USD = "contract_value_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.contract_value_usd)),
        CAPEX_USD = "capex_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.capex_usd)),
        REVENUE_USD = "revenue_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.revenue_usd)),
        CONTRACT_REVENUE_USD = "contract_revenue_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.contract_revenue_usd)),
        ON_DEMAND_REVENUE_USD = "on_demand_revenue_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.on_demand_revenue_usd)),
        SLA_CREDITS_USD = "sla_credits_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.sla_credits_usd)),
        OPEX_USD = "opex_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.opex_usd)),
        EBITDA_USD = "ebitda_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.ebitda_usd)),
        DEPRECIATION_USD = "depreciation_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.depreciation_usd)),
        EBIT_USD = "ebit_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.ebit_usd)),
        INTEREST_USD = "interest_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.interest_usd)),
        NET_CASH_USD = "net_cash_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.net_cash_usd)),
        BOOK_VALUE_USD = "book_value_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.book_value_usd)),
        DEBT_OUTSTANDING_USD = "debt_outstanding_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.debt_outstanding_usd)),
        NPV_USD = "npv_usd" in Usd => |r, l| summary_money(l, r, |e, l| usd(l, e.npv_usd)),
        IRR = "irr" in PerYear => |r, l| summary_money(l, r, |e, l| maybe_finite(l, e.irr, 6)),
        IRR_NOTE = "irr_note", Text => |r, l| summary_money(l, r, |e, l| l.text(e.irr_note.map_or("", NoIrr::reason))),
        PAYBACK_MONTH = "payback_month", Text => |r, l| summary_money(l, r, |e, l| opt_year_month(l, e.payback_month)),
        PAYBACK_MONTHS = "payback_months" => |r, l| summary_money(l, r, |e, l| match e.payback_months { Some(m) => l.int(u64::from(m)), None => l.text(""), }),
        GROSS_MARGIN = "gross_margin" in Share => |r, l| summary_money(l, r, |e, l| { maybe_finite(l, e.gross_margin, 6) }),
        EBITDA_MARGIN = "ebitda_margin" in Share => |r, l| summary_money(l, r, |e, l| { maybe_finite(l, e.ebitda_margin, 6) }),
        COST_PER_CHIP_HOUR_USD = "cost_per_chip_hour_usd" in Usd => |r, l| summary_money(l, r, |e, l| { maybe_finite(l, e.cost_per_chip_hour_usd, 6) }),
        REVENUE_PER_CHIP_HOUR_USD = "revenue_per_chip_hour_usd" in Usd => |r, l| summary_money(l, r, |e, l| { maybe_finite(l, e.revenue_per_chip_hour_usd, 6) }),
        COST_PER_MILLION_TOKENS_TRAINED_USD = "cost_per_million_tokens_trained_usd" in Usd => |r, l| summary_money(l, r, |e, l| maybe_finite(l, e.cost_per_million_tokens_trained_usd, 6)),
        COST_PER_EXAFLOP_TRAINED_USD = "cost_per_exaflop_trained_usd" in Usd => |r, l| summary_money(l, r, |e, l| maybe_finite(l, e.cost_per_exaflop_trained_usd, 6)),
        COST_PER_MILLION_TOKENS_SERVED_USD = "cost_per_million_tokens_served_usd" in Usd => |r, l| summary_money(l, r, |e, l| maybe_finite(l, e.cost_per_million_tokens_served_usd, 6)),
        REVENUE_PER_MW_YEAR_USD = "revenue_per_mw_year_usd" in Usd => |r, l| summary_money(l, r, |e, l| { maybe_finite(l, e.revenue_per_mw_year_usd, 2) }),
    ];
}

columns! {
    /// Columns appended to `summary.csv` with named opex lines: each line's
    /// total over the run.
    pub const OPEX_LINES_SUMMARY_COLUMNS: [Column<SummaryRow>] in summary_opex_lines = [
        INSURANCE_PROPERTY_TAX_USD = "insurance_property_tax_usd" in Usd => |r, l| opex_line(l, r, 0),
        NETWORK_TRANSIT_USD = "network_transit_usd" in Usd => |r, l| opex_line(l, r, 1),
        SOFTWARE_LICENCES_USD = "software_licences_usd" in Usd => |r, l| opex_line(l, r, 2),
        SGA_USD = "sga_usd" in Usd => |r, l| opex_line(l, r, 3),
    ];
}

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

columns! {
    /// Columns appended to `summary.csv` with `[economics.tax]`.
    pub const TAX_SUMMARY_COLUMNS: [Column<SummaryRow>] in summary_tax = [
        TAX_RATE = "tax_rate" => |r, l| summary_tax(l, r, |t, l| l .fixed(t.rate, 6)),
        INCOME_TAX_USD = "income_tax_usd" in Usd => |r, l| summary_tax(l, r, |t, l| usd(l, t.income_tax_usd)),
        NET_INCOME_USD = "net_income_usd" in Usd => |r, l| summary_tax(l, r, |t, l| usd(l, t.net_income_usd)),
        LOSS_CARRIED_FORWARD_USD = "loss_carried_forward_usd" in Usd => |r, l| summary_tax(l, r, |t, l| usd(l, t.loss_carried_forward_usd)),
        NPV_AFTER_TAX_USD = "npv_after_tax_usd" in Usd => |r, l| summary_tax(l, r, |t, l| usd(l, t.npv_usd)),
        IRR_AFTER_TAX = "irr_after_tax" in PerYear => |r, l| summary_tax(l, r, |t, l| { maybe_finite(l, t.irr, 6) }),
        IRR_AFTER_TAX_NOTE = "irr_after_tax_note", Text => |r, l| summary_tax(l, r, |t, l| l.text(t.irr_note.map_or("", NoIrr::reason))),
        PAYBACK_AFTER_TAX_MONTH = "payback_after_tax_month", Text => |r, l| summary_tax(l, r, |t, l| opt_year_month(l, t.payback_month)),
        PAYBACK_AFTER_TAX_MONTHS = "payback_after_tax_months" => |r, l| summary_tax(l, r, |t, l| match t.payback_months { Some(m) => l.int(u64::from(m)), None => l.text(""), }),
    ];
}

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

columns! {
    /// Columns appended to `summary.csv` with `write_off_at_retirement`.
    pub const RETIREMENT_SUMMARY_COLUMNS: [Column<SummaryRow>] in summary_retirement = [
        RETIRED_WRITTEN_OFF_USD = "retired_written_off_usd" in Usd => |r, l| summary_retirement(l, r, |t, l| usd(l, t.written_off_usd)),
        RETIRED_PROCEEDS_USD = "retired_proceeds_usd" in Usd => |r, l| summary_retirement(l, r, |t, l| usd(l, t.proceeds_usd)),
    ];
}

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

columns! {
    /// Columns appended to `summary.csv` with a terminal treatment; the
    /// after-tax ones are empty without `[economics.tax]`.
    pub const TERMINAL_SUMMARY_COLUMNS: [Column<SummaryRow>] in summary_terminal = [
        TERMINAL_TREATMENT = "terminal_treatment", Text => |r, l| summary_terminal(l, r, |t, l| l.text(t.treatment.key())),
        TERMINAL_VALUE_USD = "terminal_value_usd" in Usd => |r, l| summary_terminal(l, r, |t, l| usd(l, t.value_usd)),
        NPV_WITH_TERMINAL_USD = "npv_with_terminal_usd" in Usd => |r, l| summary_terminal(l, r, |t, l| usd(l, t.npv_usd)),
        IRR_WITH_TERMINAL = "irr_with_terminal" in PerYear => |r, l| summary_terminal(l, r, |t, l| maybe_finite(l, t.irr, 6)),
        TERMINAL_VALUE_AFTER_TAX_USD = "terminal_value_after_tax_usd" in Usd => |r, l| summary_terminal(l, r, |t, l| match t.after_tax_value_usd { Some(x) => usd(l, x), None => l.text(""), }),
        NPV_AFTER_TAX_WITH_TERMINAL_USD = "npv_after_tax_with_terminal_usd" in Usd => |r, l| summary_terminal(l, r, |t, l| match t.after_tax_npv_usd { Some(x) => usd(l, x), None => l.text(""), }),
        IRR_AFTER_TAX_WITH_TERMINAL = "irr_after_tax_with_terminal" in PerYear => |r, l| summary_terminal(l, r, |t, l| maybe_finite(l, t.after_tax_irr, 6)),
    ];
}

columns! {
    /// Columns of `contracts_monthly.csv`.
    pub const CONTRACT_MONTH_COLUMNS: [Column<ContractMonthRow>] in contracts_monthly = [
        MONTH = "month", Text => |r, l| l.year_month(r.month),
        CONTRACT = "contract", Text => |r, l| l.text(&r.contract),
        UNIT = "unit", Text => |r, l| l.text(r.unit.key()),
        COMMITTED_CAPACITY_HOURS = "committed_capacity_hours" in CapacityHours => |r, l| l .fixed(r.committed_hours, 3),
        DELIVERED_CAPACITY_HOURS = "delivered_capacity_hours" in CapacityHours => |r, l| l .fixed(r.delivered_hours, 3),
        USED_CAPACITY_HOURS = "used_capacity_hours" in CapacityHours => |r, l| l.fixed(r.used_hours, 3),
        AVAILABILITY = "availability" in Share => |r, l| maybe_finite(l, r.availability, 6),
        BILLED_USD = "billed_usd" in Usd => |r, l| usd(l, r.billed_usd),
        CREDIT_SHARE = "credit_share" => |r, l| l.fixed(r.credit_share, 4),
        CREDIT_USD = "credit_usd" in Usd => |r, l| usd(l, r.credit_usd),
        REVENUE_USD = "revenue_usd" in Usd => |r, l| usd(l, r.revenue_usd),
    ];
}

columns! {
    /// Columns of `contracts.csv`.
    pub const CONTRACT_COLUMNS: [Column<ContractRow>] in contracts = [
        CONTRACT = "contract", Text => |r, l| l.text(&r.contract),
        UNIT = "unit", Text => |r, l| l.text(r.unit.key()),
        CHIP_TYPES = "chip_types", Text => |r, l| l.text(&r.chip_types),
        START = "start", Text => |r, l| l.date_time(r.start),
        END = "end", Text => |r, l| l.date_time(r.end),
        BILLING = "billing", Text => |r, l| l.text(r.billing.key()),
        PEAK_CAPACITY = "peak_capacity" => |r, l| l.fixed(r.peak_capacity, 3),
        PRICE_USD_PER_UNIT = "price_usd_per_unit" in UsdPerUnit => |r, l| l.fixed(r.price, 6),
        PRICE_DERIVED = "price_derived", Text => |r, l| l.text(if r.price_derived { "true" } else { "false" }),
        COMMITTED_CAPACITY_HOURS = "committed_capacity_hours" in CapacityHours => |r, l| l .fixed(r.committed_hours, 3),
        VALUE_USD = "value_usd" in Usd => |r, l| usd(l, r.value_usd),
        BILLED_USD = "billed_usd" in Usd => |r, l| usd(l, r.billed_usd),
        CREDITS_USD = "credits_usd" in Usd => |r, l| usd(l, r.credits_usd),
        REVENUE_USD = "revenue_usd" in Usd => |r, l| usd(l, r.revenue_usd),
        AVAILABILITY = "availability" in Share => |r, l| maybe_finite(l, r.availability, 6),
        MONTHS_CREDITED = "months_credited" => |r, l| l .int(u64::from(r.months_credited)),
    ];
}

columns! {
    /// The first columns of `monthly.csv`: the month and the days of it inside
    /// the run.
    pub(super) const MONTHLY_LEAD_COLUMNS: [Column<MonthlyRow>] in monthly_lead = [
        MONTH = "month", Text => |r, l| l.year_month(r.month),
        DAYS = "days" => |r, l| l.fixed(r.days, 4),
    ];
}

/// The column of `monthly.csv` holding the revenue of the contract `name`
/// (in [`Unit::Usd`]).
pub fn contract_revenue_column(name: &str) -> String {
    format!("revenue_{name}_usd")
}

/// The contract whose revenue the column `column` of `monthly.csv` holds
/// (the inverse of [`contract_revenue_column`]); `None` for any other
/// column, the on-demand revenue among them.
pub fn revenue_column_contract(column: &str) -> Option<&str> {
    if column == monthly_base::REVENUE_ON_DEMAND_USD {
        return None;
    }
    column
        .strip_prefix("revenue_")
        .and_then(|c| c.strip_suffix("_usd"))
        .filter(|c| !c.is_empty())
}

/// Whether `column` is a [`contract_revenue_column`] (other than the
/// on-demand revenue, a fixed column).
pub fn is_contract_revenue_column(column: &str) -> bool {
    revenue_column_contract(column).is_some()
}

columns! {
    /// The fixed columns of `monthly.csv` after the month, its days and one
    /// `revenue_<contract>_usd` column per contract.
    pub(super) const MONTHLY_COLUMNS: [Column<MonthlyRow>] in monthly_base = [
        REVENUE_ON_DEMAND_USD = "revenue_on_demand_usd" in Usd => |r, l| usd(l, r.on_demand_revenue_usd),
        SLA_CREDITS_USD = "sla_credits_usd" in Usd => |r, l| usd(l, r.sla_credits_usd),
        REVENUE_USD = "revenue_usd" in Usd => |r, l| usd(l, r.revenue_usd),
        ENERGY_USD = "energy_usd" in Usd => |r, l| usd(l, r.energy_usd),
        MAINTENANCE_USD = "maintenance_usd" in Usd => |r, l| usd(l, r.maintenance_usd),
        STAFF_USD = "staff_usd" in Usd => |r, l| usd(l, r.staff_usd),
        COLOCATION_USD = "colocation_usd" in Usd => |r, l| usd(l, r.colocation_usd),
        FIXED_COSTS_USD = "fixed_costs_usd" in Usd => |r, l| usd(l, r.fixed_costs_usd),
    ];
}

columns! {
    /// The columns of `monthly.csv` after the opex lines (when any).
    pub(super) const MONTHLY_COLUMNS_AFTER_LINES: [Column<MonthlyRow>] in monthly_after_lines = [
        OPEX_USD = "opex_usd" in Usd => |r, l| usd(l, r.opex_usd),
        EBITDA_USD = "ebitda_usd" in Usd => |r, l| usd(l, r.ebitda_usd),
        DEPRECIATION_USD = "depreciation_usd" in Usd => |r, l| usd(l, r.depreciation_usd),
        EBIT_USD = "ebit_usd" in Usd => |r, l| usd(l, r.ebit_usd),
        INTEREST_USD = "interest_usd" in Usd => |r, l| usd(l, r.interest_usd),
        CAPEX_USD = "capex_usd" in Usd => |r, l| usd(l, r.capex_usd),
        LOAN_DRAWN_USD = "loan_drawn_usd" in Usd => |r, l| usd(l, r.loan_drawn_usd),
        LOAN_REPAID_USD = "loan_repaid_usd" in Usd => |r, l| usd(l, r.loan_repaid_usd),
        CASH_FLOW_USD = "cash_flow_usd" in Usd => |r, l| usd(l, r.cash_flow_usd),
        CUMULATIVE_CASH_USD = "cumulative_cash_usd" in Usd => |r, l| usd(l, r.cumulative_cash_usd),
        ENERGY_MWH = "energy_mwh" in Mwh => |r, l| l.fixed(r.energy_mwh, 3),
        HEALTHY_CHIP_HOURS = "healthy_chip_hours" in ChipHours => |r, l| l .fixed(r.healthy_chip_hours, 3),
        CONTRACTED_CHIP_HOURS = "contracted_chip_hours" in ChipHours => |r, l| l .fixed(r.contracted_chip_hours, 3),
        ON_DEMAND_CHIP_HOURS = "on_demand_chip_hours" in ChipHours => |r, l| l .fixed(r.on_demand_chip_hours, 3),
        IT_NAMEPLATE_MW = "it_nameplate_mw" in Mw => |r, l| l.fixed(r.it_nameplate_mw, 6),
    ];
}

columns! {
    /// The tax columns appended to `monthly.csv` with `[economics.tax]`.
    pub(super) const MONTHLY_TAX_COLUMNS: [Column<MonthlyRow>] in monthly_tax = [
        TAX_DEPRECIATION_USD = "tax_depreciation_usd" in Usd => |r, l| monthly_tax(l, r, |t| t .tax_depreciation_usd),
        TAXABLE_INCOME_USD = "taxable_income_usd" in Usd => |r, l| monthly_tax(l, r, |t| t .taxable_income_usd),
        INCOME_TAX_USD = "income_tax_usd" in Usd => |r, l| monthly_tax(l, r, |t| t .income_tax_usd),
        LOSS_CARRIED_FORWARD_USD = "loss_carried_forward_usd" in Usd => |r, l| monthly_tax(l, r, |t| t .loss_carried_forward_usd),
        NET_INCOME_USD = "net_income_usd" in Usd => |r, l| monthly_tax(l, r, |t| t .net_income_usd),
        CASH_FLOW_AFTER_TAX_USD = "cash_flow_after_tax_usd" in Usd => |r, l| monthly_tax(l, r, |t| t .cash_flow_after_tax_usd),
        CUMULATIVE_CASH_AFTER_TAX_USD = "cumulative_cash_after_tax_usd" in Usd => |r, l| monthly_tax(l, r, |t| t.cumulative_cash_after_tax_usd),
    ];
}

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
