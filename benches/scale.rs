//! `cargo bench --bench scale`: the built-in 416,000-chip, seven-year
//! scenario, simulated alone and with its CSV output, with peak memory and a
//! bare-heap baseline from the same process.

mod common;

/// Where the timed runs write their CSV files (ignored by git).
const OUT: &str = "target/bench-output";

fn main() -> std::process::ExitCode {
    common::dcsim_bench(&["scale", "--out", OUT])
}
