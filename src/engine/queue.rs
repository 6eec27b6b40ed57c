//! The pending-event set: a priority queue keyed on `(time, sequence)`.
//!
//! Two representations behind one interface, chosen by the number of pending
//! events:
//!
//! - **Very few events** (below [`RADIX_ABOVE`]): a binary heap ordered by
//!   `(time, seq)`.
//! - **More**: a *radix heap* over the integer time. It relies on the
//!   simulation clock never going backwards (no event is scheduled before
//!   the last one taken out), which the engine guarantees. The time is cut
//!   into digits: the lowest six bits, then eight bits a
//!   digit. An event waits in the bucket named by the first digit, from the
//!   top, where its time differs from the last popped time (position and
//!   value); an event *at* the last popped time counts as differing in the
//!   lowest digit. Taking the minimum empties the lowest non-empty bucket
//!   into lower ones, so each event moves at most once a level, through
//!   plain vectors: far fewer cache misses than sifting a binary heap of a
//!   million entries, and at a thousand pending events fewer steps than a
//!   heap's ten levels. A lowest bucket of a single event is simply taken,
//!   one of at most 256 events is sorted in place into a *run* that
//!   pops from its end, and a lowest-digit bucket (all one time) becomes the
//!   run as it is: saving the last moves.
//!
//! The queue switches from heap to radix heap above [`RADIX_ABOVE`] pending
//! events and back below [`HEAP_BELOW`] (hysteresis, so it does not flap;
//! the radix heap's buckets are kept for the next switch). Either way events
//! come out in exactly the same order, ascending `(time, seq)`: inside the
//! radix heap equal times in a bucket stay in ascending `seq` order, because
//! direct insertions carry the newest `seq` and a bucket only receives
//! redistributed events while it is empty (redistribution goes to levels
//! below the lowest non-empty one).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Above this many pending events the queue becomes a radix heap.
pub const RADIX_ABOVE: usize = 64;
/// Below this many pending events the radix heap goes back to a binary heap.
pub const HEAP_BELOW: usize = 16;

/// One pending event with its key.
#[derive(Clone, Copy, Debug)]
pub struct Entry<E> {
    /// When it fires \[µs\].
    pub time: u64,
    /// Scheduling order, unique: breaks ties between equal times.
    pub seq: u64,
    /// The payload.
    pub event: E,
}

/// Heap wrapper ordering entries so that `BinaryHeap` (a max-heap) pops the
/// smallest `(time, seq)` first.
struct MinFirst<E>(Entry<E>);

impl<E> MinFirst<E> {
    /// `(time, seq)` as one integer: comparing it is one branch-free compare.
    #[inline]
    fn key(&self) -> u128 {
        (u128::from(self.0.time) << 64) | u128::from(self.0.seq)
    }
}

impl<E> PartialEq for MinFirst<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl<E> Eq for MinFirst<E> {}
impl<E> PartialOrd for MinFirst<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for MinFirst<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// Bits of the lowest digit: a lowest-digit bucket spans one microsecond,
/// a second-digit bucket 2^6 µs.
const FIRST_BITS: u32 = 6;
/// Bits of every higher digit: wide digits mean few levels, so few moves
/// per event (at PHOLD's 100,000 pending events spread over seconds, an
/// event is placed in a 2^14-µs bucket of the third digit, moved once into
/// a 64-µs bucket of the second, and sorted there with five or six others).
const DIGIT_BITS: u32 = 8;
/// Values of one digit (the lowest uses only the first 2^[`FIRST_BITS`]).
const DIGITS: usize = 1 << DIGIT_BITS;
/// `u64` words of one level's occupancy mask.
const WORDS: usize = DIGITS / 64;
/// Digits in a 64-bit time: the lowest, then [`DIGIT_BITS`] at a time.
const LEVELS: usize = 1 + (64 - FIRST_BITS as usize).div_ceil(DIGIT_BITS as usize);
/// Lowest time bit of each level's digit.
const SHIFT: [u32; LEVELS] = {
    let mut s = [0; LEVELS];
    let mut level = 1;
    while level < LEVELS {
        s[level] = FIRST_BITS + (level as u32 - 1) * DIGIT_BITS;
        level += 1;
    }
    s
};
/// The level whose digit holds each time bit.
const LEVEL_OF_BIT: [u8; 64] = {
    let mut t = [0; 64];
    let mut bit = FIRST_BITS;
    while bit < 64 {
        t[bit as usize] = (1 + (bit - FIRST_BITS) / DIGIT_BITS) as u8;
        bit += 1;
    }
    t
};
// The top level's digit must fit the mask like the others.
const _: () = assert!(SHIFT[LEVELS - 1] < 64 && 64 - SHIFT[LEVELS - 1] <= DIGIT_BITS);

/// Largest bucket sorted into the run rather than redistributed.
const RUN_MAX: usize = 256;

/// Largest buffer a spilled bucket keeps for its next events \[entries\];
/// a larger one is freed.
const KEEP_MAX: usize = 1024;

/// Radix heap on `u64` time with FIFO order among equal times.
///
/// An event whose time first differs from `last` at digit `level` sits in
/// bucket `(level, digit)`, `digit` being its own value at that position
/// (an event at `last` itself in the lowest level). Taking the minimum
/// empties the lowest non-empty bucket (lowest level, then lowest digit):
/// its smallest time becomes the new `last`, and its events move to lower
/// levels. The other buckets keep their place, since the new `last` agrees
/// with the old one on every digit above `level` and on `level` itself
/// differs from them as before. A lowest-level bucket holds a single time.
///
/// A lowest bucket of at most [`RUN_MAX`] events, or of the lowest level,
/// is not spread over the lower levels: it becomes `run`, sorted, and pops
/// take the smaller of the run's head and the radix minimum. A tie in time
/// goes to the run: every event still in the radix when the run was made is
/// later than the whole run, and every event pushed since has a larger
/// sequence number.
struct RadixHeap<E> {
    /// Time of the last bucket emptied: every pending time in a bucket is
    /// ≥ it.
    last: u64,
    len: usize,
    /// Bucket `level * DIGITS + digit`.
    buckets: Vec<Vec<Entry<E>>>,
    /// Smallest time in each bucket (`u64::MAX` when empty).
    mins: Vec<u64>,
    /// Smallest time in all buckets (`u64::MAX` when all are empty): what
    /// the run's head is compared with, without looking for the lowest
    /// bucket at every pop.
    next: u64,
    /// Bit `level` set when any bucket of that level is non-empty.
    levels: u64,
    /// Per level, bit `digit` set when that bucket is non-empty.
    occupied: [[u64; WORDS]; LEVELS],
    /// A former lowest bucket, sorted by descending `(time, seq)`: its
    /// smallest entry is at the end.
    run: Vec<Entry<E>>,
    /// The sort keys of the bucket becoming the run.
    keys: [u64; RUN_MAX],
}

impl<E: Copy> RadixHeap<E> {
    fn new(last: u64) -> Self {
        RadixHeap {
            last,
            len: 0,
            buckets: (0..LEVELS * DIGITS).map(|_| Vec::new()).collect(),
            mins: vec![u64::MAX; LEVELS * DIGITS],
            next: u64::MAX,
            levels: 0,
            occupied: [[0; WORDS]; LEVELS],
            run: Vec::new(),
            keys: [0; RUN_MAX],
        }
    }

    /// Adds an entry; `time` must be ≥ the last popped time. The entry is
    /// built here, at its final place, from its fields (built by the caller
    /// and passed by value it would go through the stack).
    #[inline(always)]
    fn push(&mut self, time: u64, seq: u64, event: E) {
        self.len += 1;
        let b = self.mark(time);
        self.buckets[b].push(Entry { time, seq, event });
    }

    /// Index of the bucket for `time`, marked non-empty, its minimum updated.
    #[inline(always)]
    fn mark(&mut self, time: u64) -> usize {
        debug_assert!(time >= self.last, "radix heap needs monotone time");
        // `| 1`: a time equal to `last` goes to the lowest level.
        let high_bit = 63 - ((time ^ self.last) | 1).leading_zeros();
        let level = LEVEL_OF_BIT[high_bit as usize] as usize;
        let digit = ((time >> SHIFT[level]) as usize) & (DIGITS - 1);
        let b = level * DIGITS + digit;
        self.mins[b] = self.mins[b].min(time);
        self.next = self.next.min(time);
        self.occupied[level][digit / 64] |= 1 << (digit % 64);
        self.levels |= 1 << level;
        b
    }

    /// Index of the lowest non-empty bucket, if any.
    #[inline]
    fn lowest(&self) -> Option<usize> {
        if self.levels == 0 {
            return None;
        }
        let level = self.levels.trailing_zeros() as usize;
        let words = &self.occupied[level];
        let w = words.iter().position(|&w| w != 0).unwrap_or(0);
        Some(level * DIGITS + w * 64 + words[w].trailing_zeros() as usize)
    }

    /// Marks bucket `b`, the lowest non-empty one, empty, resets its
    /// minimum and makes that minimum the new `last`.
    #[inline]
    fn take_bucket(&mut self, b: usize) {
        let (level, digit) = (b / DIGITS, b % DIGITS);
        self.last = self.mins[b];
        self.mins[b] = u64::MAX;
        let words = &mut self.occupied[level];
        let w = digit / 64;
        words[w] &= !(1 << (digit % 64));
        // `b` was the lowest: the words before its own are empty, so the
        // next lowest is in its word, a later word of its level, or a
        // higher level.
        if let Some(k) = (w..WORDS).find(|&k| words[k] != 0) {
            let next = level * DIGITS + k * 64 + words[k].trailing_zeros() as usize;
            self.next = self.mins[next];
            return;
        }
        self.levels &= !(1 << level);
        self.next = self.lowest().map_or(u64::MAX, |b| self.mins[b]);
    }

    /// Empties bucket `b` (the lowest non-empty one, of a level above the
    /// lowest): its smallest time becomes `last` and its entries move to
    /// lower levels.
    fn spill(&mut self, b: usize) {
        self.take_bucket(b);
        let mut moving = std::mem::take(&mut self.buckets[b]);
        for e in moving.drain(..) {
            let to = self.mark(e.time);
            self.buckets[to].push(e);
        }
        // Keep the allocation for the next time this bucket fills, unless it
        // is large: a high bucket that took thousands of far-future events
        // (a year of job submissions) may not fill like that again, and kept
        // in every such bucket those buffers add up to several times the
        // pending events. Freed, the memory serves the lower buckets.
        if moving.capacity() <= KEEP_MAX {
            self.buckets[b] = moving;
        }
    }

    /// Moves bucket `b`, just taken (its smallest time is `last`), into the
    /// empty run, sorted by descending `(time, seq)`.
    ///
    /// A bucket holds equal times in ascending `seq` order (see the type's
    /// notes), so ordering it by time alone, ties kept in bucket order, is
    /// ordering it by `(time, seq)`. Each entry is ranked by one `u64`: its
    /// time after the bucket's smallest, then its position in the bucket
    /// (below [`RUN_MAX`], 8 bits). Sorting those keys and copying the
    /// entries in their order moves each 40-byte entry once, where sorting
    /// the entries themselves moved them at every step of the sort and
    /// built a 128-bit key at every compare. A bucket whose times span
    /// 2^56 µs or more (only in the top levels, some 2,000 years) is sorted
    /// by `(time, seq)` directly.
    #[inline(never)]
    fn sort_into_run(&mut self, b: usize) {
        const POSITION_BITS: u32 = 8;
        const _: () = assert!(RUN_MAX <= 1 << POSITION_BITS);
        let base = self.last;
        let bucket = &mut self.buckets[b];
        let keys = &mut self.keys[..bucket.len()];
        let mut spread = 0;
        for ((position, e), key) in bucket.iter().enumerate().zip(keys.iter_mut()) {
            let after = e.time - base;
            spread |= after;
            *key = (after << POSITION_BITS) | position as u64;
        }
        if spread >> (64 - POSITION_BITS) == 0 {
            keys.sort_unstable();
            let mask = (1 << POSITION_BITS) - 1;
            self.run
                .extend(keys.iter().rev().map(|&k| bucket[(k & mask) as usize]));
            bucket.clear();
        } else {
            std::mem::swap(&mut self.run, bucket);
            self.run.sort_unstable_by_key(|e| {
                std::cmp::Reverse((u128::from(e.time) << 64) | u128::from(e.seq))
            });
        }
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<Entry<E>> {
        if let Some(head) = self.run.last()
            && head.time <= self.next
        {
            self.len -= 1;
            return self.run.pop();
        }
        self.pop_bucket()
    }

    /// [`pop`](Self::pop) when the run's head is not the minimum: from the
    /// lowest bucket (out of line: the run serves most pops).
    #[inline(never)]
    fn pop_bucket(&mut self) -> Option<Entry<E>> {
        loop {
            if let Some(head) = self.run.last()
                && head.time <= self.next
            {
                self.len -= 1;
                return self.run.pop();
            }
            let b = self.lowest()?;
            let n = self.buckets[b].len();
            if n == 1 {
                self.take_bucket(b);
                self.len -= 1;
                return self.buckets[b].pop();
            }
            if b < DIGITS {
                // One time, in scheduling order, earlier than the run's head.
                self.take_bucket(b);
                if self.run.is_empty() {
                    std::mem::swap(&mut self.run, &mut self.buckets[b]);
                    self.run.reverse();
                } else {
                    let bucket = &mut self.buckets[b];
                    self.run.extend(bucket.drain(..).rev());
                }
            } else if n <= RUN_MAX && self.run.is_empty() {
                // A small bucket is cheaper sorted than spread over levels.
                self.take_bucket(b);
                self.sort_into_run(b);
            } else {
                self.spill(b);
                continue;
            }
            self.len -= 1;
            return self.run.pop();
        }
    }

    fn peek_time(&self) -> Option<u64> {
        match self.run.last() {
            Some(head) => Some(head.time.min(self.next)),
            None => self.lowest().map(|_| self.next),
        }
    }

    /// Removes every entry, in no particular order; the buckets keep their
    /// allocations.
    fn drain_all(&mut self) -> Vec<Entry<E>> {
        let mut out = Vec::with_capacity(self.len);
        out.append(&mut self.run);
        for (bucket, min) in self.buckets.iter_mut().zip(self.mins.iter_mut()) {
            out.append(bucket);
            *min = u64::MAX;
        }
        self.next = u64::MAX;
        self.levels = 0;
        self.occupied = [[0; WORDS]; LEVELS];
        self.len = 0;
        out
    }
}

/// The engine's pending events, popped in ascending `(time, seq)` order.
///
/// Times pushed must never be earlier than the last time popped (the engine
/// enforces this: scheduling in the past is an error).
pub struct EventQueue<E> {
    heap: BinaryHeap<MinFirst<E>>,
    /// The radix heap, once the queue has grown past [`RADIX_ABOVE`]; kept
    /// (empty) while the heap is in use again.
    radix: Option<RadixHeap<E>>,
    /// Whether the radix heap holds the entries (else the binary heap).
    in_radix: bool,
    /// Time of the last entry popped.
    floor: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            radix: None,
            in_radix: false,
            floor: 0,
        }
    }

    #[cfg(test)]
    /// Number of entries.
    pub fn len(&self) -> usize {
        match &self.radix {
            Some(r) if self.in_radix => r.len,
            _ => self.heap.len(),
        }
    }

    #[cfg(test)]
    /// True while the radix-heap representation is in use.
    pub fn is_radix(&self) -> bool {
        self.in_radix
    }

    /// Adds an entry. `time` must be ≥ the last popped time.
    #[inline(always)]
    pub fn push(&mut self, time: u64, seq: u64, event: E) {
        debug_assert!(time >= self.floor);
        // The entry is built inside each arm, not before the match: built
        // once and moved into either arm, it goes through the stack and its
        // copy into the heap stalls on store forwarding (measured: about a
        // tenth of the small PHOLD's time).
        match &mut self.radix {
            Some(r) if self.in_radix => r.push(time, seq, event),
            _ => {
                self.heap.push(MinFirst(Entry { time, seq, event }));
                if self.heap.len() > RADIX_ABOVE {
                    self.switch_to_radix();
                }
            }
        }
    }

    /// Removes and returns the entry with the smallest `(time, seq)`.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<Entry<E>> {
        let e = match &mut self.radix {
            Some(r) if self.in_radix => {
                let e = r.pop();
                if r.len < HEAP_BELOW {
                    self.switch_to_heap();
                }
                e
            }
            _ => self.heap.pop().map(|m| m.0),
        }?;
        self.floor = e.time;
        Some(e)
    }

    /// Time of the entry that [`pop`](Self::pop) would return.
    pub fn peek_time(&self) -> Option<u64> {
        match &self.radix {
            Some(r) if self.in_radix => r.peek_time(),
            _ => self.heap.peek().map(|m| m.0.time),
        }
    }

    #[cold]
    #[inline(never)]
    fn switch_to_radix(&mut self) {
        let floor = self.floor;
        let r = self.radix.get_or_insert_with(|| RadixHeap::new(floor));
        r.last = floor;
        // Ascending (time, seq) so that equal times stay first in, first out.
        let mut sorted: Vec<Entry<E>> = std::mem::take(&mut self.heap)
            .into_vec()
            .into_iter()
            .map(|m| m.0)
            .collect();
        sorted.sort_unstable_by_key(|e| (e.time, e.seq));
        for e in sorted {
            r.push(e.time, e.seq, e.event);
        }
        self.in_radix = true;
    }

    #[cold]
    #[inline(never)]
    fn switch_to_heap(&mut self) {
        if let Some(r) = &mut self.radix {
            self.heap = r.drain_all().into_iter().map(MinFirst).collect();
        }
        self.in_radix = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference order: sort by (time, seq).
    fn drain(q: &mut EventQueue<u32>) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        while let Some(e) = q.pop() {
            out.push((e.time, e.seq));
        }
        out
    }

    #[test]
    fn pops_in_time_then_sequence_order() {
        let mut q = EventQueue::new();
        let times = [5u64, 3, 5, 1, 3, 5, 0];
        for (seq, t) in times.iter().enumerate() {
            q.push(*t, seq as u64, 0);
        }
        assert_eq!(
            drain(&mut q),
            vec![(0, 6), (1, 3), (3, 1), (3, 4), (5, 0), (5, 2), (5, 5)]
        );
    }

    /// Pseudo-random but deterministic workload mixing pops and pushes, large
    /// enough to cross both thresholds several times, with many equal times.
    #[test]
    fn radix_and_heap_agree_across_switches() {
        let mut q = EventQueue::new();
        let mut reference = std::collections::BTreeSet::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        let mut x = 0x2545F4914F6CDD1Du64;
        let mut switched = 0;
        let mut was_radix = false;
        for round in 0..60_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Grow by one per round in even phases, shrink by ~5/3 in odd ones.
            let growing = (round / 6_000) % 2 == 0;
            let pushes = if growing {
                2
            } else {
                u64::from(round % 3 == 0)
            };
            let pops = if growing { 1 } else { 2 };
            for _ in 0..pushes {
                let t = now + (x % 8) * 1000; // coarse times: many ties
                q.push(t, seq, 0);
                reference.insert((t, seq));
                seq += 1;
            }
            for _ in 0..pops {
                if let Some(e) = q.pop() {
                    let expected = reference.pop_first().unwrap();
                    assert_eq!((e.time, e.seq), expected);
                    now = e.time;
                }
            }
            if q.is_radix() != was_radix {
                switched += 1;
                was_radix = q.is_radix();
            }
            assert_eq!(q.len(), reference.len());
            assert_eq!(q.peek_time(), reference.first().map(|k| k.0));
        }
        assert!(switched >= 4, "the test must exercise both representations");
    }

    /// A small lowest bucket becomes the sorted run; events pushed later at
    /// the same times must come out after the run's, and earlier-time pushes
    /// before the run's later entries.
    #[test]
    fn the_sorted_run_keeps_time_then_sequence_order() {
        let mut q = EventQueue::new();
        let mut reference = std::collections::BTreeSet::new();
        let mut seq = 0;
        // Enough events to be a radix heap, spread so the lowest bucket is small.
        for i in 0..(RADIX_ABOVE as u64 * 4) {
            let t = 1_000 + (i % 97) * 64 + (i % 3);
            q.push(t, seq, 0);
            reference.insert((t, seq));
            seq += 1;
        }
        assert!(q.is_radix());
        let first = q.pop().unwrap();
        assert_eq!((first.time, first.seq), reference.pop_first().unwrap());
        // Now push at the run's own times, and between them.
        for t in [
            first.time,
            first.time,
            first.time + 1,
            first.time + 2,
            first.time + 64,
        ] {
            q.push(t, seq, 0);
            reference.insert((t, seq));
            seq += 1;
        }
        while let Some(e) = q.pop() {
            assert_eq!((e.time, e.seq), reference.pop_first().unwrap());
        }
        assert!(reference.is_empty());
    }

    /// Radix mode throughout, with the delays that reach every path of its
    /// pop: floods at the current time, events a microsecond or two ahead
    /// (lowest-level buckets of several events while a sorted run is
    /// pending), and delays of every magnitude up to days.
    #[test]
    fn radix_pops_in_order_with_ties_short_and_long_delays() {
        let mut q = EventQueue::new();
        let mut reference = std::collections::BTreeSet::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..3_000 {
            q.push(now + 1_000 + seq * 7, seq, 0);
            reference.insert((now + 1_000 + seq * 7, seq));
            seq += 1;
        }
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let delay = match x % 8 {
                0 | 1 => 0,
                2 | 3 => x >> 62,
                4 => (x >> 40) % 64,
                5 => (x >> 30) % 5_000,
                6 => (x >> 20) % 2_000_000,
                _ => (x >> 10) % 200_000_000_000,
            };
            let t = now + delay;
            q.push(t, seq, 0);
            reference.insert((t, seq));
            seq += 1;
            if !x.is_multiple_of(5) {
                let e = q.pop().unwrap();
                assert_eq!((e.time, e.seq), reference.pop_first().unwrap());
                now = e.time;
            }
            assert_eq!(q.peek_time(), reference.first().map(|k| k.0));
        }
        assert!(q.is_radix());
        while let Some(e) = q.pop() {
            assert_eq!((e.time, e.seq), reference.pop_first().unwrap());
        }
        assert!(reference.is_empty());
    }

    #[test]
    fn times_across_the_whole_u64_range() {
        let mut q = EventQueue::new();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut expected = Vec::new();
        for seq in 0..(RADIX_ABOVE as u64 * 3) {
            x = x.rotate_left(17).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let t = if seq % 5 == 0 { u64::MAX } else { x };
            q.push(t, seq, 0);
            expected.push((t, seq));
        }
        assert!(q.is_radix());
        expected.sort();
        assert_eq!(drain(&mut q), expected);
    }

    #[test]
    fn same_time_is_fifo_in_radix_mode() {
        let mut q = EventQueue::new();
        for seq in 0..(RADIX_ABOVE as u64 * 2) {
            q.push(1_000 - (seq % 3), seq, 0);
        }
        assert!(q.is_radix());
        let out = drain(&mut q);
        let mut sorted = out.clone();
        sorted.sort();
        assert_eq!(out, sorted);
    }
}
