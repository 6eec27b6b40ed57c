//! The request traces `fuzz/request_traces.rs`'s integration and
//! white-box halves mutate: the first rows of the shipped Azure and
//! Mooncake files.

use std::path::Path;

pub fn head(rel: &str, lines: usize) -> String {
    let full = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap();
    full.lines().take(lines).collect::<Vec<_>>().join("\n") + "\n"
}

pub fn azure() -> String {
    head(
        "data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv",
        30,
    )
}

pub fn mooncake() -> String {
    head("data/mooncake-fast25/conversation_trace.jsonl", 12)
}
