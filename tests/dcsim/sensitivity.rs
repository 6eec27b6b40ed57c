//! `dcsim sensitivity` against a tornado computed by hand (issue 22): the
//! closed-form books of `economics.rs`, whose NPV is a sum of known monthly
//! flows, moved one input at a time.

use crate::common::{Edit, dcsim, temp_dir, text};
use crate::economics::CLOSED;

#[test]
fn the_command_writes_the_table_the_chart_and_the_page() {
    let dir = temp_dir("sensitivity");
    let file = dir.join("closed.toml");
    std::fs::write(&file, CLOSED.edit("DELIVERY", "2026-01-01")).unwrap();
    let out = dir.join("out");
    let o = dcsim([
        "sensitivity".as_ref(),
        file.as_os_str(),
        "--vary".as_ref(),
        "economics.discount_rate=0.06,0.14".as_ref(),
        "--vary".as_ref(),
        "contracts[0].price_usd_per_chip_hour=8,12".as_ref(),
        "--replications".as_ref(),
        "2".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let csv = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("npv_usd,1,contracts[0].price_usd_per_chip_hour,8,12,"));
    assert!(lines[2].starts_with("npv_usd,2,economics.discount_rate,0.06,0.14,"));
    // No randomness in the closed form: two replications agree, so the
    // interval is the mean itself, and the column says 2 replications.
    assert!(lines[1].ends_with(",2"), "{}", lines[1]);
    for f in ["tornado.png", "tornado.svg", "sensitivity.html"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let page = std::fs::read_to_string(out.join("sensitivity.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("economics.discount_rate"));
    // A figure it cannot rank by, and an input without two values: exit 2.
    for args in [
        ["--output", "npv"],
        ["--vary", "economics.discount_rate=0.06"],
    ] {
        let o = dcsim([
            "sensitivity".as_ref(),
            file.as_os_str(),
            "--vary".as_ref(),
            "economics.discount_rate=0.06,0.14".as_ref(),
            args[0].as_ref(),
            args[1].as_ref(),
            "--out".as_ref(),
            dir.join("bad").as_os_str(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
        assert!(!dir.join("bad").exists());
    }
}
