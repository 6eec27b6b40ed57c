//! Performance benchmarks run from the command line (`dcsim bench …`) and
//! from `cargo bench`: timings are taken inside the process, and every figure
//! is reported next to a baseline run in the same process, since the machines
//! are shared and noisy.
//!
//! They measure the library from outside and are no part of it: the binary
//! declares this module (`src/main.rs`), and the `cargo bench` targets and
//! the integration tests include the same files (`#[path]`), so each calls
//! the library only through its public items.

pub mod charts;
pub mod economics;
pub mod phold;
pub mod scale;
pub mod serve;
pub mod sweep;
pub mod training;
