//! Streams rows to CSV files in one output folder.
//!
//! Each file is written under a temporary name (`.name.csv.partial`) and
//! renamed to its real name only by [`CsvRecorder::finish`], so an interrupted
//! run never leaves a file that looks complete. Dropping the recorder without
//! finishing removes the partial files.
//!
//! Numbers are written with a fixed number of decimals per unit (6 for MW,
//! MWh and tCO2e, 2 for USD), so the same run always gives the same bytes.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use crate::catalog::failures::FailureKind;
use crate::record::{BuildoutRow, CLASSES, FailureRow, Recorder, SampleRow, SummaryRow};

/// One CSV file being written.
struct Sink {
    partial: PathBuf,
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
}

impl Sink {
    fn create(dir: &Path, name: &str, header: &[String]) -> io::Result<Sink> {
        let path = dir.join(name);
        let partial = dir.join(format!(".{name}.partial"));
        let file = File::create(&partial)?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer.write_record(header).map_err(io::Error::other)?;
        Ok(Sink {
            partial,
            path,
            writer,
        })
    }

    fn row(&mut self, fields: &[String]) -> io::Result<()> {
        self.writer.write_record(fields).map_err(io::Error::other)
    }

    fn finish(mut self) -> io::Result<PathBuf> {
        self.writer.flush()?;
        let inner = self
            .writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        inner.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&self.partial, &self.path)?;
        Ok(self.path)
    }
}

/// Writes `timeseries.csv`, `buildout.csv`, `summary.csv` and, when asked,
/// `failures.csv` into one folder.
pub struct CsvRecorder {
    timeseries: Option<Sink>,
    failures: Option<Sink>,
    buildout: Option<Sink>,
    summary: Option<Sink>,
    error: Option<io::Error>,
}

fn f(x: f64, decimals: usize) -> String {
    // Avoid "-0.000000" for values that round to zero.
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn failure_columns() -> impl Iterator<Item = String> {
    FailureKind::ALL
        .iter()
        .map(|k| format!("failures_{}", k.key()))
}

impl CsvRecorder {
    /// Creates the folder (and parents) and opens the files.
    pub fn create(dir: &Path, failures_log: bool) -> io::Result<CsvRecorder> {
        std::fs::create_dir_all(dir)?;
        let mut ts = strings(&[
            "time_h",
            "timestamp",
            "site",
            "racks_online",
            "racks_deferred",
            "chips_online",
            "chips_healthy",
            "chips_failed",
            "chips_in_repair",
            "spare_nodes",
            "links_down",
            "grid_mw",
            "it_power_mw",
            "facility_power_mw",
            "pue",
            "power_cap_factor",
            "it_energy_mwh",
            "energy_mwh",
            "energy_cost_usd",
            "carbon_tco2e",
            "throttled_chip_hours",
            "throttle_lost_chip_hours",
        ]);
        ts.extend(failure_columns());
        let timeseries = Some(Sink::create(dir, "timeseries.csv", &ts)?);
        let failures = if failures_log {
            Some(Sink::create(
                dir,
                "failures.csv",
                &strings(&[
                    "time_h",
                    "timestamp",
                    "site",
                    "class",
                    "component",
                    "rack",
                    "chips_down",
                    "remedy",
                    "downtime_h",
                    "age_h",
                ]),
            )?)
        } else {
            None
        };
        let buildout = Some(Sink::create(
            dir,
            "buildout.csv",
            &strings(&[
                "site",
                "phase",
                "rack",
                "racks",
                "chips",
                "planned",
                "delivered",
                "commissioned",
                "status",
                "deferred_days",
                "nameplate_mw",
            ]),
        )?);
        let mut sum = strings(&[
            "scenario",
            "seed",
            "sites",
            "start",
            "end",
            "hours",
            "racks_commissioned",
            "racks_refused",
            "racks_deferred_at_end",
            "peak_chips_online",
            "chips_online_at_end",
            "availability",
            "it_energy_mwh",
            "energy_mwh",
            "peak_facility_mw",
            "energy_cost_usd",
            "carbon_tco2e",
            "throttled_chip_hours",
            "throttle_lost_chip_hours",
            "failures_total",
        ]);
        sum.extend(failure_columns());
        sum.push("events".into());
        let summary = Some(Sink::create(dir, "summary.csv", &sum)?);
        Ok(CsvRecorder {
            timeseries,
            failures,
            buildout,
            summary,
            error: None,
        })
    }

    fn write(sink: &mut Option<Sink>, error: &mut Option<io::Error>, fields: &[String]) {
        if error.is_some() {
            return;
        }
        if let Some(s) = sink
            && let Err(e) = s.row(fields)
        {
            *error = Some(e);
        }
    }

    /// Flushes every file and gives each its final name. Returns the paths
    /// written, or the first I/O error met during the run.
    pub fn finish(mut self) -> io::Result<Vec<PathBuf>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut written = Vec::new();
        for sink in [
            self.timeseries.take(),
            self.buildout.take(),
            self.failures.take(),
            self.summary.take(),
        ]
        .into_iter()
        .flatten()
        {
            written.push(sink.finish()?);
        }
        Ok(written)
    }
}

impl Drop for CsvRecorder {
    fn drop(&mut self) {
        for sink in [
            &self.timeseries,
            &self.failures,
            &self.buildout,
            &self.summary,
        ]
        .into_iter()
        .flatten()
        {
            let _ = std::fs::remove_file(&sink.partial);
        }
    }
}

fn counts(failures: &[u64; CLASSES]) -> impl Iterator<Item = String> + '_ {
    failures.iter().map(|n| n.to_string())
}

impl Recorder for CsvRecorder {
    fn sample(&mut self, r: &SampleRow) {
        let mut row = vec![
            f(r.time_h, 3),
            r.timestamp.clone(),
            r.site.clone(),
            r.racks_online.to_string(),
            r.racks_deferred.to_string(),
            r.chips_online.to_string(),
            r.chips_healthy.to_string(),
            r.chips_failed.to_string(),
            r.chips_in_repair.to_string(),
            r.spare_nodes.to_string(),
            r.links_down.to_string(),
            f(r.grid_mw, 3),
            f(r.it_power_mw, 6),
            f(r.facility_power_mw, 6),
            f(r.pue, 4),
            f(r.power_cap_factor, 6),
            f(r.it_energy_mwh, 6),
            f(r.energy_mwh, 6),
            f(r.energy_cost_usd, 2),
            f(r.carbon_tco2e, 6),
            f(r.throttled_chip_hours, 3),
            f(r.throttle_lost_chip_hours, 3),
        ];
        row.extend(counts(&r.failures));
        Self::write(&mut self.timeseries, &mut self.error, &row);
    }

    fn failure(&mut self, r: &FailureRow) {
        let row = vec![
            f(r.time_h, 6),
            r.timestamp.clone(),
            r.site.clone(),
            r.class.key().to_string(),
            r.component.clone(),
            r.rack.clone(),
            r.chips_down.to_string(),
            r.remedy.to_string(),
            f(r.downtime_h, 4),
            f(r.age_h, 4),
        ];
        Self::write(&mut self.failures, &mut self.error, &row);
    }

    fn buildout(&mut self, r: &BuildoutRow) {
        let row = vec![
            r.site.clone(),
            r.phase.to_string(),
            r.rack.clone(),
            r.racks.to_string(),
            r.chips.to_string(),
            r.planned.clone(),
            r.delivered.clone(),
            r.commissioned.clone(),
            r.status.to_string(),
            f(r.deferred_days, 3),
            f(r.nameplate_mw, 6),
        ];
        Self::write(&mut self.buildout, &mut self.error, &row);
    }

    fn summary(&mut self, r: &SummaryRow) {
        let mut row = vec![
            r.scenario.clone(),
            r.seed.to_string(),
            r.sites.to_string(),
            r.start.clone(),
            r.end.clone(),
            f(r.hours, 3),
            r.racks_commissioned.to_string(),
            r.racks_refused.to_string(),
            r.racks_deferred_at_end.to_string(),
            r.peak_chips_online.to_string(),
            r.chips_online_at_end.to_string(),
            f(r.availability, 6),
            f(r.it_energy_mwh, 6),
            f(r.energy_mwh, 6),
            f(r.peak_facility_mw, 6),
            f(r.energy_cost_usd, 2),
            f(r.carbon_tco2e, 6),
            f(r.throttled_chip_hours, 3),
            f(r.throttle_lost_chip_hours, 3),
            r.failures_total().to_string(),
        ];
        row.extend(counts(&r.failures));
        row.push(r.events.to_string());
        Self::write(&mut self.summary, &mut self.error, &row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals_without_negative_zero() {
        assert_eq!(f(1.0, 3), "1.000");
        assert_eq!(f(-0.0000001, 3), "0.000");
        assert_eq!(f(-1.5, 1), "-1.5");
    }

    #[test]
    fn files_appear_only_when_finished() {
        let dir = std::env::temp_dir().join(format!("dcsim-csv-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let rec = CsvRecorder::create(&dir, true).unwrap();
        assert!(!dir.join("timeseries.csv").exists());
        assert!(dir.join(".timeseries.csv.partial").exists());
        drop(rec);
        assert!(
            !dir.join(".timeseries.csv.partial").exists(),
            "dropped: partial removed"
        );
        let rec = CsvRecorder::create(&dir, false).unwrap();
        let written = rec.finish().unwrap();
        assert_eq!(written.len(), 3);
        assert!(dir.join("timeseries.csv").exists());
        assert!(!dir.join("failures.csv").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
