//! `cargo bench --bench engine`: PHOLD on dcsim's engine next to a bare
//! `BinaryHeap` loop, all three sizes, interleaved runs, medians and ratios.
//! (Same workload as `dcsim bench phold`, fewer events per run.)

// The benchmarks live beside the binary, outside the library (src/bench/mod.rs);
// this target includes them and uses a part (their unit tests run with the
// binary's, not under a bench harness).
#[allow(dead_code, unused_imports)]
#[path = "../src/bench/mod.rs"]
mod bench;

use bench::phold::{Size, compare};

fn main() {
    let events = 5_000_000;
    let repeat = 3;
    println!("PHOLD integer time, {events} events, median of {repeat} interleaved runs");
    for size in Size::ALL {
        let c = compare(size, events, repeat, &mut |_| {}).expect("PHOLD checksums match");
        println!(
            "  {:<6}  engine {:>6.2} M events/s   bare heap {:>6.2} M events/s   ratio {:.2}",
            size.name(),
            c.engine_events_per_s() / 1e6,
            c.heap_events_per_s() / 1e6,
            c.ratio()
        );
    }
}
