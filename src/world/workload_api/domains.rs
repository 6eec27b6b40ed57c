//! A domain, site or rack changing state: the free set and the notices
//! that follow.

use super::*;

impl World<'_> {
    /// A healthy domain goes down: out of the free set, and noticed (to its
    /// allocation, if any). While its site is dark nothing is noticed but
    /// retirement: the site's own notices stand for its domains (see
    /// [`World::site_dark_notices`]), so every down notice of a domain
    /// is followed by exactly one up notice, or a retirement.
    pub(crate) fn domain_lost(&mut self, domain: u32, cause: DownCause) {
        let allocation = self.allocation_of(domain);
        if allocation.is_none() {
            let pool = self.pool_of_domain(domain);
            self.free_remove(pool, domain);
        }
        if cause != DownCause::Retired && self.domain_site_dark(domain) {
            return;
        }
        self.notify(Notice::DomainDown {
            domain: DomainId(domain),
            allocation,
            cause,
        });
    }

    /// A domain is healthy again: back in the free set, and noticed (to
    /// its allocation, if any), unless its site is dark.
    pub(crate) fn domain_regained(&mut self, domain: u32) {
        let allocation = self.allocation_of(domain);
        if allocation.is_none() {
            let pool = self.pool_of_domain(domain);
            self.free_insert(pool, domain);
        }
        if self.domain_site_dark(domain) {
            return;
        }
        self.notify(Notice::DomainUp {
            domain: DomainId(domain),
            allocation,
        });
    }

    /// Whether the site of a domain is dark.
    pub(super) fn domain_site_dark(&self, domain: u32) -> bool {
        let rack = &self.topo.racks[self.topo.domains[domain as usize].rack as usize];
        self.sites[rack.site as usize].power.dark
    }

    /// A site goes dark or comes back: notices for the site and for each
    /// healthy domain an allocation holds there (O(allocations); outages are
    /// rare).
    pub(crate) fn site_dark_notices(&mut self, site: usize, dark: bool) {
        if !self.listening {
            return;
        }
        let s = SiteId(site as u32);
        self.notify(if dark {
            Notice::SiteDown { site: s }
        } else {
            Notice::SiteUp { site: s }
        });
        for (i, a) in self.allocations.iter().enumerate() {
            let Some(a) = a.as_ref().filter(|a| a.site as usize == site) else {
                continue;
            };
            for &d in &a.domains {
                if !self.topo.domain_healthy(d) {
                    continue;
                }
                let (domain, allocation) = (DomainId(d), Some(AllocationId(i as u32)));
                self.notices.push(if dark {
                    Notice::DomainDown {
                        domain,
                        allocation,
                        cause: DownCause::SiteOutage,
                    }
                } else {
                    Notice::DomainUp { domain, allocation }
                });
            }
        }
    }

    /// Turns the fabric's rate changes into notices.
    pub(crate) fn flow_notices(&mut self, changes: Vec<RateChange>) {
        if !self.listening {
            return;
        }
        self.notices
            .extend(changes.into_iter().map(|c| Notice::FlowRate {
                flow: c.flow,
                rate: c.new,
            }));
    }

    /// Sets a rack's uplink and downlink up or down in the fabric.
    pub(crate) fn set_rack_network(&mut self, rack: u32, up: bool) {
        let changes = self.network.set_rack_up(rack as usize, up);
        self.flow_notices(changes);
    }
}
