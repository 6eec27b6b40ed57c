//! Inference services on the fleet (issue 9): autoscaling to the replicas
//! the roofline says, preemption of training counted on both sides, the
//! power of serving chips, one state per replica, located bad input.

use dcsim::catalog::Catalog;
use dcsim::workload::serving::roofline::{Replica, model};

use crate::internals::common::{Edit, load_text, run};
use crate::internals::training::step_all;

/// One site of `RACKS` HGX H100 racks (4 servers of 8 H100 each, one
/// scale-up domain per server), no failures, 15-minute samples; services
/// and jobs follow.
const BASE: &str = concat!(
    r#"
name = "serving"
start = "2026-01-01"
duration = "1d"
seed = 1
sample_every = "15min"

"#,
    no_failures!(),
    r#"software = { rate_per_million_hours = 0 }

[[sites]]
name = "east"
grid_mw = 10
pue = 1.0
[[sites.buildout]]
rack = "hgx-h100"
count = RACKS
date = "2026-01-01"
"#
);

/// A Llama 3.1 70B service of `RATE` requests/s (1,000 in, 250 out tokens),
/// one 8-GPU server per replica, 30 minutes to load weights.
const CHAT: &str = r#"
[[services]]
name = "chat"
model = "llama-3.1-70b"
rack = "hgx-h100"
input_tokens = 1000
output_tokens = 250
rate_per_s = RATE
target_utilization = 0.7
min_replicas = 1
scale_up_delay = "30min"
PREEMPT
"#;

fn text(racks: u32, rate: f64, preempt: bool, jobs: &str) -> String {
    BASE.edit("RACKS", &racks.to_string())
        + &CHAT.edit("RATE", &rate.to_string()).edit(
            "PREEMPT",
            if preempt {
                "preempt_training = true\npriority = 5"
            } else {
                ""
            },
        )
        + jobs
}

/// A replica's top service rate for the chat service, as the roofline
/// computes it: 8 H100, batch bounded by the KV cache.
fn mu_max() -> f64 {
    let c = Catalog::builtin();
    let r = Replica::new(
        model("llama-3.1-70b").unwrap().spec,
        c.chip("h100").unwrap(),
        8,
    )
    .unwrap();
    r.max_service_rate(1000.0, 250.0, u64::MAX)
}

#[test]
fn the_autoscaler_holds_the_replicas_the_roofline_asks_for() {
    // μ_max ≈ 15.21 requests/s (prefill 2·70.6e9·1000 ÷ (8·989e12·0.399) =
    // 44.7 ms a request, plus its tensor-parallel all-reduces, 2 × 80
    // layers × 2·7/8 × 1000 × 8192 × 2 B ÷ 450e9 B/s = 10.2 ms; the KV
    // cache holds 1,217 requests of 1,250 tokens; a decode step at that
    // batch 40.4 ms of memory at decode efficiency 0.544 plus 12.4 ms of
    // all-reduce): at 0.7 utilization a replica takes 10.65 requests/s, so
    // 500 requests/s want ⌈500 ÷ 10.65⌉ = 47 replicas, on 12 racks (48
    // servers). They load for 30 minutes: the first two samples show
    // them loading, nothing served (all beyond capacity, dropped).
    let mu = mu_max();
    assert!((mu - 15.21).abs() < 0.01, "{mu}");
    let wanted = (500.0 / (mu * 0.7)).ceil() as u32;
    assert_eq!(wanted, 47);
    let s = load_text(&text(12, 500.0, false, ""));
    let (rec, _) = run(&s);
    let at = |h: f64| {
        rec.services
            .iter()
            .find(|r| (r.time_h - h).abs() < 1e-9)
            .unwrap()
    };
    let first = at(0.25);
    assert_eq!((first.replicas, first.replicas_loading), (0, wanted));
    assert_eq!(first.chips, u64::from(wanted) * 8);
    assert_eq!(first.served_rps, 0.0);
    assert!((first.beyond_rps - 500.0).abs() < 1e-6);
    // From 30 minutes on they serve: 500 requests/s in every 15 minutes,
    // utilization 500 ÷ (47 × μ_max).
    let later = at(1.0);
    assert_eq!((later.replicas, later.replicas_loading), (wanted, 0));
    assert!((later.served_rps - 500.0).abs() < 1e-6, "{later:?}");
    let u = 500.0 / (f64::from(wanted) * mu);
    assert!(
        (later.utilization - u).abs() < 1e-9,
        "{} vs {u}",
        later.utilization
    );
    // Tokens by hand: 500 × 900 s × 1,000 in, × 250 out.
    assert!((later.tokens_in - 500.0 * 900.0 * 1000.0).abs() < 1.0);
    assert!((later.tokens_out - 500.0 * 900.0 * 250.0).abs() < 1.0);
    // The summary adds the epochs: 2 epochs dropped (30 min × 500/s), the
    // other 94 served.
    let sum = &rec.service_summaries[0];
    assert!((sum.requests - 500.0 * 86_400.0).abs() < 1.0);
    assert!(
        (sum.beyond_capacity - 500.0 * 1_800.0).abs() < 1.0,
        "{sum:?}"
    );
    assert!((sum.served - 500.0 * (86_400.0 - 1_800.0)).abs() < 1.0);
    // Replica-hours: 47 replicas serving for 23.5 h.
    assert!((sum.replica_hours - 47.0 * 23.5).abs() < 1e-6, "{sum:?}");
}

/// Issue 21 item 4 (epoch mode): a stated prefix hit rate of 0.5 halves
/// every prefill's computed tokens. By hand: the prefill of a 1,000-token
/// prompt, 44.7 ms of FLOPs plus 10.2 ms of all-reduces (above), becomes
/// that of 500 tokens, 27.5 ms (both halve); the decode step (40.4 + 12.4 ms at the
/// full batch of 1,217) and the KV cache are unchanged. So
/// `μ_max = 1,217 ÷ (1,217 × 0.0275 + 249 × 0.0528)` ≈ 26.1 requests/s a
/// replica instead of 15.21, and 500 requests/s at 0.7 utilization want
/// ⌈500 ÷ (0.7 μ_max)⌉ = 28 replicas instead of 47.
#[test]
fn a_stated_prefix_hit_rate_cuts_the_prefill_work() {
    let c = Catalog::builtin();
    let r = Replica::new(
        model("llama-3.1-70b").unwrap().spec,
        c.chip("h100").unwrap(),
        8,
    )
    .unwrap();
    let half = r.with_prefix_hit_rate(0.5);
    assert_eq!(half.prefill_time(1_000.0), r.prefill_time(500.0));
    assert!((r.prefill_time(1_000.0) - 0.0549).abs() < 1e-4);
    assert!((half.prefill_time(1_000.0) - 0.0275).abs() < 1e-4);
    assert_eq!(half.decode_step(1_217.0, 1e6), r.decode_step(1_217.0, 1e6));
    assert_eq!(half.max_batch_for(1000.0, 250.0), 1_217);
    let b = 1_217.0;
    let tau = r.decode_step(b, b * (1000.0 + 125.0));
    let mu = b / (b * half.prefill_time(1000.0) + 249.0 * tau);
    assert_eq!(half.max_service_rate(1000.0, 250.0, u64::MAX), mu);
    assert!((mu - 26.1).abs() < 0.05, "{mu}");
    let wanted = (500.0 / (mu * 0.7)).ceil() as u32;
    assert_eq!(wanted, 28);
    let text = text(10, 500.0, false, "").edit(
        "min_replicas = 1",
        "min_replicas = 1\nprefix_hit_rate = 0.5",
    );
    let (rec, _) = run(&load_text(&text));
    let later = rec
        .services
        .iter()
        .find(|r| (r.time_h - 1.0).abs() < 1e-9)
        .unwrap();
    assert_eq!((later.replicas, later.replicas_loading), (wanted, 0));
    let u = 500.0 / (f64::from(wanted) * mu);
    assert!((later.utilization - u).abs() < 1e-9, "{later:?}");
}

#[test]
fn a_replica_of_two_domains_hosts_two_tensor_parallel_copies() {
    // replica_chips = 16 (two 8-GPU servers) with tensor_parallel = 8: each
    // replica hosts two copies of the μ_max of the test above, so 500
    // requests/s want ⌈47 copies ÷ 2⌉ = 24 replicas (384 chips), and the
    // epoch model serves on 48 copies: utilization 500 ÷ (48 × μ_max).
    let text = text(12, 500.0, false, "").edit(
        "rack = \"hgx-h100\"\ninput",
        "rack = \"hgx-h100\"\nreplica_chips = 16\ntensor_parallel = 8\ninput",
    );
    let s = load_text(&text);
    assert_eq!(s.serving.services[0].tensor_parallel, 8);
    let (rec, _) = run(&s);
    let later = rec
        .services
        .iter()
        .find(|r| (r.time_h - 1.0).abs() < 1e-9)
        .unwrap();
    assert_eq!((later.replicas, later.chips), (24, 24 * 16));
    let u = 500.0 / (48.0 * mu_max());
    assert!((later.utilization - u).abs() < 1e-9, "{later:?}");
}

#[test]
fn a_service_preempts_lower_priority_training_and_both_sides_count_it() {
    // 4 racks = 16 servers. "bulk" (priority 0) takes 12 servers (96
    // chips) at once; the service (priority 5, may preempt) then wants
    // ⌈150 ÷ 10.65⌉ = 15 replicas and finds 4 free: it preempts "bulk"
    // (the only job), which releases its 12 servers and queues again; the
    // service takes 15, leaving 1, too few for "bulk" to restart.
    let jobs = r#"
[[jobs]]
name = "bulk"
rack = "hgx-h100"
chips = 96
ideal_duration = "30d"
"#;
    let s = load_text(&text(4, 150.0, true, jobs));
    let (rec, _) = run(&s);
    let bulk = &rec.jobs[0];
    assert_eq!(bulk.interruptions_total(), 1, "{bulk:?}");
    assert_eq!(
        bulk.interruptions[dcsim::record::Interruption::Preempted.index()],
        1
    );
    assert_eq!(bulk.status, "queued_at_end");
    let sum = &rec.service_summaries[0];
    assert_eq!(sum.preemptions, 1);
    let first = &rec.services[0];
    assert_eq!(first.preemptions, 1);
    assert_eq!(first.replicas + first.replicas_loading, 15);
    // Without preemption the service runs on the 4 free servers and
    // reports the rest of its demand beyond capacity.
    let s = load_text(&text(4, 150.0, false, jobs));
    let (rec, _) = run(&s);
    assert_eq!(rec.jobs[0].interruptions_total(), 0);
    let later = rec.services.iter().find(|r| r.time_h == 2.0).unwrap();
    assert_eq!(later.replicas, 4);
    let capacity = 4.0 * mu_max();
    assert!((later.served_rps - capacity).abs() < 1e-6, "{later:?}");
    assert!((later.beyond_rps - (150.0 - capacity)).abs() < 1e-6);
}

#[test]
fn serving_chips_draw_power_by_load_and_replicas_stay_consistent() {
    // 10 racks, 300 requests/s: ⌈300 ÷ 10.65⌉ = 29 replicas (232 chips).
    // With no jobs and no failures, the IT power at a sample after the
    // replicas serve is: 10 racks × overhead + 320 chips × idle + 232
    // chips × (TDP − idle) × u, u = 300 ÷ (29 × μ_max).
    let s = load_text(&text(10, 300.0, false, ""));
    let rack = &s.world.rack_types[0];
    let (idle, tdp) = (rack.chip.idle.value(), rack.chip.tdp.value());
    let overhead = rack.rack.overhead.value();
    let u = 300.0 / (29.0 * mu_max());
    let mut checked = 0;
    let rec = step_all(&s, |m, now| {
        let dcsim::workload::serving::fleet::ReplicaCounts {
            ready,
            loading,
            chips,
        } = m.serving().replicas(0);
        assert_eq!(chips, u64::from(ready + loading) * 8);
        if now.hours() > 1.0 && ready == 29 {
            let want = 10.0 * overhead + 320.0 * idle + 232.0 * (tdp - idle) * u;
            let got = m.world().site_it_power(dcsim::world::SiteId(0)).value();
            assert!((got - want).abs() < 1e-3 * want, "{got} vs {want}");
            checked += 1;
        }
    });
    assert!(checked > 10);
    assert!(
        rec.services
            .iter()
            .all(|r| r.replicas + r.replicas_loading <= 29)
    );
}

#[test]
fn runs_with_services_are_deterministic() {
    let jobs = "\n[[arrivals]]\nname = \"t\"\nrack = \"hgx-h100\"\nrate_per_day = 20\nchips = [8, 16]\nideal_duration = { kind = \"uniform\", min = \"1h\", max = \"4h\" }\n";
    let text = text(6, 200.0, true, jobs).edit(
        "rate_per_s = 200",
        "rate_per_s = 200\nnoise_sigma = 0.2\ngrowth = { kind = \"exponential\", per_year = 2.0 }",
    );
    let s = load_text(&text);
    let (a, sa) = run(&s);
    let (b, sb) = run(&s);
    assert_eq!(a.services, b.services);
    assert_eq!(a.service_summaries, b.service_summaries);
    assert_eq!(a.jobs, b.jobs);
    assert_eq!(sa, sb);
}

#[test]
fn bad_services_are_located_with_a_fix() {
    let good = text(4, 100.0, false, "");
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "model = \"llama-3.1-70b\"",
            "model = \"llama-3.1-405b\"",
            "services[0].model",
            &["812 GB", "640 GB", "replica_chips = 16"],
        ),
        (
            "model = \"llama-3.1-70b\"",
            "model = \"llama-3.1-70\"",
            "services[0].model",
            &["did you mean \"llama-3.1-70b\""],
        ),
        (
            "rate_per_s = 100",
            "rate_per_s = 100\ndiurnal = [1, 2]",
            "services[0].diurnal",
            &["24 values, found 2"],
        ),
        (
            "rate_per_s = 100",
            "rate_per_s = 100\ngrowth = { kind = \"exponentail\", per_year = 0.3 }",
            "services[0].growth.kind",
            &["did you mean \"exponential\""],
        ),
        (
            "rack = \"hgx-h100\"\ninput",
            "rack = \"hgx-h100\"\nreplica_chips = 12\ninput",
            "services[0].replica_chips",
            &["scale-up domains of 8"],
        ),
        (
            "rack = \"hgx-h100\"\ninput",
            "rack = \"hgx-h100\"\nreplica_chips = 16\ntensor_parallel = 3\ninput",
            "services[0].tensor_parallel",
            &["do not divide the replica's 16"],
        ),
        (
            "model = \"llama-3.1-70b\"",
            "model = \"llama-3.1-70b\"\nprecision = \"fp6\"",
            "services[0].precision",
            &["not a precision", "bf16, fp8, fp4"],
        ),
        (
            "min_replicas = 1",
            "min_replicas = 5\nmax_replicas = 2",
            "services[0].max_replicas",
            &["at least min_replicas"],
        ),
        (
            "min_replicas = 1",
            "min_replicas = 1\nbeyond_capacity = \"queue\"",
            "services[0].beyond_capacity",
            &["\"drop\" or \"backlog\""],
        ),
        (
            "min_replicas = 1",
            "min_replicas = 1\nprefill = \"chunk\"",
            "services[0].prefill",
            &["did you mean \"chunked\"", "\"chunked\" or \"whole\""],
        ),
        (
            "min_replicas = 1",
            "min_replicas = 1\nmax_batched_tokens = 0",
            "services[0].max_batched_tokens",
            &["at least 1 token"],
        ),
        (
            "min_replicas = 1",
            "min_replicas = 1\nprefill = \"whole\"\nmax_batched_tokens = 512",
            "services[0].max_batched_tokens",
            &["prefill = \"chunked\""],
        ),
        (
            "min_replicas = 1",
            "min_replicas = 1\nprefix_hit_rate = 1",
            "services[0].prefix_hit_rate",
            &["1 is not a hit rate", "below 1"],
        ),
        (
            "min_replicas = 1",
            "min_replicas = 1\nprefix_hit_rate = -0.2",
            "services[0].prefix_hit_rate",
            &["-0.2 is not a hit rate", "from 0"],
        ),
    ];
    for (from, to, field, fragments) in cases {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let e = dcsim::scenario::load_str("svc.toml", &text, None, &Default::default())
            .expect_err("refused");
        assert_eq!(e.issues.len(), 1, "{e}");
        let issue = &e.issues[0];
        assert_eq!(issue.field, *field, "{issue}");
        for f in *fragments {
            assert!(issue.message.contains(f), "`{f}` not in: {issue}");
        }
    }
}

#[test]
fn request_windows_replay_a_trace_or_poisson_demand_on_the_replicas_of_then() {
    // The Azure code trace replayed on the chat service's replicas at 2 h
    // (47 serving for 500 requests/s, by hand above), every request kept;
    // then 10 minutes of Poisson requests at 500/s: ⌊500 × 600⌉ = 300,000.
    let trace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv");
    let windows = format!(
        "\n[[request_windows]]\nservice = \"chat\"\nstart = \"2h\"\ntrace = \"{}\"\nrequests_csv = true\n\n[[request_windows]]\nservice = \"chat\"\nstart = \"3h\"\nduration = \"10min\"\n",
        trace.display()
    );
    let s = load_text(&(text(12, 500.0, false, "") + &windows));
    let (rec, _) = run(&s);
    assert_eq!(rec.windows.len(), 2);
    let w = &rec.windows[0];
    assert_eq!(w.replicas, 47);
    // Counts and tokens: the trace file's own, recounted here.
    let raw = std::fs::read_to_string(&trace).unwrap();
    let (mut n, mut tin, mut tout) = (0u64, 0u64, 0u64);
    for line in raw.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        n += 1;
        tin += f[1].trim().parse::<u64>().unwrap();
        tout += f[2].trim().parse::<u64>().unwrap();
    }
    assert_eq!(w.summary.requests, n);
    assert_eq!(w.summary.finished + w.summary.rejected, n);
    assert_eq!(
        (w.summary.input_tokens, w.summary.output_tokens),
        (tin, tout)
    );
    assert_eq!(rec.window_requests.len() as u64, n);
    assert!(rec.window_requests.iter().all(|r| r.window.0 == 0));
    let poisson = &rec.windows[1];
    assert_eq!(poisson.source, "poisson");
    assert_eq!(poisson.summary.requests, 300_000);
    assert!(poisson.summary.finished > 0);
}

#[test]
fn bad_request_windows_are_located() {
    let dir = crate::internals::common::temp_dir("windows");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:47.0000000,10,5\n2023-11-16 18:15:48.0000000,ten,5\n",
    )
    .unwrap();
    let base = text(4, 100.0, false, "");
    let e = dcsim::scenario::load_str(
        "w.toml",
        &(base.clone() + "\n[[request_windows]]\nservice = \"caht\"\nstart = \"1h\"\n"),
        None,
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(e.issues[0].field, "request_windows[0].service", "{e}");
    assert!(e.issues[0].message.contains("did you mean \"chat\""), "{e}");
    let e = dcsim::scenario::load_str(
        "w.toml",
        &(base
            + &format!(
                "\n[[request_windows]]\nservice = \"chat\"\nstart = \"1h\"\ntrace = \"{}\"\n",
                bad.display()
            )),
        None,
        &Default::default(),
    )
    .unwrap_err();
    let issue = &e.issues[0];
    assert!(
        matches!(
            issue.location,
            dcsim::scenario::Location::File { line: 3, .. }
        ),
        "{issue}"
    );
    assert!(issue.to_string().contains("bad.csv:3"), "{issue}");
}

#[test]
fn request_sizes_come_from_means_or_from_a_trace() {
    // From the Azure conversation trace: the means and the output CV of
    // its 19,366 requests, recounted here.
    let trace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv");
    let base = text(4, 100.0, false, "");
    let with_trace = base.edit(
        "input_tokens = 1000\noutput_tokens = 250\n",
        &format!("sizes_trace = \"{}\"\n", trace.display()),
    );
    let s = load_text(&with_trace);
    let raw = std::fs::read_to_string(&trace).unwrap();
    let rows: Vec<(f64, f64)> = raw
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].trim().parse().unwrap(), f[2].trim().parse().unwrap())
        })
        .collect();
    let n = rows.len() as f64;
    let mean_in = rows.iter().map(|r| r.0).sum::<f64>() / n;
    let mean_out = rows.iter().map(|r| r.1).sum::<f64>() / n;
    let sd = (rows.iter().map(|r| (r.1 - mean_out).powi(2)).sum::<f64>() / n).sqrt();
    let v = &s.serving.services[0];
    assert!((v.input_tokens - mean_in).abs() < 1e-9 * mean_in);
    assert!((v.output_tokens - mean_out).abs() < 1e-9 * mean_out);
    assert!((v.output_tokens_cv.unwrap() - sd / mean_out).abs() < 1e-9);
    let (rec, _) = run(&s);
    assert!(rec.services.iter().any(|r| r.served_rps > 0.0));
    // Sizes are given one way, and some way.
    for (text, field) in [
        (
            with_trace.edit("sizes_trace", "input_tokens = 5\nsizes_trace"),
            "services[0].input_tokens",
        ),
        (
            base.edit("input_tokens = 1000\n", ""),
            "services[0].input_tokens",
        ),
        (
            base.edit(
                "output_tokens = 250\n",
                "output_tokens = 250\noutput_tokens_cv = -1\n",
            ),
            "services[0].output_tokens_cv",
        ),
    ] {
        let e = dcsim::scenario::load_str("s.toml", &text, None, &Default::default()).unwrap_err();
        assert_eq!(e.issues[0].field, field, "{e}");
    }
}

#[test]
fn a_request_larger_than_the_kv_cache_is_refused() {
    // Llama 3.1 70B on 8 H100: 640 − 141.2 = 498.8 GB left; 2,000,000
    // tokens × 327,680 B = 655 GB do not fit.
    let text = text(4, 100.0, false, "").edit("input_tokens = 1000", "input_tokens = 1999750");
    let e = dcsim::scenario::load_str("kv.toml", &text, None, &Default::default()).unwrap_err();
    assert_eq!(e.issues[0].field, "services[0].replica_chips", "{e}");
    assert!(e.issues[0].message.contains("655.4 GB"), "{e}");
    assert!(e.issues[0].message.contains("498.8 GB"), "{e}");
}

/// Issue 18: one service of 200 requests/s on 5 racks (20 servers), hourly
/// samples over 6 hours, 15-minute epochs, replicas loading for the first
/// 10 minutes; `EXTRA` adds to the service.
fn hourly(extra: &str) -> String {
    BASE.edit("RACKS", "5")
        .edit("duration = \"1d\"", "duration = \"6h\"")
        .edit("sample_every = \"15min\"", "sample_every = \"1h\"")
        + &CHAT
            .edit("RATE", "200")
            .edit("scale_up_delay = \"30min\"", "scale_up_delay = \"10min\"")
            .edit("PREEMPT", extra)
}

#[test]
fn every_services_row_holds_exactly_the_epochs_inside_its_interval() {
    // Issue 18 item 2. The epoch at 0 h has no replica serving (they load
    // until 0:10): 0 served; the epochs at 0:15, 0:30, 0:45 serve all 200
    // requests/s. The first row covers (0, 1 h]: (0 + 3 × 200) ÷ 4 = 150
    // served, 50 beyond (dropped); the epoch at 1 h belongs to the second
    // row. Every later row serves 200.
    let (rec, _) = run(&load_text(&hourly("")));
    let rows = &rec.services;
    assert_eq!(rows.len(), 6);
    let first = &rows[0];
    assert_eq!(first.time_h, 1.0);
    assert!((first.demand_rps - 200.0).abs() < 1e-9, "{first:?}");
    assert!((first.served_rps - 150.0).abs() < 1e-9, "{first:?}");
    assert!((first.beyond_rps - 50.0).abs() < 1e-9, "{first:?}");
    // Tokens of the interval: 150 requests/s × 3,600 s × 1,000 in, × 250
    // out.
    assert!((first.tokens_in - 150.0 * 3600.0 * 1000.0).abs() < 1.0);
    assert!((first.tokens_out - 150.0 * 3600.0 * 250.0).abs() < 1.0);
    for row in &rows[1..] {
        assert!((row.served_rps - 200.0).abs() < 1e-9, "{row:?}");
        assert!((row.demand_rps - 200.0).abs() < 1e-9, "{row:?}");
        assert!(row.beyond_rps.abs() < 1e-9, "{row:?}");
    }
    // The rows add up to the summary: 200 × (21,600 − 900) = 4,140,000
    // served, 200 × 21,600 requests.
    let sum = &rec.service_summaries[0];
    let served: f64 = rows.iter().map(|r| r.served_rps * 3600.0).sum();
    let demand: f64 = rows.iter().map(|r| r.demand_rps * 3600.0).sum();
    assert!((served - 4_140_000.0).abs() < 1e-3, "{served}");
    assert!((sum.served - 4_140_000.0).abs() < 1e-3, "{sum:?}");
    assert!((demand - sum.requests).abs() < 1e-3, "{demand} {sum:?}");
    let tokens: f64 = rows.iter().map(|r| r.tokens_in).sum();
    assert!((tokens - sum.tokens_in).abs() < 1.0);

    // Samples every epoch: the last row holds the last epoch (5:45 to 6
    // h) at its constant demand, not an empty interval.
    let (rec, _) = run(&load_text(
        &hourly("").edit("sample_every = \"1h\"", "sample_every = \"15min\""),
    ));
    let last = rec.services.last().unwrap();
    assert_eq!(last.time_h, 6.0);
    assert!((last.demand_rps - 200.0).abs() < 1e-9, "{last:?}");
    assert!((last.served_rps - 200.0).abs() < 1e-9, "{last:?}");
    assert_eq!(rec.services.len(), 24);
}

#[test]
fn samples_off_the_epoch_grid_split_an_epoch_by_its_time() {
    // Issue 18 item 2: samples every 20 minutes against 15-minute epochs.
    // The first row (0, 20 min] holds the epoch at 0 (nothing served)
    // whole and a third of the one at 0:15 (200 served): 200 × 300 s ÷
    // 1,200 s = 50 requests/s; every row holds demand = served + beyond,
    // and the rows add up to the summary.
    let (rec, _) = run(&load_text(
        &hourly("").edit("sample_every = \"1h\"", "sample_every = \"20min\""),
    ));
    let rows = &rec.services;
    assert_eq!(rows.len(), 18);
    assert!((rows[0].served_rps - 50.0).abs() < 1e-9, "{:?}", rows[0]);
    let interval = 1200.0;
    let served: f64 = rows.iter().map(|r| r.served_rps * interval).sum();
    let sum = &rec.service_summaries[0];
    assert!(
        (served - sum.served).abs() < 1e-6 * sum.served,
        "{served} {sum:?}"
    );
    for r in rows {
        assert!(
            (r.demand_rps - r.served_rps - r.beyond_rps).abs() < 1e-9,
            "{r:?}"
        );
    }
}

#[test]
fn a_backlog_reports_its_flow_in_beyond_rps_and_its_stock_in_backlog() {
    // Issue 18 item 6. Demand 200 requests/s against at most 5 replicas
    // (capacity K = 5·μ_max ≈ 130 requests/s), the excess carried. The
    // epoch at 0 serves nothing (replicas loading): its 180,000 requests
    // go to the backlog; from 0:15 on, full batches serve K and the
    // backlog grows by (200 − K) × 900 an epoch. A row's beyond_rps is
    // what its interval added to the backlog (the flow), `backlog` the
    // stock at its sample, and demand = served + beyond in every row.
    let (rec, _) = run(&load_text(&hourly(
        "max_replicas = 5\nbeyond_capacity = \"backlog\"",
    )));
    let k = 5.0 * mu_max();
    assert!(k < 200.0, "{k}");
    let rows = &rec.services;
    let first = &rows[0];
    let first_beyond = (200.0 * 3600.0 - 3.0 * 900.0 * k) / 3600.0;
    assert!(
        (first.served_rps - 3.0 * 900.0 * k / 3600.0).abs() < 1e-6,
        "{first:?}"
    );
    assert!((first.beyond_rps - first_beyond).abs() < 1e-6, "{first:?}");
    assert!(
        (first.backlog - first_beyond * 3600.0).abs() < 1e-3,
        "{first:?}"
    );
    let mut stock = 0.0;
    for (n, r) in rows.iter().enumerate() {
        assert!(
            (r.demand_rps - r.served_rps - r.beyond_rps).abs() < 1e-9,
            "{r:?}"
        );
        let added = if n == 0 { first_beyond } else { 200.0 - k };
        assert!((r.beyond_rps - added).abs() < 1e-6, "row {n}: {r:?}");
        stock += added * 3600.0;
        assert!(
            (r.backlog - stock).abs() < 1e-3,
            "row {n}: {r:?} vs {stock}"
        );
    }
    // What is still queued at the end is the summary's beyond capacity.
    let sum = &rec.service_summaries[0];
    assert!((sum.beyond_capacity - stock).abs() < 1e-3, "{sum:?}");
}

#[test]
fn a_request_window_without_a_trace_is_bounded_before_the_run() {
    // 10^4 requests/s for an hour: 3.6·10^7 requests, over the 10^7 allowed.
    let windows = "\n[[request_windows]]\nservice = \"chat\"\nstart = \"3h\"\nduration = \"1h\"\n";
    let e = dcsim::scenario::load_str(
        "w.toml",
        &(text(10, 10_000.0, false, "") + windows),
        None,
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(e.issues[0].field, "request_windows[0].duration", "{e}");
    let m = &e.issues[0].message;
    assert!(m.contains("about 3.6000e7 requests"), "{m}");
    assert!(m.contains("at most 1e7 requests"), "{m}");
    // Ten minutes at 10^4/s (6·10^6) is within the bound.
    let windows = windows.edit("\"1h\"", "\"10min\"");
    load_text(&(text(10, 10_000.0, false, "") + &windows));
}

/// Issue 21 item 8: a window's `rate_scale` divides its arrival times
/// (from its start) and keeps every request; 1 is the window as before.
#[test]
fn a_request_window_rate_scale_compresses_arrivals_and_keeps_every_request() {
    let trace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv");
    let window = |extra: &str| {
        format!(
            "\n[[request_windows]]\nservice = \"chat\"\nstart = \"2h\"\ntrace = \"{}\"\nrequests_csv = true\n{extra}\n[[request_windows]]\nservice = \"chat\"\nstart = \"3h\"\nduration = \"2min\"\nrequests_csv = true\n{extra}",
            trace.display()
        )
    };
    let base = text(10, 500.0, false, "");
    let (plain, _) = run(&load_text(&(base.clone() + &window(""))));
    let (one, _) = run(&load_text(&(base.clone() + &window("rate_scale = 1\n"))));
    // X = 1: the same rows, to the bit.
    assert_eq!(plain.windows, one.windows);
    assert_eq!(plain.window_requests, one.window_requests);
    let (two, _) = run(&load_text(&(base + &window("rate_scale = 2\n"))));
    assert_eq!(two.windows.len(), 2);
    for (w, (a, b)) in plain.windows.iter().zip(&two.windows).enumerate() {
        // The same requests and tokens.
        assert_eq!(a.summary.requests, b.summary.requests, "window {w}");
        assert_eq!(
            (a.summary.input_tokens, a.summary.output_tokens),
            (b.summary.input_tokens, b.summary.output_tokens)
        );
        assert_eq!(b.source, format!("{} at rate x2", a.source));
    }
    // Each arrival from the window's start halved (exact in binary), so
    // the span between first and last is halved too.
    assert_eq!(plain.window_requests.len(), two.window_requests.len());
    for (a, b) in plain.window_requests.iter().zip(&two.window_requests) {
        assert_eq!((a.window, a.row.id), (b.window, b.row.id));
        assert_eq!(b.row.arrival_s, a.row.arrival_s / 2.0, "{b:?}");
        assert_eq!(
            (b.row.input_tokens, b.row.output_tokens),
            (a.row.input_tokens, a.row.output_tokens)
        );
    }
    let span = |rows: &[dcsim::record::WindowRequestRow], w: u32| {
        let t: Vec<f64> = rows
            .iter()
            .filter(|r| r.window.0 == w)
            .map(|r| r.row.arrival_s)
            .collect();
        t.last().unwrap() - t.first().unwrap()
    };
    for w in 0..2 {
        let (a, b) = (
            span(&plain.window_requests, w),
            span(&two.window_requests, w),
        );
        assert!(a > 0.0);
        assert_eq!(b, a / 2.0, "window {w}");
    }
}

#[test]
fn a_bad_rate_scale_is_located() {
    let base = text(4, 100.0, false, "");
    for bad in ["0", "-1", "nan", "inf", "1001", "0.0001"] {
        let e = dcsim::scenario::load_str(
            "w.toml",
            &(base.clone()
                + &format!(
                    "\n[[request_windows]]\nservice = \"chat\"\nstart = \"1h\"\nrate_scale = {bad}\n"
                )),
            None,
            &Default::default(),
        )
        .unwrap_err();
        assert_eq!(e.issues.len(), 1, "{e}");
        assert_eq!(e.issues[0].field, "request_windows[0].rate_scale", "{e}");
        assert!(
            e.issues[0]
                .message
                .contains("give a factor from 0.001 to 1000"),
            "{e}"
        );
    }
}
