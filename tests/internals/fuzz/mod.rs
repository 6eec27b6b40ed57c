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

mod arguments;
mod findings;
mod job_traces;
mod read_back;
mod request_traces;

#[path = "../../dcsim/fuzz/helpers.rs"]
mod helpers;

pub use helpers::*;
