//! The request-level serving mode: trace replays keep every request and
//! token, the roofline by hand, the queueing layer against M/M/1 and M/M/c
//! closed forms, located trace errors, determinism.

use std::path::{Path, PathBuf};

use crate::common::{dcsim, temp_dir, text};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(rel)
}

#[test]
fn replay_refuses_a_model_that_does_not_fit() {
    // Through the command line: exit 2 with the message.
    let out = dcsim([
        "replay",
        data("azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv")
            .to_str()
            .unwrap(),
        "--model",
        "llama-3.1-70b",
    ]);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("do not fit in 1 x h100"), "{err}");
}

#[test]
fn replay_locates_a_malformed_trace_row() {
    let dir = temp_dir("serve-bad");
    let jsonl = dir.join("bad.jsonl");
    std::fs::write(
        &jsonl,
        "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 7}\n\
         \n\
         {\"timestamp\": 10, \"input_length\": 5, \"output_length\": -1}\n",
    )
    .unwrap();
    // Through the command line: exit 2, the location on stderr, no panic.
    let out = dcsim(["replay", jsonl.to_str().unwrap()]);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.jsonl:3:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // A folder is refused as a trace, exit 2.
    let out = dcsim(["replay", dir.to_str().unwrap(), "--format", "azure"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn replay_writes_the_same_bytes_twice() {
    // requests.csv is byte-identical across two command-line runs.
    let dir = temp_dir("serve-det");
    let trace = data("azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv");
    let mut files = Vec::new();
    for sub in ["a", "b"] {
        let out_dir = dir.join(sub);
        let out = dcsim([
            "replay",
            trace.to_str().unwrap(),
            "--requests-csv",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out).1);
        files.push(
            std::fs::read(out_dir.join("replay-AzureLLMInferenceTrace_code/requests.csv")).unwrap(),
        );
    }
    assert_eq!(files[0], files[1]);
    let csv = String::from_utf8(files.swap_remove(0)).unwrap();
    assert_eq!(csv.lines().count(), 8_819 + 1);
    assert!(csv.starts_with(
        "request,arrival_s,replica,input_tokens,output_tokens,ttft_s,tpot_s,e2e_s,finished,cached_tokens\n"
    ));
    // The summary is always written beside it: its counts are the trace's
    // own, recounted from the file (8,819 rows; token sums of its columns).
    let summary = std::fs::read_to_string(
        dir.join("a/replay-AzureLLMInferenceTrace_code/replay_summary.csv"),
    )
    .unwrap();
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    let raw = std::fs::read_to_string(&trace).unwrap();
    let (mut n, mut tin, mut tout) = (0u64, 0u64, 0u64);
    for line in raw.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        n += 1;
        tin += f[1].trim().parse::<u64>().unwrap();
        tout += f[2].trim().parse::<u64>().unwrap();
    }
    assert_eq!(at("requests"), n.to_string());
    assert_eq!(at("input_tokens"), tin.to_string());
    assert_eq!(at("output_tokens"), tout.to_string());
}

/// Issue 21 item 4 through the command line: a Mooncake replay caches
/// prefixes by default; `replay_summary.csv`'s counts are the sums of
/// `requests.csv`'s `cached_tokens`, and the blocks found are at most those
/// an unbounded cache would find (recounted naively from the file: each
/// prompt's leading blocks already seen in an earlier prompt); with
/// `--no-prefix-cache` the columns are empty and every prompt is prefilled.
#[test]
fn mooncake_replays_report_their_prefix_hits() {
    let trace = data("mooncake-fast25/conversation_trace.jsonl");
    let dir = temp_dir("serve-prefix");
    let run = |sub: &str, extra: &[&str]| {
        let out_dir = dir.join(sub);
        let mut args = vec![
            "replay",
            trace.to_str().unwrap(),
            "--model",
            "llama-3.1-8b",
            "--replicas",
            "8",
            "--requests-csv",
            "--out",
            out_dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = dcsim(args);
        let (stdout, err) = text(&out);
        assert!(out.status.success(), "{err}");
        let read = |f: &str| {
            std::fs::read_to_string(out_dir.join("replay-conversation_trace").join(f)).unwrap()
        };
        (stdout, read("replay_summary.csv"), read("requests.csv"))
    };
    let cell = |csv: &str, name: &str| -> String {
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        row[header.iter().position(|h| *h == name).unwrap()].to_string()
    };
    let cached_sum = |csv: &str| -> u64 {
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = header.iter().position(|h| *h == "cached_tokens").unwrap();
        lines
            .map(|l| l.split(',').nth(at).unwrap().parse::<u64>().unwrap_or(0))
            .sum()
    };
    // Blocks an unbounded cache finds, from the file.
    let mut seen = std::collections::HashSet::new();
    let (mut blocks, mut bound) = (0u64, 0u64);
    for line in std::fs::read_to_string(&trace).unwrap().lines() {
        let at = line.find("\"hash_ids\": [").unwrap() + 13;
        let ids: Vec<u64> = line[at..line.rfind(']').unwrap()]
            .split(',')
            .filter(|x| !x.trim().is_empty())
            .map(|x| x.trim().parse().unwrap())
            .collect();
        blocks += ids.len() as u64;
        bound += ids.iter().take_while(|h| seen.contains(*h)).count() as u64;
        seen.extend(ids);
    }
    assert_eq!((blocks, bound), (288_500, 105_710));
    let mut found = Vec::new();
    for (sub, extra) in [
        ("lru", &[][..]),
        ("prefix", &["--routing", "cached-prefix"]),
    ] {
        let (stdout, summary, requests) = run(sub, extra);
        assert!(
            stdout.contains("  prefix cache: blocks of 512 tokens"),
            "{stdout}"
        );
        assert_eq!(cell(&summary, "prefix_blocks"), "288500");
        let hit: u64 = cell(&summary, "prefix_blocks_hit").parse().unwrap();
        assert!(hit > 0 && hit <= bound, "{hit}");
        assert_eq!(
            cell(&summary, "prefix_tokens_hit"),
            cached_sum(&requests).to_string()
        );
        found.push(hit);
    }
    // Routing to the holder finds more than least-loaded routing.
    assert!(found[1] > found[0], "{found:?}");
    let (stdout, summary, requests) = run("off", &["--no-prefix-cache"]);
    assert!(!stdout.contains("prefix cache"), "{stdout}");
    assert_eq!(cell(&summary, "prefix_blocks"), "");
    assert_eq!(cached_sum(&requests), 0);
}
