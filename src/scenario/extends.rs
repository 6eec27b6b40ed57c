//! `extends`: a scenario file that names a base scenario and changes parts
//! of it, instead of copying the whole file.
//!
//! ```toml
//! extends = "base.toml"      # relative to this file's folder
//! seed = 9                   # replaces the base's seed
//!
//! [[sites]]
//! name = "ohio"              # the base's site "ohio" …
//! grid_mw = 450              # … gets a new grid connection, the rest kept
//!
//! [[jobs]]
//! name = "pilot"
//! remove = true              # drops the base's job "pilot"
//! ```
//!
//! This module owns reading the chain of bases and merging the trees; it
//! does not know what any key means (that is [`super::de`] and
//! [`super::validate`], which see the merged tree as if it were one file).
//!
//! # Reading
//!
//! The top-level `extends` key names the base file, relative to the folder of
//! the file that names it (an absolute path is taken as is). The base is read like the scenario itself (a
//! regular file of at most [`input::MAX_SCENARIO_BYTES`], UTF-8) and may
//! extend another base in turn, at most [`MAX_EXTENDS_DEPTH`] files deep;
//! a file that extends itself, directly or through its bases, is an error.
//! Each file's `extends` key is taken out of its tree before merging, so the
//! scenario never sees it. `--set` overrides apply to the merged tree.
//!
//! # Merge rules
//!
//! The extending file's tree is merged onto its base's:
//!
//! - a **table** is merged key by key, recursively; a key only the base has
//!   is kept, a key only the extending file has is added;
//! - a **scalar**, or an **array whose elements are not all tables with a
//!   string `name`** (a plain array such as `pue_monthly`, or an array of
//!   tables such as `[[sites.buildout]]` or `[[links]]`), replaces the base's
//!   value whole; an empty array (`jobs = []`) clears the base's;
//! - an **array of tables whose elements all have a string `name`** in both
//!   files (`[[sites]]`, `[[jobs]]`, `[[services]]`, `[[racks]]`, `[[chips]]`
//!   …) is merged by name: an element whose name the base has is merged into
//!   that element (recursively, by these rules) where it stands; an element
//!   with a new name is appended, in the extending file's order. Each name
//!   may appear once in the extending file's array;
//! - `remove = true` in such an element drops the base's element of that
//!   name (the element may hold nothing but `name` and `remove`); naming an
//!   element the base lacks is an error. `remove = false` is the same as
//!   leaving it out. Outside an array merged by name, `remove` is an unknown
//!   key like any other;
//! - a value of a **different kind** than the base's (a table where the base
//!   has a number, …) replaces it; validation then reports a wrong type as
//!   usual.
//!
//! A key of a table cannot be deleted, only given another value.
//!
//! # Where problems are reported
//!
//! Every value keeps the span of the file that wrote it, so a problem in a
//! value inherited from a base is reported at the base's line and column, and
//! a problem in an override at the extending file's. Input files named in a
//! base (hourly CSVs, traces) are relative to the base's folder. A merged
//! table or array keeps the position where the base wrote it.

use std::path::{Path, PathBuf};

use super::diag::{Issue, did_you_mean_value};
use super::tree::{self, FieldPath, FileId, Key, Node, Source, Span, Value};
use crate::input;

/// The key that names the base file.
pub const EXTENDS_KEY: &str = "extends";
/// The key that drops an inherited element of an array merged by name.
pub const REMOVE_KEY: &str = "remove";
/// How many bases deep a chain of `extends` may go: the scenario given plus
/// at most this many bases.
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// Parses the main file of `source` ([`FileId::MAIN`]) and every base it
/// extends (added to `source` as they are read), and returns the merged tree
/// with every `extends` key taken out. `origin` is the main file's path, if
/// it is a file, so that a base which extends it back is told as a cycle.
pub fn load_tree(source: &mut Source, origin: Option<&Path>) -> Result<Node, Vec<Issue>> {
    let mut chain = Vec::new();
    if let Some(path) = origin {
        chain.push(Link {
            identity: identity(path),
            shown: source.file(FileId::MAIN).name.clone(),
        });
    }
    resolve(source, FileId::MAIN, &mut chain, 0)
}

/// A file of the chain being read.
struct Link {
    /// The file's canonical path (or its path, if it has none).
    identity: PathBuf,
    /// Its name in messages.
    shown: String,
}

/// What tells two paths of the same file apart from two files.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The tree of file `id` merged onto its bases; `depth` is how many bases
/// were followed to reach it.
fn resolve(
    source: &mut Source,
    id: FileId,
    chain: &mut Vec<Link>,
    depth: usize,
) -> Result<Node, Vec<Issue>> {
    let mut node = tree::parse(source, id)?;
    let Some((_, value)) = take_key(&mut node, EXTENDS_KEY) else {
        return Ok(node);
    };
    let fail = |source: &Source, message: String| -> Result<Node, Vec<Issue>> {
        Err(vec![source.issue(&value.span, EXTENDS_KEY, message)])
    };
    let Value::Str(name) = &value.value else {
        return fail(
            source,
            format!(
                "expected a string naming the base scenario file, e.g. extends = \"base.toml\" (relative to this file's folder), found {}",
                describe(&value.value)
            ),
        );
    };
    let Some(folder) = source.file(id).folder.clone() else {
        return fail(
            source,
            format!(
                "there is no folder to look for \"{name}\" in: the built-in scenario and text not read from a file cannot extend another; save the scenario as a file next to its base"
            ),
        );
    };
    let path = folder.join(name);
    let shown = path.display().to_string();
    let here = identity(&path);
    if let Some(first) = chain.iter().position(|link| link.identity == here) {
        let names: Vec<&str> = chain[first..]
            .iter()
            .map(|link| link.shown.as_str())
            .chain(std::iter::once(shown.as_str()))
            .collect();
        return fail(
            source,
            format!(
                "the bases make a cycle ({}); a scenario cannot extend itself, directly or through its bases",
                names.join(" extends ")
            ),
        );
    }
    if depth == MAX_EXTENDS_DEPTH {
        return fail(
            source,
            format!(
                "\"{shown}\" would be base number {} in a row, and at most {MAX_EXTENDS_DEPTH} are allowed; fold some of the bases into one",
                depth + 1
            ),
        );
    }
    let bytes = match input::read_regular_file(
        &path,
        input::MAX_SCENARIO_BYTES,
        "; a scenario is a short TOML file",
    ) {
        Ok(bytes) => bytes,
        Err(e) => {
            return fail(
                source,
                format!(
                    "cannot read the base scenario \"{shown}\": {e} (the path is relative to the folder of the file that names it)"
                ),
            );
        }
    };
    let text = super::scenario_text(bytes, &shown).map_err(|issue| vec![issue])?;
    let base_id = source.add_file(shown.clone(), text, path.parent().map(Path::to_path_buf));
    chain.push(Link {
        identity: here,
        shown,
    });
    let base = resolve(source, base_id, chain, depth + 1);
    chain.pop();
    let mut issues = Vec::new();
    let merged = merge(
        Some(base?),
        node,
        &FieldPath::default(),
        source,
        &mut issues,
    );
    if issues.is_empty() {
        Ok(merged)
    } else {
        Err(issues)
    }
}

/// Takes the entry `key` out of a table node.
fn take_key(node: &mut Node, key: &str) -> Option<(Key, Node)> {
    let Value::Table(entries) = &mut node.value else {
        return None;
    };
    let at = entries.iter().position(|(k, _)| k.name == key)?;
    Some(entries.remove(at))
}

/// "a number (3)", "a table", … for messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Table(_) => value.kind().to_string(),
        _ => format!("{} ({})", value.kind(), value.brief()),
    }
}

/// The `name` of a table node, if it has a string one.
fn name_of(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Table(entries) => entries.iter().find_map(|(k, v)| match &v.value {
            Value::Str(s) if k.name == "name" => Some(s.as_str()),
            _ => None,
        }),
        _ => None,
    }
}

/// Whether an array is merged by name: not empty, and every element a table
/// with a string `name`.
fn is_named(items: &[Node]) -> bool {
    !items.is_empty() && items.iter().all(|n| name_of(n).is_some())
}

/// `over` (a value of the extending file at `path`) merged onto `base` (the
/// base's value there, if it has one), by the rules of the module docs.
/// Problems are added to `issues`; the result is then not to be used.
pub fn merge(
    base: Option<Node>,
    over: Node,
    path: &FieldPath,
    source: &Source,
    issues: &mut Vec<Issue>,
) -> Node {
    match over.value {
        Value::Table(over_entries) => {
            let (mut entries, span) = match base {
                Some(Node {
                    value: Value::Table(entries),
                    span,
                }) => (entries, span),
                _ => (Vec::new(), over.span),
            };
            for (key, value) in over_entries {
                let p = path.key(&key.name);
                match entries.iter().position(|(k, _)| k.name == key.name) {
                    Some(at) => {
                        let (base_key, base_value) = entries.remove(at);
                        let merged_in_place = merges_in_place(&base_value.value, &value.value);
                        let node = merge(Some(base_value), value, &p, source, issues);
                        let key = if merged_in_place { base_key } else { key };
                        entries.insert(at, (key, node));
                    }
                    None => {
                        let node = merge(None, value, &p, source, issues);
                        entries.push((key, node));
                    }
                }
            }
            Node {
                value: Value::Table(entries),
                span,
            }
        }
        Value::Array(over_items) if is_named(&over_items) => {
            let (base_items, span) = match base {
                Some(Node {
                    value: Value::Array(items),
                    span,
                }) if is_named(&items) => (items, span),
                _ => (Vec::new(), over.span),
            };
            Node {
                value: Value::Array(merge_named(base_items, over_items, path, source, issues)),
                span,
            }
        }
        value => Node {
            value,
            span: over.span,
        },
    }
}

/// Whether merging `over` onto `base` keeps the base's container (and so its
/// key's position) rather than replacing it.
fn merges_in_place(base: &Value, over: &Value) -> bool {
    match (base, over) {
        (Value::Table(_), Value::Table(_)) => true,
        (Value::Array(b), Value::Array(o)) => is_named(b) && is_named(o),
        _ => false,
    }
}

/// The elements of an array merged by name.
fn merge_named(
    base: Vec<Node>,
    over: Vec<Node>,
    path: &FieldPath,
    source: &Source,
    issues: &mut Vec<Issue>,
) -> Vec<Node> {
    let base_names: Vec<String> = base
        .iter()
        .filter_map(|n| name_of(n).map(str::to_string))
        .collect();
    let mut result: Vec<Option<Node>> = base.into_iter().map(Some).collect();
    let mut seen: Vec<String> = Vec::new();
    for (i, item) in over.into_iter().enumerate() {
        let p = path.index(i);
        let name = name_of(&item).unwrap_or_default().to_string();
        if seen.contains(&name) {
            let span = name_span(&item);
            issues.push(source.issue(
                &span,
                &p.key("name").to_string(),
                format!(
                    "\"{name}\" is named twice in `{path}` of this file; name each entry once (an entry the base has is changed by naming it once with the keys to change)"
                ),
            ));
            continue;
        }
        seen.push(name.clone());
        let (item, removal) = take_remove(item, &p, source, issues);
        let found = result
            .iter()
            .position(|n| n.as_ref().and_then(name_of) == Some(name.as_str()));
        match (found, removal) {
            (Some(at), Some(_)) => result[at] = None,
            (None, Some(span)) => {
                let hint = did_you_mean_value(&name, base_names.iter().map(String::as_str));
                let known = if base_names.is_empty() {
                    format!("the base has no `{path}`")
                } else {
                    format!("the base's are: {}", base_names.join(", "))
                };
                issues.push(source.issue(
                    &span,
                    &p.key(REMOVE_KEY).to_string(),
                    format!(
                        "the base scenario has no entry named \"{name}\" in `{path}` to remove{hint} ({known})"
                    ),
                ));
            }
            (Some(at), None) => {
                let base_item = result[at].take();
                result[at] = Some(merge(base_item, item, &p, source, issues));
            }
            (None, None) => result.push(Some(merge(None, item, &p, source, issues))),
        }
    }
    result.into_iter().flatten().collect()
}

/// The span of a named element's `name` value (or of the element).
fn name_span(item: &Node) -> Span {
    match &item.value {
        Value::Table(entries) => entries
            .iter()
            .find(|(k, _)| k.name == "name")
            .map(|(_, v)| v.span.clone())
            .unwrap_or_else(|| item.span.clone()),
        _ => item.span.clone(),
    }
}

/// Takes `remove` out of an element of an array merged by name: the span of
/// its key when it is `true`, with a problem reported if it is not a
/// boolean or if the element sets anything else beside its name.
fn take_remove(
    mut item: Node,
    path: &FieldPath,
    source: &Source,
    issues: &mut Vec<Issue>,
) -> (Node, Option<Span>) {
    let Some((key, value)) = take_key(&mut item, REMOVE_KEY) else {
        return (item, None);
    };
    let field = path.key(REMOVE_KEY).to_string();
    match value.value {
        Value::Bool(true) => {
            if let Value::Table(entries) = &item.value
                && let Some((other, _)) = entries.iter().find(|(k, _)| k.name != "name")
            {
                issues.push(source.issue(
                    &other.span,
                    &path.key(&other.name).to_string(),
                    format!(
                        "`remove = true` drops the inherited entry, so `{}` would be ignored; delete it, or delete `remove` to change the entry instead",
                        other.name
                    ),
                ));
            }
            (item, Some(key.span))
        }
        Value::Bool(false) => (item, None),
        other => {
            issues.push(source.issue(
                &value.span,
                &field,
                format!(
                    "expected true (drop the inherited entry of this name) or false, found {}",
                    describe(&other)
                ),
            ));
            (item, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Merges `over` onto `base` (two files of one source) and renders the
    /// result as `path = value @ file:line` lines.
    fn merged(base: &str, over: &str) -> Result<(Source, Node), Vec<String>> {
        let mut source = Source::new("over.toml", over);
        let base_id = source.add_file("base.toml", base, None);
        let b = tree::parse(&source, base_id).unwrap();
        let o = tree::parse(&source, FileId::MAIN).unwrap();
        let mut issues = Vec::new();
        let node = merge(Some(b), o, &FieldPath::default(), &source, &mut issues);
        if issues.is_empty() {
            Ok((source, node))
        } else {
            Err(issues.iter().map(ToString::to_string).collect())
        }
    }

    fn at<'a>(node: &'a Node, path: &str) -> &'a Node {
        let p = FieldPath::parse(path).unwrap();
        let (n, depth) = node.lookup(&p);
        assert_eq!(depth, p.0.len(), "{path} is absent");
        n
    }

    fn absent(node: &Node, path: &str) -> bool {
        let p = FieldPath::parse(path).unwrap();
        node.lookup(&p).1 < p.0.len()
    }

    fn place(source: &Source, node: &Node) -> String {
        source.locate(&node.span).to_string()
    }

    fn names(node: &Node, path: &str) -> Vec<String> {
        match &at(node, path).value {
            Value::Array(items) => items
                .iter()
                .map(|n| name_of(n).unwrap_or("?").to_string())
                .collect(),
            other => panic!("{path} is {}", other.kind()),
        }
    }

    const BASE: &str = r#"name = "base"
seed = 1
[load]
utilization = 0.5
[[sites]]
name = "ohio"
grid_mw = 300
pue = 1.2
pue_monthly = [1, 2]
[[sites.buildout]]
rack = "a"
count = 1
[[sites.buildout]]
rack = "b"
count = 2
[[sites]]
name = "texas"
grid_mw = 100
[[jobs]]
name = "pilot"
[[jobs]]
name = "main"
"#;

    #[test]
    fn tables_merge_key_by_key_and_scalars_replace() {
        let (s, n) = merged(BASE, "seed = 9\n[load]\nutilization = 0.9\n").unwrap();
        assert_eq!(at(&n, "seed").value, Value::Int(9));
        assert_eq!(place(&s, at(&n, "seed")), "over.toml:1:8");
        assert_eq!(at(&n, "name").value, Value::Str("base".into()));
        assert_eq!(place(&s, at(&n, "name")), "base.toml:1:8");
        assert_eq!(at(&n, "load.utilization").value, Value::Float(0.9));
        assert_eq!(place(&s, at(&n, "load.utilization")), "over.toml:3:15");
    }

    #[test]
    fn named_elements_merge_in_place_and_new_names_append() {
        let over = "[[sites]]\nname = \"texas\"\ngrid_mw = 150\n[[sites]]\nname = \"iowa\"\ngrid_mw = 50\n";
        let (s, n) = merged(BASE, over).unwrap();
        assert_eq!(names(&n, "sites"), ["ohio", "texas", "iowa"]);
        assert_eq!(at(&n, "sites[1].grid_mw").value, Value::Int(150));
        assert_eq!(place(&s, at(&n, "sites[1].grid_mw")), "over.toml:3:11");
        // The element stands where the base wrote it; its `name` is the
        // extending file's (it wrote it again), its other keys the base's.
        assert_eq!(place(&s, at(&n, "sites[1]")), "base.toml:16:1");
        assert_eq!(place(&s, at(&n, "sites[1].name")), "over.toml:2:8");
        assert_eq!(place(&s, at(&n, "sites[0].pue")), "base.toml:8:7");
        assert_eq!(at(&n, "sites[0].grid_mw").value, Value::Int(300));
        assert_eq!(place(&s, at(&n, "sites[2].grid_mw")), "over.toml:6:11");
    }

    #[test]
    fn plain_arrays_and_unnamed_arrays_of_tables_are_replaced_whole() {
        let over = "[[sites]]\nname = \"ohio\"\npue_monthly = [3]\n[[sites.buildout]]\nrack = \"c\"\ncount = 3\n";
        let (s, n) = merged(BASE, over).unwrap();
        assert_eq!(
            at(&n, "sites[0].pue_monthly").value,
            Value::Array(vec![Node {
                value: Value::Int(3),
                span: at(&n, "sites[0].pue_monthly[0]").span.clone()
            }])
        );
        let Value::Array(phases) = &at(&n, "sites[0].buildout").value else {
            panic!("buildout is not an array");
        };
        assert_eq!(phases.len(), 1);
        assert_eq!(
            at(&n, "sites[0].buildout[0].rack").value,
            Value::Str("c".into())
        );
        assert_eq!(
            place(&s, at(&n, "sites[0].buildout[0].rack")),
            "over.toml:5:8"
        );
        assert_eq!(at(&n, "sites[0].pue").value, Value::Float(1.2));
    }

    #[test]
    fn empty_array_clears_the_base() {
        let (_, n) = merged(BASE, "jobs = []\n").unwrap();
        assert_eq!(at(&n, "jobs").value, Value::Array(Vec::new()));
    }

    #[test]
    fn remove_drops_a_named_element() {
        let over = "[[jobs]]\nname = \"pilot\"\nremove = true\n[[jobs]]\nname = \"next\"\n";
        let (_, n) = merged(BASE, over).unwrap();
        assert_eq!(names(&n, "jobs"), ["main", "next"]);
        assert!(absent(&n, "jobs[0].remove"));
        let (_, n) = merged(BASE, "[[jobs]]\nname = \"main\"\nremove = false\n").unwrap();
        assert_eq!(names(&n, "jobs"), ["pilot", "main"]);
        assert!(absent(&n, "jobs[1].remove"));
    }

    #[test]
    fn remove_of_an_unknown_name_is_located() {
        let e = merged(BASE, "[[jobs]]\nname = \"pilt\"\nremove = true\n").unwrap_err();
        assert_eq!(
            e,
            [
                "over.toml:3:1: jobs[0].remove: the base scenario has no entry named \"pilt\" in `jobs` to remove; did you mean \"pilot\"? (the base's are: pilot, main)"
            ]
        );
        let e = merged(BASE, "[[arrivals]]\nname = \"x\"\nremove = true\n").unwrap_err();
        assert!(e[0].contains("the base has no `arrivals`"), "{e:?}");
    }

    #[test]
    fn remove_with_other_keys_or_of_another_type_is_located() {
        let e = merged(
            BASE,
            "[[jobs]]\nname = \"main\"\nremove = true\nchips = 8\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("over.toml:4:1: jobs[0].chips: `remove = true` drops"),
            "{e:?}"
        );
        let e = merged(BASE, "[[jobs]]\nname = \"main\"\nremove = \"yes\"\n").unwrap_err();
        assert!(
            e[0].starts_with("over.toml:3:10: jobs[0].remove: expected true"),
            "{e:?}"
        );
    }

    #[test]
    fn a_name_twice_in_the_extending_file_is_located() {
        let e = merged(
            BASE,
            "[[jobs]]\nname = \"main\"\n[[jobs]]\nname = \"main\"\n",
        )
        .unwrap_err();
        assert!(
            e[0].starts_with("over.toml:4:8: jobs[1].name: \"main\" is named twice"),
            "{e:?}"
        );
    }

    #[test]
    fn a_different_kind_replaces() {
        let (s, n) = merged(
            BASE,
            "load = 3\n[[sites]]\nname = \"ohio\"\ngrid_mw = { a = 1 }\n",
        )
        .unwrap();
        assert_eq!(at(&n, "load").value, Value::Int(3));
        assert_eq!(place(&s, at(&n, "sites[0].grid_mw")), "over.toml:4:11");
        assert!(matches!(at(&n, "sites[0].grid_mw").value, Value::Table(_)));
    }

    #[test]
    fn remove_where_the_base_has_nothing_is_checked_too() {
        // A base without the array: the extending file's elements are still
        // read by name, so a `remove` there is an error, not an unknown key.
        let e = merged(
            "name = \"b\"\n",
            "[[services]]\nname = \"chat\"\nremove = true\n",
        )
        .unwrap_err();
        assert!(e[0].contains("no entry named \"chat\""), "{e:?}");
    }

    #[test]
    fn extends_without_a_folder_is_located() {
        let mut source = Source::new("inline.toml", "name = \"x\"\nextends = \"base.toml\"\n");
        let e = load_tree(&mut source, None).unwrap_err();
        assert!(
            e[0].to_string()
                .starts_with("inline.toml:2:11: extends: there is no folder"),
            "{}",
            e[0]
        );
        let mut source = Source::new("s.toml", "extends = 3\n").with_folder(Some(Path::new(".")));
        let e = load_tree(&mut source, None).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "s.toml:1:11: extends: expected a string naming the base scenario file, e.g. extends = \"base.toml\" (relative to this file's folder), found an integer (3)"
        );
    }

    #[test]
    fn chains_cycles_and_depth() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        // c ← b ← a: each level changes one key.
        write("c.toml", "name = \"c\"\nseed = 1\nduration = \"1y\"\n");
        write("b.toml", "extends = \"c.toml\"\nseed = 2\n");
        let a = "extends = \"b.toml\"\nname = \"a\"\n";
        let mut source = Source::new("a.toml", a).with_folder(Some(dir.path()));
        let n = load_tree(&mut source, None).unwrap();
        assert_eq!(at(&n, "name").value, Value::Str("a".into()));
        assert_eq!(at(&n, "seed").value, Value::Int(2));
        assert_eq!(at(&n, "duration").value, Value::Str("1y".into()));
        assert!(absent(&n, "extends"));
        assert_eq!(source.file_count(), 3);
        assert!(place(&source, at(&n, "duration")).ends_with("c.toml:3:12"));

        // x extends y extends x.
        write("x.toml", "extends = \"y.toml\"\n");
        write("y.toml", "name = \"y\"\nextends = \"x.toml\"\n");
        let x = dir.path().join("x.toml");
        let mut source = Source::new(
            x.display().to_string(),
            std::fs::read_to_string(&x).unwrap(),
        )
        .with_folder(Some(dir.path()));
        let e = load_tree(&mut source, Some(&x)).unwrap_err();
        let e = e[0].to_string();
        assert!(
            e.contains("y.toml:2:11: extends: the bases make a cycle ("),
            "{e}"
        );
        assert!(e.contains("x.toml extends "), "{e}");

        // A chain of ten files: the ninth base is refused.
        for i in 0..10 {
            write(
                &format!("d{i}.toml"),
                &format!("extends = \"d{}.toml\"\n", i + 1),
            );
        }
        write("d10.toml", "name = \"end\"\n");
        let mut source =
            Source::new("d0.toml", "extends = \"d1.toml\"\n").with_folder(Some(dir.path()));
        let e = load_tree(&mut source, None).unwrap_err();
        let e = e[0].to_string();
        assert!(e.contains("d8.toml:1:11: extends: "), "{e}");
        assert!(e.contains("base number 9 in a row, and at most 8"), "{e}");

        // A missing base is reported at the `extends` that names it.
        let mut source =
            Source::new("m.toml", "\nextends = \"nope.toml\"\n").with_folder(Some(dir.path()));
        let e = load_tree(&mut source, None).unwrap_err();
        let e = e[0].to_string();
        assert!(
            e.starts_with("m.toml:2:11: extends: cannot read the base scenario \""),
            "{e}"
        );
        assert!(e.contains("nope.toml\": "), "{e}");
    }
}
