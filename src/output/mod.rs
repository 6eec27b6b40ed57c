//! Where a run's rows go.
//!
//! Models never write files: they hand rows (see [`crate::record`]) to a
//! [`Recorder`](crate::record::Recorder). Each output format is one file of
//! this module (`csv.rs` streams them to CSV files, `memory.rs` keeps them for
//! tests, `null.rs` drops them); `set.rs` makes the files of one run appear
//! in the output folder together. Charts read the same rows; a sweep's
//! files (`sweep.rs`) and a comparison of runs (`compare.rs`) read finished
//! run folders back (see [`crate::results`]).

pub mod charts;
pub mod compare;
pub mod csv;
pub mod memory;
pub mod null;
pub mod set;
pub mod sweep;
