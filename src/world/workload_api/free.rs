//! The free-domain index and the chips an allocation holds: the bookkeeping
//! the commands and the other world files share.

use super::*;
use crate::world::topology::consecutive;

impl World<'_> {
    /// The (site, rack model) pool index of a domain.
    pub(super) fn pool_of_domain(&self, d: u32) -> usize {
        let rack = &self.topo.racks[self.topo.domains[d as usize].rack as usize];
        self.spares
            .pool(rack.site as usize, rack.rack_type as usize)
    }

    /// A live allocation.
    pub(super) fn live(&self, id: AllocationId) -> Result<&Allocation, CommandError> {
        self.allocations
            .get(id.0 as usize)
            .and_then(Option::as_ref)
            .ok_or(CommandError::UnknownAllocation(id))
    }

    /// `chips` chips of a domain become available (`up`) or not: the site's
    /// power sums follow, and the allocation holding the domain, if any.
    pub(crate) fn chips_power(&mut self, domain: u32, chips: u64, up: bool) {
        let rack = &self.topo.racks[self.topo.domains[domain as usize].rack as usize];
        let ti = rack.rack_type as usize;
        let t = &self.topo.types[ti];
        let (idle, dynamic) = (t.idle_milliwatts, t.dynamic_milliwatts);
        let p = &mut self.sites[rack.site as usize].power;
        if up {
            p.add_available(ti, chips, idle, dynamic);
        } else {
            p.remove_available(ti, chips, idle, dynamic);
        }
        self.hold(domain, chips, up);
    }

    /// Moves a domain's healthy chips under its allocation's load (`up`)
    /// or out of it, when its rack is powered; the chips' availability is
    /// the caller's.
    pub(crate) fn hold_domain_chips(&mut self, domain: u32, up: bool) {
        let rack = &self.topo.racks[self.topo.domains[domain as usize].rack as usize];
        if !rack.power_down && !rack.retired {
            let chips = self.topo.domain_healthy_chips(domain);
            self.hold(domain, chips, up);
        }
    }

    /// The healthy chips of `domains` (all held by allocation `id`) start
    /// (`up`) or stop drawing at its load, those of powered racks in
    /// service: one update of the allocation's and its site's integer sums
    /// for the whole set, which equals one update per domain (the sums are
    /// linear in chips).
    pub(super) fn hold_domains(&mut self, id: u32, domains: impl Iterator<Item = u32>, up: bool) {
        let mut chips = 0;
        for d in domains {
            let rack = &self.topo.racks[self.topo.domains[d as usize].rack as usize];
            if !rack.power_down && !rack.retired {
                chips += self.topo.domain_healthy_chips(d);
            }
        }
        let a = self.allocations[id as usize]
            .as_mut()
            .expect("the allocation is live");
        let p = &mut self.sites[a.site as usize].power;
        move_held(a, p, chips, up);
    }

    /// `chips` chips of a domain start (`up`) or stop drawing at the load
    /// of the allocation holding it; no-op for a domain no allocation holds.
    pub(super) fn hold(&mut self, domain: u32, chips: u64, up: bool) {
        let d = &self.topo.domains[domain as usize];
        let site = self.topo.racks[d.rack as usize].site as usize;
        let holder = self.topo.holder[domain as usize];
        let Some(Some(a)) = self.allocations.get_mut(holder as usize) else {
            return;
        };
        move_held(a, &mut self.sites[site].power, chips, up);
    }

    /// The allocation holding a domain, if any: the one that last took it,
    /// unless released since (a release leaves its domains' ids in place;
    /// ids are never reused).
    pub(crate) fn allocation_of(&self, domain: u32) -> Option<AllocationId> {
        let a = self.topo.holder[domain as usize];
        matches!(self.allocations.get(a as usize), Some(Some(_))).then_some(AllocationId(a))
    }

    /// Adds a domain to its pool's free set and its rack's free count.
    pub(crate) fn free_insert(&mut self, pool: usize, domain: u32) {
        if self.mark_free(pool, domain, true) && self.listening {
            self.move_rack(pool, self.topo.domains[domain as usize].rack, 1);
        }
    }

    /// Removes a domain from its pool's free set and its rack's free count.
    pub(crate) fn free_remove(&mut self, pool: usize, domain: u32) {
        if self.mark_free(pool, domain, false) && self.listening {
            self.move_rack(pool, self.topo.domains[domain as usize].rack, -1);
        }
    }

    /// Checks that `domains` exist, are of `site` and `rack_type`, free and
    /// listed once, and in the same pass gives them to allocation `id` (at
    /// positions from `base` in its list): marked not free, their
    /// allocation and position set, each run of one rack's domains noted in
    /// `rack_moves` (their pool's counts and power wait for
    /// [`take_claimed`](Self::take_claimed)). On an error, leaves every
    /// domain as it was. A domain listed twice is found not free the second
    /// time. O(domains), no sort.
    pub(super) fn claim(
        &mut self,
        domains: &[DomainId],
        site: u32,
        rack_type: u32,
        id: u32,
        base: usize,
    ) -> Result<(), CommandError> {
        if let [one] = domains {
            // One domain (a replica's, say): the checks and writes below
            // for a run of one, without the run machinery.
            self.rack_moves.clear();
            let d = one.0;
            let Some(dom) = self.topo.domains.get(d as usize) else {
                return Err(CommandError::UnknownDomain(*one));
            };
            let rack = dom.rack;
            let r = &self.topo.racks[rack as usize];
            if (r.site, r.rack_type) != (site, rack_type) {
                return Err(CommandError::Mixed(*one));
            }
            if !self.topo.is_free(d) {
                return Err(CommandError::NotFree(*one));
            }
            self.topo.set_free(d, false);
            self.topo.holder[d as usize] = id;
            self.topo.holder_pos[d as usize] = base as u32;
            self.rack_moves.push((rack, -1));
            return Ok(());
        }
        let mut claimed = 0;
        let mut result = Ok(());
        let mut moves = std::mem::take(&mut self.rack_moves);
        moves.clear();
        // The current rack, known to be of `site` and `rack_type`, its
        // domains `first..first + n`, and its run of domains so far.
        let (mut rack, mut first, mut n, mut run) = (u32::MAX, 0u32, 0u32, 0i32);
        // The list as runs of consecutive ids, each cut at its racks' ends.
        let mut i = 0;
        'runs: while i < domains.len() {
            let from = domains[i].0;
            if from as usize >= self.topo.domains.len() {
                result = Err(CommandError::UnknownDomain(DomainId(from)));
                break;
            }
            // From an id below the number of domains, a run of at most
            // `domains.len()` ids stays within u32.
            let k = consecutive(&domains[i..], from, |d| d.0);
            let to = from + k as u32;
            i += k;
            let mut d = from;
            while d < to {
                if d.wrapping_sub(first) >= n {
                    let Some(dom) = self.topo.domains.get(d as usize) else {
                        result = Err(CommandError::UnknownDomain(DomainId(d)));
                        break 'runs;
                    };
                    let r = &self.topo.racks[dom.rack as usize];
                    if (r.site, r.rack_type) != (site, rack_type) {
                        result = Err(CommandError::Mixed(DomainId(d)));
                        break 'runs;
                    }
                    if run != 0 {
                        moves.push((rack, run));
                    }
                    (rack, run) = (dom.rack, 0);
                    (first, n) = (
                        r.first_domain,
                        self.topo.types[r.rack_type as usize].domains,
                    );
                }
                let stop = to.min(first + n);
                // Up to the first that is not free (a domain listed twice
                // is not free the second time).
                let (take, err) = match self.topo.take_free_range(d, stop) {
                    Ok(()) => (stop, None),
                    Err(x) => {
                        self.topo
                            .take_free_range(d, x)
                            .expect("free up to the first that is not");
                        (x, Some(CommandError::NotFree(DomainId(x))))
                    }
                };
                // Two fills of consecutive entries (vector stores).
                let (lo, hi) = (d as usize, take as usize);
                self.topo.holder[lo..hi].fill(id);
                let at = (base + claimed) as u32;
                for (k, pos) in self.topo.holder_pos[lo..hi].iter_mut().enumerate() {
                    *pos = at + k as u32;
                }
                claimed += (take - d) as usize;
                run -= (take - d) as i32;
                if let Some(e) = err {
                    result = Err(e);
                    break 'runs;
                }
                d = stop;
            }
        }
        if run != 0 {
            moves.push((rack, run));
        }
        if result.is_err() {
            for &d in &domains[..claimed] {
                self.topo.holder[d.index()] = NO_ALLOCATION;
                self.topo.set_free(d.0, true);
            }
            moves.clear();
        }
        self.rack_moves = moves;
        result
    }

    /// Completes what [`claim`](Self::claim) began for `count` domains
    /// given to allocation `id`: out of their pool's free count, each rack
    /// moved once per run of its domains in the free-count index
    /// ([`take_claimed_free`](Self::take_claimed_free)), and their chips —
    /// all healthy and powered, being free — under its load in one update
    /// of the integer sums.
    pub(super) fn take_claimed(&mut self, pool: usize, id: u32, count: usize) {
        self.take_claimed_free(pool, count);
        let a = self.allocations[id as usize]
            .as_mut()
            .expect("the allocation is live");
        let t = &self.topo.types[a.rack_type as usize];
        let chips = count as u64 * u64::from(t.nodes_per_domain * t.chips_per_node);
        move_held(a, &mut self.sites[a.site as usize].power, chips, true);
    }

    /// The free side of [`take_claimed`](Self::take_claimed): `count`
    /// claimed domains out of their pool's free count, and each rack moved
    /// once per run of its domains in the free-count index (a rack's place
    /// there depends on its count alone).
    pub(super) fn take_claimed_free(&mut self, pool: usize, count: usize) {
        self.free[pool] -= count;
        if self.listening {
            let moves = std::mem::take(&mut self.rack_moves);
            for &(rack, delta) in &moves {
                self.move_rack(pool, rack, delta);
            }
            self.rack_moves = moves;
        }
    }

    /// Marks a domain free or not and counts it in its pool; whether that
    /// changed anything.
    pub(super) fn mark_free(&mut self, pool: usize, domain: u32, free: bool) -> bool {
        if self.topo.is_free(domain) == free {
            return false;
        }
        self.topo.set_free(domain, free);
        if free {
            self.free[pool] += 1;
        } else {
            self.free[pool] -= 1;
        }
        true
    }

    /// Adds a domain to its pool's free set; its rack's free count waits
    /// in `racks` (applied once per run of domains of one rack by
    /// [`flush_racks`](Self::flush_racks)).
    pub(super) fn free_insert_counted(&mut self, pool: usize, domain: u32, racks: &mut RackRun) {
        if self.mark_free(pool, domain, true) && self.listening {
            let rack = self.topo.domains[domain as usize].rack;
            self.count_rack(pool, rack, 1, racks);
        }
    }

    /// Adds `delta` to the pending change of `rack`, first moving the
    /// pending rack, if another, in the free-count index.
    pub(super) fn count_rack(&mut self, pool: usize, rack: u32, delta: i32, racks: &mut RackRun) {
        if racks.delta != 0 && racks.rack != rack {
            self.move_rack(pool, racks.rack, racks.delta);
            racks.delta = 0;
        }
        racks.rack = rack;
        racks.delta += delta;
    }

    /// Moves the pending rack of `racks`, if any, in the free-count index.
    pub(super) fn flush_racks(&mut self, pool: usize, racks: &mut RackRun) {
        if racks.delta != 0 {
            self.move_rack(pool, racks.rack, racks.delta);
            racks.delta = 0;
        }
    }

    /// A rack's free count changes by `delta`: it moves between the
    /// per-count sets of its pool, O(1).
    pub(super) fn move_rack(&mut self, pool: usize, rack: u32, delta: i32) {
        let old = self.rack_free[rack as usize];
        let new = old.checked_add_signed(delta).expect("counts stay ≥ 0");
        self.rack_free[rack as usize] = new;
        let sets = &mut self.free_racks[pool];
        let counts = &mut self.free_counts[pool];
        if old > 0 {
            let set = &mut sets[old as usize];
            set.remove(rack);
            if set.is_empty() {
                counts[old as usize / 64] &= !(1 << (old % 64));
            }
        }
        if new > 0 {
            sets[new as usize].insert(rack);
            counts[new as usize / 64] |= 1 << (new % 64);
        }
    }

    /// The smallest count `c` in `from..=to` such that some rack of a rack
    /// model at a site has exactly `c` free healthy domains (`lowest`), or
    /// the largest (`!lowest`); `None` if there is none, or while the site
    /// is dark. O(1) for a rack model of up to 64 domains per rack, O(its
    /// domains per rack ÷ 64) in general: placement skips the counts no
    /// rack has instead of looking at each.
    pub fn count_with_free(
        &self,
        site: SiteId,
        rack_type: RackTypeId,
        from: usize,
        to: usize,
        lowest: bool,
    ) -> Option<usize> {
        let words = &self.free_counts[self.spares.pool(site.index(), rack_type.index())];
        let to = to.min(words.len() * 64 - 1);
        if self.sites[site.index()].power.dark || from > to {
            return None;
        }
        // The bits of word `w` within from..=to.
        let masked = |w: usize| -> u64 {
            let mut bits = words[w];
            if w == from / 64 {
                bits &= !0u64 << (from % 64);
            }
            if w == to / 64 {
                bits &= !0u64 >> (63 - to % 64);
            }
            bits
        };
        if lowest {
            (from / 64..=to / 64).find_map(|w| {
                let bits = masked(w);
                (bits != 0).then(|| w * 64 + bits.trailing_zeros() as usize)
            })
        } else {
            (from / 64..=to / 64).rev().find_map(|w| {
                let bits = masked(w);
                (bits != 0).then(|| w * 64 + 63 - bits.leading_zeros() as usize)
            })
        }
    }

    /// The racks of a rack model at a site that have exactly `count` free
    /// healthy domains, in rack id order (none while the site is dark, and
    /// none unless a workload listens: see
    /// [`set_listening`](Self::set_listening)).
    pub fn racks_with_free(
        &self,
        site: SiteId,
        rack_type: RackTypeId,
        count: usize,
    ) -> impl DoubleEndedIterator<Item = RackId> + '_ {
        let sets = &self.free_racks[self.spares.pool(site.index(), rack_type.index())];
        let dark = self.sites[site.index()].power.dark;
        sets.get(count)
            .filter(|_| !dark && count > 0)
            .into_iter()
            .flat_map(|set| set.iter().map(RackId))
    }

    /// Scale-up domains per rack of a rack model.
    pub fn domains_per_rack(&self, rack_type: RackTypeId) -> usize {
        self.topo.types[rack_type.index()].domains as usize
    }

    /// Appends the first `limit` free healthy domains of one rack, in id
    /// order, to `out`; a rack whose domains are all free is appended as a
    /// range, without a look at each domain.
    pub fn push_free_domains_of_rack(&self, rack: RackId, limit: usize, out: &mut Vec<DomainId>) {
        let r = &self.topo.racks[rack.index()];
        let n = self.topo.types[r.rack_type as usize].domains;
        let take = n.min(u32::try_from(limit).unwrap_or(u32::MAX));
        if self.listening && self.rack_free.get(rack.index()) == Some(&n) {
            // Written in place over a zeroed tail: both loops vectorize.
            let start = out.len();
            out.resize(start + take as usize, DomainId(0));
            for (k, d) in out[start..].iter_mut().enumerate() {
                *d = DomainId(r.first_domain + k as u32);
            }
        } else {
            out.reserve(take as usize);
            self.topo.push_free_in(r.first_domain, n, take, out);
        }
    }

    /// The free healthy domains of one rack, in id order: read from the
    /// free bits a word of 64 domains at a time.
    pub fn free_domains_of_rack(&self, rack: RackId) -> impl Iterator<Item = DomainId> + '_ {
        let r = &self.topo.racks[rack.index()];
        let n = self.topo.types[r.rack_type as usize].domains;
        self.topo.free_in(r.first_domain, n).map(DomainId)
    }
}

/// `chips` chips start (`up`) or stop drawing at allocation `a`'s load:
/// its held count and its site's exact power sums follow.
pub(super) fn move_held(
    a: &mut Allocation,
    p: &mut crate::world::power::SitePower,
    chips: u64,
    up: bool,
) {
    if up {
        a.held_chips += chips;
        p.hold(
            a.rack_type as usize,
            chips,
            a.dynamic_milliwatts,
            a.load_milliwatts,
            a.u_micros,
        );
    } else {
        a.held_chips -= chips;
        p.release(
            a.rack_type as usize,
            chips,
            a.dynamic_milliwatts,
            a.load_milliwatts,
            a.u_micros,
        );
    }
}
