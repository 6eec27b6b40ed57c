//! Synthetic request streams: Poisson arrivals with token counts drawn
//! from distributions.

use rand::RngExt;

use crate::engine::RngStreams;
use crate::workload::serving::trace::TraceRequest;

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
    #[cfg(test)]
    Uniform {
        /// Smallest \[tokens\].
        lo: u32,
        /// Largest \[tokens\].
        hi: u32,
    },
}

impl Tokens {
    #[cfg(test)]
    /// The mean of the counts drawn \[tokens\].
    pub fn mean(&self) -> f64 {
        match *self {
            Tokens::Fixed(n) => f64::from(n),
            Tokens::Exponential { mean } => 1.0 / (1.0 - (-1.0 / mean).exp()),
            #[cfg(test)]
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
            #[cfg(test)]
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
    #[cfg(test)]
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
