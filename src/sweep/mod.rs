//! Sweeps: one scenario expanded into many runs — the cartesian product of
//! `--vary PATH=V1,V2,…` values, each combination replicated with its own
//! seed — run in parallel, each run written as its own folder, and their
//! summaries gathered into one table with means and confidence intervals.
//!
//! The expansion is pure ([`expand`]): runs are numbered in the order
//! of the `--vary` arguments, the last varying fastest, then by
//! replication (fastest of all); run `k` is `r` + `k` in at least four
//! digits (`r0000`, `r0001`, …). Replication `r` of every combination runs
//! with the same seed ([`replication_seed`]), so combinations are compared
//! on the same luck.
//!
//! A sweep has an identity ([`Plan::identity`]): a hash of the scenario
//! text and the texts of its bases, the `--set` and `--seed` arguments, the
//! `--vary` arguments and the replication count. Each run folder records it
//! with the run's parameters in `run.json`, so a rerun of the same command
//! skips the runs already complete ([`execute`]), and shards of one sweep
//! can be told from shards of another ([`shard`]).
//!
//! This module owns the plan, running it and merging shards; the sweep's
//! files are written by [`files`], the runs by
//! [`crate::runner`].

pub mod execute;
pub mod files;
pub mod runs;
pub mod shard;
pub mod stats;

use serde::{Deserialize, Serialize};

use std::io::Write;

use crate::output::charts::ChartError;
use crate::output::set::{OutputError, OutputSet};
use crate::scenario::tree::FieldPath;
use crate::scenario::{Issue, Location, Overrides, Scenario, ScenarioError, ScenarioText};

/// Why a sweep, a merge or a comparison could not be done.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario is wrong under some combination of values (every
    /// problem, located; exit 2).
    #[error("{0}")]
    Scenario(ScenarioError),
    /// Arguments or input folders are wrong (exit 2); the message says how.
    #[error("{0}")]
    BadInput(String),
    /// Output could not be written (exit 1).
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Something failed that is not the user's fault (exit 1).
    #[error("{0}")]
    Internal(String),
}

/// Writes `bytes` as the file `name` of the set.
pub(crate) fn put(set: &mut OutputSet, name: &'static str, bytes: &[u8]) -> Result<(), SweepError> {
    let mut file = set.create_file(name)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| SweepError::Output(set.write_error(name, e)))
}

/// Writing CSV into memory failed (it cannot, short of memory).
pub(crate) fn csv_bug(e: csv::Error) -> SweepError {
    SweepError::Internal(format!("writing CSV into memory failed: {e}"))
}

/// A chart could not be drawn (a bug) or written.
pub(crate) fn chart_error(e: ChartError) -> SweepError {
    match e {
        ChartError::Output(o) => SweepError::Output(o),
        e @ ChartError::Draw { .. } => SweepError::Internal(e.to_string()),
    }
}

/// One `--vary PATH=V1,V2,…` argument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vary {
    /// The field path, as for `--set`.
    pub path: String,
    /// The values, in the order given, each as `--set` would read it.
    pub values: Vec<String>,
}

impl Vary {
    /// Parses `PATH=V1,V2,…`. Values are split at commas outside brackets,
    /// braces and quotes, so `x=[1,2],[3,4]` has two values. A refusal is
    /// one line, the argument's control characters escaped.
    pub fn parse(argument: &str) -> Result<Vary, String> {
        Self::parse_unescaped(argument).map_err(|e| crate::scenario::diag::one_line(&e))
    }

    fn parse_unescaped(argument: &str) -> Result<Vary, String> {
        let Some((path, list)) = argument.split_once('=') else {
            return Err(format!(
                "--vary {argument}: no `=`; write PATH=V1,V2,…, e.g. --vary sites[0].grid_mw=300,450"
            ));
        };
        let path = path.trim();
        FieldPath::parse(path).map_err(|e| format!("--vary {argument}: {e}"))?;
        if path == "seed" {
            return Err(format!(
                "--vary {argument}: the seed is set per replication; use --replications N (and --seed for the first)"
            ));
        }
        let values = split_values(list).map_err(|e| format!("--vary {argument}: {e}"))?;
        for (i, v) in values.iter().enumerate() {
            if values[..i].contains(v) {
                return Err(format!(
                    "--vary {argument}: the value {v} is given twice; give each value once"
                ));
            }
        }
        Ok(Vary {
            path: path.to_string(),
            values,
        })
    }

    /// The argument as it would be written: `PATH=V1,V2`.
    pub fn argument(&self) -> String {
        format!("{}={}", self.path, self.values.join(","))
    }
}

/// Splits a list of values at top-level commas.
fn split_values(list: &str) -> Result<Vec<String>, String> {
    let mut values = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for c in list.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                current.push(c);
            }
            None => match c {
                '"' | '\'' => {
                    quote = Some(c);
                    current.push(c);
                }
                '[' | '{' => {
                    depth += 1;
                    current.push(c);
                }
                ']' | '}' => {
                    depth -= 1;
                    current.push(c);
                }
                ',' if depth == 0 => values.push(std::mem::take(&mut current)),
                _ => current.push(c),
            },
        }
    }
    if quote.is_some() || depth != 0 {
        return Err("a quote or bracket is not closed".into());
    }
    values.push(current);
    let values: Vec<String> = values.into_iter().map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        return Err("an empty value; give values between commas, e.g. 300,450".into());
    }
    Ok(values)
}

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRun {
    /// Its id: `r` and its index in at least four digits.
    pub id: String,
    /// The index of its combination of values (runs of one combination
    /// differ only by seed).
    pub combination: usize,
    /// Its replication, from 0.
    pub replication: u32,
    /// The seed it runs with.
    pub seed: u64,
    /// `(path, value)` of each `--vary`, in the order given.
    pub params: Vec<(String, String)>,
}

impl PlannedRun {
    /// The `--set` assignments of its values.
    pub fn assignments(&self) -> Vec<String> {
        self.params
            .iter()
            .map(|(p, v)| format!("{p}={v}"))
            .collect()
    }
}

/// The seed of replication `r` of a sweep whose first replication runs
/// with `base`: `base` itself for `r = 0`, else
/// `splitmix64(base + r · 0x9E3779B97F4A7C15)` (wrapping arithmetic; the
/// SplitMix64 output function: `z ^= z >> 30; z *= 0xBF58476D1CE4E5B9;
/// z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31`).
pub fn replication_seed(base: u64, r: u32) -> u64 {
    if r == 0 {
        return base;
    }
    let mut z = base.wrapping_add(u64::from(r).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The id of run `index` of a sweep of `total` runs: `r0007`, or more
/// digits when the sweep has more than 10,000 runs.
pub fn run_id(index: usize, total: usize) -> String {
    let digits = total.saturating_sub(1).to_string().len().max(4);
    format!("r{index:0digits$}")
}

/// Whether `id` is a run id as [`run_id`] writes them: `r` and 4 to 20
/// digits. Ids read from a file (a shard's manifest) are checked with it
/// before they name a folder.
pub fn is_run_id(id: &str) -> bool {
    id.strip_prefix('r')
        .is_some_and(|d| (4..=20).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Most runs in one sweep: 100,000 (a run folder of a month of ten racks
/// takes about 0.3 MB, so a sweep of this many takes some 30 GB of disk;
/// larger sweeps are split into several).
pub const MAX_RUNS: usize = 100_000;

/// The number of runs of `varies` × `replications`, or `None` if it
/// exceeds [`MAX_RUNS`] (computed without overflow).
pub fn run_count(varies: &[Vary], replications: u32) -> Option<usize> {
    varies
        .iter()
        .try_fold(replications as usize, |n, v| n.checked_mul(v.values.len()))
        .filter(|&n| n <= MAX_RUNS)
}

/// Every run of the sweep, in id order: combinations in the order of the
/// `--vary` arguments with the last varying fastest, then replications.
pub fn expand(varies: &[Vary], replications: u32, base_seed: u64) -> Vec<PlannedRun> {
    let combinations: usize = varies.iter().map(|v| v.values.len()).product();
    let total = combinations * replications as usize;
    let mut runs = Vec::with_capacity(total);
    for combination in 0..combinations {
        // Mixed-radix digits of the combination, the last vary fastest.
        let mut rest = combination;
        let mut picks = vec![0; varies.len()];
        for (i, v) in varies.iter().enumerate().rev() {
            picks[i] = rest % v.values.len();
            rest /= v.values.len();
        }
        let params: Vec<(String, String)> = varies
            .iter()
            .zip(&picks)
            .map(|(v, &p)| (v.path.clone(), v.values[p].clone()))
            .collect();
        for replication in 0..replications {
            runs.push(PlannedRun {
                id: run_id(runs.len(), total),
                combination,
                replication,
                seed: replication_seed(base_seed, replication),
                params: params.clone(),
            });
        }
    }
    runs
}

/// Combinations validated at once (each validated scenario is held in
/// memory until its chunk is done).
const VALIDATE_CHUNK: usize = 64;

/// Most distinct problems reported for a sweep's combinations.
const MAX_ISSUES: usize = 100;

/// Validates scenarios: each set of overrides to its outcome, in order.
pub type Check<'a> = &'a dyn Fn(&[Overrides]) -> Vec<Result<Scenario, ScenarioError>>;

/// What a sweep is: the scenario, the command line's changes to it, the
/// values varied and the replications.
#[derive(Clone, Debug)]
pub struct Definition {
    /// The scenario's text.
    pub scenario: ScenarioText,
    /// `--set` assignments applied to every run, before the varied values.
    pub sets: Vec<String>,
    /// `--seed`: the seed of replication 0 (else the file's).
    pub seed: Option<u64>,
    /// The `--vary` arguments.
    pub varies: Vec<Vary>,
    /// Runs per combination of values.
    pub replications: u32,
}

/// A sweep's runs and identity, as recorded in `sweep.json` and in each
/// shard's manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`PLAN_FORMAT`].
    pub format: String,
    /// 32 hex digits identifying the sweep (see the module docs).
    pub identity: String,
    /// The scenario's name (as validated with the first combination).
    pub scenario: String,
    /// The `--set` arguments.
    pub sets: Vec<String>,
    /// The seed of replication 0.
    pub base_seed: u64,
    /// The `--vary` arguments.
    pub varies: Vec<Vary>,
    /// Runs per combination.
    pub replications: u32,
    /// Every run, in id order.
    pub runs: Vec<PlannedRun>,
}

/// The `format` of a [`Plan`].
pub const PLAN_FORMAT: &str = "dcsim-sweep-1";

/// What a run folder of a sweep records about itself (`run.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Always [`RUN_FORMAT`].
    pub format: String,
    /// The sweep's identity.
    pub sweep: String,
    /// The run.
    #[serde(flatten)]
    pub run: PlannedRun,
}

/// The `format` of a [`RunRecord`].
pub const RUN_FORMAT: &str = "dcsim-sweep-run-1";

impl Plan {
    /// The number of combinations of values.
    pub fn combinations(&self) -> usize {
        self.varies.iter().map(|v| v.values.len()).product()
    }

    /// The bytes of `run.json` for `run`: what a complete run folder of
    /// this sweep holds.
    pub fn run_record(&self, run: &PlannedRun) -> Vec<u8> {
        let record = RunRecord {
            format: RUN_FORMAT.to_string(),
            sweep: self.identity.clone(),
            run: run.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&record).expect("a run record serializes");
        bytes.push(b'\n');
        bytes
    }

    /// The plan as `sweep.json` holds it.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a plan serializes");
        bytes.push(b'\n');
        bytes
    }

    /// The overrides of one run: the `--set` arguments, its values, its seed.
    pub fn overrides(&self, run: &PlannedRun) -> Overrides {
        let mut sets = self.sets.clone();
        sets.extend(run.assignments());
        Overrides {
            sets,
            seed: Some(run.seed),
        }
    }
}

impl Definition {
    /// Checks every combination of values (each validated as a scenario,
    /// with the base seed) and returns the plan; every problem is reported
    /// at once, a problem of a varied value at its `--vary` argument.
    /// `check` validates the combinations (in parallel, by the caller's
    /// choice): it maps each combination's overrides to its outcome.
    pub fn plan(&self, check: Check) -> Result<Plan, SweepError> {
        if self.replications == 0 {
            return Err(SweepError::BadInput(
                "--replications must be at least 1".into(),
            ));
        }
        if run_count(&self.varies, self.replications).is_none() {
            let combinations = self
                .varies
                .iter()
                .fold(1f64, |n, v| n * v.values.len() as f64);
            return Err(SweepError::BadInput(format!(
                "--replications {} with {} combination(s) of --vary values asks for {:.3e} runs; a sweep holds at most {MAX_RUNS} runs (split it into several sweeps)",
                self.replications,
                combinations,
                combinations * f64::from(self.replications)
            )));
        }
        for (i, v) in self.varies.iter().enumerate() {
            if self.varies[..i].iter().any(|w| w.path == v.path) {
                return Err(SweepError::BadInput(crate::scenario::diag::one_line(
                    &format!(
                        "--vary {}: {} is varied twice; give all its values in one --vary",
                        v.argument(),
                        v.path
                    ),
                )));
            }
        }
        // Combinations with the base seed (0 until known: the seed does not
        // decide whether a scenario is valid).
        let combos: Vec<PlannedRun> = expand(&self.varies, 1, 0);
        let overrides: Vec<Overrides> = combos
            .iter()
            .map(|c| {
                let mut sets = self.sets.clone();
                sets.extend(c.assignments());
                Overrides {
                    sets,
                    seed: self.seed,
                }
            })
            .collect();
        // In chunks: at most VALIDATE_CHUNK scenarios are held at once,
        // whatever the number of combinations.
        let mut issues: Vec<Issue> = Vec::new();
        let mut first = None;
        for (combos, overrides) in combos
            .chunks(VALIDATE_CHUNK)
            .zip(overrides.chunks(VALIDATE_CHUNK))
        {
            for (combo, outcome) in combos.iter().zip(check(overrides)) {
                match outcome {
                    Ok(scenario) => {
                        if first.is_none() {
                            first = Some(scenario);
                        }
                    }
                    Err(e) => {
                        for issue in e.issues {
                            let issue = self.relocate(combo, issue);
                            if !issues.contains(&issue) && issues.len() < MAX_ISSUES {
                                issues.push(issue);
                            }
                        }
                    }
                }
            }
        }
        if !issues.is_empty() {
            return Err(SweepError::Scenario(ScenarioError { issues }));
        }
        let first = first.expect("a sweep has at least one combination");
        let base_seed = first.run.seed;
        let texts = self.scenario.chain_texts().map_err(SweepError::Scenario)?;
        Ok(Plan {
            format: PLAN_FORMAT.to_string(),
            identity: self.identity(&texts),
            scenario: first.run.name.clone(),
            sets: self.sets.clone(),
            base_seed,
            varies: self.varies.clone(),
            replications: self.replications,
            runs: expand(&self.varies, self.replications, base_seed),
        })
    }

    /// An issue of one combination, placed at the `--vary` argument whose
    /// value it is about, or told which values it arose with.
    fn relocate(&self, combo: &PlannedRun, issue: Issue) -> Issue {
        if let Location::SetArgument { argument } = &issue.location {
            for ((path, value), vary) in combo.params.iter().zip(&self.varies) {
                if *argument == format!("{path}={value}") {
                    return Issue {
                        location: Location::VaryArgument {
                            argument: vary.argument(),
                            value: value.clone(),
                        },
                        ..issue
                    };
                }
            }
        }
        if combo.params.is_empty() {
            return issue;
        }
        Issue {
            message: format!(
                "{} (with --vary values {})",
                issue.message,
                combo.assignments().join(" ")
            ),
            ..issue
        }
    }

    /// The sweep's identity: FNV-1a (128 bits) of the scenario's texts, the
    /// `--set`, `--seed` and `--vary` arguments and the replications, each
    /// length-prefixed.
    fn identity(&self, texts: &[String]) -> String {
        let mut h = Fnv128::new();
        h.field(b"dcsim sweep 1");
        for t in texts {
            h.field(t.as_bytes());
        }
        h.field(b"sets");
        for s in &self.sets {
            h.field(s.as_bytes());
        }
        h.field(
            match self.seed {
                Some(s) => s.to_string().into_bytes(),
                None => b"file seed".to_vec(),
            }
            .as_slice(),
        );
        h.field(b"varies");
        for v in &self.varies {
            h.field(v.path.as_bytes());
            for value in &v.values {
                h.field(value.as_bytes());
            }
            h.field(b"end of values");
        }
        h.field(self.replications.to_string().as_bytes());
        format!("{:032x}", h.0)
    }
}

/// FNV-1a, 128 bits (offset basis 0x6c62272e07bb014262b821756295c58d,
/// prime 2^88 + 2^8 + 0x3b).
pub(crate) struct Fnv128(pub(crate) u128);

impl Fnv128 {
    pub(crate) fn new() -> Self {
        Fnv128(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        const PRIME: u128 = (1 << 88) + (1 << 8) + 0x3b;
        for &b in bytes {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }

    /// A field: its length (8 bytes, little-endian), then its bytes.
    pub(crate) fn field(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_at_top_level_commas() {
        let v = Vary::parse("sites[0].grid_mw = 300, 450").unwrap();
        assert_eq!(v.path, "sites[0].grid_mw");
        assert_eq!(v.values, ["300", "450"]);
        let v = Vary::parse("x=[1,2],[3,4],\"a,b\",{ k = 1, j = 2 }").unwrap();
        assert_eq!(v.values, ["[1,2]", "[3,4]", "\"a,b\"", "{ k = 1, j = 2 }"]);
        for bad in ["x", "x=", "x=1,,2", "x=[1,2", "x=1,1", "seed=1,2", "a..b=1"] {
            assert!(Vary::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn seeds_of_replications() {
        assert_eq!(replication_seed(7, 0), 7);
        let seeds: Vec<u64> = (0..100).map(|r| replication_seed(7, r)).collect();
        let mut unique = seeds.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 100);
        // Written out: splitmix64(1 + 0x9E3779B97F4A7C15).
        assert_eq!(replication_seed(1, 1), 0x910a_2dec_8902_5cc1);
    }

    #[test]
    fn the_expansion_covers_every_combination_once() {
        let varies = [
            Vary::parse("a=1,2,3").unwrap(),
            Vary::parse("b=x,y").unwrap(),
            Vary::parse("c=[1],[2],[3],[4]").unwrap(),
        ];
        let runs = expand(&varies, 3, 42);
        assert_eq!(runs.len(), 3 * 2 * 4 * 3);
        // Every (a, b, c, replication) exactly once.
        let mut seen = std::collections::BTreeSet::new();
        for r in &runs {
            let key = (r.params.clone(), r.replication);
            assert!(seen.insert(key), "{r:?} twice");
        }
        assert_eq!(seen.len(), runs.len());
        // Ids in order; the last vary fastest, then the replication.
        for (k, r) in runs.iter().enumerate() {
            assert_eq!(r.id, run_id(k, runs.len()));
            assert_eq!(r.combination, k / 3);
            assert_eq!(r.replication as usize, k % 3);
            assert_eq!(r.seed, replication_seed(42, r.replication));
        }
        let values = |k: usize| runs[k].assignments();
        assert_eq!(values(0), ["a=1", "b=x", "c=[1]"]);
        assert_eq!(values(3), ["a=1", "b=x", "c=[2]"]);
        assert_eq!(values(3 * 4), ["a=1", "b=y", "c=[1]"]);
        assert_eq!(values(3 * 4 * 2), ["a=2", "b=x", "c=[1]"]);
        assert_eq!(values(runs.len() - 1), ["a=3", "b=y", "c=[4]"]);
        // No vary: one combination of no values.
        let alone = expand(&[], 2, 5);
        assert_eq!(alone.len(), 2);
        assert!(alone.iter().all(|r| r.params.is_empty()));
    }

    #[test]
    fn ids_have_at_least_four_digits() {
        assert_eq!(run_id(7, 20), "r0007");
        assert_eq!(run_id(12_345, 20_000), "r12345");
        assert_eq!(run_id(0, 20_000), "r00000");
    }
}
