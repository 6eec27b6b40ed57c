//! `cargo bench --bench engine`: PHOLD on dcsim's engine next to a bare
//! `BinaryHeap` loop, all three sizes, interleaved runs, medians and ratios.
//! (Same workload as `dcsim bench phold`, fewer events per run.)

mod common;

fn main() -> std::process::ExitCode {
    common::dcsim_bench(&["phold", "--events", "5000000", "--repeat", "3"])
}
