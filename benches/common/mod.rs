//! What every `cargo bench` target does: run one `dcsim bench …` command
//! of the binary cargo built for the benchmarks (the `dist` profile's
//! whole-program optimisation), which times its workload against a
//! baseline in the same process and prints the figures. The benchmarks
//! belong to the command line (`src/cli/bench/`), not to the library's
//! public surface, so these targets reach them through the binary.

use std::process::{Command, ExitCode};

/// Runs `dcsim bench <args>` from the repository's root, its output shown
/// as it comes; the exit code is the command's.
pub fn dcsim_bench(args: &[&str]) -> ExitCode {
    let status = Command::new(env!("CARGO_BIN_EXE_dcsim"))
        .arg("bench")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("the dcsim binary runs");
    if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
