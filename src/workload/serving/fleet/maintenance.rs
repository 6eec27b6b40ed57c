//! Replicas moved off racks going into a planned maintenance window,
//! ahead of it.
//!
//! A window is announced, so a service moves its replicas before it
//! opens: `scale_up_delay` ahead (the time a replica takes to load its
//! weights), each of its replicas on a rack the window's next opening
//! takes ([`World::maintenance_ahead`]) gets a replacement, placed where
//! there is room (without preempting) and loading; the old one serves on
//! until the replacement does, or until the window opens, and is then
//! given back. Its replacement being ready as the window opens, the
//! service loses no serving time to it. The move is counted once, in
//! `replicas_moved`, when the old replica leaves.
//!
//! The replacement goes to the first site with room off the window's
//! racks (packed as placement packs). A replica the window takes with no
//! replacement (no room off its racks, or the window opens sooner than the
//! loading time after the start of the run) moves as the window opens, as
//! before: given back and placed again at once, loading there.

use super::{Event, Serving};
use crate::engine::SimTime;
use crate::policy::placement;
use crate::workload::serving::config::Config;
use crate::world::{DomainId, RackTypeId, World};

/// The first move of every service ahead of every window that can take
/// its racks: `scale_up_delay` before the window's first opening at or
/// after that delay, for services that load for some time.
pub(super) fn first_moves(config: &Config, end: SimTime) -> Vec<(SimTime, Event)> {
    let mut moves = Vec::new();
    for (i, s) in config.services.iter().enumerate() {
        let lead = SimTime::ZERO + s.scale_up_delay;
        if s.scale_up_delay.micros() == 0 {
            continue;
        }
        for (w, m) in config.maintenance.iter().enumerate() {
            if m.rack_type.is_some_and(|t| t != s.rack_type) {
                continue;
            }
            let mut open = m.start;
            while open < lead {
                let Some(every) = m.every else { break };
                open += every;
            }
            if open < lead || open >= end {
                continue;
            }
            let at = SimTime::ZERO + open.since(lead);
            moves.push((
                at,
                Event::MoveAhead {
                    service: i as u32,
                    window: w as u32,
                },
            ));
        }
    }
    moves.sort_by_key(|&(at, _)| at);
    moves
}

impl Serving<'_> {
    /// Service `i`'s move ahead of window `w`'s opening, `scale_up_delay`
    /// from `now`: each of its replicas on the racks the opening takes gets
    /// a replacement off them. Schedules the move ahead of the next
    /// opening of a periodic window. O(the service's replica slots ×
    /// domains of a replica × log racks taken), once per opening.
    pub(super) fn move_ahead(&mut self, i: usize, w: usize, now: SimTime, world: &mut World) {
        let m = &self.config.maintenance[w];
        if let Some(every) = m.every {
            let next = now + every;
            if next < self.run.end {
                self.scheduled.push((
                    next,
                    Event::MoveAhead {
                        service: i as u32,
                        window: w as u32,
                    },
                ));
            }
        }
        let mut racks = world.maintenance_ahead(w);
        if racks.is_empty() {
            return;
        }
        racks.sort_unstable();
        let site = m.site as u32;
        let taken = |world: &World, domains: &[DomainId]| {
            domains
                .iter()
                .any(|&d| racks.binary_search(&world.domain_rack(d)).is_ok())
        };
        for set in 0..self.states[i].sets.len() {
            let on: Vec<usize> = self.states[i].sets[set]
                .slots
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.alive && !r.leaving && r.site == site && taken(world, &r.domains)
                })
                .map(|(k, _)| k)
                .collect();
            let model = RackTypeId(self.config.services[i].rack_type as u32);
            let needed = self.states[i].sets[set].replica_domains as usize;
            let sites = self.config.site_count;
            for k in on {
                let Some((site, domains)) =
                    placement::place_avoiding(world, sites, model, needed, &racks)
                else {
                    break;
                };
                let n = self.add_replica_at(i, set, now, world, site, &domains);
                let s = &mut self.states[i].sets[set];
                s.slots[k].leaving = true;
                s.leaving += 1;
                s.slots[n].replaces = Some((k as u32, s.slots[k].generation));
            }
        }
    }

    /// Replica `k` of service `i`'s replica set `set` is ready: the
    /// leaving replica it replaces, if still there, is given back (moved).
    pub(super) fn replaced(
        &mut self,
        i: usize,
        set: usize,
        k: usize,
        now: SimTime,
        world: &mut World,
    ) {
        let s = &mut self.states[i];
        let Some((j, g)) = s.sets[set].slots[k].replaces.take() else {
            return;
        };
        let old = &s.sets[set].slots[j as usize];
        if old.alive && old.generation == g && old.leaving {
            s.interval.moved += 1;
            s.totals.moved += 1;
            self.remove_replica(i, set, j as usize, now, world);
        }
    }

    /// Replica `k` of service `i` is on a rack a maintenance window takes
    /// dark now: it moves (counted in `replicas_moved`). Replaced ahead,
    /// it is given back; else it is placed again at once where there is
    /// room (without preempting), and loads there.
    pub(super) fn moved_off(
        &mut self,
        i: usize,
        set: usize,
        k: usize,
        now: SimTime,
        world: &mut World,
    ) {
        let s = &mut self.states[i];
        s.interval.moved += 1;
        s.totals.moved += 1;
        let replaced = s.sets[set].slots[k].leaving;
        self.remove_replica(i, set, k, now, world);
        if !replaced {
            self.add_replica(i, set, now, world, None);
        }
    }
}
