//! Running a sweep's runs: every combination validated first, then the runs
//! in a local thread pool, each written as its own folder the moment it
//! ends, runs already complete skipped.
//!
//! A run folder `runs/<id>/` is one output set (see [`crate::output::set`]):
//! it appears whole, with its `run.json`, or not at all. A run counts as
//! complete when its `run.json` holds exactly what this sweep would write
//! there and its `summary.csv` is present; so a sweep killed half-way keeps
//! its finished runs, and the same command run again redoes only the others.
//! A folder of another sweep (a different `run.json`) is run again and
//! replaced.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::runs::{is_complete, prepare_runs, run_dir};
use super::shard::{self, Shard};
use super::{Definition, Plan, PlannedRun, SweepError};
use crate::runner::{self, ExtraFile};

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct Options {
    /// Run only this shard's runs, and write its manifest.
    pub shard: Option<Shard>,
    /// The sweep's folder.
    pub out: PathBuf,
}

/// What a sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Runs simulated now, by id.
    pub ran: Vec<String>,
    /// Runs found complete and skipped, by id.
    pub kept: Vec<String>,
}

/// Progress: thousandths of runs done (a run counts in thousandths of its
/// simulated time) out of `1000 × runs`, and runs finished.
pub type Progress<'a> = &'a (dyn Fn(u64, usize) + Sync);

/// A thread pool of `jobs` threads, the sweep's own.
pub fn pool(jobs: usize) -> Result<rayon::ThreadPool, SweepError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .thread_name(|i| format!("dcsim-sweep-{i}"))
        .build()
        .map_err(|e| SweepError::BadInput(format!("cannot start {jobs} threads: {e}")))
}

/// Validates every combination of `definition` in `pool` and returns the
/// plan.
pub fn plan(definition: &Definition, pool: &rayon::ThreadPool) -> Result<Plan, SweepError> {
    definition.plan(&|all| {
        pool.install(|| {
            all.par_iter()
                .with_max_len(1)
                .map(|o| definition.scenario.load(o))
                .collect()
        })
    })
}

/// Runs the plan's runs (this shard's only, with `options.shard`) that are
/// not complete in `options.out`, `options.jobs` at a time; then, for a
/// whole sweep, writes the sweep's files ([`super::files`]), or,
/// for a shard, has written its manifest first. Stops starting runs at the
/// first error and returns it.
pub fn run(
    definition: &Definition,
    plan: &Plan,
    options: &Options,
    pool: &rayon::ThreadPool,
    progress: Progress,
) -> Result<Report, SweepError> {
    let selected: Vec<&PlannedRun> = plan
        .runs
        .iter()
        .enumerate()
        .filter(|(k, _)| options.shard.is_none_or(|s| s.holds(*k)))
        .map(|(_, r)| r)
        .collect();
    if let Some(s) = options.shard {
        shard::write_manifest(&options.out, plan, s)?;
    }
    prepare_runs(&options.out)?;
    let mut report = Report::default();
    let mut todo = Vec::new();
    for run in selected {
        if is_complete(&run_dir(&options.out, &run.id), &plan.run_record(run)) {
            report.kept.push(run.id.clone());
        } else {
            todo.push(run);
        }
    }
    let done = AtomicU64::new(1000 * report.kept.len() as u64);
    let finished = AtomicUsize::new(report.kept.len());
    progress(done.load(Ordering::Relaxed), report.kept.len());
    let stop = AtomicBool::new(false);
    let first_error: Mutex<Option<SweepError>> = Mutex::new(None);
    pool.install(|| {
        todo.par_iter().with_max_len(1).for_each(|run| {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let mut shown = 0u64;
            let outcome = run_one(definition, plan, run, &options.out, &mut |share| {
                let now = (share.clamp(0.0, 1.0) * 1000.0) as u64;
                if now > shown {
                    let total = done.fetch_add(now - shown, Ordering::Relaxed) + now - shown;
                    shown = now;
                    progress(total, finished.load(Ordering::Relaxed));
                }
            });
            match outcome {
                Ok(()) => {
                    let total = done.fetch_add(1000 - shown, Ordering::Relaxed) + 1000 - shown;
                    let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
                    progress(total, n);
                }
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    let mut slot = first_error.lock().unwrap_or_else(|p| p.into_inner());
                    if slot.is_none() {
                        *slot = Some(e);
                    }
                }
            }
        });
    });
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    report.ran = todo.iter().map(|r| r.id.clone()).collect();
    if options.shard.is_none() {
        super::files::write(&options.out, plan)?;
    }
    Ok(report)
}

/// Runs one run of the plan into its folder.
fn run_one(
    definition: &Definition,
    plan: &Plan,
    run: &PlannedRun,
    out: &Path,
    progress: &mut dyn FnMut(f64),
) -> Result<(), SweepError> {
    let overrides = plan.overrides(run);
    let scenario = definition
        .scenario
        .load(&overrides)
        .map_err(SweepError::Scenario)?;
    let extra = [ExtraFile {
        name: "run.json",
        bytes: plan.run_record(run),
    }];
    // Every run folder has its charts and report.html, as `dcsim run`'s.
    let mut changes: Vec<String> = overrides
        .sets
        .iter()
        .map(|s| format!("--set {s}"))
        .collect();
    if let Some(seed) = overrides.seed {
        changes.push(format!("--seed {seed}"));
    }
    // The file's name, not its path: shards run from other folders (a
    // cluster's) write the same bytes as the sweep run here.
    let label = match &definition.scenario.path {
        Some(path) => path
            .file_name()
            .map_or(definition.scenario.shown.clone(), |n| {
                n.to_string_lossy().into_owned()
            }),
        None => definition.scenario.shown.clone(),
    };
    let report = crate::output::report::ReportInputs::new(
        &scenario,
        label,
        definition.scenario.text.clone(),
    )
    .with_changes(changes);
    runner::run_to_dir(
        &scenario,
        &run_dir(out, &run.id),
        &extra,
        Some(report),
        progress,
    )?;
    Ok(())
}
