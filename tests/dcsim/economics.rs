//! The provider's books against figures computed by hand: a constant load
//! with no failures, so every month's money is a product of rates and
//! hours; a late delivery whose SLA credit is known; a loan whose annuity
//! is known; and the flagship's $38B.

use crate::common::{Edit, dcsim, temp_dir, text};

#[path = "../both/closed_books.rs"]
mod fixtures;
pub(crate) use fixtures::CLOSED;

#[test]
fn the_csv_files_carry_the_statement_without_nan() {
    let dir = temp_dir("econ-csv");
    let file = dir.join("closed.toml");
    std::fs::write(&file, CLOSED.edit("DELIVERY", "2026-01-01")).unwrap();
    let out = dcsim(
        ["run", "--quiet", "--out"]
            .iter()
            .map(|s| s.to_string())
            .chain([
                dir.join("out").display().to_string(),
                file.display().to_string(),
            ]),
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let run_dir = dir.join("out").join("closed-form");
    for name in [
        "monthly.csv",
        "contracts.csv",
        "contracts_monthly.csv",
        "summary.csv",
    ] {
        let body = std::fs::read_to_string(run_dir.join(name)).unwrap();
        assert!(!body.contains("NaN") && !body.contains("inf"), "{name}");
    }
    let (header, rows) = crate::common::read_csv(&run_dir.join("monthly.csv"));
    assert_eq!(header[0], "month");
    assert_eq!(header[2], "revenue_lab_usd");
    assert!(
        header
            .iter()
            .all(|h| h == "month" || h == "days" || h.contains('_'))
    );
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0][2], "74400.00");
}

/// Writes the closed-form scenario with `from` replaced by `to` and checks
/// that `dcsim validate` exits 2 with one message at the line of `to`,
/// naming `field` and saying `says`.
#[track_caller]
fn refused(from: &str, to: &str, field: &str, says: &str) {
    let base = CLOSED.edit("DELIVERY", "2026-01-01");
    assert!(base.contains(from), "{from}");
    let text = base.replacen(from, to, 1);
    let line = text
        .lines()
        .position(|l| l.contains(to.lines().next().unwrap()))
        .unwrap()
        + 1;
    let dir = temp_dir("econ-bad");
    let file = dir.join("bad.toml");
    std::fs::write(&file, &text).unwrap();
    let out = dcsim(["validate".to_string(), file.display().to_string()]);
    let (_, err) = text_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let at = format!("bad.toml:{line}:");
    assert!(
        err.lines()
            .any(|l| l.contains(&at) && l.contains(field) && l.contains(says)),
        "expected `{at}` … `{field}` … `{says}` in:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

fn text_of(out: &std::process::Output) -> (String, String) {
    text(out)
}

#[test]
fn bad_money_is_a_located_error() {
    refused(
        "chips = 10\nstart",
        "chips = 20\nstart",
        "contracts[0].chips",
        "more than the build-outs ever deliver",
    );
    refused(
        "term = \"1y\"",
        "term = \"2y\"",
        "contracts[0].term",
        "after the simulated horizon",
    );
    refused(
        "price_usd_per_chip_hour = 10",
        "price_usd_per_chip_hour = -1",
        "contracts[0].price_usd_per_chip_hour",
        "must be 0 or more",
    );
    refused(
        "discount_rate = 0.10",
        "discount_rate = -1.0",
        "economics.discount_rate",
        "−100 %",
    );
    refused(
        "chip_types = [\"unit\"]",
        "chip_types = [\"unitt\"]",
        "contracts[0].chip_types[0]",
        "did you mean \"unit\"",
    );
    refused(
        "server_life = \"1y\"",
        "server_life = \"1d\"",
        "economics.capex.server_life",
        "less than a month",
    );
}

#[test]
fn a_plan_error_in_the_base_is_located_in_the_base() {
    let dir = temp_dir("econ-plan");
    let base = CLOSED.edit("DELIVERY", "2026-01-01").edit(
        "price_usd_per_chip_hour = 10",
        "price_usd_per_chip_hour = -10",
    );
    std::fs::write(dir.join("base.toml"), &base).unwrap();
    std::fs::write(
        dir.join("plan.toml"),
        "extends = \"base.toml\"\nname = \"plan\"\n\n[economics.capex]\nserver_life = \"2y\"\n",
    )
    .unwrap();
    let line = base.lines().position(|l| l.contains("= -10")).unwrap() + 1;
    let out = dcsim([
        "validate".to_string(),
        dir.join("plan.toml").display().to_string(),
    ]);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("base.toml:{line}:")), "{err}");
}
