//! Columns of the run's own files: `timeseries.csv`, `capacity.csv`,
//! `failures.csv`, `buildout.csv`, `summary.csv` and the training and
//! maintenance files (`jobs.csv`, `maintenance.csv`).

use super::*;

/// Columns of `timeseries.csv`.
pub const SAMPLE_COLUMNS: &[Column<SampleRow>] = &[
    col!("time_h", |r, l| l.fixed(r.time_h, 3)),
    col!("timestamp", Text, |r, l| l.text(&r.timestamp)),
    col!("site", Text, |r, l| l.text(&r.site)),
    col!("racks_online", |r, l| l.int(r.racks_online.into())),
    col!("racks_deferred", |r, l| l.int(r.racks_deferred.into())),
    col!("chips_online", |r, l| l.int(r.chips_online)),
    col!("chips_healthy", |r, l| l.int(r.chips_healthy)),
    col!("chips_failed", |r, l| l.int(r.chips_failed)),
    col!("chips_in_repair", |r, l| l.int(r.chips_in_repair)),
    col!("spare_nodes", |r, l| l.int(r.spare_nodes)),
    col!("links_down", |r, l| l.int(r.links_down.into())),
    col!("grid_mw", |r, l| l.fixed(r.grid_mw, 3)),
    col!("it_power_mw", |r, l| l.fixed(r.it_power_mw, 6)),
    col!("facility_power_mw", |r, l| l.fixed(r.facility_power_mw, 6)),
    col!("pue", |r, l| l.fixed(r.pue, 4)),
    col!("power_cap_factor", |r, l| l.fixed(r.power_cap_factor, 6)),
    col!("it_energy_mwh", |r, l| l.fixed(r.it_energy_mwh, 6)),
    col!("energy_mwh", |r, l| l.fixed(r.energy_mwh, 6)),
    col!("energy_cost_usd", |r, l| l.fixed(r.energy_cost_usd, 2)),
    col!("carbon_tco2e", |r, l| l.fixed(r.carbon_tco2e, 6)),
    col!("throttled_chip_hours", |r, l| l
        .fixed(r.throttled_chip_hours, 3)),
    col!("throttle_lost_chip_hours", |r, l| l
        .fixed(r.throttle_lost_chip_hours, 3)),
    col!("failures_gpu", |r, l| l.int(r.failures[0])),
    col!("failures_hbm", |r, l| l.int(r.failures[1])),
    col!("failures_gpu_other", |r, l| l.int(r.failures[2])),
    col!("failures_host", |r, l| l.int(r.failures[3])),
    col!("failures_nic", |r, l| l.int(r.failures[4])),
    col!("failures_switch_cable", |r, l| l.int(r.failures[5])),
    col!("failures_rack_power", |r, l| l.int(r.failures[6])),
    col!("failures_site_outage", |r, l| l.int(r.failures[7])),
    col!("failures_dci_link", |r, l| l.int(r.failures[8])),
];

/// One column of `capacity.csv`: its header and how the value of one rack
/// model of a sample row is written.
pub struct RackColumn {
    /// Header name, with its unit.
    pub name: &'static str,
    /// Number or text.
    pub kind: Kind,
    /// Writes the value of this column for one rack model of a sample.
    pub put: fn(&SampleRow, &RackSample, &mut Line),
}

macro_rules! rack_col {
    ($name:literal, |$s:ident, $r:ident, $l:ident| $body:expr) => {
        rack_col!($name, Number, |$s, $r, $l| $body)
    };
    ($name:literal, $kind:ident, |$s:ident, $r:ident, $l:ident| $body:expr) => {
        RackColumn {
            name: $name,
            kind: Kind::$kind,
            put: |$s, $r, $l| $body,
        }
    };
}

/// Columns of `capacity.csv`: the sample's time and site, then one rack
/// model's figures (chip-hours with 6 decimals, to 3.6 chip-milliseconds,
/// so that sums over rows keep their precision).
pub const CAPACITY_COLUMNS: &[RackColumn] = &[
    rack_col!("time_h", |s, _r, l| l.fixed(s.time_h, 3)),
    rack_col!("timestamp", Text, |s, _r, l| l.text(&s.timestamp)),
    rack_col!("site", Text, |s, _r, l| l.text(&s.site)),
    rack_col!("rack", Text, |_s, r, l| l.text(&r.rack)),
    rack_col!("chip", Text, |_s, r, l| l.text(&r.chip)),
    rack_col!("racks_online", |_s, r, l| l.int(r.racks_online.into())),
    rack_col!("chips_online", |_s, r, l| l.int(r.chips_online)),
    rack_col!("it_nameplate_mw", |_s, r, l| l.fixed(r.it_nameplate_mw, 6)),
    rack_col!("online_chip_hours", |_s, r, l| l
        .fixed(r.online_chip_hours, 6)),
    rack_col!("healthy_chip_hours", |_s, r, l| l
        .fixed(r.healthy_chip_hours, 6)),
    rack_col!("held_chip_hours", |_s, r, l| l.fixed(r.held_chip_hours, 6)),
];

/// An optional training figure of a sample: empty without one.
pub(super) fn sample_training(l: &mut Line, r: &SampleRow, put: fn(&TrainingSample, &mut Line)) {
    match &r.training {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

/// The column `timeseries.csv` adds after the others in a scenario with
/// `[[maintenance]]`: online chips dark for planned maintenance (healthy
/// nodes of racks a window holds dark), not counted in `chips_in_repair`.
pub const MAINTENANCE_SAMPLE_COLUMNS: &[Column<SampleRow>] =
    &[col!("chips_maintenance", |r, l| l.int(r.chips_maintenance))];

/// Columns appended to `timeseries.csv` in scenarios with training jobs.
pub const TRAINING_SAMPLE_COLUMNS: &[Column<SampleRow>] = &[
    col!("training_chips", |r, l| sample_training(l, r, |t, l| l
        .int(t.chips))),
    col!("training_jobs_running", |r, l| sample_training(
        l,
        r,
        |t, l| l.int(t.jobs_running.into())
    )),
    col!("training_jobs_waiting", |r, l| sample_training(
        l,
        r,
        |t, l| l.int(t.jobs_waiting.into())
    )),
    col!("training_jobs_queued_fleet", |r, l| sample_training(
        l,
        r,
        |t, l| l.int(t.jobs_queued_fleet.into())
    )),
    col!("training_flops", |r, l| sample_training(l, r, |t, l| l
        .sci(t.flops))),
    col!("training_flops_lost", |r, l| sample_training(
        l,
        r,
        |t, l| l.sci(t.flops_lost)
    )),
    col!("training_scaleout_tb", |r, l| sample_training(
        l,
        r,
        |t, l| l.fixed(t.scaleout_bytes / 1e12, 6)
    )),
];

/// Columns of `failures.csv`.
pub const FAILURE_COLUMNS: &[Column<FailureRow>] = &[
    col!("time_h", |r, l| l.fixed(r.time_h, 6)),
    col!("timestamp", Text, |r, l| l.text(&r.timestamp)),
    col!("site", Text, |r, l| l.text(&r.site)),
    col!("class", Text, |r, l| l.text(r.class.key())),
    col!("component", Text, |r, l| l.text(&r.component)),
    col!("rack", Text, |r, l| l.text(&r.rack)),
    col!("chips_down", |r, l| l.int(r.chips_down)),
    col!("remedy", Text, |r, l| l.text(r.remedy.key())),
    col!("downtime_h", |r, l| l.fixed(r.downtime_h, 4)),
    col!("age_h", |r, l| l.fixed(r.age_h, 4)),
];

/// Columns of `buildout.csv`.
pub const BUILDOUT_COLUMNS: &[Column<BuildoutRow>] = &[
    col!("site", Text, |r, l| l.text(&r.site)),
    col!("phase", |r, l| l.int(r.phase as u64)),
    col!("rack", Text, |r, l| l.text(&r.rack)),
    col!("racks", |r, l| l.int(r.racks.into())),
    col!("chips", |r, l| l.int(r.chips)),
    col!("planned", Text, |r, l| l.text(&r.planned)),
    col!("delivered", Text, |r, l| l.text(&r.delivered)),
    col!("commissioned", Text, |r, l| l.text(&r.commissioned)),
    col!("status", Text, |r, l| l.text(r.status.key())),
    col!("deferred_days", |r, l| l.fixed(r.deferred_days, 3)),
    col!("nameplate_mw", |r, l| l.fixed(r.nameplate_mw, 6)),
];

/// Columns of `summary.csv`.
pub const SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("scenario", Text, |r, l| l.text(&r.scenario)),
    col!("seed", |r, l| l.int(r.seed)),
    col!("sites", |r, l| l.int(r.sites as u64)),
    col!("start", Text, |r, l| l.text(&r.start)),
    col!("end", Text, |r, l| l.text(&r.end)),
    col!("hours", |r, l| l.fixed(r.hours, 3)),
    col!("racks_commissioned", |r, l| l.int(r.racks_commissioned)),
    col!("racks_refused", |r, l| l.int(r.racks_refused)),
    col!("racks_deferred_at_end", |r, l| l
        .int(r.racks_deferred_at_end)),
    col!("peak_chips_online", |r, l| l.int(r.peak_chips_online)),
    col!("chips_online_at_end", |r, l| l.int(r.chips_online_at_end)),
    col!("availability", |r, l| l.fixed(r.availability, 6)),
    col!("it_energy_mwh", |r, l| l.fixed(r.it_energy_mwh, 6)),
    col!("energy_mwh", |r, l| l.fixed(r.energy_mwh, 6)),
    col!("peak_facility_mw", |r, l| l.fixed(r.peak_facility_mw, 6)),
    col!("energy_cost_usd", |r, l| l.fixed(r.energy_cost_usd, 2)),
    col!("carbon_tco2e", |r, l| l.fixed(r.carbon_tco2e, 6)),
    col!("throttled_chip_hours", |r, l| l
        .fixed(r.throttled_chip_hours, 3)),
    col!("throttle_lost_chip_hours", |r, l| l
        .fixed(r.throttle_lost_chip_hours, 3)),
    col!("failures_total", |r, l| l.int(r.failures_total())),
    col!("failures_gpu", |r, l| l.int(r.failures[0])),
    col!("failures_hbm", |r, l| l.int(r.failures[1])),
    col!("failures_gpu_other", |r, l| l.int(r.failures[2])),
    col!("failures_host", |r, l| l.int(r.failures[3])),
    col!("failures_nic", |r, l| l.int(r.failures[4])),
    col!("failures_switch_cable", |r, l| l.int(r.failures[5])),
    col!("failures_rack_power", |r, l| l.int(r.failures[6])),
    col!("failures_site_outage", |r, l| l.int(r.failures[7])),
    col!("failures_dci_link", |r, l| l.int(r.failures[8])),
    col!("events", |r, l| l.int(r.events)),
];

/// An optional training figure of the summary: empty without one.
pub(super) fn summary_training(l: &mut Line, r: &SummaryRow, put: fn(&TrainingSummary, &mut Line)) {
    match &r.training {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

/// Columns appended to `summary.csv` in scenarios with training jobs.
pub const TRAINING_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("jobs", |r, l| summary_training(l, r, |t, l| l.int(t.jobs))),
    col!("jobs_completed", |r, l| summary_training(l, r, |t, l| l
        .int(t.jobs_completed))),
    col!("training_chip_hours", |r, l| summary_training(
        l,
        r,
        |t, l| l.fixed(t.chip_hours, 3)
    )),
    col!("ettr_mean", |r, l| summary_training(l, r, |t, l| l
        .fixed(t.ettr_mean, 6))),
    col!("ettr_p10", |r, l| summary_training(l, r, |t, l| l
        .fixed(t.ettr_p10, 6))),
    col!("job_interruptions", |r, l| summary_training(
        l,
        r,
        |t, l| l.int(t.interruptions)
    )),
    col!("lost_chip_hours", |r, l| summary_training(l, r, |t, l| l
        .fixed(t.lost_chip_hours, 3))),
    col!("queue_wait_mean_h", |r, l| summary_training(
        l,
        r,
        |t, l| l.fixed(t.queue_wait_mean_h, 6)
    )),
];

/// An optional number: empty when absent.
pub(super) fn maybe(l: &mut Line, x: Option<f64>, decimals: usize) {
    match x {
        Some(x) => l.fixed(x, decimals),
        None => l.text(""),
    }
}

/// Columns of `jobs.csv`.
pub const JOB_COLUMNS: &[Column<JobRow>] = &[
    col!("id", |r, l| l.int(r.id.into())),
    col!("name", Text, |r, l| l.text(&r.name)),
    col!("submit", Text, |r, l| l.text(&r.submit)),
    col!("submit_h", |r, l| l.fixed(r.submit_h, 6)),
    col!("first_start_h", |r, l| maybe(l, r.first_start_h, 6)),
    col!("end_h", |r, l| maybe(l, r.end_h, 6)),
    col!("queue_wait_h", |r, l| l.fixed(r.queue_wait_h, 6)),
    col!("chips", |r, l| l.int(r.chips.into())),
    col!("rack", Text, |r, l| l.text(&r.rack)),
    col!("chip", Text, |r, l| l.text(&r.chip)),
    col!("site", Text, |r, l| l.text(&r.site)),
    col!("status", Text, |r, l| l.text(r.status.key())),
    col!("interruptions", |r, l| l.int(r.interruptions_total())),
    col!("interruptions_gpu", |r, l| l.int(r.interruptions[0])),
    col!("interruptions_hbm", |r, l| l.int(r.interruptions[1])),
    col!("interruptions_gpu_other", |r, l| l.int(r.interruptions[2])),
    col!("interruptions_host", |r, l| l.int(r.interruptions[3])),
    col!("interruptions_nic", |r, l| l.int(r.interruptions[4])),
    col!("interruptions_switch_cable", |r, l| l
        .int(r.interruptions[5])),
    col!("interruptions_rack_power", |r, l| l.int(r.interruptions[6])),
    col!("interruptions_site_outage", |r, l| l
        .int(r.interruptions[7])),
    col!("interruptions_software", |r, l| l.int(r.interruptions[8])),
    col!("interruptions_retired", |r, l| l.int(r.interruptions[9])),
    col!("interruptions_preempted", |r, l| l.int(r.interruptions[10])),
    col!("lost_chip_hours", |r, l| l.fixed(r.lost_chip_hours, 6)),
    col!("checkpoint_hours", |r, l| l.fixed(r.checkpoint_hours, 6)),
    col!("restart_hours", |r, l| l.fixed(r.restart_hours, 6)),
    col!("ettr", |r, l| maybe(l, r.ettr, 6)),
    col!("flops_done", |r, l| l.sci(r.flops_done)),
    col!("tokens_trained", |r, l| match r.tokens_trained {
        Some(t) => l.sci(t),
        None => l.text(""),
    }),
];

/// The column `jobs.csv` adds after [`JOB_COLUMNS`] in a scenario with
/// `[[maintenance]]`: interruptions by planned maintenance (drained, no
/// work lost); they count in `interruptions` too.
pub const JOB_MAINTENANCE_COLUMNS: &[Column<JobRow>] = &[col!(
    "interruptions_maintenance",
    |r, l| l.int(r.interruptions[crate::record::Interruption::Maintenance.index()])
)];

/// Columns of `maintenance.csv`: one row per planned maintenance window as
/// it opens.
pub const MAINTENANCE_COLUMNS: &[Column<MaintenanceRow>] = &[
    col!("time_h", |r, l| l.fixed(r.time_h, 6)),
    col!("timestamp", Text, |r, l| l.text(&r.timestamp)),
    col!("site", Text, |r, l| l.text(&r.site)),
    col!("rack", Text, |r, l| l.text(&r.rack)),
    col!("racks", |r, l| l.int(r.racks.into())),
    col!("chips", |r, l| l.int(r.chips)),
    col!("held_chips", |r, l| l.int(r.held_chips)),
    col!("duration_h", |r, l| l.fixed(r.duration_h, 6)),
    col!("chip_hours", |r, l| l.fixed(r.chip_hours, 6)),
];

/// An optional number with `decimals` digits, or an empty field.
pub(super) fn opt_fixed(l: &mut Line, x: Option<f64>, decimals: usize) {
    match x {
        Some(x) => l.fixed(x, decimals),
        None => l.text(""),
    }
}

/// A count, or an empty cell.
pub(super) fn opt_int(l: &mut Line, x: Option<u64>) {
    match x {
        Some(x) => l.int(x),
        None => l.text(""),
    }
}

/// A finite number, or an empty cell (a latency of no request: every one
/// was rejected).
pub(super) fn finite_or_empty(l: &mut Line, x: f64, decimals: usize) {
    opt_fixed(l, x.is_finite().then_some(x), decimals);
}
