//! `cargo bench --bench training`: the built-in scale-400k-training scenario
//! (416,000 chips, about 20,000 training jobs, seven years) against the same
//! scenario without its jobs, in one process: the ratio of simulation
//! times, the time with CSV output and peak memory.

mod common;

/// Where the timed runs write their CSV files (ignored by git).
const OUT: &str = "target/bench-output";

fn main() -> std::process::ExitCode {
    common::dcsim_bench(&["training", "--repeat", "3", "--out", OUT])
}
