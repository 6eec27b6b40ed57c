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
//! The fabric keeps the groups up to date as flows start and end (a link
//! moves from the group of its flow set to the group of that set with the
//! flow added or removed: O(path length) plus O(flows of each group
//! touched)), and computes over groups, not links: a flow's path is, for the
//! computation, the groups it crosses. Two groups never have the same flow
//! set and capacity (the groups are looked up by that key), so a busy fabric
//! of shared racks computes over as many groups as it has distinct sets of
//! rings (issue 24: a backed-up queue, where a component of 1,300 links had
//! about 280 groups).
//!
//! # Progressive filling
//!
//! Rates are computed by progressive filling: all unfrozen flows rise together
//! from 0 at a common *level*; when a link saturates, the flows crossing it are
//! frozen at the level reached; when a flow reaches its cap, it is frozen at its
//! cap; repeat until every flow is frozen. With `r_l` the capacity of link `l`
//! not yet used by frozen flows and `n_l` its unfrozen flows, link `l`
//! saturates at level `r_l / n_l`. These saturation levels, one per group at
//! its lowest link id, sit in a binary heap and capped flows are sorted by
//! cap, so the next event is found in O(log). Freezing a flow updates each
//! group it crosses once, so one computation over `F` flows crossing `G`
//! groups in all costs O(G log G + F log F).
//!
//! The heap holds one entry per group at most, and only where it can matter.
//! Freezing a flow at the level raises the shares of its other groups, so an
//! entry is left below its group's share (never above) and brought up to
//! date only when it reaches the top; a group crossed by a single unfrozen
//! flow (racks only one ring crosses) keeps its share until that flow
//! freezes, so of a flow's such groups only the lowest enters the heap; and
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

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::units::BitsPerSecond;

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

    /// Generation of the slot when this flow was started.
    pub fn generation(self) -> u32 {
        self.generation
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

/// Links of one capacity crossed by exactly the same flows. Its flow set
/// never changes: links move between groups as flows start and end.
#[derive(Clone, Debug, Default)]
struct Group {
    /// Slab indices of the flows crossing every link of the group, ascending.
    flows: Vec<u32>,
    /// `flow_pos[i]` is this group's position in `flows[i]`'s `groups`.
    flow_pos: Vec<u32>,
    /// Member links (at least one while the group is live).
    links: Vec<u32>,
    /// Capacity of each member link [bit/s].
    capacity: f64,
    /// Lowest member link id, when `min_valid`.
    min_link: u32,
    min_valid: bool,
    /// Epoch of the call that last chose `remap_to` (start and end of flows).
    remap_epoch: u64,
    /// The group this group's links move to in the current call.
    remap_to: u32,
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
    /// Epoch of the last traversal that reached it through a flow (all its
    /// links then belong to the component).
    via_flow: u64,
    /// Capacity of each member link [bit/s] (the group's).
    capacity: f64,
    /// Capacity left by frozen flows, on each member link [bit/s].
    remaining: f64,
    /// Share [bit/s] recorded in the valid heap entry: at most the group's
    /// share `remaining / unfrozen` (see [`freeze`]).
    key: f64,
    /// Unfrozen active flows crossing the group.
    unfrozen: u32,
    /// Version of the group's one valid heap entry; older entries are stale.
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

/// A saturation level [bit/s] totally ordered by `f64::total_cmp`.
#[derive(Clone, Copy, Debug)]
struct Level(f64);

impl PartialEq for Level {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Level {}

impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Min-heap of (saturation level, the group's lowest link id, version,
/// group). A group has one lowest link, so entries are ordered by their
/// first three fields alone.
type SaturationHeap = BinaryHeap<Reverse<Entry>>;

/// A heap entry: a group's recorded share as [`ordered`] bits, then its
/// lowest link id and the entry's version (`rep << 32 | version`), which
/// alone order entries; and the group.
#[derive(Clone, Copy, Debug)]
struct Entry {
    share: u64,
    tag: u64,
    group: u32,
}

impl Entry {
    fn new(share: f64, rep: u32, version: u32, group: u32) -> Self {
        Entry {
            share: ordered(share),
            tag: (u64::from(rep) << 32) | u64::from(version),
            group,
        }
    }
    fn share(self) -> f64 {
        unordered(self.share)
    }
    fn rep(self) -> u32 {
        (self.tag >> 32) as u32
    }
    fn version(self) -> u32 {
        self.tag as u32
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.share, self.tag) == (other.share, other.tag)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.share, self.tag).cmp(&(other.share, other.tag))
    }
}

/// The bits of `x` as an integer ordered as `f64::total_cmp` orders `x`.
fn ordered(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The inverse of [`ordered`].
fn unordered(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// A 64-bit mixing function (the finalizer of SplitMix64).
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hash of a group's key: its capacity's bits and its flow set.
fn group_hash(cap_bits: u64, flows: &[u32]) -> u64 {
    flows
        .iter()
        .fold(mix(cap_bits), |h, &f| h.wrapping_add(mix(u64::from(f) + 1)))
}

/// Hasher of keys that are already hashes ([`group_hash`]): the table is
/// only looked up, never iterated, so its order cannot reach a result.
#[derive(Clone, Copy, Debug, Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
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

/// Freezes `flow` at `rate` [bit/s] and updates the groups it crosses.
///
/// A group's share usually rises when one of its flows freezes (the flow
/// took no more than the share), and then its heap entry is left as it is:
/// an entry may sit *below* its group's share, never above, and is brought
/// up to date when it reaches the top (see [`Fabric::recompute`]). Only a
/// share that fell (by rounding) gets a new entry at once.
fn freeze(groups: &mut [Fill], heap: &mut SaturationHeap, flow: &mut Flow, rate: f64) {
    flow.rate = rate;
    flow.frozen = true;
    for &(g, _) in &flow.groups {
        let group = &mut groups[g as usize];
        group.remaining -= rate;
        group.unfrozen -= 1;
        if group.unfrozen > 0 {
            let share = group.remaining / f64::from(group.unfrozen);
            if Level(share) < Level(group.key) {
                group.version += 1;
                group.key = share;
                heap.push(Reverse(Entry::new(share, group.rep, group.version, g)));
            }
        }
    }
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
        self.last_size = (0, 0);
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

    /// Creates the group of capacity bits `cap_bits` and flow set `flows`
    /// (no links yet) and lists it in its flows' groups.
    fn new_group(&mut self, cap_bits: u64, flows: &[u32], hash: u64) -> u32 {
        let g = match self.free_groups.pop() {
            Some(g) => g,
            None => {
                self.groups.push(Group::default());
                self.fill.push(Fill::default());
                u32::try_from(self.groups.len() - 1).expect("more than u32::MAX groups")
            }
        };
        let mut flow_pos = std::mem::take(&mut self.groups[g as usize].flow_pos);
        flow_pos.clear();
        for (i, &f) in flows.iter().enumerate() {
            let groups = &mut live_mut(&mut self.slots, f).groups;
            flow_pos.push(groups.len() as u32);
            groups.push((g, i as u32));
        }
        let next_same = self.group_of.insert(hash, g).unwrap_or(NO_GROUP);
        let group = &mut self.groups[g as usize];
        group.flows.clear();
        group.flows.extend_from_slice(flows);
        group.flow_pos = flow_pos;
        group.links.clear();
        group.capacity = f64::from_bits(cap_bits);
        self.fill[g as usize] = Fill {
            capacity: group.capacity,
            ..Fill::default()
        };
        let group = &mut self.groups[g as usize];
        group.min_valid = false;
        group.remap_epoch = 0;
        group.hash = hash;
        group.next_same = next_same;
        g
    }

    /// Removes a group left without links: out of its flows' lists (the
    /// flow `skip`, being ended, is left alone) and out of the key table.
    fn drop_group(&mut self, g: u32, skip: Option<u32>) {
        for i in 0..self.groups[g as usize].flows.len() {
            let (f, p) = {
                let group = &self.groups[g as usize];
                (group.flows[i], group.flow_pos[i])
            };
            if Some(f) == skip {
                continue;
            }
            let groups = &mut live_mut(&mut self.slots, f).groups;
            groups.swap_remove(p as usize);
            if let Some(&(moved, j)) = groups.get(p as usize) {
                self.groups[moved as usize].flow_pos[j as usize] = p;
            }
        }
        let (hash, next) = (
            self.groups[g as usize].hash,
            self.groups[g as usize].next_same,
        );
        let head = self.group_of[&hash];
        if head == g {
            if next == NO_GROUP {
                self.group_of.remove(&hash);
            } else {
                self.group_of.insert(hash, next);
            }
        } else {
            let mut at = head;
            while self.groups[at as usize].next_same != g {
                at = self.groups[at as usize].next_same;
            }
            self.groups[at as usize].next_same = next;
        }
        self.groups[g as usize].flows.clear();
        self.free_groups.push(g);
    }

    /// The group of capacity bits `cap_bits` and flow set `flows`
    /// (ascending), created if missing.
    fn group_for(&mut self, cap_bits: u64, flows: &[u32]) -> u32 {
        let hash = group_hash(cap_bits, flows);
        let mut at = self.group_of.get(&hash).copied().unwrap_or(NO_GROUP);
        while at != NO_GROUP {
            let group = &self.groups[at as usize];
            if group.capacity.to_bits() == cap_bits && group.flows == flows {
                return at;
            }
            at = group.next_same;
        }
        self.new_group(cap_bits, flows, hash)
    }

    /// Moves link `li` out of its group into `to` (or into no group).
    fn move_link(&mut self, li: u32, to: u32) {
        let from = self.links[li as usize].group;
        if from != NO_GROUP {
            let pos = self.links[li as usize].pos;
            let group = &mut self.groups[from as usize];
            group.links.swap_remove(pos as usize);
            if group.min_link == li {
                group.min_valid = false;
            }
            if let Some(&moved) = group.links.get(pos as usize) {
                self.links[moved as usize].pos = pos;
            }
        }
        self.links[li as usize].group = to;
        if to != NO_GROUP {
            let group = &mut self.groups[to as usize];
            self.links[li as usize].pos = group.links.len() as u32;
            if group.links.is_empty() {
                group.min_link = li;
                group.min_valid = true;
            } else if group.min_valid && li < group.min_link {
                group.min_link = li;
            }
            group.links.push(li);
        }
    }

    /// Moves each link of `path` from the group of its flow set to the
    /// group of that set with flow `f` added (`add`) or removed, then drops
    /// the groups left empty (all of `f`'s old groups when removing).
    fn regroup(&mut self, path: &[LinkId], f: u32, add: bool) {
        self.epoch += 1;
        let epoch = self.epoch;
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        // Links crossed by no flow, by capacity: (capacity bits, new group).
        let mut from_none = std::mem::take(&mut self.from_none);
        from_none.clear();
        let mut set = std::mem::take(&mut self.set_buf);
        for &l in path {
            let li = l.0;
            let from = self.links[li as usize].group;
            let to = if from == NO_GROUP {
                debug_assert!(add, "a link of a live flow is in a group");
                let bits = self.links[li as usize].capacity.to_bits();
                match from_none.iter().find(|e| e.0 == bits) {
                    Some(&(_, g)) => g,
                    None => {
                        let g = self.group_for(bits, &[f]);
                        from_none.push((bits, g));
                        g
                    }
                }
            } else if self.groups[from as usize].remap_epoch == epoch {
                self.groups[from as usize].remap_to
            } else {
                let group = &self.groups[from as usize];
                let bits = group.capacity.to_bits();
                set.clear();
                set.extend_from_slice(&group.flows);
                match set.binary_search(&f) {
                    Err(at) if add => set.insert(at, f),
                    Ok(at) if !add => {
                        set.remove(at);
                    }
                    _ => unreachable!("fabric invariant: a link's group lists its flows"),
                }
                let to = if set.is_empty() {
                    NO_GROUP
                } else {
                    self.group_for(bits, &set)
                };
                let group = &mut self.groups[from as usize];
                group.remap_epoch = epoch;
                group.remap_to = to;
                touched.push(from);
                to
            };
            self.move_link(li, to);
        }
        for &g in &touched {
            if self.groups[g as usize].links.is_empty() {
                self.drop_group(g, if add { None } else { Some(f) });
            }
        }
        self.touched = touched;
        self.from_none = from_none;
        self.set_buf = set;
    }

    /// Capacity of link `l` [bit/s] (also while it is down).
    ///
    /// # Panics
    /// If `l` was not returned by this fabric's `add_link`.
    pub fn capacity(&self, l: LinkId) -> BitsPerSecond {
        BitsPerSecond(self.link(l).capacity)
    }

    /// One-way latency of link `l` \[µs\].
    ///
    /// # Panics
    /// If `l` was not returned by this fabric's `add_link`.
    pub fn latency_us(&self, l: LinkId) -> u64 {
        self.link(l).latency_us
    }

    /// Whether link `l` is up (not failed).
    ///
    /// # Panics
    /// If `l` was not returned by this fabric's `add_link`.
    pub fn is_up(&self, l: LinkId) -> bool {
        self.link(l).up
    }

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
            self.last_size = (0, 0);
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
            self.last_size = (0, 0);
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
            self.last_size = (0, 0);
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
        self.regroup(path, index, true);

        let mut changes = if down_links > 0 {
            // A stalled flow loads nothing: no other rate can change.
            self.last_size = (1, 0);
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
        self.regroup(&path, f.index, false);
        let slot = &mut self.slots[f.index as usize];
        let flow = slot.flow.take().expect("checked live above");
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(f.index);
        self.live_flows -= 1;

        if flow.down_links > 0 {
            // It was stalled and loaded nothing.
            self.last_size = (0, 0);
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

    /// Whether flow `f` crosses a down link, or `None` if the id is unknown or
    /// stale.
    pub fn is_stalled(&self, f: FlowId) -> Option<bool> {
        self.flow(f).map(|fl| fl.down_links > 0)
    }

    /// The path of flow `f`, or `None` if the id is unknown or stale.
    pub fn flow_path(&self, f: FlowId) -> Option<&[LinkId]> {
        self.flow(f).map(|fl| fl.path.as_slice())
    }

    /// Sum of the one-way latencies of the links of `path` \[µs\] (saturating;
    /// 0 for an empty path). Down links count like up ones.
    ///
    /// # Panics
    /// If a link was not returned by this fabric's `add_link`.
    pub fn path_latency_us(&self, path: &[LinkId]) -> u64 {
        path.iter()
            .fold(0u64, |acc, &l| acc.saturating_add(self.link(l).latency_us))
    }

    /// Number of links ever added (failed ones included).
    pub fn link_count(&self) -> usize {
        self.links.len()
    }

    /// Number of live flows (stalled ones included).
    pub fn flow_count(&self) -> usize {
        self.live_flows
    }

    /// (flows, links) in the component recomputed by the last mutating call;
    /// (0, 0) when it recomputed nothing. For diagnostics and tests of
    /// incrementality.
    pub fn last_recompute_size(&self) -> (usize, usize) {
        self.last_size
    }

    /// Recomputes the component reachable from `seed_links` and `seed_flows`
    /// (see the module docs) and returns its flows whose rate changed.
    ///
    /// Seed flows are expanded to their links even when stalled (they are the
    /// flows the event just stalled); otherwise only active flows are followed.
    // Over the 150-line guard (clippy.toml); to be split (issue 19 item 7).
    #[allow(clippy::too_many_lines)]
    fn recompute(&mut self, seed_links: &[u32], seed_flows: &[u32]) -> Vec<RateChange> {
        self.epoch += 1;
        let epoch = self.epoch;
        let Self {
            links,
            slots,
            groups,
            fill,
            last_size,
            comp_groups,
            comp_flows,
            stack,
            old_rates,
            capped,
            batch,
            heap,
            ..
        } = self;
        comp_groups.clear();
        comp_flows.clear();
        stack.clear();

        // 1. Collect the component: its groups and flows.
        for &l in seed_links {
            let g = links[l as usize].group;
            if g != NO_GROUP && fill[g as usize].mark != epoch {
                fill[g as usize].mark = epoch;
                comp_groups.push(g);
                stack.push(g);
            }
        }
        // Adds flow `f` and the groups it crosses to the component.
        #[allow(clippy::too_many_arguments)]
        fn reach(
            slots: &mut [FlowSlot],
            fill: &mut [Fill],
            comp_flows: &mut Vec<u32>,
            comp_groups: &mut Vec<u32>,
            stack: &mut Vec<u32>,
            f: u32,
            epoch: u64,
        ) {
            slots[f as usize].mark = epoch;
            comp_flows.push(f);
            for &(g, _) in &live(slots, f).groups {
                let group = &mut fill[g as usize];
                group.via_flow = epoch;
                if group.mark != epoch {
                    group.mark = epoch;
                    comp_groups.push(g);
                    stack.push(g);
                }
            }
        }
        for &f in seed_flows {
            if slots[f as usize].mark != epoch {
                reach(slots, fill, comp_flows, comp_groups, stack, f, epoch);
            }
        }
        while let Some(g) = stack.pop() {
            for i in 0..groups[g as usize].flows.len() {
                let f = groups[g as usize].flows[i];
                if slots[f as usize].mark == epoch || live(slots, f).down_links > 0 {
                    continue;
                }
                reach(slots, fill, comp_flows, comp_groups, stack, f, epoch);
            }
        }
        // Links: every link of a group reached through a flow, and each seed
        // link otherwise (a link whose flows are all stalled, or none).
        let mut link_count: usize = comp_groups
            .iter()
            .filter(|&&g| fill[g as usize].via_flow == epoch)
            .map(|&g| groups[g as usize].links.len())
            .sum();
        for &l in seed_links {
            let link = &mut links[l as usize];
            let g = link.group;
            if link.mark != epoch && (g == NO_GROUP || fill[g as usize].via_flow != epoch) {
                link.mark = epoch;
                link_count += 1;
            }
        }
        *last_size = (comp_flows.len(), link_count);

        // A component of at most one flow (a flow alone on its links, as a
        // training ring on racks of its own): progressive filling would
        // freeze it at its tightest link or its cap, whichever is lower —
        // the same value, without the heap and the sorts.
        if comp_flows.len() <= 1 {
            let mut changes = Vec::new();
            if let Some(&f) = comp_flows.first() {
                let flow = live_mut(slots, f);
                let old = flow.rate;
                flow.rate = if flow.down_links > 0 {
                    0.0
                } else {
                    let tightest = flow
                        .groups
                        .iter()
                        .map(|&(g, _)| fill[g as usize].capacity)
                        .fold(f64::INFINITY, f64::min);
                    flow.cap.map_or(tightest, |c| c.min(tightest))
                };
                flow.frozen = true;
                if flow.rate != old {
                    changes.push(RateChange {
                        flow: FlowId {
                            index: f,
                            generation: slots[f as usize].generation,
                        },
                        old: BitsPerSecond(old),
                        new: BitsPerSecond(live(slots, f).rate),
                    });
                }
            }
            return changes;
        }
        comp_flows.sort_unstable();

        // 2. Initialise progressive filling. Every member link of a group
        // with an unfrozen flow is up (a down link stalls all its flows).
        old_rates.clear();
        capped.clear();
        heap.clear();
        for &g in comp_groups.iter() {
            let group = &mut fill[g as usize];
            group.remaining = group.capacity;
            group.unfrozen = 0;
            group.version = 0;
        }
        for &f in comp_flows.iter() {
            let flow = live_mut(slots, f);
            old_rates.push(flow.rate);
            flow.rate = 0.0;
            if flow.down_links > 0 {
                flow.frozen = true;
                continue;
            }
            flow.frozen = false;
            for &(g, _) in &flow.groups {
                fill[g as usize].unfrozen += 1;
            }
            if flow.cap.is_some() {
                capped.push(f);
            }
        }
        for &g in comp_groups.iter() {
            if fill[g as usize].unfrozen == 0 {
                continue;
            }
            let group = &mut groups[g as usize];
            if !group.min_valid {
                group.min_link = *group.links.iter().min().expect("a live group has links");
                group.min_valid = true;
            }
            fill[g as usize].rep = group.min_link;
        }
        // A group crossed by one unfrozen flow (racks this ring alone
        // crosses) keeps its share, its whole remaining capacity, until that
        // flow freezes; of a flow's such groups only the lowest (share, link)
        // can ever be the heap's lowest valid entry (the others turn stale
        // together with it), so only that one is pushed. The same events
        // come out in the same order, without an entry per private group.
        let mut entries = std::mem::take(heap).into_vec();
        entries.clear();
        for &g in comp_groups.iter() {
            let group = &mut fill[g as usize];
            if group.unfrozen > 1 {
                let share = group.remaining / f64::from(group.unfrozen);
                group.key = share;
                entries.push(Reverse(Entry::new(share, group.rep, 0, g)));
            }
        }
        let mut unfrozen_flows = 0usize;
        for &f in comp_flows.iter() {
            let flow = live(slots, f);
            if flow.frozen {
                continue;
            }
            unfrozen_flows += 1;
            let mut best: Option<(Level, u32, u32)> = None;
            for &(g, _) in &flow.groups {
                let group = &fill[g as usize];
                if group.unfrozen == 1 {
                    let key = (Level(group.remaining), group.rep, g);
                    if best.is_none_or(|b| key < b) {
                        best = Some(key);
                    }
                }
            }
            if let Some((share, rep, g)) = best {
                fill[g as usize].key = share.0;
                entries.push(Reverse(Entry::new(share.0, rep, 0, g)));
            }
        }
        // Entries are distinct (link, version) pairs, so the heap pops them
        // in one order however it was built.
        *heap = BinaryHeap::from(entries);
        let cap_of = |slots: &[FlowSlot], f: u32| live(slots, f).cap.expect("capped flow has cap");
        capped.sort_unstable_by(|&a, &b| {
            cap_of(slots, a)
                .total_cmp(&cap_of(slots, b))
                .then(a.cmp(&b))
        });

        // 3. Raise the level event by event until every flow is frozen.
        let mut level = 0.0f64;
        let mut next_cap = 0;
        while unfrozen_flows > 0 {
            // Settle the top: drop stale entries and bring a valid one that
            // sits below its group's share up to it, until the top holds its
            // group's exact share. Every entry is at most its group's share,
            // so that top is the lowest (share, link) of all: the event the
            // heap would give with one fresh entry per link and change.
            while let Some(mut top) = heap.peek_mut() {
                let Reverse(entry) = *top;
                let (stored, version, g) = (entry.share(), entry.version(), entry.group);
                let group = &mut fill[g as usize];
                if group.version != version || group.unfrozen == 0 {
                    std::collections::binary_heap::PeekMut::pop(top);
                    continue;
                }
                let share = group.remaining / f64::from(group.unfrozen);
                if share.to_bits() == stored.to_bits() {
                    break;
                }
                group.version += 1;
                group.key = share;
                *top = Reverse(Entry::new(share, entry.rep(), group.version, g));
            }
            while next_cap < capped.len() && live(slots, capped[next_cap]).frozen {
                next_cap += 1;
            }
            let group_event = heap.peek().map(|&Reverse(e)| (e.share(), e.group));
            let cap_event = capped.get(next_cap).map(|&f| (cap_of(slots, f), f));
            match (group_event, cap_event) {
                (None, None) => break,
                (Some((v, _)), Some((c, f))) if c <= v => {
                    level = level.max(c);
                    freeze(fill, heap, live_mut(slots, f), c);
                    unfrozen_flows -= 1;
                }
                (None, Some((c, f))) => {
                    level = level.max(c);
                    freeze(fill, heap, live_mut(slots, f), c);
                    unfrozen_flows -= 1;
                }
                (Some((v, g)), _) => {
                    heap.pop();
                    // Rounding may put a share a hair below the level reached.
                    level = level.max(v);
                    // The group's flows are in ascending order.
                    batch.clear();
                    for &f in &groups[g as usize].flows {
                        let flow = live(slots, f);
                        if flow.down_links == 0 && !flow.frozen {
                            batch.push(f);
                        }
                    }
                    for &f in batch.iter() {
                        freeze(fill, heap, live_mut(slots, f), level);
                    }
                    unfrozen_flows -= batch.len();
                }
            }
        }

        // 4. Report changes.
        let mut changes = Vec::new();
        for (&f, &old) in comp_flows.iter().zip(old_rates.iter()) {
            let slot = &slots[f as usize];
            let new = live(slots, f).rate;
            if new != old {
                changes.push(RateChange {
                    flow: FlowId {
                        index: f,
                        generation: slot.generation,
                    },
                    old: BitsPerSecond(old),
                    new: BitsPerSecond(new),
                });
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gbps(x: f64) -> BitsPerSecond {
        BitsPerSecond::from_gbps(x)
    }

    /// Asserts `actual` is `expected_gbps` Gb/s within 1e-9 relative.
    #[track_caller]
    fn assert_gbps(actual: Option<BitsPerSecond>, expected_gbps: f64) {
        let actual = actual.expect("flow is live").gbps();
        assert!(
            (actual - expected_gbps).abs() <= 1e-9 * expected_gbps.abs().max(1e-9),
            "got {actual} Gb/s, expected {expected_gbps} Gb/s"
        );
    }

    /// Asserts a change list is exactly `expected` = [(flow, old Gb/s, new Gb/s)].
    #[track_caller]
    fn assert_changes(changes: &[RateChange], expected: &[(FlowId, f64, f64)]) {
        let got: Vec<FlowId> = changes.iter().map(|c| c.flow).collect();
        let want: Vec<FlowId> = expected.iter().map(|e| e.0).collect();
        assert_eq!(got, want, "changed flows");
        for (c, &(_, old, new)) in changes.iter().zip(expected) {
            assert_gbps(Some(c.old), old);
            assert_gbps(Some(c.new), new);
        }
    }

    /// Test 1's fabric: A = 10 Gb/s, B = 100 Gb/s; f1 [A,B], f2 [A], f3 [B].
    fn shared_bottleneck() -> (Fabric, [LinkId; 2], [FlowId; 3]) {
        let mut fab = Fabric::new();
        let a = fab.add_link(gbps(10.0), 2);
        let b = fab.add_link(gbps(100.0), 3);
        let (f1, _) = fab.start_flow(&[a, b], None).unwrap();
        let (f2, _) = fab.start_flow(&[a], None).unwrap();
        let (f3, _) = fab.start_flow(&[b], None).unwrap();
        (fab, [a, b], [f1, f2, f3])
    }

    #[test]
    fn shared_bottleneck_rates() {
        let (fab, [a, b], [f1, f2, f3]) = shared_bottleneck();
        // A: 10 / 2 = 5 each for f1, f2; B: 100 - 5 (f1) = 95 for f3.
        assert_gbps(fab.rate(f1), 5.0);
        assert_gbps(fab.rate(f2), 5.0);
        assert_gbps(fab.rate(f3), 95.0);
        assert_gbps(Some(fab.load(a)), 10.0);
        assert_gbps(Some(fab.load(b)), 100.0);
        assert_eq!(fab.flows_on(a), 2);
        assert_eq!(fab.flows_on(b), 2);
        assert_eq!(fab.path_latency_us(&[a, b]), 5);
        assert_eq!(fab.path_latency_us(&[]), 0);
        assert_eq!((fab.link_count(), fab.flow_count()), (2, 3));
    }

    #[test]
    fn start_flow_reports_new_and_changed_flows() {
        let mut fab = Fabric::new();
        let a = fab.add_link(gbps(10.0), 1);
        let b = fab.add_link(gbps(100.0), 1);
        let (f1, ch) = fab.start_flow(&[a, b], None).unwrap();
        // Alone: limited by A at 10.
        assert_changes(&ch, &[(f1, 0.0, 10.0)]);
        let (f2, ch) = fab.start_flow(&[a], None).unwrap();
        // A split in two: f1 10 -> 5, f2 new at 5.
        assert_changes(&ch, &[(f1, 10.0, 5.0), (f2, 0.0, 5.0)]);
        let (f3, ch) = fab.start_flow(&[b], None).unwrap();
        // f1 keeps 5 (not listed); f3 takes 100 - 5 = 95.
        assert_changes(&ch, &[(f3, 0.0, 95.0)]);
    }

    #[test]
    fn two_bottlenecks() {
        let mut fab = Fabric::new();
        let l1 = fab.add_link(gbps(10.0), 1);
        let l2 = fab.add_link(gbps(30.0), 1);
        let (f1, _) = fab.start_flow(&[l1], None).unwrap();
        let (f2, _) = fab.start_flow(&[l1, l2], None).unwrap();
        let (f3, _) = fab.start_flow(&[l2], None).unwrap();
        let (f4, _) = fab.start_flow(&[l2], None).unwrap();
        // L1 saturates first at 10 / 2 = 5 (L2 would at 30 / 3 = 10);
        // then L2 has 30 - 5 = 25 for two flows: 12.5 each.
        assert_gbps(fab.rate(f1), 5.0);
        assert_gbps(fab.rate(f2), 5.0);
        assert_gbps(fab.rate(f3), 12.5);
        assert_gbps(fab.rate(f4), 12.5);
        assert_gbps(Some(fab.load(l2)), 30.0);
    }

    #[test]
    fn failed_link_stalls_and_repair_restores() {
        let (mut fab, [a, b], [f1, f2, f3]) = shared_bottleneck();
        let ch = fab.fail_link(a).unwrap();
        // f1, f2 cross A: stalled at 0; f3 gets all of B: 100.
        assert_changes(&ch, &[(f1, 5.0, 0.0), (f2, 5.0, 0.0), (f3, 95.0, 100.0)]);
        assert!(!fab.is_up(a));
        assert_eq!(fab.is_stalled(f1), Some(true));
        assert_eq!(fab.is_stalled(f2), Some(true));
        assert_eq!(fab.is_stalled(f3), Some(false));
        assert_eq!(fab.rate(f1), Some(BitsPerSecond::ZERO));
        assert_eq!(fab.load(a), BitsPerSecond::ZERO);
        assert_gbps(Some(fab.load(b)), 100.0);
        // Failing again changes nothing.
        assert_eq!(fab.fail_link(a).unwrap(), vec![]);

        let ch = fab.repair_link(a).unwrap();
        assert_changes(&ch, &[(f1, 0.0, 5.0), (f2, 0.0, 5.0), (f3, 100.0, 95.0)]);
        assert_eq!(fab.is_stalled(f1), Some(false));
        assert_gbps(fab.rate(f3), 95.0);
        assert_eq!(fab.repair_link(a).unwrap(), vec![]);
    }

    #[test]
    fn flow_started_on_down_link_is_stalled() {
        let (mut fab, [a, _], [f1, f2, f3]) = shared_bottleneck();
        fab.fail_link(a).unwrap();
        let (g, ch) = fab.start_flow(&[a], None).unwrap();
        assert_changes(&ch, &[(g, 0.0, 0.0)]);
        assert_eq!(fab.is_stalled(g), Some(true));
        assert_eq!(fab.last_recompute_size(), (1, 0));
        // Ending it changes nothing either.
        assert_eq!(fab.end_flow(g).unwrap(), vec![]);
        let ch = fab.repair_link(a).unwrap();
        assert_changes(&ch, &[(f1, 0.0, 5.0), (f2, 0.0, 5.0), (f3, 100.0, 95.0)]);
    }

    #[test]
    fn set_capacity_reshares() {
        let (mut fab, [a, b], [f1, f2, f3]) = shared_bottleneck();
        // B = 8: B saturates first at 8 / 2 = 4 (A would at 5): f1 = f3 = 4,
        // then A has 10 - 4 = 6 for f2.
        let ch = fab.set_capacity(b, gbps(8.0)).unwrap();
        assert_changes(&ch, &[(f1, 5.0, 4.0), (f2, 5.0, 6.0), (f3, 95.0, 4.0)]);
        assert_gbps(Some(fab.capacity(b)), 8.0);
        assert_gbps(Some(fab.load(a)), 10.0);
        assert_eq!(fab.set_capacity(b, gbps(8.0)).unwrap(), vec![]);
        assert_eq!(
            fab.set_capacity(a, BitsPerSecond::ZERO),
            Err(FabricError::NonPositiveCapacity)
        );
        assert_eq!(
            fab.set_capacity(a, BitsPerSecond(f64::NAN)),
            Err(FabricError::NonPositiveCapacity)
        );
        // The capacity set on a down link applies on repair: with A = 20, B (8)
        // still saturates first at 4 for f1, f3; f2 gets 20 - 4 = 16 on A.
        fab.fail_link(a).unwrap();
        assert_eq!(fab.set_capacity(a, gbps(20.0)).unwrap(), vec![]);
        assert_eq!(fab.last_recompute_size(), (0, 1));
        fab.repair_link(a).unwrap();
        assert_gbps(fab.rate(f1), 4.0);
        assert_gbps(fab.rate(f2), 16.0);
        assert_gbps(fab.rate(f3), 4.0);
    }

    #[test]
    fn cap_below_fair_share() {
        let mut fab = Fabric::new();
        let l = fab.add_link(gbps(10.0), 1);
        let (capped, _) = fab.start_flow(&[l], Some(gbps(2.0))).unwrap();
        let (free, _) = fab.start_flow(&[l], None).unwrap();
        // Fair share 5 > cap 2: capped at 2, the other takes 10 - 2 = 8.
        assert_gbps(fab.rate(capped), 2.0);
        assert_gbps(fab.rate(free), 8.0);
        // A cap above the fair share does not bind: 10 / 2 = 5 each.
        let mut fab = Fabric::new();
        let l = fab.add_link(gbps(10.0), 1);
        let (c, _) = fab.start_flow(&[l], Some(gbps(7.0))).unwrap();
        let (u, _) = fab.start_flow(&[l], None).unwrap();
        assert_gbps(fab.rate(c), 5.0);
        assert_gbps(fab.rate(u), 5.0);
    }

    #[test]
    fn empty_path_with_cap_runs_at_cap() {
        let mut fab = Fabric::new();
        let (f, ch) = fab.start_flow(&[], Some(gbps(3.0))).unwrap();
        assert_changes(&ch, &[(f, 0.0, 3.0)]);
        assert_eq!(fab.last_recompute_size(), (1, 0));
        assert_eq!(fab.end_flow(f).unwrap(), vec![]);
    }

    #[test]
    fn end_flow_and_errors() {
        let (mut fab, [a, b], [f1, f2, f3]) = shared_bottleneck();
        let ch = fab.end_flow(f2).unwrap();
        // A now carries only f1: A's share 10 / 1 = 10 < B's 100 / 2 = 50,
        // so f1 = 10 and f3 = 100 - 10 = 90.
        assert_changes(&ch, &[(f1, 5.0, 10.0), (f3, 95.0, 90.0)]);
        assert_eq!(fab.flows_on(a), 1);
        assert_eq!(fab.flow_count(), 2);
        assert_eq!(fab.rate(f2), None);
        assert_eq!(fab.is_stalled(f2), None);
        assert_eq!(fab.end_flow(f2), Err(FabricError::UnknownFlow(f2)));

        // The slot is reused with a new generation; the old id stays stale.
        let (g, _) = fab.start_flow(&[a], None).unwrap();
        assert_eq!(g.index(), f2.index());
        assert_ne!(g, f2);
        assert_eq!(fab.rate(f2), None);
        assert_eq!(fab.end_flow(f2), Err(FabricError::UnknownFlow(f2)));
        assert_gbps(fab.rate(g), 5.0);

        let ghost = LinkId(7);
        assert_eq!(
            fab.start_flow(&[a, ghost], None),
            Err(FabricError::UnknownLink(ghost))
        );
        assert_eq!(fab.fail_link(ghost), Err(FabricError::UnknownLink(ghost)));
        assert_eq!(fab.repair_link(ghost), Err(FabricError::UnknownLink(ghost)));
        assert_eq!(
            fab.set_capacity(ghost, gbps(1.0)),
            Err(FabricError::UnknownLink(ghost))
        );
        assert_eq!(fab.start_flow(&[], None), Err(FabricError::Unbounded));
        assert_eq!(
            fab.start_flow(&[a, b, a], None),
            Err(FabricError::DuplicateLink(a))
        );
        assert_eq!(
            fab.start_flow(&[a], Some(BitsPerSecond::ZERO)),
            Err(FabricError::NonPositiveCapacity)
        );
        assert_eq!(
            fab.try_add_link(gbps(-1.0), 1),
            Err(FabricError::NonPositiveCapacity)
        );
        // Refused calls changed nothing.
        assert_eq!((fab.link_count(), fab.flow_count()), (2, 3));
        assert_eq!(fab.flows_on(a), 2);
        assert_gbps(fab.rate(f1), 5.0);
        assert_eq!(
            FabricError::DuplicateLink(a).to_string(),
            "path crosses link 0 more than once"
        );
    }

    #[test]
    fn swap_remove_keeps_positions_consistent() {
        let mut fab = Fabric::new();
        let l = fab.add_link(gbps(12.0), 1);
        let m = fab.add_link(gbps(12.0), 1);
        let ids: Vec<FlowId> = (0..4)
            .map(|_| fab.start_flow(&[l, m], None).unwrap().0)
            .collect();
        // Remove the first (moving the last into its place), then the moved one.
        fab.end_flow(ids[0]).unwrap();
        fab.end_flow(ids[3]).unwrap();
        assert_eq!(fab.flows_on(l), 2);
        assert_eq!(fab.flows_on(m), 2);
        // 12 / 2 = 6 each.
        assert_gbps(fab.rate(ids[1]), 6.0);
        fab.end_flow(ids[2]).unwrap();
        assert_gbps(fab.rate(ids[1]), 12.0);
        fab.end_flow(ids[1]).unwrap();
        assert_eq!((fab.flows_on(l), fab.flows_on(m)), (0, 0));
        assert_eq!(fab.load(l), BitsPerSecond::ZERO);
    }

    #[test]
    fn recompute_is_limited_to_the_component() {
        let mut fab = Fabric::new();
        // Component X: links a, b; x1 [a], x2 [a, b].
        let a = fab.add_link(gbps(10.0), 1);
        let b = fab.add_link(gbps(40.0), 1);
        let (x1, _) = fab.start_flow(&[a], None).unwrap();
        let (x2, _) = fab.start_flow(&[a, b], None).unwrap();
        // Component Y: link c; y1, y2 over [c].
        let c = fab.add_link(gbps(20.0), 1);
        let (y1, _) = fab.start_flow(&[c], None).unwrap();
        let (y2, _) = fab.start_flow(&[c], None).unwrap();
        // 50 more unrelated single-link components.
        for _ in 0..50 {
            let l = fab.add_link(gbps(1.0), 1);
            fab.start_flow(&[l], None).unwrap();
        }
        assert_eq!((fab.flow_count(), fab.link_count()), (54, 53));

        // Y: 20 -> 8 gives 4 each; X untouched.
        let ch = fab.set_capacity(c, gbps(8.0)).unwrap();
        assert_changes(&ch, &[(y1, 10.0, 4.0), (y2, 10.0, 4.0)]);
        assert_eq!(fab.last_recompute_size(), (2, 1));
        assert_gbps(fab.rate(x1), 5.0);

        // Failing a: x1, x2 stall, b is visited for x2; Y not visited.
        let ch = fab.fail_link(a).unwrap();
        assert_changes(&ch, &[(x1, 5.0, 0.0), (x2, 5.0, 0.0)]);
        assert_eq!(fab.last_recompute_size(), (2, 2));

        // A new flow on b: the stalled x2 does not connect b to a.
        let (z, ch) = fab.start_flow(&[b], None).unwrap();
        assert_changes(&ch, &[(z, 0.0, 40.0)]);
        assert_eq!(fab.last_recompute_size(), (1, 1));

        // Repair a: x1, x2 resume and couple b (and z) back in.
        // a: 10 / 2 = 5 for x1, x2; b: 40 - 5 = 35 for z.
        let ch = fab.repair_link(a).unwrap();
        assert_changes(&ch, &[(x1, 0.0, 5.0), (x2, 0.0, 5.0), (z, 40.0, 35.0)]);
        assert_eq!(fab.last_recompute_size(), (3, 2));

        // Ending y1 visits only c and y2: 8 / 1 = 8.
        let ch = fab.end_flow(y1).unwrap();
        assert_changes(&ch, &[(y2, 4.0, 8.0)]);
        assert_eq!(fab.last_recompute_size(), (1, 1));
    }

    #[test]
    fn identical_call_sequences_give_identical_bits() {
        let run = || {
            let mut fab = Fabric::new();
            let links: Vec<LinkId> = (1..=5)
                .map(|i| fab.add_link(gbps(3.3 * f64::from(i)), 1))
                .collect();
            let mut ids = Vec::new();
            for i in 0..12 {
                let path = [links[i % 5], links[(i * 3 + 1) % 5]];
                let path = if path[0] == path[1] {
                    &path[..1]
                } else {
                    &path[..]
                };
                ids.push(fab.start_flow(path, Some(gbps(1.7))).unwrap().0);
            }
            fab.fail_link(links[2]).unwrap();
            fab.end_flow(ids[4]).unwrap();
            fab.repair_link(links[2]).unwrap();
            ids.iter()
                .filter_map(|&f| fab.rate(f))
                .map(|r| r.0.to_bits())
                .collect::<Vec<u64>>()
        };
        assert_eq!(run(), run());
    }

    // ---- Property test -------------------------------------------------

    const REL: f64 = 1e-9;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= REL * a.abs().max(b.abs()) + 1e-6
    }

    /// From-scratch max-min rates of `flows` (same order), by a plain O(n²)
    /// progressive filling that shares no code with the incremental one.
    fn from_scratch_rates(fab: &Fabric, flows: &[FlowId]) -> Vec<f64> {
        let paths: Vec<&[LinkId]> = flows.iter().map(|&f| fab.flow_path(f).unwrap()).collect();
        let caps: Vec<Option<f64>> = flows.iter().map(|&f| fab.flow(f).unwrap().cap).collect();
        let stalled: Vec<bool> = paths
            .iter()
            .map(|p| p.iter().any(|&l| !fab.is_up(l)))
            .collect();
        let mut rate = vec![0.0; flows.len()];
        let mut frozen = stalled.clone();
        while frozen.iter().any(|&z| !z) {
            let mut share = vec![f64::INFINITY; fab.link_count()];
            for (l, s) in share.iter_mut().enumerate() {
                let id = LinkId(l as u32);
                if !fab.is_up(id) {
                    continue;
                }
                let mut used = 0.0;
                let mut n = 0;
                for i in 0..flows.len() {
                    if paths[i].contains(&id) {
                        if frozen[i] {
                            used += rate[i];
                        } else {
                            n += 1;
                        }
                    }
                }
                if n > 0 {
                    *s = (fab.capacity(id).0 - used) / f64::from(n);
                }
            }
            let mut level = share.iter().copied().fold(f64::INFINITY, f64::min);
            for i in 0..flows.len() {
                if let (false, Some(c)) = (frozen[i], caps[i]) {
                    level = level.min(c);
                }
            }
            assert!(level.is_finite(), "every unfrozen flow is bounded");
            let mut freeze = Vec::new();
            for i in 0..flows.len() {
                if frozen[i] {
                    continue;
                }
                if caps[i].is_some_and(|c| c <= level) {
                    freeze.push((i, caps[i].unwrap()));
                } else if paths[i].iter().any(|l| share[l.0 as usize] <= level) {
                    freeze.push((i, level));
                }
            }
            for (i, r) in freeze {
                rate[i] = r;
                frozen[i] = true;
            }
        }
        rate
    }

    /// (flows, links) of the component of the module's rule, found naively.
    fn reference_component(
        fab: &Fabric,
        flows: &[FlowId],
        seed_links: &[LinkId],
        seed_flows: &[FlowId],
    ) -> (usize, usize) {
        let mut link_in = vec![false; fab.link_count()];
        let mut flow_in = vec![false; flows.len()];
        for &l in seed_links {
            link_in[l.0 as usize] = true;
        }
        for (i, f) in flows.iter().enumerate() {
            if seed_flows.contains(f) {
                flow_in[i] = true;
                for &l in fab.flow_path(*f).unwrap() {
                    link_in[l.0 as usize] = true;
                }
            }
        }
        loop {
            let mut grew = false;
            for (i, &f) in flows.iter().enumerate() {
                let path = fab.flow_path(f).unwrap();
                if flow_in[i]
                    || fab.is_stalled(f).unwrap()
                    || !path.iter().any(|l| link_in[l.0 as usize])
                {
                    continue;
                }
                flow_in[i] = true;
                grew = true;
                for &l in path {
                    link_in[l.0 as usize] = true;
                }
            }
            if !grew {
                break;
            }
        }
        (
            flow_in.iter().filter(|&&x| x).count(),
            link_in.iter().filter(|&&x| x).count(),
        )
    }

    /// Checks invariants (a)-(d) plus loads and flow counts.
    fn check_state(fab: &Fabric, flows: &[FlowId]) -> Result<(), TestCaseError> {
        prop_assert_eq!(fab.flow_count(), flows.len());
        let rates: Vec<f64> = flows.iter().map(|&f| fab.rate(f).unwrap().0).collect();
        for l in 0..fab.link_count() {
            let id = LinkId(l as u32);
            let on: Vec<usize> = (0..flows.len())
                .filter(|&i| fab.flow_path(flows[i]).unwrap().contains(&id))
                .collect();
            prop_assert_eq!(fab.flows_on(id), on.len());
            let sum: f64 = on.iter().map(|&i| rates[i]).sum();
            prop_assert!(close(fab.load(id).0, sum), "load of {:?}", id);
            // (a) no overload.
            if fab.is_up(id) {
                prop_assert!(
                    sum <= fab.capacity(id).0 * (1.0 + REL),
                    "{:?} overloaded",
                    id
                );
            } else {
                prop_assert_eq!(sum, 0.0);
            }
        }
        for (i, &f) in flows.iter().enumerate() {
            let path = fab.flow_path(f).unwrap();
            // (c) stalled exactly when crossing a down link.
            let crosses_down = path.iter().any(|&l| !fab.is_up(l));
            prop_assert_eq!(fab.is_stalled(f), Some(crosses_down));
            if crosses_down {
                prop_assert_eq!(rates[i], 0.0);
                continue;
            }
            // (b) at cap, or crossing a saturated link where it has the max rate.
            prop_assert!(rates[i] > 0.0);
            let cap = fab.flow(f).unwrap().cap;
            prop_assert!(cap.is_none_or(|c| rates[i] <= c * (1.0 + REL)));
            let at_cap = cap.is_some_and(|c| close(rates[i], c));
            let bottleneck = path.iter().any(|&l| {
                let saturated = fab.load(l).0 >= fab.capacity(l).0 * (1.0 - REL);
                let max_here = (0..flows.len())
                    .filter(|&j| fab.flow_path(flows[j]).unwrap().contains(&l))
                    .map(|j| rates[j])
                    .fold(0.0, f64::max);
                saturated && rates[i] >= max_here * (1.0 - REL)
            });
            prop_assert!(at_cap || bottleneck, "flow {:?} has no bottleneck", f);
        }
        // (d) equal to a from-scratch computation.
        let want = from_scratch_rates(fab, flows);
        for (i, (&got, &want)) in rates.iter().zip(&want).enumerate() {
            prop_assert!(close(got, want), "flow {:?}: {} vs {}", flows[i], got, want);
        }
        Ok(())
    }

    #[derive(Clone, Debug)]
    enum Op {
        AddLink(f64),
        Start(Vec<usize>, Option<f64>),
        End(usize),
        Fail(usize),
        Repair(usize),
        SetCap(usize, f64),
        Stale(usize),
    }

    /// Capacities/caps [Gb/s]: round values (to create ties) or arbitrary ones.
    fn gb_value() -> impl Strategy<Value = f64> {
        prop_oneof![
            prop::sample::select(vec![1.0, 2.5, 10.0, 40.0, 100.0]),
            0.1f64..200.0,
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => gb_value().prop_map(Op::AddLink),
            6 => (
                prop::collection::vec(0usize..1000, 0..6),
                prop::option::weighted(0.3, gb_value())
            )
                .prop_map(|(p, c)| Op::Start(p, c)),
            3 => any::<usize>().prop_map(Op::End),
            2 => any::<usize>().prop_map(Op::Fail),
            2 => any::<usize>().prop_map(Op::Repair),
            1 => (any::<usize>(), gb_value()).prop_map(|(l, c)| Op::SetCap(l, c)),
            1 => any::<usize>().prop_map(Op::Stale),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn incremental_max_min_matches_from_scratch(
            initial in prop::collection::vec(gb_value(), 1..=30),
            ops in prop::collection::vec(op(), 1..120),
        ) {
            let mut fab = Fabric::new();
            for &c in &initial {
                fab.add_link(gbps(c), 1);
            }
            let mut flows: Vec<FlowId> = Vec::new();
            let mut stale: Vec<FlowId> = Vec::new();
            for op in ops {
                let before: Vec<(FlowId, f64)> = flows.iter().map(|&f| (f, fab.rate(f).unwrap().0)).collect();
                let nl = fab.link_count();
                let link = |k: usize| LinkId((k % nl) as u32);
                // (changes, seed links, seed flows, new flow) of the operation.
                let (changes, seeds, seed_flows, new_flow): (Vec<RateChange>, Vec<LinkId>, Vec<FlowId>, Option<FlowId>) = match op {
                    Op::AddLink(c) => {
                        if nl >= 30 {
                            continue;
                        }
                        fab.add_link(gbps(c), 1);
                        (vec![], vec![], vec![], None)
                    }
                    Op::Start(raw, cap) => {
                        if flows.len() >= 60 {
                            continue;
                        }
                        let raw: Vec<LinkId> = raw.into_iter().map(link).collect();
                        let mut path = Vec::new();
                        for &l in &raw {
                            if !path.contains(&l) {
                                path.push(l);
                            }
                        }
                        let cap = cap.map(gbps);
                        if raw.len() != path.len() {
                            let dup = raw.iter().enumerate().find(|(i, l)| raw[..*i].contains(l)).unwrap().1;
                            prop_assert_eq!(fab.start_flow(&raw, cap), Err(FabricError::DuplicateLink(*dup)));
                        }
                        if path.is_empty() && cap.is_none() {
                            prop_assert_eq!(fab.start_flow(&path, cap), Err(FabricError::Unbounded));
                            continue;
                        } else {
                            let (f, ch) = fab.start_flow(&path, cap).unwrap();
                            flows.push(f);
                            (ch, vec![], vec![f], Some(f))
                        }
                    }
                    Op::End(k) => {
                        if flows.is_empty() {
                            continue;
                        }
                        let f = flows.remove(k % flows.len());
                        let stalled = fab.is_stalled(f).unwrap();
                        let path = fab.flow_path(f).unwrap().to_vec();
                        let ch = fab.end_flow(f).unwrap();
                        stale.push(f);
                        (ch, if stalled { vec![] } else { path }, vec![], None)
                    }
                    Op::Fail(k) => {
                        let l = link(k);
                        let newly: Vec<FlowId> = if fab.is_up(l) {
                            flows.iter().copied().filter(|&f| {
                                !fab.is_stalled(f).unwrap() && fab.flow_path(f).unwrap().contains(&l)
                            }).collect()
                        } else {
                            vec![]
                        };
                        let was_up = fab.is_up(l);
                        let ch = fab.fail_link(l).unwrap();
                        (ch, if was_up { vec![l] } else { vec![] }, newly, None)
                    }
                    Op::Repair(k) => {
                        let l = link(k);
                        let was_up = fab.is_up(l);
                        let ch = fab.repair_link(l).unwrap();
                        (ch, if was_up { vec![] } else { vec![l] }, vec![], None)
                    }
                    Op::SetCap(k, c) => {
                        let l = link(k);
                        let same = fab.capacity(l) == gbps(c);
                        let ch = fab.set_capacity(l, gbps(c)).unwrap();
                        (ch, if same { vec![] } else { vec![l] }, vec![], None)
                    }
                    Op::Stale(k) => {
                        if let Some(&f) = stale.get(k % stale.len().max(1)) {
                            prop_assert_eq!(fab.end_flow(f), Err(FabricError::UnknownFlow(f)));
                            prop_assert_eq!(fab.rate(f), None);
                        }
                        continue;
                    }
                };

                check_state(&fab, &flows)?;

                // The change list is exactly the flows whose rate changed
                // (plus the new flow), sorted, with the right old/new values.
                prop_assert!(changes.windows(2).all(|w| w[0].flow < w[1].flow));
                let mut expected = Vec::new();
                for &f in &flows {
                    let now = fab.rate(f).unwrap().0;
                    if Some(f) == new_flow {
                        expected.push(RateChange { flow: f, old: BitsPerSecond::ZERO, new: BitsPerSecond(now) });
                        continue;
                    }
                    let old = before.iter().find(|b| b.0 == f).expect("flow existed before").1;
                    if old != now {
                        expected.push(RateChange { flow: f, old: BitsPerSecond(old), new: BitsPerSecond(now) });
                    }
                }
                expected.sort_by_key(|c| c.flow);
                prop_assert_eq!(&changes, &expected);

                // Incrementality: the visited component is the rule's component.
                let want = if seeds.is_empty() && seed_flows.is_empty() {
                    (0, 0)
                } else if new_flow.is_some_and(|f| fab.is_stalled(f).unwrap()) {
                    (1, 0)
                } else {
                    reference_component(&fab, &flows, &seeds, &seed_flows)
                };
                prop_assert_eq!(fab.last_recompute_size(), want);
            }
        }
    }
}
