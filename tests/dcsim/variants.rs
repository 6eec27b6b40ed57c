//! No silent loss of a run (issue 16 item 6): a `--set` or `--seed` variant
//! writes its own folder beside its baseline's, a rerun of the same command
//! replaces its own folder with the same bytes, and a run that replaces a
//! folder holding a run of another scenario text says so.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{Edit, column, dcsim, fixture, temp_dir, text};

/// Every file of a folder with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The folders in `dir`, sorted.
fn folders(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `dcsim run <scenario> --out <out>` with `extra` arguments; its stdout
/// and stderr, asserting exit 0.
fn run(scenario: &Path, out: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec![
        "run".to_string(),
        scenario.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = dcsim(args);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{stderr}");
    (stdout, stderr)
}

#[test]
fn a_baseline_and_its_variants_all_survive() {
    let out = temp_dir("variants");
    let plan = fixture("physics_day.toml");
    let (stdout, _) = run(&plan, &out, &[]);
    assert!(
        stdout.contains(&format!("wrote {}/ ", out.join("physics-day").display())),
        "says where it wrote: {stdout}"
    );
    let baseline = files(&out.join("physics-day"));

    let (stdout, stderr) = run(&plan, &out, &["--set", "sites.lab.grid_mw=9"]);
    let variant = out.join("physics-day--sites.lab.grid_mw=9");
    assert!(
        stdout.contains(&format!("wrote {}/ ", variant.display())),
        "says where the variant went: {stdout}"
    );
    assert!(
        stderr.is_empty(),
        "nothing replaced, nothing to say: {stderr}"
    );
    run(&plan, &out, &["--seed", "5"]);
    assert_eq!(
        folders(&out),
        [
            "physics-day",
            "physics-day--seed=5",
            "physics-day--sites.lab.grid_mw=9"
        ]
    );
    // The baseline is untouched; each folder holds its own run.
    assert_eq!(files(&out.join("physics-day")), baseline);
    assert_eq!(
        column(&out.join("physics-day/timeseries.csv"), "grid_mw")[0],
        "1.000"
    );
    assert_eq!(
        column(&variant.join("timeseries.csv"), "grid_mw")[0],
        "9.000"
    );
    assert_eq!(
        column(&out.join("physics-day--seed=5/summary.csv"), "seed"),
        ["5"]
    );

    // run.json records what made each run.
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(variant.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["format"], "dcsim-run-1");
    assert_eq!(record["scenario"], "physics_day.toml");
    assert_eq!(record["sets"], serde_json::json!(["sites.lab.grid_mw=9"]));
    assert_eq!(record["seed"], 1);

    // The same command again replaces its own folder, byte for byte, quietly.
    let (_, stderr) = run(&plan, &out, &[]);
    assert!(stderr.is_empty(), "a rerun is not news: {stderr}");
    assert_eq!(files(&out.join("physics-day")), baseline);
}

#[test]
fn replacing_a_run_of_another_text_says_so() {
    let out = temp_dir("variants-other");
    let src = temp_dir("variants-src");
    let text = std::fs::read_to_string(fixture("physics_day.toml")).unwrap();
    let plan = src.join("plan.toml");
    std::fs::write(&plan, &text).unwrap();
    run(&plan, &out, &["--quiet"]);
    // The file edited, run again under the same name: replaced, and said.
    std::fs::write(&plan, text.edit("utilization = 0.5", "utilization = 0.6")).unwrap();
    let (_, stderr) = run(&plan, &out, &["--quiet"]);
    let dir = out.join("physics-day");
    assert!(
        stderr.contains(&format!("note: replaced {}/", dir.display()))
            && stderr.contains("another scenario text (plan.toml)"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // A folder of an older dcsim (no run.json) is named as such.
    std::fs::remove_file(dir.join("run.json")).unwrap();
    let (_, stderr) = run(&plan, &out, &["--quiet"]);
    assert!(stderr.contains("no run.json"), "{stderr}");
    assert_eq!(folders(&out), ["physics-day"]);
}
