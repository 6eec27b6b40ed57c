//! The books' optional terms against figures computed by hand (issue 22):
//! a tax schedule with a loss carried forward, a MACRS year, a resale at
//! age three, an escalated price in year four, the named opex lines; and
//! a scenario that sets none of them writes the same columns as before.

use crate::common::{Edit, dcsim, temp_dir, text};
use crate::economics::CLOSED;

#[test]
fn books_without_the_new_terms_write_the_columns_they_always_did() {
    let dir = temp_dir("terms-columns");
    let plain = CLOSED.edit("DELIVERY", "2026-01-01");
    let with = plain.edit(
        "[[contracts]]",
        "[economics.tax]\nrate = 0.21\n[economics.terminal]\ntreatment = \"book_value\"\n[economics.opex.sga]\nshare_of_revenue = 0.05\n[[contracts]]",
    );
    let header = |name: &str, file: &str| -> String {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, if name == "plain" { &plain } else { &with }).unwrap();
        let out = dir.join(name);
        let o = dcsim([
            "run".as_ref(),
            path.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        let body = std::fs::read_to_string(out.join("closed-form").join(file)).unwrap();
        body.lines().next().unwrap().to_string()
    };
    let monthly = header("plain", "monthly.csv");
    assert!(monthly.ends_with(",it_nameplate_mw"), "{monthly}");
    assert!(monthly.contains(",fixed_costs_usd,opex_usd,"), "{monthly}");
    let summary = header("plain", "summary.csv");
    assert!(summary.ends_with(",revenue_per_mw_year_usd"), "{summary}");
    let monthly = header("with", "monthly.csv");
    assert!(
        monthly.contains(",fixed_costs_usd,insurance_property_tax_usd,network_transit_usd,software_licences_usd,sga_usd,opex_usd,"),
        "{monthly}"
    );
    assert!(
        monthly.ends_with(",cumulative_cash_after_tax_usd"),
        "{monthly}"
    );
    let summary = header("with", "summary.csv");
    for col in [
        "sga_usd",
        "npv_after_tax_usd",
        "irr_after_tax",
        "terminal_treatment",
        "npv_with_terminal_usd",
    ] {
        assert!(summary.contains(col), "{col} in {summary}");
    }
    // The report names the treatment and shows the NPV with and without.
    let report =
        std::fs::read_to_string(dir.join("with").join("closed-form").join("report.html")).unwrap();
    for tile in [
        "NPV with terminal value (book_value)",
        "NPV after tax",
        "Opex lines",
    ] {
        assert!(report.contains(tile), "{tile} in report.html");
    }
    let plain =
        std::fs::read_to_string(dir.join("plain").join("closed-form").join("report.html")).unwrap();
    assert!(!plain.contains("NPV after tax") && !plain.contains("Opex lines"));
}
