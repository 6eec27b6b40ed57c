//! The closed-form books shared by `economics.rs`, `economics_terms.rs` and
//! `sensitivity.rs`, both halves (integration and white-box).

/// One rack of 10 "unit" chips (1.1 kW each at full load) and 1 kW of
/// overhead: 12 kW of IT power at utilization 1, PUE 1, no failures.
/// Money: $100/MWh, the rack $300,000 with no network or facility, one
/// customer renting the 10 chips at $10/chip-hour take-or-pay for the
/// year, staff $8.76M per MW-year ($1,000 per MW-hour) and a fixed cost
/// of $87,600 a year ($10 an hour).
pub const CLOSED: &str = concat!(
    r#"
name = "closed-form"
start = "2026-01-01"
duration = "1y"
sample_every = "1d"

[load]
utilization = 1.0

"#,
    no_failures!(),
    r#"
"#,
    unit_chip!(),
    r#"
[[racks]]
name = "unit-rack"
chip = "unit"
chips = 10
nodes = 1
overhead_kw = 1
scaleout_gbit_per_s = 100
price_usd = 300000

[[sites]]
name = "s"
grid_mw = 1
pue = 1.0
price = { usd_per_mwh = 100 }

[[sites.buildout]]
rack = "unit-rack"
count = 1
date = "DELIVERY"

[economics]
discount_rate = 0.10

[economics.capex]
network_share = 0
facility_usd_per_mw = 0
server_life = "1y"

[economics.opex]
maintenance_share_per_year = 0
staff_usd_per_mw_year = 8760000

[[economics.fixed_costs]]
name = "office"
usd_per_year = 87600

[[contracts]]
name = "lab"
chip_types = ["unit"]
chips = 10
start = "2026-01-01"
term = "1y"
price_usd_per_chip_hour = 10
"#
);
