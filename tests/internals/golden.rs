//! Golden files: the whole output of `tests/fixtures/golden.toml` (every
//! failure class, three rack models, spares, two sites and a link) at its
//! fixed seed, pinned byte for byte in `tests/golden/`.
//!
//! They pin the random draws as well as the physics: a change in `rand` or
//! `rand_distr` that alters one value, a reordering of events or a moved
//! random stream fails here. A commit that changes them on purpose says in
//! its message which values moved and why; regenerate with
//! `DCSIM_UPDATE_GOLDEN=1 cargo test --release --test dcsim golden` and
//! review the diff.

use std::path::Path;

use dcsim::output::csv::CsvRecorder;
use dcsim::scenario::{Overrides, load_file};

use crate::internals::common::temp_dir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn golden_outputs_are_unchanged() {
    let scenario = load_file(
        &root().join("tests/fixtures/golden.toml"),
        &Overrides::default(),
    )
    .expect("the golden fixture loads");
    let dir = temp_dir("golden");
    let rec = CsvRecorder::create(&dir, scenario.world.failures_log).unwrap();
    let (rec, summary) = dcsim::sim::run(&scenario, rec, &mut |_| {});
    rec.finish().unwrap();
    // Guard against a fixture that stopped exercising what it is for.
    for (k, n) in summary.failures.iter().enumerate() {
        assert!(*n > 0, "failure class {k} never fired in the golden run");
    }

    let update = std::env::var_os("DCSIM_UPDATE_GOLDEN").is_some();
    let mut differ = Vec::new();
    for file in [
        "summary.csv",
        "buildout.csv",
        "failures.csv",
        "timeseries.csv",
        "capacity.csv",
    ] {
        let got = std::fs::read_to_string(dir.join(file)).unwrap();
        let golden = root().join("tests/golden").join(file);
        if update {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("missing golden file {}", golden.display()));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(got.lines().count().min(want.lines().count()));
            differ.push(format!(
                "{file}: first difference at line {}\n  got:  {}\n  want: {}",
                line + 1,
                got.lines().nth(line).unwrap_or("<end>"),
                want.lines().nth(line).unwrap_or("<end>")
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "golden outputs changed (see this module's docs):\n{}",
        differ.join("\n")
    );
}
