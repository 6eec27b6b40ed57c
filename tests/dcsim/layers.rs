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

/// Most lines of any source file under `src/` (issue 19 item 7).
const MAX_FILE_LINES: usize = 1_000;

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
fn source_files_stay_under_a_thousand_lines() {
    let root = repository();
    let long: Vec<String> = sources(&root.join("src"))
        .into_iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file)
                .expect("a source file")
                .lines()
                .count();
            (lines > MAX_FILE_LINES).then(|| format!("{}: {lines} lines", file.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split it, at most {MAX_FILE_LINES} lines a file:\n{}",
        long.join("\n")
    );
}

/// The crates only the command line uses (the `cli` feature's, Cargo.toml).
const COMMAND_LINE_CRATES: [&str; 4] = ["clap", "indicatif", "signal_hook", "anyhow"];

/// Most lines of `src/main.rs`, the binary's table of contents (issue 20).
const MAX_MAIN_LINES: usize = 200;

#[test]
fn the_library_uses_no_command_line_crate_and_holds_no_benchmark() {
    let root = repository();
    let src = root.join("src");
    let outside_the_library = |f: &Path| f == src.join("main.rs") || f.starts_with(src.join("cli"));
    let mut problems = Vec::new();
    for file in sources(&src)
        .into_iter()
        .filter(|f| !outside_the_library(f))
    {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (k, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in COMMAND_LINE_CRATES {
                if code.contains(&format!("{name}::")) {
                    problems.push(format!(
                        "{}:{}: uses {name}, a crate of the command line (src/cli/); the library does without it",
                        file.display(),
                        k + 1
                    ));
                }
            }
            if code.trim() == "pub mod bench;" || code.trim() == "mod bench;" {
                problems.push(format!(
                    "{}:{}: the benchmarks are the command line's (src/cli/bench/), not the library's",
                    file.display(),
                    k + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The modules a Rust program sees: the command line (behind the `cli`
/// feature) and the rows of a run; the rest of the public surface is the
/// handful of items `lib.rs` re-exports (`Scenario`, `run`, `Results`, …).
const PUBLIC_MODULES: [&str; 2] = ["cli", "rows"];

#[test]
fn the_library_shows_a_small_public_surface() {
    let lib = std::fs::read_to_string(repository().join("src/lib.rs")).expect("src/lib.rs");
    let lines: Vec<&str> = lib.lines().collect();
    let mut public = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim().strip_prefix("pub mod ") else {
            continue;
        };
        let name = rest.trim_end_matches(['{', ';', ' ']);
        public.push(name.to_string());
        if name == "cli" {
            assert_eq!(
                lines[k - 1].trim(),
                "#[cfg(feature = \"cli\")]",
                "src/lib.rs:{}: the command line is built only with the `cli` feature",
                k + 1
            );
        }
    }
    assert_eq!(
        public, PUBLIC_MODULES,
        "src/lib.rs: a module is public that should be pub(crate) (or PUBLIC_MODULES and the crate docs say why it is public)"
    );
}

#[test]
fn main_rs_stays_a_table_of_contents() {
    let lines = std::fs::read_to_string(repository().join("src/main.rs"))
        .expect("src/main.rs")
        .lines()
        .count();
    assert!(
        lines <= MAX_MAIN_LINES,
        "src/main.rs has {lines} lines, more than {MAX_MAIN_LINES}: a subcommand's arguments and work go in its file of src/cli/"
    );
}

/// The test files that call `str::replace` on something other than a
/// fixture's text, with how many lines do: HTML entities decoded
/// (`charts.rs`), a temporary path cut from messages and a checked manifest
/// edit (`command_safety.rs`), the checked `Edit` itself (`common.rs`), a
/// command's prefix (`docs.rs`), path separators (here), a fuzzed JSON
/// value (`fuzz/read_back.rs`).
const REPLACE_ALLOWED: &[(&str, usize)] = &[
    ("tests/dcsim/charts.rs", 5),
    ("tests/dcsim/command_safety.rs", 3),
    ("tests/dcsim/common.rs", 1),
    ("tests/dcsim/docs.rs", 1),
    ("tests/internals/fuzz/read_back.rs", 1),
    ("tests/dcsim/layers.rs", 2),
];

#[test]
fn tests_edit_fixtures_with_checked_edits() {
    let root = repository();
    let needle = [".replace", "("].concat();
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    let tests = [root.join("tests/dcsim"), root.join("tests/internals")];
    for file in tests.iter().flat_map(|dir| sources(dir)) {
        let text = std::fs::read_to_string(&file).expect("a test file");
        let count = text.lines().filter(|l| l.contains(&needle)).count();
        if count > 0 {
            let name = file.strip_prefix(&root).expect("inside the repository");
            found.insert(name.to_string_lossy().replace('\\', "/"), count);
        }
    }
    let allowed: BTreeMap<String, usize> = REPLACE_ALLOWED
        .iter()
        .map(|(f, n)| (f.to_string(), *n))
        .collect();
    assert_eq!(
        found, allowed,
        "a test edits a fixture with str::replace, which does nothing when the text is not there: use common::Edit (text.edit(from, to)) or --set overrides; or update REPLACE_ALLOWED for a replace that is not a fixture edit"
    );
}
