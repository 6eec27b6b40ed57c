//! `[[sites]]` with their build-out phases, grid upgrades, price and carbon,
//! and the `[[links]]` between sites.

use serde::Deserialize;

use crate::world::config::{Days, GridFullPolicy};

use super::DistributionSpec;

/// One datacenter site.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// Unique name.
    pub name: String,
    /// Grid connection \[MW\].
    pub grid_mw: f64,
    /// Later changes of the grid connection.
    #[serde(default)]
    pub grid_upgrades: Vec<GridUpgradeSpec>,
    /// Constant power usage effectiveness (facility / IT power).
    #[serde(default)]
    pub pue: Option<f64>,
    /// PUE for January … December, instead of `pue`.
    #[serde(default)]
    pub pue_monthly: Option<Vec<f64>>,
    /// Phases that do not fit under the grid connection: `"defer"` (wait
    /// for room, default) or `"refuse"`.
    #[serde(default)]
    pub when_grid_full: Option<GridFullPolicy>,
    /// Admit racks until nameplate facility power reaches this multiple of
    /// the grid connection (default 1.0; above 1, running load is capped).
    #[serde(default)]
    pub power_oversubscription: Option<f64>,
    /// Leaf-to-spine oversubscription of each rack's uplink (default 1.0).
    #[serde(default)]
    pub uplink_oversubscription: Option<f64>,
    /// Racks are decommissioned this long after commissioning (optional).
    #[serde(default)]
    pub end_of_life: Option<String>,
    /// Electricity price.
    #[serde(default)]
    pub price: Option<PriceSpec>,
    /// Grid carbon intensity.
    #[serde(default)]
    pub carbon: Option<CarbonSpec>,
    /// Delivery phases, commissioned in this order.
    #[serde(default)]
    pub buildout: Vec<PhaseSpec>,
}

/// A change of the grid connection on a date.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridUpgradeSpec {
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// New grid connection \[MW\].
    pub grid_mw: f64,
}

/// Electricity price: flat, time-of-use bands over a base, or an hourly CSV.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSpec {
    /// Flat price, or the base under the bands [USD/MWh].
    #[serde(default)]
    pub usd_per_mwh: Option<f64>,
    /// Time-of-use bands overriding the base.
    #[serde(default)]
    pub bands: Vec<PriceBandSpec>,
    /// CSV file with columns `timestamp,usd_per_mwh`, one row per change,
    /// each on a whole hour; relative to the scenario file.
    #[serde(default)]
    pub hourly_csv: Option<String>,
}

/// One time-of-use price band.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceBandSpec {
    /// `"all"` (default), `"weekdays"` or `"weekends"`.
    #[serde(default)]
    pub days: Option<Days>,
    /// First hour of the band, 0–23.
    pub from_hour: u32,
    /// Hour the band ends (exclusive), 1–24.
    pub to_hour: u32,
    /// Price during the band [USD/MWh].
    pub usd_per_mwh: f64,
}

/// Grid carbon intensity: flat, bands, or an hourly CSV.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarbonSpec {
    /// Flat intensity, or the base under the bands [kgCO2e/MWh].
    #[serde(default)]
    pub kg_per_mwh: Option<f64>,
    /// Time-of-day bands overriding the base.
    #[serde(default)]
    pub bands: Vec<CarbonBandSpec>,
    /// CSV file with columns `timestamp,kg_per_mwh`, one row per change,
    /// each on a whole hour; relative to the scenario file.
    #[serde(default)]
    pub hourly_csv: Option<String>,
}

/// One carbon-intensity band.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarbonBandSpec {
    /// `"all"` (default), `"weekdays"` or `"weekends"`.
    #[serde(default)]
    pub days: Option<Days>,
    /// First hour of the band, 0–23.
    pub from_hour: u32,
    /// Hour the band ends (exclusive), 1–24.
    pub to_hour: u32,
    /// Intensity during the band [kgCO2e/MWh].
    pub kg_per_mwh: f64,
}

/// One delivery of racks.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    /// Catalog key of the rack.
    pub rack: String,
    /// Number of racks.
    pub count: u32,
    /// Planned delivery date, `YYYY-MM-DD`.
    pub date: String,
    /// Random delivery delay added to the date (optional).
    #[serde(default)]
    pub delay: Option<DistributionSpec>,
    /// Spare nodes delivered with the phase (default 0).
    #[serde(default)]
    pub spare_nodes: Option<u32>,
    /// Overrides the site's `end_of_life` for these racks.
    #[serde(default)]
    pub end_of_life: Option<String>,
}

/// A link between two sites, both directions.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// One end (site name).
    pub from: String,
    /// The other end (site name).
    pub to: String,
    /// Capacity in each direction [Gbit/s].
    pub bandwidth_gbit_per_s: f64,
    /// One-way latency (`"5ms"`).
    pub latency: String,
}
