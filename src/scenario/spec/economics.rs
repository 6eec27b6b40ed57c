//! The money side: `[economics]` (capex, financing, opex, tax, escalators,
//! terminal value), `[[contracts]]` and `[on_demand]`.

use serde::Deserialize;

/// The provider's costs and financing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EconomicsSpec {
    /// Discount rate for the NPV, per year (default 0.08).
    #[serde(default)]
    pub discount_rate: Option<f64>,
    /// Capital spending and depreciation lives.
    #[serde(default)]
    pub capex: Option<CapexSpec>,
    /// A loan for part of the capex.
    #[serde(default)]
    pub financing: Option<FinancingSpec>,
    /// Running costs besides energy.
    #[serde(default)]
    pub opex: Option<OpexSpec>,
    /// Other fixed costs.
    #[serde(default)]
    pub fixed_costs: Vec<FixedCostSpec>,
    /// Income tax (none: the books are pre-tax).
    #[serde(default)]
    pub tax: Option<TaxSpec>,
    /// The value left at the end (default: none).
    #[serde(default)]
    pub terminal: Option<TerminalSpec>,
    /// Yearly escalators of running costs (default: none).
    #[serde(default)]
    pub escalators: Option<EscalatorsSpec>,
}

/// Corporate income tax (`[economics.tax]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxSpec {
    /// Rate on taxable profit, 0–1 (required).
    pub rate: f64,
    /// `"straight_line"` (default) or `"macrs5"`.
    #[serde(default)]
    pub depreciation: Option<String>,
    /// Share of IT capex expensed when commissioned (default 0).
    #[serde(default)]
    pub bonus_share: Option<f64>,
    /// Tax life of servers (default: the book life).
    #[serde(default)]
    pub server_life: Option<String>,
    /// Tax life of network equipment (default: the book life).
    #[serde(default)]
    pub network_life: Option<String>,
    /// Tax life of the facility (default: the book life).
    #[serde(default)]
    pub facility_life: Option<String>,
    /// Share of a year's income losses carried forward may offset (default
    /// 1: no limit).
    #[serde(default)]
    pub loss_offset_limit: Option<f64>,
    /// Whether interest is deductible (default true).
    #[serde(default)]
    pub interest_deductible: Option<bool>,
}

/// The value left at the end (`[economics.terminal]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalSpec {
    /// `"none"`, `"book_value"`, `"resale"` or `"perpetuity"`.
    pub treatment: String,
    /// Resale: share of the hardware's price at ages 1, 2, … years.
    #[serde(default)]
    pub hardware_resale: Option<Vec<f64>>,
    /// Perpetuity: growth per year, below the discount rate.
    #[serde(default)]
    pub growth: Option<f64>,
}

/// Yearly escalators (`[economics.escalators]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalatorsSpec {
    /// Energy price change per year (default 0).
    #[serde(default)]
    pub energy_per_year: Option<f64>,
    /// Staff cost change per year (default 0).
    #[serde(default)]
    pub staff_per_year: Option<f64>,
    /// Maintenance cost change per year (default 0).
    #[serde(default)]
    pub maintenance_per_year: Option<f64>,
}

/// A named opex line (`[economics.opex.insurance]` and its siblings); the
/// bases given add.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpexLineSpec {
    /// Per year as a share of the capex in service.
    #[serde(default)]
    pub share_of_capex_per_year: Option<f64>,
    /// Per MW of IT nameplate online per year \[USD\].
    #[serde(default)]
    pub usd_per_mw_year: Option<f64>,
    /// As a share of net revenue.
    #[serde(default)]
    pub share_of_revenue: Option<f64>,
    /// Fixed per year \[USD\].
    #[serde(default)]
    pub usd_per_year: Option<f64>,
}

/// Capital spending: timing, network and facility, depreciation lives.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapexSpec {
    /// Months of equal progress payments ending with each delivery (default
    /// 0: paid at delivery).
    #[serde(default)]
    pub progress_months: Option<u32>,
    /// Network capex as a share of each rack's price (default 0.15).
    #[serde(default)]
    pub network_share: Option<f64>,
    /// Facility cost per MW of IT nameplate [USD/MW] (default 11.7e6).
    #[serde(default)]
    pub facility_usd_per_mw: Option<f64>,
    /// Depreciation life of racks, e.g. `"6y"` (default 6 years).
    #[serde(default)]
    pub server_life: Option<String>,
    /// Depreciation life of network equipment (default 6 years).
    #[serde(default)]
    pub network_life: Option<String>,
    /// Depreciation life of the facility (default 20 years).
    #[serde(default)]
    pub facility_life: Option<String>,
    /// Write off the book value of servers and network retired before
    /// the end of their life, selling them on the resale curve if one is
    /// given (default false: retirement books nothing).
    #[serde(default)]
    pub write_off_at_retirement: Option<bool>,
}

/// A loan for a share of the capex.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinancingSpec {
    /// Share of each capital payment borrowed, 0–1.
    pub loan_share: f64,
    /// Interest rate per year.
    pub rate: f64,
    /// Repayment term, e.g. `"5y"`.
    pub term: String,
}

/// Running costs besides energy.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpexSpec {
    /// Maintenance per year as a share of the IT capex in service (default
    /// 0.03).
    #[serde(default)]
    pub maintenance_share_per_year: Option<f64>,
    /// Staff per MW of IT nameplate online per year \[USD\] (default 0).
    #[serde(default)]
    pub staff_usd_per_mw_year: Option<f64>,
    /// Colocation rent per kW of IT nameplate online per month \[USD\]
    /// (default 0: the provider owns the facility).
    #[serde(default)]
    pub colocation_usd_per_kw_month: Option<f64>,
    /// Insurance and property tax.
    #[serde(default)]
    pub insurance: Option<OpexLineSpec>,
    /// Network transit and egress.
    #[serde(default)]
    pub network_transit: Option<OpexLineSpec>,
    /// Software and licences.
    #[serde(default)]
    pub software: Option<OpexLineSpec>,
    /// Selling, general and administrative.
    #[serde(default)]
    pub sga: Option<OpexLineSpec>,
}

/// A fixed cost.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedCostSpec {
    /// What it is.
    pub name: String,
    /// The site it belongs to (optional).
    #[serde(default)]
    pub site: Option<String>,
    /// Amount per year \[USD\].
    pub usd_per_year: f64,
}

/// A customer's commitment to capacity.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractSpec {
    /// Unique name.
    pub name: String,
    /// Chip types that may serve it, in order of preference.
    pub chip_types: Vec<String>,
    /// First day of the term (default: the first ramp date, or the
    /// scenario's start).
    #[serde(default)]
    pub start: Option<String>,
    /// Length of the term, e.g. `"7y"` (or give `end`).
    #[serde(default)]
    pub term: Option<String>,
    /// End of the term (exclusive), `YYYY-MM-DD` (or give `term`).
    #[serde(default)]
    pub end: Option<String>,
    /// Chips committed over the whole term (or give `ramp`).
    #[serde(default)]
    pub chips: Option<f64>,
    /// MW of IT nameplate committed over the whole term (or give `ramp`).
    #[serde(default)]
    pub mw: Option<f64>,
    /// Steps of committed capacity.
    #[serde(default)]
    pub ramp: Vec<RampStepSpec>,
    /// Price per chip-hour \[USD\].
    #[serde(default)]
    pub price_usd_per_chip_hour: Option<f64>,
    /// Price per kW-month of IT nameplate \[USD\] (MW contracts).
    #[serde(default)]
    pub price_usd_per_kw_month: Option<f64>,
    /// Total value over the term \[USD\], from which the price is derived.
    #[serde(default)]
    pub total_value_usd: Option<f64>,
    /// `"take_or_pay"` (default) or `"pay_per_use"`.
    #[serde(default)]
    pub billing: Option<String>,
    /// Availability SLA.
    #[serde(default)]
    pub sla: Option<SlaSpec>,
    /// Price change on each anniversary of the start (default 0).
    #[serde(default)]
    pub price_escalator_per_year: Option<f64>,
    /// Dated steps of the price (default none).
    #[serde(default)]
    pub price_steps: Vec<PriceStepSpec>,
}

/// A dated step of a contract's price.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceStepSpec {
    /// From when, `YYYY-MM-DD`.
    pub date: String,
    /// The price from then on as a multiple of the base price.
    pub factor: f64,
}

/// One step of a contract's ramp.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RampStepSpec {
    /// From when, `YYYY-MM-DD`.
    pub date: String,
    /// Chips committed from then on.
    #[serde(default)]
    pub chips: Option<f64>,
    /// MW committed from then on.
    #[serde(default)]
    pub mw: Option<f64>,
}

/// An availability SLA with tiered credits.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaSpec {
    /// Promised monthly availability, 0–1.
    pub availability: f64,
    /// Credit tiers.
    pub credits: Vec<CreditTierSpec>,
    /// Whether chip-hours dark for planned maintenance (`[[maintenance]]`)
    /// count as delivered for the availability (default false).
    #[serde(default)]
    pub excludes_maintenance: Option<bool>,
}

/// A credit tier.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditTierSpec {
    /// Availability below which it applies.
    pub below: f64,
    /// Share of the month's bill credited.
    pub credit: f64,
}

/// On-demand sales of uncommitted capacity.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnDemandSpec {
    /// Price per chip-hour \[USD\].
    pub price_usd_per_chip_hour: f64,
    /// Share of the uncommitted healthy chip-hours that sells.
    #[serde(default)]
    pub utilization: Option<f64>,
    /// Inference services whose chip-hours sell on demand.
    #[serde(default)]
    pub services: Option<Vec<String>>,
    /// Chip types offered (default: every chip type built).
    #[serde(default)]
    pub chip_types: Option<Vec<String>>,
    /// Price change on each anniversary of the run's start (default 0).
    #[serde(default)]
    pub price_change_per_year: Option<f64>,
    /// Price curves of chip types over calendar time (default none).
    #[serde(default)]
    pub curves: Vec<PriceCurveSpec>,
}

/// The on-demand price of one chip type over calendar time: dated points,
/// or a yearly change from a date.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceCurveSpec {
    /// The chip type (catalog chip name).
    pub chip: String,
    /// Dated prices, `{ date, usd_per_chip_hour }` (or give
    /// `change_per_year`).
    #[serde(default)]
    pub points: Vec<PricePointSpec>,
    /// Yearly change of the price from `from` (−0.2 = −20 % a year).
    #[serde(default)]
    pub change_per_year: Option<f64>,
    /// When the yearly change starts, `YYYY-MM-DD` (default the run's
    /// start).
    #[serde(default)]
    pub from: Option<String>,
    /// Price per chip-hour at `from` \[USD\] (default the on-demand price).
    #[serde(default)]
    pub usd_per_chip_hour: Option<f64>,
}

/// A dated point of an on-demand price curve.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricePointSpec {
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// Price per chip-hour then \[USD\].
    pub usd_per_chip_hour: f64,
}
