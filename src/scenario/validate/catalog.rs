//! Catalog overrides: `[[chips]]` and `[[racks]]` entries that add to or
//! change the built-in catalog.

use std::collections::BTreeSet;

use crate::catalog::failures::{self, FailureKind};
use crate::catalog::{Catalog, ChipSpec, RackSpec};
use crate::scenario::diag::did_you_mean_value;
use crate::scenario::spec::{ChipOverrideSpec, RackOverrideSpec};
use crate::scenario::tree::FieldPath;
use crate::units::{BitsPerSecond, Bytes, BytesPerSecond, FlopsPerSecond, Usd, Watts};

use super::Validator;

impl Validator<'_> {
    pub(super) fn catalog(
        &mut self,
        chips: &[ChipOverrideSpec],
        racks: &[RackOverrideSpec],
    ) -> Catalog {
        let mut catalog = Catalog::builtin();
        let builtin_chips: Vec<String> = catalog.chips.iter().map(|c| c.name.clone()).collect();
        let mut seen = BTreeSet::new();
        for (i, c) in chips.iter().enumerate() {
            let p = FieldPath::default().key("chips").index(i);
            if !seen.insert(c.name.clone()) {
                self.err(
                    &p.key("name"),
                    format!(
                        "chip \"{}\" is defined twice; merge the two [[chips]] tables",
                        c.name
                    ),
                );
                continue;
            }
            let base = catalog.chip(&c.name).cloned();
            match self.chip(&p, c, base, &builtin_chips) {
                Some(chip) => match catalog.chips.iter_mut().find(|x| x.name == chip.name) {
                    Some(slot) => *slot = chip,
                    None => catalog.chips.push(chip),
                },
                None => {
                    self.refused_chips.insert(c.name.clone());
                }
            }
        }
        let builtin_racks: Vec<String> = catalog.racks.iter().map(|r| r.name.clone()).collect();
        let mut seen = BTreeSet::new();
        for (i, r) in racks.iter().enumerate() {
            let p = FieldPath::default().key("racks").index(i);
            if !seen.insert(r.name.clone()) {
                self.err(
                    &p.key("name"),
                    format!(
                        "rack \"{}\" is defined twice; merge the two [[racks]] tables",
                        r.name
                    ),
                );
                continue;
            }
            let base = catalog.rack(&r.name).cloned();
            match self.rack(&p, r, base, &builtin_racks, &catalog) {
                Some(rack) => match catalog.racks.iter_mut().find(|x| x.name == rack.name) {
                    Some(slot) => *slot = rack,
                    None => catalog.racks.push(rack),
                },
                None => {
                    self.refused_racks.insert(r.name.clone());
                }
            }
        }
        catalog
    }

    /// Reports a field a new catalog entry must have.
    pub(super) fn required<T: Copy>(
        &mut self,
        p: &FieldPath,
        key: &str,
        value: Option<T>,
        what: &str,
        name: &str,
        builtins: &[String],
    ) -> Option<T> {
        if value.is_none() {
            let hint = did_you_mean_value(name, builtins.iter().map(String::as_str));
            self.err(
                &p.key(key),
                format!(
                    "missing: \"{name}\" is not a built-in {what}{hint}, so a new {what} needs `{key}`"
                ),
            );
        }
        value
    }

    pub(super) fn chip(
        &mut self,
        p: &FieldPath,
        c: &ChipOverrideSpec,
        base: Option<ChipSpec>,
        builtins: &[String],
    ) -> Option<ChipSpec> {
        if c.name.trim().is_empty() {
            self.err(&p.key("name"), "a chip needs a name, e.g. name = \"h100\"");
            return None;
        }
        let is_new = base.is_none();
        let mut chip = base.unwrap_or_else(|| ChipSpec {
            name: c.name.clone(),
            model: c.name.clone(),
            vendor: "custom".into(),
            year: 0,
            bf16: FlopsPerSecond::ZERO,
            fp8: None,
            hbm: Bytes::ZERO,
            hbm_bandwidth: BytesPerSecond::ZERO,
            tdp: Watts::ZERO,
            idle: Watts::ZERO,
            scaleup_bandwidth: BytesPerSecond::ZERO,
            price: None,
            gpu_failures_per_mhr: failures::defaults()[FailureKind::Gpu.index()]
                .rate_per_million_hours,
            hbm_failures_per_mhr: failures::defaults()[FailureKind::Hbm.index()]
                .rate_per_million_hours,
            source: "defined in the scenario".into(),
            estimates: String::new(),
        });
        let before = self.problems.by_path.len();
        if is_new {
            for (key, present) in [
                ("bf16_tflops", c.bf16_tflops.is_some()),
                ("hbm_gb", c.hbm_gb.is_some()),
                ("hbm_tb_per_s", c.hbm_tb_per_s.is_some()),
                ("tdp_w", c.tdp_w.is_some()),
                ("scaleup_gb_per_s", c.scaleup_gb_per_s.is_some()),
            ] {
                self.required(p, key, present.then_some(()), "chip", &c.name, builtins);
            }
        }
        if let Some(x) = &c.model {
            chip.model = x.clone();
        }
        if let Some(x) = &c.vendor {
            chip.vendor = x.clone();
        }
        if let Some(x) = c.year {
            chip.year = x;
        }
        if let Some(x) = c.bf16_tflops
            && let Some(x) = self.positive(&p.key("bf16_tflops"), x, "dense BF16 TFLOP/s")
        {
            chip.bf16 = FlopsPerSecond::from_tflops(x);
        }
        if let Some(x) = c.fp8_tflops
            && let Some(x) = self.positive(&p.key("fp8_tflops"), x, "dense FP8 TFLOP/s")
        {
            chip.fp8 = Some(FlopsPerSecond::from_tflops(x));
        }
        if let Some(x) = c.hbm_gb
            && let Some(x) = self.positive(&p.key("hbm_gb"), x, "HBM capacity in GB")
        {
            chip.hbm = Bytes::from_gb(x);
        }
        if let Some(x) = c.hbm_tb_per_s
            && let Some(x) = self.positive(&p.key("hbm_tb_per_s"), x, "HBM bandwidth in TB/s")
        {
            chip.hbm_bandwidth = BytesPerSecond::from_tbps(x);
        }
        if let Some(x) = c.tdp_w
            && let Some(x) =
                self.positive(&p.key("tdp_w"), x, "thermal design power in W, e.g. 700")
        {
            chip.tdp = Watts(x);
            if c.idle_w.is_none() && is_new {
                chip.idle = Watts(x * 0.15);
                chip.estimates = "idle: assumed 15% of TDP".into();
            }
        }
        if let Some(x) = c.idle_w
            && let Some(x) = self.non_negative(&p.key("idle_w"), x, "idle draw in W")
        {
            chip.idle = Watts(x);
        }
        if let Some(x) = c.scaleup_gb_per_s
            && let Some(x) = self.positive(&p.key("scaleup_gb_per_s"), x, "scale-up GB/s per chip")
        {
            chip.scaleup_bandwidth = BytesPerSecond::from_gbps(x);
        }
        if let Some(x) = c.price_usd
            && let Some(x) = self.non_negative(&p.key("price_usd"), x, "price per chip in USD")
        {
            chip.price = Some(Usd(x));
        }
        if let Some(x) = c.gpu_failures_per_million_hours
            && let Some(x) = self.non_negative(
                &p.key("gpu_failures_per_million_hours"),
                x,
                "chip failures per million chip-hours",
            )
        {
            chip.gpu_failures_per_mhr = x;
        }
        if let Some(x) = c.hbm_failures_per_million_hours
            && let Some(x) = self.non_negative(
                &p.key("hbm_failures_per_million_hours"),
                x,
                "HBM failures per million chip-hours",
            )
        {
            chip.hbm_failures_per_mhr = x;
        }
        if let Some(x) = &c.source {
            chip.source = x.clone();
        }
        if self.problems.by_path.len() == before && chip.idle.0 >= chip.tdp.0 {
            self.err(
                &p.key(if c.idle_w.is_some() {
                    "idle_w"
                } else {
                    "tdp_w"
                }),
                format!(
                    "idle draw ({} W) must be below TDP ({} W)",
                    chip.idle.0, chip.tdp.0
                ),
            );
        }
        (self.problems.by_path.len() == before).then_some(chip)
    }

    pub(super) fn rack(
        &mut self,
        p: &FieldPath,
        r: &RackOverrideSpec,
        base: Option<RackSpec>,
        builtins: &[String],
        catalog: &Catalog,
    ) -> Option<RackSpec> {
        if r.name.trim().is_empty() {
            self.err(
                &p.key("name"),
                "a rack needs a name, e.g. name = \"my-rack\"",
            );
            return None;
        }
        let is_new = base.is_none();
        let before = self.problems.by_path.len();
        if is_new {
            for (key, present) in [
                ("chip", r.chip.is_some()),
                ("chips", r.chips.is_some()),
                ("nodes", r.nodes.is_some()),
                ("overhead_kw", r.overhead_kw.is_some()),
                ("scaleout_gbit_per_s", r.scaleout_gbit_per_s.is_some()),
            ] {
                self.required(p, key, present.then_some(()), "rack", &r.name, builtins);
            }
        }
        let mut rack = base.unwrap_or_else(|| RackSpec {
            name: r.name.clone(),
            model: r.name.clone(),
            chip: String::new(),
            chips: 1,
            nodes: 1,
            scaleup_domain: 0,
            overhead: Watts::ZERO,
            scaleout_per_chip: BitsPerSecond::ZERO,
            price: None,
            source: "defined in the scenario".into(),
            estimates: String::new(),
        });
        if let Some(x) = &r.model {
            rack.model = x.clone();
        }
        // A rack of a refused chip is refused too, with nothing more said:
        // the chip's own problem is reported at its [[chips]] entry.
        let mut chip_refused = false;
        if let Some(chip) = &r.chip {
            if catalog.chip(chip).is_some() {
                rack.chip = chip.clone();
            } else if self.refused_chips.contains(chip) {
                chip_refused = true;
            } else {
                let hint = did_you_mean_value(chip, catalog.chips.iter().map(|c| c.name.as_str()));
                self.err(
                    &p.key("chip"),
                    format!(
                        "no chip is named \"{chip}\"{hint} (`dcsim catalog` lists them, or define it in [[chips]])"
                    ),
                );
            }
        }
        if let Some(x) = r.chips
            && let Some(x) = self.positive_int(&p.key("chips"), x, "chips per rack")
        {
            rack.chips = x;
        }
        if let Some(x) = r.nodes
            && let Some(x) = self.positive_int(&p.key("nodes"), x, "servers or trays per rack")
        {
            rack.nodes = x;
        }
        if let Some(x) = r.scaleup_domain
            && let Some(x) =
                self.positive_int(&p.key("scaleup_domain"), x, "chips per scale-up domain")
        {
            rack.scaleup_domain = x;
        }
        if let Some(x) = r.overhead_kw
            && let Some(x) =
                self.non_negative(&p.key("overhead_kw"), x, "non-chip power of the rack in kW")
        {
            rack.overhead = Watts::from_kw(x);
        }
        if let Some(x) = r.scaleout_gbit_per_s
            && let Some(x) = self.positive(
                &p.key("scaleout_gbit_per_s"),
                x,
                "NIC Gbit/s per chip, e.g. 400",
            )
        {
            rack.scaleout_per_chip = BitsPerSecond::from_gbps(x);
        }
        if let Some(x) = r.price_usd
            && let Some(x) = self.non_negative(&p.key("price_usd"), x, "price of the rack in USD")
        {
            rack.price = Some(Usd(x));
        }
        if let Some(x) = &r.source {
            rack.source = x.clone();
        }
        if self.problems.by_path.len() != before || chip_refused {
            return None;
        }
        if rack.scaleup_domain == 0 {
            rack.scaleup_domain = rack.chips / rack.nodes.max(1);
        }
        if !rack.chips.is_multiple_of(rack.nodes) {
            self.err(
                &p.key("nodes"),
                format!(
                    "{} chips cannot be split evenly into {} nodes",
                    rack.chips, rack.nodes
                ),
            );
        }
        if rack.nodes > 0
            && rack.chips.is_multiple_of(rack.nodes)
            && !rack.scaleup_domain.is_multiple_of(rack.chips / rack.nodes)
        {
            self.err(
                &p.key("scaleup_domain"),
                format!(
                    "a scale-up domain of {} chips does not hold whole nodes of {} chips: \
                     domains must nest nodes (make it a multiple of {})",
                    rack.scaleup_domain,
                    rack.chips / rack.nodes,
                    rack.chips / rack.nodes
                ),
            );
        }
        if !rack.chips.is_multiple_of(rack.scaleup_domain) {
            self.err(
                &p.key("scaleup_domain"),
                format!(
                    "{} chips cannot be split evenly into scale-up domains of {}",
                    rack.chips, rack.scaleup_domain
                ),
            );
        }
        (self.problems.by_path.len() == before).then_some(rack)
    }
}
