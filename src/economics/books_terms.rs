//! The part of [`super::Books`] that applies the optional terms of the
//! books: escalation factors, the capex in service the opex lines charge
//! on, tax depreciation, and the after-tax and terminal-value headline
//! figures. The pre-tax statement itself stays in `books.rs`; every factor
//! here is exactly 1 (and every optional figure absent) for a scenario
//! that sets none of these terms.

use chrono::Datelike;

use super::super::config::Economics;
use super::super::residual::{self, Terminal};
use super::super::tax::{self, PhaseCapital};
use super::super::{escalate, finance};
use super::Books;
use crate::record::{EconomicsSummary, Recorder, TaxSummary, TerminalSummary, TerminalTreatment};

/// Per-month inputs of the optional terms, by month of the run.
pub(super) struct Extras {
    /// Calendar year of each month.
    pub years: Vec<i32>,
    /// On-demand price factor.
    pub on_demand: Vec<f64>,
    /// Maintenance escalation factor.
    pub maintenance: Vec<f64>,
    /// Staff escalation factor.
    pub staff: Vec<f64>,
    /// Full capex of the phases commissioned by each month [USD].
    pub capex_in_service: Vec<f64>,
    /// Tax depreciation (zeros without tax) [USD].
    pub tax_depreciation: Vec<f64>,
}

impl<R: Recorder> Books<'_, R> {
    /// The price factor of contract `ci` in month `m`: with dated steps,
    /// the month's committed capacity-hours weighted by their steps'
    /// factors ÷ its committed capacity-hours; else `(1 + e)^k` for the
    /// `k` whole years from its start to the month's first instant in its
    /// term.
    pub(super) fn contract_escalation(&self, ci: usize, m: usize) -> f64 {
        let Some(econ) = self.economics else {
            return 1.0;
        };
        let c = &econ.contracts[ci];
        if !c.price_steps.is_empty() {
            // The month's committed hours weighted by their steps' factors.
            let (from, to) = (self.months[m].from, self.months[m].to);
            let committed = c.committed_hours(from, to);
            return if committed > 0.0 {
                c.stepped_hours(from, to) / committed
            } else {
                c.step_factor_at(from.max(c.start))
            };
        }
        if c.price_escalator_per_year == 0.0 {
            return 1.0;
        }
        let cal = &self.run.calendar;
        let at = self.months[m].from.max(c.start);
        let k = escalate::whole_years(cal.date(c.start), cal.date(at));
        escalate::factor(c.price_escalator_per_year, k)
    }

    /// The month of the run in which the phase of `row` retires (its
    /// commissioning date + its `end_of_life`), if that falls inside the
    /// run.
    pub(super) fn retirement_month(&self, row: &crate::record::BuildoutRow) -> Option<usize> {
        let (econ, run) = (self.economics?, self.run);
        let site = econ.inventory.sites.iter().find(|s| s.name == row.site)?;
        let eol = (*site.end_of_life.get(row.phase)?)?;
        let day = row.commissioned?;
        let at = run.calendar.time_of_date(day)? + eol;
        if at >= run.end {
            return None;
        }
        Some(self.months.partition_point(|m| m.to <= at))
    }

    /// The per-month inputs of the optional terms.
    pub(super) fn extras(&self, econ: &Economics, phases: &[PhaseCapital]) -> Extras {
        let cal = &self.run.calendar;
        let n = self.months.len();
        let dates: Vec<_> = self.months.iter().map(|m| cal.date(m.from)).collect();
        let years: Vec<i32> = dates.iter().map(|d| d.year()).collect();
        let month_of_year: Vec<u32> = dates.iter().map(|d| d.month()).collect();
        let run_years: Vec<u32> = dates
            .iter()
            .map(|d| escalate::whole_years(dates[0], *d))
            .collect();
        let factors = |rate: f64| -> Vec<f64> {
            run_years
                .iter()
                .map(|&k| escalate::factor(rate, k))
                .collect()
        };
        let mut capex_in_service = vec![0.0; n];
        if econ.opex_lines.any() {
            for ph in phases {
                if let Some(s) = ph.service {
                    match ph.retired {
                        // Retired hardware leaves the base; the hall stays.
                        Some(r) => {
                            for (m, slot) in capex_in_service.iter_mut().enumerate().skip(s) {
                                *slot += if m < r {
                                    ph.server + ph.network + ph.facility
                                } else {
                                    ph.facility
                                };
                            }
                        }
                        None => {
                            for slot in capex_in_service.iter_mut().skip(s) {
                                *slot += ph.server + ph.network + ph.facility;
                            }
                        }
                    }
                }
            }
        }
        Extras {
            on_demand: factors(
                econ.on_demand
                    .as_ref()
                    .map_or(0.0, |o| o.price_change_per_year),
            ),
            maintenance: factors(econ.escalators.maintenance_per_year),
            staff: factors(econ.escalators.staff_per_year),
            capex_in_service,
            tax_depreciation: match &econ.tax {
                Some(t) => tax::depreciation(t, phases, &years, &month_of_year),
                None => vec![0.0; n],
            },
            years,
        }
    }

    /// Adds the after-tax figures (with `[economics.tax]`) and the figures
    /// with a terminal value (with a treatment other than none) to `total`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn after_tax_and_terminal(
        &self,
        econ: &Economics,
        phases: &[PhaseCapital],
        pre_tax: &[f64],
        after_tax_flows: &[f64],
        tax_basis_left: f64,
        mut after_tax: TaxSummary,
        total: &mut EconomicsSummary,
    ) {
        let r = econ.discount_rate;
        let payback = |flows: &[f64]| {
            finance::payback_month(flows).map(|m| (self.months[m].month, m as u32 + 1))
        };
        if let Some(t) = &econ.tax {
            after_tax.rate = t.rate;
            after_tax.npv_usd = finance::npv(r, after_tax_flows);
            match finance::irr(after_tax_flows) {
                Ok(x) => after_tax.irr = Some(x),
                Err(why) => after_tax.irr_note = Some(why),
            }
            if let Some((month, months)) = payback(after_tax_flows) {
                after_tax.payback_month = Some(month);
                after_tax.payback_months = Some(months);
            }
            total.tax = Some(after_tax);
        }
        let n = self.months.len();
        if n == 0 {
            return;
        }
        let (treatment, value) = match &econ.terminal {
            Terminal::None => return,
            Terminal::BookValue => (TerminalTreatment::BookValue, total.book_value_usd),
            Terminal::Resale { shares_by_age } => (
                TerminalTreatment::Resale,
                residual::resale_value(shares_by_age, phases, n, econ.capex.facility_life_months),
            ),
            Terminal::Perpetuity { growth } => (
                TerminalTreatment::Perpetuity,
                residual::perpetuity(pre_tax, r, *growth),
            ),
        };
        let with = |flows: &[f64], v: f64| {
            let mut f = flows.to_vec();
            if let Some(last) = f.last_mut() {
                *last += v;
            }
            f
        };
        let flows = with(pre_tax, value);
        let mut out = TerminalSummary {
            treatment,
            value_usd: value,
            npv_usd: finance::npv(r, &flows),
            irr: None,
            irr_note: None,
            after_tax_value_usd: None,
            after_tax_npv_usd: None,
            after_tax_irr: None,
        };
        match finance::irr(&flows) {
            Ok(x) => out.irr = Some(x),
            Err(why) => out.irr_note = Some(why),
        }
        if let Some(t) = &econ.tax {
            let after_value = match &econ.terminal {
                Terminal::Perpetuity { growth } => {
                    residual::perpetuity(after_tax_flows, r, *growth)
                }
                // A sale pays tax on its gain over the tax basis left.
                _ => value - t.rate * (value - tax_basis_left),
            };
            let flows = with(after_tax_flows, after_value);
            out.after_tax_value_usd = Some(after_value);
            out.after_tax_npv_usd = Some(finance::npv(r, &flows));
            out.after_tax_irr = finance::irr(&flows).ok();
        }
        total.terminal = Some(out);
    }
}
