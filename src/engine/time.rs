//! Simulated time: integer microseconds since the scenario start, and the one
//! place where that count is turned into calendar dates.
//!
//! There is no floating-point clock: seven years is about 2.2e14 µs, far
//! inside `u64`, and two events are simultaneous exactly when their integer
//! times are equal, so ties and drift over years are impossible.
//!
//! The calendar is civil time with no time zone and no daylight saving: the
//! scenario starts at midnight of its start date and every day has 24 hours.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

use chrono::{Datelike, Duration as ChronoDuration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// Microseconds in one second.
pub const MICROS_PER_SECOND: u64 = 1_000_000;
/// Microseconds in one minute.
pub const MICROS_PER_MINUTE: u64 = 60 * MICROS_PER_SECOND;
/// Microseconds in one hour.
pub const MICROS_PER_HOUR: u64 = 60 * MICROS_PER_MINUTE;
/// Microseconds in one day.
pub const MICROS_PER_DAY: u64 = 24 * MICROS_PER_HOUR;

/// An instant of simulated time [µs since the scenario start].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time \[µs\].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The scenario start.
    pub const ZERO: SimTime = SimTime(0);
    /// The latest representable instant.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Microseconds since the start.
    pub fn micros(self) -> u64 {
        self.0
    }
    /// Hours since the start.
    pub fn hours(self) -> f64 {
        self.0 as f64 / MICROS_PER_HOUR as f64
    }
    /// `self + d`, or `None` past the end of representable time.
    pub fn checked_add(self, d: SimDuration) -> Option<SimTime> {
        self.0.checked_add(d.0).map(SimTime)
    }
    /// Time elapsed since `earlier`, zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time.
    pub const ZERO: SimDuration = SimDuration(0);

    #[cfg(test)]
    /// From whole microseconds.
    pub fn from_micros(us: u64) -> Self {
        SimDuration(us)
    }
    /// From whole seconds.
    pub fn from_secs(s: u64) -> Self {
        SimDuration(s * MICROS_PER_SECOND)
    }
    /// From whole hours.
    pub fn from_hours(h: u64) -> Self {
        SimDuration(h * MICROS_PER_HOUR)
    }
    #[cfg(test)]
    /// From whole days.
    pub fn from_days(d: u64) -> Self {
        SimDuration(d * MICROS_PER_DAY)
    }
    /// From fractional seconds, rounded to the nearest microsecond; negative
    /// and NaN inputs give zero, huge ones saturate.
    pub fn from_secs_f64(s: f64) -> Self {
        let us = (s * MICROS_PER_SECOND as f64).round();
        if us.is_nan() || us <= 0.0 {
            SimDuration(0)
        } else if us >= u64::MAX as f64 {
            SimDuration(u64::MAX)
        } else {
            SimDuration(us as u64)
        }
    }
    /// From fractional hours, rounded to the nearest microsecond.
    pub fn from_hours_f64(h: f64) -> Self {
        Self::from_secs_f64(h * 3600.0)
    }
    /// Whole microseconds.
    pub fn micros(self) -> u64 {
        self.0
    }
    /// In seconds.
    pub fn seconds(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND as f64
    }
    /// In hours.
    pub fn hours(self) -> f64 {
        self.0 as f64 / MICROS_PER_HOUR as f64
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    /// Saturates at [`SimTime::MAX`] rather than wrapping.
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    /// Saturates at zero.
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimDuration {
    /// Shortest exact form with a unit: `90s`, `15min`, `54d`, `1500us`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        let units = [
            (MICROS_PER_DAY, "d"),
            (MICROS_PER_HOUR, "h"),
            (MICROS_PER_MINUTE, "min"),
            (MICROS_PER_SECOND, "s"),
            (1_000, "ms"),
        ];
        for (size, name) in units {
            if us >= size && us.is_multiple_of(size) {
                return write!(f, "{}{}", us / size, name);
            }
        }
        write!(f, "{us}us")
    }
}

/// Converts simulated time to civil dates, anchored at midnight of the
/// scenario's start date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Calendar {
    start: NaiveDate,
}

impl Calendar {
    /// A calendar whose time zero is midnight at the start of `start`.
    pub fn new(start: NaiveDate) -> Self {
        Calendar { start }
    }

    /// The start date.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Midnight of `date` as simulated time, or `None` before the start.
    pub fn time_of_date(&self, date: NaiveDate) -> Option<SimTime> {
        let days = (date - self.start).num_days();
        u64::try_from(days)
            .ok()
            .map(|d| SimTime(d * MICROS_PER_DAY))
    }

    /// The civil date and time at `t`, to the microsecond.
    pub fn datetime(&self, t: SimTime) -> NaiveDateTime {
        let days = (t.0 / MICROS_PER_DAY) as i64;
        let rest = t.0 % MICROS_PER_DAY;
        self.start.and_hms_opt(0, 0, 0).expect("midnight exists")
            + ChronoDuration::days(days)
            + ChronoDuration::microseconds(rest as i64)
    }

    /// The civil date at `t`.
    pub fn date(&self, t: SimTime) -> NaiveDate {
        self.start + ChronoDuration::days((t.0 / MICROS_PER_DAY) as i64)
    }

    /// Hour of day at `t`, 0–23.
    pub fn hour_of_day(&self, t: SimTime) -> u32 {
        ((t.0 % MICROS_PER_DAY) / MICROS_PER_HOUR) as u32
    }

    /// Day of week at `t`: the start's, moved on by the whole days since
    /// (weekdays repeat every seven days), without date arithmetic.
    pub fn weekday(&self, t: SimTime) -> Weekday {
        let days = (t.0 / MICROS_PER_DAY) % 7;
        let mut day = self.start.weekday();
        for _ in 0..days {
            day = day.succ();
        }
        day
    }

    /// Month at `t`, 1 (January) – 12 (December).
    pub fn month(&self, t: SimTime) -> u32 {
        self.date(t).month()
    }

    /// The civil date and time at `t`, truncated to the second: the
    /// calendar time the rows hold (written `YYYY-MM-DDTHH:MM:SS`).
    pub fn instant(&self, t: SimTime) -> NaiveDateTime {
        let seconds = ((t.0 % MICROS_PER_DAY) / MICROS_PER_SECOND) as u32;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0)
            .expect("fewer seconds than a day");
        self.date(t).and_time(time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn an_instant_is_the_datetime_to_the_second() {
        let cal = Calendar::new(NaiveDate::from_ymd_opt(2026, 12, 30).unwrap());
        for t in [
            0,
            1,
            59_999_999,
            3_600_000_000,
            86_399_999_999,
            2 * 86_400_000_000 + 45_296_000_000,
            7 * 365 * 86_400_000_000 + 1,
        ] {
            let t = SimTime(t);
            let dt = cal.datetime(t);
            assert_eq!(cal.instant(t), dt.with_nanosecond(0).unwrap(), "{t:?}");
        }
    }

    fn cal() -> Calendar {
        Calendar::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
    }

    #[test]
    fn seven_years_fit_in_u64_micros() {
        let seven_years = SimDuration::from_days(7 * 366);
        assert!(seven_years.micros() < u64::MAX / 1000);
    }

    #[test]
    fn calendar_fields() {
        let c = cal();
        // 2026-01-01 is a Thursday.
        assert_eq!(c.weekday(SimTime::ZERO), Weekday::Thu);
        let t = SimTime::ZERO + SimDuration::from_days(31) + SimDuration::from_hours(13);
        assert_eq!(c.date(t), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert_eq!(c.hour_of_day(t), 13);
        assert_eq!(c.month(t), 2);
        assert_eq!(c.weekday(t), Weekday::Sun);
        assert_eq!(c.instant(t).to_string(), "2026-02-01 13:00:00");
    }

    /// The weekday counted from the start's is the civil date's, over
    /// ten years of days (leap days included) at odd times of day.
    #[test]
    fn weekday_is_the_dates() {
        let c = Calendar::new(NaiveDate::from_ymd_opt(2027, 12, 30).unwrap());
        for day in 0..3_700 {
            let t = SimTime::ZERO + SimDuration::from_days(day) + SimDuration(day * 7_919_993);
            assert_eq!(c.weekday(t), c.date(t).weekday());
        }
    }

    #[test]
    fn leap_day_is_counted() {
        let c = Calendar::new(NaiveDate::from_ymd_opt(2028, 2, 28).unwrap());
        let t = SimTime::ZERO + SimDuration::from_days(1);
        assert_eq!(c.date(t), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
    }

    #[test]
    fn date_round_trip() {
        let c = cal();
        let d = NaiveDate::from_ymd_opt(2030, 7, 15).unwrap();
        let t = c.time_of_date(d).unwrap();
        assert_eq!(c.date(t), d);
        assert_eq!(c.hour_of_day(t), 0);
        assert_eq!(
            c.time_of_date(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()),
            None
        );
    }

    #[test]
    fn duration_display_is_exact() {
        assert_eq!(SimDuration::from_secs(90).to_string(), "90s");
        assert_eq!(SimDuration::from_secs(900).to_string(), "15min");
        assert_eq!(SimDuration::from_days(54).to_string(), "54d");
        assert_eq!(SimDuration::from_micros(1500).to_string(), "1500us");
    }

    #[test]
    fn fractional_seconds_round_and_clamp() {
        assert_eq!(SimDuration::from_secs_f64(1.0000004).micros(), 1_000_000);
        assert_eq!(SimDuration::from_secs_f64(-3.0).micros(), 0);
        assert_eq!(SimDuration::from_secs_f64(f64::NAN).micros(), 0);
        assert_eq!(SimDuration::from_secs_f64(f64::INFINITY).micros(), u64::MAX);
    }
}
