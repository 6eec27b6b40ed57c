//! The discrete-event core: a clock, a queue of pending events, cancellation
//! and named random streams. It knows nothing of datacenters: it is generic
//! over the event type `E` (a small `Copy` value: events are copied in and
//! out of the queue), and a model is anything implementing [`Handler`].
//!
//! # Verbs
//!
//! [`Engine::now`], [`Engine::schedule_at`], [`Engine::schedule_in`],
//! [`Engine::cancel`], [`Engine::step`] and [`Engine::run_until`].
//!
//! # Ordering guarantee
//!
//! Events run in ascending order of time. **Events scheduled for the same
//! time run in the order they were scheduled** (each schedule call takes the
//! next value of a global sequence counter, and the queue orders by
//! `(time, sequence)`). An event scheduled *at the current time* from inside a
//! handler therefore runs after every event already pending for that time.
//! Given the same initial events and handlers, the run is deterministic.
//!
//! # Time
//!
//! Integer microseconds ([`SimTime`]) since the scenario start; the clock
//! never goes backwards, and scheduling before [`Engine::now`] is the typed
//! error [`ScheduleError::InPast`].
//!
//! # Cancellation
//!
//! [`Engine::cancel`] marks an event by its [`EventId`]; it is dropped when it
//! reaches the front of the queue, without scanning the queue. Models may
//! equally use *generation counters*: the event carries the generation of the
//! thing it concerns, and a handler ignores an event whose generation is
//! stale. Both are O(1).

pub mod queue;
pub mod rng;
pub mod time;

use std::collections::HashSet;

pub use queue::EventQueue;
pub use rng::{RngStreams, StreamRng};
pub use time::{Calendar, SimDuration, SimTime};

/// A model: reacts to one event at a time, and may schedule more.
pub trait Handler<E> {
    /// Handles `event` at time `engine.now()`.
    fn handle(&mut self, engine: &mut Engine<E>, event: E);
}

/// Identifies a scheduled event, for [`Engine::cancel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventId {
    time: SimTime,
    seq: u64,
}

impl EventId {}

/// Why an event could not be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The requested time is before the current time.
    #[error("cannot schedule an event at {at} us: the clock is already at {now} us")]
    InPast {
        /// The current time \[µs\].
        now: u64,
        /// The requested time \[µs\].
        at: u64,
    },
    /// `now + delay` is beyond the last representable instant.
    #[cfg(test)]
    #[error("cannot schedule an event {delay} us after {now} us: time would overflow")]
    Overflow {
        /// The current time \[µs\].
        now: u64,
        /// The requested delay \[µs\].
        delay: u64,
    },
}

/// The simulation clock and its pending events.
pub struct Engine<E> {
    now: SimTime,
    next_seq: u64,
    /// Key of the last event taken out: every key ≤ it has run or been
    /// dropped. `None` before the first.
    last_key: Option<(u64, u64)>,
    queue: EventQueue<E>,
    cancelled: HashSet<u64>,
    processed: u64,
}

impl<E: Copy> Default for Engine<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Engine<E> {
    /// An engine at time zero with nothing pending.
    pub fn new() -> Self {
        Engine {
            now: SimTime::ZERO,
            next_seq: 0,
            last_key: None,
            queue: EventQueue::new(),
            cancelled: HashSet::new(),
            processed: 0,
        }
    }

    /// The current time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at time `at`.
    #[inline(always)]
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> Result<EventId, ScheduleError> {
        if at < self.now {
            return Err(ScheduleError::InPast {
                now: self.now.0,
                at: at.0,
            });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(at.0, seq, event);
        Ok(EventId { time: at, seq })
    }

    #[cfg(test)]
    /// Schedules `event` after `delay` from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) -> Result<EventId, ScheduleError> {
        let at = self.now.checked_add(delay).ok_or(ScheduleError::Overflow {
            now: self.now.0,
            delay: delay.0,
        })?;
        self.schedule_at(at, event)
    }

    #[cfg(test)]
    /// Cancels a pending event. Returns `false` if it already ran, was
    /// already cancelled, or was never scheduled by this engine.
    pub fn cancel(&mut self, id: EventId) -> bool {
        if id.seq >= self.next_seq || self.last_key.is_some_and(|k| (id.time.0, id.seq) <= k) {
            return false;
        }
        self.cancelled.insert(id.seq)
    }

    #[cfg(test)]
    /// Number of events waiting (cancelled ones excluded).
    pub fn pending(&self) -> usize {
        self.queue.len() - self.cancelled.len()
    }

    /// Number of events handled so far (cancelled ones excluded).
    pub fn events_processed(&self) -> u64 {
        self.processed
    }

    /// Time of the next pending event, if any (it may be a cancelled one).
    pub fn peek_time(&self) -> Option<SimTime> {
        self.queue.peek_time().map(SimTime)
    }

    /// Takes the next live event out of the queue and advances the clock.
    /// Inlined into the run loop: out of line, its frame and its returned
    /// event through memory cost about 30 instructions an event.
    #[inline(always)]
    fn pop_live(&mut self) -> Option<E> {
        loop {
            let e = self.queue.pop()?;
            self.last_key = Some((e.time, e.seq));
            if !self.cancelled.is_empty() && self.cancelled.remove(&e.seq) {
                continue;
            }
            self.now = SimTime(e.time);
            self.processed += 1;
            return Some(e.event);
        }
    }

    /// Runs the next event. Returns `false` if nothing was pending.
    #[inline]
    pub fn step<H: Handler<E>>(&mut self, model: &mut H) -> bool {
        match self.pop_live() {
            Some(event) => {
                model.handle(self, event);
                true
            }
            None => false,
        }
    }

    /// Runs every event due at or before `until`, then sets the clock to
    /// `until` (if it is not already later). Returns the number of events run.
    pub fn run_until<H: Handler<E>>(&mut self, model: &mut H, until: SimTime) -> u64 {
        let before = self.processed;
        while let Some(t) = self.queue.peek_time() {
            if t > until.0 {
                break;
            }
            if let Some(event) = self.pop_live() {
                model.handle(self, event);
            }
        }
        if until > self.now {
            self.now = until;
        }
        self.processed - before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what it sees; on `Spawn(n)` schedules `Log(n)` at the same time.
    #[derive(Default)]
    struct Recorder {
        seen: Vec<(u64, Ev)>,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Ev {
        Log(u32),
        Spawn(u32),
        Past,
    }

    impl Handler<Ev> for Recorder {
        fn handle(&mut self, engine: &mut Engine<Ev>, event: Ev) {
            self.seen.push((engine.now().0, event));
            match event {
                Ev::Spawn(n) => {
                    engine.schedule_in(SimDuration::ZERO, Ev::Log(n)).unwrap();
                }
                Ev::Past => {
                    let err = engine
                        .schedule_at(SimTime(engine.now().0 - 1), Ev::Log(0))
                        .unwrap_err();
                    assert_eq!(
                        err,
                        ScheduleError::InPast {
                            now: engine.now().0,
                            at: engine.now().0 - 1
                        }
                    );
                }
                Ev::Log(_) => {}
            }
        }
    }

    #[test]
    fn same_time_events_run_in_scheduling_order() {
        let mut e = Engine::new();
        let mut m = Recorder::default();
        e.schedule_at(SimTime(10), Ev::Log(1)).unwrap();
        e.schedule_at(SimTime(5), Ev::Log(2)).unwrap();
        e.schedule_at(SimTime(10), Ev::Spawn(3)).unwrap();
        e.schedule_at(SimTime(10), Ev::Log(4)).unwrap();
        while e.step(&mut m) {}
        let order: Vec<_> = m.seen.iter().map(|s| s.1).collect();
        // Log(3) was scheduled during Spawn(3), after Log(4): it runs last.
        assert_eq!(
            order,
            vec![Ev::Log(2), Ev::Log(1), Ev::Spawn(3), Ev::Log(4), Ev::Log(3)]
        );
        assert_eq!(m.seen.last().unwrap().0, 10);
    }

    #[test]
    fn scheduling_in_the_past_is_a_typed_error() {
        let mut e = Engine::new();
        let mut m = Recorder::default();
        e.schedule_at(SimTime(100), Ev::Past).unwrap();
        assert!(e.step(&mut m));
        assert_eq!(e.pending(), 0);
    }

    #[test]
    fn overflowing_delay_is_a_typed_error() {
        let mut e: Engine<Ev> = Engine::new();
        e.schedule_at(SimTime(u64::MAX - 1), Ev::Log(0)).unwrap();
        let mut m = Recorder::default();
        e.step(&mut m);
        assert!(matches!(
            e.schedule_in(SimDuration(5), Ev::Log(1)),
            Err(ScheduleError::Overflow { .. })
        ));
    }

    #[test]
    fn cancelled_events_never_run() {
        let mut e = Engine::new();
        let mut m = Recorder::default();
        let a = e.schedule_at(SimTime(1), Ev::Log(1)).unwrap();
        let b = e.schedule_at(SimTime(2), Ev::Log(2)).unwrap();
        e.schedule_at(SimTime(3), Ev::Log(3)).unwrap();
        assert!(e.cancel(b));
        assert!(!e.cancel(b), "second cancel is a no-op");
        assert_eq!(e.pending(), 2);
        while e.step(&mut m) {}
        assert_eq!(m.seen, vec![(1, Ev::Log(1)), (3, Ev::Log(3))]);
        assert!(!e.cancel(a), "an event that ran cannot be cancelled");
        let mut other: Engine<Ev> = Engine::new();
        assert!(!other.cancel(b), "an id this engine never issued");
        assert_eq!(other.pending(), 0);
        assert_eq!(e.events_processed(), 2);
        assert_eq!(e.pending(), 0);
    }

    #[test]
    fn run_until_stops_at_the_boundary_and_sets_the_clock() {
        let mut e = Engine::new();
        let mut m = Recorder::default();
        for t in [5u64, 10, 15] {
            e.schedule_at(SimTime(t), Ev::Log(t as u32)).unwrap();
        }
        assert_eq!(e.run_until(&mut m, SimTime(10)), 2);
        assert_eq!(e.now(), SimTime(10));
        assert_eq!(e.pending(), 1);
        assert_eq!(e.run_until(&mut m, SimTime(12)), 0);
        assert_eq!(e.now(), SimTime(12));
        assert_eq!(e.peek_time(), Some(SimTime(15)));
    }

    /// Large enough to switch the queue to its radix representation and back.
    #[test]
    fn ordering_holds_with_many_pending_events() {
        struct Chain {
            last: Option<(u64, u32)>,
            count: u32,
        }
        impl Handler<u32> for Chain {
            fn handle(&mut self, engine: &mut Engine<u32>, id: u32) {
                let key = (engine.now().0, id);
                // Same-time events were scheduled in id order here.
                assert!(
                    self.last.is_none_or(|last| key > last),
                    "{key:?} after {:?}",
                    self.last
                );
                self.last = Some(key);
                self.count += 1;
            }
        }
        let mut e = Engine::new();
        for id in 0..20_000u32 {
            e.schedule_at(SimTime(u64::from(id % 97) * 1000), id)
                .unwrap();
        }
        let mut m = Chain {
            last: None,
            count: 0,
        };
        while e.step(&mut m) {}
        assert_eq!(m.count, 20_000);
    }
}
