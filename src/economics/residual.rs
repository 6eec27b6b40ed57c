//! What the business is worth at the end of the run (`[economics.terminal]`).
//!
//! Owns the terminal treatment and its value; [`super::books`] adds the
//! value to the last month's cash flow for the NPV and IRR that name it,
//! and reports both with and without it. It does not change the monthly
//! statement.
//!
//! # Treatments
//! - **None** (the default): nothing is left at the end.
//! - **Book value**: the assets' book value at the end (capex −
//!   depreciation charged within the run).
//! - **Resale**: each commissioned phase's servers and network resell at a
//!   share of their price set by their age at the end (a curve of shares
//!   at ages 1, 2, 3, … years, linear between points, from 1 at age 0,
//!   the last share held beyond the curve), plus the facility's book value
//!   (its cost less its straight-line depreciation to the end).
//! - **Perpetuity**: the last twelve months' cash flow (annualised when
//!   the run is shorter) growing at `g` a year forever, valued at the end:
//!   `TV = CF × (1 + g) ÷ (r − g)` with `r` the discount rate.
//!
//! After tax, a sale (book value or resale) pays tax at the rate on its
//! gain over the assets' tax basis left (capex − tax depreciation), and a
//! loss saves tax at the rate; a perpetuity is taken on the after-tax cash
//! flow.

/// The treatment of value left at the end of the run.
#[derive(Clone, Debug, PartialEq)]
pub enum Terminal {
    /// Nothing (today's default).
    None,
    /// The assets' book value.
    BookValue,
    /// Hardware resale by age plus the facility's book value.
    Resale {
        /// Share of the purchase price at ages 1, 2, … years, each 0–1.
        shares_by_age: Vec<f64>,
    },
    /// A growing perpetuity on the last year's cash flow.
    Perpetuity {
        /// Growth per year, below the discount rate.
        growth: f64,
    },
}

/// The share of its price a piece of hardware resells for at `age_years`:
/// linear between (0, 1) and the curve's points at ages 1, 2, …; the last
/// point's share beyond the curve.
pub fn resale_share(shares_by_age: &[f64], age_years: f64) -> f64 {
    if shares_by_age.is_empty() {
        return 0.0;
    }
    let age = age_years.max(0.0);
    let k = age.floor() as usize;
    if k >= shares_by_age.len() {
        return shares_by_age[shares_by_age.len() - 1];
    }
    let before = if k == 0 { 1.0 } else { shares_by_age[k - 1] };
    let after = shares_by_age[k];
    before + (after - before) * (age - k as f64)
}

/// The resale value at the end of a run of `months` months of the phases
/// (servers + network at their age's share, where a phase commissioned in
/// month `s` is `(months − s) ÷ 12` years old; facility at its book value
/// after `months − s` months of a `facility_life_months` straight line).
pub fn resale_value(
    shares_by_age: &[f64],
    phases: &[super::tax::PhaseCapital],
    months: usize,
    facility_life_months: u32,
) -> f64 {
    phases
        .iter()
        .filter_map(|ph| {
            let s = ph.service?;
            let age_months = months.saturating_sub(s) as f64;
            // Hardware retired (and sold) inside the run is gone.
            let hardware = if ph.retired.is_some() {
                0.0
            } else {
                (ph.server + ph.network) * resale_share(shares_by_age, age_months / 12.0)
            };
            let facility = if facility_life_months == 0 {
                0.0
            } else {
                ph.facility * (1.0 - age_months / f64::from(facility_life_months)).max(0.0)
            };
            Some(hardware + facility)
        })
        .sum()
}

/// A growing perpetuity at the end of a monthly series: the last twelve
/// months' sum (scaled to a year when fewer) × (1 + g) ÷ (r − g).
pub fn perpetuity(flows: &[f64], rate: f64, growth: f64) -> f64 {
    let last = &flows[flows.len().saturating_sub(12)..];
    if last.is_empty() {
        return 0.0;
    }
    let year = last.iter().sum::<f64>() * 12.0 / last.len() as f64;
    year * (1.0 + growth) / (rate - growth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::economics::tax::PhaseCapital;

    #[test]
    fn resale_at_age_three_by_hand() {
        let curve = [0.6, 0.4, 0.25, 0.15];
        assert_eq!(resale_share(&curve, 3.0), 0.25);
        assert_eq!(resale_share(&curve, 0.0), 1.0);
        assert!((resale_share(&curve, 0.5) - 0.8).abs() < 1e-12);
        assert_eq!(resale_share(&curve, 9.0), 0.15);
        // A phase of 1,000 servers + 150 network + 2,000 facility,
        // commissioned 36 months before the end: 0.25 × 1,150 + 2,000 ×
        // (1 − 36/240) = 287.5 + 1,700.
        let ph = PhaseCapital {
            server: 1000.0,
            network: 150.0,
            facility: 2000.0,
            service: Some(4),
            retired: None,
            proceeds: 0.0,
        };
        let v = resale_value(&curve, &[ph], 40, 240);
        assert!((v - (287.5 + 1700.0)).abs() < 1e-9, "{v}");
    }

    #[test]
    fn perpetuity_by_hand() {
        // 12 months of 10: 120 a year × 1.02 ÷ (0.08 − 0.02) = 2,040.
        let v = perpetuity(&[10.0; 30], 0.08, 0.02);
        assert!((v - 2040.0).abs() < 1e-9);
        // Six months of 10 annualise to 120.
        assert!((perpetuity(&[10.0; 6], 0.08, 0.02) - 2040.0).abs() < 1e-9);
    }
}
