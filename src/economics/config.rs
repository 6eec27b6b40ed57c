//! The validated money side of a scenario: what the provider pays for its
//! capacity and what its customers pay for it. Built by
//! [`crate::scenario::validate`] from `[economics]`, `[[contracts]]` and
//! `[on_demand]`; read by [`super::books`]. Rates are per year unless the
//! name says otherwise; money is in US dollars.

use crate::engine::{SimDuration, SimTime};
use crate::units::Watts;

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
    /// The scenario's rack models, sites and services as the books see
    /// them.
    pub inventory: Inventory,
}

/// The scenario's rack models, sites and services as the books see them,
/// by the indices the rows and the terms use (resolved at the boundary
/// from the world's and the serving workload's configuration).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inventory {
    /// The rack models, by rack-type index.
    pub rack_models: Vec<RackModel>,
    /// The sites, by site index: their names and their build-out phases'
    /// lives.
    pub sites: Vec<SitePhases>,
    /// The inference services, by service index.
    pub services: Vec<ServiceModel>,
}

/// A rack model as the books see it (resolved at the boundary from the
/// world's rack types).
#[derive(Clone, Debug, PartialEq)]
pub struct RackModel {
    /// The rack's name, as the build-out rows give it.
    pub name: String,
    /// Nameplate IT power of one rack: every chip at TDP plus overhead
    /// (the world's figure) \[W\].
    pub nameplate: Watts,
    /// Chips per rack.
    pub chips: u32,
}

/// A site as the books see it: its name and when its phases retire.
#[derive(Clone, Debug, PartialEq)]
pub struct SitePhases {
    /// The site's name, as the rows give it.
    pub name: String,
    /// Each build-out phase's `end_of_life` after commissioning, if it has
    /// one, in the order the site lists its phases.
    pub end_of_life: Vec<Option<SimDuration>>,
}

/// An inference service as the books see it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceModel {
    /// The service's name, as its rows give it.
    pub name: String,
    /// Index of its rack model ([`Inventory::rack_models`]).
    pub rack_type: usize,
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
    /// Straight-line life of racks (servers) \[months\].
    pub server_life_months: u32,
    /// Straight-line life of network equipment \[months\].
    pub network_life_months: u32,
    /// Straight-line life of the facility \[months\].
    pub facility_life_months: u32,
    /// Price of one rack of each scenario rack type \[USD\], by rack-type
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
    /// Repayment term \[months\].
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

pub use crate::record::{Billing, CapacityUnit};

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
    /// Whether the chip-hours of its rack models dark for announced
    /// planned maintenance count as delivered for the availability (they
    /// are not delivered, nor billed differently: only the SLA excludes
    /// them).
    pub excludes_maintenance: bool,
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
    /// Nominal value: price × committed capacity-hours over the term \[USD\].
    pub value_usd: f64,
    /// How it is billed.
    pub billing: Billing,
    /// Its availability SLA, if any.
    pub sla: Option<Sla>,
    /// Price change per contract year (0.03 = +3 % on each anniversary of
    /// the start).
    pub price_escalator_per_year: f64,
    /// Dated steps of the price, in time order, each after the start and
    /// before the end (empty: the price stays, or follows the yearly
    /// escalator; never both).
    pub price_steps: Vec<PriceStep>,
}

/// A dated step of a contract's price: from `at`, the price is the base
/// price × `factor` (not compounded with the steps before it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriceStep {
    /// When the step starts.
    pub at: SimTime,
    /// The price from then on as a multiple of the base price, > 0
    /// (1.05 = 5 % above the price the term started at).
    pub factor: f64,
}

/// Hours in the year of a price curve's yearly change: 365 days.
pub const HOURS_PER_CURVE_YEAR: f64 = 8760.0;

/// Hours in the month of a per-kW-month price: 8,760 ÷ 12.
pub const HOURS_PER_BILLING_MONTH: f64 = 730.0;

impl Contract {
    /// The price factor at `t` of a contract with dated steps: the factor
    /// of the last step at or before `t`, 1 before the first.
    pub fn step_factor_at(&self, t: SimTime) -> f64 {
        match self.price_steps.iter().rposition(|s| s.at <= t) {
            Some(i) => self.price_steps[i].factor,
            None => 1.0,
        }
    }

    /// Committed capacity-hours between `from` and `to`, each weighted by
    /// the price factor of its dated step: `Σ_k factor_k × committed hours
    /// in step k` (the plain committed hours without steps).
    pub fn stepped_hours(&self, from: SimTime, to: SimTime) -> f64 {
        let mut total = 0.0;
        let mut a = from;
        let mut factor = self.step_factor_at(from);
        for s in self.price_steps.iter().filter(|s| s.at > from && s.at < to) {
            total += factor * self.committed_hours(a, s.at);
            a = s.at;
            factor = s.factor;
        }
        total + factor * self.committed_hours(a, to)
    }

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
    /// Price per chip-hour sold \[USD\].
    pub price_usd_per_chip_hour: f64,
    /// How much of the uncommitted healthy capacity sells.
    pub demand: OnDemandDemand,
    /// Rack types whose chips are offered (indices into the scenario's rack
    /// types).
    pub rack_types: Vec<usize>,
    /// Price change per year from the run's start (−0.15 = the price falls
    /// 15 % on each anniversary, as newer chips ship).
    pub price_change_per_year: f64,
    /// The price curve of each rack type's chips over calendar time, by
    /// rack-type index (empty when no curve is given; `None` for a rack
    /// type whose chip has none, which sells at `price_usd_per_chip_hour`
    /// and `price_change_per_year`).
    pub curves: Vec<Option<PriceCurve>>,
}

/// One dated point of an on-demand price curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PricePoint {
    /// When.
    pub at: SimTime,
    /// Price per chip-hour then \[USD\].
    pub usd_per_chip_hour: f64,
}

/// The on-demand price of one chip type over calendar time
/// (`[[on_demand.curves]]`).
#[derive(Clone, Debug, PartialEq)]
pub enum PriceCurve {
    /// Dated points, in time order: linear in time between two points,
    /// the first point's price before it and the last's after it.
    Points(Vec<PricePoint>),
    /// A price that changes continuously at a yearly rate from a date:
    /// `price × (1 + change)^(hours since from ÷ 8,760)`, the price itself
    /// before `from`.
    Yearly {
        /// When the change starts (e.g. when the next generation ships).
        from: SimTime,
        /// Price per chip-hour at `from` \[USD\].
        usd_per_chip_hour: f64,
        /// Change per year (−0.2 = the price falls 20 % a year).
        change_per_year: f64,
    },
}

impl PriceCurve {
    /// The price per chip-hour at `t` \[USD\].
    pub fn price_at(&self, t: SimTime) -> f64 {
        match self {
            PriceCurve::Points(points) => {
                let after = points.partition_point(|p| p.at <= t);
                match (after.checked_sub(1).map(|i| points[i]), points.get(after)) {
                    (None, Some(first)) => first.usd_per_chip_hour,
                    (Some(last), None) => last.usd_per_chip_hour,
                    (Some(a), Some(b)) => {
                        let share = t.since(a.at).hours() / b.at.since(a.at).hours();
                        a.usd_per_chip_hour + (b.usd_per_chip_hour - a.usd_per_chip_hour) * share
                    }
                    (None, None) => 0.0,
                }
            }
            PriceCurve::Yearly {
                from,
                usd_per_chip_hour,
                change_per_year,
            } => {
                if t <= *from {
                    *usd_per_chip_hour
                } else {
                    let years = t.since(*from).hours() / HOURS_PER_CURVE_YEAR;
                    usd_per_chip_hour * (1.0 + change_per_year).powf(years)
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: f64) -> SimTime {
        SimTime::ZERO + SimDuration::from_hours_f64(hours)
    }

    #[test]
    fn the_price_of_a_chip_on_a_curve_by_hand() {
        // $5 at hour 0, $3 at hour 8,760, $2.50 at hour 17,520: at hour
        // 2,190 (a quarter of the first year) 5 − 2 × 0.25 = $4.50; at
        // 13,140, halfway through the second segment, $2.75; $5 before, $2.50 after.
        let curve = PriceCurve::Points(vec![
            PricePoint {
                at: at(0.0),
                usd_per_chip_hour: 5.0,
            },
            PricePoint {
                at: at(8760.0),
                usd_per_chip_hour: 3.0,
            },
            PricePoint {
                at: at(17520.0),
                usd_per_chip_hour: 2.5,
            },
        ]);
        assert!((curve.price_at(at(2190.0)) - 4.5).abs() < 1e-12);
        assert!((curve.price_at(at(13140.0)) - 2.75).abs() < 1e-12);
        assert_eq!(curve.price_at(at(8760.0)), 3.0);
        assert_eq!(curve.price_at(at(40000.0)), 2.5);
        // −20 % a year from hour 8,760 at $4: $4 until then, 4 × 0.8² =
        // $2.56 two years on, 4 × 0.8^0.5 = $3.5777 half a year on.
        let yearly = PriceCurve::Yearly {
            from: at(8760.0),
            usd_per_chip_hour: 4.0,
            change_per_year: -0.2,
        };
        assert_eq!(yearly.price_at(at(100.0)), 4.0);
        assert!((yearly.price_at(at(3.0 * 8760.0)) - 2.56).abs() < 1e-12);
        assert!((yearly.price_at(at(1.5 * 8760.0)) - 3.577_708_763_999_664).abs() < 1e-12);
    }
}
