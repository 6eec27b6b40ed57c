//! `extends`: a build-out plan written as a small file over a base scenario.
//! The merged values reach the scenario; every problem is located in the
//! file that wrote it (the base's line and column for an inherited value,
//! the plan's for an override); a missing base, a cycle and the removal of
//! an unknown name are located at the key that causes them; exit code 2.

use std::path::Path;

use dcsim::{Location, Scenario, ScenarioError};

use crate::common::{Edit, TempDir, dcsim, temp_dir, text};

/// The base, in `base/base.toml` of the test folder, with `prices.csv` next
/// to it. Line numbers matter: tests locate problems in it.
const BASE: &str = r#"name = "base"
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
const PLAN: &str = r#"extends = "base/base.toml"
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
fn setup(base: &str, plan: &str) -> (TempDir, std::path::PathBuf) {
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

fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    Scenario::load(path)
}

/// The one issue of an error, as `(file name, line, column, field)` and
/// the message.
fn only_issue(e: &ScenarioError) -> ((String, usize, usize, String), String) {
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

#[test]
fn validate_accepts_a_plan_and_its_base() {
    let (_dir, plan) = setup(BASE, PLAN);
    let out = dcsim(["validate", &plan.display().to_string()]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, format!("{}: ok\n", plan.display()));
}

#[test]
fn an_inherited_mistake_is_located_in_the_base() {
    // Line 21 of the base: `grid_mw = 10` at texas.
    let base = BASE.edit(
        "name = \"texas\"\ngrid_mw = 10",
        "name = \"texas\"\ngrid_mw = -10",
    );
    let (_dir, plan) = setup(&base, PLAN);
    let e = load(&plan).unwrap_err();
    let ((file, line, column, field), message) = only_issue(&e);
    assert_eq!(
        (file.as_str(), line, column, field.as_str()),
        ("base.toml", 21, 11, "sites[1].grid_mw")
    );
    assert!(message.contains("greater than 0"), "{message}");

    // Through the binary: exit code 2 and the base's path on stderr.
    let out = dcsim(["validate", &plan.display().to_string()]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let base_path = plan.parent().unwrap().join("base").join("base.toml");
    assert!(
        stderr.starts_with(&format!(
            "{}:21:11: sites[1].grid_mw: ",
            base_path.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_missing_base_is_located_at_extends() {
    let (_dir, plan) = setup(BASE, &PLAN.edit("base/base.toml", "base/nope.toml"));
    let e = load(&plan).unwrap_err();
    let ((file, line, column, field), message) = only_issue(&e);
    assert_eq!(
        (file.as_str(), line, column, field.as_str()),
        ("plan.toml", 1, 11, "extends")
    );
    let resolved = plan.parent().unwrap().join("base").join("nope.toml");
    assert!(
        message.starts_with(&format!(
            "cannot read the base scenario \"{}\": ",
            resolved.display()
        )),
        "{message}"
    );
    let out = dcsim(["validate", &plan.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_cycle_is_located_and_named() {
    let (dir, plan) = setup(BASE, PLAN);
    // base.toml extends ../plan.toml, which extends base/base.toml.
    std::fs::write(
        dir.join("base").join("base.toml"),
        format!("extends = \"../plan.toml\"\n{BASE}"),
    )
    .unwrap();
    let e = load(&plan).unwrap_err();
    let ((file, line, column, field), message) = only_issue(&e);
    assert_eq!(
        (file.as_str(), line, column, field.as_str()),
        ("base.toml", 1, 11, "extends")
    );
    assert!(message.starts_with("the bases make a cycle ("), "{message}");
    assert!(
        message.contains("plan.toml extends ") && message.contains("base.toml extends "),
        "{message}"
    );
    let out = dcsim(["validate", &plan.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
}
