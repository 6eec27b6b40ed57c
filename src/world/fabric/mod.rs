//! Network fabric: directed links shared by flows under max-min fairness.
//!
//! # What this module owns
//!
//! A [`Fabric`] holds *links* (directed, with a capacity [bit/s], a one-way
//! latency \[µs\] and an up/down state) and *flows* (a path of links plus an
//! optional rate cap [bit/s], e.g. the sender's NIC). It computes every flow's
//! rate and every link's load, and tells the caller which rates changed after
//! each event so that it can reschedule completion events.
//!
//! It knows nothing of racks, sites, jobs or routing: the caller builds the
//! paths (lists of [`LinkId`]s) and decides what a flow carries and when it
//! ends. Links are added at any time and never removed; a decommissioned link
//! is simply failed for good.
//!
//! # Max-min fairness
//!
//! An allocation of rates is *max-min fair* when no flow's rate can be raised
//! without lowering the rate of another flow whose rate is already smaller or
//! equal. Equivalently, every flow is either at its cap or crosses a
//! *bottleneck*: a saturated link on which no other flow has a larger rate.
//!
//! # Link groups
//!
//! Links crossed by exactly the same flows and of the same capacity form a
//! *group* (the uplinks and downlinks of the racks two training rings share,
//! say: hundreds of links, a handful of groups). Within a group every link
//! carries the same flows, so during progressive filling all of them have the
//! same capacity left, bit for bit (the same subtractions in the same order),
//! and the one of lowest id is the group's link that would saturate first.
//! The fabric keeps the groups up to date as flows start and end, and
//! computes over groups, not links: a flow's path is, for the
//! computation, the groups it crosses. Two groups never have the same flow
//! set and capacity (the groups are looked up by that key), so a busy fabric
//! of shared racks computes over as many groups as it has distinct sets of
//! rings (issue 24: a backed-up queue, where a component of 1,300 links had
//! about 280 groups).
//!
//! A group changes key in place when it can: a starting flow that crosses
//! every link of a group joins its flow set, and an ending flow leaves the
//! flow set of each of its groups (all their links are on its path). Only
//! a group the starting flow crosses in part is split (the crossed links
//! move to a new group), and only an ending flow's group whose new key
//! exists already is merged (the group of fewer links gives them to the
//! other). A start costs O(path length) plus O(flows) per group changed
//! and the links moved; an end O(flows) per group of the flow plus the
//! links moved.
//!
//! # Progressive filling
//!
//! Rates are computed by progressive filling: all unfrozen flows rise together
//! from 0 at a common *level*; when a link saturates, the flows crossing it are
//! frozen at the level reached; when a flow reaches its cap, it is frozen at its
//! cap; repeat until every flow is frozen. With `r_l` the capacity of link `l`
//! not yet used by frozen flows and `n_l` its unfrozen flows, link `l`
//! saturates at level `r_l / n_l`. These saturation levels, one per group at
//! its lowest link id, sit in a min-queue and capped flows are sorted by
//! cap, so the next event is found in O(log). The queue is the starting
//! entries, sorted lazily from the front (cut around pivots as far as the
//! front needs, the entries turned stale dropped before each cut: most
//! starting entries turn stale, their groups' flows all frozen at other
//! groups' events), beside a binary heap of the entries pushed later.
//! Freezing a flow updates each group it crosses once, so one
//! computation over `F` flows crossing `G` groups in all costs
//! O(G log G + F log F) at most.
//!
//! The queue holds one valid entry per group at most, and only where it
//! can matter. Freezing a flow at the level raises the shares of its other groups, so an
//! entry is left below its group's share (never above) and brought up to
//! date only when it reaches the top; a group crossed by a single unfrozen
//! flow (racks only one ring crosses) keeps its share until that flow
//! freezes, so of a flow's such groups only the lowest enters the queue; and
//! filling stops when the last flow freezes. The top, once exact, is still
//! the lowest (share, link) of all links, so the events, their order and
//! every rate are the same bits as with one fresh entry per link and change.
//!
//! # Incremental recomputation
//!
//! Rates are recomputed only when a flow starts or ends or a link fails, is
//! repaired or changes capacity, and only over the affected *component*: the
//! flows and links reachable from what changed through the bipartite graph
//! "flow crosses link", where only *active* (non-stalled) flows connect links.
//! A stalled flow carries nothing, so it cannot couple two links; the flows
//! whose stalled state the event itself toggles (a failed link's flows) are
//! included as seeds, so the links they leave are recomputed too. Flows outside
//! the component keep their rates bit for bit. The work is proportional to the
//! component's groups and flows, never to the whole fabric. A link's load is
//! summed from its group's flows when asked.
//!
//! # Stalled flows
//!
//! A flow whose path crosses a down link is *stalled*: its rate is 0 and it
//! loads no link. It resumes when every link of its path is up again. There is
//! no rerouting here: the caller may end a stalled flow and start it again on
//! another path.
//!
//! # Determinism
//!
//! The one hash table (groups by the hash of their key) is only looked up,
//! never iterated, and hashes with a fixed function.
//! Each component's flows are processed sorted by id; saturation ties are
//! broken by link id, cap ties and freezing order by flow id; floating-point
//! operations run in a fixed order for a given sequence of calls.

mod filling;
mod groups;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use smallvec::SmallVec;

use crate::units::BitsPerSecond;

use filling::SaturationHeap;
use groups::PassThrough;

/// Identifier of a link: its index in the order links were added (from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub u32);

/// Identifier of a flow: a slab index plus a generation, so an id kept after
/// its flow ended is detected as stale even when the slot is reused.
///
/// Ordered by index, then generation (at most one live flow per index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowId {
    index: u32,
    generation: u32,
}

impl FlowId {
    /// Slab index of the flow (reused after the flow ends).
    pub fn index(self) -> u32 {
        self.index
    }
}

/// A flow whose rate changed as the result of one call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateChange {
    /// The flow.
    pub flow: FlowId,
    /// Its rate before the call [bit/s] (0 for a flow just started).
    pub old: BitsPerSecond,
    /// Its rate after the call [bit/s] (0 when stalled).
    pub new: BitsPerSecond,
}

/// Why a fabric call was refused. A refused call changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FabricError {
    /// The link id was not returned by this fabric's `add_link`.
    #[error("unknown link {}", .0.0)]
    UnknownLink(LinkId),
    /// The flow id is unknown or stale (its flow has ended).
    #[error("unknown or ended flow {} (generation {})", .0.index, .0.generation)]
    UnknownFlow(FlowId),
    /// The path crosses this link more than once.
    #[error("path crosses link {} more than once", .0.0)]
    DuplicateLink(LinkId),
    /// The flow has an empty path and no cap, so its rate would be unbounded.
    #[error("flow has an empty path and no rate cap")]
    Unbounded,
    /// A capacity or rate cap was not a finite number > 0 [bit/s].
    #[error("capacity or rate cap is not a finite positive bit/s value")]
    NonPositiveCapacity,
}

/// No group: a link crossed by no flow.
const NO_GROUP: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Link {
    /// [bit/s], finite and > 0.
    capacity: f64,
    /// One-way latency [µs].
    #[cfg_attr(not(test), allow(dead_code))] // read by tests only: no model uses latency yet
    latency_us: u64,
    up: bool,
    /// The group of links crossed by the same flows ([`NO_GROUP`] when no
    /// flow crosses it).
    group: u32,
    /// Position of this link in its group's `links`.
    pos: u32,
    /// Epoch of the last traversal that visited this link.
    mark: u64,
}

/// Links of one capacity crossed by exactly the same flows. As flows start
/// and end, a group's flow set changes in place or its links move to
/// another group (see the module docs, *Link groups*).
#[derive(Clone, Debug, Default)]
struct Group {
    /// Slab indices of the flows crossing every link of the group,
    /// ascending; a rack's links carry a few flows (one per job sharing
    /// the rack), held inline without a pointer to follow.
    flows: SmallVec<[u32; 4]>,
    /// `flow_pos[i]` is this group's position in `flows[i]`'s `groups`.
    flow_pos: SmallVec<[u32; 4]>,
    /// Member links (at least one while the group is live).
    links: Vec<u32>,
    /// Capacity of each member link [bit/s].
    capacity: f64,
    /// Lowest member link id, when `min_valid`.
    min_link: u32,
    min_valid: bool,
    /// Epoch of the flow start that last counted `covered`.
    seen: u64,
    /// Links of the starting flow's path in this group.
    covered: u32,
    /// Where the starting flow's links in this group go: this group when
    /// they are all of its links, else a new group.
    split_to: u32,
    /// [`group_hash`] of its key.
    hash: u64,
    /// The next live group of the same hash ([`NO_GROUP`] at the end).
    next_same: u32,
}

/// A group's state during one recompute, kept apart from [`Group`] so the
/// component's traversal and filling touch one small record per group.
#[derive(Clone, Copy, Debug, Default)]
struct Fill {
    /// Epoch of the last traversal that reached this group.
    mark: u64,
    #[cfg(test)]
    /// Epoch of the last traversal that reached it through a flow (all its
    /// links then belong to the component).
    via_flow: u64,
    /// Capacity of each member link [bit/s] (the group's).
    capacity: f64,
    /// Capacity left by frozen flows, on each member link [bit/s].
    remaining: f64,
    /// Share [bit/s] recorded in the valid queue entry: at most the group's
    /// share `remaining / unfrozen` (see `filling::freeze`).
    key: f64,
    /// Unfrozen active flows crossing the group.
    unfrozen: u32,
    /// Version of the group's one valid queue entry; older entries are stale.
    version: u32,
    /// Lowest member link id, fixed during one recompute.
    rep: u32,
}

#[derive(Clone, Debug)]
struct Flow {
    path: Vec<LinkId>,
    /// The groups this flow crosses, each with this flow's position in the
    /// group's `flows`.
    groups: Vec<(u32, u32)>,
    /// [bit/s], finite and > 0.
    cap: Option<f64>,
    /// [bit/s].
    rate: f64,
    /// Number of down links on the path; the flow is stalled when > 0.
    down_links: u32,
    /// Scratch: frozen during the current progressive filling.
    frozen: bool,
}

#[derive(Clone, Debug, Default)]
struct FlowSlot {
    generation: u32,
    /// Epoch of the last traversal that visited this flow.
    mark: u64,
    flow: Option<Flow>,
}

/// Links, flows and their max-min fair rates. See the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct Fabric {
    links: Vec<Link>,
    slots: Vec<FlowSlot>,
    /// Free slab indices, reused last-freed first.
    free: Vec<u32>,
    live_flows: usize,
    groups: Vec<Group>,
    /// Recompute state of each group (same index).
    fill: Vec<Fill>,
    /// Free group indices, reused last-freed first.
    free_groups: Vec<u32>,
    /// First live group of each key hash (the others chained by
    /// `next_same`).
    group_of: HashMap<u64, u32, BuildHasherDefault<PassThrough>>,
    /// Traversal counter for the `mark` fields (never reset).
    epoch: u64,
    #[cfg(test)]
    /// (flows, links) visited by the last mutating call.
    last_size: (usize, usize),
    // Scratch buffers reused across calls.
    comp_groups: Vec<u32>,
    comp_flows: Vec<u32>,
    stack: Vec<u32>,
    old_rates: Vec<f64>,
    capped: Vec<u32>,
    batch: Vec<u32>,
    touched: Vec<u32>,
    set_buf: Vec<u32>,
    from_none: Vec<(u64, u32)>,
    heap: SaturationHeap,
}

/// Checks that a capacity or cap is a finite number > 0 [bit/s].
fn positive(c: BitsPerSecond) -> Result<f64, FabricError> {
    if c.0.is_finite() && c.0 > 0.0 {
        Ok(c.0)
    } else {
        Err(FabricError::NonPositiveCapacity)
    }
}

fn live(slots: &[FlowSlot], f: u32) -> &Flow {
    slots[f as usize]
        .flow
        .as_ref()
        .expect("fabric invariant: indexed flow is live")
}

fn live_mut(slots: &mut [FlowSlot], f: u32) -> &mut Flow {
    slots[f as usize]
        .flow
        .as_mut()
        .expect("fabric invariant: indexed flow is live")
}

impl Fabric {
    /// An empty fabric: no links, no flows.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an up link of `capacity` [bit/s] and one-way latency `latency_us`
    /// \[µs\], crossed by no flow. Ids are handed out in order from 0.
    ///
    /// # Panics
    /// If `capacity` is not a finite value > 0; see [`Fabric::try_add_link`].
    pub fn add_link(&mut self, capacity: BitsPerSecond, latency_us: u64) -> LinkId {
        match self.try_add_link(capacity, latency_us) {
            Ok(id) => id,
            Err(e) => panic!("add_link: {e}"),
        }
    }

    /// Like [`Fabric::add_link`], but refuses a capacity that is not a finite
    /// value > 0 [bit/s] with [`FabricError::NonPositiveCapacity`].
    pub fn try_add_link(
        &mut self,
        capacity: BitsPerSecond,
        latency_us: u64,
    ) -> Result<LinkId, FabricError> {
        let capacity = positive(capacity)?;
        let id = u32::try_from(self.links.len()).expect("more than u32::MAX links");
        self.links.push(Link {
            capacity,
            latency_us,
            up: true,
            group: NO_GROUP,
            pos: 0,
            mark: 0,
        });
        #[cfg(test)]
        {
            self.last_size = (0, 0);
        }
        Ok(LinkId(id))
    }

    fn link(&self, l: LinkId) -> &Link {
        self.links
            .get(l.0 as usize)
            .unwrap_or_else(|| panic!("unknown link {}", l.0))
    }

    fn link_index(&self, l: LinkId) -> Result<u32, FabricError> {
        if (l.0 as usize) < self.links.len() {
            Ok(l.0)
        } else {
            Err(FabricError::UnknownLink(l))
        }
    }

    fn flow(&self, f: FlowId) -> Option<&Flow> {
        self.slots
            .get(f.index as usize)
            .filter(|s| s.generation == f.generation)
            .and_then(|s| s.flow.as_ref())
    }

    /// The flows crossing link `li` (slab indices, ascending).
    fn flows_of_link(&self, li: u32) -> &[u32] {
        match self.links[li as usize].group {
            NO_GROUP => &[],
            g => &self.groups[g as usize].flows,
        }
    }

    /// Capacity of link `l` [bit/s] (also while it is down).
    ///
    /// # Panics
    /// If `l` was not returned by this fabric's `add_link`.
    pub fn capacity(&self, l: LinkId) -> BitsPerSecond {
        BitsPerSecond(self.link(l).capacity)
    }

    #[cfg(test)]
    /// Whether link `l` is up (not failed).
    ///
    /// # Panics
    /// If `l` was not returned by this fabric's `add_link`.
    pub fn is_up(&self, l: LinkId) -> bool {
        self.link(l).up
    }

    #[cfg(test)]
    /// Sum of the rates of the flows crossing link `l` [bit/s]; 0 when down.
    /// O(flows crossing it).
    ///
    /// # Panics
    /// If `l` was not returned by this fabric's `add_link`.
    pub fn load(&self, l: LinkId) -> BitsPerSecond {
        self.link(l);
        let load = self
            .flows_of_link(l.0)
            .iter()
            .fold(0.0, |acc, &f| acc + live(&self.slots, f).rate);
        BitsPerSecond(load)
    }

    /// Number of flows crossing link `l`, stalled ones included.
    ///
    /// # Panics
    /// If `l` was not returned by this fabric's `add_link`.
    pub fn flows_on(&self, l: LinkId) -> usize {
        self.link(l);
        self.flows_of_link(l.0).len()
    }

    #[cfg(test)]
    /// Sets the capacity of link `l` to `capacity` [bit/s] (finite, > 0) and
    /// returns the flows whose rate changed, sorted by id. A down link keeps
    /// the new capacity for when it is repaired.
    pub fn set_capacity(
        &mut self,
        l: LinkId,
        capacity: BitsPerSecond,
    ) -> Result<Vec<RateChange>, FabricError> {
        let li = self.link_index(l)?;
        let capacity = positive(capacity)?;
        let link = &mut self.links[li as usize];
        if link.capacity == capacity {
            #[cfg(test)]
            {
                self.last_size = (0, 0);
            }
            return Ok(Vec::new());
        }
        link.capacity = capacity;
        let from = link.group;
        if from != NO_GROUP {
            // Same flows, another capacity: another group.
            let set = self.groups[from as usize].flows.clone();
            let to = self.group_for(capacity.to_bits(), &set);
            self.move_link(li, to);
            if self.groups[from as usize].links.is_empty() {
                self.drop_group(from, None);
            }
        }
        Ok(self.recompute(&[li], &[]))
    }

    /// Fails link `l`: every flow crossing it stalls (rate 0) and the capacity
    /// they used goes to the flows sharing their other links. Returns the
    /// flows whose rate changed, sorted by id. Failing a down link does nothing.
    pub fn fail_link(&mut self, l: LinkId) -> Result<Vec<RateChange>, FabricError> {
        let li = self.link_index(l)?;
        let link = &mut self.links[li as usize];
        if !link.up {
            #[cfg(test)]
            {
                self.last_size = (0, 0);
            }
            return Ok(Vec::new());
        }
        link.up = false;
        let mut newly_stalled = Vec::new();
        let g = self.links[li as usize].group;
        if g != NO_GROUP {
            for &f in &self.groups[g as usize].flows {
                let flow = live_mut(&mut self.slots, f);
                if flow.down_links == 0 {
                    newly_stalled.push(f);
                }
                flow.down_links += 1;
            }
        }
        Ok(self.recompute(&[li], &newly_stalled))
    }

    /// Repairs link `l`: flows crossing it with no other down link resume.
    /// Returns the flows whose rate changed, sorted by id. Repairing an up link
    /// does nothing.
    pub fn repair_link(&mut self, l: LinkId) -> Result<Vec<RateChange>, FabricError> {
        let li = self.link_index(l)?;
        let link = &mut self.links[li as usize];
        if link.up {
            #[cfg(test)]
            {
                self.last_size = (0, 0);
            }
            return Ok(Vec::new());
        }
        link.up = true;
        let g = self.links[li as usize].group;
        if g != NO_GROUP {
            for &f in &self.groups[g as usize].flows {
                live_mut(&mut self.slots, f).down_links -= 1;
            }
        }
        Ok(self.recompute(&[li], &[]))
    }

    /// Starts a flow over `path` (links in order, each at most once, possibly
    /// none) with an optional rate `cap` [bit/s] (finite, > 0).
    ///
    /// Returns its id and the flows whose rate changed, sorted by id; the new
    /// flow is always listed (with `old` = 0, and `new` = 0 if it starts
    /// stalled). Refused when a link is unknown or repeated, the cap is not
    /// positive, or the path is empty and there is no cap.
    pub fn start_flow(
        &mut self,
        path: &[LinkId],
        cap: Option<BitsPerSecond>,
    ) -> Result<(FlowId, Vec<RateChange>), FabricError> {
        if path.is_empty() && cap.is_none() {
            return Err(FabricError::Unbounded);
        }
        let cap = cap.map(positive).transpose()?;
        self.epoch += 1;
        for &l in path {
            let li = self.link_index(l)? as usize;
            if self.links[li].mark == self.epoch {
                return Err(FabricError::DuplicateLink(l));
            }
            self.links[li].mark = self.epoch;
        }

        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                let i = u32::try_from(self.slots.len()).expect("more than u32::MAX flows");
                self.slots.push(FlowSlot::default());
                i
            }
        };
        let down_links = path.iter().filter(|l| !self.links[l.0 as usize].up).count() as u32;
        let slot = &mut self.slots[index as usize];
        slot.flow = Some(Flow {
            path: path.to_vec(),
            groups: Vec::new(),
            cap,
            rate: 0.0,
            down_links,
            frozen: false,
        });
        let id = FlowId {
            index,
            generation: slot.generation,
        };
        self.live_flows += 1;
        self.join_groups(path, index);

        let mut changes = if down_links > 0 {
            // A stalled flow loads nothing: no other rate can change.
            #[cfg(test)]
            {
                self.last_size = (1, 0);
            }
            Vec::new()
        } else {
            self.recompute(&[], &[index])
        };
        if let Err(pos) = changes.binary_search_by(|c| c.flow.cmp(&id)) {
            let rate = BitsPerSecond(live(&self.slots, index).rate);
            changes.insert(
                pos,
                RateChange {
                    flow: id,
                    old: BitsPerSecond::ZERO,
                    new: rate,
                },
            );
        }
        Ok((id, changes))
    }

    /// Ends flow `f`, freeing its share for the flows it shared links with.
    /// Returns the other flows whose rate changed, sorted by id. The id
    /// becomes stale: later calls with it are refused.
    pub fn end_flow(&mut self, f: FlowId) -> Result<Vec<RateChange>, FabricError> {
        if self.flow(f).is_none() {
            return Err(FabricError::UnknownFlow(f));
        }
        let path = std::mem::take(&mut live_mut(&mut self.slots, f.index).path);
        self.leave_groups(f.index);
        let slot = &mut self.slots[f.index as usize];
        let flow = slot.flow.take().expect("checked live above");
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(f.index);
        self.live_flows -= 1;

        if flow.down_links > 0 {
            // It was stalled and loaded nothing.
            #[cfg(test)]
            {
                self.last_size = (0, 0);
            }
            return Ok(Vec::new());
        }
        let seeds: Vec<u32> = path.iter().map(|l| l.0).collect();
        Ok(self.recompute(&seeds, &[]))
    }

    /// Current rate of flow `f` [bit/s] (0 when stalled), or `None` if the id
    /// is unknown or stale.
    pub fn rate(&self, f: FlowId) -> Option<BitsPerSecond> {
        self.flow(f).map(|fl| BitsPerSecond(fl.rate))
    }

    #[cfg(test)]
    /// Whether flow `f` crosses a down link, or `None` if the id is unknown or
    /// stale.
    pub fn is_stalled(&self, f: FlowId) -> Option<bool> {
        self.flow(f).map(|fl| fl.down_links > 0)
    }

    /// The path of flow `f`, or `None` if the id is unknown or stale.
    pub fn flow_path(&self, f: FlowId) -> Option<&[LinkId]> {
        self.flow(f).map(|fl| fl.path.as_slice())
    }

    #[cfg(test)]
    /// Sum of the one-way latencies of the links of `path` \[µs\] (saturating;
    /// 0 for an empty path). Down links count like up ones.
    ///
    /// # Panics
    /// If a link was not returned by this fabric's `add_link`.
    pub fn path_latency_us(&self, path: &[LinkId]) -> u64 {
        path.iter()
            .fold(0u64, |acc, &l| acc.saturating_add(self.link(l).latency_us))
    }

    #[cfg(test)]
    /// Number of links ever added (failed ones included).
    pub fn link_count(&self) -> usize {
        self.links.len()
    }

    #[cfg(test)]
    /// Number of live flows (stalled ones included).
    pub fn flow_count(&self) -> usize {
        self.live_flows
    }

    #[cfg(test)]
    /// (flows, links) in the component recomputed by the last mutating call;
    /// (0, 0) when it recomputed nothing. For diagnostics and tests of
    /// incrementality.
    pub fn last_recompute_size(&self) -> (usize, usize) {
        self.last_size
    }
}
