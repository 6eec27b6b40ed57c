//! Corporate income tax on the provider's profit (`[economics.tax]`).
//!
//! Owns the tax terms, the tax depreciation schedule (apart from the book
//! depreciation of [`super::books`]) and the year-by-year tax with losses
//! carried forward. It does not own the statement: [`super::books`] hands
//! it each month's EBITDA and interest and writes what it returns.
//!
//! # Model
//! - **Taxable income** of a month: `EBITDA − tax depreciation − interest`
//!   (interest only when deductible).
//! - **Tax depreciation** of each phase, from the month it is commissioned:
//!   a bonus share of its IT capex (servers and network) in that month,
//!   then the rest on the chosen schedule: straight line over the tax
//!   lives, or US MACRS five-year property (half-year convention: 20 %,
//!   32 %, 19.2 %, 11.52 %, 11.52 %, 5.76 % of the basis in the calendar
//!   years from the one placed in service, each year's share spread evenly
//!   over its months from the service month). The facility is straight
//!   line over its tax life under every schedule and takes no bonus.
//! - **The year's tax** is on the calendar year's taxable income, less the
//!   losses carried forward from earlier years (at most `loss_offset_limit`
//!   of the year's positive income): `tax = rate × max(0, income − used)`.
//!   A year's loss is carried forward without limit of time; it is never
//!   carried back, and nothing is refunded.
//! - **Monthly accrual.** The tax of month `m` of year `Y` is
//!   `T(YTD_m) − T(YTD_{m−1})`, where `T(x) = rate × max(0, x − min(L,
//!   limit × max(0, x)))`, `YTD` the year-to-date taxable income and `L`
//!   the losses carried into `Y`: the months of a year sum to its tax (a
//!   month may show a negative accrual when a later loss reverses one
//!   booked earlier in the same year).

/// How the tax books write off capital.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaxSchedule {
    /// Straight line over the tax lives.
    StraightLine,
    /// US MACRS five-year property for servers and network (half-year
    /// convention, IRS Publication 946 table A-1); facility straight line.
    Macrs5,
}

/// US MACRS five-year property, half-year convention (IRS Publication
/// 946, table A-1): the share of the basis deducted in each calendar year
/// from the one the asset is placed in service.
pub const MACRS_5_YEAR: [f64; 6] = [0.20, 0.32, 0.192, 0.1152, 0.1152, 0.0576];

/// Whether interest on the loan reduces taxable income.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterestDeduction {
    /// Interest is deducted.
    Deductible,
    /// Interest is not deducted.
    NotDeductible,
}

/// The validated tax terms (`[economics.tax]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Tax {
    /// Income tax rate on taxable profit, 0–1 (0.21 = the US federal rate).
    pub rate: f64,
    /// Tax depreciation schedule of servers and network.
    pub schedule: TaxSchedule,
    /// Share of the IT capex (servers and network) deducted in the month
    /// its phase is commissioned (bonus depreciation), 0–1.
    pub bonus_share: f64,
    /// Straight-line tax life of servers \[months\].
    pub server_life_months: u32,
    /// Straight-line tax life of network equipment \[months\].
    pub network_life_months: u32,
    /// Straight-line tax life of the facility \[months\].
    pub facility_life_months: u32,
    /// Share of a year's positive taxable income that losses carried
    /// forward may offset, 0–1 (1 = no limit; 0.8 = the US rule since
    /// 2018).
    pub loss_offset_limit: f64,
    /// Whether interest is deductible.
    pub interest: InterestDeduction,
}

/// One phase's capital, by asset class, and the month (from 0) it was
/// commissioned, if it was.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhaseCapital {
    /// Racks (servers) \[USD\].
    pub server: f64,
    /// Network bought with them \[USD\].
    pub network: f64,
    /// Facility for them \[USD\].
    pub facility: f64,
    /// Month of the run it entered service, if it did.
    pub service: Option<usize>,
    /// Month of the run its servers and network retired and were written
    /// off (only with `write_off_at_retirement`; the facility stays).
    pub retired: Option<usize>,
    /// What they sold for then \[USD\] (0 without a resale curve).
    pub proceeds: f64,
}

/// Tax depreciation of each month of the run (its calendar year in
/// `years`, its month of the year, 1–12, in `month_of_year`) for the
/// phases in `phases`.
pub fn depreciation(
    tax: &Tax,
    phases: &[PhaseCapital],
    years: &[i32],
    month_of_year: &[u32],
) -> Vec<f64> {
    let n = years.len();
    let mut out = vec![0.0; n];
    for ph in phases {
        let Some(s) = ph.service else { continue };
        if s >= n {
            continue;
        }
        let it = ph.server + ph.network;
        match ph.retired {
            // Retired inside the run: the schedule up to the retirement
            // month, then the tax basis left less the proceeds deducted
            // in it (a gain, negative).
            Some(r) if r < n => {
                let mut own = vec![0.0; n];
                hardware(tax, ph, s, years, month_of_year, &mut own);
                let taken: f64 = own[..r].iter().sum();
                for (slot, d) in out.iter_mut().zip(&own).take(r) {
                    *slot += d;
                }
                out[r] += (it - taken).max(0.0) - ph.proceeds;
            }
            _ => hardware(tax, ph, s, years, month_of_year, &mut out),
        }
        super::finance::straight_line(ph.facility, s, tax.facility_life_months, &mut out);
    }
    out
}

/// The tax depreciation of a phase's servers and network commissioned
/// in month `s`, added to `out`: the bonus share in `s`, the rest on the
/// schedule.
fn hardware(
    tax: &Tax,
    ph: &PhaseCapital,
    s: usize,
    years: &[i32],
    month_of_year: &[u32],
    out: &mut [f64],
) {
    let n = years.len();
    let it = ph.server + ph.network;
    out[s] += it * tax.bonus_share;
    let rest = 1.0 - tax.bonus_share;
    match tax.schedule {
        TaxSchedule::StraightLine => {
            super::finance::straight_line(ph.server * rest, s, tax.server_life_months, out);
            super::finance::straight_line(ph.network * rest, s, tax.network_life_months, out);
        }
        TaxSchedule::Macrs5 => {
            let basis = it * rest;
            let first_year = years[s];
            for (k, share) in MACRS_5_YEAR.iter().enumerate() {
                let year = first_year + k as i32;
                // Months of that calendar year the deduction spreads
                // over: from the service month in the first year, all
                // twelve after.
                let spread = if k == 0 { 13 - month_of_year[s] } else { 12 };
                let per_month = basis * share / f64::from(spread);
                for m in s..n {
                    if years[m] == year {
                        out[m] += per_month;
                    }
                }
            }
        }
    }
}

/// One month's tax lines.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TaxMonth {
    /// Tax depreciation \[USD\].
    pub tax_depreciation_usd: f64,
    /// EBITDA − tax depreciation − deductible interest \[USD\].
    pub taxable_income_usd: f64,
    /// Income tax accrued (the year-to-date true-up) \[USD\].
    pub income_tax_usd: f64,
    /// Losses available to carry forward at the end of the month \[USD\].
    pub loss_carried_forward_usd: f64,
}

/// The running tax state through the months of a run, in order.
#[derive(Clone, Debug)]
pub struct TaxBook {
    tax: Tax,
    /// Calendar year of the months summed so far.
    year: Option<i32>,
    /// Losses carried into the current year [USD].
    carried_in: f64,
    /// Taxable income of the year so far [USD].
    ytd: f64,
    /// Tax of the year so far [USD].
    ytd_tax: f64,
}

impl TaxBook {
    /// A book with no losses carried in.
    pub fn new(tax: &Tax) -> Self {
        TaxBook {
            tax: tax.clone(),
            year: None,
            carried_in: 0.0,
            ytd: 0.0,
            ytd_tax: 0.0,
        }
    }

    /// Losses carried forward used against a year-to-date income `x`.
    fn used(&self, x: f64) -> f64 {
        self.carried_in.min(self.tax.loss_offset_limit * x.max(0.0))
    }

    /// The month of calendar year `year` with this EBITDA, tax depreciation
    /// and interest; months must come in order.
    pub fn month(
        &mut self,
        year: i32,
        ebitda: f64,
        tax_depreciation: f64,
        interest: f64,
    ) -> TaxMonth {
        if self.year != Some(year) {
            if self.year.is_some() {
                // Close the year: carry its loss forward, drop what it used.
                self.carried_in = self.carried_in - self.used(self.ytd) + (-self.ytd).max(0.0);
            }
            self.year = Some(year);
            self.ytd = 0.0;
            self.ytd_tax = 0.0;
        }
        let deductible_interest = match self.tax.interest {
            InterestDeduction::Deductible => interest,
            InterestDeduction::NotDeductible => 0.0,
        };
        let taxable = ebitda - tax_depreciation - deductible_interest;
        self.ytd += taxable;
        let due = self.tax.rate * (self.ytd - self.used(self.ytd)).max(0.0);
        let accrued = due - self.ytd_tax;
        self.ytd_tax = due;
        TaxMonth {
            tax_depreciation_usd: tax_depreciation,
            taxable_income_usd: taxable,
            income_tax_usd: accrued,
            loss_carried_forward_usd: self.carried_in - self.used(self.ytd) + (-self.ytd).max(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tax(limit: f64) -> Tax {
        Tax {
            rate: 0.25,
            schedule: TaxSchedule::StraightLine,
            bonus_share: 0.0,
            server_life_months: 12,
            network_life_months: 12,
            facility_life_months: 12,
            loss_offset_limit: limit,
            interest: InterestDeduction::Deductible,
        }
    }

    #[test]
    fn a_loss_carried_forward_by_hand() {
        // Year 1: −100 of taxable income (one month). Year 2: +60 then +80.
        // No tax in year 1; 100 carried. Year 2: 140 of income, 100 used,
        // tax 0.25 × 40 = 10: month one owes nothing (60 − 60 used), month
        // two the 10.
        let mut b = TaxBook::new(&tax(1.0));
        let y1 = b.month(2026, -100.0, 0.0, 0.0);
        assert_eq!(y1.income_tax_usd, 0.0);
        assert_eq!(y1.loss_carried_forward_usd, 100.0);
        let a = b.month(2027, 60.0, 0.0, 0.0);
        assert_eq!(a.income_tax_usd, 0.0);
        assert_eq!(a.loss_carried_forward_usd, 40.0);
        let c = b.month(2027, 90.0, 5.0, 5.0);
        assert_eq!(c.taxable_income_usd, 80.0);
        assert!((c.income_tax_usd - 10.0).abs() < 1e-12);
        assert_eq!(c.loss_carried_forward_usd, 0.0);
        // With the 80 % limit: year 2 uses min(100, 0.8 × 140) = 100 as
        // well; a smaller year uses less: 50 of income uses 40.
        let mut b = TaxBook::new(&tax(0.8));
        b.month(2026, -100.0, 0.0, 0.0);
        let m = b.month(2027, 50.0, 0.0, 0.0);
        assert!((m.income_tax_usd - 0.25 * 10.0).abs() < 1e-12);
        assert!((m.loss_carried_forward_usd - 60.0).abs() < 1e-12);
    }

    #[test]
    fn a_macrs_year_by_hand() {
        // 1,000 of servers in service from March 2026: 2026 takes 20 % over
        // its ten months from March (20 a month), 2027 takes 32 % over
        // twelve (26.67 a month).
        let mut t = tax(1.0);
        t.schedule = TaxSchedule::Macrs5;
        let years: Vec<i32> = (0..36).map(|m| 2026 + m / 12).collect();
        let moy: Vec<u32> = (0..36).map(|m| (m % 12) as u32 + 1).collect();
        let ph = PhaseCapital {
            server: 1000.0,
            network: 0.0,
            facility: 0.0,
            service: Some(2),
            retired: None,
            proceeds: 0.0,
        };
        let d = depreciation(&t, &[ph], &years, &moy);
        assert_eq!(d[1], 0.0);
        assert!((d[2] - 200.0 / 10.0).abs() < 1e-9);
        assert!((d[12] - 320.0 / 12.0).abs() < 1e-9);
        assert!((d[12..24].iter().sum::<f64>() - 320.0).abs() < 1e-9);
        assert!((d[24..36].iter().sum::<f64>() - 192.0).abs() < 1e-9);
        // Half bonus: 500 in March, MACRS on the other 500.
        t.bonus_share = 0.5;
        let d = depreciation(&t, &[ph], &years, &moy);
        assert!((d[2] - (500.0 + 100.0 / 10.0)).abs() < 1e-9);
    }

    #[test]
    fn a_retirement_deducts_the_basis_left_less_the_proceeds() {
        // 1,200 of servers on a 12-month straight line from month 0,
        // retired in month 6 and sold for 300: 100 a month for six months,
        // then 1,200 − 600 − 300 = 300 in month 6, nothing after.
        let mut t = tax(1.0);
        t.server_life_months = 12;
        let years = vec![2026; 12];
        let moy: Vec<u32> = (1..=12).collect();
        let ph = PhaseCapital {
            server: 1200.0,
            network: 0.0,
            facility: 0.0,
            service: Some(0),
            retired: Some(6),
            proceeds: 300.0,
        };
        let d = depreciation(&t, &[ph], &years, &moy);
        assert!(d[..6].iter().all(|x| (x - 100.0).abs() < 1e-9), "{d:?}");
        assert!((d[6] - 300.0).abs() < 1e-9);
        assert!(d[7..].iter().all(|&x| x == 0.0));
        assert!((d.iter().sum::<f64>() - (1200.0 - 300.0)).abs() < 1e-9);
    }
}
