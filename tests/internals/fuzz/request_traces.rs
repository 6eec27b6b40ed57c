//! Request traces `dcsim replay` and a scenario's request windows read: the
//! Azure LLM inference CSV and the Mooncake JSON Lines, from the heads of
//! the shipped files mutated and from rows built field by field. A trace
//! parses into requests in time order with finite arrivals, or is refused
//! naming the file (and line), one line, quoting little. Through the
//! binary, `dcsim replay --requests-csv` of a mutated trace exits 0 with
//! its folder written under `--out`, or 2 with nothing written.

use dcsim::workload::serving::trace::{TraceFormat, parse};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{check_message, mutate, mutations};

#[path = "../../both/request_traces.rs"]
mod fixtures;
use fixtures::{azure, mooncake};

/// Parses `bytes` as `file` in `format` and checks the outcome.
fn check_parse(file: &str, bytes: &[u8], format: TraceFormat) -> Result<(), TestCaseError> {
    match parse(file, bytes, format) {
        Ok(requests) => {
            prop_assert!(!requests.is_empty());
            let mut previous = 0.0;
            for r in &requests {
                prop_assert!(
                    r.arrival.is_finite() && r.arrival >= previous && r.arrival <= 1e12,
                    "arrival {} after {previous}",
                    r.arrival
                );
                previous = r.arrival;
            }
        }
        Err(e) => check_message(&e.to_string(), &[file], file.len())?,
    }
    Ok(())
}

/// Timestamps of the Azure format, right and wrong.
const STAMPS: [&str; 12] = [
    "2023-11-16 18:15:46.6805900",
    "2023-11-16 18:15:46",
    "2023-11-16T18:15:47.1",
    "2023-11-16 18:15:46.",
    "2023-11-16 18:15:46.1234567890",
    "2023-02-29 00:00:00",
    "2023-11-16 24:00:00",
    "2023-11-16 23:59:60",
    "2262-04-11 23:47:16.854775807",
    "2262-04-11 23:47:16.854775808",
    "1677-09-21 00:12:43.145224192",
    "16-11-2023 18:15:46",
];
const TOKENS: [&str; 8] = ["0", "1", "374", "4294967295", "4294967296", "-1", "1.5", ""];

fn azure_row() -> impl Strategy<Value = String> {
    (0..STAMPS.len(), 0..TOKENS.len(), 0..TOKENS.len())
        .prop_map(|(s, c, g)| format!("{},{},{}", STAMPS[s], TOKENS[c], TOKENS[g]))
}

const MOONCAKE_NUMBERS: [&str; 12] = [
    "0",
    "1",
    "1000",
    "1.5",
    "-1",
    "1e308",
    "1e400",
    "18446744073709551616",
    "\"7\"",
    "null",
    "[]",
    "{}",
];

fn mooncake_line() -> impl Strategy<Value = String> {
    (
        0..MOONCAKE_NUMBERS.len(),
        0..MOONCAKE_NUMBERS.len(),
        0..MOONCAKE_NUMBERS.len(),
        0u8..12,
    )
        .prop_map(|(t, i, o, shape)| {
            let (t, i, o) = (
                MOONCAKE_NUMBERS[t],
                MOONCAKE_NUMBERS[i],
                MOONCAKE_NUMBERS[o],
            );
            match shape {
                0 => format!("[{t}, {i}, {o}]"),
                1 => t.to_string(),
                2 => format!("{{\"timestamp\": {t}, \"input_length\": {i}}}"),
                3 => format!("{{\"timestamp\": {t}, \"timestamp\": {t}, \"input_length\": {i}, \"output_length\": {o}}}"),
                4 => String::new(),
                _ => format!("{{\"timestamp\": {t}, \"input_length\": {i}, \"output_length\": {o}, \"hash_ids\": [0, 1]}}"),
            }
        })
}

proptest! {
    #![proptest_config(super::config(256, file!()))]

    /// The head of the Azure conversation trace, mutated.
    #[test]
    fn mutated_azure_traces_parse_or_are_located(m in mutations()) {
        check_parse("conv.csv", &mutate(azure().as_bytes(), &m), TraceFormat::Azure)?;
    }

    /// Azure rows built from right and wrong timestamps and token counts.
    #[test]
    fn built_azure_traces_parse_or_are_located(rows in prop::collection::vec(azure_row(), 0..8)) {
        let text = format!("TIMESTAMP,ContextTokens,GeneratedTokens\n{}\n", rows.join("\n"));
        check_parse("conv.csv", text.as_bytes(), TraceFormat::Azure)?;
    }

    /// The head of the Mooncake conversation trace, mutated.
    #[test]
    fn mutated_mooncake_traces_parse_or_are_located(m in mutations()) {
        check_parse("conv.jsonl", &mutate(mooncake().as_bytes(), &m), TraceFormat::Mooncake)?;
    }

    /// Mooncake lines built from numbers and values of other types, keys
    /// missing or duplicated, lines that are not objects.
    #[test]
    fn built_mooncake_traces_parse_or_are_located(lines in prop::collection::vec(mooncake_line(), 0..8)) {
        check_parse("conv.jsonl", lines.join("\n").as_bytes(), TraceFormat::Mooncake)?;
    }
}
