//! Planned maintenance: dated or periodic windows in which the racks of a
//! site (of one rack model, if given) are powered off, announced ahead.
//!
//! - **Opening** ([`Event::MaintenanceStart`]): its share of the online
//!   racks of the window's site and model (`fraction`, rolling: each
//!   opening takes the next `⌈fraction × racks⌉` in rack order after those
//!   the last one took, wrapping; all of them by default); of those, each
//!   rack that is powered (not retired, not already
//!   dark from a rack power failure) goes dark as by a rack power
//!   failure, but for [`DownCause::Maintenance`]: its domains are reported
//!   down with that cause, so their holders treat them as drained (a
//!   training job checkpointed just before and loses no work; a service's
//!   replica is moved, not lost); nothing is logged as a failure and no
//!   repair is drawn. The window's rows, one per rack model it takes down
//!   (racks, chips, chips held by allocations, the chip-hours it takes
//!   dark), go to `maintenance.csv`.
//!   A periodic window schedules its next opening.
//! - **Closing** ([`Event::MaintenanceEnd`]): the racks it darkened are
//!   powered on as after a rack power repair (back at risk, fresh Weibull
//!   clocks for their rack power and uplink).
//! - While dark, a rack's nodes and power are not at risk from their
//!   exponential cohorts, and the Weibull clocks of its healthy nodes stand
//!   still, as during a power failure (see `clocks`): each runs on from
//!   the window's close with the time it had left.
//!
//! Work per window: O(phases of the site + nodes and domains of the racks
//! it takes down); nothing loops over other racks or over chips.

use crate::record::MaintenanceRow;

use super::buildout::PhaseStatus;
use super::topology::NodeState;
use super::topology::RackId;
use super::workload_api::DownCause;
use super::{Event, Target, World};

impl World<'_> {
    /// The racks window `w` applies to, online now: (first rack, count)
    /// of each commissioned phase of its site and model.
    fn maintenance_racks(&self, w: usize) -> Vec<(u32, u32)> {
        let m = &self.config.maintenance[w];
        let site = &self.config.sites[m.site];
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

    /// The racks window `w`'s next opening takes if it opens with the
    /// racks online now, in order, and where the opening after it starts:
    /// its share, `⌈fraction × racks⌉`, from where the last opening
    /// stopped. O(phases of the site + racks taken).
    fn maintenance_next(&self, w: usize) -> (Vec<u32>, usize) {
        let m = &self.config.maintenance[w];
        let ranges = self.maintenance_racks(w);
        let n: usize = ranges.iter().map(|&(_, c)| c as usize).sum();
        if n == 0 {
            return (Vec::new(), 0);
        }
        let take = ((m.fraction * n as f64).ceil() as usize).min(n);
        let from = self.maintenance_cursor[w] % n;
        let nth = |k: usize| {
            let mut k = k;
            for &(first, count) in &ranges {
                if k < count as usize {
                    return first + k as u32;
                }
                k -= count as usize;
            }
            unreachable!("k < n")
        };
        let chosen = (0..take).map(|i| nth((from + i) % n)).collect();
        (chosen, (from + take) % n)
    }

    /// The racks maintenance window `w` (its position in the scenario's
    /// `[[maintenance]]`) takes at its next opening, as the racks online
    /// now give them: what a workload moves off ahead of it. Racks
    /// commissioned or retired before the opening change the opening's
    /// own choice, not this answer. O(phases of the site + racks taken).
    pub fn maintenance_ahead(&self, w: usize) -> Vec<RackId> {
        self.maintenance_next(w).0.into_iter().map(RackId).collect()
    }

    /// Opens maintenance window `w`: powers off its racks, logs its row,
    /// schedules its close and (periodic) its next opening.
    pub(crate) fn maintenance_start(&mut self, w: usize) {
        let m = &self.config.maintenance[w];
        // By rack model, in the order first met: (model, racks, chips, held).
        let mut by_model: Vec<(usize, u32, u64, u64)> = Vec::new();
        let (chosen, cursor) = self.maintenance_next(w);
        self.maintenance_cursor[w] = cursor;
        let mut dark = std::mem::take(&mut self.maintenance_dark[w]);
        dark.clear();
        {
            for r in chosen {
                let rack = self.topo.racks[r as usize];
                if rack.retired || rack.power_down {
                    continue;
                }
                let ti = rack.rack_type as usize;
                let t = self.topo.types[ti];
                let per_domain = u64::from(t.nodes_per_domain) * u64::from(t.chips_per_node);
                let held = (rack.first_domain..rack.first_domain + t.domains)
                    .filter(|&d| self.allocation_of(d).is_some())
                    .count() as u64
                    * per_domain;
                self.topo.racks[r as usize].maintenance = w as u32 + 1;
                let chips = self.power_off_rack(r, DownCause::Maintenance);
                let k = match by_model.iter().position(|e| e.0 == ti) {
                    Some(k) => k,
                    None => {
                        by_model.push((ti, 0, 0, 0));
                        by_model.len() - 1
                    }
                };
                let e = &mut by_model[k];
                (e.1, e.2, e.3) = (e.1 + 1, e.2 + chips, e.3 + held);
                dark.push(r);
            }
        }
        self.maintenance_dark[w] = dark;
        if by_model.is_empty()
            && let Some(t) = m.rack_type
        {
            // None of its racks online: a row of nothing taken down.
            by_model.push((t, 0, 0, 0));
        }
        let duration = m.duration;
        for (ti, racks, chips, held) in by_model {
            self.maintenance_log.push(MaintenanceRow {
                time_h: self.now.hours(),
                timestamp: self.run.calendar.instant(self.now),
                site: self.config.sites[m.site].name.clone(),
                rack: self.config.rack_types[ti].rack.name.clone(),
                rack_type: ti,
                racks,
                chips,
                held_chips: held,
                duration_h: duration.hours(),
                chip_hours: chips as f64 * duration.hours(),
            });
        }
        let window = w as u32;
        self.schedule(self.now + duration, Event::MaintenanceEnd { window });
        if let Some(every) = m.every {
            self.schedule(self.now + every, Event::MaintenanceStart { window });
        }
    }

    /// Chips of healthy nodes in racks dark for maintenance, by site: the
    /// part of the site's unpowered chips that `timeseries.csv` writes as
    /// `chips_maintenance` rather than in `chips_in_repair`. O(nodes of
    /// the racks dark for maintenance).
    pub(crate) fn maintenance_chips(&self) -> Vec<u64> {
        let mut by_site = vec![0; self.sites.len()];
        for (w, dark) in self.maintenance_dark.iter().enumerate() {
            for &r in dark {
                let rack = self.topo.racks[r as usize];
                if rack.maintenance != w as u32 + 1 || rack.retired {
                    continue;
                }
                let t = self.topo.types[rack.rack_type as usize];
                let healthy = (rack.first_node..rack.first_node + t.nodes)
                    .filter(|&n| self.topo.node_state[n as usize] == NodeState::Healthy)
                    .count() as u64;
                by_site[rack.site as usize] += healthy * u64::from(t.chips_per_node);
            }
        }
        by_site
    }

    /// Closes maintenance window `w`: the racks it darkened are powered on.
    pub(crate) fn maintenance_end(&mut self, w: usize) {
        let dark = std::mem::take(&mut self.maintenance_dark[w]);
        for &r in &dark {
            if self.topo.racks[r as usize].maintenance == w as u32 + 1 {
                self.topo.racks[r as usize].maintenance = 0;
                self.restore(Target::RackPower(r));
            }
        }
        self.maintenance_dark[w] = dark;
    }
}
