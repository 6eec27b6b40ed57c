//! Sites and build-out: `[[sites]]` with their `[[sites.buildout]]` phases,
//! power usage effectiveness, grid, prices, carbon intensity and hourly series.

use crate::scenario::spec::ScenarioSpec;
use crate::units::BitsPerSecond;
use crate::world::config::Link;
use chrono::{NaiveDateTime, Timelike};
use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::catalog::failures::FailureKind;
use crate::engine::{SimDuration, SimTime};
use crate::scenario::diag::{did_you_mean_value, quote_short};
use crate::scenario::spec::{CarbonSpec, PriceSpec, SiteSpec};
use crate::scenario::tree::FieldPath;
use crate::units::Watts;
use crate::world::config::{Band, Phase, Pue, RackType, Site, Tariff};

use super::traces::parse_timestamp;
use super::{MAX_MAGNITUDE, Validator, number};

impl Validator<'_> {
    pub(super) fn site_ref(&mut self, p: &FieldPath, name: &str, names: &[&str]) -> Option<usize> {
        match names.iter().position(|n| *n == name) {
            Some(i) => Some(i),
            None => {
                let hint = did_you_mean_value(name, names.iter().copied());
                self.err(
                    p,
                    format!(
                        "no site is named \"{name}\"{hint} (sites: {})",
                        names.join(", ")
                    ),
                );
                None
            }
        }
    }

    pub(super) fn site(
        &mut self,
        p: &FieldPath,
        s: &SiteSpec,
        catalog: &Catalog,
        rack_types: &mut Vec<RackType>,
    ) -> Option<Site> {
        let before = self.problem_count();
        let grid_mw = self.positive(
            &p.key("grid_mw"),
            s.grid_mw,
            "the site's grid connection in MW, e.g. grid_mw = 300",
        );
        let (grid, grid_ok, upgrade_times) = self.site_grid(p, s, grid_mw);

        let pue = self.site_pue(p, s);
        let power_oversubscription = match s.power_oversubscription {
            Some(x) => self.positive(
                &p.key("power_oversubscription"),
                x,
                "admit racks up to this multiple of the grid connection; 1.0 admits only what always fits",
            ),
            None => Some(1.0),
        };
        let uplink_oversubscription = match s.uplink_oversubscription {
            Some(x) => self.positive(
                &p.key("uplink_oversubscription"),
                x,
                "rack NIC bandwidth / uplink bandwidth, e.g. 1.0 for non-blocking",
            ),
            None => Some(1.0),
        };
        let end_of_life = match &s.end_of_life {
            Some(t) => self.positive_duration(&p.key("end_of_life"), t).map(Some),
            None => Some(None),
        };
        let price = self.price(&p.key("price"), s.price.as_ref());
        let carbon = self.carbon(&p.key("carbon"), s.carbon.as_ref());

        let phases = self.buildout(p, s, catalog, rack_types, end_of_life);
        if let (Some(pue), Some(oversub), true) = (
            &pue,
            power_oversubscription,
            grid_ok && phases.len() == s.buildout.len(),
        ) {
            self.phases_fit(
                p,
                s,
                &grid,
                &upgrade_times,
                &phases,
                rack_types,
                pue,
                oversub,
            );
        }
        let after = self.problem_count();
        if after != before {
            return None;
        }
        Some(Site {
            name: s.name.clone(),
            grid,
            pue: pue?,
            when_grid_full: s.when_grid_full.unwrap_or_default(),
            power_oversubscription: power_oversubscription?,
            uplink_oversubscription: uplink_oversubscription?,
            price: price?,
            carbon: carbon?,
            phases,
        })
    }

    pub(super) fn pue_value(&mut self, p: &FieldPath, x: f64) -> Option<f64> {
        let x = self.finite(p, x)?;
        if (1.0..=5.0).contains(&x) {
            Some(x)
        } else {
            self.err(
                p,
                format!(
                    "a PUE is facility power / IT power, so between 1.0 and 5.0; found {} (typical: 1.1 to 1.6)",
                    number(x)
                ),
            );
            None
        }
    }

    pub(super) fn price(&mut self, p: &FieldPath, spec: Option<&PriceSpec>) -> Option<Tariff> {
        let Some(s) = spec else {
            return Some(Tariff::Flat(0.0));
        };
        let bands: Vec<(Option<crate::world::config::Days>, u32, u32, f64)> = s
            .bands
            .iter()
            .map(|b| (b.days, b.from_hour, b.to_hour, b.usd_per_mwh))
            .collect();
        self.tariff(
            p,
            s.usd_per_mwh,
            &bands,
            s.hourly_csv.as_deref(),
            "usd_per_mwh",
            false,
        )
    }

    pub(super) fn carbon(&mut self, p: &FieldPath, spec: Option<&CarbonSpec>) -> Option<Tariff> {
        let Some(s) = spec else {
            return Some(Tariff::Flat(0.0));
        };
        let bands: Vec<(Option<crate::world::config::Days>, u32, u32, f64)> = s
            .bands
            .iter()
            .map(|b| (b.days, b.from_hour, b.to_hour, b.kg_per_mwh))
            .collect();
        self.tariff(
            p,
            s.kg_per_mwh,
            &bands,
            s.hourly_csv.as_deref(),
            "kg_per_mwh",
            true,
        )
    }

    /// Shared by price and carbon: a flat value, a base with bands, or a CSV.
    pub(super) fn tariff(
        &mut self,
        p: &FieldPath,
        base: Option<f64>,
        bands: &[(Option<crate::world::config::Days>, u32, u32, f64)],
        csv: Option<&str>,
        value_key: &str,
        non_negative: bool,
    ) -> Option<Tariff> {
        let check = |v: &mut Self, path: &FieldPath, x: f64| {
            if non_negative {
                v.non_negative(path, x, "intensity in kgCO2e per MWh")
            } else {
                v.finite(path, x)
            }
        };
        match (base, csv) {
            (Some(_), Some(_)) => {
                self.err(
                    &p.key("hourly_csv"),
                    format!(
                        "give either `{value_key}` (with optional bands) or `hourly_csv`, not both"
                    ),
                );
                None
            }
            (None, None) => {
                self.err(
                    &p.key(value_key),
                    format!("missing: give `{value_key}` or `hourly_csv`"),
                );
                None
            }
            (None, Some(file)) => {
                if !bands.is_empty() {
                    self.err(
                        &p.key("bands"),
                        "bands apply over a base value, not over `hourly_csv`",
                    );
                    return None;
                }
                self.series(&p.key("hourly_csv"), file, value_key, non_negative)
                    .map(Tariff::Series)
            }
            (Some(b), None) => {
                let base = check(self, &p.key(value_key), b)?;
                if base < 0.0 {
                    self.err(
                        &p.key(value_key),
                        format!(
                            "a flat price of {} USD/MWh pays the site for every MWh it draws, all the time: almost always a sign typo; give the price as a positive number, and state negative hours on purpose in an hourly price file (hourly_csv) or in time-of-use bands (bands = [{{ from_hour = 11, to_hour = 15, usd_per_mwh = -20 }}])",
                            number(base)
                        ),
                    );
                    return None;
                }
                if bands.is_empty() {
                    return Some(Tariff::Flat(base));
                }
                let mut out = Vec::new();
                let mut ok = true;
                for (i, (days, from, to, value)) in bands.iter().enumerate() {
                    let bp = p.key("bands").index(i);
                    if *from > 23 {
                        self.err(
                            &bp.key("from_hour"),
                            format!("an hour of the day is 0 to 23, found {from}"),
                        );
                        ok = false;
                    }
                    if *to == 0 || *to > 24 || to <= from {
                        self.err(
                            &bp.key("to_hour"),
                            format!("must be after from_hour ({from}) and at most 24, found {to}"),
                        );
                        ok = false;
                    }
                    match check(self, &bp.key(value_key), *value) {
                        Some(value) => out.push(Band {
                            days: days.unwrap_or_default(),
                            from_hour: *from,
                            to_hour: *to,
                            value,
                        }),
                        None => ok = false,
                    }
                }
                ok.then_some(Tariff::Bands { base, bands: out })
            }
        }
    }

    /// Reads a `timestamp,<value_key>` CSV; problems are located in it.
    pub(super) fn series(
        &mut self,
        p: &FieldPath,
        file: &str,
        value_key: &str,
        non_negative: bool,
    ) -> Option<Vec<(SimTime, f64)>> {
        let (shown, text) = self.read_csv(p, file, "; an hourly CSV needs about 30 bytes a row")?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.at_line(p, &shown, 1, format!("not a CSV file: {e}"));
                return None;
            }
        };
        let (Some(ti), Some(vi)) = (
            headers.iter().position(|h| h == "timestamp"),
            headers.iter().position(|h| h == value_key),
        ) else {
            self.at_line(
                p,
                &shown,
                1,
                format!("the header must have columns `timestamp` and `{value_key}`"),
            );
            return None;
        };
        let start = self.calendar.datetime(SimTime::ZERO);
        let mut points: Vec<(SimTime, f64)> = Vec::new();
        let mut last: Option<NaiveDateTime> = None;
        let errors_before = self.problems.located.len();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.at_line(p, &shown, line, format!("unreadable row: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            let stamp = record.get(ti).unwrap_or_default();
            let stamp_q = quote_short(stamp);
            let dt = match hourly_stamp(stamp) {
                Ok(dt) => dt,
                Err(message) => {
                    self.at_line(p, &shown, line, message);
                    continue;
                }
            };
            let value =
                match hourly_value(record.get(vi).unwrap_or_default(), value_key, non_negative) {
                    Ok(v) => v,
                    Err(message) => {
                        self.at_line(p, &shown, line, message);
                        continue;
                    }
                };
            if last.is_some_and(|l| dt <= l) {
                self.at_line(
                    p,
                    &shown,
                    line,
                    format!("timestamps must increase; {stamp_q} is not after the row before"),
                );
                continue;
            }
            last = Some(dt);
            let t = if dt <= start {
                SimTime::ZERO
            } else {
                SimTime(((dt - start).num_microseconds().unwrap_or(i64::MAX)) as u64)
            };
            // Rows at or before the start: only the latest applies.
            if t == SimTime::ZERO {
                points.clear();
            }
            points.push((t, value));
        }
        if self.problems.located.len() != errors_before {
            return None;
        }
        match points.first() {
            Some((t, _)) if *t == SimTime::ZERO => Some(points),
            Some(_) => {
                self.at_line(
                    p,
                    &shown,
                    2,
                    format!("the first row must be at or before the scenario start ({start})"),
                );
                None
            }
            None => {
                self.at_line(p, &shown, 1, "the file has no data rows".into());
                None
            }
        }
    }
}

impl Validator<'_> {
    /// The `[[sites]]`, names unique, each with its build-out; the rack
    /// types they build.
    pub(super) fn sites(
        &mut self,
        spec: &ScenarioSpec,
        catalog: &Catalog,
    ) -> (Vec<RackType>, Vec<Site>) {
        let root = FieldPath::default();
        let mut rack_types: Vec<RackType> = Vec::new();
        let mut sites = Vec::new();
        if spec.sites.is_empty() {
            self.err(
                &root.key("sites"),
                "the scenario has no site; add one with a [[sites]] table (name, grid_mw, pue and a [[sites.buildout]] phase)",
            );
        }
        let mut seen_sites: BTreeMap<String, String> = BTreeMap::new();
        for (i, site) in spec.sites.iter().enumerate() {
            let p = root.key("sites").index(i);
            if site.name.trim().is_empty() {
                self.err(&p.key("name"), "a site needs a name, e.g. name = \"ohio\"");
            } else if let Some(other) = seen_sites.get(&site.name.to_lowercase()) {
                let message = if *other == site.name {
                    format!(
                        "two sites are named \"{}\"; site names must be unique",
                        site.name
                    )
                } else {
                    format!(
                        "\"{}\" differs from the site \"{other}\" only in case; site names must differ by more than case",
                        site.name
                    )
                };
                self.err(&p.key("name"), message);
            } else {
                seen_sites.insert(site.name.to_lowercase(), site.name.clone());
            }
            if let Some(s) = self.site(&p, site, catalog, &mut rack_types) {
                sites.push(s);
            }
        }
        (rack_types, sites)
    }

    /// The `[[links]]` between sites.
    pub(super) fn links(&mut self, spec: &ScenarioSpec) -> Vec<Link> {
        let root = FieldPath::default();
        let site_names: Vec<&str> = spec.sites.iter().map(|s| s.name.as_str()).collect();
        let mut links = Vec::new();
        for (i, link) in spec.links.iter().enumerate() {
            let p = root.key("links").index(i);
            let from = self.site_ref(&p.key("from"), &link.from, &site_names);
            let to = self.site_ref(&p.key("to"), &link.to, &site_names);
            if from.is_some() && from == to {
                self.err(&p.key("to"), "a link joins two different sites");
            }
            let bandwidth = self.positive(
                &p.key("bandwidth_gbit_per_s"),
                link.bandwidth_gbit_per_s,
                "the link's capacity each way in Gbit/s, e.g. 3200",
            );
            let latency = self.duration(&p.key("latency"), &link.latency);
            if let (Some(from), Some(to), Some(bw), Some(latency)) = (from, to, bandwidth, latency)
            {
                links.push(Link {
                    from,
                    to,
                    bandwidth: BitsPerSecond::from_gbps(bw),
                    latency,
                });
            }
        }
        links
    }
}

impl Validator<'_> {
    /// A site's grid connection over time: `grid_mw` from the start, then
    /// each upgrade on its date (one per date); whether all of it is valid,
    /// and each upgrade's time (`None` where refused).
    #[allow(clippy::type_complexity)]
    fn site_grid(
        &mut self,
        p: &FieldPath,
        s: &SiteSpec,
        grid_mw: Option<f64>,
    ) -> (Vec<(SimTime, Watts)>, bool, Vec<Option<SimTime>>) {
        let mut grid = vec![(SimTime::ZERO, Watts::from_mw(grid_mw.unwrap_or(0.0)))];
        let mut grid_ok = grid_mw.is_some();
        let mut upgrade_times = Vec::with_capacity(s.grid_upgrades.len());
        for (i, u) in s.grid_upgrades.iter().enumerate() {
            let up = p.key("grid_upgrades").index(i);
            let at = self.date_in_horizon(&up.key("date"), &u.date);
            upgrade_times.push(at);
            let mw = self.positive(
                &up.key("grid_mw"),
                u.grid_mw,
                "the new grid connection in MW",
            );
            if let Some(at) = at
                && let Some(j) = grid.iter().position(|g| g.0 == at)
            {
                let what = if j == 0 {
                    "is the start date, where grid_mw applies; set grid_mw instead"
                } else {
                    "is also the date of an earlier grid upgrade; give one grid_mw per date"
                };
                self.err(&up.key("date"), format!("{} {what}", u.date.trim()));
                grid_ok = false;
            } else if let (Some(at), Some(mw)) = (at, mw) {
                grid.push((at, Watts::from_mw(mw)));
            } else {
                grid_ok = false;
            }
        }
        grid.sort_by_key(|g| g.0);
        (grid, grid_ok, upgrade_times)
    }

    /// A site's power usage effectiveness: one value, or twelve, January
    /// first.
    fn site_pue(&mut self, p: &FieldPath, s: &SiteSpec) -> Option<Pue> {
        match (s.pue, &s.pue_monthly) {
            (Some(_), Some(_)) => {
                self.err(
                    &p.key("pue_monthly"),
                    "give either `pue` or `pue_monthly`, not both",
                );
                None
            }
            (None, None) => {
                self.err(
                &p.key("pue"),
                "missing: give the site's power usage effectiveness, e.g. pue = 1.2, or pue_monthly = [twelve values]",
            );
                None
            }
            (Some(x), None) => self.pue_value(&p.key("pue"), x).map(Pue::Constant),
            (None, Some(months)) => {
                if months.len() != 12 {
                    self.err(
                        &p.key("pue_monthly"),
                        format!(
                            "needs 12 values, January to December; found {}",
                            months.len()
                        ),
                    );
                    None
                } else {
                    let mut m = [0.0; 12];
                    let mut ok = true;
                    for (i, x) in months.iter().enumerate() {
                        match self.pue_value(&p.key("pue_monthly").index(i), *x) {
                            Some(x) => m[i] = x,
                            None => ok = false,
                        }
                    }
                    ok.then_some(Pue::Monthly(m))
                }
            }
        }
    }

    /// A site's `[[sites.buildout]]` phases, the rack types they build added
    /// to `rack_types`; `end_of_life` is the site's default.
    fn buildout(
        &mut self,
        p: &FieldPath,
        s: &SiteSpec,
        catalog: &Catalog,
        rack_types: &mut Vec<RackType>,
        end_of_life: Option<Option<SimDuration>>,
    ) -> Vec<Phase> {
        if s.buildout.is_empty() {
            self.err(
            &p.key("buildout"),
            "the build-out is empty: add at least one [[sites.buildout]] phase with rack, count and date",
        );
        }
        let rack_names: Vec<&str> = catalog.racks.iter().map(|r| r.name.as_str()).collect();
        let mut phases = Vec::new();
        for (i, ph) in s.buildout.iter().enumerate() {
            let pp = p.key("buildout").index(i);
            let rack_type = match catalog.rack(&ph.rack) {
                Some(r) => match rack_types.iter().position(|t| t.rack.name == r.name) {
                    Some(i) => Some(i),
                    None => {
                        let chip = catalog.chip(&r.chip).cloned();
                        match chip {
                            Some(chip) => {
                                rack_types.push(RackType {
                                    rack: r.clone(),
                                    chip,
                                    failure_rates: [0.0; FailureKind::ALL.len()],
                                });
                                Some(rack_types.len() - 1)
                            }
                            None => None,
                        }
                    }
                },
                None if self.refused_racks.contains(&ph.rack) => None,
                None => {
                    let hint = did_you_mean_value(&ph.rack, rack_names.iter().copied());
                    self.err(
                    &pp.key("rack"),
                    format!(
                        "no rack is named \"{}\"{hint} (`dcsim catalog` lists them, or define it in [[racks]])",
                        ph.rack
                    ),
                );
                    None
                }
            };
            let count = self.positive_int(&pp.key("count"), ph.count, "racks in this phase");
            let planned = self.date_in_horizon(&pp.key("date"), &ph.date);
            let delay = match &ph.delay {
                Some(d) => self.distribution(&pp.key("delay"), d).map(Some),
                None => Some(None),
            };
            let eol = match &ph.end_of_life {
                Some(t) => self.positive_duration(&pp.key("end_of_life"), t).map(Some),
                None => end_of_life,
            };
            if let (Some(rack_type), Some(count), Some(planned), Some(delay), Some(eol)) =
                (rack_type, count, planned, delay, eol)
            {
                phases.push(Phase {
                    rack_type,
                    count,
                    planned,
                    delay,
                    spare_nodes: ph.spare_nodes.unwrap_or(0),
                    end_of_life: eol,
                });
            }
        }
        phases
    }

    /// A phase larger than the site's biggest grid connection can never
    /// be commissioned: say so now rather than after a seven-year run.
    #[allow(clippy::too_many_arguments)]
    fn phases_fit(
        &mut self,
        p: &FieldPath,
        s: &SiteSpec,
        grid: &[(SimTime, Watts)],
        upgrade_times: &[Option<SimTime>],
        phases: &[Phase],
        rack_types: &[RackType],
        pue: &Pue,
        oversub: f64,
    ) {
        let max_grid = grid.iter().map(|g| g.1).fold(Watts::ZERO, Watts::max);
        // Overhead and idle draw cannot be capped: a grid connection that
        // falls below the floor of the racks that may be online then
        // (every phase planned by that date, at design PUE; a bound, as
        // deferral, refusal or retirement may leave fewer) is refused.
        for (i, (u, at)) in s.grid_upgrades.iter().zip(upgrade_times).enumerate() {
            let Some(at) = *at else {
                continue;
            };
            let floor: Watts = phases
                .iter()
                .filter(|ph| ph.planned <= at)
                .map(|ph| {
                    rack_types[ph.rack_type].idle_floor() * pue.design() * f64::from(ph.count)
                })
                .fold(Watts::ZERO, |a, b| a + b);
            if floor.0 > Watts::from_mw(u.grid_mw).0 * (1.0 + 1e-12) {
                self.err(
                    &p.key("grid_upgrades").index(i).key("grid_mw"),
                    format!(
                        "{} MW is below the idle floor of the racks planned by {} ({:.3} MW: rack overhead + chips at idle, × design PUE {}), which cannot be capped; keep grid_mw at least that, or plan fewer racks before this date",
                        u.grid_mw,
                        u.date,
                        floor.mw(),
                        pue.design()
                    ),
                );
            }
        }
        for (i, ph) in phases.iter().enumerate() {
            let t = &rack_types[ph.rack_type];
            let need = t.nameplate() * pue.design() * f64::from(ph.count);
            if need.0 > max_grid.0 * oversub * (1.0 + 1e-12) {
                self.err(
                    &p.key("buildout").index(i).key("count"),
                    format!(
                        "{} racks of {} need {:.1} MW (nameplate {:.1} kW each × design PUE {}), more than this site's grid connection ever allows ({:.1} MW × power_oversubscription {}); split the phase, lower count or raise grid_mw",
                        ph.count,
                        t.rack.name,
                        need.mw(),
                        t.nameplate().kw(),
                        pue.design(),
                        max_grid.mw(),
                        oversub
                    ),
                );
                continue;
            }
            // Its idle floor must fit under the grid itself: no power
            // cap lowers overhead or idle draw, so a phase whose floor
            // exceeds every grid the site will have would wait all run.
            let per_rack = t.idle_floor();
            let floor = per_rack * pue.design() * f64::from(ph.count);
            if floor.0 > max_grid.0 * (1.0 + 1e-12) {
                self.err(
                    &p.key("buildout").index(i).key("count"),
                    format!(
                        "{} racks of {} have an idle floor of {:.3} MW (rack overhead + chips at idle, {:.3} kW a rack, × design PUE {}), more than this site's grid connection ever allows ({:.3} MW; power caps cannot lower the idle floor, whatever power_oversubscription); split the phase, lower count or raise grid_mw",
                        ph.count,
                        t.rack.name,
                        floor.mw(),
                        per_rack.kw(),
                        pue.design(),
                        max_grid.mw(),
                    ),
                );
            }
        }
    }
}

/// The time of a row of an hourly CSV: a timestamp on the hour; else why not.
fn hourly_stamp(stamp: &str) -> Result<NaiveDateTime, String> {
    let stamp_q = quote_short(stamp);
    let Some(dt) = parse_timestamp(stamp) else {
        return Err(format!(
            "timestamp \"{stamp_q}\" is not like \"2026-01-01 13:00\""
        ));
    };
    if dt.time().minute() != 0 || dt.time().second() != 0 || dt.time().nanosecond() != 0 {
        return Err(format!(
            "timestamp \"{stamp_q}\" is not on the hour; values of an hourly CSV change on whole hours (write {})",
            dt.format("%Y-%m-%d %H:00")
        ));
    }
    Ok(dt)
}

/// The value of a row of an hourly CSV (column `value_key`): finite,
/// within ±[`MAX_MAGNITUDE`] as in the scenario file, and at least 0 when
/// `non_negative`; else why not.
fn hourly_value(raw: &str, value_key: &str, non_negative: bool) -> Result<f64, String> {
    let raw_q = quote_short(raw);
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= MAX_MAGNITUDE && (!non_negative || v >= 0.0) => Ok(v),
        Ok(v) if v.is_finite() && v.abs() > MAX_MAGNITUDE => Err(format!(
            "`{value_key}` {} is beyond any plausible value (the limit is ±{MAX_MAGNITUDE:e}, as in the scenario file); check the unit in the column name",
            number(v)
        )),
        _ => Err(format!(
            "`{value_key}` must be a finite number{}, found \"{raw_q}\"",
            if non_negative { " ≥ 0" } else { "" }
        )),
    }
}
