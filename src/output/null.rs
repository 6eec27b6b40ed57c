//! A recorder that discards every row: for measuring the simulation alone.

use crate::record::{BuildoutRow, FailureRow, Recorder, SampleRow, SummaryRow};

/// Discards every row it receives.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullRecorder;

impl Recorder for NullRecorder {
    fn sample(&mut self, _: &SampleRow) {}
    fn failure(&mut self, _: &FailureRow) {}
    fn buildout(&mut self, _: &BuildoutRow) {}
    fn summary(&mut self, _: &SummaryRow) {}
}
