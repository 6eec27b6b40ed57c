//! `cargo bench --bench serve`: the Azure conversation trace (19,366
//! requests) replayed request by request on two Llama-2-7B replicas on
//! H100, against a bare-heap PHOLD baseline from the same process.

// The benchmarks live beside the binary, outside the library (src/bench/mod.rs);
// this target includes them and uses a part (their unit tests run with the
// binary's, not under a bench harness).
#[allow(dead_code, unused_imports)]
#[path = "../src/bench/mod.rs"]
mod bench;

use bench::serve::{default_trace, run};

fn main() {
    let r = run(&default_trace(), 5).expect("the Azure trace is in data/azure-llm-inference-2023/");
    let s = &r.summary;
    println!(
        "serve azure-conv: {} requests, {} batch steps; simulate median of 5 {:.3} s ({:.2} M steps/s, {:.0} k requests/s); steps/s over baseline events/s = {:.3}",
        s.requests,
        s.iterations,
        r.median_s(),
        r.steps_per_s() / 1e6,
        r.requests_per_s() / 1e3,
        r.ratio()
    );
}
