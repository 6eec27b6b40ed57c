//! Power and energy of one site, kept incrementally.
//!
//! # Model
//!
//! - A healthy, powered chip at utilization `u` draws
//!   `P_chip = P_idle + (P_tdp − P_idle) · u`; a failed or unpowered chip draws 0.
//! - IT power = Σ chips + Σ overhead of powered racks.
//!   The site keeps `Σ P_idle` and `Σ (P_tdp − P_idle)` over its available
//!   chips, updated by each event that changes a chip's state, so
//!   `IT = overhead + idle + u · dynamic` costs O(1).
//! - Facility power = IT × PUE(t).
//! - **Power cap.** The site never draws more than its grid connection `G`.
//!   When `(overhead + idle + u · dynamic) · PUE > G`, the chips' dynamic power
//!   is scaled by the cap factor `s = (G / PUE − overhead − idle) / (u ·
//!   dynamic)`, clamped to `[0, 1]`; if even idle draw does not fit, IT power is
//!   pinned at `G / PUE` (chips held in a low-power state). A capped chip runs
//!   slower: with dynamic power ∝ f·V² and V ∝ f, power ∝ f³, so its speed is
//!   `s^(1/3)` of full speed (the DVFS cube law; a simplification — real
//!   accelerators lose less at mild caps). The site reports the chip-hours run
//!   under a cap and the chip-hours of work lost,
//!   `Σ chips · u · (1 − s^(1/3)) · Δt`.
//! - Power is constant between events, so energy is integrated exactly:
//!   `E += P · Δt` whenever anything changes, and cost and carbon use the price
//!   and intensity in force over that interval (they change only on hour
//!   boundaries, which are events).

use crate::engine::SimTime;
use crate::units::{JOULES_PER_MWH, Joules, KgCo2e, Usd, Watts};

/// Running totals of a site since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EnergyTotals {
    /// IT energy.
    pub it: Joules,
    /// Facility energy.
    pub facility: Joules,
    /// Energy cost.
    pub cost: Usd,
    /// Emissions.
    pub carbon: KgCo2e,
    /// Chip-hours run under a power cap.
    pub throttled_chip_hours: f64,
    /// Chip-hours of work lost to the cap.
    pub lost_chip_hours: f64,
    /// Online chip-hours.
    pub online_chip_hours: f64,
    /// Healthy (available) chip-hours.
    pub healthy_chip_hours: f64,
}

impl EnergyTotals {
    /// `self − earlier`, field by field: the totals of an interval.
    pub fn since(&self, earlier: &EnergyTotals) -> EnergyTotals {
        EnergyTotals {
            it: self.it - earlier.it,
            facility: self.facility - earlier.facility,
            cost: self.cost - earlier.cost,
            carbon: self.carbon - earlier.carbon,
            throttled_chip_hours: self.throttled_chip_hours - earlier.throttled_chip_hours,
            lost_chip_hours: self.lost_chip_hours - earlier.lost_chip_hours,
            online_chip_hours: self.online_chip_hours - earlier.online_chip_hours,
            healthy_chip_hours: self.healthy_chip_hours - earlier.healthy_chip_hours,
        }
    }
}

/// The electrical state of one site.
#[derive(Clone, Debug, Default)]
pub struct SitePower {
    /// Σ idle draw of available chips [W].
    pub idle: Watts,
    /// Σ (TDP − idle) of available chips [W].
    pub dynamic: Watts,
    /// Σ overhead of powered racks [W].
    pub overhead: Watts,
    /// Grid connection in force [W].
    pub grid: Watts,
    /// PUE in force.
    pub pue: f64,
    /// Price in force [USD/MWh].
    pub price_usd_per_mwh: f64,
    /// Carbon intensity in force [kgCO2e/MWh].
    pub carbon_kg_per_mwh: f64,
    /// Whether the whole site is dark (outage).
    pub dark: bool,

    /// IT power drawn now [W] (after the cap).
    pub it: Watts,
    /// Cap factor on dynamic power now, 0–1.
    pub cap: f64,
    /// Available chips now (for chip-hour accounting).
    pub chips_available: u64,
    /// Online chips now.
    pub chips_online: u64,

    /// When the totals were last brought up to date.
    pub updated: SimTime,
    /// Totals since the start.
    pub totals: EnergyTotals,
}

impl SitePower {
    /// Facility power now [W].
    pub fn facility(&self) -> Watts {
        self.it * self.pue
    }

    /// Makes `chips` chips of one model (idle draw `idle`, TDP − idle
    /// `dynamic`, per chip) available: they count and draw from now on.
    pub fn add_available(&mut self, chips: u64, idle: Watts, dynamic: Watts) {
        self.chips_available += chips;
        self.idle += idle * chips as f64;
        self.dynamic += dynamic * chips as f64;
    }

    /// The reverse of [`add_available`](Self::add_available).
    pub fn remove_available(&mut self, chips: u64, idle: Watts, dynamic: Watts) {
        self.chips_available -= chips;
        self.idle -= idle * chips as f64;
        self.dynamic -= dynamic * chips as f64;
    }

    /// Chips actually drawing power now.
    pub fn chips_powered(&self) -> u64 {
        if self.dark { 0 } else { self.chips_available }
    }

    /// Integrates energy, cost, carbon and chip-hours from the last update to
    /// `now` at the current (constant) power. Call before changing anything.
    pub fn advance(&mut self, now: SimTime, utilization: f64) {
        let dt = now.since(self.updated);
        if dt.0 == 0 {
            return;
        }
        let seconds = dt.seconds();
        let hours = dt.hours();
        let it = self.it.over_seconds(seconds);
        let facility = self.facility().over_seconds(seconds);
        let mwh = facility.0 / JOULES_PER_MWH;
        let t = &mut self.totals;
        t.it += it;
        t.facility += facility;
        t.cost += Usd(mwh * self.price_usd_per_mwh);
        t.carbon += KgCo2e(mwh * self.carbon_kg_per_mwh);
        let powered = if self.dark { 0 } else { self.chips_available } as f64;
        t.online_chip_hours += self.chips_online as f64 * hours;
        t.healthy_chip_hours += powered * hours;
        if self.cap < 1.0 {
            t.throttled_chip_hours += powered * hours;
            t.lost_chip_hours += powered * utilization * (1.0 - self.cap.cbrt()) * hours;
        }
        self.updated = now;
    }

    /// Recomputes IT power and the cap factor from the sums. Call after any
    /// change (having called [`advance`](Self::advance) before it).
    pub fn refresh(&mut self, utilization: f64) {
        if self.dark {
            self.it = Watts::ZERO;
            self.cap = 1.0;
            return;
        }
        let dynamic = self.dynamic * utilization;
        let demand = self.overhead + self.idle + dynamic;
        let limit = self.grid / self.pue;
        if demand <= limit {
            self.it = demand;
            self.cap = 1.0;
        } else {
            let room = limit - self.overhead - self.idle;
            self.cap = if dynamic.0 > 0.0 {
                (room / dynamic).clamp(0.0, 1.0)
            } else {
                0.0
            };
            self.it = limit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    fn site() -> SitePower {
        SitePower {
            grid: Watts::from_mw(1.0),
            pue: 1.25,
            price_usd_per_mwh: 50.0,
            carbon_kg_per_mwh: 400.0,
            cap: 1.0,
            ..Default::default()
        }
    }

    /// One GB200 NVL72 rack (72 × 1,200 W TDP, 180 W idle, 33.6 kW overhead)
    /// at utilization 0.5 for one day.
    #[test]
    fn one_rack_for_a_day() {
        let mut s = site();
        s.idle = Watts(72.0 * 180.0);
        s.dynamic = Watts(72.0 * (1200.0 - 180.0));
        s.overhead = Watts(33_600.0);
        s.chips_available = 72;
        s.chips_online = 72;
        s.refresh(0.5);
        // IT = 33,600 + 72 × 180 + 0.5 × 72 × 1,020 = 33,600 + 12,960 + 36,720 = 83,280 W.
        assert!((s.it.0 - 83_280.0).abs() < 1e-9);
        let day = SimTime::ZERO + SimDuration::from_days(1);
        s.advance(day, 0.5);
        // Facility energy = 83,280 W × 1.25 × 24 h = 2.4984 MWh.
        assert!((s.totals.facility.mwh() - 2.4984).abs() < 1e-12);
        assert!((s.totals.it.mwh() - 1.99872).abs() < 1e-12);
        // Cost = 2.4984 MWh × $50 = $124.92; carbon = 2.4984 × 400 kg = 999.36 kg.
        assert!((s.totals.cost.0 - 124.92).abs() < 1e-9);
        assert!((s.totals.carbon.0 - 999.36).abs() < 1e-9);
        assert!((s.totals.healthy_chip_hours - 72.0 * 24.0).abs() < 1e-9);
        assert_eq!(s.totals.throttled_chip_hours, 0.0);
    }

    #[test]
    fn cap_keeps_facility_power_at_the_grid() {
        let mut s = site();
        // Demand: 100 kW overhead + 200 kW idle + 1 × 700 kW dynamic = 1 MW IT,
        // 1.25 MW facility against a 1 MW grid: limit IT = 800 kW.
        s.overhead = Watts::from_kw(100.0);
        s.idle = Watts::from_kw(200.0);
        s.dynamic = Watts::from_kw(700.0);
        s.chips_available = 1000;
        s.refresh(1.0);
        assert!((s.facility().0 - 1e6).abs() < 1e-6);
        // Cap = (800 − 100 − 200) / 700 = 5/7.
        assert!((s.cap - 5.0 / 7.0).abs() < 1e-12);
        s.advance(SimTime::ZERO + SimDuration::from_hours(2), 1.0);
        assert!((s.totals.throttled_chip_hours - 2000.0).abs() < 1e-9);
        let lost = 1000.0 * (1.0 - (5.0f64 / 7.0).cbrt()) * 2.0;
        assert!((s.totals.lost_chip_hours - lost).abs() < 1e-9);
    }

    #[test]
    fn idle_beyond_the_grid_pins_power_at_the_grid() {
        let mut s = site();
        s.overhead = Watts::from_kw(500.0);
        s.idle = Watts::from_kw(500.0);
        s.dynamic = Watts::from_kw(100.0);
        s.refresh(0.5);
        assert_eq!(s.cap, 0.0);
        assert!((s.facility().0 - 1e6).abs() < 1e-6);
    }

    #[test]
    fn a_dark_site_draws_nothing() {
        let mut s = site();
        s.overhead = Watts::from_kw(500.0);
        s.dark = true;
        s.refresh(0.5);
        assert_eq!(s.it, Watts::ZERO);
    }
}
