//! Gang placement: a job takes whole scale-up domains of its rack model, all
//! at one site, packed into as few racks as possible; a job allowed to span
//! sites and that no one site can hold now takes them from the sites with
//! the most free domains ([`place_across`]).
//!
//! Packing takes the racks with the most free domains first (fewest racks:
//! no other choice of racks covers the job with fewer), then finishes with
//! the rack of the fewest free domains that still covers the remainder (so
//! whole free racks stay whole for the next job). Ties go to the lower rack
//! id while taking whole racks and to the higher one for the finishing rack,
//! domains within a rack in id order: deterministic.
//!
//! Cost: [`pack_at`] reads the world's per-rack free counts (kept in
//! O(1) per change), so a placement costs O(domains per rack ×
//! racks taken), not a sort of the pool; a failed attempt costs one
//! capacity read per site. [`pack`] is the same choice from a plain list
//! (O(f log f) in its free domains `f`), the reference the tests compare
//! against.

use crate::world::{DomainId, RackId, RackTypeId, SiteId, World};

/// Chooses `needed` domains among `free` (domain, its rack) packed into the
/// fewest racks, or `None` if there are fewer than `needed`.
pub fn pack(free: &[(DomainId, RackId)], needed: usize) -> Option<Vec<DomainId>> {
    if needed == 0 || free.len() < needed {
        return None;
    }
    // Sorted by (rack, domain), each pair as one u64 key: sorting plain
    // integers is several times faster than sorting tuples, and pools can
    // hold tens of thousands of free domains.
    let mut keys: Vec<u64> = free
        .iter()
        .map(|&(d, r)| (u64::from(r.0) << 32) | u64::from(d.0))
        .collect();
    keys.sort_unstable();
    let sorted: Vec<(DomainId, RackId)> = keys
        .iter()
        .map(|&k| (DomainId(k as u32), RackId((k >> 32) as u32)))
        .collect();
    // Racks as (free count, start in `sorted`).
    let mut racks: Vec<(usize, usize)> = Vec::new();
    for (i, &(_, r)) in sorted.iter().enumerate() {
        match racks.last_mut() {
            Some(last) if sorted[last.1].1 == r => last.0 += 1,
            _ => racks.push((1, i)),
        }
    }
    // Most free domains first; ties by rack id (start order), again as
    // one integer key each.
    let mut order: Vec<u64> = racks
        .iter()
        .map(|&(n, start)| ((u64::from(u32::MAX) - n as u64) << 32) | start as u64)
        .collect();
    order.sort_unstable();
    let racks: Vec<(usize, usize)> = order
        .iter()
        .map(|&k| {
            (
                (u64::from(u32::MAX) - (k >> 32)) as usize,
                (k & 0xFFFF_FFFF) as usize,
            )
        })
        .collect();
    let mut chosen = Vec::with_capacity(needed);
    let mut rest = needed;
    let mut i = 0;
    while rest > 0 {
        let (n, start) = racks[i];
        if n >= rest {
            // The smallest rack from here on that covers the remainder
            // (racks are in decreasing size: the last one with n ≥ rest).
            let last = racks[i..]
                .iter()
                .rposition(|&(m, _)| m >= rest)
                .map_or(i, |j| i + j);
            let (_, start) = racks[last];
            chosen.extend(sorted[start..start + rest].iter().map(|&(d, _)| d));
            rest = 0;
        } else {
            chosen.extend(sorted[start..start + n].iter().map(|&(d, _)| d));
            rest -= n;
            i += 1;
        }
    }
    Some(chosen)
}

/// Finds room for `needed` domains of `rack_type`: the first site (in
/// scenario order) with enough free healthy domains, and the domains
/// packed there.
pub fn place(
    world: &World,
    sites: usize,
    rack_type: RackTypeId,
    needed: usize,
) -> Option<(SiteId, Vec<DomainId>)> {
    let site = site_with_room(world, sites, rack_type, needed)?;
    pack_at(world, site, rack_type, needed).map(|d| (site, d))
}

/// Room for `needed` domains of `rack_type` spread over several sites, for
/// a job allowed to span sites that no one site can hold now: the sites
/// with the most free domains first (ties: scenario order), each packed as
/// [`pack_at`] packs, until the job is covered; so it crosses as few
/// sites as the free domains allow. `None` if all sites together have
/// fewer than `needed`. One capacity read per site, then one packing per
/// site taken.
pub fn place_across(
    world: &World,
    sites: usize,
    rack_type: RackTypeId,
    needed: usize,
) -> Option<Vec<(SiteId, Vec<DomainId>)>> {
    let mut free: Vec<(usize, SiteId)> = (0..sites as u32)
        .map(SiteId)
        .map(|s| (world.capacity(s, rack_type), s))
        .filter(|&(n, _)| n > 0)
        .collect();
    if free.iter().map(|&(n, _)| n).sum::<usize>() < needed || needed == 0 {
        return None;
    }
    free.sort_by_key(|&(n, s)| (std::cmp::Reverse(n), s.0));
    let mut parts = Vec::new();
    let mut rest = needed;
    for (n, site) in free {
        let take = n.min(rest);
        parts.push((site, pack_at(world, site, rack_type, take)?));
        rest -= take;
        if rest == 0 {
            break;
        }
    }
    Some(parts)
}

/// Finds room for `needed` domains of `rack_type` off the racks `avoid`
/// (sorted): the first site (in scenario order) whose free healthy
/// domains on other racks are enough, packed there as [`pack`] packs.
/// For a move off racks about to go dark; O(racks of the world + free
/// domains of the sites tried × log), not for every placement.
pub fn place_avoiding(
    world: &World,
    sites: usize,
    rack_type: RackTypeId,
    needed: usize,
    avoid: &[RackId],
) -> Option<(SiteId, Vec<DomainId>)> {
    (0..sites as u32).map(SiteId).find_map(|site| {
        if world.capacity(site, rack_type) < needed {
            return None;
        }
        let free: Vec<(DomainId, RackId)> = world
            .free_domains(site, rack_type)
            .map(|d| (d, world.domain_rack(d)))
            .filter(|(_, r)| avoid.binary_search(r).is_err())
            .collect();
        pack(&free, needed).map(|d| (site, d))
    })
}

/// The first site (in scenario order) with `needed` free healthy domains
/// of `rack_type`: one capacity read per site, no sorting.
pub fn site_with_room(
    world: &World,
    sites: usize,
    rack_type: RackTypeId,
    needed: usize,
) -> Option<SiteId> {
    (0..sites as u32)
        .map(SiteId)
        .find(|&s| world.capacity(s, rack_type) >= needed)
}

/// `needed` free domains of `rack_type` at `site`, packed as [`pack`]
/// packs them (the same choice, ties included), from the world's per-rack
/// free counts: O(domains per rack × racks taken + the racks' set
/// look-ups), not a sort of the pool.
pub fn pack_at(
    world: &World,
    site: SiteId,
    rack_type: RackTypeId,
    needed: usize,
) -> Option<Vec<DomainId>> {
    if needed == 0 || world.capacity(site, rack_type) < needed {
        return None;
    }
    let max = world.domains_per_rack(rack_type);
    let mut chosen = Vec::with_capacity(needed);
    // A job that one rack covers: the loop below would take no whole rack
    // (the first rack it meets already covers it), so only the finishing
    // rack is sought, from `needed` free domains up.
    if needed <= max
        && let Some(last) = world
            .count_with_free(site, rack_type, needed, max, true)
            .and_then(|count| world.racks_with_free(site, rack_type, count).next_back())
    {
        world.push_free_domains_of_rack(last, needed, &mut chosen);
        return Some(chosen);
    }
    let mut taken: Vec<RackId> = Vec::new();
    let mut rest = needed;
    // Whole racks, most free domains first (ties: lower rack id), until one
    // would cover the remainder; counts no rack has are skipped.
    let mut below = max;
    'whole: while let Some(count) = world.count_with_free(site, rack_type, 1, below, false) {
        for rack in world.racks_with_free(site, rack_type, count) {
            if count >= rest {
                break 'whole;
            }
            world.push_free_domains_of_rack(rack, count, &mut chosen);
            taken.push(rack);
            rest -= count;
        }
        below = count - 1;
    }
    // The rack with the fewest free domains that covers the remainder
    // (ties: the higher rack id), as `pack` finishes.
    let mut from = rest;
    let last = loop {
        let count = world.count_with_free(site, rack_type, from, max, true)?;
        if let Some(rack) = world
            .racks_with_free(site, rack_type, count)
            .rev()
            .find(|r| !taken.contains(r))
        {
            break rack;
        }
        from = count + 1;
    };
    world.push_free_domains_of_rack(last, rest, &mut chosen);
    Some(chosen)
}

/// One free domain of `rack_type` at `site`, the one [`pack_at`] would
/// choose for `needed` = 1: the first free domain (in id order) of the
/// rack with the fewest free domains (ties: the higher rack id). What a
/// job takes to replace a domain that went down, one domain at a time, so
/// without building a list: O(1) reads of the world's per-rack free counts.
pub fn pack_one(world: &World, site: SiteId, rack_type: RackTypeId) -> Option<DomainId> {
    if world.capacity(site, rack_type) == 0 {
        return None;
    }
    let max = world.domains_per_rack(rack_type);
    // The lowest count that some rack has: its set is never empty.
    let count = world.count_with_free(site, rack_type, 1, max, true)?;
    let rack = world.racks_with_free(site, rack_type, count).next_back()?;
    world.free_domains_of_rack(rack).next()
}

/// The domains that `n` calls of [`pack_one`] at `site` would choose, each
/// taken before the next call, appended to `out` in that order (fewer
/// when the site runs out). Taking a domain leaves its rack the one with
/// the fewest free domains, so the calls empty a rack before moving on:
/// the racks by free count (fewest first), within a count by falling rack
/// id, each rack's free domains in id order. Reads the world's per-rack
/// free counts without changing them: O(racks taken + domains).
pub fn pack_each(
    world: &World,
    site: SiteId,
    rack_type: RackTypeId,
    n: usize,
    out: &mut Vec<DomainId>,
) {
    if n == 0 || world.capacity(site, rack_type) == 0 {
        return;
    }
    let max = world.domains_per_rack(rack_type);
    let end = out.len() + n;
    let mut from = 1;
    while let Some(count) = world.count_with_free(site, rack_type, from, max, true) {
        for rack in world.racks_with_free(site, rack_type, count).rev() {
            world.push_free_domains_of_rack(rack, end - out.len(), out);
            if out.len() >= end {
                return;
            }
        }
        from = count + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Free domains given as (domain, rack) pairs.
    fn free(pairs: &[(u32, u32)]) -> Vec<(DomainId, RackId)> {
        pairs
            .iter()
            .map(|&(d, r)| (DomainId(d), RackId(r)))
            .collect()
    }

    fn racks_of(chosen: &[DomainId], pool: &[(DomainId, RackId)]) -> Vec<u32> {
        let mut r: Vec<u32> = chosen
            .iter()
            .map(|d| pool.iter().find(|p| p.0 == *d).unwrap().1.0)
            .collect();
        r.dedup();
        r
    }

    #[test]
    fn packs_into_the_fewest_racks_keeping_whole_racks_whole() {
        // Rack 0: 1 free domain; rack 1: 4 free; rack 2: 2 free; rack 3: 4.
        let pool = free(&[
            (0, 0),
            (4, 1),
            (5, 1),
            (6, 1),
            (7, 1),
            (9, 2),
            (10, 2),
            (12, 3),
            (13, 3),
            (14, 3),
            (15, 3),
        ]);
        // 2 domains: one rack suffices; the smallest that covers is rack 2.
        let two = pack(&pool, 2).unwrap();
        assert_eq!(two, [DomainId(9), DomainId(10)]);
        // 6 domains: 4 + 2, two racks (rack 1 whole, then rack 2), not 4+1+1.
        let six = pack(&pool, 6).unwrap();
        assert_eq!(racks_of(&six, &pool), [1, 2]);
        // 9 domains: 4 + 4 + 1: three racks, finishing on rack 0.
        let nine = pack(&pool, 9).unwrap();
        assert_eq!(racks_of(&nine, &pool), [1, 3, 0]);
        assert_eq!(pack(&pool, 12), None);
        assert_eq!(pack(&pool, 11).unwrap().len(), 11);
    }
}
