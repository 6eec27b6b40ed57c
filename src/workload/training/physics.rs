//! A training job's rates: its full rate, the slowdown its gradient
//! all-reduce exposes, how often it is interrupted, and the checkpoint
//! interval that follows (Young/Daly).

use crate::catalog::failures::FailureKind;
use crate::engine::SimDuration;
use crate::world::config::{FailureClass, RackType};

use super::config::{Comm, Job};

impl Comm {
    /// Bytes each replica sends per step in a ring all-reduce:
    /// `2·(k−1)/k · gradient bytes` \[B\].
    pub fn ring_bytes(&self) -> f64 {
        let k = f64::from(self.data_parallel);
        2.0 * (k - 1.0) / k * self.gradient_bytes
    }

    /// The slowdown of a job whose step computes for `compute_s` seconds
    /// and whose ring runs at `rate_bps` bits per second: `t_c ÷ (t_c +
    /// max(0, t_n − overlap·t_c))`, with `t_n = ring bytes × 8 ÷ rate`
    /// (0 for a stalled ring; 1 for `rate_bps` = ∞).
    pub fn speed(&self, compute_s: f64, rate_bps: f64) -> f64 {
        if rate_bps <= 0.0 {
            return 0.0;
        }
        let comm_s = self.ring_bytes() * 8.0 / rate_bps;
        let exposed = (comm_s - self.overlap * compute_s).max(0.0);
        if exposed == 0.0 {
            1.0
        } else {
            compute_s / (compute_s + exposed)
        }
    }
}

/// The rate of a job of `chips` chips of `rack` at full speed: chips ×
/// peak BF16 × `mfu` [FLOP/s]. The one place it is written: the model,
/// the job sources and validation all call it.
pub fn full_rate(chips: u32, rack: &RackType, mfu: f64) -> f64 {
    f64::from(chips) * rack.chip.bf16.value() * mfu
}

impl Job {
    /// Its rate at full speed ([`full_rate`]) [FLOP/s].
    pub fn full_rate(&self, rack: &RackType) -> f64 {
        full_rate(self.chips, rack, self.mfu)
    }
}

/// Rate [per hour] of the interruptions of a running job of `chips` chips
/// of `rack`, from the classes' rates (`gpu` and `hbm` falling back on the
/// chip's catalog figure, as the world does): per chip GPU, HBM and other
/// GPU faults, per node host and NIC, per rack rack power and switch or
/// cable (the uplink rate counts per chip of the racks), its one site's
/// outages, and `software` per node (software interruptions, per
/// node-hour). The job is taken packed into the fewest racks, `⌈chips ÷
/// chips per rack⌉`.
///
/// `λ = chips·(λ_gpu + λ_hbm + λ_gpu_other) + nodes·(λ_host + λ_nic +
/// λ_software) + racks·(λ_rack_power + chips per rack·λ_switch_cable) +
/// λ_site_outage`.
pub fn job_failure_rate(
    failures: &[FailureClass],
    rack: &RackType,
    chips: u32,
    software: f64,
) -> f64 {
    let rate = |k: FailureKind| rack.failure_rates[k.index()];
    let site_outage = failures
        .iter()
        .find(|c| c.kind == FailureKind::SiteOutage)
        .map_or(0.0, |c| c.rate_per_hour);
    let per_chip = rate(FailureKind::Gpu) + rate(FailureKind::Hbm) + rate(FailureKind::GpuOther);
    let per_node = rate(FailureKind::Host) + rate(FailureKind::Nic) + software;
    let nodes = chips / rack.rack.chips_per_node().max(1);
    let racks = chips.div_ceil(rack.rack.chips.max(1));
    let per_rack =
        rate(FailureKind::RackPower) + f64::from(rack.rack.chips) * rate(FailureKind::SwitchCable);
    f64::from(chips) * per_chip
        + f64::from(nodes) * per_node
        + f64::from(racks) * per_rack
        + site_outage
}

/// Young/Daly's checkpoint interval `sqrt(2 · C · MTBF)` for checkpoint
/// write time `checkpoint_time` and failure rate `rate_per_hour` (MTBF =
/// 1 / rate), to the microsecond.
pub fn young_daly(checkpoint_time: SimDuration, rate_per_hour: f64) -> SimDuration {
    let mtbf_s = 3600.0 / rate_per_hour;
    SimDuration::from_secs_f64((2.0 * checkpoint_time.seconds() * mtbf_s).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::world::config::{Distribution, Lifetime};

    #[test]
    fn job_failure_rate_falls_back_on_the_chip_catalog_and_young_daly_follows() {
        let catalog = Catalog::builtin();
        let h100 = RackType {
            rack: catalog.rack("hgx-h100").unwrap().clone(),
            chip: catalog.chip("h100").unwrap().clone(),
            failure_rates: [0.0; FailureKind::ALL.len()],
        };
        // The classes' rates as a scenario sets them, resolved as the
        // boundary does: `None` for gpu and hbm is the chip's catalog figure.
        let lambda = |rates: &[Option<f64>; FailureKind::ALL.len()], chips: u32, software: f64| {
            let classes: Vec<FailureClass> = FailureKind::ALL
                .iter()
                .map(|&kind| FailureClass {
                    kind,
                    rate_per_hour: rates[kind.index()].unwrap_or(0.0),
                    lifetime: Lifetime::Exponential,
                    repair: Distribution::Fixed(SimDuration::from_hours(1)),
                })
                .collect();
            let mut rack = h100.clone();
            for k in FailureKind::ALL {
                rack.failure_rates[k.index()] = rates[k.index()]
                    .or_else(|| rack.chip.failures_per_mhr(k).map(|r| r / 1e6))
                    .unwrap_or(0.0);
            }
            job_failure_rate(&classes, &rack, chips, software)
        };
        // GPU and HBM from the catalog (148 and 72 per 21,233,664 chip-hours
        // of Llama 3 405B), everything else off (gpu_other included).
        let mut rates = [Some(0.0); FailureKind::ALL.len()];
        rates[FailureKind::Gpu.index()] = None;
        rates[FailureKind::Hbm.index()] = None;
        // 16,384 chips over 54 days are the 21,233,664 chip-hours the rates
        // come from: 148 + 72 = 220 interruptions expected.
        let rate = lambda(&rates, 16_384, 0.0);
        assert!((rate * 54.0 * 24.0 - 220.0).abs() < 1e-9, "{rate}");
        // MTBF = 21,233,664 / (220 · 16,384) h; C = 60 s.
        let mtbf_s: f64 = 21_233_664.0 / (220.0 * 16_384.0) * 3600.0;
        let every = young_daly(SimDuration::from_secs(60), rate);
        assert_eq!(
            every,
            SimDuration::from_secs_f64((2.0 * 60.0 * mtbf_s).sqrt())
        );
        // gpu_other has no catalog figure per chip; at its class default,
        // 48 per 21,233,664 GPU-hours, the job sees 148 + 72 + 48 = 268.
        rates[FailureKind::GpuOther.index()] = Some(
            crate::catalog::failures::defaults()[FailureKind::GpuOther.index()]
                .rate_per_million_hours
                / 1e6,
        );
        let rate = lambda(&rates, 16_384, 0.0);
        assert!((rate * 54.0 * 24.0 - 268.0).abs() < 1e-9, "{rate}");
        // Every class the Llama 3 table counts at its default, and software
        // faults at 63 per 2,654,208 node-hours: the published 419 =
        // 148 + 72 + 48 (per GPU) + 46 + 7 + 63 (per node: 2,048 nodes) + 35
        // (switch/cable per GPU of the 512 racks).
        let defaults = crate::catalog::failures::defaults();
        for k in [
            FailureKind::Host,
            FailureKind::Nic,
            FailureKind::SwitchCable,
        ] {
            rates[k.index()] = Some(defaults[k.index()].rate_per_million_hours / 1e6);
        }
        let software = crate::catalog::failures::SOFTWARE_PER_MILLION_NODE_HOURS / 1e6;
        let rate = lambda(&rates, 16_384, software);
        assert!(
            (rate * 54.0 * 24.0 - 419.0).abs() < 1e-9,
            "{}",
            rate * 54.0 * 24.0
        );
        rates[FailureKind::Nic.index()] = Some(0.0);
        rates[FailureKind::SwitchCable.index()] = Some(0.0);
        // Host and NIC per node (8 chips), rack power per rack (4 nodes):
        // 16 chips = 2 nodes = 1 rack; 40 chips = 5 nodes = 2 racks.
        rates[FailureKind::Gpu.index()] = Some(0.0);
        rates[FailureKind::Hbm.index()] = Some(0.0);
        rates[FailureKind::GpuOther.index()] = Some(0.0);
        rates[FailureKind::Host.index()] = Some(1.0);
        rates[FailureKind::RackPower.index()] = Some(10.0);
        rates[FailureKind::SiteOutage.index()] = Some(100.0);
        assert_eq!(lambda(&rates, 16, 0.0), 2.0 + 10.0 + 100.0);
        assert_eq!(lambda(&rates, 40, 0.0), 5.0 + 20.0 + 100.0);
        // Software per node (0.5/h × 5 nodes); switch/cable per chip of a
        // rack (0.01/h × 32 chips × 2 racks).
        rates[FailureKind::SwitchCable.index()] = Some(0.01);
        assert!((lambda(&rates, 40, 0.5) - (5.0 + 20.0 + 100.0 + 2.5 + 0.64)).abs() < 1e-12);
    }
}
