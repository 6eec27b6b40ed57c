//! A recorder that keeps every row in memory, for tests and for callers that
//! post-process a run themselves.

use crate::record::{
    BuildoutRow, ContractMonthRow, ContractRow, FailureRow, JobRow, MaintenanceRow, MonthlyRow,
    Recorder, Rows, SampleRow, ServiceRow, ServiceSummaryRow, SummaryRow, WindowRequestRow,
    WindowRow,
};

/// Every row of a run, in the order recorded; the summary once the run
/// has finished.
pub type MemoryRecorder = Rows<Option<SummaryRow>>;

impl Recorder for MemoryRecorder {
    fn sample(&mut self, row: &SampleRow) {
        self.samples.push(row.clone());
    }
    fn failure(&mut self, row: &FailureRow) {
        self.failures.push(row.clone());
    }
    fn buildout(&mut self, row: &BuildoutRow) {
        self.buildout.push(row.clone());
    }
    fn job(&mut self, row: &JobRow) {
        self.jobs.push(row.clone());
    }
    fn service(&mut self, row: &ServiceRow) {
        self.services.push(row.clone());
    }
    fn service_summary(&mut self, row: &ServiceSummaryRow) {
        self.service_summaries.push(row.clone());
    }
    fn window(&mut self, row: &WindowRow) {
        self.windows.push(row.clone());
    }
    fn maintenance(&mut self, row: &MaintenanceRow) {
        self.maintenance.push(row.clone());
    }
    fn window_request(&mut self, row: &WindowRequestRow) {
        self.window_requests.push(row.clone());
    }
    fn monthly(&mut self, row: &MonthlyRow) {
        self.monthly.push(row.clone());
    }
    fn contract_month(&mut self, row: &ContractMonthRow) {
        self.contract_months.push(row.clone());
    }
    fn contract(&mut self, row: &ContractRow) {
        self.contracts.push(row.clone());
    }
    fn summary(&mut self, row: &SummaryRow) {
        self.summary = Some(row.clone());
    }
}
