//! Job traces: `[[traces]]`, generic CSV and Alibaba PAI files, each row
//! made a job or reported at its line.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};

use crate::catalog::Catalog;
use crate::engine::{SimDuration, SimTime};
use crate::scenario::diag::{Issue, Location, did_you_mean_value, quote_short};
use crate::scenario::model::{FailureClass, Job, RackType, Site, TraceReport};
use crate::scenario::spec::TraceSpec;
use crate::scenario::tree::FieldPath;

use super::checks::entries;
use super::jobs::{domains_of, most_domains};
use super::{MAX_JOB_QUANTITY, MAX_MAGNITUDE, Validator, number, parse_duration};

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

/// Most jobs one `[[traces]]` file may give.
pub const MAX_TRACE_JOBS: usize = 1_000_000;

/// Columns of the generic trace CSV.
pub(super) const TRACE_COLUMNS: [&str; 5] = ["submit", "chips", "ideal_duration", "flops", "name"];

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

/// A trace row's work.
pub(super) enum RowWork {
    Ideal(SimDuration),
    Flops(f64),
}

/// One admitted trace row.
pub(super) struct TraceRow {
    line: u64,
    name: String,
    rack: usize,
    chips: u32,
    submit: SimTime,
    work: RowWork,
}

/// A number of a trace column: finite, within ±[`MAX_MAGNITUDE`] as TOML
/// values are, and at least 0.
pub(super) fn trace_number(raw: &str, column: &str) -> Result<f64, String> {
    let raw_q = quote_short(raw);
    match raw.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&x) => Ok(x),
        Ok(x) if x.is_finite() && x > MAX_MAGNITUDE => Err(format!(
            "`{column}` {} is beyond any plausible value (the limit is {MAX_MAGNITUDE:e}, as in the scenario file)",
            number(x)
        )),
        _ => Err(format!(
            "`{column}` must be a finite number ≥ 0, found \"{raw_q}\""
        )),
    }
}

/// A whole count of a trace column (at most `u32::MAX`).
pub(super) fn trace_count(raw: &str, column: &str) -> Result<u32, String> {
    let raw_q = quote_short(raw);
    raw.parse::<u32>().map_err(|_| {
        format!(
            "`{column}` must be a whole number from 0 to {}, found \"{raw_q}\"",
            u32::MAX
        )
    })
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
            let rows = if alibaba {
                self.alibaba_rows(&fp, &shown, &text, &defaults, rack_types, &most)
            } else {
                self.csv_rows(&fp, &shown, &text, &defaults, rack_types, &built, &most)
                    .map(|rows| (rows, [0; 5]))
            };
            let Some((rows, skipped)) = rows else {
                continue;
            };
            let report = TraceReport {
                name: t.name.clone(),
                file: shown.clone(),
                jobs: rows.len() as u64,
                skipped_cpu_only: skipped[0],
                skipped_gpu_sharing: skipped[1],
                skipped_pending: skipped[2],
                skipped_zero_length: skipped[3],
                skipped_after_end: skipped[4],
            };
            let mut jobs = Vec::with_capacity(rows.len());
            let mut every_of: BTreeMap<(usize, u32), Option<SimDuration>> = BTreeMap::new();
            let errors_before = self.problem_count();
            for row in rows {
                if !names.insert(row.name.to_lowercase()) {
                    self.problems.located.push(Issue {
                        location: Location::File {
                            file: shown.clone(),
                            line: row.line as usize,
                            column: 1,
                        },
                        field: fp.to_string(),
                        message: format!(
                            "another job is already named \"{}\" (names are compared without case); job names must be unique",
                            row.name
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
            if self.problem_count() == errors_before {
                out.extend(jobs);
                reports.push(report);
            }
        }
        (out, reports)
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

    /// The header and records of a trace CSV; `None` (reported) when it
    /// has no readable header or lacks a required column.
    pub(super) fn trace_reader<'t>(
        &mut self,
        p: &FieldPath,
        shown: &str,
        text: &'t str,
        required: &[&str],
    ) -> Option<(csv::StringRecord, csv::Reader<&'t [u8]>)> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.at_line(p, shown, 1, format!("not a CSV file: {e}"));
                return None;
            }
        };
        if let Some(twice) = headers
            .iter()
            .enumerate()
            .find_map(|(i, h)| headers.iter().take(i).any(|g| g == h).then_some(h))
        {
            self.at_line(
                p,
                shown,
                1,
                format!(
                    "the header names the column `{}` twice; give each column once",
                    quote_short(twice)
                ),
            );
            return None;
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !headers.iter().any(|h| h == *c))
            .collect();
        if !missing.is_empty() {
            self.at_line(
                p,
                shown,
                1,
                format!(
                    "the header lacks the column(s) {} (required: {})",
                    missing.join(", "),
                    required.join(", ")
                ),
            );
            return None;
        }
        Some((headers, reader))
    }

    /// The rows of a generic trace CSV, each checked; `None` when any row
    /// is refused (each located at its line).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn csv_rows(
        &mut self,
        p: &FieldPath,
        shown: &str,
        text: &str,
        d: &TraceDefaults,
        rack_types: &[RackType],
        built: &[&str],
        most: &[u64],
    ) -> Option<Vec<TraceRow>> {
        let (headers, mut reader) = self.trace_reader(p, shown, text, &[])?;
        let col = |name: &str| headers.iter().position(|h| h == name);
        for h in headers.iter() {
            let h_q = quote_short(h);
            if !TRACE_COLUMNS.contains(&h) && h != "rack" {
                let hint = did_you_mean_value(h, TRACE_COLUMNS.iter().copied().chain(["rack"]));
                self.at_line(
                    p,
                    shown,
                    1,
                    format!(
                        "unknown column `{h_q}`{hint} (columns: submit, chips, ideal_duration or flops, name, rack)"
                    ),
                );
                return None;
            }
        }
        if col("submit").is_none() || col("chips").is_none() {
            self.at_line(
                p,
                shown,
                1,
                "the header needs the columns `submit` and `chips`".into(),
            );
            return None;
        }
        if col("ideal_duration").is_none() && col("flops").is_none() {
            self.at_line(
                p,
                shown,
                1,
                "the header needs a column `ideal_duration` or `flops` (the job's work)".into(),
            );
            return None;
        }
        let (si, ci) = (col("submit")?, col("chips")?);
        let (di, fi, ni, ri) = (
            col("ideal_duration"),
            col("flops"),
            col("name"),
            col("rack"),
        );
        let errors_before = self.problems.located.len();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.at_line(p, shown, line, format!("unreadable row: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            if rows.len() >= MAX_TRACE_JOBS {
                self.at_line(
                    p,
                    shown,
                    line,
                    format!("a trace gives at most {MAX_TRACE_JOBS} jobs; split the file"),
                );
                break;
            }
            match self.csv_row(
                line,
                &record,
                (si, ci, di, fi, ni, ri),
                d,
                rack_types,
                built,
                most,
            ) {
                Ok(row) => rows.push(row),
                Err(message) => self.at_line(p, shown, line, message),
            }
        }
        (self.problems.located.len() == errors_before).then_some(rows)
    }

    /// One row of a generic trace CSV.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    pub(super) fn csv_row(
        &self,
        line: u64,
        record: &csv::StringRecord,
        (si, ci, di, fi, ni, ri): (
            usize,
            usize,
            Option<usize>,
            Option<usize>,
            Option<usize>,
            Option<usize>,
        ),
        d: &TraceDefaults,
        rack_types: &[RackType],
        built: &[&str],
        most: &[u64],
    ) -> Result<TraceRow, String> {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let submit_text = get(Some(si));
        let submit_text_q = quote_short(submit_text);
        let offset = parse_duration(submit_text)
            .map_err(|e| format!("`submit` is an offset from the start of the run: {e}"))?;
        let submit = SimTime::ZERO
            .checked_add(offset)
            .filter(|t| *t < self.end)
            .ok_or_else(|| {
                format!("`submit` {submit_text_q} after the start is past the end of the run")
            })?;
        let chips_text = get(Some(ci));
        let chips = trace_count(chips_text, "chips")?;
        if chips == 0 {
            return Err("`chips` must be at least 1, found 0".into());
        }
        let rack_text = get(ri);
        let rack_text_q = quote_short(rack_text);
        let rack = if rack_text.is_empty() {
            d.rack.ok_or_else(|| {
                "the row names no rack model and the trace gives no `rack`; add one to either"
                    .to_string()
            })?
        } else {
            built.iter().position(|n| *n == rack_text).ok_or_else(|| {
                let hint = did_you_mean_value(rack_text, built.iter().copied());
                format!(
                    "no built rack model is named \"{rack_text_q}\"{hint} (built: {})",
                    built.join(", ")
                )
            })?
        };
        domains_of(chips, &rack_types[rack], most[rack], false)?;
        let (ideal, flops) = (get(di), get(fi));
        let work = match (ideal.is_empty(), flops.is_empty()) {
            (false, true) => {
                let t = parse_duration(ideal).map_err(|e| format!("`ideal_duration`: {e}"))?;
                if t.0 == 0 {
                    return Err("`ideal_duration` must be longer than 0".into());
                }
                RowWork::Ideal(t)
            }
            (true, false) => {
                // Held to the bound of the TOML `flops` key.
                let f = flops.parse::<f64>().unwrap_or(f64::NAN);
                if !f.is_finite() || f <= 0.0 || f > MAX_JOB_QUANTITY {
                    return Err(format!(
                        "`flops` must be greater than 0 and at most {MAX_JOB_QUANTITY:e}, found \"{}\"",
                        quote_short(flops)
                    ));
                }
                RowWork::Flops(f)
            }
            _ => {
                return Err(
                    "give the job's work one way: `ideal_duration` or `flops`, exactly one of them non-empty".into(),
                );
            }
        };
        let name = get(ni);
        let name = if name.is_empty() {
            format!("{}-{line}", d.name)
        } else {
            name.to_string()
        };
        Ok(TraceRow {
            line,
            name,
            rack,
            chips,
            submit,
            work,
        })
    }

    /// The admitted rows of an Alibaba GPU v2023 task list (see the
    /// README): a task becomes a job when it asks for whole GPUs
    /// (`num_gpu` ≥ 1 and `gpu_milli` = 1000), was scheduled, ran for a
    /// positive time (`deletion_time` > `scheduled_time`) and was created
    /// before the end of the run. Its rack model is the trace's `rack` when
    /// `gpu_spec` is empty or absent, else that of the first GPU model it
    /// lists that `[traces.racks]` maps. Malformed rows, rows whose GPU
    /// models are not mapped and tasks larger than one rack of their model
    /// are located errors.
    pub(super) fn alibaba_rows(
        &mut self,
        p: &FieldPath,
        shown: &str,
        text: &str,
        d: &TraceDefaults,
        rack_types: &[RackType],
        most: &[u64],
    ) -> Option<(Vec<TraceRow>, [u64; 5])> {
        let required = [
            "name",
            "num_gpu",
            "gpu_milli",
            "creation_time",
            "deletion_time",
            "scheduled_time",
        ];
        let (headers, mut reader) = self.trace_reader(p, shown, text, &required)?;
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or(0);
        let [ni, gi, mi, ci, di, si] = required.map(col);
        let spec_col = headers.iter().position(|h| h == "gpu_spec");
        let default_rack = d.rack?;
        let errors_before = self.problems.located.len();
        let mut rows = Vec::new();
        let mut skipped = [0u64; 5];
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.at_line(p, shown, line, format!("unreadable row: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            if rows.len() >= MAX_TRACE_JOBS {
                self.at_line(
                    p,
                    shown,
                    line,
                    format!("a trace gives at most {MAX_TRACE_JOBS} jobs; split the file"),
                );
                break;
            }
            let get = |i: usize| record.get(i).unwrap_or("");
            let row = (|| -> Result<Result<TraceRow, usize>, String> {
                let gpus = trace_count(get(gi), "num_gpu")?;
                let milli = trace_count(get(mi), "gpu_milli")?;
                let created = trace_number(get(ci), "creation_time")?;
                let deleted = trace_number(get(di), "deletion_time")?;
                let scheduled = match get(si) {
                    "" => None,
                    raw => Some(trace_number(raw, "scheduled_time")?),
                };
                // Skipped by the first rule a row fails, in the README's order.
                if gpus == 0 {
                    return Ok(Err(0));
                }
                if milli != 1000 {
                    return Ok(Err(1));
                }
                let Some(scheduled) = scheduled else {
                    return Ok(Err(2));
                };
                if deleted <= scheduled {
                    return Ok(Err(3));
                }
                let submit = SimTime::ZERO.checked_add(SimDuration::from_secs_f64(created));
                let Some(submit) = submit.filter(|t| *t < self.end) else {
                    return Ok(Err(4));
                };
                let spec = spec_col.map_or("", get);
                let rack = match gpu_spec_rack(spec, gpus, &d.gpu_racks, rack_types)? {
                    Some(r) => r,
                    None if gpus > rack_types[default_rack].rack.chips => {
                        let r = &rack_types[default_rack].rack;
                        return Err(format!(
                            "`num_gpu` {gpus} is more than a rack of {} holds ({} chips): a task of this trace runs on one server, so give the trace's `rack` a rack model of at least {gpus} chips",
                            r.name, r.chips
                        ));
                    }
                    None => default_rack,
                };
                let rt = &rack_types[rack];
                let per = rt.rack.scaleup_domain.max(1);
                let chips = gpus
                    .checked_next_multiple_of(per)
                    .ok_or_else(|| format!("`num_gpu` {gpus} is too large"))?;
                domains_of(chips, rt, most[rack], false)?;
                let ideal = SimDuration::from_secs_f64(deleted - scheduled);
                Ok(Ok(TraceRow {
                    line,
                    name: format!("{}-{}", d.name, get(ni)),
                    rack,
                    chips,
                    submit,
                    work: RowWork::Ideal(ideal),
                }))
            })();
            match row {
                Ok(Ok(row)) => rows.push(row),
                Ok(Err(why)) => skipped[why] += 1,
                Err(message) => self.at_line(p, shown, line, message),
            }
        }
        (self.problems.located.len() == errors_before).then_some((rows, skipped))
    }
}

/// The rack type of an Alibaba row's `gpu_spec` (`"V100M16|V100M32"`: GPU
/// models separated by `|`) for a task of `gpus` GPUs: that of the first
/// listed model `racks` maps whose racks hold `gpus` chips (a task runs on
/// one server); `None` for an empty spec (any GPU: the trace's `rack`); an
/// error naming the fix when `racks` maps none of them or none that large.
pub(super) fn gpu_spec_rack(
    spec: &str,
    gpus: u32,
    racks: &BTreeMap<String, usize>,
    rack_types: &[RackType],
) -> Result<Option<usize>, String> {
    let spec_q = quote_short(spec);
    let models: Vec<&str> = spec
        .split('|')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    let Some(first) = models.first() else {
        return Ok(None);
    };
    let first = quote_short(first);
    let mapped: Vec<(&str, usize)> = models
        .iter()
        .filter_map(|m| racks.get(*m).map(|r| (*m, *r)))
        .collect();
    if let Some((_, r)) = mapped
        .iter()
        .find(|(_, r)| rack_types[*r].rack.chips >= gpus)
    {
        return Ok(Some(*r));
    }
    if let Some((model, _)) = mapped.first() {
        let model = quote_short(model);
        let sizes: Vec<String> = mapped
            .iter()
            .map(|(m, r)| {
                let rack = &rack_types[*r].rack;
                format!("{m} → {}: {} chips", rack.name, rack.chips)
            })
            .collect();
        return Err(format!(
            "`num_gpu` {gpus} is more than a rack holds of any model `gpu_spec` \"{spec_q}\" maps to ({}): a task of this trace runs on one server, so map {model} in [traces.racks] to a rack model of at least {gpus} chips",
            sizes.join(", ")
        ));
    }
    if racks.is_empty() {
        return Err(format!(
            "`gpu_spec` \"{spec_q}\" asks for GPU models and the trace maps none to a rack model; add a table [traces.racks] to this [[traces]] entry, e.g. {first} = \"<rack model>\""
        ));
    }
    Err(format!(
        "`gpu_spec` \"{spec_q}\" names no GPU model that [traces.racks] maps (it maps {}); add e.g. {first} = \"<rack model>\" to [traces.racks]",
        racks
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    ))
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
