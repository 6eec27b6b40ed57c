//! The fleet's serving as a scenario runs it: the epoch mode's KV flows of
//! a disaggregated service beside a training ring.

use crate::output::memory::MemoryRecorder;
use crate::scenario::{Overrides, Scenario, load_str};

/// Three racks of four 8-GPU H200 servers, uplinks 4:1 oversubscribed
/// (32 × 400 Gbit/s ÷ 4 = 3.2 Tbit/s). A 56-GPU job takes rack 0 and three
/// servers of rack 2 (its ring crosses rack 2's uplink and downlink), a
/// 24-GPU one three servers of rack 1 (no ring on the fabric); the
/// service's replica of two servers lands on the last free server of rack
/// 1 (prefill) and that of rack 2 (decode).
const SCENARIO: &str = r#"
name = "epoch-kv"
start = "2027-03-01"
duration = "3h"
seed = 1
sample_every = "1h"

[[sites]]
name = "east"
grid_mw = 20
pue = 1.2
uplink_oversubscription = 4
[[sites.buildout]]
rack = "hgx-h200"
count = 3
date = "2027-03-01"

[[jobs]]
name = "train"
rack = "hgx-h200"
chips = 56
params = 8e9
tokens = 2e12
mfu = 0.4
batch_tokens = 4e6
overlap = 0

[[jobs]]
name = "small"
rack = "hgx-h200"
chips = 24
params = 8e9
tokens = 2e12
mfu = 0.4
batch_tokens = 4e6
overlap = 0

[serving]
epoch = "1h"

[[services]]
name = "chat"
model = "llama-3.1-8b"
rack = "hgx-h200"
replica_chips = 16
tensor_parallel = 8
prefill_chips = 8
input_tokens = 1000
output_tokens = 100
rate_per_s = 1
min_replicas = 1
max_replicas = 1
scale_up_delay = "0s"
"#;

fn scenario(text: &str) -> Scenario {
    load_str("epoch-kv.toml", text, None, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn run(text: &str) -> MemoryRecorder {
    crate::sim::run(&scenario(text), MemoryRecorder::default(), &mut |_| {}).0
}

/// A KV transfer's time in the epoch mode by hand from its bytes and the
/// link's share. The KV flow from rack 1 to rack 2, capped at the
/// prefill copy's eight NICs (3.2 Tbit/s), meets the training ring on rack
/// 2's 3.2 Tbit/s downlink: max-min gives each 1.6 Tbit/s = 200 GB/s. A
/// mean prompt's KV cache, 1,000 tokens × 131,072 B of Llama 3.1 8B, is
/// 131.072 MB: 0.655 36 ms at that share. Without the job the replica
/// sits in rack 0 (two servers of one rack): its transfers take the
/// NICs, 3.2 Tbit/s = 400 GB/s, 0.327 68 ms. Everything else in the time
/// to first token (the wait, the prefill) is the same in both runs, so the
/// mean TTFT of the epoch the replica serves (the second; the first has
/// none ready yet) differs by exactly 0.327 68 ms.
#[test]
fn an_epoch_kv_transfer_by_hand_at_the_fabric_share() {
    let with = run(SCENARIO);
    let (a, b) = (
        SCENARIO.find("[[jobs]]").unwrap(),
        SCENARIO.find("[serving]").unwrap(),
    );
    let alone = run(&format!("{}{}", &SCENARIO[..a], &SCENARIO[b..]));
    let ttft = |rec: &MemoryRecorder| rec.services[1].ttft_mean_s;
    let bytes = 1_000.0 * 131_072.0;
    let by_hand = bytes / 200e9 - bytes / 400e9;
    assert_eq!(by_hand, 0.000_327_68);
    let moved = ttft(&with) - ttft(&alone);
    assert!(
        (moved - by_hand).abs() < 1e-12,
        "{moved} s, by hand {by_hand} s"
    );
    assert_eq!(
        with.services[0].served_rps, 0.0,
        "none ready in the first epoch"
    );
}

/// The epoch's KV flow stands on the fabric beside the ring, capped at
/// its mean rate: the job trains fewer tokens than beside the same replica
/// colocated (no KV transfers), on the same domains.
#[test]
fn an_epoch_kv_flow_slows_the_ring_beside_it() {
    let with = run(SCENARIO);
    let colocated = run(&SCENARIO.replace("prefill_chips = 8\n", ""));
    let tokens = |rec: &MemoryRecorder, j: usize| rec.jobs[j].tokens_trained.unwrap();
    assert!(tokens(&with, 0) < tokens(&colocated, 0));
    // The small job's ring stays in its rack.
    assert_eq!(tokens(&with, 1), tokens(&colocated, 1));
}
