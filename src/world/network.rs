//! The datacenter network laid over the [`Fabric`]: which links exist and
//! how traffic between two racks is routed.
//!
//! # Topology
//!
//! - **Scale-up** (NVLink-class) traffic stays inside a rack's scale-up
//!   domains and is not modelled as links.
//! - **Scale-out**: each rack has an uplink to its site's spine and a
//!   downlink from it, each of capacity
//!   `chips × NIC bandwidth per chip / uplink_oversubscription` (the leaf's
//!   oversubscription towards the spine). The spine itself is non-blocking.
//! - **Inter-site** (DCI): each scenario link is a pair of directed links
//!   with the given capacity and latency.
//!
//! # Routing
//!
//! A flow from rack A to rack B crosses: nothing (same rack: only the NICs,
//! which the caller expresses as the flow's rate cap); `[up(A), down(B)]`
//! within a site; `[up(A), DCI hops…, down(B)]` across sites, over the path
//! with the fewest inter-site hops (ties broken by link order). When a link
//! fails, the flows crossing it stall (see [`Fabric`]); there is no
//! rerouting around a failed rack uplink, which is the rack's only way out.

use std::collections::VecDeque;

use super::fabric::{Fabric, LinkId, RateChange};
use crate::units::BitsPerSecond;
use crate::world::config::Link;

/// One inter-site link and its two directed fabric links.
#[derive(Clone, Debug)]
pub struct DciLink {
    /// One end (site index).
    pub from: usize,
    /// The other end (site index).
    pub to: usize,
    /// `from → to`.
    pub forward: LinkId,
    /// `to → from`.
    pub backward: LinkId,
    /// Cut (a failure) and not yet restored.
    pub failed: bool,
}

/// A rack's two links to the spine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RackLinks {
    /// From the rack to the spine.
    pub up: LinkId,
    /// From the spine to the rack.
    pub down: LinkId,
}

/// Racks' uplinks, inter-site links and routes between sites.
#[derive(Debug, Default)]
pub struct Network {
    /// The links and flows.
    pub fabric: Fabric,
    /// By rack id: its uplink and downlink.
    rack_links: Vec<RackLinks>,
    /// Inter-site links, in scenario order.
    pub dci: Vec<DciLink>,
    /// `next[s][d]`: the DCI link and direction of the first hop from site
    /// `s` towards site `d` (`None` if unreachable or `s == d`).
    next: Vec<Vec<Option<(usize, bool)>>>,
}

impl Network {
    /// The inter-site network of `sites` sites, with no racks yet.
    pub fn new(sites: usize, links: &[Link]) -> Self {
        let mut fabric = Fabric::new();
        let dci: Vec<DciLink> = links
            .iter()
            .map(|l| DciLink {
                from: l.from,
                to: l.to,
                forward: fabric.add_link(l.bandwidth, l.latency.micros()),
                backward: fabric.add_link(l.bandwidth, l.latency.micros()),
                failed: false,
            })
            .collect();
        // Neighbours of each site: (neighbour, link, whether the hop
        // neighbour → site is the link's forward direction), in link order.
        let mut adjacent: Vec<Vec<(usize, usize, bool)>> = vec![Vec::new(); sites];
        for (i, l) in dci.iter().enumerate() {
            adjacent[l.to].push((l.from, i, true));
            adjacent[l.from].push((l.to, i, false));
        }
        let mut next = vec![vec![None; sites]; sites];
        // Breadth-first search from each destination over the adjacency
        // lists: the first hop of every source towards it, O(sites · (sites
        // + links)) in all. Neighbours in link order make ties deterministic.
        let mut seen = vec![false; sites];
        let mut queue = VecDeque::new();
        for dest in 0..sites {
            seen.fill(false);
            seen[dest] = true;
            queue.push_back(dest);
            while let Some(at) = queue.pop_front() {
                for &(nb, i, forward) in &adjacent[at] {
                    if !seen[nb] {
                        seen[nb] = true;
                        next[nb][dest] = Some((i, forward));
                        queue.push_back(nb);
                    }
                }
            }
        }
        Network {
            fabric,
            rack_links: Vec::new(),
            dci,
            next,
        }
    }

    /// Adds the uplink and downlink of the next rack (ids in commissioning
    /// order), each of `capacity`.
    pub fn add_rack(&mut self, capacity: BitsPerSecond) -> RackLinks {
        let up = self.fabric.add_link(capacity, 0);
        let down = self.fabric.add_link(capacity, 0);
        let links = RackLinks { up, down };
        self.rack_links.push(links);
        links
    }

    #[cfg(test)]
    /// The uplink and downlink of a rack.
    pub fn rack_links(&self, rack: usize) -> RackLinks {
        self.rack_links[rack]
    }

    /// Sets a rack's two links up or down; returns the flows whose rate
    /// changed.
    pub fn set_rack_up(&mut self, rack: usize, up: bool) -> Vec<RateChange> {
        let RackLinks { up: a, down: b } = self.rack_links[rack];
        self.set_links(&[a, b], up)
    }

    /// Sets an inter-site link (both directions) up or down.
    pub fn set_dci_up(&mut self, link: usize, up: bool) -> Vec<RateChange> {
        let l = &self.dci[link];
        let (a, b) = (l.forward, l.backward);
        self.set_links(&[a, b], up)
    }

    fn set_links(&mut self, links: &[LinkId], up: bool) -> Vec<RateChange> {
        let mut changes = Vec::new();
        for &l in links {
            let result = if up {
                self.fabric.repair_link(l)
            } else {
                self.fabric.fail_link(l)
            };
            changes.extend(result.expect("links of the network exist"));
        }
        changes.sort_by_key(|c| c.flow);
        changes
    }

    /// The links a flow from `src` (rack, site) to `dst` crosses, or `None`
    /// if the sites are not connected.
    pub fn route(&self, src: (usize, usize), dst: (usize, usize)) -> Option<Vec<LinkId>> {
        let mut path = Vec::new();
        self.route_into(src, dst, &mut path)?;
        Some(path)
    }

    /// Appends to `path` the links a flow from `src` (rack, site) to `dst`
    /// crosses, in order: the source rack's uplink, the inter-site links,
    /// the destination rack's downlink (nothing when the racks are the
    /// same). `None`, with `path` as it was, if the sites are not connected.
    /// A ring's hops go into one list this way, without a list per hop.
    pub fn route_into(
        &self,
        src: (usize, usize),
        dst: (usize, usize),
        path: &mut Vec<LinkId>,
    ) -> Option<()> {
        let ((src_rack, mut site), (dst_rack, dst_site)) = (src, dst);
        if src_rack == dst_rack {
            return Some(());
        }
        let start = path.len();
        path.push(self.rack_links[src_rack].up);
        while site != dst_site {
            let Some((i, forward)) = self.next[site][dst_site] else {
                path.truncate(start);
                return None;
            };
            let l = &self.dci[i];
            if forward {
                path.push(l.forward);
                site = l.to;
            } else {
                path.push(l.backward);
                site = l.from;
            }
        }
        path.push(self.rack_links[dst_rack].down);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    fn link(from: usize, to: usize, gbps: f64, ms: u64) -> Link {
        Link {
            from,
            to,
            bandwidth: BitsPerSecond::from_gbps(gbps),
            latency: SimDuration::from_micros(ms * 1000),
        }
    }

    /// Three sites in a line, a–b–c; racks 0 (a), 1 (a), 2 (c).
    fn line() -> Network {
        let mut n = Network::new(3, &[link(0, 1, 100.0, 5), link(1, 2, 50.0, 7)]);
        for _ in 0..3 {
            n.add_rack(BitsPerSecond::from_gbps(400.0));
        }
        n
    }

    #[test]
    fn routes_within_and_across_sites() {
        let n = line();
        assert_eq!(n.route((0, 0), (0, 0)), Some(vec![]));
        let within = n.route((0, 0), (1, 0)).unwrap();
        assert_eq!(within, vec![n.rack_links(0).up, n.rack_links(1).down]);
        let across = n.route((0, 0), (2, 2)).unwrap();
        assert_eq!(
            across,
            vec![
                n.rack_links(0).up,
                n.dci[0].forward,
                n.dci[1].forward,
                n.rack_links(2).down
            ]
        );
        let back = n.route((2, 2), (0, 0)).unwrap();
        assert_eq!(
            back,
            vec![
                n.rack_links(2).up,
                n.dci[1].backward,
                n.dci[0].backward,
                n.rack_links(0).down
            ]
        );
        assert_eq!(n.fabric.path_latency_us(&across), 12_000);
    }

    /// Issue 7, item 9: routes come from adjacency lists, O(sites ×
    /// (sites + links)) to build rather than O(sites² × links); they are
    /// still the fewest-hop paths.
    #[test]
    fn routes_take_the_fewest_hops_in_a_ring_with_chords() {
        // Ring 0-1-2-3-4-5-0 plus chord 0-3.
        let mut links: Vec<Link> = (0..6).map(|i| link(i, (i + 1) % 6, 10.0, 1)).collect();
        links.push(link(0, 3, 10.0, 1));
        let mut n = Network::new(6, &links);
        for _ in 0..6 {
            n.add_rack(BitsPerSecond::from_gbps(1.0));
        }
        let hops = |n: &Network, a: usize, b: usize| n.route((a, a), (b, b)).unwrap().len() - 2;
        assert_eq!(hops(&n, 0, 3), 1, "the chord");
        assert_eq!(hops(&n, 1, 4), 3, "1-0-3-4 or 1-2-3-4");
        assert_eq!(hops(&n, 5, 3), 2, "5-0-3 or 5-4-3");
        // Ties are broken by the search from the destination, neighbours in
        // link order: from 4, site 3 (link 3) is reached before 5, then 2
        // from 3, so 1 goes 1-2-3-4 (link 1 forward first).
        let path = n.route((1, 1), (4, 4)).unwrap();
        assert_eq!(path[1], n.dci[1].forward);
        // A full mesh of 400 sites (79,800 links) builds its routes.
        let mesh: Vec<Link> = (0..400)
            .flat_map(|a| (a + 1..400).map(move |b| link(a, b, 1.0, 1)))
            .collect();
        let mut m = Network::new(400, &mesh);
        m.add_rack(BitsPerSecond::from_gbps(1.0));
        m.add_rack(BitsPerSecond::from_gbps(1.0));
        assert_eq!(m.route((0, 0), (1, 399)).unwrap().len(), 3);
    }

    #[test]
    fn unconnected_sites_have_no_route() {
        let mut n = Network::new(2, &[]);
        n.add_rack(BitsPerSecond::from_gbps(1.0));
        n.add_rack(BitsPerSecond::from_gbps(1.0));
        assert_eq!(n.route((0, 0), (1, 1)), None);
    }

    /// A ring's hops go into one list: `route_into` appends what `route`
    /// returns, and leaves the list as it was when there is no route.
    #[test]
    fn route_into_appends_the_route_or_nothing() {
        let n = line();
        let mut path = n.route((0, 0), (1, 0)).unwrap();
        let before = path.clone();
        assert_eq!(n.route_into((1, 0), (2, 2), &mut path), Some(()));
        let mut expected = before.clone();
        expected.extend(n.route((1, 0), (2, 2)).unwrap());
        assert_eq!(path, expected);
        assert_eq!(n.route_into((2, 2), (2, 2), &mut path), Some(()));
        assert_eq!(path, expected, "the same rack: no links");
        let mut apart = Network::new(2, &[]);
        apart.add_rack(BitsPerSecond::from_gbps(1.0));
        apart.add_rack(BitsPerSecond::from_gbps(1.0));
        let mut kept = before.clone();
        assert_eq!(apart.route_into((0, 0), (1, 1), &mut kept), None);
        assert_eq!(kept, before, "no route: nothing appended");
    }

    #[test]
    fn cross_site_flows_share_the_dci_and_stall_when_it_is_cut() {
        let mut n = line();
        let p0 = n.route((0, 0), (2, 2)).unwrap();
        let p1 = n.route((1, 0), (2, 2)).unwrap();
        let (f0, _) = n.fabric.start_flow(&p0, None).unwrap();
        let (f1, _) = n.fabric.start_flow(&p1, None).unwrap();
        // Bottleneck: the 50 Gb/s b–c link, shared by two flows.
        assert_eq!(n.fabric.rate(f0).unwrap(), BitsPerSecond::from_gbps(25.0));
        let changes = n.set_dci_up(1, false);
        assert_eq!(changes.len(), 2);
        assert_eq!(n.fabric.rate(f1).unwrap(), BitsPerSecond::ZERO);
        n.set_dci_up(1, true);
        assert_eq!(n.fabric.rate(f1).unwrap(), BitsPerSecond::from_gbps(25.0));
    }
}
