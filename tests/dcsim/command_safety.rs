//! Every command as safe as `run` (issue 17): `sweep`, `merge` and
//! `compare` write only inside their `--out`, follow no link under a
//! sweep's or shard's folder, never write where they read, and read run
//! folders back in bounded memory with every number checked. Each test is
//! a reproduction from the issue, through the real binary on
//! `scenarios/minimal.toml` (a month of ten racks).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Edit, dcsim, temp_dir, text};

fn minimal() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/minimal.toml")
        .display()
        .to_string()
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// Runs `dcsim ARGS`, killing it (and failing) after 60 s: a read that
/// hangs (a named pipe) or never ends (`/dev/zero`) fails the test.
fn dcsim_within(args: &[String]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dcsim"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dcsim starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dcsim {args:?} did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// `dcsim sweep minimal.toml --vary load.utilization=0.5,0.9 ARGS… --out
/// OUT --quiet`.
fn sweep(out: &Path, args: &[&str]) -> Output {
    let mut all: Vec<String> = ["sweep", &minimal(), "--vary", "load.utilization=0.5,0.9"]
        .map(String::from)
        .to_vec();
    all.extend(args.iter().map(|a| a.to_string()));
    all.extend(["--out".into(), p(out), "--quiet".into()]);
    dcsim_within(&all)
}

#[track_caller]
fn ok(o: &Output) {
    assert!(o.status.success(), "{}", text(o).1);
}

/// The message of a refusal (exit 2, one line, no backtrace).
#[track_caller]
fn refused(o: &Output) -> String {
    let (_, stderr) = text(o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

/// Two shards (0/2 and 1/2) of the sweep in `tmp/sh0`, `tmp/sh1`.
fn two_shards(tmp: &Path) -> [PathBuf; 2] {
    let shards = [tmp.join("sh0"), tmp.join("sh1")];
    for (i, dir) in shards.iter().enumerate() {
        ok(&sweep(dir, &["--shard", &format!("{i}/2")]));
    }
    shards
}

fn merge(shards: &[PathBuf], out: &Path) -> Output {
    let mut args = vec!["merge".to_string()];
    args.extend(shards.iter().map(|d| p(d)));
    args.extend(["--out".into(), p(out), "--quiet".into()]);
    dcsim_within(&args)
}

/// Replaces `from` by `to` in a shard's manifest.
fn edit_manifest(shard: &Path, from: &str, to: &str) {
    let path = shard.join("shard.json");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{text}");
    fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn merge_refuses_run_ids_that_are_paths() {
    let tmp = temp_dir("safety-merge-ids");
    let shards = two_shards(&tmp);
    // The user's folder X, beside the merge's output's parent.
    let x = tmp.join("X");
    fs::create_dir(&x).unwrap();
    fs::write(x.join("summary.csv"), "mine").unwrap();
    for shard in &shards {
        edit_manifest(shard, "\"r0000\"", "\"../../X\"");
    }
    let out = tmp.join("m").join("m1");
    let e = refused(&merge(&shards, &out));
    assert!(e.contains("shard.json"), "{e}");
    assert!(e.contains("the file was changed"), "{e}");
    assert_eq!(fs::read(x.join("summary.csv")).unwrap(), b"mine");
    assert_eq!(fs::read_dir(&x).unwrap().count(), 1, "nothing written in X");
    assert!(!out.exists());

    // An absolute id: the source and the target one folder.
    let absolute = p(&shards[0].join("runs").join("r0002"));
    for shard in &shards {
        edit_manifest(shard, "\"../../X\"", &format!("{absolute:?}"));
    }
    let e = refused(&merge(&shards, &out));
    assert!(e.contains("the file was changed"), "{e}");
    assert!(!out.exists());
}

#[test]
fn merge_refuses_a_manifest_whose_listed_runs_are_not_its_shards() {
    let tmp = temp_dir("safety-merge-list");
    let shards = two_shards(&tmp);
    // Shard 0 of 2 holds r0000 and r0002; list r0001 instead.
    edit_manifest(
        &shards[0],
        "\"runs\": [\n    \"r0000\"",
        "\"runs\": [\n    \"r0001\"",
    );
    let e = refused(&merge(&shards, &tmp.join("m")));
    assert!(e.contains("not those of shard 0/2"), "{e}");
}

#[test]
fn a_sweep_never_writes_through_a_link_at_runs() {
    let tmp = temp_dir("safety-sweep-runs-link");
    let outside = tmp.join("outside");
    fs::create_dir(&outside).unwrap();
    let sw = tmp.join("sw");
    fs::create_dir(&sw).unwrap();
    std::os::unix::fs::symlink("../outside", sw.join("runs")).unwrap();
    let o = sweep(&sw, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o).1);
    let e = text(&o).1;
    assert!(e.contains("runs: is a symbolic link"), "{e}");
    assert_eq!(
        fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing outside"
    );
}

/// A named pipe at `path`.
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(p(path)).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn merge_copies_no_link_device_or_pipe_from_a_shard() {
    let tmp = temp_dir("safety-merge-links");
    let shards = two_shards(&tmp);
    let secret = tmp.join("secret.txt");
    fs::write(&secret, "outside content").unwrap();
    let run = shards[0].join("runs").join("r0000");
    let target = run.join("buildout.csv");
    for (plant, what) in [
        ("secret", "a symbolic link"),
        ("zero", "a symbolic link"),
        ("fifo", "a named pipe"),
    ] {
        fs::remove_file(&target).unwrap();
        match plant {
            "secret" => std::os::unix::fs::symlink(&secret, &target).unwrap(),
            "zero" => std::os::unix::fs::symlink("/dev/zero", &target).unwrap(),
            _ => mkfifo(&target),
        }
        let out = tmp.join(format!("m-{plant}"));
        let e = refused(&merge(&shards, &out));
        assert!(e.contains("buildout.csv: cannot read: it is"), "{e}");
        assert!(e.contains(what), "{e}");
        // The sweep's files are not written; no run holds the secret.
        assert!(!out.join("sweep.csv").exists());
        let copied = out.join("runs").join("r0000").join("buildout.csv");
        assert!(!copied.exists(), "{plant}");
    }
    // The shard's `runs` folder itself a link: refused.
    let runs = shards[1].join("runs");
    fs::rename(&runs, tmp.join("moved")).unwrap();
    std::os::unix::fs::symlink(tmp.join("moved"), &runs).unwrap();
    let e = refused(&merge(&shards, &tmp.join("m-runs")));
    assert!(e.contains("runs: is a symbolic link"), "{e}");
}

#[test]
fn a_resumed_sweep_reads_no_run_record_through_a_link_or_pipe() {
    let tmp = temp_dir("safety-resume");
    let sw = tmp.join("sw");
    ok(&sweep(&sw, &[]));
    let record = sw.join("runs").join("r0000").join("run.json");
    let good = fs::read(&record).unwrap();
    fs::remove_file(&record).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &record).unwrap();
    let record1 = sw.join("runs").join("r0001").join("run.json");
    fs::remove_file(&record1).unwrap();
    mkfifo(&record1);
    // Both runs are redone (their records are not readable), and replaced
    // whole: each run.json is a regular file again.
    let o = sweep(&sw, &[]);
    ok(&o);
    for r in [&record, &record1] {
        assert!(
            fs::symlink_metadata(r).unwrap().is_file(),
            "{}",
            r.display()
        );
    }
    assert_eq!(fs::read(&record).unwrap(), good);
}

/// A run of `minimal.toml` with `--set ARGS` into `dir`.
fn run_into(dir: &Path, sets: &[&str]) {
    let mut args = vec!["run".to_string(), minimal(), "--quiet".into()];
    for s in sets {
        args.extend(["--set".into(), s.to_string()]);
    }
    args.extend(["--out".into(), p(dir)]);
    ok(&dcsim(&args));
}

/// Every file of a folder with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.file_type().unwrap().is_dir() {
                Vec::new()
            } else {
                fs::read(e.path()).unwrap()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn an_output_folder_is_never_an_input() {
    let tmp = temp_dir("safety-out-is-input");
    let out = tmp.join("out");
    run_into(&out, &[]);
    run_into(&out, &["load.utilization=0.9", "name=\"other\""]);
    let (a, b) = (out.join("minimal"), out.join("other"));
    let before = contents(&a);
    let compare = |dest: &Path| {
        dcsim_within(&[
            "compare".into(),
            p(&a),
            p(&b),
            "--out".into(),
            p(dest),
            "--quiet".into(),
        ])
    };
    let e = refused(&compare(&a));
    assert!(e.contains("the output folder is the input"), "{e}");
    let e = refused(&compare(&out));
    assert!(e.contains("the output folder contains the input"), "{e}");
    assert_eq!(contents(&a), before, "run a's files are as they were");

    // merge --out at one of its shards.
    let shards = two_shards(&tmp);
    let shard_before = contents(&shards[0]);
    let e = refused(&merge(&shards, &shards[0]));
    assert!(e.contains("the output folder is the input"), "{e}");
    assert_eq!(contents(&shards[0]), shard_before);

    // sweep --out at a run folder.
    let e = refused(&sweep(&a, &[]));
    assert!(e.contains("holds a run's output (summary.csv)"), "{e}");
    assert_eq!(contents(&a), before);
}

#[test]
fn compare_refuses_bad_numbers_and_huge_series_before_writing() {
    let tmp = temp_dir("safety-compare-numbers");
    let out = tmp.join("out");
    run_into(&out, &[]);
    run_into(&out, &["name=\"other\""]);
    let (a, b) = (out.join("minimal"), out.join("other"));
    let compare = || {
        dcsim_within(&[
            "compare".into(),
            p(&a),
            p(&b),
            "--out".into(),
            p(&tmp.join("cmp")),
            "--quiet".into(),
        ])
    };
    ok(&compare());
    let series = b.join("timeseries.csv");
    let good = fs::read_to_string(&series).unwrap();
    let header: Vec<&str> = good.lines().next().unwrap().split(',').collect();
    let power = header
        .iter()
        .position(|c| *c == "facility_power_mw")
        .unwrap();
    for bad in ["NaN", "inf", "1e308", "-1e308", "1e-320"] {
        // The third line's facility power replaced.
        let mut lines: Vec<String> = good.lines().map(String::from).collect();
        let mut cells: Vec<&str> = lines[2].split(',').collect();
        cells[power] = bad;
        lines[2] = cells.join(",");
        fs::write(&series, lines.join("\n") + "\n").unwrap();
        let e = refused(&compare());
        assert!(
            e.contains("timeseries.csv: line 3, column facility_power_mw:"),
            "{bad}: {e}"
        );
    }
    fs::write(&series, &good).unwrap();
    // A summary value: NaN refused with its column.
    let summary = b.join("summary.csv");
    let text = fs::read_to_string(&summary).unwrap();
    let (head, row) = text.split_once('\n').unwrap();
    let at = head.split(',').position(|c| c == "energy_mwh").unwrap();
    let mut cells: Vec<&str> = row.trim_end().split(',').collect();
    cells[at] = "NaN";
    fs::write(&summary, format!("{head}\n{}\n", cells.join(","))).unwrap();
    let e = refused(&compare());
    assert!(
        e.contains("summary.csv: line 2, column energy_mwh: NaN is not a finite number"),
        "{e}"
    );
    fs::write(&summary, &text).unwrap();
    // A sparse time series beyond the bound: refused at once, unread.
    let f = fs::File::create(&series).unwrap();
    // The documented bound: 4 GiB.
    f.set_len(4 * 1024 * 1024 * 1024 + 1).unwrap();
    let e = refused(&compare());
    assert!(
        e.contains("timeseries.csv: cannot read: it is larger than"),
        "{e}"
    );
    // A link as the time series: refused, not followed.
    fs::remove_file(&series).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &series).unwrap();
    let e = refused(&compare());
    assert!(e.contains("a symbolic link"), "{e}");
}

// Item 5: every run's size known before it starts.

#[test]
fn a_sweep_of_too_many_runs_is_refused_before_it_starts() {
    let tmp = temp_dir("safety-sweep-count");
    for replications in ["1000000", "100000000"] {
        let o = sweep(&tmp.join("sw"), &["--replications", replications]);
        let e = refused(&o);
        // 2 values × the replications, in the message.
        let runs = 2.0 * replications.parse::<f64>().unwrap();
        assert!(e.contains(&format!("asks for {runs:.3e} runs")), "{e}");
        assert!(e.contains("at most 100000 runs"), "{e}");
        assert!(!tmp.join("sw").exists());
    }
}

/// A one-request Azure trace of `context` prompt tokens, in `dir`.
fn azure_trace(dir: &Path, context: u64) -> PathBuf {
    let path = dir.join("t.csv");
    fs::write(
        &path,
        format!(
            "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:47.0000000,{context},5\n"
        ),
    )
    .unwrap();
    path
}

fn replay(trace: &Path, out: &Path, args: &[&str]) -> Output {
    let mut all = vec!["replay".to_string(), p(trace), "--out".into(), p(out)];
    all.extend(args.iter().map(|a| a.to_string()));
    dcsim_within(&all)
}

#[test]
fn replay_options_are_bounded_and_named() {
    let tmp = temp_dir("safety-replay");
    let trace = azure_trace(&tmp, 100);
    let out = tmp.join("out");
    for (args, said) in [
        (
            vec!["--replicas", "0"],
            "--replicas 0: give 1 to 1000000 replicas",
        ),
        (
            vec!["--replicas", "4000000000"],
            "--replicas 4000000000: give 1 to 1000000 replicas",
        ),
        (
            vec!["--max-batch", "0"],
            "--max-batch 0: give a batch cap of 1 to",
        ),
        (
            vec!["--replicas", "1000000", "--max-batch", "1001"],
            // 10^6 × 1001 slots, beyond 10^9.
            "--replicas 1000000 x --max-batch 1001 is 1001000000 batch slots",
        ),
    ] {
        let e = refused(&replay(&trace, &out, &args));
        assert!(e.contains(said), "{args:?}: {e}");
        assert!(!e.contains("t.csv"), "the option, not the trace: {e}");
    }
    assert!(!out.exists());
    // A million replicas within the bound run (each allocates what it uses).
    let o = replay(
        &trace,
        &out,
        &["--replicas", "1000000", "--max-batch", "1000"],
    );
    ok(&o);
}

#[test]
fn a_replay_whose_every_request_is_rejected_writes_no_nan() {
    let tmp = temp_dir("safety-replay-rejected");
    // A prompt of 4·10^9 tokens: beyond any replica's KV cache.
    let trace = azure_trace(&tmp, 4_000_000_000);
    let out = tmp.join("out");
    ok(&replay(&trace, &out, &[]));
    let (header, rows) = crate::common::read_csv(&out.join("replay-t").join("replay_summary.csv"));
    let at = |c: &str| header.iter().position(|h| h == c).unwrap();
    assert_eq!(rows[0][at("rejected")], "1");
    for c in ["ttft_mean_s", "ttft_p99_s", "tpot_mean_s", "e2e_p50_s"] {
        assert_eq!(rows[0][at(c)], "", "{c}: empty, as elsewhere");
    }
    for cell in &rows[0] {
        assert!(!cell.to_lowercase().contains("nan"), "{cell}");
    }
}

// Item 8: names without control characters; every SVG well-formed.

#[test]
fn the_xml_check_finds_what_xml_cannot_carry() {
    use crate::common::check_xml;
    assert_eq!(
        check_xml("<?xml version=\"1.0\"?>\n<svg a=\"x &amp; y\"><text>a &lt; b</text><g/></svg>"),
        Ok(())
    );
    for bad in [
        "<svg><text>\u{1}</text></svg>",
        "<svg><text>a & b</text></svg>",
        "<svg><text>a</svg>",
        "<svg a=\"<\"></svg>",
        "<svg></svg><svg></svg>",
    ] {
        assert!(check_xml(bad).is_err(), "{bad}");
    }
}

#[test]
fn names_with_control_characters_are_refused() {
    for (set, field) in [
        ("sites[0].name=\"a\\u0001b\"", "sites[0].name"),
        ("services[0].name=\"chat\\u0000\"", "services[0].name"),
    ] {
        let o = dcsim_within(&[
            "run".into(),
            "--set".into(),
            set.into(),
            "--out".into(),
            "/nonexistent-dcsim-out".into(),
        ]);
        let e = text(&o).1;
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(
            e.contains(field) && e.contains("holds a control character"),
            "{e}"
        );
        assert!(e.contains("\\u{1}") || e.contains("\\0"), "escaped: {e}");
    }
}

#[test]
fn every_svg_of_a_run_a_comparison_and_a_sweep_is_well_formed_xml() {
    let tmp = temp_dir("safety-svg");
    // Names with every character XML escapes.
    let sets = [
        "duration=\"2y\"",
        "contracts[0].term=\"2y\"",
        "sites[0].name=\"a<b & 'c' \\\"d\\\"\"",
        "links[0].from=\"a<b & 'c' \\\"d\\\"\"",
        "services[0].name=\"chat<&>\"",
    ];
    let mut args = vec!["run".to_string(), "--quiet".into()];
    for s in sets {
        args.extend(["--set".into(), s.into()]);
    }
    args.extend(["--out".into(), p(&tmp.join("runs"))]);
    // Each run names its folder (a run with --set otherwise writes a variant
    // folder named from its overrides).
    for name in ["base", "other"] {
        let mut named = args.clone();
        named.extend(["--set".into(), format!("name=\"{name}\"")]);
        ok(&dcsim_within(&named));
    }
    let (a, b) = (
        tmp.join("runs").join("base"),
        tmp.join("runs").join("other"),
    );
    ok(&dcsim_within(&[
        "compare".into(),
        p(&a),
        p(&b),
        "--out".into(),
        p(&tmp.join("cmp")),
        "--quiet".into(),
    ]));
    ok(&sweep(&tmp.join("sw"), &[]));
    let svgs = crate::common::svg_files(&tmp);
    // 7 charts a default run, 2 runs; a comparison's and a sweep's.
    assert!(svgs.len() >= 14 + 4 + 4, "{svgs:?}");
    for svg in svgs {
        let text = fs::read_to_string(&svg).unwrap();
        if let Err(e) = crate::common::check_xml(&text) {
            panic!("{}: {e}", svg.display());
        }
    }
}

/// A scenario of ten H100 servers with a job trace `jobs.csv` beside it.
fn with_job_trace(dir: &Path, trace: &[u8], rack: &str) -> PathBuf {
    let toml = format!(
        "name = \"t\"\nstart = \"2026-01-01\"\nduration = \"30d\"\n\
         [[sites]]\nname = \"campus\"\ngrid_mw = 20\npue = 1.2\n\
         [sites.price]\nusd_per_mwh = 60\n[sites.carbon]\nkg_per_mwh = 400\n\
         [[sites.buildout]]\nrack = \"{rack}\"\ncount = 10\ndate = \"2026-01-01\"\n\
         [[traces]]\nname = \"replay\"\nfile = \"jobs.csv\"\nrack = \"hgx-h100\"\n"
    );
    fs::write(dir.join("jobs.csv"), trace).unwrap();
    let path = dir.join("t.toml");
    fs::write(&path, toml).unwrap();
    path
}

/// Issue 17, item 7: a message quotes at most about 80 characters of the
/// input, escaped, on one line: a job trace of 4 MiB of NUL bytes, a
/// trace header with an unclosed quote (the field runs to the end of the
/// file), and a `\n` inside a TOML string echoed in a message.
#[test]
fn messages_quote_little_and_stay_one_line() {
    let dir = temp_dir("short-messages");
    let check = |out: &Output, want: &str| {
        let (_, err) = text(out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(first.contains(want), "{err}");
        // The folder's path aside, the message is short: at most 80
        // characters quoted (a NUL escaped as `\0` is two bytes).
        let own = err.replace(&p(&dir), "");
        let first_own = first.replace(&p(&dir), "");
        assert!(first_own.len() < 300, "{} bytes: {own}", first_own.len());
        // One line per problem, each naming its file.
        for line in err.trim_end().lines() {
            assert!(
                line.starts_with(&p(&dir)),
                "a line that is not a problem: {err}"
            );
        }
    };
    let nul = with_job_trace(&dir, &vec![0u8; 4 << 20], "hgx-h100");
    check(&dcsim_within(&["validate".into(), p(&nul)]), "jobs.csv:1:1");
    let mut unclosed = b"submit,\"chips,ideal_duration\n".to_vec();
    for _ in 0..2000 {
        unclosed.extend_from_slice(b"0s,8,10h\n");
    }
    let quoted = with_job_trace(&dir, &unclosed, "hgx-h100");
    check(
        &dcsim_within(&["validate".into(), p(&quoted)]),
        "unknown column",
    );
    let ok = b"submit,chips,ideal_duration\n0s,8,10h\n";
    let newline = with_job_trace(&dir, ok, "hgx\\nh100");
    check(
        &dcsim_within(&["validate".into(), p(&newline)]),
        "hgx\\nh100",
    );
}

/// An Azure trace of `n` requests, 10 ms apart from 18:00.
fn long_azure_trace(path: &Path, n: u64) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(fs::File::create(path).unwrap());
    writeln!(w, "TIMESTAMP,ContextTokens,GeneratedTokens").unwrap();
    for i in 0..n {
        let ms = i * 10;
        let (h, m, s) = (18 + ms / 3_600_000, ms / 60_000 % 60, ms % 60_000);
        writeln!(
            w,
            "2023-11-16 {h:02}:{m:02}:{:02}.{:03}0000,{},{}",
            s / 1000,
            s % 1000,
            100 + i % 500,
            20 + i % 200
        )
        .unwrap();
    }
    w.flush().unwrap();
}

/// Issue 17, item 6: `replay --requests-csv` interrupted while it writes
/// (its staging folder `.replay-<stem>.dcsim-…` exists) removes the
/// staging folder and exits 128 + the signal, for SIGINT, SIGTERM and
/// SIGHUP (a closed terminal).
#[test]
fn an_interrupted_replay_leaves_no_staging_folder() {
    let dir = temp_dir("replay-signal");
    let trace = dir.join("big.csv");
    long_azure_trace(&trace, 1_000_000);
    for (signal, code) in [
        (libc::SIGINT, 130),
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
    ] {
        let out = dir.join(format!("out{signal}"));
        fs::create_dir(&out).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_dcsim"))
            .args(["replay", &p(&trace), "--requests-csv", "--replicas", "64"])
            .args(["--out", &p(&out)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dcsim starts");
        let started = Instant::now();
        let staging = || {
            fs::read_dir(&out).unwrap().any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".replay-big")
            })
        };
        while !staging() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the replay ended before it was interrupted: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "no staging folder"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        // SAFETY: kill(2) on the pid of a child this test started and has
        // not reaped yet.
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("the replay did not exit within 30 s of signal {signal}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        assert_eq!(
            status.code(),
            Some(code),
            "signal {signal}: {status}: {stderr}"
        );
        let left: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(left.is_empty(), "signal {signal} left {left:?}");
    }
}

/// Issue 17, item 5: `failures.csv` is counted in the output bound before
/// the run. The minimal scenario's ten GB200 NVL72 racks (18 nodes each)
/// with a host failure rate of one per node-hour over 100 years give about
/// 180 × 876,576 h ≈ 1.578e8 failures (the other classes' catalog rates
/// add about 0.01 %), over the 2·10⁷ rows allowed: refused at
/// `output.failures_log` with the estimate; the same over 30 days runs.
#[test]
fn a_failures_log_beyond_the_bound_is_refused_with_the_estimate() {
    let dir = temp_dir("failures-log-bound");
    let base = fs::read_to_string(minimal()).unwrap();
    let scenario = |duration: &str| {
        let text = base.edit("duration = \"30d\"", &format!("duration = \"{duration}\""))
            + "\n[output]\nfailures_log = true\n\n[failures.host]\nrate_per_million_hours = 1000000\n";
        let path = dir.join(format!("m{duration}.toml"));
        fs::write(&path, text).unwrap();
        path
    };
    let long = dcsim_within(&["validate".into(), p(&scenario("100y"))]);
    let (_, err) = text(&long);
    assert_eq!(long.status.code(), Some(2), "{err}");
    assert!(err.contains("output.failures_log:"), "{err}");
    assert!(err.contains("failures.csv"), "{err}");
    // 2026-01-01 to 2126-01-01: 100 years, 24 of them leap years (2028
    // to 2124, but not 2100).
    let hours = (100.0 * 365.0 + 24.0) * 24.0;
    let by_hand = 10.0 * 18.0 * 1.0 * hours;
    let estimate: f64 = err
        .split("about ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no estimate in {err}"));
    assert!(
        estimate >= by_hand * 0.999 && estimate <= by_hand * 1.001,
        "estimate {estimate} vs {by_hand} by hand"
    );
    let short = dcsim_within(&["validate".into(), p(&scenario("30d"))]);
    assert_eq!(short.status.code(), Some(0), "{:?}", text(&short));
}
