//! The columns of each file a run writes, gathered from the column lists
//! (the one declaration of each table), and the check of a header read back
//! against them: a renamed, missing or unknown column is an error naming
//! the file and the column, never an empty chart or a missing figure.

use super::*;

/// The columns a file of a run may hold.
#[derive(Clone, Debug)]
pub struct Schema {
    /// Columns every such file has.
    pub always: Vec<&'static str>,
    /// Columns it has in some runs (training, maintenance, books, tax...).
    pub sometimes: Vec<&'static str>,
    /// Columns named after the run's own things (`monthly.csv`'s revenue
    /// of each contract): whether a name is one.
    pub named: Option<fn(&str) -> bool>,
}

/// The names of the columns of `parts`, in order.
fn names<R>(parts: &[&[Column<R>]]) -> Vec<&'static str> {
    parts
        .iter()
        .flat_map(|p| p.iter().map(|c| c.name))
        .collect()
}

/// A schema of fixed columns.
fn fixed(always: Vec<&'static str>, sometimes: Vec<&'static str>) -> Schema {
    Schema {
        always,
        sometimes,
        named: None,
    }
}

/// The schema of the run's file `file` (by its name in the run folder),
/// `None` for a file that is not one of the run's tables.
pub fn schema(file: &str) -> Option<Schema> {
    Some(match file {
        "timeseries.csv" => fixed(
            names(&[SAMPLE_COLUMNS]),
            names(&[TRAINING_SAMPLE_COLUMNS, MAINTENANCE_SAMPLE_COLUMNS]),
        ),
        "capacity.csv" => fixed(CAPACITY_COLUMNS.iter().map(|c| c.name).collect(), vec![]),
        "failures.csv" => fixed(names(&[FAILURE_COLUMNS]), vec![]),
        "buildout.csv" => fixed(names(&[BUILDOUT_COLUMNS]), vec![]),
        "summary.csv" => fixed(
            names(&[SUMMARY_COLUMNS]),
            names(&[
                TRAINING_SUMMARY_COLUMNS,
                ECONOMICS_SUMMARY_COLUMNS,
                OPEX_LINES_SUMMARY_COLUMNS,
                TAX_SUMMARY_COLUMNS,
                TERMINAL_SUMMARY_COLUMNS,
                RETIREMENT_SUMMARY_COLUMNS,
            ]),
        ),
        "jobs.csv" => fixed(names(&[JOB_COLUMNS]), names(&[JOB_MAINTENANCE_COLUMNS])),
        "maintenance.csv" => fixed(names(&[MAINTENANCE_COLUMNS]), vec![]),
        "services.csv" => fixed(
            names(&[SERVICE_COLUMNS]),
            names(&[SERVICE_MAINTENANCE_COLUMNS]),
        ),
        "service_summary.csv" => fixed(
            names(&[SERVICE_SUMMARY_COLUMNS]),
            names(&[SERVICE_SUMMARY_MAINTENANCE_COLUMNS]),
        ),
        "request_windows.csv" => fixed(names(&[WINDOW_COLUMNS]), vec![]),
        "replay_summary.csv" => fixed(names(&[REPLAY_SUMMARY_COLUMNS]), vec![]),
        "monthly.csv" => Schema {
            always: names(&[
                MONTHLY_LEAD_COLUMNS,
                MONTHLY_COLUMNS,
                MONTHLY_COLUMNS_AFTER_LINES,
            ]),
            sometimes: names(&[OPEX_LINES_SUMMARY_COLUMNS])
                .into_iter()
                .chain(names(&[MONTHLY_TAX_COLUMNS]))
                .collect(),
            named: Some(is_contract_revenue_column),
        },
        "contracts_monthly.csv" => fixed(names(&[CONTRACT_MONTH_COLUMNS]), vec![]),
        "contracts.csv" => fixed(names(&[CONTRACT_COLUMNS]), vec![]),
        _ => return None,
    })
}

/// What is wrong with a header read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// A column the file always has is not in it.
    #[error(
        "has no column \"{0}\": the file was changed after dcsim wrote it, or was written by another version of dcsim; run it again"
    )]
    Missing(&'static str),
    /// A column dcsim never writes in this file is in it.
    #[error(
        "has a column \"{0}\" dcsim does not write there: the file was changed after dcsim wrote it, or was written by another version of dcsim; run it again"
    )]
    Unexpected(String),
}

/// Checks the header of the run's file `file` against its [`schema`]:
/// every column it always has is there, and every column is one it may
/// have. A file that is not one of the run's tables passes.
pub fn check_header<'h>(
    file: &str,
    header: impl IntoIterator<Item = &'h str>,
) -> Result<(), HeaderError> {
    let Some(schema) = schema(file) else {
        return Ok(());
    };
    let header: Vec<&str> = header.into_iter().collect();
    if let Some(missing) = schema.always.iter().find(|c| !header.contains(c)) {
        return Err(HeaderError::Missing(missing));
    }
    match header.iter().find(|h| {
        !schema.always.contains(h)
            && !schema.sometimes.contains(h)
            && !schema.named.is_some_and(|named| named(h))
    }) {
        Some(h) => Err(HeaderError::Unexpected(crate::text::quote_short(h))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::failures::FailureKind;

    #[test]
    fn the_failure_columns_follow_the_failure_classes() {
        for (k, c) in FailureKind::ALL.iter().zip(FAILURE_CLASS_COLUMNS) {
            assert_eq!(c, format!("failures_{}", k.key()));
        }
    }

    #[test]
    fn a_header_is_checked_against_its_file_s_columns() {
        let s = schema("monthly.csv").unwrap();
        let mut header: Vec<&str> = s.always.clone();
        header.insert(2, "revenue_acme_usd");
        assert_eq!(check_header("monthly.csv", header.iter().copied()), Ok(()));
        header.extend(s.sometimes.iter().copied());
        assert_eq!(check_header("monthly.csv", header.iter().copied()), Ok(()));
        header.retain(|h| *h != monthly::CUMULATIVE_CASH_USD);
        assert_eq!(
            check_header("monthly.csv", header.iter().copied()),
            Err(HeaderError::Missing("cumulative_cash_usd"))
        );
        let mut header = schema("timeseries.csv").unwrap().always;
        header.push("revenue_acme_usd");
        assert_eq!(
            check_header("timeseries.csv", header.iter().copied()),
            Err(HeaderError::Unexpected("revenue_acme_usd".into()))
        );
        assert_eq!(
            check_header("runs.csv", ["anything"]),
            Ok(()),
            "not a run table"
        );
    }
}
