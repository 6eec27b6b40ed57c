//! The epoch model of a service: one epoch (default 15 minutes) of
//! arrivals at `c` replicas, answered by a queueing model instead of
//! request events. Pure functions: no world access.
//!
//! # The replicas as slots
//!
//! A replica batches continuously: it holds up to `B` requests
//! ([`ServiceModel::max_batch`]) and, holding `b`, completes
//! `μ(b)` requests/s ([`ServiceModel::service_rate`], nondecreasing in
//! `b`: batching buys throughput). A request therefore stays in the batch
//! for `S(b) = b/μ(b)` seconds (Little's law on the replica). Requests wait
//! in one FIFO queue only when every slot of every replica is taken. The
//! model is an **M/M/N queue of `N = c·B` slots**, each slot serving at
//! rate `1/S(b*)`, `b*` the batch a replica holds at this epoch's load:
//!
//! - **Fixed point.** The batch depends on the time in service and the time
//!   in service on the batch: `b = (λ/c)·S(b)` (Little's law,
//!   concurrency = arrival rate per replica × time in service), that is
//!   `μ(b) = λ/c` — the batch at which a replica completes what it
//!   receives. It is solved by bisection on `[0, B]` (μ nondecreasing),
//!   stopping when the bracket is below `1e−9·B` or after 100 halvings:
//!   always terminates, `b*` within `1e−9·B` of the root.
//! - **Saturation.** A replica's capacity is `μ(B)`; the epoch's capacity is
//!   `K = c·μ(B)` [requests/s]. If `λ ≥ K` there is no root below `B`: the
//!   batches are full, `K·T` requests are served, the rest are beyond
//!   capacity.
//! - **Wait.** Erlang C for `N` servers and offered load `a = λ·S(b*)`
//!   ([`super::erlang::MMc`]) gives `P(wait)`, and the wait tail
//!   `C·e^{−θt}`, `θ = N/S(b*) − λ`. **M/G/c by Allen–Cunneen**: with a
//!   squared coefficient of variation `C_s²` of the time in service
//!   ([`ServiceModel::service_scv`], 1 = exponential = exact M/M/N), the
//!   wait is scaled by `k = (1 + C_s²)/2`: mean `k·C/θ`, tail
//!   `C·e^{−θt/k}`, `P(wait)` unchanged (the usual approximation, within a
//!   few per cent of simulation for moderate `C_s²` and loads ≥ 0.5, worse
//!   for light loads where the wait is negligible anyway). Close to
//!   saturation a queue would not reach its steady state in one epoch: the
//!   mean stationary wait is capped at the epoch length `T` (the tail's
//!   rate is at least `C/T`).
//! - **Response time** (wait + service): the service time is taken as
//!   exponential of mean `S(b)` and the tail computed exactly for that
//!   (see [`super::erlang`]); with `C_s² ≠ 1` this is an approximation.
//!
//! # Backlog, drops and the fluid queue
//!
//! When the queue cannot keep up — `λ ≥ K`, or a backlog `Q₀` is carried
//! in — the epoch is a FIFO fluid queue served at `K`: the backlog first
//! (its requests' ages spread evenly from `head_age` at its head to 0 at
//! its tail), then the arrivals. While the queue is not empty the batches
//! are full (`b = B`). A request's wait is its age at the epoch start (for
//! the backlog) plus the time until its turn; it is linear in its place in
//! line, so each fluid segment's waits are uniform between its first and
//! last. With `λ < K` the backlog drains at `K − λ` in `Q₀/(K − λ)`
//! seconds; the arrivals after that see the stationary M/M/N queue above.
//! At the epoch's end the requests still in line are **beyond capacity**:
//! [`Overflow::Drop`] drops them (as though they timed out at the epoch
//! boundary), [`Overflow::Backlog`] carries them into the next epoch with
//! the age of their head ([`Backlog`]). So the waits of a saturated epoch
//! are bounded by its own drain time — no infinity, no NaN.
//!
//! # Statistics of the epoch
//!
//! Latency, wait, TTFT and TPOT statistics are over the **requests served in
//! the epoch** (a mixture of the fluid segments and the stationary part,
//! weighted by their counts); quantiles are found by bisection on the
//! mixture's tail to a relative 1e−12. With nothing served they are 0.
//!
//! - TTFT = wait + [`ServiceModel::prefill_time`] at the batch (prefill
//!   taken as deterministic). TPOT = [`ServiceModel::tpot`] at the batch:
//!   its mean is over the served requests; its p99 takes the stationary
//!   part's batch at `b* + 2.326·√b*` (a Poisson spread of the per-replica
//!   batch, capped at `B`) and the fluid parts' at `B`, and is the largest
//!   over the parts that hold at least 1% of the served requests.
//! - **SLO attainment**: for a target `L` \[s\] on the latency (or the TTFT),
//!   the share of the requests that **leave the system in the epoch**
//!   (served, or dropped) whose latency is at most `L`; dropped requests
//!   never meet it; requests carried to the next epoch are counted when
//!   they leave. `slo_population` is that count, to weigh epochs; with
//!   none, the attainment is 1. The SLO is **met** when the attainment is
//!   at least the target's percentile (e.g. 0.99 for "p99 ≤ L").
//! - **Load** `u = served/(K·T)` ∈ [0, 1]: the share of the epoch's
//!   capacity used, which sets the replicas' chip power; 1 when saturated,
//!   0 without capacity.

use super::erlang::{MMc, hypoexp_tail, quantile_of_tail};

/// The percentile of the reported tail statistics (p99).
pub const TAIL_PERCENTILE: f64 = 0.99;

/// The normal 99th percentile, for the spread of a replica's batch.
const Z99: f64 = 2.326_347_874;

/// What one replica of a service does at a given batch.
///
/// Implemented by the roofline model of a replica; any model with a
/// throughput nondecreasing in its batch will do.
pub trait ServiceModel {
    /// Requests/s one replica completes while it holds `batch` requests
    /// (`0 ≤ batch ≤ max_batch`), nondecreasing in `batch`. A replica that
    /// serves one request at a time at rate μ is `μ·batch` with
    /// `max_batch = 1`.
    fn service_rate(&self, batch: f64) -> f64;

    /// The most requests one replica holds at once (its batch limit, e.g.
    /// by the HBM left for KV cache) \[requests\]; 0 is a replica that can
    /// serve nothing.
    fn max_batch(&self) -> u32;

    /// Squared coefficient of variation of a request's time in service
    /// \[dimensionless\]: 1 (the default) is exponential, the M/M/c model;
    /// other values scale the wait by `(1 + C_s²)/2` (Allen–Cunneen).
    fn service_scv(&self) -> f64 {
        1.0
    }

    /// Time from admission into a batch of `batch` to the first output
    /// token \[s\] (prefill), if the model knows it.
    fn prefill_time(&self, _batch: f64) -> Option<f64> {
        None
    }

    /// Time per output token at `batch` \[s\], if the model knows it.
    fn tpot(&self, _batch: f64) -> Option<f64> {
        None
    }

    /// Whether the model knows prefill times: [`ServiceModel::prefill_time`]
    /// at the full batch (at least 1) answers. A model that always answers
    /// may say so without working one out.
    fn knows_prefill(&self) -> bool {
        self.prefill_time(f64::from(self.max_batch()).max(1.0))
            .is_some()
    }

    /// Whether the model knows the time per output token, as
    /// [`ServiceModel::knows_prefill`] for [`ServiceModel::tpot`].
    fn knows_tpot(&self) -> bool {
        self.tpot(f64::from(self.max_batch()).max(1.0)).is_some()
    }

    /// The batch at which one replica completes `per_replica` requests/s,
    /// in closed form, if the model has one (else [`batch_at_load`]
    /// bisects on [`ServiceModel::service_rate`]); `None` from it means
    /// the rate is beyond the model's capacity.
    fn batch_for_rate(&self, _per_replica: f64) -> Option<Option<f64>> {
        None
    }
}

/// What happens to requests beyond the epoch's capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Dropped at the end of the epoch (lost).
    #[default]
    Drop,
    /// Carried into the next epoch, first in line there.
    Backlog,
}

/// Requests waiting in line at an epoch boundary.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Backlog {
    /// How many \[requests\].
    pub requests: f64,
    /// How long the oldest of them (the head of the line) has waited \[s\];
    /// the others' ages are taken as spread evenly down to 0.
    pub head_age_s: f64,
}

/// Which latency an SLO bounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SloMetric {
    /// End-to-end latency: wait + time in service.
    #[default]
    Latency,
    /// Time to first token: wait + prefill (the prefill time must be
    /// known, else it is the wait alone).
    Ttft,
}

/// A latency target: at least `percentile` of requests within `target_s`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slo {
    /// Which latency.
    pub metric: SloMetric,
    /// The bound \[s\].
    pub target_s: f64,
    /// The share of requests that must meet it [0–1], e.g. 0.99.
    pub percentile: f64,
}

/// One epoch of one service.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochInput {
    /// Epoch length `T` \[s\] (default [`DEFAULT_EPOCH_S`]).
    pub length_s: f64,
    /// Arrival rate λ over the epoch [requests/s].
    pub arrival_rate: f64,
    /// Replicas serving, `c`.
    pub replicas: u32,
    /// Requests carried in from the previous epoch.
    pub backlog: Backlog,
    /// What to do with requests beyond capacity.
    pub overflow: Overflow,
    /// The latency target.
    pub slo: Slo,
}

/// Everything an epoch produced. Every number is finite.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EpochOutcome {
    /// Capacity `K = c·μ(B)` [requests/s].
    pub capacity_rps: f64,
    /// Share of the epoch's capacity used, `served/(K·T)` [0–1].
    pub utilization: f64,
    /// Load `u` [0–1] that sets the replicas' chip power (= utilization).
    pub load: f64,
    /// Whether arrivals reached capacity (`λ ≥ K`, with λ > 0).
    pub saturated: bool,
    /// Batch a replica holds \[requests\]: `b*` of the fixed point, or `B`
    /// when saturated.
    pub batch: f64,
    /// Time a request spends in its batch, `S(batch)` \[s\].
    pub time_in_service_s: f64,
    /// Erlang C of the stationary part (1 when saturated, 0 without load).
    pub erlang_c: f64,
    /// Share of the served requests that waited (Erlang C when nothing is
    /// carried in and the queue is stable).
    pub p_wait: f64,
    /// Mean wait in line of the served requests \[s\].
    pub mean_wait_s: f64,
    /// 99th percentile of that wait \[s\].
    pub p99_wait_s: f64,
    /// Mean latency (wait + time in service) \[s\].
    pub mean_latency_s: f64,
    /// 99th percentile latency \[s\].
    pub p99_latency_s: f64,
    /// Mean time to first token \[s\], if the model knows prefill times.
    pub mean_ttft_s: Option<f64>,
    /// 99th percentile time to first token \[s\].
    pub p99_ttft_s: Option<f64>,
    /// Mean time per output token \[s\], if the model knows it.
    pub mean_tpot_s: Option<f64>,
    /// 99th percentile time per output token \[s\] (see the module notes).
    pub p99_tpot_s: Option<f64>,
    /// Requests that arrived in the epoch, `λ·T`.
    pub arrived: f64,
    /// Requests served in the epoch (backlog included).
    pub served: f64,
    /// Requests still in line at the end: dropped or carried.
    pub beyond_capacity: f64,
    /// Of those, dropped.
    pub dropped: f64,
    /// Of those, carried into the next epoch.
    pub backlog_out: Backlog,
    /// Share of the requests leaving in the epoch that met the SLO target.
    pub slo_attainment: f64,
    /// Requests leaving in the epoch (served + dropped): the attainment's
    /// population.
    pub slo_population: f64,
    /// Whether the attainment reached the SLO's percentile.
    pub slo_met: bool,
}

/// How the waits of one part of the served requests are distributed.
#[derive(Clone, Copy, Debug)]
enum WaitLaw {
    /// Uniform between two waits [s] (a fluid segment of the line).
    Uniform(f64, f64),
    /// 0 with probability `1 − c`, else exponential of rate `theta` [1/s].
    Stationary { c: f64, theta: f64 },
}

/// A part of the served requests with one wait law and one batch.
#[derive(Clone, Copy, Debug)]
struct Part {
    /// How many requests.
    count: f64,
    wait: WaitLaw,
    /// Rate of the (exponential) time in service, `1/S(b)` [1/s].
    service_rate: f64,
    /// Prefill time [s] (0 if unknown).
    prefill: f64,
    /// Batch for TPOT: mean and p99.
    tpot_batch: (f64, f64),
}

impl Part {
    fn mean_wait(&self) -> f64 {
        match self.wait {
            WaitLaw::Uniform(a, b) => 0.5 * (a + b),
            WaitLaw::Stationary { c, theta } => {
                if c > 0.0 {
                    c / theta
                } else {
                    0.0
                }
            }
        }
    }

    fn p_wait(&self) -> f64 {
        match self.wait {
            WaitLaw::Uniform(a, b) => {
                if a.max(b) > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            WaitLaw::Stationary { c, .. } => c,
        }
    }

    /// `P(wait > t)`.
    fn wait_tail(&self, t: f64) -> f64 {
        if t < 0.0 {
            return 1.0;
        }
        match self.wait {
            WaitLaw::Uniform(a, b) => {
                let (lo, hi) = (a.min(b), a.max(b));
                if t >= hi {
                    0.0
                } else if t < lo {
                    1.0
                } else {
                    (hi - t) / (hi - lo)
                }
            }
            WaitLaw::Stationary { c, theta } => {
                let x = -theta * t;
                if c == 0.0 && x < 700.0 {
                    // No request waits: C times a finite e^x is C (±0),
                    // without working out e^x.
                    c
                } else {
                    c * x.exp()
                }
            }
        }
    }

    /// `P(wait + service > t)`, service exponential of rate `service_rate`.
    fn response_tail(&self, t: f64) -> f64 {
        let nu = self.service_rate;
        if t <= 0.0 {
            return 1.0;
        }
        match self.wait {
            WaitLaw::Uniform(a, b) => {
                let (lo, hi) = (a.min(b), a.max(b));
                if t <= lo {
                    1.0
                } else if hi - lo <= 1e-12 * hi.max(1e-300) {
                    (-nu * (t - lo)).exp()
                } else if t >= hi {
                    ((-nu * (t - hi)).exp() - (-nu * (t - lo)).exp()) / (nu * (hi - lo))
                } else {
                    ((hi - t) + (-(-nu * (t - lo)).exp_m1()) / nu) / (hi - lo)
                }
            }
            WaitLaw::Stationary { c, theta } => {
                let none = (1.0 - c) * (-nu * t).exp();
                if c > 0.0 {
                    none + c * hypoexp_tail(theta, nu, t)
                } else {
                    none
                }
            }
        }
    }
}

/// The parts of an epoch's served requests, at most three (the backlog's
/// fluid segment, the arrivals' behind it, the stationary part), held in
/// place rather than on the heap.
#[derive(Clone, Copy)]
struct Parts {
    items: [Part; 3],
    len: usize,
}

impl Parts {
    /// No parts.
    fn new() -> Self {
        const NONE: Part = Part {
            count: 0.0,
            wait: WaitLaw::Uniform(0.0, 0.0),
            service_rate: 0.0,
            prefill: 0.0,
            tpot_batch: (0.0, 0.0),
        };
        Parts {
            items: [NONE; 3],
            len: 0,
        }
    }

    fn push(&mut self, part: Part) {
        self.items[self.len] = part;
        self.len += 1;
    }

    fn as_slice(&self) -> &[Part] {
        &self.items[..self.len]
    }

    /// Keeps the parts that hold requests (`count > 0`), in order.
    fn keep_served(&mut self) {
        let mut kept = 0;
        for k in 0..self.len {
            if self.items[k].count > 0.0 {
                self.items[kept] = self.items[k];
                kept += 1;
            }
        }
        self.len = kept;
    }
}

/// The served requests: parts weighted by their counts.
struct Mixture<'a>(&'a [Part]);

impl Mixture<'_> {
    /// The parts.
    fn parts(&self) -> &[Part] {
        self.0
    }
    fn total(&self) -> f64 {
        self.parts().iter().map(|p| p.count).sum()
    }
    fn mean(&self, f: impl Fn(&Part) -> f64) -> f64 {
        let n = self.total();
        if n > 0.0 {
            self.parts().iter().map(|p| p.count * f(p)).sum::<f64>() / n
        } else {
            0.0
        }
    }
    fn tail(&self, t: f64, f: impl Fn(&Part, f64) -> f64) -> f64 {
        self.mean(|p| f(p, t))
    }
    fn quantile(&self, p: f64, scale: f64, f: impl Fn(&Part, f64) -> f64) -> f64 {
        if self.total() <= 0.0 {
            return 0.0;
        }
        let q = quantile_of_tail(p, scale, |t| self.tail(t, &f));
        if q.is_finite() { q } else { 0.0 }
    }
}

/// `x` if finite and positive, else 0.
fn nonneg(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// Time in service `S(b) = b/μ(b)` [s] at batch `b` (at least a
/// billionth of `B`, so `S(0)` is its limit), infinite if μ is 0 there.
#[inline]
fn time_in_service<M: ServiceModel + ?Sized>(model: &M, b: f64, max_b: f64) -> f64 {
    let b = b.max(1e-9 * max_b).max(1e-300);
    let mu = nonneg(model.service_rate(b));
    if mu > 0.0 { b / mu } else { f64::INFINITY }
}

/// The batch `b*` ∈ [0, B] at which a replica completes `per_replica`
/// requests/s: the fixed point `b = (λ/c)·S(b)`, by bisection (see the
/// module notes). `B` itself when the rate is at or above capacity.
pub fn batch_at_load<M: ServiceModel + ?Sized>(model: &M, per_replica: f64) -> f64 {
    let max_b = f64::from(model.max_batch());
    if max_b <= 0.0 {
        return 0.0;
    }
    if nonneg(model.service_rate(max_b)) <= per_replica {
        return max_b;
    }
    if let Some(closed) = model.batch_for_rate(per_replica) {
        return closed.map_or(max_b, |b| b.clamp(0.0, max_b));
    }
    let (mut lo, mut hi) = (0.0, max_b);
    for _ in 0..100 {
        if hi - lo <= 1e-9 * max_b {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if nonneg(model.service_rate(mid)) < per_replica {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The outcome of [`run_epoch_into`], returned.
#[cfg(test)]
pub fn run_epoch<M: ServiceModel + ?Sized>(model: &M, input: &EpochInput) -> EpochOutcome {
    let mut out = EpochOutcome::default();
    run_epoch_into(model, input, &mut out);
    out
}

/// Runs one epoch of a service on `input.replicas` replicas of `model`
/// into `out`, every field written (see the module notes for the model,
/// its approximations and the definitions of every output). Cost: one
/// fixed point (≤ 100 evaluations of the service rate), one Erlang C
/// (`O(√(λ·S))`, see [`super::erlang`]) and a few bounded bisections.
pub(crate) fn run_epoch_into<M: ServiceModel + ?Sized>(
    model: &M,
    input: &EpochInput,
    out: &mut EpochOutcome,
) {
    let t_len = nonneg(input.length_s);
    let lambda = nonneg(input.arrival_rate);
    let c = f64::from(input.replicas);
    let max_b = f64::from(model.max_batch());
    let mu_max = if max_b > 0.0 {
        nonneg(model.service_rate(max_b))
    } else {
        0.0
    };
    let cap = c * mu_max;
    let arrived = lambda * t_len;

    *out = EpochOutcome {
        capacity_rps: cap,
        arrived,
        ..EpochOutcome::default()
    };
    let mut parts = Parts::new();
    let queue = serve_queue(model, input, cap, out, &mut parts);
    let (served, q_end) = (queue.served, queue.q_end);
    out.served = served;
    out.beyond_capacity = q_end;
    match input.overflow {
        Overflow::Drop => out.dropped = q_end,
        Overflow::Backlog => {
            out.backlog_out = Backlog {
                requests: q_end,
                head_age_s: if q_end > 0.0 {
                    queue.head_end.max(0.0)
                } else {
                    0.0
                },
            }
        }
    }
    out.utilization = if cap > 0.0 && t_len > 0.0 {
        (served / (cap * t_len)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    out.load = out.utilization;

    // Statistics over the served requests.
    parts.keep_served();
    let mix = Mixture(parts.as_slice());
    latency_statistics(model, &mix, out);
    // The SLO over the requests leaving: served (by the model) or dropped.
    slo_attainment(input, &mix, served, out);
}

/// What the queue does over an epoch: the requests served, the backlog
/// left at its end and the age of that backlog's head.
struct Queue {
    /// Requests served.
    served: f64,
    /// Requests left waiting at the epoch's end.
    q_end: f64,
    /// Age of the oldest request left waiting [s].
    head_end: f64,
}

/// The epoch's queue at capacity `cap` [requests/s]: the backlog and the
/// arrivals behind it drain, then the steady state (or full batches all
/// epoch when at or over capacity). Sets the outcome's saturation, Erlang
/// C, batch and time in service; the served requests go to `parts`, as
/// parts with one wait law and one batch each.
fn serve_queue<M: ServiceModel + ?Sized>(
    model: &M,
    input: &EpochInput,
    cap: f64,
    out: &mut EpochOutcome,
    parts: &mut Parts,
) -> Queue {
    let t_len = nonneg(input.length_s);
    let lambda = nonneg(input.arrival_rate);
    let c = f64::from(input.replicas);
    let max_b = f64::from(model.max_batch());
    let q0 = nonneg(input.backlog.requests);
    let age0 = nonneg(input.backlog.head_age_s);
    let arrived = lambda * t_len;
    let prefill = |b: f64| model.prefill_time(b).map(nonneg);

    // The full-batch service of the fluid segments.
    let s_full = if cap > 0.0 {
        time_in_service(model, max_b, max_b)
    } else {
        0.0
    };
    let fluid = |count: f64, w0: f64, w1: f64| Part {
        count,
        wait: WaitLaw::Uniform(w0, w1),
        service_rate: 1.0 / s_full,
        prefill: prefill(max_b).unwrap_or(0.0),
        tpot_batch: (max_b, max_b),
    };

    let saturated = lambda > 0.0 && lambda >= cap;
    let (served, q_end, head_end);
    out.saturated = saturated;
    out.erlang_c = if saturated { 1.0 } else { 0.0 };
    out.batch = if saturated { max_b } else { 0.0 };
    out.time_in_service_s = if saturated { s_full } else { 0.0 };

    if cap <= 0.0 {
        served = 0.0;
        q_end = q0 + arrived;
        head_end = if q0 > 0.0 { age0 + t_len } else { t_len };
    } else {
        let drain = if lambda < cap && q0 > 0.0 {
            q0 / (cap - lambda)
        } else {
            0.0
        };
        let stationary_from = if q0 == 0.0 && !saturated {
            Some(0.0)
        } else if !saturated && drain < t_len {
            Some(drain)
        } else {
            None
        };
        match stationary_from {
            Some(s_d) => {
                // The backlog (if any) and the arrivals behind it drain,
                // then the steady state.
                if q0 > 0.0 {
                    out.batch = max_b;
                    out.time_in_service_s = s_full;
                    parts.push(fluid(q0, age0, q0 / cap));
                    parts.push(fluid(lambda * s_d, q0 / cap, 0.0));
                }
                let n_s = lambda * (t_len - s_d);
                if n_s > 0.0 {
                    let b = batch_at_load(model, lambda / c);
                    let s = time_in_service(model, b, max_b);
                    let slots = u64::from(input.replicas) * u64::from(model.max_batch());
                    let q = MMc::new(lambda, 1.0 / s, slots);
                    let k = (1.0 + nonneg(model.service_scv())) / 2.0;
                    let erlang_c = if q.is_stable() { q.p_wait() } else { 1.0 };
                    let theta = if erlang_c > 0.0 {
                        (q.wait_decay_rate() / k).max(erlang_c / t_len.max(1e-300))
                    } else {
                        1.0
                    };
                    out.erlang_c = erlang_c;
                    out.batch = b;
                    out.time_in_service_s = s;
                    let spread = (b + Z99 * b.sqrt()).min(max_b);
                    parts.push(Part {
                        count: n_s,
                        wait: WaitLaw::Stationary { c: erlang_c, theta },
                        service_rate: 1.0 / s,
                        prefill: prefill(b).unwrap_or(0.0),
                        tpot_batch: (b, spread),
                    });
                }
                served = q0 + arrived;
                q_end = 0.0;
                head_end = 0.0;
            }
            None => {
                // Full batches all epoch: K·T served, backlog first.
                let capacity = cap * t_len;
                served = capacity.min(q0 + arrived);
                let n_b = q0.min(capacity);
                if n_b > 0.0 {
                    parts.push(fluid(n_b, age0, age0 * (1.0 - n_b / q0) + n_b / cap));
                }
                if q0 < capacity && lambda > 0.0 {
                    let n_a = (capacity - q0).min(arrived);
                    let s_end = n_a / lambda;
                    parts.push(fluid(n_a, q0 / cap, (q0 + n_a) / cap - s_end));
                    head_end = t_len - s_end;
                } else {
                    head_end = age0 * (1.0 - capacity / q0.max(1e-300)) + t_len;
                }
                q_end = (q0 + arrived - served).max(0.0);
                if !saturated {
                    out.batch = max_b;
                    out.time_in_service_s = s_full;
                }
            }
        }
    }

    Queue {
        served,
        q_end,
        head_end,
    }
}

/// The mean and p99 wait, latency, TTFT and TPOT of the served requests
/// `mix`, into `out`.
fn latency_statistics<M: ServiceModel + ?Sized>(
    model: &M,
    mix: &Mixture<'_>,
    out: &mut EpochOutcome,
) {
    let tpot = |b: f64| model.tpot(b).map(nonneg);
    let p = TAIL_PERCENTILE;
    // The common case far from saturation: one stationary part in which no
    // request waits (Erlang C is 0). Its quantiles are closed forms — no
    // wait, an exponential time in service `−ln(1 − p)/ν`, TTFT the prefill
    // — so no bisection is needed.
    let no_wait = match mix.parts() {
        [only] => matches!(only.wait, WaitLaw::Stationary { c, .. } if c == 0.0),
        _ => false,
    };
    out.p_wait = mix.mean(Part::p_wait);
    out.mean_wait_s = mix.mean(Part::mean_wait);
    out.mean_latency_s = mix.mean(|x| x.mean_wait() + 1.0 / x.service_rate);
    if no_wait {
        out.p99_wait_s = 0.0;
        out.p99_latency_s = nonneg(-(1.0 - p).ln() / mix.parts()[0].service_rate);
    } else {
        out.p99_wait_s = mix.quantile(p, out.mean_wait_s, Part::wait_tail);
        out.p99_latency_s = mix.quantile(p, out.mean_latency_s, Part::response_tail);
    }
    let ttft_tail = |x: &Part, t: f64| x.wait_tail(t - x.prefill);
    if model.knows_prefill() {
        out.mean_ttft_s = Some(mix.mean(|x| x.mean_wait() + x.prefill));
        out.p99_ttft_s = Some(if no_wait {
            mix.parts()[0].prefill
        } else {
            mix.quantile(p, out.mean_ttft_s.unwrap_or(0.0), ttft_tail)
        });
    }
    if model.knows_tpot() {
        let of = |b: f64| tpot(b).unwrap_or(0.0);
        out.mean_tpot_s = Some(mix.mean(|x| of(x.tpot_batch.0)));
        let total = mix.total();
        out.p99_tpot_s = Some(
            mix.parts()
                .iter()
                .filter(|x| x.count >= 0.01 * total)
                .map(|x| of(x.tpot_batch.1))
                .fold(0.0, f64::max),
        );
    }
}

/// The SLO over the requests leaving (`served`, by the model, or dropped):
/// the share meeting the target, and whether it reaches the percentile.
fn slo_attainment(input: &EpochInput, mix: &Mixture<'_>, served: f64, out: &mut EpochOutcome) {
    let ttft_tail = |x: &Part, t: f64| x.wait_tail(t - x.prefill);
    let target = input.slo.target_s;
    let met_share = match input.slo.metric {
        SloMetric::Latency => 1.0 - mix.tail(target, Part::response_tail),
        SloMetric::Ttft => 1.0 - mix.tail(target, ttft_tail),
    };
    let leaving = served + out.dropped;
    out.slo_population = leaving;
    out.slo_attainment = if leaving > 0.0 {
        (served * met_share.clamp(0.0, 1.0) / leaving).clamp(0.0, 1.0)
    } else {
        1.0
    };
    out.slo_met = out.slo_attainment >= input.slo.percentile;
}
