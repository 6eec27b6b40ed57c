//! The request-level mode: every request an event, every replica batching
//! continuously, latency measured rather than modelled.
//!
//! **Replicas.** `replicas` identical [`Replica`]s (the roofline model).
//! Each runs *iterations* back to back while it has work (iteration-level
//! scheduling, as in Orca and vLLM). At the start of an iteration it
//!
//! 1. admits waiting requests in arrival order (FIFO, head of line: a request
//!    that does not fit blocks those behind it) while the batch holds fewer
//!    than `max_batch` requests and the KV cache can *reserve* the request's
//!    whole context, prompt plus output tokens — so no running request is
//!    ever evicted or preempted;
//! 2. runs the admitted requests' prefills whole (not chunked), which yields
//!    each one's first token, and one decode step for every request that
//!    was running before, which yields one token each.
//!
//! The iteration lasts `prefill_time(Σ admitted prompt tokens) +
//! decode_step(requests running before, Σ their contexts)` (either
//! term absent when empty). A request finishes at the end of the iteration
//! that yields its last output token; a request always yields at least one
//! token (the prefill's), so an output of 0 tokens is served as 1.
//!
//! **Routing** ([`Routing`]): by default join-the-shortest-queue — each
//! arrival goes to the replica with the fewest requests waiting or running
//! (ties to the lowest index) and waits in that replica's queue. Or one
//! shared FIFO queue that every replica draws from at each iteration start,
//! an idle replica starting at once — with `max_batch = 1` exactly the FCFS
//! M/M/c (or M/G/c) queue, which the tests check against closed forms.
//!
//! **Measured** per request ([`RequestRow`]): time to first token (arrival →
//! end of its prefill's iteration), time per output token (finish − first
//! token, over the other output tokens) and end-to-end latency. A request
//! whose prompt plus output exceeds the replica's whole KV cache can never
//! be served: it is rejected on arrival (`finished = false`).
//!
//! **Cost.** A tight loop over a binary heap of replica events and the
//! sorted arrivals — not the general [`crate::engine::Engine`]. Under
//! least-loaded routing the replicas meet only at arrivals, so a replica
//! whose batch only decodes (nothing admitted, the same batch) runs its
//! iterations up to its next finish in a loop of its own (a *decode
//! stretch*), and only the stretch's end is an event; an arrival that can
//! join it cuts it at the first iteration ending at or after the arrival.
//! The heap then holds a few events per request rather than one per
//! iteration, and a batch step costs the same with 10 replicas or 1,000.
//! The shortest queue comes from a tournament tree (`O(log replicas)` per
//! arrival and finish). Shared-queue routing steps every iteration through
//! the heap (any replica's iteration start may draw from the one queue).
//! An admission or a finish costs `O(log batch)` (the batch's context total
//! is one sum; finishing requests come off a heap keyed by the iteration of
//! their last token). Per-request state lives in arrays allocated once.
//! Everything is deterministic: the same requests give the same results.

use super::prefix_cache::BlockHashes;
use super::roofline::Replica;
use super::trace::TraceRequest;

mod engine;
mod summary;
mod synthetic;

use engine::{run_least_loaded, run_stepwise};

pub use summary::{Latency, RequestRow, ServeSummary, Slo, SloResult, percentile, summarize};
pub use synthetic::{Synthetic, Tokens};

/// How arrivals are assigned to replicas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Routing {
    /// Join the shortest queue: the replica with the fewest requests waiting
    /// or running at the arrival (ties to the lowest index); the request
    /// waits in that replica's own queue.
    #[default]
    LeastLoaded,
    /// One FIFO queue for all replicas; each replica admits from its head
    /// at every iteration start, and an arrival wakes the lowest-index idle
    /// replica.
    SharedQueue,
    /// With prefix caching: the replica whose cache holds the longest
    /// prefix of the request's prompt blocks, ties (no hit anywhere
    /// included) to the fewest requests waiting or running, then the
    /// lowest index; the request waits in that replica's own queue. Without
    /// a cache, join-the-shortest-queue. Costs a lookup per replica and
    /// block matched at each arrival.
    CachedPrefix,
}

/// Prefix caching in a request-level run ([`super::prefix_cache`]): each
/// replica keeps the prompt blocks it has prefilled in the HBM its running
/// requests do not reserve, and a request admitted to it skips the prefill
/// of the longest prefix of its blocks found there.
#[derive(Clone, Copy, Debug)]
pub struct PrefixCaching<'a> {
    /// Each request's prompt block hashes, in the requests' order.
    pub blocks: &'a BlockHashes,
    /// Prompt tokens per block (Mooncake:
    /// [`super::prefix_cache::MOONCAKE_BLOCK_TOKENS`]); a block's KV cache
    /// is this many tokens' KV bytes.
    pub block_tokens: u32,
}

/// A request-level serving setup.
#[derive(Clone, Debug, PartialEq)]
pub struct ServeConfig {
    /// One replica's model, chips and speeds.
    pub replica: Replica,
    /// Number of replicas (≥ 1).
    pub replicas: u32,
    /// Most requests running at once on one replica (≥ 1), as serving
    /// stacks cap it (vLLM's `max_num_seqs` defaults to 256); the KV cache
    /// may allow fewer.
    pub max_batch: u32,
    /// How arrivals are assigned to replicas.
    pub routing: Routing,
    /// How a replica runs prefills: chunked within a token budget per
    /// iteration (the default) or whole.
    pub prefill: Prefill,
}

/// The token budget per iteration of chunked prefill by default: vLLM's
/// `max_num_batched_tokens` for its OpenAI-compatible server on GPUs of
/// 70 GiB or more (8,192; 2,048 on smaller ones and A100s), set in
/// `EngineArgs` (`vllm/engine/arg_utils.py`); vLLM V1 always chunks
/// prefills ("Chunked Prefill" in vLLM's optimization guide).
pub const DEFAULT_TOKEN_BUDGET: u32 = 8_192;

/// How a replica runs the prefills of the requests it admits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefill {
    /// Each admitted request's whole prompt in the iteration that admits it
    /// (as vLLM V0 scheduled without chunked prefill).
    Whole,
    /// Chunked prefill, as Sarathi-Serve and vLLM V1 schedule: an iteration
    /// processes at most `budget` tokens — first one for each request
    /// decoding, then chunks of the prompts in progress in admission order,
    /// then new requests from the queue, each chunk as much of its prompt
    /// as the budget has left. A request's first token comes out of the
    /// iteration that processes the last chunk of its prompt.
    Chunked {
        /// Tokens per iteration (vLLM's `max_num_batched_tokens`), at least
        /// the batch cap.
        budget: u32,
    },
}

impl Default for Prefill {
    fn default() -> Prefill {
        Prefill::Chunked {
            budget: DEFAULT_TOKEN_BUDGET,
        }
    }
}

impl Prefill {
    /// Tokens an iteration may process ([`u64::MAX`] for whole prefills).
    pub fn budget(&self) -> u64 {
        match *self {
            Prefill::Whole => u64::MAX,
            Prefill::Chunked { budget } => u64::from(budget),
        }
    }
}

/// Why a request-level run cannot start.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ServeError {
    /// No replica.
    #[error("at least one replica is needed")]
    NoReplicas,
    /// A zero batch cap.
    #[error("the batch cap (max_batch) must be at least 1")]
    ZeroBatch,
    /// A token budget smaller than the batch cap: the decodes alone could
    /// exceed it.
    #[error(
        "the token budget per iteration ({budget}) must be at least the batch cap ({max_batch}), as vLLM requires of max_num_batched_tokens"
    )]
    SmallBudget {
        /// The budget \[tokens\].
        budget: u32,
        /// The batch cap.
        max_batch: u32,
    },
    /// Block hashes for another number of requests than the run's.
    #[error("the prefix cache has block hashes for {blocks} requests, the run has {requests}")]
    BlockCount {
        /// Requests with block hashes.
        blocks: usize,
        /// Requests of the run.
        requests: usize,
    },
    /// A block of no tokens.
    #[error("a prefix-cache block must hold at least 1 token")]
    ZeroBlock,
    /// An arrival time is negative, not a number, or before the previous one.
    #[error(
        "request {index}: arrival {arrival} s is not a non-negative time at or after the previous request's"
    )]
    BadArrival {
        /// Index of the request (0-based).
        index: usize,
        /// Its arrival \[s\].
        arrival: f64,
    },
}

/// Where each request went and when its tokens came out.
#[derive(Clone, Debug, PartialEq)]
pub struct ServeRun {
    /// Replica of each request (`u32::MAX` for a rejected one).
    pub replica: Vec<u32>,
    /// Time of each request's first token \[s\]; NaN if rejected.
    pub first_token: Vec<f64>,
    /// Time of each request's last token \[s\]; NaN if rejected.
    pub finish: Vec<f64>,
    /// Iterations run, all replicas ("batch steps").
    pub iterations: u64,
    /// Iterations that included a decode step.
    pub decode_steps: u64,
    /// Σ over decode steps of the batch decoded: `/ decode_steps` is the mean
    /// decode batch.
    pub decoded_tokens: u64,
    /// Iterations that included prefills.
    pub prefill_iterations: u64,
    /// Prompt tokens of each request found in its replica's prefix cache
    /// at admission (skipped by its prefill); empty without prefix caching.
    pub cached_tokens: Vec<u32>,
    /// Prefix-cache lookups of the admitted requests, `None` without
    /// prefix caching.
    pub prefix: Option<PrefixStats>,
    /// Σ over replicas of the time spent in iterations \[s\].
    pub busy_s: f64,
    /// Time of the last event \[s\].
    pub end_s: f64,
    /// Wall time of the simulation \[s\] (not part of the results' identity:
    /// compare runs with [`ServeRun::same_results`]).
    pub wall_s: f64,
}

impl ServeRun {
    #[cfg(test)]
    /// Whether two runs gave the same results (all but the wall time),
    /// bit for bit.
    pub fn same_results(&self, other: &ServeRun) -> bool {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        self.replica == other.replica
            && bits(&self.first_token) == bits(&other.first_token)
            && bits(&self.finish) == bits(&other.finish)
            && self.iterations == other.iterations
            && self.decode_steps == other.decode_steps
            && self.decoded_tokens == other.decoded_tokens
            && self.cached_tokens == other.cached_tokens
            && self.prefix == other.prefix
            && self.busy_s.to_bits() == other.busy_s.to_bits()
            && self.end_s.to_bits() == other.end_s.to_bits()
    }
}

/// What the prefix caches found, over the requests admitted (each looked
/// up once, in the cache of the replica admitting it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrefixStats {
    /// Prompt blocks looked up.
    pub blocks: u64,
    /// Blocks found: the longest cached prefix of each prompt.
    pub blocks_hit: u64,
    /// Prompt tokens of the requests looked up.
    pub tokens: u64,
    /// Prompt tokens whose prefill was skipped.
    pub tokens_hit: u64,
}

impl PrefixStats {
    /// Blocks found ÷ blocks looked up (0 if none).
    pub fn block_hit_rate(&self) -> f64 {
        if self.blocks == 0 {
            0.0
        } else {
            self.blocks_hit as f64 / self.blocks as f64
        }
    }

    /// Prompt tokens skipped ÷ prompt tokens looked up (0 if none).
    pub fn token_hit_rate(&self) -> f64 {
        if self.tokens == 0 {
            0.0
        } else {
            self.tokens_hit as f64 / self.tokens as f64
        }
    }
}

/// Runs `requests` (in arrival order) through `config`'s replicas until
/// every request is served or rejected.
pub fn simulate(config: &ServeConfig, requests: &[TraceRequest]) -> Result<ServeRun, ServeError> {
    simulate_cached(config, requests, None)
}

/// Runs `requests` (in arrival order) through the decode replicas of a
/// disaggregated service: each arrives with its prompt's KV cache built
/// elsewhere (`input_tokens` is the context it arrives with) and is only
/// decoded. Admission is as in [`simulate`] (FIFO, the batch cap, the
/// whole context reserved; no token budget, no prefix cache); an admitted
/// request joins the decode step of the iteration that admits it, which
/// yields one of its `output_tokens` (its [`ServeRun::first_token`] is that
/// iteration's end), and an iteration lasts `decode_step(its batch, Σ
/// contexts)`.
pub fn simulate_transferred(
    config: &ServeConfig,
    requests: &[TraceRequest],
) -> Result<ServeRun, ServeError> {
    let whole = ServeConfig {
        prefill: Prefill::Whole,
        routing: match config.routing {
            Routing::CachedPrefix => Routing::LeastLoaded,
            other => other,
        },
        ..config.clone()
    };
    check(&whole, requests)?;
    Ok(match whole.routing {
        Routing::SharedQueue => run_stepwise(&whole, requests, None, true),
        _ => run_least_loaded(&whole, requests, None, true),
    })
}

/// As [`simulate`], with prefix caching if `caching` is given.
pub fn simulate_cached(
    config: &ServeConfig,
    requests: &[TraceRequest],
    caching: Option<PrefixCaching>,
) -> Result<ServeRun, ServeError> {
    if let Some(c) = caching {
        if c.blocks.len() != requests.len() {
            return Err(ServeError::BlockCount {
                blocks: c.blocks.len(),
                requests: requests.len(),
            });
        }
        if c.block_tokens == 0 {
            return Err(ServeError::ZeroBlock);
        }
    }
    check(config, requests)?;
    Ok(match config.routing {
        Routing::LeastLoaded | Routing::CachedPrefix => {
            run_least_loaded(config, requests, caching, false)
        }
        Routing::SharedQueue => run_stepwise(config, requests, caching, false),
    })
}

/// The checks of [`simulate`]'s setup and arrivals.
fn check(config: &ServeConfig, requests: &[TraceRequest]) -> Result<(), ServeError> {
    if config.replicas == 0 {
        return Err(ServeError::NoReplicas);
    }
    if config.max_batch == 0 {
        return Err(ServeError::ZeroBatch);
    }
    if let Prefill::Chunked { budget } = config.prefill
        && budget < config.max_batch
    {
        return Err(ServeError::SmallBudget {
            budget,
            max_batch: config.max_batch,
        });
    }
    let mut previous = 0.0;
    for (index, r) in requests.iter().enumerate() {
        if !(r.arrival.is_finite() && r.arrival >= previous) {
            return Err(ServeError::BadArrival {
                index,
                arrival: r.arrival,
            });
        }
        previous = r.arrival;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
