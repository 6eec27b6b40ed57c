//! The run's horizon: `start`, `duration` or `end`, and the longest run
//! allowed.

use super::{
    MAX_NODES, MAX_SAMPLES_PER_SITE, MAX_TIMESERIES_ROWS, TIMESERIES_ROW_BYTES, suggest_interval,
};
use crate::engine::SimDuration;
use crate::world::config::{RackType, Site};
use chrono::NaiveDate;
use std::collections::BTreeSet;

use crate::engine::SimTime;
use crate::engine::time::MICROS_PER_DAY;
use crate::scenario::spec::ScenarioSpec;
use crate::scenario::tree::FieldPath;

use super::{MAX_RUN_YEARS, Validator};

impl Validator<'_> {
    pub(super) fn horizon(
        &mut self,
        spec: &ScenarioSpec,
        start: Option<NaiveDate>,
    ) -> Option<SimTime> {
        let end = self.horizon_end(spec, start)?;
        let longest = MAX_RUN_YEARS * 36_525 * MICROS_PER_DAY / 100;
        if end.0 > longest {
            let key = if spec.duration.is_some() {
                "duration"
            } else {
                "end"
            };
            self.err(
                &FieldPath::default().key(key),
                format!(
                    "the run is {:.0} years long; at most {MAX_RUN_YEARS} years are allowed",
                    end.0 as f64 / (365.25 * MICROS_PER_DAY as f64)
                ),
            );
            return None;
        }
        Some(end)
    }

    pub(super) fn horizon_end(
        &mut self,
        spec: &ScenarioSpec,
        start: Option<NaiveDate>,
    ) -> Option<SimTime> {
        let root = FieldPath::default();
        match (&spec.duration, &spec.end) {
            (Some(_), Some(_)) => {
                self.err(
                    &root.key("end"),
                    "give either `duration` or `end`, not both",
                );
                None
            }
            (None, None) => {
                self.err(
                    &root.key("duration"),
                    "missing: say how long to simulate with duration = \"7y\" or end = \"2033-01-01\"",
                );
                None
            }
            (Some(text), None) => {
                let d = self.positive_duration(&root.key("duration"), text)?;
                // Whole years run to the same calendar day: "7y" from
                // 2025-11-01 ends on 2032-11-01, leap days included.
                let years = text
                    .trim()
                    .strip_suffix('y')
                    .and_then(|n| n.parse::<u32>().ok());
                match (years, start) {
                    (Some(n), Some(start)) => start
                        .checked_add_months(chrono::Months::new(12 * n))
                        .and_then(|end| self.calendar.time_of_date(end))
                        .or(Some(SimTime(d.0))),
                    _ => Some(SimTime(d.0)),
                }
            }
            (None, Some(text)) => {
                let end = self.date(&root.key("end"), text)?;
                let start = start?;
                if end <= start {
                    self.err(
                        &root.key("end"),
                        format!("{end} is not after the start date {start}"),
                    );
                    return None;
                }
                self.calendar.time_of_date(end)
            }
        }
    }
}

impl Validator<'_> {
    /// The interval between samples (default 1 h), and the key where a
    /// problem of their number is shown: `sample_every` if the file sets it,
    /// else what sets the run's length.
    pub(super) fn sample_every(
        &mut self,
        spec: &ScenarioSpec,
    ) -> (&'static str, Option<SimDuration>) {
        let root = FieldPath::default();
        // Where a problem of the number of samples is shown: at `sample_every`
        // if the file sets it, else at what sets the run's length.
        let samples_key = if spec.sample_every.is_some() {
            "sample_every"
        } else if spec.end.is_some() && spec.duration.is_none() {
            "end"
        } else {
            "duration"
        };
        let sample_every = match &spec.sample_every {
            Some(text) => self.positive_duration(&root.key("sample_every"), text),
            None => Some(SimDuration::from_hours(1)),
        };
        if let Some(s) = sample_every
            && self.end != SimTime::MAX
            && s.0 > self.end.0
        {
            self.err(
                &root.key(samples_key),
                format!("{s} is longer than the whole run; sample at least once, e.g. \"1h\""),
            );
        }
        (samples_key, sample_every)
    }

    /// Limits that keep a typo from running for days, exhausting memory or
    /// filling the disk: samples per site, rows of `timeseries.csv` and
    /// `capacity.csv`, nodes.
    pub(super) fn output_bounds(
        &mut self,
        spec: &ScenarioSpec,
        samples_key: &str,
        sample_every: Option<SimDuration>,
        sites: &[Site],
        rack_types: &[RackType],
    ) {
        let root = FieldPath::default();
        if let Some(every) = sample_every
            && self.end != SimTime::MAX
            && every.0 > 0
        {
            let samples = self.end.0 / every.0;
            let rows = samples.saturating_mul(spec.sites.len() as u64);
            // The interval that would give the most rows allowed.
            let site_count = spec.sites.len().max(1) as u64;
            let fewest =
                self.end.0 / (MAX_TIMESERIES_ROWS / site_count).clamp(1, MAX_SAMPLES_PER_SITE);
            let hint = suggest_interval(SimDuration(fewest));
            if samples > MAX_SAMPLES_PER_SITE {
                self.err(
                    &root.key(samples_key),
                    format!(
                        "sampling every {every} gives {samples} samples per site over the run, more than the {MAX_SAMPLES_PER_SITE} allowed; sample less often with sample_every (e.g. sample_every = \"{hint}\")"
                    ),
                );
            } else if rows > MAX_TIMESERIES_ROWS {
                self.err(
                    &root.key(samples_key),
                    format!(
                        "{} sites × {samples} samples (every {every}) is {rows} rows of timeseries.csv, about {:.1} GB; at most {MAX_TIMESERIES_ROWS} rows (about {:.0} GB) are allowed: sample less often with sample_every (e.g. sample_every = \"{hint}\")",
                        spec.sites.len(),
                        (rows * TIMESERIES_ROW_BYTES) as f64 / 1e9,
                        (MAX_TIMESERIES_ROWS * TIMESERIES_ROW_BYTES) as f64 / 1e9
                    ),
                );
            } else {
                // capacity.csv has a row per sample, site and rack model the
                // site builds.
                let models: u64 = sites
                    .iter()
                    .map(|s| {
                        let kinds: BTreeSet<usize> = s.phases.iter().map(|p| p.rack_type).collect();
                        kinds.len() as u64
                    })
                    .sum();
                let capacity_rows = samples.saturating_mul(models);
                if capacity_rows > MAX_TIMESERIES_ROWS {
                    let fewest = self.end.0 / (MAX_TIMESERIES_ROWS / models.max(1)).max(1);
                    let hint = suggest_interval(SimDuration(fewest));
                    self.err(
                        &root.key(samples_key),
                        format!(
                            "{models} (site, rack model) pairs × {samples} samples (every {every}) is {capacity_rows} rows of capacity.csv; at most {MAX_TIMESERIES_ROWS} are allowed: sample less often with sample_every (e.g. sample_every = \"{hint}\")"
                        ),
                    );
                }
            }
        }
        let nodes: u64 = sites
            .iter()
            .flat_map(|s| &s.phases)
            .map(|p| u64::from(p.count) * u64::from(rack_types[p.rack_type].rack.nodes))
            .sum();
        if nodes > MAX_NODES {
            self.err(
                &root.key("sites"),
                format!(
                    "the build-outs add up to {nodes} nodes; dcsim keeps state per node and allows at most {MAX_NODES} (about 100 million chips)"
                ),
            );
        }
    }
}
