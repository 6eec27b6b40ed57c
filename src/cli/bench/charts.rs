//! The charts benchmark (issues 11 and 20): a scenario run writing its
//! CSV files only (`dcsim run --no-charts`), again with its charts and
//! `report.html` drawn from the rows gathered as they were recorded (what
//! `dcsim run` does), and again with them drawn from the files read back
//! (the pipeline before issue 20), in the same process, alternating, so
//! that what the charts cost, and what gathering them in memory saves or
//! costs, are ratios of timings taken on the same machine at the same
//! time. The simulation is the same in all three; the two ways of drawing
//! must write the same bytes, which the benchmark checks.

use std::path::Path;
use std::time::Instant;

use super::serve::process_cpu_s;
use super::training::median;
use crate::cli::Failure;
use crate::output::charts::recorded::RunDataRecorder;
use crate::output::csv::{Columns, CsvRecorder};
use crate::output::report::ReportInputs;
use crate::output::tee::Tee;
use crate::record::SummaryRow;
use crate::scenario::Scenario;

/// The three ways a run is finished, in the order they alternate.
const ARMS: [&str; 3] = ["no charts", "charts from memory", "charts read back"];

/// Times of a scenario's runs without charts, with charts drawn from
/// memory, and with charts drawn from the files read back; each `[arm]`
/// indexed as [`ARMS`].
#[derive(Clone, Debug)]
pub struct ChartsBench {
    /// Each whole run's wall time [s].
    pub wall_s: [Vec<f64>; 3],
    /// Each whole run's CPU time, every thread of the process (drawing
    /// runs charts in parallel) [s]; empty where the system does not
    /// report it.
    pub cpu_s: [Vec<f64>; 3],
    /// The part of each run after the simulation that writes the files:
    /// closing the CSV files, then gathering or reading back, drawing and
    /// the report, and the commit [s] (wall).
    pub finish_s: [Vec<f64>; 3],
    /// Files the run with charts wrote.
    pub files: usize,
    /// Bytes of its report.html.
    pub report_bytes: u64,
    /// The summary of the run.
    pub summary: SummaryRow,
}

impl ChartsBench {
    /// Median with charts (from memory) ÷ median without, CPU time where
    /// measured, else wall (1.05 = the charts add 5 %).
    pub fn ratio(&self) -> f64 {
        self.median(1) / self.median(0).max(1e-12)
    }

    /// Median with charts from memory ÷ median with charts read back, CPU
    /// time where measured, else wall (below 1 = gathering in memory costs
    /// less than reading back).
    pub fn memory_ratio(&self) -> f64 {
        self.median(1) / self.median(2).max(1e-12)
    }

    /// Whether the ratios are of CPU times.
    pub fn cpu(&self) -> bool {
        self.cpu_s.iter().all(|v| !v.is_empty())
    }

    /// The median whole-run time of arm `k`: CPU where measured, else
    /// wall [s].
    pub fn median(&self, k: usize) -> f64 {
        if self.cpu() {
            median(&self.cpu_s[k])
        } else {
            median(&self.wall_s[k])
        }
    }

    /// The arms' names, as [`ARMS`].
    pub fn arms() -> [&'static str; 3] {
        ARMS
    }
}

/// Runs `scenario` `repeat` times in each of the three ways, alternating
/// (without charts first), into `out/<name>-no-charts/`, `out/<name>/`
/// and `out/<name>-read-back/`; fails if the two ways of drawing wrote
/// different bytes.
pub fn run(
    scenario: &Scenario,
    inputs: &ReportInputs,
    repeat: usize,
    out: &Path,
) -> Result<ChartsBench, Failure> {
    let name = &scenario.run.name;
    let dirs = [
        out.join(format!("{name}-no-charts")),
        out.join(name),
        out.join(format!("{name}-read-back")),
    ];
    let mut wall: [Vec<f64>; 3] = Default::default();
    let mut cpu: [Vec<f64>; 3] = Default::default();
    let mut finish: [Vec<f64>; 3] = Default::default();
    let mut summary = None;
    let mut files = 0;
    for _ in 0..repeat.max(1) {
        for (k, target) in dirs.iter().enumerate() {
            let cpu_started = process_cpu_s();
            let started = Instant::now();
            let columns = Columns::for_scenario(scenario);
            let recorder = CsvRecorder::create_with(target, scenario.world.failures_log, columns)
                .map_err(Failure::Output)?;
            let charts = (k == 1).then(|| RunDataRecorder::for_run(&scenario.run, columns));
            let (Tee(recorder, charts), row) =
                crate::sim::run(scenario, Tee(recorder, charts), &mut |_| {});
            let finishing = Instant::now();
            let mut staged = recorder.close().map_err(Failure::Output)?;
            if k > 0 {
                // Arm 2 hands no gathered data: the files are read back.
                staged
                    .draw_report(inputs, charts.and_then(RunDataRecorder::finish))
                    .map_err(Failure::Output)?;
            }
            let written = staged.commit().map_err(Failure::Output)?;
            finish[k].push(finishing.elapsed().as_secs_f64());
            wall[k].push(started.elapsed().as_secs_f64());
            if let (Some(a), Some(b)) = (cpu_started, process_cpu_s()) {
                cpu[k].push(b - a);
            }
            if k == 1 {
                files = written.len();
                summary = Some(row);
            }
        }
    }
    same_files(&dirs[1], &dirs[2])?;
    let report_bytes = std::fs::metadata(dirs[1].join("report.html")).map_or(0, |m| m.len());
    Ok(ChartsBench {
        wall_s: wall,
        cpu_s: cpu,
        finish_s: finish,
        files,
        report_bytes,
        summary: summary.expect("at least one run"),
    })
}

/// Fails unless folders `a` and `b` hold the same file names with the
/// same bytes (the charts and report drawn from memory and read back).
fn same_files(a: &Path, b: &Path) -> Result<(), Failure> {
    let names = |dir: &Path| -> Result<Vec<std::ffi::OsString>, Failure> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .and_then(|entries| entries.map(|e| e.map(|e| e.file_name())).collect())
            .map_err(|e| Failure::Internal(anyhow::anyhow!("{}: {e}", dir.display())))?;
        names.sort();
        Ok(names)
    };
    let differ = |what: String| {
        Failure::Internal(anyhow::anyhow!(
            "{what}: the charts drawn from memory and read back differ"
        ))
    };
    let (left, right) = (names(a)?, names(b)?);
    if left != right {
        return Err(differ(format!(
            "{} and {} hold different files",
            a.display(),
            b.display()
        )));
    }
    for n in &left {
        let read = |p: std::path::PathBuf| {
            std::fs::read(&p)
                .map_err(|e| Failure::Internal(anyhow::anyhow!("{}: {e}", p.display())))
        };
        if read(a.join(n))? != read(b.join(n))? {
            return Err(differ(format!(
                "{} and {} differ",
                a.join(n).display(),
                b.join(n).display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::same_files;

    #[test]
    fn same_files_refuses_a_changed_byte_and_a_missing_file() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        for d in [&a, &b] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("power.svg"), "<svg/>").unwrap();
        }
        assert!(same_files(&a, &b).is_ok());
        std::fs::write(b.join("power.svg"), "<svg />").unwrap();
        assert!(same_files(&a, &b).is_err());
        std::fs::write(b.join("power.svg"), "<svg/>").unwrap();
        std::fs::write(a.join("report.html"), "").unwrap();
        assert!(same_files(&a, &b).is_err());
    }
}
