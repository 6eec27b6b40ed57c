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
id!(
    /// A node (server or compute tray), numbered in commissioning order.
    NodeId
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
    /// The fleet of its model's nodes at its site; the rack-power fleet is
    /// the next one, the uplink fleet the one after (they are made
    /// together).
    pub node_fleet: u32,
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
}

/// One scale-up domain's state, kept together (one cache line holds four).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Domain {
    /// Its rack.
    pub rack: u32,
    /// How many of its nodes are not healthy.
    pub down_nodes: u32,
    /// The allocation holding it, or `contract::NO_ALLOCATION`.
    pub allocation: u32,
    /// Whether it is free: healthy, and no allocation holds it (counted
    /// in its (site, rack model) pool's free count).
    pub free: bool,
    /// Its position in its allocation's list of domains (meaningless when
    /// no allocation holds it).
    pub alloc_pos: u32,
}

impl Topology {
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
