//! Inference services: the second half of the fleet's work.
//!
//! - [`roofline`]: a replica's capacity from its chips — prefill bound by
//!   compute, decode by HBM bandwidth, the batch by HBM left for KV cache.
//! - [`requests`] and [`trace`]: the request-level mode, every request an
//!   event, replicas batching continuously; replays of the Azure and
//!   Mooncake traces; [`prefix_cache`], the replicas' caches of prompt
//!   blocks (Mooncake's block hashes) that let a request skip the prefill
//!   of a prefix already computed; [`disagg`]: prefill and decode on
//!   separate pools, each request's KV cache moved between them.
//! - [`erlang`], [`epoch`] and [`demand`]: the epoch mode for years — a
//!   demand curve over calendar time and an M/M/c-family queueing model of
//!   the replicas per epoch.
//! - [`fleet`]: the services on the world — replicas as allocations of
//!   scale-up domains, epochs, autoscaling, preemption of training.

pub mod config;
pub mod demand;
pub mod disagg;
pub mod epoch;
pub mod erlang;
pub mod fleet;
pub mod prefix_cache;
pub mod requests;
pub mod roofline;
pub mod trace;
