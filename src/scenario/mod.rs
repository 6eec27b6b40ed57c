//! Scenario files: reading, `--set` overrides, and the one validation
//! boundary that turns them into a runnable [`Scenario`].
//!
//! The path of a file through this module:
//! 1. read the bytes ([`crate::input`]: regular files of bounded size only;
//!    unreadable or non-UTF-8 files are reported as such);
//! 2. parse TOML into a tree that remembers each value's file and position
//!    ([`tree`]); if the file `extends` a base, read the chain of bases and
//!    merge the file onto them ([`extends`]); then apply `--set PATH=VALUE`
//!    overrides to it;
//! 3. deserialize the plain [`spec::ScenarioSpec`] structs, collecting every
//!    unknown key, wrong type and missing key at once ([`de`]);
//! 4. check meaning and resolve names ([`validate`]), collecting every
//!    problem again.
//!
//! Every problem becomes an [`Issue`] with `file:line:column`, the field path
//! and a message that says what was found, what was expected and, for
//! misspelled keys and names, the closest correct one.
//!
//! This module depends on the catalog alone among the model modules.

pub mod de;
pub mod diag;
pub mod extends;

pub mod model;
pub mod spec;
pub mod tree;
pub mod validate;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use diag::{Issue, Location, ScenarioError};
pub use model::Scenario;

use crate::input;
use tree::{FieldPath, Source, Span};

/// The built-in default scenario (`scenarios/default.toml`), compiled in.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");
/// The name under which the built-in scenario is reported.
pub const DEFAULT_SCENARIO_LABEL: &str = "scenarios/default.toml (built in)";

/// What to change on top of the file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `PATH=VALUE` assignments, applied in order.
    pub sets: Vec<String>,
    /// Replaces the file's seed.
    pub seed: Option<u64>,
}

/// Reads and validates a scenario file.
pub fn load_file(path: &Path, overrides: &Overrides) -> Result<Scenario, ScenarioError> {
    ScenarioText::read(path)?.load(overrides)
}

/// The text of a scenario, read once and validated as often as needed (a
/// sweep validates it under many sets of overrides, and every run of the
/// sweep reads the same text even if the file changes meanwhile).
#[derive(Clone, Debug)]
pub struct ScenarioText {
    /// The name in messages: the path as given, or the built-in's label.
    pub shown: String,
    /// The text.
    pub text: String,
    /// The file it was read from; `None` for the built-in default.
    pub path: Option<PathBuf>,
}

impl ScenarioText {
    /// Reads a scenario file (a regular UTF-8 file of bounded size).
    pub fn read(path: &Path) -> Result<ScenarioText, ScenarioError> {
        Ok(ScenarioText {
            shown: path.display().to_string(),
            text: read_scenario_text(path)?,
            path: Some(path.to_path_buf()),
        })
    }

    /// The built-in default scenario.
    pub fn builtin_default() -> ScenarioText {
        ScenarioText {
            shown: DEFAULT_SCENARIO_LABEL.to_string(),
            text: DEFAULT_SCENARIO.to_string(),
            path: None,
        }
    }

    /// Validates the text with `overrides`, reading the bases it extends
    /// and the files it names relative to its file's folder.
    pub fn load(&self, overrides: &Overrides) -> Result<Scenario, ScenarioError> {
        load_source(self.source(), self.path.as_deref(), overrides)
    }

    /// The texts of the scenario and of every base it extends, the scenario
    /// first: what decides the scenario besides the command line and the
    /// data files it names.
    pub fn chain_texts(&self) -> Result<Vec<String>, ScenarioError> {
        let mut source = self.source();
        extends::load_tree(&mut source, self.path.as_deref())
            .map_err(|issues| ScenarioError { issues })?;
        Ok((0..source.file_count())
            .map(|i| source.file(tree::FileId(i)).text.clone())
            .collect())
    }

    fn source(&self) -> Source {
        Source::new(self.shown.clone(), self.text.clone())
            .with_folder(self.path.as_deref().and_then(Path::parent))
    }
}

/// The UTF-8 text of a scenario file, or a problem located in it.
fn read_scenario_text(path: &Path) -> Result<String, ScenarioError> {
    let shown = path.display().to_string();
    let bytes = input::read_regular_file(
        path,
        input::MAX_SCENARIO_BYTES,
        "; a scenario is a short TOML file",
    )
    .map_err(|e| {
        let fix = match &e {
            input::InputError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                " (scenarios/ holds the examples)"
            }
            _ => "",
        };
        ScenarioError::single(
            Location::WholeFile {
                file: shown.clone(),
            },
            "",
            format!("cannot read the scenario file: {e}{fix}"),
        )
    })?;
    scenario_text(bytes, &shown).map_err(|issue| ScenarioError {
        issues: vec![issue],
    })
}

/// The text of a scenario file read as `bytes`, or a problem located at
/// its first byte that is not UTF-8.
fn scenario_text(bytes: Vec<u8>, shown: &str) -> Result<String, Issue> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let line = prefix.matches('\n').count() + 1;
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Issue {
            location: Location::File {
                file: shown.to_string(),
                line,
                column,
            },
            field: String::new(),
            message: "the file is not UTF-8 text (invalid byte here); save it as UTF-8".into(),
        }
    })
}

/// Validates scenario text. `file` names it in messages; `base_dir` is where
/// files it refers to (a base it `extends`, hourly CSVs, traces) are looked
/// up; without one, it cannot extend a base.
pub fn load_str(
    file: &str,
    text: &str,
    base_dir: Option<&Path>,
    overrides: &Overrides,
) -> Result<Scenario, ScenarioError> {
    load_source(
        Source::new(file, text).with_folder(base_dir),
        None,
        overrides,
    )
}

/// Validates the main file of `source` (read from `origin`, if it is a file)
/// with the bases it extends and the overrides.
fn load_source(
    mut source: Source,
    origin: Option<&Path>,
    overrides: &Overrides,
) -> Result<Scenario, ScenarioError> {
    source.set_arguments = overrides.sets.clone();
    let mut root =
        extends::load_tree(&mut source, origin).map_err(|issues| ScenarioError { issues })?;

    let mut set_issues = Vec::new();
    for (i, arg) in overrides.sets.iter().enumerate() {
        let target = arg.split_once('=').map_or(arg.as_str(), |(p, _)| p).trim();
        let result = if target == extends::EXTENDS_KEY
            || target.starts_with("extends.")
            || target.starts_with("extends[")
        {
            Err("`extends` cannot be set on the command line: the bases are read before `--set` applies; write it in the file".to_string())
        } else {
            tree::apply_set(&mut root, arg, i)
        };
        if let Err(message) = result {
            set_issues.push(Issue {
                location: Location::SetArgument {
                    argument: arg.clone(),
                },
                field: String::new(),
                message,
            });
        }
    }
    if !set_issues.is_empty() {
        return Err(ScenarioError { issues: set_issues });
    }

    let outcome = de::deserialize::<spec::ScenarioSpec>(&root);
    let mut issues: Vec<Issue> = outcome
        .issues
        .iter()
        .map(|raw| source.issue(&Span::from(&raw.span), &raw.path, raw.message.clone()))
        .collect();

    // Check meaning even when some fields were unusable, so one run reports
    // everything; stay quiet about the unusable fields themselves.
    if let Some(mut spec) = outcome.value.or(outcome.partial) {
        if let Some(seed) = overrides.seed {
            spec.seed = Some(seed);
        }
        let main_folder = source.file(tree::FileId::MAIN).folder.clone();
        let folders = |path: &FieldPath| -> Option<PathBuf> {
            let (node, depth) = root.lookup(path);
            match &node.span {
                Span::File { file, .. } if depth == path.0.len() => {
                    source.file(*file).folder.clone()
                }
                _ => main_folder.clone(),
            }
        };
        match validate::validate_with_folders(&spec, &folders) {
            Ok(scenario) if issues.is_empty() => return Ok(scenario),
            Ok(_) => {}
            Err(problems) => {
                for (path, message) in problems.by_path {
                    if is_poisoned(&outcome.poisoned, &path) {
                        continue;
                    }
                    issues.push(locate(&source, &root, &path, message));
                }
                issues.extend(problems.located);
            }
        }
    }
    issues.sort_by(|a, b| a.location.cmp(&b.location));
    issues.dedup();
    Err(ScenarioError { issues })
}

/// Whether `path` is at or under a path whose value was unusable. An
/// unusable `kind` makes its whole table unusable: what the other keys
/// should be depends on it.
fn is_poisoned(poisoned: &BTreeSet<String>, path: &FieldPath) -> bool {
    let p = path.to_string();
    poisoned.iter().any(|bad| {
        let bad = bad.strip_suffix(".kind").unwrap_or(bad);
        p == *bad
            || (p.starts_with(bad)
                && matches!(p.as_bytes().get(bad.len()), Some(b'.') | Some(b'[')))
    })
}

/// An issue at the value of `path`, or at the closest enclosing table when
/// the value is absent.
fn locate(source: &Source, root: &tree::Node, path: &FieldPath, message: String) -> Issue {
    let (node, depth) = root.lookup(path);
    let span = if depth == path.0.len() {
        node.span.clone()
    } else {
        // The key is absent: point at the table that should hold it, or at
        // the key that names that table.
        let parent = FieldPath(path.0[..depth].to_vec());
        root.key_span(&parent).unwrap_or_else(|| node.span.clone())
    };
    source.issue(&span, &path.to_string(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisoned_prefixes_cover_children_only() {
        let poisoned: BTreeSet<String> =
            ["sites[0].grid_mw".to_string(), "load".to_string()].into();
        let p = |s: &str| FieldPath::parse(s).unwrap();
        assert!(is_poisoned(&poisoned, &p("sites[0].grid_mw")));
        assert!(is_poisoned(&poisoned, &p("load.utilization")));
        assert!(!is_poisoned(&poisoned, &p("loads")));
        assert!(!is_poisoned(&poisoned, &p("sites[0].grid_mw_extra")));
        assert!(!is_poisoned(&poisoned, &p("sites[0].pue")));
        let kind: BTreeSet<String> = ["failures.gpu.repair.kind".to_string()].into();
        assert!(is_poisoned(&kind, &p("failures.gpu.repair.value")));
        assert!(!is_poisoned(
            &kind,
            &p("failures.gpu.rate_per_million_hours")
        ));
    }
}
