//! Prefill/decode disaggregation in the request-level mode: a service's
//! prompts run on a pool of prefill copies, each request's KV cache then
//! moves to a decode copy, and the decode copies generate the rest of its
//! output (as DistServe, Splitwise and Mooncake serve).
//!
//! **Groups.** The copies come in *groups*, one per replica of the service:
//! `prefill` copies and `decode` copies, and one [`KvLink`] between the two
//! pools (the scale-up link when they share a scale-up domain, the racks'
//! NICs within a rack, or a flow of the shared scale-out fabric, whose
//! max-min share the caller reads from the world). A request's KV cache
//! goes from its prefill copy to a decode copy of the same group.
//!
//! **Stages**, each O(log) per request:
//!
//! 1. *Prefill*: every request runs on the prefill copies of all groups as
//!    a request of one output token ([`super::requests::simulate`], with
//!    the service's routing and chunking): its prefill ends with the first
//!    token's iteration.
//! 2. *Transfer*: its KV cache, `prompt tokens × KV bytes per token`, then
//!    crosses its group's link. A link carries one transfer at a time, in
//!    the order the prefills end (FIFO): a transfer starts when its prefill
//!    has ended and the link has finished the one before, and lasts
//!    `bytes ÷ rate`; its last byte lands one link latency later. So the
//!    link's throughput is its rate, as processor sharing of the same
//!    transfers would give, and no transfer waits for another that ended
//!    its prefill later.
//! 3. *Decode*: it joins its group's decode copies at the landing
//!    ([`super::requests::simulate_transferred`], least-loaded among them)
//!    with its prompt plus first token as context, and they generate its
//!    other `output − 1` tokens. A request of one output token is done at
//!    the landing.
//!
//! **Measured**: the time to first token runs from the arrival to the
//! landing of the KV cache (the decode copy streams the answer, the first
//! token with it): queueing and prefill, then the transfer. The time per
//! output token and the end-to-end latency as in the colocated mode. A
//! request whose context does not fit a prefill copy's (prompt + 1) or a
//! decode copy's (prompt + output) KV cache is rejected.
//!
//! **Separate pools** ([`simulate_separate`], `[services.prefill_pool]`):
//! the groups are the decode replicas, fed round robin as the prefills
//! end, each request's KV cache over the link of its (prefill replica,
//! decode replica) pair; the fleet's autoscaler sizes each pool on its own
//! load ([`PoolSizing`]).

use super::epoch::ServiceModel;
use super::requests::{self, ServeConfig, ServeError, ServeRun};
use super::roofline::Replica;
use super::trace::TraceRequest;

/// A disaggregated service's pools within each of its replicas: the
/// first `prefill_chips` chips run prefills in copies of
/// `prefill_tensor_parallel` chips; the rest run decodes in copies of the
/// service's tensor-parallel degree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pools {
    /// Chips of a replica in its prefill pool (a multiple of
    /// `prefill_tensor_parallel`, fewer than the replica's).
    pub prefill_chips: u32,
    /// Chips of one prefill copy.
    pub prefill_tensor_parallel: u32,
}

impl Pools {
    /// Prefill copies per replica.
    pub fn prefill_copies(&self) -> u32 {
        self.prefill_chips / self.prefill_tensor_parallel
    }

    /// Decode copies per replica of `replica_chips` chips in copies of
    /// `tensor_parallel`.
    pub fn decode_copies(&self, replica_chips: u32, tensor_parallel: u32) -> u32 {
        (replica_chips - self.prefill_chips) / tensor_parallel
    }
}

/// The link a group's KV caches cross from its prefill pool to its decode
/// pool.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KvLink {
    /// Rate one transfer gets [B/s] (> 0).
    pub rate: f64,
    /// One-way latency added to every transfer \[s\].
    pub latency_s: f64,
}

impl KvLink {
    /// Time to move `bytes` over the link alone: `bytes ÷ rate + latency` \[s\].
    pub fn transfer_time(&self, bytes: f64) -> f64 {
        bytes / self.rate + self.latency_s
    }
}

/// The epoch model of a disaggregated service, in closed form. Its server
/// is one decode copy with its share of the prefill copies
/// (`prefill_per_decode` = prefill ÷ decode copies of a replica):
///
/// - its service rate at a batch `b` is the lowest of the decode copy's,
///   `b ÷ ((o − 1) × τ(b))` with `τ(b)` the decode step of `b` requests
///   holding `i + o/2` tokens each (the decodes only: no prompt runs on a
///   decode copy), the prefill share's, `prefill_per_decode ÷
///   prefill_time(i)`, and the link's share, `rate ÷ (i × KV bytes per
///   token) ÷ decode_per_link`;
/// - the time from admission to first token is the prefill of a mean
///   prompt on a prefill copy plus its KV cache's transfer at the link's
///   rate, `i × KV bytes per token ÷ rate + latency` (the rate is the
///   fabric's max-min share beside training rings when the fleet's epoch
///   reads it; no wait for the link: the request-level windows model it);
/// - the time per output token is `τ(b)`, no prefill chunk interleaved.
///
/// The wait before admission is the epoch model's, one M/G/c queue of
/// these servers.
pub struct DisaggModel<'a> {
    /// One prefill copy.
    pub prefill: &'a Replica,
    /// One decode copy.
    pub decode: &'a Replica,
    /// Prefill copies per decode copy.
    pub prefill_per_decode: f64,
    /// Mean input tokens per request.
    pub input: f64,
    /// Mean output tokens per request.
    pub output: f64,
    /// The most requests a decode copy batches.
    pub max_batch: u32,
    /// Squared coefficient of variation of the time in service.
    pub scv: f64,
    /// The link a mean request's KV cache crosses.
    pub link: KvLink,
    /// Decode copies whose requests' KV caches share one link (those of a
    /// replica).
    pub decode_per_link: f64,
}

impl DisaggModel<'_> {
    /// Decode step at batch `b` of mean requests [s].
    fn step(&self, b: f64) -> f64 {
        self.decode
            .decode_step(b, b * (self.input + self.output / 2.0))
    }

    /// A mean request's KV transfer alone on the link \[s\].
    pub fn transfer_time(&self) -> f64 {
        self.link
            .transfer_time(self.input * self.decode.model.kv_bytes_per_token)
    }
}

impl ServiceModel for DisaggModel<'_> {
    fn service_rate(&self, batch: f64) -> f64 {
        if batch <= 0.0 {
            return 0.0;
        }
        let prefill = self.prefill_per_decode / self.prefill.prefill_time(self.input);
        // The link moves `rate ÷ bytes` KV caches a second for its copies.
        let bytes = self.input * self.decode.model.kv_bytes_per_token;
        let prefill = if bytes > 0.0 {
            prefill.min(self.link.rate / bytes / self.decode_per_link)
        } else {
            prefill
        };
        if self.output <= 1.0 {
            return prefill;
        }
        (batch / ((self.output - 1.0) * self.step(batch))).min(prefill)
    }

    fn max_batch(&self) -> u32 {
        self.max_batch
    }

    fn service_scv(&self) -> f64 {
        self.scv
    }

    fn prefill_time(&self, _batch: f64) -> Option<f64> {
        Some(self.prefill.prefill_time(self.input) + self.transfer_time())
    }

    fn tpot(&self, batch: f64) -> Option<f64> {
        Some(self.step(batch))
    }
}

/// Separate prefill and decode pools, each sized on its own
/// (`[services.prefill_pool]`): the rule an autoscaler of two replica sets applies,
/// rather than one count of replicas holding both pools in a fixed ratio.
///
/// - The **prefill pool** is sized on its input-token load: `λ` requests
///   a second keep `λ × prefill_time(i)` prefill copies busy, so it wants
///   `⌈λ × prefill_time(i) ÷ (prefill copies per replica × target
///   utilization)⌉` replicas.
/// - The **decode pool** is sized on its output rate at the batch its KV
///   cache allows: a decode copy serves `μ_d = b ÷ ((o − 1) × τ(b))`
///   requests a second, `τ(b)` the decode step of `b` requests holding
///   `i + o/2` tokens each, so it wants `⌈λ ÷ (decode copies per replica ×
///   target utilization × μ_d)⌉` replicas; requests of one output token
///   leave it nothing to do.
///
/// Each count is then held within its pool's own bounds.
#[derive(Clone, Copy, Debug)]
pub struct PoolSizing<'a> {
    /// One prefill copy.
    pub prefill: &'a Replica,
    /// Prefill copies in one replica of the prefill pool (≥ 1).
    pub prefill_copies: u32,
    /// One decode copy.
    pub decode: &'a Replica,
    /// Decode copies in one replica of the decode pool (≥ 1).
    pub decode_copies: u32,
    /// Mean input tokens per request.
    pub input: f64,
    /// Mean output tokens per request.
    pub output: f64,
    /// The batch a decode copy runs at: its KV cache's limit for requests
    /// of `input + output` tokens, or a serving stack's cap below it.
    pub batch: u32,
    /// Share of each pool's top rate the autoscaler aims at (0–1].
    pub target_utilization: f64,
    /// Fewest and most replicas of the prefill pool.
    pub prefill_bounds: (u32, u32),
    /// Fewest and most replicas of the decode pool.
    pub decode_bounds: (u32, u32),
}

/// Replicas each pool wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSizes {
    /// Replicas of the prefill pool.
    pub prefill: u32,
    /// Replicas of the decode pool.
    pub decode: u32,
}

impl PoolSizing<'_> {
    /// Prefill pool's replicas for `lambda` requests a second.
    pub fn prefill_replicas(&self, lambda: f64) -> u32 {
        let busy = lambda * self.prefill.prefill_time(self.input);
        let per_replica = f64::from(self.prefill_copies) * self.target_utilization;
        within(busy / per_replica, self.prefill_bounds)
    }

    /// A decode copy's top rate, `b ÷ ((o − 1) × τ(b))` [requests/s]
    /// (infinite for requests of one output token).
    pub fn decode_rate(&self) -> f64 {
        if self.output <= 1.0 {
            return f64::INFINITY;
        }
        let b = f64::from(self.batch);
        let step = self
            .decode
            .decode_step(b, b * (self.input + self.output / 2.0));
        b / ((self.output - 1.0) * step)
    }

    /// Decode pool's replicas for `lambda` requests a second.
    pub fn decode_replicas(&self, lambda: f64) -> u32 {
        let per_replica =
            f64::from(self.decode_copies) * self.target_utilization * self.decode_rate();
        within(lambda / per_replica, self.decode_bounds)
    }

    /// Both pools' replicas for `lambda` requests a second.
    pub fn sizes(&self, lambda: f64) -> PoolSizes {
        PoolSizes {
            prefill: self.prefill_replicas(lambda),
            decode: self.decode_replicas(lambda),
        }
    }
}

/// `⌈wanted⌉` held within `(min, max)`; a load no replica can serve (NaN
/// or infinite) asks for the most.
fn within(wanted: f64, (min, max): (u32, u32)) -> u32 {
    let n = if wanted.is_finite() {
        wanted.ceil().clamp(0.0, f64::from(u32::MAX)) as u32
    } else {
        max
    };
    n.clamp(min, max.max(min))
}

/// A disaggregated request-level setup.
#[derive(Clone, Debug, PartialEq)]
pub struct DisaggConfig {
    /// The prefill copies of all groups: `replicas` = groups × prefill
    /// copies per group; its routing and chunking are the prefill pool's.
    pub prefill: ServeConfig,
    /// One group's decode copies: `replicas` = decode copies per group.
    pub decode: ServeConfig,
    /// Each group's link (one per group: `prefill.replicas` is a multiple
    /// of its length).
    pub links: Vec<KvLink>,
}

/// What a disaggregated run gave: the requests' times, as a [`ServeRun`]
/// whose `replica` is the decode copy (group × decode copies + index), and
/// the transfers.
#[derive(Clone, Debug, PartialEq)]
pub struct DisaggRun {
    /// The requests' times (first token at the KV cache's landing); its
    /// counters sum both pools' iterations and busy time.
    pub run: ServeRun,
    /// Each request's transfer time, from its prefill's end to its KV
    /// cache's landing, waiting for the link included \[s\]; NaN if rejected.
    pub transfer_s: Vec<f64>,
    /// Bytes each group's link carried \[B\].
    pub link_bytes: Vec<f64>,
    /// Prefill copies' busy time \[s\] (the rest of `run.busy_s` is the
    /// decode copies').
    pub prefill_busy_s: f64,
}

/// Why a disaggregated run cannot start.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DisaggError {
    /// No group, or prefill copies not a whole number per group.
    #[error(
        "{prefill} prefill copies cannot be split into {groups} groups (at least one, the same number each)"
    )]
    Groups {
        /// Prefill copies.
        prefill: u32,
        /// Groups (links).
        groups: usize,
    },
    /// A link's rate is not a positive number, or its latency negative.
    #[error("group {0}'s link has a rate that is not positive or a negative latency")]
    Link(usize),
    /// A stage refused its inputs.
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// Runs `requests` (in arrival order) through `config`'s prefill pool, links
/// and decode pools.
pub fn simulate(
    config: &DisaggConfig,
    requests: &[TraceRequest],
) -> Result<DisaggRun, DisaggError> {
    let groups = config.links.len();
    if groups == 0 || !(config.prefill.replicas as usize).is_multiple_of(groups) {
        return Err(DisaggError::Groups {
            prefill: config.prefill.replicas,
            groups,
        });
    }
    let per_group = config.prefill.replicas / groups as u32;
    let mut links = config.links.clone();
    if let Some(g) = links.iter().position(|l| !l.valid()) {
        return Err(DisaggError::Link(g));
    }
    stages(
        &config.prefill,
        &config.decode,
        groups,
        requests,
        &mut links,
        &mut |_, copy, _| {
            let g = (copy / per_group) as usize;
            (g, g)
        },
    )
}

/// Separate prefill and decode pools in the request-level mode
/// (`[services.prefill_pool]`): the prefill copies of all prefill replicas,
/// then each request's KV cache to a decode replica chosen round robin in
/// the order the prefills end (the `k`-th to end goes to decode replica `k
/// mod D`), over the link of its (prefill replica, decode replica) pair.
#[derive(Clone, Debug, PartialEq)]
pub struct SeparateConfig {
    /// The prefill copies of all prefill replicas: `replicas` = prefill
    /// replicas × `prefill_per_replica`.
    pub prefill: ServeConfig,
    /// Prefill copies of one prefill replica (≥ 1).
    pub prefill_per_replica: u32,
    /// One decode replica's copies: `replicas` = decode copies per replica.
    pub decode: ServeConfig,
    /// Decode replicas (≥ 1).
    pub decode_replicas: u32,
}

/// Runs `requests` (in arrival order) through `config`'s separate pools;
/// `link(p, d)` gives the link of the pair (prefill replica `p`, decode
/// replica `d`), asked once per pair a request uses, in the order first
/// used. Returns the run, whose `link_bytes` are per pair, and the pairs
/// in that order.
pub fn simulate_separate(
    config: &SeparateConfig,
    requests: &[TraceRequest],
    link: &mut dyn FnMut(u32, u32) -> KvLink,
) -> Result<(DisaggRun, Vec<(u32, u32)>), DisaggError> {
    let per = config.prefill_per_replica;
    let groups = config.decode_replicas;
    if per == 0 || groups == 0 || !config.prefill.replicas.is_multiple_of(per) {
        return Err(DisaggError::Groups {
            prefill: config.prefill.replicas,
            groups: groups as usize,
        });
    }
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut lane_of: std::collections::HashMap<(u32, u32), usize> = Default::default();
    let mut links = Vec::new();
    let run = stages(
        &config.prefill,
        &config.decode,
        groups as usize,
        requests,
        &mut links,
        &mut |k, copy, links| {
            let pair = (copy / per, (k % groups as usize) as u32);
            let lane = *lane_of.entry(pair).or_insert_with(|| {
                links.push(link(pair.0, pair.1));
                pairs.push(pair);
                links.len() - 1
            });
            (lane, pair.1 as usize)
        },
    )?;
    Ok((run, pairs))
}

impl KvLink {
    /// A positive finite rate and a latency not negative.
    fn valid(&self) -> bool {
        self.rate.is_finite() && self.rate > 0.0 && self.latency_s >= 0.0
    }
}

/// How [`stages`] finds a request's lane and decode group: from its rank
/// among the prefills' ends and its prefill copy, pushing a new lane's
/// link when it opens one.
type LaneOf<'a> = dyn FnMut(usize, u32, &mut Vec<KvLink>) -> (usize, usize) + 'a;

/// The three stages over `groups` decode groups of `decode.replicas`
/// copies each: prefills on `prefill`'s copies; transfers, each over the
/// lane (an index into `links`) that `lane(k, prefill copy, links)` gives
/// the `k`-th request to end its prefill, with its decode group (it may
/// push a new lane's link); decodes per group.
fn stages(
    prefill: &ServeConfig,
    decode: &ServeConfig,
    groups: usize,
    requests: &[TraceRequest],
    links: &mut Vec<KvLink>,
    lane: &mut LaneOf<'_>,
) -> Result<DisaggRun, DisaggError> {
    let n = requests.len();
    let decode_cap = decode.replica.kv_capacity_tokens();
    // 1. Prefills: one output token each. A request whose whole context
    // cannot fit a decode copy is rejected before it takes a prefill.
    let prompts: Vec<TraceRequest> = requests
        .iter()
        .map(|r| TraceRequest {
            output_tokens: if fits(r, decode_cap) { 1 } else { u32::MAX },
            ..*r
        })
        .collect();
    let pre = requests::simulate(prefill, &prompts)?;
    // 2. Transfers, in the order the prefills end (ties by request), one
    // at a time on each lane's link.
    let kv = decode.replica.model.kv_bytes_per_token;
    let mut order: Vec<(u64, u32)> = (0..n)
        .filter(|&j| pre.replica[j] != u32::MAX)
        .map(|j| (pre.first_token[j].to_bits(), j as u32))
        .collect();
    order.sort_unstable();
    let mut free = vec![0.0f64; links.len()];
    let mut link_bytes = vec![0.0f64; links.len()];
    let mut landing = vec![f64::NAN; n];
    let mut transfer_s = vec![f64::NAN; n];
    let mut by_group: Vec<Vec<u32>> = vec![Vec::new(); groups];
    for (k, &(bits, j)) in order.iter().enumerate() {
        let done = f64::from_bits(bits);
        let (l, g) = lane(k, pre.replica[j as usize], links);
        if l >= free.len() {
            if !links[l].valid() {
                return Err(DisaggError::Link(l));
            }
            free.resize(links.len(), 0.0);
            link_bytes.resize(links.len(), 0.0);
        }
        let link = &links[l];
        let bytes = f64::from(requests[j as usize].input_tokens) * kv;
        let start = done.max(free[l]);
        free[l] = start + bytes / link.rate;
        landing[j as usize] = free[l] + link.latency_s;
        transfer_s[j as usize] = landing[j as usize] - done;
        link_bytes[l] += bytes;
        by_group[g].push(j);
    }
    // 3. Decodes, per group in the order the KV caches land.
    let mut run = ServeRun {
        replica: vec![u32::MAX; n],
        first_token: vec![f64::NAN; n],
        finish: vec![f64::NAN; n],
        iterations: pre.iterations,
        decode_steps: pre.decode_steps,
        decoded_tokens: pre.decoded_tokens,
        prefill_iterations: pre.prefill_iterations,
        cached_tokens: Vec::new(),
        prefix: None,
        busy_s: pre.busy_s,
        end_s: pre.end_s,
        wall_s: pre.wall_s,
    };
    let copies = decode.replicas;
    let mut arrivals: Vec<TraceRequest> = Vec::new();
    let mut members: Vec<u32> = Vec::new();
    for (g, list) in by_group.iter_mut().enumerate() {
        list.sort_unstable_by(|&a, &b| {
            landing[a as usize]
                .total_cmp(&landing[b as usize])
                .then(a.cmp(&b))
        });
        arrivals.clear();
        members.clear();
        for &j in list.iter() {
            let (r, t) = (&requests[j as usize], landing[j as usize]);
            run.first_token[j as usize] = t;
            run.end_s = run.end_s.max(t);
            if r.output_tokens <= 1 {
                run.finish[j as usize] = t;
                run.replica[j as usize] = g as u32 * copies;
            } else {
                members.push(j);
                arrivals.push(TraceRequest {
                    arrival: t,
                    input_tokens: r.input_tokens.saturating_add(1),
                    output_tokens: r.output_tokens - 1,
                });
            }
        }
        if arrivals.is_empty() {
            continue;
        }
        let dec = requests::simulate_transferred(decode, &arrivals)?;
        for (k, &j) in members.iter().enumerate() {
            if dec.replica[k] != u32::MAX {
                run.replica[j as usize] = g as u32 * copies + dec.replica[k];
                run.finish[j as usize] = dec.finish[k];
            } else {
                run.first_token[j as usize] = f64::NAN;
            }
        }
        run.iterations += dec.iterations;
        run.decode_steps += dec.decode_steps;
        run.decoded_tokens += dec.decoded_tokens;
        run.busy_s += dec.busy_s;
        run.end_s = run.end_s.max(dec.end_s);
        run.wall_s += dec.wall_s;
    }
    for (t, &r) in transfer_s.iter_mut().zip(&run.replica) {
        if r == u32::MAX {
            *t = f64::NAN;
        }
    }
    Ok(DisaggRun {
        run,
        transfer_s,
        link_bytes,
        prefill_busy_s: pre.busy_s,
    })
}

/// Whether a request's whole context fits a decode copy's KV cache.
fn fits(r: &TraceRequest, decode_cap: u64) -> bool {
    u64::from(r.input_tokens) + u64::from(r.output_tokens.max(1)) <= decode_cap
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::units::BitsPerSecond;
    use crate::workload::serving::requests::{Prefill, Routing};
    use crate::workload::serving::roofline::{Replica, model};
    use crate::world::fabric::Fabric;

    fn pool(replicas: u32) -> ServeConfig {
        let c = Catalog::builtin();
        ServeConfig {
            replica: Replica::new(
                model("llama-3.1-8b").unwrap().spec,
                c.chip("h100").unwrap(),
                1,
            )
            .unwrap(),
            replicas,
            max_batch: 8,
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

    /// A KV transfer's time by hand from its bytes and the link's share.
    /// A rack uplink of 100 Gbit/s carries one training ring (elastic);
    /// the KV flow from a prefill copy on that rack to a decode copy on
    /// another, capped at 8 × 400 Gbit/s of NICs, gets the max-min share
    /// 50 Gbit/s = 6.25 GB/s. Llama 3.1 8B holds 131,072 B of KV cache per
    /// token (BF16): a 2,000-token prompt is 262,144,000 B, which crosses
    /// in 262,144,000 ÷ 6.25e9 = 41.943 04 ms, plus 5 µs of latency.
    /// Request A (2,000 tokens, 3 out) arrives at 0 and B (1,000 tokens,
    /// 1 out) at 0: both prefill in one iteration (whole prefills, one
    /// prefill copy), so both transfers are ready at `p`; A goes first (the
    /// lower index), B waits for it.
    #[test]
    fn a_kv_transfer_by_hand_at_the_links_share() {
        let mut fabric = Fabric::new();
        let up = fabric.add_link(BitsPerSecond(100e9), 0);
        let down = fabric.add_link(BitsPerSecond(100e9), 0);
        let (_ring, _) = fabric.start_flow(&[up], None).unwrap();
        let (kv, _) = fabric
            .start_flow(&[up, down], Some(BitsPerSecond(8.0 * 400e9)))
            .unwrap();
        let share = fabric.rate(kv).unwrap().0;
        assert_eq!(share, 50e9);
        let link = KvLink {
            rate: share / 8.0,
            latency_s: 5e-6,
        };
        let kv_per_token = model("llama-3.1-8b").unwrap().spec.kv_bytes_per_token;
        assert_eq!(kv_per_token, 131_072.0);
        assert_eq!(
            link.transfer_time(2_000.0 * kv_per_token),
            0.041_943_04 + 5e-6
        );

        let config = DisaggConfig {
            prefill: pool(1),
            decode: pool(1),
            links: vec![link],
        };
        let d = config.decode.replica.clone();
        let p = config.prefill.replica.prefill_time(3_000.0);
        let reqs = [req(0.0, 2_000, 3), req(0.0, 1_000, 1)];
        let out = simulate(&config, &reqs).unwrap();
        // B's transfer starts when A's last byte has left.
        let a_sent = p + 2_000.0 * kv_per_token / link.rate;
        let a_lands = a_sent + link.latency_s;
        let b_lands = a_sent + 1_000.0 * kv_per_token / link.rate + link.latency_s;
        assert_eq!(out.run.first_token, vec![a_lands, b_lands]);
        assert_eq!(out.transfer_s, vec![a_lands - p, b_lands - p]);
        // A decodes its two other tokens alone: contexts 2,001 then 2,002.
        let a_done = a_lands + d.decode_step(1.0, 2_001.0) + d.decode_step(1.0, 2_002.0);
        assert_eq!(out.run.finish, vec![a_done, b_lands]);
        assert_eq!(out.link_bytes, vec![3_000.0 * kv_per_token]);
    }

    /// Each group's transfers take its own link, and its decode copies
    /// serve only its requests: two groups of one prefill and one decode
    /// copy, the second link ten times slower, give the second request
    /// (routed to the second prefill copy) ten times the transfer.
    #[test]
    fn groups_keep_their_links() {
        let fast = KvLink {
            rate: 1e10,
            latency_s: 0.0,
        };
        let slow = KvLink {
            rate: 1e9,
            latency_s: 0.0,
        };
        let config = DisaggConfig {
            prefill: pool(2),
            decode: pool(1),
            links: vec![fast, slow],
        };
        let reqs = [req(0.0, 500, 4), req(0.0, 500, 4)];
        let out = simulate(&config, &reqs).unwrap();
        let bytes = 500.0 * config.decode.replica.model.kv_bytes_per_token;
        // Measured from the prefill's end: the same sums, in their order.
        let p = config.prefill.replica.prefill_time(500.0);
        assert_eq!(
            out.transfer_s,
            vec![(p + bytes / 1e10) - p, (p + bytes / 1e9) - p]
        );
        assert_eq!(out.run.replica, vec![0, 1]);
        assert_eq!(out.link_bytes, vec![bytes, bytes]);
    }

    /// The epoch model's closed form by hand: one decode copy with two
    /// prefill copies' share (prefill_per_decode = 2), requests of 1,000
    /// tokens in and 101 out, over a link of 10 GB/s.
    #[test]
    fn the_epoch_closed_form_by_hand() {
        let c = pool(1);
        let r = &c.replica;
        let link = KvLink {
            rate: 1e10,
            latency_s: 0.0,
        };
        let m = DisaggModel {
            prefill: r,
            decode: r,
            prefill_per_decode: 2.0,
            input: 1_000.0,
            output: 101.0,
            max_batch: 64,
            scv: 1.0,
            link,
            decode_per_link: 1.0,
        };
        // TTFT in service: the prefill, then 1,000 × 131,072 B ÷ 10 GB/s
        // = 13.1072 ms on the link.
        let kv = 1_000.0 * 131_072.0 / 1e10;
        assert_eq!(m.prefill_time(8.0), Some(r.prefill_time(1_000.0) + kv));
        // TPOT: one decode step of b requests of 1,000 + 50.5 tokens each.
        assert_eq!(m.tpot(8.0), Some(r.decode_step(8.0, 8.0 * 1_050.5)));
        // Rate: the decode copy's b ÷ (100 steps), below the prefill
        // share's 2 ÷ prefill(1,000) at a batch of 1, capped by it at 64.
        let decode_1 = 1.0 / (100.0 * r.decode_step(1.0, 1_050.5));
        let prefill = 2.0 / r.prefill_time(1_000.0);
        assert!(decode_1 < prefill);
        assert_eq!(m.service_rate(1.0), decode_1);
        let decode_64 = 64.0 / (100.0 * r.decode_step(64.0, 64.0 * 1_050.5));
        assert_eq!(m.service_rate(64.0), decode_64.min(prefill));
        assert_eq!(m.service_rate(0.0), 0.0);
        // The link's share binds once it moves fewer KV caches than the
        // prefills yield: at 100 MB/s, 1e8 ÷ 131,072,000 B = 0.763 a second.
        let slow = DisaggModel {
            link: KvLink {
                rate: 1e8,
                latency_s: 0.0,
            },
            ..m
        };
        assert_eq!(slow.service_rate(64.0), 1e8 / 131_072_000.0);
    }

    /// Separate pools by hand: a load that stresses only prefill scales
    /// only the prefill pool, and one that stresses only decode only the
    /// decode pool. One H100 copy of Llama 3.1 8B at half its peak: prefill
    /// 989e12 × 0.5 = 494.5 TFLOP/s, decode 3.35e12 × 0.5 = 1.675 TB/s;
    /// weights 8.03e9 × 2 B = 16.06 GB, 131,072 B of KV per token. Pools of
    /// 2 prefill and 4 decode copies a replica, target utilization 0.8,
    /// decode batch 8, 20 requests a second.
    ///
    /// - i = 1,000, o = 101: prefill 2 × 8.03e9 × 1,000 ÷ 494.5e12 =
    ///   32.477 ms, 20 × 0.032477 ÷ 1.6 = 0.406 → 1 replica; τ(8) =
    ///   (16.06e9 + 131,072 × 8 × 1,050.5) ÷ 1.675e12 = 10.246 ms, μ_d = 8 ÷
    ///   (100 × 0.010246) = 7.808/s, 20 ÷ (3.2 × 7.808) = 0.800 → 1.
    /// - Prompts of 4,000 tokens: prefill 129.91 ms, 20 × 0.12991 ÷ 1.6 =
    ///   1.624 → 2 replicas; τ(8) = 12.124 ms (more KV read), μ_d = 6.599/s,
    ///   20 ÷ (3.2 × 6.599) = 0.947 → still 1.
    /// - Answers of 201 tokens: prefill unchanged (1); τ(8) = 10.277 ms,
    ///   μ_d = 8 ÷ (200 × 0.010277) = 3.892/s, 20 ÷ (3.2 × 3.892) = 1.606
    ///   → 2.
    ///
    /// One replica set holding both pools in a fixed ratio would add a
    /// whole replica (2 prefill and 4 decode copies) for either load.
    #[test]
    fn each_pool_scales_on_its_own_load() {
        let c = Catalog::builtin();
        let eff = crate::workload::serving::roofline::Efficiency {
            prefill: 0.5,
            decode: 0.5,
            source: "test",
        };
        let r = Replica::with_efficiency(
            model("llama-3.1-8b").unwrap().spec,
            c.chip("h100").unwrap(),
            1,
            eff,
        )
        .unwrap();
        let sizing = |input: f64, output: f64| PoolSizing {
            prefill: &r,
            prefill_copies: 2,
            decode: &r,
            decode_copies: 4,
            input,
            output,
            batch: 8,
            target_utilization: 0.8,
            prefill_bounds: (1, 10),
            decode_bounds: (1, 10),
        };
        let base = sizing(1_000.0, 101.0);
        assert!((r.prefill_time(1_000.0) - 0.032_477).abs() < 1e-6);
        assert!((base.decode_rate() - 7.808).abs() < 1e-3);
        let sizes = |s: PoolSizing<'_>| s.sizes(20.0);
        let one = |prefill, decode| PoolSizes { prefill, decode };
        assert_eq!(sizes(base), one(1, 1));
        let long_prompts = sizing(4_000.0, 101.0);
        assert!((long_prompts.decode_rate() - 6.599).abs() < 1e-3);
        assert_eq!(sizes(long_prompts), one(2, 1));
        let long_answers = sizing(1_000.0, 201.0);
        assert!((long_answers.decode_rate() - 3.892).abs() < 1e-3);
        assert_eq!(sizes(long_answers), one(1, 2));
        // Each pool within its own bounds: no load leaves the minimum, an
        // unservable one asks for the most; one output token needs no
        // decode beyond the minimum.
        assert_eq!(
            sizes(PoolSizing {
                prefill_bounds: (3, 10),
                ..base
            }),
            one(3, 1)
        );
        assert_eq!(base.sizes(0.0), one(1, 1));
        assert_eq!(base.sizes(f64::INFINITY), one(10, 10));
        assert_eq!(sizing(1_000.0, 1.0).sizes(20.0), one(1, 1));
    }

    /// Groups that do not divide the prefill copies are refused.
    #[test]
    fn uneven_groups_are_refused() {
        let link = KvLink {
            rate: 1e9,
            latency_s: 0.0,
        };
        let config = DisaggConfig {
            prefill: pool(3),
            decode: pool(1),
            links: vec![link, link],
        };
        assert_eq!(
            simulate(&config, &[req(0.0, 1, 1)]),
            Err(DisaggError::Groups {
                prefill: 3,
                groups: 2
            })
        );
    }
}
