//! Weibull failure clocks that stand still while their rack is dark.
//!
//! A rack is *dark* while its power is down (a rack power failure or a
//! planned maintenance window) or its site is dark (an outage). A part's
//! Weibull clock counts its powered life, so it stops while the part is
//! dark and runs on from where it stopped:
//!
//! - a **node**'s clock stops while its rack is dark, for any of the three
//!   reasons; a node keeps the time its first clock (the one that would
//!   strike: with several Weibull classes, the earliest) had left;
//! - a rack's **power** and **uplink** clocks stop while its site is dark.
//!   (When the rack's own power comes back, after a repair or a window,
//!   both draw fresh clocks, as before: the repaired power supply is as
//!   good as new, and a clock of the uplink's that struck in the dark was
//!   void.)
//!
//! A clock drawn while its part is dark (a node repaired in a dark rack, a
//! rack commissioned at a dark site) is stopped at once, with all of its
//! time left. So a part dark for `D` hours fails exactly `D` hours later
//! than it would have, and nothing whose clock is stopped fails.
//!
//! Work: O(nodes of the rack) when a rack goes dark or comes back;
//! O(racks and nodes of the site) when a site does (outages are rare).

use crate::catalog::failures::FailureKind;
use crate::engine::SimDuration;

use super::buildout::PhaseStatus;
use super::cohort::Scope;
use super::{Event, Target, World};

impl World<'_> {
    /// Whether `target`'s Weibull clock stands still now: a node's while
    /// its rack's power is down or its site is dark; a rack's power or
    /// uplink clock while its site is dark.
    fn clock_stopped(&self, target: Target) -> bool {
        let rack = match target {
            Target::Node(node) => self.topo.node_rack[node as usize],
            Target::RackPower(r) | Target::Uplink(r) => r,
            Target::Site(_) | Target::Dci(_) => return false,
        };
        let rack = &self.topo.racks[rack as usize];
        let site_dark = self.sites[rack.site as usize].power.dark;
        site_dark || (matches!(target, Target::Node(_)) && rack.power_down)
    }

    /// The table of pending first clocks for `target`'s kind (nodes, rack
    /// power, uplinks), by id; None for sites and links (never stopped).
    fn clock_table(&mut self, target: Target) -> Option<&mut Vec<Option<ClockDue>>> {
        let i = match target.scope() {
            Scope::Nodes => 0,
            Scope::RackPower => 1,
            Scope::Uplinks => 2,
            Scope::Site | Scope::Dci => return None,
        };
        Some(&mut self.clock_due[i])
    }

    /// Forgets `target`'s clocks (a new set is being drawn).
    pub(super) fn clear_clocks(&mut self, target: Target) {
        // Most of the time nothing is dark: skip the lookup in an empty
        // map (this runs at every clock drawn).
        if !self.paused_clocks.is_empty() {
            self.paused_clocks.remove(&target);
        }
        if let Some(due) = self
            .clock_table(target)
            .and_then(|t| t.get_mut(target.id() as usize))
        {
            *due = None;
        }
    }

    /// Keeps a Weibull clock of `target` drawn now, `dt` from now, of
    /// class `kind`: remembered as its first pending clock if it is the
    /// earliest; or, if its clock stands still, stopped at once with `dt`
    /// left (then true: not to schedule).
    pub(super) fn keep_clock(
        &mut self,
        target: Target,
        dt: SimDuration,
        kind: FailureKind,
    ) -> bool {
        if self.clock_stopped(target) {
            let e = self.paused_clocks.entry(target).or_insert((dt, kind));
            if dt < e.0 {
                *e = (dt, kind);
            }
            return true;
        }
        let at = self.now + dt;
        let id = target.id() as usize;
        if let Some(table) = self.clock_table(target) {
            if table.len() <= id {
                table.resize(id + 1, None);
            }
            if table[id].is_none_or(|(due, _)| at < due) {
                table[id] = Some((at, kind));
            }
        }
        false
    }

    /// Stops `target`'s first pending clock, if it is up and its clock is
    /// to strike after now: the time it has left is kept, its events go
    /// stale.
    fn pause_clock(&mut self, target: Target) {
        if !self.is_up(target) {
            return;
        }
        let now = self.now;
        let Some(due) = self
            .clock_table(target)
            .and_then(|t| t.get_mut(target.id() as usize))
        else {
            return;
        };
        if let Some((at, kind)) = *due
            && at > now
        {
            *due = None;
            self.bump_generation(target);
            self.paused_clocks.insert(target, (at.since(now), kind));
        }
    }

    /// Runs `target`'s stopped clock again from now, if it is up.
    fn resume_clock(&mut self, target: Target) {
        let Some((left, kind)) = self.paused_clocks.remove(&target) else {
            return;
        };
        if !self.is_up(target) {
            return;
        }
        let generation = self.bump_generation(target);
        let at = self.now + left;
        let id = target.id() as usize;
        if let Some(table) = self.clock_table(target) {
            if table.len() <= id {
                table.resize(id + 1, None);
            }
            table[id] = Some((at, kind));
        }
        self.schedule(
            at,
            Event::WeibullFailure {
                target,
                kind,
                generation,
            },
        );
    }

    /// Stops the clocks of rack `r`'s healthy nodes (its power goes down).
    /// O(nodes of the rack).
    pub(super) fn pause_node_clocks(&mut self, r: u32) {
        let rack = self.topo.racks[r as usize];
        let nodes = self.topo.types[rack.rack_type as usize].nodes;
        for node in rack.first_node..rack.first_node + nodes {
            self.pause_clock(Target::Node(node));
        }
    }

    /// Runs the stopped clocks of rack `r`'s healthy nodes again (its
    /// power is back and its site lit). O(nodes of the rack).
    pub(super) fn resume_node_clocks(&mut self, r: u32) {
        let rack = self.topo.racks[r as usize];
        let nodes = self.topo.types[rack.rack_type as usize].nodes;
        for node in rack.first_node..rack.first_node + nodes {
            self.resume_clock(Target::Node(node));
        }
    }

    /// Site `site` goes dark (`dark`) or comes back: the clocks of its
    /// racks' power and uplinks, and of the healthy nodes of its powered
    /// racks, stop or run again. Racks whose own power is down keep their
    /// nodes' clocks stopped until it is back. O(racks and nodes of the
    /// site).
    pub(super) fn site_clocks(&mut self, site: usize, dark: bool) {
        for p in 0..self.sites[site].phases.len() {
            let phase = &self.sites[site].phases[p];
            if phase.status != PhaseStatus::Commissioned {
                continue;
            }
            let first = phase.first_rack;
            let count = self.config.sites[site].phases[p].count;
            for r in first..first + count {
                let rack = self.topo.racks[r as usize];
                if rack.retired || rack.power_down {
                    continue;
                }
                if dark {
                    self.pause_clock(Target::RackPower(r));
                    self.pause_clock(Target::Uplink(r));
                    self.pause_node_clocks(r);
                } else {
                    self.resume_clock(Target::RackPower(r));
                    self.resume_clock(Target::Uplink(r));
                    self.resume_node_clocks(r);
                }
            }
        }
    }
}

/// A part's first pending Weibull clock: when it strikes, and its class.
pub(super) type ClockDue = (crate::engine::SimTime, FailureKind);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::scenario::{Overrides, load_str};

    /// One site of one rack of 4 one-chip nodes; only `gpu` failures, of
    /// Weibull lifetime (shape 1.5, 1,000 per million chip-hours: a mean
    /// life of 1,000 h), and rack power failures of Weibull lifetime
    /// (shape 2, 100 per million hours), repairs of 1 h.
    const SCENARIO: &str = r#"
    name = "clocks"
    start = "2026-01-01"
    duration = "10y"
    seed = 5
    [failures]
    gpu = { rate_per_million_hours = 1000, lifetime = "weibull", weibull_shape = 1.5, repair = { kind = "fixed", value = "1h" } }
    hbm = { rate_per_million_hours = 0 }
    gpu_other = { rate_per_million_hours = 0 }
    host = { rate_per_million_hours = 0 }
    nic = { rate_per_million_hours = 0 }
    switch_cable = { rate_per_million_hours = 0 }
    rack_power = { rate_per_million_hours = 100, lifetime = "weibull", weibull_shape = 2.0, repair = { kind = "fixed", value = "1h" } }
    site_outage = { rate_per_million_hours = 0 }
    software = { rate_per_million_hours = 0 }
    [[chips]]
    name = "unit"
    bf16_tflops = 100
    hbm_gb = 10
    hbm_tb_per_s = 1
    tdp_w = 1100
    idle_w = 100
    scaleup_gb_per_s = 100
    [[racks]]
    name = "quad"
    chip = "unit"
    chips = 4
    nodes = 4
    scaleup_domain = 4
    overhead_kw = 1
    scaleout_gbit_per_s = 100
    [[sites]]
    name = "lab"
    grid_mw = 1
    pue = 1.0
    [[sites.buildout]]
    rack = "quad"
    count = 1
    date = "2026-01-01"
    "#;

    /// The world with its rack commissioned at time 0.
    fn commissioned<'a>(s: &'a crate::scenario::Scenario) -> World<'a> {
        let mut w = World::new(&s.run, &s.world);
        let events: Vec<(SimTime, Event)> = w.drain_scheduled().collect();
        for (at, e) in events {
            if matches!(e, Event::Delivered { .. }) {
                w.handle(at, e);
            }
        }
        assert_eq!(w.topo.racks.len(), 1);
        w.drain_scheduled().for_each(drop);
        w
    }

    fn due(w: &World, target: Target) -> Option<SimTime> {
        let i = match target {
            Target::Node(_) => 0,
            Target::RackPower(_) => 1,
            _ => 2,
        };
        w.clock_due[i][target.id() as usize].map(|(at, _)| at)
    }

    /// The pending Weibull failure events for `target` of its current
    /// generation among `events`, by time.
    fn pending(w: &World, events: &[(SimTime, Event)], target: Target) -> Vec<SimTime> {
        let g = w.generation(target);
        events
            .iter()
            .filter_map(|&(at, e)| match e {
                Event::WeibullFailure {
                    target: t,
                    generation,
                    ..
                } if t == target && generation == g => Some(at),
                _ => None,
            })
            .collect()
    }

    /// A rack power failure at 10 h repaired at 10 + 7.25 h: each node's
    /// clock had `due − 10` h left and strikes at `due + 7.25` h, exactly
    /// the time the rack was dark later; nothing of the nodes' is pending
    /// while it is dark.
    #[test]
    fn a_rack_dark_for_d_hours_moves_its_nodes_failures_by_d() {
        let s = load_str("clocks.toml", SCENARIO, None, &Overrides::default()).unwrap();
        let mut w = commissioned(&s);
        let nodes: Vec<Target> = (0..4).map(Target::Node).collect();
        let before: Vec<SimTime> = nodes.iter().map(|&n| due(&w, n).unwrap()).collect();
        let (off, d) = (
            SimTime::ZERO + SimDuration::from_hours(10),
            SimDuration::from_hours_f64(7.25),
        );
        assert!(before.iter().all(|&t| t > off + d), "{before:?}");
        w.now = off;
        w.fail(Target::RackPower(0), FailureKind::RackPower);
        assert!(w.topo.racks[0].power_down);
        let events: Vec<(SimTime, Event)> = w.drain_scheduled().collect();
        for &n in &nodes {
            assert_eq!(due(&w, n), None, "{n:?} stopped");
            assert!(pending(&w, &events, n).is_empty());
        }
        w.now = off + d;
        w.restore(Target::RackPower(0));
        let events: Vec<(SimTime, Event)> = w.drain_scheduled().collect();
        for (&n, &t) in nodes.iter().zip(&before) {
            assert_eq!(due(&w, n), Some(t + d), "{n:?}");
            assert_eq!(pending(&w, &events, n), vec![t + d], "{n:?}");
        }
    }

    /// A site outage from 10 h to 13.5 h stops the nodes' clocks and the
    /// rack power's: each strikes 3.5 h later than it would have.
    #[test]
    fn a_site_outage_moves_the_racks_clocks_by_its_length() {
        let s = load_str("clocks.toml", SCENARIO, None, &Overrides::default()).unwrap();
        let mut w = commissioned(&s);
        let parts: Vec<Target> = (0..4)
            .map(Target::Node)
            .chain([Target::RackPower(0)])
            .collect();
        let before: Vec<SimTime> = parts.iter().map(|&p| due(&w, p).unwrap()).collect();
        let (off, d) = (
            SimTime::ZERO + SimDuration::from_hours(10),
            SimDuration::from_hours_f64(3.5),
        );
        assert!(before.iter().all(|&t| t > off + d), "{before:?}");
        w.now = off;
        w.fail(Target::Site(0), FailureKind::SiteOutage);
        assert!(w.sites[0].power.dark);
        for &p in &parts {
            assert_eq!(due(&w, p), None, "{p:?} stopped");
        }
        w.drain_scheduled().for_each(drop);
        w.now = off + d;
        w.restore(Target::Site(0));
        let events: Vec<(SimTime, Event)> = w.drain_scheduled().collect();
        for (&p, &t) in parts.iter().zip(&before) {
            assert_eq!(due(&w, p), Some(t + d), "{p:?}");
            assert_eq!(pending(&w, &events, p), vec![t + d], "{p:?}");
        }
    }

    /// A node repaired while its rack is dark draws its clock then and
    /// starts it when the power is back: struck at 5 h, repaired at 6 h,
    /// its rack dark from 5.5 h to 9 h, its new clock's time all runs
    /// from 9 h.
    #[test]
    fn a_clock_drawn_in_the_dark_starts_when_the_rack_is_lit() {
        let s = load_str("clocks.toml", SCENARIO, None, &Overrides::default()).unwrap();
        let mut w = commissioned(&s);
        w.now = SimTime::ZERO + SimDuration::from_hours_f64(5.0);
        w.fail(Target::Node(0), FailureKind::Gpu);
        w.now = SimTime::ZERO + SimDuration::from_hours_f64(5.5);
        w.fail(Target::RackPower(0), FailureKind::RackPower);
        w.now = SimTime::ZERO + SimDuration::from_hours_f64(6.0);
        w.restore(Target::Node(0));
        let (left, _) = w.paused_clocks[&Target::Node(0)];
        assert_eq!(due(&w, Target::Node(0)), None);
        w.now = SimTime::ZERO + SimDuration::from_hours_f64(9.0);
        w.restore(Target::RackPower(0));
        let at = (SimTime::ZERO + SimDuration::from_hours_f64(9.0)) + left;
        assert_eq!(due(&w, Target::Node(0)), Some(at));
        let events: Vec<(SimTime, Event)> = w.drain_scheduled().collect();
        assert_eq!(pending(&w, &events, Target::Node(0)), vec![at]);
    }
}
