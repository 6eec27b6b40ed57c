//! `dcsim replay --rate-scale X` (issue 21 item 8): a trace's arrival times
//! divided by X, every request kept; X = 1 writes what the replay wrote
//! before the option existed; a bad X is refused in one line, exit 2.

use std::path::{Path, PathBuf};

use crate::common::{dcsim, read_csv, temp_dir, text};

fn code_trace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv")
}

/// Runs `dcsim replay <code trace> --requests-csv --out <out>` with `args`
/// and returns the folder it wrote.
fn replay(out: &Path, args: &[&str]) -> PathBuf {
    let trace = code_trace();
    let mut all = vec![
        "replay".to_string(),
        trace.display().to_string(),
        "--requests-csv".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    let o = dcsim(&all);
    assert!(o.status.success(), "{}", text(&o).1);
    out.join("replay-AzureLLMInferenceTrace_code")
}

#[test]
fn replay_rate_scale_divides_the_span_and_keeps_every_request() {
    let tmp = temp_dir("rate-scale");
    let plain = replay(&tmp.join("plain"), &[]);
    let one = replay(&tmp.join("one"), &["--rate-scale", "1"]);
    let two = replay(&tmp.join("two"), &["--rate-scale", "2"]);
    // X = 1: byte-identical to the replay without the option.
    for f in ["replay_summary.csv", "requests.csv"] {
        assert_eq!(
            std::fs::read(plain.join(f)).unwrap(),
            std::fs::read(one.join(f)).unwrap(),
            "{f}"
        );
    }
    // X = 2: the same requests and tokens, each arrival halved.
    let (header, a) = read_csv(&plain.join("requests.csv"));
    let (_, b) = read_csv(&two.join("requests.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (arrival, input, output) = (col("arrival_s"), col("input_tokens"), col("output_tokens"));
    // The trace's own row count.
    let rows = std::fs::read_to_string(code_trace())
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!((a.len(), b.len()), (rows, rows));
    let t = |r: &Vec<String>| r[arrival].parse::<f64>().unwrap();
    for (ra, rb) in a.iter().zip(&b) {
        assert_eq!((&ra[input], &ra[output]), (&rb[input], &rb[output]));
        // Both printed to the microsecond: within one rounding of each.
        assert!((t(rb) - t(ra) / 2.0).abs() <= 1e-6, "{ra:?} {rb:?}");
    }
    let span = |rows: &[Vec<String>]| t(rows.last().unwrap()) - t(&rows[0]);
    assert!(span(&a) > 3000.0, "the code trace spans about an hour");
    assert!((span(&b) - span(&a) / 2.0).abs() <= 1e-6);
    let (sh, sa) = read_csv(&plain.join("replay_summary.csv"));
    let (_, sb) = read_csv(&two.join("replay_summary.csv"));
    let s = |name: &str| sh.iter().position(|h| h == name).unwrap();
    for name in ["requests", "finished", "input_tokens", "output_tokens"] {
        assert_eq!(sa[0][s(name)], sb[0][s(name)], "{name}");
    }
    // Twice the arrival rate on the same replicas: busier.
    let u = |r: &[Vec<String>]| r[0][s("utilization")].parse::<f64>().unwrap();
    assert!(u(&sb) > u(&sa), "{} vs {}", u(&sb), u(&sa));
}

#[test]
fn a_bad_rate_scale_is_refused_in_one_line() {
    let tmp = temp_dir("rate-scale-bad");
    let out = tmp.join("out");
    for bad in ["0", "-2", "NaN", "inf", "1001", "0.0009"] {
        let o = dcsim([
            "replay",
            &code_trace().display().to_string(),
            "--out",
            &out.display().to_string(),
            &format!("--rate-scale={bad}"),
        ]);
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{bad}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("--rate-scale ")
                && stderr.contains("give a factor from 0.001 to 1000"),
            "{bad}: {stderr}"
        );
    }
    assert!(!out.exists());
}
