//! What the fuzz tests share: proptest settings, byte mutations of input
//! files, message checks and folder snapshots. Included by the integration
//! tests' `fuzz` module and by the white-box tests' (`tests/internals/fuzz/`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError};

/// The proptest configuration of a target: `default` cases, or
/// `DCSIM_FUZZ_CASES` when it is set (the same variable as `robustness`).
/// `source` (`file!()`) places the regressions file for targets run with
/// a [`proptest::test_runner::TestRunner`] of their own.
pub fn config(default: u32, source: &'static str) -> Config {
    // The failures found are kept in `tests/proptest-regressions/fuzz/`,
    // one file per target, wherever the target's source sits (the white-box
    // targets are compiled into the library, where proptest's default
    // place would follow `src/`).
    let stem = std::path::Path::new(source)
        .file_stem()
        .expect("a source file")
        .to_string_lossy();
    let file: &'static str =
        Box::leak(format!("tests/proptest-regressions/fuzz/{stem}.txt").into_boxed_str());
    Config {
        cases: cases(default),
        source_file: Some(source),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..Config::default()
    }
}

/// `default`, or the number `DCSIM_FUZZ_CASES` gives.
pub fn cases(default: u32) -> u32 {
    match std::env::var("DCSIM_FUZZ_CASES") {
        Ok(n) => n
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("DCSIM_FUZZ_CASES={n:?} is not a number of cases")),
        Err(_) => default,
    }
}

/// Longest line of a message about bad input [characters], besides the
/// paths and command-line arguments it names: input is quoted at most
/// about 80 characters, so only a message that quotes too much gets near.
pub const MAX_LINE: usize = 800;

/// Checks a message about bad input: every line non-empty, free of control
/// characters (an input's `\n` or `\u{0}` shows escaped), at most
/// [`MAX_LINE`] characters plus `allowance` (the length of the paths and
/// arguments it may name), and naming one of `names` (the file, folder or
/// argument at fault).
pub fn check_message(message: &str, names: &[&str], allowance: usize) -> Result<(), TestCaseError> {
    prop_assert!(!message.is_empty(), "an empty message");
    for line in message.split('\n') {
        prop_assert!(!line.trim().is_empty(), "an empty line in {message:?}");
        prop_assert!(
            !line
                .chars()
                .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}'),
            "a control character in {line:?}"
        );
        let n = line.chars().count();
        prop_assert!(
            n <= MAX_LINE + allowance,
            "a line of {n} characters (at most {} expected): {}…",
            MAX_LINE + allowance,
            line.chars().take(300).collect::<String>()
        );
        prop_assert!(
            names.iter().any(|name| line.contains(name)),
            "{line:?} names none of {names:?}"
        );
    }
    Ok(())
}

/// Inserted control characters and awkward code points.
const CONTROLS: [&str; 12] = [
    "\0", "\n", "\r", "\t", "\r\n", "\x1b[31m", "\x7f", "\u{2028}", "\u{feff}", "\"", ",", "\\",
];

/// Values a field is replaced with: extremes of every kind a parser meets.
pub const EXTREMES: [&str; 36] = [
    "",
    "0",
    "-0",
    "-1",
    "0.5",
    "1e12",
    "1.0000001e12",
    "1e308",
    "-1e308",
    "1.7976931348623157e309",
    "1e-320",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999999999",
    "0x10",
    "1_000",
    "x",
    "\"x\"",
    "\"4,2\"",
    "\"",
    "[]",
    "{}",
    "null",
    "true",
    "2026-13-01 00:00:00",
    "2262-04-12 00:00:00",
    "1677-09-21 00:12:43.145224191",
    "9999-12-31 23:59:60.999999999",
    "../../X",
];

/// One change to a file's bytes.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Flip bit `.1 % 8` of the byte at `.0`.
    Flip(usize, u8),
    /// Keep the first `.0` bytes.
    Truncate(usize),
    /// Insert these bytes (any, UTF-8 or not) at `.0`.
    Bytes(usize, Vec<u8>),
    /// Insert a control character or awkward code point at `.0`.
    Control(usize, usize),
    /// Insert a run of `.2` copies of a character (a digit, a letter, NUL,
    /// a two-byte letter) at `.0`: huge numbers and long names.
    Long(usize, usize, usize),
    /// Replace the value after the `.1`-th separator (`,` or `:`) of line
    /// `.0` (up to the next separator or closing bracket) by an extreme.
    Value(usize, usize, usize),
    /// Drop a line.
    DropLine(usize),
    /// Duplicate a line.
    DupLine(usize),
    /// Swap two lines (rows out of order).
    Swap(usize, usize),
    /// Duplicate field `.0` of every line (a duplicated CSV column).
    DupColumn(usize),
    /// Duplicate the first `key: value,` of line `.0` (a duplicated JSON key).
    DupKey(usize),
}

/// A mutation of any kind.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        2 => (at, any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        1 => at.prop_map(Mutation::Truncate),
        1 => (at, prop::collection::vec(any::<u8>(), 1..6)).prop_map(|(a, b)| Mutation::Bytes(a, b)),
        2 => (at, any::<usize>()).prop_map(|(a, k)| Mutation::Control(a, k)),
        1 => (at, any::<usize>(), 100usize..3000).prop_map(|(a, k, n)| Mutation::Long(a, k, n)),
        5 => (at, any::<usize>(), any::<usize>()).prop_map(|(l, f, v)| Mutation::Value(l, f, v)),
        1 => at.prop_map(Mutation::DropLine),
        1 => at.prop_map(Mutation::DupLine),
        1 => (at, any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        1 => at.prop_map(Mutation::DupColumn),
        1 => at.prop_map(Mutation::DupKey),
    ]
}

/// One to six mutations.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..6)
}

/// `bytes` with `mutations` applied in order.
pub fn mutate(bytes: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for m in mutations {
        apply(&mut b, m);
    }
    b
}

fn lines_of(b: &[u8]) -> Vec<Vec<u8>> {
    b.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect()
}

fn apply(b: &mut Vec<u8>, m: &Mutation) {
    let at = |a: usize, len: usize| a % (len + 1);
    match m {
        Mutation::Flip(a, bit) => {
            if !b.is_empty() {
                let i = a % b.len();
                b[i] ^= 1 << (bit % 8);
            }
        }
        Mutation::Truncate(a) => b.truncate(at(*a, b.len())),
        Mutation::Bytes(a, bytes) => {
            let i = at(*a, b.len());
            b.splice(i..i, bytes.iter().copied());
        }
        Mutation::Control(a, k) => {
            let i = at(*a, b.len());
            b.splice(i..i, CONTROLS[k % CONTROLS.len()].bytes());
        }
        Mutation::Long(a, k, n) => {
            let i = at(*a, b.len());
            let unit = ["9", "x", "\0", "é"][k % 4];
            b.splice(i..i, unit.repeat(*n).into_bytes());
        }
        Mutation::Value(l, f, v) => {
            let mut lines = lines_of(b);
            let n = lines.len();
            let line = &mut lines[l % n];
            let seps: Vec<usize> = line
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c, b',' | b':'))
                .map(|(i, _)| i + 1)
                .collect();
            let starts: Vec<usize> = std::iter::once(0).chain(seps).collect();
            let start = starts[f % starts.len()];
            let end = line[start..]
                .iter()
                .position(|c| matches!(c, b',' | b':' | b'}' | b']'))
                .map_or(line.len(), |p| start + p);
            line.splice(start..end, EXTREMES[v % EXTREMES.len()].bytes());
            *b = lines.join(&b'\n');
        }
        Mutation::DropLine(l) => {
            let mut lines = lines_of(b);
            let n = lines.len();
            lines.remove(l % n);
            *b = lines.join(&b'\n');
        }
        Mutation::DupLine(l) => {
            let mut lines = lines_of(b);
            let i = l % lines.len();
            let copy = lines[i].clone();
            lines.insert(i, copy);
            *b = lines.join(&b'\n');
        }
        Mutation::Swap(x, y) => {
            let mut lines = lines_of(b);
            let n = lines.len();
            lines.swap(x % n, y % n);
            *b = lines.join(&b'\n');
        }
        Mutation::DupColumn(f) => {
            let lines: Vec<Vec<u8>> = lines_of(b)
                .into_iter()
                .map(|line| {
                    if line.is_empty() {
                        return line;
                    }
                    let mut fields: Vec<Vec<u8>> =
                        line.split(|&c| c == b',').map(<[u8]>::to_vec).collect();
                    let k = f % fields.len();
                    let copy = fields[k].clone();
                    fields.insert(k, copy);
                    fields.join(&b',')
                })
                .collect();
            *b = lines.join(&b'\n');
        }
        Mutation::DupKey(l) => {
            let mut lines = lines_of(b);
            let n = lines.len();
            let line = &mut lines[l % n];
            if let Some(open) = line.iter().position(|&c| c == b'{')
                && let Some(comma) = line[open..].iter().position(|&c| c == b',')
            {
                let pair = line[open + 1..=open + comma].to_vec();
                line.splice(open + 1..open + 1, pair);
            }
            *b = lines.join(&b'\n');
        }
    }
}

/// Every file and folder under `root` (but not under `skip`) with the
/// bytes of the files and the targets of links: what a command must leave
/// as it was.
pub fn snapshot(root: &Path, skip: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a folder of the case") {
            let path = entry.expect("an entry").path();
            if path == skip {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            let content = if meta.file_type().is_symlink() {
                let mut v = b"link to ".to_vec();
                v.extend(
                    std::fs::read_link(&path)
                        .unwrap()
                        .as_os_str()
                        .as_encoded_bytes(),
                );
                v
            } else if meta.is_dir() {
                stack.push(path.clone());
                b"folder".to_vec()
            } else {
                std::fs::read(&path).expect("read a file of the case")
            };
            out.insert(path, content);
        }
    }
    out
}

/// Copies the folder `from` into `to` (made), files and folders only.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
