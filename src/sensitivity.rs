//! One-at-a-time sensitivity: which input moves a headline figure most.
//!
//! Owns the plan (the base run and, for each input, a run at its low and
//! at its high value, each replicated with the same seeds, so that only the
//! input changes between a pair of runs), the figures read from each run's
//! summary ([`figure`]) and the ranking by swing. It does not draw or
//! write: [`crate::output::sensitivity`] does.
//!
//! # Model
//! For input `i` with values `lo_i` and `hi_i` and a figure `y`, the runs
//! give `y(lo_i)` and `y(hi_i)` (means over the replications, with their
//! 95 % Student t intervals, [`crate::sweep::stats::Estimate`]); the
//! **swing** is `|y(hi_i) − y(lo_i)|`, and the inputs are ranked by swing,
//! largest first (ties keep the order given). Every other input stays at
//! the scenario's value: the base run.

use rayon::prelude::*;

use crate::output::csv::summary;
use crate::output::null::NullRecorder;
use crate::record::SummaryRow;
use crate::scenario::{Overrides, ScenarioError, ScenarioText};
use crate::sweep::replication_seed;
use crate::sweep::stats::Estimate;

/// The figures a sensitivity can rank by, as named in `summary.csv`.
pub const FIGURES: &[&str] = &[
    summary::NPV_USD,
    summary::IRR,
    summary::PAYBACK_MONTHS,
    summary::REVENUE_USD,
    summary::OPEX_USD,
    summary::EBITDA_USD,
    summary::EBITDA_MARGIN,
    summary::NET_CASH_USD,
    summary::CAPEX_USD,
    summary::COST_PER_CHIP_HOUR_USD,
    summary::NPV_AFTER_TAX_USD,
    summary::IRR_AFTER_TAX,
    summary::NPV_WITH_TERMINAL_USD,
    summary::IRR_WITH_TERMINAL,
    summary::NPV_AFTER_TAX_WITH_TERMINAL_USD,
    summary::AVAILABILITY,
    summary::ENERGY_MWH,
    summary::ENERGY_COST_USD,
    summary::CARBON_TCO2E,
    summary::PEAK_FACILITY_MW,
    summary::FAILURES_TOTAL,
];

/// The figure ranked when none is named: the net present value.
pub const DEFAULT_FIGURE: &str = summary::NPV_USD;

/// The figure `name` of a run's summary, if the run has it (an IRR may
/// not exist; the economics figures need `[economics]`).
pub fn figure(s: &SummaryRow, name: &str) -> Option<f64> {
    let e = s.economics.as_ref();
    match name {
        summary::AVAILABILITY => Some(s.availability),
        summary::ENERGY_MWH => Some(s.energy_mwh),
        summary::ENERGY_COST_USD => Some(s.energy_cost_usd),
        summary::CARBON_TCO2E => Some(s.carbon_tco2e),
        summary::PEAK_FACILITY_MW => Some(s.peak_facility_mw),
        summary::FAILURES_TOTAL => Some(s.failures_total() as f64),
        summary::NPV_USD => e.map(|e| e.npv_usd),
        summary::IRR => e.and_then(|e| e.irr),
        summary::PAYBACK_MONTHS => e.and_then(|e| e.payback_months).map(f64::from),
        summary::REVENUE_USD => e.map(|e| e.revenue_usd),
        summary::OPEX_USD => e.map(|e| e.opex_usd),
        summary::EBITDA_USD => e.map(|e| e.ebitda_usd),
        summary::EBITDA_MARGIN => e.and_then(|e| e.ebitda_margin),
        summary::NET_CASH_USD => e.map(|e| e.net_cash_usd),
        summary::CAPEX_USD => e.map(|e| e.capex_usd),
        summary::COST_PER_CHIP_HOUR_USD => e.and_then(|e| e.cost_per_chip_hour_usd),
        summary::NPV_AFTER_TAX_USD => e.and_then(|e| e.tax.as_ref()).map(|t| t.npv_usd),
        summary::IRR_AFTER_TAX => e.and_then(|e| e.tax.as_ref()).and_then(|t| t.irr),
        summary::NPV_WITH_TERMINAL_USD => e.and_then(|e| e.terminal.as_ref()).map(|t| t.npv_usd),
        summary::IRR_WITH_TERMINAL => e.and_then(|e| e.terminal.as_ref()).and_then(|t| t.irr),
        summary::NPV_AFTER_TAX_WITH_TERMINAL_USD => e
            .and_then(|e| e.terminal.as_ref())
            .and_then(|t| t.after_tax_npv_usd),
        _ => None,
    }
}

/// One input: a `--set` path and its low and high values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The field path, as for `--set`.
    pub path: String,
    /// The low value, as `--set` reads it.
    pub low: String,
    /// The high value.
    pub high: String,
}

impl Input {
    /// Parses `PATH=LOW,HIGH`.
    pub fn parse(argument: &str) -> Result<Input, String> {
        let v = crate::sweep::Vary::parse(argument)?;
        match v.values.as_slice() {
            [low, high] => Ok(Input {
                path: v.path.clone(),
                low: low.clone(),
                high: high.clone(),
            }),
            _ => Err(format!(
                "--vary {argument}: give two values, the low and the high, e.g. --vary economics.discount_rate=0.06,0.10"
            )),
        }
    }
}

/// A figure at one setting: its estimate over the replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The values of the replications that have the figure.
    pub values: Vec<f64>,
    /// Their mean and interval; `None` when no replication has it.
    pub estimate: Option<Estimate>,
}

impl Point {
    fn of(values: Vec<f64>) -> Point {
        let estimate = Estimate::of(&values);
        Point { values, estimate }
    }

    /// The mean, if any.
    pub fn mean(&self) -> Option<f64> {
        self.estimate.map(|e| e.mean)
    }
}

/// One input's result for one figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The input.
    pub input: Input,
    /// The figure at its low value.
    pub low: Point,
    /// The figure at its high value.
    pub high: Point,
}

impl Row {
    /// `|y(high) − y(low)|`, in the figure's unit; `None` when the figure
    /// is not defined at one end (for example an NPV with terminal value
    /// when one end sets `economics.terminal.treatment = "none"`).
    pub fn swing(&self) -> Option<f64> {
        Some((self.high.mean()? - self.low.mean()?).abs())
    }
}

/// The result of a sensitivity for one figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    /// The figure's name.
    pub figure: String,
    /// The base run's figure.
    pub base: Point,
    /// The inputs, ranked by swing, largest first.
    pub rows: Vec<Row>,
}

/// Ranks rows by swing, largest first; rows whose swing is not defined come
/// last; ties keep their order.
pub fn rank(rows: &mut [Row]) {
    rows.sort_by(|a, b| match (a.swing(), b.swing()) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario.
    pub scenario: ScenarioText,
    /// `--set` arguments of every run.
    pub sets: Vec<String>,
    /// Seed of replication 0 (`None`: the scenario's).
    pub seed: Option<u64>,
    /// The inputs.
    pub inputs: Vec<Input>,
    /// Runs per setting, with seeds as a sweep's replications.
    pub replications: u32,
    /// The figures.
    pub figures: Vec<String>,
}

/// Why a sensitivity could not run.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// A setting does not make a valid scenario (exit 2).
    #[error("{setting}: {error}")]
    Scenario {
        /// Which setting: `base`, or `PATH=VALUE`.
        setting: String,
        /// The problems.
        error: ScenarioError,
    },
    /// The arguments are wrong (exit 2).
    #[error("{0}")]
    BadInput(String),
}

impl Plan {
    /// The settings, in order: the base (no assignment), then each input's
    /// low and high.
    fn settings(&self) -> Vec<Option<String>> {
        let mut s = vec![None];
        for i in &self.inputs {
            s.push(Some(format!("{}={}", i.path, i.low)));
            s.push(Some(format!("{}={}", i.path, i.high)));
        }
        s
    }

    /// Validates every setting, runs every (setting, replication) on
    /// `pool`, and returns one result per figure. `done` is called after
    /// each run with the number finished.
    pub fn run(
        &self,
        pool: &rayon::ThreadPool,
        done: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Tornado>, SensitivityError> {
        if self.replications == 0 {
            return Err(SensitivityError::BadInput(
                "--replications must be at least 1".into(),
            ));
        }
        for f in &self.figures {
            if !FIGURES.contains(&f.as_str()) {
                return Err(SensitivityError::BadInput(format!(
                    "--output {f}: not a figure a sensitivity ranks by; give one of {}",
                    FIGURES.join(", ")
                )));
            }
        }
        let settings = self.settings();
        let base_seed = match self.seed {
            Some(s) => s,
            None => {
                self.scenario
                    .load(&Overrides {
                        sets: self.sets.clone(),
                        seed: None,
                    })
                    .map_err(|error| SensitivityError::Scenario {
                        setting: "base".into(),
                        error,
                    })?
                    .run
                    .seed
            }
        };
        let overrides = |setting: &Option<String>, r: u32| {
            let mut sets = self.sets.clone();
            sets.extend(setting.iter().cloned());
            Overrides {
                sets,
                seed: Some(replication_seed(base_seed, r)),
            }
        };
        // Every setting validates before anything runs.
        let scenarios = settings
            .iter()
            .map(|s| {
                (0..self.replications)
                    .map(|r| {
                        self.scenario.load(&overrides(s, r)).map_err(|error| {
                            SensitivityError::Scenario {
                                setting: s.clone().unwrap_or_else(|| "base".into()),
                                error,
                            }
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let jobs: Vec<(usize, u32)> = (0..settings.len())
            .flat_map(|s| (0..self.replications).map(move |r| (s, r)))
            .collect();
        let finished = std::sync::atomic::AtomicUsize::new(0);
        let summaries: Vec<SummaryRow> = pool.install(|| {
            jobs.par_iter()
                .with_max_len(1)
                .map(|&(s, r)| {
                    let sc = &scenarios[s][r as usize];
                    let (_, summary) = crate::sim::run(sc, NullRecorder, &mut |_| {});
                    let n = finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    done(n);
                    summary
                })
                .collect()
        });
        let reps = self.replications as usize;
        let point = |setting: usize, figure_name: &str| {
            Point::of(
                summaries[setting * reps..(setting + 1) * reps]
                    .iter()
                    .filter_map(|s| figure(s, figure_name))
                    .filter(|v| v.is_finite())
                    .collect(),
            )
        };
        Ok(self
            .figures
            .iter()
            .map(|f| {
                let mut rows: Vec<Row> = self
                    .inputs
                    .iter()
                    .enumerate()
                    .map(|(i, input)| Row {
                        input: input.clone(),
                        low: point(1 + 2 * i, f),
                        high: point(2 + 2 * i, f),
                    })
                    .collect();
                rank(&mut rows);
                Tornado {
                    figure: f.clone(),
                    base: point(0, f),
                    rows,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: &str, lo: f64, hi: f64) -> Row {
        Row {
            input: Input {
                path: path.into(),
                low: "l".into(),
                high: "h".into(),
            },
            low: Point::of(vec![lo]),
            high: Point::of(vec![hi]),
        }
    }

    #[test]
    fn ranked_by_swing() {
        let mut rows = vec![
            row("a", 10.0, 12.0),
            row("b", 15.0, 5.0),
            row("c", 1.0, 3.0),
        ];
        rank(&mut rows);
        let order: Vec<&str> = rows.iter().map(|r| r.input.path.as_str()).collect();
        assert_eq!(order, ["b", "a", "c"]);
        assert_eq!(rows[0].swing(), Some(10.0));
    }

    #[test]
    fn an_undefined_end_has_no_swing_and_ranks_last() {
        let mut undefined = row("u", 0.0, 1.0);
        undefined.low = Point::of(vec![]);
        assert_eq!(undefined.swing(), None);
        let mut rows = vec![undefined, row("a", 1.0, 2.0), row("b", 5.0, 5.0)];
        rank(&mut rows);
        let order: Vec<&str> = rows.iter().map(|r| r.input.path.as_str()).collect();
        assert_eq!(order, ["a", "b", "u"]);
    }

    #[test]
    fn an_input_is_a_low_and_a_high() {
        let i = Input::parse("economics.discount_rate=0.06,0.10").unwrap();
        assert_eq!((i.low.as_str(), i.high.as_str()), ("0.06", "0.10"));
        assert!(Input::parse("economics.discount_rate=0.06").is_err());
        assert!(Input::parse("economics.discount_rate=0.06,0.08,0.1").is_err());
    }
}
