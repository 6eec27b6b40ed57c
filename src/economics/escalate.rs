//! Prices and costs that move over time (`[economics.escalators]`, a
//! contract's `price_escalator_per_year`, `[on_demand]`'s
//! `price_change_per_year`).
//!
//! Owns the yearly step factors; [`super::books`] multiplies each month's
//! line by its factor (1 when no rate is given, so a scenario without these
//! keys books exactly what it did before).
//!
//! # Model
//! A rate `e` a year steps once a year: in a month that starts `k` whole
//! years after the reference date, the line is multiplied by `(1 + e)^k`.
//! The reference is the run's first month for energy, staff, maintenance
//! and on-demand prices, and the contract's start for its price (a month
//! takes the factor of its first instant inside the term). Energy is
//! escalated in the books only: the samples' energy cost (timeseries.csv)
//! stays at the scenario's prices.
//!
//! A contract's dated price steps and the on-demand price curves per chip
//! type are their own terms ([`super::config::PriceStep`],
//! [`super::config::PriceCurve`]), applied by the books month by month and
//! interval by interval.

use chrono::{Datelike, NaiveDate};

/// Yearly escalators of running costs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Escalators {
    /// Energy price change per year (0.03 = +3 %/yr).
    pub energy_per_year: f64,
    /// Staff cost change per year.
    pub staff_per_year: f64,
    /// Maintenance cost change per year.
    pub maintenance_per_year: f64,
}

/// Whole years from `from` to `at` (anniversaries passed; 0 before).
pub fn whole_years(from: NaiveDate, at: NaiveDate) -> u32 {
    if at <= from {
        return 0;
    }
    let mut years = at.year() - from.year();
    if (at.month(), at.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// `(1 + rate)^years`: exactly 1 at a zero rate.
pub fn factor(rate: f64, years: u32) -> f64 {
    if rate == 0.0 {
        1.0
    } else {
        (1.0 + rate).powi(years as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_in_year_four_by_hand() {
        let start = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
        // November 2028 is three whole years on: the fourth contract year.
        let at = NaiveDate::from_ymd_opt(2028, 11, 1).unwrap();
        assert_eq!(whole_years(start, at), 3);
        assert_eq!(
            whole_years(start, NaiveDate::from_ymd_opt(2028, 10, 31).unwrap()),
            2
        );
        // $2.00 escalating 3 %/yr: 2 × 1.03³ = 2.185454 in year four.
        assert!((2.0 * factor(0.03, 3) - 2.185_454).abs() < 1e-9);
        assert_eq!(factor(0.0, 7), 1.0);
    }
}
