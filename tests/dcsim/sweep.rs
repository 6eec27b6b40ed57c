//! Sweeps, shards, merges and comparisons (issue 11), through the real
//! binary on `scenarios/minimal.toml` (a month of ten racks: a run takes a
//! few milliseconds).

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Edit, dcsim, files, read_csv, same_files, temp_dir, text};

fn minimal() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/minimal.toml")
        .display()
        .to_string()
}

/// `dcsim sweep minimal.toml ARGS… --out OUT --quiet`, which must succeed;
/// returns stdout.
fn sweep(args: &[&str], out: &Path) -> String {
    sweep_file(&minimal(), args, out)
}

/// `dcsim sweep FILE ARGS… --out OUT --quiet`, which must succeed.
fn sweep_file(m: &str, args: &[&str], out: &Path) -> String {
    let mut all = vec!["sweep", m];
    all.extend_from_slice(args);
    let out_arg = out.display().to_string();
    all.extend(["--out", out_arg.as_str()]);
    let o = dcsim(&all);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "dcsim {all:?} failed:\n{stderr}");
    stdout
}

/// The sweep of these tests: 2 values × 3 replications.
const VARY: [&str; 4] = ["--vary", "load.utilization=0.5,0.9", "--replications", "3"];

#[test]
fn one_and_two_threads_write_the_same_bytes() {
    let tmp = temp_dir("sweep-jobs");
    let (a, b) = (tmp.join("j1"), tmp.join("j2"));
    let mut args = VARY.to_vec();
    args.extend(["--jobs", "1"]);
    let said = sweep(&args, &a);
    assert!(
        said.contains("6 runs (2 combination(s) x 3 replication(s)), 1 at a time: ran 6, kept 0"),
        "{said}"
    );
    args[5] = "2";
    sweep(&args, &b);
    assert!(same_files(&a, &b), "--jobs 1 and --jobs 2 differ");

    // The folder: one run folder per run with its record, and the sweep's files.
    let names: Vec<String> = files(&a).iter().map(|p| p.display().to_string()).collect();
    for id in ["r0000", "r0005"] {
        for f in ["run.json", "summary.csv", "timeseries.csv", "buildout.csv"] {
            assert!(
                names.contains(&format!("runs/{id}/{f}")),
                "{id}/{f}: {names:?}"
            );
        }
    }
    for f in [
        "sweep.json",
        "sweep.csv",
        "sweep_summary.csv",
        "sweep_energy_cost_usd.png",
        "sweep_energy_cost_usd.svg",
        "sweep_availability.png",
    ] {
        assert!(names.contains(&f.to_string()), "{f}: {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.contains("npv")),
        "no books, no NPV chart"
    );
    assert!(
        !names.iter().any(|n| n.contains(".dcsim-")),
        "no staging left"
    );

    // sweep.csv: one row per run in id order, its values and seeds.
    let (header, rows) = read_csv(&a.join("sweep.csv"));
    assert_eq!(
        header[..6],
        [
            "id",
            "replication",
            "seed",
            "param_load.utilization",
            "scenario",
            "sites"
        ]
    );
    assert_eq!(header.iter().filter(|h| *h == "seed").count(), 1);
    assert_eq!(rows.len(), 6);
    for (k, row) in rows.iter().enumerate() {
        let r = (k % 3) as u32;
        assert_eq!(row[0], format!("r{k:04}"));
        assert_eq!(row[1], r.to_string());
        // minimal.toml has no seed: the default, 1, for replication 0;
        // each replication has its own seed, the same in every combination
        // (common random numbers).
        assert_eq!(row[2] == "1", r == 0, "{row:?}");
        assert_eq!(row[2], rows[r as usize][2], "{row:?}");
        assert_eq!(row[3], if k < 3 { "0.5" } else { "0.9" });
        // The run's own summary says the same seed.
        let (sh, srow) = read_csv(&a.join("runs").join(&row[0]).join("summary.csv"));
        let seed_at = sh.iter().position(|h| h == "seed").unwrap();
        assert_eq!(srow[0][seed_at], row[2]);
    }
    let seeds: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(seeds.len(), 3, "three replications, three seeds");
}

#[test]
fn the_summary_gives_means_and_student_t_intervals() {
    let tmp = temp_dir("sweep-summary");
    sweep(&VARY, &tmp);
    let (header, rows) = read_csv(&tmp.join("sweep.csv"));
    let cost = header.iter().position(|h| h == "energy_cost_usd").unwrap();
    let (sh, srows) = read_csv(&tmp.join("sweep_summary.csv"));
    assert_eq!(
        sh,
        [
            "combination",
            "param_load.utilization",
            "metric",
            "n",
            "mean",
            "std_dev",
            "ci95_low",
            "ci95_high"
        ]
    );
    for c in 0..2 {
        let x: Vec<f64> = rows[c * 3..c * 3 + 3]
            .iter()
            .map(|r| r[cost].parse().unwrap())
            .collect();
        let mean = x.iter().sum::<f64>() / 3.0;
        let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        // t(0.975, 2) = 4.302653 (tables).
        let half = 4.302_652_7 * sd / 3f64.sqrt();
        let row = srows
            .iter()
            .find(|r| r[0] == c.to_string() && r[2] == "energy_cost_usd")
            .unwrap();
        let got = |i: usize| row[i].parse::<f64>().unwrap();
        assert_eq!(row[3], "3");
        assert!((got(4) - mean).abs() < 1e-6, "mean {} vs {mean}", row[4]);
        assert!((got(5) - sd).abs() < 1e-6);
        assert!((got(6) - (mean - half)).abs() < 1e-5);
        assert!((got(7) - (mean + half)).abs() < 1e-5);
    }
    // Text columns are not summarized; one replication gives no interval.
    assert!(!srows.iter().any(|r| r[2] == "scenario" || r[2] == "start"));
    let one = tmp.join("one");
    sweep(&["--vary", "load.utilization=0.5,0.9"], &one);
    let (_, srows) = read_csv(&one.join("sweep_summary.csv"));
    let row = srows.iter().find(|r| r[2] == "energy_cost_usd").unwrap();
    assert_eq!(
        (row[3].as_str(), row[5].as_str(), row[6].as_str()),
        ("1", "", "")
    );
}

#[test]
fn shards_merged_give_the_sweeps_bytes() {
    let tmp = temp_dir("sweep-shards");
    let whole = tmp.join("whole");
    sweep(&VARY, &whole);
    let shards: Vec<PathBuf> = (0..3).map(|i| tmp.join(format!("shard{i}"))).collect();
    // Shard 1 runs a copy of the file in another folder, as a cluster node
    // would: the same text, another path.
    let elsewhere = tmp.join("node").join("minimal.toml");
    fs::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    fs::copy(minimal(), &elsewhere).unwrap();
    for (i, dir) in shards.iter().enumerate() {
        let mut args = VARY.to_vec();
        let s = format!("{i}/3");
        args.extend(["--shard", s.as_str()]);
        let file = if i == 1 {
            elsewhere.display().to_string()
        } else {
            minimal()
        };
        let said = sweep_file(&file, &args, dir);
        assert!(said.contains(&format!("shard {i}/3")), "{said}");
        // Runs k with k mod 3 = i, and the manifest.
        let mut have: Vec<String> = fs::read_dir(dir.join("runs"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        have.sort();
        assert_eq!(have, [format!("r000{i}"), format!("r000{}", i + 3)]);
        assert!(dir.join("shard.json").is_file());
        assert!(!dir.join("sweep.csv").exists());
    }
    let merged = tmp.join("merged");
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(shards.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), merged.display().to_string()]);
    let o = dcsim(&args);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(same_files(&whole, &merged), "merge differs from the sweep");
    // Merging again changes nothing.
    let o = dcsim(&args);
    assert!(
        text(&o).0.contains("0 copied, 6 already in place"),
        "{}",
        text(&o).0
    );
    assert!(same_files(&whole, &merged));
}

#[test]
fn merges_refuse_other_sweeps_missing_shards_and_other_folders() {
    let tmp = temp_dir("sweep-merge-bad");
    let dir = |n: &str| tmp.join(n);
    let shard = |i: usize, vary: &str, out: &str| {
        let s = format!("{i}/2");
        sweep(
            &["--vary", vary, "--replications", "2", "--shard", &s],
            &dir(out),
        );
    };
    shard(0, "load.utilization=0.5,0.9", "a0");
    shard(1, "load.utilization=0.5,0.9", "a1");
    shard(1, "load.utilization=0.5,0.8", "b1");
    let merge = |inputs: &[&str]| {
        let mut args: Vec<String> = vec!["merge".into()];
        args.extend(inputs.iter().map(|n| dir(n).display().to_string()));
        args.extend(["--out".into(), dir("merged").display().to_string()]);
        dcsim(&args)
    };
    let bad = |o: std::process::Output| {
        assert_eq!(o.status.code(), Some(2), "{}", text(&o).1);
        assert!(!dir("merged").exists(), "nothing written");
        text(&o).1
    };
    let e = bad(merge(&["a0", "b1"]));
    assert!(e.contains("of another sweep"), "{e}");
    let e = bad(merge(&["a0"]));
    assert!(
        e.contains("2 of 4 runs are missing: r0001 (shard 1/2: not given); r0003"),
        "{e}"
    );
    // A shard that stopped half-way: its manifest is there, a run is not.
    fs::remove_dir_all(dir("a1").join("runs").join("r0003")).unwrap();
    let e = bad(merge(&["a0", "a1"]));
    assert!(e.contains("r0003 (shard 1/2 in"), "{e}");
    assert!(e.contains("not complete"), "{e}");
    fs::create_dir(dir("plain")).unwrap();
    let e = bad(merge(&["a0", "plain"]));
    assert!(
        e.contains("plain: not a shard output: it has no shard.json"),
        "{e}"
    );
    let e = bad(merge(&["a0", "nowhere"]));
    assert!(e.contains("nowhere: cannot open the folder"), "{e}");
    // Rerunning the stopped shard completes it; then the merge works.
    shard(1, "load.utilization=0.5,0.9", "a1");
    let o = merge(&["a0", "a1"]);
    assert!(o.status.success(), "{}", text(&o).1);
}

/// Modification times of every run folder's summary.csv.
fn summary_times(out: &Path) -> Vec<(String, std::time::SystemTime)> {
    let mut v: Vec<_> = fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let t = fs::metadata(e.path().join("summary.csv"))
                .unwrap()
                .modified()
                .unwrap();
            (e.file_name().to_string_lossy().into_owned(), t)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_partial_sweep_resumes_without_redoing_finished_runs() {
    let tmp = temp_dir("sweep-resume");
    let out = tmp.join("s");
    let whole = tmp.join("whole");
    sweep(&VARY, &whole);
    sweep(&VARY, &out);
    let before = summary_times(&out);
    // As if killed: one run never finished, the sweep's files never written.
    fs::remove_dir_all(out.join("runs/r0004")).unwrap();
    for f in ["sweep.csv", "sweep_summary.csv", "sweep.json"] {
        fs::remove_file(out.join(f)).unwrap();
    }
    // A run folder of another sweep (or another version of this one) is redone.
    let record = out.join("runs/r0001/run.json");
    let changed = fs::read_to_string(&record)
        .unwrap()
        .edit("\"replication\": 1", "\"replication\": 7");
    fs::write(&record, changed).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let said = sweep(&VARY, &out);
    assert!(said.contains("ran 2, kept 4 already complete"), "{said}");
    let after = summary_times(&out);
    for ((id, t0), (id1, t1)) in before
        .iter()
        .filter(|(id, _)| id != "r0004")
        .zip(after.iter().filter(|(id, _)| id != "r0004"))
    {
        assert_eq!(id, id1);
        if id == "r0001" {
            assert_ne!(t0, t1, "{id} was redone");
        } else {
            assert_eq!(t0, t1, "{id} was not redone");
        }
    }
    assert!(
        same_files(&whole, &out),
        "the resumed sweep equals a whole one"
    );
    // Nothing left to do.
    let said = sweep(&VARY, &out);
    assert!(said.contains("ran 0, kept 6"), "{said}");
}

#[test]
fn bad_vary_values_are_located_before_any_run() {
    let tmp = temp_dir("sweep-bad");
    let out = tmp.join("never");
    let m = minimal();
    let run = |args: &[&str]| {
        let mut all = vec!["sweep", m.as_str()];
        all.extend_from_slice(args);
        let o_arg = out.display().to_string();
        all.extend(["--out", &o_arg]);
        let o = dcsim(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o).1);
        assert!(!out.exists(), "{args:?}: nothing is written");
        let e = text(&o).1;
        assert!(!e.contains("panick"), "{e}");
        e
    };
    let e = run(&["--vary", "sites[0].grid_mw=20,lots"]);
    assert_eq!(
        e.trim(),
        "--vary sites[0].grid_mw=20,lots (value lots): sites[0].grid_mw: expected a number, found a string (\"lots\")"
    );
    let e = run(&["--vary", "sites[0].grid_mwx=20,30"]);
    assert!(
        e.contains("--vary sites[0].grid_mwx=20,30 (value 20): sites[0].grid_mwx: unknown key `grid_mwx`; did you mean `grid_mw`?"),
        "{e}"
    );
    let e = run(&["--vary", "sites[2].pue=1.1"]);
    assert!(e.contains("(value 1.1): `sites` has 1 entries"), "{e}");
    // A value valid in type but not in meaning, in the second --vary.
    let e = run(&[
        "--vary",
        "load.utilization=0.5,0.7",
        "--vary",
        "sites[0].pue=1.2,-1",
    ]);
    assert!(
        e.contains("--vary sites[0].pue=1.2,-1 (value -1): sites[0].pue:"),
        "{e}"
    );
    assert_eq!(
        e.lines().count(),
        1,
        "reported once for both combinations: {e}"
    );
    for (args, says) in [
        (&["--vary", "x"][..], "no `=`"),
        (&["--vary", "seed=1,2"], "--replications"),
        (&["--vary", "load.utilization=0.5,0.5"], "given twice"),
        (&["--shard", "2/2"], "--shard 2/2"),
        (&["--replications", "0"], "at least 1"),
        (&["--jobs", "0"], "at least 1"),
    ] {
        let e = run(args);
        assert!(e.contains(says), "{args:?}: {e}");
    }
}

#[test]
fn compare_puts_runs_of_different_lengths_side_by_side() {
    let tmp = temp_dir("compare");
    let m = minimal();
    for (name, duration) in [("month", "30d"), ("quarter", "90d")] {
        let out = tmp.join(name).display().to_string();
        let set = format!("duration={duration}");
        // `--set name=…` keeps the folder's name (not a variant's).
        let o = dcsim([
            "run",
            &m,
            "--set",
            &set,
            "--set",
            "name=minimal",
            "--out",
            &out,
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", text(&o).1);
    }
    let (a, b) = (tmp.join("month/minimal"), tmp.join("quarter/minimal"));
    let out = tmp.join("cmp");
    let args = |dirs: &[&Path]| {
        let mut v: Vec<String> = vec!["compare".into()];
        v.extend(dirs.iter().map(|d| d.display().to_string()));
        v.extend(["--out".into(), out.display().to_string()]);
        v
    };
    let o = dcsim(args(&[&a, &b]));
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("totals are charted per year of run"),
        "{stdout}"
    );

    // comparison.csv: one row per run, labelled by path (same folder names).
    let (header, rows) = read_csv(&out.join("comparison.csv"));
    assert_eq!(header[..3], ["run", "folder", "scenario"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], a.display().to_string());
    let hours = header.iter().position(|h| h == "hours").unwrap();
    assert_eq!(
        (rows[0][hours].as_str(), rows[1][hours].as_str()),
        ("720.000", "2160.000")
    );

    // Totals per year of run in the chart, levels as they are.
    let svg = |n: &str| fs::read_to_string(out.join(n)).unwrap();
    let cost = svg("compare_energy_cost_usd.svg");
    assert!(cost.contains("Energy cost per year of run"), "{cost}");
    let peak = svg("compare_peak_facility_mw.svg");
    assert!(!peak.contains("per year"));
    for f in ["compare_chips_online.svg", "compare_facility_power_mw.svg"] {
        assert!(svg(f).contains("each run over its own span"), "{f}");
    }
    assert!(
        !out.join("compare_npv_usd.png").exists(),
        "no books, no NPV"
    );
    // The page holds every chart inline and fetches nothing.
    let html = svg("comparison.html");
    assert_eq!(
        html.matches("<svg").count(),
        files(&out)
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "svg"))
            .count()
    );
    for outside in ["src=", "href=\"http", "<link", "<script", "@import", "url("] {
        assert!(!html.contains(outside), "{outside}");
    }

    // Not run folders.
    let plain = tmp.join("plain");
    fs::create_dir(&plain).unwrap();
    let o = dcsim(args(&[&a, &plain, &tmp.join("nowhere")]));
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o).1;
    assert!(
        e.contains("plain: is not a run folder: it has no summary.csv"),
        "{e}"
    );
    assert!(e.contains("nowhere: cannot open the folder"), "{e}");
}

/// A small sweep with a string and a number varied, 2 replications:
/// sweep.html, sweep.csv and the charts (issue 16 item 7).
fn page_sweep(out: &Path) {
    sweep(
        &[
            "--vary",
            "sites[0].buildout[0].date=\"2026-01-01\",\"2026-01-10\"",
            "--vary",
            "sites[0].grid_mw=10,20",
            "--replications",
            "2",
        ],
        out,
    );
}

#[test]
fn the_sweep_page_holds_the_table_and_every_chart_and_fetches_nothing() {
    let out = temp_dir("sweep-page");
    page_sweep(&out);
    // String values without their quotes, in both CSV files.
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    let date = header
        .iter()
        .position(|h| h == "param_sites[0].buildout[0].date")
        .unwrap();
    assert_eq!(rows[0][date], "2026-01-01");
    assert_eq!(rows[7][date], "2026-01-10");
    let (header, rows) = read_csv(&out.join("sweep_summary.csv"));
    let date = header
        .iter()
        .position(|h| h == "param_sites[0].buildout[0].date")
        .unwrap();
    assert!(rows.iter().all(|r| !r[date].contains('"')), "{rows:?}");

    let html = fs::read_to_string(out.join("sweep.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for banned in ["http", "<script", "src=", "href=\"/", "url("] {
        assert!(!html.contains(banned), "sweep.html contains {banned:?}");
    }
    // Every chart of the folder, inline.
    let charts = fs::read_dir(&*out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("sweep_") && n.ends_with(".svg"))
        .count();
    assert!(charts >= 5, "{charts} charts");
    assert_eq!(html.matches("<svg ").count(), charts);
    // The axis in words with its unit, not the path.
    let svg = fs::read_to_string(out.join("sweep_energy_mwh.svg")).unwrap();
    assert!(svg.contains("grid connection of site 0 [MW]"), "{svg}");
    assert!(!svg.contains("sites[0].grid_mw<"), "{svg}");
    // The table: a row per combination, the date unquoted; the energy cell
    // of combination 0 is the mean of runs r0000 and r0001 in GWh, to 4
    // significant figures, ± the half-width of its 95 % interval.
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    let e = header.iter().position(|h| h == "energy_mwh").unwrap();
    let (a, b): (f64, f64) = (rows[0][e].parse().unwrap(), rows[1][e].parse().unwrap());
    let mean_gwh = (a + b) / 2.0 / 1e3;
    let decimals = (3.0 - mean_gwh.abs().log10().floor()).clamp(0.0, 6.0) as usize;
    let cell = format!("<td class=\"n\">{mean_gwh:.decimals$} ± ");
    assert!(html.contains(&cell), "no {cell:?} in the table");
    assert!(html.contains("<td class=\"t\">2026-01-10</td>"));
    assert!(!html.contains("&quot;2026"), "quotes shown");
    assert!(html.contains("Facility energy [GWh]"));
}

/// Opens sweep.html in headless Chromium (as the report's browser test
/// does): the page renders, its title and a chart are drawn.
#[test]
#[ignore = "needs Chromium (apt-get install chromium); run with --ignored"]
fn the_sweep_page_renders_in_a_headless_browser() {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let browser = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "headless_shell",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
    .find(|p| p.is_file())
    .expect("Chromium on the PATH (apt-get install chromium)");
    let out = temp_dir("sweep-browser");
    page_sweep(&out);
    let shot = out.join("shot.png");
    let status = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", out.join("profile").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", out.join("sweep.html").display()))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("start chromium");
    assert!(status.success(), "{status}");
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    assert_eq!((width, height), (1280, 1600));
    let pixel =
        |x: usize, y: usize| &buf[(y * width + x) * channels..(y * width + x) * channels + 3];
    // The title: dark ink on the #f6f6f6 page in the top 80 rows.
    let ink = (0..80)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(x, y).iter().all(|&c| c < 100))
        .count();
    assert!(ink > 1_000, "{ink} ink pixels in the title region");
    // A chart below the table: the first line's blue (#1f77b4).
    let blue = (400..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let p = pixel(x, y);
            p[0].abs_diff(31) < 40 && p[1].abs_diff(119) < 40 && p[2].abs_diff(180) < 40
        })
        .count();
    assert!(blue > 500, "{blue} chart-blue pixels below the table");
}

/// Two years of the default scenario (its contract's term shortened to
/// match), CSV files only, into `out`, with `extra` arguments; its folder.
fn short_default(out: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "run",
        "--quiet",
        "--no-charts",
        "--set",
        "duration=\"2y\"",
        "--set",
        "contracts[0].term=\"2y\"",
    ];
    args.extend_from_slice(extra);
    let out_arg = out.display().to_string();
    args.extend(["--out", out_arg.as_str()]);
    let o = dcsim(&args);
    assert!(o.status.success(), "{}", text(&o).1);
    let names: Vec<PathBuf> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let suffix = if extra.is_empty() {
        "term=2y"
    } else {
        "seed=2"
    };
    names
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .expect("the run's variant folder")
}

#[test]
fn compare_reads_money_first_and_tells_delivery_from_chip_availability() {
    let tmp = temp_dir("compare-money");
    let a = short_default(&tmp, &[]);
    let b = short_default(&tmp, &["--seed", "2"]);
    let out = tmp.join("cmp");
    let o = dcsim([
        "compare".to_string(),
        a.display().to_string(),
        b.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--quiet".into(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);

    // comparison.csv: the delivered share of the commitment, from
    // contracts.csv (one contract: its own availability), and the credits.
    let (header, rows) = read_csv(&out.join("comparison.csv"));
    let (ch, crow) = read_csv(&a.join("contracts.csv"));
    let delivered = &crow[0][ch.iter().position(|h| h == "availability").unwrap()];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let got: f64 = rows[0][at("contract_delivered")].parse().unwrap();
    assert!(
        (got - delivered.parse::<f64>().unwrap()).abs() < 1e-6,
        "{got} vs {delivered}"
    );
    assert!(!rows[0][at("sla_credits_usd")].is_empty());

    // The page: money first, then delivery, then power and energy; chip
    // availability named as such.
    let html = fs::read_to_string(out.join("comparison.html")).unwrap();
    let head = |t: &str| {
        html.find(&format!("<th>{t} ["))
            .unwrap_or_else(|| panic!("no column {t}"))
    };
    let order = [
        "NPV",
        "IRR",
        "Revenue",
        "Capex",
        "Opex",
        "EBITDA",
        "SLA credits",
        "Contract delivered (share of commitment)",
        "Peak facility power",
        "Facility energy",
        "Carbon",
        "Chip availability (healthy ÷ online)",
        "Failures",
    ];
    for w in order.windows(2) {
        assert!(head(w[0]) < head(w[1]), "{} before {}", w[0], w[1]);
    }
    assert!(
        !html.contains("<th>Availability"),
        "chip availability is named"
    );
    assert!(
        !html.contains("−$0<") && !html.contains("-$0<"),
        "no minus zero"
    );
    assert!(out.join("compare_contract_delivered.svg").exists());
    assert!(out.join("compare_sla_credits_usd.svg").exists());
}
