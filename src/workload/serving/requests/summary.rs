//! What a run measured: per-request rows, latency percentiles, SLO
//! attainment and the run's summary.

use super::{PrefixStats, ServeRun};
use crate::workload::serving::trace::TraceRequest;

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

/// The longest slice [`sort_total`] radix-sorts: its key buffers then
/// take at most 16 MiB.
const RADIX_MAX: usize = 1 << 20;

/// Sorts `values` in the order of [`f64::total_cmp`], as
/// `sort_unstable_by(f64::total_cmp)` does: values equal in that order have
/// the same bits, so the result is the same array. A short slice is sorted
/// so; a long one (a request window's latencies, hundreds of thousands) by
/// the bits' order-preserving keys, eight bits at a time from the lowest
/// (a least-significant-digit radix sort: O(n) a pass, a pass skipped
/// where every key has the same digit). The radix sort needs two buffers
/// of keys, 16 bytes a value: a slice longer than [`RADIX_MAX`] is sorted
/// in place instead, so the memory of a long replay (10 M requests in one
/// window) does not grow with it.
fn sort_total(values: &mut [f64]) {
    const SIGN: u64 = 1 << 63;
    if values.len() < 1024 || values.len() > RADIX_MAX {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    // Negative values (sign bit set) in reverse order of their bits below
    // the positive ones in order of theirs: `total_cmp`'s order as
    // unsigned integers.
    let mut keys: Vec<u64> = values
        .iter()
        .map(|v| {
            let b = v.to_bits();
            if b & SIGN != 0 { !b } else { b | SIGN }
        })
        .collect();
    let mut spare = vec![0u64; keys.len()];
    for shift in (0..64).step_by(8) {
        let mut counts = [0usize; 256];
        for &k in &keys {
            counts[((k >> shift) & 0xff) as usize] += 1;
        }
        if counts.contains(&keys.len()) {
            continue;
        }
        let mut at = 0;
        for c in &mut counts {
            let n = *c;
            *c = at;
            at += n;
        }
        for &k in &keys {
            let digit = ((k >> shift) & 0xff) as usize;
            spare[counts[digit]] = k;
            counts[digit] += 1;
        }
        std::mem::swap(&mut keys, &mut spare);
    }
    for (v, &k) in values.iter_mut().zip(&keys) {
        *v = f64::from_bits(if k & SIGN != 0 { k & !SIGN } else { !k });
    }
}

impl Latency {
    /// The statistics of `values`, sorted in place (unstable: values equal
    /// under `total_cmp` have the same bits, so the order is the stable
    /// one's, without its buffer).
    fn of(values: &mut [f64]) -> Latency {
        sort_total(values);
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

/// How a run fared against an `Slo`.
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

#[cfg(test)]
mod sort_tests {
    use super::sort_total;

    /// The radix sort leaves every bit where `sort_unstable_by(f64::total_cmp)`
    /// does: latencies, duplicates, both zeros, infinities, NaNs of both
    /// signs, subnormals, short and long slices.
    #[test]
    fn sort_total_is_sort_by_total_cmp() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [0usize, 1, 5, 1023, 1024, 5000, 70_000, super::RADIX_MAX + 1] {
            let values: Vec<f64> = (0..n)
                .map(|i| match next() % 16 {
                    0 => f64::from_bits(next()),
                    1 => -0.0,
                    2 => 0.0,
                    3 => f64::INFINITY,
                    4 => f64::NEG_INFINITY,
                    5 => f64::from_bits(0x7ff8_0000_0000_0001 | (next() & 0xffff)),
                    6 => f64::from_bits(0xfff8_0000_0000_0000 | (next() & 0xffff)),
                    7 => f64::from_bits(next() & 0x000f_ffff_ffff_ffff),
                    8 => (i % 17) as f64 * 0.25,
                    9 => -((next() % 1000) as f64) / 7.0,
                    _ => (next() % 1_000_000) as f64 * 1e-4,
                })
                .collect();
            let mut want = values.clone();
            want.sort_unstable_by(f64::total_cmp);
            let mut got = values;
            sort_total(&mut got);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want), "n = {n}");
        }
    }
}
