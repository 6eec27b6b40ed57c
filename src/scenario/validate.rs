//! The one boundary where a [`ScenarioSpec`] becomes a [`Scenario`]: every
//! check of meaning (ranges, units, dates inside the horizon, names that refer
//! to something) happens here, and every problem is collected, not just the
//! first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::diag::{Issue, Location, did_you_mean_value, quote_short};
use super::input::{MAX_CSV_BYTES, read_regular_file};
use super::model::{
    Arrivals, Band, Comm, Distribution, FailureClass, Job, Lifetime, Link, Maintenance, Phase, Pue,
    RackType, RequestWindow, Scenario, Service, Site, Tariff, TraceReport, job_failure_rate,
    young_daly,
};
use super::spec::{
    ArrivalSpec, CarbonSpec, ChipOverrideSpec, DistributionKind, DistributionSpec,
    FailureClassSpec, GrowthSpec, JobSpec, LifetimeKind, MaintenanceSpec, PriceSpec,
    RackOverrideSpec, RequestWindowSpec, ScenarioSpec, ServiceSpec, SiteSpec, TraceSpec,
};
use super::tree::FieldPath;
use crate::catalog::failures::{self, FailureKind};
use crate::catalog::{Catalog, ChipSpec, RackSpec};
use crate::engine::time::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use crate::engine::{Calendar, RngStreams, SimDuration, SimTime};
use crate::units::{BitsPerSecond, Bytes, BytesPerSecond, FlopsPerSecond, Usd, Watts};
use crate::workload::serving::demand::{Demand, Growth};

/// Default seed when the file and the command line give none.
pub const DEFAULT_SEED: u64 = 1;
/// Default utilization when the file has no `[load]` table.
pub const DEFAULT_UTILIZATION: f64 = 0.7;
/// Largest magnitude accepted for any number, in the unit of its key: far
/// beyond any real figure, small enough that unit conversions and sums over
/// a whole scenario stay finite.
pub const MAX_MAGNITUDE: f64 = 1e12;
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
/// Size of a timeseries row, for the estimate given in messages [bytes].
pub const TIMESERIES_ROW_BYTES: u64 = 250;
/// Bytes of a row of `failures.csv`, about (for the size in messages).
pub const FAILURE_ROW_BYTES: u64 = 100;
/// Longest run [years].
pub const MAX_RUN_YEARS: u64 = 100;
/// Longest duration accepted anywhere [years of 365 days].
pub const MAX_DURATION_YEARS: u64 = 1_000;
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
/// Largest parameter count, token count or FLOPs a job may give: beyond any
/// real run (the largest today are near 1e26 FLOPs), small enough to stay
/// exact enough in f64 arithmetic.
pub const MAX_JOB_QUANTITY: f64 = 1e32;
/// Longest scenario name [characters]: it names a folder.
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

/// Parses a duration such as `"90s"`, `"15min"`, `"1.5h"`, `"54d"`, `"2w"` or
/// `"7y"` (a year is 365 days), rounded to the microsecond. (The scenario's
/// `duration` alone treats whole years as calendar years.)
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    // Quoted short and escaped: a message stays one line whatever the input.
    let text_q = quote_short(text);
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let example = "a duration like \"90s\", \"15min\", \"4h\", \"54d\" or \"7y\"";
    let value: f64 = number
        .replace('_', "")
        .parse()
        .map_err(|_| format!("expected {example}, found \"{text_q}\""))?;
    let micros_per_unit: u64 = match unit.trim() {
        "us" | "µs" => 1,
        "ms" => 1_000,
        "s" => MICROS_PER_SECOND,
        "min" => MICROS_PER_MINUTE,
        "h" => MICROS_PER_HOUR,
        "d" => MICROS_PER_DAY,
        "w" => 7 * MICROS_PER_DAY,
        "y" => 365 * MICROS_PER_DAY,
        "" => return Err(format!("\"{text_q}\" has no unit; expected {example}")),
        other => {
            let other_q = quote_short(other);
            // Units spelled out ("30days", "2 hours") get the value
            // rewritten; a month, of no fixed length, gets days.
            let word = other.to_ascii_lowercase();
            let unit = match word.trim_end_matches('s') {
                "sec" | "second" => Some("s"),
                "m" | "mi" | "min" | "minute" => Some("min"),
                "hr" | "hour" => Some("h"),
                "day" => Some("d"),
                "wk" | "week" => Some("w"),
                "yr" | "year" => Some("y"),
                _ => None,
            };
            let n = quote_short(&number.replace('_', ""));
            if let Some(unit) = unit {
                return Err(format!(
                    "unknown unit \"{other_q}\" in \"{text_q}\"; did you mean \"{n}{unit}\"? (units: us, ms, s, min, h, d, w, y)"
                ));
            }
            if matches!(word.trim_end_matches('s'), "mo" | "mon" | "month") {
                let days = (value * 30.0).round();
                return Err(format!(
                    "unknown unit \"{other_q}\" in \"{text_q}\": months differ in length, so give days (did you mean \"{days}d\"?) or years (units: us, ms, s, min, h, d, w, y)"
                ));
            }
            let hint = did_you_mean_value(other, ["us", "ms", "s", "min", "h", "d", "w", "y"]);
            return Err(format!(
                "unknown unit \"{other_q}\" in \"{text_q}\"{hint} (units: us, ms, s, min, h, d, w, y)"
            ));
        }
    };
    let micros = value * micros_per_unit as f64;
    if !micros.is_finite() || micros > (MAX_DURATION_YEARS * 365 * MICROS_PER_DAY) as f64 {
        return Err(format!(
            "\"{text_q}\" is too long; the longest duration accepted is \"{MAX_DURATION_YEARS}y\""
        ));
    }
    Ok(SimDuration(micros.round() as u64))
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

mod economics;
mod economics_terms;

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

/// Converts a spec into a scenario, or returns every problem. Input files
/// it names (hourly CSVs, traces) are relative to `base_dir`.
pub fn validate(spec: &ScenarioSpec, base_dir: Option<&Path>) -> Result<Scenario, Problems> {
    validate_with_folders(spec, &|_| base_dir.map(Path::to_path_buf))
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
        software_rate: failures::SOFTWARE_PER_MILLION_NODE_HOURS / 1e6,
        refused_chips: BTreeSet::new(),
        refused_racks: BTreeSet::new(),
    };

    if spec.name.chars().count() > MAX_NAME_CHARS {
        v.err(
            &root.key("name"),
            format!(
                "the name is {} characters long; it names the output folder, so at most {MAX_NAME_CHARS} are allowed",
                spec.name.chars().count()
            ),
        );
    } else if spec.name.trim().is_empty()
        || !spec
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || spec.name.starts_with('.')
    {
        v.err(
            &root.key("name"),
            format!(
                "\"{}\" cannot name an output folder; use letters, digits, '-', '_' or '.', e.g. name = \"two-sites\"",
                spec.name
            ),
        );
    }

    // Names appear in CSV files, in the charts (SVG: XML, which cannot
    // carry most control characters) and in messages: printable only.
    let names: [(&str, Vec<&str>); 6] = [
        (
            "sites",
            spec.sites.iter().map(|x| x.name.as_str()).collect(),
        ),
        ("jobs", spec.jobs.iter().map(|x| x.name.as_str()).collect()),
        (
            "arrivals",
            spec.arrivals.iter().map(|x| x.name.as_str()).collect(),
        ),
        (
            "services",
            spec.services.iter().map(|x| x.name.as_str()).collect(),
        ),
        (
            "chips",
            spec.chips.iter().map(|x| x.name.as_str()).collect(),
        ),
        (
            "racks",
            spec.racks.iter().map(|x| x.name.as_str()).collect(),
        ),
    ];
    for (table, list) in names {
        for (i, name) in list.iter().enumerate() {
            if name
                .chars()
                .any(|c| c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}'))
            {
                v.err(
                    &root.key(table).index(i).key("name"),
                    format!(
                        "\"{}\" holds a control character; names appear in CSV files, charts and messages: use printable characters",
                        super::diag::quote_short(name)
                    ),
                );
            }
        }
    }

    let start = v.date(&root.key("start"), &spec.start);
    if let Some(start) = start {
        v.calendar = Calendar::new(start);
    }
    v.end = v.horizon(spec, start).unwrap_or(SimTime::MAX);

    // Where a problem of the number of samples is shown: at `sample_every`
    // if the file sets it, else at what sets the run's length.
    let samples_key = if spec.sample_every.is_some() {
        "sample_every"
    } else if spec.end.is_some() && spec.duration.is_none() {
        "end"
    } else {
        "duration"
    };
    let sample_every = match &spec.sample_every {
        Some(text) => v.positive_duration(&root.key("sample_every"), text),
        None => Some(SimDuration::from_hours(1)),
    };
    if let Some(s) = sample_every
        && v.end != SimTime::MAX
        && s.0 > v.end.0
    {
        v.err(
            &root.key(samples_key),
            format!("{s} is longer than the whole run; sample at least once, e.g. \"1h\""),
        );
    }

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

    let mut rack_types: Vec<RackType> = Vec::new();
    let mut sites = Vec::new();
    if spec.sites.is_empty() {
        v.err(
            &root.key("sites"),
            "the scenario has no site; add one with a [[sites]] table (name, grid_mw, pue and a [[sites.buildout]] phase)",
        );
    }
    let mut seen_sites: BTreeMap<String, String> = BTreeMap::new();
    for (i, site) in spec.sites.iter().enumerate() {
        let p = root.key("sites").index(i);
        if site.name.trim().is_empty() {
            v.err(&p.key("name"), "a site needs a name, e.g. name = \"ohio\"");
        } else if let Some(other) = seen_sites.get(&site.name.to_lowercase()) {
            let message = if *other == site.name {
                format!(
                    "two sites are named \"{}\"; site names must be unique",
                    site.name
                )
            } else {
                format!(
                    "\"{}\" differs from the site \"{other}\" only in case; site names must differ by more than case",
                    site.name
                )
            };
            v.err(&p.key("name"), message);
        } else {
            seen_sites.insert(site.name.to_lowercase(), site.name.clone());
        }
        if let Some(s) = v.site(&p, site, &catalog, &mut rack_types) {
            sites.push(s);
        }
    }

    let site_names: Vec<&str> = spec.sites.iter().map(|s| s.name.as_str()).collect();
    let mut links = Vec::new();
    for (i, link) in spec.links.iter().enumerate() {
        let p = root.key("links").index(i);
        let from = v.site_ref(&p.key("from"), &link.from, &site_names);
        let to = v.site_ref(&p.key("to"), &link.to, &site_names);
        if from.is_some() && from == to {
            v.err(&p.key("to"), "a link joins two different sites");
        }
        let bandwidth = v.positive(
            &p.key("bandwidth_gbit_per_s"),
            link.bandwidth_gbit_per_s,
            "the link's capacity each way in Gbit/s, e.g. 3200",
        );
        let latency = v.duration(&p.key("latency"), &link.latency);
        if let (Some(from), Some(to), Some(bw), Some(latency)) = (from, to, bandwidth, latency) {
            links.push(Link {
                from,
                to,
                bandwidth: BitsPerSecond::from_gbps(bw),
                latency,
            });
        }
    }

    // Limits that keep a typo from running for days, exhausting memory or
    // filling the disk.
    if let Some(every) = sample_every
        && v.end != SimTime::MAX
        && every.0 > 0
    {
        let samples = v.end.0 / every.0;
        let rows = samples.saturating_mul(spec.sites.len() as u64);
        // The interval that would give the most rows allowed.
        let site_count = spec.sites.len().max(1) as u64;
        let fewest = v.end.0 / (MAX_TIMESERIES_ROWS / site_count).clamp(1, MAX_SAMPLES_PER_SITE);
        let hint = suggest_interval(SimDuration(fewest));
        if samples > MAX_SAMPLES_PER_SITE {
            v.err(
                &root.key(samples_key),
                format!(
                    "sampling every {every} gives {samples} samples per site over the run, more than the {MAX_SAMPLES_PER_SITE} allowed; sample less often with sample_every (e.g. sample_every = \"{hint}\")"
                ),
            );
        } else if rows > MAX_TIMESERIES_ROWS {
            v.err(
                &root.key(samples_key),
                format!(
                    "{} sites × {samples} samples (every {every}) is {rows} rows of timeseries.csv, about {:.1} GB; at most {MAX_TIMESERIES_ROWS} rows (about {:.0} GB) are allowed: sample less often with sample_every (e.g. sample_every = \"{hint}\")",
                    spec.sites.len(),
                    (rows * TIMESERIES_ROW_BYTES) as f64 / 1e9,
                    (MAX_TIMESERIES_ROWS * TIMESERIES_ROW_BYTES) as f64 / 1e9
                ),
            );
        } else {
            // capacity.csv has a row per sample, site and rack model the
            // site builds.
            let models: u64 = sites
                .iter()
                .map(|s| {
                    let kinds: BTreeSet<usize> = s.phases.iter().map(|p| p.rack_type).collect();
                    kinds.len() as u64
                })
                .sum();
            let capacity_rows = samples.saturating_mul(models);
            if capacity_rows > MAX_TIMESERIES_ROWS {
                let fewest = v.end.0 / (MAX_TIMESERIES_ROWS / models.max(1)).max(1);
                let hint = suggest_interval(SimDuration(fewest));
                v.err(
                    &root.key(samples_key),
                    format!(
                        "{models} (site, rack model) pairs × {samples} samples (every {every}) is {capacity_rows} rows of capacity.csv; at most {MAX_TIMESERIES_ROWS} are allowed: sample less often with sample_every (e.g. sample_every = \"{hint}\")"
                    ),
                );
            }
        }
    }
    let nodes: u64 = sites
        .iter()
        .flat_map(|s| &s.phases)
        .map(|p| u64::from(p.count) * u64::from(rack_types[p.rack_type].rack.nodes))
        .sum();
    if nodes > MAX_NODES {
        v.err(
            &root.key("sites"),
            format!(
                "the build-outs add up to {nodes} nodes; dcsim keeps state per node and allows at most {MAX_NODES} (about 100 million chips)"
            ),
        );
    }

    // failures.csv has a row per failure: its expected count, from every
    // class's rate over each build-out's racks from their planned date to
    // the end (retirements ignored: an upper estimate), each site's outages
    // and each inter-site link's, is held to the timeseries bound.
    if spec.output.as_ref().and_then(|o| o.failures_log) == Some(true)
        && v.end != SimTime::MAX
        && let Some(failures) = failures.as_deref()
    {
        let end_h = v.end.hours();
        let rate = |k: FailureKind| {
            failures
                .iter()
                .find(|c| c.kind == k)
                .and_then(|c| c.rate_per_hour)
                .unwrap_or(0.0)
        };
        let site_outage = rate(FailureKind::SiteOutage);
        let racks: f64 = sites
            .iter()
            .flat_map(|s| &s.phases)
            .map(|p| {
                let t = &rack_types[p.rack_type];
                let chips = p.count.saturating_mul(t.rack.chips);
                let hours = (end_h - p.planned.hours()).max(0.0);
                (job_failure_rate(failures, t, chips, 0.0) - site_outage) * hours
            })
            .sum();
        let rows = racks
            + site_outage * end_h * sites.len() as f64
            + rate(FailureKind::DciLink) * end_h * links.len() as f64;
        if rows > MAX_TIMESERIES_ROWS as f64 {
            v.err(
                &root.key("output").key("failures_log"),
                format!(
                    "the failure rates over the fleet and the run give about {rows:.3e} failures, each a row of failures.csv (about {:.1} GB); at most {MAX_TIMESERIES_ROWS} rows are allowed: set failures_log = false, or shorten the run",
                    rows * FAILURE_ROW_BYTES as f64 / 1e9
                ),
            );
        }
    }

    v.software_rate = v.software_rate(spec);
    let mut jobs = v.jobs(
        &spec.jobs,
        &catalog,
        &rack_types,
        &sites,
        failures.as_deref(),
    );
    let streams = RngStreams::new(spec.seed.unwrap_or(DEFAULT_SEED));
    let listed: BTreeSet<String> = spec.jobs.iter().map(|j| j.name.to_lowercase()).collect();
    for (i, a) in v
        .arrivals(
            &spec.arrivals,
            &catalog,
            &rack_types,
            &sites,
            failures.as_deref(),
        )
        .into_iter()
        .enumerate()
    {
        let generated = a.generate(&streams, &rack_types[a.rack_type]);
        if let Some(clash) = generated
            .iter()
            .find(|j| listed.contains(&j.name.to_lowercase()))
        {
            v.err(
                &FieldPath::default().key("arrivals").index(i).key("name"),
                format!(
                    "this stream names its jobs \"{}-<k>\" and \"{}\" is also a [[jobs]] name; rename the stream or the job",
                    a.name, clash.name
                ),
            );
        }
        jobs.extend(generated);
    }
    let mut names: BTreeSet<String> = jobs.iter().map(|j| j.name.to_lowercase()).collect();
    let (traced, trace_reports) = v.traces(
        &spec.traces,
        &catalog,
        &rack_types,
        &sites,
        failures.as_deref(),
        &mut names,
    );
    jobs.extend(traced);
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
            name: spec.name.clone(),
            description: spec.description.trim().to_string(),
            seed: spec.seed.unwrap_or(DEFAULT_SEED),
            calendar: v.calendar,
            end: v.end,
            sample_every,
            utilization,
            catalog,
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
            software_rate_per_node_hour: v.software_rate,
            jobs,
            epoch,
            services,
            request_windows,
            maintenance,
            traces: trace_reports,
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

    /// The training jobs: names unique, work given one way, a rack model
    /// some site builds, and no more domains than one site can ever hold.
    fn jobs(
        &mut self,
        specs: &[JobSpec],
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
        failures: Option<&[FailureClass]>,
    ) -> Vec<Job> {
        let root = FieldPath::default().key("jobs");
        let most = most_domains(rack_types, sites);
        let total = total_domains(rack_types, sites);
        let built: Vec<&str> = rack_types.iter().map(|t| t.rack.name.as_str()).collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut jobs = Vec::with_capacity(specs.len());
        for (i, j) in specs.iter().enumerate() {
            let p = root.index(i);
            let before = self.problems.by_path.len() + self.problems.located.len();
            if j.name.trim().is_empty() {
                self.err(
                    &p.key("name"),
                    "a job needs a name, e.g. name = \"pretrain\"",
                );
            } else if !seen.insert(j.name.to_lowercase()) {
                self.err(
                    &p.key("name"),
                    format!(
                        "another job is already named \"{}\" (names are compared without case); job names must be unique",
                        j.name
                    ),
                );
            }
            let submit = match &j.submit {
                None => Some(SimTime::ZERO),
                Some(text) => self.submit_time(&p.key("submit"), text),
            };
            let rack_type = self.job_rack(&p.key("rack"), &j.rack, &built, catalog);
            let chips = self.positive_int(&p.key("chips"), j.chips, "chips the job holds");
            let multi_site = j.multi_site.unwrap_or(false);
            let domains = match (rack_type, chips) {
                (Some(t), Some(chips)) => self.job_domains(
                    &p.key("chips"),
                    chips,
                    &rack_types[t],
                    if multi_site { total[t] } else { most[t] },
                    multi_site,
                ),
                _ => None,
            };
            let mfu = self.job_mfu(&p.key("mfu"), j.mfu);
            let work = self.work(&p, j, rack_type.map(|t| &rack_types[t]), chips, mfu);
            let steps = CommSpec {
                batch_tokens: j.batch_tokens,
                steps: j.steps,
                step_time: j.step_time.as_deref(),
                gradient_bytes: j.gradient_bytes.or(j.params.map(|n| 2.0 * n)),
                gradient_bytes_given: j.gradient_bytes.is_some(),
                data_parallel: j.data_parallel,
                overlap: j.overlap,
                tokens: j.tokens,
            };
            let comm = self.comm(
                &p,
                &steps,
                work,
                rack_type.map(|t| &rack_types[t]),
                chips,
                domains,
                mfu,
            );
            let (checkpoint_time, restart_overhead) =
                self.job_pauses(&p, &j.checkpoint_time, &j.restart_overhead);
            let young_daly = j.checkpoint_every.as_deref() == Some(YOUNG_DALY);
            let fixed_every = if young_daly {
                None
            } else {
                self.positive_duration(
                    &p.key("checkpoint_every"),
                    j.checkpoint_every.as_deref().unwrap_or("2h"),
                )
            };
            let checkpoint_every = if young_daly {
                self.young_daly_interval(
                    &p.key("checkpoint_every"),
                    failures,
                    rack_type.map(|t| &rack_types[t]),
                    chips,
                    checkpoint_time,
                )
            } else {
                fixed_every
            };
            let ok = self.problems.by_path.len() + self.problems.located.len() == before;
            if let (
                true,
                Some(submit),
                Some(rack_type),
                Some(chips),
                Some(domains),
                Some(work),
                Some(mfu),
                Some(checkpoint_every),
                Some(checkpoint_time),
                Some(restart_overhead),
                Some(comm),
            ) = (
                ok,
                submit,
                rack_type,
                chips,
                domains,
                work,
                mfu,
                checkpoint_every,
                checkpoint_time,
                restart_overhead,
                comm,
            ) {
                jobs.push(Job {
                    name: j.name.clone(),
                    submit,
                    rack_type,
                    chips,
                    domains,
                    work,
                    mfu,
                    checkpoint_every,
                    checkpoint_time,
                    restart_overhead,
                    priority: j.priority.unwrap_or(0),
                    comm,
                    tokens: j.tokens.filter(|_| j.params.is_some()),
                    multi_site,
                });
            }
        }
        jobs
    }

    /// The `[[arrivals]]` streams, validated (their jobs are drawn by the
    /// caller). A stream with any problem is left out (and reported).
    fn arrivals(
        &mut self,
        specs: &[ArrivalSpec],
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
        failures: Option<&[FailureClass]>,
    ) -> Vec<Arrivals> {
        let root = FieldPath::default().key("arrivals");
        let most = most_domains(rack_types, sites);
        let total = total_domains(rack_types, sites);
        let built: Vec<&str> = rack_types.iter().map(|t| t.rack.name.as_str()).collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        let mut all_expected = 0.0;
        for (i, a) in specs.iter().enumerate() {
            let p = root.index(i);
            let before = self.problems.by_path.len() + self.problems.located.len();
            if a.name.trim().is_empty() {
                self.err(
                    &p.key("name"),
                    "a stream of arrivals needs a name, e.g. name = \"finetune\"",
                );
            } else if !seen.insert(a.name.to_lowercase()) {
                self.err(
                    &p.key("name"),
                    format!(
                        "another stream is already named \"{}\" (compared without case); names must be unique",
                        a.name
                    ),
                );
            }
            let rack_type = self.job_rack(&p.key("rack"), &a.rack, &built, catalog);
            let rate = self.positive(
                &p.key("rate_per_day"),
                a.rate_per_day,
                "mean jobs submitted per day, e.g. 4",
            );
            let from = match &a.from {
                None => Some(SimTime::ZERO),
                Some(text) => self.submit_time(&p.key("from"), text),
            };
            let until = match &a.until {
                None => Some(self.end),
                Some(text) => self.window_end(&p.key("until"), text),
            };
            if let (Some(f), Some(u)) = (from, until)
                && u <= f
            {
                self.err(
                    &p.key("until"),
                    "the window ends before it starts; give `until` after `from`",
                );
            }
            if a.chips.is_empty() {
                self.err(
                    &p.key("chips"),
                    "give at least one chip count to draw from, e.g. chips = [72, 144]",
                );
            }
            let mut domains = Vec::with_capacity(a.chips.len());
            for (k, &chips) in a.chips.iter().enumerate() {
                let pk = p.key("chips").index(k);
                let multi = a.multi_site.unwrap_or(false);
                let d = self
                    .positive_int(&pk, chips, "chips of a job")
                    .zip(rack_type)
                    .and_then(|(c, t)| {
                        let bound = if multi { total[t] } else { most[t] };
                        self.job_domains(&pk, c, &rack_types[t], bound, multi)
                    });
                domains.push(d);
            }
            let ideal_duration = self.distribution(&p.key("ideal_duration"), &a.ideal_duration);
            let mfu = self.job_mfu(&p.key("mfu"), a.mfu);
            let comm = self.arrival_comm(&p, a);
            let (checkpoint_time, restart_overhead) =
                self.job_pauses(&p, &a.checkpoint_time, &a.restart_overhead);
            let every_text = a.checkpoint_every.as_deref().unwrap_or("2h");
            let fixed_every = if every_text == YOUNG_DALY {
                None
            } else {
                self.positive_duration(&p.key("checkpoint_every"), every_text)
            };
            let mut sizes = Vec::with_capacity(a.chips.len());
            for (&chips, d) in a.chips.iter().zip(&domains) {
                let every = if every_text == YOUNG_DALY {
                    self.young_daly_interval(
                        &p.key("checkpoint_every"),
                        failures,
                        rack_type.map(|t| &rack_types[t]),
                        Some(chips),
                        checkpoint_time,
                    )
                } else {
                    fixed_every
                };
                match (d, every) {
                    (Some(d), Some(every)) => sizes.push((chips, *d, every)),
                    // The interval is refused for one size as for all (the
                    // rate or C is 0): reported once.
                    (_, None) if every_text == YOUNG_DALY => break,
                    _ => {}
                }
            }
            let ok = self.problems.by_path.len() + self.problems.located.len() == before;
            let (
                true,
                Some(rack_type),
                Some(rate),
                Some(from),
                Some(until),
                Some(ideal_duration),
                Some(mfu),
                Some(checkpoint_time),
                Some(restart_overhead),
                Some(comm),
            ) = (
                ok,
                rack_type,
                rate,
                from,
                until,
                ideal_duration,
                mfu,
                checkpoint_time,
                restart_overhead,
                comm,
            )
            else {
                continue;
            };
            let arrivals = Arrivals {
                name: a.name.clone(),
                rack_type,
                rate_per_hour: rate / 24.0,
                from,
                until,
                sizes,
                ideal_duration,
                mfu,
                checkpoint_time,
                restart_overhead,
                priority: a.priority.unwrap_or(0),
                comm,
                multi_site: a.multi_site.unwrap_or(false),
            };
            let expected = arrivals.expected();
            if expected > MAX_ARRIVAL_JOBS {
                self.err(
                    &p.key("rate_per_day"),
                    format!(
                        "{rate} jobs a day over the window is about {expected:.0} jobs; dcsim keeps every job and allows at most {MAX_ARRIVAL_JOBS:.0} per stream"
                    ),
                );
                continue;
            }
            all_expected += expected;
            if all_expected > MAX_ARRIVAL_JOBS {
                self.err(
                    &p.key("rate_per_day"),
                    format!(
                        "with this stream the [[arrivals]] streams together expect about {all_expected:.0} jobs; dcsim keeps every job and allows at most {MAX_ARRIVAL_JOBS:.0} across all streams: lower the rates or shorten the windows"
                    ),
                );
                continue;
            }
            out.push(arrivals);
        }
        out
    }

    /// The end of a window: a date or an offset from the start, no later
    /// than the end of the run.
    fn window_end(&mut self, p: &FieldPath, text: &str) -> Option<SimTime> {
        let t = if let Ok(date) = parse_date(text) {
            self.calendar.time_of_date(date)
        } else {
            match parse_duration(text) {
                Ok(d) => SimTime::ZERO.checked_add(d),
                Err(_) => {
                    self.err(
                        p,
                        format!(
                            "\"{text}\" is neither a date nor a duration; give a date such as \"2027-01-01\" or an offset from the start such as \"90d\""
                        ),
                    );
                    return None;
                }
            }
        };
        match t {
            Some(t) if t <= self.end => Some(t),
            _ => {
                self.err(
                    p,
                    format!("\"{text}\" is past the end of the run; end the window by then"),
                );
                None
            }
        }
    }

    /// The inference epoch (`[serving] epoch`, default 15 minutes).
    fn epoch(&mut self, spec: &ScenarioSpec) -> Option<SimDuration> {
        let text = spec
            .serving
            .as_ref()
            .and_then(|s| s.epoch.as_deref())
            .unwrap_or("15min");
        let p = FieldPath::default().key("serving").key("epoch");
        let d = self.positive_duration(&p, text)?;
        if d < SimDuration::from_secs(1) {
            self.err(
                &p,
                format!(
                    "\"{text}\" is shorter than a second; an epoch is minutes long, e.g. \"15min\""
                ),
            );
            return None;
        }
        Some(d)
    }

    /// The `[[services]]`, validated; a service with any problem is left
    /// out (and reported).
    fn services(
        &mut self,
        specs: &[ServiceSpec],
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
    ) -> Vec<Service> {
        let root = FieldPath::default().key("services");
        let most = most_domains(rack_types, sites);
        let built: Vec<&str> = rack_types.iter().map(|t| t.rack.name.as_str()).collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::with_capacity(specs.len());
        for (i, v) in specs.iter().enumerate() {
            let p = root.index(i);
            let before = self.problems.by_path.len() + self.problems.located.len();
            if v.name.trim().is_empty() {
                self.err(
                    &p.key("name"),
                    "a service needs a name, e.g. name = \"chat\"",
                );
            } else if !seen.insert(v.name.to_lowercase()) {
                self.err(
                    &p.key("name"),
                    format!(
                        "another service is already named \"{}\" (compared without case); names must be unique",
                        v.name
                    ),
                );
            }
            let rack_type = self.job_rack(&p.key("rack"), &v.rack, &built, catalog);
            let replica = rack_type.and_then(|t| {
                let rt = &rack_types[t];
                let per = rt.rack.scaleup_domain.max(1);
                let chips = v.replica_chips.unwrap_or(per);
                let chips =
                    self.positive_int(&p.key("replica_chips"), chips, "chips of one replica")?;
                self.job_domains(&p.key("replica_chips"), chips, rt, most[t], false)
                    .map(|d| (chips, d))
            });
            let weights = self.service_model(&p, v);
            // Chips of one model copy (its tensor-parallel degree): the
            // whole replica by default, else a divisor of it, so that a
            // replica's domains host replica_chips ÷ tensor_parallel copies.
            let tensor_parallel = match (replica, v.tensor_parallel) {
                (Some((chips, _)), None) => Some(chips),
                (Some((chips, _)), Some(tp)) => {
                    if tp == 0 || chips % tp != 0 {
                        self.err(
                            &p.key("tensor_parallel"),
                            format!(
                                "{tp} chips per model copy do not divide the replica's {chips}; give a divisor of {chips}, e.g. 8"
                            ),
                        );
                        None
                    } else {
                        Some(tp)
                    }
                }
                (None, _) => None,
            };
            let replica_for_model = replica.zip(tensor_parallel).map(|(r, tp)| (tp, r.1));
            if let (Some(t), Some((chips, _)), Some(m)) = (rack_type, replica_for_model, weights) {
                let (params, bpp) = (m.params, m.bytes_per_param);
                let hbm = f64::from(chips) * rack_types[t].chip.hbm.value();
                let need = params * bpp;
                if need >= hbm {
                    let key = if v.model.is_some() { "model" } else { "params" };
                    let per_chip = rack_types[t].chip.hbm.value();
                    let domain = rack_types[t].rack.scaleup_domain.max(1);
                    // The fewest whole domains whose HBM exceeds the weights.
                    let chips_needed =
                        ((need / per_chip).floor() as u32 + 1).div_ceil(domain) * domain;
                    self.err(
                        &p.key(key),
                        format!(
                            "the weights take {:.0} GB ({} parameters × {bpp} B) and a replica of {chips} {} chips holds {:.0} GB of HBM, with none left for KV cache; give replica_chips = {chips_needed} ({} scale-up domains of {domain}) or more, or a smaller model",
                            need / 1e9,
                            number(params),
                            rack_types[t].chip.name,
                            hbm / 1e9,
                            chips_needed / domain,
                        ),
                    );
                }
            }
            let tokens = |me: &mut Self, key: &str, x: f64| {
                me.positive(&p.key(key), x, "mean tokens per request, e.g. 1000")
            };
            let (input_tokens, output_tokens, output_tokens_cv) = match &v.sizes_trace {
                Some(file) => {
                    for (key, set) in [
                        ("input_tokens", v.input_tokens.is_some()),
                        ("output_tokens", v.output_tokens.is_some()),
                        ("output_tokens_cv", v.output_tokens_cv.is_some()),
                    ] {
                        if set {
                            self.err(
                                &p.key(key),
                                "sizes_trace gives the request sizes; give them one way",
                            );
                        }
                    }
                    match self.trace_requests(
                        &p.key("sizes_trace"),
                        &p.key("sizes_format"),
                        file,
                        v.sizes_format.as_deref(),
                    ) {
                        Some(r) => {
                            let n = r.len() as f64;
                            let mean_in =
                                r.iter().map(|x| f64::from(x.input_tokens)).sum::<f64>() / n;
                            let mean_out =
                                r.iter().map(|x| f64::from(x.output_tokens)).sum::<f64>() / n;
                            let var_out = r
                                .iter()
                                .map(|x| (f64::from(x.output_tokens) - mean_out).powi(2))
                                .sum::<f64>()
                                / n;
                            (
                                Some(mean_in),
                                Some(mean_out),
                                Some(Some(var_out.sqrt() / mean_out)),
                            )
                        }
                        None => (None, None, None),
                    }
                }
                None => {
                    let mut given = |key: &str, x: Option<f64>| match x {
                        Some(x) => tokens(self, key, x),
                        None => {
                            self.err(&p.key(key), "missing: the mean tokens per request (e.g. 1000), or give sizes_trace");
                            None
                        }
                    };
                    let i = given("input_tokens", v.input_tokens);
                    let o = given("output_tokens", v.output_tokens);
                    let cv = match v.output_tokens_cv {
                        None => Some(None),
                        Some(c) => self
                            .non_negative(
                                &p.key("output_tokens_cv"),
                                c,
                                "standard deviation ÷ mean of the output tokens, e.g. 1.2",
                            )
                            .map(Some),
                    };
                    (i, o, cv)
                }
            };
            // A mean request must fit the KV cache a replica has left.
            if let (Some(t), Some((chips, _)), Some(m), Some(i), Some(o)) = (
                rack_type,
                replica_for_model,
                weights,
                input_tokens,
                output_tokens,
            ) {
                let (params, bpp, kv) = (m.params, m.bytes_per_param, m.kv_bytes_per_token);
                let left = f64::from(chips) * rack_types[t].chip.hbm.value() - params * bpp;
                let need = kv * (i + o);
                if left > 0.0 && need > left {
                    self.err(
                        &p.key("replica_chips"),
                        format!(
                            "a mean request ({i:.0} + {o:.0} tokens × {kv:.0} B of KV cache = {:.1} GB) does not fit the {:.1} GB a replica has left after the weights; give replica_chips more chips or shorter requests",
                            need / 1e9,
                            left / 1e9
                        ),
                    );
                }
            }
            let rate = self.non_negative(
                &p.key("rate_per_s"),
                v.rate_per_s,
                "requests per second at the start",
            );
            let growth = match &v.growth {
                None => Some(Growth::Flat),
                Some(g) => self.growth(&p.key("growth"), g),
            };
            let diurnal = self.profile::<24>(
                &p.key("diurnal"),
                v.diurnal.as_deref(),
                "24 hourly factors, midnight first",
            );
            let weekly = self.profile::<7>(
                &p.key("weekly"),
                v.weekly.as_deref(),
                "7 daily factors, Monday first",
            );
            let noise_sigma = match v.noise_sigma {
                None => Some(0.0),
                Some(x) => self
                    .non_negative(
                        &p.key("noise_sigma"),
                        x,
                        "sigma of the log of the noise, e.g. 0.1",
                    )
                    .and_then(|x| {
                        if x > MAX_LOGNORMAL_SIGMA {
                            self.err(
                                &p.key("noise_sigma"),
                                format!("at most {MAX_LOGNORMAL_SIGMA}, found {x}"),
                            );
                            None
                        } else {
                            Some(x)
                        }
                    }),
            };
            let ttft_slo =
                self.positive_duration(&p.key("ttft_slo"), v.ttft_slo.as_deref().unwrap_or("2s"));
            let tpot_slo = self
                .positive_duration(&p.key("tpot_slo"), v.tpot_slo.as_deref().unwrap_or("100ms"));
            let slo_percentile = match v.slo_percentile {
                None => Some(99.0),
                Some(x) if x.is_finite() && x > 0.0 && x < 100.0 => Some(x),
                Some(x) => {
                    self.err(
                        &p.key("slo_percentile"),
                        format!(
                            "must be between 0 and 100 (exclusive), found {} (e.g. 99 for p99)",
                            number(x)
                        ),
                    );
                    None
                }
            };
            let target_utilization = match v.target_utilization {
                None => Some(0.7),
                Some(x) => self
                    .fraction(&p.key("target_utilization"), x)
                    .and_then(|x| {
                        if x > 0.0 {
                            Some(x)
                        } else {
                            self.err(
                                &p.key("target_utilization"),
                                "must be greater than 0 (e.g. 0.7)",
                            );
                            None
                        }
                    }),
            };
            let min_replicas = v.min_replicas.unwrap_or(1);
            let max_replicas = v.max_replicas.unwrap_or(1_000_000);
            if max_replicas == 0 || max_replicas < min_replicas {
                self.err(
                    &p.key("max_replicas"),
                    format!("must be at least 1 and at least min_replicas ({min_replicas}), found {max_replicas}"),
                );
            }
            let scale_up_delay = self.duration(
                &p.key("scale_up_delay"),
                v.scale_up_delay.as_deref().unwrap_or("10min"),
            );
            let backlog = match v.beyond_capacity.as_deref() {
                None | Some("drop") => Some(false),
                Some("backlog") => Some(true),
                Some(other) => {
                    let hint = did_you_mean_value(other, ["drop", "backlog"]);
                    self.err(
                        &p.key("beyond_capacity"),
                        format!("\"{other}\" is not a policy{hint}; give \"drop\" or \"backlog\""),
                    );
                    None
                }
            };
            let prefill = {
                use crate::workload::serving::requests::{DEFAULT_TOKEN_BUDGET, Prefill};
                match (v.prefill.as_deref(), v.max_batched_tokens) {
                    (_, Some(0)) => {
                        self.err(
                            &p.key("max_batched_tokens"),
                            "must be at least 1 token per iteration (vLLM's default on large GPUs: 8192)",
                        );
                        None
                    }
                    (None | Some("chunked"), budget) => Some(Prefill::Chunked {
                        budget: budget.unwrap_or(DEFAULT_TOKEN_BUDGET),
                    }),
                    (Some("whole"), None) => Some(Prefill::Whole),
                    (Some("whole"), Some(_)) => {
                        self.err(
                            &p.key("max_batched_tokens"),
                            "is the token budget of chunked prefill: remove it, or set prefill = \"chunked\"",
                        );
                        None
                    }
                    (Some(other), _) => {
                        let hint = did_you_mean_value(other, ["chunked", "whole"]);
                        self.err(
                            &p.key("prefill"),
                            format!("\"{other}\" is not a prefill mode{hint}; give \"chunked\" or \"whole\""),
                        );
                        None
                    }
                }
            };
            let ok = self.problems.by_path.len() + self.problems.located.len() == before;
            let (
                true,
                Some(rack_type),
                Some((replica_chips, replica_domains)),
                Some(tensor_parallel),
                Some(model),
                Some(input_tokens),
                Some(output_tokens),
                Some(output_tokens_cv),
                Some(rate_per_s),
                Some(growth),
                Some(diurnal),
                Some(weekly),
                Some(noise_sigma),
                Some(ttft_slo),
                Some(tpot_slo),
                Some(slo_percentile),
                Some(target_utilization),
                Some(scale_up_delay),
                Some(backlog),
                Some(prefill),
            ) = (
                ok,
                rack_type,
                replica,
                tensor_parallel,
                weights,
                input_tokens,
                output_tokens,
                output_tokens_cv,
                rate,
                growth,
                diurnal,
                weekly,
                noise_sigma,
                ttft_slo,
                tpot_slo,
                slo_percentile,
                target_utilization,
                scale_up_delay,
                backlog,
                prefill,
            )
            else {
                continue;
            };
            let demand = Demand::new(rate_per_s, growth)
                .and_then(|d| d.with_diurnal(diurnal))
                .and_then(|d| d.with_weekly(weekly))
                .and_then(|d| d.with_noise(noise_sigma));
            let demand = match demand {
                Ok(d) => d,
                Err(e) => {
                    // Profiles of all zeros (no demand at any hour) and the
                    // like: the curve's own check.
                    self.err(&p.key("rate_per_s"), e.to_string());
                    continue;
                }
            };
            out.push(Service {
                name: v.name.clone(),
                rack_type,
                replica_domains,
                replica_chips,
                tensor_parallel,
                model,
                input_tokens,
                output_tokens,
                output_tokens_cv,
                demand,
                ttft_slo,
                tpot_slo,
                slo_percentile,
                target_utilization,
                min_replicas,
                max_replicas,
                scale_up_delay,
                backlog,
                preempt_training: v.preempt_training.unwrap_or(false),
                priority: v.priority.unwrap_or(0),
                prefill,
            });
        }
        out
    }

    /// The `[[request_windows]]`, validated; their traces read (bounded,
    /// a malformed row located at its file and line).
    fn request_windows(
        &mut self,
        specs: &[RequestWindowSpec],
        services: &[ServiceSpec],
        validated: &[Service],
    ) -> Vec<RequestWindow> {
        let root = FieldPath::default().key("request_windows");
        let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        let mut out = Vec::new();
        let mut all_requests = 0.0;
        for (i, w) in specs.iter().enumerate() {
            let p = root.index(i);
            let before = self.problems.by_path.len() + self.problems.located.len();
            let service = names.iter().position(|n| *n == w.service);
            if service.is_none() {
                let hint = did_you_mean_value(&w.service, names.iter().copied());
                self.err(
                    &p.key("service"),
                    format!(
                        "no service is named \"{}\"{hint}; name one of [[services]] ({})",
                        w.service,
                        names.join(", ")
                    ),
                );
            }
            let start = self.submit_time(&p.key("start"), &w.start);
            let duration =
                self.positive_duration(&p.key("duration"), w.duration.as_deref().unwrap_or("1h"));
            let requests = match &w.trace {
                Some(file) => self
                    .trace_requests(&p.key("trace"), &p.key("format"), file, w.format.as_deref())
                    .map(std::sync::Arc::new),
                None => None,
            };
            let rate_scale = w.rate_scale.unwrap_or(1.0);
            if let Some(problem) = crate::workload::serving::trace::rate_scale_problem(rate_scale) {
                self.err(&p.key("rate_scale"), problem);
            }
            let ok = self.problems.by_path.len() + self.problems.located.len() == before;
            if let (true, Some(service), Some(start), Some(duration)) =
                (ok, service, start, duration)
            {
                // Poisson at the demand of the window's start (as the run
                // draws them): the count known before the run.
                if requests.is_none()
                    && validated.len() == services.len()
                    && let Some(s) = validated.get(service)
                {
                    let rate = s.demand.rate_at(&self.calendar, start);
                    let expected = rate * duration.seconds();
                    all_requests += expected;
                    if all_requests > MAX_WINDOW_REQUESTS {
                        self.err(
                            &p.key("duration"),
                            format!(
                                "{} at {rate:.4e} requests/s (the service's demand at the window's start) is about {expected:.4e} requests ({all_requests:.4e} with the windows before it), about {:.1} GB in memory; at most {MAX_WINDOW_REQUESTS:e} requests are allowed across the windows without a trace: shorten the window, or replay a trace",
                                w.duration.as_deref().unwrap_or("1h"),
                                all_requests * 80.0 / 1e9
                            ),
                        );
                        continue;
                    }
                }
                out.push(RequestWindow {
                    service,
                    start,
                    duration,
                    trace: requests,
                    trace_file: w.trace.clone(),
                    requests_csv: w.requests_csv.unwrap_or(false),
                    rate_scale,
                });
            }
        }
        out
    }

    /// The `[[maintenance]]` windows, validated: a site by name, a built
    /// rack model if given, a start within the run, a positive duration
    /// and a period longer than it.
    fn maintenance(
        &mut self,
        specs: &[MaintenanceSpec],
        sites: &[SiteSpec],
        rack_types: &[RackType],
    ) -> Vec<Maintenance> {
        let root = FieldPath::default().key("maintenance");
        let site_names: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
        let mut out = Vec::new();
        for (i, m) in specs.iter().enumerate() {
            let p = root.index(i);
            let site = self.site_ref(&p.key("site"), &m.site, &site_names);
            let rack_type = match (&m.rack, site) {
                (Some(rack), Some(s)) => {
                    // A rack model the site builds.
                    let here: Vec<&str> =
                        sites[s].buildout.iter().map(|b| b.rack.as_str()).collect();
                    match rack_types.iter().position(|t| t.rack.name == *rack) {
                        Some(t) if here.contains(&rack.as_str()) => Some(Some(t)),
                        _ => {
                            let hint = did_you_mean_value(rack, here.iter().copied());
                            self.err(
                                &p.key("rack"),
                                format!(
                                    "site \"{}\" builds no rack model \"{rack}\"{hint}; name one it builds ({}) or leave `rack` out for all of them",
                                    m.site,
                                    here.join(", ")
                                ),
                            );
                            None
                        }
                    }
                }
                (Some(_), None) => None,
                (None, _) => Some(None),
            };
            let start = self.submit_time(&p.key("start"), &m.start);
            let duration = self.positive_duration(&p.key("duration"), &m.duration);
            let every = match &m.every {
                Some(text) => match self.positive_duration(&p.key("every"), text) {
                    Some(e) if duration.is_some_and(|d| e <= d) => {
                        self.err(
                            &p.key("every"),
                            format!(
                                "{text} is not longer than the window's duration ({}); windows of one entry must not overlap: give a longer period or a shorter duration",
                                m.duration
                            ),
                        );
                        None
                    }
                    Some(e) => Some(Some(e)),
                    None => None,
                },
                None => Some(None),
            };
            let fraction = match m.fraction {
                Some(f) => match self.fraction(&p.key("fraction"), f) {
                    Some(f) if f > 0.0 => Some(f),
                    Some(_) => {
                        self.err(
                            &p.key("fraction"),
                            "a window of no racks does nothing; give a share above 0 (0.25: a quarter of the racks at a time)",
                        );
                        None
                    }
                    None => None,
                },
                None => Some(1.0),
            };
            if let (
                Some(site),
                Some(rack_type),
                Some(start),
                Some(duration),
                Some(every),
                Some(fraction),
            ) = (site, rack_type, start, duration, every, fraction)
            {
                out.push(Maintenance {
                    site,
                    rack_type,
                    start,
                    duration,
                    every,
                    fraction,
                });
            }
        }
        out
    }

    /// The requests of an LLM trace file named under `p` (its format under
    /// `pf`, or guessed from the name), read bounded; a malformed row is
    /// located at its file and line.
    fn trace_requests(
        &mut self,
        p: &FieldPath,
        pf: &FieldPath,
        file: &str,
        format: Option<&str>,
    ) -> Option<Vec<crate::workload::serving::trace::TraceRequest>> {
        use crate::workload::serving::trace::{self, TraceError, TraceFormat};
        let path = self.input_path(p, file);
        let format = match format {
            Some("azure") => TraceFormat::Azure,
            Some("mooncake") => TraceFormat::Mooncake,
            Some(other) => {
                let hint = did_you_mean_value(other, ["azure", "mooncake"]);
                self.err(
                    pf,
                    format!(
                        "\"{other}\" is not a trace format{hint}; give \"azure\" or \"mooncake\""
                    ),
                );
                return None;
            }
            None => match TraceFormat::guess(&path) {
                Some(f) => f,
                None => {
                    self.err(pf, "cannot tell the format from the file name; give \"azure\" (CSV) or \"mooncake\" (JSON Lines)");
                    return None;
                }
            },
        };
        match trace::read(&path, format) {
            Ok(r) => Some(r),
            Err(TraceError::Row { file, line, what }) => {
                self.problems.located.push(Issue {
                    location: Location::File {
                        file,
                        line,
                        column: 1,
                    },
                    field: p.to_string(),
                    message: what,
                });
                None
            }
            Err(e) => {
                self.err(p, format!("{e} (paths are relative to the scenario file)"));
                None
            }
        }
    }

    /// A service's model: (parameters, bytes per parameter, KV bytes per
    /// token), from a preset or given.
    fn service_model(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
    ) -> Option<crate::workload::serving::roofline::ModelSpec> {
        use crate::workload::serving::roofline::{ModelSpec, Precision};
        let precision = |me: &mut Self, key: &str, given: &Option<String>| match given {
            None => Some(None),
            Some(name) => match Precision::parse(name) {
                Some(x) => Some(Some(x)),
                None => {
                    let names = Precision::ALL.map(Precision::name);
                    let hint = did_you_mean_value(name, names.iter().copied());
                    me.err(
                        &p.key(key),
                        format!(
                            "\"{name}\" is not a precision{hint}; give one of {}",
                            names.join(", ")
                        ),
                    );
                    None
                }
            },
        };
        let weights_precision = precision(self, "precision", &v.precision)?;
        let kv_precision = precision(self, "kv_precision", &v.kv_precision)?;
        let spec = if let Some(name) = &v.model {
            let presets = crate::workload::serving::roofline::MODELS;
            let Some(m) = crate::workload::serving::roofline::model(name) else {
                let hint = did_you_mean_value(name, presets.iter().map(|m| m.name));
                self.err(
                    &p.key("model"),
                    format!(
                        "no model preset is named \"{name}\"{hint} (presets: {}); or give params, bytes_per_param and kv_bytes_per_token",
                        presets.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
                    ),
                );
                return None;
            };
            for (key, set) in [
                ("params", v.params.is_some()),
                ("bytes_per_param", v.bytes_per_param.is_some()),
                ("kv_bytes_per_token", v.kv_bytes_per_token.is_some()),
            ] {
                if set {
                    self.err(
                        &p.key(key),
                        format!("the preset \"{name}\" sets it; give the model one way"),
                    );
                    return None;
                }
            }
            m.spec
        } else {
            let params = match v.params {
                Some(n) => self.positive(&p.key("params"), n, "model parameters, e.g. 70e9")?,
                None => {
                    self.err(&p.key("model"), "missing: give a preset (model = \"llama-3.1-70b\") or params and kv_bytes_per_token");
                    return None;
                }
            };
            let bpp = match (v.bytes_per_param, weights_precision) {
                (Some(_), Some(_)) => {
                    self.err(
                        &p.key("bytes_per_param"),
                        "precision sets the bytes per parameter; give one of them",
                    );
                    return None;
                }
                (Some(b), None) => self.positive(
                    &p.key("bytes_per_param"),
                    b,
                    "bytes per parameter, 2 for BF16",
                )?,
                (None, _) => 2.0,
            };
            let kv = match v.kv_bytes_per_token {
                Some(k) => self.positive(
                    &p.key("kv_bytes_per_token"),
                    k,
                    "KV-cache bytes per token, e.g. 327680",
                )?,
                None => {
                    self.err(&p.key("kv_bytes_per_token"), "missing: the KV-cache bytes per token of context (2 × layers × KV heads × head size × bytes per value)");
                    return None;
                }
            };
            ModelSpec::dense(params, bpp, kv)
        };
        Some(if weights_precision.is_some() || kv_precision.is_some() {
            spec.at_precision(
                weights_precision.unwrap_or(spec.precision),
                kv_precision.unwrap_or(spec.kv_precision),
            )
        } else {
            spec
        })
    }

    /// A growth curve.
    fn growth(&mut self, p: &FieldPath, g: &GrowthSpec) -> Option<Growth> {
        match g.kind.as_str() {
            "exponential" => {
                let Some(r) = g.per_year else {
                    self.err(
                        &p.key("per_year"),
                        "missing: the growth per year, e.g. 0.4 for +40% a year",
                    );
                    return None;
                };
                let r = self.finite(&p.key("per_year"), r)?;
                if r <= -1.0 {
                    self.err(
                        &p.key("per_year"),
                        format!(
                            "must be greater than −1 (−1 is no demand at all), found {}",
                            number(r)
                        ),
                    );
                    return None;
                }
                Some(Growth::Exponential {
                    annual_rate: r,
                    reference: self.calendar.start(),
                })
            }
            "logistic" => {
                let ceiling = match g.ceiling {
                    Some(c) => self.positive(
                        &p.key("ceiling"),
                        c,
                        "the factor the demand tends to, e.g. 10",
                    ),
                    None => {
                        self.err(
                            &p.key("ceiling"),
                            "missing: the factor the demand tends to, e.g. 10",
                        );
                        None
                    }
                };
                let midpoint = match g.midpoint.as_deref() {
                    Some(text) => self.date(&p.key("midpoint"), text),
                    None => {
                        self.err(
                            &p.key("midpoint"),
                            "missing: the date the growth is halfway, e.g. \"2028-01-01\"",
                        );
                        None
                    }
                };
                let k = match g.steepness_per_year {
                    Some(k) => self.positive(
                        &p.key("steepness_per_year"),
                        k,
                        "the logistic rate per year, e.g. 1.5",
                    ),
                    None => {
                        self.err(
                            &p.key("steepness_per_year"),
                            "missing: the logistic rate per year, e.g. 1.5",
                        );
                        None
                    }
                };
                Some(Growth::Logistic {
                    capacity: ceiling?,
                    midpoint: midpoint?,
                    steepness_per_year: k?,
                })
            }
            "points" => {
                if g.points.is_empty() {
                    self.err(&p.key("points"), "give at least one dated factor, e.g. points = [{ date = \"2027-01-01\", factor = 2.0 }]");
                    return None;
                }
                let mut points: Vec<(NaiveDate, f64)> = Vec::with_capacity(g.points.len());
                for (k, pt) in g.points.iter().enumerate() {
                    let pk = p.key("points").index(k);
                    let d = self.date(&pk.key("date"), &pt.date)?;
                    let f =
                        self.non_negative(&pk.key("factor"), pt.factor, "factor on the base rate")?;
                    if points.last().is_some_and(|&(last, _)| d <= last) {
                        self.err(
                            &pk.key("date"),
                            "dates must increase from one point to the next",
                        );
                        return None;
                    }
                    points.push((d, f));
                }
                Some(Growth::Piecewise(points))
            }
            other => {
                let hint = did_you_mean_value(other, ["exponential", "logistic", "points"]);
                self.err(&p.key("kind"), format!("\"{other}\" is not a growth{hint}; give \"exponential\", \"logistic\" or \"points\""));
                None
            }
        }
    }

    /// A profile of `N` non-negative factors (all 1 when absent).
    fn profile<const N: usize>(
        &mut self,
        p: &FieldPath,
        values: Option<&[f64]>,
        what: &str,
    ) -> Option<[f64; N]> {
        let Some(values) = values else {
            return Some([1.0; N]);
        };
        if values.len() != N {
            self.err(
                p,
                format!("give {what}: {N} values, found {}", values.len()),
            );
            return None;
        }
        let mut out = [0.0; N];
        for (k, &x) in values.iter().enumerate() {
            out[k] = self.non_negative(&p.index(k), x, "a factor on the rate")?;
        }
        Some(out)
    }

    /// `[failures.software]`: interruptions per node-hour of a running job
    /// (default the catalog's Llama 3 figure).
    fn software_rate(&mut self, spec: &ScenarioSpec) -> f64 {
        let default = failures::SOFTWARE_PER_MILLION_NODE_HOURS / 1e6;
        let Some(r) = spec
            .failures
            .as_ref()
            .and_then(|f| f.software.as_ref())
            .and_then(|s| s.rate_per_million_hours)
        else {
            return default;
        };
        let p = FieldPath::default()
            .key("failures")
            .key("software")
            .key("rate_per_million_hours");
        match self.non_negative(
            &p,
            r,
            "interruptions per million node-hours of running jobs; 0 turns them off",
        ) {
            Some(r) if r > MAX_RATE_PER_MILLION_HOURS => {
                self.err(
                    &p,
                    format!(
                        "{r} per million hours is more than one an hour per node; at most {MAX_RATE_PER_MILLION_HOURS} is allowed"
                    ),
                );
                default
            }
            Some(r) => r / 1e6,
            None => default,
        }
    }

    /// A job's all-reduce from its `[[jobs]]` fields: none when it gives no
    /// step count and no gradient bytes; `Some(None)` for no all-reduce,
    /// `None` when refused (reported).
    #[allow(clippy::too_many_arguments)]
    fn comm(
        &mut self,
        p: &FieldPath,
        c: &CommSpec<'_>,
        work: Option<f64>,
        rack: Option<&RackType>,
        chips: Option<u32>,
        domains: Option<u32>,
        mfu: Option<f64>,
    ) -> Option<Option<Comm>> {
        let sources = [
            c.batch_tokens.is_some(),
            c.steps.is_some(),
            c.step_time.is_some(),
        ];
        let given = sources.iter().filter(|s| **s).count();
        if given > 1 {
            self.err(
                &p.key("steps"),
                "give the step count one way: batch_tokens (steps = tokens ÷ batch_tokens), steps, or step_time",
            );
            return None;
        }
        if given == 0 {
            if c.gradient_bytes_given {
                self.err(
                    &p.key("gradient_bytes"),
                    "the all-reduce runs once per step: give batch_tokens, steps or step_time too",
                );
                return None;
            }
            for (key, set) in [
                ("data_parallel", c.data_parallel.is_some()),
                ("overlap", c.overlap.is_some()),
            ] {
                if set {
                    self.err(
                        &p.key(key),
                        "applies only to a job with an all-reduce: give batch_tokens, steps or step_time (and gradient_bytes unless params is given)",
                    );
                    return None;
                }
            }
            return Some(None);
        }
        let steps: Option<f64> = if let Some(b) = c.batch_tokens {
            let b = self.positive(
                &p.key("batch_tokens"),
                b,
                "global batch in tokens, e.g. 16e6",
            )?;
            match c.tokens {
                Some(d) => Some((d / b).max(1.0)),
                None => {
                    self.err(
                        &p.key("batch_tokens"),
                        "steps = tokens ÷ batch_tokens needs tokens; give tokens, or steps or step_time instead",
                    );
                    return None;
                }
            }
        } else if let Some(n) = c.steps {
            let n = self.positive(&p.key("steps"), n, "training steps, e.g. 1e6")?;
            if n < 1.0 {
                self.err(&p.key("steps"), "a job takes at least one step");
                return None;
            }
            Some(n)
        } else {
            None
        };
        let step_time = match c.step_time {
            Some(t) => Some(self.positive_duration(&p.key("step_time"), t)?),
            None => None,
        };
        let Some(bytes) = c.gradient_bytes else {
            self.err(
                &p.key("gradient_bytes"),
                "missing: the bytes each replica all-reduces per step (e.g. 2 × params for BF16 gradients), or give params",
            );
            return None;
        };
        let bytes = self.gradient_bytes(&p.key("gradient_bytes"), bytes)?;
        let overlap = match c.overlap {
            Some(x) => self.fraction(&p.key("overlap"), x)?,
            None => DEFAULT_OVERLAP,
        };
        let (work, rack, chips, domains, mfu) = (work?, rack?, chips?, domains?, mfu?);
        let k = c.data_parallel.unwrap_or(domains);
        if k == 0 || k > chips {
            self.err(
                &p.key("data_parallel"),
                format!("must be from 1 to the job's {chips} chips, found {k}"),
            );
            return None;
        }
        let full_rate = f64::from(chips) * rack.chip.bf16.value() * mfu;
        let flops_per_step = match (steps, step_time) {
            (Some(n), _) => work / n,
            (None, Some(t)) => t.seconds() * full_rate,
            (None, None) => unreachable!("one source is given"),
        };
        Some(Some(Comm {
            flops_per_step,
            gradient_bytes: bytes,
            data_parallel: k,
            overlap,
        }))
    }

    /// Gradient bytes a replica all-reduces per step: more than 0, at most
    /// [`MAX_GRADIENT_BYTES`].
    fn gradient_bytes(&mut self, p: &FieldPath, x: f64) -> Option<f64> {
        if x.is_finite() && x > 0.0 && x <= MAX_GRADIENT_BYTES {
            Some(x)
        } else {
            self.err(
                p,
                format!(
                    "must be greater than 0 and at most {MAX_GRADIENT_BYTES:e} bytes, found {} (gradient bytes per replica per step, e.g. 2 × params for BF16)",
                    number(x)
                ),
            );
            None
        }
    }

    /// The all-reduce of a stream's jobs: `step_time` and `gradient_bytes`
    /// together, or neither. `flops_per_step` holds the step time [s]
    /// until each job is drawn.
    fn arrival_comm(&mut self, p: &FieldPath, a: &ArrivalSpec) -> Option<Option<Comm>> {
        match (&a.step_time, a.gradient_bytes) {
            (None, None) => {
                for (key, set) in [
                    ("data_parallel", a.data_parallel.is_some()),
                    ("overlap", a.overlap.is_some()),
                ] {
                    if set {
                        self.err(
                            &p.key(key),
                            "applies only to jobs with an all-reduce: give step_time and gradient_bytes",
                        );
                        return None;
                    }
                }
                Some(None)
            }
            (Some(t), Some(bytes)) => {
                let t = self.positive_duration(&p.key("step_time"), t);
                let bytes = self.gradient_bytes(&p.key("gradient_bytes"), bytes);
                let overlap = match a.overlap {
                    Some(x) => self.fraction(&p.key("overlap"), x),
                    None => Some(DEFAULT_OVERLAP),
                };
                let k = match a.data_parallel {
                    Some(0) => {
                        self.err(&p.key("data_parallel"), "must be at least 1, found 0");
                        None
                    }
                    Some(k) if a.chips.iter().any(|&c| k > c) => {
                        self.err(
                            &p.key("data_parallel"),
                            format!(
                                "{k} is more than the chips of some job sizes; give at most {}",
                                a.chips.iter().min().copied().unwrap_or(0)
                            ),
                        );
                        None
                    }
                    Some(k) => Some(k),
                    // Each job's domains, filled in when it is drawn.
                    None => Some(0),
                };
                Some(Some(Comm {
                    flops_per_step: t?.seconds(),
                    gradient_bytes: bytes?,
                    data_parallel: k?,
                    overlap: overlap?,
                }))
            }
            (None, Some(_)) => {
                self.err(
                    &p.key("step_time"),
                    "missing: gradient_bytes is exchanged once per step; give step_time (the ideal compute time of a step, e.g. \"4s\")",
                );
                None
            }
            (Some(_), None) => {
                self.err(
                    &p.key("gradient_bytes"),
                    "missing: give the bytes each replica all-reduces per step (e.g. 2 × params for BF16 gradients)",
                );
                None
            }
        }
    }

    /// A job's model FLOPs utilization: in (0, 1], default 0.4.
    fn job_mfu(&mut self, p: &FieldPath, mfu: Option<f64>) -> Option<f64> {
        let Some(x) = mfu else {
            return Some(DEFAULT_MFU);
        };
        let x = self.fraction(p, x)?;
        if x > 0.0 {
            Some(x)
        } else {
            self.err(
                p,
                "must be greater than 0 (model FLOPs utilization, e.g. 0.4)",
            );
            None
        }
    }

    /// A job's checkpoint write time (default 1 min) and restart overhead
    /// (default 10 min), under `p`.
    fn job_pauses(
        &mut self,
        p: &FieldPath,
        checkpoint_time: &Option<String>,
        restart_overhead: &Option<String>,
    ) -> (Option<SimDuration>, Option<SimDuration>) {
        let c = self.duration(
            &p.key("checkpoint_time"),
            checkpoint_time.as_deref().unwrap_or("1min"),
        );
        let r = self.duration(
            &p.key("restart_overhead"),
            restart_overhead.as_deref().unwrap_or("10min"),
        );
        (c, r)
    }

    /// The index of a job's rack model among the built ones.
    fn job_rack(
        &mut self,
        p: &FieldPath,
        rack: &str,
        built: &[&str],
        catalog: &Catalog,
    ) -> Option<usize> {
        if let Some(t) = built.iter().position(|n| *n == rack) {
            return Some(t);
        }
        if self.refused_racks.contains(rack) {
            // Its own problem is reported at its [[racks]] entry.
            return None;
        }
        let known = catalog.rack(rack).is_some();
        let hint = did_you_mean_value(rack, built.iter().copied());
        let message = if known {
            format!(
                "no site builds the rack model \"{rack}\", so no chip can run this job; use a built one ({}) or add a [[sites.buildout]] phase of it",
                built.join(", ")
            )
        } else {
            format!(
                "no rack model is named \"{rack}\"{hint} (built: {})",
                built.join(", ")
            )
        };
        self.err(p, message);
        None
    }

    /// The scale-up domains `chips` chips of `rack` make: a whole number,
    /// at most `most` (what one site ever holds).
    fn job_domains(
        &mut self,
        p: &FieldPath,
        chips: u32,
        rack: &RackType,
        most: u64,
        multi_site: bool,
    ) -> Option<u32> {
        match domains_of(chips, rack, most, multi_site) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(p, e);
                None
            }
        }
    }

    /// A job's Young/Daly checkpoint interval `sqrt(2 · C · MTBF)`, MTBF
    /// from [`job_failure_rate`]; none (reported) when C is 0 or nothing
    /// can interrupt the job, none (silently) when what it depends on was
    /// refused already.
    fn young_daly_interval(
        &mut self,
        p: &FieldPath,
        failures: Option<&[FailureClass]>,
        rack: Option<&RackType>,
        chips: Option<u32>,
        checkpoint_time: Option<SimDuration>,
    ) -> Option<SimDuration> {
        let (failures, rack, chips, c) = (failures?, rack?, chips?, checkpoint_time?);
        let rate = job_failure_rate(failures, rack, chips, self.software_rate);
        if rate <= 0.0 {
            self.err(
                p,
                "\"young-daly\" needs failures that can interrupt the job, and every class it depends on (gpu, hbm, gpu_other, host, nic, switch_cable, rack_power, site_outage, software) has rate 0; give a fixed interval, e.g. checkpoint_every = \"2h\"",
            );
            return None;
        }
        let every = young_daly(c, rate);
        if every.0 == 0 {
            self.err(
                p,
                "\"young-daly\" is sqrt(2 · checkpoint_time · MTBF), 0 with checkpoint_time = 0; set checkpoint_time (e.g. \"1min\") or give a fixed interval",
            );
            return None;
        }
        Some(every)
    }

    /// A job's submission: a date in the horizon or an offset from the start.
    fn submit_time(&mut self, p: &FieldPath, text: &str) -> Option<SimTime> {
        if parse_date(text).is_ok() {
            return self.date_in_horizon(p, text);
        }
        match parse_duration(text) {
            Ok(d) if SimTime::ZERO.checked_add(d).is_some_and(|t| t < self.end) => {
                Some(SimTime::ZERO + d)
            }
            Ok(d) => {
                self.err(
                    p,
                    format!(
                        "{d} after the start is past the end of the run; submit the job earlier"
                    ),
                );
                None
            }
            Err(_) => {
                self.err(
                    p,
                    format!(
                        "\"{text}\" is neither a date nor a duration; give a date such as \"2026-02-01\" or an offset from the start such as \"12h\""
                    ),
                );
                None
            }
        }
    }

    /// A job's work [FLOP], given exactly one way.
    fn work(
        &mut self,
        p: &FieldPath,
        j: &JobSpec,
        rack: Option<&RackType>,
        chips: Option<u32>,
        mfu: Option<f64>,
    ) -> Option<f64> {
        let ways = [
            j.params.is_some() || j.tokens.is_some(),
            j.flops.is_some(),
            j.ideal_duration.is_some(),
        ];
        let given = ways.iter().filter(|w| **w).count();
        if given != 1 {
            let key = if j.flops.is_some() {
                "flops"
            } else if j.ideal_duration.is_some() {
                "ideal_duration"
            } else {
                "params"
            };
            let found = if given == 0 {
                "none is given"
            } else {
                "more than one is given"
            };
            self.err(
                &p.key(key),
                format!(
                    "give the job's work one way: params and tokens (6·N·D FLOPs), flops, or ideal_duration; {found}"
                ),
            );
            return None;
        }
        let limit = |v: &mut Self, key: &str, x: f64, what: &str| -> Option<f64> {
            // At least 1: a job of less than one FLOP (1e-320) would be a
            // job of no length.
            if !x.is_finite() || !(1.0..=MAX_JOB_QUANTITY).contains(&x) {
                v.err(
                    &p.key(key),
                    format!(
                        "must be a number of at least 1 and at most {MAX_JOB_QUANTITY:e}, found {} ({what})",
                        number(x)
                    ),
                );
                None
            } else {
                Some(x)
            }
        };
        if let Some(text) = &j.ideal_duration {
            let d = self.positive_duration(&p.key("ideal_duration"), text)?;
            let (rack, chips, mfu) = (rack?, chips?, mfu?);
            return Some(d.seconds() * f64::from(chips) * rack.chip.bf16.value() * mfu);
        }
        if let Some(f) = j.flops {
            return limit(self, "flops", f, "total work in FLOPs, e.g. 3.8e25");
        }
        let n = match j.params {
            Some(n) => limit(self, "params", n, "model parameters, e.g. 405e9"),
            None => {
                self.err(
                    &p.key("tokens"),
                    "tokens needs params (model parameters, e.g. params = 405e9)",
                );
                None
            }
        };
        let d = match j.tokens {
            Some(d) => limit(self, "tokens", d, "training tokens, e.g. 15.6e12"),
            None => {
                self.err(
                    &p.key("params"),
                    "params needs tokens (training tokens, e.g. tokens = 15.6e12)",
                );
                None
            }
        };
        Some(6.0 * n? * d?)
    }

    fn err(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.problems.by_path.push((path.clone(), message.into()));
    }

    fn finite(&mut self, p: &FieldPath, x: f64) -> Option<f64> {
        if !x.is_finite() {
            self.err(p, format!("expected a finite number, found {x}"));
            None
        } else if x.abs() > MAX_MAGNITUDE {
            self.err(
                p,
                format!("{} is beyond any plausible value (the limit is ±{MAX_MAGNITUDE:e}); check the unit in the key name", number(x)),
            );
            None
        } else {
            Some(x)
        }
    }

    fn positive(&mut self, p: &FieldPath, x: f64, what: &str) -> Option<f64> {
        let x = self.finite(p, x)?;
        if x <= 0.0 {
            self.err(
                p,
                format!("must be greater than 0, found {} ({what})", number(x)),
            );
            None
        } else if x < MIN_POSITIVE {
            self.err(
                p,
                format!("{} is too small to be meant (the smallest accepted is {MIN_POSITIVE:e}; {what})", number(x)),
            );
            None
        } else {
            Some(x)
        }
    }

    fn non_negative(&mut self, p: &FieldPath, x: f64, what: &str) -> Option<f64> {
        let x = self.finite(p, x)?;
        if x >= 0.0 {
            Some(x)
        } else {
            self.err(
                p,
                format!("must be 0 or more, found {} ({what})", number(x)),
            );
            None
        }
    }

    fn fraction(&mut self, p: &FieldPath, x: f64) -> Option<f64> {
        let x = self.finite(p, x)?;
        if (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.err(
                p,
                format!(
                    "must be between 0 and 1, found {} (a fraction: 0.7 means 70%)",
                    number(x)
                ),
            );
            None
        }
    }

    fn positive_int(&mut self, p: &FieldPath, n: u32, what: &str) -> Option<u32> {
        if n > 0 {
            Some(n)
        } else {
            self.err(p, format!("must be at least 1, found 0 ({what})"));
            None
        }
    }

    fn duration(&mut self, p: &FieldPath, text: &str) -> Option<SimDuration> {
        match parse_duration(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(p, e);
                None
            }
        }
    }

    fn positive_duration(&mut self, p: &FieldPath, text: &str) -> Option<SimDuration> {
        let d = self.duration(p, text)?;
        if d.0 == 0 {
            self.err(p, format!("must be longer than zero, found \"{text}\""));
            return None;
        }
        Some(d)
    }

    fn date(&mut self, p: &FieldPath, text: &str) -> Option<NaiveDate> {
        match parse_date(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(p, e);
                None
            }
        }
    }

    /// A date that must fall inside the simulated horizon.
    fn date_in_horizon(&mut self, p: &FieldPath, text: &str) -> Option<SimTime> {
        let date = self.date(p, text)?;
        let start = self.calendar.start();
        let end_date = (self.end != SimTime::MAX).then(|| self.calendar.date(self.end));
        match self.calendar.time_of_date(date) {
            Some(t) if t < self.end => Some(t),
            _ => {
                let horizon = match end_date {
                    Some(e) => format!("from {start} up to (not including) {e}"),
                    None => format!("on or after {start}"),
                };
                self.err(
                    p,
                    format!("{date} is outside the simulated horizon; use a date {horizon}"),
                );
                None
            }
        }
    }

    fn horizon(&mut self, spec: &ScenarioSpec, start: Option<NaiveDate>) -> Option<SimTime> {
        let end = self.horizon_end(spec, start)?;
        let longest = MAX_RUN_YEARS * 36_525 * MICROS_PER_DAY / 100;
        if end.0 > longest {
            let key = if spec.duration.is_some() {
                "duration"
            } else {
                "end"
            };
            self.err(
                &FieldPath::default().key(key),
                format!(
                    "the run is {:.0} years long; at most {MAX_RUN_YEARS} years are allowed",
                    end.0 as f64 / (365.25 * MICROS_PER_DAY as f64)
                ),
            );
            return None;
        }
        Some(end)
    }

    fn horizon_end(&mut self, spec: &ScenarioSpec, start: Option<NaiveDate>) -> Option<SimTime> {
        let root = FieldPath::default();
        match (&spec.duration, &spec.end) {
            (Some(_), Some(_)) => {
                self.err(
                    &root.key("end"),
                    "give either `duration` or `end`, not both",
                );
                None
            }
            (None, None) => {
                self.err(
                    &root.key("duration"),
                    "missing: say how long to simulate with duration = \"7y\" or end = \"2033-01-01\"",
                );
                None
            }
            (Some(text), None) => {
                let d = self.positive_duration(&root.key("duration"), text)?;
                // Whole years run to the same calendar day: "7y" from
                // 2025-11-01 ends on 2032-11-01, leap days included.
                let years = text
                    .trim()
                    .strip_suffix('y')
                    .and_then(|n| n.parse::<u32>().ok());
                match (years, start) {
                    (Some(n), Some(start)) => start
                        .checked_add_months(chrono::Months::new(12 * n))
                        .and_then(|end| self.calendar.time_of_date(end))
                        .or(Some(SimTime(d.0))),
                    _ => Some(SimTime(d.0)),
                }
            }
            (None, Some(text)) => {
                let end = self.date(&root.key("end"), text)?;
                let start = start?;
                if end <= start {
                    self.err(
                        &root.key("end"),
                        format!("{end} is not after the start date {start}"),
                    );
                    return None;
                }
                self.calendar.time_of_date(end)
            }
        }
    }

    fn site_ref(&mut self, p: &FieldPath, name: &str, names: &[&str]) -> Option<usize> {
        match names.iter().position(|n| *n == name) {
            Some(i) => Some(i),
            None => {
                let hint = did_you_mean_value(name, names.iter().copied());
                self.err(
                    p,
                    format!(
                        "no site is named \"{name}\"{hint} (sites: {})",
                        names.join(", ")
                    ),
                );
                None
            }
        }
    }

    fn distribution(&mut self, p: &FieldPath, d: &DistributionSpec) -> Option<Distribution> {
        let given: [(&str, bool); 6] = [
            ("value", d.value.is_some()),
            ("min", d.min.is_some()),
            ("max", d.max.is_some()),
            ("mean", d.mean.is_some()),
            ("median", d.median.is_some()),
            ("sigma", d.sigma.is_some()),
        ];
        let (kind_name, needs): (&str, &[&str]) = match d.kind {
            DistributionKind::Fixed => ("fixed", &["value"]),
            DistributionKind::Uniform => ("uniform", &["min", "max"]),
            DistributionKind::Exponential => ("exponential", &["mean"]),
            DistributionKind::Lognormal => ("lognormal", &["median", "sigma"]),
        };
        let mut ok = true;
        for (key, present) in given {
            if present && !needs.contains(&key) {
                self.err(
                    &p.key(key),
                    format!(
                        "`{key}` does not apply to kind = \"{kind_name}\", which takes {}",
                        needs.join(" and ")
                    ),
                );
                ok = false;
            }
            if !present && needs.contains(&key) {
                self.err(
                    &p.key(key),
                    format!(
                        "missing: kind = \"{kind_name}\" needs {}",
                        needs.join(" and ")
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let dur = |v: &mut Self, key: &str, text: &Option<String>| {
            v.duration(&p.key(key), text.as_deref().unwrap_or_default())
        };
        match d.kind {
            DistributionKind::Fixed => Some(Distribution::Fixed(dur(self, "value", &d.value)?)),
            DistributionKind::Uniform => {
                let min = dur(self, "min", &d.min);
                let max = dur(self, "max", &d.max);
                let (min, max) = (min?, max?);
                if max < min {
                    self.err(&p.key("max"), format!("{max} is less than min = {min}"));
                    return None;
                }
                Some(Distribution::Uniform { min, max })
            }
            DistributionKind::Exponential => {
                let mean =
                    self.positive_duration(&p.key("mean"), d.mean.as_deref().unwrap_or_default())?;
                Some(Distribution::Exponential { mean })
            }
            DistributionKind::Lognormal => {
                let median = self
                    .positive_duration(&p.key("median"), d.median.as_deref().unwrap_or_default());
                let sigma = self
                    .non_negative(
                        &p.key("sigma"),
                        d.sigma.unwrap_or_default(),
                        "the spread of the log, e.g. 0.5",
                    )
                    .and_then(|sigma| {
                        if sigma > MAX_LOGNORMAL_SIGMA {
                            self.err(
                                &p.key("sigma"),
                                format!(
                                    "must be at most {MAX_LOGNORMAL_SIGMA}, found {} (with sigma = {MAX_LOGNORMAL_SIGMA} one draw in a million is already 1.6 million times the median)",
                                    number(sigma)
                                ),
                            );
                            None
                        } else {
                            Some(sigma)
                        }
                    });
                Some(Distribution::LogNormal {
                    median: median?,
                    sigma: sigma?,
                })
            }
        }
    }

    fn failures(&mut self, spec: &ScenarioSpec) -> Option<Vec<FailureClass>> {
        let p = FieldPath::default().key("failures");
        let given = spec.failures.clone().unwrap_or_default();
        let by_kind: [Option<&FailureClassSpec>; FailureKind::ALL.len()] = [
            given.gpu.as_ref(),
            given.hbm.as_ref(),
            given.gpu_other.as_ref(),
            given.host.as_ref(),
            given.nic.as_ref(),
            given.switch_cable.as_ref(),
            given.rack_power.as_ref(),
            given.site_outage.as_ref(),
            given.dci_link.as_ref(),
        ];
        let mut out = Vec::new();
        let mut ok = true;
        for (d, class) in failures::defaults().iter().zip(by_kind) {
            let cp = p.key(d.kind.key());
            let default_repair = Distribution::Exponential {
                mean: SimDuration::from_hours_f64(d.repair_mean_hours),
            };
            // `gpu` and `hbm` fall back on each chip's catalog figure; every
            // other class, `gpu_other` included, on its default.
            let default_rate =
                (!d.kind.rate_per_chip_model()).then_some(d.rate_per_million_hours / 1e6);
            let Some(c) = class else {
                out.push(FailureClass {
                    kind: d.kind,
                    rate_per_hour: default_rate,
                    lifetime: Lifetime::Exponential,
                    repair: default_repair,
                });
                continue;
            };
            let rate = match c.rate_per_million_hours {
                Some(r) => self
                    .non_negative(
                        &cp.key("rate_per_million_hours"),
                        r,
                        "failures per million component-hours; 0 turns the class off",
                    )
                    .and_then(|r| {
                        if r > MAX_RATE_PER_MILLION_HOURS {
                            self.err(
                                &cp.key("rate_per_million_hours"),
                                format!(
                                    "{r} failures per million hours is a mean life under an hour; at most {MAX_RATE_PER_MILLION_HOURS} is allowed"
                                ),
                            );
                            None
                        } else {
                            Some(Some(r / 1e6))
                        }
                    }),
                None => Some(default_rate),
            };
            let lifetime = match (c.lifetime, c.weibull_shape) {
                (Some(LifetimeKind::Weibull), Some(k)) => {
                    let shape = self.finite(&cp.key("weibull_shape"), k);
                    if let Some(shape) =
                        shape.filter(|k| (MIN_WEIBULL_SHAPE..=MAX_WEIBULL_SHAPE).contains(k))
                    {
                        Some(Lifetime::Weibull { shape })
                    } else if let Some(shape) = shape {
                        self.err(
                            &cp.key("weibull_shape"),
                            format!(
                                "must be between {MIN_WEIBULL_SHAPE} and {MAX_WEIBULL_SHAPE}, found {shape} (below 1: infant mortality, 1: exponential, above 1: wear-out)"
                            ),
                        );
                        None
                    } else {
                        None
                    }
                }
                (Some(LifetimeKind::Weibull), None) => {
                    self.err(
                        &cp.key("weibull_shape"),
                        "missing: lifetime = \"weibull\" needs weibull_shape, e.g. 0.7 (infant mortality) or 2.0 (wear-out)",
                    );
                    None
                }
                (_, Some(_)) => {
                    self.err(
                        &cp.key("weibull_shape"),
                        "weibull_shape only applies with lifetime = \"weibull\"",
                    );
                    None
                }
                _ => Some(Lifetime::Exponential),
            };
            let repair = match &c.repair {
                Some(r) => self.distribution(&cp.key("repair"), r),
                None => Some(default_repair),
            };
            match (rate, lifetime, repair) {
                (Some(rate_per_hour), Some(lifetime), Some(repair)) => out.push(FailureClass {
                    kind: d.kind,
                    rate_per_hour,
                    lifetime,
                    repair,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn catalog(&mut self, chips: &[ChipOverrideSpec], racks: &[RackOverrideSpec]) -> Catalog {
        let mut catalog = Catalog::builtin();
        let builtin_chips: Vec<String> = catalog.chips.iter().map(|c| c.name.clone()).collect();
        let mut seen = BTreeSet::new();
        for (i, c) in chips.iter().enumerate() {
            let p = FieldPath::default().key("chips").index(i);
            if !seen.insert(c.name.clone()) {
                self.err(
                    &p.key("name"),
                    format!(
                        "chip \"{}\" is defined twice; merge the two [[chips]] tables",
                        c.name
                    ),
                );
                continue;
            }
            let base = catalog.chip(&c.name).cloned();
            match self.chip(&p, c, base, &builtin_chips) {
                Some(chip) => match catalog.chips.iter_mut().find(|x| x.name == chip.name) {
                    Some(slot) => *slot = chip,
                    None => catalog.chips.push(chip),
                },
                None => {
                    self.refused_chips.insert(c.name.clone());
                }
            }
        }
        let builtin_racks: Vec<String> = catalog.racks.iter().map(|r| r.name.clone()).collect();
        let mut seen = BTreeSet::new();
        for (i, r) in racks.iter().enumerate() {
            let p = FieldPath::default().key("racks").index(i);
            if !seen.insert(r.name.clone()) {
                self.err(
                    &p.key("name"),
                    format!(
                        "rack \"{}\" is defined twice; merge the two [[racks]] tables",
                        r.name
                    ),
                );
                continue;
            }
            let base = catalog.rack(&r.name).cloned();
            match self.rack(&p, r, base, &builtin_racks, &catalog) {
                Some(rack) => match catalog.racks.iter_mut().find(|x| x.name == rack.name) {
                    Some(slot) => *slot = rack,
                    None => catalog.racks.push(rack),
                },
                None => {
                    self.refused_racks.insert(r.name.clone());
                }
            }
        }
        catalog
    }

    /// Reports a field a new catalog entry must have.
    fn required<T: Copy>(
        &mut self,
        p: &FieldPath,
        key: &str,
        value: Option<T>,
        what: &str,
        name: &str,
        builtins: &[String],
    ) -> Option<T> {
        if value.is_none() {
            let hint = did_you_mean_value(name, builtins.iter().map(String::as_str));
            self.err(
                &p.key(key),
                format!(
                    "missing: \"{name}\" is not a built-in {what}{hint}, so a new {what} needs `{key}`"
                ),
            );
        }
        value
    }

    fn chip(
        &mut self,
        p: &FieldPath,
        c: &ChipOverrideSpec,
        base: Option<ChipSpec>,
        builtins: &[String],
    ) -> Option<ChipSpec> {
        if c.name.trim().is_empty() {
            self.err(&p.key("name"), "a chip needs a name, e.g. name = \"h100\"");
            return None;
        }
        let is_new = base.is_none();
        let mut chip = base.unwrap_or_else(|| ChipSpec {
            name: c.name.clone(),
            model: c.name.clone(),
            vendor: "custom".into(),
            year: 0,
            bf16: FlopsPerSecond::ZERO,
            fp8: None,
            hbm: Bytes::ZERO,
            hbm_bandwidth: BytesPerSecond::ZERO,
            tdp: Watts::ZERO,
            idle: Watts::ZERO,
            scaleup_bandwidth: BytesPerSecond::ZERO,
            price: None,
            gpu_failures_per_mhr: failures::defaults()[FailureKind::Gpu.index()]
                .rate_per_million_hours,
            hbm_failures_per_mhr: failures::defaults()[FailureKind::Hbm.index()]
                .rate_per_million_hours,
            source: "defined in the scenario".into(),
            estimates: String::new(),
        });
        let before = self.problems.by_path.len();
        if is_new {
            for (key, present) in [
                ("bf16_tflops", c.bf16_tflops.is_some()),
                ("hbm_gb", c.hbm_gb.is_some()),
                ("hbm_tb_per_s", c.hbm_tb_per_s.is_some()),
                ("tdp_w", c.tdp_w.is_some()),
                ("scaleup_gb_per_s", c.scaleup_gb_per_s.is_some()),
            ] {
                self.required(p, key, present.then_some(()), "chip", &c.name, builtins);
            }
        }
        if let Some(x) = &c.model {
            chip.model = x.clone();
        }
        if let Some(x) = &c.vendor {
            chip.vendor = x.clone();
        }
        if let Some(x) = c.year {
            chip.year = x;
        }
        if let Some(x) = c.bf16_tflops
            && let Some(x) = self.positive(&p.key("bf16_tflops"), x, "dense BF16 TFLOP/s")
        {
            chip.bf16 = FlopsPerSecond::from_tflops(x);
        }
        if let Some(x) = c.fp8_tflops
            && let Some(x) = self.positive(&p.key("fp8_tflops"), x, "dense FP8 TFLOP/s")
        {
            chip.fp8 = Some(FlopsPerSecond::from_tflops(x));
        }
        if let Some(x) = c.hbm_gb
            && let Some(x) = self.positive(&p.key("hbm_gb"), x, "HBM capacity in GB")
        {
            chip.hbm = Bytes::from_gb(x);
        }
        if let Some(x) = c.hbm_tb_per_s
            && let Some(x) = self.positive(&p.key("hbm_tb_per_s"), x, "HBM bandwidth in TB/s")
        {
            chip.hbm_bandwidth = BytesPerSecond::from_tbps(x);
        }
        if let Some(x) = c.tdp_w
            && let Some(x) =
                self.positive(&p.key("tdp_w"), x, "thermal design power in W, e.g. 700")
        {
            chip.tdp = Watts(x);
            if c.idle_w.is_none() && is_new {
                chip.idle = Watts(x * 0.15);
                chip.estimates = "idle: assumed 15% of TDP".into();
            }
        }
        if let Some(x) = c.idle_w
            && let Some(x) = self.non_negative(&p.key("idle_w"), x, "idle draw in W")
        {
            chip.idle = Watts(x);
        }
        if let Some(x) = c.scaleup_gb_per_s
            && let Some(x) = self.positive(&p.key("scaleup_gb_per_s"), x, "scale-up GB/s per chip")
        {
            chip.scaleup_bandwidth = BytesPerSecond::from_gbps(x);
        }
        if let Some(x) = c.price_usd
            && let Some(x) = self.non_negative(&p.key("price_usd"), x, "price per chip in USD")
        {
            chip.price = Some(Usd(x));
        }
        if let Some(x) = c.gpu_failures_per_million_hours
            && let Some(x) = self.non_negative(
                &p.key("gpu_failures_per_million_hours"),
                x,
                "chip failures per million chip-hours",
            )
        {
            chip.gpu_failures_per_mhr = x;
        }
        if let Some(x) = c.hbm_failures_per_million_hours
            && let Some(x) = self.non_negative(
                &p.key("hbm_failures_per_million_hours"),
                x,
                "HBM failures per million chip-hours",
            )
        {
            chip.hbm_failures_per_mhr = x;
        }
        if let Some(x) = &c.source {
            chip.source = x.clone();
        }
        if self.problems.by_path.len() == before && chip.idle.0 >= chip.tdp.0 {
            self.err(
                &p.key(if c.idle_w.is_some() {
                    "idle_w"
                } else {
                    "tdp_w"
                }),
                format!(
                    "idle draw ({} W) must be below TDP ({} W)",
                    chip.idle.0, chip.tdp.0
                ),
            );
        }
        (self.problems.by_path.len() == before).then_some(chip)
    }

    fn rack(
        &mut self,
        p: &FieldPath,
        r: &RackOverrideSpec,
        base: Option<RackSpec>,
        builtins: &[String],
        catalog: &Catalog,
    ) -> Option<RackSpec> {
        if r.name.trim().is_empty() {
            self.err(
                &p.key("name"),
                "a rack needs a name, e.g. name = \"my-rack\"",
            );
            return None;
        }
        let is_new = base.is_none();
        let before = self.problems.by_path.len();
        if is_new {
            for (key, present) in [
                ("chip", r.chip.is_some()),
                ("chips", r.chips.is_some()),
                ("nodes", r.nodes.is_some()),
                ("overhead_kw", r.overhead_kw.is_some()),
                ("scaleout_gbit_per_s", r.scaleout_gbit_per_s.is_some()),
            ] {
                self.required(p, key, present.then_some(()), "rack", &r.name, builtins);
            }
        }
        let mut rack = base.unwrap_or_else(|| RackSpec {
            name: r.name.clone(),
            model: r.name.clone(),
            chip: String::new(),
            chips: 1,
            nodes: 1,
            scaleup_domain: 0,
            overhead: Watts::ZERO,
            scaleout_per_chip: BitsPerSecond::ZERO,
            price: None,
            source: "defined in the scenario".into(),
            estimates: String::new(),
        });
        if let Some(x) = &r.model {
            rack.model = x.clone();
        }
        // A rack of a refused chip is refused too, with nothing more said:
        // the chip's own problem is reported at its [[chips]] entry.
        let mut chip_refused = false;
        if let Some(chip) = &r.chip {
            if catalog.chip(chip).is_some() {
                rack.chip = chip.clone();
            } else if self.refused_chips.contains(chip) {
                chip_refused = true;
            } else {
                let hint = did_you_mean_value(chip, catalog.chips.iter().map(|c| c.name.as_str()));
                self.err(
                    &p.key("chip"),
                    format!(
                        "no chip is named \"{chip}\"{hint} (`dcsim catalog` lists them, or define it in [[chips]])"
                    ),
                );
            }
        }
        if let Some(x) = r.chips
            && let Some(x) = self.positive_int(&p.key("chips"), x, "chips per rack")
        {
            rack.chips = x;
        }
        if let Some(x) = r.nodes
            && let Some(x) = self.positive_int(&p.key("nodes"), x, "servers or trays per rack")
        {
            rack.nodes = x;
        }
        if let Some(x) = r.scaleup_domain
            && let Some(x) =
                self.positive_int(&p.key("scaleup_domain"), x, "chips per scale-up domain")
        {
            rack.scaleup_domain = x;
        }
        if let Some(x) = r.overhead_kw
            && let Some(x) =
                self.non_negative(&p.key("overhead_kw"), x, "non-chip power of the rack in kW")
        {
            rack.overhead = Watts::from_kw(x);
        }
        if let Some(x) = r.scaleout_gbit_per_s
            && let Some(x) = self.positive(
                &p.key("scaleout_gbit_per_s"),
                x,
                "NIC Gbit/s per chip, e.g. 400",
            )
        {
            rack.scaleout_per_chip = BitsPerSecond::from_gbps(x);
        }
        if let Some(x) = r.price_usd
            && let Some(x) = self.non_negative(&p.key("price_usd"), x, "price of the rack in USD")
        {
            rack.price = Some(Usd(x));
        }
        if let Some(x) = &r.source {
            rack.source = x.clone();
        }
        if self.problems.by_path.len() != before || chip_refused {
            return None;
        }
        if rack.scaleup_domain == 0 {
            rack.scaleup_domain = rack.chips / rack.nodes.max(1);
        }
        if !rack.chips.is_multiple_of(rack.nodes) {
            self.err(
                &p.key("nodes"),
                format!(
                    "{} chips cannot be split evenly into {} nodes",
                    rack.chips, rack.nodes
                ),
            );
        }
        if rack.nodes > 0
            && rack.chips.is_multiple_of(rack.nodes)
            && !rack.scaleup_domain.is_multiple_of(rack.chips / rack.nodes)
        {
            self.err(
                &p.key("scaleup_domain"),
                format!(
                    "a scale-up domain of {} chips does not hold whole nodes of {} chips: \
                     domains must nest nodes (make it a multiple of {})",
                    rack.scaleup_domain,
                    rack.chips / rack.nodes,
                    rack.chips / rack.nodes
                ),
            );
        }
        if !rack.chips.is_multiple_of(rack.scaleup_domain) {
            self.err(
                &p.key("scaleup_domain"),
                format!(
                    "{} chips cannot be split evenly into scale-up domains of {}",
                    rack.chips, rack.scaleup_domain
                ),
            );
        }
        (self.problems.by_path.len() == before).then_some(rack)
    }

    fn site(
        &mut self,
        p: &FieldPath,
        s: &SiteSpec,
        catalog: &Catalog,
        rack_types: &mut Vec<RackType>,
    ) -> Option<Site> {
        let before = self.problems.by_path.len() + self.problems.located.len();
        let grid_mw = self.positive(
            &p.key("grid_mw"),
            s.grid_mw,
            "the site's grid connection in MW, e.g. grid_mw = 300",
        );
        let mut grid = vec![(SimTime::ZERO, Watts::from_mw(grid_mw.unwrap_or(0.0)))];
        let mut grid_ok = grid_mw.is_some();
        let mut upgrade_times = Vec::with_capacity(s.grid_upgrades.len());
        for (i, u) in s.grid_upgrades.iter().enumerate() {
            let up = p.key("grid_upgrades").index(i);
            let at = self.date_in_horizon(&up.key("date"), &u.date);
            upgrade_times.push(at);
            let mw = self.positive(
                &up.key("grid_mw"),
                u.grid_mw,
                "the new grid connection in MW",
            );
            if let Some(at) = at
                && let Some(j) = grid.iter().position(|g| g.0 == at)
            {
                let what = if j == 0 {
                    "is the start date, where grid_mw applies; set grid_mw instead"
                } else {
                    "is also the date of an earlier grid upgrade; give one grid_mw per date"
                };
                self.err(&up.key("date"), format!("{} {what}", u.date.trim()));
                grid_ok = false;
            } else if let (Some(at), Some(mw)) = (at, mw) {
                grid.push((at, Watts::from_mw(mw)));
            } else {
                grid_ok = false;
            }
        }
        grid.sort_by_key(|g| g.0);

        let pue = match (s.pue, &s.pue_monthly) {
            (Some(_), Some(_)) => {
                self.err(
                    &p.key("pue_monthly"),
                    "give either `pue` or `pue_monthly`, not both",
                );
                None
            }
            (None, None) => {
                self.err(
                    &p.key("pue"),
                    "missing: give the site's power usage effectiveness, e.g. pue = 1.2, or pue_monthly = [twelve values]",
                );
                None
            }
            (Some(x), None) => self.pue_value(&p.key("pue"), x).map(Pue::Constant),
            (None, Some(months)) => {
                if months.len() != 12 {
                    self.err(
                        &p.key("pue_monthly"),
                        format!(
                            "needs 12 values, January to December; found {}",
                            months.len()
                        ),
                    );
                    None
                } else {
                    let mut m = [0.0; 12];
                    let mut ok = true;
                    for (i, x) in months.iter().enumerate() {
                        match self.pue_value(&p.key("pue_monthly").index(i), *x) {
                            Some(x) => m[i] = x,
                            None => ok = false,
                        }
                    }
                    ok.then_some(Pue::Monthly(m))
                }
            }
        };
        let power_oversubscription = match s.power_oversubscription {
            Some(x) => self.positive(
                &p.key("power_oversubscription"),
                x,
                "admit racks up to this multiple of the grid connection; 1.0 admits only what always fits",
            ),
            None => Some(1.0),
        };
        let uplink_oversubscription = match s.uplink_oversubscription {
            Some(x) => self.positive(
                &p.key("uplink_oversubscription"),
                x,
                "rack NIC bandwidth / uplink bandwidth, e.g. 1.0 for non-blocking",
            ),
            None => Some(1.0),
        };
        let end_of_life = match &s.end_of_life {
            Some(t) => self.positive_duration(&p.key("end_of_life"), t).map(Some),
            None => Some(None),
        };
        let price = self.price(&p.key("price"), s.price.as_ref());
        let carbon = self.carbon(&p.key("carbon"), s.carbon.as_ref());

        if s.buildout.is_empty() {
            self.err(
                &p.key("buildout"),
                "the build-out is empty: add at least one [[sites.buildout]] phase with rack, count and date",
            );
        }
        let rack_names: Vec<&str> = catalog.racks.iter().map(|r| r.name.as_str()).collect();
        let mut phases = Vec::new();
        for (i, ph) in s.buildout.iter().enumerate() {
            let pp = p.key("buildout").index(i);
            let rack_type = match catalog.rack(&ph.rack) {
                Some(r) => match rack_types.iter().position(|t| t.rack.name == r.name) {
                    Some(i) => Some(i),
                    None => {
                        let chip = catalog.chip(&r.chip).cloned();
                        match chip {
                            Some(chip) => {
                                rack_types.push(RackType {
                                    rack: r.clone(),
                                    chip,
                                });
                                Some(rack_types.len() - 1)
                            }
                            None => None,
                        }
                    }
                },
                None if self.refused_racks.contains(&ph.rack) => None,
                None => {
                    let hint = did_you_mean_value(&ph.rack, rack_names.iter().copied());
                    self.err(
                        &pp.key("rack"),
                        format!(
                            "no rack is named \"{}\"{hint} (`dcsim catalog` lists them, or define it in [[racks]])",
                            ph.rack
                        ),
                    );
                    None
                }
            };
            let count = self.positive_int(&pp.key("count"), ph.count, "racks in this phase");
            let planned = self.date_in_horizon(&pp.key("date"), &ph.date);
            let delay = match &ph.delay {
                Some(d) => self.distribution(&pp.key("delay"), d).map(Some),
                None => Some(None),
            };
            let eol = match &ph.end_of_life {
                Some(t) => self.positive_duration(&pp.key("end_of_life"), t).map(Some),
                None => end_of_life,
            };
            if let (Some(rack_type), Some(count), Some(planned), Some(delay), Some(eol)) =
                (rack_type, count, planned, delay, eol)
            {
                phases.push(Phase {
                    rack_type,
                    count,
                    planned,
                    delay,
                    spare_nodes: ph.spare_nodes.unwrap_or(0),
                    end_of_life: eol,
                });
            }
        }
        // A phase larger than the site's biggest grid connection can never
        // be commissioned: say so now rather than after a seven-year run.
        if let (Some(pue), Some(oversub), true) = (
            &pue,
            power_oversubscription,
            grid_ok && phases.len() == s.buildout.len(),
        ) {
            let max_grid = grid.iter().map(|g| g.1).fold(Watts::ZERO, Watts::max);
            // Overhead and idle draw cannot be capped: a grid connection that
            // falls below the floor of the racks that may be online then
            // (every phase planned by that date, at design PUE; a bound, as
            // deferral, refusal or retirement may leave fewer) is refused.
            for (i, (u, at)) in s.grid_upgrades.iter().zip(&upgrade_times).enumerate() {
                let Some(at) = *at else {
                    continue;
                };
                let floor: Watts = phases
                    .iter()
                    .filter(|ph| ph.planned <= at)
                    .map(|ph| {
                        let t = &rack_types[ph.rack_type];
                        (t.rack.overhead + t.chip.idle * f64::from(t.rack.chips))
                            * pue.design()
                            * f64::from(ph.count)
                    })
                    .fold(Watts::ZERO, |a, b| a + b);
                if floor.0 > Watts::from_mw(u.grid_mw).0 * (1.0 + 1e-12) {
                    self.err(
                        &p.key("grid_upgrades").index(i).key("grid_mw"),
                        format!(
                            "{} MW is below the idle floor of the racks planned by {} ({:.3} MW: rack overhead + chips at idle, × design PUE {}), which cannot be capped; keep grid_mw at least that, or plan fewer racks before this date",
                            u.grid_mw,
                            u.date,
                            floor.mw(),
                            pue.design()
                        ),
                    );
                }
            }
            for (i, ph) in phases.iter().enumerate() {
                let t = &rack_types[ph.rack_type];
                let need = t.nameplate() * pue.design() * f64::from(ph.count);
                if need.0 > max_grid.0 * oversub * (1.0 + 1e-12) {
                    self.err(
                        &p.key("buildout").index(i).key("count"),
                        format!(
                            "{} racks of {} need {:.1} MW (nameplate {:.1} kW each × design PUE {}), more than this site's grid connection ever allows ({:.1} MW × power_oversubscription {}); split the phase, lower count or raise grid_mw",
                            ph.count,
                            t.rack.name,
                            need.mw(),
                            t.nameplate().kw(),
                            pue.design(),
                            max_grid.mw(),
                            oversub
                        ),
                    );
                    continue;
                }
                // Its idle floor must fit under the grid itself: no power
                // cap lowers overhead or idle draw, so a phase whose floor
                // exceeds every grid the site will have would wait all run.
                let per_rack = t.rack.overhead + t.chip.idle * f64::from(t.rack.chips);
                let floor = per_rack * pue.design() * f64::from(ph.count);
                if floor.0 > max_grid.0 * (1.0 + 1e-12) {
                    self.err(
                        &p.key("buildout").index(i).key("count"),
                        format!(
                            "{} racks of {} have an idle floor of {:.3} MW (rack overhead + chips at idle, {:.3} kW a rack, × design PUE {}), more than this site's grid connection ever allows ({:.3} MW; power caps cannot lower the idle floor, whatever power_oversubscription); split the phase, lower count or raise grid_mw",
                            ph.count,
                            t.rack.name,
                            floor.mw(),
                            per_rack.kw(),
                            pue.design(),
                            max_grid.mw(),
                        ),
                    );
                }
            }
        }
        let after = self.problems.by_path.len() + self.problems.located.len();
        if after != before {
            return None;
        }
        Some(Site {
            name: s.name.clone(),
            grid,
            pue: pue?,
            when_grid_full: s.when_grid_full.unwrap_or_default(),
            power_oversubscription: power_oversubscription?,
            uplink_oversubscription: uplink_oversubscription?,
            price: price?,
            carbon: carbon?,
            phases,
        })
    }

    fn pue_value(&mut self, p: &FieldPath, x: f64) -> Option<f64> {
        let x = self.finite(p, x)?;
        if (1.0..=5.0).contains(&x) {
            Some(x)
        } else {
            self.err(
                p,
                format!(
                    "a PUE is facility power / IT power, so between 1.0 and 5.0; found {} (typical: 1.1 to 1.6)",
                    number(x)
                ),
            );
            None
        }
    }

    fn price(&mut self, p: &FieldPath, spec: Option<&PriceSpec>) -> Option<Tariff> {
        let Some(s) = spec else {
            return Some(Tariff::Flat(0.0));
        };
        let bands: Vec<(Option<super::spec::DaysSpec>, u32, u32, f64)> = s
            .bands
            .iter()
            .map(|b| (b.days, b.from_hour, b.to_hour, b.usd_per_mwh))
            .collect();
        self.tariff(
            p,
            s.usd_per_mwh,
            &bands,
            s.hourly_csv.as_deref(),
            "usd_per_mwh",
            false,
        )
    }

    fn carbon(&mut self, p: &FieldPath, spec: Option<&CarbonSpec>) -> Option<Tariff> {
        let Some(s) = spec else {
            return Some(Tariff::Flat(0.0));
        };
        let bands: Vec<(Option<super::spec::DaysSpec>, u32, u32, f64)> = s
            .bands
            .iter()
            .map(|b| (b.days, b.from_hour, b.to_hour, b.kg_per_mwh))
            .collect();
        self.tariff(
            p,
            s.kg_per_mwh,
            &bands,
            s.hourly_csv.as_deref(),
            "kg_per_mwh",
            true,
        )
    }

    /// Shared by price and carbon: a flat value, a base with bands, or a CSV.
    fn tariff(
        &mut self,
        p: &FieldPath,
        base: Option<f64>,
        bands: &[(Option<super::spec::DaysSpec>, u32, u32, f64)],
        csv: Option<&str>,
        value_key: &str,
        non_negative: bool,
    ) -> Option<Tariff> {
        let check = |v: &mut Self, path: &FieldPath, x: f64| {
            if non_negative {
                v.non_negative(path, x, "intensity in kgCO2e per MWh")
            } else {
                v.finite(path, x)
            }
        };
        match (base, csv) {
            (Some(_), Some(_)) => {
                self.err(
                    &p.key("hourly_csv"),
                    format!(
                        "give either `{value_key}` (with optional bands) or `hourly_csv`, not both"
                    ),
                );
                None
            }
            (None, None) => {
                self.err(
                    &p.key(value_key),
                    format!("missing: give `{value_key}` or `hourly_csv`"),
                );
                None
            }
            (None, Some(file)) => {
                if !bands.is_empty() {
                    self.err(
                        &p.key("bands"),
                        "bands apply over a base value, not over `hourly_csv`",
                    );
                    return None;
                }
                self.series(&p.key("hourly_csv"), file, value_key, non_negative)
                    .map(Tariff::Series)
            }
            (Some(b), None) => {
                let base = check(self, &p.key(value_key), b)?;
                if base < 0.0 {
                    self.err(
                        &p.key(value_key),
                        format!(
                            "a flat price of {} USD/MWh pays the site for every MWh it draws, all the time: almost always a sign typo; give the price as a positive number, and state negative hours on purpose in an hourly price file (hourly_csv) or in time-of-use bands (bands = [{{ from_hour = 11, to_hour = 15, usd_per_mwh = -20 }}])",
                            number(base)
                        ),
                    );
                    return None;
                }
                if bands.is_empty() {
                    return Some(Tariff::Flat(base));
                }
                let mut out = Vec::new();
                let mut ok = true;
                for (i, (days, from, to, value)) in bands.iter().enumerate() {
                    let bp = p.key("bands").index(i);
                    if *from > 23 {
                        self.err(
                            &bp.key("from_hour"),
                            format!("an hour of the day is 0 to 23, found {from}"),
                        );
                        ok = false;
                    }
                    if *to == 0 || *to > 24 || to <= from {
                        self.err(
                            &bp.key("to_hour"),
                            format!("must be after from_hour ({from}) and at most 24, found {to}"),
                        );
                        ok = false;
                    }
                    match check(self, &bp.key(value_key), *value) {
                        Some(value) => out.push(Band {
                            days: days.unwrap_or_default(),
                            from_hour: *from,
                            to_hour: *to,
                            value,
                        }),
                        None => ok = false,
                    }
                }
                ok.then_some(Tariff::Bands { base, bands: out })
            }
        }
    }

    /// Reads a `timestamp,<value_key>` CSV; problems are located in it.
    fn series(
        &mut self,
        p: &FieldPath,
        file: &str,
        value_key: &str,
        non_negative: bool,
    ) -> Option<Vec<(SimTime, f64)>> {
        let path = self.input_path(p, file);
        let shown = path.display().to_string();
        let bytes = match read_regular_file(
            &path,
            MAX_CSV_BYTES,
            "; an hourly CSV needs about 30 bytes a row",
        ) {
            Ok(b) => b,
            Err(e) => {
                self.err(
                    p,
                    format!(
                        "cannot read \"{shown}\": {e} (paths are relative to the scenario file)"
                    ),
                );
                return None;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            self.err(
                p,
                format!("\"{shown}\" is not UTF-8 text; save it as UTF-8 CSV"),
            );
            return None;
        };
        let located = |line: u64, message: String| Issue {
            location: Location::File {
                file: shown.clone(),
                line: line as usize,
                column: 1,
            },
            field: p.to_string(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.problems
                    .located
                    .push(located(1, format!("not a CSV file: {e}")));
                return None;
            }
        };
        let (Some(ti), Some(vi)) = (
            headers.iter().position(|h| h == "timestamp"),
            headers.iter().position(|h| h == value_key),
        ) else {
            self.problems.located.push(located(
                1,
                format!("the header must have columns `timestamp` and `{value_key}`"),
            ));
            return None;
        };
        let start = self.calendar.datetime(SimTime::ZERO);
        let mut points: Vec<(SimTime, f64)> = Vec::new();
        let mut last: Option<NaiveDateTime> = None;
        let errors_before = self.problems.located.len();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.problems
                        .located
                        .push(located(line, format!("unreadable row: {e}")));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            let stamp = record.get(ti).unwrap_or_default();
            let stamp_q = quote_short(stamp);
            let Some(dt) = parse_timestamp(stamp) else {
                self.problems.located.push(located(
                    line,
                    format!("timestamp \"{stamp_q}\" is not like \"2026-01-01 13:00\""),
                ));
                continue;
            };
            if dt.time().minute() != 0 || dt.time().second() != 0 || dt.time().nanosecond() != 0 {
                self.problems.located.push(located(
                    line,
                    format!(
                        "timestamp \"{stamp_q}\" is not on the hour; values of an hourly CSV change on whole hours (write {})",
                        dt.format("%Y-%m-%d %H:00")
                    ),
                ));
                continue;
            }
            let raw = record.get(vi).unwrap_or_default();
            let raw_q = quote_short(raw);
            let value: f64 = match raw.parse::<f64>() {
                Ok(v)
                    if v.is_finite() && v.abs() <= MAX_MAGNITUDE && (!non_negative || v >= 0.0) =>
                {
                    v
                }
                Ok(v) if v.is_finite() && v.abs() > MAX_MAGNITUDE => {
                    self.problems.located.push(located(
                        line,
                        format!(
                            "`{value_key}` {} is beyond any plausible value (the limit is ±{MAX_MAGNITUDE:e}, as in the scenario file); check the unit in the column name",
                            number(v)
                        ),
                    ));
                    continue;
                }
                _ => {
                    self.problems.located.push(located(
                        line,
                        format!(
                            "`{value_key}` must be a finite number{}, found \"{raw_q}\"",
                            if non_negative { " ≥ 0" } else { "" }
                        ),
                    ));
                    continue;
                }
            };
            if last.is_some_and(|l| dt <= l) {
                self.problems.located.push(located(
                    line,
                    format!("timestamps must increase; {stamp_q} is not after the row before"),
                ));
                continue;
            }
            last = Some(dt);
            let t = if dt <= start {
                SimTime::ZERO
            } else {
                SimTime(((dt - start).num_microseconds().unwrap_or(i64::MAX)) as u64)
            };
            // Rows at or before the start: only the latest applies.
            if t == SimTime::ZERO {
                points.clear();
            }
            points.push((t, value));
        }
        if self.problems.located.len() != errors_before {
            return None;
        }
        match points.first() {
            Some((t, _)) if *t == SimTime::ZERO => Some(points),
            Some(_) => {
                self.problems.located.push(located(
                    2,
                    format!("the first row must be at or before the scenario start ({start})"),
                ));
                None
            }
            None => {
                self.problems
                    .located
                    .push(located(1, "the file has no data rows".into()));
                None
            }
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

/// A number for a message: plain when short, `1e300` when huge or tiny.
pub fn number(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e12).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, fmt) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Most jobs one `[[traces]]` file may give.
pub const MAX_TRACE_JOBS: usize = 1_000_000;

/// Columns of the generic trace CSV.
const TRACE_COLUMNS: [&str; 5] = ["submit", "chips", "ideal_duration", "flops", "name"];

/// A trace's defaults, validated, applied to each of its rows.
struct TraceDefaults {
    name: String,
    rack: Option<usize>,
    /// Alibaba: GPU model named in `gpu_spec` → rack type index.
    gpu_racks: BTreeMap<String, usize>,
    mfu: f64,
    checkpoint_time: SimDuration,
    restart_overhead: SimDuration,
    fixed_every: Option<SimDuration>,
    priority: i32,
}

/// A trace row's work.
enum RowWork {
    Ideal(SimDuration),
    Flops(f64),
}

/// One admitted trace row.
struct TraceRow {
    line: u64,
    name: String,
    rack: usize,
    chips: u32,
    submit: SimTime,
    work: RowWork,
}

/// A number of a trace column: finite, within ±[`MAX_MAGNITUDE`] as TOML
/// values are, and at least 0.
fn trace_number(raw: &str, column: &str) -> Result<f64, String> {
    let raw_q = quote_short(raw);
    match raw.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&x) => Ok(x),
        Ok(x) if x.is_finite() && x > MAX_MAGNITUDE => Err(format!(
            "`{column}` {} is beyond any plausible value (the limit is {MAX_MAGNITUDE:e}, as in the scenario file)",
            number(x)
        )),
        _ => Err(format!(
            "`{column}` must be a finite number ≥ 0, found \"{raw_q}\""
        )),
    }
}

/// A whole count of a trace column (at most `u32::MAX`).
fn trace_count(raw: &str, column: &str) -> Result<u32, String> {
    let raw_q = quote_short(raw);
    raw.parse::<u32>().map_err(|_| {
        format!(
            "`{column}` must be a whole number from 0 to {}, found \"{raw_q}\"",
            u32::MAX
        )
    })
}

impl Validator<'_> {
    /// The `[[traces]]`: each file read and every admitted row made a job.
    /// A trace with any problem gives no job (and is reported, its rows
    /// located at their lines). `names` holds the jobs' names so far
    /// (lowercase); trace jobs' names are added.
    fn traces(
        &mut self,
        specs: &[TraceSpec],
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
        failures: Option<&[FailureClass]>,
        names: &mut BTreeSet<String>,
    ) -> (Vec<Job>, Vec<TraceReport>) {
        let root = FieldPath::default().key("traces");
        let mut reports = Vec::new();
        let most = most_domains(rack_types, sites);
        let built: Vec<&str> = rack_types.iter().map(|t| t.rack.name.as_str()).collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        for (i, t) in specs.iter().enumerate() {
            let p = root.index(i);
            let before = self.problems.by_path.len() + self.problems.located.len();
            if t.name.trim().is_empty() {
                self.err(
                    &p.key("name"),
                    "a trace needs a name, e.g. name = \"replay\"",
                );
            } else if !seen.insert(t.name.to_lowercase()) {
                self.err(
                    &p.key("name"),
                    format!(
                        "another trace is already named \"{}\" (compared without case); names must be unique",
                        t.name
                    ),
                );
            }
            let alibaba = match t.format.as_deref() {
                None | Some("csv") => Some(false),
                Some("alibaba") => Some(true),
                Some(other) => {
                    let other_q = quote_short(other);
                    let hint = did_you_mean_value(other, ["csv", "alibaba"]);
                    self.err(
                        &p.key("format"),
                        format!(
                            "unknown trace format \"{other_q}\"{hint}; give \"csv\" or \"alibaba\""
                        ),
                    );
                    None
                }
            };
            let rack = match &t.rack {
                Some(r) => self.job_rack(&p.key("rack"), r, &built, catalog),
                None => {
                    if alibaba == Some(true) {
                        self.err(
                            &p.key("rack"),
                            format!(
                                "an Alibaba replay needs the rack model its tasks run on, e.g. rack = \"{}\"",
                                built.first().copied().unwrap_or("hgx-h100")
                            ),
                        );
                    }
                    None
                }
            };
            let gpu_racks = self.gpu_racks(&p.key("racks"), t, alibaba, &built, catalog);
            let mfu = self.job_mfu(&p.key("mfu"), t.mfu);
            let (checkpoint_time, restart_overhead) =
                self.job_pauses(&p, &t.checkpoint_time, &t.restart_overhead);
            let every_text = t.checkpoint_every.as_deref().unwrap_or("2h");
            let fixed_every = if every_text == YOUNG_DALY {
                None
            } else {
                self.positive_duration(&p.key("checkpoint_every"), every_text)
            };
            let ok = self.problems.by_path.len() + self.problems.located.len() == before;
            let (true, Some(alibaba), Some(mfu), Some(checkpoint_time), Some(restart_overhead)) =
                (ok, alibaba, mfu, checkpoint_time, restart_overhead)
            else {
                continue;
            };
            let Some((shown, text)) = self.read_trace(&p.key("file"), &t.file) else {
                continue;
            };
            let defaults = TraceDefaults {
                name: t.name.clone(),
                rack,
                gpu_racks,
                mfu,
                checkpoint_time,
                restart_overhead,
                fixed_every,
                priority: t.priority.unwrap_or(0),
            };
            let fp = p.key("file");
            let rows = if alibaba {
                self.alibaba_rows(&fp, &shown, &text, &defaults, rack_types, &most)
            } else {
                self.csv_rows(&fp, &shown, &text, &defaults, rack_types, &built, &most)
                    .map(|rows| (rows, [0; 5]))
            };
            let Some((rows, skipped)) = rows else {
                continue;
            };
            let report = TraceReport {
                name: t.name.clone(),
                file: shown.clone(),
                jobs: rows.len() as u64,
                skipped_cpu_only: skipped[0],
                skipped_gpu_sharing: skipped[1],
                skipped_pending: skipped[2],
                skipped_zero_length: skipped[3],
                skipped_after_end: skipped[4],
            };
            let mut jobs = Vec::with_capacity(rows.len());
            let mut every_of: BTreeMap<(usize, u32), Option<SimDuration>> = BTreeMap::new();
            let errors_before = self.problems.located.len() + self.problems.by_path.len();
            for row in rows {
                if !names.insert(row.name.to_lowercase()) {
                    self.problems.located.push(Issue {
                        location: Location::File {
                            file: shown.clone(),
                            line: row.line as usize,
                            column: 1,
                        },
                        field: fp.to_string(),
                        message: format!(
                            "another job is already named \"{}\" (names are compared without case); job names must be unique",
                            row.name
                        ),
                    });
                    continue;
                }
                let rt = &rack_types[row.rack];
                let every = match defaults.fixed_every {
                    Some(e) => Some(e),
                    None => *every_of.entry((row.rack, row.chips)).or_insert_with(|| {
                        self.young_daly_interval(
                            &p.key("checkpoint_every"),
                            failures,
                            Some(rt),
                            Some(row.chips),
                            Some(defaults.checkpoint_time),
                        )
                    }),
                };
                let Some(every) = every else { break };
                let mut job = Job {
                    name: row.name,
                    submit: row.submit,
                    rack_type: row.rack,
                    chips: row.chips,
                    domains: row.chips / rt.rack.scaleup_domain.max(1),
                    work: 0.0,
                    mfu: defaults.mfu,
                    checkpoint_every: every,
                    checkpoint_time: defaults.checkpoint_time,
                    restart_overhead: defaults.restart_overhead,
                    priority: defaults.priority,
                    comm: None,
                    tokens: None,
                    multi_site: false,
                };
                job.work = match row.work {
                    RowWork::Ideal(d) => d.seconds() * job.full_rate(rt),
                    RowWork::Flops(f) => f,
                };
                jobs.push(job);
            }
            if self.problems.located.len() + self.problems.by_path.len() == errors_before {
                out.extend(jobs);
                reports.push(report);
            }
        }
        (out, reports)
    }

    /// A trace's `[traces.racks]` table (GPU model of `gpu_spec` → rack
    /// model), each rack model checked; only for `format = "alibaba"`.
    /// `alibaba` is `None` when the format itself was refused.
    fn gpu_racks(
        &mut self,
        p: &FieldPath,
        t: &TraceSpec,
        alibaba: Option<bool>,
        built: &[&str],
        catalog: &Catalog,
    ) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        let Some(table) = &t.racks else {
            return out;
        };
        if alibaba == Some(false) {
            self.err(
                p,
                "`racks` maps the GPU models of an Alibaba trace's `gpu_spec` column to rack models; \
                 a generic CSV names a row's rack model in its own `rack` column instead: remove \
                 `racks`, or set format = \"alibaba\"",
            );
            return out;
        }
        for (model, rack) in table {
            let pk = p.key(model);
            let model_q = quote_short(model);
            if model.trim().is_empty() || model.contains('|') {
                self.err(
                    &pk,
                    format!(
                        "\"{model_q}\" is not a GPU model name; a key is one model as `gpu_spec` lists it, e.g. V100M32 = \"{}\"",
                        built.first().copied().unwrap_or("hgx-h100")
                    ),
                );
                continue;
            }
            if let Some(r) = self.job_rack(&pk, rack, built, catalog) {
                out.insert(model.clone(), r);
            }
        }
        out
    }

    /// Reads a trace file (relative to the scenario file) as UTF-8 text:
    /// its name as shown and its text.
    fn read_trace(&mut self, p: &FieldPath, file: &str) -> Option<(String, String)> {
        let path = self.input_path(p, file);
        let shown = path.display().to_string();
        let bytes =
            match read_regular_file(&path, MAX_CSV_BYTES, "; a trace needs about 50 bytes a row") {
                Ok(b) => b,
                Err(e) => {
                    self.err(
                        p,
                        format!(
                            "cannot read \"{shown}\": {e} (paths are relative to the scenario file)"
                        ),
                    );
                    return None;
                }
            };
        match String::from_utf8(bytes) {
            Ok(text) => Some((shown, text)),
            Err(_) => {
                self.err(
                    p,
                    format!("\"{shown}\" is not UTF-8 text; save it as UTF-8 CSV"),
                );
                None
            }
        }
    }

    /// Pushes a problem located at `line` of trace file `shown`.
    fn at_line(&mut self, p: &FieldPath, shown: &str, line: u64, message: String) {
        self.problems.located.push(Issue {
            location: Location::File {
                file: shown.to_string(),
                line: line as usize,
                column: 1,
            },
            field: p.to_string(),
            message,
        });
    }

    /// The header and records of a trace CSV; `None` (reported) when it
    /// has no readable header or lacks a required column.
    fn trace_reader<'t>(
        &mut self,
        p: &FieldPath,
        shown: &str,
        text: &'t str,
        required: &[&str],
    ) -> Option<(csv::StringRecord, csv::Reader<&'t [u8]>)> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.at_line(p, shown, 1, format!("not a CSV file: {e}"));
                return None;
            }
        };
        if let Some(twice) = headers
            .iter()
            .enumerate()
            .find_map(|(i, h)| headers.iter().take(i).any(|g| g == h).then_some(h))
        {
            self.at_line(
                p,
                shown,
                1,
                format!(
                    "the header names the column `{}` twice; give each column once",
                    quote_short(twice)
                ),
            );
            return None;
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !headers.iter().any(|h| h == *c))
            .collect();
        if !missing.is_empty() {
            self.at_line(
                p,
                shown,
                1,
                format!(
                    "the header lacks the column(s) {} (required: {})",
                    missing.join(", "),
                    required.join(", ")
                ),
            );
            return None;
        }
        Some((headers, reader))
    }

    /// The rows of a generic trace CSV, each checked; `None` when any row
    /// is refused (each located at its line).
    #[allow(clippy::too_many_arguments)]
    fn csv_rows(
        &mut self,
        p: &FieldPath,
        shown: &str,
        text: &str,
        d: &TraceDefaults,
        rack_types: &[RackType],
        built: &[&str],
        most: &[u64],
    ) -> Option<Vec<TraceRow>> {
        let (headers, mut reader) = self.trace_reader(p, shown, text, &[])?;
        let col = |name: &str| headers.iter().position(|h| h == name);
        for h in headers.iter() {
            let h_q = quote_short(h);
            if !TRACE_COLUMNS.contains(&h) && h != "rack" {
                let hint = did_you_mean_value(h, TRACE_COLUMNS.iter().copied().chain(["rack"]));
                self.at_line(
                    p,
                    shown,
                    1,
                    format!(
                        "unknown column `{h_q}`{hint} (columns: submit, chips, ideal_duration or flops, name, rack)"
                    ),
                );
                return None;
            }
        }
        if col("submit").is_none() || col("chips").is_none() {
            self.at_line(
                p,
                shown,
                1,
                "the header needs the columns `submit` and `chips`".into(),
            );
            return None;
        }
        if col("ideal_duration").is_none() && col("flops").is_none() {
            self.at_line(
                p,
                shown,
                1,
                "the header needs a column `ideal_duration` or `flops` (the job's work)".into(),
            );
            return None;
        }
        let (si, ci) = (col("submit")?, col("chips")?);
        let (di, fi, ni, ri) = (
            col("ideal_duration"),
            col("flops"),
            col("name"),
            col("rack"),
        );
        let errors_before = self.problems.located.len();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.at_line(p, shown, line, format!("unreadable row: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            if rows.len() >= MAX_TRACE_JOBS {
                self.at_line(
                    p,
                    shown,
                    line,
                    format!("a trace gives at most {MAX_TRACE_JOBS} jobs; split the file"),
                );
                break;
            }
            match self.csv_row(
                line,
                &record,
                (si, ci, di, fi, ni, ri),
                d,
                rack_types,
                built,
                most,
            ) {
                Ok(row) => rows.push(row),
                Err(message) => self.at_line(p, shown, line, message),
            }
        }
        (self.problems.located.len() == errors_before).then_some(rows)
    }

    /// One row of a generic trace CSV.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn csv_row(
        &self,
        line: u64,
        record: &csv::StringRecord,
        (si, ci, di, fi, ni, ri): (
            usize,
            usize,
            Option<usize>,
            Option<usize>,
            Option<usize>,
            Option<usize>,
        ),
        d: &TraceDefaults,
        rack_types: &[RackType],
        built: &[&str],
        most: &[u64],
    ) -> Result<TraceRow, String> {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let submit_text = get(Some(si));
        let submit_text_q = quote_short(submit_text);
        let offset = parse_duration(submit_text)
            .map_err(|e| format!("`submit` is an offset from the start of the run: {e}"))?;
        let submit = SimTime::ZERO
            .checked_add(offset)
            .filter(|t| *t < self.end)
            .ok_or_else(|| {
                format!("`submit` {submit_text_q} after the start is past the end of the run")
            })?;
        let chips_text = get(Some(ci));
        let chips = trace_count(chips_text, "chips")?;
        if chips == 0 {
            return Err("`chips` must be at least 1, found 0".into());
        }
        let rack_text = get(ri);
        let rack_text_q = quote_short(rack_text);
        let rack = if rack_text.is_empty() {
            d.rack.ok_or_else(|| {
                "the row names no rack model and the trace gives no `rack`; add one to either"
                    .to_string()
            })?
        } else {
            built.iter().position(|n| *n == rack_text).ok_or_else(|| {
                let hint = did_you_mean_value(rack_text, built.iter().copied());
                format!(
                    "no built rack model is named \"{rack_text_q}\"{hint} (built: {})",
                    built.join(", ")
                )
            })?
        };
        domains_of(chips, &rack_types[rack], most[rack], false)?;
        let (ideal, flops) = (get(di), get(fi));
        let work = match (ideal.is_empty(), flops.is_empty()) {
            (false, true) => {
                let t = parse_duration(ideal).map_err(|e| format!("`ideal_duration`: {e}"))?;
                if t.0 == 0 {
                    return Err("`ideal_duration` must be longer than 0".into());
                }
                RowWork::Ideal(t)
            }
            (true, false) => {
                // Held to the bound of the TOML `flops` key.
                let f = flops.parse::<f64>().unwrap_or(f64::NAN);
                if !f.is_finite() || f <= 0.0 || f > MAX_JOB_QUANTITY {
                    return Err(format!(
                        "`flops` must be greater than 0 and at most {MAX_JOB_QUANTITY:e}, found \"{}\"",
                        quote_short(flops)
                    ));
                }
                RowWork::Flops(f)
            }
            _ => {
                return Err(
                    "give the job's work one way: `ideal_duration` or `flops`, exactly one of them non-empty".into(),
                );
            }
        };
        let name = get(ni);
        let name = if name.is_empty() {
            format!("{}-{line}", d.name)
        } else {
            name.to_string()
        };
        Ok(TraceRow {
            line,
            name,
            rack,
            chips,
            submit,
            work,
        })
    }

    /// The admitted rows of an Alibaba GPU v2023 task list (see the
    /// README): a task becomes a job when it asks for whole GPUs
    /// (`num_gpu` ≥ 1 and `gpu_milli` = 1000), was scheduled, ran for a
    /// positive time (`deletion_time` > `scheduled_time`) and was created
    /// before the end of the run. Its rack model is the trace's `rack` when
    /// `gpu_spec` is empty or absent, else that of the first GPU model it
    /// lists that `[traces.racks]` maps. Malformed rows, rows whose GPU
    /// models are not mapped and tasks larger than one rack of their model
    /// are located errors.
    fn alibaba_rows(
        &mut self,
        p: &FieldPath,
        shown: &str,
        text: &str,
        d: &TraceDefaults,
        rack_types: &[RackType],
        most: &[u64],
    ) -> Option<(Vec<TraceRow>, [u64; 5])> {
        let required = [
            "name",
            "num_gpu",
            "gpu_milli",
            "creation_time",
            "deletion_time",
            "scheduled_time",
        ];
        let (headers, mut reader) = self.trace_reader(p, shown, text, &required)?;
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or(0);
        let [ni, gi, mi, ci, di, si] = required.map(col);
        let spec_col = headers.iter().position(|h| h == "gpu_spec");
        let default_rack = d.rack?;
        let errors_before = self.problems.located.len();
        let mut rows = Vec::new();
        let mut skipped = [0u64; 5];
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.at_line(p, shown, line, format!("unreadable row: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            if rows.len() >= MAX_TRACE_JOBS {
                self.at_line(
                    p,
                    shown,
                    line,
                    format!("a trace gives at most {MAX_TRACE_JOBS} jobs; split the file"),
                );
                break;
            }
            let get = |i: usize| record.get(i).unwrap_or("");
            let row = (|| -> Result<Result<TraceRow, usize>, String> {
                let gpus = trace_count(get(gi), "num_gpu")?;
                let milli = trace_count(get(mi), "gpu_milli")?;
                let created = trace_number(get(ci), "creation_time")?;
                let deleted = trace_number(get(di), "deletion_time")?;
                let scheduled = match get(si) {
                    "" => None,
                    raw => Some(trace_number(raw, "scheduled_time")?),
                };
                // Skipped by the first rule a row fails, in the README's order.
                if gpus == 0 {
                    return Ok(Err(0));
                }
                if milli != 1000 {
                    return Ok(Err(1));
                }
                let Some(scheduled) = scheduled else {
                    return Ok(Err(2));
                };
                if deleted <= scheduled {
                    return Ok(Err(3));
                }
                let submit = SimTime::ZERO.checked_add(SimDuration::from_secs_f64(created));
                let Some(submit) = submit.filter(|t| *t < self.end) else {
                    return Ok(Err(4));
                };
                let spec = spec_col.map_or("", get);
                let rack = match gpu_spec_rack(spec, gpus, &d.gpu_racks, rack_types)? {
                    Some(r) => r,
                    None if gpus > rack_types[default_rack].rack.chips => {
                        let r = &rack_types[default_rack].rack;
                        return Err(format!(
                            "`num_gpu` {gpus} is more than a rack of {} holds ({} chips): a task of this trace runs on one server, so give the trace's `rack` a rack model of at least {gpus} chips",
                            r.name, r.chips
                        ));
                    }
                    None => default_rack,
                };
                let rt = &rack_types[rack];
                let per = rt.rack.scaleup_domain.max(1);
                let chips = gpus
                    .checked_next_multiple_of(per)
                    .ok_or_else(|| format!("`num_gpu` {gpus} is too large"))?;
                domains_of(chips, rt, most[rack], false)?;
                let ideal = SimDuration::from_secs_f64(deleted - scheduled);
                Ok(Ok(TraceRow {
                    line,
                    name: format!("{}-{}", d.name, get(ni)),
                    rack,
                    chips,
                    submit,
                    work: RowWork::Ideal(ideal),
                }))
            })();
            match row {
                Ok(Ok(row)) => rows.push(row),
                Ok(Err(why)) => skipped[why] += 1,
                Err(message) => self.at_line(p, shown, line, message),
            }
        }
        (self.problems.located.len() == errors_before).then_some((rows, skipped))
    }
}

/// The rack type of an Alibaba row's `gpu_spec` (`"V100M16|V100M32"`: GPU
/// models separated by `|`) for a task of `gpus` GPUs: that of the first
/// listed model `racks` maps whose racks hold `gpus` chips (a task runs on
/// one server); `None` for an empty spec (any GPU: the trace's `rack`); an
/// error naming the fix when `racks` maps none of them or none that large.
fn gpu_spec_rack(
    spec: &str,
    gpus: u32,
    racks: &BTreeMap<String, usize>,
    rack_types: &[RackType],
) -> Result<Option<usize>, String> {
    let spec_q = quote_short(spec);
    let models: Vec<&str> = spec
        .split('|')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    let Some(first) = models.first() else {
        return Ok(None);
    };
    let first = quote_short(first);
    let mapped: Vec<(&str, usize)> = models
        .iter()
        .filter_map(|m| racks.get(*m).map(|r| (*m, *r)))
        .collect();
    if let Some((_, r)) = mapped
        .iter()
        .find(|(_, r)| rack_types[*r].rack.chips >= gpus)
    {
        return Ok(Some(*r));
    }
    if let Some((model, _)) = mapped.first() {
        let model = quote_short(model);
        let sizes: Vec<String> = mapped
            .iter()
            .map(|(m, r)| {
                let rack = &rack_types[*r].rack;
                format!("{m} → {}: {} chips", rack.name, rack.chips)
            })
            .collect();
        return Err(format!(
            "`num_gpu` {gpus} is more than a rack holds of any model `gpu_spec` \"{spec_q}\" maps to ({}): a task of this trace runs on one server, so map {model} in [traces.racks] to a rack model of at least {gpus} chips",
            sizes.join(", ")
        ));
    }
    if racks.is_empty() {
        return Err(format!(
            "`gpu_spec` \"{spec_q}\" asks for GPU models and the trace maps none to a rack model; add a table [traces.racks] to this [[traces]] entry, e.g. {first} = \"<rack model>\""
        ));
    }
    Err(format!(
        "`gpu_spec` \"{spec_q}\" names no GPU model that [traces.racks] maps (it maps {}); add e.g. {first} = \"<rack model>\" to [traces.racks]",
        racks
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The scale-up domains `chips` chips of `rack` make: a whole number, at
/// most `most` (what one site ever holds); else why not.
fn domains_of(chips: u32, rack: &RackType, most: u64, multi_site: bool) -> Result<u32, String> {
    let per = rack.rack.scaleup_domain.max(1);
    let name = &rack.rack.name;
    if !chips.is_multiple_of(per) {
        let up = chips.div_ceil(per) * per;
        Err(format!(
            "{chips} chips is not a whole number of {name}'s scale-up domains of {per} chips; jobs hold whole domains, e.g. chips = {up}"
        ))
    } else if multi_site && u64::from(chips / per) > most {
        Err(format!(
            "{chips} chips ({} domains of {per}) is more than all sites together ever hold of {name} (at most {} chips); the job would wait forever",
            chips / per,
            most * u64::from(per)
        ))
    } else if u64::from(chips / per) > most {
        Err(format!(
            "{chips} chips ({} domains of {per}) is more than any site ever holds of {name} (at most {} chips at one site); the job would wait forever",
            chips / per,
            most * u64::from(per)
        ))
    } else {
        Ok(chips / per)
    }
}

/// A job's all-reduce fields as given.
struct CommSpec<'a> {
    batch_tokens: Option<f64>,
    steps: Option<f64>,
    step_time: Option<&'a str>,
    /// Given, or `2 · params`.
    gradient_bytes: Option<f64>,
    gradient_bytes_given: bool,
    data_parallel: Option<u32>,
    overlap: Option<f64>,
    tokens: Option<f64>,
}

/// Domains of each rack model all sites together build over the run.
fn total_domains(rack_types: &[RackType], sites: &[Site]) -> Vec<u64> {
    let mut total = vec![0u64; rack_types.len()];
    for phase in sites.iter().flat_map(|s| &s.phases) {
        let r = &rack_types[phase.rack_type].rack;
        total[phase.rack_type] +=
            u64::from(phase.count) * u64::from(r.chips / r.scaleup_domain.max(1));
    }
    total
}

/// Most domains of each rack model one site builds over the run.
fn most_domains(rack_types: &[RackType], sites: &[Site]) -> Vec<u64> {
    let mut most = vec![0u64; rack_types.len()];
    for site in sites {
        let mut here = vec![0u64; rack_types.len()];
        for phase in &site.phases {
            let r = &rack_types[phase.rack_type].rack;
            here[phase.rack_type] +=
                u64::from(phase.count) * u64::from(r.chips / r.scaleup_domain.max(1));
        }
        for (m, h) in most.iter_mut().zip(here) {
            *m = (*m).max(h);
        }
    }
    most
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

    #[test]
    fn timestamps_in_several_forms() {
        let a = parse_timestamp("2026-01-01 13:00").unwrap();
        assert_eq!(parse_timestamp("2026-01-01T13:00:00"), Some(a));
        assert!(parse_timestamp("2026-01-01").is_some());
        assert!(parse_timestamp("yesterday").is_none());
    }
}
