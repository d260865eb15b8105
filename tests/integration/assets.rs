//! The committed completions and man pages match what the current command line generates.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::{needs, ours};

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&path).unwrap())
        })
        .collect()
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
