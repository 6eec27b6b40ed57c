//! Poisson job streams: `[[arrivals]]`.

use std::collections::BTreeSet;

use crate::catalog::Catalog;
use crate::engine::SimTime;
use crate::scenario::spec::ArrivalSpec;
use crate::scenario::tree::FieldPath;
use crate::workload::training::config::{Arrivals, Comm};
use crate::world::config::{FailureClass, RackType, Site};

use super::checks::entries;
use super::jobs::{most_domains, total_domains};
use super::{DEFAULT_OVERLAP, MAX_ARRIVAL_JOBS, Validator};

impl Validator<'_> {
    /// The `[[arrivals]]` streams, validated (their jobs are drawn by the
    /// caller). A stream with any problem is left out (and reported).
    pub(super) fn arrivals(
        &mut self,
        specs: &[ArrivalSpec],
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
        failures: Option<&[FailureClass]>,
    ) -> Vec<Arrivals> {
        let most = most_domains(rack_types, sites);
        let total = total_domains(rack_types, sites);
        let built: Vec<&str> = rack_types.iter().map(|t| t.rack.name.as_str()).collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        let mut all_expected = 0.0;
        for (p, a) in entries("arrivals", specs) {
            let before = self.problem_count();
            self.unique_name(&mut seen, &p, &a.name, "a stream of arrivals needs a name, e.g. name = \"finetune\"", |name| {
                format!("another stream is already named \"{name}\" (compared without case); names must be unique")
            });
            let rack_type = self.job_rack(&p.key("rack"), &a.rack, &built, catalog);
            let rate = self.positive(
                &p.key("rate_per_day"),
                a.rate_per_day,
                "mean jobs submitted per day, e.g. 4",
            );
            let from = match &a.from {
                None => Some(SimTime::ZERO),
                Some(text) => self.submit_time(&p.key("from"), text),
            };
            let until = match &a.until {
                None => Some(self.end),
                Some(text) => self.window_end(&p.key("until"), text),
            };
            if let (Some(f), Some(u)) = (from, until)
                && u <= f
            {
                self.err(
                    &p.key("until"),
                    "the window ends before it starts; give `until` after `from`",
                );
            }
            if a.chips.is_empty() {
                self.err(
                    &p.key("chips"),
                    "give at least one chip count to draw from, e.g. chips = [72, 144]",
                );
            }
            let mut domains = Vec::with_capacity(a.chips.len());
            for (k, &chips) in a.chips.iter().enumerate() {
                let pk = p.key("chips").index(k);
                let multi = a.multi_site.unwrap_or(false);
                let d = self
                    .positive_int(&pk, chips, "chips of a job")
                    .zip(rack_type)
                    .and_then(|(c, t)| {
                        let bound = if multi { total[t] } else { most[t] };
                        self.job_domains(&pk, c, &rack_types[t], bound, multi)
                    });
                domains.push(d);
            }
            let ideal_duration = self.distribution(&p.key("ideal_duration"), &a.ideal_duration);
            let settings = self.job_settings(&p, a.settings());
            let comm = self.arrival_comm(&p, a);
            let mut sizes = Vec::with_capacity(a.chips.len());
            for (&chips, d) in a.chips.iter().zip(&domains) {
                let every = self.checkpoint_every(
                    &p,
                    &settings,
                    failures,
                    rack_type.map(|t| &rack_types[t]),
                    Some(chips),
                );
                match (d, every) {
                    (Some(d), Some(every)) => sizes.push((chips, *d, every)),
                    // The interval is refused for one size as for all (the
                    // rate or C is 0): reported once.
                    (_, None) if settings.young_daly => break,
                    _ => {}
                }
            }
            let ok = self.problem_count() == before;
            let (
                true,
                Some(rack_type),
                Some(rate),
                Some(from),
                Some(until),
                Some(ideal_duration),
                Some(mfu),
                Some(checkpoint_time),
                Some(restart_overhead),
                Some(comm),
            ) = (
                ok,
                rack_type,
                rate,
                from,
                until,
                ideal_duration,
                settings.mfu,
                settings.checkpoint_time,
                settings.restart_overhead,
                comm,
            )
            else {
                continue;
            };
            let arrivals = Arrivals {
                name: a.name.clone(),
                rack_type,
                rate_per_hour: rate / 24.0,
                from,
                until,
                sizes,
                ideal_duration,
                mfu,
                checkpoint_time,
                restart_overhead,
                priority: settings.priority,
                comm,
                multi_site: a.multi_site.unwrap_or(false),
            };
            let expected = arrivals.expected();
            if expected > MAX_ARRIVAL_JOBS {
                self.err(
                    &p.key("rate_per_day"),
                    format!(
                        "{rate} jobs a day over the window is about {expected:.0} jobs; dcsim keeps every job and allows at most {MAX_ARRIVAL_JOBS:.0} per stream"
                    ),
                );
                continue;
            }
            all_expected += expected;
            if all_expected > MAX_ARRIVAL_JOBS {
                self.err(
                    &p.key("rate_per_day"),
                    format!(
                        "with this stream the [[arrivals]] streams together expect about {all_expected:.0} jobs; dcsim keeps every job and allows at most {MAX_ARRIVAL_JOBS:.0} across all streams: lower the rates or shorten the windows"
                    ),
                );
                continue;
            }
            out.push(arrivals);
        }
        out
    }

    /// The all-reduce of a stream's jobs: `step_time` and `gradient_bytes`
    /// together, or neither. `flops_per_step` holds the step time [s]
    /// until each job is drawn.
    pub(super) fn arrival_comm(&mut self, p: &FieldPath, a: &ArrivalSpec) -> Option<Option<Comm>> {
        match (&a.step_time, a.gradient_bytes) {
            (None, None) => {
                for (key, set) in [
                    ("data_parallel", a.data_parallel.is_some()),
                    ("overlap", a.overlap.is_some()),
                ] {
                    if set {
                        self.err(
                            &p.key(key),
                            "applies only to jobs with an all-reduce: give step_time and gradient_bytes",
                        );
                        return None;
                    }
                }
                Some(None)
            }
            (Some(t), Some(bytes)) => {
                let t = self.positive_duration(&p.key("step_time"), t);
                let bytes = self.gradient_bytes(&p.key("gradient_bytes"), bytes);
                let overlap = match a.overlap {
                    Some(x) => self.fraction(&p.key("overlap"), x),
                    None => Some(DEFAULT_OVERLAP),
                };
                let k = match a.data_parallel {
                    Some(0) => {
                        self.err(&p.key("data_parallel"), "must be at least 1, found 0");
                        None
                    }
                    Some(k) if a.chips.iter().any(|&c| k > c) => {
                        self.err(
                            &p.key("data_parallel"),
                            format!(
                                "{k} is more than the chips of some job sizes; give at most {}",
                                a.chips.iter().min().copied().unwrap_or(0)
                            ),
                        );
                        None
                    }
                    Some(k) => Some(k),
                    // Each job's domains, filled in when it is drawn.
                    None => Some(0),
                };
                Some(Some(Comm {
                    flops_per_step: t?.seconds(),
                    gradient_bytes: bytes?,
                    data_parallel: k?,
                    overlap: overlap?,
                }))
            }
            (None, Some(_)) => {
                self.err(
                    &p.key("step_time"),
                    "missing: gradient_bytes is exchanged once per step; give step_time (the ideal compute time of a step, e.g. \"4s\")",
                );
                None
            }
            (Some(_), None) => {
                self.err(
                    &p.key("gradient_bytes"),
                    "missing: give the bytes each replica all-reduces per step (e.g. 2 × params for BF16 gradients)",
                );
                None
            }
        }
    }
}
