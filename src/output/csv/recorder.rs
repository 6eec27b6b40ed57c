//! The [`CsvRecorder`]: which tables a run writes and how each record
//! reaches its file.

use super::*;

/// Which optional columns `timeseries.csv` and `summary.csv` carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// The training columns ([`TRAINING_SAMPLE_COLUMNS`],
    /// [`TRAINING_SUMMARY_COLUMNS`]): a scenario with jobs.
    pub training: bool,
    /// The economics columns of the summary
    /// ([`ECONOMICS_SUMMARY_COLUMNS`]): a scenario with `[economics]`.
    pub economics: bool,
    /// The opex lines' columns ([`OPEX_LINES_SUMMARY_COLUMNS`]): a
    /// scenario naming any.
    pub opex_lines: bool,
    /// The after-tax columns ([`TAX_SUMMARY_COLUMNS`]): `[economics.tax]`.
    pub tax: bool,
    /// The terminal-value columns ([`TERMINAL_SUMMARY_COLUMNS`]): a
    /// treatment other than none.
    pub terminal: bool,
    /// The retirement columns ([`RETIREMENT_SUMMARY_COLUMNS`]):
    /// `write_off_at_retirement`.
    pub retirement: bool,
    /// The maintenance columns of `jobs.csv` ([`JOB_MAINTENANCE_COLUMNS`]),
    /// `services.csv` ([`SERVICE_MAINTENANCE_COLUMNS`]) and
    /// `service_summary.csv` ([`SERVICE_SUMMARY_MAINTENANCE_COLUMNS`]): a
    /// scenario with `[[maintenance]]`.
    pub maintenance: bool,
    /// The prefill pools' columns of `services.csv`
    /// ([`SERVICE_PREFILL_COLUMNS`]): a scenario with a service of separate
    /// prefill and decode pools.
    pub prefill_pools: bool,
}

impl Columns {
    #[cfg(test)]
    /// The physical world's columns only.
    pub const PHYSICAL: Columns = Columns {
        training: false,
        economics: false,
        opex_lines: false,
        tax: false,
        terminal: false,
        retirement: false,
        maintenance: false,
        prefill_pools: false,
    };

    #[cfg(test)]
    /// The columns for a scenario with `jobs` training jobs and no books.
    pub fn for_jobs(jobs: usize) -> Columns {
        Columns {
            training: jobs > 0,
            ..Columns::PHYSICAL
        }
    }

    /// The parts of `timeseries.csv`'s columns, in order.
    pub fn sample_parts(self) -> Vec<&'static [Column<SampleRow>]> {
        let mut parts = vec![SAMPLE_COLUMNS];
        if self.training {
            parts.push(TRAINING_SAMPLE_COLUMNS);
        }
        if self.maintenance {
            parts.push(MAINTENANCE_SAMPLE_COLUMNS);
        }
        parts
    }

    /// The parts of `summary.csv`'s columns, in order.
    pub fn summary_parts(self) -> Vec<&'static [Column<SummaryRow>]> {
        let mut parts = vec![SUMMARY_COLUMNS];
        for (wanted, part) in [
            (self.training, TRAINING_SUMMARY_COLUMNS),
            (self.economics, ECONOMICS_SUMMARY_COLUMNS),
            (self.opex_lines, OPEX_LINES_SUMMARY_COLUMNS),
            (self.tax, TAX_SUMMARY_COLUMNS),
            (self.terminal, TERMINAL_SUMMARY_COLUMNS),
            (self.retirement, RETIREMENT_SUMMARY_COLUMNS),
        ] {
            if wanted {
                parts.push(part);
            }
        }
        parts
    }

    /// The parts of `jobs.csv`'s columns, in order.
    pub fn job_parts(self) -> Vec<&'static [Column<JobRow>]> {
        if self.maintenance {
            vec![JOB_COLUMNS, JOB_MAINTENANCE_COLUMNS]
        } else {
            vec![JOB_COLUMNS]
        }
    }

    /// The parts of `services.csv`'s columns, in order.
    pub fn service_parts(self) -> &'static [&'static [Column<ServiceRow>]] {
        match (self.maintenance, self.prefill_pools) {
            (true, true) => &[
                SERVICE_COLUMNS,
                SERVICE_MAINTENANCE_COLUMNS,
                SERVICE_PREFILL_COLUMNS,
            ],
            (true, false) => &[SERVICE_COLUMNS, SERVICE_MAINTENANCE_COLUMNS],
            (false, true) => &[SERVICE_COLUMNS, SERVICE_PREFILL_COLUMNS],
            (false, false) => &[SERVICE_COLUMNS],
        }
    }

    /// The columns `scenario` fills.
    pub fn for_scenario(scenario: &crate::scenario::Scenario) -> Columns {
        let e = scenario.economics.as_ref();
        Columns {
            training: !scenario.training.jobs.is_empty(),
            economics: e.is_some(),
            opex_lines: e.is_some_and(|e| e.opex_lines.any()),
            tax: e.is_some_and(|e| e.tax.is_some()),
            terminal: e
                .is_some_and(|e| !matches!(e.terminal, crate::economics::residual::Terminal::None)),
            retirement: e.is_some_and(|e| e.capex.write_off_at_retirement),
            maintenance: !scenario.world.maintenance.is_empty(),
            prefill_pools: scenario
                .serving
                .services
                .iter()
                .any(|s| s.prefill_pool.is_some()),
        }
    }
}

/// Writes `timeseries.csv`, `capacity.csv`, `buildout.csv`, `summary.csv`
/// and `summary.json`, `failures.csv` when asked, the workloads' files when
/// the scenario has workloads, as one [`OutputSet`]: the files are written
/// in a staging folder and appear in the target folder together, replacing
/// the previous run's set, only when [`CsvRecorder::finish`] (or the
/// [`StagedRun`] of [`CsvRecorder::close`]) commits them. Dropping the
/// recorder without finishing removes the staging folder and leaves the
/// target as it was. It writes rows only: the charts and `report.html` are
/// a later stage ([`StagedRun::draw_report`]).
pub struct CsvRecorder {
    set: OutputSet,
    timeseries: Table<SampleRow>,
    /// `capacity.csv`, written from the sample rows.
    capacity: CapacityTable,
    failures: Option<Table<FailureRow>>,
    buildout: Table<BuildoutRow>,
    /// `jobs.csv`, opened at the first job row (scenarios with jobs only).
    jobs: Option<Table<JobRow>>,
    /// `services.csv`, opened at the first service row.
    services: Option<Table<ServiceRow>>,
    /// `service_summary.csv`, opened at the first service's summary.
    service_summary: Option<Table<ServiceSummaryRow>>,
    /// `request_windows.csv`, opened at the first window.
    windows: Option<Table<WindowRow>>,
    /// `maintenance.csv`, opened at the first maintenance window.
    maintenance: Option<Table<MaintenanceRow>>,
    /// The optional columns the files have.
    columns: Columns,
    /// `requests.csv`, opened at the first request of a window.
    window_requests: Option<Table<WindowRequestRow>>,
    /// `monthly.csv`, opened at the first month (its columns depend on the
    /// contracts).
    monthly: Option<MonthlyTable>,
    /// `contracts_monthly.csv`, opened at the first row.
    contracts_monthly: Option<Table<ContractMonthRow>>,
    /// `contracts.csv`, opened at the first contract.
    contracts: Option<Table<ContractRow>>,
    summary: Table<SummaryRow>,
    /// The summary row, for `summary.json`.
    summary_row: Option<SummaryRow>,
    /// Files the caller attached whole ([`CsvRecorder::attach`]).
    attached: Vec<Sink>,
    /// The first write error: the file's name and the error.
    error: Option<(&'static str, io::Error)>,
}

impl CsvRecorder {
    #[cfg(test)]
    /// Prepares the set for the folder `dir` (created with its parents when
    /// the set is committed) and opens the files in its staging folder,
    /// with the physical columns only.
    pub fn create(dir: &Path, failures_log: bool) -> Result<CsvRecorder, OutputError> {
        CsvRecorder::create_with(dir, failures_log, Columns::PHYSICAL)
    }

    /// As [`CsvRecorder::create`], with the columns `columns` asks for.
    pub fn create_with(
        dir: &Path,
        failures_log: bool,
        columns: Columns,
    ) -> Result<CsvRecorder, OutputError> {
        let sample_parts = columns.sample_parts();
        let summary_parts = columns.summary_parts();
        let mut set = OutputSet::create(dir)?;
        let timeseries = Table::open_parts(&mut set, "timeseries.csv", sample_parts)?;
        let capacity = CapacityTable::open(&mut set)?;
        let failures = if failures_log {
            Some(Table::open(&mut set, "failures.csv", FAILURE_COLUMNS)?)
        } else {
            None
        };
        let buildout = Table::open(&mut set, "buildout.csv", BUILDOUT_COLUMNS)?;
        let summary = Table::open_parts(&mut set, "summary.csv", summary_parts)?;
        Ok(CsvRecorder {
            set,
            timeseries,
            capacity,
            failures,
            buildout,
            jobs: None,
            services: None,
            service_summary: None,
            windows: None,
            maintenance: None,
            columns,
            window_requests: None,
            monthly: None,
            contracts_monthly: None,
            contracts: None,
            summary,
            summary_row: None,
            attached: Vec::new(),
            error: None,
        })
    }

    /// Adds the file `name` (one of [`crate::output::set::DCSIM_FILES`]) holding
    /// `bytes` to the set: it appears with the run's CSV files or not at
    /// all (a sweep's `run.json`).
    pub fn attach(&mut self, name: &'static str, bytes: &[u8]) -> Result<(), OutputError> {
        let sink = Sink::with_bytes(&mut self.set, name, bytes)?;
        self.attached.push(sink);
        Ok(())
    }

    /// Writes out every file and swaps the set into the target folder:
    /// [`CsvRecorder::close`], then [`StagedRun::commit`]. Returns the
    /// final paths, or the first error met during the run (naming the
    /// file), in which case the target is left as it was.
    pub fn finish(self) -> Result<Vec<PathBuf>, OutputError> {
        self.close()?.commit()
    }

    /// Flushes and syncs the CSV files, writes `summary.json` from the
    /// summary row, and hands the staged set on (for the charts and
    /// `report.html`, then the commit). Returns the first error met during
    /// the run (naming the file) instead, in which case the target is left
    /// as it was.
    pub fn close(mut self) -> Result<StagedRun, OutputError> {
        if let Some((name, e)) = self.error.take() {
            return Err(self.set.write_error(name, e));
        }
        let CsvRecorder {
            set,
            timeseries,
            capacity,
            failures,
            buildout,
            jobs,
            services,
            service_summary,
            windows,
            maintenance,
            columns: _,
            window_requests,
            monthly,
            contracts_monthly,
            contracts,
            summary,
            summary_row: _,
            attached,
            error: _,
        } = &mut self;
        let mut sinks: Vec<&mut Sink> = vec![&mut timeseries.sink, &mut capacity.sink];
        sinks.extend(failures.as_mut().map(|t| &mut t.sink));
        sinks.push(&mut buildout.sink);
        sinks.extend(jobs.as_mut().map(|t| &mut t.sink));
        sinks.extend(services.as_mut().map(|t| &mut t.sink));
        sinks.extend(service_summary.as_mut().map(|t| &mut t.sink));
        sinks.extend(windows.as_mut().map(|t| &mut t.sink));
        sinks.extend(maintenance.as_mut().map(|t| &mut t.sink));
        sinks.extend(window_requests.as_mut().map(|t| &mut t.sink));
        sinks.extend(monthly.as_mut().map(|t| &mut t.sink));
        sinks.extend(contracts_monthly.as_mut().map(|t| &mut t.sink));
        sinks.extend(contracts.as_mut().map(|t| &mut t.sink));
        sinks.push(&mut summary.sink);
        sinks.extend(attached.iter_mut());
        close_all(set, sinks)?;

        let json =
            crate::output::json::summary_json(self.summary.columns(), self.summary_row.as_ref());
        self.set.write_files(&[("summary.json", json.as_bytes())])?;
        Ok(StagedRun::new(self.set))
    }

    fn keep(&mut self, name: &'static str, result: io::Result<()>) {
        if let Err(e) = result {
            self.error = Some((name, e));
        }
    }
}

/// Writes a row to an optional table of a [`CsvRecorder`], opening it at
/// its first row, unless an earlier write failed; a failure is kept for
/// [`CsvRecorder::finish`] to report.
macro_rules! lazy {
    ($self:ident, $field:ident, $name:literal, $columns:expr, $row:expr) => {
        if $self.error.is_none() {
            let result = lazy_row(&mut $self.set, &mut $self.$field, $name, $columns, $row);
            $self.keep($name, result);
        }
    };
}

impl Recorder for CsvRecorder {
    fn sample(&mut self, r: &SampleRow) {
        if self.error.is_none() {
            let result = self.timeseries.row(r);
            self.keep("timeseries.csv", result);
        }
        if self.error.is_none() {
            let result = self.capacity.rows(r);
            self.keep("capacity.csv", result);
        }
    }

    fn failure(&mut self, r: &FailureRow) {
        if self.error.is_none()
            && let Some(t) = self.failures.as_mut()
        {
            let result = t.row(r);
            self.keep("failures.csv", result);
        }
    }

    fn buildout(&mut self, r: &BuildoutRow) {
        if self.error.is_none() {
            let result = self.buildout.row(r);
            self.keep("buildout.csv", result);
        }
    }

    fn job(&mut self, r: &JobRow) {
        if self.error.is_some() {
            return;
        }
        if self.jobs.is_none() {
            match Table::open_parts(&mut self.set, "jobs.csv", self.columns.job_parts()) {
                Ok(t) => self.jobs = Some(t),
                Err(e) => {
                    let result = Err(io::Error::other(e.to_string()));
                    self.keep("jobs.csv", result);
                    return;
                }
            }
        }
        let result = self.jobs.as_mut().expect("opened above").row(r);
        self.keep("jobs.csv", result);
    }

    fn maintenance(&mut self, r: &MaintenanceRow) {
        lazy!(self, maintenance, "maintenance.csv", MAINTENANCE_COLUMNS, r);
    }

    fn service(&mut self, r: &ServiceRow) {
        if self.error.is_none() {
            let parts = self.columns.service_parts();
            let result = lazy_parts(&mut self.set, &mut self.services, "services.csv", parts, r);
            self.keep("services.csv", result);
        }
    }

    fn service_summary(&mut self, r: &ServiceSummaryRow) {
        if self.error.is_none() {
            let parts: &[_] = if self.columns.maintenance {
                &[SERVICE_SUMMARY_COLUMNS, SERVICE_SUMMARY_MAINTENANCE_COLUMNS]
            } else {
                &[SERVICE_SUMMARY_COLUMNS]
            };
            let name = "service_summary.csv";
            let result = lazy_parts(&mut self.set, &mut self.service_summary, name, parts, r);
            self.keep(name, result);
        }
    }

    fn window(&mut self, r: &WindowRow) {
        lazy!(self, windows, "request_windows.csv", WINDOW_COLUMNS, r);
    }

    fn window_request(&mut self, r: &WindowRequestRow) {
        lazy!(
            self,
            window_requests,
            "requests.csv",
            WINDOW_REQUEST_COLUMNS,
            r
        );
    }

    fn monthly(&mut self, r: &MonthlyRow) {
        if self.error.is_some() {
            return;
        }
        if self.monthly.is_none() {
            match MonthlyTable::open(&mut self.set, r) {
                Ok(t) => self.monthly = Some(t),
                Err(e) => {
                    self.keep("monthly.csv", Err(io::Error::other(e.to_string())));
                    return;
                }
            }
        }
        let result = self.monthly.as_mut().expect("opened above").row(r);
        self.keep("monthly.csv", result);
    }

    fn contract_month(&mut self, r: &ContractMonthRow) {
        lazy!(
            self,
            contracts_monthly,
            "contracts_monthly.csv",
            CONTRACT_MONTH_COLUMNS,
            r
        );
    }

    fn contract(&mut self, r: &ContractRow) {
        lazy!(self, contracts, "contracts.csv", CONTRACT_COLUMNS, r);
    }

    fn summary(&mut self, r: &SummaryRow) {
        self.summary_row = Some(r.clone());
        if self.error.is_none() {
            let result = self.summary.row(r);
            self.keep("summary.csv", result);
        }
    }
}
