//! The pending-event set: a priority queue keyed on `(time, sequence)`.
//!
//! Two representations behind one interface, chosen by the number of pending
//! events:
//!
//! - **Few events** (below [`RADIX_ABOVE`]): a binary heap ordered by
//!   `(time, seq)`. When everything fits in cache nothing beats it.
//! - **Many events**: a *radix heap* over the integer time, in base 64 (six
//!   bits a digit). It relies on the simulation clock never going backwards
//!   (no event is scheduled before the last one taken out), which the engine
//!   guarantees. An event waits in the bucket named by the first digit where
//!   its time differs from the last popped time (position and value); events
//!   *at* the last popped time wait in a first-in, first-out list. Taking the
//!   minimum empties the lowest non-empty bucket into lower ones, so each
//!   event moves at most 11 times and in practice two or three, through
//!   plain vectors: far fewer cache misses than sifting a binary heap of a
//!   million entries. A lowest bucket of a single event is simply taken, and
//!   one of a few hundred is sorted in place into a *run* that pops from its
//!   end, saving the last moves.
//!
//! The queue switches from heap to radix heap above [`RADIX_ABOVE`] pending
//! events and back below [`HEAP_BELOW`] (hysteresis, so it does not flap).
//! Either way events come out in exactly the same order, ascending
//! `(time, seq)`: inside the radix heap every bucket stays in ascending `seq`
//! order, because direct insertions carry the newest `seq` and a bucket only
//! receives redistributed events while it is empty (redistribution goes to
//! levels below the lowest non-empty one).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Above this many pending events the queue becomes a radix heap.
pub const RADIX_ABOVE: usize = 2048;
/// Below this many pending events the radix heap goes back to a binary heap.
pub const HEAP_BELOW: usize = 512;

/// One pending event with its key.
#[derive(Debug)]
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

/// Bits of time per radix digit.
const DIGIT_BITS: u32 = 6;
/// Values of one digit.
const DIGITS: usize = 1 << DIGIT_BITS;
// The per-level occupancy masks are `u64`: one bit per digit value.
const _: () = assert!(DIGITS <= 64, "DIGIT_BITS above 6 overflows the digit masks");
/// Digits in a 64-bit time.
const LEVELS: usize = 64_usize.div_ceil(DIGIT_BITS as usize);

/// Radix heap on `u64` time in base 2^[`DIGIT_BITS`], with FIFO order among
/// equal times.
///
/// An event whose time first differs from `last` at digit position `level`
/// sits in bucket `(level, digit)`, `digit` being its own value at that
/// position. Taking the minimum empties the lowest non-empty bucket (lowest
/// level, then lowest digit): its smallest time becomes the new `last`, and
/// its events move to lower levels. The other buckets keep their place,
/// since the new `last` agrees with the old one on every digit above `level`
/// and on `level` itself differs from them as before. An event moves at most
/// once per level, so at most [`LEVELS`] times.
///
/// A lowest bucket of at most [`RUN_MAX`] events is not spread over the
/// lower levels: it is sorted into `run`, and pops take the smaller of the
/// run's head and the radix minimum. A tie in time goes to the run: every
/// event still in the radix when the run was made is later than the whole
/// run, and every event pushed since has a larger sequence number.
struct RadixHeap<E> {
    /// Time of the last event popped: every pending time is ≥ it.
    last: u64,
    len: usize,
    /// Events at exactly `last`, in scheduling order.
    at_last: VecDeque<Entry<E>>,
    /// Bucket `level * DIGITS + digit`.
    buckets: Vec<Vec<Entry<E>>>,
    /// Smallest time in each bucket (`u64::MAX` when empty).
    mins: Vec<u64>,
    /// Bit `level` set when any bucket of that level is non-empty.
    levels: u64,
    /// Per level, bit `digit` set when that bucket is non-empty.
    digits: [u64; LEVELS],
    /// A former lowest bucket, sorted by descending `(time, seq)`: its
    /// smallest entry is at the end.
    run: Vec<Entry<E>>,
}

/// Largest bucket sorted into the run rather than redistributed.
const RUN_MAX: usize = 256;

impl<E> RadixHeap<E> {
    fn new(last: u64) -> Self {
        RadixHeap {
            last,
            len: 0,
            at_last: VecDeque::new(),
            buckets: (0..LEVELS * DIGITS).map(|_| Vec::new()).collect(),
            mins: vec![u64::MAX; LEVELS * DIGITS],
            levels: 0,
            digits: [0; LEVELS],
            run: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, e: Entry<E>) {
        debug_assert!(e.time >= self.last, "radix heap needs monotone time");
        self.len += 1;
        self.place(e);
    }

    #[inline]
    fn place(&mut self, e: Entry<E>) {
        if e.time == self.last {
            self.at_last.push_back(e);
            return;
        }
        let high_bit = 63 - (e.time ^ self.last).leading_zeros();
        let level = (high_bit / DIGIT_BITS) as usize;
        let digit = ((e.time >> (level as u32 * DIGIT_BITS)) as usize) & (DIGITS - 1);
        let b = level * DIGITS + digit;
        if e.time < self.mins[b] {
            self.mins[b] = e.time;
        }
        self.digits[level] |= 1 << digit;
        self.levels |= 1 << level;
        self.buckets[b].push(e);
    }

    /// Index of the lowest non-empty bucket, if any.
    #[inline]
    fn lowest(&self) -> Option<usize> {
        if self.levels == 0 {
            return None;
        }
        let level = self.levels.trailing_zeros() as usize;
        Some(level * DIGITS + self.digits[level].trailing_zeros() as usize)
    }

    /// Empties bucket `b` (the lowest non-empty one): its smallest time
    /// becomes `last` and its entries move to lower buckets or `at_last`.
    #[inline]
    fn spill(&mut self, b: usize) {
        self.clear_bit(b);
        self.last = self.mins[b];
        self.mins[b] = u64::MAX;
        let mut moving = std::mem::take(&mut self.buckets[b]);
        for e in moving.drain(..) {
            self.place(e);
        }
        // Keep the allocation for the next time this bucket fills.
        self.buckets[b] = moving;
    }

    /// Marks bucket `b` empty in the occupancy masks.
    #[inline]
    fn clear_bit(&mut self, b: usize) {
        let (level, digit) = (b / DIGITS, b % DIGITS);
        self.digits[level] &= !(1 << digit);
        if self.digits[level] == 0 {
            self.levels &= !(1 << level);
        }
    }

    /// Smallest time in the radix part (excluding the run).
    #[inline]
    fn radix_min(&self) -> Option<u64> {
        if !self.at_last.is_empty() {
            Some(self.last)
        } else {
            self.lowest().map(|b| self.mins[b])
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        let radix = self.radix_min();
        if let Some(head) = self.run.last()
            && radix.is_none_or(|t| head.time <= t)
        {
            self.len -= 1;
            return self.run.pop();
        }
        radix?;
        if self.at_last.is_empty() {
            let b = self.lowest().expect("the radix part is not empty");
            let n = self.buckets[b].len();
            if n == 1 || (n <= RUN_MAX && self.run.is_empty()) {
                // Take the whole lowest bucket: a lone entry is the minimum;
                // a small bucket is cheaper sorted than spread over levels.
                self.clear_bit(b);
                self.last = self.mins[b];
                self.mins[b] = u64::MAX;
                self.len -= 1;
                if n == 1 {
                    return self.buckets[b].pop();
                }
                std::mem::swap(&mut self.run, &mut self.buckets[b]);
                // `(time, seq)` as one integer: one compare per step.
                self.run.sort_unstable_by_key(|e| {
                    std::cmp::Reverse((u128::from(e.time) << 64) | u128::from(e.seq))
                });
                return self.run.pop();
            }
            self.spill(b);
        }
        let e = self.at_last.pop_front()?;
        self.len -= 1;
        Some(e)
    }

    fn peek_time(&self) -> Option<u64> {
        let radix = self.radix_min();
        match (self.run.last(), radix) {
            (Some(head), Some(t)) => Some(head.time.min(t)),
            (Some(head), None) => Some(head.time),
            (None, t) => t,
        }
    }

    /// Removes every entry, in no particular order.
    fn drain_all(&mut self) -> Vec<Entry<E>> {
        let mut out = Vec::with_capacity(self.len);
        out.append(&mut self.run);
        out.extend(self.at_last.drain(..));
        for (bucket, min) in self.buckets.iter_mut().zip(self.mins.iter_mut()) {
            out.append(bucket);
            *min = u64::MAX;
        }
        self.levels = 0;
        self.digits = [0; LEVELS];
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
    radix: Option<RadixHeap<E>>,
    /// Time of the last entry popped.
    floor: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            radix: None,
            floor: 0,
        }
    }

    #[cfg(test)]
    /// Number of entries.
    pub fn len(&self) -> usize {
        match &self.radix {
            Some(r) => r.len,
            None => self.heap.len(),
        }
    }

    #[cfg(test)]
    /// True while the radix-heap representation is in use.
    pub fn is_radix(&self) -> bool {
        self.radix.is_some()
    }

    /// Adds an entry. `time` must be ≥ the last popped time.
    #[inline(always)]
    pub fn push(&mut self, time: u64, seq: u64, event: E) {
        debug_assert!(time >= self.floor);
        // The entry is built inside each arm, not before the match: built
        // once and moved into either arm, it goes through the stack and its
        // copy into the heap stalls on store forwarding (measured: about a
        // tenth of the small PHOLD's time).
        if let Some(r) = &mut self.radix {
            r.push(Entry { time, seq, event });
        } else {
            self.heap.push(MinFirst(Entry { time, seq, event }));
            if self.heap.len() > RADIX_ABOVE {
                self.switch_to_radix();
            }
        }
    }

    /// Removes and returns the entry with the smallest `(time, seq)`.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<Entry<E>> {
        let e = match &mut self.radix {
            Some(r) => {
                let e = r.pop();
                if r.len < HEAP_BELOW {
                    self.switch_to_heap();
                }
                e
            }
            None => self.heap.pop().map(|m| m.0),
        }?;
        self.floor = e.time;
        Some(e)
    }

    /// Time of the entry that [`pop`](Self::pop) would return.
    pub fn peek_time(&self) -> Option<u64> {
        match &self.radix {
            Some(r) => r.peek_time(),
            None => self.heap.peek().map(|m| m.0.time),
        }
    }

    #[cold]
    #[inline(never)]
    fn switch_to_radix(&mut self) {
        let mut r = RadixHeap::new(self.floor);
        // Ascending (time, seq) so that equal times stay first in, first out.
        let mut sorted: Vec<Entry<E>> = std::mem::take(&mut self.heap)
            .into_vec()
            .into_iter()
            .map(|m| m.0)
            .collect();
        sorted.sort_unstable_by_key(|e| (e.time, e.seq));
        for e in sorted {
            r.push(e);
        }
        self.radix = Some(r);
    }

    #[cold]
    #[inline(never)]
    fn switch_to_heap(&mut self) {
        if let Some(mut r) = self.radix.take() {
            self.heap = r.drain_all().into_iter().map(MinFirst).collect();
        }
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
