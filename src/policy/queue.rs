//! The training queue: FIFO by priority, then submit time, then the order
//! the scenario lists the jobs. Strict FIFO: only the head may start (no
//! backfill yet), so a large job at the head is never overtaken.
//!
//! Insert, peek and pop are O(log n).

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::engine::SimTime;

/// Queued jobs by (priority, higher first; submit time; job index).
#[derive(Clone, Debug, Default)]
pub struct JobQueue {
    order: BTreeSet<(Reverse<i32>, SimTime, u32)>,
}

impl JobQueue {
    /// Adds job `job` of `priority`, submitted at `submit`.
    pub fn push(&mut self, job: u32, priority: i32, submit: SimTime) {
        self.order.insert((Reverse(priority), submit, job));
    }

    /// The job that starts next, if any.
    pub fn head(&self) -> Option<u32> {
        self.order.first().map(|k| k.2)
    }

    /// Removes the head.
    pub fn pop(&mut self) -> Option<u32> {
        self.order.pop_first().map(|k| k.2)
    }

    /// Jobs waiting.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no job waits.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_then_submit_then_listing_order() {
        let mut q = JobQueue::default();
        q.push(0, 0, SimTime(50));
        q.push(1, 0, SimTime(10));
        q.push(2, 5, SimTime(90));
        q.push(3, 0, SimTime(10));
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [2, 1, 3, 0]);
        assert!(q.is_empty());
    }
}
