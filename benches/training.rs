//! `cargo bench --bench training`: the built-in scale-400k-training scenario
//! (416,000 chips, about 20,000 training jobs, seven years) against the same
//! scenario without its jobs, in one process: the ratio of simulation
//! times, the time with CSV output and peak memory.

// The benchmarks live beside the binary, outside the library (src/bench/mod.rs);
// this target includes them and uses a part (their unit tests run with the
// binary's, not under a bench harness).
#[allow(dead_code, unused_imports)]
#[path = "../src/bench/mod.rs"]
mod bench;

use bench::training::{TRAINING_SCENARIO, run};
use dcsim::scenario::{Overrides, load_str};

fn main() {
    let started = std::time::Instant::now();
    let scenario = load_str(
        "scale-400k-training.toml",
        TRAINING_SCENARIO,
        None,
        &Overrides::default(),
    )
    .expect("the built-in training benchmark scenario is valid");
    let load_s = started.elapsed().as_secs_f64();
    let out = std::env::temp_dir().join(format!("dcsim-bench-training-{}", std::process::id()));
    let r = run(&scenario, 3, &out).expect("writing the CSV output");
    let _ = std::fs::remove_dir_all(&out);
    println!(
        "scale-400k-training: {} jobs; load {:.3} s; simulate (median of 3) without jobs {:.3} s, with {:.3} s, ratio {:.2}; with CSV {:.3} s vs {:.3} s, ratio {:.2}; peak RSS {} / {} KiB",
        scenario.training.jobs.len(),
        load_s,
        r.physical.simulate_median_s(),
        r.training.simulate_median_s(),
        r.simulate_ratio(),
        r.physical.with_csv_s,
        r.training.with_csv_s,
        r.with_csv_ratio(),
        r.physical
            .peak_rss_kib
            .map_or("n/a".to_string(), |k| k.to_string()),
        r.training
            .peak_rss_kib
            .map_or("n/a".to_string(), |k| k.to_string()),
    );
}
