//! Training jobs from trace files (issue 8): the generic CSV checked row by
//! row against its fixture, the Alibaba GPU v2023 task list replayed with a
//! job count computed independently from the file, and bad rows located at
//! their lines.

use crate::common::{dcsim, temp_dir, text};

#[path = "../both/traces.rs"]
mod fixtures;
use fixtures::scenario;

#[test]
fn the_cli_refuses_a_bad_trace_row_with_exit_2() {
    let dir = temp_dir("traces-cli");
    std::fs::write(
        dir.join("t.csv"),
        "submit,chips,ideal_duration\n0s,4,1h\n1h,4,soon\n",
    )
    .unwrap();
    let toml = dir.join("t.toml");
    std::fs::write(
        &toml,
        scenario(
            "4d",
            "[[traces]]\nname = \"t\"\nfile = \"t.csv\"\nrack = \"quad\"\n",
        ),
    )
    .unwrap();
    let out = dcsim(["validate", toml.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("t.csv:3:6:"), "{stderr}");

    // Fixed, it validates and reports the trace's jobs.
    std::fs::write(
        dir.join("t.csv"),
        "submit,chips,ideal_duration\n0s,4,1h\n1h,4,2h\n",
    )
    .unwrap();
    let out = dcsim(["validate", toml.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("trace t: 2 jobs from"), "{stdout}");
}
