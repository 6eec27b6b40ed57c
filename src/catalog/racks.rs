//! Built-in rack-scale systems.
//!
//! Figures come from vendors' public datasheets, guides and price pages; each
//! entry's `source` text names its own. A rack's `overhead` is its non-chip power. Where a system power
//! is published it is derived as `system power − chips × chip TDP`; where none
//! is, it is estimated either from the DGX H100's non-GPU draw per 8-GPU server
//! or from the GB200 NVL72 ratio of non-chip to chip power. Each entry's
//! `estimates` text gives the arithmetic with its numbers, generated from the
//! same values the entry holds.

use super::{RackSpec, chips};
use crate::units::{BitsPerSecond, Usd, Watts};

/// DGX H100 maximum system power [W] (NVIDIA DGX H100 user guide as quoted by
/// unanswered.io and supercluster.blog; secondary).
pub(super) const DGX_H100_MAX_W: f64 = 10_200.0;

/// Non-GPU draw of one 8-GPU DGX H100 server [W]:
/// 10,200 W − 8 × 700 W = 4,600 W.
pub(super) const DGX_H100_NON_GPU_W: f64 = DGX_H100_MAX_W - 8.0 * 700.0;

/// DGX H100 list price [USD] (supercluster.blog; weak).
pub(super) const DGX_H100_PRICE_USD: f64 = 199_000.0;

/// DGX B200 maximum system power [W]: a third-party figure, not checked
/// against NVIDIA's guide (weak).
pub(super) const DGX_B200_MAX_W: f64 = 14_300.0;

/// GB200 NVL72 rack power [W]: the commonly quoted ~120 kW (introl.com's
/// Supermicro breakdown: 18 trays × ~6.5 kW + 3.6 kW of switch trays).
pub(super) const GB200_NVL72_W: f64 = 120_000.0;

/// GB300 NVL72 rack power [W]: NVIDIA's planning example of 18 nodes × 7.5 kW
/// (4 × 1.4 kW GPU + 1 kW CPU + 0.9 kW static) = 135 kW.
pub(super) const GB300_NVL72_W: f64 = 18.0 * 7_500.0;

/// GB200 NVL72 ratio of non-chip to chip power [dimensionless]:
/// (120 kW − 72 × 1.2 kW) / (72 × 1.2 kW) = 33.6 / 86.4 ≈ 0.389. Used to
/// estimate the overhead of systems that publish no power at all.
pub(super) const NVL72_OVERHEAD_RATIO: f64 = (GB200_NVL72_W - 72.0 * 1_200.0) / (72.0 * 1_200.0);

/// Factor on the GPU cost of an 8-GPU server for everything else: CPUs,
/// memory, NICs, switches, chassis [dimensionless]. An assumption (+30%).
pub(super) const SERVER_COST_FACTOR: f64 = 1.3;

/// GB200 NVL72 compute hardware per rack [USD]: Bernstein, Oct 2025, as
/// summarised by Investing.com (secondary).
pub(super) const GB200_NVL72_PRICE_USD: f64 = 3_400_000.0;

/// Note shared by the racks built of four 8-GPU servers.
const FOUR_SERVERS: &str = "four 8-GPU servers per rack is an assumption (no standard \
     count; about 40 kW of nameplate power per rack); chips, nodes, overhead and price \
     scale with it";

/// TDP of a built-in chip [W].
fn tdp(name: &str) -> Watts {
    chip_field(name, |c| c.tdp)
}

/// Price of a built-in chip [USD]; panics if the chip has none.
fn price(name: &str) -> f64 {
    chip_field(name, |c| c.price)
        .unwrap_or_else(|| panic!("chip {name} has no price"))
        .value()
}

fn chip_field<T>(name: &str, f: impl Fn(&super::ChipSpec) -> T) -> T {
    chips::builtin()
        .iter()
        .find(|c| c.name == name)
        .map(f)
        .unwrap_or_else(|| panic!("no built-in chip {name}"))
}

/// Overhead estimated by the GB200 NVL72 ratio, rounded to 0.1 kW [W], with
/// the text of its derivation.
fn ratio_overhead(chips: u32, chip: &str) -> (Watts, String) {
    let chip_w = tdp(chip).value();
    let raw = NVL72_OVERHEAD_RATIO * f64::from(chips) * chip_w;
    let w = (raw / 100.0).round() * 100.0;
    let text = format!(
        "overhead {kw} kW: no system power is published; estimate = {NVL72_OVERHEAD_RATIO:.3} \
         (GB200 NVL72 non-chip to chip power, 33.6 kW / 86.4 kW) × {chips} × {chip_w} W \
         {chip} TDP = {raw:.0} W, rounded to 0.1 kW; the {chip} TDP is itself an estimate",
        kw = w / 1e3,
    );
    (Watts(w), text)
}

/// Whole dollars with thousands separators, e.g. `$1,020,000` [USD].
fn usd_text(usd: f64) -> String {
    let digits = format!("{:.0}", usd);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("${out}")
}

/// Overhead of four 8-GPU servers with the DGX H100's non-GPU draw [W].
fn four_dgx_h100_overhead() -> Watts {
    Watts(4.0 * DGX_H100_NON_GPU_W)
}

/// The built-in racks, in catalog order.
///
/// Units as in [`RackSpec`]: overhead in W, scale-out per chip in bit/s, price
/// in USD.
pub(super) fn builtin() -> Vec<RackSpec> {
    vec![
        hgx_h100(),
        hgx_h200(),
        hgx_b200(),
        gb200_nvl72(),
        gb300_nvl72(),
        mi300x_platform(),
        mi355x_platform(),
        trn2_ultraserver(),
        trn3_ultraserver(),
        tpu_v5p_cube(),
    ]
}

/// The `hgx-h100` rack: NVIDIA DGX H100 rack (4 × 8-GPU servers).
fn hgx_h100() -> RackSpec {
    RackSpec {
        name: "hgx-h100".into(),
        model: "NVIDIA DGX H100 rack (4 × 8-GPU servers)".into(),
        chip: "h100".into(),
        chips: 32,
        nodes: 4,
        scaleup_domain: 8,
        overhead: four_dgx_h100_overhead(),
        scaleout_per_chip: BitsPerSecond::from_gbps(400.0),
        price: Some(Usd(4.0 * DGX_H100_PRICE_USD)),
        source: "servers: NVIDIA DGX H100, 8 H100 SXM joined by NVLink4/NVSwitch (NVIDIA \
                 DGX H100 datasheet); overhead 18.4 kW derived from the published system power: 4 × \
                 (10.2 kW DGX H100 maximum − 8 × 700 W) (NVIDIA user guide as quoted by \
                 unanswered.io and supercluster.blog); scale-out 400 Gb/s ConnectX-7 per \
                 GPU (MLCommons system descriptions; Llama 3 paper); price 4 × $199k DGX \
                 H100 list = $796k (supercluster.blog; weak)"
            .into(),
        estimates: FOUR_SERVERS.into(),
    }
}

/// The `hgx-h200` rack: NVIDIA HGX H200 rack (4 × 8-GPU servers).
fn hgx_h200() -> RackSpec {
    let h200_price = 4.0 * (DGX_H100_PRICE_USD + 8.0 * (price("h200") - price("h100")));

    RackSpec {
        name: "hgx-h200".into(),
        model: "NVIDIA HGX H200 rack (4 × 8-GPU servers)".into(),
        chip: "h200".into(),
        chips: 32,
        nodes: 4,
        scaleup_domain: 8,
        overhead: four_dgx_h100_overhead(),
        scaleout_per_chip: BitsPerSecond::from_gbps(400.0),
        price: Some(Usd(h200_price)),
        source: "servers: 8 H200 SXM on NVLink4 (MLCommons inference v4.1 H200-SXM-141GBx8 \
                 system description, which also lists 400 Gb/s NICs); scale-out 400 Gb/s \
                 ConnectX-7 per GPU: same; overhead and price: see estimates (DGX H100 \
                 power and list price from supercluster.blog and unanswered.io; chip \
                 prices from the chip entries)"
            .into(),
        estimates: format!(
            "overhead 18.4 kW: the DGX H100 system power is assumed, as the H200 has the \
             same 700 W envelope and no H200 system power is in the reference: 4 × \
             (10,200 W − 8 × 700 W); price {} = 4 × ($199k DGX H100 list + 8 × \
             ($32k H200 − $25k H100)); {FOUR_SERVERS}",
            usd_text(h200_price)
        ),
    }
}

/// The `hgx-b200` rack: NVIDIA DGX B200 rack (4 × 8-GPU servers).
fn hgx_b200() -> RackSpec {
    let b200_price = 32.0 * price("b200") * SERVER_COST_FACTOR;

    RackSpec {
        name: "hgx-b200".into(),
        model: "NVIDIA DGX B200 rack (4 × 8-GPU servers)".into(),
        chip: "b200".into(),
        chips: 32,
        nodes: 4,
        scaleup_domain: 8,
        overhead: Watts(4.0 * (DGX_B200_MAX_W - 8.0 * tdp("b200").value())),
        scaleout_per_chip: BitsPerSecond::from_gbps(400.0),
        price: Some(Usd(b200_price)),
        source: "servers: 8 B200 on NVLink5 (1.8 TB/s per GPU) with 8 ConnectX-7 400 Gb/s \
                 NICs (DGX B200 datasheet via ml-engineering; MLCommons Nebius B200 system \
                 description); overhead 25.2 kW derived from a system power: 4 × (14.3 kW \
                 DGX B200 maximum − 8 × 1,000 W), where 14.3 kW comes only from a \
                 third-party research note (weak, not checked against NVIDIA's guide); \
                 price: see estimates"
            .into(),
        estimates: format!(
            "overhead rests on the unverified 14.3 kW DGX B200 figure; price {} = 32 × \
             $30k B200 × 1.3 (30% assumed for CPUs, memory, NICs, switches and \
             chassis); {FOUR_SERVERS}",
            usd_text(b200_price)
        ),
    }
}

/// The `gb200-nvl72` rack: NVIDIA GB200 NVL72.
fn gb200_nvl72() -> RackSpec {
    RackSpec {
        name: "gb200-nvl72".into(),
        model: "NVIDIA GB200 NVL72".into(),
        chip: "gb200".into(),
        chips: 72,
        nodes: 18,
        scaleup_domain: 72,
        overhead: Watts(GB200_NVL72_W - 72.0 * tdp("gb200").value()),
        scaleout_per_chip: BitsPerSecond::from_gbps(400.0),
        price: Some(Usd(GB200_NVL72_PRICE_USD)),
        source: "72 Blackwell GPUs and 36 Grace CPUs in 18 compute trays of 4 GPUs, one NVLink \
                 domain across 9 switch trays (introl.com Supermicro table; aiwiki); \
                 overhead 33.6 kW derived from the system power: 120 kW commonly quoted \
                 (introl.com, awesomeagents.ai; secondary) − 72 × 1,200 W; scale-out \
                 400 Gb/s ConnectX-7 per GPU, the lower of the 400/800 Gb/s options; price \
                 $3.4M: Bernstein's compute hardware per rack (of $5.9M all-in), as \
                 summarised by Investing.com, Oct 2025 (secondary; other estimates run \
                 $2-3.1M)"
            .into(),
        estimates: String::new(),
    }
}

/// The `gb300-nvl72` rack: NVIDIA GB300 NVL72.
fn gb300_nvl72() -> RackSpec {
    let b200_mid = (30_000.0 + 40_000.0) / 2.0;
    let b300_price = 45_000.0;
    let gb300_price = GB200_NVL72_PRICE_USD * b300_price / b200_mid;

    RackSpec {
        name: "gb300-nvl72".into(),
        model: "NVIDIA GB300 NVL72".into(),
        chip: "gb300".into(),
        chips: 72,
        nodes: 18,
        scaleup_domain: 72,
        overhead: Watts(GB300_NVL72_W - 72.0 * tdp("gb300").value()),
        scaleout_per_chip: BitsPerSecond::from_gbps(800.0),
        price: Some(Usd(gb300_price)),
        source: "72 Blackwell Ultra GPUs and 36 Grace CPUs in 18 nodes of 4 GPUs, one NVLink \
                 domain (glennklockwood.com B300 page); overhead 34.2 kW derived from \
                 NVIDIA's planning example of 135 kW per rack (18 × 7.5 kW; Mission Control \
                 FAQ via ml-engineering) − 72 × 1,400 W; scale-out 800 Gb/s ConnectX-8 per \
                 GPU (Hot Chips 2025 coverage: wccftech, cloudnews.tech); price: see \
                 estimates"
            .into(),
        estimates: format!(
            "price {} = $3.4M Bernstein GB200 NVL72 compute hardware × $45k / $35k, \
             the ratio of the B300 'MSRP' (huggingface.co/hardware/b300; weak) to the \
             midpoint of the $30k-40k B200 range",
            usd_text(gb300_price)
        ),
    }
}

/// The `mi300x-platform` rack: AMD MI300X rack (4 × 8-GPU servers).
fn mi300x_platform() -> RackSpec {
    let mi300x_price = 32.0 * price("mi300x") * SERVER_COST_FACTOR;

    RackSpec {
        name: "mi300x-platform".into(),
        model: "AMD MI300X rack (4 × 8-GPU servers)".into(),
        chip: "mi300x".into(),
        chips: 32,
        nodes: 4,
        scaleup_domain: 8,
        overhead: four_dgx_h100_overhead(),
        scaleout_per_chip: BitsPerSecond::from_gbps(400.0),
        price: Some(Usd(mi300x_price)),
        source: "servers: 8 MI300X per platform, Infinity Fabric full mesh over 7 links per \
                 GPU (AMD spec via ml-engineering); overhead, scale-out and price: see \
                 estimates (DGX H100 power from unanswered.io and supercluster.blog; MI300X \
                 price from awesomeagents.ai, weak)"
            .into(),
        estimates: format!(
            "overhead 18.4 kW: the DGX H100 non-GPU draw per 8-GPU server is assumed, 4 × \
             (10,200 W − 8 × 700 W); scale-out 400 Gb/s per GPU assumed (one 400G NIC per \
             GPU, as on HGX H100; no MI300X figure in the reference); price {} = 32 × \
             $10k MI300X × 1.3 (30% assumed for CPUs, memory, NICs, switches and chassis); \
             {FOUR_SERVERS}",
            usd_text(mi300x_price)
        ),
    }
}

/// The `mi355x-platform` rack: AMD MI355X rack (4 × 8-GPU servers).
fn mi355x_platform() -> RackSpec {
    RackSpec {
        name: "mi355x-platform".into(),
        model: "AMD MI355X rack (4 × 8-GPU servers)".into(),
        chip: "mi355x".into(),
        chips: 32,
        nodes: 4,
        scaleup_domain: 8,
        overhead: four_dgx_h100_overhead(),
        scaleout_per_chip: BitsPerSecond::from_gbps(400.0),
        price: None,
        source: "servers: 8 MI355X per UBB, Infinity Fabric full mesh, 11.2 kW of GPU board \
                 power per 8-GPU tray; scale-out 400 Gb/s per GPU (AMD Pollara 400 NIC) \
                 (public ROCm notes; jaredwatkins.com MI350 notes; secondary/weak); \
                 overhead: see estimates; price: none public"
            .into(),
        estimates: format!(
            "overhead 18.4 kW: the DGX H100 non-GPU draw per 8-GPU server is assumed, 4 × \
             (10,200 W − 8 × 700 W), as no MI355X system power is in the reference; \
             {FOUR_SERVERS}"
        ),
    }
}

/// The `trn2-ultraserver` rack: AWS Trn2 UltraServer (u-trn2x64).
fn trn2_ultraserver() -> RackSpec {
    let (trn2_overhead, trn2_note) = ratio_overhead(64, "trainium2");

    RackSpec {
        name: "trn2-ultraserver".into(),
        model: "AWS Trn2 UltraServer (u-trn2x64)".into(),
        chip: "trainium2".into(),
        chips: 64,
        nodes: 4,
        scaleup_domain: 64,
        overhead: trn2_overhead,
        scaleout_per_chip: BitsPerSecond::from_gbps(3_200.0 / 16.0),
        price: None,
        source: "64 Trainium2 in 4 trn2.48xlarge instances of 16 chips, joined by NeuronLink \
                 into one 64-chip domain; scale-out 200 Gb/s per chip = 3,200 Gb/s EFA per \
                 16-chip instance / 16 (AWS Neuron docs trn2-arch.rst); overhead: see \
                 estimates; price: none public"
            .into(),
        estimates: trn2_note,
    }
}

/// The `trn3-ultraserver` rack: AWS Trn3 UltraServer (Gen2, 144 chips).
fn trn3_ultraserver() -> RackSpec {
    let (trn3_overhead, trn3_note) = ratio_overhead(144, "trainium3");

    RackSpec {
        name: "trn3-ultraserver".into(),
        model: "AWS Trn3 UltraServer (Gen2, 144 chips)".into(),
        chip: "trainium3".into(),
        chips: 144,
        nodes: 36,
        scaleup_domain: 144,
        overhead: trn3_overhead,
        scaleout_per_chip: BitsPerSecond::from_gbps(28_800.0 / 144.0),
        price: None,
        source: "144 Trainium3 in 36 servers of 4, all-to-all over NeuronSwitch-v1; \
                 scale-out 200 Gb/s per chip = 28.8 Tb/s EFA / 144 (AWS Neuron docs \
                 trn3-arch.rst); overhead: see estimates; price: none public"
            .into(),
        estimates: trn3_note,
    }
}

/// The `tpu-v5p-cube` rack: Google TPU v5p cube (4x4x4 slice).
fn tpu_v5p_cube() -> RackSpec {
    let (v5p_overhead, v5p_note) = ratio_overhead(64, "tpu-v5p");

    RackSpec {
        name: "tpu-v5p-cube".into(),
        model: "Google TPU v5p cube (4x4x4 slice)".into(),
        chip: "tpu-v5p".into(),
        chips: 64,
        nodes: 16,
        scaleup_domain: 64,
        overhead: v5p_overhead,
        scaleout_per_chip: BitsPerSecond::from_gbps(50.0),
        price: None,
        source: "one 4x4x4 cube of 64 TPU v5p on 16 hosts of 4 chips; ICI torus inside the \
                 cube (optical circuit switches join cubes into slices of up to 6,144 \
                 chips, not modelled here); scale-out 50 Gb/s DCN per chip (Google Cloud \
                 TPU v5p and v5p-training documentation); overhead: see estimates; price: \
                 none (rented, not sold)"
            .into(),
        estimates: v5p_note,
    }
}

#[cfg(test)]
mod tests {
    use super::super::ChipSpec;
    use super::*;
    use std::collections::HashSet;

    const NAMES: [&str; 10] = [
        "hgx-h100",
        "hgx-h200",
        "hgx-b200",
        "gb200-nvl72",
        "gb300-nvl72",
        "mi300x-platform",
        "mi355x-platform",
        "trn2-ultraserver",
        "trn3-ultraserver",
        "tpu-v5p-cube",
    ];

    fn rack(name: &str) -> RackSpec {
        builtin()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no rack {name}"))
    }

    fn chip_of(r: &RackSpec) -> ChipSpec {
        chips::builtin()
            .into_iter()
            .find(|c| c.name == r.chip)
            .unwrap_or_else(|| panic!("{}: no chip {}", r.name, r.chip))
    }

    #[test]
    fn ten_racks_unique_in_order() {
        let racks = builtin();
        assert_eq!(racks.len(), 10);
        let names: Vec<&str> = racks.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, NAMES);
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn every_rack_is_consistent() {
        let chip_names: HashSet<String> = chips::builtin().into_iter().map(|c| c.name).collect();
        for r in builtin() {
            assert!(chip_names.contains(&r.chip), "{}: unknown chip", r.name);
            assert!(r.nodes > 0 && r.scaleup_domain > 0, "{}", r.name);
            assert_eq!(r.chips % r.nodes, 0, "{}: chips % nodes", r.name);
            assert_eq!(r.chips % r.scaleup_domain, 0, "{}: chips % domain", r.name);
            assert!(r.overhead.value() > 0.0, "{}: overhead", r.name);
            assert!(r.scaleout_per_chip.value() > 0.0, "{}: scale-out", r.name);
            assert!(!r.source.trim().is_empty(), "{}: source", r.name);
            if let Some(p) = r.price {
                assert!(p.value() > 0.0, "{}: price", r.name);
            }
        }
    }

    #[test]
    fn nvl72_hand_checked() {
        let gb200 = rack("gb200-nvl72");
        assert_eq!(gb200.overhead, Watts(33_600.0));
        assert_eq!(gb200.nameplate_power(&chip_of(&gb200)), Watts(120_000.0));
        assert_eq!(gb200.chips_per_node(), 4);

        let gb300 = rack("gb300-nvl72");
        assert_eq!(gb300.overhead, Watts(34_200.0));
        assert_eq!(gb300.nameplate_power(&chip_of(&gb300)), Watts(135_000.0));
        assert_eq!(gb300.scaleout_per_chip, BitsPerSecond::from_gbps(800.0));

        assert!((NVL72_OVERHEAD_RATIO - 33.6 / 86.4).abs() < 1e-12);
        assert!((NVL72_OVERHEAD_RATIO - 0.389).abs() < 0.0005);
    }

    #[test]
    fn dgx_racks_hand_checked() {
        let h100 = rack("hgx-h100");
        assert_eq!(h100.overhead, Watts(18_400.0));
        assert_eq!(h100.nameplate_power(&chip_of(&h100)), Watts(40_800.0));
        assert_eq!(h100.price, Some(Usd(796_000.0)));

        let h200 = rack("hgx-h200");
        assert_eq!(h200.overhead, Watts(18_400.0));
        assert_eq!(h200.price, Some(Usd(1_020_000.0)));

        let b200 = rack("hgx-b200");
        assert_eq!(b200.overhead, Watts(25_200.0));
        assert_eq!(b200.nameplate_power(&chip_of(&b200)), Watts(4.0 * 14_300.0));
        let p = b200.price.expect("b200 price").value();
        assert!((p - 1_248_000.0).abs() < 1e-6);

        let mi300x = rack("mi300x-platform").price.expect("price").value();
        assert!((mi300x - 416_000.0).abs() < 1e-6);
        let gb300 = rack("gb300-nvl72").price.expect("price").value();
        assert!((gb300 - 3_400_000.0 * 45.0 / 35.0).abs() < 1e-6);
    }

    #[test]
    fn ratio_estimates_hand_checked() {
        // 0.3889 × 64 × 470 W = 11,698 W → 11.7 kW.
        assert_eq!(rack("trn2-ultraserver").overhead, Watts(11_700.0));
        // 0.3889 × 144 × 475 W = 26,600 W → 26.6 kW.
        assert_eq!(rack("trn3-ultraserver").overhead, Watts(26_600.0));
        // 0.3889 × 64 × 325 W = 8,089 W → 8.1 kW.
        assert_eq!(rack("tpu-v5p-cube").overhead, Watts(8_100.0));
        for name in ["trn2-ultraserver", "trn3-ultraserver", "tpu-v5p-cube"] {
            let r = rack(name);
            assert!(r.estimates.contains("overhead"), "{name}");
            assert_eq!(
                r.scaleout_per_chip.gbps(),
                if name == "tpu-v5p-cube" { 50.0 } else { 200.0 }
            );
        }
    }

    #[test]
    fn usd_text_groups_thousands() {
        assert_eq!(usd_text(416_000.0), "$416,000");
        assert_eq!(usd_text(1_020_000.0), "$1,020,000");
        assert_eq!(usd_text(4_371_428.57), "$4,371,429");
        assert_eq!(usd_text(999.0), "$999");
    }

    #[test]
    fn estimated_figures_are_marked() {
        for name in ["hgx-h200", "hgx-b200", "mi300x-platform", "gb300-nvl72"] {
            assert!(rack(name).estimates.contains("price"), "{name}");
        }
        for name in [
            "hgx-h100",
            "hgx-h200",
            "hgx-b200",
            "mi300x-platform",
            "mi355x-platform",
        ] {
            assert!(
                rack(name).estimates.contains("four 8-GPU servers"),
                "{name}"
            );
        }
    }
}
