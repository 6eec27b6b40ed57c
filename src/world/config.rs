//! Configuration the world takes as its own types: resolved at the
//! scenario boundary, and named by the scenario file's plain data where a
//! key holds one of them as it is.

use chrono::{Datelike, Weekday};
use rand::RngExt;
use rand_distr::{Distribution as _, Exp, LogNormal};
use serde::Deserialize;

use crate::catalog::failures::FailureKind;
use crate::catalog::{ChipSpec, RackSpec};
use crate::engine::{Calendar, SimDuration, SimTime, StreamRng};
use crate::units::{BitsPerSecond, Watts};

/// The physical world of a scenario, as resolved at the boundary.
#[derive(Clone, Debug)]
pub struct Config {
    /// Fraction of each healthy chip's dynamic power range in use, 0–1.
    pub utilization: f64,
    /// The rack models the build-outs use, resolved with their chip.
    pub rack_types: Vec<RackType>,
    /// The sites.
    pub sites: Vec<Site>,
    /// Inter-site links.
    pub links: Vec<Link>,
    /// Failure classes, in [`FailureKind::ALL`] order.
    pub failures: Vec<FailureClass>,
    /// Time to swap a failed node for a spare.
    pub swap_time: SimDuration,
    /// Whether to write `failures.csv`.
    pub failures_log: bool,
    /// Planned maintenance windows, in the order the file lists them.
    pub maintenance: Vec<Maintenance>,
}

/// What happens to a build-out phase that does not fit under its site's
/// grid connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridFullPolicy {
    /// Wait until there is room (a grid upgrade, or racks retired).
    #[default]
    Defer,
    /// Give up on the phase.
    Refuse,
}

/// Which days a time-of-use band (price or carbon intensity) applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Days {
    /// Every day.
    #[default]
    All,
    /// Monday to Friday.
    Weekdays,
    /// Saturday and Sunday.
    Weekends,
}

/// An inter-site link (both directions).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Index of one site.
    pub from: usize,
    /// Index of the other site.
    pub to: usize,
    /// Capacity each way.
    pub bandwidth: BitsPerSecond,
    /// One-way latency.
    pub latency: SimDuration,
}

/// Time-to-failure law of a class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lifetime {
    /// Constant hazard.
    Exponential,
    /// Weibull with this shape, scaled so the mean is `1 / rate`.
    Weibull {
        /// Shape k.
        shape: f64,
    },
}

/// A rack model with its chip.
#[derive(Clone, Debug, PartialEq)]
pub struct RackType {
    /// The rack.
    pub rack: RackSpec,
    /// Its chip.
    pub chip: ChipSpec,
    /// Failures per component-hour of each class for this model's parts,
    /// in [`FailureKind::ALL`] order: the class's rate
    /// ([`FailureClass::rate_per_hour`]), except `gpu` and `hbm` left unset
    /// by the scenario, which take this model's chip's catalog figure.
    /// Resolved at the boundary: the world reads these as they are.
    pub failure_rates: [f64; FailureKind::ALL.len()],
}

impl RackType {
    /// Nameplate IT power of one rack: every chip at TDP plus overhead \[W\].
    pub fn nameplate(&self) -> Watts {
        self.rack.nameplate_power(&self.chip)
    }

    /// The idle floor of one rack: its overhead plus every chip at idle
    /// \[W\], the draw no power cap lowers. The one place it is written:
    /// build-out admission and validation both call it.
    pub fn idle_floor(&self) -> Watts {
        self.rack.overhead + self.chip.idle * f64::from(self.rack.chips)
    }
}

/// One site.
#[derive(Clone, Debug)]
pub struct Site {
    /// Unique name.
    pub name: String,
    /// Grid connection over time: `(from, capacity)`, first at time zero,
    /// ascending.
    pub grid: Vec<(SimTime, Watts)>,
    /// Power usage effectiveness.
    pub pue: Pue,
    /// What happens to a phase that does not fit.
    pub when_grid_full: GridFullPolicy,
    /// Admission limit as a multiple of the grid connection.
    pub power_oversubscription: f64,
    /// Leaf-to-spine oversubscription of each rack uplink (≥ 1 typically).
    pub uplink_oversubscription: f64,
    /// Electricity price [USD/MWh].
    pub price: Tariff,
    /// Carbon intensity [kgCO2e/MWh].
    pub carbon: Tariff,
    /// Delivery phases, in commissioning order.
    pub phases: Vec<Phase>,
}

/// Power usage effectiveness: facility power / IT power.
#[derive(Clone, Debug, PartialEq)]
pub enum Pue {
    /// The same all year.
    Constant(f64),
    /// January … December.
    Monthly([f64; 12]),
}

impl Pue {
    /// PUE in month `month` (1–12).
    pub fn in_month(&self, month: u32) -> f64 {
        match self {
            Pue::Constant(p) => *p,
            Pue::Monthly(m) => m[(month.clamp(1, 12) - 1) as usize],
        }
    }

    /// The highest PUE of the year: the design value used to admit racks.
    pub fn design(&self) -> f64 {
        match self {
            Pue::Constant(p) => *p,
            Pue::Monthly(m) => m.iter().copied().fold(f64::MIN, f64::max),
        }
    }

    /// Whether it changes over the year.
    pub fn varies(&self) -> bool {
        matches!(self, Pue::Monthly(_))
    }
}

/// One delivery of racks.
#[derive(Clone, Debug)]
pub struct Phase {
    /// Index into [`Config::rack_types`].
    pub rack_type: usize,
    /// Racks delivered.
    pub count: u32,
    /// Planned delivery.
    pub planned: SimTime,
    /// Random delay added to the planned date.
    pub delay: Option<Distribution>,
    /// Spare nodes delivered with the phase.
    pub spare_nodes: u32,
    /// Racks retire this long after commissioning.
    pub end_of_life: Option<SimDuration>,
}

/// Longest duration one draw of a [`Distribution`] gives: 100 years of 365
/// days. A longer draw (a heavy log-normal tail) is cut to it, so a repair
/// or delay never pushes an event past the clock's range.
pub const MAX_DRAW: SimDuration = SimDuration(100 * 365 * 86_400_000_000);

/// A distribution of durations.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Always this.
    Fixed(SimDuration),
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: SimDuration,
        /// Upper bound.
        max: SimDuration,
    },
    /// Exponential with this mean.
    Exponential {
        /// Mean.
        mean: SimDuration,
    },
    /// Log-normal: `median · exp(sigma · Z)`, Z standard normal.
    LogNormal {
        /// Median.
        median: SimDuration,
        /// Standard deviation of the natural log.
        sigma: f64,
    },
}

impl Distribution {
    /// One draw, at most [`MAX_DRAW`] (a longer draw is cut to it).
    pub fn sample(&self, rng: &mut StreamRng) -> SimDuration {
        let d = self.draw(rng);
        if d > MAX_DRAW { MAX_DRAW } else { d }
    }

    fn draw(&self, rng: &mut StreamRng) -> SimDuration {
        match self {
            Distribution::Fixed(d) => *d,
            Distribution::Uniform { min, max } => {
                if max.0 > min.0 {
                    SimDuration(rng.random_range(min.0..=max.0))
                } else {
                    *min
                }
            }
            Distribution::Exponential { mean } => {
                let x: f64 = Exp::new(1.0).expect("rate 1 is valid").sample(rng);
                SimDuration::from_secs_f64(x * mean.seconds())
            }
            Distribution::LogNormal { median, sigma } => {
                let z: f64 = LogNormal::new(0.0, *sigma)
                    .expect("validated sigma")
                    .sample(rng);
                SimDuration::from_secs_f64(z * median.seconds())
            }
        }
    }

    #[cfg(test)]
    /// The mean \[h\].
    pub fn mean_hours(&self) -> f64 {
        match self {
            Distribution::Fixed(d) => d.hours(),
            Distribution::Uniform { min, max } => (min.hours() + max.hours()) / 2.0,
            Distribution::Exponential { mean } => mean.hours(),
            Distribution::LogNormal { median, sigma } => {
                median.hours() * (sigma * sigma / 2.0).exp()
            }
        }
    }
}

/// A value that follows the calendar: electricity price or carbon intensity.
#[derive(Clone, Debug, PartialEq)]
pub enum Tariff {
    /// The same at all times.
    Flat(f64),
    /// A base value, overridden during bands (the last matching band wins).
    Bands {
        /// Value outside the bands.
        base: f64,
        /// The bands.
        bands: Vec<Band>,
    },
    /// Values from a file: each applies from its time until the next.
    Series(Vec<(SimTime, f64)>),
}

/// A band of hours on some days.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// Which days.
    pub days: Days,
    /// First hour, 0–23.
    pub from_hour: u32,
    /// End hour (exclusive), 1–24.
    pub to_hour: u32,
    /// The value during the band.
    pub value: f64,
}

impl Tariff {
    /// The value in force at `t`. Changes happen only on hour boundaries.
    pub fn at(&self, calendar: &Calendar, t: SimTime) -> f64 {
        match self {
            Tariff::Flat(v) => *v,
            Tariff::Bands { base, bands } => {
                let hour = calendar.hour_of_day(t);
                let weekend = matches!(calendar.date(t).weekday(), Weekday::Sat | Weekday::Sun);
                bands
                    .iter()
                    .rev()
                    .find(|b| {
                        let day_ok = match b.days {
                            Days::All => true,
                            Days::Weekdays => !weekend,
                            Days::Weekends => weekend,
                        };
                        day_ok && hour >= b.from_hour && hour < b.to_hour
                    })
                    .map_or(*base, |b| b.value)
            }
            Tariff::Series(points) => {
                let i = points.partition_point(|(from, _)| *from <= t);
                points[i.saturating_sub(1)].1
            }
        }
    }

    /// Whether it can change over time.
    pub fn varies(&self) -> bool {
        !matches!(self, Tariff::Flat(_))
    }
}

/// A validated planned maintenance window (`[[maintenance]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Maintenance {
    /// Index into [`Config::sites`].
    pub site: usize,
    /// Index into [`Config::rack_types`] of the only rack model it
    /// takes down, or `None` for every rack of the site.
    pub rack_type: Option<usize>,
    /// When the first window opens.
    pub start: SimTime,
    /// How long each window lasts.
    pub duration: SimDuration,
    /// Period of the windows after the first (longer than `duration`), or
    /// `None` for one window.
    pub every: Option<SimDuration>,
    /// Share of the racks each window takes, rolling (0–1; 1 all).
    pub fraction: f64,
}

/// One failure class as the scenario sets it.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureClass {
    /// Which class.
    pub kind: FailureKind,
    /// Failures per component-hour: the scenario's rate or the class's
    /// default. For `gpu` and `hbm` left unset it is 0 here, as each rack
    /// model's chip has its own figure: the parts of a rack model fail at
    /// [`RackType::failure_rates`], which hold the resolved rate of every
    /// class; this one is read for the parts of no rack model (sites,
    /// inter-site links).
    pub rate_per_hour: f64,
    /// Time-to-failure law.
    pub lifetime: Lifetime,
    /// Repair time.
    pub repair: Distribution,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;
    use chrono::NaiveDate;

    #[test]
    fn bands_override_the_base_on_their_days() {
        // 2026-01-05 is a Monday.
        let cal = Calendar::new(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        let t = Tariff::Bands {
            base: 40.0,
            bands: vec![Band {
                days: Days::Weekdays,
                from_hour: 7,
                to_hour: 22,
                value: 90.0,
            }],
        };
        let h =
            |d: u64, h: u64| SimTime::ZERO + SimDuration::from_days(d) + SimDuration::from_hours(h);
        assert_eq!(t.at(&cal, h(0, 6)), 40.0);
        assert_eq!(t.at(&cal, h(0, 7)), 90.0);
        assert_eq!(t.at(&cal, h(0, 21)), 90.0);
        assert_eq!(t.at(&cal, h(0, 22)), 40.0);
        assert_eq!(t.at(&cal, h(5, 12)), 40.0, "Saturday");
    }

    #[test]
    fn series_steps_at_each_point() {
        let cal = Calendar::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let t = Tariff::Series(vec![(SimTime(0), 1.0), (SimTime(100), 2.0)]);
        assert_eq!(t.at(&cal, SimTime(0)), 1.0);
        assert_eq!(t.at(&cal, SimTime(99)), 1.0);
        assert_eq!(t.at(&cal, SimTime(100)), 2.0);
        assert_eq!(t.at(&cal, SimTime(10_000)), 2.0);
    }

    #[test]
    fn distributions_have_their_means() {
        let mut rng = RngStreams::new(3).stream("test");
        let n = 200_000;
        for d in [
            Distribution::Exponential {
                mean: SimDuration::from_hours(10),
            },
            Distribution::Uniform {
                min: SimDuration::from_hours(2),
                max: SimDuration::from_hours(6),
            },
            Distribution::LogNormal {
                median: SimDuration::from_hours(4),
                sigma: 0.5,
            },
        ] {
            let mean: f64 = (0..n).map(|_| d.sample(&mut rng).hours()).sum::<f64>() / n as f64;
            assert!(
                (mean / d.mean_hours() - 1.0).abs() < 0.01,
                "{d:?}: {mean} vs {}",
                d.mean_hours()
            );
        }
        assert_eq!(
            Distribution::Fixed(SimDuration::from_hours(3)).sample(&mut rng),
            SimDuration::from_hours(3)
        );
    }

    #[test]
    fn pue_design_is_the_worst_month() {
        let mut m = [1.1; 12];
        m[6] = 1.35;
        let p = Pue::Monthly(m);
        assert_eq!(p.design(), 1.35);
        assert_eq!(p.in_month(7), 1.35);
        assert_eq!(p.in_month(1), 1.1);
    }
}
