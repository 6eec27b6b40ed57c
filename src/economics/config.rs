//! The validated money side of a scenario: what the provider pays for its
//! capacity and what its customers pay for it. Built by
//! [`crate::scenario::validate`] from `[economics]`, `[[contracts]]` and
//! `[on_demand]`; read by [`super::books`]. Rates are per year unless the
//! name says otherwise; money is in US dollars.

use crate::engine::SimTime;

/// The provider's costs and financing (`[economics]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Economics {
    /// Discount rate for the NPV, per year (0.08 = 8 %); above −1.
    pub discount_rate: f64,
    /// How capital spending is timed and written off.
    pub capex: Capex,
    /// A loan for part of the capex, if any.
    pub financing: Option<Financing>,
    /// Running costs.
    pub opex: Opex,
    /// Other fixed costs, in the order listed.
    pub fixed_costs: Vec<FixedCost>,
    /// The customers' commitments, in the order listed (which is also the
    /// order in which healthy capacity is assigned to them).
    pub contracts: Vec<Contract>,
    /// Sales of the capacity no contract takes, if any.
    pub on_demand: Option<OnDemand>,
    /// Income tax, if any (`[economics.tax]`; none: the books are pre-tax).
    pub tax: Option<super::tax::Tax>,
    /// The value left at the end (`[economics.terminal]`).
    pub terminal: super::residual::Terminal,
    /// The named opex lines (`[economics.opex.insurance]`, …).
    pub opex_lines: super::lines::OpexLines,
    /// Yearly escalators of energy, staff and maintenance.
    pub escalators: super::escalate::Escalators,
}

/// When capital is paid, and over how long each asset class is depreciated.
#[derive(Clone, Debug, PartialEq)]
pub struct Capex {
    /// Pay each rack in full in its delivery month, or in equal progress
    /// payments over this many months ending with it (1 = at delivery).
    pub progress_months: u32,
    /// Network equipment bought with each rack, as a share of the rack's
    /// price (switches, optics, cables).
    pub network_share: f64,
    /// Facility cost per MW of IT nameplate power [USD/MW], spent with each
    /// rack (0 when the capacity sits in a colocation hall).
    pub facility_usd_per_mw: f64,
    /// Straight-line life of racks (servers) [months].
    pub server_life_months: u32,
    /// Straight-line life of network equipment [months].
    pub network_life_months: u32,
    /// Straight-line life of the facility [months].
    pub facility_life_months: u32,
    /// Price of one rack of each scenario rack type [USD], by rack-type
    /// index (the catalog's price, or the scenario's `[[racks]]` override).
    pub rack_price_usd: Vec<f64>,
    /// Whether a phase retired (`end_of_life`) inside the run writes off
    /// its servers' and network's book value left (and sells them on the
    /// resale curve, if one is given) in its retirement month
    /// ([`super::retire`]).
    pub write_off_at_retirement: bool,
}

/// A loan for a share of every capital payment, repaid as an annuity.
#[derive(Clone, Debug, PartialEq)]
pub struct Financing {
    /// Share of each capital payment borrowed, 0–1.
    pub loan_share: f64,
    /// Interest rate per year (nominal; monthly rate = rate ÷ 12).
    pub rate: f64,
    /// Repayment term [months].
    pub term_months: u32,
}

/// Running costs besides energy (energy comes from the simulation's rows).
#[derive(Clone, Debug, PartialEq)]
pub struct Opex {
    /// Maintenance per year as a share of the IT capex (racks and network)
    /// in service.
    pub maintenance_share_per_year: f64,
    /// Staff cost per MW of IT nameplate power online, per year [USD/MW/yr].
    pub staff_usd_per_mw_year: f64,
    /// Colocation rent per kW of IT nameplate power online, per month
    /// [USD/kW/month]; 0 when the provider owns the facility.
    pub colocation_usd_per_kw_month: f64,
}

/// A fixed cost, spread evenly over the run.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedCost {
    /// What it is, for the reader.
    pub name: String,
    /// Site it belongs to (index into the scenario's sites), if any.
    pub site: Option<usize>,
    /// Amount per year [USD/yr].
    pub usd_per_year: f64,
}

/// What unit a contract commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityUnit {
    /// Chips (of the contract's chip types); priced per chip-hour.
    Chips,
    /// MW of IT nameplate power (of racks of the contract's chip types);
    /// priced per kW-month (730 h).
    Megawatts,
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

/// One step of a contract's ramp: from `at`, `capacity` is committed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RampStep {
    /// When the step starts.
    pub at: SimTime,
    /// Capacity committed from then on (chips, or MW).
    pub capacity: f64,
}

/// A tier of an availability SLA: a month below `below` earns `credit`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CreditTier {
    /// Availability under which the tier applies, 0–1.
    pub below: f64,
    /// Share of the month's bill credited back, 0–1.
    pub credit: f64,
}

/// An availability SLA: the month's delivered ÷ committed capacity-hours
/// against tiers; the lowest tier reached sets the credit.
#[derive(Clone, Debug, PartialEq)]
pub struct Sla {
    /// Promised availability, 0–1 (the first tier's threshold).
    pub availability: f64,
    /// Tiers, highest threshold first.
    pub tiers: Vec<CreditTier>,
}

impl Sla {
    /// The share of the bill credited for a month at `availability`: the
    /// credit of the lowest tier whose threshold it is below, else 0.
    pub fn credit(&self, availability: f64) -> f64 {
        self.tiers
            .iter()
            .filter(|t| availability < t.below)
            .map(|t| t.credit)
            .fold(0.0, f64::max)
    }
}

/// A customer's commitment to capacity (`[[contracts]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {
    /// Unique name (it names a column of `monthly.csv`).
    pub name: String,
    /// Chip types that may serve it (catalog chip names), in order of
    /// preference.
    pub chip_types: Vec<String>,
    /// Rack types that may serve it (indices into the scenario's rack
    /// types), those whose chip is one of `chip_types`.
    pub rack_types: Vec<usize>,
    /// Unit of the commitment.
    pub unit: CapacityUnit,
    /// Start of the term.
    pub start: SimTime,
    /// Committed capacity over time, steps in time order, none before the
    /// start (nothing is committed before the first step).
    pub ramp: Vec<RampStep>,
    /// End of the term (exclusive).
    pub end: SimTime,
    /// Price per unit-hour: USD per chip-hour, or per kW-hour for a MW
    /// contract (the per-kW-month price ÷ 730).
    pub price_per_unit_hour: f64,
    /// Whether the price was derived from a total contract value.
    pub price_derived: bool,
    /// Nominal value: price × committed capacity-hours over the term [USD].
    pub value_usd: f64,
    /// How it is billed.
    pub billing: Billing,
    /// Its availability SLA, if any.
    pub sla: Option<Sla>,
    /// Price change per contract year (0.03 = +3 % on each anniversary of
    /// the start).
    pub price_escalator_per_year: f64,
}

/// Hours in the month of a per-kW-month price: 8,760 ÷ 12.
pub const HOURS_PER_BILLING_MONTH: f64 = 730.0;

impl Contract {
    /// Committed capacity at `t` (0 before the start and from the end).
    pub fn committed_at(&self, t: SimTime) -> f64 {
        if t >= self.end {
            return 0.0;
        }
        match self.ramp.iter().rposition(|s| s.at <= t) {
            Some(i) => self.ramp[i].capacity,
            None => 0.0,
        }
    }

    /// Committed capacity-hours between `from` and `to` (the ramp
    /// integrated exactly): chip-hours, or MW-hours.
    pub fn committed_hours(&self, from: SimTime, to: SimTime) -> f64 {
        let to = to.min(self.end);
        if to <= from {
            return 0.0;
        }
        let mut total = 0.0;
        for (i, step) in self.ramp.iter().enumerate() {
            let step_end = self.ramp.get(i + 1).map_or(self.end, |n| n.at);
            let a = step.at.max(from);
            let b = step_end.min(to);
            if b > a {
                total += step.capacity * b.since(a).hours();
            }
        }
        total
    }

    /// Price per committed unit-hour as the file states it: USD per
    /// chip-hour, or USD per kW-month for a MW contract.
    pub fn price_as_stated(&self) -> f64 {
        match self.unit {
            CapacityUnit::Chips => self.price_per_unit_hour,
            CapacityUnit::Megawatts => self.price_per_unit_hour * HOURS_PER_BILLING_MONTH,
        }
    }

    /// The largest capacity ever committed.
    pub fn peak(&self) -> f64 {
        self.ramp.iter().map(|s| s.capacity).fold(0.0, f64::max)
    }
}

/// What the capacity no contract takes sells for (`[on_demand]`).
#[derive(Clone, Debug, PartialEq)]
pub struct OnDemand {
    /// Price per chip-hour sold [USD].
    pub price_usd_per_chip_hour: f64,
    /// How much of the uncommitted healthy capacity sells.
    pub demand: OnDemandDemand,
    /// Rack types whose chips are offered (indices into the scenario's rack
    /// types).
    pub rack_types: Vec<usize>,
    /// Price change per year from the run's start (−0.15 = the price falls
    /// 15 % on each anniversary, as newer chips ship).
    pub price_change_per_year: f64,
}

/// The demand for on-demand capacity.
#[derive(Clone, Debug, PartialEq)]
pub enum OnDemandDemand {
    /// This share of the uncommitted healthy chip-hours sells, 0–1.
    Utilization(f64),
    /// The chip-hours these inference services hold sell (indices into the
    /// scenario's services), up to the uncommitted healthy chip-hours of
    /// their rack type.
    Services(Vec<usize>),
}
