//! Built-in accelerator figures.
//!
//! Each entry starts from its vendor's published datasheet figures (each
//! entry's `source` text names them).
//! Figures the vendor does not publish (TDP of TPUs and AWS chips, idle draw
//! of every chip, failure rates of every chip but the H100) are derived here by
//! the rules below, and each entry's `estimates` text spells out the
//! arithmetic with its numbers. The text is generated from the same values the
//! entry holds, so the two cannot drift apart.

use super::ChipSpec;
use crate::units::{Bytes, BytesPerSecond, FlopsPerSecond, Usd, Watts};

/// H100 SXM peak dense BF16 rate [TFLOP/s]. With [`H100_TDP_W`] it sets the
/// H100-class efficiency, 989 / 700 ≈ 1.41 TFLOP/s per W, used to estimate
/// the TDP of chips whose vendor publishes none:
/// `tdp = bf16_tflops × 700 / 989` [W], rounded to the nearest 5 W.
pub(super) const H100_BF16_TFLOPS: f64 = 989.0;

/// H100 SXM thermal design power [W].
pub(super) const H100_TDP_W: f64 = 700.0;

/// Idle draw as a share of TDP [%]. An assumption applied to every chip: the
/// reference sources hold no public idle measurement.
/// `idle = TDP × 15 / 100` [W], rounded to the nearest 5 W.
pub(super) const IDLE_PERCENT_OF_TDP: f64 = 15.0;

/// Exposure of the Llama 3 405B pre-training snapshot [chip-hours]:
/// 16,384 H100 × 54 days × 24 h = 21,233,664 (arXiv 2407.21783, Table 5).
pub(super) const LLAMA3_CHIP_HOURS: f64 = 16_384.0 * 54.0 * 24.0;

/// "Faulty GPU" interruptions per million chip-hours [1/(1e6 h)]:
/// 148 / (16,384 × 54 × 24) × 1e6 ≈ 6.97, from Llama 3's Table 5.
pub(super) const GPU_FAILURES_PER_MHR: f64 = 148.0 / LLAMA3_CHIP_HOURS * 1e6;

/// "GPU HBM3 memory" interruptions per million chip-hours [1/(1e6 h)]:
/// 72 / (16,384 × 54 × 24) × 1e6 ≈ 3.39, from Llama 3's Table 5.
pub(super) const HBM_FAILURES_PER_MHR: f64 = 72.0 / LLAMA3_CHIP_HOURS * 1e6;

/// Gigabytes in a gibibyte: AWS publishes Trainium and Inferentia memory in
/// GiB (2^30 B), converted here to GB (1e9 B) = 1.073741824 GB per GiB.
pub(super) const GB_PER_GIB: f64 = 1.073_741_824;

/// `x` rounded to the nearest multiple of 5 (halves away from zero) [same unit as `x`].
pub(super) fn round_to_5(x: f64) -> f64 {
    (x / 5.0).round() * 5.0
}

/// TDP estimated from the BF16 rate at H100-class efficiency, unrounded [W]:
/// `bf16_tflops × 700 / 989`.
pub(super) fn h100_class_tdp_w(bf16_tflops: f64) -> f64 {
    bf16_tflops * H100_TDP_W / H100_BF16_TFLOPS
}

/// One chip's figures in the units the reference table prints.
struct Row {
    name: &'static str,
    model: &'static str,
    vendor: &'static str,
    year: u16,
    /// Dense BF16 [TFLOP/s].
    bf16_tflops: f64,
    /// Dense FP8 [TFLOP/s]; `None` where none is published.
    fp8_tflops: Option<f64>,
    /// HBM capacity [GB], as the reference table records it.
    hbm_gb: f64,
    /// HBM bandwidth [TB/s].
    hbm_tbps: f64,
    /// Published TDP [W]; `None` where the vendor publishes none.
    tdp_w: Option<f64>,
    /// Scale-up bandwidth per chip [GB/s].
    scaleup_gbps: f64,
    /// Price per chip [USD]; `None` where no public figure exists.
    price_usd: Option<f64>,
    /// Whether the Llama 3 failure counts were measured on this chip.
    llama3_measured: bool,
    /// Sources of the compute, memory, power, scale-up and price figures.
    source: &'static str,
}

/// Turns a table row into a [`ChipSpec`], deriving TDP (where unpublished),
/// idle draw and failure rates, and writing out how each was derived.
fn build(row: Row) -> ChipSpec {
    let mut estimates: Vec<String> = Vec::new();

    let tdp_w = match row.tdp_w {
        Some(w) => w,
        None => {
            let raw = h100_class_tdp_w(row.bf16_tflops);
            let w = round_to_5(raw);
            estimates.push(format!(
                "TDP {w} W (not published by {vendor}): estimate = {bf16} TFLOP/s BF16 × \
                 {H100_TDP_W} W / {H100_BF16_TFLOPS} TFLOP/s = {raw:.1} W, rounded to the \
                 nearest 5 W; it assumes H100 SXM's dense-BF16 efficiency, which is likely \
                 an upper bound on the power of a chip on a newer process node",
                vendor = row.vendor,
                bf16 = row.bf16_tflops,
            ));
            w
        }
    };

    let idle_raw = tdp_w * IDLE_PERCENT_OF_TDP / 100.0;
    let idle_w = round_to_5(idle_raw);
    estimates.push(format!(
        "idle {idle_w} W: assumed 15% of TDP = 0.15 × {tdp_w} W = {idle_raw} W, rounded to \
         the nearest 5 W (halves up); the reference sources hold no public idle measurement"
    ));

    let mut source = row.source.to_string();
    if row.llama3_measured {
        source.push_str(&format!(
            "; failure rates: Llama 3 405B 54-day interruption table (arXiv 2407.21783, \
             Table 5, as reproduced at glennklockwood.com) on 16,384 H100: 148 faulty-GPU \
             and 72 HBM3 interruptions over 16,384 × 54 × 24 = 21,233,664 chip-hours give \
             148 / 21,233,664 × 1e6 = {GPU_FAILURES_PER_MHR:.2} and 72 / 21,233,664 × 1e6 = \
             {HBM_FAILURES_PER_MHR:.2} per million chip-hours"
        ));
    } else {
        source.push_str(
            "; failure rates: H100 figures from the Llama 3 405B interruption table \
             (arXiv 2407.21783, Table 5), see estimates",
        );
        estimates.push(format!(
            "failure rates: the H100 figures ({GPU_FAILURES_PER_MHR:.2} faulty-GPU and \
             {HBM_FAILURES_PER_MHR:.2} HBM failures per million chip-hours, = 148 and 72 \
             Llama 3 interruptions / (16,384 × 54 × 24 h) × 1e6) are applied because no \
             public per-chip failure rate exists for the {model}",
            model = row.model,
        ));
    }

    ChipSpec {
        name: row.name.to_string(),
        model: row.model.to_string(),
        vendor: row.vendor.to_string(),
        year: row.year,
        bf16: FlopsPerSecond::from_tflops(row.bf16_tflops),
        fp8: row.fp8_tflops.map(FlopsPerSecond::from_tflops),
        hbm: Bytes::from_gb(row.hbm_gb),
        hbm_bandwidth: BytesPerSecond::from_tbps(row.hbm_tbps),
        tdp: Watts(tdp_w),
        idle: Watts(idle_w),
        scaleup_bandwidth: BytesPerSecond::from_gbps(row.scaleup_gbps),
        price: row.price_usd.map(Usd),
        gpu_failures_per_mhr: GPU_FAILURES_PER_MHR,
        hbm_failures_per_mhr: HBM_FAILURES_PER_MHR,
        source,
        estimates: estimates.join(". "),
    }
}

/// The built-in chips, in catalog order: NVIDIA, AMD, Google, AWS.
///
/// Units as in [`ChipSpec`]: FLOP/s, B, B/s, W, USD, failures per 1e6 chip-hours.
pub(super) fn builtin() -> Vec<ChipSpec> {
    ROWS.into_iter().map(build).collect()
}

/// The built-in chips' table, one row per chip with its sources, in
/// catalog order: NVIDIA, AMD, Google, AWS.
const ROWS: [Row; 15] = [
    Row {
        name: "h100",
        model: "NVIDIA H100 SXM",
        vendor: "NVIDIA",
        year: 2022,
        bf16_tflops: 989.0,
        fp8_tflops: Some(1_979.0),
        hbm_gb: 80.0,
        hbm_tbps: 3.35,
        tdp_w: Some(700.0),
        scaleup_gbps: 900.0,
        price_usd: Some(25_000.0),
        llama3_measured: true,
        source: "BF16 989 / FP8 1,979 TFLOP/s dense and 80 GB HBM3 at 3.35 TB/s: NVIDIA \
                 H100 SXM spec via the ml-engineering accelerator tables (vendor sparse \
                 figures halved), matching the HPCTech spec sheet; TDP 700 W: same tables; \
                 NVLink4 900 GB/s (18 links): same; year: announced 2022, volume 2023; \
                 price $25k: low end of $25k-30k street estimates (awesomeagents.ai, \
                 fetchlogic.net; weak)",
    },
    Row {
        name: "h200",
        model: "NVIDIA H200 SXM",
        vendor: "NVIDIA",
        year: 2024,
        bf16_tflops: 989.0,
        fp8_tflops: Some(1_979.0),
        hbm_gb: 141.0,
        hbm_tbps: 4.8,
        tdp_w: Some(700.0),
        scaleup_gbps: 900.0,
        price_usd: Some(32_000.0),
        llama3_measured: false,
        source: "BF16/FP8 as H100 (same compute) and 141 GB HBM3e at 4.8 TB/s: \
                 ml-engineering accelerator tables; TDP 700 W and NVLink4 900 GB/s: MLCommons \
                 inference v4.1 system description H200-SXM-141GBx8; price $32k: 'MSRP' on \
                 huggingface.co/hardware/h200 (weak)",
    },
    Row {
        name: "b200",
        model: "NVIDIA B200 (HGX/DGX)",
        vendor: "NVIDIA",
        year: 2024,
        bf16_tflops: 2_250.0,
        fp8_tflops: Some(4_500.0),
        hbm_gb: 180.0,
        hbm_tbps: 8.0,
        tdp_w: Some(1_000.0),
        scaleup_gbps: 1_800.0,
        price_usd: Some(30_000.0),
        llama3_measured: false,
        source: "BF16 2,250 / FP8 4,500 TFLOP/s dense and 180 GB usable HBM3e (192 GB \
                 physical) at 8 TB/s: NVIDIA DGX B200 datasheet via ml-engineering tables; \
                 TDP 1,000 W (HGX/DGX maximum; 700 W default set point): glennklockwood.com \
                 B200 page and MLCommons inference v6.0 Nebius B200 system description; \
                 NVLink5 1,800 GB/s: same; price $30k: low end of the $30k-40k range \
                 attributed to NVIDIA's CEO (paulscannon.com, digiterialabs.com; weak)",
    },
    Row {
        name: "gb200",
        model: "NVIDIA GB200 (per Blackwell GPU)",
        vendor: "NVIDIA",
        year: 2024,
        bf16_tflops: 2_500.0,
        fp8_tflops: Some(5_000.0),
        hbm_gb: 186.0,
        hbm_tbps: 8.0,
        tdp_w: Some(1_200.0),
        scaleup_gbps: 1_800.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 2,500 / FP8 5,000 TFLOP/s dense and 186 GB at 8 TB/s per GPU: NVIDIA \
                 GB200 NVL72 spec via ml-engineering tables; TDP 1,200 W: glennklockwood.com \
                 B200 page (GB200 variant) and NVIDIA Mission Control power FAQ; NVLink5 \
                 1,800 GB/s: NVL72 spec; price: none per GPU (only rack prices are public, \
                 see gb200-nvl72)",
    },
    Row {
        name: "gb300",
        model: "NVIDIA GB300 (per Blackwell Ultra GPU)",
        vendor: "NVIDIA",
        year: 2025,
        bf16_tflops: 2_500.0,
        fp8_tflops: Some(5_000.0),
        hbm_gb: 279.0,
        hbm_tbps: 8.0,
        tdp_w: Some(1_400.0),
        scaleup_gbps: 1_800.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 2,500 / FP8 5,000 TFLOP/s dense and 279 GB usable (288 GB marketed) \
                 at 8 TB/s per GPU: ml-engineering tables and verda.com GB300 NVL72 \
                 architecture post (secondary); TDP 1,400 W: NVIDIA Mission Control FAQ via \
                 ml-engineering; NVLink5 1,800 GB/s: same sources; price: none per GPU",
    },
    Row {
        name: "mi300x",
        model: "AMD Instinct MI300X",
        vendor: "AMD",
        year: 2023,
        bf16_tflops: 1_307.4,
        fp8_tflops: Some(2_614.9),
        hbm_gb: 192.0,
        hbm_tbps: 5.3,
        tdp_w: Some(750.0),
        scaleup_gbps: 896.0,
        price_usd: Some(10_000.0),
        llama3_measured: false,
        source: "BF16 1,307.4 / FP8 2,614.9 TFLOP/s dense (2,100 MHz × 1,216 matrix cores \
                 × 256 FMA × 2) and 192 GB HBM3 at 5.3 TB/s: AMD spec via ml-engineering \
                 tables; TDP 750 W: same; Infinity Fabric 896 GB/s bidirectional over 7 \
                 links: gpu.blog and ROCm-derived tables (secondary); year: launched \
                 Dec 2023 (aiwiki); price $10k: low end of $10k-15k estimates \
                 (awesomeagents.ai; weak)",
    },
    Row {
        name: "mi325x",
        model: "AMD Instinct MI325X",
        vendor: "AMD",
        year: 2024,
        bf16_tflops: 1_307.4,
        fp8_tflops: Some(2_614.9),
        hbm_gb: 256.0,
        hbm_tbps: 6.0,
        tdp_w: Some(1_000.0),
        scaleup_gbps: 896.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16/FP8 as MI300X (same compute) and 256 GB HBM3e at 6 TB/s: \
                 ml-engineering tables and awesomeagents.ai spec table (secondary); TDP \
                 1,000 W peak board power: same; Infinity Fabric 896 GB/s bidirectional: \
                 as MI300X; price: none public",
    },
    Row {
        name: "mi355x",
        model: "AMD Instinct MI355X",
        vendor: "AMD",
        year: 2025,
        bf16_tflops: 2_500.0,
        fp8_tflops: Some(5_000.0),
        hbm_gb: 288.0,
        hbm_tbps: 8.0,
        tdp_w: Some(1_400.0),
        scaleup_gbps: 1_075.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 2,500 / FP8 5,000 TFLOP/s dense (AMD's round figure; clock × cores \
                 gives 2,516.6) and 288 GB HBM3e at 8 TB/s: AMD MI355X page via \
                 ml-engineering tables; TDP 1,400 W board power: Tom's Hardware and The \
                 Register, June 2025 (secondary); 4th-gen Infinity Fabric 1,075 GB/s \
                 bidirectional: AMD brochure as quoted in public ROCm notes (secondary); \
                 price: none public",
    },
    Row {
        name: "tpu-v5e",
        model: "Google TPU v5e",
        vendor: "Google",
        year: 2023,
        bf16_tflops: 197.0,
        fp8_tflops: None,
        hbm_gb: 16.0,
        hbm_tbps: 0.819,
        tdp_w: None,
        scaleup_gbps: 400.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 197 TFLOP/s, 16 GB HBM2 at 819 GB/s and ICI 400 GB/s bidirectional \
                 per chip: Google Cloud TPU v5e documentation (chip specs); FP8: none \
                 published (int8 393 TOPS); TDP: not published, see estimates; price: none \
                 (TPUs are rented, not sold)",
    },
    Row {
        name: "tpu-v5p",
        model: "Google TPU v5p",
        vendor: "Google",
        year: 2023,
        bf16_tflops: 459.0,
        fp8_tflops: Some(459.0),
        hbm_gb: 95.0,
        hbm_tbps: 2.765,
        tdp_w: None,
        scaleup_gbps: 1_200.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 459 and FP8 459 TFLOP/s (no FP8 speed-up), 95 GB HBM2e at \
                 2,765 GB/s and ICI 1,200 GB/s bidirectional per chip (4,800 Gb/s): Google \
                 Cloud TPU v5p and v5p-training documentation; TDP: not published, see \
                 estimates; price: none (rented, not sold)",
    },
    Row {
        name: "tpu-v6e",
        model: "Google TPU v6e (Trillium)",
        vendor: "Google",
        year: 2024,
        bf16_tflops: 918.0,
        fp8_tflops: None,
        hbm_gb: 32.0,
        hbm_tbps: 1.638,
        tdp_w: None,
        scaleup_gbps: 800.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 918 TFLOP/s, 32 GB at 1,638 GB/s and ICI 800 GB/s bidirectional per \
                 chip: Google Cloud TPU v6e documentation; FP8: not in Google's document \
                 (int8 1,836 TOPS); TDP: not published, see estimates; price: none (rented, \
                 not sold)",
    },
    Row {
        name: "trainium1",
        model: "AWS Trainium1",
        vendor: "AWS",
        year: 2022,
        bf16_tflops: 190.0,
        fp8_tflops: Some(190.0),
        hbm_gb: 32.0 * GB_PER_GIB,
        hbm_tbps: 0.82 * GB_PER_GIB,
        tdp_w: None,
        scaleup_gbps: 384.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 and cFP8 190 TFLOP/s, 32 GiB HBM at 820 GiB/s: AWS Neuron docs \
                 trainium.rst (converted: 34.4 GB, 0.88 TB/s; the reference table prints \
                 the GiB numbers as GB); inter-chip 384 GB/s per chip (direction not \
                 stated): comparison table in AWS Neuron trainium2.rst; TDP: not published, \
                 see estimates; price: none (rented, not sold)",
    },
    Row {
        name: "trainium2",
        model: "AWS Trainium2",
        vendor: "AWS",
        year: 2024,
        bf16_tflops: 667.0,
        fp8_tflops: Some(1_299.0),
        hbm_gb: 96.0 * GB_PER_GIB,
        hbm_tbps: 2.9,
        tdp_w: None,
        scaleup_gbps: 1_280.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 667 / FP8 1,299 TFLOP/s dense, 96 GiB HBM at 2.9 TB/s and \
                 NeuronLink-v3 1,280 GB/s per chip (direction not stated): AWS Neuron docs \
                 trainium2.rst (memory converted: 96 GiB = 103.1 GB; the reference table \
                 prints 96 GB); TDP: not published, see estimates; price: none (rented, not \
                 sold)",
    },
    Row {
        name: "trainium3",
        model: "AWS Trainium3",
        vendor: "AWS",
        year: 2025,
        bf16_tflops: 671.0,
        fp8_tflops: Some(2_517.0),
        hbm_gb: 144.0 * GB_PER_GIB,
        hbm_tbps: 4.9,
        tdp_w: None,
        scaleup_gbps: 2_560.0,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 671 / MXFP8 2,517 TFLOP/s, 144 GiB HBM at 4.9 TB/s and NeuronLink-v4 \
                 2,560 GB/s per device (direction not stated; the Trn3 architecture page \
                 lists 2,048 GiB/s): AWS Neuron docs trainium3.rst and trn3-arch.rst, \
                 2 Dec 2025 (memory converted: 144 GiB = 154.6 GB; the reference table \
                 prints 144 GB); TDP: not published, see estimates; price: none (rented, not \
                 sold)",
    },
    Row {
        name: "inferentia2",
        model: "AWS Inferentia2",
        vendor: "AWS",
        year: 2023,
        bf16_tflops: 190.0,
        fp8_tflops: Some(190.0),
        hbm_gb: 32.0 * GB_PER_GIB,
        hbm_tbps: 0.82 * GB_PER_GIB,
        tdp_w: None,
        scaleup_gbps: 192.0 * GB_PER_GIB,
        price_usd: None,
        llama3_measured: false,
        source: "BF16 and cFP8 190 TFLOP/s, 32 GiB HBM at 820 GiB/s and NeuronLink-v2 \
                 192 GiB/s per device: AWS Neuron docs inferentia2.rst and inf2-arch.rst \
                 (converted: 34.4 GB, 0.88 TB/s and 206 GB/s; the reference table prints the \
                 GiB numbers as GB); TDP: not published, see estimates; price: none \
                 (rented, not sold)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const NAMES: [&str; 15] = [
        "h100",
        "h200",
        "b200",
        "gb200",
        "gb300",
        "mi300x",
        "mi325x",
        "mi355x",
        "tpu-v5e",
        "tpu-v5p",
        "tpu-v6e",
        "trainium1",
        "trainium2",
        "trainium3",
        "inferentia2",
    ];

    /// Chips whose TDP the reference CSV leaves empty.
    const UNPUBLISHED_TDP: [&str; 7] = [
        "tpu-v5e",
        "tpu-v5p",
        "tpu-v6e",
        "trainium1",
        "trainium2",
        "trainium3",
        "inferentia2",
    ];

    fn chip(name: &str) -> ChipSpec {
        builtin()
            .into_iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no chip {name}"))
    }

    #[test]
    fn fifteen_chips_unique_in_order() {
        let chips = builtin();
        assert_eq!(chips.len(), 15);
        let names: Vec<&str> = chips.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, NAMES);
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn every_chip_is_sane() {
        for c in builtin() {
            assert!(c.bf16.value() > 0.0, "{}: bf16", c.name);
            assert!(c.tdp > c.idle, "{}: tdp <= idle", c.name);
            assert!(c.idle.value() > 0.0, "{}: idle", c.name);
            assert!(c.hbm.value() > 0.0, "{}: hbm", c.name);
            assert!(c.hbm_bandwidth.value() > 0.0, "{}: hbm bw", c.name);
            assert!(c.scaleup_bandwidth.value() > 0.0, "{}: scale-up", c.name);
            assert!(!c.source.trim().is_empty(), "{}: source", c.name);
            assert!(!c.model.is_empty() && !c.vendor.is_empty(), "{}", c.name);
            assert!((2022..=2025).contains(&c.year), "{}: year", c.name);
            if let Some(fp8) = c.fp8 {
                assert!(fp8 >= c.bf16, "{}: fp8 below bf16", c.name);
            }
        }
    }

    #[test]
    fn unpublished_tdp_is_marked_as_estimate() {
        for name in UNPUBLISHED_TDP {
            let c = chip(name);
            assert!(
                c.estimates.contains("TDP"),
                "{name}: estimates do not mention TDP: {}",
                c.estimates
            );
            let expected = round_to_5(c.bf16.tflops() * 700.0 / 989.0);
            assert_eq!(c.tdp, Watts(expected), "{name}");
        }
        // Chips with a published TDP carry no TDP estimate.
        for c in builtin() {
            if !UNPUBLISHED_TDP.contains(&c.name.as_str()) {
                assert!(!c.estimates.starts_with("TDP"), "{}", c.name);
            }
        }
    }

    #[test]
    fn every_idle_is_fifteen_percent_of_tdp_and_marked() {
        for c in builtin() {
            let expected = round_to_5(c.tdp.value() * 0.15);
            assert_eq!(c.idle, Watts(expected), "{}", c.name);
            assert!(c.estimates.contains("idle"), "{}", c.name);
        }
        assert_eq!(chip("h100").idle, Watts(105.0));
        // 0.15 × 750 = 112.5 rounds up to 115.
        assert_eq!(chip("mi300x").idle, Watts(115.0));
    }

    #[test]
    fn h100_hand_checked() {
        let h = chip("h100");
        assert_eq!(h.tdp, Watts(700.0));
        assert!((h.bf16.tflops() - 989.0).abs() < 1e-9);
        assert!((h.fp8.expect("h100 fp8").tflops() - 1_979.0).abs() < 1e-9);
        assert!((h.hbm.gb() - 80.0).abs() < 1e-9);
        assert!((h.hbm_bandwidth.tbps() - 3.35).abs() < 1e-9);
        assert!((h.scaleup_bandwidth.gbps() - 900.0).abs() < 1e-9);
        assert_eq!(h.price, Some(Usd(25_000.0)));
    }

    #[test]
    fn tpu_v5p_estimated_tdp() {
        let raw: f64 = 459.0 * 700.0 / 989.0; // 324.87 W
        let rounded = (raw / 5.0).round() * 5.0;
        assert_eq!(rounded, 325.0);
        assert_eq!(chip("tpu-v5p").tdp, Watts(rounded));
        assert!(chip("tpu-v5p").estimates.contains("324.9 W"));
    }

    #[test]
    fn llama3_failure_rates() {
        assert_eq!(LLAMA3_CHIP_HOURS, 21_233_664.0);
        assert!((GPU_FAILURES_PER_MHR - 6.97).abs() < 0.005);
        assert!((HBM_FAILURES_PER_MHR - 3.39).abs() < 0.005);
        for c in builtin() {
            assert_eq!(c.gpu_failures_per_mhr, GPU_FAILURES_PER_MHR, "{}", c.name);
            assert_eq!(c.hbm_failures_per_mhr, HBM_FAILURES_PER_MHR, "{}", c.name);
            // A chip carries a rate of exactly the classes said to have one
            // per chip model (gpu, hbm; not gpu_other).
            for k in crate::catalog::failures::FailureKind::ALL {
                assert_eq!(
                    c.failures_per_mhr(k).is_some(),
                    k.rate_per_chip_model(),
                    "{} {}",
                    c.name,
                    k.key()
                );
            }
            if c.name == "h100" {
                assert!(!c.estimates.contains("failure"));
                assert!(c.source.contains("6.97") && c.source.contains("3.39"));
            } else {
                assert!(
                    c.estimates.contains("no public per-chip failure rate"),
                    "{}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn fp8_and_price_gaps_follow_the_csv() {
        for c in builtin() {
            let no_fp8 = matches!(c.name.as_str(), "tpu-v5e" | "tpu-v6e");
            assert_eq!(c.fp8.is_none(), no_fp8, "{}: fp8", c.name);
            let priced = matches!(c.name.as_str(), "h100" | "h200" | "b200" | "mi300x");
            assert_eq!(c.price.is_some(), priced, "{}: price", c.name);
        }
    }
}
