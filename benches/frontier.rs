//! `cargo bench --bench frontier`: forty Frontier-sized machines for a year
//! (`benches/frontier-40x.toml`: 1,515,520 GPUs, about 623,000 jobs), the
//! run whose cost is jobs being placed and released a few hundred domains
//! at a time, against the same run without its jobs, in one process: the
//! ratio of simulation times, events per second, and peak memory. The same
//! figures from the command line:
//! `dcsim bench training benches/frontier-40x.toml --repeat 1`.

// The benchmarks live beside the binary, outside the library (src/bench/mod.rs);
// this target includes them and uses a part (their unit tests run with the
// binary's, not under a bench harness).
#[allow(dead_code, unused_imports)]
#[path = "../src/bench/mod.rs"]
mod bench;

use bench::training::run;
use dcsim::scenario::{Overrides, load_str};

/// The benchmark scenario, built in.
const FRONTIER_40X: &str = include_str!("frontier-40x.toml");

fn main() {
    let started = std::time::Instant::now();
    let scenario = load_str(
        "benches/frontier-40x.toml",
        FRONTIER_40X,
        None,
        &Overrides::default(),
    )
    .expect("the built-in frontier-40x scenario is valid");
    let load_s = started.elapsed().as_secs_f64();
    let out = std::env::temp_dir().join(format!("dcsim-bench-frontier-{}", std::process::id()));
    let r = run(&scenario, 1, &out).expect("writing the CSV output");
    let _ = std::fs::remove_dir_all(&out);
    let t = &r.training;
    println!(
        "frontier-40x: {} GPUs, {} jobs ({} completed); load {:.3} s; simulate without jobs {:.3} s, with {:.3} s ({} events, {:.2} M events/s), ratio {:.2}; with CSV {:.3} s; peak RSS {} / {} KiB",
        t.summary.peak_chips_online,
        scenario.training.jobs.len(),
        t.summary.training.as_ref().map_or(0, |j| j.jobs_completed),
        load_s,
        r.physical.simulate_median_s(),
        t.simulate_median_s(),
        t.summary.events,
        t.events_per_s() / 1e6,
        r.simulate_ratio(),
        t.with_csv_s,
        r.physical
            .peak_rss_kib
            .map_or("n/a".to_string(), |k| k.to_string()),
        t.peak_rss_kib.map_or("n/a".to_string(), |k| k.to_string()),
    );
}
