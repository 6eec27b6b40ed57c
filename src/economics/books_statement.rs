//! The statement [`super::Books`] writes when the run's summary arrives:
//! energy escalated, the build-out's capex and depreciation phase by
//! phase, the loan, each contract's bills and SLA credits, then the
//! monthly statement and the summary's headline figures. Each step is one
//! function here; [`Books::write_statement`] runs them in that order.

use chrono::{Datelike, NaiveDate};

use super::super::config::{Billing, CapacityUnit, Economics};
use super::super::residual::Terminal;
use super::super::tax::{PhaseCapital, TaxBook};
use super::super::{escalate, finance, retire};
use super::terms::Extras;
use super::{Books, HOURS_PER_YEAR};
use crate::record::{
    ContractMonthRow, ContractRow, EconomicsSummary, MonthlyRow, MonthlyTaxRow, Recorder,
    RetirementSummary, SharedText, SummaryRow, TaxSummary,
};

/// The build-out's capital, month by month of the run.
struct Capital {
    /// Each phase's capital (for tax depreciation and terminal value).
    phases: Vec<PhaseCapital>,
    /// Capex paid (less disposal proceeds) [USD].
    capex: Vec<f64>,
    /// Book depreciation, write-offs included [USD].
    depreciation: Vec<f64>,
    /// Book value written off at early retirements [USD].
    written_off: f64,
    /// What retired hardware sold for [USD].
    proceeds: f64,
}

/// The loan financing the capex, month by month of the run.
struct Loan {
    /// Drawn [USD].
    drawn: Vec<f64>,
    /// Interest paid [USD].
    interest: Vec<f64>,
    /// Principal repaid [USD].
    repaid: Vec<f64>,
    /// Principal still owed at the run's end [USD].
    owed: f64,
}

/// The contracts' bills: per contract and month, and their SLA credits.
struct Bills {
    /// One row per contract.
    rows: Vec<ContractRow>,
    /// Billed, by contract then month [USD].
    billed: Vec<Vec<f64>>,
    /// SLA credits of all contracts, by month [USD].
    credits: Vec<f64>,
}

/// One month's revenue and operating costs [USD].
struct MonthIncome {
    /// Each contract's bill.
    contracts: Vec<(SharedText, f64)>,
    contract_revenue: f64,
    on_demand: f64,
    /// Contracts and on-demand less SLA credits.
    revenue: f64,
    maintenance: f64,
    staff: f64,
    colocation: f64,
    fixed: f64,
    /// Every operating cost, the opex lines included.
    opex: f64,
    /// The opex lines, if the scenario has any.
    lines: Option<[f64; 4]>,
}

/// The monthly statement's running sums, over the months written so far.
#[derive(Default)]
struct Running {
    total: EconomicsSummary,
    /// Pre-tax cash flow of each month [USD].
    flows_cash: Vec<f64>,
    /// After-tax cash flow of each month, with tax [USD].
    flows_after_tax: Vec<f64>,
    cumulative: f64,
    cumulative_after_tax: f64,
    after_tax: TaxSummary,
    lines_total: [f64; 4],
    /// Energy, maintenance, staff, colocation and depreciation [USD].
    direct_costs: f64,
    healthy_chip_hours: f64,
    nameplate_mw_hours: f64,
}

impl<R: Recorder> Books<'_, R> {
    /// Writes the statement and returns the summary figures.
    pub(super) fn write_statement(&mut self, summary: &SummaryRow) -> Option<EconomicsSummary> {
        self.close_interval();
        let econ = self.economics?;
        self.escalate_energy(econ);
        let capital = self.capital(econ);
        let loan = loan(econ, &capital.capex);
        let bills = self.bills(econ);
        let extra = self.extras(econ, &capital.phases);
        let mut run = Running {
            total: EconomicsSummary {
                discount_rate: econ.discount_rate,
                contract_value_usd: econ.contracts.iter().map(|c| c.value_usd).sum(),
                ..EconomicsSummary::default()
            },
            flows_cash: Vec::with_capacity(self.months.len()),
            flows_after_tax: Vec::with_capacity(self.months.len()),
            ..Running::default()
        };
        self.statement(econ, &capital, &loan, &bills, &extra, &mut run);
        let mut total = std::mem::take(&mut run.total);
        total.net_cash_usd = run.cumulative;
        total.book_value_usd = total.capex_usd - total.depreciation_usd;
        total.debt_outstanding_usd = loan.owed;
        self.headline(econ, summary, &run, &mut total);
        total.contracts = bills.rows;
        total.opex_lines_usd = econ.opex_lines.any().then_some(run.lines_total);
        total.retirement = econ
            .capex
            .write_off_at_retirement
            .then_some(RetirementSummary {
                written_off_usd: capital.written_off,
                proceeds_usd: capital.proceeds,
            });
        let tax_basis_left = total.capex_usd - extra.tax_depreciation.iter().sum::<f64>();
        self.after_tax_and_terminal(
            econ,
            &capital.phases,
            &run.flows_cash,
            &run.flows_after_tax,
            tax_basis_left,
            run.after_tax,
            &mut total,
        );
        Some(total)
    }

    /// The month of the run a date falls in, clamped to the run's months
    /// (none without a date).
    fn month_of(&self, date: Option<NaiveDate>) -> Option<usize> {
        let n = self.months.len();
        let start = self.run.calendar.start();
        let d = date?;
        let k = (d.year() - start.year()) * 12 + d.month() as i32 - start.month() as i32;
        Some(k.clamp(0, n as i32 - 1) as usize)
    }

    /// Energy escalates in the books (1 without an escalator).
    fn escalate_energy(&mut self, econ: &Economics) {
        let run = self.run;
        if econ.escalators.energy_per_year != 0.0 && !self.months.is_empty() {
            let start_date = self.run.calendar.date(self.months[0].from);
            for (f, month) in self.flows.iter_mut().zip(&self.months) {
                let k = escalate::whole_years(start_date, run.calendar.date(month.from));
                f.energy_usd *= escalate::factor(econ.escalators.energy_per_year, k);
            }
        }
    }

    /// The facility MW each build-out phase reuses from racks retired
    /// before it at its site: with write-offs on, a phase commissioned
    /// after a retirement at its site reuses the retired racks' hall
    /// (zeros with write-offs off).
    fn hall_reuse(&self, econ: &Economics) -> Vec<f64> {
        if econ.capex.write_off_at_retirement {
            let halls: Vec<retire::Hall> = self
                .buildout
                .iter()
                .map(|row| retire::Hall {
                    site: econ
                        .inventory
                        .sites
                        .iter()
                        .position(|s| s.name == row.site)
                        .unwrap_or(0),
                    it_mw: self.rack_index.get(&row.rack).map_or(0.0, |&t| {
                        f64::from(row.racks) * econ.inventory.rack_models[t].nameplate.0 / 1e6
                    }),
                    service: self.month_of(row.commissioned),
                    retired: self
                        .month_of(row.commissioned)
                        .and(self.retirement_month(row)),
                })
                .collect();
            retire::facility_reuse(&halls)
        } else {
            vec![0.0; self.buildout.len()]
        }
    }

    /// Capex and depreciation, phase by phase: payments spread over the
    /// progress months before delivery, straight-line depreciation from
    /// commissioning, and with write-offs on, the book value left at an
    /// early retirement written off and the hardware's resale booked.
    fn capital(&self, econ: &Economics) -> Capital {
        let n = self.months.len();
        let mut phases: Vec<PhaseCapital> = Vec::new();
        let mut capex = vec![0.0; n];
        let mut depreciation = vec![0.0; n];
        let (mut written_off, mut total_proceeds) = (0.0, 0.0);
        let cp = &econ.capex;
        let reuse = self.hall_reuse(econ);
        for (row, reused_mw) in self.buildout.iter().zip(&reuse) {
            let Some(&t) = self.rack_index.get(&row.rack) else {
                continue;
            };
            let Some(delivered) = self.month_of(row.delivered) else {
                continue;
            };
            let racks = f64::from(row.racks);
            let server = racks * cp.rack_price_usd[t];
            let network = server * cp.network_share;
            let it_mw = racks * econ.inventory.rack_models[t].nameplate.0 / 1e6;
            let facility = if *reused_mw > 0.0 {
                (it_mw - reused_mw).max(0.0) * cp.facility_usd_per_mw
            } else {
                it_mw * cp.facility_usd_per_mw
            };
            let total = server + network + facility;
            let service = self.month_of(row.commissioned);
            // With write-offs on: the month its racks retire inside the
            // run, and what their hardware sells for then.
            let retired = service
                .filter(|_| cp.write_off_at_retirement)
                .and_then(|s| self.retirement_month(row).map(|r| (s, r.max(s))));
            let curve = match &econ.terminal {
                Terminal::Resale { shares_by_age } => Some(&shares_by_age[..]),
                _ => None,
            };
            let proceeds = retired.map_or(0.0, |(s, r)| {
                retire::disposal(server + network, 0.0, r - s, curve).1
            });
            phases.push(PhaseCapital {
                server,
                network,
                facility,
                service,
                retired: retired.map(|(_, r)| r),
                proceeds,
            });
            let parts = cp.progress_months.max(1) as usize;
            for k in 0..parts {
                // Payments due before the run are booked in its first month.
                let m = delivered.saturating_sub(parts - 1 - k);
                capex[m] += total / parts as f64;
            }
            if let Some((service, r)) = retired {
                // Early retirement: depreciate to it, then write off.
                let left = retire::straight_line_until(
                    server,
                    service,
                    cp.server_life_months,
                    r,
                    &mut depreciation,
                ) + retire::straight_line_until(
                    network,
                    service,
                    cp.network_life_months,
                    r,
                    &mut depreciation,
                );
                finance::straight_line(
                    facility,
                    service,
                    cp.facility_life_months,
                    &mut depreciation,
                );
                let (charge, proceeds) =
                    retire::disposal(server + network, left, r - service, curve);
                depreciation[r] += charge;
                capex[r] -= proceeds;
                written_off += left;
                total_proceeds += proceeds;
            } else if let Some(service) = service {
                finance::straight_line(server, service, cp.server_life_months, &mut depreciation);
                finance::straight_line(network, service, cp.network_life_months, &mut depreciation);
                finance::straight_line(
                    facility,
                    service,
                    cp.facility_life_months,
                    &mut depreciation,
                );
            }
        }
        Capital {
            phases,
            capex,
            depreciation,
            written_off,
            proceeds: total_proceeds,
        }
    }

    /// Revenue, contract by contract: each month's bill (take-or-pay on
    /// the committed capacity-hours, pay-per-use on those used), escalated,
    /// less its SLA credit; writes the contract-month and contract rows.
    fn bills(&mut self, econ: &Economics) -> Bills {
        let n = self.months.len();
        let run = self.run;
        let mut contract_rows: Vec<ContractRow> = Vec::new();
        let mut billed = vec![vec![0.0; n]; econ.contracts.len()];
        let mut credits = vec![0.0; n];
        for (ci, c) in econ.contracts.iter().enumerate() {
            let name = SharedText::from(c.name.as_str());
            let unit = c.unit;
            // Price per capacity-hour as booked: per chip-hour, or per
            // MW-hour (per kW-hour × 1000).
            let price = match c.unit {
                CapacityUnit::Chips => c.price_per_unit_hour,
                CapacityUnit::Megawatts => c.price_per_unit_hour * 1000.0,
            };
            let mut row = ContractRow {
                contract: c.name.clone(),
                unit,
                chip_types: c.chip_types.join("+"),
                start: run.calendar.instant(c.start),
                end: run.calendar.instant(c.end),
                billing: c.billing,
                peak_capacity: c.peak(),
                price: c.price_as_stated(),
                price_derived: c.price_derived,
                committed_hours: 0.0,
                value_usd: c.value_usd,
                billed_usd: 0.0,
                credits_usd: 0.0,
                revenue_usd: 0.0,
                availability: None,
                months_credited: 0,
            };
            let mut delivered_total = 0.0;
            for m in 0..n {
                let f = &self.flows[m];
                let committed = f.committed[ci];
                let bill = match c.billing {
                    Billing::TakeOrPay => committed * price,
                    Billing::PayPerUse => f.used[ci] * price,
                };
                let bill = bill * self.contract_escalation(ci, m);
                let availability = (committed > 0.0).then(|| f.sla_delivered[ci] / committed);
                let share = match (&c.sla, availability) {
                    (Some(sla), Some(a)) => sla.credit(a),
                    _ => 0.0,
                };
                let credit = bill * share;
                billed[ci][m] = bill;
                credits[m] += credit;
                row.committed_hours += committed;
                delivered_total += f.sla_delivered[ci];
                row.billed_usd += bill;
                row.credits_usd += credit;
                if credit > 0.0 {
                    row.months_credited += 1;
                }
                if committed > 0.0 || f.delivered[ci] > 0.0 {
                    self.inner.contract_month(&ContractMonthRow {
                        month: self.months[m].month,
                        contract: name.clone(),
                        unit,
                        committed_hours: committed,
                        delivered_hours: f.delivered[ci],
                        used_hours: f.used[ci],
                        availability,
                        billed_usd: bill,
                        credit_share: share,
                        credit_usd: credit,
                        revenue_usd: bill - credit,
                    });
                }
            }
            row.revenue_usd = row.billed_usd - row.credits_usd;
            row.availability =
                (row.committed_hours > 0.0).then(|| delivered_total / row.committed_hours);
            contract_rows.push(row);
        }
        for row in &contract_rows {
            self.inner.contract(row);
        }
        Bills {
            rows: contract_rows,
            billed,
            credits,
        }
    }

    /// Month `m`'s revenue (its contracts' bills, on-demand sales, less
    /// SLA credits) and operating costs (energy, maintenance, staff,
    /// colocation, fixed costs and the opex lines).
    fn income(&self, econ: &Economics, m: usize, bills: &Bills, extra: &Extras) -> MonthIncome {
        let (billed, credits) = (&bills.billed, &bills.credits);
        let f = &self.flows[m];
        let hours = self.months[m].to.since(self.months[m].from).hours();
        let od_price = econ
            .on_demand
            .as_ref()
            .map_or(0.0, |o| o.price_usd_per_chip_hour);
        let fixed_per_hour: f64 = econ
            .fixed_costs
            .iter()
            .map(|f| f.usd_per_year / HOURS_PER_YEAR)
            .sum();
        let op = &econ.opex;
        let contracts: Vec<(SharedText, f64)> = econ
            .contracts
            .iter()
            .enumerate()
            .map(|(ci, c)| (SharedText::from(c.name.as_str()), billed[ci][m]))
            .collect();
        let contract_revenue: f64 = contracts.iter().map(|(_, v)| v).sum();
        let on_demand = match econ
            .on_demand
            .as_ref()
            .is_some_and(|o| !o.curves.is_empty())
        {
            false => f.on_demand_chip_hours * od_price * extra.on_demand[m],
            true => {
                f.on_demand_plain_chip_hours * od_price * extra.on_demand[m] + f.on_demand_curve_usd
            }
        };
        let revenue = contract_revenue + on_demand - credits[m];
        let maintenance = f.it_capex_hours * op.maintenance_share_per_year / HOURS_PER_YEAR;
        let maintenance = maintenance * extra.maintenance[m];
        let staff = f.nameplate_mw_hours * op.staff_usd_per_mw_year / HOURS_PER_YEAR;
        let staff = staff * extra.staff[m];
        let colocation = f.nameplate_mw_hours * 1000.0 * op.colocation_usd_per_kw_month
            / super::super::config::HOURS_PER_BILLING_MONTH;
        let fixed = fixed_per_hour * hours;
        let opex = f.energy_usd + maintenance + staff + colocation + fixed;
        let lines = econ.opex_lines.any().then(|| {
            econ.opex_lines.month(&super::super::lines::MonthBasis {
                hours,
                capex_in_service: extra.capex_in_service[m],
                nameplate_mw_hours: f.nameplate_mw_hours,
                revenue,
            })
        });
        let opex = match &lines {
            Some(l) => opex + l.iter().sum::<f64>(),
            None => opex,
        };
        MonthIncome {
            contracts,
            contract_revenue,
            on_demand,
            revenue,
            maintenance,
            staff,
            colocation,
            fixed,
            opex,
            lines,
        }
    }

    /// The monthly statement: each month's income, EBITDA, EBIT, cash flow
    /// and (with tax) its tax, written as a row and summed into `run`.
    fn statement(
        &mut self,
        econ: &Economics,
        capital: &Capital,
        loan: &Loan,
        bills: &Bills,
        extra: &Extras,
        run: &mut Running,
    ) {
        let credits = &bills.credits;
        let (capex, depreciation) = (&capital.capex, &capital.depreciation);
        let (drawn, interest, repaid) = (&loan.drawn, &loan.interest, &loan.repaid);
        let mut tax_book = econ.tax.as_ref().map(TaxBook::new);
        for m in 0..self.months.len() {
            let income = self.income(econ, m, bills, extra);
            if let Some(l) = &income.lines {
                for (t, x) in run.lines_total.iter_mut().zip(l) {
                    *t += x;
                }
            }
            let f = &self.flows[m];
            let hours = self.months[m].to.since(self.months[m].from).hours();
            let (revenue, opex) = (income.revenue, income.opex);
            let ebitda = revenue - opex;
            let ebit = ebitda - depreciation[m];
            let cash = revenue - opex - capex[m] + drawn[m] - repaid[m] - interest[m];
            run.cumulative += cash;
            run.flows_cash.push(cash);
            let tax = tax_book.as_mut().map(|b| {
                let t = b.month(
                    extra.years[m],
                    ebitda,
                    extra.tax_depreciation[m],
                    interest[m],
                );
                let after = cash - t.income_tax_usd;
                run.cumulative_after_tax += after;
                run.flows_after_tax.push(after);
                let net_income = ebit - interest[m] - t.income_tax_usd;
                run.after_tax.income_tax_usd += t.income_tax_usd;
                run.after_tax.net_income_usd += net_income;
                run.after_tax.loss_carried_forward_usd = t.loss_carried_forward_usd;
                MonthlyTaxRow {
                    tax_depreciation_usd: t.tax_depreciation_usd,
                    taxable_income_usd: t.taxable_income_usd,
                    income_tax_usd: t.income_tax_usd,
                    loss_carried_forward_usd: t.loss_carried_forward_usd,
                    net_income_usd: net_income,
                    cash_flow_after_tax_usd: after,
                    cumulative_cash_after_tax_usd: run.cumulative_after_tax,
                }
            });
            run.direct_costs += f.energy_usd
                + income.maintenance
                + income.staff
                + income.colocation
                + depreciation[m];
            run.healthy_chip_hours += f.healthy_chip_hours;
            run.nameplate_mw_hours += f.nameplate_mw_hours;
            let total = &mut run.total;
            total.capex_usd += capex[m];
            total.revenue_usd += revenue;
            total.contract_revenue_usd += income.contract_revenue;
            total.on_demand_revenue_usd += income.on_demand;
            total.sla_credits_usd += credits[m];
            total.opex_usd += opex;
            total.ebitda_usd += ebitda;
            total.depreciation_usd += depreciation[m];
            total.ebit_usd += ebit;
            total.interest_usd += interest[m];
            self.inner.monthly(&MonthlyRow {
                month: self.months[m].month,
                days: hours / 24.0,
                contract_revenue_usd: income.contracts,
                on_demand_revenue_usd: income.on_demand,
                sla_credits_usd: credits[m],
                revenue_usd: revenue,
                energy_usd: f.energy_usd,
                maintenance_usd: income.maintenance,
                staff_usd: income.staff,
                colocation_usd: income.colocation,
                fixed_costs_usd: income.fixed,
                opex_usd: opex,
                ebitda_usd: ebitda,
                depreciation_usd: depreciation[m],
                ebit_usd: ebit,
                interest_usd: interest[m],
                capex_usd: capex[m],
                loan_drawn_usd: drawn[m],
                loan_repaid_usd: repaid[m],
                cash_flow_usd: cash,
                cumulative_cash_usd: run.cumulative,
                energy_mwh: f.energy_mwh,
                healthy_chip_hours: f.healthy_chip_hours,
                contracted_chip_hours: f.contracted_chip_hours,
                on_demand_chip_hours: f.on_demand_chip_hours,
                it_nameplate_mw: if hours > 0.0 {
                    f.nameplate_mw_hours / hours
                } else {
                    0.0
                },
                opex_lines_usd: income.lines,
                tax,
            });
        }
    }

    /// The headline figures from the statement's sums: NPV, IRR, payback,
    /// margins and the costs per chip-hour, per token and per FLOP.
    fn headline(
        &self,
        econ: &Economics,
        summary: &SummaryRow,
        run: &Running,
        total: &mut EconomicsSummary,
    ) {
        let flows_cash = &run.flows_cash;
        let (direct_costs, healthy_total, mw_hours) = (
            run.direct_costs,
            run.healthy_chip_hours,
            run.nameplate_mw_hours,
        );
        total.npv_usd = finance::npv(econ.discount_rate, flows_cash);
        match finance::irr(flows_cash) {
            Ok(r) => total.irr = Some(r),
            Err(why) => total.irr_note = Some(why),
        }
        if let Some(m) = finance::payback_month(flows_cash) {
            total.payback_month = Some(self.months[m].month);
            total.payback_months = Some(m as u32 + 1);
        }
        let ratio = |a: f64, b: f64| (b > 0.0 && a.is_finite()).then(|| a / b);
        let revenue_positive = total.revenue_usd > 0.0;
        total.gross_margin =
            revenue_positive.then(|| (total.revenue_usd - direct_costs) / total.revenue_usd);
        total.ebitda_margin = revenue_positive.then(|| total.ebitda_usd / total.revenue_usd);
        let cost = total.opex_usd + total.depreciation_usd + total.interest_usd;
        let per_chip_hour = ratio(cost, healthy_total);
        total.cost_per_chip_hour_usd = per_chip_hour;
        total.revenue_per_chip_hour_usd = ratio(total.revenue_usd, healthy_total);
        if let (Some(c), Some(t)) = (per_chip_hour, summary.training.as_ref()) {
            // Each figure over the same jobs above and below the line: the
            // tokens of the jobs that state them, at the cost of those
            // jobs' own chip-hours; the FLOPs of every job at the cost of
            // every job's chip-hours.
            total.cost_per_million_tokens_trained_usd =
                ratio(c * self.tokens_chip_hours, self.tokens_trained / 1e6);
            total.cost_per_exaflop_trained_usd = ratio(c * t.chip_hours, self.flops_trained / 1e18);
        }
        if let Some(c) = per_chip_hour {
            total.cost_per_million_tokens_served_usd =
                ratio(c * self.service_chip_hours, self.tokens_served / 1e6);
        }
        total.revenue_per_mw_year_usd = ratio(total.revenue_usd, mw_hours / HOURS_PER_YEAR);
    }
}

/// The loan: the financed share of each month's capex drawn that month and
/// amortized over the loan's term at its monthly rate (nothing without
/// financing).
fn loan(econ: &Economics, capex: &[f64]) -> Loan {
    let n = capex.len();
    let mut drawn = vec![0.0; n];
    let mut interest = vec![0.0; n];
    let mut repaid = vec![0.0; n];
    let mut owed = 0.0;
    if let Some(fin) = &econ.financing {
        let i = fin.rate / 12.0;
        for m in 0..n {
            let amount = capex[m] * fin.loan_share;
            if amount > 0.0 {
                drawn[m] = amount;
                owed +=
                    finance::amortize(amount, m, i, fin.term_months, &mut interest, &mut repaid);
            }
        }
    }
    Loan {
        drawn,
        interest,
        repaid,
        owed,
    }
}
