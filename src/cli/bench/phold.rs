//! PHOLD, the standard synthetic benchmark of event engines (Fujimoto,
//! "Performance of Time Warp under synthetic workloads", 1990), in an
//! integer-time variant whose random draws are fixed so that every correct
//! implementation gives the same checksums: a fixed population of
//! events hops between logical processes (LPs), each hop costing almost
//! nothing, so the run measures the event list, the dispatch and the
//! scheduling of the next event.
//!
//! Two implementations of the same workload run side by side:
//! - [`run_engine`]: every event goes through dcsim's [`Engine`] (schedule,
//!   queue, step, handler);
//! - [`run_bare_heap`]: a bare `std::collections::BinaryHeap` loop on
//!   `(time_us, seq)`, the baseline the engine is compared against.
//!
//! Both must reproduce the reference `final_time_us` and `digest`
//! ([`reference`]) before their speed means anything.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::engine::{Engine, Handler, SimTime};

/// Mean of the exponential part of the delay [PHOLD time units].
const MEAN: f64 = 1.0;
/// Lookahead: the fixed part of every delay [PHOLD time units].
const LOOKAHEAD: f64 = 0.1;
/// Microseconds per PHOLD time unit in the integer-time variant.
const MICROS_PER_UNIT: f64 = 1e6;

/// The three standard sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// 1,000 LPs × 1 initial event.
    Small,
    /// 10,000 LPs × 10 initial events.
    Medium,
    /// 100,000 LPs × 10 initial events (a million pending events).
    Large,
}

impl Size {
    /// All sizes, smallest first.
    pub const ALL: [Size; 3] = [Size::Small, Size::Medium, Size::Large];

    /// Number of LPs `N`.
    pub fn lps(self) -> u64 {
        match self {
            Size::Small => 1_000,
            Size::Medium => 10_000,
            Size::Large => 100_000,
        }
    }

    /// Initial events per LP `E`.
    pub fn init(self) -> u64 {
        match self {
            Size::Small => 1,
            Size::Medium | Size::Large => 10,
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
}

/// Reference `(final_time_us, digest)` for seed 1, from `PHOLD.md`, where the
/// spec lists one for this size and event count.
pub fn reference(size: Size, events: u64) -> Option<(u64, u64)> {
    match (size, events) {
        (Size::Small, 200_000) => Some((218_995_034, 99_902_780)),
        (Size::Medium, 200_000) => Some((2_298_500, 999_486_818)),
        (Size::Large, 200_000) => Some((315_995, 9_998_287_486)),
        (Size::Small, 10_000_000) => Some((11_000_004_036, 5_004_532_594)),
        (Size::Medium, 10_000_000) => Some((110_117_001, 50_023_733_405)),
        (Size::Large, 10_000_000) => Some((11_089_699, 500_133_488_351)),
        _ => None,
    }
}

/// Outcome of one PHOLD run.
#[derive(Clone, Debug, PartialEq)]
pub struct PholdResult {
    /// Which implementation ran: `"dcsim-engine"` or `"bare-binary-heap"`.
    pub peer: &'static str,
    /// The size.
    pub size: Size,
    /// Events processed `K`.
    pub events: u64,
    /// Wall time building the LPs and initial events [s].
    pub setup_s: f64,
    /// Wall time of the event loop alone [s].
    pub run_s: f64,
    /// Integer time of the K-th processed event [µs].
    pub final_time_us: u64,
    /// `Σ (i + 1) · count[i]` mod 2^64.
    pub digest: u64,
}

impl PholdResult {
    /// Events per second of the event loop.
    pub fn events_per_s(&self) -> f64 {
        self.events as f64 / self.run_s
    }

    /// Whether the checksums match the reference, if one exists.
    pub fn conforms(&self) -> Option<bool> {
        reference(self.size, self.events).map(|r| r == (self.final_time_us, self.digest))
    }

    /// The result as one JSON line, in the shape the spec asks of a peer.
    pub fn json(&self) -> String {
        format!(
            "{{\"peer\": \"{}\", \"size\": \"{}\", \"lps\": {}, \"init\": {}, \"events\": {}, \
             \"setup_s\": {:.6}, \"run_s\": {:.6}, \"events_per_s\": {:.0}, \
             \"final_time_us\": {}, \"digest\": {}, \"conforms\": {}}}",
            self.peer,
            self.size.name(),
            self.size.lps(),
            self.size.init(),
            self.events,
            self.setup_s,
            self.run_s,
            self.events_per_s(),
            self.final_time_us,
            self.digest,
            match self.conforms() {
                Some(true) => "true",
                Some(false) => "false",
                None => "null",
            }
        )
    }
}

/// SplitMix64 finaliser, as the spec defines it.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The per-LP streams and counters shared by both implementations.
struct Lps {
    n: u64,
    streams: Vec<u64>,
    count: Vec<u64>,
}

impl Lps {
    fn new(n: u64, seed: u64) -> Self {
        let streams = (0..n)
            .map(|i| mix64(seed.wrapping_add((i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))))
            .collect();
        Lps {
            n,
            streams,
            count: vec![0; n as usize],
        }
    }

    /// One LCG step of LP `i`'s stream (Knuth's MMIX constants).
    #[inline]
    fn draw(&mut self, i: usize) -> u64 {
        let s = &mut self.streams[i];
        *s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *s
    }

    #[inline]
    fn dest(&self, x: u64) -> u64 {
        ((x >> 32) * self.n) >> 32
    }

    /// `floor((L − mean · ln u) · 1e6 + 0.5)` with `u = ((x >> 11) + 1) · 2^-53`.
    #[inline]
    fn delay_us(x: u64) -> u64 {
        let u = ((x >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0);
        let delay = LOOKAHEAD - MEAN * u.ln();
        (delay * MICROS_PER_UNIT + 0.5).floor() as u64
    }

    /// The handler's work for an event at LP `i`: returns `(delay_us, dest)`.
    #[inline]
    fn hop(&mut self, i: usize) -> (u64, u64) {
        self.count[i] += 1;
        let x = self.draw(i);
        let j = self.dest(x);
        let d = Self::delay_us(self.draw(i));
        (d, j)
    }

    fn digest(&self) -> u64 {
        self.count.iter().enumerate().fold(0u64, |acc, (i, c)| {
            acc.wrapping_add((i as u64 + 1).wrapping_mul(*c))
        })
    }
}

/// The PHOLD model as an engine [`Handler`]: the event is the destination LP.
struct PholdModel {
    lps: Lps,
}

impl Handler<u32> for PholdModel {
    #[inline]
    fn handle(&mut self, engine: &mut Engine<u32>, lp: u32) {
        let (d, j) = self.lps.hop(lp as usize);
        engine
            .schedule_at(SimTime(engine.now().0 + d), j as u32)
            .expect("PHOLD delays are positive");
    }
}

/// Runs `events` PHOLD events of `size` through dcsim's engine.
pub fn run_engine(size: Size, events: u64) -> PholdResult {
    let start = Instant::now();
    let mut model = PholdModel {
        lps: Lps::new(size.lps(), 1),
    };
    let mut engine: Engine<u32> = Engine::new();
    for i in 0..size.lps() as usize {
        for _ in 0..size.init() {
            let d = Lps::delay_us(model.lps.draw(i));
            engine
                .schedule_at(SimTime(d), i as u32)
                .expect("initial times are positive");
        }
    }
    let setup_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for _ in 0..events {
        engine.step(&mut model);
    }
    let run_s = start.elapsed().as_secs_f64();
    PholdResult {
        peer: "dcsim-engine",
        size,
        events,
        setup_s,
        run_s,
        final_time_us: engine.now().0,
        digest: model.lps.digest(),
    }
}

/// Runs the same workload on a bare `BinaryHeap` of `(time_us, seq, lp)`.
pub fn run_bare_heap(size: Size, events: u64) -> PholdResult {
    let start = Instant::now();
    let mut lps = Lps::new(size.lps(), 1);
    let mut heap: BinaryHeap<Reverse<(u64, u64, u32)>> =
        BinaryHeap::with_capacity((size.lps() * size.init()) as usize);
    let mut seq = 0u64;
    for i in 0..size.lps() as usize {
        for _ in 0..size.init() {
            let d = Lps::delay_us(lps.draw(i));
            heap.push(Reverse((d, seq, i as u32)));
            seq += 1;
        }
    }
    let setup_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut now = 0u64;
    for _ in 0..events {
        let Reverse((t, _, i)) = heap.pop().expect("PHOLD never runs dry");
        now = t;
        let (d, j) = lps.hop(i as usize);
        heap.push(Reverse((now + d, seq, j as u32)));
        seq += 1;
    }
    let run_s = start.elapsed().as_secs_f64();
    PholdResult {
        peer: "bare-binary-heap",
        size,
        events,
        setup_s,
        run_s,
        final_time_us: now,
        digest: lps.digest(),
    }
}

/// Interleaved runs of both implementations at one size.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Runs through dcsim's engine.
    pub engine: Vec<PholdResult>,
    /// Runs of the bare binary-heap loop.
    pub heap: Vec<PholdResult>,
}

fn median(rates: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = rates.collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

impl Comparison {
    /// Median events/s through the engine.
    pub fn engine_events_per_s(&self) -> f64 {
        median(self.engine.iter().map(PholdResult::events_per_s))
    }
    /// Median events/s of the bare heap.
    pub fn heap_events_per_s(&self) -> f64 {
        median(self.heap.iter().map(PholdResult::events_per_s))
    }
    /// Engine speed as a multiple of the bare heap's.
    pub fn ratio(&self) -> f64 {
        self.engine_events_per_s() / self.heap_events_per_s()
    }
}

/// Runs the engine and the bare heap `repeat` times each, interleaved so
/// that drift of a noisy machine hits both alike, checking every run's
/// checksums against each other and the reference. `each` sees every result.
pub fn compare(
    size: Size,
    events: u64,
    repeat: usize,
    each: &mut dyn FnMut(&PholdResult),
) -> Result<Comparison, String> {
    let mut c = Comparison {
        engine: Vec::new(),
        heap: Vec::new(),
    };
    for _ in 0..repeat.max(1) {
        let e = run_engine(size, events);
        each(&e);
        let h = run_bare_heap(size, events);
        each(&h);
        if e.conforms() == Some(false) || (e.final_time_us, e.digest) != (h.final_time_us, h.digest)
        {
            return Err(format!(
                "PHOLD {} checksums disagree: engine (final_time_us {}, digest {}), bare heap ({}, {}), reference {:?}",
                size.name(),
                e.final_time_us,
                e.digest,
                h.final_time_us,
                h.digest,
                reference(size, events)
            ));
        }
        c.engine.push(e);
        c.heap.push(h);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_is_at_least_the_lookahead() {
        assert_eq!(Lps::delay_us(u64::MAX), 100_000);
        assert!(Lps::delay_us(0) > 36_000_000);
    }

    #[test]
    fn small_engine_matches_reference() {
        let r = run_engine(Size::Small, 200_000);
        assert_eq!((r.final_time_us, r.digest), (218_995_034, 99_902_780));
        assert_eq!(r.conforms(), Some(true));
    }

    #[test]
    fn small_bare_heap_matches_reference() {
        let r = run_bare_heap(Size::Small, 200_000);
        assert_eq!((r.final_time_us, r.digest), (218_995_034, 99_902_780));
    }
}
