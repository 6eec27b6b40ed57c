//! The charts' and the report's data ([`RunData`]) gathered from the run's
//! typed rows as they are recorded, beside the CSV files rather than read
//! back from them.
//!
//! Each value is taken through its column of the schema
//! ([`FieldReader`]): written with the column's decimals and notation and
//! read as the file's reader reads it, so the data, and every chart and
//! report byte drawn from it, are what reading the files back gives. The
//! rows go through the same reducers as the files' (`TimeseriesReducer`,
//! `ServicesReducer`, [`EttrHistogram`]) in the same order, so sums add up
//! in the same order too.
//!
//! The series are reduced as the rows come, over the run's calendar, which
//! the caller gives up front (the scenario's start and length). The
//! summary, last, says the calendar the files would give; if it differs
//! (a length the summary's three decimals round), [`RunDataRecorder::finish`]
//! gives nothing and the caller reads the files back
//! ([`RunData::read`]).

use super::calendar::RunCalendar;
use super::data::{
    CsvTable, EttrHistogram, MAX_TABLE_ROWS, RunData, SampleColumns, ServiceColumns,
    ServicesReducer, TimeseriesReducer, calendar_of,
};
use crate::output::csv::{
    BUILDOUT_COLUMNS, CONTRACT_COLUMNS, CONTRACT_MONTH_COLUMNS, Column, Columns, FieldReader, Line,
    MonthlyLayout, jobs,
};
use crate::record::{
    BuildoutRow, ContractMonthRow, ContractRow, FailureRow, JobRow, MonthlyRow, Recorder,
    SampleRow, ServiceRow, SummaryRow,
};

/// Gathers a run's [`RunData`] from its rows (see the module's docs).
pub struct RunDataRecorder {
    calendar: RunCalendar,
    /// Reads values through their columns.
    reader: FieldReader,
    /// The fields of a row of a table kept whole.
    line: Line,
    sample_columns: SampleColumns<&'static Column<SampleRow>>,
    series: TimeseriesReducer,
    ettr_column: Option<&'static Column<JobRow>>,
    /// The ETTR histogram and the sum of the ETTRs, from the first job.
    ettr: Option<(EttrHistogram, f64)>,
    service_columns: ServiceColumns<&'static Column<ServiceRow>>,
    /// The services, from the first service row.
    services: Option<ServicesReducer>,
    summary_parts: Vec<&'static [Column<SummaryRow>]>,
    summary: CsvTable,
    buildout: CsvTable,
    /// `monthly.csv`'s layout and rows, from the first month.
    monthly: Option<(MonthlyLayout, CsvTable)>,
    contracts: Option<CsvTable>,
    contracts_monthly: Option<CsvTable>,
}

/// The column named `name` among `parts`.
fn find<R>(parts: &[&'static [Column<R>]], name: &str) -> Option<&'static Column<R>> {
    parts.iter().flat_map(|p| p.iter()).find(|c| c.name == name)
}

/// An empty table of the columns of `parts`.
fn table<R>(parts: &[&'static [Column<R>]]) -> CsvTable {
    CsvTable {
        header: parts
            .iter()
            .flat_map(|p| p.iter())
            .map(|c| c.name.to_string())
            .collect(),
        ..CsvTable::default()
    }
}

/// Adds the row `put` writes to `table` (up to [`MAX_TABLE_ROWS`] rows),
/// its fields as the file's reader gives them back.
fn push(table: &mut CsvTable, line: &mut Line, put: impl FnOnce(&mut Line)) {
    if table.rows.len() < MAX_TABLE_ROWS {
        line.clear();
        put(line);
        table.rows.push(line.field_strings());
    } else {
        table.rows_left_out += 1;
    }
}

/// Writes the fields of `row` in the columns of `parts`, in order.
fn put_parts<R>(parts: &[&'static [Column<R>]], row: &R, line: &mut Line) {
    for c in parts.iter().flat_map(|p| p.iter()) {
        (c.put)(row, line);
    }
}

impl RunDataRecorder {
    /// A recorder for a run over `calendar` (its start date and length
    /// \[h\]) whose files have the optional columns `columns`.
    pub fn new(calendar: RunCalendar, columns: Columns) -> RunDataRecorder {
        let sample_parts = columns.sample_parts();
        let sample_columns = SampleColumns::find(|name| find(&sample_parts, name));
        let series = TimeseriesReducer::new(calendar, sample_columns.has_training());
        let summary_parts = columns.summary_parts();
        RunDataRecorder {
            calendar,
            reader: FieldReader::default(),
            line: Line::unquoted(),
            sample_columns,
            series,
            ettr_column: find(&columns.job_parts(), jobs::ETTR),
            ettr: None,
            service_columns: ServiceColumns::find(|name| find(columns.service_parts(), name)),
            services: None,
            summary: table(&summary_parts),
            summary_parts,
            buildout: table(&[BUILDOUT_COLUMNS]),
            monthly: None,
            contracts: None,
            contracts_monthly: None,
        }
    }

    /// A recorder for the run `run` (the scenario's start and length).
    pub fn for_run(run: &crate::run::RunConfig, columns: Columns) -> RunDataRecorder {
        let calendar = RunCalendar::new(run.calendar.start(), run.end.hours());
        RunDataRecorder::new(calendar, columns)
    }

    /// The run's data, once its summary is recorded; `None` when the
    /// summary gives another calendar than the one the series were
    /// reduced over (then read the files back: [`RunData::read`]).
    pub fn finish(self) -> Option<RunData> {
        if calendar_of(&self.summary) != Some(self.calendar) {
            return None;
        }
        let ettr = self.ettr.map(|(mut h, sum)| {
            h.finish(sum);
            h
        });
        Some(RunData::assemble(
            self.summary,
            self.calendar,
            self.series.finish(),
            ettr,
            self.services.map(ServicesReducer::finish),
            [
                self.monthly.map(|(_, t)| t),
                self.contracts,
                self.contracts_monthly,
            ],
            self.buildout,
        ))
    }
}

impl Recorder for RunDataRecorder {
    fn sample(&mut self, row: &SampleRow) {
        let reader = &mut self.reader;
        let columns = &self.sample_columns;
        let values = columns.values(|c| c.map_or(f64::NAN, |c| reader.number(c, row)));
        let name = columns.site().map_or(&b""[..], |c| reader.text(c, row));
        self.series.add(name, &values);
    }

    fn failure(&mut self, _row: &FailureRow) {}

    fn buildout(&mut self, row: &BuildoutRow) {
        push(&mut self.buildout, &mut self.line, |l| {
            put_parts(&[BUILDOUT_COLUMNS], row, l)
        });
    }

    fn job(&mut self, row: &JobRow) {
        let ettr = self
            .ettr_column
            .map_or(f64::NAN, |c| self.reader.number(c, row));
        let (h, sum) = self
            .ettr
            .get_or_insert_with(|| (EttrHistogram::empty(), 0.0));
        h.add(ettr, sum);
    }

    fn service(&mut self, row: &ServiceRow) {
        let reader = &mut self.reader;
        let columns = &self.service_columns;
        let values = columns.values(|c| c.map_or(f64::NAN, |c| reader.number(c, row)));
        let services = self
            .services
            .get_or_insert_with(|| ServicesReducer::new(self.calendar));
        let name = columns.service().map_or(&b""[..], |c| reader.text(c, row));
        services.add(name, values);
    }

    fn monthly(&mut self, row: &MonthlyRow) {
        let (layout, table) = self.monthly.get_or_insert_with(|| {
            let layout = MonthlyLayout::of(row);
            let table = CsvTable {
                header: layout.header.clone(),
                ..CsvTable::default()
            };
            (layout, table)
        });
        push(table, &mut self.line, |l| layout.put(row, l));
    }

    fn contract_month(&mut self, row: &ContractMonthRow) {
        let table = self
            .contracts_monthly
            .get_or_insert_with(|| table(&[CONTRACT_MONTH_COLUMNS]));
        push(table, &mut self.line, |l| {
            put_parts(&[CONTRACT_MONTH_COLUMNS], row, l)
        });
    }

    fn contract(&mut self, row: &ContractRow) {
        let table = self
            .contracts
            .get_or_insert_with(|| table(&[CONTRACT_COLUMNS]));
        push(table, &mut self.line, |l| {
            put_parts(&[CONTRACT_COLUMNS], row, l)
        });
    }

    fn summary(&mut self, row: &SummaryRow) {
        let parts = &self.summary_parts;
        push(&mut self.summary, &mut self.line, |l| {
            put_parts(parts, row, l)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::csv::CsvRecorder;
    use crate::output::tee::Tee;
    use crate::scenario::{Overrides, ScenarioText};

    #[test]
    fn the_data_gathered_from_the_rows_are_what_the_files_give() {
        // The default scenario writes every file the charts read: jobs,
        // services, monthly books and contracts.
        let scenario = ScenarioText::builtin_default()
            .load(&Overrides::default())
            .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let columns = Columns::for_scenario(&scenario);
        let csv = CsvRecorder::create_with(&tmp.path().join("run"), false, columns).unwrap();
        let own = RunDataRecorder::for_run(&scenario.run, columns);
        let start = scenario.run.calendar.start();
        let longer = RunCalendar::new(start, scenario.run.end.hours() + 1.0);
        let other = RunDataRecorder::new(longer, columns);
        let (Tee(csv, Tee(own, other)), _) =
            crate::sim::run(&scenario, Tee(csv, Tee(own, other)), &mut |_| {});
        let read = csv.close().unwrap().read_back().unwrap();
        let gathered = own
            .finish()
            .expect("the summary's calendar is the scenario's");
        assert!(gathered.training.as_ref().is_some_and(|t| t.ettr.is_some()));
        assert!(gathered.services.is_some() && gathered.monthly.is_some());
        assert!(gathered.contracts.is_some() && gathered.contracts_monthly.is_some());
        // Every number to the bit (Debug writes the shortest text that
        // reads back as the same f64).
        assert_eq!(format!("{gathered:?}"), format!("{read:?}"));
        assert!(
            other.finish().is_none(),
            "series reduced over another calendar than the summary's are not used"
        );
    }
}
