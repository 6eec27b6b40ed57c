//! The one boundary where a [`ScenarioSpec`] becomes a [`Scenario`]: every
//! check of meaning (ranges, units, dates inside the horizon, names that refer
//! to something) happens here, and every problem is collected, not just the
//! first.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};

use super::diag::{Issue, did_you_mean_value, quote_short};
use super::model::Scenario;
use super::spec::ScenarioSpec;
use super::tree::FieldPath;
use crate::engine::{Calendar, SimDuration, SimTime};
use crate::run::RunConfig;
use crate::workload::serving::config::Config as ServingConfig;
use crate::workload::training::config::Config as TrainingConfig;
use crate::world::config::Config as WorldConfig;

/// Default seed when the file and the command line give none.
pub const DEFAULT_SEED: u64 = 1;
/// Default utilization when the file has no `[load]` table.
pub const DEFAULT_UTILIZATION: f64 = 0.7;
pub use crate::input::MAX_MAGNITUDE;
pub use crate::text::{number, parse_duration};
pub use crate::workload::training::sources::MAX_JOB_QUANTITY;
/// Smallest value accepted where a positive number is needed, in the unit of
/// its key (1e-6 MW is one watt).
pub const MIN_POSITIVE: f64 = 1e-6;
/// Most timeseries samples per site a run may take.
pub const MAX_SAMPLES_PER_SITE: u64 = 10_000_000;
/// Smallest Weibull shape accepted (smaller ones put almost every failure
/// at time zero and overflow Γ(1 + 1/k)).
pub const MIN_WEIBULL_SHAPE: f64 = 0.1;
/// Largest Weibull shape accepted.
pub const MAX_WEIBULL_SHAPE: f64 = 20.0;
/// Highest failure rate accepted [per million component-hours]: a mean life
/// of one hour.
pub const MAX_RATE_PER_MILLION_HOURS: f64 = 1e6;
/// Most nodes a scenario may build (per-node state is kept in memory).
pub const MAX_NODES: u64 = 25_000_000;
/// Most timeseries rows (sites × samples) a run may write: about 5 GB of
/// `timeseries.csv`.
pub const MAX_TIMESERIES_ROWS: u64 = 20_000_000;
/// Size of a timeseries row, for the estimate given in messages \[bytes\].
pub const TIMESERIES_ROW_BYTES: u64 = 250;
/// Bytes of a row of `failures.csv`, about (for the size in messages).
pub const FAILURE_ROW_BYTES: u64 = 100;
/// Longest run \[years\].
pub const MAX_RUN_YEARS: u64 = 100;
/// Earliest year of a date.
pub const MIN_YEAR: i32 = 1900;
/// Latest year of a date.
pub const MAX_YEAR: i32 = 2200;
/// Largest log-normal `sigma`: a one-in-a-million draw is then at most
/// e^(3 × 4.75) ≈ 1.6 million times the median.
pub const MAX_LOGNORMAL_SIGMA: f64 = 3.0;
/// Default model FLOPs utilization of a training job.
pub const DEFAULT_MFU: f64 = 0.4;
/// Most jobs the `[[arrivals]]` streams may expect (rate × window), one
/// stream or all together.
pub const MAX_ARRIVAL_JOBS: f64 = 1e6;
/// Most requests the `[[request_windows]]` without a trace may expect
/// (demand at the window's start × its duration), all windows together:
/// each request takes about 80 bytes in memory and, with `requests_csv`,
/// about 60 bytes of `requests.csv`.
pub const MAX_WINDOW_REQUESTS: f64 = 1e7;
/// `checkpoint_every` value asking for the Young/Daly interval.
pub const YOUNG_DALY: &str = "young-daly";
/// Share of a step's compute the all-reduce overlaps when a job gives none:
/// an assumption (frameworks overlap the gradient exchange with the
/// backward pass, which is about two thirds of a step's compute).
pub const DEFAULT_OVERLAP: f64 = 0.5;
/// Most gradient bytes per replica per step: an exabyte (a 500-quadrillion-
/// parameter model in BF16), far beyond any model; keeps a typo finite.
pub const MAX_GRADIENT_BYTES: f64 = 1e18;
/// Longest scenario name \[characters\]: it names a folder.
pub const MAX_NAME_CHARS: usize = 100;

/// Problems found by [`validate`]: by field path (located later against the
/// tree), or already located (in a CSV file the scenario names).
#[derive(Default)]
pub struct Problems {
    /// `(field, message)`.
    pub by_path: Vec<(FieldPath, String)>,
    /// Problems located in other files.
    pub located: Vec<Issue>,
}

/// Parses an ISO date `YYYY-MM-DD`: four-digit year from [`MIN_YEAR`] to
/// [`MAX_YEAR`], two-digit month and day.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let shape_ok = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let wrong = || {
        format!(
            "expected a date like \"2026-01-31\" (YYYY-MM-DD: a four-digit year, two-digit month and day), found \"{}\"",
            quote_short(text)
        )
    };
    if !shape_ok {
        return Err(wrong());
    }
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| wrong())?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(format!(
            "{date} is outside the years dcsim accepts, {MIN_YEAR} to {MAX_YEAR}"
        ));
    }
    Ok(date)
}

mod arrivals;
mod catalog;
mod checks;
mod economics;
mod economics_terms;
mod failures;
mod horizon;
mod jobs;
mod maintenance;
mod services;
mod sites;
mod traces;
mod windows;

struct Validator<'a> {
    problems: Problems,
    /// The folder that input files named at a field are relative to.
    folders: &'a dyn Fn(&FieldPath) -> Option<PathBuf>,
    calendar: Calendar,
    end: SimTime,
    /// Software interruptions per node-hour of a running job, once read.
    software_rate: f64,
    /// Names of the `[[chips]]` and `[[racks]]` entries the scenario
    /// defines but that were refused: a reference to one is not also
    /// reported as naming nothing (its own problem is reported).
    refused_chips: BTreeSet<String>,
    refused_racks: BTreeSet<String>,
}

/// Converts a spec into a scenario, or returns every problem. An input file
/// named at a field (an hourly CSV, a trace) is relative to the folder
/// `folders` gives for that field's path — that of the file which wrote the
/// value, when a scenario extends bases in other folders — or to the
/// working directory when it gives none.
pub fn validate_with_folders(
    spec: &ScenarioSpec,
    folders: &dyn Fn(&FieldPath) -> Option<PathBuf>,
) -> Result<Scenario, Problems> {
    let root = FieldPath::default();
    let mut v = Validator {
        problems: Problems::default(),
        folders,
        calendar: Calendar::new(NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date")),
        end: SimTime::MAX,
        software_rate: crate::catalog::failures::SOFTWARE_PER_MILLION_NODE_HOURS / 1e6,
        refused_chips: BTreeSet::new(),
        refused_racks: BTreeSet::new(),
    };

    v.names(spec);

    let start = v.date(&root.key("start"), &spec.start);
    if let Some(start) = start {
        v.calendar = Calendar::new(start);
    }
    v.end = v.horizon(spec, start).unwrap_or(SimTime::MAX);

    let (samples_key, sample_every) = v.sample_every(spec);

    let utilization = match spec.load.as_ref().and_then(|l| l.utilization) {
        Some(u) => v.fraction(&root.key("load").key("utilization"), u),
        None => Some(DEFAULT_UTILIZATION),
    };

    let catalog = v.catalog(&spec.chips, &spec.racks);
    let failures = v.failures(spec);
    let swap_time = match spec.spares.as_ref().and_then(|s| s.swap_time.as_ref()) {
        Some(text) => v.duration(&root.key("spares").key("swap_time"), text),
        None => Some(SimDuration::from_hours(4)),
    };

    let (mut rack_types, sites) = v.sites(spec, &catalog);
    if let Some(failures) = &failures {
        Validator::rack_failure_rates(spec, failures, &mut rack_types);
    }

    let links = v.links(spec);

    v.output_bounds(spec, samples_key, sample_every, &sites, &rack_types);
    v.failures_log_bound(spec, failures.as_deref(), &sites, &rack_types, &links);

    v.software_rate = v.software_rate(spec);
    let (jobs, trace_reports) =
        v.job_sources(spec, &catalog, &rack_types, &sites, failures.as_deref());
    let epoch = v.epoch(spec);
    let services = v.services(&spec.services, &catalog, &rack_types, &sites);
    let request_windows = v.request_windows(&spec.request_windows, &spec.services, &services);
    let maintenance = v.maintenance(&spec.maintenance, &spec.sites, &rack_types);
    let economics = v.economics(spec, &rack_types, &sites, &services);

    let ok = v.problems.by_path.is_empty() && v.problems.located.is_empty();
    match (
        ok,
        start,
        sample_every,
        utilization,
        failures,
        swap_time,
        epoch,
    ) {
        (
            true,
            Some(_),
            Some(sample_every),
            Some(utilization),
            Some(failures),
            Some(swap_time),
            Some(epoch),
        ) => Ok(Scenario {
            run: RunConfig {
                name: spec.name.clone(),
                description: spec.description.trim().to_string(),
                seed: spec.seed.unwrap_or(DEFAULT_SEED),
                calendar: v.calendar,
                end: v.end,
                sample_every,
            },
            catalog,
            // The workloads take copies of the world's rack models, sites
            // and maintenance windows they read, indexed as the world's.
            training: TrainingConfig {
                jobs,
                software_rate_per_node_hour: v.software_rate,
                traces: trace_reports,
                rack_types: rack_types.clone(),
                sites: sites.iter().map(|s| s.name.clone()).collect(),
            },
            serving: ServingConfig {
                epoch,
                services,
                request_windows,
                rack_types: rack_types.clone(),
                site_count: sites.len(),
                maintenance: maintenance.clone(),
            },
            world: WorldConfig {
                utilization,
                rack_types,
                sites,
                links,
                failures,
                swap_time,
                failures_log: spec
                    .output
                    .as_ref()
                    .and_then(|o| o.failures_log)
                    .unwrap_or(false),
                maintenance,
            },
            economics,
        }),
        _ => Err(v.problems),
    }
}

impl Validator<'_> {
    /// The path of an input file named `file` at field `p`: relative to the
    /// folder of the scenario file that wrote it.
    fn input_path(&self, p: &FieldPath, file: &str) -> PathBuf {
        match (self.folders)(p) {
            Some(dir) => dir.join(file),
            None => PathBuf::from(file),
        }
    }
}

/// A round interval at least `d` long, for a suggestion: whole minutes,
/// hours or days.
fn suggest_interval(d: SimDuration) -> String {
    let h = d.hours();
    if h <= 1.0 {
        format!("{}min", (h * 60.0).ceil().max(1.0))
    } else if h <= 24.0 {
        format!("{}h", h.ceil())
    } else {
        format!("{}d", (h / 24.0).ceil())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration("90s").unwrap(), SimDuration::from_secs(90));
        assert_eq!(
            parse_duration("15min").unwrap(),
            SimDuration::from_secs(900)
        );
        assert_eq!(parse_duration("54d").unwrap(), SimDuration::from_days(54));
        assert_eq!(
            parse_duration("7y").unwrap(),
            SimDuration::from_days(7 * 365)
        );
        assert_eq!(
            parse_duration("1.5h").unwrap(),
            SimDuration::from_secs(5400)
        );
        assert_eq!(parse_duration("2w").unwrap(), SimDuration::from_days(14));
        assert_eq!(parse_duration("250ms").unwrap(), SimDuration(250_000));
        assert!(parse_duration("90").unwrap_err().contains("no unit"));
        assert!(
            parse_duration("5 days")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            parse_duration("5mn")
                .unwrap_err()
                .contains("did you mean \"min\"?")
        );
        assert!(parse_duration("abc").is_err());
    }

    #[test]
    fn dates_are_iso() {
        assert!(parse_date("2026-02-28").is_ok());
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("02/03/2026").unwrap_err().contains("YYYY-MM-DD"));
    }
}
