//! What a workload asks of the world: allocate, set utilization, release,
//! extend, shrink, replace a domain, and start and end flows and rings.

use super::*;

impl World<'_> {
    /// Allocates `domains` (free, healthy, of one site and rack model) at
    /// `utilization` (0–1) from `now` on.
    pub fn allocate(
        &mut self,
        now: SimTime,
        domains: &[DomainId],
        utilization: f64,
    ) -> Result<AllocationId, CommandError> {
        self.allocate_owned(now, domains.to_vec(), utilization)
    }

    /// [`World::allocate`] of a list the allocation keeps: its memory,
    /// just written by the placement, becomes the allocation's list (no
    /// copy into a fresh block, whose every cache line would miss).
    pub fn allocate_owned(
        &mut self,
        now: SimTime,
        domains: Vec<DomainId>,
        utilization: f64,
    ) -> Result<AllocationId, CommandError> {
        let first = *domains.first().ok_or(CommandError::NoDomains)?;
        if !(0.0..=1.0).contains(&utilization) {
            return Err(CommandError::Utilization(utilization));
        }
        let rack_of = |d: DomainId| -> Result<&crate::world::topology::Rack, CommandError> {
            let r = self
                .topo
                .domains
                .get(d.index())
                .ok_or(CommandError::UnknownDomain(d))?;
            Ok(&self.topo.racks[r.rack as usize])
        };
        let head = rack_of(first)?;
        let (site, rack_type) = (head.site, head.rack_type);
        if self.sites[site as usize].power.dark {
            return Err(CommandError::SiteDark(SiteId(site)));
        }
        let pool = self.spares.pool(site as usize, rack_type as usize);
        let id = self.allocations.len() as u32;
        self.claim(&domains, site, rack_type, id, 0)?;
        self.now = now;
        self.touch(site as usize);
        let t = self.topo.types[rack_type as usize];
        let (load_milliwatts, u_micros) = loads(t.dynamic, t.dynamic_milliwatts, utilization);
        let n = domains.len();
        self.allocations.push(Some(Allocation {
            site,
            rack_type,
            // Collected in place: the same block, ids as they are.
            domains: domains.into_iter().map(|d| d.0).collect(),
            dynamic_milliwatts: t.dynamic_milliwatts,
            load_milliwatts,
            u_micros,
            held_chips: 0,
        }));
        self.take_claimed(pool, id, n);
        self.refresh_changed();
        Ok(AllocationId(id))
    }

    /// Sets the utilization of every healthy chip no allocation holds (0–1)
    /// from `now` on, at every site. A scenario without workloads keeps
    /// `[load] utilization` (its synthetic load); the workload layer sets
    /// its own background (0 for chips that idle) when it takes over.
    pub fn set_background_utilization(
        &mut self,
        now: SimTime,
        utilization: f64,
    ) -> Result<(), CommandError> {
        if !(0.0..=1.0).contains(&utilization) {
            return Err(CommandError::Utilization(utilization));
        }
        self.now = now;
        for site in 0..self.sites.len() {
            self.touch(site);
            self.sites[site].power.background = utilization;
        }
        self.refresh_changed();
        Ok(())
    }

    /// Sets an allocation's utilization (0–1) from `now` on, in O(1).
    #[inline]
    pub fn set_utilization(
        &mut self,
        now: SimTime,
        id: AllocationId,
        utilization: f64,
    ) -> Result<(), CommandError> {
        if !(0.0..=1.0).contains(&utilization) {
            return Err(CommandError::Utilization(utilization));
        }
        let a = self
            .allocations
            .get_mut(id.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(CommandError::UnknownAllocation(id))?;
        let site = a.site as usize;
        let dynamic = self.topo.types[a.rack_type as usize].dynamic;
        let (load_milliwatts, u_micros) = loads(dynamic, a.dynamic_milliwatts, utilization);
        let (held, was_load, was_u) = (a.held_chips, a.load_milliwatts, a.u_micros);
        (a.load_milliwatts, a.u_micros) = (load_milliwatts, u_micros);
        self.now = now;
        // The same chips stay held: only their load moves, by the
        // difference (exact integers, as a release and a hold would leave).
        self.change_power(site, |p| {
            p.reload(held, was_load, load_milliwatts, was_u, u_micros)
        });
        Ok(())
    }

    /// Releases an allocation from `now` on: its healthy domains become
    /// free; retired ones are gone.
    pub fn release(&mut self, now: SimTime, id: AllocationId) -> Result<(), CommandError> {
        let site = self.live(id)?.site as usize;
        self.now = now;
        self.touch(site);
        let a = self.allocations[id.0 as usize]
            .take()
            .expect("checked live");
        // The allocation's held chips are exactly those of its domains
        // drawing at its load: one update of the site's sums.
        self.sites[site].power.release(
            a.rack_type as usize,
            a.held_chips,
            a.dynamic_milliwatts,
            a.load_milliwatts,
            a.u_micros,
        );
        let pool = self.spares.pool(site, a.rack_type as usize);
        // One pass over the allocation's list of domains, taken as runs of
        // consecutive ids (placement hands out whole racks and a rack's
        // free domains in id order). The domains' own records are not
        // read: the allocation id they keep is now of a released
        // allocation, which means held by none; their racks come from a
        // small table; their free bits are set a word of 64 domains at a
        // time, for those whose nodes are all healthy. Each run of one
        // rack's freed domains becomes one move in the free-count index,
        // applied after the pass.
        let mut moves = std::mem::take(&mut self.rack_moves);
        moves.clear();
        let mut freed = 0;
        {
            let list = &a.domains;
            // The current rack, its domains `first..first + n`, whether it
            // is in service, and the domains of it freed so far.
            let (mut rack, mut first, mut n) = (u32::MAX, 0u32, 0u32);
            let (mut rack_up, mut run) = (false, 0u32);
            let mut i = 0;
            while i < list.len() {
                let from = list[i];
                let k = crate::world::topology::consecutive(&list[i..], from, |d| d);
                let to = from + k as u32;
                i += k;
                let mut d = from;
                while d < to {
                    if d.wrapping_sub(first) >= n {
                        if run != 0 {
                            moves.push((rack, run as i32));
                            run = 0;
                        }
                        rack = self.topo.rack_of(d);
                        let r = &self.topo.racks[rack as usize];
                        (first, n) = (
                            r.first_domain,
                            self.topo.types[r.rack_type as usize].domains,
                        );
                        rack_up = !r.power_down && !r.uplink_failed && !r.retired;
                    }
                    let stop = to.min(first + n);
                    // Healthy (as `Topology::domain_healthy`): free again.
                    // A held domain is never marked free.
                    if rack_up {
                        run += self.topo.free_whole_range(d, stop);
                    }
                    d = stop;
                }
            }
            if run != 0 {
                moves.push((rack, run as i32));
            }
        }
        for &(rack, delta) in &moves {
            freed += delta as usize;
            if self.listening {
                self.move_rack(pool, rack, delta);
            }
        }
        self.rack_moves = moves;
        self.free[pool] += freed;
        self.refresh_changed();
        Ok(())
    }

    /// Adds `domains` (free, healthy, of the allocation's site and rack
    /// model) to a live allocation from `now` on, at its utilization: how a
    /// service grows by replicas while keeping one allocation per site, so
    /// that a change of its load stays one O(1) command.
    pub fn extend(
        &mut self,
        now: SimTime,
        id: AllocationId,
        domains: &[DomainId],
    ) -> Result<(), CommandError> {
        let (site, rack_type, base) = self.growth_of(id)?;
        self.claim(domains, site, rack_type, id.0, base)?;
        self.now = now;
        self.touch(site as usize);
        let pool = self.spares.pool(site as usize, rack_type as usize);
        self.take_claimed(pool, id.0, domains.len());
        self.allocations[id.0 as usize]
            .as_mut()
            .expect("checked live")
            .domains
            .extend(domains.iter().map(|d| d.0));
        self.refresh_changed();
        Ok(())
    }

    /// Gives back `domains` of a live allocation from `now` on, keeping at
    /// least one: the healthy ones become free, down ones free when they
    /// return, retired ones are gone. O(domains given back).
    pub fn shrink(
        &mut self,
        now: SimTime,
        id: AllocationId,
        domains: &[DomainId],
    ) -> Result<(), CommandError> {
        let a = self.live(id)?;
        let site = a.site as usize;
        let held = a.domains.len();
        self.check_held(id, domains)?;
        // A domain listed twice: a few domains (a replica's) are compared
        // pairwise, without building a sorted copy.
        if domains.len() <= 8 {
            for (k, d) in domains.iter().enumerate() {
                if domains[..k].contains(d) {
                    return Err(CommandError::NotHeld(*d, id));
                }
            }
        } else {
            let mut sorted: Vec<u32> = domains.iter().map(|d| d.0).collect();
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(CommandError::NotHeld(DomainId(w[0]), id));
            }
        }
        if domains.len() >= held {
            return Err(CommandError::NoDomains);
        }
        self.now = now;
        self.touch(site);
        self.hold_domains(id.0, domains.iter().map(|d| d.0), false);
        let pool = domains.first().map_or(0, |d| self.pool_of_domain(d.0));
        let mut racks = RackRun::default();
        for &d in domains {
            self.topo.holder[d.index()] = NO_ALLOCATION;
            self.give_back(id, d, pool, &mut racks);
        }
        self.flush_racks(pool, &mut racks);
        self.refresh_changed();
        Ok(())
    }

    /// [`World::extend`] by `domains` taken `step` at a time, as that many
    /// commands in turn (a service adding replicas of `step` domains one
    /// by one): the same domains, free counts, power sums and notices, the
    /// site's power refreshed after each step, in one pass over the list.
    /// All or nothing: on an error no domain is taken.
    pub(crate) fn extend_each(
        &mut self,
        now: SimTime,
        id: AllocationId,
        domains: &[DomainId],
        step: usize,
    ) -> Result<(), CommandError> {
        let (site, rack_type, base) = self.growth_of(id)?;
        if domains.is_empty() {
            return Ok(());
        }
        self.claim(domains, site, rack_type, id.0, base)?;
        self.now = now;
        let (site, pool) = (
            site as usize,
            self.spares.pool(site as usize, rack_type as usize),
        );
        // The free counts end as the commands would leave them.
        self.take_claimed_free(pool, domains.len());
        let t = &self.topo.types[rack_type as usize];
        let per_domain = u64::from(t.nodes_per_domain * t.chips_per_node);
        let a = self.allocations[id.0 as usize]
            .as_mut()
            .expect("checked live");
        a.domains.extend(domains.iter().map(|d| d.0));
        let dynamic = a.dynamic_milliwatts;
        // The power of each step as its own command (the chips under the
        // allocation's load, then the site's refresh and its notice if its
        // cap moved); when no step can move the cap, the chips in one
        // change of the integer sums and one refresh, which leave the same.
        let chips = domains.len() as u64 * per_domain;
        let step = self.chunk_len(site, chips, dynamic, domains.len(), step);
        for chunk in domains.chunks(step) {
            self.touch(site);
            let a = self.allocations[id.0 as usize]
                .as_mut()
                .expect("checked live");
            let chips = chunk.len() as u64 * per_domain;
            super::free::move_held(a, &mut self.sites[site].power, chips, true);
            self.refresh_changed();
        }
        Ok(())
    }

    /// [`World::shrink`] by `domains` given back `step` at a time, as that
    /// many commands in turn (a service giving back replicas of `step`
    /// domains one by one): the same state and notices, the site's power
    /// refreshed after each step, in one pass over the list. The
    /// allocation keeps at least one domain. All or nothing: on an error
    /// no domain is given back.
    pub(crate) fn shrink_each(
        &mut self,
        now: SimTime,
        id: AllocationId,
        domains: &[DomainId],
        step: usize,
    ) -> Result<(), CommandError> {
        let a = self.live(id)?;
        let site = a.site as usize;
        if domains.is_empty() {
            return Ok(());
        }
        if domains.len() >= a.domains.len() {
            return Err(CommandError::NoDomains);
        }
        self.check_held(id, domains)?;
        // Each domain leaves its holder once: a domain listed twice is no
        // longer held the second time (the ones before it are restored).
        for (k, &d) in domains.iter().enumerate() {
            let holder = &mut self.topo.holder[d.index()];
            if *holder != id.0 {
                for &e in &domains[..k] {
                    self.topo.holder[e.index()] = id.0;
                }
                return Err(CommandError::NotHeld(d, id));
            }
            *holder = NO_ALLOCATION;
        }
        self.now = now;
        let pool = self.pool_of_domain(domains[0].0);
        let mut racks = RackRun::default();
        let (rack_type, dynamic) = {
            let a = self.allocations[id.0 as usize]
                .as_ref()
                .expect("checked live");
            (a.rack_type, a.dynamic_milliwatts)
        };
        let t = &self.topo.types[rack_type as usize];
        let most = domains.len() as u64 * u64::from(t.nodes_per_domain * t.chips_per_node);
        // No step moves the cap: the chips out of the allocation's load in
        // one change of the integer sums and one refresh (what a refresh
        // per step leaves); else each step as its own command.
        let step = self.chunk_len(site, most, dynamic, domains.len(), step);
        for chunk in domains.chunks(step) {
            self.touch(site);
            self.hold_domains(id.0, chunk.iter().map(|d| d.0), false);
            for &d in chunk {
                self.give_back(id, d, pool, &mut racks);
            }
            self.refresh_changed();
        }
        // The free-count index ends as the commands would leave it.
        self.flush_racks(pool, &mut racks);
        Ok(())
    }

    /// The site, rack model and domain count of live allocation `id`,
    /// which [`World::extend`] and [`World::extend_each`] grow: refused
    /// when it holds no domain or its site is dark.
    fn growth_of(&self, id: AllocationId) -> Result<(u32, u32, usize), CommandError> {
        let a = self.live(id)?;
        let first = *a.domains.first().ok_or(CommandError::NoDomains)?;
        let rack_type = self.topo.racks[self.topo.domains[first as usize].rack as usize].rack_type;
        if self.sites[a.site as usize].power.dark {
            return Err(CommandError::SiteDark(SiteId(a.site)));
        }
        Ok((a.site, rack_type, a.domains.len()))
    }

    /// Refuses `domains` unless each is a known domain allocation `id`
    /// holds (for [`World::shrink`] and [`World::shrink_each`]).
    fn check_held(&self, id: AllocationId, domains: &[DomainId]) -> Result<(), CommandError> {
        for &d in domains {
            let holder = self
                .topo
                .holder
                .get(d.index())
                .ok_or(CommandError::UnknownDomain(d))?;
            if *holder != id.0 {
                return Err(CommandError::NotHeld(d, id));
            }
        }
        Ok(())
    }

    /// Takes domain `d` (no longer marked held) off allocation `id`'s list
    /// in O(1), the last domain moving into its place, and, when it is
    /// healthy, into pool `pool`'s free set, its rack's move counted in
    /// `racks`.
    fn give_back(&mut self, id: AllocationId, d: DomainId, pool: usize, racks: &mut RackRun) {
        let pos = self.topo.holder_pos[d.index()] as usize;
        let list = &mut self.allocations[id.0 as usize]
            .as_mut()
            .expect("checked live")
            .domains;
        list.swap_remove(pos);
        if let Some(&moved) = list.get(pos) {
            self.topo.holder_pos[moved as usize] = pos as u32;
        }
        if self.topo.domain_healthy(d.0) {
            self.free_insert_counted(pool, d.0, racks);
        }
    }

    /// How many of `len` domains a batch command moves per power change:
    /// all of them at once when no step can move the site's cap
    /// ([`World::stays_uncapped`] for `chips` chips of `dynamic_milliwatts`
    /// each), else `step` (at least 1), each chunk as its own command.
    fn chunk_len(
        &self,
        site: usize,
        chips: u64,
        dynamic_milliwatts: i64,
        len: usize,
        step: usize,
    ) -> usize {
        if self.stays_uncapped(site, chips, dynamic_milliwatts) {
            len
        } else {
            step.max(1)
        }
    }

    /// Whether changes of at most `chips` chips in all between a site's
    /// free draw and an allocation's load (chips of `dynamic_milliwatts`
    /// each between idle and TDP) leave the site's power cap at 1 after
    /// each change, with no notice: the cap is 1 now, and the IT demand
    /// now plus the most such changes can move it (each chip by at most
    /// its dynamic draw, the changes of one sign) stays below the grid's
    /// limit by a margin far above the rounding of the sums. Always for a
    /// dark site, whose cap stays 1.
    fn stays_uncapped(&self, site: usize, chips: u64, dynamic_milliwatts: i64) -> bool {
        let p = &self.sites[site].power;
        if p.dark {
            return true;
        }
        if p.cap != 1.0 {
            return false;
        }
        let w = |milliwatts: i64| milliwatts as f64 / 1000.0;
        let demand = w(p.overhead_milliwatts)
            + w(p.idle_milliwatts)
            + w(p.dynamic_milliwatts - p.held_dynamic_milliwatts) * p.background
            + w(p.held_load_milliwatts);
        let swing = chips as f64 * w(dynamic_milliwatts);
        let limit = p.grid.0 / p.pue;
        demand + swing < limit * (1.0 - 1e-9)
    }

    /// How many domains a live allocation holds.
    pub fn allocation_len(&self, id: AllocationId) -> Option<usize> {
        Some(self.allocations.get(id.0 as usize)?.as_ref()?.domains.len())
    }

    /// Moves an allocation off domain `old` (one it holds) onto `new` (a
    /// free healthy domain of the same site and rack model) from `now` on:
    /// `new` draws at the allocation's load; `old` leaves it and, once
    /// healthy, joins the free domains (its later [`Notice::DomainUp`]
    /// names no allocation). This is how a workload re-places the part of
    /// a job a failure took down onto free chips.
    pub fn replace_domain(
        &mut self,
        now: SimTime,
        id: AllocationId,
        old: DomainId,
        new: DomainId,
    ) -> Result<(), CommandError> {
        let site = self.live(id)?.site;
        // The domain's holder table says where it stands in its
        // allocation's list: O(1), not a search of the list.
        let pos = match self.topo.holder.get(old.index()) {
            Some(&a) if a == id.0 => self.topo.holder_pos[old.index()] as usize,
            _ => return Err(CommandError::NotHeld(old, id)),
        };
        let rack_type = self.topo.racks[self.topo.domains[old.index()].rack as usize].rack_type;
        let n = self
            .topo
            .domains
            .get(new.index())
            .ok_or(CommandError::UnknownDomain(new))?;
        let r = &self.topo.racks[n.rack as usize];
        if (r.site, r.rack_type) != (site, rack_type) {
            return Err(CommandError::Mixed(new));
        }
        if !self.topo.is_free(new.0) {
            return Err(CommandError::NotFree(new));
        }
        if self.sites[site as usize].power.dark {
            return Err(CommandError::SiteDark(SiteId(site)));
        }
        self.now = now;
        self.touch(site as usize);
        let pool = self.spares.pool(site as usize, rack_type as usize);
        self.hold_domain_chips(old.0, false);
        self.topo.holder[old.index()] = NO_ALLOCATION;
        if self.topo.domain_healthy(old.0) {
            self.free_insert(pool, old.0);
        }
        self.free_remove(pool, new.0);
        self.topo.holder[new.index()] = id.0;
        self.topo.holder_pos[new.index()] = pos as u32;
        self.hold_domain_chips(new.0, true);
        self.allocations[id.0 as usize]
            .as_mut()
            .expect("checked live")
            .domains[pos] = new.0;
        self.refresh_changed();
        Ok(())
    }

    /// Starts a flow from rack `from` to rack `to`, capped at `cap` (the
    /// NICs' rate, say; required between domains of one rack), from `now`
    /// on. Its rate, and the rates of the flows it slows, arrive as
    /// [`Notice::FlowRate`].
    pub fn start_flow(
        &mut self,
        now: SimTime,
        from: RackId,
        to: RackId,
        cap: Option<BitsPerSecond>,
    ) -> Result<FlowId, CommandError> {
        let site_of = |r: RackId| {
            self.topo
                .racks
                .get(r.index())
                .map(|rack| rack.site as usize)
                .ok_or(CommandError::UnknownRack(r))
        };
        let (a, b) = (site_of(from)?, site_of(to)?);
        let path = self
            .network
            .route((from.index(), a), (to.index(), b))
            .ok_or(CommandError::NoRoute(from, to))?;
        self.now = now;
        let (flow, changes) = self.network.fabric.start_flow(&path, cap)?;
        self.flow_notices(changes);
        Ok(flow)
    }

    /// Starts one flow around a ring of racks from `now` on: from each rack
    /// to the next and from the last back to the first, elastic. A
    /// synchronous ring moves at its slowest hop, so one flow at one
    /// max-min rate stands for the whole ring and leaves what its other
    /// hops do not use to the flows beside it.
    ///
    /// `whole[i]` says that the workload holds every domain of rack `i`:
    /// no other ring can cross that rack's uplink and downlink, so the flow
    /// leaves them out of its path and is capped at their capacity instead
    /// (the same rate; a recomputation then touches only the racks it
    /// shares and the inter-site links). Its rate, and the rates of the
    /// flows it slows, arrive as [`Notice::FlowRate`]. Needs at least two
    /// distinct racks.
    pub fn start_ring(
        &mut self,
        now: SimTime,
        racks: &[RackId],
        whole: &[bool],
    ) -> Result<FlowId, CommandError> {
        let site_of = |r: RackId| {
            self.topo
                .racks
                .get(r.index())
                .map(|rack| rack.site as usize)
                .ok_or(CommandError::UnknownRack(r))
        };
        let mut path = Vec::with_capacity(2 * racks.len());
        let mut cap: Option<f64> = None;
        for (i, &from) in racks.iter().enumerate() {
            let next = (i + 1) % racks.len();
            let to = racks[next];
            let (a, b) = (site_of(from)?, site_of(to)?);
            // The hop's links go straight onto the ring's path; the rack
            // links the job owns come off again (its end first, then its
            // start: the path is sorted below, so order does not matter).
            let start = path.len();
            self.network
                .route_into((from.index(), a), (to.index(), b), &mut path)
                .ok_or(CommandError::NoRoute(from, to))?;
            let mut own = |link: crate::world::fabric::LinkId| {
                let c = self.network.fabric.capacity(link).0;
                cap = Some(cap.map_or(c, |m: f64| m.min(c)));
            };
            // A hop between two racks has two links at least.
            if path.len() > start {
                if whole[next] {
                    own(path.pop().expect("the hop has links"));
                }
                if whole[i] {
                    own(path.swap_remove(start));
                }
            }
        }
        path.sort_unstable();
        path.dedup();
        self.now = now;
        let (flow, changes) = self
            .network
            .fabric
            .start_flow(&path, cap.map(BitsPerSecond))?;
        self.flow_notices(changes);
        Ok(flow)
    }

    /// Ends a flow from `now` on; the flows it leaves room to speed up
    /// arrive as [`Notice::FlowRate`].
    pub fn end_flow(&mut self, now: SimTime, flow: FlowId) -> Result<(), CommandError> {
        self.now = now;
        let changes = self.network.fabric.end_flow(flow)?;
        self.flow_notices(changes);
        Ok(())
    }

    /// The most other flows that cross one link of `flow`'s path (0 when
    /// its links carry it alone, or it is unknown).
    pub fn flows_beside(&self, flow: FlowId) -> usize {
        let fabric = &self.network.fabric;
        fabric.flow_path(flow).map_or(0, |path| {
            path.iter()
                .map(|&l| fabric.flows_on(l).saturating_sub(1))
                .max()
                .unwrap_or(0)
        })
    }

    /// A flow's rate now [bit/s], if it exists.
    pub fn flow_rate(&self, flow: FlowId) -> Option<BitsPerSecond> {
        self.network.fabric.rate(flow)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::Driver;
    use super::*;
    use crate::engine::Engine;
    use crate::policy::placement;
    use crate::scenario::{Overrides, load_str};
    use rand::{RngExt, SeedableRng};

    /// One site of 12 H100 racks (48 domains) under a grid that caps it
    /// when most of its chips work at full load; no failures.
    const SCENARIO: &str = r#"
    name = "each-props"
    start = "2026-01-01"
    duration = "30d"
    seed = 5
    [load]
    utilization = 0.2
    [[sites]]
    name = "a"
    grid_mw = 0.45
    power_oversubscription = 2
    pue = 1.2
    [[sites.buildout]]
    rack = "hgx-h100"
    count = 12
    date = "2026-01-01"
    "#;

    /// Everything of the world's state the commands change, as text.
    fn state(w: &World) -> String {
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?}",
            w.sites[0].power, w.free, w.rack_free, w.topo.free_bits, w.topo.holder, w.allocations
        )
    }

    #[test]
    fn extend_each_and_shrink_each_equal_one_command_per_step() {
        let scenario = load_str("each.toml", SCENARIO, None, &Overrides::default()).unwrap();
        // Two copies of the world, commissioned.
        let mut worlds: Vec<Driver> = (0..2)
            .map(|_| {
                let mut engine = Engine::new();
                let mut d = Driver(World::new(&scenario.run, &scenario.world));
                for (at, e) in d.0.drain_scheduled() {
                    engine.schedule_at(at, e).unwrap();
                }
                while engine.peek_time() == Some(SimTime::ZERO) {
                    engine.step(&mut d);
                }
                d.0.drain_notices().for_each(drop);
                d
            })
            .collect();
        let (site, model) = (SiteId(0), RackTypeId(0));
        assert_eq!(worlds[0].0.capacity(site, model), 48);
        let mut ids = Vec::new();
        for d in &mut worlds {
            let first = placement::pack_one(&d.0, site, model).unwrap();
            ids.push(d.0.allocate(SimTime::ZERO, &[first], 1.0).unwrap());
        }
        assert_eq!(ids[0], ids[1]);
        let a = ids[0];
        let mut rng = rand::rngs::SmallRng::seed_from_u64(9);
        let mut speeds = 0;
        for round in 1..400u64 {
            let now = SimTime::ZERO + crate::engine::SimDuration::from_hours(round);
            let step = rng.random_range(1..=2usize);
            let [one, each] = &mut worlds[..] else {
                unreachable!()
            };
            let (one, each) = (&mut one.0, &mut each.0);
            if rng.random_bool(0.5) {
                let n = rng.random_range(1..=8usize) * step;
                let mut packed = Vec::new();
                placement::pack_each(each, site, model, n, &mut packed);
                if step == 1 {
                    // The domains pack_one chooses, one command each, are
                    // the ones pack_each chooses in one pass.
                    let mut picks = Vec::new();
                    while let Some(d) = placement::pack_one(one, site, model) {
                        if picks.len() == n {
                            break;
                        }
                        picks.push(d);
                        one.extend(now, a, &[d]).unwrap();
                    }
                    assert_eq!(packed, picks, "round {round}");
                } else {
                    for chunk in packed.chunks(step) {
                        one.extend(now, a, chunk).unwrap();
                    }
                }
                each.extend_each(now, a, &packed, step).unwrap();
            } else {
                let held = one.allocation_domains(a).unwrap();
                assert_eq!(Some(&held), each.allocation_domains(a).as_ref());
                let n = rng.random_range(0..held.len());
                let back: Vec<DomainId> = held.iter().rev().take(n).copied().collect();
                for chunk in back.chunks(step) {
                    one.shrink(now, a, chunk).unwrap();
                }
                each.shrink_each(now, a, &back, step).unwrap();
            }
            let notices: Vec<Notice> = one.drain_notices().collect();
            assert_eq!(
                notices,
                each.drain_notices().collect::<Vec<_>>(),
                "round {round}"
            );
            speeds += notices
                .iter()
                .filter(|n| matches!(n, Notice::SiteSpeed { .. }))
                .count();
            assert_eq!(state(one), state(each), "round {round}");
        }
        // The cap moved within commands of several steps.
        assert!(speeds > 50, "{speeds} speed notices");
        // An error changes nothing: a domain listed twice, one not free.
        let held = worlds[1].0.allocation_domains(a).unwrap();
        let before = state(&worlds[1].0);
        let now = SimTime::ZERO + crate::engine::SimDuration::from_hours(400);
        assert!(
            worlds[1]
                .0
                .shrink_each(now, a, &[held[0], held[0]], 1)
                .is_err()
        );
        assert!(worlds[1].0.extend_each(now, a, &held[..1], 1).is_err());
        assert_eq!(state(&worlds[1].0), before);
    }
}
