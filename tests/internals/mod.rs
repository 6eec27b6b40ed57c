//! White-box tests: what the library's public API does not show (the
//! models' formulas checked by hand, the world's workload API, the engine,
//! readers and writers one by one). They are compiled into the library's
//! unit tests (`src/lib.rs` declares this module under `#[cfg(test)]`), so
//! they reach the crate's private modules, and they name the crate
//! `dcsim::` as the integration tests in `tests/dcsim/` do, sharing their
//! helpers (`tests/dcsim/common.rs`). Tests that run the `dcsim` binary
//! or use only the public API live in `tests/dcsim/`.

#![allow(clippy::too_many_lines)] // tests are exempt from the 150-line guard (clippy.toml)

#[macro_use]
#[path = "../dcsim/common.rs"]
mod common;

mod bad_input;
mod buildout;
mod capacity;
mod conservation;
mod crn;
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
mod maintenance;
mod phold;
mod physics;
mod robustness;
mod sensitivity;
mod services;
mod serving_agreement;
mod serving_disagg;
mod serving_epoch;
mod serving_pools;
mod serving_power;
mod serving_requests;
mod traces;
mod training;
mod validation;
mod workload_api;
