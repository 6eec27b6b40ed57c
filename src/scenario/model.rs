//! A validated scenario: every name resolved, every quantity in its unit,
//! every date turned into simulated time. Models read these types and never
//! re-check them.

use crate::catalog::Catalog;
use crate::run::RunConfig;
use crate::workload::serving::config::Config as ServingConfig;
use crate::workload::training::config::Config as TrainingConfig;
use crate::world::config::Config as WorldConfig;

/// A scenario ready to run, grouped by the layer that owns each part:
/// only the composition root (`sim`) unpacks it whole.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The run's own settings: name, seed, calendar, horizon, samples.
    pub(crate) run: RunConfig,
    /// The catalog after the scenario's additions and overrides.
    // Each layer's configuration holds the catalog entries it uses; the
    // whole catalog is kept for the record (and the tests that read it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) catalog: Catalog,
    /// The physical world: rack models, sites, links, failures,
    /// maintenance.
    pub(crate) world: WorldConfig,
    /// The training workload: jobs and what each trace file gave.
    pub(crate) training: TrainingConfig,
    /// The serving workload: services and request-level windows.
    pub(crate) serving: ServingConfig,
    /// The provider's books (`[economics]`, `[[contracts]]`,
    /// `[on_demand]`), if the file keeps them.
    pub(crate) economics: Option<crate::economics::Economics>,
}

impl Scenario {
    /// The scenario's name (`name` in the file): the name of its output
    /// folder and the first column of its summary.
    pub fn name(&self) -> &str {
        &self.run.name
    }

    /// The scenario's one-line description (`description`), empty if none.
    pub fn description(&self) -> &str {
        &self.run.description
    }

    /// The seed every random stream of the run derives from (`seed`, or the
    /// one [`crate::Overrides`] set).
    pub fn seed(&self) -> u64 {
        self.run.seed
    }
}
