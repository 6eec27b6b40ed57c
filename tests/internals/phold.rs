//! PHOLD conformance: the engine and the bare-heap baseline reproduce the
//! reference checksums of the integer-time PHOLD variant (`src/bench/phold.rs`;
//! seed 1, 200,000 events).

use crate::cli::bench::phold::{self, PholdResult, Size};

/// `(final_time_us, digest)` after 200,000 events, per size.
const REFERENCE: [(Size, u64, u64); 3] = [
    (Size::Small, 218_995_034, 99_902_780),
    (Size::Medium, 2_298_500, 999_486_818),
    (Size::Large, 315_995, 9_998_287_486),
];

const EVENTS: u64 = 200_000;

#[track_caller]
fn assert_reference(r: &PholdResult, time: u64, digest: u64) {
    assert_eq!(
        (r.final_time_us, r.digest),
        (time, digest),
        "{} {}: (final_time_us, digest)",
        r.peer,
        r.size.name()
    );
    assert_eq!(r.events, EVENTS);
    assert_eq!(r.conforms(), Some(true));
}

#[test]
fn engine_reproduces_the_reference() {
    for (size, time, digest) in REFERENCE {
        let r = phold::run_engine(size, EVENTS);
        assert_eq!(r.peer, "dcsim-engine");
        assert_reference(&r, time, digest);
    }
}

#[test]
fn bare_heap_reproduces_the_reference() {
    for (size, time, digest) in REFERENCE {
        let r = phold::run_bare_heap(size, EVENTS);
        assert_eq!(r.peer, "bare-binary-heap");
        assert_reference(&r, time, digest);
    }
}

#[test]
fn a_different_event_count_is_not_judged() {
    // No reference for 1,234 events: `conforms` says so rather than guess,
    // and both implementations still agree with each other.
    let e = phold::run_engine(Size::Small, 1_234);
    let b = phold::run_bare_heap(Size::Small, 1_234);
    assert_eq!(e.conforms(), None);
    assert_eq!((e.final_time_us, e.digest), (b.final_time_us, b.digest));
    // Every event adds 1 to one LP's count, weighted by LP number (1-based),
    // so the digest lies between 1,234 × 1 and 1,234 × 1,000.
    assert!(
        e.digest >= 1_234 && e.digest <= 1_234 * 1_000,
        "{}",
        e.digest
    );
}
