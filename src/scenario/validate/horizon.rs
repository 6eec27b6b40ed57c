//! The run's horizon: `start`, `duration` or `end`, and the longest run
//! allowed.

use chrono::NaiveDate;

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
