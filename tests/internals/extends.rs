//! `extends`: a build-out plan written as a small file over a base scenario.
//! The merged values reach the scenario; every problem is located in the
//! file that wrote it (the base's line and column for an inherited value,
//! the plan's for an override); a missing base, a cycle and the removal of
//! an unknown name are located at the key that causes them; exit code 2.

use dcsim::scenario::{Overrides, load_file};
use dcsim::world::config::{Pue, Tariff};

use crate::internals::common::Edit;

#[path = "../both/extends.rs"]
mod fixtures;
use fixtures::{BASE, PLAN, load, only_issue, setup};

#[test]
fn a_base_may_extend_another() {
    let (dir, _) = setup(BASE, PLAN);
    std::fs::write(
        dir.join("more.toml"),
        "extends = \"plan.toml\"\n[[jobs]]\nname = \"main\"\nchips = 216\n",
    )
    .unwrap();
    let s = load(&dir.join("more.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.run.seed, 9);
    let jobs: Vec<(&str, u32)> = s
        .training
        .jobs
        .iter()
        .map(|j| (j.name.as_str(), j.chips))
        .collect();
    assert_eq!(jobs, [("main", 216), ("late", 72)]);
}

#[test]
fn an_overriding_mistake_is_located_in_the_plan() {
    // Line 2 of the plan: a negative seed; line 7: a misspelled key at ohio.
    let plan = PLAN
        .edit("seed = 9", "seed = -9")
        .edit("grid_mw = 30", "grid_mw = 30\ngird = 1");
    let (_dir, plan) = setup(BASE, &plan);
    let e = load(&plan).unwrap_err();
    let lines: Vec<String> = e.issues.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 2, "{e}");
    let shown = plan.display().to_string();
    assert!(
        lines[0].starts_with(&format!(
            "{shown}:2:8: seed: expected a whole number ≥ 0, found -9"
        )),
        "{e}"
    );
    assert!(
        lines[1].starts_with(&format!("{shown}:7:1: sites[0].gird: unknown key `gird`")),
        "{e}"
    );
}

#[test]
fn removing_a_name_the_base_lacks_is_located() {
    let (_dir, plan) = setup(BASE, &PLAN.edit("name = \"pilot\"", "name = \"pilott\""));
    let e = load(&plan).unwrap_err();
    let ((file, line, column, field), message) = only_issue(&e);
    assert_eq!(
        (file.as_str(), line, column, field.as_str()),
        ("plan.toml", 14, 1, "jobs[0].remove")
    );
    assert_eq!(
        message,
        "the base scenario has no entry named \"pilott\" in `jobs` to remove; did you mean \"pilot\"? (the base's are: pilot, main)"
    );
}

#[test]
fn extends_needs_a_file_and_cannot_be_set() {
    // Text not read from a file has no folder to look in.
    let e =
        dcsim::scenario::load_str("inline.toml", PLAN, None, &Overrides::default()).unwrap_err();
    let ((file, line, column, field), message) = only_issue(&e);
    assert_eq!(
        (file.as_str(), line, column, field.as_str()),
        ("inline.toml", 1, 11, "extends")
    );
    assert!(message.contains("no folder to look for"), "{message}");
    // `extends` is read before `--set` applies.
    let (_dir, plan) = setup(BASE, PLAN);
    let e = load_file(
        &plan,
        &Overrides {
            sets: vec!["extends=other.toml".into()],
            seed: None,
        },
    )
    .unwrap_err();
    assert_eq!(e.issues.len(), 1, "{e}");
    assert!(
        e.to_string()
            .starts_with("--set extends=other.toml: `extends` cannot be set"),
        "{e}"
    );
}

#[test]
fn a_plan_changes_its_base() {
    let (_dir, plan) = setup(BASE, PLAN);
    let s = load(&plan).unwrap_or_else(|e| panic!("the plan does not load:\n{e}"));
    // Kept from the base.
    assert_eq!(s.run.name, "base");
    assert_eq!(s.world.sites.len(), 2);
    assert_eq!(s.world.sites[1].name, "texas");
    assert_eq!(s.world.sites[1].grid[0].1.mw(), 10.0);
    // The CSV named by the base is read from the base's folder: 2 rows.
    assert!(
        matches!(&s.world.sites[1].price, Tariff::Series(rows) if rows.len() == 2),
        "{:?}",
        s.world.sites[1].price
    );
    // Overridden.
    assert_eq!(s.run.seed, 9);
    assert_eq!(s.world.sites[0].name, "ohio");
    assert_eq!(s.world.sites[0].grid[0].1.mw(), 30.0);
    // ohio's pue is the base's: the site was merged, not replaced.
    assert_eq!(s.world.sites[0].pue, Pue::Constant(1.2));
    // The build-out is replaced whole: one phase of 4 racks.
    assert_eq!(s.world.sites[0].phases.len(), 1);
    assert_eq!(s.world.sites[0].phases[0].count, 4);
    // pilot removed, main kept in place, late appended.
    let jobs: Vec<&str> = s.training.jobs.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(jobs, ["main", "late"]);
    // `--seed` and `--set` still win over both files.
    let s = load_file(
        &plan,
        &Overrides {
            sets: vec!["sites.ohio.grid_mw=40".into()],
            seed: Some(3),
        },
    )
    .unwrap();
    assert_eq!((s.run.seed, s.world.sites[0].grid[0].1.mw()), (3, 40.0));
}
