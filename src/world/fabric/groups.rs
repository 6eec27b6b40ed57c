//! Link groups: links of one capacity crossed by the same flows, kept up
//! to date as flows start and end (see the [module docs](super)).

use std::hash::Hasher;

use super::{Fabric, Fill, Group, LinkId, NO_GROUP, live_mut};

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
        .fold(mix(cap_bits), |h, &f| h.wrapping_add(flow_hash(f)))
}

/// Hasher of keys that are already hashes ([`group_hash`]): the table is
/// only looked up, never iterated, so its order cannot reach a result.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PassThrough(u64);

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

impl Fabric {
    /// Lists group `g` in the key table under `hash`.
    fn link_key(&mut self, g: u32, hash: u64) {
        let next_same = self.group_of.insert(hash, g).unwrap_or(NO_GROUP);
        let group = &mut self.groups[g as usize];
        group.hash = hash;
        group.next_same = next_same;
    }

    /// Takes group `g` out of the key table.
    fn unlink_key(&mut self, g: u32) {
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
    }

    /// Creates the group of capacity bits `cap_bits` and flow set `flows`
    /// (no links yet; `hash` is [`group_hash`] of that key) and lists it in
    /// its flows' groups.
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
        let group = &mut self.groups[g as usize];
        group.flows.clear();
        group.flows.extend_from_slice(flows);
        group.flow_pos = flow_pos;
        group.links.clear();
        group.capacity = f64::from_bits(cap_bits);
        group.min_valid = false;
        group.seen = 0;
        self.fill[g as usize] = Fill {
            capacity: f64::from_bits(cap_bits),
            ..Fill::default()
        };
        self.link_key(g, hash);
        g
    }

    /// Removes a group left without links: out of its flows' lists (the
    /// flow `skip`, being ended, is left alone) and out of the key table.
    pub(super) fn drop_group(&mut self, g: u32, skip: Option<u32>) {
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
        self.unlink_key(g);
        self.groups[g as usize].flows.clear();
        self.free_groups.push(g);
    }

    #[cfg(test)]
    /// The group of capacity bits `cap_bits` and flow set `flows`
    /// (ascending), created if missing.
    pub(super) fn group_for(&mut self, cap_bits: u64, flows: &[u32]) -> u32 {
        let hash = group_hash(cap_bits, flows);
        let mut at = self.group_of.get(&hash).copied().unwrap_or(NO_GROUP);
        while at != NO_GROUP {
            let group = &self.groups[at as usize];
            if group.capacity.to_bits() == cap_bits && group.flows[..] == *flows {
                return at;
            }
            at = group.next_same;
        }
        self.new_group(cap_bits, flows, hash)
    }

    /// Moves link `li` out of its group into `to` (or into no group).
    pub(super) fn move_link(&mut self, li: u32, to: u32) {
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

    /// Puts new flow `f` (in no group yet) on the links of `path`: a group
    /// whose every link the path crosses takes `f` into its flow set (a
    /// new key, the same links); of a group the path crosses in part, the
    /// crossed links move to a new group of that set with `f` added; links
    /// crossed by no flow go to the group of `f` alone of their capacity.
    /// O(path length) plus O(flows) of each group changed.
    pub(super) fn join_groups(&mut self, path: &[LinkId], f: u32) {
        self.epoch += 1;
        let epoch = self.epoch;
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        // Links crossed by no flow, by capacity: (capacity bits, new group).
        let mut from_none = std::mem::take(&mut self.from_none);
        from_none.clear();
        for &l in path {
            let link = &self.links[l.0 as usize];
            if link.group == NO_GROUP {
                let bits = link.capacity.to_bits();
                if !from_none.iter().any(|e| e.0 == bits) {
                    from_none.push((bits, NO_GROUP));
                }
                continue;
            }
            let group = &mut self.groups[link.group as usize];
            if group.seen != epoch {
                group.seen = epoch;
                group.covered = 0;
                touched.push(link.group);
            }
            group.covered += 1;
        }
        let mut moves = !from_none.is_empty();
        let mut set = std::mem::take(&mut self.set_buf);
        for &g in &touched {
            let group = &self.groups[g as usize];
            let hash = group.hash.wrapping_add(flow_hash(f));
            if group.covered as usize == group.links.len() {
                self.add_flow(g, f, hash);
                self.groups[g as usize].split_to = g;
            } else {
                let bits = group.capacity.to_bits();
                set.clear();
                set.extend_from_slice(&group.flows);
                let at = set
                    .binary_search(&f)
                    .expect_err("a new flow crosses no group");
                set.insert(at, f);
                let to = self.new_group(bits, &set, hash);
                self.groups[g as usize].split_to = to;
                moves = true;
            }
        }
        for e in &mut from_none {
            e.1 = self.new_group(e.0, &[f], group_hash(e.0, &[f]));
        }
        if moves {
            for &l in path {
                let li = l.0;
                let link = &self.links[li as usize];
                let to = match link.group {
                    NO_GROUP => {
                        let bits = link.capacity.to_bits();
                        from_none
                            .iter()
                            .find(|e| e.0 == bits)
                            .expect("listed above")
                            .1
                    }
                    g => self.groups[g as usize].split_to,
                };
                if to != link.group {
                    self.move_link(li, to);
                }
            }
        }
        self.touched = touched;
        self.from_none = from_none;
        self.set_buf = set;
    }

    /// Adds flow `f` to the flow set of group `g`, whose key becomes
    /// `hash`.
    fn add_flow(&mut self, g: u32, f: u32, hash: u64) {
        let Self { groups, slots, .. } = self;
        let group = &mut groups[g as usize];
        let at = group
            .flows
            .binary_search(&f)
            .expect_err("a new flow crosses no group");
        let own = &mut live_mut(slots, f).groups;
        group.flows.insert(at, f);
        group.flow_pos.insert(at, own.len() as u32);
        own.push((g, at as u32));
        // The flows after it moved one place up in the group's list.
        for i in at + 1..group.flows.len() {
            let (h, p) = (group.flows[i], group.flow_pos[i]);
            live_mut(slots, h).groups[p as usize].1 = i as u32;
        }
        self.unlink_key(g);
        self.link_key(g, hash);
    }

    /// Takes ending flow `f` out of the groups it crosses (every link of
    /// each is on its path): a group of `f` alone leaves its links in no
    /// group; any other drops `f` from its flow set (a new key, the same
    /// links), and when a group of that key exists already, the one of
    /// fewer links gives its links to the other and goes. O(flows) of each
    /// group of `f`, plus the links moved.
    pub(super) fn leave_groups(&mut self, f: u32) {
        let own = std::mem::take(&mut live_mut(&mut self.slots, f).groups);
        for &(g, at) in &own {
            let group = &self.groups[g as usize];
            if group.flows.len() == 1 {
                for &l in &group.links {
                    self.links[l as usize].group = NO_GROUP;
                }
                self.unlink_key(g);
                let group = &mut self.groups[g as usize];
                group.flows.clear();
                group.links.clear();
                self.free_groups.push(g);
                continue;
            }
            let hash = group.hash.wrapping_sub(flow_hash(f));
            let bits = group.capacity.to_bits();
            let mut same = self.group_of.get(&hash).copied().unwrap_or(NO_GROUP);
            while same != NO_GROUP {
                let other = &self.groups[same as usize];
                if other.capacity.to_bits() == bits && equal_but(&other.flows, &group.flows, at) {
                    break;
                }
                same = other.next_same;
            }
            self.remove_flow(g, at, hash);
            if same != NO_GROUP {
                let (keep, gone) = if self.groups[g as usize].links.len()
                    >= self.groups[same as usize].links.len()
                {
                    (g, same)
                } else {
                    (same, g)
                };
                self.absorb(keep, gone);
            }
        }
    }

    /// Removes the flow at position `at` of group `g`'s flow set (the
    /// flow is ending: its own list is left alone); the key becomes `hash`.
    fn remove_flow(&mut self, g: u32, at: u32, hash: u64) {
        let Self { groups, slots, .. } = self;
        let group = &mut groups[g as usize];
        let at = at as usize;
        group.flows.remove(at);
        group.flow_pos.remove(at);
        // The flows after it moved one place down in the group's list.
        for i in at..group.flows.len() {
            let (h, p) = (group.flows[i], group.flow_pos[i]);
            live_mut(slots, h).groups[p as usize].1 = i as u32;
        }
        self.unlink_key(g);
        self.link_key(g, hash);
    }

    /// Moves every link of group `gone` into group `keep` (the same key)
    /// and drops `gone`.
    fn absorb(&mut self, keep: u32, gone: u32) {
        let mut moved = std::mem::take(&mut self.groups[gone as usize].links);
        let (gone_min, gone_valid) = {
            let group = &self.groups[gone as usize];
            (group.min_link, group.min_valid)
        };
        let group = &mut self.groups[keep as usize];
        for &l in &moved {
            let link = &mut self.links[l as usize];
            link.group = keep;
            link.pos = group.links.len() as u32;
            group.links.push(l);
        }
        if gone_valid && group.min_valid {
            group.min_link = group.min_link.min(gone_min);
        } else {
            group.min_valid = false;
        }
        moved.clear();
        self.groups[gone as usize].links = moved;
        self.drop_group(gone, None);
    }
}

/// The part of [`group_hash`] flow `f` adds to its groups' keys.
fn flow_hash(f: u32) -> u64 {
    mix(u64::from(f) + 1)
}

/// Whether ascending `a` equals ascending `b` without its element at `at`.
fn equal_but(a: &[u32], b: &[u32], at: u32) -> bool {
    let at = at as usize;
    a.len() + 1 == b.len() && a[..at] == b[..at] && a[at..] == b[at + 1..]
}
