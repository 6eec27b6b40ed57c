//! Problems found in a scenario, each with where it is and how to fix it.

use std::fmt;

/// Where a problem is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// A position in a file (line and column count from 1; column in
    /// characters).
    File {
        /// The file as the user named it.
        file: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
    },
    /// A whole file (it could not be read at all).
    WholeFile {
        /// The file as the user named it.
        file: String,
    },
    /// A `--set PATH=VALUE` argument of the command line.
    SetArgument {
        /// The argument as given.
        argument: String,
    },
    /// One value of a `--vary PATH=V1,V2,…` argument of `dcsim sweep`.
    VaryArgument {
        /// The argument as given.
        argument: String,
        /// The value at fault.
        value: String,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File { file, line, column } => write!(f, "{file}:{line}:{column}"),
            Location::WholeFile { file } => write!(f, "{file}"),
            Location::SetArgument { argument } => write!(f, "--set {argument}"),
            Location::VaryArgument { argument, value } => {
                write!(f, "--vary {argument} (value {value})")
            }
        }
    }
}

/// One problem in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Where it is.
    pub location: Location,
    /// The field path, e.g. `sites[1].buildout[0].count`; empty for problems
    /// of the file as a whole.
    pub field: String,
    /// What is wrong and how to fix it, in one sentence or two.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line whatever the input echoed in it: a `\n` inside a TOML
        // string shows as `\n`, not as a line break.
        let location = one_line(&self.location.to_string());
        let message = one_line(&self.message);
        if self.field.is_empty() {
            write!(f, "{location}: {message}")
        } else {
            write!(f, "{location}: {}: {message}", one_line(&self.field))
        }
    }
}

/// `text` with its control characters (and the Unicode line and paragraph
/// separators) escaped as Rust escapes them (`\n`, `\u{0}`), so that it
/// prints as one line; other characters unchanged, length unchanged.
pub fn one_line(text: &str) -> String {
    if !text.chars().any(breaks_line) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if breaks_line(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

fn breaks_line(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// A scenario that cannot be run, with every problem found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// The problems, in file order.
    pub issues: Vec<Issue>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

impl ScenarioError {
    /// An error with a single problem.
    pub fn single(location: Location, field: &str, message: impl Into<String>) -> Self {
        ScenarioError {
            issues: vec![Issue {
                location,
                field: field.to_string(),
                message: message.into(),
            }],
        }
    }
}

pub use crate::text::{closest, did_you_mean, did_you_mean_value};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["grid_mw", "pue", "buildout", "name"];
        assert_eq!(closest("gird_mw", keys), Some("grid_mw"));
        assert_eq!(closest("buildot", keys), Some("buildout"));
        assert_eq!(closest("completely_else", keys), None);
        assert_eq!(did_you_mean("nmae", keys), "; did you mean `name`?");
    }

    #[test]
    fn issue_display_is_one_line_with_location_and_field() {
        let i = Issue {
            location: Location::File {
                file: "a.toml".into(),
                line: 3,
                column: 7,
            },
            field: "sites[0].grid_mw".into(),
            message: "must be greater than 0".into(),
        };
        assert_eq!(
            i.to_string(),
            "a.toml:3:7: sites[0].grid_mw: must be greater than 0"
        );
        let echoed = Issue {
            message: "no rack is named \"a\nb\"".into(),
            ..i
        };
        assert_eq!(
            echoed.to_string(),
            "a.toml:3:7: sites[0].grid_mw: no rack is named \"a\\nb\""
        );
    }
}

pub use crate::text::quote_short;

#[cfg(test)]
mod quote_tests {
    use super::*;
    use crate::text::MAX_QUOTED_CHARS;

    #[test]
    fn quotes_are_one_short_line() {
        assert_eq!(quote_short("a\nb\u{0}"), "a\\nb\\0");
        let long = "x".repeat(500);
        let q = quote_short(&long);
        assert_eq!(q.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(q.ends_with('…'));
    }
}
