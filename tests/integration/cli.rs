//! The command line's surface: version, help and usage, validation messages and exit codes, and
//! the committed completions and man pages, which must match what the command line generates.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::{assert_nothing_ran, needs, ours, reference, text, Pdd};

#[test]
fn version_is_the_reference_version() {
    for args in [&["--version"][..], &["run", "--version"]] {
        let out = ours().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(text(&out).0, "2.4.3\n");
    }
}

/// What the binary writes to a terminal (stdout and stderr on a new pseudo-terminal) for `args`.
fn on_terminal(args: &[&str]) -> String {
    let pty = nix::pty::openpty(None, None).unwrap();
    let mut child = ours()
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::from(pty.slave.try_clone().unwrap()))
        .stderr(std::process::Stdio::from(pty.slave))
        .spawn()
        .unwrap();
    let mut shown = String::new();
    // Until EIO: the child, the last holder of the terminal's other side, is gone.
    let _ = std::io::Read::read_to_string(&mut std::fs::File::from(pty.master), &mut shown);
    child.wait().unwrap();
    shown
}

#[test]
fn version_on_a_terminal_says_which_implementation_answered() {
    let shown = on_terminal(&["--version"]);
    assert!(shown.starts_with("2.4.3+rust (the native ansible-runner"), "{shown}");
}

#[test]
fn a_mistyped_flag_gets_a_hint_on_a_terminal_and_the_reference_words_in_a_pipe() {
    let shown = on_terminal(&["run", "/tmp", "--limt", "x"]);
    assert!(shown.contains("error: unrecognized arguments: --limt"), "{shown}");
    assert!(shown.contains("did you mean '--limit'?"), "{shown}");
    let piped = ours().args(["run", "/tmp", "--limt", "x"]).output().unwrap();
    assert_eq!(piped.status.code(), Some(2));
    assert!(!text(&piped).1.contains("did you mean"), "{}", text(&piped).1);
}

#[test]
fn no_command_prints_common_usage_and_exits_2() {
    let out = ours().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains("ansible-runner run /tmp/private -p playbook.yml"), "{stdout}");
    assert!(stdout.starts_with('\n') && stdout.ends_with('\n'));
    assert!(stderr.contains("required"), "{stderr}");
}

#[test]
fn validation_messages_and_codes_match_the_reference() {
    needs!(Reference);
    let pdd = Pdd::new();
    let dir = pdd.path().to_str().unwrap();
    let cases: [&[&str]; 3] = [
        &["run", dir, "-p", "x.yml", "--hosts", "h"],
        &["run", dir],
        &["run", dir, "-p", "x.yml", "--inventory", "no/such/inventory"],
    ];
    for args in cases {
        let mine = ours().args(args).output().unwrap();
        let theirs = reference().args(args).output().unwrap();
        assert_eq!(mine.status.code(), theirs.status.code(), "{args:?}");
        assert_eq!(text(&mine).1, text(&theirs).1, "{args:?}");
        assert_eq!(mine.status.code(), Some(1));
    }
}

#[test]
fn validation_happens_before_the_private_data_dir_is_created() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("never");
    let out = ours().arg("run").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.exists());
}

#[test]
fn env_defaults_conflicting_with_flags_give_a_clean_error() {
    let pdd = Pdd::new();
    let out = ours()
        .args(["run", pdd.path().to_str().unwrap(), "-m", "ping"])
        .env("RUNNER_PLAYBOOK", "x.yml")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = text(&out).1;
    assert!(stderr.contains("argument -p/--playbook (set by RUNNER_PLAYBOOK): not allowed with"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_env_files_are_errors_naming_the_file() {
    for (name, content) in
        [("settings", "job_timeout: [1\n"), ("envvars", "- just\n- a list\n"), ("passwords", "{bad json\n")]
    {
        let pdd = Pdd::new();
        pdd.file(&format!("env/{name}"), content).file("project/x.yml", "- hosts: all\n  tasks: []\n");
        let out = ours().args(["run", pdd.path().to_str().unwrap(), "-p", "x.yml"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = text(&out).1;
        assert!(stderr.contains(&format!("env/{name}")), "{name}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        assert_nothing_ran(pdd.path(), name);
    }
}

#[test]
fn private_data_dir_that_is_a_file_is_a_clear_error() {
    let parent = tempfile::tempdir().unwrap();
    let file = parent.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let out = ours().arg("run").arg(&file).args(["-p", "x.yml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out).1;
    assert!(stderr.contains("is not a directory") && stderr.contains(file.to_str().unwrap()), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn unknown_command_and_option_are_usage_errors() {
    assert_eq!(ours().arg("bogus").output().unwrap().status.code(), Some(2));
    assert_eq!(ours().args(["run", "/tmp", "--no-such-flag"]).output().unwrap().status.code(), Some(2));
    assert_eq!(ours().args(["run", "/tmp", "-p", "a", "-m", "b"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn bad_role_vars_are_a_one_line_error() {
    let pdd = Pdd::new();
    let out = ours().args(["run", pdd.path().to_str().unwrap(), "-r", "x", "--role-vars", "novalue"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("novalue"));
}

#[test]
fn logfile_is_created_and_debug_lines_go_to_it() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/x.yml", "- hosts: all\n  gather_facts: false\n  tasks: []\n");
    let log = pdd.path().join("runner.log");
    let out = ours()
        .args(["run", pdd.path().to_str().unwrap(), "-p", "x.yml", "-q", "--logfile"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "", "created empty without --debug");
    let out = ours()
        .args(["run", pdd.path().to_str().unwrap(), "-p", "x.yml", "-q", "--debug", "--logfile"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains(": command: ansible-playbook"), "{logged}");
    assert!(text(&out).0.contains("command: ansible-playbook"), "--debug prints even with -q");
}

#[test]
fn bad_prompt_patterns_and_ssh_keys_are_one_line_errors_naming_the_file() {
    for (name, content, expected) in [
        ("passwords", "\"Password: (\": \"x\"\n", "env/passwords"),
        (
            "ssh_key",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n",
            "env/ssh_key",
        ),
    ] {
        let pdd = Pdd::new();
        pdd.file(&format!("env/{name}"), content)
            .file("project/x.yml", "- hosts: all\n  gather_facts: false\n  tasks: []\n");
        let out = ours().args(["run", pdd.path().to_str().unwrap(), "-p", "x.yml"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}: {:?}", text(&out));
        let stderr = text(&out).1;
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        assert_nothing_ran(pdd.path(), name);
    }
}

#[test]
fn lock_wait_needs_lock() {
    let out = ours().args(["run", "/tmp", "-p", "x.yml", "--lock-wait", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("--lock"), "{}", text(&out).1);
}

#[test]
fn help_lists_only_what_each_command_honours() {
    let help = |command: &str| text(&ours().args([command, "--help"]).output().unwrap()).0;
    for command in ["run", "start"] {
        let shown = help(command);
        assert!(shown.contains("--junit") && shown.contains("--notify-url") && shown.contains("--lock"), "{shown}");
    }
    for command in ["stop", "is-alive", "transmit"] {
        let shown = help(command);
        for report in ["--junit", "--notify-url", "--summary", "--metrics-file", "--lock"] {
            assert!(!shown.contains(report), "`{command} --help` offers {report}");
        }
    }
    let run = help("run");
    assert!(!run.contains("not supported"), "{run}");
    assert!(run.contains("bubblewrap"), "{run}");
    let worker = ours().args(["worker", "--help"]).env_remove("ANSIBLE_RUNNER_KEEPALIVE_SECONDS").output().unwrap();
    assert!(!text(&worker).0.contains("KEEPALIVE_SECONDS="), "{}", text(&worker).0);
}

#[test]
fn transmit_refuses_the_reports_it_cannot_honour() {
    let pdd = Pdd::new();
    for flag in [&["--junit", "x.xml"][..], &["--notify-url", "http://127.0.0.1:9/"], &["--summary"]] {
        let out = ours().arg("transmit").arg(pdd.path()).args(["-p", "x.yml"]).args(flag).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag:?}");
        assert!(text(&out).1.contains("unrecognized arguments"), "{}", text(&out).1);
        assert!(out.stdout.is_empty(), "nothing is streamed");
    }
}

#[test]
fn a_misspelt_setting_is_named_with_the_setting_it_probably_meant() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/p.yml", "- hosts: all\n  gather_facts: false\n  tasks: [{ping: }]\n");
    pdd.file("env/settings", "job_timout: 5\nidle_timeout: 30\nmy_own_key: 1\n");
    let out = ours().arg("run").arg(pdd.path()).args(["-p", "p.yml", "-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "a warning does not stop the run");
    let stderr = text(&out).1;
    assert!(stderr.contains("unknown setting `job_timout` has no effect; did you mean `job_timeout`?"), "{stderr}");
    assert!(stderr.contains("unknown setting `my_own_key` has no effect\n"), "{stderr}");
    assert!(!stderr.contains("idle_timeout"), "{stderr}");
}

#[test]
fn a_notify_url_that_is_no_url_is_refused_before_the_run() {
    let pdd = Pdd::new();
    for url in ["notaurl", "http://", "ftp://host/x"] {
        let out = ours().arg("run").arg(pdd.path()).args(["-p", "x.yml", "--notify-url", url]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(text(&out).1.contains("argument --notify-url: invalid URL value"), "{}", text(&out).1);
        assert!(!pdd.path().join("artifacts").exists(), "nothing ran for {url}");
    }
}

#[test]
fn a_cmdline_that_reads_as_one_option_is_refused_as_the_reference_refuses_it() {
    needs!(Reference);
    let pdd = Pdd::new();
    pdd.file("project/p.yml", "- hosts: all\n  gather_facts: false\n  tasks: [{ping: }]\n");
    for value in ["--check", "-C"] {
        let args = ["run", pdd.path().to_str().unwrap(), "-p", "p.yml", "--cmdline", value];
        let (ours_out, theirs) = (ours().args(args).output().unwrap(), reference().args(args).output().unwrap());
        assert_eq!(ours_out.status.code(), Some(2), "{value}");
        assert_eq!(text(&ours_out).1.lines().last(), text(&theirs).1.lines().last(), "{value}");
    }
    let spaced = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "p.yml", "-q", "-i", "spaced", "--omit-env-files", "--cmdline", "--check --diff"])
        .output()
        .unwrap();
    assert_eq!(spaced.status.code(), Some(0), "{:?}", text(&spaced));
    assert!(pdd.artifacts("spaced").read("command").contains("\"--check\", \"--diff\""));
    let joined = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "p.yml", "-q", "-i", "joined", "--cmdline=--check"])
        .output()
        .unwrap();
    assert_eq!(joined.status.code(), Some(0), "the joined form is a value: {:?}", text(&joined));
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&path).unwrap())
        })
        .collect()
}

/// A place the assets cannot go is one line naming it and exit 1, like any other refusal.
#[test]
fn assets_that_cannot_be_written_are_one_line_naming_the_place() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("a-file");
    fs::write(&file, "").unwrap();
    let out = ours().arg("--generate-assets").arg(&file).output().unwrap();
    let stderr = text(&out).1;
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("into {}: Not a directory", file.display())), "{stderr}");
}

#[test]
fn completions_and_man_pages_are_fresh() {
    let fresh = tempfile::tempdir().unwrap();
    let out = ours().arg("--generate-assets").arg(fresh.path()).output().unwrap();
    assert!(out.status.success());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["completions", "man"] {
        let committed = files(&repo.join(dir));
        let generated = files(&fresh.path().join(dir));
        assert_eq!(
            committed.keys().collect::<Vec<_>>(),
            generated.keys().collect::<Vec<_>>(),
            "{dir}/ is stale: run `cargo run -- --generate-assets .`"
        );
        for (name, content) in &generated {
            assert!(committed[name] == *content, "{dir}/{name} is stale: run `cargo run -- --generate-assets .`");
        }
    }
    let pages = files(&repo.join("man"));
    for command in ["run", "start", "stop", "is-alive", "transmit", "worker", "process", "replay"] {
        assert!(pages.contains_key(&format!("ansible-runner-{command}.1")), "no man page for {command}");
    }
}

/// A flag each command offers, and the line that should complete to it.
const COMPLETES: [(&str, &str); 10] = [
    ("ansible-runner run /tmp --no", "--notify-url"),
    ("ansible-runner start /tmp --ro", "--roles-path"),
    ("ansible-runner stop /tmp --ar", "--artifact-dir"),
    ("ansible-runner is-alive /tmp --ar", "--artifact-dir"),
    ("ansible-runner transmit /tmp --play", "--playbook"),
    ("ansible-runner worker --keep", "--keepalive-seconds"),
    ("ansible-runner worker cleanup --gra", "--grace-period"),
    ("ansible-runner process /tmp --ide", "--ident"),
    ("ansible-runner replay /tmp --fol", "--follow"),
    ("ansible-runner tra", "transmit"),
];

/// `shell` under coreutils' `timeout`: a shell waiting for input that never comes fails the test
/// instead of hanging the suite.
fn bounded(shell: &str) -> std::process::Command {
    let mut command = std::process::Command::new("timeout");
    command.args(["60", shell]).stdin(std::process::Stdio::null());
    command
}

/// What a real shell offers for `line` with the committed scripts loaded.
fn offered(shell: &str, line: &str) -> Vec<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let completions = repo.join("completions");
    let out = match shell {
        "bash" => bounded("bash")
            .arg("-c")
            .arg(
                r#"source "$1"; read -ra words <<< "$2"; COMP_WORDS=("${words[@]}"); COMP_CWORD=$((${#words[@]} - 1));
                   _ansible__runner ansible-runner "${words[-1]}" "${words[-2]}"; printf '%s\n' "${COMPREPLY[@]}""#,
            )
            .args(["bash".as_ref(), completions.join("ansible-runner.bash").as_os_str(), line.as_ref()])
            .output(),
        "zsh" => bounded("zsh")
            .arg(repo.join("tests/integration/fixtures/zsh-complete.zsh"))
            .args([completions.as_os_str(), line.as_ref()])
            .output(),
        _ => bounded("fish")
            .arg("-c")
            .arg(format!("source {}; complete -C '{line}'", completions.join("ansible-runner.fish").display()))
            .output(),
    }
    .unwrap_or_else(|err| panic!("{shell} must be installed (scripts/test installs it): {err}"));
    assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| l.split('\t').next().unwrap_or_default().to_owned()).collect()
}

#[test]
fn every_command_completes_its_flags_in_bash_zsh_and_fish() {
    needs!(Zsh, Fish);
    for shell in ["bash", "zsh", "fish"] {
        for (line, wanted) in COMPLETES {
            let offered = offered(shell, line);
            assert!(offered.iter().any(|o| o == wanted), "{shell}: `{line}<TAB>` offered {offered:?}, not {wanted}");
        }
        let everything = offered(shell, "ansible-runner --");
        assert!(everything.iter().any(|o| o == "--version"), "{shell}: {everything:?}");
        assert!(!everything.iter().any(|o| o.contains("generate")), "{shell} offers a hidden flag: {everything:?}");
    }
}

#[test]
fn man_pages_name_only_pages_that_exist_and_tell_exit_status_and_examples() {
    let man = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let pages = files(&man);
    let named = regex::Regex::new(r"(ansible\\-runner(?:\\-[a-z]+)*)\(1\)").unwrap();
    for (page, content) in &pages {
        let text = String::from_utf8_lossy(content);
        for found in named.captures_iter(&text) {
            let target = format!("{}.1", found[1].replace("\\-", "-"));
            assert!(pages.contains_key(&target), "{page} names {target}, which does not exist");
        }
        assert!(text.contains(".SH \"EXIT STATUS\""), "{page} has no EXIT STATUS");
        for code in ["75", "127", "254", "128+n"] {
            assert!(text.contains(&format!("\\fB{code}\\fR")), "{page} does not explain exit code {code}");
        }
    }
    let main = String::from_utf8_lossy(&pages["ansible-runner.1"]).into_owned();
    for example in ["*/30 * * * *", "\\-\\-junit report.xml", "ssh node1", "\\-\\-container\\-image"] {
        assert!(main.contains(".SH EXAMPLES") && main.contains(example), "ansible-runner(1) lacks {example}");
    }
}
