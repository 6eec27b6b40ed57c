//! The report tells the contract's story (issue 16 item 7): on the default
//! scenario, report.html has a contracts section (value, derived price,
//! committed against delivered, the credited months), the EBITDA, EBIT,
//! depreciation and book-value tiles, the no-terminal-value caveat beside
//! NPV and IRR, and a monthly statement in money with units.

use crate::common::{dcsim, read_csv, temp_dir, text};

#[test]
fn the_default_report_tells_the_contract_s_story() {
    let out = temp_dir("report-money");
    let o = dcsim(["run", "--quiet", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o).1);
    let dir = out.join("default");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();

    // The contract, from contracts.csv, worked out here.
    let (h, rows) = read_csv(&dir.join("contracts.csv"));
    let at = |name: &str| h.iter().position(|c| c == name).unwrap();
    let row = &rows[0];
    let value: f64 = row[at("value_usd")].parse().unwrap();
    let committed: f64 = row[at("committed_capacity_hours")].parse().unwrap();
    assert_eq!(row[at("price_derived")], "true");
    // The derived price: the value over the committed chip-hours.
    let price = value / committed;
    assert!((price - 2.1727).abs() < 1e-4, "{price}");
    assert!(html.contains("<h2 id=\"contracts\">Contracts</h2>"));
    assert!(html.contains(&format!("${:.2}B", value / 1e9)), "the value");
    assert!(
        html.contains(&format!(
            "${price:.4} per chip-hour (derived from the value)"
        )),
        "the derived price"
    );
    let delivered: f64 = row[at("availability")].parse().unwrap();
    assert!(html.contains(&format!("{:.3} % (", delivered * 100.0)));

    // The credited months: one line each, as in contracts_monthly.csv.
    let (mh, months) = read_csv(&dir.join("contracts_monthly.csv"));
    let credit = mh.iter().position(|c| c == "credit_usd").unwrap();
    let credited: Vec<&Vec<String>> = months
        .iter()
        .filter(|r| r[credit].parse::<f64>().unwrap() > 0.0)
        .collect();
    assert_eq!(credited.len().to_string(), row[at("months_credited")]);
    assert!(!credited.is_empty(), "the default is credited some months");
    for r in &credited {
        assert!(html.contains(&format!("<li>{} openai: ", r[0])), "{}", r[0]);
    }
    // Committed against delivered by month: the chart, inline and as files.
    assert!(dir.join("contracts.png").exists() && dir.join("contracts.svg").exists());
    assert!(html.contains("aria-label=\"Contracts\""));

    // The tiles and the caveat.
    for tile in [
        "EBITDA",
        "EBIT",
        "Depreciation",
        "Book value left",
        "NPV",
        "IRR",
    ] {
        assert!(
            html.contains(&format!("<div class=\"label\">{tile}</div>")),
            "no {tile} tile"
        );
    }
    assert_eq!(
        html.matches("no terminal value").count(),
        2,
        "beside NPV and IRR"
    );

    // The statement: days whole, money grouped, headers in words.
    let statement = &html[html.find("id=\"statement\"").unwrap()..];
    assert!(!statement.contains("31.0000") && !statement.contains(".00<"));
    assert!(statement.contains("<td class=\"n\">31</td>"));
    assert!(statement.contains("<th>revenue, openai [$]</th>"));
    assert!(statement.contains("<th>cumulative cash [$]</th>"));
    assert!(
        !html.contains("−$0<") && !html.contains("-$0<"),
        "no minus zero"
    );
}
