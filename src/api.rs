//! The front door for a Rust program: load a scenario, run it, read its
//! rows. Re-exported at the crate root as [`crate::Scenario`],
//! [`crate::run()`] and [`crate::Results`].

use std::path::Path;

use crate::output::memory::MemoryRecorder;
use crate::record::{Rows, SummaryRow};
use crate::scenario::{self, Overrides, Scenario, ScenarioError};

impl Scenario {
    /// Reads and validates the scenario file at `path` (TOML; the bases it
    /// `extends` and the files it names are looked up beside it). Every
    /// problem is reported at once, each with its file, line, column and
    /// field path.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        scenario::load_file(path.as_ref(), &Overrides::default())
    }

    /// [`Scenario::load`] with changes on top of the file: `PATH=VALUE`
    /// assignments, as `dcsim run --set` takes them, and a seed replacing the
    /// file's, as `--seed`. An assignment to a field that does not exist is
    /// an error.
    pub fn load_with(
        path: impl AsRef<Path>,
        overrides: &Overrides,
    ) -> Result<Scenario, ScenarioError> {
        scenario::load_file(path.as_ref(), overrides)
    }

    /// Validates scenario text that is not in a file; `name` stands for the
    /// file in messages. Such a scenario cannot `extends` a base, and the
    /// files it names are looked up from the current folder.
    pub fn from_toml(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
        scenario::load_str(name, text, None, &Overrides::default())
    }

    /// The built-in default scenario (`scenarios/default.toml`, compiled
    /// in): the one `dcsim run` runs without a file.
    pub fn builtin_default() -> Scenario {
        scenario::load_str(
            scenario::DEFAULT_SCENARIO_LABEL,
            scenario::DEFAULT_SCENARIO,
            None,
            &Overrides::default(),
        )
        .expect("the built-in default scenario is valid (tests/internals/examples.rs)")
    }
}

/// Every row of a finished run, in the order the simulation produced them,
/// and its summary: what `dcsim run` writes to CSV files, as typed values.
/// Tables a scenario does not produce (jobs without `[[jobs]]`, the books
/// without `[economics]`) are empty. The same rows as a
/// `MemoryRecorder` holds during the run, with the summary the run ended
/// with.
pub type Results = Rows<SummaryRow>;

/// Runs `scenario` to its end in memory and returns its rows; nothing is
/// written to disk (`dcsim run` writes the same rows as CSV files, charts
/// and a report: `crate::runner::run_to_dir`). The same scenario and
/// seed give the same results, to the bit.
///
/// ```
/// let scenario = dcsim::Scenario::load("scenarios/minimal.toml")?;
/// let results = dcsim::run(&scenario);
///
/// let summary = &results.summary;
/// assert_eq!(summary.scenario, "minimal");
/// assert!(summary.energy_mwh > 0.0);
/// // One row per site per sample; the last one is at the end of the run.
/// let last = results.samples.last().expect("a run has samples");
/// assert!(last.chips_online > 0);
/// println!(
///     "{}: {:.0} MWh over {:.0} h, {} chips online at the end",
///     summary.scenario, summary.energy_mwh, summary.hours, summary.chips_online_at_end
/// );
/// # Ok::<(), dcsim::ScenarioError>(())
/// ```
pub fn run(scenario: &Scenario) -> Results {
    let (rows, summary) = crate::sim::run(scenario, MemoryRecorder::default(), &mut |_| {});
    rows.with_summary(summary)
}
