//! A run's output files as one set: written into a fresh staging folder
//! beside the target folder and swapped in whole once every file is
//! complete.
//!
//! What a reader of the target folder (`output/<scenario>/`) sees:
//! - while a run writes, the previous run's complete set, untouched: new
//!   files are written only inside the staging folder
//!   (`output/.<scenario>.dcsim-<pid>-<n>`), which dcsim creates itself
//!   (exclusively, so a planted folder or link is never reused); each file
//!   in it is created new (`O_CREAT | O_EXCL | O_NOFOLLOW`), never opened
//!   through a link;
//! - at commit, on Linux, the staging folder and the target are exchanged by
//!   one `renameat2(RENAME_EXCHANGE)`: a path looked up before it sees the
//!   whole previous set, after it the whole new set. Elsewhere (or on a file
//!   system without the exchange) the target is renamed aside and the
//!   staging folder renamed into its place: for that instant the target does
//!   not exist, but it never holds a mix of two runs;
//! - entries of the target that dcsim did not write (any name not in
//!   [`DCSIM_FILES`], or a legacy `.<name>.partial`) are kept: regular files
//!   and links are hard-linked into the new set before the swap, so they
//!   never disappear; folders are moved back just after it;
//! - files of an earlier run that the new run does not write (a stale
//!   `failures.csv`) leave with the previous set.
//!
//! If anything fails before the swap, the staging folder is removed and the
//! target is left exactly as it was. [`abandon_all`] removes every staging
//! folder of the process, for a signal handler about to exit.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Every file name dcsim writes into an output folder. A rerun replaces (or
/// removes) these; any other entry of the folder is the user's and is kept.
pub const DCSIM_FILES: &[&str] = &[
    "timeseries.csv",
    "capacity.csv",
    "buildout.csv",
    "summary.csv",
    "failures.csv",
    "jobs.csv",
    "requests.csv",
    "replay_summary.csv",
    "request_windows.csv",
    "maintenance.csv",
    "services.csv",
    "service_summary.csv",
    "monthly.csv",
    "contracts_monthly.csv",
    "contracts.csv",
    "summary.json",
    "report.html",
    "power.png",
    "power.svg",
    "chips.png",
    "chips.svg",
    "failures.png",
    "failures.svg",
    "energy.png",
    "energy.svg",
    "inference.png",
    "inference.svg",
    "training.png",
    "training.svg",
    "cash.png",
    "cash.svg",
    "contracts.png",
    "contracts.svg",
    // A sweep run's record, a shard's manifest, a sweep's files.
    "run.json",
    "shard.json",
    "sweep.json",
    "sweep.csv",
    "sweep_summary.csv",
    "sweep.html",
    // A sensitivity's files.
    "sensitivity.csv",
    "sensitivity.html",
    "tornado.png",
    "tornado.svg",
    // dcsim validate-figures' files.
    "validation.csv",
    "validation.html",
    "validation.png",
    "validation.svg",
    // A comparison's files.
    "comparison.csv",
    "comparison.html",
    "compare_chips_online.png",
    "compare_chips_online.svg",
    "compare_facility_power_mw.png",
    "compare_facility_power_mw.svg",
    "compare_cumulative_cash.png",
    "compare_cumulative_cash.svg",
    // Charts of the headline figures (crate::results::HEADLINES).
    "sweep_energy_cost_usd.png",
    "sweep_energy_cost_usd.svg",
    "compare_energy_cost_usd.png",
    "compare_energy_cost_usd.svg",
    "sweep_energy_mwh.png",
    "sweep_energy_mwh.svg",
    "compare_energy_mwh.png",
    "compare_energy_mwh.svg",
    "sweep_carbon_tco2e.png",
    "sweep_carbon_tco2e.svg",
    "compare_carbon_tco2e.png",
    "compare_carbon_tco2e.svg",
    "sweep_peak_facility_mw.png",
    "sweep_peak_facility_mw.svg",
    "compare_peak_facility_mw.png",
    "compare_peak_facility_mw.svg",
    "sweep_availability.png",
    "sweep_availability.svg",
    "compare_availability.png",
    "compare_availability.svg",
    "sweep_peak_chips_online.png",
    "sweep_peak_chips_online.svg",
    "compare_peak_chips_online.png",
    "compare_peak_chips_online.svg",
    "sweep_failures_total.png",
    "sweep_failures_total.svg",
    "compare_failures_total.png",
    "compare_failures_total.svg",
    "sweep_ettr_mean.png",
    "sweep_ettr_mean.svg",
    "compare_ettr_mean.png",
    "compare_ettr_mean.svg",
    "sweep_slo_attainment.png",
    "sweep_slo_attainment.svg",
    "compare_slo_attainment.png",
    "compare_slo_attainment.svg",
    "sweep_capex_usd.png",
    "sweep_capex_usd.svg",
    "compare_capex_usd.png",
    "compare_capex_usd.svg",
    "sweep_revenue_usd.png",
    "sweep_revenue_usd.svg",
    "compare_revenue_usd.png",
    "compare_revenue_usd.svg",
    "sweep_opex_usd.png",
    "sweep_opex_usd.svg",
    "compare_opex_usd.png",
    "compare_opex_usd.svg",
    "sweep_npv_usd.png",
    "sweep_npv_usd.svg",
    "compare_npv_usd.png",
    "compare_npv_usd.svg",
    "sweep_irr.png",
    "sweep_irr.svg",
    "compare_irr.png",
    "compare_irr.svg",
    "sweep_ebitda_usd.png",
    "sweep_ebitda_usd.svg",
    "compare_ebitda_usd.png",
    "compare_ebitda_usd.svg",
    "sweep_sla_credits_usd.png",
    "sweep_sla_credits_usd.svg",
    "compare_sla_credits_usd.png",
    "compare_sla_credits_usd.svg",
    "sweep_contract_delivered.png",
    "sweep_contract_delivered.svg",
    "compare_contract_delivered.png",
    "compare_contract_delivered.svg",
    "sweep_payback_months.png",
    "sweep_payback_months.svg",
    "compare_payback_months.png",
    "compare_payback_months.svg",
];

/// Why an output set could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Creating or writing a file or folder failed; the target folder was
    /// left as it was.
    #[error("cannot write {}: {source}{}; {} was left as it was", path.display(), fix(source), target.display())]
    Write {
        /// The file or folder that could not be written (by its final name).
        path: PathBuf,
        /// The target folder.
        target: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// Something dcsim does not write is where it must write.
    #[error("{}: {what}; dcsim writes only regular files and folders there and never follows a link: move it away, or choose another folder with --out", path.display())]
    InTheWay {
        /// The entry in the way.
        path: PathBuf,
        /// What it is, e.g. "is a symbolic link".
        what: &'static str,
    },
    /// A file stands where the target's parent folders must be.
    #[error("cannot create {}: {} is a file, not a folder; move it away, or choose another folder with --out", target.display(), path.display())]
    NotAFolder {
        /// The target folder.
        target: PathBuf,
        /// The file in the way.
        path: PathBuf,
    },
    /// The new set is in place, but an entry the user kept could not be
    /// moved back into it.
    #[error("the new files are in {}, but {} could not be moved back into it ({source}); it is in {}", target.display(), entry, left_in.display())]
    Restore {
        /// The target folder.
        target: PathBuf,
        /// The entry's name.
        entry: String,
        /// Where it is now.
        left_in: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// A file of the set could not be read back (to draw the charts and
    /// the report from it).
    #[error("cannot read back {} to draw the charts: {source}; {} was left as it was; rerun with --no-charts to write the CSV files without charts", path.display(), target.display())]
    ReadBack {
        /// The file, by its final name.
        path: PathBuf,
        /// The target folder.
        target: PathBuf,
        /// The system's error, or what is wrong with the file.
        source: io::Error,
    },
    /// A chart could not be drawn (a bug in dcsim).
    #[error("cannot draw the chart {name}: {message}; {} was left as it was; this is a bug in dcsim: please report it, and rerun with --no-charts to write the CSV files without charts", target.display())]
    Draw {
        /// The chart's file stem.
        name: String,
        /// What the plotting library said.
        message: String,
        /// The target folder.
        target: PathBuf,
    },
    /// The process is exiting on a signal; nothing was changed.
    #[error("interrupted; {} was left as it was", target.display())]
    Interrupted {
        /// The target folder.
        target: PathBuf,
    },
}

/// A short fix for common I/O errors, starting with "; ".
fn fix(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            "; choose a folder you can write with --out"
        }
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded | io::ErrorKind::FileTooLarge => {
            "; free some space, or choose another folder with --out"
        }
        _ => "; check the path, or choose another folder with --out",
    }
}

/// Staging folders of this process that exist now, and whether the process
/// is exiting (no new set may start or commit).
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static CLOSED: AtomicBool = AtomicBool::new(false);
static NEXT: AtomicU64 = AtomicU64::new(0);

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes every staging folder of this process and refuses new ones; for a
/// signal handler that exits right after. Waits for a commit in progress to
/// finish (so the target holds either the previous or the new set), and
/// keeps the registry locked so that no other commit starts.
pub fn abandon_all() {
    let guard = live();
    CLOSED.store(true, Ordering::SeqCst);
    for dir in guard.iter() {
        // The main thread may be creating a file in `dir` as this runs, so
        // that a removal finds the folder not empty at its end: try again
        // (new files are refused once `CLOSED` is set, so a few tries do).
        for _ in 0..100 {
            if fs::remove_dir_all(dir).is_ok() || fs::symlink_metadata(dir).is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
    // The process exits next; no set may start or commit until then.
    std::mem::forget(guard);
}

/// The files of one run, staged beside the target folder until
/// [`OutputSet::commit`].
#[derive(Debug)]
pub struct OutputSet {
    target: PathBuf,
    staging: PathBuf,
    files: Vec<&'static str>,
    staged: bool,
}

/// How an entry of the existing target folder is treated at commit.
enum Entry {
    /// Written by dcsim: it leaves with the previous set.
    Dcsim,
    /// The user's, hard-linked into the new set already.
    Linked,
    /// The user's, to move back after the swap.
    Move,
}

impl OutputSet {
    /// Prepares a set for `target` (created with its parents if missing):
    /// checks the target is a real folder or absent, and creates a fresh
    /// staging folder beside it.
    pub fn create(target: &Path) -> Result<OutputSet, OutputError> {
        let write_err = |path: &Path, source| OutputError::Write {
            path: path.to_path_buf(),
            target: target.to_path_buf(),
            source,
        };
        let name = target
            .file_name()
            .ok_or_else(|| OutputError::InTheWay {
                path: target.to_path_buf(),
                what: "does not name a folder",
            })?
            .to_string_lossy()
            .into_owned();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if let Err(e) = fs::create_dir_all(&parent) {
            // Name the file that stands where a folder is needed, if any.
            let file = parent
                .ancestors()
                .find(|a| fs::symlink_metadata(a).is_ok_and(|m| !m.is_dir()));
            return Err(match file {
                Some(f) => OutputError::NotAFolder {
                    target: target.to_path_buf(),
                    path: f.to_path_buf(),
                },
                None => write_err(&parent, e),
            });
        }
        check_target(target).map_err(|e| e.unwrap_or_else(|io| write_err(target, io)))?;
        let mut guard = live();
        if CLOSED.load(Ordering::SeqCst) {
            return Err(OutputError::Interrupted {
                target: target.to_path_buf(),
            });
        }
        let mut attempt = 0;
        let staging = loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let candidate = parent.join(format!(".{name}.dcsim-{}-{n}", std::process::id()));
            match fs::create_dir(&candidate) {
                Ok(()) => break candidate,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 1000 => {
                    attempt += 1;
                }
                Err(e) => return Err(write_err(&candidate, e)),
            }
        };
        guard.push(staging.clone());
        Ok(OutputSet {
            target: target.to_path_buf(),
            staging,
            files: Vec::new(),
            staged: true,
        })
    }

    /// Creates `name` (one of [`DCSIM_FILES`]) new in the staging folder,
    /// never through a link.
    pub fn create_file(&mut self, name: &'static str) -> Result<File, OutputError> {
        assert!(
            DCSIM_FILES.contains(&name),
            "{name} is not listed in DCSIM_FILES"
        );
        if CLOSED.load(Ordering::SeqCst) {
            return Err(OutputError::Interrupted {
                target: self.target.clone(),
            });
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
        }
        let file = options
            .open(self.staging.join(name))
            .map_err(|e| self.write_error(name, e))?;
        self.files.push(name);
        Ok(file)
    }

    /// Creates each of `files` (names from [`DCSIM_FILES`]) new in the
    /// staging folder and writes its bytes, then syncs them to disk all at
    /// once, one thread per file (the file system commits them together).
    pub fn write_files(&mut self, files: &[(&'static str, &[u8])]) -> Result<(), OutputError> {
        use std::io::Write;
        let mut opened = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let mut file = self.create_file(name)?;
            file.write_all(bytes)
                .map_err(|e| self.write_error(name, e))?;
            opened.push((*name, file));
        }
        let results: Vec<(&'static str, io::Result<()>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = opened
                .iter()
                .map(|(name, file)| scope.spawn(move || (*name, file.sync_all())))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a sync thread does not panic"))
                .collect()
        });
        for (name, result) in results {
            result.map_err(|e| self.write_error(name, e))?;
        }
        Ok(())
    }

    /// Opens `name`, a file this set has written (and the caller has
    /// flushed), for reading from the staging folder — never through a
    /// link. `Ok(None)` if the set holds no file of that name. Callers
    /// stream it: nothing here reads a whole file into memory.
    pub fn open_staged(&self, name: &str) -> Result<Option<File>, OutputError> {
        if !self.files.contains(&name) {
            return Ok(None);
        }
        let mut options = OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
        }
        options
            .open(self.staging.join(name))
            .map(Some)
            .map_err(|e| self.read_error(name, e))
    }

    /// An error reading `name` back, named by its final path.
    pub fn read_error(&self, name: &str, source: io::Error) -> OutputError {
        OutputError::ReadBack {
            path: self.target.join(name),
            target: self.target.clone(),
            source,
        }
    }

    /// An error drawing the chart `name`.
    pub fn draw_error(&self, name: &str, message: String) -> OutputError {
        OutputError::Draw {
            name: name.to_string(),
            message,
            target: self.target.clone(),
        }
    }

    /// An error writing `name`, named by its final path.
    pub fn write_error(&self, name: &str, source: io::Error) -> OutputError {
        OutputError::Write {
            path: self.target.join(name),
            target: self.target.clone(),
            source,
        }
    }

    /// Swaps the staged files in as the target's set (see the module docs)
    /// and returns their final paths. The caller has flushed and synced
    /// every file.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, OutputError> {
        let target = self.target.clone();
        let write_err = |path: &Path, source| OutputError::Write {
            path: path.to_path_buf(),
            target: target.clone(),
            source,
        };
        sync_dir(&self.staging).map_err(|e| write_err(&self.staging, e))?;
        let mut guard = live();
        if CLOSED.load(Ordering::SeqCst) {
            return Err(OutputError::Interrupted { target });
        }
        let exists =
            check_target(&target).map_err(|e| e.unwrap_or_else(|io| write_err(&target, io)))?;
        let paths: Vec<PathBuf> = self.files.iter().map(|f| target.join(f)).collect();
        if !exists {
            fs::rename(&self.staging, &target).map_err(|e| write_err(&target, e))?;
            self.finish_staging(&mut guard);
            let _ = sync_parent(&target);
            return Ok(paths);
        }

        // Sort the target's entries; link the user's into the new set.
        let mut plan = Vec::new();
        let listing = fs::read_dir(&target).map_err(|e| write_err(&target, e))?;
        for entry in listing {
            let entry = entry.map_err(|e| write_err(&target, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type().map_err(|e| write_err(&entry.path(), e))?;
            let ours = DCSIM_FILES.contains(&name.as_str()) || is_legacy_partial(&name);
            if ours && kind.is_dir() {
                return Err(OutputError::InTheWay {
                    path: entry.path(),
                    what: "is a folder where dcsim writes a file",
                });
            }
            let how = if ours {
                Entry::Dcsim
            } else if !kind.is_dir()
                && fs::hard_link(entry.path(), self.staging.join(&name)).is_ok()
            {
                Entry::Linked
            } else {
                Entry::Move
            };
            plan.push((name, how));
        }
        if let Ok(meta) = fs::metadata(&target) {
            let _ = fs::set_permissions(&self.staging, meta.permissions());
        }

        // The swap: afterwards the previous set is in `old`.
        let old = swap(&self.staging, &target).map_err(|e| write_err(&target, e))?;
        self.staged = false;
        guard.retain(|d| *d != self.staging);
        if old != self.staging {
            guard.push(old.clone());
        }

        let mut first_error = None;
        for (name, how) in &plan {
            let from = old.join(name);
            let done = match how {
                Entry::Dcsim | Entry::Linked => fs::remove_file(&from),
                Entry::Move => fs::rename(&from, target.join(name)),
            };
            if let Err(source) = done
                && matches!(how, Entry::Move)
                && first_error.is_none()
            {
                first_error = Some(OutputError::Restore {
                    target: target.clone(),
                    entry: name.clone(),
                    left_in: old.clone(),
                    source,
                });
            }
        }
        // Removes the folder only if nothing unexpected is left in it.
        let _ = fs::remove_dir(&old);
        guard.retain(|d| *d != old);
        drop(guard);
        let _ = sync_parent(&target);
        match first_error {
            Some(e) => Err(e),
            None => Ok(paths),
        }
    }

    /// The staging folder became the target: forget it.
    fn finish_staging(&mut self, guard: &mut MutexGuard<'static, Vec<PathBuf>>) {
        self.staged = false;
        guard.retain(|d| *d != self.staging);
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        if self.staged {
            let _ = fs::remove_dir_all(&self.staging);
            live().retain(|d| *d != self.staging);
        }
    }
}

/// The absolute path `path` names, its links resolved as far as it exists
/// (the rest appended as written, `..` applied).
fn resolved(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    // Resolve the longest existing ancestor; append the rest lexically.
    let mut rest = Vec::new();
    let mut base = absolute.as_path();
    loop {
        if let Ok(real) = fs::canonicalize(base) {
            let mut out = real;
            for c in rest.iter().rev() {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
        match (base.parent(), base.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                base = parent;
            }
            _ => return absolute,
        }
    }
}

/// Refuses an output folder `out` that is one of the `inputs` folders
/// (files), contains one, or lies inside one: writing the output set there
/// would replace or remove what is read. `flag` names the option (`--out`).
/// The message is one line, with the reason and the fix.
pub fn check_not_an_input(out: &Path, inputs: &[PathBuf], flag: &str) -> Result<(), String> {
    let target = resolved(out);
    for input in inputs {
        let source = resolved(input);
        let why = if source == target {
            "is"
        } else if source.starts_with(&target) {
            "contains"
        } else if target.starts_with(&source) {
            "is inside"
        } else {
            continue;
        };
        return Err(format!(
            "{flag} {}: the output folder {why} the input {}; its files would be replaced while they are read: choose an output folder apart from the inputs",
            out.display(),
            input.display()
        ));
    }
    Ok(())
}

/// `Ok(true)` if `target` is a real folder, `Ok(false)` if absent; an error
/// if it is a link or not a folder (`Ok(InTheWay)`), or cannot be examined.
fn check_target(target: &Path) -> Result<bool, Result<OutputError, io::Error>> {
    match fs::symlink_metadata(target) {
        Ok(m) if m.file_type().is_symlink() => Err(Ok(OutputError::InTheWay {
            path: target.to_path_buf(),
            what: "is a symbolic link",
        })),
        Ok(m) if m.is_dir() => Ok(true),
        Ok(_) => Err(Ok(OutputError::InTheWay {
            path: target.to_path_buf(),
            what: "is a file, not a folder",
        })),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Err(e)),
    }
}

/// `.timeseries.csv.partial` and the like: temporaries of dcsim versions
/// that wrote them inside the target folder.
fn is_legacy_partial(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".partial"))
        .is_some_and(|n| DCSIM_FILES.contains(&n))
}

/// Puts `staging` in place of `target` and returns where the previous
/// target folder now is.
fn swap(staging: &Path, target: &Path) -> io::Result<PathBuf> {
    if exchange(staging, target)? {
        return Ok(staging.to_path_buf());
    }
    // No atomic exchange here: rename the target aside, then the staging
    // folder into its place.
    let aside = PathBuf::from(format!("{}-previous", staging.display()));
    fs::rename(target, &aside)?;
    if let Err(e) = fs::rename(staging, target) {
        let _ = fs::rename(&aside, target);
        return Err(e);
    }
    Ok(aside)
}

/// Exchanges two folders atomically; `Ok(false)` where the system or file
/// system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    if FORCE_FALLBACK.load(Ordering::Relaxed) {
        return Ok(false);
    }
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Makes [`swap`] use its two-rename path (for its tests).
static FORCE_FALLBACK: AtomicBool = AtomicBool::new(false);

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => sync_dir(p),
        _ => sync_dir(Path::new(".")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_set(target: &Path, files: &[(&'static str, &str)]) -> Vec<PathBuf> {
        let mut set = OutputSet::create(target).unwrap();
        for (name, text) in files {
            let mut f = set.create_file(name).unwrap();
            f.write_all(text.as_bytes()).unwrap();
        }
        set.commit().unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn swaps_sets_keeping_user_files() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out").join("run");
        write_set(
            &target,
            &[("summary.csv", "old"), ("failures.csv", "old failures")],
        );
        fs::write(target.join("notes.txt"), "mine").unwrap();
        fs::create_dir(target.join("plots")).unwrap();
        fs::write(target.join("plots/a.png"), "png").unwrap();
        fs::write(target.join(".timeseries.csv.partial"), "legacy").unwrap();
        let paths = write_set(&target, &[("summary.csv", "new")]);
        assert_eq!(paths, [target.join("summary.csv")]);
        assert_eq!(names(&target), ["notes.txt", "plots", "summary.csv"]);
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_to_string(target.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            fs::read_to_string(target.join("plots/a.png")).unwrap(),
            "png"
        );
        assert_eq!(
            names(target.parent().unwrap()),
            ["run"],
            "no staging folder left"
        );
    }

    #[test]
    fn sets_swap_whole_and_keep_what_dcsim_did_not_write() {
        swaps_sets_keeping_user_files();
    }

    #[test]
    fn the_two_rename_fallback_gives_the_same_result() {
        FORCE_FALLBACK.store(true, Ordering::Relaxed);
        swaps_sets_keeping_user_files();
        FORCE_FALLBACK.store(false, Ordering::Relaxed);
    }

    #[test]
    fn a_set_dropped_before_commit_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("run");
        write_set(&target, &[("summary.csv", "old")]);
        let mut set = OutputSet::create(&target).unwrap();
        set.create_file("summary.csv")
            .unwrap()
            .write_all(b"new")
            .unwrap();
        drop(set);
        assert_eq!(names(tmp.path()), ["run"]);
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "old"
        );
    }

    #[test]
    fn links_and_folders_in_the_way_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = OutputSet::create(&link).unwrap_err();
        assert!(e.to_string().contains("is a symbolic link"), "{e}");

        let target = tmp.path().join("run");
        write_set(&target, &[("summary.csv", "old")]);
        fs::create_dir(target.join("buildout.csv")).unwrap();
        let mut set = OutputSet::create(&target).unwrap();
        set.create_file("buildout.csv").unwrap();
        let e = set.commit().unwrap_err();
        assert!(e.to_string().contains("buildout.csv: is a folder"), "{e}");
        assert_eq!(names(&target), ["buildout.csv", "summary.csv"]);
        assert_eq!(
            names(tmp.path()),
            ["link", "real", "run"],
            "staging removed"
        );
    }

    #[test]
    fn an_output_folder_overlapping_an_input_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("out").join("a");
        fs::create_dir_all(&a).unwrap();
        let inputs = [a.clone()];
        for (out, why) in [
            (a.clone(), "is the input"),
            (tmp.path().join("out"), "contains the input"),
            (a.join("sub").join("x"), "is inside the input"),
            (a.join("..").join("a"), "is the input"),
        ] {
            let e = check_not_an_input(&out, &inputs, "--out").unwrap_err();
            assert!(e.contains(why), "{e}");
        }
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(tmp.path().join("out"), &link).unwrap();
        let e = check_not_an_input(&link.join("a"), &inputs, "--out").unwrap_err();
        assert!(e.contains("is the input"), "{e}");
        assert!(check_not_an_input(&tmp.path().join("b"), &inputs, "--out").is_ok());
        assert!(check_not_an_input(&tmp.path().join("out").join("ab"), &inputs, "--out").is_ok());
    }

    #[test]
    fn legacy_partials_are_recognised() {
        assert!(is_legacy_partial(".timeseries.csv.partial"));
        assert!(!is_legacy_partial(".notes.txt.partial"));
        assert!(!is_legacy_partial("timeseries.csv"));
    }
}
