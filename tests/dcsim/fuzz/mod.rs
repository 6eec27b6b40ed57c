//! Fuzz targets, one per kind of input a command reads besides the
//! scenario text and the hourly CSVs it names (those are fuzzed in
//! `robustness`): `--set` and `--vary` arguments (`arguments`), job trace
//! files — the generic CSV and the Alibaba task list — (`job_traces`),
//! request traces — Azure CSV and Mooncake JSON Lines — (`request_traces`),
//! and what `merge`, `compare` and a resumed `sweep` read back: shard
//! manifests and run folders (`read_back`).
//!
//! Inputs are valid ones mutated ([`Mutation`]: bit flips, truncation,
//! inserted bytes and control characters, long runs, extreme values in a
//! field, lines dropped, duplicated or swapped, columns and keys
//! duplicated) or built from their structure. The property is the same
//! everywhere: no panic, and either the input is accepted (and then what
//! follows from it runs to finite figures) or it is refused with a message
//! whose every line is one problem ([`check_message`]: no control
//! character, a bounded length, naming the file or argument at fault);
//! for commands that write, nothing appears or changes outside `--out`.
//!
//! Each target runs a modest number of cases by default (the suite stays
//! fast); `DCSIM_FUZZ_CASES=N` runs N cases of every target instead
//! ([`config`]; `docs/tests.md` says how to run a long fuzz).

mod request_traces;

mod helpers;

pub use helpers::*;

#[test]
fn mutations_do_what_they_say() {
    let csv = b"a,b\n1,2\n3,4";
    assert_eq!(
        mutate(csv, &[Mutation::DupColumn(1)]),
        b"a,b,b\n1,2,2\n3,4,4"
    );
    assert_eq!(mutate(csv, &[Mutation::Value(1, 1, 3)]), b"a,b\n1,-1\n3,4");
    assert_eq!(mutate(csv, &[Mutation::Swap(1, 2)]), b"a,b\n3,4\n1,2");
    assert_eq!(mutate(csv, &[Mutation::Truncate(5)]), b"a,b\n1");
    let json = br#"{"a": 1, "b": [2, 3]}"#;
    assert_eq!(
        mutate(json, &[Mutation::DupKey(0)]),
        br#"{"a": 1,"a": 1, "b": [2, 3]}"#
    );
    assert_eq!(
        mutate(json, &[Mutation::Value(0, 1, 7)]),
        br#"{"a":1e308, "b": [2, 3]}"#
    );
    assert!(check_message("f.csv:2: bad", &["f.csv"], 0).is_ok());
    assert!(check_message("f.csv:2: bad\nx", &["f.csv"], 0).is_err());
    assert!(check_message("f.csv:2: a\u{0}b", &["f.csv"], 0).is_err());
    assert!(check_message(&format!("f.csv: {}", "x".repeat(900)), &["f.csv"], 0).is_err());
}
