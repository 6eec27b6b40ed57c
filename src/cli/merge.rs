//! `dcsim merge`: the folders of a sharded sweep into one.

use std::path::PathBuf;

use crate::sweep::shard;

use super::Failure;

/// The arguments of `dcsim merge`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shards' folders.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The merged sweep's folder.
    #[arg(long, required = true)]
    pub out: PathBuf,
    /// No report on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Merges the shards' folders and says what was copied.
pub fn execute(a: &Args) -> Result<(), Failure> {
    let (dirs, out, quiet) = (&a.dirs, &a.out, a.quiet);
    let report = shard::merge(dirs, out)?;
    if !quiet {
        println!(
            "merged {} shard folder(s): {} runs ({} copied, {} already in place); wrote {}/ runs/<id>/, sweep.html, sweep.json, sweep.csv, sweep_summary.csv and charts",
            dirs.len(),
            report.runs,
            report.copied,
            report.kept,
            out.display()
        );
    }
    Ok(())
}
