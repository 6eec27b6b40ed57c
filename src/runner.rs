//! One run of a validated scenario into one output folder: the recorder is
//! created, the simulation runs, the files appear together. `dcsim run` and
//! every run of a sweep go through [`run_to_dir`], so what a run folder
//! holds is decided here once.
//!
//! A run of `dcsim run` records what made it in its folder's `run.json`
//! ([`RunRecord`]): the scenario's file name, a hash of its text (and of
//! the bases it extends), the `--set` arguments and the seed. A run with
//! `--set` or `--seed` writes to a variant folder named from them
//! ([`folder_name`]), so a variant never lands in its baseline's folder;
//! before a run replaces a folder, [`previous_run`] says whether that
//! folder holds a run of something else, for the caller to say so.
//!
//! This module does not load scenarios, draw progress bars or print: the
//! caller does.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::output::charts::recorded::RunDataRecorder;
use crate::output::csv::{Columns, CsvRecorder};
use crate::output::report::ReportInputs;
use crate::output::set::OutputError;
use crate::output::tee::Tee;
use crate::record::SummaryRow;
use crate::scenario::{Overrides, Scenario};
use crate::sweep::Fnv128;

/// A file written whole beside a run's CSV files, in the same set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraFile {
    /// Its name (one of [`crate::output::set::DCSIM_FILES`]).
    pub name: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What a finished run gives back.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The run's headline figures (as in its `summary.csv`).
    pub summary: SummaryRow,
    /// The final paths of the files written.
    pub written: Vec<PathBuf>,
    /// Wall time of the simulation alone, without writing the files out \[s\].
    pub simulate_s: f64,
}

/// Runs `scenario` and writes its files into the folder `dir` (replacing
/// the files of an earlier run there, keeping the user's; see
/// [`crate::output::set`]), with `extra` files in the same set; with
/// `report`, the charts and `report.html` too. `progress` is called with
/// the simulated share done, from 0 to 1.
pub fn run_to_dir(
    scenario: &Scenario,
    dir: &Path,
    extra: &[ExtraFile],
    report: Option<ReportInputs>,
    progress: &mut dyn FnMut(f64),
) -> Result<RunOutput, OutputError> {
    let columns = Columns::for_scenario(scenario);
    let mut recorder = CsvRecorder::create_with(dir, scenario.world.failures_log, columns)?;
    for file in extra {
        recorder.attach(file.name, &file.bytes)?;
    }
    // The charts' data, gathered beside the CSV files when a report is
    // drawn.
    let charts = report
        .is_some()
        .then(|| RunDataRecorder::for_run(&scenario.run, columns));
    let started = Instant::now();
    let (Tee(recorder, charts), summary) =
        crate::sim::run(scenario, Tee(recorder, charts), progress);
    let simulate_s = started.elapsed().as_secs_f64();
    let mut staged = recorder.close()?;
    if let Some(inputs) = report {
        staged.draw_report(&inputs, charts.and_then(RunDataRecorder::finish))?;
    }
    let written = staged.commit()?;
    Ok(RunOutput {
        summary,
        written,
        simulate_s,
    })
}

/// The `format` of a [`RunRecord`].
pub const RUN_RECORD_FORMAT: &str = "dcsim-run-1";

/// The longest override part of a variant folder's name \[bytes\]; a longer
/// one is cut and ends in a hash of the whole.
pub const MAX_VARIANT_SUFFIX: usize = 64;

/// What a folder written by `dcsim run` records about the run (`run.json`):
/// enough to tell whether a later run into the same folder is the same run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunRecord {
    /// Always [`RUN_RECORD_FORMAT`].
    pub format: String,
    /// The scenario's file name (not its path: the same file run from
    /// another folder writes the same bytes), or the built-in's label.
    pub scenario: String,
    /// FNV-1a (128 bits, 32 hex digits) of the scenario's text and of the
    /// texts of the bases it extends.
    pub text_hash: String,
    /// The `--set` arguments, in the order given.
    pub sets: Vec<String>,
    /// The seed the run used (the file's, or `--seed`).
    pub seed: u64,
}

impl RunRecord {
    /// The record of a run of the scenario `file` (its name is kept), whose
    /// text and bases' texts are `texts`, under `sets`, with seed `seed`.
    pub fn new(file: &str, texts: &[String], sets: &[String], seed: u64) -> RunRecord {
        let mut h = Fnv128::new();
        h.field(b"dcsim run 1");
        for t in texts {
            h.field(t.as_bytes());
        }
        let scenario = std::path::Path::new(file)
            .file_name()
            .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
        RunRecord {
            format: RUN_RECORD_FORMAT.to_string(),
            scenario,
            text_hash: format!("{:032x}", h.0),
            sets: sets.to_vec(),
            seed,
        }
    }

    /// The bytes of `run.json`: pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a run record serializes");
        bytes.push(b'\n');
        bytes
    }

    /// Whether `other` is a run of the same text, overrides and seed (the
    /// file's name may differ: the results do not).
    pub fn same_run(&self, other: &RunRecord) -> bool {
        self.text_hash == other.text_hash && self.sets == other.sets && self.seed == other.seed
    }

    /// How `previous` differs from this run, in words: "another scenario
    /// text", "--set …", "seed 7"; joined with "; ".
    fn differences(&self, previous: &RunRecord) -> String {
        let mut what = Vec::new();
        if self.text_hash != previous.text_hash {
            what.push(format!("another scenario text ({})", previous.scenario));
        }
        if self.sets != previous.sets {
            what.push(if previous.sets.is_empty() {
                "no --set".to_string()
            } else {
                previous
                    .sets
                    .iter()
                    .map(|s| format!("--set {s}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            });
        }
        if self.seed != previous.seed {
            what.push(format!("seed {}", previous.seed));
        }
        what.join("; ")
    }
}

/// The folder name of a run of the scenario `name` under `overrides`:
/// `name` itself without overrides; with them, `name--` and the overrides
/// in the order given (`--set` arguments, then `seed=N`), joined by `--`,
/// made safe for any file system: `[i]` becomes `.i`, quotes go, and any
/// other character but letters, digits, `.`, `_`, `-`, `=` and `+` becomes
/// `_`. Longer than [`MAX_VARIANT_SUFFIX`] bytes, the override part is cut
/// and ends in 8 hex digits of a hash of the whole, so distinct long
/// overrides keep distinct folders.
///
/// A `--set name=…` names the folder itself: the name alone, whatever the
/// other overrides.
///
/// `dcsim run plan.toml --set sites.ohio.grid_mw=90` writes to
/// `plan--sites.ohio.grid_mw=90/`, beside the baseline's `plan/`.
pub fn folder_name(name: &str, overrides: &Overrides) -> String {
    let named = overrides.sets.iter().any(|s| {
        s.split_once('=')
            .is_some_and(|(path, _)| path.trim() == "name")
    });
    if named {
        return name.to_string();
    }
    let mut parts: Vec<String> = overrides
        .sets
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    if let Some(seed) = overrides.seed {
        parts.push(format!("seed={seed}"));
    }
    if parts.is_empty() {
        return name.to_string();
    }
    let whole = parts.join("--");
    let mut safe = String::with_capacity(whole.len());
    for c in whole.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' | '=' | '+' => safe.push(c),
            '[' => safe.push('.'),
            ']' | '"' | '\'' => {}
            _ => safe.push('_'),
        }
    }
    if safe.len() > MAX_VARIANT_SUFFIX {
        let mut h = Fnv128::new();
        h.field(whole.as_bytes());
        safe.truncate(MAX_VARIANT_SUFFIX - 9);
        safe = format!("{safe}-{:08x}", h.0 as u32);
    }
    format!("{name}--{safe}")
}

/// What the folder a run is about to replace holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreviousRun {
    /// Nothing dcsim wrote (no folder, or no `summary.csv` in it).
    Nothing,
    /// A run of the same text, overrides and seed: replacing it is a rerun.
    Same,
    /// Something else: what, in words (for a note on the terminal).
    Other(String),
}

/// Largest `run.json` read back [bytes].
const MAX_RECORD_BYTES: u64 = 64 * 1024;

/// What `dir` holds, against the run recorded by `record`. The folder's
/// `run.json` is read without following a link and up to 64 KiB.
pub fn previous_run(dir: &Path, record: &RunRecord) -> PreviousRun {
    let had_run = std::fs::symlink_metadata(dir.join("summary.csv")).is_ok();
    match read_record(&dir.join("run.json")) {
        Some(bytes) => match serde_json::from_slice::<RunRecord>(&bytes) {
            Ok(previous) if previous.format == RUN_RECORD_FORMAT => {
                if record.same_run(&previous) {
                    PreviousRun::Same
                } else {
                    PreviousRun::Other(format!("a run of {}", record.differences(&previous)))
                }
            }
            _ => PreviousRun::Other(
                "a run whose run.json is not dcsim run's (a sweep's run?)".into(),
            ),
        },
        None if had_run => PreviousRun::Other("a run with no run.json (an earlier dcsim)".into()),
        None => PreviousRun::Nothing,
    }
}

/// The bytes of a regular file at `path`, if there is one of at most
/// [`MAX_RECORD_BYTES`] (a link is not followed).
fn read_record(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_RECORD_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_RECORD_BYTES).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(sets: &[&str], seed: Option<u64>) -> Overrides {
        Overrides {
            sets: sets.iter().map(|s| s.to_string()).collect(),
            seed,
        }
    }

    #[test]
    fn variant_folders_are_named_from_the_overrides() {
        assert_eq!(folder_name("plan", &overrides(&[], None)), "plan");
        assert_eq!(
            folder_name("plan", &overrides(&["sites.ohio.grid_mw=90"], None)),
            "plan--sites.ohio.grid_mw=90"
        );
        assert_eq!(
            folder_name("plan", &overrides(&["sites[0].grid_mw=90"], Some(7))),
            "plan--sites.0.grid_mw=90--seed=7"
        );
        assert_eq!(
            folder_name(
                "plan",
                &overrides(&["contracts[0].start=\"2026-09-01\""], None)
            ),
            "plan--contracts.0.start=2026-09-01"
        );
        assert_eq!(
            folder_name("plan-90", &overrides(&["name=plan-90", "x=1"], Some(7))),
            "plan-90",
            "--set name=… names the folder"
        );
        assert_eq!(
            folder_name("plan", &overrides(&["spares.swap_time = 4h / 2"], None)),
            "plan--spares.swap_time_=_4h___2"
        );
    }

    #[test]
    fn long_overrides_are_cut_and_hashed() {
        let long: Vec<String> = (0..10).map(|i| format!("sites[{i}].grid_mw=900")).collect();
        let a = folder_name(
            "plan",
            &Overrides {
                sets: long.clone(),
                seed: None,
            },
        );
        let mut other = long;
        other[9] = "sites[9].grid_mw=901".into();
        let b = folder_name(
            "plan",
            &Overrides {
                sets: other,
                seed: None,
            },
        );
        assert_eq!(a.len(), "plan--".len() + MAX_VARIANT_SUFFIX, "{a}");
        assert!(a.starts_with("plan--sites.0.grid_mw=900--sites.1"), "{a}");
        assert_ne!(
            a, b,
            "overrides differing past the cut keep distinct folders"
        );
    }

    #[test]
    fn records_tell_the_same_run_from_another() {
        let texts = vec!["name = \"plan\"\n".to_string()];
        let a = RunRecord::new("scenarios/plan.toml", &texts, &[], 1);
        assert_eq!(a.scenario, "plan.toml", "the file name, not the path");
        let elsewhere = RunRecord::new("/elsewhere/plan.toml", &texts, &[], 1);
        assert_eq!(a.to_json(), elsewhere.to_json());
        let edited = RunRecord::new("plan.toml", &["name = \"plan\"\n# edited\n".into()], &[], 1);
        assert!(!a.same_run(&edited));
        assert_eq!(a.differences(&edited), "another scenario text (plan.toml)");
        let reseeded = RunRecord::new("plan.toml", &texts, &[], 2);
        assert_eq!(a.differences(&reseeded), "seed 2");
        let set = RunRecord::new("plan.toml", &texts, &["x=1".into()], 1);
        assert_eq!(a.differences(&set), "--set x=1");
        assert_eq!(set.differences(&a), "no --set");
    }
}
