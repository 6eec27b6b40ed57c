//! The sweep benchmark (issue 11): one sweep run with one thread and again
//! with several, in the same process, each into a fresh folder, timed whole
//! (validation, runs, the sweep's files); the ratio of the two times is the
//! speed-up, and the two folders must hold the same bytes.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::training::median;
use crate::sweep::execute::{self, Options};
use crate::sweep::{Definition, SweepError};

/// The wall times of each thread count, and whether the outputs agree.
#[derive(Clone, Debug)]
pub struct SweepBench {
    /// `(threads, wall time of each round [s])`, in the order given.
    pub times: Vec<(usize, Vec<f64>)>,
    /// Runs in the sweep.
    pub runs: usize,
    /// Whether every folder holds the same files with the same bytes as
    /// the first.
    pub identical: bool,
}

impl SweepBench {
    /// Median time with the first thread count ÷ median with the last (2.0:
    /// twice as fast).
    pub fn speedup(&self) -> f64 {
        match (self.times.first(), self.times.last()) {
            (Some(a), Some(b)) => median(&a.1) / median(&b.1).max(1e-12),
            _ => 1.0,
        }
    }
}

/// Runs the sweep once per entry of `threads`, `rounds` times (alternating),
/// into `out/j<threads>/` (removed first when it holds an earlier sweep;
/// refused if it holds anything else).
pub fn run(
    definition: &Definition,
    threads: &[usize],
    rounds: usize,
    out: &Path,
) -> Result<SweepBench, SweepError> {
    let mut times: Vec<(usize, Vec<f64>)> = threads.iter().map(|&j| (j, Vec::new())).collect();
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut runs = 0;
    for round in 0..rounds.max(1) {
        for (k, &jobs) in threads.iter().enumerate() {
            let dir = out.join(format!("j{jobs}"));
            clear(&dir)?;
            let started = Instant::now();
            let pool = execute::pool(jobs)?;
            let plan = execute::plan(definition, &pool)?;
            let options = Options {
                shard: None,
                out: dir.clone(),
            };
            execute::run(definition, &plan, &options, &pool, &|_, _| {})?;
            times[k].1.push(started.elapsed().as_secs_f64());
            runs = plan.runs.len();
            if round == 0 {
                folders.push(dir);
            }
        }
    }
    let identical = folders.iter().skip(1).all(|f| same_files(&folders[0], f));
    Ok(SweepBench {
        times,
        runs,
        identical,
    })
}

/// Removes `dir` if it holds a sweep (a `sweep.json`, or the `runs/` of
/// one stopped early); refuses any other existing folder.
fn clear(dir: &Path) -> Result<(), SweepError> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.join("sweep.json").is_file() && !dir.join("runs").is_dir() {
        return Err(SweepError::BadInput(format!(
            "{}: exists and is not a sweep folder; the benchmark writes there: move it away or give another --out",
            dir.display()
        )));
    }
    fs::remove_dir_all(dir).map_err(|e| {
        SweepError::BadInput(format!(
            "{}: cannot remove the earlier benchmark's sweep: {e}",
            dir.display()
        ))
    })
}

/// Every file under `dir`, by its path relative to `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap_or(&p).to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Whether the folders `a` and `b` hold the same files with the same bytes
/// (read one file at a time).
pub fn same_files(a: &Path, b: &Path) -> bool {
    let names = files(a);
    names == files(b)
        && names
            .iter()
            .all(|n| match (fs::read(a.join(n)), fs::read(b.join(n))) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            })
}
