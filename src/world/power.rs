//! Power and energy of one site, kept incrementally.
//!
//! # Model
//!
//! - A healthy, powered chip at utilization `u` draws
//!   `P_chip = P_idle + (P_tdp − P_idle) · u`; a failed or unpowered chip draws 0.
//! - **Which `u`.** A chip held by an allocation (a workload's gang of scale-up
//!   domains) runs at that allocation's utilization. A chip no allocation
//!   holds runs at the *background* utilization: in a scenario without
//!   workloads that is `[load] utilization`, so every healthy chip carries
//!   the same synthetic load.
//! - IT power = Σ chips + Σ overhead of powered racks. The site keeps, over
//!   its available chips, `Σ P_idle`, `Σ (P_tdp − P_idle)`, and over the
//!   chips allocations hold, `Σ (P_tdp − P_idle)` and `Σ (P_tdp − P_idle) · u`,
//!   all in **integer milliwatts**, so adds and removes over seven years
//!   cannot drift, and each event that changes a chip's state or an
//!   allocation's utilization updates them in O(1). Then
//!   `IT = overhead + idle + load`, with
//!   `load = Σ_alloc dyn·u + background · (Σ dyn − Σ_alloc dyn)`.
//! - Facility power = IT × PUE(t).
//! - **Power cap.** The site never draws more than its grid connection `G`.
//!   When `(overhead + idle + load) · PUE > G`, the chips' dynamic power
//!   is scaled by the cap factor `s = (G / PUE − overhead − idle) / load`,
//!   clamped to `[0, 1]`. A capped chip runs slower: with dynamic power ∝ f·V²
//!   and V ∝ f, power ∝ f³, so its speed is `s^(1/3)` of full speed (the DVFS
//!   cube law; a simplification — real accelerators lose less at mild caps).
//!   The site reports the chip-hours run under a cap and the chip-hours of
//!   work lost, `Σ chips · u · (1 − s^(1/3)) · Δt`.
//! - **Floor.** Overhead and idle draw cannot be capped: build-out admission
//!   keeps them under the grid (see the crate's build-out docs), and were
//!   they ever above it the site would draw them anyway (`s = 0`), never
//!   less than what its powered racks draw.
//! - Power is constant between events, so energy is integrated exactly:
//!   `E += P · Δt` whenever anything changes, and cost and carbon use the price
//!   and intensity in force over that interval (they change only on hour
//!   boundaries, which are events).
//! - **Per rack model.** Beside the site's sums, the site keeps for each rack
//!   model its build-out contains ([`ModelCapacity`]) the racks and chips
//!   online, the chips available and the chips allocations hold, as exact
//!   integers, and integrates chips online, chips healthy and powered, and
//!   chips held and powered over time in **integer chip-microseconds**. A
//!   change of a chip's state names its rack model, so it stays O(1);
//!   [`advance`](SitePower::advance) integrates every model of the site,
//!   O(rack models of the site). Σ over models of each count equals the
//!   site's, and Σ of the healthy integral is the site's
//!   `healthy_chip_hours` (up to the rounding of the site's `f64` sum).

use crate::engine::SimTime;
use crate::engine::time::MICROS_PER_HOUR;
use crate::units::{JOULES_PER_MWH, Joules, KgCo2e, Usd, Watts};

/// The slot of a rack model the site's build-out does not contain.
const NO_SLOT: u32 = u32::MAX;

/// One rack model at one site: counts now, and chip-time integrals since
/// the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModelCapacity {
    /// Position of the rack model in the scenario's rack types.
    pub rack_type: usize,
    /// Racks of the model commissioned and not retired.
    pub racks_online: u32,
    /// Chips in those racks.
    pub chips_online: u64,
    /// Chips of the model available: healthy, in a powered rack (counted
    /// while the site is dark; see [`SitePower::chips_powered`]).
    pub chips_available: u64,
    /// Available chips of the model held by allocations.
    pub chips_held: u64,
    /// ∫ chips online dt since the start [chip·µs].
    pub online_chip_micros: u128,
    /// ∫ chips available and powered (0 while the site is dark) dt since
    /// the start [chip·µs].
    pub healthy_chip_micros: u128,
    /// ∫ chips held, available and powered (0 while the site is dark) dt
    /// since the start [chip·µs].
    pub held_chip_micros: u128,
}

impl ModelCapacity {
    /// Chip-hours of an integral in chip-microseconds.
    pub fn chip_hours(micros: u128) -> f64 {
        // An interval's integral fits in 64 bits unless it spans years of
        // millions of chips; that conversion is one instruction.
        let micros = u64::try_from(micros).map_or(micros as f64, |m| m as f64);
        micros / MICROS_PER_HOUR as f64
    }
}

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
    /// Σ idle draw of available chips \[mW\].
    pub idle_milliwatts: i64,
    /// Σ (TDP − idle) of available chips \[mW\].
    pub dynamic_milliwatts: i64,
    /// Σ overhead of powered racks \[mW\].
    pub overhead_milliwatts: i64,
    /// Σ (TDP − idle) of available chips held by allocations \[mW\].
    pub held_dynamic_milliwatts: i64,
    /// Σ (TDP − idle) · u of available chips held by allocations \[mW\].
    pub held_load_milliwatts: i64,
    /// Σ u of available chips held by allocations [millionths of a chip].
    pub held_chip_micros: i64,
    /// Available chips held by allocations.
    pub held_chips: u64,
    /// Utilization of chips no allocation holds, 0–1.
    pub background: f64,
    /// Grid connection in force \[W\].
    pub grid: Watts,
    /// PUE in force.
    pub pue: f64,
    /// Price in force [USD/MWh].
    pub price_usd_per_mwh: f64,
    /// Carbon intensity in force [kgCO2e/MWh].
    pub carbon_kg_per_mwh: f64,
    /// Whether the whole site is dark (outage).
    pub dark: bool,

    /// IT power drawn now \[W\] (after the cap).
    pub it: Watts,
    /// Cap factor on dynamic power now, 0–1.
    pub cap: f64,
    /// Available chips now (for chip-hour accounting).
    pub chips_available: u64,
    /// Online chips now.
    pub chips_online: u64,
    /// The rack models of the site's build-out, in scenario order.
    models: Vec<ModelCapacity>,
    /// By scenario rack type: its position in `models` (`NO_SLOT` if none).
    slots: Vec<u32>,
    /// The models' chip-time integrals run up to here: from here to
    /// `updated` their counts and the site's darkness have not changed
    /// (see [`advance_energy`](Self::advance_energy)).
    models_since: SimTime,
    /// `chips_online` and `chips_available` as `f64` (the same values),
    /// for the chip-hour sums of every [`advance`](Self::advance).
    online_f64: f64,
    available_f64: f64,

    /// When the totals were last brought up to date.
    pub updated: SimTime,
    /// Totals since the start.
    pub totals: EnergyTotals,
}

fn watts(milliwatts: i64) -> Watts {
    Watts(milliwatts as f64 / 1000.0)
}

impl SitePower {
    /// Facility power now \[W\].
    pub fn facility(&self) -> Watts {
        self.it * self.pue
    }

    /// Tracks, per rack model, the models of the scenario's `types` rack
    /// types that `present` lists (the site's build-out); each later change
    /// of chips names one of them. Call once, before any change.
    pub fn track_models(&mut self, types: usize, present: impl IntoIterator<Item = usize>) {
        let mut present_at = vec![false; types];
        for rack_type in present {
            present_at[rack_type] = true;
        }
        self.slots = vec![NO_SLOT; types];
        self.models.clear();
        for (rack_type, _) in present_at.iter().enumerate().filter(|(_, p)| **p) {
            self.slots[rack_type] = self.models.len() as u32;
            self.models.push(ModelCapacity {
                rack_type,
                ..ModelCapacity::default()
            });
        }
    }

    /// The rack models of the site, in scenario order: their integrals up
    /// to the last [`advance`](Self::advance).
    pub fn models(&self) -> &[ModelCapacity] {
        &self.models
    }

    /// The counters of a rack model the site tracks.
    fn model(&mut self, rack_type: usize) -> &mut ModelCapacity {
        self.settle_models(self.updated);
        let slot = self.slots[rack_type];
        debug_assert_ne!(slot, NO_SLOT, "rack model {rack_type} is not tracked");
        &mut self.models[slot as usize]
    }

    /// `racks` racks of model `rack_type` holding `chips` chips come online
    /// (commissioned); their chips become available separately
    /// ([`add_available`](Self::add_available)).
    pub fn add_online(&mut self, rack_type: usize, racks: u32, chips: u64) {
        self.chips_online += chips;
        self.online_f64 = self.chips_online as f64;
        let m = self.model(rack_type);
        m.racks_online += racks;
        m.chips_online += chips;
    }

    /// The reverse of [`add_online`](Self::add_online) (retirement).
    pub fn remove_online(&mut self, rack_type: usize, racks: u32, chips: u64) {
        self.chips_online -= chips;
        self.online_f64 = self.chips_online as f64;
        let m = self.model(rack_type);
        m.racks_online -= racks;
        m.chips_online -= chips;
    }

    /// Makes `chips` chips of rack model `rack_type` (idle draw `idle_milliwatts`,
    /// TDP − idle `dynamic_milliwatts`, per chip \[mW\]) available: they count and
    /// draw from now on, at the background utilization.
    pub fn add_available(
        &mut self,
        rack_type: usize,
        chips: u64,
        idle_milliwatts: i64,
        dynamic_milliwatts: i64,
    ) {
        self.chips_available += chips;
        self.available_f64 = self.chips_available as f64;
        self.idle_milliwatts += idle_milliwatts * chips as i64;
        self.dynamic_milliwatts += dynamic_milliwatts * chips as i64;
        self.model(rack_type).chips_available += chips;
    }

    /// The reverse of [`add_available`](Self::add_available).
    pub fn remove_available(
        &mut self,
        rack_type: usize,
        chips: u64,
        idle_milliwatts: i64,
        dynamic_milliwatts: i64,
    ) {
        self.chips_available -= chips;
        self.available_f64 = self.chips_available as f64;
        self.idle_milliwatts -= idle_milliwatts * chips as i64;
        self.dynamic_milliwatts -= dynamic_milliwatts * chips as i64;
        self.model(rack_type).chips_available -= chips;
    }

    /// Moves `chips` available chips of rack model `rack_type` (TDP − idle
    /// `dynamic_milliwatts` each) under an allocation running them at `load_milliwatts`
    /// each (`dynamic_milliwatts · u`, rounded) and utilization `u_micros`
    /// millionths.
    pub fn hold(
        &mut self,
        rack_type: usize,
        chips: u64,
        dynamic_milliwatts: i64,
        load_milliwatts: i64,
        u_micros: i64,
    ) {
        let n = chips as i64;
        self.held_chips += chips;
        self.held_dynamic_milliwatts += dynamic_milliwatts * n;
        self.held_load_milliwatts += load_milliwatts * n;
        self.held_chip_micros += u_micros * n;
        self.model(rack_type).chips_held += chips;
    }

    /// The reverse of [`hold`](Self::hold).
    pub fn release(
        &mut self,
        rack_type: usize,
        chips: u64,
        dynamic_milliwatts: i64,
        load_milliwatts: i64,
        u_micros: i64,
    ) {
        let n = chips as i64;
        self.held_chips -= chips;
        self.held_dynamic_milliwatts -= dynamic_milliwatts * n;
        self.held_load_milliwatts -= load_milliwatts * n;
        self.held_chip_micros -= u_micros * n;
        self.model(rack_type).chips_held -= chips;
    }

    /// Moves the load of `chips` held chips from `was_load` to `load`
    /// milliwatts each and their utilization from `was_u` to `u` millionths:
    /// the sums a [`release`](Self::release) and a [`hold`](Self::hold) of
    /// them would leave, without touching the counts of chips held.
    pub fn reload(&mut self, chips: u64, was_load: i64, load: i64, was_u: i64, u: i64) {
        let n = chips as i64;
        self.held_load_milliwatts += (load - was_load) * n;
        self.held_chip_micros += (u - was_u) * n;
    }

    /// Σ chips · u over powered chips: the chips' work rate in chip units.
    fn busy_chips(&self) -> f64 {
        let free = (self.chips_available - self.held_chips) as f64;
        free * self.background + self.held_chip_micros as f64 / 1e6
    }

    /// The chips' dynamic draw before any cap [W].
    fn load(&self) -> Watts {
        watts(self.dynamic_milliwatts - self.held_dynamic_milliwatts) * self.background
            + watts(self.held_load_milliwatts)
    }

    /// Speed of the site's chips under the cap now, `s^(1/3)` (1 = full).
    pub fn speed(&self) -> f64 {
        self.cap.cbrt()
    }

    /// Integrates energy, cost, carbon and chip-hours from the last update to
    /// `now` at the current (constant) power. Call before changing anything.
    pub fn advance(&mut self, now: SimTime) {
        self.advance_energy(now);
        self.settle_models(self.updated);
    }

    /// [`advance`](Self::advance) but for the rack models' chip-time
    /// integrals, left to the next `advance` or change of a model's counts:
    /// enough before a change that moves no chip between models' counts
    /// and leaves the site's darkness as it is (an allocation's
    /// utilization). The site's own figures (`f64` sums, in order) are
    /// integrated interval by interval as by `advance`; the models'
    /// integrals are exact integers, the same whether one interval at a
    /// time or several at once.
    #[inline]
    pub fn advance_energy(&mut self, now: SimTime) {
        let dt = now.since(self.updated);
        if dt.0 == 0 {
            return;
        }
        let seconds = dt.seconds();
        let hours = dt.hours();
        let it = self.it.over_seconds(seconds);
        let facility = self.facility().over_seconds(seconds);
        let mwh = facility.0 / JOULES_PER_MWH;
        let busy = if self.cap < 1.0 && !self.dark {
            self.busy_chips()
        } else {
            0.0
        };
        let t = &mut self.totals;
        t.it += it;
        t.facility += facility;
        t.cost += Usd(mwh * self.price_usd_per_mwh);
        t.carbon += KgCo2e(mwh * self.carbon_kg_per_mwh);
        let powered = if self.dark { 0.0 } else { self.available_f64 };
        t.online_chip_hours += self.online_f64 * hours;
        t.healthy_chip_hours += powered * hours;
        if self.cap < 1.0 {
            t.throttled_chip_hours += powered * hours;
            t.lost_chip_hours += busy * (1.0 - self.cap.cbrt()) * hours;
        }
        self.updated = now;
    }

    /// Runs the rack models' chip-time integrals up to `to` (no earlier
    /// than where they stand) at their counts now.
    fn settle_models(&mut self, to: SimTime) {
        let dt = to.since(self.models_since);
        if dt.0 == 0 {
            return;
        }
        let micros = u128::from(dt.0);
        if self.dark {
            for m in &mut self.models {
                m.online_chip_micros += u128::from(m.chips_online) * micros;
            }
        } else {
            for m in &mut self.models {
                m.online_chip_micros += u128::from(m.chips_online) * micros;
                m.healthy_chip_micros += u128::from(m.chips_available) * micros;
                m.held_chip_micros += u128::from(m.chips_held) * micros;
            }
        }
        self.models_since = to;
    }

    /// Recomputes IT power and the cap factor from the sums. Call after any
    /// change (having called [`advance`](Self::advance) before it).
    pub fn refresh(&mut self) {
        if self.dark {
            self.it = Watts::ZERO;
            self.cap = 1.0;
            return;
        }
        let dynamic = self.load();
        let floor = watts(self.overhead_milliwatts) + watts(self.idle_milliwatts);
        let demand = floor + dynamic;
        let limit = self.grid / self.pue;
        if demand <= limit {
            self.it = demand;
            self.cap = 1.0;
        } else {
            let room = limit - floor;
            self.cap = if dynamic.0 > 0.0 {
                (room / dynamic).clamp(0.0, 1.0)
            } else {
                0.0
            };
            // Never below what the powered racks draw at idle (admission and
            // validation keep the floor under the grid; this is the guard).
            self.it = if limit < floor { floor } else { limit };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    /// A site of one rack model (rack type 0).
    fn site() -> SitePower {
        let mut s = SitePower {
            grid: Watts::from_mw(1.0),
            pue: 1.25,
            price_usd_per_mwh: 50.0,
            carbon_kg_per_mwh: 400.0,
            cap: 1.0,
            ..Default::default()
        };
        s.track_models(1, [0]);
        s
    }

    /// One GB200 NVL72 rack (72 × 1,200 W TDP, 180 W idle, 33.6 kW overhead)
    /// at utilization 0.5 for one day.
    #[test]
    fn one_rack_for_a_day() {
        let mut s = site();
        s.add_available(0, 72, 180_000, 1_020_000);
        s.overhead_milliwatts = 33_600_000;
        s.background = 0.5;
        s.add_online(0, 1, 72);
        s.refresh();
        // IT = 33,600 + 72 × 180 + 0.5 × 72 × 1,020 = 33,600 + 12,960 + 36,720 = 83,280 W.
        assert!((s.it.0 - 83_280.0).abs() < 1e-9);
        let day = SimTime::ZERO + SimDuration::from_days(1);
        s.advance(day);
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
        s.overhead_milliwatts = 100_000_000;
        s.add_available(0, 1000, 200_000, 700_000);
        s.background = 1.0;
        s.refresh();
        assert!((s.facility().0 - 1e6).abs() < 1e-6);
        // Cap = (800 − 100 − 200) / 700 = 5/7.
        assert!((s.cap - 5.0 / 7.0).abs() < 1e-12);
        s.advance(SimTime::ZERO + SimDuration::from_hours(2));
        assert!((s.totals.throttled_chip_hours - 2000.0).abs() < 1e-9);
        let lost = 1000.0 * (1.0 - (5.0f64 / 7.0).cbrt()) * 2.0;
        assert!((s.totals.lost_chip_hours - lost).abs() < 1e-9);
    }

    #[test]
    fn idle_beyond_the_grid_is_drawn_not_hidden() {
        let mut s = site();
        s.overhead_milliwatts = 500_000_000;
        s.add_available(0, 1000, 500_000, 100_000);
        s.background = 0.5;
        s.refresh();
        // Overhead + idle = 1 MW IT, 1.25 MW facility > the 1 MW grid: no
        // cap removes it, so the site draws it (dynamic power capped to 0).
        assert_eq!(s.cap, 0.0);
        assert!((s.it.0 - 1e6).abs() < 1e-6);
    }

    /// Two 8-chip allocations at u = 1 and u = 0.25 beside 84 free chips at
    /// the background 0.5: each chip's dynamic range is 1,000 W.
    #[test]
    fn allocations_draw_at_their_own_utilization() {
        let mut s = site();
        s.add_available(0, 100, 100_000, 1_000_000);
        s.background = 0.5;
        s.hold(0, 8, 1_000_000, 1_000_000, 1_000_000);
        s.hold(0, 8, 1_000_000, 250_000, 250_000);
        s.refresh();
        // IT = 100 × 100 W + 8 × 1,000 W + 8 × 250 W + 84 × 500 W = 62,000 W.
        assert!((s.it.0 - 62_000.0).abs() < 1e-9, "{}", s.it.0);
        // Releasing and re-holding in any order returns to the same integer sums.
        s.release(0, 8, 1_000_000, 250_000, 250_000);
        s.hold(0, 8, 1_000_000, 250_000, 250_000);
        s.release(0, 8, 1_000_000, 1_000_000, 1_000_000);
        s.release(0, 8, 1_000_000, 250_000, 250_000);
        assert_eq!(
            (
                s.held_chips,
                s.held_load_milliwatts,
                s.held_dynamic_milliwatts
            ),
            (0, 0, 0)
        );
        s.refresh();
        // Every chip at the background: 100 × (100 + 500) W.
        assert!((s.it.0 - 60_000.0).abs() < 1e-9);
    }

    /// Two rack models of a scenario's three at one site (types 0 and 2):
    /// 2 racks of 72 chips and 1 rack of 64. At 2 h an allocation takes 72
    /// chips of type 0 and a node of 8 chips of type 2 fails; at 3 h the
    /// site goes dark for 2 h; at 5 h it is back, the allocation released
    /// and the node repaired; the run ends at 6 h.
    #[test]
    fn rack_models_integrate_their_own_chip_hours() {
        let mut s = site();
        s.track_models(3, [2, 0, 2]);
        let types: Vec<usize> = s.models().iter().map(|m| m.rack_type).collect();
        assert_eq!(
            types,
            [0, 2],
            "the site's models, once each, in scenario order"
        );
        let at = |h: u64| SimTime::ZERO + SimDuration::from_hours(h);
        s.add_online(0, 2, 144);
        s.add_available(0, 144, 100_000, 1_000_000);
        s.add_online(2, 1, 64);
        s.add_available(2, 64, 50_000, 500_000);
        s.advance(at(2));
        s.hold(0, 72, 1_000_000, 500_000, 500_000);
        s.remove_available(2, 8, 50_000, 500_000);
        let held: u64 = s.models().iter().map(|m| m.chips_held).sum();
        let available: u64 = s.models().iter().map(|m| m.chips_available).sum();
        assert_eq!((held, available), (s.held_chips, s.chips_available));
        s.advance(at(3));
        s.dark = true;
        s.advance(at(5));
        s.dark = false;
        s.release(0, 72, 1_000_000, 500_000, 500_000);
        s.add_available(2, 8, 50_000, 500_000);
        s.advance(at(6));
        let hours = |m: &ModelCapacity| {
            [
                m.online_chip_micros,
                m.healthy_chip_micros,
                m.held_chip_micros,
            ]
            .map(ModelCapacity::chip_hours)
        };
        // Type 0: online 144 × 6 h; healthy 144 × (2 + 1 + 1) h (not while
        // dark); held 72 × 1 h (2–3 h; 3–5 h dark).
        assert_eq!(hours(&s.models()[0]), [864.0, 576.0, 72.0]);
        // Type 2: online 64 × 6 h; healthy 64 × 2 + 56 × 1 + 64 × 1 h.
        assert_eq!(hours(&s.models()[1]), [384.0, 248.0, 0.0]);
        // Σ over models = the site's figures: 208 × 6 = 1,248 online;
        // 208 × 2 + 200 × 1 + 208 × 1 = 824 healthy.
        assert_eq!(s.totals.online_chip_hours, 1248.0);
        assert_eq!(s.totals.healthy_chip_hours, 824.0);
        assert_eq!(s.chips_online, 208);
        s.remove_online(2, 1, 64);
        assert_eq!(
            (s.models()[1].racks_online, s.models()[1].chips_online),
            (0, 0)
        );
        assert_eq!((s.models()[0].racks_online, s.chips_online), (2, 144));
    }

    #[test]
    fn a_dark_site_draws_nothing() {
        let mut s = site();
        s.overhead_milliwatts = 500_000_000;
        s.dark = true;
        s.refresh();
        assert_eq!(s.it, Watts::ZERO);
    }
}
