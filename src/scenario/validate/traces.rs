//! Job traces: `[[traces]]`: each trace's settings resolved, its file read
//! and parsed by the training workload's reader
//! ([`crate::workload::training::sources::trace`]), each row made a job and
//! each refused row reported at its line.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};

use crate::catalog::Catalog;
use crate::engine::SimDuration;
use crate::scenario::diag::{Issue, Location, did_you_mean_value, quote_short};
use crate::scenario::spec::TraceSpec;
use crate::scenario::tree::FieldPath;
use crate::workload::training::config::{Job, TraceReport};
use crate::world::config::{FailureClass, RackType, Site};

use crate::workload::training::sources::trace::{self, RowWork, TraceContext, TraceRow};

use super::Validator;
use super::checks::entries;
use super::jobs::most_domains;

pub(super) fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, fmt) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// A trace's defaults, validated, applied to each of its rows.
pub(super) struct TraceDefaults {
    name: String,
    rack: Option<usize>,
    /// Alibaba: GPU model named in `gpu_spec` → rack type index.
    gpu_racks: BTreeMap<String, usize>,
    mfu: f64,
    checkpoint_time: SimDuration,
    restart_overhead: SimDuration,
    fixed_every: Option<SimDuration>,
    priority: i32,
}

impl Validator<'_> {
    /// The `[[traces]]`: each file read and every admitted row made a job.
    /// A trace with any problem gives no job (and is reported, its rows
    /// located at their lines). `names` holds the jobs' names so far
    /// (lowercase); trace jobs' names are added.
    pub(super) fn traces(
        &mut self,
        specs: &[TraceSpec],
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
        failures: Option<&[FailureClass]>,
        names: &mut BTreeSet<String>,
    ) -> (Vec<Job>, Vec<TraceReport>) {
        let mut reports = Vec::new();
        let most = most_domains(rack_types, sites);
        let built: Vec<&str> = rack_types.iter().map(|t| t.rack.name.as_str()).collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        for (p, t) in entries("traces", specs) {
            let before = self.problem_count();
            self.unique_name(&mut seen, &p, &t.name, "a trace needs a name, e.g. name = \"replay\"", |name| {
                format!("another trace is already named \"{name}\" (compared without case); names must be unique")
            });
            let alibaba = match t.format.as_deref() {
                None | Some("csv") => Some(false),
                Some("alibaba") => Some(true),
                Some(other) => {
                    let other_q = quote_short(other);
                    let hint = did_you_mean_value(other, ["csv", "alibaba"]);
                    self.err(
                        &p.key("format"),
                        format!(
                            "unknown trace format \"{other_q}\"{hint}; give \"csv\" or \"alibaba\""
                        ),
                    );
                    None
                }
            };
            let rack = match &t.rack {
                Some(r) => self.job_rack(&p.key("rack"), r, &built, catalog),
                None => {
                    if alibaba == Some(true) {
                        self.err(
                            &p.key("rack"),
                            format!(
                                "an Alibaba replay needs the rack model its tasks run on, e.g. rack = \"{}\"",
                                built.first().copied().unwrap_or("hgx-h100")
                            ),
                        );
                    }
                    None
                }
            };
            let gpu_racks = self.gpu_racks(&p.key("racks"), t, alibaba, &built, catalog);
            let settings = self.job_settings(&p, t.settings());
            let ok = self.problem_count() == before;
            let (true, Some(alibaba), Some(mfu), Some(checkpoint_time), Some(restart_overhead)) = (
                ok,
                alibaba,
                settings.mfu,
                settings.checkpoint_time,
                settings.restart_overhead,
            ) else {
                continue;
            };
            let Some((shown, text)) = self.read_trace(&p.key("file"), &t.file) else {
                continue;
            };
            let defaults = TraceDefaults {
                name: t.name.clone(),
                rack,
                gpu_racks,
                mfu,
                checkpoint_time,
                restart_overhead,
                fixed_every: settings.fixed_every,
                priority: settings.priority,
            };
            let fp = p.key("file");
            let cx = TraceContext {
                name: &defaults.name,
                rack: defaults.rack,
                gpu_racks: &defaults.gpu_racks,
                rack_types,
                most: &most,
                end: self.end,
            };
            let rows = if alibaba {
                trace::alibaba_rows(&text, &cx)
            } else {
                trace::csv_rows(&text, &cx).map(|rows| (rows, [0; 5]))
            };
            let (rows, skipped) = match rows {
                Ok(rows) => rows,
                Err(errors) => {
                    for e in errors {
                        self.at(&fp, &shown, e.line, e.column, e.message);
                    }
                    continue;
                }
            };
            let report = TraceReport {
                name: t.name.clone(),
                file: shown.to_string(),
                jobs: rows.len() as u64,
                skipped_cpu_only: skipped[0],
                skipped_gpu_sharing: skipped[1],
                skipped_pending: skipped[2],
                skipped_zero_length: skipped[3],
                skipped_after_end: skipped[4],
            };
            let errors_before = self.problem_count();
            let jobs = self.trace_jobs(
                &p, &shown, &text, rows, &defaults, rack_types, failures, names,
            );
            if self.problem_count() == errors_before {
                out.extend(jobs);
                reports.push(report);
            }
        }
        (out, reports)
    }

    /// The jobs of a trace's admitted rows: each named uniquely among all
    /// jobs (`names`, lowercase; a clash is located at the row's name in `text`), its
    /// checkpoint interval fixed or Young/Daly's (once per rack model and
    /// size), its work as given or its ideal duration at full rate.
    #[allow(clippy::too_many_arguments)]
    fn trace_jobs(
        &mut self,
        p: &FieldPath,
        shown: &str,
        text: &str,
        rows: Vec<TraceRow>,
        defaults: &TraceDefaults,
        rack_types: &[RackType],
        failures: Option<&[FailureClass]>,
        names: &mut BTreeSet<String>,
    ) -> Vec<Job> {
        let fp = p.key("file");
        let mut jobs = Vec::with_capacity(rows.len());
        let mut every_of: BTreeMap<(usize, u32), Option<SimDuration>> = BTreeMap::new();
        for row in rows {
            if !names.insert(row.name.to_lowercase()) {
                let (line, column) = row.name_place(text);
                self.problems.located.push(Issue {
                    location: Location::File {
                        file: shown.to_string(),
                        line: line as usize,
                        column: column as usize,
                    },
                    field: fp.to_string(),
                    message: format!(
                        "another job is already named \"{}\" (names are compared without case); job names must be unique",
                        crate::scenario::diag::quote_short(&row.name)
                    ),
                });
                continue;
            }
            let rt = &rack_types[row.rack];
            let every = match defaults.fixed_every {
                Some(e) => Some(e),
                None => *every_of.entry((row.rack, row.chips)).or_insert_with(|| {
                    self.young_daly_interval(
                        &p.key("checkpoint_every"),
                        failures,
                        Some(rt),
                        Some(row.chips),
                        Some(defaults.checkpoint_time),
                    )
                }),
            };
            let Some(every) = every else { break };
            let mut job = Job {
                name: row.name,
                submit: row.submit,
                rack_type: row.rack,
                chips: row.chips,
                domains: row.chips / rt.rack.scaleup_domain.max(1),
                work: 0.0,
                mfu: defaults.mfu,
                checkpoint_every: every,
                checkpoint_time: defaults.checkpoint_time,
                restart_overhead: defaults.restart_overhead,
                priority: defaults.priority,
                comm: None,
                tokens: None,
                multi_site: false,
            };
            job.work = match row.work {
                RowWork::Ideal(d) => d.seconds() * job.full_rate(rt),
                RowWork::Flops(f) => f,
            };
            jobs.push(job);
        }
        jobs
    }

    /// A trace's `[traces.racks]` table (GPU model of `gpu_spec` → rack
    /// model), each rack model checked; only for `format = "alibaba"`.
    /// `alibaba` is `None` when the format itself was refused.
    pub(super) fn gpu_racks(
        &mut self,
        p: &FieldPath,
        t: &TraceSpec,
        alibaba: Option<bool>,
        built: &[&str],
        catalog: &Catalog,
    ) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        let Some(table) = &t.racks else {
            return out;
        };
        if alibaba == Some(false) {
            self.err(
                p,
                "`racks` maps the GPU models of an Alibaba trace's `gpu_spec` column to rack models; \
                 a generic CSV names a row's rack model in its own `rack` column instead: remove \
                 `racks`, or set format = \"alibaba\"",
            );
            return out;
        }
        for (model, rack) in table {
            let pk = p.key(model);
            let model_q = quote_short(model);
            if model.trim().is_empty() || model.contains('|') {
                self.err(
                    &pk,
                    format!(
                        "\"{model_q}\" is not a GPU model name; a key is one model as `gpu_spec` lists it, e.g. V100M32 = \"{}\"",
                        built.first().copied().unwrap_or("hgx-h100")
                    ),
                );
                continue;
            }
            if let Some(r) = self.job_rack(&pk, rack, built, catalog) {
                out.insert(model.clone(), r);
            }
        }
        out
    }

    /// Reads a trace file (relative to the scenario file) as UTF-8 text:
    /// its name as shown and its text.
    pub(super) fn read_trace(&mut self, p: &FieldPath, file: &str) -> Option<(String, String)> {
        self.read_csv(p, file, "; a trace needs about 50 bytes a row")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_several_forms() {
        let a = parse_timestamp("2026-01-01 13:00").unwrap();
        assert_eq!(parse_timestamp("2026-01-01T13:00:00"), Some(a));
        assert!(parse_timestamp("2026-01-01").is_some());
        assert!(parse_timestamp("yesterday").is_none());
    }
}
