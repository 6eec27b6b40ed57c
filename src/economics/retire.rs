//! Write-offs at early retirement (`[economics.capex]
//! write_off_at_retirement = true`).
//!
//! A phase whose racks retire (`end_of_life`) inside the run stops
//! depreciating its servers and network in the month it retires, and that
//! month writes off their book value left: `cost − cost ÷ life × months
//! depreciated` (0 once fully depreciated). With a resale curve
//! (`[economics.terminal] treatment = "resale"`) the hardware sells in the
//! same month at the share of its price its age fetches (age = months in
//! service ÷ 12, [`super::residual::resale_share`]): the proceeds come back
//! as negative capex (the statement's capex is net of disposals) and only
//! the loss `book value − proceeds` is charged (a gain, negative). The
//! facility stays and keeps depreciating: a refresh reuses the hall.

use super::finance;
use super::residual;

/// One asset's straight-line depreciation from month `service` over `life`
/// months, added to `out`, stopped at month `retired` (not depreciated in
/// it). Returns the book value left at retirement \[USD\] (0 without one).
pub fn straight_line_until(
    cost: f64,
    service: usize,
    life: u32,
    retired: usize,
    out: &mut [f64],
) -> f64 {
    let mut own = vec![0.0; out.len()];
    finance::straight_line(cost, service, life, &mut own);
    let upto = retired.min(out.len());
    let mut charged = 0.0;
    for (slot, d) in out.iter_mut().zip(&own).take(upto) {
        *slot += d;
        charged += d;
    }
    (cost - charged).max(0.0)
}

/// What a retirement books: the charge (book value − proceeds) and the
/// proceeds \[USD\] of hardware bought for `cost` retired after
/// `months_in_service` months, with `book_value` left, under an optional
/// resale curve (shares at ages 1, 2, … years).
pub fn disposal(
    cost: f64,
    book_value: f64,
    months_in_service: usize,
    curve: Option<&[f64]>,
) -> (f64, f64) {
    let proceeds = curve.map_or(0.0, |c| {
        cost * residual::resale_share(c, months_in_service as f64 / 12.0)
    });
    (book_value - proceeds, proceeds)
}

/// One phase as the facility reuse sees it.
#[derive(Clone, Copy, Debug)]
pub struct Hall {
    /// Index of its site.
    pub site: usize,
    /// IT nameplate power of its racks \[MW\].
    pub it_mw: f64,
    /// Month of the run it was commissioned, if it was.
    pub service: Option<usize>,
    /// Month its racks retired inside the run (with write-offs on).
    pub retired: Option<usize>,
}

/// The IT MW of facility each phase reuses from phases retired at its
/// site: phases in order of commissioning take, up to their own IT MW,
/// what the site's retirements up to their commissioning month freed and
/// earlier phases have not taken. A refresh thus buys racks and network,
/// not a second hall; the retired phase's facility keeps depreciating.
pub fn facility_reuse(halls: &[Hall]) -> Vec<f64> {
    let mut reused = vec![0.0; halls.len()];
    let mut order: Vec<usize> = (0..halls.len())
        .filter(|&i| halls[i].service.is_some())
        .collect();
    order.sort_by_key(|&i| (halls[i].service, i));
    let sites = halls.iter().map(|h| h.site + 1).max().unwrap_or(0);
    let mut taken = vec![0.0; sites];
    for i in order {
        let h = halls[i];
        let c = h.service.unwrap_or(usize::MAX);
        let freed: f64 = halls
            .iter()
            .filter(|k| k.site == h.site && k.retired.is_some_and(|r| r <= c))
            .map(|k| k.it_mw)
            .sum();
        let take = (freed - taken[h.site]).max(0.0).min(h.it_mw);
        reused[i] = take;
        taken[h.site] += take;
    }
    reused
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 54 MW retired in month 38; a 54 MW phase commissioned then reuses
    /// all of it, a 20 MW phase commissioned later none, a phase at
    /// another site none, a phase commissioned before the retirement none.
    #[test]
    fn a_refresh_reuses_the_retired_hall() {
        let hall = |site, it_mw, service, retired| Hall {
            site,
            it_mw,
            service,
            retired,
        };
        let halls = [
            hall(0, 54.0, Some(2), Some(38)),
            hall(0, 40.5, Some(8), None),
            hall(0, 54.0, Some(38), None),
            hall(0, 20.0, Some(40), None),
            hall(1, 30.0, Some(45), None),
        ];
        assert_eq!(facility_reuse(&halls), vec![0.0, 0.0, 54.0, 0.0, 0.0]);
        // A smaller successor takes only its own MW; the rest is left
        // for the next phase.
        let halls = [
            hall(0, 54.0, Some(2), Some(38)),
            hall(0, 30.0, Some(38), None),
            hall(0, 30.0, Some(40), None),
        ];
        assert_eq!(facility_reuse(&halls), vec![0.0, 30.0, 24.0]);
    }

    /// A $1.2M server on a 60-month life retired after 24 months: 24 ×
    /// $20,000 depreciated, $720,000 written off in month 24, nothing after.
    #[test]
    fn write_off_at_early_retirement_by_hand() {
        let mut dep = vec![0.0; 48];
        let left = straight_line_until(1.2e6, 0, 60, 24, &mut dep);
        let per_month = 1.2e6 / 60.0;
        assert!((left - (1.2e6 - 24.0 * per_month)).abs() < 1e-6);
        assert!((left - 720_000.0).abs() < 1e-6);
        assert!((dep[23] - per_month).abs() < 1e-9);
        assert_eq!(dep[24], 0.0);
        assert!((dep.iter().sum::<f64>() + left - 1.2e6).abs() < 1e-6);
        // Without a curve the whole book value is charged.
        assert_eq!(disposal(1.2e6, left, 24, None), (left, 0.0));
        // With a curve [0.6, 0.4, …] a two-year-old server fetches 40 %:
        // $480,000 back, a $240,000 loss.
        let (charge, proceeds) = disposal(1.2e6, left, 24, Some(&[0.6, 0.4, 0.25]));
        assert!((proceeds - 0.4 * 1.2e6).abs() < 1e-6);
        assert!((charge - (720_000.0 - 480_000.0)).abs() < 1e-6);
    }

    /// Retired after its life: nothing left to write off.
    #[test]
    fn no_write_off_once_fully_depreciated() {
        let mut dep = vec![0.0; 40];
        let left = straight_line_until(600.0, 2, 12, 30, &mut dep);
        assert!(left.abs() < 1e-9);
        assert!((dep.iter().sum::<f64>() - 600.0).abs() < 1e-9);
    }
}
