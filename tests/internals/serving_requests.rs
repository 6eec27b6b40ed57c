//! The request-level serving mode: trace replays keep every request and
//! token, the roofline by hand, the queueing layer against M/M/1 and M/M/c
//! closed forms, located trace errors, determinism.

use std::path::{Path, PathBuf};

use dcsim::catalog::Catalog;
use dcsim::engine::RngStreams;
use dcsim::workload::serving::requests::{
    self, Prefill, Routing, ServeConfig, Synthetic, Tokens, simulate, summarize,
};
use dcsim::workload::serving::roofline::{self, Efficiency, Replica, RooflineError};
use dcsim::workload::serving::trace::{self, TraceError, TraceFormat, TraceRequest};

use crate::internals::common::{assert_rel, temp_dir};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(rel)
}

fn replica(model: &str, chips: u32) -> Replica {
    let c = Catalog::builtin();
    Replica::new(
        roofline::model(model).unwrap().spec,
        c.chip("h100").unwrap(),
        chips,
    )
    .unwrap()
}

fn config(model: &str, replicas: u32, max_batch: u32, routing: Routing) -> ServeConfig {
    ServeConfig {
        replica: replica(model, 1),
        replicas,
        max_batch,
        routing,
        prefill: Prefill::default(),
    }
}

/// (rows, Σ input, Σ output) of an Azure CSV, counted naively from the text.
fn recount_azure(path: &Path) -> (u64, u64, u64) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut n = 0;
    let (mut i, mut o) = (0u64, 0u64);
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        n += 1;
        i += f[1].parse::<u64>().unwrap();
        o += f[2].parse::<u64>().unwrap();
    }
    (n, i, o)
}

/// The number after `"key": ` in a JSON line.
fn json_number(line: &str, key: &str) -> u64 {
    let at = line.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
    let digits: String = line[at..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().unwrap()
}

/// (rows, Σ input, Σ output) of a Mooncake JSON Lines file, counted naively.
fn recount_mooncake(path: &Path) -> (u64, u64, u64) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut n = 0;
    let (mut i, mut o) = (0u64, 0u64);
    for line in text.lines().filter(|l| !l.is_empty()) {
        n += 1;
        i += json_number(line, "input_length");
        o += json_number(line, "output_length");
    }
    (n, i, o)
}

fn replay_keeps_everything(path: &Path, format: TraceFormat, model: &str, rows: u64) {
    let (n, input, output) = match format {
        TraceFormat::Azure => recount_azure(path),
        TraceFormat::Mooncake => recount_mooncake(path),
    };
    // Row counts published in data/README.md.
    assert_eq!(n, rows, "{}", path.display());
    let reqs = trace::read(path, format).unwrap();
    let cfg = config(model, 2, 256, Routing::LeastLoaded);
    let run = simulate(&cfg, &reqs).unwrap();
    let s = summarize(&run, &reqs, 2, None);
    assert_eq!(
        (s.requests, s.finished, s.rejected),
        (n, n, 0),
        "{}",
        path.display()
    );
    assert_eq!((s.input_tokens, s.output_tokens), (input, output));
    // Every request ends after it starts, and its first token comes no
    // later than its last.
    for row in run.rows(&reqs) {
        let (t, e) = (row.ttft_s.unwrap(), row.e2e_s.unwrap());
        assert!(t > 0.0 && t <= e, "{row:?}");
    }
}

#[test]
fn azure_replays_keep_every_request_and_token() {
    let dir = "azure-llm-inference-2023/";
    replay_keeps_everything(
        &data(&format!("{dir}AzureLLMInferenceTrace_conv.csv")),
        TraceFormat::Azure,
        "llama-2-7b",
        19_366,
    );
    replay_keeps_everything(
        &data(&format!("{dir}AzureLLMInferenceTrace_code.csv")),
        TraceFormat::Azure,
        "llama-2-7b",
        8_819,
    );
}

#[test]
fn mooncake_replays_keep_every_request_and_token() {
    // Prompts of up to 191,378 tokens: Llama-3.1-8B's 131,072 B/token KV
    // cache on one H100 holds (80e9 − 16.06e9) / 131,072 = 487,823 tokens
    // (Llama-2-7B's only 126,876), so none is rejected.
    replay_keeps_everything(
        &data("mooncake-fast25/conversation_trace.jsonl"),
        TraceFormat::Mooncake,
        "llama-3.1-8b",
        12_031,
    );
    replay_keeps_everything(
        &data("mooncake-fast25/synthetic_trace.jsonl"),
        TraceFormat::Mooncake,
        "llama-3.1-8b",
        3_993,
    );
}

#[test]
fn azure_arrivals_span_the_published_time() {
    // data/README.md: conv spans 18:15:47 – 19:14:08, 3,502 s.
    let reqs = trace::read(
        &data("azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv"),
        TraceFormat::Azure,
    )
    .unwrap();
    assert_eq!(reqs[0].arrival, 0.0);
    let span = reqs.last().unwrap().arrival;
    assert!((3_501.0..3_503.0).contains(&span), "{span}");
    // Second row: 18:15:50.9951690 − 18:15:46.6805900 = 4.314579 s.
    assert_rel(reqs[1].arrival, 4.314_579, 1e-12, "second arrival");
}

#[test]
fn roofline_by_hand() {
    // Llama-3.1-8B (8.03e9 parameters, BF16, 131,072 B/token of KV) on one
    // H100 (989 TFLOP/s BF16, 80 GB, 3.35 TB/s), efficiencies 0.5 / 0.8.
    let c = Catalog::builtin();
    let h100 = c.chip("h100").unwrap();
    let eff = Efficiency {
        prefill: 0.5,
        decode: 0.8,
        source: "test",
    };
    let spec = roofline::model("llama-3.1-8b").unwrap().spec;
    let r = Replica::with_efficiency(spec, h100, 1, eff).unwrap();
    // Prefill of 1,000 tokens: 2 × 8.03e9 × 1000 / (989e12 × 0.5) s.
    assert_rel(
        r.prefill_time(1000.0),
        1.606e13 / 4.945e14,
        1e-12,
        "prefill",
    );
    // Decode step over contexts of 10,000 tokens in all:
    // (8.03e9 × 2 + 131,072 × 10,000) / (3.35e12 × 0.8) = 17.37072e9 / 2.68e12 s.
    assert_rel(
        r.decode_step(1.0, 10_000.0),
        17.370_72e9 / 2.68e12,
        1e-12,
        "decode step",
    );
    // Max batch at 2,000 tokens of context per request:
    // ⌊(80e9 − 16.06e9) / (131,072 × 2,000)⌋ = ⌊63.94e9 / 262.144e6⌋ = ⌊243.9⌋.
    assert_eq!(r.max_batch(2000.0), 243);
    assert_eq!(r.kv_capacity_tokens(), 487_823); // ⌊63.94e9 / 131,072⌋
    // Service rate at batch 4, 1,000 in / 101 out: μ = 4 / (4·p + 100·τ),
    // p = prefill(1000), τ = decode_step(4 × (1000 + 50.5)).
    let p = 1.606e13 / 4.945e14;
    let tau = (16.06e9 + 131_072.0 * 4.0 * 1050.5) / 2.68e12;
    assert_rel(
        r.service_rate(4.0, 1000.0, 101.0),
        4.0 / (4.0 * p + 100.0 * tau),
        1e-12,
        "service rate",
    );
    // And the batch that serves that rate is 4 again.
    let mu = r.service_rate(4.0, 1000.0, 101.0);
    assert_rel(
        r.batch_for_rate(mu, 1000.0, 101.0, 256).unwrap(),
        4.0,
        1e-9,
        "batch for rate",
    );
    assert_eq!(r.batch_for_rate(mu * 100.0, 1000.0, 101.0, 256), None);
}

/// Mean wait in queue and its standard error from batch means: the first
/// `warmup` requests are dropped, the rest cut into `batches` batches.
fn wait_batch_means(
    cfg: &ServeConfig,
    reqs: &[TraceRequest],
    warmup: usize,
    batches: usize,
) -> (f64, f64, f64) {
    let run = simulate(cfg, reqs).unwrap();
    let mut waits = Vec::with_capacity(reqs.len());
    let mut waited = 0usize;
    for (j, r) in reqs.iter().enumerate().skip(warmup) {
        // Batch 1 and one output token: the request's only iteration is its
        // prefill, so its wait is its latency less its prefill time.
        let service = cfg.replica.prefill_time(f64::from(r.input_tokens));
        let wait = (run.finish[j] - r.arrival - service).max(0.0);
        if wait > 1e-9 {
            waited += 1;
        }
        waits.push(wait);
    }
    let per = waits.len() / batches;
    let means: Vec<f64> = waits
        .chunks_exact(per)
        .map(|c| c.iter().sum::<f64>() / per as f64)
        .collect();
    let k = means.len() as f64;
    let mean = means.iter().sum::<f64>() / k;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (k - 1.0);
    (mean, (var / k).sqrt(), waited as f64 / waits.len() as f64)
}

/// Erlang C: the probability an arrival waits in an M/M/c queue with
/// offered load `a = λ/μ` (a < c).
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^k / k!
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let top = term * a / f64::from(c) * (f64::from(c) / (f64::from(c) - a));
    top / (sum + top)
}

/// A Poisson stream with exponential service: batch 1, one output token,
/// prompts of ⌈Exp(2000)⌉ tokens, so service = prefill ∝ prompt tokens.
fn mm_stream(lambda: f64, count: usize, seed: u64) -> Vec<TraceRequest> {
    Synthetic {
        rate: lambda,
        count,
        input: Tokens::Exponential { mean: 2000.0 },
        output: Tokens::Fixed(1),
    }
    .generate(&RngStreams::new(seed))
}

// Tolerance of the queueing checks: 4 standard errors of the batch means
// (50 batches of 20,000 requests after 20,000 of warm-up), plus the bias of
// serving ⌈Exp⌉ tokens instead of exponential time — the service's second
// moment is (1 + q)/2 = 0.99975 of an exponential's (q = e^(−1/2000)),
// a 0.025% bias — and the standard error itself must be under 2.5% of the
// target, so the check has teeth.
const REQUESTS: usize = 1_020_000;

#[test]
fn mm1_mean_wait_matches_the_closed_form() {
    let cfg = config("llama-3.1-8b", 1, 1, Routing::LeastLoaded);
    // Mean service = c × E[tokens], E[tokens] = 1 / (1 − e^(−1/2000)).
    let es = cfg
        .replica
        .prefill_time(Tokens::Exponential { mean: 2000.0 }.mean());
    let mu = 1.0 / es;
    let rho = 0.7;
    let lambda = rho * mu;
    let reqs = mm_stream(lambda, REQUESTS, 11);
    let (w, se, p_wait) = wait_batch_means(&cfg, &reqs, 20_000, 50);
    // M/M/1: W_q = ρ / (μ − λ); P(wait) = ρ.
    let target = rho / (mu - lambda);
    assert!(se < 0.025 * target, "standard error {se} of {target}");
    assert!(
        (w - target).abs() <= 4.0 * se + 0.00025 * target,
        "M/M/1 mean wait {w} vs ρ/(μ−λ) = {target} (4σ = {})",
        4.0 * se
    );
    assert!((p_wait - rho).abs() < 0.01, "P(wait) {p_wait} vs ρ = {rho}");
}

#[test]
fn mmc_mean_wait_matches_erlang_c() {
    let es = replica("llama-3.1-8b", 1).prefill_time(Tokens::Exponential { mean: 2000.0 }.mean());
    let mu = 1.0 / es;
    for (c, rho, seed) in [(2u32, 0.7, 21u64), (4, 0.8, 22)] {
        let cfg = config("llama-3.1-8b", c, 1, Routing::SharedQueue);
        let lambda = rho * f64::from(c) * mu;
        let reqs = mm_stream(lambda, REQUESTS, seed);
        let (w, se, p_wait) = wait_batch_means(&cfg, &reqs, 20_000, 50);
        let pw = erlang_c(c, lambda / mu);
        if c == 2 {
            // Closed form for c = 2: P_wait = 2ρ² / (1 + ρ) = 0.98 / 1.7.
            assert_rel(pw, 2.0 * rho * rho / (1.0 + rho), 1e-12, "Erlang C, c = 2");
        }
        // M/M/c: W_q = P_wait / (cμ − λ).
        let target = pw / (f64::from(c) * mu - lambda);
        assert!(
            se < 0.025 * target,
            "c = {c}: standard error {se} of {target}"
        );
        assert!(
            (w - target).abs() <= 4.0 * se + 0.00025 * target,
            "M/M/{c} mean wait {w} vs Erlang C {target} (4σ = {})",
            4.0 * se
        );
        assert!(
            (p_wait - pw).abs() < 0.01,
            "c = {c}: P(wait) {p_wait} vs Erlang C {pw}"
        );
    }
}

#[test]
fn slo_attainment_counts_requests_within_both_targets() {
    // Two requests alone on one replica: the first with 1 output token
    // (TTFT only), the second far later with 3 tokens.
    let cfg = config("llama-2-7b", 1, 8, Routing::LeastLoaded);
    let r = &cfg.replica;
    let reqs = [
        TraceRequest {
            arrival: 0.0,
            input_tokens: 1000,
            output_tokens: 1,
        },
        TraceRequest {
            arrival: 100.0,
            input_tokens: 10,
            output_tokens: 3,
        },
    ];
    let run = simulate(&cfg, &reqs).unwrap();
    // TTFTs: prefill(1000) and prefill(10); TPOT of the second:
    // (decode(11) + decode(12)) / 2.
    let tpot = (r.decode_step(1.0, 11.0) + r.decode_step(1.0, 12.0)) / 2.0;
    let slo = requests::Slo {
        ttft_s: r.prefill_time(500.0), // only the second meets it
        tpot_s: tpot * 1.001,
        percentile: 50.0,
    };
    let s = summarize(&run, &reqs, 1, Some(slo));
    let result = s.slo.unwrap();
    assert_eq!(result.attainment, 0.5);
    assert_rel(s.tpot.mean, tpot, 1e-12, "TPOT");
    // Median TTFT of the two: (prefill(1000) + prefill(10)) / 2 > target.
    assert_rel(
        result.ttft_at_percentile,
        (r.prefill_time(1000.0) + r.prefill_time(10.0)) / 2.0,
        1e-12,
        "median TTFT",
    );
    assert!(!result.met);
}

#[test]
fn a_model_that_does_not_fit_is_a_typed_error() {
    let c = Catalog::builtin();
    let h100 = c.chip("h100").unwrap();
    // 405.9e9 × 2 B = 811.8 GB > 8 × 80 GB = 640 GB; ⌈811.8 / 80⌉ = 11 chips.
    let e = Replica::new(roofline::model("llama-3.1-405b").unwrap().spec, h100, 8).unwrap_err();
    match &e {
        RooflineError::DoesNotFit {
            weights_gb,
            hbm_gb,
            needed,
            ..
        } => {
            assert_rel(*weights_gb, 811.8, 1e-12, "weights");
            assert_rel(*hbm_gb, 640.0, 1e-12, "HBM");
            assert_eq!(*needed, 11);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("at least 11"), "{e}");
    // 70.6e9 × 2 = 141.2 GB on one H100 does not fit; on two it does.
    assert!(Replica::new(roofline::model("llama-3.1-70b").unwrap().spec, h100, 1).is_err());
    assert!(Replica::new(roofline::model("llama-3.1-70b").unwrap().spec, h100, 2).is_ok());
}

#[test]
fn a_malformed_trace_row_is_located() {
    let dir = temp_dir("serve-bad");
    let csv = dir.join("bad.csv");
    std::fs::write(
        &csv,
        "TIMESTAMP,ContextTokens,GeneratedTokens\n\
         2023-11-16 18:00:00.0000000,10,2\n\
         2023-11-16 18:00:01.0000000,20,3\n\
         2023-11-16 18:00:02.0000000,2x0,3\n",
    )
    .unwrap();
    let e = trace::read(&csv, TraceFormat::Azure).unwrap_err();
    assert!(matches!(e, TraceError::Row { line: 4, .. }), "{e}");
    assert!(
        e.to_string().contains("bad.csv:4: ContextTokens \"2x0\""),
        "{e}"
    );
    // Out of time order.
    std::fs::write(
        &csv,
        "TIMESTAMP,ContextTokens,GeneratedTokens\n\
         2023-11-16 18:00:05.0,10,2\n\
         2023-11-16 18:00:01.0,20,3\n",
    )
    .unwrap();
    let e = trace::read(&csv, TraceFormat::Azure)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("bad.csv:3: TIMESTAMP") && e.contains("time order"),
        "{e}"
    );
    let jsonl = dir.join("bad.jsonl");
    std::fs::write(
        &jsonl,
        "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 7}\n\
         \n\
         {\"timestamp\": 10, \"input_length\": 5, \"output_length\": -1}\n",
    )
    .unwrap();
    let e = trace::read(&jsonl, TraceFormat::Mooncake).unwrap_err();
    assert!(matches!(e, TraceError::Row { line: 3, .. }), "{e}");
}

#[test]
fn same_inputs_same_outputs() {
    let reqs = trace::read(
        &data("azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv"),
        TraceFormat::Azure,
    )
    .unwrap();
    let cfg = config("llama-2-7b", 2, 256, Routing::LeastLoaded);
    let a = simulate(&cfg, &reqs).unwrap();
    let b = simulate(&cfg, &reqs).unwrap();
    assert!(a.same_results(&b));
    // The synthetic generator: same seed, same stream; another seed differs.
    let s = Synthetic {
        rate: 3.0,
        count: 1000,
        input: Tokens::Uniform { lo: 10, hi: 4000 },
        output: Tokens::Exponential { mean: 200.0 },
    };
    assert_eq!(
        s.generate(&RngStreams::new(5)),
        s.generate(&RngStreams::new(5))
    );
    assert_ne!(
        s.generate(&RngStreams::new(5)),
        s.generate(&RngStreams::new(6))
    );
}
