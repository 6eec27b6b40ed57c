//! The training queue: FIFO by priority, then submit time, then the order
//! the scenario lists the jobs, with EASY backfill.
//!
//! The head starts as soon as it fits. When it does not, it gets a
//! **reservation** ([`Reservation::earliest`]): the earliest time at which
//! enough domains of its rack model are free at one site, counting the
//! domains free now and those the placed jobs give back at their estimated
//! ends (each job's ideal remaining duration when it was placed). A later
//! job may then start now, out of order, if it fits and
//! [`Reservation::admits`] it: it is not in the head's pool (another site
//! or rack model), or it ends by the reserved time, or it takes only the
//! domains the head will not need then (the reservation's `extra`). So no
//! backfilled job delays the head's reserved start, as long as jobs end by
//! their estimates.
//!
//! Insert, peek, remove are O(log n); iteration is in queue order.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::engine::SimTime;

/// Queued jobs by (priority, higher first; submit time; job index).
#[derive(Clone, Debug, Default)]
pub struct JobQueue {
    order: BTreeSet<(Reverse<i32>, SimTime, u32)>,
    /// Changes so far (a push, or a removal of a queued job): while it
    /// stays the same, so do the queue and its order.
    version: u64,
}

impl JobQueue {
    /// Adds job `job` of `priority`, submitted at `submit`.
    pub fn push(&mut self, job: u32, priority: i32, submit: SimTime) {
        self.order.insert((Reverse(priority), submit, job));
        self.version += 1;
    }

    /// The job that starts next, if any.
    pub fn head(&self) -> Option<u32> {
        self.order.first().map(|k| k.2)
    }

    #[cfg(test)]
    /// Removes the head.
    pub fn pop(&mut self) -> Option<u32> {
        self.version += 1;
        self.order.pop_first().map(|k| k.2)
    }

    /// Removes job `job` (pushed with `priority` and `submit`); whether it
    /// was queued.
    pub fn remove(&mut self, job: u32, priority: i32, submit: SimTime) -> bool {
        let removed = self.order.remove(&(Reverse(priority), submit, job));
        self.version += u64::from(removed);
        removed
    }

    /// Changes so far: equal versions mean the same jobs in the same order.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The queued jobs, head first.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.order.iter().map(|k| k.2)
    }

    /// Jobs waiting.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    #[cfg(test)]
    /// Whether no job waits.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// The head job's reserved start, in one pool (a site and rack model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// When the head can start.
    pub at: SimTime,
    /// Site of the pool.
    pub site: u32,
    /// Rack model of the pool.
    pub rack_type: u32,
    /// Domains free at `at` beyond the head's need, that backfilled jobs
    /// running past `at` may take.
    pub extra: u32,
}

impl Reservation {
    /// The earliest time, from `now`, at which a pool with `free` domains
    /// free now holds `needed`, the placed jobs giving back theirs at
    /// `releases` (time, domains), in time order; with the domains to
    /// spare then. `None` if the releases never make room.
    pub fn earliest(
        now: SimTime,
        free: u32,
        needed: u32,
        releases: impl IntoIterator<Item = (SimTime, u32)>,
    ) -> Option<(SimTime, u32)> {
        let mut have = free;
        if have >= needed {
            return Some((now, have - needed));
        }
        for (at, domains) in releases {
            have += domains;
            if have >= needed {
                return Some((at.max(now), have - needed));
            }
        }
        None
    }

    /// Whether a job that would start now in pool (`site`, `rack_type`),
    /// taking `domains` and ending by `end` by its estimate, leaves the
    /// reservation whole; if it does so by taking spare domains, they are
    /// no longer spare.
    pub fn admits(&mut self, site: u32, rack_type: u32, domains: u32, end: SimTime) -> bool {
        if site != self.site || rack_type != self.rack_type || end <= self.at {
            return true;
        }
        if domains <= self.extra {
            self.extra -= domains;
            return true;
        }
        false
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
        assert_eq!(q.iter().collect::<Vec<_>>(), [2, 1, 3, 0]);
        assert!(q.remove(3, 0, SimTime(10)));
        assert!(!q.remove(3, 0, SimTime(10)));
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [2, 1, 0]);
        assert!(q.is_empty());
    }

    const H: u64 = 3_600_000_000;

    fn h(hours: u64) -> SimTime {
        SimTime(hours * H)
    }

    /// A hand-made queue on one pool of 6 domains (site 0, model 0). At
    /// 3 h: "long" holds 4 domains until 10 h, "short" 1 until 7 h; 1 is
    /// free. The head needs 5. Behind it: X (1 domain, 20 h), Y (1, 20 h).
    #[test]
    fn easy_backfill_starts_exactly_the_jobs_that_delay_no_reservation() {
        // 1 free now; +1 at 7 h = 2; +4 at 10 h = 6 ≥ 5: reserved at 10 h
        // with 6 − 5 = 1 spare domain.
        let releases = [(h(7), 1), (h(10), 4)];
        let (at, extra) = Reservation::earliest(h(3), 1, 5, releases).unwrap();
        assert_eq!((at, extra), (h(10), 1));
        let mut r = Reservation {
            at,
            site: 0,
            rack_type: 0,
            extra,
        };
        // X fits (1 free) and runs to 23 h, past 10 h, on the spare domain.
        assert!(r.admits(0, 0, 1, h(23)));
        assert_eq!(r.extra, 0);
        // Y would also run past 10 h: no spare left, it would delay the
        // head. Refused.
        assert!(!r.admits(0, 0, 1, h(23)));
        // A 1-domain job ending at 10 h exactly gives its domain back in
        // time: admitted, spare unchanged.
        assert!(r.admits(0, 0, 1, h(10)));
        // Another site, or another rack model, never touches the head.
        assert!(r.admits(1, 0, 4, h(100)));
        assert!(r.admits(0, 1, 4, h(100)));
        assert_eq!(r.extra, 0);
        // At 7 h, after "short" ends and X took its place: 1 free (the one
        // "short" gave back), +4 at 10 h = 5: the reservation is still
        // 10 h, now with nothing spare.
        assert_eq!(
            Reservation::earliest(h(7), 1, 5, [(h(10), 4), (h(23), 1)]),
            Some((h(10), 0))
        );
        // Room now: the reservation is now, and estimates that ran late
        // count from now.
        assert_eq!(Reservation::earliest(h(3), 6, 5, []), Some((h(3), 1)));
        assert_eq!(
            Reservation::earliest(h(3), 0, 5, [(h(2), 5)]),
            Some((h(3), 0))
        );
        // Releases that never make room: no reservation.
        assert_eq!(Reservation::earliest(h(3), 0, 5, [(h(4), 4)]), None);
    }
}
