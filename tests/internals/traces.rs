//! Training jobs from trace files (issue 8): the generic CSV checked row by
//! row against its fixture, the Alibaba GPU v2023 task list replayed with a
//! job count computed independently from the file, and bad rows located at
//! their lines.

use std::path::{Path, PathBuf};

use dcsim::engine::{SimDuration, SimTime};
use dcsim::scenario::{Overrides, Scenario, ScenarioError, load_str};

use crate::internals::common::{Edit, fixture, run, temp_dir};

#[path = "../both/traces.rs"]
mod fixtures;
use fixtures::scenario;

fn load_in(dir: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    load_str("traces.toml", text, Some(dir), &Overrides::default())
}

fn fixtures_dir() -> PathBuf {
    fixture("trace_jobs.csv").parent().unwrap().to_path_buf()
}

/// The shipped stand-in for the Alibaba GPU v2023 files: `data/alibaba-gpu-v2023-sample/`,
/// made by [`alibaba_sample`] (the real files state no licence, so they are not shipped).
fn alibaba_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/alibaba-gpu-v2023-sample")
}

/// The real Alibaba GPU v2023 files (github.com/alibaba/clusterdata,
/// `cluster-trace-gpu-v2023/csv/`): the folder `DCSIM_ALIBABA_DIR` names.
/// Only the ignored tests call it.
fn real_alibaba_dir() -> PathBuf {
    let dir = std::env::var_os("DCSIM_ALIBABA_DIR").expect(
        "set DCSIM_ALIBABA_DIR to a folder with openb_pod_list_default.csv and openb_node_list_gpu_node.csv",
    );
    PathBuf::from(dir)
}

/// The servers of `scenarios/alibaba-replay.toml` (one per row of the
/// trace's GPU node list): (GPU model, GPUs per server, servers, CPU
/// milli-cores, memory MiB), in the node list's order.
const SAMPLE_SERVERS: [(&str, u32, u32, u32, u32); 12] = [
    ("P100", 2, 131, 16_000, 122_880),
    ("P100", 1, 3, 8_000, 61_440),
    ("T4", 2, 387, 104_000, 524_288),
    ("T4", 4, 17, 96_000, 393_216),
    ("A10", 1, 2, 128_000, 1_048_576),
    ("V100M16", 1, 19, 8_000, 32_768),
    ("V100M16", 4, 28, 32_000, 131_072),
    ("V100M16", 8, 8, 64_000, 262_144),
    ("V100M32", 4, 9, 48_000, 376_832),
    ("V100M32", 8, 21, 96_000, 786_432),
    ("G2", 8, 549, 96_000, 393_216),
    ("G3", 8, 39, 128_000, 786_432),
];

/// Tasks in the shipped sample task list.
const SAMPLE_TASKS: u64 = 400;
/// The trace's end [s], as in the real task list (149.3 days).
const SAMPLE_END_S: u64 = 12_902_960;

/// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): the sample's generator,
/// fixed here so the files never depend on a crate's version.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The shipped sample, generated: (task list, GPU node list) in the
/// formats of the Alibaba GPU v2023 files (same headers, same column
/// meanings: `cpu_milli` milli-cores, `memory_mib` MiB, `gpu_milli` a share
/// of one GPU in thousandths, times in seconds from the trace's start,
/// `scheduled_time` empty for a Pending task). The node list has the
/// scenario's servers; the task list mixes every kind of row the reader
/// meets: CPU-only, GPU-sharing, Pending, Failed, whole-GPU tasks of 1–8
/// GPUs, some naming GPU models in `gpu_spec`, some running at the end.
fn alibaba_sample() -> (String, String) {
    let mut nodes = String::from("sn,cpu_milli,memory_mib,gpu,model\n");
    let mut n = 0;
    for (model, gpus, servers, cpu, mem) in SAMPLE_SERVERS {
        for _ in 0..servers {
            nodes += &format!("sample-node-{n:04},{cpu},{mem},{gpus},{model}\n");
            n += 1;
        }
    }
    let mut tasks = String::from(
        "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n",
    );
    let mut state = 2023;
    let step = SAMPLE_END_S / SAMPLE_TASKS;
    for i in 0..SAMPLE_TASKS {
        let mut draw = || splitmix(&mut state);
        let created = i * step + draw() % step;
        let wait = draw() % 30;
        // Run time: 1 min × 2^(0..17) — a minute to about three months.
        let run = 60 * (1u64 << (draw() % 18)) + draw() % 60;
        let kind = draw() % 20;
        let (gpus, milli) = match kind {
            0..=2 => (0, 0),
            3..=6 => (1, 100 + 10 * (draw() % 80)),
            _ => ([1, 1, 1, 1, 2, 4, 8][(draw() % 7) as usize], 1000),
        };
        let spec = if gpus == 0 || milli < 1000 {
            ""
        } else {
            match draw() % 8 {
                0 => "V100M32",
                1 if gpus <= 4 => "T4",
                2 => "V100M16|V100M32",
                3 if gpus <= 4 => "T4|G2",
                _ => "",
            }
        };
        let qos = ["LS", "BE", "LS", "Burstable"][(draw() % 4) as usize];
        let cpu = 1000 * (1 + draw() % 32);
        let mem = 1024 * (1 + draw() % 64);
        let pending = kind == 7;
        let deleted = (created + wait + run).min(SAMPLE_END_S);
        let phase = if pending {
            "Pending"
        } else if deleted == SAMPLE_END_S {
            "Running"
        } else if draw() % 5 == 0 {
            "Failed"
        } else {
            "Succeeded"
        };
        let scheduled = if pending {
            String::new()
        } else {
            (created + wait).to_string()
        };
        tasks += &format!(
            "sample-pod-{i:04},{cpu},{mem},{gpus},{milli},{spec},{qos},{phase},{created},{deleted},{scheduled}\n"
        );
    }
    (tasks, nodes)
}

#[test]
fn the_shipped_alibaba_sample_is_the_generator_s_output() {
    let (tasks, nodes) = alibaba_sample();
    let dir = alibaba_dir();
    let files = [
        ("openb_pod_list_default.csv", tasks),
        ("openb_node_list_gpu_node.csv", nodes),
    ];
    if std::env::var_os("DCSIM_UPDATE_DATA").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &files {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    for (name, text) in &files {
        let shipped = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(
            shipped == *text,
            "data/alibaba-gpu-v2023-sample/{name} is not the generator's output; regenerate with DCSIM_UPDATE_DATA=1"
        );
    }
    // The sample is what data/README.md says: 400 tasks, 1,213 servers with
    // 6,212 GPUs, each kind of row present.
    let servers: u32 = SAMPLE_SERVERS.iter().map(|s| s.2).sum();
    let gpus: u32 = SAMPLE_SERVERS.iter().map(|s| s.1 * s.2).sum();
    assert_eq!((servers, gpus), (1_213, 6_212));
    let rows = alibaba_rows(&dir);
    assert_eq!(rows.len() as u64, SAMPLE_TASKS);
    let count = |f: &dyn Fn(&std::collections::HashMap<String, String>) -> bool| {
        rows.iter().filter(|r| f(r)).count()
    };
    assert!(count(&|r| r["num_gpu"] == "0") > 0);
    assert!(count(&|r| r["num_gpu"] != "0" && r["gpu_milli"] != "1000") > 0);
    assert!(count(&|r| r["pod_phase"] == "Pending") > 0);
    assert!(count(&|r| r["pod_phase"] == "Failed") > 0);
    assert!(count(&|r| r["pod_phase"] == "Running") > 0);
    assert!(count(&|r| !r["gpu_spec"].is_empty()) > 0);
    assert!(count(&|r| r["num_gpu"] == "8") > 0);
}

/// The rows of a task list, as text by column name.
fn alibaba_rows(dir: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let path = dir.join("openb_pod_list_default.csv");
    let mut reader =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader.deserialize().map(|r| r.unwrap()).collect()
}

const FIXTURE_TRACE: &str = r#"
[[traces]]
name = "fx"
file = "trace_jobs.csv"
rack = "quad"
mfu = 0.5
priority = 3
"#;

#[test]
fn a_csv_trace_gives_one_job_per_row_with_its_submit_and_duration() {
    let s = load_in(&fixtures_dir(), &scenario("4d", FIXTURE_TRACE)).expect("loads");
    // One job per data row of tests/fixtures/trace_jobs.csv, in file order.
    assert_eq!(s.training.jobs.len(), 4);
    let names: Vec<&str> = s.training.jobs.iter().map(|j| j.name.as_str()).collect();
    // Unnamed rows are <trace>-<line>: lines 2, 4 and 5 (line 1 is the header).
    assert_eq!(names, ["fx-2", "big", "fx-4", "fx-5"]);
    let hours = |h: f64| SimTime::ZERO + SimDuration::from_secs_f64(h * 3600.0);
    let submits: Vec<SimTime> = s.training.jobs.iter().map(|j| j.submit).collect();
    // "0s", "90min", "2d", "36h".
    assert_eq!(submits, [hours(0.0), hours(1.5), hours(48.0), hours(36.0)]);
    let chips: Vec<u32> = s.training.jobs.iter().map(|j| j.chips).collect();
    assert_eq!(chips, [4, 8, 4, 8]);
    let domains: Vec<u32> = s.training.jobs.iter().map(|j| j.domains).collect();
    assert_eq!(domains, [1, 2, 1, 2]);
    // Work = ideal duration × chips × 1e14 FLOP/s × MFU 0.5, or `flops`.
    let work: Vec<f64> = s.training.jobs.iter().map(|j| j.work).collect();
    let expected = [
        36_000.0 * 4.0 * 1e14 * 0.5,
        1.44e19,
        1_800.0 * 4.0 * 1e14 * 0.5,
        9_000.0 * 8.0 * 1e14 * 0.5,
    ];
    for (w, e) in work.iter().zip(expected) {
        assert!((w - e).abs() <= 1e-9 * e, "{w} vs {e}");
    }
    // Durations back from the work: work / (chips × peak × MFU).
    let rack = &s.world.rack_types[s.training.jobs[0].rack_type];
    let ideal_h: Vec<f64> = s
        .training
        .jobs
        .iter()
        .map(|j| j.work / j.full_rate(rack) / 3600.0)
        .collect();
    for (h, e) in ideal_h.iter().zip([10.0, 10.0, 0.5, 2.5]) {
        assert!((h - e).abs() < 1e-9, "{h} vs {e}");
    }
    assert!(
        s.training
            .jobs
            .iter()
            .all(|j| j.priority == 3 && j.mfu == 0.5)
    );
    assert!(
        s.training
            .jobs
            .iter()
            .all(|j| s.world.rack_types[j.rack_type].rack.name == "quad")
    );

    // The jobs run: failure-free, every one completes within 4 days.
    let (rec, _) = run(&s);
    let rows = rec.jobs;
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .all(|r| r.status == dcsim::record::JobStatus::Completed),
        "{rows:?}"
    );
}

/// Rows the rule of docs/models/training.md admits, computed here from the
/// CSV alone: whole GPUs (`num_gpu` ≥ 1, `gpu_milli` = 1000), scheduled, a
/// positive run time, created before `end_s`.
fn alibaba_admitted(dir: &Path, end_s: f64) -> Vec<(String, f64, u32, f64)> {
    let mut out = Vec::new();
    for r in alibaba_rows(dir) {
        let gpus: u32 = r["num_gpu"].parse().unwrap();
        let milli: u32 = r["gpu_milli"].parse().unwrap();
        let created: f64 = r["creation_time"].parse().unwrap();
        let deleted: f64 = r["deletion_time"].parse().unwrap();
        if r["scheduled_time"].is_empty() || gpus == 0 || milli != 1000 || created >= end_s {
            continue;
        }
        let scheduled: f64 = r["scheduled_time"].parse().unwrap();
        if deleted <= scheduled {
            continue;
        }
        out.push((r["name"].clone(), created, gpus, deleted - scheduled));
    }
    out
}

/// A task list in `file` on rack model RACK; the GPU models of the sample's
/// `gpu_spec` column map to RACK too.
const ALIBABA: &str = r#"
[[traces]]
name = "ali"
file = "openb_pod_list_default.csv"
format = "alibaba"
rack = "RACK"
[traces.racks]
T4 = "RACK"
G2 = "RACK"
V100M16 = "RACK"
V100M32 = "RACK"
"#;

/// Figures of the real task list (data/README.md): rows, rows admitted over
/// the whole span, and rows skipped as CPU-only, GPU-sharing and Pending.
const REAL_ALIBABA: (u64, usize, u64, u64, u64) = (8_152, 3_630, 1_088, 3_078, 356);

/// The task list in `dir` replays the rows the rule admits, each submitted
/// at its creation for its run time; `published`, when given, the figures
/// the counts must also equal.
fn replays_the_rows_the_rule_admits(dir: &Path, published: Option<(u64, usize, u64, u64, u64)>) {
    let text = scenario("150d", &ALIBABA.edit("RACK", "gpu8"));
    let s = load_in(dir, &text).expect("loads");
    let admitted = alibaba_admitted(dir, 150.0 * 86_400.0);
    assert!(!admitted.is_empty());
    assert_eq!(s.training.jobs.len(), admitted.len());
    let rack = &s.world.rack_types[s.training.jobs[0].rack_type];
    for (job, (name, created, gpus, dur)) in s.training.jobs.iter().zip(&admitted) {
        assert_eq!(job.name, format!("ali-{name}"));
        assert_eq!(
            job.submit,
            SimTime::ZERO + SimDuration::from_secs_f64(*created)
        );
        // Domains of 1 GPU: chips = num_gpu exactly.
        assert_eq!(job.chips, *gpus);
        let ideal = job.work / job.full_rate(rack);
        assert!(
            (ideal - dur).abs() < 1e-6 * dur.max(1.0),
            "{ideal} vs {dur}"
        );
    }

    // The rows skipped, counted by the first rule they fail, recounted here.
    let (mut cpu, mut sharing, mut pending, mut rows) = (0u64, 0u64, 0u64, 0u64);
    for r in alibaba_rows(dir) {
        rows += 1;
        if r["num_gpu"] == "0" {
            cpu += 1;
        } else if r["gpu_milli"] != "1000" {
            sharing += 1;
        } else if r["scheduled_time"].is_empty() {
            pending += 1;
        }
    }
    let t = &s.training.traces[0];
    assert_eq!(
        (
            t.jobs,
            t.skipped_cpu_only,
            t.skipped_gpu_sharing,
            t.skipped_pending
        ),
        (admitted.len() as u64, cpu, sharing, pending)
    );
    if let Some(p) = published {
        assert_eq!((rows, admitted.len(), cpu, sharing, pending), p);
    }
    assert_eq!((t.skipped_zero_length, t.skipped_after_end), (0, 0));
    assert_eq!(t.jobs + t.skipped(), rows);

    // A shorter run admits only the rows created before its end.
    let s = load_in(dir, &scenario("30d", &ALIBABA.edit("RACK", "gpu8"))).expect("loads");
    let early = alibaba_admitted(dir, 30.0 * 86_400.0).len() as u64;
    assert_eq!(s.training.jobs.len() as u64, early);
    assert_eq!(
        s.training.traces[0].skipped_after_end,
        admitted.len() as u64 - early
    );

    // On domains of 4 chips a task holds its GPUs rounded up to whole
    // domains; the count is unchanged.
    let s = load_in(dir, &scenario("150d", &ALIBABA.edit("RACK", "quad"))).expect("loads");
    assert_eq!(s.training.jobs.len(), admitted.len());
    for (job, (_, _, gpus, _)) in s.training.jobs.iter().zip(&admitted) {
        assert_eq!(job.chips, gpus.div_ceil(4) * 4);
    }
}

#[test]
fn the_alibaba_sample_replays_the_rows_the_rule_admits() {
    replays_the_rows_the_rule_admits(&alibaba_dir(), None);
}

#[test]
#[ignore = "needs the Alibaba GPU v2023 trace: set DCSIM_ALIBABA_DIR=<folder of openb_pod_list_default.csv>"]
fn the_real_alibaba_trace_replays_the_rows_the_rule_admits() {
    replays_the_rows_the_rule_admits(&real_alibaba_dir(), Some(REAL_ALIBABA));
}

fn refused(dir: &Path, traces: &str) -> String {
    match load_in(dir, &scenario("4d", traces)) {
        Ok(s) => panic!("accepted: {:?}", s.training.jobs),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_trace_rows_are_located_at_their_line() {
    let dir = temp_dir("traces-bad");
    let csv = dir.join("bad.csv");
    let shown = csv.display().to_string();
    let trace = r#"
[[traces]]
name = "bad"
file = "bad.csv"
rack = "quad"
"#;
    let cases: [(&str, &str, &str); 9] = [
        // Each at the first character of the field at fault: `chips` at
        // column 4, `ideal_duration` at 6; a row unreadable as a whole at 1.
        (
            "0s,4,1h\n1h,x,1h\n",
            ":3:4:",
            "`chips` must be a whole number",
        ),
        (
            "0s,4,1h\n1h,6,1h\n",
            ":3:4:",
            "not a whole number of quad's scale-up domains",
        ),
        (
            "0s,4,1h\n1h,20,1h\n",
            ":3:4:",
            "more than any site ever holds",
        ),
        ("3,4,1h\n", ":2:1:", "has no unit"),
        ("9d,4,1h\n", ":2:1:", "past the end of the run"),
        ("0s,4,1h\n0s,4,0s\n", ":3:6:", "longer than 0"),
        ("0s,4,1h\n0s,4,1hr\n", ":3:6:", "unknown unit"),
        ("0s,4,1h\n0s,4\n", ":3:1:", "unreadable row"),
        ("0s,0,1h\n", ":2:4:", "at least 1"),
    ];
    for (rows, at, what) in cases {
        std::fs::write(
            csv.as_path(),
            format!("submit,chips,ideal_duration\n{rows}"),
        )
        .unwrap();
        let e = refused(&dir, trace);
        assert!(e.contains(&format!("{shown}{at}")), "{rows:?}: {e}");
        assert!(e.contains(what), "{rows:?}: {e}");
    }
    // flops beyond the TOML bound, a work given two ways, an unknown rack.
    let more: [(&str, &str, &str); 4] = [
        ("submit,chips,flops\n0s,4,1e40\n", ":2:6:", "at most 1e32"),
        (
            "submit,chips,flops,ideal_duration\n0s,4,1e20,1h\n",
            ":2:1:",
            "exactly one of them",
        ),
        (
            "submit,chips,ideal_duration,rack\n0s,4,1h,quadd\n",
            ":2:9:",
            "did you mean",
        ),
        ("submit,chipz,ideal_duration\n0s,4,1h\n", ":1:8:", "chipz"),
    ];
    for (body, at, what) in more {
        std::fs::write(csv.as_path(), body).unwrap();
        let e = refused(&dir, trace);
        assert!(e.contains(&format!("{shown}{at}")), "{body:?}: {e}");
        assert!(e.contains(what), "{body:?}: {e}");
    }
    // A bad field in a later column is placed at its first character as
    // the CSV reads it: after a quoted field holding a comma, on the next
    // line of a field that spans two, past the blanks the reader trims,
    // with a character of two bytes counting one column.
    let later: [(&str, &str); 4] = [
        ("\"a, b\",0s,4,soon\n", ":2:13:"),
        ("\"x\ny\",0s,4,soon\n", ":3:9:"),
        ("a,  0s ,\t4,  soon\n", ":2:14:"),
        ("é,0s,4,soon\n", ":2:8:"),
    ];
    for (row, at) in later {
        std::fs::write(
            csv.as_path(),
            format!("name,submit,chips,ideal_duration\n{row}"),
        )
        .unwrap();
        let e = refused(&dir, trace);
        assert!(
            e.contains(&format!("{shown}{at} traces[0].file: `ideal_duration`")),
            "{row:?}: {e}"
        );
    }
    // Two rows of one name, or a name a [[jobs]] entry has.
    std::fs::write(
        csv.as_path(),
        "submit,chips,ideal_duration,name\n0s,4,1h,Pre\n",
    )
    .unwrap();
    let e = refused(
        &dir,
        &format!(
            "{trace}[[jobs]]\nname = \"pre\"\nrack = \"quad\"\nchips = 4\nideal_duration = \"1h\"\n"
        ),
    );
    assert!(
        e.contains(&format!("{shown}:2:9:")) && e.contains("already named"),
        "{e}"
    );
    std::fs::write(
        csv.as_path(),
        "submit,chips,ideal_duration,name\n0s,4,1h,a\n0s,4,1h,A\n",
    )
    .unwrap();
    let e = refused(&dir, trace);
    assert!(
        e.contains(&format!("{shown}:3:9:")) && e.contains("already named"),
        "{e}"
    );

    // Alibaba: a malformed number names its line.
    let ali = dir.join("ali.csv");
    let shown = ali.display().to_string();
    std::fs::write(
        ali.as_path(),
        "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
         p0,1,1,1,1000,,LS,Running,0,100,0\n\
         p1,1,1,one,1000,,LS,Running,0,100,0\n\
         p2,1,1,1,1000,,LS,Running,-5,100,0\n",
    )
    .unwrap();
    let e = refused(
        &dir,
        "[[traces]]\nname = \"a\"\nfile = \"ali.csv\"\nformat = \"alibaba\"\nrack = \"gpu8\"\n",
    );
    assert!(
        e.contains(&format!("{shown}:3:8:")) && e.contains("`num_gpu`"),
        "{e}"
    );
    assert!(
        e.contains(&format!("{shown}:4:27:")) && e.contains("`creation_time`"),
        "{e}"
    );
    assert!(!e.contains(":2:1:"), "{e}");
    // An Alibaba replay names its rack model; an unknown format is refused.
    let e = refused(
        &dir,
        "[[traces]]\nname = \"a\"\nfile = \"ali.csv\"\nformat = \"alibab\"\n",
    );
    assert!(e.contains("did you mean \"alibaba\""), "{e}");
    let e = refused(
        &dir,
        "[[traces]]\nname = \"a\"\nfile = \"ali.csv\"\nformat = \"alibaba\"\n",
    );
    assert!(e.contains("traces[0].rack"), "{e}");
}

#[test]
fn young_daly_is_computed_per_row_as_for_a_listed_job() {
    // With a GPU rate, each trace row gets the interval a [[jobs]] entry of
    // its size gets.
    let text = scenario(
        "4d",
        &(FIXTURE_TRACE.edit("priority = 3", "checkpoint_every = \"young-daly\"")
            + r#"
[[jobs]]
name = "four"
rack = "quad"
chips = 4
ideal_duration = "1h"
checkpoint_every = "young-daly"

[[jobs]]
name = "eight"
rack = "quad"
chips = 8
ideal_duration = "1h"
checkpoint_every = "young-daly"
"#),
    )
    .edit(
        "gpu = { rate_per_million_hours = 0 }",
        "gpu = { rate_per_million_hours = 5000 }",
    );
    let s = load_in(&fixtures_dir(), &text).expect("loads");
    let every = |name: &str| {
        s.training
            .jobs
            .iter()
            .find(|j| j.name == name)
            .unwrap()
            .checkpoint_every
    };
    assert_eq!(every("fx-2"), every("four"));
    assert_eq!(every("big"), every("eight"));
    assert_ne!(every("four"), every("eight"));
}

/// `scenarios/alibaba-replay.toml` with `sets` applied.
fn replay_example(sets: &[String]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/alibaba-replay.toml");
    let overrides = Overrides {
        sets: sets.to_vec(),
        seed: None,
    };
    dcsim::scenario::load_file(&path, &overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// The replay example's servers against the node list in `dir`, recounted
/// per (GPU model, GPUs per server).
fn builds_the_node_list_server_for_server(dir: &Path) {
    let s = replay_example(&[]);
    let path = dir.join("openb_node_list_gpu_node.csv");
    let mut reader =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut servers: std::collections::BTreeMap<(String, u32), u32> = Default::default();
    for r in reader.deserialize::<std::collections::HashMap<String, String>>() {
        let r = r.unwrap();
        let gpus: u32 = r["gpu"].parse().unwrap();
        *servers
            .entry((r["model"].to_lowercase(), gpus))
            .or_default() += 1;
    }
    // The scenario: racks per (chip, chips per rack), one rack per server.
    let mut racks: std::collections::BTreeMap<(String, u32), u32> = Default::default();
    assert_eq!(s.world.sites.len(), 1);
    for phase in &s.world.sites[0].phases {
        let rt = &s.world.rack_types[phase.rack_type];
        // A task holds exactly num_gpu GPUs: domains of one GPU.
        assert_eq!(rt.rack.scaleup_domain, 1, "{}", rt.rack.name);
        *racks
            .entry((rt.rack.chip.clone(), rt.rack.chips))
            .or_default() += phase.count;
    }
    assert_eq!(racks, servers);
    // The figures of data/README.md: 1,213 servers, 6,212 GPUs, 12 kinds.
    assert_eq!(servers.values().sum::<u32>(), 1_213);
    let gpus: u32 = servers.iter().map(|((_, g), n)| g * n).sum();
    assert_eq!(gpus, 6_212);
    assert_eq!(servers.len(), 12);
}

#[test]
fn the_replay_example_builds_the_sample_s_node_list_server_for_server() {
    builds_the_node_list_server_for_server(&alibaba_dir());
}

#[test]
#[ignore = "needs the Alibaba GPU v2023 trace: set DCSIM_ALIBABA_DIR=<folder of openb_node_list_gpu_node.csv>"]
fn the_replay_example_builds_the_real_node_list_server_for_server() {
    builds_the_node_list_server_for_server(&real_alibaba_dir());
}

#[test]
fn the_replay_example_puts_each_sample_row_on_the_servers_its_gpu_spec_names() {
    let s = replay_example(&[]);
    let admitted = alibaba_admitted(&alibaba_dir(), 150.0 * 86_400.0);
    assert_eq!(s.training.jobs.len(), admitted.len());
    let specs: std::collections::HashMap<String, String> = alibaba_rows(&alibaba_dir())
        .into_iter()
        .map(|r| (r["name"].clone(), r["gpu_spec"].clone()))
        .collect();
    for (job, (name, _, gpus, _)) in s.training.jobs.iter().zip(&admitted) {
        assert_eq!(job.name, format!("ali-{name}"));
        assert_eq!(job.chips, *gpus);
        // [traces.racks] of the example: the first listed model whose
        // largest servers hold the task; an empty spec goes to `rack`.
        let expected = match specs[name].as_str() {
            "" => "g2-x8",
            "V100M32" => "v100m32-x8",
            "V100M16|V100M32" => "v100m16-x8",
            "T4" | "T4|G2" => "t4-x4",
            other => panic!("the sample has no spec {other}"),
        };
        assert_eq!(
            s.world.rack_types[job.rack_type].rack.name, expected,
            "{name}"
        );
    }
    let (rec, _) = run(&s);
    assert_eq!(rec.jobs.len(), admitted.len());
}

#[test]
#[ignore = "needs the Alibaba GPU v2023 trace: set DCSIM_ALIBABA_DIR=<folder of openb_pod_list_default.csv>"]
fn the_replay_example_puts_every_real_admitted_row_on_the_g2_servers_without_a_wait() {
    let dir = real_alibaba_dir();
    let file = dir.join("openb_pod_list_default.csv");
    let s = replay_example(&[format!("traces[0].file={:?}", file.display().to_string())]);
    // Rows the rules admit, recounted from the CSV; none of this task list
    // names a GPU model, so every one goes to the trace's `rack`.
    let admitted = alibaba_admitted(&dir, 150.0 * 86_400.0);
    assert_eq!(s.training.jobs.len(), admitted.len());
    assert_eq!(s.training.jobs.len(), REAL_ALIBABA.1);
    let specs = alibaba_rows(&dir)
        .iter()
        .filter(|r| !r["gpu_spec"].is_empty())
        .count();
    assert_eq!(specs, 0, "a row of the default task list names a GPU model");
    for (job, (name, _, gpus, _)) in s.training.jobs.iter().zip(&admitted) {
        assert_eq!(job.name, format!("ali-{name}"));
        assert_eq!(s.world.rack_types[job.rack_type].rack.name, "g2-x8");
        assert_eq!(job.chips, *gpus);
    }

    // The whole-GPU tasks, each started at its creation and run for its
    // measured time, never hold more than 57 GPUs at once: far below the
    // 4,392 G2 GPUs, so no task ever waits.
    let mut edges: Vec<(f64, i64)> = admitted
        .iter()
        .flat_map(|(_, c, g, d)| [(*c, i64::from(*g)), (c + d, -i64::from(*g))])
        .collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let peak = edges
        .iter()
        .scan(0i64, |held, (_, g)| {
            *held += g;
            Some(*held)
        })
        .max()
        .unwrap();
    assert_eq!(peak, 57);
    let (rec, sum) = run(&s);
    assert_eq!(rec.jobs.len(), REAL_ALIBABA.1);
    assert!(rec.jobs.iter().all(|j| j.queue_wait_h == 0.0));
    assert_eq!(sum.training.unwrap().queue_wait_mean_h, 0.0);
}

/// A one-GPU rack model "solo" added to the base, for the gpu_spec tests.
const SOLO: &str = r#"
[[racks]]
name = "solo"
chip = "unit"
chips = 1
nodes = 1
scaleup_domain = 1
overhead_kw = 0.1
scaleout_gbit_per_s = 100

[[sites.buildout]]
rack = "solo"
count = 2
date = "2026-01-01"
"#;

const ALIBABA_HEADER: &str = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";

/// An Alibaba trace over `ali.csv` with `racks` as its [traces.racks] body
/// (none if empty) and `rack` as its default.
fn mapped_trace(rack: &str, racks: &str) -> String {
    let table = if racks.is_empty() {
        String::new()
    } else {
        format!("[traces.racks]\n{racks}")
    };
    format!(
        "{SOLO}\n[[traces]]\nname = \"m\"\nfile = \"ali.csv\"\nformat = \"alibaba\"\nrack = \"{rack}\"\n{table}"
    )
}

const MAPPING: &str = "T4 = \"solo\"\nV100M32 = \"gpu8\"\nG2 = \"quad\"\n";

#[test]
fn gpu_spec_picks_the_first_mapped_model_whose_servers_hold_the_task() {
    let dir = temp_dir("traces-gpu-spec");
    std::fs::write(
        dir.join("ali.csv"),
        format!(
            "{ALIBABA_HEADER}\
             p0,1,1,1,1000,,LS,Running,0,3600,0\n\
             p1,1,1,1,1000,T4,LS,Running,0,3600,0\n\
             p2,1,1,1,1000,V100M16|V100M32,LS,Running,0,3600,0\n\
             p3,1,1,4,1000,T4|G2,LS,Running,0,3600,0\n\
             p4,1,1,1,500,Z9,BE,Running,0,3600,0\n"
        ),
    )
    .unwrap();
    let s = load_in(&dir, &scenario("4d", &mapped_trace("gpu8", MAPPING))).expect("loads");
    let placed: Vec<(&str, u32)> = s
        .training
        .jobs
        .iter()
        .map(|j| (s.world.rack_types[j.rack_type].rack.name.as_str(), j.chips))
        .collect();
    // Empty spec: the trace's rack. T4: solo. V100M16 is not mapped, so
    // V100M32's gpu8. A 4-GPU task does not fit T4's one-GPU servers: G2's
    // quad, 4 chips = one domain. The GPU-sharing row is skipped before its
    // (unmapped) spec is read.
    assert_eq!(placed, [("gpu8", 1), ("solo", 1), ("gpu8", 1), ("quad", 4)]);
    assert_eq!(s.training.traces[0].skipped_gpu_sharing, 1);
    let (rec, _) = run(&s);
    assert!(
        rec.jobs
            .iter()
            .all(|r| r.status == dcsim::record::JobStatus::Completed),
        "{:?}",
        rec.jobs
    );
}

#[test]
fn gpu_spec_mapping_mistakes_are_located_with_the_fix() {
    let dir = temp_dir("traces-gpu-spec-bad");
    let ali = dir.join("ali.csv");
    let shown = ali.display().to_string();
    let write = |rows: &str| std::fs::write(&ali, format!("{ALIBABA_HEADER}{rows}")).unwrap();
    let refused_with = |rack: &str, racks: &str| refused(&dir, &mapped_trace(rack, racks));

    // A model the table does not map, at the row's line.
    write("p0,1,1,1,1000,,LS,Running,0,3600,0\np1,1,1,1,1000,Z9|Y8,LS,Running,0,3600,0\n");
    let e = refused_with("gpu8", MAPPING);
    assert!(e.contains(&format!("{shown}:3:15:")), "{e}");
    assert!(
        e.contains("names no GPU model that [traces.racks] maps (it maps G2, T4, V100M32)")
            && e.contains("Z9 = \"<rack model>\""),
        "{e}"
    );
    // No table at all.
    let e = refused_with("gpu8", "");
    assert!(
        e.contains(&format!("{shown}:3:15:")) && e.contains("add a table [traces.racks]"),
        "{e}"
    );
    // A task larger than a server of every model it may use.
    write("p0,1,1,2,1000,T4,LS,Running,0,3600,0\n");
    let e = refused_with("gpu8", MAPPING);
    assert!(
        e.contains(&format!("{shown}:2:8:"))
            && e.contains("T4 → solo: 1 chips")
            && e.contains("at least 2 chips"),
        "{e}"
    );
    // ... or than a server of the trace's rack, for a row with no spec.
    write("p0,1,1,2,1000,,LS,Running,0,3600,0\n");
    let e = refused_with("solo", MAPPING);
    assert!(
        e.contains(&format!("{shown}:2:8:")) && e.contains("give the trace's `rack`"),
        "{e}"
    );

    // A rack model that does not exist, located at its value in the
    // scenario file, with did-you-mean; one the catalog has but no site
    // builds.
    write("p0,1,1,1,1000,,LS,Running,0,3600,0\n");
    let text = scenario(
        "4d",
        &mapped_trace("gpu8", "T4 = \"gpu9\"\nH100 = \"hgx-h100\"\n"),
    );
    let e = match load_in(&dir, &text) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    let line = text.lines().position(|l| l == "T4 = \"gpu9\"").unwrap() + 1;
    assert!(
        e.contains(&format!("traces.toml:{line}:6: traces[0].racks.T4:"))
            && e.contains("did you mean \"gpu8\""),
        "{e}"
    );
    assert!(
        e.contains("traces[0].racks.H100") && e.contains("no site builds the rack model"),
        "{e}"
    );
    // `racks` belongs to the Alibaba format only.
    std::fs::write(dir.join("t.csv"), "submit,chips,ideal_duration\n0s,4,1h\n").unwrap();
    let e = refused(
        &dir,
        "[[traces]]\nname = \"t\"\nfile = \"t.csv\"\nrack = \"quad\"\n[traces.racks]\nT4 = \"quad\"\n",
    );
    assert!(
        e.contains("traces[0].racks") && e.contains("set format = \"alibaba\""),
        "{e}"
    );
}
