//! dcsim: a discrete-event simulator of AI datacenters over the life of a
//! capacity contract.
//!
//! # Using the library
//!
//! Load a scenario ([`Scenario::load`], or [`Scenario::load_with`] with
//! `--set`-style [`Overrides`]), run it ([`run()`]) and read its typed rows
//! ([`Results`]: the summary, the samples, failures, build-out, jobs,
//! services and the books, the same rows `dcsim run` writes as CSV):
//!
//! ```
//! use dcsim::{Overrides, Scenario};
//!
//! let overrides = Overrides {
//!     sets: vec!["sites.campus.pue=1.1".into()],
//!     seed: Some(7),
//! };
//! let scenario = Scenario::load_with("scenarios/minimal.toml", &overrides)?;
//! let results = dcsim::run(&scenario);
//! assert_eq!(results.summary.seed, 7);
//! let peak_mw = results
//!     .samples
//!     .iter()
//!     .map(|s| s.facility_power_mw)
//!     .fold(0.0, f64::max);
//! println!("peak facility power {peak_mw:.2} MW, energy {:.0} MWh", results.summary.energy_mwh);
//! # Ok::<(), dcsim::ScenarioError>(())
//! ```
//!
//! A scenario with a problem is refused with every problem located (file,
//! line, column, field path); its `Display` is the message `dcsim` prints.
//! Without the `cli` feature (`default-features = false`), the library
//! builds without the command line's crates.
//!
//! # Architecture
//!
//! Data flows one way. A scenario file (TOML) is parsed and checked by
//! `scenario`, which reports every problem with its file, line, column and
//! field path, and turns the plain `*Spec` structs into a validated
//! [`scenario::Scenario`] (catalog entries resolved from `catalog`, dates
//! turned into simulated time), each part of it a configuration type of the
//! layer that owns it. The physical model, `world::World`, is built from
//! its part: sites, racks, scale-up domains and nodes, power, network
//! and failures, one file per concern, and the workload API it offers workloads
//! (capacity, notices, commands). The composition root, `sim`, owns the
//! top-level event enum (one variant per layer, each wrapping that layer's
//! own `Copy` events), dispatches events from the `engine` — an
//! integer-microsecond clock, a queue ordered by `(time, sequence)`,
//! cancellation and named random streams, which knows nothing of
//! datacenters — to the world, schedules what the world asks for, and hands
//! the rows (samples, failures, build-out, summary; see `record`) to a
//! `record::Recorder`; `output::csv::CsvRecorder` streams them to CSV
//! files that appear together (`output::set`); before they appear,
//! `summary.json` is written from the summary row and, when asked, the
//! charts and `report.html` are drawn (`output::charts`,
//! `output::report`) from the run's data gathered from the same rows as
//! they were recorded (`output::tee`, `output::charts::recorded`),
//! each value through its column of the schema so that they show what
//! the files say. `sim::run` runs
//! a scenario to its end.
//! `runner::run_to_dir` runs one into an output folder (`dcsim run` and
//! every run of a sweep).
//!
//! A `sweep` expands a scenario into runs (every combination of some
//! values, replicated with derived seeds), runs them in a thread pool of
//! its own, each into its own folder, and gathers their summaries read back
//! from disk (`results`) into a table with confidence intervals and
//! charts (`sweep::files`); shards of a sweep run anywhere and are
//! merged into the same bytes. `output::compare` puts finished runs side
//! by side.
//!
//! Dependencies point inward. `engine`, `units`, `input` (bounded file
//! reading) and `text` (durations, quoting, closest names) depend on
//! nothing of the project but the engine's time; `run` (the run's own
//! settings) on the engine; `catalog` on `units`; `record` on the catalog
//! and the row types of the workloads and the books. Each model layer owns
//! its configuration as types of its own, resolved at the boundary, and its
//! constructor takes only its part plus the run settings: `world` (its
//! `world::config`) depends on the engine, the catalog, `run` and
//! `record`; `policy` and the workloads (`workload`) on the world's
//! workload API and configuration, the training workload's configuration, job
//! physics and job sources (Poisson arrivals, trace readers) in
//! `workload::training`, the serving workload's in
//! `workload::serving::config`; `economics` on `record`, `run`, `units`
//! and the engine's time only. What a layer reads of another's part (the
//! rack models, sites and maintenance windows the workloads run with, the
//! rack models, sites and services the books price) is copied into its own
//! configuration at the boundary. `scenario` sits above them: it
//! depends on the catalog, the engine, `input`, `text` and every layer's
//! configuration types, which it fills (a [`scenario::Scenario`] is
//! `{ run, catalog, world, training, serving, economics }`), and no file of
//! `world`, `workload`, `economics` or `policy` imports it outside unit
//! tests (`tests/dcsim/layers.rs` fails on one that does). `output` depends
//! on `record`, `results` and the layers' row types; `sim` on the layers
//! and the validated scenario, the one place that unpacks a whole
//! `Scenario`; `runner` on `sim` and `output`; `sweep` on `runner`. The
//! command line ([`cli`], one file per subcommand, and the benchmarks of
//! `dcsim bench` in `src/cli/bench/`) sits on top and calls the rest; the
//! binary (`src/main.rs`) is a table of contents that calls [`cli::main`].
//! The command line's crates (clap and the rest) come with the default `cli`
//! feature; without it the library builds without them, and without the
//! modules only the subcommands use (`output` files, `sweep`, `results`,
//! `runner`, `sensitivity`, `validation`, `console`).
//!
//! Every module is private to the crate: what a Rust program sees is the
//! front door above (`Scenario`, `Overrides`, `ScenarioError` with its
//! `Issue`s and `Location`s, `run`, `Results`), the row types in [`rows`]
//! and [`cli::main`]. The white-box tests (`tests/internals/`) are compiled
//! into the library's unit tests to reach the rest.
//!
//! # Resolution
//!
//! Every state change that matters over years is an event — deliveries,
//! commissioning, failures, repairs, grid changes, hourly tariff changes,
//! samples — and every aggregate (chips healthy, IT power, energy so far) is
//! kept incrementally, so no event or sample loops over every chip or rack.
//! Identical components with exponential lifetimes share one superposed
//! failure process per cohort instead of one pending event each.

#![warn(missing_docs)]
// Without the command line, the modules only its subcommands use (output
// files, sweeps, comparisons, validation) are left out, and a few helpers
// of the others that only a subcommand calls (reading a request trace for
// `replay`, reading run folders back) are compiled but unused.
#![cfg_attr(not(feature = "cli"), allow(dead_code))]

// The white-box tests (`tests/internals/`, compiled into the library's unit
// tests) name the crate `dcsim::` as the integration tests do, and share
// their helpers (`tests/dcsim/common.rs`).
#[cfg(test)]
extern crate self as dcsim;
#[cfg(test)]
#[path = "../tests/internals/mod.rs"]
mod internals;

mod api;

pub(crate) mod catalog;
/// The `dcsim` command line (built with the default `cli` feature): what
/// the `dcsim` binary runs.
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub(crate) mod console;
pub(crate) mod economics;
pub(crate) mod engine;
pub(crate) mod input;
pub(crate) mod output;
pub(crate) mod policy;
pub(crate) mod record;
#[cfg(feature = "cli")]
pub(crate) mod results;
pub(crate) mod run;
#[cfg(feature = "cli")]
pub(crate) mod runner;
pub(crate) mod scenario;
#[cfg(feature = "cli")]
pub(crate) mod sensitivity;
pub(crate) mod sim;
#[cfg(feature = "cli")]
pub(crate) mod sweep;
pub(crate) mod text;
pub(crate) mod units;
#[cfg(feature = "cli")]
pub(crate) mod validation;
pub(crate) mod workload;
pub(crate) mod world;

pub use api::{Results, run};
pub use rows::{
    BuildoutRow, ContractMonthRow, ContractRow, FailureRow, JobRow, MaintenanceRow, MonthlyRow,
    Rows, SampleRow, ServiceRow, ServiceSummaryRow, SummaryRow, WindowRequestRow, WindowRow,
};
pub use scenario::{Issue, Location, Overrides, Scenario, ScenarioError};

/// The rows of a run ([`Results`]) and every type their fields hold: one
/// row type per CSV file `dcsim run` writes (`timeseries.csv` and
/// `capacity.csv` come from [`SampleRow`], `failures.csv` from
/// [`FailureRow`], …), the summary and its parts, and the enums of their
/// categorical columns. Values are typed: calendar instants are
/// [`chrono::NaiveDateTime`] (to the second), dates [`chrono::NaiveDate`],
/// months [`YearMonth`](rows::YearMonth), a column with a fixed set of
/// values an enum whose `Display` is the text its file holds
/// ([`Component`](rows::Component), [`CapacityUnit`](rows::CapacityUnit),
/// [`Billing`](rows::Billing), [`TerminalTreatment`](rows::TerminalTreatment),
/// [`NoIrr`](rows::NoIrr), …).
/// The most used are also at the crate root.
pub mod rows {
    pub use crate::catalog::failures::FailureKind;
    pub use crate::record::{
        Billing, BuildoutRow, CapacityUnit, Component, ContractMonthRow, ContractRow,
        EconomicsSummary, FailureRow, Interruption, JobRow, JobStatus, KvWindow, MaintenanceRow,
        MonthlyRow, MonthlyTaxRow, NoIrr, PhaseOutcome, PrefillPoolRow, RackSample, Remedy,
        RetirementSummary, Rows, SampleRow, ServiceRow, ServiceSummaryRow, SharedText, SummaryRow,
        TaxSummary, TerminalSummary, TerminalTreatment, TrainingSample, TrainingSummary,
        WindowRequestRow, WindowRow, YearMonth,
    };
    pub use crate::workload::serving::requests::{Latency, RequestRow, ServeSummary, SloResult};
}
