//! Spare nodes, pooled per site and rack model.
//!
//! A phase brings `spare_nodes` spares into its site's pool for its rack
//! model. When a node fails and the pool has a spare ready, the spare is
//! swapped into the failed node's slot (the node is back after the swap
//! time) and the broken node goes to repair; once repaired it rejoins the
//! pool as a ready spare. With no spare ready the node is repaired in place.
//! A pool is shared by every phase of its site and model, and a spare is
//! never moved between sites or models. When a phase retires, its spares
//! leave the pool with it: as many ready spares as it brought, and, if
//! fewer are ready, the rest as they come back from repair.

/// The spare nodes of one (site, rack model).
#[derive(Clone, Copy, Debug, Default)]
struct SparePool {
    /// Spares ready for a swap.
    ready: u64,
    /// Broken nodes swapped out, in repair.
    in_repair: u64,
}

/// The spare pools of every (site, rack model).
#[derive(Clone, Debug, Default)]
pub(crate) struct SparePools {
    /// Rack models per site (the stride of `pools`).
    types: usize,
    /// By `site · types + model`.
    pools: Vec<SparePool>,
    /// By pool: spares of retired phases still to leave when repaired.
    owed: Vec<u64>,
}

impl SparePools {
    /// Empty pools for `sites` sites and `types` rack models.
    pub fn new(sites: usize, types: usize) -> Self {
        SparePools {
            types,
            pools: vec![SparePool::default(); sites * types],
            owed: vec![0; sites * types],
        }
    }

    /// The pool of a site and rack model, as one index.
    pub fn pool(&self, site: usize, rack_type: usize) -> usize {
        site * self.types + rack_type
    }

    /// Adds `n` ready spares (a phase's spares at its commissioning).
    pub fn add(&mut self, pool: usize, n: u64) {
        self.pools[pool].ready += n;
    }

    /// Takes a ready spare for a swap, sending the broken node to repair;
    /// false if none is ready.
    pub fn take(&mut self, pool: usize) -> bool {
        let p = &mut self.pools[pool];
        if p.ready == 0 {
            return false;
        }
        p.ready -= 1;
        p.in_repair += 1;
        true
    }

    /// A broken node sent to repair is back as a ready spare (or leaves,
    /// owed to a retired phase).
    pub fn repaired(&mut self, pool: usize) {
        let p = &mut self.pools[pool];
        p.in_repair -= 1;
        if self.owed[pool] > 0 {
            self.owed[pool] -= 1;
        } else {
            p.ready += 1;
        }
    }

    /// A phase that brought `n` spares retires: they leave the pool.
    pub fn retire(&mut self, pool: usize, n: u64) {
        let p = &mut self.pools[pool];
        let now = n.min(p.ready);
        p.ready -= now;
        // Those in repair leave as they come back (no more than are out).
        self.owed[pool] += (n - now).min(p.in_repair.saturating_sub(self.owed[pool]));
    }

    /// Ready spares of a site, over its rack models.
    pub fn ready_at(&self, site: usize) -> u64 {
        self.pools[site * self.types..(site + 1) * self.types]
            .iter()
            .map(|p| p.ready)
            .sum()
    }
}
