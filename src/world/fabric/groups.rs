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
        .fold(mix(cap_bits), |h, &f| h.wrapping_add(mix(u64::from(f) + 1)))
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
    pub(super) fn group_for(&mut self, cap_bits: u64, flows: &[u32]) -> u32 {
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

    /// Moves each link of `path` from the group of its flow set to the
    /// group of that set with flow `f` added (`add`) or removed, then drops
    /// the groups left empty (all of `f`'s old groups when removing).
    pub(super) fn regroup(&mut self, path: &[LinkId], f: u32, add: bool) {
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
}
