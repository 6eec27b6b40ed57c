//! A job's state as the training layer keeps it, split by how often it is
//! touched: [`Run`], what every event of a running job reads and writes
//! (its [`Generations`], what a stale event reads before anything else,
//! then its phase, progress and allocations), two cache lines; [`Spec`],
//! the figures of its configuration those events read, half a line;
//! [`Detail`], what only its placement, interruptions and end touch (240
//! bytes).
//!
//! A year of 40 Frontier-sized machines has 623,000 jobs: a whole record
//! per job (about 420 bytes, its allocations behind a pointer) spread each
//! checkpoint's two events over seven or more cache lines and a heap
//! block; the hot part alone is 120 bytes, its one allocation inline.

use std::ops::{Deref, DerefMut};

use crate::engine::{SimDuration, SimTime, StreamRng};
use crate::record::Interruption;
use crate::world::DomainId;
use crate::world::fabric::FlowId;
use crate::world::workload_api::AllocationId;

use super::{JobState, Next};

/// The domains a job holds at one site: one allocation.
#[derive(Clone, Copy, Debug)]
pub(super) struct Part {
    pub allocation: AllocationId,
    pub site: u32,
    /// Domains held.
    pub domains: u32,
    /// Of them, down now.
    pub down: u32,
    /// Racks they sit in (flows of the ring leaving this site's racks).
    pub racks: u32,
    /// Position in its site's list of placed jobs.
    pub site_pos: u32,
}

/// A job's allocations, one per site: none, one kept inline (a job at one
/// site, nearly every job), or a list.
#[derive(Clone, Debug, Default)]
pub(super) enum Parts {
    /// Not placed.
    #[default]
    None,
    /// At one site.
    One(Part),
    /// At several sites.
    Many(Vec<Part>),
}

impl Parts {
    /// Adds the allocation at one more site.
    pub fn push(&mut self, part: Part) {
        *self = match std::mem::take(self) {
            Parts::None => Parts::One(part),
            Parts::One(first) => Parts::Many(vec![first, part]),
            Parts::Many(mut parts) => {
                parts.push(part);
                Parts::Many(parts)
            }
        };
    }
}

impl Deref for Parts {
    type Target = [Part];

    fn deref(&self) -> &[Part] {
        match self {
            Parts::None => &[],
            Parts::One(part) => std::slice::from_ref(part),
            Parts::Many(parts) => parts,
        }
    }
}

impl DerefMut for Parts {
    fn deref_mut(&mut self) -> &mut [Part] {
        match self {
            Parts::None => &mut [],
            Parts::One(part) => std::slice::from_mut(part),
            Parts::Many(parts) => parts,
        }
    }
}

/// What each event of a placed job touches: its generations, its phase,
/// its progress and its allocations (120 bytes, the fields of a
/// checkpoint's events first), aligned to start a cache line: two lines,
/// never three.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub(super) struct Run {
    /// Its generations: what an event reads first, to tell whether it is
    /// stale (the first cache line).
    pub gens: Generations,
    pub state: JobState,
    pub next: Next,
    /// Whether its all-reduce ring runs (it runs, over two racks or more).
    pub ring: bool,
    /// Whether a flow's rate changed since it was last rated.
    pub dirty: bool,
    /// Whether it is listed to re-place its down domains.
    pub replacing: bool,
    /// Whether `rate` is the rate it would compute at now
    /// (`Training::comm_rate`): set as a checkpoint begins (a computing
    /// job's rate is kept current), cleared by any change of its state, of
    /// its sites' speed or of its ring, so that the checkpoint's end reads
    /// it instead of computing it again.
    pub rated: bool,
    /// Start of the current phase (progress integrated up to here).
    pub since: SimTime,
    /// Rate while computing \[FLOP/s\].
    pub rate: f64,
    /// Work done and not lost \[FLOP\].
    pub done: f64,
    /// Work safe in the last checkpoint \[FLOP\].
    pub saved: f64,
    /// Compute time since the last checkpoint or restart.
    pub segment: SimDuration,
    /// Total compute time.
    pub compute: SimDuration,
    /// Rate its sites' tallies count for it now \[FLOP/s\] (its rate while
    /// computing, else 0).
    pub counted_rate: f64,
    /// Time spent writing checkpoints.
    pub checkpointing: SimDuration,
    /// Time one checkpoint takes to write (its configuration's, kept here:
    /// read at every checkpoint, in a line the event reads anyway).
    pub checkpoint_time: SimDuration,
    /// Its allocations, one per site (none unless placed).
    pub parts: Parts,
}

impl Run {
    /// A job not submitted yet, whose checkpoints take `checkpoint_time`
    /// to write.
    pub fn pending(checkpoint_time: SimDuration) -> Run {
        Run {
            gens: Generations::default(),
            state: JobState::Pending,
            next: Next::Checkpoint,
            ring: false,
            dirty: false,
            replacing: false,
            rated: false,
            since: SimTime::ZERO,
            rate: 0.0,
            done: 0.0,
            saved: 0.0,
            segment: SimDuration(0),
            compute: SimDuration(0),
            counted_rate: 0.0,
            checkpointing: SimDuration(0),
            checkpoint_time,
            parts: Parts::None,
        }
    }
}

// A checkpoint's events touch these and their `Spec`, nothing else of the
// job's own state: two cache lines.
const _: () = assert!(std::mem::size_of::<Run>() == 128);
// Every job has one, touched at its start and end: 240 bytes.
const _: () = assert!(std::mem::size_of::<Detail>() <= 240);

/// What a job's placement, interruptions, flows and end touch, apart from
/// its [`Run`].
#[derive(Clone, Debug)]
pub(super) struct Detail {
    /// Sites of its last placement.
    pub last_sites: Sites,
    /// Domains it holds that are down now.
    pub down_domains: Vec<DomainId>,
    /// Compute time lost to interruptions.
    pub lost: SimDuration,
    /// Time spent restarting from checkpoints.
    pub restarting: SimDuration,
    pub first_start: Option<SimTime>,
    pub end: Option<SimTime>,
    /// Its interruptions by cause (counts).
    pub interruptions: [u32; Interruption::COUNT],
    /// When it last took its allocations.
    pub held_since: SimTime,
    /// When its current placement ends by its estimate (see
    /// `Training::estimate`).
    pub estimated_end: SimTime,
    /// Time it held allocations before the current ones.
    pub held: SimDuration,
    /// The fabric flow of its ring, unless its racks are its own.
    pub flow: Option<FlowId>,
    /// The ring's rate now \[bit/s\] (while the ring runs).
    pub ring_rate: Option<f64>,
    /// Its software-fault stream, from its first start.
    pub rng: Option<StreamRng>,
}

impl Detail {
    /// A job not submitted yet.
    pub fn pending() -> Detail {
        Detail {
            last_sites: Sites::None,
            down_domains: Vec::new(),
            lost: SimDuration(0),
            restarting: SimDuration(0),
            first_start: None,
            end: None,
            interruptions: [0; Interruption::COUNT],
            held_since: SimTime::ZERO,
            estimated_end: SimTime::ZERO,
            held: SimDuration(0),
            flow: None,
            ring_rate: None,
            rng: None,
        }
    }
}

/// The sites of a job's last placement: none, one (nearly every job), or
/// a list (16 bytes, no heap block for one site).
#[derive(Clone, Debug, Default)]
pub(super) enum Sites {
    /// Never placed.
    #[default]
    None,
    /// At one site.
    One(u32),
    /// At several sites.
    Many(Box<[u32]>),
}

impl Sites {
    /// The sites of `parts`, in order.
    pub fn of(parts: &[Part]) -> Sites {
        match parts {
            [] => Sites::None,
            [one] => Sites::One(one.site),
            _ => Sites::Many(parts.iter().map(|p| p.site).collect()),
        }
    }
}

impl Deref for Sites {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        match self {
            Sites::None => &[],
            Sites::One(site) => std::slice::from_ref(site),
            Sites::Many(sites) => sites,
        }
    }
}

/// What a running job's events read of its configuration, copied out of
/// its [`Job`](super::config::Job) (about 150 bytes over two or three
/// cache lines) into 32 bytes, one cache line, of an array of their own.
#[derive(Clone, Copy, Debug)]
#[repr(align(32))]
pub(super) struct Spec {
    /// Its rate at full speed ([`Job::full_rate`](super::config::Job))
    /// \[FLOP/s\].
    pub full_rate: f64,
    /// Total work \[FLOP\].
    pub work: f64,
    /// Productive compute time between checkpoints.
    pub checkpoint_every: SimDuration,
    /// Scale-up domains held.
    pub domains: u32,
    /// Whether it has an all-reduce ([`Job::comm`](super::config::Job)).
    pub comm: bool,
}

impl Spec {
    /// The figures of `job`, on rack model `rack`.
    pub fn of(job: &super::config::Job, rack: &crate::world::config::RackType) -> Spec {
        Spec {
            full_rate: job.full_rate(rack),
            work: job.work,
            checkpoint_every: job.checkpoint_every,
            domains: job.domains,
            comm: job.comm.is_some(),
        }
    }
}

const _: () = assert!(std::mem::size_of::<Spec>() == 32);

/// A job's generations, the first field of its [`Run`]: every `Due` and
/// `Fault` event reads them first, and a stale one (most fault clocks are
/// stale by the time they ring: the job ended or restarted) reads nothing
/// else, the same cache line as an event that goes on to read the run.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Generations {
    /// Bumped whenever the job's plan changes (its `Due` events).
    pub plan: u32,
    /// Generation of its software-fault clock.
    pub fault: u32,
}
