//! What `traces.rs`'s integration and white-box halves share: a scenario
//! with room for `[[traces]]` over a given duration.

use super::super::common::Edit;

/// One site of `RACKS` racks "quad": 8 chips "unit" of 100 TFLOP/s BF16,
/// scale-up domains of 4 chips. No failures. Traces follow.
pub const BASE: &str = concat!(
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

pub fn scenario(duration: &str, traces: &str) -> String {
    BASE.edit("DURATION", duration) + traces
}
