//! Planned maintenance: `[[maintenance]]`.

use serde::Deserialize;

/// A planned maintenance window (`[[maintenance]]`): the racks of a site
/// (of one rack model, if given) are drained and powered off for
/// `duration` from `start`, and again every `every` if given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceSpec {
    /// The site (by name).
    pub site: String,
    /// Only the racks of this rack model (default every rack of the site).
    #[serde(default)]
    pub rack: Option<String>,
    /// The first window: a date (`"2027-03-03"`) or an offset from the
    /// start (`"720h"`).
    pub start: String,
    /// How long the racks are down (`"4h"`).
    pub duration: String,
    /// Period of the windows after the first (`"7d"`); longer than
    /// `duration` (default: one window).
    #[serde(default)]
    pub every: Option<String>,
    /// Share of the racks each window takes, rolling over them in rack
    /// order from one window to the next (0 to 1, default 1: all).
    #[serde(default)]
    pub fraction: Option<f64>,
}
