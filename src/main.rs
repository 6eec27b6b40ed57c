//! The `dcsim` command: parse arguments, call the library, map the outcome to
//! an exit code (0 ok, 1 output not written or internal error, 2 bad input,
//! 130 / 143 interrupted by SIGINT / SIGTERM, 129 by SIGHUP).
//!
//! This file is the table of contents. The argument types and what each
//! subcommand does are in `src/cli/`, one file per subcommand:
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
//! | `dcsim bench …`     | `cli/bench.rs`          | the benchmarks of `src/bench/`           |
//!
//! `cli/mod.rs` holds the top-level [`cli::Cli`], the list of subcommands
//! ([`cli::Command`]), how a command fails ([`cli::Failure`]) and what
//! several subcommands share (loading a scenario, the interrupt handler).
//! The benchmarks (`src/bench/`) measure the library from outside and are
//! no part of it: this binary declares them, and `benches/` and the
//! integration tests include the same files.

// Shared with `benches/` and the integration tests, which use other parts.
#[allow(dead_code)]
mod bench;
mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, Failure};

fn main() -> ExitCode {
    // Like any command-line tool, stop quietly when the reader of stdout
    // goes away (`dcsim catalog | head`): restore the default SIGPIPE action,
    // which Rust's runtime replaces with "ignore" (and a panic on the next
    // print). SAFETY: called first thing, before any thread exists.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::panic::set_hook(Box::new(|info| {
        eprintln!("dcsim: internal error: {info}");
        eprintln!(
            "dcsim: this is a bug in dcsim; please report it with the scenario that caused it"
        );
    }));
    let cli = Cli::parse();
    if cli.command.writes_files() {
        cli::clean_up_on_interrupt();
    }
    let outcome = std::panic::catch_unwind(|| match cli.command {
        Command::Run(a) => cli::run::execute(a),
        Command::Sweep(a) => cli::sweep::execute(&a),
        Command::Sensitivity(a) => cli::sensitivity::execute(a),
        Command::Merge(a) => cli::merge::execute(&a),
        Command::Compare(a) => cli::compare::execute(&a),
        Command::Validate(a) => cli::validate::execute(&a),
        Command::ValidateFigures(a) => cli::validate_figures::execute(a),
        Command::Catalog(a) => cli::catalog::execute(&a),
        Command::Replay(a) => cli::replay::execute(a),
        Command::Bench { which } => cli::bench::execute(which),
    });
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(Failure::BadInput(message))) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Ok(Err(Failure::Output(e))) => {
            eprintln!("dcsim: {e}");
            ExitCode::from(1)
        }
        Ok(Err(Failure::Internal(e))) => {
            eprintln!("dcsim: error: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}
