//! A sweep's own files, built from its run folders on disk: `sweep.json`
//! (the plan), `sweep.csv` (one row per run), `sweep_summary.csv` (mean and
//! 95 % interval of each figure per combination of values) and a chart per
//! headline figure (`sweep_<column>.png` and `.svg`) and `sweep.html` (the
//! table of means and every chart inline, self-contained), written as one
//! output set into the sweep's folder.
//!
//! Everything is read back from `runs/<id>/summary.csv` (see
//! [`crate::results`]) in id order, so a merge of shards writes the same
//! bytes as the sweep run in one place, whatever the number of threads.

use std::path::{Path, PathBuf};

use super::runs::run_dir;
use super::stats::Estimate;
use super::{Plan, SweepError, chart_error, csv_bug, put};
use crate::output::charts::comparison::{BandPoint, BandSeries, Bands, Bar, Bars, SLIDE};
use crate::output::charts::write_chart;
use crate::output::compare::table_number;
use crate::output::csv::{
    self as csv_columns, SWEEP_COMBINATION_COLUMNS, SWEEP_FIGURE_COLUMNS, SWEEP_RUN_COLUMNS,
    SweepCombinationRow, SweepFigureRow, SweepRunRow, param_column, row_text, summary,
};
use crate::output::set::OutputSet;
use crate::results::{HEADLINES, Headline, RunSummary};

#[cfg(test)]
/// The file names this module writes besides the charts.
pub const FILES: &[&str] = &["sweep.json", "sweep.csv", "sweep_summary.csv", "sweep.html"];

/// The runs' summaries as one table: the union of their columns in order
/// of first appearance (without `seed`, which leads each row), and each
/// run's values, empty where it lacks a column.
struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn of(summaries: &[RunSummary], skip: &[&str]) -> Table {
        let mut columns: Vec<String> = Vec::new();
        for s in summaries {
            for c in &s.columns {
                if !skip.contains(&c.as_str()) && !columns.contains(c) {
                    columns.push(c.clone());
                }
            }
        }
        let rows = summaries
            .iter()
            .map(|s| {
                columns
                    .iter()
                    .map(|c| s.get(c).unwrap_or("").to_string())
                    .collect()
            })
            .collect();
        Table { columns, rows }
    }

    /// Columns whose values, where present, are all finite numbers (and
    /// at least one is present).
    fn numeric(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&i| {
                let mut present = self
                    .rows
                    .iter()
                    .map(|r| r[i].as_str())
                    .filter(|v| !v.is_empty());
                let mut any = false;
                let all = present.all(|v| {
                    any = true;
                    v.parse::<f64>().is_ok_and(f64::is_finite)
                });
                any && all
            })
            .collect()
    }
}

/// Reads every run's summary in id order.
fn summaries(out: &Path, plan: &Plan) -> Result<Vec<RunSummary>, SweepError> {
    plan.runs
        .iter()
        .map(|r| {
            RunSummary::read(&run_dir(out, &r.id)).map_err(|e| SweepError::BadInput(e.to_string()))
        })
        .collect()
}

/// Writes the sweep's files into `out` from its complete run folders.
/// Returns their paths.
pub fn write(out: &Path, plan: &Plan) -> Result<Vec<PathBuf>, SweepError> {
    let runs = summaries(out, plan)?;
    let table = Table::of(&runs, &[summary::SEED]);
    let params: Vec<String> = plan.varies.iter().map(|v| param_column(&v.path)).collect();

    let mut set = OutputSet::create(out)?;
    put(&mut set, "sweep.json", &plan.to_json())?;

    // sweep.csv: one row per run.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = csv_columns::header(SWEEP_RUN_COLUMNS);
    header.extend(params.iter().cloned());
    header.extend(table.columns.iter().cloned());
    w.write_record(&header).map_err(csv_bug)?;
    for (run, values) in plan.runs.iter().zip(&table.rows) {
        let lead = SweepRunRow {
            id: run.id.clone(),
            replication: run.replication,
            seed: run.seed,
        };
        let mut row = row_text(SWEEP_RUN_COLUMNS, &lead);
        row.extend(run.params.iter().map(|(_, v)| shown(v).to_string()));
        row.extend(values.iter().cloned());
        w.write_record(&row).map_err(csv_bug)?;
    }
    put(
        &mut set,
        "sweep.csv",
        &w.into_inner().map_err(|e| csv_bug(e.into_error().into()))?,
    )?;

    // sweep_summary.csv: one row per combination and figure.
    let numeric = table.numeric();
    let per_combination = plan.replications as usize;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = csv_columns::header(SWEEP_COMBINATION_COLUMNS);
    header.extend(params.iter().cloned());
    header.extend(csv_columns::header(SWEEP_FIGURE_COLUMNS));
    w.write_record(&header).map_err(csv_bug)?;
    for c in 0..plan.combinations() {
        let first = &plan.runs[c * per_combination];
        for &i in &numeric {
            let values: Vec<f64> = table.rows[c * per_combination..(c + 1) * per_combination]
                .iter()
                .filter_map(|r| r[i].parse::<f64>().ok())
                .collect();
            let Some(e) = Estimate::of(&values) else {
                continue;
            };
            let mut row = row_text(
                SWEEP_COMBINATION_COLUMNS,
                &SweepCombinationRow { combination: c },
            );
            row.extend(first.params.iter().map(|(_, v)| shown(v).to_string()));
            let figure = SweepFigureRow {
                metric: table.columns[i].clone(),
                n: e.n,
                mean: e.mean,
                std_dev: e.std_dev,
                ci95_low: e.low(),
                ci95_high: e.high(),
            };
            row.extend(row_text(SWEEP_FIGURE_COLUMNS, &figure));
            w.write_record(&row).map_err(csv_bug)?;
        }
    }
    put(
        &mut set,
        "sweep_summary.csv",
        &w.into_inner().map_err(|e| csv_bug(e.into_error().into()))?,
    )?;

    let mut figures: Vec<(String, String)> = Vec::new();
    for h in HEADLINES {
        let Some(i) = table.columns.iter().position(|c| c == h.column) else {
            continue;
        };
        if !numeric.contains(&i) {
            continue;
        }
        let raw: Vec<Option<f64>> = table
            .rows
            .iter()
            .map(|r| r[i].parse::<f64>().ok())
            .collect();
        let largest = raw.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        let (scale, unit) = h.unit_for(largest);
        let values: Vec<Option<f64>> = raw.iter().map(|v| v.map(|v| v * scale)).collect();
        let (png, svg) = h.sweep_files();
        let drawn = match layout(plan) {
            Layout::Against(x) => {
                let chart = bands(plan, h, unit, x, &values);
                write_chart(&mut set, png, svg, &chart, SLIDE).map_err(chart_error)?
            }
            Layout::Bars => {
                let chart = bars(plan, h, unit, &values);
                write_chart(&mut set, png, svg, &chart, SLIDE).map_err(chart_error)?
            }
        };
        figures.push((title(plan, h), drawn));
    }
    let html = page(plan, &table, &numeric, &figures);
    put(&mut set, "sweep.html", html.as_bytes())?;
    Ok(set.commit()?)
}

/// `sweep.html`: what was swept, a table of each combination's mean and
/// 95 % interval of every headline figure, then every chart inline. Self-
/// contained like `report.html`: no script, no URL, the SVGs inline.
fn page(plan: &Plan, table: &Table, numeric: &[usize], figures: &[(String, String)]) -> String {
    use std::fmt::Write as _;
    let esc = crate::output::report::escape;
    let mut h = String::new();
    let name = esc(&plan.scenario);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Sweep of {name} — dcsim</title>\n<style>\n{}</style>\n</head>\n<body>\n<main>\n\
         <h1>Sweep of {name}</h1>\n",
        crate::output::report::STYLE
    );
    let varies: Vec<String> = plan
        .varies
        .iter()
        .map(|v| {
            format!(
                "{} ({}): {}",
                axis_words(&v.path),
                v.path,
                v.values
                    .iter()
                    .map(|x| shown(x))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} runs: {} combination(s) × {} replication(s); seed of replication 0: {}; dcsim {}</p>",
        plan.runs.len(),
        plan.combinations(),
        plan.replications,
        plan.base_seed,
        env!("CARGO_PKG_VERSION")
    );
    if !varies.is_empty() || !plan.sets.is_empty() {
        h.push_str("<ul>\n");
        for v in &varies {
            let _ = writeln!(h, "<li>varied: {}</li>", esc(v));
        }
        for set in &plan.sets {
            let _ = writeln!(h, "<li>every run: <code>--set {}</code></li>", esc(set));
        }
        h.push_str("</ul>\n");
    }
    // The table: one row per combination, a column per headline figure.
    let r = plan.replications as usize;
    let shown_figures: Vec<(&Headline, usize)> = HEADLINES
        .iter()
        .filter_map(|hl| {
            let i = table.columns.iter().position(|c| c == hl.column)?;
            numeric.contains(&i).then_some((hl, i))
        })
        .collect();
    h.push_str("<h2 id=\"figures\">Headline figures</h2>\n<p class=\"note\">Each cell: the mean over the replications");
    if r > 1 {
        h.push_str(", ± the half-width of its 95 % confidence interval (Student t)");
    }
    h.push_str(". Every run's figures are in sweep.csv; every figure's mean and interval in sweep_summary.csv.</p>\n<div class=\"scroll\"><table>\n<thead><tr><th>combination</th>");
    for v in &plan.varies {
        let _ = write!(h, "<th>{}</th>", esc(&axis_words(&v.path)));
    }
    for (hl, _) in &shown_figures {
        let _ = write!(h, "<th>{} [{}]</th>", esc(hl.title), esc(hl.unit));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for c in 0..plan.combinations() {
        let first = &plan.runs[c * r];
        let _ = write!(h, "<tr><td class=\"n\">{c}</td>");
        for (_, v) in &first.params {
            let _ = write!(h, "<td class=\"t\">{}</td>", esc(shown(v)));
        }
        for (hl, i) in &shown_figures {
            let values: Vec<f64> = table.rows[c * r..(c + 1) * r]
                .iter()
                .filter_map(|row| row[*i].parse::<f64>().ok())
                .collect();
            let cell = Estimate::of(&values).map_or(String::new(), |e| {
                let mean = table_number(hl, e.mean);
                match e.low().zip(e.high()) {
                    Some((lo, hi)) if r > 1 => {
                        let half = table_number(hl, (hi - lo) / 2.0);
                        format!("{mean} ± {}", half.trim_start_matches('−'))
                    }
                    _ => mean,
                }
            });
            let _ = write!(h, "<td class=\"n\">{}</td>", esc(&cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    for (title, svg) in figures {
        let _ = writeln!(
            h,
            "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
            crate::output::report::inline_svg(svg, title),
            esc(title)
        );
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// How a sweep's figures are charted.
enum Layout {
    /// Against the numeric values of this vary (the last one given), one
    /// line per combination of the others.
    Against(usize),
    /// One bar per combination.
    Bars,
}

/// Most lines on one chart before falling back to bars.
const MAX_LINES: usize = 8;

fn layout(plan: &Plan) -> Layout {
    let Some((x, last)) = plan.varies.iter().enumerate().next_back() else {
        return Layout::Bars;
    };
    let numeric = last
        .values
        .iter()
        .all(|v| v.parse::<f64>().is_ok_and(f64::is_finite));
    let lines = plan.combinations() / last.values.len();
    if numeric && last.values.len() >= 2 && lines <= MAX_LINES {
        Layout::Against(x)
    } else {
        Layout::Bars
    }
}

/// `path=value, path=value` of a combination's values, but `skip`.
fn label(params: &[(String, String)], skip: Option<usize>) -> String {
    params
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != skip)
        .map(|(_, (p, v))| format!("{p}={}", shown(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `--vary` value as shown in the CSV files and on the charts: a quoted
/// TOML string without its quotes (`"2026-09-01"` is `2026-09-01`), any
/// other value as given.
pub fn shown(value: &str) -> &str {
    let v = value.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) && !v[1..v.len() - 1].contains(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// Known scenario fields in words, with their units: the field's name
/// (the last part of a `--vary` path), its words, its unit (empty for a
/// plain number).
const FIELD_WORDS: &[(&str, &str, &str)] = &[
    ("grid_mw", "grid connection", "MW"),
    ("pue", "PUE", ""),
    ("usd_per_mwh", "energy price", "$/MWh"),
    ("kg_per_mwh", "carbon intensity", "kg CO2e/MWh"),
    ("count", "racks", ""),
    ("spare_nodes", "spare nodes", ""),
    ("date", "date", ""),
    ("utilization", "utilization", "share of chips busy"),
    ("swap_time", "spare swap time", ""),
    (
        "rate_per_million_hours",
        "failure rate",
        "per million hours",
    ),
    ("rate_per_day", "arrival rate", "per day"),
    ("price_usd_per_chip_hour", "price", "$/chip-hour"),
    ("price_usd_per_kw_month", "price", "$/kW-month"),
    ("value_usd", "contract value", "$"),
    ("total_value_usd", "contract value", "$"),
    ("chips", "committed chips", ""),
    ("term", "term", ""),
    ("start", "start date", ""),
    ("discount_rate", "discount rate", "per year"),
    ("duration", "run length", ""),
    ("replicas", "replicas", ""),
    ("max_batch", "largest batch", "requests"),
    ("requests_per_s", "request rate", "per second"),
    ("ttft_slo", "time-to-first-token target", ""),
    ("tpot_slo", "time-per-output-token target", ""),
];

/// A section of the scenario as one of its entries: `site` of `sites`.
fn singular(section: &str) -> &str {
    match section {
        "sites" => "site",
        "contracts" => "contract",
        "services" => "service",
        "arrivals" => "arrival stream",
        "buildout" => "build-out phase",
        "grid_upgrades" => "grid upgrade",
        "request_windows" => "request window",
        other => other,
    }
}

/// A `--vary` path in words with its unit, for an axis: the field in
/// words, then whose it is (`site us-east`, `contract 0`, `host failures`),
/// then the unit in brackets: `contracts[0].price_usd_per_chip_hour` is
/// `price of contract 0 [$/chip-hour]`. A field not in the table is the
/// path with `_` as spaces.
pub fn axis_words(path: &str) -> String {
    // Segments: `sites[0].grid_mw` and `sites.us-east.grid_mw` both give
    // ["sites", "0" or "us-east", "grid_mw"].
    let segments: Vec<&str> = path
        .split(['.', '[', ']'])
        .filter(|s| !s.is_empty())
        .collect();
    let Some((&field, owners)) = segments.split_last() else {
        return path.to_string();
    };
    let Some(&(_, words, unit)) = FIELD_WORDS.iter().find(|(f, _, _)| *f == field) else {
        return path.replace('_', " ");
    };
    let mut whose = Vec::new();
    let mut i = 0;
    while i < owners.len() {
        match owners[i] {
            "failures" if i + 1 < owners.len() => {
                whose.push(format!("{} failures", owners[i + 1]));
                i += 2;
            }
            section if i + 1 < owners.len() => {
                whose.push(format!("{} {}", singular(section), owners[i + 1]));
                i += 2;
            }
            // A table of its own (`load`, `spares`): the words say enough.
            _ => i += 1,
        }
    }
    let mut out = words.to_string();
    if !whose.is_empty() {
        whose.reverse();
        out.push_str(" of ");
        out.push_str(&whose.join(" of "));
    }
    if !unit.is_empty() {
        out.push_str(&format!(" [{unit}]"));
    }
    out
}

/// What the marks of a chart mean; `mean` names the mark of the mean.
fn note(plan: &Plan, mean: &str, interval: &str) -> String {
    match plan.replications {
        1 => "one replication per combination: no confidence interval".to_string(),
        r => format!(
            "{mean}: mean of {r} replications; small dots: each replication; {interval}: 95 % confidence interval (Student t)"
        ),
    }
}

fn title(plan: &Plan, h: &Headline) -> String {
    format!("{} — sweep of {}", h.title, plan.scenario)
}

/// The mean lines with bands against vary `x`.
fn bands(plan: &Plan, h: &Headline, unit: &str, x: usize, values: &[Option<f64>]) -> Bands {
    let r = plan.replications as usize;
    let mut series: Vec<BandSeries> = Vec::new();
    for c in 0..plan.combinations() {
        let first = &plan.runs[c * r];
        let key = label(&first.params, Some(x));
        let at: f64 = first.params[x].1.parse().unwrap_or(f64::NAN);
        let reps: Vec<f64> = values[c * r..(c + 1) * r]
            .iter()
            .flatten()
            .copied()
            .collect();
        let s = match series.iter_mut().position(|s| s.label == key) {
            Some(i) => &mut series[i],
            None => {
                series.push(BandSeries {
                    label: key,
                    points: Vec::new(),
                    samples: Vec::new(),
                });
                series.last_mut().expect("just pushed")
            }
        };
        if let Some(e) = Estimate::of(&reps) {
            s.points.push(BandPoint {
                x: at,
                mean: e.mean,
                interval: e.low().zip(e.high()),
            });
            if r > 1 {
                s.samples.extend(reps.iter().map(|&v| (at, v)));
            }
        }
    }
    for s in &mut series {
        s.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    Bands {
        title: title(plan, h),
        note: Some(note(plan, "line", "band and whiskers")),
        x_label: axis_words(&plan.varies[x].path),
        y_label: format!("{} [{unit}]", h.title),
        series,
    }
}

/// One bar per combination.
fn bars(plan: &Plan, h: &Headline, unit: &str, values: &[Option<f64>]) -> Bars {
    let r = plan.replications as usize;
    let bars = (0..plan.combinations())
        .filter_map(|c| {
            let first = &plan.runs[c * r];
            let reps: Vec<f64> = values[c * r..(c + 1) * r]
                .iter()
                .flatten()
                .copied()
                .collect();
            let e = Estimate::of(&reps)?;
            let name = label(&first.params, None);
            Some(Bar {
                label: if name.is_empty() {
                    plan.scenario.clone()
                } else {
                    name
                },
                value: e.mean,
                interval: e.low().zip(e.high()),
                points: if r > 1 { reps } else { Vec::new() },
                color: 0,
            })
        })
        .collect();
    Bars {
        title: title(plan, h),
        value_label: format!("{} [{unit}]", h.title),
        bars,
        note: Some(note(plan, "bar or large dot", "whiskers")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_values_lose_their_quotes() {
        assert_eq!(shown("\"2026-09-01\""), "2026-09-01");
        assert_eq!(shown("'4h'"), "4h");
        assert_eq!(shown("0.5"), "0.5");
        assert_eq!(shown("[1, 2]"), "[1, 2]");
        assert_eq!(shown("\"a\" + \"b\""), "\"a\" + \"b\"");
    }

    #[test]
    fn axis_labels_are_words_with_units() {
        assert_eq!(
            axis_words("contracts[0].price_usd_per_chip_hour"),
            "price of contract 0 [$/chip-hour]"
        );
        assert_eq!(
            axis_words("sites.us-east.grid_mw"),
            "grid connection of site us-east [MW]"
        );
        assert_eq!(
            axis_words("failures.host.rate_per_million_hours"),
            "failure rate of host failures [per million hours]"
        );
        assert_eq!(
            axis_words("sites[1].buildout[0].count"),
            "racks of build-out phase 0 of site 1"
        );
        assert_eq!(
            axis_words("load.utilization"),
            "utilization [share of chips busy]"
        );
        assert_eq!(axis_words("spares.swap_time"), "spare swap time");
        assert_eq!(
            axis_words("economics.loan.some_field"),
            "economics.loan.some field"
        );
    }
}
