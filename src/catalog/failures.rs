//! Failure classes and their default rates and repair times, from published
//! large-cluster figures where they exist and marked as estimates where not.
//!
//! The main source is the interruption table of Meta's Llama 3 405B
//! pre-training run: 419 unexpected interruptions over a 54-day snapshot of
//! 16,384 H100 GPUs in 2,048 eight-GPU servers ("The Llama 3 Herd of Models",
//! arXiv 2407.21783, Table 5). Exposure: 16,384 × 54 × 24 = 21,233,664 GPU-hours, or 2,048 × 54 ×
//! 24 = 2,654,208 server-hours. Software causes (bugs, NCCL timeouts,
//! dependencies) are not failures of the fleet: they interrupt running
//! training jobs, at [`SOFTWARE_PER_MILLION_NODE_HOURS`].

/// GPU-hours of the Llama 3 snapshot: 16,384 GPUs × 54 days × 24 h.
const LLAMA3_GPU_HOURS: f64 = 16_384.0 * 54.0 * 24.0;
/// Server-hours of the Llama 3 snapshot: 2,048 servers × 54 days × 24 h.
const LLAMA3_NODE_HOURS: f64 = 2_048.0 * 54.0 * 24.0;
/// Software interruptions of a running training job per million node-hours
/// of it: bugs 54, NCCL watchdog timeouts 7 and dependencies 2 of Llama 3's
/// 419 (Table 5) over its 2,048 × 54 × 24 = 2,654,208 server-hours:
/// 63 / 2,654,208 × 1e6 ≈ 23.74. They strike per node of a running job,
/// not per component of the fleet, and take no hardware down.
pub const SOFTWARE_PER_MILLION_NODE_HOURS: f64 = 63.0 / LLAMA3_NODE_HOURS * 1e6;

/// Hours in a (365-day) year.
const HOURS_PER_YEAR: f64 = 8_760.0;

/// What a failure class is counted against, and what it takes down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Rate per chip-hour; the chip's node goes down.
    Chip,
    /// Rate per node-hour; the node goes down.
    Node,
    /// Rate per chip-hour of a rack; the rack's uplink goes down.
    RackUplink,
    /// Rate per rack-hour; the whole rack loses power.
    Rack,
    /// Rate per site-hour; the whole site goes dark.
    Site,
    /// Rate per link-hour; one inter-site link is cut.
    Link,
}

/// The failure classes, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailureKind {
    /// A faulty GPU (including its NVLink).
    Gpu,
    /// An HBM failure.
    Hbm,
    /// Any other GPU hardware fault: on-chip SRAM, the GPU system processor
    /// (GSP), silent data corruption, thermal interface or sensor.
    GpuOther,
    /// A host failure: CPU, memory, disk, power supply, chassis, board.
    Host,
    /// A network interface card.
    Nic,
    /// A switch or cable: the rack's uplink to the spine.
    SwitchCable,
    /// Rack power: PDU, busway or power shelf.
    RackPower,
    /// A whole-site outage.
    SiteOutage,
    /// A cut of an inter-site link.
    DciLink,
}

impl FailureKind {
    /// Every class, in report order.
    pub const ALL: [FailureKind; 9] = [
        FailureKind::Gpu,
        FailureKind::Hbm,
        FailureKind::GpuOther,
        FailureKind::Host,
        FailureKind::Nic,
        FailureKind::SwitchCable,
        FailureKind::RackPower,
        FailureKind::SiteOutage,
        FailureKind::DciLink,
    ];

    /// The key used in scenario files and column names.
    pub fn key(self) -> &'static str {
        match self {
            FailureKind::Gpu => "gpu",
            FailureKind::Hbm => "hbm",
            FailureKind::GpuOther => "gpu_other",
            FailureKind::Host => "host",
            FailureKind::Nic => "nic",
            FailureKind::SwitchCable => "switch_cable",
            FailureKind::RackPower => "rack_power",
            FailureKind::SiteOutage => "site_outage",
            FailureKind::DciLink => "dci_link",
        }
    }

    /// Position in [`FailureKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// What the rate is counted against.
    pub fn basis(self) -> Basis {
        match self {
            FailureKind::Gpu | FailureKind::Hbm | FailureKind::GpuOther => Basis::Chip,
            FailureKind::Host | FailureKind::Nic => Basis::Node,
            FailureKind::SwitchCable => Basis::RackUplink,
            FailureKind::RackPower => Basis::Rack,
            FailureKind::SiteOutage => Basis::Site,
            FailureKind::DciLink => Basis::Link,
        }
    }

    /// Whether each chip of the catalog carries its own rate of this class
    /// (`gpu` and `hbm`, `crate::catalog::ChipSpec::failures_per_mhr`).
    /// Every other class, `gpu_other` included, has one rate for all its
    /// components: the class default or the scenario's figure.
    pub fn rate_per_chip_model(self) -> bool {
        matches!(self, FailureKind::Gpu | FailureKind::Hbm)
    }
}

impl std::fmt::Display for FailureKind {
    /// Its [`FailureKind::key`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Default figures of one failure class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FailureDefaults {
    /// The class.
    pub kind: FailureKind,
    /// Failures per million component-hours of its [`Basis`]. For `gpu` and
    /// `hbm` this is the H100 figure and each chip's catalog entry may
    /// differ; `gpu_other` applies it to every chip.
    pub rate_per_million_hours: f64,
    /// Mean repair time \[h\] (exponential by default).
    pub repair_mean_hours: f64,
    /// Where the figures come from, and whether they are estimates.
    pub source: &'static str,
}

/// The defaults of every class, in [`FailureKind::ALL`] order.
pub fn defaults() -> [FailureDefaults; 9] {
    [
        FailureDefaults {
            kind: FailureKind::Gpu,
            rate_per_million_hours: 148.0 / LLAMA3_GPU_HOURS * 1e6,
            repair_mean_hours: 96.0,
            source: "rate: Llama 3 Table 5, 148 faulty-GPU interruptions / 21,233,664 \
                     GPU-hours; repair: 4 days, the middle of the 3-5 day physical GPU \
                     replacement time quoted from the NTP paper (weak)",
        },
        FailureDefaults {
            kind: FailureKind::Hbm,
            rate_per_million_hours: 72.0 / LLAMA3_GPU_HOURS * 1e6,
            repair_mean_hours: 2.2,
            source: "rate: Llama 3 Table 5, 72 HBM3 interruptions / 21,233,664 GPU-hours; \
                     repair: ~2.2 h recovery measured on Delta's A100/H100 (arXiv 2503.11901)",
        },
        FailureDefaults {
            kind: FailureKind::GpuOther,
            rate_per_million_hours: (19.0 + 17.0 + 6.0 + 6.0) / LLAMA3_GPU_HOURS * 1e6,
            repair_mean_hours: (36.0 * 2.2 + 12.0 * 96.0) / 48.0,
            source: "rate: Llama 3 Table 5, 48 other GPU-category interruptions (GPU SRAM \
                     memory 19, GPU system processor (GSP) 17, silent data corruption 6, GPU \
                     thermal interface + sensor 6) / 21,233,664 GPU-hours; repair: 25.65 h, \
                     an estimate: the 36 SRAM and GSP faults taken as cleared by a GPU reset \
                     or node reboot in the ~2.2 h of the hbm class, the 12 silent-data-\
                     corruption and thermal faults as a GPU replacement in the 96 h of the \
                     gpu class, (36 × 2.2 + 12 × 96) / 48 h (the split is an assumption)",
        },
        FailureDefaults {
            kind: FailureKind::Host,
            rate_per_million_hours: 46.0 / LLAMA3_NODE_HOURS * 1e6,
            repair_mean_hours: 24.0,
            source: "rate: Llama 3 Table 5, 46 host interruptions (unplanned host \
                     maintenance 32, SSD 3, power supply 3, chassis 2, IO board 2, CPU 2, \
                     memory 2) / 2,654,208 server-hours; repair: 24 h, an estimate (no \
                     public figure)",
        },
        FailureDefaults {
            kind: FailureKind::Nic,
            rate_per_million_hours: 7.0 / LLAMA3_NODE_HOURS * 1e6,
            repair_mean_hours: 8.0,
            source: "rate: Llama 3 Table 5, 7 NIC interruptions / 2,654,208 server-hours; \
                     repair: 8 h, an estimate (no public figure)",
        },
        FailureDefaults {
            kind: FailureKind::SwitchCable,
            rate_per_million_hours: 35.0 / LLAMA3_GPU_HOURS * 1e6,
            repair_mean_hours: 4.0,
            source: "rate: Llama 3 Table 5, 35 switch/cable interruptions / 21,233,664 \
                     GPU-hours, counted per GPU because the fabric grows with the GPUs; \
                     repair: 4 h, an estimate (no public figure)",
        },
        FailureDefaults {
            kind: FailureKind::RackPower,
            rate_per_million_hours: 0.1 / HOURS_PER_YEAR * 1e6,
            repair_mean_hours: 8.0,
            source: "estimate: one rack power failure per rack per 10 years (0.1 per \
                     rack-year) and 8 h to repair; no public figure was found",
        },
        FailureDefaults {
            kind: FailureKind::SiteOutage,
            rate_per_million_hours: 0.4 / HOURS_PER_YEAR * 1e6,
            repair_mean_hours: 4.0,
            source: "estimate: 0.4 outages per site-year of 4 h each, i.e. 1.6 h of \
                     downtime a year, the downtime allowed by the Uptime Institute Tier III \
                     availability of 99.982%",
        },
        FailureDefaults {
            kind: FailureKind::DciLink,
            rate_per_million_hours: 1.0 / HOURS_PER_YEAR * 1e6,
            repair_mean_hours: 8.0,
            source: "estimate: one cut per inter-site link per year, 8 h to restore; no \
                     public figure was found",
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_in_report_order_with_hand_checked_rates() {
        let d = defaults();
        for (i, f) in d.iter().enumerate() {
            assert_eq!(f.kind, FailureKind::ALL[i]);
            assert_eq!(f.kind.index(), i);
            assert!(f.rate_per_million_hours > 0.0 && f.repair_mean_hours > 0.0);
            assert!(!f.source.is_empty());
        }
        // 148 / 21,233,664 h = 6.97 per million GPU-hours: about 6.1% a year.
        assert!((d[0].rate_per_million_hours - 6.970).abs() < 1e-3);
        assert!((d[0].rate_per_million_hours * 8_760.0 / 1e6 - 0.061).abs() < 1e-3);
        let d_of = |k: FailureKind| d[k.index()];
        // 46 / 2,654,208 h = 17.33 per million server-hours.
        assert!((d_of(FailureKind::Host).rate_per_million_hours - 17.331).abs() < 1e-3);
        // Tier III: 0.4 × 4 h = 1.6 h a year.
        let so = d_of(FailureKind::SiteOutage);
        assert!(
            (so.rate_per_million_hours * 8_760.0 / 1e6 * so.repair_mean_hours - 1.6).abs() < 1e-9
        );
    }

    #[test]
    fn gpu_other_is_the_rest_of_the_gpu_category() {
        let g = defaults()[FailureKind::GpuOther.index()];
        assert_eq!(g.kind.key(), "gpu_other");
        assert_eq!(g.kind.basis(), Basis::Chip);
        assert!(!g.kind.rate_per_chip_model());
        // SRAM 19 + GSP 17 + SDC 6 + thermal 6 = 48; 48 / 21,233,664 h
        // = 2.2606 per million GPU-hours.
        assert!((g.rate_per_million_hours - 2.2606).abs() < 1e-4);
        // (36 × 2.2 + 12 × 96) / 48 = (79.2 + 1,152) / 48 = 25.65 h.
        assert!((g.repair_mean_hours - 25.65).abs() < 1e-9);
        // Llama 3 counts 268 GPU-category interruptions: 148 + 72 + 48.
        let gpu_category: f64 = [FailureKind::Gpu, FailureKind::Hbm, FailureKind::GpuOther]
            .iter()
            .map(|k| defaults()[k.index()].rate_per_million_hours)
            .sum();
        assert!((gpu_category * 21.233_664 - 268.0).abs() < 1e-9);
    }

    #[test]
    fn the_llama3_hardware_classes_give_back_its_interruptions() {
        // Over the snapshot's 21,233,664 GPU-hours (2,654,208 server-hours of
        // 8 GPUs): chip classes and switch/cable per GPU-hour, host and NIC
        // per server-hour. 148 + 72 + 48 + 35 = 303 per GPU-hour, 46 + 7 = 53
        // per server-hour: 356 of the 419 unexpected interruptions (the other
        // 63 are software and dependency causes).
        let mut total = 0.0;
        for d in defaults() {
            let exposure_millions = match d.kind.basis() {
                Basis::Chip | Basis::RackUplink => 21.233_664,
                Basis::Node => 2.654_208,
                // Rack power, site outages and inter-site links are not in
                // the Llama 3 table.
                Basis::Rack | Basis::Site | Basis::Link => continue,
            };
            total += d.rate_per_million_hours * exposure_millions;
        }
        assert!((total - 356.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = FailureKind::ALL.iter().map(|k| k.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), FailureKind::ALL.len());
        assert_eq!(keys.len(), 9);
    }
}
