//! Calendar dates on the charts' time axes.
//!
//! Rows carry `time_h`, hours since midnight of the run's first day; a chart
//! plots against those hours and labels its ticks with the dates they fall
//! on (years over a long run, quarters or months over a shorter one, days
//! or hours over a few days). Monthly charts plot one bar per calendar
//! month and label months or years the same way.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};

pub use crate::record::YearMonth;

/// A labelled tick of an axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Position on the axis (hours since the start, or a month's index).
    pub at: f64,
    /// What is written under it.
    pub label: String,
}

/// The run's calendar: its first day and its length.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunCalendar {
    start: NaiveDate,
    hours: f64,
}

impl RunCalendar {
    /// A run starting at midnight of `start`, `hours` long.
    pub fn new(start: NaiveDate, hours: f64) -> RunCalendar {
        RunCalendar {
            start,
            hours: if hours.is_finite() && hours > 0.0 {
                hours
            } else {
                0.0
            },
        }
    }

    /// Length of the run \[h\].
    pub fn hours(&self) -> f64 {
        self.hours
    }

    /// The instant `h` hours after the start (to the second).
    pub fn at(&self, h: f64) -> NaiveDateTime {
        let seconds = (h * 3600.0).round().clamp(-1e12, 1e12) as i64;
        self.start.and_hms_opt(0, 0, 0).expect("midnight exists") + Duration::seconds(seconds)
    }

    /// Hours from the start to midnight of `date`.
    pub fn hours_at(&self, date: NaiveDate) -> f64 {
        (date - self.start).num_seconds() as f64 / 3600.0
    }

    /// The first month of the run.
    pub fn first_month(&self) -> YearMonth {
        YearMonth::of(self.start)
    }

    /// Index (from the first month) of the month of the sample interval
    /// that ends `end_h` hours after the start: an interval ending at
    /// midnight on the 1st belongs to the month before.
    pub fn interval_month(&self, end_h: f64) -> usize {
        let instant = self.at(end_h) - Duration::microseconds(1);
        let m = self.first_month().months_to(YearMonth::of(instant.date()));
        usize::try_from(m).unwrap_or(0)
    }

    /// The calendar months the run covers, in order.
    pub fn months(&self) -> Vec<YearMonth> {
        let last = self.interval_month(self.hours.max(1e-6));
        let mut out = Vec::with_capacity(last + 1);
        let mut m = self.first_month();
        for _ in 0..=last {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// Ticks for a time axis over the whole run, in hours since the start,
    /// labelled with dates: years over three years or more, quarters over
    /// 13 months or more, months over two months or more, then days, then
    /// hours.
    pub fn time_ticks(&self) -> Vec<Tick> {
        let days = self.hours / 24.0;
        let end = self.at(self.hours);
        let mut ticks = Vec::new();
        let mut push = |date: NaiveDate, label: String| {
            let h = self.hours_at(date);
            if h >= -1e-9 && h <= self.hours + 1e-9 {
                ticks.push(Tick { at: h, label });
            }
        };
        if days >= 3.0 * 365.0 {
            let years = (end.year() - self.start.year()).max(1);
            let step = match years {
                0..=12 => 1,
                13..=30 => 2,
                31..=60 => 5,
                _ => 10,
            };
            for y in self.start.year()..=end.year() {
                if y % step == 0
                    && let Some(d) = NaiveDate::from_ymd_opt(y, 1, 1)
                {
                    push(d, y.to_string());
                }
            }
        } else if days >= 60.0 {
            let quarterly = days >= 395.0;
            let mut m = self.first_month();
            let mut first = true;
            while m <= YearMonth::of(end.date()) {
                if !quarterly || (m.month - 1).is_multiple_of(3) {
                    let d = NaiveDate::from_ymd_opt(m.year, m.month, 1).expect("first of month");
                    if d >= self.start {
                        let label = if first || m.month == 1 {
                            format!("{} {}", m.name(), m.year)
                        } else {
                            m.name().to_string()
                        };
                        first = false;
                        push(d, label);
                    }
                }
                m = m.next();
            }
        } else if days >= 2.0 {
            let step = [1i64, 2, 7, 14]
                .into_iter()
                .find(|s| days / (*s as f64) <= 12.0)
                .unwrap_or(14);
            let mut d = self.start;
            let mut first = true;
            while d <= end.date() {
                let label = if first || d.day() == 1 {
                    format!("{} {} {}", d.day(), YearMonth::of(d).name(), d.year())
                } else {
                    format!("{} {}", d.day(), YearMonth::of(d).name())
                };
                first = false;
                push(d, label);
                d += Duration::days(step);
            }
        } else {
            let step = [1.0, 2.0, 3.0, 6.0, 12.0]
                .into_iter()
                .find(|s| self.hours / s <= 12.0)
                .unwrap_or(12.0);
            let mut h = 0.0;
            while h <= self.hours + 1e-9 {
                let t = self.at(h);
                let label = if h == 0.0 || t.time() == chrono::NaiveTime::MIN {
                    format!(
                        "{} {} {:02}:00",
                        t.day(),
                        YearMonth::of(t.date()).name(),
                        t.hour()
                    )
                } else {
                    format!("{:02}:00", t.hour())
                };
                ticks.push(Tick { at: h, label });
                h += step;
            }
        }
        ticks
    }
}

/// Ticks for an axis of months where month `i` spans `[i, i + 1]`: years
/// at their Januaries over three years or more, quarters over 13 months or
/// more, every month (at its middle) below.
pub fn month_ticks(months: &[YearMonth]) -> Vec<Tick> {
    let n = months.len();
    let mut ticks = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let first = i == 0;
        if n >= 36 {
            let step = match n / 12 {
                0..=12 => 1,
                13..=30 => 2,
                31..=60 => 5,
                _ => 10,
            };
            if m.month == 1 && m.year % step == 0 {
                ticks.push(Tick {
                    at: i as f64,
                    label: m.year.to_string(),
                });
            }
        } else if n >= 13 {
            if (m.month - 1).is_multiple_of(3) {
                let label = if m.month == 1 || ticks.is_empty() {
                    format!("{} {}", m.name(), m.year)
                } else {
                    m.name().to_string()
                };
                ticks.push(Tick {
                    at: i as f64,
                    label,
                });
            }
        } else {
            let label = if first || m.month == 1 {
                format!("{} {}", m.name(), m.year)
            } else {
                m.name().to_string()
            };
            ticks.push(Tick {
                at: i as f64 + 0.5,
                label,
            });
        }
    }
    ticks
}

/// The label of the tick nearest `x` (for a plotters label formatter,
/// which is handed the key points given).
pub fn label_at(ticks: &[Tick], x: f64) -> String {
    ticks
        .iter()
        .min_by(|a, b| (a.at - x).abs().total_cmp(&(b.at - x).abs()))
        .map(|t| t.label.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(start: &str, hours: f64) -> RunCalendar {
        RunCalendar::new(NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap(), hours)
    }

    #[test]
    fn seven_years_are_labelled_by_year() {
        let c = cal("2025-11-01", 61_368.0);
        let t = c.time_ticks();
        let labels: Vec<&str> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["2026", "2027", "2028", "2029", "2030", "2031", "2032"]
        );
        // 2026-01-01 is 61 days after 2025-11-01.
        assert_eq!(t[0].at, 61.0 * 24.0);
        assert_eq!(c.months().len(), 84);
        assert_eq!(c.months()[0].to_string(), "2025-11");
        assert_eq!(c.months()[83].to_string(), "2032-10");
    }

    #[test]
    fn a_year_is_labelled_by_month_and_a_week_by_day() {
        let c = cal("2026-01-01", 8_760.0);
        let labels: Vec<String> = c.time_ticks().into_iter().map(|t| t.label).collect();
        assert_eq!(labels[0], "Jan 2026");
        assert_eq!(labels[1], "Feb");
        assert_eq!(labels.last().unwrap(), "Jan 2027");
        let c = cal("2026-03-30", 7.0 * 24.0);
        let labels: Vec<String> = c.time_ticks().into_iter().map(|t| t.label).collect();
        assert_eq!(labels[0], "30 Mar 2026");
        assert_eq!(labels[2], "1 Apr 2026");
        assert_eq!(labels[3], "2 Apr");
    }

    #[test]
    fn intervals_ending_at_midnight_on_the_first_belong_to_the_month_before() {
        let c = cal("2026-01-01", 8_760.0);
        assert_eq!(c.interval_month(1.0), 0);
        assert_eq!(c.interval_month(31.0 * 24.0), 0, "ends 2026-02-01 00:00");
        assert_eq!(c.interval_month(31.0 * 24.0 + 1.0), 1);
        assert_eq!(c.months().len(), 12);
    }
}
