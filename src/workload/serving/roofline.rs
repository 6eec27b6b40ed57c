//! A serving replica's speed from its chips: the roofline model.
//!
//! A replica is `chips` accelerators of one catalog model holding one copy of
//! a model's weights (tensor-parallel across its chips: weights, compute and
//! bandwidth are pooled). Its two phases are bound by different resources:
//!
//! - **prefill** (the prompt, all tokens at once) is compute-bound: `2·N`
//!   FLOPs per input token, so `t` tokens take
//!   `2·N·t ÷ (chips × peak BF16 × eff_prefill)` seconds;
//! - **decode** (one token per running request per step) is bound by HBM
//!   bandwidth: a step reads the weights once and the KV cache of every
//!   request in the batch, so a step over a batch whose contexts hold `C`
//!   tokens in all takes
//!   `(weight bytes + kv_bytes_per_token × C) ÷ (chips × HBM bandwidth × eff_decode)`.
//!
//! The batch is bounded by the HBM left after the weights:
//! `(chips × HBM − weight bytes) ÷ (kv_bytes_per_token × context tokens per
//! request)`. Weights that do not fit are a [`RooflineError`].
//!
//! The efficiencies (the fraction of the peak a serving stack reaches) are
//! kept in one table, [`efficiency`], per catalog chip; they are estimates
//! until fitted (see that table). The same formulas serve the request-level
//! simulator ([`super::requests`]), which steps every batch, and the epoch
//! model, which needs a replica's steady service rate at a given load
//! ([`Replica::service_rate`], [`Replica::batch_for_rate`]).
//!
//! Known simplifications: a prefill's time is its compute alone (a very short
//! prompt is not floored at one read of the weights); attention FLOPs
//! (quadratic in the prompt) are left out of `2·N` per token; no prefix
//! cache, no quantization beyond `bytes_per_param`.

use crate::catalog::ChipSpec;

/// A language model as the roofline sees it: its size and its KV cache.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelSpec {
    /// Parameters `N` (count). A forward pass costs `2·N` FLOPs per token.
    pub params: f64,
    /// Bytes per parameter as served [B]: 2 for BF16/FP16, 1 for FP8.
    pub bytes_per_param: f64,
    /// KV-cache bytes per token of context [B/token]:
    /// `2 (K and V) × layers × KV heads × head dimension × bytes per element`.
    pub kv_bytes_per_token: f64,
}

impl ModelSpec {
    /// KV-cache bytes per token [B/token] from a model's published
    /// configuration: `2 × layers × kv_heads × head_dim × bytes_per_element`
    /// (the factor 2 is one key and one value vector per head and layer).
    pub const fn kv_bytes(
        layers: u32,
        kv_heads: u32,
        head_dim: u32,
        bytes_per_element: u32,
    ) -> f64 {
        (2 * layers * kv_heads * head_dim * bytes_per_element) as f64
    }

    /// Bytes of the weights [B]: `params × bytes_per_param`.
    pub fn weight_bytes(&self) -> f64 {
        self.params * self.bytes_per_param
    }
}

/// A named model preset with the source of its figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NamedModel {
    /// Key used on the command line and in scenario files, e.g. `"llama-3.1-8b"`.
    pub name: &'static str,
    /// The model's figures (BF16 weights and KV cache).
    pub spec: ModelSpec,
    /// Where the figures come from.
    pub source: &'static str,
}

/// Common open models served in BF16 (2 bytes per parameter and per KV
/// element). KV bytes per token are derived from each model's published
/// `config.json` (Hugging Face model repositories of the publisher):
/// `2 × num_hidden_layers × num_key_value_heads × head_dim × 2 B`, where
/// `head_dim = hidden_size ÷ num_attention_heads`.
pub const MODELS: &[NamedModel] = &[
    NamedModel {
        name: "llama-2-7b",
        spec: ModelSpec {
            params: 6.74e9,
            bytes_per_param: 2.0,
            // 32 layers, 32 KV heads (multi-head attention), head_dim 4096/32 = 128.
            kv_bytes_per_token: ModelSpec::kv_bytes(32, 32, 128, 2),
        },
        source: "meta-llama/Llama-2-7b-hf config.json: hidden 4096, 32 layers, 32 heads, \
                 32 KV heads; 6.74e9 parameters (Touvron et al. 2023, Llama 2 paper); \
                 KV 2x32x32x128x2 = 524,288 B/token (D)",
    },
    NamedModel {
        name: "mistral-7b",
        spec: ModelSpec {
            params: 7.24e9,
            bytes_per_param: 2.0,
            // 32 layers, 8 KV heads (grouped-query attention), head_dim 128.
            kv_bytes_per_token: ModelSpec::kv_bytes(32, 8, 128, 2),
        },
        source: "mistralai/Mistral-7B-v0.1 config.json: hidden 4096, 32 layers, 32 heads, \
                 8 KV heads; 7.24e9 parameters (Jiang et al. 2023); \
                 KV 2x32x8x128x2 = 131,072 B/token (D)",
    },
    NamedModel {
        name: "llama-3.1-8b",
        spec: ModelSpec {
            params: 8.03e9,
            bytes_per_param: 2.0,
            kv_bytes_per_token: ModelSpec::kv_bytes(32, 8, 128, 2),
        },
        source: "meta-llama/Llama-3.1-8B config.json: hidden 4096, 32 layers, 32 heads, \
                 8 KV heads; 8.03e9 parameters (model card); \
                 KV 2x32x8x128x2 = 131,072 B/token (D)",
    },
    NamedModel {
        name: "llama-2-70b",
        spec: ModelSpec {
            params: 68.98e9,
            bytes_per_param: 2.0,
            kv_bytes_per_token: ModelSpec::kv_bytes(80, 8, 128, 2),
        },
        source: "meta-llama/Llama-2-70b-hf config.json: hidden 8192, 80 layers, 64 heads, \
                 8 KV heads; 68.98e9 parameters; the MLPerf Inference (MLCommons) model of \
                 Llama 2 70B; KV 2x80x8x128x2 = 327,680 B/token (D)",
    },
    NamedModel {
        name: "llama-3.1-70b",
        spec: ModelSpec {
            params: 70.6e9,
            bytes_per_param: 2.0,
            kv_bytes_per_token: ModelSpec::kv_bytes(80, 8, 128, 2),
        },
        source: "meta-llama/Llama-3.1-70B config.json: hidden 8192, 80 layers, 64 heads, \
                 8 KV heads; 70.6e9 parameters (model card); \
                 KV 2x80x8x128x2 = 327,680 B/token (D)",
    },
    NamedModel {
        name: "llama-3.1-405b",
        spec: ModelSpec {
            params: 405.9e9,
            bytes_per_param: 2.0,
            kv_bytes_per_token: ModelSpec::kv_bytes(126, 8, 128, 2),
        },
        source: "meta-llama/Llama-3.1-405B config.json: hidden 16384, 126 layers, 128 heads, \
                 8 KV heads; 405.9e9 parameters (model card); \
                 KV 2x126x8x128x2 = 516,096 B/token (D)",
    },
];

/// The preset called `name` (case-insensitive), if any.
pub fn model(name: &str) -> Option<&'static NamedModel> {
    MODELS.iter().find(|m| m.name.eq_ignore_ascii_case(name))
}

/// The fractions of a chip's peaks a serving stack reaches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Efficiency {
    /// Prefill compute efficiency: achieved ÷ peak dense BF16 FLOP/s (0–1].
    pub prefill: f64,
    /// Decode memory-bandwidth efficiency ("model bandwidth utilization"):
    /// achieved ÷ peak HBM bandwidth (0–1].
    pub decode: f64,
    /// Where the figures come from, or how they were estimated.
    pub source: &'static str,
}

/// Efficiencies of chips without their own row of [`EFFICIENCIES`].
pub const DEFAULT_EFFICIENCY: Efficiency = Efficiency {
    prefill: 0.5,
    decode: 0.7,
    source: "estimate: a round default below the H100 row, for chips whose serving \
             stacks are not characterized here",
};

/// Serving efficiencies by catalog chip key — the one place these figures
/// live. All are **estimates** to be fitted against the MLPerf Inference
/// Llama 2 70B results (MLCommons, v4.1). Those give tokens/s
/// per system (e.g. 4× H100 on Llama 2 70B, FP8: 10,700 tokens/s offline)
/// but not the benchmark's prompt and answer lengths nor its batch, which a
/// fit of two efficiencies needs, so no row is derived from it yet.
pub const EFFICIENCIES: &[(&str, Efficiency)] = &[(
    "h100",
    Efficiency {
        prefill: 0.55,
        decode: 0.75,
        source: "estimate: decode at 75% of peak HBM bandwidth, inside the 70-85% band \
                 quoted for vLLM and TensorRT-LLM (weak: open-source-ai.tech glossary, \
                 'model bandwidth utilization'); prefill at 55% of dense BF16, near large \
                 training runs' MFU (PaLM 540B: 46% MFU, 58% HFU)",
    },
)];

/// The serving efficiencies of the catalog chip `chip` (its row of
/// [`EFFICIENCIES`], else [`DEFAULT_EFFICIENCY`]).
pub fn efficiency(chip: &str) -> Efficiency {
    EFFICIENCIES
        .iter()
        .find(|(name, _)| *name == chip)
        .map_or(DEFAULT_EFFICIENCY, |(_, e)| *e)
}

/// Why a replica cannot be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RooflineError {
    /// The weights alone exceed the replica's HBM.
    #[error(
        "the model's weights ({weights_gb:.1} GB) do not fit in {chips} x {chip} ({hbm_gb:.1} GB of HBM); use more chips per replica (at least {needed})"
    )]
    DoesNotFit {
        /// Weight bytes [GB].
        weights_gb: f64,
        /// HBM of the whole replica [GB].
        hbm_gb: f64,
        /// Chips per replica.
        chips: u32,
        /// Catalog key of the chip.
        chip: String,
        /// Chips whose HBM would hold the weights (with no room to spare).
        needed: u64,
    },
    /// A replica needs at least one chip.
    #[error("a replica needs at least one chip")]
    NoChips,
    /// A figure that must be positive and finite is not.
    #[error("{what} must be a positive number, not {value}")]
    NotPositive {
        /// Which figure.
        what: &'static str,
        /// Its value.
        value: f64,
    },
}

/// One serving replica: a model on `chips` chips of one catalog model, with
/// the effective rates the roofline uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Replica {
    /// The model served.
    pub model: ModelSpec,
    /// Chips per replica.
    pub chips: u32,
    /// Effective prefill rate: `chips × peak BF16 × eff_prefill` [FLOP/s].
    pub prefill_flops: f64,
    /// Effective decode bandwidth: `chips × HBM bandwidth × eff_decode` [B/s].
    pub decode_bandwidth: f64,
    /// HBM of the whole replica: `chips × HBM` [B].
    pub hbm: f64,
}

fn positive(what: &'static str, value: f64) -> Result<f64, RooflineError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(RooflineError::NotPositive { what, value })
    }
}

impl Replica {
    /// A replica of `model` on `chips` chips of `chip`, with the chip's
    /// efficiencies from [`efficiency`].
    pub fn new(model: ModelSpec, chip: &ChipSpec, chips: u32) -> Result<Replica, RooflineError> {
        Replica::with_efficiency(model, chip, chips, efficiency(&chip.name))
    }

    /// As [`Replica::new`] with explicit efficiencies.
    pub fn with_efficiency(
        model: ModelSpec,
        chip: &ChipSpec,
        chips: u32,
        eff: Efficiency,
    ) -> Result<Replica, RooflineError> {
        if chips == 0 {
            return Err(RooflineError::NoChips);
        }
        positive("the model's parameters", model.params)?;
        positive("bytes per parameter", model.bytes_per_param)?;
        positive("KV bytes per token", model.kv_bytes_per_token)?;
        positive("the prefill efficiency", eff.prefill)?;
        positive("the decode efficiency", eff.decode)?;
        let n = f64::from(chips);
        let hbm = n * positive("the chip's HBM", chip.hbm.value())?;
        let weights = model.weight_bytes();
        if weights > hbm {
            return Err(RooflineError::DoesNotFit {
                weights_gb: weights / 1e9,
                hbm_gb: hbm / 1e9,
                chips,
                chip: chip.name.clone(),
                needed: (weights / chip.hbm.value()).ceil() as u64,
            });
        }
        Ok(Replica {
            model,
            chips,
            prefill_flops: n * positive("the chip's BF16 rate", chip.bf16.value())? * eff.prefill,
            decode_bandwidth: n
                * positive("the chip's HBM bandwidth", chip.hbm_bandwidth.value())?
                * eff.decode,
            hbm,
        })
    }

    /// Time to prefill `tokens` input tokens [s]:
    /// `2·N·tokens ÷ prefill_flops`.
    pub fn prefill_time(&self, tokens: f64) -> f64 {
        2.0 * self.model.params * tokens / self.prefill_flops
    }

    /// Time of one decode step [s] over a batch whose contexts hold
    /// `context_tokens` tokens in all (the sum over the batch of each
    /// request's prompt plus tokens generated so far):
    /// `(weight bytes + kv_bytes_per_token × context_tokens) ÷ decode_bandwidth`.
    /// It does not depend on the batch size otherwise: the weights are read
    /// once per step, whatever the batch.
    pub fn decode_step_time(&self, context_tokens: f64) -> f64 {
        (self.model.weight_bytes() + self.model.kv_bytes_per_token * context_tokens)
            / self.decode_bandwidth
    }

    /// HBM left for the KV cache once the weights are loaded [B].
    pub fn kv_capacity_bytes(&self) -> f64 {
        self.hbm - self.model.weight_bytes()
    }

    /// Tokens of context the KV cache can hold [tokens] (rounded down).
    pub fn kv_capacity_tokens(&self) -> u64 {
        (self.kv_capacity_bytes() / self.model.kv_bytes_per_token).floor() as u64
    }

    /// Largest batch whose KV cache fits when every request holds
    /// `context_tokens` tokens of context — use the whole context a request
    /// reaches, prompt plus output, so that no running request is evicted:
    /// `⌊(chips × HBM − weight bytes) ÷ (kv_bytes_per_token × context_tokens)⌋`.
    pub fn max_batch(&self, context_tokens: f64) -> u64 {
        if context_tokens <= 0.0 {
            return u64::MAX;
        }
        (self.kv_capacity_bytes() / (self.model.kv_bytes_per_token * context_tokens)).floor() as u64
    }

    /// Steady service rate under continuous batching [requests/s] with a
    /// mean batch of `batch` running requests, for requests of `input`
    /// prompt tokens and `output` output tokens on average (`output ≥ 1`).
    ///
    /// As in the request-level simulator, a request's prefill yields its
    /// first token and stalls the batch (whole, not chunked), and its other
    /// `output − 1` tokens come from decode steps shared with the batch. A
    /// decode step reads the batch's contexts, on average
    /// `b × (input + output/2)` tokens: `τ(b) = decode_step_time(b·(input + output/2))`.
    /// Over a long time `T` in which `n` requests finish, the replica spends
    /// `n·p` in prefills (`p = prefill_time(input)`) and `n·(output−1)/b`
    /// decode steps, so
    ///
    /// `μ(b) = n ÷ T = b ÷ (b·p + (output − 1)·τ(b))`.
    ///
    /// μ grows with `b` (the weight read is shared) towards
    /// `1 ÷ (p + (output−1)·kv·(input + output/2) ÷ decode_bandwidth)`.
    pub fn service_rate(&self, batch: f64, input: f64, output: f64) -> f64 {
        let p = self.prefill_time(input);
        let decode_steps = (output - 1.0).max(0.0);
        let tau = self.decode_step_time(batch * (input + output / 2.0));
        batch / (batch * p + decode_steps * tau)
    }

    /// The largest batch the KV cache allows for requests of `input` +
    /// `output` tokens: [`Replica::max_batch`] of their whole context.
    pub fn max_batch_for(&self, input: f64, output: f64) -> u64 {
        self.max_batch(input + output)
    }

    /// The highest steady service rate [requests/s]: [`Replica::service_rate`]
    /// at the largest batch the KV cache allows (`max_batch_cap` caps it
    /// further, e.g. a serving stack's limit on running requests). Zero if
    /// not even one request fits.
    pub fn max_service_rate(&self, input: f64, output: f64, max_batch_cap: u64) -> f64 {
        let b = self.max_batch_for(input, output).min(max_batch_cap);
        if b == 0 {
            0.0
        } else {
            self.service_rate(b as f64, input, output)
        }
    }

    /// The mean batch at which the replica serves `rate` requests/s in
    /// steady state: the `b` solving `μ(b) = rate`,
    ///
    /// `b = (output−1)·W ÷ (B·(1/rate − p) − (output−1)·kv·(input + output/2))`
    ///
    /// (`W` weight bytes, `B` decode bandwidth, `p` prefill time). `None`
    /// when the rate is beyond what any batch up to `max_batch_cap` (and the
    /// KV cache) serves. With `output ≤ 1` (no decode) the batch is the
    /// prefill utilisation `rate · p`.
    pub fn batch_for_rate(
        &self,
        rate: f64,
        input: f64,
        output: f64,
        max_batch_cap: u64,
    ) -> Option<f64> {
        if rate <= 0.0 {
            return Some(0.0);
        }
        let cap = self.max_batch_for(input, output).min(max_batch_cap) as f64;
        let p = self.prefill_time(input);
        let steps = (output - 1.0).max(0.0);
        let b = if steps == 0.0 {
            rate * p
        } else {
            let denom = self.decode_bandwidth * (1.0 / rate - p)
                - steps * self.model.kv_bytes_per_token * (input + output / 2.0);
            if denom <= 0.0 {
                return None;
            }
            steps * self.model.weight_bytes() / denom
        };
        if b > cap { None } else { Some(b) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn presets_kv_bytes_by_hand() {
        assert_eq!(
            model("llama-2-7b").unwrap().spec.kv_bytes_per_token,
            524_288.0
        );
        assert_eq!(
            model("Llama-3.1-8B").unwrap().spec.kv_bytes_per_token,
            131_072.0
        );
        assert_eq!(
            model("llama-3.1-70b").unwrap().spec.kv_bytes_per_token,
            327_680.0
        );
        assert_eq!(
            model("llama-3.1-405b").unwrap().spec.kv_bytes_per_token,
            516_096.0
        );
    }

    #[test]
    fn service_rate_is_the_inverse_of_batch_for_rate() {
        let c = Catalog::builtin();
        let r = Replica::new(
            model("llama-3.1-8b").unwrap().spec,
            c.chip("h100").unwrap(),
            1,
        )
        .unwrap();
        for b in [1.0, 4.0, 32.0] {
            let mu = r.service_rate(b, 1000.0, 200.0);
            let back = r.batch_for_rate(mu, 1000.0, 200.0, u64::MAX).unwrap();
            assert!((back - b).abs() < 1e-9 * b, "{b} -> {mu} -> {back}");
        }
    }
}
