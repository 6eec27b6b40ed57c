//! Training jobs from trace files (issue 8): the generic CSV checked row by
//! row against its fixture, the Alibaba GPU v2023 task list replayed with a
//! job count computed independently from the file, and bad rows located at
//! their lines.

use crate::common::{Edit, dcsim, temp_dir, text};

/// One site of `RACKS` racks "quad": 8 chips "unit" of 100 TFLOP/s BF16,
/// scale-up domains of 4 chips. No failures. Traces follow.
const BASE: &str = concat!(
    r#"
name = "traces"
start = "2026-01-01"
duration = "DURATION"

"#,
    no_failures!(),
    r#"
"#,
    unit_chip!(),
    r#"
"#,
    quad_rack!(),
    r#"
[[racks]]
name = "gpu8"
chip = "unit"
chips = 8
nodes = 8
scaleup_domain = 1
overhead_kw = 1
scaleout_gbit_per_s = 100

[[sites]]
name = "lab"
grid_mw = 10
pue = 1.0

[[sites.buildout]]
rack = "quad"
count = 2
date = "2026-01-01"

[[sites.buildout]]
rack = "gpu8"
count = 4
date = "2026-01-01"
"#
);

fn scenario(duration: &str, traces: &str) -> String {
    BASE.edit("DURATION", duration) + traces
}

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
