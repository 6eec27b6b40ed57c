//! One run of a validated scenario into one output folder: the recorder is
//! created, the simulation runs, the files appear together. `dcsim run` and
//! every run of a sweep go through [`run_to_dir`], so what a run folder
//! holds is decided here once.
//!
//! This module does not load scenarios, draw progress bars or print: the
//! caller does.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::output::csv::{Columns, CsvRecorder};
use crate::output::report::ReportInputs;
use crate::output::set::OutputError;
use crate::record::SummaryRow;
use crate::scenario::Scenario;

/// A file written whole beside a run's CSV files, in the same set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraFile {
    /// Its name (one of [`crate::output::set::DCSIM_FILES`]).
    pub name: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What a finished run gives back.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The run's headline figures (as in its `summary.csv`).
    pub summary: SummaryRow,
    /// The final paths of the files written.
    pub written: Vec<PathBuf>,
    /// Wall time of the simulation alone, without writing the files out [s].
    pub simulate_s: f64,
}

/// Runs `scenario` and writes its files into the folder `dir` (replacing
/// the files of an earlier run there, keeping the user's; see
/// [`crate::output::set`]), with `extra` files in the same set; with
/// `report`, the charts and `report.html` too. `progress` is called with
/// the simulated share done, from 0 to 1.
pub fn run_to_dir(
    scenario: &Scenario,
    dir: &Path,
    extra: &[ExtraFile],
    report: Option<ReportInputs>,
    progress: &mut dyn FnMut(f64),
) -> Result<RunOutput, OutputError> {
    let mut recorder =
        CsvRecorder::create_with(dir, scenario.failures_log, Columns::for_scenario(scenario))?;
    if let Some(inputs) = report {
        recorder = recorder.with_report(inputs);
    }
    for file in extra {
        recorder.attach(file.name, &file.bytes)?;
    }
    let started = Instant::now();
    let (recorder, summary) = crate::sim::run(scenario, recorder, progress);
    let simulate_s = started.elapsed().as_secs_f64();
    let written = recorder.finish()?;
    Ok(RunOutput {
        summary,
        written,
        simulate_s,
    })
}
