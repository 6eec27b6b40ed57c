//! How close to reality: published setups restated as scenarios
//! (`scenarios/validation/`), each run or computed with dcsim's own models
//! and compared with what was measured ([`figures`]), as one table of
//! [`Row`]s: the quantity, the published value, the simulated value, the
//! relative error, the tolerance and why it is that wide, within or not.
//! `dcsim validate-figures` prints it ([`table`]) and writes it as CSV
//! ([`csv()`]) and as an HTML section with a chart per model ([`html`],
//! [`chart::Panels`]).
//!
//! A tolerance is argued from the published figure's own uncertainty
//! (rounding, a range, a Poisson count, a spread between submissions), not
//! chosen to pass: a row outside it says where dcsim disagrees, and its
//! `note` says why and what it means for a planner.

pub mod chart;
mod setups;

use std::path::PathBuf;

pub use setups::figures;
// What the white-box tests check the rows against.
#[cfg(test)]
pub use setups::{
    AZURE_STATS, DISPERSION_BINS, MLPERF_INFERENCE, fit_mlperf_inference, index_of_dispersion,
    mlperf_per_gpu,
};

/// How a row's simulated value is held against the published one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// Within when `|simulated − published| ≤ tolerance × published`.
    Near(f64),
    /// The published value is a lower bound ("above 90 %"): within when
    /// `simulated ≥ published × (1 − tolerance)`.
    AtLeast(f64),
}

impl Check {
    /// The tolerance, relative to the published value (0.05 = 5 %).
    pub fn tolerance(self) -> f64 {
        match self {
            Check::Near(t) | Check::AtLeast(t) => t,
        }
    }
}

/// One comparison of a published figure with dcsim's.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The model or setup it belongs to (one chart each), e.g.
    /// `"Llama 3 405B"`.
    pub model: &'static str,
    /// What is compared, with its unit.
    pub quantity: String,
    /// The published (or the trace's own) value, in the quantity's unit.
    pub published: f64,
    /// dcsim's value, in the same unit.
    pub simulated: f64,
    /// How the two are held against each other, with the tolerance.
    pub check: Check,
    /// Why the tolerance is that wide.
    pub reason: String,
    /// Where the published value comes from.
    pub source: &'static str,
    /// What a disagreement means (empty when there is nothing to say); for
    /// a row that only checks bookkeeping, says so.
    pub note: String,
}

impl Row {
    /// `(simulated − published) ÷ published`.
    pub fn relative_error(&self) -> f64 {
        (self.simulated - self.published) / self.published
    }

    /// Whether the simulated value is within the tolerance.
    pub fn within(&self) -> bool {
        let e = self.relative_error();
        match self.check {
            // A tiny slack so that a tolerance of 0 accepts an exact match
            // computed through floating point.
            Check::Near(t) => e.abs() <= t + 1e-12,
            Check::AtLeast(t) => e >= -t - 1e-12,
        }
    }
}

/// Where the setups are read from.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The folder of the validation scenarios (`scenarios/validation`).
    pub scenarios: PathBuf,
    /// The folder of the shipped traces (`data`).
    pub data: PathBuf,
    /// The folder holding the real Alibaba GPU v2023 files
    /// (`openb_pod_list_default.csv`), which the repository does not ship;
    /// without it the cluster rows are left out.
    pub alibaba: Option<PathBuf>,
}

impl Inputs {
    /// The repository's own folders under `root` (a clone's top folder).
    pub fn under(root: &std::path::Path) -> Inputs {
        Inputs {
            scenarios: root.join("scenarios").join("validation"),
            data: root.join("data"),
            alibaba: None,
        }
    }
}

/// A number with about four significant digits, thousands grouped.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    let decimals = if a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 10.0 {
        2
    } else if a >= 1.0 {
        3
    } else {
        4
    };
    let s = format!("{:.*}", decimals, a);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn percent(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

fn tolerance_text(c: Check) -> String {
    match c {
        Check::Near(t) => format!("±{:.1}%", t * 100.0),
        Check::AtLeast(t) => format!("≥ −{:.1}%", t * 100.0),
    }
}

/// The rows as a plain-text table (one line a row, then the reasons and
/// notes numbered), as `dcsim validate-figures` prints it.
pub fn table(rows: &[Row]) -> String {
    let head = [
        "#",
        "model",
        "quantity",
        "published",
        "simulated",
        "error",
        "tolerance",
        "within",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            [
                (i + 1).to_string(),
                r.model.to_string(),
                r.quantity.clone(),
                number(r.published),
                number(r.simulated),
                percent(r.relative_error()),
                tolerance_text(r.check),
                if r.within() { "yes" } else { "NO" }.to_string(),
            ]
        })
        .collect();
    let mut width = head.map(|h| h.chars().count());
    for c in &cells {
        for (w, s) in width.iter_mut().zip(c) {
            *w = (*w).max(s.chars().count());
        }
    }
    let line = |c: &[String; 8]| {
        let mut s = String::new();
        for (i, (cell, w)) in c.iter().zip(width).enumerate() {
            let pad = w - cell.chars().count();
            // Numbers right-aligned, text left-aligned.
            if (3..=6).contains(&i) || i == 0 {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
            s.push_str("  ");
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&head.map(String::from));
    out.push_str(&"-".repeat(width.iter().sum::<usize>() + 2 * (width.len() - 1)));
    out.push('\n');
    for c in &cells {
        out.push_str(&line(c));
    }
    let within = rows.iter().filter(|r| r.within()).count();
    out.push_str(&format!(
        "\n{within} of {} rows within their tolerance.\n\nTolerances and notes:\n",
        rows.len()
    ));
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&format!("  {}. tolerance: {}", i + 1, r.reason));
        if !r.note.is_empty() {
            out.push_str(&format!(" — {}", r.note));
        }
        out.push_str(&format!(" [source: {}]\n", r.source));
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The rows as CSV (`validation.csv`): `model, quantity, published,
/// simulated, relative_error, check, tolerance, within, reason, note,
/// source`; numbers in full precision, `check` is `near` or `at_least`.
pub fn csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "model,quantity,published,simulated,relative_error,check,tolerance,within,reason,note,source\n",
    );
    for r in rows {
        let kind = match r.check {
            Check::Near(_) => "near",
            Check::AtLeast(_) => "at_least",
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(r.model),
            csv_field(&r.quantity),
            r.published,
            r.simulated,
            r.relative_error(),
            kind,
            r.check.tolerance(),
            r.within(),
            csv_field(&r.reason),
            csv_field(&r.note),
            csv_field(r.source),
        ));
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An HTML section (`<section id="validation">`) with the table and, when
/// given, the chart's SVG inlined; `page` wraps it into a whole page.
pub fn html(rows: &[Row], svg: Option<&str>, page: bool) -> String {
    let mut s = String::new();
    if page {
        s.push_str(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>dcsim: how close to reality</title>\
             <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
             td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}\
             td.n{text-align:right}tr.no{background:#fde8e8}</style></head><body>\n",
        );
    }
    s.push_str("<section id=\"validation\">\n<h2>How close to reality</h2>\n");
    let within = rows.iter().filter(|r| r.within()).count();
    s.push_str(&format!(
        "<p>{within} of {} rows within their tolerance. A row outside it is a disagreement \
         explained in its note.</p>\n",
        rows.len()
    ));
    if let Some(svg) = svg {
        s.push_str("<figure>\n");
        s.push_str(svg);
        s.push_str(
            "\n<figcaption>Simulated ÷ published per row, by model; the band is the \
             row's tolerance.</figcaption>\n</figure>\n",
        );
    }
    s.push_str(
        "<table>\n<tr><th>#</th><th>model</th><th>quantity</th><th>published</th>\
         <th>simulated</th><th>error</th><th>tolerance</th><th>within</th>\
         <th>why this tolerance; what a disagreement means</th><th>source</th></tr>\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let class = if r.within() { "" } else { " class=\"no\"" };
        let mut why = escape(&r.reason);
        if !r.note.is_empty() {
            why.push_str(" — ");
            why.push_str(&escape(&r.note));
        }
        s.push_str(&format!(
            "<tr{class}><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>\n",
            i + 1,
            escape(r.model),
            escape(&r.quantity),
            number(r.published),
            number(r.simulated),
            percent(r.relative_error()),
            escape(&tolerance_text(r.check)),
            if r.within() { "yes" } else { "no" },
            why,
            escape(r.source),
        ));
    }
    s.push_str("</table>\n</section>\n");
    if page {
        s.push_str("</body></html>\n");
    }
    s
}

/// What `dcsim validate-figures` did.
#[derive(Debug)]
pub struct Written {
    /// The rows.
    pub rows: Vec<Row>,
}

/// Why `dcsim validate-figures` failed.
#[derive(Debug, thiserror::Error)]
pub enum ValidationError {
    /// A validation scenario or trace is missing or invalid (exit 2).
    #[error("{0}")]
    BadInput(String),
    /// The files could not be written (exit 1).
    #[error(transparent)]
    Output(#[from] crate::output::set::OutputError),
    /// The chart could not be drawn (exit 1).
    #[error("{0}")]
    Chart(String),
}

/// Computes every row and writes them into the folder `out` as
/// `validation.csv`, `validation.html` (a page holding the section) and
/// the chart `validation.png`/`.svg`, together or not at all
/// ([`crate::output::set`]). An `out` that is, holds or lies inside a
/// folder it reads is refused before anything runs.
pub fn write(inputs: &Inputs, out: &std::path::Path) -> Result<Written, ValidationError> {
    use std::io::Write;
    let read: Vec<PathBuf> = [
        &Some(inputs.scenarios.clone()),
        &Some(inputs.data.clone()),
        &inputs.alibaba,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    crate::output::set::check_not_an_input(out, &read, "--out")
        .map_err(ValidationError::BadInput)?;
    let rows = figures(inputs).map_err(ValidationError::BadInput)?;
    let mut set = crate::output::set::OutputSet::create(out)?;
    let panels = chart::Panels { rows: &rows };
    let svg = crate::output::charts::write_chart(
        &mut set,
        "validation.png",
        "validation.svg",
        &panels,
        chart::size(&rows),
    )
    .map_err(|e| ValidationError::Chart(e.to_string()))?;
    for (name, text) in [
        ("validation.csv", csv(&rows)),
        ("validation.html", html(&rows, Some(&svg), true)),
    ] {
        let mut f = set.create_file(name)?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| set.write_error(name, e))?;
    }
    set.commit()?;
    Ok(Written { rows })
}
