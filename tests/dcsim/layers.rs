//! The dependency order the crate docs (`src/lib.rs`) and
//! `docs/code-layout.md` state, kept true (issue 19): the model layers
//! (`src/world`, `src/workload`, `src/economics`, `src/policy`) take their
//! configuration as their own types and never import the scenario module,
//! whose files stay under 1,000 lines each.
//!
//! A file of a layer that imports the scenario module outside its unit
//! tests fails the test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folders of the model layers, relative to the repository.
const LAYERS: [&str; 4] = ["src/world", "src/workload", "src/economics", "src/policy"];

/// Most lines of a source file of `src/scenario/`.
const MAX_SCENARIO_FILE_LINES: usize = 1_000;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file below `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The lines of a source file before its unit tests (`#[cfg(test)]`),
/// without comments.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .filter(|l| !l.trim_start().starts_with("//"))
}

#[test]
fn the_model_layers_do_not_import_the_scenario_module() {
    let root = repository();
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    for layer in LAYERS {
        for file in sources(&root.join(layer)) {
            let text = std::fs::read_to_string(&file).expect("a source file");
            let count = code_lines(&text)
                .filter(|l| l.contains("crate::scenario"))
                .count();
            if count > 0 {
                let name = file.strip_prefix(&root).expect("inside the repository");
                found.insert(name.to_string_lossy().replace('\\', "/"), count);
            }
        }
    }
    let problems: Vec<String> = found
        .iter()
        .map(|(file, n)| {
            format!(
                "{file} imports crate::scenario ({n} lines): a layer takes its own configuration type, defined in the layer"
            )
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn scenario_files_stay_under_a_thousand_lines() {
    let root = repository();
    let long: Vec<String> = sources(&root.join("src/scenario"))
        .into_iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file)
                .expect("a source file")
                .lines()
                .count();
            (lines > MAX_SCENARIO_FILE_LINES).then(|| format!("{}: {lines} lines", file.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split by table, at most {MAX_SCENARIO_FILE_LINES} lines a file:\n{}",
        long.join("\n")
    );
}
