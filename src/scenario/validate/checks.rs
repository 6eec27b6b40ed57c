//! Located checks of single values shared by every table: finite and
//! bounded numbers, positive numbers, fractions, counts, durations and dates
//! (inside the horizon or not).

use chrono::NaiveDate;

use crate::engine::{SimDuration, SimTime};
use crate::scenario::tree::FieldPath;

use super::{MAX_MAGNITUDE, MIN_POSITIVE, Validator, number, parse_date, parse_duration};

impl Validator<'_> {
    pub(super) fn err(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.problems.by_path.push((path.clone(), message.into()));
    }

    pub(super) fn finite(&mut self, p: &FieldPath, x: f64) -> Option<f64> {
        if !x.is_finite() {
            self.err(p, format!("expected a finite number, found {x}"));
            None
        } else if x.abs() > MAX_MAGNITUDE {
            self.err(
                p,
                format!("{} is beyond any plausible value (the limit is ±{MAX_MAGNITUDE:e}); check the unit in the key name", number(x)),
            );
            None
        } else {
            Some(x)
        }
    }

    pub(super) fn positive(&mut self, p: &FieldPath, x: f64, what: &str) -> Option<f64> {
        let x = self.finite(p, x)?;
        if x <= 0.0 {
            self.err(
                p,
                format!("must be greater than 0, found {} ({what})", number(x)),
            );
            None
        } else if x < MIN_POSITIVE {
            self.err(
                p,
                format!("{} is too small to be meant (the smallest accepted is {MIN_POSITIVE:e}; {what})", number(x)),
            );
            None
        } else {
            Some(x)
        }
    }

    pub(super) fn non_negative(&mut self, p: &FieldPath, x: f64, what: &str) -> Option<f64> {
        let x = self.finite(p, x)?;
        if x >= 0.0 {
            Some(x)
        } else {
            self.err(
                p,
                format!("must be 0 or more, found {} ({what})", number(x)),
            );
            None
        }
    }

    pub(super) fn fraction(&mut self, p: &FieldPath, x: f64) -> Option<f64> {
        let x = self.finite(p, x)?;
        if (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.err(
                p,
                format!(
                    "must be between 0 and 1, found {} (a fraction: 0.7 means 70%)",
                    number(x)
                ),
            );
            None
        }
    }

    pub(super) fn positive_int(&mut self, p: &FieldPath, n: u32, what: &str) -> Option<u32> {
        if n > 0 {
            Some(n)
        } else {
            self.err(p, format!("must be at least 1, found 0 ({what})"));
            None
        }
    }

    pub(super) fn duration(&mut self, p: &FieldPath, text: &str) -> Option<SimDuration> {
        match parse_duration(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(p, e);
                None
            }
        }
    }

    pub(super) fn positive_duration(&mut self, p: &FieldPath, text: &str) -> Option<SimDuration> {
        let d = self.duration(p, text)?;
        if d.0 == 0 {
            self.err(p, format!("must be longer than zero, found \"{text}\""));
            return None;
        }
        Some(d)
    }

    pub(super) fn date(&mut self, p: &FieldPath, text: &str) -> Option<NaiveDate> {
        match parse_date(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(p, e);
                None
            }
        }
    }

    /// A date that must fall inside the simulated horizon.
    pub(super) fn date_in_horizon(&mut self, p: &FieldPath, text: &str) -> Option<SimTime> {
        let date = self.date(p, text)?;
        let start = self.calendar.start();
        let end_date = (self.end != SimTime::MAX).then(|| self.calendar.date(self.end));
        match self.calendar.time_of_date(date) {
            Some(t) if t < self.end => Some(t),
            _ => {
                let horizon = match end_date {
                    Some(e) => format!("from {start} up to (not including) {e}"),
                    None => format!("on or after {start}"),
                };
                self.err(
                    p,
                    format!("{date} is outside the simulated horizon; use a date {horizon}"),
                );
                None
            }
        }
    }
}
