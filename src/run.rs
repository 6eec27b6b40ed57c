//! The settings of a run that every layer reads: its name, its seed, the
//! calendar it runs on, where it ends and how often it is sampled.

use chrono::Datelike;

use crate::engine::{Calendar, SimDuration, SimTime};

/// The run's own settings, as resolved at the scenario boundary.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Short name; the output folder is `output/<name>/`.
    pub name: String,
    /// Description for the reader.
    pub description: String,
    /// Seed of every random stream.
    pub seed: u64,
    /// Calendar anchored at the start date.
    pub calendar: Calendar,
    /// End of the run (exclusive) as simulated time.
    pub end: SimTime,
    /// Interval between samples.
    pub sample_every: SimDuration,
}

impl RunConfig {
    /// Simulated time of the start of the calendar month after `t`.
    pub fn next_month_start(&self, t: SimTime) -> SimTime {
        let d = self.calendar.date(t);
        let (y, m) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        let first = chrono::NaiveDate::from_ymd_opt(y, m, 1).expect("valid month start");
        self.calendar.time_of_date(first).unwrap_or(SimTime::MAX)
    }
}
