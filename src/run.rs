//! The settings of a run that every layer reads: its name, its seed, the
//! calendar it runs on, where it ends and how often it is sampled.

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

impl RunConfig {}
