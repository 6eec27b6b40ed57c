//! Planned maintenance: dated or periodic windows in which the racks of a
//! site (of one rack model, if given) are powered off, announced ahead.
//!
//! - **Opening** ([`Event::MaintenanceStart`]): every online rack of the
//!   window's site and model that is powered (not retired, not already
//!   dark from a rack power failure) goes dark as by a rack power
//!   failure, but for [`DownCause::Maintenance`]: its domains are reported
//!   down with that cause, so their holders treat them as drained (a
//!   training job checkpointed just before and loses no work; a service's
//!   replica is moved, not lost); nothing is logged as a failure and no
//!   repair is drawn. The window's row (racks, chips, chips held by
//!   allocations, the chip-hours it takes dark) goes to `maintenance.csv`.
//!   A periodic window schedules its next opening.
//! - **Closing** ([`Event::MaintenanceEnd`]): the racks it darkened are
//!   powered on as after a rack power repair (back at risk, fresh Weibull
//!   clocks for their rack power and uplink).
//! - While dark, a rack's nodes and power are not at risk from their
//!   exponential fleets (as during a power failure); node Weibull clocks
//!   keep running (see the limitations).
//!
//! Work per window: O(phases of the site + nodes and domains of the racks
//! it takes down); nothing loops over other racks or over chips.

use crate::record::MaintenanceRow;

use super::buildout::PhaseStatus;
use super::contract::DownCause;
use super::{Event, Target, World};

impl World<'_> {
    /// The racks window `w` applies to, online now: (first rack, count)
    /// of each commissioned phase of its site and model.
    fn maintenance_racks(&self, w: usize) -> Vec<(u32, u32)> {
        let m = &self.scenario.maintenance[w];
        let site = &self.scenario.sites[m.site];
        self.sites[m.site]
            .phases
            .iter()
            .zip(&site.phases)
            .filter(|(state, phase)| {
                state.status == PhaseStatus::Commissioned
                    && m.rack_type.is_none_or(|t| t == phase.rack_type)
            })
            .map(|(state, phase)| (state.first_rack, phase.count))
            .collect()
    }

    /// Opens maintenance window `w`: powers off its racks, logs its row,
    /// schedules its close and (periodic) its next opening.
    pub(crate) fn maintenance_start(&mut self, w: usize) {
        let m = &self.scenario.maintenance[w];
        let (mut racks, mut chips, mut held) = (0u32, 0u64, 0u64);
        for (first, count) in self.maintenance_racks(w) {
            for r in first..first + count {
                let rack = self.topo.racks[r as usize];
                if rack.retired || rack.power_down {
                    continue;
                }
                let t = self.topo.types[rack.rack_type as usize];
                let per_domain = u64::from(t.nodes_per_domain) * u64::from(t.chips_per_node);
                held += (rack.first_domain..rack.first_domain + t.domains)
                    .filter(|&d| self.allocation_of(d).is_some())
                    .count() as u64
                    * per_domain;
                self.topo.racks[r as usize].maintenance = w as u32 + 1;
                chips += self.power_off_rack(r, DownCause::Maintenance);
                racks += 1;
            }
        }
        let duration = m.duration;
        self.maintenance_log.push(MaintenanceRow {
            time_h: self.now.hours(),
            timestamp: self.scenario.calendar.format(self.now),
            site: self.scenario.sites[m.site].name.clone(),
            rack: m.rack_type.map_or(String::new(), |t| {
                self.scenario.rack_types[t].rack.name.clone()
            }),
            racks,
            chips,
            held_chips: held,
            duration_h: duration.hours(),
            chip_hours: chips as f64 * duration.hours(),
        });
        let window = w as u32;
        self.schedule(self.now + duration, Event::MaintenanceEnd { window });
        if let Some(every) = m.every {
            self.schedule(self.now + every, Event::MaintenanceStart { window });
        }
    }

    /// Closes maintenance window `w`: the racks it darkened are powered on.
    pub(crate) fn maintenance_end(&mut self, w: usize) {
        for (first, count) in self.maintenance_racks(w) {
            for r in first..first + count {
                if self.topo.racks[r as usize].maintenance == w as u32 + 1 {
                    self.topo.racks[r as usize].maintenance = 0;
                    self.restore(Target::RackPower(r));
                }
            }
        }
    }
}
