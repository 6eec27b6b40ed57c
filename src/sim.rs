//! Runs a scenario from start to end: builds the world on an engine, steps
//! it to the end in slices (reporting progress between them) and collects
//! the summary.

use crate::engine::{Engine, SimTime};
use crate::record::{Recorder, SummaryRow};
use crate::scenario::Scenario;
use crate::world::{Event, World};

/// Number of progress reports over a run.
const PROGRESS_STEPS: u64 = 200;

/// Runs `scenario` to its end, sending rows to `recorder`. `progress` is
/// called with the fraction of simulated time done, from 0 to 1.
pub fn run<R: Recorder>(
    scenario: &Scenario,
    recorder: R,
    progress: &mut dyn FnMut(f64),
) -> (R, SummaryRow) {
    let mut engine: Engine<Event> = Engine::new();
    let mut world = World::new(scenario, recorder, &mut engine);
    let end = scenario.end.micros();
    for step in 1..=PROGRESS_STEPS {
        let until =
            SimTime((u128::from(end) * u128::from(step) / u128::from(PROGRESS_STEPS)) as u64);
        engine.run_until(&mut world, until);
        progress(step as f64 / PROGRESS_STEPS as f64);
    }
    world.finish(&engine)
}
