//! `dcsim compare`: finished runs side by side.

use std::path::PathBuf;

use super::Failure;

/// The text after `dcsim compare --help`'s options.
pub const AFTER_HELP: &str = "Writes <out>/comparison.csv, comparison.html, compare_<figure>.png/.svg and\n\
    compare_chips_online, compare_facility_power_mw, compare_cumulative_cash (.png/.svg).\n\
    When the runs' lengths differ, totals are charted per year of run.";

/// The arguments of `dcsim compare`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Run folders (written by dcsim run, or a sweep's runs/<id>).
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// The comparison's folder.
    #[arg(long, default_value = "output/comparison")]
    pub out: PathBuf,
    /// No report on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Writes the comparison of the runs and says what it holds.
pub fn execute(a: &Args) -> Result<(), Failure> {
    let (runs, out, quiet) = (&a.runs, &a.out, a.quiet);
    let written = crate::output::compare::write(runs, out)?;
    if !quiet {
        if written.per_year {
            println!("the runs differ in length: totals are charted per year of run");
        }
        println!(
            "compared {} runs; wrote {}/ comparison.csv, comparison.html and {} charts",
            runs.len(),
            out.display(),
            written
                .files
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "png"))
                .count()
        );
    }
    Ok(())
}
