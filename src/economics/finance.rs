//! Time value of money over a monthly cash-flow series.
//!
//! Conventions (the same for every function here, so that the NPV at the
//! IRR is zero):
//! - month `m` (from 0) is the `m`-th calendar month of the run, and its
//!   cash flow happens at the end of the month: it is discounted by
//!   `(1 + r)^(−(m+1)/12)` at an annual rate `r`;
//! - an annual rate `r` and the monthly rate `i` it compounds to are
//!   related by `1 + r = (1 + i)^12`.

/// Net present value at the annual rate `rate` (> −1) of monthly cash
/// flows, each at the end of its month:
/// `NPV = Σ_m CF_m · (1 + rate)^(−(m+1)/12)`.
pub fn npv(rate: f64, flows: &[f64]) -> f64 {
    let monthly = (1.0 + rate).powf(1.0 / 12.0);
    npv_monthly(monthly - 1.0, flows)
}

/// NPV at the monthly rate `i`: `Σ_m CF_m · (1 + i)^(−(m+1))`, summed
/// from the last month back (Horner), so no power overflows.
fn npv_monthly(i: f64, flows: &[f64]) -> f64 {
    let d = 1.0 / (1.0 + i);
    flows.iter().rev().fold(0.0, |acc, cf| (acc + cf) * d)
}

pub use crate::record::NoIrr;

/// Internal rate of return, annual: the rate at which [`npv`] is zero.
///
/// A series whose flows never change sign has none. Otherwise the monthly
/// rate is searched over a grid from −99.99 % to a large rate a year, and
/// the NPV's sign change nearest to a zero rate is refined by bisection to
/// 1e-12; with several sign changes in the flows there may be several
/// rates, and the one nearest zero is the one reported. Never NaN.
pub fn irr(flows: &[f64]) -> Result<f64, NoIrr> {
    let positive = flows.iter().any(|&f| f > 0.0);
    let negative = flows.iter().any(|&f| f < 0.0);
    if !(positive && negative) {
        return Err(NoIrr::NoSignChange);
    }
    // The grid in x = ln(1 + i), monthly: annual rates from −99.99 % to
    // +10⁶ % a year.
    let lo = (1e-4f64).ln() / 12.0;
    let hi = (1e4f64).ln() / 12.0;
    let steps = 4000;
    let f = |x: f64| npv_monthly(x.exp() - 1.0, flows);
    let xs: Vec<f64> = (0..=steps)
        .map(|k| lo + (hi - lo) * k as f64 / steps as f64)
        .collect();
    let values: Vec<f64> = xs.iter().map(|&x| f(x)).collect();
    let mut best: Option<f64> = None;
    for k in 0..steps {
        let (a, b) = (values[k], values[k + 1]);
        if !(a.is_finite() && b.is_finite()) {
            continue;
        }
        if a == 0.0 || (a < 0.0) != (b < 0.0) {
            let (mut x0, mut x1, mut f0) = (xs[k], xs[k + 1], a);
            if a != 0.0 {
                for _ in 0..200 {
                    let mid = 0.5 * (x0 + x1);
                    let fm = f(mid);
                    if (fm < 0.0) == (f0 < 0.0) {
                        x0 = mid;
                        f0 = fm;
                    } else {
                        x1 = mid;
                    }
                    if x1 - x0 < 1e-14 {
                        break;
                    }
                }
            }
            let x = 0.5 * (x0 + x1);
            if best.is_none_or(|b| x.abs() < b.abs()) {
                best = Some(x);
            }
        }
    }
    match best {
        Some(x) => Ok((12.0 * x).exp() - 1.0),
        None => Err(NoIrr::NotBracketed),
    }
}

/// The month (from 0) from which cumulative cash stays at or above zero to
/// the end of the series, or `None` if it ends below zero. A series whose
/// cumulative cash is never negative pays back in month 0.
pub fn payback_month(flows: &[f64]) -> Option<usize> {
    let mut cumulative = 0.0;
    let mut from = Some(0);
    for (m, cf) in flows.iter().enumerate() {
        cumulative += cf;
        if cumulative < 0.0 {
            from = None;
        } else if from.is_none() {
            from = Some(m);
        }
    }
    from
}

/// Straight-line depreciation: `cost ÷ life` a month for `life` months
/// from month `start` (the month the asset enters service), clipped to
/// `months`. Adds each month's charge to `out[m]`.
pub fn straight_line(cost: f64, start: usize, life: u32, out: &mut [f64]) {
    if life == 0 {
        return;
    }
    let per_month = cost / f64::from(life);
    let end = (start + life as usize).min(out.len());
    for slot in out.iter_mut().take(end).skip(start) {
        *slot += per_month;
    }
}

/// The monthly payment of an annuity repaying `principal` over `months`
/// months at the monthly rate `i`: `P · i ÷ (1 − (1 + i)^−n)` (`P ÷ n` at
/// a zero rate).
pub fn annuity_payment(principal: f64, i: f64, months: u32) -> f64 {
    if months == 0 {
        return principal;
    }
    if i.abs() < 1e-15 {
        return principal / f64::from(months);
    }
    principal * i / (1.0 - (1.0 + i).powi(-(months as i32)))
}

/// A loan drawn in month `start`, repaid by the annuity from the next
/// month: adds each month's interest and principal repaid to `interest`
/// and `principal` (clipped to their length) and returns the balance still
/// owed after the last month of the series.
pub fn amortize(
    amount: f64,
    start: usize,
    i: f64,
    months: u32,
    interest: &mut [f64],
    principal: &mut [f64],
) -> f64 {
    let payment = annuity_payment(amount, i, months);
    let mut balance = amount;
    for k in 1..=months as usize {
        let m = start + k;
        if m >= interest.len() {
            break;
        }
        let due = balance * i;
        let repaid = if k == months as usize {
            balance
        } else {
            payment - due
        };
        interest[m] += due;
        principal[m] += repaid;
        balance -= repaid;
    }
    balance.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npv_by_hand() {
        // −100 at the end of month 0, +110 at the end of month 12, at 10 %
        // a year: −100/1.1^(1/12) + 110/1.1^(13/12) = 0 exactly.
        let mut flows = vec![0.0; 13];
        flows[0] = -100.0;
        flows[12] = 110.0;
        assert!(npv(0.10, &flows).abs() < 1e-9);
        let r = irr(&flows).unwrap();
        assert!((r - 0.10).abs() < 1e-9, "{r}");
        // At 0 % the NPV is the plain sum.
        assert!((npv(0.0, &flows) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn irr_zeroes_the_npv() {
        let flows = [-1000.0, 50.0, 80.0, 120.0, 300.0, 400.0, 250.0, 100.0];
        let r = irr(&flows).unwrap();
        assert!(npv(r, &flows).abs() < 1e-6, "{}", npv(r, &flows));
    }

    #[test]
    fn no_sign_change_no_irr() {
        assert_eq!(irr(&[1.0, 2.0, 3.0]), Err(NoIrr::NoSignChange));
        assert_eq!(irr(&[-1.0, -2.0, 0.0]), Err(NoIrr::NoSignChange));
        assert_eq!(irr(&[]), Err(NoIrr::NoSignChange));
        // Half the money back a month later: −50 % a month, 0.5^12 − 1 =
        // −99.976 % a year.
        let r = irr(&[-100.0, 50.0]).unwrap();
        assert!((r - (0.5f64.powi(12) - 1.0)).abs() < 1e-9, "{r}");
        // A billionth back: below −99.99 % a year, outside the search.
        assert_eq!(irr(&[-1e9, 1.0]), Err(NoIrr::NotBracketed));
    }

    #[test]
    fn payback_from_the_last_crossing() {
        assert_eq!(payback_month(&[-10.0, 4.0, 4.0, 4.0]), Some(3));
        assert_eq!(payback_month(&[-10.0, 10.0, -5.0, 5.0]), Some(3));
        assert_eq!(payback_month(&[-10.0, 4.0]), None);
        assert_eq!(payback_month(&[5.0, -1.0]), Some(0));
    }

    #[test]
    fn straight_line_sums_to_cost() {
        let mut out = vec![0.0; 100];
        straight_line(1200.0, 10, 60, &mut out);
        assert!((out.iter().sum::<f64>() - 1200.0).abs() < 1e-9);
        assert_eq!(out[9], 0.0);
        assert!((out[10] - 20.0).abs() < 1e-12);
        assert_eq!(out[70], 0.0);
        let mut short = vec![0.0; 20];
        straight_line(1200.0, 10, 60, &mut short);
        assert!((short.iter().sum::<f64>() - 200.0).abs() < 1e-9);
    }

    #[test]
    fn annuity_repays_the_loan() {
        let mut interest = vec![0.0; 40];
        let mut principal = vec![0.0; 40];
        let left = amortize(1000.0, 0, 0.01, 24, &mut interest, &mut principal);
        assert!(left.abs() < 1e-9);
        assert!((principal.iter().sum::<f64>() - 1000.0).abs() < 1e-9);
        // Each payment is the annuity: 1000·0.01/(1 − 1.01^−24) = 47.0735.
        let a = annuity_payment(1000.0, 0.01, 24);
        assert!((a - 47.073_472).abs() < 1e-5, "{a}");
        assert!((interest[1] + principal[1] - a).abs() < 1e-9);
        assert!((interest[1] - 10.0).abs() < 1e-12);
        assert_eq!(interest[0] + principal[0], 0.0);
        // Cut short, the balance is owed.
        let mut i2 = vec![0.0; 13];
        let mut p2 = vec![0.0; 13];
        let owed = amortize(1000.0, 0, 0.01, 24, &mut i2, &mut p2);
        assert!((owed + p2.iter().sum::<f64>() - 1000.0).abs() < 1e-9);
    }
}
