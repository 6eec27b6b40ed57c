//! Named random streams.
//!
//! Every random process in a simulation draws from its own stream, named by
//! the process (`"failures/ohio"`, `"buildout"`). A stream's seed is derived
//! from the pair `(scenario seed, stream name)` alone, so adding, removing or
//! reordering other streams never changes its draws: two build-out plans are
//! compared on the same luck (common random numbers).
//!
//! The generator is named and portable: xoshiro256++ (Blackman and Vigna),
//! seeded with 32 bytes derived as follows, all arithmetic wrapping on `u64`:
//!
//! 1. `h = FNV-1a-64(name bytes)` (offset basis `0xcbf29ce484222325`,
//!    prime `0x100000001b3`);
//! 2. `z = splitmix64_next(seed) ^ h`;
//! 3. the four little-endian words of the seed are the next four outputs of a
//!    SplitMix64 sequence started at `z`.
//!
//! `StdRng` is deliberately not used: its algorithm may change between
//! versions of `rand`, which would change every result.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// The generator behind every stream.
pub type StreamRng = Xoshiro256PlusPlus;

/// Hands out independent, reproducible random streams by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RngStreams {
    seed: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 output function (Steele, Lea and Flood).
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, 64-bit, over the concatenation of `parts`.
fn fnv1a64(parts: &[&str]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in parts.iter().flat_map(|p| p.as_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl RngStreams {
    /// Streams for one scenario seed.
    pub fn new(seed: u64) -> Self {
        RngStreams { seed }
    }

    /// The 32-byte generator seed of the stream called `name`.
    pub fn seed_bytes(&self, name: &str) -> [u8; 32] {
        self.seed_bytes_of_parts(&[name])
    }

    /// The 32-byte generator seed of the stream whose name is the
    /// concatenation of `parts` (the same as [`seed_bytes`](Self::seed_bytes)
    /// of that name, without building it).
    pub fn seed_bytes_of_parts(&self, parts: &[&str]) -> [u8; 32] {
        let mut z = mix64(self.seed.wrapping_add(GOLDEN_GAMMA)) ^ fnv1a64(parts);
        let mut out = [0u8; 32];
        for chunk in out.chunks_exact_mut(8) {
            z = z.wrapping_add(GOLDEN_GAMMA);
            chunk.copy_from_slice(&mix64(z).to_le_bytes());
        }
        out
    }

    /// A fresh generator for the stream called `name`. Calling it twice with
    /// the same name gives two generators producing the same draws.
    pub fn stream(&self, name: &str) -> StreamRng {
        StreamRng::from_seed(self.seed_bytes(name))
    }

    /// The stream whose name is the concatenation of `parts`, e.g.
    /// `["jobs/", job, "/software"]`: the same draws as
    /// [`stream`](Self::stream) of that name, without building the name.
    pub fn stream_of_parts(&self, parts: &[&str]) -> StreamRng {
        StreamRng::from_seed(self.seed_bytes_of_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn first_draws(rng: &mut StreamRng) -> Vec<u64> {
        (0..4).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn same_seed_and_name_give_same_draws() {
        let s = RngStreams::new(42);
        assert_eq!(
            first_draws(&mut s.stream("failures/a")),
            first_draws(&mut s.stream("failures/a"))
        );
    }

    #[test]
    fn a_name_in_parts_is_the_same_stream() {
        let s = RngStreams::new(42);
        assert_eq!(
            first_draws(&mut s.stream("jobs/a-1/software")),
            first_draws(&mut s.stream_of_parts(&["jobs/", "a-1", "/software"]))
        );
        assert_ne!(
            first_draws(&mut s.stream("jobs/a-1/software")),
            first_draws(&mut s.stream_of_parts(&["jobs/", "a-2", "/software"]))
        );
    }

    #[test]
    fn names_and_seeds_separate_streams() {
        let a = first_draws(&mut RngStreams::new(42).stream("failures/a"));
        let b = first_draws(&mut RngStreams::new(42).stream("failures/b"));
        let c = first_draws(&mut RngStreams::new(43).stream("failures/a"));
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn a_stream_does_not_depend_on_other_streams() {
        let s = RngStreams::new(7);
        let alone = first_draws(&mut s.stream("repairs"));
        // Create and consume other streams first: no shared state.
        let mut other = s.stream("demand");
        for _ in 0..1000 {
            other.next_u64();
        }
        let after = first_draws(&mut s.stream("repairs"));
        assert_eq!(alone, after);
    }

    /// Pins the derivation: if this changes, every published result changes.
    #[test]
    fn derivation_is_pinned() {
        let s = RngStreams::new(1);
        assert_eq!(fnv1a64(&[""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(&["a"]), 0xaf63_dc4c_8601_ec8c);
        let bytes = s.seed_bytes("test");
        let z0 = mix64(1u64.wrapping_add(GOLDEN_GAMMA)) ^ fnv1a64(&["test"]);
        let w0 = mix64(z0.wrapping_add(GOLDEN_GAMMA));
        assert_eq!(bytes[..8], w0.to_le_bytes());
    }
}
