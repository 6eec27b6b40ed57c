use crate::common::{dcsim, fixture, temp_dir, text};

/// A price file with a change at 01:30 (prices_half_hour.csv: 10 from
/// 00:00, then 1,000 from 01:30, then 10 from 03:00). Values of an hourly
/// CSV change on whole hours, so the file is refused, located at its line 3
/// (the header is line 1), both by the library and by the CLI (exit 2,
/// nothing written). Pinned: the test used to accept either a refusal or
/// the value applied from 01:30.
#[test]
fn a_price_change_off_the_hour_is_refused_at_its_line() {
    let set = "sites[0].price={ hourly_csv = \"prices_half_hour.csv\" }";
    let overrides = dcsim::Overrides {
        sets: vec![set.into()],
        seed: None,
    };
    let e = dcsim::Scenario::load_with(fixture("physics_day.toml"), &overrides)
        .expect_err("a price row at 01:30 is refused");
    assert_eq!(e.issues.len(), 1, "one issue, the 01:30 row: {e}");
    let issue = &e.issues[0];
    let csv = fixture("prices_half_hour.csv").display().to_string();
    assert_eq!(
        issue.location,
        dcsim::Location::File {
            file: csv.clone(),
            line: 3,
            column: 1
        },
        "{e}"
    );
    assert_eq!(issue.field, "sites[0].price.hourly_csv");
    assert!(
        issue
            .message
            .contains("\"2026-01-05 01:30\" is not on the hour")
            && issue.message.contains("2026-01-05 01:00"),
        "the message names the stamp and the fix: {e}"
    );
    assert!(e.to_string().starts_with(&format!("{csv}:3:1: ")), "{e}");

    // The CLI: exit 2, the same located line on stderr, no output folder.
    let out_dir = temp_dir("physics-half-hour");
    let out = dcsim([
        "run",
        fixture("physics_day.toml").to_str().unwrap(),
        "--quiet",
        "--set",
        set,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.starts_with(&format!("{csv}:3:1: ")), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        std::fs::read_dir(&*out_dir).unwrap().count(),
        0,
        "nothing written"
    );
}
