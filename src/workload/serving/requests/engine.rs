//! The run itself: replicas' states, iterations and decode stretches, the
//! shortest-queue tree, and the two loops (least-loaded with stretches,
//! shared queue step by step).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

use super::{PrefixCaching, PrefixStats, Routing, ServeConfig, ServeRun};
use crate::workload::serving::prefix_cache::{BlockHashes, PrefixCache};
use crate::workload::serving::roofline::Replica;
use crate::workload::serving::trace::TraceRequest;

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
pub(super) struct ShortestQueue {
    /// Leaves at `[size, 2·size)`, unused ones `u64::MAX`; node `k`'s
    /// children `2k`, `2k + 1`.
    tree: Vec<u64>,
    size: usize,
}

impl ShortestQueue {
    pub(super) fn new(replicas: usize) -> ShortestQueue {
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
    pub(super) fn shortest(&self) -> u32 {
        self.tree[1] as u32
    }

    /// Sets replica `index`'s outstanding count.
    #[inline]
    pub(super) fn set(&mut self, index: u32, outstanding: u32) {
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
pub(super) fn run_least_loaded(
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
pub(super) fn run_stepwise(
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
