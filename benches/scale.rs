//! `cargo bench --bench scale`: the built-in 416,000-chip, seven-year
//! scenario, simulated alone and with its CSV output, with peak memory and a
//! bare-heap baseline from the same process.

// The benchmarks live beside the binary, outside the library (src/bench/mod.rs);
// this target includes them and uses a part (their unit tests run with the
// binary's, not under a bench harness).
#[allow(dead_code, unused_imports)]
#[path = "../src/bench/mod.rs"]
mod bench;

use bench::scale::{SCALE_SCENARIO, run};
use dcsim::scenario::{Overrides, load_str};

fn main() {
    let scenario = load_str(
        "scale-400k.toml",
        SCALE_SCENARIO,
        None,
        &Overrides::default(),
    )
    .expect("the built-in scale scenario is valid");
    let out = std::env::temp_dir().join(format!("dcsim-bench-scale-{}", std::process::id()));
    let r = run(&scenario, &out).expect("writing the CSV output");
    let _ = std::fs::remove_dir_all(&out);
    println!(
        "scale-400k: {} chips, {} events; simulate {:.3} s ({:.2} M events/s), with CSV {:.3} s; peak RSS {} KiB; simulation/baseline events/s = {:.3}",
        r.summary.peak_chips_online,
        r.summary.events,
        r.simulate_s,
        r.events_per_s() / 1e6,
        r.with_csv_s,
        r.peak_rss_kib.map_or("n/a".to_string(), |k| k.to_string()),
        r.events_per_s() / r.baseline_events_per_s
    );
}
