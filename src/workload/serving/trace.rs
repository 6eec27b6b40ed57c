//! Request traces of LLM services, read into arrival times and token counts
//! for the request-level mode ([`super::requests`]).
//!
//! Two public formats (both shipped in `data/`, see `data/README.md`):
//!
//! - **Azure LLM inference 2023** (Patel et al., "Splitwise", ISCA 2024; CC
//!   BY 4.0): CSV with header `TIMESTAMP,ContextTokens,GeneratedTokens`,
//!   `TIMESTAMP` as `YYYY-MM-DD HH:MM:SS.fffffff`. Arrivals are counted in
//!   seconds from the first row's timestamp.
//! - **Mooncake FAST'25** (Qin et al., FAST 2025; Apache-2.0): JSON Lines,
//!   one object per request with `timestamp` (milliseconds from the trace
//!   start), `input_length`, `output_length` and `hash_ids` (prefix-cache
//!   block ids, read by [`read_with_blocks`] for the prefix cache of
//!   [`super::prefix_cache`], ignored by [`read`]). Arrivals are
//!   `timestamp ÷ 1000` seconds.
//!
//! Files are read whole, only if they are regular files of at most
//! [`MAX_TRACE_BYTES`]. Rows must be in time order. Any malformed row is a
//! [`TraceError`] naming the file, the line (1-based, the header is line 1
//! of a CSV) and what is wrong.

use std::path::Path;

use super::prefix_cache::BlockHashes;
use crate::input::MAX_MAGNITUDE;
use crate::input::{InputError, read_regular_file};
use crate::text::quote_short;

/// Largest trace file accepted \[B\]: 256 MiB (the Azure and Mooncake files
/// are 0.3–3 MB).
pub const MAX_TRACE_BYTES: u64 = 256 * 1024 * 1024;

/// One request of a trace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceRequest {
    /// Arrival time from the start of the trace \[s\].
    pub arrival: f64,
    /// Prompt tokens (Azure `ContextTokens`, Mooncake `input_length`).
    pub input_tokens: u32,
    /// Output tokens (Azure `GeneratedTokens`, Mooncake `output_length`).
    pub output_tokens: u32,
}

/// The format of a trace file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// Azure LLM inference trace 2023 (CSV).
    Azure,
    /// Mooncake FAST'25 trace (JSON Lines).
    Mooncake,
}

impl TraceFormat {
    /// The format a file name suggests: `.jsonl` / `.json` Mooncake, `.csv`
    /// Azure; `None` otherwise.
    pub fn guess(path: &Path) -> Option<TraceFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "json" => Some(TraceFormat::Mooncake),
            "csv" => Some(TraceFormat::Azure),
            _ => None,
        }
    }
}

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        source: InputError,
    },
    /// A row (or the header) is malformed.
    #[error("{file}:{line}: {what}")]
    Row {
        /// The file.
        file: String,
        /// Line number, 1-based.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// The file holds no request.
    #[error("{file}: no requests in the file")]
    Empty {
        /// The file.
        file: String,
    },
}

/// Reads the trace at `path` in `format`.
pub fn read(path: &Path, format: TraceFormat) -> Result<Vec<TraceRequest>, TraceError> {
    Ok(read_any(path, format, false)?.0)
}

/// Reads the trace at `path` in `format` with each request's prompt block
/// hashes: `Some` for a Mooncake trace (a line without `hash_ids` has no
/// blocks; `hash_ids` must be a list of whole numbers, else a located
/// error), `None` for an Azure trace, which carries none.
pub fn read_with_blocks(
    path: &Path,
    format: TraceFormat,
) -> Result<(Vec<TraceRequest>, Option<BlockHashes>), TraceError> {
    read_any(path, format, true)
}

fn read_any(
    path: &Path,
    format: TraceFormat,
    blocks: bool,
) -> Result<(Vec<TraceRequest>, Option<BlockHashes>), TraceError> {
    let file = path.display().to_string();
    let bytes = read_regular_file(path, MAX_TRACE_BYTES, " for a trace").map_err(|source| {
        TraceError::Read {
            file: file.clone(),
            source,
        }
    })?;
    parse_any(&file, &bytes, format, blocks)
}

#[cfg(test)]
/// Parses trace bytes; `file` names the source in errors.
pub fn parse(
    file: &str,
    bytes: &[u8],
    format: TraceFormat,
) -> Result<Vec<TraceRequest>, TraceError> {
    Ok(parse_any(file, bytes, format, false)?.0)
}

fn parse_any(
    file: &str,
    bytes: &[u8],
    format: TraceFormat,
    with_blocks: bool,
) -> Result<(Vec<TraceRequest>, Option<BlockHashes>), TraceError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        TraceError::Row {
            file: file.to_string(),
            line,
            what: "not UTF-8 text".into(),
        }
    })?;
    let (requests, blocks) = match format {
        TraceFormat::Azure => (parse_azure(file, text)?, None),
        TraceFormat::Mooncake => {
            let mut blocks = with_blocks.then(BlockHashes::new);
            (parse_mooncake(file, text, blocks.as_mut())?, blocks)
        }
    };
    if requests.is_empty() {
        return Err(TraceError::Empty {
            file: file.to_string(),
        });
    }
    Ok((requests, blocks))
}

fn row_error(file: &str, line: usize, what: impl Into<String>) -> TraceError {
    TraceError::Row {
        file: file.to_string(),
        line,
        what: what.into(),
    }
}

/// Lines with their 1-based numbers, without `\r\n` / `\n` endings.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
}

fn tokens(file: &str, line: usize, column: &str, field: &str) -> Result<u32, TraceError> {
    field.trim().parse::<u32>().map_err(|_| {
        row_error(
            file,
            line,
            format!(
                "{column} \"{}\" is not a whole number of tokens (0 to {})",
                quote_short(field),
                u32::MAX
            ),
        )
    })
}

/// Why a timestamp was refused.
#[derive(Debug, PartialEq, Eq)]
enum Timestamp {
    /// Not of the form `YYYY-MM-DD HH:MM:SS[.f…]`.
    Malformed,
    /// Beyond nanoseconds from 1970 in 64 bits (years 1678 to 2262).
    OutOfRange,
}

/// Nanoseconds since 1970-01-01 00:00:00 of `YYYY-MM-DD HH:MM:SS[.f…]` (up
/// to 9 fraction digits; a `T` may separate date and time).
fn parse_timestamp(s: &str) -> Result<i64, Timestamp> {
    let (days, hh, mm, ss, nanos) = timestamp_parts(s).ok_or(Timestamp::Malformed)?;
    days.checked_mul(24)
        .and_then(|h| h.checked_add(hh))
        .and_then(|h| h.checked_mul(60))
        .and_then(|m| m.checked_add(mm))
        .and_then(|m| m.checked_mul(60))
        .and_then(|s| s.checked_add(ss))
        .and_then(|s| s.checked_mul(1_000_000_000))
        .and_then(|n| n.checked_add(nanos))
        .ok_or(Timestamp::OutOfRange)
}

/// Days since 1970-01-01, hours, minutes, seconds and nanoseconds of a
/// timestamp.
fn timestamp_parts(s: &str) -> Option<(i64, i64, i64, i64, i64)> {
    let s = s.trim();
    let (date, time) = s.split_once([' ', 'T'])?;
    let mut d = date.splitn(3, '-');
    let (y, m, day) = (d.next()?, d.next()?, d.next()?);
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(day, 2)) {
        return None;
    }
    let date =
        chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, day.parse().ok()?)?;
    let days = date
        .signed_duration_since(chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?)
        .num_days();
    let (hms, frac) = match time.split_once('.') {
        Some((hms, frac)) => (hms, frac),
        None => (time, ""),
    };
    let mut t = hms.splitn(3, ':');
    let (hh, mm, ss) = (t.next()?, t.next()?, t.next()?);
    if !(digits(hh, 2) && digits(mm, 2) && digits(ss, 2)) {
        return None;
    }
    let (hh, mm, ss): (i64, i64, i64) = (hh.parse().ok()?, mm.parse().ok()?, ss.parse().ok()?);
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    if frac.len() > 9 || (time.contains('.') && frac.is_empty()) || !digits(frac, frac.len()) {
        return None;
    }
    let mut nanos: i64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        nanos += i64::from(b - b'0') * 10i64.pow(8 - i as u32);
    }
    Some((days, hh, mm, ss, nanos))
}

fn parse_azure(file: &str, text: &str) -> Result<Vec<TraceRequest>, TraceError> {
    let mut lines = numbered_lines(text);
    let (hline, header) = lines
        .next()
        .filter(|(_, h)| !h.trim().is_empty())
        .ok_or_else(|| TraceError::Empty {
            file: file.to_string(),
        })?;
    let names: Vec<&str> = header
        .split(',')
        .map(|h| h.trim().trim_start_matches('\u{feff}'))
        .collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(row_error(
                file,
                hline,
                format!(
                    "the header names the column {} twice; give each column once",
                    quote_short(n)
                ),
            ));
        }
    }
    let find = |want: &str| {
        names.iter().position(|n| *n == want).ok_or_else(|| {
            row_error(
                file,
                hline,
                format!(
                    "the header has no {want} column; an Azure LLM inference trace starts with TIMESTAMP,ContextTokens,GeneratedTokens"
                ),
            )
        })
    };
    let (it, ic, ig) = (
        find("TIMESTAMP")?,
        find("ContextTokens")?,
        find("GeneratedTokens")?,
    );
    let mut out = Vec::with_capacity(text.len() / 36);
    let mut first: Option<i64> = None;
    let mut previous = i64::MIN;
    let mut fields: Vec<&str> = Vec::with_capacity(names.len());
    for (line, row) in lines {
        if row.trim().is_empty() {
            continue;
        }
        fields.clear();
        fields.extend(row.split(','));
        if fields.len() != names.len() {
            return Err(row_error(
                file,
                line,
                format!("{} fields, the header has {}", fields.len(), names.len()),
            ));
        }
        let ns = parse_timestamp(fields[it]).map_err(|e| {
            row_error(
                file,
                line,
                match e {
                    Timestamp::Malformed => format!(
                        "TIMESTAMP \"{}\" is not a time of the form YYYY-MM-DD HH:MM:SS.fffffff",
                        quote_short(fields[it])
                    ),
                    Timestamp::OutOfRange => format!(
                        "TIMESTAMP \"{}\" is outside 1678 to 2262, the times a trace may hold (nanoseconds from 1970 in 64 bits)",
                        quote_short(fields[it])
                    ),
                },
            )
        })?;
        if ns < previous {
            return Err(row_error(
                file,
                line,
                format!(
                    "TIMESTAMP {} is earlier than the row before; rows must be in time order",
                    quote_short(fields[it].trim())
                ),
            ));
        }
        previous = ns;
        let start = *first.get_or_insert(ns);
        out.push(TraceRequest {
            arrival: (ns - start) as f64 * 1e-9,
            input_tokens: tokens(file, line, "ContextTokens", fields[ic])?,
            output_tokens: tokens(file, line, "GeneratedTokens", fields[ig])?,
        });
    }
    Ok(out)
}

/// One line of a Mooncake trace; `hash_ids` and any other key are ignored.
#[derive(serde::Deserialize)]
struct MooncakeRow {
    /// Arrival [ms from the trace start].
    timestamp: f64,
    input_length: u32,
    output_length: u32,
}

/// One line of a Mooncake trace with its prompt's block hashes (none if
/// the key is absent); any other key is ignored.
#[derive(serde::Deserialize)]
struct MooncakeBlocksRow {
    /// Arrival [ms from the trace start].
    timestamp: f64,
    input_length: u32,
    output_length: u32,
    #[serde(default)]
    hash_ids: Vec<u64>,
}

/// Reads the Mooncake lines of `text`; with `blocks`, each line's
/// `hash_ids` appended to it.
fn parse_mooncake(
    file: &str,
    text: &str,
    mut blocks: Option<&mut BlockHashes>,
) -> Result<Vec<TraceRequest>, TraceError> {
    let mut out = Vec::with_capacity(text.len() / 200);
    let mut previous = f64::NEG_INFINITY;
    for (line, row) in numbered_lines(text) {
        if row.trim().is_empty() {
            continue;
        }
        if !row.trim_start().starts_with('{') {
            return Err(row_error(
                file,
                line,
                format!(
                    "\"{}\" is not a JSON object; a Mooncake trace line is a JSON object with timestamp (ms), input_length and output_length (whole numbers of tokens)",
                    quote_short(row.trim())
                ),
            ));
        }
        let located = |e: serde_json::Error| {
            row_error(
                file,
                line,
                format!(
                    "{e}; a Mooncake trace line is a JSON object with timestamp (ms), input_length and output_length (whole numbers of tokens)"
                ),
            )
        };
        let r = match blocks.as_deref_mut() {
            None => serde_json::from_str::<MooncakeRow>(row).map_err(located)?,
            Some(blocks) => {
                let r: MooncakeBlocksRow = serde_json::from_str(row).map_err(|e| {
                    let mut e = located(e);
                    if let TraceError::Row { what, .. } = &mut e {
                        what.push_str(", and hash_ids a list of whole-number block ids");
                    }
                    e
                })?;
                blocks.push(r.hash_ids);
                MooncakeRow {
                    timestamp: r.timestamp,
                    input_length: r.input_length,
                    output_length: r.output_length,
                }
            }
        };
        if !(r.timestamp.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&r.timestamp)) {
            return Err(row_error(
                file,
                line,
                format!(
                    "timestamp {} must be a number of milliseconds from 0 to {MAX_MAGNITUDE:e} (the limit of the scenario's numbers)",
                    r.timestamp
                ),
            ));
        }
        if r.timestamp < previous {
            return Err(row_error(
                file,
                line,
                format!(
                    "timestamp {} is earlier than the line before ({previous}); lines must be in time order",
                    r.timestamp
                ),
            ));
        }
        previous = r.timestamp;
        out.push(TraceRequest {
            arrival: r.timestamp / 1000.0,
            input_tokens: r.input_length,
            output_tokens: r.output_length,
        });
    }
    Ok(out)
}

/// Smallest `rate_scale` accepted: arrivals at most 1000 times sparser.
pub const MIN_RATE_SCALE: f64 = 1e-3;
/// Largest `rate_scale` accepted: arrivals at most 1000 times denser.
pub const MAX_RATE_SCALE: f64 = 1e3;

/// Why a rate scale is refused, or `None` if it is a finite factor within
/// [`MIN_RATE_SCALE`]..=[`MAX_RATE_SCALE`].
pub fn rate_scale_problem(x: f64) -> Option<String> {
    if x.is_finite() && (MIN_RATE_SCALE..=MAX_RATE_SCALE).contains(&x) {
        None
    } else {
        Some(format!(
            "{x} is not a rate scale; give a factor from {MIN_RATE_SCALE} to {MAX_RATE_SCALE} (2 makes arrivals twice as dense, 0.5 half as dense)"
        ))
    }
}

/// Compresses a trace's arrival times by `rate_scale` (dimensionless): each
/// arrival `t` \[s\] becomes `t ÷ rate_scale`, so the requests and their
/// tokens are unchanged, the span between the first and last arrival is
/// divided by `rate_scale` and the arrival rate multiplied by it. A scale
/// of 1 leaves every arrival bit for bit (`t ÷ 1 = t` in IEEE 754).
pub fn scale_arrivals(requests: &mut [TraceRequest], rate_scale: f64) {
    for r in requests {
        r.arrival /= rate_scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_by_hand() {
        // 1970-01-02 00:00:01.5 = 86,401.5 s.
        assert_eq!(
            parse_timestamp("1970-01-02 00:00:01.5"),
            Ok(86_401_500_000_000)
        );
        let a = parse_timestamp("2023-11-16 18:15:46.6805900").unwrap();
        let b = parse_timestamp("2023-11-16 18:15:50.9951690").unwrap();
        assert_eq!(b - a, 4_314_579_000);
        for bad in [
            "2023-11-16",
            "2023-13-01 00:00:00",
            "2023-11-16 25:00:00",
            "2023-11-16 18:15:46.",
            "x",
        ] {
            assert_eq!(parse_timestamp(bad), Err(Timestamp::Malformed), "{bad}");
        }
        // 2262-04-11 23:47:16.854775807 is the last nanosecond of i64.
        assert_eq!(
            parse_timestamp("2262-04-11 23:47:16.854775807"),
            Ok(i64::MAX)
        );
        assert_eq!(
            parse_timestamp("2262-04-11 23:47:16.854775808"),
            Err(Timestamp::OutOfRange)
        );
        assert_eq!(
            parse_timestamp("9999-01-01 00:00:00"),
            Err(Timestamp::OutOfRange)
        );
    }

    #[test]
    fn issue_17_trace_refusals() {
        let azure = |text: &str| {
            parse("t.csv", text.as_bytes(), TraceFormat::Azure)
                .unwrap_err()
                .to_string()
        };
        let e = azure("TIMESTAMP,ContextTokens,GeneratedTokens,ContextTokens\n");
        assert_eq!(
            e,
            "t.csv:1: the header names the column ContextTokens twice; give each column once"
        );
        // An overflowing time after a good one: out of range, not "earlier".
        let e = azure(
            "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00,1,1\n9999-01-01 00:00:00,1,1\n",
        );
        assert!(
            e.starts_with("t.csv:3: TIMESTAMP \"9999-01-01 00:00:00\" is outside 1678 to 2262"),
            "{e}"
        );
        // A long field is quoted short and escaped: one line.
        let long = format!(
            "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00,{}\u{0}\n,1\n",
            "9".repeat(10_000)
        );
        let e = azure(&long);
        assert!(e.len() < 300 && !e.contains('\n'), "{e}");
        let mooncake = |text: &str| {
            parse("t.jsonl", text.as_bytes(), TraceFormat::Mooncake)
                .unwrap_err()
                .to_string()
        };
        let e = mooncake("[0, 10, 5]\n");
        assert!(
            e.starts_with("t.jsonl:1: \"[0, 10, 5]\" is not a JSON object"),
            "{e}"
        );
        let e = mooncake("{\"timestamp\": 1e13, \"input_length\": 1, \"output_length\": 1}\n");
        assert!(e.contains("from 0 to 1e12"), "{e}");
    }

    #[test]
    fn azure_rows_and_errors() {
        let ok = "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:00:00.0000000,10,2\r\n2023-11-16 18:00:01.2500000,20,3\r\n";
        let r = parse("t.csv", ok.as_bytes(), TraceFormat::Azure).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].arrival, 1.25);
        assert_eq!((r[1].input_tokens, r[1].output_tokens), (20, 3));
        let bad = "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00.0,10,2\n2023-11-16 18:00:01.0,-5,3\n";
        let e = parse("t.csv", bad.as_bytes(), TraceFormat::Azure)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.csv:3: ContextTokens \"-5\""), "{e}");
    }

    #[test]
    fn mooncake_rows_and_errors() {
        let ok = "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 7, \"hash_ids\": [0]}\n{\"timestamp\": 1500, \"input_length\": 6, \"output_length\": 8, \"hash_ids\": []}\n";
        let r = parse("m.jsonl", ok.as_bytes(), TraceFormat::Mooncake).unwrap();
        assert_eq!(r[1].arrival, 1.5);
        let bad = "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 7}\n{\"timestamp\": 10, \"input_length\": 5}\n";
        let e = parse("m.jsonl", bad.as_bytes(), TraceFormat::Mooncake)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("m.jsonl:2: missing field `output_length`"),
            "{e}"
        );
    }
}
