//! A sharded sweep on a real Slurm cluster (issue 11): a three-task job
//! array and its merge, submitted by `scripts/slurm-sweep.sh`, give the
//! same bytes as the sweep run in one place; a failing array cancels its
//! merge. Needs a running Slurm (`bash scripts/slurm-local.sh install up`,
//! as `.ci/run` does when it can), so the test is ignored by default:
//! `.ci/run` runs it with `--ignored` once its Slurm is up.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{dcsim, same_files, temp_dir, text};

/// Whether a Slurm controller answers with a usable node.
pub(crate) fn slurm_is_up() -> Result<(), String> {
    let out = Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .map_err(|e| format!("sinfo cannot run ({e})"))?;
    let states = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "sinfo failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    if !states
        .lines()
        .any(|s| s.starts_with("idle") || s.starts_with("mix") || s.starts_with("alloc"))
    {
        return Err(format!("no node is up (sinfo: {})", states.trim()));
    }
    Ok(())
}

/// The state of a job (`COMPLETED`, `CANCELLED`, …) from `scontrol`.
fn job_state(id: &str) -> String {
    let out = Command::new("scontrol")
        .args(["show", "job", id])
        .output()
        .expect("scontrol runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("JobState="))
        .unwrap_or("UNKNOWN")
        .to_string()
}

/// Waits until job `id` has ended; returns its state.
pub(crate) fn wait_for(id: &str, also_cancel: &str) -> String {
    let started = Instant::now();
    loop {
        let state = job_state(id);
        if !matches!(
            state.as_str(),
            "PENDING" | "RUNNING" | "CONFIGURING" | "COMPLETING" | "UNKNOWN"
        ) {
            return state;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = Command::new("scancel").args([id, also_cancel]).status();
            panic!("job {id} still {state} after 180 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Submits the sweep of `args` as `shards` shards into `out`; returns the
/// array's and the merge's job ids.
fn submit(shards: usize, out: &Path, args: &[&str]) -> (String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-sweep.sh");
    let o = Command::new("bash")
        .arg(&script)
        .arg(shards.to_string())
        .arg(out)
        .args(args)
        .env("DCSIM", env!("CARGO_BIN_EXE_dcsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("bash runs");
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "slurm-sweep.sh failed:\n{stderr}");
    let words: Vec<&str> = stdout.split_whitespace().collect();
    match words[..] {
        ["array", array, "merge", merge] => (array.to_string(), merge.to_string()),
        _ => panic!("slurm-sweep.sh printed {stdout:?}"),
    }
}

#[test]
#[ignore = "needs a running Slurm cluster: sudo bash scripts/slurm-local.sh install up"]
fn a_job_array_and_its_merge_give_the_sweeps_bytes() {
    if let Err(why) = slurm_is_up() {
        panic!(
            "no local Slurm: {why} (start one with `sudo bash scripts/slurm-local.sh install up`)"
        );
    }
    let tmp = temp_dir("slurm");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/minimal.toml")
        .display()
        .to_string();
    let sweep = [
        scenario.as_str(),
        "--vary",
        "load.utilization=0.5,0.9",
        "--replications",
        "2",
    ];
    let whole = tmp.join("whole");
    let mut args = vec!["sweep"];
    args.extend(sweep);
    let whole_arg = whole.display().to_string();
    args.extend(["--out", whole_arg.as_str(), "--quiet"]);
    let o = dcsim(&args);
    assert!(o.status.success(), "{}", text(&o).1);

    let cluster = tmp.join("cluster");
    let (array, merge) = submit(3, &cluster, &sweep);
    let state = wait_for(&merge, &array);
    let log = std::fs::read_to_string(cluster.join("logs/merge.out")).unwrap_or_default();
    assert_eq!(state, "COMPLETED", "merge job {merge}: {log}");
    for i in 0..3 {
        assert!(cluster.join(format!("shard-{i}/shard.json")).is_file());
    }
    assert!(
        same_files(&whole, &cluster.join("merged")),
        "the merged sweep differs from the sweep run here"
    );

    // A failing array (a value of the wrong type): the merge is cancelled,
    // not left waiting.
    let failing = tmp.join("failing");
    let bad = [scenario.as_str(), "--vary", "load.utilization=0.5,lots"];
    let (array, merge) = submit(2, &failing, &bad);
    let state = wait_for(&merge, &array);
    assert_eq!(state, "CANCELLED", "the merge of a failed array");
    assert!(!failing.join("merged").exists());
}

/// Without Slurm, `scripts/slurm-sweep.sh` says how to get it and exits 2,
/// instead of ending on a shell's "sbatch: command not found".
#[test]
fn the_submit_script_without_sbatch_says_how_to_get_slurm() {
    let empty = temp_dir("slurm-no-sbatch");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-sweep.sh");
    // bash by its full path, and a PATH of one empty folder: no sbatch,
    // whatever this machine has installed.
    let bash = ["/bin/bash", "/usr/bin/bash"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("bash is installed");
    let out = Command::new(bash)
        .arg(&script)
        .args([
            "3",
            "/tmp/nowhere",
            "scenarios/minimal.toml",
            "--replications",
            "2",
        ])
        .env("PATH", empty.as_os_str())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("bash runs");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("sbatch not found")
            && stderr.contains("scripts/slurm-local.sh install up")
            && stderr.contains("docs/slurm.md"),
        "{stderr}"
    );
    assert!(!stderr.contains("command not found"), "{stderr}");
    assert!(!Path::new("/tmp/nowhere").exists());
}
