//! Two recorders fed the same rows: the CSV files and, beside them, the
//! charts' data ([`crate::output::charts::recorded`]) of one run.

use crate::record::{
    BuildoutRow, ContractMonthRow, ContractRow, FailureRow, JobRow, MaintenanceRow, MonthlyRow,
    Recorder, SampleRow, ServiceRow, ServiceSummaryRow, SummaryRow, WindowRequestRow, WindowRow,
};

/// Hands every row to `.0`, then to `.1`.
pub struct Tee<A, B>(pub A, pub B);

/// Forwards each named method of [`Recorder`] to both recorders.
macro_rules! both {
    ($($method:ident: $row:ty),* $(,)?) => {
        $(
            fn $method(&mut self, row: &$row) {
                self.0.$method(row);
                self.1.$method(row);
            }
        )*
    };
}

impl<A: Recorder, B: Recorder> Recorder for Tee<A, B> {
    both! {
        sample: SampleRow,
        failure: FailureRow,
        buildout: BuildoutRow,
        job: JobRow,
        service: ServiceRow,
        maintenance: MaintenanceRow,
        window: WindowRow,
        window_request: WindowRequestRow,
        service_summary: ServiceSummaryRow,
        monthly: MonthlyRow,
        contract_month: ContractMonthRow,
        contract: ContractRow,
        summary: SummaryRow,
    }
}

/// A recorder that may be absent: its rows go nowhere then.
impl<R: Recorder> Recorder for Option<R> {
    fn sample(&mut self, row: &SampleRow) {
        if let Some(r) = self {
            r.sample(row);
        }
    }
    fn failure(&mut self, row: &FailureRow) {
        if let Some(r) = self {
            r.failure(row);
        }
    }
    fn buildout(&mut self, row: &BuildoutRow) {
        if let Some(r) = self {
            r.buildout(row);
        }
    }
    fn job(&mut self, row: &JobRow) {
        if let Some(r) = self {
            r.job(row);
        }
    }
    fn service(&mut self, row: &ServiceRow) {
        if let Some(r) = self {
            r.service(row);
        }
    }
    fn maintenance(&mut self, row: &MaintenanceRow) {
        if let Some(r) = self {
            r.maintenance(row);
        }
    }
    fn window(&mut self, row: &WindowRow) {
        if let Some(r) = self {
            r.window(row);
        }
    }
    fn window_request(&mut self, row: &WindowRequestRow) {
        if let Some(r) = self {
            r.window_request(row);
        }
    }
    fn service_summary(&mut self, row: &ServiceSummaryRow) {
        if let Some(r) = self {
            r.service_summary(row);
        }
    }
    fn monthly(&mut self, row: &MonthlyRow) {
        if let Some(r) = self {
            r.monthly(row);
        }
    }
    fn contract_month(&mut self, row: &ContractMonthRow) {
        if let Some(r) = self {
            r.contract_month(row);
        }
    }
    fn contract(&mut self, row: &ContractRow) {
        if let Some(r) = self {
            r.contract(row);
        }
    }
    fn summary(&mut self, row: &SummaryRow) {
        if let Some(r) = self {
            r.summary(row);
        }
    }
}
