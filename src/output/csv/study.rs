//! Columns of the files that set finished runs side by side:
//! `comparison.csv` (`dcsim compare`: which run, then the union of the
//! runs' `summary.csv` columns) and `sensitivity.csv` (`dcsim
//! sensitivity`: each figure's inputs ranked by swing).

use super::*;

/// The lead of a row of `comparison.csv`: which run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComparisonRunRow {
    /// The run's label on the charts and the page.
    pub run: String,
    /// Its folder, as given on the command line.
    pub folder: String,
}

columns! {
    /// The lead columns of `comparison.csv`.
    pub const COMPARISON_RUN_COLUMNS: [Column<ComparisonRunRow>] in comparison_runs = [
        RUN = "run", Text => |r, l| l.text(&r.run),
        FOLDER = "folder", Text => |r, l| l.text(&r.folder),
    ];
}

/// The figures a run's summary gains from its other tables: written in
/// `comparison.csv` and a sweep's summary table after the run's
/// `summary.csv` columns (beside `slo_attainment`, the services' share
/// within their SLO, named by `service_summary.csv`'s declaration).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DerivedSummary {
    /// The contracts' delivered ÷ committed capacity-hours, weighted by
    /// each contract's value (the plain mean if none has a value).
    pub contract_delivered: f64,
}

columns! {
    /// The columns a run's summary gains from its other tables.
    pub const DERIVED_SUMMARY_COLUMNS: [Column<DerivedSummary>] in derived_summary = [
        CONTRACT_DELIVERED = "contract_delivered" => |r, l| l.fixed(r.contract_delivered, 6),
    ];
}

/// One input of one figure in `sensitivity.csv`. The figure's values
/// (`base` to `swing`) are in the unit `summary.csv` declares for it.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityRow {
    /// The figure: a column of `summary.csv`.
    pub figure: String,
    /// The input's rank by swing for this figure, from 1.
    pub rank: usize,
    /// The input: the scenario field moved (`economics.discount_rate`).
    pub input: String,
    /// Its low value, as given.
    pub low_value: String,
    /// Its high value, as given.
    pub high_value: String,
    /// The figure in the base run (every input at the scenario's value).
    pub base: Option<f64>,
    /// The figure with the input at its low value: the replications' mean.
    pub at_low: Option<f64>,
    /// The low end of its 95 % interval.
    pub at_low_ci95_low: Option<f64>,
    /// The high end of its 95 % interval.
    pub at_low_ci95_high: Option<f64>,
    /// The figure with the input at its high value: the replications' mean.
    pub at_high: Option<f64>,
    /// The low end of its 95 % interval.
    pub at_high_ci95_low: Option<f64>,
    /// The high end of its 95 % interval.
    pub at_high_ci95_high: Option<f64>,
    /// |at high − at low|.
    pub swing: Option<f64>,
    /// Replications with a value, at the end that has more.
    pub replications: usize,
}

/// A finite number with 6 decimals: empty for none, NaN or an infinity.
fn finite_six(l: &mut Line, x: Option<f64>) {
    match x {
        Some(x) if x.is_finite() => l.fixed(x, 6),
        _ => l.text(""),
    }
}

columns! {
    /// The columns of `sensitivity.csv`.
    pub const SENSITIVITY_COLUMNS: [Column<SensitivityRow>] in sensitivity = [
        FIGURE = "figure", Text => |r, l| l.text(&r.figure),
        RANK = "rank" => |r, l| l.int(r.rank as u64),
        INPUT = "input", Text => |r, l| l.text(&r.input),
        LOW_VALUE = "low_value", Text => |r, l| l.text(&r.low_value),
        HIGH_VALUE = "high_value", Text => |r, l| l.text(&r.high_value),
        BASE = "base" => |r, l| finite_six(l, r.base),
        AT_LOW = "at_low" => |r, l| finite_six(l, r.at_low),
        AT_LOW_CI95_LOW = "at_low_ci95_low" => |r, l| finite_six(l, r.at_low_ci95_low),
        AT_LOW_CI95_HIGH = "at_low_ci95_high" => |r, l| finite_six(l, r.at_low_ci95_high),
        AT_HIGH = "at_high" => |r, l| finite_six(l, r.at_high),
        AT_HIGH_CI95_LOW = "at_high_ci95_low" => |r, l| finite_six(l, r.at_high_ci95_low),
        AT_HIGH_CI95_HIGH = "at_high_ci95_high" => |r, l| finite_six(l, r.at_high_ci95_high),
        SWING = "swing" => |r, l| finite_six(l, r.swing),
        REPLICATIONS = "replications" => |r, l| l.int(r.replications as u64),
    ];
}
