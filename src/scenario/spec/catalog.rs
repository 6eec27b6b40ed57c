//! Catalog overrides: `[[chips]]` and `[[racks]]`.

use serde::Deserialize;

/// A chip to add, or a built-in chip to change (give its `name` and only the
/// fields to change).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipOverrideSpec {
    /// Catalog key.
    pub name: String,
    /// Vendor's model name.
    #[serde(default)]
    pub model: Option<String>,
    /// Vendor.
    #[serde(default)]
    pub vendor: Option<String>,
    /// Year of first availability.
    #[serde(default)]
    pub year: Option<u16>,
    /// Dense BF16 rate [TFLOP/s].
    #[serde(default)]
    pub bf16_tflops: Option<f64>,
    /// Dense FP8 rate [TFLOP/s].
    #[serde(default)]
    pub fp8_tflops: Option<f64>,
    /// HBM capacity \[GB\].
    #[serde(default)]
    pub hbm_gb: Option<f64>,
    /// HBM bandwidth [TB/s].
    #[serde(default)]
    pub hbm_tb_per_s: Option<f64>,
    /// Thermal design power \[W\].
    #[serde(default)]
    pub tdp_w: Option<f64>,
    /// Idle draw \[W\].
    #[serde(default)]
    pub idle_w: Option<f64>,
    /// Scale-up bandwidth per chip, bidirectional [GB/s].
    #[serde(default)]
    pub scaleup_gb_per_s: Option<f64>,
    /// Price per chip \[USD\].
    #[serde(default)]
    pub price_usd: Option<f64>,
    /// Chip failures per million chip-hours.
    #[serde(default)]
    pub gpu_failures_per_million_hours: Option<f64>,
    /// HBM failures per million chip-hours.
    #[serde(default)]
    pub hbm_failures_per_million_hours: Option<f64>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A rack to add, or a built-in rack to change.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RackOverrideSpec {
    /// Catalog key.
    pub name: String,
    /// Descriptive name.
    #[serde(default)]
    pub model: Option<String>,
    /// Catalog key of its chip.
    #[serde(default)]
    pub chip: Option<String>,
    /// Chips per rack.
    #[serde(default)]
    pub chips: Option<u32>,
    /// Nodes per rack.
    #[serde(default)]
    pub nodes: Option<u32>,
    /// Chips per scale-up domain.
    #[serde(default)]
    pub scaleup_domain: Option<u32>,
    /// Non-chip power of the rack \[kW\].
    #[serde(default)]
    pub overhead_kw: Option<f64>,
    /// Scale-out bandwidth per chip [Gbit/s].
    #[serde(default)]
    pub scaleout_gbit_per_s: Option<f64>,
    /// Price of the rack \[USD\].
    #[serde(default)]
    pub price_usd: Option<f64>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
}
