//! `extends`: a build-out plan written as a small file over a base scenario.
//! The merged values reach the scenario; every problem is located in the
//! file that wrote it (the base's line and column for an inherited value,
//! the plan's for an override); a missing base, a cycle and the removal of
//! an unknown name are located at the key that causes them; exit code 2.

use crate::common::{Edit, dcsim, text};

#[path = "../both/extends.rs"]
mod fixtures;
use fixtures::{BASE, PLAN, load, only_issue, setup};

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
