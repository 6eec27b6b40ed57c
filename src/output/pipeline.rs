//! The stages after a run's rows are written: a [`StagedRun`] is the set
//! whose CSV files and `summary.json` the [`CsvRecorder`] has closed in the
//! staging folder; [`StagedRun::draw_report`] draws the charts and
//! `report.html` from the run's data ([`RunData`]: gathered from the rows
//! as they were recorded, or read back through the schema with
//! [`StagedRun::read_back`]); [`StagedRun::commit`] swaps the whole set
//! in. The CSV writer itself draws nothing.
//!
//! [`CsvRecorder`]: crate::output::csv::CsvRecorder

use std::path::PathBuf;

use super::charts::data::RunData;
use super::report::ReportInputs;
use super::set::{OutputError, OutputSet};

/// A run's files written, flushed and synced in the staging folder, not
/// yet in the target folder. Dropping it without
/// [`StagedRun::commit`] removes the staging folder and leaves the target
/// as it was.
pub struct StagedRun {
    set: OutputSet,
}

impl StagedRun {
    /// The set `set`, whose files the caller has flushed and synced.
    pub(crate) fn new(set: OutputSet) -> StagedRun {
        StagedRun { set }
    }

    /// The run's data read back from its staged files ([`RunData::read`]).
    pub fn read_back(&self) -> Result<RunData, OutputError> {
        RunData::read(&self.set)
    }

    /// Draws the charts (PNG and SVG) and writes `report.html` into the
    /// set, from the run's data `gathered` as its rows were recorded, or
    /// read back from the staged files without it
    /// ([`StagedRun::read_back`]); `inputs` holds what the data do not: the
    /// scenario's text and label, and the services' latency targets.
    pub fn draw_report(
        &mut self,
        inputs: &ReportInputs,
        gathered: Option<RunData>,
    ) -> Result<(), OutputError> {
        let data = match gathered {
            Some(data) => data,
            None => self.read_back()?,
        };
        let charts = crate::output::charts::draw_charts(&data, &inputs.services)
            .map_err(|(kind, message)| self.set.draw_error(kind.stem(), message))?;
        let html = crate::output::report::report_html(inputs, &data, &charts);
        let mut files: Vec<(&'static str, Vec<u8>)> = Vec::with_capacity(2 * charts.len() + 1);
        for c in charts {
            files.push((c.kind.png_name(), c.png));
            files.push((c.kind.svg_name(), c.svg.into_bytes()));
        }
        files.push(("report.html", html.into_bytes()));
        let borrowed: Vec<(&'static str, &[u8])> =
            files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        self.set.write_files(&borrowed)
    }

    /// Swaps the staged files in as the target folder's set and returns
    /// their final paths.
    pub fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
        self.set.commit()
    }
}
