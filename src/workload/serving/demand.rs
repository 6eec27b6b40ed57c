//! A service's demand: requests per second as a function of calendar time.
//!
//! ```text
//! λ(t) = base × growth(t) × diurnal[hour(t)] × weekly[weekday(t)] × noise
//! ```
//!
//! - `base` [requests/s]: the rate at growth factor 1, averaged over the
//!   day and the week.
//! - `growth(t)` \[dimensionless\] over the years ([`Growth`]): exponential
//!   `(1 + g)^y`, `y` the years since a reference date; logistic
//!   `cap / (1 + e^{−k·y})`, `y` the years since the midpoint; or
//!   piecewise-linear between dated factors, flat outside them. A year is
//!   365.25 days, measured to the microsecond.
//! - `diurnal` (24 factors, hour 0 = 00:00–00:59) and `weekly` (7 factors,
//!   **Monday first**) profiles, read from [`Calendar::hour_of_day`] and
//!   [`Calendar::weekday`] (civil time of the scenario, no time zone, no
//!   daylight saving). Each hour's factor holds for the whole hour (a step,
//!   not interpolated). **Profiles are normalized**: each is divided by its
//!   mean when the demand is built, so `base` stays the mean rate over a
//!   day and over a week; a profile given with mean 1 is used as given.
//!   Both default to all ones.
//! - `noise` \[dimensionless\]: lognormal with mean 1 and log-standard
//!   deviation `σ` (`ln noise ~ N(−σ²/2, σ²)`), one draw per epoch, in
//!   epoch order, from the service's own stream
//!   `services/<name>/noise` ([`DemandSampler`]); σ = 0 draws nothing.
//!
//! An epoch's rate is λ at its midpoint ([`Demand::epoch_rate`]): epochs of
//! up to an hour starting on the hour lie in one hour of the profile, and
//! growth over an epoch is negligible.

#[cfg(test)]
use chrono::NaiveDateTime;
use chrono::{Datelike, NaiveDate};
use rand_distr::{Distribution, LogNormal};

use crate::engine::time::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::engine::{Calendar, RngStreams, SimDuration, SimTime, StreamRng};

/// Seconds in a year of 365.25 days.
pub const SECONDS_PER_YEAR: f64 = 365.25 * 86_400.0;

/// Years [365.25 days] from midnight of `from` to `at` (negative before):
/// the reference [`years_at`] is tested against.
#[cfg(test)]
fn years_since(from: NaiveDate, at: NaiveDateTime) -> f64 {
    let origin = from.and_hms_opt(0, 0, 0).expect("midnight exists");
    let us = (at - origin)
        .num_microseconds()
        .expect("dates within ±292,000 years");
    us as f64 / 1e6 / SECONDS_PER_YEAR
}

/// Years [365.25 days] from midnight of `from` to simulated time `t` of a
/// run starting at midnight of `start`: the same microseconds as
/// [`years_since`] of the civil time at `t` (whole days between the two
/// dates, then `t`'s own microseconds, all integers), so the same value to
/// the bit, without building the civil time.
fn years_at(from: NaiveDate, start: NaiveDate, t: SimTime) -> f64 {
    let us = start.signed_duration_since(from).num_days() * MICROS_PER_DAY as i64 + t.0 as i64;
    us as f64 / 1e6 / SECONDS_PER_YEAR
}

/// Years from a date's midnight to simulated time `t`, the date given by
/// `offset_us`, the microseconds from its midnight to the run's start:
/// [`years_at`] with the whole days counted once (the same integers, so the
/// same value to the bit).
fn years_from(offset_us: i64, t: SimTime) -> f64 {
    let us = offset_us + t.0 as i64;
    us as f64 / 1e6 / SECONDS_PER_YEAR
}

/// A growth curve's dates read against one run's start, so that each
/// epoch's factor needs no calendar arithmetic: [`Growth::factor_at`] in
/// the same operations.
#[derive(Clone, Debug)]
struct GrowthClock {
    /// The run's start.
    start: NaiveDate,
    /// The start's day of the week, from Monday (0).
    weekday: u64,
    /// Microseconds from each date of the curve (the reference, the
    /// midpoint, or each point in order) to the start's midnight.
    offsets: Vec<i64>,
    /// Years between consecutive points of a piecewise curve.
    spans: Vec<f64>,
}

impl GrowthClock {
    /// The clock of `growth` for a run starting at midnight of `start`.
    fn new(growth: &Growth, start: NaiveDate) -> Self {
        let offset =
            |from: NaiveDate| start.signed_duration_since(from).num_days() * MICROS_PER_DAY as i64;
        let (offsets, spans) = match growth {
            Growth::Flat => (Vec::new(), Vec::new()),
            Growth::Exponential { reference, .. } => (vec![offset(*reference)], Vec::new()),
            Growth::Logistic { midpoint, .. } => (vec![offset(*midpoint)], Vec::new()),
            Growth::Piecewise(points) => (
                points.iter().map(|&(d, _)| offset(d)).collect(),
                points
                    .windows(2)
                    .map(|w| years_at(w[0].0, w[1].0, SimTime::ZERO))
                    .collect(),
            ),
        };
        GrowthClock {
            start,
            weekday: u64::from(start.weekday().num_days_from_monday()),
            offsets,
            spans,
        }
    }
}

/// Growth of demand over the years: a factor multiplying the base rate.
#[derive(Clone, Debug, PartialEq)]
pub enum Growth {
    /// No growth: factor 1.
    Flat,
    /// `(1 + annual_rate)^y`, `y` the years since midnight of `reference`
    /// (factor 1 there; `annual_rate` 0.4 is +40%/yr; > −1).
    Exponential {
        /// Growth per year [fraction: 0.4 = 40%/yr].
        annual_rate: f64,
        /// The date at which the factor is 1.
        reference: NaiveDate,
    },
    /// `capacity / (1 + e^{−steepness·y})`, `y` the years since midnight
    /// of `midpoint` (factor `capacity/2` there, `capacity` in the limit).
    Logistic {
        /// The factor the curve saturates at \[dimensionless\].
        capacity: f64,
        /// The date of half the capacity.
        midpoint: NaiveDate,
        /// Steepness `k` [1/yr].
        steepness_per_year: f64,
    },
    /// Linear interpolation in time between `(date, factor)` points (each
    /// at midnight of its date, sorted by date), flat before the first and
    /// after the last. Empty means factor 1.
    Piecewise(Vec<(NaiveDate, f64)>),
}

impl Growth {
    /// The growth factor at simulated time `t` of a run starting at
    /// midnight of `start` \[dimensionless\]: [`factor`](Self::factor) of
    /// the civil time at `t`, to the bit (see [`years_at`]), without
    /// calendar arithmetic on date-times.
    pub fn factor_at(&self, start: NaiveDate, t: SimTime) -> f64 {
        match self {
            Growth::Flat => 1.0,
            Growth::Exponential {
                annual_rate,
                reference,
            } => (1.0 + annual_rate).powf(years_at(*reference, start, t)),
            Growth::Logistic {
                capacity,
                midpoint,
                steepness_per_year,
            } => capacity / (1.0 + (-steepness_per_year * years_at(*midpoint, start, t)).exp()),
            Growth::Piecewise(points) => {
                let Some(&(first_date, first)) = points.first() else {
                    return 1.0;
                };
                if years_at(first_date, start, t) <= 0.0 {
                    return first;
                }
                for w in points.windows(2) {
                    let ((d0, f0), (d1, f1)) = (w[0], w[1]);
                    let span = years_at(d0, d1, SimTime::ZERO);
                    let into = years_at(d0, start, t);
                    if into <= span {
                        return if span > 0.0 {
                            f0 + (f1 - f0) * into / span
                        } else {
                            f1
                        };
                    }
                }
                points.last().expect("non-empty").1
            }
        }
    }

    /// [`factor_at`](Self::factor_at) with the dates read from `clock`
    /// (built for this curve): the same operations on the same values.
    fn factor_clocked(&self, clock: &GrowthClock, t: SimTime) -> f64 {
        match self {
            Growth::Flat => 1.0,
            Growth::Exponential { annual_rate, .. } => {
                (1.0 + annual_rate).powf(years_from(clock.offsets[0], t))
            }
            Growth::Logistic {
                capacity,
                steepness_per_year,
                ..
            } => capacity / (1.0 + (-steepness_per_year * years_from(clock.offsets[0], t)).exp()),
            Growth::Piecewise(points) => {
                let Some(&(_, first)) = points.first() else {
                    return 1.0;
                };
                if years_from(clock.offsets[0], t) <= 0.0 {
                    return first;
                }
                for (j, w) in points.windows(2).enumerate() {
                    let ((_, f0), (_, f1)) = (w[0], w[1]);
                    let span = clock.spans[j];
                    let into = years_from(clock.offsets[j], t);
                    if into <= span {
                        return if span > 0.0 {
                            f0 + (f1 - f0) * into / span
                        } else {
                            f1
                        };
                    }
                }
                points.last().expect("non-empty").1
            }
        }
    }

    /// The growth factor at civil time `at` \[dimensionless\]: the
    /// reference [`factor_at`](Self::factor_at) is tested against.
    #[cfg(test)]
    pub fn factor(&self, at: NaiveDateTime) -> f64 {
        match self {
            Growth::Flat => 1.0,
            Growth::Exponential {
                annual_rate,
                reference,
            } => (1.0 + annual_rate).powf(years_since(*reference, at)),
            Growth::Logistic {
                capacity,
                midpoint,
                steepness_per_year,
            } => capacity / (1.0 + (-steepness_per_year * years_since(*midpoint, at)).exp()),
            Growth::Piecewise(points) => {
                let Some(&(first_date, first)) = points.first() else {
                    return 1.0;
                };
                if years_since(first_date, at) <= 0.0 {
                    return first;
                }
                for w in points.windows(2) {
                    let ((d0, f0), (d1, f1)) = (w[0], w[1]);
                    let span = years_since(d0, d1.and_hms_opt(0, 0, 0).expect("midnight"));
                    let into = years_since(d0, at);
                    if into <= span {
                        return if span > 0.0 {
                            f0 + (f1 - f0) * into / span
                        } else {
                            f1
                        };
                    }
                }
                points.last().expect("non-empty").1
            }
        }
    }
}

/// Why a demand curve was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[allow(clippy::enum_variant_names)] // each variant names the bad part: BadBase, BadProfile, …
pub enum DemandError {
    /// The base rate is negative or not finite.
    #[error("base rate must be a finite number ≥ 0 requests/s, got {0}")]
    BadBase(f64),
    /// A profile factor is negative or not finite, or all are zero.
    #[error("{0} profile: factors must be finite and ≥ 0 with a positive mean")]
    BadProfile(&'static str),
    /// The noise σ is negative or not finite.
    #[error("noise sigma must be finite and ≥ 0, got {0}")]
    BadSigma(f64),
    /// A growth parameter is out of range.
    #[error("growth: {0}")]
    BadGrowth(String),
}

/// A demand curve: base rate × growth × diurnal × weekly (noise is drawn by
/// a [`DemandSampler`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    base: f64,
    growth: Growth,
    diurnal: [f64; 24],
    weekly: [f64; 7],
    noise_sigma: f64,
}

/// `profile` divided by its mean, or an error.
fn normalized<const N: usize>(
    profile: [f64; N],
    name: &'static str,
) -> Result<[f64; N], DemandError> {
    if profile.iter().any(|f| !f.is_finite() || *f < 0.0) {
        return Err(DemandError::BadProfile(name));
    }
    let mean = profile.iter().sum::<f64>() / N as f64;
    if mean.is_nan() || mean <= 0.0 || !mean.is_finite() {
        return Err(DemandError::BadProfile(name));
    }
    Ok(profile.map(|f| f / mean))
}

impl Demand {
    /// A curve of `base` [requests/s] and `growth`, flat profiles, no
    /// noise.
    pub fn new(base: f64, growth: Growth) -> Result<Self, DemandError> {
        if !base.is_finite() || base < 0.0 {
            return Err(DemandError::BadBase(base));
        }
        match &growth {
            Growth::Exponential { annual_rate, .. }
                if !annual_rate.is_finite() || *annual_rate <= -1.0 =>
            {
                return Err(DemandError::BadGrowth(format!(
                    "annual rate must be finite and > −1, got {annual_rate}"
                )));
            }
            Growth::Logistic {
                capacity,
                steepness_per_year,
                ..
            } if !capacity.is_finite() || *capacity < 0.0 || !steepness_per_year.is_finite() => {
                return Err(DemandError::BadGrowth(
                    "logistic capacity must be finite and ≥ 0, steepness finite".into(),
                ));
            }
            Growth::Piecewise(points) => {
                if points.iter().any(|(_, f)| !f.is_finite() || *f < 0.0) {
                    return Err(DemandError::BadGrowth(
                        "piecewise factors must be finite and ≥ 0".into(),
                    ));
                }
                if points.windows(2).any(|w| w[1].0 < w[0].0) {
                    return Err(DemandError::BadGrowth(
                        "piecewise points must be sorted by date".into(),
                    ));
                }
            }
            _ => {}
        }
        Ok(Demand {
            base,
            growth,
            diurnal: [1.0; 24],
            weekly: [1.0; 7],
            noise_sigma: 0.0,
        })
    }

    /// With a diurnal profile: 24 factors, hour 0 first, normalized to mean
    /// 1.
    pub fn with_diurnal(mut self, profile: [f64; 24]) -> Result<Self, DemandError> {
        self.diurnal = normalized(profile, "diurnal")?;
        Ok(self)
    }

    /// With a weekly profile: 7 factors, Monday first, normalized to mean
    /// 1.
    pub fn with_weekly(mut self, profile: [f64; 7]) -> Result<Self, DemandError> {
        self.weekly = normalized(profile, "weekly")?;
        Ok(self)
    }

    /// With lognormal noise of log-standard deviation `sigma` (mean 1).
    pub fn with_noise(mut self, sigma: f64) -> Result<Self, DemandError> {
        if !sigma.is_finite() || sigma < 0.0 {
            return Err(DemandError::BadSigma(sigma));
        }
        self.noise_sigma = sigma;
        Ok(self)
    }

    /// The rate without noise at simulated time `t` [requests/s].
    pub fn rate_at(&self, calendar: &Calendar, t: SimTime) -> f64 {
        let hour = calendar.hour_of_day(t) as usize;
        let day = calendar.weekday(t).num_days_from_monday() as usize;
        self.base
            * self.growth.factor_at(calendar.start(), t)
            * self.diurnal[hour]
            * self.weekly[day]
    }

    /// The rate without noise of the epoch `[start, start + length)`: the
    /// rate at its midpoint [requests/s]; what a [`DemandSampler`] draws
    /// its noise on (its dates read once per run).
    #[cfg(test)]
    pub fn epoch_rate(&self, calendar: &Calendar, start: SimTime, length: SimDuration) -> f64 {
        self.rate_at(calendar, start + SimDuration(length.0 / 2))
    }

    /// [`epoch_rate`](Self::epoch_rate) with the curve's dates and the
    /// start's weekday read from `clock` (built for this curve and the
    /// calendar's start): the same value to the bit.
    fn epoch_rate_clocked(&self, clock: &GrowthClock, start: SimTime, length: SimDuration) -> f64 {
        let t = start + SimDuration(length.0 / 2);
        let hour = ((t.0 % MICROS_PER_DAY) / MICROS_PER_HOUR) as usize;
        let day = ((clock.weekday + t.0 / MICROS_PER_DAY) % 7) as usize;
        self.base * self.growth.factor_clocked(clock, t) * self.diurnal[hour] * self.weekly[day]
    }
}

/// Draws a demand curve's rates epoch by epoch, with its noise from the
/// service's own random stream.
#[derive(Clone, Debug)]
pub struct DemandSampler {
    demand: Demand,
    noise: Option<LogNormal<f64>>,
    rng: StreamRng,
    /// The curve's dates against the run's start, built at the first
    /// epoch (and again should the calendar's start differ).
    clock: Option<GrowthClock>,
}

impl DemandSampler {
    /// The sampler of service `service`, noise from the stream
    /// `services/<service>/noise` of `streams`.
    pub fn new(demand: Demand, streams: &RngStreams, service: &str) -> Self {
        let sigma = demand.noise_sigma;
        let noise = (sigma > 0.0).then(|| {
            LogNormal::new(-sigma * sigma / 2.0, sigma).expect("sigma validated finite and ≥ 0")
        });
        DemandSampler {
            demand,
            noise,
            rng: streams.stream(&format!("services/{service}/noise")),
            clock: None,
        }
    }

    /// The demand curve.
    pub fn demand(&self) -> &Demand {
        &self.demand
    }

    /// The rate of the next epoch `[start, start + length)` [requests/s]:
    /// [`Demand::epoch_rate`] times one noise draw. Call once per epoch, in
    /// order: the draws are the stream's in sequence.
    pub fn next_epoch(&mut self, calendar: &Calendar, start: SimTime, length: SimDuration) -> f64 {
        let begin = calendar.start();
        if self.clock.as_ref().is_none_or(|c| c.start != begin) {
            self.clock = Some(GrowthClock::new(&self.demand.growth, begin));
        }
        let clock = self.clock.as_ref().expect("built above");
        let rate = self.demand.epoch_rate_clocked(clock, start, length);
        match &self.noise {
            Some(noise) => rate * noise.sample(&mut self.rng),
            None => rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The rate from simulated time alone (whole days and microseconds)
    /// equals, to the bit, the rate from the civil time it was built from
    /// before: growth from `years_since` of the date-time, the weekday of
    /// the civil date.
    #[test]
    fn rate_from_simulated_time_matches_the_civil_time() {
        let growths = [
            Growth::Flat,
            Growth::Exponential {
                annual_rate: 0.35,
                reference: date(2026, 3, 1),
            },
            Growth::Logistic {
                capacity: 20.0,
                midpoint: date(2028, 7, 1),
                steepness_per_year: 1.5,
            },
            Growth::Piecewise(vec![
                (date(2026, 1, 1), 1.0),
                (date(2028, 1, 1), 4.0),
                (date(2028, 1, 1), 5.0),
                (date(2033, 1, 1), 10.0),
            ]),
        ];
        let diurnal: [f64; 24] = std::array::from_fn(|h| 0.3 + h as f64 * 0.05);
        let weekly = [1.1, 1.1, 1.1, 1.1, 1.05, 0.8, 0.75];
        for start in [date(2025, 11, 1), date(2026, 1, 1), date(2029, 2, 28)] {
            let calendar = Calendar::new(start);
            for growth in &growths {
                let demand = Demand::new(1500.0, growth.clone())
                    .unwrap()
                    .with_diurnal(diurnal)
                    .unwrap()
                    .with_weekly(weekly)
                    .unwrap();
                let mut t = 0u64;
                while t < 9 * 365 * MICROS_PER_DAY {
                    let at = SimTime(t);
                    let hour = calendar.hour_of_day(at) as usize;
                    let day = calendar.date(at).weekday().num_days_from_monday() as usize;
                    let civil = demand.base
                        * demand.growth.factor(calendar.datetime(at))
                        * demand.diurnal[hour]
                        * demand.weekly[day];
                    assert_eq!(demand.rate_at(&calendar, at).to_bits(), civil.to_bits());
                    // An epoch's rate with the dates read once per run.
                    let clock = GrowthClock::new(&demand.growth, start);
                    for length in [SimDuration(900_000_000), SimDuration(3_600_000_001)] {
                        assert_eq!(
                            demand.epoch_rate_clocked(&clock, at, length).to_bits(),
                            demand.epoch_rate(&calendar, at, length).to_bits()
                        );
                    }
                    // A step that is not a whole number of hours or days.
                    t += 7 * 3_600_000_000 + 1_234_567;
                }
            }
        }
    }
}
