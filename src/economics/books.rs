//! The provider's books, kept from the rows of a run.
//!
//! [`Books`] is a [`Recorder`] that sits in front of another: it passes
//! every row on unchanged and keeps, from the sample rows (energy cost,
//! healthy and held chip-hours and nameplate power per rack model), the
//! build-out rows (deliveries and commissioning), the job rows (tokens and
//! FLOPs trained) and the service rows (chip-hours and tokens served), what
//! the statement needs month by month. When the summary arrives it writes
//! the statement ([`MonthlyRow`], [`ContractMonthRow`], [`ContractRow`])
//! and adds an [`EconomicsSummary`] to the summary. It reads rows only,
//! never the models' state. Work per sample row is O(rack models ×
//! contracts); the statement is O(months × (phases + contracts)).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::config::{Billing, CapacityUnit, Economics, OnDemandDemand};
use super::finance;
use crate::engine::{SimDuration, SimTime};
use crate::record::{
    BuildoutRow, ContractMonthRow, ContractRow, EconomicsSummary, FailureRow, JobRow, MonthlyRow,
    Recorder, SampleRow, ServiceRow, ServiceSummaryRow, SharedText, SummaryRow, WindowRequestRow,
    WindowRow,
};
use crate::run::RunConfig;
use crate::workload::serving::config::Config as ServingConfig;
use crate::world::config::Config as WorldConfig;

/// Hours in a year for per-year rates [h].
const HOURS_PER_YEAR: f64 = 8760.0;

/// The books' optional terms (tax, terminal value, opex lines,
/// escalators), kept apart from the pre-tax statement.
#[path = "books_terms.rs"]
mod terms;

/// A calendar month of the run.
#[derive(Clone, Debug)]
struct Month {
    /// `YYYY-MM`.
    label: String,
    /// Its first instant inside the run.
    from: SimTime,
    /// Its end inside the run (exclusive).
    to: SimTime,
}

/// What the samples give for one month.
#[derive(Clone, Debug, Default)]
struct MonthFlows {
    energy_usd: f64,
    energy_mwh: f64,
    healthy_chip_hours: f64,
    /// IT nameplate online × time [MW·h].
    nameplate_mw_hours: f64,
    /// IT capex (servers and network) in service × time [USD·h].
    it_capex_hours: f64,
    on_demand_chip_hours: f64,
    /// With price curves: the on-demand chip-hours of chip types without
    /// a curve, and the revenue of those with one [USD].
    on_demand_plain_chip_hours: f64,
    on_demand_curve_usd: f64,
    contracted_chip_hours: f64,
    /// Per contract: committed, delivered and used capacity-hours.
    committed: Vec<f64>,
    delivered: Vec<f64>,
    used: Vec<f64>,
    /// Per contract: delivered capacity-hours as its SLA counts them
    /// (with the chip-hours dark for maintenance when it excludes them).
    sla_delivered: Vec<f64>,
}

/// The figures of one sample interval, summed over sites, by rack type.
#[derive(Clone, Debug)]
struct Interval {
    from: SimTime,
    to: SimTime,
    energy_usd: f64,
    energy_mwh: f64,
    healthy: Vec<f64>,
    held: Vec<f64>,
    /// IT nameplate online × time over the interval, from the commissioning
    /// (or retirement) instant, not the sample's [MW·h].
    nameplate_mw_hours: f64,
    /// IT capex in service × time over the interval [USD·h].
    it_capex_hours: f64,
    /// Chip-hours held by each rack type's inference services.
    served: Vec<f64>,
    /// Chip-hours of each rack type dark for planned maintenance.
    maintenance: Vec<f64>,
}

/// The provider's books: a [`Recorder`] in front of `R`.
pub struct Books<'s, R> {
    inner: R,
    run: &'s RunConfig,
    world_config: &'s WorldConfig,
    serving: &'s ServingConfig,
    economics: Option<&'s Economics>,
    months: Vec<Month>,
    flows: Vec<MonthFlows>,
    rack_index: BTreeMap<String, usize>,
    service_index: BTreeMap<String, usize>,
    /// Whether each service's chip-hours count as on-demand demand.
    sold_on_demand: Vec<bool>,
    /// IT nameplate power of one chip of each rack type (its rack's
    /// nameplate ÷ chips) [kW].
    kw_per_chip: Vec<f64>,
    /// IT capex (servers and network) of one chip of each rack type: its
    /// rack's price × (1 + network share) ÷ chips [USD].
    capex_per_chip: Vec<f64>,
    /// The interval being summed: its sample rows have arrived, its
    /// service rows may still come (they follow the sample rows of the
    /// same instant).
    pending: Interval,
    /// Whether `pending` holds rows.
    open: bool,
    /// Planned maintenance windows not yet over: (rack type, chips, from,
    /// to).
    windows: Vec<(usize, f64, SimTime, SimTime)>,
    /// Scratch for the healthy and held chip-hours of a month's part of
    /// an interval, by rack type (kept to avoid an allocation per sample).
    scratch: (Vec<f64>, Vec<f64>, Vec<f64>),
    last_sample: SimTime,
    buildout: Vec<BuildoutRow>,
    tokens_trained: f64,
    /// Chip-hours held by the jobs that state their tokens (those
    /// `tokens_trained` counts).
    tokens_chip_hours: f64,
    flops_trained: f64,
    tokens_served: f64,
    service_chip_hours: f64,
    summary: Option<EconomicsSummary>,
}

impl<'s, R: Recorder> Books<'s, R> {
    /// Books in front of `inner` for the run `run`, on the terms
    /// `economics`, over the rack models of `world_config` and the services
    /// of `serving`. Without terms (no `[economics]`) it keeps none: every
    /// row passes through.
    pub fn new(
        run: &'s RunConfig,
        economics: Option<&'s Economics>,
        world_config: &'s WorldConfig,
        serving: &'s ServingConfig,
        inner: R,
    ) -> Self {
        let months = if economics.is_some() {
            months_of(run)
        } else {
            Vec::new()
        };
        let contracts = economics.map_or(0, |e| e.contracts.len());
        let flows = vec![
            MonthFlows {
                committed: vec![0.0; contracts],
                delivered: vec![0.0; contracts],
                used: vec![0.0; contracts],
                sla_delivered: vec![0.0; contracts],
                ..MonthFlows::default()
            };
            months.len()
        ];
        Books {
            inner,
            run,
            world_config,
            serving,
            economics,
            months,
            flows,
            rack_index: world_config.rack_types
                .iter()
                .enumerate()
                .map(|(i, t)| (t.rack.name.clone(), i))
                .collect(),
            service_index: serving.services
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.clone(), i))
                .collect(),
            sold_on_demand: (0..serving.services.len())
                .map(|i| {
                    economics
                        .and_then(|e| e.on_demand.as_ref())
                        .is_some_and(|o| matches!(&o.demand, OnDemandDemand::Services(list) if list.contains(&i)))
                })
                .collect(),
            kw_per_chip: world_config.rack_types
                .iter()
                .map(|t| t.nameplate().0 / 1000.0 / f64::from(t.rack.chips.max(1)))
                .collect(),
            capex_per_chip: world_config.rack_types
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    economics.map_or(0.0, |e| {
                        e.capex.rack_price_usd.get(i).copied().unwrap_or(0.0)
                            * (1.0 + e.capex.network_share)
                            / f64::from(t.rack.chips.max(1))
                    })
                })
                .collect(),
            pending: Interval {
                from: SimTime::ZERO,
                to: SimTime::ZERO,
                energy_usd: 0.0,
                energy_mwh: 0.0,
                healthy: vec![0.0; world_config.rack_types.len()],
                held: vec![0.0; world_config.rack_types.len()],
                nameplate_mw_hours: 0.0,
                it_capex_hours: 0.0,
                served: vec![0.0; world_config.rack_types.len()],
                maintenance: vec![0.0; world_config.rack_types.len()],
            },
            open: false,
            windows: Vec::new(),
            scratch: (
                vec![0.0; world_config.rack_types.len()],
                vec![0.0; world_config.rack_types.len()],
                vec![0.0; world_config.rack_types.len()],
            ),
            last_sample: SimTime::ZERO,
            buildout: Vec::new(),
            tokens_trained: 0.0,
            tokens_chip_hours: 0.0,
            flops_trained: 0.0,
            tokens_served: 0.0,
            service_chip_hours: 0.0,
            summary: None,
        }
    }

    /// The recorder behind, and the economics summary if the scenario has
    /// economics and the run has finished.
    pub fn into_parts(self) -> (R, Option<EconomicsSummary>) {
        (self.inner, self.summary)
    }

    /// The recorder behind, for reading rows so far.
    pub fn inner(&self) -> &R {
        &self.inner
    }

    /// Closes the pending interval: splits it over the months it covers and
    /// assigns its healthy capacity to the contracts and on-demand sales.
    fn close_interval(&mut self) {
        if !std::mem::replace(&mut self.open, false) {
            return;
        }
        let Some(econ) = self.economics else {
            return;
        };
        let iv = &self.pending;
        let (healthy, held, dark) = &mut self.scratch;
        let span = iv.to.since(iv.from).hours();
        if span <= 0.0 {
            return;
        }
        let first = self.months.partition_point(|m| m.to <= iv.from);
        for mi in first..self.months.len() {
            let month = &self.months[mi];
            if month.from >= iv.to {
                break;
            }
            let a = month.from.max(iv.from);
            let b = month.to.min(iv.to);
            if b <= a {
                continue;
            }
            let share = b.since(a).hours() / span;
            let f = &mut self.flows[mi];
            f.energy_usd += iv.energy_usd * share;
            f.energy_mwh += iv.energy_mwh * share;
            f.nameplate_mw_hours += iv.nameplate_mw_hours * share;
            f.it_capex_hours += iv.it_capex_hours * share;
            for (out, h) in healthy.iter_mut().zip(&iv.healthy) {
                *out = h * share;
            }
            for (out, h) in held.iter_mut().zip(&iv.held) {
                *out = h * share;
            }
            for (out, h) in dark.iter_mut().zip(&iv.maintenance) {
                *out = h * share;
            }
            f.healthy_chip_hours += healthy.iter().sum::<f64>();
            // Contracts in file order take healthy chip-hours of their rack
            // types, in their order of preference.
            for (ci, c) in econ.contracts.iter().enumerate() {
                let committed = c.committed_hours(a, b);
                if committed <= 0.0 {
                    continue;
                }
                // Capacity-hours per chip-hour of each type: 1 for chips,
                // MW per chip for MW contracts.
                let per_chip = |t: usize| match c.unit {
                    CapacityUnit::Chips => 1.0,
                    CapacityUnit::Megawatts => self.kw_per_chip[t] / 1000.0,
                };
                let mut need = committed;
                let mut delivered = 0.0;
                let mut chip_hours = 0.0;
                for &t in &c.rack_types {
                    if need <= 0.0 {
                        break;
                    }
                    let unit = per_chip(t);
                    if unit <= 0.0 {
                        continue;
                    }
                    let take_chips = healthy[t].min(need / unit);
                    healthy[t] -= take_chips;
                    chip_hours += take_chips;
                    delivered += take_chips * unit;
                    need -= take_chips * unit;
                }
                // Capacity dark for announced maintenance, counted as
                // delivered for an SLA that excludes it (taken in the
                // same order).
                let mut excused = 0.0;
                if c.sla.as_ref().is_some_and(|s| s.excludes_maintenance) {
                    for &t in &c.rack_types {
                        let unit = per_chip(t);
                        if need <= 0.0 || unit <= 0.0 {
                            continue;
                        }
                        let take = dark[t].min(need / unit);
                        dark[t] -= take;
                        excused += take * unit;
                        need -= take * unit;
                    }
                }
                let mut used = 0.0;
                if c.billing == Billing::PayPerUse {
                    let mut cap = delivered;
                    for &t in &c.rack_types {
                        let unit = per_chip(t);
                        let take = held[t].min(cap / unit.max(f64::MIN_POSITIVE));
                        held[t] -= take;
                        used += take * unit;
                        cap -= take * unit;
                    }
                }
                f.committed[ci] += committed;
                f.delivered[ci] += delivered.min(committed);
                f.sla_delivered[ci] += (delivered + excused).min(committed);
                f.used[ci] += used.min(committed);
                f.contracted_chip_hours += chip_hours;
            }
            if let Some(od) = &econ.on_demand {
                let sold_of = |t: usize| match &od.demand {
                    OnDemandDemand::Utilization(u) => healthy[t] * u,
                    OnDemandDemand::Services(_) => healthy[t].min(iv.served[t] * share),
                };
                let sold: f64 = od.rack_types.iter().map(|&t| sold_of(t)).sum();
                f.on_demand_chip_hours += sold;
                if !od.curves.is_empty() {
                    // Each curve priced at the middle of the interval's
                    // part in this month.
                    let mid = a + SimDuration::from_hours_f64(b.since(a).hours() / 2.0);
                    for &t in &od.rack_types {
                        match &od.curves[t] {
                            Some(curve) => {
                                f.on_demand_curve_usd += sold_of(t) * curve.price_at(mid)
                            }
                            None => f.on_demand_plain_chip_hours += sold_of(t),
                        }
                    }
                }
            }
        }
    }

    /// Writes the statement and returns the summary figures.
    // Over the 150-line guard (clippy.toml); to be split (issue 19 item 7).
    #[allow(clippy::too_many_lines)]
    fn write_statement(&mut self, summary: &SummaryRow) -> Option<EconomicsSummary> {
        self.close_interval();
        let econ = self.economics?;
        let (run, world_config) = (self.run, self.world_config);
        let n = self.months.len();
        let start = run.calendar.start();
        let month_of = |date: &str| -> Option<usize> {
            let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
            let k = (d.year() - start.year()) * 12 + d.month() as i32 - start.month() as i32;
            Some(k.clamp(0, n as i32 - 1) as usize)
        };

        // Energy escalates in the books (1 without an escalator).
        if econ.escalators.energy_per_year != 0.0 && n > 0 {
            let start_date = self.run.calendar.date(self.months[0].from);
            for (f, month) in self.flows.iter_mut().zip(&self.months) {
                let k = super::escalate::whole_years(start_date, run.calendar.date(month.from));
                f.energy_usd *= super::escalate::factor(econ.escalators.energy_per_year, k);
            }
        }

        // Capex and depreciation, phase by phase.
        let mut phases: Vec<super::tax::PhaseCapital> = Vec::new();
        let mut capex = vec![0.0; n];
        let mut depreciation = vec![0.0; n];
        let (mut written_off, mut total_proceeds) = (0.0, 0.0);
        let cp = &econ.capex;
        // With write-offs on, a phase commissioned after a retirement at
        // its site reuses the retired racks' hall.
        let reuse = if cp.write_off_at_retirement {
            let halls: Vec<super::retire::Hall> = self
                .buildout
                .iter()
                .map(|row| super::retire::Hall {
                    site: world_config
                        .sites
                        .iter()
                        .position(|s| s.name == row.site)
                        .unwrap_or(0),
                    it_mw: self.rack_index.get(&row.rack).map_or(0.0, |&t| {
                        f64::from(row.racks) * world_config.rack_types[t].nameplate().0 / 1e6
                    }),
                    service: month_of(&row.commissioned),
                    retired: month_of(&row.commissioned).and(self.retirement_month(row)),
                })
                .collect();
            super::retire::facility_reuse(&halls)
        } else {
            vec![0.0; self.buildout.len()]
        };
        for (row, reused_mw) in self.buildout.iter().zip(&reuse) {
            let Some(&t) = self.rack_index.get(&row.rack) else {
                continue;
            };
            let Some(delivered) = month_of(&row.delivered) else {
                continue;
            };
            let racks = f64::from(row.racks);
            let server = racks * cp.rack_price_usd[t];
            let network = server * cp.network_share;
            let it_mw = racks * world_config.rack_types[t].nameplate().0 / 1e6;
            let facility = if *reused_mw > 0.0 {
                (it_mw - reused_mw).max(0.0) * cp.facility_usd_per_mw
            } else {
                it_mw * cp.facility_usd_per_mw
            };
            let total = server + network + facility;
            let service = month_of(&row.commissioned);
            // With write-offs on: the month its racks retire inside the
            // run, and what their hardware sells for then.
            let retired = service
                .filter(|_| cp.write_off_at_retirement)
                .and_then(|s| self.retirement_month(row).map(|r| (s, r.max(s))));
            let curve = match &econ.terminal {
                super::residual::Terminal::Resale { shares_by_age } => Some(&shares_by_age[..]),
                _ => None,
            };
            let proceeds = retired.map_or(0.0, |(s, r)| {
                super::retire::disposal(server + network, 0.0, r - s, curve).1
            });
            phases.push(super::tax::PhaseCapital {
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
                let left = super::retire::straight_line_until(
                    server,
                    service,
                    cp.server_life_months,
                    r,
                    &mut depreciation,
                ) + super::retire::straight_line_until(
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
                    super::retire::disposal(server + network, left, r - service, curve);
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

        // Financing.
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
                    owed += finance::amortize(
                        amount,
                        m,
                        i,
                        fin.term_months,
                        &mut interest,
                        &mut repaid,
                    );
                }
            }
        }

        // Revenue, contract by contract.
        let mut contract_rows: Vec<ContractRow> = Vec::new();
        let mut billed = vec![vec![0.0; n]; econ.contracts.len()];
        let mut credits = vec![0.0; n];
        for (ci, c) in econ.contracts.iter().enumerate() {
            let name = SharedText::from(c.name.as_str());
            let unit = match c.unit {
                CapacityUnit::Chips => "chips",
                CapacityUnit::Megawatts => "mw",
            };
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
                start: run.calendar.format(c.start),
                end: run.calendar.format(c.end),
                billing: match c.billing {
                    Billing::TakeOrPay => "take_or_pay",
                    Billing::PayPerUse => "pay_per_use",
                },
                peak_capacity: c.peak(),
                price: c.price_as_stated(),
                price_derived: c.price_derived,
                value_usd: c.value_usd,
                ..ContractRow::default()
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
                        month: self.months[m].label.clone(),
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
        let contract_rows_kept = contract_rows;

        // The monthly statement.
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
        let extra = self.extras(econ, &phases);
        let mut tax_book = econ.tax.as_ref().map(super::tax::TaxBook::new);
        let mut flows_after_tax = Vec::with_capacity(n);
        let mut cumulative_after_tax = 0.0;
        let mut after_tax = crate::record::TaxSummary::default();
        let mut lines_total = [0.0; 4];
        let mut flows_cash = Vec::with_capacity(n);
        let mut total = EconomicsSummary {
            discount_rate: econ.discount_rate,
            contract_value_usd: econ.contracts.iter().map(|c| c.value_usd).sum(),
            ..EconomicsSummary::default()
        };
        let mut direct_costs = 0.0;
        let mut healthy_total = 0.0;
        let mut mw_hours = 0.0;
        let mut cumulative = 0.0;
        for m in 0..n {
            let f = &self.flows[m];
            let hours = self.months[m].to.since(self.months[m].from).hours();
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
                    f.on_demand_plain_chip_hours * od_price * extra.on_demand[m]
                        + f.on_demand_curve_usd
                }
            };
            let revenue = contract_revenue + on_demand - credits[m];
            let maintenance = f.it_capex_hours * op.maintenance_share_per_year / HOURS_PER_YEAR;
            let maintenance = maintenance * extra.maintenance[m];
            let staff = f.nameplate_mw_hours * op.staff_usd_per_mw_year / HOURS_PER_YEAR;
            let staff = staff * extra.staff[m];
            let colocation = f.nameplate_mw_hours * 1000.0 * op.colocation_usd_per_kw_month
                / super::config::HOURS_PER_BILLING_MONTH;
            let fixed = fixed_per_hour * hours;
            let opex = f.energy_usd + maintenance + staff + colocation + fixed;
            let lines = econ.opex_lines.any().then(|| {
                econ.opex_lines.month(&super::lines::MonthBasis {
                    hours,
                    capex_in_service: extra.capex_in_service[m],
                    nameplate_mw_hours: f.nameplate_mw_hours,
                    revenue,
                })
            });
            let opex = match &lines {
                Some(l) => {
                    for (t, x) in lines_total.iter_mut().zip(l) {
                        *t += x;
                    }
                    opex + l.iter().sum::<f64>()
                }
                None => opex,
            };
            let ebitda = revenue - opex;
            let ebit = ebitda - depreciation[m];
            let cash = revenue - opex - capex[m] + drawn[m] - repaid[m] - interest[m];
            cumulative += cash;
            flows_cash.push(cash);
            let tax = tax_book.as_mut().map(|b| {
                let t = b.month(
                    extra.years[m],
                    ebitda,
                    extra.tax_depreciation[m],
                    interest[m],
                );
                let after = cash - t.income_tax_usd;
                cumulative_after_tax += after;
                flows_after_tax.push(after);
                let net_income = ebit - interest[m] - t.income_tax_usd;
                after_tax.income_tax_usd += t.income_tax_usd;
                after_tax.net_income_usd += net_income;
                after_tax.loss_carried_forward_usd = t.loss_carried_forward_usd;
                crate::record::MonthlyTaxRow {
                    tax_depreciation_usd: t.tax_depreciation_usd,
                    taxable_income_usd: t.taxable_income_usd,
                    income_tax_usd: t.income_tax_usd,
                    loss_carried_forward_usd: t.loss_carried_forward_usd,
                    net_income_usd: net_income,
                    cash_flow_after_tax_usd: after,
                    cumulative_cash_after_tax_usd: cumulative_after_tax,
                }
            });
            direct_costs += f.energy_usd + maintenance + staff + colocation + depreciation[m];
            healthy_total += f.healthy_chip_hours;
            mw_hours += f.nameplate_mw_hours;
            total.capex_usd += capex[m];
            total.revenue_usd += revenue;
            total.contract_revenue_usd += contract_revenue;
            total.on_demand_revenue_usd += on_demand;
            total.sla_credits_usd += credits[m];
            total.opex_usd += opex;
            total.ebitda_usd += ebitda;
            total.depreciation_usd += depreciation[m];
            total.ebit_usd += ebit;
            total.interest_usd += interest[m];
            self.inner.monthly(&MonthlyRow {
                month: self.months[m].label.clone(),
                days: hours / 24.0,
                contract_revenue_usd: contracts,
                on_demand_revenue_usd: on_demand,
                sla_credits_usd: credits[m],
                revenue_usd: revenue,
                energy_usd: f.energy_usd,
                maintenance_usd: maintenance,
                staff_usd: staff,
                colocation_usd: colocation,
                fixed_costs_usd: fixed,
                opex_usd: opex,
                ebitda_usd: ebitda,
                depreciation_usd: depreciation[m],
                ebit_usd: ebit,
                interest_usd: interest[m],
                capex_usd: capex[m],
                loan_drawn_usd: drawn[m],
                loan_repaid_usd: repaid[m],
                cash_flow_usd: cash,
                cumulative_cash_usd: cumulative,
                energy_mwh: f.energy_mwh,
                healthy_chip_hours: f.healthy_chip_hours,
                contracted_chip_hours: f.contracted_chip_hours,
                on_demand_chip_hours: f.on_demand_chip_hours,
                it_nameplate_mw: if hours > 0.0 {
                    f.nameplate_mw_hours / hours
                } else {
                    0.0
                },
                opex_lines_usd: lines,
                tax,
            });
        }
        total.net_cash_usd = cumulative;
        total.book_value_usd = total.capex_usd - total.depreciation_usd;
        total.debt_outstanding_usd = owed;
        total.npv_usd = finance::npv(econ.discount_rate, &flows_cash);
        match finance::irr(&flows_cash) {
            Ok(r) => total.irr = Some(r),
            Err(why) => total.irr_note = Some(why.reason()),
        }
        if let Some(m) = finance::payback_month(&flows_cash) {
            total.payback_month = Some(self.months[m].label.clone());
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
        total.contracts = contract_rows_kept;
        total.opex_lines_usd = econ.opex_lines.any().then_some(lines_total);
        total.retirement = cp
            .write_off_at_retirement
            .then_some(crate::record::RetirementSummary {
                written_off_usd: written_off,
                proceeds_usd: total_proceeds,
            });
        let tax_basis_left = total.capex_usd - extra.tax_depreciation.iter().sum::<f64>();
        self.after_tax_and_terminal(
            econ,
            &phases,
            &flows_cash,
            &flows_after_tax,
            tax_basis_left,
            after_tax,
            &mut total,
        );
        Some(total)
    }
}

/// The calendar months the run covers, clipped to it.
fn months_of(run: &RunConfig) -> Vec<Month> {
    let start = run.calendar.start();
    let mut months = Vec::new();
    let mut first = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).expect("a month");
    loop {
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        }
        .expect("a month");
        let from = run.calendar.time_of_date(first).unwrap_or(SimTime::ZERO);
        if from >= run.end {
            break;
        }
        let to = run
            .calendar
            .time_of_date(next)
            .unwrap_or(SimTime::ZERO)
            .min(run.end);
        months.push(Month {
            label: format!("{:04}-{:02}", first.year(), first.month()),
            from,
            to,
        });
        first = next;
    }
    months
}

impl<R: Recorder> Recorder for Books<'_, R> {
    fn sample(&mut self, row: &SampleRow) {
        if self.economics.is_some() {
            let now = SimTime::ZERO + SimDuration::from_hours_f64(row.time_h);
            if self.open && self.pending.to != now {
                self.close_interval();
            }
            if !self.open {
                let iv = &mut self.pending;
                iv.from = self.last_sample;
                iv.to = now;
                iv.energy_usd = 0.0;
                iv.energy_mwh = 0.0;
                iv.nameplate_mw_hours = 0.0;
                iv.it_capex_hours = 0.0;
                for v in [
                    &mut iv.healthy,
                    &mut iv.held,
                    &mut iv.served,
                    &mut iv.maintenance,
                ] {
                    v.iter_mut().for_each(|x| *x = 0.0);
                }
                // Chip-hours dark for maintenance inside the interval;
                // windows over by its end are dropped. O(open windows).
                let (from, to) = (iv.from, iv.to);
                for &(t, chips, a, b) in &self.windows {
                    let (a, b) = (a.max(from), b.min(to));
                    if b > a {
                        iv.maintenance[t] += chips * b.since(a).hours();
                    }
                }
                self.windows.retain(|w| w.3 > to);
                self.open = true;
            }
            let iv = &mut self.pending;
            self.last_sample = now;
            iv.energy_usd += row.energy_cost_usd;
            iv.energy_mwh += row.energy_mwh;
            for r in &row.racks {
                let t = r.rack_type;
                iv.healthy[t] += r.healthy_chip_hours;
                iv.held[t] += r.held_chip_hours;
                // Online chip-hours integrate the racks online from the
                // instant each was commissioned or retired.
                iv.nameplate_mw_hours += r.online_chip_hours * self.kw_per_chip[t] / 1000.0;
                iv.it_capex_hours += r.online_chip_hours * self.capex_per_chip[t];
            }
        }
        self.inner.sample(row);
    }
    fn failure(&mut self, row: &FailureRow) {
        self.inner.failure(row);
    }
    fn buildout(&mut self, row: &BuildoutRow) {
        if self.economics.is_some() {
            self.buildout.push(row.clone());
        }
        self.inner.buildout(row);
    }
    fn job(&mut self, row: &JobRow) {
        self.flops_trained += row.flops_done;
        if let Some(tokens) = row.tokens_trained {
            self.tokens_trained += tokens;
            self.tokens_chip_hours += row.chip_hours;
        }
        self.inner.job(row);
    }
    fn service(&mut self, row: &ServiceRow) {
        if let (true, Some(&s)) = (self.open, self.service_index.get(row.service.as_str()))
            && self.sold_on_demand[s]
        {
            let iv = &mut self.pending;
            let t = self.serving.services[s].rack_type;
            let hours = iv.to.since(iv.from).hours();
            iv.served[t] += row.chips as f64 * hours;
        }
        self.tokens_served += row.tokens_in + row.tokens_out;
        self.inner.service(row);
    }
    fn window(&mut self, row: &WindowRow) {
        self.inner.window(row);
    }
    fn maintenance(&mut self, row: &crate::record::MaintenanceRow) {
        if self.economics.is_some() {
            let from = SimTime::ZERO + SimDuration::from_hours_f64(row.time_h);
            let to = from + SimDuration::from_hours_f64(row.duration_h);
            self.windows
                .push((row.rack_type, row.chips as f64, from, to));
        }
        self.inner.maintenance(row);
    }
    fn window_request(&mut self, row: &WindowRequestRow) {
        self.inner.window_request(row);
    }
    fn service_summary(&mut self, row: &ServiceSummaryRow) {
        self.service_chip_hours += row.chip_hours;
        self.inner.service_summary(row);
    }
    fn monthly(&mut self, row: &MonthlyRow) {
        self.inner.monthly(row);
    }
    fn contract_month(&mut self, row: &ContractMonthRow) {
        self.inner.contract_month(row);
    }
    fn contract(&mut self, row: &ContractRow) {
        self.inner.contract(row);
    }
    fn summary(&mut self, row: &SummaryRow) {
        let economics = self.write_statement(row);
        let mut row = row.clone();
        row.economics = economics.clone();
        self.summary = economics;
        self.inner.summary(&row);
    }
}
