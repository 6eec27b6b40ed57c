//! Physical and financial quantities as types.
//!
//! Each quantity is a thin newtype over `f64` in one fixed SI-style unit, named
//! in its doc comment. Mixing two units is a type error; converting is explicit
//! (`Watts::from_mw`, `.mwh()`, …). Arithmetic that makes sense within one unit
//! (`+`, `-`, scaling by a plain `f64`, ratio of two values) is provided; the
//! few cross-unit products the model needs (power × time = energy,
//! energy × price = money) are written out below.

use std::fmt;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $unit:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
        pub struct $name(pub f64);

        // The whole arithmetic of a quantity; each unit uses what it needs.
        #[allow(dead_code)]
        impl $name {
            /// Zero of this quantity.
            pub const ZERO: Self = Self(0.0);
            /// The raw value in this type's unit.
            pub fn value(self) -> f64 {
                self.0
            }
            /// The larger of two values.
            pub fn max(self, other: Self) -> Self {
                Self(self.0.max(other.0))
            }
            /// The smaller of two values.
            pub fn min(self, other: Self) -> Self {
                Self(self.0.min(other.0))
            }
        }
        impl Add for $name {
            type Output = Self;
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }
        impl AddAssign for $name {
            fn add_assign(&mut self, rhs: Self) {
                self.0 += rhs.0;
            }
        }
        impl Sub for $name {
            type Output = Self;
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 - rhs.0)
            }
        }
        impl SubAssign for $name {
            fn sub_assign(&mut self, rhs: Self) {
                self.0 -= rhs.0;
            }
        }
        impl Neg for $name {
            type Output = Self;
            fn neg(self) -> Self {
                Self(-self.0)
            }
        }
        impl Mul<f64> for $name {
            type Output = Self;
            fn mul(self, rhs: f64) -> Self {
                Self(self.0 * rhs)
            }
        }
        impl Div<f64> for $name {
            type Output = Self;
            fn div(self, rhs: f64) -> Self {
                Self(self.0 / rhs)
            }
        }
        impl Div for $name {
            type Output = f64;
            fn div(self, rhs: Self) -> f64 {
                self.0 / rhs.0
            }
        }
        impl std::iter::Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                Self(iter.map(|q| q.0).sum())
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.0, $unit)
            }
        }
    };
}

quantity!(
    /// Electrical power \[W\].
    Watts,
    "W"
);
quantity!(
    /// Energy \[J\] (1 MWh = 3.6e9 J).
    Joules,
    "J"
);
quantity!(
    /// Money \[USD\].
    Usd,
    "USD"
);
quantity!(
    /// Data size \[B\].
    Bytes,
    "B"
);
quantity!(
    /// Data rate [bit/s].
    BitsPerSecond,
    "bit/s"
);
quantity!(
    /// Computation rate [FLOP/s].
    FlopsPerSecond,
    "FLOP/s"
);
quantity!(
    /// Memory bandwidth [B/s].
    BytesPerSecond,
    "B/s"
);
quantity!(
    /// Mass of CO2-equivalent emissions \[kg\].
    KgCo2e,
    "kgCO2e"
);

/// Joules in one megawatt-hour.
pub const JOULES_PER_MWH: f64 = 3.6e9;

impl Watts {
    /// From megawatts.
    pub fn from_mw(mw: f64) -> Self {
        Self(mw * 1e6)
    }
    /// From kilowatts.
    pub fn from_kw(kw: f64) -> Self {
        Self(kw * 1e3)
    }
    /// In megawatts.
    pub fn mw(self) -> f64 {
        self.0 / 1e6
    }
    /// In kilowatts.
    pub fn kw(self) -> f64 {
        self.0 / 1e3
    }
    /// Energy drawn at this power for `seconds` \[s\].
    pub fn over_seconds(self, seconds: f64) -> Joules {
        Joules(self.0 * seconds)
    }
}

impl Joules {
    /// In megawatt-hours.
    pub fn mwh(self) -> f64 {
        self.0 / JOULES_PER_MWH
    }
}

impl KgCo2e {
    /// In metric tonnes of CO2-equivalent.
    pub fn tonnes(self) -> f64 {
        self.0 / 1e3
    }
}

impl FlopsPerSecond {
    /// From TFLOP/s (1e12 FLOP/s), the unit vendors publish.
    pub fn from_tflops(tflops: f64) -> Self {
        Self(tflops * 1e12)
    }
    /// In TFLOP/s.
    pub fn tflops(self) -> f64 {
        self.0 / 1e12
    }
}

impl Bytes {
    /// From gigabytes (1e9 B).
    pub fn from_gb(gb: f64) -> Self {
        Self(gb * 1e9)
    }
    /// In gigabytes (1e9 B).
    pub fn gb(self) -> f64 {
        self.0 / 1e9
    }
}

impl BytesPerSecond {
    /// From TB/s (1e12 B/s).
    pub fn from_tbps(tbps: f64) -> Self {
        Self(tbps * 1e12)
    }
    /// From GB/s (1e9 B/s).
    pub fn from_gbps(gbps: f64) -> Self {
        Self(gbps * 1e9)
    }
    /// In TB/s.
    pub fn tbps(self) -> f64 {
        self.0 / 1e12
    }
    /// In GB/s.
    pub fn gbps(self) -> f64 {
        self.0 / 1e9
    }
}

impl BitsPerSecond {
    /// From Gb/s (1e9 bit/s).
    pub fn from_gbps(gbps: f64) -> Self {
        Self(gbps * 1e9)
    }
    /// In Gb/s.
    pub fn gbps(self) -> f64 {
        self.0 / 1e9
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_times_time_is_energy() {
        // 1 MW for one hour is 1 MWh.
        let e = Watts::from_mw(1.0).over_seconds(3600.0);
        assert!((e.mwh() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn same_unit_arithmetic() {
        let a = Watts(700.0);
        let b = Watts(100.0);
        assert_eq!(a - b, Watts(600.0));
        assert_eq!((a - b) * 0.5, Watts(300.0));
        assert_eq!(a / b, 7.0);
        assert_eq!(vec![a, b].into_iter().sum::<Watts>(), Watts(800.0));
    }
}
