//! A comparison of finished runs, read from their folders: `comparison.csv`
//! (every run's summary side by side), a bar chart per headline figure
//! (`compare_<column>.png`, `.svg`), the fleet's chips online, facility
//! power and cumulative cash as one line per run, and `comparison.html`, a
//! page holding all of them with the charts inline (no file or network
//! fetch), as one output set.
//!
//! Runs of different lengths or sites compare as follows: a total over the
//! run (energy, its cost, carbon, failures, revenue, opex) is charted per
//! year of run when the runs' lengths differ (the CSV keeps the totals);
//! levels (availability, peaks, NPV, IRR, payback, capex) as they are; time
//! series on calendar dates, each run over its own span; a run's sites are
//! summed (the summary is fleet-wide already; `timeseries.csv` rows of one
//! sample are added up).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::charts::comparison::{Bar, Bars, Line, Lines, SLIDE, short_number};
use super::charts::write_chart;
use super::set::OutputSet;
use crate::output::csv::{
    self as csv_columns, COMPARISON_RUN_COLUMNS, ComparisonRunRow, row_text, summary,
};
use crate::results::{Accrual, FleetSeries, HEADLINES, RunSummary, cumulative_cash};
use crate::sweep::{SweepError, chart_error, csv_bug, put};

/// Hours in a year of run (365.25 days).
const HOURS_PER_YEAR: f64 = 8766.0;
/// Most points drawn per line (means of equal runs of samples).
const MAX_POINTS: usize = 1000;

/// One run being compared.
struct Run {
    label: String,
    folder: PathBuf,
    summary: RunSummary,
}

/// What a comparison wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The files' paths.
    pub files: Vec<PathBuf>,
    /// Whether totals were charted per year of run (the runs' lengths
    /// differ).
    pub per_year: bool,
}

/// Compares the run folders `dirs` into the folder `out`.
pub fn write(dirs: &[PathBuf], out: &Path) -> Result<Written, SweepError> {
    if dirs.is_empty() {
        return Err(SweepError::BadInput(
            "give the run folders to compare: dcsim compare RUN_DIR... --out DIR".into(),
        ));
    }
    super::set::check_not_an_input(out, dirs, "--out").map_err(SweepError::BadInput)?;
    let runs = read_runs(dirs)?;

    let hours: Vec<Option<f64>> = runs
        .iter()
        .map(|r| r.summary.number(summary::HOURS))
        .collect();
    let per_year = hours.windows(2).any(|w| match (w[0], w[1]) {
        (Some(a), Some(b)) => (a - b).abs() > 1e-6,
        _ => true,
    });

    let mut set = OutputSet::create(out)?;
    let csv = comparison_csv(&runs)?;
    put(&mut set, "comparison.csv", &csv)?;

    let mut figures: Vec<(String, String)> = Vec::new();
    headline_charts(&mut set, &runs, &hours, per_year, &mut figures)?;
    series_charts(&mut set, &runs, &mut figures)?;

    let html = page(&runs, per_year, &figures);
    put(&mut set, "comparison.html", html.as_bytes())?;
    Ok(Written {
        files: set.commit()?,
        per_year,
    })
}

/// The runs of the folders `dirs`, labelled; every folder that cannot be
/// read is named in one error.
fn read_runs(dirs: &[PathBuf]) -> Result<Vec<Run>, SweepError> {
    let mut problems = Vec::new();
    let mut runs = Vec::new();
    for d in dirs {
        match RunSummary::read(d) {
            Ok(summary) => runs.push(Run {
                label: String::new(),
                folder: d.clone(),
                summary,
            }),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(SweepError::BadInput(problems.join("\n")));
    }
    label_runs(&mut runs);
    Ok(runs)
}

/// A bar chart per headline figure the runs have (per year of run for
/// totals when the runs' lengths differ), added to `figures` as (title,
/// SVG).
fn headline_charts(
    set: &mut OutputSet,
    runs: &[Run],
    hours: &[Option<f64>],
    per_year: bool,
    figures: &mut Vec<(String, String)>,
) -> Result<(), SweepError> {
    for h in HEADLINES {
        // Per year of run for totals when the lengths differ.
        let yearly = per_year && h.accrual == Accrual::Total;
        let mut raw = Vec::new();
        let mut lacking = Vec::new();
        for (i, (run, hours)) in runs.iter().zip(hours).enumerate() {
            match (run.summary.number(h.column), hours) {
                (Some(v), Some(hours)) if yearly && *hours > 0.0 => {
                    raw.push((i, v / (hours / HOURS_PER_YEAR)));
                }
                (Some(v), _) if !yearly => raw.push((i, v)),
                _ => lacking.push(run.label.as_str()),
            }
        }
        if raw.is_empty() {
            continue;
        }
        let largest = raw.iter().fold(0.0f64, |m, (_, v)| m.max(v.abs()));
        let (scale, unit) = h.unit_for(largest);
        let bars: Vec<Bar> = raw
            .into_iter()
            .map(|(i, v)| Bar {
                label: runs[i].label.clone(),
                value: v * scale,
                interval: None,
                points: Vec::new(),
                color: i,
            })
            .collect();
        let title = if yearly {
            format!("{} per year of run", h.title)
        } else {
            h.title.to_string()
        };
        let unit = if yearly {
            format!("{unit} per year")
        } else {
            unit.to_string()
        };
        let note = (!lacking.is_empty()).then(|| format!("not in: {}", lacking.join(", ")));
        let chart = Bars {
            title: title.clone(),
            value_label: format!("{} [{unit}]", h.title),
            bars,
            note,
        };
        let (png, svg) = h.compare_files();
        let svg_text = write_chart(set, png, svg, &chart, SLIDE).map_err(chart_error)?;
        figures.push((title, svg_text));
    }
    Ok(())
}

/// The fleet's chips online, facility power and cumulative cash, one line
/// per run (each run in its own color on every chart), added to `figures`.
fn series_charts(
    set: &mut OutputSet,
    runs: &[Run],
    figures: &mut Vec<(String, String)>,
) -> Result<(), SweepError> {
    let mut chips = Vec::new();
    let mut power = Vec::new();
    let mut cash = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        if let Some(series) = FleetSeries::read(&run.folder, MAX_POINTS)
            .map_err(|e| SweepError::BadInput(e.to_string()))?
        {
            chips.push(Line {
                label: run.label.clone(),
                color: i,
                points: series.chips_online,
            });
            power.push(Line {
                label: run.label.clone(),
                color: i,
                points: series.facility_mw,
            });
        }
        if let Some(points) =
            cumulative_cash(&run.folder).map_err(|e| SweepError::BadInput(e.to_string()))?
        {
            cash.push(Line {
                label: run.label.clone(),
                color: i,
                points,
            });
        }
    }
    let largest_cash = cash
        .iter()
        .flat_map(|l| l.points.iter())
        .fold(0.0f64, |m, p| m.max(p.1.abs()));
    let (cash_scale, cash_unit) = money(largest_cash);
    for l in &mut cash {
        for p in &mut l.points {
            p.1 *= cash_scale;
        }
    }
    // Chips in thousands for fleets of 10,000 or more.
    let most_chips = chips
        .iter()
        .flat_map(|l: &Line| l.points.iter())
        .fold(0.0f64, |m, p| m.max(p.1));
    let chips_label = if most_chips >= 1e4 {
        for l in &mut chips {
            for p in &mut l.points {
                p.1 *= 1e-3;
            }
        }
        "chips online [thousand]"
    } else {
        "chips online"
    };
    let thinned = format!("sample means, at most {MAX_POINTS} points per run; sites summed");
    let cash_label = format!("cumulative cash [{cash_unit}]");
    for (lines, title, note, y_label, (png, svg)) in [
        (
            chips,
            "Chips online",
            thinned.as_str(),
            chips_label,
            ("compare_chips_online.png", "compare_chips_online.svg"),
        ),
        (
            power,
            "Facility power",
            thinned.as_str(),
            "facility power [MW]",
            (
                "compare_facility_power_mw.png",
                "compare_facility_power_mw.svg",
            ),
        ),
        (
            cash,
            "Cumulative cash",
            "at the end of each month (monthly.csv)",
            cash_label.as_str(),
            ("compare_cumulative_cash.png", "compare_cumulative_cash.svg"),
        ),
    ] {
        if lines.is_empty() {
            continue;
        }
        let chart = Lines {
            title: title.to_string(),
            note: Some(note.to_string()),
            y_label: y_label.to_string(),
            lines,
        };
        let svg_text = write_chart(set, png, svg, &chart, SLIDE).map_err(chart_error)?;
        figures.push((title.to_string(), svg_text));
    }
    Ok(())
}

/// The multiplier and unit for sums of money up to `largest` [USD].
fn money(largest: f64) -> (f64, &'static str) {
    HEADLINES
        .iter()
        .find(|h| h.column == summary::NPV_USD)
        .map_or((1e-6, "$ million"), |h| h.unit_for(largest))
}

/// Names each run by its folder's name, or by the path given when two
/// folders share a name.
fn label_runs(runs: &mut [Run]) {
    let names: Vec<String> = runs
        .iter()
        .map(|r| {
            r.folder.file_name().map_or_else(
                || r.folder.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    for (i, run) in runs.iter_mut().enumerate() {
        let unique = names.iter().filter(|n| **n == names[i]).count() == 1;
        run.label = if unique {
            names[i].clone()
        } else {
            run.folder.display().to_string()
        };
    }
}

/// `comparison.csv`: its lead columns ([`COMPARISON_RUN_COLUMNS`]), then the union of the summaries' columns.
fn comparison_csv(runs: &[Run]) -> Result<Vec<u8>, SweepError> {
    let mut columns: Vec<&str> = Vec::new();
    for r in runs {
        for c in &r.summary.columns {
            if !columns.contains(&c.as_str()) {
                columns.push(c);
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = csv_columns::header(COMPARISON_RUN_COLUMNS);
    header.extend(columns.iter().map(|c| c.to_string()));
    w.write_record(&header).map_err(csv_bug)?;
    for r in runs {
        let lead = ComparisonRunRow {
            run: r.label.clone(),
            folder: r.folder.display().to_string(),
        };
        let mut row = row_text(COMPARISON_RUN_COLUMNS, &lead);
        row.extend(
            columns
                .iter()
                .map(|c| r.summary.get(c).unwrap_or("").to_string()),
        );
        w.write_record(&row).map_err(csv_bug)?;
    }
    w.into_inner().map_err(|e| csv_bug(e.into_error().into()))
}

/// Text with `&`, `<`, `>` and `"` escaped for HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// An SVG document made to scale with the page: a `viewBox` from its size.
fn scalable(svg: &str) -> String {
    let body = svg.trim_start_matches(|c| c != '<');
    let body = body.strip_prefix("<?xml").map_or(body, |rest| {
        rest.split_once("?>").map_or(rest, |(_, r)| r.trim_start())
    });
    if body.contains("viewBox") {
        return body.to_string();
    }
    let (w, h) = SLIDE;
    body.replacen("<svg ", &format!("<svg viewBox=\"0 0 {w} {h}\" "), 1)
}

/// A headline figure for the page's table: money as `$1.64 B`, `$50.7 k`;
/// others in their unit with 4 significant digits (grouped thousands
/// above 1,000).
pub(crate) fn table_number(h: &crate::results::Headline, v: f64) -> String {
    let (x, suffix) = if h.unit == "$" {
        let (scale, unit) = h.unit_for(v);
        let suffix = match unit {
            "$ billion" => " B",
            "$ million" => " M",
            "$ thousand" => " k",
            _ => "",
        };
        (v * scale, suffix)
    } else {
        (v * h.scale, "")
    };
    let text = if x.abs() >= 1000.0 || x.fract() == 0.0 {
        // Whole numbers with grouped thousands.
        short_number(x, 100.0)
    } else {
        let decimals = (3.0 - x.abs().log10().floor()).clamp(0.0, 6.0) as usize;
        format!("{x:.decimals$}")
    };
    // A value that shows as zero has no sign (never `−$0`).
    let text = match text.strip_prefix('-') {
        Some(t) if t.chars().all(|c| matches!(c, '0' | '.' | ',')) => t.to_string(),
        _ => text,
    };
    if h.unit == "$" {
        match text.strip_prefix('-') {
            Some(t) => format!("−${t}{suffix}"),
            None => format!("${text}{suffix}"),
        }
    } else {
        text
    }
}

/// `comparison.html`: the runs' headline figures as a table, then every
/// chart inline.
fn page(runs: &[Run], per_year: bool, figures: &[(String, String)]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>dcsim comparison of {} runs</title>\n<style>\nbody {{ font-family: sans-serif; margin: 2em auto; max-width: 1320px; color: #222; }}\ntable {{ border-collapse: collapse; margin: 1em 0; font-size: 14px; }}\nth, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}\ntd {{ white-space: nowrap; }}\nth:first-child, td:first-child {{ text-align: left; }}\nfigure {{ margin: 2em 0; }}\nsvg {{ width: 100%; height: auto; }}\n</style>\n</head>\n<body>\n<h1>Comparison of {} runs</h1>\n",
        runs.len(),
        runs.len()
    );
    let _ = writeln!(
        h,
        "<p>{}Time series are on calendar dates, each run over its own span; sites are summed. Every run's whole summary is in <code>comparison.csv</code>.</p>\n<p>Figures run as a planner reads them: the money first, then the contracts' delivery, then power, energy and carbon. <em>Contract delivered</em> is the share of the committed capacity-hours the contracts delivered (late or missing capacity counts against it); <em>chip availability</em> is the share of online chip-hours that were healthy, and says nothing of capacity that never came online.</p>",
        if per_year {
            "The runs differ in length: totals (energy, cost, carbon, failures, revenue, opex) are charted per year of run; levels as they are. "
        } else {
            ""
        }
    );
    let shown: Vec<_> = HEADLINES
        .iter()
        .filter(|hl| runs.iter().any(|r| r.summary.number(hl.column).is_some()))
        .collect();
    h.push_str("<table>\n<tr><th>run</th><th>start</th><th>end</th><th>length [years]</th>");
    for hl in &shown {
        let _ = write!(h, "<th>{} [{}]</th>", escape(hl.title), escape(hl.unit));
    }
    h.push_str("</tr>\n");
    for r in runs {
        let years = r
            .summary
            .number(summary::HOURS)
            .map(|x| format!("{:.2}", x / HOURS_PER_YEAR))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{years}</td>",
            escape(&r.label),
            escape(r.summary.get(summary::START).unwrap_or("")),
            escape(r.summary.get(summary::END).unwrap_or(""))
        );
        for hl in &shown {
            let cell = r
                .summary
                .number(hl.column)
                .map(|v| table_number(hl, v))
                .unwrap_or_default();
            let _ = write!(h, "<td>{cell}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    for (title, svg) in figures {
        let _ = write!(
            h,
            "<figure>\n<figcaption>{}</figcaption>\n{}\n</figure>\n",
            escape(title),
            scalable(svg)
        );
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
