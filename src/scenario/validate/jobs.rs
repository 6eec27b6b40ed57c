//! Training jobs given one by one (`[[jobs]]`), and what every job source
//! shares: MFU, checkpoints, pauses, rack model, scale-up domains, submit
//! time, work and the all-reduce.

use super::DEFAULT_SEED;
use crate::engine::RngStreams;
use crate::scenario::spec::ScenarioSpec;
use crate::workload::training::config::TraceReport;
use std::collections::BTreeSet;

use crate::catalog::Catalog;
use crate::engine::{SimDuration, SimTime};
use crate::scenario::diag::did_you_mean_value;
use crate::scenario::spec::{JobSettingsSpec, JobSpec};
use crate::scenario::tree::FieldPath;
use crate::workload::training::config::{Comm, Job};
use crate::workload::training::physics::full_rate;
use crate::workload::training::physics::{job_failure_rate, young_daly};
use crate::workload::training::sources::domains_of;
use crate::world::config::{FailureClass, RackType, Site};

use super::checks::entries;
use super::{
    DEFAULT_MFU, DEFAULT_OVERLAP, MAX_GRADIENT_BYTES, MAX_JOB_QUANTITY, Validator, YOUNG_DALY,
    number, parse_date, parse_duration,
};

impl Validator<'_> {
    /// The training jobs: names unique, work given one way, a rack model
    /// some site builds, and no more domains than one site can ever hold.
    pub(super) fn jobs(
        &mut self,
        specs: &[JobSpec],
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
        failures: Option<&[FailureClass]>,
    ) -> Vec<Job> {
        let most = most_domains(rack_types, sites);
        let total = total_domains(rack_types, sites);
        let built: Vec<&str> = rack_types.iter().map(|t| t.rack.name.as_str()).collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut jobs = Vec::with_capacity(specs.len());
        for (p, j) in entries("jobs", specs) {
            let before = self.problem_count();
            self.unique_name(&mut seen, &p, &j.name, "a job needs a name, e.g. name = \"pretrain\"", |name| {
                format!("another job is already named \"{name}\" (names are compared without case); job names must be unique")
            });
            let submit = match &j.submit {
                None => Some(SimTime::ZERO),
                Some(text) => self.submit_time(&p.key("submit"), text),
            };
            let rack_type = self.job_rack(&p.key("rack"), &j.rack, &built, catalog);
            let chips = self.positive_int(&p.key("chips"), j.chips, "chips the job holds");
            let multi_site = j.multi_site.unwrap_or(false);
            let domains = match (rack_type, chips) {
                (Some(t), Some(chips)) => self.job_domains(
                    &p.key("chips"),
                    chips,
                    &rack_types[t],
                    if multi_site { total[t] } else { most[t] },
                    multi_site,
                ),
                _ => None,
            };
            let settings = self.job_settings(&p, j.settings());
            let mfu = settings.mfu;
            let work = self.work(&p, j, rack_type.map(|t| &rack_types[t]), chips, mfu);
            let steps = CommSpec {
                batch_tokens: j.batch_tokens,
                steps: j.steps,
                step_time: j.step_time.as_deref(),
                gradient_bytes: j.gradient_bytes.or(j.params.map(|n| 2.0 * n)),
                gradient_bytes_given: j.gradient_bytes.is_some(),
                data_parallel: j.data_parallel,
                overlap: j.overlap,
                tokens: j.tokens,
            };
            let comm = self.comm(
                &p,
                &steps,
                work,
                rack_type.map(|t| &rack_types[t]),
                chips,
                domains,
                mfu,
            );
            let checkpoint_every = self.checkpoint_every(
                &p,
                &settings,
                failures,
                rack_type.map(|t| &rack_types[t]),
                chips,
            );
            let (checkpoint_time, restart_overhead) =
                (settings.checkpoint_time, settings.restart_overhead);
            let ok = self.problem_count() == before;
            if let (
                true,
                Some(submit),
                Some(rack_type),
                Some(chips),
                Some(domains),
                Some(work),
                Some(mfu),
                Some(checkpoint_every),
                Some(checkpoint_time),
                Some(restart_overhead),
                Some(comm),
            ) = (
                ok,
                submit,
                rack_type,
                chips,
                domains,
                work,
                mfu,
                checkpoint_every,
                checkpoint_time,
                restart_overhead,
                comm,
            ) {
                jobs.push(Job {
                    name: j.name.clone(),
                    submit,
                    rack_type,
                    chips,
                    domains,
                    work,
                    mfu,
                    checkpoint_every,
                    checkpoint_time,
                    restart_overhead,
                    priority: settings.priority,
                    comm,
                    tokens: j.tokens.filter(|_| j.params.is_some()),
                    multi_site,
                });
            }
        }
        jobs
    }

    /// A job's all-reduce from its `[[jobs]]` fields: none when it gives no
    /// step count and no gradient bytes; `Some(None)` for no all-reduce,
    /// `None` when refused (reported).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn comm(
        &mut self,
        p: &FieldPath,
        c: &CommSpec<'_>,
        work: Option<f64>,
        rack: Option<&RackType>,
        chips: Option<u32>,
        domains: Option<u32>,
        mfu: Option<f64>,
    ) -> Option<Option<Comm>> {
        let sources = [
            c.batch_tokens.is_some(),
            c.steps.is_some(),
            c.step_time.is_some(),
        ];
        let given = sources.iter().filter(|s| **s).count();
        if given > 1 {
            self.err(
                &p.key("steps"),
                "give the step count one way: batch_tokens (steps = tokens ÷ batch_tokens), steps, or step_time",
            );
            return None;
        }
        if given == 0 {
            if c.gradient_bytes_given {
                self.err(
                    &p.key("gradient_bytes"),
                    "the all-reduce runs once per step: give batch_tokens, steps or step_time too",
                );
                return None;
            }
            for (key, set) in [
                ("data_parallel", c.data_parallel.is_some()),
                ("overlap", c.overlap.is_some()),
            ] {
                if set {
                    self.err(
                        &p.key(key),
                        "applies only to a job with an all-reduce: give batch_tokens, steps or step_time (and gradient_bytes unless params is given)",
                    );
                    return None;
                }
            }
            return Some(None);
        }
        let steps: Option<f64> = if let Some(b) = c.batch_tokens {
            let b = self.positive(
                &p.key("batch_tokens"),
                b,
                "global batch in tokens, e.g. 16e6",
            )?;
            match c.tokens {
                Some(d) => Some((d / b).max(1.0)),
                None => {
                    self.err(
                        &p.key("batch_tokens"),
                        "steps = tokens ÷ batch_tokens needs tokens; give tokens, or steps or step_time instead",
                    );
                    return None;
                }
            }
        } else if let Some(n) = c.steps {
            let n = self.positive(&p.key("steps"), n, "training steps, e.g. 1e6")?;
            if n < 1.0 {
                self.err(&p.key("steps"), "a job takes at least one step");
                return None;
            }
            Some(n)
        } else {
            None
        };
        let step_time = match c.step_time {
            Some(t) => Some(self.positive_duration(&p.key("step_time"), t)?),
            None => None,
        };
        let Some(bytes) = c.gradient_bytes else {
            self.err(
                &p.key("gradient_bytes"),
                "missing: the bytes each replica all-reduces per step (e.g. 2 × params for BF16 gradients), or give params",
            );
            return None;
        };
        let bytes = self.gradient_bytes(&p.key("gradient_bytes"), bytes)?;
        let overlap = match c.overlap {
            Some(x) => self.fraction(&p.key("overlap"), x)?,
            None => DEFAULT_OVERLAP,
        };
        let (work, rack, chips, domains, mfu) = (work?, rack?, chips?, domains?, mfu?);
        let k = c.data_parallel.unwrap_or(domains);
        if k == 0 || k > chips {
            self.err(
                &p.key("data_parallel"),
                format!("must be from 1 to the job's {chips} chips, found {k}"),
            );
            return None;
        }
        let full_rate = full_rate(chips, rack, mfu);
        let flops_per_step = match (steps, step_time) {
            (Some(n), _) => work / n,
            (None, Some(t)) => t.seconds() * full_rate,
            (None, None) => unreachable!("one source is given"),
        };
        Some(Some(Comm {
            flops_per_step,
            gradient_bytes: bytes,
            data_parallel: k,
            overlap,
        }))
    }

    /// Gradient bytes a replica all-reduces per step: more than 0, at most
    /// [`MAX_GRADIENT_BYTES`].
    pub(super) fn gradient_bytes(&mut self, p: &FieldPath, x: f64) -> Option<f64> {
        if x.is_finite() && x > 0.0 && x <= MAX_GRADIENT_BYTES {
            Some(x)
        } else {
            self.err(
                p,
                format!(
                    "must be greater than 0 and at most {MAX_GRADIENT_BYTES:e} bytes, found {} (gradient bytes per replica per step, e.g. 2 × params for BF16)",
                    number(x)
                ),
            );
            None
        }
    }

    /// A job's model FLOPs utilization: in (0, 1], default 0.4.
    pub(super) fn job_mfu(&mut self, p: &FieldPath, mfu: Option<f64>) -> Option<f64> {
        let Some(x) = mfu else {
            return Some(DEFAULT_MFU);
        };
        let x = self.fraction(p, x)?;
        if x > 0.0 {
            Some(x)
        } else {
            self.err(
                p,
                "must be greater than 0 (model FLOPs utilization, e.g. 0.4)",
            );
            None
        }
    }

    /// The settings every job source shares, under `p`: MFU (default
    /// 0.4), checkpoint write time (default 1 min), restart overhead
    /// (default 10 min), checkpoint interval (default 2 h, or
    /// "young-daly") and priority (default 0).
    pub(super) fn job_settings(&mut self, p: &FieldPath, s: JobSettingsSpec<'_>) -> JobSettings {
        let mfu = self.job_mfu(&p.key("mfu"), s.mfu);
        let checkpoint_time = self.duration(
            &p.key("checkpoint_time"),
            s.checkpoint_time.unwrap_or("1min"),
        );
        let restart_overhead = self.duration(
            &p.key("restart_overhead"),
            s.restart_overhead.unwrap_or("10min"),
        );
        let every_text = s.checkpoint_every.unwrap_or("2h");
        let young_daly = every_text == YOUNG_DALY;
        let fixed_every = if young_daly {
            None
        } else {
            self.positive_duration(&p.key("checkpoint_every"), every_text)
        };
        JobSettings {
            mfu,
            checkpoint_time,
            restart_overhead,
            young_daly,
            fixed_every,
            priority: s.priority.unwrap_or(0),
        }
    }

    /// A job's checkpoint interval: the fixed one, or the Young/Daly
    /// interval of a job of `chips` chips of `rack` (reported at `p` when
    /// refused).
    pub(super) fn checkpoint_every(
        &mut self,
        p: &FieldPath,
        settings: &JobSettings,
        failures: Option<&[FailureClass]>,
        rack: Option<&RackType>,
        chips: Option<u32>,
    ) -> Option<SimDuration> {
        if settings.young_daly {
            self.young_daly_interval(
                &p.key("checkpoint_every"),
                failures,
                rack,
                chips,
                settings.checkpoint_time,
            )
        } else {
            settings.fixed_every
        }
    }

    /// The index of a job's rack model among the built ones.
    pub(super) fn job_rack(
        &mut self,
        p: &FieldPath,
        rack: &str,
        built: &[&str],
        catalog: &Catalog,
    ) -> Option<usize> {
        if let Some(t) = built.iter().position(|n| *n == rack) {
            return Some(t);
        }
        if self.refused_racks.contains(rack) {
            // Its own problem is reported at its [[racks]] entry.
            return None;
        }
        let known = catalog.rack(rack).is_some();
        let hint = did_you_mean_value(rack, built.iter().copied());
        let message = if known {
            format!(
                "no site builds the rack model \"{rack}\", so no chip can run this job; use a built one ({}) or add a [[sites.buildout]] phase of it",
                built.join(", ")
            )
        } else {
            format!(
                "no rack model is named \"{rack}\"{hint} (built: {})",
                built.join(", ")
            )
        };
        self.err(p, message);
        None
    }

    /// The scale-up domains `chips` chips of `rack` make: a whole number,
    /// at most `most` (what one site ever holds).
    pub(super) fn job_domains(
        &mut self,
        p: &FieldPath,
        chips: u32,
        rack: &RackType,
        most: u64,
        multi_site: bool,
    ) -> Option<u32> {
        match domains_of(chips, rack, most, multi_site) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(p, e);
                None
            }
        }
    }

    /// A job's Young/Daly checkpoint interval `sqrt(2 · C · MTBF)`, MTBF
    /// from [`job_failure_rate`]; none (reported) when C is 0 or nothing
    /// can interrupt the job, none (silently) when what it depends on was
    /// refused already.
    pub(super) fn young_daly_interval(
        &mut self,
        p: &FieldPath,
        failures: Option<&[FailureClass]>,
        rack: Option<&RackType>,
        chips: Option<u32>,
        checkpoint_time: Option<SimDuration>,
    ) -> Option<SimDuration> {
        let (failures, rack, chips, c) = (failures?, rack?, chips?, checkpoint_time?);
        let rate = job_failure_rate(failures, rack, chips, self.software_rate);
        if rate <= 0.0 {
            self.err(
                p,
                "\"young-daly\" needs failures that can interrupt the job, and every class it depends on (gpu, hbm, gpu_other, host, nic, switch_cable, rack_power, site_outage, software) has rate 0; give a fixed interval, e.g. checkpoint_every = \"2h\"",
            );
            return None;
        }
        let every = young_daly(c, rate);
        if every.0 == 0 {
            self.err(
                p,
                "\"young-daly\" is sqrt(2 · checkpoint_time · MTBF), 0 with checkpoint_time = 0; set checkpoint_time (e.g. \"1min\") or give a fixed interval",
            );
            return None;
        }
        Some(every)
    }

    /// A job's submission: a date in the horizon or an offset from the start.
    pub(super) fn submit_time(&mut self, p: &FieldPath, text: &str) -> Option<SimTime> {
        if parse_date(text).is_ok() {
            return self.date_in_horizon(p, text);
        }
        match parse_duration(text) {
            Ok(d) if SimTime::ZERO.checked_add(d).is_some_and(|t| t < self.end) => {
                Some(SimTime::ZERO + d)
            }
            Ok(d) => {
                self.err(
                    p,
                    format!(
                        "{d} after the start is past the end of the run; submit the job earlier"
                    ),
                );
                None
            }
            Err(_) => {
                self.err(
                    p,
                    format!(
                        "\"{text}\" is neither a date nor a duration; give a date such as \"2026-02-01\" or an offset from the start such as \"12h\""
                    ),
                );
                None
            }
        }
    }

    /// A job's work [FLOP], given exactly one way.
    pub(super) fn work(
        &mut self,
        p: &FieldPath,
        j: &JobSpec,
        rack: Option<&RackType>,
        chips: Option<u32>,
        mfu: Option<f64>,
    ) -> Option<f64> {
        let ways = [
            j.params.is_some() || j.tokens.is_some(),
            j.flops.is_some(),
            j.ideal_duration.is_some(),
        ];
        let given = ways.iter().filter(|w| **w).count();
        if given != 1 {
            let key = if j.flops.is_some() {
                "flops"
            } else if j.ideal_duration.is_some() {
                "ideal_duration"
            } else {
                "params"
            };
            let found = if given == 0 {
                "none is given"
            } else {
                "more than one is given"
            };
            self.err(
                &p.key(key),
                format!(
                    "give the job's work one way: params and tokens (6·N·D FLOPs), flops, or ideal_duration; {found}"
                ),
            );
            return None;
        }
        let limit = |v: &mut Self, key: &str, x: f64, what: &str| -> Option<f64> {
            // At least 1: a job of less than one FLOP (1e-320) would be a
            // job of no length.
            if !x.is_finite() || !(1.0..=MAX_JOB_QUANTITY).contains(&x) {
                v.err(
                    &p.key(key),
                    format!(
                        "must be a number of at least 1 and at most {MAX_JOB_QUANTITY:e}, found {} ({what})",
                        number(x)
                    ),
                );
                None
            } else {
                Some(x)
            }
        };
        if let Some(text) = &j.ideal_duration {
            let d = self.positive_duration(&p.key("ideal_duration"), text)?;
            let (rack, chips, mfu) = (rack?, chips?, mfu?);
            return Some(d.seconds() * full_rate(chips, rack, mfu));
        }
        if let Some(f) = j.flops {
            return limit(self, "flops", f, "total work in FLOPs, e.g. 3.8e25");
        }
        let n = match j.params {
            Some(n) => limit(self, "params", n, "model parameters, e.g. 405e9"),
            None => {
                self.err(
                    &p.key("tokens"),
                    "tokens needs params (model parameters, e.g. params = 405e9)",
                );
                None
            }
        };
        let d = match j.tokens {
            Some(d) => limit(self, "tokens", d, "training tokens, e.g. 15.6e12"),
            None => {
                self.err(
                    &p.key("params"),
                    "params needs tokens (training tokens, e.g. tokens = 15.6e12)",
                );
                None
            }
        };
        Some(6.0 * n? * d?)
    }
}

/// The settings every job source shares, resolved; a `None` was refused
/// (and reported).
pub(super) struct JobSettings {
    /// Model FLOPs utilization, in (0, 1].
    pub(super) mfu: Option<f64>,
    /// Time a checkpoint blocks the job.
    pub(super) checkpoint_time: Option<SimDuration>,
    /// Time to restart from a checkpoint once the job's chips are whole.
    pub(super) restart_overhead: Option<SimDuration>,
    /// Whether each job's interval is the Young/Daly one, from its chips.
    pub(super) young_daly: bool,
    /// The fixed interval between checkpoints (`None` with Young/Daly).
    pub(super) fixed_every: Option<SimDuration>,
    /// Higher runs first.
    pub(super) priority: i32,
}

/// A job's all-reduce fields as given.
pub(super) struct CommSpec<'a> {
    batch_tokens: Option<f64>,
    steps: Option<f64>,
    step_time: Option<&'a str>,
    /// Given, or `2 · params`.
    gradient_bytes: Option<f64>,
    gradient_bytes_given: bool,
    data_parallel: Option<u32>,
    overlap: Option<f64>,
    tokens: Option<f64>,
}

/// Domains of each rack model all sites together build over the run.
pub(super) fn total_domains(rack_types: &[RackType], sites: &[Site]) -> Vec<u64> {
    let mut total = vec![0u64; rack_types.len()];
    for phase in sites.iter().flat_map(|s| &s.phases) {
        let r = &rack_types[phase.rack_type].rack;
        total[phase.rack_type] +=
            u64::from(phase.count) * u64::from(r.chips / r.scaleup_domain.max(1));
    }
    total
}

/// Most domains of each rack model one site builds over the run.
pub(super) fn most_domains(rack_types: &[RackType], sites: &[Site]) -> Vec<u64> {
    let mut most = vec![0u64; rack_types.len()];
    for site in sites {
        let mut here = vec![0u64; rack_types.len()];
        for phase in &site.phases {
            let r = &rack_types[phase.rack_type].rack;
            here[phase.rack_type] +=
                u64::from(phase.count) * u64::from(r.chips / r.scaleup_domain.max(1));
        }
        for (m, h) in most.iter_mut().zip(here) {
            *m = (*m).max(h);
        }
    }
    most
}

impl Validator<'_> {
    /// Every training job: the `[[jobs]]`, then the jobs the `[[arrivals]]`
    /// streams draw (each from its own random stream), then the
    /// `[[traces]]`' rows; and what each trace gave.
    pub(super) fn job_sources(
        &mut self,
        spec: &ScenarioSpec,
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
        failures: Option<&[FailureClass]>,
    ) -> (Vec<Job>, Vec<TraceReport>) {
        let mut jobs = self.jobs(&spec.jobs, catalog, rack_types, sites, failures);
        let streams = RngStreams::new(spec.seed.unwrap_or(DEFAULT_SEED));
        let listed: BTreeSet<String> = spec.jobs.iter().map(|j| j.name.to_lowercase()).collect();
        for (i, a) in self
            .arrivals(&spec.arrivals, catalog, rack_types, sites, failures)
            .into_iter()
            .enumerate()
        {
            let generated = a.generate(&streams, &rack_types[a.rack_type]);
            // (No [[jobs]] names, no clash: no lowercase copy of each name.)
            if !listed.is_empty()
                && let Some(clash) = generated
                    .iter()
                    .find(|j| listed.contains(&j.name.to_lowercase()))
            {
                self.err(
                    &FieldPath::default().key("arrivals").index(i).key("name"),
                    format!(
                        "this stream names its jobs \"{}-<k>\" and \"{}\" is also a [[jobs]] name; rename the stream or the job",
                        a.name, clash.name
                    ),
                );
            }
            // The first list is taken as it is rather than copied (a year's
            // stream can be 600,000 jobs).
            if jobs.is_empty() {
                jobs = generated;
            } else {
                jobs.extend(generated);
            }
        }
        // Only traces check their names against the others.
        let mut names: BTreeSet<String> = if spec.traces.is_empty() {
            BTreeSet::new()
        } else {
            jobs.iter().map(|j| j.name.to_lowercase()).collect()
        };
        let (traced, trace_reports) = self.traces(
            &spec.traces,
            catalog,
            rack_types,
            sites,
            failures,
            &mut names,
        );
        jobs.extend(traced);
        (jobs, trace_reports)
    }
}
