//! Validation of the books' optional terms: `[economics.tax]`,
//! `[economics.terminal]`, `[economics.escalators]`, the named opex lines
//! and the price escalators of contracts and on-demand sales (a yearly
//! rate or dated steps; per-chip-type on-demand price curves).

use super::{FieldPath, Validator, did_you_mean_value, number};
use crate::economics::config::{
    Capex, Inventory, PriceCurve, PricePoint, PriceStep, RackModel, ServiceModel, SitePhases,
};
use crate::economics::escalate::Escalators;
use crate::economics::lines::{OpexLine, OpexLines};
use crate::economics::residual::Terminal;
use crate::economics::tax::{InterestDeduction, Tax, TaxSchedule};
use crate::engine::SimTime;
use crate::scenario::spec::{EconomicsSpec, OpexLineSpec, PriceCurveSpec, PriceStepSpec};
use crate::workload::serving::config::Service;
use crate::world::config::{RackType, Site};

/// The books' view of the scenario's rack models, sites and services: each
/// rack model's name, nameplate (the world's figure) and chips, each site's
/// name and its phases' lives, each service's name and rack model.
pub(super) fn inventory(
    rack_types: &[RackType],
    sites: &[Site],
    services: &[Service],
) -> Inventory {
    Inventory {
        rack_models: rack_types
            .iter()
            .map(|t| RackModel {
                name: t.rack.name.clone(),
                nameplate: t.nameplate(),
                chips: t.rack.chips,
            })
            .collect(),
        sites: sites
            .iter()
            .map(|s| SitePhases {
                name: s.name.clone(),
                end_of_life: s.phases.iter().map(|p| p.end_of_life).collect(),
            })
            .collect(),
        services: services
            .iter()
            .map(|s| ServiceModel {
                name: s.name.clone(),
                rack_type: s.rack_type,
            })
            .collect(),
    }
}

impl Validator<'_> {
    /// A yearly rate of change: finite, above −1 and at most 1.
    pub(super) fn yearly_rate(&mut self, p: &FieldPath, x: Option<f64>) -> Option<f64> {
        let Some(x) = x else { return Some(0.0) };
        let x = self.finite(p, x)?;
        if x <= -1.0 || x > 1.0 {
            self.err(
                p,
                format!(
                    "{} is not a yearly change the books can use; give a fraction above -1 and at most 1 (0.03 = +3 % a year, -0.15 = -15 % a year)",
                    number(x)
                ),
            );
            return None;
        }
        Some(x)
    }

    /// `[economics.tax]`, with tax lives defaulting to the book lives.
    pub(super) fn tax(&mut self, p: &FieldPath, e: &EconomicsSpec, capex: &Capex) -> Option<Tax> {
        let t = e.tax.as_ref()?;
        let tp = p.key("tax");
        let rate = self.fraction(&tp.key("rate"), t.rate);
        let schedule = match t.depreciation.as_deref() {
            None | Some("straight_line") => Some(TaxSchedule::StraightLine),
            Some("macrs5") => Some(TaxSchedule::Macrs5),
            Some(other) => {
                let hint = did_you_mean_value(other, ["straight_line", "macrs5"]);
                self.err(
                    &tp.key("depreciation"),
                    format!("no tax depreciation schedule is named \"{other}\"{hint}; give \"straight_line\" or \"macrs5\""),
                );
                None
            }
        };
        let bonus = match t.bonus_share {
            Some(x) => self.fraction(&tp.key("bonus_share"), x),
            None => Some(0.0),
        };
        let limit = match t.loss_offset_limit {
            Some(x) => self.fraction(&tp.key("loss_offset_limit"), x),
            None => Some(1.0),
        };
        let mut life = |key: &str, text: &Option<String>, default: u32| match text {
            Some(t) => self.months(&tp.key(key), t),
            None => Some(default),
        };
        let server = life("server_life", &t.server_life, capex.server_life_months);
        let network = life("network_life", &t.network_life, capex.network_life_months);
        let facility = life(
            "facility_life",
            &t.facility_life,
            capex.facility_life_months,
        );
        Some(Tax {
            rate: rate?,
            schedule: schedule?,
            bonus_share: bonus?,
            server_life_months: server?,
            network_life_months: network?,
            facility_life_months: facility?,
            loss_offset_limit: limit?,
            interest: if t.interest_deductible.unwrap_or(true) {
                InterestDeduction::Deductible
            } else {
                InterestDeduction::NotDeductible
            },
        })
    }

    /// `[economics.terminal]` (none when absent).
    pub(super) fn terminal(
        &mut self,
        p: &FieldPath,
        e: &EconomicsSpec,
        discount_rate: Option<f64>,
    ) -> Option<Terminal> {
        let Some(t) = &e.terminal else {
            return Some(Terminal::None);
        };
        let tp = p.key("terminal");
        let stray = |v: &mut Self, key: &str, given: bool, for_what: &str| {
            if given {
                v.err(
                    &tp.key(key),
                    format!("{key} is read only with treatment = \"{for_what}\"; drop it or change the treatment"),
                );
            }
        };
        match t.treatment.as_str() {
            "none" | "book_value" => {
                stray(
                    self,
                    "hardware_resale",
                    t.hardware_resale.is_some(),
                    "resale",
                );
                stray(self, "growth", t.growth.is_some(), "perpetuity");
                Some(if t.treatment == "none" {
                    Terminal::None
                } else {
                    Terminal::BookValue
                })
            }
            "resale" => {
                stray(self, "growth", t.growth.is_some(), "perpetuity");
                let Some(curve) = &t.hardware_resale else {
                    self.err(
                        &tp.key("hardware_resale"),
                        "a resale needs the hardware's share of its price by age in years, e.g. hardware_resale = [0.6, 0.4, 0.25, 0.15]",
                    );
                    return None;
                };
                if curve.is_empty() {
                    self.err(
                        &tp.key("hardware_resale"),
                        "the curve is empty; give the share of the price at ages 1, 2, … years, e.g. [0.6, 0.4, 0.25]",
                    );
                    return None;
                }
                let mut shares = Vec::with_capacity(curve.len());
                for (k, &x) in curve.iter().enumerate() {
                    shares.push(self.fraction(&tp.key("hardware_resale").index(k), x));
                }
                shares
                    .into_iter()
                    .collect::<Option<Vec<f64>>>()
                    .map(|shares_by_age| Terminal::Resale { shares_by_age })
            }
            "perpetuity" => {
                stray(
                    self,
                    "hardware_resale",
                    t.hardware_resale.is_some(),
                    "resale",
                );
                let g = match t.growth {
                    Some(g) => self.finite(&tp.key("growth"), g)?,
                    None => 0.0,
                };
                let r = discount_rate?;
                if g >= r || g <= -1.0 {
                    self.err(
                        &tp.key("growth"),
                        format!(
                            "a perpetuity growing at {} a year against a discount rate of {} has no finite value; give a growth above -1 and below the discount rate",
                            number(g),
                            number(r)
                        ),
                    );
                    return None;
                }
                Some(Terminal::Perpetuity { growth: g })
            }
            other => {
                let hint =
                    did_you_mean_value(other, ["none", "book_value", "resale", "perpetuity"]);
                self.err(
                    &tp.key("treatment"),
                    format!("no terminal treatment is named \"{other}\"{hint}; give \"none\", \"book_value\", \"resale\" or \"perpetuity\""),
                );
                None
            }
        }
    }

    /// `[economics.escalators]`.
    pub(super) fn escalators(&mut self, p: &FieldPath, e: &EconomicsSpec) -> Option<Escalators> {
        let Some(s) = &e.escalators else {
            return Some(Escalators::default());
        };
        let ep = p.key("escalators");
        let energy = self.yearly_rate(&ep.key("energy_per_year"), s.energy_per_year);
        let staff = self.yearly_rate(&ep.key("staff_per_year"), s.staff_per_year);
        let maintenance = self.yearly_rate(&ep.key("maintenance_per_year"), s.maintenance_per_year);
        Some(Escalators {
            energy_per_year: energy?,
            staff_per_year: staff?,
            maintenance_per_year: maintenance?,
        })
    }

    /// The named opex lines of `[economics.opex]`.
    pub(super) fn opex_lines(&mut self, p: &FieldPath, e: &EconomicsSpec) -> Option<OpexLines> {
        let Some(o) = &e.opex else {
            return Some(OpexLines::default());
        };
        let op = p.key("opex");
        let insurance = self.opex_line(&op.key("insurance"), o.insurance);
        let network = self.opex_line(&op.key("network_transit"), o.network_transit);
        let software = self.opex_line(&op.key("software"), o.software);
        let sga = self.opex_line(&op.key("sga"), o.sga);
        Some(OpexLines {
            insurance: insurance?,
            network: network?,
            software: software?,
            sga: sga?,
        })
    }

    fn opex_line(&mut self, p: &FieldPath, line: Option<OpexLineSpec>) -> Option<Option<OpexLine>> {
        let Some(l) = line else { return Some(None) };
        if l.share_of_capex_per_year.is_none()
            && l.usd_per_mw_year.is_none()
            && l.share_of_revenue.is_none()
            && l.usd_per_year.is_none()
        {
            self.err(
                p,
                "the line states no amount; give share_of_capex_per_year, usd_per_mw_year, share_of_revenue or usd_per_year (they add)",
            );
            return None;
        }
        let capex = match l.share_of_capex_per_year {
            Some(x) => self.fraction(&p.key("share_of_capex_per_year"), x),
            None => Some(0.0),
        };
        let mw = match l.usd_per_mw_year {
            Some(x) => self.non_negative(&p.key("usd_per_mw_year"), x, "USD per MW per year"),
            None => Some(0.0),
        };
        let revenue = match l.share_of_revenue {
            Some(x) => self.fraction(&p.key("share_of_revenue"), x),
            None => Some(0.0),
        };
        let fixed = match l.usd_per_year {
            Some(x) => self.non_negative(&p.key("usd_per_year"), x, "USD per year"),
            None => Some(0.0),
        };
        Some(Some(OpexLine {
            share_of_capex_per_year: capex?,
            usd_per_mw_year: mw?,
            share_of_revenue: revenue?,
            usd_per_year: fixed?,
        }))
    }

    /// A contract's `price_steps`: dates inside its term (after its start,
    /// before its end), in order, each factor above 0; not with a yearly
    /// escalator.
    pub(super) fn price_steps(
        &mut self,
        p: &FieldPath,
        steps: &[PriceStepSpec],
        escalator: Option<f64>,
        term: (Option<SimTime>, Option<SimTime>),
    ) -> Option<Vec<PriceStep>> {
        if steps.is_empty() {
            return Some(Vec::new());
        }
        if escalator.is_some() {
            self.err(
                &p.key("price_steps"),
                "give price_escalator_per_year or price_steps, not both",
            );
            return None;
        }
        let mut out: Vec<PriceStep> = Vec::new();
        let mut ok = true;
        for (k, step) in steps.iter().enumerate() {
            let sp = p.key("price_steps").index(k);
            let at = self.date_in_horizon(&sp.key("date"), &step.date);
            let factor = self.positive(
                &sp.key("factor"),
                step.factor,
                "the price as a multiple of the base price",
            );
            let (Some(at), Some(factor)) = (at, factor) else {
                ok = false;
                continue;
            };
            if term.0.is_some_and(|s| at <= s) || term.1.is_some_and(|e| at >= e) {
                self.err(&sp.key("date"), "a price step outside the contract's term; date it after its start and before its end");
                ok = false;
            } else if out.last().is_some_and(|l| l.at >= at) {
                self.err(
                    &sp.key("date"),
                    "price steps must be in date order, each after the one before",
                );
                ok = false;
            } else {
                out.push(PriceStep { at, factor });
            }
        }
        ok.then_some(out)
    }

    /// `[[on_demand.curves]]`: by rack-type index, the curve of each rack
    /// type's chip (at most one curve per chip type, of a chip type built;
    /// points in date order with prices of at least 0, or a yearly change).
    pub(super) fn price_curves(
        &mut self,
        p: &FieldPath,
        curves: &[PriceCurveSpec],
        base_price: Option<f64>,
        rack_types: &[RackType],
    ) -> Option<Vec<Option<PriceCurve>>> {
        if curves.is_empty() {
            return Some(Vec::new());
        }
        let mut out: Vec<Option<PriceCurve>> = vec![None; rack_types.len()];
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        for (k, c) in curves.iter().enumerate() {
            let cp = p.key("curves").index(k);
            let types: Vec<usize> = (0..rack_types.len())
                .filter(|&t| rack_types[t].chip.name == c.chip)
                .collect();
            if types.is_empty() {
                let mut built: Vec<&str> =
                    rack_types.iter().map(|t| t.chip.name.as_str()).collect();
                built.dedup();
                let hint = did_you_mean_value(&c.chip, built.iter().copied());
                self.err(
                    &cp.key("chip"),
                    format!(
                        "no rack of chip type \"{}\" is built{hint}; name one built here: {}",
                        c.chip,
                        built
                            .iter()
                            .map(|b| format!("\"{b}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                ok = false;
                continue;
            }
            if seen.contains(&c.chip.as_str()) {
                self.err(
                    &cp.key("chip"),
                    format!(
                        "a second curve for \"{}\"; give each chip type one curve",
                        c.chip
                    ),
                );
                ok = false;
                continue;
            }
            seen.push(&c.chip);
            let curve = match (c.points.is_empty(), c.change_per_year) {
                (false, None) => {
                    if c.from.is_some() || c.usd_per_chip_hour.is_some() {
                        self.err(&cp.key("points"), "a curve of dated points takes no from or usd_per_chip_hour; give points, or change_per_year with them");
                        ok = false;
                        continue;
                    }
                    let mut points: Vec<PricePoint> = Vec::new();
                    for (i, pt) in c.points.iter().enumerate() {
                        let pp = cp.key("points").index(i);
                        let at = self
                            .date(&pp.key("date"), &pt.date)
                            .map(|d| self.calendar.time_of_date(d).unwrap_or(SimTime::ZERO));
                        let price = self.non_negative(
                            &pp.key("usd_per_chip_hour"),
                            pt.usd_per_chip_hour,
                            "USD per chip-hour",
                        );
                        let (Some(at), Some(price)) = (at, price) else {
                            ok = false;
                            continue;
                        };
                        if points.last().is_some_and(|l| l.at >= at) {
                            self.err(
                                &pp.key("date"),
                                "curve points must be in date order, each after the one before",
                            );
                            ok = false;
                        } else {
                            points.push(PricePoint {
                                at,
                                usd_per_chip_hour: price,
                            });
                        }
                    }
                    PriceCurve::Points(points)
                }
                (true, Some(change)) => {
                    let change = self.yearly_rate(&cp.key("change_per_year"), Some(change));
                    let from = match &c.from {
                        Some(text) => self
                            .date(&cp.key("from"), text)
                            .map(|d| self.calendar.time_of_date(d).unwrap_or(SimTime::ZERO)),
                        None => Some(SimTime::ZERO),
                    };
                    let price = match c.usd_per_chip_hour {
                        Some(x) => {
                            self.non_negative(&cp.key("usd_per_chip_hour"), x, "USD per chip-hour")
                        }
                        None => base_price,
                    };
                    let (Some(change), Some(from), Some(price)) = (change, from, price) else {
                        ok = false;
                        continue;
                    };
                    PriceCurve::Yearly {
                        from,
                        usd_per_chip_hour: price,
                        change_per_year: change,
                    }
                }
                (false, Some(_)) => {
                    self.err(
                        &cp.key("change_per_year"),
                        "give points or change_per_year, not both",
                    );
                    ok = false;
                    continue;
                }
                (true, None) => {
                    self.err(&cp.key("points"), format!("the curve of \"{}\" has no prices: give points = [{{ date = \"2027-01-01\", usd_per_chip_hour = 4.0 }}, ...] or change_per_year = -0.2", c.chip));
                    ok = false;
                    continue;
                }
            };
            for t in types {
                out[t] = Some(curve.clone());
            }
        }
        ok.then_some(out)
    }
}
