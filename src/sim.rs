//! The composition root: one top-level event type wrapping each layer's own
//! events, one handler that dispatches them, the recorder and the samples.
//!
//! The engine is generic and knows nothing of datacenters; the world knows
//! nothing of the engine or the recorder. [`Model`] ties them: it hands each
//! [`world::Event`] to the [`World`], then schedules the events the world
//! asked for (in the order asked), records its failure rows, and hands its
//! notices to the training jobs ([`Training`]), whose commands may raise
//! more notices (handed on in turn) and whose own events it schedules.
//! The inference services ([`Serving`]) get the same notices and schedule
//! their own events too; the domains they give back are passed on to the
//! training queue. Samples are events of this root.
//!
//! A scenario with training jobs or services sets the background
//! utilization to 0 at the start (chips no workload holds idle); one
//! without keeps `[load] utilization` and runs exactly as before.

use crate::economics::Books;
use crate::engine::{Engine, Handler, SimTime};
use crate::record::{Recorder, SummaryRow};
use crate::scenario::Scenario;
use crate::workload::serving::fleet::{self, Serving};
use crate::workload::training::{self, Training};
use crate::world::workload_api::Notice;
use crate::world::{self, World};

/// Number of progress reports over a run.
const PROGRESS_STEPS: u64 = 200;

/// Every event of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// An event of the physical world.
    World(world::Event),
    /// Record a timeseries sample of every site.
    Sample,
    /// An event of the training jobs.
    Training(training::Event),
    /// An event of the inference services.
    Serving(fleet::Event),
}

// Events are copied in and out of the queue millions of times: keep them
// small (the PHOLD and scale benchmarks depend on it).
const _: () = assert!(std::mem::size_of::<Event>() <= 24);

/// The model of a whole run: the world, the recorder and the sampling.
pub struct Model<'s, R: Recorder> {
    scenario: &'s Scenario,
    world: World<'s>,
    training: Training<'s>,
    serving: Serving<'s>,
    /// Whether the scenario has training jobs or services.
    workloads: bool,
    /// Notices being handed to the workloads (reused).
    notices: Vec<Notice>,
    recorder: R,
    /// Samples put back behind same-instant events (not counted as events).
    requeued: u64,
}

impl<'s, R: Recorder> Model<'s, R> {
    /// Builds the model of `scenario` and schedules its first events.
    pub fn new(scenario: &'s Scenario, recorder: R, engine: &mut Engine<Event>) -> Self {
        let mut model = Model {
            scenario,
            world: World::new(&scenario.run, &scenario.world),
            training: Training::new(&scenario.run, &scenario.training),
            serving: Serving::new(&scenario.run, &scenario.serving),
            workloads: !scenario.training.jobs.is_empty() || !scenario.serving.services.is_empty(),
            notices: Vec::new(),
            recorder,
            requeued: 0,
        };
        // Each job's first placement is an allocation; a few more for
        // re-placements.
        let jobs = scenario.training.jobs.len();
        model.world.reserve_allocations(jobs + jobs / 4);
        // Notices are made only for a workload that reads them.
        let workloads = model.training.has_jobs() || model.serving.has_services();
        model.world.set_listening(workloads);
        if workloads {
            model
                .world
                .set_background_utilization(SimTime::ZERO, 0.0)
                .expect("0 is a valid utilization");
        }
        model.flush(engine);
        let first = (SimTime::ZERO + scenario.run.sample_every).min(scenario.run.end);
        engine
            .schedule_at(first, Event::Sample)
            .expect("samples are in the future");
        model.world.schedule_first_tick();
        model.flush(engine);
        model
    }

    #[cfg(test)]
    /// The world, for tests and reports that read it.
    pub fn world(&self) -> &World<'s> {
        &self.world
    }

    #[cfg(test)]
    /// The training jobs, for tests that read their states.
    pub fn training(&self) -> &Training<'s> {
        &self.training
    }

    #[cfg(test)]
    /// The inference services, for tests that read their replicas.
    pub fn serving(&self) -> &Serving<'s> {
        &self.serving
    }

    #[cfg(test)]
    /// The recorder, for tests that read the rows so far.
    pub fn recorder(&self) -> &R {
        &self.recorder
    }

    /// Hands the world's notices to the workloads (until their commands
    /// raise no more), schedules what the world and the workloads asked
    /// for, and records the world's failure rows. Inlined into the
    /// handler, which calls it after every event.
    #[inline(always)]
    fn flush(&mut self, engine: &mut Engine<Event>) {
        let now = engine.now();
        // The training layer responds after every pass over the notices (at
        // least once: an event of its own may have freed domains), until
        // its commands raise no more. A run without workloads has none of
        // this to do.
        // Each list is drained only when it holds something: most events
        // leave most of them empty, and an empty drain still costs its
        // set-up and tear-down.
        while self.workloads {
            if self.world.has_notices() {
                self.notices.extend(self.world.drain_notices());
                for notice in self.notices.drain(..) {
                    self.training.notice(now, notice, &mut self.world);
                    self.serving.notice(now, notice, &mut self.world);
                }
            }
            if self.serving.has_freed() {
                for site in self.serving.drain_freed() {
                    self.training.domains_freed(site);
                }
            }
            self.training.respond(now, &mut self.world);
            if !self.world.has_notices() {
                break;
            }
        }
        if self.world.has_scheduled() {
            for (at, event) in self.world.drain_scheduled() {
                engine
                    .schedule_at(at, Event::World(event))
                    .expect("the world never schedules in the past");
            }
        }
        if self.workloads {
            // Read in place and cleared after: no drain to set up per event.
            for &(at, event) in self.training.scheduled() {
                engine
                    .schedule_at(at, Event::Training(event))
                    .expect("jobs never schedule in the past");
            }
            self.training.clear_scheduled();
            if self.serving.has_scheduled() {
                for (at, event) in self.serving.drain_scheduled() {
                    engine
                        .schedule_at(at, Event::Serving(event))
                        .expect("services never schedule in the past");
                }
            }
        }
        if self.world.has_rows() {
            for row in self.world.drain_failure_rows() {
                self.recorder.failure(&row);
            }
            for row in self.world.drain_maintenance_rows() {
                self.recorder.maintenance(&row);
            }
        }
    }

    fn sample(&mut self, engine: &mut Engine<Event>) {
        let now = engine.now();
        // A sample shows the state at its instant: every other event due at
        // the same microsecond (an hourly tariff or PUE change, a delivery)
        // runs first. Re-queued behind them, the sample runs last.
        if engine.peek_time() == Some(now) {
            engine
                .schedule_at(now, Event::Sample)
                .expect("now is not in the past");
            self.requeued += 1;
            return;
        }
        let training = &mut self.training;
        let jobs = training.has_jobs();
        self.world.sample(now, &mut self.recorder, |site| {
            jobs.then(|| training.sample(site, now))
        });
        self.serving.sample(now, &mut self.recorder);
        if now < self.scenario.run.end {
            let next = (now + self.scenario.run.sample_every).min(self.scenario.run.end);
            engine
                .schedule_at(next, Event::Sample)
                .expect("samples move forward");
        }
    }

    /// Records the build-out and the summary, and hands back the recorder
    /// with the summary. Call once the engine has run to the end.
    pub fn finish(mut self, engine: &Engine<Event>) -> (R, SummaryRow) {
        let training = self
            .training
            .finish(self.scenario.run.end, &mut self.recorder);
        self.serving
            .finish(self.scenario.run.end, &mut self.recorder);
        let mut summary = self.world.finish(&mut self.recorder);
        summary.training = training;
        summary.events = engine.events_processed() - self.requeued;
        self.recorder.summary(&summary);
        (self.recorder, summary)
    }
}

impl<R: Recorder> Handler<Event> for Model<'_, R> {
    fn handle(&mut self, engine: &mut Engine<Event>, event: Event) {
        match event {
            Event::World(e) => self.world.handle(engine.now(), e),
            Event::Sample => self.sample(engine),
            Event::Training(e) => self.training.handle(engine.now(), e, &mut self.world),
            Event::Serving(e) => self.serving.handle(
                engine.now(),
                e,
                &mut self.world,
                &mut self.training,
                &mut self.recorder,
            ),
        }
        self.flush(engine);
    }
}

/// Runs `scenario` to its end, sending rows to `recorder`. `progress` is
/// called with the fraction of simulated time done, from 0 to 1.
pub fn run<R: Recorder>(
    scenario: &Scenario,
    recorder: R,
    progress: &mut dyn FnMut(f64),
) -> (R, SummaryRow) {
    let mut engine: Engine<Event> = Engine::new();
    let books = Books::new(&scenario.run, scenario.economics.as_ref(), recorder);
    let mut model = Model::new(scenario, books, &mut engine);
    let end = scenario.run.end.micros();
    for step in 1..=PROGRESS_STEPS {
        let until =
            SimTime((u128::from(end) * u128::from(step) / u128::from(PROGRESS_STEPS)) as u64);
        engine.run_until(&mut model, until);
        progress(step as f64 / PROGRESS_STEPS as f64);
    }
    let (books, mut summary) = model.finish(&engine);
    let (recorder, economics) = books.into_parts();
    summary.economics = economics;
    (recorder, summary)
}
