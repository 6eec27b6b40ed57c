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
use crate::engine::{SimDuration, SimTime};
use crate::record::{
    BuildoutRow, ContractMonthRow, ContractRow, EconomicsSummary, FailureRow, JobRow, MonthlyRow,
    Recorder, SampleRow, ServiceRow, ServiceSummaryRow, SummaryRow, WindowRequestRow, WindowRow,
    YearMonth,
};
use crate::run::RunConfig;

/// Hours in a year for per-year rates [h].
const HOURS_PER_YEAR: f64 = 8760.0;

/// The books' optional terms (tax, terminal value, opex lines,
/// escalators), kept apart from the pre-tax statement.
#[path = "books_terms.rs"]
mod terms;

/// The statement written when the run ends, step by step.
#[path = "books_statement.rs"]
mod statement;

/// A calendar month of the run.
#[derive(Clone, Debug)]
struct Month {
    /// Which month.
    month: YearMonth,
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
    economics: Option<&'s Economics>,
    months: Vec<Month>,
    flows: Vec<MonthFlows>,
    rack_index: BTreeMap<String, usize>,
    service_index: BTreeMap<String, usize>,
    /// Of each service whose chip-hours count as on-demand demand, its
    /// rack type (`None` for the others).
    sold_on_demand: Vec<Option<usize>>,
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
    /// `economics` (with the rack models, sites and services they price).
    /// Without terms (no `[economics]`) it keeps none: every row passes
    /// through.
    pub fn new(run: &'s RunConfig, economics: Option<&'s Economics>, inner: R) -> Self {
        let months = if economics.is_some() {
            months_of(run)
        } else {
            Vec::new()
        };
        let contracts = economics.map_or(0, |e| e.contracts.len());
        let (rack_models, services) = economics.map_or((&[][..], &[][..]), |e| {
            (&e.inventory.rack_models[..], &e.inventory.services[..])
        });
        let rack_types = rack_models.len();
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
            economics,
            months,
            flows,
            rack_index: rack_models
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.clone(), i))
                .collect(),
            service_index: services
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.clone(), i))
                .collect(),
            sold_on_demand: services
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    economics
                        .and_then(|e| e.on_demand.as_ref())
                        .is_some_and(|o| matches!(&o.demand, OnDemandDemand::Services(list) if list.contains(&i)))
                        .then_some(s.rack_type)
                })
                .collect(),
            kw_per_chip: rack_models
                .iter()
                .map(|t| t.nameplate.0 / 1000.0 / f64::from(t.chips.max(1)))
                .collect(),
            capex_per_chip: rack_models
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    economics.map_or(0.0, |e| {
                        e.capex.rack_price_usd.get(i).copied().unwrap_or(0.0)
                            * (1.0 + e.capex.network_share)
                            / f64::from(t.chips.max(1))
                    })
                })
                .collect(),
            pending: Interval {
                from: SimTime::ZERO,
                to: SimTime::ZERO,
                energy_usd: 0.0,
                energy_mwh: 0.0,
                healthy: vec![0.0; rack_types],
                held: vec![0.0; rack_types],
                nameplate_mw_hours: 0.0,
                it_capex_hours: 0.0,
                served: vec![0.0; rack_types],
                maintenance: vec![0.0; rack_types],
            },
            open: false,
            windows: Vec::new(),
            scratch: (
                vec![0.0; rack_types],
                vec![0.0; rack_types],
                vec![0.0; rack_types],
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
            month: YearMonth::of(first),
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
            && let Some(t) = self.sold_on_demand[s]
        {
            let iv = &mut self.pending;
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
