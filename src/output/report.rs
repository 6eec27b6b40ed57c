//! `report.html`: one self-contained page per run — the scenario's name
//! and description, the headline figures, every chart inline as SVG, the
//! build-out table, the monthly statement when there is one, and the
//! scenario file itself.
//!
//! Self-contained means: no script, no stylesheet, font, image or anything
//! else fetched from anywhere (no URL at all; the SVGs lose their `xmlns`,
//! which HTML does not need). The page is made from the run's files as read
//! back ([`RunData`]) and the charts just drawn, plus what only the command
//! line knows — the scenario's text and its label ([`ReportInputs`]) — so
//! the same scenario and seed give the same bytes.

use std::fmt::Write as _;

use super::charts::data::{CsvTable, RunData};
use super::charts::style::grouped;
use super::charts::{ChartKind, DrawnChart, ServiceTarget};
use crate::output::csv::{
    Unit, contracts, contracts_monthly, monthly, revenue_column_contract, schema, summary,
};
use crate::scenario::Scenario;

/// What the report needs beyond the run's files: the scenario as the user
/// gave it, and the services' latency targets for the inference chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportInputs {
    /// The scenario's name.
    pub name: String,
    /// The scenario's description.
    pub description: String,
    /// Where the scenario came from: its path, or
    /// `scenarios/default.toml (built in)`.
    pub scenario_label: String,
    /// The scenario file's text, as read.
    pub scenario_text: String,
    /// Changes made on the command line (`--set PATH=VALUE`, `--seed N`),
    /// as given.
    pub changes: Vec<String>,
    /// The services' latency targets.
    pub services: Vec<ServiceTarget>,
}

impl ReportInputs {
    /// The inputs for `scenario`, read from `label` whose text is `text`.
    pub fn new(scenario: &Scenario, label: impl Into<String>, text: impl Into<String>) -> Self {
        ReportInputs {
            name: scenario.run.name.clone(),
            description: scenario.run.description.clone(),
            scenario_label: label.into(),
            scenario_text: text.into(),
            changes: Vec::new(),
            services: scenario
                .serving
                .services
                .iter()
                .map(|s| ServiceTarget {
                    name: s.name.clone(),
                    ttft_s: s.ttft_slo.seconds(),
                    tpot_s: s.tpot_slo.seconds(),
                    percentile: s.slo_percentile,
                })
                .collect(),
        }
    }

    /// The same, noting the command line's changes.
    pub fn with_changes(mut self, changes: Vec<String>) -> Self {
        self.changes = changes;
        self
    }
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML text and
/// attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Money as `$26.87B`, `$860.8M`, `$153,631`, `−$961.9M`; an amount that
/// rounds to zero dollars is `$0`, never `−$0`.
pub(crate) fn money(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 && a >= 0.5 { "−" } else { "" };
    let body = if a >= 1e9 {
        format!("${:.2}B", a / 1e9)
    } else if a >= 1e6 {
        format!("${:.1}M", a / 1e6)
    } else {
        format!("${}", grouped(a, 0))
    };
    format!("{sign}{body}")
}

/// Energy from MWh: `29.57 TWh`, `1,322.6 GWh`, `940.5 MWh`.
fn energy(mwh: f64) -> String {
    if mwh >= 1e6 {
        format!("{} TWh", grouped(mwh / 1e6, 2))
    } else if mwh >= 1e4 {
        format!("{} GWh", grouped(mwh / 1e3, 1))
    } else {
        format!("{} MWh", grouped(mwh, 1))
    }
}

/// Carbon from tonnes: `11.97 Mt CO₂e`, `550.3 kt CO₂e`, `3,295 t CO₂e`.
fn carbon(t: f64) -> String {
    if t >= 1e6 {
        format!("{} Mt CO₂e", grouped(t / 1e6, 2))
    } else if t >= 1e4 {
        format!("{} kt CO₂e", grouped(t / 1e3, 1))
    } else {
        format!("{} t CO₂e", grouped(t, 0))
    }
}

/// The headline figures: a label, the value and an optional note; the
/// period, then the money (capex, revenue, opex, EBITDA, depreciation,
/// EBIT, book value, net cash, NPV, IRR, payback), then the fleet.
fn headlines(s: &CsvTable) -> Vec<(String, String, String)> {
    let text = |c: &str| s.get(0, c).filter(|v| !v.is_empty());
    let num = |c: &str| s.number(0, c);
    let mut out = Vec::new();
    let mut push = |label: &str, value: Option<String>, note: String| {
        if let Some(v) = value {
            out.push((label.to_string(), v, note));
        }
    };
    push(
        "Period",
        text(summary::START)
            .zip(text(summary::END))
            .map(|(a, b)| format!("{a} to {b}")),
        num(summary::HOURS).map_or(String::new(), |h| format!("{} hours", grouped(h, 0))),
    );
    push("Capex", num(summary::CAPEX_USD).map(money), String::new());
    push(
        "Revenue",
        num(summary::REVENUE_USD).map(money),
        num(summary::SLA_CREDITS_USD)
            .map_or(String::new(), |c| format!("after SLA credits {}", money(c))),
    );
    push(
        "Opex",
        num(summary::OPEX_USD).map(money),
        "energy included".into(),
    );
    push(
        "EBITDA",
        num(summary::EBITDA_USD).map(money),
        num(summary::EBITDA_MARGIN).map_or(String::new(), |m| {
            format!("revenue − opex; {:.1} % margin", m * 100.0)
        }),
    );
    push(
        "Depreciation",
        num(summary::DEPRECIATION_USD).map(money),
        "capex written off over the run".into(),
    );
    push(
        "EBIT",
        num(summary::EBIT_USD).map(money),
        "EBITDA − depreciation".into(),
    );
    push(
        "Book value left",
        num(summary::BOOK_VALUE_USD).map(money),
        "capex not yet depreciated at the end".into(),
    );
    push(
        "Net cash",
        num(summary::NET_CASH_USD).map(money),
        "Σ monthly cash flow".into(),
    );
    push(
        "NPV",
        num(summary::NPV_USD).map(money),
        num(summary::DISCOUNT_RATE).map_or(String::new(), |r| {
            format!(
                "at {:.1} %/yr; no terminal value: the book value left and any later revenue are not counted",
                r * 100.0
            )
        }),
    );
    if s.column(summary::IRR).is_some() {
        let note = text(summary::IRR_NOTE).unwrap_or("").to_string();
        push(
            "IRR",
            Some(match num(summary::IRR) {
                Some(r) => format!("{:.1} %/yr", r * 100.0),
                None => "none".into(),
            }),
            if note.is_empty() {
                "of the run's monthly cash flows; no terminal value counted".into()
            } else {
                format!("{note}; no terminal value counted")
            },
        );
    }
    if s.column(summary::PAYBACK_MONTH).is_some() {
        push(
            "Payback",
            Some(
                text(summary::PAYBACK_MONTH)
                    .unwrap_or("not within the run")
                    .to_string(),
            ),
            num(summary::PAYBACK_MONTHS)
                .map_or(String::new(), |m| format!("month {}", grouped(m, 0))),
        );
    }
    push(
        "Sites",
        num(summary::SITES).map(|n| grouped(n, 0)),
        String::new(),
    );
    push(
        "Racks commissioned",
        num(summary::RACKS_COMMISSIONED).map(|n| grouped(n, 0)),
        format!(
            "refused {}, waiting for grid room at the end {}",
            grouped(num(summary::RACKS_REFUSED).unwrap_or(0.0), 0),
            grouped(num(summary::RACKS_DEFERRED_AT_END).unwrap_or(0.0), 0)
        ),
    );
    push(
        "Peak chips online",
        num(summary::PEAK_CHIPS_ONLINE).map(|n| grouped(n, 0)),
        num(summary::CHIPS_ONLINE_AT_END)
            .map_or(String::new(), |n| format!("{} at the end", grouped(n, 0))),
    );
    push(
        "Chip availability",
        num(summary::AVAILABILITY).map(|a| format!("{:.3} %", a * 100.0)),
        "healthy ÷ online chip-hours".into(),
    );
    push(
        "Facility energy",
        num(summary::ENERGY_MWH).map(energy),
        num(summary::PEAK_FACILITY_MW)
            .map_or(String::new(), |p| format!("peak {} MW", grouped(p, 1))),
    );
    push(
        "Energy cost",
        num(summary::ENERGY_COST_USD).map(money),
        String::new(),
    );
    push(
        "Carbon",
        num(summary::CARBON_TCO2E).map(carbon),
        String::new(),
    );
    push(
        "Failures",
        num(summary::FAILURES_TOTAL).map(|n| grouped(n, 0)),
        String::new(),
    );
    push(
        "Training jobs completed",
        num(summary::JOBS_COMPLETED).map(|n| grouped(n, 0)),
        num(summary::JOBS).map_or(String::new(), |n| format!("of {}", grouped(n, 0))),
    );
    push(
        "ETTR",
        num(summary::ETTR_MEAN).map(|e| format!("{e:.3}")),
        num(summary::ETTR_P10).map_or(String::new(), |p| format!("mean; p10 {p:.3}")),
    );
    out
}

/// The headline figures of the books' optional terms, each only when its
/// columns are in the summary: the opex lines, the after-tax NPV and IRR,
/// and the NPV with and without the terminal value, its treatment named.
fn books_terms_headlines(s: &CsvTable) -> Vec<(String, String, String)> {
    let text = |c: &str| s.get(0, c).filter(|v| !v.is_empty());
    let num = |c: &str| s.number(0, c);
    let rate = |c: &str| num(c).map_or("none".to_string(), |r| format!("{:.1} %/yr", r * 100.0));
    let mut out = Vec::new();
    if s.column(summary::SGA_USD).is_some() {
        let lines = [
            (
                "insurance and property tax",
                summary::INSURANCE_PROPERTY_TAX_USD,
            ),
            ("network transit", summary::NETWORK_TRANSIT_USD),
            ("software and licences", summary::SOFTWARE_LICENCES_USD),
            ("SG&A", summary::SGA_USD),
        ];
        let total: f64 = lines.iter().filter_map(|(_, c)| num(c)).sum();
        let parts: Vec<String> = lines
            .iter()
            .filter_map(|(name, c)| {
                num(c)
                    .filter(|x| *x != 0.0)
                    .map(|x| format!("{name} {}", money(x)))
            })
            .collect();
        out.push(("Opex lines".to_string(), money(total), parts.join(", ")));
    }
    if let Some(npv) = num(summary::NPV_AFTER_TAX_USD) {
        out.push((
            "NPV after tax".to_string(),
            money(npv),
            format!(
                "tax at {:.1} %, IRR {}",
                num(summary::TAX_RATE).unwrap_or(0.0) * 100.0,
                rate(summary::IRR_AFTER_TAX)
            ),
        ));
    }
    if let (Some(npv), Some(treatment)) = (
        num(summary::NPV_WITH_TERMINAL_USD),
        text(summary::TERMINAL_TREATMENT),
    ) {
        out.push((
            format!("NPV with terminal value ({treatment})"),
            money(npv),
            format!(
                "terminal value {}; without it {}; IRR {}",
                num(summary::TERMINAL_VALUE_USD).map_or(String::new(), money),
                num(summary::NPV_USD).map_or(String::new(), money),
                rate(summary::IRR_WITH_TERMINAL)
            ),
        ));
        if let Some(after) = num(summary::NPV_AFTER_TAX_WITH_TERMINAL_USD) {
            out.push((
                format!("NPV after tax with terminal value ({treatment})"),
                money(after),
                format!(
                    "without it {}; IRR {}",
                    num(summary::NPV_AFTER_TAX_USD).map_or(String::new(), money),
                    rate(summary::IRR_AFTER_TAX_WITH_TERMINAL)
                ),
            ));
        }
    }
    out
}

/// The units of the columns of `t`, the run's file `file`, as its schema
/// declares them.
fn units(file: &str, t: &CsvTable) -> Vec<Option<Unit>> {
    let schema = schema(file).unwrap_or_default();
    t.header.iter().map(|h| schema.unit(h)).collect()
}

/// A CSV table as an HTML table; money columns (in [`Unit::Usd`]) in whole
/// dollars with separators; `units` are its columns' units.
fn table_html(out: &mut String, t: &CsvTable, units: &[Option<Unit>]) {
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for h in &t.header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let money = units.get(i) == Some(&Some(Unit::Usd));
            let shown = match cell.parse::<f64>() {
                Ok(x) if money && x.is_finite() => grouped(x, 0),
                _ => cell.clone(),
            };
            let class = if cell.parse::<f64>().is_ok() {
                "n"
            } else {
                "t"
            };
            let _ = write!(out, "<td class=\"{class}\">{}</td>", escape(&shown));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    if t.rows_left_out > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more rows in the CSV file.</p>",
            grouped(t.rows_left_out as f64, 0)
        );
    }
}

/// A column of `monthly.csv` in words with its unit `unit`, for the
/// statement's header: `revenue_openai_usd` is `revenue, openai [$]`.
fn statement_heading(column: &str, unit: Option<Unit>) -> String {
    let known = [
        (monthly::MONTH, "month"),
        (monthly::DAYS, "days"),
        (monthly::REVENUE_ON_DEMAND_USD, "revenue, on demand [$]"),
        (monthly::SLA_CREDITS_USD, "SLA credits [$]"),
        (monthly::REVENUE_USD, "revenue [$]"),
        (monthly::ENERGY_USD, "energy [$]"),
        (monthly::MAINTENANCE_USD, "maintenance [$]"),
        (monthly::STAFF_USD, "staff [$]"),
        (monthly::COLOCATION_USD, "colocation [$]"),
        (monthly::FIXED_COSTS_USD, "fixed costs [$]"),
        (monthly::OPEX_USD, "opex [$]"),
        (monthly::EBITDA_USD, "EBITDA [$]"),
        (monthly::DEPRECIATION_USD, "depreciation [$]"),
        (monthly::EBIT_USD, "EBIT [$]"),
        (monthly::INTEREST_USD, "interest [$]"),
        (monthly::CAPEX_USD, "capex [$]"),
        (monthly::LOAN_DRAWN_USD, "loan drawn [$]"),
        (monthly::LOAN_REPAID_USD, "loan repaid [$]"),
        (monthly::CASH_FLOW_USD, "cash flow [$]"),
        (monthly::CUMULATIVE_CASH_USD, "cumulative cash [$]"),
        (monthly::ENERGY_MWH, "energy [MWh]"),
        (monthly::HEALTHY_CHIP_HOURS, "healthy chip-hours"),
        (monthly::CONTRACTED_CHIP_HOURS, "contracted chip-hours"),
        (monthly::ON_DEMAND_CHIP_HOURS, "on-demand chip-hours"),
        (monthly::IT_NAMEPLATE_MW, "IT nameplate [MW]"),
    ];
    if let Some((_, words)) = known.iter().find(|(c, _)| *c == column) {
        return (*words).to_string();
    }
    if let Some(name) = revenue_column_contract(column) {
        return format!("revenue, {name} [$]");
    }
    let words = |c: &str| c.replace('_', " ");
    match unit {
        Some(Unit::Usd) => {
            let suffix = Unit::Usd.suffix().unwrap_or_default();
            format!(
                "{} [$]",
                words(column.strip_suffix(suffix).unwrap_or(column))
            )
        }
        _ => words(column),
    }
}

/// A cell of the monthly statement as read, its column `column` in `unit`:
/// money in whole dollars with separators (`−` for negatives, never
/// `−0`), days as a whole number when whole, energy to 1 decimal,
/// chip-hours whole, megawatts to 1 decimal.
fn statement_cell(column: &str, unit: Option<Unit>, cell: &str) -> String {
    let Ok(x) = cell.parse::<f64>() else {
        return cell.to_string();
    };
    if !x.is_finite() {
        return cell.to_string();
    }
    let whole = matches!(
        unit,
        Some(Unit::Usd | Unit::ChipHours | Unit::CapacityHours)
    );
    let decimals = if whole {
        0
    } else if column == monthly::DAYS {
        if x.fract() == 0.0 { 0 } else { 2 }
    } else {
        1
    };
    let scale = 10f64.powi(decimals as i32);
    if (x * scale).round() == 0.0 {
        return "0".into();
    }
    let text = grouped(x.abs(), decimals);
    if x < 0.0 { format!("−{text}") } else { text }
}

/// The monthly statement as an HTML table: columns in words with units,
/// money in whole dollars.
fn statement_html(out: &mut String, t: &CsvTable) {
    let units = units("monthly.csv", t);
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for (h, unit) in t.header.iter().zip(&units) {
        let _ = write!(out, "<th>{}</th>", escape(&statement_heading(h, *unit)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let column = t.header.get(i).map_or("", String::as_str);
            let unit = units.get(i).copied().flatten();
            let class = if cell.parse::<f64>().is_ok() && column != monthly::MONTH {
                "n"
            } else {
                "t"
            };
            let _ = write!(
                out,
                "<td class=\"{class}\">{}</td>",
                escape(&statement_cell(column, unit, cell))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// The contracts section's table and credited months: per contract its
/// value, price (derived from the value or given), commitment, delivered
/// share and credits, from `contracts.csv`; the credited months from
/// `contracts_monthly.csv`.
fn contracts_html(out: &mut String, data: &RunData) {
    let Some(t) = &data.contracts else {
        return;
    };
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>contract</th><th>term</th><th>peak capacity</th><th>value</th><th>price</th><th>committed</th><th>delivered</th><th>billed</th><th>SLA credits</th><th>revenue</th></tr></thead>\n<tbody>\n");
    for i in 0..t.rows.len() {
        let get = |c: &str| t.get(i, c).unwrap_or("");
        let num = |c: &str| t.number(i, c);
        let mw = get(contracts::UNIT) == "mw";
        let (capacity_unit, price_unit, hours_unit) = if mw {
            ("MW", "per kW-month", "MW-hours")
        } else {
            ("chips", "per chip-hour", "chip-hours")
        };
        let price = num(contracts::PRICE_USD_PER_UNIT).map_or(String::new(), |p| {
            let how = if get(contracts::PRICE_DERIVED) == "true" {
                "derived from the value"
            } else {
                "given"
            };
            format!("${p:.4} {price_unit} ({how})")
        });
        let committed = num(contracts::COMMITTED_CAPACITY_HOURS).unwrap_or(0.0);
        let delivered = num(contracts::AVAILABILITY).map_or(String::new(), |a| {
            format!(
                "{:.3} % ({} {hours_unit})",
                a * 100.0,
                grouped(a * committed, 0)
            )
        });
        let credits = num(contracts::CREDITS_USD).map_or(String::new(), |c| {
            format!(
                "{} in {} month(s)",
                money(c),
                get(contracts::MONTHS_CREDITED)
            )
        });
        let _ = writeln!(
            out,
            "<tr><td class=\"t\">{}</td><td class=\"t\">{} to {}</td><td class=\"n\">{} {capacity_unit}</td><td class=\"n\">{}</td><td class=\"t\">{}</td><td class=\"n\">{} {hours_unit}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(get(contracts::CONTRACT)),
            escape(&get(contracts::START)[..10.min(get(contracts::START).len())]),
            escape(&get(contracts::END)[..10.min(get(contracts::END).len())]),
            grouped(num(contracts::PEAK_CAPACITY).unwrap_or(0.0), 0),
            num(contracts::VALUE_USD).map(money).unwrap_or_default(),
            escape(&price),
            grouped(committed, 0),
            escape(&delivered),
            num(contracts::BILLED_USD).map(money).unwrap_or_default(),
            escape(&credits),
            num(contracts::REVENUE_USD).map(money).unwrap_or_default(),
        );
    }
    out.push_str("</tbody></table></div>\n");
    let Some(m) = &data.contracts_monthly else {
        return;
    };
    let credited: Vec<String> = (0..m.rows.len())
        .filter(|&i| {
            m.number(i, contracts_monthly::CREDIT_USD)
                .is_some_and(|c| c > 0.0)
        })
        .map(|i| {
            format!(
                "{} {}: {:.3} % delivered, {} credited ({:.0} % of the month's bill)",
                m.get(i, contracts_monthly::MONTH).unwrap_or(""),
                m.get(i, contracts_monthly::CONTRACT).unwrap_or(""),
                m.number(i, contracts_monthly::AVAILABILITY).unwrap_or(0.0) * 100.0,
                money(m.number(i, contracts_monthly::CREDIT_USD).unwrap_or(0.0)),
                m.number(i, contracts_monthly::CREDIT_SHARE).unwrap_or(0.0) * 100.0
            )
        })
        .collect();
    if credited.is_empty() {
        out.push_str("<p class=\"note\">No month was credited: every contract met its SLA every month.</p>\n");
    } else {
        out.push_str("<p class=\"note\">Months credited for missing the SLA (contracts_monthly.csv):</p>\n<ul>\n");
        for c in &credited {
            let _ = writeln!(out, "<li>{}</li>", escape(c));
        }
        out.push_str("</ul>\n");
    }
}

/// A chart's SVG for inlining: no XML prolog, no namespace URL, labelled.
pub(crate) fn inline_svg(svg: &str, label: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    let body = body.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    body.replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{}\"", escape(label)),
        1,
    )
}

/// A chart's heading.
fn chart_heading(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Power => "Power",
        ChartKind::Chips => "Chips",
        ChartKind::Failures => "Failures",
        ChartKind::Energy => "Energy and carbon",
        ChartKind::Inference => "Inference",
        ChartKind::Training => "Training",
        ChartKind::Cash => "Cash",
        ChartKind::Contracts => "Contracts",
    }
}

pub(crate) const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f6f6;line-height:1.4}
main{max-width:1320px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:2.2rem;margin:.2em 0 .1em}
h2{font-size:1.5rem;margin:1.6em 0 .5em;border-bottom:2px solid #ddd;padding-bottom:.2em}
.description{font-size:1.1rem;max-width:60em;white-space:pre-line}
.meta,.note{color:#555;font-size:.95rem}
nav a{margin-right:1em}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px}
.tile{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px}
.tile .label{color:#555;font-size:.9rem}
.tile .value{font-size:1.45rem;font-weight:600}
.tile .sub{color:#666;font-size:.85rem}
figure{background:#fff;border:1px solid #ddd;margin:14px 0;padding:8px}
figure svg{width:100%;height:auto;display:block}
figcaption{color:#444;font-size:.95rem;padding:4px 6px}
.scroll{overflow:auto;max-height:640px;border:1px solid #ddd;background:#fff}
table{border-collapse:collapse;font-size:.85rem}
th,td{border-bottom:1px solid #e6e6e6;padding:3px 9px;white-space:nowrap}
th{position:sticky;top:0;background:#eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#fff;border:1px solid #ddd;padding:12px;overflow:auto;font-size:.85rem}
details{margin-top:12px}
";

/// The whole page.
pub fn report_html(inputs: &ReportInputs, data: &RunData, charts: &[DrawnChart]) -> String {
    let mut out =
        String::with_capacity(charts.iter().map(|c| c.svg.len()).sum::<usize>() + 64 * 1024);
    let name = escape(&inputs.name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{name} — dcsim report</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n"
    );
    let _ = writeln!(out, "<h1>{name}</h1>");
    if !inputs.description.trim().is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"description\">{}</p>",
            escape(inputs.description.trim())
        );
    }
    let seed = data.summary.get(0, summary::SEED).unwrap_or("");
    let _ = writeln!(
        out,
        "<p class=\"meta\">Scenario {} · seed {} · dcsim {}</p>",
        escape(&inputs.scenario_label),
        escape(seed),
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("<nav><a href=\"#figures\">Headline figures</a>");
    for c in charts {
        let _ = write!(
            out,
            "<a href=\"#{}\">{}</a>",
            c.kind.stem(),
            chart_heading(c.kind)
        );
    }
    out.push_str("<a href=\"#buildout\">Build-out</a>");
    if data.monthly.is_some() {
        out.push_str("<a href=\"#statement\">Monthly statement</a>");
    }
    out.push_str("<a href=\"#scenario\">Scenario file</a></nav>\n");

    // Headline figures.
    out.push_str("<h2 id=\"figures\">Headline figures</h2>\n<div class=\"tiles\">\n");
    for (label, value, note) in headlines(&data.summary)
        .into_iter()
        .chain(books_terms_headlines(&data.summary))
    {
        let _ = writeln!(
            out,
            "<div class=\"tile\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"sub\">{}</div></div>",
            escape(&label),
            escape(&value),
            escape(&note)
        );
    }
    out.push_str("</div>\n<details><summary>Every figure of summary.csv</summary>\n<div class=\"scroll\"><table>\n");
    if let Some(row) = data.summary.rows.first() {
        for (h, v) in data.summary.header.iter().zip(row) {
            let _ = writeln!(
                out,
                "<tr><th>{}</th><td class=\"n\">{}</td></tr>",
                escape(h),
                escape(v)
            );
        }
    }
    out.push_str("</table></div>\n</details>\n");

    // Charts; the contracts' chart in their section, with their table.
    for c in charts {
        let heading = chart_heading(c.kind);
        if c.kind == ChartKind::Contracts {
            let _ = writeln!(
                out,
                "<h2 id=\"contracts\">Contracts</h2>\n<p class=\"note\">Each contract's value and price, what it committed and what was delivered (contracts.csv), and the months it was credited.</p>"
            );
            contracts_html(&mut out, data);
            let _ = writeln!(
                out,
                "<figure>\n{}\n<figcaption>{} (contracts.png, contracts.svg)</figcaption>\n</figure>",
                inline_svg(&c.svg, heading),
                escape(c.kind.describe()),
            );
            continue;
        }
        let _ = writeln!(
            out,
            "<h2 id=\"{}\">{}</h2>\n<figure>\n{}\n<figcaption>{} ({}.png, {}.svg)</figcaption>\n</figure>",
            c.kind.stem(),
            heading,
            inline_svg(&c.svg, heading),
            escape(c.kind.describe()),
            c.kind.stem(),
            c.kind.stem()
        );
    }

    out.push_str("<h2 id=\"buildout\">Build-out</h2>\n<p class=\"note\">Each phase of each site (buildout.csv): planned, delivered and commissioned dates, what became of it, and its nameplate power.</p>\n");
    table_html(
        &mut out,
        &data.buildout,
        &units("buildout.csv", &data.buildout),
    );
    if let Some(monthly) = &data.monthly {
        out.push_str("<h2 id=\"statement\">Monthly statement</h2>\n<p class=\"note\">The provider's statement, one row per calendar month (monthly.csv): money in whole US dollars, pre-tax; negative amounts with −.</p>\n");
        statement_html(&mut out, monthly);
    }

    let _ = writeln!(
        out,
        "<h2 id=\"scenario\">Scenario file</h2>\n<p class=\"meta\">{}</p>",
        escape(&inputs.scenario_label)
    );
    if !inputs.changes.is_empty() {
        out.push_str("<p class=\"meta\">Changed on the command line:</p>\n<ul>\n");
        for c in &inputs.changes {
            let _ = writeln!(out, "<li><code>{}</code></li>", escape(c));
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(out, "<pre>{}</pre>", escape(&inputs.scenario_text));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_money_is_short() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(money(26_871_735_714.29), "$26.87B");
        assert_eq!(money(-961_853_707.78), "−$961.9M");
        assert_eq!(money(153_630.9), "$153,631");
        assert_eq!(energy(29_573_573.0), "29.57 TWh");
        assert_eq!(carbon(550_307.18), "550.3 kt CO₂e");
        assert_eq!(money(-0.2), "$0", "never −$0");
    }

    #[test]
    fn the_statement_reads_as_money_with_units() {
        let unit = |c: &str| schema("monthly.csv").unwrap().unit(c);
        let cell = |c: &str, text: &str| statement_cell(c, unit(c), text);
        let heading = |c: &str| statement_heading(c, unit(c));
        assert_eq!(cell(monthly::DAYS, "31.0000"), "31");
        assert_eq!(cell(monthly::DAYS, "30.5000"), "30.50");
        assert_eq!(cell(monthly::REVENUE_USD, "29008712.33"), "29,008,712");
        assert_eq!(cell(monthly::EBIT_USD, "-19601595.73"), "−19,601,596");
        assert_eq!(cell(monthly::INTEREST_USD, "-0.20"), "0");
        assert_eq!(cell(monthly::ENERGY_MWH, "8629.335"), "8,629.3");
        assert_eq!(cell(monthly::HEALTHY_CHIP_HOURS, "8629.335"), "8,629");
        assert_eq!(cell(monthly::MONTH, "2025-12"), "2025-12");
        let openai = crate::output::csv::contract_revenue_column("openai");
        assert_eq!(cell(&openai, "1.50"), "2");
        assert_eq!(heading(&openai), "revenue, openai [$]");
        assert_eq!(heading(monthly::CASH_FLOW_USD), "cash flow [$]");
        assert_eq!(heading(monthly::IT_NAMEPLATE_MW), "IT nameplate [MW]");
        assert_eq!(heading(monthly::INCOME_TAX_USD), "income tax [$]");
    }

    #[test]
    fn inlined_svgs_name_no_url() {
        let svg = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>";
        let inline = inline_svg(svg, "Power");
        assert!(!inline.contains("http"), "{inline}");
        assert!(inline.starts_with("<svg role=\"img\" aria-label=\"Power\" width"));
    }
}
