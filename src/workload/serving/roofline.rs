//! A serving replica's speed from its chips: the roofline model.
//!
//! A replica is `chips` accelerators of one catalog model holding one copy of
//! a model's weights, tensor-parallel across its chips (weights, compute and
//! bandwidth are pooled; its tensor-parallel degree is its chip count). Its
//! two phases are bound by different resources:
//!
//! - **prefill** (the prompt, all tokens at once) is compute-bound: `2·A`
//!   FLOPs per input token (`A` the active parameters: all of a dense
//!   model's, the shared part and `k` routed experts of a mixture of
//!   experts), so `t` tokens take
//!   `2·A·t ÷ (chips × peak at the weights' precision × eff_prefill)` seconds
//!   plus the tensor-parallel all-reduces of `t` tokens;
//! - **decode** (one token per running request per step) is bound by HBM
//!   bandwidth: a step over a batch of `b` requests whose contexts hold `C`
//!   tokens in all reads the weights (a mixture of experts, the experts the
//!   batch visits) and the KV cache of every request, then all-reduces `b`
//!   tokens' activations:
//!   `(weight bytes read + kv_bytes_per_token × C) ÷ (chips × HBM bandwidth × eff_decode)
//!   + allreduce_time(b)`.
//!
//! The all-reduce: per layer, two ring all-reduces of `tokens × hidden × 2 B`
//! over the replica's chips on their scale-up links, each chip sending
//! `2·(n−1)/n` of the message at half its catalog (bidirectional) bandwidth
//! ([`Replica::allreduce_time`]).
//!
//! The batch is bounded by the HBM left after the weights (all experts are
//! held): `(chips × HBM − weight bytes) ÷ (kv_bytes_per_token × context
//! tokens per request)`. Weights that do not fit are a [`RooflineError`].
//!
//! The efficiencies (the fraction of the peak a serving stack reaches) are
//! kept in one table, [`efficiency`], per catalog chip; their default,
//! [`DEFAULT_EFFICIENCY`], is fitted to MLPerf Inference v4.1 (see
//! `docs/validation.md`). The same formulas serve the request-level
//! simulator ([`super::requests`]), which steps every batch, and the epoch
//! model, which needs a replica's steady service rate at a given load
//! ([`Replica::service_rate`], [`Replica::batch_for_rate`]).
//!
//! Known simplifications: a prefill's time is its compute alone (a very short
//! prompt is not floored at one read of the weights); attention FLOPs
//! (quadratic in the prompt) are left out of `2·A` per token; the
//! all-reduces neither overlap compute nor pay a link latency; expert
//! parallelism's all-to-all and pipeline parallelism are not modelled (a
//! replica's chips act as one tensor-parallel group); no prefix cache.

use crate::catalog::ChipSpec;

/// A numeric precision of served weights, KV cache or compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// 16-bit brain float: 2 bytes a value.
    Bf16,
    /// 8-bit float (E4M3/E5M2): 1 byte a value.
    Fp8,
    /// 4-bit float (e.g. NVFP4, MXFP4): half a byte a value (block scales
    /// left out).
    Fp4,
}

impl Precision {
    /// Every precision, widest first.
    pub const ALL: [Precision; 3] = [Precision::Bf16, Precision::Fp8, Precision::Fp4];

    /// Bytes per value \[B\].
    pub const fn bytes(self) -> f64 {
        match self {
            Precision::Bf16 => 2.0,
            Precision::Fp8 => 1.0,
            Precision::Fp4 => 0.5,
        }
    }

    /// Its name in scenario files and on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Precision::Bf16 => "bf16",
            Precision::Fp8 => "fp8",
            Precision::Fp4 => "fp4",
        }
    }

    /// The precision called `name` (case-insensitive), if any.
    pub fn parse(name: &str) -> Option<Precision> {
        Precision::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The chip's peak dense rate for matrix products with weights at this
    /// precision [FLOP/s]: its FP8 rate for FP8 and FP4 weights where the
    /// catalog has one, else its BF16 rate (the weights are then widened
    /// before the product: weight-only quantization). The catalog holds no
    /// FP4 rate, so FP4 weights compute at the FP8 rate (W4A8).
    pub fn peak_flops(self, chip: &ChipSpec) -> f64 {
        match self {
            Precision::Bf16 => chip.bf16.value(),
            Precision::Fp8 | Precision::Fp4 => chip.fp8.unwrap_or(chip.bf16).value(),
        }
    }
}

/// A language model as the roofline sees it: its size, its shape and its
/// KV cache, at the precision it is served in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelSpec {
    /// Parameters held in HBM, `N` (count): all experts of a
    /// mixture-of-experts model.
    pub params: f64,
    /// Parameters used per token (count): `N` for a dense model, the shared
    /// layers plus the routed experts a token visits for a mixture of
    /// experts. A forward pass costs `2 × active_params` FLOPs per token.
    pub active_params: f64,
    /// Routed experts per layer, `E` (0 for a dense model).
    pub experts: u32,
    /// Routed experts each token visits, `k` (0 for a dense model).
    pub experts_per_token: u32,
    /// Bytes per parameter as served \[B\]: 2 for BF16, 1 for FP8, 0.5 for FP4.
    pub bytes_per_param: f64,
    /// Precision of the weights, which picks the chip's FLOP/s
    /// ([`Precision::peak_flops`]).
    pub precision: Precision,
    /// KV-cache bytes per token of context [B/token]:
    /// `2 (K and V) × layers × KV heads × head dimension × bytes per element`.
    pub kv_bytes_per_token: f64,
    /// Precision of the KV cache's elements.
    pub kv_precision: Precision,
    /// Transformer layers (0 if unknown: no tensor-parallel all-reduce is
    /// counted).
    pub layers: u32,
    /// Hidden size `d` (width of the activations a layer all-reduces).
    pub hidden: u32,
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

    /// A dense model given by its parameters, bytes per parameter and KV
    /// bytes per token, with no known shape (so no tensor-parallel
    /// all-reduce). Its compute precision follows its bytes per parameter:
    /// 1 B or less computes at FP8 (where the chip has it), else BF16.
    pub fn dense(params: f64, bytes_per_param: f64, kv_bytes_per_token: f64) -> ModelSpec {
        let precision = if bytes_per_param <= 0.5 {
            Precision::Fp4
        } else if bytes_per_param <= 1.0 {
            Precision::Fp8
        } else {
            Precision::Bf16
        };
        ModelSpec {
            params,
            active_params: params,
            experts: 0,
            experts_per_token: 0,
            bytes_per_param,
            precision,
            kv_bytes_per_token,
            kv_precision: Precision::Bf16,
            layers: 0,
            hidden: 0,
        }
    }

    /// The same model with weights at `weights` and KV cache at `kv`:
    /// bytes per parameter `weights.bytes()`, KV bytes per token scaled by
    /// `kv.bytes() ÷ kv_precision.bytes()`.
    pub fn at_precision(self, weights: Precision, kv: Precision) -> ModelSpec {
        ModelSpec {
            bytes_per_param: weights.bytes(),
            precision: weights,
            kv_bytes_per_token: self.kv_bytes_per_token * kv.bytes() / self.kv_precision.bytes(),
            kv_precision: kv,
            ..self
        }
    }

    /// Bytes of the weights held \[B\]: `params × bytes_per_param`.
    pub fn weight_bytes(&self) -> f64 {
        self.params * self.bytes_per_param
    }

    /// Bytes of the weights one decode step over `batch` requests reads
    /// \[B\]. A dense model reads all of them. A mixture of experts reads its
    /// shared part `D` and, of its `E` routed experts of `e` parameters
    /// each, those at least one of the batch's tokens visits — `E × (1 −
    /// (1 − k/E)^batch)` on average when each token picks `k` of them
    /// uniformly and independently — where `e = (N − A) ÷ (E − k)` and
    /// `D = A − k·e` from the total `N` and active `A` parameters. One
    /// token reads `A`; a large batch reads all `N`.
    pub fn step_weight_bytes(&self, batch: f64) -> f64 {
        if self.experts == 0 || self.experts_per_token >= self.experts {
            return self.weight_bytes();
        }
        let (e_count, k) = (f64::from(self.experts), f64::from(self.experts_per_token));
        let expert = (self.params - self.active_params) / (e_count - k);
        let shared = self.active_params - k * expert;
        let touched = e_count * (1.0 - (1.0 - k / e_count).powf(batch.max(1.0)));
        (shared + touched * expert) * self.bytes_per_param
    }
}

/// A named model preset with the source of its figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NamedModel {
    /// Key used on the command line and in scenario files, e.g. `"llama-3.1-8b"`.
    pub name: &'static str,
    /// The model's figures at the precision its publisher releases it in.
    pub spec: ModelSpec,
    /// Where the figures come from.
    pub source: &'static str,
}

/// A dense BF16 preset: `params` parameters, `layers` layers of width
/// `hidden`, KV cache `2 × layers × kv_heads × head_dim × 2 B`.
const fn llama(params: f64, layers: u32, hidden: u32, kv_heads: u32, head_dim: u32) -> ModelSpec {
    ModelSpec {
        params,
        active_params: params,
        experts: 0,
        experts_per_token: 0,
        bytes_per_param: 2.0,
        precision: Precision::Bf16,
        kv_bytes_per_token: ModelSpec::kv_bytes(layers, kv_heads, head_dim, 2),
        kv_precision: Precision::Bf16,
        layers,
        hidden,
    }
}

/// Common open models. Dense ones are served in BF16 (2 bytes per parameter
/// and per KV element); a scenario may state another precision. KV bytes
/// per token are derived from each model's published `config.json`
/// (Hugging Face model repositories of the publisher):
/// `2 × num_hidden_layers × num_key_value_heads × head_dim × 2 B`, where
/// `head_dim = hidden_size ÷ num_attention_heads`.
pub const MODELS: &[NamedModel] = &[
    NamedModel {
        name: "llama-2-7b",
        // 32 layers, 32 KV heads (multi-head attention), head_dim 4096/32 = 128.
        spec: llama(6.74e9, 32, 4096, 32, 128),
        source: "meta-llama/Llama-2-7b-hf config.json: hidden 4096, 32 layers, 32 heads, \
                 32 KV heads; 6.74e9 parameters (Touvron et al. 2023, Llama 2 paper); \
                 KV 2x32x32x128x2 = 524,288 B/token (D)",
    },
    NamedModel {
        name: "mistral-7b",
        // 32 layers, 8 KV heads (grouped-query attention), head_dim 128.
        spec: llama(7.24e9, 32, 4096, 8, 128),
        source: "mistralai/Mistral-7B-v0.1 config.json: hidden 4096, 32 layers, 32 heads, \
                 8 KV heads; 7.24e9 parameters (Jiang et al. 2023); \
                 KV 2x32x8x128x2 = 131,072 B/token (D)",
    },
    NamedModel {
        name: "llama-3.1-8b",
        spec: llama(8.03e9, 32, 4096, 8, 128),
        source: "meta-llama/Llama-3.1-8B config.json: hidden 4096, 32 layers, 32 heads, \
                 8 KV heads; 8.03e9 parameters (model card); \
                 KV 2x32x8x128x2 = 131,072 B/token (D)",
    },
    NamedModel {
        name: "llama-2-70b",
        spec: llama(68.98e9, 80, 8192, 8, 128),
        source: "meta-llama/Llama-2-70b-hf config.json: hidden 8192, 80 layers, 64 heads, \
                 8 KV heads; 68.98e9 parameters; the MLPerf Inference (MLCommons) model of \
                 Llama 2 70B; KV 2x80x8x128x2 = 327,680 B/token (D)",
    },
    NamedModel {
        name: "llama-3.1-70b",
        spec: llama(70.6e9, 80, 8192, 8, 128),
        source: "meta-llama/Llama-3.1-70B config.json: hidden 8192, 80 layers, 64 heads, \
                 8 KV heads; 70.6e9 parameters (model card); \
                 KV 2x80x8x128x2 = 327,680 B/token (D)",
    },
    NamedModel {
        name: "llama-3.1-405b",
        spec: llama(405.9e9, 126, 16384, 8, 128),
        source: "meta-llama/Llama-3.1-405B config.json: hidden 16384, 126 layers, 128 heads, \
                 8 KV heads; 405.9e9 parameters (model card; Meta also publishes an FP8 \
                 release, Llama-3.1-405B-Instruct-FP8); KV 2x126x8x128x2 = 516,096 B/token (D)",
    },
    NamedModel {
        name: "deepseek-v3",
        spec: ModelSpec {
            params: 671e9,
            active_params: 37e9,
            experts: 256,
            experts_per_token: 8,
            bytes_per_param: 1.0,
            precision: Precision::Fp8,
            // Multi-head latent attention caches one compressed vector of
            // kv_lora_rank 512 + qk_rope_head_dim 64 = 576 elements per
            // layer and token (no separate K and V), in BF16.
            kv_bytes_per_token: (61 * 576 * 2) as f64,
            kv_precision: Precision::Bf16,
            layers: 61,
            hidden: 7168,
        },
        source: "DeepSeek-V3 Technical Report (DeepSeek-AI 2024, arXiv 2412.19437): 671e9 \
                 parameters, 37e9 activated per token, FP8 weights as released; \
                 deepseek-ai/DeepSeek-V3 config.json: 61 layers, hidden 7168, 256 routed \
                 experts, 8 per token (plus 1 shared), kv_lora_rank 512, \
                 qk_rope_head_dim 64; KV 61x576x2 = 70,272 B/token (D)",
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

/// The ratio of prefill to decode efficiency \[1\]: the earlier estimate's
/// (prefill at 55% of dense BF16, decode at 75% of peak HBM bandwidth, on
/// H100). MLPerf's tokens/s cannot separate the two efficiencies (the
/// benchmark's prompt length is not published), so the fit keeps this
/// ratio and fits the decode efficiency alone.
pub const PREFILL_PER_DECODE: f64 = 0.55 / 0.75;

/// The serving efficiencies of every chip without its own row of
/// [`EFFICIENCIES`]: **fitted**, not estimated. One decode efficiency
/// minimizes the squared log residuals of dcsim's offline tokens/s per GPU
/// against MLPerf Inference v4.1's Llama 2 70B results on 4× H100 (FP8),
/// 1× H200 (FP8) and 1× B200 (FP4); prefill is that times
/// [`PREFILL_PER_DECODE`]. The fit, its residuals (single-GPU H200 and
/// B200 within 10%, 4× H100 over-predicted by 25%) and what they mean are
/// in `docs/validation.md` (its MLPerf Inference rows); `crate::validation`'s
/// `fit_mlperf_inference` recomputes it, and `tests/dcsim/validation.rs`
/// fails if these figures drift from it by more than their rounding.
pub const DEFAULT_EFFICIENCY: Efficiency = Efficiency {
    prefill: 0.399,
    decode: 0.544,
    source: "fit: decode 0.544 of peak HBM bandwidth for H100, H200 and B200 together, \
             to MLPerf Inference v4.1 Llama 2 70B offline tokens/s (docs/validation.md, \
             MLPerf Inference rows); prefill at the earlier estimate's ratio 0.55/0.75 of that, of \
             dense BF16",
};

/// Chips whose serving efficiencies differ from [`DEFAULT_EFFICIENCY`] — the
/// one place such figures live. None does today: each chip's own fit to
/// MLPerf (H200 0.580, B200 0.605, 4× H100 0.409) differs from the common
/// value by the residuals its MLPerf Inference rows state, and the H100's lower figure comes
/// from a four-GPU replica whose all-reduce dcsim under-costs, not from the
/// chip (`docs/validation.md`). A row belongs here when a chip's own
/// single-GPU measurement sets it apart.
pub const EFFICIENCIES: &[(&str, Efficiency)] = &[];

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
        /// Weight bytes \[GB\].
        weights_gb: f64,
        /// HBM of the whole replica \[GB\].
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
    /// Chips per replica, its tensor-parallel degree.
    pub chips: u32,
    /// Effective prefill rate: `chips × peak at the model's precision ×
    /// eff_prefill` [FLOP/s].
    pub prefill_flops: f64,
    /// Effective decode bandwidth: `chips × HBM bandwidth × eff_decode` [B/s].
    pub decode_bandwidth: f64,
    /// Scale-up bandwidth of one chip in one direction [B/s]: half the
    /// catalog's bidirectional aggregate.
    pub link_bandwidth: f64,
    /// HBM of the whole replica: `chips × HBM` \[B\].
    pub hbm: f64,
    /// Share of each prompt's tokens its prefill computes (1 by default):
    /// `1 − h` under a stated prefix hit rate `h`
    /// ([`Replica::with_prefix_hit_rate`]).
    pub prefill_share: f64,
}

fn positive(what: &'static str, value: f64) -> Result<f64, RooflineError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(RooflineError::NotPositive { what, value })
    }
}

/// Bytes of one activation value a tensor-parallel all-reduce carries \[B\]
/// (BF16, whatever the weights' precision).
pub const ACTIVATION_BYTES: f64 = 2.0;

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
        positive("the model's active parameters", model.active_params)?;
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
            prefill_flops: n
                * positive("the chip's FLOP/s", model.precision.peak_flops(chip))?
                * eff.prefill,
            decode_bandwidth: n
                * positive("the chip's HBM bandwidth", chip.hbm_bandwidth.value())?
                * eff.decode,
            link_bandwidth: chip.scaleup_bandwidth.value() / 2.0,
            hbm,
            prefill_share: 1.0,
        })
    }

    /// The same replica at `speed` (0–1] of its chips' rates: a power
    /// cap's `s^(1/3)` ([`crate::world::power`]), which slows its compute
    /// and its memory alike; the scale-up links are not slowed (as a
    /// training job's all-reduce is not).
    pub fn slowed(&self, speed: f64) -> Replica {
        Replica {
            prefill_flops: self.prefill_flops * speed,
            decode_bandwidth: self.decode_bandwidth * speed,
            ..self.clone()
        }
    }

    /// Time of the tensor-parallel all-reduces of a pass over `tokens`
    /// tokens \[s\]. Each layer all-reduces its activations twice (after
    /// attention and after the MLP), `tokens × hidden × 2 B` each; a ring
    /// over the replica's `n` chips sends `2·(n−1)/n` of that from every
    /// chip over its scale-up link, one direction at a time:
    /// `2 × layers × 2·(n−1)/n × tokens × hidden × 2 B ÷ link_bandwidth`.
    /// Zero on one chip or for a model of unknown shape. Link latency and
    /// overlap with compute are left out.
    pub fn allreduce_time(&self, tokens: f64) -> f64 {
        if self.chips <= 1 || self.model.layers == 0 || self.link_bandwidth <= 0.0 {
            return 0.0;
        }
        let n = f64::from(self.chips);
        let message = tokens * f64::from(self.model.hidden) * ACTIVATION_BYTES;
        2.0 * f64::from(self.model.layers) * 2.0 * (n - 1.0) / n * message / self.link_bandwidth
    }

    /// The same replica serving prompts of which a share `hit_rate`
    /// (0 ≤ h < 1) is found in a prefix cache, stated rather than
    /// simulated (the epoch mode's `prefix_hit_rate`): each prefill
    /// computes `1 − h` of its tokens, their FLOPs and their all-reduces;
    /// the KV cache still holds the whole context.
    pub fn with_prefix_hit_rate(&self, hit_rate: f64) -> Replica {
        Replica {
            prefill_share: 1.0 - hit_rate,
            ..self.clone()
        }
    }

    /// Time to prefill `tokens` input tokens \[s\]: with `t = tokens ×
    /// prefill_share` computed, `2·A·t ÷ prefill_flops + allreduce_time(t)`
    /// (`A` the active parameters).
    pub fn prefill_time(&self, tokens: f64) -> f64 {
        let t = tokens * self.prefill_share;
        2.0 * self.model.active_params * t / self.prefill_flops + self.allreduce_time(t)
    }

    /// Time of one decode step \[s\] over `batch` requests whose contexts
    /// hold `context_tokens` tokens in all (the sum over the batch of each
    /// request's prompt plus tokens generated so far):
    /// `(step weight bytes + kv_bytes_per_token × context_tokens) ÷
    /// decode_bandwidth + allreduce_time(batch)`. A dense model's weights
    /// are read once per step whatever the batch; a mixture of experts
    /// reads the experts its batch visits ([`ModelSpec::step_weight_bytes`]).
    pub fn decode_step(&self, batch: f64, context_tokens: f64) -> f64 {
        self.decode_steps(batch).time(context_tokens)
    }

    /// The decode steps of a batch of `batch` requests, their terms that do
    /// not depend on the context computed once: [`DecodeSteps::time`] of a
    /// context is [`Replica::decode_step`] of the batch and that context,
    /// bit for bit.
    pub fn decode_steps(&self, batch: f64) -> DecodeSteps {
        DecodeSteps {
            weight_bytes: self.model.step_weight_bytes(batch),
            kv_bytes_per_token: self.model.kv_bytes_per_token,
            decode_bandwidth: self.decode_bandwidth,
            allreduce: self.allreduce_time(batch),
        }
    }

    /// HBM left for the KV cache once the weights are loaded \[B\].
    pub fn kv_capacity_bytes(&self) -> f64 {
        self.hbm - self.model.weight_bytes()
    }

    /// Tokens of context the KV cache can hold \[tokens\] (rounded down).
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
    /// `b × (input + output/2)` tokens: `τ(b) = decode_step(b, b·(input + output/2))`.
    /// Over a long time `T` in which `n` requests finish, the replica spends
    /// `n·p` in prefills (`p = prefill_time(input)`) and `n·(output−1)/b`
    /// decode steps, so
    ///
    /// `μ(b) = n ÷ T = b ÷ (b·p + (output − 1)·τ(b))`.
    ///
    /// μ grows with `b` (the weight read is shared) towards
    /// `1 ÷ (p + (output−1)·kv·(input + output/2) ÷ decode_bandwidth)`.
    pub fn service_rate(&self, batch: f64, input: f64, output: f64) -> f64 {
        self.service_rate_chunked(batch, input, output, 1.0)
    }

    /// [`Replica::service_rate`] with each prompt prefilled in `chunks`
    /// iterations (≥ 1; chunked prefill, [`prefill_chunks`]): a request
    /// holds its batch slot for `chunks − 1` iterations more, each one
    /// decode step of the batch long besides its share of the prefill, so
    ///
    /// `μ(b) = b ÷ (b·p + (output − 1 + chunks − 1)·τ(b))`.
    pub fn service_rate_chunked(&self, batch: f64, input: f64, output: f64, chunks: f64) -> f64 {
        let p = self.prefill_time(input);
        let decode_steps = (output - 1.0).max(0.0) + (chunks - 1.0);
        let tau = self.decode_step(batch, batch * (input + output / 2.0));
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

    #[cfg(test)]
    /// The mean batch at which the replica serves `rate` requests/s in
    /// steady state: the `b` solving `μ(b) = rate`,
    ///
    /// `b = (output−1)·W ÷ (B·(1/rate − p) − (output−1)·(kv·(input + output/2) + a·B))`
    ///
    /// for a dense model (`W` weight bytes, `B` decode bandwidth, `p`
    /// prefill time, `a` the all-reduce time per token of a step). A
    /// mixture of experts, whose step reads more experts as the batch
    /// grows, is solved by bisection on `[0, cap]` to `1e−9·cap` (`μ` grows
    /// with `b`). `None` when the rate is beyond what any batch up to
    /// `max_batch_cap` (and the KV cache) serves. With `output ≤ 1` (no
    /// decode) the batch is the prefill utilisation `rate · p`.
    pub fn batch_for_rate(
        &self,
        rate: f64,
        input: f64,
        output: f64,
        max_batch_cap: u64,
    ) -> Option<f64> {
        self.batch_for_rate_chunked(rate, input, output, max_batch_cap, 1.0)
    }

    /// [`Replica::batch_for_rate`] with each prompt prefilled in `chunks`
    /// iterations ([`Replica::service_rate_chunked`]): the same solution
    /// with `output − 1 + chunks − 1` steps per request in place of
    /// `output − 1`.
    pub fn batch_for_rate_chunked(
        &self,
        rate: f64,
        input: f64,
        output: f64,
        max_batch_cap: u64,
        chunks: f64,
    ) -> Option<f64> {
        if rate <= 0.0 {
            return Some(0.0);
        }
        let cap = self.max_batch_for(input, output).min(max_batch_cap) as f64;
        let p = self.prefill_time(input);
        let steps = (output - 1.0).max(0.0) + (chunks - 1.0);
        let b = if steps == 0.0 {
            rate * p
        } else if self.model.experts > 0 {
            if cap <= 0.0 || self.service_rate_chunked(cap, input, output, chunks) < rate {
                return None;
            }
            let (mut lo, mut hi) = (0.0, cap);
            for _ in 0..200 {
                if hi - lo <= 1e-9 * cap {
                    break;
                }
                let mid = 0.5 * (lo + hi);
                if self.service_rate_chunked(mid, input, output, chunks) < rate {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            hi
        } else {
            let denom = self.decode_bandwidth * (1.0 / rate - p)
                - steps
                    * (self.model.kv_bytes_per_token * (input + output / 2.0)
                        + self.allreduce_time(1.0) * self.decode_bandwidth);
            if denom <= 0.0 {
                return None;
            }
            steps * self.model.weight_bytes() / denom
        };
        if b > cap { None } else { Some(b) }
    }
}

/// Iterations a prompt of `input` tokens takes to prefill with a token
/// budget of `budget` tokens per iteration, the budget taken as the
/// prompt's (the batch's decodes take one token each, a few percent of the
/// default budget): `⌈input ÷ budget⌉`, at least 1; `None` (whole
/// prefills) is 1.
pub fn prefill_chunks(input: f64, budget: Option<u32>) -> f64 {
    match budget {
        Some(b) if b > 0 => (input / f64::from(b)).ceil().max(1.0),
        _ => 1.0,
    }
}

/// Decode steps of one batch size ([`Replica::decode_steps`]): the time of
/// a step as a function of the batch's context alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecodeSteps {
    /// Weight bytes a step reads [B].
    weight_bytes: f64,
    /// KV-cache bytes per token of context [B].
    kv_bytes_per_token: f64,
    /// Bandwidth decode reads at [B/s].
    decode_bandwidth: f64,
    /// Tensor-parallel all-reduce time of a step [s].
    allreduce: f64,
}

impl DecodeSteps {
    /// Time of one step whose batch holds `context_tokens` tokens of
    /// context in all \[s\]:
    /// `(weight bytes + kv_bytes_per_token × context_tokens) ÷ decode_bandwidth + all-reduce`.
    #[inline]
    pub fn time(&self, context_tokens: f64) -> f64 {
        (self.weight_bytes + self.kv_bytes_per_token * context_tokens) / self.decode_bandwidth
            + self.allreduce
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// Issue 21 item 3 in the epoch model: a 20,000-token prompt with a
    /// budget of 8,192 tokens is ⌈20,000 ÷ 8,192⌉ = 3 chunks, two iterations
    /// more than whole, each a decode step of the batch: μ(b) = b ÷ (b·p +
    /// (o − 1 + 2)·τ(b)); the batch for that rate is b again.
    #[test]
    fn chunked_prefill_in_the_epoch_model_by_hand() {
        let c = Catalog::builtin();
        let r = Replica::new(
            model("llama-3.1-8b").unwrap().spec,
            c.chip("h100").unwrap(),
            1,
        )
        .unwrap();
        let (b, i, o) = (16.0, 20_000.0, 200.0);
        let k = prefill_chunks(i, Some(8_192));
        assert_eq!(k, 3.0);
        assert_eq!(prefill_chunks(8_192.0, Some(8_192)), 1.0);
        assert_eq!(prefill_chunks(8_193.0, Some(8_192)), 2.0);
        assert_eq!(prefill_chunks(20_000.0, None), 1.0);
        let p = r.prefill_time(i);
        let tau = r.decode_step(b, b * (i + o / 2.0));
        let mu = b / (b * p + (o - 1.0 + 2.0) * tau);
        let got = r.service_rate_chunked(b, i, o, k);
        assert!((got - mu).abs() <= 1e-12 * mu, "{got} vs {mu}");
        assert!(got < r.service_rate(b, i, o));
        let back = r.batch_for_rate_chunked(got, i, o, 10_000, k).unwrap();
        assert!((back - b).abs() <= 1e-9 * b, "{back}");
    }

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

    /// Two replicas of Llama 3.1 405B at FP8 in one GB200 NVL72 rack (36
    /// chips each, tensor-parallel): a decode step's time, the TPOT at that
    /// batch, by hand from the catalog (8 TB/s HBM, 1,800 GB/s NVLink5,
    /// 186 GB) and the default efficiencies (decode 0.544, the MLPerf fit).
    #[test]
    fn two_replica_nvl72_tpot_by_hand() {
        let c = Catalog::builtin();
        let gb200 = c.chip("gb200").unwrap();
        let m = model("llama-3.1-405b")
            .unwrap()
            .spec
            .at_precision(Precision::Fp8, Precision::Bf16);
        let r = Replica::new(m, gb200, 36).unwrap();
        // 32 requests of 2,000 tokens of context each.
        let step = r.decode_step(32.0, 64_000.0);
        // Weights 405.9e9 × 1 B; KV 516,096 B × 64,000; bandwidth
        // 36 × 8e12 × 0.544 = 156.672e12 B/s.
        let memory = (405.9e9 + 516_096.0 * 64_000.0) / 156.672e12;
        // All-reduce: 2 × 126 layers × 2·35/36 × 32 × 16,384 × 2 B over
        // 900e9 B/s (half of 1,800 GB/s).
        let allreduce = 2.0 * 126.0 * (70.0 / 36.0) * (32.0 * 16_384.0 * 2.0) / 900e9;
        assert!((r.allreduce_time(32.0) - allreduce).abs() < 1e-15);
        assert!((step - (memory + allreduce)).abs() < 1e-12 * step, "{step}");
        // 2.802 ms + 0.571 ms = 3.372 ms a token.
        assert!((step - 3.3725e-3).abs() < 1e-6, "{step}");
        // The same model on 72 chips: half the memory time, nearly the
        // same all-reduce (2·71/72 instead of 2·35/36).
        let whole = Replica::new(m, gb200, 72).unwrap();
        let ar72 = 2.0 * 126.0 * (142.0 / 72.0) * (32.0 * 16_384.0 * 2.0) / 900e9;
        assert!((whole.decode_step(32.0, 64_000.0) - (memory / 2.0 + ar72)).abs() < 1e-12);
        // One chip has no all-reduce.
        let one = Replica::new(model("llama-3.1-8b").unwrap().spec, gb200, 1).unwrap();
        assert_eq!(one.allreduce_time(1000.0), 0.0);
    }

    /// Precision sets the bytes held and read and the FLOP/s of the
    /// prefill: FP8 weights on an H100 at its 1,979 TFLOP/s, FP4 weights
    /// at the same (the catalog has no FP4 rate), and a chip without FP8
    /// (TPU v5e) at its BF16 rate.
    #[test]
    fn precision_sets_bytes_and_flops() {
        let c = Catalog::builtin();
        let h100 = c.chip("h100").unwrap();
        let eff = Efficiency {
            prefill: 0.5,
            decode: 0.5,
            source: "test",
        };
        let base = model("llama-3.1-8b").unwrap().spec;
        let fp8 = base.at_precision(Precision::Fp8, Precision::Fp8);
        assert_eq!(fp8.weight_bytes(), 8.03e9);
        assert_eq!(fp8.kv_bytes_per_token, 65_536.0);
        let fp4 = base.at_precision(Precision::Fp4, Precision::Bf16);
        assert_eq!(fp4.weight_bytes(), 4.015e9);
        assert_eq!(fp4.kv_bytes_per_token, 131_072.0);
        let r8 = Replica::with_efficiency(fp8, h100, 1, eff).unwrap();
        let r16 = Replica::with_efficiency(base, h100, 1, eff).unwrap();
        let r4 = Replica::with_efficiency(fp4, h100, 1, eff).unwrap();
        assert_eq!(r16.prefill_flops, 989e12 * 0.5);
        assert_eq!(r8.prefill_flops, 1_979e12 * 0.5);
        assert_eq!(r4.prefill_flops, 1_979e12 * 0.5);
        // Decode at batch 1 and 1,000 tokens: (8.03e9 + 65,536e3) / 1.675e12.
        let want = (8.03e9 + 65_536.0 * 1000.0) / (3.35e12 * 0.5);
        assert!((r8.decode_step(1.0, 1000.0) - want).abs() < 1e-15);
        let v5e = c.chip("tpu-v5e").unwrap();
        assert_eq!(Precision::Fp8.peak_flops(v5e), v5e.bf16.value());
        assert_eq!(Precision::parse("FP8"), Some(Precision::Fp8));
        assert_eq!(Precision::parse("int4"), None);
    }

    /// DeepSeek-V3: 671e9 parameters held, 37e9 active; a step reads the
    /// shared part and the experts its batch visits.
    #[test]
    fn mixture_of_experts_by_hand() {
        let m = model("deepseek-v3").unwrap().spec;
        assert_eq!(m.weight_bytes(), 671e9);
        assert_eq!(m.kv_bytes_per_token, 70_272.0);
        // One token reads the active parameters (FP8: 1 B each).
        assert!((m.step_weight_bytes(1.0) - 37e9).abs() < 1.0);
        // Expert size e = (671 − 37)e9 ÷ (256 − 8) = 2.556452e9; shared
        // D = 37e9 − 8e; two tokens visit 256·(1 − (31/32)²) = 15.75
        // experts on average.
        let e = 634e9 / 248.0;
        let want = 37e9 - 8.0 * e + 15.75 * e;
        assert!((m.step_weight_bytes(2.0) - want).abs() < 1.0);
        // A large batch reads them all.
        assert!((m.step_weight_bytes(10_000.0) - 671e9).abs() < 1e3);
        // Prefill FLOPs from the active parameters: 2 × 37e9 per token on
        // 8 H200 at FP8 (671 GB fit their 1,128 GB; efficiency 0.399, the
        // default; the all-reduce left out by an unknown shape).
        let c = Catalog::builtin();
        let flat = ModelSpec { layers: 0, ..m };
        let r = Replica::new(flat, c.chip("h200").unwrap(), 8).unwrap();
        let want = 2.0 * 37e9 * 1000.0 / (8.0 * 1_979e12 * 0.399);
        assert!((r.prefill_time(1000.0) - want).abs() < 1e-12);
        // The epoch model's inverse holds for a mixture of experts (by
        // bisection) and for a tensor-parallel dense replica (closed form).
        let moe = Replica::new(m, c.chip("h200").unwrap(), 8).unwrap();
        let dense = Replica::new(
            model("llama-3.1-70b").unwrap().spec,
            c.chip("h100").unwrap(),
            8,
        )
        .unwrap();
        for r in [&moe, &dense] {
            for b in [1.0, 4.0, 32.0] {
                let mu = r.service_rate(b, 1000.0, 200.0);
                let back = r.batch_for_rate(mu, 1000.0, 200.0, u64::MAX).unwrap();
                assert!((back - b).abs() < 1e-6 * b, "{b} -> {mu} -> {back}");
            }
        }
    }
}
