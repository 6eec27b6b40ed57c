//! The built-in catalog of accelerators (chips) and the systems (racks) built
//! from them, with public figures and their sources.
//!
//! This module owns the figures only. It knows nothing of scenario files: a
//! scenario extends or overrides catalog entries through `scenario`, which
//! starts from [`Catalog::builtin`]. Every figure carries its source in the
//! entry's `source` text; figures a vendor does not publish are estimates,
//! listed with their derivation in `estimates`.

mod chips;
pub mod failures;
mod racks;

use crate::units::{BitsPerSecond, Bytes, BytesPerSecond, FlopsPerSecond, Usd, Watts};

/// One accelerator model: its compute, memory, power and reliability figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ChipSpec {
    /// Catalog key used in scenario files, e.g. `"h100"`.
    pub name: String,
    /// Vendor's model name, e.g. `"NVIDIA H100 SXM"`.
    pub model: String,
    /// Vendor, e.g. `"NVIDIA"`.
    pub vendor: String,
    /// Year of first availability.
    pub year: u16,
    /// Peak dense (no sparsity) BF16 rate [FLOP/s].
    pub bf16: FlopsPerSecond,
    /// Peak dense FP8 rate [FLOP/s]; `None` where the vendor publishes none.
    pub fp8: Option<FlopsPerSecond>,
    /// High-bandwidth memory capacity \[B\].
    pub hbm: Bytes,
    /// High-bandwidth memory bandwidth [B/s].
    pub hbm_bandwidth: BytesPerSecond,
    /// Thermal design power: the draw at full utilization \[W\].
    pub tdp: Watts,
    /// Draw when powered on and idle \[W\].
    pub idle: Watts,
    /// Scale-up (NVLink-class) bandwidth per chip, bidirectional aggregate [B/s].
    pub scaleup_bandwidth: BytesPerSecond,
    /// Purchase price per chip \[USD\]; `None` where no public figure exists.
    pub price: Option<Usd>,
    /// Chip ("faulty GPU") failures per million chip-hours [1/(1e6 h)].
    pub gpu_failures_per_mhr: f64,
    /// HBM failures per million chip-hours [1/(1e6 h)].
    pub hbm_failures_per_mhr: f64,
    /// Where each figure comes from.
    pub source: String,
    /// Which figures are estimates, and how each was derived; empty if none.
    pub estimates: String,
}

impl ChipSpec {
    /// This chip's own rate of a chip failure class [failures per million
    /// chip-hours]: its `gpu` or `hbm` figure, `None` for a class the chips
    /// of the catalog do not carry (see
    /// [`failures::FailureKind::rate_per_chip_model`]).
    pub fn failures_per_mhr(&self, kind: failures::FailureKind) -> Option<f64> {
        match kind {
            failures::FailureKind::Gpu => Some(self.gpu_failures_per_mhr),
            failures::FailureKind::Hbm => Some(self.hbm_failures_per_mhr),
            _ => None,
        }
    }
}

/// One rack-scale system: how many chips of which model, grouped into nodes
/// (servers or compute trays) and scale-up domains, with its non-chip power.
#[derive(Clone, Debug, PartialEq)]
pub struct RackSpec {
    /// Catalog key used in scenario files, e.g. `"gb200-nvl72"`.
    pub name: String,
    /// Descriptive name, e.g. `"NVIDIA GB200 NVL72"`.
    pub model: String,
    /// Catalog key of the chip it holds.
    pub chip: String,
    /// Chips per rack.
    pub chips: u32,
    /// Nodes (servers or compute trays) per rack: the unit that fails and is
    /// swapped. `chips` is a multiple of `nodes`.
    pub nodes: u32,
    /// Chips per scale-up domain (NVLink-class). `chips` is a multiple of it.
    pub scaleup_domain: u32,
    /// Non-chip power of the whole rack: CPUs, NICs, switches, fans \[W\].
    pub overhead: Watts,
    /// Scale-out (NIC) bandwidth per chip, one direction [bit/s].
    pub scaleout_per_chip: BitsPerSecond,
    /// Purchase price of the whole rack \[USD\]; `None` where unknown.
    pub price: Option<Usd>,
    /// Where each figure comes from.
    pub source: String,
    /// Which figures are estimates, and how each was derived; empty if none.
    pub estimates: String,
}

/// A set of chips and racks, looked up by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    /// Chips, in catalog order.
    pub chips: Vec<ChipSpec>,
    /// Racks, in catalog order.
    pub racks: Vec<RackSpec>,
}

impl Catalog {
    /// The built-in catalog of public figures.
    pub fn builtin() -> Self {
        Catalog {
            chips: chips::builtin(),
            racks: racks::builtin(),
        }
    }

    /// The chip with this catalog key.
    pub fn chip(&self, name: &str) -> Option<&ChipSpec> {
        self.chips.iter().find(|c| c.name == name)
    }

    /// The rack with this catalog key.
    pub fn rack(&self, name: &str) -> Option<&RackSpec> {
        self.racks.iter().find(|r| r.name == name)
    }
}

impl RackSpec {
    /// Chips per node.
    pub fn chips_per_node(&self) -> u32 {
        self.chips / self.nodes
    }

    /// Nameplate IT power: every chip at TDP plus the rack overhead \[W\].
    pub fn nameplate_power(&self, chip: &ChipSpec) -> Watts {
        chip.tdp * f64::from(self.chips) + self.overhead
    }
}
