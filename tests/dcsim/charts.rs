//! The per-run charts, `summary.json` and `report.html` (issue 11), on
//! `tests/fixtures/charts.toml` — two sites, four months, failures, a
//! training stream, a chat service and a contract — which has the data of
//! every chart, run with the real binary.
//!
//! The text of every chart (title, axis labels, tick labels, legend) is
//! pinned in `tests/snapshots/charts-text.txt`; after an intended change,
//! regenerate it with
//! `DCSIM_UPDATE_SNAPSHOTS=1 cargo test --release --test dcsim charts` and
//! review the diff. The browser test opens the report in headless Chromium;
//! it is ignored by default (`.ci/run` runs it with `--ignored` where
//! Chromium is installed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{dcsim, fixture, read_csv, temp_dir, text};

/// The charts of a run, by file stem, in the order `report.html` shows them.
const CHARTS: [&str; 8] = [
    "power",
    "chips",
    "failures",
    "energy",
    "inference",
    "training",
    "cash",
    "contracts",
];

/// Runs the charts fixture into `out` with extra arguments; returns its
/// folder.
fn run_charts(out: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "run".to_string(),
        fixture("charts.toml").to_str().unwrap().to_string(),
        "--quiet".into(),
        "--out".into(),
        out.to_str().unwrap().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = dcsim(args);
    assert_eq!(run.status.code(), Some(0), "{:?}", text(&run));
    out.join("charts")
}

/// The size and pixels (8-bit RGB or RGBA) of a PNG file.
fn decode_png(path: &Path) -> (u32, u32, usize, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
    buf.truncate(info.buffer_size());
    (info.width, info.height, channels, buf)
}

/// Pixels of rows `rows` whose colour is not within 12 of every channel of
/// `background`.
fn inked(
    (width, _, channels, pixels): &(u32, u32, usize, Vec<u8>),
    rows: std::ops::Range<u32>,
    background: [u8; 3],
) -> usize {
    let row_bytes = *width as usize * channels;
    rows.map(|y| &pixels[y as usize * row_bytes..(y as usize + 1) * row_bytes])
        .flat_map(|row| row.chunks(*channels))
        .filter(|p| (0..3).any(|c| p[c].abs_diff(background[c]) > 12))
        .count()
}

/// The text of every `<text>` element of an SVG document, in order.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|part| {
            let body = &part[part.find('>')? + 1..];
            let end = body.find("</text>")?;
            Some(
                body[..end]
                    .trim()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

#[test]
fn every_chart_is_drawn_at_slide_size_and_is_not_blank() {
    let tmp = temp_dir("charts-png");
    let dir = run_charts(&tmp, &[]);
    for kind in CHARTS {
        let png = decode_png(&dir.join(format!("{kind}.png")));
        assert_eq!((png.0, png.1), (1280, 720), "{kind}.png");
        // The title band and the plotting area both carry ink.
        let title = inked(&png, 0..50, [255, 255, 255]);
        let plot = inked(&png, 100..720, [255, 255, 255]);
        assert!(
            title > 1_000,
            "{kind}.png: {title} inked pixels in the title"
        );
        assert!(plot > 20_000, "{kind}.png: {plot} inked pixels below it");
        let svg = std::fs::read_to_string(dir.join(format!("{kind}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg width=\"1280\" height=\"720\""),
            "{kind}.svg"
        );
        assert!(svg.matches("<polyline").count() + svg.matches("<rect").count() > 20);
    }
}

#[test]
fn chart_text_matches_its_snapshot() {
    let tmp = temp_dir("charts-text");
    let dir = run_charts(&tmp, &[]);
    let mut got = String::new();
    for kind in CHARTS {
        let svg = std::fs::read_to_string(dir.join(format!("{kind}.svg"))).unwrap();
        got.push_str(&format!("== {}\n", kind));
        for t in svg_texts(&svg) {
            got.push_str(&t);
            got.push('\n');
        }
    }
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/charts-text.txt");
    if std::env::var_os("DCSIM_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snap, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&snap).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; see this module's docs",
            snap.display()
        )
    });
    assert_eq!(got, want, "chart text differs from {}", snap.display());
    // What a reader needs, whatever the snapshot says: titles, units, dates.
    for needed in [
        "Power against the grid connection",
        "power [MW]",
        "grid connection",
        "Failures per month, by class",
        "failures per month",
        "cost [$k / month]",
        "requests/s",
        "p99 ÷ target",
        "ETTR (productive ÷ wall time)",
        "cumulative cash [$M]",
        "Jan 2026",
        "Apr",
    ] {
        assert!(got.contains(needed), "no {needed:?} in any chart");
    }
}

#[test]
fn the_report_inlines_every_chart_and_fetches_nothing() {
    let tmp = temp_dir("charts-report");
    run_charts(&tmp, &["--set", "sites.north.pue=1.25"]);
    // A variant: its own folder, named from the override (issue 16).
    let dir = tmp.join("charts--sites.north.pue=1.25");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>charts — dcsim report</title>"));
    assert!(html.contains("<h1>charts</h1>"));
    assert!(
        html.contains("Two small sites over four months"),
        "the description"
    );
    // Every chart, inline, with the same drawing as its file.
    assert_eq!(html.matches("<svg ").count(), CHARTS.len());
    for kind in CHARTS {
        let svg = std::fs::read_to_string(dir.join(format!("{kind}.svg"))).unwrap();
        let body = &svg[svg.find('>').unwrap() + 1..];
        assert!(html.contains(body.trim()), "{kind}.svg is inlined whole");
        assert!(html.contains(&format!("id=\"{}\"", kind)));
    }
    // Nothing fetched: no URL, no script, no external stylesheet or font.
    for banned in [
        "http",
        "src=",
        "<script",
        "<link",
        "@import",
        "url(",
        "@font-face",
    ] {
        assert!(!html.contains(banned), "report.html contains {banned:?}");
    }
    // The headline figures, the tables and the scenario file, escaped.
    assert!(html.contains("Peak chips online"));
    assert!(html.contains("id=\"buildout\""));
    assert_eq!(html.matches("gb200-nvl72</td>").count(), 3, "three phases");
    assert!(html.contains("id=\"statement\""));
    assert!(
        html.contains("<td class=\"t\">2026-04</td>"),
        "a month of the statement"
    );
    assert!(html.contains("name = &quot;charts&quot;"));
    assert!(html.contains("--set sites.north.pue=1.25"));
    assert!(
        !html.contains("name = \"charts\""),
        "the scenario is escaped"
    );
}

#[test]
fn summary_json_has_the_figures_of_summary_csv() {
    let tmp = temp_dir("charts-json");
    let dir = run_charts(&tmp, &["--no-charts"]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let object = json.as_object().expect("one object");
    let (header, rows) = read_csv(&dir.join("summary.csv"));
    assert_eq!(object.len(), header.len(), "one key per column");
    let text_columns = ["scenario", "start", "end", "irr_note", "payback_month"];
    let mut nulls = 0;
    for (name, field) in header.iter().zip(&rows[0]) {
        let v = &object[name];
        if field.is_empty() {
            assert!(v.is_null(), "{name}: empty in the CSV, {v} in the JSON");
            nulls += 1;
        } else if text_columns.contains(&name.as_str()) {
            assert_eq!(v.as_str(), Some(field.as_str()), "{name}");
        } else {
            let x: f64 = field.parse().unwrap();
            assert_eq!(
                v.as_f64(),
                Some(x),
                "{name}: {field} in the CSV, {v} in the JSON"
            );
        }
    }
    // This run has no IRR and no payback: those are null, not NaN or "".
    assert!(nulls >= 3, "{nulls} null figures");
    assert_eq!(object["scenario"], "charts");
    assert_eq!(object["seed"], 3);
    assert!(object["irr"].is_null());
}

#[test]
fn no_charts_writes_the_csv_files_and_the_json_records_only() {
    let tmp = temp_dir("charts-none");
    let dir = run_charts(&tmp, &["--no-charts"]);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"summary.json".to_string()));
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".csv") || n == "summary.json" || n == "run.json"),
        "{names:?}"
    );
}

#[test]
fn charts_and_report_are_the_same_bytes_every_run() {
    let dirs = [temp_dir("charts-det-a"), temp_dir("charts-det-b")];
    let files = |d: &Path| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_none_or(|x| x != "csv"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    let a = files(&run_charts(&dirs[0], &[]));
    let b = files(&run_charts(&dirs[1], &[]));
    // Every chart, report.html, summary.json and run.json.
    assert_eq!(a.len(), 2 * CHARTS.len() + 3, "{:?}", a.keys());
    for (name, bytes) in &a {
        assert!(*bytes == b[name], "{name} differs between two runs");
    }
}

/// A Chromium on the PATH, if any.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "headless_shell",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
    .find(|p| p.is_file())
}

/// Opens report.html in headless Chromium and checks the screenshot: the
/// page rendered, its title is there, and a chart is drawn.
#[test]
#[ignore = "needs Chromium (chromium, chromium-browser, google-chrome or headless_shell on the PATH): apt-get install chromium"]
fn the_report_renders_in_a_headless_browser() {
    let browser = chromium().expect(
        "no chromium, chromium-browser, google-chrome or headless_shell on the PATH (apt-get install chromium)",
    );
    let tmp = temp_dir("charts-browser");
    let dir = run_charts(&tmp, &[]);
    let shot = tmp.join("shot.png");
    let profile = tmp.join("profile");
    let mut child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=1280,2200",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", dir.join("report.html").display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{} did not finish within 120 s", browser.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(shot.exists(), "{} wrote no screenshot", browser.display());
    let png = decode_png(&shot);
    assert_eq!((png.0, png.1), (1280, 2200));
    // The page background is #f6f6f6; the title and description are ink
    // on it at the top.
    let top = inked(&png, 0..120, [246, 246, 246]);
    assert!(top > 3_000, "{top} inked pixels in the title region");
    // A chart: the facility-power blue of the first chart, far down the
    // page (the headline tiles have none).
    let (width, height, channels, pixels) = &png;
    let blue = (600..*height)
        .flat_map(|y| {
            let row = *width as usize * channels;
            pixels[y as usize * row..(y as usize + 1) * row].chunks(*channels)
        })
        .filter(|p| p[0].abs_diff(31) < 40 && p[1].abs_diff(119) < 40 && p[2].abs_diff(180) < 40)
        .count();
    assert!(blue > 2_000, "{blue} chart-blue pixels below the tiles");
}
