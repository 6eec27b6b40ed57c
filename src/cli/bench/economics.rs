//! The economics benchmark (issue 10): a scenario run with its books and
//! again without them (the same simulation: the books only read rows), in
//! the same process, alternating, each writing its CSV files, so that what
//! the books cost is a ratio of timings taken on the same machine at the
//! same time.

use std::path::Path;
use std::time::Instant;

use super::training::median;
use crate::output::csv::{Columns, CsvRecorder};
use crate::output::set::OutputError;
use crate::record::SummaryRow;
use crate::scenario::Scenario;

/// Wall times of a scenario's runs with and without its books.
#[derive(Clone, Debug)]
pub struct EconomicsBench {
    /// Each run without books (simulation and CSV files) [s].
    pub without_s: Vec<f64>,
    /// Each run with books (simulation, statement and CSV files) [s].
    pub with_s: Vec<f64>,
    /// The summary of the run with books.
    pub summary: SummaryRow,
}

impl EconomicsBench {
    /// Median with books ÷ median without (1.05 = the books add 5 %).
    pub fn ratio(&self) -> f64 {
        median(&self.with_s) / median(&self.without_s).max(1e-12)
    }
}

/// The scenario without its books, named `<name>-no-books`.
pub fn without_books(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    s.economics = None;
    s.run.name = format!("{}-no-books", scenario.run.name);
    s
}

/// Runs `scenario` without and with its books `repeat` times each,
/// alternating (without first), each writing CSV files into
/// `out/<name>/`.
pub fn run(scenario: &Scenario, repeat: usize, out: &Path) -> Result<EconomicsBench, OutputError> {
    let bare = without_books(scenario);
    let mut times = [Vec::new(), Vec::new()];
    let mut summary = None;
    for _ in 0..repeat.max(1) {
        for (k, s) in [&bare, scenario].into_iter().enumerate() {
            let started = Instant::now();
            let recorder = CsvRecorder::create_with(
                &out.join(&s.run.name),
                s.world.failures_log,
                Columns::for_scenario(s),
            )?;
            let (recorder, row) = crate::sim::run(s, recorder, &mut |_| {});
            recorder.finish()?;
            times[k].push(started.elapsed().as_secs_f64());
            if k == 1 {
                summary = Some(row);
            }
        }
    }
    let [without_s, with_s] = times;
    Ok(EconomicsBench {
        without_s,
        with_s,
        summary: summary.expect("at least one run"),
    })
}
