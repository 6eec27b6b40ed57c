//! Sweeps beyond one machine: shard `I` of `N` runs the sweep's runs whose
//! index `k` has `k mod N = I`, into its own folder with a manifest
//! (`shard.json`: the whole plan, `I`, `N` and the ids it holds); a merge
//! checks that the shards are of one sweep, finds every run complete in
//! one of them, copies the run folders and writes the sweep's files from
//! them — the same bytes as the sweep run in one place.
//!
//! A batch scheduler runs the shards (a Slurm job array: one task per
//! shard) and the merge after them; a shard that failed leaves its runs
//! incomplete, and the merge names them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::runs::{is_complete, prepare_runs, run_dir};
use super::{Plan, SweepError};
use crate::input;
use crate::output::set::{DCSIM_FILES, OutputSet};
use crate::scenario::diag::quote_short;

/// Shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// From 0.
    pub index: usize,
    /// At least 1.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` (`0 ≤ I < N`).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "--shard {text}: write I/N with 0 ≤ I < N, e.g. --shard 0/3 (a Slurm array task: --shard $SLURM_ARRAY_TASK_ID/3)"
            )
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether run `k` (its index in the sweep) belongs to this shard.
    pub fn holds(&self, k: usize) -> bool {
        k % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A shard's manifest, `shard.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`SHARD_FORMAT`].
    pub format: String,
    /// This shard's index, from 0.
    pub shard: usize,
    /// The number of shards.
    pub shards: usize,
    /// The ids of the runs it holds.
    pub runs: Vec<String>,
    /// The whole sweep.
    pub sweep: Plan,
}

/// The `format` of a [`Manifest`].
pub const SHARD_FORMAT: &str = "dcsim-shard-1";

/// Largest manifest read [bytes].
const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;

/// Writes `shard.json` for `shard` of `plan` into the folder `out` (before
/// its runs start, so a shard that fails is still recognised).
pub fn write_manifest(out: &Path, plan: &Plan, shard: Shard) -> Result<(), SweepError> {
    let manifest = Manifest {
        format: SHARD_FORMAT.to_string(),
        shard: shard.index,
        shards: shard.count,
        runs: plan
            .runs
            .iter()
            .enumerate()
            .filter(|(k, _)| shard.holds(*k))
            .map(|(_, r)| r.id.clone())
            .collect(),
        sweep: plan.clone(),
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).expect("a manifest serializes");
    bytes.push(b'\n');
    let mut set = OutputSet::create(out)?;
    super::put(&mut set, "shard.json", &bytes)?;
    set.commit()?;
    Ok(())
}

/// Reads the manifest of the shard folder `dir`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, SweepError> {
    let shown = dir.display();
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(SweepError::BadInput(format!(
                "{shown}: is not a folder; give the folders of dcsim sweep --shard I/N"
            )));
        }
        Err(e) => {
            return Err(SweepError::BadInput(format!(
                "{shown}: cannot open the folder ({e}); give the folders of dcsim sweep --shard I/N"
            )));
        }
    }
    let path = dir.join("shard.json");
    if std::fs::symlink_metadata(&path).is_err() {
        return Err(SweepError::BadInput(format!(
            "{shown}: not a shard output: it has no shard.json (written by dcsim sweep --shard I/N when the shard starts)"
        )));
    }
    let bytes = input::read_back(&path, MAX_MANIFEST_BYTES, "")
        .map_err(|e| SweepError::BadInput(format!("{}: cannot read: {e}", path.display())))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        SweepError::BadInput(format!(
            "{}: not a shard manifest dcsim wrote ({})",
            path.display(),
            quote_short(&e.to_string())
        ))
    })?;
    if manifest.format != SHARD_FORMAT || manifest.sweep.format != super::PLAN_FORMAT {
        return Err(SweepError::BadInput(format!(
            "{}: a manifest of format {} (sweep {}); this dcsim reads {SHARD_FORMAT} ({})",
            path.display(),
            quote_short(&manifest.format),
            quote_short(&manifest.sweep.format),
            super::PLAN_FORMAT
        )));
    }
    check_manifest(&manifest).map_err(|why| {
        SweepError::BadInput(format!(
            "{}: {why}; the file was changed after dcsim wrote it: run the shard again with the same command",
            path.display()
        ))
    })?;
    Ok(manifest)
}

/// Checks a manifest read from disk against what its sweep derives: the
/// shard's numbers, the number of runs (at most [`super::MAX_RUNS`]), the
/// plan's runs re-derived from its `--vary` values, replications and seed
/// (so every id is `r` and digits, never a path), and the shard's ids.
fn check_manifest(m: &Manifest) -> Result<(), String> {
    if m.shards == 0 || m.shard >= m.shards {
        return Err(format!(
            "shard {}/{} is not a shard I/N with 0 ≤ I < N",
            m.shard, m.shards
        ));
    }
    let plan = &m.sweep;
    if plan.replications == 0 || plan.varies.iter().any(|v| v.values.is_empty()) {
        return Err("its sweep has no runs".into());
    }
    if super::run_count(&plan.varies, plan.replications).is_none() {
        return Err(format!("its sweep has more than {} runs", super::MAX_RUNS));
    }
    let derived = super::expand(&plan.varies, plan.replications, plan.base_seed);
    if plan.runs != derived {
        return Err(
            "its runs are not those its sweep's --vary values, replications and seed give".into(),
        );
    }
    let held: Vec<&str> = derived
        .iter()
        .enumerate()
        .filter(|(k, _)| k % m.shards == m.shard)
        .map(|(_, r)| r.id.as_str())
        .collect();
    if m.runs.len() != held.len() || m.runs.iter().zip(&held).any(|(a, b)| a != b) {
        return Err(format!(
            "the runs it lists are not those of shard {}/{}",
            m.shard, m.shards
        ));
    }
    Ok(())
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Runs copied into the merged folder.
    pub copied: usize,
    /// Runs already complete there.
    pub kept: usize,
    /// The sweep's plan.
    pub runs: usize,
}

/// Merges the shard folders `dirs` into `out`: refuses folders that are
/// not shard outputs and shards of different sweeps, names the runs that
/// no shard holds complete, else copies the run folders and writes the
/// sweep's files.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeReport, SweepError> {
    if dirs.is_empty() {
        return Err(SweepError::BadInput(
            "give the shard folders to merge: dcsim merge DIR... --out OUT".into(),
        ));
    }
    crate::output::set::check_not_an_input(out, dirs, "--out").map_err(SweepError::BadInput)?;
    let manifests: Vec<Manifest> = dirs
        .iter()
        .map(|d| read_manifest(d))
        .collect::<Result<_, _>>()?;
    for d in dirs {
        let runs = d.join("runs");
        if let Err(what) = input::real_folder(&runs) {
            return Err(SweepError::BadInput(format!(
                "{}: is {what}; dcsim reads a shard's runs from a real folder, never through a link",
                runs.display()
            )));
        }
    }
    let first = &manifests[0];
    for (dir, m) in dirs.iter().zip(&manifests).skip(1) {
        if m.sweep != first.sweep {
            return Err(SweepError::BadInput(format!(
                "{} holds shard {}/{} of another sweep (scenario {}, identity {}) than {} (scenario {}, identity {}); merge the shards of one sweep",
                dir.display(),
                m.shard,
                m.shards,
                quote_short(&m.sweep.scenario),
                quote_short(&m.sweep.identity),
                dirs[0].display(),
                quote_short(&first.sweep.scenario),
                quote_short(&first.sweep.identity)
            )));
        }
    }
    let plan = &first.sweep;
    // Where each run is complete.
    let mut sources = Vec::with_capacity(plan.runs.len());
    let mut missing = Vec::new();
    for (k, run) in plan.runs.iter().enumerate() {
        let record = plan.run_record(run);
        let found = dirs
            .iter()
            .map(|d| run_dir(d, &run.id))
            .find(|d| is_complete(d, &record));
        match found {
            Some(d) => sources.push(d),
            None => {
                let held = dirs
                    .iter()
                    .zip(&manifests)
                    .find(|(_, m)| m.runs.contains(&run.id));
                missing.push(match held {
                    Some((d, m)) => format!(
                        "{} (shard {}/{} in {}: not complete — the shard failed or was stopped; run it again with the same command)",
                        run.id,
                        m.shard,
                        m.shards,
                        d.display()
                    ),
                    None => format!(
                        "{} (shard {}/{}: not given)",
                        run.id,
                        k % first.shards,
                        first.shards
                    ),
                });
            }
        }
    }
    if !missing.is_empty() {
        return Err(SweepError::BadInput(format!(
            "cannot merge: {} of {} runs are missing: {}",
            missing.len(),
            plan.runs.len(),
            list_missing(&missing)
        )));
    }
    let mut report = MergeReport {
        runs: plan.runs.len(),
        ..MergeReport::default()
    };
    prepare_runs(out)?;
    for (run, source) in plan.runs.iter().zip(&sources) {
        let target = run_dir(out, &run.id);
        if is_complete(&target, &plan.run_record(run)) {
            report.kept += 1;
            continue;
        }
        copy_run(source, &target)?;
        report.copied += 1;
    }
    super::files::write(out, plan)?;
    Ok(report)
}

/// Largest file of a run folder copied by a merge \[bytes\]: 8 GiB, twice
/// the largest `timeseries.csv` a run may write.
pub const MAX_RUN_FILE_BYTES: u64 = 8 * 1024 * 1024 * 1024;

/// Copies the files dcsim wrote in the run folder `from` into `to`, as one
/// output set: each a regular file opened without following a link, of at
/// most [`MAX_RUN_FILE_BYTES`], copied up to the size it had when opened.
fn copy_run(from: &Path, to: &Path) -> Result<(), SweepError> {
    let read_error = |path: &Path, e: &dyn std::fmt::Display| {
        SweepError::BadInput(format!("{}: cannot read: {e}", path.display()))
    };
    let mut names: Vec<&'static str> = Vec::new();
    for entry in fs::read_dir(from).map_err(|e| read_error(from, &e))? {
        let entry = entry.map_err(|e| read_error(from, &e))?;
        let name = entry.file_name();
        if let Some(known) = DCSIM_FILES.iter().find(|n| **n == name.to_string_lossy()) {
            names.push(known);
        }
    }
    names.sort_unstable();
    let mut set = OutputSet::create(to)?;
    for name in names {
        let path = from.join(name);
        let (source, size) = input::open_read_back(&path, MAX_RUN_FILE_BYTES, "")
            .map_err(|e| read_error(&path, &e))?;
        let mut file = set.create_file(name)?;
        std::io::copy(&mut std::io::Read::take(source, size), &mut file)
            .and_then(|_| file.flush())
            .and_then(|()| file.sync_all())
            .map_err(|e| SweepError::Output(set.write_error(name, e)))?;
    }
    set.commit()?;
    Ok(())
}

/// How many missing runs a merge's refusal names before it counts the rest:
/// a shard missing from a sweep of 100,000 runs would otherwise make a
/// message tens of thousands of entries long.
const MISSING_NAMED: usize = 5;

/// The missing runs of a refused merge as one bounded line: the first
/// [`MISSING_NAMED`] in plan order, then how many more.
fn list_missing(missing: &[String]) -> String {
    let mut text = missing
        .iter()
        .take(MISSING_NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if missing.len() > MISSING_NAMED {
        text.push_str(&format!("; and {} more", missing.len() - MISSING_NAMED));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refused_merge_names_five_missing_runs_and_counts_the_rest() {
        let missing: Vec<String> = (0..8).map(|k| format!("r{k:04}")).collect();
        assert_eq!(
            super::list_missing(&missing),
            "r0000; r0001; r0002; r0003; r0004; and 3 more"
        );
        assert_eq!(super::list_missing(&missing[..2]), "r0000; r0001");
        assert_eq!(
            super::list_missing(&missing[..5]),
            "r0000; r0001; r0002; r0003; r0004"
        );
    }

    use super::*;

    #[test]
    fn shards_parse_and_partition() {
        let s = Shard::parse("1/3").unwrap();
        assert_eq!((s.index, s.count), (1, 3));
        assert_eq!(
            (0..9).filter(|&k| s.holds(k)).collect::<Vec<_>>(),
            [1, 4, 7]
        );
        for bad in ["3/3", "0/0", "1", "a/3", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
