//! Request-level windows of a service: their requests simulated one by
//! one on the service's serving replicas of the window's start, colocated
//! or disaggregated (prefill and decode pools, KV transfers over the
//! fabric).

use super::kv::Route;
use super::{Event, MAIN, PREFILL, Serving};
use crate::engine::{RngStreams, SimDuration, SimTime};
use crate::record::Recorder;
use crate::workload::serving::disagg::KvLink;
use crate::world::fabric::FlowId;
use crate::world::{RackId, World};

impl Serving<'_> {
    /// Runs request-level window `index` at `now` on its service's serving
    /// replicas and records its summary (and its requests, if asked).
    pub(super) fn window(
        &mut self,
        index: usize,
        now: SimTime,
        world: &mut World,
        recorder: &mut impl Recorder,
    ) {
        use crate::workload::serving::requests::{
            self, Prefill, Routing, ServeConfig, Synthetic, Tokens,
        };
        let w = &self.config.request_windows[index];
        let service = &self.config.services[w.service];
        let s = &self.states[w.service];
        let (mut requests, mut source) = match &w.trace {
            Some(trace) => {
                // Arrivals shifted to the window's start.
                let t0 = trace.first().map_or(0.0, |r| r.arrival);
                let shifted: Vec<_> = trace
                    .iter()
                    .map(|r| crate::workload::serving::trace::TraceRequest {
                        arrival: r.arrival - t0,
                        ..*r
                    })
                    .collect();
                (shifted, w.trace_file.clone().unwrap_or_default())
            }
            None => {
                // Poisson at the demand of the window's start, the
                // service's mean tokens (geometric counts), from the
                // window's own streams.
                let rate = s.demand.demand().rate_at(&self.run.calendar, now);
                let count = (rate * w.duration.seconds()).round() as usize;
                let synthetic = Synthetic {
                    rate: rate.max(f64::MIN_POSITIVE),
                    count,
                    input: Tokens::Exponential {
                        mean: (service.input_tokens - 0.5).max(0.5),
                    },
                    output: Tokens::Exponential {
                        mean: (service.output_tokens - 0.5).max(0.5),
                    },
                };
                let streams = RngStreams::new(self.run.seed);
                (
                    synthetic.generate_in(&streams, &format!("windows/{index}")),
                    "poisson".to_string(),
                )
            }
        };
        if w.rate_scale != 1.0 {
            // The same requests, their arrivals from the window's start
            // compressed (documented in docs/models/inference.md).
            crate::workload::serving::trace::scale_arrivals(&mut requests, w.rate_scale);
            source = format!("{source} at rate x{}", w.rate_scale);
        }
        let slo = requests::Slo {
            ttft_s: service.ttft_slo.seconds(),
            tpot_s: service.tpot_slo.seconds(),
            percentile: service.slo_percentile,
        };
        let replicas = s.sets[MAIN].ready * s.copies;
        let speed = self.speed_of(w.service);
        let config = ServeConfig {
            replica: if speed < 1.0 {
                s.replica.slowed(speed)
            } else {
                s.replica.clone()
            },
            replicas: replicas.max(1),
            max_batch: s.max_batch.max(1),
            routing: Routing::LeastLoaded,
            // A budget below the batch cap (the KV cache's limit) is raised
            // to it: each decoding request takes one token of it.
            prefill: match service.prefill {
                Prefill::Chunked { budget } => Prefill::Chunked {
                    budget: budget.max(s.max_batch.max(1)),
                },
                Prefill::Whole => Prefill::Whole,
            },
        };
        let (run, kv, replicas) = if s.pools.is_some() {
            let (run, kv, copies) =
                self.window_disaggregated(w.service, now, speed, &config, &requests, world);
            (run, Some(kv), copies)
        } else {
            let run = if replicas > 0 && !requests.is_empty() {
                requests::simulate(&config, &requests).ok()
            } else {
                None
            };
            (run, None, replicas)
        };
        let mut summary = match &run {
            Some(run) => requests::summarize(run, &requests, replicas, Some(slo)),
            None => requests::ServeSummary::unserved(&requests),
        };
        // Rows are a function of the scenario alone: no wall time in them.
        summary.wall_s = 0.0;
        if w.requests_csv
            && let Some(run) = &run
        {
            for row in run.rows(&requests) {
                recorder.window_request(&crate::record::WindowRequestRow {
                    window: index as u32,
                    row,
                });
            }
        }
        recorder.window(&crate::record::WindowRow {
            window: index as u32,
            service: service.name.clone(),
            start: self.run.calendar.instant(now),
            start_h: now.hours(),
            source,
            replicas,
            summary,
            kv,
        });
    }

    /// A request-level window of disaggregated service `i` at `now`: its
    /// KV caches cross a link per group ([`super::kv::routes`]; with a
    /// separate prefill pool, per pair of prefill and decode replicas a
    /// request uses): the scale-up link (both in one domain), the racks'
    /// NICs (one rack) or the scale-out fabric. There a flow from the rack
    /// of the prefill side's first domain to the rack of the decode side's,
    /// capped at the copies' NICs, is started to read its max-min share
    /// beside the flows already there (training rings, the window's other
    /// KV flows, other services' epoch KV flows: the service's own end, the
    /// window's standing for its transfers until the next epoch); the
    /// transfers run at that share.
    /// After the run, the flow is restarted capped at the mean rate its
    /// transfers used (bytes ÷ the window's span), and ends with the span,
    /// so that it slows the training flows beside it as much as the
    /// transfers did on average. Returns the run, the KV figures and the
    /// copies that served (prefill and decode).
    pub(super) fn window_disaggregated(
        &mut self,
        i: usize,
        now: SimTime,
        speed: f64,
        decode: &crate::workload::serving::requests::ServeConfig,
        requests: &[crate::workload::serving::trace::TraceRequest],
        world: &mut World,
    ) -> (
        Option<crate::workload::serving::requests::ServeRun>,
        crate::record::KvWindow,
        u32,
    ) {
        use crate::workload::serving::disagg::{self, DisaggConfig, SeparateConfig};
        use crate::workload::serving::requests::{Prefill, ServeConfig};
        // The window's flows stand for the service's transfers from now:
        // its epoch's flows end (they come back with the next epoch).
        for f in self.states[i].kv_flows.drain(..) {
            world
                .end_flow(now, f)
                .expect("an epoch's KV flow ends once");
        }
        let service = &self.config.services[i];
        let s = &self.states[i];
        let p = s.pools.as_ref().expect("a disaggregated service");
        let mut kv = crate::record::KvWindow::default();
        let mut share_sum = 0.0;
        let mut flows: Vec<Option<Lane>> = Vec::new();
        // A lane's link on `route`: its flow, if on the fabric, started.
        let mut open = |route: Route, world: &mut World, flows: &mut Vec<Option<Lane>>| {
            let mut link = KvLink {
                rate: p.nic,
                latency_s: 0.0,
            };
            let mut flow = None;
            if route == Route::ScaleUp {
                link.rate = p.scaleup;
            } else if let Route::Fabric(from, to) = route
                && let Ok(f) = world.start_flow(
                    now,
                    from,
                    to,
                    Some(crate::units::BitsPerSecond(p.nic * 8.0)),
                )
            {
                let share = world.flow_rate(f).map_or(0.0, |r| r.0 / 8.0);
                kv.fabric_flows += 1;
                if world.flows_beside(f) > 0 {
                    kv.shared_flows += 1;
                }
                // A stalled path (a link down) carries nothing: its
                // transfers take the NICs' rate rather than never ending.
                if share > 0.0 {
                    link.rate = share;
                }
                share_sum += link.rate;
                flow = Some(Lane {
                    flow: f,
                    share: link.rate,
                    from,
                    to,
                });
            }
            flows.push(flow);
            link
        };
        let prefill = if speed < 1.0 {
            p.prefill.slowed(speed)
        } else {
            p.prefill.clone()
        };
        let prefill_pool = |replicas: u32| ServeConfig {
            replica: prefill.clone(),
            replicas,
            max_batch: p.prefill_max_batch,
            routing: decode.routing,
            prefill: match service.prefill {
                Prefill::Chunked { budget } => Prefill::Chunked {
                    budget: budget.max(p.prefill_max_batch),
                },
                Prefill::Whole => Prefill::Whole,
            },
        };
        let decode_pool = ServeConfig {
            replicas: s.copies.max(1),
            ..decode.clone()
        };
        let (out, copies) = if p.separate {
            // Separate pools: the serving replicas of each, paired as
            // requests use them.
            let prefill_slots: Vec<_> = s.sets[PREFILL].serving().collect();
            let decode_slots: Vec<_> = s.sets[MAIN].serving().collect();
            let (pr, dr) = (prefill_slots.len() as u32, decode_slots.len() as u32);
            let copies = pr * p.prefill_copies + dr * s.copies;
            if pr == 0 || dr == 0 || requests.is_empty() {
                return (None, kv, copies);
            }
            let config = SeparateConfig {
                prefill: prefill_pool(pr * p.prefill_copies),
                prefill_per_replica: p.prefill_copies,
                decode: decode_pool,
                decode_replicas: dr,
            };
            let mut link = |a: u32, b: u32| {
                let route = super::kv::route_between(
                    prefill_slots[a as usize].domains[0],
                    decode_slots[b as usize].domains[0],
                    world,
                );
                open(route, world, &mut flows)
            };
            let out = disagg::simulate_separate(&config, requests, &mut link)
                .ok()
                .map(|(run, _pairs)| run);
            (out, copies)
        } else {
            let links: Vec<KvLink> = super::kv::routes(s, world)
                .into_iter()
                .map(|route| open(route, world, &mut flows))
                .collect();
            let groups = links.len() as u32;
            let copies = groups * (p.prefill_copies + s.copies);
            if groups == 0 || requests.is_empty() {
                for lane in flows.into_iter().flatten() {
                    world.end_flow(now, lane.flow).expect("started above");
                }
                return (None, kv, copies);
            }
            let config = DisaggConfig {
                prefill: prefill_pool(groups * p.prefill_copies),
                decode: decode_pool,
                links,
            };
            (disagg::simulate(&config, requests).ok(), copies)
        };
        let span = out.as_ref().map_or(0.0, |o| {
            o.run.end_s - requests.first().map_or(0.0, |r| r.arrival)
        });
        for (g, lane) in flows.iter().enumerate() {
            let Some(lane) = lane else { continue };
            world.end_flow(now, lane.flow).expect("started above");
            let bytes = out.as_ref().map_or(0.0, |o| o.link_bytes[g]);
            let until = now + SimDuration::from_secs_f64(span);
            if bytes > 0.0 && until > now && until < self.run.end {
                let mean = (bytes / span).min(lane.share) * 8.0;
                let standing = world
                    .start_flow(
                        now,
                        lane.from,
                        lane.to,
                        Some(crate::units::BitsPerSecond(mean)),
                    )
                    .expect("the route was found above");
                self.scheduled
                    .push((until, Event::KvFlowEnd { flow: standing }));
            }
        }
        if let Some(o) = &out {
            transfer_figures(&mut kv, o);
        }
        if kv.fabric_flows > 0 {
            kv.fabric_share_gbit_per_s = share_sum * 8.0 / 1e9 / f64::from(kv.fabric_flows);
        }
        (out.map(|o| o.run), kv, copies)
    }
}

/// A lane of a window whose KV transfers cross the fabric: the flow that
/// probed its share, the share \[B/s\] and its racks.
struct Lane {
    flow: FlowId,
    share: f64,
    from: RackId,
    to: RackId,
}

/// A window's KV bytes moved and its transfers' mean and p99 times, from
/// its run.
fn transfer_figures(
    kv: &mut crate::record::KvWindow,
    o: &crate::workload::serving::disagg::DisaggRun,
) {
    kv.gb = o.link_bytes.iter().sum::<f64>() / 1e9;
    let mut times: Vec<f64> = o
        .transfer_s
        .iter()
        .copied()
        .filter(|t| t.is_finite())
        .collect();
    times.sort_unstable_by(f64::total_cmp);
    if !times.is_empty() {
        kv.transfer_mean_s = times.iter().sum::<f64>() / times.len() as f64;
        kv.transfer_p99_s = crate::workload::serving::requests::percentile(&times, 99.0);
    }
}
