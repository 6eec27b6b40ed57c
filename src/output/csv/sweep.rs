//! Columns of a sweep's own files: `sweep.csv` (one row per run: the
//! run's lead columns, a `param_<path>` column per varied value, then the
//! union of the runs' `summary.csv` columns) and `sweep_summary.csv` (one
//! row per combination and figure: the combination, its `param_<path>`
//! columns, then the figure's estimate).

use super::*;

/// The lead of a row of `sweep.csv`: which run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepRunRow {
    /// The run's id (`r0000`).
    pub id: String,
    /// Its replication, from 0.
    pub replication: u32,
    /// The seed it ran with.
    pub seed: u64,
}

columns! {
    /// The lead columns of `sweep.csv`.
    pub const SWEEP_RUN_COLUMNS: [Column<SweepRunRow>] in sweep_runs = [
        ID = "id", Text => |r, l| l.text(&r.id),
        REPLICATION = "replication" => |r, l| l.int(r.replication.into()),
        SEED = "seed" => |r, l| l.int(r.seed),
    ];
}

/// The lead of a row of `sweep_summary.csv`: which combination of values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepCombinationRow {
    /// The combination's index, from 0.
    pub combination: usize,
}

columns! {
    /// The lead column of `sweep_summary.csv`.
    pub const SWEEP_COMBINATION_COLUMNS: [Column<SweepCombinationRow>] in sweep_combinations = [
        COMBINATION = "combination" => |r, l| l.int(r.combination as u64),
    ];
}

/// One figure of one combination in `sweep_summary.csv`: the mean of its
/// replications and the 95 % t interval.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepFigureRow {
    /// The figure: a column of `summary.csv`.
    pub metric: String,
    /// Replications with a value.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation (none of one value).
    pub std_dev: Option<f64>,
    /// The interval's low end.
    pub ci95_low: Option<f64>,
    /// The interval's high end.
    pub ci95_high: Option<f64>,
}

/// An optional number with 6 decimals: empty without one.
fn six(l: &mut Line, x: Option<f64>) {
    match x {
        Some(x) => l.fixed(x, 6),
        None => l.text(""),
    }
}

columns! {
    /// The columns of `sweep_summary.csv` after the varied values.
    pub const SWEEP_FIGURE_COLUMNS: [Column<SweepFigureRow>] in sweep_figures = [
        METRIC = "metric", Text => |r, l| l.text(&r.metric),
        N = "n" => |r, l| l.int(r.n as u64),
        MEAN = "mean" => |r, l| l.fixed(r.mean, 6),
        STD_DEV = "std_dev" => |r, l| six(l, r.std_dev),
        CI95_LOW = "ci95_low" => |r, l| six(l, r.ci95_low),
        CI95_HIGH = "ci95_high" => |r, l| six(l, r.ci95_high),
    ];
}

/// The column of the varied value at `path` (`param_spares.swap_time`).
pub fn param_column(path: &str) -> String {
    format!("param_{path}")
}

/// The fields of `row` in the columns of `list`, as text (unquoted).
pub fn row_text<R>(list: &[Column<R>], row: &R) -> Vec<String> {
    list.iter().map(|c| field_text(c, row)).collect()
}

/// The names of the columns of `list`.
pub fn header<R>(list: &[Column<R>]) -> Vec<String> {
    list.iter().map(|c| c.name.to_string()).collect()
}
