//! A set of rack ids as a two-level bitmap: O(1) insert and remove, and
//! iteration in id order (both ways) that skips 4,096 absent ids per
//! summary bit. It holds the world's racks by number of free domains
//! ([`World::racks_with_free`](super::World::racks_with_free)), which every
//! failure, repair, allocation and release of a domain updates: a balanced
//! tree there cost a search and node moves per update.

/// Rack ids (`u32`) in a two-level bitmap.
#[derive(Clone, Debug, Default)]
pub(crate) struct RackBits {
    /// Bit `i % 64` of word `i / 64`: id `i` is in the set.
    words: Vec<u64>,
    /// Bit `w % 64` of summary word `w / 64`: word `w` is not 0.
    summary: Vec<u64>,
    len: usize,
}

impl RackBits {
    /// Adds `id`; whether it was absent.
    pub(crate) fn insert(&mut self, id: u32) -> bool {
        let (w, b) = (id as usize / 64, id % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
            self.summary.resize(w / 64 + 1, 0);
        }
        let was = self.words[w] & (1 << b) != 0;
        if !was {
            self.words[w] |= 1 << b;
            self.summary[w / 64] |= 1 << (w % 64);
            self.len += 1;
        }
        !was
    }

    /// Removes `id`; whether it was present.
    pub(crate) fn remove(&mut self, id: u32) -> bool {
        let (w, b) = (id as usize / 64, id % 64);
        if w >= self.words.len() || self.words[w] & (1 << b) == 0 {
            return false;
        }
        self.words[w] &= !(1 << b);
        if self.words[w] == 0 {
            self.summary[w / 64] &= !(1 << (w % 64));
        }
        self.len -= 1;
        true
    }

    /// Empties the set (keeps its memory).
    pub(crate) fn clear(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
        self.summary.iter_mut().for_each(|w| *w = 0);
        self.len = 0;
    }

    /// Number of ids.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no id.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The ids in increasing order (reversible).
    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter {
            set: self,
            front: 0,
            back: self.words.len() as u64 * 64,
        }
    }

    /// The first word at or after `w` that is not 0.
    fn next_word(&self, w: usize) -> Option<usize> {
        let mut s = w / 64;
        let mut bits = *self.summary.get(s)? & (!0u64 << (w % 64));
        loop {
            if bits != 0 {
                return Some(s * 64 + bits.trailing_zeros() as usize);
            }
            s += 1;
            bits = *self.summary.get(s)?;
        }
    }

    /// The last word at or before `w` that is not 0.
    fn prev_word(&self, w: usize) -> Option<usize> {
        let mut s = w / 64;
        let shift = 63 - (w % 64);
        let mut bits = (self.summary.get(s)? << shift) >> shift;
        loop {
            if bits != 0 {
                return Some(s * 64 + 63 - bits.leading_zeros() as usize);
            }
            s = s.checked_sub(1)?;
            bits = self.summary[s];
        }
    }

    /// The smallest id ≥ `from`.
    fn first_from(&self, from: u64) -> Option<u64> {
        let w = (from / 64) as usize;
        let here = *self.words.get(w)? & (!0u64 << (from % 64));
        if here != 0 {
            return Some(w as u64 * 64 + u64::from(here.trailing_zeros()));
        }
        let n = self.next_word(w + 1)?;
        Some(n as u64 * 64 + u64::from(self.words[n].trailing_zeros()))
    }

    /// The largest id < `before`.
    fn last_before(&self, before: u64) -> Option<u64> {
        let last = before.checked_sub(1)?;
        let w = (last / 64) as usize;
        let shift = 63 - (last % 64);
        let here = (self.words.get(w)? << shift) >> shift;
        if here != 0 {
            return Some(w as u64 * 64 + 63 - u64::from(here.leading_zeros()));
        }
        let p = self.prev_word(w.checked_sub(1)?)?;
        Some(p as u64 * 64 + 63 - u64::from(self.words[p].leading_zeros()))
    }
}

/// Iterator over a [`RackBits`] in id order, from both ends.
pub(crate) struct Iter<'a> {
    set: &'a RackBits,
    /// Ids below this were taken from the front.
    front: u64,
    /// Ids at or above this were taken from the back.
    back: u64,
}

impl Iterator for Iter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self.set.first_from(self.front) {
            Some(id) if id < self.back => {
                self.front = id + 1;
                Some(id as u32)
            }
            _ => {
                self.front = self.back;
                None
            }
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<u32> {
        match self.set.last_before(self.back) {
            Some(id) if id >= self.front => {
                self.back = id;
                Some(id as u32)
            }
            _ => {
                self.back = self.front;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_across_words_and_summary_words_in_order_both_ways() {
        let mut s = RackBits::default();
        let ids = [0u32, 1, 63, 64, 65, 4_095, 4_096, 9_000, 262_143, 262_144];
        for &i in ids.iter().rev() {
            assert!(s.insert(i));
        }
        assert!(!s.insert(64));
        assert_eq!(s.len(), ids.len());
        assert_eq!(s.iter().collect::<Vec<_>>(), ids);
        let mut back: Vec<u32> = s.iter().rev().collect();
        back.reverse();
        assert_eq!(back, ids);
        assert!(s.remove(4_096));
        assert!(!s.remove(4_096));
        assert!(!s.remove(1_000_000));
        assert_eq!(s.iter().rev().nth(3), Some(4_095));
        s.clear();
        assert_eq!(s.iter().next(), None);
        assert_eq!(s.iter().next_back(), None);
    }

    proptest! {
        /// Any sequence of inserts and removes, then any interleaving of
        /// reads from the front and the back, agrees with a `BTreeSet`.
        #[test]
        fn agrees_with_a_btreeset(
            ops in proptest::collection::vec((any::<bool>(), 0u32..20_000), 0..300),
            sides in proptest::collection::vec(any::<bool>(), 0..320),
        ) {
            let mut bits = RackBits::default();
            let mut tree = BTreeSet::new();
            for (add, id) in ops {
                if add {
                    prop_assert_eq!(bits.insert(id), tree.insert(id));
                } else {
                    prop_assert_eq!(bits.remove(id), tree.remove(&id));
                }
            }
            prop_assert_eq!(bits.len(), tree.len());
            let (mut a, mut b) = (bits.iter(), tree.iter().copied());
            for front in sides {
                if front {
                    prop_assert_eq!(a.next(), b.next());
                } else {
                    prop_assert_eq!(a.next_back(), b.next_back());
                }
            }
            prop_assert_eq!(a.collect::<Vec<_>>(), b.collect::<Vec<_>>());
        }
    }
}
