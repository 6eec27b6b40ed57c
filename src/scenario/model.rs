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
    pub run: RunConfig,
    /// The catalog after the scenario's additions and overrides.
    pub catalog: Catalog,
    /// The physical world: rack models, sites, links, failures,
    /// maintenance.
    pub world: WorldConfig,
    /// The training workload: jobs and what each trace file gave.
    pub training: TrainingConfig,
    /// The serving workload: services and request-level windows.
    pub serving: ServingConfig,
    /// The provider's books (`[economics]`, `[[contracts]]`,
    /// `[on_demand]`), if the file keeps them.
    pub economics: Option<crate::economics::Economics>,
}
