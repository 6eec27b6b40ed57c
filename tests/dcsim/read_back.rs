//! A run folder read back (by `dcsim compare`, sweeps and merges) is
//! checked against the columns dcsim writes (issue 20 item 1): a renamed,
//! missing or added column is an error naming the file and the column
//! (exit 2), never an empty chart or a figure silently missing.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{dcsim, temp_dir, text};

/// Runs `scenarios/minimal.toml` into `dir/run` and returns the folder.
fn minimal_run(dir: &Path) -> PathBuf {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/minimal.toml");
    let out = dir.join("run");
    let o = dcsim([
        "run".as_ref(),
        scenario.as_os_str(),
        "--set".as_ref(),
        "name=minimal".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    out.join("minimal")
}

/// A copy of the run folder `from` in `to`, with `edit` applied to the
/// text of its file `file`.
fn copy_with(from: &Path, to: &Path, file: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
    let target = to.join(file);
    let before = fs::read_to_string(&target).unwrap();
    let after = edit(&before);
    assert_ne!(before, after, "the edit of {file} changed nothing");
    fs::write(&target, after).unwrap();
    to.to_path_buf()
}

/// `text` with its first line's `from` replaced by `to`.
fn header_replaced(text: &str, from: &str, to: &str) -> String {
    let (header, rest) = text.split_once('\n').unwrap();
    let fields: Vec<&str> = header
        .split(',')
        .map(|h| if h == from { to } else { h })
        .collect();
    format!("{}\n{rest}", fields.join(","))
}

/// Compares `runs` into `dir/cmp`: exit status and stderr.
fn compare(dir: &Path, runs: &[&Path]) -> (Option<i32>, String) {
    let mut args = vec!["compare".to_string()];
    args.extend(runs.iter().map(|r| r.display().to_string()));
    args.extend(["--out".into(), dir.join("cmp").display().to_string()]);
    let o = dcsim(args);
    (o.status.code(), text(&o).1)
}

#[test]
fn a_renamed_or_added_column_is_named_with_its_file() {
    let tmp = temp_dir("read-back");
    let run = minimal_run(&tmp);
    let (code, stderr) = compare(&tmp, &[&run, &run]);
    assert_eq!(code, Some(0), "the run as written compares: {stderr}");

    // A column of the time series renamed: the comparison's power chart
    // would be empty.
    let renamed = copy_with(&run, &tmp.join("renamed"), "timeseries.csv", |t| {
        header_replaced(t, "facility_power_mw", "facility_mw")
    });
    let (code, stderr) = compare(&tmp, &[&run, &renamed]);
    assert_eq!(code, Some(2), "{stderr}");
    let file = renamed.join("timeseries.csv").display().to_string();
    assert!(
        stderr.contains(&format!("{file}: has no column \"facility_power_mw\"")),
        "{stderr}"
    );

    // A summary figure renamed: it would be missing from the comparison.
    let renamed = copy_with(&run, &tmp.join("summary"), "summary.csv", |t| {
        header_replaced(t, "energy_mwh", "energy_gwh")
    });
    let (code, stderr) = compare(&tmp, &[&run, &renamed]);
    assert_eq!(code, Some(2), "{stderr}");
    let file = renamed.join("summary.csv").display().to_string();
    assert!(
        stderr.contains(&format!("{file}: has no column \"energy_mwh\"")),
        "{stderr}"
    );

    // A column dcsim does not write, added.
    let added = copy_with(&run, &tmp.join("added"), "summary.csv", |t| {
        t.lines()
            .enumerate()
            .map(|(i, l)| format!("{l},{}\n", if i == 0 { "margin_note" } else { "x" }))
            .collect()
    });
    let (code, stderr) = compare(&tmp, &[&run, &added]);
    assert_eq!(code, Some(2), "{stderr}");
    let file = added.join("summary.csv").display().to_string();
    assert!(
        stderr.contains(&format!(
            "{file}: has a column \"margin_note\" dcsim does not write there"
        )),
        "{stderr}"
    );
}
