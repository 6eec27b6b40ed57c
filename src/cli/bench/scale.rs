//! The scale benchmark: a whole scenario of hundreds of thousands of chips
//! over years, timed twice in one process — simulation alone (rows
//! discarded), then with its CSV files written — next to a bare binary-heap
//! PHOLD loop as the machine's baseline, so figures from a shared, noisy
//! machine can be compared as ratios.

use std::path::Path;
use std::time::Instant;

use super::phold::{self, Size};
use crate::output::csv::{Columns, CsvRecorder};
use crate::output::null::NullRecorder;
use crate::output::set::OutputError;
use crate::record::SummaryRow;
use crate::scenario::Scenario;

/// The built-in scale scenario (`scenarios/scale-400k.toml`).
pub const SCALE_SCENARIO: &str = include_str!("../../../scenarios/scale-400k.toml");

/// Events of the baseline PHOLD run.
const BASELINE_EVENTS: u64 = 2_000_000;

/// Figures of one scale run.
#[derive(Clone, Debug)]
pub struct ScaleResult {
    /// Summary of the run.
    pub summary: SummaryRow,
    /// Wall time of the simulation with rows discarded [s].
    pub simulate_s: f64,
    /// Wall time of the simulation writing its CSV files [s].
    pub with_csv_s: f64,
    /// Peak resident memory of the process so far [KiB], where the system
    /// reports it (Linux).
    pub peak_rss_kib: Option<u64>,
    /// Events/s of a bare binary-heap PHOLD loop (medium size) in the same
    /// process: the machine's speed at the time.
    pub baseline_events_per_s: f64,
}

impl ScaleResult {
    /// Simulation events per second, rows discarded.
    pub fn events_per_s(&self) -> f64 {
        self.summary.events as f64 / self.simulate_s
    }
}

/// Peak resident set size of this process [KiB] (`VmHWM` in
/// `/proc/self/status`), if available.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `scenario` twice (without and with CSV output into `out`) after a
/// baseline PHOLD run.
pub fn run(scenario: &Scenario, out: &Path) -> Result<ScaleResult, OutputError> {
    let baseline = phold::run_bare_heap(Size::Medium, BASELINE_EVENTS);
    let started = Instant::now();
    let (_, summary) = crate::sim::run(scenario, NullRecorder, &mut |_| {});
    let simulate_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let recorder = CsvRecorder::create_with(
        out,
        scenario.world.failures_log,
        Columns::for_scenario(scenario),
    )?;
    let (recorder, _) = crate::sim::run(scenario, recorder, &mut |_| {});
    recorder.finish()?;
    let with_csv_s = started.elapsed().as_secs_f64();
    Ok(ScaleResult {
        summary,
        simulate_s,
        with_csv_s,
        peak_rss_kib: peak_rss_kib(),
        baseline_events_per_s: baseline.events_per_s(),
    })
}
