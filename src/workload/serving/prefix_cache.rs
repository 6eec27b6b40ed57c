//! Prefix caching for the request-level mode ([`super::requests`]): the
//! prompt blocks a replica has already prefilled stay in its free HBM, and
//! a later request whose prompt starts with them skips their prefill.
//!
//! **Blocks.** A trace may name each request's prompt as a list of block
//! hashes ([`BlockHashes`]): the Mooncake FAST'25 traces' `hash_ids`, one id
//! per block of [`MOONCAKE_BLOCK_TOKENS`] prompt tokens (the last block
//! partial), where two requests share an id exactly when their prompts agree
//! up to the end of that block. A block's KV cache is
//! `block tokens × KV bytes per token` bytes (Llama-3.1-8B: 512 × 131,072 B
//! = 64 MiB).
//!
//! **The cache** ([`PrefixCache`], one per replica) holds block hashes up
//! to a capacity in blocks, evicting the least recently used. A hash map
//! from hash to a slot of a slab and a doubly linked list of the slots in
//! recency order make a lookup, a touch, an insertion and an eviction
//! `O(1)` each (expected, hashing): no operation scans the cache.
//! Everything is deterministic: the map is only looked up, never iterated.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes a block id for the cache's map: a multiply by the 64-bit golden
/// ratio and a shift folding the high bits down (block ids are often small
/// consecutive integers, as Mooncake's are). Fixed, so the map is the same
/// on every run; the map is never iterated, so its order never shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct BlockHasher(u64);

impl Hasher for BlockHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

/// Prompt tokens per block of the Mooncake traces' `hash_ids`: each id
/// covers 512 tokens (the last one the prompt's remainder), so a prompt of
/// `n` tokens lists `⌈n ÷ 512⌉` ids — 6,758 tokens, 14 ids in the first
/// line of `conversation_trace.jsonl`; every line of both shipped traces
/// agrees (`data/README.md`).
pub const MOONCAKE_BLOCK_TOKENS: u32 = 512;

/// The block hashes of each request of a trace, flattened: request `j`'s
/// prompt blocks, in prompt order, are `ids[start[j]..start[j + 1]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockHashes {
    /// Offsets into `ids`, one more than the requests.
    start: Vec<usize>,
    /// Every request's block hashes, one after the other.
    ids: Vec<u64>,
}

impl BlockHashes {
    /// No requests yet.
    pub fn new() -> BlockHashes {
        BlockHashes {
            start: vec![0],
            ids: Vec::new(),
        }
    }

    /// Appends the next request's block hashes (prompt order).
    pub fn push(&mut self, hashes: impl IntoIterator<Item = u64>) {
        self.ids.extend(hashes);
        self.start.push(self.ids.len());
    }

    /// Requests held.
    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// Request `j`'s block hashes, prompt order (empty past the end).
    #[inline]
    pub fn of(&self, j: usize) -> &[u64] {
        match (self.start.get(j), self.start.get(j + 1)) {
            (Some(&a), Some(&b)) => &self.ids[a..b],
            _ => &[],
        }
    }

    #[cfg(test)]
    /// Keeps the requests in `range` (a window of the trace).
    pub fn slice(&self, range: std::ops::Range<usize>) -> BlockHashes {
        let mut out = BlockHashes::new();
        for j in range {
            out.push(self.of(j).iter().copied());
        }
        out
    }
}

/// "No slot": the end of the recency list.
const NIL: u32 = u32::MAX;

/// A slot of the slab: a block hash and its neighbours in recency order.
#[derive(Clone, Copy, Debug)]
struct Node {
    hash: u64,
    /// The next more recently used slot.
    newer: u32,
    /// The next less recently used slot.
    older: u32,
}

/// One replica's cached prompt blocks, least recently used evicted first.
#[derive(Clone, Debug)]
pub struct PrefixCache {
    slot: HashMap<u64, u32, BuildHasherDefault<BlockHasher>>,
    nodes: Vec<Node>,
    /// Slots of evicted blocks, reused before the slab grows.
    free: Vec<u32>,
    /// The most recently used slot.
    newest: u32,
    /// The least recently used slot: the next evicted.
    oldest: u32,
}

impl Default for PrefixCache {
    fn default() -> PrefixCache {
        PrefixCache::new()
    }
}

impl PrefixCache {
    /// An empty cache (allocates nothing until a block enters).
    pub fn new() -> PrefixCache {
        PrefixCache {
            slot: HashMap::default(),
            nodes: Vec::new(),
            free: Vec::new(),
            newest: NIL,
            oldest: NIL,
        }
    }

    #[cfg(test)]
    /// Blocks held.
    pub fn len(&self) -> usize {
        self.slot.len()
    }

    #[cfg(test)]
    /// Whether no block is held.
    pub fn is_empty(&self) -> bool {
        self.slot.is_empty()
    }

    /// Whether block `hash` is held.
    #[inline]
    pub fn contains(&self, hash: u64) -> bool {
        self.slot.contains_key(&hash)
    }

    /// Blocks of `hashes` held from its start: the longest cached prefix
    /// \[blocks\]. Costs one lookup per block matched, plus one.
    pub fn prefix_len(&self, hashes: &[u64]) -> usize {
        hashes.iter().take_while(|&&h| self.contains(h)).count()
    }

    fn unlink(&mut self, s: u32) {
        let Node { newer, older, .. } = self.nodes[s as usize];
        match newer {
            NIL => self.newest = older,
            n => self.nodes[n as usize].older = older,
        }
        match older {
            NIL => self.oldest = newer,
            o => self.nodes[o as usize].newer = newer,
        }
    }

    fn link_newest(&mut self, s: u32) {
        let old_newest = self.newest;
        self.nodes[s as usize].newer = NIL;
        self.nodes[s as usize].older = old_newest;
        match old_newest {
            NIL => self.oldest = s,
            n => self.nodes[n as usize].newer = s,
        }
        self.newest = s;
    }

    /// Makes block `hash` the most recently used if held; whether it was.
    pub fn touch(&mut self, hash: u64) -> bool {
        let Some(&s) = self.slot.get(&hash) else {
            return false;
        };
        if self.newest != s {
            self.unlink(s);
            self.link_newest(s);
        }
        true
    }

    /// Holds block `hash` as the most recently used, evicting the least
    /// recently used while more than `capacity` blocks are held (with a
    /// capacity of 0 nothing stays).
    pub fn insert(&mut self, hash: u64, capacity: usize) {
        if !self.touch(hash) {
            let s = match self.free.pop() {
                Some(s) => {
                    self.nodes[s as usize].hash = hash;
                    s
                }
                None => {
                    self.nodes.push(Node {
                        hash,
                        newer: NIL,
                        older: NIL,
                    });
                    (self.nodes.len() - 1) as u32
                }
            };
            self.slot.insert(hash, s);
            self.link_newest(s);
        }
        self.shrink_to(capacity);
    }

    /// Evicts the least recently used blocks until at most `capacity` are
    /// held; how many were evicted.
    pub fn shrink_to(&mut self, capacity: usize) -> usize {
        let mut evicted = 0;
        while self.slot.len() > capacity {
            let s = self.oldest;
            self.unlink(s);
            self.slot.remove(&self.nodes[s as usize].hash);
            self.free.push(s);
            evicted += 1;
        }
        evicted
    }

    #[cfg(test)]
    /// The held blocks from the most to the least recently used (tests and
    /// checks; walks the whole list).
    pub fn by_recency(&self) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.len());
        let mut s = self.newest;
        while s != NIL {
            out.push(self.nodes[s as usize].hash);
            s = self.nodes[s as usize].older;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_recently_used_is_evicted_first() {
        let mut c = PrefixCache::new();
        for h in [1, 2, 3] {
            c.insert(h, 3);
        }
        assert_eq!(c.by_recency(), vec![3, 2, 1]);
        assert!(c.touch(1));
        assert_eq!(c.by_recency(), vec![1, 3, 2]);
        c.insert(4, 3);
        assert_eq!(c.by_recency(), vec![4, 1, 3]);
        assert!(!c.contains(2));
        assert_eq!(c.prefix_len(&[4, 1, 2, 3]), 2);
        assert_eq!(c.shrink_to(1), 2);
        assert_eq!(c.by_recency(), vec![4]);
        c.insert(5, 0);
        assert!(c.is_empty());
        // Slots are reused: the slab never outgrows the most held at once
        // (3) plus the one an insertion takes before its eviction.
        for h in 10..20 {
            c.insert(h, 2);
        }
        assert_eq!(c.by_recency(), vec![19, 18]);
        assert_eq!(c.nodes.len(), 4);
    }

    /// Against a plain vector kept in recency order, on random operations.
    #[test]
    fn matches_a_vector_in_recency_order() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let mut c = PrefixCache::new();
        let mut v: Vec<u64> = Vec::new();
        for _ in 0..20_000 {
            let h = rng.random_range(0..40u64);
            let cap = rng.random_range(0..30usize);
            match rng.random_range(0..3) {
                0 => {
                    v.retain(|&x| x != h);
                    v.insert(0, h);
                    v.truncate(cap);
                    c.insert(h, cap);
                }
                1 => {
                    let held = v.contains(&h);
                    if held {
                        v.retain(|&x| x != h);
                        v.insert(0, h);
                    }
                    assert_eq!(c.touch(h), held);
                }
                _ => {
                    v.truncate(cap);
                    c.shrink_to(cap);
                }
            }
            assert_eq!(c.by_recency(), v);
        }
    }

    #[test]
    fn block_hashes_are_kept_per_request() {
        let mut b = BlockHashes::new();
        b.push([0, 1, 2]);
        b.push([]);
        b.push([0, 3]);
        assert_eq!(b.len(), 3);
        assert_eq!(b.of(0), &[0, 1, 2]);
        assert!(b.of(1).is_empty());
        assert_eq!(b.of(2), &[0, 3]);
        assert!(b.of(3).is_empty());
        assert_eq!(b.slice(1..3).of(1), &[0, 3]);
    }
}
