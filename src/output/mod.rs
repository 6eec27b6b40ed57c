//! Where a run's rows go.
//!
//! Models never write files: they hand rows (see [`crate::record`]) to a
//! [`Recorder`](crate::record::Recorder). Each output format is one file of
//! this module (`csv.rs` streams them to CSV files, `memory.rs` keeps them for
//! tests, `null.rs` drops them); `set.rs` makes the files of one run appear
//! in the output folder together. `summary.json` (`json.rs`) is written
//! from the summary row; the charts (`charts/`) and `report.html`
//! (`report.rs`) are a later stage (`pipeline.rs`), drawn from the run's
//! data gathered from its rows as they were recorded (`tee.rs` hands them
//! to the CSV recorder and to `charts/recorded.rs`), each value through
//! its column of the schema, so they are what the files say.
//! A comparison of runs (`compare.rs`) reads finished run folders back (see
//! [`crate::results`]); a sweep writes its own files ([`crate::sweep::files`]).

#[cfg(feature = "cli")]
pub mod charts;
#[cfg(feature = "cli")]
pub mod compare;
#[cfg(feature = "cli")]
pub mod csv;
#[cfg(feature = "cli")]
pub mod json;
pub mod memory;
#[cfg(feature = "cli")]
pub mod null;
#[cfg(feature = "cli")]
pub mod pipeline;
#[cfg(feature = "cli")]
pub mod report;
#[cfg(feature = "cli")]
pub mod sensitivity;
#[cfg(feature = "cli")]
pub mod set;
pub mod tee;
