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

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

use rand::RngExt;

use super::prefix_cache::{BlockHashes, PrefixCache};
use super::roofline::Replica;
use super::trace::TraceRequest;
use crate::engine::RngStreams;

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

/// The bits of "no pending event" (a replica idle): a NaN pattern, never
/// the bits of a time.
const NO_EVENT: u64 = u64::MAX;

/// One replica's state.
struct ReplicaState {
    /// Requests finishing, keyed by the iteration yielding their last token.
    finishing: BinaryHeap<Reverse<(u64, u32)>>,
    /// Own waiting queue (join-the-shortest-queue routing).
    queue: VecDeque<u32>,
    /// Requests admitted whose prompt is not yet wholly prefilled, in
    /// admission order, with the prompt tokens each has left (chunked
    /// prefill).
    prefilling: VecDeque<(u32, u32)>,
    /// Requests running (admitted and not finished, prefilling included).
    running: u32,
    /// Σ context tokens (prompt + tokens yielded) of the running requests
    /// past their first token.
    context: u64,
    /// Σ reserved KV tokens (prompt + output) of the running requests.
    reserved: u64,
    /// Index of the current (or last) iteration.
    iteration: u64,
    /// Bits of the time of the pending event (an iteration's or a
    /// stretch's end, or a start), [`NO_EVENT`] while idle.
    pending: u64,
    /// The decode-only stretch in progress (least-loaded routing), whose
    /// end is the pending event.
    stretch: Option<Stretch>,
    /// Start of the current busy period [s].
    busy_since: f64,
    /// Σ of the ended busy periods [s].
    busy_s: f64,
    /// Requests waiting or running here (join-the-shortest-queue).
    outstanding: u32,
    /// Prompt blocks prefilled here, kept in the KV cache's free part.
    cache: PrefixCache,
    /// Blocks the cache may hold: `⌊(KV cache − reserved) ÷ block tokens⌋`
    /// as of the current iteration's start.
    cache_cap: usize,
}

/// Iterations of one replica that only decode, with the same batch, from a
/// boundary to the next finish (or to an arrival that can join): each one's
/// time a function of the context alone, so they run in a tight loop
/// without the event heap.
#[derive(Clone, Copy, Debug)]
struct Stretch {
    /// Time the first iteration starts [s].
    start: f64,
    /// Iterations up to the stretch's end (the pending event).
    steps: u64,
}

/// What every replica shares: the requests, the replica's model, its caps.
struct Setup<'a> {
    requests: &'a [TraceRequest],
    replica: &'a Replica,
    /// KV cache [tokens].
    kv_cap: u64,
    max_batch: u32,
    /// Tokens an iteration may process ([`Prefill::budget`]).
    budget: u64,
    /// Each request's prompt block hashes, with prefix caching.
    blocks: Option<&'a BlockHashes>,
    /// Prompt tokens per block (with prefix caching).
    block_tokens: u64,
    /// Whether requests arrive with their prompt's KV cache already built
    /// (the decode pool of a disaggregated service, [`simulate_transferred`]):
    /// admitting one costs no prefill, and it joins the decode step of the
    /// iteration that admits it.
    transferred: bool,
}

impl Setup<'_> {
    /// Request `j`'s prompt block hashes (none without prefix caching).
    #[inline]
    fn blocks_of(&self, j: usize) -> &[u64] {
        self.blocks.map_or(&[], |b| b.of(j))
    }

    /// Blocks the prefix cache may hold beside `reserved` tokens of
    /// running requests.
    #[inline]
    fn cache_cap(&self, reserved: u64) -> usize {
        if self.blocks.is_none() {
            return 0;
        }
        ((self.kv_cap - reserved.min(self.kv_cap)) / self.block_tokens) as usize
    }
}

/// Output tokens a request yields: at least the prefill's one.
#[inline]
fn yielded(r: &TraceRequest) -> u64 {
    u64::from(r.output_tokens.max(1))
}

/// Context a request reserves in the KV cache: prompt plus output [tokens].
#[inline]
fn held(r: &TraceRequest) -> u64 {
    u64::from(r.input_tokens) + yielded(r)
}

/// What the next iteration of a replica runs besides its decodes.
struct Admission {
    /// Requests it admits from the head of the queue.
    count: usize,
    /// Σ prompt tokens it prefills: chunks of the prompts in progress and
    /// of the requests admitted.
    prefill_tokens: u64,
    /// The replica's reservation once they are in [tokens].
    reserved: u64,
}

impl Admission {
    /// Whether the iteration runs any prefill (a chunk, or a request
    /// admitted, even of an empty prompt).
    fn prefills(&self, s: &ReplicaState) -> bool {
        self.count > 0 || self.prefill_tokens > 0 || !s.prefilling.is_empty()
    }
}

impl ReplicaState {
    fn new() -> ReplicaState {
        ReplicaState {
            // Grows with the requests it runs: a replica that serves
            // none costs only its own state, whatever the batch cap.
            finishing: BinaryHeap::new(),
            queue: VecDeque::new(),
            prefilling: VecDeque::new(),
            running: 0,
            context: 0,
            reserved: 0,
            iteration: 0,
            pending: NO_EVENT,
            stretch: None,
            busy_since: 0.0,
            busy_s: 0.0,
            outstanding: 0,
            cache: PrefixCache::new(),
            cache_cap: 0,
        }
    }

    /// Request `j`'s prefix in this replica's cache: (blocks, prompt
    /// tokens) — the longest run of its blocks from the start found here,
    /// `blocks × block tokens` tokens but at most all of its prompt but one
    /// (the last prompt token is always computed, for the first output
    /// token's logits, as vLLM does on a full hit).
    fn cached(&self, setup: &Setup, j: usize) -> (u64, u64) {
        let hashes = setup.blocks_of(j);
        if hashes.is_empty() {
            return (0, 0);
        }
        let n = self.cache.prefix_len(hashes) as u64;
        let input = u64::from(setup.requests[j].input_tokens);
        (n, (n * setup.block_tokens).min(input.saturating_sub(1)))
    }

    /// Records the finishes of the requests whose last token came out of
    /// the iteration that ended at `now`; how many.
    fn finish_due(&mut self, now: f64, setup: &Setup, run: &mut ServeRun) -> u32 {
        let mut done = 0;
        while let Some(&Reverse((k, j))) = self.finishing.peek() {
            if k > self.iteration {
                break;
            }
            self.finishing.pop();
            let held = held(&setup.requests[j as usize]);
            run.finish[j as usize] = now;
            self.running -= 1;
            self.context -= held;
            self.reserved -= held;
            self.outstanding -= 1;
            done += 1;
        }
        done
    }

    /// Requests running past their first token: the next decode step's batch.
    #[inline]
    fn decoding(&self) -> u32 {
        self.running - self.prefilling.len() as u32
    }

    /// What the next iteration runs: the budget left after one token per
    /// decoding request goes to the prompts in progress, in admission
    /// order, then to requests at the head of `queue` (FIFO, head of
    /// line) while the batch cap, the KV cache and the budget allow.
    fn admission(&self, setup: &Setup, queue: &VecDeque<u32>) -> Admission {
        let mut left = setup.budget - u64::from(self.decoding());
        let mut a = Admission {
            count: 0,
            prefill_tokens: 0,
            reserved: self.reserved,
        };
        for &(_, rest) in &self.prefilling {
            let chunk = u64::from(rest).min(left);
            left -= chunk;
            a.prefill_tokens += chunk;
        }
        while left > 0 && self.running + (a.count as u32) < setup.max_batch {
            let Some(&j) = queue.get(a.count) else {
                break;
            };
            let r = &setup.requests[j as usize];
            let need = held(r);
            if a.reserved + need > setup.kv_cap {
                break;
            }
            let chunk = if setup.transferred {
                0
            } else {
                (u64::from(r.input_tokens) - self.cached(setup, j as usize).1).min(left)
            };
            left -= chunk;
            a.reserved += need;
            a.prefill_tokens += chunk;
            a.count += 1;
        }
        a
    }

    /// Starts the iteration at `now` on replica `index`: one decode step for
    /// the requests decoding and the prefill chunks of `admit`, its new
    /// requests taken off the head of `queue`; the time it ends. A request
    /// whose last prompt chunk runs yields its first token at the end.
    fn iterate(
        &mut self,
        now: f64,
        index: u32,
        admit: &Admission,
        queue: &mut VecDeque<u32>,
        setup: &Setup,
        run: &mut ServeRun,
    ) -> f64 {
        let decoding = self.decoding();
        let decode_context = self.context;
        if setup.blocks.is_some() {
            self.look_up(admit, queue, setup, run);
        }
        self.iteration += 1;
        self.context += u64::from(decoding);
        let mut duration = 0.0;
        if setup.transferred {
            // The requests admitted join this iteration's decode step with
            // the context they arrived with (their prompt's KV cache).
            let joining: u64 = queue
                .iter()
                .take(admit.count)
                .map(|&j| u64::from(setup.requests[j as usize].input_tokens))
                .sum();
            let batch = decoding + admit.count as u32;
            if batch > 0 {
                duration += setup
                    .replica
                    .decode_step(f64::from(batch), (decode_context + joining) as f64);
                run.decode_steps += 1;
                run.decoded_tokens += u64::from(batch);
            }
        } else if admit.prefills(self) {
            duration += setup.replica.prefill_time(admit.prefill_tokens as f64);
            run.prefill_iterations += 1;
        }
        if decoding > 0 && !setup.transferred {
            duration += setup
                .replica
                .decode_step(f64::from(decoding), decode_context as f64);
            run.decode_steps += 1;
            run.decoded_tokens += u64::from(decoding);
        }
        let end = now + duration;
        let mut left = setup.budget - u64::from(decoding);
        // Prompts in progress, in order: those finished form a prefix.
        let mut done = 0;
        for entry in self.prefilling.iter_mut() {
            let chunk = entry.1.min(left.min(u64::from(u32::MAX)) as u32);
            left -= u64::from(chunk);
            entry.1 -= chunk;
            if entry.1 == 0 {
                done += 1;
            }
        }
        for _ in 0..done {
            let (j, _) = self.prefilling.pop_front().expect("counted above");
            self.first_token(j as usize, end, setup, run);
        }
        for _ in 0..admit.count {
            let j = queue.pop_front().expect("counted above") as usize;
            let cached = run.cached_tokens.get(j).copied().unwrap_or(0);
            let input = setup.requests[j].input_tokens - cached;
            run.replica[j] = index;
            let chunk = u64::from(input).min(left);
            left -= chunk;
            if chunk == u64::from(input) {
                self.first_token(j, end, setup, run);
            } else {
                self.prefilling.push_back((j as u32, input - chunk as u32));
            }
        }
        self.running += admit.count as u32;
        self.reserved = admit.reserved;
        run.iterations += 1;
        end
    }

    /// The prefix-cache lookups of the requests the iteration starting now
    /// admits (the first `admit.count` of `queue`), against the cache as
    /// [`ReplicaState::admission`] saw it: each one's cached tokens and the
    /// run's counts; its blocks found are touched (the prompt's first the
    /// most recent). Then the cache shrinks to what the new reservation
    /// leaves free, least recently used first.
    fn look_up(
        &mut self,
        admit: &Admission,
        queue: &VecDeque<u32>,
        setup: &Setup,
        run: &mut ServeRun,
    ) {
        let stats = run.prefix.get_or_insert_with(PrefixStats::default);
        for &j in queue.iter().take(admit.count) {
            let j = j as usize;
            let (blocks, tokens) = self.cached(setup, j);
            let hashes = setup.blocks_of(j);
            stats.blocks += hashes.len() as u64;
            stats.blocks_hit += blocks;
            stats.tokens += u64::from(setup.requests[j].input_tokens);
            stats.tokens_hit += tokens;
            run.cached_tokens[j] = tokens as u32;
            for &h in hashes[..blocks as usize].iter().rev() {
                self.cache.touch(h);
            }
        }
        self.cache_cap = setup.cache_cap(admit.reserved);
        self.cache.shrink_to(self.cache_cap);
    }

    /// Request `j`'s prompt is wholly prefilled by the iteration (the
    /// current one) ending at `end`: its first token, its context joins the
    /// decodes, it finishes after its other output tokens, and with prefix
    /// caching its blocks enter the cache (last to first, so that the
    /// prompt's first blocks are the most recent and its last the first
    /// evicted), evicting the least recently used beyond the cache's
    /// capacity.
    fn first_token(&mut self, j: usize, end: f64, setup: &Setup, run: &mut ServeRun) {
        for &h in setup.blocks_of(j).iter().rev() {
            self.cache.insert(h, self.cache_cap);
        }
        let r = &setup.requests[j];
        run.first_token[j] = end;
        self.finishing
            .push(Reverse((self.iteration + yielded(r) - 1, j as u32)));
        self.context += u64::from(r.input_tokens) + 1;
    }

    /// Ends the busy period at `now`: the replica is idle.
    fn idle(&mut self, now: f64) {
        self.busy_s += now - self.busy_since;
        self.pending = NO_EVENT;
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

impl<'a> Setup<'a> {
    fn new(
        config: &'a ServeConfig,
        requests: &'a [TraceRequest],
        caching: Option<PrefixCaching<'a>>,
        transferred: bool,
    ) -> Setup<'a> {
        Setup {
            requests,
            replica: &config.replica,
            kv_cap: config.replica.kv_capacity_tokens(),
            max_batch: config.max_batch,
            budget: if transferred {
                u64::MAX
            } else {
                config.prefill.budget()
            },
            blocks: caching.map(|c| c.blocks),
            block_tokens: caching.map_or(1, |c| u64::from(c.block_tokens)),
            transferred,
        }
    }

    /// The replica request `j` joins under `routing` (not the shared
    /// queue): the shortest queue `shortest`, or with
    /// [`Routing::CachedPrefix`] the longest cached prefix of its blocks,
    /// ties to the fewest outstanding, then the lowest index.
    fn route(&self, routing: Routing, states: &[ReplicaState], j: usize, shortest: u32) -> u32 {
        let hashes = self.blocks_of(j);
        if routing != Routing::CachedPrefix || hashes.is_empty() {
            return shortest;
        }
        let mut best = (0usize, states[shortest as usize].outstanding, shortest);
        for (i, s) in states.iter().enumerate() {
            let n = s.cache.prefix_len(hashes);
            if n > best.0 || (n == best.0 && (s.outstanding, i as u32) < (best.1, best.2)) {
                best = (n, s.outstanding, i as u32);
            }
        }
        best.2
    }
}

/// A run with no request served yet (with prefix caching, none looked up).
fn empty_run(n: usize, caching: bool) -> ServeRun {
    ServeRun {
        replica: vec![u32::MAX; n],
        first_token: vec![f64::NAN; n],
        finish: vec![f64::NAN; n],
        iterations: 0,
        decode_steps: 0,
        decoded_tokens: 0,
        prefill_iterations: 0,
        cached_tokens: if caching { vec![0; n] } else { Vec::new() },
        prefix: caching.then(PrefixStats::default),
        busy_s: 0.0,
        end_s: 0.0,
        wall_s: 0.0,
    }
}

/// Join-the-shortest-queue routing over the replicas' outstanding counts:
/// a tournament tree of `(outstanding, index)` packed in a `u64`, so that
/// its root is the replica with the fewest (ties to the lowest index), and
/// a count changes in `O(log replicas)`.
struct ShortestQueue {
    /// Leaves at `[size, 2·size)`, unused ones `u64::MAX`; node `k`'s
    /// children `2k`, `2k + 1`.
    tree: Vec<u64>,
    size: usize,
}

impl ShortestQueue {
    fn new(replicas: usize) -> ShortestQueue {
        let size = replicas.next_power_of_two();
        let mut tree = vec![u64::MAX; 2 * size];
        for i in 0..replicas {
            tree[size + i] = i as u64;
        }
        for k in (1..size).rev() {
            tree[k] = tree[2 * k].min(tree[2 * k + 1]);
        }
        ShortestQueue { tree, size }
    }

    /// The replica with the fewest requests outstanding (ties to the lowest
    /// index).
    #[inline]
    fn shortest(&self) -> u32 {
        self.tree[1] as u32
    }

    /// Sets replica `index`'s outstanding count.
    #[inline]
    fn set(&mut self, index: u32, outstanding: u32) {
        let mut k = self.size + index as usize;
        self.tree[k] = (u64::from(outstanding) << 32) | u64::from(index);
        while k > 1 {
            k /= 2;
            self.tree[k] = self.tree[2 * k].min(self.tree[2 * k + 1]);
        }
    }
}

/// The least-loaded run. Between two arrivals the replicas do not interact,
/// and a replica whose batch only decodes runs iterations whose times depend
/// on its own context alone: such a *stretch* is computed in a tight loop up
/// to its next finish, and only its end goes through the event heap. An
/// arrival routed to a replica in a stretch that could admit it cuts the
/// stretch at the first iteration ending at or after the arrival (the
/// iteration times recomputed from the stretch's start, the same sums in the
/// same order). So the heap holds about three events per request, not one
/// per iteration, and the results are those of the iteration-by-iteration
/// loop bit for bit.
fn run_least_loaded(
    config: &ServeConfig,
    requests: &[TraceRequest],
    caching: Option<PrefixCaching>,
    transferred: bool,
) -> ServeRun {
    let started = Instant::now();
    let setup = Setup::new(config, requests, caching, transferred);
    let replicas = config.replicas as usize;
    let mut run = empty_run(requests.len(), caching.is_some());
    let mut states: Vec<ReplicaState> = (0..replicas).map(|_| ReplicaState::new()).collect();
    let mut shortest = ShortestQueue::new(replicas);
    // Pending events: (time bits, replica); an entry whose time is no
    // longer its replica's pending one (a stretch cut short) is skipped.
    // Times are non-negative finite, whose bit patterns order as the
    // numbers do.
    let mut events: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::with_capacity(replicas);
    let mut next = 0usize;
    let mut now = 0.0f64;
    loop {
        let boundary = events.peek().map(|Reverse((bits, _))| *bits);
        let arrival = requests.get(next).map(|r| r.arrival);
        // Arrivals at the same time as an iteration end come first, so that
        // they can join the iteration starting then.
        let take_arrival = match (arrival, boundary) {
            (Some(a), Some(b)) => a <= f64::from_bits(b),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if take_arrival {
            let j = next;
            next += 1;
            let r = &requests[j];
            now = r.arrival;
            let need = held(r);
            if need > setup.kv_cap {
                continue; // can never fit: rejected
            }
            let best = setup.route(config.routing, &states, j, shortest.shortest());
            let s = &mut states[best as usize];
            let was_empty = s.queue.is_empty();
            s.queue.push_back(j as u32);
            s.outstanding += 1;
            shortest.set(best, s.outstanding);
            if s.pending == NO_EVENT {
                s.busy_since = now;
                s.pending = now.to_bits();
                events.push(Reverse((s.pending, best)));
            } else if let Some(stretch) = s.stretch
                && was_empty
                && s.running < setup.max_batch
                && s.reserved + need <= setup.kv_cap
                && u64::from(s.running) < setup.budget
            {
                // It joins at the first iteration end at or after now.
                let steps = setup.replica.decode_steps(f64::from(s.running));
                let (mut t, mut context) = (stretch.start, s.context);
                let mut n = 0;
                loop {
                    t += steps.time(context as f64);
                    context += u64::from(s.running);
                    n += 1;
                    if t >= now {
                        break;
                    }
                }
                if t.to_bits() != s.pending {
                    s.stretch = Some(Stretch {
                        steps: n,
                        ..stretch
                    });
                    s.pending = t.to_bits();
                    events.push(Reverse((s.pending, best)));
                }
            }
            continue;
        }
        let Some(Reverse((bits, index))) = events.pop() else {
            break;
        };
        let s = &mut states[index as usize];
        if s.pending != bits {
            continue; // a stretch's end before it was cut short
        }
        now = f64::from_bits(bits);
        if let Some(stretch) = s.stretch.take() {
            s.iteration += stretch.steps;
            s.context += stretch.steps * u64::from(s.running);
            run.iterations += stretch.steps;
            run.decode_steps += stretch.steps;
            run.decoded_tokens += stretch.steps * u64::from(s.running);
        }
        if s.finish_due(now, &setup, &mut run) > 0 {
            shortest.set(index, s.outstanding);
        }
        let admit = s.admission(&setup, &s.queue);
        if !admit.prefills(s) {
            if s.running == 0 {
                s.idle(now);
                continue;
            }
            // Decode only, the same batch, to the next finish.
            let finish = s.finishing.peek().expect("a running request finishes").0.0;
            let n = finish - s.iteration;
            let steps = setup.replica.decode_steps(f64::from(s.running));
            let (mut t, mut context) = (now, s.context);
            for _ in 0..n {
                t += steps.time(context as f64);
                context += u64::from(s.running);
            }
            s.stretch = Some(Stretch {
                start: now,
                steps: n,
            });
            s.pending = t.to_bits();
        } else {
            let mut queue = std::mem::take(&mut s.queue);
            let end = s.iterate(now, index, &admit, &mut queue, &setup, &mut run);
            s.queue = queue;
            s.pending = end.to_bits();
        }
        events.push(Reverse((s.pending, index)));
    }
    run.busy_s = states.iter().map(|s| s.busy_s).sum();
    run.end_s = now;
    run.wall_s = started.elapsed().as_secs_f64();
    run
}

/// The iteration-by-iteration run: every iteration end an event of a heap
/// of replica iteration ends. Shared-queue routing runs this way (every
/// iteration start of every replica may draw from the one queue); for
/// least-loaded routing it is the reference [`run_least_loaded`] matches.
fn run_stepwise(
    config: &ServeConfig,
    requests: &[TraceRequest],
    caching: Option<PrefixCaching>,
    transferred: bool,
) -> ServeRun {
    let started = Instant::now();
    let setup = Setup::new(config, requests, caching, transferred);
    let shared = config.routing == Routing::SharedQueue;
    let replicas = config.replicas as usize;
    let mut run = empty_run(requests.len(), caching.is_some());
    let mut states: Vec<ReplicaState> = (0..replicas).map(|_| ReplicaState::new()).collect();
    let mut shared_queue: VecDeque<u32> = VecDeque::new();
    // Pending iteration ends: (time bits, replica).
    let mut events: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::with_capacity(replicas);
    let mut next = 0usize;
    let mut now = 0.0f64;
    loop {
        let boundary = events
            .peek()
            .map(|Reverse((bits, _))| f64::from_bits(*bits));
        let arrival = requests.get(next).map(|r| r.arrival);
        let take_arrival = match (arrival, boundary) {
            (Some(a), Some(b)) => a <= b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if take_arrival {
            let j = next;
            next += 1;
            let r = &requests[j];
            now = r.arrival;
            if held(r) > setup.kv_cap {
                continue; // can never fit: rejected
            }
            let target = if shared {
                shared_queue.push_back(j as u32);
                states.iter().position(|s| s.pending == NO_EVENT)
            } else {
                let mut best = 0;
                for (i, s) in states.iter().enumerate().skip(1) {
                    if s.outstanding < states[best].outstanding {
                        best = i;
                    }
                }
                let best = setup.route(config.routing, &states, j, best as u32) as usize;
                let s = &mut states[best];
                s.queue.push_back(j as u32);
                s.outstanding += 1;
                (s.pending == NO_EVENT).then_some(best)
            };
            if let Some(i) = target {
                let s = &mut states[i];
                s.busy_since = now;
                s.pending = now.to_bits();
                events.push(Reverse((s.pending, i as u32)));
            }
            continue;
        }
        let Some(Reverse((bits, index))) = events.pop() else {
            break;
        };
        now = f64::from_bits(bits);
        let s = &mut states[index as usize];
        s.finish_due(now, &setup, &mut run);
        let mut own = std::mem::take(&mut s.queue);
        let queue = if shared { &mut shared_queue } else { &mut own };
        let admit = s.admission(&setup, queue);
        if !admit.prefills(s) && s.running == 0 {
            s.queue = own;
            s.idle(now);
            continue;
        }
        let end = s.iterate(now, index, &admit, queue, &setup, &mut run);
        s.queue = own;
        if shared {
            s.outstanding += admit.count as u32;
        }
        s.pending = end.to_bits();
        events.push(Reverse((s.pending, index)));
    }
    run.busy_s = states.iter().map(|s| s.busy_s).sum();
    run.end_s = now;
    run.wall_s = started.elapsed().as_secs_f64();
    run
}

/// One request's outcome, a row of `requests.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RequestRow {
    /// Index of the request in the trace (0-based).
    pub id: u64,
    /// Arrival [s from the trace start].
    pub arrival_s: f64,
    /// Replica that served it; `None` if rejected.
    pub replica: Option<u32>,
    /// Prompt tokens.
    pub input_tokens: u32,
    /// Output tokens (as in the trace).
    pub output_tokens: u32,
    /// Time to first token \[s\]; `None` if rejected.
    pub ttft_s: Option<f64>,
    /// Mean time per output token after the first \[s\]; `None` if rejected
    /// or with one output token or fewer.
    pub tpot_s: Option<f64>,
    /// End-to-end latency, arrival to last token \[s\]; `None` if rejected.
    pub e2e_s: Option<f64>,
    /// Whether it was served (false: rejected, its context exceeds the KV
    /// cache).
    pub finished: bool,
    /// Prompt tokens found in its replica's prefix cache (their prefill
    /// skipped); `None` without prefix caching or if rejected.
    pub cached_tokens: Option<u32>,
}

impl ServeRun {
    /// The row of request `j` of `requests` (the slice this run simulated).
    pub fn row(&self, requests: &[TraceRequest], j: usize) -> RequestRow {
        let r = &requests[j];
        let finished = self.replica[j] != u32::MAX;
        let (ttft, e2e) = if finished {
            (
                Some(self.first_token[j] - r.arrival),
                Some(self.finish[j] - r.arrival),
            )
        } else {
            (None, None)
        };
        let tpot = (finished && r.output_tokens > 1)
            .then(|| (self.finish[j] - self.first_token[j]) / f64::from(r.output_tokens - 1));
        RequestRow {
            id: j as u64,
            arrival_s: r.arrival,
            replica: finished.then_some(self.replica[j]),
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            ttft_s: ttft,
            tpot_s: tpot,
            e2e_s: e2e,
            finished,
            cached_tokens: self.cached_tokens.get(j).copied().filter(|_| finished),
        }
    }

    /// The rows of every request, in trace order.
    pub fn rows<'a>(
        &'a self,
        requests: &'a [TraceRequest],
    ) -> impl Iterator<Item = RequestRow> + 'a {
        (0..requests.len()).map(move |j| self.row(requests, j))
    }
}

/// Mean and percentiles of one latency \[s\].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Latency {
    /// Values summarized.
    pub count: u64,
    /// Mean \[s\].
    pub mean: f64,
    /// Median \[s\].
    pub p50: f64,
    /// 90th percentile \[s\].
    pub p90: f64,
    /// 99th percentile \[s\].
    pub p99: f64,
}

/// The `p`-th percentile (0–100) of sorted values, linearly interpolated
/// between closest ranks (position `p/100 × (n − 1)`); NaN if empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = (p / 100.0).clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl Latency {
    /// The statistics of `values`, sorted in place (unstable: values equal
    /// under `total_cmp` have the same bits, so the order is the stable
    /// one's, without its buffer).
    fn of(values: &mut [f64]) -> Latency {
        values.sort_unstable_by(f64::total_cmp);
        let count = values.len() as u64;
        let mean = if values.is_empty() {
            f64::NAN
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        };
        Latency {
            count,
            mean,
            p50: percentile(values, 50.0),
            p90: percentile(values, 90.0),
            p99: percentile(values, 99.0),
        }
    }
}

/// Latency targets at a percentile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slo {
    /// Time-to-first-token target \[s\].
    pub ttft_s: f64,
    /// Time-per-output-token target \[s\].
    pub tpot_s: f64,
    /// The percentile both must hold at (0–100), e.g. 99.
    pub percentile: f64,
}

/// How a run fared against an [`Slo`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SloResult {
    /// The targets.
    pub slo: Slo,
    /// TTFT at the SLO's percentile over served requests \[s\].
    pub ttft_at_percentile: f64,
    /// TPOT at the SLO's percentile over served requests with ≥ 2 output
    /// tokens \[s\].
    pub tpot_at_percentile: f64,
    /// Whether both targets hold at the percentile.
    pub met: bool,
    /// Fraction of all requests (rejected ones count as misses) whose TTFT
    /// and TPOT (where defined) are both within target.
    pub attainment: f64,
}

/// Totals and latency statistics of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct ServeSummary {
    /// Requests in the input.
    pub requests: u64,
    /// Requests served.
    pub finished: u64,
    /// Requests rejected (context beyond the KV cache).
    pub rejected: u64,
    /// Σ prompt tokens of all requests.
    pub input_tokens: u64,
    /// Σ output tokens of all requests (as in the input).
    pub output_tokens: u64,
    /// Time to first token.
    pub ttft: Latency,
    /// Time per output token (requests with ≥ 2 output tokens).
    pub tpot: Latency,
    /// End-to-end latency.
    pub e2e: Latency,
    /// Against the targets, if given.
    pub slo: Option<SloResult>,
    /// What the prefix caches found, `None` without prefix caching.
    pub prefix: Option<PrefixStats>,
    /// Simulated time, first arrival to last token \[s\].
    pub simulated_s: f64,
    /// Iterations ("batch steps") of all replicas.
    pub iterations: u64,
    /// Mean batch of the decode steps.
    pub mean_decode_batch: f64,
    /// Fraction of replica time spent in iterations.
    pub utilization: f64,
    /// Wall time of the simulation \[s\].
    pub wall_s: f64,
}

impl ServeSummary {
    /// The summary of `requests` that no replica served (a request-level
    /// window of a service with no serving replica): counts and tokens,
    /// none finished, latencies 0.
    pub fn unserved(requests: &[TraceRequest]) -> ServeSummary {
        let zero = Latency {
            count: 0,
            mean: 0.0,
            p50: 0.0,
            p90: 0.0,
            p99: 0.0,
        };
        ServeSummary {
            requests: requests.len() as u64,
            finished: 0,
            rejected: requests.len() as u64,
            input_tokens: requests.iter().map(|r| u64::from(r.input_tokens)).sum(),
            output_tokens: requests.iter().map(|r| u64::from(r.output_tokens)).sum(),
            ttft: zero,
            tpot: zero,
            e2e: zero,
            slo: None,
            prefix: None,
            simulated_s: 0.0,
            iterations: 0,
            mean_decode_batch: 0.0,
            utilization: 0.0,
            wall_s: 0.0,
        }
    }

    /// Requests simulated per wall second.
    pub fn requests_per_wall_s(&self) -> f64 {
        self.requests as f64 / self.wall_s
    }

    /// Batch steps (iterations) simulated per wall second.
    pub fn steps_per_wall_s(&self) -> f64 {
        self.iterations as f64 / self.wall_s
    }
}

/// Summarizes `run` of `requests` on `replicas` replicas, against `slo` if given.
pub fn summarize(
    run: &ServeRun,
    requests: &[TraceRequest],
    replicas: u32,
    slo: Option<Slo>,
) -> ServeSummary {
    // One latency at a time in one buffer, sorted in place: a run of
    // millions of requests needs one value per request beside its results.
    let mut met = 0u64;
    let (mut input_tokens, mut output_tokens, mut finished) = (0u64, 0u64, 0u64);
    for row in run.rows(requests) {
        input_tokens += u64::from(row.input_tokens);
        output_tokens += u64::from(row.output_tokens);
        if let Some(t) = row.ttft_s {
            finished += 1;
            if let Some(s) = slo
                && t <= s.ttft_s
                && row.tpot_s.is_none_or(|p| p <= s.tpot_s)
            {
                met += 1;
            }
        }
    }
    let mut values = Vec::with_capacity(finished as usize);
    let mut latency = |pick: fn(&RequestRow) -> Option<f64>| {
        values.clear();
        values.extend(run.rows(requests).filter_map(|row| pick(&row)));
        let l = Latency::of(&mut values);
        let at = slo.map_or(f64::NAN, |s| percentile(&values, s.percentile));
        (l, at)
    };
    let (ttft, ttft_at) = latency(|r| r.ttft_s);
    let (tpot, tpot_at) = latency(|r| r.tpot_s);
    let (e2e, _) = latency(|r| r.e2e_s);
    let n = requests.len() as u64;
    let slo = slo.map(|s| SloResult {
        slo: s,
        ttft_at_percentile: ttft_at,
        tpot_at_percentile: tpot_at,
        // No request with two tokens or more: no TPOT to miss.
        met: finished == n && ttft_at <= s.ttft_s && (tpot_at.is_nan() || tpot_at <= s.tpot_s),
        attainment: if n == 0 { 1.0 } else { met as f64 / n as f64 },
    });
    let first = requests.first().map_or(0.0, |r| r.arrival);
    let simulated_s = run.end_s - first;
    ServeSummary {
        requests: n,
        finished,
        rejected: n - finished,
        input_tokens,
        output_tokens,
        ttft,
        tpot,
        e2e,
        slo,
        prefix: run.prefix,
        simulated_s,
        iterations: run.iterations,
        mean_decode_batch: if run.decode_steps == 0 {
            0.0
        } else {
            run.decoded_tokens as f64 / run.decode_steps as f64
        },
        utilization: if simulated_s > 0.0 {
            run.busy_s / (simulated_s * f64::from(replicas))
        } else {
            0.0
        },
        wall_s: run.wall_s,
    }
}

/// A distribution of token counts per request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tokens {
    /// Always this many.
    Fixed(u32),
    /// `⌈X⌉` for `X` exponential with mean `mean`: geometric on 1, 2, …
    /// with `P(k) = (1 − q)·q^(k−1)`, `q = e^(−1/mean)`, mean `1 ÷ (1 − q)`
    /// (≈ `mean + ½`). Multiplying by a per-token time gives a service time
    /// whose second moment is `1 − (1 − q)/2` of an exponential's of the
    /// same mean — 0.025% below at a mean of 2,000 tokens.
    Exponential {
        /// Mean of the underlying exponential \[tokens\].
        mean: f64,
    },
    /// Uniform on `lo..=hi`.
    Uniform {
        /// Smallest \[tokens\].
        lo: u32,
        /// Largest \[tokens\].
        hi: u32,
    },
}

impl Tokens {
    /// The mean of the counts drawn \[tokens\].
    pub fn mean(&self) -> f64 {
        match *self {
            Tokens::Fixed(n) => f64::from(n),
            Tokens::Exponential { mean } => 1.0 / (1.0 - (-1.0 / mean).exp()),
            Tokens::Uniform { lo, hi } => (f64::from(lo) + f64::from(hi)) / 2.0,
        }
    }

    fn draw(&self, rng: &mut crate::engine::StreamRng) -> u32 {
        match *self {
            Tokens::Fixed(n) => n,
            Tokens::Exponential { mean } => {
                let u: f64 = rng.random::<f64>();
                let x = -mean * (1.0 - u).ln();
                x.ceil().clamp(1.0, f64::from(u32::MAX)) as u32
            }
            Tokens::Uniform { lo, hi } => rng.random_range(lo.min(hi)..=hi.max(lo)),
        }
    }
}

/// A synthetic request stream: Poisson arrivals with independent token
/// counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Synthetic {
    /// Arrival rate λ [requests/s].
    pub rate: f64,
    /// Requests to draw.
    pub count: usize,
    /// Prompt tokens per request.
    pub input: Tokens,
    /// Output tokens per request.
    pub output: Tokens,
}

impl Synthetic {
    /// Draws the stream, starting at time 0: exponential gaps of mean `1/λ`
    /// from the stream `serving/arrivals`, prompt and output tokens from
    /// `serving/input` and `serving/output` of `streams`.
    pub fn generate(&self, streams: &RngStreams) -> Vec<TraceRequest> {
        self.generate_in(streams, "serving")
    }

    /// As [`Synthetic::generate`], from the streams `<prefix>/arrivals`,
    /// `<prefix>/input` and `<prefix>/output` (a request-level window of a
    /// scenario draws from its own).
    pub fn generate_in(&self, streams: &RngStreams, prefix: &str) -> Vec<TraceRequest> {
        let mut gaps = streams.stream(&format!("{prefix}/arrivals"));
        let mut input = streams.stream(&format!("{prefix}/input"));
        let mut output = streams.stream(&format!("{prefix}/output"));
        let mut t = 0.0;
        (0..self.count)
            .map(|_| {
                let u: f64 = gaps.random::<f64>();
                t += -(1.0 - u).ln() / self.rate;
                TraceRequest {
                    arrival: t,
                    input_tokens: self.input.draw(&mut input),
                    output_tokens: self.output.draw(&mut output),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::workload::serving::roofline::model;

    fn config(max_batch: u32, replicas: u32) -> ServeConfig {
        let c = Catalog::builtin();
        ServeConfig {
            replica: Replica::new(
                model("llama-3.1-8b").unwrap().spec,
                c.chip("h100").unwrap(),
                1,
            )
            .unwrap(),
            replicas,
            max_batch,
            routing: Routing::LeastLoaded,
            prefill: Prefill::Whole,
        }
    }

    fn req(arrival: f64, input: u32, output: u32) -> TraceRequest {
        TraceRequest {
            arrival,
            input_tokens: input,
            output_tokens: output,
        }
    }

    #[test]
    fn one_request_by_hand() {
        let cfg = config(8, 1);
        let r = &cfg.replica;
        let reqs = [req(1.0, 100, 3)];
        let run = simulate(&cfg, &reqs).unwrap();
        // Iteration 1: prefill of 100 tokens → first token.
        let t1 = 1.0 + r.prefill_time(100.0);
        assert_eq!(run.first_token[0], t1);
        // Iteration 2: decode with context 101; iteration 3: context 102.
        let t3 = t1 + r.decode_step(1.0, 101.0) + r.decode_step(1.0, 102.0);
        assert_eq!(run.finish[0], t3);
        assert_eq!((run.iterations, run.decode_steps), (3, 2));
    }

    #[test]
    fn second_request_joins_at_the_next_iteration() {
        let cfg = config(8, 1);
        let r = &cfg.replica;
        // B arrives during A's prefill, so it is admitted at the next
        // iteration, whose duration is B's prefill plus A's decode step.
        let a_first = r.prefill_time(100.0);
        let reqs = [req(0.0, 100, 2), req(a_first / 2.0, 50, 1)];
        let run = simulate(&cfg, &reqs).unwrap();
        assert_eq!(run.first_token[0], a_first);
        // The iteration's duration is summed before it is added to the clock.
        let end2 = a_first + (r.prefill_time(50.0) + r.decode_step(1.0, 101.0));
        assert_eq!(run.finish[0], end2);
        assert_eq!(run.first_token[1], end2);
        assert_eq!(run.finish[1], end2);
    }

    /// Issue 24 item 5: the least-loaded run with decode stretches gives
    /// the iteration-by-iteration loop's results bit for bit — ties in time
    /// (whole-second arrivals, equal sizes), batch caps and a KV cache that
    /// blocks the head of a queue included.
    #[test]
    fn stretches_give_the_stepwise_results_bit_for_bit() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(24);
        let mut hits = 0;
        for case in 0..200 {
            let replicas = rng.random_range(1..=6);
            let max_batch = rng.random_range(1..=5);
            let mut cfg = config(max_batch, replicas);
            // Every third case a KV cache of a few thousand tokens.
            if case % 3 == 0 {
                let tokens = rng.random_range(2_000..20_000) as f64;
                cfg.replica.hbm = cfg.replica.model.weight_bytes()
                    + tokens * cfg.replica.model.kv_bytes_per_token;
            }
            // Most cases chunk, with budgets that split the prompts.
            if case % 5 != 0 {
                cfg.prefill = Prefill::Chunked {
                    budget: rng.random_range(max_batch..2_000),
                };
            }
            let n = rng.random_range(1..120);
            let mut t = 0.0;
            let reqs: Vec<TraceRequest> = (0..n)
                .map(|_| {
                    t += if case % 2 == 0 {
                        f64::from(rng.random_range(0..2u32))
                    } else {
                        rng.random::<f64>() * 0.05
                    };
                    let (input, output) = if case % 4 == 1 {
                        (100, 20)
                    } else {
                        (rng.random_range(0..3_000), rng.random_range(0..300))
                    };
                    req(t, input, output)
                })
                .collect();
            let transferred = case % 7 == 3;
            let fast = run_least_loaded(&cfg, &reqs, None, transferred);
            let stepwise = run_stepwise(&cfg, &reqs, None, transferred);
            assert!(fast.same_results(&stepwise), "case {case}");
            assert_eq!(fast.prefill_iterations, stepwise.prefill_iterations);
            // With prefix caching: prompts that share the blocks of one of
            // a few conversations, up to their own length; least-loaded
            // and cached-prefix routing.
            let block_tokens = rng.random_range(16..600);
            let mut blocks = BlockHashes::new();
            for r in &reqs {
                let conversation = rng.random_range(0..4u64);
                let n = u64::from(r.input_tokens.div_ceil(block_tokens));
                blocks.push((0..n).map(|k| conversation * 1_000 + k));
            }
            let caching = Some(PrefixCaching {
                blocks: &blocks,
                block_tokens,
            });
            for routing in [Routing::LeastLoaded, Routing::CachedPrefix] {
                cfg.routing = routing;
                let fast = run_least_loaded(&cfg, &reqs, caching, false);
                let stepwise = run_stepwise(&cfg, &reqs, caching, false);
                assert!(fast.same_results(&stepwise), "case {case} {routing:?}");
                assert_eq!(fast.prefill_iterations, stepwise.prefill_iterations);
                if let Some(p) = fast.prefix {
                    hits += p.blocks_hit;
                }
            }
            cfg.routing = Routing::LeastLoaded;
        }
        assert!(hits > 0, "no case found a cached block");
    }

    /// Issue 21 item 4: a prefix hit skips exactly its blocks, by hand.
    /// One Llama-3.1-8B replica on an H100, blocks of 512 tokens, each
    /// request arriving after the one before has finished (1 output token):
    ///
    /// - A (prompt 1,000, blocks [1, 2]) finds nothing: TTFT `prefill(1000)`;
    ///   its two blocks enter the cache.
    /// - B (1,200, [1, 3, 4]) finds block 1 (its second differs): 512
    ///   tokens skipped, TTFT `prefill(688)`.
    /// - C (1,000, [1, 2], A's prompt) finds both blocks, 1,024 tokens, but
    ///   its last prompt token is always computed: 999 skipped, TTFT
    ///   `prefill(1)`.
    /// - D (700, [5, 2]) finds nothing (its first block differs, so block 2
    ///   is no prefix of it): TTFT `prefill(700)`.
    ///
    /// Blocks: 9 looked up, 3 found; tokens 3,900 looked up, 1,511 skipped.
    #[test]
    fn a_prefix_hit_skips_exactly_its_blocks() {
        let mut cfg = config(8, 1);
        cfg.replica = Replica::new(
            model("llama-3.1-8b").unwrap().spec,
            Catalog::builtin().chip("h100").unwrap(),
            1,
        )
        .unwrap();
        let r = cfg.replica.clone();
        let reqs = [
            req(0.0, 1_000, 1),
            req(10.0, 1_200, 1),
            req(20.0, 1_000, 1),
            req(30.0, 700, 1),
        ];
        let mut blocks = BlockHashes::new();
        for b in [&[1, 2][..], &[1, 3, 4], &[1, 2], &[5, 2]] {
            blocks.push(b.iter().copied());
        }
        let caching = PrefixCaching {
            blocks: &blocks,
            block_tokens: 512,
        };
        for prefill in [Prefill::Whole, Prefill::default()] {
            cfg.prefill = prefill;
            let run = simulate_cached(&cfg, &reqs, Some(caching)).unwrap();
            assert_eq!(
                run.first_token,
                vec![
                    r.prefill_time(1_000.0),
                    10.0 + r.prefill_time(688.0),
                    20.0 + r.prefill_time(1.0),
                    30.0 + r.prefill_time(700.0)
                ],
                "{prefill:?}"
            );
            assert_eq!(run.cached_tokens, vec![0, 512, 999, 0]);
            let p = run.prefix.unwrap();
            assert_eq!(
                (p.blocks, p.blocks_hit, p.tokens, p.tokens_hit),
                (9, 3, 3_900, 1_511)
            );
            assert_eq!(p.block_hit_rate(), 3.0 / 9.0);
            // Without the cache every prompt is prefilled whole.
            let plain = simulate(&cfg, &reqs).unwrap();
            assert_eq!(plain.first_token[2], 20.0 + r.prefill_time(1_000.0));
            assert!(plain.prefix.is_none() && plain.cached_tokens.is_empty());
        }
    }

    /// The cache holds only the KV cache's free part: with room for 2,048
    /// tokens (4 blocks of 512) an E of 1,500 prompt tokens leaves one
    /// block's room while it runs, so A's blocks are evicted (the least
    /// recently used first) and E keeps only its first block; F, A's
    /// prompt again, then finds nothing. With a large KV cache F finds
    /// A's two blocks.
    #[test]
    fn the_cache_is_bounded_by_the_free_kv_cache() {
        let mut cfg = config(8, 1);
        let reqs = [req(0.0, 1_000, 1), req(10.0, 1_500, 1), req(20.0, 1_000, 1)];
        let mut blocks = BlockHashes::new();
        for b in [&[1, 2][..], &[7, 8, 9], &[1, 2]] {
            blocks.push(b.iter().copied());
        }
        let caching = Some(PrefixCaching {
            blocks: &blocks,
            block_tokens: 512,
        });
        let run = simulate_cached(&cfg, &reqs, caching).unwrap();
        assert_eq!(run.cached_tokens, vec![0, 0, 999]);
        cfg.replica.hbm =
            cfg.replica.model.weight_bytes() + 2_048.0 * cfg.replica.model.kv_bytes_per_token;
        assert_eq!(cfg.replica.kv_capacity_tokens(), 2_048);
        let run = simulate_cached(&cfg, &reqs, caching).unwrap();
        assert_eq!(run.cached_tokens, vec![0, 0, 0]);
        assert_eq!(run.first_token[2], 20.0 + cfg.replica.prefill_time(1_000.0));
    }

    /// Cached-prefix routing sends a request to the replica holding its
    /// prefix, where least-loaded routing sends it to the idle one.
    #[test]
    fn cached_prefix_routing_prefers_the_holder() {
        let mut cfg = config(8, 2);
        // A decodes 2,000 tokens on replica 0; B shares A's first block.
        let reqs = [req(0.0, 1_000, 2_000), req(1.0, 1_000, 1)];
        let mut blocks = BlockHashes::new();
        blocks.push([1, 2]);
        blocks.push([1, 3]);
        let caching = Some(PrefixCaching {
            blocks: &blocks,
            block_tokens: 512,
        });
        let run = simulate_cached(&cfg, &reqs, caching).unwrap();
        assert_eq!(
            (run.replica.clone(), run.cached_tokens),
            (vec![0, 1], vec![0, 0])
        );
        cfg.routing = Routing::CachedPrefix;
        let run = simulate_cached(&cfg, &reqs, caching).unwrap();
        assert_eq!(
            (run.replica.clone(), run.cached_tokens),
            (vec![0, 0], vec![0, 512])
        );
        // Block hashes for another number of requests are refused.
        let mut short = BlockHashes::new();
        short.push([1]);
        let e = simulate_cached(
            &cfg,
            &reqs,
            Some(PrefixCaching {
                blocks: &short,
                block_tokens: 512,
            }),
        );
        assert_eq!(
            e,
            Err(ServeError::BlockCount {
                blocks: 1,
                requests: 2
            })
        );
    }

    /// The tournament tree names the replica a linear scan would: fewest
    /// outstanding, ties to the lowest index.
    #[test]
    fn the_shortest_queue_is_the_scans() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        for replicas in [1usize, 2, 3, 7, 8, 9, 100] {
            let mut counts = vec![0u32; replicas];
            let mut tree = ShortestQueue::new(replicas);
            for _ in 0..1_000 {
                let i = rng.random_range(0..replicas);
                counts[i] = rng.random_range(0..4);
                tree.set(i as u32, counts[i]);
                let mut best = 0;
                for (k, &c) in counts.iter().enumerate() {
                    if c < counts[best] {
                        best = k;
                    }
                }
                assert_eq!(tree.shortest() as usize, best);
            }
        }
    }

    /// Issue 21 item 3: chunked prefill by hand. Budget 100 tokens per
    /// iteration, batch cap 8. A (prompt 150, 3 output tokens) arrives at
    /// 0, B (prompt 30, 2 output tokens) at 0 too.
    ///
    /// - it. 1 (starts 0): no decodes; A's first 100 tokens (budget 100,
    ///   nothing left for B): `prefill(100)`.
    /// - it. 2: A's last 50, then B's 30 whole (20 left): `prefill(80)`;
    ///   A and B yield their first tokens at its end.
    /// - it. 3: decodes of A (context 151) and B (context 31), 182 in all:
    ///   `decode(2, 182)`; B's second token is its last: B finishes.
    /// - it. 4: A alone, context 152: `decode(1, 152)`; A finishes.
    #[test]
    fn chunked_prefill_by_hand() {
        let mut cfg = config(8, 1);
        cfg.prefill = Prefill::Chunked { budget: 100 };
        let r = cfg.replica.clone();
        let reqs = [req(0.0, 150, 3), req(0.0, 30, 2)];
        for routing in [Routing::LeastLoaded, Routing::SharedQueue] {
            cfg.routing = routing;
            let run = simulate(&cfg, &reqs).unwrap();
            let t1 = r.prefill_time(100.0);
            let t2 = t1 + r.prefill_time(80.0);
            let t3 = t2 + r.decode_step(2.0, 182.0);
            let t4 = t3 + r.decode_step(1.0, 152.0);
            assert_eq!(run.first_token, vec![t2, t2], "{routing:?}");
            assert_eq!(run.finish, vec![t4, t3], "{routing:?}");
            assert_eq!(
                (run.iterations, run.prefill_iterations, run.decode_steps),
                (4, 2, 2)
            );
            // Whole prefills: both prompts in iteration 1, 180 tokens.
            let mut whole = cfg.clone();
            whole.prefill = Prefill::Whole;
            let run = simulate(&whole, &reqs).unwrap();
            let w1 = r.prefill_time(180.0);
            assert_eq!(run.first_token, vec![w1, w1]);
        }
    }

    /// A budget below the batch cap is refused: the decodes alone could
    /// exceed it.
    #[test]
    fn a_budget_below_the_batch_cap_is_refused() {
        let mut cfg = config(8, 1);
        cfg.prefill = Prefill::Chunked { budget: 7 };
        assert_eq!(
            simulate(&cfg, &[req(0.0, 1, 1)]),
            Err(ServeError::SmallBudget {
                budget: 7,
                max_batch: 8
            })
        );
    }

    #[test]
    fn percentiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 50.0), 3.0);
        assert_eq!(percentile(&v, 90.0), 4.6);
    }
}
