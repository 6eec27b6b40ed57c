//! Inputs are read and bounded safely (issue 7 items 3, 4, 5, 7, 8): only
//! regular files of bounded size are read, CSV numbers are held to the
//! TOML limits, no output holds NaN or infinity, a run's output size is
//! bounded, and messages point at the right key with the limit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{dcsim, text};

#[path = "../both/input_bounds.rs"]
mod fixtures;
use fixtures::scenario;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `dcsim validate FILE`, killed (and failed) if it takes over 30 s.
fn validate(file: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dcsim"))
        .arg("validate")
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("dcsim validate {} still reading after 30 s", file.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Exit 2 and the stderr text.
#[track_caller]
fn refused(out: &Output) -> String {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

// Item 3: bounded reads.

#[test]
fn a_device_as_scenario_or_hourly_csv_fails_at_once() {
    let stderr = refused(&validate(Path::new("/dev/zero")));
    assert!(
        stderr.contains(
            "/dev/zero: cannot read the scenario file: it is a character device, not a regular file"
        ),
        "{stderr}"
    );
    let tmp = tempfile::tempdir().unwrap();
    for device in ["/dev/zero", "/dev/urandom"] {
        let file = write(
            tmp.path(),
            "s.toml",
            &scenario(
                "duration = \"30d\"",
                &format!("[sites.price]\nhourly_csv = \"{device}\""),
            ),
        );
        let stderr = refused(&validate(&file));
        assert!(
            stderr.contains("sites[0].price.hourly_csv")
                && stderr.contains("a character device, not a regular file"),
            "{stderr}"
        );
    }
}

#[test]
fn a_named_pipe_does_not_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let stderr = refused(&validate(&fifo));
    assert!(
        stderr.contains("a named pipe, not a regular file"),
        "{stderr}"
    );
}

#[test]
fn files_over_the_size_limits_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut big = scenario("duration = \"30d\"", "");
    big.push_str(&"# padding\n".repeat(3_400_000));
    let file = write(tmp.path(), "big.toml", &big);
    let stderr = refused(&validate(&file));
    assert!(
        stderr.contains("larger than the 32 MiB allowed"),
        "{stderr}"
    );

    // A sparse 257 MiB CSV: refused by its size, without reading it.
    let csv = tmp.path().join("prices.csv");
    std::fs::File::create(&csv)
        .unwrap()
        .set_len(257 * 1024 * 1024)
        .unwrap();
    let file = write(
        tmp.path(),
        "s.toml",
        &scenario(
            "duration = \"30d\"",
            "[sites.price]\nhourly_csv = \"prices.csv\"",
        ),
    );
    let stderr = refused(&validate(&file));
    assert!(
        stderr.contains("larger than the 256 MiB allowed"),
        "{stderr}"
    );
}

// Item 4: CSV values under the TOML limits; no NaN or infinity out.

#[test]
fn csv_values_are_held_to_the_toml_limits() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = write(
        tmp.path(),
        "prices.csv",
        "timestamp,usd_per_mwh\n2026-01-01 00:00,40\n2026-01-02 00:00,1.7e308\n2026-01-03 00:00,-2e12\n",
    );
    let file = write(
        tmp.path(),
        "s.toml",
        &scenario(
            "duration = \"30d\"",
            "[sites.price]\nhourly_csv = \"prices.csv\"",
        ),
    );
    let stderr = refused(&validate(&file));
    let shown = csv.display().to_string();
    assert!(
        stderr.contains(&format!("{shown}:3:1: sites[0].price.hourly_csv: `usd_per_mwh` 1.7e308 is beyond any plausible value")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{shown}:4:1")), "{stderr}");
    assert!(stderr.contains("-2e12"), "{stderr}");
    // The limit itself is accepted, and the run's outputs stay finite.
    write(
        tmp.path(),
        "prices.csv",
        "timestamp,usd_per_mwh\n2026-01-01 00:00,1e12\n",
    );
    let s = dcsim::Scenario::load(&file).unwrap();
    let summary = dcsim::run(&s).summary;
    assert!(summary.energy_cost_usd.is_finite() && summary.energy_cost_usd > 0.0);
}

// Item 8: the catalog as CSV is one parseable table.

#[test]
fn the_catalog_as_csv_is_one_table_per_stream() {
    let out = dcsim(["catalog", "--format", "csv"]);
    let stderr = refused(&out);
    assert!(
        stderr.contains("add --only chips, --only racks or --only failures"),
        "{stderr}"
    );
    for (only, rows) in [("chips", 15), ("racks", 10), ("failures", 9)] {
        let out = dcsim(["catalog", "--format", "csv", "--only", only]);
        assert_eq!(out.status.code(), Some(0));
        let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
        let width = reader.headers().unwrap().len();
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), rows, "{only}");
        assert!(records.iter().all(|r| r.len() == width), "{only}");
    }
}
