//! The charts benchmark (issue 11): a scenario run writing its CSV files
//! only (`dcsim run --no-charts`) and again with its charts and
//! `report.html` (`dcsim run`), in the same process, alternating, so that
//! what the charts cost is a ratio of timings taken on the same machine at
//! the same time. The simulation is the same: the charts only read the
//! files back.

use std::path::Path;
use std::time::Instant;

use super::training::median;
use crate::output::charts::recorded::RunDataRecorder;
use crate::output::csv::{Columns, CsvRecorder};
use crate::output::report::ReportInputs;
use crate::output::set::OutputError;
use crate::output::tee::Tee;
use crate::record::SummaryRow;
use crate::scenario::Scenario;

/// Wall times of a scenario's runs without and with charts.
#[derive(Clone, Debug)]
pub struct ChartsBench {
    /// Each whole run writing CSV files and summary.json only [s].
    pub without_s: Vec<f64>,
    /// Each whole run writing the charts and report.html as well [s].
    pub with_s: Vec<f64>,
    /// The part of each run without charts that writes and commits the
    /// files (`finish`) [s].
    pub finish_without_s: Vec<f64>,
    /// The same with charts: reading the files back, drawing, the report
    /// [s].
    pub finish_with_s: Vec<f64>,
    /// Files the run with charts wrote.
    pub files: usize,
    /// Bytes of its report.html.
    pub report_bytes: u64,
    /// The summary of the run.
    pub summary: SummaryRow,
}

impl ChartsBench {
    /// Median with charts ÷ median without (1.05 = the charts add 5 %).
    pub fn ratio(&self) -> f64 {
        median(&self.with_s) / median(&self.without_s).max(1e-12)
    }
}

/// Runs `scenario` without and with charts `repeat` times each,
/// alternating (without first), into `out/<name>-no-charts/` and
/// `out/<name>/`.
pub fn run(
    scenario: &Scenario,
    inputs: &ReportInputs,
    repeat: usize,
    out: &Path,
) -> Result<ChartsBench, OutputError> {
    let bare_dir = out.join(format!("{}-no-charts", scenario.run.name));
    let dir = out.join(&scenario.run.name);
    let mut times = [Vec::new(), Vec::new()];
    let mut finish = [Vec::new(), Vec::new()];
    let mut summary = None;
    let mut files = 0;
    for _ in 0..repeat.max(1) {
        for (k, target) in [&bare_dir, &dir].into_iter().enumerate() {
            let started = Instant::now();
            let columns = Columns::for_scenario(scenario);
            let recorder = CsvRecorder::create_with(target, scenario.world.failures_log, columns)?;
            let charts = (k == 1).then(|| RunDataRecorder::for_run(&scenario.run, columns));
            let (Tee(recorder, charts), row) =
                crate::sim::run(scenario, Tee(recorder, charts), &mut |_| {});
            let finishing = Instant::now();
            let mut staged = recorder.close()?;
            if k == 1 {
                staged.draw_report(inputs, charts.and_then(RunDataRecorder::finish))?;
            }
            let written = staged.commit()?;
            finish[k].push(finishing.elapsed().as_secs_f64());
            times[k].push(started.elapsed().as_secs_f64());
            if k == 1 {
                files = written.len();
                summary = Some(row);
            }
        }
    }
    let [without_s, with_s] = times;
    let [finish_without_s, finish_with_s] = finish;
    let report_bytes = std::fs::metadata(dir.join("report.html")).map_or(0, |m| m.len());
    Ok(ChartsBench {
        without_s,
        with_s,
        finish_without_s,
        finish_with_s,
        files,
        report_bytes,
        summary: summary.expect("at least one run"),
    })
}
