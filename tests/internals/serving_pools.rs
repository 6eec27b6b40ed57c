//! Issue 21 item 5: prefill/decode disaggregation in two separate pools
//! (`[services.prefill_pool]`): each pool sized and autoscaled on its own
//! load, placed and failed per replica, its requests' KV caches moved
//! from a prefill replica to a decode replica.

use dcsim::output::memory::MemoryRecorder;
use dcsim::scenario::Scenario;
use dcsim::workload::serving::fleet::ReplicaCounts;

use crate::internals::common::{Edit, load_text};
use crate::internals::training::step_all;

/// One site of four HGX H100 racks (4 servers of 8 H100 each, one
/// scale-up domain per server), hourly epochs and samples. Llama 3.1 8B
/// served by copies of one GPU (`tensor_parallel = 1`): a decode replica
/// and a prefill replica are one server each, eight copies.
const POOLS: &str = concat!(
    r#"
name = "pools"
start = "2027-03-01"
duration = "4h"
seed = 1
sample_every = "1h"

"#,
    no_failures!(),
    r#"software = { rate_per_million_hours = 0 }

[[sites]]
name = "east"
grid_mw = 20
pue = 1.2
[[sites.buildout]]
rack = "hgx-h100"
count = 4
date = "2027-03-01"

[serving]
epoch = "1h"

[[services]]
name = "chat"
model = "llama-3.1-8b"
rack = "hgx-h100"
replica_chips = 8
tensor_parallel = 1
input_tokens = INPUT
output_tokens = OUTPUT
rate_per_s = 100
target_utilization = 0.8
scale_up_delay = "0s"

[services.prefill_pool]
replica_chips = 8
tensor_parallel = 1
"#
);

fn pools(input: u32, output: u32) -> Scenario {
    load_text(
        &POOLS
            .edit("INPUT", &input.to_string())
            .edit("OUTPUT", &output.to_string()),
    )
}

fn run(s: &Scenario) -> MemoryRecorder {
    dcsim::sim::run(s, MemoryRecorder::default(), &mut |_| {}).0
}

/// (prefill replicas, decode replicas) serving at the last sample.
fn sizes(rec: &MemoryRecorder) -> (u32, u32) {
    let row = rec.services.last().unwrap();
    (row.prefill.unwrap().replicas, row.replicas)
}

/// Each pool scales on its own load, by hand. One H100 copy of Llama 3.1
/// 8B (16.06 GB of BF16 weights, 131,072 B of KV cache per token) at the
/// roofline's efficiencies: prefill 989 TFLOP/s × 0.399 = 394.6 TFLOP/s,
/// decode 3.35 TB/s × 0.544 = 1.822 TB/s. 100 requests a second, target
/// utilization 0.8, eight copies a replica of either pool (6.4 copies'
/// worth at the target).
///
/// - 1,000 tokens in, 101 out: a prefill takes 2 × 8.03e9 × 1,000 ÷
///   394.6e12 = 40.7 ms, so 100 × 0.0407 = 4.07 copies busy → 1 prefill
///   replica; a decode copy batches ⌊(80 − 16.06) GB ÷ (1,101 × 131,072
///   B)⌋ ≈ 443 requests, τ(443) = (16.06e9 + 131,072 × 443 × 1,050.5) ÷
///   1.822e12 ≈ 42.3 ms, μ_d = 443 ÷ (100 × 0.0423) ≈ 105/s → 100 ÷ (6.4
///   × 105) = 0.15 → 1 decode replica.
/// - 4,000 tokens in (a prefill-heavy load): 162.8 ms a prefill, 16.3
///   copies busy, 16.3 ÷ 6.4 = 2.54 → 3 prefill replicas; a decode copy
///   batches ≈ 118, τ ≈ 43.2 ms, μ_d ≈ 27/s, 100 ÷ (6.4 × 27) = 0.58 →
///   still 1 decode replica.
/// - 1,001 tokens out (a decode-heavy load): prefill as the first (1);
///   batch ≈ 243, τ ≈ 35.0 ms, μ_d = 243 ÷ (1,000 × 0.035) ≈ 6.9/s, 100
///   ÷ (6.4 × 6.9) = 2.25 → 3 decode replicas.
///
/// One replica set of both pools in a fixed ratio would grow both pools
/// for either load.
#[test]
fn each_pool_scales_on_its_own_load_in_the_epoch_mode() {
    let base = run(&pools(1_000, 101));
    assert_eq!(sizes(&base), (1, 1));
    let long_prompts = run(&pools(4_000, 101));
    assert_eq!(sizes(&long_prompts), (3, 1), "only the prefill pool grows");
    let long_answers = run(&pools(1_000, 1_001));
    assert_eq!(sizes(&long_answers), (1, 3), "only the decode pool grows");
    // The rows: chips count both pools; the prefill pool's own columns.
    let row = long_prompts.services.last().unwrap();
    let prefill = row.prefill.unwrap();
    assert_eq!((row.chips, prefill.chips), (32, 24));
    // Its copies are busy for the prefills served: 100 × 0.1628 s over 24
    // copies = 0.678 (by the roofline's own prefill time).
    let chip = dcsim::catalog::Catalog::builtin()
        .chip("h100")
        .unwrap()
        .clone();
    let copy = dcsim::workload::serving::roofline::Replica::new(
        dcsim::workload::serving::roofline::model("llama-3.1-8b")
            .unwrap()
            .spec,
        &chip,
        1,
    )
    .unwrap();
    let t = copy.prefill_time(4_000.0);
    assert!((t - 2.0 * 8.03e9 * 4_000.0 / (989e12 * 0.399)).abs() < 1e-9);
    assert!(
        (prefill.utilization - row.served_rps * t / 24.0).abs() < 1e-9,
        "{prefill:?}"
    );
    assert!((prefill.utilization - 0.678).abs() < 1e-3);
    // Replica-hours count both pools: (3 + 1) replicas × 4 h (ready at the
    // start, with no load time, though after the first epoch was served:
    // it gets no capacity).
    let sum = &long_prompts.service_summaries[0];
    assert_eq!(long_prompts.services[0].served_rps, 0.0);
    assert_eq!(sum.replica_hours, 16.0);
    assert_eq!(sum.chip_hours, 4.0 * 32.0);
}

/// A failure takes down only the replica on the failed server: GPUs fail
/// often here, and at each failure between epochs exactly one replica of
/// one pool is lost while the other pool keeps its count; each pool's
/// chips stay 8 a replica.
#[test]
fn a_failure_takes_down_only_the_replica_on_it() {
    let text = POOLS
        .edit("INPUT", "4000")
        .edit("OUTPUT", "101")
        .edit(
            "gpu = { rate_per_million_hours = 0 }",
            "gpu = { rate_per_million_hours = 20000 }",
        )
        .edit("duration = \"4h\"", "duration = \"2d\"")
        .edit("scale_up_delay = \"0s\"", "scale_up_delay = \"10min\"");
    let s = load_text(&text);
    let mut last: Option<(ReplicaCounts, ReplicaCounts)> = None;
    let mut one_pool_losses = [0u32; 2];
    let rec = step_all(&s, |m, now| {
        let (d, p) = (m.serving().replicas(0), m.serving().set_counts(0, 1));
        assert_eq!(d.chips, 8 * u64::from(d.ready + d.loading));
        assert_eq!(p.chips, 8 * u64::from(p.ready + p.loading));
        let between_epochs = now.micros() % 3_600_000_000 != 0;
        if let (Some((d0, p0)), true) = (last, between_epochs) {
            let lost_d = d0.ready + d0.loading > d.ready + d.loading;
            let lost_p = p0.ready + p0.loading > p.ready + p.loading;
            assert!(!(lost_d && lost_p), "one failure, one pool, at {now:?}");
            if lost_d {
                assert_eq!(d0.ready + d0.loading, d.ready + d.loading + 1);
                assert_eq!(p0, p, "the prefill pool keeps its replicas");
                one_pool_losses[0] += 1;
            }
            if lost_p {
                assert_eq!(p0.ready + p0.loading, p.ready + p.loading + 1);
                assert_eq!(d0, d, "the decode pool keeps its replicas");
                one_pool_losses[1] += 1;
            }
        }
        last = Some((d, p));
    });
    let lost = rec.service_summaries[0].replicas_lost;
    assert!(
        one_pool_losses[0] > 0 && one_pool_losses[1] > 0,
        "{one_pool_losses:?}"
    );
    assert_eq!(
        lost,
        u64::from(one_pool_losses[0] + one_pool_losses[1]),
        "replicas_lost counts both pools"
    );
}

/// A request-level window pairs the pools: each request's prefill on the
/// prefill replica, its KV cache to one of the two decode replicas (round
/// robin as the prefills end), over the NICs (all three servers in one
/// rack): at least `bytes ÷ 400 GB/s` each, a pair's link being the fewer
/// of the two replicas' chips (8) × one GPU's 400 Gbit/s NIC.
#[test]
fn a_window_moves_each_kv_cache_from_a_prefill_to_a_decode_replica() {
    let text = POOLS
        .edit("INPUT", "1000")
        .edit("OUTPUT", "101")
        .edit("rate_per_s = 100", "rate_per_s = 20\nmin_replicas = 2")
        + r#"
[[request_windows]]
service = "chat"
start = "2h"
duration = "2min"
requests_csv = true
"#;
    let rec = run(&load_text(&text));
    let w = &rec.windows[0];
    assert_eq!(w.replicas, 8 + 2 * 8, "one prefill and two decode replicas");
    let kv = w.kv.expect("a disaggregated window reports its transfers");
    let bytes = w.summary.input_tokens as f64 * 131_072.0;
    assert!((kv.gb - bytes / 1e9).abs() < 1e-9 * kv.gb);
    assert_eq!(kv.fabric_flows, 0, "one rack: the NICs");
    let n = w.summary.finished as f64;
    assert!(kv.transfer_mean_s >= bytes / n / 400e9 * (1.0 - 1e-12));
    assert!(kv.transfer_mean_s < 1.5 * bytes / n / 400e9, "{kv:?}");
    // Both decode replicas decode: copies 0–7 are the first's, 8–15 the
    // second's.
    let replicas: Vec<u32> = rec
        .window_requests
        .iter()
        .filter_map(|r| r.row.replica)
        .collect();
    assert!(replicas.iter().any(|&r| r < 8) && replicas.iter().any(|&r| (8..16).contains(&r)));
    assert!(replicas.iter().all(|&r| r < 16));
}

/// Bad `[services.prefill_pool]` keys are located with a fix.
#[test]
fn bad_prefill_pools_are_located_with_a_fix() {
    let good = POOLS.edit("INPUT", "1000").edit("OUTPUT", "101");
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "[services.prefill_pool]\nreplica_chips = 8",
            "[services.prefill_pool]\nreplica_chips = 12",
            "services[0].prefill_pool.replica_chips",
            &["12"],
        ),
        (
            "[services.prefill_pool]\nreplica_chips = 8\ntensor_parallel = 1",
            "[services.prefill_pool]\nreplica_chips = 8\ntensor_parallel = 3",
            "services[0].prefill_pool.tensor_parallel",
            &[
                "do not divide the prefill replica's 8",
                "give a divisor of 8",
            ],
        ),
        (
            "scale_up_delay = \"0s\"\n",
            "scale_up_delay = \"0s\"\nprefill_chips = 4\n",
            "services[0].prefill_pool",
            &["give one of the two"],
        ),
        (
            "[services.prefill_pool]\nreplica_chips = 8",
            "[services.prefill_pool]\nreplica_chips = 8\nmin_replicas = 3\nmax_replicas = 2",
            "services[0].prefill_pool.max_replicas",
            &["at least the prefill pool's min_replicas (3)"],
        ),
        (
            "[services.prefill_pool]\nreplica_chips = 8",
            "[services.prefill_pool]\nreplica_chips = 8\nreplicas = 2",
            "services[0].prefill_pool.replicas",
            &["min_replicas"],
        ),
    ];
    for (from, to, field, fragments) in cases {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let e = Scenario::from_toml("pools.toml", &text).expect_err("refused");
        assert_eq!(e.issues.len(), 1, "{e}");
        let issue = &e.issues[0];
        assert_eq!(issue.field, *field, "{issue}");
        assert!(issue.to_string().contains("pools.toml:"), "{issue}");
        for f in *fragments {
            assert!(issue.message.contains(f), "`{f}` not in: {issue}");
        }
    }
    // A model too large for a prefill copy: Llama 3.1 70B's 141 GB of
    // weights on one 80 GB H100.
    let text = good
        .edit("model = \"llama-3.1-8b\"", "model = \"llama-3.1-70b\"")
        .edit(
            "tensor_parallel = 1\ninput_tokens",
            "tensor_parallel = 8\ninput_tokens",
        );
    let e = Scenario::from_toml("pools.toml", &text).expect_err("refused");
    assert_eq!(e.issues.len(), 1, "{e}");
    assert_eq!(
        e.issues[0].field,
        "services[0].prefill_pool.tensor_parallel"
    );
    assert!(
        e.issues[0].message.contains("give tensor_parallel = 8"),
        "{}",
        e.issues[0]
    );
}

/// The example `scenarios/disaggregated-pools.toml`: colocated serving and
/// two splits into separate pools on one trace at equal chips (32 GPUs
/// each), with the goodput under the SLO of each that
/// docs/models/inference.md tabulates, and the pools' KV caches crossing
/// the fabric beside the training ring.
#[test]
fn the_pools_example_compares_goodput_at_equal_chips() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/disaggregated-pools.toml");
    let s = dcsim::scenario::load_file(&path, &dcsim::scenario::Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let rec = run(&s);
    let at = |name: &str| -> Vec<&dcsim::record::WindowRow> {
        rec.windows.iter().filter(|w| w.service == name).collect()
    };
    // Equal chips: 32 each at every sample once placed, 24 and 16 of them
    // in the prefill pools.
    for row in rec.services.iter().filter(|r| r.time_h >= 1.0) {
        assert_eq!(row.chips, 32, "{row:?}");
        let prefill = row.prefill.map_or(0, |p| p.chips);
        let want = match row.service.as_str() {
            "pools-3p1d" => 24,
            "pools-2p2d" => 16,
            _ => 0,
        };
        assert_eq!(prefill, want);
    }
    // Goodput = SLO attainment × requests ÷ simulated span [requests/s],
    // as tabulated (trace as recorded, ×4, ×8).
    let goodput = |name: &str| -> Vec<f64> {
        at(name)
            .iter()
            .map(|w| {
                let g = w.summary.slo.unwrap().attainment * w.summary.requests as f64
                    / w.summary.simulated_s;
                (g * 100.0).round() / 100.0
            })
            .collect()
    };
    assert_eq!(goodput("colocated"), vec![5.52, 21.58, 21.44]);
    assert_eq!(goodput("pools-3p1d"), vec![5.53, 21.36, 11.08]);
    assert_eq!(goodput("pools-2p2d"), vec![5.52, 13.91, 0.63]);
    for name in ["pools-3p1d", "pools-2p2d"] {
        for w in at(name) {
            assert_eq!(w.replicas, 4, "four copies of 8 GPUs");
            let kv = w.kv.expect("a disaggregated window reports its transfers");
            // Σ prompt tokens × 327,680 B of Llama 3.1 70B's KV cache.
            let gb = w.summary.input_tokens as f64 * 327_680.0 / 1e9;
            assert!((kv.gb - gb).abs() < 1e-9 * gb);
            assert!(kv.fabric_flows > 0 && kv.shared_flows > 0, "{kv:?}");
        }
    }
    assert!(at("colocated").iter().all(|w| w.kv.is_none()));
}
