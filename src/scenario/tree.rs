//! The scenario file as a tree of values that remember where they came from
//! (a byte range of one of the files read — the scenario and the bases it
//! extends — or a `--set` argument), so that every problem found later can be
//! reported at its file, line and column.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::diag::{Issue, Location};

/// One of the files of a [`Source`]: the scenario given is
/// [`FileId::MAIN`], the bases it extends follow in the order read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

impl FileId {
    /// The scenario file given to load (the one that may extend others).
    pub const MAIN: FileId = FileId(0);
}

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    /// Bytes of one of the source's files.
    File {
        /// Which file.
        file: FileId,
        /// The bytes.
        range: Range<usize>,
    },
    /// The `--set` argument with this index.
    Set(usize),
}

impl Span {
    /// Bytes `range` of `file`.
    pub fn file(file: FileId, range: Range<usize>) -> Span {
        Span::File { file, range }
    }
}

/// A value and its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub span: Span,
}

/// A key of a table and its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key's text.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A TOML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float (may be NaN or infinite: validation rejects those).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date, time or date-time, as written.
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table, keys in file order.
    Table(Vec<(Key, Node)>),
}

impl Value {
    /// "a string", "an integer", … for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// A short rendering of the value for messages: scalars as written,
    /// containers by kind.
    pub fn brief(&self) -> String {
        match self {
            Value::Str(s) => format!("\"{s}\""),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Datetime(d) => d.clone(),
            Value::Array(_) => "an array".into(),
            Value::Table(_) => "a table".into(),
        }
    }
}

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A field path such as `sites[1].buildout[0].count`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// This path extended by a key.
    pub fn key(&self, k: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(k.to_string()));
        p
    }
    /// This path extended by an index.
    pub fn index(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(i));
        p
    }

    /// Parses `a.b[2].c`; keys are bare words (letters, digits, `_`, `-`).
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        let mut segs = Vec::new();
        for part in text.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!(
                    "`{text}` is not a field path; write it like `sites[0].grid_mw`"
                ));
            }
            segs.push(Segment::Key(key.to_string()));
            while !rest.is_empty() {
                let close = rest
                    .find(']')
                    .ok_or_else(|| format!("unclosed `[` in `{text}`"))?;
                let index: usize = rest[1..close].parse().map_err(|_| {
                    format!("`{}` in `{text}` is not an array index", &rest[..=close])
                })?;
                segs.push(Segment::Index(index));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(format!("unexpected `{rest}` in `{text}`"));
                }
            }
        }
        Ok(FieldPath(segs))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One file of a [`Source`]: its name, text and folder.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The file name as the user gave it (or as resolved from `extends`).
    pub name: String,
    /// The text.
    pub text: String,
    /// The folder that paths written in the file (a base it extends, hourly
    /// CSVs, traces) are relative to; `None` for text that is not a file.
    pub folder: Option<PathBuf>,
    /// Byte offset of each line start.
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(name: String, text: String, folder: Option<PathBuf>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            text,
            folder,
            line_starts,
        }
    }

    /// Line and column (from 1; column in characters) of a byte offset.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let at = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= at);
        let start = self.line_starts[line - 1];
        let column = self.text[start..at].chars().count() + 1;
        (line, column)
    }
}

/// The source texts of a scenario — the file given and the bases it
/// extends — and what is needed to turn spans into locations.
#[derive(Clone, Debug)]
pub struct Source {
    /// The files, indexed by [`FileId`]; the first is [`FileId::MAIN`].
    files: Vec<SourceFile>,
    /// The `--set` arguments, as given.
    pub set_arguments: Vec<String>,
}

impl Source {
    /// A source of one file, the scenario given ([`FileId::MAIN`]), with no
    /// folder (see [`Source::with_folder`]).
    pub fn new(file: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            files: vec![SourceFile::new(file.into(), text.into(), None)],
            set_arguments: Vec::new(),
        }
    }

    /// This source with the folder of the scenario given set.
    pub fn with_folder(mut self, folder: Option<&Path>) -> Self {
        self.files[FileId::MAIN.0].folder = folder.map(Path::to_path_buf);
        self
    }

    /// Adds a file (a base that the scenario extends) and returns its id.
    pub fn add_file(
        &mut self,
        file: impl Into<String>,
        text: impl Into<String>,
        folder: Option<PathBuf>,
    ) -> FileId {
        self.files
            .push(SourceFile::new(file.into(), text.into(), folder));
        FileId(self.files.len() - 1)
    }

    /// How many files the source holds.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// The file with this id.
    ///
    /// # Panics
    /// If no file has this id (ids come from [`Source::new`] and
    /// [`Source::add_file`] of this source).
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    /// The location of a span.
    pub fn locate(&self, span: &Span) -> Location {
        match span {
            Span::File { file, range } => {
                let f = self.file(*file);
                let (line, column) = f.line_column(range.start);
                Location::File {
                    file: f.name.clone(),
                    line,
                    column,
                }
            }
            Span::Set(i) => Location::SetArgument {
                argument: self.set_arguments.get(*i).cloned().unwrap_or_default(),
            },
        }
    }

    /// An issue at a span.
    pub fn issue(&self, span: &Span, field: &str, message: impl Into<String>) -> Issue {
        Issue {
            location: self.locate(span),
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Parses one file of a source into a tree whose spans name that file, or
/// returns every syntax error.
pub fn parse(source: &Source, file: FileId) -> Result<Node, Vec<Issue>> {
    let text = &source.file(file).text;
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        // The parser recovers and may report one typo several times: keep
        // the first error of each line.
        let mut issues: Vec<Issue> = Vec::new();
        for e in &errors {
            let span = Span::file(file, e.span().unwrap_or(0..0));
            let mut message = e.message().trim().replace('\n', " ");
            if message == "duplicate key"
                && let Some(key) = e.span().and_then(|r| text.get(r))
                && !key.trim().is_empty()
            {
                message = format!(
                    "duplicate key `{}`: it is already set in this table; keep one",
                    key.trim()
                );
            }
            let issue = source.issue(&span, "", format!("TOML syntax error: {message}"));
            let same_line = |a: &Location, b: &Location| match (a, b) {
                (Location::File { line: x, .. }, Location::File { line: y, .. }) => x == y,
                _ => false,
            };
            if !issues
                .iter()
                .any(|i| same_line(&i.location, &issue.location))
            {
                issues.push(issue);
            }
        }
        return Err(issues);
    }
    let span = table.span();
    Ok(Node {
        value: convert_table(table.into_inner(), file),
        span: Span::file(file, span),
    })
}

fn convert_table(table: DeTable<'_>, file: FileId) -> Value {
    Value::Table(
        table
            .into_iter()
            .map(|(k, v)| {
                let key = Key {
                    span: Span::file(file, k.span()),
                    name: k.into_inner().into_owned(),
                };
                let span = Span::file(file, v.span());
                (key, convert(v.into_inner(), span, file))
            })
            .collect(),
    )
}

/// The node of a value; `file` is the file its children are spans of.
fn convert(value: DeValue<'_>, span: Span, file: FileId) -> Node {
    let value = match value {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Value::Int(v),
            // Beyond i64: keep it as a float so the range check reports it.
            Err(_) => Value::Float(i.as_str().parse().unwrap_or(f64::INFINITY)),
        },
        DeValue::Float(f) => Value::Float(parse_toml_float(f.as_str())),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| {
                    let span = Span::file(file, v.span());
                    convert(v.into_inner(), span, file)
                })
                .collect(),
        ),
        DeValue::Table(t) => convert_table(t, file),
    };
    Node { value, span }
}

/// TOML floats include `inf`, `+inf`, `-inf`, `nan`, `+nan`, `-nan`.
fn parse_toml_float(text: &str) -> f64 {
    match text.trim_start_matches('+') {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "-nan" => f64::NAN,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

impl Node {
    /// The child at `path`, or the deepest existing ancestor and how many
    /// segments were matched.
    pub fn lookup(&self, path: &FieldPath) -> (&Node, usize) {
        let mut node = self;
        for (depth, seg) in path.0.iter().enumerate() {
            let next = match (seg, &node.value) {
                (Segment::Key(k), Value::Table(entries)) => entries
                    .iter()
                    .find(|(key, _)| &key.name == k)
                    .map(|(_, v)| v),
                (Segment::Index(i), Value::Array(items)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => return (node, depth),
            }
        }
        (node, path.0.len())
    }

    /// The span of the key that names `path`'s last segment, if it exists.
    pub fn key_span(&self, path: &FieldPath) -> Option<Span> {
        let (last, parent) = path.0.split_last()?;
        let (parent_node, matched) = self.lookup(&FieldPath(parent.to_vec()));
        if matched != parent.len() {
            return None;
        }
        match (last, &parent_node.value) {
            (Segment::Key(k), Value::Table(entries)) => entries
                .iter()
                .find(|(key, _)| &key.name == k)
                .map(|(key, _)| key.span.clone()),
            _ => None,
        }
    }
}

/// Applies `PATH=VALUE` (the `index`-th `--set` argument) to the tree.
///
/// `VALUE` is read as a TOML value (`300`, `"defer"`, `[1.2, 1.3]`); if it
/// is not one, it is taken as a plain string. A key segment naming an entry of
/// an array of tables by its `name` works too: `sites.ohio.grid_mw=200`.
pub fn apply_set(root: &mut Node, argument: &str, index: usize) -> Result<(), String> {
    let (path_text, value_text) = argument.split_once('=').ok_or_else(|| {
        format!("`{argument}` has no `=`; write it as PATH=VALUE, e.g. sites[0].grid_mw=300")
    })?;
    let path = FieldPath::parse(path_text.trim())?;
    let value_text = value_text.trim();
    let span = Span::Set(index);
    let value = match DeValue::parse(value_text) {
        // The file id is not used: `strip_spans` gives every node the
        // argument's span.
        Ok(v) => convert(v.into_inner(), span.clone(), FileId::MAIN).value,
        Err(_) => Value::Str(value_text.to_string()),
    };
    let value = strip_spans(value, &span);
    let mut node = root;
    let segments = &path.0;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match seg {
            Segment::Key(k) => match &mut node.value {
                Value::Table(entries) => {
                    let pos = match entries.iter().position(|(key, _)| &key.name == k) {
                        Some(p) => p,
                        None => {
                            entries.push((
                                Key {
                                    name: k.clone(),
                                    span: span.clone(),
                                },
                                Node {
                                    value: Value::Table(Vec::new()),
                                    span: span.clone(),
                                },
                            ));
                            entries.len() - 1
                        }
                    };
                    &mut entries[pos].1
                }
                Value::Array(items) => {
                    // Select an element of an array of tables by its name.
                    let found = items.iter().position(|item| {
                        matches!(&item.value, Value::Table(e)
                            if e.iter().any(|(key, v)| key.name == "name"
                                && v.value == Value::Str(k.clone())))
                    });
                    match found {
                        Some(p) => &mut items[p],
                        None => {
                            let names: Vec<&str> = items
                                .iter()
                                .filter_map(|item| match &item.value {
                                    Value::Table(e) => {
                                        e.iter().find_map(|(key, v)| match (&*key.name, &v.value) {
                                            ("name", Value::Str(n)) => Some(n.as_str()),
                                            _ => None,
                                        })
                                    }
                                    _ => None,
                                })
                                .collect();
                            let hint = super::diag::did_you_mean(k, names.iter().copied());
                            let known = if names.is_empty() {
                                "it has no named entries".to_string()
                            } else {
                                format!("its entries are: {}", names.join(", "))
                            };
                            return Err(format!(
                                "`{}` has no entry named `{k}`{hint} ({known})",
                                FieldPath(segments[..i].to_vec())
                            ));
                        }
                    }
                }
                _ => {
                    return Err(format!(
                        "`{}` is not a table, so it has no key `{k}`",
                        FieldPath(segments[..i].to_vec())
                    ));
                }
            },
            Segment::Index(n) => match &mut node.value {
                Value::Array(items) => {
                    let len = items.len();
                    match items.get_mut(*n) {
                        Some(item) => item,
                        None => {
                            return Err(format!(
                                "`{}` has {len} entries, so index {n} does not exist (indices start at 0)",
                                FieldPath(segments[..i].to_vec()),
                            ));
                        }
                    }
                }
                _ => {
                    return Err(format!(
                        "`{}` is not an array",
                        FieldPath(segments[..i].to_vec())
                    ));
                }
            },
        };
        if last {
            *node = Node {
                value: value.clone(),
                span: span.clone(),
            };
        }
    }
    Ok(())
}

/// Gives every node of a `--set` value the argument's span.
fn strip_spans(value: Value, span: &Span) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|n| Node {
                    value: strip_spans(n.value, span),
                    span: span.clone(),
                })
                .collect(),
        ),
        Value::Table(entries) => Value::Table(
            entries
                .into_iter()
                .map(|(k, n)| {
                    (
                        Key {
                            name: k.name,
                            span: span.clone(),
                        },
                        Node {
                            value: strip_spans(n.value, span),
                            span: span.clone(),
                        },
                    )
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> (Source, Node) {
        let s = Source::new("t.toml", text);
        let n = parse(&s, FileId::MAIN).unwrap();
        (s, n)
    }

    #[test]
    fn spans_become_lines_and_columns() {
        let (s, n) = tree("name = \"x\"\n\n[[sites]]\nname = \"a\"\ngrid_mw = 300\n");
        let p = FieldPath::parse("sites[0].grid_mw").unwrap();
        let (node, depth) = n.lookup(&p);
        assert_eq!(depth, 3);
        assert_eq!(node.value, Value::Int(300));
        assert_eq!(
            s.locate(&node.span),
            Location::File {
                file: "t.toml".into(),
                line: 5,
                column: 11
            }
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let s = Source::new("t.toml", "a = 1\nb = = 2\n");
        let issues = parse(&s, FileId::MAIN).unwrap_err();
        assert!(!issues.is_empty());
        assert!(
            issues[0].to_string().starts_with("t.toml:2:"),
            "{}",
            issues[0]
        );
    }

    #[test]
    fn path_parsing_and_display_round_trip() {
        for text in ["a", "sites[1].buildout[0].count", "a.b.c", "x[0][1]"] {
            assert_eq!(FieldPath::parse(text).unwrap().to_string(), text);
        }
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse("a[x]").is_err());
    }

    #[test]
    fn set_overrides_by_index_and_by_name() {
        let (mut s, mut n) = tree("[[sites]]\nname = \"ohio\"\ngrid_mw = 300\n");
        s.set_arguments = vec!["sites[0].grid_mw=450".into(), "sites.ohio.pue=1.2".into()];
        apply_set(&mut n, &s.set_arguments[0].clone(), 0).unwrap();
        apply_set(&mut n, &s.set_arguments[1].clone(), 1).unwrap();
        let (g, _) = n.lookup(&FieldPath::parse("sites[0].grid_mw").unwrap());
        assert_eq!(g.value, Value::Int(450));
        assert_eq!(g.span, Span::Set(0));
        let (p, depth) = n.lookup(&FieldPath::parse("sites[0].pue").unwrap());
        assert_eq!(depth, 3);
        assert_eq!(p.value, Value::Float(1.2));
        assert_eq!(
            s.locate(&p.span).to_string(),
            "--set sites.ohio.pue=1.2".to_string()
        );
    }

    #[test]
    fn set_rejects_bad_paths_with_a_reason() {
        let (_, mut n) = tree("[[sites]]\nname = \"ohio\"\n");
        let e = apply_set(&mut n, "sites[3].grid_mw=1", 0).unwrap_err();
        assert!(e.contains("has 1 entries"), "{e}");
        let e = apply_set(&mut n, "sites.texas.grid_mw=1", 0).unwrap_err();
        assert!(e.contains("no entry named `texas`"), "{e}");
        let e = apply_set(&mut n, "grid_mw", 0).unwrap_err();
        assert!(e.contains("PATH=VALUE"), "{e}");
    }

    #[test]
    fn bare_words_are_strings() {
        let (_, mut n) = tree("name = \"x\"\n");
        apply_set(&mut n, "name=other", 0).unwrap();
        assert_eq!(
            n.lookup(&FieldPath::parse("name").unwrap()).0.value,
            Value::Str("other".into())
        );
    }

    #[test]
    fn special_floats_parse() {
        let (_, n) = tree("a = nan\nb = -inf\nc = 1_000.5\n");
        let get = |k: &str| n.lookup(&FieldPath::parse(k).unwrap()).0.value.clone();
        assert!(matches!(get("a"), Value::Float(f) if f.is_nan()));
        assert_eq!(get("b"), Value::Float(f64::NEG_INFINITY));
        assert_eq!(get("c"), Value::Float(1000.5));
    }
}
