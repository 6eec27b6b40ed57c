//! Configuration the world takes as its own types: resolved at the
//! scenario boundary, and named by the scenario file's plain data where a
//! key holds one of them as it is.

use serde::Deserialize;

use crate::engine::SimDuration;
use crate::units::BitsPerSecond;

/// What happens to a build-out phase that does not fit under its site's
/// grid connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridFullPolicy {
    /// Wait until there is room (a grid upgrade, or racks retired).
    #[default]
    Defer,
    /// Give up on the phase.
    Refuse,
}

/// Which days a time-of-use band (price or carbon intensity) applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Days {
    /// Every day.
    #[default]
    All,
    /// Monday to Friday.
    Weekdays,
    /// Saturday and Sunday.
    Weekends,
}

/// An inter-site link (both directions).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Index of one site.
    pub from: usize,
    /// Index of the other site.
    pub to: usize,
    /// Capacity each way.
    pub bandwidth: BitsPerSecond,
    /// One-way latency.
    pub latency: SimDuration,
}

/// Time-to-failure law of a class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lifetime {
    /// Constant hazard.
    Exponential,
    /// Weibull with this shape, scaled so the mean is `1 / rate`.
    Weibull {
        /// Shape k.
        shape: f64,
    },
}
