//! Columns of the serving files: `requests.csv`, the replay summary,
//! `services.csv`, `service_summary.csv` and the windows' files.

use super::*;

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
    col!("finished", Text, |r, l| l.text(if r.finished {
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
    col!("slo_met", Text, |r, l| match &r.slo {
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
/// [`crate::output::set`]). Returns the final paths.
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
    col!("timestamp", Text, |r, l| l.text(r.timestamp.as_str())),
    col!("service", Text, |r, l| l.text(r.service.as_str())),
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
    col!("service", Text, |r, l| l.text(&r.service)),
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
    col!("service", Text, |r, l| l.text(&r.service)),
    col!("start", Text, |r, l| l.text(&r.start)),
    col!("start_h", |r, l| l.fixed(r.start_h, 6)),
    col!("source", Text, |r, l| l.text(&r.source)),
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
    col!("finished", Text, |r, l| l.text(if r.row.finished {
        "true"
    } else {
        "false"
    })),
];
