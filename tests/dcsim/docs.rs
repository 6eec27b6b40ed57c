//! The documentation runs (issue 16): every shell command of `README.md`,
//! `docs/` and `data/README.md` is executed against the built binary, in a
//! folder holding a copy of the repository's `scenarios/`, `data/` and
//! `scripts/` (as a clone's root does), so an example cannot drift from
//! the program; and no source, test, scenario or benchmark names a folder
//! beside the repository.
//!
//! The fences, by their info string:
//! - ```` ```sh ````: every command runs, in file order, all of one page in
//!   one folder (a later command may read what an earlier one wrote), and
//!   must exit 0. `dcsim` is the binary under test (on the PATH), and so
//!   are `cargo run --release --` (with or without `-q`) and
//!   `cargo run --profile dist --`. Two commands of the README's first
//!   block are not run, being this very suite and its binary:
//!   `cargo test --release` and `cargo install --path .`; any other
//!   `cargo` command fails the test.
//! - ```` ```text ```` right after a ```` ```sh ```` block: what its last
//!   command prints. Each line must appear in its stdout, in order; `…`
//!   in a line stands for any text (a timing, a path).
//! - ```` ```sh slurm ````: runs only in the ignored test
//!   `documented_slurm_commands_run` (it needs a Slurm cluster).
//! - ```` ```sh norun ````: not run; the page says why next to it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{TempDir, temp_dir};

/// How a fenced shell block is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Run,
    Slurm,
    NoRun,
}

/// A fenced shell block of a page.
#[derive(Debug)]
struct Block {
    kind: Kind,
    /// (line of the command's first line, the command with continuations joined).
    commands: Vec<(usize, String)>,
    /// The lines of a ```text block right after it.
    output: Option<Vec<String>>,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The pages whose commands are documented: README.md, data/README.md and
/// every `.md` under docs/, sorted.
fn pages() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let mut out = vec![root().join("README.md"), root().join("data/README.md")];
    walk(&root().join("docs"), &mut out);
    out.sort();
    out
}

/// The shell blocks of `page`, in order. Panics on a shell fence this test
/// does not know (`bash`, `console`, `sh foo`), so none escapes it.
fn blocks(page: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(page).unwrap();
    let shown = page.strip_prefix(root()).unwrap().display().to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Block> = Vec::new();
    let mut i = 0;
    // Index in `out` of a shell block that closed on the line before.
    let mut just_closed: Option<usize> = None;
    while i < lines.len() {
        let Some(info) = lines[i].strip_prefix("```") else {
            if !lines[i].trim().is_empty() {
                just_closed = None;
            }
            i += 1;
            continue;
        };
        let info = info.trim();
        let start = i;
        i += 1;
        let mut body = Vec::new();
        while i < lines.len() && !lines[i].starts_with("```") {
            body.push((i + 1, lines[i]));
            i += 1;
        }
        assert!(
            i < lines.len(),
            "{shown}:{}: a fence never closed",
            start + 1
        );
        i += 1;
        let kind = match info {
            "sh" => Some(Kind::Run),
            "sh slurm" => Some(Kind::Slurm),
            "sh norun" => Some(Kind::NoRun),
            "text" => {
                if let Some(b) = just_closed {
                    out[b].output = Some(body.iter().map(|(_, l)| l.to_string()).collect());
                }
                None
            }
            other => {
                let word = other.split_whitespace().next().unwrap_or("");
                assert!(
                    !matches!(word, "sh" | "bash" | "shell" | "console" | "zsh"),
                    "{shown}:{}: fence \"```{other}\": write ```sh (run by the tests), ```sh slurm or ```sh norun (with the reason beside it)",
                    start + 1
                );
                None
            }
        };
        just_closed = None;
        if let Some(kind) = kind {
            let mut commands: Vec<(usize, String)> = Vec::new();
            let mut pending: Option<(usize, String)> = None;
            for (n, line) in body {
                let (first, mut cmd) = pending.take().unwrap_or((n, String::new()));
                if cmd.is_empty() && (line.trim().is_empty() || line.trim_start().starts_with('#'))
                {
                    continue;
                }
                match line.strip_suffix('\\') {
                    Some(part) => {
                        cmd.push_str(part);
                        pending = Some((first, cmd));
                    }
                    None => {
                        cmd.push_str(line);
                        commands.push((first, cmd));
                    }
                }
            }
            assert!(pending.is_none(), "{shown}: a command ends with \\");
            out.push(Block {
                kind,
                commands,
                output: None,
            });
            just_closed = Some(out.len() - 1);
        }
    }
    out
}

/// Copies the folder `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A folder laid out as a clone's root: copies of scenarios/, data/ and
/// scripts/, and bin/dcsim, a link to the binary under test.
fn workspace(tag: &str) -> TempDir {
    let dir = temp_dir(tag);
    for sub in ["scenarios", "data", "scripts"] {
        copy_tree(&root().join(sub), &dir.join(sub));
    }
    std::fs::create_dir(dir.join("bin")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_dcsim"), dir.join("bin/dcsim")).unwrap();
    dir
}

/// `command` as the shell runs it: the documented ways to call dcsim
/// become `dcsim`. `None` for the two commands that are this suite itself
/// (`cargo test --release`) or install its binary (`cargo install --path .`).
fn as_run(command: &str, at: &str) -> Option<String> {
    let c = command.trim();
    let bare = c.split(" #").next().unwrap().trim();
    if bare == "cargo test --release" || bare == "cargo install --path ." {
        return None;
    }
    let mut c = c.to_string();
    for prefix in [
        "cargo run --release -q --",
        "cargo run --release --",
        "cargo run --profile dist --",
    ] {
        c = c.replace(prefix, "dcsim");
    }
    assert!(
        !c.split([';', '&', '|', '('])
            .any(|part| part.trim_start().starts_with("cargo ")),
        "{at}: `{command}`: a documented command calls dcsim as `dcsim` or `cargo run --release --`; other cargo commands go in a ```sh norun block with the reason"
    );
    Some(c)
}

/// Whether `line` matches `pattern`, where `…` stands for any text.
fn matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split('…').collect();
    if parts.len() == 1 {
        return line == pattern;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !line.starts_with(first) || line.len() < first.len() + last.len() || !line.ends_with(last) {
        return false;
    }
    let mut rest = &line[first.len()..line.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(k) => rest = &rest[k + part.len()..],
            None => return false,
        }
    }
    true
}

/// Runs one command in `dir`; returns its stdout. Panics with the page,
/// line, command and both streams unless it exits 0.
fn run_command(dir: &Path, command: &str, at: &str) -> String {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{at}: `{command}` exited with {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs the blocks of `kind` of `page` in one fresh folder; returns the
/// folder and each command's stdout.
fn run_page(page: &Path, kind: Kind) -> (TempDir, Vec<String>) {
    let shown = page.strip_prefix(root()).unwrap().display().to_string();
    let dir = workspace("docs");
    let mut outputs = Vec::new();
    for block in blocks(page).into_iter().filter(|b| b.kind == kind) {
        let mut last = None;
        for (line, command) in &block.commands {
            let at = format!("{shown}:{line}");
            let Some(c) = as_run(command, &at) else {
                continue;
            };
            let stdout = run_command(&dir, &c, &at);
            outputs.push(stdout.clone());
            last = Some((at, stdout));
        }
        if let Some(expected) = &block.output {
            let (at, stdout) = last.expect("an output block follows a command that runs");
            let mut got = stdout.lines();
            for want in expected {
                assert!(
                    got.any(|l| matches(want, l)),
                    "{at}: the output shown, line\n{want}\nis not in what it printed (in order):\n{stdout}"
                );
            }
        }
    }
    (dir, outputs)
}

/// The pages with commands the default suite runs.
fn runnable_pages() -> Vec<PathBuf> {
    pages()
        .into_iter()
        .filter(|p| blocks(p).iter().any(|b| b.kind == Kind::Run))
        .collect()
}

#[test]
fn every_documented_command_runs() {
    let pages = runnable_pages();
    // The README and the manual's main pages have commands; an empty list
    // would pass without checking anything.
    for must in ["README.md", "docs/sweeps.md", "docs/cli.md"] {
        assert!(
            pages.contains(&root().join(must)),
            "{must} has no ```sh block"
        );
    }
    // Pages run in parallel, each in its own folder.
    let handles: Vec<_> = pages
        .into_iter()
        .map(|p| std::thread::spawn(move || run_page(&p, Kind::Run)))
        .collect();
    let mut failures = Vec::new();
    for h in handles {
        if let Err(e) = h.join() {
            failures.push(
                e.downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| "a page panicked".into()),
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_readme_starts_with_the_install_line_and_the_two_commands() {
    let readme = blocks(&root().join("README.md"));
    let first: Vec<&str> = readme[0]
        .commands
        .iter()
        .map(|(_, c)| c.split('#').next().unwrap().trim())
        .collect();
    for c in [
        "cargo run --release -- run",
        "cargo test --release",
        "cargo install --path .",
    ] {
        assert!(
            first.contains(&c),
            "README's first block lacks `{c}`: {first:?}"
        );
    }
}

#[test]
fn the_output_pattern_matches_as_documented() {
    assert!(matches("a … c", "a b c"));
    assert!(matches(
        "replay …/x.csv (3 requests, read in … s): 2",
        "replay data/x.csv (3 requests, read in 0.1 s): 2"
    ));
    assert!(!matches("a … c", "a b d"));
    assert!(!matches("abc", "abcd"));
    assert!(matches("  simulated in …", "  simulated in 0.01 s"));
    assert!(!matches("x…x", "x"));
}

#[test]
#[ignore = "needs a running Slurm cluster: sudo bash scripts/slurm-local.sh install up"]
fn documented_slurm_commands_run() {
    crate::slurm::slurm_is_up().unwrap_or_else(|e| panic!("Slurm is not up: {e}"));
    let mut ran = 0;
    for page in pages() {
        if !blocks(&page).iter().any(|b| b.kind == Kind::Slurm) {
            continue;
        }
        let (_dir, outputs) = run_page(&page, Kind::Slurm);
        // Each submission prints "array <id> merge <id>": wait for the
        // merge, which runs only once every shard has succeeded.
        for out in outputs {
            if let Some(merge) = out.split_whitespace().skip_while(|w| *w != "merge").nth(1) {
                let state = crate::slurm::wait_for(merge, merge);
                assert_eq!(state, "COMPLETED", "merge job {merge}: {out}");
                ran += 1;
            }
        }
    }
    assert!(ran > 0, "no documented Slurm submission");
}

/// Nothing under src/, tests/, scenarios/ or benches/ names the folder
/// beside the repository ("..", then "/shared"):
/// a clone has nothing beside it.
#[test]
fn nothing_names_a_folder_beside_the_repository() {
    let needle = format!("{}/{}", "..", "shared");
    let mut found = Vec::new();
    fn walk(dir: &Path, needle: &str, found: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, needle, found);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                if String::from_utf8_lossy(&bytes).contains(needle) {
                    found.push(p.display().to_string());
                }
            }
        }
    }
    for sub in ["src", "tests", "scenarios", "benches"] {
        walk(&root().join(sub), &needle, &mut found);
    }
    assert!(found.is_empty(), "files naming {needle}: {found:?}");
}
