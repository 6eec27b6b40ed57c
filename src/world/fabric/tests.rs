use super::*;
use proptest::prelude::*;

fn gbps(x: f64) -> BitsPerSecond {
    BitsPerSecond::from_gbps(x)
}

/// Asserts `actual` is `expected_gbps` Gb/s within 1e-9 relative.
#[track_caller]
fn assert_gbps(actual: Option<BitsPerSecond>, expected_gbps: f64) {
    let actual = actual.expect("flow is live").gbps();
    assert!(
        (actual - expected_gbps).abs() <= 1e-9 * expected_gbps.abs().max(1e-9),
        "got {actual} Gb/s, expected {expected_gbps} Gb/s"
    );
}

/// Asserts a change list is exactly `expected` = [(flow, old Gb/s, new Gb/s)].
#[track_caller]
fn assert_changes(changes: &[RateChange], expected: &[(FlowId, f64, f64)]) {
    let got: Vec<FlowId> = changes.iter().map(|c| c.flow).collect();
    let want: Vec<FlowId> = expected.iter().map(|e| e.0).collect();
    assert_eq!(got, want, "changed flows");
    for (c, &(_, old, new)) in changes.iter().zip(expected) {
        assert_gbps(Some(c.old), old);
        assert_gbps(Some(c.new), new);
    }
}

/// Test 1's fabric: A = 10 Gb/s, B = 100 Gb/s; f1 [A,B], f2 [A], f3 [B].
fn shared_bottleneck() -> (Fabric, [LinkId; 2], [FlowId; 3]) {
    let mut fab = Fabric::new();
    let a = fab.add_link(gbps(10.0), 2);
    let b = fab.add_link(gbps(100.0), 3);
    let (f1, _) = fab.start_flow(&[a, b], None).unwrap();
    let (f2, _) = fab.start_flow(&[a], None).unwrap();
    let (f3, _) = fab.start_flow(&[b], None).unwrap();
    (fab, [a, b], [f1, f2, f3])
}

#[test]
fn shared_bottleneck_rates() {
    let (fab, [a, b], [f1, f2, f3]) = shared_bottleneck();
    // A: 10 / 2 = 5 each for f1, f2; B: 100 - 5 (f1) = 95 for f3.
    assert_gbps(fab.rate(f1), 5.0);
    assert_gbps(fab.rate(f2), 5.0);
    assert_gbps(fab.rate(f3), 95.0);
    assert_gbps(Some(fab.load(a)), 10.0);
    assert_gbps(Some(fab.load(b)), 100.0);
    assert_eq!(fab.flows_on(a), 2);
    assert_eq!(fab.flows_on(b), 2);
    assert_eq!(fab.path_latency_us(&[a, b]), 5);
    assert_eq!(fab.path_latency_us(&[]), 0);
    assert_eq!((fab.link_count(), fab.flow_count()), (2, 3));
}

#[test]
fn start_flow_reports_new_and_changed_flows() {
    let mut fab = Fabric::new();
    let a = fab.add_link(gbps(10.0), 1);
    let b = fab.add_link(gbps(100.0), 1);
    let (f1, ch) = fab.start_flow(&[a, b], None).unwrap();
    // Alone: limited by A at 10.
    assert_changes(&ch, &[(f1, 0.0, 10.0)]);
    let (f2, ch) = fab.start_flow(&[a], None).unwrap();
    // A split in two: f1 10 -> 5, f2 new at 5.
    assert_changes(&ch, &[(f1, 10.0, 5.0), (f2, 0.0, 5.0)]);
    let (f3, ch) = fab.start_flow(&[b], None).unwrap();
    // f1 keeps 5 (not listed); f3 takes 100 - 5 = 95.
    assert_changes(&ch, &[(f3, 0.0, 95.0)]);
}

#[test]
fn two_bottlenecks() {
    let mut fab = Fabric::new();
    let l1 = fab.add_link(gbps(10.0), 1);
    let l2 = fab.add_link(gbps(30.0), 1);
    let (f1, _) = fab.start_flow(&[l1], None).unwrap();
    let (f2, _) = fab.start_flow(&[l1, l2], None).unwrap();
    let (f3, _) = fab.start_flow(&[l2], None).unwrap();
    let (f4, _) = fab.start_flow(&[l2], None).unwrap();
    // L1 saturates first at 10 / 2 = 5 (L2 would at 30 / 3 = 10);
    // then L2 has 30 - 5 = 25 for two flows: 12.5 each.
    assert_gbps(fab.rate(f1), 5.0);
    assert_gbps(fab.rate(f2), 5.0);
    assert_gbps(fab.rate(f3), 12.5);
    assert_gbps(fab.rate(f4), 12.5);
    assert_gbps(Some(fab.load(l2)), 30.0);
}

#[test]
fn failed_link_stalls_and_repair_restores() {
    let (mut fab, [a, b], [f1, f2, f3]) = shared_bottleneck();
    let ch = fab.fail_link(a).unwrap();
    // f1, f2 cross A: stalled at 0; f3 gets all of B: 100.
    assert_changes(&ch, &[(f1, 5.0, 0.0), (f2, 5.0, 0.0), (f3, 95.0, 100.0)]);
    assert!(!fab.is_up(a));
    assert_eq!(fab.is_stalled(f1), Some(true));
    assert_eq!(fab.is_stalled(f2), Some(true));
    assert_eq!(fab.is_stalled(f3), Some(false));
    assert_eq!(fab.rate(f1), Some(BitsPerSecond::ZERO));
    assert_eq!(fab.load(a), BitsPerSecond::ZERO);
    assert_gbps(Some(fab.load(b)), 100.0);
    // Failing again changes nothing.
    assert_eq!(fab.fail_link(a).unwrap(), vec![]);

    let ch = fab.repair_link(a).unwrap();
    assert_changes(&ch, &[(f1, 0.0, 5.0), (f2, 0.0, 5.0), (f3, 100.0, 95.0)]);
    assert_eq!(fab.is_stalled(f1), Some(false));
    assert_gbps(fab.rate(f3), 95.0);
    assert_eq!(fab.repair_link(a).unwrap(), vec![]);
}

#[test]
fn flow_started_on_down_link_is_stalled() {
    let (mut fab, [a, _], [f1, f2, f3]) = shared_bottleneck();
    fab.fail_link(a).unwrap();
    let (g, ch) = fab.start_flow(&[a], None).unwrap();
    assert_changes(&ch, &[(g, 0.0, 0.0)]);
    assert_eq!(fab.is_stalled(g), Some(true));
    assert_eq!(fab.last_recompute_size(), (1, 0));
    // Ending it changes nothing either.
    assert_eq!(fab.end_flow(g).unwrap(), vec![]);
    let ch = fab.repair_link(a).unwrap();
    assert_changes(&ch, &[(f1, 0.0, 5.0), (f2, 0.0, 5.0), (f3, 100.0, 95.0)]);
}

#[test]
fn set_capacity_reshares() {
    let (mut fab, [a, b], [f1, f2, f3]) = shared_bottleneck();
    // B = 8: B saturates first at 8 / 2 = 4 (A would at 5): f1 = f3 = 4,
    // then A has 10 - 4 = 6 for f2.
    let ch = fab.set_capacity(b, gbps(8.0)).unwrap();
    assert_changes(&ch, &[(f1, 5.0, 4.0), (f2, 5.0, 6.0), (f3, 95.0, 4.0)]);
    assert_gbps(Some(fab.capacity(b)), 8.0);
    assert_gbps(Some(fab.load(a)), 10.0);
    assert_eq!(fab.set_capacity(b, gbps(8.0)).unwrap(), vec![]);
    assert_eq!(
        fab.set_capacity(a, BitsPerSecond::ZERO),
        Err(FabricError::NonPositiveCapacity)
    );
    assert_eq!(
        fab.set_capacity(a, BitsPerSecond(f64::NAN)),
        Err(FabricError::NonPositiveCapacity)
    );
    // The capacity set on a down link applies on repair: with A = 20, B (8)
    // still saturates first at 4 for f1, f3; f2 gets 20 - 4 = 16 on A.
    fab.fail_link(a).unwrap();
    assert_eq!(fab.set_capacity(a, gbps(20.0)).unwrap(), vec![]);
    assert_eq!(fab.last_recompute_size(), (0, 1));
    fab.repair_link(a).unwrap();
    assert_gbps(fab.rate(f1), 4.0);
    assert_gbps(fab.rate(f2), 16.0);
    assert_gbps(fab.rate(f3), 4.0);
}

#[test]
fn cap_below_fair_share() {
    let mut fab = Fabric::new();
    let l = fab.add_link(gbps(10.0), 1);
    let (capped, _) = fab.start_flow(&[l], Some(gbps(2.0))).unwrap();
    let (free, _) = fab.start_flow(&[l], None).unwrap();
    // Fair share 5 > cap 2: capped at 2, the other takes 10 - 2 = 8.
    assert_gbps(fab.rate(capped), 2.0);
    assert_gbps(fab.rate(free), 8.0);
    // A cap above the fair share does not bind: 10 / 2 = 5 each.
    let mut fab = Fabric::new();
    let l = fab.add_link(gbps(10.0), 1);
    let (c, _) = fab.start_flow(&[l], Some(gbps(7.0))).unwrap();
    let (u, _) = fab.start_flow(&[l], None).unwrap();
    assert_gbps(fab.rate(c), 5.0);
    assert_gbps(fab.rate(u), 5.0);
}

#[test]
fn empty_path_with_cap_runs_at_cap() {
    let mut fab = Fabric::new();
    let (f, ch) = fab.start_flow(&[], Some(gbps(3.0))).unwrap();
    assert_changes(&ch, &[(f, 0.0, 3.0)]);
    assert_eq!(fab.last_recompute_size(), (1, 0));
    assert_eq!(fab.end_flow(f).unwrap(), vec![]);
}

#[test]
fn end_flow_and_errors() {
    let (mut fab, [a, b], [f1, f2, f3]) = shared_bottleneck();
    let ch = fab.end_flow(f2).unwrap();
    // A now carries only f1: A's share 10 / 1 = 10 < B's 100 / 2 = 50,
    // so f1 = 10 and f3 = 100 - 10 = 90.
    assert_changes(&ch, &[(f1, 5.0, 10.0), (f3, 95.0, 90.0)]);
    assert_eq!(fab.flows_on(a), 1);
    assert_eq!(fab.flow_count(), 2);
    assert_eq!(fab.rate(f2), None);
    assert_eq!(fab.is_stalled(f2), None);
    assert_eq!(fab.end_flow(f2), Err(FabricError::UnknownFlow(f2)));

    // The slot is reused with a new generation; the old id stays stale.
    let (g, _) = fab.start_flow(&[a], None).unwrap();
    assert_eq!(g.index(), f2.index());
    assert_ne!(g, f2);
    assert_eq!(fab.rate(f2), None);
    assert_eq!(fab.end_flow(f2), Err(FabricError::UnknownFlow(f2)));
    assert_gbps(fab.rate(g), 5.0);

    let ghost = LinkId(7);
    assert_eq!(
        fab.start_flow(&[a, ghost], None),
        Err(FabricError::UnknownLink(ghost))
    );
    assert_eq!(fab.fail_link(ghost), Err(FabricError::UnknownLink(ghost)));
    assert_eq!(fab.repair_link(ghost), Err(FabricError::UnknownLink(ghost)));
    assert_eq!(
        fab.set_capacity(ghost, gbps(1.0)),
        Err(FabricError::UnknownLink(ghost))
    );
    assert_eq!(fab.start_flow(&[], None), Err(FabricError::Unbounded));
    assert_eq!(
        fab.start_flow(&[a, b, a], None),
        Err(FabricError::DuplicateLink(a))
    );
    assert_eq!(
        fab.start_flow(&[a], Some(BitsPerSecond::ZERO)),
        Err(FabricError::NonPositiveCapacity)
    );
    assert_eq!(
        fab.try_add_link(gbps(-1.0), 1),
        Err(FabricError::NonPositiveCapacity)
    );
    // Refused calls changed nothing.
    assert_eq!((fab.link_count(), fab.flow_count()), (2, 3));
    assert_eq!(fab.flows_on(a), 2);
    assert_gbps(fab.rate(f1), 5.0);
    assert_eq!(
        FabricError::DuplicateLink(a).to_string(),
        "path crosses link 0 more than once"
    );
}

#[test]
fn swap_remove_keeps_positions_consistent() {
    let mut fab = Fabric::new();
    let l = fab.add_link(gbps(12.0), 1);
    let m = fab.add_link(gbps(12.0), 1);
    let ids: Vec<FlowId> = (0..4)
        .map(|_| fab.start_flow(&[l, m], None).unwrap().0)
        .collect();
    // Remove the first (moving the last into its place), then the moved one.
    fab.end_flow(ids[0]).unwrap();
    fab.end_flow(ids[3]).unwrap();
    assert_eq!(fab.flows_on(l), 2);
    assert_eq!(fab.flows_on(m), 2);
    // 12 / 2 = 6 each.
    assert_gbps(fab.rate(ids[1]), 6.0);
    fab.end_flow(ids[2]).unwrap();
    assert_gbps(fab.rate(ids[1]), 12.0);
    fab.end_flow(ids[1]).unwrap();
    assert_eq!((fab.flows_on(l), fab.flows_on(m)), (0, 0));
    assert_eq!(fab.load(l), BitsPerSecond::ZERO);
}

#[test]
fn recompute_is_limited_to_the_component() {
    let mut fab = Fabric::new();
    // Component X: links a, b; x1 [a], x2 [a, b].
    let a = fab.add_link(gbps(10.0), 1);
    let b = fab.add_link(gbps(40.0), 1);
    let (x1, _) = fab.start_flow(&[a], None).unwrap();
    let (x2, _) = fab.start_flow(&[a, b], None).unwrap();
    // Component Y: link c; y1, y2 over [c].
    let c = fab.add_link(gbps(20.0), 1);
    let (y1, _) = fab.start_flow(&[c], None).unwrap();
    let (y2, _) = fab.start_flow(&[c], None).unwrap();
    // 50 more unrelated single-link components.
    for _ in 0..50 {
        let l = fab.add_link(gbps(1.0), 1);
        fab.start_flow(&[l], None).unwrap();
    }
    assert_eq!((fab.flow_count(), fab.link_count()), (54, 53));

    // Y: 20 -> 8 gives 4 each; X untouched.
    let ch = fab.set_capacity(c, gbps(8.0)).unwrap();
    assert_changes(&ch, &[(y1, 10.0, 4.0), (y2, 10.0, 4.0)]);
    assert_eq!(fab.last_recompute_size(), (2, 1));
    assert_gbps(fab.rate(x1), 5.0);

    // Failing a: x1, x2 stall, b is visited for x2; Y not visited.
    let ch = fab.fail_link(a).unwrap();
    assert_changes(&ch, &[(x1, 5.0, 0.0), (x2, 5.0, 0.0)]);
    assert_eq!(fab.last_recompute_size(), (2, 2));

    // A new flow on b: the stalled x2 does not connect b to a.
    let (z, ch) = fab.start_flow(&[b], None).unwrap();
    assert_changes(&ch, &[(z, 0.0, 40.0)]);
    assert_eq!(fab.last_recompute_size(), (1, 1));

    // Repair a: x1, x2 resume and couple b (and z) back in.
    // a: 10 / 2 = 5 for x1, x2; b: 40 - 5 = 35 for z.
    let ch = fab.repair_link(a).unwrap();
    assert_changes(&ch, &[(x1, 0.0, 5.0), (x2, 0.0, 5.0), (z, 40.0, 35.0)]);
    assert_eq!(fab.last_recompute_size(), (3, 2));

    // Ending y1 visits only c and y2: 8 / 1 = 8.
    let ch = fab.end_flow(y1).unwrap();
    assert_changes(&ch, &[(y2, 4.0, 8.0)]);
    assert_eq!(fab.last_recompute_size(), (1, 1));
}

#[test]
fn identical_call_sequences_give_identical_bits() {
    let run = || {
        let mut fab = Fabric::new();
        let links: Vec<LinkId> = (1..=5)
            .map(|i| fab.add_link(gbps(3.3 * f64::from(i)), 1))
            .collect();
        let mut ids = Vec::new();
        for i in 0..12 {
            let path = [links[i % 5], links[(i * 3 + 1) % 5]];
            let path = if path[0] == path[1] {
                &path[..1]
            } else {
                &path[..]
            };
            ids.push(fab.start_flow(path, Some(gbps(1.7))).unwrap().0);
        }
        fab.fail_link(links[2]).unwrap();
        fab.end_flow(ids[4]).unwrap();
        fab.repair_link(links[2]).unwrap();
        ids.iter()
            .filter_map(|&f| fab.rate(f))
            .map(|r| r.0.to_bits())
            .collect::<Vec<u64>>()
    };
    assert_eq!(run(), run());
}

// ---- Property test -------------------------------------------------

const REL: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * a.abs().max(b.abs()) + 1e-6
}

/// From-scratch max-min rates of `flows` (same order), by a plain O(n²)
/// progressive filling that shares no code with the incremental one.
fn from_scratch_rates(fab: &Fabric, flows: &[FlowId]) -> Vec<f64> {
    let paths: Vec<&[LinkId]> = flows.iter().map(|&f| fab.flow_path(f).unwrap()).collect();
    let caps: Vec<Option<f64>> = flows.iter().map(|&f| fab.flow(f).unwrap().cap).collect();
    let stalled: Vec<bool> = paths
        .iter()
        .map(|p| p.iter().any(|&l| !fab.is_up(l)))
        .collect();
    let mut rate = vec![0.0; flows.len()];
    let mut frozen = stalled.clone();
    while frozen.iter().any(|&z| !z) {
        let mut share = vec![f64::INFINITY; fab.link_count()];
        for (l, s) in share.iter_mut().enumerate() {
            let id = LinkId(l as u32);
            if !fab.is_up(id) {
                continue;
            }
            let mut used = 0.0;
            let mut n = 0;
            for i in 0..flows.len() {
                if paths[i].contains(&id) {
                    if frozen[i] {
                        used += rate[i];
                    } else {
                        n += 1;
                    }
                }
            }
            if n > 0 {
                *s = (fab.capacity(id).0 - used) / f64::from(n);
            }
        }
        let mut level = share.iter().copied().fold(f64::INFINITY, f64::min);
        for i in 0..flows.len() {
            if let (false, Some(c)) = (frozen[i], caps[i]) {
                level = level.min(c);
            }
        }
        assert!(level.is_finite(), "every unfrozen flow is bounded");
        let mut freeze = Vec::new();
        for i in 0..flows.len() {
            if frozen[i] {
                continue;
            }
            if caps[i].is_some_and(|c| c <= level) {
                freeze.push((i, caps[i].unwrap()));
            } else if paths[i].iter().any(|l| share[l.0 as usize] <= level) {
                freeze.push((i, level));
            }
        }
        for (i, r) in freeze {
            rate[i] = r;
            frozen[i] = true;
        }
    }
    rate
}

/// (flows, links) of the component of the module's rule, found naively.
fn reference_component(
    fab: &Fabric,
    flows: &[FlowId],
    seed_links: &[LinkId],
    seed_flows: &[FlowId],
) -> (usize, usize) {
    let mut link_in = vec![false; fab.link_count()];
    let mut flow_in = vec![false; flows.len()];
    for &l in seed_links {
        link_in[l.0 as usize] = true;
    }
    for (i, f) in flows.iter().enumerate() {
        if seed_flows.contains(f) {
            flow_in[i] = true;
            for &l in fab.flow_path(*f).unwrap() {
                link_in[l.0 as usize] = true;
            }
        }
    }
    loop {
        let mut grew = false;
        for (i, &f) in flows.iter().enumerate() {
            let path = fab.flow_path(f).unwrap();
            if flow_in[i]
                || fab.is_stalled(f).unwrap()
                || !path.iter().any(|l| link_in[l.0 as usize])
            {
                continue;
            }
            flow_in[i] = true;
            grew = true;
            for &l in path {
                link_in[l.0 as usize] = true;
            }
        }
        if !grew {
            break;
        }
    }
    (
        flow_in.iter().filter(|&&x| x).count(),
        link_in.iter().filter(|&&x| x).count(),
    )
}

/// Checks invariants (a)-(d) plus loads and flow counts.
fn check_state(fab: &Fabric, flows: &[FlowId]) -> Result<(), TestCaseError> {
    prop_assert_eq!(fab.flow_count(), flows.len());
    let rates: Vec<f64> = flows.iter().map(|&f| fab.rate(f).unwrap().0).collect();
    for l in 0..fab.link_count() {
        let id = LinkId(l as u32);
        let on: Vec<usize> = (0..flows.len())
            .filter(|&i| fab.flow_path(flows[i]).unwrap().contains(&id))
            .collect();
        prop_assert_eq!(fab.flows_on(id), on.len());
        let sum: f64 = on.iter().map(|&i| rates[i]).sum();
        prop_assert!(close(fab.load(id).0, sum), "load of {:?}", id);
        // (a) no overload.
        if fab.is_up(id) {
            prop_assert!(
                sum <= fab.capacity(id).0 * (1.0 + REL),
                "{:?} overloaded",
                id
            );
        } else {
            prop_assert_eq!(sum, 0.0);
        }
    }
    for (i, &f) in flows.iter().enumerate() {
        let path = fab.flow_path(f).unwrap();
        // (c) stalled exactly when crossing a down link.
        let crosses_down = path.iter().any(|&l| !fab.is_up(l));
        prop_assert_eq!(fab.is_stalled(f), Some(crosses_down));
        if crosses_down {
            prop_assert_eq!(rates[i], 0.0);
            continue;
        }
        // (b) at cap, or crossing a saturated link where it has the max rate.
        prop_assert!(rates[i] > 0.0);
        let cap = fab.flow(f).unwrap().cap;
        prop_assert!(cap.is_none_or(|c| rates[i] <= c * (1.0 + REL)));
        let at_cap = cap.is_some_and(|c| close(rates[i], c));
        let bottleneck = path.iter().any(|&l| {
            let saturated = fab.load(l).0 >= fab.capacity(l).0 * (1.0 - REL);
            let max_here = (0..flows.len())
                .filter(|&j| fab.flow_path(flows[j]).unwrap().contains(&l))
                .map(|j| rates[j])
                .fold(0.0, f64::max);
            saturated && rates[i] >= max_here * (1.0 - REL)
        });
        prop_assert!(at_cap || bottleneck, "flow {:?} has no bottleneck", f);
    }
    // (d) equal to a from-scratch computation.
    let want = from_scratch_rates(fab, flows);
    for (i, (&got, &want)) in rates.iter().zip(&want).enumerate() {
        prop_assert!(close(got, want), "flow {:?}: {} vs {}", flows[i], got, want);
    }
    Ok(())
}

/// Checks the link groups: each link crossed by a flow is in the group of
/// its capacity and exactly its flows (ascending), at its recorded
/// position; no two live groups have one key and the key table finds
/// each; each flow lists exactly the groups of its path, at the positions
/// the groups record; a valid lowest link is the lowest.
fn check_groups(fab: &Fabric, flows: &[FlowId]) -> Result<(), TestCaseError> {
    let mut live_groups = std::collections::BTreeSet::new();
    for l in 0..fab.link_count() {
        let id = LinkId(l as u32);
        let mut on: Vec<u32> = flows
            .iter()
            .filter(|&&f| fab.flow_path(f).unwrap().contains(&id))
            .map(|f| f.index())
            .collect();
        on.sort_unstable();
        let link = &fab.links[l];
        if on.is_empty() {
            prop_assert_eq!(link.group, NO_GROUP);
            continue;
        }
        let group = &fab.groups[link.group as usize];
        prop_assert_eq!(&group.flows[..], &on[..]);
        prop_assert_eq!(group.capacity.to_bits(), link.capacity.to_bits());
        prop_assert_eq!(group.links[link.pos as usize], l as u32);
        if group.min_valid {
            prop_assert_eq!(group.min_link, *group.links.iter().min().unwrap());
        }
        live_groups.insert(link.group);
    }
    let mut keys = std::collections::BTreeSet::new();
    let mut fab = fab.clone();
    for &g in &live_groups {
        let group = &fab.groups[g as usize];
        let key = (group.capacity.to_bits(), group.flows.clone());
        prop_assert!(keys.insert(key.clone()), "two groups of one key");
        prop_assert_eq!(fab.group_for(key.0, &key.1), g, "key table");
    }
    for &f in flows {
        let own = &fab.flow(f).unwrap().groups;
        let mut listed: Vec<u32> = own.iter().map(|&(g, _)| g).collect();
        for (i, &(g, at)) in own.iter().enumerate() {
            let group = &fab.groups[g as usize];
            prop_assert_eq!(group.flows[at as usize], f.index());
            prop_assert_eq!(group.flow_pos[at as usize] as usize, i);
        }
        let mut crossed: Vec<u32> = fab
            .flow_path(f)
            .unwrap()
            .iter()
            .map(|l| fab.links[l.0 as usize].group)
            .collect();
        listed.sort_unstable();
        crossed.sort_unstable();
        crossed.dedup();
        prop_assert_eq!(listed, crossed);
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum Op {
    AddLink(f64),
    Start(Vec<usize>, Option<f64>),
    End(usize),
    Fail(usize),
    Repair(usize),
    SetCap(usize, f64),
    Stale(usize),
}

/// Capacities/caps [Gb/s]: round values (to create ties) or arbitrary ones.
fn gb_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![1.0, 2.5, 10.0, 40.0, 100.0]),
        0.1f64..200.0,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => gb_value().prop_map(Op::AddLink),
        6 => (
            prop::collection::vec(0usize..1000, 0..6),
            prop::option::weighted(0.3, gb_value())
        )
            .prop_map(|(p, c)| Op::Start(p, c)),
        3 => any::<usize>().prop_map(Op::End),
        2 => any::<usize>().prop_map(Op::Fail),
        2 => any::<usize>().prop_map(Op::Repair),
        1 => (any::<usize>(), gb_value()).prop_map(|(l, c)| Op::SetCap(l, c)),
        1 => any::<usize>().prop_map(Op::Stale),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn incremental_max_min_matches_from_scratch(
        initial in prop::collection::vec(gb_value(), 1..=30),
        ops in prop::collection::vec(op(), 1..120),
    ) {
        let mut fab = Fabric::new();
        for &c in &initial {
            fab.add_link(gbps(c), 1);
        }
        let mut flows: Vec<FlowId> = Vec::new();
        let mut stale: Vec<FlowId> = Vec::new();
        for op in ops {
            let before: Vec<(FlowId, f64)> = flows.iter().map(|&f| (f, fab.rate(f).unwrap().0)).collect();
            let nl = fab.link_count();
            let link = |k: usize| LinkId((k % nl) as u32);
            // (changes, seed links, seed flows, new flow) of the operation.
            let (changes, seeds, seed_flows, new_flow): (Vec<RateChange>, Vec<LinkId>, Vec<FlowId>, Option<FlowId>) = match op {
                Op::AddLink(c) => {
                    if nl >= 30 {
                        continue;
                    }
                    fab.add_link(gbps(c), 1);
                    (vec![], vec![], vec![], None)
                }
                Op::Start(raw, cap) => {
                    if flows.len() >= 60 {
                        continue;
                    }
                    let raw: Vec<LinkId> = raw.into_iter().map(link).collect();
                    let mut path = Vec::new();
                    for &l in &raw {
                        if !path.contains(&l) {
                            path.push(l);
                        }
                    }
                    let cap = cap.map(gbps);
                    if raw.len() != path.len() {
                        let dup = raw.iter().enumerate().find(|(i, l)| raw[..*i].contains(l)).unwrap().1;
                        prop_assert_eq!(fab.start_flow(&raw, cap), Err(FabricError::DuplicateLink(*dup)));
                    }
                    if path.is_empty() && cap.is_none() {
                        prop_assert_eq!(fab.start_flow(&path, cap), Err(FabricError::Unbounded));
                        continue;
                    } else {
                        let (f, ch) = fab.start_flow(&path, cap).unwrap();
                        flows.push(f);
                        (ch, vec![], vec![f], Some(f))
                    }
                }
                Op::End(k) => {
                    if flows.is_empty() {
                        continue;
                    }
                    let f = flows.remove(k % flows.len());
                    let stalled = fab.is_stalled(f).unwrap();
                    let path = fab.flow_path(f).unwrap().to_vec();
                    let ch = fab.end_flow(f).unwrap();
                    stale.push(f);
                    (ch, if stalled { vec![] } else { path }, vec![], None)
                }
                Op::Fail(k) => {
                    let l = link(k);
                    let newly: Vec<FlowId> = if fab.is_up(l) {
                        flows.iter().copied().filter(|&f| {
                            !fab.is_stalled(f).unwrap() && fab.flow_path(f).unwrap().contains(&l)
                        }).collect()
                    } else {
                        vec![]
                    };
                    let was_up = fab.is_up(l);
                    let ch = fab.fail_link(l).unwrap();
                    (ch, if was_up { vec![l] } else { vec![] }, newly, None)
                }
                Op::Repair(k) => {
                    let l = link(k);
                    let was_up = fab.is_up(l);
                    let ch = fab.repair_link(l).unwrap();
                    (ch, if was_up { vec![] } else { vec![l] }, vec![], None)
                }
                Op::SetCap(k, c) => {
                    let l = link(k);
                    let same = fab.capacity(l) == gbps(c);
                    let ch = fab.set_capacity(l, gbps(c)).unwrap();
                    (ch, if same { vec![] } else { vec![l] }, vec![], None)
                }
                Op::Stale(k) => {
                    if let Some(&f) = stale.get(k % stale.len().max(1)) {
                        prop_assert_eq!(fab.end_flow(f), Err(FabricError::UnknownFlow(f)));
                        prop_assert_eq!(fab.rate(f), None);
                    }
                    continue;
                }
            };

            check_state(&fab, &flows)?;
            check_groups(&fab, &flows)?;

            // The change list is exactly the flows whose rate changed
            // (plus the new flow), sorted, with the right old/new values.
            prop_assert!(changes.windows(2).all(|w| w[0].flow < w[1].flow));
            let mut expected = Vec::new();
            for &f in &flows {
                let now = fab.rate(f).unwrap().0;
                if Some(f) == new_flow {
                    expected.push(RateChange { flow: f, old: BitsPerSecond::ZERO, new: BitsPerSecond(now) });
                    continue;
                }
                let old = before.iter().find(|b| b.0 == f).expect("flow existed before").1;
                if old != now {
                    expected.push(RateChange { flow: f, old: BitsPerSecond(old), new: BitsPerSecond(now) });
                }
            }
            expected.sort_by_key(|c| c.flow);
            prop_assert_eq!(&changes, &expected);

            // Incrementality: the visited component is the rule's component.
            let want = if seeds.is_empty() && seed_flows.is_empty() {
                (0, 0)
            } else if new_flow.is_some_and(|f| fab.is_stalled(f).unwrap()) {
                (1, 0)
            } else {
                reference_component(&fab, &flows, &seeds, &seed_flows)
            };
            prop_assert_eq!(fab.last_recompute_size(), want);
        }
    }
}
