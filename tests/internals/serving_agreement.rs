//! The epoch model against the request-level mode (issue 9): on the same
//! Poisson stream and the same replicas, they agree on throughput within
//! 1% and on mean latency within 5% at utilizations up to 0.8.

use dcsim::catalog::Catalog;
use dcsim::engine::RngStreams;
use dcsim::workload::serving::epoch::{
    Backlog, EpochInput, Overflow, ServiceModel, Slo, SloMetric, run_epoch,
};
use dcsim::workload::serving::fleet::RooflineModel;
use dcsim::workload::serving::requests::{
    Prefill, Routing, ServeConfig, Synthetic, Tokens, simulate, summarize,
};
use dcsim::workload::serving::roofline::{Replica, model};

/// (utilization, request-level throughput and mean latency, epoch ones).
fn compare(util: f64, seed: u64) -> (f64, f64, f64, f64, f64) {
    let catalog = Catalog::builtin();
    let replica = Replica::new(
        model("llama-3.1-8b").unwrap().spec,
        catalog.chip("h100").unwrap(),
        1,
    )
    .unwrap();
    let (input, output, cap, replicas) = (512u32, 128u32, 32u32, 4u32);
    let m = RooflineModel {
        replica: &replica,
        input: f64::from(input),
        output: f64::from(output),
        max_batch: cap,
        scv: 1.0,
        prefill_chunks: 1.0,
    };
    let capacity = f64::from(replicas) * m.service_rate(f64::from(cap));
    let rate = util * capacity;
    let count = 200_000;
    let stream = Synthetic {
        rate,
        count,
        input: Tokens::Fixed(input),
        output: Tokens::Fixed(output),
    }
    .generate(&RngStreams::new(seed));
    let config = ServeConfig {
        replica: replica.clone(),
        replicas,
        max_batch: cap,
        routing: Routing::SharedQueue,
        prefill: Prefill::default(),
    };
    let run = simulate(&config, &stream).unwrap();
    let summary = summarize(&run, &stream, replicas, None);
    let span = stream.last().unwrap().arrival;
    let out = run_epoch(
        &m,
        &EpochInput {
            length_s: span,
            arrival_rate: rate,
            replicas,
            backlog: Backlog::default(),
            overflow: Overflow::Drop,
            slo: Slo {
                metric: SloMetric::Latency,
                target_s: 10.0,
                percentile: 0.99,
            },
        },
    );
    let throughput = summary.finished as f64 / summary.simulated_s;
    (
        out.utilization,
        throughput,
        summary.e2e.mean,
        out.served / span,
        out.mean_latency_s,
    )
}

#[test]
fn epoch_and_request_level_agree_up_to_utilization_0_8() {
    // 200,000 Poisson requests of 512 + 128 tokens on 4 Llama 3.1 8B
    // replicas of one H100 (batch cap 32, one shared queue), against the
    // epoch model of the same roofline over the same span. Measured here:
    // throughput within 0.1%, the epoch's mean latency 2.2–2.7% below the
    // request-level one (its batch-slot M/M/c sees the time in service as
    // exponential; a real batch step is not).
    for seed in [7, 11] {
        for util in [0.2, 0.4, 0.6, 0.8] {
            let (u, t_req, l_req, t_ep, l_ep) = compare(util, seed);
            assert!((u - util).abs() < 1e-9, "{u}");
            assert!(
                (t_ep / t_req - 1.0).abs() < 0.01,
                "util {util}: throughput {t_req} vs {t_ep}"
            );
            assert!(
                (l_ep / l_req - 1.0).abs() < 0.05,
                "util {util}: mean latency {l_req} vs {l_ep}"
            );
        }
    }
}

#[test]
fn above_0_9_the_epoch_model_underestimates_the_latency() {
    // Near saturation the queue dominates the latency and the slot model's
    // exponential service underestimates it: measured −4% at 0.95, −10% at
    // 0.98; beyond capacity (1.05) both serve at capacity (throughput
    // within 1%) and the epoch's fluid queue drains 16% faster than the
    // requests do. The README states these figures.
    let (_, t_req, l_req, t_ep, l_ep) = compare(0.98, 7);
    assert!((t_ep / t_req - 1.0).abs() < 0.01);
    assert!(l_ep < l_req && l_ep > 0.8 * l_req, "{l_req} vs {l_ep}");
    let (u, t_req, l_req, t_ep, l_ep) = compare(1.05, 7);
    assert_eq!(u, 1.0, "saturated");
    assert!((t_ep / t_req - 1.0).abs() < 0.01, "{t_req} vs {t_ep}");
    assert!(l_ep < l_req && l_ep > 0.75 * l_req, "{l_req} vs {l_ep}");
}

/// The Azure conversation trace (19,366 requests over 58 minutes) on
/// `replicas` Llama 3.1 70B replicas of `chips` H100 (batch cap `cap`):
/// (epoch utilization, request-level throughput and mean latency, epoch
/// throughput and mean latency), the epoch model at the trace's mean rate
/// and mean tokens.
fn compare_trace(chips: u32, replicas: u32, cap: u32) -> (f64, f64, f64, f64, f64) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv");
    let requests = dcsim::workload::serving::trace::read(
        &path,
        dcsim::workload::serving::trace::TraceFormat::Azure,
    )
    .unwrap();
    let n = requests.len() as f64;
    let input = requests
        .iter()
        .map(|r| f64::from(r.input_tokens))
        .sum::<f64>()
        / n;
    let output = requests
        .iter()
        .map(|r| f64::from(r.output_tokens))
        .sum::<f64>()
        / n;
    let span = requests.last().unwrap().arrival - requests[0].arrival;
    let catalog = Catalog::builtin();
    let replica = Replica::new(
        model("llama-3.1-70b").unwrap().spec,
        catalog.chip("h100").unwrap(),
        chips,
    )
    .unwrap();
    let m = RooflineModel {
        replica: &replica,
        input,
        output,
        max_batch: cap,
        scv: 1.0,
        prefill_chunks: 1.0,
    };
    let config = ServeConfig {
        replica: replica.clone(),
        replicas,
        max_batch: cap,
        routing: Routing::SharedQueue,
        prefill: Prefill::default(),
    };
    let run = simulate(&config, &requests).unwrap();
    let s = summarize(&run, &requests, replicas, None);
    let out = run_epoch(
        &m,
        &EpochInput {
            length_s: span,
            arrival_rate: n / span,
            replicas,
            backlog: Backlog::default(),
            overflow: Overflow::Drop,
            slo: Slo {
                metric: SloMetric::Latency,
                target_s: 10.0,
                percentile: 0.99,
            },
        },
    );
    (
        out.utilization,
        s.finished as f64 / s.simulated_s,
        s.e2e.mean,
        out.served / span,
        out.mean_latency_s,
    )
}

#[test]
fn on_the_azure_trace_the_modes_agree_below_saturation_and_part_near_it() {
    // Real arrivals (inter-arrival CV 1.09) and real token counts (heavy
    // tails) against the epoch model's Poisson arrivals and mean tokens.
    // Measured (with the tensor-parallel all-reduces in the roofline and
    // the efficiencies fitted to MLPerf): utilization 0.47 → −4.2%,
    // 0.68 → −5.3%, 0.69 → −3.2% mean latency, throughput within 0.5%; at
    // 0.91 the trace's bursts queue for minutes the epoch model does not
    // see (−58%).
    for (chips, replicas, cap) in [(4, 3, 32), (2, 4, 32), (2, 6, 16)] {
        let (u, t_req, l_req, t_ep, l_ep) = compare_trace(chips, replicas, cap);
        assert!(u < 0.8, "{u}");
        assert!(
            (t_ep / t_req - 1.0).abs() < 0.01,
            "u {u}: {t_req} vs {t_ep}"
        );
        assert!(
            (l_ep / l_req - 1.0).abs() < 0.06,
            "u {u}: {l_req} vs {l_ep}"
        );
    }
    let (u, _, l_req, _, l_ep) = compare_trace(2, 3, 32);
    assert!(u > 0.9, "{u}");
    assert!(
        l_ep < 0.5 * l_req,
        "near saturation the trace queues: {l_req} vs {l_ep}"
    );
}
