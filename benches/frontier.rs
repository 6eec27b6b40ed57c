//! `cargo bench --bench frontier`: forty Frontier-sized machines for a year
//! (`benches/frontier-40x.toml`: 1,515,520 GPUs, about 623,000 jobs), the
//! run whose cost is jobs being placed and released a few hundred domains
//! at a time, against the same run without its jobs, in one process: the
//! ratio of simulation times, events per second, and peak memory. The same
//! figures from the command line:
//! `dcsim bench training benches/frontier-40x.toml --repeat 1`.

mod common;

/// Where the timed runs write their CSV files (ignored by git).
const OUT: &str = "target/bench-output";

fn main() -> std::process::ExitCode {
    common::dcsim_bench(&[
        "training",
        "benches/frontier-40x.toml",
        "--repeat",
        "1",
        "--out",
        OUT,
    ])
}
