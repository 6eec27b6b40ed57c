//! Training jobs: gang-scheduled runs that hold whole scale-up domains,
//! progress continuously, exchange gradients over the fabric, checkpoint,
//! and lose the work since their last checkpoint when anything they hold
//! goes down.
//!
//! # The model
//!
//! - **Rate**: a computing job does `chips × peak BF16 × MFU × speed ×
//!   comm` FLOP/s. `speed` is the chip speed under the power cap of the
//!   slowest site it holds ([`Notice::SiteSpeed`], `s^(1/3)`; 1 uncapped).
//!   `comm` is its all-reduce's share of a step (below; 1 for a job in one
//!   rack or without an all-reduce). Progress is integrated exactly between
//!   events: nothing steps.
//! - **All-reduce**: a job with a [`Comm`] spread over `m > 1` racks runs a
//!   ring between its racks (in site then rack order, the last back to the
//!   first) as one elastic fabric flow over every hop's links, at the
//!   max-min fair rate the fabric gives it: a synchronous ring moves at its
//!   slowest hop. Per step, compute takes `t_c = flops per step ÷
//!   (chips × peak × MFU × speed)` and the exchange `t_n = 2·(k−1)/k ·
//!   gradient bytes × 8 ÷ r`, `r` the ring's rate; the
//!   exposed part `max(0, t_n − overlap·t_c)` adds to the step:
//!   `comm = t_c ÷ (t_c + exposed)`. The flows run while the job runs
//!   (computing, checkpointing, restarting) and end when it waits or ends;
//!   every [`Notice::FlowRate`] of one re-rates the job.
//! - **Checkpoints**: after every `checkpoint_every` of compute time since
//!   the last checkpoint (or restart), the job blocks for `checkpoint_time`;
//!   the work done so far is then safe. Only the *next* checkpoint is ever
//!   scheduled, and the completion only when it falls no later than that
//!   checkpoint (a tie completes without a last checkpoint).
//! - **Interruptions**: a [`Notice::DomainDown`] naming an allocation of
//!   the job (a node failure, its rack's uplink or power, its site) or a
//!   software fault of its own (per node-hour while it runs, from its own
//!   random stream `jobs/<name>/software`) interrupts it: the work since the
//!   last completed checkpoint is lost (its compute time counts as lost
//!   chip-hours). A planned maintenance window ([`DownCause::Maintenance`])
//!   is announced: the job checkpoints as it opens and loses nothing, its
//!   interruption counted as class `maintenance`; it then re-places or
//!   waits as after a failure. After a software fault it restarts at once. After a
//!   failure it first replaces each down domain by a free healthy one of
//!   the same site and rack model if there is one (re-placement, at once),
//!   and otherwise keeps the domain and waits for it ([`Notice::DomainUp`]:
//!   a spare swap, a repair, power or the site back) — or for a free domain
//!   to appear at that site, whichever comes first: free domains go to
//!   waiting jobs before the queue. Once whole it restarts for
//!   `restart_overhead` and resumes from the checkpoint. A domain that
//!   retires never returns: the job releases its allocations and goes back
//!   to the queue with its checkpointed work. A second domain going down
//!   while the job already waits is not a new interruption.
//! - **Power**: a job's chips draw at utilization 1 while computing and 0
//!   (idle) while checkpointing, restarting or waiting; chips no job holds
//!   idle (background utilization 0, set at the start of any scenario with
//!   jobs).
//! - **Several sites**: a job that allows it and that no one site can hold
//!   takes domains at several sites (one allocation per site); its ring
//!   crosses the inter-site links; it counts in the figures of each site
//!   it holds, its work and traffic split by its domains and racks there.
//! - **Stale events**: each job has a generation, bumped whenever its plan
//!   changes, and one for its software-fault clock; an event of an older
//!   generation is ignored.
//!
//! Per event the work is O(log jobs) (the queue) plus, on a site's speed
//! change, O(jobs computing at that site), plus, per flow rate change,
//! O(racks of the job) once per instant, plus, when the queue's head does
//! not fit, its reservation (a walk over the placed jobs of its rack model
//! in order of estimated end) and at most [`BACKFILL_DEPTH`] backfill
//! attempts. Each site keeps its training figures (chips held, jobs
//! running and waiting, work computed and lost, traffic) as counters, so a
//! sample costs O(1) per site: nothing loops over all jobs or chips per
//! sample.

use std::collections::{BTreeSet, HashMap};

use rand_distr::{Distribution, Exp};

use crate::engine::{RngStreams, SimDuration, SimTime};
use crate::policy::placement;
use crate::policy::queue::{JobQueue, Reservation};
use crate::record::{Interruption, JobRow, JobStatus, Recorder, TrainingSample, TrainingSummary};
use crate::run::RunConfig;

pub mod config;
mod interruptions;
pub mod physics;
mod run;
mod scheduling;
pub mod sources;
mod summary;

#[cfg(test)]
use crate::world::fabric::FlowId;
use crate::world::workload_api::{AllocationId, DownCause, Notice};
use crate::world::{DomainId, RackId, RackTypeId, SiteId, World};
pub use config::Comm;
use run::{Detail, Part, Parts, Run, Sites, Spec};

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
    /// A software fault strikes a running job, if its fault clock's
    /// generation still matches.
    Fault {
        /// Job index.
        job: u32,
        /// The generation of the job's fault clock it was drawn for.
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
    #[cfg(test)]
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

    /// Computing, checkpointing or restarting: holding whole chips.
    pub fn is_running(self) -> bool {
        matches!(
            self,
            JobState::Computing | JobState::Checkpointing | JobState::Restarting
        )
    }
}

/// Number of jobs in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Not submitted yet.
    pub pending: usize,
    /// In the queue.
    pub queued: usize,
    /// Computing on their chips.
    pub computing: usize,
    /// Writing a checkpoint.
    pub checkpointing: usize,
    /// Restarting from their last checkpoint.
    pub restarting: usize,
    /// Interrupted, waiting for their domains to come back.
    pub waiting: usize,
    /// Done.
    pub completed: usize,
}

impl JobCounts {
    #[cfg(test)]
    /// The jobs in `state`.
    pub fn of(&self, state: JobState) -> usize {
        match state {
            JobState::Pending => self.pending,
            JobState::Queued => self.queued,
            JobState::Computing => self.computing,
            JobState::Checkpointing => self.checkpointing,
            JobState::Restarting => self.restarting,
            JobState::Waiting => self.waiting,
            JobState::Completed => self.completed,
        }
    }

    /// The count of `state`, to change.
    fn of_mut(&mut self, state: JobState) -> &mut usize {
        match state {
            JobState::Pending => &mut self.pending,
            JobState::Queued => &mut self.queued,
            JobState::Computing => &mut self.computing,
            JobState::Checkpointing => &mut self.checkpointing,
            JobState::Restarting => &mut self.restarting,
            JobState::Waiting => &mut self.waiting,
            JobState::Completed => &mut self.completed,
        }
    }

    #[cfg(test)]
    /// Every job, whatever its state.
    pub fn total(&self) -> usize {
        JobState::ALL.iter().map(|&s| self.of(s)).sum()
    }
}

#[cfg(test)]
/// The training counters of one site, as kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SiteCounts {
    /// Chips of the up domains jobs hold.
    pub chips: u64,
    /// Jobs computing, checkpointing or restarting.
    pub running: u32,
    /// Jobs waiting for their domains.
    pub waiting: u32,
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
        if state.is_running() {
            Activity::Running
        } else if state == JobState::Waiting {
            Activity::Waiting
        } else {
            Activity::Elsewhere
        }
    }
}

/// What a computing job's next `Due` event means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Checkpoint,
    Completion,
}

/// Marks an allocation or flow no job holds.
const NO_JOB: u32 = u32::MAX;

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
    /// Sum of the computing jobs' rates here [FLOP/s].
    rate: f64,
    /// Sum of their all-reduce traffic leaving this site's racks [B/s].
    traffic: f64,
    /// Work and traffic are integrated up to here.
    since: SimTime,
    /// Work computed since the last sample [FLOP].
    flops: f64,
    /// Work lost since the last sample [FLOP].
    flops_lost: f64,
    /// Traffic sent since the last sample [B].
    bytes: f64,
}

impl SiteTally {
    /// Adds the work and traffic of the computing jobs up to `now`.
    fn advance(&mut self, now: SimTime) {
        let dt = (now - self.since).seconds();
        self.flops += self.rate * dt;
        self.bytes += self.traffic * dt;
        self.since = now;
    }

    /// Counts, from `now`, rate `rate` instead of `was` [FLOP/s] for a job
    /// of `domains` domains whose part `part` is here: its share by
    /// domains, and the traffic that follows at `per_rack` bytes per FLOP
    /// per rack.
    #[inline(always)]
    fn count(
        &mut self,
        part: &Part,
        now: SimTime,
        was: f64,
        rate: f64,
        domains: f64,
        per_rack: f64,
    ) {
        self.advance(now);
        match (was > 0.0, rate > 0.0) {
            (false, true) => self.computing += 1,
            (true, false) => self.computing -= 1,
            _ => {}
        }
        let share = f64::from(part.domains) / domains;
        let racks = f64::from(part.racks);
        // Exactly 0 with nothing computing: no residue of additions.
        if self.computing == 0 {
            self.rate = 0.0;
            self.traffic = 0.0;
        } else {
            self.rate += (rate - was) * share;
            self.traffic += (rate - was) * per_rack * racks;
        }
    }
}

/// Every training job of a scenario, its queue and its events.
pub struct Training<'s> {
    /// The run's settings: seed, calendar.
    run: &'s RunConfig,
    /// The jobs, and the sites and rack models they run on.
    config: &'s config::Config,
    streams: RngStreams,
    /// Each job's hot state (by job index).
    runs: Vec<Run>,
    /// The rest of each job's state (by job index).
    details: Vec<Detail>,
    /// What each job's events read of its configuration (by job index).
    specs: Vec<Spec>,
    queue: JobQueue,
    /// Job holding each allocation (by allocation id), or [`NO_JOB`].
    by_allocation: Vec<u32>,
    /// (Job, position in its ring) of each flow (by flow slot), or
    /// ([`NO_JOB`], 0).
    by_flow: Vec<(u32, u32)>,
    /// The racks of each placed job's held domains whose ring has
    /// started, as (site, rack, domains held) in (site, rack) order (by
    /// job): worked out at the ring's first start on an allocation, then
    /// updated by each domain replaced, so a restart after a replacement
    /// does not sort the job's domains' racks again. Only looked up (never
    /// iterated); a job's entry goes when it releases its allocations.
    ring_racks: HashMap<u32, Vec<(u32, u32, u32)>>,
    /// Jobs whose flow rates changed this instant.
    dirty: Vec<u32>,
    /// Jobs that lost domains this instant, to re-place once every notice
    /// of the instant is in (a rack's failure takes several domains).
    to_replace: Vec<u32>,
    /// Sites where domains were freed this instant (flags, and the list).
    room: Vec<bool>,
    rooms: Vec<u32>,
    /// Jobs placed at each site (holding an allocation there).
    placed: Vec<Vec<u32>>,
    /// Chip speed factor of each site.
    speed: Vec<f64>,
    /// Jobs in each state.
    counts: JobCounts,
    /// Training figures of each site.
    tally: Vec<SiteTally>,
    /// Placed jobs by (estimated end, job, domains held in the pool), per
    /// pool of (site, rack model): the releases a head's reservation
    /// counts on.
    ends: Vec<BTreeSet<(SimTime, u32, u32)>>,
    /// Jobs holding down domains, per pool: served first when free
    /// domains appear there.
    waiters: Vec<BTreeSet<u32>>,
    /// Backfill candidates: the jobs behind the head, at most
    /// [`BACKFILL_DEPTH`], collected at queue version `candidates_of`
    /// (kept while the queue does not change).
    candidates: Vec<scheduling::Candidate>,
    candidates_of: Option<u64>,
    /// Most free healthy domains of each rack model at any one site
    /// (backfill's buffer).
    widest: Vec<usize>,
    scheduled: Vec<(SimTime, Event)>,
}

impl<'s> Training<'s> {
    /// The jobs of `config`, each pending its submission (scheduled), on
    /// its sites and rack models, for the run `run`.
    pub fn new(run: &'s RunConfig, config: &'s config::Config) -> Self {
        let counts = JobCounts {
            pending: config.jobs.len(),
            ..JobCounts::default()
        };
        let sites = config.sites.len();
        let pools = sites * config.rack_types.len();
        Training {
            run,
            config,
            streams: RngStreams::new(run.seed),
            runs: config
                .jobs
                .iter()
                .map(|j| Run::pending(j.checkpoint_time))
                .collect(),
            details: vec![Detail::pending(); config.jobs.len()],
            specs: config
                .jobs
                .iter()
                .map(|j| Spec::of(j, &config.rack_types[j.rack_type]))
                .collect(),
            queue: JobQueue::default(),
            by_allocation: Vec::new(),
            by_flow: Vec::new(),
            ring_racks: HashMap::new(),
            dirty: Vec::new(),
            to_replace: Vec::new(),
            room: vec![false; sites],
            rooms: Vec::new(),
            placed: vec![Vec::new(); sites],
            speed: vec![1.0; sites],
            counts,
            tally: vec![SiteTally::default(); sites],
            ends: vec![BTreeSet::new(); pools],
            waiters: vec![BTreeSet::new(); pools],
            candidates: Vec::new(),
            candidates_of: None,
            widest: vec![0; config.rack_types.len()],
            scheduled: config
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

    /// The events asked for since the last [`Training::clear_scheduled`],
    /// in order.
    pub fn scheduled(&self) -> &[(SimTime, Event)] {
        &self.scheduled
    }

    /// Forgets the events asked for (once the caller has scheduled them).
    pub fn clear_scheduled(&mut self) {
        self.scheduled.clear();
    }

    #[cfg(test)]
    /// Number of jobs in each state.
    pub fn counts(&self) -> JobCounts {
        self.counts
    }

    #[cfg(test)]
    /// A job's state.
    pub fn state(&self, job: usize) -> JobState {
        self.runs[job].state
    }

    #[cfg(test)]
    /// The allocation a job holds at its first site, if any.
    pub fn allocation(&self, job: usize) -> Option<AllocationId> {
        self.runs[job].parts.first().map(|p| p.allocation)
    }

    #[cfg(test)]
    /// The allocations a job holds, one per site.
    pub fn allocations(&self, job: usize) -> Vec<AllocationId> {
        self.runs[job].parts.iter().map(|p| p.allocation).collect()
    }

    #[cfg(test)]
    /// The (first) site a job holds chips at, if it holds any.
    pub fn site_of(&self, job: usize) -> Option<usize> {
        self.runs[job].parts.first().map(|p| p.site as usize)
    }

    #[cfg(test)]
    /// The sites a job holds chips at.
    pub fn sites_of(&self, job: usize) -> Vec<usize> {
        self.runs[job]
            .parts
            .iter()
            .map(|p| p.site as usize)
            .collect()
    }

    #[cfg(test)]
    /// A job's rate now [FLOP/s] (0 unless computing).
    pub fn rate(&self, job: usize) -> f64 {
        self.runs[job].counted_rate
    }

    #[cfg(test)]
    /// The flows of a job's all-reduce ring now.
    pub fn flows(&self, job: usize) -> &[FlowId] {
        self.details[job].flow.as_slice()
    }

    #[cfg(test)]
    /// A site's counters as kept: chips of the up domains jobs hold, jobs
    /// running, jobs waiting.
    pub fn site_counts(&self, site: usize) -> SiteCounts {
        let t = &self.tally[site];
        SiteCounts {
            chips: t.chips,
            running: t.running,
            waiting: t.waiting,
        }
    }

    #[cfg(test)]
    /// Jobs in the queue.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Chips of one scale-up domain of a job.
    fn domain_chips(&self, job: usize) -> u64 {
        let j = &self.config.jobs[job];
        u64::from(j.chips / j.domains)
    }

    /// Moves a job to `state`, keeping the counts of states and its sites'
    /// tallies (a job leaving `Computing` stops adding work at `now`).
    fn set_state(&mut self, job: usize, now: SimTime, state: JobState) {
        let old = self.runs[job].state;
        if old == JobState::Computing && state != JobState::Computing {
            self.count_rate(job, now, 0.0);
        }
        let run = &mut self.runs[job];
        *self.counts.of_mut(old) -= 1;
        *self.counts.of_mut(state) += 1;
        run.state = state;
        run.rated = false;
        // A checkpoint or restart begins or ends: running before and after,
        // its sites' tallies stay as they are.
        let (was, is) = (Activity::of(old), Activity::of(state));
        if was == is {
            return;
        }
        for part in run.parts.iter() {
            let t = &mut self.tally[part.site as usize];
            match was {
                Activity::Running => t.running -= 1,
                Activity::Waiting => t.waiting -= 1,
                Activity::Elsewhere => {}
            }
            match is {
                Activity::Running => t.running += 1,
                Activity::Waiting => t.waiting += 1,
                Activity::Elsewhere => {}
            }
        }
    }

    /// The all-reduce traffic a job sends per FLOP it computes, per rack
    /// of it [B/FLOP]: ring bytes ÷ FLOPs per step; 0 without flows.
    fn bytes_per_flop(&self, job: usize) -> f64 {
        if !self.runs[job].ring {
            return 0.0;
        }
        match self.config.jobs[job].comm {
            Some(c) => c.ring_bytes() / c.flops_per_step,
            None => 0.0,
        }
    }

    /// Makes a placed job's sites count `rate` for it from `now`, each its
    /// share by domains, and the traffic that follows by racks.
    fn count_rate(&mut self, job: usize, now: SimTime, rate: f64) {
        let domains = f64::from(self.specs[job].domains);
        let per_rack = self.bytes_per_flop(job);
        let run = &mut self.runs[job];
        let was = run.counted_rate;
        run.counted_rate = rate;
        // Nearly every job holds one allocation, kept inline: no loop.
        if let Parts::One(part) = &run.parts {
            let t = &mut self.tally[part.site as usize];
            t.count(part, now, was, rate, domains, per_rack);
            return;
        }
        for part in run.parts.iter() {
            let t = &mut self.tally[part.site as usize];
            t.count(part, now, was, rate, domains, per_rack);
        }
    }

    /// The training figures of site `site` at `now` (a sample): counts at
    /// `now`, work and traffic since the previous call. O(1).
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
            scaleout_bytes: t.bytes,
        };
        t.flops = 0.0;
        t.flops_lost = 0.0;
        t.bytes = 0.0;
        row
    }

    fn schedule(&mut self, at: SimTime, job: usize) {
        let g = &mut self.runs[job].gens;
        g.plan = g.plan.wrapping_add(1);
        let generation = g.plan;
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
                let j = &self.config.jobs[job as usize];
                self.set_state(job as usize, now, JobState::Queued);
                self.queue.push(job, j.priority, j.submit);
                self.start_queued(now, world);
            }
            Event::Due { job, generation } => {
                let i = job as usize;
                if self.runs[i].gens.plan != generation {
                    return;
                }
                match self.runs[i].state {
                    JobState::Computing => {
                        self.integrate(i, now);
                        match self.runs[i].next {
                            Next::Completion => self.complete(i, now, world),
                            Next::Checkpoint => {
                                self.set_state(i, now, JobState::Checkpointing);
                                // Its rate as computed: unless something
                                // changes, the checkpoint's end computes
                                // at it again.
                                self.runs[i].rated = true;
                                self.set_load(i, now, 0.0, world);
                                let at = now + self.runs[i].checkpoint_time;
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
                        let since = self.runs[i].since;
                        let detail = &mut self.details[i];
                        detail.restarting = detail.restarting + (now - since);
                        self.compute(i, now, world);
                    }
                    _ => {}
                }
            }
            Event::Fault { job, generation } => {
                let i = job as usize;
                if self.runs[i].gens.fault != generation || !self.runs[i].state.is_running() {
                    return;
                }
                // Its chips are whole: it restarts from its checkpoint at
                // once, flows kept.
                self.interrupt(i, now, Interruption::Software);
                self.set_state(i, now, JobState::Restarting);
                self.set_load(i, now, 0.0, world);
                let at = now + self.config.jobs[i].restart_overhead;
                self.schedule(at, i);
                self.arm_fault(i, now);
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
                domain,
                allocation: Some(a),
                cause,
            } => {
                if let Some(job) = self.job_of(a) {
                    self.domain_down(job, a, domain, now, cause, world);
                }
            }
            Notice::DomainUp {
                domain,
                allocation: Some(a),
            } => {
                if let Some(job) = self.job_of(a) {
                    self.domain_up(job, a, domain, now, world);
                }
            }
            Notice::DomainUp {
                domain,
                allocation: None,
            } => {
                let site = world.rack_site(world.domain_rack(domain));
                self.mark_room(site);
            }
            Notice::RacksCommissioned { site, .. } | Notice::SiteUp { site } => {
                self.mark_room(site);
            }
            Notice::SiteSpeed { site, speed } => {
                self.speed[site.index()] = speed;
                for k in 0..self.placed[site.index()].len() {
                    let job = self.placed[site.index()][k] as usize;
                    self.runs[job].rated = false;
                    if self.runs[job].state == JobState::Computing {
                        self.integrate(job, now);
                        self.compute(job, now, world);
                    }
                }
            }
            Notice::FlowRate { flow, rate } => {
                if let Some(&(job, slot)) = self.by_flow.get(flow.index() as usize)
                    && job != NO_JOB
                {
                    let detail = &mut self.details[job as usize];
                    if slot == 0 && detail.flow == Some(flow) {
                        detail.ring_rate = Some(rate.0);
                        let run = &mut self.runs[job as usize];
                        run.rated = false;
                        if !run.dirty {
                            run.dirty = true;
                            self.dirty.push(job);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// After the notices of an instant (called until no notice is left):
    /// re-places the down domains of the jobs that lost some, gives the
    /// domains freed at a site to the jobs waiting there and then to the
    /// queue, and re-rates the computing jobs whose flows changed rate
    /// (once each, O(racks) per job). O(1) when nothing happened.
    #[inline]
    pub fn respond(&mut self, now: SimTime, world: &mut World) {
        if !self.to_replace.is_empty() || !self.rooms.is_empty() || !self.dirty.is_empty() {
            self.respond_to(now, world);
        }
    }

    /// [`Training::respond`] when something happened.
    #[inline(never)]
    fn respond_to(&mut self, now: SimTime, world: &mut World) {
        let mut jobs = std::mem::take(&mut self.to_replace);
        for &job in &jobs {
            self.runs[job as usize].replacing = false;
            self.replace_down(job as usize, now, world);
        }
        jobs.clear();
        self.to_replace = jobs;
        if !self.rooms.is_empty() {
            let mut rooms = std::mem::take(&mut self.rooms);
            for &site in &rooms {
                self.room[site as usize] = false;
                self.serve_waiters(SiteId(site), now, world);
            }
            rooms.clear();
            self.rooms = rooms;
            self.start_queued(now, world);
        }
        let mut dirty = std::mem::take(&mut self.dirty);
        for &job in &dirty {
            let job = job as usize;
            self.runs[job].dirty = false;
            if self.runs[job].state == JobState::Computing {
                let before = self.runs[job].rate;
                if self.comm_rate(job) != before {
                    self.integrate(job, now);
                    self.compute(job, now, world);
                }
            }
        }
        dirty.clear();
        self.dirty = dirty;
    }

    /// Another workload gave back domains at `site`: the waiting jobs and
    /// the queue try them at the next [`Training::respond`].
    pub fn domains_freed(&mut self, site: SiteId) {
        self.mark_room(site);
    }

    /// Domains were freed at `site`: handled in [`Training::respond`].
    fn mark_room(&mut self, site: SiteId) {
        if !self.room[site.index()] {
            self.room[site.index()] = true;
            self.rooms.push(site.0);
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

    /// A placed job's computing rate now [FLOP/s]: full rate × the speed of
    /// its slowest site × its all-reduce's share of a step.
    fn comm_rate(&self, job: usize) -> f64 {
        let spec = &self.specs[job];
        let run = &self.runs[job];
        let speed = run
            .parts
            .iter()
            .map(|p| self.speed[p.site as usize])
            .fold(1.0, f64::min);
        let full = spec.full_rate * speed;
        let comm = if spec.comm && run.ring {
            self.config.jobs[job].comm
        } else {
            None
        };
        match comm {
            Some(c) if full > 0.0 => {
                let rate = self.details[job].ring_rate;
                let ring = rate.into_iter().fold(f64::INFINITY, f64::min);
                full * ring_speed(&c, full, ring)
            }
            _ => full,
        }
    }

    /// (Re)starts computing from `now`: the rate at the site's speed and
    /// the all-reduce, and the next checkpoint or the completion, whichever
    /// comes first.
    fn compute(&mut self, job: usize, now: SimTime, world: &mut World) {
        let spec = self.specs[job];
        let rate = if self.runs[job].rated {
            self.runs[job].rate
        } else {
            self.comm_rate(job)
        };
        if self.runs[job].state != JobState::Computing {
            self.set_state(job, now, JobState::Computing);
            self.set_load(job, now, 1.0, world);
        }
        self.count_rate(job, now, rate);
        let run = &mut self.runs[job];
        run.since = now;
        run.rate = rate;
        let to_checkpoint = SimDuration(spec.checkpoint_every.0.saturating_sub(run.segment.0));
        let remaining = (spec.work - run.done).max(0.0);
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
        // Nearly every job holds one allocation, kept inline.
        if let Parts::One(part) = &self.runs[job].parts {
            world
                .set_utilization(now, part.allocation, u)
                .expect("a job's allocation is live and u is 0 or 1");
            return;
        }
        for k in 0..self.runs[job].parts.len() {
            let a = self.runs[job].parts[k].allocation;
            world
                .set_utilization(now, a, u)
                .expect("a job's allocation is live and u is 0 or 1");
        }
    }

    fn complete(&mut self, job: usize, now: SimTime, world: &mut World) {
        let work = self.specs[job].work;
        let domains = f64::from(self.specs[job].domains);
        // The completion falls on a whole microsecond: the sites' integrals
        // take the rounding the job's total takes.
        let rest = work - self.runs[job].done;
        for part in self.runs[job].parts.iter() {
            let t = &mut self.tally[part.site as usize];
            t.advance(now);
            t.flops += rest * f64::from(part.domains) / domains;
        }
        let run = &mut self.runs[job];
        run.done = work;
        run.saved = work;
        self.details[job].end = Some(now);
        let g = &mut self.runs[job].gens;
        g.plan = g.plan.wrapping_add(1);
        self.set_state(job, now, JobState::Completed);
        self.end_running(job, now, world);
        self.unplace(job, now, world);
    }

    /// Releases a job's allocations and takes it off its sites' lists.
    fn unplace(&mut self, job: usize, now: SimTime, world: &mut World) {
        let per = self.domain_chips(job);
        let rack_type = self.config.jobs[job].rack_type;
        let detail = &mut self.details[job];
        detail.held = detail.held + (now - detail.held_since);
        let key_end = detail.estimated_end;
        detail.down_domains.clear();
        self.ring_racks.remove(&(job as u32));
        let run = &mut self.runs[job];
        let parts = std::mem::take(&mut run.parts);
        let state = run.state;
        for part in parts.iter() {
            let site = part.site as usize;
            let t = &mut self.tally[site];
            t.chips -= u64::from(part.domains - part.down) * per;
            match Activity::of(state) {
                Activity::Running => t.running -= 1,
                Activity::Waiting => t.waiting -= 1,
                Activity::Elsewhere => {}
            }
            let pool = site * self.config.rack_types.len() + rack_type;
            self.ends[pool].remove(&(key_end, job as u32, part.domains));
            self.waiters[pool].remove(&(job as u32));
            self.by_allocation[part.allocation.0 as usize] = NO_JOB;
            let list = &mut self.placed[site];
            let pos = part.site_pos;
            list.swap_remove(pos as usize);
            if let Some(&moved) = list.get(pos as usize) {
                let m = &mut self.runs[moved as usize];
                if let Some(p) = m.parts.iter_mut().find(|p| p.site == part.site) {
                    p.site_pos = pos;
                }
            }
            world
                .release(now, part.allocation)
                .expect("a job's allocation is live until released");
            self.mark_room(SiteId(part.site));
        }
    }
}

/// A job's all-reduce share of a step at full rate `full` [FLOP/s] with
/// its ring at `ring` [bit/s] ([`Comm::speed`] with `t_c = flops per step ÷
/// full`).
pub fn ring_speed(comm: &Comm, full: f64, ring: f64) -> f64 {
    comm.speed(comm.flops_per_step / full, ring)
}

/// The `p`-quantile of `xs` by nearest rank: the ⌈p·n⌉-th smallest (the
/// smallest for p·n ≤ 1). `xs` must not be empty; it is sorted in place.
pub fn nearest_rank(xs: &mut [f64], p: f64) -> f64 {
    xs.sort_unstable_by(f64::total_cmp);
    let rank = ((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    xs[rank - 1]
}
