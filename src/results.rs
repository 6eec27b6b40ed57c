//! Reading a run's output folder back: its headline figures (`summary.csv`,
//! with the SLO attainment of `service_summary.csv`) and its fleet-wide
//! time series (`timeseries.csv` summed over sites, `monthly.csv`'s
//! cumulative cash), for sweeps and comparisons.
//!
//! Everything is read from the files, never from a live run, so a sweep
//! finished by another process (a shard on another machine) is read the
//! same way as one finished here. Every file read is a regular file opened
//! without following a link ([`input::read_back`]); the small ones
//! (`summary.csv`, `service_summary.csv`, `monthly.csv`) are read whole
//! within a size bound, `timeseries.csv` is streamed and reduced as it is
//! read (memory in proportion to the points drawn, not to the file). Every
//! number read is checked: finite, within ±[`MAX_READ_BACK`], not
//! subnormal; else the file, line and column are named.

use std::path::{Path, PathBuf};

use crate::input;
use crate::output::csv::{
    DERIVED_SUMMARY_COLUMNS, DerivedSummary, contracts, derived_summary, field_text, monthly,
    service_summary, summary, timeseries,
};

/// Largest summary file read [bytes].
const MAX_SUMMARY_BYTES: u64 = 1024 * 1024;
/// Largest time-series file read \[bytes\]: 4 GiB, streamed.
pub const MAX_SERIES_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Largest `monthly.csv` read [bytes].
const MAX_MONTHLY_BYTES: u64 = 64 * 1024 * 1024;
/// Largest magnitude of a number read back from a run's files: 1e18, far
/// beyond any figure a run within the scenario's bounds writes; a larger
/// one (or NaN, an infinity, a subnormal) is refused, as a changed file.
pub const MAX_READ_BACK: f64 = 1e18;

/// Checks a cell read back: `Ok(None)` if it is not a number (text),
/// `Ok(Some(x))` for an integer of 64 bits (a seed) or a finite number
/// within ±[`MAX_READ_BACK`] that is not subnormal, else what is wrong
/// with it.
pub fn checked_number(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    // Integers (a seed, up to 2^64 − 1) are exact.
    if let Ok(n) = text.parse::<u64>() {
        return Ok(Some(n as f64));
    }
    if let Ok(n) = text.parse::<i64>() {
        return Ok(Some(n as f64));
    }
    let Ok(x) = text.parse::<f64>() else {
        return Ok(None);
    };
    let quoted = crate::scenario::diag::quote_short(text);
    if !x.is_finite() {
        Err(format!("{quoted} is not a finite number"))
    } else if x.abs() > MAX_READ_BACK {
        Err(format!(
            "{quoted} is beyond ±{MAX_READ_BACK:e}, more than any run writes"
        ))
    } else if x != 0.0 && x.abs() < f64::MIN_POSITIVE {
        Err(format!(
            "{quoted} is subnormal (nearer 0 than any run writes)"
        ))
    } else {
        Ok(Some(x))
    }
}

/// A [`ReadError`] for a bad number at `line` (from 1) in `column`.
fn bad_number(path: &Path, line: u64, column: &str, why: String) -> ReadError {
    ReadError {
        path: path.to_path_buf(),
        message: format!(
            "line {line}, column {}: {why}; the file was changed after dcsim wrote it: run it again",
            crate::scenario::diag::quote_short(column)
        ),
    }
}

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
}

macro_rules! headline {
    ($column:expr, $title:literal, $unit:literal, $scale:expr, $accrual:ident) => {
        Headline {
            column: $column,
            title: $title,
            unit: $unit,
            scale: $scale,
            accrual: Accrual::$accrual,
        }
    };
}

/// The figures charted by sweeps and comparisons, in the order a planner
/// reads them: the money (NPV, IRR, payback, revenue, capex, opex, EBITDA,
/// SLA credits), the contracts' delivery, then power, energy and carbon,
/// the fleet, failures and the workloads. Those a run does not have (no
/// books, no contracts, no jobs, no services) are left out.
pub const HEADLINES: &[Headline] = &[
    headline!(summary::NPV_USD, "NPV", "$", 1.0, Level),
    headline!(summary::IRR, "IRR", "% per year", 100.0, Level),
    headline!(summary::PAYBACK_MONTHS, "Payback", "months", 1.0, Level),
    headline!(summary::REVENUE_USD, "Revenue", "$", 1.0, Total),
    headline!(summary::CAPEX_USD, "Capex", "$", 1.0, Level),
    headline!(summary::OPEX_USD, "Opex", "$", 1.0, Total),
    headline!(summary::EBITDA_USD, "EBITDA", "$", 1.0, Total),
    headline!(summary::SLA_CREDITS_USD, "SLA credits", "$", 1.0, Total),
    headline!(
        derived_summary::CONTRACT_DELIVERED,
        "Contract delivered (share of commitment)",
        "%",
        100.0,
        Level
    ),
    headline!(
        summary::PEAK_FACILITY_MW,
        "Peak facility power",
        "MW",
        1.0,
        Level
    ),
    headline!(summary::ENERGY_MWH, "Facility energy", "GWh", 1e-3, Total),
    headline!(summary::ENERGY_COST_USD, "Energy cost", "$", 1.0, Total),
    headline!(summary::CARBON_TCO2E, "Carbon", "kt CO2e", 1e-3, Total),
    headline!(
        summary::AVAILABILITY,
        "Chip availability (healthy ÷ online)",
        "%",
        100.0,
        Level
    ),
    headline!(
        summary::PEAK_CHIPS_ONLINE,
        "Peak chips online",
        "thousand chips",
        1e-3,
        Level
    ),
    headline!(summary::FAILURES_TOTAL, "Failures", "failures", 1.0, Total),
    headline!(
        summary::ETTR_MEAN,
        "Mean ETTR of training jobs",
        "%",
        100.0,
        Level
    ),
    headline!(
        service_summary::SLO_ATTAINMENT,
        "SLO attainment",
        "%",
        100.0,
        Level
    ),
];

impl Headline {
    /// File names of its chart in a sweep (`sweep_<column>.png`, `.svg`).
    pub fn sweep_files(&self) -> (&'static str, &'static str) {
        self.files("sweep")
    }

    /// File names of its chart in a comparison (`compare_<column>.png`,
    /// `.svg`).
    pub fn compare_files(&self) -> (&'static str, &'static str) {
        self.files("compare")
    }

    /// `<prefix>_<column>.png` and `.svg`, as listed in
    /// [`crate::output::set::DCSIM_FILES`].
    fn files(&self, prefix: &str) -> (&'static str, &'static str) {
        let listed = |extension: &str| {
            let name = format!("{prefix}_{}.{extension}", self.column);
            crate::output::set::DCSIM_FILES
                .iter()
                .copied()
                .find(|n| *n == name)
                .unwrap_or_else(|| panic!("{name} is not listed in DCSIM_FILES"))
        };
        (listed("png"), listed("svg"))
    }

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

#[cfg(test)]
/// Every chart file name a sweep or comparison may write for
/// [`HEADLINES`] (for [`crate::output::set::DCSIM_FILES`]).
pub fn headline_files() -> impl Iterator<Item = &'static str> {
    HEADLINES.iter().flat_map(|h| {
        let (sweep, compare) = (h.sweep_files(), h.compare_files());
        [sweep.0, sweep.1, compare.0, compare.1]
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
        if std::fs::symlink_metadata(&path).is_err() {
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
                let derived = DerivedSummary {
                    contract_delivered: share,
                };
                for column in DERIVED_SUMMARY_COLUMNS {
                    summary.columns.push(column.name.into());
                    summary.values.push(field_text(column, &derived));
                }
            }
        }
        let services = dir.join("service_summary.csv");
        if std::fs::symlink_metadata(&services).is_ok() {
            let (cols, rows) = read_table(&services, MAX_SUMMARY_BYTES)?;
            if let Some(slo) = slo_attainment(&cols, &rows) {
                summary.columns.push(service_summary::SLO_ATTAINMENT.into());
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
    let (share, value) = (at(contracts::AVAILABILITY)?, at(contracts::VALUE_USD)?);
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
    let (slo, requests) = (
        at(service_summary::SLO_ATTAINMENT)?,
        at(service_summary::REQUESTS)?,
    );
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

/// A CSV file's header and rows, as text; every number in it checked
/// ([`checked_number`]).
fn read_table(path: &Path, limit: u64) -> Result<(Vec<String>, Vec<Vec<String>>), ReadError> {
    let bytes = input::read_back(path, limit, "").map_err(|e| ReadError {
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    let bad = |e: csv::Error| ReadError {
        path: path.to_path_buf(),
        message: format!(
            "is not a CSV file dcsim wrote: {}",
            crate::scenario::diag::quote_short(&e.to_string())
        ),
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
    check_header(path, header.iter().map(String::as_str))?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let line = record.position().map_or(0, |p| p.line());
        for (i, cell) in record.iter().enumerate() {
            checked_number(cell).map_err(|why| {
                bad_number(path, line, header.get(i).map_or("", String::as_str), why)
            })?;
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok((header, rows))
}

/// Checks the header of the run's file at `path` against the file's schema
/// ([`crate::output::csv::check_header`]): a missing or unknown column is
/// an error naming the file and the column.
fn check_header<'h>(
    path: &Path,
    header: impl IntoIterator<Item = &'h str>,
) -> Result<(), ReadError> {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    crate::output::csv::check_header(file, header).map_err(|e| ReadError {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
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

/// The fleet's chips online and facility power \[MW\] through a run, from
/// `dir/timeseries.csv` summed over sites, in time order, reduced to at
/// most `max_points` points each: means of equal runs of consecutive
/// samples (of `⌈samples / max_points⌉` samples, the last run shorter).
pub struct FleetSeries {
    /// Chips online.
    pub chips_online: Vec<Point>,
    /// Facility power \[MW\].
    pub facility_mw: Vec<Point>,
}

impl FleetSeries {
    /// Reads `dir/timeseries.csv` (`None` if the run has none) in two
    /// streamed passes — one to count the samples, one to reduce them —
    /// holding at most `max_points` points, whatever the file's size (up to
    /// [`MAX_SERIES_BYTES`]).
    pub fn read(dir: &Path, max_points: usize) -> Result<Option<FleetSeries>, ReadError> {
        let path = dir.join("timeseries.csv");
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        let mut samples = 0usize;
        for_each_sample(&path, &mut |_, _, _| samples += 1)?;
        let per = samples.div_ceil(max_points.max(1)).max(1);
        let mut series = FleetSeries {
            chips_online: Vec::with_capacity(samples.div_ceil(per)),
            facility_mw: Vec::with_capacity(samples.div_ceil(per)),
        };
        let (mut n, mut t, mut c, mut p) = (0usize, 0.0, 0.0, 0.0);
        let push = |series: &mut FleetSeries, n: usize, t: f64, c: f64, p: f64| {
            let k = n as f64;
            series.chips_online.push((t / k, c / k));
            series.facility_mw.push((t / k, p / k));
        };
        for_each_sample(&path, &mut |time, chips, power| {
            t += time;
            c += chips;
            p += power;
            n += 1;
            if n == per {
                push(&mut series, n, t, c, p);
                (n, t, c, p) = (0, 0.0, 0.0, 0.0);
            }
        })?;
        if n > 0 {
            push(&mut series, n, t, c, p);
        }
        Ok(Some(series))
    }
}

/// Streams `timeseries.csv` (a regular file, never through a link, of at
/// most [`MAX_SERIES_BYTES`], read up to its size when opened) and calls
/// `f(days, chips_online, facility_mw)` once per sample, sites summed (rows
/// of one sample time are consecutive, one per site).
fn for_each_sample(path: &Path, f: &mut dyn FnMut(f64, f64, f64)) -> Result<(), ReadError> {
    let (file, size) =
        input::open_read_back(path, MAX_SERIES_BYTES, "").map_err(|e| ReadError {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
    let bad = |message: String| ReadError {
        path: path.to_path_buf(),
        message,
    };
    let csv_bad = |e: csv::Error| {
        bad(format!(
            "is not a CSV file dcsim wrote: {}",
            crate::scenario::diag::quote_short(&e.to_string())
        ))
    };
    let reader = std::io::BufReader::new(std::io::Read::take(file, size));
    let mut reader = csv::ReaderBuilder::new().from_reader(reader);
    let header = reader.headers().map_err(csv_bad)?.clone();
    check_header(path, header.iter())?;
    let at = |name: &str| {
        header
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| bad(format!("has no column {name}")))
    };
    let (time, chips, power) = (
        at(timeseries::TIMESTAMP)?,
        at(timeseries::CHIPS_ONLINE)?,
        at(timeseries::FACILITY_POWER_MW)?,
    );
    let mut current: Option<(String, f64, f64, f64)> = None;
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_bad)? {
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let number = |i: usize| match checked_number(field(i)) {
            Ok(Some(x)) => Ok(x),
            Ok(None) => Err(bad_number(
                path,
                line,
                &header[i],
                format!(
                    "{:?} is not a number",
                    crate::scenario::diag::quote_short(field(i))
                ),
            )),
            Err(why) => Err(bad_number(path, line, &header[i], why)),
        };
        let (c, p) = (number(chips)?, number(power)?);
        match &mut current {
            Some((stamp, _, sc, sp)) if stamp.as_str() == field(time) => {
                *sc += c;
                *sp += p;
            }
            _ => {
                let t = days_of(field(time)).ok_or_else(|| {
                    bad_number(
                        path,
                        line,
                        timeseries::TIMESTAMP,
                        format!(
                            "{:?} is not a timestamp",
                            crate::scenario::diag::quote_short(field(time))
                        ),
                    )
                })?;
                if let Some((_, t0, c0, p0)) = current.take() {
                    f(t0, c0, p0);
                }
                current = Some((field(time).to_string(), t, c, p));
            }
        }
    }
    if let Some((_, t, c, p)) = current {
        f(t, c, p);
    }
    Ok(())
}

/// Cumulative cash \[USD\] at the end of each month of `dir/monthly.csv`;
/// `None` if the run kept no books.
pub fn cumulative_cash(dir: &Path) -> Result<Option<Vec<Point>>, ReadError> {
    let path = dir.join("monthly.csv");
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let (columns, rows) = read_table(&path, MAX_MONTHLY_BYTES)?;
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
    let (month, days, cash) = (
        at(monthly::MONTH)?,
        at(monthly::DAYS)?,
        at(monthly::CUMULATIVE_CASH_USD)?,
    );
    let mut points = Vec::with_capacity(rows.len());
    for row in &rows {
        let field = |i: usize| row.get(i).map_or("", String::as_str);
        let start = days_of(&format!("{}-01", field(month))).ok_or_else(|| {
            bad(format!(
                "\"{}\" is not a month",
                crate::scenario::diag::quote_short(field(month))
            ))
        })?;
        let parse = |i: usize| {
            field(i).parse::<f64>().map_err(|_| {
                bad(format!(
                    "\"{}\" is not a number",
                    crate::scenario::diag::quote_short(field(i))
                ))
            })
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
            .chain(crate::sweep::files::FILES.iter().copied())
            .chain(["run.json", "shard.json"])
        {
            assert!(DCSIM_FILES.contains(&name), "{name} not in DCSIM_FILES");
        }
    }

    #[test]
    fn numbers_read_back_are_checked() {
        assert_eq!(checked_number("1.5"), Ok(Some(1.5)));
        assert_eq!(checked_number("-0"), Ok(Some(0.0)));
        assert_eq!(checked_number("2026-01-01"), Ok(None));
        for bad in [
            "NaN",
            "inf",
            "-infinity",
            "1e308",
            "-1e19",
            "1e-320",
            "4e-310",
        ] {
            assert!(checked_number(bad).is_err(), "{bad}");
        }
        assert_eq!(checked_number("1e18"), Ok(Some(1e18)));
        assert_eq!(
            checked_number("18446744073709551615"),
            Ok(Some(u64::MAX as f64))
        );
    }

    /// The text of the run's file `name` with the columns it always has and
    /// a row per item of `rows`, each giving some columns' values (0 in the
    /// others).
    fn file_text(name: &str, rows: &[Vec<(&str, String)>]) -> String {
        let columns = crate::output::csv::schema(name).unwrap().always;
        let mut text = columns.join(",") + "\n";
        for row in rows {
            let fields: Vec<&str> = columns
                .iter()
                .map(|c| row.iter().find(|f| f.0 == *c).map_or("0", |f| f.1.as_str()))
                .collect();
            text.push_str(&fields.join(","));
            text.push('\n');
        }
        text
    }

    /// A row of `timeseries.csv`.
    fn sample(stamp: &str, site: &str, chips: &str, power: &str) -> Vec<(&'static str, String)> {
        vec![
            ("timestamp", stamp.to_string()),
            ("site", site.to_string()),
            ("chips_online", chips.to_string()),
            ("facility_power_mw", power.to_string()),
        ]
    }

    #[test]
    fn a_series_is_reduced_to_means_of_equal_runs_as_it_streams() {
        let dir = tempfile::tempdir().unwrap();
        // 2,500 samples of two sites each: chips 1 + 2, power 0.5 + 1.5.
        let mut rows = Vec::new();
        for i in 0..2500 {
            let stamp = chrono::DateTime::from_timestamp(i * 3600, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string();
            rows.push(sample(&stamp, "a", "1", "0.5"));
            rows.push(sample(&stamp, "b", "2", "1.5"));
        }
        let text = file_text("timeseries.csv", &rows);
        std::fs::write(dir.path().join("timeseries.csv"), text).unwrap();
        let s = FleetSeries::read(dir.path(), 1000).unwrap().unwrap();
        // ⌈2500 / 1000⌉ = 3 samples a point: 833 full points and one of 1.
        assert_eq!(s.chips_online.len(), 834);
        assert!(s.chips_online.iter().all(|p| p.1 == 3.0));
        assert!(s.facility_mw.iter().all(|p| p.1 == 2.0));
        // The first point's time: the mean of hours 0, 1 and 2, in days.
        assert!((s.chips_online[0].0 - 1.0 / 24.0).abs() < 1e-12);
        assert!((s.chips_online[833].0 - 2499.0 / 24.0).abs() < 1e-9);
    }

    #[test]
    fn a_bad_number_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let text = file_text(
            "timeseries.csv",
            &[
                sample("2026-01-01T00:00:00", "a", "1", "2"),
                sample("2026-01-01T01:00:00", "a", "1", "NaN"),
            ],
        );
        std::fs::write(dir.path().join("timeseries.csv"), text).unwrap();
        let e = FleetSeries::read(dir.path(), 10).err().unwrap().to_string();
        assert!(
            e.contains(
                "timeseries.csv: line 3, column facility_power_mw: NaN is not a finite number"
            ),
            "{e}"
        );
        let text = file_text(
            "summary.csv",
            &[vec![
                ("scenario", "x".to_string()),
                ("energy_mwh", "1e-320".to_string()),
            ]],
        );
        std::fs::write(dir.path().join("summary.csv"), text).unwrap();
        let e = RunSummary::read(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("summary.csv: line 2, column energy_mwh: 1e-320 is subnormal"),
            "{e}"
        );
    }

    #[test]
    fn every_headline_is_a_summary_figure() {
        // The headlines name their columns by text: the chart files'
        // names are made from them at compile time.
        let summary = crate::output::csv::schema("summary.csv").unwrap();
        for h in HEADLINES {
            assert!(
                summary.always.contains(&h.column)
                    || summary.sometimes.contains(&h.column)
                    || [
                        derived_summary::CONTRACT_DELIVERED,
                        service_summary::SLO_ATTAINMENT
                    ]
                    .contains(&h.column),
                "{} is not a figure of a run's summary",
                h.column
            );
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
