//! The `dcsim` command: parse arguments, call the library, map the outcome to
//! an exit code (0 ok, 1 output not written or internal error, 2 bad input,
//! 130 / 143 interrupted by SIGINT / SIGTERM, 129 by SIGHUP).
//!
//! This file is the table of contents. The command line itself is the
//! library's `cli` module (`src/cli/`, built with the default `cli`
//! feature), one file per subcommand, each calling the library:
//!
//! | subcommand          | file                    | library entry point                      |
//! |---------------------|-------------------------|------------------------------------------|
//! | `dcsim run`         | `cli/run.rs`            | `runner::run_to_dir`                     |
//! | `dcsim sweep`       | `cli/sweep.rs`          | `sweep::execute::{plan, run}`            |
//! | `dcsim sensitivity` | `cli/sensitivity.rs`    | `sensitivity::Plan::run`                 |
//! | `dcsim merge`       | `cli/merge.rs`          | `sweep::shard::merge`                    |
//! | `dcsim compare`     | `cli/compare.rs`        | `output::compare::write`                 |
//! | `dcsim validate`    | `cli/validate.rs`       | `scenario::load_file`                    |
//! | `dcsim validate-figures` | `cli/validate_figures.rs` | `validation::write`              |
//! | `dcsim catalog`     | `cli/catalog.rs`        | `console::catalog_table`, `catalog_csv`  |
//! | `dcsim replay`      | `cli/replay.rs`         | `workload::serving::requests::simulate`  |
//! | `dcsim bench …`     | `cli/bench.rs`          | the benchmarks of `src/cli/bench/`       |
//!
//! `cli/mod.rs` holds the top-level arguments, the list of subcommands,
//! how a command fails (mapped to the exit code above), what several
//! subcommands share (loading a scenario, the interrupt handler) and
//! [`dcsim::cli::main`], which this binary calls. The benchmarks
//! (`src/cli/bench/`) belong to the command line, not to the library's
//! public surface: `cargo bench` runs them through this binary.

use std::process::ExitCode;

fn main() -> ExitCode {
    dcsim::cli::main()
}
