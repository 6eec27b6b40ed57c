//! Integration tests of dcsim, one module per behaviour. Fixtures live in
//! `tests/fixtures/` (bad input in `tests/fixtures/bad/`).
//!
//! Run with `cargo test --release --test dcsim [filter]`.

#![allow(clippy::too_many_lines)] // tests are exempt from the 150-line guard (clippy.toml)

#[macro_use]
mod common;

// The benchmarks live beside the binary, outside the library
// (src/bench/mod.rs); the tests include them and use a part.
mod charts;
mod cli;
mod command_safety;
mod determinism;
mod docs;
mod economics;
mod economics_terms;
mod extends;
mod fuzz;
mod input_bounds;
mod layers;
mod output_safety;
mod physics;
mod rate_scale;
mod read_back;
mod report;
mod retirement_and_dark_racks;
mod sensitivity;
mod serving_requests;
mod slurm;
mod sweep;
mod traces;
mod validation;
mod variants;
