//! What `merge`, `compare` and a resumed `sweep` read back from folders
//! dcsim wrote: shard manifests (`shard.json`) and run folders
//! (`summary.csv`, `contracts.csv`, `service_summary.csv`,
//! `timeseries.csv`, `monthly.csv`, `run.json`). The folders come from a
//! real two-shard sweep (through the binary, once per target); each case
//! mutates a copy — bytes, or the manifest's JSON by its structure (values
//! of every type in every place, entries removed and repeated). A manifest
//! is read with ids that are run ids, or refused naming it; a merge or a
//! comparison writes only under `--out`, or is refused (exit 2, one line
//! per problem) with nothing written; a run folder's figures read back
//! finite, or the file is named.

use std::path::{Path, PathBuf};

use dcsim::results::{FleetSeries, RunSummary, cumulative_cash};
use dcsim::scenario::ScenarioText;
use dcsim::sweep::execute::{self, Options};
use dcsim::sweep::runs::is_complete;
use dcsim::sweep::shard::{Manifest, Shard, merge, read_manifest};
use dcsim::sweep::{Definition, SweepError, Vary, expand, is_run_id};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::Value;

use super::{Mutation, check_message, copy_tree, mutate, mutation, snapshot};

/// Two sites, a service, a contract and books over 40 days: a run folder
/// with every file a read-back reads.
const SCENARIO: &str = r#"name = "readback"
start = "2026-01-01"
duration = "40d"
sample_every = "1d"
[[sites]]
name = "a"
grid_mw = 5
pue = 1.2
[sites.price]
usd_per_mwh = 60
[[sites.buildout]]
rack = "hgx-h100"
count = 8
date = "2026-01-01"
[[sites]]
name = "b"
grid_mw = 5
pue = 1.3
[[sites.buildout]]
rack = "hgx-h100"
count = 4
date = "2026-01-05"
[[services]]
name = "chat"
model = "llama-3.1-8b"
rack = "hgx-h100"
input_tokens = 800
output_tokens = 200
rate_per_s = 40
min_replicas = 1
max_replicas = 16
[economics]
discount_rate = 0.1
[[contracts]]
name = "c"
chip_types = ["h100"]
ramp = [{ date = "2026-01-02", chips = 32 }]
term = "30d"
price_usd_per_chip_hour = 2
"#;

/// The files of a run folder the read-backs read.
const RUN_FILES: [&str; 6] = [
    "summary.csv",
    "contracts.csv",
    "service_summary.csv",
    "timeseries.csv",
    "monthly.csv",
    "run.json",
];

/// Shards 0/2 and 1/2 of a sweep of [`SCENARIO`] over two utilizations,
/// in `root/sh0` and `root/sh1`, their charts and pages removed (a merge
/// copies what is there; the read-backs read CSV and JSON).
fn shards(root: &Path) -> [PathBuf; 2] {
    let scenario = root.join("readback.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let definition = Definition {
        scenario: ScenarioText::read(&scenario).unwrap(),
        sets: Vec::new(),
        seed: None,
        varies: vec![Vary::parse("load.utilization=0.5,0.7").unwrap()],
        replications: 1,
    };
    let pool = execute::pool(1).unwrap();
    let plan = execute::plan(&definition, &pool).unwrap();
    let dirs = [root.join("sh0"), root.join("sh1")];
    for (i, dir) in dirs.iter().enumerate() {
        // What `dcsim sweep … --shard i/2 --jobs 1 --out dir` runs.
        let options = Options {
            shard: Some(Shard::parse(&format!("{i}/2")).unwrap()),
            out: dir.clone(),
        };
        execute::run(&definition, &plan, &options, &pool, &|_, _| {}).unwrap();
        let run = dir.join("runs").join(format!("r000{i}"));
        for entry in std::fs::read_dir(&run).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".csv") && name != "run.json" {
                std::fs::remove_file(&path).unwrap();
            }
        }
        for file in RUN_FILES {
            assert!(
                run.join(file).is_file(),
                "{file} missing in {}",
                run.display()
            );
        }
    }
    dirs
}

/// A change to a JSON document by its structure, at the node numbered
/// `.0` in document order.
#[derive(Clone, Debug)]
enum JsonEdit {
    /// Replace the node by [`json_value`] `.1`.
    Replace(usize, usize),
    /// Remove entry `.1` of an object or array.
    Remove(usize, usize),
    /// Repeat entry `.1` of an array.
    Repeat(usize, usize),
}

/// Stands for a number JSON text can hold but `serde_json` cannot build.
const HUGE: &str = "\u{0}huge\u{0}";

/// Values of every type, and ids and paths that must not name a folder.
fn json_value(k: usize) -> Value {
    let values = [
        Value::Null,
        Value::Bool(true),
        serde_json::json!(-1),
        serde_json::json!(0),
        serde_json::json!(1.5),
        serde_json::json!(1e308),
        serde_json::json!(u64::MAX),
        serde_json::json!(i64::MIN),
        Value::String(HUGE.into()),
        Value::String(String::new()),
        Value::String("../../X".into()),
        Value::String("/tmp/X".into()),
        Value::String("r0000/../../X".into()),
        Value::String("r00000000000000000000000".into()),
        Value::String("r0001".into()),
        Value::String("dcsim-shard-1".into()),
        Value::String("a\nb\u{0}\u{1b}[31m".into()),
        Value::String("x".repeat(3000)),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!([["load.utilization", "0.5"]]),
        serde_json::json!({"path": "load.utilization", "values": ["0.5", "0.5"]}),
    ];
    values[k % values.len()].clone()
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    prop_oneof![
        3 => (any::<usize>(), any::<usize>()).prop_map(|(n, k)| JsonEdit::Replace(n, k)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(n, k)| JsonEdit::Remove(n, k)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(n, k)| JsonEdit::Repeat(n, k)),
    ]
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Applies `edit` to the node numbered `*n` (counting down in document
/// order); true once applied.
fn edit_node(v: &mut Value, n: &mut usize, edit: &JsonEdit) -> bool {
    if *n == 0 {
        match (edit, &mut *v) {
            (JsonEdit::Replace(_, k), _) => *v = json_value(*k),
            (JsonEdit::Remove(_, k), Value::Array(a)) if !a.is_empty() => {
                let i = k % a.len();
                a.remove(i);
            }
            (JsonEdit::Remove(_, k), Value::Object(o)) if !o.is_empty() => {
                let key = o.keys().nth(k % o.len()).unwrap().clone();
                o.remove(&key);
            }
            (JsonEdit::Repeat(_, k), Value::Array(a)) if !a.is_empty() => {
                let i = k % a.len();
                let copy = a[i].clone();
                a.insert(i, copy);
            }
            _ => {}
        }
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|c| edit_node(c, n, edit)),
        Value::Object(o) => o.values_mut().any(|c| edit_node(c, n, edit)),
        _ => false,
    }
}

/// The manifest's JSON with `edits` applied, as text.
fn edit_json(bytes: &[u8], edits: &[JsonEdit]) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(bytes).unwrap();
    for e in edits {
        let (JsonEdit::Replace(node, _) | JsonEdit::Remove(node, _) | JsonEdit::Repeat(node, _)) =
            e;
        let mut n = node % count_nodes(&v);
        edit_node(&mut v, &mut n, e);
    }
    serde_json::to_string_pretty(&v)
        .unwrap()
        .replace(&format!("{HUGE:?}"), "18446744073709551616e400")
        .into_bytes()
}

/// A manifest changed by its structure or by its bytes.
#[derive(Clone, Debug)]
enum ManifestChange {
    Json(Vec<JsonEdit>),
    Bytes(Vec<Mutation>),
}

fn manifest_change() -> impl Strategy<Value = ManifestChange> {
    prop_oneof![
        prop::collection::vec(json_edit(), 1..4).prop_map(ManifestChange::Json),
        prop::collection::vec(mutation(), 1..4).prop_map(ManifestChange::Bytes),
    ]
}

fn changed(bytes: &[u8], change: &ManifestChange) -> Vec<u8> {
    match change {
        ManifestChange::Json(edits) => edit_json(bytes, edits),
        ManifestChange::Bytes(m) => mutate(bytes, m),
    }
}

/// Checks a merge's or read's refusal: one line per problem, naming a
/// path under `case`.
fn check_refusal(e: SweepError, case: &Path) -> Result<(), TestCaseError> {
    let shown = case.display().to_string();
    match e {
        SweepError::BadInput(m) => check_message(&m, &[&shown], 4 * shown.len()),
        other => {
            prop_assert!(false, "not a bad-input error: {other}");
            Ok(())
        }
    }
}

/// `read_manifest` of a mutated `shard.json`: a manifest whose runs its
/// plan derives (ids that are run ids, never paths), or a refusal naming
/// it.
#[test]
fn mutated_manifests_are_read_or_refused() {
    let root = tempfile::tempdir().unwrap();
    let [sh0, _] = shards(root.path());
    let original = std::fs::read(sh0.join("shard.json")).unwrap();
    let manifest: Manifest = serde_json::from_slice(&original).unwrap();
    assert_eq!(manifest.runs, ["r0000"]);
    TestRunner::new(super::config(256, file!()))
        .run(&manifest_change(), |change| {
            let case = tempfile::tempdir().unwrap();
            std::fs::write(case.path().join("shard.json"), changed(&original, &change)).unwrap();
            match read_manifest(case.path()) {
                Ok(m) => {
                    // A manifest may be edited into another sweep's, but
                    // only one whose runs its own plan derives.
                    let s = &m.sweep;
                    prop_assert_eq!(&s.runs, &expand(&s.varies, s.replications, s.base_seed));
                    prop_assert!(m.runs.iter().all(|id| is_run_id(id)));
                    prop_assert!(m.runs.iter().all(|id| s.runs.iter().any(|r| &r.id == id)));
                }
                Err(e) => check_refusal(e, case.path())?,
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// `merge` of two shards, one or both manifests mutated: the merged sweep
/// under `--out`, or a refusal; the shards themselves and everything
/// beside `--out` unchanged.
#[test]
fn merges_of_mutated_shards_write_only_under_out() {
    let root = tempfile::tempdir().unwrap();
    let shards = shards(root.path());
    TestRunner::new(super::config(16, file!()))
        .run(
            &(manifest_change(), prop::option::of(manifest_change())),
            |(first, second)| {
                let case = tempfile::tempdir().unwrap();
                let dirs: Vec<PathBuf> = shards
                    .iter()
                    .map(|s| {
                        let to = case.path().join(s.file_name().unwrap());
                        copy_tree(s, &to);
                        to
                    })
                    .collect();
                for (dir, change) in dirs.iter().zip([Some(first), second]) {
                    if let Some(change) = change {
                        let path = dir.join("shard.json");
                        let bytes = std::fs::read(&path).unwrap();
                        std::fs::write(&path, changed(&bytes, &change)).unwrap();
                    }
                }
                let out = case.path().join("out");
                let before = snapshot(case.path(), &out);
                match merge(&dirs, &out) {
                    Ok(report) => {
                        prop_assert_eq!(report.runs, 2);
                        prop_assert!(out.join("sweep.csv").is_file());
                    }
                    Err(e) => check_refusal(e, case.path())?,
                }
                prop_assert_eq!(snapshot(case.path(), &out), before);
                Ok(())
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A change to a run folder: a file's bytes mutated, or the file removed.
#[derive(Clone, Debug)]
enum FileChange {
    Mutate(usize, Vec<Mutation>),
    Remove(usize),
}

fn file_change() -> impl Strategy<Value = FileChange> {
    prop_oneof![
        6 => (any::<usize>(), super::mutations()).prop_map(|(f, m)| FileChange::Mutate(f, m)),
        1 => any::<usize>().prop_map(FileChange::Remove),
    ]
}

/// A copy of the run folder `from` in `to` with `changes` made.
fn changed_run(from: &Path, to: &Path, changes: &[FileChange]) {
    std::fs::create_dir_all(to).unwrap();
    for file in RUN_FILES {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
    for change in changes {
        let file = |f: &usize| to.join(RUN_FILES[f % RUN_FILES.len()]);
        match change {
            FileChange::Mutate(f, m) => {
                if let Ok(bytes) = std::fs::read(file(f)) {
                    std::fs::write(file(f), mutate(&bytes, m)).unwrap();
                }
            }
            FileChange::Remove(f) => {
                let _ = std::fs::remove_file(file(f));
            }
        }
    }
}

/// The read-backs of `compare` and a sweep's table (summary, contracts,
/// services, time series, monthly cash) and of a resumed sweep or merge
/// (`run.json`) on a mutated run folder: finite figures, or the file named.
#[test]
fn mutated_run_folders_read_back_or_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let [sh0, _] = shards(root.path());
    let run = sh0.join("runs/r0000");
    let record = std::fs::read(run.join("run.json")).unwrap();
    TestRunner::new(super::config(256, file!()))
        .run(&prop::collection::vec(file_change(), 1..3), |changes| {
            let case = tempfile::tempdir().unwrap();
            let dir = case.path().join("r0000");
            changed_run(&run, &dir, &changes);
            let shown = dir.display().to_string();
            let names = [shown.as_str()];
            match RunSummary::read(&dir) {
                Ok(s) => {
                    prop_assert_eq!(s.columns.len(), s.values.len());
                    for c in &s.columns {
                        if let Some(x) = s.number(c) {
                            prop_assert!(x.is_finite(), "{c} = {x}");
                        }
                    }
                }
                Err(e) => check_message(&e.to_string(), &names, 2 * shown.len())?,
            }
            match FleetSeries::read(&dir, 50) {
                Ok(Some(series)) => {
                    prop_assert!(series.chips_online.len() <= 50);
                    for (t, x) in series.chips_online.iter().chain(&series.facility_mw) {
                        prop_assert!(t.is_finite() && x.is_finite(), "({t}, {x})");
                    }
                }
                Ok(None) => {}
                Err(e) => check_message(&e.to_string(), &names, 2 * shown.len())?,
            }
            match cumulative_cash(&dir) {
                Ok(Some(points)) => {
                    for (t, x) in &points {
                        prop_assert!(t.is_finite() && x.is_finite(), "({t}, {x})");
                    }
                }
                Ok(None) => {}
                Err(e) => check_message(&e.to_string(), &names, 2 * shown.len())?,
            }
            let same = std::fs::read(dir.join("run.json")).is_ok_and(|b| b == record)
                && dir.join("summary.csv").is_file();
            prop_assert_eq!(is_complete(&dir, &record), same);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// The comparison (what `dcsim compare` writes) of a mutated run folder
/// and an intact one: written under `--out`, or refused with one line per
/// problem and nothing written; the runs unchanged.
#[test]
fn compare_of_mutated_runs_is_written_or_refused_and_writes_only_under_out() {
    let root = tempfile::tempdir().unwrap();
    let [sh0, sh1] = shards(root.path());
    TestRunner::new(super::config(4, file!()))
        .run(&prop::collection::vec(file_change(), 1..3), |changes| {
            let case = tempfile::tempdir().unwrap();
            let a = case.path().join("a");
            changed_run(&sh0.join("runs/r0000"), &a, &changes);
            let b = case.path().join("b");
            changed_run(&sh1.join("runs/r0001"), &b, &[]);
            let out = case.path().join("cmp");
            let before = snapshot(case.path(), &out);
            let result = dcsim::output::compare::write(&[a.clone(), b.clone()], &out);
            prop_assert_eq!(snapshot(case.path(), &out), before);
            match result {
                Ok(_) => prop_assert!(out.join("comparison.csv").is_file()),
                Err(e) => {
                    let message = e.to_string();
                    prop_assert!(!message.contains("internal error"), "{message}");
                    let shown = a.display().to_string();
                    check_message(message.trim_end(), &[&shown], 2 * shown.len())?;
                    prop_assert!(
                        !out.exists(),
                        "a refused comparison wrote {}",
                        out.display()
                    );
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
