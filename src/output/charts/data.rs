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
use crate::output::csv::{
    FAILURE_CLASS_COLUMNS, jobs, parse_number, services, summary, timeseries as ts,
};
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
        let calendar =
            calendar_of(&summary).ok_or_else(|| invalid(set, "summary.csv", "no start date"))?;
        // The time series on one thread, the other files on another.
        let timeseries = set
            .open_staged("timeseries.csv")?
            .ok_or_else(|| missing(set, "timeseries.csv"))?;
        let jobs = set.open_staged("jobs.csv")?;
        let services = set.open_staged("services.csv")?;
        let (series, (ettr, services)) = rayon::join(
            || {
                read_timeseries(timeseries, calendar)
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
        Ok(RunData::assemble(
            summary,
            calendar,
            series?,
            ettr?,
            services?,
            [
                read_table(set, "monthly.csv")?,
                read_table(set, "contracts.csv")?,
                read_table(set, "contracts_monthly.csv")?,
            ],
            read_table(set, "buildout.csv")?.unwrap_or_default(),
        ))
    }

    /// The data of a run whose `summary.csv` is `summary` (its calendar
    /// `calendar`), from what its files give: the time series, the jobs'
    /// ETTR, the services, `monthly.csv`, `contracts.csv`,
    /// `contracts_monthly.csv` (each when the run wrote it) and
    /// `buildout.csv`.
    pub(super) fn assemble(
        summary: CsvTable,
        calendar: RunCalendar,
        mut series: SeriesData,
        ettr: Option<EttrHistogram>,
        services: Option<Services>,
        [monthly, contracts, contracts_monthly]: [Option<CsvTable>; 3],
        buildout: CsvTable,
    ) -> RunData {
        if let Some(training) = series.training.as_mut() {
            training.ettr = ettr;
        }
        RunData {
            summary,
            calendar,
            site_count: series.site_count,
            sites: series.sites,
            fleet: series.fleet,
            months: series.months,
            training: series.training,
            services,
            monthly,
            contracts,
            contracts_monthly,
            buildout,
        }
    }
}

/// The calendar of the run whose `summary.csv` is `summary`: its start
/// date and its hours; `None` without a start date.
pub(super) fn calendar_of(summary: &CsvTable) -> Option<RunCalendar> {
    let start = summary
        .get(0, summary::START)
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())?;
    let hours = summary.number(0, summary::HOURS).unwrap_or(0.0);
    Some(RunCalendar::new(start, hours))
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

/// NaN as zero, for sums.
fn or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// Positions of the named columns in a header.
fn positions(header: &csv::ByteRecord) -> HashMap<&[u8], usize> {
    header.iter().enumerate().map(|(i, h)| (h, i)).collect()
}

/// The columns of `timeseries.csv` the charts read, each as a handle `C`
/// on the column of that name ([`ts`]) in the source: its position in a
/// file read back, its [`Column`](crate::output::csv::Column) for rows in
/// memory. `None` for a column the source does not have.
pub(super) struct SampleColumns<C> {
    time: Option<C>,
    site: Option<C>,
    online: Option<C>,
    healthy: Option<C>,
    failed: Option<C>,
    repair: Option<C>,
    grid: Option<C>,
    it: Option<C>,
    facility: Option<C>,
    cost: Option<C>,
    carbon: Option<C>,
    energy: Option<C>,
    failures: Vec<Option<C>>,
    /// The training columns, when the source has `training_chips`.
    training: Option<TrainingColumns<C>>,
}

/// The training columns of `timeseries.csv` the charts read.
struct TrainingColumns<C> {
    chips: Option<C>,
    running: Option<C>,
    waiting: Option<C>,
    queued: Option<C>,
    flops: Option<C>,
    lost: Option<C>,
}

impl<C: Copy> SampleColumns<C> {
    /// The columns, each found by its name with `col`.
    pub(super) fn find(col: impl Fn(&str) -> Option<C>) -> Self {
        SampleColumns {
            time: col(ts::TIME_H),
            site: col(ts::SITE),
            online: col(ts::CHIPS_ONLINE),
            healthy: col(ts::CHIPS_HEALTHY),
            failed: col(ts::CHIPS_FAILED),
            repair: col(ts::CHIPS_IN_REPAIR),
            grid: col(ts::GRID_MW),
            it: col(ts::IT_POWER_MW),
            facility: col(ts::FACILITY_POWER_MW),
            cost: col(ts::ENERGY_COST_USD),
            carbon: col(ts::CARBON_TCO2E),
            energy: col(ts::ENERGY_MWH),
            failures: FAILURE_CLASS_COLUMNS.iter().map(|c| col(c)).collect(),
            training: col(ts::TRAINING_CHIPS).map(|chips| TrainingColumns {
                chips: Some(chips),
                running: col(ts::TRAINING_JOBS_RUNNING),
                waiting: col(ts::TRAINING_JOBS_WAITING),
                queued: col(ts::TRAINING_JOBS_QUEUED_FLEET),
                flops: col(ts::TRAINING_FLOPS),
                lost: col(ts::TRAINING_FLOPS_LOST),
            }),
        }
    }

    /// The site column.
    pub(super) fn site(&self) -> Option<C> {
        self.site
    }

    /// Whether the source has the training columns.
    pub(super) fn has_training(&self) -> bool {
        self.training.is_some()
    }

    /// The values of one row, `number` reading a column of it (NaN for
    /// an empty field or a column the source does not have).
    pub(super) fn values(&self, mut number: impl FnMut(Option<C>) -> f64) -> SampleValues {
        let mut failures = [0.0; CLASSES];
        for (f, c) in failures.iter_mut().zip(&self.failures) {
            *f = number(*c);
        }
        SampleValues {
            time_h: number(self.time),
            facility: number(self.facility),
            it: number(self.it),
            grid: number(self.grid),
            online: number(self.online),
            healthy: number(self.healthy),
            failed: number(self.failed),
            repair: number(self.repair),
            cost: number(self.cost),
            carbon: number(self.carbon),
            energy: number(self.energy),
            failures,
            training: self.training.as_ref().map(|t| {
                [
                    number(t.chips),
                    number(t.running),
                    number(t.waiting),
                    number(t.queued),
                    number(t.flops),
                    number(t.lost),
                ]
            }),
        }
    }
}

/// The figures of one row of `timeseries.csv` the charts read, as the
/// file holds them.
pub(super) struct SampleValues {
    time_h: f64,
    facility: f64,
    it: f64,
    grid: f64,
    online: f64,
    healthy: f64,
    failed: f64,
    repair: f64,
    cost: f64,
    carbon: f64,
    energy: f64,
    failures: [f64; CLASSES],
    /// Training chips, jobs running, waiting and queued (fleet-wide),
    /// FLOPs and FLOPs lost.
    training: Option<[f64; 6]>,
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
pub(super) struct SeriesData {
    site_count: usize,
    sites: Vec<SitePower>,
    fleet: Fleet,
    months: Months,
    training: Option<Training>,
}

/// Reduces the rows of `timeseries.csv`, in the file's order, to series
/// and monthly sums.
pub(super) struct TimeseriesReducer {
    calendar: RunCalendar,
    out: SeriesData,
    site_index: HashMap<Box<[u8]>, usize>,
    last_site: usize,
    sums: SampleSums,
    month: usize,
    kept: f64,
    lost: f64,
}

impl TimeseriesReducer {
    /// A reducer over the run of `calendar`, with the training series
    /// when `training`.
    pub(super) fn new(calendar: RunCalendar, training: bool) -> Self {
        let series = || MinMaxSeries::new(0.0, calendar.hours(), COLUMNS);
        let months = calendar.months();
        let n_months = months.len();
        TimeseriesReducer {
            calendar,
            out: SeriesData {
                site_count: 0,
                sites: Vec::new(),
                fleet: Fleet {
                    facility_mw: series(),
                    it_mw: series(),
                    grid_mw: series(),
                    chips_online: series(),
                    chips_healthy: series(),
                    chips_down: series(),
                },
                months: Months {
                    months,
                    energy_cost_usd: vec![0.0; n_months],
                    carbon_tco2e: vec![0.0; n_months],
                    energy_mwh: vec![0.0; n_months],
                    failures: vec![[0; CLASSES]; n_months],
                },
                training: training.then(|| Training {
                    chips: series(),
                    running: series(),
                    waiting: series(),
                    queued: series(),
                    work_kept_flop: series(),
                    work_lost_flop: series(),
                    work_kept_total: 0.0,
                    ettr: None,
                }),
            },
            site_index: HashMap::new(),
            last_site: usize::MAX,
            sums: SampleSums::default(),
            month: 0,
            kept: 0.0,
            lost: 0.0,
        }
    }

    /// Adds the next row: the site named `name`, its figures `v`.
    pub(super) fn add(&mut self, name: &[u8], v: &SampleValues) {
        let n_months = self.out.months.months.len();
        let time_h = v.time_h;
        if self.sums.rows > 0 && time_h != self.sums.time_h {
            self.flush();
            self.sums = SampleSums::default();
        }
        if self.sums.rows == 0 {
            self.sums.time_h = time_h;
            self.month = self
                .calendar
                .interval_month(time_h)
                .min(n_months.saturating_sub(1));
        }
        self.sums.rows += 1;

        // The site: rows come in the same site order at every sample.
        let out = &mut self.out;
        let next = self.last_site.wrapping_add(1) % out.site_count.max(1);
        let site = if out.site_count > 0 && site_name_is(&out.sites, &self.site_index, next, name) {
            next
        } else if let Some(&i) = self.site_index.get(name) {
            i
        } else {
            let i = out.site_count;
            self.site_index.insert(name.into(), i);
            out.site_count += 1;
            if i < MAX_SITE_PANELS {
                let series = || MinMaxSeries::new(0.0, self.calendar.hours(), COLUMNS);
                out.sites.push(SitePower {
                    name: String::from_utf8_lossy(name).into_owned(),
                    facility_mw: series(),
                    it_mw: series(),
                    grid_mw: series(),
                });
            }
            i
        };
        self.last_site = site;

        if let Some(s) = out.sites.get_mut(site) {
            s.facility_mw.push(time_h, v.facility);
            s.it_mw.push(time_h, v.it);
            s.grid_mw.push(time_h, v.grid);
        }
        let sums = &mut self.sums;
        sums.facility += or_zero(v.facility);
        sums.it += or_zero(v.it);
        sums.grid += or_zero(v.grid);
        sums.online += or_zero(v.online);
        sums.healthy += or_zero(v.healthy);
        sums.down += or_zero(v.failed) + or_zero(v.repair);

        if n_months > 0 {
            let m = self.month;
            out.months.energy_cost_usd[m] += or_zero(v.cost);
            out.months.carbon_tco2e[m] += or_zero(v.carbon);
            out.months.energy_mwh[m] += or_zero(v.energy);
            for (sum, &f) in out.months.failures[m].iter_mut().zip(&v.failures) {
                // Most classes see no failure in an hour: nothing to add.
                if f > 0.0 {
                    *sum += or_zero(f) as u64;
                }
            }
        }
        if out.training.is_some() {
            let [chips, running, waiting, queued, flops, lost] =
                v.training.unwrap_or([f64::NAN; 6]);
            sums.training_chips += or_zero(chips);
            sums.running += or_zero(running);
            sums.waiting += or_zero(waiting);
            // The same fleet-wide figure on every site's row.
            sums.queued = or_zero(queued);
            sums.flops += or_zero(flops);
            sums.flops_lost += or_zero(lost);
        }
    }

    /// The series and sums of every row added.
    pub(super) fn finish(mut self) -> SeriesData {
        if self.sums.rows > 0 {
            self.flush();
        }
        if let Some(t) = self.out.training.as_mut() {
            t.work_kept_total = self.kept;
        }
        self.out
    }

    /// Adds a whole sample's sums to the fleet's series.
    fn flush(&mut self) {
        let s = &self.sums;
        let out = &mut self.out;
        let t = s.time_h;
        let f = &mut out.fleet;
        f.facility_mw.push(t, s.facility);
        f.it_mw.push(t, s.it);
        f.grid_mw.push(t, s.grid);
        f.chips_online.push(t, s.online);
        f.chips_healthy.push(t, s.healthy);
        f.chips_down.push(t, s.down);
        if let Some(tr) = out.training.as_mut() {
            self.kept += s.flops - s.flops_lost;
            self.lost += s.flops_lost;
            tr.chips.push(t, s.training_chips);
            tr.running.push(t, s.running);
            tr.waiting.push(t, s.waiting);
            tr.queued.push(t, s.queued);
            tr.work_kept_flop.push(t, self.kept);
            tr.work_lost_flop.push(t, self.lost);
        }
    }
}

/// Streams `timeseries.csv` into reduced series and monthly sums.
fn read_timeseries(file: File, calendar: RunCalendar) -> io::Result<SeriesData> {
    let mut rdr = reader(file);
    let header = rdr.byte_headers().map_err(csv_error)?.clone();
    check_byte_header("timeseries.csv", &header)?;
    let at = positions(&header);
    let columns = SampleColumns::find(|name| at.get(name.as_bytes()).copied());
    let mut reducer = TimeseriesReducer::new(calendar, columns.has_training());
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).map_err(csv_error)? {
        let values = columns.values(|c| number(&record, c));
        let name = columns.site().and_then(|c| record.get(c)).unwrap_or(b"");
        reducer.add(name, &values);
    }
    Ok(reducer.finish())
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

impl EttrHistogram {
    /// A histogram of no jobs yet.
    pub(super) fn empty() -> Self {
        EttrHistogram {
            counts: vec![0; ETTR_BINS],
            ..EttrHistogram::default()
        }
    }

    /// Counts a job whose ETTR is `ettr` (NaN: it never started); `sum`
    /// gathers the ETTRs for the mean.
    pub(super) fn add(&mut self, ettr: f64, sum: &mut f64) {
        if ettr.is_finite() {
            let bin = ((ettr * ETTR_BINS as f64).floor().max(0.0) as usize).min(ETTR_BINS - 1);
            self.counts[bin] += 1;
            self.started += 1;
            *sum += ettr;
        } else {
            self.never_started += 1;
        }
    }

    /// Sets the mean from the sum of the ETTRs added.
    pub(super) fn finish(&mut self, sum: f64) {
        if self.started > 0 {
            self.mean = sum / self.started as f64;
        }
    }
}

/// The ETTR histogram of `jobs.csv`.
fn read_ettr(file: File) -> io::Result<EttrHistogram> {
    let mut rdr = reader(file);
    let header = rdr.byte_headers().map_err(csv_error)?.clone();
    check_byte_header("jobs.csv", &header)?;
    let c_ettr = header.iter().position(|h| h == jobs::ETTR.as_bytes());
    let mut h = EttrHistogram::empty();
    let mut sum = 0.0;
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).map_err(csv_error)? {
        h.add(number(&record, c_ettr), &mut sum);
    }
    h.finish(sum);
    Ok(h)
}

/// The columns of `services.csv` the charts read, as handles like
/// [`SampleColumns`]'.
pub(super) struct ServiceColumns<C> {
    time: Option<C>,
    service: Option<C>,
    demand: Option<C>,
    served: Option<C>,
    chips: Option<C>,
    ttft: Option<C>,
    tpot: Option<C>,
}

impl<C: Copy> ServiceColumns<C> {
    /// The columns, each found by its name with `col`.
    pub(super) fn find(col: impl Fn(&str) -> Option<C>) -> Self {
        ServiceColumns {
            time: col(services::TIME_H),
            service: col(services::SERVICE),
            demand: col(services::DEMAND_RPS),
            served: col(services::SERVED_RPS),
            chips: col(services::CHIPS),
            ttft: col(services::TTFT_P99_S),
            tpot: col(services::TPOT_P99_S),
        }
    }

    /// The service column.
    pub(super) fn service(&self) -> Option<C> {
        self.service
    }

    /// Time, chips, demand, served, TTFT p99 and TPOT p99 of one row,
    /// `number` reading a column of it.
    pub(super) fn values(&self, mut number: impl FnMut(Option<C>) -> f64) -> [f64; 6] {
        [
            number(self.time),
            number(self.chips),
            number(self.demand),
            number(self.served),
            number(self.ttft),
            number(self.tpot),
        ]
    }
}

/// Reduces the rows of `services.csv`, in the file's order.
pub(super) struct ServicesReducer {
    calendar: RunCalendar,
    out: Services,
    index: HashMap<Box<[u8]>, usize>,
    /// The service of the last row.
    last: usize,
    time: f64,
    chips: f64,
    rows: usize,
}

impl ServicesReducer {
    /// A reducer over the run of `calendar`.
    pub(super) fn new(calendar: RunCalendar) -> Self {
        ServicesReducer {
            calendar,
            out: Services {
                list: Vec::new(),
                count: 0,
                chips: MinMaxSeries::new(0.0, calendar.hours(), COLUMNS),
            },
            index: HashMap::new(),
            last: usize::MAX,
            time: f64::NAN,
            chips: 0.0,
            rows: 0,
        }
    }

    /// Adds the next row: the service named `name`, its
    /// [`ServiceColumns::values`].
    pub(super) fn add(&mut self, name: &[u8], values: [f64; 6]) {
        let [t, chips, demand, served, ttft, tpot] = values;
        let out = &mut self.out;
        if self.rows > 0 && t != self.time {
            out.chips.push(self.time, self.chips);
            self.chips = 0.0;
        }
        self.time = t;
        self.rows += 1;
        self.chips += or_zero(chips);
        // The services: rows come in the same order at every interval, so
        // the one after the last is checked first, without a hash.
        let next = self.last.wrapping_add(1) % out.count.max(1);
        let expected = match out.list.get(next) {
            Some(s) => out.count > 0 && s.name.as_bytes() == name,
            None => out.count > 0 && self.index.get(name) == Some(&next),
        };
        let known = if expected {
            Some(next)
        } else {
            self.index.get(name).copied()
        };
        let i = match known {
            Some(i) => i,
            None => {
                let i = out.count;
                self.index.insert(name.into(), i);
                out.count += 1;
                if i < MAX_SERVICES {
                    let series = || MinMaxSeries::new(0.0, self.calendar.hours(), COLUMNS);
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
        self.last = i;
        if let Some(s) = out.list.get_mut(i) {
            s.demand_rps.push(t, demand);
            s.served_rps.push(t, served);
            if ttft > 0.0 {
                s.ttft_p99_s.push(t, ttft);
            }
            if tpot > 0.0 {
                s.tpot_p99_s.push(t, tpot);
            }
        }
    }

    /// The services of every row added.
    pub(super) fn finish(mut self) -> Services {
        if self.rows > 0 {
            self.out.chips.push(self.time, self.chips);
        }
        self.out
    }
}

/// The services of `services.csv`.
fn read_services(file: File, calendar: RunCalendar) -> io::Result<Services> {
    let mut rdr = reader(file);
    let header = rdr.byte_headers().map_err(csv_error)?.clone();
    check_byte_header("services.csv", &header)?;
    let at = positions(&header);
    let columns = ServiceColumns::find(|name| at.get(name.as_bytes()).copied());
    let mut reducer = ServicesReducer::new(calendar);
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).map_err(csv_error)? {
        let values = columns.values(|c| number(&record, c));
        let name = columns.service().and_then(|c| record.get(c)).unwrap_or(b"");
        reducer.add(name, values);
    }
    Ok(reducer.finish())
}
