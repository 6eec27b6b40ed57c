//! A sweep's run folders: where run `id` goes (`runs/<id>`), the folders
//! made real before any run is written (never through a link), and whether
//! a folder already holds a complete run (for resuming and merging).

use std::path::{Path, PathBuf};

use super::SweepError;
use crate::input;

/// The folder of run `id` in the sweep folder `out`. `id` is one the plan
/// derives ([`super::is_run_id`]: `r` and digits), never a path.
pub fn run_dir(out: &Path, id: &str) -> PathBuf {
    assert!(super::is_run_id(id), "{id:?} is not a run id");
    out.join("runs").join(id)
}

/// Makes `out` and `out/runs` real folders (created if missing), refusing
/// a link or a file at either: a run folder is written only inside the
/// sweep's own folder, never through a link.
pub fn prepare_runs(out: &Path) -> Result<(), SweepError> {
    use crate::output::set::OutputError;
    let runs = out.join("runs");
    for dir in [out, runs.as_path()] {
        match input::real_folder(dir) {
            Ok(true) => {}
            Ok(false) => std::fs::create_dir_all(dir).map_err(|source| OutputError::Write {
                path: dir.to_path_buf(),
                target: out.to_path_buf(),
                source,
            })?,
            Err(what) => {
                return Err(SweepError::Output(OutputError::InTheWay {
                    path: dir.to_path_buf(),
                    what: in_the_way(what),
                }));
            }
        }
    }
    Ok(())
}

/// "is a symbolic link", … for [`OutputError::InTheWay`](crate::output::set::OutputError).
pub(crate) fn in_the_way(what: &str) -> &'static str {
    match what {
        "a symbolic link" => "is a symbolic link",
        "a regular file" => "is a file, not a folder",
        _ => "is not a folder",
    }
}

/// Whether `dir` holds a complete run whose `run.json` is `record`: the
/// folder, `run.json` and `summary.csv` are real (no link followed), and
/// `run.json` is read only up to the record's size.
pub fn is_complete(dir: &Path, record: &[u8]) -> bool {
    input::real_folder(dir) == Ok(true)
        && input::read_back(&dir.join("run.json"), record.len() as u64, "")
            .is_ok_and(|b| b == record)
        && std::fs::symlink_metadata(dir.join("summary.csv")).is_ok_and(|m| m.is_file())
}
