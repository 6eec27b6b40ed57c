//! A service's replicas: placed (preempting training where allowed) and
//! given back, newest first.

use super::{Event, NO_REPLICA, Serving};
use crate::engine::SimTime;
use crate::policy::placement;
use crate::workload::training::Training;
use crate::world::{DomainId, RackTypeId, SiteId, World};

impl Serving<'_> {
    /// The replica to give back first: the newest loading one, else the
    /// newest serving one (amortized O(1): stale stack entries are popped).
    pub(super) fn newest(&mut self, i: usize, set: usize) -> Option<usize> {
        let s = &mut self.states[i].sets[set];
        while let Some(&(k, g)) = s.loading_stack.last() {
            let slot = &s.slots[k as usize];
            if slot.alive && !slot.ready && slot.generation == g {
                return Some(k as usize);
            }
            s.loading_stack.pop();
        }
        while let Some(&(k, g)) = s.ready_stack.last() {
            let slot = &s.slots[k as usize];
            if slot.alive && slot.ready && slot.generation == g {
                return Some(k as usize);
            }
            s.ready_stack.pop();
        }
        None
    }

    /// Places one more replica of service `i`'s replica set `set`,
    /// preempting training when it may and must; whether it found room.
    pub(super) fn add_replica(
        &mut self,
        i: usize,
        set: usize,
        now: SimTime,
        world: &mut World,
        training: Option<&mut Training>,
    ) -> bool {
        let service = &self.config.services[i];
        let model = RackTypeId(service.rack_type as u32);
        let needed = self.states[i].sets[set].replica_domains as usize;
        let sites = self.config.site_count;
        let mut placed = if needed == 1 {
            // One domain, the one `place` would choose, without building
            // a list.
            placement::site_with_room(world, sites, model, 1).and_then(|site| {
                let d = placement::pack_one(world, site, model)?;
                let mut one = std::mem::take(&mut self.pick);
                one.clear();
                one.push(d);
                Some((site, one))
            })
        } else {
            placement::place(world, sites, model, needed)
        };
        if let (None, true, Some(training)) = (&placed, service.preempt_training, training) {
            'sites: for site in (0..sites as u32).map(SiteId) {
                if world.site_dark(site) {
                    // No chip there serves now: preempting would free none.
                    continue;
                }
                while world.capacity(site, model) < needed {
                    let Some(job) = training.preemptible(site, service.rack_type, service.priority)
                    else {
                        continue 'sites;
                    };
                    training.preempt(job, now, world);
                    self.states[i].interval.preemptions += 1;
                    self.states[i].totals.preemptions += 1;
                }
                placed = placement::pack_at(world, site, model, needed).map(|d| (site, d));
                break;
            }
        }
        let Some((site, domains)) = placed else {
            return false;
        };
        self.add_replica_at(i, set, now, world, site, &domains);
        // Its buffer serves the next replica of one domain.
        self.pick = domains;
        true
    }

    /// Places one more replica of service `i`'s replica set `set` on
    /// `domains`, free domains of its rack model at `site`; it loads from
    /// `now`. Returns its slot.
    pub(super) fn add_replica_at(
        &mut self,
        i: usize,
        set: usize,
        now: SimTime,
        world: &mut World,
        site: SiteId,
        domains: &[DomainId],
    ) -> usize {
        self.account(i, now);
        let s = &mut self.states[i].sets[set];
        let load = s.load;
        match s.parts[site.index()] {
            Some(a) => world
                .extend(now, a, domains)
                .expect("placement offers free domains of the service's site and model"),
            None => {
                let a = world
                    .allocate(now, domains, load)
                    .expect("placement offers free domains of one site and model");
                s.parts[site.index()] = Some(a);
                self.by_allocation.insert(a.0, i as u32);
            }
        }
        self.new_slot(i, set, now, site, domains)
    }

    /// Service `i`'s replica set `set` takes a slot for a new replica on
    /// `domains` at `site` (already given to its allocation there), which
    /// loads from `now`. Returns its slot.
    fn new_slot(
        &mut self,
        i: usize,
        set: usize,
        now: SimTime,
        site: SiteId,
        domains: &[DomainId],
    ) -> usize {
        let delay = self.config.services[i].scale_up_delay;
        let s = &mut self.states[i].sets[set];
        let (k, generation) = s.take_slot(site.0, domains);
        for d in domains {
            if self.by_domain.len() <= d.index() {
                self.by_domain.resize(d.index() + 1, NO_REPLICA);
            }
            self.by_domain[d.index()] = (i as u32, set as u32, k as u32);
        }
        s.loading += 1;
        s.loading_stack.push((k as u32, generation));
        s.chips += u64::from(s.replica_chips);
        self.scheduled.push((
            now + delay,
            Event::Ready {
                service: i as u32,
                set: set as u32,
                replica: k as u32,
                generation,
            },
        ));
        k
    }

    /// Service `i`'s replica set `set` takes a slot for each of `domains`
    /// at `site`, a replica of one domain each (already given to its
    /// allocation there), loading from `now`: what [`new_slot`](Self::new_slot)
    /// does for each in turn, the service's and set's lookups and the
    /// lists' room found once.
    fn new_slots(
        &mut self,
        i: usize,
        set: usize,
        now: SimTime,
        site: SiteId,
        domains: &[DomainId],
    ) {
        let ready_at = now + self.config.services[i].scale_up_delay;
        if let Some(top) = domains.iter().map(|d| d.index()).max()
            && self.by_domain.len() <= top
        {
            self.by_domain.resize(top + 1, NO_REPLICA);
        }
        let s = &mut self.states[i].sets[set];
        s.loading_stack.reserve(domains.len());
        self.scheduled.reserve(domains.len());
        for &d in domains {
            let (k, generation) = s.take_slot(site.0, &[d]);
            self.by_domain[d.index()] = (i as u32, set as u32, k as u32);
            s.loading_stack.push((k as u32, generation));
            self.scheduled.push((
                ready_at,
                Event::Ready {
                    service: i as u32,
                    set: set as u32,
                    replica: k as u32,
                    generation,
                },
            ));
        }
        let n = domains.len() as u32;
        s.loading += n;
        s.chips += u64::from(n) * u64::from(s.replica_chips);
    }

    /// Places up to `n` more replicas of one domain each of service `i`'s
    /// replica set `set`, as `n` calls of [`add_replica`](Self::add_replica)
    /// would while free domains last (the same domains, slots and events,
    /// and the world's commands one replica at a time, each site's taken
    /// as one pass), never preempting; how many it placed. The caller
    /// places the rest one by one.
    pub(super) fn add_packed(
        &mut self,
        i: usize,
        set: usize,
        n: u32,
        now: SimTime,
        world: &mut World,
    ) -> u32 {
        debug_assert_eq!(self.states[i].sets[set].replica_domains, 1);
        let model = RackTypeId(self.config.services[i].rack_type as u32);
        let sites = self.config.site_count;
        let mut picks = std::mem::take(&mut self.pick);
        let mut placed = 0;
        while placed < n {
            // The site each call would find (the first with room), and
            // the domains the calls take there.
            let Some(site) = placement::site_with_room(world, sites, model, 1) else {
                break;
            };
            picks.clear();
            placement::pack_each(world, site, model, (n - placed) as usize, &mut picks);
            if picks.is_empty() {
                break;
            }
            self.account(i, now);
            let s = &mut self.states[i].sets[set];
            // The first replica at a site opens the service's allocation
            // there; the others extend it.
            let (a, opened) = match s.parts[site.index()] {
                Some(a) => (a, 0),
                None => {
                    let a = world
                        .allocate(now, &picks[..1], s.load)
                        .expect("placement offers free domains of one site and model");
                    s.parts[site.index()] = Some(a);
                    self.by_allocation.insert(a.0, i as u32);
                    (a, 1)
                }
            };
            world
                .extend_each(now, a, &picks[opened..], 1)
                .expect("placement offers free domains of the service's site and model");
            self.new_slots(i, set, now, site, &picks);
            placed += picks.len() as u32;
        }
        self.pick = picks;
        placed
    }

    /// Gives back replica `k` of service `i`'s replica set `set` at `now`.
    pub(super) fn remove_replica(
        &mut self,
        i: usize,
        set: usize,
        k: usize,
        now: SimTime,
        world: &mut World,
    ) {
        let Some(site) = self.retire(i, set, k, now) else {
            return;
        };
        let s = &mut self.states[i].sets[set];
        let slot = &mut s.slots[k];
        let domains = &slot.domains;
        let a = s.parts[site].expect("a live replica's site has an allocation");
        let held = world
            .allocation_len(a)
            .expect("a service's allocation is live");
        if held == domains.len() {
            world.release(now, a).expect("live allocation");
            s.parts[site] = None;
            self.by_allocation.remove(&a.0);
        } else {
            world
                .shrink(now, a, domains)
                .expect("the replica's domains are held");
        }
        // The slot keeps the buffer for its next replica.
        slot.domains.clear();
        s.free_slots.push(k as u32);
        self.freed.push(SiteId(site as u32));
    }

    /// Gives back the `n` newest replicas of service `i`'s replica set
    /// `set` at `now` (loading ones first, then the newest serving ones),
    /// as `n` calls of [`remove_replica`](Self::remove_replica) would: the
    /// world's commands one replica at a time, each run of replicas at
    /// one site given back in one pass.
    pub(super) fn remove_newest(
        &mut self,
        i: usize,
        set: usize,
        n: u32,
        now: SimTime,
        world: &mut World,
    ) {
        let mut gone = std::mem::take(&mut self.pick);
        gone.clear();
        // The run's site and domains per replica.
        let (mut at, mut step) = (usize::MAX, 0);
        for _ in 0..n {
            let Some(k) = self.newest(i, set) else { break };
            let Some(site) = self.retire(i, set, k, now) else {
                continue;
            };
            let len = self.states[i].sets[set].slots[k].domains.len();
            if (site, len) != (at, step) {
                self.give_back(i, set, at, &gone, step, now, world);
                gone.clear();
                (at, step) = (site, len);
            }
            let s = &mut self.states[i].sets[set];
            let slot = &mut s.slots[k];
            for &d in &slot.domains {
                gone.push(d);
            }
            // The slot keeps the buffer for its next replica.
            slot.domains.clear();
            s.free_slots.push(k as u32);
            // The training layer reads each site once per event: a site
            // listed just before needs no second entry.
            if self.freed.last() != Some(&SiteId(site as u32)) {
                self.freed.push(SiteId(site as u32));
            }
        }
        self.give_back(i, set, at, &gone, step, now, world);
        gone.clear();
        self.pick = gone;
    }

    /// The world's side of giving back replicas of `step` domains each,
    /// `domains` in order, of service `i`'s replica set `set` at `site`:
    /// its allocation there shrinks by each in turn, and is released with
    /// the last domains it holds.
    #[allow(clippy::too_many_arguments)]
    fn give_back(
        &mut self,
        i: usize,
        set: usize,
        site: usize,
        domains: &[DomainId],
        step: usize,
        now: SimTime,
        world: &mut World,
    ) {
        if domains.is_empty() {
            return;
        }
        let s = &mut self.states[i].sets[set];
        let a = s.parts[site].expect("a live replica's site has an allocation");
        let held = world
            .allocation_len(a)
            .expect("a service's allocation is live");
        if held == domains.len() {
            let last = domains.len() - step;
            world
                .shrink_each(now, a, &domains[..last], step)
                .expect("the replicas' domains are held");
            world.release(now, a).expect("live allocation");
            s.parts[site] = None;
            self.by_allocation.remove(&a.0);
        } else {
            world
                .shrink_each(now, a, domains, step)
                .expect("the replicas' domains are held");
        }
    }

    /// Replica `k` of service `i`'s replica set `set` stops at `now`: out
    /// of the counts and of the domain index, its slot dead (its domains
    /// still listed, for the world's side). Its site, if it was alive.
    #[inline]
    fn retire(&mut self, i: usize, set: usize, k: usize, now: SimTime) -> Option<usize> {
        self.account(i, now);
        let s = &mut self.states[i].sets[set];
        let replica_chips = u64::from(s.replica_chips);
        let slot = &mut s.slots[k];
        if !slot.alive {
            return None;
        }
        slot.alive = false;
        slot.generation = slot.generation.wrapping_add(1);
        if slot.ready {
            s.ready -= 1;
            s.ready_at[slot.site as usize] -= 1;
        } else {
            s.loading -= 1;
        }
        slot.ready = false;
        if std::mem::take(&mut slot.leaving) {
            s.leaving -= 1;
        }
        // A replacement given back before it served: the replica it was
        // to replace stays, and moves when its window opens.
        if let Some((j, g)) = slot.replaces.take() {
            let old = &mut s.slots[j as usize];
            if old.alive && old.generation == g && std::mem::take(&mut old.leaving) {
                s.leaving -= 1;
            }
        }
        s.chips -= replica_chips;
        let slot = &s.slots[k];
        for d in &slot.domains {
            self.by_domain[d.index()] = NO_REPLICA;
        }
        Some(slot.site as usize)
    }
}
