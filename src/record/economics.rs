//! The economics' rows: the provider's monthly statement (`monthly.csv`),
//! the contracts' files and the money figures of the summary.

use std::fmt;

use super::{SharedText, YearMonth};

/// What unit a contract commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityUnit {
    /// Chips (of the contract's chip types); priced per chip-hour.
    Chips,
    /// MW of IT nameplate power (of racks of the contract's chip types);
    /// priced per kW-month (730 h).
    Megawatts,
}

impl CapacityUnit {
    /// The name the contracts' files write: `chips` or `mw`.
    pub fn key(self) -> &'static str {
        match self {
            CapacityUnit::Chips => "chips",
            CapacityUnit::Megawatts => "mw",
        }
    }
}

impl fmt::Display for CapacityUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// How a contract is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Billing {
    /// The customer pays for the committed capacity whether or not it uses
    /// it (SLA credits aside).
    TakeOrPay,
    /// The customer pays for the committed capacity its workloads use.
    PayPerUse,
}

impl Billing {
    /// The name `contracts.csv` writes: `take_or_pay` or `pay_per_use`.
    pub fn key(self) -> &'static str {
        match self {
            Billing::TakeOrPay => "take_or_pay",
            Billing::PayPerUse => "pay_per_use",
        }
    }
}

impl fmt::Display for Billing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Why a cash-flow series has no IRR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoIrr {
    /// Every flow has the same sign (or is zero): no rate makes the NPV
    /// zero.
    NoSignChange,
    /// The NPV does not cross zero between −99.99 % and +10⁶ % a year.
    NotBracketed,
}

impl NoIrr {
    /// What the summary says instead of a rate.
    pub fn reason(self) -> &'static str {
        match self {
            NoIrr::NoSignChange => "no IRR: the cash flow never changes sign",
            NoIrr::NotBracketed => "no IRR between -99.99% and +1,000,000% a year",
        }
    }
}

impl fmt::Display for NoIrr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// How the value left at the end of the run is counted
/// (`[economics.terminal] treatment`, other than none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalTreatment {
    /// The assets' book value.
    BookValue,
    /// Hardware resale by age plus the facility's book value.
    Resale,
    /// A growing perpetuity on the last year's cash flow.
    Perpetuity,
}

impl TerminalTreatment {
    /// The name the summary writes: `book_value`, `resale` or
    /// `perpetuity`.
    pub fn key(self) -> &'static str {
        match self {
            TerminalTreatment::BookValue => "book_value",
            TerminalTreatment::Resale => "resale",
            TerminalTreatment::Perpetuity => "perpetuity",
        }
    }
}

impl fmt::Display for TerminalTreatment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One calendar month of the provider's statement, for `monthly.csv`.
/// Money in USD over the month (the first and last months may be partial:
/// `days` says how much of the month the run covers). Pre-tax.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthlyRow {
    /// Calendar month (`YYYY-MM` in the CSV file).
    pub month: YearMonth,
    /// Days of the month inside the run.
    pub days: f64,
    /// Revenue billed to each contract before SLA credits, in the order of
    /// the scenario's `[[contracts]]`, with the contract's name.
    pub contract_revenue_usd: Vec<(SharedText, f64)>,
    /// Revenue of on-demand sales.
    pub on_demand_revenue_usd: f64,
    /// SLA credits given back to customers (≥ 0, subtracted from revenue).
    pub sla_credits_usd: f64,
    /// Net revenue: contracts + on demand − SLA credits.
    pub revenue_usd: f64,
    /// Energy bought for the facilities (from the samples).
    pub energy_usd: f64,
    /// Maintenance: a share of the IT capex in service.
    pub maintenance_usd: f64,
    /// Staff: a rate per MW of IT nameplate online.
    pub staff_usd: f64,
    /// Colocation rent: a rate per kW of IT nameplate online.
    pub colocation_usd: f64,
    /// Other fixed costs.
    pub fixed_costs_usd: f64,
    /// Operating costs: energy + maintenance + staff + colocation + fixed.
    pub opex_usd: f64,
    /// Revenue − opex.
    pub ebitda_usd: f64,
    /// Straight-line depreciation of the assets in service.
    pub depreciation_usd: f64,
    /// EBITDA − depreciation.
    pub ebit_usd: f64,
    /// Interest on the loan.
    pub interest_usd: f64,
    /// Capital spent (racks, network, facility).
    pub capex_usd: f64,
    /// Loan drawn (a share of the capex).
    pub loan_drawn_usd: f64,
    /// Loan principal repaid.
    pub loan_repaid_usd: f64,
    /// The owner's cash flow: revenue − opex − capex + loan drawn − loan
    /// repaid − interest.
    pub cash_flow_usd: f64,
    /// Running sum of the cash flow.
    pub cumulative_cash_usd: f64,
    /// Facility energy \[MWh\].
    pub energy_mwh: f64,
    /// Healthy chip-hours of the fleet.
    pub healthy_chip_hours: f64,
    /// Chip-hours assigned to contracts (delivered, in chip-hours).
    pub contracted_chip_hours: f64,
    /// Chip-hours sold on demand.
    pub on_demand_chip_hours: f64,
    /// Mean IT nameplate power online \[MW\].
    pub it_nameplate_mw: f64,
    /// The opex lines of `LINE_NAMES` (`economics::lines`), in that
    /// order (included in opex), when the scenario names any.
    pub opex_lines_usd: Option<[f64; 4]>,
    /// The tax lines, when the scenario has `[economics.tax]`.
    pub tax: Option<MonthlyTaxRow>,
}

/// The tax lines of one month of `monthly.csv` (`crate::economics::tax`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonthlyTaxRow {
    /// Tax depreciation \[USD\].
    pub tax_depreciation_usd: f64,
    /// EBITDA − tax depreciation − deductible interest \[USD\].
    pub taxable_income_usd: f64,
    /// Income tax accrued: the year-to-date true-up \[USD\].
    pub income_tax_usd: f64,
    /// Losses carried forward at the end of the month \[USD\].
    pub loss_carried_forward_usd: f64,
    /// EBIT − interest − income tax \[USD\].
    pub net_income_usd: f64,
    /// Cash flow − income tax \[USD\].
    pub cash_flow_after_tax_usd: f64,
    /// Running sum of the after-tax cash flow \[USD\].
    pub cumulative_cash_after_tax_usd: f64,
}

/// One contract in one month, for `contracts_monthly.csv`. Capacity-hours
/// are chip-hours for a contract in chips and MW-hours for one in MW.
#[derive(Clone, Debug, PartialEq)]
pub struct ContractMonthRow {
    /// Calendar month (`YYYY-MM` in the CSV file).
    pub month: YearMonth,
    /// Contract name.
    pub contract: SharedText,
    /// The unit of the capacity-hours (`chips` or `mw` in the file).
    pub unit: CapacityUnit,
    /// Capacity-hours committed over the month.
    pub committed_hours: f64,
    /// Capacity-hours of healthy capacity assigned to it.
    pub delivered_hours: f64,
    /// Capacity-hours its workloads used (pay-per-use billing only; else 0).
    pub used_hours: f64,
    /// Delivered ÷ committed; none in a month with no commitment.
    pub availability: Option<f64>,
    /// Billed before credits \[USD\].
    pub billed_usd: f64,
    /// Share of the bill credited under the SLA, 0–1.
    pub credit_share: f64,
    /// Credit \[USD\].
    pub credit_usd: f64,
    /// Billed − credit \[USD\].
    pub revenue_usd: f64,
}

/// One contract over its whole term, for `contracts.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ContractRow {
    /// Contract name.
    pub contract: String,
    /// What it commits (`chips` or `mw` in the file).
    pub unit: CapacityUnit,
    /// Chip types that may serve it, joined by `+`.
    pub chip_types: String,
    /// Start of the term, to the second (`YYYY-MM-DDTHH:MM:SS` in the
    /// file).
    pub start: chrono::NaiveDateTime,
    /// End of the term (exclusive), to the second.
    pub end: chrono::NaiveDateTime,
    /// How it is billed (`take_or_pay` or `pay_per_use` in the file).
    pub billing: Billing,
    /// Largest capacity committed (chips, or MW).
    pub peak_capacity: f64,
    /// Price as stated: USD per chip-hour, or per kW-month for MW.
    pub price: f64,
    /// Whether the price was derived from a total contract value.
    pub price_derived: bool,
    /// Capacity-hours committed over the term.
    pub committed_hours: f64,
    /// Nominal value: price × committed capacity-hours \[USD\].
    pub value_usd: f64,
    /// Billed over the run before credits \[USD\].
    pub billed_usd: f64,
    /// SLA credits over the run \[USD\].
    pub credits_usd: f64,
    /// Billed − credits \[USD\].
    pub revenue_usd: f64,
    /// Delivered ÷ committed capacity-hours over the term.
    pub availability: Option<f64>,
    /// Months with a credit.
    pub months_credited: u32,
}

/// The provider's headline economics over the run, for the summary. Money
/// in USD, pre-tax; "cost" is opex + depreciation + interest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EconomicsSummary {
    /// Discount rate of the NPV, per year.
    pub discount_rate: f64,
    /// Nominal value of every contract (price × committed capacity-hours).
    pub contract_value_usd: f64,
    /// Capital spent.
    pub capex_usd: f64,
    /// Net revenue (after SLA credits).
    pub revenue_usd: f64,
    /// Revenue billed to contracts before credits.
    pub contract_revenue_usd: f64,
    /// Revenue of on-demand sales.
    pub on_demand_revenue_usd: f64,
    /// SLA credits.
    pub sla_credits_usd: f64,
    /// Operating costs.
    pub opex_usd: f64,
    /// Revenue − opex.
    pub ebitda_usd: f64,
    /// Depreciation charged within the run.
    pub depreciation_usd: f64,
    /// EBITDA − depreciation.
    pub ebit_usd: f64,
    /// Interest paid.
    pub interest_usd: f64,
    /// Σ monthly cash flow: the cash the owner keeps by the end.
    pub net_cash_usd: f64,
    /// Capex − depreciation so far: the assets' book value at the end.
    pub book_value_usd: f64,
    /// Loan principal still owed at the end.
    pub debt_outstanding_usd: f64,
    /// NPV of the monthly cash flows at the discount rate.
    pub npv_usd: f64,
    /// IRR per year, if the cash flow has one.
    pub irr: Option<f64>,
    /// Why there is no IRR, if there is none.
    pub irr_note: Option<NoIrr>,
    /// The month from which cumulative cash stays ≥ 0, if any (`YYYY-MM`
    /// in `summary.csv`).
    pub payback_month: Option<YearMonth>,
    /// Months from the start to the end of the payback month.
    pub payback_months: Option<u32>,
    /// (Revenue − energy − maintenance − staff − colocation − depreciation)
    /// ÷ revenue; none without revenue.
    pub gross_margin: Option<f64>,
    /// EBITDA ÷ revenue; none without revenue.
    pub ebitda_margin: Option<f64>,
    /// Cost per healthy (deliverable) chip-hour.
    pub cost_per_chip_hour_usd: Option<f64>,
    /// Net revenue per healthy chip-hour.
    pub revenue_per_chip_hour_usd: Option<f64>,
    /// Training's share of the cost (its chip-hours at the cost per
    /// chip-hour) per million tokens trained.
    pub cost_per_million_tokens_trained_usd: Option<f64>,
    /// The same per 10¹⁸ FLOP trained.
    pub cost_per_exaflop_trained_usd: Option<f64>,
    /// Inference's share of the cost (its chip-hours at the cost per
    /// chip-hour) per million tokens served (input + output).
    pub cost_per_million_tokens_served_usd: Option<f64>,
    /// Net revenue per MW of IT nameplate online per year.
    pub revenue_per_mw_year_usd: Option<f64>,
    /// Each contract over its term, as in `contracts.csv`.
    pub contracts: Vec<ContractRow>,
    /// The opex lines over the run, in the order of
    /// `LINE_NAMES` (`economics::lines`), when the scenario names any.
    pub opex_lines_usd: Option<[f64; 4]>,
    /// The after-tax figures, when the scenario has `[economics.tax]`.
    pub tax: Option<TaxSummary>,
    /// The figures with a terminal value, when the scenario states a
    /// treatment other than none.
    pub terminal: Option<TerminalSummary>,
    /// Early retirements written off, with `[economics.capex]
    /// write_off_at_retirement = true`.
    pub retirement: Option<RetirementSummary>,
}

/// What early retirements booked over the run (`crate::economics::retire`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetirementSummary {
    /// Book value of servers and network left when their phases retired
    /// \[USD\].
    pub written_off_usd: f64,
    /// What they sold for on the resale curve (0 without one) \[USD\].
    pub proceeds_usd: f64,
}

/// The after-tax headline figures (`crate::economics::tax`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaxSummary {
    /// Income tax rate.
    pub rate: f64,
    /// Income tax over the run \[USD\].
    pub income_tax_usd: f64,
    /// EBIT − interest − income tax over the run \[USD\].
    pub net_income_usd: f64,
    /// Losses still carried forward at the end \[USD\].
    pub loss_carried_forward_usd: f64,
    /// NPV of the after-tax cash flows \[USD\].
    pub npv_usd: f64,
    /// IRR of the after-tax cash flows, if any.
    pub irr: Option<f64>,
    /// Why there is no after-tax IRR, if there is none.
    pub irr_note: Option<NoIrr>,
    /// The month from which cumulative after-tax cash stays ≥ 0.
    pub payback_month: Option<YearMonth>,
    /// Months from the start to the end of that month.
    pub payback_months: Option<u32>,
}

/// The headline figures with the value left at the end
/// (`crate::economics::residual`).
#[derive(Clone, Debug, PartialEq)]
pub struct TerminalSummary {
    /// How the terminal value is counted.
    pub treatment: TerminalTreatment,
    /// Terminal value, pre-tax \[USD\].
    pub value_usd: f64,
    /// NPV with the terminal value in the last month \[USD\].
    pub npv_usd: f64,
    /// IRR with it.
    pub irr: Option<f64>,
    /// Why there is none.
    pub irr_note: Option<NoIrr>,
    /// After tax (with `[economics.tax]`): the terminal value after tax on
    /// its gain, the NPV and IRR of the after-tax flows with it.
    pub after_tax_value_usd: Option<f64>,
    /// After-tax NPV with the terminal value \[USD\].
    pub after_tax_npv_usd: Option<f64>,
    /// After-tax IRR with the terminal value.
    pub after_tax_irr: Option<f64>,
}
