//! Which job runs where: preemption by inference services, the queue
//! from its head, EASY backfill behind a head that does not fit, its
//! reservation, and starting a job on the domains found.

use super::*;

/// A job behind the queue's head that backfill may start: its index, rack
/// model and domains (copied from its spec, read at every backfill).
#[derive(Clone, Copy, Debug)]
pub(super) struct Candidate {
    job: u32,
    rack_type: u32,
    domains: u32,
}

impl Training<'_> {
    /// A running training job (computing, checkpointing or restarting: its
    /// domains are all up) of rack model `rack_type` holding domains at
    /// `site`, of priority below `priority`, that an inference service may
    /// preempt: the lowest priority first, then the one that loses the
    /// least work (the least compute since its last checkpoint), then the
    /// lowest job index. A job waiting for its domains is not offered: its
    /// chips are down, taking them frees nothing. O(jobs placed at the
    /// site).
    pub fn preemptible(&self, site: SiteId, rack_type: usize, priority: i32) -> Option<usize> {
        self.placed[site.index()]
            .iter()
            .map(|&j| j as usize)
            .filter(|&j| {
                let job = &self.config.jobs[j];
                job.rack_type == rack_type
                    && job.priority < priority
                    && self.runs[j].state.is_running()
            })
            .min_by_key(|&j| (self.config.jobs[j].priority, self.runs[j].segment, j))
    }

    /// Preempts a placed job at `now` (an inference service needs its
    /// chips): an interruption of class `preempted` — the work since its
    /// last checkpoint is lost — then it gives back every allocation and
    /// goes back to the queue, restarting from its checkpoint when placed
    /// again.
    pub fn preempt(&mut self, job: usize, now: SimTime, world: &mut World) {
        if self.runs[job].parts.is_empty() {
            return;
        }
        if self.runs[job].state.is_running() {
            self.interrupt(job, now, Interruption::Preempted);
            self.set_state(job, now, JobState::Waiting);
            self.set_load(job, now, 0.0, world);
            self.end_running(job, now, world);
        }
        // A job already waiting for its domains (not offered by
        // `preemptible`) lost its work to that failure: losing its
        // placement too would be no second interruption.
        self.unplace(job, now, world);
        let j = &self.config.jobs[job];
        self.set_state(job, now, JobState::Queued);
        self.queue.push(job as u32, j.priority, j.submit);
    }

    /// Starts queued jobs from the head for as long as the head finds room,
    /// then backfills behind a head that does not fit.
    pub(super) fn start_queued(&mut self, now: SimTime, world: &mut World) {
        while let Some(head) = self.queue.head() {
            let job = head as usize;
            let j = &self.config.jobs[job];
            let (model, needed, sites) = (
                RackTypeId(j.rack_type as u32),
                j.domains as usize,
                self.config.sites.len(),
            );
            let parts = match placement::place(world, sites, model, needed) {
                Some((site, domains)) => vec![(site, domains)],
                None if j.multi_site => {
                    match placement::place_across(world, sites, model, needed) {
                        Some(parts) => parts,
                        None => {
                            self.backfill(job, now, world);
                            return;
                        }
                    }
                }
                None => {
                    self.backfill(job, now, world);
                    return;
                }
            };
            self.start(job, parts, now, world);
        }
    }

    /// EASY backfill behind `head`, which does not fit now: reserves its
    /// start ([`Reservation::earliest`], from the placed jobs' estimated
    /// ends), then starts, in queue order among the next
    /// [`BACKFILL_DEPTH`] jobs, each that fits now at one site and that
    /// the reservation admits. Without a reservation (the head's room is
    /// held by domains in repair, not by jobs; it needs several sites; or
    /// its rack model is gone) only jobs of other rack models start: they
    /// cannot take the head's room.
    pub(super) fn backfill(&mut self, head: usize, now: SimTime, world: &mut World) {
        // The jobs behind the head change only when the queue does: a
        // backfill that started nothing leaves them for the next one.
        if self.candidates_of != Some(self.queue.version()) {
            self.candidates.clear();
            let jobs = &self.config.jobs;
            self.candidates
                .extend(
                    self.queue
                        .iter()
                        .skip(1)
                        .take(BACKFILL_DEPTH)
                        .map(|c| Candidate {
                            job: c,
                            rack_type: jobs[c as usize].rack_type as u32,
                            domains: jobs[c as usize].domains,
                        }),
                );
            self.candidates_of = Some(self.queue.version());
        }
        let head_model = self.config.jobs[head].rack_type as u32;
        let candidates = std::mem::take(&mut self.candidates);
        let mut widest = std::mem::take(&mut self.widest);
        self.widest_room(world, &mut widest);
        // The head's reservation, computed when the first candidate fits
        // somewhere (nothing has started before it, so it is the same as
        // at the call): `None` outside, `Some(None)` for no reservation.
        let mut reservation: Option<Option<Reservation>> = None;
        for c in &candidates {
            // No site has room for it (the first test `site_with_room`
            // would make at every site).
            if c.domains as usize > widest[c.rack_type as usize] {
                continue;
            }
            let r = reservation.get_or_insert_with(|| self.reserve(head, now, world));
            if r.is_none() && c.rack_type == head_model {
                continue;
            }
            let model = RackTypeId(c.rack_type);
            let needed = c.domains as usize;
            // Admitted first: only a job that starts pays for its packing.
            let site = placement::site_with_room(world, self.config.sites.len(), model, needed)
                .expect("a site has the room counted");
            let job = c.job as usize;
            let end = now + self.estimate(job);
            if let Some(r) = r.as_mut()
                && !r.admits(site.0, c.rack_type, c.domains, end)
            {
                continue;
            }
            let domains = placement::pack_at(world, site, model, needed)
                .expect("the site has room for the job");
            self.start(job, vec![(site, domains)], now, world);
            self.widest_room(world, &mut widest);
        }
        self.candidates = candidates;
        self.widest = widest;
    }

    /// The most free healthy domains of each rack model at any one site,
    /// into `widest` (by rack model). O(sites × rack models).
    fn widest_room(&self, world: &World, widest: &mut [usize]) {
        for (m, w) in widest.iter_mut().enumerate() {
            *w = (0..self.config.sites.len() as u32)
                .map(|s| world.capacity(SiteId(s), RackTypeId(m as u32)))
                .max()
                .unwrap_or(0);
        }
    }

    /// The head's reservation: over the sites in order, the earliest time
    /// a pool of its rack model holds its domains (ties to the first site).
    pub(super) fn reserve(&self, head: usize, now: SimTime, world: &World) -> Option<Reservation> {
        let j = &self.config.jobs[head];
        let model = RackTypeId(j.rack_type as u32);
        let mut best: Option<Reservation> = None;
        for s in 0..self.config.sites.len() {
            let free = world.capacity(SiteId(s as u32), model) as u32;
            let pool = &self.ends[self.pool(s, j.rack_type)];
            let releases = pool.iter().map(|&(at, _, domains)| (at, domains));
            if let Some((at, extra)) = Reservation::earliest(now, free, j.domains, releases)
                && best.is_none_or(|b| at < b.at)
            {
                best = Some(Reservation {
                    at,
                    site: s as u32,
                    rack_type: j.rack_type as u32,
                    extra,
                });
            }
        }
        best
    }

    /// Index of the pool of (site, rack model) in `ends` and `waiters`.
    pub(super) fn pool(&self, site: usize, rack_type: usize) -> usize {
        site * self.config.rack_types.len() + rack_type
    }

    /// A job's ideal remaining duration from a start now: its remaining
    /// work `w` (since its last checkpoint) at full speed `r`, the
    /// checkpoints on the way, `(⌈w/(r·E)⌉ − 1) · C`, and the restart
    /// overhead if it resumes from a checkpoint.
    pub(super) fn estimate(&self, job: usize) -> SimDuration {
        let j = &self.config.jobs[job];
        let run = &self.runs[job];
        let rate = j.full_rate(&self.config.rack_types[j.rack_type]);
        let compute = (j.work - run.saved).max(0.0) / rate;
        let every = j.checkpoint_every.seconds();
        let checkpoints = if every > 0.0 {
            ((compute / every).ceil() - 1.0).max(0.0)
        } else {
            0.0
        };
        let restart = if self.details[job].first_start.is_some() {
            j.restart_overhead
        } else {
            SimDuration(0)
        };
        SimDuration::from_secs_f64(compute + checkpoints * j.checkpoint_time.seconds()) + restart
    }

    /// Places queued job `job` on `parts` (domains at each site) and starts
    /// it (or restarts it from its checkpoint).
    pub(super) fn start(
        &mut self,
        job: usize,
        parts: Vec<(SiteId, Vec<DomainId>)>,
        now: SimTime,
        world: &mut World,
    ) {
        let j = &self.config.jobs[job];
        self.queue.remove(job as u32, j.priority, j.submit);
        let estimated_end = now + self.estimate(job);
        let per = u64::from(j.chips / j.domains);
        let mut held = Parts::None;
        for (site, domains) in parts {
            let n = domains.len() as u32;
            let allocation = world
                .allocate_owned(now, domains, 1.0)
                .expect("placement offers free healthy domains of one site and model");
            let index = allocation.0 as usize;
            if self.by_allocation.len() <= index {
                self.by_allocation.resize(index + 1, NO_JOB);
            }
            self.by_allocation[index] = job as u32;
            let pool = self.pool(site.index(), j.rack_type);
            self.ends[pool].insert((estimated_end, job as u32, n));
            let list = &mut self.placed[site.index()];
            self.tally[site.index()].chips += u64::from(n) * per;
            held.push(Part {
                allocation,
                site: site.0,
                domains: n,
                down: 0,
                racks: 0,
                site_pos: list.len() as u32,
            });
            list.push(job as u32);
        }
        let detail = &mut self.details[job];
        detail.last_sites = Sites::of(&held);
        detail.estimated_end = estimated_end;
        detail.held_since = now;
        detail.down_domains.clear();
        let first = detail.first_start.is_none();
        if first {
            detail.first_start = Some(now);
        }
        let run = &mut self.runs[job];
        run.parts = held;
        run.since = now;
        if first {
            self.set_state(job, now, JobState::Computing);
            self.begin_running(job, now, world);
            self.compute(job, now, world);
        } else {
            // Placed again after losing its domains: restart from the
            // checkpoint first, chips idle.
            self.set_state(job, now, JobState::Restarting);
            self.set_load(job, now, 0.0, world);
            self.begin_running(job, now, world);
            self.schedule(now + j.restart_overhead, job);
        }
    }
}
