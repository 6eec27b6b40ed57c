//! Request traces `dcsim replay` and a scenario's request windows read: the
//! Azure LLM inference CSV and the Mooncake JSON Lines, from the heads of
//! the shipped files mutated and from rows built field by field. A trace
//! parses into requests in time order with finite arrivals, or is refused
//! naming the file (and line), one line, quoting little. Through the
//! binary, `dcsim replay --requests-csv` of a mutated trace exits 0 with
//! its folder written under `--out`, or 2 with nothing written.

use proptest::prelude::*;
use proptest::test_runner::TestRunner;

use super::{check_message, mutate, mutations, snapshot};
use crate::common::{dcsim, text};

#[path = "../../both/request_traces.rs"]
mod fixtures;
use fixtures::{azure, mooncake};

/// `dcsim replay --requests-csv` of mutated traces through the binary: exit
/// 0 and `replay-<stem>/requests.csv` under `--out`, or exit 2, one line
/// per problem naming the trace, and nothing written; never a panic, never
/// a file outside `--out`.
#[test]
fn replay_of_mutated_traces_exits_0_or_2_and_writes_only_under_out() {
    let mut runner = TestRunner::new(super::config(12, file!()));
    let (azure, mooncake) = (azure(), mooncake());
    runner
        .run(&(mutations(), any::<bool>()), |(m, jsonl)| {
            let case = tempfile::tempdir().unwrap();
            let (name, base) = if jsonl {
                ("t.jsonl", &mooncake)
            } else {
                ("t.csv", &azure)
            };
            let trace = case.path().join(name);
            std::fs::write(&trace, mutate(base.as_bytes(), &m)).unwrap();
            let out = case.path().join("out");
            let before = snapshot(case.path(), &out);
            let o = dcsim([
                "replay".as_ref(),
                trace.as_os_str(),
                "--replicas".as_ref(),
                "2".as_ref(),
                "--max-batch".as_ref(),
                "32".as_ref(),
                "--requests-csv".as_ref(),
                "--out".as_ref(),
                out.as_os_str(),
            ]);
            let (_, stderr) = text(&o);
            prop_assert!(!stderr.contains("internal error"), "{stderr}");
            prop_assert_eq!(snapshot(case.path(), &out), before);
            match o.status.code() {
                Some(0) => {
                    let stem = name.split('.').next().unwrap();
                    let folder = format!("replay-{stem}");
                    let written: Vec<String> = std::fs::read_dir(&out)
                        .unwrap()
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect();
                    prop_assert_eq!(written, vec![folder.clone()]);
                    prop_assert!(out.join(&folder).join("requests.csv").is_file());
                }
                Some(2) => {
                    check_message(
                        stderr.trim_end(),
                        &[name],
                        trace.display().to_string().len(),
                    )?;
                    prop_assert!(!out.exists(), "a refused replay wrote {}", out.display());
                }
                other => prop_assert!(false, "exit {other:?}: {stderr}"),
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
