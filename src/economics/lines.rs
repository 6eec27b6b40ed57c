//! The opex lines operators report beside energy, maintenance and staff:
//! insurance and property tax, network transit and egress, software and
//! licences, and SG&A (`[economics.opex.insurance]` and its siblings).
//!
//! Owns the lines' terms and each month's amount; [`super::books`] adds
//! them to opex (so to EBITDA and cash) and writes them as named columns.
//!
//! # Model
//! A line's month is the sum of whichever bases it states:
//! `share_of_capex_per_year × capex in service × hours ÷ 8,760 +
//! usd_per_mw_year × IT nameplate MW-hours ÷ 8,760 + share_of_revenue ×
//! the month's net revenue + usd_per_year × hours ÷ 8,760`, where the
//! capex in service is the full cost (servers, network, facility) of the
//! phases commissioned by the month.

/// How one line is charged; the bases add.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OpexLine {
    /// Per year, as a share of the capex in service.
    pub share_of_capex_per_year: f64,
    /// Per MW of IT nameplate online per year [USD/MW/yr].
    pub usd_per_mw_year: f64,
    /// As a share of the month's net revenue.
    pub share_of_revenue: f64,
    /// A fixed amount per year [USD/yr].
    pub usd_per_year: f64,
}

/// The bases of one month, from the statement.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MonthBasis {
    /// Hours of the month inside the run \[h\].
    pub hours: f64,
    /// Capex of the phases in service \[USD\].
    pub capex_in_service: f64,
    /// Σ IT nameplate MW × hours \[MWh\].
    pub nameplate_mw_hours: f64,
    /// Net revenue \[USD\].
    pub revenue: f64,
}

impl OpexLine {
    /// The line's amount over a month \[USD\].
    pub fn month(&self, b: &MonthBasis) -> f64 {
        let year_share = b.hours / 8760.0;
        self.share_of_capex_per_year * b.capex_in_service * year_share
            + self.usd_per_mw_year * b.nameplate_mw_hours / 8760.0
            + self.share_of_revenue * b.revenue
            + self.usd_per_year * year_share
    }
}

/// The four named lines; a line not given costs nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpexLines {
    /// Insurance and property tax.
    pub insurance: Option<OpexLine>,
    /// Network transit and egress.
    pub network: Option<OpexLine>,
    /// Software and licences.
    pub software: Option<OpexLine>,
    /// Selling, general and administrative.
    pub sga: Option<OpexLine>,
}

#[cfg(test)]
/// Column names of the lines, in order: `monthly.csv` and the summary
/// write `<name>_usd`.
pub const LINE_NAMES: [&str; 4] = [
    "insurance_property_tax",
    "network_transit",
    "software_licences",
    "sga",
];

impl OpexLines {
    /// Whether any line is given (then the columns are written).
    pub fn any(&self) -> bool {
        self.insurance.is_some()
            || self.network.is_some()
            || self.software.is_some()
            || self.sga.is_some()
    }

    /// Each line's amount over a month, in [`LINE_NAMES`]' order.
    pub fn month(&self, b: &MonthBasis) -> [f64; 4] {
        [&self.insurance, &self.network, &self.software, &self.sga]
            .map(|l| l.as_ref().map_or(0.0, |l| l.month(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_by_hand() {
        let b = MonthBasis {
            hours: 730.0,
            capex_in_service: 1.2e9,
            nameplate_mw_hours: 100.0 * 730.0,
            revenue: 50e6,
        };
        let line = OpexLine {
            share_of_capex_per_year: 0.01,
            usd_per_mw_year: 20_000.0,
            share_of_revenue: 0.05,
            usd_per_year: 876_000.0,
        };
        // 0.01 × 1.2e9 × 730/8760 = 1e6; 20,000 × 100 × 730/8760 =
        // 166,666.67; 0.05 × 50e6 = 2.5e6; 876,000 × 730/8760 = 73,000.
        let want = 1e6 + 20_000.0 * 100.0 / 12.0 + 2.5e6 + 73_000.0;
        assert!((line.month(&b) - want).abs() < 1e-6);
        let lines = OpexLines {
            sga: Some(line),
            ..OpexLines::default()
        };
        assert_eq!(lines.month(&b)[..3], [0.0, 0.0, 0.0]);
        assert!(lines.any());
    }
}
