//! Integration tests of dcsim, one module per behaviour. Fixtures live in
//! `tests/fixtures/` (bad input in `tests/fixtures/bad/`).
//!
//! Run with `cargo test --release --test dcsim [filter]`.

#![allow(clippy::too_many_lines)] // tests are exempt from the 150-line guard (clippy.toml)

#[macro_use]
mod common;

// The benchmarks live beside the binary, outside the library
// (src/bench/mod.rs); the tests include them and use a part.
#[allow(dead_code)]
#[path = "../../src/bench/mod.rs"]
mod bench;

mod bad_input;
mod buildout;
mod capacity;
mod charts;
mod cli;
mod command_safety;
mod conservation;
mod crn;
mod determinism;
mod docs;
mod economics;
mod economics_terms;
mod examples;
mod exporters;
mod extends;
mod failures;
mod fuzz;
mod golden;
mod grid;
mod input_bounds;
mod interruptions;
mod layers;
mod maintenance;
mod output_safety;
mod phold;
mod physics;
mod rate_scale;
mod read_back;
mod report;
mod retirement_and_dark_racks;
mod robustness;
mod sensitivity;
mod services;
mod serving_agreement;
mod serving_disagg;
mod serving_epoch;
mod serving_power;
mod serving_requests;
mod slurm;
mod sweep;
mod traces;
mod training;
mod validation;
mod variants;
mod workload_api;
