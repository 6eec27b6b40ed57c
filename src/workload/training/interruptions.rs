//! How a training job loses and regains its chips: domains going down and
//! back, re-placement on free domains, waiting, software faults, and the
//! all-reduce flows that run while it runs.

use super::*;

impl Training<'_> {
    /// A domain of allocation `a` of job `job` went down.
    pub(super) fn domain_down(
        &mut self,
        job: usize,
        a: AllocationId,
        domain: DomainId,
        now: SimTime,
        cause: DownCause,
        world: &mut World,
    ) {
        let interruption = match cause {
            DownCause::Node(kind) => Interruption::of_class(kind),
            DownCause::Uplink => Interruption::SwitchCable,
            DownCause::RackPower => Interruption::RackPower,
            DownCause::SiteOutage => Interruption::SiteOutage,
            DownCause::Retired => Interruption::Retired,
            DownCause::Maintenance => Interruption::Maintenance,
        };
        let was_running = self.runs[job].state.is_running();
        if was_running && cause == DownCause::Maintenance {
            // Announced: the job checkpointed as the window opened (the
            // write's time is not charged), so it loses no work.
            if self.runs[job].state == JobState::Computing {
                self.integrate(job, now);
            }
            let run = &mut self.runs[job];
            run.saved = run.done;
            run.segment = SimDuration(0);
        }
        if was_running {
            self.interrupt(job, now, interruption);
            self.set_state(job, now, JobState::Waiting);
            self.set_load(job, now, 0.0, world);
            self.end_running(job, now, world);
        }
        if cause == DownCause::Retired {
            // A retired domain never returns: give the rest back, queue again.
            self.unplace(job, now, world);
            let j = &self.config.jobs[job];
            self.set_state(job, now, JobState::Queued);
            self.queue.push(job as u32, j.priority, j.submit);
            return;
        }
        let per = self.domain_chips(job);
        let rack_type = self.config.jobs[job].rack_type;
        let run = &mut self.runs[job];
        let part = run
            .parts
            .iter_mut()
            .find(|p| p.allocation == a)
            .expect("the job holds the allocation");
        part.down += 1;
        let site = part.site as usize;
        self.details[job].down_domains.push(domain);
        self.tally[site].chips -= per;
        let pool = site * self.config.rack_types.len() + rack_type;
        self.waiters[pool].insert(job as u32);
        if !run.replacing {
            run.replacing = true;
            self.to_replace.push(job as u32);
        }
    }

    /// A held domain of allocation `a` of job `job` is back.
    pub(super) fn domain_up(
        &mut self,
        job: usize,
        a: AllocationId,
        domain: DomainId,
        now: SimTime,
        world: &mut World,
    ) {
        let per = self.domain_chips(job);
        let down_domains = &mut self.details[job].down_domains;
        let Some(k) = down_domains.iter().position(|&d| d == domain) else {
            return;
        };
        down_domains.swap_remove(k);
        let part = self.runs[job]
            .parts
            .iter_mut()
            .find(|p| p.allocation == a)
            .expect("the job holds the allocation");
        part.down -= 1;
        let (site, down) = (part.site as usize, part.down);
        self.tally[site].chips += per;
        if down == 0 {
            let pool = self.pool(site, self.config.jobs[job].rack_type);
            self.waiters[pool].remove(&(job as u32));
        }
        self.resume_if_whole(job, now, world);
    }

    /// A waiting job whose domains are all up restarts from its checkpoint.
    pub(super) fn resume_if_whole(&mut self, job: usize, now: SimTime, world: &mut World) {
        if self.details[job].down_domains.is_empty() && self.runs[job].state == JobState::Waiting {
            self.runs[job].since = now;
            self.set_state(job, now, JobState::Restarting);
            self.begin_running(job, now, world);
            let at = now + self.config.jobs[job].restart_overhead;
            self.schedule(at, job);
        }
    }

    /// Re-places what it can of a job's down domains on free healthy
    /// domains of the same site and rack model; restarts it if whole.
    pub(super) fn replace_down(&mut self, job: usize, now: SimTime, world: &mut World) {
        let model = RackTypeId(self.config.jobs[job].rack_type as u32);
        let per = self.domain_chips(job);
        let mut k = 0;
        while k < self.details[job].down_domains.len() {
            let old = self.details[job].down_domains[k];
            let site = world.rack_site(world.domain_rack(old));
            let Some(new) = placement::pack_one(world, site, model) else {
                k += 1;
                continue;
            };
            let run = &mut self.runs[job];
            let part = run
                .parts
                .iter_mut()
                .find(|p| p.site == site.0)
                .expect("a down domain is held at its site");
            world
                .replace_domain(now, part.allocation, old, new)
                .expect("the domain is held and the new one free at the same site and model");
            let (from, to) = (world.domain_rack(old).0, world.domain_rack(new).0);
            part.down -= 1;
            let down = part.down;
            self.details[job].down_domains.swap_remove(k);
            self.move_ring_rack(job, site.0, from, to);
            self.tally[site.index()].chips += per;
            if down == 0 {
                let pool = self.pool(site.index(), model.index());
                self.waiters[pool].remove(&(job as u32));
            }
        }
        self.resume_if_whole(job, now, world);
    }

    /// Domains were freed at `site` (a repair, commissioning, the site
    /// back, a job's end): the jobs waiting there re-place onto them first,
    /// in job order (the queue comes after, in [`Training::respond`]).
    pub(super) fn serve_waiters(&mut self, site: SiteId, now: SimTime, world: &mut World) {
        for model in 0..self.config.rack_types.len() {
            let pool = self.pool(site.index(), model);
            while world.capacity(site, RackTypeId(model as u32)) > 0 {
                let Some(&job) = self.waiters[pool].first() else {
                    break;
                };
                self.replace_down(job as usize, now, world);
                if self.waiters[pool].first() == Some(&job) {
                    // It could not take the room (the room went meanwhile).
                    break;
                }
            }
        }
    }

    /// Interrupts a running job at `now`: the work since its last
    /// checkpoint is lost, the interruption counted by cause.
    pub(super) fn interrupt(&mut self, job: usize, now: SimTime, cause: Interruption) {
        let state = self.runs[job].state;
        if state == JobState::Computing {
            self.integrate(job, now);
        }
        let domains = f64::from(self.specs[job].domains);
        let run = &mut self.runs[job];
        let lost = run.done - run.saved;
        for part in run.parts.iter() {
            self.tally[part.site as usize].flops_lost += lost * f64::from(part.domains) / domains;
        }
        let detail = &mut self.details[job];
        detail.interruptions[cause.index()] += 1;
        match state {
            JobState::Checkpointing => run.checkpointing = run.checkpointing + (now - run.since),
            JobState::Restarting => detail.restarting = detail.restarting + (now - run.since),
            _ => {}
        }
        detail.lost = detail.lost + run.segment;
        run.segment = SimDuration(0);
        run.done = run.saved;
        run.since = now;
        let g = &mut self.runs[job].gens;
        g.plan = g.plan.wrapping_add(1);
    }

    /// A job starts running on whole chips: its all-reduce flows start and
    /// its software-fault clock runs.
    pub(super) fn begin_running(&mut self, job: usize, now: SimTime, world: &mut World) {
        self.start_flows(job, now, world);
        self.arm_fault(job, now);
    }

    /// A job stops running: its flows end, its fault clock stops.
    pub(super) fn end_running(&mut self, job: usize, now: SimTime, world: &mut World) {
        let g = &mut self.runs[job].gens;
        g.fault = g.fault.wrapping_add(1);
        self.runs[job].ring = false;
        self.runs[job].rated = false;
        let detail = &mut self.details[job];
        detail.ring_rate = None;
        if let Some(flow) = detail.flow.take() {
            self.by_flow[flow.index() as usize] = (NO_JOB, 0);
            world
                .end_flow(now, flow)
                .expect("a job's flows are live until ended");
        }
    }

    /// Draws the time to the job's next software fault (exponential, rate
    /// `nodes × λ_software`) from its own stream and schedules it.
    pub(super) fn arm_fault(&mut self, job: usize, now: SimTime) {
        let j = &self.config.jobs[job];
        let rack = &self.config.rack_types[j.rack_type].rack;
        let nodes = f64::from(j.chips / rack.chips_per_node().max(1));
        let rate_per_hour = nodes * self.config.software_rate_per_node_hour;
        let g = &mut self.runs[job].gens;
        g.fault = g.fault.wrapping_add(1);
        let generation = g.fault;
        if rate_per_hour <= 0.0 {
            return;
        }
        let rng = self.details[job].rng.get_or_insert_with(|| {
            self.streams
                .stream_of_parts(&["jobs/", &self.config.jobs[job].name, "/software"])
        });
        let hours: f64 = Exp::new(rate_per_hour)
            .expect("a positive rate")
            .sample(rng);
        if let Some(at) = now.checked_add(SimDuration::from_secs_f64(hours * 3600.0)) {
            self.scheduled.push((
                at,
                Event::Fault {
                    job: job as u32,
                    generation,
                },
            ));
        }
    }

    /// The racks of the domains held by `parts` as (site, rack, domains
    /// held), in (site, rack) order. The racks are sorted as integers (each
    /// run of one id is a distinct rack and the number of its domains
    /// held), then by site: O(d log d) in the job's domains, nothing sized
    /// by the fleet.
    fn held_racks(parts: &Parts, world: &World) -> Vec<(u32, u32, u32)> {
        let mut held: Vec<u32> = Vec::new();
        for part in parts.iter() {
            let domains = world
                .allocation_domains(part.allocation)
                .expect("a job's allocation is live");
            held.extend(domains.iter().map(|&d| world.domain_rack(d).0));
        }
        held.sort_unstable();
        let mut keys: Vec<(u32, u32, u32)> = Vec::new();
        let mut k = 0;
        while k < held.len() {
            let r = held[k];
            let n = held[k..].iter().take_while(|&&x| x == r).count();
            keys.push((world.rack_site(RackId(r)).0, r, n as u32));
            k += n;
        }
        keys.sort_unstable();
        keys
    }

    /// Moves one held domain in the job's kept ring racks (if kept) from
    /// rack `old` to rack `new`, both at `site`: O(log r) to find them
    /// plus the shift of an insertion or removal.
    fn move_ring_rack(&mut self, job: usize, site: u32, old: u32, new: u32) {
        let Some(keys) = self.ring_racks.get_mut(&(job as u32)) else {
            return;
        };
        let at = |keys: &[(u32, u32, u32)], rack: u32| {
            keys.binary_search_by(|&(s, r, _)| (s, r).cmp(&(site, rack)))
        };
        let i = at(keys, old).expect("a held domain's rack is among the job's racks");
        keys[i].2 -= 1;
        if keys[i].2 == 0 {
            keys.remove(i);
        }
        match at(keys, new) {
            Ok(i) => keys[i].2 += 1,
            Err(i) => keys.insert(i, (site, new, 1)),
        }
    }

    /// Starts the ring of a job with an all-reduce over more than one rack:
    /// one fabric flow from each of its racks to the next (site, then rack
    /// order) and from the last back to the first ([`World::start_ring`]);
    /// reads its rate as it stands.
    ///
    /// A job at one site whose racks hold one scale-up domain each (an
    /// NVL72 rack) owns its racks' uplinks and downlinks: no other ring
    /// crosses them, so its ring would be alone on its links at their
    /// capacity. It gets that rate directly, in O(1), with no fabric flow
    /// (the same rate and traffic; a cut of one of those links takes the
    /// job's domain down anyway).
    pub(super) fn start_flows(&mut self, job: usize, now: SimTime, world: &mut World) {
        self.runs[job].rated = false;
        if self.config.jobs[job].comm.is_none() {
            return;
        }
        let model = RackTypeId(self.config.jobs[job].rack_type as u32);
        if self.runs[job].parts.len() == 1 && world.domains_per_rack(model) == 1 {
            let run = &mut self.runs[job];
            let part = &mut run.parts[0];
            part.racks = part.domains;
            if part.domains >= 2 {
                let capacity = world.uplink_capacity(SiteId(part.site), model);
                run.ring = true;
                self.details[job].ring_rate = Some(capacity.0);
            }
            return;
        }
        // The racks of the held domains as (site, rack, domains held), in
        // (site, rack) order: kept from the last start on this allocation
        // (updated by each replacement), else worked out here.
        let keys = match self.ring_racks.remove(&(job as u32)) {
            Some(keys) => {
                // Every test run checks the kept racks against a recount.
                #[cfg(test)]
                assert_eq!(keys, Self::held_racks(&self.runs[job].parts, world));
                keys
            }
            None => Self::held_racks(&self.runs[job].parts, world),
        };
        // Distinct racks, whether the job holds every domain of each, and
        // how many distinct racks each site has.
        let per_rack = world.domains_per_rack(model);
        let mut ring: Vec<RackId> = Vec::with_capacity(keys.len());
        let mut whole: Vec<bool> = Vec::with_capacity(keys.len());
        let mut site_racks: Vec<(u32, u32)> = Vec::new();
        for &(site, rack, domains_held) in &keys {
            ring.push(RackId(rack));
            whole.push(domains_held as usize == per_rack);
            match site_racks.last_mut() {
                Some((s, n)) if *s == site => *n += 1,
                _ => site_racks.push((site, 1)),
            }
        }
        self.ring_racks.insert(job as u32, keys);
        let run = &mut self.runs[job];
        for part in run.parts.iter_mut() {
            part.racks = site_racks
                .iter()
                .find(|(s, _)| *s == part.site)
                .map_or(0, |(_, count)| *count);
        }
        if ring.len() < 2 {
            return;
        }
        let flow = world
            .start_ring(now, &ring, &whole)
            .expect("the racks of a placed job are connected");
        let slot = flow.index() as usize;
        if self.by_flow.len() <= slot {
            self.by_flow.resize(slot + 1, (NO_JOB, 0));
        }
        self.by_flow[slot] = (job as u32, 0);
        let rate = world.flow_rate(flow).map_or(0.0, |r| r.0);
        self.runs[job].ring = true;
        let detail = &mut self.details[job];
        detail.flow = Some(flow);
        detail.ring_rate = Some(rate);
    }
}
