//! Progressive filling over a component's groups (see the
//! [module docs](super)).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::{Fabric, Fill, Flow, FlowId, FlowSlot, NO_GROUP, RateChange, live, live_mut};
use crate::units::BitsPerSecond;

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

/// Min-queue of (saturation level, the group's lowest link id, version,
/// group). A group has one lowest link, so entries are ordered by their
/// first three fields alone, and they are distinct.
///
/// The entries a filling starts with form a run sorted lazily from its
/// front; the few pushed later (a share re-keyed at the top, or one that
/// fell by rounding) go to a binary heap beside it. The least entry is the
/// lower of the two fronts, so entries come out in the one order a single
/// heap of them all would give. Most starting entries turn stale (groups
/// whose flows all froze at other groups' events) before the filling
/// reaches their level: the run is cut around pivots (as quicksort does)
/// only as far as its front needs, and each time its front segment is cut
/// or sorted, the stale entries in it are dropped first, so they are
/// never sorted.
#[derive(Clone, Debug, Default)]
pub(super) struct SaturationHeap {
    /// The starting entries: `run[next..sorted]` ascending; `run[sorted..]`
    /// cut into segments at `bounds` (the segments' ends, the nearest
    /// last), each segment's entries all below those of the segments after
    /// it and in no order within.
    run: Vec<Entry>,
    /// Position of the first entry of `run` not yet taken.
    next: usize,
    /// End of the sorted front of `run`.
    sorted: usize,
    /// Ends of the unsorted segments of `run` after `sorted`, nearest last.
    bounds: Vec<usize>,
    /// The entries pushed since the start.
    pushed: BinaryHeap<Reverse<Entry>>,
}

/// A front segment of at most this many entries is sorted rather than cut.
const SMALL_SEGMENT: usize = 24;

impl SaturationHeap {
    /// Empties the queue.
    fn clear(&mut self) {
        self.run.clear();
        self.next = 0;
        self.sorted = 0;
        self.bounds.clear();
        self.pushed.clear();
    }

    /// Makes the entries added to `run` since [`SaturationHeap::clear`]
    /// the starting run (one unsorted segment).
    fn start(&mut self) {
        self.next = 0;
        self.sorted = 0;
        self.bounds.clear();
        self.bounds.push(self.run.len());
    }

    /// Adds an entry.
    fn push(&mut self, e: Entry) {
        self.pushed.push(Reverse(e));
    }

    /// The least live entry of the run, sorting and cutting its front as
    /// far as needed; entries dead in `fill` found on the way are dropped.
    fn run_front(&mut self, fill: &[Fill]) -> Option<Entry> {
        loop {
            if self.next < self.sorted {
                return Some(self.run[self.next]);
            }
            let end = *self.bounds.last()?;
            // The live entries of the front segment, moved to its end.
            let mut w = end;
            for i in (self.next..end).rev() {
                let e = self.run[i];
                if live_entry(fill, e) {
                    w -= 1;
                    self.run[w] = e;
                }
            }
            self.next = w;
            self.sorted = w;
            let segment = &mut self.run[w..end];
            let n = segment.len();
            if n <= SMALL_SEGMENT {
                segment.sort_unstable();
                self.sorted = end;
                self.bounds.pop();
                continue;
            }
            // Three distinct entries: their median has one below it and
            // one above it, so both parts are non-empty.
            let pivot = median(segment[0], segment[n / 2], segment[n - 1]);
            // Lomuto's partition without a branch: every entry is swapped
            // with the first one not below the pivot, which moves on only
            // past an entry below it.
            let mut below = 0;
            for i in 0..n {
                let lower = segment[i] < pivot;
                segment.swap(i, below);
                below += usize::from(lower);
            }
            self.bounds.push(w + below);
        }
    }

    /// The least entry and whether it is the run's (else the pushed
    /// heap's); entries of the run dead in `fill` are dropped on the way
    /// (they would come out stale).
    fn peek_from(&mut self, fill: &[Fill]) -> Option<(Entry, bool)> {
        let a = self.run_front(fill);
        let b = self.pushed.peek().map(|&Reverse(e)| e);
        match (a, b) {
            (Some(a), Some(b)) if b < a => Some((b, false)),
            (Some(a), _) => Some((a, true)),
            (None, b) => b.map(|b| (b, false)),
        }
    }

    /// Removes the least entry (as found by `peek_from`).
    fn pop_from(&mut self, from_run: bool) {
        if from_run {
            self.next += 1;
        } else {
            self.pushed.pop();
        }
    }
}

/// The median of three distinct entries.
fn median(a: Entry, b: Entry, c: Entry) -> Entry {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    if c < lo {
        lo
    } else if c < hi {
        c
    } else {
        hi
    }
}

/// Whether queue entry `e` is still its group's valid entry: of the
/// group's current version, with a flow left to freeze. A dead entry never
/// comes back to life during one filling (versions only rise, unfrozen
/// counts only fall).
fn live_entry(fill: &[Fill], e: Entry) -> bool {
    let group = &fill[e.group as usize];
    group.version == e.version() && group.unfrozen > 0
}

/// A heap entry: a group's recorded share as [`ordered`] bits, then its
/// lowest link id and the entry's version (`rep << 32 | version`), which
/// alone order entries; and the group.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
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
                heap.push(Entry::new(share, group.rep, group.version, g));
            }
        }
    }
}

/// Adds group `g` to the component being collected (epoch `epoch`) and
/// onto `stack`, its filling state set to the start (its whole capacity
/// left, no unfrozen flow counted yet), unless it is there already.
fn reach_group(
    fill: &mut [Fill],
    comp_groups: &mut Vec<u32>,
    stack: &mut Vec<u32>,
    g: u32,
    epoch: u64,
) {
    let group = &mut fill[g as usize];
    if group.mark != epoch {
        group.mark = epoch;
        group.remaining = group.capacity;
        group.unfrozen = 0;
        group.version = 0;
        comp_groups.push(g);
        stack.push(g);
    }
}

/// Adds flow `f` and the groups it crosses to the component being
/// collected (epoch `epoch`), the groups not yet reached onto `stack`,
/// and counts it in the unfrozen flows of its groups unless it is stalled.
fn reach(
    slots: &mut [FlowSlot],
    fill: &mut [Fill],
    component: (&mut Vec<u32>, &mut Vec<u32>),
    stack: &mut Vec<u32>,
    f: u32,
    epoch: u64,
) {
    let (comp_flows, comp_groups) = component;
    slots[f as usize].mark = epoch;
    comp_flows.push(f);
    let flow = live(slots, f);
    let active = u32::from(flow.down_links == 0);
    for &(g, _) in &flow.groups {
        reach_group(fill, comp_groups, stack, g, epoch);
        let group = &mut fill[g as usize];
        #[cfg(test)]
        {
            group.via_flow = epoch;
        }
        group.unfrozen += active;
    }
}

impl Fabric {
    /// Recomputes the component reachable from `seed_links` and `seed_flows`
    /// (see the module docs) and returns its flows whose rate changed.
    ///
    /// Seed flows are expanded to their links even when stalled (they are the
    /// flows the event just stalled); otherwise only active flows are followed.
    pub(super) fn recompute(&mut self, seed_links: &[u32], seed_flows: &[u32]) -> Vec<RateChange> {
        self.collect_component(seed_links, seed_flows);
        if self.comp_flows.len() <= 1 {
            return self.solve_alone();
        }
        self.comp_flows.sort_unstable();
        let unfrozen = self.start_filling();
        self.fill_levels(unfrozen);
        self.rate_changes()
    }

    /// Collects the component of the seeds into `comp_groups` and
    /// `comp_flows` (traversal order), with each group's filling state at
    /// the start: its capacity left, its unfrozen (active) flows counted,
    /// its lowest link as `rep` (tests: its size in `last_size`).
    fn collect_component(&mut self, seed_links: &[u32], seed_flows: &[u32]) {
        self.epoch += 1;
        let epoch = self.epoch;
        let Self {
            links,
            slots,
            groups,
            fill,
            comp_groups,
            comp_flows,
            stack,
            ..
        } = self;
        comp_groups.clear();
        comp_flows.clear();
        stack.clear();
        for &l in seed_links {
            let g = links[l as usize].group;
            if g != NO_GROUP {
                reach_group(fill, comp_groups, stack, g, epoch);
            }
        }
        for &f in seed_flows {
            if slots[f as usize].mark != epoch {
                reach(slots, fill, (comp_flows, comp_groups), stack, f, epoch);
            }
        }
        while let Some(g) = stack.pop() {
            let group = &mut groups[g as usize];
            if !group.min_valid {
                group.min_link = *group.links.iter().min().expect("a live group has links");
                group.min_valid = true;
            }
            fill[g as usize].rep = group.min_link;
            for i in 0..groups[g as usize].flows.len() {
                let f = groups[g as usize].flows[i];
                if slots[f as usize].mark == epoch || live(slots, f).down_links > 0 {
                    continue;
                }
                reach(slots, fill, (comp_flows, comp_groups), stack, f, epoch);
            }
        }
        #[cfg(test)]
        self.record_size(seed_links, epoch);
    }

    #[cfg(test)]
    /// Records the collected component's size in `last_size`: its flows,
    /// and as links every link of a group reached through a flow and each
    /// seed link otherwise (a link whose flows are all stalled, or none).
    fn record_size(&mut self, seed_links: &[u32], epoch: u64) {
        let fill = &self.fill;
        let mut link_count: usize = self
            .comp_groups
            .iter()
            .filter(|&&g| fill[g as usize].via_flow == epoch)
            .map(|&g| self.groups[g as usize].links.len())
            .sum();
        for &l in seed_links {
            let link = &mut self.links[l as usize];
            let g = link.group;
            if link.mark != epoch && (g == NO_GROUP || fill[g as usize].via_flow != epoch) {
                link.mark = epoch;
                link_count += 1;
            }
        }
        self.last_size = (self.comp_flows.len(), link_count);
    }

    /// Rates of a component of at most one flow (a flow alone on its links,
    /// as a training ring on racks of its own): progressive filling would
    /// freeze it at its tightest link or its cap, whichever is lower — the
    /// same value, without the heap and the sorts.
    fn solve_alone(&mut self) -> Vec<RateChange> {
        let mut changes = Vec::new();
        let Some(&f) = self.comp_flows.first() else {
            return changes;
        };
        let fill = &self.fill;
        let flow = live_mut(&mut self.slots, f);
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
                    generation: self.slots[f as usize].generation,
                },
                old: BitsPerSecond(old),
                new: BitsPerSecond(live(&self.slots, f).rate),
            });
        }
        changes
    }

    /// Initialises progressive filling over the collected component (flows
    /// sorted by id, groups set by `collect_component`): every flow at 0,
    /// old rates kept for the report, capped flows sorted by cap, the heap
    /// built. Returns the number of unfrozen flows. Every member link of a
    /// group with an unfrozen flow is up (a down link stalls all its flows).
    fn start_filling(&mut self) -> usize {
        let Self {
            slots,
            fill,
            comp_groups,
            comp_flows,
            old_rates,
            capped,
            heap,
            ..
        } = self;
        old_rates.clear();
        capped.clear();
        for &f in comp_flows.iter() {
            let flow = live_mut(slots, f);
            old_rates.push(flow.rate);
            flow.rate = 0.0;
            if flow.down_links > 0 {
                flow.frozen = true;
                continue;
            }
            flow.frozen = false;
            if flow.cap.is_some() {
                capped.push(f);
            }
        }
        let unfrozen = Self::build_heap(slots, fill, comp_groups, comp_flows, heap);
        capped.sort_unstable_by(|&a, &b| {
            cap_of(slots, a)
                .total_cmp(&cap_of(slots, b))
                .then(a.cmp(&b))
        });
        unfrozen
    }

    /// Builds the saturation heap of a component whose groups are
    /// initialised; returns the number of unfrozen flows.
    ///
    /// A group crossed by one unfrozen flow (racks this ring alone
    /// crosses) keeps its share, its whole remaining capacity, until that
    /// flow freezes; of a flow's such groups only the lowest (share, link)
    /// can ever be the heap's lowest valid entry (the others turn stale
    /// together with it), so only that one is pushed. The same events
    /// come out in the same order, without an entry per private group.
    fn build_heap(
        slots: &[FlowSlot],
        fill: &mut [Fill],
        comp_groups: &[u32],
        comp_flows: &[u32],
        heap: &mut SaturationHeap,
    ) -> usize {
        heap.clear();
        let entries = &mut heap.run;
        for &g in comp_groups {
            let group = &mut fill[g as usize];
            if group.unfrozen > 1 {
                let share = group.remaining / f64::from(group.unfrozen);
                group.key = share;
                entries.push(Entry::new(share, group.rep, 0, g));
            }
        }
        let mut unfrozen_flows = 0usize;
        for &f in comp_flows {
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
                entries.push(Entry::new(share.0, rep, 0, g));
            }
        }
        // Entries are distinct (link, version) pairs: one order however
        // they were listed, found lazily from the front.
        heap.start();
        unfrozen_flows
    }

    /// Raises the level event by event until the `unfrozen` flows of the
    /// component are all frozen.
    fn fill_levels(&mut self, mut unfrozen: usize) {
        let Self {
            slots,
            groups,
            fill,
            capped,
            batch,
            heap,
            ..
        } = self;
        let mut level = 0.0f64;
        let mut next_cap = 0;
        while unfrozen > 0 {
            let top = update_top(fill, heap);
            while next_cap < capped.len() && live(slots, capped[next_cap]).frozen {
                next_cap += 1;
            }
            let group_event = top.map(|(e, from_run)| (e.share(), e.group, from_run));
            let cap_event = capped.get(next_cap).map(|&f| (cap_of(slots, f), f));
            match (group_event, cap_event) {
                (None, None) => break,
                (Some((v, _, _)), Some((c, f))) if c <= v => {
                    level = level.max(c);
                    freeze(fill, heap, live_mut(slots, f), c);
                    unfrozen -= 1;
                }
                (None, Some((c, f))) => {
                    level = level.max(c);
                    freeze(fill, heap, live_mut(slots, f), c);
                    unfrozen -= 1;
                }
                (Some((v, g, from_run)), _) => {
                    heap.pop_from(from_run);
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
                    unfrozen -= batch.len();
                }
            }
        }
    }

    /// The component's flows whose rate changed, sorted by id.
    fn rate_changes(&self) -> Vec<RateChange> {
        let mut changes = Vec::new();
        for (&f, &old) in self.comp_flows.iter().zip(self.old_rates.iter()) {
            let slot = &self.slots[f as usize];
            let new = live(&self.slots, f).rate;
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

/// The rate cap of capped flow `f` \[bit/s\].
fn cap_of(slots: &[FlowSlot], f: u32) -> f64 {
    live(slots, f).cap.expect("capped flow has cap")
}

/// Brings the heap's top up to date: drops stale entries and raises a
/// valid one that sits below its group's share to it, until the top holds
/// its group's exact share. Every entry is at most its group's share, so that top is
/// the lowest (share, link) of all: the event the heap would give with one
/// fresh entry per link and change. Returns it, and whether it is the
/// run's.
fn update_top(fill: &mut [Fill], heap: &mut SaturationHeap) -> Option<(Entry, bool)> {
    while let Some((entry, from_run)) = heap.peek_from(fill) {
        let (stored, version, g) = (entry.share(), entry.version(), entry.group);
        let group = &mut fill[g as usize];
        if group.version != version || group.unfrozen == 0 {
            heap.pop_from(from_run);
            continue;
        }
        let share = group.remaining / f64::from(group.unfrozen);
        if share.to_bits() == stored.to_bits() {
            return Some((entry, from_run));
        }
        group.version += 1;
        group.key = share;
        heap.pop_from(from_run);
        heap.push(Entry::new(share, entry.rep(), group.version, g));
    }
    None
}
