//! Text for the terminal: the catalog as a table or CSV, and the run summary
//! printed after a run. Files of a run, `report.html` among them, are
//! written by [`crate::output`].

use std::fmt::Write as _;

use crate::catalog::failures::{self, FailureKind};
use crate::catalog::{Catalog, ChipSpec, RackSpec};
use crate::record::{CapacityUnit, SummaryRow};

/// Which part of the catalog to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogPart {
    /// Chips, racks and failure classes.
    All,
    /// Chips only.
    Chips,
    /// Racks only.
    Racks,
    /// Failure classes only.
    Failures,
}

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.decimals$}"))
}

/// Lays out rows as aligned columns (first row is the header).
fn columns(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c == 0 || c == 1 {
                    format!("{cell:<w$}", w = widths[c])
                } else {
                    format!("{cell:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

fn chip_fields(c: &ChipSpec) -> Vec<String> {
    vec![
        c.name.clone(),
        c.model.clone(),
        c.year.to_string(),
        format!("{:.1}", c.bf16.tflops()),
        opt(c.fp8.map(|f| f.tflops()), 1),
        format!("{:.0}", c.hbm.gb()),
        format!("{:.2}", c.hbm_bandwidth.tbps()),
        format!("{:.0}", c.tdp.0),
        format!("{:.0}", c.idle.0),
        format!("{:.0}", c.scaleup_bandwidth.gbps()),
        opt(c.price.map(|p| p.0), 0),
        format!("{:.2}", c.gpu_failures_per_mhr),
        format!("{:.2}", c.hbm_failures_per_mhr),
    ]
}

const CHIP_HEADER: [&str; 13] = [
    "name",
    "model",
    "year",
    "bf16_tflops",
    "fp8_tflops",
    "hbm_gb",
    "hbm_tb_per_s",
    "tdp_w",
    "idle_w",
    "scaleup_gb_per_s",
    "price_usd",
    "gpu_failures_per_mhr",
    "hbm_failures_per_mhr",
];

fn rack_fields(r: &RackSpec, catalog: &Catalog) -> Vec<String> {
    let nameplate = catalog.chip(&r.chip).map(|c| r.nameplate_power(c).kw());
    vec![
        r.name.clone(),
        r.model.clone(),
        r.chip.clone(),
        r.chips.to_string(),
        r.nodes.to_string(),
        r.scaleup_domain.to_string(),
        format!("{:.1}", r.overhead.kw()),
        opt(nameplate, 1),
        format!("{:.0}", r.scaleout_per_chip.gbps()),
        opt(r.price.map(|p| p.0), 0),
    ]
}

const RACK_HEADER: [&str; 10] = [
    "name",
    "model",
    "chip",
    "chips",
    "nodes",
    "scaleup_domain",
    "overhead_kw",
    "nameplate_kw",
    "scaleout_gbit_per_s",
    "price_usd",
];

fn header(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| s.to_string()).collect()
}

/// The catalog as aligned tables, each followed by its sources.
pub fn catalog_table(catalog: &Catalog, part: CatalogPart) -> String {
    let mut out = String::new();
    if matches!(part, CatalogPart::All | CatalogPart::Chips) {
        let mut rows = vec![header(&CHIP_HEADER)];
        rows.extend(catalog.chips.iter().map(chip_fields));
        let _ = writeln!(
            out,
            "CHIPS ({}): dense TFLOP/s, GB, TB/s, W, GB/s, USD, failures per million chip-hours\n",
            catalog.chips.len()
        );
        out.push_str(&columns(&rows));
        out.push_str("\nSources and estimates:\n");
        for c in &catalog.chips {
            let _ = writeln!(out, "  {}: {}", c.name, c.source);
            if !c.estimates.is_empty() {
                let _ = writeln!(out, "  {} (estimates): {}", c.name, c.estimates);
            }
        }
        out.push('\n');
    }
    if matches!(part, CatalogPart::All | CatalogPart::Racks) {
        let mut rows = vec![header(&RACK_HEADER)];
        rows.extend(catalog.racks.iter().map(|r| rack_fields(r, catalog)));
        let _ = writeln!(
            out,
            "RACKS ({}): kW, Gbit/s per chip, USD\n",
            catalog.racks.len()
        );
        out.push_str(&columns(&rows));
        out.push_str("\nSources and estimates:\n");
        for r in &catalog.racks {
            let _ = writeln!(out, "  {}: {}", r.name, r.source);
            if !r.estimates.is_empty() {
                let _ = writeln!(out, "  {} (estimates): {}", r.name, r.estimates);
            }
        }
        out.push('\n');
    }
    if matches!(part, CatalogPart::All | CatalogPart::Failures) {
        let mut rows = vec![header(&[
            "class",
            "counted per",
            "rate_per_million_hours",
            "repair_mean_h",
        ])];
        for d in failures::defaults() {
            rows.push(vec![
                d.kind.key().to_string(),
                basis_name(d.kind).to_string(),
                format!("{:.2}", d.rate_per_million_hours),
                format!("{:.1}", d.repair_mean_hours),
            ]);
        }
        let _ = writeln!(
            out,
            "FAILURE CLASSES (defaults; exponential lifetimes and repairs)\n"
        );
        out.push_str(&columns(&rows));
        out.push_str("\nSources and estimates:\n");
        for d in failures::defaults() {
            let _ = writeln!(out, "  {}: {}", d.kind.key(), d.source);
        }
    }
    out
}

fn basis_name(kind: FailureKind) -> &'static str {
    match kind.basis() {
        failures::Basis::Chip => "chip-hour",
        failures::Basis::Node => "node-hour",
        failures::Basis::RackUplink => "chip-hour of the rack",
        failures::Basis::Rack => "rack-hour",
        failures::Basis::Site => "site-hour",
        failures::Basis::Link => "link-hour",
    }
}

fn csv_text(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("writing to memory cannot fail");
    }
    String::from_utf8(w.into_inner().expect("memory writer")).expect("CSV of UTF-8 fields is UTF-8")
}

/// One table of the catalog, for CSV output: each has its own columns, so
/// a CSV stream holds exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogTable {
    /// The chips.
    Chips,
    /// The rack-scale systems.
    Racks,
    /// The failure classes.
    Failures,
}

impl CatalogPart {
    /// The one table this part is, or `None` for [`CatalogPart::All`].
    pub fn table(self) -> Option<CatalogTable> {
        match self {
            CatalogPart::All => None,
            CatalogPart::Chips => Some(CatalogTable::Chips),
            CatalogPart::Racks => Some(CatalogTable::Racks),
            CatalogPart::Failures => Some(CatalogTable::Failures),
        }
    }
}

/// One table of the catalog as CSV: a header line, then one row per entry.
pub fn catalog_csv(catalog: &Catalog, table: CatalogTable) -> String {
    match table {
        CatalogTable::Chips => {
            let mut h = header(&CHIP_HEADER);
            h.extend(["vendor".to_string(), "source".into(), "estimates".into()]);
            let mut rows = vec![h];
            for c in &catalog.chips {
                let mut r = chip_fields(c);
                r.extend([c.vendor.clone(), c.source.clone(), c.estimates.clone()]);
                rows.push(r);
            }
            csv_text(&rows)
        }
        CatalogTable::Racks => {
            let mut h = header(&RACK_HEADER);
            h.extend(["source".to_string(), "estimates".into()]);
            let mut rows = vec![h];
            for r in &catalog.racks {
                let mut f = rack_fields(r, catalog);
                f.extend([r.source.clone(), r.estimates.clone()]);
                rows.push(f);
            }
            csv_text(&rows)
        }
        CatalogTable::Failures => {
            let mut rows = vec![header(&[
                "class",
                "counted_per",
                "rate_per_million_hours",
                "repair_mean_h",
                "source",
            ])];
            for d in failures::defaults() {
                rows.push(vec![
                    d.kind.key().to_string(),
                    basis_name(d.kind).to_string(),
                    format!("{:.4}", d.rate_per_million_hours),
                    format!("{:.1}", d.repair_mean_hours),
                    d.source.to_string(),
                ]);
            }
            csv_text(&rows)
        }
    }
}

/// Thousands separators for whole numbers.
fn grouped(x: f64) -> String {
    let n = x.round() as i128;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A few lines summing up a finished run (a line of training figures when
/// the scenario has jobs).
pub fn run_summary(s: &SummaryRow, wall_seconds: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {} (seed {}): {} site(s), {} to {} ({:.0} h)",
        s.scenario, s.seed, s.sites, s.start, s.end, s.hours
    );
    let _ = writeln!(
        out,
        "  racks commissioned {} (refused {}, still waiting for grid room {}); chips online at end {} (peak {})",
        grouped(s.racks_commissioned as f64),
        grouped(s.racks_refused as f64),
        grouped(s.racks_deferred_at_end as f64),
        grouped(s.chips_online_at_end as f64),
        grouped(s.peak_chips_online as f64)
    );
    let _ = writeln!(
        out,
        "  energy {} MWh (IT {} MWh), peak {:.1} MW; cost ${}; carbon {} tCO2e",
        grouped(s.energy_mwh),
        grouped(s.it_energy_mwh),
        s.peak_facility_mw,
        grouped(s.energy_cost_usd),
        grouped(s.carbon_tco2e)
    );
    let by_class: Vec<String> = FailureKind::ALL
        .iter()
        .zip(s.failures)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {}", k.key(), grouped(n as f64)))
        .collect();
    let _ = writeln!(
        out,
        "  failures {} ({}); chip availability {:.3}%; throttled {} chip-h",
        grouped(s.failures_total() as f64),
        if by_class.is_empty() {
            "none".to_string()
        } else {
            by_class.join(", ")
        },
        s.availability * 100.0,
        grouped(s.throttled_chip_hours)
    );
    if let Some(t) = &s.training {
        let _ = writeln!(
            out,
            "  jobs {} (completed {}), {} chip-h held; ETTR mean {:.3} (p10 {:.3}); interruptions {}, lost {} chip-h; mean queue wait {:.1} h",
            grouped(t.jobs as f64),
            grouped(t.jobs_completed as f64),
            grouped(t.chip_hours),
            t.ettr_mean,
            t.ettr_p10,
            grouped(t.interruptions as f64),
            grouped(t.lost_chip_hours),
            t.queue_wait_mean_h
        );
    }
    if let Some(e) = &s.economics {
        money_lines(&mut out, e);
        terms_lines(&mut out, e);
    }
    let _ = writeln!(
        out,
        "  {} events in {:.2} s ({:.1} M events/s)",
        grouped(s.events as f64),
        wall_seconds,
        s.events as f64 / wall_seconds.max(1e-9) / 1e6
    );
    out
}

/// Dollars in billions or millions, whichever reads better: `$38.00B`,
/// `-$412.5M`, `$950`; an amount that rounds to zero dollars is `$0`, never
/// `-$0`.
pub fn money(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 && a >= 0.5 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}${:.2}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}${:.1}M", a / 1e6)
    } else {
        format!("{sign}${}", grouped(a))
    }
}

/// The provider's money in four lines: what it spends, earns and keeps,
/// and when it pays back.
fn money_lines(out: &mut String, e: &crate::record::EconomicsSummary) {
    let pct = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.1}%", v * 100.0));
    let _ = writeln!(
        out,
        "  spends: capex {}, opex {} (energy included), interest {}",
        money(e.capex_usd),
        money(e.opex_usd),
        money(e.interest_usd)
    );
    let _ = writeln!(
        out,
        "  earns: revenue {} (contracts {} of {} committed, on demand {}, SLA credits {})",
        money(e.revenue_usd),
        money(e.contract_revenue_usd),
        money(e.contract_value_usd),
        money(e.on_demand_revenue_usd),
        money(-e.sla_credits_usd)
    );
    for c in &e.contracts {
        let (amount, unit) = match c.unit {
            CapacityUnit::Megawatts => (format!("{} MW", c.peak_capacity), "kW-month"),
            CapacityUnit::Chips => (format!("{} chips", grouped(c.peak_capacity)), "chip-hour"),
        };
        let price = if c.price_derived {
            format!(
                "${:.4}/{unit} (derived from its value, {})",
                c.price,
                money(c.value_usd)
            )
        } else {
            format!("${:.4}/{unit}", c.price)
        };
        let _ = writeln!(
            out,
            "  contract {}: {amount} at peak, {} to {}, {price}; {} of the committed capacity delivered; SLA credits {} in {} month(s)",
            c.contract,
            c.start.date(),
            c.end.date(),
            c.availability
                .map_or("n/a".to_string(), |a| format!("{:.3}%", a * 100.0)),
            money(c.credits_usd),
            c.months_credited
        );
    }
    let _ = writeln!(
        out,
        "  keeps: EBITDA {} ({} margin), EBIT {} after depreciation {}; net cash {}, book value left {}",
        money(e.ebitda_usd),
        pct(e.ebitda_margin),
        money(e.ebit_usd),
        money(e.depreciation_usd),
        money(e.net_cash_usd),
        money(e.book_value_usd)
    );
    let irr = match (e.irr, e.irr_note) {
        (Some(r), _) => format!("IRR {:.1}%/yr", r * 100.0),
        (None, Some(why)) => why.to_string(),
        (None, None) => "no IRR".to_string(),
    };
    let payback = match (&e.payback_month, e.payback_months) {
        (Some(m), Some(n)) => format!("pays back in {m} (month {n})"),
        _ => "does not pay back within the run".to_string(),
    };
    let unit = e
        .cost_per_chip_hour_usd
        .map_or("n/a".to_string(), |c| format!("${c:.2}"));
    let _ = writeln!(
        out,
        "  NPV at {:.1}%: {}; {irr}; {payback}; cost per chip-hour {unit}",
        e.discount_rate * 100.0,
        money(e.npv_usd)
    );
}

/// The books' optional terms, one line each when the scenario sets them:
/// the opex lines, the after-tax figures, and the NPV with and without the
/// terminal value (its treatment named).
fn terms_lines(out: &mut String, e: &crate::record::EconomicsSummary) {
    let rate = |x: Option<f64>| {
        x.map_or("no IRR".to_string(), |v| {
            format!("IRR {:.1}%/yr", v * 100.0)
        })
    };
    if let Some(l) = e.opex_lines_usd {
        let _ = writeln!(
            out,
            "  opex lines: insurance and property tax {}, network transit {}, software and licences {}, SG&A {}",
            money(l[0]),
            money(l[1]),
            money(l[2]),
            money(l[3])
        );
    }
    if let Some(t) = &e.tax {
        let payback = match (&t.payback_month, t.payback_months) {
            (Some(m), Some(n)) => format!("pays back in {m} (month {n})"),
            _ => "does not pay back within the run".to_string(),
        };
        let _ = writeln!(
            out,
            "  after tax at {:.1}%: income tax {}, net income {}; NPV {}; {}; {payback}",
            t.rate * 100.0,
            money(t.income_tax_usd),
            money(t.net_income_usd),
            money(t.npv_usd),
            rate(t.irr)
        );
    }
    if let Some(r) = &e.retirement {
        let _ = writeln!(
            out,
            "  early retirements: {} of book value written off, {} from resale",
            money(r.written_off_usd),
            money(r.proceeds_usd)
        );
    }
    if let Some(v) = &e.terminal {
        let after = match (v.after_tax_value_usd, v.after_tax_npv_usd) {
            (Some(tv), Some(npv)) => format!(
                "; after tax: value {}, NPV {} (without {}), {}",
                money(tv),
                money(npv),
                money(e.tax.as_ref().map_or(0.0, |t| t.npv_usd)),
                rate(v.after_tax_irr)
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  terminal value ({}): {}; NPV {} with it, {} without; {}{after}",
            v.treatment,
            money(v.value_usd),
            money(v.npv_usd),
            money(e.npv_usd),
            rate(v.irr)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_in_billions_and_millions() {
        assert_eq!(money(38e9), "$38.00B");
        assert_eq!(money(-412.5e6), "-$412.5M");
        assert_eq!(money(950.0), "$950");
        // No credit is $0, not -$0 (issue 16).
        assert_eq!(money(-0.0), "$0");
        assert_eq!(money(-0.4), "$0");
        assert_eq!(money(-0.5), "-$1");
    }

    #[test]
    fn grouping() {
        assert_eq!(grouped(0.0), "0");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(1234567.4), "1,234,567");
        assert_eq!(grouped(-1000.0), "-1,000");
    }

    #[test]
    fn catalog_table_lists_every_chip_and_rack_with_sources() {
        let c = Catalog::builtin();
        let t = catalog_table(&c, CatalogPart::All);
        for chip in &c.chips {
            assert!(
                t.contains(&format!("  {}: ", chip.name)),
                "{} has no source line",
                chip.name
            );
        }
        for rack in &c.racks {
            assert!(t.contains(&format!("  {}: ", rack.name)));
        }
        assert!(t.contains("CHIPS (15)"));
    }

    #[test]
    fn catalog_csv_parses_back() {
        let c = Catalog::builtin();
        let text = catalog_csv(&c, CatalogTable::Chips);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<_> = r.records().collect::<Result<_, _>>().unwrap();
        assert_eq!(rows.len(), 15);
        assert_eq!(&rows[0][0], "h100");
        assert_eq!(&rows[0][7], "700");
    }
}
