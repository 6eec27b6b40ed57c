//! The columns of each file a run writes, gathered from the column lists
//! (the one declaration of each table), and the check of a header read back
//! against them: a renamed, missing or unknown column is an error naming
//! the file and the column, never an empty chart or a missing figure.

use super::*;

/// The columns a file of a run may hold.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Columns every such file has.
    pub always: Vec<&'static str>,
    /// Columns it has in some runs (training, maintenance, books, tax...).
    pub sometimes: Vec<&'static str>,
    /// Columns named after the run's own things (`monthly.csv`'s revenue
    /// of each contract): whether a name is one, and their unit.
    pub named: Option<Named>,
    /// The unit of each column of `always` and `sometimes`.
    units: Vec<(&'static str, Option<Unit>)>,
}

/// Columns named after the run's own things: whether a name is one, and
/// the unit of their values.
pub type Named = (fn(&str) -> bool, Unit);

/// A declared column, whatever its row type: its name and unit.
trait Declared {
    fn name(&self) -> &'static str;
    fn unit(&self) -> Option<Unit>;
}

impl<R> Declared for Column<R> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn unit(&self) -> Option<Unit> {
        self.unit
    }
}

impl Declared for RackColumn {
    fn name(&self) -> &'static str {
        self.name
    }
    fn unit(&self) -> Option<Unit> {
        self.unit
    }
}

impl Schema {
    /// Adds the columns of `parts`, which every such file has.
    fn always<C: Declared>(mut self, parts: &[&[C]]) -> Schema {
        for c in parts.iter().flat_map(|p| p.iter()) {
            self.always.push(c.name());
            self.units.push((c.name(), c.unit()));
        }
        self
    }

    /// Adds the columns of `parts`, which such a file has in some runs.
    fn sometimes<C: Declared>(mut self, parts: &[&[C]]) -> Schema {
        for c in parts.iter().flat_map(|p| p.iter()) {
            self.sometimes.push(c.name());
            self.units.push((c.name(), c.unit()));
        }
        self
    }

    /// The unit of the values of the column `name`: as declared, or as
    /// the named columns' (`None` for a column the file does not have).
    pub fn unit(&self, name: &str) -> Option<Unit> {
        match self.units.iter().find(|(n, _)| *n == name) {
            Some((_, unit)) => *unit,
            None => self.named.and_then(|(is, unit)| is(name).then_some(unit)),
        }
    }
}

/// The schema of the run's file `file` (by its name in the run folder),
/// `None` for a file that is not one of the run's tables.
pub fn schema(file: &str) -> Option<Schema> {
    let s = Schema::default();
    Some(match file {
        "timeseries.csv" => s
            .always(&[SAMPLE_COLUMNS])
            .sometimes(&[TRAINING_SAMPLE_COLUMNS, MAINTENANCE_SAMPLE_COLUMNS]),
        "capacity.csv" => s.always(&[CAPACITY_COLUMNS]),
        "failures.csv" => s.always(&[FAILURE_COLUMNS]),
        "buildout.csv" => s.always(&[BUILDOUT_COLUMNS]),
        "summary.csv" => s.always(&[SUMMARY_COLUMNS]).sometimes(&[
            TRAINING_SUMMARY_COLUMNS,
            ECONOMICS_SUMMARY_COLUMNS,
            OPEX_LINES_SUMMARY_COLUMNS,
            TAX_SUMMARY_COLUMNS,
            TERMINAL_SUMMARY_COLUMNS,
            RETIREMENT_SUMMARY_COLUMNS,
        ]),
        "jobs.csv" => s
            .always(&[JOB_COLUMNS])
            .sometimes(&[JOB_MAINTENANCE_COLUMNS]),
        "maintenance.csv" => s.always(&[MAINTENANCE_COLUMNS]),
        "services.csv" => s
            .always(&[SERVICE_COLUMNS])
            .sometimes(&[SERVICE_MAINTENANCE_COLUMNS])
            .sometimes(&[SERVICE_PREFILL_COLUMNS]),
        "service_summary.csv" => s
            .always(&[SERVICE_SUMMARY_COLUMNS])
            .sometimes(&[SERVICE_SUMMARY_MAINTENANCE_COLUMNS]),
        "request_windows.csv" => s.always(&[WINDOW_COLUMNS]),
        "replay_summary.csv" => s.always(&[REPLAY_SUMMARY_COLUMNS]),
        "monthly.csv" => Schema {
            named: Some((is_contract_revenue_column, Unit::Usd)),
            ..s.always(&[
                MONTHLY_LEAD_COLUMNS,
                MONTHLY_COLUMNS,
                MONTHLY_COLUMNS_AFTER_LINES,
            ])
            .sometimes(&[OPEX_LINES_SUMMARY_COLUMNS])
            .sometimes(&[MONTHLY_TAX_COLUMNS])
        },
        "contracts_monthly.csv" => s.always(&[CONTRACT_MONTH_COLUMNS]),
        "contracts.csv" => s.always(&[CONTRACT_COLUMNS]),
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
            && !schema.named.is_some_and(|(named, _)| named(h))
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
    fn each_column_s_name_ends_with_its_declared_unit() {
        let files = crate::output::set::DCSIM_FILES
            .iter()
            .filter_map(|f| schema(f).map(|s| (f, s)));
        let mut checked = 0;
        for (file, s) in files {
            for (name, unit) in &s.units {
                // The unit whose suffix is the longest the name ends with.
                let by_name = Unit::ALL
                    .into_iter()
                    .filter(|u| u.suffix().is_some_and(|x| name.ends_with(x)))
                    .max_by_key(|u| u.suffix().map_or(0, str::len));
                match unit {
                    Some(u) if u.suffix().is_none() => assert_eq!(by_name, None, "{file}: {name}"),
                    _ => assert_eq!(*unit, by_name, "{file}: {name}"),
                }
                checked += 1;
            }
        }
        assert!(checked > 200, "{checked} columns");
        let s = schema("monthly.csv").unwrap();
        assert_eq!(s.unit("revenue_acme_usd"), Some(Unit::Usd));
        assert_eq!(s.unit(monthly::ENERGY_MWH), Some(Unit::Mwh));
        assert_eq!(s.unit(monthly::DAYS), None);
        assert_eq!(
            schema("summary.csv").unwrap().unit(summary::IRR),
            Some(Unit::PerYear)
        );
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
