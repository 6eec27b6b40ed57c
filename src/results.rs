//! Reading a run's output folder back: its headline figures (`summary.csv`,
//! with the SLO attainment of `service_summary.csv`) and its fleet-wide
//! time series (`timeseries.csv` summed over sites, `monthly.csv`'s
//! cumulative cash), for sweeps and comparisons.
//!
//! Everything is read from the files, never from a live run, so a sweep
//! finished by another process (a shard on another machine) is read the
//! same way as one finished here. Files are read whole with a size bound,
//! as the scenario's inputs are.

use std::path::{Path, PathBuf};

use crate::scenario::input;

/// Largest summary file read [bytes].
const MAX_SUMMARY_BYTES: u64 = 1024 * 1024;
/// Largest time-series file read [bytes].
const MAX_SERIES_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Why a run folder could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct ReadError {
    /// The folder or file.
    pub path: PathBuf,
    /// What is wrong and what to do.
    pub message: String,
}

/// How a headline figure adds up over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accrual {
    /// A total over the run (energy, cost, failures, revenue): runs of
    /// different lengths are compared per year of run.
    Total,
    /// A level, a peak, a ratio or a figure of the whole contract
    /// (availability, peak power, NPV, IRR, payback): compared as is.
    Level,
}

/// A headline figure of the summary, and how it is charted.
#[derive(Clone, Copy, Debug)]
pub struct Headline {
    /// Its `summary.csv` column (or `slo_attainment`, from the services).
    pub column: &'static str,
    /// Its name in chart titles.
    pub title: &'static str,
    /// The unit shown, after scaling; `$` for money, shown in a multiple
    /// of dollars to suit ([`Headline::unit_for`]).
    pub unit: &'static str,
    /// Multiplies the column's value into `unit`.
    pub scale: f64,
    /// Total or level.
    pub accrual: Accrual,
    /// File names of its chart in a sweep (`sweep_<column>.png`, `.svg`).
    pub sweep_files: (&'static str, &'static str),
    /// File names of its chart in a comparison (`compare_<column>.png`, `.svg`).
    pub compare_files: (&'static str, &'static str),
}

macro_rules! headline {
    ($column:literal, $title:literal, $unit:literal, $scale:expr, $accrual:ident) => {
        Headline {
            column: $column,
            title: $title,
            unit: $unit,
            scale: $scale,
            accrual: Accrual::$accrual,
            sweep_files: (
                concat!("sweep_", $column, ".png"),
                concat!("sweep_", $column, ".svg"),
            ),
            compare_files: (
                concat!("compare_", $column, ".png"),
                concat!("compare_", $column, ".svg"),
            ),
        }
    };
}

/// The figures charted by sweeps and comparisons, in the order a planner
/// reads them: the money (NPV, IRR, payback, revenue, capex, opex, EBITDA,
/// SLA credits), the contracts' delivery, then power, energy and carbon,
/// the fleet, failures and the workloads. Those a run does not have (no
/// books, no contracts, no jobs, no services) are left out.
pub const HEADLINES: &[Headline] = &[
    headline!("npv_usd", "NPV", "$", 1.0, Level),
    headline!("irr", "IRR", "% per year", 100.0, Level),
    headline!("payback_months", "Payback", "months", 1.0, Level),
    headline!("revenue_usd", "Revenue", "$", 1.0, Total),
    headline!("capex_usd", "Capex", "$", 1.0, Level),
    headline!("opex_usd", "Opex", "$", 1.0, Total),
    headline!("ebitda_usd", "EBITDA", "$", 1.0, Total),
    headline!("sla_credits_usd", "SLA credits", "$", 1.0, Total),
    headline!(
        "contract_delivered",
        "Contract delivered (share of commitment)",
        "%",
        100.0,
        Level
    ),
    headline!("peak_facility_mw", "Peak facility power", "MW", 1.0, Level),
    headline!("energy_mwh", "Facility energy", "GWh", 1e-3, Total),
    headline!("energy_cost_usd", "Energy cost", "$", 1.0, Total),
    headline!("carbon_tco2e", "Carbon", "kt CO2e", 1e-3, Total),
    headline!(
        "availability",
        "Chip availability (healthy ÷ online)",
        "%",
        100.0,
        Level
    ),
    headline!(
        "peak_chips_online",
        "Peak chips online",
        "thousand chips",
        1e-3,
        Level
    ),
    headline!("failures_total", "Failures", "failures", 1.0, Total),
    headline!("ettr_mean", "Mean ETTR of training jobs", "%", 100.0, Level),
    headline!("slo_attainment", "SLO attainment", "%", 100.0, Level),
];

impl Headline {
    /// The multiplier and unit for values of magnitude up to `largest` (in
    /// the column's own unit): money in $, $ thousand, $ million or
    /// $ billion to suit; other figures in their fixed unit.
    pub fn unit_for(&self, largest: f64) -> (f64, &'static str) {
        if self.unit != "$" {
            return (self.scale, self.unit);
        }
        let largest = largest.abs();
        if largest >= 1e9 {
            (1e-9, "$ billion")
        } else if largest >= 1e6 {
            (1e-6, "$ million")
        } else if largest >= 1e3 {
            (1e-3, "$ thousand")
        } else {
            (1.0, "$")
        }
    }
}

/// Every chart file name a sweep or comparison may write for
/// [`HEADLINES`] (for [`crate::output::set::DCSIM_FILES`]).
pub fn headline_files() -> impl Iterator<Item = &'static str> {
    HEADLINES.iter().flat_map(|h| {
        [
            h.sweep_files.0,
            h.sweep_files.1,
            h.compare_files.0,
            h.compare_files.1,
        ]
    })
}

/// One run's summary row: its columns and their values as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Column names, in file order; then `contract_delivered` when the run
    /// has contracts (from `contracts.csv`) and `slo_attainment` when it has
    /// services (from `service_summary.csv`).
    pub columns: Vec<String>,
    /// The values, as text, one per column.
    pub values: Vec<String>,
}

impl RunSummary {
    /// Reads `dir/summary.csv` (and `dir/contracts.csv` and
    /// `dir/service_summary.csv` if present).
    /// A folder without `summary.csv` is not a run folder.
    pub fn read(dir: &Path) -> Result<RunSummary, ReadError> {
        let path = dir.join("summary.csv");
        match std::fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(ReadError {
                    path: dir.to_path_buf(),
                    message: "is not a folder; give the folder of a run (written by dcsim run, or a sweep's runs/<id>)".into(),
                });
            }
            Err(e) => {
                return Err(ReadError {
                    path: dir.to_path_buf(),
                    message: format!("cannot open the folder: {e}"),
                });
            }
        }
        if !path.exists() {
            return Err(ReadError {
                path: dir.to_path_buf(),
                message: "is not a run folder: it has no summary.csv (give folders written by dcsim run, or a sweep's runs/<id>)".into(),
            });
        }
        let table = read_table(&path, MAX_SUMMARY_BYTES)?;
        let (columns, mut rows) = table;
        if rows.len() != 1 {
            return Err(ReadError {
                path,
                message: format!(
                    "has {} rows; a run's summary has one (the file was changed, or is not dcsim's)",
                    rows.len()
                ),
            });
        }
        let mut summary = RunSummary {
            columns,
            values: rows.remove(0),
        };
        let contracts = dir.join("contracts.csv");
        if contracts.exists() {
            let (cols, rows) = read_table(&contracts, MAX_SUMMARY_BYTES)?;
            if let Some(share) = contract_delivered(&cols, &rows) {
                summary.columns.push("contract_delivered".into());
                summary.values.push(format!("{share:.6}"));
            }
        }
        let services = dir.join("service_summary.csv");
        if services.exists() {
            let (cols, rows) = read_table(&services, MAX_SUMMARY_BYTES)?;
            if let Some(slo) = slo_attainment(&cols, &rows) {
                summary.columns.push("slo_attainment".into());
                summary.values.push(format!("{slo:.6}"));
            }
        }
        Ok(summary)
    }

    /// The value of `column` as written, if the run has it.
    pub fn get(&self, column: &str) -> Option<&str> {
        let i = self.columns.iter().position(|c| c == column)?;
        self.values.get(i).map(String::as_str)
    }

    /// The value of `column` as a finite number, if the run has one.
    pub fn number(&self, column: &str) -> Option<f64> {
        self.get(column)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|x| x.is_finite())
    }
}

/// The share of their commitments the contracts delivered
/// (`contracts.csv`'s `availability`: delivered ÷ committed capacity-hours),
/// weighted by each contract's value; the plain mean if no contract has a
/// value.
fn contract_delivered(columns: &[String], rows: &[Vec<String>]) -> Option<f64> {
    let at = |name: &str| columns.iter().position(|c| c == name);
    let (share, value) = (at("availability")?, at("value_usd")?);
    let mut pairs = Vec::new();
    for row in rows {
        let s = row
            .get(share)?
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())?;
        let v = row
            .get(value)?
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())?;
        pairs.push((s, v.max(0.0)));
    }
    if pairs.is_empty() {
        return None;
    }
    let weight: f64 = pairs.iter().map(|p| p.1).sum();
    if weight > 0.0 {
        Some(pairs.iter().map(|(s, v)| s * v).sum::<f64>() / weight)
    } else {
        Some(pairs.iter().map(|p| p.0).sum::<f64>() / pairs.len() as f64)
    }
}

/// The requests-weighted mean SLO attainment of a run's services (their
/// plain mean if none had requests).
fn slo_attainment(columns: &[String], rows: &[Vec<String>]) -> Option<f64> {
    let at = |name: &str| columns.iter().position(|c| c == name);
    let (slo, requests) = (at("slo_attainment")?, at("requests")?);
    let mut pairs = Vec::new();
    for row in rows {
        let s = row.get(slo)?.parse::<f64>().ok()?;
        let r = row.get(requests)?.parse::<f64>().ok()?;
        pairs.push((s, r));
    }
    if pairs.is_empty() {
        return None;
    }
    let weight: f64 = pairs.iter().map(|p| p.1).sum();
    if weight > 0.0 {
        Some(pairs.iter().map(|(s, r)| s * r).sum::<f64>() / weight)
    } else {
        Some(pairs.iter().map(|p| p.0).sum::<f64>() / pairs.len() as f64)
    }
}

/// A CSV file's header and rows, as text.
fn read_table(path: &Path, limit: u64) -> Result<(Vec<String>, Vec<Vec<String>>), ReadError> {
    let bytes = input::read_regular_file(path, limit, "").map_err(|e| ReadError {
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    let bad = |e: csv::Error| ReadError {
        path: path.to_path_buf(),
        message: format!("is not a CSV file dcsim wrote: {e}"),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record.map_err(bad)?.iter().map(str::to_string).collect());
    }
    Ok((header, rows))
}

/// A point of a fleet-wide series: days since 1970-01-01 (UTC), value.
pub type Point = (f64, f64);

/// Days since 1970-01-01 of an ISO date-time `YYYY-MM-DDTHH:MM:SS` or date
/// `YYYY-MM-DD`.
pub fn days_of(text: &str) -> Option<f64> {
    use chrono::{NaiveDate, NaiveDateTime};
    let seconds = match NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        Ok(t) => t.and_utc().timestamp(),
        Err(_) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
            .timestamp(),
    };
    Some(seconds as f64 / 86_400.0)
}

/// The fleet's chips online and facility power [MW] at each sample of
/// `dir/timeseries.csv`, summed over sites, in time order.
pub struct FleetSeries {
    /// Chips online.
    pub chips_online: Vec<Point>,
    /// Facility power [MW].
    pub facility_mw: Vec<Point>,
}

impl FleetSeries {
    /// Reads `dir/timeseries.csv`; `None` if the run has none.
    pub fn read(dir: &Path) -> Result<Option<FleetSeries>, ReadError> {
        let path = dir.join("timeseries.csv");
        if !path.exists() {
            return Ok(None);
        }
        let bytes =
            input::read_regular_file(&path, MAX_SERIES_BYTES, "").map_err(|e| ReadError {
                path: path.clone(),
                message: format!("cannot read: {e}"),
            })?;
        let bad = |message: String| ReadError {
            path: path.clone(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
        let at = |name: &str| {
            header
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| bad(format!("has no column {name}")))
        };
        let (time, chips, power) = (
            at("timestamp")?,
            at("chips_online")?,
            at("facility_power_mw")?,
        );
        // Rows of one sample time are consecutive (one per site).
        let mut series = FleetSeries {
            chips_online: Vec::new(),
            facility_mw: Vec::new(),
        };
        let mut last: Option<String> = None;
        let mut record = csv::StringRecord::new();
        while reader
            .read_record(&mut record)
            .map_err(|e| bad(e.to_string()))?
        {
            let field = |i: usize| record.get(i).unwrap_or("");
            let number = |i: usize| {
                field(i)
                    .parse::<f64>()
                    .map_err(|_| bad(format!("a value {:?} is not a number", field(i))))
            };
            let (c, p) = (number(chips)?, number(power)?);
            if last.as_deref() == Some(field(time)) {
                if let (Some(a), Some(b)) = (
                    series.chips_online.last_mut(),
                    series.facility_mw.last_mut(),
                ) {
                    a.1 += c;
                    b.1 += p;
                }
            } else {
                let t = days_of(field(time))
                    .ok_or_else(|| bad(format!("{:?} is not a timestamp", field(time))))?;
                series.chips_online.push((t, c));
                series.facility_mw.push((t, p));
                last = Some(field(time).to_string());
            }
        }
        Ok(Some(series))
    }
}

/// Cumulative cash [USD] at the end of each month of `dir/monthly.csv`;
/// `None` if the run kept no books.
pub fn cumulative_cash(dir: &Path) -> Result<Option<Vec<Point>>, ReadError> {
    let path = dir.join("monthly.csv");
    if !path.exists() {
        return Ok(None);
    }
    let (columns, rows) = read_table(&path, MAX_SUMMARY_BYTES * 64)?;
    let bad = |message: String| ReadError {
        path: path.clone(),
        message,
    };
    let at = |name: &str| {
        columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| bad(format!("has no column {name}")))
    };
    let (month, days, cash) = (at("month")?, at("days")?, at("cumulative_cash_usd")?);
    let mut points = Vec::with_capacity(rows.len());
    for row in &rows {
        let field = |i: usize| row.get(i).map_or("", String::as_str);
        let start = days_of(&format!("{}-01", field(month)))
            .ok_or_else(|| bad(format!("{:?} is not a month", field(month))))?;
        let parse = |i: usize| {
            field(i)
                .parse::<f64>()
                .map_err(|_| bad(format!("{:?} is not a number", field(i))))
        };
        points.push((start + parse(days)?, parse(cash)?));
    }
    Ok(Some(points))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_written_is_a_dcsim_file() {
        use crate::output::set::DCSIM_FILES;
        for name in headline_files()
            .chain(crate::output::sweep::FILES.iter().copied())
            .chain(["run.json", "shard.json"])
        {
            assert!(DCSIM_FILES.contains(&name), "{name} not in DCSIM_FILES");
        }
    }

    #[test]
    fn days_since_the_epoch() {
        assert_eq!(days_of("1970-01-02"), Some(1.0));
        assert_eq!(days_of("1970-01-01T12:00:00"), Some(0.5));
        assert_eq!(days_of("2026-13-01"), None);
    }

    #[test]
    fn slo_is_weighted_by_requests() {
        let cols: Vec<String> = ["service", "requests", "slo_attainment"]
            .map(String::from)
            .to_vec();
        let rows = vec![
            vec!["a".into(), "300".into(), "1.0".into()],
            vec!["b".into(), "100".into(), "0.6".into()],
        ];
        assert!((slo_attainment(&cols, &rows).unwrap() - 0.9).abs() < 1e-12);
    }

    #[test]
    fn contract_delivery_is_weighted_by_value() {
        let cols: Vec<String> = ["contract", "value_usd", "availability"]
            .map(String::from)
            .to_vec();
        let rows = vec![
            vec!["a".into(), "30000000000.00".into(), "0.5".into()],
            vec!["b".into(), "10000000000.00".into(), "0.9".into()],
        ];
        // (30 × 0.5 + 10 × 0.9) / 40 = 24 / 40 = 0.6.
        assert!((contract_delivered(&cols, &rows).unwrap() - 0.6).abs() < 1e-12);
        assert_eq!(contract_delivered(&cols, &[]), None, "no contracts");
    }
}
