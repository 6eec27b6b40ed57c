//! A serde deserializer over the spanned [`Node`] tree that does not stop at
//! the first problem.
//!
//! Plain serde stops at the first error. This one records each problem with
//! its span and field path and keeps going:
//!
//! - a key a struct does not have is reported (with the closest known key)
//!   and skipped;
//! - a value of the wrong type is reported and replaced by a neutral
//!   placeholder of the right type, so its siblings are still checked;
//! - an error raised by the target type itself (a missing required key, an
//!   unknown enum value, an out-of-range integer) cannot be patched in place:
//!   it is recorded, and the whole pass is repeated with a placeholder at that
//!   path, until a pass finishes or finds nothing new.
//!
//! Placeholders only exist to let the pass finish: when any problem was
//! recorded the result is discarded, and the paths that held placeholders are
//! returned as *poisoned* so that later checks stay quiet about them.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::diag::{closest, did_you_mean};
use super::tree::{FileId, Node, Span, Value};

/// A problem found while deserializing, not yet located in a file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RawIssue {
    /// The field.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// Where (compared by start only through `order`).
    pub span: SpanKey,
}

/// A sortable copy of a [`Span`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpanKey {
    /// Bytes of a file.
    File(FileId, usize, usize),
    /// A `--set` argument.
    Set(usize),
}

impl From<&Span> for SpanKey {
    fn from(s: &Span) -> Self {
        match s {
            Span::File { file, range } => SpanKey::File(*file, range.start, range.end),
            Span::Set(i) => SpanKey::Set(*i),
        }
    }
}

impl From<&SpanKey> for Span {
    fn from(s: &SpanKey) -> Self {
        match s {
            SpanKey::File(file, a, b) => Span::file(*file, *a..*b),
            SpanKey::Set(i) => Span::Set(*i),
        }
    }
}

/// The outcome of [`deserialize`].
pub struct Outcome<T> {
    /// The value, if no problem was found.
    pub value: Option<T>,
    /// The value with placeholders where problems were, if the last pass
    /// got through: good enough to look for further problems in the rest.
    pub partial: Option<T>,
    /// Every problem, sorted by position.
    pub issues: Vec<RawIssue>,
    /// Paths whose value is unusable (later checks should not report them).
    pub poisoned: BTreeSet<String>,
}

/// Deserializes `T` from `root`, collecting every problem.
pub fn deserialize<T: DeserializeOwned>(root: &Node) -> Outcome<T> {
    let mut placeholders: BTreeSet<String> = BTreeSet::new();
    let mut issues: BTreeSet<RawIssue> = BTreeSet::new();
    let mut poisoned: BTreeSet<String> = BTreeSet::new();
    // Each pass adds at least one placeholder or stops.
    loop {
        let ctx = Ctx {
            placeholders: &placeholders,
            issues: RefCell::new(Vec::new()),
            poisoned: RefCell::new(Vec::new()),
            retry: RefCell::new(Vec::new()),
        };
        let result = T::deserialize(NodeDe {
            node: root,
            path: String::new(),
            ctx: &ctx,
        });
        issues.extend(ctx.issues.into_inner());
        poisoned.extend(ctx.poisoned.into_inner());
        let retry = ctx.retry.into_inner();
        match result {
            Ok(v) => {
                return if issues.is_empty() {
                    finish(Some(v), None, issues, poisoned)
                } else {
                    finish(None, Some(v), issues, poisoned)
                };
            }
            Err(e) => {
                if let DeError::Custom(message) = e {
                    // An error no level could attribute: report it at the root.
                    issues.insert(RawIssue {
                        path: String::new(),
                        message,
                        span: SpanKey::from(&root.span),
                    });
                }
                let before = placeholders.len();
                placeholders.extend(retry);
                if placeholders.len() == before {
                    return finish(None, None, issues, poisoned);
                }
            }
        }
    }
}

fn finish<T>(
    value: Option<T>,
    partial: Option<T>,
    issues: BTreeSet<RawIssue>,
    poisoned: BTreeSet<String>,
) -> Outcome<T> {
    let mut issues: Vec<RawIssue> = issues.into_iter().collect();
    issues.sort_by(|a, b| (&a.span, &a.path).cmp(&(&b.span, &b.path)));
    Outcome {
        value,
        partial,
        issues,
        poisoned,
    }
}

struct Ctx<'a> {
    /// Paths to fill with a placeholder in this pass.
    placeholders: &'a BTreeSet<String>,
    issues: RefCell<Vec<RawIssue>>,
    poisoned: RefCell<Vec<String>>,
    /// Paths that need a placeholder in the next pass.
    retry: RefCell<Vec<String>>,
}

impl Ctx<'_> {
    fn report(&self, span: &Span, path: &str, message: String, poison: bool) {
        self.issues.borrow_mut().push(RawIssue {
            path: path.to_string(),
            message,
            span: SpanKey::from(span),
        });
        if poison {
            self.poisoned.borrow_mut().push(path.to_string());
        }
    }
}

/// The deserializer's error. Problems are recorded in the context as they are
/// found; the error only unwinds the current pass.
#[derive(Debug)]
pub enum DeError {
    /// Already recorded.
    Recorded,
    /// A required key is absent.
    MissingField(&'static str),
    /// Any other problem raised by the target type.
    Custom(String),
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeError::Recorded => write!(f, "problem already recorded"),
            DeError::MissingField(k) => write!(f, "missing required key `{k}`"),
            DeError::Custom(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::Custom(msg.to_string())
    }
    fn missing_field(field: &'static str) -> Self {
        DeError::MissingField(field)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Deserializer of one node.
struct NodeDe<'a, 'c> {
    node: &'a Node,
    path: String,
    ctx: &'c Ctx<'c>,
}

impl<'a, 'c> NodeDe<'a, 'c> {
    fn mismatch(&self, expected: &str) {
        let found = &self.node.value;
        let message = match found {
            Value::Array(_) | Value::Table(_) => {
                format!("expected {expected}, found {}", found.kind())
            }
            _ => format!(
                "expected {expected}, found {} ({})",
                found.kind(),
                found.brief()
            ),
        };
        self.ctx.report(&self.node.span, &self.path, message, true);
    }

    /// Records an error the visitor raised and asks for a placeholder here.
    fn visited<T>(&self, result: Result<T, DeError>) -> Result<T, DeError> {
        match result {
            Ok(v) => Ok(v),
            Err(DeError::Recorded) => Err(DeError::Recorded),
            Err(DeError::MissingField(k)) => {
                let path = join(&self.path, k);
                self.ctx.report(
                    &self.node.span,
                    &path,
                    format!("missing required key `{k}`; add it to this table"),
                    true,
                );
                self.ctx.retry.borrow_mut().push(path);
                Err(DeError::Recorded)
            }
            Err(DeError::Custom(m)) => {
                self.ctx.report(&self.node.span, &self.path, tidy(&m), true);
                self.ctx.retry.borrow_mut().push(self.path.clone());
                Err(DeError::Recorded)
            }
        }
    }

    fn child(&self, node: &'a Node, path: String) -> Child<'a, 'c> {
        if self.ctx.placeholders.contains(&path) {
            Child::Placeholder
        } else {
            Child::Node(NodeDe {
                node,
                path,
                ctx: self.ctx,
            })
        }
    }

    fn unsigned(&self) -> Option<u64> {
        match &self.node.value {
            Value::Int(i) if *i >= 0 => Some(*i as u64),
            Value::Int(i) => {
                self.ctx.report(
                    &self.node.span,
                    &self.path,
                    format!("expected a whole number ≥ 0, found {i}"),
                    true,
                );
                Some(0)
            }
            Value::Float(f) => {
                self.ctx.report(
                    &self.node.span,
                    &self.path,
                    format!("expected a whole number, found {f}; write it without a decimal point"),
                    true,
                );
                Some(0)
            }
            _ => None,
        }
    }
}

/// Serde's messages name Rust types; say it in the file's terms.
fn tidy(message: &str) -> String {
    message
        .replace("invalid value: integer", "value")
        .replace("u32", "a whole number below 4,294,967,296")
        .replace("u16", "a whole number below 65,536")
        .replace("u8", "a whole number below 256")
}

/// A value to deserialize: a real node, or a placeholder standing in for a
/// problem found in an earlier pass.
enum Child<'a, 'c> {
    Node(NodeDe<'a, 'c>),
    Placeholder,
}

/// Forwards one-argument `deserialize_*` methods of [`Child`] to its variant.
macro_rules! forward_child {
    ($($method:ident),*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                match self {
                    Child::Node(n) => n.$method(visitor),
                    Child::Placeholder => Placeholder.$method(visitor),
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Child<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Child::Node(n) => n.deserialize_any(visitor),
            Child::Placeholder => Placeholder.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Child::Node(n) => n.deserialize_struct(name, fields, visitor),
            Child::Placeholder => Placeholder.deserialize_struct(name, fields, visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Child::Node(n) => n.deserialize_enum(name, variants, visitor),
            Child::Placeholder => Placeholder.deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Child::Node(n) => n.deserialize_unit_struct(name, visitor),
            Child::Placeholder => Placeholder.deserialize_unit_struct(name, visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Child::Node(n) => n.deserialize_newtype_struct(name, visitor),
            Child::Placeholder => Placeholder.deserialize_newtype_struct(name, visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Child::Node(n) => n.deserialize_tuple(len, visitor),
            Child::Placeholder => Placeholder.deserialize_tuple(len, visitor),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Child::Node(n) => n.deserialize_tuple_struct(name, len, visitor),
            Child::Placeholder => Placeholder.deserialize_tuple_struct(name, len, visitor),
        }
    }

    forward_child!(
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.node.value {
            Value::Str(s) => visitor.visit_str(s),
            Value::Datetime(s) => visitor.visit_str(s),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Array(_) => return self.deserialize_seq(visitor),
            Value::Table(_) => return self.deserialize_map(visitor),
        };
        self.visited(result)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let b = match &self.node.value {
            Value::Bool(b) => *b,
            _ => {
                self.mismatch("true or false");
                false
            }
        };
        self.visited(visitor.visit_bool(b))
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let i = match &self.node.value {
            Value::Int(i) => *i,
            _ => {
                self.mismatch("a whole number");
                0
            }
        };
        self.visited(visitor.visit_i64(i))
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let u = match self.unsigned() {
            Some(u) => u,
            None => {
                self.mismatch("a whole number");
                0
            }
        };
        self.visited(visitor.visit_u64(u))
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let f = match &self.node.value {
            Value::Float(f) => *f,
            Value::Int(i) => *i as f64,
            _ => {
                self.mismatch("a number");
                0.0
            }
        };
        self.visited(visitor.visit_f64(f))
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.node.value {
            Value::Str(s) | Value::Datetime(s) => visitor.visit_str(s),
            _ => {
                self.mismatch("a string (in double quotes)");
                visitor.visit_str("")
            }
        };
        self.visited(result)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.visited(visitor.visit_unit())
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Array(items) => {
                let seq = Seq {
                    parent: &self,
                    items: items.iter().enumerate(),
                };
                let result = visitor.visit_seq(seq);
                self.visited(result)
            }
            _ => {
                self.mismatch("an array like [1, 2]");
                self.visited(visitor.visit_seq(EmptySeq))
            }
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Table(entries) => {
                let map = Map {
                    parent: &self,
                    entries: entries
                        .iter()
                        .map(|(k, v)| (k.name.as_str(), Some(v)))
                        .collect(),
                    next: 0,
                };
                let result = visitor.visit_map(map);
                self.visited(result)
            }
            _ => {
                self.mismatch("a table");
                self.visited(visitor.visit_map(EmptyMap))
            }
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let Value::Table(entries) = &self.node.value else {
            self.mismatch("a table");
            let result = visitor.visit_map(PlaceholderStruct { fields, next: 0 });
            return self.visited(result);
        };
        let mut kept: Vec<(&str, Option<&Node>)> = Vec::new();
        for (key, value) in entries {
            if fields.contains(&key.name.as_str()) {
                kept.push((key.name.as_str(), Some(value)));
            } else {
                let hint = did_you_mean(&key.name, fields.iter().copied());
                let allowed = if hint.is_empty() {
                    format!("; allowed keys here: {}", fields.join(", "))
                } else {
                    hint
                };
                self.ctx.report(
                    &key.span,
                    &join(&self.path, &key.name),
                    format!("unknown key `{}`{allowed}", key.name),
                    false,
                );
            }
        }
        for field in fields {
            let path = join(&self.path, field);
            if self.ctx.placeholders.contains(&path) && !kept.iter().any(|(k, _)| k == field) {
                kept.push((field, None));
            }
        }
        let map = Map {
            parent: &self,
            entries: kept,
            next: 0,
        };
        let result = visitor.visit_map(map);
        self.visited(result)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Str(s) if variants.contains(&s.as_str()) => {
                let result = visitor.visit_enum(s.as_str().into_deserializer());
                self.visited(result)
            }
            Value::Str(s) => {
                let hint = match closest(s, variants.iter().copied()) {
                    Some(c) => format!("; did you mean \"{c}\"?"),
                    None => String::new(),
                };
                self.ctx.report(
                    &self.node.span,
                    &self.path,
                    format!(
                        "unknown value \"{s}\"{hint} (expected one of: {})",
                        quoted_list(variants)
                    ),
                    true,
                );
                self.visited(Placeholder.deserialize_enum("", variants, visitor))
            }
            _ => {
                self.mismatch(&format!("one of: {}", quoted_list(variants)));
                self.visited(Placeholder.deserialize_enum("", variants, visitor))
            }
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Seq<'p, 'a, 'c, I> {
    parent: &'p NodeDe<'a, 'c>,
    items: I,
}

impl<'de, 'a: 'p, 'p, 'c, I> SeqAccess<'de> for Seq<'p, 'a, 'c, I>
where
    I: Iterator<Item = (usize, &'a Node)>,
{
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some((i, node)) => {
                let path = format!("{}[{i}]", self.parent.path);
                seed.deserialize(self.parent.child(node, path)).map(Some)
            }
            None => Ok(None),
        }
    }
}

struct Map<'p, 'a, 'c> {
    parent: &'p NodeDe<'a, 'c>,
    /// Keys and values; `None` is a placeholder for a missing key.
    entries: Vec<(&'a str, Option<&'a Node>)>,
    next: usize,
}

impl<'de> MapAccess<'de> for Map<'_, '_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.get(self.next) {
            Some((k, _)) => seed.deserialize((*k).into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (k, node) = self.entries[self.next];
        self.next += 1;
        let path = join(&self.parent.path, k);
        match node {
            Some(node) => seed.deserialize(self.parent.child(node, path)),
            None => seed.deserialize(Placeholder),
        }
    }
}

struct EmptySeq;

impl<'de> SeqAccess<'de> for EmptySeq {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        _: T,
    ) -> Result<Option<T::Value>, DeError> {
        Ok(None)
    }
}

struct EmptyMap;

impl<'de> MapAccess<'de> for EmptyMap {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        _: K,
    ) -> Result<Option<K::Value>, DeError> {
        Ok(None)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, _: V) -> Result<V::Value, DeError> {
        Err(DeError::Custom("no value".into()))
    }
}

/// A struct whose every field is a placeholder.
struct PlaceholderStruct {
    fields: &'static [&'static str],
    next: usize,
}

impl<'de> MapAccess<'de> for PlaceholderStruct {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.fields.get(self.next) {
            Some(f) => seed.deserialize((*f).into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        self.next += 1;
        seed.deserialize(Placeholder)
    }
}

/// Deserializes any type to a neutral value: `false`, `0`, `""`, `None`,
/// empty arrays, structs of placeholders, an enum's first variant.
struct Placeholder;

impl<'de> de::Deserializer<'de> for Placeholder {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bool(false)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i8(0)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i16(0)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i32(0)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i64(0)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u8(0)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u16(0)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u32(0)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u64(0)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_f32(0.0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_f64(0.0)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_char(' ')
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str("")
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str("")
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(EmptySeq)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(EmptySeq)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_none()
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(EmptySeq)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(EmptySeq)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_seq(EmptySeq)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(EmptyMap)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_map(PlaceholderStruct { fields, next: 0 })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(PlaceholderEnum(variants.first().copied().unwrap_or("")))
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str("")
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct PlaceholderEnum(&'static str);

impl<'de> EnumAccess<'de> for PlaceholderEnum {
    type Error = DeError;
    type Variant = Placeholder;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Placeholder), DeError> {
        let v = seed.deserialize(self.0.into_deserializer())?;
        Ok((v, Placeholder))
    }
}

impl<'de> VariantAccess<'de> for Placeholder {
    type Error = DeError;
    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(Placeholder)
    }
    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(EmptySeq)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_map(PlaceholderStruct { fields, next: 0 })
    }
}
