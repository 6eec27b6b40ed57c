//! Performance benchmarks run from the command line (`dcsim bench …`) and
//! from `cargo bench`: timings are taken inside the process, and every figure
//! is reported next to a baseline run in the same process, since the machines
//! are shared and noisy.

pub mod charts;
pub mod economics;
pub mod phold;
pub mod scale;
pub mod serve;
pub mod sweep;
pub mod training;
