//! A sweep's own files, built from its run folders on disk: `sweep.json`
//! (the plan), `sweep.csv` (one row per run), `sweep_summary.csv` (mean and
//! 95 % interval of each figure per combination of values) and a chart per
//! headline figure (`sweep_<column>.png` and `.svg`), written as one output
//! set into the sweep's folder.
//!
//! Everything is read back from `runs/<id>/summary.csv` (see
//! [`crate::results`]) in id order, so a merge of shards writes the same
//! bytes as the sweep run in one place, whatever the number of threads.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::charts::comparison::{BandPoint, BandSeries, Bands, Bar, Bars, SLIDE};
use super::charts::{ChartError, write_chart};
use super::set::OutputSet;
use crate::results::{HEADLINES, Headline, RunSummary};
use crate::sweep::execute::run_dir;
use crate::sweep::stats::Estimate;
use crate::sweep::{Plan, SweepError};

/// The file names this module writes besides the charts.
pub const FILES: &[&str] = &["sweep.json", "sweep.csv", "sweep_summary.csv"];

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

/// A number for a CSV cell: 6 decimals, never `-0.000000`.
fn cell(x: f64) -> String {
    let s = format!("{x:.6}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
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
    let table = Table::of(&runs, &["seed"]);
    let params: Vec<String> = plan
        .varies
        .iter()
        .map(|v| format!("param_{}", v.path))
        .collect();

    let mut set = OutputSet::create(out)?;
    put(&mut set, "sweep.json", &plan.to_json())?;

    // sweep.csv: one row per run.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["id".to_string(), "replication".into(), "seed".into()];
    header.extend(params.iter().cloned());
    header.extend(table.columns.iter().cloned());
    w.write_record(&header).map_err(csv_bug)?;
    for (run, values) in plan.runs.iter().zip(&table.rows) {
        let mut row = vec![
            run.id.clone(),
            run.replication.to_string(),
            run.seed.to_string(),
        ];
        row.extend(run.params.iter().map(|(_, v)| v.clone()));
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
    let mut header = vec!["combination".to_string()];
    header.extend(params.iter().cloned());
    header.extend(["metric", "n", "mean", "std_dev", "ci95_low", "ci95_high"].map(String::from));
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
            let mut row = vec![c.to_string()];
            row.extend(first.params.iter().map(|(_, v)| v.clone()));
            row.push(table.columns[i].clone());
            row.push(e.n.to_string());
            row.push(cell(e.mean));
            for x in [e.std_dev, e.low(), e.high()] {
                row.push(x.map(cell).unwrap_or_default());
            }
            w.write_record(&row).map_err(csv_bug)?;
        }
    }
    put(
        &mut set,
        "sweep_summary.csv",
        &w.into_inner().map_err(|e| csv_bug(e.into_error().into()))?,
    )?;

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
        let (png, svg) = h.sweep_files;
        match layout(plan) {
            Layout::Against(x) => {
                let chart = bands(plan, h, unit, x, &values);
                write_chart(&mut set, png, svg, &chart, SLIDE).map_err(chart_error)?;
            }
            Layout::Bars => {
                let chart = bars(plan, h, unit, &values);
                write_chart(&mut set, png, svg, &chart, SLIDE).map_err(chart_error)?;
            }
        }
    }
    Ok(set.commit()?)
}

/// Writes `bytes` as the file `name` of the set.
pub(crate) fn put(set: &mut OutputSet, name: &'static str, bytes: &[u8]) -> Result<(), SweepError> {
    let mut file = set.create_file(name)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| SweepError::Output(set.write_error(name, e)))
}

/// Writing CSV into memory failed (it cannot, short of memory).
pub(crate) fn csv_bug(e: csv::Error) -> SweepError {
    SweepError::Internal(format!("writing CSV into memory failed: {e}"))
}

/// A chart could not be drawn (a bug) or written.
pub(crate) fn chart_error(e: ChartError) -> SweepError {
    match e {
        ChartError::Output(o) => SweepError::Output(o),
        e @ ChartError::Draw { .. } => SweepError::Internal(e.to_string()),
    }
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
        .map(|(_, (p, v))| format!("{p}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
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
        x_label: plan.varies[x].path.clone(),
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
