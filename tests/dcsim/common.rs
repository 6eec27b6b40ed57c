//! Helpers shared by the test modules, the integration tests' and the
//! white-box tests' (`tests/internals/` includes this file): fixtures,
//! in-process runs through the public API (`dcsim::run`), the real binary
//! (integration tests only), and unique temporary folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dcsim::{Overrides, Results, Scenario, SummaryRow};

/// Every file a run of the default scenario writes, sorted: the CSV files
/// of its workloads (jobs, the chat service) and books (monthly,
/// contracts), every chart, `report.html`, `summary.json` and `run.json`.
pub const DEFAULT_RUN_FILES: [&str; 29] = [
    "buildout.csv",
    "capacity.csv",
    "cash.png",
    "cash.svg",
    "chips.png",
    "chips.svg",
    "contracts.csv",
    "contracts.png",
    "contracts.svg",
    "contracts_monthly.csv",
    "energy.png",
    "energy.svg",
    "failures.png",
    "failures.svg",
    "inference.png",
    "inference.svg",
    "jobs.csv",
    "monthly.csv",
    "power.png",
    "power.svg",
    "report.html",
    "run.json",
    "service_summary.csv",
    "services.csv",
    "summary.csv",
    "summary.json",
    "timeseries.csv",
    "training.png",
    "training.svg",
];

// The pieces of scenario text many tests share, kept once. Each is a macro
// expanding to a string literal, so that a test's fixture stays a `const`
// built with `concat!(r#"..."#, unit_chip!(), r#"..."#)`.

/// `[failures]` with every built-in class at rate 0: nothing fails.
macro_rules! no_failures {
    () => {
        concat!(
            "[failures]\ngpu = { rate_per_million_hours = 0 }\n",
            other_failures_zero!()
        )
    };
}

/// The lines of `[failures]` after `gpu`: every other built-in class
/// (HBM, other GPU faults, host, NIC, switch and cable, rack power, site
/// outage, inter-site link) at rate 0, for tests where only GPUs fail.
macro_rules! other_failures_zero {
    () => {
        "hbm = { rate_per_million_hours = 0 }
gpu_other = { rate_per_million_hours = 0 }
host = { rate_per_million_hours = 0 }
nic = { rate_per_million_hours = 0 }
switch_cable = { rate_per_million_hours = 0 }
rack_power = { rate_per_million_hours = 0 }
site_outage = { rate_per_million_hours = 0 }
dci_link = { rate_per_million_hours = 0 }
"
    };
}

/// The test chip "unit": 100 TFLOPS BF16, 10 GB of HBM at 1 TB/s, 1,100 W
/// at full load and 100 W idle, 100 GB/s scale-up; round numbers so that
/// expected figures are products of rates and hours.
macro_rules! unit_chip {
    () => {
        r#"[[chips]]
name = "unit"
bf16_tflops = 100
hbm_gb = 10
hbm_tb_per_s = 1
tdp_w = 1100
idle_w = 100
scaleup_gb_per_s = 100
"#
    };
}

/// The test rack "quad": 8 "unit" chips on 4 nodes in scale-up domains of
/// 4, 1 kW of overhead, 100 Gbit/s scale-out per chip.
macro_rules! quad_rack {
    () => {
        r#"[[racks]]
name = "quad"
chip = "unit"
chips = 8
nodes = 4
scaleup_domain = 4
overhead_kw = 1
scaleout_gbit_per_s = 100
"#
    };
}

/// Text edits of a fixture that cannot miss: `edit(from, to)` replaces
/// every `from` by `to` like `str::replace`, and panics when `from` is not
/// in the text, so a fixture that changes under a test fails it instead of
/// silently leaving the test to run on the unedited text.
pub trait Edit {
    /// The text with every `from` replaced by `to`; panics when there is none.
    fn edit(&self, from: &str, to: &str) -> String;
}

impl Edit for str {
    #[track_caller]
    fn edit(&self, from: &str, to: &str) -> String {
        assert!(
            !from.is_empty() && self.contains(from),
            "a test edits {from:?}, which is not in its fixture:\n{self}"
        );
        self.replace(from, to)
    }
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// Loads a fixture with `--set` overrides, panicking with every issue.
pub fn load(name: &str, sets: &[&str]) -> Scenario {
    load_with(name, sets, None)
}

/// Loads a fixture with overrides and an optional seed.
pub fn load_with(name: &str, sets: &[&str], seed: Option<u64>) -> Scenario {
    let overrides = Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        seed,
    };
    Scenario::load_with(fixture(name), &overrides)
        .unwrap_or_else(|e| panic!("fixture {name} does not load:\n{e}"))
}

/// Validates scenario text (no overrides).
pub fn load_text(text: &str) -> Scenario {
    Scenario::from_toml("inline.toml", text)
        .unwrap_or_else(|e| panic!("inline scenario does not load:\n{e}"))
}

/// Runs a scenario to its end in memory ([`dcsim::run`]): its rows and,
/// apart, its summary.
pub fn run(scenario: &Scenario) -> (Results, SummaryRow) {
    let results = dcsim::run(scenario);
    let summary = results.summary.clone();
    (results, summary)
}

/// Loads and runs a fixture with overrides.
pub fn run_fixture(name: &str, sets: &[&str]) -> (Results, SummaryRow) {
    run(&load(name, sets))
}

/// A fresh, empty folder under the system temp dir, unique per call, made by
/// the `tempfile` crate and removed when dropped, also when a test panics
/// (the value is dropped while the stack unwinds).
pub struct TempDir(tempfile::TempDir);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

/// A [`TempDir`] whose name starts with `dcsim-<tag>-`.
pub fn temp_dir(tag: &str) -> TempDir {
    TempDir(
        tempfile::Builder::new()
            .prefix(&format!("dcsim-{tag}-"))
            .tempdir()
            .expect("create temp dir"),
    )
}

/// Runs the real `dcsim` binary. Only the integration tests can: cargo
/// builds the binary for them and names it; the white-box tests
/// (`tests/internals/`, compiled into the library) share this file but run
/// nothing but the library.
pub fn dcsim<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let Some(binary) = option_env!("CARGO_BIN_EXE_dcsim") else {
        panic!("only the integration tests (tests/dcsim/) run the dcsim binary");
    };
    Command::new(binary)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the dcsim binary runs")
}

/// stdout and stderr as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts `|a − b| ≤ rel · max(|a|, |b|)` (or both are 0).
#[track_caller]
pub fn assert_rel(a: f64, b: f64, rel: f64, what: &str) {
    let scale = a.abs().max(b.abs());
    assert!(
        (a - b).abs() <= rel * scale,
        "{what}: {a} vs {b} (relative difference {:e} > {rel:e})",
        if scale > 0.0 {
            (a - b).abs() / scale
        } else {
            0.0
        }
    );
}

/// Asserts `|a − b| ≤ tol`.
#[track_caller]
pub fn assert_abs(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tolerance {tol})");
}

/// Parses a CSV file into its header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The column of `name` in a CSV file.
pub fn column(path: &Path, name: &str) -> Vec<String> {
    let (header, rows) = read_csv(path);
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{} has no column {name}: {header:?}", path.display()));
    rows.into_iter().map(|r| r[i].clone()).collect()
}

/// Whether `text` is a well-formed XML document, as far as an SVG needs:
/// only characters XML 1.0 allows, every `&` a known entity or a character
/// reference, tags balanced and properly nested, attribute values quoted
/// without `<`, one root element. `Err` says what and where (byte offset).
pub fn check_xml(text: &str) -> Result<(), String> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{fffe}' | '\u{ffff}'))
    };
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| !allowed(c)) {
        return Err(format!("character {c:?} at {i}"));
    }
    let bytes = text.as_bytes();
    let entity = |i: usize| -> Result<usize, String> {
        let end = text[i..].find(';').ok_or(format!("& without ; at {i}"))? + i;
        let name = &text[i + 1..end];
        let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
            || name
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || name
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if ok {
            Ok(end + 1)
        } else {
            Err(format!("bad entity &{name}; at {i}"))
        }
    };
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => i = entity(i)?,
            b'<' => {
                let rest = &text[i..];
                if rest.starts_with("<?") {
                    i += rest.find("?>").ok_or(format!("open <? at {i}"))? + 2;
                } else if rest.starts_with("<!--") {
                    i += rest.find("-->").ok_or(format!("open comment at {i}"))? + 3;
                } else if rest.starts_with("<!") {
                    i += rest.find('>').ok_or(format!("open <! at {i}"))? + 1;
                } else if let Some(close) = rest.strip_prefix("</") {
                    let end = close.find('>').ok_or(format!("open end tag at {i}"))?;
                    let name = close[..end].trim();
                    match stack.pop() {
                        Some(open) if open == name => {}
                        other => return Err(format!("</{name}> closes {other:?} at {i}")),
                    }
                    i += 2 + end + 1;
                } else {
                    // A start tag: name, then attributes name="value".
                    let mut j = i + 1;
                    while j < bytes.len()
                        && !matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')
                    {
                        j += 1;
                    }
                    let name = &text[i + 1..j];
                    if name.is_empty() {
                        return Err(format!("< without a name at {i}"));
                    }
                    loop {
                        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                            j += 1;
                        }
                        match bytes.get(j) {
                            Some(b'>') => {
                                if stack.is_empty() {
                                    roots += 1;
                                }
                                stack.push(name);
                                j += 1;
                                break;
                            }
                            Some(b'/') if bytes.get(j + 1) == Some(&b'>') => {
                                if stack.is_empty() {
                                    roots += 1;
                                }
                                j += 2;
                                break;
                            }
                            Some(_) => {
                                let eq = text[j..]
                                    .find('=')
                                    .ok_or(format!("attribute without = at {j}"))?
                                    + j;
                                let q = bytes.get(eq + 1).copied();
                                if !matches!(q, Some(b'"') | Some(b'\'')) {
                                    return Err(format!("unquoted attribute at {j}"));
                                }
                                let q = q.unwrap() as char;
                                let end = text[eq + 2..]
                                    .find(q)
                                    .ok_or(format!("open attribute at {j}"))?
                                    + eq
                                    + 2;
                                let value = &text[eq + 2..end];
                                if value.contains('<') {
                                    return Err(format!("< in an attribute at {j}"));
                                }
                                let mut k = 0;
                                while let Some(a) = value[k..].find('&') {
                                    k = entity(eq + 2 + k + a)? - (eq + 2);
                                }
                                j = end + 1;
                            }
                            None => return Err(format!("open tag {name} at {i}")),
                        }
                    }
                    i = j;
                }
            }
            _ => i += 1,
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{open}> is never closed"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

/// Every file under `dir` (any depth), as paths relative to it, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Whether folders `a` and `b` hold the same files with the same bytes.
pub fn same_files(a: &Path, b: &Path) -> bool {
    let names = files(a);
    names == files(b)
        && names
            .iter()
            .all(|n| std::fs::read(a.join(n)).unwrap() == std::fs::read(b.join(n)).unwrap())
}

/// Every `.svg` file under `dir` (any depth).
pub fn svg_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(svg_files(&p));
        } else if p.extension().is_some_and(|x| x == "svg") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn an_edit_that_matches_nothing_fails_the_test() {
    assert_eq!("grid_mw = 10".edit("10", "20"), "grid_mw = 20");
    let missed = std::panic::catch_unwind(|| "grid_mw = 10".edit("grid_mw = 11", "grid_mw = 20"));
    assert!(missed.is_err(), "an edit that finds nothing must panic");
}
