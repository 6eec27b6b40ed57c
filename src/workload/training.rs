//! Training jobs: gang-scheduled runs that hold whole scale-up domains,
//! progress continuously, checkpoint, and lose the work since their last
//! checkpoint when anything they hold goes down.
//!
//! # The model
//!
//! - **Rate**: a computing job does `chips × peak BF16 × MFU × speed` FLOP/s,
//!   where `speed` is its site's chip speed under the power cap
//!   ([`Notice::SiteSpeed`], `s^(1/3)`; 1 uncapped). Progress is integrated
//!   exactly between events: nothing steps.
//! - **Checkpoints**: after every `checkpoint_every` of compute time since
//!   the last checkpoint (or restart), the job blocks for `checkpoint_time`;
//!   the work done so far is then safe. Only the *next* checkpoint is ever
//!   scheduled, and the completion only when it falls no later than that
//!   checkpoint (a tie completes without a last checkpoint).
//! - **Interruptions**: a [`Notice::DomainDown`] naming the job's allocation
//!   interrupts it: the work since the last completed checkpoint is lost
//!   (its compute time counts as lost chip-hours), and the job keeps its
//!   allocation and waits until every domain of it is back
//!   ([`Notice::DomainUp`]: a spare swap, a repair, power or the site back,
//!   whichever the world does first); then it restarts for
//!   `restart_overhead` and resumes from the checkpoint. A domain that
//!   retires never returns: the job releases its allocation and goes back
//!   to the queue with its checkpointed work. Interruptions are counted by
//!   cause (node, rack power, site outage, retirement); a second domain
//!   going down while the job already waits is not a new interruption.
//! - **Power**: a job's chips draw at utilization 1 while computing and 0
//!   (idle) while checkpointing, restarting or waiting; chips no job holds
//!   idle (background utilization 0, set at the start of any scenario with
//!   jobs).
//! - **Stale events**: each job has a generation, bumped whenever its plan
//!   changes; an event of an older generation is ignored.
//!
//! Per event the work is O(log jobs) (the queue) plus, on a site's speed
//! change, O(jobs computing at that site), plus, when the queue's head does
//! not fit, its reservation (a walk over the placed jobs of its rack model
//! in order of estimated end) and at most [`BACKFILL_DEPTH`] backfill
//! attempts. Each site keeps its training figures (chips held, jobs
//! running and waiting, work computed and lost) as counters, so a sample
//! costs O(1) per site: nothing loops over all jobs or chips per sample.

use crate::engine::{SimDuration, SimTime};
use crate::policy::placement;
use std::collections::BTreeSet;

use crate::policy::queue::{JobQueue, Reservation};
use crate::record::{JobRow, JobStatus, Recorder, TrainingSample, TrainingSummary};
use crate::scenario::Scenario;
use crate::world::contract::{AllocationId, DownCause, Notice};
use crate::world::{DomainId, RackTypeId, SiteId, World};

/// Queued jobs behind a blocked head that backfill considers per attempt
/// (bounds its cost).
pub const BACKFILL_DEPTH: usize = 64;

/// An event of the training layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A job is submitted to the queue.
    Submit {
        /// Job index.
        job: u32,
    },
    /// The phase a job is in ends (a checkpoint is due or written, a restart
    /// is over, the work is done), if the job's generation still matches.
    Due {
        /// Job index.
        job: u32,
        /// The job's generation it was scheduled for.
        generation: u32,
    },
}

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Not submitted yet.
    Pending,
    /// In the queue.
    Queued,
    /// Computing on its chips.
    Computing,
    /// Writing a checkpoint.
    Checkpointing,
    /// Restarting from its last checkpoint.
    Restarting,
    /// Interrupted: waiting for its domains to come back.
    Waiting,
    /// Done.
    Completed,
}

impl JobState {
    /// Every state, in [`JobState::index`] order.
    pub const ALL: [JobState; 7] = [
        JobState::Pending,
        JobState::Queued,
        JobState::Computing,
        JobState::Checkpointing,
        JobState::Restarting,
        JobState::Waiting,
        JobState::Completed,
    ];

    /// Position in [`JobState::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How a state counts in its site's tally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Activity {
    /// Computing, checkpointing or restarting.
    Running,
    /// Holding chips, interrupted.
    Waiting,
    /// Not holding chips (or done).
    Elsewhere,
}

impl Activity {
    fn of(state: JobState) -> Activity {
        match state {
            JobState::Computing | JobState::Checkpointing | JobState::Restarting => {
                Activity::Running
            }
            JobState::Waiting => Activity::Waiting,
            JobState::Pending | JobState::Queued | JobState::Completed => Activity::Elsewhere,
        }
    }
}

/// What a computing job's next `Due` event means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Checkpoint,
    Completion,
}

/// Marks an allocation no job holds.
const NO_JOB: u32 = u32::MAX;

/// One job's progress and bookkeeping.
#[derive(Clone, Debug)]
struct Run {
    state: JobState,
    generation: u32,
    next: Next,
    allocation: Option<AllocationId>,
    site: Option<u32>,
    /// Position in its site's list of placed jobs.
    site_pos: usize,
    /// Domains of its allocation down now.
    down: u32,
    /// Start of the current phase (progress integrated up to here).
    since: SimTime,
    /// Rate while computing [FLOP/s].
    rate: f64,
    /// Work done and not lost [FLOP].
    done: f64,
    /// Work safe in the last checkpoint [FLOP].
    saved: f64,
    /// Compute time since the last checkpoint or restart.
    segment: SimDuration,
    /// Total compute time.
    compute: SimDuration,
    /// Compute time lost to interruptions.
    lost: SimDuration,
    checkpointing: SimDuration,
    restarting: SimDuration,
    first_start: Option<SimTime>,
    end: Option<SimTime>,
    interruptions: [u64; 4],
    /// Rate its site's tally counts for it now [FLOP/s] (its rate while
    /// computing, else 0).
    counted_rate: f64,
    /// When it last took an allocation.
    held_since: SimTime,
    /// When its current placement ends by its estimate (see
    /// [`Training::estimate`]).
    estimated_end: SimTime,
    /// Time it held allocations before the current one.
    held: SimDuration,
}

/// The training figures of one site, kept as jobs change so that a sample
/// reads them in O(1).
#[derive(Clone, Copy, Debug, Default)]
struct SiteTally {
    /// Chips of the up domains jobs hold.
    chips: u64,
    /// Jobs computing, checkpointing or restarting.
    running: u32,
    /// Jobs waiting for their domains.
    waiting: u32,
    /// Jobs counted in `rate`.
    computing: u32,
    /// Sum of the computing jobs' rates [FLOP/s].
    rate: f64,
    /// Work computed is integrated up to here.
    since: SimTime,
    /// Work computed since the last sample [FLOP].
    flops: f64,
    /// Work lost since the last sample [FLOP].
    flops_lost: f64,
}

impl SiteTally {
    /// Adds the work of the computing jobs up to `now`.
    fn advance(&mut self, now: SimTime) {
        self.flops += self.rate * (now - self.since).seconds();
        self.since = now;
    }
}

/// Every training job of a scenario, its queue and its events.
pub struct Training<'s> {
    scenario: &'s Scenario,
    runs: Vec<Run>,
    queue: JobQueue,
    /// Job holding each allocation (by allocation id), or [`NO_JOB`].
    by_allocation: Vec<u32>,
    /// Jobs placed at each site (holding an allocation there).
    placed: Vec<Vec<u32>>,
    /// Chip speed factor of each site.
    speed: Vec<f64>,
    /// Jobs in each state ([`JobState::index`]).
    counts: [usize; 7],
    /// Training figures of each site.
    tally: Vec<SiteTally>,
    /// Placed jobs by (estimated end, job), per pool of (site, rack model):
    /// the releases a head's reservation counts on.
    ends: Vec<BTreeSet<(SimTime, u32)>>,
    /// Backfill candidates (reused).
    candidates: Vec<u32>,
    scheduled: Vec<(SimTime, Event)>,
}

impl<'s> Training<'s> {
    /// The jobs of `scenario`, each pending its submission (scheduled).
    pub fn new(scenario: &'s Scenario) -> Self {
        let run = Run {
            state: JobState::Pending,
            generation: 0,
            next: Next::Checkpoint,
            allocation: None,
            site: None,
            site_pos: 0,
            down: 0,
            since: SimTime::ZERO,
            rate: 0.0,
            done: 0.0,
            saved: 0.0,
            segment: SimDuration(0),
            compute: SimDuration(0),
            lost: SimDuration(0),
            checkpointing: SimDuration(0),
            restarting: SimDuration(0),
            first_start: None,
            end: None,
            interruptions: [0; 4],
            counted_rate: 0.0,
            held_since: SimTime::ZERO,
            estimated_end: SimTime::ZERO,
            held: SimDuration(0),
        };
        let mut counts = [0; 7];
        counts[JobState::Pending.index()] = scenario.jobs.len();
        Training {
            scenario,
            runs: vec![run; scenario.jobs.len()],
            queue: JobQueue::default(),
            by_allocation: Vec::new(),
            placed: vec![Vec::new(); scenario.sites.len()],
            speed: vec![1.0; scenario.sites.len()],
            counts,
            tally: vec![SiteTally::default(); scenario.sites.len()],
            ends: vec![BTreeSet::new(); scenario.sites.len() * scenario.rack_types.len()],
            candidates: Vec::new(),
            scheduled: scenario
                .jobs
                .iter()
                .enumerate()
                .map(|(i, j)| (j.submit, Event::Submit { job: i as u32 }))
                .collect(),
        }
    }

    /// Whether the scenario has any job.
    pub fn has_jobs(&self) -> bool {
        !self.runs.is_empty()
    }

    /// The events asked for since the last call, in order.
    pub fn drain_scheduled(&mut self) -> std::vec::Drain<'_, (SimTime, Event)> {
        self.scheduled.drain(..)
    }

    /// Number of jobs in each state ([`JobState::ALL`] order).
    pub fn counts(&self) -> [usize; 7] {
        self.counts
    }

    /// A job's state.
    pub fn state(&self, job: usize) -> JobState {
        self.runs[job].state
    }

    /// The allocation a job holds, if any.
    pub fn allocation(&self, job: usize) -> Option<AllocationId> {
        self.runs[job].allocation
    }

    /// The site of the allocation a job holds, if it holds one.
    pub fn site_of(&self, job: usize) -> Option<usize> {
        self.placed_site(job)
    }

    /// A site's counters as kept: chips of the up domains jobs hold, jobs
    /// running, jobs waiting.
    pub fn site_counts(&self, site: usize) -> (u64, u32, u32) {
        let t = &self.tally[site];
        (t.chips, t.running, t.waiting)
    }

    /// Jobs in the queue.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Moves a job to `state`, keeping the counts of states and its site's
    /// tally (a job leaving `Computing` stops adding work at `now`).
    fn set_state(&mut self, job: usize, now: SimTime, state: JobState) {
        let old = self.runs[job].state;
        if old == JobState::Computing && state != JobState::Computing {
            self.count_rate(job, now, 0.0);
        }
        let placed = self.placed_site(job);
        let run = &mut self.runs[job];
        self.counts[old.index()] -= 1;
        self.counts[state.index()] += 1;
        run.state = state;
        if let Some(site) = placed {
            let t = &mut self.tally[site];
            match Activity::of(old) {
                Activity::Running => t.running -= 1,
                Activity::Waiting => t.waiting -= 1,
                Activity::Elsewhere => {}
            }
            match Activity::of(state) {
                Activity::Running => t.running += 1,
                Activity::Waiting => t.waiting += 1,
                Activity::Elsewhere => {}
            }
        }
    }

    /// The site of the allocation a job holds, if it holds one.
    fn placed_site(&self, job: usize) -> Option<usize> {
        let run = &self.runs[job];
        run.allocation.and(run.site).map(|s| s as usize)
    }

    /// Makes a placed job's site count `rate` for it from `now`.
    fn count_rate(&mut self, job: usize, now: SimTime, rate: f64) {
        let Some(site) = self.placed_site(job) else {
            return;
        };
        let run = &mut self.runs[job];
        let t = &mut self.tally[site];
        t.advance(now);
        match (run.counted_rate > 0.0, rate > 0.0) {
            (false, true) => t.computing += 1,
            (true, false) => t.computing -= 1,
            _ => {}
        }
        // Exactly 0 with nothing computing: no residue of additions.
        t.rate = if t.computing == 0 {
            0.0
        } else {
            t.rate - run.counted_rate + rate
        };
        run.counted_rate = rate;
    }

    /// The training figures of site `site` at `now` (a sample): counts at
    /// `now`, work since the previous call. O(1).
    pub fn sample(&mut self, site: usize, now: SimTime) -> TrainingSample {
        let queued = self.queue.len() as u32;
        let t = &mut self.tally[site];
        t.advance(now);
        let row = TrainingSample {
            chips: t.chips,
            jobs_running: t.running,
            jobs_waiting: t.waiting,
            jobs_queued_fleet: queued,
            flops: t.flops,
            flops_lost: t.flops_lost,
        };
        t.flops = 0.0;
        t.flops_lost = 0.0;
        row
    }

    fn schedule(&mut self, at: SimTime, job: usize) {
        let run = &mut self.runs[job];
        run.generation = run.generation.wrapping_add(1);
        let generation = run.generation;
        self.scheduled.push((
            at,
            Event::Due {
                job: job as u32,
                generation,
            },
        ));
    }

    /// Handles one of its own events at `now`.
    pub fn handle(&mut self, now: SimTime, event: Event, world: &mut World) {
        match event {
            Event::Submit { job } => {
                let j = &self.scenario.jobs[job as usize];
                self.set_state(job as usize, now, JobState::Queued);
                self.queue.push(job, j.priority, j.submit);
                self.start_queued(now, world);
            }
            Event::Due { job, generation } => {
                let i = job as usize;
                if self.runs[i].generation != generation {
                    return;
                }
                match self.runs[i].state {
                    JobState::Computing => {
                        self.integrate(i, now);
                        match self.runs[i].next {
                            Next::Completion => self.complete(i, now, world),
                            Next::Checkpoint => {
                                self.set_state(i, now, JobState::Checkpointing);
                                self.set_load(i, now, 0.0, world);
                                let at = now + self.scenario.jobs[i].checkpoint_time;
                                self.schedule(at, i);
                            }
                        }
                    }
                    JobState::Checkpointing => {
                        let run = &mut self.runs[i];
                        run.checkpointing = run.checkpointing + (now - run.since);
                        run.saved = run.done;
                        run.segment = SimDuration(0);
                        self.compute(i, now, world);
                    }
                    JobState::Restarting => {
                        let run = &mut self.runs[i];
                        run.restarting = run.restarting + (now - run.since);
                        self.compute(i, now, world);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Handles one notice of the world at `now`.
    pub fn notice(&mut self, now: SimTime, notice: Notice, world: &mut World) {
        if self.runs.is_empty() {
            return;
        }
        match notice {
            Notice::DomainDown {
                allocation: Some(a),
                cause,
                ..
            } => {
                if let Some(job) = self.job_of(a) {
                    self.domain_down(job, now, cause, world);
                }
            }
            Notice::DomainUp {
                allocation: Some(a),
                ..
            } => {
                if let Some(job) = self.job_of(a) {
                    let site = self.placed_site(job).expect("a held allocation is placed");
                    let j = &self.scenario.jobs[job];
                    let run = &mut self.runs[job];
                    if run.down > 0 {
                        run.down -= 1;
                        self.tally[site].chips += u64::from(j.chips / j.domains);
                    }
                    if run.down == 0 && run.state == JobState::Waiting {
                        run.since = now;
                        self.set_state(job, now, JobState::Restarting);
                        let at = now + self.scenario.jobs[job].restart_overhead;
                        self.schedule(at, job);
                    }
                }
            }
            Notice::DomainUp {
                allocation: None, ..
            }
            | Notice::RacksCommissioned { .. }
            | Notice::SiteUp { .. } => self.start_queued(now, world),
            Notice::SiteSpeed { site, speed } => {
                self.speed[site.index()] = speed;
                for k in 0..self.placed[site.index()].len() {
                    let job = self.placed[site.index()][k] as usize;
                    if self.runs[job].state == JobState::Computing {
                        self.integrate(job, now);
                        self.compute(job, now, world);
                    }
                }
            }
            _ => {}
        }
    }

    fn job_of(&self, a: AllocationId) -> Option<usize> {
        match self.by_allocation.get(a.0 as usize) {
            Some(&j) if j != NO_JOB => Some(j as usize),
            _ => None,
        }
    }

    /// Adds the compute since the phase began to a computing job's progress.
    fn integrate(&mut self, job: usize, now: SimTime) {
        let run = &mut self.runs[job];
        let dt = now - run.since;
        run.done += run.rate * dt.seconds();
        run.segment = run.segment + dt;
        run.compute = run.compute + dt;
        run.since = now;
    }

    /// (Re)starts computing from `now`: the rate at the site's speed, and
    /// the next checkpoint or the completion, whichever comes first.
    fn compute(&mut self, job: usize, now: SimTime, world: &mut World) {
        let j = &self.scenario.jobs[job];
        let site = self.runs[job].site.expect("a computing job is placed") as usize;
        let rate = j.full_rate(&self.scenario.rack_types[j.rack_type]) * self.speed[site];
        if self.runs[job].state != JobState::Computing {
            self.set_state(job, now, JobState::Computing);
            self.set_load(job, now, 1.0, world);
        }
        self.count_rate(job, now, rate);
        let run = &mut self.runs[job];
        run.since = now;
        run.rate = rate;
        let to_checkpoint = SimDuration(j.checkpoint_every.0.saturating_sub(run.segment.0));
        let remaining = (j.work - run.done).max(0.0);
        let to_completion = (rate > 0.0).then(|| remaining / rate);
        let (next, after) = match to_completion {
            Some(s) if s <= to_checkpoint.seconds() => {
                (Next::Completion, SimDuration::from_secs_f64(s))
            }
            _ => (Next::Checkpoint, to_checkpoint),
        };
        run.next = next;
        self.schedule(now + after, job);
    }

    fn set_load(&mut self, job: usize, now: SimTime, u: f64, world: &mut World) {
        if let Some(a) = self.runs[job].allocation {
            world
                .set_utilization(now, a, u)
                .expect("a job's allocation is live and u is 0 or 1");
        }
    }

    fn complete(&mut self, job: usize, now: SimTime, world: &mut World) {
        let work = self.scenario.jobs[job].work;
        if let Some(site) = self.placed_site(job) {
            // The completion falls on a whole microsecond: the site's
            // integral takes the rounding the job's total takes.
            let t = &mut self.tally[site];
            t.advance(now);
            t.flops += work - self.runs[job].done;
        }
        let run = &mut self.runs[job];
        run.done = work;
        run.saved = work;
        run.end = Some(now);
        run.generation = run.generation.wrapping_add(1);
        self.set_state(job, now, JobState::Completed);
        self.unplace(job, now, world);
        self.start_queued(now, world);
    }

    /// Releases a job's allocation and takes it off its site's list.
    fn unplace(&mut self, job: usize, now: SimTime, world: &mut World) {
        let Some(site_index) = self.placed_site(job) else {
            return;
        };
        let j = &self.scenario.jobs[job];
        let run = &mut self.runs[job];
        let t = &mut self.tally[site_index];
        t.chips -= u64::from(j.chips - run.down * (j.chips / j.domains));
        match Activity::of(run.state) {
            Activity::Running => t.running -= 1,
            Activity::Waiting => t.waiting -= 1,
            Activity::Elsewhere => {}
        }
        run.held = run.held + (now - run.held_since);
        let key = (run.estimated_end, job as u32);
        let pool = site_index * self.scenario.rack_types.len() + j.rack_type;
        self.ends[pool].remove(&key);
        let (Some(a), Some(site)) = (run.allocation.take(), run.site) else {
            return;
        };
        run.down = 0;
        let pos = run.site_pos;
        self.by_allocation[a.0 as usize] = NO_JOB;
        let list = &mut self.placed[site as usize];
        list.swap_remove(pos);
        if let Some(&moved) = list.get(pos) {
            self.runs[moved as usize].site_pos = pos;
        }
        world
            .release(now, a)
            .expect("a job's allocation is live until released");
    }

    fn domain_down(&mut self, job: usize, now: SimTime, cause: DownCause, world: &mut World) {
        let state = self.runs[job].state;
        let cause_index = match cause {
            DownCause::NodeFailure => 0,
            DownCause::RackPower => 1,
            DownCause::SiteOutage => 2,
            DownCause::Retired => 3,
        };
        let running = matches!(
            state,
            JobState::Computing | JobState::Checkpointing | JobState::Restarting
        );
        if state == JobState::Computing {
            self.integrate(job, now);
        }
        let site = self.placed_site(job).expect("a held allocation is placed");
        let j = &self.scenario.jobs[job];
        self.tally[site].chips -= u64::from(j.chips / j.domains);
        let run = &mut self.runs[job];
        run.down += 1;
        if running {
            self.tally[site].flops_lost += run.done - run.saved;
            run.interruptions[cause_index] += 1;
            match state {
                JobState::Checkpointing => {
                    run.checkpointing = run.checkpointing + (now - run.since)
                }
                JobState::Restarting => run.restarting = run.restarting + (now - run.since),
                _ => {}
            }
            // The work since the last completed checkpoint is lost.
            run.lost = run.lost + run.segment;
            run.segment = SimDuration(0);
            run.done = run.saved;
            run.since = now;
            run.generation = run.generation.wrapping_add(1);
            self.set_state(job, now, JobState::Waiting);
            self.set_load(job, now, 0.0, world);
        }
        if cause == DownCause::Retired && self.runs[job].allocation.is_some() {
            // A retired domain never returns: give the rest back, queue again.
            self.unplace(job, now, world);
            let j = &self.scenario.jobs[job];
            self.set_state(job, now, JobState::Queued);
            self.queue.push(job as u32, j.priority, j.submit);
            self.start_queued(now, world);
        }
    }

    /// Starts queued jobs from the head for as long as the head finds room,
    /// then backfills behind a head that does not fit.
    fn start_queued(&mut self, now: SimTime, world: &mut World) {
        while let Some(head) = self.queue.head() {
            let job = head as usize;
            let j = &self.scenario.jobs[job];
            let Some((site, domains)) = placement::place(
                world,
                self.scenario.sites.len(),
                RackTypeId(j.rack_type as u32),
                j.domains as usize,
            ) else {
                self.backfill(job, now, world);
                return;
            };
            self.start(job, site, &domains, now, world);
        }
    }

    /// EASY backfill behind `head`, which does not fit now: reserves its
    /// start ([`Reservation::earliest`], from the placed jobs' estimated
    /// ends), then starts, in queue order among the next
    /// [`BACKFILL_DEPTH`] jobs, each that fits now and that the
    /// reservation admits. No reservation (the head's room is held by
    /// domains in repair, not by jobs): no backfill.
    fn backfill(&mut self, head: usize, now: SimTime, world: &mut World) {
        let Some(mut reservation) = self.reserve(head, now, world) else {
            return;
        };
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        candidates.extend(self.queue.iter().skip(1).take(BACKFILL_DEPTH));
        for &c in &candidates {
            let job = c as usize;
            let j = &self.scenario.jobs[job];
            let model = RackTypeId(j.rack_type as u32);
            let needed = j.domains as usize;
            // Admitted first: only a job that starts pays for its packing.
            let Some(site) =
                placement::site_with_room(world, self.scenario.sites.len(), model, needed)
            else {
                continue;
            };
            let end = now + self.estimate(job);
            if !reservation.admits(site.0, j.rack_type as u32, j.domains, end) {
                continue;
            }
            let domains = placement::pack_at(world, site, model, needed)
                .expect("the site has room for the job");
            self.start(job, site, &domains, now, world);
        }
        self.candidates = candidates;
    }

    /// The head's reservation: over the sites in order, the earliest time
    /// a pool of its rack model holds its domains (ties to the first site).
    fn reserve(&self, head: usize, now: SimTime, world: &World) -> Option<Reservation> {
        let j = &self.scenario.jobs[head];
        let model = RackTypeId(j.rack_type as u32);
        let mut best: Option<Reservation> = None;
        for s in 0..self.scenario.sites.len() {
            let free = world.capacity(SiteId(s as u32), model) as u32;
            let pool = &self.ends[self.pool(s, j.rack_type)];
            let releases = pool
                .iter()
                .map(|&(at, job)| (at, self.scenario.jobs[job as usize].domains));
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

    /// Index of the pool of (site, rack model) in `ends`.
    fn pool(&self, site: usize, rack_type: usize) -> usize {
        site * self.scenario.rack_types.len() + rack_type
    }

    /// A job's ideal remaining duration from a start now: its remaining
    /// work `w` (since its last checkpoint) at full speed `r`, the
    /// checkpoints on the way, `(⌈w/(r·E)⌉ − 1) · C`, and the restart
    /// overhead if it resumes from a checkpoint.
    fn estimate(&self, job: usize) -> SimDuration {
        let j = &self.scenario.jobs[job];
        let run = &self.runs[job];
        let rate = j.full_rate(&self.scenario.rack_types[j.rack_type]);
        let compute = (j.work - run.saved).max(0.0) / rate;
        let every = j.checkpoint_every.seconds();
        let checkpoints = if every > 0.0 {
            ((compute / every).ceil() - 1.0).max(0.0)
        } else {
            0.0
        };
        let restart = if run.first_start.is_some() {
            j.restart_overhead
        } else {
            SimDuration(0)
        };
        SimDuration::from_secs_f64(compute + checkpoints * j.checkpoint_time.seconds()) + restart
    }

    /// Places queued job `job` on `domains` of `site` and starts it (or
    /// restarts it from its checkpoint).
    fn start(
        &mut self,
        job: usize,
        site: SiteId,
        domains: &[DomainId],
        now: SimTime,
        world: &mut World,
    ) {
        let j = &self.scenario.jobs[job];
        self.queue.remove(job as u32, j.priority, j.submit);
        let estimated_end = now + self.estimate(job);
        let pool = self.pool(site.index(), j.rack_type);
        self.ends[pool].insert((estimated_end, job as u32));
        let allocation = world
            .allocate(now, domains, 1.0)
            .expect("placement offers free healthy domains of one site and model");
        let index = allocation.0 as usize;
        if self.by_allocation.len() <= index {
            self.by_allocation.resize(index + 1, NO_JOB);
        }
        self.by_allocation[index] = job as u32;
        let list = &mut self.placed[site.index()];
        self.tally[site.index()].chips += u64::from(j.chips);
        let run = &mut self.runs[job];
        run.estimated_end = estimated_end;
        run.held_since = now;
        run.allocation = Some(allocation);
        run.site = Some(site.0);
        run.site_pos = list.len();
        run.down = 0;
        list.push(job as u32);
        run.since = now;
        if run.first_start.is_none() {
            run.first_start = Some(now);
            self.set_state(job, now, JobState::Computing);
            self.compute(job, now, world);
        } else {
            // Placed again after losing its domains: restart from the
            // checkpoint first, chips idle.
            self.set_state(job, now, JobState::Restarting);
            self.set_load(job, now, 0.0, world);
            self.schedule(now + j.restart_overhead, job);
        }
    }

    /// Records one row per job, as things stand at `end`.
    /// Returns the run's training summary (none in a scenario without
    /// jobs).
    pub fn finish(
        &mut self,
        end: SimTime,
        recorder: &mut impl Recorder,
    ) -> Option<TrainingSummary> {
        let mut summary = TrainingSummary {
            jobs: self.runs.len() as u64,
            ..TrainingSummary::default()
        };
        let mut ettrs = Vec::new();
        let mut submitted = 0u64;
        let mut wait_h = 0.0;
        for job in 0..self.runs.len() {
            match self.runs[job].state {
                JobState::Computing => self.integrate(job, end),
                JobState::Checkpointing => {
                    let run = &mut self.runs[job];
                    run.checkpointing = run.checkpointing + (end - run.since);
                }
                JobState::Restarting => {
                    let run = &mut self.runs[job];
                    run.restarting = run.restarting + (end - run.since);
                }
                _ => {}
            }
            let j = &self.scenario.jobs[job];
            let run = &self.runs[job];
            let status = match run.state {
                JobState::Completed => JobStatus::Completed,
                JobState::Pending | JobState::Queued if run.first_start.is_none() => {
                    JobStatus::QueuedAtEnd
                }
                JobState::Queued => JobStatus::QueuedAtEnd,
                _ => JobStatus::RunningAtEnd,
            };
            let ettr = run.first_start.map(|start| {
                let wall = run.end.unwrap_or(end) - start;
                if wall.0 == 0 {
                    0.0
                } else {
                    (run.compute.seconds() - run.lost.seconds()) / wall.seconds()
                }
            });
            let held = run.held
                + if run.allocation.is_some() {
                    end - run.held_since
                } else {
                    SimDuration(0)
                };
            let queue_wait_h = (run.first_start.unwrap_or(end) - j.submit).hours();
            let lost_chip_hours = f64::from(j.chips) * run.lost.hours();
            summary.jobs_completed += u64::from(run.state == JobState::Completed);
            summary.chip_hours += f64::from(j.chips) * held.hours();
            summary.interruptions += run.interruptions.iter().sum::<u64>();
            summary.lost_chip_hours += lost_chip_hours;
            if run.state != JobState::Pending {
                submitted += 1;
                wait_h += queue_wait_h;
            }
            ettrs.extend(ettr);
            let calendar = &self.scenario.calendar;
            recorder.job(&JobRow {
                id: job as u32,
                name: j.name.clone(),
                submit_h: j.submit.hours(),
                submit: calendar.format(j.submit),
                first_start_h: run.first_start.map(SimTime::hours),
                end_h: run.end.map(SimTime::hours),
                queue_wait_h,
                chips: j.chips,
                rack: self.scenario.rack_types[j.rack_type].rack.name.clone(),
                site: run
                    .site
                    .map(|s| self.scenario.sites[s as usize].name.clone())
                    .unwrap_or_default(),
                status,
                interruptions: run.interruptions,
                lost_chip_hours,
                checkpoint_hours: run.checkpointing.hours(),
                restart_hours: run.restarting.hours(),
                ettr,
                flops_done: run.done,
            });
        }
        if self.runs.is_empty() {
            return None;
        }
        if !ettrs.is_empty() {
            summary.ettr_mean = ettrs.iter().sum::<f64>() / ettrs.len() as f64;
            summary.ettr_p10 = nearest_rank(&mut ettrs, 0.1);
        }
        if submitted > 0 {
            summary.queue_wait_mean_h = wait_h / submitted as f64;
        }
        Some(summary)
    }
}

/// The `p`-quantile of `xs` by nearest rank: the ⌈p·n⌉-th smallest (the
/// smallest for p·n ≤ 1). `xs` must not be empty; it is sorted in place.
pub fn nearest_rank(xs: &mut [f64], p: f64) -> f64 {
    xs.sort_unstable_by(f64::total_cmp);
    let rank = ((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    xs[rank - 1]
}
