//! Streams rows to CSV files.
//!
//! Each file's columns are one list of [`Column`]s — a header name and the
//! function that writes a row's value — so the header and the rows cannot
//! drift apart. Rows are written field by field into one reused line buffer:
//! no string is built per field or per row.
//!
//! Numbers are written with a fixed number of decimals per unit (6 for MW,
//! MWh and tCO2e, 2 for USD), so the same run always gives the same bytes;
//! text fields are quoted exactly as the `csv` crate quotes them (only when
//! they hold a comma, a quote or a line break).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::charts::data::RunData;
use super::report::ReportInputs;
use super::set::{OutputError, OutputSet};
use crate::record::{
    BuildoutRow, ContractMonthRow, ContractRow, EconomicsSummary, FailureRow, JobRow,
    MaintenanceRow, MonthlyRow, RackSample, Recorder, SampleRow, ServiceRow, ServiceSummaryRow,
    SummaryRow, TrainingSample, TrainingSummary, WindowRequestRow, WindowRow,
};
use crate::workload::serving::requests::{RequestRow, ServeSummary};

/// Bytes gathered before they are handed to the file.
const FLUSH_AT: usize = 128 * 1024;

/// A [`Column`]: `col!("name", |r, l| ...)` for a number,
/// `col!("name", Text, |r, l| ...)` for text.
macro_rules! col {
    ($name:literal, |$r:ident, $l:ident| $body:expr) => {
        col!($name, Number, |$r, $l| $body)
    };
    ($name:literal, $kind:ident, |$r:ident, $l:ident| $body:expr) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            put: |$r, $l| $body,
        }
    };
}

mod economics;
mod line;
mod recorder;
mod run;
mod schema;
mod serving;
mod tables;
#[cfg(test)]
mod tests;

pub use economics::*;
pub use line::*;
pub use recorder::*;
pub use run::*;
pub use schema::*;
pub use serving::*;
use tables::*;
