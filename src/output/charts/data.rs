//! The rows a run recorded, read back from its own CSV files for the
//! charts and the report.
//!
//! Each file is read once, from the run's staging folder after it was
//! flushed (through [`OutputSet::open_staged`]), and streamed row by row:
//! time series go into [`MinMaxSeries`] (a fixed number of columns
//! whatever the run's length), monthly sums into one slot per calendar
//! month, and the small tables the report shows whole (`summary.csv`,
//! `buildout.csv`, `monthly.csv`) are kept as text up to
//! [`MAX_TABLE_ROWS`] rows. Memory is therefore bounded by the chart's
//! resolution and the run's months, not by the files' sizes. Nothing here
//! looks at the simulation: only at what the files say.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader};

use chrono::NaiveDate;

use super::calendar::{RunCalendar, YearMonth};
use super::reduce::MinMaxSeries;
use crate::output::csv::{FAILURE_CLASS_COLUMNS, jobs, services, summary, timeseries as ts};
use crate::output::set::{OutputError, OutputSet};
use crate::record::CLASSES;

/// Columns of every reduced time series: at least the pixel columns of a
/// chart's plotting area, so each pixel column keeps its own extremes.
pub const COLUMNS: usize = 1280;
/// Sites drawn one by one in the power chart; with more, the fleet's sum.
pub const MAX_SITE_PANELS: usize = 6;
/// Services drawn one by one in the inference chart (the rest count in the
/// inference chips of the chips chart only).
pub const MAX_SERVICES: usize = 8;
/// Rows kept of a table the report shows whole (200 years of months).
pub const MAX_TABLE_ROWS: usize = 2_400;
/// Bins of the ETTR histogram over [0, 1].
pub const ETTR_BINS: usize = 40;

/// A small CSV file kept as text: its header and rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CsvTable {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, at most [`MAX_TABLE_ROWS`].
    pub rows: Vec<Vec<String>>,
    /// Rows left out beyond [`MAX_TABLE_ROWS`].
    pub rows_left_out: usize,
}

impl CsvTable {
    /// Position of the column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The text of column `name` in row `row`.
    pub fn get(&self, row: usize, name: &str) -> Option<&str> {
        let c = self.column(name)?;
        self.rows.get(row)?.get(c).map(String::as_str)
    }

    /// The number in column `name` of row `row`, if it holds one.
    pub fn number(&self, row: usize, name: &str) -> Option<f64> {
        self.get(row, name)?
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
    }
}

/// One site's power over the run \[MW\].
#[derive(Clone, Debug)]
pub struct SitePower {
    /// Site name.
    pub name: String,
    /// Facility power.
    pub facility_mw: MinMaxSeries,
    /// IT power.
    pub it_mw: MinMaxSeries,
    /// Grid connection.
    pub grid_mw: MinMaxSeries,
}

/// Sums over the sites at each sample.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// Facility power \[MW\].
    pub facility_mw: MinMaxSeries,
    /// IT power \[MW\].
    pub it_mw: MinMaxSeries,
    /// Grid connections \[MW\].
    pub grid_mw: MinMaxSeries,
    /// Chips online.
    pub chips_online: MinMaxSeries,
    /// Chips healthy.
    pub chips_healthy: MinMaxSeries,
    /// Chips failed or in repair.
    pub chips_down: MinMaxSeries,
}

/// Sums per calendar month of the interval columns of `timeseries.csv`.
#[derive(Clone, Debug, Default)]
pub struct Months {
    /// The months of the run.
    pub months: Vec<YearMonth>,
    /// Energy cost \[USD\].
    pub energy_cost_usd: Vec<f64>,
    /// Emissions \[tCO2e\].
    pub carbon_tco2e: Vec<f64>,
    /// Facility energy \[MWh\].
    pub energy_mwh: Vec<f64>,
    /// Failures by class ([`crate::catalog::failures::FailureKind::ALL`] order).
    pub failures: Vec<[u64; CLASSES]>,
}

/// Distribution of the ETTR of the jobs that started (`jobs.csv`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EttrHistogram {
    /// Jobs per bin of width 1 / [`ETTR_BINS`] ([`ETTR_BINS`] of them).
    pub counts: Vec<u64>,
    /// Jobs that started.
    pub started: u64,
    /// Jobs that never started.
    pub never_started: u64,
    /// Mean ETTR of the jobs that started.
    pub mean: f64,
}

/// The training columns of `timeseries.csv` (sums over sites) and the
/// jobs' ETTR.
#[derive(Clone, Debug)]
pub struct Training {
    /// Chips held by training.
    pub chips: MinMaxSeries,
    /// Jobs running.
    pub running: MinMaxSeries,
    /// Jobs waiting for their domains to come back.
    pub waiting: MinMaxSeries,
    /// Jobs in the queue (fleet-wide).
    pub queued: MinMaxSeries,
    /// Work kept so far: Σ training_flops − training_flops_lost \[FLOP\].
    pub work_kept_flop: MinMaxSeries,
    /// Work thrown away so far \[FLOP\].
    pub work_lost_flop: MinMaxSeries,
    /// Total work kept by the end \[FLOP\].
    pub work_kept_total: f64,
    /// The jobs' ETTR, from `jobs.csv`.
    pub ettr: Option<EttrHistogram>,
}

/// One inference service over the run (`services.csv`).
#[derive(Clone, Debug)]
pub struct ServiceSeries {
    /// Service name.
    pub name: String,
    /// Demand [requests/s].
    pub demand_rps: MinMaxSeries,
    /// Served [requests/s].
    pub served_rps: MinMaxSeries,
    /// TTFT p99 \[s\] (intervals with a value above zero).
    pub ttft_p99_s: MinMaxSeries,
    /// TPOT p99 \[s\] (intervals with a value above zero).
    pub tpot_p99_s: MinMaxSeries,
}

/// The services of `services.csv`.
#[derive(Clone, Debug)]
pub struct Services {
    /// The first [`MAX_SERVICES`] services, in the order they appear.
    pub list: Vec<ServiceSeries>,
    /// How many services the file has.
    pub count: usize,
    /// Chips held by all services, at each sample.
    pub chips: MinMaxSeries,
}

/// What the charts and the report read from a run's files.
#[derive(Clone, Debug)]
pub struct RunData {
    /// `summary.csv`.
    pub summary: CsvTable,
    /// The run's calendar.
    pub calendar: RunCalendar,
    /// Number of sites in `timeseries.csv`.
    pub site_count: usize,
    /// The first [`MAX_SITE_PANELS`] sites' power.
    pub sites: Vec<SitePower>,
    /// Sums over the sites.
    pub fleet: Fleet,
    /// Monthly sums.
    pub months: Months,
    /// Training, when `timeseries.csv` has its columns.
    pub training: Option<Training>,
    /// Services, when the run wrote `services.csv`.
    pub services: Option<Services>,
    /// `monthly.csv`, when the run kept books.
    pub monthly: Option<CsvTable>,
    /// `contracts.csv`, when the run had contracts.
    pub contracts: Option<CsvTable>,
    /// `contracts_monthly.csv`, when the run had contracts.
    pub contracts_monthly: Option<CsvTable>,
    /// `buildout.csv`.
    pub buildout: CsvTable,
}

impl RunData {
    /// Reads the run's files from `set`'s staging folder (written and
    /// flushed): `summary.csv`, `timeseries.csv`, `buildout.csv`, and
    /// `jobs.csv`, `services.csv`, `monthly.csv`, `contracts.csv` and
    /// `contracts_monthly.csv` when the run wrote them.
    pub fn read(set: &OutputSet) -> Result<RunData, OutputError> {
        let summary = read_table(set, "summary.csv")?.ok_or_else(|| missing(set, "summary.csv"))?;
        RunData::read_with_summary(set, summary)
    }

    /// As [`RunData::read`], with `summary.csv` already read.
    pub fn read_with_summary(set: &OutputSet, summary: CsvTable) -> Result<RunData, OutputError> {
        let start = summary
            .get(0, summary::START)
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .ok_or_else(|| invalid(set, "summary.csv", "no start date"))?;
        let hours = summary.number(0, summary::HOURS).unwrap_or(0.0);
        let calendar = RunCalendar::new(start, hours);
        // The time series on one thread, the other files on another.
        let timeseries = set
            .open_staged("timeseries.csv")?
            .ok_or_else(|| missing(set, "timeseries.csv"))?;
        let jobs = set.open_staged("jobs.csv")?;
        let services = set.open_staged("services.csv")?;
        let (series, (ettr, services)) = rayon::join(
            || {
                TimeseriesReader::new(calendar)
                    .read(timeseries)
                    .map_err(|e| set.read_error("timeseries.csv", e))
            },
            || {
                let ettr = jobs
                    .map(|f| read_ettr(f).map_err(|e| set.read_error("jobs.csv", e)))
                    .transpose();
                let services = services
                    .map(|f| {
                        read_services(f, calendar).map_err(|e| set.read_error("services.csv", e))
                    })
                    .transpose();
                (ettr, services)
            },
        );
        let mut data = series?;
        let services = services?;
        if let Some(training) = data.training.as_mut() {
            training.ettr = ettr?;
        }
        Ok(RunData {
            summary,
            calendar,
            site_count: data.site_count,
            sites: data.sites,
            fleet: data.fleet,
            months: data.months,
            training: data.training,
            services,
            monthly: read_table(set, "monthly.csv")?,
            contracts: read_table(set, "contracts.csv")?,
            contracts_monthly: read_table(set, "contracts_monthly.csv")?,
            buildout: read_table(set, "buildout.csv")?.unwrap_or_default(),
        })
    }
}

fn missing(set: &OutputSet, name: &str) -> OutputError {
    set.read_error(
        name,
        io::Error::new(io::ErrorKind::NotFound, "the run did not write it"),
    )
}

fn invalid(set: &OutputSet, name: &str, what: &str) -> OutputError {
    set.read_error(name, io::Error::new(io::ErrorKind::InvalidData, what))
}

fn reader(file: File) -> csv::Reader<BufReader<File>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::with_capacity(256 * 1024, file))
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}

/// Checks the header of the run's file `name` against its schema
/// ([`crate::output::csv::check_header`]).
fn check_header<'h>(name: &str, header: impl IntoIterator<Item = &'h str>) -> io::Result<()> {
    crate::output::csv::check_header(name, header)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

/// [`check_header`] for a header read as bytes (not UTF-8: a column no
/// schema has).
fn check_byte_header(name: &str, header: &csv::ByteRecord) -> io::Result<()> {
    check_header(
        name,
        header
            .iter()
            .map(|h| std::str::from_utf8(h).unwrap_or("\u{fffd}")),
    )
}

/// Reads a small file of the set whole (up to [`MAX_TABLE_ROWS`] rows);
/// `None` if the set did not write it.
pub fn read_table(set: &OutputSet, name: &'static str) -> Result<Option<CsvTable>, OutputError> {
    let Some(file) = set.open_staged(name)? else {
        return Ok(None);
    };
    let mut rdr = reader(file);
    let mut read = || -> io::Result<CsvTable> {
        let header: Vec<String> = rdr
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_string)
            .collect();
        check_header(name, header.iter().map(String::as_str))?;
        let mut table = CsvTable {
            header,
            ..CsvTable::default()
        };
        let mut record = csv::StringRecord::new();
        while rdr.read_record(&mut record).map_err(csv_error)? {
            if table.rows.len() < MAX_TABLE_ROWS {
                table.rows.push(record.iter().map(str::to_string).collect());
            } else {
                table.rows_left_out += 1;
            }
        }
        Ok(table)
    };
    read().map(Some).map_err(|e| set.read_error(name, e))
}

/// A field as a number; NaN when empty or not a number.
fn number(record: &csv::ByteRecord, column: Option<usize>) -> f64 {
    match column.and_then(|c| record.get(c)) {
        Some(b) => parse_number(b),
        None => f64::NAN,
    }
}

/// `bytes` as a number; NaN when empty or not a number. Plain decimals
/// (`-12.345000`, `300`), which is what dcsim writes but for FLOP counts,
/// are read directly: with fewer than 16 digits the mantissa and the power
/// of ten are exact doubles, so their quotient is the correctly rounded
/// value, the same as `str::parse` gives. Anything else goes to
/// `str::parse`.
pub fn parse_number(bytes: &[u8]) -> f64 {
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0;
    let mut decimals: Option<usize> = None;
    let mut plain = !digits.is_empty() && digits.len() <= 17;
    if plain {
        for &b in digits {
            match b {
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    count += 1;
                    if let Some(d) = decimals.as_mut() {
                        *d += 1;
                    }
                }
                b'.' if decimals.is_none() => decimals = Some(0),
                _ => {
                    plain = false;
                    break;
                }
            }
        }
    }
    if plain && count > 0 && count <= 15 {
        const POW10: [f64; 16] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        ];
        let x = mantissa as f64 / POW10[decimals.unwrap_or(0)];
        return if negative { -x } else { x };
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

/// NaN as zero, for sums.
fn or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// Positions of the named columns in a header.
fn positions(header: &csv::ByteRecord) -> HashMap<&[u8], usize> {
    header.iter().enumerate().map(|(i, h)| (h, i)).collect()
}

/// The sums over the sites of one sample, built as its rows are read.
#[derive(Default)]
struct SampleSums {
    time_h: f64,
    rows: usize,
    facility: f64,
    it: f64,
    grid: f64,
    online: f64,
    healthy: f64,
    down: f64,
    training_chips: f64,
    running: f64,
    waiting: f64,
    queued: f64,
    flops: f64,
    flops_lost: f64,
}

/// What `timeseries.csv` gives.
struct SeriesData {
    site_count: usize,
    sites: Vec<SitePower>,
    fleet: Fleet,
    months: Months,
    training: Option<Training>,
}

/// Streams `timeseries.csv` into reduced series and monthly sums.
struct TimeseriesReader {
    calendar: RunCalendar,
}

impl TimeseriesReader {
    fn new(calendar: RunCalendar) -> Self {
        TimeseriesReader { calendar }
    }

    fn series(&self) -> MinMaxSeries {
        MinMaxSeries::new(0.0, self.calendar.hours(), COLUMNS)
    }

    fn read(&self, file: File) -> io::Result<SeriesData> {
        let mut rdr = reader(file);
        let header = rdr.byte_headers().map_err(csv_error)?.clone();
        check_byte_header("timeseries.csv", &header)?;
        let at = positions(&header);
        let col = |name: &str| at.get(name.as_bytes()).copied();
        let c_time = col(ts::TIME_H);
        let c_site = col(ts::SITE);
        let (c_online, c_healthy, c_failed, c_repair) = (
            col(ts::CHIPS_ONLINE),
            col(ts::CHIPS_HEALTHY),
            col(ts::CHIPS_FAILED),
            col(ts::CHIPS_IN_REPAIR),
        );
        let (c_grid, c_it, c_facility) = (
            col(ts::GRID_MW),
            col(ts::IT_POWER_MW),
            col(ts::FACILITY_POWER_MW),
        );
        let (c_cost, c_carbon, c_energy) = (
            col(ts::ENERGY_COST_USD),
            col(ts::CARBON_TCO2E),
            col(ts::ENERGY_MWH),
        );
        let c_failures: Vec<Option<usize>> = FAILURE_CLASS_COLUMNS.iter().map(|c| col(c)).collect();
        let c_tchips = col(ts::TRAINING_CHIPS);
        let has_training = c_tchips.is_some();
        let (c_running, c_waiting, c_queued, c_flops, c_lost) = (
            col(ts::TRAINING_JOBS_RUNNING),
            col(ts::TRAINING_JOBS_WAITING),
            col(ts::TRAINING_JOBS_QUEUED_FLEET),
            col(ts::TRAINING_FLOPS),
            col(ts::TRAINING_FLOPS_LOST),
        );

        let months = self.calendar.months();
        let n_months = months.len();
        let mut out = SeriesData {
            site_count: 0,
            sites: Vec::new(),
            fleet: Fleet {
                facility_mw: self.series(),
                it_mw: self.series(),
                grid_mw: self.series(),
                chips_online: self.series(),
                chips_healthy: self.series(),
                chips_down: self.series(),
            },
            months: Months {
                months,
                energy_cost_usd: vec![0.0; n_months],
                carbon_tco2e: vec![0.0; n_months],
                energy_mwh: vec![0.0; n_months],
                failures: vec![[0; CLASSES]; n_months],
            },
            training: has_training.then(|| Training {
                chips: self.series(),
                running: self.series(),
                waiting: self.series(),
                queued: self.series(),
                work_kept_flop: self.series(),
                work_lost_flop: self.series(),
                work_kept_total: 0.0,
                ettr: None,
            }),
        };
        let mut site_index: HashMap<Box<[u8]>, usize> = HashMap::new();
        let mut last_site = usize::MAX;
        let mut sums = SampleSums::default();
        let mut month = 0usize;
        let (mut kept, mut lost) = (0.0f64, 0.0f64);
        let mut record = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut record).map_err(csv_error)? {
            let time_h = number(&record, c_time);
            if sums.rows > 0 && time_h != sums.time_h {
                self.flush(&sums, &mut out, &mut kept, &mut lost);
                sums = SampleSums::default();
            }
            if sums.rows == 0 {
                sums.time_h = time_h;
                month = self
                    .calendar
                    .interval_month(time_h)
                    .min(n_months.saturating_sub(1));
            }
            sums.rows += 1;

            // The site: rows come in the same site order at every sample.
            let name = c_site.and_then(|c| record.get(c)).unwrap_or(b"");
            let next = last_site.wrapping_add(1) % out.site_count.max(1);
            let site = if out.site_count > 0 && site_name_is(&out.sites, &site_index, next, name) {
                next
            } else if let Some(&i) = site_index.get(name) {
                i
            } else {
                let i = out.site_count;
                site_index.insert(name.into(), i);
                out.site_count += 1;
                if i < MAX_SITE_PANELS {
                    out.sites.push(SitePower {
                        name: String::from_utf8_lossy(name).into_owned(),
                        facility_mw: self.series(),
                        it_mw: self.series(),
                        grid_mw: self.series(),
                    });
                }
                i
            };
            last_site = site;

            let facility = number(&record, c_facility);
            let it = number(&record, c_it);
            let grid = number(&record, c_grid);
            if let Some(s) = out.sites.get_mut(site) {
                s.facility_mw.push(time_h, facility);
                s.it_mw.push(time_h, it);
                s.grid_mw.push(time_h, grid);
            }
            sums.facility += or_zero(facility);
            sums.it += or_zero(it);
            sums.grid += or_zero(grid);
            sums.online += or_zero(number(&record, c_online));
            sums.healthy += or_zero(number(&record, c_healthy));
            sums.down += or_zero(number(&record, c_failed)) + or_zero(number(&record, c_repair));

            if n_months > 0 {
                let m = month;
                out.months.energy_cost_usd[m] += or_zero(number(&record, c_cost));
                out.months.carbon_tco2e[m] += or_zero(number(&record, c_carbon));
                out.months.energy_mwh[m] += or_zero(number(&record, c_energy));
                for (k, c) in c_failures.iter().enumerate() {
                    out.months.failures[m][k] += or_zero(number(&record, *c)) as u64;
                }
            }
            if has_training {
                sums.training_chips += or_zero(number(&record, c_tchips));
                sums.running += or_zero(number(&record, c_running));
                sums.waiting += or_zero(number(&record, c_waiting));
                // The same fleet-wide figure on every site's row.
                sums.queued = or_zero(number(&record, c_queued));
                sums.flops += or_zero(number(&record, c_flops));
                sums.flops_lost += or_zero(number(&record, c_lost));
            }
        }
        if sums.rows > 0 {
            self.flush(&sums, &mut out, &mut kept, &mut lost);
        }
        if let Some(t) = out.training.as_mut() {
            t.work_kept_total = kept;
        }
        Ok(out)
    }

    /// Adds a whole sample's sums to the fleet's series.
    fn flush(&self, s: &SampleSums, out: &mut SeriesData, kept: &mut f64, lost: &mut f64) {
        let t = s.time_h;
        let f = &mut out.fleet;
        f.facility_mw.push(t, s.facility);
        f.it_mw.push(t, s.it);
        f.grid_mw.push(t, s.grid);
        f.chips_online.push(t, s.online);
        f.chips_healthy.push(t, s.healthy);
        f.chips_down.push(t, s.down);
        if let Some(tr) = out.training.as_mut() {
            *kept += s.flops - s.flops_lost;
            *lost += s.flops_lost;
            tr.chips.push(t, s.training_chips);
            tr.running.push(t, s.running);
            tr.waiting.push(t, s.waiting);
            tr.queued.push(t, s.queued);
            tr.work_kept_flop.push(t, *kept);
            tr.work_lost_flop.push(t, *lost);
        }
    }
}

/// Whether site `i` is named `name` (checked without a hash).
fn site_name_is(
    sites: &[SitePower],
    index: &HashMap<Box<[u8]>, usize>,
    i: usize,
    name: &[u8],
) -> bool {
    match sites.get(i) {
        Some(s) => s.name.as_bytes() == name,
        None => index.get(name) == Some(&i),
    }
}

/// The ETTR histogram of `jobs.csv`.
fn read_ettr(file: File) -> io::Result<EttrHistogram> {
    let mut rdr = reader(file);
    let header = rdr.byte_headers().map_err(csv_error)?.clone();
    check_byte_header("jobs.csv", &header)?;
    let c_ettr = header.iter().position(|h| h == jobs::ETTR.as_bytes());
    let mut h = EttrHistogram {
        counts: vec![0; ETTR_BINS],
        ..EttrHistogram::default()
    };
    let mut sum = 0.0;
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).map_err(csv_error)? {
        let e = number(&record, c_ettr);
        if e.is_finite() {
            let bin = ((e * ETTR_BINS as f64).floor().max(0.0) as usize).min(ETTR_BINS - 1);
            h.counts[bin] += 1;
            h.started += 1;
            sum += e;
        } else {
            h.never_started += 1;
        }
    }
    if h.started > 0 {
        h.mean = sum / h.started as f64;
    }
    Ok(h)
}

/// The services of `services.csv`.
fn read_services(file: File, calendar: RunCalendar) -> io::Result<Services> {
    let series = || MinMaxSeries::new(0.0, calendar.hours(), COLUMNS);
    let mut rdr = reader(file);
    let header = rdr.byte_headers().map_err(csv_error)?.clone();
    check_byte_header("services.csv", &header)?;
    let at = positions(&header);
    let col = |name: &str| at.get(name.as_bytes()).copied();
    let (c_time, c_service, c_demand, c_served, c_chips, c_ttft, c_tpot) = (
        col(services::TIME_H),
        col(services::SERVICE),
        col(services::DEMAND_RPS),
        col(services::SERVED_RPS),
        col(services::CHIPS),
        col(services::TTFT_P99_S),
        col(services::TPOT_P99_S),
    );
    let mut out = Services {
        list: Vec::new(),
        count: 0,
        chips: series(),
    };
    let mut index: HashMap<Box<[u8]>, usize> = HashMap::new();
    let (mut time, mut chips, mut rows) = (f64::NAN, 0.0, 0usize);
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).map_err(csv_error)? {
        let t = number(&record, c_time);
        if rows > 0 && t != time {
            out.chips.push(time, chips);
            chips = 0.0;
        }
        time = t;
        rows += 1;
        chips += or_zero(number(&record, c_chips));
        let name = c_service.and_then(|c| record.get(c)).unwrap_or(b"");
        let i = match index.get(name) {
            Some(&i) => i,
            None => {
                let i = out.count;
                index.insert(name.into(), i);
                out.count += 1;
                if i < MAX_SERVICES {
                    out.list.push(ServiceSeries {
                        name: String::from_utf8_lossy(name).into_owned(),
                        demand_rps: series(),
                        served_rps: series(),
                        ttft_p99_s: series(),
                        tpot_p99_s: series(),
                    });
                }
                i
            }
        };
        if let Some(s) = out.list.get_mut(i) {
            s.demand_rps.push(t, number(&record, c_demand));
            s.served_rps.push(t, number(&record, c_served));
            let (ttft, tpot) = (number(&record, c_ttft), number(&record, c_tpot));
            if ttft > 0.0 {
                s.ttft_p99_s.push(t, ttft);
            }
            if tpot > 0.0 {
                s.tpot_p99_s.push(t, tpot);
            }
        }
    }
    if rows > 0 {
        out.chips.push(time, chips);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_read_as_str_parse_reads_them() {
        for s in [
            "0",
            "-0.000",
            "300.000",
            "12.345678",
            "-961853707.78",
            "1.5e24",
            "0e0",
            "",
            "x",
            "NaN",
            "1.2.3",
        ] {
            let want = s.parse::<f64>().unwrap_or(f64::NAN);
            let got = parse_number(s.as_bytes());
            assert!(
                got == want || (got.is_nan() && want.is_nan()),
                "{s}: {got} vs {want}"
            );
        }
    }

    proptest! {
        #[test]
        fn fixed_decimals_read_exactly(cents in -10_000_000_000_000i64..10_000_000_000_000, d in 0usize..7) {
            let x = cents as f64 / 100.0;
            let s = format!("{x:.d$}");
            prop_assert_eq!(parse_number(s.as_bytes()).to_bits(), s.parse::<f64>().unwrap().to_bits());
        }
    }
}
