//! What `extends.rs`'s integration and white-box halves share: a base
//! scenario with a hourly price file, a plan extending it, and how both are
//! loaded and their one problem read.

use std::path::Path;

use dcsim::{Location, Scenario, ScenarioError};

use super::super::common::{TempDir, temp_dir};

/// The base, in `base/base.toml` of the test folder, with `prices.csv` next
/// to it. Line numbers matter: tests locate problems in it.
pub const BASE: &str = r#"name = "base"
start = "2026-01-01"
duration = "30d"
seed = 1

[[sites]]
name = "ohio"
grid_mw = 20
pue = 1.2
[[sites.buildout]]
rack = "gb200-nvl72"
count = 2
date = "2026-01-01"
[[sites.buildout]]
rack = "gb200-nvl72"
count = 3
date = "2026-01-10"

[[sites]]
name = "texas"
grid_mw = 10
pue = 1.3
[sites.price]
hourly_csv = "prices.csv"
[[sites.buildout]]
rack = "gb200-nvl72"
count = 1
date = "2026-01-01"

[[jobs]]
name = "pilot"
rack = "gb200-nvl72"
chips = 72
flops = 1e21

[[jobs]]
name = "main"
rack = "gb200-nvl72"
chips = 144
flops = 1e22
"#;

/// The plan, beside the `base/` folder: a bigger grid at ohio, its
/// build-out replaced by one phase, the pilot job dropped, a job added,
/// another seed.
pub const PLAN: &str = r#"extends = "base/base.toml"
seed = 9

[[sites]]
name = "ohio"
grid_mw = 30
[[sites.buildout]]
rack = "gb200-nvl72"
count = 4
date = "2026-01-05"

[[jobs]]
name = "pilot"
remove = true

[[jobs]]
name = "late"
rack = "gb200-nvl72"
chips = 72
flops = 1e21
submit = "2026-01-15"
"#;

/// A test folder holding the base (with its CSV) and `plan.toml` with
/// `plan`; returns the folder and the plan's path.
pub fn setup(base: &str, plan: &str) -> (TempDir, std::path::PathBuf) {
    let dir = temp_dir("extends");
    std::fs::create_dir(dir.join("base")).unwrap();
    std::fs::write(dir.join("base").join("base.toml"), base).unwrap();
    std::fs::write(
        dir.join("base").join("prices.csv"),
        "timestamp,usd_per_mwh\n2026-01-01 00:00,50\n2026-01-02 00:00,70\n",
    )
    .unwrap();
    let plan_path = dir.join("plan.toml");
    std::fs::write(&plan_path, plan).unwrap();
    (dir, plan_path)
}

pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    Scenario::load(path)
}

/// The one issue of an error, as `(file name, line, column, field)` and
/// the message.
pub fn only_issue(e: &ScenarioError) -> ((String, usize, usize, String), String) {
    assert_eq!(e.issues.len(), 1, "one issue expected:\n{e}");
    let issue = &e.issues[0];
    match &issue.location {
        Location::File { file, line, column } => {
            let name = Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                (name, *line, *column, issue.field.clone()),
                issue.message.clone(),
            )
        }
        other => panic!("not located in a file: {other:?}"),
    }
}
