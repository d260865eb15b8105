//! The documentation, tested: every fenced block of README.md and docs/*.md runs here, or is read
//! as written by the test its info string names, or says why it cannot run (docs/testing.md).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod recipes;

use crate::common::{api_python, needs, ours, test_path, Pdd};

/// Languages whose blocks run in a shell, and the one that runs in the package's Python.
const SHELLS: [&str; 4] = ["sh", "bash", "shell", "console"];
const PYTHON: &str = "python";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One fenced block: where it is, its info string's words, and its text.
#[derive(Debug)]
struct Block {
    place: String,
    lang: String,
    words: Vec<String>,
    text: String,
}

impl Block {
    /// The value of `key=value` in the info string.
    fn tag(&self, key: &str) -> Option<&str> {
        self.words.iter().find_map(|word| word.strip_prefix(key)?.strip_prefix('='))
    }

    fn runs(&self) -> bool {
        self.tag("test").is_none()
            && self.tag("exempt").is_none()
            && (SHELLS.contains(&self.lang.as_str()) || self.lang == PYTHON)
    }
}

/// README.md and every docs/*.md, in a stable order.
fn documents() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    docs.insert(0, root().join("README.md"));
    docs
}

/// The fenced blocks of one document, in order.
fn blocks_of(path: &Path) -> Vec<Block> {
    let name = path.strip_prefix(root()).unwrap().display().to_string();
    let text = fs::read_to_string(path).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (number, line) in text.lines().enumerate() {
        match (line.strip_prefix("```"), open.take()) {
            (Some(_), Some(block)) => blocks.push(block),
            (Some(info), None) => {
                let mut words = info.split_whitespace().map(str::to_owned);
                let lang = words.next().unwrap_or_default();
                let place = format!("{name}:{}", number + 1);
                open = Some(Block { place, lang, words: words.collect(), text: String::new() });
            }
            (None, Some(mut block)) => {
                block.text.push_str(line);
                block.text.push('\n');
                open = Some(block);
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "{name}: a fenced block is never closed");
    blocks
}

fn all_blocks() -> Vec<Block> {
    documents().iter().flat_map(|path| blocks_of(path)).collect()
}

/// The texts of the blocks tagged `test=NAME`, in document order, for the test `NAME` that runs
/// them as written.
pub fn blocks(test: &str) -> Vec<String> {
    let found: Vec<String> =
        all_blocks().into_iter().filter(|block| block.tag("test") == Some(test)).map(|block| block.text).collect();
    assert!(!found.is_empty(), "no block is tagged test={test}");
    found
}

/// The text of the one block tagged `test=NAME`.
pub fn block(test: &str) -> String {
    let mut found = blocks(test);
    assert_eq!(found.len(), 1, "blocks tagged test={test}: {found:?}");
    found.remove(0)
}

/// The Rust and Python sources of tests/, each file whole.
fn test_sources() -> Vec<String> {
    walkdir::WalkDir::new(root().join("tests"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "rs" || ext == "py"))
        .map(|entry| fs::read_to_string(entry.path()).unwrap_or_default())
        .collect()
}

/// Whether `name` is a test function of tests/ (a Rust `fn` or a Python `def`) and some test
/// reads the blocks tagged with it (names them in a string).
fn reads_blocks(sources: &[String], name: &str) -> bool {
    let defined = sources.iter().flat_map(|source| source.lines()).any(|line| {
        let line = line.trim_start();
        let rest = line.strip_prefix("fn ").or_else(|| line.strip_prefix("def "));
        rest.is_some_and(|rest| rest.split(['(', '<']).next() == Some(name))
    });
    let read =
        sources.iter().any(|source| source.contains(&format!("\"{name}\"")) || source.contains(&format!("'{name}'")));
    defined && read
}

#[test]
fn every_block_runs_is_read_by_a_test_or_says_why_not() {
    let sources = test_sources();
    let mut wrong = Vec::new();
    let mut after_runnable = false;
    for block in all_blocks() {
        let exempt = block.tag("exempt").is_some_and(|why| !why.is_empty());
        let shows_output = block.lang == "text" && after_runnable;
        if let Some(test) = block.tag("test") {
            if !reads_blocks(&sources, test) {
                wrong.push(format!("{}: test={test} names no function of tests/ that reads it", block.place));
            }
        } else if !(exempt || shows_output || block.runs()) {
            wrong.push(format!("{}: a `{}` block that nothing runs or reads", block.place, block.lang));
        }
        after_runnable = block.runs() || (block.lang == "text" && after_runnable);
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Runs a block in `dir`: a shell block in `bash -e`, a python block in `.venv-api`'s Python, with
/// this binary first on PATH, the venv's Ansible next, and the package from this checkout.
fn run(block: &Block, dir: &Path) -> Output {
    let binary = env!("CARGO_BIN_EXE_ansible-runner");
    let bin = Path::new(binary).parent().unwrap().display().to_string();
    let mut command = if block.lang == PYTHON {
        let mut python = Command::new(api_python());
        python.arg("-c").arg(&block.text);
        python
    } else {
        let mut shell = Command::new("bash");
        shell.arg("-e").arg("-c").arg(&block.text);
        shell
    };
    command.current_dir(dir).env("PATH", format!("{bin}:{}", test_path()));
    command.env("ANSIBLE_RUNNER_BINARY", binary).env("PYTHONPATH", root().join("python"));
    for var in ["ANSIBLE_ROLES_PATH", "NO_COLOR", "RUNNER_PLAYBOOK", "RUNNER_MODULE", "RUNNER_ROLE"] {
        command.env_remove(var);
    }
    command.output().unwrap()
}

/// A temp dir holding a copy of demo-project/ without its artifacts.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copied = Command::new("cp").arg("-r").arg(root().join("demo-project")).arg(dir.path()).status().unwrap();
    assert!(copied.success());
    let _ = fs::remove_dir_all(dir.path().join("demo-project/artifacts"));
    dir
}

/// Whether every line of `shown` appears in some line of `printed`, `…` standing for any text.
fn shows(shown: &str, printed: &str) -> bool {
    shown.lines().filter(|line| !line.trim().is_empty()).all(|line| {
        printed.lines().any(|out| {
            let mut rest = out;
            line.split('…').map(str::trim).all(|part| match rest.find(part) {
                Some(at) => {
                    rest = &rest[at + part.len()..];
                    true
                }
                None => false,
            })
        })
    })
}

/// Runs one document's blocks of the languages `chosen` takes, in order, as a reader would, in one
/// fresh copy of the demo, and checks the `text` blocks that follow them; returns what failed.
fn check_document(path: &Path, chosen: fn(&str) -> bool) -> Vec<String> {
    let dir = scratch();
    let mut failed = Vec::new();
    // The output of the last block run, `None` after a block of another kind.
    let mut last: Option<Output> = None;
    let mut after_unchosen = false;
    for block in blocks_of(path) {
        if block.runs() && chosen(&block.lang) {
            let out = run(&block, dir.path());
            let expected = block.tag("exit").map_or(0, |code| code.parse().unwrap());
            if out.status.code() != Some(expected) {
                failed.push(format!("{}: exit {:?}, not {expected}: {out:?}", block.place, out.status.code()));
            }
            (last, after_unchosen) = (Some(out), false);
        } else if block.lang == "text" && block.tag("exempt").is_none() {
            let printed = last.as_ref().map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
            if !after_unchosen && !shows(&block.text, &printed.clone().unwrap_or_default()) {
                failed.push(format!("{}: not in the output above it: {printed:?}", block.place));
            }
        } else {
            (last, after_unchosen) = (None, block.runs());
        }
    }
    failed
}

fn check_documents(chosen: fn(&str) -> bool) {
    let failed: Vec<String> = documents().iter().flat_map(|path| check_document(path, chosen)).collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn every_shell_block_of_the_readme_and_docs_runs() {
    needs!(Ansible);
    check_documents(|lang| SHELLS.contains(&lang));
}

#[test]
fn every_python_block_of_the_readme_and_docs_runs() {
    needs!(Ansible, ApiVenv);
    check_documents(|lang| lang == PYTHON);
}

#[test]
fn text_blocks_match_lines_with_gaps() {
    assert!(shows("IDENT … STATUS\n… ok … 0", "IDENT   X  STATUS\nabc ok 12 0 x"));
    assert!(!shows("STATUS … IDENT", "IDENT STATUS"));
}

/// The exit-code table of docs/compatibility.md, row by row: `(code, meaning)`.
fn documented_exit_codes() -> Vec<(String, String)> {
    let doc = fs::read_to_string(root().join("docs/compatibility.md")).unwrap();
    let section = doc.split("\n## Exit codes\n").nth(1).expect("an Exit codes section");
    let rows = section.lines().skip_while(|line| !line.starts_with("| code |")).skip(2);
    rows.take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[0].to_owned(), cells[1..].join(" | "))
        })
        .collect()
}

/// The EXIT STATUS of the man page the binary writes, made from `exit::MEANINGS`, roff undone.
fn exit_codes_of_the_man_page() -> Vec<(String, String)> {
    let out = tempfile::tempdir().unwrap();
    let made = ours().arg("--generate-assets").arg(out.path()).output().unwrap();
    assert!(made.status.success(), "{made:?}");
    let page = fs::read_to_string(out.path().join("man/ansible-runner.1")).unwrap();
    let section = page.split(".SH \"EXIT STATUS\"\n").nth(1).unwrap().split("\n.SH").next().unwrap();
    let plain = |text: &str| text.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\");
    section
        .split(".TP\n")
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (code, meaning) = entry.split_once('\n').unwrap();
            let code = code.trim_start_matches("\\fB").trim_end_matches("\\fR");
            (plain(code), plain(meaning.trim_end()))
        })
        .collect()
}

#[test]
fn the_exit_code_table_is_the_list_the_man_pages_are_made_from() {
    let man = exit_codes_of_the_man_page();
    assert!(man.len() >= 9, "{man:?}");
    assert_eq!(documented_exit_codes(), man, "docs/compatibility.md's exit codes and src/exit.rs MEANINGS");
}

#[test]
fn the_design_doc_names_every_folder_and_file_of_src() {
    let design = fs::read_to_string(root().join("docs/design.md")).unwrap();
    let map = design.split("\n## The module map\n").nth(1).expect("a module map section");
    let map = map.split("\n## ").next().unwrap_or_default();
    let mut missing = Vec::new();
    for entry in fs::read_dir(root().join("src")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let shown = if entry.path().is_dir() { format!("{name}/") } else { name.clone() };
        if !map.contains(&format!("`{shown}")) && !map.contains(&format!("{shown} ")) {
            missing.push(shown);
        }
    }
    missing.sort();
    assert!(missing.is_empty(), "docs/design.md's module map does not name: {missing:?}");
}

#[test]
fn the_set_up_commands_are_the_ones_ci_runs() {
    let commands: Vec<String> = block("the_set_up_commands_are_the_ones_ci_runs")
        .lines()
        .map(|line| line.split_whitespace().next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(commands.len(), 2, "the demo and the suite: {commands:?}");
    for command in &commands {
        let mode =
            fs::metadata(root().join(command)).map(|meta| std::os::unix::fs::PermissionsExt::mode(&meta.permissions()));
        assert!(mode.is_ok_and(|mode| mode & 0o111 != 0), "{command} is no executable of the checkout");
    }
    let demo = fs::read_to_string(root().join(&commands[0])).unwrap();
    assert!(demo.contains("run demo-project -p site.yml"), "{} runs the demo: {demo}", commands[0]);
    let ci = fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(ci.lines().any(|line| line == format!("exec {}", commands[1])), ".ci/run runs {}: {ci}", commands[1]);
}

#[test]
fn the_alert_rules_name_metrics_a_run_writes() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n");
    let metrics = pdd.path().join("job.prom");
    let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-q", "--metrics-file"]).arg(&metrics).output();
    assert_eq!(out.unwrap().status.code(), Some(0));
    let written = fs::read_to_string(&metrics).unwrap();
    let rules = block("the_alert_rules_name_metrics_a_run_writes");
    let names = regex::Regex::new(r"ansible_runner_\w+").unwrap();
    let named: Vec<&str> = names.find_iter(&rules).map(|name| name.as_str()).collect();
    assert!(!named.is_empty(), "{rules}");
    for name in named {
        assert!(written.contains(&format!("{name}{{")), "the rules name {name}, which a run does not write: {written}");
    }
}
