//! Validation of the money side: `[economics]`, `[[contracts]]` and
//! `[on_demand]`.

use std::collections::BTreeSet;

use super::{FieldPath, Validator, did_you_mean_value, number};
use crate::economics::config::{
    Billing, CapacityUnit, Capex, Contract, CreditTier, Economics, Financing, FixedCost,
    HOURS_PER_BILLING_MONTH, OnDemand, OnDemandDemand, Opex, RampStep, Sla,
};
use crate::engine::SimTime;
use crate::scenario::spec::{ContractSpec, EconomicsSpec, OnDemandSpec, ScenarioSpec, SlaSpec};
use crate::workload::serving::config::Service;
use crate::world::config::{RackType, Site};

/// Discount rate when the file gives none, per year.
pub const DEFAULT_DISCOUNT_RATE: f64 = 0.08;
/// Network capex as a share of a rack's price when the file gives none:
/// Bernstein puts networking at ~13 % of an AI datacenter's capex against
/// 39 % for GPUs (Bernstein research, October 2025), so about a third of the GPU spend; 0.15 of a
/// rack's price is a conservative round figure.
pub const DEFAULT_NETWORK_SHARE: f64 = 0.15;
/// Facility cost per MW of IT capacity when the file gives none: the
/// Cushman & Wakefield 2025 US average, $11.7M/MW (its "Data Center Development Cost Guide").
pub const DEFAULT_FACILITY_USD_PER_MW: f64 = 11.7e6;
/// Server and network life when the file gives none: six years, as
/// Microsoft and Alphabet depreciate servers since 2022–23 (their annual reports).
pub const DEFAULT_SERVER_LIFE_MONTHS: u32 = 72;
/// Facility life when the file gives none: 20 years (an assumption: shell
/// and power plant outlive several server generations).
pub const DEFAULT_FACILITY_LIFE_MONTHS: u32 = 240;
/// Maintenance per year as a share of the IT capex in service when the
/// file gives none (an assumption, in line with ~+20 %/yr DGX support
/// contracts being the upper end).
pub const DEFAULT_MAINTENANCE_SHARE: f64 = 0.03;

/// Hours in a month of depreciation life: 8,760 ÷ 12.
const HOURS_PER_MONTH: f64 = 730.0;

impl Validator<'_> {
    /// The provider's economics, or `None` when the file has no
    /// `[economics]` (then contracts and on-demand sales are refused: there
    /// are no books to put them in).
    pub(super) fn economics(
        &mut self,
        spec: &ScenarioSpec,
        rack_types: &[RackType],
        sites: &[Site],
        services: &[Service],
    ) -> Option<Economics> {
        let root = FieldPath::default();
        let Some(e) = &spec.economics else {
            if !spec.contracts.is_empty() {
                self.err(
                    &root.key("contracts"),
                    "contracts need the provider's books: add an [economics] table (it may be empty: [economics] alone takes every default)",
                );
            }
            if spec.on_demand.is_some() {
                self.err(
                    &root.key("on_demand"),
                    "on-demand sales need the provider's books: add an [economics] table (it may be empty)",
                );
            }
            return None;
        };
        let p = root.key("economics");
        let before = self.problem_count();
        let discount_rate = match e.discount_rate {
            None => Some(DEFAULT_DISCOUNT_RATE),
            Some(r) => {
                let r = self.finite(&p.key("discount_rate"), r)?;
                if r <= -1.0 {
                    self.err(
                        &p.key("discount_rate"),
                        format!(
                            "{} is a rate of −100 % a year or below, at which money has no time value to discount; use a rate above −1, e.g. 0.08 for 8 %",
                            number(r)
                        ),
                    );
                    None
                } else if r > 10.0 {
                    self.err(
                        &p.key("discount_rate"),
                        format!(
                            "{} is {:.0} % a year; a rate is a fraction (0.08 means 8 %), at most 10",
                            number(r),
                            r * 100.0
                        ),
                    );
                    None
                } else {
                    Some(r)
                }
            }
        };
        let capex = self.capex(&p, e, rack_types, sites);
        let financing = e.financing.as_ref().and_then(|f| {
            let fp = p.key("financing");
            let share = self.fraction(&fp.key("loan_share"), f.loan_share);
            let rate = self.non_negative(&fp.key("rate"), f.rate, "interest per year, 0.07 = 7 %");
            let term = self.months(&fp.key("term"), &f.term);
            Some(Financing {
                loan_share: share?,
                rate: rate?,
                term_months: term?,
            })
        });
        let opex = self.opex(&p, e);
        let mut fixed_costs = Vec::new();
        let site_names: Vec<&str> = spec.sites.iter().map(|s| s.name.as_str()).collect();
        for (i, f) in e.fixed_costs.iter().enumerate() {
            let fp = p.key("fixed_costs").index(i);
            if f.name.trim().is_empty() {
                self.err(
                    &fp.key("name"),
                    "a fixed cost needs a name, e.g. name = \"land lease\"",
                );
            }
            let site = match &f.site {
                Some(s) => self.site_ref(&fp.key("site"), s, &site_names).map(Some),
                None => Some(None),
            };
            let amount = self.non_negative(&fp.key("usd_per_year"), f.usd_per_year, "USD per year");
            if let (Some(site), Some(usd_per_year)) = (site, amount) {
                fixed_costs.push(FixedCost {
                    name: f.name.clone(),
                    site,
                    usd_per_year,
                });
            }
        }
        if let (Some(c), Some(o)) = (&capex, &opex)
            && c.facility_usd_per_mw > 0.0
            && o.colocation_usd_per_kw_month > 0.0
        {
            self.err(
                &p.key("opex").key("colocation_usd_per_kw_month"),
                "colocation rent replaces owning the facility, yet [economics.capex] facility_usd_per_mw is not 0 (its default is $11.7M/MW); set facility_usd_per_mw = 0 to rent, or drop the rent to own",
            );
        }
        let contracts = self.contracts(&spec.contracts, rack_types, sites);
        let on_demand = spec
            .on_demand
            .as_ref()
            .and_then(|o| self.on_demand(o, rack_types, services));
        let tax = capex.as_ref().and_then(|c| self.tax(&p, e, c));
        let terminal = self.terminal(&p, e, discount_rate);
        let opex_lines = self.opex_lines(&p, e);
        let escalators = self.escalators(&p, e);
        let after = self.problem_count();
        if after > before {
            return None;
        }
        Some(Economics {
            tax,
            terminal: terminal?,
            opex_lines: opex_lines?,
            escalators: escalators?,
            discount_rate: discount_rate?,
            capex: capex?,
            financing,
            opex: opex?,
            fixed_costs,
            contracts: contracts?,
            on_demand: if spec.on_demand.is_some() {
                Some(on_demand?)
            } else {
                None
            },
            inventory: super::economics_terms::inventory(rack_types, sites, services),
        })
    }

    /// The end of a term of `d` (written `text`) from `start`: whole years
    /// run to the same calendar day ("7y" from 2025-11-01 ends on
    /// 2032-11-01, leap days included), as the scenario's `duration` does.
    fn term_end(&self, start: SimTime, text: &str, d: crate::engine::SimDuration) -> SimTime {
        let years = text
            .trim()
            .strip_suffix('y')
            .and_then(|n| n.parse::<u32>().ok());
        let date = self.calendar.date(start);
        let whole_day = self.calendar.time_of_date(date) == Some(start);
        match years {
            Some(n) if whole_day => date
                .checked_add_months(chrono::Months::new(12 * n))
                .and_then(|end| self.calendar.time_of_date(end))
                .unwrap_or(start + d),
            _ => start + d,
        }
    }

    /// A duration as whole months of 730 h (at least one).
    pub(super) fn months(&mut self, p: &FieldPath, text: &str) -> Option<u32> {
        let d = self.positive_duration(p, text)?;
        let months = (d.hours() / HOURS_PER_MONTH).round();
        if months < 1.0 {
            self.err(
                p,
                format!("\"{text}\" is less than a month; the statement is monthly, so give at least \"31d\" (e.g. \"6y\")"),
            );
            return None;
        }
        Some(months as u32)
    }

    fn capex(
        &mut self,
        p: &FieldPath,
        e: &EconomicsSpec,
        rack_types: &[RackType],
        sites: &[Site],
    ) -> Option<Capex> {
        let cp = p.key("capex");
        let c = e.capex.clone().unwrap_or_default();
        let network_share = match c.network_share {
            Some(x) => self.non_negative(
                &cp.key("network_share"),
                x,
                "a share of the rack price, 0.15 = 15 %",
            ),
            None => Some(DEFAULT_NETWORK_SHARE),
        };
        let facility = match c.facility_usd_per_mw {
            Some(x) => self.non_negative(
                &cp.key("facility_usd_per_mw"),
                x,
                "USD per MW of IT nameplate",
            ),
            None => Some(DEFAULT_FACILITY_USD_PER_MW),
        };
        let mut life = |key: &str, text: &Option<String>, default: u32| match text {
            Some(t) => self.months(&cp.key(key), t),
            None => Some(default),
        };
        let server = life("server_life", &c.server_life, DEFAULT_SERVER_LIFE_MONTHS);
        let network = life("network_life", &c.network_life, DEFAULT_SERVER_LIFE_MONTHS);
        let facility_life = life(
            "facility_life",
            &c.facility_life,
            DEFAULT_FACILITY_LIFE_MONTHS,
        );
        let progress = c.progress_months.unwrap_or(0);
        if progress > 120 {
            self.err(
                &cp.key("progress_months"),
                format!("{progress} months of progress payments is more than ten years; give at most 120"),
            );
        }
        // Every rack model a site builds needs a price.
        let mut prices = Vec::with_capacity(rack_types.len());
        let mut missing = false;
        for (ti, t) in rack_types.iter().enumerate() {
            match t.rack.price {
                Some(usd) => prices.push(usd.0),
                None => {
                    prices.push(0.0);
                    if let Some((si, pi)) = sites.iter().enumerate().find_map(|(si, s)| {
                        s.phases
                            .iter()
                            .position(|ph| ph.rack_type == ti)
                            .map(|pi| (si, pi))
                    }) {
                        self.err(
                            &FieldPath::default()
                                .key("sites")
                                .index(si)
                                .key("buildout")
                                .index(pi)
                                .key("rack"),
                            format!(
                                "the books need the price of a \"{}\" rack and the catalog has none; give it in a [[racks]] table: name = \"{}\", price_usd = ...",
                                t.rack.name, t.rack.name
                            ),
                        );
                        missing = true;
                    }
                }
            }
        }
        if missing || progress > 120 {
            return None;
        }
        Some(Capex {
            progress_months: progress,
            network_share: network_share?,
            facility_usd_per_mw: facility?,
            server_life_months: server?,
            network_life_months: network?,
            facility_life_months: facility_life?,
            rack_price_usd: prices,
            write_off_at_retirement: c.write_off_at_retirement.unwrap_or(false),
        })
    }

    fn opex(&mut self, p: &FieldPath, e: &EconomicsSpec) -> Option<Opex> {
        let op = p.key("opex");
        let o = e.opex.clone().unwrap_or_default();
        let maintenance = match o.maintenance_share_per_year {
            Some(x) => self.fraction(&op.key("maintenance_share_per_year"), x),
            None => Some(DEFAULT_MAINTENANCE_SHARE),
        };
        let staff = match o.staff_usd_per_mw_year {
            Some(x) => {
                self.non_negative(&op.key("staff_usd_per_mw_year"), x, "USD per MW per year")
            }
            None => Some(0.0),
        };
        let colo = match o.colocation_usd_per_kw_month {
            Some(x) => self.non_negative(
                &op.key("colocation_usd_per_kw_month"),
                x,
                "USD per kW per month",
            ),
            None => Some(0.0),
        };
        Some(Opex {
            maintenance_share_per_year: maintenance?,
            staff_usd_per_mw_year: staff?,
            colocation_usd_per_kw_month: colo?,
        })
    }

    /// The rack types whose chip is one of `chips` (in `chips`' order),
    /// reporting unknown chip types.
    fn chip_rack_types(
        &mut self,
        p: &FieldPath,
        chips: &[String],
        rack_types: &[RackType],
    ) -> Option<Vec<usize>> {
        let built: Vec<&str> = {
            let mut v: Vec<&str> = rack_types.iter().map(|t| t.chip.name.as_str()).collect();
            v.dedup();
            v
        };
        if chips.is_empty() {
            self.err(
                p,
                format!(
                    "name at least one chip type, e.g. [\"{}\"] (built here: {})",
                    built.first().copied().unwrap_or("gb200"),
                    built.join(", ")
                ),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (i, chip) in chips.iter().enumerate() {
            let found: Vec<usize> = rack_types
                .iter()
                .enumerate()
                .filter(|(_, t)| t.chip.name == *chip)
                .map(|(k, _)| k)
                .collect();
            if found.is_empty() {
                let hint = did_you_mean_value(chip, built.iter().copied());
                self.err(
                    &p.index(i),
                    format!(
                        "no site builds racks of chip type \"{chip}\"{hint} (chip types built: {})",
                        built.join(", ")
                    ),
                );
                ok = false;
            }
            for k in found {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
        ok.then_some(out)
    }

    fn contracts(
        &mut self,
        specs: &[ContractSpec],
        rack_types: &[RackType],
        sites: &[Site],
    ) -> Option<Vec<Contract>> {
        let root = FieldPath::default().key("contracts");
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut ok = true;
        // Chips and IT nameplate MW each rack type ever gets.
        let mut chips_built = vec![0.0; rack_types.len()];
        for s in sites {
            for ph in &s.phases {
                chips_built[ph.rack_type] +=
                    f64::from(ph.count) * f64::from(rack_types[ph.rack_type].rack.chips);
            }
        }
        for (i, c) in specs.iter().enumerate() {
            let p = root.index(i);
            match self.contract(&p, c, rack_types, &chips_built) {
                Some(contract) => {
                    if !seen.insert(contract.name.to_lowercase()) {
                        self.err(
                            &p.key("name"),
                            format!("another contract is already named \"{}\"; contract names must be unique (they name columns of monthly.csv)", c.name),
                        );
                        ok = false;
                    }
                    out.push(contract);
                }
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        // The build-outs' problems (a phase outside the run) would make the
        // capacity checks below report errors that are not the contracts'.
        let sites_ok = !self
            .problems
            .by_path
            .iter()
            .any(|(p, _)| p.to_string().starts_with("sites"));
        if !sites_ok {
            return Some(out);
        }
        // Together, the contracts on chips may not commit more chips than
        // their chip types ever have, at any step of any ramp.
        let mut times: Vec<SimTime> = out
            .iter()
            .filter(|c| c.unit == CapacityUnit::Chips)
            .flat_map(|c| c.ramp.iter().map(|s| s.at))
            .collect();
        times.sort();
        times.dedup();
        for t in times {
            let mut types: BTreeSet<usize> = BTreeSet::new();
            let mut committed = 0.0;
            for (ci, c) in out.iter().enumerate() {
                if c.unit != CapacityUnit::Chips {
                    continue;
                }
                let now = c.committed_at(t);
                if now <= 0.0 {
                    continue;
                }
                committed += now;
                types.extend(c.rack_types.iter().copied());
                let available: f64 = types.iter().map(|&k| chips_built[k]).sum();
                if committed > available + 0.5 {
                    self.err(
                        &root.index(ci).key("ramp"),
                        format!(
                            "on {} the contracts up to this one commit {} chips together, more than the {} chips of their chip types that the build-outs ever deliver; lower a commitment or build more",
                            self.calendar.date(t),
                            number(committed),
                            number(available)
                        ),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn contract(
        &mut self,
        p: &FieldPath,
        c: &ContractSpec,
        rack_types: &[RackType],
        chips_built: &[f64],
    ) -> Option<Contract> {
        let before = self.problem_count();
        self.contract_name(p, c);
        let types = self.chip_rack_types(&p.key("chip_types"), &c.chip_types, rack_types);

        let (unit, start, ramp) = self.contract_capacity(p, c);
        let end = self.contract_end(p, c, start);
        self.contract_fits(p, c, unit, types.as_deref(), &ramp, rack_types, chips_built);
        let billing = self.billing(p, c);
        let sla = c.sla.as_ref().and_then(|s| self.sla(&p.key("sla"), s));
        let escalator = self.yearly_rate(
            &p.key("price_escalator_per_year"),
            c.price_escalator_per_year,
        );
        let steps = self.price_steps(p, &c.price_steps, c.price_escalator_per_year, (start, end));

        let after = self.problem_count();
        if after > before {
            return None;
        }
        let (unit, end, types) = (unit?, end?, types?);
        let probe = Contract {
            name: c.name.clone(),
            chip_types: c.chip_types.clone(),
            rack_types: types,
            unit,
            start: start?,
            ramp,
            end,
            price_per_unit_hour: 0.0,
            price_derived: false,
            value_usd: 0.0,
            billing: billing?,
            sla,
            price_escalator_per_year: escalator?,
            price_steps: steps?,
        };
        // Committed capacity-hours over the term, in the unit priced:
        // chip-hours, or kW-hours.
        let committed = probe.committed_hours(SimTime::ZERO, end)
            * match unit {
                CapacityUnit::Chips => 1.0,
                CapacityUnit::Megawatts => 1000.0,
            };
        // With an escalator, the value weighs each contract year's
        // capacity-hours by its price factor.
        let committed = if !probe.price_steps.is_empty() {
            probe.stepped_hours(SimTime::ZERO, end)
                * match unit {
                    CapacityUnit::Chips => 1.0,
                    CapacityUnit::Megawatts => 1000.0,
                }
        } else if probe.price_escalator_per_year == 0.0 {
            committed
        } else {
            self.escalated_hours(&probe)
                * match unit {
                    CapacityUnit::Chips => 1.0,
                    CapacityUnit::Megawatts => 1000.0,
                }
        };
        let price = self.contract_price(p, c, unit, committed)?;
        Some(Contract {
            price_per_unit_hour: price.0,
            price_derived: price.1,
            value_usd: price.0 * committed,
            ..probe
        })
    }

    /// A contract's name names a column of `monthly.csv`: letters, digits,
    /// '-' or '_', and not `on_demand`.
    fn contract_name(&mut self, p: &FieldPath, c: &ContractSpec) {
        if c.name.trim().is_empty()
            || !c
                .name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_'))
        {
            self.err(
                &p.key("name"),
                format!("\"{}\" cannot name a contract: it names a column of monthly.csv; use letters, digits, '-' or '_', e.g. name = \"frontier-lab\"", c.name),
            );
        } else if c.name == "on_demand" {
            self.err(&p.key("name"), "\"on_demand\" names the on-demand revenue column; call the contract something else");
        }
    }

    /// The capacity a contract commits: a constant (`chips` or `mw` with
    /// `start`) or a ramp of dated steps; its unit, start and steps.
    fn contract_capacity(
        &mut self,
        p: &FieldPath,
        c: &ContractSpec,
    ) -> (Option<CapacityUnit>, Option<SimTime>, Vec<RampStep>) {
        let unit = match (c.chips.is_some(), c.mw.is_some(), c.ramp.first()) {
            (true, false, None) => Some(CapacityUnit::Chips),
            (false, true, None) => Some(CapacityUnit::Megawatts),
            (false, false, Some(step)) => match (step.chips.is_some(), step.mw.is_some()) {
                (true, false) => Some(CapacityUnit::Chips),
                (false, true) => Some(CapacityUnit::Megawatts),
                _ => {
                    self.err(
                        &p.key("ramp").index(0),
                        "a ramp step gives either chips or mw, e.g. { date = \"2026-01-01\", chips = 50000 }",
                    );
                    None
                }
            },
            (false, false, None) => {
                self.err(
                    &p.key("chips"),
                    "say what the contract commits: chips = 72000 (or mw = 100), or a ramp = [{ date = \"2026-01-01\", chips = 36000 }, ...]",
                );
                None
            }
            _ => {
                self.err(
                    &p.key("ramp"),
                    "give the commitment one way: chips, mw, or a ramp of steps",
                );
                None
            }
        };
        let start = match (&c.start, c.ramp.first()) {
            (Some(text), _) => self.date_in_horizon(&p.key("start"), text),
            (None, Some(step)) => {
                self.date_in_horizon(&p.key("ramp").index(0).key("date"), &step.date)
            }
            (None, None) => Some(SimTime::ZERO),
        };
        let mut ramp = Vec::new();
        if let (Some(unit), Some(start)) = (unit, start) {
            let word = match unit {
                CapacityUnit::Chips => "chips",
                CapacityUnit::Megawatts => "mw",
            };
            if c.ramp.is_empty() {
                let x = c.chips.or(c.mw).unwrap_or(0.0);
                if let Some(x) = self.positive(&p.key(word), x, "the capacity committed") {
                    ramp.push(RampStep {
                        at: start,
                        capacity: x,
                    });
                }
            } else {
                for (k, step) in c.ramp.iter().enumerate() {
                    let sp = p.key("ramp").index(k);
                    let value = match unit {
                        CapacityUnit::Chips => step.chips,
                        CapacityUnit::Megawatts => step.mw,
                    };
                    let (Some(value), true) = (value, step.chips.is_none() || step.mw.is_none())
                    else {
                        self.err(
                            &sp,
                            format!("every step of this ramp gives {word} (as its first step does), and only that, e.g. {{ date = \"2026-07-01\", {word} = 1000 }}"),
                        );
                        continue;
                    };
                    let at = self.date_in_horizon(&sp.key("date"), &step.date);
                    let x = self.non_negative(
                        &sp.key(word),
                        value,
                        "the capacity committed from this date",
                    );
                    if let (Some(at), Some(x)) = (at, x) {
                        if at < start {
                            self.err(&sp.key("date"), "a ramp step before the contract's start; start the contract earlier or move the step");
                        } else if ramp.last().is_some_and(|s: &RampStep| s.at >= at) {
                            self.err(
                                &sp.key("date"),
                                "ramp steps must be in date order, each after the one before",
                            );
                        } else {
                            ramp.push(RampStep { at, capacity: x });
                        }
                    }
                }
            }
        }
        (unit, start, ramp)
    }

    /// The end of a contract's term: `term` from its start, or `end`,
    /// after its start and inside the horizon.
    fn contract_end(
        &mut self,
        p: &FieldPath,
        c: &ContractSpec,
        start: Option<SimTime>,
    ) -> Option<SimTime> {
        let end = match (start, &c.term, &c.end) {
            (Some(start), Some(term), None) => self
                .positive_duration(&p.key("term"), term)
                .map(|d| (self.term_end(start, term, d), "term")),
            (Some(_), None, Some(end)) => self.date(&p.key("end"), end).map(|d| {
                (
                    self.calendar.time_of_date(d).unwrap_or(SimTime::ZERO),
                    "end",
                )
            }),
            (_, None, None) => {
                self.err(
                    &p.key("term"),
                    "give the contract's length, e.g. term = \"7y\" (or end = \"2032-11-01\")",
                );
                None
            }
            (_, Some(_), Some(_)) => {
                self.err(&p.key("end"), "give term or end, not both");
                None
            }
            (None, _, _) => None,
        };
        end.and_then(|(end, key)| {
            if start.is_some_and(|s| end <= s) {
                self.err(&p.key(key), "the contract ends before it starts; give an end after its start");
                None
            } else if end > self.end {
                self.err(
                    &p.key(key),
                    format!(
                        "the term ends on {}, after the simulated horizon (which ends on {}); shorten the term or lengthen the run's duration",
                        self.calendar.date(end),
                        self.calendar.date(self.end)
                    ),
                );
                None
            } else {
                Some(end)
            }
        })
    }

    /// More capacity than the build-outs ever deliver of its types
    /// (unless a build-out is itself wrong) is refused, naming chips built
    /// of other types as the fix where there are some.
    #[allow(clippy::too_many_arguments)]
    fn contract_fits(
        &mut self,
        p: &FieldPath,
        c: &ContractSpec,
        unit: Option<CapacityUnit>,
        types: Option<&[usize]>,
        ramp: &[RampStep],
        rack_types: &[RackType],
        chips_built: &[f64],
    ) {
        let sites_ok = !self
            .problems
            .by_path
            .iter()
            .any(|(p, _)| p.to_string().starts_with("sites"));
        if let (Some(unit), Some(types), true) = (unit, types, sites_ok) {
            let most: f64 = types
                .iter()
                .map(|&t| match unit {
                    CapacityUnit::Chips => chips_built[t],
                    CapacityUnit::Megawatts => {
                        chips_built[t] / f64::from(rack_types[t].rack.chips.max(1))
                            * rack_types[t].nameplate().0
                            / 1e6
                    }
                })
                .sum();
            if let Some(step) = ramp.iter().position(|s| s.capacity > most * (1.0 + 1e-9)) {
                let (key, what) = match unit {
                    CapacityUnit::Chips => ("chips", "chips"),
                    CapacityUnit::Megawatts => ("mw", "MW of IT nameplate"),
                };
                let path = if c.ramp.is_empty() {
                    p.key(key)
                } else {
                    p.key("ramp").index(step).key(key)
                };
                // Chips the build-outs deliver of other types: a rack model
                // swapped in a phase leaves the contract short of its types
                // while the fleet holds the chips; name them as the fix.
                let mut others: Vec<(&str, f64)> = Vec::new();
                for (t, rt) in rack_types.iter().enumerate() {
                    if chips_built[t] <= 0.0 || types.contains(&t) {
                        continue;
                    }
                    match others.iter_mut().find(|o| o.0 == rt.chip.name) {
                        Some(o) => o.1 += chips_built[t],
                        None => others.push((rt.chip.name.as_str(), chips_built[t])),
                    }
                }
                let fix = if others.is_empty() {
                    "lower the commitment or build more".to_string()
                } else {
                    let list: Vec<String> = others
                        .iter()
                        .map(|(name, n)| format!("\"{name}\" ({} chips built)", number(*n)))
                        .collect();
                    format!(
                        "if those chips may serve it, add {} to chip_types; else lower the commitment or build more",
                        list.join(", ")
                    )
                };
                self.err(
                    &path,
                    format!(
                        "commits {} {what}, more than the build-outs ever deliver of chip types {}: {}; {fix}",
                        number(ramp[step].capacity),
                        c.chip_types.join(", "),
                        number((most * 100.0).round() / 100.0)
                    ),
                );
            }
        }
    }

    /// How a contract bills: take-or-pay (default) or pay-per-use.
    fn billing(&mut self, p: &FieldPath, c: &ContractSpec) -> Option<Billing> {
        match c.billing.as_deref() {
            None | Some("take_or_pay") => Some(Billing::TakeOrPay),
            Some("pay_per_use") => Some(Billing::PayPerUse),
            Some(other) => {
                let hint = did_you_mean_value(other, ["take_or_pay", "pay_per_use"]);
                self.err(
                    &p.key("billing"),
                    format!(
                        "unknown billing \"{other}\"{hint}; use \"take_or_pay\" or \"pay_per_use\""
                    ),
                );
                None
            }
        }
    }

    /// Committed capacity-hours over the term, each contract year's
    /// weighted by its escalated price factor `(1 + e)^k`.
    fn escalated_hours(&self, c: &Contract) -> f64 {
        let start = self.calendar.date(c.start);
        let mut total = 0.0;
        let mut from = c.start;
        for k in 1u32.. {
            if from >= c.end {
                break;
            }
            let next = start
                .checked_add_months(chrono::Months::new(12 * k))
                .and_then(|d| self.calendar.time_of_date(d))
                .map_or(c.end, |t| t.min(c.end).max(from));
            let next = if next <= from { c.end } else { next };
            total += crate::economics::escalate::factor(c.price_escalator_per_year, k - 1)
                * c.committed_hours(from, next);
            from = next;
        }
        total
    }

    /// The price per unit-hour (chip-hour or kW-hour) and whether it was
    /// derived from a total value.
    fn contract_price(
        &mut self,
        p: &FieldPath,
        c: &ContractSpec,
        unit: CapacityUnit,
        committed: f64,
    ) -> Option<(f64, bool)> {
        let (chip, kw, total) = (
            c.price_usd_per_chip_hour,
            c.price_usd_per_kw_month,
            c.total_value_usd,
        );
        match (unit, chip, kw, total) {
            (CapacityUnit::Chips, Some(x), None, None) => self
                .non_negative(&p.key("price_usd_per_chip_hour"), x, "USD per chip-hour")
                .map(|x| (x, false)),
            (CapacityUnit::Megawatts, None, Some(x), None) => self
                .non_negative(&p.key("price_usd_per_kw_month"), x, "USD per kW-month")
                .map(|x| (x / HOURS_PER_BILLING_MONTH, false)),
            (_, None, None, Some(v)) => {
                let v = self.non_negative(&p.key("total_value_usd"), v, "USD over the term")?;
                if committed <= 0.0 {
                    self.err(&p.key("total_value_usd"), "the contract commits no capacity over its term, so no price can be derived from its value");
                    return None;
                }
                Some((v / committed, true))
            }
            (CapacityUnit::Chips, None, Some(_), _) => {
                self.err(&p.key("price_usd_per_kw_month"), "this contract commits chips: price it per chip-hour (price_usd_per_chip_hour) or by total_value_usd");
                None
            }
            (CapacityUnit::Megawatts, Some(_), None, _) => {
                self.err(&p.key("price_usd_per_chip_hour"), "this contract commits MW: price it per kW-month (price_usd_per_kw_month) or by total_value_usd");
                None
            }
            (_, None, None, None) => {
                let key = match unit {
                    CapacityUnit::Chips => "price_usd_per_chip_hour = 2.5",
                    CapacityUnit::Megawatts => "price_usd_per_kw_month = 150",
                };
                self.err(&p.key("name"), format!("the contract has no price: give {key}, or total_value_usd = ... to derive it"));
                None
            }
            _ => {
                self.err(
                    &p.key("total_value_usd"),
                    "give one price: a price per unit, or total_value_usd, not both",
                );
                None
            }
        }
    }

    fn sla(&mut self, p: &FieldPath, s: &SlaSpec) -> Option<Sla> {
        let a = self.fraction(&p.key("availability"), s.availability)?;
        if a <= 0.0 {
            self.err(
                &p.key("availability"),
                "an availability of 0 promises nothing; give e.g. 0.99",
            );
            return None;
        }
        if s.credits.is_empty() {
            self.err(
                &p.key("credits"),
                "an SLA needs credit tiers, e.g. credits = [{ below = 0.99, credit = 0.10 }, { below = 0.95, credit = 0.30 }]",
            );
            return None;
        }
        let mut tiers = Vec::new();
        for (k, t) in s.credits.iter().enumerate() {
            let tp = p.key("credits").index(k);
            let below = self.fraction(&tp.key("below"), t.below);
            let credit = self.fraction(&tp.key("credit"), t.credit);
            let (Some(below), Some(credit)) = (below, credit) else {
                continue;
            };
            if below > a {
                self.err(
                    &tp.key("below"),
                    format!("a tier below {} would credit months that meet the promised {}; tiers start at or under the availability", number(below), number(a)),
                );
            } else if tiers.last().is_some_and(|l: &CreditTier| l.below <= below) {
                self.err(
                    &tp.key("below"),
                    "list tiers from the highest threshold down, each lower than the one before",
                );
            } else {
                tiers.push(CreditTier { below, credit });
            }
        }
        (tiers.len() == s.credits.len()).then_some(Sla {
            availability: a,
            tiers,
            excludes_maintenance: s.excludes_maintenance.unwrap_or(false),
        })
    }

    fn on_demand(
        &mut self,
        o: &OnDemandSpec,
        rack_types: &[RackType],
        services: &[Service],
    ) -> Option<OnDemand> {
        let p = FieldPath::default().key("on_demand");
        let price = self.non_negative(
            &p.key("price_usd_per_chip_hour"),
            o.price_usd_per_chip_hour,
            "USD per chip-hour",
        );
        let demand = match (o.utilization, &o.services) {
            (Some(u), None) => self
                .fraction(&p.key("utilization"), u)
                .map(OnDemandDemand::Utilization),
            (None, Some(names)) => {
                let mut list = Vec::new();
                for (k, name) in names.iter().enumerate() {
                    match services.iter().position(|s| s.name == *name) {
                        Some(i) => list.push(i),
                        None => {
                            let hint =
                                did_you_mean_value(name, services.iter().map(|s| s.name.as_str()));
                            self.err(
                                &p.key("services").index(k),
                                format!("no inference service is named \"{name}\"{hint}"),
                            );
                        }
                    }
                }
                (list.len() == names.len()).then_some(OnDemandDemand::Services(list))
            }
            (None, None) => {
                self.err(&p.key("price_usd_per_chip_hour"), "say what sells on demand: utilization = 0.5 (a share of the uncommitted healthy chip-hours) or services = [\"chat\"]");
                None
            }
            (Some(_), Some(_)) => {
                self.err(&p.key("services"), "give utilization or services, not both");
                None
            }
        };
        let types = match &o.chip_types {
            Some(chips) => self.chip_rack_types(&p.key("chip_types"), chips, rack_types),
            None => Some((0..rack_types.len()).collect()),
        };
        let change = self.yearly_rate(&p.key("price_change_per_year"), o.price_change_per_year);
        let curves = self.price_curves(&p, &o.curves, price, rack_types);
        Some(OnDemand {
            price_usd_per_chip_hour: price?,
            demand: demand?,
            rack_types: types?,
            price_change_per_year: change?,
            curves: curves?,
        })
    }
}
