//! The epoch of each service: its demand served by the epoch model on its
//! serving replicas, their load set, and the autoscaler bringing it to the
//! replicas its demand wants.

use super::{
    Epoch, FastRoofline, Interval, MAIN, PREFILL, RooflineTerms, Serving, colocated, disagg_model,
};
use crate::engine::SimTime;
use crate::workload::serving::disagg::PoolSizing;
use crate::workload::serving::epoch::{
    Backlog, EpochInput, EpochOutcome, Overflow, ServiceModel, Slo, SloMetric, run_epoch_into,
};
use crate::workload::training::Training;
use crate::world::World;

impl Serving<'_> {
    /// Serves service `i`'s epoch starting at `now` and sets its load.
    pub(super) fn serve_epoch(&mut self, i: usize, now: SimTime, world: &mut World) {
        // A disaggregated service's KV flows for this epoch, probed.
        let (link, probes) = if self.states[i].pools.is_some() {
            let (link, probes) = self.epoch_kv_probe(i, now, world);
            (Some(link), probes)
        } else {
            (None, Vec::new())
        };
        let service = &self.config.services[i];
        let epoch = self.config.epoch;
        let length = (self.run.end - now).min(epoch);
        let lambda = self.states[i]
            .demand
            .next_epoch(&self.run.calendar, now, length);
        let speed = self.speed_of(i);
        let s = &mut self.states[i];
        s.lambda = lambda;
        // Under a power cap, the replica's roofline at its speed.
        let slowed = (speed < 1.0).then(|| s.replica.slowed(speed));
        let slowed_prefill = s
            .pools
            .as_ref()
            .filter(|_| speed < 1.0)
            .map(|p| p.prefill.slowed(speed));
        let (ready, prefill_ready) = (
            s.sets[MAIN].ready,
            s.sets.get(PREFILL).map_or(0, |p| p.ready),
        );
        let split = s.pools.as_ref().map(|p| {
            let mut m = disagg_model(
                slowed.as_ref().unwrap_or(&s.replica),
                p,
                service,
                s.copies,
                s.max_batch,
                s.scv,
                link.unwrap_or_else(|| p.epoch_link()),
            );
            if let Some(pre) = &slowed_prefill {
                m.prefill = pre;
            }
            if p.separate {
                // The prefill pool's copies now, shared by the decode
                // copies serving now.
                m.prefill_per_decode = f64::from(prefill_ready * p.prefill_copies)
                    / f64::from((ready * s.copies).max(1));
            }
            m
        });
        let colocated = colocated(
            slowed.as_ref().unwrap_or(&s.replica),
            service,
            s.max_batch,
            s.scv,
        );
        let input = epoch_input(
            service,
            length.seconds(),
            lambda,
            ready * s.copies,
            s.backlog,
        );
        // Each model's own epoch (no dynamic calls); an uncapped replica's
        // roofline terms are the service's, worked out once.
        let mut out = EpochOutcome::default();
        match &split {
            Some(m) => run_epoch_into(m, &input, &mut out),
            None => {
                let terms = if slowed.is_some() {
                    RooflineTerms::new(&colocated)
                } else {
                    s.terms
                };
                run_epoch_into(
                    &FastRoofline {
                        model: colocated,
                        terms,
                    },
                    &input,
                    &mut out,
                );
            }
        }
        let backlog_in = s.backlog.requests;
        s.backlog = out.backlog_out;
        // The TTFT attainment counts only while the decode steps meet the
        // TPOT target at the percentile; an epoch whose p-th TPOT misses it
        // meets no request's targets.
        let tpot_p = out.p99_tpot_s.unwrap_or(0.0);
        let attained = if tpot_p <= service.tpot_slo.seconds() {
            out.slo_attainment
        } else {
            0.0
        };
        // The previous epoch ends here: what is left of it belongs to the
        // interval still open (its sample at this instant comes later).
        s.epoch.book(now, &mut s.interval);
        s.epoch = Epoch {
            from: now,
            to: now + length,
            booked: now,
            figures: Interval {
                seconds: length.seconds(),
                arrived: out.arrived,
                served: out.served,
                // Dropped, or the net added to the backlog: by
                // conservation (backlog in + arrived = served + backlog
                // out) both are arrived − served.
                beyond: if service.backlog {
                    out.backlog_out.requests - backlog_in
                } else {
                    out.dropped
                },
                busy: out.utilization * length.seconds(),
                capacity: out.capacity_rps * length.seconds(),
                ttft_sum: out.mean_ttft_s.unwrap_or(0.0) * out.served,
                tpot_sum: out.mean_tpot_s.unwrap_or(0.0) * out.served,
                ttft_p: out.p99_ttft_s.unwrap_or(0.0),
                tpot_p,
                met: attained * out.slo_population,
                population: out.slo_population,
                tokens_in: out.served * service.input_tokens,
                tokens_out: out.served * service.output_tokens,
                prefill_busy: 0.0,
                preemptions: 0,
                lost: 0,
                moved: 0,
            },
            backlog_in,
            backlog_out: out.backlog_out.requests,
        };
        let tot = &mut s.totals;
        tot.arrived += out.arrived;
        tot.served += out.served;
        tot.dropped += out.dropped;
        tot.tokens_in += out.served * service.input_tokens;
        tot.tokens_out += out.served * service.output_tokens;
        tot.met += attained * out.slo_population;
        tot.population += out.slo_population;
        let u = out.utilization.clamp(0.0, 1.0);
        // A separate prefill pool's copies are busy for the prefills of
        // the requests served: served ÷ length × prefill(i) ÷ copies.
        let prefill_u = s
            .pools
            .as_ref()
            .filter(|_| prefill_ready > 0)
            .map_or(0.0, |p| {
                let time = slowed_prefill
                    .as_ref()
                    .unwrap_or(&p.prefill)
                    .prefill_time(service.input_tokens);
                let copies = f64::from(prefill_ready * p.prefill_copies);
                (out.served / length.seconds() * time / copies).clamp(0.0, 1.0)
            });
        s.epoch.figures.prefill_busy = prefill_u * length.seconds();
        set_loads(&mut s.sets, [u, prefill_u], now, world);
        if !probes.is_empty() {
            // Each serving replica's share of the KV bytes served [B/s].
            let per_replica = out.served / length.seconds() / f64::from(ready.max(1))
                * service.input_tokens
                * s.replica.model.kv_bytes_per_token;
            self.epoch_kv_stand(i, now, world, probes, per_replica);
        }
    }

    /// Brings service `i` to the replicas its demand wants.
    pub(super) fn autoscale(
        &mut self,
        i: usize,
        now: SimTime,
        world: &mut World,
        training: &mut Training,
    ) {
        let service = &self.config.services[i];
        let speed = self.speed_of(i);
        let s = &self.states[i];
        let lambda = s.lambda + s.backlog.requests / self.config.epoch.seconds();
        if let (Some(p), Some(pool)) = (&s.pools, service.prefill_pool) {
            // Separate pools, each sized on its own load.
            let slowed = (speed < 1.0).then(|| (s.replica.slowed(speed), p.prefill.slowed(speed)));
            let (decode, prefill) = match &slowed {
                Some((d, p)) => (d, p),
                None => (&s.replica, &p.prefill),
            };
            let sizes = PoolSizing {
                prefill,
                prefill_copies: p.prefill_copies,
                decode,
                decode_copies: s.copies,
                input: service.input_tokens,
                output: service.output_tokens,
                batch: s.max_batch,
                target_utilization: service.target_utilization,
                prefill_bounds: (pool.min_replicas, pool.max_replicas),
                decode_bounds: (service.min_replicas, service.max_replicas),
            }
            .sizes(lambda);
            self.scale_to(i, MAIN, sizes.decode, now, world, training);
            self.scale_to(i, PREFILL, sizes.prefill, now, world, training);
            return;
        }
        // A copy's top rate at its replicas' speed under power caps.
        let mu_max = if speed < 1.0 {
            match &s.pools {
                Some(p) => {
                    let (decode, prefill) = (s.replica.slowed(speed), p.prefill.slowed(speed));
                    let mut m = disagg_model(
                        &decode,
                        p,
                        service,
                        s.copies,
                        s.max_batch,
                        1.0,
                        p.epoch_link(),
                    );
                    m.prefill = &prefill;
                    m.service_rate(f64::from(s.max_batch))
                }
                None => s.replica.slowed(speed).max_service_rate(
                    service.input_tokens,
                    service.output_tokens,
                    u64::MAX,
                ),
            }
        } else {
            s.mu_max
        };
        let per_replica = mu_max * service.target_utilization;
        // A replica that can serve nothing (validation refuses requests
        // that do not fit its KV cache) is never worth adding.
        // Copies wanted, hosted `copies` to a replica.
        let wanted = if per_replica > 0.0 {
            ((lambda / per_replica).ceil() / f64::from(s.copies.max(1)))
                .ceil()
                .min(f64::from(u32::MAX)) as u32
        } else {
            service.min_replicas
        };
        let wanted = wanted.clamp(service.min_replicas, service.max_replicas);
        self.scale_to(i, MAIN, wanted, now, world, training);
    }

    /// Brings service `i`'s replica set `set` to `wanted` replicas,
    /// placing or giving back the difference.
    fn scale_to(
        &mut self,
        i: usize,
        set: usize,
        wanted: u32,
        now: SimTime,
        world: &mut World,
        training: &mut Training,
    ) {
        let s = &self.states[i].sets[set];
        // Replicas leaving for a maintenance window are already replaced.
        let have = s.ready + s.loading - s.leaving;
        if wanted > have {
            // Replicas of one domain while free domains last, each site's
            // in one pass; then one by one (preempting where allowed).
            let placed = if s.replica_domains == 1 {
                self.add_packed(i, set, wanted - have, now, world)
            } else {
                0
            };
            for _ in have + placed..wanted {
                if !self.add_replica(i, set, now, world, Some(&mut *training)) {
                    break;
                }
            }
        } else {
            // Loading replicas go first, then the newest serving ones.
            self.remove_newest(i, set, have - wanted, now, world);
        }
    }
}

/// The epoch model's input for service `service`: an epoch of `length_s`
/// seconds at `lambda` requests/s on `replicas` model copies, `backlog`
/// carried in.
fn epoch_input(
    service: &crate::workload::serving::config::Service,
    length_s: f64,
    lambda: f64,
    replicas: u32,
    backlog: Backlog,
) -> EpochInput {
    EpochInput {
        length_s,
        arrival_rate: lambda,
        replicas,
        backlog,
        overflow: if service.backlog {
            Overflow::Backlog
        } else {
            Overflow::Drop
        },
        slo: Slo {
            metric: SloMetric::Ttft,
            target_s: service.ttft_slo.seconds(),
            percentile: service.slo_percentile / 100.0,
        },
    }
}

/// Sets each replica set's utilization (`loads`, by set) on its
/// allocations, where it changed.
fn set_loads(sets: &mut [super::Set], loads: [f64; 2], now: SimTime, world: &mut World) {
    for (set, u) in sets.iter_mut().zip(loads) {
        if u != set.load {
            set.load = u;
            for a in set.parts.iter().flatten() {
                world
                    .set_utilization(now, *a, u)
                    .expect("a service's allocation is live");
            }
        }
    }
}
