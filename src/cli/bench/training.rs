//! The training benchmark (issue 8): one scenario run with its training
//! jobs and again without them — the same physical run: sites, failures,
//! samples — in the same process, interleaved, so that what the workload
//! costs is a ratio of two timings taken on the same noisy machine at the
//! same time.
//!
//! Each repeat times the simulation alone (rows discarded) of the physical
//! run, then of the run with jobs; after the repeats, each is run once more
//! writing its CSV files. Peak resident memory is taken per kind of run
//! where the system lets a process reset its high-water mark (Linux).

use std::path::Path;
use std::time::Instant;

use super::scale::peak_rss_kib;
use crate::output::csv::{Columns, CsvRecorder};
use crate::output::null::NullRecorder;
use crate::output::set::OutputError;
use crate::record::SummaryRow;
use crate::scenario::Scenario;

/// The built-in benchmark scenario (`scenarios/scale-400k-training.toml`):
/// `scale-400k` plus about 20,000 training jobs.
pub const TRAINING_SCENARIO: &str = include_str!("../../../scenarios/scale-400k-training.toml");

/// Timings and memory of one kind of run (physical or with jobs).
#[derive(Clone, Debug)]
pub struct RunFigures {
    /// Summary of the run.
    pub summary: SummaryRow,
    /// Wall time of each simulation with rows discarded [s], in run order.
    pub simulate_s: Vec<f64>,
    /// Wall time of the simulation writing its CSV files [s] (files synced
    /// and swapped in included).
    pub with_csv_s: f64,
    /// Highest resident memory during this kind's runs [KiB]: the process's
    /// high-water mark, reset before each run where the system allows it,
    /// else the process's peak so far; `None` where not reported.
    pub peak_rss_kib: Option<u64>,
}

impl RunFigures {
    /// Median of [`RunFigures::simulate_s`] [s] (the lower middle one for
    /// an even count).
    pub fn simulate_median_s(&self) -> f64 {
        median(&self.simulate_s)
    }
}

/// Figures of the two kinds of run of one scenario.
#[derive(Clone, Debug)]
pub struct TrainingBench {
    /// The scenario without its jobs: the physical run alone.
    pub physical: RunFigures,
    /// The scenario as given, with its training jobs.
    pub training: RunFigures,
    /// Whether peak memory was reset between runs (else each figure is the
    /// process's peak so far, and the later kind's includes the earlier's).
    pub rss_reset: bool,
}

impl TrainingBench {
    /// Median simulation time with jobs ÷ without [dimensionless].
    pub fn simulate_ratio(&self) -> f64 {
        self.training.simulate_median_s() / self.physical.simulate_median_s()
    }

    /// Time with CSV output with jobs ÷ without [dimensionless].
    pub fn with_csv_ratio(&self) -> f64 {
        self.training.with_csv_s / self.physical.with_csv_s
    }
}

/// The lower middle of `xs` (0 if empty).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len().saturating_sub(1) / 2).copied().unwrap_or(0.0)
}

/// Resets this process's peak resident memory to its current value
/// (`/proc/self/clear_refs`, Linux 4.0 and later); whether it could.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Raises `peak` to the process's peak resident memory [KiB], if reported.
fn raise_peak(peak: &mut Option<u64>) {
    if let Some(kib) = peak_rss_kib() {
        *peak = Some(peak.map_or(kib, |p| p.max(kib)));
    }
}

/// The physical run of `scenario`: the same scenario without its jobs and
/// services,
/// named `<name>-physical` (its own output folder).
pub fn physical_of(scenario: &Scenario) -> Scenario {
    let mut physical = scenario.clone();
    physical.training.jobs.clear();
    physical.training.traces.clear();
    physical.serving.services.clear();
    physical.run.name = format!("{}-physical", scenario.run.name);
    physical
}

/// Runs `scenario` and its physical run [`physical_of`] `repeat` times each
/// with rows discarded (alternating, physical first), then once each with
/// CSV files written into `out/<name>/`.
pub fn run(scenario: &Scenario, repeat: usize, out: &Path) -> Result<TrainingBench, OutputError> {
    let physical = physical_of(scenario);
    let kinds = [&physical, scenario];
    let mut simulate_s = [Vec::new(), Vec::new()];
    let mut summaries: [Option<SummaryRow>; 2] = [None, None];
    let mut peak: [Option<u64>; 2] = [None, None];
    let mut rss_reset = true;
    for _ in 0..repeat.max(1) {
        for (k, s) in kinds.iter().enumerate() {
            rss_reset &= reset_peak_rss();
            let started = Instant::now();
            let (_, summary) = crate::sim::run(s, NullRecorder, &mut |_| {});
            simulate_s[k].push(started.elapsed().as_secs_f64());
            summaries[k] = Some(summary);
            raise_peak(&mut peak[k]);
        }
    }
    let mut with_csv_s = [0.0; 2];
    for (k, s) in kinds.iter().enumerate() {
        rss_reset &= reset_peak_rss();
        let started = Instant::now();
        let recorder = CsvRecorder::create_with(
            &out.join(&s.run.name),
            s.world.failures_log,
            Columns::for_scenario(s),
        )?;
        let (recorder, _) = crate::sim::run(s, recorder, &mut |_| {});
        recorder.finish()?;
        with_csv_s[k] = started.elapsed().as_secs_f64();
        raise_peak(&mut peak[k]);
    }
    let [physical_s, training_s] = simulate_s;
    let [Some(physical_summary), Some(training_summary)] = summaries else {
        unreachable!("every kind runs at least once");
    };
    Ok(TrainingBench {
        physical: RunFigures {
            summary: physical_summary,
            simulate_s: physical_s,
            with_csv_s: with_csv_s[0],
            peak_rss_kib: peak[0],
        },
        training: RunFigures {
            summary: training_summary,
            simulate_s: training_s,
            with_csv_s: with_csv_s[1],
            peak_rss_kib: peak[1],
        },
        rss_reset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_the_lower_middle() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.0);
        assert_eq!(median(&[]), 0.0);
    }
}
