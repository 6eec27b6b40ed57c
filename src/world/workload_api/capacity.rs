//! What a workload reads of the world: free capacity, domains, racks and sites,
//! and the notices waiting for it.

use super::*;

impl World<'_> {
    /// Free healthy domains of a rack model at a site (0 while it is dark).
    pub fn capacity(&self, site: SiteId, rack_type: RackTypeId) -> usize {
        if self.sites[site.index()].power.dark {
            return 0;
        }
        self.free[self.spares.pool(site.index(), rack_type.index())]
    }

    /// The free healthy domains of a rack model at a site, in id order
    /// (none while the site is dark). O(racks + their domains): for tests
    /// and tools; placement reads [`racks_with_free`](Self::racks_with_free).
    pub fn free_domains(
        &self,
        site: SiteId,
        rack_type: RackTypeId,
    ) -> impl Iterator<Item = DomainId> + '_ {
        let dark = self.sites[site.index()].power.dark;
        self.topo
            .racks
            .iter()
            .enumerate()
            .filter(move |(_, r)| !dark && r.site == site.0 && r.rack_type == rack_type.0)
            .flat_map(|(i, _)| self.free_domains_of_rack(RackId(i as u32)))
    }

    #[cfg(test)]
    /// Chips per domain of a rack model.
    pub fn domain_chips(&self, rack_type: RackTypeId) -> u32 {
        let t = &self.topo.types[rack_type.index()];
        t.nodes_per_domain * t.chips_per_node
    }

    /// The rack of a domain.
    pub fn domain_rack(&self, domain: DomainId) -> RackId {
        RackId(self.topo.domains[domain.index()].rack)
    }

    /// The site of a rack.
    pub fn rack_site(&self, rack: RackId) -> SiteId {
        SiteId(self.topo.racks[rack.index()].site)
    }

    /// The capacity of the uplink (and of the downlink) of a rack of model
    /// `rack_type` at `site`: `chips × NIC per chip ÷ uplink
    /// oversubscription` [bit/s].
    pub fn uplink_capacity(&self, site: SiteId, rack_type: RackTypeId) -> BitsPerSecond {
        let t = &self.topo.types[rack_type.index()];
        t.nic_per_chip * f64::from(t.chips)
            / self.config.sites[site.index()].uplink_oversubscription
    }

    /// Whether a site is dark (a site outage).
    pub fn site_dark(&self, site: SiteId) -> bool {
        self.sites[site.index()].power.dark
    }

    #[cfg(test)]
    /// Whether a domain can serve a workload now: its nodes healthy, its
    /// rack powered, connected and in service, its site lit.
    pub fn domain_usable(&self, domain: DomainId) -> bool {
        self.topo.domain_healthy(domain.0) && !self.domain_site_dark(domain.0)
    }

    /// The domains an allocation holds.
    pub fn allocation_domains(&self, id: AllocationId) -> Option<Vec<DomainId>> {
        let a = self.allocations.get(id.0 as usize)?.as_ref()?;
        Some(a.domains.iter().map(|&d| DomainId(d)).collect())
    }

    #[cfg(test)]
    /// A site's IT power now \[W\] (after its power cap).
    pub fn site_it_power(&self, site: SiteId) -> crate::units::Watts {
        self.sites[site.index()].power.it
    }

    /// The notices since the last call, in the order they arose.
    pub fn drain_notices(&mut self) -> std::vec::Drain<'_, Notice> {
        self.notices.drain(..)
    }

    /// Makes room for `n` more allocations without moving the ones made:
    /// a workload that knows how many it will ask for (a training job's
    /// first placement is one allocation per site) spares the list its
    /// growth, each step a copy into fresh memory of every allocation so
    /// far. Untouched room costs no memory.
    pub fn reserve_allocations(&mut self, n: usize) {
        self.allocations.reserve(n);
    }

    /// Whether a workload uses the world (on by default): the world then
    /// makes notices and keeps the per-rack free counts behind
    /// [`racks_with_free`](Self::racks_with_free). The composition root
    /// turns this off when no workload exists, so a run without workloads
    /// pays for neither; turned on again, the counts are rebuilt from the
    /// free sets (O(free domains), once).
    pub fn set_listening(&mut self, listening: bool) {
        self.listening = listening;
        self.notices.clear();
        for sets in &mut self.free_racks {
            sets.iter_mut()
                .for_each(crate::world::rackbits::RackBits::clear);
        }
        for words in &mut self.free_counts {
            words.iter_mut().for_each(|w| *w = 0);
        }
        self.rack_free.iter_mut().for_each(|n| *n = 0);
        if listening {
            for d in 0..self.topo.domains.len() as u32 {
                if self.topo.is_free(d) {
                    let pool = self.pool_of_domain(d);
                    self.move_rack(pool, self.topo.domains[d as usize].rack, 1);
                }
            }
        }
    }

    /// Whether notices wait to be drained.
    pub fn has_notices(&self) -> bool {
        !self.notices.is_empty()
    }

    /// Queues a notice for the workloads, if any listen.
    pub(crate) fn notify(&mut self, notice: Notice) {
        if self.listening {
            self.notices.push(notice);
        }
    }
}
