//! Columns of the run's own files: `timeseries.csv`, `capacity.csv`,
//! `failures.csv`, `buildout.csv`, `summary.csv` and the training and
//! maintenance files (`jobs.csv`, `maintenance.csv`).

use super::*;

columns! {
    /// Columns of `timeseries.csv`.
    pub const SAMPLE_COLUMNS: [Column<SampleRow>] in timeseries_base = [
        TIME_H = "time_h" in Hours => |r, l| l.fixed_repeating(r.time_h, 3),
        TIMESTAMP = "timestamp", Text => |r, l| l.date_time(r.timestamp),
        SITE = "site", Text => |r, l| l.text(&r.site),
        RACKS_ONLINE = "racks_online" => |r, l| l.int(r.racks_online.into()),
        RACKS_DEFERRED = "racks_deferred" => |r, l| l.int(r.racks_deferred.into()),
        CHIPS_ONLINE = "chips_online" => |r, l| l.int(r.chips_online),
        CHIPS_HEALTHY = "chips_healthy" => |r, l| l.int(r.chips_healthy),
        CHIPS_FAILED = "chips_failed" => |r, l| l.int(r.chips_failed),
        CHIPS_IN_REPAIR = "chips_in_repair" => |r, l| l.int(r.chips_in_repair),
        SPARE_NODES = "spare_nodes" => |r, l| l.int(r.spare_nodes),
        LINKS_DOWN = "links_down" => |r, l| l.int(r.links_down.into()),
        GRID_MW = "grid_mw" in Mw => |r, l| l.fixed(r.grid_mw, 3),
        IT_POWER_MW = "it_power_mw" in Mw => |r, l| l.fixed(r.it_power_mw, 6),
        FACILITY_POWER_MW = "facility_power_mw" in Mw => |r, l| l.fixed(r.facility_power_mw, 6),
        PUE = "pue" => |r, l| l.fixed(r.pue, 4),
        POWER_CAP_FACTOR = "power_cap_factor" => |r, l| l.fixed(r.power_cap_factor, 6),
        IT_ENERGY_MWH = "it_energy_mwh" in Mwh => |r, l| l.fixed(r.it_energy_mwh, 6),
        ENERGY_MWH = "energy_mwh" in Mwh => |r, l| l.fixed(r.energy_mwh, 6),
        ENERGY_COST_USD = "energy_cost_usd" in Usd => |r, l| l.fixed(r.energy_cost_usd, 2),
        CARBON_TCO2E = "carbon_tco2e" in Tco2e => |r, l| l.fixed(r.carbon_tco2e, 6),
        THROTTLED_CHIP_HOURS = "throttled_chip_hours" in ChipHours => |r, l| l .fixed(r.throttled_chip_hours, 3),
        THROTTLE_LOST_CHIP_HOURS = "throttle_lost_chip_hours" in ChipHours => |r, l| l .fixed(r.throttle_lost_chip_hours, 3),
        FAILURES_GPU = "failures_gpu" => |r, l| l.int(r.failures[0]),
        FAILURES_HBM = "failures_hbm" => |r, l| l.int(r.failures[1]),
        FAILURES_GPU_OTHER = "failures_gpu_other" => |r, l| l.int(r.failures[2]),
        FAILURES_HOST = "failures_host" => |r, l| l.int(r.failures[3]),
        FAILURES_NIC = "failures_nic" => |r, l| l.int(r.failures[4]),
        FAILURES_SWITCH_CABLE = "failures_switch_cable" => |r, l| l.int(r.failures[5]),
        FAILURES_RACK_POWER = "failures_rack_power" => |r, l| l.int(r.failures[6]),
        FAILURES_SITE_OUTAGE = "failures_site_outage" => |r, l| l.int(r.failures[7]),
        FAILURES_DCI_LINK = "failures_dci_link" => |r, l| l.int(r.failures[8]),
    ];
}

/// The failure count columns of `timeseries.csv` in
/// [`crate::catalog::failures::FailureKind::ALL`] order.
pub const FAILURE_CLASS_COLUMNS: [&str; crate::record::CLASSES] = {
    use timeseries_base::*;
    [
        FAILURES_GPU,
        FAILURES_HBM,
        FAILURES_GPU_OTHER,
        FAILURES_HOST,
        FAILURES_NIC,
        FAILURES_SWITCH_CABLE,
        FAILURES_RACK_POWER,
        FAILURES_SITE_OUTAGE,
        FAILURES_DCI_LINK,
    ]
};

/// One column of `capacity.csv`: its header and how the value of one rack
/// model of a sample row is written.
pub struct RackColumn {
    /// Header name, with its unit.
    pub name: &'static str,
    /// Number or text.
    #[allow(dead_code)] // declared with the column; no reader of capacity.csv needs it yet
    pub kind: Kind,
    /// The unit of its values; none for a count or text.
    pub unit: Option<Unit>,
    /// Writes the value of this column for one rack model of a sample.
    pub put: fn(&SampleRow, &RackSample, &mut Line),
}

impl RackColumn {
    /// The column `name` of `kind` in `unit`, its values written by `put`.
    pub const fn new(
        name: &'static str,
        kind: Kind,
        unit: Option<Unit>,
        put: fn(&SampleRow, &RackSample, &mut Line),
    ) -> Self {
        RackColumn {
            name,
            kind,
            unit,
            put,
        }
    }
}

columns! {
    /// Columns of `capacity.csv`: the sample's time and site, then one rack
    /// model's figures (chip-hours with 6 decimals, to 3.6 chip-milliseconds,
    /// so that sums over rows keep their precision).
    pub const CAPACITY_COLUMNS: [RackColumn] in capacity = [
        TIME_H = "time_h" in Hours => |s, _r, l| l.fixed_repeating(s.time_h, 3),
        TIMESTAMP = "timestamp", Text => |s, _r, l| l.date_time(s.timestamp),
        SITE = "site", Text => |s, _r, l| l.text(&s.site),
        RACK = "rack", Text => |_s, r, l| l.text(&r.rack),
        CHIP = "chip", Text => |_s, r, l| l.text(&r.chip),
        RACKS_ONLINE = "racks_online" => |_s, r, l| l.int(r.racks_online.into()),
        CHIPS_ONLINE = "chips_online" => |_s, r, l| l.int(r.chips_online),
        IT_NAMEPLATE_MW = "it_nameplate_mw" in Mw => |_s, r, l| l.fixed(r.it_nameplate_mw, 6),
        ONLINE_CHIP_HOURS = "online_chip_hours" in ChipHours => |_s, r, l| l .fixed(r.online_chip_hours, 6),
        HEALTHY_CHIP_HOURS = "healthy_chip_hours" in ChipHours => |_s, r, l| l .fixed(r.healthy_chip_hours, 6),
        HELD_CHIP_HOURS = "held_chip_hours" in ChipHours => |_s, r, l| l.fixed(r.held_chip_hours, 6),
    ];
}

/// An optional training figure of a sample: empty without one.
pub(super) fn sample_training(l: &mut Line, r: &SampleRow, put: fn(&TrainingSample, &mut Line)) {
    match &r.training {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

columns! {
    /// The column `timeseries.csv` adds after the others in a scenario with
    /// `[[maintenance]]`: online chips dark for planned maintenance (healthy
    /// nodes of racks a window holds dark), not counted in `chips_in_repair`.
    pub const MAINTENANCE_SAMPLE_COLUMNS: [Column<SampleRow>] in timeseries_maintenance = [
        CHIPS_MAINTENANCE = "chips_maintenance" => |r, l| l.int(r.chips_maintenance),
    ];
}

columns! {
    /// Columns appended to `timeseries.csv` in scenarios with training jobs.
    pub const TRAINING_SAMPLE_COLUMNS: [Column<SampleRow>] in timeseries_training = [
        TRAINING_CHIPS = "training_chips" => |r, l| sample_training(l, r, |t, l| l .int(t.chips)),
        TRAINING_JOBS_RUNNING = "training_jobs_running" => |r, l| sample_training(l, r, |t, l| l.int(t.jobs_running.into())),
        TRAINING_JOBS_WAITING = "training_jobs_waiting" => |r, l| sample_training(l, r, |t, l| l.int(t.jobs_waiting.into())),
        TRAINING_JOBS_QUEUED_FLEET = "training_jobs_queued_fleet" => |r, l| sample_training(l, r, |t, l| l.int(t.jobs_queued_fleet.into())),
        TRAINING_FLOPS = "training_flops" => |r, l| sample_training(l, r, |t, l| l .sci(t.flops)),
        TRAINING_FLOPS_LOST = "training_flops_lost" => |r, l| sample_training(l, r, |t, l| l.sci(t.flops_lost)),
        TRAINING_SCALEOUT_TB = "training_scaleout_tb" in Tb => |r, l| sample_training(l, r, |t, l| l.fixed(t.scaleout_bytes / 1e12, 6)),
    ];
}

columns! {
    /// Columns of `failures.csv`.
    pub const FAILURE_COLUMNS: [Column<FailureRow>] in failures = [
        TIME_H = "time_h" in Hours => |r, l| l.fixed(r.time_h, 6),
        TIMESTAMP = "timestamp", Text => |r, l| l.date_time(r.timestamp),
        SITE = "site", Text => |r, l| l.text(&r.site),
        CLASS = "class", Text => |r, l| l.text(r.class.key()),
        COMPONENT = "component", Text => |r, l| l.text(&r.component.to_string()),
        RACK = "rack", Text => |r, l| l.text(&r.rack),
        CHIPS_DOWN = "chips_down" => |r, l| l.int(r.chips_down),
        REMEDY = "remedy", Text => |r, l| l.text(r.remedy.key()),
        DOWNTIME_H = "downtime_h" in Hours => |r, l| l.fixed(r.downtime_h, 4),
        AGE_H = "age_h" in Hours => |r, l| l.fixed(r.age_h, 4),
    ];
}

columns! {
    /// Columns of `buildout.csv`.
    pub const BUILDOUT_COLUMNS: [Column<BuildoutRow>] in buildout = [
        SITE = "site", Text => |r, l| l.text(&r.site),
        PHASE = "phase" => |r, l| l.int(r.phase as u64),
        RACK = "rack", Text => |r, l| l.text(&r.rack),
        RACKS = "racks" => |r, l| l.int(r.racks.into()),
        CHIPS = "chips" => |r, l| l.int(r.chips),
        PLANNED = "planned", Text => |r, l| l.date(r.planned),
        DELIVERED = "delivered", Text => |r, l| opt_date(l, r.delivered),
        COMMISSIONED = "commissioned", Text => |r, l| opt_date(l, r.commissioned),
        STATUS = "status", Text => |r, l| l.text(r.status.key()),
        DEFERRED_DAYS = "deferred_days" in Days => |r, l| l.fixed(r.deferred_days, 3),
        NAMEPLATE_MW = "nameplate_mw" in Mw => |r, l| l.fixed(r.nameplate_mw, 6),
    ];
}

columns! {
    /// Columns of `summary.csv`.
    pub const SUMMARY_COLUMNS: [Column<SummaryRow>] in summary_base = [
        SCENARIO = "scenario", Text => |r, l| l.text(&r.scenario),
        SEED = "seed" => |r, l| l.int(r.seed),
        SITES = "sites" => |r, l| l.int(r.sites as u64),
        START = "start", Text => |r, l| l.date(r.start),
        END = "end", Text => |r, l| l.date(r.end),
        HOURS = "hours" => |r, l| l.fixed(r.hours, 3),
        RACKS_COMMISSIONED = "racks_commissioned" => |r, l| l.int(r.racks_commissioned),
        RACKS_REFUSED = "racks_refused" => |r, l| l.int(r.racks_refused),
        RACKS_DEFERRED_AT_END = "racks_deferred_at_end" => |r, l| l .int(r.racks_deferred_at_end),
        PEAK_CHIPS_ONLINE = "peak_chips_online" => |r, l| l.int(r.peak_chips_online),
        CHIPS_ONLINE_AT_END = "chips_online_at_end" => |r, l| l.int(r.chips_online_at_end),
        AVAILABILITY = "availability" in Share => |r, l| l.fixed(r.availability, 6),
        IT_ENERGY_MWH = "it_energy_mwh" in Mwh => |r, l| l.fixed(r.it_energy_mwh, 6),
        ENERGY_MWH = "energy_mwh" in Mwh => |r, l| l.fixed(r.energy_mwh, 6),
        PEAK_FACILITY_MW = "peak_facility_mw" in Mw => |r, l| l.fixed(r.peak_facility_mw, 6),
        ENERGY_COST_USD = "energy_cost_usd" in Usd => |r, l| l.fixed(r.energy_cost_usd, 2),
        CARBON_TCO2E = "carbon_tco2e" in Tco2e => |r, l| l.fixed(r.carbon_tco2e, 6),
        THROTTLED_CHIP_HOURS = "throttled_chip_hours" in ChipHours => |r, l| l .fixed(r.throttled_chip_hours, 3),
        THROTTLE_LOST_CHIP_HOURS = "throttle_lost_chip_hours" in ChipHours => |r, l| l .fixed(r.throttle_lost_chip_hours, 3),
        FAILURES_TOTAL = "failures_total" => |r, l| l.int(r.failures_total()),
        FAILURES_GPU = "failures_gpu" => |r, l| l.int(r.failures[0]),
        FAILURES_HBM = "failures_hbm" => |r, l| l.int(r.failures[1]),
        FAILURES_GPU_OTHER = "failures_gpu_other" => |r, l| l.int(r.failures[2]),
        FAILURES_HOST = "failures_host" => |r, l| l.int(r.failures[3]),
        FAILURES_NIC = "failures_nic" => |r, l| l.int(r.failures[4]),
        FAILURES_SWITCH_CABLE = "failures_switch_cable" => |r, l| l.int(r.failures[5]),
        FAILURES_RACK_POWER = "failures_rack_power" => |r, l| l.int(r.failures[6]),
        FAILURES_SITE_OUTAGE = "failures_site_outage" => |r, l| l.int(r.failures[7]),
        FAILURES_DCI_LINK = "failures_dci_link" => |r, l| l.int(r.failures[8]),
        EVENTS = "events" => |r, l| l.int(r.events),
    ];
}

/// An optional training figure of the summary: empty without one.
pub(super) fn summary_training(l: &mut Line, r: &SummaryRow, put: fn(&TrainingSummary, &mut Line)) {
    match &r.training {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

columns! {
    /// Columns appended to `summary.csv` in scenarios with training jobs.
    pub const TRAINING_SUMMARY_COLUMNS: [Column<SummaryRow>] in summary_training = [
        JOBS = "jobs" => |r, l| summary_training(l, r, |t, l| l.int(t.jobs)),
        JOBS_COMPLETED = "jobs_completed" => |r, l| summary_training(l, r, |t, l| l .int(t.jobs_completed)),
        TRAINING_CHIP_HOURS = "training_chip_hours" in ChipHours => |r, l| summary_training(l, r, |t, l| l.fixed(t.chip_hours, 3)),
        ETTR_MEAN = "ettr_mean" => |r, l| summary_training(l, r, |t, l| l .fixed(t.ettr_mean, 6)),
        ETTR_P10 = "ettr_p10" => |r, l| summary_training(l, r, |t, l| l .fixed(t.ettr_p10, 6)),
        JOB_INTERRUPTIONS = "job_interruptions" => |r, l| summary_training(l, r, |t, l| l.int(t.interruptions)),
        LOST_CHIP_HOURS = "lost_chip_hours" in ChipHours => |r, l| summary_training(l, r, |t, l| l .fixed(t.lost_chip_hours, 3)),
        QUEUE_WAIT_MEAN_H = "queue_wait_mean_h" in Hours => |r, l| summary_training(l, r, |t, l| l.fixed(t.queue_wait_mean_h, 6)),
    ];
}

/// An optional number: empty when absent.
pub(super) fn maybe(l: &mut Line, x: Option<f64>, decimals: usize) {
    match x {
        Some(x) => l.fixed(x, decimals),
        None => l.text(""),
    }
}

columns! {
    /// Columns of `jobs.csv`.
    pub const JOB_COLUMNS: [Column<JobRow>] in jobs_base = [
        ID = "id" => |r, l| l.int(r.id.0.into()),
        NAME = "name", Text => |r, l| l.text(&r.name),
        SUBMIT = "submit", Text => |r, l| l.date_time(r.submit),
        SUBMIT_H = "submit_h" in Hours => |r, l| l.fixed(r.submit_h, 6),
        FIRST_START_H = "first_start_h" in Hours => |r, l| maybe(l, r.first_start_h, 6),
        END_H = "end_h" in Hours => |r, l| maybe(l, r.end_h, 6),
        QUEUE_WAIT_H = "queue_wait_h" in Hours => |r, l| l.fixed(r.queue_wait_h, 6),
        CHIPS = "chips" => |r, l| l.int(r.chips.into()),
        RACK = "rack", Text => |r, l| l.text(&r.rack),
        CHIP = "chip", Text => |r, l| l.text(&r.chip),
        SITE = "site", Text => |r, l| l.text(&r.site),
        STATUS = "status", Text => |r, l| l.text(r.status.key()),
        INTERRUPTIONS = "interruptions" => |r, l| l.int(r.interruptions_total()),
        INTERRUPTIONS_GPU = "interruptions_gpu" => |r, l| l.int(r.interruptions[0]),
        INTERRUPTIONS_HBM = "interruptions_hbm" => |r, l| l.int(r.interruptions[1]),
        INTERRUPTIONS_GPU_OTHER = "interruptions_gpu_other" => |r, l| l.int(r.interruptions[2]),
        INTERRUPTIONS_HOST = "interruptions_host" => |r, l| l.int(r.interruptions[3]),
        INTERRUPTIONS_NIC = "interruptions_nic" => |r, l| l.int(r.interruptions[4]),
        INTERRUPTIONS_SWITCH_CABLE = "interruptions_switch_cable" => |r, l| l .int(r.interruptions[5]),
        INTERRUPTIONS_RACK_POWER = "interruptions_rack_power" => |r, l| l.int(r.interruptions[6]),
        INTERRUPTIONS_SITE_OUTAGE = "interruptions_site_outage" => |r, l| l .int(r.interruptions[7]),
        INTERRUPTIONS_SOFTWARE = "interruptions_software" => |r, l| l.int(r.interruptions[8]),
        INTERRUPTIONS_RETIRED = "interruptions_retired" => |r, l| l.int(r.interruptions[9]),
        INTERRUPTIONS_PREEMPTED = "interruptions_preempted" => |r, l| l.int(r.interruptions[10]),
        LOST_CHIP_HOURS = "lost_chip_hours" in ChipHours => |r, l| l.fixed(r.lost_chip_hours, 6),
        CHECKPOINT_HOURS = "checkpoint_hours" => |r, l| l.fixed(r.checkpoint_hours, 6),
        RESTART_HOURS = "restart_hours" => |r, l| l.fixed(r.restart_hours, 6),
        ETTR = "ettr" => |r, l| maybe(l, r.ettr, 6),
        FLOPS_DONE = "flops_done" => |r, l| l.sci(r.flops_done),
        TOKENS_TRAINED = "tokens_trained" => |r, l| match r.tokens_trained { Some(t) => l.sci(t), None => l.text(""), },
    ];
}

columns! {
    /// The column `jobs.csv` adds after [`JOB_COLUMNS`] in a scenario with
    /// `[[maintenance]]`: interruptions by planned maintenance (drained, no
    /// work lost); they count in `interruptions` too.
    pub const JOB_MAINTENANCE_COLUMNS: [Column<JobRow>] in jobs_maintenance = [
        INTERRUPTIONS_MAINTENANCE = "interruptions_maintenance" => |r, l| l.int(r.interruptions[crate::record::Interruption::Maintenance.index()]),
    ];
}

columns! {
    /// Columns of `maintenance.csv`: one row per planned maintenance window as
    /// it opens.
    pub const MAINTENANCE_COLUMNS: [Column<MaintenanceRow>] in maintenance = [
        TIME_H = "time_h" in Hours => |r, l| l.fixed(r.time_h, 6),
        TIMESTAMP = "timestamp", Text => |r, l| l.date_time(r.timestamp),
        SITE = "site", Text => |r, l| l.text(&r.site),
        RACK = "rack", Text => |r, l| l.text(&r.rack),
        RACKS = "racks" => |r, l| l.int(r.racks.into()),
        CHIPS = "chips" => |r, l| l.int(r.chips),
        HELD_CHIPS = "held_chips" => |r, l| l.int(r.held_chips),
        DURATION_H = "duration_h" in Hours => |r, l| l.fixed(r.duration_h, 6),
        CHIP_HOURS = "chip_hours" => |r, l| l.fixed(r.chip_hours, 6),
    ];
}

/// An optional number with `decimals` digits, or an empty field.
pub(super) fn opt_fixed(l: &mut Line, x: Option<f64>, decimals: usize) {
    match x {
        Some(x) => l.fixed(x, decimals),
        None => l.text(""),
    }
}

/// A date (`YYYY-MM-DD`), or an empty cell.
pub(super) fn opt_date(l: &mut Line, d: Option<chrono::NaiveDate>) {
    match d {
        Some(d) => l.date(d),
        None => l.text(""),
    }
}

/// A calendar month (`YYYY-MM`), or an empty cell.
pub(super) fn opt_year_month(l: &mut Line, m: Option<crate::record::YearMonth>) {
    match m {
        Some(m) => l.year_month(m),
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
