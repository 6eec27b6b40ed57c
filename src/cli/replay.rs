//! `dcsim replay`: an LLM request trace replayed request by request on
//! serving replicas, its latency statistics printed.

use std::path::PathBuf;
use std::time::Instant;

use crate::catalog::Catalog;
use crate::workload::serving::prefix_cache::MOONCAKE_BLOCK_TOKENS;
use crate::workload::serving::requests::{
    self as serve_requests, Prefill, PrefixCaching, Routing, ServeConfig, ServeSummary, Slo,
};
use crate::workload::serving::roofline::{self, Replica};
use crate::workload::serving::trace::{self as serve_trace, TraceFormat};

use super::Failure;

/// The text after `dcsim replay --help`'s options.
pub const AFTER_HELP: &str = "With --requests-csv, writes <out>/replay-<trace file stem>/requests.csv.\n\
    Models: llama-2-7b, mistral-7b, llama-3.1-8b, llama-2-70b, llama-3.1-70b, llama-3.1-405b.\n\
    Durations: 2s, 150ms, 0.5 (seconds).";

/// The arguments of `dcsim replay`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Trace file: Azure LLM inference CSV or Mooncake JSON Lines.
    pub trace: PathBuf,
    /// Trace format (default: from the extension, .csv Azure, .jsonl Mooncake).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Model preset served.
    #[arg(long, default_value = "llama-2-7b")]
    pub model: String,
    /// Catalog chip of the replicas.
    #[arg(long, default_value = "h100")]
    pub chip: String,
    /// Chips per replica (tensor parallel).
    #[arg(long, default_value_t = 1)]
    pub chips_per_replica: u32,
    /// Replicas.
    #[arg(long, default_value_t = 2)]
    pub replicas: u32,
    /// Most requests running at once on a replica.
    #[arg(long, default_value_t = 256)]
    pub max_batch: u32,
    /// How arrivals are assigned to replicas.
    #[arg(long, value_enum, default_value = "least-loaded")]
    pub routing: RoutingArg,
    /// Tokens an iteration processes with chunked prefill (vLLM's
    /// max_num_batched_tokens; at least --max-batch).
    #[arg(long, default_value_t = serve_requests::DEFAULT_TOKEN_BUDGET)]
    pub token_budget: u32,
    /// Run each prompt's prefill whole in the iteration that admits it
    /// (no chunked prefill; --token-budget ignored).
    #[arg(long)]
    pub whole_prefill: bool,
    /// Folder that receives `replay-<trace stem>/` (with --requests-csv).
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Write one row per request to requests.csv.
    #[arg(long)]
    pub requests_csv: bool,
    /// Time-to-first-token target (with --tpot-slo).
    #[arg(long, value_parser = parse_seconds, requires = "tpot_slo")]
    pub ttft_slo: Option<f64>,
    /// Time-per-output-token target (with --ttft-slo).
    #[arg(long, value_parser = parse_seconds, requires = "ttft_slo")]
    pub tpot_slo: Option<f64>,
    /// Percentile the targets apply at (0-100).
    #[arg(long, default_value_t = 99.0, value_parser = parse_percentile)]
    pub percentile: f64,
    /// Divide every arrival time by X: 2 makes arrivals twice as dense
    /// (the same requests in half the span), 0.5 half as dense
    /// (0.001 to 1000).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub rate_scale: f64,
    /// Turn prefix caching off (on by default for a trace with block
    /// hashes: Mooncake's hash_ids, 512-token blocks).
    #[arg(long)]
    pub no_prefix_cache: bool,
}

/// The format of a trace file (the library's [`TraceFormat`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Azure LLM inference trace 2023 (CSV).
    Azure,
    /// Mooncake FAST'25 trace (JSON Lines).
    Mooncake,
}

/// How arrivals are assigned to replicas (the library's [`Routing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RoutingArg {
    /// Join the shortest queue: the replica with the fewest requests waiting
    /// or running at the arrival (ties to the lowest index); the request
    /// waits in that replica's own queue.
    LeastLoaded,
    /// One FIFO queue for all replicas; each replica admits from its head
    /// at every iteration start, and an arrival wakes the lowest-index idle
    /// replica.
    SharedQueue,
    /// With prefix caching: the replica whose cache holds the longest
    /// prefix of the request's prompt blocks, ties to the shortest queue.
    CachedPrefix,
}

/// Seconds from `2s`, `150ms`, `0.5` (seconds), `1m`.
fn parse_seconds(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    match number.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x * scale),
        _ => Err(format!(
            "{s:?} is not a positive duration; write e.g. 2s, 150ms or 0.5 (seconds)"
        )),
    }
}

/// A percentile between 0 and 100.
fn parse_percentile(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a percentile between 0 and 100")),
    }
}

/// What `dcsim replay` replays and on what: the arguments, checked and
/// combined.
struct Setup {
    trace: PathBuf,
    format: Option<TraceFormat>,
    model: String,
    chip: String,
    chips_per_replica: u32,
    replicas: u32,
    max_batch: u32,
    routing: Routing,
    prefill: Prefill,
    out: PathBuf,
    requests_csv: bool,
    slo: Option<Slo>,
    /// Factor the arrival rate is multiplied by (arrival times divided).
    rate_scale: f64,
    /// Whether replicas cache prompt blocks (when the trace names them).
    prefix_cache: bool,
}

/// Checks and combines the arguments, then replays the trace.
pub fn execute(a: Args) -> Result<(), Failure> {
    replay(&Setup {
        trace: a.trace,
        format: a.format.map(|f| match f {
            Format::Azure => TraceFormat::Azure,
            Format::Mooncake => TraceFormat::Mooncake,
        }),
        model: a.model,
        chip: a.chip,
        chips_per_replica: a.chips_per_replica,
        replicas: a.replicas,
        max_batch: a.max_batch,
        routing: match a.routing {
            RoutingArg::LeastLoaded => Routing::LeastLoaded,
            RoutingArg::SharedQueue => Routing::SharedQueue,
            RoutingArg::CachedPrefix => Routing::CachedPrefix,
        },
        prefill: if a.whole_prefill {
            Prefill::Whole
        } else {
            Prefill::Chunked {
                budget: a.token_budget,
            }
        },
        out: a.out,
        requests_csv: a.requests_csv,
        slo: a.ttft_slo.zip(a.tpot_slo).map(|(ttft_s, tpot_s)| Slo {
            ttft_s,
            tpot_s,
            percentile: a.percentile,
        }),
        rate_scale: a.rate_scale,
        prefix_cache: !a.no_prefix_cache,
    })
}

/// Most replicas of `dcsim replay` (each about 100 bytes of state plus
/// what it runs).
const MAX_REPLAY_REPLICAS: u32 = 1_000_000;
/// Largest batch cap of `dcsim replay` [requests].
const MAX_REPLAY_BATCH: u32 = 1_000_000;
/// Most batch slots (replicas × batch cap) of `dcsim replay`.
const MAX_REPLAY_SLOTS: u64 = 1_000_000_000;

/// Seconds as milliseconds with 1 decimal.
fn ms(s: f64) -> String {
    format!("{:.1} ms", s * 1e3)
}

/// Checks the setup, reads the trace, simulates it, prints the statistics
/// and writes the files.
fn replay(a: &Setup) -> Result<(), Failure> {
    let format = match a.format.or_else(|| TraceFormat::guess(&a.trace)) {
        Some(f) => f,
        None => {
            return Err(Failure::BadInput(format!(
                "{}: cannot tell the trace format from the file name; add --format azure or --format mooncake",
                a.trace.display()
            )));
        }
    };
    let Some(model) = roofline::model(&a.model) else {
        let names: Vec<&str> = roofline::MODELS.iter().map(|m| m.name).collect();
        return Err(Failure::BadInput(format!(
            "--model {:?} is not a model preset; choose one of {}",
            a.model,
            names.join(", ")
        )));
    };
    let catalog = Catalog::builtin();
    let Some(chip) = catalog.chip(&a.chip) else {
        let names: Vec<&str> = catalog.chips.iter().map(|c| c.name.as_str()).collect();
        return Err(Failure::BadInput(format!(
            "--chip {:?} is not a catalog chip; choose one of {}",
            a.chip,
            names.join(", ")
        )));
    };
    if a.replicas == 0 || a.replicas > MAX_REPLAY_REPLICAS {
        return Err(Failure::BadInput(format!(
            "--replicas {}: give 1 to {MAX_REPLAY_REPLICAS} replicas (each holds its own queue and batch)",
            a.replicas
        )));
    }
    if a.max_batch == 0 || a.max_batch > MAX_REPLAY_BATCH {
        return Err(Failure::BadInput(format!(
            "--max-batch {}: give a batch cap of 1 to {MAX_REPLAY_BATCH} requests",
            a.max_batch
        )));
    }
    let slots = u64::from(a.replicas) * u64::from(a.max_batch);
    if slots > MAX_REPLAY_SLOTS {
        return Err(Failure::BadInput(format!(
            "--replicas {} x --max-batch {} is {slots} batch slots, more than the {MAX_REPLAY_SLOTS} allowed: fewer replicas or a smaller batch cap",
            a.replicas, a.max_batch
        )));
    }
    if let Some(problem) = serve_trace::rate_scale_problem(a.rate_scale) {
        return Err(Failure::BadInput(format!("--rate-scale {problem}")));
    }
    let replica = Replica::new(model.spec, chip, a.chips_per_replica)
        .map_err(|e| Failure::BadInput(format!("--model {}: {e}", model.name)))?;
    if let Prefill::Chunked { budget } = a.prefill
        && budget < a.max_batch
    {
        return Err(Failure::BadInput(format!(
            "--token-budget {budget}: give at least --max-batch ({}) tokens per iteration (each decoding request takes one), or --whole-prefill",
            a.max_batch
        )));
    }
    let config = ServeConfig {
        replica,
        replicas: a.replicas,
        max_batch: a.max_batch,
        routing: a.routing,
        prefill: a.prefill,
    };
    let started = Instant::now();
    let (mut requests, blocks) = if a.prefix_cache {
        serve_trace::read_with_blocks(&a.trace, format)
    } else {
        serve_trace::read(&a.trace, format).map(|r| (r, None))
    }
    .map_err(|e| Failure::BadInput(e.to_string()))?;
    serve_trace::scale_arrivals(&mut requests, a.rate_scale);
    let read_s = started.elapsed().as_secs_f64();
    let caching = blocks.as_ref().map(|blocks| PrefixCaching {
        blocks,
        block_tokens: MOONCAKE_BLOCK_TOKENS,
    });
    let run = serve_requests::simulate_cached(&config, &requests, caching)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", a.trace.display())))?;
    let s = serve_requests::summarize(&run, &requests, config.replicas, a.slo);
    print_summary(a, &s, &config, (model.name, &chip.name), read_s);
    let stem = a
        .trace
        .file_stem()
        .map_or("trace".into(), |s| s.to_string_lossy().into_owned());
    let dir = a.out.join(format!("replay-{stem}"));
    let mut rows = run.rows(&requests);
    let written = crate::output::csv::write_replay(
        &dir,
        &s,
        if a.requests_csv {
            Some(&mut rows as &mut dyn Iterator<Item = _>)
        } else {
            None
        },
    )
    .map_err(Failure::Output)?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}

/// The replay's statistics on the terminal: the setup, what was served, the
/// latencies, the batches, the SLO if one was given, and the speed.
fn print_summary(
    a: &Setup,
    s: &ServeSummary,
    config: &ServeConfig,
    (model, chip): (&str, &str),
    read_s: f64,
) {
    println!(
        "replay {} ({} requests, read in {:.3} s): {} x {} on {} x {} each, batch cap {}, {:?} routing, {}",
        a.trace.display(),
        s.requests,
        read_s,
        config.replicas,
        model,
        config.replica.chips,
        chip,
        config.max_batch,
        config.routing,
        match config.prefill {
            Prefill::Whole => "whole prefills".to_string(),
            Prefill::Chunked { budget } =>
                format!("chunked prefill, {budget} tokens per iteration"),
        }
    );
    if a.rate_scale != 1.0 {
        println!(
            "  --rate-scale {}: arrival times divided by {0}, the arrival rate multiplied by it",
            a.rate_scale
        );
    }
    if let Some(p) = &s.prefix {
        println!(
            "  prefix cache: blocks of {MOONCAKE_BLOCK_TOKENS} tokens ({:.1} MiB of KV each) in each replica's free KV cache, LRU; found {} of {} blocks ({:.1}%), {} of {} prompt tokens ({:.1}%)",
            f64::from(MOONCAKE_BLOCK_TOKENS) * config.replica.model.kv_bytes_per_token
                / (1024.0 * 1024.0),
            p.blocks_hit,
            p.blocks,
            p.block_hit_rate() * 100.0,
            p.tokens_hit,
            p.tokens,
            p.token_hit_rate() * 100.0
        );
    }
    println!(
        "  served {} (rejected {}: context beyond the KV cache); tokens in {} / out {}; {:.0} s simulated",
        s.finished, s.rejected, s.input_tokens, s.output_tokens, s.simulated_s
    );
    for (name, l) in [("TTFT", &s.ttft), ("TPOT", &s.tpot), ("e2e ", &s.e2e)] {
        println!(
            "  {name} mean {}  p50 {}  p90 {}  p99 {}",
            ms(l.mean),
            ms(l.p50),
            ms(l.p90),
            ms(l.p99)
        );
    }
    println!(
        "  {} batch steps, mean decode batch {:.1}, replica utilization {:.1}%",
        s.iterations,
        s.mean_decode_batch,
        s.utilization * 100.0
    );
    if let Some(r) = &s.slo {
        println!(
            "  SLO p{}: TTFT {} (target {}), TPOT {} (target {}): {}; {:.2}% of requests within both",
            r.slo.percentile,
            ms(r.ttft_at_percentile),
            ms(r.slo.ttft_s),
            ms(r.tpot_at_percentile),
            ms(r.slo.tpot_s),
            if r.met { "met" } else { "missed" },
            r.attainment * 100.0
        );
    }
    println!(
        "  simulated in {:.3} s: {:.0} requests/s, {:.2} M batch steps/s",
        s.wall_s,
        s.requests_per_wall_s(),
        s.steps_per_wall_s() / 1e6
    );
}
