//! What every table shares: located checks of single values (finite and
//! bounded numbers, positive numbers, fractions, counts, durations and
//! dates, inside the horizon or not), the entries of an array of tables with
//! their paths, and unique names.

use super::MAX_NAME_CHARS;
use crate::scenario::spec::ScenarioSpec;
use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::engine::{SimDuration, SimTime};
use crate::input::{MAX_CSV_BYTES, read_regular_file};
use crate::scenario::diag::{Issue, Location};
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

/// The entries of an array of tables (`[[jobs]]`), each with its field
/// path (`jobs[2]`).
pub(super) fn entries<'s, T>(
    table: &'static str,
    specs: &'s [T],
) -> impl Iterator<Item = (FieldPath, &'s T)> + 's {
    let root = FieldPath::default().key(table);
    specs
        .iter()
        .enumerate()
        .map(move |(i, spec)| (root.index(i), spec))
}

impl Validator<'_> {
    /// Problems found so far, located or not: an entry is whole when the
    /// count did not grow while it was checked.
    pub(super) fn problem_count(&self) -> usize {
        self.problems.by_path.len() + self.problems.located.len()
    }

    /// Checks the `name` of the entry at `p`: given (else `missing`, which
    /// says how) and unique in its table, compared without case (else
    /// `taken`'s message, from the name); adds it to `seen`.
    pub(super) fn unique_name(
        &mut self,
        seen: &mut BTreeSet<String>,
        p: &FieldPath,
        name: &str,
        missing: &str,
        taken: impl FnOnce(&str) -> String,
    ) {
        if name.trim().is_empty() {
            self.err(&p.key("name"), missing);
        } else if !seen.insert(name.to_lowercase()) {
            // Quoted short: a message stays one short line whatever the name.
            self.err(
                &p.key("name"),
                taken(&crate::scenario::diag::quote_short(name)),
            );
        }
    }
}

impl Validator<'_> {
    /// The scenario's `name` (it names the output folder) and every entry's
    /// name printable.
    pub(super) fn names(&mut self, spec: &ScenarioSpec) {
        let root = FieldPath::default();
        if spec.name.chars().count() > MAX_NAME_CHARS {
            self.err(
                &root.key("name"),
                format!(
                    "the name is {} characters long; it names the output folder, so at most {MAX_NAME_CHARS} are allowed",
                    spec.name.chars().count()
                ),
            );
        } else if spec.name.trim().is_empty()
            || !spec
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            || spec.name.starts_with('.')
        {
            self.err(
                &root.key("name"),
                format!(
                    "\"{}\" cannot name an output folder; use letters, digits, '-', '_' or '.', e.g. name = \"two-sites\"",
                    spec.name
                ),
            );
        }

        // Names appear in CSV files, in the charts (SVG: XML, which cannot
        // carry most control characters) and in messages: printable only.
        let names: [(&str, Vec<&str>); 6] = [
            (
                "sites",
                spec.sites.iter().map(|x| x.name.as_str()).collect(),
            ),
            ("jobs", spec.jobs.iter().map(|x| x.name.as_str()).collect()),
            (
                "arrivals",
                spec.arrivals.iter().map(|x| x.name.as_str()).collect(),
            ),
            (
                "services",
                spec.services.iter().map(|x| x.name.as_str()).collect(),
            ),
            (
                "chips",
                spec.chips.iter().map(|x| x.name.as_str()).collect(),
            ),
            (
                "racks",
                spec.racks.iter().map(|x| x.name.as_str()).collect(),
            ),
        ];
        for (table, list) in names {
            for (i, name) in list.iter().enumerate() {
                if name
                    .chars()
                    .any(|c| c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}'))
                {
                    self.err(
                        &root.key(table).index(i).key("name"),
                        format!(
                            "\"{}\" holds a control character; names appear in CSV files, charts and messages: use printable characters",
                            crate::scenario::diag::quote_short(name)
                        ),
                    );
                }
            }
        }
    }
}

impl Validator<'_> {
    /// Reads the CSV file named `file` at `p` (relative to the scenario file
    /// that names it), within [`MAX_CSV_BYTES`] (`size_hint` says how many
    /// rows that holds): its path as shown in messages and its text, or
    /// `None` when unreadable or not UTF-8 (reported at `p`).
    pub(super) fn read_csv(
        &mut self,
        p: &FieldPath,
        file: &str,
        size_hint: &'static str,
    ) -> Option<(String, String)> {
        let path = self.input_path(p, file);
        let shown = path.display().to_string();
        let bytes = match read_regular_file(&path, MAX_CSV_BYTES, size_hint) {
            Ok(b) => b,
            Err(e) => {
                self.err(
                    p,
                    format!(
                        "cannot read \"{shown}\": {e} (paths are relative to the scenario file)"
                    ),
                );
                return None;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => Some((shown, text)),
            Err(_) => {
                self.err(
                    p,
                    format!("\"{shown}\" is not UTF-8 text; save it as UTF-8 CSV"),
                );
                None
            }
        }
    }

    /// Pushes a problem located at `line` of the input file `shown` (a trace, an hourly CSV).
    pub(super) fn at_line(&mut self, p: &FieldPath, shown: &str, line: u64, message: String) {
        self.at(p, shown, line, 1, message);
    }

    /// Pushes a problem located at `line` and `column` of the input file
    /// `shown` (a trace's row error).
    pub(super) fn at(
        &mut self,
        p: &FieldPath,
        shown: &str,
        line: u64,
        column: u64,
        message: String,
    ) {
        self.problems.located.push(Issue {
            location: Location::File {
                file: shown.to_string(),
                line: line as usize,
                column: column as usize,
            },
            field: p.to_string(),
            message,
        });
    }
}
