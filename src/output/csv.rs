//! Streams rows to CSV files.
//!
//! Each file's columns are one list of [`Column`]s — a header name and the
//! function that writes a row's value — so the header and the rows cannot
//! drift apart. Rows are written field by field into one reused line buffer:
//! no string is built per field or per row.
//!
//! Numbers are written with a fixed number of decimals per unit (6 for MW,
//! MWh and tCO2e, 2 for USD), so the same run always gives the same bytes;
//! text fields are quoted exactly as the `csv` crate quotes them (only when
//! they hold a comma, a quote or a line break).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::charts::data::{RunData, read_table};
use super::report::ReportInputs;
use super::set::{OutputError, OutputSet};
use crate::record::{
    BuildoutRow, ContractMonthRow, ContractRow, EconomicsSummary, FailureRow, JobRow,
    MaintenanceRow, MonthlyRow, RackSample, Recorder, SampleRow, ServiceRow, ServiceSummaryRow,
    SummaryRow, TrainingSample, TrainingSummary, WindowRequestRow, WindowRow,
};
use crate::workload::serving::requests::{RequestRow, ServeSummary};

/// Bytes gathered before they are handed to the file.
const FLUSH_AT: usize = 128 * 1024;

/// A CSV line being written: fields are appended to one buffer that is
/// reused for every row of a file.
pub struct Line {
    buf: Vec<u8>,
    first: bool,
}

impl Line {
    fn new() -> Line {
        Line {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            first: true,
        }
    }

    fn separator(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.buf.push(b',');
        }
    }

    /// A text field, quoted when it holds `,`, `"`, `\r` or `\n`.
    pub fn text(&mut self, s: &str) {
        self.separator();
        if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
            self.buf.push(b'"');
            for b in s.bytes() {
                if b == b'"' {
                    self.buf.push(b'"');
                }
                self.buf.push(b);
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(s.as_bytes());
        }
    }

    /// A whole number.
    pub fn int(&mut self, n: u64) {
        self.separator();
        push_u64(&mut self.buf, n);
    }

    /// A number with `decimals` digits after the point (at most 9), never
    /// written as `-0.000`.
    pub fn fixed(&mut self, x: f64, decimals: usize) {
        self.separator();
        push_fixed(&mut self.buf, x, decimals);
    }

    /// A number in the shortest scientific notation that reads back the
    /// same (`1.44e18`, `0e0`), written straight into the line.
    pub fn sci(&mut self, x: f64) {
        self.separator();
        push_sci(&mut self.buf, x);
    }

    fn end(&mut self) {
        self.buf.push(b'\n');
        self.first = true;
    }
}

/// The two-digit strings `00` to `99`, back to back.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes the decimal digits of `n` at the end of `digits` (two at a time)
/// and returns the index of the first.
fn digits_of(digits: &mut [u8; 20], mut n: u64) -> usize {
    let mut i = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + n as u8;
    }
    i
}

/// Appends the decimal digits of `n`.
fn push_u64(buf: &mut Vec<u8>, n: u64) {
    let mut digits = [b'0'; 20];
    let first = digits_of(&mut digits, n);
    buf.extend_from_slice(&digits[first..]);
}

/// Appends `x` as `format!("{x:e}")` writes it: the shortest digits that
/// read back as `x`. Positive zero, frequent in idle rows, skips the
/// formatter.
fn push_sci(buf: &mut Vec<u8>, x: f64) {
    if x == 0.0 && x.is_sign_positive() {
        buf.extend_from_slice(b"0e0");
    } else {
        write!(buf, "{x:e}").expect("writing to a Vec cannot fail");
    }
}

const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// Appends `x` with `decimals` digits after the point, byte for byte as
/// `format!("{x:.decimals$}")` writes it, except that a value that rounds to
/// zero has no minus sign.
///
/// The fast path scales by 10^decimals and rounds to an integer. Scaling
/// rounds once, by at most half an ulp of the scaled value, so the integer
/// is the correctly rounded one unless the scaled value lies within that
/// error of a half; those rare values, and values too large for the integer,
/// go through the standard formatter.
fn push_fixed(buf: &mut Vec<u8>, x: f64, decimals: usize) {
    debug_assert!(decimals < POW10.len());
    let scaled = x * POW10[decimals];
    let magnitude = scaled.abs();
    // NaN, infinities and values too large for the integer.
    if magnitude.is_nan() || magnitude >= 9.0e15 {
        slow_fixed(buf, x, decimals);
        return;
    }
    // Below 9e15 (< 2^53) the cast is the exact floor, and the fraction
    // left is exact: rounding is a comparison, with no call to `round`.
    let whole = magnitude as u64;
    let frac = magnitude - whole as f64;
    if (frac - 0.5).abs() <= magnitude * 4.0 * f64::EPSILON {
        slow_fixed(buf, x, decimals);
        return;
    }
    let n = whole + u64::from(frac > 0.5);
    if n != 0 && x < 0.0 {
        buf.push(b'-');
    }
    // The digits of `n` once, zero-padded to at least `decimals + 1`, the
    // point before the last `decimals`.
    let mut digits = [b'0'; 20];
    let first = digits_of(&mut digits, n).min(digits.len() - decimals - 1);
    let point = digits.len() - decimals;
    buf.extend_from_slice(&digits[first..point]);
    if decimals > 0 {
        buf.push(b'.');
        buf.extend_from_slice(&digits[point..]);
    }
}

fn slow_fixed(buf: &mut Vec<u8>, x: f64, decimals: usize) {
    let start = buf.len();
    write!(buf, "{x:.decimals$}").expect("writing to a Vec cannot fail");
    // Avoid "-0.000000" for values that round to zero.
    if buf[start] == b'-' && buf[start + 1..].iter().all(|&c| c == b'0' || c == b'.') {
        buf.remove(start);
    }
}

/// One column of a CSV file: its header and how a row's value is written.
pub struct Column<R> {
    /// Header name, with its unit.
    pub name: &'static str,
    /// Writes the value of this column for one row.
    pub put: fn(&R, &mut Line),
}

macro_rules! col {
    ($name:literal, |$r:ident, $l:ident| $body:expr) => {
        Column {
            name: $name,
            put: |$r, $l| $body,
        }
    };
}

/// Columns of `timeseries.csv`.
pub const SAMPLE_COLUMNS: &[Column<SampleRow>] = &[
    col!("time_h", |r, l| l.fixed(r.time_h, 3)),
    col!("timestamp", |r, l| l.text(&r.timestamp)),
    col!("site", |r, l| l.text(&r.site)),
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
    /// Writes the value of this column for one rack model of a sample.
    pub put: fn(&SampleRow, &RackSample, &mut Line),
}

macro_rules! rack_col {
    ($name:literal, |$s:ident, $r:ident, $l:ident| $body:expr) => {
        RackColumn {
            name: $name,
            put: |$s, $r, $l| $body,
        }
    };
}

/// Columns of `capacity.csv`: the sample's time and site, then one rack
/// model's figures (chip-hours with 6 decimals, to 3.6 chip-milliseconds,
/// so that sums over rows keep their precision).
pub const CAPACITY_COLUMNS: &[RackColumn] = &[
    rack_col!("time_h", |s, _r, l| l.fixed(s.time_h, 3)),
    rack_col!("timestamp", |s, _r, l| l.text(&s.timestamp)),
    rack_col!("site", |s, _r, l| l.text(&s.site)),
    rack_col!("rack", |_s, r, l| l.text(&r.rack)),
    rack_col!("chip", |_s, r, l| l.text(&r.chip)),
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
fn sample_training(l: &mut Line, r: &SampleRow, put: fn(&TrainingSample, &mut Line)) {
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
    col!("timestamp", |r, l| l.text(&r.timestamp)),
    col!("site", |r, l| l.text(&r.site)),
    col!("class", |r, l| l.text(r.class.key())),
    col!("component", |r, l| l.text(&r.component)),
    col!("rack", |r, l| l.text(&r.rack)),
    col!("chips_down", |r, l| l.int(r.chips_down)),
    col!("remedy", |r, l| l.text(r.remedy.key())),
    col!("downtime_h", |r, l| l.fixed(r.downtime_h, 4)),
    col!("age_h", |r, l| l.fixed(r.age_h, 4)),
];

/// Columns of `buildout.csv`.
pub const BUILDOUT_COLUMNS: &[Column<BuildoutRow>] = &[
    col!("site", |r, l| l.text(&r.site)),
    col!("phase", |r, l| l.int(r.phase as u64)),
    col!("rack", |r, l| l.text(&r.rack)),
    col!("racks", |r, l| l.int(r.racks.into())),
    col!("chips", |r, l| l.int(r.chips)),
    col!("planned", |r, l| l.text(&r.planned)),
    col!("delivered", |r, l| l.text(&r.delivered)),
    col!("commissioned", |r, l| l.text(&r.commissioned)),
    col!("status", |r, l| l.text(r.status.key())),
    col!("deferred_days", |r, l| l.fixed(r.deferred_days, 3)),
    col!("nameplate_mw", |r, l| l.fixed(r.nameplate_mw, 6)),
];

/// Columns of `summary.csv`.
pub const SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("scenario", |r, l| l.text(&r.scenario)),
    col!("seed", |r, l| l.int(r.seed)),
    col!("sites", |r, l| l.int(r.sites as u64)),
    col!("start", |r, l| l.text(&r.start)),
    col!("end", |r, l| l.text(&r.end)),
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
fn summary_training(l: &mut Line, r: &SummaryRow, put: fn(&TrainingSummary, &mut Line)) {
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
fn maybe(l: &mut Line, x: Option<f64>, decimals: usize) {
    match x {
        Some(x) => l.fixed(x, decimals),
        None => l.text(""),
    }
}

/// Columns of `jobs.csv`.
pub const JOB_COLUMNS: &[Column<JobRow>] = &[
    col!("id", |r, l| l.int(r.id.into())),
    col!("name", |r, l| l.text(&r.name)),
    col!("submit", |r, l| l.text(&r.submit)),
    col!("submit_h", |r, l| l.fixed(r.submit_h, 6)),
    col!("first_start_h", |r, l| maybe(l, r.first_start_h, 6)),
    col!("end_h", |r, l| maybe(l, r.end_h, 6)),
    col!("queue_wait_h", |r, l| l.fixed(r.queue_wait_h, 6)),
    col!("chips", |r, l| l.int(r.chips.into())),
    col!("rack", |r, l| l.text(&r.rack)),
    col!("chip", |r, l| l.text(&r.chip)),
    col!("site", |r, l| l.text(&r.site)),
    col!("status", |r, l| l.text(r.status.key())),
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
    col!("timestamp", |r, l| l.text(&r.timestamp)),
    col!("site", |r, l| l.text(&r.site)),
    col!("rack", |r, l| l.text(&r.rack)),
    col!("racks", |r, l| l.int(r.racks.into())),
    col!("chips", |r, l| l.int(r.chips)),
    col!("held_chips", |r, l| l.int(r.held_chips)),
    col!("duration_h", |r, l| l.fixed(r.duration_h, 6)),
    col!("chip_hours", |r, l| l.fixed(r.chip_hours, 6)),
];

/// An optional number with `decimals` digits, or an empty field.
fn opt_fixed(l: &mut Line, x: Option<f64>, decimals: usize) {
    match x {
        Some(x) => l.fixed(x, decimals),
        None => l.text(""),
    }
}

/// A count, or an empty cell.
fn opt_int(l: &mut Line, x: Option<u64>) {
    match x {
        Some(x) => l.int(x),
        None => l.text(""),
    }
}

/// A finite number, or an empty cell (a latency of no request: every one
/// was rejected).
fn finite_or_empty(l: &mut Line, x: f64, decimals: usize) {
    opt_fixed(l, x.is_finite().then_some(x), decimals);
}

/// Columns of `requests.csv` (request-level serving): one row per request,
/// times in seconds to the microsecond; latencies empty for a rejected
/// request, TPOT empty with fewer than two output tokens.
pub const REQUEST_COLUMNS: &[Column<RequestRow>] = &[
    col!("request", |r, l| l.int(r.id)),
    col!("arrival_s", |r, l| l.fixed(r.arrival_s, 6)),
    col!("replica", |r, l| match r.replica {
        Some(i) => l.int(i.into()),
        None => l.text(""),
    }),
    col!("input_tokens", |r, l| l.int(r.input_tokens.into())),
    col!("output_tokens", |r, l| l.int(r.output_tokens.into())),
    col!("ttft_s", |r, l| opt_fixed(l, r.ttft_s, 6)),
    col!("tpot_s", |r, l| opt_fixed(l, r.tpot_s, 6)),
    col!("e2e_s", |r, l| opt_fixed(l, r.e2e_s, 6)),
    col!("finished", |r, l| l.text(if r.finished {
        "true"
    } else {
        "false"
    })),
    col!("cached_tokens", |r, l| match r.cached_tokens {
        Some(n) => l.int(n.into()),
        None => l.text(""),
    }),
];

/// Columns of `replay_summary.csv`: one row, the summary of a
/// request-level replay (times in seconds; SLO columns empty without
/// targets).
pub const REPLAY_SUMMARY_COLUMNS: &[Column<ServeSummary>] = &[
    col!("requests", |r, l| l.int(r.requests)),
    col!("finished", |r, l| l.int(r.finished)),
    col!("rejected", |r, l| l.int(r.rejected)),
    col!("input_tokens", |r, l| l.int(r.input_tokens)),
    col!("output_tokens", |r, l| l.int(r.output_tokens)),
    col!("simulated_s", |r, l| finite_or_empty(l, r.simulated_s, 6)),
    col!("ttft_mean_s", |r, l| finite_or_empty(l, r.ttft.mean, 6)),
    col!("ttft_p50_s", |r, l| finite_or_empty(l, r.ttft.p50, 6)),
    col!("ttft_p90_s", |r, l| finite_or_empty(l, r.ttft.p90, 6)),
    col!("ttft_p99_s", |r, l| finite_or_empty(l, r.ttft.p99, 6)),
    col!("tpot_mean_s", |r, l| finite_or_empty(l, r.tpot.mean, 6)),
    col!("tpot_p50_s", |r, l| finite_or_empty(l, r.tpot.p50, 6)),
    col!("tpot_p90_s", |r, l| finite_or_empty(l, r.tpot.p90, 6)),
    col!("tpot_p99_s", |r, l| finite_or_empty(l, r.tpot.p99, 6)),
    col!("e2e_mean_s", |r, l| finite_or_empty(l, r.e2e.mean, 6)),
    col!("e2e_p50_s", |r, l| finite_or_empty(l, r.e2e.p50, 6)),
    col!("e2e_p90_s", |r, l| finite_or_empty(l, r.e2e.p90, 6)),
    col!("e2e_p99_s", |r, l| finite_or_empty(l, r.e2e.p99, 6)),
    col!("batch_steps", |r, l| l.int(r.iterations)),
    col!("mean_decode_batch", |r, l| finite_or_empty(
        l,
        r.mean_decode_batch,
        6
    )),
    col!("utilization", |r, l| finite_or_empty(l, r.utilization, 6)),
    col!("slo_attainment", |r, l| opt_fixed(
        l,
        r.slo.as_ref().map(|s| s.attainment),
        6
    )),
    col!("slo_met", |r, l| match &r.slo {
        Some(s) => l.text(if s.met { "true" } else { "false" }),
        None => l.text(""),
    }),
    col!("prefix_blocks", |r, l| opt_int(
        l,
        r.prefix.map(|p| p.blocks)
    )),
    col!("prefix_blocks_hit", |r, l| opt_int(
        l,
        r.prefix.map(|p| p.blocks_hit)
    )),
    col!("prefix_block_hit_rate", |r, l| opt_fixed(
        l,
        r.prefix.map(|p| p.block_hit_rate()),
        6
    )),
    col!("prefix_tokens_hit", |r, l| opt_int(
        l,
        r.prefix.map(|p| p.tokens_hit)
    )),
    col!("prefix_token_hit_rate", |r, l| opt_fixed(
        l,
        r.prefix.map(|p| p.token_hit_rate()),
        6
    )),
];

/// Writes a request-level replay's files as one [`OutputSet`] for the
/// folder `dir`: `replay_summary.csv` always, `requests.csv` (one row per
/// request) when `rows` is given; staged, then swapped in whole (see
/// [`super::set`]). Returns the final paths.
pub fn write_replay(
    dir: &Path,
    summary: &ServeSummary,
    rows: Option<&mut dyn Iterator<Item = RequestRow>>,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut set = OutputSet::create(dir)?;
    let mut table = Table::open(&mut set, "replay_summary.csv", REPLAY_SUMMARY_COLUMNS)?;
    table
        .row(summary)
        .map_err(|e| set.write_error("replay_summary.csv", e))?;
    close_all(&set, vec![&mut table.sink])?;
    if let Some(rows) = rows {
        let mut table = Table::open(&mut set, "requests.csv", REQUEST_COLUMNS)?;
        for row in rows {
            table
                .row(&row)
                .map_err(|e| set.write_error("requests.csv", e))?;
        }
        close_all(&set, vec![&mut table.sink])?;
    }
    set.commit()
}

/// Columns of `services.csv`.
pub const SERVICE_COLUMNS: &[Column<ServiceRow>] = &[
    col!("time_h", |r, l| l.fixed(r.time_h, 3)),
    col!("timestamp", |r, l| l.text(r.timestamp.as_str())),
    col!("service", |r, l| l.text(r.service.as_str())),
    col!("demand_rps", |r, l| l.fixed(r.demand_rps, 6)),
    col!("capacity_rps", |r, l| l.fixed(r.capacity_rps, 6)),
    col!("served_rps", |r, l| l.fixed(r.served_rps, 6)),
    col!("beyond_rps", |r, l| l.fixed(r.beyond_rps, 6)),
    col!("backlog", |r, l| l.fixed(r.backlog, 3)),
    col!("replicas", |r, l| l.int(r.replicas.into())),
    col!("replicas_loading", |r, l| l.int(r.replicas_loading.into())),
    col!("chips", |r, l| l.int(r.chips)),
    col!("utilization", |r, l| l.fixed(r.utilization, 6)),
    col!("ttft_mean_s", |r, l| l.fixed(r.ttft_mean_s, 6)),
    col!("ttft_p99_s", |r, l| l.fixed(r.ttft_p99_s, 6)),
    col!("tpot_mean_s", |r, l| l.fixed(r.tpot_mean_s, 6)),
    col!("tpot_p99_s", |r, l| l.fixed(r.tpot_p99_s, 6)),
    col!("slo_attainment", |r, l| l.fixed(r.slo_attainment, 6)),
    col!("tokens_in", |r, l| l.sci(r.tokens_in)),
    col!("tokens_out", |r, l| l.sci(r.tokens_out)),
    col!("preemptions", |r, l| l.int(r.preemptions.into())),
    col!("replicas_lost", |r, l| l.int(r.replicas_lost.into())),
];

/// The column `services.csv` adds after [`SERVICE_COLUMNS`] in a scenario
/// with `[[maintenance]]`: replicas moved off racks going into a window
/// over the interval (announced, so not lost; not in `replicas_lost`).
pub const SERVICE_MAINTENANCE_COLUMNS: &[Column<ServiceRow>] =
    &[col!("replicas_moved", |r, l| l.int(r.replicas_moved.into()))];

/// Columns of `service_summary.csv`.
pub const SERVICE_SUMMARY_COLUMNS: &[Column<ServiceSummaryRow>] = &[
    col!("service", |r, l| l.text(&r.service)),
    // The epoch model's expected counts, written as whole requests.
    col!("requests", |r, l| l.fixed(r.requests, 0)),
    col!("served", |r, l| l.fixed(r.served, 0)),
    col!("beyond_capacity", |r, l| l.fixed(r.beyond_capacity, 0)),
    col!("tokens_in", |r, l| l.sci(r.tokens_in)),
    col!("tokens_out", |r, l| l.sci(r.tokens_out)),
    col!("slo_attainment", |r, l| l.fixed(r.slo_attainment, 6)),
    col!("replica_hours", |r, l| l.fixed(r.replica_hours, 3)),
    col!("chip_hours", |r, l| l.fixed(r.chip_hours, 3)),
    col!("preemptions", |r, l| l.int(r.preemptions)),
    col!("replicas_lost", |r, l| l.int(r.replicas_lost)),
];

/// The column `service_summary.csv` adds after [`SERVICE_SUMMARY_COLUMNS`]
/// in a scenario with `[[maintenance]]`: replicas moved off racks going
/// into a window over the run.
pub const SERVICE_SUMMARY_MAINTENANCE_COLUMNS: &[Column<ServiceSummaryRow>] =
    &[col!("replicas_moved", |r, l| l.int(r.replicas_moved))];

/// Columns of `request_windows.csv`: one row per request-level window of a
/// scenario, the `replay_summary.csv` figures after its identity.
pub const WINDOW_COLUMNS: &[Column<WindowRow>] = &[
    col!("window", |r, l| l.int(r.window.into())),
    col!("service", |r, l| l.text(&r.service)),
    col!("start", |r, l| l.text(&r.start)),
    col!("start_h", |r, l| l.fixed(r.start_h, 6)),
    col!("source", |r, l| l.text(&r.source)),
    col!("replicas", |r, l| l.int(r.replicas.into())),
    col!("requests", |r, l| l.int(r.summary.requests)),
    col!("finished", |r, l| l.int(r.summary.finished)),
    col!("rejected", |r, l| l.int(r.summary.rejected)),
    col!("input_tokens", |r, l| l.int(r.summary.input_tokens)),
    col!("output_tokens", |r, l| l.int(r.summary.output_tokens)),
    col!("simulated_s", |r, l| l.fixed(r.summary.simulated_s, 6)),
    col!("ttft_mean_s", |r, l| l.fixed(r.summary.ttft.mean, 6)),
    col!("ttft_p99_s", |r, l| l.fixed(r.summary.ttft.p99, 6)),
    col!("tpot_mean_s", |r, l| l.fixed(r.summary.tpot.mean, 6)),
    col!("tpot_p99_s", |r, l| l.fixed(r.summary.tpot.p99, 6)),
    col!("e2e_mean_s", |r, l| l.fixed(r.summary.e2e.mean, 6)),
    col!("e2e_p99_s", |r, l| l.fixed(r.summary.e2e.p99, 6)),
    col!("batch_steps", |r, l| l.int(r.summary.iterations)),
    col!("utilization", |r, l| l.fixed(r.summary.utilization, 6)),
    col!("slo_attainment", |r, l| opt_fixed(
        l,
        r.summary.slo.as_ref().map(|s| s.attainment),
        6
    )),
    col!("kv_transfer_gb", |r, l| opt_fixed(l, r.kv.map(|k| k.gb), 6)),
    col!("kv_transfer_mean_s", |r, l| opt_fixed(
        l,
        r.kv.map(|k| k.transfer_mean_s),
        6
    )),
    col!("kv_transfer_p99_s", |r, l| opt_fixed(
        l,
        r.kv.map(|k| k.transfer_p99_s),
        6
    )),
    col!("kv_fabric_flows", |r, l| match r.kv {
        Some(k) => l.int(k.fabric_flows.into()),
        None => l.text(""),
    }),
    col!("kv_flows_shared", |r, l| match r.kv {
        Some(k) => l.int(k.shared_flows.into()),
        None => l.text(""),
    }),
    col!("kv_fabric_share_gbit_per_s", |r, l| opt_fixed(
        l,
        r.kv.filter(|k| k.fabric_flows > 0)
            .map(|k| k.fabric_share_gbit_per_s),
        3
    )),
];

/// Columns of `requests.csv` in a scenario: the window, then the columns
/// of [`REQUEST_COLUMNS`].
pub const WINDOW_REQUEST_COLUMNS: &[Column<WindowRequestRow>] = &[
    col!("window", |r, l| l.int(r.window.into())),
    col!("request", |r, l| l.int(r.row.id)),
    col!("arrival_s", |r, l| l.fixed(r.row.arrival_s, 6)),
    col!("replica", |r, l| match r.row.replica {
        Some(i) => l.int(i.into()),
        None => l.text(""),
    }),
    col!("input_tokens", |r, l| l.int(r.row.input_tokens.into())),
    col!("output_tokens", |r, l| l.int(r.row.output_tokens.into())),
    col!("ttft_s", |r, l| opt_fixed(l, r.row.ttft_s, 6)),
    col!("tpot_s", |r, l| opt_fixed(l, r.row.tpot_s, 6)),
    col!("e2e_s", |r, l| opt_fixed(l, r.row.e2e_s, 6)),
    col!("finished", |r, l| l.text(if r.row.finished {
        "true"
    } else {
        "false"
    })),
];

/// An optional economics figure of the summary: empty without books.
fn summary_money(l: &mut Line, r: &SummaryRow, put: fn(&EconomicsSummary, &mut Line)) {
    match &r.economics {
        Some(e) => put(e, l),
        None => l.text(""),
    }
}

/// Money with cents; a non-finite value (never expected) is written empty
/// rather than as `NaN`.
fn usd(l: &mut Line, x: f64) {
    if x.is_finite() {
        l.fixed(x, 2)
    } else {
        l.text("")
    }
}

/// An optional finite number: empty when absent or not finite.
fn maybe_finite(l: &mut Line, x: Option<f64>, decimals: usize) {
    match x {
        Some(x) if x.is_finite() => l.fixed(x, decimals),
        _ => l.text(""),
    }
}

/// Columns appended to `summary.csv` in scenarios with `[economics]`.
pub const ECONOMICS_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("discount_rate", |r, l| summary_money(l, r, |e, l| l
        .fixed(e.discount_rate, 6))),
    col!("contract_value_usd", |r, l| summary_money(
        l,
        r,
        |e, l| usd(l, e.contract_value_usd)
    )),
    col!("capex_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.capex_usd
    ))),
    col!("revenue_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.revenue_usd
    ))),
    col!("contract_revenue_usd", |r, l| summary_money(
        l,
        r,
        |e, l| usd(l, e.contract_revenue_usd)
    )),
    col!("on_demand_revenue_usd", |r, l| summary_money(
        l,
        r,
        |e, l| usd(l, e.on_demand_revenue_usd)
    )),
    col!("sla_credits_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.sla_credits_usd
    ))),
    col!("opex_usd", |r, l| summary_money(l, r, |e, l| usd(
        l, e.opex_usd
    ))),
    col!("ebitda_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.ebitda_usd
    ))),
    col!("depreciation_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.depreciation_usd
    ))),
    col!("ebit_usd", |r, l| summary_money(l, r, |e, l| usd(
        l, e.ebit_usd
    ))),
    col!("interest_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.interest_usd
    ))),
    col!("net_cash_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.net_cash_usd
    ))),
    col!("book_value_usd", |r, l| summary_money(l, r, |e, l| usd(
        l,
        e.book_value_usd
    ))),
    col!("debt_outstanding_usd", |r, l| summary_money(
        l,
        r,
        |e, l| usd(l, e.debt_outstanding_usd)
    )),
    col!("npv_usd", |r, l| summary_money(l, r, |e, l| usd(
        l, e.npv_usd
    ))),
    col!("irr", |r, l| summary_money(l, r, |e, l| maybe_finite(
        l, e.irr, 6
    ))),
    col!("irr_note", |r, l| summary_money(l, r, |e, l| l
        .text(e.irr_note.unwrap_or("")))),
    col!("payback_month", |r, l| summary_money(l, r, |e, l| l
        .text(e.payback_month.as_deref().unwrap_or("")))),
    col!("payback_months", |r, l| summary_money(
        l,
        r,
        |e, l| match e.payback_months {
            Some(m) => l.int(u64::from(m)),
            None => l.text(""),
        }
    )),
    col!("gross_margin", |r, l| summary_money(l, r, |e, l| {
        maybe_finite(l, e.gross_margin, 6)
    })),
    col!("ebitda_margin", |r, l| summary_money(l, r, |e, l| {
        maybe_finite(l, e.ebitda_margin, 6)
    })),
    col!("cost_per_chip_hour_usd", |r, l| summary_money(
        l,
        r,
        |e, l| { maybe_finite(l, e.cost_per_chip_hour_usd, 6) }
    )),
    col!("revenue_per_chip_hour_usd", |r, l| summary_money(
        l,
        r,
        |e, l| { maybe_finite(l, e.revenue_per_chip_hour_usd, 6) }
    )),
    col!("cost_per_million_tokens_trained_usd", |r, l| summary_money(
        l,
        r,
        |e, l| maybe_finite(l, e.cost_per_million_tokens_trained_usd, 6)
    )),
    col!("cost_per_exaflop_trained_usd", |r, l| summary_money(
        l,
        r,
        |e, l| maybe_finite(l, e.cost_per_exaflop_trained_usd, 6)
    )),
    col!("cost_per_million_tokens_served_usd", |r, l| summary_money(
        l,
        r,
        |e, l| maybe_finite(l, e.cost_per_million_tokens_served_usd, 6)
    )),
    col!("revenue_per_mw_year_usd", |r, l| summary_money(
        l,
        r,
        |e, l| { maybe_finite(l, e.revenue_per_mw_year_usd, 2) }
    )),
];

/// Columns appended to `summary.csv` with named opex lines: each line's
/// total over the run.
pub const OPEX_LINES_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("insurance_property_tax_usd", |r, l| opex_line(l, r, 0)),
    col!("network_transit_usd", |r, l| opex_line(l, r, 1)),
    col!("software_licences_usd", |r, l| opex_line(l, r, 2)),
    col!("sga_usd", |r, l| opex_line(l, r, 3)),
];

/// Line `k` of the opex lines over the run: empty without them.
fn opex_line(l: &mut Line, r: &SummaryRow, k: usize) {
    match r.economics.as_ref().and_then(|e| e.opex_lines_usd) {
        Some(v) => usd(l, v[k]),
        None => l.text(""),
    }
}

/// A figure of the after-tax summary: empty without tax.
fn summary_tax(l: &mut Line, r: &SummaryRow, put: fn(&crate::record::TaxSummary, &mut Line)) {
    match r.economics.as_ref().and_then(|e| e.tax.as_ref()) {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

/// Columns appended to `summary.csv` with `[economics.tax]`.
pub const TAX_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("tax_rate", |r, l| summary_tax(l, r, |t, l| l
        .fixed(t.rate, 6))),
    col!("income_tax_usd", |r, l| summary_tax(l, r, |t, l| usd(
        l,
        t.income_tax_usd
    ))),
    col!("net_income_usd", |r, l| summary_tax(l, r, |t, l| usd(
        l,
        t.net_income_usd
    ))),
    col!("loss_carried_forward_usd", |r, l| summary_tax(
        l,
        r,
        |t, l| usd(l, t.loss_carried_forward_usd)
    )),
    col!("npv_after_tax_usd", |r, l| summary_tax(l, r, |t, l| usd(
        l, t.npv_usd
    ))),
    col!("irr_after_tax", |r, l| summary_tax(l, r, |t, l| {
        maybe_finite(l, t.irr, 6)
    })),
    col!("irr_after_tax_note", |r, l| summary_tax(l, r, |t, l| l
        .text(t.irr_note.unwrap_or("")))),
    col!("payback_after_tax_month", |r, l| summary_tax(
        l,
        r,
        |t, l| l.text(t.payback_month.as_deref().unwrap_or(""))
    )),
    col!("payback_after_tax_months", |r, l| summary_tax(
        l,
        r,
        |t, l| match t.payback_months {
            Some(m) => l.int(u64::from(m)),
            None => l.text(""),
        }
    )),
];

/// A figure of the early retirements: empty without write-offs.
fn summary_retirement(
    l: &mut Line,
    r: &SummaryRow,
    put: fn(&crate::record::RetirementSummary, &mut Line),
) {
    match r.economics.as_ref().and_then(|e| e.retirement.as_ref()) {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

/// Columns appended to `summary.csv` with `write_off_at_retirement`.
pub const RETIREMENT_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("retired_written_off_usd", |r, l| summary_retirement(
        l,
        r,
        |t, l| usd(l, t.written_off_usd)
    )),
    col!("retired_proceeds_usd", |r, l| summary_retirement(
        l,
        r,
        |t, l| usd(l, t.proceeds_usd)
    )),
];

/// A figure with a terminal value: empty without one.
fn summary_terminal(
    l: &mut Line,
    r: &SummaryRow,
    put: fn(&crate::record::TerminalSummary, &mut Line),
) {
    match r.economics.as_ref().and_then(|e| e.terminal.as_ref()) {
        Some(t) => put(t, l),
        None => l.text(""),
    }
}

/// Columns appended to `summary.csv` with a terminal treatment; the
/// after-tax ones are empty without `[economics.tax]`.
pub const TERMINAL_SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    col!("terminal_treatment", |r, l| summary_terminal(
        l,
        r,
        |t, l| l.text(t.treatment)
    )),
    col!("terminal_value_usd", |r, l| summary_terminal(
        l,
        r,
        |t, l| usd(l, t.value_usd)
    )),
    col!("npv_with_terminal_usd", |r, l| summary_terminal(
        l,
        r,
        |t, l| usd(l, t.npv_usd)
    )),
    col!("irr_with_terminal", |r, l| summary_terminal(
        l,
        r,
        |t, l| maybe_finite(l, t.irr, 6)
    )),
    col!("terminal_value_after_tax_usd", |r, l| summary_terminal(
        l,
        r,
        |t, l| match t.after_tax_value_usd {
            Some(x) => usd(l, x),
            None => l.text(""),
        }
    )),
    col!("npv_after_tax_with_terminal_usd", |r, l| summary_terminal(
        l,
        r,
        |t, l| match t.after_tax_npv_usd {
            Some(x) => usd(l, x),
            None => l.text(""),
        }
    )),
    col!("irr_after_tax_with_terminal", |r, l| summary_terminal(
        l,
        r,
        |t, l| maybe_finite(l, t.after_tax_irr, 6)
    )),
];

/// Columns of `contracts_monthly.csv`.
pub const CONTRACT_MONTH_COLUMNS: &[Column<ContractMonthRow>] = &[
    col!("month", |r, l| l.text(&r.month)),
    col!("contract", |r, l| l.text(&r.contract)),
    col!("unit", |r, l| l.text(r.unit)),
    col!("committed_capacity_hours", |r, l| l
        .fixed(r.committed_hours, 3)),
    col!("delivered_capacity_hours", |r, l| l
        .fixed(r.delivered_hours, 3)),
    col!("used_capacity_hours", |r, l| l.fixed(r.used_hours, 3)),
    col!("availability", |r, l| maybe_finite(l, r.availability, 6)),
    col!("billed_usd", |r, l| usd(l, r.billed_usd)),
    col!("credit_share", |r, l| l.fixed(r.credit_share, 4)),
    col!("credit_usd", |r, l| usd(l, r.credit_usd)),
    col!("revenue_usd", |r, l| usd(l, r.revenue_usd)),
];

/// Columns of `contracts.csv`.
pub const CONTRACT_COLUMNS: &[Column<ContractRow>] = &[
    col!("contract", |r, l| l.text(&r.contract)),
    col!("unit", |r, l| l.text(r.unit)),
    col!("chip_types", |r, l| l.text(&r.chip_types)),
    col!("start", |r, l| l.text(&r.start)),
    col!("end", |r, l| l.text(&r.end)),
    col!("billing", |r, l| l.text(r.billing)),
    col!("peak_capacity", |r, l| l.fixed(r.peak_capacity, 3)),
    col!("price_usd_per_unit", |r, l| l.fixed(r.price, 6)),
    col!("price_derived", |r, l| l.text(if r.price_derived {
        "true"
    } else {
        "false"
    })),
    col!("committed_capacity_hours", |r, l| l
        .fixed(r.committed_hours, 3)),
    col!("value_usd", |r, l| usd(l, r.value_usd)),
    col!("billed_usd", |r, l| usd(l, r.billed_usd)),
    col!("credits_usd", |r, l| usd(l, r.credits_usd)),
    col!("revenue_usd", |r, l| usd(l, r.revenue_usd)),
    col!("availability", |r, l| maybe_finite(l, r.availability, 6)),
    col!("months_credited", |r, l| l
        .int(u64::from(r.months_credited))),
];

/// The fixed columns of `monthly.csv` after the month, its days and one
/// `revenue_<contract>_usd` column per contract.
const MONTHLY_COLUMNS: &[Column<MonthlyRow>] = &[
    col!("revenue_on_demand_usd", |r, l| usd(
        l,
        r.on_demand_revenue_usd
    )),
    col!("sla_credits_usd", |r, l| usd(l, r.sla_credits_usd)),
    col!("revenue_usd", |r, l| usd(l, r.revenue_usd)),
    col!("energy_usd", |r, l| usd(l, r.energy_usd)),
    col!("maintenance_usd", |r, l| usd(l, r.maintenance_usd)),
    col!("staff_usd", |r, l| usd(l, r.staff_usd)),
    col!("colocation_usd", |r, l| usd(l, r.colocation_usd)),
    col!("fixed_costs_usd", |r, l| usd(l, r.fixed_costs_usd)),
];

/// The columns of `monthly.csv` after the opex lines (when any).
const MONTHLY_COLUMNS_AFTER_LINES: &[Column<MonthlyRow>] = &[
    col!("opex_usd", |r, l| usd(l, r.opex_usd)),
    col!("ebitda_usd", |r, l| usd(l, r.ebitda_usd)),
    col!("depreciation_usd", |r, l| usd(l, r.depreciation_usd)),
    col!("ebit_usd", |r, l| usd(l, r.ebit_usd)),
    col!("interest_usd", |r, l| usd(l, r.interest_usd)),
    col!("capex_usd", |r, l| usd(l, r.capex_usd)),
    col!("loan_drawn_usd", |r, l| usd(l, r.loan_drawn_usd)),
    col!("loan_repaid_usd", |r, l| usd(l, r.loan_repaid_usd)),
    col!("cash_flow_usd", |r, l| usd(l, r.cash_flow_usd)),
    col!("cumulative_cash_usd", |r, l| usd(l, r.cumulative_cash_usd)),
    col!("energy_mwh", |r, l| l.fixed(r.energy_mwh, 3)),
    col!("healthy_chip_hours", |r, l| l
        .fixed(r.healthy_chip_hours, 3)),
    col!("contracted_chip_hours", |r, l| l
        .fixed(r.contracted_chip_hours, 3)),
    col!("on_demand_chip_hours", |r, l| l
        .fixed(r.on_demand_chip_hours, 3)),
    col!("it_nameplate_mw", |r, l| l.fixed(r.it_nameplate_mw, 6)),
];

/// The tax columns appended to `monthly.csv` with `[economics.tax]`.
const MONTHLY_TAX_COLUMNS: &[Column<MonthlyRow>] = &[
    col!("tax_depreciation_usd", |r, l| monthly_tax(l, r, |t| t
        .tax_depreciation_usd)),
    col!("taxable_income_usd", |r, l| monthly_tax(l, r, |t| t
        .taxable_income_usd)),
    col!("income_tax_usd", |r, l| monthly_tax(l, r, |t| t
        .income_tax_usd)),
    col!("loss_carried_forward_usd", |r, l| monthly_tax(l, r, |t| t
        .loss_carried_forward_usd)),
    col!("net_income_usd", |r, l| monthly_tax(l, r, |t| t
        .net_income_usd)),
    col!("cash_flow_after_tax_usd", |r, l| monthly_tax(l, r, |t| t
        .cash_flow_after_tax_usd)),
    col!("cumulative_cash_after_tax_usd", |r, l| monthly_tax(
        l,
        r,
        |t| t.cumulative_cash_after_tax_usd
    )),
];

/// A tax figure of a month: empty without tax.
fn monthly_tax(l: &mut Line, r: &MonthlyRow, get: fn(&crate::record::MonthlyTaxRow) -> f64) {
    match &r.tax {
        Some(t) => usd(l, get(t)),
        None => l.text(""),
    }
}

/// `monthly.csv`: its header names one revenue column per contract, so it
/// is built from the first row.
struct MonthlyTable {
    sink: Sink,
    /// Whether the opex lines' columns are written.
    lines: bool,
    /// Whether the tax columns are written.
    tax: bool,
}

impl MonthlyTable {
    fn open(set: &mut OutputSet, first: &MonthlyRow) -> Result<Self, OutputError> {
        let revenue: Vec<String> = first
            .contract_revenue_usd
            .iter()
            .map(|(name, _)| format!("revenue_{name}_usd"))
            .collect();
        let lines: Vec<String> = if first.opex_lines_usd.is_some() {
            crate::economics::lines::LINE_NAMES
                .iter()
                .map(|n| format!("{n}_usd"))
                .collect()
        } else {
            Vec::new()
        };
        let tax: &[Column<MonthlyRow>] = if first.tax.is_some() {
            MONTHLY_TAX_COLUMNS
        } else {
            &[]
        };
        let header = ["month", "days"]
            .into_iter()
            .chain(revenue.iter().map(String::as_str))
            .chain(MONTHLY_COLUMNS.iter().map(|c| c.name))
            .chain(lines.iter().map(String::as_str))
            .chain(MONTHLY_COLUMNS_AFTER_LINES.iter().map(|c| c.name))
            .chain(tax.iter().map(|c| c.name));
        let sink = Sink::open(set, "monthly.csv", header)?;
        Ok(MonthlyTable {
            sink,
            lines: first.opex_lines_usd.is_some(),
            tax: first.tax.is_some(),
        })
    }

    fn row(&mut self, r: &MonthlyRow) -> io::Result<()> {
        let line = &mut self.sink.line;
        line.text(&r.month);
        line.fixed(r.days, 4);
        for (_, v) in &r.contract_revenue_usd {
            usd(line, *v);
        }
        for c in MONTHLY_COLUMNS {
            (c.put)(r, line);
        }
        if self.lines {
            for x in r.opex_lines_usd.unwrap_or_default() {
                usd(line, x);
            }
        }
        for c in MONTHLY_COLUMNS_AFTER_LINES {
            (c.put)(r, line);
        }
        if self.tax {
            for c in MONTHLY_TAX_COLUMNS {
                (c.put)(r, line);
            }
        }
        self.sink.end_row()
    }
}

/// Writes `r` to the table in `slot`, opening it (as `name`, with
/// `columns`) at its first row.
fn lazy_row<R>(
    set: &mut OutputSet,
    slot: &mut Option<Table<R>>,
    name: &'static str,
    columns: &'static [Column<R>],
    r: &R,
) -> io::Result<()> {
    lazy_parts(set, slot, name, vec![columns], r)
}

/// [`lazy_row`] for a table of several parts of columns, in order.
fn lazy_parts<R>(
    set: &mut OutputSet,
    slot: &mut Option<Table<R>>,
    name: &'static str,
    parts: Vec<&'static [Column<R>]>,
    r: &R,
) -> io::Result<()> {
    if slot.is_none() {
        *slot =
            Some(Table::open_parts(set, name, parts).map_err(|e| io::Error::other(e.to_string()))?);
    }
    slot.as_mut().expect("opened above").row(r)
}

/// One CSV file being written: its name, its line buffer and the file.
struct Sink {
    name: &'static str,
    line: Line,
    file: File,
}

impl Sink {
    /// Creates `name` in the set and writes its header line.
    fn open<'h>(
        set: &mut OutputSet,
        name: &'static str,
        header: impl IntoIterator<Item = &'h str>,
    ) -> Result<Self, OutputError> {
        let file = set.create_file(name)?;
        let mut line = Line::new();
        for h in header {
            line.text(h);
        }
        line.end();
        Ok(Sink { name, line, file })
    }

    /// Creates `name` in the set holding `bytes`, written out at the next
    /// flush.
    fn with_bytes(
        set: &mut OutputSet,
        name: &'static str,
        bytes: &[u8],
    ) -> Result<Self, OutputError> {
        let file = set.create_file(name)?;
        let mut line = Line::new();
        line.buf.extend_from_slice(bytes);
        Ok(Sink { name, line, file })
    }

    /// Ends the row whose fields were written into `line`, handing the
    /// buffer to the file when it is full.
    fn end_row(&mut self) -> io::Result<()> {
        self.line.end();
        if self.line.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.file.write_all(&self.line.buf);
        self.line.buf.clear();
        result
    }
}

/// Writes out what each file has buffered, then syncs them all to disk at
/// once, one thread per file: the file system can commit them together
/// (one journal commit rather than one per file), which keeps each extra
/// output file from adding a whole disk flush to a short run. Returns the
/// first error, naming its file.
fn close_all(set: &OutputSet, mut sinks: Vec<&mut Sink>) -> Result<(), OutputError> {
    for sink in sinks.iter_mut() {
        sink.flush().map_err(|e| set.write_error(sink.name, e))?;
    }
    let results: Vec<(&'static str, io::Result<()>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = sinks
            .iter()
            .map(|sink| {
                let (name, file) = (sink.name, &sink.file);
                scope.spawn(move || (name, file.sync_all()))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a sync thread does not panic"))
            .collect()
    });
    for (name, result) in results {
        result.map_err(|e| set.write_error(name, e))?;
    }
    Ok(())
}

/// A CSV file of one row type: its columns and its [`Sink`].
struct Table<R: 'static> {
    /// Groups of columns, written one after the other.
    parts: Vec<&'static [Column<R>]>,
    sink: Sink,
}

impl<R> Table<R> {
    fn open(
        set: &mut OutputSet,
        name: &'static str,
        columns: &'static [Column<R>],
    ) -> Result<Self, OutputError> {
        Table::open_parts(set, name, vec![columns])
    }

    fn open_parts(
        set: &mut OutputSet,
        name: &'static str,
        parts: Vec<&'static [Column<R>]>,
    ) -> Result<Self, OutputError> {
        let sink = Sink::open(
            set,
            name,
            parts.iter().flat_map(|p| p.iter()).map(|c| c.name),
        )?;
        Ok(Table { parts, sink })
    }

    fn row(&mut self, row: &R) -> io::Result<()> {
        for part in &self.parts {
            for c in part.iter() {
                (c.put)(row, &mut self.sink.line);
            }
        }
        self.sink.end_row()
    }
}

/// `capacity.csv`: one row per rack model of each sample row.
struct CapacityTable {
    sink: Sink,
}

impl CapacityTable {
    fn open(set: &mut OutputSet) -> Result<Self, OutputError> {
        let sink = Sink::open(set, "capacity.csv", CAPACITY_COLUMNS.iter().map(|c| c.name))?;
        Ok(CapacityTable { sink })
    }

    /// The rows of a sample's rack models.
    fn rows(&mut self, sample: &SampleRow) -> io::Result<()> {
        for rack in &sample.racks {
            for c in CAPACITY_COLUMNS {
                (c.put)(sample, rack, &mut self.sink.line);
            }
            self.sink.end_row()?;
        }
        Ok(())
    }
}

/// Which optional columns `timeseries.csv` and `summary.csv` carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// The training columns ([`TRAINING_SAMPLE_COLUMNS`],
    /// [`TRAINING_SUMMARY_COLUMNS`]): a scenario with jobs.
    pub training: bool,
    /// The economics columns of the summary
    /// ([`ECONOMICS_SUMMARY_COLUMNS`]): a scenario with `[economics]`.
    pub economics: bool,
    /// The opex lines' columns ([`OPEX_LINES_SUMMARY_COLUMNS`]): a
    /// scenario naming any.
    pub opex_lines: bool,
    /// The after-tax columns ([`TAX_SUMMARY_COLUMNS`]): `[economics.tax]`.
    pub tax: bool,
    /// The terminal-value columns ([`TERMINAL_SUMMARY_COLUMNS`]): a
    /// treatment other than none.
    pub terminal: bool,
    /// The retirement columns ([`RETIREMENT_SUMMARY_COLUMNS`]):
    /// `write_off_at_retirement`.
    pub retirement: bool,
    /// The maintenance columns of `jobs.csv` ([`JOB_MAINTENANCE_COLUMNS`]),
    /// `services.csv` ([`SERVICE_MAINTENANCE_COLUMNS`]) and
    /// `service_summary.csv` ([`SERVICE_SUMMARY_MAINTENANCE_COLUMNS`]): a
    /// scenario with `[[maintenance]]`.
    pub maintenance: bool,
}

impl Columns {
    /// The physical world's columns only.
    pub const PHYSICAL: Columns = Columns {
        training: false,
        economics: false,
        opex_lines: false,
        tax: false,
        terminal: false,
        retirement: false,
        maintenance: false,
    };

    /// The columns for a scenario with `jobs` training jobs and no books.
    pub fn for_jobs(jobs: usize) -> Columns {
        Columns {
            training: jobs > 0,
            ..Columns::PHYSICAL
        }
    }

    /// The columns `scenario` fills.
    pub fn for_scenario(scenario: &crate::scenario::Scenario) -> Columns {
        let e = scenario.economics.as_ref();
        Columns {
            training: !scenario.training.jobs.is_empty(),
            economics: e.is_some(),
            opex_lines: e.is_some_and(|e| e.opex_lines.any()),
            tax: e.is_some_and(|e| e.tax.is_some()),
            terminal: e
                .is_some_and(|e| !matches!(e.terminal, crate::economics::residual::Terminal::None)),
            retirement: e.is_some_and(|e| e.capex.write_off_at_retirement),
            maintenance: !scenario.world.maintenance.is_empty(),
        }
    }
}

/// Writes `timeseries.csv`, `capacity.csv`, `buildout.csv`, `summary.csv`
/// and `summary.json`, `failures.csv` when asked, the workloads' files when
/// the scenario has workloads, and with [`CsvRecorder::with_report`] the
/// charts and `report.html`, as one [`OutputSet`]: the files are written in
/// a staging folder and appear in the target folder together, replacing the
/// previous run's set, only when [`CsvRecorder::finish`] succeeds. Dropping
/// the recorder without finishing removes the staging folder and leaves the
/// target as it was.
pub struct CsvRecorder {
    set: OutputSet,
    timeseries: Table<SampleRow>,
    /// `capacity.csv`, written from the sample rows.
    capacity: CapacityTable,
    failures: Option<Table<FailureRow>>,
    buildout: Table<BuildoutRow>,
    /// `jobs.csv`, opened at the first job row (scenarios with jobs only).
    jobs: Option<Table<JobRow>>,
    /// `services.csv`, opened at the first service row.
    services: Option<Table<ServiceRow>>,
    /// `service_summary.csv`, opened at the first service's summary.
    service_summary: Option<Table<ServiceSummaryRow>>,
    /// `request_windows.csv`, opened at the first window.
    windows: Option<Table<WindowRow>>,
    /// `maintenance.csv`, opened at the first maintenance window.
    maintenance: Option<Table<MaintenanceRow>>,
    /// Whether `jobs.csv`, `services.csv` and `service_summary.csv` have
    /// their maintenance columns.
    job_maintenance: bool,
    /// `requests.csv`, opened at the first request of a window.
    window_requests: Option<Table<WindowRequestRow>>,
    /// `monthly.csv`, opened at the first month (its columns depend on the
    /// contracts).
    monthly: Option<MonthlyTable>,
    /// `contracts_monthly.csv`, opened at the first row.
    contracts_monthly: Option<Table<ContractMonthRow>>,
    /// `contracts.csv`, opened at the first contract.
    contracts: Option<Table<ContractRow>>,
    summary: Table<SummaryRow>,
    /// Files the caller attached whole ([`CsvRecorder::attach`]).
    attached: Vec<Sink>,
    /// The first write error: the file's name and the error.
    error: Option<(&'static str, io::Error)>,
    /// What the charts and `report.html` need, when they are asked for.
    report: Option<ReportInputs>,
}

impl CsvRecorder {
    /// Prepares the set for the folder `dir` (created with its parents when
    /// the set is committed) and opens the files in its staging folder,
    /// with the physical columns only.
    pub fn create(dir: &Path, failures_log: bool) -> Result<CsvRecorder, OutputError> {
        CsvRecorder::create_with(dir, failures_log, Columns::PHYSICAL)
    }

    /// As [`CsvRecorder::create`], with the columns `columns` asks for.
    pub fn create_with(
        dir: &Path,
        failures_log: bool,
        columns: Columns,
    ) -> Result<CsvRecorder, OutputError> {
        let mut sample_parts = vec![SAMPLE_COLUMNS];
        let mut summary_parts = vec![SUMMARY_COLUMNS];
        if columns.training {
            sample_parts.push(TRAINING_SAMPLE_COLUMNS);
            summary_parts.push(TRAINING_SUMMARY_COLUMNS);
        }
        if columns.maintenance {
            sample_parts.push(MAINTENANCE_SAMPLE_COLUMNS);
        }
        if columns.economics {
            summary_parts.push(ECONOMICS_SUMMARY_COLUMNS);
        }
        if columns.opex_lines {
            summary_parts.push(OPEX_LINES_SUMMARY_COLUMNS);
        }
        if columns.tax {
            summary_parts.push(TAX_SUMMARY_COLUMNS);
        }
        if columns.terminal {
            summary_parts.push(TERMINAL_SUMMARY_COLUMNS);
        }
        if columns.retirement {
            summary_parts.push(RETIREMENT_SUMMARY_COLUMNS);
        }
        let mut set = OutputSet::create(dir)?;
        let timeseries = Table::open_parts(&mut set, "timeseries.csv", sample_parts)?;
        let capacity = CapacityTable::open(&mut set)?;
        let failures = if failures_log {
            Some(Table::open(&mut set, "failures.csv", FAILURE_COLUMNS)?)
        } else {
            None
        };
        let buildout = Table::open(&mut set, "buildout.csv", BUILDOUT_COLUMNS)?;
        let summary = Table::open_parts(&mut set, "summary.csv", summary_parts)?;
        Ok(CsvRecorder {
            set,
            timeseries,
            capacity,
            failures,
            buildout,
            jobs: None,
            services: None,
            service_summary: None,
            windows: None,
            maintenance: None,
            job_maintenance: columns.maintenance,
            window_requests: None,
            monthly: None,
            contracts_monthly: None,
            contracts: None,
            summary,
            attached: Vec::new(),
            error: None,
            report: None,
        })
    }

    /// Asks [`CsvRecorder::finish`] to draw the charts (PNG and SVG) and
    /// write `report.html`, from the run's files read back, before the set
    /// is committed. `inputs` holds what the files do not: the scenario's
    /// text and label, and the services' latency targets.
    pub fn with_report(mut self, inputs: ReportInputs) -> CsvRecorder {
        self.report = Some(inputs);
        self
    }

    /// Adds the file `name` (one of [`super::set::DCSIM_FILES`]) holding
    /// `bytes` to the set: it appears with the run's CSV files or not at
    /// all (a sweep's `run.json`).
    pub fn attach(&mut self, name: &'static str, bytes: &[u8]) -> Result<(), OutputError> {
        let sink = Sink::with_bytes(&mut self.set, name, bytes)?;
        self.attached.push(sink);
        Ok(())
    }

    /// Writes out every file and swaps the set into the target folder.
    /// After the CSV files are flushed and synced, reads `summary.csv` back
    /// and writes `summary.json`; with [`CsvRecorder::with_report`], reads
    /// the run's files back once more for the charts and `report.html`.
    /// Returns the final paths, or the first error met during the run
    /// (naming the file), in which case the target is left as it was.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, OutputError> {
        if let Some((name, e)) = self.error.take() {
            return Err(self.set.write_error(name, e));
        }
        let CsvRecorder {
            set,
            timeseries,
            capacity,
            failures,
            buildout,
            jobs,
            services,
            service_summary,
            windows,
            maintenance,
            job_maintenance: _,
            window_requests,
            monthly,
            contracts_monthly,
            contracts,
            summary,
            attached,
            error: _,
            report: _,
        } = &mut self;
        let mut sinks: Vec<&mut Sink> = vec![&mut timeseries.sink, &mut capacity.sink];
        sinks.extend(failures.as_mut().map(|t| &mut t.sink));
        sinks.push(&mut buildout.sink);
        sinks.extend(jobs.as_mut().map(|t| &mut t.sink));
        sinks.extend(services.as_mut().map(|t| &mut t.sink));
        sinks.extend(service_summary.as_mut().map(|t| &mut t.sink));
        sinks.extend(windows.as_mut().map(|t| &mut t.sink));
        sinks.extend(maintenance.as_mut().map(|t| &mut t.sink));
        sinks.extend(window_requests.as_mut().map(|t| &mut t.sink));
        sinks.extend(monthly.as_mut().map(|t| &mut t.sink));
        sinks.extend(contracts_monthly.as_mut().map(|t| &mut t.sink));
        sinks.extend(contracts.as_mut().map(|t| &mut t.sink));
        sinks.push(&mut summary.sink);
        sinks.extend(attached.iter_mut());
        close_all(set, sinks)?;

        let summary = read_table(&self.set, "summary.csv")?.unwrap_or_default();
        let json = super::json::summary_json(&summary);
        let mut files: Vec<(&'static str, Vec<u8>)> = vec![("summary.json", json.into_bytes())];
        if let Some(inputs) = self.report.take() {
            let data = RunData::read_with_summary(&self.set, summary)?;
            let charts = super::charts::draw_charts(&data, &inputs.services)
                .map_err(|(kind, message)| self.set.draw_error(kind.stem(), message))?;
            let html = super::report::report_html(&inputs, &data, &charts);
            for c in charts {
                files.push((c.kind.png_name(), c.png));
                files.push((c.kind.svg_name(), c.svg.into_bytes()));
            }
            files.push(("report.html", html.into_bytes()));
        }
        let borrowed: Vec<(&'static str, &[u8])> =
            files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        self.set.write_files(&borrowed)?;
        self.set.commit()
    }

    fn keep(&mut self, name: &'static str, result: io::Result<()>) {
        if let Err(e) = result {
            self.error = Some((name, e));
        }
    }
}

/// Writes a row to an optional table of a [`CsvRecorder`], opening it at
/// its first row, unless an earlier write failed; a failure is kept for
/// [`CsvRecorder::finish`] to report.
macro_rules! lazy {
    ($self:ident, $field:ident, $name:literal, $columns:expr, $row:expr) => {
        if $self.error.is_none() {
            let result = lazy_row(&mut $self.set, &mut $self.$field, $name, $columns, $row);
            $self.keep($name, result);
        }
    };
}

impl Recorder for CsvRecorder {
    fn sample(&mut self, r: &SampleRow) {
        if self.error.is_none() {
            let result = self.timeseries.row(r);
            self.keep("timeseries.csv", result);
        }
        if self.error.is_none() {
            let result = self.capacity.rows(r);
            self.keep("capacity.csv", result);
        }
    }

    fn failure(&mut self, r: &FailureRow) {
        if self.error.is_none()
            && let Some(t) = self.failures.as_mut()
        {
            let result = t.row(r);
            self.keep("failures.csv", result);
        }
    }

    fn buildout(&mut self, r: &BuildoutRow) {
        if self.error.is_none() {
            let result = self.buildout.row(r);
            self.keep("buildout.csv", result);
        }
    }

    fn job(&mut self, r: &JobRow) {
        if self.error.is_some() {
            return;
        }
        if self.jobs.is_none() {
            let mut parts = vec![JOB_COLUMNS];
            if self.job_maintenance {
                parts.push(JOB_MAINTENANCE_COLUMNS);
            }
            match Table::open_parts(&mut self.set, "jobs.csv", parts) {
                Ok(t) => self.jobs = Some(t),
                Err(e) => {
                    let result = Err(io::Error::other(e.to_string()));
                    self.keep("jobs.csv", result);
                    return;
                }
            }
        }
        let result = self.jobs.as_mut().expect("opened above").row(r);
        self.keep("jobs.csv", result);
    }

    fn maintenance(&mut self, r: &MaintenanceRow) {
        lazy!(self, maintenance, "maintenance.csv", MAINTENANCE_COLUMNS, r);
    }

    fn service(&mut self, r: &ServiceRow) {
        if self.error.is_none() {
            let mut parts = vec![SERVICE_COLUMNS];
            if self.job_maintenance {
                parts.push(SERVICE_MAINTENANCE_COLUMNS);
            }
            let result = lazy_parts(&mut self.set, &mut self.services, "services.csv", parts, r);
            self.keep("services.csv", result);
        }
    }

    fn service_summary(&mut self, r: &ServiceSummaryRow) {
        if self.error.is_none() {
            let mut parts = vec![SERVICE_SUMMARY_COLUMNS];
            if self.job_maintenance {
                parts.push(SERVICE_SUMMARY_MAINTENANCE_COLUMNS);
            }
            let name = "service_summary.csv";
            let result = lazy_parts(&mut self.set, &mut self.service_summary, name, parts, r);
            self.keep(name, result);
        }
    }

    fn window(&mut self, r: &WindowRow) {
        lazy!(self, windows, "request_windows.csv", WINDOW_COLUMNS, r);
    }

    fn window_request(&mut self, r: &WindowRequestRow) {
        lazy!(
            self,
            window_requests,
            "requests.csv",
            WINDOW_REQUEST_COLUMNS,
            r
        );
    }

    fn monthly(&mut self, r: &MonthlyRow) {
        if self.error.is_some() {
            return;
        }
        if self.monthly.is_none() {
            match MonthlyTable::open(&mut self.set, r) {
                Ok(t) => self.monthly = Some(t),
                Err(e) => {
                    self.keep("monthly.csv", Err(io::Error::other(e.to_string())));
                    return;
                }
            }
        }
        let result = self.monthly.as_mut().expect("opened above").row(r);
        self.keep("monthly.csv", result);
    }

    fn contract_month(&mut self, r: &ContractMonthRow) {
        lazy!(
            self,
            contracts_monthly,
            "contracts_monthly.csv",
            CONTRACT_MONTH_COLUMNS,
            r
        );
    }

    fn contract(&mut self, r: &ContractRow) {
        lazy!(self, contracts, "contracts.csv", CONTRACT_COLUMNS, r);
    }

    fn summary(&mut self, r: &SummaryRow) {
        if self.error.is_none() {
            let result = self.summary.row(r);
            self.keep("summary.csv", result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::failures::FailureKind;
    use proptest::prelude::*;

    fn fixed(x: f64, decimals: usize) -> String {
        let mut buf = Vec::new();
        push_fixed(&mut buf, x, decimals);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn interruption_columns_follow_the_causes_in_order() {
        // A row with interruption i counted i + 1 times writes i + 1 in the
        // column named after cause i.
        let mut interruptions = [0; crate::record::Interruption::COUNT];
        for (i, n) in interruptions.iter_mut().enumerate() {
            *n = i as u64 + 1;
        }
        let row = JobRow {
            id: 0,
            name: "j".into(),
            submit_h: 0.0,
            submit: String::new(),
            first_start_h: None,
            end_h: None,
            queue_wait_h: 0.0,
            chips: 1,
            rack: String::new(),
            chip: String::new(),
            site: String::new(),
            status: crate::record::JobStatus::QueuedAtEnd,
            interruptions,
            lost_chip_hours: 0.0,
            checkpoint_hours: 0.0,
            restart_hours: 0.0,
            ettr: None,
            flops_done: 0.0,
            chip_hours: 0.0,
            tokens_trained: None,
        };
        let names: Vec<&str> = JOB_COLUMNS.iter().map(|c| c.name).collect();
        let first = names
            .iter()
            .position(|n| *n == "interruptions_gpu")
            .unwrap();
        // Maintenance's column is its own part, after the others.
        let columns: Vec<&Column<JobRow>> =
            JOB_COLUMNS.iter().chain(JOB_MAINTENANCE_COLUMNS).collect();
        let names: Vec<&str> = names
            .iter()
            .copied()
            .take(first + crate::record::Interruption::COUNT - 1)
            .chain(JOB_MAINTENANCE_COLUMNS.iter().map(|c| c.name))
            .collect();
        let column = |i: usize| {
            if i + 1 < crate::record::Interruption::COUNT {
                columns[first + i]
            } else {
                columns[JOB_COLUMNS.len()]
            }
        };
        for (i, cause) in crate::record::Interruption::ALL.iter().enumerate() {
            assert_eq!(names[first + i], format!("interruptions_{}", cause.key()));
            assert_eq!(cause.index(), i);
            let mut line = Line::new();
            (column(i).put)(&row, &mut line);
            assert_eq!(
                line.buf,
                (i + 1).to_string().into_bytes(),
                "{}",
                names[first + i]
            );
        }
    }

    #[test]
    fn service_summary_counts_are_whole_requests() {
        // Issue 18 item 9: the epoch model's request counts are expected
        // values (1460132307692.313 in the default run); a count is
        // written as the nearest whole request.
        let row = crate::record::ServiceSummaryRow {
            service: "chat".into(),
            requests: 1_460_132_307_692.313,
            served: 1_460_000_000_000.7,
            beyond_capacity: 132_307_691.812_9,
            tokens_in: 0.0,
            tokens_out: 0.0,
            slo_attainment: 1.0,
            replica_hours: 0.0,
            chip_hours: 0.0,
            preemptions: 0,
            replicas_lost: 0,
            replicas_moved: 0,
        };
        let written: Vec<String> = SERVICE_SUMMARY_COLUMNS[1..4]
            .iter()
            .map(|c| {
                let mut line = Line::new();
                (c.put)(&row, &mut line);
                String::from_utf8(line.buf).unwrap()
            })
            .collect();
        assert_eq!(written, ["1460132307692", "1460000000001", "132307692"]);
    }

    /// The reference: the standard formatter without a negative zero.
    fn reference(x: f64, decimals: usize) -> String {
        let s = format!("{x:.decimals$}");
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_string()
        } else {
            s
        }
    }

    #[test]
    fn fixed_decimals_without_negative_zero() {
        assert_eq!(fixed(1.0, 3), "1.000");
        assert_eq!(fixed(-0.0000001, 3), "0.000");
        assert_eq!(fixed(-0.0, 2), "0.00");
        assert_eq!(fixed(-1.5, 1), "-1.5");
        assert_eq!(fixed(12.0, 0), "12");
        assert_eq!(fixed(0.0005, 3), reference(0.0005, 3));
        assert_eq!(fixed(2.675, 2), reference(2.675, 2), "2.675 is 2.67499…");
        assert_eq!(fixed(1e300, 2), reference(1e300, 2));
        assert_eq!(fixed(f64::NAN, 2), "NaN");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

        /// The fast path writes the same bytes as the standard formatter.
        #[test]
        fn fixed_matches_the_standard_formatter(x in prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO, d in 0usize..7) {
            prop_assert_eq!(fixed(x, d), reference(x, d));
        }

        /// Scientific notation is `{:e}`'s, byte for byte, zeros included.
        #[test]
        fn sci_matches_the_standard_formatter(bits in any::<u64>(), zero in any::<bool>()) {
            let x = if zero { 0.0 } else { f64::from_bits(bits) };
            let mut buf = Vec::new();
            push_sci(&mut buf, x);
            prop_assert_eq!(String::from_utf8(buf).unwrap(), format!("{x:e}"));
        }

        #[test]
        fn fixed_matches_on_ties_and_money(cents in -10_000_000_000i64..10_000_000_000, d in 0usize..7) {
            // Values near decimal halves, where rounding is hardest.
            let x = cents as f64 / 1000.0 + 0.0005;
            prop_assert_eq!(fixed(x, d), reference(x, d));
        }
    }

    #[test]
    fn text_is_quoted_as_the_csv_crate_quotes_it() {
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""];
        let mut line = Line::new();
        for f in fields {
            line.text(f);
        }
        line.end();
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(fields).unwrap();
        assert_eq!(line.buf, w.into_inner().unwrap());
    }

    #[test]
    fn failure_columns_follow_the_classes() {
        let names =
            |cols: &[&'static str]| -> Vec<String> { cols.iter().map(|s| s.to_string()).collect() };
        let classes: Vec<String> = FailureKind::ALL
            .iter()
            .map(|k| format!("failures_{}", k.key()))
            .collect();
        let sample: Vec<&str> = SAMPLE_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(names(&sample[sample.len() - 9..]), classes);
        let summary: Vec<&str> = SUMMARY_COLUMNS.iter().map(|c| c.name).collect();
        let n = summary.len();
        assert_eq!(names(&summary[n - 10..n - 1]), classes);
    }

    #[test]
    fn files_appear_only_when_finished() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        let rec = CsvRecorder::create(&dir, true).unwrap();
        assert!(!dir.exists(), "nothing in the target before finish");
        drop(rec);
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "dropped: staging folder removed"
        );
        let rec = CsvRecorder::create(&dir, false).unwrap();
        let written = rec.finish().unwrap();
        // timeseries, capacity, buildout, summary (.csv and .json).
        assert_eq!(written.len(), 5);
        assert!(dir.join("summary.json").exists());
        assert!(!dir.join("report.html").exists(), "no report unless asked");
        assert!(dir.join("capacity.csv").exists());
        assert!(dir.join("timeseries.csv").exists());
        assert!(!dir.join("failures.csv").exists());
    }
}
