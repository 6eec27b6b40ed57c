//! The KV transfers of a disaggregated service: the route a replica's KV
//! caches take from its prefill pool to its decode pool (with separate
//! pools, from its paired prefill replica: see [`routes`]), and in the
//! epoch mode one aggregate flow per replica over the world's fabric for
//! each epoch.
//!
//! **Epoch mode.** At the start of each epoch a disaggregated service ends
//! the KV flows of its last epoch, then starts, for each serving replica
//! whose transfers cross racks, a flow from the rack of its first prefill
//! domain to the rack of its first decode domain, capped at the copies'
//! NICs, and reads its max-min share beside the flows on its links
//! (training rings, the other services' KV flows): that is the rate one
//! transfer gets. A replica whose pools share a scale-up domain gets the
//! scale-up link's rate, one within a rack its NICs'. The epoch model's
//! link is the harmonic mean of these rates over the serving replicas (so
//! its transfer time, `bytes ÷ rate`, is the mean over replicas of theirs),
//! and its transfer time joins the time to first token
//! ([`crate::workload::serving::disagg::DisaggModel`]). Once the epoch is
//! served, each fabric flow is started again capped at the mean rate its
//! replica's transfers use over the epoch (the requests it serves per
//! second × mean prompt tokens × KV bytes per token, at most its share),
//! and stands until the next epoch: the training rings beside it run at
//! what it leaves them. The share is read once per epoch (the resolution);
//! O(serving replicas) fabric recomputations per epoch of a disaggregated
//! service.

use super::{MAIN, PREFILL, Pools, Serving, Slot, State};
use crate::engine::SimTime;
use crate::units::BitsPerSecond;
use crate::workload::serving::disagg::KvLink;
use crate::world::fabric::FlowId;
use crate::world::{DomainId, RackId, World};

/// The route of a replica's KV transfers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Route {
    /// Both pools in one scale-up domain: the scale-up link.
    ScaleUp,
    /// Different domains of one rack: the copies' NICs.
    Nics,
    /// Different racks: a flow of the scale-out fabric between them.
    Fabric(RackId, RackId),
}

/// The route of the KV transfers of a replica on `slot`'s domains, from
/// its first prefill domain to its first decode domain.
fn route(pools: &Pools, slot: &Slot, world: &World) -> Route {
    let first = slot.domains[0];
    let other = slot.domains[pools.decode_domain.min(slot.domains.len() - 1)];
    if pools.one_domain {
        return Route::ScaleUp;
    }
    route_between(first, other, world)
}

/// The route from domain `first` to domain `other`.
pub(super) fn route_between(first: DomainId, other: DomainId, world: &World) -> Route {
    if first == other {
        return Route::ScaleUp;
    }
    let (from, to) = (world.domain_rack(first), world.domain_rack(other));
    if from == to {
        Route::Nics
    } else {
        Route::Fabric(from, to)
    }
}

/// The routes of service `state`'s KV transfers now, one per *group* of
/// prefill and decode copies whose KV caches share a link: with a fixed
/// share of prefill chips in each replica, a group is a serving replica;
/// with a separate prefill pool, a group is a serving decode replica,
/// paired with a serving prefill replica round robin (the `g`-th decode
/// replica in slot order with the `(g mod P)`-th of the `P` prefill ones),
/// from the prefill replica's first domain to the decode replica's; none
/// while no prefill replica serves. O(serving replicas).
pub(super) fn routes(state: &State, world: &World) -> Vec<Route> {
    let Some(pools) = &state.pools else {
        return Vec::new();
    };
    let decode = state.sets[MAIN].serving();
    if !pools.separate {
        return decode.map(|slot| route(pools, slot, world)).collect();
    }
    let prefill: Vec<&Slot> = state.sets[PREFILL].serving().collect();
    if prefill.is_empty() {
        return Vec::new();
    }
    decode
        .enumerate()
        .map(|(g, slot)| {
            route_between(
                prefill[g % prefill.len()].domains[0],
                slot.domains[0],
                world,
            )
        })
        .collect()
}

/// A serving replica's probe of the fabric at an epoch's start.
pub(super) struct Probe {
    /// The flow standing for its transfers (capped at its NICs for now).
    flow: FlowId,
    /// Its route's racks.
    from: RackId,
    to: RackId,
    /// The rate a transfer gets: its max-min share \[B/s\].
    rate: f64,
}

impl Serving<'_> {
    /// Ends service `i`'s KV flows of its last epoch and probes the fabric
    /// for this one at `now`: returns the epoch model's link (the harmonic
    /// mean of its serving replicas' rates; the pools' own link when none
    /// serves) and the probes, to be handed to [`Self::epoch_kv_stand`].
    pub(super) fn epoch_kv_probe(
        &mut self,
        i: usize,
        now: SimTime,
        world: &mut World,
    ) -> (KvLink, Vec<Probe>) {
        let s = &mut self.states[i];
        for f in s.kv_flows.drain(..) {
            world
                .end_flow(now, f)
                .expect("an epoch's KV flow ends once");
        }
        let s = &self.states[i];
        let Some(p) = &s.pools else {
            unreachable!("only a disaggregated service has KV transfers")
        };
        let mut probes = Vec::new();
        let mut rates = Vec::new();
        let cap = BitsPerSecond(p.nic * 8.0);
        for route in routes(s, world) {
            let rate = match route {
                Route::ScaleUp => p.scaleup,
                Route::Nics => p.nic,
                Route::Fabric(from, to) => match world.start_flow(now, from, to, Some(cap)) {
                    Ok(flow) => {
                        probes.push(Probe {
                            flow,
                            from,
                            to,
                            rate: 0.0,
                        });
                        continue;
                    }
                    Err(_) => p.nic,
                },
            };
            rates.push(rate);
        }
        // The shares once every probe stands: the replicas' transfers
        // share links with each other as with the rings. A stalled path
        // (a link down) carries nothing: its transfers take the NICs'
        // rate rather than never ending, as in the windows.
        for probe in &mut probes {
            let share = world.flow_rate(probe.flow).map_or(0.0, |r| r.0 / 8.0);
            probe.rate = if share > 0.0 { share } else { p.nic };
            rates.push(probe.rate);
        }
        let link = if rates.is_empty() {
            p.epoch_link()
        } else {
            KvLink {
                rate: rates.len() as f64 / rates.iter().map(|r| 1.0 / r).sum::<f64>(),
                latency_s: 0.0,
            }
        };
        (link, probes)
    }

    /// Replaces service `i`'s probes at `now` by flows capped at the mean
    /// rate each replica's transfers use over the epoch, `per_replica`
    /// \[B/s\] (at most its share); they stand until the next epoch.
    pub(super) fn epoch_kv_stand(
        &mut self,
        i: usize,
        now: SimTime,
        world: &mut World,
        probes: Vec<Probe>,
        per_replica: f64,
    ) {
        let s = &mut self.states[i];
        for probe in probes {
            world.end_flow(now, probe.flow).expect("probed above");
            let mean = per_replica.min(probe.rate);
            if mean > 0.0 {
                let flow = world
                    .start_flow(now, probe.from, probe.to, Some(BitsPerSecond(mean * 8.0)))
                    .expect("the route was found above");
                s.kv_flows.push(flow);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The epoch mode's KV flows of a disaggregated service beside a
    //! training ring, as a scenario runs them.

    use crate::output::memory::MemoryRecorder;
    use crate::scenario::{Overrides, Scenario, load_str};

    /// Three racks of four 8-GPU H200 servers, uplinks 4:1 oversubscribed
    /// (32 × 400 Gbit/s ÷ 4 = 3.2 Tbit/s). A 56-GPU job takes rack 0 and three
    /// servers of rack 2 (its ring crosses rack 2's uplink and downlink), a
    /// 24-GPU one three servers of rack 1 (no ring on the fabric); the
    /// service's replica of two servers lands on the last free server of rack
    /// 1 (prefill) and that of rack 2 (decode).
    const SCENARIO: &str = r#"
    name = "epoch-kv"
    start = "2027-03-01"
    duration = "3h"
    seed = 1
    sample_every = "1h"

    [[sites]]
    name = "east"
    grid_mw = 20
    pue = 1.2
    uplink_oversubscription = 4
    [[sites.buildout]]
    rack = "hgx-h200"
    count = 3
    date = "2027-03-01"

    [[jobs]]
    name = "train"
    rack = "hgx-h200"
    chips = 56
    params = 8e9
    tokens = 2e12
    mfu = 0.4
    batch_tokens = 4e6
    overlap = 0

    [[jobs]]
    name = "small"
    rack = "hgx-h200"
    chips = 24
    params = 8e9
    tokens = 2e12
    mfu = 0.4
    batch_tokens = 4e6
    overlap = 0

    [serving]
    epoch = "1h"

    [[services]]
    name = "chat"
    model = "llama-3.1-8b"
    rack = "hgx-h200"
    replica_chips = 16
    tensor_parallel = 8
    prefill_chips = 8
    input_tokens = 1000
    output_tokens = 100
    rate_per_s = 1
    min_replicas = 1
    max_replicas = 1
    scale_up_delay = "0s"
    "#;

    fn scenario(text: &str) -> Scenario {
        load_str("epoch-kv.toml", text, None, &Overrides::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(text: &str) -> MemoryRecorder {
        crate::sim::run(&scenario(text), MemoryRecorder::default(), &mut |_| {}).0
    }

    /// A KV transfer's time in the epoch mode by hand from its bytes and the
    /// link's share. The KV flow from rack 1 to rack 2, capped at the
    /// prefill copy's eight NICs (3.2 Tbit/s), meets the training ring on rack
    /// 2's 3.2 Tbit/s downlink: max-min gives each 1.6 Tbit/s = 200 GB/s. A
    /// mean prompt's KV cache, 1,000 tokens × 131,072 B of Llama 3.1 8B, is
    /// 131.072 MB: 0.655 36 ms at that share. Without the job the replica
    /// sits in rack 0 (two servers of one rack): its transfers take the
    /// NICs, 3.2 Tbit/s = 400 GB/s, 0.327 68 ms. Everything else in the time
    /// to first token (the wait, the prefill) is the same in both runs, so the
    /// mean TTFT of the epoch the replica serves (the second; the first has
    /// none ready yet) differs by exactly 0.327 68 ms.
    #[test]
    fn an_epoch_kv_transfer_by_hand_at_the_fabric_share() {
        let with = run(SCENARIO);
        let (a, b) = (
            SCENARIO.find("[[jobs]]").unwrap(),
            SCENARIO.find("[serving]").unwrap(),
        );
        let alone = run(&format!("{}{}", &SCENARIO[..a], &SCENARIO[b..]));
        let ttft = |rec: &MemoryRecorder| rec.services[1].ttft_mean_s;
        let bytes = 1_000.0 * 131_072.0;
        let by_hand = bytes / 200e9 - bytes / 400e9;
        assert_eq!(by_hand, 0.000_327_68);
        let moved = ttft(&with) - ttft(&alone);
        assert!(
            (moved - by_hand).abs() < 1e-12,
            "{moved} s, by hand {by_hand} s"
        );
        assert_eq!(
            with.services[0].served_rps, 0.0,
            "none ready in the first epoch"
        );
    }

    /// The epoch's KV flow stands on the fabric beside the ring, capped at
    /// its mean rate: the job trains fewer tokens than beside the same replica
    /// colocated (no KV transfers), on the same domains.
    #[test]
    fn an_epoch_kv_flow_slows_the_ring_beside_it() {
        let with = run(SCENARIO);
        let colocated = run(&SCENARIO.replace("prefill_chips = 8\n", ""));
        let tokens = |rec: &MemoryRecorder, j: usize| rec.jobs[j].tokens_trained.unwrap();
        assert!(tokens(&with, 0) < tokens(&colocated, 0));
        // The small job's ring stays in its rack.
        assert_eq!(tokens(&with, 1), tokens(&colocated, 1));
    }
}
