//! The files of `dcsim sensitivity`, written as one [`OutputSet`]:
//! `sensitivity.csv` (every figure's inputs ranked by swing),
//! `tornado.png`/`tornado.svg` (the first figure's tornado) and
//! `sensitivity.html` (the chart inline and the tables), like `compare`'s
//! page.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::charts::tornado::{Tornado as TornadoChart, TornadoBar};
use super::charts::{comparison::SLIDE, write_chart};
use super::set::{OutputError, OutputSet};
use crate::output::csv::{SENSITIVITY_COLUMNS, SensitivityRow, Unit, header, row_text, schema};
use crate::sensitivity::{Point, Tornado};

fn cell(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.6}"),
        _ => String::new(),
    }
}

/// The rows of `sensitivity.csv`: each figure's inputs in rank order.
pub fn rows(results: &[Tornado]) -> Vec<SensitivityRow> {
    let mut rows = Vec::new();
    for t in results {
        for (k, r) in t.rows.iter().enumerate() {
            let ci = |p: &Point| p.estimate.map(|e| (e.low(), e.high()));
            let (ll, lh) = ci(&r.low).unwrap_or((None, None));
            let (hl, hh) = ci(&r.high).unwrap_or((None, None));
            rows.push(SensitivityRow {
                figure: t.figure.clone(),
                rank: k + 1,
                input: r.input.path.clone(),
                low_value: r.input.low.clone(),
                high_value: r.input.high.clone(),
                base: t.base.mean(),
                at_low: r.low.mean(),
                at_low_ci95_low: ll,
                at_low_ci95_high: lh,
                at_high: r.high.mean(),
                at_high_ci95_low: hl,
                at_high_ci95_high: hh,
                swing: r.swing(),
                replications: r.low.values.len().max(r.high.values.len()),
            });
        }
    }
    rows
}

/// The CSV text of the results, in the columns of [`SENSITIVITY_COLUMNS`].
pub fn csv_text(results: &[Tornado]) -> String {
    let written = (|| -> csv::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(header(SENSITIVITY_COLUMNS))?;
        for row in rows(results) {
            w.write_record(row_text(SENSITIVITY_COLUMNS, &row))?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    })();
    let bytes = written.expect("writing CSV into memory cannot fail");
    String::from_utf8(bytes).expect("the fields are text")
}

/// The figure's unit divisor and the axis name, from the unit `summary.csv`
/// declares for it: money in $B or $M, a share or a rate in %, other
/// figures as they are.
fn axis(figure: &str, largest: f64) -> (f64, String) {
    let unit = schema("summary.csv").and_then(|s| s.unit(figure));
    match unit {
        Some(Unit::Usd) if largest >= 1e9 => (1e9, format!("{figure} [$B]")),
        Some(Unit::Usd) => (1e6, format!("{figure} [$M]")),
        Some(Unit::Share | Unit::PerYear) => (0.01, format!("{figure} [%]")),
        _ => (1.0, figure.to_string()),
    }
}

/// The tornado chart of one result.
pub fn chart(t: &Tornado, scenario: &str) -> TornadoChart {
    let largest = t
        .rows
        .iter()
        .flat_map(|r| [r.low.mean(), r.high.mean()])
        .chain([t.base.mean()])
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let (div, label) = axis(&t.figure, largest);
    let base = t.base.mean().unwrap_or(0.0) / div;
    let interval = |p: &Point| {
        p.estimate
            .and_then(|e| e.low().zip(e.high()))
            .map(|(a, b)| (a / div, b / div))
    };
    TornadoChart {
        title: format!("{scenario}: what moves {}", t.figure),
        value_label: label,
        base,
        bars: t
            .rows
            .iter()
            .map(|r| TornadoBar {
                label: r.input.path.clone(),
                low: r.low.mean().map_or(base, |v| v / div),
                high: r.high.mean().map_or(base, |v| v / div),
                values: (r.input.low.clone(), r.input.high.clone()),
                intervals: (interval(&r.low), interval(&r.high)),
            })
            .collect(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes the set into `out`; returns the files' paths.
pub fn write(out: &Path, scenario: &str, results: &[Tornado]) -> Result<Vec<PathBuf>, OutputError> {
    let mut set = OutputSet::create(out)?;
    let csv = csv_text(results);
    let put = |set: &mut OutputSet, name: &'static str, bytes: &[u8]| -> Result<(), OutputError> {
        use std::io::Write;
        let mut file = set.create_file(name)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| set.write_error(name, e))
    };
    put(&mut set, "sensitivity.csv", csv.as_bytes())?;
    let svg = match results.first() {
        Some(t) => {
            match write_chart(
                &mut set,
                "tornado.png",
                "tornado.svg",
                &chart(t, scenario),
                SLIDE,
            ) {
                Ok(svg) => Some(svg),
                Err(super::charts::ChartError::Output(e)) => return Err(e),
                Err(e) => {
                    return Err(
                        set.write_error("tornado.svg", std::io::Error::other(e.to_string()))
                    );
                }
            }
        }
        None => None,
    };
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>dcsim sensitivity of {0}</title>\n<style>\nbody {{ font-family: sans-serif; margin: 2em auto; max-width: 1320px; color: #222; }}\ntable {{ border-collapse: collapse; margin: 1em 0; font-size: 14px; }}\nth, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}\nth:first-child, td:first-child {{ text-align: left; }}\nfigure {{ margin: 2em 0; }}\nsvg {{ width: 100%; height: auto; }}\n</style>\n</head>\n<body>\n<h1>Sensitivity of {0}</h1>\n<p>Each input moved alone to its low and its high value, every other input at the scenario's value, the runs seeded alike; inputs ranked by swing, |at high − at low|.</p>\n",
        escape(scenario)
    );
    if let Some(svg) = &svg {
        let (w, h) = SLIDE;
        let body = svg.trim_start_matches(|c| c != '<');
        let body = body.strip_prefix("<?xml").map_or(body, |rest| {
            rest.split_once("?>").map_or(rest, |(_, r)| r.trim_start())
        });
        let body = if body.contains("viewBox") {
            body.to_string()
        } else {
            body.replacen("<svg ", &format!("<svg viewBox=\"0 0 {w} {h}\" "), 1)
        };
        let _ = writeln!(page, "<figure>{body}</figure>");
    }
    for t in results {
        let _ = writeln!(
            page,
            "<h2>{}</h2>\n<p>Base run: {}</p>\n<table>\n<tr><th>input</th><th>low</th><th>high</th><th>at low</th><th>at high</th><th>swing</th></tr>",
            escape(&t.figure),
            cell(t.base.mean())
        );
        for r in &t.rows {
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.input.path),
                escape(&r.input.low),
                escape(&r.input.high),
                cell(r.low.mean()),
                cell(r.high.mean()),
                cell(r.swing())
            );
        }
        page.push_str("</table>\n");
    }
    page.push_str("</body>\n</html>\n");
    put(&mut set, "sensitivity.html", page.as_bytes())?;
    set.commit()
}
