//! What the datacenter is made of, and how its parts nest: sites hold racks,
//! racks hold scale-up domains, domains hold nodes, nodes hold chips.
//!
//! # Ids
//!
//! Every part has a typed id, a dense index from 0: [`SiteId`] in scenario
//! order; [`RackId`], [`DomainId`] and [`NodeId`] in commissioning order
//! across all sites (a retired rack keeps its ids; they are never reused).
//! A rack's domains and nodes are consecutive, so the domain of a node is
//! `first_domain + (node − first_node) / nodes_per_domain`, in O(1).
//!
//! # Scale-up domains
//!
//! A scale-up domain (an NVL72 rack, an 8-GPU server, a TPU cube) is the
//! unit a workload allocates: chips inside one talk over the scale-up fabric
//! (NVLink-class), chips in different domains over the scale-out network.
//! Validation makes domains nest: a domain holds whole nodes, and a rack
//! whole domains. A domain is *healthy* when every node in it is healthy, its
//! rack is powered and not retired (its site being up is checked apart, as a
//! site outage darkens every domain of the site at once).

use crate::units::{BitsPerSecond, Watts};

use crate::catalog::failures::FailureKind;
use crate::world::config::Lifetime;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The id as an index into dense tables.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A site, by its position in the scenario.
    SiteId
);
id!(
    /// A rack model used by the scenario, by its position in
    /// [`Config::rack_types`](crate::world::config::Config::rack_types).
    RackTypeId
);
id!(
    /// A rack, numbered in commissioning order across all sites.
    RackId
);
id!(
    /// A scale-up domain, numbered in commissioning order across all sites.
    DomainId
);

/// The state of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeState {
    /// Up (it draws power unless its rack or site is down).
    Healthy,
    /// Failed; a spare is being swapped into its slot.
    AwaitingSwap,
    /// Failed and being repaired in place.
    InRepair,
    /// Its phase reached end of life.
    Retired,
}

/// Per rack model: the figures the handlers need, precomputed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypeInfo {
    /// Chips per rack.
    pub chips: u32,
    /// Nodes per rack.
    pub nodes: u32,
    /// Chips per node.
    pub chips_per_node: u32,
    /// Nodes per scale-up domain.
    pub nodes_per_domain: u32,
    /// Scale-up domains per rack.
    pub domains: u32,
    /// Idle draw per chip [mW].
    pub idle_milliwatts: i64,
    /// TDP − idle per chip [mW].
    pub dynamic_milliwatts: i64,
    /// TDP − idle per chip [W] (for allocation loads).
    pub dynamic: Watts,
    /// Non-chip overhead per rack [mW].
    pub overhead_milliwatts: i64,
    /// Nameplate IT power per rack [W].
    pub nameplate: Watts,
    /// Scale-out bandwidth per chip.
    pub nic_per_chip: BitsPerSecond,
    /// Switch/cable rate per rack [1/h] and law.
    pub uplink: (f64, Lifetime),
    /// Rack power rate per rack [1/h] and law.
    pub rack_power: (f64, Lifetime),
}

/// Per rack model: the node failure classes.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeClasses {
    /// Exponential classes with their rate per node [1/h].
    pub exponential: Vec<(FailureKind, f64)>,
    /// Weibull classes: (class, rate per component [1/h], shape, components
    /// per node).
    pub weibull: Vec<(FailureKind, f64, f64, u32)>,
}

/// One rack, from commissioning on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rack {
    pub site: u32,
    pub rack_type: u32,
    pub first_node: u32,
    pub first_domain: u32,
    /// The cohort of its model's nodes at its site; the rack-power cohort is
    /// the next one, the uplink cohort the one after (they are made
    /// together).
    pub node_cohort: u32,
    /// Its power is down (a rack power failure, or planned maintenance).
    pub power_down: bool,
    /// The planned maintenance window holding it dark: its position in
    /// the scenario's `[[maintenance]]` + 1, or 0 for none.
    pub maintenance: u32,
    /// Its uplink is down (a switch or cable failure).
    pub uplink_failed: bool,
    pub retired: bool,
    pub healthy_nodes: u32,
}

/// Milliwatts from watts, rounded: power sums are kept in integer
/// milliwatts so that seven years of adds and removes cannot drift.
pub(crate) fn milliwatts(w: Watts) -> i64 {
    (w.0 * 1000.0).round() as i64
}

/// Nodes, domains and their relations, kept as dense tables.
#[derive(Debug, Default)]
pub(crate) struct Topology {
    pub types: Vec<TypeInfo>,
    pub racks: Vec<Rack>,
    pub node_state: Vec<NodeState>,
    pub node_rack: Vec<u32>,
    /// By domain id.
    pub domains: Vec<Domain>,
    /// Bit `d % 64` of word `d / 64`: domain `d` is free — healthy, and no
    /// allocation holds it (counted in its (site, rack model) pool's free
    /// count). A rack's domains are consecutive ids, so its free domains
    /// are read a word (64 domains) at a time, and a release sets the bits
    /// of a run of domains in one store per word.
    pub free_bits: Vec<u64>,
    /// Bit `d % 64` of word `d / 64`: every node of domain `d` is healthy
    /// (its `down_nodes` is 0), so that a release frees the healthy
    /// domains of a run a word at a time.
    pub whole_bits: Vec<u64>,
    /// The first domain of each rack, by rack id (increasing): the rack of
    /// a domain by a binary search of this small table, without a look at
    /// the domain's own record.
    pub rack_starts: Vec<u32>,
    /// By domain id: the allocation that last took the domain, or
    /// `workload_api::NO_ALLOCATION`. A release leaves the ids of its
    /// domains in place: an allocation id is never reused, so an id whose
    /// allocation is gone means that no allocation holds the domain (read
    /// it through `World::allocation_of`). Kept apart from the domains'
    /// records, as [`Topology::holder_pos`] is, so that an allocation
    /// taking a run of consecutive domains writes each table as one fill
    /// of consecutive entries (vector stores), not a field per record.
    pub holder: Vec<u32>,
    /// By domain id: its position in its holder's list of domains
    /// (meaningless when no allocation holds it).
    pub holder_pos: Vec<u32>,
}

/// One scale-up domain's state, kept together (one cache line holds eight).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Domain {
    /// Its rack.
    pub rack: u32,
    /// How many of its nodes are not healthy.
    pub down_nodes: u32,
}

impl Topology {
    /// Adds a domain of `rack`, not free and held by no allocation.
    pub fn push_domain(&mut self, rack: u32) {
        let d = self.domains.len() as u32;
        self.domains.push(Domain {
            rack,
            down_nodes: 0,
        });
        self.holder.push(super::workload_api::NO_ALLOCATION);
        self.holder_pos.push(0);
        let words = self.domains.len().div_ceil(64);
        self.free_bits.resize(words, 0);
        self.whole_bits.resize(words, 0);
        self.whole_bits[d as usize / 64] |= 1u64 << (d % 64);
    }

    /// Adds a rack (its domains follow with [`Topology::push_domain`]).
    pub fn push_rack(&mut self, rack: Rack) {
        self.rack_starts.push(rack.first_domain);
        self.racks.push(rack);
    }

    /// The rack of a domain, from [`Topology::rack_starts`]: O(log racks)
    /// in a table of 4 bytes per rack.
    pub fn rack_of(&self, domain: u32) -> u32 {
        self.rack_starts.partition_point(|&first| first <= domain) as u32 - 1
    }

    /// One more node of a domain is down.
    pub fn node_down_in(&mut self, domain: u32) {
        self.domains[domain as usize].down_nodes += 1;
        self.whole_bits[domain as usize / 64] &= !(1u64 << (domain % 64));
    }

    /// One of a domain's down nodes is back.
    pub fn node_up_in(&mut self, domain: u32) {
        let d = &mut self.domains[domain as usize];
        d.down_nodes -= 1;
        if d.down_nodes == 0 {
            self.whole_bits[domain as usize / 64] |= 1u64 << (domain % 64);
        }
    }

    /// Marks free the domains of `from..to` whose nodes are all healthy
    /// (none of them is free; their rack is in service); how many. One
    /// store per word of 64 domains.
    pub fn free_whole_range(&mut self, from: u32, to: u32) -> u32 {
        let mut freed = 0;
        for (w, mask) in word_masks(from, to) {
            let bits = mask & self.whole_bits[w];
            debug_assert_eq!(self.free_bits[w] & bits, 0, "marked free twice");
            self.free_bits[w] |= bits;
            freed += bits.count_ones();
        }
        freed
    }

    /// Whether a domain is free (see [`Topology::free_bits`]).
    pub fn is_free(&self, domain: u32) -> bool {
        self.free_bits[domain as usize / 64] >> (domain % 64) & 1 != 0
    }

    /// Marks a domain free or not.
    pub fn set_free(&mut self, domain: u32, free: bool) {
        let (w, bit) = (domain as usize / 64, 1u64 << (domain % 64));
        if free {
            self.free_bits[w] |= bit;
        } else {
            self.free_bits[w] &= !bit;
        }
    }

    /// The first domain of `from..to` that is not free, if any; else marks
    /// them all not free. One look and one store per word of 64 domains.
    pub fn take_free_range(&mut self, from: u32, to: u32) -> Result<(), u32> {
        for (w, mask) in word_masks(from, to) {
            let missing = !self.free_bits[w] & mask;
            if missing != 0 {
                return Err((w * 64) as u32 + missing.trailing_zeros());
            }
        }
        for (w, mask) in word_masks(from, to) {
            self.free_bits[w] &= !mask;
        }
        Ok(())
    }

    /// The free domains among `first..first + n` (one rack's), in id
    /// order: a look at each word of 64 domains, not at each domain.
    pub fn free_in(&self, first: u32, n: u32) -> impl DoubleEndedIterator<Item = u32> + '_ {
        let end = first + n;
        let words = if n == 0 {
            0..0
        } else {
            first as usize / 64..(end as usize - 1) / 64 + 1
        };
        words.flat_map(move |w| {
            let base = (w * 64) as u32;
            let mut bits = self.free_bits[w];
            if base < first {
                bits &= !0u64 << (first - base);
            }
            if end - base < 64 {
                bits &= !(!0u64 << (end - base));
            }
            BitIter(bits).map(move |b| base + b)
        })
    }
    /// Appends the first `limit` free domains among `first..first + n`
    /// (one rack's), in id order, to `out`: [`Topology::free_in`] taken
    /// as a loop over the words and their set bits.
    pub fn push_free_in(&self, first: u32, n: u32, limit: u32, out: &mut Vec<DomainId>) {
        let (end, mut left) = (first + n, limit);
        for (w, mask) in word_masks(first, end) {
            let mut bits = self.free_bits[w] & mask;
            let base = (w * 64) as u32;
            while bits != 0 && left > 0 {
                out.push(DomainId(base + bits.trailing_zeros()));
                bits &= bits - 1;
                left -= 1;
            }
            if left == 0 {
                break;
            }
        }
    }

    /// The domain a node belongs to.
    pub fn domain_of(&self, node: u32) -> u32 {
        let rack = &self.racks[self.node_rack[node as usize] as usize];
        let t = &self.types[rack.rack_type as usize];
        rack.first_domain + (node - rack.first_node) / t.nodes_per_domain
    }

    /// Whether a domain can serve a workload: all nodes healthy, rack
    /// powered, its uplink up and not retired (its site's state aside).
    pub fn domain_healthy(&self, domain: u32) -> bool {
        let d = &self.domains[domain as usize];
        let rack = &self.racks[d.rack as usize];
        d.down_nodes == 0 && !rack.power_down && !rack.uplink_failed && !rack.retired
    }

    /// Chips of a domain's healthy nodes.
    pub fn domain_healthy_chips(&self, domain: u32) -> u64 {
        let d = &self.domains[domain as usize];
        let t = &self.types[self.racks[d.rack as usize].rack_type as usize];
        u64::from(t.nodes_per_domain - d.down_nodes) * u64::from(t.chips_per_node)
    }
}

/// How many leading entries of `list` are the ids `from, from + 1, …` (a
/// run of consecutive domains), looked at eight at a time.
pub(crate) fn consecutive<T: Copy>(list: &[T], from: u32, id: impl Fn(T) -> u32) -> usize {
    let mut k = 0;
    for chunk in list.chunks_exact(8) {
        // No early exit within a chunk: the eight compares vectorize.
        let base = from.wrapping_add(k as u32);
        let run = chunk
            .iter()
            .zip(0u32..)
            .fold(true, |all, (&d, j)| all & (id(d) == base.wrapping_add(j)));
        if !run {
            break;
        }
        k += 8;
    }
    while k < list.len() && id(list[k]) == from.wrapping_add(k as u32) {
        k += 1;
    }
    k
}

/// The words of a bitset by domain id that `from..to` covers, each with
/// the mask of its bits in the range.
fn word_masks(from: u32, to: u32) -> impl Iterator<Item = (usize, u64)> {
    let words = if from < to {
        from as usize / 64..(to as usize - 1) / 64 + 1
    } else {
        0..0
    };
    words.map(move |w| {
        let base = (w * 64) as u32;
        let lo = from.max(base) - base;
        let hi = to.min(base + 64) - base;
        let width = hi - lo;
        let mask = if width == 64 {
            !0
        } else {
            ((1u64 << width) - 1) << lo
        };
        (w, mask)
    })
}

/// The set bits of a word, lowest first (or highest first, backwards).
struct BitIter(u64);

impl Iterator for BitIter {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        (self.0 != 0).then(|| {
            let b = self.0.trailing_zeros();
            self.0 &= self.0 - 1;
            b
        })
    }
}

impl DoubleEndedIterator for BitIter {
    fn next_back(&mut self) -> Option<u32> {
        (self.0 != 0).then(|| {
            let b = 63 - self.0.leading_zeros();
            self.0 &= !(1u64 << b);
            b
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A topology of `n` domains in one rack, none free.
    fn domains(n: u32) -> Topology {
        let mut t = Topology::default();
        for _ in 0..n {
            t.push_domain(0);
        }
        t
    }

    #[test]
    fn free_ranges_match_the_domains_marked_one_by_one() {
        let mut t = domains(200);
        // Across word boundaries, a whole word, and single domains.
        assert_eq!(t.free_whole_range(60, 131), 71);
        t.node_down_in(3);
        assert_eq!(t.free_whole_range(2, 5), 2);
        t.set_free(2, false);
        t.set_free(4, false);
        t.node_up_in(3);
        assert_eq!(t.free_whole_range(3, 4), 1);
        let want: Vec<u32> = std::iter::once(3).chain(60..131).collect();
        assert_eq!(t.free_in(0, 200).collect::<Vec<_>>(), want);
        assert_eq!(t.free_in(64, 2).collect::<Vec<_>>(), [64, 65]);
        assert_eq!(t.free_in(61, 0).count(), 0);
        assert_eq!(t.free_in(0, 200).next_back(), Some(130));
        assert!((0..200).all(|d| t.is_free(d) == want.contains(&d)));
        // Taking stops at the first domain not free and changes nothing.
        assert_eq!(t.take_free_range(59, 70), Err(59));
        assert_eq!(t.take_free_range(120, 140), Err(131));
        assert_eq!(t.free_in(0, 200).collect::<Vec<_>>(), want);
        assert_eq!(t.take_free_range(64, 128), Ok(()));
        let left: Vec<u32> = [3].into_iter().chain(60..64).chain(128..131).collect();
        assert_eq!(t.free_in(0, 200).collect::<Vec<_>>(), left);
        t.set_free(64, true);
        t.set_free(3, false);
        assert!(t.is_free(64) && !t.is_free(3));
    }

    #[test]
    fn consecutive_counts_the_leading_run_of_ids() {
        let ids: Vec<u32> = (10..30).chain([31, 32]).collect();
        assert_eq!(consecutive(&ids, 10, |d| d), 20);
        assert_eq!(consecutive(&ids[20..], 31, |d| d), 2);
        // A break inside the first eight, and right after them.
        let mut broken: Vec<u32> = (0..16).collect();
        broken[5] = 99;
        assert_eq!(consecutive(&broken, 0, |d| d), 5);
        broken[5] = 5;
        broken[8] = 99;
        assert_eq!(consecutive(&broken, 0, |d| d), 8);
        assert_eq!(consecutive(&[] as &[u32], 0, |d| d), 0);
    }
}
