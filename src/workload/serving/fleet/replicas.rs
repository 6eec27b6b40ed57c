//! A service's replicas: placed (preempting training where allowed) and
//! given back, newest first.

use super::{Event, NO_REPLICA, Serving, Slot};
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
        let service = &self.config.services[i];
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
        let k = match s.free_slots.pop() {
            Some(k) => k as usize,
            None => {
                s.slots.push(Slot::default());
                s.slots.len() - 1
            }
        };
        let slot = &mut s.slots[k];
        slot.generation = slot.generation.wrapping_add(1);
        slot.alive = true;
        slot.ready = false;
        slot.leaving = false;
        slot.replaces = None;
        slot.site = site.0;
        // The slot keeps its list's buffer from replica to replica.
        slot.domains.clear();
        slot.domains.extend_from_slice(domains);
        let generation = slot.generation;
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
            now + service.scale_up_delay,
            Event::Ready {
                service: i as u32,
                set: set as u32,
                replica: k as u32,
                generation,
            },
        ));
        k
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
        self.account(i, now);
        let s = &mut self.states[i].sets[set];
        let replica_chips = u64::from(s.replica_chips);
        let slot = &mut s.slots[k];
        if !slot.alive {
            return;
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
        let slot = &mut s.slots[k];
        s.chips -= replica_chips;
        let domains = &slot.domains;
        let site = slot.site as usize;
        for d in domains {
            self.by_domain[d.index()] = NO_REPLICA;
        }
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
}
