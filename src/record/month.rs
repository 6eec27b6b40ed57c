//! A calendar month, as the monthly rows (`monthly.csv`,
//! `contracts_monthly.csv`) and the charts' month axes hold it.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// A calendar month; written `YYYY-MM` (its [`fmt::Display`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
}

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl YearMonth {
    /// The month of `date`.
    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Parses `YYYY-MM`.
    pub(crate) fn parse(s: &str) -> Option<YearMonth> {
        let (y, m) = s.split_once('-')?;
        let month: u32 = m.parse().ok()?;
        (1..=12).contains(&month).then_some(YearMonth {
            year: y.parse().ok()?,
            month,
        })
    }

    /// Three-letter month name.
    pub(crate) fn name(self) -> &'static str {
        MONTH_NAMES[(self.month as usize).clamp(1, 12) - 1]
    }

    /// Months from `self` to `later` (negative if `later` is earlier).
    pub(crate) fn months_to(self, later: YearMonth) -> i64 {
        i64::from(later.year - self.year) * 12 + i64::from(later.month) - i64::from(self.month)
    }

    /// The month after.
    pub(crate) fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for YearMonth {
    /// `YYYY-MM`, as `monthly.csv` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_written_and_read_as_yyyy_mm() {
        let m = YearMonth::of(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(m.to_string(), "2026-03");
        assert_eq!(YearMonth::parse("2026-03"), Some(m));
        assert_eq!(
            YearMonth {
                year: 987,
                month: 12
            }
            .to_string(),
            "0987-12"
        );
        assert_eq!(m.next().next().to_string(), "2026-05");
        assert_eq!(YearMonth::parse("2026-13"), None);
    }
}
