//! `dcsim validate`: scenario files checked without running them.

use std::path::PathBuf;

use crate::scenario::{self, Overrides};

use super::Failure;

/// The arguments of `dcsim validate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Prints `ok` (and what each trace kept) for every valid file; fails with
/// every problem of the others.
pub fn execute(a: &Args) -> Result<(), Failure> {
    let files = &a.files;
    let mut failed = Vec::new();
    for f in files {
        match scenario::load_file(f, &Overrides::default()) {
            Ok(s) => {
                println!("{}: ok", f.display());
                for t in &s.training.traces {
                    println!(
                        "  trace {}: {} jobs from {}; rows skipped: {} ({} CPU-only, {} GPU-sharing, {} pending, {} of zero length, {} after the end)",
                        t.name,
                        t.jobs,
                        t.file,
                        t.skipped(),
                        t.skipped_cpu_only,
                        t.skipped_gpu_sharing,
                        t.skipped_pending,
                        t.skipped_zero_length,
                        t.skipped_after_end
                    );
                }
            }
            Err(e) => failed.push(e.to_string()),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(failed.join("\n")))
    }
}
