//! The text of input values and of the messages about them: durations
//! such as `"4h"`, input quoted on one short line, numbers written
//! plainly, and the closest name to a misspelled one. Used by the scenario
//! boundary and by the readers of the files it names (traces), which
//! depend on nothing else of the project for it.

use crate::engine::SimDuration;
use crate::engine::time::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};

/// Longest duration accepted anywhere [years of 365 days].
pub const MAX_DURATION_YEARS: u64 = 1_000;

/// Most characters of input quoted in a message.
pub const MAX_QUOTED_CHARS: usize = 80;

/// `text` as a message may quote it: one line, at most
/// [`MAX_QUOTED_CHARS`] characters (then `…`), control characters, quotes
/// and backslashes escaped (`\n`, `\u{0}`).
pub fn quote_short(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX_QUOTED_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() || c == '\\' || c == '\u{2028}' || c == '\u{2029}' {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses a duration such as `"90s"`, `"15min"`, `"1.5h"`, `"54d"`, `"2w"` or
/// `"7y"` (a year is 365 days), rounded to the microsecond. (The scenario's
/// `duration` alone treats whole years as calendar years.)
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    // Quoted short and escaped: a message stays one line whatever the input.
    let text_q = quote_short(text);
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let example = "a duration like \"90s\", \"15min\", \"4h\", \"54d\" or \"7y\"";
    let value: f64 = number
        .replace('_', "")
        .parse()
        .map_err(|_| format!("expected {example}, found \"{text_q}\""))?;
    let micros_per_unit: u64 = match unit.trim() {
        "us" | "µs" => 1,
        "ms" => 1_000,
        "s" => MICROS_PER_SECOND,
        "min" => MICROS_PER_MINUTE,
        "h" => MICROS_PER_HOUR,
        "d" => MICROS_PER_DAY,
        "w" => 7 * MICROS_PER_DAY,
        "y" => 365 * MICROS_PER_DAY,
        "" => return Err(format!("\"{text_q}\" has no unit; expected {example}")),
        other => {
            let other_q = quote_short(other);
            // Units spelled out ("30days", "2 hours") get the value
            // rewritten; a month, of no fixed length, gets days.
            let word = other.to_ascii_lowercase();
            let unit = match word.trim_end_matches('s') {
                "sec" | "second" => Some("s"),
                "m" | "mi" | "min" | "minute" => Some("min"),
                "hr" | "hour" => Some("h"),
                "day" => Some("d"),
                "wk" | "week" => Some("w"),
                "yr" | "year" => Some("y"),
                _ => None,
            };
            let n = quote_short(&number.replace('_', ""));
            if let Some(unit) = unit {
                return Err(format!(
                    "unknown unit \"{other_q}\" in \"{text_q}\"; did you mean \"{n}{unit}\"? (units: us, ms, s, min, h, d, w, y)"
                ));
            }
            if matches!(word.trim_end_matches('s'), "mo" | "mon" | "month") {
                let days = (value * 30.0).round();
                return Err(format!(
                    "unknown unit \"{other_q}\" in \"{text_q}\": months differ in length, so give days (did you mean \"{days}d\"?) or years (units: us, ms, s, min, h, d, w, y)"
                ));
            }
            let hint = did_you_mean_value(other, ["us", "ms", "s", "min", "h", "d", "w", "y"]);
            return Err(format!(
                "unknown unit \"{other_q}\" in \"{text_q}\"{hint} (units: us, ms, s, min, h, d, w, y)"
            ));
        }
    };
    let micros = value * micros_per_unit as f64;
    if !micros.is_finite() || micros > (MAX_DURATION_YEARS * 365 * MICROS_PER_DAY) as f64 {
        return Err(format!(
            "\"{text_q}\" is too long; the longest duration accepted is \"{MAX_DURATION_YEARS}y\""
        ));
    }
    Ok(SimDuration(micros.round() as u64))
}

/// A number for a message: plain when short, `1e300` when huge or tiny.
pub fn number(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e12).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a
/// plausible misspelling.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::normalized_damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase());
        if score >= 0.5 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `"; did you mean `x`?"` for a misspelled key, or nothing.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    suggestion(word, candidates, '`', '`')
}

/// `"; did you mean \"x\"?"` for a misspelled value (a name that refers
/// to something), or nothing.
pub fn did_you_mean_value<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    suggestion(word, candidates, '"', '"')
}

fn suggestion<'a, I>(word: &str, candidates: I, open: char, close: char) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates)
        .map(|c| format!("; did you mean {open}{c}{close}?"))
        .unwrap_or_default()
}
