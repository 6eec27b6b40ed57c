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

use super::pipeline::StagedRun;
use super::set::{OutputError, OutputSet};
use crate::record::{
    BuildoutRow, ContractMonthRow, ContractRow, EconomicsSummary, FailureRow, JobRow,
    MaintenanceRow, MonthlyRow, NoIrr, RackSample, Recorder, SampleRow, ServiceRow,
    ServiceSummaryRow, SummaryRow, TrainingSample, TrainingSummary, WindowRequestRow, WindowRow,
};
use crate::workload::serving::requests::{RequestRow, ServeSummary};

/// Bytes gathered before they are handed to the file.
const FLUSH_AT: usize = 128 * 1024;

/// The one declaration of a table's columns (or of one part of them): the
/// list of [`Column`]s and a module of their names, for the readers.
///
/// ```text
/// columns! {
///     /// Doc of the list.
///     pub const LIST: [Column<Row>] in names = [
///         TIME_H = "time_h" in Hours => |r, l| l.fixed(r.time_h, 3),
///         SITE = "site", Text => |r, l| l.text(&r.site),
///         CHIPS = "chips" => |r, l| l.int(r.chips),
///     ];
/// }
/// ```
///
/// A column is a number unless it says `Text`; `in` declares the unit of
/// its values (a [`Unit`]), none for a count, a ratio or text.
macro_rules! columns {
    (
        $(#[$doc:meta])*
        $vis:vis const $list:ident: [$elem:ty] in $names:ident = [
            $( $id:ident = $name:literal $(, $kind:ident)? $(in $unit:ident)? => |$($arg:ident),+| $body:expr ),* $(,)?
        ];
    ) => {
        $(#[$doc])*
        $vis const $list: &[$elem] = &[
            $( <$elem>::new(
                $name,
                columns!(@kind $($kind)?),
                columns!(@unit $($unit)?),
                |$($arg),+| $body,
            ) ),*
        ];

        #[doc = concat!("The names of the columns of `", stringify!($list), "`.")]
        pub mod $names {
            // The whole table is named here; code names only the columns it reads.
            #![allow(dead_code)]
            $(
                #[doc = concat!("`", $name, "`")]
                pub const $id: &str = $name;
            )*
        }
    };
    (@kind) => { Kind::Number };
    (@kind $kind:ident) => { Kind::$kind };
    (@unit) => { None };
    (@unit $unit:ident) => { Some(Unit::$unit) };
}

mod economics;
mod line;
mod recorder;
mod run;
mod schema;
mod sci;
mod serving;
mod study;
mod sweep;
mod tables;
#[cfg(test)]
mod tests;

pub use economics::*;

/// The column names of `timeseries.csv`, all its parts.
pub mod timeseries {
    #![allow(unused_imports)]
    pub use super::run::{timeseries_base::*, timeseries_maintenance::*, timeseries_training::*};
}

/// The column names of `summary.csv`, all its parts.
pub mod summary {
    #![allow(unused_imports)]
    pub use super::economics::{
        summary_economics::*, summary_opex_lines::*, summary_retirement::*, summary_tax::*,
        summary_terminal::*,
    };
    pub use super::run::{summary_base::*, summary_training::*};
}

/// The column names of `jobs.csv`, all its parts.
pub mod jobs {
    #![allow(unused_imports)]
    pub use super::run::{jobs_base::*, jobs_maintenance::*};
}

/// The column names of `services.csv`, all its parts.
pub mod services {
    #![allow(unused_imports)]
    pub use super::serving::{services_base::*, services_maintenance::*, services_prefill::*};
}

/// The column names of `service_summary.csv`, all its parts.
pub mod service_summary {
    #![allow(unused_imports)]
    pub use super::serving::{service_summary_base::*, service_summary_maintenance::*};
}

/// The fixed column names of `monthly.csv`, all its parts (the revenue of
/// each contract is named by [`contract_revenue_column`]).
pub mod monthly {
    #![allow(unused_imports)]
    pub use super::economics::{
        monthly_after_lines::*, monthly_base::*, monthly_lead::*, monthly_tax::*,
        summary_opex_lines::*,
    };
}
pub use line::*;
pub use recorder::*;
pub use run::*;
pub use schema::*;
use sci::*;
pub use serving::*;
pub use study::*;
pub use sweep::*;
pub use tables::MonthlyLayout;
use tables::*;
