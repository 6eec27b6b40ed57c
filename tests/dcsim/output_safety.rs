//! A run's files appear as one set (issue 7 items 1, 2, 6): a rerun leaves
//! no stale file of an earlier run, a run killed or interrupted mid-write
//! leaves the previous set as it was, a planted link is never followed, a
//! write that fails names the file and changes nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{DEFAULT_RUN_FILES, dcsim, fixture, text};

fn path(p: &Path) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

/// Every entry of a folder with its bytes (folders and links marked).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let kind = e.file_type().unwrap();
            let bytes = if kind.is_symlink() {
                b"<link>".to_vec()
            } else if kind.is_dir() {
                b"<folder>".to_vec()
            } else {
                std::fs::read(e.path()).unwrap()
            };
            (name, bytes)
        })
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    snapshot(dir).into_keys().collect()
}

/// Two years of the default scenario instead of seven (its contract's term
/// shortened to match: a term must end inside the run).
const SHORT: [&str; 2] = ["duration=\"2y\"", "contracts[0].term=\"2y\""];

/// `dcsim run` on the built-in default scenario with `--set` arguments,
/// into `out/default/` (`--set name=default` keeps the folder's name, which
/// the other overrides would otherwise extend into a variant's).
fn run_default(out: &Path, sets: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run".to_string(),
        "--quiet".into(),
        "--out".into(),
        path(out),
        "--set".into(),
        "name=default".into(),
    ];
    for s in sets {
        args.push("--set".into());
        args.push(s.to_string());
    }
    dcsim(args)
}

/// A long run of the default scenario (many host failures: seconds of
/// simulation, a small output), started in the background.
fn spawn_long_run(out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dcsim"))
        .args(["run", "--quiet", "--out", &path(out)])
        .args(["--set", "failures.host.rate_per_million_hours=3000"])
        .args(["--set", "name=default"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dcsim starts")
}

/// Waits until the run has created its staging folder in `out`.
fn wait_for_staging(out: &Path, child: &mut Child) {
    let started = Instant::now();
    loop {
        if names(out).iter().any(|n| n.starts_with(".default.dcsim-")) {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended before it was interrupted: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no staging folder after 60 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits for the child, killing it after `limit`.
fn wait_at_most(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("dcsim did not exit within {limit:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A default run's files and the user's `notes.txt`, sorted.
fn with_notes() -> Vec<&'static str> {
    let mut names = DEFAULT_RUN_FILES.to_vec();
    names.push("notes.txt");
    names.sort();
    names
}

/// A previous set in `out/default/` (a month of the default scenario, with
/// the failure log) plus a file of the user's.
fn previous_set(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let first = run_default(out, &[SHORT[0], SHORT[1], "output.failures_log=true"]);
    assert_eq!(first.status.code(), Some(0), "{:?}", text(&first));
    std::fs::write(out.join("default/notes.txt"), "my notes").unwrap();
    snapshot(&out.join("default"))
}

#[test]
fn a_rerun_replaces_the_whole_set_and_keeps_the_users_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let before = previous_set(out);
    assert!(before.contains_key("failures.csv"));
    let second = run_default(out, &[SHORT[0], SHORT[1], "seed=2"]);
    assert_eq!(second.status.code(), Some(0), "{:?}", text(&second));
    let dir = out.join("default");
    assert_eq!(
        names(&dir),
        with_notes(),
        "the stale failures.csv of the first run is gone, notes.txt is kept"
    );
    assert_eq!(std::fs::read(dir.join("notes.txt")).unwrap(), b"my notes");
    assert_eq!(names(out), ["default"], "no staging folder left");
}

#[test]
fn a_run_killed_mid_write_leaves_the_previous_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let before = previous_set(out);
    let mut child = spawn_long_run(out);
    wait_for_staging(out, &mut child);
    std::thread::sleep(Duration::from_millis(100));
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    assert_eq!(
        snapshot(&out.join("default")),
        before,
        "the previous set, byte for byte, and nothing else"
    );
}

fn interrupt(signal: libc::c_int, code: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let before = previous_set(out);
    let mut child = spawn_long_run(out);
    wait_for_staging(out, &mut child);
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: kill(2) on the pid of a child this test started and has not
    // reaped yet.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0);
    let status = wait_at_most(&mut child, Duration::from_secs(30));
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(code), "{status}: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(
        snapshot(&out.join("default")),
        before,
        "previous set intact"
    );
    assert_eq!(names(out), ["default"], "no temporary left");
}

#[test]
fn sigterm_removes_the_temporaries_and_exits_143() {
    interrupt(libc::SIGTERM, 143);
}

#[test]
fn sigint_removes_the_temporaries_and_exits_130() {
    interrupt(libc::SIGINT, 130);
}

#[test]
fn sighup_removes_the_temporaries_and_exits_129() {
    interrupt(libc::SIGHUP, 129);
}

#[test]
fn a_planted_link_is_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "must stay").unwrap();
    let dir = out.join("default");
    std::fs::create_dir_all(&dir).unwrap();
    // Where dcsim used to write its temporaries, and a final name.
    std::os::unix::fs::symlink(&victim, dir.join(".timeseries.csv.partial")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("summary.csv")).unwrap();
    let run = run_default(&out, &SHORT);
    assert_eq!(run.status.code(), Some(0), "{:?}", text(&run));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "must stay");
    for name in ["timeseries.csv", "summary.csv"] {
        let meta = std::fs::symlink_metadata(dir.join(name)).unwrap();
        assert!(meta.file_type().is_file(), "{name} is a regular file");
    }
    assert_eq!(
        names(&dir),
        DEFAULT_RUN_FILES,
        "the planted links, in dcsim's names, are gone"
    );
}

#[test]
fn an_output_folder_that_is_a_link_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("default")).unwrap();
    let run = run_default(&out, &SHORT);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert!(names(&elsewhere).is_empty());
}

#[test]
fn a_folder_in_the_way_is_named_and_the_previous_set_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let dir = out.join("default");
    previous_set(out);
    std::fs::remove_file(dir.join("summary.csv")).unwrap();
    std::fs::create_dir(dir.join("summary.csv")).unwrap();
    let before = snapshot(&dir);
    let run = run_default(out, &[SHORT[0], SHORT[1], "seed=2"]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&path(&dir.join("summary.csv"))) && stderr.contains("is a folder"),
        "names the file: {stderr}"
    );
    assert_eq!(snapshot(&dir), before, "nothing changed");
    assert_eq!(names(out), ["default"], "no temporary left");
}

/// A write that fails mid-run (here: the file-size limit, as a full disk
/// would) names the file, exits 1 and leaves the previous set.
#[test]
fn a_failed_write_names_the_file_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let before = previous_set(out);
    // Ignore SIGXFSZ so that writing past the limit fails with EFBIG.
    let script = format!(
        "trap '' XFSZ; ulimit -f 64; exec '{}' run --quiet --out '{}' --set 'sample_every=\"1h\"' --set name=default",
        env!("CARGO_BIN_EXE_dcsim"),
        path(out)
    );
    let run = Command::new("sh").args(["-c", &script]).output().unwrap();
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&path(&out.join("default/timeseries.csv"))),
        "names the file: {stderr}"
    );
    assert_eq!(snapshot(&out.join("default")), before);
    assert_eq!(names(out), ["default"], "no temporary left");
}

#[test]
fn fixtures_still_run_into_a_fresh_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a/b");
    let run = dcsim([
        "run",
        &path(&fixture("physics_day.toml")),
        "--quiet",
        "--out",
        &path(&out),
    ]);
    assert_eq!(run.status.code(), Some(0), "{:?}", text(&run));
    assert_eq!(
        names(&out.join("physics-day")),
        [
            "buildout.csv",
            "capacity.csv",
            "chips.png",
            "chips.svg",
            "energy.png",
            "energy.svg",
            "power.png",
            "power.svg",
            "report.html",
            "run.json",
            "summary.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
}
