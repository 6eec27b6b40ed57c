//! The roofline as the epoch model reads it: [`RooflineModel`], and
//! [`FastRoofline`], the same answers from terms worked out once.

use crate::workload::serving::epoch::ServiceModel;
use crate::workload::serving::roofline::Replica;

/// A replica's roofline as the epoch model reads it, for requests of the
/// service's mean input and output tokens.
pub struct RooflineModel<'a> {
    /// The replica.
    pub replica: &'a Replica,
    /// Mean input tokens per request.
    pub input: f64,
    /// Mean output tokens per request.
    pub output: f64,
    /// The most requests a replica batches.
    pub max_batch: u32,
    /// Squared coefficient of variation of the time in service (1:
    /// exponential, the M/M/c model).
    pub scv: f64,
    /// Iterations a mean prompt takes to prefill
    /// ([`crate::workload::serving::roofline::prefill_chunks`]; 1 for whole prefills): each
    /// one more holds the request's batch slot for a decode step of the
    /// batch and adds that step to its time to first token.
    pub prefill_chunks: f64,
}

impl ServiceModel for RooflineModel<'_> {
    fn service_rate(&self, batch: f64) -> f64 {
        if batch <= 0.0 {
            0.0
        } else {
            self.replica
                .service_rate_chunked(batch, self.input, self.output, self.prefill_chunks)
        }
    }

    fn max_batch(&self) -> u32 {
        self.max_batch
    }

    fn service_scv(&self) -> f64 {
        self.scv
    }

    fn prefill_time(&self, batch: f64) -> Option<f64> {
        let p = self.replica.prefill_time(self.input);
        Some(if self.prefill_chunks > 1.0 {
            p + (self.prefill_chunks - 1.0)
                * self
                    .replica
                    .decode_step(batch, batch * (self.input + self.output / 2.0))
        } else {
            p
        })
    }

    fn tpot(&self, batch: f64) -> Option<f64> {
        Some(
            self.replica
                .decode_step(batch, batch * (self.input + self.output / 2.0)),
        )
    }

    fn batch_for_rate(&self, per_replica: f64) -> Option<Option<f64>> {
        Some(self.replica.batch_for_rate_chunked(
            per_replica,
            self.input,
            self.output,
            u64::from(self.max_batch),
            self.prefill_chunks,
        ))
    }
}

/// The terms of a [`RooflineModel`]'s formulas that do not depend on the
/// batch, worked out once: the prefill time of a mean prompt, the decode
/// steps a request holds its slot for, the context a request brings to a
/// step, a dense model's weight bytes, the all-reduce's factor and the
/// closed form's constants. [`FastRoofline`] answers every question of the
/// model from them with the same operations in the same order, so the
/// same bits; a service keeps its uncapped replica's terms for the run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RooflineTerms {
    /// Time to prefill a mean prompt [s]: `prefill_time(input)`.
    prefill: f64,
    /// Decode steps a request holds its batch slot for besides its
    /// prefill: `(output − 1)⁺ + (chunks − 1)`.
    steps: f64,
    /// Context a request brings to a decode step [tokens]:
    /// `input + output ÷ 2`.
    context: f64,
    /// Iterations a mean prompt takes to prefill.
    chunks: f64,
    /// Weight bytes a decode step reads \[B\] when they do not depend on
    /// the batch (a dense model; a mixture of experts whose tokens visit
    /// them all); `None` for a mixture of experts.
    step_weight: Option<f64>,
    /// Weight bytes held \[B\] (the closed form's numerator).
    weight: f64,
    /// KV-cache bytes per token of context [B/token].
    kv_bytes_per_token: f64,
    /// Decode bandwidth [B/s].
    decode_bandwidth: f64,
    /// The all-reduce of `t` tokens as `(factor, hidden, link)`: its time
    /// is `factor × (t × hidden × 2 B) ÷ link` \[s\]; `None` when it is 0
    /// (one chip, unknown shape).
    allreduce: Option<(f64, f64, f64)>,
    /// The largest batch the closed form accepts \[requests\].
    cap: f64,
    /// The closed form's steps × (KV bytes of a request's context + a
    /// token's all-reduce × bandwidth) \[B\].
    held: f64,
    /// Whether the model has routed experts (the batch for a rate is then
    /// bisected).
    experts: bool,
    /// The largest batch \[requests\] and the service rate there
    /// [requests/s], which the epoch model asks for several times.
    top: (f64, f64),
}

impl RooflineTerms {
    /// The terms of `m`.
    pub(crate) fn new(m: &RooflineModel<'_>) -> Self {
        let r = m.replica;
        let model = &r.model;
        let n = f64::from(r.chips);
        let allreduce = (r.chips > 1 && model.layers > 0 && r.link_bandwidth > 0.0).then(|| {
            (
                2.0 * f64::from(model.layers) * 2.0 * (n - 1.0) / n,
                f64::from(model.hidden),
                r.link_bandwidth,
            )
        });
        let steps = (m.output - 1.0).max(0.0) + (m.prefill_chunks - 1.0);
        RooflineTerms {
            prefill: r.prefill_time(m.input),
            steps,
            context: m.input + m.output / 2.0,
            chunks: m.prefill_chunks,
            step_weight: (model.experts == 0 || model.experts_per_token >= model.experts)
                .then(|| model.weight_bytes()),
            weight: model.weight_bytes(),
            kv_bytes_per_token: model.kv_bytes_per_token,
            decode_bandwidth: r.decode_bandwidth,
            allreduce,
            cap: r
                .max_batch_for(m.input, m.output)
                .min(u64::from(m.max_batch)) as f64,
            held: steps
                * (model.kv_bytes_per_token * (m.input + m.output / 2.0)
                    + r.allreduce_time(1.0) * r.decode_bandwidth),
            experts: model.experts > 0,
            top: (
                f64::from(m.max_batch),
                m.service_rate(f64::from(m.max_batch)),
            ),
        }
    }
}

/// A [`RooflineModel`] answered from its [`RooflineTerms`]: the same
/// values, bit for bit, in a few operations each.
pub(crate) struct FastRoofline<'a> {
    /// The model.
    pub(crate) model: RooflineModel<'a>,
    /// Its terms.
    pub(crate) terms: RooflineTerms,
}

impl FastRoofline<'_> {
    /// [`Replica::allreduce_time`] of `tokens`.
    #[inline]
    fn allreduce_time(&self, tokens: f64) -> f64 {
        match self.terms.allreduce {
            None => 0.0,
            Some((factor, hidden, link)) => {
                let message =
                    tokens * hidden * crate::workload::serving::roofline::ACTIVATION_BYTES;
                factor * message / link
            }
        }
    }

    /// A decode step over `batch` mean requests \[s\]:
    /// [`Replica::decode_step`] of `batch` and `batch × context`.
    #[inline]
    fn step(&self, batch: f64) -> f64 {
        let t = &self.terms;
        let weight = match t.step_weight {
            Some(w) => w,
            None => self.model.replica.model.step_weight_bytes(batch),
        };
        (weight + t.kv_bytes_per_token * (batch * t.context)) / t.decode_bandwidth
            + self.allreduce_time(batch)
    }

    /// [`Replica::service_rate_chunked`] at `batch` [requests/s].
    #[inline]
    fn rate(&self, batch: f64) -> f64 {
        let tau = self.step(batch);
        batch / (batch * self.terms.prefill + self.terms.steps * tau)
    }
}

impl ServiceModel for FastRoofline<'_> {
    #[inline]
    fn service_rate(&self, batch: f64) -> f64 {
        if batch == self.terms.top.0 {
            self.terms.top.1
        } else if batch <= 0.0 {
            0.0
        } else {
            self.rate(batch)
        }
    }

    #[inline]
    fn max_batch(&self) -> u32 {
        self.model.max_batch
    }

    #[inline]
    fn service_scv(&self) -> f64 {
        self.model.scv
    }

    #[inline]
    fn prefill_time(&self, batch: f64) -> Option<f64> {
        let p = self.terms.prefill;
        Some(if self.terms.chunks > 1.0 {
            p + (self.terms.chunks - 1.0) * self.step(batch)
        } else {
            p
        })
    }

    #[inline]
    fn tpot(&self, batch: f64) -> Option<f64> {
        Some(self.step(batch))
    }

    fn knows_prefill(&self) -> bool {
        true
    }

    fn knows_tpot(&self) -> bool {
        true
    }

    /// [`Replica::batch_for_rate_chunked`] from the terms.
    fn batch_for_rate(&self, per_replica: f64) -> Option<Option<f64>> {
        let t = &self.terms;
        let rate = per_replica;
        if rate <= 0.0 {
            return Some(Some(0.0));
        }
        let cap = t.cap;
        let b = if t.steps == 0.0 {
            rate * t.prefill
        } else if t.experts {
            if cap <= 0.0 || self.rate(cap) < rate {
                return Some(None);
            }
            let (mut lo, mut hi) = (0.0, cap);
            for _ in 0..200 {
                if hi - lo <= 1e-9 * cap {
                    break;
                }
                let mid = 0.5 * (lo + hi);
                if self.rate(mid) < rate {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            hi
        } else {
            let denom = t.decode_bandwidth * (1.0 / rate - t.prefill) - t.held;
            if denom <= 0.0 {
                return Some(None);
            }
            t.steps * t.weight / denom
        };
        Some(if b > cap { None } else { Some(b) })
    }
}

/// The roofline of a colocated service's replica `replica` (its own, or
/// slowed under a power cap) for the service's mean requests.
pub(super) fn colocated<'a>(
    replica: &'a Replica,
    service: &crate::workload::serving::config::Service,
    max_batch: u32,
    scv: f64,
) -> RooflineModel<'a> {
    RooflineModel {
        replica,
        input: service.input_tokens,
        output: service.output_tokens,
        max_batch,
        scv,
        // The chunks of the prompt's tokens not found in the cache.
        prefill_chunks: crate::workload::serving::roofline::prefill_chunks(
            service.input_tokens * (1.0 - service.prefix_hit_rate),
            match service.prefill {
                crate::workload::serving::requests::Prefill::Chunked { budget } => Some(budget),
                crate::workload::serving::requests::Prefill::Whole => None,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::workload::serving::roofline::{Precision, model};

    /// Every answer of [`FastRoofline`] has the bits of [`RooflineModel`]'s:
    /// dense and mixture-of-experts models, one chip and tensor-parallel,
    /// whole and chunked prefills, capped batches, slowed replicas, batches
    /// and rates from 0 to beyond capacity.
    #[test]
    fn fast_roofline_answers_as_the_model_to_the_bit() {
        let c = Catalog::builtin();
        let fp8 = |name: &str| {
            model(name)
                .unwrap()
                .spec
                .at_precision(Precision::Fp8, Precision::Bf16)
        };
        let replicas = [
            Replica::new(
                model("llama-3.1-8b").unwrap().spec,
                c.chip("h100").unwrap(),
                1,
            ),
            Replica::new(
                model("llama-3.1-70b").unwrap().spec,
                c.chip("h100").unwrap(),
                8,
            ),
            Replica::new(fp8("llama-3.1-405b"), c.chip("gb200").unwrap(), 36),
            Replica::new(
                model("deepseek-v3").unwrap().spec,
                c.chip("h200").unwrap(),
                8,
            ),
        ]
        .map(|r| r.unwrap().with_prefix_hit_rate(0.25));
        for replica in &replicas {
            for speed in [1.0, 0.83] {
                let r = replica.slowed(speed);
                for (input, output) in [(1000.0, 250.0), (20_000.0, 30.0), (500.0, 1.0)] {
                    let full = r.max_batch_for(input, output).min(4096) as u32;
                    for (max_batch, chunks) in [(full, 1.0), (full / 3 + 1, 3.0)] {
                        let m = RooflineModel {
                            replica: &r,
                            input,
                            output,
                            max_batch,
                            scv: 1.0,
                            prefill_chunks: chunks,
                        };
                        let fast = FastRoofline {
                            terms: RooflineTerms::new(&m),
                            model: RooflineModel { ..m },
                        };
                        let top = m.service_rate(f64::from(max_batch));
                        for k in 0..=40 {
                            let b =
                                f64::from(max_batch) * f64::from(k) / 37.0 + 1e-3 * f64::from(k);
                            assert_eq!(m.service_rate(b).to_bits(), fast.service_rate(b).to_bits());
                            assert_eq!(
                                m.prefill_time(b).map(f64::to_bits),
                                fast.prefill_time(b).map(f64::to_bits)
                            );
                            assert_eq!(m.tpot(b).map(f64::to_bits), fast.tpot(b).map(f64::to_bits));
                            let rate = top * f64::from(k) / 33.0;
                            assert_eq!(
                                m.batch_for_rate(rate).map(|b| b.map(f64::to_bits)),
                                fast.batch_for_rate(rate).map(|b| b.map(f64::to_bits)),
                                "rate {rate}"
                            );
                        }
                    }
                }
            }
        }
    }
}
