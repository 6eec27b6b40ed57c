//! The `dcsim` command as a user meets it: exit codes, files written,
//! located messages for bad input, `--set`, `--seed` and the catalog.

use std::path::Path;
use std::process::Output;

use crate::common::{DEFAULT_RUN_FILES, column, dcsim, fixture, read_csv, temp_dir, text};

/// The 15 built-in chip keys.
const CHIPS: [&str; 15] = [
    "h100",
    "h200",
    "b200",
    "gb200",
    "gb300",
    "mi300x",
    "mi325x",
    "mi355x",
    "tpu-v5e",
    "tpu-v5p",
    "tpu-v6e",
    "trainium1",
    "trainium2",
    "trainium3",
    "inferentia2",
];

/// Bad input: exit 2 and a message, never a panic or a backtrace hint.
#[track_caller]
fn assert_bad_input(out: &Output) -> String {
    let (stdout, stderr) = text(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "bad input exits 2\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stderr.is_empty(), "bad input is explained on stderr");
    for bad in ["panicked", "RUST_BACKTRACE", "internal error"] {
        assert!(!stderr.contains(bad), "stderr mentions {bad:?}:\n{stderr}");
    }
    stderr
}

#[track_caller]
fn assert_ok(out: &Output) -> String {
    let (stdout, stderr) = text(out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "exit 0 expected\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

/// A path as an argument (the temp and fixture paths are UTF-8).
fn path(p: &Path) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn run_without_a_scenario_writes_the_default_outputs() {
    let out_dir = temp_dir("cli-default");
    let out = dcsim(["run", "--quiet", "--out", &path(&out_dir)]);
    assert_ok(&out);
    let dir = out_dir.join("default");
    // Exactly its files (jobs.csv: the default has a training workload;
    // services: a chat service; monthly and contracts: its books; every
    // chart, report.html and summary.json), and no `.partial` left behind.
    assert_eq!(
        names_in(&dir),
        DEFAULT_RUN_FILES,
        "files in {}",
        dir.display()
    );
    // The built-in scenario: three sites sampled daily from 2025-11-01 to
    // 2032-11-01, 7 × 365 + 2 leap days = 2,557 days = 61,368 h.
    let (_, samples) = read_csv(&dir.join("timeseries.csv"));
    assert_eq!(samples.len(), 2_557 * 3);
    assert_eq!(column(&dir.join("summary.csv"), "scenario"), ["default"]);
    assert_eq!(column(&dir.join("summary.csv"), "hours"), ["61368.000"]);
    // Eight phases, 4,400 NVL72 racks × 72 = 316,800 GPUs (295,200 by
    // the end of 2026 and the 2027 expansion), all commissioned.
    let chips: u64 = column(&dir.join("buildout.csv"), "chips")
        .iter()
        .map(|c| c.parse::<u64>().unwrap())
        .sum();
    assert_eq!(chips, 316_800);
    assert_eq!(
        column(&dir.join("buildout.csv"), "status"),
        vec!["commissioned"; 8]
    );
    // Seven years of months in the statement, the $38B contract billed.
    let (_, months) = read_csv(&dir.join("monthly.csv"));
    assert_eq!(months.len(), 84);
    assert_eq!(
        column(&dir.join("contracts.csv"), "billed_usd"),
        ["38000000000.00"]
    );
}

#[test]
fn validate_accepts_good_files() {
    let a = fixture("physics_day.toml");
    let b = fixture("conservation.toml");
    let out = dcsim(["validate", &path(&a), &path(&b)]);
    let stdout = assert_ok(&out);
    assert_eq!(
        stdout,
        format!("{}: ok\n{}: ok\n", a.display(), b.display())
    );
}

/// Five independent mistakes, five messages, each at its line and column
/// with its field path.
#[test]
fn validate_reports_every_mistake_where_it_is() {
    let file = fixture("bad/five_mistakes.toml");
    let shown = file.display().to_string();
    let out = dcsim(["validate", &shown]);
    let stderr = assert_bad_input(&out);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 5, "one line per mistake:\n{stderr}");
    // (line, column, field path) of each mistake in the fixture.
    let expected = [
        (6, 1, "sample_evry"),                // misspelled key
        (9, 15, "load.utilization"),          // a string where a number belongs
        (13, 11, "sites[0].grid_mw"),         // negative grid connection
        (17, 8, "sites[0].buildout[0].rack"), // a rack that does not exist
        (21, 1, "sites[1].grid_mw"),          // required key missing: at [[sites]]
    ];
    for (line, col, field) in expected {
        let prefix = format!("{shown}:{line}:{col}: {field}: ");
        assert!(
            lines.iter().any(|l| l.starts_with(&prefix)),
            "no message starts with {prefix:?}:\n{stderr}"
        );
    }
    let line_of = |field: &str| {
        *lines
            .iter()
            .find(|l| l.contains(&format!(": {field}: ")))
            .unwrap()
    };
    assert!(
        line_of("sample_evry").contains("did you mean `sample_every`?"),
        "{stderr}"
    );
    assert!(
        line_of("sites[0].buildout[0].rack").contains("did you mean \"gb200-nvl72\"?"),
        "{stderr}"
    );
    assert!(line_of("sites[0].grid_mw").contains("-5"), "{stderr}");
    assert!(line_of("sites[1].grid_mw").contains("missing"), "{stderr}");
    assert!(line_of("load.utilization").contains("number"), "{stderr}");
}

#[test]
fn run_refuses_a_bad_file_before_writing_anything() {
    let out_dir = temp_dir("cli-bad-run");
    let out = dcsim([
        "run",
        &path(&fixture("bad/five_mistakes.toml")),
        "--quiet",
        "--out",
        &path(&out_dir),
    ]);
    let stderr = assert_bad_input(&out);
    assert_eq!(stderr.lines().count(), 5, "{stderr}");
    assert!(names_in(&out_dir).is_empty(), "nothing written");
}

#[test]
fn a_missing_file_is_named() {
    let dir = temp_dir("cli-missing");
    let missing = dir.join("no-such-scenario.toml");
    for cmd in ["validate", "run"] {
        let out = match cmd {
            "run" => dcsim(["run", &path(&missing), "--out", &path(&dir)]),
            _ => dcsim(["validate", &path(&missing)]),
        };
        let stderr = assert_bad_input(&out);
        assert!(
            stderr.starts_with(&format!("{}: ", missing.display())),
            "{cmd}: {stderr}"
        );
        assert!(stderr.contains("cannot read"), "{cmd}: {stderr}");
    }
}

#[test]
fn a_non_utf8_file_is_located() {
    let dir = temp_dir("cli-utf8");
    let file = dir.join("latin1.toml");
    // `name = "` is 8 characters, so the bad byte is at line 2, column 9.
    std::fs::write(&file, b"# comment\nname = \"\xff\"\n").unwrap();
    let out = dcsim(["validate", &path(&file)]);
    let stderr = assert_bad_input(&out);
    assert!(
        stderr.starts_with(&format!("{}:2:9: ", file.display())),
        "{stderr}"
    );
    assert!(stderr.contains("UTF-8"), "{stderr}");
}

#[test]
fn set_changes_a_value() {
    let out_dir = temp_dir("cli-set");
    let out = dcsim([
        "run",
        &path(&fixture("physics_day.toml")),
        "--quiet",
        "--out",
        &path(&out_dir),
        "--set",
        "sites[0].grid_mw=7",
        "--set",
        "sites.lab.pue=1.5",
    ]);
    assert_ok(&out);
    // A variant's folder, named from its overrides (issue 16).
    let dir = out_dir.join("physics-day--sites.0.grid_mw=7--sites.lab.pue=1.5");
    let grid = column(&dir.join("timeseries.csv"), "grid_mw");
    assert_eq!(grid.len(), 24);
    assert!(grid.iter().all(|g| g == "7.000"), "{grid:?}");
    // IT power 8 kW (see the fixture) × PUE 1.5 = 12 kW at every sample;
    // a day of it is 0.012 MW × 24 h = 0.288 MWh.
    let facility = column(&dir.join("timeseries.csv"), "facility_power_mw");
    assert!(facility.iter().all(|f| f == "0.012000"), "{facility:?}");
    assert_eq!(column(&dir.join("summary.csv"), "energy_mwh"), ["0.288000"]);
}

#[test]
fn a_bad_set_is_named() {
    let out_dir = temp_dir("cli-bad-set");
    for (arg, says) in [
        ("sites[3].grid_mw=1", "index 3 does not exist"),
        ("sites.nowhere.pue=1.2", "no entry named `nowhere`"),
        ("sites[0].gird_mw=5", "did you mean `grid_mw`?"),
        ("sites[0].grid_mw", "no `=`"),
        ("sites[0].grid_mw=-1", "greater than 0"),
    ] {
        let out = dcsim([
            "run",
            &path(&fixture("physics_day.toml")),
            "--quiet",
            "--out",
            &path(&out_dir),
            "--set",
            arg,
        ]);
        let stderr = assert_bad_input(&out);
        assert!(
            stderr.starts_with(&format!("--set {arg}: ")),
            "names the argument: {stderr}"
        );
        assert!(stderr.contains(says), "{arg}: {stderr}");
    }
    assert!(names_in(&out_dir).is_empty(), "nothing written");
}

fn run_seed(seed: u64, out_dir: &Path) -> std::path::PathBuf {
    let out = dcsim([
        "run",
        &path(&fixture("conservation.toml")),
        "--quiet",
        "--seed",
        &seed.to_string(),
        "--out",
        &path(out_dir),
    ]);
    assert_ok(&out);
    out_dir.join(format!("conservation--seed={seed}"))
}

#[test]
fn seed_changes_the_draws_and_repeats_exactly() {
    let dirs = [
        temp_dir("cli-seed-1a"),
        temp_dir("cli-seed-1b"),
        temp_dir("cli-seed-2"),
    ];
    let one = run_seed(1, &dirs[0]);
    let again = run_seed(1, &dirs[1]);
    let two = run_seed(2, &dirs[2]);
    let files = names_in(&one);
    assert_eq!(
        files,
        [
            "buildout.csv",
            "capacity.csv",
            "chips.png",
            "chips.svg",
            "energy.png",
            "energy.svg",
            "failures.csv",
            "failures.png",
            "failures.svg",
            "power.png",
            "power.svg",
            "report.html",
            "run.json",
            "summary.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
    for f in &files {
        assert!(
            std::fs::read(one.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs between two runs with --seed 1"
        );
    }
    assert_eq!(column(&one.join("summary.csv"), "seed"), ["1"]);
    assert_eq!(column(&two.join("summary.csv"), "seed"), ["2"]);
    let failures = |d: &Path| column(&d.join("summary.csv"), "failures_total");
    assert_ne!(
        std::fs::read(one.join("summary.csv")).unwrap(),
        std::fs::read(two.join("summary.csv")).unwrap()
    );
    assert_ne!(
        std::fs::read(one.join("failures.csv")).unwrap(),
        std::fs::read(two.join("failures.csv")).unwrap(),
        "seed 1 and 2 draw different failures ({:?} vs {:?})",
        failures(&one),
        failures(&two)
    );
}

#[test]
fn catalog_lists_every_chip_with_a_source() {
    let stdout = assert_ok(&dcsim(["catalog"]));
    assert!(stdout.contains("CHIPS (15)"), "{stdout}");
    let (_, sources) = stdout
        .split_once("Sources and estimates:")
        .expect("a sources section");
    for chip in CHIPS {
        assert!(
            stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(chip)),
            "no table row for {chip}"
        );
        let line = sources
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{chip}: ")))
            .unwrap_or_else(|| panic!("no source line for {chip}"));
        assert!(line.len() > chip.len() + 20, "empty source for {chip}");
    }
}

#[test]
fn catalog_chips_as_csv() {
    let stdout = assert_ok(&dcsim(["catalog", "--format", "csv", "--only", "chips"]));
    let mut r = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), 15);
    let name = header.iter().position(|h| h == "name").unwrap();
    let source = header.iter().position(|h| h == "source").unwrap();
    let tdp = header.iter().position(|h| h == "tdp_w").unwrap();
    let names: Vec<&str> = rows.iter().map(|r| &r[name]).collect();
    assert_eq!(names, CHIPS);
    assert!(rows.iter().all(|r| !r[source].is_empty()));
    // The figures the physics of the default scenario rests on.
    let gb200 = rows.iter().find(|r| &r[name] == "gb200").unwrap();
    assert_eq!(&gb200[tdp], "1200");
}

#[test]
fn help_states_the_exit_codes() {
    let stdout = assert_ok(&dcsim(["--help"]));
    assert!(
        stdout
            .contains("Exit codes: 0 success, 1 output not written or internal error, 2 bad input")
            && stdout.contains("130 / 143 interrupted")
            && stdout.contains("129 by SIGHUP"),
        "{stdout}"
    );
}

#[test]
fn validate_checks_every_file_and_fails_if_any_is_bad() {
    let good = fixture("physics_day.toml");
    let bad = fixture("bad/five_mistakes.toml");
    let out = dcsim(["validate", &path(&good), &path(&bad)]);
    let stderr = assert_bad_input(&out);
    let (stdout, _) = text(&out);
    assert_eq!(stdout, format!("{}: ok\n", good.display()));
    assert_eq!(stderr.lines().count(), 5, "{stderr}");
    assert!(
        stderr
            .lines()
            .all(|l| l.starts_with(&format!("{}:", bad.display()))),
        "{stderr}"
    );
}

/// An output that cannot be written exits 1, as the README says (issue 7
/// item 7: it exited 2).
#[test]
fn an_output_folder_that_cannot_be_made_exits_1() {
    let dir = temp_dir("cli-out-file");
    let file = dir.join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let out = dcsim([
        "run",
        &path(&fixture("physics_day.toml")),
        "--quiet",
        "--out",
        &path(&file),
    ]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(&file.join("physics-day").display().to_string()),
        "names the folder: {stderr}"
    );
    assert!(stderr.contains("--out"), "says how to fix it: {stderr}");
}

#[test]
fn a_run_reports_its_summary_unless_quiet() {
    let out_dir = temp_dir("cli-loud");
    let out = dcsim([
        "run",
        &path(&fixture("physics_day.toml")),
        "--out",
        &path(&out_dir),
    ]);
    let stdout = assert_ok(&out);
    assert!(stdout.contains("scenario physics-day (seed 1)"), "{stdout}");
    assert!(stdout.contains("wrote "), "{stdout}");
    let quiet = dcsim([
        "run",
        &path(&fixture("physics_day.toml")),
        "--quiet",
        "--out",
        &path(&out_dir),
    ]);
    assert_eq!(assert_ok(&quiet), "");
}

/// A reader that goes away ends dcsim quietly (SIGPIPE, as any Unix tool),
/// never with a panic message.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_catalog_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    // The pipe's reading end is closed before dcsim starts: its first write
    // meets a broken pipe, every time.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_dcsim"))
        .args(["catalog", "--format", "csv", "--only", "chips"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("internal error"), "{stderr}");
    const SIGPIPE: i32 = 13;
    assert_eq!(out.status.signal(), Some(SIGPIPE), "{:?}", out.status);
}

#[test]
fn a_run_with_jobs_prints_their_figures() {
    let out_dir = temp_dir("cli-training");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/training.toml");
    let out = dcsim(["run", &path(&scenario), "--out", &path(&out_dir)]);
    let stdout = assert_ok(&out);
    // training.toml: the pre-training run and 48 fine-tuning jobs of its
    // Poisson stream (seed 1), all completed within its 60 days.
    assert!(stdout.contains("  jobs 49 (completed 49), "), "{stdout}");
    assert!(stdout.contains("mean queue wait"), "{stdout}");
    // A run without jobs prints no such line.
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/minimal.toml");
    let stdout = assert_ok(&dcsim(["run", &path(&minimal), "--out", &path(&out_dir)]));
    assert!(!stdout.contains("  jobs "), "{stdout}");
}

#[test]
fn bench_training_compares_a_run_with_its_jobs_to_the_same_run_without() {
    let out_dir = temp_dir("cli-bench-training");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/training.toml");
    let out = dcsim([
        "bench",
        "training",
        &path(&scenario),
        "--repeat",
        "1",
        "--out",
        &path(&out_dir),
        "--set",
        "duration=\"50d\"",
    ]);
    let stdout = assert_ok(&out);
    assert!(
        stdout.contains("simulate only, median of 1: without jobs"),
        "{stdout}"
    );
    assert!(stdout.contains("ratio"), "{stdout}");
    // Both runs wrote their files: the physical one has no jobs.csv.
    assert!(out_dir.join("training/jobs.csv").exists());
    assert!(out_dir.join("training-physical/summary.csv").exists());
    assert!(!out_dir.join("training-physical/jobs.csv").exists());
    // A scenario without jobs has nothing to compare.
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/minimal.toml");
    let out = dcsim([
        "bench",
        "training",
        &path(&minimal),
        "--out",
        &path(&out_dir),
    ]);
    let stderr = assert_bad_input(&out);
    assert!(
        stderr.contains("has no training jobs and no services"),
        "{stderr}"
    );
}

#[test]
fn bench_charts_times_the_charts_from_memory_against_read_back_and_checks_their_bytes() {
    let out_dir = temp_dir("cli-bench-charts");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/student-intro.toml");
    let out = dcsim([
        "bench",
        "charts",
        &path(&scenario),
        "--repeat",
        "1",
        "--out",
        &path(&out_dir),
    ]);
    let stdout = assert_ok(&out);
    for arm in ["no charts", "charts from memory", "charts read back"] {
        assert!(stdout.contains(&format!("  {arm} ")), "{stdout}");
    }
    assert!(stdout.contains("from memory ÷ read back"), "{stdout}");
    assert!(
        stdout.contains("the two ways wrote the same bytes"),
        "{stdout}"
    );
    // Three folders: no charts, charts from memory, charts read back; the
    // last two hold the same files.
    let names = |d: &Path| {
        let mut n: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        n.sort();
        n
    };
    let memory = out_dir.join("student-intro");
    let read_back = out_dir.join("student-intro-read-back");
    assert!(memory.join("report.html").exists());
    assert!(!out_dir.join("student-intro-no-charts/report.html").exists());
    assert_eq!(names(&memory), names(&read_back));
    let err = assert_bad_input(&dcsim(["bench", "charts", "--repeat", "0"]));
    assert!(err.contains("--repeat must be at least 1"), "{err}");
}
