//! The command line: version, usage, validation messages and exit codes, bad input.

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
