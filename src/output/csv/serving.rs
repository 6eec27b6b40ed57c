//! Columns of the serving files: `requests.csv`, the replay summary,
//! `services.csv`, `service_summary.csv` and the windows' files.

use super::*;

columns! {
    /// Columns of `requests.csv` (request-level serving): one row per request,
    /// times in seconds to the microsecond; latencies empty for a rejected
    /// request, TPOT empty with fewer than two output tokens.
    pub const REQUEST_COLUMNS: [Column<RequestRow>] in replay_requests = [
        REQUEST = "request" => |r, l| l.int(r.id),
        ARRIVAL_S = "arrival_s" in Seconds => |r, l| l.fixed(r.arrival_s, 6),
        REPLICA = "replica" => |r, l| match r.replica { Some(i) => l.int(i.into()), None => l.text(""), },
        INPUT_TOKENS = "input_tokens" => |r, l| l.int(r.input_tokens.into()),
        OUTPUT_TOKENS = "output_tokens" => |r, l| l.int(r.output_tokens.into()),
        TTFT_S = "ttft_s" in Seconds => |r, l| opt_fixed(l, r.ttft_s, 6),
        TPOT_S = "tpot_s" in Seconds => |r, l| opt_fixed(l, r.tpot_s, 6),
        E2E_S = "e2e_s" in Seconds => |r, l| opt_fixed(l, r.e2e_s, 6),
        FINISHED = "finished", Text => |r, l| l.text(if r.finished { "true" } else { "false" }),
        CACHED_TOKENS = "cached_tokens" => |r, l| match r.cached_tokens { Some(n) => l.int(n.into()), None => l.text(""), },
    ];
}

columns! {
    /// Columns of `replay_summary.csv`: one row, the summary of a
    /// request-level replay (times in seconds; SLO columns empty without
    /// targets).
    pub const REPLAY_SUMMARY_COLUMNS: [Column<ServeSummary>] in replay_summary = [
        REQUESTS = "requests" => |r, l| l.int(r.requests),
        FINISHED = "finished" => |r, l| l.int(r.finished),
        REJECTED = "rejected" => |r, l| l.int(r.rejected),
        INPUT_TOKENS = "input_tokens" => |r, l| l.int(r.input_tokens),
        OUTPUT_TOKENS = "output_tokens" => |r, l| l.int(r.output_tokens),
        SIMULATED_S = "simulated_s" in Seconds => |r, l| finite_or_empty(l, r.simulated_s, 6),
        TTFT_MEAN_S = "ttft_mean_s" in Seconds => |r, l| finite_or_empty(l, r.ttft.mean, 6),
        TTFT_P50_S = "ttft_p50_s" in Seconds => |r, l| finite_or_empty(l, r.ttft.p50, 6),
        TTFT_P90_S = "ttft_p90_s" in Seconds => |r, l| finite_or_empty(l, r.ttft.p90, 6),
        TTFT_P99_S = "ttft_p99_s" in Seconds => |r, l| finite_or_empty(l, r.ttft.p99, 6),
        TPOT_MEAN_S = "tpot_mean_s" in Seconds => |r, l| finite_or_empty(l, r.tpot.mean, 6),
        TPOT_P50_S = "tpot_p50_s" in Seconds => |r, l| finite_or_empty(l, r.tpot.p50, 6),
        TPOT_P90_S = "tpot_p90_s" in Seconds => |r, l| finite_or_empty(l, r.tpot.p90, 6),
        TPOT_P99_S = "tpot_p99_s" in Seconds => |r, l| finite_or_empty(l, r.tpot.p99, 6),
        E2E_MEAN_S = "e2e_mean_s" in Seconds => |r, l| finite_or_empty(l, r.e2e.mean, 6),
        E2E_P50_S = "e2e_p50_s" in Seconds => |r, l| finite_or_empty(l, r.e2e.p50, 6),
        E2E_P90_S = "e2e_p90_s" in Seconds => |r, l| finite_or_empty(l, r.e2e.p90, 6),
        E2E_P99_S = "e2e_p99_s" in Seconds => |r, l| finite_or_empty(l, r.e2e.p99, 6),
        BATCH_STEPS = "batch_steps" => |r, l| l.int(r.iterations),
        MEAN_DECODE_BATCH = "mean_decode_batch" => |r, l| finite_or_empty(l, r.mean_decode_batch, 6),
        UTILIZATION = "utilization" => |r, l| finite_or_empty(l, r.utilization, 6),
        SLO_ATTAINMENT = "slo_attainment" => |r, l| opt_fixed(l, r.slo.as_ref().map(|s| s.attainment), 6),
        SLO_MET = "slo_met", Text => |r, l| match &r.slo { Some(s) => l.text(if s.met { "true" } else { "false" }), None => l.text(""), },
        PREFIX_BLOCKS = "prefix_blocks" => |r, l| opt_int(l, r.prefix.map(|p| p.blocks)),
        PREFIX_BLOCKS_HIT = "prefix_blocks_hit" => |r, l| opt_int(l, r.prefix.map(|p| p.blocks_hit)),
        PREFIX_BLOCK_HIT_RATE = "prefix_block_hit_rate" => |r, l| opt_fixed(l, r.prefix.map(|p| p.block_hit_rate()), 6),
        PREFIX_TOKENS_HIT = "prefix_tokens_hit" => |r, l| opt_int(l, r.prefix.map(|p| p.tokens_hit)),
        PREFIX_TOKEN_HIT_RATE = "prefix_token_hit_rate" => |r, l| opt_fixed(l, r.prefix.map(|p| p.token_hit_rate()), 6),
    ];
}

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

columns! {
    /// Columns of `services.csv`.
    pub const SERVICE_COLUMNS: [Column<ServiceRow>] in services_base = [
        TIME_H = "time_h" in Hours => |r, l| l.fixed_repeating(r.time_h, 3),
        TIMESTAMP = "timestamp", Text => |r, l| l.date_time(r.timestamp),
        SERVICE = "service", Text => |r, l| l.text(r.service.as_str()),
        DEMAND_RPS = "demand_rps" => |r, l| l.fixed(r.demand_rps, 6),
        CAPACITY_RPS = "capacity_rps" => |r, l| l.fixed(r.capacity_rps, 6),
        SERVED_RPS = "served_rps" => |r, l| l.fixed(r.served_rps, 6),
        BEYOND_RPS = "beyond_rps" => |r, l| l.fixed(r.beyond_rps, 6),
        BACKLOG = "backlog" => |r, l| l.fixed(r.backlog, 3),
        REPLICAS = "replicas" => |r, l| l.int(r.replicas.into()),
        REPLICAS_LOADING = "replicas_loading" => |r, l| l.int(r.replicas_loading.into()),
        CHIPS = "chips" => |r, l| l.int(r.chips),
        UTILIZATION = "utilization" => |r, l| l.fixed(r.utilization, 6),
        TTFT_MEAN_S = "ttft_mean_s" in Seconds => |r, l| l.fixed(r.ttft_mean_s, 6),
        TTFT_P99_S = "ttft_p99_s" in Seconds => |r, l| l.fixed(r.ttft_p99_s, 6),
        TPOT_MEAN_S = "tpot_mean_s" in Seconds => |r, l| l.fixed(r.tpot_mean_s, 6),
        TPOT_P99_S = "tpot_p99_s" in Seconds => |r, l| l.fixed(r.tpot_p99_s, 6),
        SLO_ATTAINMENT = "slo_attainment" => |r, l| l.fixed(r.slo_attainment, 6),
        TOKENS_IN = "tokens_in" => |r, l| l.sci(r.tokens_in),
        TOKENS_OUT = "tokens_out" => |r, l| l.sci(r.tokens_out),
        PREEMPTIONS = "preemptions" => |r, l| l.int(r.preemptions.into()),
        REPLICAS_LOST = "replicas_lost" => |r, l| l.int(r.replicas_lost.into()),
    ];
}

columns! {
    /// The column `services.csv` adds after [`SERVICE_COLUMNS`] in a scenario
    /// with `[[maintenance]]`: replicas moved off racks going into a window
    /// over the interval (announced, so not lost; not in `replicas_lost`).
    pub const SERVICE_MAINTENANCE_COLUMNS: [Column<ServiceRow>] in services_maintenance = [
        REPLICAS_MOVED = "replicas_moved" => |r, l| l.int(r.replicas_moved.into()),
    ];
}

columns! {
    /// The columns `services.csv` adds at its end in a scenario with a
    /// separate prefill pool (`[services.prefill_pool]`): that pool's
    /// replicas serving and loading, chips (also in `chips`) and mean
    /// utilization; 0 for a service without one.
    pub const SERVICE_PREFILL_COLUMNS: [Column<ServiceRow>] in services_prefill = [
        PREFILL_REPLICAS = "prefill_replicas" => |r, l| l.int(r.prefill.map_or(0, |p| p.replicas).into()),
        PREFILL_REPLICAS_LOADING = "prefill_replicas_loading" => |r, l| l.int(r.prefill.map_or(0, |p| p.replicas_loading).into()),
        PREFILL_CHIPS = "prefill_chips" => |r, l| l.int(r.prefill.map_or(0, |p| p.chips)),
        PREFILL_UTILIZATION = "prefill_utilization" => |r, l| l.fixed(r.prefill.map_or(0.0, |p| p.utilization), 6),
    ];
}

columns! {
    /// Columns of `service_summary.csv`.
    pub const SERVICE_SUMMARY_COLUMNS: [Column<ServiceSummaryRow>] in service_summary_base = [
        SERVICE = "service", Text => |r, l| l.text(&r.service),
        // The epoch model's expected counts, written as whole requests.
        REQUESTS = "requests" => |r, l| l.fixed(r.requests, 0),
        SERVED = "served" => |r, l| l.fixed(r.served, 0),
        BEYOND_CAPACITY = "beyond_capacity" => |r, l| l.fixed(r.beyond_capacity, 0),
        TOKENS_IN = "tokens_in" => |r, l| l.sci(r.tokens_in),
        TOKENS_OUT = "tokens_out" => |r, l| l.sci(r.tokens_out),
        SLO_ATTAINMENT = "slo_attainment" => |r, l| l.fixed(r.slo_attainment, 6),
        REPLICA_HOURS = "replica_hours" => |r, l| l.fixed(r.replica_hours, 3),
        CHIP_HOURS = "chip_hours" => |r, l| l.fixed(r.chip_hours, 3),
        PREEMPTIONS = "preemptions" => |r, l| l.int(r.preemptions),
        REPLICAS_LOST = "replicas_lost" => |r, l| l.int(r.replicas_lost),
    ];
}

columns! {
    /// The column `service_summary.csv` adds after [`SERVICE_SUMMARY_COLUMNS`]
    /// in a scenario with `[[maintenance]]`: replicas moved off racks going
    /// into a window over the run.
    pub const SERVICE_SUMMARY_MAINTENANCE_COLUMNS: [Column<ServiceSummaryRow>] in service_summary_maintenance = [
        REPLICAS_MOVED = "replicas_moved" => |r, l| l.int(r.replicas_moved),
    ];
}

columns! {
    /// Columns of `request_windows.csv`: one row per request-level window of a
    /// scenario, the `replay_summary.csv` figures after its identity.
    pub const WINDOW_COLUMNS: [Column<WindowRow>] in request_windows = [
        WINDOW = "window" => |r, l| l.int(r.window.0.into()),
        SERVICE = "service", Text => |r, l| l.text(&r.service),
        START = "start", Text => |r, l| l.date_time(r.start),
        START_H = "start_h" in Hours => |r, l| l.fixed(r.start_h, 6),
        SOURCE = "source", Text => |r, l| l.text(&r.source),
        REPLICAS = "replicas" => |r, l| l.int(r.replicas.into()),
        REQUESTS = "requests" => |r, l| l.int(r.summary.requests),
        FINISHED = "finished" => |r, l| l.int(r.summary.finished),
        REJECTED = "rejected" => |r, l| l.int(r.summary.rejected),
        INPUT_TOKENS = "input_tokens" => |r, l| l.int(r.summary.input_tokens),
        OUTPUT_TOKENS = "output_tokens" => |r, l| l.int(r.summary.output_tokens),
        SIMULATED_S = "simulated_s" in Seconds => |r, l| l.fixed(r.summary.simulated_s, 6),
        TTFT_MEAN_S = "ttft_mean_s" in Seconds => |r, l| l.fixed(r.summary.ttft.mean, 6),
        TTFT_P99_S = "ttft_p99_s" in Seconds => |r, l| l.fixed(r.summary.ttft.p99, 6),
        TPOT_MEAN_S = "tpot_mean_s" in Seconds => |r, l| l.fixed(r.summary.tpot.mean, 6),
        TPOT_P99_S = "tpot_p99_s" in Seconds => |r, l| l.fixed(r.summary.tpot.p99, 6),
        E2E_MEAN_S = "e2e_mean_s" in Seconds => |r, l| l.fixed(r.summary.e2e.mean, 6),
        E2E_P99_S = "e2e_p99_s" in Seconds => |r, l| l.fixed(r.summary.e2e.p99, 6),
        BATCH_STEPS = "batch_steps" => |r, l| l.int(r.summary.iterations),
        UTILIZATION = "utilization" => |r, l| l.fixed(r.summary.utilization, 6),
        SLO_ATTAINMENT = "slo_attainment" => |r, l| opt_fixed(l, r.summary.slo.as_ref().map(|s| s.attainment), 6),
        KV_TRANSFER_GB = "kv_transfer_gb" in Gb => |r, l| opt_fixed(l, r.kv.map(|k| k.gb), 6),
        KV_TRANSFER_MEAN_S = "kv_transfer_mean_s" in Seconds => |r, l| opt_fixed(l, r.kv.map(|k| k.transfer_mean_s), 6),
        KV_TRANSFER_P99_S = "kv_transfer_p99_s" in Seconds => |r, l| opt_fixed(l, r.kv.map(|k| k.transfer_p99_s), 6),
        KV_FABRIC_FLOWS = "kv_fabric_flows" => |r, l| match r.kv { Some(k) => l.int(k.fabric_flows.into()), None => l.text(""), },
        KV_FLOWS_SHARED = "kv_flows_shared" => |r, l| match r.kv { Some(k) => l.int(k.shared_flows.into()), None => l.text(""), },
        KV_FABRIC_SHARE_GBIT_PER_S = "kv_fabric_share_gbit_per_s" in GbitPerS => |r, l| opt_fixed(l, r.kv.filter(|k| k.fabric_flows > 0) .map(|k| k.fabric_share_gbit_per_s), 3),
    ];
}

columns! {
    /// Columns of `requests.csv` in a scenario: the window, then the columns
    /// of [`REQUEST_COLUMNS`].
    pub const WINDOW_REQUEST_COLUMNS: [Column<WindowRequestRow>] in requests = [
        WINDOW = "window" => |r, l| l.int(r.window.0.into()),
        REQUEST = "request" => |r, l| l.int(r.row.id),
        ARRIVAL_S = "arrival_s" in Seconds => |r, l| l.fixed(r.row.arrival_s, 6),
        REPLICA = "replica" => |r, l| match r.row.replica { Some(i) => l.int(i.into()), None => l.text(""), },
        INPUT_TOKENS = "input_tokens" => |r, l| l.int(r.row.input_tokens.into()),
        OUTPUT_TOKENS = "output_tokens" => |r, l| l.int(r.row.output_tokens.into()),
        TTFT_S = "ttft_s" in Seconds => |r, l| opt_fixed(l, r.row.ttft_s, 6),
        TPOT_S = "tpot_s" in Seconds => |r, l| opt_fixed(l, r.row.tpot_s, 6),
        E2E_S = "e2e_s" in Seconds => |r, l| opt_fixed(l, r.row.e2e_s, 6),
        FINISHED = "finished", Text => |r, l| l.text(if r.row.finished { "true" } else { "false" }),
    ];
}
