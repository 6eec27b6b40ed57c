//! Failures: `[failures]` classes and their lifetime distributions, and the
//! software interruptions of running jobs (`[failures.software]`).

use super::{FAILURE_ROW_BYTES, MAX_TIMESERIES_ROWS};
use crate::catalog::failures::{self, FailureKind};
use crate::engine::SimDuration;
use crate::engine::SimTime;
use crate::scenario::spec::{
    DistributionKind, DistributionSpec, FailureClassSpec, FailuresSpec, LifetimeKind, ScenarioSpec,
};
use crate::scenario::tree::FieldPath;
use crate::workload::training::physics::job_failure_rate;
use crate::world::config::{Distribution, FailureClass, Lifetime};
use crate::world::config::{Link, RackType, Site};

use super::{
    MAX_LOGNORMAL_SIGMA, MAX_RATE_PER_MILLION_HOURS, MAX_WEIBULL_SHAPE, MIN_WEIBULL_SHAPE,
    Validator, number,
};

impl Validator<'_> {
    /// `[failures.software]`: interruptions per node-hour of a running job
    /// (default the catalog's Llama 3 figure).
    pub(super) fn software_rate(&mut self, spec: &ScenarioSpec) -> f64 {
        let default = failures::SOFTWARE_PER_MILLION_NODE_HOURS / 1e6;
        let Some(r) = spec
            .failures
            .as_ref()
            .and_then(|f| f.software.as_ref())
            .and_then(|s| s.rate_per_million_hours)
        else {
            return default;
        };
        let p = FieldPath::default()
            .key("failures")
            .key("software")
            .key("rate_per_million_hours");
        match self.non_negative(
            &p,
            r,
            "interruptions per million node-hours of running jobs; 0 turns them off",
        ) {
            Some(r) if r > MAX_RATE_PER_MILLION_HOURS => {
                self.err(
                    &p,
                    format!(
                        "{r} per million hours is more than one an hour per node; at most {MAX_RATE_PER_MILLION_HOURS} is allowed"
                    ),
                );
                default
            }
            Some(r) => r / 1e6,
            None => default,
        }
    }

    pub(super) fn distribution(
        &mut self,
        p: &FieldPath,
        d: &DistributionSpec,
    ) -> Option<Distribution> {
        let given: [(&str, bool); 6] = [
            ("value", d.value.is_some()),
            ("min", d.min.is_some()),
            ("max", d.max.is_some()),
            ("mean", d.mean.is_some()),
            ("median", d.median.is_some()),
            ("sigma", d.sigma.is_some()),
        ];
        let (kind_name, needs): (&str, &[&str]) = match d.kind {
            DistributionKind::Fixed => ("fixed", &["value"]),
            DistributionKind::Uniform => ("uniform", &["min", "max"]),
            DistributionKind::Exponential => ("exponential", &["mean"]),
            DistributionKind::Lognormal => ("lognormal", &["median", "sigma"]),
        };
        let mut ok = true;
        for (key, present) in given {
            if present && !needs.contains(&key) {
                self.err(
                    &p.key(key),
                    format!(
                        "`{key}` does not apply to kind = \"{kind_name}\", which takes {}",
                        needs.join(" and ")
                    ),
                );
                ok = false;
            }
            if !present && needs.contains(&key) {
                self.err(
                    &p.key(key),
                    format!(
                        "missing: kind = \"{kind_name}\" needs {}",
                        needs.join(" and ")
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let dur = |v: &mut Self, key: &str, text: &Option<String>| {
            v.duration(&p.key(key), text.as_deref().unwrap_or_default())
        };
        match d.kind {
            DistributionKind::Fixed => Some(Distribution::Fixed(dur(self, "value", &d.value)?)),
            DistributionKind::Uniform => {
                let min = dur(self, "min", &d.min);
                let max = dur(self, "max", &d.max);
                let (min, max) = (min?, max?);
                if max < min {
                    self.err(&p.key("max"), format!("{max} is less than min = {min}"));
                    return None;
                }
                Some(Distribution::Uniform { min, max })
            }
            DistributionKind::Exponential => {
                let mean =
                    self.positive_duration(&p.key("mean"), d.mean.as_deref().unwrap_or_default())?;
                Some(Distribution::Exponential { mean })
            }
            DistributionKind::Lognormal => {
                let median = self
                    .positive_duration(&p.key("median"), d.median.as_deref().unwrap_or_default());
                let sigma = self
                    .non_negative(
                        &p.key("sigma"),
                        d.sigma.unwrap_or_default(),
                        "the spread of the log, e.g. 0.5",
                    )
                    .and_then(|sigma| {
                        if sigma > MAX_LOGNORMAL_SIGMA {
                            self.err(
                                &p.key("sigma"),
                                format!(
                                    "must be at most {MAX_LOGNORMAL_SIGMA}, found {} (with sigma = {MAX_LOGNORMAL_SIGMA} one draw in a million is already 1.6 million times the median)",
                                    number(sigma)
                                ),
                            );
                            None
                        } else {
                            Some(sigma)
                        }
                    });
                Some(Distribution::LogNormal {
                    median: median?,
                    sigma: sigma?,
                })
            }
        }
    }

    pub(super) fn failures(&mut self, spec: &ScenarioSpec) -> Option<Vec<FailureClass>> {
        let p = FieldPath::default().key("failures");
        let given = spec.failures.clone().unwrap_or_default();
        let by_kind = given_classes(&given);
        let mut out = Vec::new();
        let mut ok = true;
        for (d, class) in failures::defaults().iter().zip(by_kind) {
            let cp = p.key(d.kind.key());
            let default_repair = Distribution::Exponential {
                mean: SimDuration::from_hours_f64(d.repair_mean_hours),
            };
            // `gpu` and `hbm` fall back on each chip's catalog figure; every
            // other class, `gpu_other` included, on its default.
            let default_rate = if d.kind.rate_per_chip_model() {
                0.0
            } else {
                d.rate_per_million_hours / 1e6
            };
            let Some(c) = class else {
                out.push(FailureClass {
                    kind: d.kind,
                    rate_per_hour: default_rate,
                    lifetime: Lifetime::Exponential,
                    repair: default_repair,
                });
                continue;
            };
            let rate = match c.rate_per_million_hours {
                Some(r) => self
                    .non_negative(
                        &cp.key("rate_per_million_hours"),
                        r,
                        "failures per million component-hours; 0 turns the class off",
                    )
                    .and_then(|r| {
                        if r > MAX_RATE_PER_MILLION_HOURS {
                            self.err(
                                &cp.key("rate_per_million_hours"),
                                format!(
                                    "{r} failures per million hours is a mean life under an hour; at most {MAX_RATE_PER_MILLION_HOURS} is allowed"
                                ),
                            );
                            None
                        } else {
                            Some(r / 1e6)
                        }
                    }),
                None => Some(default_rate),
            };
            let lifetime = match (c.lifetime, c.weibull_shape) {
                (Some(LifetimeKind::Weibull), Some(k)) => {
                    let shape = self.finite(&cp.key("weibull_shape"), k);
                    if let Some(shape) =
                        shape.filter(|k| (MIN_WEIBULL_SHAPE..=MAX_WEIBULL_SHAPE).contains(k))
                    {
                        Some(Lifetime::Weibull { shape })
                    } else if let Some(shape) = shape {
                        self.err(
                            &cp.key("weibull_shape"),
                            format!(
                                "must be between {MIN_WEIBULL_SHAPE} and {MAX_WEIBULL_SHAPE}, found {shape} (below 1: infant mortality, 1: exponential, above 1: wear-out)"
                            ),
                        );
                        None
                    } else {
                        None
                    }
                }
                (Some(LifetimeKind::Weibull), None) => {
                    self.err(
                        &cp.key("weibull_shape"),
                        "missing: lifetime = \"weibull\" needs weibull_shape, e.g. 0.7 (infant mortality) or 2.0 (wear-out)",
                    );
                    None
                }
                (_, Some(_)) => {
                    self.err(
                        &cp.key("weibull_shape"),
                        "weibull_shape only applies with lifetime = \"weibull\"",
                    );
                    None
                }
                _ => Some(Lifetime::Exponential),
            };
            let repair = match &c.repair {
                Some(r) => self.distribution(&cp.key("repair"), r),
                None => Some(default_repair),
            };
            match (rate, lifetime, repair) {
                (Some(rate_per_hour), Some(lifetime), Some(repair)) => out.push(FailureClass {
                    kind: d.kind,
                    rate_per_hour,
                    lifetime,
                    repair,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Each rack model's failure rates ([`RackType::failure_rates`]): every
    /// class's rate, except `gpu` and `hbm` left unset by the scenario,
    /// which take the model's chip's catalog figure.
    pub(super) fn rack_failure_rates(
        spec: &ScenarioSpec,
        failures: &[FailureClass],
        rack_types: &mut [RackType],
    ) {
        let given = spec.failures.clone().unwrap_or_default();
        let by_kind = given_classes(&given);
        for t in rack_types {
            for c in failures {
                let unset = by_kind[c.kind.index()]
                    .and_then(|s| s.rate_per_million_hours)
                    .is_none();
                t.failure_rates[c.kind.index()] = if c.kind.rate_per_chip_model() && unset {
                    t.chip.failures_per_mhr(c.kind).map_or(0.0, |r| r / 1e6)
                } else {
                    c.rate_per_hour
                };
            }
        }
    }
}

/// The classes `[failures]` sets, in [`FailureKind::ALL`] order.
fn given_classes(given: &FailuresSpec) -> [Option<&FailureClassSpec>; FailureKind::ALL.len()] {
    [
        given.gpu.as_ref(),
        given.hbm.as_ref(),
        given.gpu_other.as_ref(),
        given.host.as_ref(),
        given.nic.as_ref(),
        given.switch_cable.as_ref(),
        given.rack_power.as_ref(),
        given.site_outage.as_ref(),
        given.dci_link.as_ref(),
    ]
}

impl Validator<'_> {
    /// `failures.csv` has a row per failure: its expected count, from every
    /// class's rate over each build-out's racks from their planned date to
    /// the end (retirements ignored: an upper estimate), each site's outages
    /// and each inter-site link's, is held to the timeseries bound.
    pub(super) fn failures_log_bound(
        &mut self,
        spec: &ScenarioSpec,
        failures: Option<&[FailureClass]>,
        sites: &[Site],
        rack_types: &[RackType],
        links: &[Link],
    ) {
        let root = FieldPath::default();
        if spec.output.as_ref().and_then(|o| o.failures_log) == Some(true)
            && self.end != SimTime::MAX
            && let Some(failures) = failures
        {
            let end_h = self.end.hours();
            let rate = |k: FailureKind| {
                failures
                    .iter()
                    .find(|c| c.kind == k)
                    .map_or(0.0, |c| c.rate_per_hour)
            };
            let site_outage = rate(FailureKind::SiteOutage);
            let racks: f64 = sites
                .iter()
                .flat_map(|s| &s.phases)
                .map(|p| {
                    let t = &rack_types[p.rack_type];
                    let chips = p.count.saturating_mul(t.rack.chips);
                    let hours = (end_h - p.planned.hours()).max(0.0);
                    (job_failure_rate(failures, t, chips, 0.0) - site_outage) * hours
                })
                .sum();
            let rows = racks
                + site_outage * end_h * sites.len() as f64
                + rate(FailureKind::DciLink) * end_h * links.len() as f64;
            if rows > MAX_TIMESERIES_ROWS as f64 {
                self.err(
                    &root.key("output").key("failures_log"),
                    format!(
                        "the failure rates over the fleet and the run give about {rows:.3e} failures, each a row of failures.csv (about {:.1} GB); at most {MAX_TIMESERIES_ROWS} rows are allowed: set failures_log = false, or shorten the run",
                        rows * FAILURE_ROW_BYTES as f64 / 1e9
                    ),
                );
            }
        }
    }
}
