//! Inputs are read and bounded safely (issue 7 items 3, 4, 5, 7, 8): only
//! regular files of bounded size are read, CSV numbers are held to the
//! TOML limits, no output holds NaN or infinity, a run's output size is
//! bounded, and messages point at the right key with the limit.

use std::path::{Path, PathBuf};

use dcsim::output::csv::{Columns, CsvRecorder};
use dcsim::scenario::{Overrides, load_file, load_str};
use dcsim::world::config::Tariff;

use crate::internals::common::{Edit, load_text, read_csv};

#[path = "../both/input_bounds.rs"]
mod fixtures;
use fixtures::scenario;

/// Every numeric field of every CSV in `dir` is finite.
fn assert_all_finite(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            // JSON has no NaN or infinity: it would not parse.
            let text = std::fs::read_to_string(&path).unwrap();
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        let (header, rows) = read_csv(&path);
        for (r, row) in rows.iter().enumerate() {
            for (field, name) in row.iter().zip(&header) {
                let lower = field.to_ascii_lowercase();
                assert!(
                    !["nan", "inf", "-inf", "infinity", "-infinity"].contains(&lower.as_str()),
                    "{}: row {}, {name} = {field}",
                    path.display(),
                    r + 1
                );
                if let Ok(x) = field.parse::<f64>() {
                    assert!(
                        x.is_finite(),
                        "{}: row {}, {name} = {field}",
                        path.display(),
                        r + 1
                    );
                }
            }
        }
    }
}

#[test]
fn no_output_of_any_example_holds_nan_or_infinity() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        // The long examples, shortened (their build-outs end in 2026).
        let sets = match stem.as_str() {
            "scale-400k" => vec!["duration=\"2y\"".to_string()],
            // Its contract's term must end inside the run.
            "default" => vec![
                "duration=\"2y\"".to_string(),
                "contracts[0].term=\"2y\"".to_string(),
            ],
            // Its H100 stream ends on 2030-12-01.
            "scale-400k-training" => vec!["duration=\"5y\"".to_string()],
            _ => vec![],
        };
        let s = load_file(&f, &Overrides { sets, seed: None }).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join(&s.run.name);
        // With the training columns where the example has jobs.
        let rec = CsvRecorder::create_with(&out, true, Columns::for_scenario(&s)).unwrap();
        let (rec, _) = dcsim::sim::run(&s, rec, &mut |_| {});
        rec.finish().unwrap();
        assert_all_finite(&out);
    }
}

// Item 5: bounded output and draws.

#[test]
fn the_total_rows_of_a_run_are_bounded() {
    let mut text = String::from(
        "name = \"wide\"\nstart = \"2026-01-01\"\nduration = \"7y\"\nsample_every = \"30s\"\n",
    );
    for i in 0..301 {
        text.push_str(&format!(
            "[[sites]]\nname = \"s{i}\"\ngrid_mw = 10\npue = 1.2\n[[sites.buildout]]\nrack = \"hgx-h100\"\ncount = 1\ndate = \"2026-01-01\"\n"
        ));
    }
    let e = load_str("wide.toml", &text, None, &Overrides::default()).unwrap_err();
    let message = e.to_string();
    assert!(
        message
            .starts_with("wide.toml:4:16: sample_every: 301 sites × 7364160 samples (every 30s)"),
        "{message}"
    );
    assert!(
        message.contains("2216612160 rows of timeseries.csv, about 554.2 GB"),
        "{message}"
    );
    assert!(message.contains("at most 20000000 rows"), "{message}");
    assert!(message.contains("sample_every = \""), "{message}");
}

#[test]
fn lognormal_sigma_is_bounded_and_draws_are_capped() {
    let text = scenario(
        "duration = \"30d\"\n[failures.gpu]\nrepair = { kind = \"lognormal\", median = \"2h\", sigma = 1000 }",
        "",
    );
    let e = load_str("s.toml", &text, None, &Overrides::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("failures.gpu.repair.sigma: must be at most 3, found 1000"),
        "{e}"
    );
    let text = scenario(
        "duration = \"30d\"\n[failures.gpu]\nrepair = { kind = \"lognormal\", median = \"90y\", sigma = 3 }",
        "",
    );
    let s = load_text(&text);
    let mut rng = dcsim::engine::RngStreams::new(1).stream("test");
    let repair = &s.world.failures[0].repair;
    let longest = (0..10_000).map(|_| repair.sample(&mut rng)).max().unwrap();
    assert_eq!(
        longest,
        dcsim::world::config::MAX_DRAW,
        "draws are cut at 100 years"
    );
}

// Item 7: located, precise messages.

fn issues(text: &str) -> String {
    load_str("s.toml", text, None, &Overrides::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn too_long_runs_are_reported_at_duration_with_the_limit() {
    let m = issues(&scenario("duration = \"500y\"", ""));
    assert_eq!(
        m,
        "s.toml:3:12: duration: the run is 500 years long; at most 100 years are allowed"
    );
    let m = issues(&scenario("duration = \"200000y\"", ""));
    assert!(
        m.contains("s.toml:3:12: duration: \"200000y\" is too long; the longest duration accepted is \"1000y\""),
        "{m}"
    );
}

#[test]
fn dates_need_four_digit_years_in_range() {
    let m = issues(
        &scenario("duration = \"30d\"", "").edit("start = \"2026-01-01\"", "start = \"26-1-1\""),
    );
    assert!(
        m.starts_with("s.toml:2:9: start: expected a date like \"2026-01-31\" (YYYY-MM-DD"),
        "{m}"
    );
    let m = issues(
        &scenario("duration = \"30d\"", "")
            .edit("start = \"2026-01-01\"", "start = \"9999-01-01\""),
    );
    assert!(
        m.contains("start: 9999-01-01 is outside the years dcsim accepts, 1900 to 2200"),
        "{m}"
    );
}

#[test]
fn an_unknown_distribution_kind_is_the_only_message() {
    let m = issues(&scenario(
        "duration = \"30d\"\n[failures.gpu]\nrepair = { kind = \"gaussian\", mean = \"2h\" }",
        "",
    ));
    assert_eq!(m.lines().count(), 1, "{m}");
    assert!(
        m.contains("failures.gpu.repair.kind: unknown value \"gaussian\""),
        "{m}"
    );
}

#[test]
fn duplicate_keys_are_named_and_huge_numbers_are_short() {
    let m = issues(&scenario("duration = \"30d\"\nduration = \"40d\"", ""));
    assert!(m.contains("duplicate key `duration`"), "{m}");
    let m = issues(&scenario("duration = \"30d\"", "").edit("grid_mw = 10", "grid_mw = 1e300"));
    assert!(
        m.contains("sites[0].grid_mw: 1e300 is beyond any plausible value"),
        "{m}"
    );
    assert!(m.len() < 200, "{m}");
}

#[test]
fn a_name_too_long_for_a_folder_is_refused() {
    let name = "n".repeat(300);
    let m = issues(
        &scenario("duration = \"30d\"", "")
            .edit("name = \"bounds\"", &format!("name = \"{name}\"")),
    );
    assert!(
        m.contains(
            "name: the name is 300 characters long; it names the output folder, so at most 100"
        ),
        "{m}"
    );
}

#[test]
fn grid_upgrades_on_one_date_and_sites_differing_in_case_are_refused() {
    let m = issues(&scenario(
        "duration = \"1y\"",
        "[[sites.grid_upgrades]]\ndate = \"2026-06-01\"\ngrid_mw = 20\n[[sites.grid_upgrades]]\ndate = \"2026-06-01\"\ngrid_mw = 30",
    ));
    assert!(
        m.contains(
            "sites[0].grid_upgrades[1].date: 2026-06-01 is also the date of an earlier grid upgrade"
        ),
        "{m}"
    );
    let mut text = scenario("duration = \"30d\"", "");
    text.push_str(
        "[[sites]]\nname = \"A\"\ngrid_mw = 10\npue = 1.2\n[[sites.buildout]]\nrack = \"hgx-h100\"\ncount = 1\ndate = \"2026-01-01\"\n",
    );
    let m = issues(&text);
    assert!(
        m.contains("sites[1].name: \"A\" differs from the site \"a\" only in case"),
        "{m}"
    );
}

/// Overlapping bands are allowed, by a documented rule: where bands
/// overlap, the one written last applies.
#[test]
fn where_price_bands_overlap_the_last_one_applies() {
    let s = load_text(&scenario(
        "duration = \"30d\"",
        "[sites.price]\nusd_per_mwh = 40\nbands = [ { from_hour = 8, to_hour = 20, usd_per_mwh = 100 }, { from_hour = 18, to_hour = 22, usd_per_mwh = 70 } ]",
    ));
    let price = &s.world.sites[0].price;
    assert!(matches!(price, Tariff::Bands { .. }));
    let at = |h: u64| price.at(&s.run.calendar, dcsim::engine::SimTime(h * 3_600_000_000));
    assert_eq!(at(7), 40.0);
    assert_eq!(at(17), 100.0);
    assert_eq!(
        at(19),
        70.0,
        "18–20 is in both bands: the later one applies"
    );
    assert_eq!(at(21), 70.0);
}

// Issue 17 item 5: sizes known before a run starts.

#[test]
fn jobs_are_bounded_across_all_arrival_streams() {
    let stream = |name: &str| {
        format!(
            "\n[[arrivals]]\nname = \"{name}\"\nrack = \"hgx-h100\"\nrate_per_day = 150\nchips = [8]\nideal_duration = {{ kind = \"fixed\", value = \"5h\" }}\n"
        )
    };
    // 150 a day over the 3,652 days from 2026-01-01 to 2036-01-01 (two
    // leap days): 547,800 jobs a stream, under the 10^6 of one stream; two
    // streams are 1,095,600, over it.
    let m = issues(&(scenario("duration = \"10y\"", "") + &stream("a") + &stream("b")));
    assert!(m.contains("arrivals[1].rate_per_day"), "{m}");
    assert!(
        m.contains("together expect about 1095600 jobs") && m.contains("across all streams"),
        "{m}"
    );
    assert!(!m.contains("arrivals[0]"), "{m}");
}

#[test]
fn a_job_of_less_than_one_flop_is_refused() {
    let job = "\n[[jobs]]\nname = \"tiny\"\nrack = \"hgx-h100\"\nchips = 8\nflops = 1e-320\n";
    let m = issues(&(scenario("duration = \"30d\"", "") + job));
    assert!(
        m.contains("jobs[0].flops: must be a number of at least 1"),
        "{m}"
    );
}
