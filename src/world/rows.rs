//! The rows the world reports: a timeseries sample per site (with the
//! capacity of each of the site's rack models), the fate of each build-out
//! phase, and its share of the run's summary. Each reads counters the
//! events keep, so a sample costs O(sites × rack models of a site).

use crate::engine::{SimDuration, SimTime};
use crate::record::{
    BuildoutRow, CLASSES, PhaseOutcome, Recorder, SampleRow, SummaryRow, TrainingSample,
};
use crate::units::Watts;

use super::World;
use super::buildout::PhaseStatus;
use super::power::{EnergyTotals, ModelCapacity};

impl World<'_> {
    /// Records one sample row per site at `now`: power and counts are the
    /// state in force at that instant; energy, cost, carbon, chip-hours and
    /// failure counts cover the interval since the previous sample.
    ///
    /// `workload` gives the figures of the workloads at each site (by site
    /// index), which the world carries in the row without reading them.
    pub fn sample<R: Recorder>(
        &mut self,
        now: SimTime,
        recorder: &mut R,
        mut workload: impl FnMut(usize) -> Option<TrainingSample>,
    ) {
        self.now = now;
        let run = self.run;
        let timestamp = run.calendar.instant(now);
        let mut chips_online = 0;
        let mut facility = Watts::ZERO;
        let maintenance = self.maintenance_chips();
        for i in 0..self.sites.len() {
            self.touch(i);
            let s = &mut self.sites[i];
            let interval = s.power.totals.since(&s.last_totals);
            let mut failures = [0; CLASSES];
            for (k, f) in failures.iter_mut().enumerate() {
                *f = s.failures[k] - s.last_failures[k];
            }
            s.last_totals = s.power.totals;
            s.last_failures = s.failures;
            // The site's rack-model rows, named once, are updated in place,
            // lent to the row and taken back: no allocation or name clone
            // per sample.
            let mut racks = std::mem::take(&mut s.racks);
            for ((r, m), last) in racks
                .iter_mut()
                .zip(s.power.models())
                .zip(&mut s.last_models)
            {
                let hours = |now: u128, then: u128| ModelCapacity::chip_hours(now - then);
                r.racks_online = m.racks_online;
                r.chips_online = m.chips_online;
                r.it_nameplate_mw =
                    (self.topo.types[m.rack_type].nameplate * f64::from(m.racks_online)).mw();
                r.online_chip_hours = hours(m.online_chip_micros, last.online_chip_micros);
                r.healthy_chip_hours = hours(m.healthy_chip_micros, last.healthy_chip_micros);
                r.held_chip_hours = hours(m.held_chip_micros, last.held_chip_micros);
                *last = *m;
            }
            let dark = s.power.dark;
            let dark_for_maintenance = maintenance.get(i).copied().unwrap_or(0);
            let available = s.power.chips_available;
            // The refresh of dirty sites happens after each event, so this
            // reads the power in force since the last change.
            let row = SampleRow {
                time_h: now.hours(),
                timestamp,
                site: self.site_names[i].clone(),
                racks_online: s.racks_online,
                racks_deferred: s.racks_deferred,
                chips_online: s.power.chips_online,
                chips_healthy: if dark { 0 } else { available },
                chips_failed: s.chips_failed,
                chips_in_repair: s.chips_repair + s.chips_unpowered - dark_for_maintenance
                    + if dark { available } else { 0 },
                chips_maintenance: dark_for_maintenance,
                spare_nodes: self.spares.ready_at(i),
                links_down: s.uplinks_down + s.dci_down,
                grid_mw: s.power.grid.mw(),
                it_power_mw: s.power.it.mw(),
                facility_power_mw: s.power.facility().mw(),
                pue: s.power.pue,
                power_cap_factor: s.power.cap,
                it_energy_mwh: interval.it.mwh(),
                energy_mwh: interval.facility.mwh(),
                energy_cost_usd: interval.cost.0,
                carbon_tco2e: interval.carbon.tonnes(),
                throttled_chip_hours: interval.throttled_chip_hours,
                throttle_lost_chip_hours: interval.lost_chip_hours,
                failures,
                training: workload(i),
                racks,
            };
            chips_online += row.chips_online;
            facility += s.power.facility();
            recorder.sample(&row);
            self.sites[i].racks = row.racks;
        }
        self.peak_chips_online = self.peak_chips_online.max(chips_online);
        self.peak_facility = self.peak_facility.max(facility);
        self.refresh_changed();
    }

    /// Records the fate of every build-out phase and returns the summary
    /// of the run (with `events` left at 0 for the caller to fill in). Call
    /// once, at the end.
    pub fn finish<R: Recorder>(&mut self, recorder: &mut R) -> SummaryRow {
        let (run, config) = (self.run, self.config);
        let cal = &run.calendar;
        for (si, spec) in config.sites.iter().enumerate() {
            for (pi, phase) in spec.phases.iter().enumerate() {
                let st = &self.sites[si].phases[pi];
                let t = &self.topo.types[phase.rack_type];
                let date = |t: Option<SimTime>| t.map(|t| cal.date(t));
                let status = match (st.status, st.delivered) {
                    (PhaseStatus::Commissioned, _) => PhaseOutcome::Commissioned,
                    (PhaseStatus::Refused, _) => PhaseOutcome::Refused,
                    (PhaseStatus::Pending, Some(_)) => PhaseOutcome::Deferred,
                    (PhaseStatus::Pending, None) => PhaseOutcome::NotDelivered,
                };
                let waited = match (st.delivered, st.commissioned) {
                    (Some(d), Some(c)) => c.since(d),
                    (Some(d), None) if st.status == PhaseStatus::Pending => run.end.since(d),
                    _ => SimDuration::ZERO,
                };
                let row = BuildoutRow {
                    site: spec.name.clone(),
                    phase: pi,
                    rack: config.rack_types[phase.rack_type].rack.name.clone(),
                    racks: phase.count,
                    chips: u64::from(t.chips) * u64::from(phase.count),
                    planned: cal.date(phase.planned),
                    delivered: date(st.delivered),
                    commissioned: date(st.commissioned),
                    status,
                    deferred_days: waited.hours() / 24.0,
                    nameplate_mw: (self.nameplate_facility(si, phase.rack_type)
                        * f64::from(phase.count))
                    .mw(),
                };
                recorder.buildout(&row);
            }
        }
        let mut totals = EnergyTotals::default();
        let mut failures = [0u64; CLASSES];
        for s in &self.sites {
            let t = &s.power.totals;
            totals.it += t.it;
            totals.facility += t.facility;
            totals.cost += t.cost;
            totals.carbon += t.carbon;
            totals.throttled_chip_hours += t.throttled_chip_hours;
            totals.lost_chip_hours += t.lost_chip_hours;
            totals.online_chip_hours += t.online_chip_hours;
            totals.healthy_chip_hours += t.healthy_chip_hours;
            for (k, f) in failures.iter_mut().enumerate() {
                *f += s.failures[k];
            }
        }
        SummaryRow {
            scenario: run.name.clone(),
            seed: run.seed,
            sites: config.sites.len(),
            start: cal.start(),
            end: cal.date(run.end),
            hours: run.end.hours(),
            racks_commissioned: self.sites.iter().map(|s| s.racks_commissioned).sum(),
            racks_refused: self.sites.iter().map(|s| s.racks_refused).sum(),
            racks_deferred_at_end: self.sites.iter().map(|s| u64::from(s.racks_deferred)).sum(),
            peak_chips_online: self.peak_chips_online,
            chips_online_at_end: self.sites.iter().map(|s| s.power.chips_online).sum(),
            availability: if totals.online_chip_hours > 0.0 {
                totals.healthy_chip_hours / totals.online_chip_hours
            } else {
                0.0
            },
            it_energy_mwh: totals.it.mwh(),
            energy_mwh: totals.facility.mwh(),
            peak_facility_mw: self.peak_facility.mw(),
            energy_cost_usd: totals.cost.0,
            carbon_tco2e: totals.carbon.tonnes(),
            throttled_chip_hours: totals.throttled_chip_hours,
            throttle_lost_chip_hours: totals.lost_chip_hours,
            failures,
            events: 0,
            training: None,
            economics: None,
        }
    }
}
